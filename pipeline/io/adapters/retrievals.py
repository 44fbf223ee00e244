"""The agent's context as its framework reads and keeps it: retrievals and memory.

The GenAI conventions' ``retrieval`` span (a retriever or RAG pipeline returning documents for a query:
``gen_ai.data_source.id``, ``gen_ai.retrieval.query.text``, ``gen_ai.retrieval.documents``), its memory
spans (``search_memory``, ``create_memory``, ``update_memory``, ``upsert_memory``, ``delete_memory``:
``gen_ai.memory.store.id``, ``gen_ai.memory.query.text``, ``gen_ai.memory.records``); OpenInference's
``RETRIEVER`` span, its documents flattened (``retrieval.documents.<i>.document.content``); MLflow's and
Langfuse's retriever spans (otel_conventions.py reads them as ``retrieval``).

Each is an action, ``gen_ai.<operation>``, on the data source or memory store (its resource). A read's
documents are its result: text the model reads, where a poisoned document or memory carries an injection as
a tool's result does (detectors/injection.py reads every result). A memory written holds its records as its
arguments: a write that keeps what an injected result named (an attacker's address, "always forward to
...") is judged as any state-changing call is: persistence through memory. The model chose no tool here, so
the tools the manifest allows do not judge them (``models.action.CONTEXT_USE``).
"""

from typing import Any, Final

from .json_text import parse_json_text

_STORE, _RECORDS = "gen_ai.memory.store.id", "gen_ai.memory.records"
# operation -> (the action's operation, where the source is named, the query, the documents or records)
CONTEXT_OPERATIONS: Final = {
    "retrieval": ("read", "gen_ai.data_source.id", "gen_ai.retrieval.query.text", "gen_ai.retrieval.documents"),
    "search_memory": ("read", _STORE, "gen_ai.memory.query.text", _RECORDS),
    "create_memory": ("write", _STORE, "", _RECORDS), "update_memory": ("write", _STORE, "", _RECORDS),
    "upsert_memory": ("write", _STORE, "", _RECORDS), "delete_memory": ("delete", _STORE, "", _RECORDS),
}
_OI_DOCUMENTS: Final = "retrieval.documents."
MAX_DOCUMENTS: Final = 1000  # documents of one span read (a retriever's top-k is a handful)


def context_use(op: str, a: dict[str, Any]) -> tuple[str, str, Any, dict[str, Any] | None, Any]:
    """(tool, operation, resource, arguments, result) of a retrieval or memory span's attributes.

    >>> context_use("retrieval", {"gen_ai.data_source.id": "kb-policies", "gen_ai.retrieval.query.text": "refunds",
    ...                           "gen_ai.retrieval.documents": '[{"id": "d1", "score": 0.9, "content": "Refunds: 30 days"}]'})
    ('gen_ai.retrieval', 'read', 'kb-policies', {'query': 'refunds'}, [{'id': 'd1', 'score': 0.9, 'content': 'Refunds: 30 days'}])
    >>> context_use("upsert_memory", {"gen_ai.memory.store.id": "prefs", "gen_ai.memory.records": '[{"content": "Ships to Porto"}]'})
    ('gen_ai.upsert_memory', 'write', 'prefs', {'records': [{'content': 'Ships to Porto'}]}, None)
    """
    operation, source_key, query_key, content_key = CONTEXT_OPERATIONS[op]
    source, content = a.get(source_key), parse_json_text(a.get(content_key))
    source = source if type(source) is str and source else None
    if operation != "read":  # what is kept is what the call carries
        return f"gen_ai.{op}", operation, source, {"records": content} if content is not None else None, None
    query = a.get(query_key)
    return f"gen_ai.{op}", operation, source, {"query": query} if query is not None else None, content


def indexed_documents(a: dict[str, Any]) -> list[dict[str, Any]] | None:
    """OpenInference's flattened documents (``retrieval.documents.0.document.content``, ``.id``, ``.score``,
    ``.metadata``) as a list, in their order; None when the span holds none.

    >>> indexed_documents({"retrieval.documents.1.document.content": "b", "retrieval.documents.0.document.content": "a",
    ...                    "retrieval.documents.0.document.id": "d0"})
    [{'content': 'a', 'id': 'd0'}, {'content': 'b'}]
    """
    docs: dict[int, dict[str, Any]] = {}
    for key, value in a.items():
        if key.startswith(_OI_DOCUMENTS):
            index, _, field = key[len(_OI_DOCUMENTS):].partition(".document.")
            if index.isascii() and index.isdigit() and len(index) < 10 and field and (int(index) in docs or len(docs) < MAX_DOCUMENTS):
                docs.setdefault(int(index), {})[field] = value
    return [docs[i] for i in sorted(docs)] if docs else None

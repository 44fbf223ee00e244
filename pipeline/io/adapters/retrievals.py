"""What an agent's framework read into its context for the model: retrievals and memory searches.

The GenAI conventions' ``retrieval`` span (a retriever or RAG pipeline returning documents for a query:
``gen_ai.data_source.id``, ``gen_ai.retrieval.query.text``, ``gen_ai.retrieval.documents``) and
``search_memory`` span (``gen_ai.memory.store.id``, ``gen_ai.memory.query.text``, ``gen_ai.memory.records``);
OpenInference's ``RETRIEVER`` span, its documents flattened (``retrieval.documents.<i>.document.content``);
MLflow's and Langfuse's retriever spans (otel_conventions.py reads them as ``retrieval``).

Each is an action, ``gen_ai.retrieval`` / ``gen_ai.search_memory``, a read of the data source or memory
store (its resource). Its documents are its result: text the model reads, where a poisoned document or
memory carries an injection as a tool's result does (detectors/injection.py reads every result). The model
chose no tool here, so the tools the manifest allows do not judge it (``models.action.CONTEXT_READS``).
"""

from typing import Any, Final

from .json_text import parse_json_text

# operation -> (where the source is named, the query, the documents)
CONTEXT_OPERATIONS: Final = {
    "retrieval": ("gen_ai.data_source.id", "gen_ai.retrieval.query.text", "gen_ai.retrieval.documents"),
    "search_memory": ("gen_ai.memory.store.id", "gen_ai.memory.query.text", "gen_ai.memory.records"),
}
_OI_DOCUMENTS: Final = "retrieval.documents."
MAX_DOCUMENTS: Final = 1000  # documents of one span read (a retriever's top-k is a handful)


def context_read(op: str, a: dict[str, Any]) -> tuple[str, Any, dict[str, Any] | None, Any]:
    """(tool, resource, arguments, result) of a retrieval or memory search span's attributes.

    >>> context_read("retrieval", {"gen_ai.data_source.id": "kb-policies", "gen_ai.retrieval.query.text": "refunds",
    ...                            "gen_ai.retrieval.documents": '[{"id": "d1", "score": 0.9, "content": "Refunds: 30 days"}]'})
    ('gen_ai.retrieval', 'kb-policies', {'query': 'refunds'}, [{'id': 'd1', 'score': 0.9, 'content': 'Refunds: 30 days'}])
    """
    source_key, query_key, documents_key = CONTEXT_OPERATIONS[op]
    source, query = a.get(source_key), a.get(query_key)
    documents = parse_json_text(a.get(documents_key))
    return (f"gen_ai.{op}", source if type(source) is str and source else None,
            {"query": query} if query is not None else None, documents)


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
            if index.isdigit() and field and (int(index) in docs or len(docs) < MAX_DOCUMENTS):
                docs.setdefault(int(index), {})[field] = value
    return [docs[i] for i in sorted(docs)] if docs else None

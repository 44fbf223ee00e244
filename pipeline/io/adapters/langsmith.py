"""LangSmith's runs as its API and SDK hand them out -> ``Span`` records, mapped as LangSmith's own
OpenTelemetry export is (otel_conventions.py) and so as GenAI spans (otel.py).

LangChain and LangGraph trace to LangSmith as *runs*; what teams save from it (``Client.list_runs``,
``read_run(load_child_runs=True)``, the ``/runs/query`` API: ``{"runs": [...]}``) is a run per line, a
list, or a run with its ``child_runs`` nested. Per run: ``id``, ``trace_id``, ``parent_run_id``,
``name``, ``run_type``, ``start_time`` / ``end_time``, ``inputs`` / ``outputs``, ``error``, ``extra``
(``metadata``, ``invocation_params``). A ``tool`` run is a tool call (its name the tool, LangChain's
``{"input": ...}`` / ``{"output": ...}`` unwrapped), an ``llm`` run a model call (the model from
``invocation_params``, the request from its messages), other runs are skipped; the thread in
``metadata`` (``thread_id``, ``session_id``, ``conversation_id``) is the session; the agent is the
``lc_agent_name`` LangChain gives every run under an agent it names (``create_agent(name=...)``, a
deep agent's sub-agents: each sub-agent's own calls are its own), else LangGraph's ``assistant_id`` /
``graph_id``, else the root run's name (a named graph, an agent executor). An ``error`` is status ERROR. What breaks a run (its siblings go on): no text ``id``, a
``start_time`` that is not an ISO time after 1970.
"""

from typing import Any

from .otlp import Span, SpanError
from .trace_exports import Read, bad, each_item, first_item, iso_nanos, still_a_link, text_id

_OPERATIONS = {"tool": "execute_tool", "llm": "chat", "retriever": "retrieval"}
_METADATA = ("thread_id", "session_id", "conversation_id", "lc_agent_name", "assistant_id", "graph_id")  # as LangSmith's OTel keys
_AGENT_METADATA = ("lc_agent_name", "assistant_id", "graph_id")
MAX_DEPTH = 64  # nested child_runs followed this deep


def _run_like(item: Any) -> bool:
    return item.__class__ is dict and "run_type" in item and "start_time" in item


def is_langsmith(doc: Any) -> bool:
    """Whether a document is LangSmith's: a run, a list of runs, or ``{"runs": [...]}``."""
    return _run_like(first_item(doc, "runs"))


def _extra(run: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A run's ``extra`` and its ``metadata`` (empty when either is missing or no object)."""
    extra = run.get("extra") if run.get("extra").__class__ is dict else {}
    return extra, extra.get("metadata") if extra.get("metadata").__class__ is dict else {}


def _names(run: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """The session and agent a run names for the runs under it (LangSmith's OTel keys, read by otel_conventions.py)."""
    a = {f"langsmith.metadata.{key}": metadata[key] for key in _METADATA if metadata.get(key) is not None}
    name = run.get("name")
    if run.get("parent_run_id") is None and type(name) is str and name and not any(k in metadata for k in _AGENT_METADATA):
        a["gen_ai.agent.name"] = name  # the root run: the named graph or agent executor
    return a


def _span(run: dict[str, Any], position: str) -> Span:
    if not _run_like(run):
        raise SpanError("not a LangSmith run (run_type, start_time)")
    kind, name = run["run_type"], run.get("name")
    run_id = text_id(run.get("id"), "id")
    parent = run.get("parent_run_id")
    a: dict[str, Any] = {"langsmith.span.kind": kind, "gen_ai.operation.name": _OPERATIONS.get(kind, f"langsmith.{kind}")
                         if type(kind) is str else "langsmith.run", "langsmith.trace.name": name}
    for key, value in (("gen_ai.prompt", run.get("inputs")), ("gen_ai.completion", run.get("outputs"))):
        if value is not None:
            a[key] = value
    extra, metadata = _extra(run)
    a.update(_names(run, metadata))
    params = extra.get("invocation_params") if extra.get("invocation_params").__class__ is dict else {}
    model = params.get("model") or params.get("model_name") or metadata.get("ls_model_name")
    if kind == "llm" and type(model) is str and model:
        a["gen_ai.request.model"] = model
    if kind == "retriever":  # its query and documents (LangChain's retriever run: {"query"} -> {"documents"})
        inputs, outputs = run.get("inputs"), run.get("outputs")
        a["gen_ai.retrieval.query.text"] = inputs.get("query") if inputs.__class__ is dict else inputs
        a["gen_ai.retrieval.documents"] = outputs.get("documents", outputs) if outputs.__class__ is dict else outputs
    if kind == "llm" and params.get("tools").__class__ is list:
        a["gen_ai.tool.definitions"] = params["tools"]  # (what the model was offered: tool poisoning)
    status, message = 0, ""
    if run.get("error"):
        status, message = 2, str(run["error"]).strip().splitlines()[0][:300] if str(run["error"]).strip() else "error"
    end = run.get("end_time")
    return Span(text_id(run.get("trace_id") or run_id, "trace_id"), run_id, text_id(parent, "parent_run_id") if parent else "",
                str(name or kind)[:200], iso_nanos(run["start_time"], "start_time"), status, message, a, position, run, (),
                end=iso_nanos(end, "end_time") if end else 0)


def _runs(run: Any, position: str, depth: int = 0) -> Read:
    """A run, then its nested ``child_runs`` (a bad run costs only itself: its children are read, and its
    dead letter holds it without them)."""
    try:
        yield {}, _span(run, position)
    except Exception as err:  # noqa: BLE001 - a run of an unforeseen shape costs that run
        yield {}, bad(position, err, {**run, "child_runs": None} if run.__class__ is dict else run)
        link = still_a_link(run.get("trace_id") or run.get("id"), run.get("id"), run.get("parent_run_id"),
                            _names(run, _extra(run)[1]), "langsmith", position, run) if run.__class__ is dict else None
        if link is not None:
            yield {}, link
    children = run.get("child_runs") if run.__class__ is dict else None
    if children.__class__ is list and depth < MAX_DEPTH:
        for k, child in enumerate(children):
            yield from _runs(child, f"{position}.child_runs[{k}]", depth + 1)


def langsmith_spans(doc: Any, source: str) -> Read:
    """(no resource, span or bad span) for every run of a LangSmith document (``is_langsmith``)."""
    where = source
    if doc.__class__ is dict and doc.get("runs").__class__ is list:
        doc, where = doc["runs"], f"{source}#runs"
    return each_item(doc if doc.__class__ is list else [doc], where, doc.__class__ is list, _runs)

"""Braintrust's project logs -> ``Span`` records, mapped as GenAI spans are (otel.py).

Braintrust keeps an application's traces as log events, one per span; its API's
``/v1/project_logs/{id}/fetch`` answers ``{"events": [...], "cursor": ...}``, and exports are a
list of events or one per line. Per event: ``span_id``, ``root_span_id`` (the trace),
``span_parents`` (its parent first), ``span_attributes`` (``name``, ``type``: ``llm``, ``tool``,
``task``, ``function``, ``eval``, ``score``...), ``input``, ``output``, ``error``, ``metadata``,
``metrics`` (``start`` / ``end`` in Unix seconds), ``created`` (ISO 8601).

- a ``tool`` span is an ``execute_tool`` span: its name the tool, ``input`` the arguments, ``output``
  the result, ``error`` an error;
- an ``llm`` span is a ``chat`` span: ``input`` its messages (the user's request), ``output`` the reply
  (a list of choices or messages), ``metadata.model`` the model;
- the trace's root span is the agent's run: ``metadata`` ``agent`` / ``agent_id`` / ``agent_name``, else
  its name; ``metadata`` ``session_id`` / ``thread_id`` / ``conversation_id`` its session;
- other spans (a task, a score) are skipped (``braintrust.<type>``).

What breaks an event (its siblings go on): no text ``span_id`` / ``root_span_id``, no start (``metrics.start``
a positive number, else ``created`` an ISO time after 1970).
"""

from typing import Any, Final

from .otlp import Span, SpanError
from .trace_exports import Read, each_item, first_item, genai_attributes, iso_nanos, text_id

_OPERATIONS: Final = {"tool": "execute_tool", "llm": "chat"}
_AGENT_KEYS: Final = ("agent", "agent_id", "agent_name")
_SESSION_KEYS: Final = ("session_id", "thread_id", "conversation_id")


def _event_like(item: Any) -> bool:
    return item.__class__ is dict and "span_id" in item and "root_span_id" in item and "span_attributes" in item


def is_braintrust(doc: Any) -> bool:
    """Whether a document is Braintrust's: a log event, a list of them, or a fetch's ``{"events": [...]}``."""
    return _event_like(first_item(doc, "events"))


def _nanos(event: dict[str, Any], metrics: dict[str, Any], key: str) -> int:
    value = metrics.get(key)
    if (value.__class__ is int or value.__class__ is float) and 0 < value < 1e11:
        return int(value * 1e9)
    if key == "start":
        return iso_nanos(event.get("created"), "created")
    return 0


def _reply(output: Any) -> list[Any] | None:
    """An llm span's output as output messages: a list of choices (``message`` each) or of messages."""
    items = output if output.__class__ is list else [output]
    out = [i.get("message") if i.__class__ is dict and i.get("message").__class__ is dict else i for i in items]
    return [m for m in out if m.__class__ is dict] or None


def _event(event: Any, position: str) -> Span:
    if not _event_like(event):
        raise SpanError("not a Braintrust log event (span_id, root_span_id, span_attributes)")
    attrs = event["span_attributes"] if event["span_attributes"].__class__ is dict else {}
    kind, name = attrs.get("type"), attrs.get("name")
    trace, span_id = text_id(event["root_span_id"], "root_span_id"), text_id(event["span_id"], "span_id")
    parents = event.get("span_parents")
    parent = parents[0] if parents.__class__ is list and parents else None
    metadata = event.get("metadata") if event.get("metadata").__class__ is dict else {}
    metrics = event.get("metrics") if event.get("metrics").__class__ is dict else {}
    op = _OPERATIONS.get(kind, "") if type(kind) is str else ""
    record = {"name": name, "input": event.get("input"), "output": event.get("output"), "model": metadata.get("model")}
    a = genai_attributes(op, f"braintrust.{str(kind).lower()[:40]}", record, False)
    if op == "chat":
        if event.get("input").__class__ is list:
            a["gen_ai.input.messages"] = event["input"]
        reply = _reply(event.get("output"))
        if reply is not None:
            a["gen_ai.output.messages"] = reply
    if parent is None:  # the root: the agent's run (a lone model call names its agent too)
        if op == "":
            a["gen_ai.operation.name"] = "invoke_agent"
        agent = next((metadata[k] for k in _AGENT_KEYS if type(metadata.get(k)) is str and metadata[k]), None)
        a["gen_ai.agent.name"] = agent or (name if type(name) is str and name else "braintrust")
    session = next((metadata[k] for k in _SESSION_KEYS if type(metadata.get(k)) is str and metadata[k]), None)
    if session is not None:
        a["gen_ai.conversation.id"] = session
    error = event.get("error")
    return Span(trace, span_id, text_id(parent, "span_parents[0]") if parent is not None else "",
                str(name or kind or "span")[:200], _nanos(event, metrics, "start"), 2 if error else 0,
                str(error)[:1000] if error else "", a, position, event, (), end=_nanos(event, metrics, "end"))


def braintrust_spans(doc: Any, source: str) -> Read:
    """(no resource, span or bad span) for every event of a Braintrust document (``is_braintrust``)."""
    where = source
    if doc.__class__ is dict and doc.get("events").__class__ is list:
        doc, where = doc["events"], f"{source}#events"
    return each_item(doc if doc.__class__ is list else [doc], where, doc.__class__ is list, lambda e, at: [({}, _event(e, at))])

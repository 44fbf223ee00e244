"""The OpenAI Agents SDK's own trace export -> ``Span`` records, mapped as GenAI spans are (otel.py).

The SDK traces every run without OpenTelemetry: a ``TracingProcessor`` receives traces and spans,
and ``export()`` gives each as a dict. The SDK's exporter posts them in batches (``{"data": [...]}``);
a processor that records them locally writes one per line, or a list. Items:

- a trace, ``{"object": "trace", "id", "workflow_name", "group_id", "metadata"}``: read as the root
  span of its spans (a span naming no parent is its child), its ``group_id`` (the conversation) their
  session; never an action;
- a span, ``{"object": "trace.span", "id", "trace_id", "parent_id", "started_at", "ended_at",
  "span_data", "error"}``, by ``span_data.type``: ``agent`` (its ``name`` the agent) an
  ``invoke_agent`` span; ``function`` (``name``, ``input``: the arguments as JSON text, ``output``:
  the result as text) an ``execute_tool`` span (an MCP server's tool too); ``generation``
  (``model``, ``input`` / ``output`` messages: the user's request) and ``response`` a ``chat`` span;
  the rest (``handoff``, ``guardrail``, ``custom``, ``mcp_tools``, speech...) skipped spans. An
  ``error`` (``message``, ``data``) is status ERROR.

What breaks a span (its siblings go on): no text ``id`` / ``trace_id``, a ``started_at`` that is not
an ISO time after 1970, ``span_data`` that is not an object.
"""

from typing import Any

from .otlp import Span, SpanError
from .trace_exports import Read, bad, each_item, genai_attributes, iso_nanos, still_a_link, text_id

ITEMS = ("trace", "trace.span")  # an exported item's ``object``
_OPERATIONS = {"agent": "invoke_agent", "function": "execute_tool", "generation": "chat", "response": "chat"}


def is_export(doc: Any) -> bool:
    """Whether a document is the SDK's export: one item, a list of them, or the exporter's batch."""
    if doc.__class__ is dict:
        if doc.get("object") in ITEMS:
            return True
        doc = doc.get("data")
    return doc.__class__ is list and bool(doc) and doc[0].__class__ is dict and doc[0].get("object") in ITEMS


def _attributes(data: dict[str, Any]) -> dict[str, Any]:
    """A span's ``span_data`` as the GenAI attributes otel.py reads."""
    kind = data.get("type")
    op = _OPERATIONS.get(kind, "") if type(kind) is str else ""
    a = genai_attributes(op, f"openai_agents.{kind}", data, True)
    a["openai_agents.span.type"] = kind
    usage = data.get("usage")
    if kind == "generation" and usage.__class__ is dict:
        for k in ("input_tokens", "output_tokens"):
            if k in usage:
                a[f"gen_ai.usage.{k}"] = usage[k]
    elif kind == "response" and type(data.get("response_id")) is str:
        a["gen_ai.response.id"] = data["response_id"]
    return a


def _span(item: dict[str, Any], position: str) -> Span:
    trace = text_id(item.get("trace_id"), "trace_id")
    data = item.get("span_data")
    if data.__class__ is not dict:
        raise SpanError("span_data is not an object")
    start = iso_nanos(item.get("started_at"), "started_at")
    end = item.get("ended_at")
    attrs = _attributes(data)
    status, message = 0, ""
    error = item.get("error")
    if error:
        status = 2
        message = (error.get("message") or "error") if error.__class__ is dict else str(error)
        if error.__class__ is dict and error.get("data") is not None:
            attrs["error.data"] = error["data"]
    parent = item.get("parent_id")
    parent = text_id(parent, "parent_id") if parent is not None else trace  # a run's first span: under its trace item
    return Span(trace, text_id(item.get("id"), "id"), parent, str(data.get("name") or data.get("type") or "")[:200], start,
                status, message, attrs, position, item, (), end=iso_nanos(end, "ended_at") if end else 0)


def _root(item: dict[str, Any], position: str) -> Span:
    """A trace item as the root span of its spans: their session (``group_id``), never an action."""
    trace = text_id(item.get("id"), "trace id")
    attrs: dict[str, Any] = {"gen_ai.operation.name": "openai_agents.trace", "openai_agents.workflow_name": item.get("workflow_name")}
    if item.get("group_id"):
        attrs["gen_ai.conversation.id"] = item["group_id"]
    metadata = item.get("metadata")
    if metadata.__class__ is dict:
        attrs.update({f"openai_agents.metadata.{k}": v for k, v in metadata.items()})
    return Span(trace, trace, "", str(item.get("workflow_name") or "trace")[:200], 0, 0, "", attrs, position, item, (), True)


def agents_spans(doc: Any, source: str) -> Read:
    """(no resource, span or bad span) for every item of an export document (``is_export``)."""
    if doc.__class__ is dict and "object" not in doc:
        doc, where = doc["data"], f"{source}#data"
    else:
        where = source
    return each_item(doc if doc.__class__ is list else [doc], where, doc.__class__ is list, _item)


def _item(item: Any, position: str) -> Read:
    try:
        if item.__class__ is not dict or item.get("object") not in ITEMS:
            raise SpanError("not an exported trace or span (object: trace, trace.span)")
        yield {}, _root(item, position) if item["object"] == "trace" else _span(item, position)
    except Exception as err:  # noqa: BLE001 - an item of an unforeseen shape costs that item
        yield {}, bad(position, err, item)
        if item.__class__ is dict and item.get("object") == "trace.span":  # still a link for its children
            data = item.get("span_data") if item.get("span_data").__class__ is dict else {}
            names = {"gen_ai.agent.name": data["name"]} if data.get("type") == "agent" and type(data.get("name")) is str else {}
            link = still_a_link(item.get("trace_id"), item.get("id"), item.get("parent_id") or item.get("trace_id"),
                                names, "openai_agents", position, item)
            if link is not None:
                yield {}, link

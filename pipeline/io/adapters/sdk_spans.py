"""Spans as one JSON object each, the way the OpenTelemetry Python SDK prints them (``ConsoleSpanExporter``:
``span.to_json()``) and Arize Phoenix's REST API returns them -> ``Span`` records (otel.py).

Both write a span as ``{"name", "context": {"trace_id", "span_id"}, "parent_id", "start_time",
"end_time", "attributes": {...}, "events": [...]}``: ids in hex (the SDK with a ``0x`` prefix), times
in ISO 8601, attributes a plain object (Phoenix may nest it: ``{"llm": {"model_name": ...}}`` is read as
``llm.model_name``). The SDK adds ``kind`` (``SpanKind.SERVER``), ``status`` (``status_code``,
``description``) and ``resource.attributes``; Phoenix ``span_kind`` (OpenInference's: ``TOOL``...),
``status_code`` and ``status_message``, and pages its spans as ``{"data": [...], "next_cursor"}``; its
client's spans dataframe written as JSON (``get_spans_dataframe().to_json(orient="records", lines=True)``)
has the same columns with ``context.span_id``, ``context.trace_id`` and each ``attributes.<key>`` flattened,
and times as epoch numbers (pandas' default: milliseconds). A file
of them is one per line, a list, or, as the console exporter writes them, pretty-printed one after
another (base.py reads such a file object by object). A span whose ``end_time`` is null was printed
before it ended (the Microsoft Agent Framework's samples print each span at its start and again at its end):
it is skipped, a link in its children's line of ancestors, and its ended copy is the action (before, the
first copy was taken and the ended one, with its usage and status, was a conflicting duplicate). What breaks
a span (its siblings go on): an id that is not hex of the right length, a start time that is not an ISO time
after 1970. Phoenix's first span JSON (2023) gave its trace and span ids as UUIDs: read as their 32 hex digits.

The AWS Distro for OpenTelemetry writes spans to CloudWatch's ``aws/spans`` log group (Transaction
Search: where Amazon Bedrock AgentCore's agents' traces are) as OTLP's span with its attributes a plain
object: ``traceId``, ``spanId``, ``parentSpanId``, ``name``, ``kind`` (``SERVER``), ``startTimeUnixNano``,
``endTimeUnixNano``, ``status.code``, ``attributes``, ``resource.attributes``, ``events``; read the same,
one per line, a list, or inside a CloudWatch Logs envelope (``filter-log-events``' output, a
subscription's ``logEvents``: cloudwatch.py), each message one span.
"""

from typing import Any

from orjson import JSONDecodeError, loads

from .cloudwatch import log_events
from .jaeger import hex_id
from .otlp import Span, SpanError
from .trace_exports import Read, each_item, first_item, iso_nanos, json_event

_STATUS = {"ERROR": 2, "OK": 1}
_ENTRY = ("SpanKind.SERVER", "SpanKind.CONSUMER", "SERVER", "CONSUMER")
MAX_DEPTH = 16  # nested attribute objects followed this deep
UNFINISHED = "unfinished (printed before it ended)"  # skipped under this name (40 characters at most)


def _span_like(doc: Any) -> bool:
    context = doc.get("context") if doc.__class__ is dict else None
    if context.__class__ is not dict:  # Phoenix's spans dataframe, written as JSON: its columns flattened; ADOT's spans
        return doc.__class__ is dict and "name" in doc and (("context.span_id" in doc and "context.trace_id" in doc) or _adot_like(doc))
    return "span_id" in context and "trace_id" in context and "name" in doc


def _adot_like(doc: dict[str, Any]) -> bool:
    """ADOT's span as CloudWatch keeps it: OTLP's names, its attributes an object (OTLP/JSON's own are a list: otlp.py)."""
    return "traceId" in doc and "spanId" in doc and "startTimeUnixNano" in doc and doc.get("attributes").__class__ is not list


def _nanos(value: Any) -> Any:
    """OTLP's int64 nanoseconds, as a number or (OTLP/JSON's) text of one."""
    return int(value) if value.__class__ is str and value.isdigit() else value


def status_code(value: Any) -> int:
    """A span status as OTLP's number (2 error, 1 ok, 0 unset) from any exporter's spelling of it: the
    number, ``ERROR`` / ``Error``, the SDK's ``StatusCode.ERROR``, OTLP/JSON's ``STATUS_CODE_ERROR``.

    >>> [status_code(v) for v in (2, "Error", "StatusCode.OK", "STATUS_CODE_ERROR", "UNSET", None, True)]
    [2, 2, 1, 2, 0, 0, 0]
    """
    if value.__class__ is int:
        return value if 0 <= value <= 2 else 0
    return _STATUS.get(str(value or "").upper().removeprefix("STATUS_CODE_").removeprefix("STATUSCODE."), 0)


def _adot(sp: dict[str, Any]) -> dict[str, Any]:
    """ADOT's span in the SDK's shape (``_span`` reads that)."""
    status = sp.get("status") if sp.get("status").__class__ is dict else {}
    kind = sp.get("kind")
    out = {"name": sp["name"], "context": {"trace_id": sp["traceId"], "span_id": sp["spanId"]},
           "parent_id": sp.get("parentSpanId") or None, "start_time": _nanos(sp.get("startTimeUnixNano")),
           "kind": kind.upper().removeprefix("SPAN_KIND_") if kind.__class__ is str else None,
           "status": {"status_code": status.get("code"), "description": status.get("message") or ""},
           "attributes": sp.get("attributes"), "resource": sp.get("resource"),
           "events": [{"name": e.get("name"), "attributes": e.get("attributes")} for e in sp.get("events") or () if e.__class__ is dict]}
    if sp.get("endTimeUnixNano") is not None:
        out["end_time"] = _nanos(sp["endTimeUnixNano"])
    return out


def _columns(row: dict[str, Any]) -> dict[str, Any]:
    """A dataframe row (``get_spans_dataframe().to_json(orient="records")``) as a span: ``context.*``
    and ``attributes.*`` columns gathered (an empty cell, null, left out)."""
    span = {k: v for k, v in row.items() if not k.startswith(("context.", "attributes."))}
    span["context"] = {"trace_id": row["context.trace_id"], "span_id": row["context.span_id"]}
    span["attributes"] = {k[11:]: v for k, v in row.items() if k.startswith("attributes.") and v is not None}
    return span


def _time(value: Any, what: str) -> int:
    """An ISO 8601 time, or a number as pandas writes one (epoch; its unit told by its size: s, ms, µs, ns)."""
    if (value.__class__ is int or value.__class__ is float) and 0 < value < 1e20:
        scale = 1e9 if value < 1e11 else 1e6 if value < 1e14 else 1e3 if value < 1e17 else 1
        return int(value * scale)
    return iso_nanos(value, what)


def is_sdk_span(doc: Any) -> bool:
    """Whether a document is such a span, a list of them, Phoenix's page of them, or a CloudWatch Logs
    envelope whose first message is one."""
    if doc.__class__ is dict and (messages := log_events(doc)) is not None:
        try:
            return bool(messages) and _span_like(loads(messages[0]))
        except JSONDecodeError:
            return False
    return _span_like(first_item(doc, "data", "next_cursor"))


def flat(attrs: Any, what: str) -> dict[str, Any]:
    """Attributes as one level of dotted keys: nested ones (Phoenix's, no dotted key at the top) are
    flattened; flat ones keep an object value as it is (a tool call's arguments); a list stays a value."""
    if attrs is None:
        return {}
    if attrs.__class__ is not dict:
        raise SpanError(f"{what} are not an object")
    if any("." in k for k in attrs):
        return dict(attrs)
    out: dict[str, Any] = {}
    stack: list[tuple[str, dict[str, Any], int]] = [("", attrs, 0)]
    while stack:
        prefix, obj, depth = stack.pop()
        for k, v in obj.items():
            key = f"{prefix}{k}"
            if v.__class__ is dict and depth < MAX_DEPTH:
                stack.append((key + ".", v, depth + 1))
            else:
                out[key] = v
    return out


def _id(value: Any, digits: tuple[int, ...], what: str) -> str:
    if type(value) is str and value[:2].lower() == "0x":
        value = value[2:]
    elif type(value) is str and len(value) == 36 and value.count("-") == 4:  # Phoenix's first span JSON (2023): UUIDs
        value, digits = value.replace("-", ""), (32,)
    return hex_id(value, digits, what)


def _span(sp: Any, position: str) -> tuple[dict[str, Any], Span]:
    if not _span_like(sp):
        raise SpanError("not a span (name, context.trace_id, context.span_id)")
    if "context" not in sp or sp["context"].__class__ is not dict:
        sp = _adot(sp) if _adot_like(sp) else _columns(sp)
    context = sp["context"]
    trace_id = _id(context["trace_id"], (16, 32), "trace_id")
    span_id = _id(context["span_id"], (16,), "span_id")
    parent = _id(sp["parent_id"], (16,), "parent_id") if sp.get("parent_id") else ""
    attrs = flat(sp.get("attributes"), "attributes")
    kind = sp.get("span_kind")
    if type(kind) is str and "openinference.span.kind" not in attrs and kind.isupper():
        attrs["openinference.span.kind"] = kind  # (Phoenix's column: OpenInference's kind)
    status = sp.get("status") if sp.get("status").__class__ is dict else {}
    code = status_code(status.get("status_code") or sp.get("status_code"))
    message = status.get("description") or sp.get("status_message") or ""
    events = []
    if sp.get("events") is not None and sp["events"].__class__ is not list:
        raise SpanError("events are not a list")
    for ev in sp.get("events") or ():
        if ev.__class__ is dict:
            events.append(json_event(str(ev.get("name") or ""), flat(ev.get("attributes"), "event attributes")))
    resource = sp.get("resource") if sp.get("resource").__class__ is dict else {}
    end = sp.get("end_time")
    if end is None and "end_time" in sp:  # printed before it ended (the same span comes again, ended): a link only
        attrs = {**attrs, "gen_ai.operation.name": UNFINISHED}
    return (flat(resource.get("attributes"), "resource attributes"),
            Span(trace_id, span_id, parent, str(sp["name"])[:500], _time(sp.get("start_time"), "start_time"),
                 code, message, attrs, position, sp, events, sp.get("kind") in _ENTRY,
                 end=_time(end, "end_time") if end else 0))


def sdk_spans(doc: Any, source: str) -> Read:
    """(resource attributes, span or bad span) for every span of a document (``is_sdk_span``)."""
    where = source
    if doc.__class__ is dict and "next_cursor" in doc and doc.get("data").__class__ is list:
        doc, where = doc["data"], f"{source}#data"
    elif doc.__class__ is dict and (messages := log_events(doc)) is not None:  # each message one span (cloudwatch.py)
        return each_item(messages, f"{source}#events", True, lambda text, at: [_span(loads(text), at)])
    return each_item(doc if doc.__class__ is list else [doc], where, doc.__class__ is list, lambda sp, at: [_span(sp, at)])

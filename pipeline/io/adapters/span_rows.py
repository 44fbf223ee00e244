"""Spans as rows of a trace store -> ``Span`` records (otel.py).

The OpenTelemetry Collector's ClickHouse exporter keeps each span as a row of ``otel_traces``:
``Timestamp``, ``TraceId``, ``SpanId``, ``ParentSpanId``, ``SpanName``, ``SpanKind``, ``ServiceName``,
``ResourceAttributes`` and ``SpanAttributes`` (maps of text), ``Duration`` (nanoseconds), ``StatusCode``
(``Error``, ``Ok``, ``Unset``; or ``STATUS_CODE_ERROR``), ``StatusMessage`` and the events as parallel
arrays (``Events.Timestamp``, ``Events.Name``, ``Events.Attributes``); ``SELECT * ... FORMAT
JSONEachRow`` writes a row per line. Stores and datasets built on it write the same columns in
snake_case (``span_id``, ``span_attributes``, ``duration`` as ISO 8601 ``PT1.5S``), TRAIL (Patronus AI's
agent traces of GAIA and SWE-bench runs, OpenInference attributes) as ``{"trace_id", "spans": [...]}``
with each span's children nested in ``child_spans``. A row's times are ISO 8601 (``2025-03-01
10:00:00.123456789``, no offset: UTC). What breaks a row (its siblings and children go on): no text
id, a timestamp that is no ISO time after 1970.
"""

import re
from typing import Any

from .otlp import Span, SpanError
from .sdk_spans import flat, status_code
from .trace_exports import Read, bad, each_item, first_item, iso_nanos, json_event, still_a_link, text_id

_ENTRY = ("SERVER", "CONSUMER")
_ISO_SECONDS = re.compile(r"PT(?:(\d{1,12})H)?(?:(\d{1,12})M)?(?:(\d{1,15}(?:\.\d{1,12})?)S)?")
MAX_DEPTH = 64  # nested child_spans followed this deep
_LAST_NS = 253_402_300_799 * 10**9  # 9999-12-31T23:59:59Z: an end past it is no time (start + duration)


def _row_like(item: Any) -> bool:
    return item.__class__ is dict and ("SpanId" in item or "span_id" in item) and \
        ("SpanAttributes" in item or "span_attributes" in item)


def is_span_rows(doc: Any) -> bool:
    """Whether a document is such a row, a list of them, or a trace of them (``{"spans": [...]}``)."""
    return _row_like(first_item(doc, "spans"))


def _columns(row: dict[str, Any]) -> dict[str, Any]:
    """A row's columns by one name whichever case the store wrote them in (``SpanId``, ``span_id``: ``spanid``)."""
    return {k.replace("_", "").lower(): v for k, v in row.items() if type(k) is str}


def _duration_ns(value: Any) -> int:
    """Nanoseconds (the exporter's, as a number or text) or ISO 8601 (``PT1.5S``); 0 when neither."""
    if type(value) is int and value > 0:
        return value
    if type(value) is str:
        if value.isascii() and value.isdigit() and len(value) < 20:
            return int(value)
        m = _ISO_SECONDS.fullmatch(value)
        if m and value != "PT":
            h, mi, s = m.groups()
            return int((int(h or 0) * 3600 + int(mi or 0) * 60 + float(s or 0)) * 1e9)
    return 0


def _events(c: dict[str, Any]) -> list[dict[str, Any]]:
    """The events as OTLP/JSON writes them: a list of objects, or the exporter's parallel arrays."""
    names, attrs = c.get("events.name"), c.get("events.attributes")
    if names.__class__ is list:
        attrs = attrs if attrs.__class__ is list else []
        return [json_event(str(n), flat(attrs[i] if i < len(attrs) and attrs[i].__class__ is dict else None, "event attributes"))
                for i, n in enumerate(names)]
    events = c.get("events")
    if events is not None and events.__class__ is not list:
        raise SpanError("events are not a list")
    out = []
    for ev in events or ():
        if ev.__class__ is dict:
            e = _columns(ev)
            out.append(json_event(str(e.get("name") or ""), flat(e.get("attributes"), "event attributes")))
    return out


def _span(row: Any, position: str, parent_of: str) -> tuple[dict[str, Any], Span]:
    if not _row_like(row):
        raise SpanError("not a span row (span_id, span_attributes)")
    c = _columns(row)
    parent = c.get("parentspanid") or parent_of
    attrs = flat(c.get("spanattributes"), "span_attributes")
    resource = flat(c.get("resourceattributes"), "resource_attributes")
    service = c.get("servicename")
    if type(service) is str and service:
        resource.setdefault("service.name", service)
    kind = str(c.get("spankind") or "").upper()
    start = iso_nanos(c.get("timestamp"), "timestamp")
    duration = _duration_ns(c.get("duration"))
    return (resource, Span(text_id(c.get("traceid"), "trace_id"), text_id(c.get("spanid"), "span_id"),
                           text_id(parent, "parent_span_id") if parent else "", str(c.get("spanname") or "")[:500], start,
                           status_code(c.get("statuscode")), c.get("statusmessage") or "", attrs, position,
                           {k: v for k, v in row.items() if k != "child_spans"}, _events(c), kind.endswith(_ENTRY),
                           end=start + duration if duration and start + duration <= _LAST_NS else 0))


def _rows(row: Any, position: str, trace: Any, parent: str = "", depth: int = 0) -> Read:
    """A row, then its nested ``child_spans`` (a bad row costs only itself: its children are read under it)."""
    if row.__class__ is dict and trace is not None and not (row.get("TraceId") or row.get("trace_id")):
        row = {**row, "trace_id": trace}  # (TRAIL names the trace once, on the document)
    try:
        yield _span(row, position, parent)
    except Exception as err:  # noqa: BLE001 - a row of an unforeseen shape costs that row
        yield {}, bad(position, err, {k: v for k, v in row.items() if k != "child_spans"} if row.__class__ is dict else row)
        c = _columns(row) if row.__class__ is dict else {}
        link = still_a_link(c.get("traceid"), c.get("spanid"), c.get("parentspanid") or parent or None, {}, "span_rows",
                            position, row) if c else None
        if link is not None:
            yield {}, link
    children = row.get("child_spans") if row.__class__ is dict else None
    span_id = row.get("span_id") or row.get("SpanId") if row.__class__ is dict else None
    if children.__class__ is list and depth < MAX_DEPTH:
        for k, child in enumerate(children):
            yield from _rows(child, f"{position}.child_spans[{k}]", trace, span_id if type(span_id) is str else "", depth + 1)


def span_rows(doc: Any, source: str) -> Read:
    """(resource attributes, span or bad span) for every row of a document (``is_span_rows``)."""
    trace, where = None, source
    if doc.__class__ is dict and doc.get("spans").__class__ is list:
        trace, doc, where = doc.get("trace_id") or doc.get("TraceId"), doc["spans"], f"{source}#spans"
    return each_item(doc if doc.__class__ is list else [doc], where, doc.__class__ is list,
                     lambda row, at: _rows(row, at, trace))

"""Zipkin's v2 span JSON -> ``Span`` records, so a trace read from Zipkin (its UI's download, its API's
``/api/v2/trace/{id}`` or ``/api/v2/traces``), or written by an OpenTelemetry Zipkin exporter, maps as
the same spans sent over OTLP do (otel.py).

A document is a list of spans (one trace, or one exporter's POST), a list of such lists (the
``traces`` query), or one span (a line of a file). Per span: ``traceId`` (16 or 32 hex digits; a
64-bit id is padded to 128 bits), ``id``, ``parentId``, ``name``, ``timestamp`` and ``duration`` in
microseconds, ``kind`` (``SERVER`` or ``CONSUMER``: an entry point), ``localEndpoint.serviceName``
the resource's ``service.name``, ``tags`` the attributes (Zipkin holds every value as text, as the
OpenTelemetry exporter writes them: numbers and booleans stay text but token counts, arrays JSON text;
other resource attributes, which the exporter adds to the tags, are the span's),
``annotations`` the events (a value ``{"<event>": {attributes}}`` as the OpenTelemetry exporter
writes an event with attributes, else the value names it). The status: ``otel.status_code``
``ERROR``, or an ``error`` tag (Zipkin's own mark), its value the message. What breaks a span (its
siblings go on): an id that is not hex of the right length, a timestamp that is not a positive integer
(or past OTLP's range), a tag that is not text, annotations that are not a list.
"""

from typing import Any

from .base import BadRecord
from .jaeger import hex_id
from .libs import JSONDecodeError, dumps, loads
from .otlp import Span, SpanError
from .trace_exports import MAX_MICROS, Read, each_item, json_event


def is_zipkin(doc: Any) -> bool:
    """Whether a document is Zipkin v2 JSON: a span (``traceId`` and ``id`` at the top), or a list
    (of lists) of them."""
    if doc.__class__ is list:
        doc = doc[0] if doc else None
        if doc.__class__ is list:
            doc = doc[0] if doc else None
    return doc.__class__ is dict and "traceId" in doc and "id" in doc and "spanId" not in doc


def _event(annotation: Any) -> dict[str, Any] | None:
    """An annotation as an OTLP/JSON event (what ``Span.event_list`` reads)."""
    if annotation.__class__ is not dict or type(annotation.get("value")) is not str:
        return None
    value = annotation["value"]
    if value[:1] == "{":
        try:
            parsed = loads(value)
        except JSONDecodeError:
            parsed = None
        if parsed.__class__ is dict and len(parsed) == 1:
            ((name, attrs),) = parsed.items()
            if attrs.__class__ is dict:
                return json_event(name, attrs)
    return json_event(value, {})


def _span(sp: Any, position: str) -> tuple[dict[str, Any], Span]:
    if sp.__class__ is not dict:
        raise SpanError("span is not an object")
    trace_id = hex_id(sp.get("traceId"), (16, 32), "traceId")
    span_id = hex_id(sp.get("id"), (16,), "id")
    parent = hex_id(sp["parentId"], (16,), "parentId") if sp.get("parentId") else ""
    start = sp.get("timestamp")
    if type(start) is not int or start <= 0:
        raise SpanError(f"timestamp {start!r} is not a positive integer (microseconds)")
    if start >= MAX_MICROS:
        raise SpanError(f"timestamp {start} is out of range (nanoseconds past 2^64)")
    tags = sp.get("tags") or {}
    if tags.__class__ is not dict:
        raise SpanError("tags are not an object")
    attrs = dict(tags)
    for k, v in attrs.items():
        if type(v) is not str:
            raise SpanError(f"tag {k} is not text (Zipkin's tags are text)")
        if k.startswith("gen_ai.usage.") and v.isascii() and v.isdigit():  # token counts are counts (an id may be digits)
            attrs[k] = int(v)
    status, message = 0, attrs.get("otel.status_description") or ""
    code = str(attrs.get("otel.status_code", "")).upper()
    if code == "OK":
        status = 1
    error = attrs.get("error")
    if code == "ERROR" or (error is not None and str(error).lower() != "false"):
        status = 2
        if type(error) is str and error.lower() != "true" and error:
            message = error
    endpoint = sp.get("localEndpoint")
    service = endpoint.get("serviceName") if endpoint.__class__ is dict else None
    annotations = sp.get("annotations") or ()
    if annotations.__class__ is not list and annotations != ():
        raise SpanError("annotations are not a list")
    events = [e for e in map(_event, annotations) if e is not None]
    if type(sp.get("name") or "") is not str:
        raise SpanError("name is not text")
    duration = sp.get("duration")
    if type(duration) is int and start + duration >= MAX_MICROS:
        raise SpanError(f"duration {duration} is out of range (its end past 2^64 nanoseconds)")
    return ({"service.name": service} if service else {},
            Span(trace_id, span_id, parent, str(sp.get("name") or ""), start * 1000, status, message, attrs, position,
                 sp, events, str(sp.get("kind") or "").upper() in ("SERVER", "CONSUMER"),
                 end=(start + duration) * 1000 if type(duration) is int and duration > 0 else 0))


def zipkin_spans(doc: Any, source: str) -> Read:
    """(resource attributes, span or bad span) for every span of a Zipkin document (``is_zipkin``)."""
    if doc.__class__ is dict:
        traces, positions = [[doc]], [source]
    elif doc and doc[0].__class__ is list:
        traces, positions = doc, [f"{source}#{i}" for i in range(len(doc))]
    else:
        traces, positions = [doc], [source]
    for trace, where in zip(traces, positions):
        if trace.__class__ is not list:
            yield {}, BadRecord(where, "a trace in the list is not a list of spans", dumps(trace))
            continue
        yield from each_item(trace, where, doc.__class__ is list, lambda sp, at: [_span(sp, at)])

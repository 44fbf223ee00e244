"""Jaeger's trace JSON -> ``Span`` records, so a trace downloaded from Jaeger's UI (or read from its
query API, ``/api/traces``) maps as the same spans sent over OTLP do (otel.py).

A document ``{"data": [trace, ...]}``; a trace holds ``spans`` and the ``processes`` they ran in (a
process's ``serviceName`` and ``tags`` are the resource: ``service.name`` names the agent when no
span does). Per span: ``traceID`` (16 or 32 hex digits; a 64-bit id is padded to 128 bits),
``spanID``, the parent from its first ``CHILD_OF`` (else ``FOLLOWS_FROM``) reference, ``operationName``
the name, ``startTime`` in microseconds, ``tags`` the attributes (typed: ``int64`` and ``float64``
as numbers, ``bool``), the status from ``otel.status_code`` (``ERROR``) or ``error: true`` with
``otel.status_description``, a ``span.kind`` of ``server`` or ``consumer`` an entry point, and its
``logs`` the events (the ``event`` field names one). What breaks a span (its siblings go on): an id
that is not hex of the right length, a start time that is not a positive integer.
"""

from collections.abc import Iterator
from typing import Any

from .base import BadRecord
from .libs import dumps
from .otlp import Span, SpanError
from .trace_exports import MAX_MICROS, each_item, json_event

_STATUS = {"ERROR": 2, "OK": 1, "UNSET": 0}


def hex_id(value: Any, digits: tuple[int, ...], what: str) -> str:
    if type(value) is str and len(value) in digits:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = b""
        if len(raw) * 2 == len(value) and any(raw):
            return value.lower().rjust(max(digits), "0")
    raise SpanError(f"{what} {value!r} is not {' or '.join(map(str, digits))} hex digits")


def _value(tag: dict[str, Any]) -> Any:
    v, kind = tag.get("value"), tag.get("type")
    if kind == "int64" and type(v) is str and v.lstrip("-").isdigit():
        return int(v)
    if kind == "float64" and type(v) is str:
        try:
            return float(v)
        except ValueError:
            return v
    if kind == "bool" and type(v) is str:
        return v.lower() == "true"
    return v


def _tags(tags: Any) -> dict[str, Any]:
    if not tags:
        return {}
    if type(tags) is not list:
        raise SpanError("tags are not a list")
    return {t["key"]: _value(t) for t in tags if type(t) is dict and type(t.get("key")) is str}


def _span(sp: Any, resources: dict[str, dict[str, Any]], position: str) -> tuple[dict[str, Any], Span]:
    if type(sp) is not dict:
        raise SpanError("span is not an object")
    trace_id = hex_id(sp.get("traceID"), (16, 32), "traceID")
    span_id = hex_id(sp.get("spanID"), (16,), "spanID")
    refs = [r for r in sp.get("references") or () if type(r) is dict and r.get("spanID")]
    refs.sort(key=lambda r: r.get("refType") != "CHILD_OF")
    parent = hex_id(refs[0]["spanID"], (16,), "parent spanID") if refs else ""
    start = sp.get("startTime")
    if type(start) is not int or start <= 0:
        raise SpanError(f"startTime {start!r} is not a positive integer (microseconds)")
    attrs = _tags(sp.get("tags"))
    status = _STATUS.get(str(attrs.get("otel.status_code", "")).upper(), 0)
    if attrs.get("error") is True:
        status = 2
    events = []
    for log in sp.get("logs") or ():
        fields = _tags(log.get("fields")) if type(log) is dict else {}
        events.append(json_event(str(fields.pop("event", "")), fields))
    resource = resources.get(str(sp.get("processID")), {})
    duration = sp.get("duration")
    if start + (duration if type(duration) is int and duration > 0 else 0) >= MAX_MICROS:
        raise SpanError(f"startTime {start} + duration {duration} is out of range (past 2^64 nanoseconds)")
    return resource, Span(trace_id, span_id, parent, str(sp.get("operationName") or ""), start * 1000, status,
                          attrs.get("otel.status_description") or "", attrs, position, sp, events,
                          attrs.get("span.kind") in ("server", "consumer"),
                          end=(start + duration) * 1000 if type(duration) is int and duration > 0 else 0)


def jaeger_spans(doc: dict[str, Any], source: str) -> Iterator[tuple[dict[str, Any], Span | BadRecord]]:
    """(resource attributes, span or bad span) for every span of a Jaeger trace document."""
    for i, trace in enumerate(doc["data"]):
        if type(trace) is not dict or type(trace.get("spans")) is not list:
            yield {}, BadRecord(f"{source}#data[{i}]", "Jaeger trace without a list of spans", dumps(trace))
            continue
        resources = {}
        for pid, p in (trace.get("processes") or {}).items():
            if type(p) is dict:
                try:
                    resources[pid] = {**_tags(p.get("tags")), "service.name": p.get("serviceName")}
                except SpanError:
                    resources[pid] = {"service.name": p.get("serviceName")}
        yield from each_item(trace["spans"], f"{source}#data[{i}].spans", True,
                             lambda sp, at: [_span(sp, resources, at)])  # noqa: B023 - consumed before the next trace

"""OTLP traces on the wire -> ``Span`` records: OTLP/JSON (read with orjson) and OTLP protobuf
(read with the generated classes), one shape for both, so one mapping (otel.py) serves both.

OTLP/JSON as protobuf's own JSON mapping writes it (``json_format.MessageToJson``: ids in base64,
keys in snake_case with ``preserving_proto_field_name``) reads the same: a base64 id is told by its
length and padding (24 / 12 characters, never a hex id's 32 / 16), snake_case keys by the root's.

What makes a span bad (its siblings in the request carry on): a trace or span id that is neither
32 / 16 hex digits nor their bytes in base64, a start time that is missing or not a uint64, an ``intValue`` beyond int64,
a span kind or status code no version of OTLP defines. The protobuf pitfall (``json_format``
reads hex ids as base64) is avoided by not using ``json_format``.
"""

import binascii
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from intentwatch.pipeline.io.deadletter import failure

from .base import BadRecord, as_bytes
from .libs import dumps_any, export_request

KINDS = {"SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3,
         "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5}
STATUS_CODES = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}
INT64_MIN, INT64_MAX, UINT64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1
_BASE64 = {32: (24, 2), 16: (12, 1)}  # hex digits -> (length, padding) of the id's bytes in base64
_REMOTE_PARENT = 0x300  # SpanFlags: CONTEXT_HAS_IS_REMOTE | CONTEXT_IS_REMOTE


class SpanError(ValueError):
    """A span (or resource) that breaks OTLP; the message is the dead-letter reason."""


@dataclass(slots=True)
class Span:
    """One span, as either encoding carries it: ids in lower-case hex, the status code an integer."""

    trace_id: str
    span_id: str
    parent_id: str
    name: str
    start_ns: int
    status: int
    status_message: Any  # text, as OTLP says; OTLP/JSON may hold anything there
    attrs: dict[str, Any]
    position: str
    raw: Any  # the span's own dict or message, dumped only when it goes to dead letters
    events: Any = ()  # the span's events as the wire has them (None: still in the protobuf message)
    entry: bool = False  # its parent is in another process: kind SERVER or CONSUMER, or flags say so
    aliased: bool = False  # attrs already read as GenAI keys (otel_conventions.as_genai)
    end: int = 0  # its end, when its reader has it at hand (jaeger.py); else end_ns() reads it from the wire

    def wire_events(self) -> Any:
        """The events as the wire has them, read from the protobuf message the first time (reading
        its repeated field costs every span; few mappings need it)."""
        ev = self.events
        if ev is None:
            ev = self.events = getattr(self.raw, "events", None) or ()
        return ev

    def event_list(self) -> list[tuple[str, dict[str, Any]]]:
        """(name, attributes) of each event; an event that breaks OTLP is left out (events only add detail)."""
        out = []
        for ev in self.wire_events():
            try:
                if hasattr(ev, "SerializeToString"):
                    out.append((ev.name, proto_attributes(ev.attributes)))
                elif ev.__class__ is dict:
                    out.append((str(ev.get("name") or ""), json_attributes(ev.get("attributes"), "event.")))
            except SpanError:
                continue
        return out

    def end_ns(self) -> int:
        """Its end time, read from the wire only for a span that needs it; its start when none is later."""
        raw, end = self.raw, self.end
        if end:
            pass
        elif raw.__class__ is dict:
            v = raw.get("endTimeUnixNano")
            end = int(v) if type(v) is str and 0 < len(v) < 20 and v.isascii() and v.isdigit() else 0
        elif hasattr(raw, "end_time_unix_nano"):
            end = int(raw.end_time_unix_nano)
        return end if end > self.start_ns else self.start_ns

    def raw_bytes(self) -> bytes:
        return as_bytes(self.raw)


Spans = Iterator[tuple[dict[str, Any], Span | BadRecord]]

# ---- OTLP/JSON ---------------------------------------------------------------------------


def _hex_id(value: Any, digits: int, what: str, required: bool = True) -> str:
    if type(value) is str and len(value) == digits:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = b""
        if len(raw) * 2 == digits:  # (fromhex skips spaces: the length says none were there)
            if any(raw):
                return value.lower()
            if required:
                raise SpanError(f"{what} is all zeros (an invalid id)")
            return ""
    elif type(value) is str and (len(value), value[-2:].count("=")) == _BASE64[digits]:
        try:  # protobuf's JSON mapping writes bytes in base64
            raw = binascii.a2b_base64(value, strict_mode=True)
        except binascii.Error:
            raw = b""
        if len(raw) * 2 == digits:
            return _hex_id(raw.hex(), digits, what, required)
    if not value:
        if required:
            raise SpanError(f"{what} missing")
        return ""
    raise SpanError(f"{what} {value!r} is neither {digits} hex digits nor {digits // 2} bytes in base64")


def _enum(value: Any, names: dict[str, int], what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if value in names.values():
            return value
    elif isinstance(value, str):
        if value in names:
            return names[value]
        if value.isascii() and value.isdigit() and int(value) in names.values():
            return int(value)
    raise SpanError(f"unknown {what} {value!r} (known: {', '.join(names)})")


def _uint64(value: Any, what: str) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        n = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        n = value
    elif value is None or value == "":
        raise SpanError(f"{what} missing")
    else:
        raise SpanError(f"{what} {value!r} is not an unsigned integer")
    if not 0 < n <= UINT64_MAX:
        raise SpanError(f"{what} {value!r} is out of range (1 .. 2^64-1)")
    return n


def _int64(value: Any, key: str) -> int:
    try:
        n = int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        n = None
    if n is None or (isinstance(value, float) and n != value):
        raise SpanError(f"attribute {key}: intValue {value!r} is not an integer")
    if not INT64_MIN <= n <= INT64_MAX:
        raise SpanError(f"attribute {key}: intValue {value} overflows int64")
    return n


def json_value(v: Any, key: str) -> Any:
    """An OTLP/JSON ``AnyValue`` as a Python value (``{}`` is unset: None)."""
    if not v:
        return None
    if not isinstance(v, dict):
        raise SpanError(f"attribute {key}: value {v!r} is not an AnyValue object")
    if "stringValue" in v:
        return v["stringValue"]
    if "intValue" in v:
        return _int64(v["intValue"], key)
    if "boolValue" in v:
        return bool(v["boolValue"])
    if "doubleValue" in v:
        d = v["doubleValue"]
        try:
            return float(d)  # proto3 JSON writes NaN/Infinity as strings
        except (TypeError, ValueError):
            raise SpanError(f"attribute {key}: doubleValue {d!r} is no number"[:200]) from None
    if "arrayValue" in v:
        arr = v["arrayValue"] or {}
        values = arr.get("values", ()) if isinstance(arr, dict) else None
        if not isinstance(values, (list, tuple)):
            raise SpanError(f"attribute {key}: arrayValue holds no list of values")
        return [json_value(x, key) for x in values]
    if "kvlistValue" in v:
        kv = v["kvlistValue"] or {}
        if not isinstance(kv, dict):
            raise SpanError(f"attribute {key}: kvlistValue is not an object")
        return json_attributes(kv.get("values", ()), key + ".")
    if "bytesValue" in v:
        return v["bytesValue"]  # base64 text, kept as it is
    raise SpanError(f"attribute {key}: unknown AnyValue kind {sorted(v)}")


def json_attributes(kvs: Any, prefix: str = "") -> dict[str, Any]:
    if not kvs:
        return {}
    if not isinstance(kvs, list):
        raise SpanError(f"attributes of {prefix or 'span'!r} are not a list")
    out = {}
    for kv in kvs:
        key = kv.get("key") if isinstance(kv, dict) else None
        if not isinstance(key, str):
            raise SpanError(f"attribute without a key: {kv!r}"[:200])
        out[key] = json_value(kv.get("value"), prefix + key)
    return out


def _string_attributes(kvs: Any) -> dict[str, Any]:
    """Span attributes: read inline when every one is a ``stringValue`` under a text key (the
    common case), else through ``json_attributes`` (same values, and its reasons)."""
    if type(kvs) is not list:
        return json_attributes(kvs)
    out: dict[str, Any] = {}
    for kv in kvs:
        if type(kv) is not dict:
            return json_attributes(kvs)
        key, value = kv.get("key"), kv.get("value")
        if type(key) is not str or type(value) is not dict or "stringValue" not in value:
            return json_attributes(kvs)
        out[key] = value["stringValue"]
    return out


def _json_span(sp: Any, position: str) -> Span:
    if type(sp) is not dict:
        raise SpanError("span is not an object")
    status = sp.get("status")
    if status is not None and type(status) is not dict:
        raise SpanError("status is not an object")
    name = sp.get("name")
    if type(name) is not str:
        name = "" if name is None else str(name)
    trace_id = _hex_id(sp.get("traceId"), 32, "traceId")
    span_id = _hex_id(sp.get("spanId"), 16, "spanId")
    parent = sp.get("parentSpanId")
    parent_id = _hex_id(parent, 16, "parentSpanId", required=False) if parent else ""
    kind = sp.get("kind", 0)
    if type(kind) is not int or not 0 <= kind <= 5:
        kind = _enum(kind, KINDS, "span kind")
    start = sp.get("startTimeUnixNano")
    if type(start) is str and 0 < len(start) < 20 and start.isdigit() and start.isascii():
        start_ns = int(start) or _uint64(start, "startTimeUnixNano")  # inline: under 2^64 by its length
    else:
        start_ns = _uint64(start, "startTimeUnixNano")
    code = 0
    message: Any = ""  # as the span's status has it (compiled, a str here would reject any other value)
    if status:
        code = _enum(status.get("code", 0), STATUS_CODES, "status code")
        message = status.get("message") or ""
    flags = sp.get("flags")
    return Span(trace_id, span_id, parent_id, name, start_ns, code, message, _string_attributes(sp.get("attributes")),
                position, sp, sp.get("events") or (),
                kind == 2 or kind == 5 or (flags.__class__ is int and flags & _REMOTE_PARENT == _REMOTE_PARENT))


def camel_keys(value: Any) -> Any:
    """An OTLP document with protobuf's field names (``resource_spans``, ``string_value``) under
    OTLP/JSON's (``resourceSpans``, ``stringValue``). OTLP has no map fields (attributes are lists of
    key/value objects), so every object key is a field name; attribute keys are values, untouched."""
    if value.__class__ is dict:
        return {_camel(k): camel_keys(v) for k, v in value.items()}
    if value.__class__ is list:
        return [camel_keys(v) for v in value]
    return value


def _camel(key: str) -> str:
    head, *rest = key.split("_")  # (JSON keys are text)
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def json_spans(doc: Any, source: str) -> Spans:
    """(resource attributes, span or bad span) for every span of a TracesData / ExportTraceServiceRequest."""
    if not isinstance(doc, dict) or not isinstance(doc.get("resourceSpans"), list):
        raise SpanError("not an OTLP traces or logs document: no resourceSpans (or resourceLogs) list")
    for i, rs in enumerate(doc["resourceSpans"]):
        if not isinstance(rs, dict):
            yield {}, BadRecord(f"{source}#rs{i}", "resourceSpans item is not an object", dumps_any(rs))
            continue
        bad: str | None = None
        try:
            resource = json_attributes(_object(rs.get("resource"), "resource").get("attributes"), "resource.")
        except SpanError as e:
            resource, bad = {}, str(e)
        scopes = rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or ()  # (the latter: OTLP before 0.15)
        for j, ss in enumerate(scopes if isinstance(scopes, list) else [scopes]):
            spans = ss.get("spans") if isinstance(ss, dict) else None
            if not isinstance(spans, list):
                if spans is not None or not isinstance(ss, dict):
                    yield resource, BadRecord(f"{source}#rs{i}.ss{j}", "scopeSpans item is not an object with a "
                                                                      "list of spans", dumps_any(ss))
                continue
            prefix = f"{source}#rs{i}.ss{j}.span"
            for k, sp in enumerate(spans):
                position = prefix + str(k)
                if bad is not None:
                    yield resource, BadRecord(position, f"resource: {bad}", dumps_any(sp))
                    continue
                try:
                    yield resource, _json_span(sp, position)
                except SpanError as e:
                    yield resource, BadRecord(position, str(e), dumps_any(sp))
                except Exception as err:  # noqa: BLE001 - a span of an unforeseen shape costs that span
                    # (not `e`: mypyc gives a name one type per function, SpanError's above)
                    yield resource, BadRecord(position, failure(err), dumps_any(sp))


def _object(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpanError(f"{what} is not an object")
    return value


# ---- OTLP protobuf -----------------------------------------------------------------------

def proto_value(v: Any) -> Any:
    which = v.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [proto_value(x) for x in v.array_value.values]
    if which == "kvlist_value":
        return {kv.key: proto_value(kv.value) for kv in v.kvlist_value.values}
    if which == "bytes_value":
        import base64

        return base64.b64encode(v.bytes_value).decode("ascii")
    return getattr(v, which)


def proto_attributes(kvs: Any) -> dict[str, Any]:
    out = {}
    for kv in kvs:
        v = kv.value
        out[kv.key] = v.string_value or proto_value(v)  # (empty: another kind, unset, or an empty string)
    return out


def _bytes_id(value: bytes, size: int, what: str, required: bool = True) -> str:
    if not value or not any(value):
        if required:
            raise SpanError(f"{what} missing" if not value else f"{what} is all zeros (an invalid id)")
        return ""
    if len(value) != size:
        raise SpanError(f"{what} is {len(value)} bytes, not {size}")
    return value.hex()


def _proto_span(sp: Any, position: str) -> Span:
    kind = sp.kind
    if not 0 <= kind <= 5:
        raise SpanError(f"unknown span kind {kind} (known: 0..5)")
    status = sp.status
    code = status.code
    if not 0 <= code <= 2:
        raise SpanError(f"unknown status code {code} (known: 0..2)")
    start = sp.start_time_unix_nano
    if not start:
        raise SpanError("startTimeUnixNano missing")
    parent = sp.parent_span_id
    return Span(_bytes_id(sp.trace_id, 16, "traceId"), _bytes_id(sp.span_id, 8, "spanId"),
                _bytes_id(parent, 8, "parentSpanId", required=False) if parent else "", sp.name, start, code,
                status.message, proto_attributes(sp.attributes), position, sp, None,
                kind == 2 or kind == 5 or sp.flags & _REMOTE_PARENT == _REMOTE_PARENT)


def proto_spans(raw: bytes, source: str) -> Spans:
    req, error = export_request(raw)
    if error is not None:
        raise SpanError(f"not an OTLP protobuf ExportTraceServiceRequest/TracesData ({error})")
    for i, rs in enumerate(req.resource_spans):
        resource = proto_attributes(rs.resource.attributes)
        for j, ss in enumerate(rs.scope_spans):
            prefix = f"{source}#rs{i}.ss{j}.span"
            for k, sp in enumerate(ss.spans):
                position = prefix + str(k)
                try:
                    yield resource, _proto_span(sp, position)
                except SpanError as e:
                    yield resource, BadRecord(position, str(e), sp.SerializeToString())

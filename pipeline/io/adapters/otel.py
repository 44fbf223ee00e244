"""OpenTelemetry GenAI spans -> actions, from OTLP/JSON or OTLP protobuf.

A span becomes an action when its ``gen_ai.operation.name`` (or, without it, the first
word of its name) is ``execute_tool`` (a tool call), or ``invoke_agent``, ``chat``,
``text_completion`` or ``generate_content`` (model use, operation ``invoke``). Other spans
(HTTP, database, ``embeddings``, ``create_agent``...) are skipped and counted in
``skipped``, not dead-lettered: they are not actions.

Who acted: ``gen_ai.agent.id``, else ``gen_ai.agent.name``, on the span or on its nearest
ancestor in the same request (tool spans are children of an ``invoke_agent`` span that
carries the name), else the resource attribute ``agent_resource_attribute``
(``service.name`` by default). A span with none of them is a bad record.

Both encodings decode into one ``Span`` shape, so one mapping serves both. What makes a
span bad (its siblings in the request carry on): a trace or span id that is not 32 / 16
hex digits, a start time that is missing or not a uint64, an ``intValue`` beyond int64, a
span kind or status code no version of OTLP defines, no agent, or a field the action
contract rejects. The protobuf pitfall (``json_format`` reads hex ids as base64) is avoided
by not using ``json_format``: JSON is read with orjson, protobuf with the generated classes.

Span attributes named ``intentwatch.<field>`` (``intentwatch.event_id``,
``intentwatch.operation``, ``intentwatch.resource``, ``intentwatch.data_domain``,
``intentwatch.bytes``, ...) set that action field directly, over anything derived: an
instrumented application can state them, and a simulated fleet round-trips exactly.
"""

import struct
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from intentwatch.pipeline.io.deadletter import failure

from .base import BadRecord, JsonInput, Result, from_unix_nanos, make_action, read_bytes
from .verbs import ToolOperations

KINDS = {"SPAN_KIND_UNSPECIFIED": 0, "SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3,
         "SPAN_KIND_PRODUCER": 4, "SPAN_KIND_CONSUMER": 5}
STATUS_CODES = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}
STATUS_ERROR = 2
TOOL_OPERATIONS = frozenset({"execute_tool"})
MODEL_OPERATIONS = frozenset({"invoke_agent", "chat", "text_completion", "generate_content"})
ACTION_OPERATIONS = TOOL_OPERATIONS | MODEL_OPERATIONS
INT64_MIN, INT64_MAX, UINT64_MAX = -(1 << 63), (1 << 63) - 1, (1 << 64) - 1
# Span attributes that set an action field as they are.
FIELD_ATTRIBUTES = {f"intentwatch.{f}": f for f in (
    "event_id", "agent_id", "tool", "operation", "resource", "data_domain", "outcome", "credential_id",
    "source_ip", "task_id", "session_id", "bytes", "model")}
_FIELD_KEYS = frozenset(FIELD_ATTRIBUTES)
_MAX_ANCESTORS = 64


class SpanError(ValueError):
    """A span (or resource) that breaks OTLP; the message is the dead-letter reason."""


class OtelOptions(BaseModel):
    """How spans map onto actions; every field has a default that fits the GenAI conventions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent_resource_attribute: str | None = Field(
        "service.name", description="Resource attribute naming the agent when no span says (None: a bad record).")
    resource_arguments: tuple[str, ...] = Field(
        ("resource", "uri", "url", "path", "file", "file_path", "to", "recipient", "bucket", "repository", "repo",
         "table", "channel", "ticket_id", "id"),
        description="Tool argument keys, in order, whose first string value becomes the action's resource.")
    tools: ToolOperations = Field(default_factory=ToolOperations, description="Tool name -> operation.")
    keep_resource_attributes: bool = Field(True, description="Copy resource attributes into attributes['resource'].")


@dataclass(slots=True)
class Span:
    """One span, as either encoding carries it: ids in lower-case hex, enums as integers."""

    trace_id: str
    span_id: str
    parent_id: str
    name: str
    kind: int
    start_ns: int
    status: int
    status_message: str
    attrs: dict[str, Any]
    position: str
    raw: Any  # the span's own dict or message, dumped only when it goes to dead letters


# ---- OTLP/JSON ---------------------------------------------------------------------------

def _hex_id(value: Any, digits: int, what: str, required: bool = True) -> str:
    if value.__class__ is str and len(value) == digits:
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
    if not value:
        if required:
            raise SpanError(f"{what} missing")
        return ""
    raise SpanError(f"{what} {value!r} is not {digits} hex digits (OTLP/JSON ids are hex, not base64)")


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
        return float(v["doubleValue"])  # proto3 JSON writes NaN/Infinity as strings
    if "arrayValue" in v:
        return [json_value(x, key) for x in (v["arrayValue"] or {}).get("values", ())]
    if "kvlistValue" in v:
        return json_attributes((v["kvlistValue"] or {}).get("values", ()), key + ".")
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
        v = kv.get("value")
        if v.__class__ is dict and len(v) == 1 and "stringValue" in v:  # the common case, inline
            out[key] = v["stringValue"]
        else:
            out[key] = json_value(v, prefix + key)
    return out


def _json_span(sp: Any, position: str) -> Span:
    if not isinstance(sp, dict):
        raise SpanError("span is not an object")
    status = _object(sp.get("status"), "status")
    name = sp.get("name")
    if not isinstance(name, str):
        name = "" if name is None else str(name)
    return Span(
        trace_id=_hex_id(sp.get("traceId"), 32, "traceId"),
        span_id=_hex_id(sp.get("spanId"), 16, "spanId"),
        parent_id=_hex_id(sp.get("parentSpanId"), 16, "parentSpanId", required=False),
        name=name,
        kind=_enum(sp.get("kind", 0), KINDS, "span kind"),
        start_ns=_uint64(sp.get("startTimeUnixNano"), "startTimeUnixNano"),
        status=_enum(status.get("code", 0), STATUS_CODES, "status code"),
        status_message=status.get("message") or "",
        attrs=json_attributes(sp.get("attributes")),
        position=position, raw=sp)


def json_spans(doc: Any, source: str) -> Iterator[tuple[dict[str, Any], Span | BadRecord]]:
    """(resource attributes, span or bad span) for every span of a TracesData / ExportTraceServiceRequest."""
    if not isinstance(doc, dict) or not isinstance(doc.get("resourceSpans"), list):
        raise SpanError("not an OTLP traces document: no resourceSpans list")
    for i, rs in enumerate(doc["resourceSpans"]):
        if not isinstance(rs, dict):
            yield {}, BadRecord(f"{source}#rs{i}", "resourceSpans item is not an object", _dump(rs))
            continue
        bad: str | None = None
        try:
            resource = json_attributes(_object(rs.get("resource"), "resource").get("attributes"), "resource.")
        except SpanError as e:
            resource, bad = {}, str(e)
        scopes = rs.get("scopeSpans") or ()
        for j, ss in enumerate(scopes if isinstance(scopes, list) else [scopes]):
            spans = ss.get("spans") if isinstance(ss, dict) else None
            if not isinstance(spans, list):
                if spans is not None or not isinstance(ss, dict):
                    yield resource, BadRecord(f"{source}#rs{i}.ss{j}", "scopeSpans item is not an object with a "
                                                                      "list of spans", _dump(ss))
                continue
            for k, sp in enumerate(spans):
                position = f"{source}#rs{i}.ss{j}.span{k}"
                if bad is not None:
                    yield resource, BadRecord(position, f"resource: {bad}", _dump(sp))
                    continue
                try:
                    yield resource, _json_span(sp, position)
                except SpanError as e:
                    yield resource, BadRecord(position, str(e), _dump(sp))
                except Exception as e:  # noqa: BLE001 - a span of an unforeseen shape costs that span
                    yield resource, BadRecord(position, failure(e), _dump(sp))


def _object(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpanError(f"{what} is not an object")
    return value


def _dump(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:
        return repr(value).encode()


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
    return {kv.key: proto_value(kv.value) for kv in kvs}


def _bytes_id(value: bytes, size: int, what: str, required: bool = True) -> str:
    if not value or not any(value):
        if required:
            raise SpanError(f"{what} missing" if not value else f"{what} is all zeros (an invalid id)")
        return ""
    if len(value) != size:
        raise SpanError(f"{what} is {len(value)} bytes, not {size}")
    return value.hex()


def _proto_span(sp: Any, position: str) -> Span:
    if sp.kind not in KINDS.values():
        raise SpanError(f"unknown span kind {sp.kind} (known: 0..5)")
    if sp.status.code not in STATUS_CODES.values():
        raise SpanError(f"unknown status code {sp.status.code} (known: 0..2)")
    if not sp.start_time_unix_nano:
        raise SpanError("startTimeUnixNano missing")
    return Span(
        trace_id=_bytes_id(sp.trace_id, 16, "traceId"),
        span_id=_bytes_id(sp.span_id, 8, "spanId"),
        parent_id=_bytes_id(sp.parent_span_id, 8, "parentSpanId", required=False),
        name=sp.name, kind=sp.kind, start_ns=sp.start_time_unix_nano, status=sp.status.code,
        status_message=sp.status.message, attrs=proto_attributes(sp.attributes), position=position, raw=sp)


def proto_spans(raw: bytes, source: str) -> Iterator[tuple[dict[str, Any], Span | BadRecord]]:
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    try:
        req = ExportTraceServiceRequest.FromString(raw)
    except DecodeError as e:
        raise SpanError(f"not an OTLP protobuf ExportTraceServiceRequest/TracesData ({e})") from None
    for i, rs in enumerate(req.resource_spans):
        resource = proto_attributes(rs.resource.attributes)
        for j, ss in enumerate(rs.scope_spans):
            for k, sp in enumerate(ss.spans):
                position = f"{source}#rs{i}.ss{j}.span{k}"
                try:
                    yield resource, _proto_span(sp, position)
                except SpanError as e:
                    yield resource, BadRecord(position, str(e), sp.SerializeToString())


# ---- spans -> actions --------------------------------------------------------------------

def _parse_json_text(value: Any) -> Any:
    """``gen_ai.tool.call.arguments`` / ``.result`` may be an object or a JSON string."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


class OtelAdapter(JsonInput):
    """Spans of OTLP requests -> actions (``encoding`` ``json`` or ``proto``).

    One instance per run: ``skipped`` counts the spans that are not agent actions, by operation.
    """

    def __init__(self, encoding: Literal["json", "proto"] = "json", options: OtelOptions | None = None):
        self.encoding = encoding
        self.name = f"otel-{encoding}"
        self.options = options or OtelOptions()
        self.skipped: Counter[str] = Counter()
        self._ranks = {k: i for i, k in reversed(list(enumerate(self.options.resource_arguments)))}

    # One Kafka message, one line of a Collector file, or one whole file.
    def decode(self, raw: bytes, source: str) -> Iterator[Result]:
        if self.encoding == "json":
            return JsonInput.decode(self, raw, source)
        return self._request(lambda: proto_spans(raw, source), raw, source)

    def _document(self, doc: Any, raw: bytes, source: str) -> Iterator[Result]:
        return self._request(lambda: json_spans(doc, source), raw, source)

    def _request(self, spans_of: Callable[[], Iterator[tuple[dict[str, Any], Span | BadRecord]]], raw: bytes,
                 source: str) -> Iterator[Result]:
        """The actions of one request; a request that is not OTLP at all is one bad record."""
        try:
            spans = list(spans_of())
        except SpanError as e:
            yield BadRecord(source, str(e), raw)
            return
        yield from self._actions(spans)

    def read(self, path: str | Path) -> Iterator[Result]:
        """A file as the Collector's file exporter writes it.

        JSON: one ``TracesData`` per line, or one (pretty-printed) document. Protobuf: messages
        each after a 4-byte big-endian length, or one bare message. ``.gz`` is read too.
        """
        if self.encoding == "json":
            yield from self.read_json(path)
            return
        data, damage = read_bytes(path)
        for n, message in _length_prefixed(data):
            yield from self.decode(message, f"{path}#msg{n}" if n else str(path))
        if damage:
            yield BadRecord(str(path), damage)

    def _actions(self, spans: list[tuple[dict[str, Any], Span | BadRecord]]) -> Iterator[Result]:
        by_id = {s.span_id: s for _, s in spans if isinstance(s, Span)}
        for resource, span in spans:
            if isinstance(span, BadRecord):
                yield span
                continue
            try:
                result = self._action(span, resource, by_id)
            except Exception as e:  # noqa: BLE001 - a span of an unforeseen shape costs that span
                result = BadRecord(span.position, failure(e), _raw(span))
            if result is not None:
                yield result

    def _resource_of(self, args: dict[str, Any]) -> str | None:
        """The string argument whose key comes first in ``resource_arguments`` (few keys per call: scan those)."""
        rank, best, found = self._ranks, len(self._ranks), None
        for key, value in args.items():
            r = rank.get(key)
            if r is not None and r < best and isinstance(value, str):
                best, found = r, value
        return found

    def _inherited(self, span: Span, by_id: dict[str, Span], keys: tuple[str, ...]) -> Any:
        """The first of ``keys`` on the span, else on its nearest ancestor in the same request."""
        s: Span | None = span
        for _ in range(_MAX_ANCESTORS):
            if s is None:
                return None
            for k in keys:
                v = s.attrs.get(k)
                if v not in (None, ""):
                    return v
            s = by_id.get(s.parent_id) if s.parent_id else None
        return None

    def _action(self, span: Span, resource: dict[str, Any], by_id: dict[str, Span]) -> Result | None:
        a = span.attrs
        op = a.get("gen_ai.operation.name")
        if op is None and ("openinference.span.kind" in a or "traceloop.span.kind" in a):
            a = span.attrs = _aliased(a)
            op = a.get("gen_ai.operation.name")
        if op is None:
            op = span.name.split(" ", 1)[0]
            if op not in ACTION_OPERATIONS:
                if a.get("mcp.method.name") != "tools/call":
                    self.skipped["not gen_ai"] += 1
                    return None
                op = "execute_tool"
        if op not in ACTION_OPERATIONS:
            self.skipped[str(op)[:40]] += 1
            return None
        o = self.options
        agent = self._inherited(span, by_id, ("gen_ai.agent.id", "gen_ai.agent.name"))
        if agent is None and o.agent_resource_attribute:
            agent = resource.get(o.agent_resource_attribute)
        if agent in (None, ""):
            where = f", nor resource {o.agent_resource_attribute}" if o.agent_resource_attribute else ""
            return BadRecord(span.position, f"{op} span has no agent: no gen_ai.agent.id or gen_ai.agent.name on it "
                                            f"or its ancestors{where}", _raw(span))
        model = a.get("gen_ai.response.model") or a.get("gen_ai.request.model")
        provider = a.get("gen_ai.provider.name") or a.get("gen_ai.system")
        attributes: dict[str, Any] = {"trace_id": span.trace_id, "span_id": span.span_id, "span_name": span.name}
        if span.parent_id:
            attributes["parent_span_id"] = span.parent_id
        if provider:
            attributes["provider"] = provider
        resource_name = None
        if op == "execute_tool":
            named = span.name.split(" ", 1)
            tool = a.get("gen_ai.tool.name") or (named[1] if len(named) == 2 else None)
            if not tool or not isinstance(tool, str):
                return BadRecord(span.position, "execute_tool span has no gen_ai.tool.name (text)", _raw(span))
            operation = o.tools(tool)
            for key, name in (("gen_ai.tool.call.id", "tool_call_id"), ("gen_ai.tool.type", "tool_type")):
                if a.get(key) is not None:
                    attributes[name] = a[key]
            args = _parse_json_text(a.get("gen_ai.tool.call.arguments"))
            if args is not None:
                attributes["arguments"] = args
                if isinstance(args, dict):
                    resource_name = self._resource_of(args)
            result = _parse_json_text(a.get("gen_ai.tool.call.result"))
            if result is not None:
                attributes["result"] = result
        else:
            tool, operation = f"gen_ai.{op}", "invoke"
            usage = {k[13:]: v for k, v in a.items() if k.startswith("gen_ai.usage.")}
            if usage:
                attributes["usage"] = usage
        if a.get("error.type") is not None:
            attributes["error_type"] = a["error.type"]
        if span.status_message:
            attributes["status_message"] = span.status_message
        if o.keep_resource_attributes and resource:
            attributes["resource"] = resource
        fields: dict[str, Any] = {
            "event_id": span.span_id, "agent_id": str(agent), "time": from_unix_nanos(span.start_ns),
            "tool": tool, "operation": operation, "resource": resource_name,
            "outcome": "error" if span.status == STATUS_ERROR else "success",
            "session_id": self._inherited(span, by_id, ("gen_ai.conversation.id", "mcp.session.id")),
            "task_id": span.trace_id, "source_ip": a.get("client.address"),
            "attributes": attributes,
        }
        if model:
            fields["model"] = {"id": model}
        for key in _FIELD_KEYS & a.keys():
            fields[FIELD_ATTRIBUTES[key]] = a[key]
        return make_action(fields, span.position, span.raw)


# Other conventions emitters use (INTEGRATIONS.md section 1): OpenInference (Arize) and Traceloop
# OpenLLMetry. Their keys, read as the GenAI ones they stand for; a GenAI key present wins.
_OPENINFERENCE = {"TOOL": "execute_tool", "LLM": "chat", "AGENT": "invoke_agent"}
_OPENINFERENCE_KEYS = {"tool.name": "gen_ai.tool.name", "tool.id": "gen_ai.tool.call.id",
                       "input.value": "gen_ai.tool.call.arguments", "output.value": "gen_ai.tool.call.result",
                       "llm.model_name": "gen_ai.request.model", "llm.provider": "gen_ai.provider.name",
                       "agent.name": "gen_ai.agent.name", "session.id": "gen_ai.conversation.id"}
_TRACELOOP = {"tool": "execute_tool", "agent": "invoke_agent"}


def _aliased(a: dict[str, Any]) -> dict[str, Any]:
    """OpenInference / Traceloop span attributes with their GenAI equivalents added.

    >>> _aliased({"openinference.span.kind": "TOOL", "tool.name": "get_weather", "input.value": "{}"})["gen_ai.tool.name"]
    'get_weather'
    """
    out = dict(a)
    kind = a.get("openinference.span.kind")
    if kind in _OPENINFERENCE:
        out.setdefault("gen_ai.operation.name", _OPENINFERENCE[kind])
        for key, gen_ai in _OPENINFERENCE_KEYS.items():
            if key in a and not (kind != "TOOL" and gen_ai.startswith("gen_ai.tool.")):
                out.setdefault(gen_ai, a[key])
    kind = a.get("traceloop.span.kind")
    if kind in _TRACELOOP:
        out.setdefault("gen_ai.operation.name", _TRACELOOP[kind])
        name = a.get("traceloop.entity.name")
        if name is not None:
            out.setdefault("gen_ai.tool.name" if kind == "tool" else "gen_ai.agent.name", name)
        if kind == "tool":
            for key, gen_ai in (("traceloop.entity.input", "gen_ai.tool.call.arguments"),
                                ("traceloop.entity.output", "gen_ai.tool.call.result")):
                if key in a:
                    out.setdefault(gen_ai, a[key])
    return out


def _raw(span: Span) -> bytes:
    raw = span.raw
    return raw.SerializeToString() if hasattr(raw, "SerializeToString") else orjson.dumps(raw)


def _length_prefixed(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Messages of a file of 4-byte big-endian length prefixes; a file that is not one is one message."""
    cuts, pos = [], 0
    while pos + 4 <= len(data):
        (size,) = struct.unpack_from(">I", data, pos)
        if pos + 4 + size > len(data):
            break
        cuts.append((pos + 4, pos + 4 + size))
        pos += 4 + size
    if pos != len(data) or not cuts:
        yield 0, data
        return
    for n, (a, b) in enumerate(cuts, 1):
        yield n, data[a:b]

"""The simulated fleet as OpenTelemetry GenAI spans: what an instrumented agent framework would export.

Each native action becomes one ``execute_tool`` span, in OTLP requests of ``batch`` spans (as
the Collector batches them): the GenAI attributes carry what they can (``gen_ai.agent.name``,
``gen_ai.tool.name``, ``gen_ai.conversation.id``, ``gen_ai.request.model``,
``gen_ai.tool.call.arguments`` / ``.result``, span status ``ERROR`` for an error); the
fields the conventions have no attribute for travel as ``intentwatch.<field>`` span attributes
(event id, resource, data domain, credential, source address, bytes, task, a non-error
failure, the model's version), and ``intentwatch.operation`` only where the tool's verb would
give another operation than the native one. Replaying the spans through the OTel adapter then
gives the native fleet's alerts, ids included (``tests/unit/test_adapter_parity.py``).

Ids are derived, so the same actions give the same bytes: the trace id from the session (or
task, or agent), the span id from the event id.
"""

import hashlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from intentwatch.pipeline.io.adapters.verbs import ToolOperations

SCOPE = {"name": "intentwatch.simulate", "version": "1"}


def _s(key: str, value: str) -> dict:
    return {"key": key, "value": {"stringValue": value}}


def _any(value: Any) -> dict:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, dict):
        return {"kvlistValue": {"values": [{"key": k, "value": _any(v)} for k, v in value.items()]}}
    if isinstance(value, list):
        return {"arrayValue": {"values": [_any(v) for v in value]}}
    return {"stringValue": str(value)}


def _hex(text: str, digits: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:digits]


def _nanos(time: str) -> int:
    t = datetime.fromisoformat(time)
    return int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000


def span_of(action: dict[str, Any], tools: ToolOperations) -> dict[str, Any]:
    """One native action (as JSON) as an OTLP/JSON ``execute_tool`` span."""
    a = action
    tool = a["tool"]
    attrs = [_s("gen_ai.operation.name", "execute_tool"), _s("gen_ai.agent.name", a["agent_id"]),
             _s("gen_ai.tool.name", tool), _s("intentwatch.event_id", a["event_id"])]
    if tools(tool) != a["operation"]:
        attrs.append(_s("intentwatch.operation", a["operation"]))
    if a.get("session_id"):
        attrs.append(_s("gen_ai.conversation.id", a["session_id"]))
    model = a.get("model")
    if model:
        attrs.append(_s("gen_ai.request.model", model["id"]))
        if model.get("version"):
            attrs.append({"key": "intentwatch.model", "value": _any(model)})
    extra = a.get("attributes") or {}
    for key, name in (("arguments", "gen_ai.tool.call.arguments"), ("result", "gen_ai.tool.call.result")):
        if key in extra:
            value = extra[key]
            attrs.append(_s(name, value if isinstance(value, str) else orjson.dumps(value).decode()))
    for field in ("resource", "data_domain", "credential_id", "source_ip", "task_id"):
        if a.get(field) is not None:
            attrs.append(_s(f"intentwatch.{field}", a[field]))
    if a.get("bytes"):
        attrs.append({"key": "intentwatch.bytes", "value": {"intValue": str(a["bytes"])}})
    outcome = a.get("outcome", "success")
    if outcome not in ("success", "error"):
        attrs.append(_s("intentwatch.outcome", outcome))
    start = _nanos(a["time"])
    return {"traceId": _hex(a.get("session_id") or a.get("task_id") or a["agent_id"], 32),
            "spanId": _hex(a["event_id"], 16), "name": f"execute_tool {tool}", "kind": 1,
            "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 1_000_000),
            "attributes": attrs, "status": {"code": 2} if outcome == "error" else {}}


def otlp_requests(actions: Iterable[dict[str, Any]], batch: int = 100, service: str = "intentwatch-simulated-fleet",
                  tools: ToolOperations | None = None) -> Iterator[dict[str, Any]]:
    """OTLP/JSON ``TracesData`` documents of ``batch`` spans each, in the actions' order."""
    tools = tools or ToolOperations()
    spans: list[dict] = []

    def request() -> dict:
        return {"resourceSpans": [{"resource": {"attributes": [_s("service.name", service)]},
                                   "scopeSpans": [{"scope": SCOPE, "spans": spans}]}]}

    for action in actions:
        spans.append(span_of(action, tools))
        if len(spans) == batch:
            yield request()
            spans = []
    if spans:
        yield request()


def to_proto(doc: dict[str, Any]) -> Any:
    """An OTLP/JSON traces document as a protobuf ``ExportTraceServiceRequest`` (ids as raw bytes)."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

    kinds = {"SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3}
    codes = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}

    def value(v: dict) -> AnyValue:
        out = AnyValue()
        if "stringValue" in v:
            out.string_value = v["stringValue"]
        elif "intValue" in v:
            out.int_value = int(v["intValue"])
        elif "boolValue" in v:
            out.bool_value = v["boolValue"]
        elif "doubleValue" in v:
            out.double_value = v["doubleValue"]
        elif "arrayValue" in v:
            out.array_value.values.extend(value(x) for x in v["arrayValue"].get("values", ()))
        elif "kvlistValue" in v:
            out.kvlist_value.values.extend(KeyValue(key=kv["key"], value=value(kv["value"]))
                                           for kv in v["kvlistValue"].get("values", ()))
        return out

    def kvs(items: list[dict]) -> list:
        return [KeyValue(key=kv["key"], value=value(kv["value"])) for kv in items]

    req = ExportTraceServiceRequest()
    for rs in doc["resourceSpans"]:
        prs = req.resource_spans.add()
        prs.resource.attributes.extend(kvs((rs.get("resource") or {}).get("attributes", [])))
        for ss in rs.get("scopeSpans", ()):
            pss = prs.scope_spans.add()
            pss.scope.name = (ss.get("scope") or {}).get("name", "")
            pss.scope.version = (ss.get("scope") or {}).get("version", "")
            for sp in ss.get("spans", ()):
                p = pss.spans.add()
                p.trace_id, p.span_id = bytes.fromhex(sp["traceId"]), bytes.fromhex(sp["spanId"])
                if sp.get("parentSpanId"):
                    p.parent_span_id = bytes.fromhex(sp["parentSpanId"])
                p.name = sp.get("name", "")
                kind = sp.get("kind", 0)
                p.kind = kind if isinstance(kind, int) else kinds[kind]
                p.start_time_unix_nano = int(sp["startTimeUnixNano"])
                if sp.get("endTimeUnixNano"):
                    p.end_time_unix_nano = int(sp["endTimeUnixNano"])
                status = sp.get("status") or {}
                code = status.get("code", 0)
                p.status.code = code if isinstance(code, int) else codes[code]
                p.status.message = status.get("message", "")
                p.attributes.extend(kvs(sp.get("attributes", [])))
                for ev in sp.get("events", ()):
                    pe = p.events.add(name=ev.get("name", ""), time_unix_nano=int(ev.get("timeUnixNano", 0)))
                    pe.attributes.extend(kvs(ev.get("attributes", [])))
    return req


def write_spans(actions: Path, out: Path, encoding: str = "json", batch: int = 100) -> int:
    """Rewrite a native actions file as OTLP: JSON lines (``json``, the Collector file exporter's
    default) or length-prefixed protobuf messages (``proto``, its ``format: proto``). Returns the
    number of requests written."""
    import struct

    def actions_of() -> Iterator[dict]:
        with open(actions, "rb") as fh:
            for line in fh:
                if line.strip():
                    yield orjson.loads(line)

    n = 0
    with open(out, "wb") as fh:
        for doc in otlp_requests(actions_of(), batch):
            if encoding == "json":
                fh.write(orjson.dumps(doc) + b"\n")
            else:
                raw = to_proto(doc).SerializeToString()
                fh.write(struct.pack(">I", len(raw)) + raw)
            n += 1
    return n

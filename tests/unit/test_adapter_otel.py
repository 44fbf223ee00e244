"""OTel GenAI spans -> actions: one test per mapping rule and per bad span, in both encodings."""

import copy
import gzip
import json
import random
import struct
from datetime import datetime, timezone
from hashlib import blake2b
from pathlib import Path

import orjson
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as PbSpan

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter, sniff_format
from intentwatch.pipeline.io.adapters.otel import OtelAdapter, OtelOptions
from intentwatch.pipeline.io.adapters.sdk_spans import UNFINISHED
from intentwatch.pipeline.io.adapters.verbs import ToolOperations
from intentwatch.pipeline.lab.simulate.spans import to_proto  # OTLP/JSON -> protobuf, ids as raw bytes
from tests.factories import JUNK, assert_read_cleanly, mangler

DATA = Path(__file__).parents[1] / "data" / "adapters"
TRACE = DATA / "otel_genai_trace.json"
BAD = DATA / "otel_bad.jsonl"
def actions_of(results) -> list[Action]:
    return [r for r in results if isinstance(r, Action)]


@pytest.fixture(params=["json", "proto"])
def trace_results(request, tmp_path):
    if request.param == "json":
        return list(OtelAdapter("json").read(TRACE))
    raw = to_proto(orjson.loads(TRACE.read_bytes())).SerializeToString()
    return list(OtelAdapter("proto").decode(raw, "otlp_spans[0]@5"))


def by_tool(results) -> dict[str, Action]:
    return {a.tool: a for a in actions_of(results)}


def test_both_encodings_give_the_same_actions():
    doc = orjson.loads(TRACE.read_bytes())
    from_json = actions_of(OtelAdapter("json").read(TRACE))
    from_proto = actions_of(OtelAdapter("proto").decode(to_proto(doc).SerializeToString(), str(TRACE)))
    assert [a.model_dump() for a in from_json] == [a.model_dump() for a in from_proto]
    assert len(from_json) == 4  # invoke_agent, chat, two tools; the HTTP span is not an action


def test_execute_tool_span_maps_tool_call_id_type_arguments_result(trace_results):
    a = by_tool(trace_results)["get_ticket"]
    assert (a.event_id, a.agent_id, a.operation, a.resource) == ("1f3a5c7e9b2d4f60", "support-agent", "read", "ZD-48213")
    assert a.time.isoformat() == "2025-12-02T10:00:01.400000+00:00"
    assert a.attributes["tool_call_id"] == "call_mszuSIzqtI65i1wAUOE8w5H4"
    assert a.attributes["tool_type"] == "function"
    assert a.attributes["arguments"] == {"ticket_id": "ZD-48213"}          # a JSON string on the span
    assert a.attributes["result"] == {"status": "open", "requester": "ana@example.com"}
    assert a.task_id == a.attributes["trace_id"] == "5b8efff798038103d269b633813fc60c"


def test_kvlist_arguments_and_error_status(trace_results):
    a = by_tool(trace_results)["send_email"]
    assert a.attributes["arguments"] == {"to": "ana@example.com", "subject": "Re: ZD-48213", "cc": ["lead@example.com"],
                                         "urgent": False, "score": 0.75}
    assert (a.operation, a.resource, a.outcome) == ("send", "ana@example.com", "error")
    assert a.attributes["error_type"] == "SMTPRecipientsRefused"
    assert a.attributes["status_message"] == "recipient refused"


def test_chat_span_is_model_use_with_response_model_and_usage(trace_results):
    a = by_tool(trace_results)["gen_ai.chat"]
    assert (a.operation, a.model.id, a.attributes["provider"]) == ("invoke", "gpt-4.1-2025-04-14", "openai")
    assert a.attributes["usage"] == {"input_tokens": 812, "output_tokens": 64}


def test_invoke_agent_span_and_upper_case_hex_ids(trace_results):
    a = by_tool(trace_results)["gen_ai.invoke_agent"]
    assert (a.event_id, a.operation, a.model.id) == ("eee19b7ec3c1b174", "invoke", "gpt-4.1")


def test_conversation_id_is_the_session_and_inherited_by_children(trace_results):
    assert {a.session_id for a in actions_of(trace_results)} == {"conv_5j66UpCpwteGg4YSxUnt7lPY"}


def test_agent_name_is_inherited_from_the_invoke_agent_ancestor(trace_results):
    assert {a.agent_id for a in actions_of(trace_results)} == {"support-agent"}


def test_agent_id_wins_over_name_and_resource_attribute_is_the_fallback():
    doc = orjson.loads(TRACE.read_bytes())
    spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
    spans[0]["attributes"].append({"key": "gen_ai.agent.id", "value": {"stringValue": "asst_5j66UpCp"}})
    assert {a.agent_id for a in actions_of(OtelAdapter().decode(orjson.dumps(doc), "m"))} == {"asst_5j66UpCp"}
    for sp in spans:
        sp["attributes"] = [kv for kv in sp["attributes"] if not kv["key"].startswith("gen_ai.agent.")]
    assert {a.agent_id for a in actions_of(OtelAdapter().decode(orjson.dumps(doc), "m"))} == {"support-bot"}
    other = OtelAdapter(options=OtelOptions(agent_resource_attribute="deployment.environment.name"))
    assert {a.agent_id for a in actions_of(other.decode(orjson.dumps(doc), "m"))} == {"prod"}


def test_resource_attributes_reach_the_action(trace_results):
    a = by_tool(trace_results)["get_ticket"]
    assert a.attributes["resource"]["service.name"] == "support-bot"
    assert a.attributes["resource"]["service.version"] == "1.4.2"


def test_tool_operation_overrides_from_config():
    ops = OtelOptions(tools=ToolOperations(tools={"get_ticket": "list"}, verbs={"send": "write"}))
    got = by_tool(OtelAdapter(options=ops).read(TRACE))
    assert (got["get_ticket"].operation, got["send_email"].operation) == ("list", "write")


def test_non_agent_spans_are_skipped_and_counted():
    adapter = OtelAdapter()
    list(adapter.read(TRACE))
    assert adapter.skipped == {"not gen_ai": 1}


def test_intentwatch_attributes_set_fields_exactly():
    doc = orjson.loads(TRACE.read_bytes())
    sp = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][2]
    sp["attributes"] += [{"key": "intentwatch.event_id", "value": {"stringValue": "evt_0123"}},
                         {"key": "intentwatch.data_domain", "value": {"stringValue": "customer_pii"}},
                         {"key": "intentwatch.bytes", "value": {"intValue": "2048"}}]
    a = by_tool(OtelAdapter().decode(orjson.dumps(doc), "m"))["get_ticket"]
    assert (a.event_id, a.data_domain, a.bytes) == ("evt_0123", "customer_pii", 2048)


def test_mcp_tools_call_span_without_operation_name():
    results = list(OtelAdapter().read(BAD))
    a = by_tool(results)["read_file"]
    assert (a.agent_id, a.operation, a.resource, a.session_id, a.source_ip) == (
        "coding-agent", "read", "/repo/src/app.py", "mcp-sess-42", "10.0.3.17")


BAD_REASONS = {
    "span1": "execute_tool span has no agent: no gen_ai.agent.id or gen_ai.agent.name on it or its ancestors, "
             "nor resource service.name",
    "span2": "attribute payment.amount_cents: intValue 9223372036854775808 overflows int64",
    "span3": "unknown span kind 'SPAN_KIND_SIDEWAYS'",
    "span4": "spanId missing",
    "span5": "spanId '00f067aa0ba902b' is neither 16 hex digits nor 8 bytes in base64",
    "span6": "unknown status code 'STATUS_CODE_MAYBE'",
    "span7": "startTimeUnixNano '18446744073709551616' is out of range",
}


@pytest.mark.parametrize("span", sorted(BAD_REASONS))
def test_each_bad_span_is_dead_lettered_with_its_position_and_reason(span):
    bad = {r.source: r for r in OtelAdapter().read(BAD) if isinstance(r, BadRecord)}
    record = bad[f"{BAD}:1#rs0.ss0.{span}"]
    assert record.reason.startswith(BAD_REASONS[span])
    assert orjson.loads(record.raw)["name"].startswith("execute_tool")  # the span itself, not the whole request


def test_bad_spans_never_lose_their_siblings():
    results = list(OtelAdapter().read(BAD))
    assert [a.event_id for a in actions_of(results)] == ["00f067aa0ba902b7", "00f067aa0ba902bd", "1a2b3c4d5e6f7081"]
    bad = [r for r in results if isinstance(r, BadRecord)]
    assert len(bad) == 8  # 7 bad spans + the line that is not JSON
    assert bad[-1].source == f"{BAD}:2" and bad[-1].reason.startswith("invalid JSON")


def test_proto_bad_spans():
    req = ExportTraceServiceRequest()
    ss = req.resource_spans.add().scope_spans.add()
    good = ss.spans.add(trace_id=b"\x01" * 16, span_id=b"\x02" * 8, name="execute_tool get_x", start_time_unix_nano=1)
    good.attributes.add(key="gen_ai.agent.name", value=AnyValue(string_value="a1"))
    for extra in ({"kind": 9}, {"span_id": b""}, {"trace_id": b"\x01" * 15}, {"start_time_unix_nano": 0}):
        sp = ss.spans.add()
        sp.CopyFrom(good)
        for k, v in extra.items():
            setattr(sp, k, v)
    ss.spans[-1].status.code = 0
    sp = ss.spans.add()
    sp.CopyFrom(good)
    sp.status.code = 7
    results = list(OtelAdapter("proto").decode(req.SerializeToString(), "otlp_spans[2]@40"))
    assert isinstance(results[0], Action) and results[0].event_id == "02" * 8
    assert [(r.source, r.reason) for r in results[1:]] == [
        ("otlp_spans[2]@40#rs0.ss0.span1", "unknown span kind 9 (known: 0..5)"),
        ("otlp_spans[2]@40#rs0.ss0.span2", "spanId missing"),
        ("otlp_spans[2]@40#rs0.ss0.span3", "traceId is 15 bytes, not 16"),
        ("otlp_spans[2]@40#rs0.ss0.span4", "startTimeUnixNano missing"),
        ("otlp_spans[2]@40#rs0.ss0.span5", "unknown status code 7 (known: 0..2)"),
    ]
    assert PbSpan.FromString(results[1].raw).kind == 9


def test_undecodable_protobuf_is_one_bad_record():
    (r,) = OtelAdapter("proto").decode(b"\xff\xff\xff", "otlp_spans[0]@1")
    assert r.source == "otlp_spans[0]@1" and r.reason.startswith("not an OTLP protobuf")


def test_proto_file_with_length_prefixes_and_gzip(tmp_path):
    raw = to_proto(orjson.loads(TRACE.read_bytes())).SerializeToString()
    path = tmp_path / "traces.pb.gz"
    path.write_bytes(gzip.compress(b"".join(struct.pack(">I", len(raw)) + raw for _ in range(2))))
    results = list(OtelAdapter("proto").read(path))
    assert len(actions_of(results)) == 8 and results[0].attributes["span_id"] == "eee19b7ec3c1b174"


def test_json_lines_file_as_the_file_exporter_writes_it(tmp_path):
    doc = orjson.loads(TRACE.read_bytes())
    second = copy.deepcopy(doc)
    second["resourceSpans"][0]["scopeSpans"][0]["spans"] = second["resourceSpans"][0]["scopeSpans"][0]["spans"][2:3]
    path = tmp_path / "traces.jsonl"
    path.write_bytes(orjson.dumps(doc) + b"\n" + orjson.dumps(second) + b"\n")
    results = list(open_adapter("otel-json").read(path))
    assert [r.event_id for r in results][-1] == "1f3a5c7e9b2d4f60" and len(results) == 5


def test_not_a_traces_document():
    (r,) = OtelAdapter().decode(b'{"spans": []}', "otlp_spans[0]@3")  # (logs are read: otel_events.py)
    assert r.reason == "not an OTLP traces or logs document: no resourceSpans (or resourceLogs) list"


def test_metrics_among_the_lines_are_counted_not_dead_lettered():
    """One Collector file exporter for every pipeline writes metrics lines among the spans and logs."""
    adapter = OtelAdapter()
    assert list(adapter.decode(b'{"resourceMetrics": [{"scopeMetrics": []}]}', "f:2")) == []
    assert adapter.skipped["metrics (no actions)"] == 1


def _one_span(attrs: list, name: str = "span") -> bytes:
    return orjson.dumps({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "svc"}}]}, "scopeSpans": [{"spans": [
            {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331", "name": name, "kind": 1,
             "startTimeUnixNano": "1764670000000000000",
             "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attrs]}]}]}]})


def test_openinference_tool_span():
    raw = _one_span([("openinference.span.kind", "TOOL"), ("tool.name", "search_orders"),
                     ("input.value", '{"customer": "C-77"}'), ("output.value", "[]"), ("agent.name", "orders-agent"),
                     ("session.id", "s-1")])
    (a,) = OtelAdapter().decode(raw, "m")
    assert (a.agent_id, a.tool, a.operation, a.session_id) == ("orders-agent", "search_orders", "read", "s-1")
    assert a.attributes["arguments"] == {"customer": "C-77"} and a.attributes["result"] == []


def test_openinference_llm_span_is_model_use():
    (a,) = OtelAdapter().decode(_one_span([("openinference.span.kind", "LLM"), ("llm.model_name", "gpt-4o"),
                                           ("llm.provider", "openai")]), "m")
    assert (a.agent_id, a.tool, a.operation, a.model.id, a.attributes["provider"]) == (
        "svc", "gen_ai.chat", "invoke", "gpt-4o", "openai")


def test_traceloop_tool_span():
    (a,) = OtelAdapter().decode(_one_span([("traceloop.span.kind", "tool"), ("traceloop.entity.name", "send_invoice"),
                                           ("traceloop.entity.input", '{"to": "ap@example.com"}')]), "m")
    assert (a.tool, a.operation, a.resource) == ("send_invoice", "send", "ap@example.com")


def test_openinference_chain_span_is_skipped():
    adapter = OtelAdapter()
    assert list(adapter.decode(_one_span([("openinference.span.kind", "CHAIN")]), "m")) == []
    assert adapter.skipped == {"not gen_ai": 1}


def _batch(k: int, spans: int = 30) -> bytes:
    """One Collector file-exporter line: ``spans`` execute_tool spans with their results (~150 KiB, as
    batches with content are), span ids random as the SDKs make them."""
    return orjson.dumps({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "batch-agent"}}]}, "scopeSpans": [{"spans": [
            {"traceId": f"{k + 1:032x}", "spanId": blake2b(f"{k}:{i}".encode(), digest_size=8).hexdigest(), "name": "execute_tool search_docs",
             "startTimeUnixNano": str(1_764_669_600_000_000_000 + (k * 1000 + i) * 10**9),
             "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "execute_tool"}},
                            {"key": "gen_ai.tool.name", "value": {"stringValue": "search_docs"}},
                            {"key": "gen_ai.tool.call.result", "value": {"stringValue": "r" * 5000}}]}
            for i in range(spans)]}]}]})


def test_a_file_of_long_lines_is_streamed_not_read_whole(tmp_path):
    """The Collector's file exporter writes a batch per line, often over 64 KiB: the file is still
    JSON lines (streamed, memory of about one line), not a document read whole."""
    import tracemalloc

    from intentwatch.pipeline.io.adapters.files import is_json_lines

    path = tmp_path / "spans.jsonl"
    path.write_bytes(b"\n" + b"\n".join(_batch(k) for k in range(80)) + b"\n")
    size = path.stat().st_size
    assert size > 80 * (1 << 17) and is_json_lines(path)
    (tmp_path / "one.json").write_bytes(_batch(0))  # one long line: a document
    (tmp_path / "pretty.json").write_bytes(orjson.dumps(orjson.loads(_batch(0)), option=orjson.OPT_INDENT_2))
    assert not is_json_lines(tmp_path / "one.json") and not is_json_lines(tmp_path / "pretty.json")
    tracemalloc.start()
    try:
        n = sum(isinstance(r, Action) for r in OtelAdapter("json").read(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == 80 * 30
    assert peak < size / 3, f"peak {peak >> 10} KiB reading a {size >> 10} KiB file"


def test_the_verbs_of_tool_names_agents_use():
    """Tool names as agent toolkits write them (bookings, workspace invitations, web posts)."""
    ops = ToolOperations()
    names = {"reserve_hotel": "write", "purchase_item": "write", "invite_user_to_slack": "grant",
             "post_webpage": "send", "send_money": "send", "delete_file": "delete", "remove_user_from_slack": "delete",
             "leave_channel": "delete", "get_balance": "read", "verify_identity": "read", "list_files": "list",
             "update_password": "write", "share_file": "grant", "schedule_transaction": "write",
             "reschedule_calendar_event": "write", "add_calendar_event_participants": "write",
             "think": "read"}  # (a scratchpad tool: an execute outside intent would page)
    assert {n: ops(n) for n in names} == names


def test_an_agent_run_longer_than_the_engines_memory_is_not_refused_as_late(tmp_path):
    """The invoke_agent span of a run of 300 calls is exported when the run ends, after them: stamped
    at its end, the engine takes it (stamped at its start, it was older than the agent's 256 remembered
    ids and dead-lettered as late)."""
    from intentwatch.models.errors import InputError
    from intentwatch.pipeline.engine.engine import Engine

    trace, root, t0 = "ab" * 16, "0123456789abcdef", 1_764_670_000 * 10**9

    def s(k: str, v: str) -> dict:
        return {"key": k, "value": {"stringValue": v}}

    calls = [{"traceId": trace, "spanId": f"{i + 1:016x}", "parentSpanId": root, "name": "execute_tool lookup", "kind": 1,
              "startTimeUnixNano": str(t0 + (i + 1) * 10**9), "endTimeUnixNano": str(t0 + (i + 1) * 10**9 + 5 * 10**8),
              "attributes": [s("gen_ai.operation.name", "execute_tool"), s("gen_ai.tool.name", "lookup_order"),
                             s("gen_ai.agent.name", "support")]} for i in range(300)]
    run = {"traceId": trace, "spanId": root, "name": "invoke_agent support", "kind": 1, "startTimeUnixNano": str(t0),
           "endTimeUnixNano": str(t0 + 302 * 10**9), "attributes": [s("gen_ai.operation.name", "invoke_agent"),
                                                                   s("gen_ai.agent.name", "support")]}
    path = tmp_path / "run.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps({"resourceSpans": [{"scopeSpans": [{"spans": batch}]}]})
                                for batch in (calls[:150], calls[150:], [run])))
    e, late, acts = Engine(), [], list(open_adapter("otel-json").read(path))
    for a in acts:
        try:
            e.process(a)
        except InputError as err:
            late.append(err.kind)
    assert len(acts) == 301 and late == []
    (run_action,) = [a for a in acts if a.tool == "gen_ai.invoke_agent"]
    assert run_action.time.timestamp() == t0 / 10**9 + 302


def test_a_langchain_tool_input_printed_as_python_is_read_as_arguments():
    """OpenInference's LangChain instrumentation writes a tool's input as ``str(dict)``: its keys reach
    the resource and the per-tool clauses; a value Python prints as a call stays text."""
    raw = _one_span([("openinference.span.kind", "TOOL"), ("tool.name", "send_email"),
                     ("input.value", "{'to': 'ann@example.org', 'subject': 'Q3', 'urgent': True, 'cc': None}")])
    (a,) = OtelAdapter().decode(raw, "m")
    assert a.attributes["arguments"] == {"to": "ann@example.org", "subject": "Q3", "urgent": True, "cc": None}
    assert (a.operation, a.resource) == ("send", "ann@example.org")
    raw = _one_span([("openinference.span.kind", "TOOL"), ("tool.name", "send_email"),
                     ("input.value", "{'to': 'ann@example.org', 'at': datetime.datetime(2026, 1, 2, 9, 0)}")])
    (a,) = OtelAdapter().decode(raw, "m")
    assert a.attributes["arguments"] == "{'to': 'ann@example.org', 'at': datetime.datetime(2026, 1, 2, 9, 0)}"


def _as_jaeger(doc: dict) -> dict:
    """An OTLP/JSON trace as Jaeger's UI downloads it (tags typed, microseconds, a process per resource,
    events as logs; a map value as JSON text, as Jaeger's OTLP receiver stores one)."""
    def tag(kv: dict) -> dict:
        (kind, v), = kv["value"].items()
        if kind == "intValue":
            return {"key": kv["key"], "type": "int64", "value": int(v)}
        if kind in ("kvlistValue", "arrayValue"):
            return {"key": kv["key"], "type": "string",
                    "value": orjson.dumps(_plain_value(kv["value"])).decode()}
        return {"key": kv["key"], "type": {"boolValue": "bool", "doubleValue": "float64"}.get(kind, "string"), "value": v}

    spans, processes = [], {}
    for n, rs in enumerate(doc["resourceSpans"]):
        pid = f"p{n + 1}"
        attrs = rs["resource"]["attributes"]
        processes[pid] = {"serviceName": next(kv["value"]["stringValue"] for kv in attrs if kv["key"] == "service.name"),
                          "tags": [tag(kv) for kv in attrs if kv["key"] != "service.name"]}
        for ss in rs["scopeSpans"]:
            for sp in ss["spans"]:
                tags = [tag(kv) for kv in sp.get("attributes", [])]
                code = (sp.get("status") or {}).get("code")
                if code in (2, "STATUS_CODE_ERROR"):
                    tags += [{"key": "otel.status_code", "type": "string", "value": "ERROR"},
                             {"key": "otel.status_description", "type": "string", "value": sp["status"].get("message", "")}]
                start = int(sp["startTimeUnixNano"]) // 1000
                spans.append({"traceID": sp["traceId"].lower(), "spanID": sp["spanId"].lower(), "operationName": sp["name"],
                              "references": [{"refType": "CHILD_OF", "traceID": sp["traceId"].lower(), "spanID": sp["parentSpanId"].lower()}]
                              if sp.get("parentSpanId") else [],
                              "startTime": start, "duration": int(sp.get("endTimeUnixNano", sp["startTimeUnixNano"])) // 1000 - start, "tags": tags,
                              "logs": [{"timestamp": int(ev.get("timeUnixNano", sp["startTimeUnixNano"])) // 1000,
                                        "fields": [{"key": "event", "type": "string", "value": ev["name"]},
                                                   *(tag(kv) for kv in ev.get("attributes", []))]} for ev in sp.get("events", [])],
                              "processID": pid})
    return {"data": [{"traceID": spans[0]["traceID"], "spans": spans, "processes": processes, "warnings": None}],
            "total": 0, "limit": 0, "offset": 0, "errors": None}


def _plain_value(v: dict):
    (kind, x), = v.items()
    if kind == "kvlistValue":
        return {kv["key"]: _plain_value(kv["value"]) for kv in x.get("values", [])}
    if kind == "arrayValue":
        return [_plain_value(y) for y in x.get("values", [])]
    return int(x) if kind == "intValue" else x


def test_a_trace_downloaded_from_jaeger_gives_the_same_actions():
    """Jaeger's UI (or its query API) hands a trace out as its own JSON: read as the same spans, the
    same actions as the OTLP/JSON of that trace (event ids, tools, arguments, request, outcome)."""
    doc = orjson.loads(TRACE.read_bytes())
    otlp = [r for r in OtelAdapter().decode(orjson.dumps(doc), "m") if isinstance(r, Action)]
    jaeger = list(OtelAdapter().decode(orjson.dumps(_as_jaeger(doc)), "j"))
    assert all(isinstance(r, Action) for r in jaeger) and len(jaeger) == len(otlp) == 4
    assert [a.model_dump() for a in jaeger] == [a.model_dump() for a in otlp]


def test_protobuf_json_mapping_reads_as_otlp_json():
    """What ``json_format.MessageToJson`` writes of the request (base64 ids, camelCase or, with
    ``preserving_proto_field_name``, protobuf's snake_case keys) gives the same actions as OTLP/JSON."""
    from google.protobuf import json_format

    otlp = list(OtelAdapter().read(TRACE))
    request = to_proto(orjson.loads(TRACE.read_bytes()))
    for snake in (False, True):
        text = json_format.MessageToJson(request, preserving_proto_field_name=snake)
        assert ('"trace_id"' in text) is snake and '"traceId": "' + orjson.loads(TRACE.read_bytes())[
            "resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"] not in text  # (ids in base64)
        assert list(OtelAdapter().decode(text.encode(), str(TRACE))) == otlp
    # a base64 id of the wrong size, or with its padding cut, is still a bad span
    doc = orjson.loads(json_format.MessageToJson(request))
    spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
    spans[0]["spanId"], spans[1]["traceId"] = "AAECAwQFBgc", spans[1]["traceId"].rstrip("=")
    bad = {r.source: r.reason for r in OtelAdapter().decode(orjson.dumps(doc), "m") if isinstance(r, BadRecord)}
    assert bad == {"m#rs0.ss0.span0": "spanId 'AAECAwQFBgc' is neither 16 hex digits nor 8 bytes in base64",
                   "m#rs0.ss0.span1": f"traceId {spans[1]['traceId']!r} is neither 32 hex digits nor 16 bytes in base64"}


def _as_zipkin(doc: dict) -> list:
    """An OTLP/JSON trace as an OpenTelemetry Zipkin exporter writes it (v2 JSON): every tag text,
    microseconds, the service in localEndpoint, an event with attributes as an annotation
    ``{"<name>": {...}}``, an error status as the ``error`` tag."""
    def text(v: dict) -> str:
        (kind, x), = v.items()
        if kind in ("kvlistValue", "arrayValue"):
            return orjson.dumps(_plain_value(v)).decode()
        return ("true" if x else "false") if kind == "boolValue" else str(x)

    spans = []
    for rs in doc["resourceSpans"]:
        service = next(kv["value"]["stringValue"] for kv in rs["resource"]["attributes"] if kv["key"] == "service.name")
        for ss in rs["scopeSpans"]:
            for sp in ss["spans"]:
                tags = {kv["key"]: text(kv["value"]) for kv in sp.get("attributes", [])}
                if (sp.get("status") or {}).get("code") in (2, "STATUS_CODE_ERROR"):
                    tags |= {"otel.status_code": "ERROR", "error": sp["status"].get("message", "")}
                start = int(sp["startTimeUnixNano"]) // 1000
                span = {"traceId": sp["traceId"].lower(), "id": sp["spanId"].lower(), "name": sp["name"],
                        "timestamp": start, "duration": int(sp.get("endTimeUnixNano", sp["startTimeUnixNano"])) // 1000 - start,
                        "localEndpoint": {"serviceName": service}, "tags": tags,
                        "annotations": [{"timestamp": int(ev.get("timeUnixNano", sp["startTimeUnixNano"])) // 1000,
                                         "value": orjson.dumps({ev["name"]: {kv["key"]: _plain_value(kv["value"])
                                                                             for kv in ev["attributes"]}}).decode()
                                         if ev.get("attributes") else ev["name"]} for ev in sp.get("events", [])]}
                if sp.get("parentSpanId"):
                    span["parentId"] = sp["parentSpanId"].lower()
                if sp.get("kind") in (2, 5, "SPAN_KIND_SERVER", "SPAN_KIND_CONSUMER"):
                    span["kind"] = "SERVER"
                spans.append(span)
    return spans


def test_a_trace_from_zipkin_gives_the_same_actions():
    """Zipkin's v2 JSON (its API, its UI's download, an OpenTelemetry Zipkin exporter): the same actions as
    the OTLP/JSON of that trace; a list of traces (the ``traces`` query) and a span per line too."""
    doc = orjson.loads(TRACE.read_bytes())
    otlp = [r for r in OtelAdapter().decode(orjson.dumps(doc), "m") if isinstance(r, Action)]
    spans = _as_zipkin(doc)
    zipkin = list(OtelAdapter().decode(orjson.dumps(spans), "z"))
    assert all(isinstance(r, Action) for r in zipkin) and len(zipkin) == len(otlp) == 4

    def dump(a: Action) -> dict:  # Zipkin keeps only the service name of the resource
        d = a.model_dump()
        d["attributes"]["resource"] = {"service.name": d["attributes"]["resource"]["service.name"]}
        return d
    assert [dump(a) for a in zipkin] == [dump(a) for a in otlp]
    assert list(OtelAdapter().decode(orjson.dumps([spans]), "z")) == zipkin
    by_line = [r for sp in spans for r in OtelAdapter().decode(orjson.dumps(sp), "z")]
    assert {a.event_id for a in by_line if isinstance(a, Action)} == {a.event_id for a in otlp}
    # Strands Agents puts a tool's arguments and result in span events: annotations in Zipkin
    strands = orjson.loads((DATA / "otel_frameworks.jsonl").read_bytes().splitlines()[0])
    (tool,) = [a for a in OtelAdapter().decode(orjson.dumps(_as_zipkin(strands)), "z") if a.tool == "http_request"]
    assert tool.attributes["arguments"] == {"method": "GET", "url": "https://api.example.com/v1/orders/8812"}
    assert tool.attributes["result"] == [{"text": '{"status": "shipped"}'}]


def test_a_bad_zipkin_span_costs_only_itself():
    spans = _as_zipkin(orjson.loads(TRACE.read_bytes()))
    spans[1]["id"] = "not-hex"
    spans[2]["timestamp"] = "soon"
    results = list(OtelAdapter().decode(orjson.dumps([spans, "no trace"]), "z"))
    bad = {r.source: r.reason for r in results if isinstance(r, BadRecord)}
    assert bad == {"z#0[1]": "id 'not-hex' is not 16 hex digits", "z#0[2]": "timestamp 'soon' is not a positive integer (microseconds)",
                   "z#1": "a trace in the list is not a list of spans"}
    assert len([r for r in results if isinstance(r, Action)]) >= 1


def _as_console(doc: dict) -> list[dict]:
    """An OTLP/JSON trace as the OpenTelemetry Python SDK's ConsoleSpanExporter prints it (``span.to_json()``):
    ``0x`` ids in a context, ISO times, attributes and the resource's as plain objects, ``SpanKind.*``."""
    def when(nanos: str) -> str:
        return datetime.fromtimestamp(int(nanos) / 1e9, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    kinds = {1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
    out = []
    for rs in doc["resourceSpans"]:
        resource = {kv["key"]: _plain_value(kv["value"]) for kv in rs["resource"]["attributes"]}
        for ss in rs["scopeSpans"]:
            for sp in ss["spans"]:
                code = (sp.get("status") or {}).get("code")
                status = {"status_code": "ERROR", "description": sp["status"].get("message", "")} \
                    if code in (2, "STATUS_CODE_ERROR") else {"status_code": "UNSET"}
                kind = sp.get("kind", 1)
                out.append({"name": sp["name"], "context": {"trace_id": "0x" + sp["traceId"].lower(),
                                                            "span_id": "0x" + sp["spanId"].lower(), "trace_state": "[]"},
                            "kind": f"SpanKind.{kinds.get(kind, kind if isinstance(kind, str) else 'INTERNAL').replace('SPAN_KIND_', '')}",
                            "parent_id": "0x" + sp["parentSpanId"].lower() if sp.get("parentSpanId") else None,
                            "start_time": when(sp["startTimeUnixNano"]), "end_time": when(sp.get("endTimeUnixNano", sp["startTimeUnixNano"])),
                            "status": status,
                            "attributes": {kv["key"]: _plain_value(kv["value"]) for kv in sp.get("attributes", [])},
                            "events": [{"name": ev["name"], "timestamp": when(ev.get("timeUnixNano", sp["startTimeUnixNano"])),
                                        "attributes": {kv["key"]: _plain_value(kv["value"]) for kv in ev.get("attributes", [])}}
                                       for ev in sp.get("events", [])],
                            "links": [], "resource": {"attributes": resource, "schema_url": ""}})
    return out


def _as_phoenix(sp: dict) -> dict:
    """A printed span as Phoenix's REST API returns it (``span_kind``, ``status_code``, no resource)."""
    return {"id": "U3BhbjoxMjM=", "name": sp["name"], "context": {k: v[2:] for k, v in sp["context"].items() if k != "trace_state"},
            "span_kind": "UNKNOWN", "parent_id": sp["parent_id"] and sp["parent_id"][2:], "start_time": sp["start_time"],
            "end_time": sp["end_time"], "status_code": sp["status"]["status_code"],
            "status_message": sp["status"].get("description", ""), "attributes": sp["attributes"], "events": sp["events"]}


def _as_row(sp: dict) -> dict:
    """... as a row of Phoenix's spans dataframe written by pandas: columns flattened, times in epoch ms."""
    p = _as_phoenix(sp)
    out = {k: v for k, v in p.items() if k not in ("context", "attributes")}
    out.update({f"context.{k}": v for k, v in p["context"].items()})
    out.update({f"attributes.{k}": v for k, v in p["attributes"].items()}, **{"attributes.never.set": None})
    for k in ("start_time", "end_time"):
        out[k] = datetime.fromisoformat(p[k]).timestamp() * 1000
    return out


def test_spans_the_python_sdk_prints_and_phoenix_returns_give_the_same_actions(tmp_path):
    """The console exporter's output (pretty-printed spans one after another, as a file holds it), a list of
    them, and Phoenix's REST page (``span_kind``, ``status_code``, no resource): the OTLP trace's actions."""
    doc = orjson.loads(TRACE.read_bytes())
    otlp = [a.model_dump() for a in OtelAdapter().decode(orjson.dumps(doc), "m")]
    spans = _as_console(doc)
    printed = tmp_path / "console.txt"
    printed.write_text("\n".join(json.dumps(sp, indent=4) for sp in spans) + "\n")
    console = list(OtelAdapter().read(printed))
    assert all(isinstance(r, Action) for r in console) and [a.model_dump() for a in console] == otlp
    assert [a.model_dump() for a in OtelAdapter().decode(orjson.dumps(spans), "l")] == otlp

    page = list(OtelAdapter().decode(orjson.dumps({"data": [_as_phoenix(sp) for sp in spans], "next_cursor": None}), "p"))
    assert [a.tool for a in page] == [a["tool"] for a in otlp] and [a.outcome for a in page] == [a["outcome"] for a in otlp]

    frame = tmp_path / "spans.jsonl"
    frame.write_bytes(b"".join(orjson.dumps(_as_row(sp)) + b"\n" for sp in spans))
    rows = list(OtelAdapter().read(frame))
    assert [(a.tool, a.outcome, a.time, a.attributes.get("arguments")) for a in rows] == [
        (a["tool"], a["outcome"], a["time"], a["attributes"].get("arguments")) for a in otlp]
    assert sniff_format(frame) == "otel-json"


def test_a_span_printed_before_it_ended_is_a_link_and_its_ended_copy_the_action(tmp_path):
    """The Microsoft Agent Framework's samples print each span when it starts (``end_time: null``) and again when
    it ends, with its usage and status. The first copy is no action, so the ended one is not a conflicting
    duplicate; it stays a link for the spans under it."""
    spans = _as_console(orjson.loads(TRACE.read_bytes()))
    ended = [a.model_dump() for a in OtelAdapter().decode(orjson.dumps(spans), "l")]
    twice = []
    for sp in spans:
        twice += [{**sp, "end_time": None, "status": {"status_code": "UNSET"}, "attributes": {
            k: v for k, v in sp["attributes"].items() if not k.startswith("gen_ai.usage")}}, sp]
    printed = tmp_path / "console.txt"
    printed.write_text("\n\n".join(json.dumps(sp, indent=4) for sp in twice) + "\n")
    adapter = OtelAdapter()
    results = list(adapter.read(printed))
    assert [r.model_dump() for r in results] == ended  # no dead letter, every action from its ended copy
    assert adapter.skipped[UNFINISHED] == len(spans)


def test_phoenix_first_span_json_with_uuid_ids_reads_as_the_same_trace():
    """Phoenix's first span JSON (2023) gave trace and span ids as UUIDs: read as their 32 hex digits, parents
    found by them; the trace's actions are the hex-id page's."""
    spans = _as_console(orjson.loads(TRACE.read_bytes()))
    page = [_as_phoenix(sp) for sp in spans]

    def uuid(hex_id: str) -> str:
        h = hex_id.rjust(32, "0")
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    old = [{**sp, "context": {"trace_id": uuid(sp["context"]["trace_id"]), "span_id": uuid(sp["context"]["span_id"])},
            "parent_id": sp["parent_id"] and uuid(sp["parent_id"])} for sp in page]
    by_hex = [(a.tool, a.agent_id, a.attributes.get("arguments")) for a in OtelAdapter().decode(orjson.dumps(page), "p")]
    by_uuid = list(OtelAdapter().decode(orjson.dumps(old), "u"))
    assert all(isinstance(a, Action) for a in by_uuid) and [(a.tool, a.agent_id, a.attributes.get("arguments")) for a in by_uuid] == by_hex


def test_a_printed_span_that_breaks_costs_only_itself(tmp_path):
    spans = _as_console(orjson.loads(TRACE.read_bytes()))
    texts = [json.dumps(sp, indent=4) for sp in spans]
    texts[1] = texts[1][: len(texts[1]) // 2]  # cut mid-way
    spans[2]["context"]["span_id"] = "0xnothex"
    texts[2] = json.dumps(spans[2], indent=4)
    printed = tmp_path / "console.txt"
    printed.write_text("\n".join(texts) + "\n")
    results = list(OtelAdapter().read(printed))
    bad = [r for r in results if isinstance(r, BadRecord)]
    assert bad[0].reason.startswith("invalid JSON") and bad[1].reason == "span_id 'nothex' is not 16 hex digits"
    assert len(bad) == 2
    assert "reading goes on at line" in bad[0].reason and len([r for r in results if isinstance(r, Action)]) >= 1


@pytest.mark.parametrize("seed", range(3))
def test_mangled_printed_and_zipkin_spans_never_raise(seed):
    """Spans as the Python SDK prints them, as Zipkin holds them and as rows of Phoenix's dataframe, values swapped for odd ones: actions or
    dead letters with a reason of their own."""
    mangle = mangler(random.Random(seed), [*JUNK, "0xffffffffffffffff", "SpanKind.SERVER"])
    doc = orjson.loads(TRACE.read_bytes())
    console, zipkin = _as_console(doc), _as_zipkin(doc)
    for i in range(300):
        assert_read_cleanly(OtelAdapter().decode, (mangle(console), {"data": mangle(console), "next_cursor": None},
                                                   mangle(zipkin), [mangle(zipkin)], mangle([_as_row(sp) for sp in console])), f"m{i}")


def test_a_bad_jaeger_span_costs_only_itself():
    doc = _as_jaeger(orjson.loads(TRACE.read_bytes()))
    doc["data"][0]["spans"][1]["spanID"] = "not-hex"
    doc["data"][0]["spans"][2]["startTime"] = "soon"
    results = list(OtelAdapter().decode(orjson.dumps(doc), "j"))
    bad = {r.source: r.reason for r in results if isinstance(r, BadRecord)}
    assert bad == {"j#data[0].spans[1]": "spanID 'not-hex' is not 16 hex digits",
                   "j#data[0].spans[2]": "startTime 'soon' is not a positive integer (microseconds)"}
    assert len([r for r in results if isinstance(r, Action)]) >= 1


def test_span_ids_another_trace_gives_again_are_that_trace_s(tmp_path):
    """A span id need only be unique within its trace: a recorder that numbers each trace's spans from
    one gives two traces the same ids. The second trace's actions are its own (``<trace>:<span>``), not
    conflicting duplicates of the first's; the same trace sent again keeps its ids (still a duplicate)."""
    from tests.factories import replayed_alerts
    doc = orjson.loads(TRACE.read_bytes())
    spans = [sp for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for sp in ss["spans"]]
    counted = {sp["spanId"].lower(): f"{n:016x}" for n, sp in enumerate(spans, 1)}  # the recorder's counter
    for sp in spans:
        sp["spanId"] = counted[sp["spanId"].lower()]
        if sp.get("parentSpanId"):
            sp["parentSpanId"] = counted[sp["parentSpanId"].lower()]
    again = copy.deepcopy(doc)
    for rs in again["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for sp in ss["spans"]:
                sp["traceId"] = "f" * 32
                for k in ("startTimeUnixNano", "endTimeUnixNano"):
                    if k in sp:
                        sp[k] = str(int(sp[k]) + 3600 * 10**9)
    adapter = OtelAdapter()
    first, second, retried = (actions_of(adapter.decode(orjson.dumps(d), "t")) for d in (doc, again, again))
    assert len(first) == len(second) == 4 and all(a.event_id in counted.values() for a in first)
    assert [a.event_id for a in second] == [f"{'f' * 32}:{a.event_id}" for a in first]
    assert [a.event_id for a in retried] == [a.event_id for a in second]
    path = tmp_path / "traces.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(d) for d in (doc, again, again)) + b"\n")
    replayed_alerts(path, tmp_path, fmt="otel-json")
    assert not (tmp_path / "d.jsonl").exists()  # nothing dead-lettered: the retried copy counts as duplicates


def test_a_json_array_of_requests_reads_each_request(tmp_path):
    """Some tools keep a list of OTLP requests in one file (``[{"resourceSpans": [...]}, ...]``, as AgentPrism's
    sample traces are): each is read as a request; one that is no OTLP is a bad record at its index."""
    doc = orjson.loads(TRACE.read_bytes())
    alone = [(a.event_id, a.tool) for a in OtelAdapter().read(TRACE) if isinstance(a, Action)]
    listed = tmp_path / "requests.json"
    listed.write_bytes(orjson.dumps([doc, {"resourceSpans": "not a list"}], option=orjson.OPT_INDENT_2))
    results = list(OtelAdapter().read(listed))
    assert [(a.event_id, a.tool) for a in results if isinstance(a, Action)] == alone
    [bad] = [r for r in results if isinstance(r, BadRecord)]
    assert bad.source == f"{listed}[1]" and b"not a list" in bad.raw
    assert sniff_format(listed) == "otel-json"

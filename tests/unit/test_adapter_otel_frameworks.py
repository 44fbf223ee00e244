"""Tool spans as agent frameworks write them, not only as the current GenAI conventions say: Strands
Agents (arguments in span events), Google ADK (gcp.vertex.agent.*), OpenInference and Traceloop (the
agent span exported after its tool spans), Pydantic AI's "running tool", OTLP's old
instrumentationLibrarySpans, the latest conventions' messages, the Vercel AI SDK's ai.* telemetry, MLflow
Tracing, Langfuse and LangSmith spans, the OpenAI Agents SDK through Logfire and OpenInference, and the user's request where older instrumentations put it (events; Pydantic AI's and Logfire's attributes). Fixture written from each producer's
documented attributes, one OTLP/JSON TracesData per line as the Collector's file exporter writes them;
both encodings."""

from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from intentwatch.pipeline.lab.simulate.spans import to_proto

FRAMEWORKS = Path(__file__).parents[1] / "data" / "adapters" / "otel_frameworks.jsonl"
LINES = [orjson.loads(line) for line in FRAMEWORKS.read_bytes().splitlines()]


def _legacy_as_current(doc: dict) -> dict:
    """The protobuf has no instrumentationLibrarySpans: compare the JSON reading of it with today's form."""
    for rs in doc["resourceSpans"]:
        if "instrumentationLibrarySpans" in rs:
            rs["scopeSpans"] = rs.pop("instrumentationLibrarySpans")
    return doc


def _actions(encoding: str, line: int) -> list[Action]:
    if encoding == "json":
        results = list(OtelAdapter().decode(orjson.dumps(LINES[line]), f"f:{line + 1}"))
    else:
        raw = to_proto(_legacy_as_current(orjson.loads(orjson.dumps(LINES[line])))).SerializeToString()
        results = list(OtelAdapter("proto").decode(raw, f"m{line}"))
    assert not [r for r in results if isinstance(r, BadRecord)]
    return [r for r in results if isinstance(r, Action)]


@pytest.fixture(params=["json", "proto"])
def encoding(request):
    return request.param


def tool(encoding, line) -> Action:
    (a,) = [a for a in _actions(encoding, line) if not a.tool.startswith("gen_ai.")]
    return a


def test_strands_tool_arguments_and_result_from_span_events(encoding):
    a = tool(encoding, 0)
    assert (a.agent_id, a.tool, a.operation) == ("order_agent", "http_request", "execute")
    assert a.attributes["arguments"] == {"method": "GET", "url": "https://api.example.com/v1/orders/8812"}
    assert a.resource == "https://api.example.com/v1/orders/8812"
    assert a.attributes["result"] == [{"text": '{"status": "shipped"}'}]


def test_google_adk_tool_call_args_and_response(encoding):
    a = tool(encoding, 1)
    assert (a.agent_id, a.tool, a.session_id) == ("weather_agent", "get_weather", "adk-session-31")
    assert (a.attributes["arguments"], a.attributes["result"]) == ({"city": "Lisbon"}, {"temp_c": 19, "sky": "clear"})


def test_openinference_agent_span_after_its_tool_span_names_the_agent(encoding):
    a = tool(encoding, 2)
    assert (a.agent_id, a.tool, a.session_id, a.operation) == ("triage_agent", "lookup_customer", "sess-77", "read")


def test_traceloop_tool_kwargs_and_the_agent_span_after_it(encoding):
    a = tool(encoding, 3)
    assert (a.agent_id, a.tool, a.operation, a.resource) == ("billing_agent", "send_invoice", "send", "ap@example.com")
    assert a.attributes["arguments"] == {"recipient": "ap@example.com", "invoice_id": "INV-2207"}


def test_pydantic_ai_running_tool_span_is_a_tool_call(encoding):
    a = tool(encoding, 4)
    assert (a.agent_id, a.tool, a.operation) == ("quote-bot", "get_quote", "read")
    assert (a.attributes["arguments"], a.attributes["result"]) == ({"symbol": "ACME"}, {"price": 12.5})


def test_old_otlp_json_instrumentation_library_spans_are_read():
    a = tool("json", 5)
    assert (a.agent_id, a.tool, a.resource) == ("legacy-agent", "list_files", "/srv/data")


def test_latest_conventions_messages_and_an_agent_named_by_its_span(encoding):
    a = tool(encoding, 6)
    assert a.agent_id == "Planner"  # service.name is the SDK's unknown_service default: it names no one
    assert (a.attributes["arguments"], a.resource, a.attributes["result"]) == (
        {"path": "/etc/app.yaml"}, "/etc/app.yaml", "port: 8080")


def test_the_file_as_the_collector_writes_it():
    adapter = OtelAdapter()
    results = list(adapter.read(FRAMEWORKS))
    assert not [r for r in results if isinstance(r, BadRecord)]
    assert sorted(a.tool for a in results if not a.tool.startswith("gen_ai.")) == [
        "book_hotel", "create_event", "get-weather", "get_invoice", "get_quote", "get_weather", "http_request", "list_files",
        "lookup_customer", "read_file", "read_file", "read_inbox", "reserve_hotel", "search_hotels", "sendMoney", "send_invoice",
        "send_money", "send_money", "send_refund", "transfer"]
    assert adapter.skipped == {"execute_event_loop_cycle": 1, "not gen_ai": 4,  # the cycle span; "agent run", a chain; two SDK traces
                               "nested tool span (same call)": 2,              # the MCP client and server spans
                               "chain": 1}                                     # LangSmith's graph run


def test_one_mcp_tool_call_traced_by_the_framework_the_client_and_the_server_is_one_action(encoding):
    a = tool(encoding, 7)  # one tool action, not three
    assert (a.agent_id, a.tool, a.event_id) == ("travel_planner", "get-weather", "0808080808080802")
    assert a.attributes["arguments"] == {"location": "Lisbon"}


def test_an_mcp_server_span_recorded_alone_is_the_tool_call():
    doc = orjson.loads(orjson.dumps(LINES[7]))
    doc["resourceSpans"] = doc["resourceSpans"][1:]  # only the MCP server's spans (a gateway's recording)
    (a,) = [r for r in OtelAdapter().decode(orjson.dumps(doc), "m") if isinstance(r, Action)]
    assert (a.agent_id, a.tool, a.source_ip, a.session_id) == (
        "weather-mcp", "get-weather", "10.1.2.80", "191c4850af6c49e08843a3f6c80e5046")


# ---- ancestors exported in a later request -----------------------------------------------------

def _split_strands(tmp_path, encoding: str, with_agent_span: bool = True) -> Path:
    """The Strands trace as an SDK exports a long run: the tool and cycle spans in one batch, another
    trace's batch, then the invoke_agent span that names the agent (or never: a remote parent)."""
    doc = orjson.loads(orjson.dumps(LINES[0]))
    doc["resourceSpans"][0]["resource"]["attributes"][0]["value"] = {"stringValue": "orders-svc"}
    spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]

    def with_spans(chosen):
        d = orjson.loads(orjson.dumps(doc))
        d["resourceSpans"][0]["scopeSpans"][0]["spans"] = chosen
        return d

    requests = [with_spans(spans[:3]), LINES[1]] + ([with_spans(spans[3:])] if with_agent_span else [])
    if encoding == "json":
        path = tmp_path / "traces.jsonl"
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in requests))
    else:
        import struct

        path = tmp_path / "traces.pb"
        raw = [to_proto(r).SerializeToString() for r in requests]
        path.write_bytes(b"".join(struct.pack(">I", len(m)) + m for m in raw))
    return path


def test_tool_spans_wait_for_the_agent_span_of_a_later_request(tmp_path, encoding):
    results = list(OtelAdapter(encoding).read(_split_strands(tmp_path, encoding)))
    assert [(a.tool, a.agent_id) for a in results] == [
        ("get_weather", "weather_agent"), ("gen_ai.invoke_agent", "weather_agent"),    # the other trace, in order
        ("gen_ai.invoke_agent", "order_agent"),                                        # the span naming the agent
        ("http_request", "order_agent"), ("gen_ai.chat", "order_agent")]               # held until it came


def test_spans_whose_ancestors_never_come_are_mapped_at_the_end_of_the_file(tmp_path, encoding):
    results = list(OtelAdapter(encoding).read(_split_strands(tmp_path, encoding, with_agent_span=False)))
    assert [(a.tool, a.agent_id) for a in results] == [
        ("get_weather", "weather_agent"), ("gen_ai.invoke_agent", "weather_agent"),
        ("http_request", "orders-svc"), ("gen_ai.chat", "orders-svc")]  # the resource's service.name


def test_a_kafka_message_is_mapped_on_its_own(tmp_path):
    first = _split_strands(tmp_path, "json").read_bytes().splitlines()[0]
    assert {a.agent_id for a in OtelAdapter().decode(first, "otlp_spans[0]@1")} == {"orders-svc"}


def test_held_traces_are_let_go_when_idle_or_too_many():
    from intentwatch.pipeline.io.adapters.otel_traces import TraceMemory

    doc = LINES[0]["resourceSpans"][0]["scopeSpans"][0]["spans"]
    from intentwatch.pipeline.io.adapters.otlp import json_spans

    (_, tool_span), *_ = json_spans({"resourceSpans": [{"scopeSpans": [{"spans": doc[:1]}]}]}, "m")
    memory = TraceMemory(max_idle=2)
    memory.remember([tool_span])
    memory.hold(tool_span, {}, "r")
    assert memory.ready() == [] and memory.ready() == []
    memory.remember([])
    memory.remember([])
    memory.remember([])
    assert memory.ready() == [(tool_span, {}, "r")] and memory.waiting == {}
    memory = TraceMemory(max_waiting=0)
    memory.hold(tool_span, {}, "r")
    assert memory.ready() == [(tool_span, {}, "r")]


def test_a_span_under_a_server_span_is_not_held(tmp_path):
    """A SERVER (or CONSUMER) span's parent is in another process, never in this file: its
    descendants are mapped in their place, not held until the end."""
    path = _split_strands(tmp_path, "json", with_agent_span=False)
    lines = path.read_bytes().splitlines()
    first = orjson.loads(lines[0])
    first["resourceSpans"][0]["scopeSpans"][0]["spans"][2]["kind"] = "SPAN_KIND_SERVER"  # the cycle span
    path.write_bytes(orjson.dumps(first) + b"\n" + b"\n".join(lines[1:]) + b"\n")
    assert [(a.tool, a.agent_id) for a in OtelAdapter().read(path)] == [
        ("http_request", "orders-svc"), ("gen_ai.chat", "orders-svc"),
        ("get_weather", "weather_agent"), ("gen_ai.invoke_agent", "weather_agent")]


@pytest.mark.parametrize("key", ["openinference.span.kind", "traceloop.span.kind"])
def test_a_kind_that_is_no_text_reading_a_file_costs_nothing(tmp_path, key):
    """Reading a file notes every span's aliases before mapping it: a list there (unhashable, looked
    up in the kind table) raised out of read() and stopped the file; now it is no kind, like a number."""
    doc = orjson.loads(orjson.dumps(LINES[0]))
    span = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    span["attributes"] = [kv for kv in span["attributes"] if kv["key"] != "gen_ai.operation.name"]  # (read by name)
    span["attributes"].append({"key": key, "value": {"arrayValue": {"values": [{"stringValue": "TOOL"}]}}})
    path = tmp_path / "traces.jsonl"
    path.write_bytes(orjson.dumps(doc) + b"\n")
    as_number = orjson.loads(orjson.dumps(doc))
    as_number["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"][-1]["value"] = {"intValue": "3"}
    (tmp_path / "number.jsonl").write_bytes(orjson.dumps(as_number) + b"\n")
    got = [(r.tool, r.agent_id) if isinstance(r, Action) else r.reason for r in OtelAdapter().read(path)]
    assert got == [(r.tool, r.agent_id) if isinstance(r, Action) else r.reason
                   for r in OtelAdapter().read(tmp_path / "number.jsonl")] and got


def test_the_users_request_reaches_the_tool_calls_under_the_agent_span(encoding):
    """The request in the invoke_agent span's input messages (after its tool spans, as exporters
    send them) rides on each tool call, so the detectors know what the user named: the payee the
    user gave is not an injected target although the bill read before named it too."""
    from intentwatch.models.alert import Alert
    from intentwatch.pipeline.engine.engine import Engine

    actions = _actions(encoding, 8)
    asked = "Pay my December bill to DE89 3704 0044 0532 0130 00, please."
    assert [(a.tool, a.attributes.get("request")) for a in actions] == [
        ("read_file", asked), ("send_money", asked), ("gen_ai.invoke_agent", asked)]

    def injected(acts: list[Action]) -> list[Alert]:
        e = Engine()
        out = [o for a in acts for o in e.process(a)] + e.flush()
        return [o for o in out if isinstance(o, Alert) and o.rule_id == "intent.injected_target"]

    assert injected(actions) == []
    unasked = [a.model_copy(update={"attributes": {k: v for k, v in a.attributes.items() if k != "request"}})
               for a in actions]
    [provenance] = injected(unasked)  # without the request: a payee from a result, provenance only
    assert provenance.severity == "low"


def test_openinference_request_from_the_chain_input_and_the_llm_messages(encoding):
    """OpenInference writes no gen_ai.input.messages: LangChain's agent chain holds the user's input in
    ``input.value`` (``{"input": ...}``), its LLM spans the messages flattened (``llm.input_messages.<i>``).
    The tool call under the chain carries the request, so the participant the user named is the
    user's choice, not a target taken from a result."""
    asked = "Invite ann@example.org to Friday's planning meeting"
    got = {a.tool: a.attributes.get("request") for a in _actions(encoding, 9)}
    assert got == {"create_event": asked, "gen_ai.chat": asked}
    (a,) = [a for a in _actions(encoding, 9) if a.tool == "create_event"]
    assert (a.agent_id, a.session_id, a.attributes["arguments"]["participants"]) == ("calendar-bot", "lc-sess-5", ["ann@example.org"])


def test_older_flattened_prompt_attributes_give_the_request(encoding):
    """OpenLLMetry's chat spans: ``gen_ai.prompt.<i>.role`` / ``.content``, the older conventions' form."""
    (a,) = _actions(encoding, 10)
    assert (a.tool, a.agent_id, a.attributes.get("request")) == ("gen_ai.chat", "travel_agent", "Book the Riverside View Hotel for May 3")


def test_span_request_reads_each_form_and_nothing_else():
    from intentwatch.pipeline.io.adapters.otel_requests import span_request

    multi = {"openinference.span.kind": "LLM", "llm.input_messages.0.message.role": "user",
             "llm.input_messages.0.message.contents.0.message_content.text": "Pay the bill",
             "llm.input_messages.0.message.contents.1.message_content.text": "from March"}
    assert span_request(multi) == "Pay the bill\nfrom March"
    agents_sdk = {"openinference.span.kind": "AGENT", "input.value": '[{"role": "user", "content": "Send the report to Bo"}]'}
    assert span_request(agents_sdk) == "Send the report to Bo"
    assert span_request({"openinference.span.kind": "AGENT", "input.value": "What is due today?"}) == "What is due today?"
    assert span_request({"openinference.span.kind": "CHAIN", "input.value": '{"messages": [{"role": "user", "content": "hi"}]}'}) == "hi"
    # a tool's input is its arguments, not a request; no user turn, no request
    assert span_request({"openinference.span.kind": "TOOL", "input.value": '{"to": "x@example.org"}'}) is None
    assert span_request({"gen_ai.prompt.0.role": "system", "gen_ai.prompt.0.content": "Be brief."}) is None
    assert span_request({"openinference.span.kind": "CHAIN", "input.value": '{"query": 3}'}) is None


def _by_tool(encoding, line) -> dict[str, Action]:
    return {a.tool: a for a in _actions(encoding, line)}


def test_vercel_ai_sdk_tool_call_under_its_generate_text_call(encoding):
    # ai.toolCall with ai.toolCall.name / .args / .result; the agent from telemetry.functionId, the
    # session from metadata.sessionId and the request from ai.prompt, both on the generateText span
    acts = _by_tool(encoding, 11)
    a = acts["sendMoney"]
    assert (a.agent_id, a.operation, a.session_id, a.resource) == ("payer", "send", "sess-vercel-7", "DE89370400440532013000")
    assert (a.attributes["arguments"], a.attributes["result"]) == (
        {"recipient": "DE89370400440532013000", "amount": 84.2}, {"status": "sent", "reference": "TX-5521"})
    assert a.attributes["request"] == "Pay the March bill to DE89370400440532013000"
    assert (acts["gen_ai.invoke_agent"].model.id, acts["gen_ai.chat"].attributes["request"]) == (
        "gpt-4o-2024-08-06", "Pay the March bill to DE89370400440532013000")  # the model call's from ai.prompt.messages


def test_the_request_in_the_older_conventions_events(encoding):
    # gen_ai.user.message's content; Semantic Kernel's gen_ai.content.prompt with the messages as JSON
    assert [a.attributes.get("request") for a in _actions(encoding, 12)] == [
        "Forward the Q3 report to ann@example.org", "Invite bo@example.org to Friday's sync"]


def test_the_request_pydantic_ai_and_logfire_write_as_one_attribute(encoding):
    # Pydantic AI's first instrumentation: the events as JSON in `events`; Logfire's OpenAI one: `request_data`
    assert [a.attributes.get("request") for a in _actions(encoding, 13)] == ["What is ACME trading at?", "Summarise ticket 4411"]


def test_mlflow_tracing_spans_by_their_span_type(encoding):
    # mlflow.spanType (JSON-encoded) TOOL / CHAT_MODEL / AGENT; the tool and the agent named as their
    # spans; inputs and outputs as JSON; the request from the agent's (or the model's) input messages
    acts = _by_tool(encoding, 14)
    a = acts["send_refund"]
    assert (a.agent_id, a.operation) == ("support_agent", "send")
    assert (a.attributes["arguments"], a.attributes["result"]) == ({"order_id": "8812", "amount": 42.5},
                                                                   {"status": "refunded", "refund_id": "RF-3310"})
    assert a.attributes["request"] == acts["gen_ai.chat"].attributes["request"] == "Refund order 8812 to my card"


def test_langfuse_observations_by_their_type(encoding):
    # langfuse.observation.type tool / agent / generation; the session and the trace's input (JSON text)
    acts = _by_tool(encoding, 15)
    a = acts["book_hotel"]
    assert (a.agent_id, a.session_id, a.attributes["request"]) == ("travel-agent", "lf-sess-3", "Book the Riverside hotel for Friday")
    assert (a.attributes["arguments"], a.attributes["result"]) == ({"hotel": "Riverside", "date": "2026-12-11"}, {"confirmation": "RV-2291"})
    assert acts["gen_ai.chat"].model.id == "gpt-4o"


def test_langsmith_runs_exported_as_spans(encoding):
    # LangSmith's OpenTelemetry export: execute_tool without gen_ai.tool.name (langsmith.trace.name has it),
    # inputs / outputs in gen_ai.prompt / gen_ai.completion ({"output": ...} unwrapped), the thread and the
    # LangGraph assistant in the run metadata (inherited from the graph's chain run), the request its input
    acts = _by_tool(encoding, 16)
    assert sorted(acts) == ["read_inbox", "send_money"]  # the chain run is no action
    a = acts["send_money"]
    assert (a.agent_id, a.session_id, a.operation) == ("billing-agent", "thread-42", "send")
    assert (a.attributes["arguments"], a.attributes["result"]) == ({"iban": "DE89370400440532013000", "amount": 120}, "ok")
    assert a.attributes["request"] == "Pay the bill in my inbox from ACME"
    assert acts["read_inbox"].attributes["result"] == "From ACME: please pay 120 EUR to DE89370400440532013000"


def test_a_tool_span_naming_no_tool_is_a_dead_letter_not_a_nested_call():
    # two spans naming no tool are not "the same call": before, the tool run was dropped as nested under the chain
    doc = orjson.loads(orjson.dumps(LINES[16]))
    for sp in doc["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        sp["attributes"] = [kv for kv in sp["attributes"] if kv["key"] not in ("langsmith.span.kind", "langsmith.trace.name")]
        sp["name"] = "run"
    results = list(OtelAdapter().decode(orjson.dumps(doc), "f:17"))
    assert [r.reason for r in results if isinstance(r, BadRecord)] == ["execute_tool span has no gen_ai.tool.name (text)"] * 2


def test_openai_agents_sdk_through_logfire(encoding):
    # Logfire's OpenAI Agents integration names spans by message template: "Function: {name}" a tool call
    # (name, input, output), "Agent run: {name}" the agent, the SDK trace's group_id the conversation
    acts = _by_tool(encoding, 17)
    assert sorted(acts) == ["gen_ai.chat", "gen_ai.invoke_agent", "get_invoice", "transfer"]
    a = acts["transfer"]
    assert (a.agent_id, a.session_id) == ("Billing assistant", "conv-77")
    assert (a.attributes["arguments"], a.attributes["result"]) == ({"iban": "DE89370400440532013000", "amount": 120.0}, {"status": "sent"})
    # the request is on the model span beside the tool calls, not above them: the trace's earliest model span that has one
    assert acts["gen_ai.chat"].attributes["request"] == a.attributes["request"] == "Pay invoice INV-2291"


def test_a_trace_request_from_an_earlier_request_of_the_collector(encoding):
    # the model span in one export request, the tool calls in the next (the Kafka exporter's batches)
    doc = LINES[17]
    spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
    first, second = (orjson.loads(orjson.dumps(doc)) for _ in range(2))
    first["resourceSpans"][0]["scopeSpans"][0]["spans"] = [s for s in spans if not s["name"].startswith("Function")]
    second["resourceSpans"][0]["scopeSpans"][0]["spans"] = [s for s in spans if s["name"].startswith("Function")]
    adapter = OtelAdapter() if encoding == "json" else OtelAdapter("proto")
    acts = []
    for n, part in enumerate((first, second)):
        raw = orjson.dumps(part) if encoding == "json" else to_proto(part).SerializeToString()
        acts += [r for r in adapter.decode(raw, f"m{n}") if isinstance(r, Action)]
    assert {a.tool: a.attributes.get("request") for a in acts}["transfer"] == "Pay invoice INV-2291"


def test_openai_agents_sdk_through_openinference(encoding):
    # OpenInference's OpenAI Agents processor names an agent span after the agent and sets no agent.name; the
    # SDK's trace is an AGENT span too, at the root: the tool calls belong to the agent under it, not the service
    acts = _actions(encoding, 18)
    by_tool = {a.tool: a for a in acts}
    a = by_tool["reserve_hotel"]
    assert (a.agent_id, a.attributes["arguments"]) == ("Travel planner", {"hotel": "Riverside", "date": "2026-12-11"})
    assert a.attributes["request"] == "Book the Riverside hotel for Friday"  # from the model span beside it
    # the root, the SDK's trace ("Agent workflow"), says nothing but its kind: no action of the service's
    assert [(x.agent_id, x.tool) for x in acts if x.tool == "gen_ai.invoke_agent"] == [("Travel planner", "gen_ai.invoke_agent")]


def test_openinference_langchain_sub_agent_named_in_run_metadata():
    # OpenInference's LangChain instrumentation writes a run's metadata as JSON text; LangChain names each
    # agent's runs there (lc_agent_name), a deep agent's sub-agent too: its tool call is its own, not the root's
    def span(sid, parent, kind, name, **attrs):
        kv = [{"key": k, "value": {"stringValue": v}} for k, v in {"openinference.span.kind": kind, **attrs}.items()]
        return {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": sid, "parentSpanId": parent, "name": name,
                "startTimeUnixNano": "1767261600000000000", "endTimeUnixNano": "1767261601000000000", "attributes": kv}
    meta = '{"thread_id": "th-4", "langgraph_node": "tools", "lc_agent_name": "%s"}'
    doc = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [
        span("eee19b7ec3c1b170", "", "CHAIN", "LangGraph", **{"agent.name": "supervisor"}),
        span("eee19b7ec3c1b171", "eee19b7ec3c1b170", "TOOL", "task", **{"tool.name": "task", "metadata": meta % "supervisor",
                                                                          "input.value": '{"description": "find it"}'}),
        span("eee19b7ec3c1b172", "eee19b7ec3c1b171", "TOOL", "web_search", **{"tool.name": "web_search", "metadata": meta % "researcher",
                                                                                "input.value": '{"query": "q3"}'}),
    ]}]}]}
    acts = {a.tool: a.agent_id for a in OtelAdapter().decode(orjson.dumps(doc), "f:1") if isinstance(a, Action)}
    assert acts == {"task": "supervisor", "web_search": "researcher"}

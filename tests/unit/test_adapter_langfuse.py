"""Langfuse's traces as its public API returns them (a trace with its observations; a page of
observations) read by ``--format otel-json`` as GenAI spans. Fixture written from Langfuse's API
reference: a bill-paying agent's trace whose inbox carries an injected payee."""

import random
from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters import BadRecord, sniff_format
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from tests.factories import JUNK, assert_read_cleanly, mangler, tool_calls

TRACE = Path(__file__).parents[1] / "data" / "adapters" / "langfuse_trace.json"
DOC = orjson.loads(TRACE.read_bytes())


def test_a_trace_with_its_observations():
    adapter = OtelAdapter()
    results = list(adapter.read(TRACE))
    assert not [r for r in results if isinstance(r, BadRecord)]
    acts = {a.tool: a for a in results}
    assert tool_calls(results) == [("read_inbox", "read", "success", None), ("lookup_fx", "read", "error", None),
                                   ("send_money", "send", "success", "GB33BUKB20201555555555")]
    assert {a.agent_id for a in results} == {"Bill payer"}  # the AGENT observation, nearer than the trace's name
    assert {a.session_id for a in results} == {"sess-42"}  # the trace's sessionId
    pay = acts["send_money"]
    assert pay.attributes["arguments"] == {"recipient": "GB33BUKB20201555555555", "amount": 500, "subject": "refund"}
    assert pay.attributes["request"] == "Pay my March electricity bill; it is in my inbox."  # the trace's input
    assert pay.time.isoformat() == "2026-03-02T10:00:06+00:00"
    assert acts["lookup_fx"].attributes["status_message"] == "timeout after 10s"  # level ERROR
    assert acts["gen_ai.chat"].model is not None and acts["gen_ai.chat"].model.id == "gpt-4o-2024-08-06"
    assert adapter.skipped == {"langfuse.trace": 1, "langfuse.chain": 1, "langfuse.event": 1}
    assert sniff_format(TRACE) == "otel-json"  # the hint a replay without --format gives
    engine = Engine()
    alerts = [o for a in results for o in engine.process(a)] + engine.flush()
    (hit,) = [o for o in alerts if isinstance(o, Alert) and o.rule_id == "intent.injected_target"]
    assert hit.severity == "high" and "send_money" in hit.message


def test_a_page_of_observations_and_the_trace_named_agent():
    page = {"data": DOC["observations"], "meta": {"page": 1, "limit": 50, "totalItems": 7, "totalPages": 1}}
    results = list(OtelAdapter().decode(orjson.dumps(page), "observations.json"))
    assert tool_calls(results) == tool_calls(OtelAdapter().read(TRACE))
    assert {a.session_id for a in results} == {None}  # no trace in the page: no session
    # no agent observation: the trace's name is the agent
    doc = {**DOC, "observations": [{**o, "parentObservationId": None} for o in DOC["observations"] if o["type"] == "TOOL"]}
    assert {a.agent_id for a in OtelAdapter().decode(orjson.dumps(doc), "t")} == {"bill-payer"}


def test_a_trace_saved_beside_its_observations_reads_as_the_api_s(tmp_path):
    """``{"trace": {...}, "observations": [...]}``, as Langfuse's own stored example traces are: the same actions."""
    beside = {"trace": {k: v for k, v in DOC.items() if k != "observations"}, "observations": DOC["observations"]}
    results = list(OtelAdapter().decode(orjson.dumps(beside), "trace.json"))
    assert [(a.tool, a.agent_id, a.session_id) for a in results] == [(a.tool, a.agent_id, a.session_id) for a in OtelAdapter().read(TRACE)]
    (tmp_path / "trace.json").write_bytes(orjson.dumps(beside, option=orjson.OPT_INDENT_2))
    assert sniff_format(tmp_path / "trace.json") == "otel-json"
    # several traces beside their observations: each observation under its own trace
    other = {**beside["trace"], "id": "t-2", "name": "fx-checker", "sessionId": "sess-7"}
    moved = [{**o, "traceId": "t-2", "parentObservationId": None} for o in DOC["observations"] if o["name"] == "lookup_fx"]
    both = {"traces": [beside["trace"], other], "observations": DOC["observations"] + moved}
    got = [(a.tool, a.agent_id, a.session_id) for a in OtelAdapter().decode(orjson.dumps(both), "traces.json") if isinstance(a, Action)]
    assert got == [(a.tool, a.agent_id, a.session_id) for a in OtelAdapter().read(TRACE)] + [("lookup_fx", "fx-checker", "sess-7")]
    # a trace listed twice (an export run twice into one file) still reads each observation once
    twice = {**both, "traces": [beside["trace"], other, other]}
    again = [(a.tool, a.agent_id, a.session_id) for a in OtelAdapter().decode(orjson.dumps(twice), "traces.json") if isinstance(a, Action)]
    assert again == got


def test_bad_items_cost_only_themselves():
    doc = {**DOC, "observations": [*DOC["observations"], "obs-id-only", {**DOC["observations"][2], "id": "x", "startTime": "soon"},
                                   {**DOC["observations"][2], "id": None}]}
    results = list(OtelAdapter().decode(orjson.dumps([doc, {"id": "t2", "observations": 5}]), "traces.json"))
    bad = {r.source: r.reason for r in results if isinstance(r, BadRecord)}
    assert bad["traces.json[0].observations[7]"].startswith("an observation id, not the observation")
    assert bad["traces.json[0].observations[8]"] == "startTime 'soon' is not an ISO 8601 time after 1970"
    assert bad["traces.json[0].observations[9]"] == "id None is not an id (text)"
    assert "not a Langfuse observation" in bad["traces.json[1]"]
    assert len(tool_calls(results)) == 3


def test_a_bad_agent_observation_still_names_the_agent_of_its_calls():
    doc = {**DOC, "observations": [{**o, "startTime": 7} if o["type"] == "AGENT" else o for o in DOC["observations"]]}
    results = list(OtelAdapter().decode(orjson.dumps(doc), "t"))
    assert [r.reason for r in results if isinstance(r, BadRecord)] == ["startTime 7 is not an ISO 8601 time after 1970"]
    assert {a.agent_id for a in results if isinstance(a, Action)} == {"Bill payer"}  # not the trace's name


@pytest.mark.parametrize("seed", range(3))
def test_mangled_langfuse_documents_never_raise(seed):
    mangle = mangler(random.Random(seed), [*JUNK, "ERROR", "AGENT"])
    for i in range(300):
        page = {"data": mangle(DOC["observations"]), "meta": {}}
        assert_read_cleanly(OtelAdapter().decode, (mangle(DOC), page, mangle(DOC["observations"][2])), f"m{i}")


def test_a_v2_trace_s_tool_calls_are_its_spans_named_after_what_a_generation_asked():
    """Langfuse v2 (and its LangChain handler then) typed no tool observation: a ``SPAN`` named after a tool
    a generation asked for is that call; a span named otherwise (a chain step) stays skipped."""
    asked = [{"id": f"call_{n}", "type": "function", "function": {"name": n, "arguments": "{}"}}
             for n in ("read_inbox", "lookup_fx", "send_money")]
    observations = []
    for o in DOC["observations"]:
        o = {**o, "type": "SPAN"} if o["type"] in ("TOOL", "AGENT") else o
        if o["type"] == "GENERATION":
            o = {**o, "output": {**o["output"], "tool_calls": asked}}
        observations.append(o)
    observations.append({**observations[-1], "id": "obs-format", "type": "SPAN", "name": "format_answer"})
    v2 = {**DOC, "observations": observations}
    typed = tool_calls(OtelAdapter().read(TRACE))
    adapter = OtelAdapter()
    assert tool_calls(adapter.decode(orjson.dumps(v2), "v2.json")) == typed
    assert adapter.skipped["langfuse.span"] == 2  # the agent span and the chain step
    page = {"data": observations, "meta": {"page": 1, "limit": 50, "totalItems": len(observations), "totalPages": 1}}
    unnamed = [r.reason.split(" ", 1)[0] for r in OtelAdapter().decode(orjson.dumps(page), "page.json") if isinstance(r, BadRecord)]
    assert sorted(unnamed) == ["chat", *["execute_tool"] * 3]  # read as the calls; a page of v2 names no agent
    untyped = {**v2, "observations": [o for o in observations if o["type"] != "GENERATION"]}  # no generation: no call known
    assert tool_calls(OtelAdapter().decode(orjson.dumps(untyped), "t.json")) == []


def _obs(i, kind, name, parent, **fields):
    return {"id": f"o{i}", "traceId": "t9", "type": kind, "name": name, "parentObservationId": parent,
            "startTime": f"2026-03-02T10:00:0{i}.000Z", "endTime": f"2026-03-02T10:00:0{i}.400Z", **fields}


def test_what_otel_ingestion_kept_in_metadata_names_the_call():
    """An observation ingested over OpenTelemetry is named after its span ("execute_tool say_hello", Pydantic
    AI's "running tool: ..."), and keeps the span's attributes in ``metadata.attributes`` (an object, or JSON
    text): the tool, agent and call id the instrumentation wrote win, and an ADK tool's arguments and response
    come from there when the observation's own ``input`` / ``output`` are empty."""
    adk = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "send_money", "gen_ai.tool.call.id": "adk-1",
           "gcp.vertex.agent.tool_call_args": '{"iban": "GB33BUKB20201555555555", "amount": 500}',
           "gcp.vertex.agent.tool_response": "{'status': 'sent'}", "openinference.span.kind": "TOOL"}
    doc = {"trace": {"id": "t9", "name": "payments", "input": "Pay the March bill"}, "observations": [
        _obs(0, "AGENT", "agent_run [payer]", None, metadata={"attributes": {"gen_ai.agent.name": "payer"}}),
        _obs(1, "TOOL", "execute_tool send_money", "o0", input={}, output={}, metadata={"attributes": adk}),
        _obs(2, "TOOL", "running tool: read_inbox", "o0", input={"folder": "inbox"}, output="2 mails",
             metadata=orjson.dumps({"attributes": {"gen_ai.tool.name": "read_inbox", "tool_arguments": "{'folder': 'x'}"}}).decode())]}
    acts = [r for r in OtelAdapter().decode(orjson.dumps(doc), "t.json") if isinstance(r, Action)]
    assert [(a.tool, a.agent_id) for a in acts] == [("gen_ai.invoke_agent", "payer"), ("send_money", "payer"), ("read_inbox", "payer")]
    pay, read = acts[1], acts[2]
    assert (pay.attributes["arguments"], pay.attributes["result"], pay.attributes["tool_call_id"]) == (
        {"iban": "GB33BUKB20201555555555", "amount": 500}, {"status": "sent"}, "adk-1")
    assert read.attributes["arguments"] == {"folder": "inbox"}  # the observation's own input, not empty, wins
    # Langfuse's own export writes the empty input and output as text: "{}" is empty too
    doc["observations"][1] = {**doc["observations"][1], "input": "{}", "output": "{}"}
    pay = [r for r in OtelAdapter().decode(orjson.dumps(doc), "t.json") if isinstance(r, Action)][1]
    assert (pay.attributes["arguments"], pay.attributes["result"]) == ({"iban": "GB33BUKB20201555555555", "amount": 500}, {"status": "sent"})


def test_a_langchain_handler_s_trace_its_calls_in_additional_kwargs_and_tool_messages():
    """LangChain's Langfuse handler records the model's calls in ``additional_kwargs`` and a tool's answer as a
    ToolMessage (``{"type": "tool", "content": ..., "status": ...}``), its call as a ``SPAN`` named after the tool."""
    asked = {"role": "assistant", "content": "", "additional_kwargs": {"tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "web_search", "arguments": {"query": "fx rates"}}}]}}
    answer = {"content": [{"url": "https://fx.example", "title": "Rates"}], "type": "tool", "name": "web_search",
              "tool_call_id": "call_1", "status": "error"}
    doc = {"trace": {"id": "t9", "name": "LangGraph"}, "observations": [
        _obs(0, "SPAN", "LangGraph", None),
        _obs(1, "GENERATION", "ChatOpenAI", "o0", input=[{"role": "user", "content": "Be helpful!"},
                                                          {"role": "developer", "content": "Answer briefly."},
                                                          {"role": "user", "content": "Find fx rates"}], output=asked),
        _obs(2, "SPAN", "web_search", "o0", input={"query": "fx rates"}, output=answer)]}
    acts = [r for r in OtelAdapter().decode(orjson.dumps(doc), "t.json") if isinstance(r, Action)]
    assert [(a.tool, a.outcome) for a in acts] == [("gen_ai.chat", "success"), ("web_search", "error")]
    assert acts[1].attributes["result"] == [{"url": "https://fx.example", "title": "Rates"}]
    assert acts[0].attributes["request"] == "Be helpful!\nFind fx rates"  # the user messages before the model's turn


def test_what_the_span_said_it_was_types_the_observation():
    """Langfuse typed some instrumentations' tool spans as ``SPAN`` (an OpenInference ``TOOL`` span before
    mid-2025; Koog's ``tool.<name>`` spans, which name their tool but no operation): the span's own GenAI operation,
    else a tool it names (not under another OpenInference kind), says what it is. Koog's ``create_agent`` is no action;
    OpenInference's ADK agent span ``agent_run [payer]`` names the agent ``payer``."""
    koog = {"gen_ai.tool.name": "send_money", "gen_ai.tool.call.id": "call_7"}
    doc = {"trace": {"id": "t9", "name": "payments"}, "observations": [
        _obs(0, "AGENT", "agent.f9f7", None, metadata={"attributes": {"gen_ai.operation.name": "create_agent", "gen_ai.agent.id": "f9f7"}}),
        _obs(1, "AGENT", "agent_run [payer]", "o0", metadata={"attributes": {"openinference.span.kind": "AGENT"}}),
        _obs(2, "SPAN", "tool.send_money", "o1", input={"iban": "GB33BUKB20201555555555"}, output="sent", metadata={"attributes": koog}),
        _obs(3, "SPAN", "duckduckgo_search", "o1", input={"query": "fx"}, output=[],
             metadata={"attributes": {"openinference.span.kind": "TOOL", "tool.name": "duckduckgo_search"}}),
        _obs(4, "SPAN", "node.nodeExecuteTool", "o1", metadata={"attributes": {}}),
        _obs(6, "SPAN", "agent.react.update-13", "o1",  # BeeAI's: a span per event, no call of its own
             metadata={"attributes": {"openinference.span.kind": "AGENT", "tool.name": "Wikipedia"}}),
        _obs(5, "GENERATION", "chat gpt-4o-mini", "o1", output="None")]}
    adapter = OtelAdapter()
    acts = [r for r in adapter.decode(orjson.dumps(doc), "t.json") if isinstance(r, Action)]
    assert [(a.tool, a.agent_id, a.attributes.get("tool_call_id")) for a in acts] == [
        ("gen_ai.invoke_agent", "payer", None), ("send_money", "payer", "call_7"), ("duckduckgo_search", "payer", None),
        ("gen_ai.chat", "payer", None)]
    assert acts[1].attributes["arguments"] == {"iban": "GB33BUKB20201555555555"}
    assert "answer" not in acts[3].attributes  # Agno's printed nothing
    assert adapter.skipped == {"langfuse.trace": 1, "langfuse.create_agent": 1, "langfuse.span": 2}


def test_a_tool_run_langsmith_exported_keeps_its_arguments_unwrapped():
    """The Claude Agent SDK traced by LangSmith's OpenTelemetry export into Langfuse: a tool run's one argument
    wrapped as ``{"input": ...}`` (JSON text), as LangSmith's own runs hold it; the request its query's
    ``{"prompt": ...}``, the trace's input (JSON text, encoded twice as Langfuse exports it)."""
    otel = {"langsmith.span.kind": "tool", "langsmith.trace.name": "mcp__weather__get_weather", "gen_ai.operation.name": "execute_tool"}
    doc = {"trace": {"id": "t9", "name": "claude.conversation", "input": orjson.dumps('{"prompt":"Weather in Berlin?","system":"Be brief."}').decode()}, "observations": [
        _obs(1, "TOOL", "mcp__weather__get_weather", None, input='{"input":{"city":"Berlin"}}',
             output='{"content":[{"type":"text","text":"Weather in Berlin: Cloudy"}]}',
             metadata=orjson.dumps({"attributes": otel}).decode())]}
    (a,) = [r for r in OtelAdapter().decode(orjson.dumps(doc), "t.json") if isinstance(r, Action)]
    assert (a.tool, a.attributes["arguments"], a.attributes["request"]) == ("mcp__weather__get_weather", {"city": "Berlin"}, "Weather in Berlin?")
    assert a.attributes["result"] == {"content": [{"type": "text", "text": "Weather in Berlin: Cloudy"}]}

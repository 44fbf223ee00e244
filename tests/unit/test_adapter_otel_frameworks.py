"""Tool spans as agent frameworks write them, not only as the current GenAI conventions say: Strands
Agents (arguments in span events), Google ADK (gcp.vertex.agent.*), OpenInference and Traceloop (the
agent span exported after its tool spans), Pydantic AI's "running tool", OTLP's old
instrumentationLibrarySpans, the latest conventions' messages. Fixture written from each producer's
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
        "get_quote", "get_weather", "http_request", "list_files", "lookup_customer", "read_file", "send_invoice"]
    assert adapter.skipped == {"execute_event_loop_cycle": 1, "not gen_ai": 1}  # the cycle span; "agent run"

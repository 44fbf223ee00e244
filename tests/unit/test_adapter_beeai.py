"""BeeAI's first OpenInference instrumentation (openinference-instrumentation-beeai before its mid-2025
rewrite): a span per event its emitter sent, each with ``target`` (``tool.search.wikipedia.start``), ``name``
(the event) and the event's data (``tool.parameters``, ``output.value``), under one ``beeai-framework-main``
span. A tool's ``success`` (or ``error``) event is its call; ``start`` and ``finish`` are parts of it.
Fixture written from the instrumentation's span builder, as OTLP/JSON (both encodings) and as Langfuse keeps
such spans (``metadata.attributes``)."""

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from intentwatch.pipeline.lab.simulate.spans import to_proto

TRACE, START = "0cff26913a454988a2438cb8c508aa25", 1754056614163000000
PARAMS = {"query": "Tourism in Barcelona", "full_text": False}
RESULT = "Barcelona is a city on the northeastern coast of Spain."
MAIN = {"source": "ReActAgent", "openinference.span.kind": "AGENT", "beeai.version": "0.1.33",
        "input.value": "What should I visit in Barcelona?"}
EVENTS = [("start", {"tool.parameters": orjson.dumps(PARAMS).decode()}),
          ("success", {"tool.parameters": orjson.dumps(PARAMS).decode(), "output.value": RESULT}),
          ("finish", {})]


def _value(v):
    return {"stringValue": v}


def _span(span_id: str, name: str, at: float, attrs: dict, parent: str = "") -> dict:
    s = {"traceId": TRACE, "spanId": span_id, "name": name, "kind": 1, "status": {"code": 1},
         "startTimeUnixNano": str(START + int(at * 1e9)), "endTimeUnixNano": str(START + int((at + 0.1) * 1e9)),
         "attributes": [{"key": k, "value": _value(v)} for k, v in attrs.items()]}
    if parent:
        s["parentSpanId"] = parent
    return s


def _otlp() -> dict:
    spans = [_span("cb4886242bf214b8", "beeai-framework-main", 0, MAIN)]
    for i, (event, data) in enumerate(EVENTS):
        spans.append(_span(f"1d8ae8c504c576d{i}", f"tool.search.wikipedia.{event}-12", 1 + i * 0.5,
                           {"target": f"tool.search.wikipedia.{event}", "name": event, "traceId": TRACE,
                            "openinference.span.kind": "TOOL", **data}, parent="cb4886242bf214b8"))
    return {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": _value("trip-planner")}]},
                               "scopeSpans": [{"spans": spans}]}]}


@pytest.mark.parametrize("encoding", ["json", "proto"])
def test_a_tools_success_event_is_its_call_and_its_other_events_are_skipped(encoding):
    if encoding == "json":
        adapter, raw = OtelAdapter(), orjson.dumps(_otlp())
    else:
        adapter, raw = OtelAdapter("proto"), to_proto(_otlp()).SerializeToString()
    results = list(adapter.decode(raw, "m"))
    assert not [r for r in results if isinstance(r, BadRecord)]
    calls = [a for a in results if isinstance(a, Action) and not a.tool.startswith("gen_ai.")]
    assert [(a.agent_id, a.tool, a.attributes["arguments"], a.attributes["result"], a.outcome) for a in calls] == [
        ("trip-planner", "search.wikipedia", PARAMS, RESULT, "success")]
    assert adapter.skipped["beeai.start"] == adapter.skipped["beeai.finish"] == 1


def test_the_same_events_as_langfuse_keeps_them():
    observations = [{"id": "cb4886242bf214b8", "traceId": "t-1", "type": "SPAN", "name": "beeai-framework-main",
                     "startTime": "2025-08-01T13:56:54.163Z", "endTime": "2025-08-01T13:57:11.400Z", "input": MAIN["input.value"],
                     "metadata": {"attributes": MAIN}}]
    for i, (event, data) in enumerate(EVENTS):
        observations.append({
            "id": f"1d8ae8c504c576d{i}", "traceId": "t-1", "type": "SPAN", "name": f"tool.search.wikipedia.{event}-12",
            "parentObservationId": "cb4886242bf214b8", "startTime": f"2025-08-01T13:56:5{5 + i}.683Z", "endTime": f"2025-08-01T13:56:5{5 + i}.700Z",
            "metadata": {"attributes": {"target": f"tool.search.wikipedia.{event}", "name": event, "traceId": TRACE,
                                        "openinference.span.kind": "TOOL", **{k: orjson.loads(v) if k == "tool.parameters" else v
                                                                              for k, v in data.items()}}}})
    doc = {"trace": {"id": "t-1", "name": "beeai-framework-main", "timestamp": "2025-08-01T13:56:54.163Z"}, "observations": observations}
    results = list(OtelAdapter().decode(orjson.dumps(doc), "lf"))
    assert not [r for r in results if isinstance(r, BadRecord)]
    calls = [a for a in results if isinstance(a, Action) and not a.tool.startswith("gen_ai.")]
    assert [(a.tool, a.attributes["arguments"], a.attributes["result"]) for a in calls] == [("search.wikipedia", PARAMS, RESULT)]


def test_the_first_instrumentations_agent_events_are_skipped_not_read_as_agents():
    doc = _otlp()
    spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
    spans.append(_span("2d8ae8c504c576d0", "agent.react.update-18", 3, {
        "target": "agent.react.update", "name": "update", "openinference.span.kind": "AGENT", "tool.name": "OpenMeteoTool",
        "output.value": '{"temperature": 21}'}, parent="cb4886242bf214b8"))
    adapter = OtelAdapter()
    results = list(adapter.decode(orjson.dumps(doc), "m"))
    assert [a.tool for a in results if isinstance(a, Action)] == ["gen_ai.invoke_agent", "search.wikipedia"]  # (the run, its call)
    assert adapter.skipped["beeai.update"] == 1


def test_the_rewrite_a_span_per_run_and_under_it_one_per_other_event():
    """openinference-instrumentation-beeai since its rewrite: a TOOL span per call (``tool.name``, ``input.value``,
    ``output.value``) and, under it, a span of the same kind for each other event, named after it."""
    run = _span("3d8ae8c504c576d0", "Wikipedia", 1, {
        "openinference.span.kind": "TOOL", "tool.name": "Wikipedia", "input.value": orjson.dumps(PARAMS).decode(),
        "output.value": RESULT}, parent="cb4886242bf214b8")
    events = [_span(f"3d8ae8c504c576d{i}", event, 1 + i * 0.1, {
        "openinference.span.kind": "TOOL", "input.value": "{}", "metadata.id": f"ev-{i}", "metadata.path": f"tool.search.wikipedia.{event}",
        "metadata.trace.id": "tr-1"}, parent="3d8ae8c504c576d0") for i, event in enumerate(("start", "finish"), 1)]
    model = _span("4d8ae8c504c576d0", "ChatModel", 0.5, {"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini"},
                  parent="cb4886242bf214b8")
    token = _span("4d8ae8c504c576d1", "new_token", 0.6, {"openinference.span.kind": "LLM", "metadata.path": "backend.openai.chat.new_token"},
                  parent="4d8ae8c504c576d0")
    doc = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": _value("trip-planner")}]},
                              "scopeSpans": [{"spans": [_span("cb4886242bf214b8", "ReActAgent", 0, {**MAIN, "source": ""}), model, token, run, *events]}]}]}
    adapter = OtelAdapter()
    results = list(adapter.decode(orjson.dumps(doc), "m"))
    assert not [r for r in results if isinstance(r, BadRecord)]
    assert [(a.tool, a.attributes.get("arguments")) for a in results if isinstance(a, Action)] == [
        ("gen_ai.invoke_agent", None), ("gen_ai.chat", None), ("Wikipedia", PARAMS)]
    assert (adapter.skipped["beeai.start"], adapter.skipped["beeai.finish"], adapter.skipped["beeai.new_token"]) == (1, 1, 1)

"""Spans as rows of a trace store (span_rows.py), read by ``--format otel-json``: the OpenTelemetry
Collector's ClickHouse exporter's ``otel_traces`` rows as ``FORMAT JSONEachRow`` writes them (GenAI
conventions; a payment agent whose inbox carries an injected payee), and a trace as TRAIL keeps them
(snake_case columns, children nested in ``child_spans``; a smolagents run traced by OpenInference).
Fixtures written from the exporter's table schema and TRAIL's layout."""

import random
from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters import BadRecord, sniff_format
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from tests.factories import JUNK, assert_read_cleanly, mangler

DATA = Path(__file__).parents[1] / "data" / "adapters"
ROWS = DATA / "clickhouse_spans.jsonl"
TRAIL = DATA / "trail_trace.json"


def _read(path: Path) -> tuple[list[Action], list[BadRecord], OtelAdapter]:
    adapter = OtelAdapter()
    out = list(adapter.read(path))
    return [a for a in out if isinstance(a, Action)], [b for b in out if isinstance(b, BadRecord)], adapter


def test_clickhouse_rows_are_genai_spans():
    acts, bad, adapter = _read(ROWS)
    assert not bad and sniff_format(ROWS) == "otel-json"
    assert [(a.tool, a.operation, a.outcome, a.resource) for a in acts] == [
        ("gen_ai.invoke_agent", "invoke", "success", None), ("read_inbox", "read", "success", None),
        ("lookup_fx", "read", "error", None), ("send_money", "send", "success", "DE89370400440532013000"),
        ("send_money", "send", "success", "GB29NWBK60161331926819")]
    assert {(a.agent_id, a.session_id) for a in acts} == {("payments_agent", "conv-77")}
    fx = acts[2]
    assert fx.attributes["status_message"] == "timeout after 10s"  # StatusCode "Error", StatusMessage
    assert fx.time.isoformat() == "2025-11-03T09:00:02.500000+00:00"  # "2025-11-03 09:00:02.500000000": UTC
    # the request from the agent span's event (the exporter's parallel Events.* arrays)
    assert acts[1].attributes["request"] == "Pay my March electricity bill; it is in my inbox."
    assert adapter.skipped["not gen_ai"] == 1  # the HTTP client span
    engine = Engine()
    alerts = [o for a in acts for o in engine.process(a)] + engine.flush()
    injected = [o for o in alerts if isinstance(o, Alert) and o.rule_id == "intent.injected_target" and o.status == "open"]
    assert [(o.severity, o.evidence.action["event_id"]) for o in injected] == [("high", "00f067aa0ba902ba")], injected  # not the bill's IBAN
    assert "recipient='de89370400440532013000'" in injected[0].message


def test_trail_trace_children_nested_and_a_smolagents_run():
    acts, bad, _ = _read(TRAIL)
    assert not bad and sniff_format(TRAIL) == "otel-json"
    by_tool = {a.tool: a for a in acts}
    assert sorted(by_tool) == ["gen_ai.chat", "gen_ai.invoke_agent", "visit_webpage", "web_search"]
    assert {a.agent_id for a in acts} == {"CodeAgent"}  # no service name: the agent run the span is named after
    search, visit = by_tool["web_search"], by_tool["visit_webpage"]
    assert search.attributes["arguments"] == {"query": "Mercedes Sosa discography"}  # Tool.__call__'s kwargs
    assert (visit.operation, visit.outcome, visit.resource) == ("read", "error", "https://en.wikipedia.org/wiki/Mercedes_Sosa_discography")
    assert visit.attributes["arguments"] == {"url": "https://en.wikipedia.org/wiki/Mercedes_Sosa_discography"}  # tool(dict)
    assert search.attributes["request"].startswith("How many studio albums did Mercedes Sosa")  # the run's task
    assert by_tool["gen_ai.chat"].model is not None and by_tool["gen_ai.chat"].model.id == "o3-mini"
    assert search.time.isoformat() == "2025-03-19T16:44:28.900000+00:00"


def test_a_bad_row_costs_only_itself_and_its_children_keep_their_agent():
    doc = orjson.loads(TRAIL.read_bytes())
    step = doc["spans"][0]["child_spans"][0]
    step["timestamp"] = "yesterday"
    adapter = OtelAdapter()
    out = list(adapter.decode(orjson.dumps(doc), "trail.json"))
    (bad,) = [r for r in out if isinstance(r, BadRecord)]
    assert bad.source == "trail.json#spans[0].child_spans[0]" and "timestamp 'yesterday' is not an ISO 8601 time" in bad.reason
    assert "child_spans" not in orjson.loads(bad.raw)  # the dead letter holds the row without its children
    acts = {a.tool: a.agent_id for a in out if isinstance(a, Action)}
    assert acts == {"gen_ai.invoke_agent": "CodeAgent", "gen_ai.chat": "CodeAgent", "web_search": "CodeAgent",
                    "visit_webpage": "CodeAgent"}
    lines = ROWS.read_bytes().splitlines()
    rows = [orjson.loads(x) for x in lines]
    rows[3]["SpanId"] = None
    out = [r for x in rows for r in OtelAdapter().decode(orjson.dumps(x), "ch:1")]
    assert [r.reason for r in out if isinstance(r, BadRecord)] == ["span_id None is not an id (text)"]
    assert len([a for a in out if isinstance(a, Action)]) == 4


@pytest.mark.parametrize("seed", range(3))
def test_mangled_rows_never_raise(seed):
    mangle = mangler(random.Random(seed), [*JUNK, "TOOL", "PT1S", "2025-03-19 16:44:22.1"])
    trail, rows = orjson.loads(TRAIL.read_bytes()), [orjson.loads(x) for x in ROWS.read_bytes().splitlines()]
    for i in range(300):
        assert_read_cleanly(OtelAdapter().decode, (mangle(trail), mangle(rows), mangle(rows[3])), f"m{i}")

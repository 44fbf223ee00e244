"""Braintrust's project logs (a fetch's ``{"events": [...]}``, a list, a line each) read by ``--format
otel-json`` as GenAI spans. Fixture written from Braintrust's log event schema: a bill payer's trace
whose inbox carries an injected payee."""

import random
from pathlib import Path

import orjson

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, sniff_format
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from tests.factories import JUNK, assert_read_cleanly, mangler, replayed_alerts, tool_calls

LOGS = Path(__file__).parents[1] / "data" / "adapters" / "braintrust_logs.json"
DOC = orjson.loads(LOGS.read_bytes())


def test_a_trace_s_events():
    adapter = OtelAdapter()
    results = list(adapter.read(LOGS))
    assert not [r for r in results if isinstance(r, BadRecord)]
    assert tool_calls(results) == [("read_inbox", "read", "success", None), ("lookup_fx", "read", "error", None),
                                   ("send_money", "send", "success", "GB33BUKB20201555555555")]
    acts = {a.tool: a for a in results if isinstance(a, Action)}
    assert {a.agent_id for a in results} == {"bill-payer"} and {a.session_id for a in results} == {"thread-42"}
    assert acts["send_money"].attributes["arguments"] == {"recipient": "GB33BUKB20201555555555", "amount": 500}
    assert acts["send_money"].attributes["request"] == "Pay my March electricity bill; it is in my inbox."
    assert acts["send_money"].time.isoformat() == "2026-03-02T10:00:05+00:00"  # metrics.start, Unix seconds
    assert acts["lookup_fx"].attributes["status_message"].startswith("TimeoutError")
    assert acts["gen_ai.chat"].model is not None and acts["gen_ai.chat"].model.id == "gpt-4o-2024-08-06"
    assert adapter.skipped == {"braintrust.score": 1}
    assert sniff_format(LOGS) == "otel-json"


def test_the_injected_payee_pages(tmp_path):
    alerts = replayed_alerts(LOGS, tmp_path, fmt="otel-json")
    assert {(a["evidence"]["action"]["tool"], a["severity"]) for a in alerts if a["rule_id"] == "intent.injected_target"} == {
        ("send_money", "high")}


def test_a_list_and_lines_read_the_same(tmp_path):
    lines = tmp_path / "events.jsonl"
    lines.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in DOC["events"]))
    expected = tool_calls(OtelAdapter().read(LOGS))
    assert tool_calls(OtelAdapter().decode(orjson.dumps(DOC["events"]), "list.json")) == expected
    assert tool_calls(OtelAdapter().read(lines)) == expected


def test_bad_events_cost_only_themselves():
    events = DOC["events"]
    broken = [*events, {**events[2], "span_id": 7}, {**events[5], "span_id": "x-6", "metrics": {}, "created": "soon"}]
    results = list(OtelAdapter().decode(orjson.dumps({"events": broken}), "fetch.json"))
    assert sorted(r.reason for r in results if isinstance(r, BadRecord)) == [
        "created 'soon' is not an ISO 8601 time after 1970", "span_id 7 is not an id (text)"]
    assert tool_calls(results) == tool_calls(OtelAdapter().read(LOGS))


def test_mangled_events_are_read_cleanly():
    rng = random.Random(9)
    mangle = mangler(rng, JUNK)
    adapter = OtelAdapter()
    assert_read_cleanly(adapter.decode, (mangle(rng.choice([DOC, DOC["events"], rng.choice(DOC["events"])])) for _ in range(300)), "b")

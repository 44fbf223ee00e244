"""Spans as the AWS Distro for OpenTelemetry writes them to CloudWatch's ``aws/spans`` log group (Transaction
Search; where Amazon Bedrock AgentCore's agents are traced), read by ``--format otel-json`` (sdk_spans.py).

Fixture (tests/data/adapters/aws_spans.jsonl) written here from the shape AWS's AgentCore observability
documentation shows for ``aws/spans`` records (OTLP's span names, attributes a plain object) and Strands
Agents' tool events: a billing agent reads an invoice whose text carries an injection, pays the IBAN it
names, then fails to pay the invoice's own."""

from pathlib import Path

import orjson

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter, read_tree, sniff_format
from tests.factories import replayed_alerts

FIXTURE = Path(__file__).parents[1] / "data" / "adapters" / "aws_spans.jsonl"


def _calls(path: Path) -> tuple[list[Action], list[BadRecord]]:
    results = list(read_tree(open_adapter("otel-json"), path))
    return ([r for r in results if isinstance(r, Action) and r.tool != "gen_ai.chat"],
            [r for r in results if isinstance(r, BadRecord)])


def test_agentcore_spans_are_the_agent_s_tool_calls():
    assert sniff_format(FIXTURE) == "otel-json"
    calls, bad = _calls(FIXTURE)
    assert not bad
    assert [(a.agent_id, a.tool, a.outcome, a.attributes.get("arguments")) for a in calls
            if a.tool != "invoke_agent" and a.operation != "invoke"] == [
        ("billing_agent", "read_invoice", "success", {"invoice_id": "INV-7"}),
        ("billing_agent", "send_payment", "success", {"iban": "GB33BUKB20201555555555", "amount": 500}),
        ("billing_agent", "send_payment", "error", {"iban": "DE89370400440532013000", "amount": 98.7})]
    read = next(a for a in calls if a.tool == "read_invoice")
    assert "GB33BUKB20201555555555" in str(read.attributes["result"]) and read.session_id == "sess-7f3a"
    assert read.time.isoformat() == "2025-11-06T12:00:02+00:00"


def test_the_injected_iban_pages(tmp_path):
    hits = [a for a in replayed_alerts(FIXTURE, tmp_path, fmt="otel-json") if a["rule_id"] == "intent.injected_target"]
    assert [(a["severity"], a["evidence"]["observed"]) for a in hits if a["status"] == "open"] == [("high", "gb33bukb20201555555555")]


def test_inside_a_cloudwatch_envelope_and_with_text_times(tmp_path):
    """``aws logs filter-log-events --log-group-name aws/spans`` writes each span as an event's message;
    OTLP/JSON writes its int64 times as text: the same calls."""
    lines = FIXTURE.read_bytes().splitlines()
    spans = [orjson.loads(x) for x in lines]
    for s in spans:
        s["startTimeUnixNano"], s["endTimeUnixNano"] = str(s["startTimeUnixNano"]), str(s["endTimeUnixNano"])
    envelope = {"events": [{"logStreamName": "default", "timestamp": 1762430400000 + i, "message": orjson.dumps(s).decode(),
                            "ingestionTime": 1762430401000, "eventId": f"3{i:055d}"} for i, s in enumerate(spans)],
                "searchedLogStreams": []}
    path = tmp_path / "filter-log-events.json"
    path.write_bytes(orjson.dumps(envelope))
    assert sniff_format(path) == "otel-json"
    expected, _ = _calls(FIXTURE)
    got, bad = _calls(path)
    assert not bad and [(a.tool, a.time, a.outcome) for a in got] == [(a.tool, a.time, a.outcome) for a in expected]


def test_a_span_with_a_bad_id_costs_only_itself(tmp_path):
    spans = [orjson.loads(x) for x in FIXTURE.read_bytes().splitlines()]
    spans[1]["spanId"] = "not-hex"
    path = tmp_path / "spans.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(s) for s in spans) + b"\n")
    calls, bad = _calls(path)
    assert len(bad) == 1 and "span" in bad[0].reason.lower() and bad[0].source.endswith(":2")
    assert [a.tool for a in calls if a.tool == "send_payment"] == ["send_payment", "send_payment"]

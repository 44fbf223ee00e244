"""Per-tool intent clauses: operations, resources and argument constraints of one tool pattern."""

from datetime import timedelta
from pathlib import Path

import pytest

from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.intents import load_manifests
from tests.factories import action, instantiate, manifest

PER_TOOL = {
    "banking.send_money": {
        "operations": ["send"],
        "arguments": {"recipient": ["DE89370400440532013000", "GB29NWBK*"], "amount": {"max": 1000, "min": 0}},
    },
    "slack.send_direct_message": {"arguments": {"recipient": ["*@example.com"], "body": {"required": True}}},
    "calendar.create_event": {"arguments": {"participants": ["*@example.com"]}},
    "files.*": {"resources": ["file:reports/*"], "arguments": {"file_id": {"allowed": ["r-*"]}}},
}
M = manifest(allowed={"tools": ["banking.*", "slack.*", "calendar.*", "files.*"], "per_tool": PER_TOOL})


def alerts(*acts) -> list[Alert]:
    e = Engine()
    out = e.process(instantiate(M))
    for i, a in enumerate(acts):
        out += e.process(a)
    return [o for o in out + e.flush() if isinstance(o, Alert) and o.status == "open"]


def call(tool: str, op: str, args, i: int = 0, **kw):
    return action(tool=tool, operation=op, resource=kw.pop("resource", None), data_domain=None,
                  attributes={"arguments": args}, at=timedelta(seconds=i), **kw)


def test_attacker_iban_names_clause_and_argument():
    [a] = alerts(call("banking.send_money", "send", {"recipient": "FR7630006000011234567890189", "amount": 50}))
    assert a.rule_id == "intent.argument_not_allowed" and a.severity == "high"
    assert a.evidence.clause == "allowed.per_tool[banking.send_money].arguments.recipient"
    assert a.evidence.observed == "FR7630006000011234567890189"


def test_declared_payee_and_pattern_are_quiet_case_insensitively():
    assert alerts(call("banking.send_money", "send", {"recipient": "DE89370400440532013000", "amount": 999}),
                  call("banking.send_money", "send", {"recipient": "gb29nwbk60161331926819", "amount": "1,000"}, 1)) == []


def test_an_iban_or_a_phone_number_written_another_way_is_the_declared_one():
    """An IBAN declared in groups and called without them (or the other way), a phone number with or
    without its punctuation: before, each was argument_not_allowed, high."""
    m = manifest(allowed={"tools": ["banking.*", "sms.*"], "per_tool": {
        "banking.send_money": {"arguments": {"recipient": ["DE89 3704 0044 0532 0130 00", "GB29NWBK*"]}},
        "sms.send": {"arguments": {"to": ["+1 (555) 123-4567"]}}}})
    def refused(tool: str, args: dict) -> list:
        e = Engine()
        out = e.process(instantiate(m)) + e.process(call(tool, "send", args))
        return [a.evidence.observed for a in out if isinstance(a, Alert) and a.rule_id == "intent.argument_not_allowed"]

    for tool, args in [("banking.send_money", {"recipient": "DE89370400440532013000"}),
                       ("banking.send_money", {"recipient": "GB29 NWBK 6016 1331 9268 19"}),
                       ("sms.send", {"to": "+15551234567"}), ("sms.send", {"to": "555-123-4567"})]:
        assert refused(tool, args) == [], args
    assert refused("sms.send", {"to": "+1 555 123 4568"}) == ["+1 555 123 4568"]
    assert refused("banking.send_money", {"recipient": "FR76 3000 6000 0112 3456 7890 189"}) == ["FR76 3000 6000 0112 3456 7890 189"]


@pytest.mark.parametrize("amount", [1000.01, -5, "lots", None])
def test_amount_outside_bounds(amount):
    [a] = alerts(call("banking.send_money", "send", {"recipient": "DE89370400440532013000", "amount": amount}))
    assert a.rule_id == "intent.argument_out_of_bounds"
    assert a.evidence.clause.endswith("arguments.amount") and a.evidence.expected == "[0, 1000]"


def test_arguments_as_json_string_from_otel():
    [a] = alerts(call("slack.send_direct_message", "send", '{"recipient": "eve@evil.io", "body": "hi"}'))
    assert (a.rule_id, a.evidence.observed) == ("intent.argument_not_allowed", "eve@evil.io")


def test_every_participant_must_be_allowed():
    ok = call("calendar.create_event", "write", {"participants": ["a@example.com", "b@example.com"]})
    bad = call("calendar.create_event", "write", {"participants": ["a@example.com", "mallory@evil.io"]}, 1)
    assert alerts(ok) == []
    assert [x.evidence.observed for x in alerts(bad)] == ["mallory@evil.io"]


def test_required_argument_missing_and_no_arguments_at_all():
    [a] = alerts(call("slack.send_direct_message", "send", {"recipient": "bob@example.com"}))
    assert a.evidence.clause.endswith("arguments.body") and a.evidence.expected == "present"
    # Content capture off: no arguments; only the required one is reported missing.
    [b] = alerts(action(tool="slack.send_direct_message", operation="send", resource=None, data_domain=None))
    assert b.evidence.clause.endswith("arguments.body")


def test_clause_operations_and_resources():
    out = alerts(call("banking.send_money", "write", {"recipient": "DE89370400440532013000", "amount": 1}),
                 call("files.delete", "write", {"file_id": "r-1"}, 1, resource="file:hr/salaries.xlsx"))
    assert [(a.rule_id, a.evidence.observed) for a in out] == [
        ("intent.tool_operation_not_allowed", "write"), ("intent.tool_resource_not_allowed", "file:hr/salaries.xlsx")]


def test_out_of_clause_read_is_low():
    [a] = alerts(call("files.get", "read", {"file_id": "x-9"}, resource="file:reports/q1"))
    assert (a.rule_id, a.severity) == ("intent.argument_not_allowed", "low")


def test_tool_without_clause_is_not_checked():
    m = manifest(allowed={"tools": ["*"], "per_tool": {"banking.*": {"arguments": {"recipient": ["DE*"]}}}})
    e = Engine()
    e.process(instantiate(m))
    assert e.process(call("mail.send", "send", {"recipient": "x@evil.io"})) == []


BAD = """\
agent_id: pay-1
owner: a@example.com
purpose: pay invoices
allowed:
  tools: [banking.*]
  per_tool:
    banking.send_money:
      arguments:
        amount: {min: 10, max: 1}
        recipient: {}
      operations: [fly]
"""


def test_manifest_errors_at_file_line(tmp_path: Path):
    p = tmp_path / "m.yaml"
    p.write_text(BAD)
    probs = {(pr.field, pr.source.rsplit(":", 1)[1]) for pr in load_manifests(p).errors}
    assert ("allowed.per_tool.banking.send_money.arguments.amount", "9") in probs
    assert ("allowed.per_tool.banking.send_money.arguments.recipient", "10") in probs
    assert ("allowed.per_tool.banking.send_money.operations.0", "11") in probs

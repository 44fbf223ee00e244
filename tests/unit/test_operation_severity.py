"""Severity knows the operation: a read outside intent is visible, a state change outside intent pages."""

from datetime import timedelta

from intentwatch.models.alert import Alert
from intentwatch.models.command import RevocationCommand
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.engine import Engine
from tests.factories import action, instantiate, manifest

M = manifest()


def run(events, config: EngineConfig | None = None) -> list:
    e = Engine(config)
    out = []
    for ev in events:
        out += e.process(ev)
    return out + e.flush()


def opened(out) -> list[tuple[str, str]]:
    return [(o.rule_id, o.severity) for o in out if isinstance(o, Alert) and o.status == "open"]


def test_out_of_intent_read_is_low_and_does_not_page():
    out = run([instantiate(M), action(tool="calendar.get_date", operation="read")])
    assert opened(out) == [("intent.tool_not_allowed", "low")]
    assert out[0].recommended_response == "note; tune the manifest if expected"


def test_out_of_intent_send_keeps_high():
    out = run([instantiate(M), action(tool="slack.post_message", operation="send")])
    assert opened(out) == [("intent.tool_not_allowed", "high")]


def test_a_send_after_reads_opens_its_own_alert_and_reads_after_it_only_count():
    out = run([instantiate(M), action(tool="calendar.get_date"), action(tool="calendar.list", at=timedelta(seconds=1)),
               action(tool="slack.post_message", operation="send", at=timedelta(seconds=2)),
               action(tool="calendar.get_date", at=timedelta(seconds=3))])
    assert opened(out) == [("intent.tool_not_allowed", "low"), ("intent.tool_not_allowed", "high")]
    finals = [(o.severity, o.count) for o in out if isinstance(o, Alert) and o.status == "final"]
    assert finals == [("low", 2), ("high", 2)]


def test_configured_classes_change_the_severity_and_the_command():
    # An enforce agent: critical maps to revoke_credentials. Here a grant outside intent is critical.
    cfg = EngineConfig.model_validate({"operation_severity": {"by_operation": {"grant": "critical", "read": "medium"}}})
    out = run([instantiate(M), action(tool="calendar.get_date"), action(operation="grant", at=timedelta(seconds=1))], cfg)
    assert opened(out)[:2] == [("intent.tool_not_allowed", "medium"), ("intent.operation_not_allowed", "critical")]
    assert [o.action for o in out if isinstance(o, RevocationCommand)] == ["revoke_credentials"]


def test_rules_not_listed_keep_their_severity():
    cfg = EngineConfig.model_validate({"operation_severity": {"rules": ["intent.resource_not_allowed"]}})
    out = run([instantiate(M), action(tool="calendar.get_date")], cfg)
    assert opened(out) == [("intent.tool_not_allowed", "high")]

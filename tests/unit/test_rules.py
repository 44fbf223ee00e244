"""Every deterministic rule: it fires on a constructed case and stays quiet on the near miss."""

from datetime import timedelta

import pytest

from intentwatch.models.alert import Alert
from intentwatch.models.command import RevocationCommand
from intentwatch.pipeline.engine.engine import Engine
from tests.factories import action, decommission, instantiate, manifest, update


def run(events) -> list:
    e = Engine()
    out = []
    for ev in events:
        out += e.process(ev)
    return out + e.flush()


def rules_fired(events) -> list[str]:
    return [o.rule_id for o in run(events) if isinstance(o, Alert) and o.status == "open"]


M = manifest()


@pytest.mark.parametrize(
    "rule, bad, near_miss",
    [
        ("intent.tool_not_allowed", {"tool": "shell.exec"}, {"tool": "zendesk.update_ticket"}),
        ("intent.operation_not_allowed", {"operation": "delete"}, {"operation": "write"}),
        ("intent.data_domain_not_allowed", {"data_domain": "payroll"}, {"data_domain": "customer_contact"}),
        ("intent.resource_not_allowed", {"resource": "mailto:x@evil.io"}, {"resource": "mailto:carol@example.com"}),
        ("lifecycle.model_mismatch", {"model": {"id": "gpt-4o", "version": "2025-01-01"}}, {"model": {"id": "gpt-4o", "version": "2024-08-06"}}),
        ("lifecycle.model_mismatch", {"model": {"id": "claude-x", "version": "2024-08-06"}}, {"model": None}),
        ("intent.undeclared_credential", {"credential_id": "key-of-someone-else"}, {"credential_id": None}),
    ],
)
def test_scope_rule_fires_and_near_miss_is_quiet(rule, bad, near_miss):
    assert rules_fired([instantiate(M), action(**bad)]) == [rule]
    assert rules_fired([instantiate(M), action(**near_miss)]) == []


def test_missing_field_is_not_checked():
    assert rules_fired([instantiate(M), action(resource=None, data_domain=None)]) == []


def test_unconstrained_part_is_quiet():
    m = manifest(allowed={"tools": ["zendesk.*"]})
    assert rules_fired([instantiate(m), action(operation="delete", data_domain="payroll")]) == []


def test_schedule_in_agent_time_zone():
    # 09:00 UTC Monday is 18:00 in Tokyo: inside 07:00-19:00; 11:00 UTC is 20:00 there: outside.
    m = manifest(schedule={"timezone": "Asia/Tokyo", "days": ["mon"], "hours": "07:00-19:00"})
    assert rules_fired([instantiate(m), action()]) == []
    fired = run([instantiate(m), action(at=timedelta(hours=2))])
    assert [a.rule_id for a in fired if isinstance(a, Alert)] == ["intent.outside_schedule"]
    assert fired[0].evidence.observed == "mon 20:00 Asia/Tokyo"


def test_schedule_window_wrapping_midnight():
    m = manifest(schedule={"timezone": "UTC", "days": ["mon"], "hours": "22:00-06:00"}, rate_limit=None)
    ok_late = action(at=timedelta(hours=14))      # mon 23:00
    ok_early = action(at=timedelta(hours=19))     # tue 04:00 belongs to monday's night
    assert rules_fired([instantiate(m), ok_late, ok_early]) == []
    assert rules_fired([instantiate(m), action(at=timedelta(hours=2))]) == ["intent.outside_schedule"]  # mon 11:00


def test_rate_limit_token_bucket():
    # 5 per 60 s: five quick actions pass, the sixth is over; after a minute the bucket refills.
    quick = [action(at=timedelta(seconds=i)) for i in range(5)]
    assert rules_fired([instantiate(M), *quick]) == []
    sixth = action(at=timedelta(seconds=5))
    assert rules_fired([instantiate(M), *quick, sixth]) == ["intent.rate_exceeded"]
    later = action(at=timedelta(seconds=70))
    assert rules_fired([instantiate(M), *quick, later]) == []


def test_shadow_agent():
    assert rules_fired([action(agent_id="ghost-1")]) == ["lifecycle.shadow_agent"]
    assert rules_fired([instantiate(manifest("ghost-1")), action(agent_id="ghost-1")]) == []


def test_zombie_after_decommission_gets_command():
    out = run([instantiate(M), action(), decommission(M.agent_id, timedelta(minutes=5)), action(at=timedelta(minutes=6))])
    alerts = [o for o in out if isinstance(o, Alert)]
    cmds = [o for o in out if isinstance(o, RevocationCommand)]
    assert [a.rule_id for a in alerts] == ["lifecycle.decommissioned_agent_active"]
    assert alerts[0].severity == "critical"
    assert [(c.action, c.credential_ids) for c in cmds] == [("revoke_credentials", ["key-1"])]
    assert rules_fired([instantiate(M), action(), decommission(M.agent_id, timedelta(minutes=5))]) == []


def test_gate_skips_scope_rules():
    # A zombie using a forbidden tool raises the zombie alert only.
    assert rules_fired([instantiate(M), decommission(M.agent_id, timedelta(0)), action(at=timedelta(seconds=1), tool="shell.exec")]) == [
        "lifecycle.decommissioned_agent_active"
    ]


def test_expiry_fires_by_event_time_and_decommissions():
    m = manifest(expires_at="2026-01-05T10:00:00Z")
    # Another agent's action moves event time past the expiry: the quiet agent is decommissioned.
    other = manifest("other-1")
    out = run([instantiate(m), instantiate(other), action(), action(agent_id="other-1", at=timedelta(hours=1, minutes=5))])
    expired = [o for o in out if isinstance(o, Alert) and o.rule_id == "lifecycle.expired"]
    cmds = [o for o in out if isinstance(o, RevocationCommand)]
    assert len(expired) == 1 and expired[0].agent_id == m.agent_id
    assert [(c.agent_id, c.action) for c in cmds] == [(m.agent_id, "decommission")]
    # Acting after expiry is its own critical rule.
    assert "lifecycle.expired_agent_active" in rules_fired([instantiate(m), action(at=timedelta(hours=1, minutes=1))])
    # Just before expiry is fine.
    assert rules_fired([instantiate(m), action(at=timedelta(minutes=59))]) == []


def test_ttl_counts_from_issue():
    m = manifest(expires_at=None, ttl="PT2H", issued_at="2026-01-05T08:00:00Z")
    assert rules_fired([instantiate(m), action(at=timedelta(minutes=30))]) == []
    assert "lifecycle.expired_agent_active" in rules_fired([instantiate(m), action(at=timedelta(hours=1, minutes=1))])


def test_ownerless_agent():
    assert rules_fired([instantiate(manifest(owner=None)), action()]) == ["lifecycle.ownerless_agent"]
    assert rules_fired([instantiate(manifest())]) == []


def test_unapproved_update_alerts_and_approved_update_widens_scope():
    wider = manifest(allowed={**M.allowed.model_dump(), "tools": ["zendesk.*", "crm.*", "email.send"]})
    events = [instantiate(M), update(wider, timedelta(minutes=1)), action(at=timedelta(minutes=2), tool="crm.export")]
    assert rules_fired(events) == []
    events[1] = update(wider, timedelta(minutes=1), approved_by=None)
    assert rules_fired(events) == ["lifecycle.unapproved_update"]


def test_approved_model_update_is_quiet_and_old_model_is_not():
    newer = manifest(model={"id": "gpt-4o", "version": "2025-01-01"})
    new_model = {"id": "gpt-4o", "version": "2025-01-01"}
    assert rules_fired([instantiate(M), update(newer, timedelta(minutes=1)), action(at=timedelta(minutes=2), model=new_model)]) == []
    assert rules_fired([instantiate(M), update(newer, timedelta(minutes=1)), action(at=timedelta(minutes=2))]) == ["lifecycle.model_mismatch"]


def test_monitor_mode_alerts_without_commands():
    m = manifest(enforcement="monitor")
    out = run([instantiate(m), decommission(m.agent_id, timedelta(0)), action(at=timedelta(seconds=1))])
    assert [type(o).__name__ for o in out] == ["Alert"]


def test_disabled_rule_and_severity_override():
    from intentwatch.pipeline.engine.config import EngineConfig, RuleOverride

    cfg = EngineConfig(rules={"intent.tool_not_allowed": RuleOverride(enabled=False),
                              "intent.operation_not_allowed": RuleOverride(severity="low")})
    e = Engine(cfg)
    out = e.process(instantiate(M)) + e.process(action(tool="shell.exec", operation="delete"))
    assert [(a.rule_id, a.severity) for a in out] == [("intent.operation_not_allowed", "low")]


def test_wall_clock_tick_expires_a_quiet_agent():
    """A streaming host's timer decommissions an expired agent even if it never acts again."""
    from datetime import datetime, timezone

    m = manifest(expires_at="2026-01-05T10:00:00Z")
    e = Engine(event_clock=False)  # as in the worker: only the host moves time
    e.process(instantiate(m))
    assert e.process(action(at=timedelta(minutes=1))) == []
    assert e.tick(datetime(2026, 1, 5, 9, 59, tzinfo=timezone.utc)) == []
    out = e.tick(datetime(2026, 1, 5, 10, 1, tzinfo=timezone.utc))
    assert [(type(o).__name__, getattr(o, "rule_id", None)) for o in out] == [("Alert", "lifecycle.expired"), ("RevocationCommand", "lifecycle.expired")]
    assert out[1].action == "decommission"


def test_every_rule_resolves_to_exactly_one_detector_class_and_runs():
    """A rule id in an alert leads to one catalogue entry and one detector class: walk the
    catalogue; every type resolves, every class serves a rule, and the engine builds one
    detector per enabled rule (so no rule is raised from anywhere but its class)."""
    from intentwatch.pipeline.engine.catalog import load_catalog
    from intentwatch.pipeline.engine.config import EngineConfig
    from intentwatch.pipeline.engine.detectors import REGISTRY

    rules = load_catalog(EngineConfig())
    assert all(r.type in REGISTRY for r in rules.values())
    assert set(REGISTRY) == {r.type for r in rules.values()}, "a detector type no rule uses"
    e = Engine()
    b = e.behaviour
    built = [d.rule.id for d in [*e.watch, *e.gates, *e.checks, *e.changes, e.expiry, e.unauthorised, e.widened, e.dormancy,
                                  e.suppressed, e.responder.breaker,
                                  *b.warm, *b.always, *b.after, *{ch for chs in b.chains.values() for ch, _ in chs}]]
    assert sorted(built) == sorted(rules), "each rule is built into exactly one detector"
    for d in [*e.watch, *e.gates, *e.checks, *b.warm, *b.always, *b.after]:
        assert type(d) is REGISTRY[d.rule.type]

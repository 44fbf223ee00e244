"""lifecycle.dormant_agent: an active agent holding credentials that stopped acting, in scheduled time."""

from datetime import timedelta

from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.catalog import load_catalog
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.detectors import REGISTRY
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.engine.state import AgentState
from tests.factories import T0, action, decommission, instantiate, manifest

DAY = 86400.0


def engine(after: float | None = None, **kw) -> Engine:
    rules = load_catalog(EngineConfig(), known_types=set(REGISTRY))
    if after is not None:
        r = rules["lifecycle.dormant_agent"]
        rules["lifecycle.dormant_agent"] = r.model_copy(update={"params": {"after_seconds": after}})
    return Engine(rules=rules, **kw)


def dormant(out) -> list[Alert]:
    return [o for o in out if isinstance(o, Alert) and o.rule_id == "lifecycle.dormant_agent"]


def other(at: timedelta):
    """An action of another (unregistered) agent: moves event time on."""
    return action(agent_id="clock", at=at, credential_id=None)


M = manifest(schedule=None, rate_limit=None, expires_at=(T0 + timedelta(days=90)).isoformat())


def test_fires_once_after_the_idle_period_with_a_recommendation():
    e = engine()
    out = e.process(instantiate(M)) + e.process(action())
    out += e.process(other(timedelta(days=13, hours=23)))
    assert dormant(out) == []
    out += e.process(other(timedelta(days=14, hours=1))) + e.process(other(timedelta(days=20)))
    [a] = dormant(out)
    assert a.agent_id == "support-1" and a.severity == "medium"
    assert "decommission it, or renew its manifest" in a.message and a.evidence.baseline["recommendation"] == "decommission or renew"
    assert a.first_seen == T0 + timedelta(days=14)


def test_acting_again_restarts_the_clock():
    e = engine()
    out = e.process(instantiate(M)) + e.process(action()) + e.process(action(at=timedelta(days=10)))
    out += e.process(other(timedelta(days=15)))
    assert dormant(out) == []
    out += e.process(other(timedelta(days=24, hours=1)))
    assert len(dormant(out)) == 1


def test_weekday_schedule_is_respected():
    # Last action Friday 18:00 UTC; one day of scheduled time (weekdays) runs out on Monday 18:00.
    m = manifest(rate_limit=None, expires_at=(T0 + timedelta(days=90)).isoformat())
    friday_18h = T0 - timedelta(days=2, hours=15)
    e = engine(after=DAY)
    out = e.process(instantiate(m, at=timedelta(days=-5))) + e.process(action(at=friday_18h))
    out += e.process(other(timedelta(hours=8)))  # Monday 17:00: 23 scheduled hours idle, though 71 hours passed
    assert dormant(out) == []
    out += e.process(other(timedelta(days=1)))  # Tuesday 09:00
    [a] = dormant(out)
    assert a.first_seen == T0 + timedelta(hours=9)  # Monday 18:00, when the scheduled day ran out


def test_no_credentials_or_decommissioned_is_not_dormant():
    bare = manifest("bare", credentials=[], schedule=None, rate_limit=None)
    e = engine()
    out = e.process(instantiate(bare)) + e.process(action(agent_id="bare", credential_id=None))
    out += e.process(instantiate(M)) + e.process(action()) + e.process(decommission("support-1", timedelta(days=1)))
    out += e.process(other(timedelta(days=30)))
    assert dormant(out) == []


def test_worker_tick_and_restored_state():
    e = engine(event_clock=False)
    e.process(instantiate(M))
    e.advance_to((T0 - timedelta(seconds=1)).timestamp())
    e.process(action())
    saved = e.agents["support-1"].to_record()
    fresh = engine(event_clock=False)
    fresh.restore(AgentState.from_record(saved, fresh.checks))
    assert dormant(fresh.tick(T0 + timedelta(days=13))) == []
    assert len(dormant(fresh.tick(T0 + timedelta(days=14, seconds=1)))) == 1

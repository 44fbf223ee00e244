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


def _lifecycle_of_an_ended_agent() -> list:
    """support-1 acts, is decommissioned and compacted; event time passes its dormancy check; it is
    instantiated again, acts once, and falls dormant."""
    return [instantiate(M), action(), decommission("support-1", timedelta(days=1)), other(timedelta(days=2)),
            other(timedelta(days=14, hours=1)), other(timedelta(days=15)),
            instantiate(M, at=timedelta(days=16)), action(at=timedelta(days=16, hours=1)), other(timedelta(days=31))]


def test_an_ended_agent_is_not_revived_for_a_dormancy_check_that_can_only_lapse():
    # Dormancy watches active agents; an evicted agent's status changes only once revived. Reviving
    # a decommissioned agent from its record at its check (and compacting it again) did nothing but
    # drop the check: on the agentic lab, 1,094 of its 5,264 revivals.
    events = _lifecycle_of_an_ended_agent()
    engines = {"live": engine(config=EngineConfig(compact_idle_seconds=None, compact_ended_seconds=None)),
               "compacted": engine(), "checkpointed": engine()}  # the last one's record read while the check lapsed
    outs: dict[str, list[str]] = {name: [] for name in engines}
    for i, ev in enumerate(events):
        for name, e in engines.items():
            outs[name] += [o.model_dump_json() for o in e.process(ev)]
        if i == 3:  # ended, then compacted
            revived = {name: e.evictor.revived for name, e in engines.items() if e.evictor is not None}
            assert len(revived) == 2 and not any("support-1" in e.agents for e in engines.values() if e.evictor)
        if i == 5:  # its check came due and lapsed: not revived, and its checkpoint is the live agent's
            for name in revived:
                assert engines[name].evictor.revived == revived[name] and "support-1" not in engines[name].agents
            live = engines["live"].state_record("support-1")
            assert live is not None and "dormant_due" not in live["detect"]
            assert engines["checkpointed"].state_record("support-1") == live
    for name, e in engines.items():
        outs[name] += [o.model_dump_json() for o in e.flush()]
    assert outs["compacted"] == outs["live"] and outs["checkpointed"] == outs["live"]
    assert sum('"rule_id":"lifecycle.dormant_agent"' in o for o in outs["live"]) == 1  # the second life's idle spell

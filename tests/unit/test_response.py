"""Aggregation, deterministic ids, idempotent commands, the circuit breaker."""

from datetime import timedelta

from intentwatch.models.alert import Alert
from intentwatch.models.command import RevocationCommand
from intentwatch.pipeline.engine.config import CircuitBreaker, EngineConfig, ResponseConfig
from intentwatch.pipeline.engine.engine import Engine
from tests.factories import action, decommission, instantiate, manifest

M = manifest(rate_limit=None)


def feed(engine: Engine, events) -> list:
    out = []
    for ev in events:
        out += engine.process(ev)
    return out


def test_hits_within_cooldown_become_one_alert_with_count():
    e = Engine()
    hits = [action(at=timedelta(minutes=i), tool=f"shell.t{i % 2}") for i in range(5)]
    out = feed(e, [instantiate(M), *hits]) + e.flush()
    assert [(a.status, a.count) for a in out] == [("open", 1), ("final", 5)]
    final = out[1]
    assert final.alert_id == out[0].alert_id
    assert final.first_seen == hits[0].time and final.last_seen == hits[-1].time
    assert final.evidence.observed_values == ["shell.t0", "shell.t1"]
    assert final.evidence.action_seq == 1


def test_after_cooldown_a_new_alert_opens_and_the_old_one_is_finalised():
    e = Engine()
    first = [action(at=timedelta(minutes=i), tool="shell.exec") for i in range(3)]
    later = action(at=timedelta(hours=2), tool="shell.exec")
    out = feed(e, [instantiate(M), *first, later]) + e.flush()
    assert [(a.status, a.count) for a in out] == [("open", 1), ("final", 3), ("open", 1)]
    assert out[2].alert_id != out[0].alert_id


def test_window_closes_on_event_time_of_any_agent():
    e = Engine()
    other = manifest("other-1")
    events = [instantiate(M), instantiate(other), action(tool="shell.exec"), action(at=timedelta(minutes=1), tool="shell.exec"),
              action(agent_id="other-1", at=timedelta(hours=1, minutes=1))]
    out = feed(e, events)
    assert [(a.status, a.count) for a in out] == [("open", 1), ("final", 2)]
    assert e.flush() == []


def test_alert_and_command_ids_are_deterministic():
    def once():
        e = Engine()
        return feed(e, [instantiate(M, event_id="lc-fixed"), action(tool="shell.exec", event_id="ev-a"),
                        decommission(M.agent_id, timedelta(minutes=1)), action(at=timedelta(minutes=2), event_id="ev-b")]) + e.flush()

    a, b = once(), once()
    assert [o.model_dump_json() for o in a if isinstance(o, Alert)] == [o.model_dump_json() for o in b if isinstance(o, Alert)]
    ids = [o.alert_id for o in a if isinstance(o, Alert)]
    assert len(set(ids)) == len(ids) == 2


def test_one_command_per_action_per_epoch():
    e = Engine()
    out = feed(e, [instantiate(M), decommission(M.agent_id, timedelta(0))] +
               [action(at=timedelta(hours=2 * i + 1)) for i in range(3)])
    alerts = [o for o in out if isinstance(o, Alert)]
    cmds = [o for o in out if isinstance(o, RevocationCommand)]
    assert len(alerts) == 3       # a new window each time the cooldown passed
    assert len(cmds) == 1         # but the credentials are revoked once
    assert cmds[0].alert_ids == [alerts[0].alert_id]


def test_circuit_breaker_turns_a_burst_into_one_alert():
    cfg = EngineConfig(response=ResponseConfig(circuit_breaker=CircuitBreaker(max_commands=3, per_seconds=60)))
    e = Engine(cfg)
    agents = [manifest(f"a-{i}") for i in range(10)]
    events = [instantiate(m) for m in agents]
    events += [decommission(m.agent_id, timedelta(0)) for m in agents]
    events += [action(agent_id=m.agent_id, at=timedelta(seconds=1 + i)) for i, m in enumerate(agents)]
    out = feed(e, events) + e.flush()
    cmds = [o for o in out if isinstance(o, RevocationCommand)]
    breaker = [o for o in out if isinstance(o, Alert) and o.rule_id == "pipeline.circuit_breaker"]
    assert len(cmds) == 3
    assert [(b.status, b.count, b.severity) for b in breaker] == [("open", 1, "critical"), ("final", 7, "critical")]
    assert e.responder.withheld == 7
    # Once the interval has passed, commands flow again.
    late = manifest("late-1")
    more = feed(e, [instantiate(late, at=timedelta(minutes=5)), decommission("late-1", timedelta(minutes=5)),
                    action(agent_id="late-1", at=timedelta(minutes=6))])
    assert [o.action for o in more if isinstance(o, RevocationCommand)] == ["revoke_credentials"]


def test_an_alert_names_every_hit_it_counts_bounded():
    e = Engine(EngineConfig(response=ResponseConfig(evidence_event_ids=3)))
    hits = [action(at=timedelta(minutes=i), tool="shell.exec", event_id=f"hit-{i}") for i in range(10)]
    out = feed(e, [instantiate(M), *hits]) + e.flush()
    opened, final = [a for a in out if isinstance(a, Alert)]
    assert opened.evidence.event_ids.model_dump() == {"first": ["hit-0"], "last": [], "omitted": 0}
    ids = final.evidence.event_ids
    assert (ids.first, ids.last, ids.omitted) == (["hit-0", "hit-1", "hit-2"], ["hit-7", "hit-8", "hit-9"], 4)
    assert len(ids.first) + len(ids.last) + ids.omitted == final.count == 10


def test_a_few_hits_are_all_listed_and_survive_a_checkpoint():
    from intentwatch.pipeline.engine.state import AgentState

    e = Engine()
    hits = [action(at=timedelta(minutes=i), tool="shell.exec", event_id=f"h{i}") for i in range(3)]
    feed(e, [instantiate(M), *hits[:2]])
    st = e.agents[M.agent_id]
    restored = AgentState.from_record(st.to_record(), [])
    w = restored.windows["intent.tool_not_allowed"]
    assert (w.first_ids, w.last_ids) == (["h0", "h1"], [])
    out = feed(e, hits[2:]) + e.flush()
    final = [a for a in out if isinstance(a, Alert)][-1]
    assert final.evidence.event_ids.model_dump() == {"first": ["h0", "h1", "h2"], "last": [], "omitted": 0}


def test_a_command_issued_again_after_a_restore_counts_once_against_the_breaker():
    """A worker reading on from its last checkpoint (a rebalance) issues the same command again (at
    least once): the breaker, whose window the engine keeps, must not count it twice and hold back
    a command replay issues."""
    import orjson

    cfg = EngineConfig(response=ResponseConfig(circuit_breaker=CircuitBreaker(max_commands=2, per_seconds=60)))
    e = Engine(cfg)
    agents = [manifest(f"a-{i}") for i in range(2)]
    feed(e, [instantiate(m) for m in agents] + [decommission(m.agent_id, timedelta(0)) for m in agents])
    record = e.state_record("a-0")  # the last checkpoint, before a-0 acted
    first = feed(e, [action(agent_id="a-0", at=timedelta(seconds=1))])
    e.forget(["a-0"])
    e.restore_record(orjson.loads(orjson.dumps(record)))
    again = feed(e, [action(agent_id="a-0", at=timedelta(seconds=1))])
    cmds = [o for o in first + again if isinstance(o, RevocationCommand)]
    assert len(cmds) == 2 and cmds[0].command_id == cmds[1].command_id
    later = feed(e, [action(agent_id="a-1", at=timedelta(seconds=2))])
    assert [o.agent_id for o in later if isinstance(o, RevocationCommand)] == ["a-1"] and e.responder.withheld == 0


def test_a_rule_grouped_by_session_opens_one_alert_per_session():
    """``group_by: session`` (a rule's own, or a deployment's override): each session's hits are one
    alert; the agent's other sessions open their own, and a checkpoint keeps them apart."""
    import orjson

    from intentwatch.pipeline.engine.config import RuleOverride

    by_session = EngineConfig(rules={"intent.tool_not_allowed": RuleOverride(group_by="session")})
    hits = [action(at=timedelta(minutes=i), tool="shell.exec", session_id=f"s{i % 2}", event_id=f"h{i}") for i in range(4)]
    e = Engine(by_session)
    feed(e, [instantiate(M), *hits[:3]])
    record = e.state_record(M.agent_id)
    assert sorted(record["windows"]) == ["intent.tool_not_allowed@s0", "intent.tool_not_allowed@s1"]
    e.forget([M.agent_id])
    e.restore_record(orjson.loads(orjson.dumps(record)))
    out = feed(e, hits[3:]) + e.flush()
    finals = sorted((a.evidence.event_ids.first, a.count) for a in out if isinstance(a, Alert) and a.status == "final")
    assert finals == [(["h0", "h2"], 2), (["h1", "h3"], 2)]
    # Grouped by agent (the default): one alert counts all four
    e = Engine()
    out = feed(e, [instantiate(M), *hits]) + e.flush()
    assert [(a.status, a.count) for a in out if isinstance(a, Alert)] == [("open", 1), ("final", 4)]
    # An action with no session groups by agent
    e = Engine(by_session)
    out = feed(e, [instantiate(M), *[action(at=timedelta(minutes=i), tool="shell.exec", session_id=None) for i in range(3)]])
    assert [a.status for a in out + e.flush() if isinstance(a, Alert)] == ["open", "final"]


def test_a_rule_grouped_by_session_forgets_closed_windows_past_its_bound():
    from intentwatch.pipeline.engine.config import RuleOverride

    e = Engine(EngineConfig(rules={"intent.tool_not_allowed": RuleOverride(group_by="session", cooldown_seconds=30)}))
    feed(e, [instantiate(M), *[action(at=timedelta(minutes=i), tool="shell.exec", session_id=f"s{i}") for i in range(100)]])
    windows = e.state_record(M.agent_id)["windows"]
    assert 64 <= len(windows) <= 66 and "intent.tool_not_allowed@s99" in windows and "intent.tool_not_allowed@s0" not in windows

"""Many short-lived agents (issue 13): an agent's live state exists while it needs it. Registered
and not acting yet, idle past ``engine.compact_idle_seconds``, or decommissioned / expired for
``engine.compact_ended_seconds``: it is held as its compressed state record, and one that returns
is restored from it with the same findings as if it had never left."""

import tracemalloc
from datetime import timedelta

import orjson

from intentwatch.pipeline.engine.config import EngineConfig, LearnedConfig
from intentwatch.pipeline.engine.engine import Engine
from tests.factories import T0, action, decommission, instantiate, manifest

OFF = EngineConfig(compact_idle_seconds=None, compact_ended_seconds=None)
QUICK = LearnedConfig(warm_events=20, warm_seconds=3600.0)  # the learned side judges the agents' return too


def _register(engine: Engine, n: int) -> None:
    for i in range(n):
        m = manifest(f"task-{i:06d}", purpose=f"answer ticket {i}", credentials=[f"key-{i}"],
                     allowed={"tools": ["zendesk.*", "crm.lookup"], "resources": [f"ticket:{i}", "crm:contact/*"]})
        engine.process(instantiate(m, at=timedelta(seconds=7 * i)))


def _traced_bytes(config: EngineConfig, n: int) -> int:
    engine = Engine(config)  # built before tracing: the catalogue and detectors are not per agent
    tracemalloc.start()
    try:
        _register(engine, n)
        return tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()


def test_registered_agents_that_have_not_acted_cost_little_memory_each():
    # The slope between two fleet sizes: what one more registered agent costs. Live, each held its
    # manifest and an AgentState with the instantiation waiting (~6 KiB); compacted, a record
    # compressed against its neighbours' plus its timer (~0.5 KiB).
    small, large = 200, 1000
    per_agent = (_traced_bytes(EngineConfig(), large) - _traced_bytes(EngineConfig(), small)) / (large - small)
    live = (_traced_bytes(OFF, large) - _traced_bytes(OFF, small)) / (large - small)
    assert per_agent < 1024, per_agent
    assert live > 4 * per_agent, (live, per_agent)


def _run(config: EngineConfig, events: list) -> tuple[list[str], Engine]:
    engine = Engine(config)
    out: list[str] = []
    for ev in events:
        out += [o.model_dump_json() for o in engine.process(ev)]
    out += [o.model_dump_json() for o in engine.flush()]
    return out, engine


def _returning_fleet() -> list:
    """Agents act, then end (expiry, decommission: a zombie action after it, which revokes) or fall
    idle; a neighbour's actions move event time past their compaction; then they act again."""
    events: list = []
    short = manifest("back-expired", expires_at=(T0 + timedelta(hours=3)).isoformat())
    gone = manifest("back-decommissioned")
    idle = manifest("back-idle")
    clock = manifest("clock", credentials=["key-9"])
    for m in (short, gone, idle, clock):
        events.append(instantiate(m))
    for k in range(30):  # past the learned side's warm-up (QUICK)
        for m in (short, gone, idle):
            events.append(action(m.agent_id, timedelta(minutes=5 * k), resource=f"ticket:{k % 7}"))
    events.append(decommission(gone.agent_id, timedelta(hours=3)))
    events.append(action(gone.agent_id, timedelta(hours=3, minutes=5)))  # a zombie action: its revocation is issued
    for h in range(4, 60):  # the neighbour: two days and more of event time, an action an hour
        events.append(action(clock.agent_id, timedelta(hours=h), credential_id="key-9"))
    for k in range(4):  # back again: after expiry, after decommission, after a long idle spell
        for m in (short, gone, idle):
            events.append(action(m.agent_id, timedelta(hours=60, minutes=k), tool="email.send", operation="send",
                                 resource="mailto:x@evil.example", data_domain="customer_contact", source_ip="203.0.113.9"))
    return events


def test_an_agent_compacted_after_its_end_or_idle_and_returning_gets_the_same_findings():
    events = _returning_fleet()
    plain, _ = _run(OFF.model_copy(update={"learned": QUICK}), events)
    compacted, engine = _run(EngineConfig(compact_idle_seconds=6 * 3600.0, compact_ended_seconds=600.0, learned=QUICK), events)
    ev = engine.evictor
    assert ev is not None and ev.compacted >= 4 and ev.revived >= 3, (ev.compacted, ev.revived)
    returned = {a for a in ("back-expired", "back-decommissioned", "back-idle") if any(f'"agent_id":"{a}"' in o
                                                                                     and "2026-01-07T21:0" in o for o in plain)}
    assert returned == {"back-expired", "back-decommissioned", "back-idle"}, returned  # each raised findings on return
    assert compacted == plain


def test_compacted_agents_still_count_in_the_learning_report():
    events = _returning_fleet()
    _, live = _run(OFF, events)
    _, compacted = _run(EngineConfig(compact_idle_seconds=3600.0, compact_ended_seconds=0.0), events[:-12])
    _, live_cut = _run(OFF, events[:-12])
    assert compacted.evictor is not None and len(compacted.agents) < len(live_cut.agents)
    assert compacted.learning_report() == live_cut.learning_report()
    assert live.learning_report()["judged"] == 4


def test_a_clock_jump_compacts_a_bounded_number_of_agents_per_step():
    # A streaming worker caught up after a backlog of days: event time jumps to now and every agent
    # is idle at once. Compacting them all in that one step held its poll loop ~1 ms per agent.
    config = EngineConfig(compact_idle_seconds=3600.0, compact_ended_seconds=None)
    engine = Engine(config, event_clock=False)
    n = 3 * 32 + 5
    for i in range(n):
        m = manifest(f"busy-{i:04d}")
        engine.process(instantiate(m))
        engine.process(action(m.agent_id, timedelta(minutes=1)))
    engine.advance_to((T0 + timedelta(minutes=2)).timestamp())
    assert len(engine.agents) == n
    ev = engine.evictor
    assert ev is not None
    step, before = ev.STEP, ev.compacted  # (each was compacted once already: registered, not acting yet)
    jump = (T0 + timedelta(days=2)).timestamp()
    engine.advance_to(jump)
    assert ev.compacted - before == step and len(engine.agents) == n - step
    for k in range(1, 4):  # each later step of the clock takes the next ones
        engine.advance_to(jump + k)
    assert ev.compacted - before == n and not engine.agents


def test_a_compacted_agents_checkpoint_bytes_are_its_stored_record():
    # A checkpoint right after a clock jump writes a whole compacted fleet: its bytes come from the
    # store as they are, the same bytes a live agent's record encodes to.
    engine = Engine(EngineConfig(compact_idle_seconds=3600.0), event_clock=False)
    m = manifest("compacted-0001")
    engine.process(instantiate(m))
    engine.process(action(m.agent_id, timedelta(minutes=1)))
    live = engine.state_bytes(m.agent_id)
    assert live is not None and orjson.loads(live) == engine.state_record(m.agent_id)
    engine.advance_to((T0 + timedelta(days=2)).timestamp())
    assert m.agent_id not in engine.agents
    assert engine.state_bytes(m.agent_id) == live and engine.state_bytes("nobody") is None


def test_an_agent_whose_actions_carry_what_orjson_will_not_write_is_compacted_and_restored():
    """An action's attributes may carry an integer past 64 bits (pydantic's JSON reader keeps it).
    Compacting such an agent raised, charged to another agent's action, and lost its state: the
    decommissioned agent's next action went unjudged. Now its record is stored with it made writable."""
    engine = Engine(EngineConfig(compact_ended_seconds=600.0))
    m = manifest("odd", allowed={"tools": ["run"], "operations": ["execute"]}, credentials=[], model=None, schedule=None,
                 rate_limit=None)
    engine.process(instantiate(m))
    odd = {"x": 1 << 64, "y": -(1 << 2000)}
    out = engine.process(action("odd", at=timedelta(hours=1), tool="wipe", operation="execute", credential_id=None,
                                attributes=odd))  # out of intent: high, the action held in the state (held_max)
    assert "intent.tool_not_allowed" in {a.rule_id for a in out if hasattr(a, "rule_id")}
    engine.process(decommission("odd", at=timedelta(hours=2)))
    engine.process(action("other", at=timedelta(hours=5), tool="t", operation="read", credential_id=None))  # compacts "odd"
    assert "odd" not in engine.agents and engine.evictor is not None and "odd" in engine.evictor.store
    back = engine.process(action("odd", at=timedelta(hours=6), tool="run", operation="execute", credential_id=None))
    assert "lifecycle.decommissioned_agent_active" in {a.rule_id for a in back if hasattr(a, "rule_id")}


def test_a_record_orjson_will_not_write_is_stored_as_it_reads_such_values_back():
    from intentwatch.pipeline.engine.eviction import encode_record
    deep: object = "x"
    for _ in range(300):
        deep = [deep]
    got = orjson.loads(encode_record({"n": 1 << 64, "big": 1 << 2000, "s": "a\ud800b", 7: "key", "deep": deep, "ok": [1, 2.5, None]}))
    assert got["n"] == float(1 << 64) and got["big"] == "<an integer of 2001 bits>" and got["s"] == "a\ufffdb" and got["7"] == "key"
    assert got["ok"] == [1, 2.5, None] and "<nested too deep to store>" in orjson.dumps(got["deep"]).decode()
    assert encode_record({"a": 1}) == b'{"a":1}'

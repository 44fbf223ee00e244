"""Bounded memory in the worker (issue 17, finding 6): with engine.max_agents_in_memory far below
the fleet, idle agents are evicted and revived, and the worker's alert and command ids are replay's;
a SIGKILL half-way loses nothing (an evicted agent's record reaches the state topic at checkpoints)."""

from __future__ import annotations

import time

import orjson

from tests.integration.support import Comparison, Pipeline


def test_worker_with_tiny_ceiling_matches_replay(kafka_pipeline: Pipeline, fleet):
    f = fleet(40, 4, 11)
    p = kafka_pipeline
    p.extra_env["INTENTWATCH_ENGINE__MAX_AGENTS_IN_MEMORY"] = "16"
    p.create_topics()
    p.produce(f.lifecycle, topic=p.topics.lifecycle, intents=f.intents)
    p.produce(f.actions)
    w = p.start_worker("evict")
    # kill it once part of the fleet is committed, then let a new one finish from the checkpoint
    p.wait_until(lambda committed, end: sum(max(o, 0) for (t, _), o in committed.items() if t == p.topics.actions)
                 > f.n_actions // 3, 180, "a third of the actions committed", [w])
    w.sigkill()
    time.sleep(1)
    w2 = p.start_worker("evict")
    p.wait_drained([w2], timeout=240)
    alerts = [r.json() for r in p.read_all(p.topics.alerts)]
    commands = [r.json() for r in p.read_all(p.topics.revocations)]
    assert w2.alive, w2.tail()
    cmp = Comparison(f.alerts, f.commands, alerts, commands)
    assert not cmp.missing_alerts and not cmp.extra_alerts, (cmp.missing_alerts, cmp.extra_alerts, w2.tail())
    assert not cmp.missing_commands and not cmp.extra_commands and not cmp.command_payload_diffs()
    status = orjson.loads((p.workdir / "worker-state" / "evict.status.json").read_bytes())
    # it did evict and revive; the ceiling is soft for agents waiting for lifecycle changes (never evicted)
    assert status["agents"] <= 20 and status["evicted"] > 0 and status["revived"] > 0, {k: status[k] for k in ("agents", "evicted", "revived")}

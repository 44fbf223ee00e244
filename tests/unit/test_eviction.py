"""Bounded memory (issue 17, finding 6): past engine.max_agents_in_memory idle agents are evicted
to state records and revived when they return, with the same alerts and commands as without."""

from pathlib import Path

import pytest

from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.hosts.replay import manifest_instantiations, read_lifecycle, replay
from intentwatch.pipeline.io.deadletter import DeadLetterFile
from intentwatch.pipeline.io.intents import load_manifests
from intentwatch.pipeline.lab.simulate import simulate_fleet


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fleet")
    simulate_fleet(agents=32, days=2, seed=5, out=out)
    return out


def _run(fleet: Path, ceiling: int | None, store=None) -> tuple[list[bytes], Engine]:
    engine = Engine(EngineConfig(max_agents_in_memory=ceiling), store=store)
    dead = DeadLetterFile(None)
    events = manifest_instantiations(load_manifests(fleet / "intents").manifests)
    events += read_lifecycle(fleet / "lifecycle.jsonl", dead, engine.config.max_event_bytes)
    out: list[bytes] = []
    replay(engine, fleet / "actions.jsonl", events, lambda o: out.append(o.model_dump_json().encode()), dead, now=2e9)
    return out, engine


def test_tiny_ceiling_gives_identical_outputs(fleet: Path):
    plain, _ = _run(fleet, None)
    bounded, engine = _run(fleet, 16)
    ev = engine.evictor
    assert ev is not None and ev.evicted > 50 and ev.revived > 50, (ev.evicted, ev.revived)
    assert len(engine.agents) <= 17  # the ceiling, plus the agent acting when it was checked
    assert len(plain) > 50 and bounded == plain


def test_on_disk_store_gives_identical_outputs(fleet: Path, tmp_path: Path):
    from intentwatch.pipeline.io.agentstore import SqliteStore

    plain, _ = _run(fleet, None)
    with SqliteStore(tmp_path / "agents.db") as store:
        bounded, engine = _run(fleet, 16, store)
        assert engine.evictor is not None and engine.evictor.evicted > 50
    assert bounded == plain


def test_agents_that_may_not_leave_are_not_rescanned_on_every_event():
    """Agents with changes waiting for their time cannot be evicted; with more of them than the
    ceiling, the evictor must not scan them all on every event (it did: O(agents) per action)."""
    from intentwatch.pipeline.engine.eviction import Evictor, MemoryStore

    class Waiting:  # the fields the evictor reads of an agent's state
        def __init__(self, i: int):
            self.status, self.last_ts, self.agent_id = "active", float(i), f"a{i}"
            self.pending, self.suppressions = [(1.0, i, None)], {}
            self.expires_ts, self.detect, self.windows = None, {}, {}

        def to_record(self) -> dict:
            return {"agent_id": self.agent_id}

    agents = {f"a{i}": Waiting(i) for i in range(1000)}
    ev = Evictor(agents, ceiling=100, store=MemoryStore(), checks=[])  # type: ignore[arg-type]
    scans = 0
    for _ in range(2000):
        if ev.over():
            scans += 1
            ev.evict(keep="none")
    assert len(agents) == 1000 and ev.evicted == 0
    assert scans <= 2000 // (1000 // 10) + 1, scans  # one scan per 100 events, not one per event
    for st in agents.values():  # their changes applied: the next scan evicts down to the target
        st.pending = []
    while not ev.over():
        pass
    ev.evict(keep="none")
    assert len(agents) == ev.target

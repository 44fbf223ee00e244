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

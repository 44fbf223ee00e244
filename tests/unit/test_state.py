"""Agent state survives a snapshot: restore it in a fresh engine and the outputs continue unchanged."""

from datetime import timedelta

import orjson

from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.engine.state import AgentState
from tests.factories import action, decommission, instantiate, manifest


def events():
    m1, m2 = manifest("a-1", rate_limit={"max_actions": 3, "per_seconds": 60}), manifest("a-2", owner=None)
    evs = [instantiate(m1), instantiate(m2), decommission("a-2", timedelta(hours=3))]
    for i in range(40):
        evs.append(action(agent_id="a-1", at=timedelta(minutes=7 * i, seconds=i % 3), tool="shell.exec" if i % 5 == 0 else "crm.lookup",
                          event_id=f"e1-{i}"))
        evs.append(action(agent_id="a-2", at=timedelta(minutes=7 * i, seconds=30), event_id=f"e2-{i}"))
    return evs


def dumps(outputs) -> list[bytes]:
    return [o.model_dump_json().encode() for o in outputs]


def test_snapshot_restore_gives_identical_outputs():
    evs = events()
    whole = Engine()
    expected = dumps([o for ev in evs for o in whole.process(ev)] + whole.flush())

    first = Engine()
    got = [o for ev in evs[:40] for o in first.process(ev)]
    snapshot = [orjson.dumps(st.to_record()) for st in first.agents.values()]
    second = Engine()
    second.watermark = first.watermark
    for raw in snapshot:
        second.restore(AgentState.from_record(orjson.loads(raw), second.checks))
    got += [o for ev in evs[40:] for o in second.process(ev)] + second.flush()
    assert dumps(got) == expected
    assert len(expected) > 5

"""Lifecycle changes apply in event-time order, in replay and in the engine alike."""

from datetime import timedelta

from models.alert import Alert
from pipeline.engine import Engine
from tests.factories import action, decommission, instantiate, manifest, update

M = manifest(rate_limit=None)


def test_stale_lifecycle_event_does_not_undo_a_newer_one():
    e = Engine()
    wider = manifest(allowed={**M.allowed.model_dump(), "tools": ["*"]}, rate_limit=None)
    e.process(instantiate(M, at=timedelta(hours=-2)))
    e.process(update(wider, timedelta(hours=-1)))
    # An instantiate stamped before the update arrives late: it is ignored.
    e.process(instantiate(M, at=timedelta(hours=-3)))
    assert e.stats["lifecycle_stale"] == 1
    assert e.process(action(tool="anything.new")) == []


def test_decommission_then_late_update_from_before_is_ignored():
    e = Engine()
    e.process(instantiate(M, at=timedelta(hours=-2)))
    e.process(decommission(M.agent_id, timedelta(hours=-1)))
    e.process(update(M, timedelta(hours=-1, minutes=-30)))
    out = e.process(action())
    assert [a.rule_id for a in out if isinstance(a, Alert)] == ["lifecycle.decommissioned_agent_active"]


def test_reinstantiate_after_decommission_starts_a_new_epoch():
    e = Engine()
    e.process(instantiate(M, at=timedelta(hours=-2)))
    e.process(decommission(M.agent_id, timedelta(hours=-1)))
    e.process(instantiate(M, at=timedelta(minutes=-30)))
    assert e.process(action()) == []


def test_replay_merges_lifecycle_file_by_event_time(tmp_path):
    """Lifecycle lines out of order in the file are applied by time, between the actions."""
    from pipeline.deadletter import DeadLetterFile
    from pipeline.replay import replay

    acts = [action(at=timedelta(minutes=i)) for i in range(4)]
    (tmp_path / "a.jsonl").write_bytes(b"".join(a.model_dump_json().encode() + b"\n" for a in acts))
    lc = [decommission(M.agent_id, timedelta(minutes=2, seconds=30)), instantiate(M, at=timedelta(hours=-1))]
    out = []
    replay(Engine(), tmp_path / "a.jsonl", lc, out.append, DeadLetterFile(None))
    zombie = [o for o in out if isinstance(o, Alert) and o.status == "open"]
    assert [(a.rule_id, a.evidence.action_seq) for a in zombie] == [("lifecycle.decommissioned_agent_active", 4)]

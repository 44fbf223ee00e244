"""Lifecycle changes apply in event-time order, in replay and in the engine alike."""

from datetime import timedelta

from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from tests.factories import action, decommission, instantiate, manifest, update

M = manifest(rate_limit=None)


def test_lifecycle_events_apply_in_event_time_order_whatever_the_arrival_order():
    e = Engine()
    wider = manifest(allowed={**M.allowed.model_dump(), "tools": ["*"]}, rate_limit=None)
    e.process(update(wider, timedelta(hours=-1)))
    e.process(instantiate(M, at=timedelta(hours=-2)))   # arrives after, happened before
    assert e.process(action(tool="anything.new")) == []
    assert e.stats["lifecycle_stale"] == 0


def test_stale_lifecycle_event_does_not_undo_a_newer_one():
    e = Engine()
    wider = manifest(allowed={**M.allowed.model_dump(), "tools": ["*"]}, rate_limit=None)
    e.process(instantiate(M, at=timedelta(hours=-2)))
    e.process(update(wider, timedelta(hours=-1)))
    assert e.process(action(tool="anything.new")) == []
    # An instantiate stamped before the update arrives after both were applied: ignored.
    e.process(instantiate(M, at=timedelta(hours=-3)))
    assert e.stats["lifecycle_stale"] == 1
    assert e.process(action(at=timedelta(seconds=1), tool="anything.new")) == []


def test_future_lifecycle_event_waits_for_its_time():
    """A decommission delivered early does not turn earlier actions into zombie actions."""
    e = Engine()
    e.process(instantiate(M, at=timedelta(hours=-1)))
    e.process(decommission(M.agent_id, timedelta(minutes=10)))
    assert e.process(action(at=timedelta(minutes=5))) == []
    out = e.process(action(at=timedelta(minutes=11)))
    assert [a.rule_id for a in out if isinstance(a, Alert)] == ["lifecycle.decommissioned_agent_active"]


def test_quiet_agent_lifecycle_applies_after_grace():
    e = Engine()
    e.process(instantiate(manifest("quiet-1", owner=None), at=timedelta(0)))
    e.process(instantiate(M, at=timedelta(hours=-1)))
    assert e.process(action(at=timedelta(minutes=1))) == []          # within grace: still pending
    out = e.process(action(at=timedelta(minutes=6)))                 # 300 s grace passed
    assert [(a.agent_id, a.rule_id) for a in out] == [("quiet-1", "lifecycle.ownerless_agent")]


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
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.hosts.replay import replay

    acts = [action(at=timedelta(minutes=i)) for i in range(4)]
    (tmp_path / "a.jsonl").write_bytes(b"".join(a.model_dump_json().encode() + b"\n" for a in acts))
    lc = [decommission(M.agent_id, timedelta(minutes=2, seconds=30)), instantiate(M, at=timedelta(hours=-1))]
    out = []
    replay(Engine(), tmp_path / "a.jsonl", lc, out.append, DeadLetterFile(None))
    zombie = [o for o in out if isinstance(o, Alert) and o.status == "open"]
    assert [(a.rule_id, a.evidence.action_seq) for a in zombie] == [("lifecycle.decommissioned_agent_active", 4)]

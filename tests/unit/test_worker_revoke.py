"""A revoke whose checkpoint is deferred (the broker away, as in the outage test): the worker drops
the partitions' agents, and whoever owns them next reads on from the last committed checkpoint.
The partitions' latest event times must go with the agents, or the restored agents' clock runs
ahead of the actions read again (no broker: batches handed in, the checkpoint's record kept by
hand, the restore done as ``_on_assign`` does it to the engine)."""

from datetime import timedelta

import orjson
from confluent_kafka import TopicPartition

from intentwatch.models.alert import Alert
from tests.factories import action, instantiate, manifest, update
from tests.offline_worker import Message as Msg, offline_worker

OLD, NEW = {"id": "gpt-4o", "version": "2024-08-06"}, {"id": "gpt-4o", "version": "2024-11-20"}


def test_a_deferred_revoke_rewinds_its_partitions_clock_with_their_agents(tmp_path):
    w = offline_worker(str(tmp_path), engine={"lifecycle_grace_seconds": 300})
    w.engine.set_clock(2e9)
    alerts: list[Alert] = []
    w._produce = lambda topic, key, value, headers: alerts.append(orjson.loads(value)) if topic == w.topics.alerts else None
    m = manifest("a1", rate_limit=None, schedule=None)
    # The model changes at 10:00 by an approved update; the agent acts every 5 minutes, 09:00-11:55.
    events = [instantiate(m), update(m.model_copy(update={"model": m.model.model_copy(update=NEW)}), timedelta(hours=1))]
    w._process_batch([Msg(w.topics.lifecycle, e.model_dump_json().encode(), b"a1", i) for i, e in enumerate(events)])
    acts = [action("a1", timedelta(minutes=5 * i), model=OLD if i < 12 else NEW) for i in range(36)]
    msgs = [Msg(w.topics.actions, a.model_dump_json().encode(), b"a1", i) for i, a in enumerate(acts)]

    w._process_batch(msgs[:6])  # to 09:25, then the last checkpoint that committed
    committed = w.engine.state_bytes("a1")
    w._process_batch(msgs[6:])  # past the update and its grace; the next checkpoint is deferred
    w._advance_time()
    assert alerts == []

    w.checkpoint = lambda *a, **k: False
    w._on_revoke(w.consumer, [TopicPartition(w.topics.actions, 0)])
    assert "a1" not in w.engine.agents
    # Assigned again: restored from the checkpoint, the clock rewound, the actions after it read again.
    w.engine.rewind_clock()
    w.engine.restore_record(orjson.loads(committed))
    w._advance_time()
    w._process_batch(msgs[6:])
    w._advance_time()
    assert [a["rule_id"] for a in alerts] == [], "the update applied before actions older than it"
    assert w.engine.agents["a1"].manifest.model.version == NEW["version"]

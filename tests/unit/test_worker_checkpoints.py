"""pipeline/hosts/worker/checkpoints.py: a checkpoint committing on its own thread carries the agent
state and the input offsets of one moment, while the poll loop goes on; one that fails puts its
agents back for the next."""

import threading
from collections import defaultdict
from types import SimpleNamespace

import orjson
import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from intentwatch.pipeline.hosts.metrics import Timings, WorkerMetrics
from intentwatch.pipeline.hosts.worker.checkpoints import Checkpoints


class Txn:
    """A transactional producer: what each committed transaction held; ``gate`` holds commits back."""

    def __init__(self):
        self.gate = threading.Event()
        self.gate.set()
        self.fail = False
        self.open = False
        self.records, self.offsets, self.committed, self.aborted = [], [], [], 0

    def begin_transaction(self):
        assert not self.open, "a transaction begun while another was open"
        self.open = True

    def produce(self, topic, key, value, partition=None):
        self.records.append((key.decode(), value))

    def send_offsets_to_transaction(self, positions, group, timeout):
        self.offsets = [(tp.partition, tp.offset) for tp in positions]

    def commit_transaction(self, timeout):
        assert self.gate.wait(10)
        if self.fail:
            raise KafkaException(KafkaError(KafkaError._TIMED_OUT))
        self.committed.append((sorted(self.records), self.offsets))
        self.records, self.offsets, self.open = [], [], False

    def abort_transaction(self, timeout):
        self.records, self.offsets, self.open = [], [], False
        self.aborted += 1


class Consumer:
    def __init__(self):
        self.at = {0: 0, 1: 0}

    def assignment(self):
        return [TopicPartition("actions", p) for p in self.at]

    def position(self, partitions):
        return [TopicPartition(tp.topic, tp.partition, self.at[tp.partition]) for tp in partitions]

    def consumer_group_metadata(self):
        return "group"


class Engine:
    def __init__(self):
        self.seen = defaultdict(int)  # agent -> events judged

    def state_bytes(self, agent_id):
        return orjson.dumps({"agent_id": agent_id, "events": self.seen[agent_id]})

    def drain_credential_uses(self):
        return []

    def drain_definition_records(self):
        return []


class Worker(Checkpoints):
    def __init__(self):
        self.settings = SimpleNamespace(worker=SimpleNamespace(max_stall_seconds=60.0, max_state_bytes=1 << 20))
        self.topics = SimpleNamespace(state="state", credentials="credentials", actions="actions")
        self.part_time = {}
        self.consumer, self.txn, self.engine = Consumer(), Txn(), Engine()
        self.out = SimpleNamespace(flush=lambda timeout: 0)
        self.metrics = WorkerMetrics()
        self.timings = Timings(self.metrics)
        self.stats = defaultdict(int)
        self.dirty, self.owner, self._uses, self._taught, self.shared = set(), {}, [], [], []
        self._undelivered, self._fatal, self._stalled_since = [], None, None
        self._in_txn, self._committing = False, None

    def judge(self, agent_id, partition):
        """One event: the agent's state changes and the partition's position moves past it."""
        self.engine.seen[agent_id] += 1
        self.owner[agent_id] = partition
        self.dirty.add(agent_id)
        self.consumer.at[partition] += 1

    def _write_status(self, assignment):
        pass


def state(committed):
    return {key: value for key, value in committed[0]}


def test_a_background_commit_holds_the_state_and_offsets_of_its_snapshot():
    w = Worker()
    w.judge("a", 0)
    w.judge("b", 1)
    w.txn.gate.clear()  # the commit stays in flight while the loop goes on
    assert w.checkpoint(background=True)
    w.judge("a", 0)
    w.judge("c", 1)
    assert w._settle(wait=False) is None and not w.txn.committed  # still committing
    w.txn.gate.set()
    assert w._settle() is True
    (first,) = w.txn.committed
    assert state(first) == {"a": b'{"agent_id":"a","events":1}', "b": b'{"agent_id":"b","events":1}'}
    assert first[1] == [(0, 1), (1, 1)]
    assert w.dirty == {"a", "c"} and w.stats["checkpoints"] == 1
    assert w.checkpoint(background=True) and w._settle() is True
    assert state(w.txn.committed[1]) == {"a": b'{"agent_id":"a","events":2}', "c": b'{"agent_id":"c","events":1}'}
    assert w.txn.committed[1][1] == [(0, 2), (1, 2)]


def test_the_next_checkpoint_waits_for_the_one_in_flight():
    w = Worker()
    w.judge("a", 0)
    w.txn.gate.clear()
    assert w.checkpoint(background=True)
    w.judge("b", 1)
    threading.Timer(0.2, w.txn.gate.set).start()
    assert w.checkpoint()  # in place (a rebalance): the one in flight is booked first, then this one
    assert [sorted(state(c)) for c in w.txn.committed] == [["a"], ["b"]]
    assert w.stats["checkpoints"] == 2 and not w.dirty


def test_a_failed_background_commit_puts_its_agents_into_the_next_one():
    w = Worker()
    w.judge("a", 0)
    w.txn.fail = True
    assert w.checkpoint(background=True)
    w.judge("b", 1)
    assert w._settle() is False
    assert w.txn.aborted == 1 and w.dirty == {"a", "b"} and w.stats["checkpoints_deferred"] == 1
    assert w._stalled_since is not None
    w.txn.fail = False
    assert w.checkpoint(background=True) and w._settle() is True
    (only,) = w.txn.committed
    assert sorted(state(only)) == ["a", "b"] and only[1] == [(0, 1), (1, 1)]
    assert w._stalled_since is None


def test_background_commits_failing_past_the_stall_budget_fail_the_worker():
    from intentwatch.pipeline.hosts.worker.checkpoints import WorkerFailed

    w = Worker()
    w.settings.worker.max_stall_seconds = 0.0
    w.judge("a", 0)
    w.txn.fail = True
    assert w.checkpoint(background=True)
    with pytest.raises(WorkerFailed, match="checkpoints failed"):
        w._settle()
    assert w.dirty == {"a"}

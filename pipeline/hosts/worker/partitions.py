"""The worker's partitions: on assignment its agents restored from the state topic and its
actions held back until the lifecycle and feedback partitions are read to their end; on
revocation a checkpoint and its agents dropped. (The topics read whole, not by partition:
shared.py.)"""

import logging
import math
import time

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

from intentwatch.models.definition_record import DefinitionLesson
from intentwatch.pipeline.io.kafka import admin, undecided


log = logging.getLogger("intentwatch.worker")


class Partitions:
    """The ``Worker``'s rebalancing (uses its ``consumer``, ``engine``,
    ``owner``, ``holding``, ``part_time``, ``start_offsets`` and ``_taught``)."""

    # -- rebalancing --------------------------------------------------------------------
    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.health.ready = False  # until the new lifecycle and feedback partitions are read
        numbers = sorted({tp.partition for tp in partitions if tp.topic == self.topics.actions})
        # The clock starts again from the latest event times the checkpoint's offsets carry, or
        # from the partitions' events (revoked partitions' times went with their agents: _on_revoke).
        self.engine.rewind_clock()
        restored = self._restore(numbers)
        # Hold actions back until the lifecycle and feedback partitions are read to their current end.
        self.holding = {}
        lifecycle = [tp for tp in partitions if tp.topic in (self.topics.lifecycle, self.topics.feedback)]
        for tp in _committed(consumer, lifecycle):
            low, high = _watermarks(consumer, tp)
            start = tp.offset if tp.offset >= 0 else low
            if start < high:
                self.holding[tp.topic, tp.partition] = high
        actions = [tp for tp in partitions if tp.topic == self.topics.actions]
        committed = _committed(consumer, actions)
        for tp in committed:
            self.start_offsets[tp.partition] = tp.offset if tp.offset >= 0 else _watermarks(consumer, tp)[0]
        self._restore_clocks(committed)
        consumer.assign(partitions)
        if actions and self.holding:
            consumer.pause(actions)
        # consume() goes on waiting after this callback: readiness must not wait for the loop.
        self.health.ready = not self.holding
        self.metrics.partitions.set(len(actions))
        self.metrics.rebalances.labels("assign").inc()
        log.info("assigned partitions %s; restored %d agents; lifecycle ends %s", numbers, restored, self.holding)

    def _release_held(self) -> None:
        if not self.holding:
            return
        lc = [TopicPartition(t, p) for t, p in self.holding]
        for tp in self.consumer.position(lc):
            if tp.offset >= self.holding[tp.topic, tp.partition]:
                del self.holding[tp.topic, tp.partition]
        if not self.holding:
            actions = [tp for tp in self.consumer.assignment() if tp.topic == self.topics.actions]
            self.consumer.resume(actions)
            log.info("lifecycle caught up; actions flowing")

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        if self._failed:  # ending after an error: a message of the last batch may be unfinished
            return
        self.metrics.rebalances.labels("revoke").inc()
        committed = self.checkpoint()
        gone = {tp.partition for tp in partitions if tp.topic == self.topics.actions}
        agents = [a for a, p in self.owner.items() if p in gone]
        if not committed:
            # Their instances' lessons since the last checkpoint were never shared: whoever reads
            # the instances again teaches them again, so they are withdrawn here.
            dropped, kept, ours = set(agents), [], []
            for r in self._taught + self.engine.drain_definition_records():
                (ours if isinstance(r, DefinitionLesson) and r.agent_id in dropped else kept).append(r)
            self._taught = kept
            self.engine.withdraw_definition_lessons(ours)
        self.engine.forget(agents)
        for a in agents:
            del self.owner[a]
        # Their clock goes with them: whoever owns them next (this worker too) reads on from the
        # last checkpoint, which a deferred one leaves behind the latest times read. Kept, those
        # times ran the restored agents' clock ahead of the actions read again, and a lifecycle
        # change applied before actions older than it (CI: extra lifecycle.model_mismatch). The
        # checkpoint's own times come back with its offsets (_restore_clocks).
        for p in gone:
            self.part_time.pop(p, None)
        log.info("revoked partitions %s; dropped %d agents", sorted(gone), len(agents))

    # -- the clock of a checkpoint (written by checkpoints.py: _with_clocks) ----------------
    def _restore_clocks(self, committed: list[TopicPartition]) -> None:
        """The latest event times a checkpoint's offsets carry (metadata another writer left is ignored)."""
        for tp in committed:
            meta = tp.metadata or ""
            if tp.topic == self.topics.actions and meta.startswith(CLOCK):
                try:
                    ts = float(meta[len(CLOCK):])
                except ValueError:
                    continue
                if math.isfinite(ts):
                    self.part_time[tp.partition] = ts

    def _restore(self, partitions: list[int]) -> int:
        """Read the committed agent state of these partitions from the state topic."""
        if not partitions:
            return 0
        self._await_decided(partitions)
        reader = Consumer({**self.settings.kafka.client_config(), "group.id": f"{self.settings.worker.group_id}-restore",
                           "enable.auto.commit": False, "isolation.level": "read_committed", "enable.partition.eof": True})
        try:
            reader.assign([TopicPartition(self.topics.state, p, OFFSET_BEGINNING) for p in partitions])
            latest: dict[str, tuple[int, bytes]] = {}
            open_parts = set(partitions)
            deadline = time.monotonic() + 120
            while open_parts and time.monotonic() < deadline:
                self.health.beat()  # restoring is progress, not a stuck loop
                for m in reader.consume(1000, 0.5):
                    if m.error():
                        if m.error().code() == KafkaError._PARTITION_EOF:
                            open_parts.discard(m.partition())
                        else:  # retried by the reader; the deadline below ends a restore that never gets there
                            log.warning("reading state partition %d: %s", m.partition(), m.error().str())
                        continue
                    latest[m.key().decode()] = (m.partition(), m.value())
            if open_parts:
                raise KafkaException(f"could not read state partitions {sorted(open_parts)} to their end")
        finally:
            reader.close()
        for agent_id, (p, raw) in latest.items():
            self.engine.restore_record(orjson.loads(raw))
            self.owner[agent_id] = p
        return len(latest)


    def _await_decided(self, partitions: list[int]) -> None:
        """Wait until no transaction on these state partitions is undecided: the last checkpoint
        of their previous owner (another worker, or this one before an outage) may be committed
        with its markers not written yet, and restoring then would pair older state with its newer
        input offsets. An abandoned one is aborted after the producer's transaction timeout."""
        client = admin(self.settings.kafka)
        state = [TopicPartition(self.topics.state, p) for p in partitions]
        deadline = time.monotonic() + UNDECIDED_WAIT_SECONDS
        while open_ := _retrying("state offsets", lambda: undecided(client, state)):
            if time.monotonic() > deadline:
                raise KafkaException(f"state partitions {sorted(tp.partition for tp in open_)} still hold an undecided "
                                     f"transaction after {UNDECIDED_WAIT_SECONDS}s")
            self.health.beat()
            log.info("state partitions %s hold an undecided transaction; waiting", sorted(tp.partition for tp in open_))
            time.sleep(0.5)


CLOCK = "intentwatch-event-time="  # offset metadata of an action partition in a checkpoint: its latest event time

# A checkpoint transaction left open by a worker that died is aborted after transaction.timeout.ms (30 s).
UNDECIDED_WAIT_SECONDS = 90

# What a group coordinator that is still loading answers; librdkafka does not flag all of it retriable.
_COORDINATOR_STARTING = (KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
                         KafkaError.COORDINATOR_NOT_AVAILABLE)


# And what a just-restarted broker answers while it loads its partitions (a rebalance right after an
# outage lands here: the assignment must not fail on it).
_BROKER_STARTING = (*_COORDINATOR_STARTING, KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE,
                    KafkaError._TIMED_OUT, KafkaError._TRANSPORT)


def _retrying(what: str, call, attempts: int = 10):
    """``call()``, retried (up to ~25 s of pauses) on what a broker or coordinator that is starting answers."""
    for attempt in range(attempts):
        try:
            return call()
        except KafkaException as e:
            err = e.args[0] if e.args and isinstance(e.args[0], KafkaError) else None
            if err is None or attempt == attempts - 1 or not (err.retriable() or err.code() in _BROKER_STARTING):
                raise
            log.warning("%s not available yet (%s); retrying", what, err.str())
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def _committed(consumer: Consumer, partitions: list[TopicPartition], attempts: int = 10) -> list[TopicPartition]:
    """Committed offsets, retrying what a just-started group coordinator answers with."""
    if not partitions:
        return []
    return _retrying("committed offsets", lambda: consumer.committed(partitions, timeout=10), attempts)


def _watermarks(consumer: Consumer, tp: TopicPartition) -> tuple[int, int]:
    return _retrying(f"offsets of {tp.topic}[{tp.partition}]", lambda: consumer.get_watermark_offsets(tp, timeout=10))

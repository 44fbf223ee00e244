"""What every worker reads whole: the compacted topics that carry the fleet-wide state a worker
holding a share of the partitions cannot see for itself.

- ``intentwatch.credentials``: every worker's agents' first uses of credentials (``credential.shared``);
- ``intentwatch.definitions``: the ``kind: definition`` manifests workers registered, and what each
  instance that ended clean taught its definition (``models/definition_record.py``).

Each is written in the checkpoint transactions, read to its end before the worker consumes
anything (so a restarted worker starts with every definition, every model and every first use
committed), then followed as it grows. A worker's own definition records come back to it on
the topic; it folded them in when they happened, so it skips those of its own run (header
``origin``). A malformed record is dead-lettered once per worker instance: how far it has read
is committed (group ``<group_id>-<topic kind>-<instance>``) at each checkpoint, after its dead
letters are delivered, and a restart re-reads the topic without reporting them again.
"""

import logging
import time
import zlib
from collections.abc import Callable

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, TopicPartition

from intentwatch.models.definition_record import DefinitionLesson, DefinitionRecord
from intentwatch.models.errors import InputError
from intentwatch.pipeline.hosts.worker.partitions import _committed
from intentwatch.pipeline.io.codec import decode_credential_use, decode_definition_record

log = logging.getLogger("intentwatch.worker")
LOAD_SECONDS = 120  # at start, reading a shared topic to its end may go this long without a record


def partition_of(record: DefinitionRecord, partitions: int) -> int:
    """One definition's records on one partition, in the order its workers committed them: a
    restarted worker folds its lessons in that order."""
    name = record.definition if isinstance(record, DefinitionLesson) else record.manifest.agent_id
    return zlib.crc32(name.encode()) % partitions


class SharedTopic:
    """One compacted topic read whole by this worker instance; ``handle`` gets each record,
    ``on_error`` each error the reader reports but the end of a partition (the worker's
    ``_client_error``: a fatal one ends the worker, others are logged)."""

    def __init__(self, client: dict, topic: str, group: str, handle: Callable[[Message], None],
                 on_error: Callable[[KafkaError], None]):
        self.topic, self.handle, self.on_error = topic, handle, on_error
        self.reader = Consumer({**client, "group.id": group, "enable.auto.commit": False,
                                "isolation.level": "read_committed", "enable.partition.eof": True})
        self.partitions: list[int] = []
        self.reported: dict[int, int] = {}  # partition -> offset below which this instance dead-lettered already

    def load(self, beat: Callable[[], None]) -> None:
        """Read the topic from its start to its current end."""
        meta = self.reader.list_topics(self.topic, timeout=10).topics.get(self.topic)
        if meta is None or meta.error is not None or not meta.partitions:
            raise KafkaException(f"topic {self.topic} is missing: run `intentwatch topics create` first")
        self.partitions = sorted(meta.partitions)
        committed = _committed(self.reader, [TopicPartition(self.topic, p) for p in self.partitions])
        self.reported = {tp.partition: tp.offset for tp in committed if tp.offset >= 0}
        self.reader.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in self.partitions])
        open_parts, deadline = set(self.partitions), time.monotonic() + LOAD_SECONDS
        while open_parts and time.monotonic() < deadline:
            beat()  # reading is progress, not a stuck loop
            batch = self.reader.consume(1000, 0.5)
            if batch:  # a long topic is fine; one that stops coming is not
                deadline = time.monotonic() + LOAD_SECONDS
            for m in batch:
                if m.error() is None:
                    self.handle(m)
                elif m.error().code() == KafkaError._PARTITION_EOF:
                    open_parts.discard(m.partition())
                else:
                    self.on_error(m.error())
        if open_parts:
            raise KafkaException(f"could not read {self.topic} partitions {sorted(open_parts)} to their end")

    def follow(self) -> None:
        for m in self.reader.consume(500, 0):
            err = m.error()
            if err is None:
                self.handle(m)
            elif err.code() != KafkaError._PARTITION_EOF:
                self.on_error(err)

    def reported_before(self, m: Message) -> bool:
        """Whether this instance dead-lettered ``m`` before (at an earlier start)."""
        return m.offset() < self.reported.get(m.partition(), -1)

    def commit_read(self) -> None:
        """Remember how far this instance has read (and reported) the topic."""
        read = [tp for tp in self.reader.position(self.reader.assignment())
                if tp.offset > self.reported.get(tp.partition, -1)]
        if read:
            self.reader.commit(offsets=read, asynchronous=False)
            self.reported.update({tp.partition: tp.offset for tp in read})

    def close(self) -> None:
        self.reader.close()


class Shared:
    """The ``Worker``'s shared topics (uses its ``engine``, ``settings``, ``owner``, ``dirty``,
    ``stats``, ``run_id`` and ``_dead_letter``)."""

    def _open_shared(self) -> None:
        """Read every shared topic to its end; from then on ``_follow_shared`` keeps up."""
        w, t = self.settings.worker, self.topics
        client = {**self.settings.kafka.client_config(), "error_cb": self._client_error}
        if self.sharing:
            self.credentials = SharedTopic(client, t.credentials, f"{w.group_id}-credentials-{w.instance}", self._merge_credential_use,
                                           self._client_error)
            self.shared.append(self.credentials)
        self.definitions = SharedTopic(client, t.definitions, f"{w.group_id}-definitions-{w.instance}", self._merge_definition_record,
                                       self._client_error)
        self.shared.append(self.definitions)
        for s in self.shared:
            s.load(self.health.beat)
        log.info("credentials: %d first uses known", self.stats["credential_uses"])
        log.info("definitions: %d definition records and %d lessons of clean instances read", self.stats["definitions_shared"],
                 self.stats["definition_lessons"])

    def _follow_shared(self) -> None:
        for s in self.shared:
            s.follow()

    def _bad_shared(self, shared: "SharedTopic", m: Message, e: InputError) -> None:
        source = f"{m.topic()}[{m.partition()}]@{m.offset()}"
        if shared.reported_before(m):
            log.debug("skipping %s, dead-lettered before: %s", source, e.reason)
        else:
            self._dead_letter(m, InputError(source, e.reason, e.kind))

    def _merge_credential_use(self, m: Message) -> None:
        try:
            use = decode_credential_use(m.value() or b"", "", self.settings.engine.max_event_bytes)
            if m.key() != use.key():
                raise InputError("", f"key {(m.key() or b'')[:80]!r} is not credential_id and agent_id joined by a newline",
                                 "key_mismatch")
        except InputError as e:
            self._bad_shared(self.credentials, m, e)
            return
        self.stats["credential_uses"] += 1
        self._events[self.topics.credentials].inc()
        self._publish(self.engine.merge_credential_use(use))
        for agent_id in self.engine.credential_users(use.credential_id):  # a finding may change state without output
            if agent_id in self.owner:
                self.dirty.add(agent_id)

    def _merge_definition_record(self, m: Message) -> None:
        if dict(m.headers() or ()).get("origin") == self.run_id:
            return  # this run's own: folded in when it happened
        try:
            record = decode_definition_record(m.value() or b"", "", self.settings.engine.max_event_bytes)
            if m.key() != record.key():
                raise InputError("", f"key {(m.key() or b'')[:80]!r} is not the definition's id (and, for a lesson, "
                                     "agent_id and instance) joined by newlines", "key_mismatch")
            self.engine.merge_definition_record(record)
        except InputError as e:
            self._bad_shared(self.definitions, m, e)
            return
        self.stats["definition_lessons" if isinstance(record, DefinitionLesson) else "definitions_shared"] += 1
        self._events[self.topics.definitions].inc()

"""Kafka plumbing on confluent-kafka: client configs, topic creation, fast producing, tailing.

Every producer of ours uses the ``murmur2_random`` partitioner (the Java client's), so
one agent_id lands on the same partition number in every co-partitioned topic, whoever
wrote it.
"""

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from confluent_kafka import Consumer, IsolationLevel, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, OffsetSpec

from intentwatch.models.errors import IntentwatchError
from intentwatch.pipeline.settings import KafkaSettings, TopicSettings

log = logging.getLogger(__name__)
PARTITIONER = "murmur2_random"


class KafkaSetupError(IntentwatchError):
    """Topics or brokers are not as the pipeline needs them."""


def producer(kafka: KafkaSettings, **extra: str | int | float | bool) -> Producer:
    conf = {**kafka.client_config(), "partitioner": PARTITIONER, "enable.idempotence": True,
            "linger.ms": 5, "compression.type": "lz4", **extra}
    return Producer(conf)


def admin(kafka: KafkaSettings) -> AdminClient:
    return AdminClient(kafka.client_config())


def undecided(client: AdminClient, partitions: list[TopicPartition], timeout: float = 10.0) -> list[TopicPartition]:
    """Those of ``partitions`` that hold a transaction not decided yet: their last stable offset
    (where a read_committed reader stops) is short of their end. A commit returns to its producer
    once the coordinator has logged it, before the markers are written: until they are, a reader
    stops short of records whose input offsets may already read as committed."""
    latest = {tp: OffsetSpec.latest() for tp in partitions}

    def ends(level: IsolationLevel) -> dict[tuple[str, int], int]:
        done = client.list_offsets(latest, isolation_level=level, request_timeout=timeout)
        return {(tp.topic, tp.partition): f.result().offset for tp, f in done.items()}

    stable, end = ends(IsolationLevel.READ_COMMITTED), ends(IsolationLevel.READ_UNCOMMITTED)
    return [tp for tp in partitions if stable[tp.topic, tp.partition] < end[tp.topic, tp.partition]]


def topic_specs(t: TopicSettings) -> list[NewTopic]:
    """The pipeline's topics. Actions, lifecycle, feedback and state share a partition count (co-partitioned by agent_id)."""
    compacted = {"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1", "segment.ms": "600000"}
    p, r = t.partitions, t.replication_factor
    kept = {"retention.ms": str(t.retention_ms)} if t.retention_ms is not None else {}
    return [
        NewTopic(t.actions, p, r, config=kept),
        NewTopic(t.lifecycle, p, r, config=compacted),
        NewTopic(t.feedback, p, r),
        NewTopic(t.state, p, r, config=compacted),
        NewTopic(t.credentials, p, r, config=compacted),
        NewTopic(t.definitions, p, r, config=compacted),
        NewTopic(t.alerts, p, r, config=kept),
        NewTopic(t.alerts_ocsf, p, r, config=kept),  # used when outputs.formats has ocsf
        NewTopic(t.revocations, p, r, config=kept),
        NewTopic(t.dlq, p, r, config={"retention.ms": str(30 * 24 * 3600 * 1000)}),
    ]


def create_topics(kafka: KafkaSettings, topics: TopicSettings, timeout: float = 30.0) -> dict[str, str]:
    """Create what is missing; check that what exists is co-partitioned. Returns topic -> 'created' | 'exists'."""
    client = admin(kafka)
    specs = topic_specs(topics)
    result: dict[str, str] = {}
    for name, future in client.create_topics(specs, operation_timeout=timeout, request_timeout=timeout).items():
        try:
            future.result()
            result[name] = "created"
        except KafkaException as e:
            if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise KafkaSetupError(f"cannot create topic {name}: {e.args[0].str()}") from None
            result[name] = "exists"
    wanted = (topics.actions, topics.lifecycle, topics.feedback, topics.state)
    deadline = time.monotonic() + timeout

    def ready(meta, name: str) -> bool:  # every partition has a leader: a client reading it now gets no NOT_LEADER
        t = meta.topics.get(name)
        return t is not None and t.error is None and bool(t.partitions) and all(p.leader >= 0 for p in t.partitions.values())

    while True:  # metadata and leader election lag creation by a moment
        meta = client.list_topics(timeout=timeout)
        if all(ready(meta, name) for name in result) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    missing = [name for name in result if not ready(meta, name)]
    if missing:
        raise KafkaSetupError(f"topics {missing} have no leader for every partition {timeout:.0f} s after creation")
    counts = {name: len(meta.topics[name].partitions) for name in wanted}
    if len(set(counts.values())) != 1:
        raise KafkaSetupError(f"topics must share one partition count to be co-partitioned by agent_id: {counts}")
    return result


def wait_for_broker(kafka: KafkaSettings, timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    client = admin(kafka)
    while True:
        try:
            client.list_topics(timeout=2)
            return
        except KafkaException as e:
            if time.monotonic() > deadline:
                raise KafkaSetupError(f"no Kafka broker answers at {kafka.bootstrap_servers}: {e}") from None


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None


def read_topics(kafka: KafkaSettings, topics: Iterable[str], start: str | int = "end", idle_seconds: float | None = None,
                max_records: int | None = None) -> Iterator[Record]:
    """Read committed records from every partition of ``topics`` without joining a group.

    ``start`` is "end", "beginning" or a timestamp in epoch milliseconds. Stops after
    ``idle_seconds`` with nothing new, or after ``max_records``; else runs until interrupted.
    """
    import time

    c = Consumer({**kafka.client_config(), "group.id": "intentwatch-tail", "enable.auto.commit": False,
                  "isolation.level": "read_committed", "enable.partition.eof": False})
    try:
        meta = c.list_topics(timeout=10)
        tps = []
        for t in topics:
            if t not in meta.topics or meta.topics[t].error is not None:
                raise KafkaSetupError(f"topic {t} does not exist (run `intentwatch topics create`)")
            tps += [TopicPartition(t, p) for p in meta.topics[t].partitions]
        if isinstance(start, int):
            tps = c.offsets_for_times([TopicPartition(tp.topic, tp.partition, start) for tp in tps], timeout=10)
        else:
            from confluent_kafka import OFFSET_BEGINNING, OFFSET_END

            for tp in tps:
                tp.offset = OFFSET_END if start == "end" else OFFSET_BEGINNING
        c.assign(tps)
        seen, last = 0, time.monotonic()
        while True:
            msgs = c.consume(500, 0.2)
            if not msgs:
                if idle_seconds is not None and time.monotonic() - last > idle_seconds:
                    return
                continue
            last = time.monotonic()
            for m in msgs:
                if m.error():
                    log.warning("read error on %s[%s]: %s", m.topic(), m.partition(), m.error())
                    continue
                yield Record(m.topic(), m.partition(), m.offset(), m.timestamp()[1], m.key(), m.value())
                seen += 1
                if max_records is not None and seen >= max_records:
                    return
    finally:
        c.close()

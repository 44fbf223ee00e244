"""Bridge: foreign telemetry on a Kafka topic becomes native actions on the actions topic.

The OpenTelemetry Collector's Kafka exporter writes one message per batch of spans (default
topic ``otlp_spans``, ``otlp_proto`` or ``otlp_json``), unkeyed or keyed by trace id, so one
message holds many agents and one agent's spans spread over partitions. The worker keeps each
agent's state with the partition its actions arrive on, so it cannot read that topic as it is.
The bridge reads it (any adapter's format), turns each message into actions through the input
adapter, and produces them keyed by ``agent_id`` (the partitioner every producer of ours uses,
timestamp = event time) to the actions topic; the worker is unchanged. A span the adapter cannot
map goes to the dead-letter topic with its position (``topic[partition]@offset#rs0.ss0.span3``)
and reason in the headers, its siblings go on.

Exactly once: each batch of consumed messages, its actions, its dead letters and its consumed
offsets commit in one Kafka transaction. A bridge killed mid-batch leaves an aborted transaction
(invisible to the worker's read_committed consumer) and its restart reads the batch again.

Context across restarts: an adapter hands context from one message to later ones (a reader's
result to the payer's next call, the tools a model was offered, the agent span a later tool span
belongs to), held in memory. Given a partition, the bridge first reads up to
``worker.bridge_context_messages`` of its messages before the committed offset again through the
adapter, producing nothing, then goes on from the committed offset: a restarted bridge, or one
taking a partition over from another instance, hands on what the one before it would have.
"""

import logging
import signal
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from intentwatch.models.action import Action, action_line
from intentwatch.pipeline.io.adapters import Adapter, BadRecord
from intentwatch.pipeline.io.kafka import PARTITIONER
from intentwatch.pipeline.settings import Settings

log = logging.getLogger("intentwatch.bridge")
DLQ_RAW_BYTES = 64 << 10  # of a record too large to produce, the dead letter keeps this much


@dataclass(frozen=True, slots=True)
class Out:
    """One record to produce: an action (key = agent id) or a dead letter (headers say why)."""

    topic: str
    key: bytes | None
    value: bytes
    timestamp: int
    headers: list[tuple[str, bytes]]


def translate(adapter: Adapter, value: bytes, key: bytes | None, source: str, actions_topic: str,
              dlq_topic: str) -> Iterator[Out]:
    """The records one input message becomes (pure: no Kafka, testable alone)."""
    for r in adapter.decode(value, source):
        if isinstance(r, Action):
            ms = int(r.time.timestamp() * 1000)
            yield Out(actions_topic, r.agent_id.encode(), action_line(r), ms,
                      [("source", source.encode())])
        elif isinstance(r, BadRecord):
            yield Out(dlq_topic, key, r.raw or value, 0,
                      [("source", r.source.encode()), ("reason", r.reason.encode()), ("format", adapter.name.encode())])


class Bridge:
    def __init__(self, settings: Settings, adapter: Adapter, source_topic: str):
        self.settings, self.adapter, self.source_topic = settings, adapter, source_topic
        w = settings.worker
        client = settings.kafka.client_config()
        self.group = f"{w.group_id}-bridge-{source_topic}"
        self.consumer = Consumer({
            **client, "group.id": self.group, "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "isolation.level": "read_committed", "group.instance.id": f"{self.group}-{w.instance}",
            "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000, "fetch.wait.max.ms": 50,
        })
        self.txn = Producer({**client, "transactional.id": f"{self.group}-{w.instance}", "partitioner": PARTITIONER,
                             "transaction.timeout.ms": 30000, "compression.type": "lz4", "linger.ms": 5})
        self.stats: dict[str, int] = defaultdict(int)
        self._live_from: dict[tuple[str, int], int] = {}  # (topic, partition) -> its committed offset, while re-read below it
        self._stop = False

    def stop(self) -> None:
        self._stop = True

    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.stop())
        signal.signal(signal.SIGINT, lambda *_: self.stop())
        t, w = self.settings.topics, self.settings.worker
        self.txn.init_transactions(60)
        self.consumer.subscribe([self.source_topic], on_assign=self._assigned, on_revoke=self._revoked)
        log.info("bridge %s: %s (%s) -> %s, bad records -> %s", w.instance, self.source_topic, self.adapter.name,
                 t.actions, t.dlq)
        try:
            while not self._stop:
                msgs = [m for m in self.consumer.consume(w.batch_size, w.poll_timeout_seconds) if self._ok(m)]
                if msgs:
                    self._batch(msgs)
        finally:
            self.consumer.close()
            log.info("bridge %s stopped: %s", w.instance, dict(self.stats))

    def _assigned(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Start each partition up to ``bridge_context_messages`` before its committed offset (none yet:
        from the start, as ``auto.offset.reset`` says); the messages below it rebuild the adapter's context."""
        back = self.settings.worker.bridge_context_messages
        starts = []
        for tp in consumer.committed(partitions, timeout=30) if back else partitions:
            if back and tp.offset >= 0:
                low = consumer.get_watermark_offsets(tp, timeout=30)[0]
                if low < tp.offset:
                    self._live_from[(tp.topic, tp.partition)] = tp.offset
                    tp = TopicPartition(tp.topic, tp.partition, max(low, tp.offset - back))
            starts.append(tp)
        consumer.assign(starts)
        if self._live_from:
            log.info("bridge: re-reading context below %s", {f"{t}[{p}]": o for (t, p), o in self._live_from.items()})

    def _revoked(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self._live_from.pop((tp.topic, tp.partition), None)

    def _context_only(self, m: Message) -> bool:
        """Whether ``m`` is below its partition's committed offset: read for context, not produced again."""
        live = self._live_from.get((m.topic(), m.partition()))
        if live is None:
            return False
        if m.offset() < live:
            return True
        del self._live_from[(m.topic(), m.partition())]
        return False

    def _ok(self, m: Message) -> bool:
        if m.error():
            if m.error().code() != KafkaError._PARTITION_EOF:
                log.warning("consume error: %s", m.error())
            return False
        return True

    def _batch(self, msgs: list[Message]) -> None:
        t = self.settings.topics
        live = []
        for m in msgs:
            source = f"{m.topic()}[{m.partition()}]@{m.offset()}"
            if self._context_only(m):
                self.stats["context_messages"] += 1
                for _ in self.adapter.decode(m.value() or b"", source):
                    pass  # produced before: only the adapter's memory of it counts
            else:
                live.append((m, source))
        if not live:
            return
        self.txn.begin_transaction()
        try:
            for m, source in live:
                self.stats["messages"] += 1
                for o in translate(self.adapter, m.value() or b"", m.key(), source, t.actions, t.dlq):
                    self.stats["actions" if o.topic == t.actions else "dead_letters"] += 1
                    self._produce(o, source)
            self.txn.send_offsets_to_transaction(self.consumer.position(self.consumer.assignment()),
                                                 self.consumer.consumer_group_metadata())
            self.txn.commit_transaction()
        except Exception:
            self.txn.abort_transaction()
            raise


    def _produce(self, o: Out, source: str) -> None:
        while True:
            try:
                self.txn.produce(o.topic, value=o.value, key=o.key, timestamp=o.timestamp, headers=o.headers)
                return
            except BufferError:
                self.txn.poll(0.05)
            except KafkaException as e:  # too large for the topic: a dead letter (cut short), not a stuck bridge
                if e.args[0].code() != KafkaError.MSG_SIZE_TOO_LARGE or o.topic == self.settings.topics.dlq and \
                        len(o.value) <= DLQ_RAW_BYTES:
                    raise
                self.stats["dead_letters"] += 1
                o = Out(self.settings.topics.dlq, o.key, o.value[:DLQ_RAW_BYTES], 0,
                        [("source", source.encode()), ("reason", f"{len(o.value)} bytes: too large for "
                                                                 f"{o.topic} ({e.args[0].str()})".encode()),
                         ("format", self.adapter.name.encode())])


def run_bridge(settings: Settings, adapter: Adapter, source_topic: str) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    Bridge(settings, adapter, source_topic).run()

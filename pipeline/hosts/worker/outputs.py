"""The worker's outputs: messages decoded at the edge (bad ones dead-lettered with
topic[partition]@offset, reason and a bounded prefix of their bytes), alerts and commands
published keyed by agent_id, and which agents changed since the last checkpoint."""

import logging
import time

from confluent_kafka import KafkaError, Message

from intentwatch.models.alert import Alert
from intentwatch.models.baseline import epoch_seconds
from intentwatch.models.errors import InputError
from intentwatch.models.feedback import Feedback
from intentwatch.pipeline.engine.response import Output
from intentwatch.pipeline.io.deadletter import failure, raw_summary

log = logging.getLogger("intentwatch.worker")


class Outputs:
    """The ``Worker``'s publishing side (uses its ``out`` producer, ``alert_outputs``, ``owner``,
    ``dirty``, ``stats`` and ``metrics``)."""

    def _delivered(self, err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            log.error("could not deliver to %s: %s (%s)", msg.topic(), err.str(), err.name())
            self._undelivered.append(f"{msg.topic()}: {err.name()}")

    def _decode(self, m: Message, decode):
        raw = m.value() or b""
        try:
            key = m.key()
            if not key:
                raise InputError("", "message has no key (the agent_id)", "no_key")
            ev = decode(raw, "", self.settings.engine.max_event_bytes)
            if ev.agent_id.encode() != key:
                raise InputError("", f"key {key[:80]!r} differs from agent_id {ev.agent_id!r}", "key_mismatch")
            return ev
        except InputError as e:  # named here, not per message: formatting a source for every message costs
            self._dead_letter(m, InputError(self._source(m), e.reason, e.kind))
            return None
        except Exception as e:  # noqa: BLE001 - whatever failed, this message only
            self._dead_letter(m, InputError(self._source(m), failure(e), "failed"))
            return None

    @staticmethod
    def _source(m: Message) -> str:
        return f"{m.topic()}[{m.partition()}]@{m.offset()}"

    def _dead_letter(self, m: Message, e: InputError) -> None:
        """The message's first ``dead_letter_raw_bytes`` with where, why, and the size and sha256 of
        all of it in headers: never too large to produce."""
        self.stats["dead_letters"] += 1
        self.metrics.dead_letters.labels(m.topic(), e.kind).inc()
        log.warning("dead letter %s: %s", e.source, e.reason)
        self._produce_dead(m.key(), m.value() or b"", [
            ("source", e.source.encode()), ("reason", e.reason.encode()), ("topic", m.topic().encode()),
            ("partition", str(m.partition()).encode()), ("offset", str(m.offset()).encode())])

    def _produce_dead(self, key: bytes | None, raw: bytes, headers: list) -> None:
        kept, size, digest, truncated = raw_summary(raw, self.settings.engine.dead_letter_raw_bytes)
        headers = [*headers, ("size", str(size).encode()), ("sha256", digest.encode())]
        if truncated:
            headers.append(("truncated", b"true"))
        self._produce(self.topics.dlq, key[:1024] if key is not None else None, kept, headers)

    def _dead_letter_refused(self, m: Message | None = None) -> None:
        """Dead-letter what the trust policy refused: the message ``m`` itself if refused on arrival,
        else (refused when it applied, later) the event as the engine read it, by event id."""
        for r in self.engine.take_rejected():
            ev = r.event
            why = f"refused by the trust policy{' when applied' if r.applied else ''}: {r.reason}"
            if m is not None and not r.applied:
                self._dead_letter(m, InputError(f"{m.topic()}[{m.partition()}]@{m.offset()}", why, "refused"))
                continue
            topic = self.topics.feedback if isinstance(ev, Feedback) else self.topics.lifecycle
            source = f"{topic} event {getattr(ev, 'feedback_id', None) or getattr(ev, 'event_id')}"
            self.stats["dead_letters"] += 1
            self.metrics.dead_letters.labels(topic, "refused").inc()
            log.warning("dead letter %s: %s", source, why)
            self._produce_dead(ev.agent_id.encode(), ev.model_dump_json().encode(),
                               [("source", source.encode()), ("reason", why.encode()), ("topic", topic.encode())])

    def _track(self, agent_id: str, partition: int) -> None:
        self.owner[agent_id] = partition
        self.dirty.add(agent_id)

    def _publish(self, outputs: list[Output]) -> None:
        for o in outputs:
            if isinstance(o, Alert):
                self.stats["alerts"] += 1
                key, headers = o.agent_id.encode(), [("alert_id", o.alert_id.encode())]
                for topic, encode, fmt in self.alert_outputs:
                    cpu = time.thread_time()
                    value = encode(o)
                    # what a format costs (benchmarks/stream.py reads the total the worker logs at stop)
                    self.metrics.encode_seconds.labels(fmt).inc(time.thread_time() - cpu)
                    self._produce(topic, key, value, headers)
                self.metrics.alerts.labels(o.rule_id, o.severity, o.status).inc()
                if o.status == "open":
                    self.metrics.latency.observe(time.time() - epoch_seconds(o.first_seen))
                    if o.rule_id == "pipeline.circuit_breaker":
                        self.metrics.breaker_trips.inc()
            else:
                self.stats["commands"] += 1
                self._produce(self.topics.revocations, o.agent_id.encode(), o.model_dump_json().encode(), [("command_id", o.command_id.encode())])
                self.metrics.commands.labels(o.action).inc()
            if o.agent_id in self.owner:
                self.dirty.add(o.agent_id)

    def _produce(self, topic: str, key: bytes | None, value: bytes, headers: list) -> None:
        while True:
            try:
                self.out.produce(topic, value=value, key=key, headers=headers, on_delivery=self._delivered)
                return
            except BufferError:
                self.out.poll(0.05)  # local queue full: let deliveries drain

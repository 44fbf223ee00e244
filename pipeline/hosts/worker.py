"""The streaming worker: the engine hosted on Kafka, one member of a consumer group.

Per batch: read actions, lifecycle events and analysts' feedback (lifecycle and feedback
first), decode them at the edge
(bad ones to the dead-letter topic with topic[partition]@offset, reason and raw bytes),
run the engine, publish alerts and commands keyed by agent_id.

Credentials are judged fleet-wide (``credential.shared``), but a worker holds only its
partitions' agents: every worker publishes its agents' first uses of credentials to the
compacted credentials topic, in its checkpoint transaction, and reads that whole topic
(all partitions, to its end before the first action, then as it grows). A malformed
record there is dead-lettered once per worker instance: how far it has read is committed
at each checkpoint, and a restart re-reads the topic without reporting it again.

One bad message costs one message: any error while decoding or judging it dead-letters it
(a bounded prefix of its bytes, with its size and sha256 in headers) and the batch goes on.

Durability is a checkpoint every ``checkpoint_seconds``: flush the outputs, then in one
Kafka transaction write the state of every agent that changed (to the compacted state
topic, on the partition its events come from) together with the input offsets. After a
crash, a worker restores the last committed checkpoint and re-reads from its offsets;
the engine is deterministic, so it re-publishes the same alert and command ids with the
same payloads (at-least-once output, exactly-once state). A failed transaction is aborted
and the checkpoint retried; a fatal client error (a fenced producer or static member), an
undelivered output or checkpoints failing for ``max_stall_seconds`` end the worker with an
error, without committing anything past what it finished, so its supervisor restarts it:
never alive and idle.

On assignment the worker restores its partitions' agents from the state topic and
holds back the action partitions until the lifecycle and feedback partitions are read up
to their end, so it knows every registered intent and every verdict before it judges an
action.

Metrics and probes (``/metrics``, ``/healthz``, ``/readyz`` on ``worker.metrics_port``):
pipeline/hosts/metrics.py. Counting is per batch where it can be (records per topic), per
output otherwise; gauges (lag, agents) are refreshed once per ``metrics_seconds``, the count of
agents past warm-up (a walk over every agent) every ``WARM_COUNT_SECONDS``.

Why confluent-kafka and not faust: see docs/streaming.md (the day-one spike).
"""

import logging
import os
import signal
import threading
import time
import zlib
from collections import defaultdict
from datetime import datetime, timezone

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from intentwatch.models.alert import Alert
from intentwatch.models.baseline import epoch_seconds
from intentwatch.models.errors import InputError, IntentwatchError
from intentwatch.models.feedback import Feedback
from intentwatch.pipeline.io.adapters.unknown import UnknownFields
from intentwatch.pipeline.io.codec import decode_action, decode_credential_use, decode_feedback, decode_lifecycle
from intentwatch.pipeline.io.deadletter import failure, raw_summary
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.hosts.metrics import Health, MetricsServer, WorkerMetrics
from intentwatch.pipeline.io.formats import encoder
from intentwatch.pipeline.io.kafka import PARTITIONER, producer
from intentwatch.pipeline.io.agentstore import SqliteStore
from intentwatch.pipeline.io.trustfile import build_engine, trust_status
from intentwatch.pipeline.engine.response import Output
from intentwatch.pipeline.settings import Settings

log = logging.getLogger("intentwatch.worker")
WARM_COUNT_SECONDS = 15.0  # how often the agents-past-warm-up gauge is recounted


class WorkerFailed(IntentwatchError):
    """The worker cannot go on (a fatal client error, undelivered outputs, checkpoints failing):
    it stops without committing, and exits non-zero for its supervisor to restart it."""


class Worker:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.topics = settings.topics
        w = settings.worker
        # Past engine.max_agents_in_memory, evicted agents wait in a local scratch store; the state
        # topic stays the durable copy (a checkpoint writes an evicted dirty agent's record from it).
        self.store = None
        if settings.engine.max_agents_in_memory is not None:
            w.state_dir.mkdir(parents=True, exist_ok=True)
            self.store = SqliteStore(w.state_dir / f"{w.instance}.agents.db")
        self.engine: Engine = build_engine(settings, event_clock=False, store=self.store)  # time = the slowest partition's, see _advance_time
        client = {**settings.kafka.client_config(), "error_cb": self._client_error}
        self._fatal: KafkaError | None = None          # set by a client's fatal error: the worker must end
        self._undelivered: list[str] = []              # outputs the brokers refused for good
        self._in_txn = False
        self._failed = False
        self._uses: list = []                          # credential first uses drained, not yet committed
        self.consumer = Consumer({
            **client, "group.id": w.group_id, "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "isolation.level": "read_committed", "partition.assignment.strategy": "range",  # range keeps co-partitions together
            "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000, "fetch.wait.max.ms": 50,
            # Static membership: a restarted worker takes its partitions back at once.
            "group.instance.id": f"{w.group_id}-{w.instance}",
        })
        self.out = producer(settings.kafka, error_cb=self._client_error)  # alerts, commands, dead letters: published as they happen
        # One alerts topic per enabled format, each alert encoded once per format.
        topic_of = {"native": settings.topics.alerts, "ocsf": settings.topics.alerts_ocsf}
        self.alert_outputs = [(topic_of[f], encoder(f, self.engine.rules), f) for f in settings.outputs.formats]
        self.txn: Producer = Producer({**client, "transactional.id": f"{w.group_id}-{w.instance}", "partitioner": PARTITIONER,
                                       "transaction.timeout.ms": 30000, "compression.type": "lz4", "linger.ms": 5})
        self.owner: dict[str, int] = {}                # agent_id -> input partition
        self.dirty: set[str] = set()                   # agents changed since the last checkpoint
        self.holding: dict[tuple[str, int], int] = {}  # (lifecycle or feedback topic, partition) -> end offset to reach before actions flow
        self.part_time: dict[int, float] = {}          # actions partition -> latest event time read
        self.start_offsets: dict[int, int] = {}        # actions partition -> where reading started
        self.stats: dict[str, int] = defaultdict(int)
        self.encode_cpu: dict[str, float] = defaultdict(float)  # format -> CPU seconds rendering alerts
        self.unknown = UnknownFields()  # field names outside the action contract, for the status file
        self._stop = False
        self.metrics = WorkerMetrics()
        self.health = Health(w.liveness_seconds)
        self.server: MetricsServer | None = None
        self._events = {t: self.metrics.events.labels(t, "native") for t in (self.topics.actions, self.topics.lifecycle,
                                                                            self.topics.feedback, self.topics.credentials)}
        self._withheld_seen = 0
        self._warm_counted_at = float("-inf")
        # Fleet-wide first uses of credentials: published at checkpoints, followed on the topic.
        self.sharing = self.engine.share_credentials()
        self.credential_reader: Consumer | None = None
        # Credentials partition -> offset below which this instance already dead-lettered what
        # was malformed (the reader's committed offsets): the topic is read from its start at
        # every start, and a bad record should be reported once, not at every restart.
        self.credentials_reported: dict[int, int] = {}

    # -- lifecycle of the worker --------------------------------------------------------
    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.stop())
        signal.signal(signal.SIGINT, lambda *_: self.stop())
        w = self.settings.worker
        if w.metrics_port is not None and self.server is None:
            self.server = MetricsServer(self.metrics, self.health, w.metrics_host, w.metrics_port)
        self.txn.init_transactions(60)  # also aborts what a crashed predecessor left open
        self._load_credentials()
        self.consumer.subscribe([self.topics.lifecycle, self.topics.feedback, self.topics.actions], on_assign=self._on_assign, on_revoke=self._on_revoke)
        last_checkpoint = last_tick = last_log = last_metrics = time.monotonic()
        threading.Thread(target=self._watchdog, name="watchdog", daemon=True).start()
        self.health.started = True
        self._write_status(self.consumer.assignment())  # where the probes are, before the first checkpoint
        log.info("worker %s in group %s: consuming %s, %s and %s", w.instance, w.group_id, self.topics.actions,
                 self.topics.lifecycle, self.topics.feedback)
        (log.info if self.engine.trust is not None else log.warning)("%s", trust_status(self.settings.trust))
        clean = False
        try:
            while not self._stop:
                self.health.beat()
                if self._fatal is not None:
                    raise WorkerFailed(f"fatal Kafka client error: {self._fatal.str()} ({self._fatal.name()})")
                self.engine.set_clock(time.time())  # events stamped further ahead are dead-lettered
                msgs = self.consumer.consume(w.batch_size, w.poll_timeout_seconds)
                if msgs:
                    self._process_batch(msgs)
                self._follow_credentials()
                self._release_held()
                self.health.ready = not self.holding
                caught_up = self._advance_time()
                now = time.monotonic()
                if w.wall_clock_timers and caught_up and now - last_tick >= w.tick_seconds:
                    # Only when caught up: then event time is close to wall time.
                    self._publish(self.engine.tick(datetime.now(timezone.utc)))
                    last_tick = now
                if self.engine.rejected:  # refused when due lifecycle changes applied with the clock
                    self._dead_letter_refused()
                if now - last_checkpoint >= w.checkpoint_seconds:
                    self.checkpoint()
                    last_checkpoint = now
                if now - last_metrics >= w.metrics_seconds:
                    self._refresh_metrics()
                    last_metrics = now
                if now - last_log >= 10:
                    log.info("processed %s", dict(self.stats))
                    last_log = now
                self.out.poll(0)
            self.checkpoint()  # a clean stop: what was finished is committed
            clean = True
        finally:
            if not clean:  # commit nothing: a restart resumes from the last checkpoint
                self._failed = True  # also not in the revoke callback that closing the consumer runs
                self._abort()
            self.consumer.close()
            if self.credential_reader is not None:
                self.credential_reader.close()
            self.out.flush(10)
            if self.server is not None:
                self.server.close()
            if self.store is not None:
                self.store.close()
            log.info("worker %s %s: %s", w.instance, "stopped" if clean else "failed", dict(self.stats))
            log.info("alert encoding CPU seconds by format: %s", orjson.dumps(self.encode_cpu).decode())

    def stop(self) -> None:
        self._stop = True

    def _watchdog(self) -> None:
        """End the process when the poll loop has not gone round for ``worker.stuck_seconds``.
        A librdkafka call that never returns (seen: a static member fenced during a rebalance
        after a broker outage) must not leave the worker alive and idle; nothing is committed
        past the last checkpoint, so the supervisor's restart resumes from there."""
        limit = self.settings.worker.stuck_seconds
        while True:
            time.sleep(1.0)
            quiet = time.monotonic() - self.health.beat_at
            if quiet > limit:
                log.error("worker stuck: its poll loop has not gone round for %.0fs (worker.stuck_seconds %g); exiting "
                          "for the supervisor to restart it", quiet, limit)
                logging.shutdown()
                os._exit(3)

    def _client_error(self, err: KafkaError) -> None:
        """librdkafka's error callback (any client): a fatal error ends the worker at its next step."""
        if err.fatal():
            log.error("fatal Kafka client error: %s (%s)", err.str(), err.name())
            self._fatal = err
        else:
            log.warning("Kafka client error: %s (%s)", err.str(), err.name())

    def _delivered(self, err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            log.error("could not deliver to %s: %s (%s)", msg.topic(), err.str(), err.name())
            self._undelivered.append(f"{msg.topic()}: {err.name()}")

    # -- processing ---------------------------------------------------------------------
    def _process_batch(self, msgs: list[Message]) -> None:
        lifecycle, feedback, actions = [], [], []
        for m in msgs:
            if m.error():
                if m.error().fatal():
                    raise WorkerFailed(f"fatal consumer error: {m.error().str()} ({m.error().name()})")
                if m.error().code() != KafkaError._PARTITION_EOF:
                    log.warning("consume error: %s", m.error())
                continue
            topic = m.topic()
            (lifecycle if topic == self.topics.lifecycle else feedback if topic == self.topics.feedback else actions).append(m)
        for part in (lifecycle, feedback, actions):  # counted per batch, not per record
            if part:
                self._events[part[0].topic()].inc(len(part))
        # Lifecycle and feedback first: the engine queues them by event time, so early is always safe.
        for msgs_of, decode, kind in ((lifecycle, decode_lifecycle, "lifecycle"), (feedback, decode_feedback, "feedback")):
            for m in msgs_of:
                ev = self._decode(m, decode)
                if ev is not None:
                    self._track(ev.agent_id, m.partition())
                    try:
                        self._publish(self.engine.process(ev))
                    except Exception as e:  # noqa: BLE001 - refused or failed: this message only
                        self._dead_letter(m, InputError(self._source(m), e.reason, e.kind) if isinstance(e, InputError)
                                  else InputError(self._source(m), failure(e), "failed"))
                        continue
                    self.stats[kind] += 1
                    if self.engine.rejected:
                        self._dead_letter_refused(m)
        for m in actions:
            a = self._decode(m, decode_action)
            if a is None:
                continue
            if a.__pydantic_extra__:  # field names outside the contract: counted, or refused
                names = self.unknown.observe(a)
                if self.settings.worker.strict_fields:
                    self._dead_letter(m, InputError(self._source(m), self.unknown.reason(names), "unknown_fields"))
                    continue
            self._track(a.agent_id, m.partition())
            try:
                outputs = self.engine.process_action(a, zlib.crc32(m.value() or b""))
            except Exception as e:  # noqa: BLE001 - one bad event costs one event
                self._dead_letter(m, InputError(self._source(m), e.reason, e.kind) if isinstance(e, InputError)
                                  else InputError(self._source(m), failure(e), "failed"))
                continue
            self._publish(outputs)
            self.stats["actions"] += 1
            ts = epoch_seconds(a.time)
            if ts > self.part_time.get(m.partition(), float("-inf")):
                self.part_time[m.partition()] = ts
        if self.engine.rejected:
            self._dead_letter_refused()

    # -- fleet-wide credentials -------------------------------------------------------------
    def _load_credentials(self) -> None:
        """Read every worker's published first uses of credentials to the end of the topic."""
        if not self.sharing:
            return
        w, topic = self.settings.worker, self.topics.credentials
        reader = self.credential_reader = Consumer({
            **self.settings.kafka.client_config(), "group.id": f"{w.group_id}-credentials-{w.instance}",
            "enable.auto.commit": False, "isolation.level": "read_committed", "enable.partition.eof": True})
        meta = reader.list_topics(topic, timeout=10).topics.get(topic)
        if meta is None or meta.error is not None or not meta.partitions:
            raise KafkaException(f"topic {topic} is missing: run `intentwatch topics create` first")
        committed = _committed(reader, [TopicPartition(topic, p) for p in meta.partitions])
        self.credentials_reported = {tp.partition: tp.offset for tp in committed if tp.offset >= 0}
        reader.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in meta.partitions])
        open_parts, deadline = set(meta.partitions), time.monotonic() + 120
        while open_parts and time.monotonic() < deadline:
            self.health.beat()
            for m in reader.consume(1000, 0.5):
                if m.error() is None:
                    self._merge_credential_use(m)
                elif m.error().code() == KafkaError._PARTITION_EOF:
                    open_parts.discard(m.partition())
        if open_parts:
            raise KafkaException(f"could not read {topic} partitions {sorted(open_parts)} to their end")
        log.info("credentials: %d first uses known", self.stats["credential_uses"])

    def _follow_credentials(self) -> None:
        if self.credential_reader is not None:
            for m in self.credential_reader.consume(500, 0):
                if m.error() is None:
                    self._merge_credential_use(m)

    def _merge_credential_use(self, m: Message) -> None:
        try:
            use = decode_credential_use(m.value() or b"", "", self.settings.engine.max_event_bytes)
            if m.key() != use.key():
                raise InputError("", f"key {(m.key() or b'')[:80]!r} is not credential_id and agent_id joined by a newline",
                                 "key_mismatch")
        except InputError as e:
            source = f"{m.topic()}[{m.partition()}]@{m.offset()}"
            if m.offset() < self.credentials_reported.get(m.partition(), -1):
                log.debug("skipping %s, dead-lettered before: %s", source, e.reason)
            else:
                self._dead_letter(m, InputError(source, e.reason, e.kind))
            return
        self.stats["credential_uses"] += 1
        self._events[self.topics.credentials].inc()
        self._publish(self.engine.merge_credential_use(use))
        for agent_id in self.engine.credential_users(use.credential_id):  # a finding may change state without output
            if agent_id in self.owner:
                self.dirty.add(agent_id)

    # -- time ---------------------------------------------------------------------------
    def _advance_time(self) -> bool:
        """Engine time = the lowest latest-event-time over partitions still behind their end
        (an idle, caught-up partition holds nothing back). Returns whether all are caught up."""
        low, caught_up = float("inf"), True
        for tp in self.consumer.position([tp for tp in self.consumer.assignment() if tp.topic == self.topics.actions]):
            _low, high = self.consumer.get_watermark_offsets(tp, cached=True)
            offset = tp.offset if tp.offset >= 0 else self.start_offsets.get(tp.partition, -1)
            behind = high is None or high < 0 or offset < high  # end unknown yet: not fetched, so behind
            if behind:
                caught_up = False
                low = min(low, self.part_time.get(tp.partition, float("-inf")))
        if low == float("inf"):
            low = max(self.part_time.values(), default=float("-inf"))
        if low > self.engine.watermark:
            self._publish(self.engine.advance_to(low))
        return caught_up

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
                    cpu = time.thread_time() - cpu  # what a format costs (benchmarks/stream.py)
                    self.encode_cpu[fmt] += cpu
                    self.metrics.encode_seconds.labels(fmt).inc(cpu)
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

    # -- checkpoints --------------------------------------------------------------------
    def checkpoint(self) -> None:
        """Outputs durable first; then agent state and input offsets in one transaction.

        A failed transaction is aborted and the whole checkpoint retried (the agents stay dirty),
        for up to ``max_stall_seconds``; then, or on a fatal error, ``WorkerFailed``."""
        assignment = self.consumer.assignment()
        if not assignment and not self.dirty:
            self._write_status(assignment)  # a worker without partitions is alive too: its probes read this
            return
        started = time.perf_counter()
        deadline = time.monotonic() + self.settings.worker.max_stall_seconds
        attempt = 0
        while True:
            attempt += 1
            try:
                self._flush_outputs(deadline)
                self._checkpoint_once(assignment, started)
                return
            except KafkaException as e:
                err = e.args[0] if e.args and isinstance(e.args[0], KafkaError) else None
                cause = f"{err.str()} ({err.name()}; retriable {err.retriable()}, abortable {err.txn_requires_abort()}, " \
                        f"fatal {err.fatal()})" if err is not None else str(e)
                log.error("checkpoint attempt %d failed: %s", attempt, cause)
                self._abort()
                if (err is not None and err.fatal()) or self._fatal is not None:
                    raise WorkerFailed(f"checkpoint failed for good: {cause}") from None
                if time.monotonic() > deadline:
                    raise WorkerFailed(f"checkpoints failed for {self.settings.worker.max_stall_seconds:g}s; "
                                       f"last: {cause}") from None
                time.sleep(min(0.5 * attempt, 5.0))
                assignment = self.consumer.assignment()

    def _flush_outputs(self, deadline: float) -> None:
        """Wait until every alert, command and dead letter is delivered, or fail the worker."""
        while True:
            remaining = self.out.flush(5)
            if self._undelivered:
                raise WorkerFailed(f"{len(self._undelivered)} outputs could not be delivered (first: {self._undelivered[0]}); "
                                   "not checkpointing past them")
            if not remaining:
                return
            if self._fatal is not None or time.monotonic() > deadline:
                raise WorkerFailed(f"{remaining} outputs not delivered; not checkpointing")
            log.warning("%d outputs not delivered yet; waiting for the brokers", remaining)

    def _abort(self) -> None:
        """Abort an open checkpoint transaction (nothing of it becomes visible)."""
        if not self._in_txn:
            return
        try:
            self.txn.abort_transaction(30)
            self._in_txn = False
        except KafkaException as e:
            log.error("aborting the checkpoint transaction failed: %s", e.args[0] if e.args else e)

    def _checkpoint_once(self, assignment: list[TopicPartition], started: float) -> None:
        self._commit_credentials_read()  # its dead letters are delivered now
        self.txn.begin_transaction()
        self._in_txn = True
        limit = self.settings.worker.max_state_bytes
        size = written = 0
        for agent_id in self.dirty:
            raw = self.engine.state_record(agent_id)
            if raw is not None and agent_id in self.owner:
                record = orjson.dumps(raw)
                if len(record) > limit:  # the per-agent caps keep this from happening; never block on it
                    self.stats["state_too_large"] += 1
                    log.error("state of %s is %d bytes, over worker.max_state_bytes %d: not saved", agent_id[:80], len(record), limit)
                    continue
                size += len(record)
                written += 1
                self.txn.produce(self.topics.state, key=agent_id.encode(), value=record, partition=self.owner[agent_id])
        # For the other workers, with the state that saw them; kept until a commit: an aborted
        # checkpoint publishes them again.
        self._uses += self.engine.drain_credential_uses()
        for use in self._uses:
            self.txn.produce(self.topics.credentials, key=use.key(), value=use.model_dump_json().encode())
        if assignment:
            positions = [tp for tp in self.consumer.position(assignment) if tp.offset >= 0]
            if positions:
                self.txn.send_offsets_to_transaction(positions, self.consumer.consumer_group_metadata(), 30)
        self.txn.commit_transaction(30)
        self._in_txn = False
        self._uses = []
        self.stats["checkpoints"] += 1
        self.dirty.clear()
        self.metrics.checkpoint_seconds.observe(time.perf_counter() - started)
        self.metrics.checkpoint_bytes.set(size)
        self.metrics.checkpoint_agents.set(written)
        self._write_status(assignment)

    def _commit_credentials_read(self) -> None:
        """Remember how far this instance has read (and reported) the credentials topic."""
        reader = self.credential_reader
        if reader is None:
            return
        read = [tp for tp in reader.position(reader.assignment())
                if tp.offset > self.credentials_reported.get(tp.partition, -1)]
        if read:
            reader.commit(offsets=read, asynchronous=False)
            self.credentials_reported.update({tp.partition: tp.offset for tp in read})

    def _refresh_metrics(self) -> None:
        """Gauges that need a look around: lag per partition, agents held and warm, readiness."""
        m = self.metrics
        assignment = self.consumer.assignment()
        m.lag.clear()  # partitions revoked since the last refresh go away
        for tp in self.consumer.position(assignment) if assignment else []:
            _low, high = self.consumer.get_watermark_offsets(tp, cached=True)
            offset = tp.offset if tp.offset >= 0 else None
            if high is not None and high >= 0 and offset is not None:
                m.lag.labels(tp.topic, str(tp.partition)).set(max(high - offset, 0))
        m.partitions.set(sum(1 for tp in assignment if tp.topic == self.topics.actions))
        m.agents.set(len(self.engine.agents))
        now = time.monotonic()
        if now - self._warm_counted_at >= WARM_COUNT_SECONDS:  # walks every agent: ~1.5 us each, so not every second
            m.warm_agents.set(self.engine.warm_agents())
            self._warm_counted_at = now
        withheld = self.engine.withheld
        if withheld > self._withheld_seen:
            m.withheld.inc(withheld - self._withheld_seen)
            self._withheld_seen = withheld
        m.ready.set(1 if self.health.ready else 0)
        m.last_beat.set(time.time())

    def _write_status(self, assignment: list[TopicPartition]) -> None:
        """``<state_dir>/<instance>.status.json``, rewritten at each checkpoint: for probes and operators."""
        w = self.settings.worker
        w.state_dir.mkdir(parents=True, exist_ok=True)
        status = {"instance": w.instance, "group_id": w.group_id, "checkpoint_at": datetime.now(timezone.utc).isoformat(),
                  "engine_time": self.engine.watermark if self.engine.watermark != float("-inf") else None,
                  "agents": len(self.engine.agents), "partitions": sorted({tp.partition for tp in assignment}),
                  **({"evicted": ev.evicted, "revived": ev.revived, "agents_in_store": len(ev.store)}
                     if (ev := self.engine.evictor) is not None else {}),
                  "lifecycle_catching_up": sorted(f"{t}[{p}]" for t, p in self.holding), "stats": dict(self.stats),
                  "metrics_port": self.server.port if self.server is not None else None, "ready": self.health.ready,
                  "learning": self.engine.learning_report(),
                  "unknown_fields": dict(self.unknown.counts.most_common(20))}
        tmp = w.state_dir / f".{w.instance}.status.json.tmp"
        tmp.write_bytes(orjson.dumps(status, option=orjson.OPT_INDENT_2))
        tmp.replace(w.state_dir / f"{w.instance}.status.json")

    # -- rebalancing --------------------------------------------------------------------
    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self.health.ready = False  # until the new lifecycle and feedback partitions are read
        numbers = sorted({tp.partition for tp in partitions if tp.topic == self.topics.actions})
        # New partitions may lag the old ones: let their events set the clock again.
        self.engine.rewind_clock()
        self.part_time = {p: t for p, t in self.part_time.items() if p in numbers}
        restored = self._restore(numbers)
        # Hold actions back until the lifecycle and feedback partitions are read to their current end.
        self.holding = {}
        lifecycle = [tp for tp in partitions if tp.topic in (self.topics.lifecycle, self.topics.feedback)]
        for tp in _committed(consumer, lifecycle):
            low, high = consumer.get_watermark_offsets(tp, timeout=10)
            start = tp.offset if tp.offset >= 0 else low
            if start < high:
                self.holding[tp.topic, tp.partition] = high
        actions = [tp for tp in partitions if tp.topic == self.topics.actions]
        for tp in _committed(consumer, actions):
            self.start_offsets[tp.partition] = tp.offset if tp.offset >= 0 else consumer.get_watermark_offsets(tp, timeout=10)[0]
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
        self.checkpoint()
        gone = {tp.partition for tp in partitions if tp.topic == self.topics.actions}
        agents = [a for a, p in self.owner.items() if p in gone]
        self.engine.forget(agents)
        for a in agents:
            del self.owner[a]
        log.info("revoked partitions %s; dropped %d agents", sorted(gone), len(agents))

    def _restore(self, partitions: list[int]) -> int:
        """Read the committed agent state of these partitions from the state topic."""
        if not partitions:
            return 0
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


# What a group coordinator that is still loading answers; librdkafka does not flag all of it retriable.
_COORDINATOR_STARTING = (KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
                         KafkaError.COORDINATOR_NOT_AVAILABLE)


def _committed(consumer: Consumer, partitions: list[TopicPartition], attempts: int = 10) -> list[TopicPartition]:
    """Committed offsets, retrying what a just-started group coordinator answers with."""
    if not partitions:
        return []
    for attempt in range(attempts):
        try:
            return consumer.committed(partitions, timeout=10)
        except KafkaException as e:
            if attempt == attempts - 1 or not (e.args[0].retriable() or e.args[0].code() in _COORDINATOR_STARTING):
                raise
            log.warning("committed offsets not available yet (%s); retrying", e.args[0].str())
            time.sleep(0.5 * (attempt + 1))
    return []


def run_worker(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    Worker(settings).run()

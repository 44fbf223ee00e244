"""The worker's poll loop: one batch at a time through the engine, timers, checkpoints and
gauges when due, a watchdog for a loop that stops going round (see the package docstring)."""

import faulthandler
import gc
import logging
import os
import signal
import threading
import time
import uuid
import zlib
from collections import defaultdict
from datetime import datetime, timezone

import orjson
from confluent_kafka import Consumer, KafkaError, Message, Producer

from intentwatch.models.baseline import epoch_seconds
from intentwatch.models.errors import InputError
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.hosts.metrics import Health, MetricsServer, Timings, WorkerMetrics
from intentwatch.pipeline.hosts.worker.checkpoints import Checkpoints, Snapshot, WorkerFailed, is_fatal
from intentwatch.pipeline.hosts.worker.outputs import Outputs
from intentwatch.pipeline.hosts.worker.partitions import Partitions
from intentwatch.pipeline.hosts.worker.shared import Shared, SharedTopic
from intentwatch.pipeline.io.adapters.unknown import UnknownFields
from intentwatch.pipeline.io.agentstore import SqliteStore
from intentwatch.pipeline.io.codec import decode_action, decode_feedback, decode_lifecycle
from intentwatch.pipeline.io.deadletter import failure
from intentwatch.pipeline.io.formats import encoder
from intentwatch.pipeline.io.gc_pause import collector_paused
from intentwatch.pipeline.io.kafka import PARTITIONER, producer
from intentwatch.pipeline.io.trustfile import build_engine, trust_status
from intentwatch.pipeline.settings import Settings

log = logging.getLogger("intentwatch.worker")
WARM_COUNT_SECONDS = 15.0  # how often the agents-past-warm-up gauge is recounted
# The collector's full collections walk every object the engine holds: 0.1-0.3 s with the poll loop
# stopped on a loaded 2-core machine, about every 10 s, finding next to nothing (the engine's state
# has no cycles to speak of). One per 100 younger collections instead of 10 (CPython's third
# threshold; its other condition, a quarter more long-lived objects, still holds).
FULL_COLLECTION_EVERY = 100



class Worker(Outputs, Checkpoints, Partitions, Shared):
    """One member of the consumer group. Its state is set up here; the concerns it is made of
    (outputs, checkpoints, partitions) read and write it through ``self``."""

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
        self._committing: Snapshot | None = None     # a checkpoint committing on its own thread
        self._failed = False
        self._stalled_since: float | None = None  # monotonic time of the first of consecutive failed checkpoints
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
        self.unknown = UnknownFields()  # field names outside the action contract, for the status file
        self._stop = False
        self.metrics = WorkerMetrics()
        self.timings = Timings(self.metrics)
        self._gc_began = 0.0
        self.health = Health(w.liveness_seconds)
        self.server: MetricsServer | None = None
        self._events = {t: self.metrics.events.labels(t, "native") for t in (self.topics.actions, self.topics.lifecycle,
                                                                            self.topics.feedback, self.topics.credentials,
                                                                            self.topics.definitions)}
        self._withheld_seen = 0
        self._warm_counted_at = float("-inf")
        # Fleet-wide first uses of credentials: published at checkpoints, followed on the topic.
        self.sharing = self.engine.share_credentials()
        # Every definition and what every clean instance taught it, fleet-wide: published at
        # checkpoints with this run's id (its own come back on the topic: skipped), followed on the topic.
        self.engine.share_definitions()
        self.run_id = f"{w.instance}-{uuid.uuid4().hex}".encode()
        self._taught: list = []                        # definition records drained, not yet committed
        self.shared: list[SharedTopic] = []            # the topics read whole (shared.py), opened by run()
        self.credentials: SharedTopic | None = None    # among them, when credentials are shared
        self.definitions: SharedTopic | None = None

    # -- lifecycle of the worker --------------------------------------------------------
    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.stop())
        signal.signal(signal.SIGINT, lambda *_: self.stop())
        faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <pid>`: every thread's stack to stderr
        w = self.settings.worker
        if w.metrics_port is not None and self.server is None:
            self.server = MetricsServer(self.metrics, self.health, w.metrics_host, w.metrics_port)
        self.txn.init_transactions(60)  # also aborts what a crashed predecessor left open
        self._open_shared()
        self.consumer.subscribe([self.topics.lifecycle, self.topics.feedback, self.topics.actions], on_assign=self._on_assign, on_revoke=self._on_revoke)
        last_checkpoint = last_tick = last_log = last_metrics = time.monotonic()
        threading.Thread(target=self._watchdog, name="watchdog", daemon=True).start()
        gc.callbacks.append(self._gc_timed)
        young, middle, _full = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
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
                began = time.perf_counter()
                msgs = self.consumer.consume(w.batch_size, w.poll_timeout_seconds)
                polled = time.perf_counter()
                self.timings.add("poll", polled - began)
                if msgs:
                    with collector_paused():
                        self._process_batch(msgs)
                        msgs = None  # the batch's messages die here, before the collector may run
                    self.timings.add("process", time.perf_counter() - polled)
                self._settle(wait=False)  # a checkpoint committed in the background: booked
                self._follow_shared()
                self._release_held()
                self.health.ready = not self.holding
                stepped = time.perf_counter()
                caught_up = self._advance_time()
                self.timings.add("advance", time.perf_counter() - stepped)  # due timers, closed windows, compaction
                now = time.monotonic()
                if w.wall_clock_timers and caught_up and now - last_tick >= w.tick_seconds:
                    # Only when caught up: then event time is close to wall time.
                    self._publish(self.engine.tick(datetime.now(timezone.utc)))
                    last_tick = now
                if self.engine.rejected:  # refused when due lifecycle changes applied with the clock
                    self._dead_letter_refused()
                if now - last_checkpoint >= w.checkpoint_seconds:
                    self.checkpoint(background=True)
                    self.timings.add("checkpoint", time.monotonic() - now)
                    last_checkpoint = now
                if now - last_metrics >= w.metrics_seconds:
                    self._refresh_metrics()
                    last_metrics = now
                if now - last_log >= 10:
                    log.info("processed %s (duplicates %d); time by stage over %.0f s: %s", dict(self.stats),
                             self.engine.stats["duplicates"], now - last_log, self.timings.line())
                    last_log = now
                self.out.poll(0)
            clean = self.checkpoint(final=True)  # a clean stop: what was finished is committed
        finally:
            gc.callbacks.remove(self._gc_timed)
            if not clean:  # commit nothing: a restart resumes from the last checkpoint
                self._failed = True  # also not in the revoke callback that closing the consumer runs
                self._abort()
            self.consumer.close()
            for shared in self.shared:
                shared.close()
            self.out.flush(10)
            if self.server is not None:
                self.server.close()
            if self.store is not None:
                self.store.close()
            log.info("worker %s %s: %s", w.instance, "stopped" if clean else "failed", dict(self.stats))
            log.info("alert encoding CPU seconds by format: %s", orjson.dumps(self.metrics.encode_seconds_of([f for _, _, f in self.alert_outputs])).decode())

    def stop(self) -> None:
        self._stop = True

    def _watchdog(self) -> None:
        """End the process when the poll loop has not gone round for ``worker.stuck_seconds``.
        A librdkafka call that never returns (seen after a broker restart: send_offsets_to_transaction
        past its timeout, librdkafka issues #5456 and #5511) must not leave the worker alive and
        idle; nothing is committed past the last checkpoint, so the supervisor's restart resumes
        from there."""
        limit = self.settings.worker.stuck_seconds
        while True:
            time.sleep(1.0)
            quiet = time.monotonic() - self.health.beat_at
            if quiet > limit:
                log.error("worker stuck: its poll loop has not gone round for %.0fs (worker.stuck_seconds %g); exiting "
                          "for the supervisor to restart it; where each thread is:", quiet, limit)
                faulthandler.dump_traceback(all_threads=True)  # to stderr: which call never returned
                logging.shutdown()
                os._exit(3)

    def _gc_timed(self, phase: str, info: dict) -> None:
        """The cyclic garbage collector's pauses (``gc.callbacks``): a full collection walks every
        object the engine holds."""
        if phase == "start":
            self._gc_began = time.perf_counter()
        else:
            self.timings.add("gc full" if info["generation"] == 2 else "gc", time.perf_counter() - self._gc_began)

    def _client_error(self, err: KafkaError) -> None:
        """librdkafka's error callback (any client): a fatal error ends the worker at its next step."""
        if is_fatal(err):
            log.error("fatal Kafka client error: %s (%s)", err.str(), err.name())
            self._fatal = err
        else:
            log.warning("Kafka client error: %s (%s)", err.str(), err.name())

    # -- processing ---------------------------------------------------------------------
    def _process_batch(self, msgs: list[Message]) -> None:
        lifecycle, feedback, actions = [], [], []
        for m in msgs:
            if m.error():
                if is_fatal(m.error()):
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
        live, stored = self.engine.agent_counts()
        m.agents.set(live + stored)
        m.agents_live.set(live)
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


def run_worker(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    Worker(settings).run()

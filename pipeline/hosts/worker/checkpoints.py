"""The worker's checkpoints: outputs delivered first, then agent state, the fleet's credential
first uses, the definitions' lessons and the input offsets in one Kafka transaction; the status
file for probes."""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import orjson
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from intentwatch.models.errors import IntentwatchError
from intentwatch.pipeline.hosts.worker.partitions import CLOCK
from intentwatch.pipeline.hosts.worker.shared import partition_of
from intentwatch.pipeline.io.gc_pause import collector_paused

log = logging.getLogger("intentwatch.worker")


# A checkpoint failing with these names a group membership the consumer no longer holds (its session
# timed out while the broker was away, or a rebalance began): even the final one does not retry them.
_MEMBERSHIP = (KafkaError.UNKNOWN_MEMBER_ID, KafkaError.FENCED_INSTANCE_ID, KafkaError.ILLEGAL_GENERATION,
               KafkaError.REBALANCE_IN_PROGRESS)


class WorkerFailed(IntentwatchError):
    """The worker cannot go on (a fatal client error, undelivered outputs, checkpoints failing):
    it stops without committing, and exits non-zero for its supervisor to restart it."""


@dataclass(eq=False)
class Snapshot:
    """One checkpoint's transaction: what it holds, and how its commit went."""
    agents: set[str]                        # the agents whose state it carries
    uses: list                              # credential first uses in it
    taught: list                            # definition records in it
    positions: list[TopicPartition]         # the input offsets it commits
    assignment: list[TopicPartition]
    started: float                          # perf_counter at the checkpoint's start
    at: float                               # monotonic, the same moment
    group: object = None                    # the consumer's group metadata at the snapshot
    size: int = 0
    written: int = 0
    thread: threading.Thread | None = None
    error: BaseException | None = None
    commit_seconds: float = 0.0
    done: float = 0.0


def is_fatal(err: KafkaError) -> bool:
    """A fatal client error. A consumer hands a fenced static member's as a message error with code
    ``_FATAL`` whose ``fatal()`` is False (seen with librdkafka 2.x): the worker then idled, alive."""
    return err.fatal() or err.code() == KafkaError._FATAL


def _name(e: KafkaException) -> str:
    err = e.args[0] if e.args and isinstance(e.args[0], KafkaError) else None
    return err.name() if err is not None else "failed"


class Checkpoints:
    """The ``Worker``'s durability (uses its ``txn`` producer, ``consumer``, ``dirty``, ``owner``,
    ``part_time`` and ``shared`` topics)."""

    def checkpoint(self, final: bool = False, background: bool = False) -> bool:
        """Outputs durable first; then agent state and input offsets in one transaction. True if
        committed (``background``: snapshotted, its transaction committing on a thread of its own).

        The poll loop's timer checkpoints in the background: the state records and the input
        positions are taken here, on the poll thread, at one moment (so they agree), and the thread
        sends the offsets and commits while the loop goes on judging; the next checkpoint first
        waits for it (``_settle``). A rebalance and the clean stop commit in place.

        A failed attempt is aborted (its agents dirty again) and the worker goes back to its poll
        loop, which tries again at its next checkpoint: the consumer must be polled to rejoin its
        group after an outage and to report a fatal error (a fenced static member), and retrying
        here kept it from both (issue 17 finding 5). Checkpoints failing for ``max_stall_seconds``
        from the first of consecutive failures, or a fatal error, raise ``WorkerFailed``. ``final``
        (the clean stop) retries in place instead, as there is no loop to go back to."""
        if self._settle() is False and background:
            return False  # the last one failed (and was counted): the next timer tries again
        assignment = self.consumer.assignment()
        if not assignment and not self.dirty:
            self._write_status(assignment)  # a worker without partitions is alive too: its probes read this
            return True
        started = time.perf_counter()
        first_failure = self._stalled_since if self._stalled_since is not None else time.monotonic()
        deadline = first_failure + self.settings.worker.max_stall_seconds
        attempt = 0
        while True:
            attempt += 1
            snap: Snapshot | None = None
            try:
                if not self._flush_outputs(deadline, patient=final):
                    return self._defer("outputs not delivered yet", first_failure)
                snap = self._snapshot(assignment, started)
                if background:
                    snap.thread = threading.Thread(target=self._commit_on_thread, args=(snap,), name="checkpoint", daemon=True)
                    self._committing = snap
                    snap.thread.start()
                    return True
                self._commit(snap)
                self._committed(snap)
                return True
            except KafkaException as e:
                if snap is not None:
                    self._unsnapshot(snap)
                self._attempt_failed(e, attempt, first_failure, deadline)
                err = e.args[0] if e.args else None
                if not final or (isinstance(err, KafkaError) and err.code() in _MEMBERSHIP):
                    return self._defer(_name(e), first_failure)
                time.sleep(min(0.5 * attempt, 5.0))
                assignment = self.consumer.assignment()

    def _settle(self, wait: bool = True) -> bool | None:
        """Book the checkpoint committing in the background (waiting for it unless not ``wait``):
        True committed, False failed (aborted, its agents dirty again; raises ``WorkerFailed`` as
        ``checkpoint`` does), None none pending (or, not waiting, still committing)."""
        snap = self._committing
        if snap is None or snap.thread is None or (not wait and snap.thread.is_alive()):
            return None
        snap.thread.join()
        self._committing = None
        if snap.error is None:
            self._committed(snap)
            return True
        self._unsnapshot(snap)
        if not isinstance(snap.error, KafkaException):
            raise snap.error
        first_failure = self._stalled_since if self._stalled_since is not None else snap.at
        self._attempt_failed(snap.error, 1, first_failure, first_failure + self.settings.worker.max_stall_seconds)
        self._defer(_name(snap.error), first_failure)
        return False

    def _attempt_failed(self, e: KafkaException, attempt: int, first_failure: float, deadline: float) -> None:
        """Log and abort a failed checkpoint; raise ``WorkerFailed`` if it was fatal or the stall
        budget is spent."""
        err = e.args[0] if e.args and isinstance(e.args[0], KafkaError) else None
        cause = f"{err.str()} ({err.name()}; retriable {err.retriable()}, abortable {err.txn_requires_abort()}, " \
                f"fatal {err.fatal()})" if err is not None else str(e)
        log.error("checkpoint attempt %d failed: %s", attempt, cause)
        self._abort()
        if (err is not None and is_fatal(err)) or self._fatal is not None:
            raise WorkerFailed(f"checkpoint failed for good: {cause}") from None
        if time.monotonic() > deadline:
            raise WorkerFailed(f"checkpoints failed for {self.settings.worker.max_stall_seconds:g}s; "
                               f"last: {cause}") from None

    def _defer(self, why: str, first_failure: float) -> bool:
        """Nothing committed: back to the poll loop, the agents still dirty, the stall budget running
        (a revoke hands its partitions on from the last checkpoint)."""
        self._stalled_since = first_failure
        self.stats["checkpoints_deferred"] += 1
        log.warning("checkpoint deferred (%s); the poll loop tries again", why)
        return False

    def _flush_outputs(self, deadline: float, patient: bool) -> bool:
        """Wait until every alert, command and dead letter is delivered (impatient: 5 s, then False),
        or fail the worker."""
        while True:
            remaining = self.out.flush(5)
            if self._undelivered:
                raise WorkerFailed(f"{len(self._undelivered)} outputs could not be delivered (first: {self._undelivered[0]}); "
                                   "not checkpointing past them")
            if not remaining:
                return True
            if self._fatal is not None or time.monotonic() > deadline:
                raise WorkerFailed(f"{remaining} outputs not delivered; not checkpointing")
            log.warning("%d outputs not delivered yet; waiting for the brokers", remaining)
            if not patient:
                return False

    def _abort(self) -> None:
        """Abort an open checkpoint transaction (nothing of it becomes visible). One committing in
        the background is waited for first: it commits or fails whole."""
        snap = self._committing
        if snap is not None and snap.thread is not None:
            snap.thread.join()
            if snap.error is None:
                self._in_txn = False  # it committed; booked by _settle, or not at all when the worker is failing
        if not self._in_txn:
            return
        try:
            self.txn.abort_transaction(30)
            self._in_txn = False
        except KafkaException as e:
            log.error("aborting the checkpoint transaction failed: %s", e.args[0] if e.args else e)

    def _snapshot(self, assignment: list[TopicPartition], started: float) -> Snapshot:
        """Open the transaction and put in it, at one moment on the poll thread, the state of every
        agent changed since the last checkpoint, the fleet's credential first uses and the
        definitions' lessons; take the input positions they go with. The agents are clean from
        here on (dirty again if it fails)."""
        for shared in self.shared:  # their dead letters are delivered now
            shared.commit_read()
        snap = Snapshot(self.dirty, self._uses + self.engine.drain_credential_uses(),
                        self._taught + self.engine.drain_definition_records(), [], assignment, started, time.monotonic())
        self.dirty, self._uses, self._taught = set(), [], []
        try:
            self.txn.begin_transaction()
            self._in_txn = True
            limit = self.settings.worker.max_state_bytes
            began = time.perf_counter()
            with collector_paused():  # the records' dicts die at once, by reference count
                for agent_id in snap.agents:
                    record = self.engine.state_bytes(agent_id)
                    if record is not None and agent_id in self.owner:
                        if len(record) > limit:  # the per-agent caps keep this from happening; never block on it
                            self.stats["state_too_large"] += 1
                            log.error("state of %s is %d bytes, over worker.max_state_bytes %d: not saved", agent_id[:80], len(record), limit)
                            continue
                        snap.size += len(record)
                        snap.written += 1
                        self.txn.produce(self.topics.state, key=agent_id.encode(), value=record, partition=self.owner[agent_id])
            self.timings.add("serialise", time.perf_counter() - began)
            # For the other workers, with the state that saw them; kept until a commit: an aborted
            # checkpoint publishes them again.
            for use in snap.uses:
                self.txn.produce(self.topics.credentials, key=use.key(), value=use.model_dump_json().encode())
            for r in snap.taught:  # lessons of clean instances, definitions registered (run() opened the topic first)
                self.txn.produce(self.topics.definitions, key=r.key(), value=r.model_dump_json().encode(),
                                 partition=partition_of(r, len(self.definitions.partitions)), headers=[("origin", self.run_id)])
            if assignment:
                snap.positions = self._with_clocks([tp for tp in self.consumer.position(assignment) if tp.offset >= 0])
                snap.group = self.consumer.consumer_group_metadata()
        except BaseException:
            self._unsnapshot(snap)
            raise
        return snap

    def _with_clocks(self, positions: list[TopicPartition]) -> list[TopicPartition]:
        """A checkpoint's input positions, each action partition's carrying the latest event time
        read there (offset metadata, committed with the offsets): whoever restores the checkpoint
        starts the engine's clock where it was, so due lifecycle changes (and the lessons of the
        instances they end) apply at the same point as in a run without the restore."""
        return [TopicPartition(tp.topic, tp.partition, tp.offset, metadata=f"{CLOCK}{self.part_time[tp.partition]!r}",
                               leader_epoch=tp.leader_epoch if tp.leader_epoch is not None else -1)  # -1: none
                if tp.topic == self.topics.actions and tp.partition in self.part_time else tp for tp in positions]

    def _commit(self, snap: Snapshot) -> None:
        """Send the snapshot's offsets and commit it (on the poll thread or the checkpoint thread)."""
        begun = time.perf_counter()
        if snap.positions:
            self.txn.send_offsets_to_transaction(snap.positions, snap.group, 30)
        self.txn.commit_transaction(30)
        snap.commit_seconds = time.perf_counter() - begun
        snap.done = time.perf_counter()

    def _commit_on_thread(self, snap: Snapshot) -> None:
        try:
            self._commit(snap)
        except BaseException as e:  # noqa: BLE001 - handed to the poll thread (_settle)
            snap.error = e

    def _unsnapshot(self, snap: Snapshot) -> None:
        """A snapshot that did not commit: its agents, credential uses and lessons go into the next one."""
        self.dirty |= snap.agents
        self._uses = snap.uses + self._uses
        self._taught = snap.taught + self._taught

    def _committed(self, snap: Snapshot) -> None:
        """Book a committed checkpoint (on the poll thread)."""
        self._in_txn = False
        self._stalled_since = None
        self.stats["checkpoints"] += 1
        self.timings.add("commit", snap.commit_seconds)
        self.metrics.checkpoint_seconds.observe(snap.done - snap.started)
        self.metrics.checkpoint_bytes.set(snap.size)
        self.metrics.checkpoint_agents.set(snap.written)
        self._write_status(snap.assignment)

    def _write_status(self, assignment: list[TopicPartition]) -> None:
        """``<state_dir>/<instance>.status.json``, rewritten at each checkpoint: for probes and operators."""
        w = self.settings.worker
        w.state_dir.mkdir(parents=True, exist_ok=True)
        live, stored = self.engine.agent_counts()
        status = {"instance": w.instance, "group_id": w.group_id, "checkpoint_at": datetime.now(timezone.utc).isoformat(),
                  "engine_time": self.engine.watermark if self.engine.watermark != float("-inf") else None,
                  "agents": live, "stored_agents": stored, "partitions": sorted({tp.partition for tp in assignment}),
                  **({"evicted": ev.evicted, "revived": ev.revived, "agents_in_store": len(ev.store)}
                     if (ev := self.engine.evictor) is not None else {}),
                  "lifecycle_catching_up": sorted(f"{t}[{p}]" for t, p in self.holding), "stats": dict(self.stats),
                  "metrics_port": self.server.port if self.server is not None else None, "ready": self.health.ready,
                  "learning": self.engine.learning_report(),
                  "unknown_fields": dict(self.unknown.counts.most_common(20))}
        tmp = w.state_dir / f".{w.instance}.status.json.tmp"
        tmp.write_bytes(orjson.dumps(status, option=orjson.OPT_INDENT_2))
        tmp.replace(w.state_dir / f"{w.instance}.status.json")


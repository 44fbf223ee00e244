"""The worker's checkpoints: outputs delivered first, then agent state, the fleet's credential
first uses, the definitions' lessons and the input offsets in one Kafka transaction; the status
file for probes."""

import logging
import time
from datetime import datetime, timezone

import orjson
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from intentwatch.models.errors import IntentwatchError
from intentwatch.pipeline.hosts.worker.shared import partition_of

log = logging.getLogger("intentwatch.worker")


# A checkpoint failing with these names a group membership the consumer no longer holds (its session
# timed out while the broker was away, or a rebalance began): even the final one does not retry them.
_MEMBERSHIP = (KafkaError.UNKNOWN_MEMBER_ID, KafkaError.FENCED_INSTANCE_ID, KafkaError.ILLEGAL_GENERATION,
               KafkaError.REBALANCE_IN_PROGRESS)


class WorkerFailed(IntentwatchError):
    """The worker cannot go on (a fatal client error, undelivered outputs, checkpoints failing):
    it stops without committing, and exits non-zero for its supervisor to restart it."""


class Checkpoints:
    """The ``Worker``'s durability (uses its ``txn`` producer, ``consumer``, ``dirty``, ``owner``
    and ``shared`` topics)."""

    def checkpoint(self, final: bool = False) -> bool:
        """Outputs durable first; then agent state and input offsets in one transaction. True if committed.

        A failed attempt is aborted (the agents stay dirty) and the worker goes back to its poll
        loop, which tries again at its next checkpoint: the consumer must be polled to rejoin its
        group after an outage and to report a fatal error (a fenced static member), and retrying
        here kept it from both (issue 17 finding 5). Checkpoints failing for ``max_stall_seconds``
        from the first of consecutive failures, or a fatal error, raise ``WorkerFailed``. ``final``
        (the clean stop) retries in place instead, as there is no loop to go back to."""
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
            try:
                if not self._flush_outputs(deadline, patient=final):
                    return self._defer("outputs not delivered yet", first_failure)
                self._checkpoint_once(assignment, started)
                self._stalled_since = None
                return True
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
                if not final or (err is not None and err.code() in _MEMBERSHIP):
                    return self._defer(err.name() if err is not None else "failed", first_failure)
                time.sleep(min(0.5 * attempt, 5.0))
                assignment = self.consumer.assignment()

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
        """Abort an open checkpoint transaction (nothing of it becomes visible)."""
        if not self._in_txn:
            return
        try:
            self.txn.abort_transaction(30)
            self._in_txn = False
        except KafkaException as e:
            log.error("aborting the checkpoint transaction failed: %s", e.args[0] if e.args else e)

    def _checkpoint_once(self, assignment: list[TopicPartition], started: float) -> None:
        for shared in self.shared:  # their dead letters are delivered now
            shared.commit_read()
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
        self._taught += self.engine.drain_definition_records()  # lessons of clean instances, definitions registered
        for r in self._taught:  # (run() opened the definitions topic before anything was read)
            self.txn.produce(self.topics.definitions, key=r.key(), value=r.model_dump_json().encode(),
                             partition=partition_of(r, len(self.definitions.partitions)), headers=[("origin", self.run_id)])
        if assignment:
            positions = [tp for tp in self.consumer.position(assignment) if tp.offset >= 0]
            if positions:
                self.txn.send_offsets_to_transaction(positions, self.consumer.consumer_group_metadata(), 30)
        self.txn.commit_transaction(30)
        self._in_txn = False
        self._uses, self._taught = [], []
        self.stats["checkpoints"] += 1
        self.dirty.clear()
        self.metrics.checkpoint_seconds.observe(time.perf_counter() - started)
        self.metrics.checkpoint_bytes.set(size)
        self.metrics.checkpoint_agents.set(written)
        self._write_status(assignment)


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

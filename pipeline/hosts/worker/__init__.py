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

Agent definitions work the same way: a definition arrives on one worker's lifecycle partition
and its instances run on every worker, so each worker writes the definitions it registered and
what each of its instances that ended clean taught (a lesson) to the compacted definitions
topic, in its checkpoint transaction, and folds everyone's in (its own when they happen; their
echo on the topic is skipped). A restarted worker reads its models back instead of learning
them again; several workers are eventually consistent (docs/streaming.md).

One bad message costs one message: any error while decoding or judging it dead-letters it
(a bounded prefix of its bytes, with its size and sha256 in headers) and the batch goes on.

Durability is a checkpoint every ``checkpoint_seconds``: flush the outputs, then in one
Kafka transaction write the state of every agent that changed (to the compacted state
topic, on the partition its events come from) together with the input offsets. The state and
the positions are taken on the poll thread at one moment; the offsets are sent and the
transaction committed on a thread of its own while the loop goes on (the next checkpoint waits
for it; a failed one puts its agents back). After a
crash, a worker restores the last committed checkpoint and re-reads from its offsets;
the engine is deterministic, so it re-publishes the same alert and command ids with the
same payloads (at-least-once output, exactly-once state). A failed transaction is aborted
and the checkpoint retried; a fatal client error (a fenced producer or static member), an
undelivered output or checkpoints failing for ``max_stall_seconds`` end the worker with an
error, without committing anything past what it finished, so its supervisor restarts it:
never alive and idle. A failed checkpoint is not retried in place but by the poll loop: only
polling lets the consumer rejoin its group after an outage, and report a fatal error (a static
member fenced); the next owner of a revoked partition starts from the last checkpoint.

On assignment the worker restores its partitions' agents from the state topic (once no
transaction on those partitions is undecided: a commit returns before its markers are written,
and reading then would pair older state with newer offsets) and their clock from the committed
offsets (each action partition's carries its latest event time), and holds back the action
partitions until the lifecycle and feedback partitions are read up to their end, so it knows
every registered intent and every verdict before it judges an action. A revoke whose
checkpoint could not commit (an outage) drops the agents, their partitions' times and their
instances' unshared definition lessons: whoever owns them next reads on from the checkpoint.

Metrics and probes (``/metrics``, ``/healthz``, ``/readyz`` on ``worker.metrics_port``):
pipeline/hosts/metrics.py. Counting is per batch where it can be (records per topic), per
output otherwise; gauges (lag, agents) are refreshed once per ``metrics_seconds``, the count of
agents past warm-up (a walk over every agent) every ``WARM_COUNT_SECONDS``.

The worker is one class, ``Worker`` (loop.py: the poll loop and the batch), made of the
concerns beside it: outputs.py (decoding at the edge, dead letters, publishing),
checkpoints.py (the transaction, the status file), partitions.py (assignment, restore,
holding actions back), shared.py (the topics every worker reads whole: credentials, definitions).

Why confluent-kafka and not faust: see docs/streaming.md (the day-one spike).
"""

from intentwatch.pipeline.hosts.worker.checkpoints import WorkerFailed
from intentwatch.pipeline.hosts.worker.loop import Worker, run_worker

__all__ = ["Worker", "WorkerFailed", "run_worker"]

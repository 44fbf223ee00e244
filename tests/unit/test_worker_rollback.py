"""A worker whose revoke could not checkpoint (the broker away) reads its partitions again from
the last committed checkpoint, this worker or another: its outputs must be those of a run without
the rollback (at least once: the same ids and counts, nothing more). Everything the worker and the
engine keep beyond the agents must go with them, come back with the checkpoint or count a repeat
once (the partitions' clocks, the definitions' lessons, the circuit breaker's window, the credential
registry). The fleet of the outage test (40 agents, 3 days, seed 5: it holds a model update) and a
small agentic lab (600 instances of 4 definitions), no broker: batches handed in as a consumer
would, 200 messages per partition per round, rollbacks at three points."""

import zlib

import orjson
import pytest
from confluent_kafka import TopicPartition

from intentwatch.pipeline.hosts.replay import manifest_instantiations
from intentwatch.pipeline.io.intents import load_manifests
from intentwatch.pipeline.lab.simulate import simulate_fleet
from intentwatch.pipeline.lab.simulate.agentic import simulate_agentic
from tests.offline_worker import Message as Msg, offline_worker

PARTS, ROUND = 8, 200
LAB_INSTANCES = 600


def inputs(out):
    """The lifecycle messages (manifests first) and the actions by partition of a simulated folder."""
    lifecycle = [ev.model_dump_json().encode() for ev in manifest_instantiations(load_manifests(out / "intents").manifests)]
    lifecycle += [line for line in (out / "lifecycle.jsonl").read_bytes().splitlines() if line.strip()]
    parts: list[list[bytes]] = [[] for _ in range(PARTS)]
    for line in (out / "actions.jsonl").read_bytes().splitlines():
        if line.strip():
            parts[zlib.crc32(orjson.loads(line)["agent_id"].encode()) % PARTS].append(line)
    return lifecycle, parts


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    out = tmp_path_factory.mktemp("fleet")
    simulate_fleet(40, 3, 5, out)
    return inputs(out)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    out = tmp_path_factory.mktemp("lab")
    simulate_agentic(LAB_INSTANCES, 4, 3, out)
    return inputs(out)


class Positions:
    """What the worker's clock asks its consumer (assignment, positions, ends): engine time is the
    lowest latest event time over partitions not read to their end."""

    def __init__(self, topic: str, parts: list[list[bytes]]):
        self.topic, self.ends, self.at = topic, [len(p) for p in parts], [0] * len(parts)

    def assignment(self):
        return [TopicPartition(self.topic, p) for p in range(len(self.ends))]

    def position(self, tps):
        return [TopicPartition(tp.topic, tp.partition, self.at[tp.partition]) for tp in tps]

    def get_watermark_offsets(self, tp, cached=False):
        return 0, self.ends[tp.partition]


def run(tmp_path, lifecycle: list[bytes], parts: list[list[bytes]], rollbacks: set[int]) -> set:
    w = offline_worker(str(tmp_path))
    w.consumer = Positions(w.topics.actions, parts)
    w.engine.set_clock(2e9)
    seen: set = set()

    def produced(topic, key, value, headers):
        doc = orjson.loads(value)
        seen.add((topic, doc.get("alert_id") or doc.get("command_id"), doc.get("status"), doc.get("count")))

    w._produce = produced
    w.checkpoint = lambda *a, **k: False  # a revoke's checkpoint cannot commit: the broker is away
    key = lambda raw: orjson.loads(raw)["agent_id"].encode()  # noqa: E731
    w._process_batch([Msg(w.topics.lifecycle, raw, key(raw), i) for i, raw in enumerate(lifecycle)])
    pos = w.consumer.at  # the consumer's positions: moved as batches are handed in

    def checkpoint():  # what a committed one holds: every agent's record, the positions with their clocks
        w.engine.drain_definition_records()  # lessons and definitions go with it
        return {a: w.engine.state_bytes(a) for a in w.owner}, w._with_clocks(w.consumer.position(w.consumer.assignment()))

    committed = checkpoint()
    n = 0
    while any(pos[p] < len(parts[p]) for p in range(PARTS)):
        n += 1
        for p in range(PARTS):
            batch = parts[p][pos[p]:pos[p] + ROUND]
            w._process_batch([Msg(w.topics.actions, raw, key(raw), pos[p] + i, p) for i, raw in enumerate(batch)])
            pos[p] += len(batch)
            w._advance_time()
        if n % 10 == 0:
            committed = checkpoint()
        if n in rollbacks:
            w._on_revoke(w.consumer, [TopicPartition(w.topics.actions, p) for p in range(PARTS)])
            w.engine.rewind_clock()  # assigned again: what _on_assign does with the checkpoint
            for a, record in committed[0].items():
                if record is not None:
                    w.engine.restore_record(orjson.loads(record))
                    w.owner[a] = zlib.crc32(a.encode()) % PARTS
            w._restore_clocks(committed[1])
            pos = w.consumer.at = [tp.offset for tp in committed[1]]
    return seen


def test_a_rollback_to_the_last_checkpoint_changes_no_output(tmp_path, fleet):
    lifecycle, parts = fleet
    plain = run(tmp_path / "a", lifecycle, parts, set())
    assert len({s for s in plain if s[2] == "open"}) > 50
    for rollbacks in ({9, 19, 29}, {5, 14, 27}):
        assert run(tmp_path / f"b{min(rollbacks)}", lifecycle, parts, rollbacks) == plain


def test_a_rollback_withdraws_the_lessons_never_shared(tmp_path, lab):
    """Agent definitions: the lessons of instances that ended after the checkpoint were folded into
    their definitions' models and never shared; withdrawn at the revoke, they are taught again when
    the instances are read again, so every instance is judged with the lessons it met the first time
    (kept, they made definition.* alerts the run without rollbacks does not have)."""
    lifecycle, parts = lab
    plain = run(tmp_path / "a", lifecycle, parts, set())
    assert any(s[2] == "open" for s in plain)
    for rollbacks in ({3, 7, 12}, {5, 9, 14}):
        assert run(tmp_path / f"b{min(rollbacks)}", lifecycle, parts, rollbacks) == plain

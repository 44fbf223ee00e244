"""OTLP spans on Kafka, as the OpenTelemetry Collector's Kafka exporter writes them, through
``intentwatch bridge`` and a worker: the same alert and command ids as replay of the native fleet.
And its logs topic: coding agents' log events (Claude Code, Codex) through the bridge as actions; and
a topic of transcript lines (a Claude Code session, an AgentDojo run) likewise. A batch the exporter
sends again is judged once.

The exporter's defaults: topic ``otlp_spans``, encoding ``otlp_proto``, one message per batch
of spans (mixed agents and traces), no key. The source topic here has one partition, so one
agent's spans keep their order into the actions topic (over several partitions the bridge
keeps each partition's order, not one agent's across partitions).
"""

from __future__ import annotations

import subprocess
import time

import orjson
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import NewTopic

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import open_adapter
from intentwatch.pipeline.io.kafka import admin
from intentwatch.pipeline.lab.simulate.spans import otlp_requests, to_proto
from tests.integration.support import INTENTWATCH, Comparison, Pipeline, WorkerProcess
from tests.unit.test_adapter_coding_agents import LINES, _logs_proto
from tests.unit.test_redelivery import messages
from tests.unit.test_adapter_transcripts import DATA


class BridgeProcess(WorkerProcess):
    """``intentwatch bridge`` as a subprocess, stopped like a worker."""

    def __init__(self, source: str, env: dict[str, str], log, *extra: str):
        self.instance, self.log = "bridge", log
        self._fh = open(log, "ab")
        self.proc = subprocess.Popen([INTENTWATCH, "bridge", "--from", source, "--format", "otel-proto", *extra], env=env,
                                     cwd=log.parent, stdout=self._fh, stderr=subprocess.STDOUT, start_new_session=True)


def _bridge_drained(p: Pipeline, source: str, group: str) -> bool:
    """The bridge group's committed offset reached the end of the source topic (a coordinator still
    moving on a fresh broker is asked again next round, as support.Pipeline.wait_until does)."""
    c = Consumer({"bootstrap.servers": p.bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        tp = TopicPartition(source, 0)
        (committed,) = c.committed([tp], timeout=20)
        return committed.offset >= c.get_watermark_offsets(tp, timeout=20)[1]
    except KafkaException as e:
        if e.args[0].retriable() or e.args[0].code() in (KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
                                                          KafkaError.COORDINATOR_NOT_AVAILABLE):
            return False
        raise
    finally:
        c.close()


def _bridge_until_drained(p: Pipeline, source: str, tmp_path, *extra: str) -> None:
    """Start ``intentwatch bridge`` on ``source`` and wait until its group has read the whole topic."""
    bridge = BridgeProcess(source, p.env("b1"), tmp_path / "bridge.log", *extra)
    p.workers.append(bridge)
    deadline = time.monotonic() + 180
    while not _bridge_drained(p, source, f"{p.group}-bridge-{source}"):
        assert bridge.alive, bridge.tail()
        assert time.monotonic() < deadline, f"bridge did not drain {source}:\n{bridge.tail()}"
        time.sleep(0.5)


def test_collector_otlp_proto_batches_through_the_bridge_equal_replay(kafka_pipeline: Pipeline, fleet, tmp_path):
    f = fleet(20, 3, 5)
    p = kafka_pipeline
    p.create_topics()
    source = f"it.otlp_spans.{p.suffix}"
    client = admin(p.kafka)  # held: a dropped client cancels its own request
    client.create_topics([NewTopic(source, num_partitions=1, replication_factor=1)])[source].result(30)

    # Bad input rides along: a message that is not OTLP, and a batch with one span lacking an agent.
    actions = [orjson.loads(x) for x in f.actions.read_bytes().splitlines() if x.strip()]
    prod = Producer({"bootstrap.servers": p.bootstrap, "linger.ms": 20})
    n_messages = 0
    for doc in otlp_requests(actions, batch=100):
        prod.produce(source, value=to_proto(doc).SerializeToString())  # no key, like the exporter's default
        n_messages += 1
    prod.produce(source, value=b"\x0a\xff not protobuf")
    stray = next(otlp_requests([{**actions[0], "event_id": "evt_stray"}], batch=1))
    stray["resourceSpans"][0]["resource"]["attributes"] = []
    span = stray["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    span["attributes"] = [kv for kv in span["attributes"] if kv["key"] != "gen_ai.agent.name"]
    prod.produce(source, value=to_proto(stray).SerializeToString())
    assert prod.flush(60) == 0
    p.produce(f.lifecycle, topic=p.topics.lifecycle, intents=f.intents)

    bridge = BridgeProcess(source, p.env("b1"), tmp_path / "bridge.log")
    p.workers.append(bridge)  # stopped at teardown with the workers
    group = f"{p.group}-bridge-{source}"
    deadline = time.monotonic() + 180
    while not _bridge_drained(p, source, group):
        assert bridge.alive, bridge.tail()
        assert time.monotonic() < deadline, f"bridge did not drain {source}:\n{bridge.tail()}"
        time.sleep(0.5)

    workers = [p.start_worker("w1")]
    p.wait_drained(workers, timeout=240)
    alerts = [r.json() for r in p.read_all(p.topics.alerts)]
    commands = [r.json() for r in p.read_all(p.topics.revocations)]
    cmp = Comparison(f.alerts, f.commands, alerts, commands)
    assert not cmp.missing_alerts and not cmp.extra_alerts, (cmp.missing_alerts, cmp.extra_alerts, p.logs())
    assert not cmp.missing_commands and not cmp.extra_commands, (cmp.missing_commands, cmp.extra_commands)

    dead = {r.headers["source"].decode(): r.headers["reason"].decode() for r in p.read_all(p.topics.dlq)}
    assert dead[f"{source}[0]@{n_messages}"].startswith("not an OTLP protobuf")
    assert dead[f"{source}[0]@{n_messages + 1}#rs0.ss0.span0"].startswith("execute_tool span has no agent")
    assert len(dead) == 2


def test_coding_agents_log_events_on_the_logs_topic_through_the_bridge(kafka_pipeline: Pipeline, tmp_path):
    """The Kafka exporter's ``otlp_logs`` topic (protobuf), read with ``signal: logs``: the actions the
    adapter makes of the same bytes in a file, and a message that is no logs request to the DLQ."""
    p = kafka_pipeline
    p.create_topics()
    source = f"it.otlp_logs.{p.suffix}"
    client = admin(p.kafka)
    client.create_topics([NewTopic(source, num_partitions=1, replication_factor=1)])[source].result(30)
    messages = [_logs_proto(doc) for doc in LINES[:2]]  # Claude Code's and Codex's events
    prod = Producer({"bootstrap.servers": p.bootstrap})
    for m in [*messages, b"\x0a\xff not protobuf"]:
        prod.produce(source, value=m)
    assert prod.flush(60) == 0
    options = tmp_path / "logs.yaml"
    options.write_text("signal: logs\n")
    _bridge_until_drained(p, source, tmp_path, "--adapter-options", str(options))
    adapter = open_adapter("otel-proto", options={"signal": "logs"})
    expected = [r.event_id for m in messages for r in adapter.decode(m, "x") if isinstance(r, Action)]
    got = [r.json()["event_id"] for r in p.read_all(p.topics.actions)]  # (keyed by agent over partitions)
    assert len(expected) == 9 and sorted(got) == sorted(expected)
    (dead,) = p.read_all(p.topics.dlq)
    assert dead.headers["reason"].decode().startswith("not an OTLP protobuf ExportLogsServiceRequest")


def test_transcript_lines_through_the_bridge(kafka_pipeline: Pipeline, tmp_path):
    """``--format transcript``: a Claude Code session a line per message and an AgentDojo run as one
    message: the actions the adapter makes of the same messages in order; a broken message to the DLQ."""
    p = kafka_pipeline
    p.create_topics()
    source = f"it.transcripts.{p.suffix}"
    client = admin(p.kafka)
    client.create_topics([NewTopic(source, num_partitions=1, replication_factor=1)])[source].result(30)
    messages = [*(DATA / "claude_code_session.jsonl").read_bytes().splitlines(),
                (DATA / "agentdojo_runs.jsonl").read_bytes().splitlines()[1], b'{"role": "tool", "tool_call_id": ']
    prod = Producer({"bootstrap.servers": p.bootstrap})
    for m in messages:
        prod.produce(source, value=m)
    assert prod.flush(60) == 0
    options = tmp_path / "transcript.yaml"
    options.write_text('agent_paths: [suite_name]\nstart: "2026-11-01T09:00:00Z"\n')
    _bridge_until_drained(p, source, tmp_path, "--format", "transcript", "--adapter-options", str(options))
    adapter = open_adapter("transcript", options={"agent_paths": ["suite_name"], "start": "2026-11-01T09:00:00Z"})
    expected = [r.event_id for i, m in enumerate(messages) for r in adapter.decode(m, f"{source}[0]@{i}")
                if isinstance(r, Action)]  # (a run with no id is the session of its position)
    got = [r.json()["event_id"] for r in p.read_all(p.topics.actions)]
    assert len(expected) == 4 and sorted(got) == sorted(expected)  # Read, Bash (Edit still open), the run's two calls
    (dead,) = p.read_all(p.topics.dlq)
    assert dead.headers["reason"].decode().startswith("invalid JSON")


def _coordinated(p: Pipeline, name: str) -> tuple[str, bytes, bytes]:
    """A one-partition source topic, and the reader's and the payer's batches of a coordinated
    conversation (tests/unit/test_redelivery.py) as OTLP protobuf."""
    p.create_topics()
    source = f"it.{name}.{p.suffix}"
    client = admin(p.kafka)  # (held while the future resolves: a collected client ends it)
    client.create_topics([NewTopic(source, num_partitions=1, replication_factor=1)])[source].result(30)
    reader, payer = (to_proto(orjson.loads(m)).SerializeToString() for m in messages())
    return source, reader, payer


def _put(p: Pipeline, source: str, *batches: bytes) -> None:
    prod = Producer({"bootstrap.servers": p.bootstrap})
    for m in batches:
        prod.produce(source, value=m)
    assert prod.flush(60) == 0


def test_a_batch_the_collector_sends_again_is_judged_once(kafka_pipeline: Pipeline, tmp_path):
    """At least once: the exporter's retry puts the payer's batch on the topic twice. The bridge re-makes
    its actions without the context it handed on the first time (the reader's result, the offered
    tools); the worker counts them as duplicates: no dead letter, one alert."""
    p = kafka_pipeline
    source, reader, payer = _coordinated(p, "otlp_retry")
    _put(p, source, reader, payer, payer)
    _bridge_until_drained(p, source, tmp_path)
    assert len(p.read_all(p.topics.actions)) == 9  # (6 actions, the payer's 3 again)
    p.wait_drained([p.start_worker("w1")], timeout=240)
    assert p.read_all(p.topics.dlq) == []
    injected = [r.json() for r in p.read_all(p.topics.alerts) if r.json()["rule_id"] == "intent.injected_target"]
    assert [(a["agent_id"], a["severity"]) for a in injected] == [("payer", "high")]


def test_a_restarted_bridge_hands_on_what_it_read_before(kafka_pipeline: Pipeline, tmp_path):
    """The reader's batch is bridged, the bridge stops, the payer's batch comes, a new bridge process
    bridges it: the payer's call still carries the reader's result and its model's offered tools (the
    new bridge read the reader's batch again below its committed offset, for context only, producing
    nothing twice). Before, the context died with the process: the payer's actions came without it
    and the injected payee raised nothing."""
    p = kafka_pipeline
    source, reader, payer = _coordinated(p, "otlp_restart")
    _put(p, source, reader)
    _bridge_until_drained(p, source, tmp_path)
    first = p.workers.pop()
    first.stop()
    assert not first.alive
    _put(p, source, payer)
    _bridge_until_drained(p, source, tmp_path)
    second = p.workers[-1]
    actions = [r.json() for r in p.read_all(p.topics.actions)]
    assert len(actions) == 6  # the reader's 3 once, the payer's 3
    handed = {k for a in actions if a["agent_id"] == "payer" for k in a.get("attributes", {}) if k in ("peer_results", "tool_definitions")}
    assert handed == {"peer_results", "tool_definitions"}
    p.wait_drained([p.start_worker("w1")], timeout=240)
    injected = [r.json() for r in p.read_all(p.topics.alerts) if r.json()["rule_id"] == "intent.injected_target"]
    assert [(a["agent_id"], a["severity"]) for a in injected] == [("payer", "high")]
    assert "re-reading context below" in second.tail(200)

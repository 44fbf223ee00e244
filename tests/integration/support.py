"""Helpers for the integration tests: a pipeline namespace per test (topics, group, workers),
drain detection from committed offsets, and reading output topics to their end.

Workers and producers run as ``intentwatch`` subprocesses configured only through
``INTENTWATCH_*`` environment variables, as an operator would run them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition

from intentwatch.pipeline.io.kafka import PARTITIONER, create_topics
from intentwatch.pipeline.settings import KafkaSettings, TopicSettings

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
INTENTWATCH = str(BIN / "intentwatch") if (BIN / "intentwatch").exists() else "intentwatch"
PARTITIONS = 8


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"<{path} missing>"
    return "\n".join(text[-lines:])


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, bytes]

    def json(self) -> dict:
        return orjson.loads(self.value)


class WorkerProcess:
    """One ``intentwatch worker`` subprocess with its log file."""

    def __init__(self, instance: str, env: dict[str, str], log: Path):
        self.instance, self.log = instance, log
        self._fh = open(log, "ab")
        self.proc = subprocess.Popen([INTENTWATCH, "worker"], env=env, cwd=log.parent, stdout=self._fh,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 40) -> str:
        return f"--- {self.instance} (pid {self.proc.pid}, rc {self.proc.poll()}) {self.log} ---\n{tail(self.log, lines)}"

    def sigkill(self) -> None:
        if self.alive:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM (a clean stop: last checkpoint), SIGKILL if it does not exit in time."""
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait(10)
        self._fh.close()


@dataclass
class Pipeline:
    """Fresh topic names and consumer group for one test, on the session's broker."""

    bootstrap: str
    workdir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: list[WorkerProcess] = field(default_factory=list)
    partitions: int = PARTITIONS
    admin: KafkaSettings | None = None  # a secured broker: how the test itself connects (a super user)

    def __post_init__(self) -> None:
        suffix = uuid.uuid4().hex[:10]
        self.suffix = suffix
        self.topics = TopicSettings(actions=f"it.actions.{suffix}", lifecycle=f"it.lifecycle.{suffix}", feedback=f"it.feedback.{suffix}",
                                    alerts=f"it.alerts.{suffix}", alerts_ocsf=f"it.alerts-ocsf.{suffix}", revocations=f"it.revocations.{suffix}",
                                    dlq=f"it.dlq.{suffix}", state=f"it.state.{suffix}", credentials=f"it.credentials.{suffix}",
                                    definitions=f"it.definitions.{suffix}",
                                    partitions=self.partitions)
        self.group = f"it-group-{suffix}"
        self.kafka = self.admin or KafkaSettings(bootstrap_servers=self.bootstrap)

    # -- environment and commands -------------------------------------------------------
    def env(self, instance: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("INTENTWATCH_")}
        t = self.topics
        env.update({
            "INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS": self.bootstrap,
            "INTENTWATCH_TOPICS__ACTIONS": t.actions, "INTENTWATCH_TOPICS__LIFECYCLE": t.lifecycle, "INTENTWATCH_TOPICS__FEEDBACK": t.feedback,
            "INTENTWATCH_TOPICS__ALERTS": t.alerts, "INTENTWATCH_TOPICS__ALERTS_OCSF": t.alerts_ocsf,
            "INTENTWATCH_TOPICS__REVOCATIONS": t.revocations,
            "INTENTWATCH_TOPICS__DLQ": t.dlq, "INTENTWATCH_TOPICS__STATE": t.state, "INTENTWATCH_TOPICS__CREDENTIALS": t.credentials,
            "INTENTWATCH_TOPICS__DEFINITIONS": t.definitions,
            "INTENTWATCH_TOPICS__PARTITIONS": str(self.partitions),
            "INTENTWATCH_WORKER__METRICS_PORT": "0",  # any free port: several workers share this host (see status())
            "INTENTWATCH_WORKER__GROUP_ID": self.group,
            "INTENTWATCH_WORKER__WALL_CLOCK_TIMERS": "false",  # simulated history is months old
            "INTENTWATCH_WORKER__CHECKPOINT_SECONDS": "0.5",
            "INTENTWATCH_WORKER__STATE_DIR": str(self.workdir / "worker-state"),
            "COLUMNS": "200",
        })
        if instance is not None:
            env["INTENTWATCH_WORKER__INSTANCE"] = instance
        env.update(self.extra_env)
        return env

    def create_topics(self) -> None:
        result = create_topics(self.kafka, self.topics)
        assert set(result.values()) == {"created"}, result

    def produce(self, file: Path, topic: str | None = None, intents: Path | None = None) -> str:
        """``intentwatch produce``; returns its stderr summary."""
        cmd = [INTENTWATCH, "produce", str(file), "--dead-letter", str(self.workdir / f"produce-dl-{uuid.uuid4().hex[:6]}.jsonl")]
        if topic is not None:
            cmd += ["--topic", topic]
        if intents is not None:
            cmd += ["--intents", str(intents)]
        r = subprocess.run(cmd, env=self.env(), cwd=self.workdir, capture_output=True, timeout=300)
        out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
        assert r.returncode == 0, f"{' '.join(cmd)} failed ({r.returncode}):\n{out}"
        return out

    def start_worker(self, instance: str) -> WorkerProcess:
        n = sum(w.instance == instance for w in self.workers) + 1
        w = WorkerProcess(instance, self.env(instance), self.workdir / f"worker-{instance}-{n}.log")
        self.workers.append(w)
        return w

    def status(self, instance: str) -> dict | None:
        """The worker's status file (rewritten at each checkpoint), or None before the first."""
        path = self.workdir / "worker-state" / f"{instance}.status.json"
        try:
            return orjson.loads(path.read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            return None

    def http_get(self, instance: str, path: str, timeout: float = 30) -> tuple[int, str]:
        """GET ``path`` from the worker's metrics server (its port from the status file)."""
        deadline = time.monotonic() + timeout
        while (st := self.status(instance)) is None or not st.get("metrics_port"):
            assert time.monotonic() < deadline, f"{instance} wrote no status with its metrics port\n{self.logs()}"
            time.sleep(0.2)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{st['metrics_port']}{path}", timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def logs(self) -> str:
        return "\n".join(w.tail() for w in self.workers)

    def close(self) -> None:
        for w in self.workers:
            try:
                w.stop()
            except Exception:  # noqa: BLE001 - teardown must reach every worker
                w.proc.kill()

    # -- offsets ------------------------------------------------------------------------
    def _client(self, **extra) -> Consumer:
        # read_uncommitted: the offset fetch then returns the last committed offsets at once,
        # instead of waiting (up to transaction.timeout.ms) on an open transaction a worker
        # killed with SIGKILL left behind (KIP-447's require_stable).
        return Consumer({**self.kafka.client_config(), "group.id": self.group, "enable.auto.commit": False,
                         "isolation.level": "read_uncommitted", **extra})

    def _partitions(self, *topics: str) -> list[TopicPartition]:
        return [TopicPartition(t, p) for t in topics for p in range(self.partitions)]

    def progress(self) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], int]]:
        """(committed, end) offsets of the group on actions, lifecycle and feedback; committed -1 when none."""
        c = self._client()
        try:
            tps = self._partitions(self.topics.actions, self.topics.lifecycle, self.topics.feedback)
            committed = {(tp.topic, tp.partition): tp.offset for tp in c.committed(tps, timeout=20)}
            end = {(tp.topic, tp.partition): c.get_watermark_offsets(tp, timeout=20)[1] for tp in tps}
        finally:
            c.close()
        return committed, end

    def committed_metadata(self) -> dict[int, str | None]:
        """The metadata the group's committed offsets of the actions partitions carry (a checkpoint's clock)."""
        c = self._client()
        try:
            return {tp.partition: tp.metadata for tp in c.committed(self._partitions(self.topics.actions), timeout=20)}
        finally:
            c.close()

    def wait_until(self, predicate, timeout: float, what: str, workers: list[WorkerProcess], interval: float = 0.25):
        """Poll ``predicate(committed, end)`` until true; fail with the worker logs if a worker dies or time runs out."""
        deadline = time.monotonic() + timeout
        committed: dict = {}
        end: dict = {}
        error = None
        while True:
            try:
                committed, end = self.progress()
                error = None
            except KafkaException as e:
                # Our observer only: on a fresh broker the group coordinator may still move
                # (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS) and a new topic's leader be elected; ask again.
                if not e.args[0].retriable() and e.args[0].code() not in (KafkaError.NOT_COORDINATOR,
                                                                          KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
                                                                          KafkaError.COORDINATOR_NOT_AVAILABLE,
                                                                          KafkaError.NOT_LEADER_FOR_PARTITION,
                                                                          KafkaError.LEADER_NOT_AVAILABLE):
                    raise
                error = e
            if error is None and predicate(committed, end):
                return committed, end
            dead = [w for w in workers if not w.alive]
            if dead:
                raise AssertionError(f"worker died while waiting for {what}:\n{self.logs()}")
            if time.monotonic() > deadline:
                lag = {f"{t}[{p}]": end[t, p] - max(committed.get((t, p), -1), 0) for t, p in end
                       if end[t, p] > max(committed.get((t, p), -1), 0)}
                raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; lag {lag}"
                                     f"{f'; last error {error}' if error else ''}\n{self.logs()}")
            time.sleep(interval)

    def wait_drained(self, workers: list[WorkerProcess], timeout: float = 240) -> None:
        self.wait_until(drained, timeout, "the group to drain actions and lifecycle", workers)

    # -- reading outputs ----------------------------------------------------------------
    def read_all(self, topic: str, timeout: float = 60) -> list[Record]:
        """Every committed record of ``topic``, from the beginning to the current end."""
        c = Consumer({**self.kafka.client_config(), "group.id": f"it-reader-{uuid.uuid4().hex[:8]}",
                      "enable.auto.commit": False, "isolation.level": "read_committed", "enable.partition.eof": True})
        try:
            tps = [TopicPartition(topic, p) for p in range(self.partitions)]
            ends = {tp.partition: c.get_watermark_offsets(tp, timeout=20)[1] for tp in tps}
            todo = {p for p, high in ends.items() if high > 0}
            c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in todo])
            out: list[Record] = []
            deadline = time.monotonic() + timeout
            while todo:
                assert time.monotonic() < deadline, f"could not read {topic} to its end; partitions {sorted(todo)} left"
                for m in c.consume(1000, 0.5):
                    if m.error():
                        if m.error().code() == KafkaError._PARTITION_EOF:
                            if m.offset() >= ends[m.partition()]:
                                todo.discard(m.partition())
                            continue
                        raise AssertionError(f"reading {topic}: {m.error()}")
                    out.append(Record(m.topic(), m.partition(), m.offset(), m.key(), m.value() or b"",
                                      {k: v for k, v in (m.headers() or [])}))
                    if m.offset() + 1 >= ends[m.partition()]:
                        todo.discard(m.partition())
            return out
        finally:
            c.close()


def drained(committed: dict, end: dict) -> bool:
    return all(max(committed[k], 0) >= end[k] for k in end)


# -- fleets and replay -------------------------------------------------------------------
@dataclass
class Fleet:
    dir: Path
    intents: Path
    actions: Path
    lifecycle: Path
    n_actions: int
    alerts: list[dict]      # what `intentwatch replay` emits on the same files: the expected outputs
    commands: list[dict]


def run_cli(*args: str, cwd: Path, timeout: float = 300) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTENTWATCH_")}
    r = subprocess.run([INTENTWATCH, *args], cwd=cwd, env={**env, "COLUMNS": "200"}, capture_output=True, timeout=timeout)
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    assert r.returncode == 0, f"intentwatch {' '.join(args)} failed ({r.returncode}):\n{out}"
    return out


def simulate_fleet(out: Path, agents: int, days: int, seed: int) -> Fleet:
    """``intentwatch simulate`` then ``intentwatch replay`` on its files."""
    run_cli("simulate", "--agents", str(agents), "--days", str(days), "--seed", str(seed), "--out", str(out), cwd=out)
    actions, lifecycle, intents = out / "actions.jsonl", out / "lifecycle.jsonl", out / "intents"
    run_cli("replay", str(actions), "--intents", str(intents), "--lifecycle", str(lifecycle), "--quiet",
            "--alerts", str(out / "replay-alerts.jsonl"), "--commands", str(out / "replay-commands.jsonl"),
            "--dead-letter", str(out / "replay-dead-letter.jsonl"), "--strict", cwd=out)
    with open(actions, "rb") as fh:
        n = sum(1 for line in fh if line.strip())
    return Fleet(out, intents, actions, lifecycle, n, load_jsonl(out / "replay-alerts.jsonl"),
                 load_jsonl(out / "replay-commands.jsonl"))


# -- comparing with replay ----------------------------------------------------------------
def load_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def by_rule(ids: set[str], docs: dict[str, dict]) -> dict[str, list[str]]:
    """Group ids by the rule_id of their document, for readable difference reports."""
    out: dict[str, list[str]] = {}
    for i in sorted(ids):
        d = docs.get(i, {})
        out.setdefault(f"{d.get('rule_id', '?')}", []).append(f"{i[:12]}({d.get('agent_id', '?')})")
    return out


@dataclass
class Comparison:
    """Worker outputs against replay's: alert ids, command ids and command payloads."""

    expected_alerts: list[dict]
    expected_commands: list[dict]
    got_alerts: list[dict]
    got_commands: list[dict]

    def __post_init__(self) -> None:
        self.exp_alert_n = Counter(a["alert_id"] for a in self.expected_alerts)
        self.got_alert_n = Counter(a["alert_id"] for a in self.got_alerts)
        self.exp_cmd_n = Counter(c["command_id"] for c in self.expected_commands)
        self.got_cmd_n = Counter(c["command_id"] for c in self.got_commands)
        self.docs = {a["alert_id"]: a for a in self.expected_alerts + self.got_alerts}
        self.cmd_docs = {c["command_id"]: c for c in self.expected_commands + self.got_commands}

    @property
    def missing_alerts(self) -> dict[str, list[str]]:
        return by_rule(set(self.exp_alert_n) - set(self.got_alert_n), self.docs)

    @property
    def extra_alerts(self) -> dict[str, list[str]]:
        return by_rule(set(self.got_alert_n) - set(self.exp_alert_n), self.docs)

    @property
    def missing_commands(self) -> dict[str, list[str]]:
        return by_rule(set(self.exp_cmd_n) - set(self.got_cmd_n), self.cmd_docs)

    @property
    def extra_commands(self) -> dict[str, list[str]]:
        return by_rule(set(self.got_cmd_n) - set(self.exp_cmd_n), self.cmd_docs)

    def command_payload_diffs(self) -> list[str]:
        expected = {c["command_id"]: c for c in self.expected_commands}
        diffs = []
        for c in self.got_commands:
            e = expected.get(c["command_id"])
            if e is not None and c != e:
                keys = sorted(k for k in set(c) | set(e) if c.get(k) != e.get(k))
                diffs.append(f"{c['command_id'][:12]} ({c['rule_id']}): " + "; ".join(f"{k}: worker {c.get(k)!r} != replay {e.get(k)!r}" for k in keys))
        return diffs

    def duplicates(self) -> dict[str, int]:
        """Ids delivered more often than replay emitted them: id -> extra deliveries."""
        dup = {f"alert {i[:12]} ({self.docs[i]['rule_id']})": n - self.exp_alert_n[i]
               for i, n in self.got_alert_n.items() if n > self.exp_alert_n.get(i, 0) > 0}
        dup.update({f"command {i[:12]} ({self.cmd_docs[i]['action']})": n - self.exp_cmd_n[i]
                    for i, n in self.got_cmd_n.items() if n > self.exp_cmd_n.get(i, 0) > 0})
        return dup


# -- poison (issue 17) ---------------------------------------------------------------------
def poisoned_actions(actions: Path, out: Path) -> tuple[list[tuple[bytes, bytes]], int]:
    """The fleet's actions with poison of every kind from issue 17 mixed in; (key, value) pairs
    and how many of them are poison (each must be dead-lettered exactly once)."""
    lines = [x for x in actions.read_bytes().splitlines() if x.strip()]
    first = orjson.loads(lines[100])
    agent = first["agent_id"]

    def act(**over) -> bytes:
        return orjson.dumps({**first, **over})

    poison = [
        act(event_id="p-year-9999", time="9999-12-31T23:59:59-23:59"),
        act(event_id="p-year-1", time="0001-01-01T00:00:00+23:59"),
        act(event_id="p-bytes-1e30", bytes=1e30),
        act(event_id="p-bytes-true", bytes=True),
        act(event_id="p-time-minus-1", time=-1),
        act(event_id="p-2099", agent_id="never-registered", time="2099-01-01T00:00:00Z"),
        act(event_id=first["event_id"], tool="shell.exec", resource="file:///etc/shadow"),  # conflicting duplicate
        b"\xfe" * 990_000,  # ~1 MB of garbage: its dead letter must still be producible
    ]
    keys = {p: (orjson.loads(p)["agent_id"] if p[:1] == b"{" else agent).encode() for p in poison}
    # One agent using 15,000 distinct credentials (its state record must stay small), and a
    # redelivered segment (same bytes: counted and dropped, no dead letter, no alert).
    start = datetime.fromisoformat(orjson.loads(lines[3999])["time"])
    creds = [act(event_id=f"cred-{i}", credential_id=f"aws:AKIA{i:016d}",
                 time=(start + timedelta(milliseconds=i)).isoformat()) for i in range(15_000)]
    mixed = lines[:2000] + poison[:4] + lines[2000:4000] + poison[4:] + creds + lines[4000:] + lines[-100:]
    out.write_bytes(b"\n".join(mixed) + b"\n")
    pairs = [(keys[x] if x in keys else orjson.loads(x)["agent_id"].encode(), x) for x in mixed]
    return pairs, len(poison)


def produce_pairs(p: "Pipeline", pairs: list[tuple[bytes, bytes]], topic: str | None = None) -> None:
    """Produce (key, value) pairs as they are (poison included), murmur2-partitioned like our producers."""
    producer = Producer({"bootstrap.servers": p.bootstrap, "partitioner": PARTITIONER, "enable.idempotence": True,
                         "linger.ms": 20, "message.max.bytes": 2_000_000})
    failed: list[str] = []
    for key, value in pairs:
        while True:
            try:
                producer.produce(topic or p.topics.actions, key=key, value=value,
                                 on_delivery=lambda err, _m: failed.append(str(err)) if err else None)
                break
            except BufferError:
                producer.poll(0.1)
    assert producer.flush(60) == 0 and not failed, failed[:3]

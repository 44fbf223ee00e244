"""The streaming worker on a real broker, held to replay: same alert ids, same commands.

Every test gets fresh topics and a fresh consumer group; workers run as ``intentwatch worker``
subprocesses, fed with ``intentwatch produce`` (or a plain confluent-kafka producer for
hand-made bad input). "Drained" = the group's committed offsets reached the end of every
actions and lifecycle partition; a worker flushes its outputs before each checkpoint
commits, so by then every output is on its topic.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import orjson
from confluent_kafka import Producer

from intentwatch.pipeline.io.kafka import PARTITIONER
from intentwatch.models.credential_use import CredentialUse
from intentwatch.models.feedback import Feedback
from tests.factories import T0, action, manifest
from tests.integration.support import Comparison, Pipeline, drained, load_jsonl, run_cli


def _outputs(p: Pipeline) -> tuple[list[dict], list[dict]]:
    return [r.json() for r in p.read_all(p.topics.alerts)], [r.json() for r in p.read_all(p.topics.revocations)]


def _worker_stats(log: Path) -> list[str]:
    return re.findall(r"(?:processed|stopped: )(\{.*\})", log.read_text(errors="replace"))


def _assert_same_ids(cmp: Comparison, logs: str) -> None:
    assert not cmp.missing_alerts and not cmp.extra_alerts, (
        f"alert ids differ from replay's (by rule_id)\n  missing: {cmp.missing_alerts}\n  extra: {cmp.extra_alerts}\n{logs}")
    assert not cmp.missing_commands and not cmp.extra_commands, (
        f"command ids differ from replay's (by rule_id)\n  missing: {cmp.missing_commands}\n  extra: {cmp.extra_commands}\n{logs}")
    diffs = cmp.command_payload_diffs()
    assert not diffs, "command payloads differ from replay's:\n  " + "\n  ".join(diffs)


def test_parity_with_replay(kafka_pipeline: Pipeline, fleet, record_property):
    f = fleet(80, 4, 5)
    assert f.n_actions >= 50_000, f"fleet too small for the parity test: {f.n_actions} actions"
    assert f.commands, "the fleet should make replay issue commands, or there is nothing to compare"
    p = kafka_pipeline
    p.create_topics()
    p.produce(f.lifecycle, topic=p.topics.lifecycle, intents=f.intents)
    p.produce(f.actions)

    started = time.monotonic()
    workers = [p.start_worker("w1"), p.start_worker("w2")]
    p.wait_drained(workers, timeout=240)
    drain_seconds = time.monotonic() - started
    alerts, commands = _outputs(p)
    assert all(w.alive for w in workers), p.logs()

    for w in workers:  # both members of the group got a share of the partitions
        assigned = re.findall(r"assigned partitions \[([\d, ]*)\]", w.log.read_text(errors="replace"))
        assert assigned and assigned[-1], f"{w.instance} holds no partitions:\n{w.tail()}"

    cmp = Comparison(f.alerts, f.commands, alerts, commands)
    _assert_same_ids(cmp, p.logs())

    # Each worker's status says how far the learned side got; the shadow agents (no manifest,
    # engine.unregistered: shadow) are the ones it never judged, wherever they were assigned.
    shadows = sum(1 for lab in load_jsonl(f.dir / "labels.jsonl") if lab["kind"] == "shadow_agent")

    def unjudged() -> int:
        paths = [p.workdir / "worker-state" / f"{w.instance}.status.json" for w in workers]
        return sum(orjson.loads(x.read_bytes())["learning"]["unregistered_unjudged"] for x in paths if x.exists())
    p.wait_until(lambda _committed, _end: unjudged() == shadows, 30,
                 f"{shadows} unjudged shadow agents in the workers' status", workers)

    # What an analyst tails is what is on the topic: every record as JSON, one readable line each.
    import subprocess

    from tests.integration.support import INTENTWATCH

    def tail(*args: str) -> list[str]:
        r = subprocess.run([INTENTWATCH, "tail", *args, "--idle", "3"], env=p.env(), capture_output=True, timeout=120)
        assert r.returncode == 0, r.stderr.decode(errors="replace")
        return r.stdout.decode().splitlines()

    as_json = tail("alerts", "--from-beginning", "--json")
    assert sorted(orjson.loads(x)["alert_id"] for x in as_json) == sorted(a["alert_id"] for a in alerts)
    readable = tail("revocations", "--from-beginning")
    assert len(readable) == len(commands) and all(c["command_id"][:12] in "\n".join(readable) for c in commands)
    assert tail("alerts", "--since", "2999-01-01T00:00:00+00:00") == []  # nothing stamped after that
    for w in workers:  # a clean stop logs the worker's totals
        w.stop()
    shares = {w.instance: _worker_stats(w.log)[-1:] for w in workers}
    print(f"\nparity: {f.n_actions:,} actions drained by 2 workers in {drain_seconds:.1f}s; "
          f"{len(alerts)} alert records ({len(f.alerts)} from replay), {len(commands)} commands; {shares}")
    record_property("drain_seconds", round(drain_seconds, 1))
    record_property("worker_totals", str(shares))


def test_crash_recovery_sigkill(kafka_pipeline: Pipeline, fleet, record_property):
    f = fleet(40, 4, 11)
    assert f.n_actions >= 20_000, f"fleet too small for the crash test: {f.n_actions} actions"
    p = kafka_pipeline
    # Checkpoints four times a second: a worker drains this fleet in about a second, and the
    # kill must land between two checkpoints while actions are still left.
    p.extra_env["INTENTWATCH_WORKER__CHECKPOINT_SECONDS"] = "0.25"
    p.create_topics()
    p.produce(f.lifecycle, topic=p.topics.lifecycle, intents=f.intents)
    p.produce(f.actions)
    actions = p.topics.actions

    first = p.start_worker("solo")

    def mid_stream(committed, end) -> bool:
        done = sum(max(committed[actions, i], 0) for i in range(8))
        return sum(committed[actions, i] > 0 for i in range(8)) >= 3 and done >= f.n_actions // 5

    p.wait_until(mid_stream, 120, "checkpoints on several action partitions", [first], interval=0.02)
    time.sleep(0.1)  # into the next checkpoint interval: processed and published, not yet committed
    first.sigkill()
    committed, end = p.wait_until(lambda c, e: True, 30, "the offsets the dead worker committed", [])
    done = sum(max(committed[actions, i], 0) for i in range(8))
    total = sum(end[actions, i] for i in range(8))
    assert not drained(committed, end), f"the worker drained everything before the kill: grow the fleet\n{first.tail()}"
    print(f"\ncrash: SIGKILL with {done:,} of {total:,} actions committed")

    second = p.start_worker("solo")  # same instance: same transactional id, fences the dead one
    p.wait_drained([second], timeout=240)
    alerts, commands = _outputs(p)
    assert second.alive, p.logs()

    cmp = Comparison(f.alerts, f.commands, alerts, commands)
    shadow = cmp.extra_alerts.get("lifecycle.shadow_agent", [])
    assert not shadow, f"shadow-agent alerts for registered agents: state was lost, not restored: {shadow}\n{p.logs()}"
    _assert_same_ids(cmp, p.logs())

    restored = [int(n) for n in re.findall(r"restored (\d+) agents", second.log.read_text(errors="replace"))]
    assert restored and max(restored) > 0, f"the restarted worker restored no agents:\n{second.tail()}"

    dups = cmp.duplicates()
    print(f"crash: restarted worker restored {max(restored)} agents; {sum(dups.values())} duplicate deliveries "
          f"over {len(dups)} ids (beyond replay's multiplicity): {dups}")
    record_property("killed_at_actions", f"{done}/{total}")
    record_property("restored_agents", max(restored))
    record_property("duplicate_deliveries", sum(dups.values()))
    record_property("duplicate_ids", str(dups))


AGENT = "support-1"


def register_one_agent(p: Pipeline, tmp_path: Path) -> Path:
    """Register AGENT (no rate limit) on the lifecycle topic; returns its manifest directory."""
    intents = tmp_path / "intents"
    intents.mkdir()
    (intents / f"{AGENT}.json").write_text(manifest(AGENT, rate_limit=None).model_dump_json())
    empty = tmp_path / "no-lifecycle.jsonl"
    empty.write_bytes(b"")
    p.produce(empty, topic=p.topics.lifecycle, intents=intents)
    return intents


def test_bad_input_goes_to_dlq(kafka_pipeline: Pipeline, tmp_path: Path):
    p = kafka_pipeline
    p.extra_env["INTENTWATCH_ENGINE__MAX_EVENT_BYTES"] = "20000"
    p.create_topics()
    intents = register_one_agent(p, tmp_path)

    def valid(minute: int, **over) -> bytes:
        return action(AGENT, at=timedelta(minutes=minute), **over).model_dump_json().encode()

    good = {  # (key, value) in the order produced; the "breaks" ones must each open an alert
        "ok-1": valid(1),
        "breaks-tool": valid(3, tool="shell.exec"),
        "ok-2": valid(5),
        "breaks-domain": valid(7, data_domain="payroll"),
        "breaks-operation": valid(9, operation="delete"),
        "ok-3": valid(11),
    }
    oversized = orjson.loads(valid(6))
    oversized["attributes"] = {"blob": "A" * 25_000}
    bad = {  # case -> (key, value, a substring the reason must contain)
        "garbage": (AGENT.encode(), b"\x00\xff\xfe\x81 not JSON, not UTF-8 \xc3\x28", "Invalid JSON"),
        "wrong type": (AGENT.encode(), valid(2).replace(b'"bytes":2048', b'"bytes":"lots"'), "bytes: Input should be a valid integer"),
        "unknown operation": (AGENT.encode(), valid(4).replace(b'"operation":"read"', b'"operation":"teleport"'),
                              "operation: Input should be 'read'"),
        "oversized": (AGENT.encode(), orjson.dumps(oversized), "over the 20000-byte limit"),
        "no key": (None, valid(8), "no key"),
        "key differs": (b"support-2", valid(10), "differs from agent_id"),
    }
    assert 20_000 < len(bad["oversized"][1]) < 1_000_000
    order = ["ok-1", "garbage", "wrong type", "breaks-tool", "unknown operation", "ok-2", "oversized",
             "breaks-domain", "no key", "breaks-operation", "key differs", "ok-3"]

    where: dict[str, str] = {}

    def delivered(case: str):
        def cb(err, msg) -> None:
            assert err is None, f"{case}: {err}"
            where[case] = f"{msg.topic()}[{msg.partition()}]@{msg.offset()}"
        return cb

    producer = Producer({"bootstrap.servers": p.bootstrap, "partitioner": PARTITIONER, "enable.idempotence": True})
    for case in order:
        key, value = (AGENT.encode(), good[case]) if case in good else bad[case][:2]
        producer.produce(p.topics.actions, key=key, value=value, on_delivery=delivered(case))
    assert producer.flush(30) == 0
    assert set(where) == set(order)

    # What replay says the valid actions alone must give.
    (tmp_path / "valid.jsonl").write_bytes(b"\n".join(good[c] for c in order if c in good) + b"\n")
    run_cli("replay", "valid.jsonl", "--intents", str(intents), "--quiet", "--alerts", "expected-alerts.jsonl",
            "--commands", "expected-commands.jsonl", "--dead-letter", "expected-dl.jsonl", "--strict", cwd=tmp_path)
    expected = {a["alert_id"]: a["rule_id"] for a in load_jsonl(tmp_path / "expected-alerts.jsonl")}
    assert {"intent.tool_not_allowed", "intent.data_domain_not_allowed", "intent.operation_not_allowed"} <= set(expected.values()), expected

    worker = p.start_worker("dlq")
    p.wait_drained([worker], timeout=120)
    dead = p.read_all(p.topics.dlq)
    alerts = {r.json()["alert_id"]: r.json()["rule_id"] for r in p.read_all(p.topics.alerts)}
    assert worker.alive, worker.tail()

    by_value = {r.value: r for r in dead}
    assert len(dead) == len(bad) and len(by_value) == len(bad), (
        f"DLQ should hold exactly the {len(bad)} bad messages, got {len(dead)}: "
        f"{[(r.headers.get('source'), r.headers.get('reason')) for r in dead]}\n{worker.tail()}")
    for case, (_key, value, reason) in bad.items():
        r = by_value.get(value)
        assert r is not None, f"{case}: not in the DLQ (original bytes not found)"
        assert r.headers.get("source", b"").decode() == where[case], f"{case}: source {r.headers.get('source')!r} != {where[case]}"
        got_reason = r.headers.get("reason", b"").decode()
        assert reason in got_reason, f"{case}: reason {got_reason!r} lacks {reason!r}"
    assert alerts == expected, f"alerts of the valid neighbours differ from replay's: got {alerts}, expected {expected}"


def test_feedback_topic_suppresses_like_replay(kafka_pipeline: Pipeline, tmp_path: Path):
    """An analyst's false-positive verdict on intentwatch.feedback hides that pattern for that
    agent (kept as a feedback.suppressed info alert), exactly as `replay --feedback` does; a
    bad verdict goes to the DLQ."""
    p = kafka_pipeline
    p.create_topics()
    intents = register_one_agent(p, tmp_path)
    verdict = Feedback(feedback_id="fb-1", agent_id=AGENT, rule_id="intent.tool_not_allowed", verdict="false_positive",
                       observed="shell.*", analyst="ana@soc.example", reason="approved runbook step", time=T0)
    (tmp_path / "feedback.jsonl").write_bytes(verdict.model_dump_json().encode() + b"\n")
    actions = [action(AGENT, at=timedelta(minutes=m), **over).model_dump_json().encode()
               for m, over in ((1, {}), (3, {"tool": "shell.exec"}), (5, {"data_domain": "payroll"}), (7, {}))]
    (tmp_path / "actions.jsonl").write_bytes(b"\n".join(actions) + b"\n")

    producer = Producer({"bootstrap.servers": p.bootstrap, "partitioner": PARTITIONER, "enable.idempotence": True})
    producer.produce(p.topics.feedback, key=AGENT.encode(), value=verdict.model_dump_json().encode())
    producer.produce(p.topics.feedback, key=AGENT.encode(), value=b'{"verdict": "maybe"}')
    assert producer.flush(30) == 0
    p.produce(tmp_path / "actions.jsonl")

    run_cli("replay", "actions.jsonl", "--intents", str(intents), "--feedback", "feedback.jsonl", "--quiet",
            "--alerts", "expected-alerts.jsonl", "--commands", "expected-commands.jsonl", cwd=tmp_path)
    expected = {a["alert_id"]: a["rule_id"] for a in load_jsonl(tmp_path / "expected-alerts.jsonl")}
    assert sorted(expected.values()) == ["feedback.suppressed", "intent.data_domain_not_allowed"], expected

    worker = p.start_worker("feedback")
    p.wait_drained([worker], timeout=120)
    alerts = {r.json()["alert_id"]: r.json()["rule_id"] for r in p.read_all(p.topics.alerts)}
    dead = p.read_all(p.topics.dlq)
    assert worker.alive, worker.tail()
    assert alerts == expected, f"stream {alerts} != replay {expected}\n{worker.tail()}"
    assert [r.value for r in dead] == [b'{"verdict": "maybe"}'], [(r.value, r.headers.get("reason")) for r in dead]
    assert dead[0].headers["source"].decode().startswith(p.topics.feedback)


def test_credential_shared_across_workers(kafka_pipeline: Pipeline, tmp_path: Path):
    """Another worker published that agent-x used key-9 first (on the credentials topic); this
    worker's agent then acts with key-9: credential.shared. Its own first uses are published for
    the other workers, and a malformed first use goes to the DLQ, once: a restarted worker
    reads the topic again from its start without reporting it again."""
    p = kafka_pipeline
    p.create_topics()
    register_one_agent(p, tmp_path)
    other = CredentialUse(credential_id="key-9", agent_id="agent-x", first_seen=T0.timestamp(), event_id="remote-1")
    producer = Producer({"bootstrap.servers": p.bootstrap, "partitioner": PARTITIONER, "enable.idempotence": True})
    producer.produce(p.topics.credentials, key=other.key(), value=other.model_dump_json().encode())
    producer.produce(p.topics.credentials, key=b"key-9\nagent-z", value=b'{"credential_id": "key-9"}')
    assert producer.flush(30) == 0
    actions = [action(AGENT, at=timedelta(minutes=1)), action(AGENT, at=timedelta(minutes=3), credential_id="key-9")]
    (tmp_path / "actions.jsonl").write_bytes(b"".join(a.model_dump_json().encode() + b"\n" for a in actions))
    p.produce(tmp_path / "actions.jsonl")

    worker = p.start_worker("credentials")
    p.wait_drained([worker], timeout=120)
    shared = [r.json() for r in p.read_all(p.topics.alerts) if r.json()["rule_id"] == "credential.shared"]
    assert worker.alive, worker.tail()
    assert len(shared) == 1 and "agent-x used it first" in shared[0]["message"], (shared, worker.tail())
    assert shared[0]["first_seen"].startswith("2026-01-05T09:03")  # at the agent's own first use
    uses = {r.key: r.json() for r in p.read_all(p.topics.credentials)}
    assert uses[f"key-9\n{AGENT}".encode()]["event_id"] == actions[1].event_id
    assert uses[f"key-1\n{AGENT}".encode()]["event_id"] == actions[0].event_id
    dead = p.read_all(p.topics.dlq)
    assert [r.value for r in dead] == [b'{"credential_id": "key-9"}'], [(r.value, r.headers.get("reason")) for r in dead]
    assert dead[0].headers["source"].decode().startswith(p.topics.credentials)

    worker.stop()
    again = p.start_worker("credentials")  # reads agent-x's use and its own two; the bad record is not reported again
    p.wait_until(lambda *_: "credentials: 3 first uses known" in again.tail(), 60, "the restart to read credentials", [again])
    p.wait_drained([again], timeout=60)
    again.stop()
    assert len(p.read_all(p.topics.dlq)) == 1, again.tail()
    assert [r.json()["rule_id"] for r in p.read_all(p.topics.alerts)].count("credential.shared") == 1


def test_restore_waits_for_an_undecided_checkpoint(kafka_pipeline: Pipeline):
    """A checkpoint whose commit returned may not have its markers written yet (seen after a broker
    restart): a worker taking its partitions then must wait, or it pairs older state with the
    newer input offsets. Here a state record sits in an open transaction; the worker restores
    nothing until it is committed, then restores it."""
    from intentwatch.pipeline.engine.state import AgentState

    p = kafka_pipeline
    p.create_topics()
    txn = Producer({"bootstrap.servers": p.bootstrap, "transactional.id": f"{p.group}-previous-owner",
                    "partitioner": PARTITIONER})
    txn.init_transactions(30)
    txn.begin_transaction()
    txn.produce(p.topics.state, key=b"agent-held", value=orjson.dumps(AgentState("agent-held").to_record()), partition=3)
    txn.flush(10)
    worker = p.start_worker("undecided")

    def logged(text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in worker.log.read_text(errors="replace"):
            assert worker.alive and time.monotonic() < deadline, f"no {text!r} in\n{worker.tail()}"
            time.sleep(0.2)

    logged("state partitions [3] hold an undecided transaction; waiting", 60)
    assert "restored" not in worker.log.read_text(errors="replace")
    txn.commit_transaction(30)
    logged("restored 1 agents", 60)
    assert worker.alive, worker.tail()

"""Issue 17 on a real broker: poison costs one message and no alert, redelivered actions add
nothing, a future-stamped action moves no clock, and a broker outage ends in progress or in
an exit the supervisor restarts (never a worker alive and idle)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import orjson
from datetime import datetime

from intentwatch.pipeline.hosts.worker.partitions import CLOCK

from tests.integration.support import Comparison, Pipeline, drained, load_jsonl, poisoned_actions, produce_pairs, run_cli


def test_poison_costs_one_message_and_no_alert(kafka_pipeline: Pipeline, fleet, tmp_path: Path):
    f = fleet(40, 3, 5)
    pairs, n_poison = poisoned_actions(f.actions, tmp_path / "poisoned.jsonl")
    run_cli("replay", "poisoned.jsonl", "--intents", str(f.intents), "--lifecycle", str(f.lifecycle), "--quiet",
            "--alerts", "alerts.jsonl", "--commands", "commands.jsonl", "--dead-letter", "dl.jsonl", cwd=tmp_path)
    replay_dead = load_jsonl(tmp_path / "dl.jsonl")
    assert len(replay_dead) == n_poison, [d["reason"] for d in replay_dead]

    p = kafka_pipeline
    p.create_topics()
    p.produce(f.lifecycle, topic=p.topics.lifecycle, intents=f.intents)
    produce_pairs(p, pairs)
    worker = p.start_worker("poison")
    p.wait_drained([worker], timeout=300)
    assert worker.alive, worker.tail()

    alerts = [r.json() for r in p.read_all(p.topics.alerts)]
    commands = [r.json() for r in p.read_all(p.topics.revocations)]
    cmp = Comparison(load_jsonl(tmp_path / "alerts.jsonl"), load_jsonl(tmp_path / "commands.jsonl"), alerts, commands)
    assert not cmp.missing_alerts and not cmp.extra_alerts, (cmp.missing_alerts, cmp.extra_alerts, worker.tail())
    assert not cmp.missing_commands and not cmp.extra_commands and not cmp.command_payload_diffs()
    assert not [c for c in commands if c["action"] == "decommission" and c["agent_id"] == "never-registered"]
    by_id: dict[str, set] = {}
    for a in alerts:  # an alert id never carries two different actions as its evidence
        by_id.setdefault(a["alert_id"], set()).add(orjson.dumps(a["evidence"]["action"]))
    assert all(len(v) == 1 for v in by_id.values())

    dead = p.read_all(p.topics.dlq)
    assert len(dead) == n_poison, [(r.headers.get("source"), r.headers.get("reason")) for r in dead]
    reasons = sorted(r.headers["reason"].decode() for r in dead)
    assert reasons == sorted(d["reason"] for d in replay_dead), (reasons, [d["reason"] for d in replay_dead])
    big = [r for r in dead if r.headers.get("truncated") == b"true"]
    assert len(big) == 1 and int(big[0].headers["size"]) == 990_000 and len(big[0].value) == 65_536
    assert big[0].headers["sha256"].decode() == hashlib.sha256(b"\xfe" * 990_000).hexdigest()
    log = worker.log.read_text(errors="replace")
    assert "state_too_large" not in log and "Operation not valid" not in log
    # Each action partition's committed offset carries its latest event time: a restore's clock.
    clocks = p.committed_metadata()
    assert all(m is not None and m.startswith(CLOCK) for m in clocks.values()), clocks
    latest = max(datetime.fromisoformat(a["time"]).timestamp() for a in load_jsonl(f.actions))
    assert max(float(m[len(CLOCK):]) for m in clocks.values()) == latest  # the poison's future times moved none


def test_broker_outage_ends_in_progress_or_exit(own_broker, fleet, tmp_path: Path):
    """The broker stops for 15 s mid-stream. The worker must either carry on once it is back or
    exit non-zero (its supervisor, here this test, restarts it) — never stay alive and idle — and
    in the end nothing replay emits is missing."""
    f = fleet(40, 3, 5)
    p = Pipeline(own_broker.bootstrap, tmp_path)
    p.extra_env["INTENTWATCH_WORKER__MAX_STALL_SECONDS"] = "20"
    p.extra_env["INTENTWATCH_WORKER__STUCK_SECONDS"] = "45"  # a call that never returns ends it well within 90 s
    try:
        p.create_topics()
        p.produce(f.lifecycle, topic=p.topics.lifecycle, intents=f.intents)
        # A third of the actions before the outage, the rest after it: a worker that drains the
        # first part before the broker stops still has work once it is back (it once drained the
        # whole fleet before this test could catch it mid-stream).
        lines = f.actions.read_bytes().splitlines(keepends=True)
        first, rest = tmp_path / "actions-1.jsonl", tmp_path / "actions-2.jsonl"
        first.write_bytes(b"".join(lines[: len(lines) // 3]))
        rest.write_bytes(b"".join(lines[len(lines) // 3:]))
        p.produce(first)
        worker = p.start_worker("outage")
        p.wait_until(lambda c, e: any(c.get(k, -1) > 0 for k in e if k[0] == p.topics.actions),
                     120, "the first checkpoint", [worker], interval=0.1)
        own_broker.stop()
        time.sleep(15)
        own_broker.start()
        p.produce(rest)

        restarts, exits, idle_since, last = 0, [], time.monotonic(), None
        deadline = time.monotonic() + 420
        while True:
            assert time.monotonic() < deadline, f"not drained after the outage\n{p.logs()}"
            if not worker.alive:
                exits.append(worker.proc.returncode)
                assert worker.proc.returncode != 0, f"worker exited 0 after the outage\n{worker.tail()}"
                worker = p.start_worker("outage")  # what a supervisor does
                restarts += 1
                idle_since = time.monotonic()
            try:
                committed, end = p.progress()
            except Exception:  # noqa: BLE001 - the observer may hit the broker still starting
                time.sleep(1)
                continue
            if drained(committed, end):
                break
            if committed != last:
                last, idle_since = committed, time.monotonic()
            assert time.monotonic() - idle_since < 90, (
                f"worker alive and idle for 90 s after the outage (no offset moved, no exit)\n{worker.tail(80)}")
            time.sleep(1)
        alerts = [r.json() for r in p.read_all(p.topics.alerts)]
        commands = [r.json() for r in p.read_all(p.topics.revocations)]
        cmp = Comparison(f.alerts, f.commands, alerts, commands)
        assert not cmp.missing_alerts and not cmp.extra_alerts, (cmp.missing_alerts, cmp.extra_alerts, p.logs())
        assert not cmp.missing_commands and not cmp.command_payload_diffs()
        print(f"\noutage: {restarts} restart(s), exit codes {exits}")
    finally:
        p.close()

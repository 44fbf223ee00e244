"""Chaos: a fleet streamed through workers that are killed, a broker that goes away, workers
that join and leave, and poison of every kind from issue 17; then what was lost.

    python benchmarks/chaos.py [--agents 40 --days 3 --seed 5 --kills 10 --stream-seconds 240]

Starts its own broker (deploy/kafka/broker.sh on free ports, data in a temporary directory,
deleted at the end), simulates a fleet and poisons it (``poisoned_actions`` of
tests/integration/support.py: years 0 and 9999, bytes 1e30 and true, time -1, an action
stamped 2099, a conflicting duplicate, 1 MB of garbage, 15,000 credentials for one agent, a
redelivered segment), and replays it for the expected outputs. Then it streams the actions
over ``--stream-seconds`` to two workers and, meanwhile:
  - SIGKILLs a random worker ``--kills`` times (restarted at once, as a supervisor would);
  - stops the broker for 15 s, later for 120 s;
  - a third worker joins, the second leaves (SIGTERM) and later comes back;
  - any worker that exits on its own is restarted (its exit code is recorded).
When the stream is in and the group has drained, it prints: alert ids replay emitted that
never arrived (lost), command ids delivered with two payloads (conflicting), extra deliveries
of an id (duplicates, at-least-once output), and the dead letters against the poison injected
(distinct sources, and how many were delivered more than once). Aim: 0 lost, 0 conflicting,
every poison dead-lettered.
"""

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from confluent_kafka import Producer  # noqa: E402

from intentwatch.pipeline.io.kafka import PARTITIONER, wait_for_broker  # noqa: E402
from intentwatch.pipeline.settings import KafkaSettings  # noqa: E402
from tests.integration.support import (Comparison, Pipeline, drained, load_jsonl, poisoned_actions,  # noqa: E402
                                       run_cli, simulate_fleet)

BROKER_SH = ROOT / "deploy" / "kafka" / "broker.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """broker.sh on free ports with its own data directory; stop() and start() keep the data."""

    def __init__(self, data: Path):
        self.env = {**os.environ, "KAFKA_PORT": str(_free_port()), "KAFKA_CONTROLLER_PORT": str(_free_port()),
                    "KAFKA_DATA_DIR": str(data)}
        self.bootstrap = f"127.0.0.1:{self.env['KAFKA_PORT']}"

    def _run(self, action: str) -> None:
        r = subprocess.run(["bash", str(BROKER_SH), action], env=self.env, capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise SystemExit(f"broker.sh {action} failed ({r.returncode}):\n{r.stdout}{r.stderr}")

    def start(self) -> None:
        self._run("start")

    def stop(self) -> None:
        self._run("stop")

    def reset(self) -> None:
        subprocess.run(["bash", str(BROKER_SH), "reset"], env=self.env, capture_output=True, timeout=120)


def stream(p: Pipeline, pairs: list[tuple[bytes, bytes]], seconds: float, done: threading.Event, errors: list[str]) -> None:
    """Produce ``pairs`` evenly over ``seconds``; the producer rides out broker outages (it buffers and retries)."""
    prod = Producer({"bootstrap.servers": p.bootstrap, "partitioner": PARTITIONER, "enable.idempotence": True,
                     "linger.ms": 20, "message.max.bytes": 2_000_000, "message.timeout.ms": 600_000})
    started = time.monotonic()
    for i, (key, value) in enumerate(pairs):
        while time.monotonic() - started < seconds * i / len(pairs):
            prod.poll(0.05)
        while True:
            try:
                prod.produce(p.topics.actions, key=key, value=value,
                             on_delivery=lambda err, _m: errors.append(str(err)) if err else None)
                break
            except BufferError:
                prod.poll(0.1)
    left = prod.flush(900)
    if left:
        errors.append(f"{left} actions never delivered")
    done.set()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=int, default=40)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--stream-seconds", type=float, default=240)
    ap.add_argument("--outages", default="15,120", help="broker stops, seconds each, in order")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="iw-chaos-") as tmp:
        work = Path(tmp)
        broker = Broker(work / "kafka")
        try:
            broker.start()
            wait_for_broker(KafkaSettings(bootstrap_servers=broker.bootstrap), timeout=60)
            (work / "fleet").mkdir()
            fleet = simulate_fleet(work / "fleet", args.agents, args.days, args.seed)
            pairs, n_poison = poisoned_actions(fleet.actions, work / "poisoned.jsonl")
            run_cli("replay", "poisoned.jsonl", "--intents", str(fleet.intents), "--lifecycle", str(fleet.lifecycle), "--quiet",
                    "--alerts", "alerts.jsonl", "--commands", "commands.jsonl", "--dead-letter", "dl.jsonl", cwd=work)
            expected_dead = load_jsonl(work / "dl.jsonl")
            print(f"fleet: {len(pairs):,} actions ({n_poison} poison); replay: {len(load_jsonl(work / 'alerts.jsonl'))} alert "
                  f"records, {len(load_jsonl(work / 'commands.jsonl'))} commands, {len(expected_dead)} dead letters", flush=True)

            p = Pipeline(broker.bootstrap, work)
            p.extra_env["INTENTWATCH_WORKER__MAX_STALL_SECONDS"] = "30"
            p.extra_env["INTENTWATCH_WORKER__METRICS_PORT"] = "0"
            p.create_topics()
            p.produce(fleet.lifecycle, topic=p.topics.lifecycle, intents=fleet.intents)
            done, errors = threading.Event(), []
            producer = threading.Thread(target=stream, args=(p, pairs, args.stream_seconds, done, errors), daemon=True)
            producer.start()
            live = {name: p.start_worker(name) for name in ("w1", "w2")}
            events: list[str] = []
            exits: Counter[int] = Counter()
            outages = [float(x) for x in args.outages.split(",") if x]
            span = args.stream_seconds
            plan = sorted([(span * (i + 0.5) / max(args.kills, 1), "kill", 0.0) for i in range(args.kills)]
                          + [(span * (0.25 + 0.45 * i), "outage", d) for i, d in enumerate(outages)]
                          + [(span * 0.4, "join", 0.0), (span * 0.55, "leave", 0.0), (span * 0.9, "return", 0.0)])
            started = time.monotonic()

            def supervise() -> None:
                for name, w in list(live.items()):
                    if not w.alive:
                        exits[w.proc.returncode] += 1
                        events.append(f"{time.monotonic() - started:6.1f}s {name} exited {w.proc.returncode}; restarted")
                        live[name] = p.start_worker(name)

            last_kill = -1e9
            for at, what, dur in plan:
                if what == "kill":  # kills that fell due during an outage still come 8 s apart
                    at = max(at, last_kill + 8)
                while time.monotonic() - started < at:
                    supervise()
                    time.sleep(0.5)
                now = time.monotonic() - started
                if what == "kill":
                    last_kill = now
                    name = rnd.choice(sorted(live))
                    live[name].sigkill()
                    live[name] = p.start_worker(name)
                    events.append(f"{now:6.1f}s SIGKILL {name}")
                elif what == "outage":
                    events.append(f"{now:6.1f}s broker stopped for {dur:g}s")
                    broker.stop()
                    time.sleep(dur)
                    broker.start()
                    events.append(f"{time.monotonic() - started:6.1f}s broker back")
                elif what == "join":
                    live["w3"] = p.start_worker("w3")
                    events.append(f"{now:6.1f}s w3 joins")
                elif what == "leave" and "w2" in live:
                    live.pop("w2").stop()
                    events.append(f"{now:6.1f}s w2 leaves")
                elif what == "return":
                    live["w2"] = p.start_worker("w2")
                    events.append(f"{now:6.1f}s w2 returns")
            while not done.wait(1):
                supervise()
            deadline = time.monotonic() + 900
            while True:
                supervise()
                try:
                    committed, end = p.progress()
                    if drained(committed, end):
                        break
                except Exception:  # noqa: BLE001 - the observer rides out a broker still starting
                    pass
                if time.monotonic() > deadline:
                    print("NOT DRAINED after 900 s", flush=True)
                    break
                time.sleep(1)
            drained_at = time.monotonic() - started

            alerts = [r.json() for r in p.read_all(p.topics.alerts)]
            commands = [r.json() for r in p.read_all(p.topics.revocations)]
            dead = p.read_all(p.topics.dlq)
            cmp = Comparison(load_jsonl(work / "alerts.jsonl"), load_jsonl(work / "commands.jsonl"), alerts, commands)
            payloads: dict[str, set] = {}
            for c in commands:
                payloads.setdefault(c["command_id"], set()).add(orjson.dumps(c, option=orjson.OPT_SORT_KEYS))
            conflicting = sorted(i for i, v in payloads.items() if len(v) > 1)
            sources = Counter(r.headers.get("source", b"").decode() for r in dead)
            print("\n".join(events))
            print(f"exits seen by the supervisor: {dict(exits)}; producer errors: {errors[:3]}")
            print(f"drained {drained_at:.0f}s after the stream started; total {time.monotonic() - t0:.0f}s")
            lost = sum(len(v) for v in cmp.missing_alerts.values())
            extra = sum(len(v) for v in cmp.extra_alerts.values())
            print(f"lost alert ids: {lost} {cmp.missing_alerts if lost else ''}")
            print(f"alert ids replay never emitted: {extra} {cmp.extra_alerts if extra else ''}")
            print(f"lost command ids: {sum(len(v) for v in cmp.missing_commands.values())}; "
                  f"command ids with conflicting payloads: {len(conflicting)}; payloads unlike replay's: {len(cmp.command_payload_diffs())}")
            dup = cmp.duplicates()
            print(f"duplicate deliveries (at-least-once output): {sum(dup.values())} over {len(dup)} ids")
            print(f"dead letters: {len(dead)} records, {len(sources)} distinct sources, "
                  f"{sum(1 for n in sources.values() if n > 1)} delivered more than once; poison injected {n_poison}; "
                  f"replay dead-lettered {len(expected_dead)}")
            reasons = Counter(r.headers.get("reason", b"").decode()[:50] for r in dead)
            for reason, n in reasons.most_common(12):
                print(f"  {n:>6}  {reason}")
            for w in live.values():
                w.stop()
        finally:
            broker.reset()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()

"""One streaming worker on a real broker: sustained throughput, and alert latency at half load.

    python benchmarks/stream.py [--agents 600 --days 3 --runs 2 --formats native,ocsf]
    python benchmarks/stream.py --formats native --versus native,ocsf --runs 5   # a format's cost
    python benchmarks/stream.py --live-rates 1000,4000,half   # latency against the live load

Needs a broker: INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS, else the local one is started with
deploy/kafka/broker.sh (and stopped afterwards). Each run uses fresh topics (8 partitions).
  limit       a bare confluent-kafka consumer reads and orjson-parses the whole actions topic
  worker      one `intentwatch worker` (all partitions) drains the same backlog: events/s
              between its first and its last checkpoint
  latency     the worker caught up; actions produced live at half the worker's rate (or at the
              rates --live-rates names, one after another: latency against load), 1 in 50
              from an unregistered agent (an immediate alert), the rest from 50 registered
              agents acting inside their intent; produce time -> alert appended; also without
              the first --warmup-seconds (the clock's jump from the backlog's days to now)
  versus      (--versus) in each run a second worker, other output formats, drains the same
              backlog in a group of its own, the two in alternating order: the ratio of the
              two drain rates per run, and its median, is the cost of those formats
Prints medians and the worker/limit ratio, and each drain's events per CPU-second of the worker process
(steadier than wall time when the machine is shared). Machines are shared and noisy: read ratios.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from confluent_kafka import Consumer, TopicPartition  # noqa: E402

from benchmarks.replay import fleet  # noqa: E402
from intentwatch.pipeline.io.feed import file_lines, produce_lines  # noqa: E402
from intentwatch.pipeline.io.intents import load_manifests  # noqa: E402
from confluent_kafka.admin import NewTopic  # noqa: E402

from intentwatch.pipeline.io.kafka import admin, create_topics, producer, wait_for_broker  # noqa: E402
from intentwatch.pipeline.io.deadletter import DeadLetterFile  # noqa: E402
from intentwatch.pipeline.hosts.replay import manifest_instantiations  # noqa: E402
from intentwatch.pipeline.settings import KafkaSettings, TopicSettings  # noqa: E402

IW = str(Path(sys.executable).with_name("intentwatch"))


def topics_for(run: str) -> TopicSettings:
    return TopicSettings(actions=f"bench-{run}.actions", lifecycle=f"bench-{run}.lifecycle", alerts=f"bench-{run}.alerts",
                         alerts_ocsf=f"bench-{run}.alerts.ocsf", revocations=f"bench-{run}.revocations",
                         dlq=f"bench-{run}.dlq", state=f"bench-{run}.state", feedback=f"bench-{run}.feedback",
                         credentials=f"bench-{run}.credentials", definitions=f"bench-{run}.definitions", partitions=8)


WORKER_OWN = ("alerts", "alerts_ocsf", "revocations", "dlq", "state", "credentials", "definitions")  # what a drain writes


FORMATS = ["native"]  # the worker's outputs.formats (--formats)


def worker_env(kafka: KafkaSettings, t: TopicSettings, group: str) -> dict:
    env = dict(os.environ)
    env.update({"INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers, "INTENTWATCH_WORKER__GROUP_ID": group,
                "INTENTWATCH_WORKER__INSTANCE": f"{group}-w", "INTENTWATCH_WORKER__WALL_CLOCK_TIMERS": "false",
                "INTENTWATCH_TOPICS__PARTITIONS": str(t.partitions),
                "INTENTWATCH_WORKER__METRICS_PORT": "0",  # any free port: the machine is shared
                "INTENTWATCH_OUTPUTS__FORMATS": orjson.dumps(FORMATS).decode()})
    for name in ("actions", "lifecycle", "feedback", *WORKER_OWN):
        env[f"INTENTWATCH_TOPICS__{name.upper()}"] = getattr(t, name)
    return env


def group_progress(kafka: KafkaSettings, group: str, topic: str, parts: int) -> tuple[int, int]:
    """(committed offsets summed, end offsets summed) of ``topic`` for ``group``."""
    c = Consumer({**kafka.client_config(), "group.id": group, "enable.auto.commit": False})
    try:
        tps = [TopicPartition(topic, p) for p in range(parts)]
        committed = sum(max(tp.offset, 0) for tp in c.committed(tps, timeout=10))
        end = sum(c.get_watermark_offsets(tp, timeout=10)[1] for tp in tps)
        return committed, end
    finally:
        c.close()


def limit(kafka: KafkaSettings, topic: str, expected: int) -> float:
    c = Consumer({**kafka.client_config(), "group.id": f"bench-limit-{uuid.uuid4().hex[:6]}", "auto.offset.reset": "earliest",
                  "enable.auto.commit": False, "fetch.wait.max.ms": 50})
    c.subscribe([topic])
    n, started = 0, None
    deadline = time.monotonic() + 300
    while n < expected and time.monotonic() < deadline:
        for m in c.consume(2000, 0.5):
            if m.error():
                continue
            if started is None:
                started = time.perf_counter()
            orjson.loads(m.value())
            n += 1
    took = time.perf_counter() - (started or time.perf_counter())
    c.close()
    return n / took


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc): on a shared machine its events
    per CPU-second are steadier than its events per wall second."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Drain:
    """One worker draining the backlog: events per wall second and per CPU-second of its process
    (from its first commit on), the CPU it used in all, and the process (still running)."""
    rate: float
    per_cpu_second: float
    cpu_seconds: float
    proc: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)

    def encode_seconds(self, fmt: str) -> float:
        """CPU seconds the stopped worker logged for rendering alerts in ``fmt`` (0 if none)."""
        for line in reversed(self.log.read_text(errors="replace").splitlines()):
            if "alert encoding CPU seconds by format:" in line:
                return orjson.loads(line.rpartition("format:")[2]).get(fmt, 0.0)
        return 0.0


def drain(kafka: KafkaSettings, t: TopicSettings, group: str, total: int, log: Path) -> Drain:
    proc = subprocess.Popen([IW, "worker"], env=worker_env(kafka, t, group), stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    started = (time.perf_counter(), 0, 0.0)  # a backlog drained by the first commit is timed from here
    first = None
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        done, _ = group_progress(kafka, group, t.actions, t.partitions)
        now = time.perf_counter()
        if done > 0 and first is None:
            first = (now, done, cpu_seconds(proc.pid))
        if done >= total:
            cpu = cpu_seconds(proc.pid)
            if first[1] == done:
                first = started
            return Drain((done - first[1]) / (now - first[0]), (done - first[1]) / max(cpu - first[2], 1e-9), cpu, proc, log)
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"worker did not drain {total} events; see {log}")


def drain_versus(kafka: KafkaSettings, t: TopicSettings, total: int, formats: str, log: Path) -> Drain:
    """Drain the backlog again in a fresh group and onto fresh output and state topics (a worker
    restoring the other's state would skip the events as duplicates), writing ``formats``; stopped."""
    primary = FORMATS[:]
    FORMATS[:] = formats.split(",")
    tag = uuid.uuid4().hex[:6]
    own = t.model_copy(update={name: f"{getattr(t, name)}.{tag}" for name in WORKER_OWN})
    create_topics(kafka, own)
    try:
        d = drain(kafka, own, f"bench-{tag}", total, log)
        d.stop()
        return d
    finally:
        FORMATS[:] = primary


def register_live_agents(kafka: KafkaSettings, t: TopicSettings, n: int) -> list[str]:
    """Agents whose declared intent covers the live traffic, so only the shadow agents alert."""
    from intentwatch.models.intent import IntentManifest
    from intentwatch.models.lifecycle import Instantiate

    now = datetime.now(timezone.utc)
    ids = [f"bench-live-{i:03d}" for i in range(n)]
    events = [Instantiate(event_id=f"bench-live-{i}", agent_id=a, time=now, manifest=IntentManifest(
        agent_id=a, owner="bench", purpose="latency benchmark", allowed={"tools": ["bench.*"], "operations": ["read"]}))
        for i, a in enumerate(ids)]
    produce_lines(kafka, t.lifecycle, ((a.agent_id, a.model_dump_json().encode()) for a in events), DeadLetterFile(None))
    return ids


def latency(kafka: KafkaSettings, t: TopicSettings, rate: float, seconds: float, agent_ids: list[str],
            warmup: float) -> tuple[list[float], list[float]]:
    """Produce live actions at ``rate``/s; every 50th from a new unregistered agent; time to its alert:
    of all, and of those sent ``warmup`` seconds or more after the start (steady state: the first live
    action moves the engine's clock from the backlog's days to now, and every agent of the fleet
    expires or goes dormant at once, a one-off checkpoint of them all).

    Clock readings that cannot be delayed by this process's own scheduling: the action's
    produce timestamp, and the broker's append time of the alert (the alerts topic uses
    LogAppendTime), both from this machine's clock.
    """
    sent: dict[str, float] = {}
    early: set[str] = set()
    received: dict[str, float] = {}
    stop = threading.Event()

    def collect() -> None:
        c = Consumer({**kafka.client_config(), "group.id": f"bench-lat-{uuid.uuid4().hex[:6]}", "auto.offset.reset": "latest",
                      "enable.auto.commit": False, "fetch.wait.max.ms": 10})
        c.subscribe([t.alerts])
        while not stop.is_set():
            for m in c.consume(500, 0.05):
                if not m.error():
                    a = orjson.loads(m.value())
                    ev = (a["evidence"].get("action") or {}).get("event_id")
                    if ev in sent and ev not in received:
                        received[ev] = m.timestamp()[1] / 1000
        c.close()

    th = threading.Thread(target=collect, daemon=True)
    th.start()
    time.sleep(3)  # let the collector join and reach the end
    p = producer(kafka, **{"linger.ms": 1})
    n, started, wall0 = 0, time.perf_counter(), time.time()
    while time.perf_counter() - started < seconds:
        due = int((time.perf_counter() - started) * rate)
        while n < due:
            shadow = n % 50 == 0
            agent = f"bench-shadow-{uuid.uuid4().hex[:8]}" if shadow else agent_ids[n % len(agent_ids)]
            ev = f"lat-{n}"
            doc = {"event_id": ev, "agent_id": agent, "time": datetime.now(timezone.utc).isoformat(), "tool": "bench.noop",
                   "operation": "read"}
            now = time.time()
            p.produce(t.actions, key=agent.encode(), value=orjson.dumps(doc), timestamp=int(now * 1000))
            if shadow:
                sent[ev] = now
                if now - wall0 < warmup:
                    early.add(ev)
            n += 1
        p.poll(0)
        time.sleep(0.001)
    p.flush(30)
    time.sleep(3)
    stop.set()
    th.join()
    took = {e: (received[e] - sent[e]) * 1000 for e in sent if e in received}
    return sorted(took.values()), sorted(v for e, v in took.items() if e not in early)


def percentiles(ms: list[float], sep: str = " ") -> str:
    if not ms:
        return "no alerts"
    return f"p50 {statistics.median(ms):.0f} ms{sep}p99 {ms[int(0.99 * (len(ms) - 1))]:.0f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=int, default=600)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--latency-seconds", type=float, default=20)
    ap.add_argument("--warmup-seconds", type=float, default=3, help="latency also reported without the alerts of "
                    "actions sent in the first seconds (the engine's clock jumping from the backlog's days to now)")
    ap.add_argument("--formats", default="native", help="the worker's alert formats, e.g. native,ocsf (a topic each)")
    ap.add_argument("--versus", help="other formats drained beside --formats in each run, e.g. native,ocsf")
    ap.add_argument("--live-rates", default="half", help="live loads for the latency, in turn after each drain: "
                    "events/s, or 'half' (half the drain rate); e.g. 1000,4000,half")
    args = ap.parse_args()
    live = args.live_rates.split(",")
    FORMATS[:] = args.formats.split(",")
    out = fleet(args.agents, args.days, args.seed)
    started_broker = False
    if "INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS" not in os.environ:
        subprocess.run(["bash", str(ROOT / "deploy/kafka/broker.sh"), "start"], check=True)
        started_broker = True
    kafka = KafkaSettings(bootstrap_servers=os.environ.get("INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    wait_for_broker(kafka)
    manifests = load_manifests(out / "intents").manifests
    limits, ours, theirs = [], [], []  # theirs: the --versus drains
    lats: dict[str, list[float]] = {r: [] for r in live}    # per live load: latencies of every run
    steady: dict[str, list[float]] = {r: [] for r in live}  # ... after the first --warmup-seconds
    try:
        for run in range(args.runs):
            t = topics_for(uuid.uuid4().hex[:8])
            # Alerts stamped by the broker when appended: the moment a SOC consumer could read them.
            client = admin(kafka)  # keep a reference until the future resolves
            client.create_topics([NewTopic(t.alerts, t.partitions, 1, config={"message.timestamp.type": "LogAppendTime"})])[t.alerts].result()
            create_topics(kafka, t)
            dead = DeadLetterFile(None)
            produce_lines(kafka, t.lifecycle, ((f"m{i}", ev.model_dump_json().encode()) for i, ev in enumerate(manifest_instantiations(manifests))), dead)
            produce_lines(kafka, t.lifecycle, file_lines(out / "lifecycle.jsonl"), dead)
            total = produce_lines(kafka, t.actions, file_lines(out / "actions.jsonl"), dead).produced
            limits.append(limit(kafka, t.actions, total))
            versus_first = bool(args.versus) and run % 2 == 1  # alternate which configuration drains first
            if versus_first:
                theirs.append(drain_versus(kafka, t, total, args.versus, out / f"worker-{run}-versus.log"))
            d = drain(kafka, t, f"bench-{uuid.uuid4().hex[:6]}", total, out / f"worker-{run}.log")
            ours.append(d)
            if args.versus and not versus_first:
                d.stop()
                theirs.append(drain_versus(kafka, t, total, args.versus, out / f"worker-{run}-versus.log"))
                lat = "latency not measured this run"
            else:  # latency only where the --formats worker is the one running
                agents, parts = register_live_agents(kafka, t, 50), []
                for r in live:
                    rate = d.rate / 2 if r == "half" else float(r)
                    every, after = latency(kafka, t, rate, args.latency_seconds, agents, args.warmup_seconds)
                    lats[r] += every
                    steady[r] += after
                    parts.append(f"latency at {rate:,.0f}/s ({r}) {percentiles(every)} ({len(every)} alerts); "
                                 f"after {args.warmup_seconds:g} s {percentiles(after)} ({len(after)})")
                d.stop()
                lat = "; ".join(parts)
            vs = f"; with {args.versus} {theirs[-1].rate:,.0f}/s ({theirs[-1].rate / d.rate:.3f}), " \
                 f"{theirs[-1].per_cpu_second:,.0f} per CPU-s ({theirs[-1].per_cpu_second / d.per_cpu_second:.3f})" if theirs else ""
            print(f"run {run}: {total:,} events; limit {limits[-1]:,.0f}/s; worker {d.rate:,.0f}/s, "
                  f"{d.per_cpu_second:,.0f} per CPU-s{vs}; {lat}", flush=True)
    finally:
        if started_broker:
            subprocess.run(["bash", str(ROOT / "deploy/kafka/broker.sh"), "stop"])
    rates = [d.rate for d in ours]
    if theirs:
        for what, field in (("events/s", "rate"), ("events per CPU-second", "per_cpu_second")):
            a, b = [getattr(d, field) for d in theirs], [getattr(d, field) for d in ours]
            ratios = [x / y for x, y in zip(a, b)]
            print(f"with {args.versus} beside {args.formats}, {what}: median {statistics.median(a):,.0f} against "
                  f"{statistics.median(b):,.0f}; per-run ratios {', '.join(f'{x:.3f}' for x in ratios)}; "
                  f"median ratio {statistics.median(ratios):.3f}")
        if "ocsf" in args.versus.split(","):
            ocsf = [d.encode_seconds("ocsf") for d in theirs]
            native = [d.encode_seconds("native") for d in theirs]
            shares = [o / d.cpu_seconds for o, d in zip(ocsf, theirs)]
            print(f"OCSF rendering in the worker: {', '.join(f'{o:.2f}' for o in ocsf)} CPU s per drain "
                  f"(native {', '.join(f'{n:.2f}' for n in native)}); median share of the worker's CPU "
                  f"{statistics.median(shares):.1%}")
    print(f"\nformats {args.formats}; median over {args.runs} runs: limit {statistics.median(limits):,.0f} events/s; one worker {statistics.median(rates):,.0f} events/s; "
          f"ratio {statistics.median(rates) / statistics.median(limits):.2f}")
    for r in live:  # the first load of a run also carries the clock's jump: see --warmup-seconds
        if lats[r]:
            every, after = sorted(lats[r]), sorted(steady[r])
            print(f"alert latency at {'half load' if r == 'half' else r + ' events/s'}: {percentiles(every, ', ')} over "
                  f"{len(every)} alerts; after the first {args.warmup_seconds:g} s of each: {percentiles(after, ', ')} "
                  f"over {len(after)}")


if __name__ == "__main__":
    main()

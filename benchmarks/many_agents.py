"""Many distinct agents through replay under a memory ceiling (issue 17, finding 6).

    python benchmarks/many_agents.py [--agents 1000000 --ceiling 20000 --store disk --limit-mib 1024]

Writes its own input: ``--agents`` distinct agent ids (shadow agents: no manifest, 1 to 3
actions each, each with its own credential and source address), spread over ``--days`` days in
time order, a few hundred arriving per minute, each agent's actions within the hour. Then replays
it in a fresh subprocess with ``engine.max_agents_in_memory = --ceiling`` and evicted agents in
``--store`` (``disk``: SQLite scratch file; ``memory``: compressed records in a dict; ``none``: no
ceiling), under an address-space limit of ``--limit-mib`` (RLIMIT_AS: past it the replay fails
with MemoryError instead of swapping the machine), and prints the replay's peak RSS
(``ru_maxrss`` of the child), actions per second, alerts, and how many agents were evicted and
revived. Every agent raises one ``lifecycle.shadow_agent`` alert; the run checks that count.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

START = 1_767_225_600  # 2026-01-01T00:00:00Z


def write_actions(path: Path, agents: int, days: float, seed: int) -> int:
    """Time-ordered actions of ``agents`` shadow agents; returns how many actions."""
    import random

    rng = random.Random(seed)
    span = days * 86400
    n = 0
    step = span / agents
    pending: list[tuple[float, int, int]] = []  # (time, agent, k) of later actions, a small heap
    import heapq

    with open(path, "wb", buffering=1 << 22) as fh:
        for i in range(agents):
            t = START + i * step
            while pending and pending[0][0] <= t:
                ts, a, k = heapq.heappop(pending)
                fh.write(_line(a, k, ts))
                n += 1
            fh.write(_line(i, 0, t))
            n += 1
            for k in range(1, rng.choice((1, 1, 2, 3))):
                heapq.heappush(pending, (t + rng.uniform(1, 3600), i, k))
        while pending:
            ts, a, k = heapq.heappop(pending)
            fh.write(_line(a, k, ts))
            n += 1
    return n


def _line(agent: int, k: int, ts: float) -> bytes:
    when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}Z"
    return orjson.dumps({
        "event_id": f"e{agent}-{k}", "agent_id": f"ephemeral-{agent:07d}", "time": when, "tool": "crm.lookup",
        "operation": "read", "resource": f"crm:contact/{agent % 5000}", "data_domain": "customer_contact",
        "credential_id": f"key-{agent}", "source_ip": f"10.{agent >> 16 & 255}.{agent >> 8 & 255}.{agent & 255}",
        "bytes": 2048}) + b"\n"


def run_replay(actions: Path, ceiling: int | None, store: str, limit_mib: int) -> dict:
    """Replay in this process (called in the child); returns the figures."""
    if limit_mib:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mib << 20, limit_mib << 20))
    from intentwatch.pipeline.engine.config import EngineConfig
    from intentwatch.pipeline.engine.engine import Engine
    from intentwatch.pipeline.hosts.replay import replay
    from intentwatch.pipeline.io.deadletter import DeadLetterFile

    disk = None
    if store == "disk":
        from intentwatch.pipeline.io.agentstore import SqliteStore

        disk = SqliteStore(actions.with_suffix(".agents.db"))
    engine = Engine(EngineConfig(max_agents_in_memory=ceiling if store != "none" else None), store=disk)
    counts = {"alerts": 0, "shadow": 0}

    def emit(o) -> None:
        counts["alerts"] += 1
        counts["shadow"] += o.rule_id == "lifecycle.shadow_agent" and getattr(o, "status", "") == "open"

    summary = replay(engine, actions, [], emit, DeadLetterFile(None), now=2e9)
    ev = engine.evictor
    result = {"actions": summary.actions, "seconds": round(summary.seconds, 1), "events_per_s": round(summary.actions / summary.seconds),
              "alerts": counts["alerts"], "shadow_alerts": counts["shadow"], "bad": summary.bad,
              "in_memory": len(engine.agents), "evicted": ev.evicted if ev else 0, "revived": ev.revived if ev else 0,
              "stored": len(ev.store) if ev else 0, "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    if disk is not None:
        disk.close()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=1_000_000)
    ap.add_argument("--days", type=float, default=30.0)
    ap.add_argument("--ceiling", type=int, default=20_000)
    ap.add_argument("--store", choices=("disk", "memory", "none"), default="disk")
    ap.add_argument("--limit-mib", type=int, default=1024, help="address-space limit of the replay (0: none)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        sys.stdout.write(orjson.dumps(run_replay(args.child, args.ceiling, args.store, args.limit_mib)).decode() + "\n")
        return
    with tempfile.TemporaryDirectory(prefix="iw-many-") as tmp:
        actions = Path(tmp) / "actions.jsonl"
        t = time.perf_counter()
        n = write_actions(actions, args.agents, args.days, args.seed)
        print(f"input: {args.agents:,} agents, {n:,} actions, {actions.stat().st_size / 2**20:,.0f} MiB "
              f"(written in {time.perf_counter() - t:.0f}s)", flush=True)
        cmd = [sys.executable, __file__, "--child", str(actions), "--ceiling", str(args.ceiling), "--store", args.store,
               "--limit-mib", str(args.limit_mib)]
        r = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ})
        if r.returncode != 0:
            print(f"replay failed ({r.returncode}) under a {args.limit_mib} MiB limit:\n{r.stderr[-2000:]}")
            sys.exit(1)
        res = orjson.loads(r.stdout.strip().splitlines()[-1])
        print(f"replay: ceiling {args.ceiling if args.store != 'none' else 'none'} agents, store {args.store}, "
              f"limit {args.limit_mib} MiB")
        print(f"  peak RSS {res['peak_rss_mib']:,} MiB; {res['events_per_s']:,} actions/s ({res['actions']:,} in {res['seconds']}s)")
        print(f"  alerts {res['alerts']:,} (shadow_agent opened: {res['shadow_alerts']:,}); dead letters {res['bad']}")
        print(f"  agents in memory at the end {res['in_memory']:,}; evicted {res['evicted']:,}, revived {res['revived']:,}, "
              f"in the store {res['stored']:,}")
        if res["shadow_alerts"] != args.agents:
            print(f"MISMATCH: expected one shadow_agent alert per agent ({args.agents:,})")
            sys.exit(1)


if __name__ == "__main__":
    main()

"""Replay throughput against the limit of reading and parsing the same lines.

    python benchmarks/replay.py [--agents 1000 --days 7 --runs 3]

Simulates a fleet once (cached under benchmarks/.data), then, each in a fresh
subprocess so peak memory is its own, runs:
  limit   read every line and orjson.loads it (what no replay can beat)
  replay  the full replay: decode and validate, engine, serialise alerts and commands
and prints the median events/s of each, their ratio, and peak RSS.
Machines are shared and noisy: compare ratios, not absolute figures, across runs.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data"


def fleet(agents: int, days: int, seed: int) -> Path:
    out = DATA / f"fleet-{agents}x{days}-s{seed}"
    if not (out / "labels.jsonl").exists():
        sys.path.insert(0, str(ROOT))
        from pipeline.simulate import simulate_fleet

        print(f"simulating {agents} agents x {days} days into {out} ...", file=sys.stderr)
        simulate_fleet(agents=agents, days=days, seed=seed, out=out)
    return out


def run_limit(path: Path) -> dict:
    import orjson

    started = time.perf_counter()
    n = 0
    with open(path, "rb", buffering=1 << 20) as fh:
        for line in fh:
            orjson.loads(line)
            n += 1
    return {"events": n, "seconds": time.perf_counter() - started}


def run_replay(path: Path, intents: Path, lifecycle: Path, config: str | None) -> dict:
    sys.path.insert(0, str(ROOT))
    from pipeline.deadletter import DeadLetterFile
    from pipeline.engine import Engine
    from pipeline.intents import load_manifests
    from pipeline.replay import manifest_instantiations, read_lifecycle, replay
    from pipeline.settings import load_settings

    engine = Engine(load_settings(config).engine)
    dead = DeadLetterFile(None)
    lc = manifest_instantiations(load_manifests(intents).manifests) + read_lifecycle(lifecycle, dead, 1 << 20)
    sink = open("/dev/null", "wb")
    outputs = 0

    def emit(o) -> None:
        nonlocal outputs
        outputs += 1
        sink.write(o.model_dump_json().encode() + b"\n")

    started = time.perf_counter()
    s = replay(engine, path, lc, emit, dead)
    return {"events": s.actions, "seconds": time.perf_counter() - started, "outputs": outputs, "agents": len(engine.agents)}


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM starts afresh at exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, args: argparse.Namespace) -> None:
    out = Path(args.fleet)
    if mode == "limit":
        r = run_limit(out / "actions.jsonl")
    else:
        r = run_replay(out / "actions.jsonl", out / "intents", out / "lifecycle.jsonl", args.config)
    r["max_rss_mib"] = peak_rss_mib()
    print(json.dumps(r))


def measure(mode: str, args: argparse.Namespace, out: Path) -> list[dict]:
    results = []
    for _ in range(args.runs):
        cmd = [sys.executable, __file__, "--child", mode, "--fleet", str(out)] + (["--config", args.config] if args.config else [])
        results.append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout))
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agents", type=int, default=1000)
    p.add_argument("--days", type=int, default=7)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--config", help="engine config file for the replay runs")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--fleet", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args.child, args)
    out = fleet(args.agents, args.days, args.seed)
    rows = {}
    # Interleave the modes so a noisy neighbour hurts both alike.
    for mode in ("limit", "replay"):
        rows[mode] = measure(mode, args, out)
    events = rows["replay"][0]["events"]
    print(f"fleet: {args.agents} agents x {args.days} days, {events:,} actions ({out})")
    print(f"{'mode':<8} {'events/s (median)':>18} {'runs':>32} {'peak RSS MiB':>13}")
    med = {}
    for mode, rs in rows.items():
        rates = [r["events"] / r["seconds"] for r in rs]
        med[mode] = statistics.median(rates)
        print(f"{mode:<8} {med[mode]:>18,.0f} {' '.join(f'{x:,.0f}' for x in rates):>32} {max(r['max_rss_mib'] for r in rs):>13,.0f}")
    print(f"ratio replay/limit: {med['replay'] / med['limit']:.2f}")


if __name__ == "__main__":
    main()

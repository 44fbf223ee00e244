"""What rendering alerts as OCSF Detection Findings costs, beside the native encoding.

    python benchmarks/ocsf.py [--agents 30 --days 2 --seed 1 --repeats 5]

Simulates a small fleet, replays it once to collect its alerts (open and final forms, every
rule that fires), then encodes the whole set ``--repeats`` times in each format, the formats
interleaved so a noisy neighbour hurts them alike, and prints the median alerts/s of each and
the ratio. Also prints how many alerts per 1,000 actions the fleet raised, so the cost can be
put against a worker's event rate: at R events/s and A alerts per event, OCSF adds
R * A / (OCSF alerts/s) of a core. Targets are printed, not asserted (shared, noisy machines).
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.hosts.replay import manifest_instantiations, read_lifecycle, replay
from intentwatch.pipeline.io.deadletter import DeadLetterFile
from intentwatch.pipeline.io.formats import native
from intentwatch.pipeline.io.formats.ocsf import OcsfFormatter
from intentwatch.pipeline.io.intents import load_manifests
from intentwatch.pipeline.lab.simulate import simulate_fleet


def fleet_alerts(agents: int, days: int, seed: int) -> tuple[list[Alert], int, Engine]:
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)
        simulate_fleet(agents=agents, days=days, seed=seed, out=out)
        engine = Engine()
        dead = DeadLetterFile(out / "dead.jsonl")
        events = manifest_instantiations(load_manifests(out / "intents").manifests)
        events += read_lifecycle(out / "lifecycle.jsonl", dead, engine.config.max_event_bytes)
        alerts: list[Alert] = []
        summary = replay(engine, out / "actions.jsonl", events, lambda o: alerts.append(o) if isinstance(o, Alert) else None, dead)
        dead.close()
    return alerts, summary.actions, engine


def rate(encode, alerts: list[Alert]) -> float:
    started = time.perf_counter()
    for a in alerts:
        encode(a)
    return len(alerts) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--agents", type=int, default=30)
    p.add_argument("--days", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    alerts, actions, engine = fleet_alerts(args.agents, args.days, args.seed)
    if not alerts:
        sys.exit("the fleet raised no alert: try more agents or days")
    ocsf = OcsfFormatter(engine.rules).encode
    ocsf(alerts[0])  # warm caches (endpoint parsing) before timing
    runs: dict[str, list[float]] = {"native": [], "ocsf": []}
    for _ in range(args.repeats):
        runs["native"].append(rate(native, alerts))
        runs["ocsf"].append(rate(ocsf, alerts))
    med = {k: statistics.median(v) for k, v in runs.items()}
    sizes = {"native": sum(len(native(a)) for a in alerts) / len(alerts), "ocsf": sum(len(ocsf(a)) for a in alerts) / len(alerts)}
    per_k = 1000 * len(alerts) / actions
    print(f"fleet: {args.agents} agents, {args.days} days, seed {args.seed}: {actions:,} actions, {len(alerts):,} alerts "
          f"({per_k:.1f} per 1,000 actions), {len({a.rule_id for a in alerts})} rules")
    for k in ("native", "ocsf"):
        print(f"{k:>6}: {med[k]:>10,.0f} alerts/s (median of {args.repeats}), {sizes[k]:,.0f} B per alert")
    print(f"ocsf/native time: {med['native'] / med['ocsf']:.1f}x")
    # What OCSF would add to a worker at 20,000 events/s with this fleet's alert rate.
    share = 20_000 * (per_k / 1000) / med["ocsf"]
    print(f"at 20,000 events/s and {per_k:.1f} alerts per 1,000 events, OCSF takes {100 * share:.2f}% of a core "
          f"(target: <= 5% of the worker's events/s)")


if __name__ == "__main__":
    main()

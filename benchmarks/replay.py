"""Replay throughput with and without the learned side, against the limit of reading and
parsing the same lines; and the memory the learned side keeps per agent.

    python benchmarks/replay.py [--agents 1000 --days 7 --repeats 3 --memory-agents 10000,100000]
                                [--agentic 2000 --off-config deploy/config/compare/without-agentic.yaml]

Simulates a fleet once (cached under benchmarks/.data), then runs each measurement in a
fresh subprocess, so peak memory is its own. Throughput, ``--repeats`` times, the modes
interleaved so a noisy neighbour hurts them alike:
  limit   read every line and orjson.loads it (what no replay can beat)
  full    the full replay, everything on: decode and validate, intent rules and the learned
          side (per-agent baselines), serialise alerts and commands
  intent  the same with the learned side off (``EngineConfig.learned.enabled = False``)
  off     full, with issue 15's detectors off (per-tool clauses, injected targets, the cloud
          catalogue and identity rules, dormancy: ``--off-config``)
and, on the agentic lab (``intentwatch simulate-agentic --instances N``: ephemeral instances
whose actions carry tool-call arguments and results, the traces those detectors read),
  lab     full
  lab-off full with ``--off-config``
It prints the median events/s of each (wall clock) and peak RSS; the ratios full/limit,
intent/limit, full/intent, and the cost of issue 15's detectors (off against full, lab-off
against lab; aim <= 15 %) are in events per CPU second of each child.

How the limit is measured, so the ratios hold still. Wall-clock rates on this shared machine
swing with the neighbours, and the limit the most: a pass takes a few seconds, so one busy
moment (or a page cache still cold from simulating the fleet) moved its median between 187k
and 567k events/s from one run to the next. So every ratio is of CPU time (``process_time``,
user + system, of the measuring child: what the work costs, not how long the machine let it
run), and the limit child reads and parses the file ``--limit-passes`` times (default 5) and
keeps its cheapest pass; the first pass also warms the page cache the replays then read from.
Each mode's rate in the ratios is its best (least disturbed) run over ``--repeats``, the
limit's over its repeats times passes. The limit still means the same: reading the same lines
and ``orjson.loads`` of each, nothing else.

Learned state per agent: ``--memory-sample`` agents of the fleet, picked at random among
those with ``--memory-actions`` actions, get an ``AgentBaseline`` as the engine makes one
(``Behaviour.on_manifest``: ``new_baseline`` seeded from the manifest) and learn their first
``--memory-actions`` real actions (``features``, ``score_one``, ``learn_one``, as
``Behaviour.check`` does). Then, for each ``--memory-agents`` count, that many baselines are
restored round-robin from those agents' persisted state (``orjson`` + ``from_state``, what a
streaming worker does on restart), so each holds its own objects. Prints heap bytes per agent
(tracemalloc: traced memory after building minus before, over the count), the persisted
JSON of ``to_state()`` per agent, and the build time (of an untraced build). Restored agents
share interned names (tools, addresses) with their template, as agents of one fleet share
tool names; the "trained" row, measured while learning, checks that restoring does not
flatter the figure.

Targets are printed, not asserted: issue 15's detectors <= 15 % slower, full/intent >= 0.5, full >= 50,000 events/s, <= 16 KB
heap per agent. Machines are shared and noisy: compare ratios, not absolute figures, across runs.
"""

import argparse
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data"
MODES = {"limit": "read + orjson.loads", "full": "intent rules + learned", "intent": "intent rules only",
         "off": "full, issue 15 rules off", "lab": "agentic lab, full", "lab-off": "agentic lab, 15 off"}
OFF_CONFIG = ROOT / "deploy" / "config" / "compare" / "without-agentic.yaml"
TARGET_RATIO, TARGET_RATE, TARGET_BYTES, TARGET_COST = 0.5, 50_000, 16_000, 0.15


def fleet(agents: int, days: int, seed: int) -> Path:
    out = DATA / f"fleet-{agents}x{days}-s{seed}"
    if not (out / "labels.jsonl").exists():
        sys.path.insert(0, str(ROOT))
        from intentwatch.pipeline.lab.simulate import simulate_fleet

        print(f"simulating {agents} agents x {days} days into {out} ...", file=sys.stderr)
        simulate_fleet(agents=agents, days=days, seed=seed, out=out)
    return out


def agentic_lab(instances: int, seed: int) -> Path:
    out = DATA / f"agentic-{instances}-s{seed}"
    if not (out / "labels.jsonl").exists():
        sys.path.insert(0, str(ROOT))
        from intentwatch.pipeline.lab.simulate.agentic import simulate_agentic

        print(f"simulating the agentic lab, {instances} instances, into {out} ...", file=sys.stderr)
        simulate_agentic(instances, 20, seed, out)
    return out


def engine_config(config: str | None, learned: bool):
    """The engine part of the settings, with the learned side switched on or off."""
    from intentwatch.pipeline.settings import load_settings

    c = load_settings(config).engine
    return c.model_copy(update={"learned": c.learned.model_copy(update={"enabled": learned})})


# -- throughput ----------------------------------------------------------------------------
def run_limit(path: Path, passes: int) -> dict:
    """Read and parse every line ``passes`` times: the fastest pass (wall) and the cheapest (CPU)."""
    import orjson

    walls, cpus, n = [], [], 0
    for _ in range(max(1, passes)):
        started, cpu = time.perf_counter(), time.process_time()
        n = 0
        with open(path, "rb", buffering=1 << 20) as fh:
            for line in fh:
                orjson.loads(line)
                n += 1
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return {"events": n, "seconds": min(walls), "cpu": min(cpus), "cpu_passes": cpus}


def run_replay(path: Path, intents: Path, lifecycle: Path, config: str | None, learned: bool) -> dict:
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.engine.engine import Engine
    from intentwatch.pipeline.io.intents import load_manifests
    from intentwatch.pipeline.hosts.replay import manifest_instantiations, read_lifecycle, replay

    engine = Engine(engine_config(config, learned))
    dead = DeadLetterFile(None)
    lc = manifest_instantiations(load_manifests(intents).manifests) + read_lifecycle(lifecycle, dead, 1 << 20)
    sink = open("/dev/null", "wb")
    outputs = 0

    def emit(o) -> None:
        nonlocal outputs
        outputs += 1
        sink.write(o.model_dump_json().encode() + b"\n")

    started, cpu = time.perf_counter(), time.process_time()
    s = replay(engine, path, lc, emit, dead)
    return {"events": s.actions, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
            "outputs": outputs, "agents": len(engine.agents)}


# -- learned state per agent ---------------------------------------------------------------
def agent_of(line: bytes) -> bytes:
    i = line.find(b'"agent_id":"') + 12
    return line[i:line.index(b'"', i)]


def sample_lines(fleet_dir: Path, manifests: dict, agents: int, per_agent: int, seed: int) -> dict[str, list[bytes]]:
    """The first ``per_agent`` action lines of up to ``agents`` random registered agents that have that many."""
    picked = sorted(manifests)
    random.Random(seed).shuffle(picked)
    lines: dict[bytes, list[bytes]] = {a.encode(): [] for a in picked[:agents * 2]}  # spares for quiet agents
    with open(fleet_dir / "actions.jsonl", "rb", buffering=1 << 20) as fh:
        for line in fh:
            got = lines.get(agent_of(line))
            if got is not None and len(got) < per_agent:
                got.append(line)
    full = [a.decode() for a, ls in lines.items() if len(ls) == per_agent][:agents]
    return {a: lines[a.encode()] for a in full}


def train(behaviour, manifests: dict, traffic: dict[str, list]) -> list:
    """One baseline per agent, as the engine builds and teaches it."""
    from intentwatch.models.baseline import features
    from intentwatch.pipeline.engine.state import AgentState

    out = []
    for agent_id, xs in traffic.items():
        st = AgentState(agent_id)
        behaviour.on_manifest(st, manifests[agent_id], relearn=True)
        b = st.baseline
        for x in xs:
            b.score_one(x)
            b.learn_one(x)
        out.append(b)
    return out


def traced(build):
    """(result of ``build()``, heap bytes it kept)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return kept, grown


def measure(build, what: str) -> tuple[list, dict]:
    """Build twice: once timed, once traced (tracing slows allocation several times over)."""
    started = time.perf_counter()
    kept = build()
    seconds = time.perf_counter() - started
    del kept
    kept, heap = traced(build)
    return kept, {"agents": len(kept), "how": what, "heap": heap, "json": persisted_bytes(kept), "seconds": seconds}


def persisted_bytes(baselines: list) -> int:
    import orjson

    return sum(len(orjson.dumps(b.to_state())) for b in baselines)


def run_memory(fleet_dir: Path, config: str | None, n: int, sample: int, per_agent: int, seed: int) -> dict:
    """Rows of the memory table: the sampled agents trained, then ``n`` restored from them (if ``n``)."""
    import orjson

    from intentwatch.models.baseline import AgentBaseline, features
    from intentwatch.pipeline.io.codec import decode_action
    from intentwatch.pipeline.engine.engine import Engine
    from intentwatch.pipeline.io.intents import load_manifests

    behaviour = Engine(engine_config(config, True)).behaviour
    manifests = {m.agent_id: m for m, _ in load_manifests(fleet_dir / "intents").manifests}
    lines = sample_lines(fleet_dir, manifests, sample, per_agent, seed)
    traffic = {a: [features(decode_action(ln.rstrip(b"\r\n"), "", 1 << 20)) for ln in ls] for a, ls in lines.items()}
    del lines
    templates, row = measure(lambda: train(behaviour, manifests, traffic), "trained")
    rows = [row]
    if n:
        states = [orjson.dumps(b.to_state()) for b in templates]
        del templates, traffic
        rows.append(measure(lambda: [AgentBaseline.from_state(orjson.loads(states[i % len(states)])) for i in range(n)],
                            "restored")[1])
    return {"rows": rows}


# -- processes and report ------------------------------------------------------------------
def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM starts afresh at exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def available_mib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def child(mode: str, args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    out = Path(args.fleet)
    if mode == "limit":
        r = run_limit(out / "actions.jsonl", args.limit_passes)
    elif mode == "memory":
        r = run_memory(out, args.config, args.n, args.memory_sample, args.memory_actions, args.seed)
    else:
        if mode.startswith("lab"):
            out = Path(args.lab)
        config = args.off_config if mode in ("off", "lab-off") else args.config
        r = run_replay(out / "actions.jsonl", out / "intents", out / "lifecycle.jsonl", config, mode != "intent")
    r.setdefault("max_rss_mib", peak_rss_mib())
    print(json.dumps(r))


def spawn(mode: str, args: argparse.Namespace, out: Path, *extra: str) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--fleet", str(out), "--lab", str(args.lab or ""),
           "--off-config", str(args.off_config), "--seed", str(args.seed), "--limit-passes", str(args.limit_passes),
           "--memory-sample", str(args.memory_sample), "--memory-actions", str(args.memory_actions), *extra]
    if args.config:
        cmd += ["--config", args.config]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def throughput(args: argparse.Namespace, out: Path) -> None:
    modes = [m for m in MODES if args.lab or not m.startswith("lab")]
    rows: dict[str, list[dict]] = {m: [] for m in modes}
    for _ in range(args.repeats):  # interleaved: a noisy neighbour hurts every mode alike
        for mode in modes:
            rows[mode].append(spawn(mode, args, out))
    events = rows["full"][0]["events"]
    print(f"fleet: {args.agents} agents x {args.days} days, {events:,} actions ({out}); {args.repeats} repeats")
    if args.lab:
        print(f"agentic lab: {args.agentic} instances, {rows['lab'][0]['events']:,} actions ({args.lab})")
    print(f"{'mode':<8} {'':<24} {'events/s (median)':>18} {'runs':>26} {'peak RSS MiB':>13}")
    med = {}
    for mode, rs in rows.items():
        rates = [r["events"] / r["seconds"] for r in rs]
        med[mode] = statistics.median(rates)
        print(f"{mode:<8} {MODES[mode]:<24} {med[mode]:>18,.0f} {' '.join(f'{x:,.0f}' for x in rates):>26} "
              f"{max(r['max_rss_mib'] for r in rs):>13,.0f}")
    # Ratios in CPU time, each mode's least disturbed run (see the docstring: the limit's noise)
    best = {m: max(r["events"] / r["cpu"] for r in rs) for m, rs in rows.items()}
    limit_cpu = sorted(r["events"] / c for r in rows["limit"] for c in r["cpu_passes"])
    print(f"events per CPU second (best run): " + "   ".join(f"{m} {v:,.0f}" for m, v in best.items()))
    print(f"limit per CPU second over {len(limit_cpu)} passes: min {limit_cpu[0]:,.0f}, "
          f"median {statistics.median(limit_cpu):,.0f}, max {limit_cpu[-1]:,.0f}")
    ratio = best["full"] / best["intent"]
    print(f"ratio full/limit: {best['full'] / best['limit']:.3f} (aim >= 0.12)   "
          f"intent/limit: {best['intent'] / best['limit']:.3f} (aim >= 0.25)   (CPU time)")
    print(f"ratio full/intent (learned on / off): {ratio:.2f}   target >= {TARGET_RATIO}: {verdict(ratio >= TARGET_RATIO)}")
    print(f"wall clock, medians: full/limit {med['full'] / med['limit']:.3f}, intent/limit {med['intent'] / med['limit']:.3f}, "
          f"full/intent {med['full'] / med['intent']:.2f}")
    print(f"full events/s: {med['full']:,.0f}   target >= {TARGET_RATE:,}: {verdict(med['full'] >= TARGET_RATE)}")
    for on, off, what in (("full", "off", "fleet"), ("lab", "lab-off", "agentic lab")):
        if on in med:  # CPU time: the pair's ratio is what a busy neighbour disturbs least
            cpu = {m: statistics.median(r["events"] / r["cpu"] for r in rows[m]) for m in (on, off)}
            cost = cpu[off] / cpu[on] - 1  # extra CPU time per event with the detectors on
            print(f"issue 15 detectors on the {what}: {on}/{off} events per CPU second {cpu[on]:,.0f}/{cpu[off]:,.0f}, "
                  f"{cost:.1%} slower   target <= {TARGET_COST:.0%}: {verdict(cost <= TARGET_COST)}")


def memory(args: argparse.Namespace, out: Path) -> None:
    print(f"\nlearned state per agent: AgentBaseline as the engine builds it, {args.memory_actions} real actions learned "
          f"by each of up to {args.memory_sample} sampled agents; counts below restored from their persisted state")
    print(f"{'agents':>16} {'KiB/agent heap':>15} {'KiB/agent JSON':>15} {'build s':>8}")
    rss_per_agent, notes, worst = 0.0, [], 0.0
    for i, n in enumerate(args.memory_agents):
        if rss_per_agent and n * rss_per_agent > 0.8 * available_mib():  # keep clear of the OOM killer
            fit = int(0.8 * available_mib() / rss_per_agent)
            notes.append(f"{n:,} agents would need ~{n * rss_per_agent:,.0f} MiB (traced) of "
                         f"{available_mib():,.0f} MiB available: measured {fit:,} instead")
            n = fit
        r = spawn("memory", args, out, "--n", str(n))
        for row in r["rows"][0 if i == 0 else 1:]:
            label = f"{row['agents']:,} {row['how']}"
            heap = row["heap"] / row["agents"]
            worst = max(worst, heap)
            print(f"{label:>16} {heap / 1024:>15.2f} {row['json'] / row['agents'] / 1024:>15.2f} {row['seconds']:>8.1f}")
        rss_per_agent = max(rss_per_agent, r["max_rss_mib"] / max(n, 1))
    for note in notes:
        print(f"note: {note}")
    print(f"heap per agent: at most {worst / 1024:.2f} KiB ({worst:,.0f} B)   "
          f"target <= {TARGET_BYTES / 1000:.0f} KB ({TARGET_BYTES:,} B): {verdict(worst <= TARGET_BYTES)}")


def counts(s: str) -> list[int]:
    return [int(x.replace("_", "")) for x in s.split(",") if x.strip() and int(x.replace("_", ""))]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agents", type=int, default=1000, help="fleet size (default 1000)")
    p.add_argument("--days", type=int, default=7, help="fleet days (default 7)")
    p.add_argument("--seed", type=int, default=7, help="fleet and sampling seed (default 7)")
    p.add_argument("--repeats", "--runs", type=int, default=3, help="runs per throughput mode, 0 to skip (default 3)")
    p.add_argument("--config", help="engine config file for the replay and memory runs")
    p.add_argument("--off-config", default=str(OFF_CONFIG),
                   help="config of the 'off' and 'lab-off' modes (default: issue 15's rules off)")
    p.add_argument("--agentic", type=int, default=2000, help="agentic lab instances, 0 to skip the lab modes (default 2000)")
    p.add_argument("--memory-agents", type=counts, default=[10_000, 100_000],
                   help="agent counts for the memory table, comma-separated, '' to skip (default 10000,100000)")
    p.add_argument("--memory-sample", type=int, default=200, help="fleet agents whose traffic trains the baselines (default 200)")
    p.add_argument("--memory-actions", type=int, default=300, help="actions each of them learns (default 300)")
    p.add_argument("--limit-passes", type=int, default=5,
                   help="passes of the limit per repeat; its cheapest counts (default 5)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--fleet", help=argparse.SUPPRESS)
    p.add_argument("--lab", help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args.child, args)
    out = fleet(args.agents, args.days, args.seed)
    args.lab = str(agentic_lab(args.agentic, args.seed)) if args.agentic and args.repeats else ""
    started = time.perf_counter()
    if args.repeats:
        throughput(args, out)
    if args.memory_agents:
        memory(args, out)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

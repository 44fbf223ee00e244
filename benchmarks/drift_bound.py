"""How fast could any detector find a tool-mix drift at the false-alert budget? An oracle
bound, beside the engine's measured delays on the same fleet.

    python benchmarks/drift_bound.py --fleet learned-out --alerts learned-out/alerts-both.jsonl

The oracle is a CUSUM that knows, for each drifting agent, its tool mix before the drift
(``p0``: its pre-onset actions, each tool +0.5) and the simulator's drift exactly (``p1``:
a share of actions spread evenly over the drift tools, the rest drawn from ``p0``). It gets
the whole false-alert budget (``--budget`` per 10,000 normal agent-hours), so it may run
``ARL = 10,000 h / budget x the fleet's normal actions per agent-hour`` actions between false
alarms; a CUSUM with threshold ``h = log2(ARL)`` bits keeps at least that, and needs about
``h / KL(p1 || p0)`` actions to detect (Lorden's approximation; it leaves out the overshoot,
which flatters the oracle). Sudden drift has one ``p1``. Gradual drift's share grows as the
simulator grows it (``max_share * frac ** 0.8`` over the rest of the run), so its bound is the
first action at which the summed KL passes ``h``, counted after the first drifted action as
``intentwatch evaluate`` counts delays. Boiling frog is not bounded here: an oracle for it
would have to know which never-seen resources are the attacker's.

Prints, per kind, the oracle's median delay in actions, the engine's (from ``--alerts``, as
``intentwatch evaluate`` scores them) and their ratio.
"""

import argparse
import math
import statistics
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("sudden_drift", "gradual_drift")
TAIL = 3000  # pre-drift actions kept, so the GLR's windows may straddle the drift's start


def epoch_ms(iso: str) -> float:
    """An ISO 8601 time as epoch milliseconds."""
    return datetime.fromisoformat(iso).timestamp() * 1000


def kl_bits(p1: dict[str, float], p0: dict[str, float]) -> float:
    """KL(p1 || p0) in bits.

    >>> round(kl_bits({"a": 0.5, "b": 0.5}, {"a": 0.9, "b": 0.1}), 3)
    0.737
    """
    return sum(q * math.log2(q / p0[t]) for t, q in p1.items() if q > 0.0)


def mix(p0: dict[str, float], tools: list[str], share: float) -> dict[str, float]:
    """The simulator's drift: ``share`` of actions spread evenly over ``tools``, the rest as ``p0``."""
    return {t: (1 - share) * q + (share / len(tools) if t in tools else 0.0) for t, q in p0.items()}


def before(pre: Counter, tools: list[str]) -> dict[str, float]:
    """The pre-onset mix, every tool seen or drifted to given +0.5."""
    names = set(pre) | set(tools)
    n = sum(pre.values()) + 0.5 * len(names)
    return {t: (pre[t] + 0.5) / n for t in names}


def _after_onset(lab: dict, i: float) -> float:
    """Delay of a detection on the ``i``-th action (from 0) since the drift's start, counted as
    ``intentwatch evaluate`` counts it: actions after the first drifted one."""
    return max(0.0, i - (lab["onset_seq"] - sum(lab["pre_tools"].values())))


def sudden_bound(lab: dict, h: float) -> float:
    d = lab["detail"]
    p0 = before(lab["pre_tools"], d["drift_tools"])
    return _after_onset(lab, h / kl_bits(mix(p0, d["drift_tools"], d["share"]), p0) - 1)


def gradual_bound(lab: dict, h: float) -> float:
    """Actions after the first drifted one until the expected CUSUM sum passes ``h``."""
    d = lab["detail"]
    p0 = before(lab["pre_tools"], d["drift_tools"])
    start, end = epoch_ms(d["start"]), epoch_ms(lab["end"])
    total = 0.0
    for i, t in enumerate(lab["times"]):  # actions from the drift's start, in order
        frac = min(1.0, max(0.0, (t - start) / max(1.0, end - start)))
        total += kl_bits(mix(p0, d["drift_tools"], d["max_share"] * frac ** 0.8), p0)
        if total >= h:
            return _after_onset(lab, i)
    return math.inf


def drift_mixes(lab: dict, p0: dict[str, float]) -> list[dict[str, float]]:
    """The drift's mix at each action from its start, as the simulator draws it."""
    d = lab["detail"]
    if lab["kind"] == "sudden_drift":
        return [mix(p0, d["drift_tools"], d["share"])] * len(lab["post"])
    start, end = epoch_ms(d["start"]), epoch_ms(lab["end"])
    return [mix(p0, d["drift_tools"], d["max_share"] * min(1.0, max(0.0, (t - start) / max(1.0, end - start))) ** 0.8)
            for t in lab["times"]]


def learned(seq, k: int, n: int):
    """A reference mix learned from the first ``n`` of ``seq`` over ``k`` tools, each +0.5."""
    import numpy as np

    return (np.bincount(seq[:n], minlength=k) + 0.5) / (min(n, len(seq)) + 0.5 * k)


def normal_segments(fleet: Path, labels: list[dict], learn: int = 0) -> list[tuple]:
    """Each normal agent's tools in order as ``(seq, p0)`` for ``drift_glr.calibrate``, cut at
    its approved updates (the engine learns anew after one), ``p0`` the segment's own mix; with
    ``learn``, ``p0`` learned from its first ``learn`` actions and ``seq`` the rest."""
    import numpy as np

    normal = {lab["agent_id"] for lab in labels if lab["group"] == "normal"}
    cuts: dict[str, list[float]] = defaultdict(list)
    for line in (fleet / "lifecycle.jsonl").read_bytes().splitlines():
        e = orjson.loads(line)
        if e["kind"] == "update" and e["agent_id"] in normal:
            cuts[e["agent_id"]].append(epoch_ms(e["time"]))
    segs: dict[tuple[str, int], list[str]] = defaultdict(list)
    with open(fleet / "actions.jsonl", "rb", buffering=1 << 20) as fh:
        for line in fh:
            a = orjson.loads(line)
            if a["agent_id"] in normal:
                t = epoch_ms(a["time"])
                segs[a["agent_id"], sum(t >= c for c in cuts.get(a["agent_id"], ()))].append(a["tool"])
    out = []
    for tools in segs.values():
        names = sorted(set(tools))
        index = {t: i for i, t in enumerate(names)}
        seq = np.array([index[t] for t in tools], np.int64)
        if not learn:
            out.append((seq, np.bincount(seq, minlength=len(names)) / len(seq)))
        elif len(seq) > learn:
            out.append((seq[learn:], learned(seq, len(names), learn)))
    return out


def run_bounds(lab: dict, h: float, hg: float, learn: int = 0) -> tuple[float, float]:
    """On the agent's actual actions: the oracle CUSUM run (threshold ``h``), and the GLR told
    only ``p0`` (``drift_glr.py``, threshold ``hg``), each as a delay after the first drifted action;
    with ``learn``, the GLR's ``p0`` is learned from the agent's first ``learn`` actions instead."""
    import numpy as np

    from benchmarks.drift_glr import cusum_run, first_at, glr, lags

    p0 = before(lab["pre_tools"], sorted(set(lab["detail"]["drift_tools"]) | set(lab["post"])))
    oracle = cusum_run(lab["post"], p0, drift_mixes(lab, p0), h)
    names = sorted(p0)
    index = {t: i for i, t in enumerate(names)}
    seq = np.array([index[t] for t in lab["tail"] + lab["post"]], np.int64)
    q0 = np.array([p0[t] for t in names])
    if learn:
        q0 = learned(np.array([index[t] for t in lab["head"]], np.int64), len(names), learn)
    at = first_at(glr(seq, q0, lags()), hg, len(lab["tail"]))
    return _after_onset(lab, oracle), _after_onset(lab, at - len(lab["tail"]))


def read_labels(fleet: Path) -> list[dict]:
    return [orjson.loads(line) for line in (fleet / "labels.jsonl").read_bytes().splitlines()]


def read_fleet(fleet: Path, labels: list[dict]) -> tuple[dict[str, dict], float]:
    """Drifting agents' labels, each given its pre-drift tool counts (``pre_tools``) and the times
    of its actions from the drift's start (``times``); and normal actions per agent-hour."""
    by_id = {lab["agent_id"]: lab for lab in labels}
    drifting = {a: lab for a, lab in by_id.items() if lab["kind"] in KINDS}
    starts = {a: epoch_ms(lab["detail"]["start"]) for a, lab in drifting.items()}
    pre: dict[str, Counter] = defaultdict(Counter)
    times: dict[str, list[float]] = defaultdict(list)
    tail: dict[str, list[str]] = defaultdict(list)  # tools before the drift's start
    post: dict[str, list[str]] = defaultdict(list)
    normal_actions = 0
    with open(fleet / "actions.jsonl", "rb", buffering=1 << 20) as fh:
        for line in fh:
            a = orjson.loads(line)
            aid = a["agent_id"]
            lab = by_id.get(aid)
            if lab is None:
                continue
            if lab["group"] == "normal":
                normal_actions += 1
            elif aid in drifting:
                t = epoch_ms(a["time"])
                if t < starts[aid]:
                    pre[aid][a["tool"]] += 1
                    tail[aid].append(a["tool"])
                else:
                    times[aid].append(t)
                    post[aid].append(a["tool"])
    hours = sum((epoch_ms(lab["end"]) - epoch_ms(lab["start"])) / 3_600_000 for lab in labels if lab["group"] == "normal")
    for aid, lab in drifting.items():
        lab["pre_tools"], lab["times"] = pre[aid], times[aid]
        lab["head"], lab["tail"], lab["post"] = tail[aid][:TAIL], tail[aid][-TAIL:], post[aid]
    return drifting, normal_actions / hours


def engine_delays(alerts: Path, labels: list[dict]) -> dict[str, float | None]:
    """Median delay in actions per kind, as ``intentwatch evaluate`` scores ``alerts``."""
    sys.path.insert(0, str(ROOT))
    from intentwatch.pipeline.lab.evaluate import evaluate

    report = evaluate(map(orjson.loads, alerts.read_bytes().splitlines()), labels)
    return {r.kind: statistics.median(r.delay_actions) if r.delay_actions else None for r in report.kinds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fleet", type=Path, default=ROOT / "learned-out", help="output of intentwatch simulate")
    ap.add_argument("--alerts", type=Path, help="the engine's alerts on that fleet (replay or worker)")
    ap.add_argument("--budget", type=float, default=1.0, help="false alerts per 10,000 normal agent-hours")
    ap.add_argument("--glr", action="store_true",
                    help="also run the oracle CUSUM and a GLR told only the pre-drift mix on the actual actions "
                         "(drift_glr.py; about a minute)")
    ap.add_argument("--learned-ref", type=int, default=0, metavar="N",
                    help="with --glr: the GLR's p0 learned from each agent's first N actions, not told")
    args = ap.parse_args()
    labels = read_labels(args.fleet)
    drifting, rate = read_fleet(args.fleet, labels)
    arl = 10_000 / args.budget * rate
    h = math.log2(arl)
    print(f"normal agents: {rate:.2f} actions per agent-hour; ARL {arl:,.0f} actions; h = {h:.1f} bits")
    ours = engine_delays(args.alerts, labels) if args.alerts else {}
    print(f"{'kind':<15} {'agents':>6} {'oracle':>7} {'engine':>7} {'engine/oracle':>14}   oracle per agent")
    for kind in KINDS:
        labs = [lab for lab in drifting.values() if lab["kind"] == kind]
        if not labs:
            continue
        bounds = [sudden_bound(lab, h) if kind == "sudden_drift" else gradual_bound(lab, h) for lab in labs]
        oracle = statistics.median(bounds)
        mine = ours.get(kind)
        ratio = f"{mine / oracle:.2f}" if mine is not None and oracle > 0 else "-"
        print(f"{kind:<15} {len(labs):>6} {oracle:>7.1f} {'-' if mine is None else f'{mine:.1f}':>7} {ratio:>14}   "
              + " ".join(f"{b:.0f}" for b in sorted(bounds)))
    if args.glr:
        from benchmarks.drift_glr import calibrate, lags

        hours = sum((epoch_ms(lab["end"]) - epoch_ms(lab["start"])) / 3_600_000 for lab in labels if lab["group"] == "normal")
        allowed = hours / 10_000 * args.budget
        hg = calibrate(normal_segments(args.fleet, labels, args.learned_ref), allowed, lags())
        print(f"on the actual actions (GLR threshold {hg:.1f} bits: {allowed:.1f} alarm episodes on the normal agents):")
        print(f"{'kind':<15} {'oracle run':>10} {'GLR p0':>7} {'engine/GLR':>11}   GLR per agent")
        for kind in KINDS:
            runs = [run_bounds(lab, h, hg, args.learned_ref) for lab in drifting.values()
                    if lab["kind"] == kind and len(lab["head"]) >= args.learned_ref]
            if not runs:
                continue
            cus, gl = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            mine = ours.get(kind)
            ratio = f"{mine / gl:.2f}" if mine is not None and 0 < gl < math.inf else "-"
            print(f"{kind:<15} {cus:>10.1f} {gl:>7.1f} {ratio:>11}   " + " ".join(f"{r[1]:.0f}" for r in sorted(runs, key=lambda r: r[1])))

if __name__ == "__main__":
    main()

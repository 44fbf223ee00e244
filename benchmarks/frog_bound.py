"""Can any detector of widening by exact resources tell a boiling frog from normal agents,
and how soon after its onset? A bound that is given the onset, beside the false-alert budget.

    python benchmarks/frog_bound.py --fleet learned-out

Per agent, the reference is the resources of its warm-up (its first ``--warm-hours`` and
``--warm-events`` actions, the engine's defaults). After it, each tool's uses are a 0/1
sequence: 1 when the resource is outside the reference, each (session, tool, resource)
counted once. The statistic is the Bernoulli log-likelihood ratio (bits) that the share of
1s in a tool's uses within ``W`` actions of the agent from a split is higher than before it, the share before it estimated
(+0.5), maximised over the share after it.

- A boiling frog is given its true onset as the split (the oracle's advantage), its best tool.
- A normal agent gets the maximum over its tools and over splits at every 20th use: what a
  detector that does not know the onset faces (a coarse scan, which flatters the frogs).

The false-alert budget (``--budget`` per 10,000 normal agent-hours) allows that many normal
agents over the threshold; the threshold is the next normal agent's value. Prints, for each
``W``, how many frogs pass it: a bound on the recall, ``W`` actions after the onset, of a detector
on this share (the engine's ``ReachShift`` is a CUSUM on it) at that false-alert rate.
"""

import argparse
import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: benchmarks/ is then not importable by itself
from benchmarks.drift_bound import epoch_ms, read_labels  # noqa: E402
NORMAL = ("normal", "noisy_normal", "normal_update")


def glr_bits(k0: float, n0: float, k1: float, n1: float) -> float:
    """Bits for "``k1`` of ``n1`` is a higher share than ``k0`` of ``n0``" (0 when it is not).

    >>> glr_bits(0, 100, 0, 10), round(glr_bits(1, 100, 5, 10), 1)
    (0.0, 20.5)
    """
    if n1 <= 0:
        return 0.0
    p0, p1 = (k0 + 0.5) / (n0 + 1), k1 / n1
    if p1 <= p0:
        return 0.0
    out = k1 * math.log2(p1 / p0)
    if k1 < n1:
        out += (n1 - k1) * math.log2((1 - p1) / (1 - p0))
    return out


def uses(fleet: Path, warm_hours: float, warm_events: int) -> tuple[dict[str, dict[str, list]], float]:
    """Per agent and tool, its counted uses after warm-up as (action number, outside); and the
    normal agents' hours."""
    labels = {lab["agent_id"]: lab for lab in read_labels(fleet)}
    ref: dict[str, set] = defaultdict(set)
    counted: dict[str, set] = defaultdict(set)
    first: dict[str, float] = {}
    seq: dict[str, int] = defaultdict(int)
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    with open(fleet / "actions.jsonl", "rb", buffering=1 << 20) as fh:
        for line in fh:
            a = orjson.loads(line)
            aid, res = a["agent_id"], a.get("resource")
            seq[aid] += 1
            t = epoch_ms(a["time"])
            t0 = first.setdefault(aid, t)
            if res is None or aid not in labels:
                continue
            if t - t0 < warm_hours * 3_600_000 or seq[aid] <= warm_events:
                ref[aid].add(res)
                continue
            key = (a.get("session_id"), a["tool"], res)
            if key not in counted[aid]:
                counted[aid].add(key)
                out[aid][a["tool"]].append((seq[aid], res not in ref[aid]))
    hours = sum((epoch_ms(lab["end"]) - epoch_ms(lab["start"])) / 3_600_000 for lab in labels.values() if lab["kind"] in NORMAL)
    return out, hours


def best(tools: dict[str, list], w: int, onset: int | None) -> float:
    """The statistic over a tool's uses in the ``w`` actions from a split: the agent's action
    ``onset`` when given, else each 20th use of the tool (the maximum); the best tool."""
    top = 0.0
    for s in tools.values():
        q = np.array([n for n, _ in s])
        c = np.concatenate([[0.0], np.cumsum([o for _, o in s], dtype=float)])
        for i in [int(np.searchsorted(q, onset))] if onset is not None else range(20, len(s), 20):
            start = onset if onset is not None else int(q[i])
            j = int(np.searchsorted(q, start + w))  # uses before action start + w
            top = max(top, glr_bits(c[i], i, c[j] - c[i], j - i))
    return top


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fleet", type=Path, default=ROOT / "learned-out", help="output of intentwatch simulate")
    ap.add_argument("--budget", type=float, default=1.0, help="false alerts per 10,000 normal agent-hours")
    ap.add_argument("--warm-hours", type=float, default=24.0)
    ap.add_argument("--warm-events", type=int, default=200)
    args = ap.parse_args()
    labels = read_labels(args.fleet)
    per_agent, hours = uses(args.fleet, args.warm_hours, args.warm_events)
    frogs = [lab for lab in labels if lab["kind"] == "boiling_frog"]
    normal = [lab["agent_id"] for lab in labels if lab["kind"] in NORMAL]
    allowed = int(args.budget * hours / 10_000)
    print(f"{len(frogs)} boiling frogs, {len(normal)} normal agents ({hours:,.0f} h): the budget allows {allowed} over")
    print(f"{'actions after onset':>19} {'threshold (bits)':>17} {'frogs over':>11}   frogs' bits")
    for w in (10, 100, 1000, 10_000):
        scan = sorted((best(per_agent.get(a, {}), w, None) for a in normal), reverse=True)
        h = scan[allowed] if allowed < len(scan) else 0.0
        got = sorted(best(per_agent.get(lab["agent_id"], {}), w, lab["onset_seq"]) for lab in frogs)
        print(f"{w:>19,} {h:>17.1f} {sum(g > h for g in got):>7} / {len(got)}   " + " ".join(f"{g:.0f}" for g in got))


if __name__ == "__main__":
    main()

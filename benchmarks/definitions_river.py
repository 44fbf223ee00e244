"""river's HalfSpaceTrees per agent definition against the counting model of ``definition.new_target``,
on the agentic lab: which separates hijacked instances from benign ones, at what cost.

    intentwatch simulate-agentic --instances 2000 --seed 2 --out agentic-out
    intentwatch replay agentic-out/actions.jsonl --intents agentic-out/intents --lifecycle agentic-out/lifecycle.jsonl \\
        --alerts agentic-out/alerts.jsonl --commands /dev/null --quiet
    python benchmarks/definitions_river.py --lab agentic-out --alerts agentic-out/alerts.jsonl

HalfSpaceTrees (one per definition) sees every action of an instance as features in [0, 1]:
its tool and operation, and the target keys of its arguments (``definitions.target_key``:
mail domain, URL host, payee bank, host, /24) hashed into ``--buckets`` slots each (HST
splits only on features it saw first, so one-hot names it never met would be ignored). It
learns an instance's actions when the instance ends, **only if its label is benign**: an
oracle's hygiene, which the counting model does not get (it learns only from instances that
raised no high alert). An instance's score is its highest score over its state-changing
actions once its definition learned ``--min-instances`` instances; the threshold is set so at
most ``--budget`` of the benign instances pass it. The counting model's figures come from the
replay's alerts: an instance is flagged when ``definition.new_target`` raised a high alert on it.
"""

import argparse
import hashlib
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from intentwatch.pipeline.engine.definition_model import target_key  # noqa: E402
from intentwatch.pipeline.engine.detectors.injection_text import argument_targets  # noqa: E402

ATTACKS = ("injection_hijack", "injection_declarative")
BENIGN = ("normal_instance", "exploratory_reads")
READS = ("read", "list")


def bucket(text: str, n: int) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big") % n


def featurise(a: dict, buckets: int) -> dict[str, float]:
    x = {f"t{i}": 0.0 for i in range(buckets)} | {f"v{i}": 0.0 for i in range(buckets)} | {f"o{i}": 0.0 for i in range(4)}
    x[f"t{bucket(a['tool'], buckets)}"] = 1.0
    x[f"o{bucket(a['operation'], 4)}"] = 1.0
    args = (a.get("attributes") or {}).get("arguments")
    if a["operation"] not in READS and isinstance(args, dict):
        for name, t in argument_targets(args):
            key = target_key(t)
            if key is not None:
                x[f"v{bucket(a['tool'] + '|' + name + '|' + key, buckets)}"] = 1.0
    return x


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lab", type=Path, required=True)
    ap.add_argument("--alerts", type=Path, required=True, help="the replay's alerts, for the counting model")
    ap.add_argument("--buckets", type=int, default=16)
    ap.add_argument("--trees", type=int, default=10)
    ap.add_argument("--height", type=int, default=8)
    ap.add_argument("--window", type=int, default=250)
    ap.add_argument("--min-instances", type=int, default=20)
    ap.add_argument("--budget", type=float, default=0.02)
    o = ap.parse_args()
    from river.anomaly import HalfSpaceTrees

    labels = {}
    for line in open(o.lab / "labels.jsonl", "rb"):
        lab = orjson.loads(line)
        if lab["kind"] in ATTACKS + BENIGN:
            labels[lab["agent_id"]] = lab
    models: dict[str, HalfSpaceTrees] = {}
    learned: dict[str, int] = defaultdict(int)
    pending: dict[str, list[dict]] = defaultdict(list)  # agent -> features of its actions, until it ends
    last_ts: dict[str, str] = {}
    score: dict[str, float] = defaultdict(float)
    n_score = n_learn = 0
    t_score = t_learn = 0.0

    def finish(agent: str) -> None:
        nonlocal n_learn, t_learn
        lab = labels[agent]
        xs = pending.pop(agent, [])
        if lab["kind"] not in BENIGN:
            return
        d = lab["detail"]["definition"]
        m = models.setdefault(d, HalfSpaceTrees(n_trees=o.trees, height=o.height, window_size=o.window, seed=1))
        t0 = time.perf_counter()
        for x in xs:
            m.learn_one(x)
        t_learn += time.perf_counter() - t0
        n_learn += len(xs)
        learned[d] += 1

    ends = sorted((lab["end"], agent) for agent, lab in labels.items())
    k = 0
    for line in open(o.lab / "actions.jsonl", "rb"):
        a = orjson.loads(line)
        while k < len(ends) and ends[k][0] < a["time"]:
            finish(ends[k][1])
            k += 1
        agent = a["agent_id"]
        if agent not in labels:
            continue
        x = featurise(a, o.buckets)
        pending[agent].append(x)
        d = labels[agent]["detail"]["definition"]
        if a["operation"] not in READS and learned[d] >= o.min_instances:
            t0 = time.perf_counter()
            s = models[d].score_one(x)
            t_score += time.perf_counter() - t0
            n_score += 1
            score[agent] = max(score[agent], s)
        last_ts[agent] = a["time"]

    flagged = set()
    for line in open(o.alerts, "rb"):
        al = orjson.loads(line)
        if al["rule_id"] == "definition.new_target" and al["severity"] in ("high", "critical") and al.get("status") == "open":
            flagged.add(al["agent_id"])
    benign = sorted(score.get(a, 0.0) for a, lab in labels.items() if lab["kind"] in BENIGN)
    cut = benign[min(len(benign) - 1, int((1 - o.budget) * len(benign)))]
    print(f"HalfSpaceTrees: {o.trees} trees, height {o.height}, window {o.window}, {o.buckets} buckets; "
          f"threshold {cut:.3f} (at most {o.budget:.0%} of {len(benign)} benign instances above it)")
    print("| model | " + " | ".join(ATTACKS) + " | benign flagged |")
    print("|---|" + "--:|" * (len(ATTACKS) + 1))
    for name, hit in (("HalfSpaceTrees (label-clean learning)", lambda a: score.get(a, 0.0) > cut),
                      ("counting (definition.new_target, high)", lambda a: a in flagged)):
        row = []
        for kind in ATTACKS:
            agents = [a for a, lab in labels.items() if lab["kind"] == kind]
            row.append(f"{sum(map(hit, agents)) / len(agents):.2f} of {len(agents)}")
        ben = [a for a, lab in labels.items() if lab["kind"] in BENIGN]
        row.append(f"{sum(map(hit, ben)) / len(ben):.3f} of {len(ben)}")
        print(f"| {name} | " + " | ".join(row) + " |")
    size = max(len(pickle.dumps(m)) for m in models.values()) if models else 0
    print(f"HST cost: score_one {1e6 * t_score / max(n_score, 1):.0f} us ({n_score:,} calls), "
          f"learn_one {1e6 * t_learn / max(n_learn, 1):.0f} us ({n_learn:,} calls), largest model pickled {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()

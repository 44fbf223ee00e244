"""How `definition.new_target` fares when benign instances reach many partners, not the lab's one.

    intentwatch simulate-agentic --instances 2000 --seed 2 --out lab
    python benchmarks/definitions_diverse.py --lab lab [--partners 300 --zipf 1.1 --seed 5 --config FILE]

The agentic lab's benign instances all mail ``@example.com`` and link ``news.example.com``, so a
definition learns its partners at once and a new one is rare (README, *Agent definitions and
their instances*). Real instances mail and link many partners. This rewrites every
``normal_instance``'s actions, consistently within the instance (its request, arguments and
results alike), to one mail domain and one link host drawn from ``--partners`` partners with
Zipf weights (a few common, a long tail), replays the lab as it is and rewritten through one
engine each, and prints per run: recall at high+ per attack kind, and the benign instances
with any high+ alert (the issue's aim: at most 2 %), with the rules that paged them. First, a
bound: how many benign instances a novelty rule pages even with an oracle's hygiene (every
benign instance learned, no attack), which no rule paging on a new target can go below.

A third run adds an analyst: every benign instance's paging alert gets a false-positive
verdict ``--triage-hours`` after it (one per instance and rule; attacks get none), which lets
the instance teach its definition (``Definitions.release``). A verdict only helps the instances
after it, and instances that page only with verdicts in place get theirs too: the run is
repeated until every benign page has its verdict (at most five passes).
"""

import argparse
import json
import random
import sys
import tempfile
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from intentwatch.models.alert import Alert  # noqa: E402
from intentwatch.models.feedback import Feedback  # noqa: E402
from intentwatch.pipeline.engine.engine import Engine  # noqa: E402
from intentwatch.pipeline.hosts.replay import manifest_instantiations, read_lifecycle, replay  # noqa: E402
from intentwatch.pipeline.io.deadletter import DeadLetterFile  # noqa: E402
from intentwatch.pipeline.io.intents import load_manifests  # noqa: E402
from intentwatch.pipeline.lab.evaluate import evaluate  # noqa: E402
from intentwatch.pipeline.settings import load_settings  # noqa: E402

BENIGN = ("normal_instance", "exploratory_reads")


def diversify(lab: Path, out: Path, kinds: dict[str, str], partners: int, s: float, seed: int,
              linked: dict[str, str]) -> int:
    """Write ``lab``'s actions to ``out`` with each normal instance's partners redrawn; returns the
    lines changed, and fills ``linked`` with the link host of each instance that posts one its
    task did not name."""
    rng = random.Random(seed)
    weights = [1 / (k + 1) ** s for k in range(partners)]
    picked: dict[str, tuple[str, str]] = {}
    asked: set[str] = set()
    changed = 0
    with open(lab / "actions.jsonl") as src, open(out, "w") as dst:
        for line in src:
            agent = json.loads(line)["agent_id"]
            if kinds.get(agent) == "normal_instance":
                if agent not in picked:
                    k = rng.choices(range(partners), weights)[0]
                    picked[agent] = (f"@partner{k}.com", f"site{rng.choices(range(partners), weights)[0]}.org")
                mail, host = picked[agent]
                if "news.example.com" in line:
                    a = json.loads(line)
                    attrs = a.get("attributes") or {}
                    if any("news.example.com" in str(attrs.get(k, "")) for k in ("request", "user_request", "task_request", "prompt")):
                        asked.add(agent)  # the task named it: quiet for any rule
                    elif a["operation"] not in ("read", "list") and "news.example.com" in json.dumps(attrs.get("arguments")):
                        linked[agent] = host
                new = line.replace("news.example.com", host).replace("@example.com", mail)
                changed += new != line
                line = new
            dst.write(line)
    for agent in asked:
        linked.pop(agent, None)
    return changed


def oracle(labels: list[dict], linked: dict[str, str], judged_from: int = 20, support: int = 2) -> int:
    """Benign instances a perfectly kept novelty model still pages: per definition, in order of
    start, past its first ``judged_from`` normal instances, one whose link host fewer than
    ``support`` earlier normal instances posted (every benign instance learned, no attack)."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    done: Counter[str] = Counter()
    paged = 0
    for lab_ in sorted(labels, key=lambda x: x["start"]):
        if lab_["kind"] != "normal_instance":
            continue
        d = lab_["detail"]["definition"]
        host = linked.get(lab_["agent_id"])
        if host is not None:
            paged += done[d] >= judged_from and seen[d][host] < support
            seen[d][host] += 1
        done[d] += 1
    return paged


def run(lab: Path, actions: Path, verdicts: list[Feedback] = (), config: Path | None = None) -> list[dict]:
    engine, dead, alerts = Engine(load_settings(config).engine), DeadLetterFile(None), []
    lc = manifest_instantiations(load_manifests(lab / "intents").manifests) + read_lifecycle(lab / "lifecycle.jsonl", dead, 1 << 20)
    replay(engine, actions, [*lc, *verdicts], lambda o: alerts.append(o.model_dump(mode="json")) if isinstance(o, Alert) else None,
           dead)
    return alerts


def paging(alerts: list[dict], kinds: dict[str, str]) -> list[dict]:
    return [a for a in alerts if kinds.get(a["agent_id"]) in BENIGN and a["severity"] in ("high", "critical")]


def triaged(lab: Path, actions: Path, kinds: dict[str, str], hours: float, config: Path | None) -> list[dict]:
    """Replays with a false-positive verdict ``hours`` after each benign instance's first page per rule."""
    verdicts: dict[tuple[str, str], Feedback] = {}
    for _ in range(5):
        alerts = run(lab, actions, list(verdicts.values()), config)
        new = 0
        for a in paging(alerts, kinds):
            key = (a["agent_id"], a["rule_id"])
            if key not in verdicts:
                at = datetime.fromisoformat(a["evidence"]["action"]["time"]) + timedelta(hours=hours)
                verdicts[key] = Feedback(feedback_id=f"triage-{len(verdicts)}", agent_id=key[0], rule_id=key[1],
                                         verdict="false_positive", analyst="soc@example.com",
                                         reason="a partner of this definition", time=at)
                new += 1
        if not new:
            break
    return alerts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lab", type=Path, required=True)
    ap.add_argument("--partners", type=int, default=300)
    ap.add_argument("--zipf", type=float, default=1.1)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--triage-hours", type=float, default=1.0)
    ap.add_argument("--config", type=Path, help="replay under this config (e.g. other params for definition.new_target)")
    o = ap.parse_args()
    labels = [json.loads(line) for line in open(o.lab / "labels.jsonl")]
    kinds: dict[str, str] = {}
    for lab_ in labels:
        kinds.setdefault(lab_["agent_id"], lab_["kind"])
    with tempfile.TemporaryDirectory() as tmp:
        diverse = Path(tmp) / "actions.jsonl"
        linked: dict[str, str] = {}
        n = diversify(o.lab, diverse, kinds, o.partners, o.zipf, o.seed, linked)
        benign = sum(1 for k in kinds.values() if k in BENIGN)
        print(f"{n:,} lines of {sum(1 for k in kinds.values() if k == 'normal_instance'):,} normal instances rewritten "
              f"({o.partners} partners, Zipf s={o.zipf}); {len(linked):,} post a link")
        floor = oracle(labels, linked)
        print(f"oracle: a novelty model that learned every benign instance (and no attack) still pages {floor} of "
              f"{benign} benign instances ({100 * floor / benign:.1f} %): a new partner's first uses")
        runs = (("as simulated", lambda: run(o.lab, o.lab / "actions.jsonl", config=o.config)),
                ("many partners", lambda: run(o.lab, diverse, config=o.config)),
                (f"many partners, verdicts {o.triage_hours:g} h after each page",
                 lambda: triaged(o.lab, diverse, kinds, o.triage_hours, o.config)))
        for name, replayed in runs:
            alerts = replayed()
            report = evaluate(alerts, labels, "high")
            recall = ", ".join(f"{r.kind} {r.recall:.2f}" for r in report.kinds if r.recall is not None)
            paged: dict[str, set[str]] = defaultdict(set)
            rules: Counter[str] = Counter()
            for a in paging(alerts, kinds):
                paged[kinds[a["agent_id"]]].add(a["agent_id"])
                rules[a["rule_id"]] += 1
            flagged = sum(len(v) for v in paged.values())
            print(f"{name}: recall at high+: {recall}")
            print(f"  benign instances paging: {flagged} of {benign} ({100 * flagged / benign:.1f} %; aim <= 2 %), "
                  f"alerts by rule: {dict(rules) or 'none'}")


if __name__ == "__main__":
    main()

"""The agentic lab as one long-lived identity per definition, its instances as sessions.

    intentwatch simulate-agentic --instances 2000 --seed 2 --out lab
    python benchmarks/sessions_lab.py --lab lab [--partners 300]

Real agent traces often show one agent identity serving many tasks: OTel GenAI spans carry
``gen_ai.agent.id`` per agent and ``gen_ai.conversation.id`` per conversation, and nobody writes an
instance manifest per conversation. This rewrites the lab that way: every instance's actions
act as its definition's id (the definition's manifest registered as an ordinary agent's, its
instances' manifests and lifecycle dropped), with the instance's id as ``session_id`` and no
credential; other agents are left out. It replays that through one engine with
``definition.new_target``'s ``sessions`` on, then off (each finding its own alert:
``response.cooldown_seconds: 0``), and prints per run, per session: recall at high+ per
attack kind, and benign sessions with any high+ alert, by rule. ``--partners N`` first redraws
each benign instance's partners from N (``definitions_diverse.py``). ``--no-manifests``: the
agents register no manifest at all (traces from a team with none yet), judged by their own
baseline and sessions (``engine.unregistered: learn``).
"""

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from definitions_diverse import BENIGN, diversify  # noqa: E402
from intentwatch.models.alert import Alert  # noqa: E402
from intentwatch.pipeline.engine.config import EngineConfig  # noqa: E402
from intentwatch.pipeline.engine.engine import Engine  # noqa: E402
from intentwatch.pipeline.hosts.replay import manifest_instantiations, replay  # noqa: E402
from intentwatch.pipeline.io.deadletter import DeadLetterFile  # noqa: E402
from intentwatch.pipeline.io.intents import load_manifests  # noqa: E402

HIGH = ("high", "critical")


def as_sessions(actions: Path, out: Path, of: dict[str, str]) -> int:
    """Each instance's actions as its definition's, the instance its session; the rest left out."""
    n = 0
    with open(actions, "rb") as src, open(out, "wb") as dst:
        for line in src:
            a = json.loads(line)
            d = of.get(a["agent_id"])
            if d is None:
                continue
            a["session_id"], a["agent_id"] = a["agent_id"], d
            a.pop("credential_id", None)
            dst.write(json.dumps(a).encode() + b"\n")
            n += 1
    return n


def run(lab: Path, actions: Path, sessions: bool, manifests: bool = True) -> list[dict]:
    config = EngineConfig.model_validate({"response": {"cooldown_seconds": 0}, "unregistered": "shadow" if manifests else "learn",
                                          "rules": {"definition.new_target": {"params": {"sessions": sessions}}}})
    engine, alerts = Engine(config), []
    defs = [(m.model_copy(update={"kind": "agent"}), src) for m, src in load_manifests(lab / "intents").manifests
            if m.kind == "definition" and manifests]
    replay(engine, actions, manifest_instantiations(defs),
           lambda o: alerts.append(o.model_dump(mode="json")) if isinstance(o, Alert) else None, DeadLetterFile(None))
    return alerts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lab", type=Path, required=True)
    ap.add_argument("--partners", type=int, default=0, help="redraw benign partners from this many (0: as simulated)")
    ap.add_argument("--zipf", type=float, default=1.1)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--no-manifests", action="store_true", help="no manifest at all: engine.unregistered learn")
    o = ap.parse_args()
    labels = [json.loads(line) for line in open(o.lab / "labels.jsonl")]
    kinds = {lab_["agent_id"]: lab_["kind"] for lab_ in labels if lab_.get("detail", {}).get("definition")}
    of = {lab_["agent_id"]: lab_["detail"]["definition"] for lab_ in labels if lab_["agent_id"] in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        source = o.lab / "actions.jsonl"
        if o.partners:
            source = Path(tmp) / "diverse.jsonl"
            diversify(o.lab, source, {a: k for a, k in kinds.items()}, o.partners, o.zipf, o.seed, {})
        actions = Path(tmp) / "sessions.jsonl"
        n = as_sessions(source, actions, of)
        per_kind = Counter(kinds.values())
        print(f"{n:,} actions of {len(kinds):,} instances as sessions of {len(set(of.values()))} agents"
              f"{f' ({o.partners} partners)' if o.partners else ''}; {dict(per_kind)}")
        for sessions in (True, False):
            alerts = run(o.lab, actions, sessions, not o.no_manifests)
            hit: dict[str, set[str]] = defaultdict(set)
            rules: dict[str, Counter[str]] = defaultdict(Counter)
            for a in alerts:
                sid = (a["evidence"].get("action") or {}).get("session_id")
                if sid in kinds and a["severity"] in HIGH:
                    hit[sid].add(a["rule_id"])
            for sid, rs in hit.items():
                for r in rs:
                    rules[kinds[sid]][r] += 1
            print(f"sessions {'on' if sessions else 'off'}{', no manifests' if o.no_manifests else ''}: {len(alerts):,} alerts")
            for kind in sorted(per_kind):
                caught = sum(1 for s, k in kinds.items() if k == kind and s in hit)
                what = "benign, paged" if kind in BENIGN else "caught at high+"
                print(f"  {kind:32} {what}: {caught}/{per_kind[kind]} ({caught / per_kind[kind]:.2f})  {dict(rules[kind].most_common(4))}")


if __name__ == "__main__":
    main()

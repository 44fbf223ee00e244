"""Suggest, then hold: manifests drafted from the first week of a fleet's history, held
against the second week.

    python benchmarks/suggest_hold.py                    # simulate --agents 500 --days 14 --seed 2
    python benchmarks/suggest_hold.py --fleet learned-out --split-day 7

1. Simulate the fleet (or reuse ``--fleet``).
2. ``intentwatch intents suggest`` on days 1..split (``--until``): one draft per agent.
3. The human step, done here by rule: each draft gets the owner and approver of the
   agent's simulated manifest (so no ``lifecycle.ownerless_agent``); an agent with no
   history before the split (instantiated later) keeps the manifest its owner declared,
   as a new agent would; a shadow agent with history gets its draft (the review is what
   would catch it; it is no kind scored here).
4. Replay days split+1..end with those manifests and the lifecycle changes of that
   period, intent and lifecycle rules only (``engine.learned.enabled: false``).
5. Score with ``intentwatch evaluate``'s rules, on labels cut to the held-out period:
   a normal agent's hours start at the split; an attack counts only if its onset is after
   the split (an attack inside the first week is in the history the draft was made from,
   so the draft allows it: reported apart). The over-rate onset is the first action of the
   burst, not the first one the simulator's own declared limit refuses: the draft's limit
   is its own.

Prints the false alerts per 10,000 normal agent-hours (per rule), recall of scope creep,
model swap and over-rate, and an oracle on the split: how many normal agents do in the
held-out week something (a tool, operation, data domain, resource, credential, model)
they never did in the first week. Exact manifests of the first week would alert on every
one of them; what the drafts generalise is what keeps the rest quiet.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
TARGET_KINDS = ("scope_creep", "model_swap", "over_rate")
FIELDS = ("tool", "operation", "data_domain", "resource", "credential_id", "model")


def when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def simulate(out: Path, agents: int, days: int, seed: int) -> None:
    subprocess.run([sys.executable, "-m", "intentwatch.pipeline.cli", "simulate", "--agents", str(agents),
                    "--days", str(days), "--seed", str(seed), "--out", str(out)], check=True, capture_output=True)


def split_actions(src: Path, dst: Path, split: datetime, labels: dict[str, dict]) -> tuple[dict, dict]:
    """Write the actions at or after ``split`` to ``dst``. For each normal agent and field,
    return the values it used before the split (session counts) and the new ones after it
    (up to an approved update, which brings its own manifest)."""
    cut = split.strftime("%Y-%m-%dT%H:%M:%S")
    seen: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    new: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    with open(src, "rb") as fh, open(dst, "wb") as out:
        for line in fh:
            a = orjson.loads(line)
            after = a["time"][:19] >= cut  # the simulator writes UTC times, one format
            if after:
                out.write(line)
            lab = labels.get(a["agent_id"])
            if lab is None or lab["group"] != "normal":
                continue
            if after and lab["kind"] == "normal_update" and lab["onset"] and a["time"] >= lab["onset"]:
                continue
            for f in FIELDS:
                v = a.get(f)
                if v is None:
                    continue
                v = f"{v['id']}@{v.get('version')}" if f == "model" else v
                if not after:
                    seen[a["agent_id"]][f][v] += 1
                elif v not in seen[a["agent_id"]][f]:
                    new[a["agent_id"]][f][v] += 1
    return seen, new


def beyond_any_draft(seen: dict[str, Counter], new: dict[str, Counter]) -> list[str]:
    """The fields in which an agent used, after the split, a value no draft under the rule
    can allow: a new operation, data domain, credential or model (drafts keep those exact),
    or a tool or resource under which the first week shows fewer than two distinct values
    (the broadest generalisation the rule permits, whatever the values look like)."""
    from intentwatch.pipeline.engine.scope import PatternSet
    from intentwatch.pipeline.suggest.patterns import generalise, generalise_tools

    out = []
    for f, values in new.items():
        if f == "tool":
            allowed = PatternSet(generalise_tools(seen.get(f, Counter()), min_distinct=2).patterns)
        elif f == "resource":
            allowed = PatternSet(generalise(seen.get(f, Counter()), min_distinct=2, alike=0.0).patterns)
        else:
            out.append(f)
            continue
        if any(v not in allowed for v in values):
            out.append(f)
    return out


def held_labels(labels: list[dict], split: datetime) -> tuple[list[dict], Counter]:
    """Labels cut to the held-out period, and the attacks left out because their onset is before the split."""
    out, before = [], Counter()
    for lab in labels:
        lab = dict(lab, onset_seq=None)  # the replay counts actions from the split: delays in seconds only
        if lab["group"] == "normal":
            if when(lab["end"]) <= split:
                continue
            lab["start"] = max(when(lab["start"]), split).isoformat()
        elif lab["kind"] == "over_rate":
            lab["onset"] = lab["detail"]["burst_start"]
        if lab["group"] != "normal" and lab["onset"] and when(lab["onset"]) < split:
            before[lab["kind"]] += 1
            continue
        out.append(lab)
    return out, before


def run_replay(actions: Path, manifests: list, lifecycle: list, dead, path: Path) -> tuple[list[dict], object]:
    """Replay ``actions`` with ``manifests`` and ``lifecycle``, intent and lifecycle rules only; the alerts as dicts."""
    from intentwatch.pipeline.engine.config import EngineConfig, LearnedConfig
    from intentwatch.pipeline.engine.engine import Engine
    from intentwatch.pipeline.hosts.replay import manifest_instantiations, replay

    engine = Engine(EngineConfig(learned=LearnedConfig(enabled=False)))
    alerts: list[dict] = []
    with open(path, "wb") as fh:
        def emit(o) -> None:
            line = o.model_dump_json()
            fh.write(line.encode() + b"\n")
            if hasattr(o, "alert_id"):
                alerts.append(orjson.loads(line))
        summary = replay(engine, actions, manifest_instantiations((m, "suggest") for m in manifests) + lifecycle, emit, dead)
    return alerts, summary


RULE_FIELD = {"intent.tool_not_allowed": "tool", "intent.operation_not_allowed": "operation",
              "intent.data_domain_not_allowed": "data_domain", "intent.resource_not_allowed": "resource",
              "intent.undeclared_credential": "credential_id"}


def score(title: str, alerts: list[dict], labels: list[dict], before: Counter, by_id: dict[str, dict],
          seen: dict[str, dict[str, Counter]]) -> None:
    """False alerts per 10,000 normal agent-hours (per rule) and recall of the target kinds, as ``intentwatch evaluate`` scores them.

    Also what those alerts are in a SOC's terms: the engine opens one alert per agent and
    rule per cooldown window (an hour), so one new value used on five days is five alerts;
    the distinct (agent, rule, value) triples are what an analyst would triage once each.
    """
    from intentwatch.pipeline.lab.evaluate import evaluate

    report = evaluate(alerts, labels)
    normal = report.normal_overall()
    per10k = normal.alerts * 10_000 / normal.agent_hours if normal.agent_hours else float("nan")
    print(f"\n== {title}")
    print(f"false alerts on normal agents: {normal.alerts} in {normal.agent_hours:,.0f} agent-hours "
          f"= {per10k:.2f} per 10,000 agent-hours (target <= 1)")
    false_by_rule: Counter = Counter()
    triples: set[tuple[str, str, str]] = set()
    known = 0  # alerts on a value the agent had already used before the split
    for a in {a["alert_id"]: a for a in alerts}.values():
        lab = by_id.get(a["agent_id"])
        if lab and lab["group"] == "normal" and a["severity"] != "info":
            false_by_rule[a["rule_id"]] += 1
            ev = a["evidence"]
            values = {str(ev["observed"]), *(ev.get("observed_values") or [])}
            f = RULE_FIELD.get(a["rule_id"])
            # a schedule's or rate's observed value is a time or a count: one per agent and rule
            triples |= {(a["agent_id"], a["rule_id"], v if f else "") for v in values}
            known += f is not None and str(ev["observed"]) in seen.get(a["agent_id"], {}).get(f, ())
    print("  " + ", ".join(f"{rule} {n}" for rule, n in false_by_rule.most_common()))
    print(f"  as a SOC would triage them: {len(triples)} distinct (agent, rule, observed value; schedule and rate: "
          f"agent, rule); "
          f"{known} of the alerts on a value the agent used before the split")
    print("recall, attacks with their onset after the split (target >= 0.95):")
    rows = {r.kind: r for r in report.kinds}
    for kind in TARGET_KINDS:
        r = rows.get(kind)
        got = f"{r.detected}/{r.instances} = {r.recall:.2f}" if r and r.instances else "none after the split"
        missed = f"  missed {', '.join(r.missed)}" if r and r.missed else ""
        print(f"  {kind:<12} {got}   ({before[kind]} with onset before the split, not scored){missed}")
    others = [r for r in report.kinds if r.kind not in TARGET_KINDS]
    print("  others (not targets): " + ", ".join(f"{r.kind} {r.detected}/{r.instances}" for r in others))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fleet", type=Path, help="an existing `intentwatch simulate` output (default: simulate one)")
    ap.add_argument("--agents", type=int, default=500)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--split-day", type=int, default=7, help="drafts from days 1..N, replay of the days after")
    ap.add_argument("--work", type=Path, help="keep the drafts, split actions and alerts here")
    ap.add_argument("--alike", type=float,
                    help="share of a resource prefix's next parts that must look alike (0: the broadest drafts the "
                         "two-distinct-values rule permits, arn:aws:* and https://* included: a measured floor; default: the drafts' own)")
    args = ap.parse_args()

    from intentwatch.models.intent import IntentManifest
    from intentwatch.pipeline.hosts.replay import read_lifecycle
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.io.intents import load_manifests
    from intentwatch.pipeline.suggest import DraftOptions, suggest_intents
    from intentwatch.pipeline.suggest.history import native_actions

    work = args.work or Path(tempfile.mkdtemp(prefix="suggest-hold-"))
    work.mkdir(parents=True, exist_ok=True)
    fleet = args.fleet
    t0 = time.perf_counter()
    if fleet is None:
        fleet = work / "fleet"
        simulate(fleet, args.agents, args.days, args.seed)
    t_sim = time.perf_counter() - t0
    labels = [orjson.loads(x) for x in (fleet / "labels.jsonl").read_bytes().splitlines()]
    by_id = {lab["agent_id"]: lab for lab in labels}
    start = min(when(lab["start"]) for lab in labels).replace(hour=0, minute=0, second=0, microsecond=0)
    split = start + timedelta(days=args.split_day)

    # 2. Drafts from the first week.
    t0 = time.perf_counter()
    src = fleet / "actions.jsonl"
    drafts_dir = work / "drafts"
    shutil.rmtree(drafts_dir, ignore_errors=True)
    options = DraftOptions() if args.alike is None else DraftOptions(alike=args.alike)
    s = suggest_intents(lambda dead: native_actions(src, dead), drafts_dir, options, until=split)
    t_suggest = time.perf_counter() - t0
    loaded = load_manifests(drafts_dir)
    assert not loaded.errors, loaded.errors[:3]

    # 3. The human step.
    declared = {m.agent_id: m for m, _ in load_manifests(fleet / "intents").manifests}
    manifests: list[IntentManifest] = []
    for m, _ in loaded.manifests:
        d = declared.get(m.agent_id)
        owner = d.owner if d else "owner@example.com"
        approver = d.approver if d else "approver@example.com"
        manifests.append(m.model_copy(update={"owner": owner, "approver": approver}))
    later = [m for a, m in declared.items() if a not in s.drafts]
    manifests += later

    # 4. Replay the held-out days.
    t0 = time.perf_counter()
    held = work / "actions-held.jsonl"
    seen, new = split_actions(src, held, split, by_id)
    dead = DeadLetterFile(work / "dead-letter.jsonl")
    lifecycle = [ev for ev in read_lifecycle(fleet / "lifecycle.jsonl", dead, 1 << 20) if ev.time >= split]
    alerts, summary = run_replay(held, manifests, lifecycle, dead, work / "alerts.jsonl")
    t_replay = time.perf_counter() - t0
    # The same with thin drafts held back (their header says so): those agents keep the
    # manifest their owner declared. One agent's alerts depend only on its own events (the
    # learned side, which has the one fleet-wide check, is off), so only they are replayed.
    thin = {a for a, d in s.drafts.items() if d.thin(options) and a in declared}
    thin_held = work / "actions-thin.jsonl"
    with open(held, "rb") as fh, open(thin_held, "wb") as out:
        for line in fh:
            if orjson.loads(line)["agent_id"] in thin:
                out.write(line)
    thin_alerts, _ = run_replay(thin_held, [declared[a] for a in sorted(thin)],
                                [ev for ev in lifecycle if ev.agent_id in thin], dead, work / "alerts-thin-declared.jsonl")
    held_back = [a for a in alerts if a["agent_id"] not in thin] + thin_alerts

    # 5. Scores.
    kept, before = held_labels(labels, split)
    n_thin = sum(d.thin(options) for d in s.drafts.values())
    print(f"fleet {fleet}: {len(labels)} agents; split at {split:%Y-%m-%d} (day {args.split_day}); alike {options.alike}")
    print(f"drafts: {len(s.drafts)} from {sum(h.n for h in s.history.agents.values()):,} actions "
          f"({n_thin} thin); {len(later)} agents with no history before the split keep their declared manifest")
    cov = sorted(d.coverage for d in s.drafts.values())
    print(f"history covered by its own draft: median {cov[len(cov) // 2]:.4%}, lowest {cov[0]:.4%}")
    print(f"held-out replay: {summary.actions:,} actions, {sum(summary.alerts.values()):,} alerts opened")
    for title, got in (("every draft as written", alerts),
                       (f"thin drafts held back ({len(thin)} agents keep their declared manifest)", held_back)):
        score(title, got, kept, before, by_id, seen)

    # The oracle on the split.
    normals = [lab for lab in kept if lab["group"] == "normal"]
    hours = sum((when(lab["end"]) - when(lab["start"])).total_seconds() / 3600 for lab in normals)
    drafted = [lab["agent_id"] for lab in normals if lab["agent_id"] in s.drafts]
    novel = [a for a in drafted if new.get(a)]
    print(f"\noracle on the split ({len(drafted)} normal agents with a draft, of {len(normals)}; {hours:,.0f} normal agent-hours):")
    per_field = Counter(f for a in novel for f in new[a])
    print(f"  {len(novel)} do after it something they never did before it (exact drafts would alert on each): "
          + ", ".join(f"{f} {per_field[f]}" for f in FIELDS if per_field[f]))
    beyond = {a: beyond_any_draft(seen[a], new[a]) for a in novel}
    beyond = {a: fs for a, fs in beyond.items() if fs}
    floor = sum(len(fs) for fs in beyond.values())
    per_field = Counter(f for fs in beyond.values() for f in fs)
    print(f"  {len(beyond)} use something no draft under the rule can allow, in {floor} (agent, field) pairs: at least "
          f"{floor} false alerts, {floor * 10_000 / hours:.2f} per 10,000 agent-hours; "
          + ", ".join(f"{f} {per_field[f]}" for f in FIELDS if per_field[f]))
    thin_beyond = {a: fs for a, fs in beyond.items() if a in thin}
    rest = sum(len(fs) for a, fs in beyond.items() if a not in thin)
    print(f"  of those, {len(thin_beyond)} agents have a thin draft; the others alone: at least {rest} false alerts, "
          f"{rest * 10_000 / hours:.2f} per 10,000 agent-hours")
    print(f"\nseconds: simulate {t_sim:.0f}, suggest {t_suggest:.0f}, replay {t_replay:.0f}; files in {work}")


if __name__ == "__main__":
    main()

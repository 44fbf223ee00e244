"""The simulated fleet: deterministic, valid against the contracts, labels that point at
the right actions, and normal agents that never leave their declared intent."""

from collections import defaultdict
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import orjson
import pytest
import yaml

from intentwatch.models.action import Action
from intentwatch.models.intent import DAYS, IntentManifest
from intentwatch.models.lifecycle import LIFECYCLE_ADAPTER
from intentwatch.pipeline.lab.simulate import ATTACK_KINDS, KIND_GROUP, allocate_kinds, simulate_fleet

AGENTS, N_DAYS = 60, 3
BEHAVIOURAL = [k for k, g in KIND_GROUP.items() if g == "behavioural"]


def _read_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _manifests(folder: Path) -> dict[str, IntentManifest]:
    out = {}
    for f in sorted(folder.iterdir()):
        docs = [orjson.loads(f.read_bytes())] if f.suffix == ".json" else list(yaml.safe_load_all(f.read_text()))
        for d in docs:
            m = IntentManifest.model_validate(d)
            assert m.agent_id not in out, f"duplicate manifest for {m.agent_id}"
            out[m.agent_id] = m
    return out


def _ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    out = tmp_path_factory.mktemp("fleet")
    summary = simulate_fleet(AGENTS, N_DAYS, 7, out)
    actions = _read_jsonl(out / "actions.jsonl")
    by_agent: dict[str, list[dict]] = defaultdict(list)
    for a in actions:
        by_agent[a["agent_id"]].append(a)
    lifecycle = _read_jsonl(out / "lifecycle.jsonl")
    return {
        "out": out, "summary": summary, "actions": actions, "by_agent": by_agent,
        "labels": {lab["agent_id"]: lab for lab in _read_jsonl(out / "labels.jsonl")},
        "manifests": _manifests(out / "intents"), "lifecycle": lifecycle,
    }


def outside_intent(a: dict, m: IntentManifest) -> list[str]:
    """Every declared clause the action breaks, checked independently of the simulator."""
    out = []
    al = m.allowed
    for clause, value, pats in (("tools", a["tool"], al.tools), ("operations", a["operation"], al.operations),
                                ("data_domains", a["data_domain"], al.data_domains),
                                ("resources", a["resource"], al.resources)):
        if value is not None and pats is not None and not any(fnmatchcase(value, p) for p in pats):
            out.append(clause)
    t = _ts(a["time"])
    if m.schedule is not None:
        local = t.astimezone(ZoneInfo(m.schedule.timezone))
        start, end = m.schedule.window_minutes()
        minute = local.hour * 60 + local.minute
        assert start < end, "simulated schedules do not wrap midnight"
        if DAYS[local.weekday()] not in m.schedule.days or not start <= minute < end:
            out.append("schedule")
    if m.model is not None and (a["model"]["id"], a["model"]["version"]) != (m.model.id, m.model.version):
        out.append("model")
    if m.credentials and a["credential_id"] not in m.credentials:
        out.append("credentials")
    expiry = m.expiry(m.issued_at)
    if expiry is not None and t >= expiry:
        out.append("expiry")
    if m.issued_at is not None and t < m.issued_at:
        out.append("issued_at")
    return out


def _manifest_at(fleet, agent_id: str, t: datetime) -> IntentManifest:
    """The manifest in force at ``t``: the registered one, or the latest update before ``t``."""
    m = fleet["manifests"][agent_id]
    for ev in fleet["lifecycle"]:
        if ev["agent_id"] == agent_id and ev["kind"] == "update" and _ts(ev["time"]) <= t:
            m = IntentManifest.model_validate(ev["manifest"])
    return m


def _peak(times: list[datetime], per_seconds: float) -> int:
    t = np.array([x.timestamp() for x in times])
    return int((np.arange(len(t)) - np.searchsorted(t, t - per_seconds, side="right") + 1).max()) if len(t) else 0


def _bucket_refusals(times: list[datetime], m: IntentManifest) -> list[int]:
    """Indexes of the actions a token bucket (full at issued_at) refuses."""
    cap, refill = m.rate_limit.max_actions, m.rate_limit.max_actions / m.rate_limit.per_seconds
    tokens, last, out = float(cap), m.issued_at.timestamp(), []
    for i, t in enumerate(times):
        tokens = min(cap, tokens + max(0.0, t.timestamp() - last) * refill)
        last = t.timestamp()
        if tokens >= 1:
            tokens -= 1
        else:
            out.append(i)
    return out


# -- files ------------------------------------------------------------------------------
def test_same_arguments_same_bytes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    simulate_fleet(30, 3, 11, a)
    simulate_fleet(30, 3, 11, b)
    simulate_fleet(30, 3, 12, c)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    assert (a / "actions.jsonl").read_bytes() != (c / "actions.jsonl").read_bytes()


def test_manifests_validate_in_all_three_layouts(fleet):
    folder = fleet["out"] / "intents"
    files = list(folder.iterdir())
    assert any(f.suffix == ".json" for f in files)
    bundles = [f for f in files if f.name.startswith("bundle-")]
    assert bundles and all(len(list(yaml.safe_load_all(f.read_text()))) >= 2 for f in bundles)
    shadows = {a for a, lab in fleet["labels"].items() if lab["kind"] == "shadow_agent"}
    assert set(fleet["manifests"]) == set(fleet["labels"]) - shadows
    assert fleet["summary"]["registered"] == len(fleet["manifests"])
    enforcement = [m.enforcement for m in fleet["manifests"].values()]
    assert 0.25 < enforcement.count("enforce") / len(enforcement) < 0.75
    for agent_id, m in fleet["manifests"].items():
        first = fleet["by_agent"][agent_id][0]["time"] if fleet["by_agent"][agent_id] else None
        assert first is None or m.issued_at <= _ts(first)
        assert m.expires_at is not None or m.ttl is not None


def test_actions_validate_sorted_unique(fleet):
    actions = fleet["actions"]
    assert len(actions) == fleet["summary"]["actions"]
    raw = (fleet["out"] / "actions.jsonl").read_bytes().splitlines()
    for line in raw:
        Action.model_validate_json(line)
    times = [a["time"] for a in actions]
    assert all(t.endswith("Z") for t in times)
    parsed = [_ts(t) for t in times]
    assert all(x <= y for x, y in zip(parsed, parsed[1:]))
    assert len({a["event_id"] for a in actions}) == len(actions)


def test_lifecycle_validates_and_is_time_ordered(fleet):
    events = fleet["lifecycle"]
    for ev in events:
        LIFECYCLE_ADAPTER.validate_python(ev)
    times = [_ts(e["time"]) for e in events]
    assert times == sorted(times)
    kinds = {lab["agent_id"]: lab["kind"] for lab in fleet["labels"].values()}
    for ev in events:
        if ev["kind"] == "update":
            assert kinds[ev["agent_id"]] == "normal_update" and ev["approved_by"]
        else:
            assert kinds[ev["agent_id"]] in ("zombie", "normal")


def test_volume_is_realistic(fleet):
    """~150-300 actions per agent per working day on average, with a long tail."""
    per_agent = np.array([len(v) for v in fleet["by_agent"].values()]) / (N_DAYS * 5 / 7)
    assert 100 < per_agent.mean() < 450
    assert per_agent.max() > 4 * np.median(per_agent)


# -- labels ------------------------------------------------------------------------------
def test_every_kind_present_and_shares(fleet):
    kinds = [lab["kind"] for lab in fleet["labels"].values()]
    assert set(kinds) == set(KIND_GROUP)
    for n, least in ((200, 5), (500, 12), (1000, 25)):
        counts = {k: 0 for k in KIND_GROUP}
        for k in allocate_kinds(n, np.random.default_rng(0)):
            counts[k] += 1
        assert min(counts.values()) >= least and counts["normal"] > n / 2


def test_labels_point_at_their_onset_action(fleet):
    run_start = _ts(fleet["summary"]["start"])
    for agent_id, lab in fleet["labels"].items():
        acts = fleet["by_agent"][agent_id]
        assert _ts(lab["start"]) <= _ts(lab["end"])
        assert all(_ts(lab["start"]) <= _ts(a["time"]) < _ts(lab["end"]) for a in acts)
        if lab["kind"] in ("normal", "noisy_normal"):
            assert lab["onset"] is None and lab["onset_seq"] is None
            continue
        a = acts[lab["onset_seq"]]
        assert a["event_id"] == lab["onset_event_id"]
        if lab["kind"] == "normal_update":
            assert _ts(a["time"]) > _ts(lab["onset"])
            assert lab["onset_seq"] == 0 or _ts(acts[lab["onset_seq"] - 1]["time"]) < _ts(lab["onset"])
        else:
            assert a["time"] == lab["onset"]
            # attacks start after the warm-up and hide in normal work
            assert _ts(lab["onset"]) >= run_start + timedelta(days=1.5)


def test_normal_agents_stay_inside_their_intent(fleet):
    checked = 0
    for agent_id, lab in fleet["labels"].items():
        if KIND_GROUP[lab["kind"]] != "normal":
            continue
        acts = fleet["by_agent"][agent_id]
        for a in acts:
            m = _manifest_at(fleet, agent_id, _ts(a["time"]))
            assert outside_intent(a, m) == [], (lab["kind"], a)
            checked += 1
        m = fleet["manifests"][agent_id]
        times = [_ts(a["time"]) for a in acts]
        assert _peak(times, m.rate_limit.per_seconds) * 2 <= m.rate_limit.max_actions
        assert _bucket_refusals(times, m) == []
    assert checked > 10_000


def test_behavioural_attacks_stay_inside_intent(fleet):
    for agent_id, lab in fleet["labels"].items():
        if lab["kind"] in BEHAVIOURAL or lab["kind"] == "exfiltration_chain":
            m = fleet["manifests"][agent_id]
            for a in fleet["by_agent"][agent_id]:
                assert outside_intent(a, m) == [], (lab["kind"], a)


def test_intent_visible_onsets_break_the_intent(fleet):
    decommissions = {e["agent_id"]: _ts(e["time"]) for e in fleet["lifecycle"] if e["kind"] == "decommission"}
    for agent_id, lab in fleet["labels"].items():
        kind = lab["kind"]
        if KIND_GROUP[kind] != "intent-visible":
            continue
        acts = fleet["by_agent"][agent_id]
        onset = acts[lab["onset_seq"]]
        if kind == "shadow_agent":
            assert agent_id not in fleet["manifests"] and lab["onset_seq"] == 0
            continue
        m = fleet["manifests"][agent_id]
        before = [outside_intent(a, m) for a in acts[: lab["onset_seq"]]]
        assert all(v == [] for v in before), (kind, agent_id)  # clean until the onset
        broken = set(outside_intent(onset, m))
        if kind == "scope_creep":
            assert broken & {"tools", "operations", "data_domains", "resources"}
        elif kind == "zombie":
            assert _ts(onset["time"]) > decommissions[agent_id]
        elif kind == "expiry":
            assert "expiry" in broken
        elif kind == "model_swap":
            assert "model" in broken
        elif kind == "credential_leak":
            assert broken & {"credentials", "tools", "operations", "data_domains"}
        elif kind == "over_rate":
            refused = _bucket_refusals([_ts(a["time"]) for a in acts], m)
            assert refused and refused[0] == lab["onset_seq"]
            assert len(refused) > 50  # far above the limit, not a graze
        elif kind == "exfiltration_chain":
            assert broken == set()
            later = acts[lab["onset_seq"] + 1: lab["onset_seq"] + 40]
            send = next(a for a in later if a["tool"] == lab["detail"]["send_tool"]
                        and a["resource"] in lab["detail"]["external_destinations"])
            assert send["session_id"] == onset["session_id"]
            assert onset["data_domain"] == lab["detail"]["sensitive_domain"]
    assert set(ATTACK_KINDS) <= {lab["kind"] for lab in fleet["labels"].values()}


@pytest.mark.parametrize("agents,days", [(50, 2), (20, 1)])  # also 200 x 2 crashed: 20 s here, run by hand
def test_small_or_short_fleets_simulate_and_say_what_did_not_fit(tmp_path, agents, days):
    """Issue 13: `simulate --agents 50 --days 2 --seed 1` crashed (data-etl-0040: scenario
    gradual_drift injected nothing) and left a partial fleet. What cannot fit is dropped or
    shortened, with a line on stderr and in the agent's label."""
    from typer.testing import CliRunner

    from intentwatch.pipeline.cli import app

    res = CliRunner().invoke(app, ["simulate", "--agents", str(agents), "--days", str(days), "--seed", "1", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    labels = _read_jsonl(tmp_path / "labels.jsonl")
    assert len(labels) == agents
    for lab in labels:  # every scenario left in the fleet points at its onset action
        assert lab["kind"] not in ATTACK_KINDS or lab["onset_seq"] is not None, lab
    notes = [line[len("note: "):] for line in res.stderr.splitlines() if line.startswith("note: ")]
    dropped = {lab["agent_id"]: lab["detail"]["dropped_scenario"] for lab in labels if "dropped_scenario" in lab["detail"]}
    shortened = {lab["agent_id"]: lab["detail"]["shortened"] for lab in labels if "shortened" in lab["detail"]}
    assert len(notes) == len(dropped) + len(shortened) and notes
    for agent_id, d in dropped.items():
        assert next(lab for lab in labels if lab["agent_id"] == agent_id)["kind"] == "normal"
        assert f"{agent_id}: scenario {d['kind']} dropped ({d['why']}); simulated as a normal agent" in notes
    for agent_id, why in shortened.items():
        kind = next(lab for lab in labels if lab["agent_id"] == agent_id)["kind"]
        assert KIND_GROUP[kind] == "behavioural" and f"{agent_id}: scenario {kind} shortened: {why}" in notes
    if (agents, days) == (50, 2):
        assert dropped["data-etl-0040"]["kind"] == "gradual_drift"
    if days == 1:  # no room after the warm-up: every behavioural scenario is said to be shortened
        assert {lab["agent_id"] for lab in labels if KIND_GROUP[lab["kind"]] == "behavioural"} <= set(shortened)
    manifests = _manifests(tmp_path / "intents")  # the whole fleet was written
    assert set(manifests) == {lab["agent_id"] for lab in labels if lab["kind"] != "shadow_agent"}


def test_progress_hears_every_agent_and_every_chunk_of_actions(tmp_path):
    calls = []
    summary = simulate_fleet(6, 1, 3, tmp_path, progress=lambda stage, done, total: calls.append((stage, done, total)))
    assert [c for c in calls if c[0] == "agents"] == [("agents", i, 6) for i in range(1, 7)]
    assert [c for c in calls if c[0] == "actions"][-1] == ("actions", summary["actions"], summary["actions"])

"""The fleet driver: draw agents, give some of them a scenario, write the files.

Writes into ``out/``: ``intents/`` (one manifest per registered agent; a few bundled as
multi-document YAML, a couple as JSON), ``lifecycle.jsonl`` (updates and decommissions,
time-ordered), ``actions.jsonl`` (every action, time-ordered) and ``labels.jsonl`` (one
line per agent: its kind, onset and life span). Same arguments, same bytes.
"""

import math
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import orjson
import yaml

from intentwatch.models.action import OPERATIONS
from intentwatch.models.intent import IntentManifest
from intentwatch.pipeline.lab.simulate.activity import COLUMNS, DAY_MS, HOUR_MS, OUTCOMES, generate
from intentwatch.pipeline.lab.simulate.archetypes import ARCHETYPES
from intentwatch.pipeline.lab.simulate.manifests import declare_rate, declared_scope, iso, manifest
from intentwatch.pipeline.lab.simulate.profiles import Profile, draw_profile
from intentwatch.pipeline.lab.simulate.scenarios import ATTACK_KINDS, INJECTORS, KIND_GROUP
from intentwatch.pipeline.lab.simulate.scenarios.base import Agent, onset_window, pick_onset

DEFAULT_START = datetime(2026, 1, 5, tzinfo=timezone.utc)  # a Monday
ATTACK_SHARE = 0.025   # of the fleet, per attack kind
SHARES = {**{k: ATTACK_SHARE for k in ATTACK_KINDS}, "normal_update": 0.04, "noisy_normal": 0.05}
CHUNK = 65_536
# libyaml's emitter when present (fast); the pure-Python one writes the same YAML.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def allocate_kinds(n: int, rng: np.random.Generator) -> list[str]:
    """A label kind per agent: a fixed count per kind (at least one), the rest normal.

    Counts are ``ceil(share * n)``; a fleet too small for that gets one of each kind in
    turn, for at most half of its agents.
    """
    counts = {k: math.ceil(share * n) for k, share in SHARES.items()}
    if sum(counts.values()) > n // 2:
        order = list(SHARES)
        counts = {k: 0 for k in order}
        for i in range(n // 2):
            counts[order[i % len(order)]] += 1
    kinds = [k for k, c in counts.items() for _ in range(c)]
    kinds += ["normal"] * (n - len(kinds))
    return [kinds[i] for i in rng.permutation(n)]


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def simulate_fleet(agents: int, days: int, seed: int, out: Path, start: datetime = DEFAULT_START,
                   progress: Progress | None = None) -> dict:
    """Simulate ``agents`` agents for ``days`` days from ``start`` and write the files into ``out``.

    Returns a summary: counts per label kind and archetype, number of actions and of
    lifecycle events, and the size of each file written. A scenario that cannot fit a small
    or short fleet is dropped (its agent simulated as normal) or shortened (its onset inside
    the warm-up); ``summary["notices"]`` says which, one line each, as do the agents' labels
    (``detail.dropped_scenario`` / ``detail.shortened``). ``progress`` hears of each agent
    built and each chunk of actions written.
    """
    if agents < 1 or days < 1:
        raise ValueError(f"need at least one agent and one day, got agents={agents} days={days}")
    out = Path(out)
    run = (int(start.timestamp() * 1000), int(start.timestamp() * 1000) + days * DAY_MS)
    root = np.random.SeedSequence(seed)
    fleet_ss, writer_ss, *agent_ss = root.spawn(agents + 2)
    frng = np.random.default_rng(fleet_ss)

    # 1. Who is who: kinds, archetypes, profiles, life spans.
    kinds = allocate_kinds(agents, frng)
    names = list(ARCHETYPES)
    shares = np.array([ARCHETYPES[a].share for a in names])
    archs = frng.choice(len(names), agents, p=shares / shares.sum())
    rngs = [np.random.default_rng(ss) for ss in agent_ss]
    profiles = [draw_profile(i + 1, ARCHETYPES[names[archs[i]]], rngs[i], noisy=kinds[i] == "noisy_normal")
                for i in range(agents)]
    for p, kind in zip(profiles, kinds):
        if kind != "normal":
            p.daily = max(p.daily, 60.0)  # enough activity to hide an attack in
    registered = [i for i, k in enumerate(kinds) if k != "shadow_agent"]
    for i, kind in enumerate(kinds):
        if kind == "credential_leak" and len(registered) > 1:
            same = [j for j in registered if j != i and archs[j] == archs[i]] or [j for j in registered if j != i]
            j = same[int(frng.integers(len(same)))]
            profiles[i].extra["foreign"] = (profiles[j].agent_id, profiles[j].creds[0])

    # 2. Each agent: normal activity, then its scenario.
    built = []
    for i in range(agents):
        built.append(_build(profiles[i], kinds[i], rngs[i], run))
        if progress is not None:
            progress("agents", i + 1, agents)
    kinds = [a.kind for a in built]  # a dropped scenario's agent is normal

    # 3. Files.
    out.mkdir(parents=True, exist_ok=True)
    n_actions, onset_ids = _write_actions(out / "actions.jsonl", built, np.random.default_rng(writer_ss), progress)
    n_lifecycle = _write_lifecycle(out / "lifecycle.jsonl", built)
    n_manifests = _write_intents(out / "intents", built, frng)
    _write_labels(out / "labels.jsonl", built, onset_ids)

    summary: dict = {"agents": agents, "registered": n_manifests, "days": days, "seed": seed,
                     "start": iso(run[0]), "end": iso(run[1]), "actions": n_actions}
    summary["lifecycle_events"] = n_lifecycle
    summary["kinds"] = {k: kinds.count(k) for k in ["normal", *SHARES] if kinds.count(k)}
    summary["archetypes"] = {n: int((archs == i).sum()) for i, n in enumerate(names)}
    summary["bytes"] = {f: (out / f).stat().st_size for f in ("actions.jsonl", "lifecycle.jsonl", "labels.jsonl")}
    summary["notices"] = [a.notice for a in built if a.notice]
    return summary


def _build(p: Profile, kind: str, rng: np.random.Generator, run: tuple[int, int]) -> Agent:
    """Generate one agent's activity, inject its scenario and settle its manifest and label."""
    issued, end, gen_end = run[0], run[1], run[1]
    expiry_ms = run[1] + int(rng.uniform(20, 180)) * DAY_MS
    notes: dict = {}
    retire = False
    if kind == "normal":
        u = rng.random()
        span = run[1] - run[0]
        if u < 0.10 and span > DAY_MS:  # instantiated mid-run
            issued = run[0] + int(rng.uniform(0.2, 0.6) * span) // 1000 * 1000
            notes["instantiated_mid_run"] = True
        elif u < 0.16 and span > DAY_MS:  # short-lived: stops acting before its expiry
            life = int(rng.uniform(0.3, 0.7) * span)
            expiry_ms = (run[0] + life) // 1000 * 1000
            gen_end = expiry_ms - int(rng.uniform(2, 12) * HOUR_MS)
            end = expiry_ms
            notes["short_lived"] = True
            retire = bool(rng.random() < 0.5)  # a proper decommission after its last action
    s, info = generate(p, rng, (issued, gen_end))
    scope = declared_scope(p.tools, p.pools, rng)
    expiry = ("ttl", (expiry_ms - issued) // DAY_MS * 86400) if rng.random() < 0.3 and not notes.get("short_lived") \
        else ("expires_at", expiry_ms)
    a = Agent(p=p, kind=kind, s=s, allowed=scope, issued_ms=issued, start_ms=issued, end_ms=end, run=run, expiry=expiry)
    if retire and len(s):
        t = int(s.t[-1]) + int(rng.uniform(5, 60) * 60_000)
        a.lifecycle.append({"kind": "decommission", "event_id": f"lc_{rng.bytes(8).hex()}", "time": t,
                            "actor": p.owner, "reason": "task finished; retired by its owner"})
        a.end_ms = t
        notes["decommissioned_at"] = iso(t)
    if kind in INJECTORS:
        T = pick_onset(s, rng, run, early=kind == "gradual_drift")
        INJECTORS[kind](a, rng, T)
        s.keep(s.t < run[1])
        if kind in ATTACK_KINDS and _onset(a)[1] is None:
            return _dropped(p, kind, rng, run, T)
        lo, hi = onset_window(run)
        if KIND_GROUP[kind] == "behavioural" and not lo <= T <= hi:  # intent checks need no warm-up
            a.shortened = (f"onset {iso(T)} " + ("inside the 1.5-day warm-up" if T < lo else "with under 6 h left") +
                           (f" (a {(run[1] - run[0]) / DAY_MS:g}-day run has no room after the warm-up)" if lo > hi else
                            f" (onsets belong in {iso(lo)} .. {iso(hi)})") + ": the learned side may not judge it")
    if a.rate is None:
        a.rate = declare_rate(s.t, rng)
    if kind == "noisy_normal":
        a.detail = {"spike_days": info["spike_days"], "end_of_day_batch": not p.always_on}
    elif kind == "normal":
        a.detail = notes
        if notes.get("short_lived"):
            a.detail["expires_at"] = iso(expiry_ms)
    a.detail = {"archetype_role": p.role, **a.detail}
    if a.shortened:
        a.detail["shortened"] = a.shortened
        a.notice = f"{p.agent_id}: scenario {kind} shortened: {a.shortened}"
    return a


def _dropped(p: Profile, kind: str, rng: np.random.Generator, run: tuple[int, int], T: int) -> Agent:
    """The agent of a scenario that marked no action (a run too short or an agent too quiet
    after the onset), simulated again as a normal agent, and said so."""
    why = f"no action of the agent after its onset {iso(T)} carried it in a {(run[1] - run[0]) / DAY_MS:g}-day run"
    a = _build(p, "normal", rng, run)
    a.detail["dropped_scenario"] = {"kind": kind, "why": why}
    a.notice = f"{p.agent_id}: scenario {kind} dropped ({why}); simulated as a normal agent"
    return a


def _manifest_doc(a: Agent, allowed: dict, model: dict | None = None) -> dict:
    doc = manifest(a.p, allowed, a.issued_ms, a.expiry, a.rate, model=model)
    IntentManifest.model_validate(doc)  # fail here, not in a user's replay
    return doc


def _onset(a: Agent) -> tuple[int | None, int | None]:
    """(onset ms, onset index among the agent's actions)."""
    if a.kind == "normal_update":
        return a.onset_ms, a.onset_seq
    if a.onset_seq is not None:
        return int(a.s.t[a.onset_seq]), a.onset_seq
    mal = np.flatnonzero(a.s.c["mal"])
    if len(mal) == 0:
        return None, None
    return int(a.s.t[mal[0]]), int(mal[0])


def _write_actions(path: Path, built: list[Agent], rng: np.random.Generator,
                   progress: Progress | None = None) -> tuple[int, dict[int, str]]:
    """All actions, sorted by (time, agent, the agent's own order); returns count and onset event ids."""
    lens = np.array([len(a.s) for a in built], np.int64)
    offsets = np.concatenate([[0], np.cumsum(lens)])
    n = int(offsets[-1])
    col = {k: np.concatenate([a.s.c[k] for a in built]) for k in COLUMNS}
    agent = np.repeat(np.arange(len(built)), lens)
    seq = np.arange(n) - offsets[agent]
    order = np.lexsort((seq, agent, col["t"]))
    ids = rng.bytes(12 * n).hex()
    pos = np.empty(n, np.int64)
    pos[order] = np.arange(n)
    onset_ids = {}
    for i, a in enumerate(built):
        _, k = _onset(a)
        if k is not None:
            g = int(pos[offsets[i] + k])
            onset_ids[i] = "evt_" + ids[24 * g: 24 * g + 24]
    tables = [_tables(a) for a in built]
    with open(path, "wb") as fh:
        for c0 in range(0, n, CHUNK):
            idx = order[c0: c0 + CHUNK]
            times = np.datetime_as_string(col["t"][idx].astype("datetime64[ms]"), unit="ms").tolist()
            ag, tool, op, res, dom, outc, cred, ip, ua, model, sess, nb, lat = (
                x[idx].tolist() for x in (agent, col["tool"], col["op"], col["res"], col["dom"], col["outcome"],
                                          col["cred"], col["ip"], col["ua"], col["model"], col["sess"],
                                          col["nbytes"], col["lat"]))
            buf = bytearray()  # orjson results carry spare capacity: copy out, do not keep them
            for k in range(len(idx)):
                tb = tables[ag[k]]
                g = 24 * (c0 + k)
                key, val = tb["server"][tool[k]]
                buf += orjson.dumps({
                    "event_id": "evt_" + ids[g: g + 24], "agent_id": tb["agent_id"], "time": times[k] + "Z",
                    "tool": tb["tools"][tool[k]], "operation": OPERATIONS[op[k]], "resource": tb["resources"][res[k]],
                    "data_domain": tb["domains"][dom[k]], "outcome": OUTCOMES[outc[k]],
                    "credential_id": tb["creds"][cred[k]], "source_ip": tb["ips"][ip[k]],
                    "model": tb["models"][model[k]], "task_id": tb["tasks"][sess[k]],
                    "session_id": tb["sessions"][sess[k]], "bytes": nb[k],
                    "attributes": {"latency_ms": lat[k], key: val, "user_agent": tb["uas"][ua[k]]},
                })
                buf += b"\n"
            fh.write(buf)
            if progress is not None:
                progress("actions", min(c0 + CHUNK, n), n)
    return n, onset_ids


def _tables(a: Agent) -> dict:
    """Lookup lists for writing one agent's actions (index -1 gives None)."""
    s = a.s
    return {
        "agent_id": a.p.agent_id, "tools": [t.name for t in s.tools], "server": [t.server for t in s.tools],
        "resources": s.resources + [None], "domains": s.domains + [None], "creds": s.creds, "ips": s.ips,
        "uas": s.uas, "models": s.models, "tasks": s.tasks, "sessions": s.sessions,
    }


def _write_lifecycle(path: Path, built: list[Agent]) -> dict:
    events = []
    for i, a in enumerate(built):
        for ev in a.lifecycle:
            doc = {"kind": ev["kind"], "event_id": ev["event_id"], "agent_id": a.p.agent_id, "time": iso(ev["time"]),
                   "actor": ev["actor"]}
            if ev["kind"] == "update":
                doc["manifest"] = _manifest_doc(a, ev["allowed"], ev["model"])
                doc["approved_by"] = ev["approved_by"]
            doc["reason"] = ev["reason"]
            events.append((ev["time"], i, doc))
    events.sort(key=lambda e: (e[0], e[1]))
    with open(path, "wb") as fh:
        for _, _, doc in events:
            fh.write(orjson.dumps(doc) + b"\n")
    kinds = [d["kind"] for _, _, d in events]
    return {k: kinds.count(k) for k in ("update", "decommission")}


def _write_intents(folder: Path, built: list[Agent], rng: np.random.Generator) -> int:
    """One file per manifest; a few bundled three to a multi-document YAML file, two as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # a previous run's manifests would register stale agents
        if old.is_file() and old.suffix in (".yaml", ".yml", ".json"):
            old.unlink()
    docs = [(a.p.agent_id, _manifest_doc(a, a.allowed)) for a in built if a.registered]
    order = rng.permutation(len(docs)).tolist()
    n_json = min(2, len(docs))
    n_bundled = (max(3, len(docs) // 16) // 3 * 3) if len(docs) >= 12 else 0
    as_json = set(order[:n_json])
    bundled = order[n_json: n_json + n_bundled]
    for k in range(0, len(bundled), 3):
        group = sorted(bundled[k: k + 3])
        text = yaml.dump_all([docs[j][1] for j in group], Dumper=DUMPER, sort_keys=False, explicit_start=True)
        (folder / f"bundle-{k // 3 + 1:02d}.yaml").write_text(text, encoding="utf-8")
    in_bundle = set(bundled)
    for j, (agent_id, doc) in enumerate(docs):
        if j in as_json:
            (folder / f"{agent_id}.json").write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        elif j not in in_bundle:
            (folder / f"{agent_id}.yaml").write_text(yaml.dump(doc, Dumper=DUMPER, sort_keys=False), encoding="utf-8")
    return len(docs)


def _write_labels(path: Path, built: list[Agent], onset_ids: dict[int, str]) -> None:
    with open(path, "wb") as fh:
        for i, a in enumerate(built):
            onset_ms, seq = _onset(a)
            if a.kind in ATTACK_KINDS and seq is None:
                raise AssertionError(f"{a.p.agent_id}: scenario {a.kind} injected nothing")
            fh.write(orjson.dumps({
                "agent_id": a.p.agent_id, "kind": a.kind, "group": KIND_GROUP[a.kind],
                "onset": iso(onset_ms) if onset_ms is not None else None, "onset_seq": seq,
                "onset_event_id": onset_ids.get(i), "start": iso(a.start_ms), "end": iso(a.end_ms),
                "archetype": a.p.arch.name, "detail": a.detail,
            }) + b"\n")

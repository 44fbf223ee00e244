"""A draft intent manifest from one agent's history, and how much of that history it covers.

What goes in (IAM Access Analyzer's policy generation is the model: least privilege from
what was actually used):

- ``allowed``: every tool, operation, data domain and resource the agent used; tools and
  resources widened to ``prefix*`` only where several distinct values share the prefix
  (``pipeline/suggest/patterns.py``); operations and data domains exact.
- ``schedule``: the local hours it was active in, outlying hours left out, widened by a
  margin that grows when there are few sessions to judge from; the quiet hours left are
  kept out, and a run of weekdays it never used (a weekend, judged as a whole) is left out,
  only when that quiet is significant (about a thousand to one against chance: for hours,
  at the pace of the window's first and last hours; for days, under the spread of the
  agent's sessions per active day). None when it works around the clock or no quiet is
  significant.
- ``rate_limit``: a token bucket per minute, ``headroom`` times a high quantile, over its
  active minutes, of the most actions it took in the 60 seconds before one of that minute's.
- ``model``: the one it used last (earlier ones are reported as left out);
  ``credentials``: every credential it used.
- ``enforcement: monitor``; ``owner``, ``approver`` and expiry left for a human, and
  ``purpose`` says it is a draft.

Coverage is measured with the engine's own intent checks: each action of the history is
put through the draft as replay would, and the ones a check flags are what the draft
left out.
"""

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import yaml

from intentwatch.models.action import OPERATIONS, Action
from intentwatch.models.baseline import epoch_seconds
from intentwatch.models.intent import DAYS, IntentManifest
from intentwatch.pipeline.engine.detectors import Detector
from intentwatch.pipeline.engine.detectors.cloud_calls import console_session
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.suggest.history import AgentHistory, History, LocalClock
from intentwatch.pipeline.suggest.patterns import generalise, generalise_tools

DRAFT_PURPOSE = "DRAFT suggested from history: state what this agent is for"
_RARE_ODDS = math.log(1000)  # quiet hours or a weekday's absence must be this unlikely (e^-x) by chance to be left out


@dataclass(frozen=True)
class DraftOptions:
    """How far drafts generalise. The defaults are judged on the simulated fleet (README, "Intents suggested from history")."""

    timezone: str = "UTC"
    min_distinct: int = 2           # distinct values under a prefix before it becomes a wildcard
    need_singleton: bool = False    # ... and one of them seen in a single session (sets that recur stay exact)
    alike: float = 0.75             # share of a resource prefix's next parts that must look alike (0: any mix)
    margin_hours: int = 1           # added to each side of the observed hours
    outlier_share: float = 0.01     # an island of hours with at most this share of sessions is left out
    rate_quantile: float = 0.999
    rate_headroom: float = 2.0
    rate_floor: int = 10            # never a limit under this many actions a minute
    thin_actions: int = 200         # fewer actions (or fewer active days) than this: flagged as thin
    thin_days: int = 3
    real_times: bool = True         # False: the reader made the times up (a transcript's file clock): no schedule, no rate


@dataclass
class Draft:
    """A suggested manifest and what the history says about it."""

    agent_id: str
    manifest: IntentManifest
    history: AgentHistory
    notes: list[str] = field(default_factory=list)       # how each part was decided
    left_out: Counter[str] = field(default_factory=Counter)  # rule id -> actions the draft flags
    examples: dict[str, Counter] = field(default_factory=dict)  # rule id -> observed values
    flagged: int = 0                                      # actions at least one check flags
    active_days: int = 0

    @property
    def covered(self) -> int:
        return self.history.n - self.flagged

    @property
    def coverage(self) -> float:
        return self.covered / self.history.n if self.history.n else 1.0

    def thin(self, o: DraftOptions) -> bool:
        return self.history.n < o.thin_actions or self.active_days < o.thin_days


# -- the parts ----------------------------------------------------------------------------
def _hour_window(per_hour: list[int], share: float) -> tuple[list[int], list[int]]:
    """Kept and left-out hours of day: islands of active hours (a single quiet hour does not
    split one) with at most ``share`` of the sessions are outliers, unless all are."""
    total = sum(per_hour)
    active = [h for h in range(24) if per_hour[h]]
    if len(active) == 24:
        return active, []
    # Islands, walking round the clock from just after a quiet hour.
    start = next(h for h in range(24) if not per_hour[h])
    islands: list[list[int]] = []
    quiet = 2
    for k in range(1, 25):
        h = (start + k) % 24
        if per_hour[h]:
            if quiet >= 2 or not islands:
                islands.append([])
            islands[-1].append(h)
            quiet = 0
        else:
            quiet += 1
    big = [i for i in islands if sum(per_hour[h] for h in i) > share * total]
    if not big:
        return active, []
    kept = sorted(h for i in big for h in i)
    return kept, sorted(set(active) - set(kept))


def _window(kept: list[int]) -> tuple[int, int]:
    """(start hour, length in hours) of the shortest arc of the clock that holds ``kept``."""
    ks = sorted(kept)
    gaps = [((ks[(i + 1) % len(ks)] - ks[i]) % 24 or 24, i) for i in range(len(ks))]
    size, i = max(gaps)
    begin = ks[(i + 1) % len(ks)]
    return begin, 24 - size + 1


def _runs(days: list[int]) -> list[list[int]]:
    """Runs of consecutive weekdays (0 is Monday; Sunday runs on into Monday).

    >>> _runs([0, 2, 5, 6])
    [[2], [5, 6, 0]]
    """
    have = set(days)
    if len(have) == 7:
        return [sorted(have)]
    out = []
    for d in sorted(have):
        if (d - 1) % 7 in have:
            continue  # inside a run that starts earlier
        run = [d]
        while (run[-1] + 1) % 7 in have:
            run.append((run[-1] + 1) % 7)
        out.append(run)
    return out


def zero_day_odds(counts: list[int]) -> float:
    """-ln of the chance that a working day passes with no session, from the sessions of the
    days it worked: Poisson at their mean, or, when they vary more than a Poisson would (a
    batch day, then quiet ones: whole days go quiet more often than independent sessions
    suggest), a negative binomial with their mean and variance. Zero days are not among
    ``counts``, so this leans towards leaving a weekday out.

    >>> round(zero_day_odds([8, 8, 8, 8, 8]), 1), round(zero_day_odds([4, 4, 4, 4, 4, 36]), 1)
    (8.0, 1.6)
    """
    n = len(counts)
    mean = sum(counts) / n if n else 0.0
    var = sum((c - mean) ** 2 for c in counts) / (n - 1) if n > 1 else 0.0
    if var <= mean:
        return mean
    r = mean * mean / (var - mean)
    return r * math.log1p(mean / r)


def suggest_schedule(h: AgentHistory, end_ts: float, o: DraftOptions, clock: LocalClock) -> tuple[dict | None, list[str], int]:
    """The schedule, notes on it, and the number of days the agent was active."""
    per_hour = [0] * 24
    for (_day, hour), (_n, sessions) in h.hours.items():
        per_hour[hour] += sessions
    kept, dropped = _hour_window(per_hour, o.outlier_share)
    begin, length = _window(kept)
    sessions = max(1, sum(per_hour[x] for x in kept))
    margin = o.margin_hours + int(3 * length / (sessions + 1))
    notes = []
    if dropped:
        notes.append(f"hours {', '.join(f'{x:02d}:00' for x in dropped)} ({sum(per_hour[x] for x in dropped)} sessions) "
                     f"left out as outliers")
    full_day = length + 2 * margin >= 24
    quiet = 24 - length - 2 * margin
    # Quiet hours are kept out only when their quiet is significant: at the pace of the
    # window's first and last hours (activity fades out, it rarely stops dead) they would
    # have seen about ``edge * quiet`` sessions; under ln(1000) that proves nothing.
    edge = (per_hour[begin] + per_hour[(begin + length - 1) % 24]) / 2
    if not full_day and edge * quiet < _RARE_ODDS:
        full_day = True
        notes.append(f"quiet {quiet} h a day, but at {edge:.1f} sessions an hour at the window's edges that is no evidence: "
                     f"no hours")
    lo, hi = (0, 24) if full_day else ((begin - margin) % 24, (begin + length + margin) % 24 or 24)
    wraps = not full_day and hi <= lo
    # Active days, counted as the schedule counts them: a window past midnight belongs to the day it starts.
    active: dict[int, int] = {}
    for (day, hour), (_n, s) in h.hours.items():
        wday = day - 1 if wraps and hour < hi else day
        active[wday] = active.get(wday, 0) + s
    first_day, _, _ = clock(h.first_ts)
    last_day, _, _ = clock(end_ts)
    covered = Counter(date.fromordinal(d).weekday() for d in range(first_day + 1, last_day))  # whole days only
    worked = Counter(date.fromordinal(d).weekday() for d in active)
    per_day = sum(active.values()) / max(1, len(active))
    odds = zero_day_odds(list(active.values()))
    # Each run of weekdays it never worked (Saturday and Sunday together) is judged as a whole:
    # under "these are working days", every one of them passing empty is e^-(odds x days).
    off: set[int] = set()
    for run in _runs([d for d in range(7) if covered[d] and not worked[d]]):
        if odds * sum(covered[d] for d in run) >= _RARE_ODDS:
            off.update(run)
    days = [DAYS[d] for d in range(7) if d not in off]
    skipped = [DAYS[d] for d in range(7) if DAYS[d] not in days]
    if skipped:
        notes.append(f"never active on {', '.join(skipped)} ({per_day:.1f} sessions a working day; a day with none "
                     f"e^-{odds:.1f})")
    elif odds < per_day and any(covered[d] and not worked[d] for d in range(7)):
        notes.append(f"days with none kept: its days vary ({per_day:.1f} sessions a working day), a day with none is "
                     f"e^-{odds:.1f}")
    if full_day and not skipped:
        notes.append("active around the clock: no schedule" if quiet <= 0 else "every day, no significant quiet hours: no schedule")
        return None, notes, len(active)
    hours = f"{lo:02d}:00-{hi:02d}:00"
    notes.append(f"active {begin:02d}:00 for {length} h, margin {margin} h each side -> {hours} {o.timezone}")
    return {"timezone": o.timezone, "days": days, "hours": hours}, notes, len(active)


def suggest_rate(h: AgentHistory, o: DraftOptions) -> tuple[dict, list[str]]:
    """A per-minute token bucket: ``headroom`` x the ``rate_quantile`` of the agent's per-minute peaks."""
    t = np.sort(np.frombuffer(h.times, dtype=np.float64))
    in_minute = np.arange(len(t)) - np.searchsorted(t, t - 60.0, side="right") + 1
    # Each active minute counts once, with its peak: a rare burst is a few minutes, not its many actions.
    minute = (t // 60).astype(np.int64)
    starts = np.concatenate([[0], np.flatnonzero(np.diff(minute)) + 1])
    q = float(np.quantile(np.maximum.reduceat(in_minute, starts), o.rate_quantile, method="higher"))
    want = max(o.rate_floor, math.ceil(q * o.rate_headroom))
    step = 5 if want < 100 else 10 if want < 1000 else 50
    limit = -(-want // step) * step
    return {"max_actions": limit, "per_seconds": 60}, [
        f"busiest 60 s: {int(in_minute.max())} actions; in {o.rate_quantile:.1%} of its active minutes at most {q:.0f} "
        f"-> {limit} a minute"]


def suggest_model(h: AgentHistory) -> tuple[dict | None, list[str]]:
    if not h.models:
        return None, []
    (mid, ver), (n, _) = max(h.models.items(), key=lambda kv: (kv[1][1], kv[1][0]))
    out = {"id": mid} if ver is None else {"id": mid, "version": ver}
    notes = []
    if len(h.models) > 1:
        older = ", ".join(f"{m}{'@' + v if v else ''} ({int(c):,} actions)" for (m, v), (c, _) in h.models.items()
                          if (m, v) != (mid, ver))
        notes.append(f"model: the last one used; before it {older}")
    return out, notes


def suggest(h: AgentHistory, end_ts: float, o: DraftOptions, clock: LocalClock) -> Draft:
    """The draft manifest for one agent."""
    tools = generalise_tools(h.tools.sessions, min_distinct=o.min_distinct, need_singleton=o.need_singleton)
    resources = generalise(h.resources.sessions, min_distinct=o.min_distinct, alike=o.alike, need_singleton=o.need_singleton)
    schedule, notes, active_days = suggest_schedule(h, end_ts, o, clock)
    rate, rate_notes = suggest_rate(h, o)
    if not o.real_times:  # hours and per-minute rates of a made-up clock say nothing of the agent
        schedule, rate = None, None
        notes, rate_notes = ["times assumed by the reader (no time in the history): no schedule, no rate limit"], []
    model, model_notes = suggest_model(h)
    for what, g, n in (("tools", tools, len(h.tools)), ("resources", resources, len(h.resources))):
        wild = g.wildcards()
        if wild:
            notes.append(f"{what}: {n} seen, {len(g.patterns)} patterns ({', '.join(wild[:4])}{', ...' if len(wild) > 4 else ''})")
    doc: dict = {
        "agent_id": h.agent_id,
        "owner": None,
        "purpose": DRAFT_PURPOSE,
        "allowed": {
            "tools": tools.patterns,
            "operations": [op for op in OPERATIONS if op in h.operations.actions],
            "data_domains": sorted(h.data_domains.actions),
            "resources": resources.patterns,
        },
    }
    if schedule is not None:
        doc["schedule"] = schedule
    if rate is not None:
        doc["rate_limit"] = rate
    if model is not None:
        doc["model"] = model
    doc["credentials"] = h.credentials.by_use()
    doc["enforcement"] = "monitor"
    doc["approver"] = None
    m = IntentManifest.model_validate(doc)
    return Draft(h.agent_id, m, h, notes + rate_notes + model_notes, active_days=active_days)


def suggest_all(history: History, o: DraftOptions) -> dict[str, Draft]:
    clock = LocalClock(o.timezone)
    return {a: suggest(h, history.end_ts, o, clock) for a, h in sorted(history.agents.items())}


# -- coverage -----------------------------------------------------------------------------
class Coverage:
    """Puts each action of the history through its agent's draft with the engine's intent checks."""

    def __init__(self, drafts: dict[str, Draft], checks: list[Detector]):
        self.drafts = drafts
        self.states: dict[str, AgentState] = {}
        for a, d in drafts.items():
            st = AgentState(a)
            st.apply_manifest(d.manifest, "draft", d.history.first_ts, None, checks)
            self.states[a] = st

    def check(self, a: Action, until_ts: float) -> None:
        st = self.states.get(a.agent_id)
        ts = epoch_seconds(a.time)
        if st is None or ts >= until_ts or console_session(a):  # left out of the history too
            return
        d = self.drafts[a.agent_id]
        hit = False
        for det in st.checks:
            f = det.check(a, st, ts)
            if f is not None:
                hit = True
                d.left_out[f.rule.id] += 1
                d.examples.setdefault(f.rule.id, Counter())[str(f.observed)] += 1
        d.flagged += hit


def left_out_text(d: Draft, limit: int = 3) -> str:
    """One line: per rule, how many actions the draft flags and the commonest values."""
    parts = []
    for rule, n in d.left_out.most_common():
        ex = d.examples.get(rule, Counter())
        top = ", ".join(v for v, _ in ex.most_common(limit)) if rule != "intent.rate_exceeded" else ""
        parts.append(f"{rule.split('.', 1)[1]} {n:,}" + (f" ({top})" if top else ""))
    return "; ".join(parts)


def utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


# -- the file -----------------------------------------------------------------------------
_KEYS = ("version", "agent_id", "owner", "purpose", "allowed", "schedule", "rate_limit", "model", "credentials",
         "enforcement", "approver")
_HUMAN = {
    "owner": "DRAFT: name the accountable human or team",
    "approver": "DRAFT: who approves changes to this intent",
}


def render(d: Draft, o: DraftOptions) -> str:
    """The draft as commented YAML: a header saying it is a draft and what it rests on, then the manifest."""
    h = d.history
    head = [
        f"# DRAFT intent manifest for {d.agent_id}, suggested by `intentwatch intents suggest`",
        f"# from {h.n:,} actions between {utc(h.first_ts)} and {utc(h.last_ts)} ({d.active_days} active days).",
        "# Review every line before use: a human names the owner and the approver, states the",
        "# purpose, sets an expiry (expires_at or ttl), and narrows what the agent should not do.",
        f"# Covers {d.coverage:.2%} of that history" + (f"; left out: {left_out_text(d)}" if d.left_out else "") + ".",
    ]
    if d.thin(o):
        head.append(f"# THIN HISTORY: fewer than {o.thin_actions} actions or {o.thin_days} active days; expect it to be too narrow.")
    head += [f"# - {n}" for n in d.notes]
    dump = d.manifest.model_dump(mode="json")
    doc = {k: dump[k] for k in _KEYS if dump.get(k) is not None or k in _HUMAN}
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    lines = []
    for line in body.splitlines():
        key = line.split(":", 1)[0]
        lines.append(f"{line}  # {_HUMAN[key]}" if key in _HUMAN else line)
    return "\n".join(head + lines) + "\n"


def file_name(agent_id: str, taken: set[str]) -> str:
    """A safe, unique file name for an agent id (ARNs and paths included).

    >>> file_name("arn:aws:iam::123:role/ci", set())
    'arn_aws_iam__123_role_ci.yaml'
    """
    base = re.sub(r"[^A-Za-z0-9._-]", "_", agent_id).strip("._") or "agent"
    name = f"{base[:150]}.yaml"
    if name in taken:
        name = f"{base[:150]}-{hashlib.sha256(agent_id.encode()).hexdigest()[:8]}.yaml"
    taken.add(name)
    return name


def write_drafts(drafts: dict[str, Draft], out: Path, o: DraftOptions) -> list[Path]:
    """One YAML file per draft under ``out`` (created); returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    paths = []
    for d in drafts.values():
        p = out / file_name(d.agent_id, taken)
        p.write_text(render(d, o), encoding="utf-8")
        paths.append(p)
    return paths

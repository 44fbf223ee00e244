"""Normal activity of one agent: sessions of tool calls inside its working hours.

An agent's actions are held as numpy columns (times in epoch milliseconds, everything
else as indexes into the agent's own tables), so a fleet of a thousand agents over weeks
fits in memory and is generated in seconds.
"""

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from intentwatch.models.action import OPERATIONS
from intentwatch.pipeline.lab.simulate.archetypes import ToolSpec
from intentwatch.pipeline.lab.simulate.profiles import Profile

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
OUTCOMES = ("success", "failure", "denied", "error")
OP_INDEX = {op: i for i, op in enumerate(OPERATIONS)}
COLUMNS = {  # name -> dtype
    "t": np.int64, "tool": np.int32, "op": np.int8, "res": np.int32, "dom": np.int32, "outcome": np.int8,
    "cred": np.int16, "ip": np.int16, "ua": np.int16, "model": np.int8, "sess": np.int32, "nbytes": np.int64,
    "lat": np.int32, "mal": np.bool_,
}


@dataclass
class Stream:
    """One agent's actions as columns, and the tables the index columns point into.

    ``res`` and ``dom`` are -1 for "no resource" / "no domain". ``mal`` marks the
    actions a scenario injected or changed (the attack); the label's onset is the first.
    """

    rng: np.random.Generator
    tools: list[ToolSpec]
    creds: list[str]
    ips: list[str]
    uas: list[str]
    models: list[dict]
    c: dict[str, np.ndarray] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)
    res_dom: list[int] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    task_prefix: str = ""
    _res_ix: dict[str, int] = field(default_factory=dict)
    _dom_ix: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.c:
            self.c = {k: np.zeros(0, dtype=d) for k, d in COLUMNS.items()}

    def __len__(self) -> int:
        return len(self.c["t"])

    @property
    def t(self) -> np.ndarray:
        return self.c["t"]

    # -- tables ---------------------------------------------------------------------
    def domain_index(self, domain: str | None) -> int:
        if domain is None:
            return -1
        if domain not in self._dom_ix:
            self._dom_ix[domain] = len(self.domains)
            self.domains.append(domain)
        return self._dom_ix[domain]

    def resource_index(self, resource: str, domain: str | None) -> int:
        if resource not in self._res_ix:
            self._res_ix[resource] = len(self.resources)
            self.resources.append(resource)
            self.res_dom.append(self.domain_index(domain))
        return self._res_ix[resource]

    def tool_index(self, spec: ToolSpec) -> int:
        for i, t in enumerate(self.tools):
            if t == spec:
                return i
        self.tools.append(spec)
        return len(self.tools) - 1

    def new_session(self, task: str | None = None) -> int:
        self.sessions.append(f"sess_{self.rng.bytes(8).hex()}")
        self.tasks.append(task or f"{self.task_prefix}{int(self.rng.integers(10_000, 10_000_000))}")
        return len(self.sessions) - 1

    # -- derived columns ------------------------------------------------------------
    def domains_for(self, tool: np.ndarray, res: np.ndarray) -> np.ndarray:
        """A tool's fixed domain, else the domain of the resource it touched."""
        fixed = np.array([self.domain_index(t.domain) for t in self.tools], dtype=np.int32)
        rdom = np.array(self.res_dom + [-1], dtype=np.int32)  # index -1 -> no domain
        return np.where(fixed[tool] >= 0, fixed[tool], rdom[res])

    def payload(self, tool: np.ndarray, scale: float = 1.0) -> np.ndarray:
        med = np.array([t.kb * 1024 for t in self.tools])[tool] * scale
        sig = np.array([t.sigma for t in self.tools])[tool]
        return np.maximum(64, np.exp(np.log(med) + sig * self.rng.standard_normal(len(tool)))).astype(np.int64)

    def session_first(self) -> np.ndarray:
        """Index of the first action of each session (-1 for a session with none)."""
        first = np.full(len(self.sessions), -1, dtype=np.int64)
        idx = np.arange(len(self))[::-1]
        first[self.c["sess"][::-1]] = idx
        return first

    def rows(self, t: np.ndarray, tool: np.ndarray, res: np.ndarray, sess: np.ndarray, *, mal: bool = True,
             nbytes: np.ndarray | None = None, **over: np.ndarray | int) -> dict[str, np.ndarray]:
        """New actions; credential, IP, agent and model follow their session unless given."""
        n = len(t)
        tool = np.asarray(tool, dtype=np.int32)
        res = np.asarray(res, dtype=np.int32)
        sess = np.asarray(sess, dtype=np.int32)
        first = self.session_first()
        rows = {
            "t": np.asarray(t, dtype=np.int64), "tool": tool,
            "op": np.array([OP_INDEX[self.tools[i].op] for i in tool], dtype=np.int8),
            "res": res, "dom": self.domains_for(tool, res), "outcome": np.zeros(n, np.int8),
            "sess": sess, "nbytes": self.payload(tool) if nbytes is None else np.asarray(nbytes, np.int64),
            "lat": _latency(self.rng, n), "mal": np.full(n, mal),
        }
        for k in ("cred", "ip", "ua", "model"):
            if k in over:
                rows[k] = np.broadcast_to(np.asarray(over[k], dtype=COLUMNS[k]), (n,)).copy()
            else:
                f = first[sess]
                if (f < 0).any():
                    raise ValueError(f"new session without {k}")
                rows[k] = self.c[k][f]
        return rows

    # -- editing ----------------------------------------------------------------------
    def append(self, rows: dict[str, np.ndarray]) -> None:
        for k, d in COLUMNS.items():
            self.c[k] = np.concatenate([self.c[k], np.asarray(rows[k], dtype=d)])
        self.sort()

    def keep(self, mask: np.ndarray) -> None:
        for k in self.c:
            self.c[k] = self.c[k][mask]

    def sort(self) -> None:
        """Order by time; equal times keep their order (stable)."""
        order = np.argsort(self.c["t"], kind="stable")
        for k in self.c:
            self.c[k] = self.c[k][order]

    def set_tools(self, mask: np.ndarray, tool: np.ndarray, res: np.ndarray) -> None:
        """Replace the tool (and what follows from it) of the actions under ``mask``."""
        tool = np.asarray(tool, dtype=np.int32)
        res = np.asarray(res, dtype=np.int32)
        self.c["tool"][mask] = tool
        self.c["op"][mask] = [OP_INDEX[self.tools[i].op] for i in tool]
        self.c["res"][mask] = res
        self.c["dom"][mask] = self.domains_for(tool, res)
        self.c["nbytes"][mask] = self.payload(tool)


def _latency(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(320), 0.7, n), 15, 60_000).astype(np.int32)


def local_ms(day, minute: int, tz: ZoneInfo) -> int:
    """Epoch ms of ``minute`` after local midnight of ``day`` (24:00 is the next midnight)."""
    d = datetime(day.year, day.month, day.day, tzinfo=tz) if minute < 1440 else \
        datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    if minute < 1440:
        d = d.replace(hour=minute // 60, minute=minute % 60)
    return int(d.timestamp() * 1000)


def _segments(p: Profile, rng: np.random.Generator, life: tuple[int, int]):
    """Hour-long slices of the agent's active time, each with its expected session count.

    Returns arrays (lo, hi, window_end, expected sessions, batch flag) and the local dates
    that were spike days (for the label of a noisy agent).
    """
    tz = ZoneInfo(p.tz)
    first = datetime.fromtimestamp(life[0] / 1000, tz).date() - timedelta(days=1)
    last = datetime.fromtimestamp(life[1] / 1000, tz).date() + timedelta(days=1)
    per_day = p.daily / p.session_mean
    los, his, ends, ws_, batch = [], [], [], [], []
    spikes = []
    day = first
    while day <= last:
        wd = day.weekday()
        if wd in p.workdays:
            ws, we = local_ms(day, p.window[0], tz), local_ms(day, p.window[1], tz)
            n = -(-(we - ws) // HOUR_MS)
            lo = ws + np.arange(n, dtype=np.int64) * HOUR_MS
            hi = np.minimum(lo + HOUR_MS, we)
            if p.always_on:
                hour = (lo - ws) // HOUR_MS
                shape = np.select([hour < 7, hour < 9, hour < 18, hour < 22], [0.35, 0.7, 1.0, 0.7], 0.45)
            else:
                pos = ((lo + hi) / 2 - ws) / (we - ws)
                shape = (0.55 + 0.9 * np.sin(np.pi * pos)) * np.where((pos > 0.42) & (pos < 0.55), 0.65, 1.0)
            shape = shape * (hi - lo) / HOUR_MS
            factor = rng.lognormal(0, 0.25) * {0: 1.15, 4: 0.9}.get(wd, 1.0)
            if p.always_on and wd >= 5:
                factor *= 0.6
            is_batch = np.zeros(n, bool)
            if p.noisy:
                factor *= rng.lognormal(0, 0.45)
                if rng.random() < 0.15:
                    factor *= rng.uniform(3, 6)
                    spikes.append(day.isoformat())
                if day.day >= calendar.monthrange(day.year, day.month)[1] - 1:  # month-end close
                    factor *= 4
                    spikes.append(day.isoformat())
                if not p.always_on:  # end-of-day batch in the last hour
                    shape[-1] *= 4
                    is_batch[-1] = True
            expected = per_day * factor * shape / shape.sum()
            # Clip to the agent's life; a partly covered slice keeps its share.
            clo, chi = np.maximum(lo, life[0]), np.minimum(hi, life[1])
            ok = chi > clo
            frac = np.where(ok, (chi - clo) / np.maximum(hi - lo, 1), 0)
            los.append(clo[ok]), his.append(chi[ok]), ends.append(np.full(ok.sum(), min(we, life[1])))
            ws_.append((expected * frac)[ok]), batch.append(is_batch[ok])
        day += timedelta(days=1)
    cat = lambda xs, d: np.concatenate(xs).astype(d) if xs else np.zeros(0, d)  # noqa: E731
    return (cat(los, np.int64), cat(his, np.int64), cat(ends, np.int64), cat(ws_, float), cat(batch, bool)), sorted(set(spikes))


def generate(p: Profile, rng: np.random.Generator, life: tuple[int, int]) -> tuple[Stream, dict]:
    """Normal activity of ``p`` over ``life`` (epoch ms, [start, end)).

    Sessions start at random in the agent's working hours (busier mid-day, quieter at
    night for 24/7 agents); inside a session actions are seconds apart and share a task,
    a credential and a source IP. Tools follow a per-session task type; resources repeat
    (a session tends to stay on one). Returns the stream and facts for the label.
    """
    s = Stream(rng, list(p.tools), list(p.creds), list(p.ips), [p.arch.user_agent], [dict(p.model)],
               task_prefix=p.arch.task_prefix)
    (lo, hi, wend, expected, batch), spikes = _segments(p, rng, life)
    info = {"spike_days": spikes}
    total = float(expected.sum())
    n_sess = int(rng.poisson(total)) if total > 0 else 0
    if n_sess == 0:
        return s, info
    seg = np.sort(rng.choice(len(lo), n_sess, p=expected / total))
    start = lo[seg] + (rng.random(n_sess) * (hi[seg] - lo[seg])).astype(np.int64)
    mean = p.session_mean * np.where(batch[seg], 2.5, 1.0)
    size = 1 + np.minimum(rng.negative_binomial(1.5, 1.5 / (1.5 + mean - 1)), 150)
    # Times inside each session: cumulative log-normal gaps from the session start.
    n = int(size.sum())
    sid = np.repeat(np.arange(n_sess), size)
    gaps = np.clip(rng.lognormal(np.log(p.gap_median), 0.9, n), 0.15, 90) * 1000
    heads = np.concatenate([[0], np.cumsum(size)[:-1]])
    gaps[heads] = 0
    cum = np.cumsum(gaps)
    t = start[sid] + (cum - cum[heads][sid]).astype(np.int64)
    keep = (t <= wend[seg][sid]) & (t < life[1])
    # Session-level draws: task type, credential, IP; tasks span one to three sessions.
    n_types = 3
    type_p = rng.dirichlet([2.0] * n_types)
    w = p.tool_weights
    mix = 0.85 * rng.dirichlet(60 * w + 0.05, size=n_types) + 0.15 * w
    stype = rng.choice(n_types, n_sess, p=type_p)
    scred = rng.choice(len(p.creds), n_sess, p=[0.85, 0.15] if len(p.creds) == 2 else None)
    sip = rng.choice(len(p.ips), n_sess, p=p.ip_weights)
    new_task = rng.random(n_sess) < 0.6
    new_task[0] = True
    task_no = rng.integers(10_000, 10_000_000, n_sess)[np.maximum.accumulate(np.where(new_task, np.arange(n_sess), 0))]
    hexes = rng.bytes(8 * n_sess).hex()
    s.sessions = [f"sess_{hexes[16 * i: 16 * i + 16]}" for i in range(n_sess)]
    s.tasks = [f"{p.arch.task_prefix}{x}" for x in task_no.tolist()]
    tool = np.empty(n, np.int32)
    atype = stype[sid]
    for j in range(n_types):
        m = atype == j
        tool[m] = rng.choice(len(p.tools), int(m.sum()), p=mix[j] / mix[j].sum())
    res = np.full(n, -1, np.int32)
    for rk, pool in p.pools.items():
        ids = [s.resource_index(r, d) for r, d, _ in pool.entries[: pool.n_normal]]
        for r, d, _ in pool.entries[pool.n_normal:]:
            s.resource_index(r, d)  # reserve: known to the tables, never drawn here
        rk_tools = np.array([i for i, tl in enumerate(p.tools) if tl.rkind == rk])
        m = np.isin(tool, rk_tools)
        k = int(m.sum())
        if not k:
            continue
        ids_a = np.array(ids, np.int32)
        focus = ids_a[rng.choice(pool.n_normal, n_sess, p=pool.weights)]
        draw = ids_a[rng.choice(pool.n_normal, k, p=pool.weights)]
        res[m] = np.where(rng.random(k) < 0.6, focus[sid[m]], draw)
    outcome = rng.choice(4, n, p=p.outcome_p).astype(np.int8)
    nbytes = s.payload(tool, p.byte_scale)
    nbytes[outcome > 0] = rng.integers(120, 900, int((outcome > 0).sum()))
    cols = {
        "t": t, "tool": tool, "op": np.array([OP_INDEX[tl.op] for tl in p.tools], np.int8)[tool], "res": res,
        "dom": s.domains_for(tool, res), "outcome": outcome, "cred": scred[sid], "ip": sip[sid],
        "ua": np.zeros(n), "model": np.zeros(n), "sess": sid, "nbytes": nbytes, "lat": _latency(rng, n),
        "mal": np.zeros(n, bool),
    }
    s.c = {k: np.asarray(v, dtype=COLUMNS[k])[keep] for k, v in cols.items()}
    s.sort()
    return s, info


def window_counts(t: np.ndarray, per_ms: int) -> np.ndarray:
    """For each action, how many actions fall in the trailing window (t - per, t]."""
    return np.arange(len(t)) - np.searchsorted(t, t - per_ms, side="right") + 1

"""The agent while the simulator builds it, and what the scenario injectors share: where an
onset may fall, which sessions an attack joins, resources drawn as the agent draws them."""

from dataclasses import dataclass, field

import numpy as np

from intentwatch.pipeline.lab.simulate.activity import DAY_MS, HOUR_MS, Stream
from intentwatch.pipeline.lab.simulate.profiles import Profile


@dataclass
class Agent:
    """One simulated agent while it is being built."""

    p: Profile
    kind: str
    s: Stream
    allowed: dict
    issued_ms: int
    start_ms: int                     # label start (agent-hours)
    end_ms: int                       # label end
    run: tuple[int, int]
    expiry: tuple[str, int]           # ("expires_at", ms) or ("ttl", seconds)
    registered: bool = True
    rate: dict | None = None
    lifecycle: list[dict] = field(default_factory=list)
    detail: dict = field(default_factory=dict)
    onset_ms: int | None = None       # set when the onset is not the first marked action
    onset_seq: int | None = None
    shortened: str | None = None      # why the scenario is shorter than it should be
    notice: str | None = None         # one line for the user: the scenario dropped or shortened


# -- helpers -------------------------------------------------------------------------------
def clean_instant(s: Stream, T: int) -> int:
    """``T`` moved back until no action happens exactly then (so "after" is unambiguous)."""
    while len(s) and (s.t == T).any():
        T -= 1
    return T


def onset_window(run: tuple[int, int]) -> tuple[int, int]:
    """Where an onset belongs: after 1.5 days of warm-up, leaving time for the attack."""
    lo = run[0] + int(1.5 * DAY_MS)
    return lo, run[1] - max(6 * HOUR_MS, int(0.2 * (run[1] - lo)))


def pick_onset(s: Stream, rng: np.random.Generator, run: tuple[int, int], early: bool = False) -> int:
    """An instant just before one of the agent's actions, after 1.5 days of warm-up.

    The onset lands in the agent's active hours and leaves time after it for the attack.
    Runs too short for the warm-up fall back to the middle of the agent's activity.
    """
    lo, hi = onset_window(run)
    cand = np.flatnonzero((s.t >= lo) & (s.t <= hi))
    if len(cand) == 0:
        cand = np.arange(len(s) // 2, max(len(s) // 2 + 1, int(len(s) * 0.9)))
    if early:
        cand = cand[: max(1, len(cand) // 3)]
    i = int(cand[rng.integers(len(cand))])
    return clean_instant(s, int(s.t[i]) - int(rng.integers(1_000, 300_000)))


def sessions_after(s: Stream, T: int) -> np.ndarray:
    """Sessions with an action at or after ``T`` (a task under way counts), in time order."""
    idx = np.flatnonzero(s.t >= T)
    sess, first = np.unique(s.c["sess"][idx], return_index=True)
    return sess[np.argsort(first, kind="stable")]


def choose_sessions(s: Stream, rng: np.random.Generator, T: int, share: float) -> np.ndarray:
    """About ``share`` of the sessions after ``T``; always the first one."""
    sess = sessions_after(s, T)
    if len(sess) == 0:
        return sess
    pick = rng.random(len(sess)) < share
    pick[0] = True
    return sess[pick]


def time_in_session(s: Stream, rng: np.random.Generator, sess: int, after: int) -> int:
    """An instant after ``after`` between two actions of session ``sess`` (or just after its last)."""
    idx = np.flatnonzero(s.c["sess"] == sess)
    j = int(rng.integers(int(np.searchsorted(s.t[idx], after)), len(idx)))
    t0 = int(s.t[idx[j]])
    if j + 1 < len(idx):
        return t0 + max(1, int((int(s.t[idx[j + 1]]) - t0) * rng.uniform(0.2, 0.8)))
    return t0 + int(rng.integers(800, 8_000))


def draw_resources(a: Agent, rng: np.random.Generator, tools: np.ndarray) -> np.ndarray:
    """Resources for these tools from the agent's pools (normal part, own weights)."""
    s = a.s
    res = np.full(len(tools), -1, np.int32)
    for ti in np.unique(tools):
        rk = s.tools[ti].rkind
        m = tools == ti
        if s.tools[ti].resource is not None:
            res[m] = s.resource_index(s.tools[ti].resource, s.tools[ti].domain)
        elif rk is not None:
            pool = a.p.pools[rk]
            ids = np.array([s.resource_index(r, d) for r, d, _ in pool.entries[: pool.n_normal]], np.int32)
            res[m] = ids[rng.choice(pool.n_normal, int(m.sum()), p=pool.weights)]
    return res


def fill(template: str, a: Agent) -> str:
    return template.format(acct=a.p.ident.acct, alias=a.p.ident.alias, agent=a.p.agent_id)

"""Bytes per action, learned per tool and for the agent as a whole, on a log scale."""

import math
import sys
from typing import Any, Final

from intentwatch.models.baseline.base import Learner, fading

_RAISED_PRIOR: Final = 0.05  # a new tool's share of raised transfers starts at 5%
_RAISED_PRIOR_WEIGHT: Final = 20.0


class Figures:
    """What ``VolumeProfile`` knows of one group (or of the whole agent), on the log scale.

    Compiled, the figures are stored in the object as machine numbers: about half the memory
    of six floats in a list, read and written without boxing.
    """

    __slots__ = ("mean", "dev", "obs", "last", "raised", "run")

    def __init__(self, row: list[Any] | None = None):
        self.mean = 0.0    # of log2(bytes + 1)
        self.dev = 0.0     # mean absolute deviation from it
        self.obs = 0.0     # observations (weighted)
        self.last = 0      # the profile's update count at the last update, for eviction
        self.raised = _RAISED_PRIOR  # share of raised transfers
        self.run = 0.0     # shift CUSUM, bits
        if row:  # persisted; rows persisted before the shift figures have only the first four
            self.mean, self.dev, self.obs, self.last = float(row[0]), float(row[1]), float(row[2]), int(row[3])
            if len(row) > 4:
                self.raised, self.run = float(row[4]), float(row[5])

    def row(self) -> list[Any]:
        """The persisted form: the six figures in the order above."""
        # "last" is the integer clock, persisted as 0.0 until the first update
        return [self.mean, self.dev, self.obs, self.last or 0.0, self.raised, self.run]


class VolumeProfile(Learner):
    """How many bytes an agent's actions move, per group (tool) and overall, and how far
    above its usual an action is.

    Works on ``log2(bytes + 1)``: an exponentially weighted mean and mean absolute
    deviation per group, and the same for the whole agent. ``score_one`` is one-sided:
    how many deviations the action's log-bytes lie *above* the group's mean (the agent's
    when no group is given), 0 below it, and 0 for a group with fewer than ``min_group``
    observations. A tool that
    normally moves 12 KB and now moves 1.8 MB (7 doublings) with a spread of one doubling
    scores about 7. Missing bytes score 0.

    Learning is winsorised: once a group has ``min_group`` observations, a value further
    than ``clip`` deviations from its mean is learned as if it were ``clip`` deviations
    away, so a few huge transfers cannot drag the usual up to themselves.

    A sustained shift of a tool's sizes can hide inside its own tail: an export 100 times
    the usual is unremarkable once, where the tool's sizes vary by thousands. So each group
    also learns what share of its transfers are *raised* (more than ``raised_sd`` deviations
    above its mean), and ``shift`` keeps a per-group Bernoulli CUSUM of "raised transfers
    now come at 5 times that share (at least 20%, at most 60%)" against the learned share:
    evidence in bits. A tool whose transfers are raised more than 60% of the time is not judged.

    Bounded: at most ``max_groups`` groups (the least recently used is evicted), each a
    ``Figures`` of six floats.

    Parameters
    ----------
    half_life
        Observations after which one counts half, for a group and for the agent.
    max_groups
        Most groups (tools) remembered.
    min_group
        Observations a group needs before its own figures are used.
    min_spread
        Floor of the deviation, in doublings, so a tool that always moves the same size
        does not make a byte more look like an attack.
    clip
        Deviations beyond which a value is learned winsorised.
    raised_sd
        Deviations above the mean that make a transfer "raised" for ``shift``.
    shift_min
        Observations a group needs before ``shift`` gathers evidence for it.
    key, group_key
        Features read from ``x``.

    Examples
    --------
    >>> import random
    >>> rng = random.Random(1)
    >>> v = VolumeProfile()
    >>> for _ in range(300):
    ...     v.learn_one({"tool": "github.get_file_contents", "bytes": int(rng.lognormvariate(9.4, 0.7))})
    >>> v.score_one({"tool": "github.get_file_contents", "bytes": 12_000}) < 1
    True
    >>> v.score_one({"tool": "github.get_file_contents", "bytes": 2_000_000}) > 5
    True
    >>> round(v.typical("github.get_file_contents") / 1000)
    12

    Transfers 8 times the usual, every other call, stay under a spike's notice (about 3.5
    deviations) but add up in ``shift``:

    >>> v.excess(96_000, "github.get_file_contents") < 4.5
    True
    >>> runs = [v.shift(96_000 if i % 2 == 0 else 12_000, "github.get_file_contents") for i in range(30)]
    >>> runs[2] < 5 < 18 < runs[-1]
    True
    """

    __slots__ = ('half_life', 'max_groups', 'min_group', 'min_spread', 'clip', 'raised_sd', 'shift_min', 'key',
                 'group_key', '_a', 'agent', 'groups', 'n')
    _PARAMS = ('half_life', 'max_groups', 'min_group', 'min_spread', 'clip', 'raised_sd', 'shift_min', 'key', 'group_key')

    def __init__(self, half_life: float = 200, max_groups: int = 32, min_group: int = 8, min_spread: float = 0.5,
                 clip: float = 4.0, raised_sd: float = 2.0, shift_min: int = 30, key: str = "bytes",
                 group_key: str = "tool"):
        self.half_life = half_life
        self.max_groups = max_groups
        self.min_group = min_group
        self.min_spread = min_spread
        self.clip = clip
        self.raised_sd = raised_sd
        self.shift_min = shift_min
        self.key = key
        self.group_key = group_key
        self._a = fading(half_life)
        self.agent = Figures()                   # the whole agent
        self.groups: dict[str, Figures] = {}     # per group, least recently inserted first
        self.n = 0                               # updates, the clock of "last update"

    # -- learning ---------------------------------------------------------------------------
    def update(self, nbytes: float, group: str | None = None, weight: float = 1.0) -> None:
        """Learn one action that moved ``nbytes`` through ``group``."""
        if weight <= 0:
            return
        lb = math.log2(nbytes + 1.0)
        fade = self._a * weight
        self.n += 1
        agent = f = self.agent
        if group is not None:
            known = self.groups.get(group)
            f = self._new_group(group) if known is None else known
        while True:  # the group's figures, then the agent's
            n = f.obs + weight
            a = weight / n
            if a < fade:
                a = fade
            if a > 1.0:
                a = 1.0
            m, d = f.mean, f.dev
            v = lb
            spread = d if d > self.min_spread else self.min_spread
            if n > self.min_group:
                lim = self.clip * spread
                v = m + lim if lb > m + lim else m - lim if lb < m - lim else lb
            if n > weight:  # the share of raised transfers, judged against the figures so far
                r = weight / (n + _RAISED_PRIOR_WEIGHT)
                r = r if r > fade else fade
                f.raised += r * ((1.0 if lb > m + self.raised_sd * spread else 0.0) - f.raised)
            f.mean = m + a * (v - m)
            if n > weight:
                f.dev = d + a * ((v - m if v > m else m - v) - d)
            f.obs = n
            f.last = self.n
            if f is agent:
                return
            f = agent

    def _new_group(self, group: str, row: list[Any] | None = None) -> Figures:
        groups = self.groups
        if len(groups) >= self.max_groups:
            del groups[min(groups, key=lambda g: groups[g].last)]
        f = groups[sys.intern(group)] = Figures(row)
        return f

    def learn_one(self, x: dict[str, Any], weight: float = 1.0) -> None:
        nbytes = x.get(self.key)
        if nbytes is not None:
            self.update(nbytes, x.get(self.group_key), weight)

    # -- reading ----------------------------------------------------------------------------
    def _known(self, group: str | None) -> Figures | None:
        """The figures of ``group``, or the agent's when it has too few; None when neither has enough."""
        if group is not None:
            f = self.groups.get(group)
            if f is not None and f.obs >= self.min_group:
                return f
        return self.agent if self.agent.obs >= self.min_group else None

    def excess(self, nbytes: float, group: str | None = None) -> float:
        """Deviations by which ``log2(nbytes + 1)`` exceeds the usual (0 when not above it)."""
        # A tool with too little history of its own is not judged: the agent's overall
        # sizes say nothing about a tool it rarely uses (a first export is big).
        f = self.agent if group is None else self.groups.get(group)
        if f is None or f.obs < self.min_group:
            return 0.0
        dev = f.dev
        z = (math.log2(nbytes + 1.0) - f.mean) / (dev if dev > self.min_spread else self.min_spread)
        return z if z > 0.0 else 0.0

    def shift(self, nbytes: float, group: str) -> float:
        """Add one transfer of ``group`` to its shift CUSUM and return the evidence (bits)
        that raised transfers came at 5 times their learned share (within 20-60%); 0 for a
        group with fewer than ``shift_min`` observations. ``reset_shift`` after acting on it."""
        f = self.groups.get(group)
        if f is None or f.obs < self.shift_min:
            return 0.0
        p0 = f.raised
        p1 = 5.0 * p0
        p1 = 0.2 if p1 < 0.2 else 0.6 if p1 > 0.6 else p1
        if p0 >= p1:
            return 0.0
        d = f.dev
        raised = math.log2(nbytes + 1.0) > f.mean + self.raised_sd * (d if d > self.min_spread else self.min_spread)
        run = f.run + (math.log2(p1 / p0) if raised else math.log2((1.0 - p1) / (1.0 - p0)))
        f.run = run = run if run > 0.0 else 0.0
        return run

    def raised_share(self, group: str) -> float:
        """The learned share of ``group``'s transfers that are raised (0 for an unknown group)."""
        f = self.groups.get(group)
        return 0.0 if f is None else f.raised

    def reset_shift(self, group: str | None = None) -> None:
        """Drop the shift evidence gathered for ``group`` (for every group when None)."""
        for f in self.groups.values() if group is None else [self.groups.get(group)]:
            if f is not None:
                f.run = 0.0

    def score_one(self, x: dict[str, Any]) -> float:
        nbytes = x.get(self.key)
        return 0.0 if nbytes is None else self.excess(nbytes, x.get(self.group_key))

    def typical(self, group: str | None = None) -> float:
        """The usual bytes per action of ``group`` (of the agent when unknown or too new)."""
        f = self._known(group)
        return 0.0 if f is None else 2.0 ** f.mean - 1.0

    def spread(self, group: str | None = None) -> float:
        """The usual deviation, as a factor: 2.0 means actions vary by about a doubling."""
        f = self._known(group)
        return 1.0 if f is None else 2.0 ** max(f.dev, self.min_spread)

    def observations(self, group: str | None = None) -> float:
        """How many actions (weighted) the figures of ``group`` (or the agent) rest on."""
        f = self.agent if group is None else self.groups.get(group)
        return 0.0 if f is None else f.obs

    # -- persistence --------------------------------------------------------------------------
    def _dump(self) -> dict[str, Any]:
        return {"n": self.n, "agent": self.agent.row(), "groups": {g: f.row() for g, f in self.groups.items()}}

    def _load(self, state: dict[str, Any]) -> None:
        self.n = state["n"]
        self.agent, self.groups = Figures(state["agent"]), {}
        for g, row in state["groups"].items():
            self._new_group(g, row)

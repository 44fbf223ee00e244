"""Whether a tool's work keeps reaching resources outside the agent's reference."""

import math
from array import array
from typing import Any, Final

from intentwatch.models.baseline.base import Learner, Memo
from intentwatch.models.baseline.seen import crc32, crc32_of

# Per-tool slot: actions counted, of them outside the reference, CUSUM (bits), and the
# actions and outside ones since the CUSUM last stood at 0 (for evidence).
_N, _K, _RUN, _RUN_N, _RUN_K = 0, 1, 2, 3, 4
_WIDTH = 5
# Sessions repeat for a few actions each, then never: a memo of their own, so they do not
# push resources and tools out of ``crc32_of``.
_session_crc: Final = Memo(crc32, 4096)


def _has(bits: bytearray, h: int) -> bool:
    """Whether both of ``h``'s two positions in ``bits`` are set."""
    m = len(bits) * 8
    i, j = h % m, (h >> 16) % m
    return bool((bits[i >> 3] >> (i & 7)) & (bits[j >> 3] >> (j & 7)) & 1)


def _set(bits: bytearray, h: int) -> bool:
    """Set ``h``'s two positions in ``bits``; whether both were set already."""
    had = _has(bits, h)
    m = len(bits) * 8
    i, j = h % m, (h >> 16) % m
    bits[i >> 3] |= 1 << (i & 7)
    bits[j >> 3] |= 1 << (j & 7)
    return had


class ReachShift(Learner):
    """Slow widening of an agent's reach: a tool whose actions keep landing on resources
    (tables, buckets, repositories, payees) outside the agent's reference, more often than
    they did since the reference was frozen.

    Until ``freeze()`` every resource the agent touches joins the **reference** (a Bloom
    filter of ``bits`` bits, 2 positions from a CRC-32, stable across processes; a value may
    rarely look inside when it is not, never the reverse). After it, each tool learns the
    share ``p0`` of its actions that reach outside the reference, and ``shift`` keeps a
    Bernoulli CUSUM per tool of "that share is now ``p1 = min(cap, max(lift * p0, p0 + floor))``"
    against ``p0``. ``p0`` is learned only while the tool's evidence is under
    ``protect * threshold``, so a widening under suspicion does not teach itself to be normal.

    An agent that picks up a few new tables a day sends a steady part of a tool's work
    outside the reference, across its sessions; an agent that works one new table for a
    whole session does not. So a (session, tool, resource) counts once: a ``pair_bits``
    filter holds the last ``pair_bits / 8`` triples counted (interleaved sessions share it;
    without a session, a (tool, resource) pair counts once among them). ``unfreeze()`` (an
    approved update) drops the evidence and lets the reference grow until the next freeze.

    Tools are hashed into ``slots`` slots (colliding tools share one); memory is fixed at
    ``bits / 8 + pair_bits / 8 + 20 * slots`` bytes of data.

    ``shift(x)`` counts the action (once per action, before ``learn_one``) and returns the
    evidence in bits for its tool; ``learn_one`` learns ``p0`` from it (not with weight 0);
    ``score_one`` is the evidence for the tool, read only. Without a resource nothing is done.

    Parameters
    ----------
    bits
        Bits of the reference filter (a multiple of 8).
    slots
        Tool slots.
    threshold
        Evidence (bits) at which the caller acts on ``shift`` (then ``reset``).
    protect
        Share of ``threshold`` above which a tool's counted actions teach ``p0`` nothing.
    lift, floor, cap
        The alternative share of outside actions, from the learned one.
    min_n
        Counted actions a tool needs before ``shift`` gathers evidence for it.
    pair_bits
        Bits of the filter of (session, tool, resource) triples counted lately.
    key, tool_key, session_key
        Features read from ``x``.

    Examples
    --------
    >>> r = ReachShift()
    >>> for i in range(300):  # the reference: 20 tables
    ...     r.learn_one({"tool": "sql.query", "resource": f"t{i % 20}", "session": f"s{i // 10}"})
    >>> r.freeze()
    >>> def day(i, new):  # ten-action sessions; every 4th action on a table outside the reference
    ...     x = {"tool": "sql.query", "resource": f"new{i % 7}" if new and i % 4 == 0 else f"t{i % 20}",
    ...          "session": f"d{i // 10}"}
    ...     run = r.shift(x)
    ...     r.learn_one(x)
    ...     return run
    >>> max(day(i, new=False) for i in range(200))  # the usual work: no evidence
    0.0
    >>> runs = [day(i, new=True) for i in range(200, 400)]
    >>> next(i for i, v in enumerate(runs) if v > r.threshold) < 100
    True
    """

    __slots__ = ('threshold', 'protect', 'bits', 'slots', 'lift', 'floor', 'cap', 'min_n', 'pair_bits', 'key',
                 'tool_key', 'session_key', 'ref', 'frozen', 'stats', 'seen', 'fill', '_pending', '_pending_res')
    _PARAMS = ('threshold', 'protect', 'bits', 'slots', 'lift', 'floor', 'cap', 'min_n', 'pair_bits', 'key',
               'tool_key', 'session_key')

    _STATE = ("frozen", "fill")

    def __init__(self, threshold: float = 15.0, protect: float = 0.5, bits: int = 2048, slots: int = 32,
                 lift: float = 2.0, floor: float = 0.15, cap: float = 0.9, min_n: int = 30, pair_bits: int = 512,
                 key: str = "resource", tool_key: str = "tool", session_key: str = "session"):
        for name, v in (("bits", bits), ("pair_bits", pair_bits)):
            if v % 8 or v < 64:
                raise ValueError(f"{name} must be a multiple of 8, at least 64, got {v}")
        self.threshold = threshold
        self.protect = protect
        self.bits = bits
        self.slots = slots
        self.lift = lift
        self.floor = floor
        self.cap = cap
        self.min_n = min_n
        self.pair_bits = pair_bits
        self.key = key
        self.tool_key = tool_key
        self.session_key = session_key
        self.ref = bytearray(bits // 8)
        self.frozen = False
        self.stats = array("f", bytes(4 * _WIDTH * slots))  # float32: counts below 2**24 stay exact
        self.seen = bytearray(pair_bits // 8)  # (session, tool, resource) triples counted lately
        self.fill = 0                          # triples in ``seen``
        self._pending = -1          # 2 * slot + outside, decided by shift for learn_one; -1: nothing
        self._pending_res: str | None = None

    def _slot(self, tool: str | None) -> int:
        return _WIDTH * (crc32_of.get(tool) % self.slots) if tool is not None else 0

    def freeze(self) -> None:
        """Stop growing the reference; from now on, reaching outside it is counted."""
        self.frozen = True

    def unfreeze(self) -> None:
        """After an approved update: drop the evidence and what was learned against the
        reference, which grows again (old resources stay in it) until the next ``freeze``."""
        self.frozen = False
        self.stats = array("f", bytes(4 * _WIDTH * self.slots))
        self._pending = -1

    def outside(self, resource: str) -> bool:
        """Whether ``resource`` is (surely) outside the reference."""
        return not _has(self.ref, crc32_of.get(resource))

    def _decide(self, x: dict[str, Any]) -> int:
        """``2 * slot + outside`` for an action counted now, -1 for one whose (session, tool,
        resource) was counted lately (``x`` has a resource)."""
        tool, session = x.get(self.tool_key), x.get(self.session_key)
        h = crc32_of.get(x[self.key])
        t = crc32_of.get(tool) if tool is not None else 0
        u = _session_crc.get(session) if session is not None else 0
        if self.fill >= self.pair_bits // 8:  # full: start again (a triple may then count twice)
            self.seen, self.fill = bytearray(self.pair_bits // 8), 0
        if _set(self.seen, h ^ ((t << 11) & 0xFFFFFFFF) ^ (t >> 21) ^ ((u << 22) & 0xFFFFFFFF) ^ (u >> 10)):
            return -1
        self.fill += 1
        return 2 * self._slot(tool) + (0 if _has(self.ref, h) else 1)

    def shift(self, x: dict[str, Any]) -> float:
        """Count one action against its tool's CUSUM and return the evidence (bits) that the
        tool's share of outside actions rose to ``p1``; 0 before ``freeze``, for a tool with
        fewer than ``min_n`` counted actions, or without a resource. ``reset`` after acting on it."""
        res = x.get(self.key)
        self._pending, self._pending_res = -1, res
        if not self.frozen or res is None:
            return 0.0
        d = self._pending = self._decide(x)
        if d < 0:
            return self.score_one(x)
        k, out = d >> 1, d & 1
        s = self.stats
        n = s[k + _N]
        if n < self.min_n:
            return 0.0
        p0 = (s[k + _K] + 0.5) / (n + 1.0)
        p1 = self.lift * p0
        p1 = p0 + self.floor if p1 < p0 + self.floor else p1
        p1 = self.cap if p1 > self.cap else p1
        if p1 <= p0:
            return float(s[k + _RUN])
        run = s[k + _RUN] + (math.log2(p1 / p0) if out else math.log2((1.0 - p1) / (1.0 - p0)))
        if run > 0.0:
            s[k + _RUN] = run
            s[k + _RUN_N] += 1.0
            s[k + _RUN_K] += out
        else:
            s[k + _RUN] = s[k + _RUN_N] = s[k + _RUN_K] = 0.0
        return float(s[k + _RUN])

    def reset(self, tool: str | None) -> None:
        """Drop the evidence gathered for ``tool``'s slot (after raising a finding on it)."""
        k = self._slot(tool)
        s = self.stats
        s[k + _RUN] = s[k + _RUN_N] = s[k + _RUN_K] = 0.0

    def share(self, tool: str | None) -> float:
        """The learned share of ``tool``'s counted actions that reached outside the reference."""
        k = self._slot(tool)
        return (self.stats[k + _K] + 0.5) / (self.stats[k + _N] + 1.0)

    def recent(self, tool: str | None) -> tuple[int, int]:
        """``tool``'s counted actions, and of them those outside the reference, since its
        evidence last stood at 0."""
        k = self._slot(tool)
        return int(self.stats[k + _RUN_N]), int(self.stats[k + _RUN_K])

    def learn_one(self, x: dict[str, Any], weight: float = 1.0) -> None:
        res = x.get(self.key)
        if res is None:
            return
        if not self.frozen:
            if weight > 0:
                _set(self.ref, crc32_of.get(res))
            return
        d = self._pending if self._pending_res is res else self._decide(x)
        self._pending, self._pending_res = -1, None
        if d >= 0 and weight > 0:
            k = d >> 1
            s = self.stats
            if s[k + _RUN] <= self.protect * self.threshold:
                s[k + _N] += 1.0
                s[k + _K] += d & 1

    def score_one(self, x: dict[str, Any]) -> float:
        if not self.frozen or x.get(self.key) is None:
            return 0.0
        return float(self.stats[self._slot(x.get(self.tool_key)) + _RUN])

    def _dump(self) -> dict[str, Any]:
        return {**super()._dump(), "ref": self.ref.hex(), "stats": list(self.stats), "seen": self.seen.hex()}

    def _load(self, state: dict[str, Any]) -> None:
        super()._load(state)
        self.ref = bytearray.fromhex(state["ref"])
        self.stats = array("f", state["stats"])
        self.seen = bytearray.fromhex(state["seen"])
        self._pending, self._pending_res = -1, None

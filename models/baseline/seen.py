"""Which exact values (resources, recipients) an agent has touched, in a fixed-size filter."""

import math
import zlib
from array import array
from typing import Any, Final

from intentwatch.models.baseline.base import RESCALE_AT, Learner, Memo, growth


def crc32(value: str) -> int:
    """CRC-32 of ``value`` in UTF-8: the same in every process, unlike ``hash``."""
    return zlib.crc32(value.encode())


# Resources, their prefixes and tools repeat, and a CRC of one costs ~150 ns (~3 ns a byte).
crc32_of: Final = Memo(crc32, 65536)


class FirstSeen(Learner):
    """Whether an agent has touched an exact value before (a table, a bucket, a recipient),
    and how unusual it is for this agent to touch something new at all.

    High-cardinality values do not fit a frequency table, so membership is kept in two
    generations of a Bloom filter (``bits`` bits each, 2 hash positions from a CRC-32 of the
    value, stable across processes): values go into the current generation; when it holds
    ``capacity`` values it becomes the previous one and a fresh one starts, so values not
    touched for two generations are forgotten and memory stays at ``bits / 4`` bytes. A
    value may rarely look seen when it is not (about 3% at capacity), never the reverse.

    ``score_one`` is 0 for a value seen before and, for a new one, the surprise in bits of
    touching something new: ``-log2`` of the agent's decayed rate of new values. An agent
    that touches new files all day scores about 1-3 bits, an agent that works on the same
    fifty tables scores 8-10 bits on its first new table. A missing value scores 0.

    Parameters
    ----------
    bits
        Bits per generation (a multiple of 8).
    capacity
        Values per generation.
    half_life
        Events after which one counts half in the rate of new values.
    alpha
        Pseudo-events of novelty, so the rate is never 0.
    key
        Feature read from ``x``.

    Examples
    --------
    >>> f = FirstSeen(key="resource")
    >>> for i in range(3000):
    ...     f.learn_one({"resource": f"snowflake://acme/ANALYTICS/T{i % 40}"})
    >>> f.score_one({"resource": "snowflake://acme/ANALYTICS/T7"})
    0.0
    >>> f.score_one({"resource": "snowflake://acme/FINANCE/VENDOR_BANKING"}) > 8
    True
    >>> g = FirstSeen(key="resource")
    >>> for i in range(1000):
    ...     g.learn_one({"resource": f"file:///workspace/app/src/f{i}.py"})
    >>> g.score_one({"resource": "file:///workspace/app/src/new.py"}) < 1
    True
    """

    __slots__ = ('bits', 'capacity', 'half_life', 'alpha', 'key', 'group_key', 'buckets', 'min_group', '_g', '_mask',
                 'current', 'previous', 'fill', 'inc', 'total', 'new', 'n', 'groups')
    _PARAMS = ('bits', 'capacity', 'half_life', 'alpha', 'key', 'group_key', 'buckets', 'min_group')

    _STATE = ("fill", "inc", "total", "new", "n")

    def __init__(self, bits: int = 2048, capacity: int = 200, half_life: float = 500, alpha: float = 0.5,
                 key: str = "resource", group_key: str = "resource_prefix", buckets: int = 32, min_group: float = 30.0):
        if bits % 8 or bits < 64 or bits > 1 << 16:
            raise ValueError(f"bits must be a multiple of 8 in [64, 65536], got {bits}")
        self.bits = bits
        self.capacity = capacity
        self.half_life = half_life
        self.alpha = alpha
        self.key = key
        self.group_key = group_key
        self.buckets = buckets
        self.min_group = min_group
        self._g = growth(half_life)
        self._mask = bits - 1 if bits & (bits - 1) == 0 else None
        self.current = bytearray(bits // 8)
        self.previous = bytearray(bits // 8)
        self.fill = 0      # values added to the current generation
        self.inc = 1.0
        self.total = 0.0   # scaled decayed events
        self.new = 0.0     # scaled decayed events with a new value
        self.n = 0
        # The same two rates per group (resource prefix), hashed into ``buckets`` slots:
        # [total, new] per slot. Colliding prefixes share a slot; memory stays fixed.
        self.groups = array("f", bytes(8 * buckets))  # float32: rates, not counts to the unit

    def _slot(self, group: str) -> int:
        return 2 * (crc32_of.get(group) % self.buckets)

    def _positions(self, item: str) -> tuple[int, int]:
        h = crc32_of.get(item)
        if self._mask is not None:
            return h & self._mask, (h >> 16) & self._mask
        return h % self.bits, (h >> 16) % self.bits

    def seen(self, item: str) -> bool:
        """True when ``item`` was (probably) touched before."""
        return self._seen(*self._positions(item))

    def _seen(self, i: int, j: int) -> bool:
        cur, prev = self.current, self.previous
        return bool((cur[i >> 3] >> (i & 7)) & (cur[j >> 3] >> (j & 7)) & 1) or \
            bool((prev[i >> 3] >> (i & 7)) & (prev[j >> 3] >> (j & 7)) & 1)

    def update(self, item: str, weight: float = 1.0, group: str | None = None) -> None:
        """Record one touch of ``item`` (under ``group``, its resource prefix, when given)."""
        if weight <= 0:
            return
        inc = self.inc = self.inc * self._g
        w = weight * inc
        self.total += w
        self.n += 1
        k = self._slot(group) if group is not None else -1
        if k >= 0:
            self.groups[k] += w
        i, j = self._positions(item)
        if not self._seen(i, j):
            self.new += w
            if k >= 0:
                self.groups[k + 1] += w
            if self.fill >= self.capacity:
                self.previous, self.current, self.fill = self.current, bytearray(self.bits // 8), 0
            self.current[i >> 3] |= 1 << (i & 7)
            self.current[j >> 3] |= 1 << (j & 7)
            self.fill += 1
        if inc > RESCALE_AT:
            self.total /= inc
            self.new /= inc
            g = self.groups
            for i in range(len(g)):
                g[i] /= inc
            self.inc = 1.0

    def learn_one(self, x: dict[str, Any], weight: float = 1.0) -> None:
        item = x.get(self.key)
        if item is not None:
            self.update(item, weight, x.get(self.group_key))

    @property
    def rate(self) -> float:
        """The decayed share of events that touched a new value."""
        return self.new / self.total if self.total else 1.0

    def novelty(self, item: str, group: str | None = None) -> float:
        """0 for a value seen before, else ``-log2`` of the smoothed rate of new values:
        the rate under ``group`` once the group has ``min_group`` decayed events, else the
        agent's. A new table in a schema whose tables never change is more surprising than
        a new file in a folder that gets new files every hour."""
        if self.seen(item):
            return 0.0
        a = self.alpha * self.inc
        if group is not None:
            k = self._slot(group)
            g = self.groups
            if g[k] >= self.min_group * self.inc:
                return math.log2((g[k] + a) / (g[k + 1] + a))
        return math.log2((self.total + a) / (self.new + a))

    def score_one(self, x: dict[str, Any]) -> float:
        item = x.get(self.key)
        return 0.0 if item is None else self.novelty(item, x.get(self.group_key))

    def _dump(self) -> dict[str, Any]:
        return {**super()._dump(), "current": self.current.hex(), "previous": self.previous.hex(),
                "groups": list(self.groups)}

    def _load(self, state: dict[str, Any]) -> None:
        super()._load(state)
        self.current = bytearray.fromhex(state["current"])
        self.previous = bytearray.fromhex(state["previous"])
        self.groups = array("f", state["groups"])

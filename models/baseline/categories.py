"""Decayed frequencies of one categorical feature, and how surprising a value is."""

import fnmatch
import math
import re
import sys
from typing import Any

from intentwatch.models.baseline.base import RESCALE_AT, Learner, growth

_WILDCARD = re.compile(r"[*?\[]")


class CategoryProfile(Learner):
    """How often an agent uses each value of one feature (tool, operation, data domain,
    resource prefix), with old use fading away, and how surprising a value is.

    ``score_one`` is the surprise of the value in bits, ``-log2`` of its smoothed share:
    a value the agent uses half of the time scores 1, a value never seen scores highest
    (about ``log2`` of the decayed number of events). A missing feature scores 0.

    ``seed(items)`` takes a prior from the declared intent: declared values start with
    ``weight`` pseudo-events between them, so they are unsurprising from the first action,
    while an undeclared value is not. Wildcard patterns (``gmail.*``) give their share to
    every matching value. The prior fades like observed counts, and never makes a value
    "seen": ``is_novel`` stays True until the agent actually uses it.

    Bounded: at most ``max_items`` values are kept; a new value evicts the least used.

    Parameters
    ----------
    max_items
        Most distinct values kept.
    half_life
        Events after which a use counts half.
    alpha
        Additive smoothing, in pseudo-events, of every value (seen or not).
    key
        The feature read from ``x`` by ``learn_one`` / ``score_one``.

    Examples
    --------
    >>> p = CategoryProfile(key="tool")
    >>> for tool in ["crm.lookup"] * 90 + ["email.send"] * 10:
    ...     p.learn_one({"tool": tool})
    >>> round(p.share("crm.lookup"), 2), p.is_novel("shell.exec"), p.distinct  # recent use weighs more
    (0.89, True, 2)
    >>> p.score_one({"tool": "crm.lookup"}) < p.score_one({"tool": "email.send"}) < p.score_one({"tool": "shell.exec"})
    True

    Cold start from intent:

    >>> q = CategoryProfile(key="tool")
    >>> q.seed(["crm.lookup", "email.send", "zendesk.*"])
    >>> q.score_one({"tool": "zendesk.get_ticket"}) < q.score_one({"tool": "shell.exec"})
    True
    >>> q.is_novel("crm.lookup")
    True

    ``novelty`` rates a value never used by how often the agent picks up new values at all:

    >>> p.novelty("crm.lookup"), round(p.novelty("shell.exec"), 1)
    (0.0, 5.3)
    """

    __slots__ = ('max_items', 'half_life', 'alpha', 'key', '_g', 'counts', 'prior', 'patterns', '_regex', 'inc',
                 'total', 'observed', 'new', 'n', 'n_novel')
    _PARAMS = ('max_items', 'half_life', 'alpha', 'key')

    _STATE = ("counts", "prior", "patterns", "inc", "total", "observed", "new", "n", "n_novel")

    def __init__(self, max_items: int = 64, half_life: float = 500, alpha: float = 0.5, key: str = "item"):
        if max_items < 1:
            raise ValueError(f"max_items must be >= 1, got {max_items}")
        self.max_items = max_items
        self.half_life = half_life
        self.alpha = alpha
        self.key = key
        self._g = growth(half_life)
        self.counts: dict[str, float] = {}   # observed values -> scaled decayed count
        self.prior: dict[str, float] = {}    # declared exact values -> scaled prior weight
        self.patterns: dict[str, float] = {}  # declared wildcard patterns -> scaled prior weight
        self._regex: list[tuple[re.Pattern, str]] | None = None
        self.inc = 1.0     # current scale of one event
        self.total = 0.0   # scaled mass of everything observed or seeded (evicted mass included)
        self.observed = 0.0  # scaled mass of what was observed
        self.new = 0.0       # scaled mass of observations of a value not in the table
        self.n = 0         # learn calls
        self.n_novel = 0   # values inserted for the first time (or again after eviction)

    # -- learning -------------------------------------------------------------------------
    def update(self, item: str, weight: float = 1.0) -> None:
        """Count one use of ``item``."""
        if weight <= 0:
            return
        inc = self.inc = self.inc * self._g
        w = weight * inc
        counts = self.counts
        c = counts.get(item)
        if c is None:
            if len(counts) >= self.max_items:
                del counts[min(counts, key=counts.__getitem__)]
            counts[sys.intern(item)] = w
            self.n_novel += 1
            self.new += w
        else:
            counts[item] = c + w
        self.total += w
        self.observed += w
        self.n += 1
        if inc > RESCALE_AT:
            self._rescale()

    def learn_one(self, x: dict[str, Any], weight: float = 1.0) -> None:
        item = x.get(self.key)
        if item is not None:
            self.update(item, weight)

    def seed(self, items: list[str], weight: float = 20.0) -> None:
        """Add a prior of ``weight`` pseudo-events spread evenly over the declared ``items``."""
        items = list(dict.fromkeys(items))
        if not items:
            return
        w = weight * self.inc / len(items)
        for it in items:
            table = self.patterns if _WILDCARD.search(it) else self.prior
            table[sys.intern(it)] = table.get(it, 0.0) + w
            self.total += w
        self._regex = None

    def clear_prior(self) -> None:
        """Forget the declared prior (its mass stays in the total, as if it were old use)."""
        self.prior.clear()
        self.patterns.clear()
        self._regex = None

    def _rescale(self) -> None:
        s = 1.0 / self.inc
        for table in (self.counts, self.prior, self.patterns):
            for k in table:
                table[k] *= s
        self.total *= s
        self.observed *= s
        self.new *= s
        self.inc = 1.0
        # a prior faded below a thousandth of an event is gone
        for table in (self.prior, self.patterns):
            for k in [k for k, v in table.items() if v < 1e-3]:
                del table[k]

    # -- reading --------------------------------------------------------------------------
    def weight_of(self, item: str) -> float:
        """Scaled count of ``item``: observed plus declared prior."""
        c = self.counts.get(item, 0.0)
        if self.prior:
            c += self.prior.get(item, 0.0)
        if c == 0.0 and self.patterns:
            c = self._pattern_weight(item)
        return c

    def _pattern_weight(self, item: str) -> float:
        if self._regex is None:
            self._regex = [(re.compile(fnmatch.translate(p)), p) for p in self.patterns]
        return sum(self.patterns[p] for rx, p in self._regex if rx.match(item))

    def surprise(self, item: str) -> float:
        """``-log2`` of the smoothed share of ``item``, in bits; highest for a value never seen."""
        a = self.alpha * self.inc
        c = self.counts.get(item, 0.0)
        if self.prior or self.patterns:
            c = self.weight_of(item)
        return math.log2((self.total + a * (len(self.counts) + 1)) / (c + a))

    def score_one(self, x: dict[str, Any]) -> float:
        item = x.get(self.key)
        return 0.0 if item is None else self.surprise(item)

    def novelty(self, item: str) -> float:
        """0 for a value the agent used, else how unusual it is for this agent to use a new
        value at all: ``-log2`` of its smoothed decayed rate of first uses, in bits."""
        if item in self.counts:
            return 0.0
        a = self.alpha * self.inc
        return math.log2((self.observed + a) / (self.new + a))

    def share(self, item: str) -> float:
        """Decayed share of observed use that went to ``item`` (0 when never seen)."""
        return self.counts.get(item, 0.0) / self.observed if self.observed else 0.0

    def is_novel(self, item: str) -> bool:
        """True when the agent never used ``item`` (or used it so long ago it was evicted)."""
        return item not in self.counts

    @property
    def distinct(self) -> int:
        """Distinct values currently remembered."""
        return len(self.counts)

    @property
    def mass(self) -> float:
        """The decayed number of events behind the profile (observed and prior)."""
        return self.total / self.inc

    def distribution(self) -> dict[str, float]:
        """Observed shares of the values kept, summing to 1 (empty when nothing was observed)."""
        s = sum(self.counts.values())
        return {k: v / s for k, v in self.counts.items()} if s else {}

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` most used values with their shares."""
        best = sorted(self.counts.items(), key=lambda kv: -kv[1])[:k]
        return [(item, c / self.observed) for item, c in best]

    # -- persistence ----------------------------------------------------------------------
    def _load(self, state: dict[str, Any]) -> None:
        super()._load(state)
        # interned keys are shared by every agent that uses the same names; order is kept
        self.counts = {sys.intern(k): v for k, v in self.counts.items()}
        self.prior = {sys.intern(k): v for k, v in self.prior.items()}
        self.patterns = {sys.intern(k): v for k, v in self.patterns.items()}
        self._regex = None

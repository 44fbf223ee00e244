"""Slow drift against a frozen reference: Jensen-Shannon divergence of a category mix."""

import math
import sys
from array import array
from typing import Any, cast

from intentwatch.models.baseline.base import Learner
from intentwatch.models.baseline.categories import CategoryProfile


def js_divergence(p: dict[str, float], q: dict[str, float]) -> float:
    """Jensen-Shannon divergence, in bits (0 for equal distributions, 1 for disjoint ones).

    >>> js_divergence({"a": 1.0}, {"a": 1.0}), js_divergence({"a": 1.0}, {"b": 1.0})
    (0.0, 1.0)
    >>> round(js_divergence({"a": 0.5, "b": 0.5}, {"a": 0.9, "b": 0.1}), 3)
    0.147
    """
    log2 = math.log2
    total = 0.0
    for k, pk in p.items():
        qk = q.get(k, 0.0)
        m = 0.5 * (pk + qk)
        if pk > 0.0:
            total += pk * log2(pk / m)
        if qk > 0.0:
            total += qk * log2(qk / m)
    for k, qk in q.items():
        if k not in p and qk > 0.0:
            total += qk  # qk * log2(qk / (qk / 2))
    return 0.5 * total if total > 0.0 else 0.0


class ReferenceDivergence(Learner):
    """How far an agent's current mix of one feature has moved from a frozen reference:
    the "boiling frog" that no single step of gives away.

    It watches a ``CategoryProfile`` (its own, or one shared with the agent's baseline)
    and, after ``freeze()``, reports the Jensen-Shannon divergence in bits between the
    profile's current decayed distribution and the distribution at the freeze, and how
    many values in use now were not in the reference (``new_items``). Freeze at the end of
    warm-up and again after each approved update. Recomputed every ``every`` learned
    events (O(values)); ``score_one`` returns the last value, 0 before a freeze.

    Parameters
    ----------
    profile
        The profile to watch; a fresh ``CategoryProfile(key=key)`` when None.
    every
        Learned events between recomputations.
    key
        Feature read from ``x`` when the profile is its own.

    Examples
    --------
    >>> d = ReferenceDivergence(every=10, key="table")
    >>> for i in range(1000):
    ...     d.learn_one({"table": f"t{i % 5}"})
    >>> d.freeze()
    >>> for day in range(1, 6):
    ...     for i in range(400):
    ...         d.learn_one({"table": f"t{i % (5 + 3 * day)}"})
    ...     print(day, round(d.value, 2), d.new_items)
    1 0.1 3
    2 0.2 6
    3 0.3 9
    4 0.37 12
    5 0.45 15
    """

    __slots__ = ('profile', 'every', 'key', 'ref_keys', 'ref_p', 'frozen', 'since', 'value', 'new_items', '_at_n')
    _PARAMS = ('profile', 'every', 'key')

    _STATE = ("since", "value", "new_items")

    def __init__(self, profile: CategoryProfile | None = None, every: int = 50, key: str = "item"):
        self.profile = profile if profile is not None else CategoryProfile(key=key)
        self.every = every
        self.key = key
        self.ref_keys: tuple[str, ...] = ()
        self.ref_p = array("d")
        self.frozen = False
        self.since = 0
        self.value = 0.0
        self.new_items = 0
        self._at_n = -1  # the profile's learn count when value was computed (-1: not for this reference)

    def _get_params(self) -> dict[str, Any]:
        return {"profile": self.profile.clone(), "every": self.every, "key": self.key}

    def freeze(self) -> None:
        """Take the profile's current distribution as the reference."""
        dist = self.profile.distribution()
        self.ref_keys = tuple(dist)
        self.ref_p = array("d", dist.values())
        self.frozen = bool(dist)
        self.since, self.value, self.new_items, self._at_n = 0, 0.0, 0, -1

    def unfreeze(self) -> None:
        """Drop the reference (a re-learning period: freeze again when it ends)."""
        self.ref_keys, self.ref_p, self.frozen = (), array("d"), False
        self.since, self.value, self.new_items, self._at_n = 0, 0.0, 0, -1

    @property
    def reference(self) -> dict[str, float]:
        """The frozen distribution."""
        return dict(zip(self.ref_keys, self.ref_p))

    def refresh(self) -> float:
        """Recompute the divergence now."""
        self.since = 0
        if not self.frozen:
            return 0.0
        if self.profile.n == self._at_n:  # nothing learned since: the same value
            return self.value
        ref = self.reference
        cur = self.profile.distribution()
        self.value = js_divergence(ref, cur)
        self.new_items = sum(1 for k in cur if k not in ref)
        self._at_n = self.profile.n
        return self.value

    def tick(self, weight: float = 1.0) -> None:
        """One event was learned by the (shared) profile."""
        if weight > 0 and self.frozen:
            self.since += 1
            if self.since >= self.every:
                self.refresh()

    def learn_one(self, x: dict[str, Any], weight: float = 1.0) -> None:
        self.profile.learn_one(x, weight)
        self.tick(weight)

    def score_one(self, x: dict[str, Any]) -> float:
        return self.value

    # -- persistence ------------------------------------------------------------------------
    def to_state(self, with_profile: bool = True) -> dict[str, Any]:
        d = {"type": type(self).__name__, "params": {"every": self.every, "key": self.key}, "state": self._dump()}
        if with_profile:
            d["profile"] = self.profile.to_state()
        return d

    @classmethod
    def from_state(cls, d: dict[str, Any], profile: CategoryProfile | None = None) -> "ReferenceDivergence":
        if d.get("type") != cls.__name__:
            raise ValueError(f"state is for {d.get('type')!r}, not {cls.__name__}")
        if profile is None:
            profile = cast(CategoryProfile, CategoryProfile.from_state(d["profile"]))
        obj = cls(profile, **d["params"])
        obj._load(d["state"])
        return obj

    def _dump(self) -> dict[str, Any]:
        ref = dict(zip(self.ref_keys, self.ref_p.tolist())) if self.frozen else None
        return {**super()._dump(), "reference": ref}

    def _load(self, state: dict[str, Any]) -> None:
        super()._load(state)
        ref = state["reference"]
        self.frozen = ref is not None
        self.ref_keys = tuple(sys.intern(k) for k in ref) if ref else ()
        self.ref_p = array("d", ref.values()) if ref else array("d")
        self._at_n = -1

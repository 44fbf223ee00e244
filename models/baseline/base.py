"""What every per-agent learner shares: configuration by constructor, cloning, JSON state.

A learner is configured only by its constructor arguments (``clone()`` rebuilds it from
them) and keeps its learned state in plain numbers, strings, lists and dicts, so
``to_state()`` is JSON-able and ``from_state()`` gives the very same future scores: floats
survive ``json`` exactly (``repr`` round-trips) and dict order (which breaks eviction ties)
is kept. Never pickle a baseline into a topic: ``to_state`` is the persisted form.

Decayed counts use the growing-increment trick: instead of multiplying every count by
``2 ** (-1 / half_life)`` on each event, the increment grows by ``2 ** (1 / half_life)``,
and everything is divided back down once the increment gets large. One event costs O(1)
whatever the table size, and ratios (shares, surprise) are unchanged by the rescale.

river is used where its state can be persisted: its ``EWMean``, ``EWVar`` and ``Quantile``
are Rust objects whose state pickles but cannot be read out as JSON, so the few
exponentially weighted means and variances here are written out (the same update as
river's, Finch 2009), and ``DriftMonitor`` restates river's Page-Hinkley test (a unit test
checks they detect at the same updates).
"""

import math
from typing import Any, Callable, ClassVar, Final, Generic, TypeVar, cast

RESCALE_AT: Final = 2.0 ** 64  # divide scaled counts back down when the increment reaches this
T = TypeVar("T")


def growth(half_life: float) -> float:
    """Per-event growth of the increment that gives counts a half-life of ``half_life`` events.

    >>> round(growth(1.0), 3)
    2.0
    """
    if half_life <= 0:
        raise ValueError(f"half_life must be > 0, got {half_life}")
    return 2.0 ** (1.0 / half_life)


def fading(half_life: float) -> float:
    """The weight of a new value in an exponentially weighted mean with that half-life.

    >>> fading(1.0)
    0.5
    """
    if half_life <= 0:
        raise ValueError(f"half_life must be > 0, got {half_life}")
    return 1.0 - 2.0 ** (-1.0 / half_life)


def encode_float(v: float) -> float | str:
    """JSON has no infinities or NaN: spell them as strings.

    >>> encode_float(float("inf")), encode_float(1.5)
    ('inf', 1.5)
    """
    return v if math.isfinite(v) else repr(v)


def decode_float(v: float | str) -> float:
    """Inverse of ``encode_float``."""
    return float(v)


class Learner:
    """Base of the behaviour learners: ``learn_one(x)`` returns None, ``score_one(x)`` a float.

    Subclasses name their constructor arguments in ``_PARAMS`` (each kept as an attribute of
    the same name; compiled classes have no signature to read them from) and their learned
    attributes in ``_STATE`` (JSON-able values), or override ``_dump`` / ``_load`` for
    anything richer.
    """

    __slots__ = ()
    _PARAMS: ClassVar[tuple[str, ...]] = ()
    _STATE: ClassVar[tuple[str, ...]] = ()

    # -- configuration ------------------------------------------------------------------
    def _get_params(self) -> dict[str, Any]:
        """The constructor arguments this learner was built with."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def clone(self) -> "Learner":
        """A fresh, untrained learner with the same configuration."""
        return type(self)(**self._get_params())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._get_params().items())
        return f"{type(self).__name__}({args})"

    # -- persistence --------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """A JSON-able snapshot: the configuration and the learned state."""
        return {"type": type(self).__name__, "params": self._get_params(), "state": self._dump()}

    @classmethod
    def from_state(cls, d: dict[str, Any]) -> "Learner":
        """Rebuild a learner from ``to_state()``; its future scores are identical."""
        if d.get("type") != cls.__name__:
            raise ValueError(f"state is for {d.get('type')!r}, not {cls.__name__}")
        obj = cls(**d["params"])
        obj._load(d["state"])
        return obj

    def _dump(self) -> dict[str, Any]:
        return {k: _copy(getattr(self, k)) for k in self._STATE}

    def _load(self, state: dict[str, Any]) -> None:
        for k in self._STATE:
            setattr(self, k, _copy(state[k]))


class Memo(Generic[T]):
    """A pure function of a string, remembered for values that repeat (resources and
    addresses do); emptied when it holds ``limit`` values. Compiled, a lookup costs a
    fraction of an ``lru_cache`` call.

    >>> m = Memo(len, 2)
    >>> m.get("abc"), m.get("abc"), len(m.values)
    (3, 3, 1)
    """

    def __init__(self, fn: Callable[[str], T], limit: int):
        self.fn = fn
        self.limit = limit
        self.values: dict[str, T] = {}

    def get(self, key: str) -> T:
        values = self.values
        got = values.get(key)
        if got is None and key not in values:  # one lookup when remembered (None, rare, takes two)
            if len(values) >= self.limit:
                values.clear()
            got = values[key] = self.fn(key)
        return cast(T, got)  # None only as a remembered value


def _copy(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v

"""When in the day an agent acts: a decayed 24-bin histogram of hours."""

import math
from typing import Any

from intentwatch.models.baseline.base import RESCALE_AT, Learner, growth


class HourProfile(Learner):
    """An agent's time-of-day pattern, and how unusual the hour of an action is.

    ``x[key]`` is the hour, 0 to 23 (UTC from ``AgentBaseline.features``, or a local hour
    the caller computed). Counts fade with ``half_life`` events. ``score_one`` is the
    surprise in bits of the hour, smoothed with its neighbours (1-2-1) so 08:59 and 09:01
    look alike, minus ``log2(24)``: an agent active around the clock scores about 0 at
    any hour, a nine-to-five agent scores high at 03:00. Negative values (busy hours) are
    reported as 0. A missing hour scores 0.

    Parameters
    ----------
    half_life
        Events after which one counts half.
    alpha
        Additive smoothing per hour, in pseudo-events.
    key
        Feature with the hour.

    Examples
    --------
    >>> h = HourProfile()
    >>> for day in range(20):
    ...     for hour in range(9, 17):
    ...         h.learn_one({"hour": hour})
    >>> h.score_one({"hour": 11})
    0.0
    >>> h.score_one({"hour": 3}) > 3
    True
    """

    __slots__ = ('half_life', 'alpha', 'key', '_g', 'bins', 'inc', 'total', 'n')
    _PARAMS = ('half_life', 'alpha', 'key')

    _STATE = ("inc", "total", "n")

    def __init__(self, half_life: float = 2000, alpha: float = 0.5, key: str = "hour"):
        self.half_life = half_life
        self.alpha = alpha
        self.key = key
        self._g = growth(half_life)
        self.bins = [0.0] * 24
        self.inc = 1.0
        self.total = 0.0
        self.n = 0

    def update(self, hour: int, weight: float = 1.0) -> None:
        """Count one action at ``hour`` (0-23)."""
        if weight <= 0:
            return
        inc = self.inc = self.inc * self._g
        w = weight * inc
        self.bins[hour % 24] += w
        self.total += w
        self.n += 1
        if inc > RESCALE_AT:
            s = 1.0 / inc
            self.bins = [b * s for b in self.bins]
            self.total *= s
            self.inc = 1.0

    def learn_one(self, x: dict[str, Any], weight: float = 1.0) -> None:
        hour = x.get(self.key)
        if hour is not None:
            self.update(hour, weight)

    def share(self, hour: int) -> float:
        """Decayed share of actions in ``hour``, smoothed with its neighbours."""
        if not self.total:
            return 0.0
        b, h = self.bins, hour % 24
        return (b[h - 1] + 2.0 * b[h] + b[(h + 1) % 24]) / (4.0 * self.total)

    def surprise(self, hour: int) -> float:
        """Bits of surprise of ``hour`` beyond an even spread over the day (0 if not above)."""
        a = self.alpha * self.inc
        b, h = self.bins, hour % 24
        c = (b[h - 1] + 2.0 * b[h] + b[(h + 1) % 24]) * 0.25
        s = math.log2((self.total + 24.0 * a) / (24.0 * (c + a)))
        return s if s > 0.0 else 0.0

    def score_one(self, x: dict[str, Any]) -> float:
        hour = x.get(self.key)
        return 0.0 if hour is None else self.surprise(hour)

    def _dump(self) -> dict[str, Any]:
        return {**super()._dump(), "bins": list(self.bins)}

    def _load(self, state: dict[str, Any]) -> None:
        super()._load(state)
        self.bins = list(state["bins"])

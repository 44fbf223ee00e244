"""Actions per event-time bucket (a minute by default), and bursts above the usual."""

import math
from typing import Any

from intentwatch.models.baseline.base import Learner, fading


class RateProfile(Learner):
    """How many actions an agent takes per active bucket of event time, and how far the
    current bucket is above that.

    Time comes from the events (``ts``, epoch seconds), never from a clock. Actions are
    counted into fixed buckets of ``bucket_seconds``; when a later bucket starts, the count
    of the closed one feeds an exponentially weighted mean and variance over *active*
    buckets (idle time is not a bucket of zeros, so quiet nights do not make every working
    minute a burst). An action older than the current bucket counts into the current one.

    ``score_one`` is the burst score of the action: ``(count - mean) / sd`` of the current
    bucket including this action, 0 when below the usual. ``sd`` is floored by the Poisson
    spread ``sqrt(mean)`` and by ``min_sd``.

    ``learn_one(x, weight=0)`` still counts the action into the current bucket (the window
    is an observation, not learning), but the closed bucket it completes is learned with
    the weight of the action that closed it; so an attacker's burst that raised findings
    does not become the usual rate.

    Parameters
    ----------
    bucket_seconds
        Width of a bucket of event time.
    half_life
        Active buckets after which one counts half.
    min_sd
        Floor of the standard deviation, in actions per bucket.
    key
        Feature with the event time in epoch seconds.

    Examples
    --------
    >>> r = RateProfile()
    >>> t = 1_700_000_000.0
    >>> for minute in range(200):
    ...     for k in range(3):
    ...         r.learn_one({"ts": t + minute * 60 + k})
    >>> round(r.mean, 1)
    3.0
    >>> burst = [{"ts": t + 200 * 60 + k * 0.5} for k in range(40)]
    >>> for x in burst:
    ...     r.learn_one(x)
    >>> r.score_one({"ts": t + 200 * 60 + 30}) > 10
    True
    """

    __slots__ = ('bucket_seconds', 'half_life', 'min_sd', 'key', '_a', 'bucket', '_end', 'count', 'pending_weight',
                 'mean', 'var', 'n', 'sd')
    _PARAMS = ('bucket_seconds', 'half_life', 'min_sd', 'key')

    _STATE = ("bucket", "count", "mean", "var", "n", "pending_weight")

    def __init__(self, bucket_seconds: float = 60.0, half_life: float = 200, min_sd: float = 1.0, key: str = "ts"):
        self.bucket_seconds = bucket_seconds
        self.half_life = half_life
        self.min_sd = min_sd
        self.key = key
        self._a = fading(half_life)
        self.bucket: int | None = None  # index of the current bucket
        self._end = -math.inf   # event time at which it closes (derived)
        self.count = 0          # actions in it so far
        self.pending_weight = 1.0  # lowest weight among its actions, used when it closes
        self.mean = 0.0
        self.var = 0.0
        self.n = 0.0            # active buckets learned (weighted)
        self.sd = min_sd        # floored standard deviation of actions per active bucket (derived)

    def _close(self) -> None:
        w = self.pending_weight
        if w <= 0:
            return
        self.n += w
        a = w / self.n
        if a < self._a * w:
            a = self._a * w
        if a > 1.0:
            a = 1.0
        d = self.count - self.mean
        self.mean += a * d
        self.var = (1.0 - a) * (self.var + a * d * d)
        self._set_sd()

    def _set_sd(self) -> None:
        self.sd = max(math.sqrt(self.var), math.sqrt(self.mean), self.min_sd)

    def observe(self, ts: float, weight: float = 1.0) -> None:
        """Count one action at event time ``ts``."""
        if ts >= self._end:
            b = int(ts // self.bucket_seconds)
            if self.bucket is not None:
                self._close()
            self.bucket, self.count, self.pending_weight = b, 0, 1.0
            self._end = (b + 1) * self.bucket_seconds
        self.count += 1
        if weight < self.pending_weight:
            self.pending_weight = weight

    def learn_one(self, x: dict[str, Any], weight: float = 1.0) -> None:
        ts = x.get(self.key)
        if ts is not None:
            self.observe(ts, weight)

    def current(self, ts: float) -> int:
        """Actions in the bucket of ``ts`` counting one more at ``ts``."""
        return self.count + 1 if ts < self._end else 1

    def burst(self, ts: float) -> float:
        """How many standard deviations the bucket of ``ts`` is above the usual (0 if not)."""
        if self.n < 1:
            return 0.0
        c = self.count + 1 if ts < self._end else 1
        z = (c - self.mean) / self.sd
        return z if z > 0.0 else 0.0

    def score_one(self, x: dict[str, Any]) -> float:
        ts = x.get(self.key)
        return 0.0 if ts is None else self.burst(ts)

    def _load(self, state: dict[str, Any]) -> None:
        super()._load(state)
        self._end = -math.inf if self.bucket is None else (self.bucket + 1) * self.bucket_seconds
        self._set_sd()

"""A change detector on a per-agent signal, with drift episodes."""

import math
from typing import Any

from intentwatch.models.baseline.base import Learner, decode_float, encode_float, fading


class PageHinkley:
    """The Page-Hinkley test for an increase of the mean, as ``river.drift.PageHinkley(mode="up")``.

    Restated in a few lines (a unit test checks it detects at the same updates as river's)
    so its state is five plain numbers that ``DriftMonitor.to_state`` persists as JSON,
    without reaching into river's private attributes, at a third of the cost.

    >>> ph = PageHinkley(threshold=5.0, delta=0.1, min_instances=5)
    >>> [i for i, v in enumerate([0.0] * 20 + [2.0] * 10) if ph.update(v)]
    [22]
    """

    __slots__ = ("threshold", "delta", "min_instances", "alpha", "n", "mean", "sum", "min", "detected")

    def __init__(self, threshold: float = 50.0, delta: float = 0.005, min_instances: int = 30, alpha: float = 0.9999):
        self.threshold, self.delta, self.min_instances, self.alpha = threshold, delta, min_instances, alpha
        self.n, self.mean, self.sum, self.min, self.detected = 0, 0.0, 0.0, math.inf, False

    def update(self, x: float) -> bool:
        """Add one value; True when it completes a detection (the test restarts on the next)."""
        if self.detected:
            self.n, self.mean, self.sum, self.min = 0, 0.0, 0.0, math.inf
        n = self.n = self.n + 1
        m = self.mean = self.mean + (x - self.mean) / n
        s = self.sum = self.alpha * self.sum + (x - m) - self.delta
        if s < self.min:
            self.min = s
        self.detected = n >= self.min_instances and s - self.min > self.threshold
        return self.detected

    @property
    def statistic(self) -> float:
        """How far the cumulative sum rose above its minimum (0 before any value)."""
        return self.sum - self.min if self.n else 0.0

    def state(self) -> list:
        return [self.n, self.mean, self.sum, encode_float(self.min), self.detected]

    def load(self, state: list) -> None:
        self.n, self.mean, self.sum, mn, self.detected = state
        self.min = decode_float(mn)


class DriftMonitor(Learner):
    """The Page-Hinkley test on a standardised per-agent signal, raised once per episode.

    Feed it, once per action, a signal that rises when behaviour changes, e.g. the
    surprise of the action's tool under the agent's baseline. The signal is standardised
    by its own exponentially weighted mean and variance (learned only outside episodes,
    so a drift does not teach itself to be normal), clipped to ``[-clip, clip]``, and run
    through the Page-Hinkley test for an increase, with ``delta`` and ``threshold`` in
    standard deviations.

    The test is ``river.drift.PageHinkley(mode="up")``, step for step (see ``PageHinkley``).

    An **episode** starts at a detection and lasts until ``quiet`` updates pass with no new
    detection. ``drift_detected`` is True only on the update that starts an episode, so a
    finding raised on it is raised once per episode, not once per event; ``in_episode``
    stays True for its length.

    ``score_one(x)`` is the current Page-Hinkley statistic over its threshold (1.0 is the
    detection level); ``learn_one(x)`` is ``update(x[key])``.

    Parameters
    ----------
    threshold
        Page-Hinkley threshold (lambda), in standard deviations of the signal.
    delta
        Drift allowed before the sum grows, in standard deviations.
    min_instances
        Updates since the last detection before another may fire.
    alpha
        Forgetting factor of the cumulative sum.
    quiet
        Updates without detection that end an episode.
    half_life
        Updates after which one counts half in the standardisation.
    clip
        Bound of the standardised signal, so one extreme value cannot fire alone.
    key
        The signal read from ``x``.

    Examples
    --------
    >>> import random
    >>> rng = random.Random(7)
    >>> m = DriftMonitor()
    >>> starts = []
    >>> for i in range(3000):
    ...     m.update(rng.gauss(2.0 if i < 2000 else 5.0, 1.0))
    ...     if m.drift_detected:
    ...         starts.append(i)
    >>> starts  # one episode, a few updates after the shift at 2000
    [2011]
    >>> m.in_episode, m.episodes  # the new level became usual: the episode ended ``quiet`` updates later
    (False, 1)
    """

    __slots__ = ('threshold', 'delta', 'min_instances', 'alpha', 'quiet', 'half_life', 'clip', 'key', '_a', 'mean',
                 'var', 'n', 'ph', 'in_episode', 'since', 'episodes', 'started')
    _PARAMS = ('threshold', 'delta', 'min_instances', 'alpha', 'quiet', 'half_life', 'clip', 'key')

    _STATE = ("mean", "var", "n", "in_episode", "since", "episodes", "started")

    def __init__(self, threshold: float = 20.0, delta: float = 0.5, min_instances: int = 30, alpha: float = 1.0,
                 quiet: int = 200, half_life: float = 500, clip: float = 4.0, key: str = "signal"):
        self.threshold = threshold
        self.delta = delta
        self.min_instances = min_instances
        self.alpha = alpha
        self.quiet = quiet
        self.half_life = half_life
        self.clip = clip
        self.key = key
        self._a = fading(half_life)
        self.mean = 0.0       # standardisation of the signal
        self.var = 0.0
        self.n = 0.0
        self.ph = PageHinkley(threshold, delta, min_instances, alpha)
        self.in_episode = False
        self.since = 0        # updates since the last detection
        self.episodes = 0     # episodes started
        self.started = False  # the last update started an episode

    @property
    def drift_detected(self) -> bool:
        """True on the update that started a drift episode."""
        return self.started

    def update(self, v: float, weight: float = 1.0) -> None:
        """Feed one value of the signal (``weight`` scales what the standardisation learns)."""
        n = self.n
        if n:
            z = (v - self.mean) / (math.sqrt(self.var) if self.var > 1e-12 else 1.0)
            clip = self.clip
            z = clip if z > clip else -clip if z < -clip else z
        else:
            z = 0.0
        detected = self.ph.update(z)
        self.started = False
        if detected:
            self.since = 0
            if not self.in_episode:
                self.in_episode = self.started = True
                self.episodes += 1
        else:
            self.since += 1
            if self.in_episode and self.since >= self.quiet:
                self.in_episode = False
        if not self.in_episode and weight > 0:
            n = self.n = n + weight
            a = weight / n
            if a < self._a * weight:
                a = self._a * weight
            if a > 1.0:
                a = 1.0
            d = v - self.mean
            self.mean += a * d
            self.var = (1.0 - a) * (self.var + a * d * d)

    def learn_one(self, x: dict[str, Any], weight: float = 1.0) -> None:
        v = x.get(self.key)
        if v is not None:
            self.update(v, weight)

    @property
    def statistic(self) -> float:
        """The Page-Hinkley increase statistic, in standard deviations (0 before any update)."""
        return self.ph.statistic

    def score_one(self, x: dict[str, Any]) -> float:
        return self.statistic / self.threshold

    def reset(self) -> None:
        """Forget the signal's level and any episode (after an approved change)."""
        self._load(self.clone()._dump())

    def _dump(self) -> dict[str, Any]:
        return {**super()._dump(), "ph": self.ph.state()}

    def _load(self, state: dict[str, Any]) -> None:
        super()._load(state)
        self.ph.load(state["ph"])

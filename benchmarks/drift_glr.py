"""Two more bounds on drift delay, run on the actual action sequences (``drift_bound.py --glr``).

``drift_bound.py``'s oracle is Lorden's approximation ``h / KL``: it knows where the drift goes
and leaves out the overshoot. Here, on each drifting agent's real actions:

- **CUSUM, run**: the same oracle (knows ``p0`` and the drift's ``p1``), threshold
  ``log2(ARL)``, run action by action, so its overshoot and the luck of the draw count.
- **GLR, known p0**: a detector told the agent's pre-drift mix ``p0`` exactly (the engine must
  learn it) but not where the drift goes. At each action it asks whether any recent window of
  ``w`` actions is better explained by its own mix than by ``p0``: ``max_w w * KL(p_w || p0)``
  in bits, the generalised likelihood ratio over every destination mix. Its threshold is set
  on the normal agents' actual actions (each told its own mix): all of them together may hold
  the budget's alarm episodes (exceedances more than ``GAP`` actions apart start a new one),
  the same false-alert budget as the engine's.

What separates the two is the price of not knowing the destination: with ``K`` tools the GLR
searches a ``K - 1``-dimensional family, and the search costs threshold. No detector that is
not told where the drift goes can expect to beat the GLR by much; the engine also learns ``p0``.
"""

import math

import numpy as np

GAP = 50  # actions between exceedances that start a new alarm episode


def lags(longest: int = 3000) -> list[int]:
    """Window lengths searched: every one up to 40, then about 12 % apart.

    >>> ls = lags(100); ls[:3], ls[39:], ls[-1]
    ([1, 2, 3], [40, 45, 51, 58, 65, 73, 82, 92], 92)
    """
    out, w = list(range(1, 41)), 40
    while True:
        w = int(w * 1.12) + 1
        if w > longest:
            return out
        out.append(w)


def glr(seq: np.ndarray, p0: np.ndarray, windows: list[int]) -> np.ndarray:
    """``max_w w * KL(p_w || p0)`` in bits at each position of ``seq`` (tool indices into ``p0``);
    position ``n`` scores the windows ending with action ``n``.

    >>> p0 = np.array([0.5, 0.5])
    >>> float(glr(np.array([0, 0, 0]), p0, [1, 2, 3])[-1])  # three of one tool: 3 x log2(1/0.5)
    3.0
    """
    k, n = len(p0), len(seq)
    counts = np.zeros((k, n + 1), np.int32)
    np.cumsum(np.eye(k, dtype=np.int32)[seq].T, axis=1, out=counts[:, 1:])
    # w * KL(p_w || p0) = sum_k c_k log2 c_k - w log2 w - sum_k c_k log2 p0_k; the first term from
    # a table, the last as a running sum of log2 p0 over the actions
    clog = np.zeros(max(windows) + 1)
    clog[1:] = np.arange(1, len(clog)) * np.log2(np.arange(1, len(clog)))
    lp = np.concatenate(([0.0], np.cumsum(np.log2(p0)[seq])))
    best = np.zeros(n, np.float64)
    for w in windows:
        if w > n:
            break
        s = clog[counts[:, w:] - counts[:, :-w]].sum(axis=0) - clog[w] - (lp[w:] - lp[:-w])
        np.maximum(best[w - 1:], s, out=best[w - 1:])
    return best


def episodes(stat: np.ndarray, h: float) -> int:
    """Alarm episodes: exceedances of ``h``, a new one after ``GAP`` actions without one.

    >>> episodes(np.array([0, 5, 5, 0, 0, 5.0]), 4.0), episodes(np.zeros(3), 1.0)
    (1, 0)
    """
    at = np.flatnonzero(stat >= h)
    return 0 if at.size == 0 else 1 + int((np.diff(at) > GAP).sum())


def calibrate(normals: list[tuple[np.ndarray, np.ndarray]], allowed: float, windows: list[int]) -> float:
    """The lowest threshold at which the normal agents' own actions (each ``(seq, p0)``, ``p0``
    its mix over the whole segment: the detector is told it) hold at most ``allowed`` alarm
    episodes in all. Real sequences, not draws from ``p0``: sessions make tool use bursty, and
    a threshold set on iid draws would page on every busy session."""
    stats = [glr(seq, p0, windows) for seq, p0 in normals]
    lo, hi = 0.0, max(float(s.max()) for s in stats) + 1e-9
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if sum(episodes(s, mid) for s in stats) > allowed else (lo, mid)
    return hi


def first_at(stat: np.ndarray, h: float, start: int) -> float:
    """Index of the first position from ``start`` whose statistic reaches ``h`` (inf if none)."""
    at = np.flatnonzero(stat[start:] >= h)
    return math.inf if at.size == 0 else float(start + at[0])


def cusum_run(seq: list[str], p0: dict[str, float], p1s: list[dict[str, float]], h: float) -> float:
    """The oracle CUSUM run over ``seq``, ``p1s[i]`` the drift's mix at action ``i``: the index
    where ``max(0, S + log2(p1 / p0))`` first reaches ``h`` (inf if never).

    >>> cusum_run(["a", "b", "b"], {"a": 0.5, "b": 0.5}, [{"a": 0.0, "b": 1.0}] * 3, 1.5)
    2.0
    """
    s = 0.0
    for i, (t, p1) in enumerate(zip(seq, p1s)):
        q = p1.get(t, 0.0)
        s = max(0.0, s + (math.log2(q / p0[t]) if q > 0 else -math.inf))
        if s >= h:
            return float(i)
    return math.inf

"""benchmarks/drift_bound.py and drift_glr.py: the oracle CUSUM bound on drift detection delay, run, and
the GLR told only the pre-drift mix."""

import math
from collections import Counter

import numpy as np
import orjson
import pytest

from benchmarks.drift_bound import (TAIL, _after_onset, gradual_bound, kl_bits, mix, read_fleet, read_labels, run_bounds,
                                    sudden_bound)
from benchmarks.drift_glr import calibrate, cusum_run, episodes, first_at, glr, lags

START, END = "2026-01-05T00:00:00+00:00", "2026-01-06T00:00:00+00:00"


PRE = Counter(a=500, b=500)  # tools used before the drift


def _label(kind: str, onset_seq: int = 1000, times: list[float] = (), **detail) -> dict:
    """A label as ``read_fleet`` leaves it; by default the first drifted action is the first
    after the drift's start (1,000 actions before it)."""
    return {"agent_id": kind, "kind": kind, "group": "normal" if kind == "normal" else "behavioural",
            "onset_seq": onset_seq, "start": START, "end": END, "pre_tools": PRE, "times": list(times),
            "detail": {"start": "2026-01-05T12:00:00+00:00", **detail}}


def test_mix_keeps_a_distribution_and_kl_is_zero_without_drift():
    p0 = {"a": 0.7, "b": 0.2, "c": 0.1}
    assert sum(mix(p0, ["c"], 0.6).values()) == pytest.approx(1.0)
    assert mix(p0, ["c"], 0.6)["c"] == pytest.approx(0.4 * 0.1 + 0.6)
    assert kl_bits(mix(p0, ["c"], 0.0), p0) == 0.0


def test_sudden_bound_is_h_over_kl_counted_from_the_first_drifted_action():
    lab = _label("sudden_drift", drift_tools=["c"], share=0.5)
    one = sudden_bound(lab, 10.0)
    # twice the threshold, twice the actions (the bound counts the detecting action as delay 0)
    assert sudden_bound(lab, 20.0) + 1 == pytest.approx(2 * (one + 1))
    assert sudden_bound(_label("sudden_drift", drift_tools=["c"], share=0.8), 10.0) < one
    # drifting to a tool already used half the time tells the oracle less
    assert sudden_bound(_label("sudden_drift", drift_tools=["a"], share=0.5), 10.0) > one
    # an onset three actions after the drift's start: three fewer actions of delay
    late = _label("sudden_drift", onset_seq=1003, drift_tools=["c"], share=0.5)
    assert sudden_bound(late, 40.0) == pytest.approx(sudden_bound(lab, 40.0) - 3)
    assert _after_onset(late, 1.0) == 0.0


def test_gradual_bound_needs_more_actions_than_the_same_drift_at_once():
    times = [1_767_614_400_000 + i * 60_000 for i in range(1440)]  # one a minute from 2026-01-05T12:00
    grad = gradual_bound(_label("gradual_drift", times=times, drift_tools=["c"], max_share=0.5), 10.0)
    assert sudden_bound(_label("sudden_drift", drift_tools=["c"], share=0.5), 10.0) < grad < math.inf
    assert gradual_bound(_label("gradual_drift", times=times[:20], drift_tools=["c"], max_share=0.5), 10.0) == math.inf


def test_read_fleet_splits_actions_at_the_drift_start_and_rates_normal_agents(tmp_path):
    labels = [_label("normal"), _label("sudden_drift", onset_seq=2, drift_tools=["c"], share=0.5)]
    for lab in labels:  # as simulate writes them: read_fleet adds these
        del lab["pre_tools"], lab["times"]
    (tmp_path / "labels.jsonl").write_bytes(b"\n".join(orjson.dumps(x) for x in labels))
    acts = [{"agent_id": "normal", "time": START, "tool": "a"}] * 12
    acts += [{"agent_id": "sudden_drift", "time": t, "tool": tool} for t, tool in
             [("2026-01-05T01:00:00Z", "a"), ("2026-01-05T02:00:00Z", "b"), ("2026-01-05T13:00:00Z", "c")]]
    acts += [{"agent_id": "unlabelled", "time": START, "tool": "a"}]
    (tmp_path / "actions.jsonl").write_bytes(b"\n".join(orjson.dumps(x) for x in acts))
    drifting, rate = read_fleet(tmp_path, read_labels(tmp_path))
    assert rate == pytest.approx(12 / 24)  # 12 actions in a 24-hour label
    lab = drifting["sudden_drift"]
    assert lab["pre_tools"] == Counter(a=1, b=1) and len(lab["times"]) == 1
    assert list(drifting) == ["sudden_drift"]
    assert lab["tail"] == ["a", "b"] and lab["post"] == ["c"]


def test_glr_scores_a_window_by_its_own_mix_against_p0():
    p0 = np.array([0.9, 0.1])
    steady = np.zeros(200, np.int64)  # always the common tool: its own mix is nearly p0's
    drifted = np.concatenate([steady, np.ones(20, np.int64)])  # then 20 of the rare one
    s, d = glr(steady, p0, lags(100)), glr(drifted, p0, lags(100))
    assert s.max() == pytest.approx(max(lags(100)) * math.log2(1 / 0.9))  # the longest window searched
    # 20 rare ones in a row: 20 x log2(1 / 0.1) bits, more the longer the run
    assert d[-1] == pytest.approx(20 * math.log2(10)) and d[-1] > d[-5] > s.max() / 2


def test_calibrate_keeps_the_budget_on_normal_sequences_and_a_drift_needs_evidence():
    rng = np.random.default_rng(3)
    p0 = np.array([0.6, 0.3, 0.1])
    normals = [(rng.choice(3, size=5000, p=p0), p0) for _ in range(4)]
    w = lags(400)
    h = calibrate(normals, 2, w)
    assert sum(episodes(glr(seq, p, w), h) for seq, p in normals) <= 2
    assert sum(episodes(glr(seq, p, w), h * 0.8) for seq, p in normals) > 2  # the lowest such threshold
    drift = np.concatenate([rng.choice(3, size=1000, p=p0), rng.choice(3, size=400, p=[0.2, 0.2, 0.6])])
    at = first_at(glr(drift, p0, w), h, 1000)
    assert 1000 < at < 1100
    assert first_at(glr(normals[0][0][:1000], p0, w), h, 0) == math.inf


def test_run_bounds_gives_the_oracle_run_and_a_later_glr(tmp_path):
    rng = np.random.default_rng(5)
    pre = list(rng.choice(["a", "b"], size=2000))
    post = [str(t) for t in rng.choice(["a", "b", "c"], size=300, p=[0.2, 0.2, 0.6])]
    lab = _label("sudden_drift", onset_seq=2000, drift_tools=["c"], share=0.6)
    lab.update(pre_tools=Counter(pre), head=pre[:TAIL], tail=pre[-TAIL:], post=post)
    oracle, g = run_bounds(lab, 16.0, 40.0)
    assert 0 < oracle < g < 300
    assert cusum_run(["a"] * 50, {"a": 0.5, "c": 0.5}, [{"a": 0.2, "c": 0.8}] * 50, 16.0) == math.inf


def test_a_learned_reference_counts_only_the_first_actions():
    from benchmarks.drift_bound import learned

    seq = np.array([0, 0, 0, 1, 2, 2, 2, 2])
    ref = learned(seq, 3, 4)  # 0,0,0,1 and +0.5 each
    assert ref.sum() == pytest.approx(1.0)
    assert list(ref) == pytest.approx([3.5 / 5.5, 1.5 / 5.5, 0.5 / 5.5])

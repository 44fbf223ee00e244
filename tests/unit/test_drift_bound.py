"""benchmarks/drift_bound.py: the oracle CUSUM bound on drift detection delay."""

import math
from collections import Counter

import orjson
import pytest

from benchmarks.drift_bound import _after_onset, gradual_bound, kl_bits, mix, read_fleet, read_labels, sudden_bound

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

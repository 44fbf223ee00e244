"""benchmarks/frog_bound.py: how separable boiling frogs are by their reach outside the reference."""

import orjson

from benchmarks.frog_bound import best, glr_bits, uses

START, END = "2026-01-05T00:00:00+00:00", "2026-01-06T00:00:00+00:00"


def test_glr_is_zero_unless_the_share_after_is_higher():
    assert glr_bits(10, 100, 1, 10) == 0.0  # 10% after, ~10% before
    assert glr_bits(1, 100, 5, 10) > glr_bits(1, 100, 3, 10) > 0.0
    assert glr_bits(5, 100, 0, 0) == 0.0  # nothing after the split


def test_best_reads_the_window_after_the_onset_or_scans():
    # one tool: 100 uses inside the reference (actions 1-100), then every other use outside
    tools = {"sql.query": [(n, n > 100 and n % 2 == 0) for n in range(1, 201)]}
    assert best(tools, 10, onset=101) > best(tools, 10, onset=50) == 0.0
    assert best(tools, 10, onset=None) >= best(tools, 10, onset=101)  # the scan finds the split too
    assert best(tools, 100, onset=101) > best(tools, 10, onset=101)   # more uses, more evidence


def test_uses_builds_the_reference_from_warm_up_and_counts_a_triple_once(tmp_path):
    labels = [{"agent_id": "a", "kind": "boiling_frog", "start": START, "end": END, "onset_seq": 3},
              {"agent_id": "n", "kind": "normal", "start": START, "end": END, "onset_seq": None}]
    (tmp_path / "labels.jsonl").write_bytes(b"\n".join(orjson.dumps(x) for x in labels))
    acts = [("2026-01-05T00:00:00Z", "t1", "s1"),              # warm-up: the reference
            ("2026-01-05T03:00:00Z", "t1", "s2"),              # inside
            ("2026-01-05T03:00:01Z", "t9", "s2"),              # outside
            ("2026-01-05T03:00:02Z", "t9", "s2")]              # the same session and table: not counted
    rows = [{"agent_id": "a", "time": t, "tool": "sql.query", "resource": r, "session_id": s} for t, r, s in acts]
    (tmp_path / "actions.jsonl").write_bytes(b"\n".join(orjson.dumps(x) for x in rows))
    per_agent, hours = uses(tmp_path, warm_hours=1.0, warm_events=1)
    assert per_agent["a"]["sql.query"] == [(2, False), (3, True)]
    assert hours == 24.0  # the normal agent's label

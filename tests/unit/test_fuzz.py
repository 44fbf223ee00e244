"""The fuzz generator of benchmarks/fuzz.py at test size: nothing crashes replay."""

from benchmarks.fuzz import Gen, small_run


def test_small_fuzz_run_crashes_nothing():
    res = small_run()
    assert res.escaped == [] and res.crash_reasons == {}, res.crash_reasons.most_common(5) + res.escaped
    assert res.crashes == 0
    # The stream did reach the engine (not everything was refused at the edge) and the bad lines were refused.
    assert res.judged > 3000 and res.outputs > 0
    assert sum(res.reasons.values()) >= res.malformed
    oversized = len(b'{"event_id":"big","attributes":"' + b"A" * 1_100_000 + b'"}')  # read in 1 MiB steps, never whole
    assert res.reasons[f"message is {oversized} bytes, over the 1048576-byte limit"] == 1


def test_same_seed_same_lines():
    a, b = Gen(3, 10), Gen(3, 10)
    assert [a.action() for _ in range(50)] + [a.malformed() for _ in range(50)] == \
           [b.action() for _ in range(50)] + [b.malformed() for _ in range(50)]

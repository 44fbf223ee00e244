"""Per-agent behaviour learners (models/baseline): one conformance suite over every learner,
then what each one must notice and must not.

Streams are synthetic and seeded; nothing here needs a broker or a clock.
"""

import copy
import dataclasses
import functools
import json
import math
import os
import pickle
import random
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest
from river import drift as river_drift
from river import stats as river_stats

from intentwatch.models.baseline import (
    AgentBaseline,
    BehaviourScores,
    CategoryProfile,
    DriftMonitor,
    FirstSeen,
    HourProfile,
    RateProfile,
    ReachShift,
    ReferenceDivergence,
    SourceProfile,
    VolumeProfile,
    epoch_seconds,
    features,
    js_divergence,
    network_of,
    resource_prefix,
)
from intentwatch.models.baseline.drift import PageHinkley
from tests.factories import action

T0 = 1_767_603_600.0  # 2026-01-05 09:00 UTC, a Monday

TOOLS = ["zendesk.get_ticket", "zendesk.update_ticket", "zendesk.add_comment", "crm.lookup", "email.send",
         "kb.search", "zendesk.search_tickets", "translate.text", "slack.post_message", "crm.update_contact"]
TOOL_OP = {"email.send": "send", "slack.post_message": "send", "zendesk.update_ticket": "write",
           "zendesk.add_comment": "write", "crm.update_contact": "write"}
TOOL_DOMAIN = {"crm.lookup": "crm", "crm.update_contact": "crm", "email.send": "customer_contact",
               "kb.search": "knowledge_base", "slack.post_message": "internal_comms"}
TOOL_KB = {"email.send": 6.0, "kb.search": 20.0, "zendesk.get_ticket": 4.0}


def agent_stream(n: int, seed: int = 1, start: float = T0) -> list[dict]:
    """Feature dicts of a plausible support agent: Zipf tool use, a pool of resources that
    repeat, log-normal payloads per tool, office hours with bursts, a few addresses in one /24."""
    return list(_agent_stream(n, seed, start))


@functools.lru_cache(maxsize=None)
def _agent_stream(n: int, seed: int, start: float, tools: tuple[str, ...] = tuple(TOOLS), ips: int = 3) -> tuple:
    rng = random.Random(seed)
    weights = [1.0 / (k + 1) ** 1.3 for k in range(len(tools))]
    ts = start
    out = []
    for _ in range(n):
        ts += rng.expovariate(1 / 40.0)
        hour = int(ts // 3600) % 24
        if hour >= 18:  # jump to 08:00 next day
            ts += (24 - hour + 8) * 3600
        tool = rng.choices(tools, weights)[0]
        res = f"zendesk://acme/tickets/{rng.randrange(60)}" if tool.startswith("zendesk") else \
            f"crm://acme/contact/{rng.randrange(30)}" if tool.startswith("crm") else \
            f"mailto:user{rng.randrange(20)}@customer.example" if tool == "email.send" else f"{tool}:default"
        ip = f"10.1.2.{10 + rng.randrange(ips)}"
        out.append({
            "tool": tool, "operation": TOOL_OP.get(tool, "read"), "data_domain": TOOL_DOMAIN.get(tool, "tickets"),
            "resource": res, "resource_prefix": resource_prefix(res),
            "bytes": int(rng.lognormvariate(math.log(TOOL_KB.get(tool, 2.0) * 1024), 0.6)),
            "ts": ts, "hour": int(ts // 3600) % 24, "source_ip": ip, "network": network_of(ip), "credential": "key-1",
        })
    return tuple(out)


def trained(learner, xs, weight: float = 1.0):
    for x in xs:
        learner.score_one(x)
        learner.learn_one(x) if weight == 1.0 else learner.learn_one(x, weight)
    return learner


# -- conformance: every learner --------------------------------------------------------------
def _signal_stream(n=600, seed=3):
    rng = random.Random(seed)
    return [{"signal": rng.gauss(2.0 if i < 400 else 4.0, 1.0)} for i in range(n)]


LEARNERS = {
    "CategoryProfile": (lambda: CategoryProfile(max_items=8, key="tool"), lambda: agent_stream(600)),
    "CategoryProfile-seeded": (lambda: _seeded(), lambda: agent_stream(600)),
    "VolumeProfile": (lambda: VolumeProfile(max_groups=4), lambda: agent_stream(600)),
    "RateProfile": (lambda: RateProfile(), lambda: agent_stream(600)),
    "HourProfile": (lambda: HourProfile(), lambda: agent_stream(600)),
    "FirstSeen": (lambda: FirstSeen(bits=256, capacity=20), lambda: agent_stream(600)),
    "SourceProfile": (lambda: SourceProfile(max_sources=2), lambda: agent_stream(600)),
    "DriftMonitor": (lambda: DriftMonitor(threshold=8.0), lambda: _signal_stream()),
    "ReferenceDivergence": (lambda: _frozen_divergence(), lambda: agent_stream(600, seed=5)),
    "ReachShift": (lambda: _frozen_reach(), lambda: agent_stream(600, seed=6)),
    "AgentBaseline": (lambda: AgentBaseline(warm_events=100, warm_seconds=3600, max_items=16),
                      lambda: agent_stream(600)),
}


def _seeded():
    p = CategoryProfile(key="tool")
    p.seed(["zendesk.*", "crm.lookup", "email.send"])
    return p


def _frozen_reach():
    r = ReachShift(min_n=5)
    for x in agent_stream(100, seed=4):  # a reference from a few resources; later streams reach outside it
        r.learn_one(x)
    r.freeze()
    return r


def _frozen_divergence():
    d = ReferenceDivergence(every=20, key="tool")
    for x in agent_stream(300, seed=4):
        d.learn_one(x)
    d.freeze()
    return d


def scores(learner, xs):
    """Score then learn each x; scores as plain comparable values."""
    out = []
    for x in xs:
        s = learner.score_one(x)
        out.append(dataclasses.astuple(s) if isinstance(s, BehaviourScores) else s)
        assert learner.learn_one(x) is None
    return out


@pytest.fixture(params=sorted(LEARNERS))
def case(request):
    make, stream = LEARNERS[request.param]
    return request.param, make, stream()


def test_score_is_float_and_learn_returns_none(case):
    name, make, xs = case
    m = make()
    for x in xs[:50]:
        s = m.score_one(x)
        if name == "AgentBaseline":
            assert isinstance(s, BehaviourScores)
            assert all(isinstance(v, (int, float)) and math.isfinite(v) for v in dataclasses.astuple(s))
        else:
            assert isinstance(s, float) and math.isfinite(s) and s >= 0.0
        assert m.learn_one(x) is None


def test_inputs_unchanged(case):
    _, make, xs = case
    before = copy.deepcopy(xs)
    scores(make(), xs)
    assert xs == before


def test_same_inputs_same_scores(case):
    _, make, xs = case
    assert scores(make(), xs) == scores(make(), xs)


def test_pickle_round_trip_gives_identical_scores(case):
    _, make, xs = case
    m = make()
    scores(m, xs[:400])
    restored = pickle.loads(pickle.dumps(m))
    assert scores(restored, xs[400:]) == scores(m, xs[400:])


def test_state_round_trip_gives_identical_scores(case):
    _, make, xs = case
    m = make()
    scores(m, xs[:400])
    state = json.loads(json.dumps(m.to_state(), allow_nan=False))  # strict JSON
    restored = type(m).from_state(state)
    assert restored.to_state() == m.to_state()
    assert scores(restored, xs[400:]) == scores(m, xs[400:])


def test_state_of_fresh_learner_round_trips(case):
    _, make, xs = case
    m = make()
    restored = type(m).from_state(json.loads(json.dumps(m.to_state(), allow_nan=False)))
    assert scores(restored, xs[:100]) == scores(m, xs[:100])


def test_tolerates_missing_features(case):
    name, make, xs = case
    m = make()
    scores(m, xs[:200])
    for x in ({}, {k: None for k in xs[0]}, {"unrelated": 1}):
        s = m.score_one(x)
        if name not in ("AgentBaseline", "ReferenceDivergence", "DriftMonitor"):
            assert s == 0.0  # nothing to judge
        assert m.learn_one(x) is None


def test_clone_is_fresh_with_same_configuration(case):
    _, make, xs = case
    m = make()
    scores(m, xs[:300])
    c = m.clone()
    assert repr(c) == repr(m)
    assert c.to_state() == type(m)(**m._get_params()).to_state()  # untrained: nothing learned is copied
    assert scores(c, xs[:100]) == scores(type(m)(**m._get_params()), xs[:100])


def test_state_from_another_type_is_refused():
    with pytest.raises(ValueError, match="HourProfile"):
        CategoryProfile.from_state(HourProfile().to_state())


# -- CategoryProfile -------------------------------------------------------------------------
def test_category_novel_scores_high_and_familiar_low():
    p = trained(CategoryProfile(key="tool"), agent_stream(2000))
    common, rare, novel = (p.score_one({"tool": t}) for t in ("zendesk.get_ticket", "crm.update_contact", "shell.exec"))
    assert common < 2.5 < rare < novel
    assert p.is_novel("shell.exec") and not p.is_novel("crm.update_contact")
    assert p.novelty("zendesk.get_ticket") == 0.0 and p.novelty("shell.exec") > 8  # its vocabulary has settled
    assert p.distinct == len(TOOLS)


def test_category_novelty_is_low_for_an_agent_that_often_picks_up_new_values():
    p = CategoryProfile(key="resource")
    for i in range(2000):
        p.learn_one({"resource": f"file-{i}" if i % 3 == 0 else f"file-{i % 7}"})
    assert p.novelty("file-new") < 2.0


def test_category_memory_bound_evicts_least_used():
    p = CategoryProfile(max_items=16, key="r")
    for i in range(5000):
        p.learn_one({"r": "hot" if i % 2 else f"cold-{i}"})
    assert p.distinct == 16 and not p.is_novel("hot")
    assert 0.45 < p.share("hot") < 0.55


def test_category_old_use_fades():
    p = CategoryProfile(half_life=100, key="tool")
    for tool in ["old"] * 500 + ["new"] * 500:
        p.learn_one({"tool": tool})
    assert p.share("new") > 0.95 and p.score_one({"tool": "old"}) > p.score_one({"tool": "new"}) + 4


def test_category_rescale_keeps_shares():
    p = CategoryProfile(half_life=5, key="tool")
    for i in range(2000):  # the increment passes 2**64 every ~320 events
        p.learn_one({"tool": "a" if i % 4 else "b"})
    assert p.inc < 2.0 ** 64 and abs(p.share("b") - 0.25) < 0.15 and math.isfinite(p.surprise("c"))


def test_prior_from_intent_makes_declared_tools_unsurprising_at_the_first_action():
    p = CategoryProfile(key="tool")
    p.seed(["crm.lookup", "email.send", "zendesk.*"])
    declared = [p.score_one({"tool": t}) for t in ("crm.lookup", "email.send", "zendesk.get_ticket")]
    undeclared = p.score_one({"tool": "shell.exec"})
    assert max(declared) + 3 < undeclared
    assert all(p.is_novel(t) for t in ("crm.lookup", "zendesk.get_ticket"))  # a prior is not use


def test_prior_fades_as_the_agent_shows_what_it_really_uses():
    p = CategoryProfile(half_life=200, key="tool")
    p.seed(["crm.lookup", "email.send"])
    for _ in range(2000):
        p.learn_one({"tool": "crm.lookup"})
    assert p.score_one({"tool": "email.send"}) > 9 and p.novelty("email.send") > 9
    assert p.prior["email.send"] / p.inc < 0.01  # 10 pseudo-events faded to under a hundredth


# -- VolumeProfile ---------------------------------------------------------------------------
def test_volume_burst_scores_high_and_usual_low():
    v = trained(VolumeProfile(), agent_stream(2000))
    usual = [v.score_one(x) for x in agent_stream(300, seed=9)]
    assert max(usual) < 4
    x = {"tool": "email.send", "bytes": 6 * 1024 * 200}  # 200x its usual
    assert v.score_one(x) > 8
    assert v.score_one({"tool": "email.send", "bytes": 10}) == 0.0  # below usual is not strange
    assert 4_000 < v.typical("email.send") < 9_000


def test_volume_tool_without_history_is_not_judged():
    # The agent's overall sizes say nothing about a tool it rarely used: its first exports are big.
    v = trained(VolumeProfile(), agent_stream(500))
    assert v.score_one({"tool": "export.csv", "bytes": 50_000_000}) == 0.0
    assert v.score_one({"bytes": 50_000_000}) > 5  # no tool named: the agent's own figures


def test_volume_learning_is_winsorised():
    v = trained(VolumeProfile(), agent_stream(1000))
    before = v.typical("email.send")
    for _ in range(5):
        v.learn_one({"tool": "email.send", "bytes": 500_000_000})
    assert v.typical("email.send") < 3 * before
    assert v.score_one({"tool": "email.send", "bytes": 500_000_000}) > 5


def test_volume_groups_are_bounded():
    v = VolumeProfile(max_groups=8)
    for i in range(1000):
        v.learn_one({"tool": f"t{i % 50}", "bytes": 1000})
    assert len(v.groups) == 8


def test_volume_shift_fires_inside_a_heavy_tail_and_not_on_its_usual():
    """A tool whose sizes vary by thousands: its own stream keeps the shift evidence low for
    5,000 transfers; 100x transfers on every other call (each inside its tail) add up."""
    rng = random.Random(3)

    def usual() -> int:
        return int(2 ** rng.gauss(17, 3.5))  # median 128 KB, one in ten above 12 MB

    v = VolumeProfile()
    for _ in range(1000):
        v.update(usual(), "s3.get_object")
    assert 0.02 < v.raised_share("s3.get_object") < 0.1
    assert max(v.shift(usual(), "s3.get_object") for _ in range(5000)) < 18
    v.reset_shift("s3.get_object")
    assert v.excess(100 * 2 ** 17, "s3.get_object") < 3  # one such transfer is unremarkable
    runs = []
    for i in range(300):
        nbytes = 100 * 2 ** 17 if i % 2 == 0 else usual()
        runs.append(v.shift(nbytes, "s3.get_object"))
        v.update(nbytes, "s3.get_object")
    assert max(runs) > 18 and runs.index(max(runs)) > 0


def test_volume_state_round_trip_keeps_the_shift_evidence():
    """A worker restored from a checkpoint goes on with the same raised shares and the
    same evidence part-way through a shift."""
    v = trained(VolumeProfile(), agent_stream(800))
    tool = "zendesk.get_ticket"
    big = int(v.typical(tool) * v.spread(tool) ** 3)
    for i in range(6):
        v.shift(big if i % 2 == 0 else 2000, tool)
    w = VolumeProfile.from_state(json.loads(json.dumps(v.to_state())))
    assert w.raised_share(tool) == v.raised_share(tool) > 0
    later = [big if i % 2 == 0 else 2000 for i in range(20)]
    assert [w.shift(b, tool) for b in later] == [v.shift(b, tool) for b in later]
    assert v.shift(big, tool) > 18  # by now past the default volume_shift_bits


def test_volume_state_persisted_before_the_shift_figures_loads():
    """Rows of four figures (mean, deviation, observations, last update) from an older
    checkpoint load with the shift figures at their start: the prior share, no evidence."""
    v = trained(VolumeProfile(), agent_stream(500))
    state = v.to_state()
    state["state"]["agent"] = state["state"]["agent"][:4]
    state["state"]["groups"] = {g: row[:4] for g, row in state["state"]["groups"].items()}
    w = VolumeProfile.from_state(state)
    assert w.typical("zendesk.get_ticket") == v.typical("zendesk.get_ticket")
    assert w.raised_share("zendesk.get_ticket") == 0.05 and w.shift(10**9, "zendesk.get_ticket") > 0


# -- RateProfile -----------------------------------------------------------------------------
def test_rate_burst_scores_high():
    r = trained(RateProfile(), agent_stream(3000))
    assert 1.0 < r.mean < 3.0
    t = (int(agent_stream(3000)[-1]["ts"] // 60) + 120) * 60.0  # the start of a quiet minute
    assert r.score_one({"ts": t}) == 0.0
    for k in range(30):
        r.learn_one({"ts": t + 2 * k})
    assert r.score_one({"ts": t + 59.5}) > 10  # 31 actions in a minute
    assert r.score_one({"ts": t + 60.5}) == 0.0  # the next minute starts afresh


def test_rate_does_not_learn_a_flagged_burst():
    r = trained(RateProfile(), agent_stream(3000))
    t = (int(agent_stream(3000)[-1]["ts"] // 60) + 60) * 60.0
    r.learn_one({"ts": t - 600}, weight=0.0)  # closes the last ordinary minute (with its own weight)
    usual = r.mean
    for minute in range(30):
        for k in range(100):
            r.learn_one({"ts": t + minute * 60 + k * 0.5}, weight=0.0)
    r.learn_one({"ts": t + 3600}, weight=0.0)  # closes the last burst minute, unlearned too
    assert r.mean == usual
    assert r.current(t + 3600) == 2  # the window still counts what it is not taught


# -- HourProfile -----------------------------------------------------------------------------
def test_hours_off_hours_score_high():
    h = trained(HourProfile(), agent_stream(3000))
    assert h.score_one({"hour": 11}) == 0.0
    assert h.score_one({"hour": 3}) > 4
    assert h.share(11) > h.share(3)


# -- ReachShift ------------------------------------------------------------------------------
def _reach(n_ref: int = 300, **params) -> ReachShift:
    """A reach learner whose reference is 20 tables, frozen."""
    r = ReachShift(**params)
    for i in range(n_ref):
        r.learn_one({"tool": "sql.query", "resource": f"t{i % 20}", "session": f"ref{i // 10}"})
    r.freeze()
    return r


def _work(r: ReachShift, uses) -> list[float]:
    """Count then learn each (resource, session) use of sql.query; the evidence after each."""
    runs = []
    for res, sess in uses:
        x = {"tool": "sql.query", "resource": res, "session": sess}
        runs.append(r.shift(x))
        r.learn_one(x)
    return runs


def test_reach_shift_fires_on_a_tool_that_keeps_reaching_outside_the_reference():
    """Every fourth use on one of a few new tables, across ten-use sessions: past the threshold
    within a hundred uses; the usual work before it gathers nothing."""
    r = _reach()
    assert max(_work(r, [(f"t{i % 20}", f"a{i // 10}") for i in range(200)])) == 0.0
    runs = _work(r, [(f"new{i % 5}" if i % 4 == 0 else f"t{i % 20}", f"b{i // 10}") for i in range(100)])
    assert max(runs) > r.threshold
    n, k = r.recent("sql.query")
    assert 0 < k < n and r.share("sql.query") < 0.25
    r.reset("sql.query")
    assert r.score_one({"tool": "sql.query", "resource": "t1"}) == 0.0 and r.recent("sql.query") == (0, 0)


def test_reach_shift_counts_a_resource_once_per_session():
    """Near miss: one new table worked 60 times in one session counts once and stays far
    below the threshold; the same 60 uses, each in its own session, fire."""
    one = _reach()
    _work(one, [(f"t{i % 20}", f"a{i // 10}") for i in range(200)])
    assert max(_work(one, [("new0", "b")] * 60)) < 8
    each = _reach()
    _work(each, [(f"t{i % 20}", f"a{i // 10}") for i in range(200)])
    assert max(_work(each, [("new0", f"b{i}") for i in range(60)])) > each.threshold


def test_reach_shift_counts_once_across_interleaved_sessions():
    """Two sessions at once, one working a new table, the other the usual ones: the new
    table still counts once for its session."""
    r = _reach()
    _work(r, [(f"t{i % 20}", f"a{i // 10}") for i in range(200)])
    mixed = [("new0", "b") if i % 2 else (f"t{i % 20}", "c") for i in range(80)]
    assert max(_work(r, mixed)) < 8


def test_reach_shift_does_not_learn_the_widening_it_suspects():
    """Poisoning resistance: uses counted while the evidence is past half the threshold teach
    the share nothing, so a steady widening does not become the normal."""
    usual = [(f"t{i % 20}", f"a{i // 10}") for i in range(200)]
    widening = [(f"new{i % 5}" if i % 2 == 0 else f"t{i % 20}", f"b{i}") for i in range(60)]
    guarded, unguarded = _reach(), _reach(protect=1e9)
    for r in (guarded, unguarded):
        _work(r, usual)
        _work(r, widening)
    assert guarded.share("sql.query") < 0.1 < unguarded.share("sql.query")


def test_reach_shift_is_quiet_before_freeze_and_for_a_tool_with_little_history():
    r = ReachShift()
    assert _work(r, [("new0", f"s{i}") for i in range(50)]) == [0.0] * 50  # not frozen: builds the reference
    r.freeze()
    assert max(_work(r, [(f"other{i}", f"s{i}") for i in range(30)])) == 0.0  # min_n counted uses first


def test_reach_shift_unfreeze_keeps_the_reference_and_drops_the_evidence():
    """After an approved update the evidence goes, old tables stay in the reference, and
    what the re-learning period uses joins it."""
    r = _reach()
    _work(r, [(f"t{i % 20}", f"a{i // 10}") for i in range(200)])
    _work(r, [(f"new{i % 5}", f"b{i}") for i in range(10)])
    assert r.score_one({"tool": "sql.query", "resource": "t1"}) > 0
    r.unfreeze()
    assert r.score_one({"tool": "sql.query", "resource": "t1"}) == 0.0 and r.recent("sql.query") == (0, 0)
    _work(r, [("granted", f"c{i}") for i in range(20)])
    r.freeze()
    assert not r.outside("t3") and not r.outside("granted") and r.outside("never-used")


# -- FirstSeen -------------------------------------------------------------------------------
def test_first_seen_new_resource_scores_high_for_a_settled_agent():
    f = trained(FirstSeen(), agent_stream(3000))
    assert f.score_one({"resource": "zendesk://acme/tickets/7"}) == 0.0
    assert f.score_one({"resource": "s3://exfil-bucket/dump"}) > 7
    assert len(f.current) == len(f.previous) == 2048 // 8


def test_first_seen_memory_is_fixed_and_old_values_are_forgotten():
    f = FirstSeen(bits=1024, capacity=50)
    for i in range(5000):
        f.learn_one({"resource": f"r{i}"})
    assert len(f.current) == 128 and len(f.groups) == 2 * f.buckets
    assert len(json.dumps(f.to_state())) < 1000 + 20 * len(f.groups)  # filters plus one float per group slot
    assert not f.seen("r0") and f.seen("r4999")


# -- SourceProfile ---------------------------------------------------------------------------
def test_sources_new_address_and_new_network():
    s = trained(SourceProfile(), agent_stream(1000))
    assert s.score_one({"credential": "key-1", "source_ip": "10.1.2.10"}) == 0.0
    assert s.score_one({"credential": "key-1", "source_ip": "10.1.2.99"}) == 0.5
    assert s.score_one({"credential": "key-1", "source_ip": "146.70.124.118"}) == 1.0
    assert s.is_new_source("key-1", "10.1.2.99") and not s.is_new_network("key-1", "10.1.2")
    assert s.is_new_network("key-1", "146.70.124") and s.is_new_network("key-2", "10.1.2")
    assert s.score_one({"credential": "key-2", "source_ip": "10.1.2.10"}) == 0.5  # new key, known network


def test_sources_are_bounded():
    s = SourceProfile(max_credentials=2, max_sources=4, max_networks=3)
    for i in range(1000):
        s.learn_one({"credential": f"k{i % 5}", "source_ip": f"10.{i % 7}.0.{i % 11}"})
    assert len(s.creds) == 2
    assert all(len(ips) <= 4 and len(nets) <= 3 for ips, nets in s.creds.values())


def test_network_of():
    assert network_of("192.168.1.20") == "192.168.1"
    assert network_of("2001:db8:1:2::1") == "2001:db8:1"


def test_a_source_that_is_not_an_address_has_no_network():
    """CloudTrail writes "AWS Internal" (or a service's host name) when AWS made the call: that is
    no network, so one credential seen "from" it and from an address is not two networks."""
    assert network_of("AWS Internal") is None and network_of("lambda.amazonaws.com") is None
    assert network_of("not:an:address") is None


def test_network_of_ipv6_groups_every_spelling_of_an_address():
    """Issue 13: the string cut gave "2001:db8:" for 2001:db8::1 and "2001:db8:0" for
    2001:db8:0:0::1, one /48 as two networks (a credential "from a new network")."""
    import ipaddress

    spellings = ["2001:db8::1", "2001:db8:0:0::1", "2001:0db8:0000::1", "2001:DB8::ffff:1", "2001:db8::1%eth0"]
    assert {network_of(ip) for ip in spellings} == {"2001:db8:0"}
    assert network_of("2001:db8:1::1") != network_of("2001:db8::1")  # another /48
    assert network_of("::1") == "0:0:0" and network_of("::") == "0:0:0"
    assert network_of("::ffff:192.168.1.20") == network_of("192.168.1.20") == "192.168.1"
    # the same /48 as ipaddress computes it, for a spread of addresses
    rng = random.Random(5)
    for _ in range(200):
        addr = ipaddress.IPv6Address(rng.getrandbits(128))
        if addr.ipv4_mapped is not None:
            continue
        net = ipaddress.IPv6Network((addr, 48), strict=False).network_address
        assert network_of(str(addr)) == ":".join(f"{int(g, 16):x}" for g in net.exploded.split(":")[:3])
    # not an address: no network, never an error on the per-action path
    assert network_of("fe80::zz") is None and network_of("a:b:c:d:e") is None


# -- DriftMonitor ----------------------------------------------------------------------------
def test_page_hinkley_matches_river():
    rng = random.Random(11)
    values = [rng.gauss(0.0, 1.0) for _ in range(3000)] + [rng.gauss(1.0, 1.0) for _ in range(500)]
    values += [rng.gauss(0.0, 1.0) for _ in range(1000)] + [rng.gauss(2.0, 1.0) for _ in range(200)]
    ours = PageHinkley(threshold=10.0, delta=0.3, min_instances=30)
    theirs = river_drift.PageHinkley(min_instances=30, delta=0.3, threshold=10.0, mode="up")
    mine, ref = [], []
    for i, v in enumerate(values):
        if ours.update(v):
            mine.append(i)
        theirs.update(v)
        if theirs.drift_detected:
            ref.append(i)
    assert mine == ref and len(mine) >= 2


@pytest.mark.parametrize("half_life", [1.0, 0.5])
def test_drift_standardisation_is_rivers_ew_mean_and_variance(half_life):
    # With half_life <= 1 the weight of a new value is the fading factor from the second value
    # on (later, 1/n stops mattering for any half-life), so the update alone is compared.
    m = DriftMonitor(half_life=half_life, threshold=1e9)
    mean, var = river_stats.EWMean(fading_factor=m._a), river_stats.EWVar(fading_factor=m._a)
    rng = random.Random(3)
    for i in range(500):
        v = rng.gauss(0.0, 1.0) * (1 + i % 7)
        m.update(v)
        mean.update(v)
        var.update(v)
        assert m.mean == pytest.approx(mean.get(), abs=1e-9) and m.var == pytest.approx(var.get(), abs=1e-9)
    assert m.var > 1.0


def test_drift_detected_once_per_episode_on_an_abrupt_shift():
    rng = random.Random(42)
    m = DriftMonitor()
    starts = []
    for i in range(4000):
        m.update(rng.gauss(2.0, 1.0) if i < 2000 else rng.gauss(4.5, 1.0))
        if m.drift_detected:
            starts.append(i)
        if starts and i < starts[0] + m.quiet:
            assert m.in_episode
    assert len(starts) == 1 and 2000 <= starts[0] < 2020 and not m.in_episode
    assert m.episodes == 1


def test_no_drift_on_stationary_noise():
    for seed in range(5):
        rng = random.Random(seed)
        m = DriftMonitor()
        for _ in range(20000):
            m.update(rng.lognormvariate(1.0, 0.6))  # skewed, like a surprise score
            assert not m.drift_detected
        assert m.episodes == 0


def test_drift_statistic_and_reset():
    m = DriftMonitor(threshold=10.0)
    for i in range(300):
        m.update(1.0 if i < 200 else 6.0)
    assert m.episodes == 1
    m.reset()
    assert m.episodes == 0 and not m.in_episode and m.statistic == 0.0


# -- ReferenceDivergence ---------------------------------------------------------------------
def test_divergence_grows_with_slow_widening():
    d = ReferenceDivergence(every=25, key="table")
    for i in range(2000):
        d.learn_one({"table": f"t{i % 6}"})
    assert d.score_one({}) == 0.0  # nothing frozen yet
    d.freeze()
    values = []
    for day in range(6):
        for i in range(300):
            d.learn_one({"table": f"t{i % (6 + 2 * day)}"})
        values.append(d.refresh())
    assert values[0] < 0.02
    assert all(b > a for a, b in zip(values, values[1:]))
    assert values[-1] > 0.2 and d.new_items == 10


def test_divergence_stays_low_on_a_stationary_mix():
    d = ReferenceDivergence(every=25, key="tool")
    xs = agent_stream(6000, seed=8)
    for x in xs[:2000]:
        d.learn_one(x)
    d.freeze()
    for x in xs[2000:]:
        d.learn_one(x)
    assert d.value < 0.05 and d.new_items == 0


def test_js_divergence_bounds():
    assert js_divergence({}, {}) == 0.0
    assert js_divergence({"a": 0.5, "b": 0.5}, {"c": 1.0}) == pytest.approx(1.0)


# -- AgentBaseline ---------------------------------------------------------------------------
def test_epoch_seconds_is_timestamp():
    rng = random.Random(5)
    for _ in range(20_000):
        off = timezone(timedelta(minutes=rng.randint(-1439, 1439), microseconds=rng.choice([0, rng.randint(1, 999_999)])))
        t = datetime(rng.randint(1, 9998), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                     rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999_999), tzinfo=off)
        assert epoch_seconds(t) == t.timestamp(), t
    naive = datetime(2026, 1, 12, 4, 36, 57)  # local time, as timestamp() takes it
    assert epoch_seconds(naive) == naive.timestamp()
    assert epoch_seconds(action().time) == action().time.timestamp()  # pydantic's TzInfo


def test_features_of_an_action():
    x = features(action(at=timedelta(hours=2), resource="crm:contact/42", source_ip="10.0.0.5", bytes=10))
    assert x["tool"] == "zendesk.get_ticket" and x["operation"] == "read" and x["data_domain"] == "tickets"
    assert x["resource"] == "crm:contact/42" and x["resource_prefix"] == "crm:contact/"
    assert x["hour"] == 11 and x["ts"] == T0 + 7200 and x["network"] == "10.0.0" and x["credential"] == "key-1"
    y = features(action(resource=None, source_ip=None, credential_id=None))
    assert y["resource"] is None and y["resource_prefix"] is None and y["network"] is None


def test_baseline_prior_from_intent_at_the_first_action():
    b = AgentBaseline()
    b.seed_from_intent(tools=["zendesk.*", "crm.lookup"], operations=["read", "write"], data_domains=["tickets"])
    s = b.score_one(agent_stream(1)[0] | {"tool": "zendesk.get_ticket", "operation": "read", "data_domain": "tickets"})
    stranger = b.score_one({"tool": "vault.read_secret", "operation": "grant", "data_domain": "secrets"})
    assert s.tool + 3 < stranger.tool and s.operation + 3 < stranger.operation
    assert s.data_domain + 3 < stranger.data_domain
    assert not b.warm()


def test_baseline_warm_up_needs_events_and_time():
    b = AgentBaseline(warm_events=100, warm_seconds=86400)
    xs = agent_stream(3000)
    trained(b, xs[:150])
    assert not b.warm()  # enough events, not a day yet
    assert b.warm(min_events=100, min_seconds=0)
    trained(b, xs[150:])
    assert b.warm() and b.tool_ref.frozen and b.prefix_ref.frozen


def test_baseline_scores_a_strange_action_above_usual_ones():
    b = trained(AgentBaseline(), agent_stream(3000))
    usual = [b.score_one(x) for x in agent_stream(200, seed=7)]
    assert max(s.tool_new for s in usual) == 0.0 and max(s.resource_new for s in usual) == 0.0
    strange = b.score_one({"tool": "email.send", "operation": "send", "data_domain": "customer_pii",
                           "resource": "mailto:drop@evil.example", "resource_prefix": "mailto:@evil.example",
                           "bytes": 300_000_000, "ts": agent_stream(3000)[-1]["ts"] + 60, "hour": 3,
                           "source_ip": "146.70.124.9", "network": "146.70.124", "credential": "key-1"})
    assert strange.data_domain_new > 8 and strange.prefix_new > 6 and strange.resource_new > 6
    assert strange.volume > 8 and strange.hour > 4 and strange.source == 1.0
    assert strange.tool_share > 0.0 and strange.tool_new == 0.0
    ev = b.evidence({"tool": "email.send", "bytes": 300_000_000, "source_ip": "146.70.124.9", "credential": "key-1"})
    json.dumps(ev)
    assert ev["typical_bytes"] < 20_000 and ev["known_networks"] == ["10.1.2"]


def test_baseline_drift_once_per_episode_on_a_sudden_mix_change():
    b = AgentBaseline(warm_events=200, warm_seconds=0)
    xs = agent_stream(3000, seed=2)
    trained(b, xs[:2000])
    rare = ["translate.text", "crm.update_contact", "slack.post_message"]
    rng = random.Random(5)
    starts = []
    for i, x in enumerate(xs[2000:]):
        if rng.random() < 0.7:
            x = x | {"tool": rng.choice(rare)}
        b.score_one(x)
        b.learn_one(x)
        if b.drift_started:
            starts.append(i)
    assert len(starts) == 1 and starts[0] < 60
    assert b.tool_ref.refresh() > 0.1


def test_baseline_no_drift_on_a_stationary_agent():
    for seed in range(2):
        b = AgentBaseline(warm_events=200, warm_seconds=0)
        for x in agent_stream(5000, seed=seed):
            b.score_one(x)
            b.learn_one(x)
            assert not (b.drift_started and b.warm())
        assert b.tool_ref.value < 0.05


def test_baseline_poisoning_resistance_with_weight_zero():
    clean = trained(AgentBaseline(), agent_stream(2000))
    b = trained(AgentBaseline(), agent_stream(2000))
    last = agent_stream(2000)[-1]["ts"]
    attack = [{"tool": "email.send", "operation": "send", "data_domain": "customer_pii", "bytes": 400_000_000,
               "resource": f"mailto:x{i}@evil.example", "resource_prefix": "mailto:@evil.example",
               "ts": last + 60 + i, "hour": 3, "source_ip": "146.70.124.9", "network": "146.70.124",
               "credential": "key-1"} for i in range(200)]
    for x in attack:
        b.score_one(x)
        b.learn_one(x, weight=0.0)
    probe = attack[-1] | {"ts": last + 86400}
    assert dataclasses.replace(b.score_one(probe), n_seen=0, drift=0, tool_recent_share=0) == \
        dataclasses.replace(clean.score_one(probe), n_seen=0, drift=0, tool_recent_share=0)
    assert b.n_seen == clean.n_seen + 200 and b.recent.share("email.send") > 0.9


def test_baseline_relearn_after_an_approved_update():
    b = AgentBaseline(warm_events=200, warm_seconds=3600)
    xs = agent_stream(4000)
    trained(b, xs[:2000])
    assert b.warm() and b.tool_ref.frozen
    assert b.volume.shift(10**9, "zendesk.get_ticket") > 0
    b.relearn()
    b.seed_from_intent(tools=TOOLS + ["github.create_issue"])
    assert not b.warm() and not b.tool_ref.frozen and b.drift.episodes == 0
    assert b.volume.shift(1, "zendesk.get_ticket") == 0.0  # the evidence gathered before is dropped
    assert b.tools.distinct == len(TOOLS)  # what was learned stays
    new = [x | {"tool": "github.create_issue"} if i % 4 == 0 else x for i, x in enumerate(xs[2000:])]
    trained(b, new)
    assert b.warm() and b.tool_ref.frozen and b.tool_ref.value < 0.05


def test_baseline_state_is_small_and_json():
    b = trained(AgentBaseline(), agent_stream(3000))
    text = json.dumps(b.to_state(), separators=(",", ":"), allow_nan=False)
    assert len(text) < 16_000
    restored = AgentBaseline.from_state(json.loads(text))
    xs = agent_stream(300, seed=13, start=agent_stream(3000)[-1]["ts"] + 10)
    assert scores(restored, xs) == scores(b, xs)


def test_baseline_memory_bound_on_a_wide_agent():
    b = AgentBaseline()
    for i in range(5000):
        ip = f"10.{i % 250}.{i % 7}.{i % 13}"
        b.learn_one({"tool": f"tool-{i}", "operation": f"op-{i % 40}", "data_domain": f"d-{i}",
                     "resource": f"r://x/{i}/{i}", "resource_prefix": f"r://x/{i}/", "bytes": i, "ts": T0 + i,
                     "hour": i % 24, "source_ip": ip, "network": network_of(ip), "credential": f"k{i % 9}"})
    assert b.tools.distinct <= 64 and b.prefixes.distinct <= 64 and b.domains.distinct <= 32
    assert b.operations.distinct <= 16 and len(b.volume.groups) <= 32 and len(b.sources.creds) <= 4
    assert len(json.dumps(b.to_state())) < 24_000


def test_baseline_heap_per_typical_agent():
    # each agent its own resources and addresses, as in a real fleet; tool names are shared
    streams = [[x | {"resource": f"{x['resource']}#{s}", "source_ip": f"{x['source_ip']}.{s}"}
                for x in agent_stream(500, seed=s)] for s in range(12)]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = []
    for xs in streams:
        b = AgentBaseline()
        for x in xs:
            b.learn_one(x)
        kept.append(b)
    per_agent = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    tracemalloc.stop()
    assert per_agent < 16_384


def test_learned_side_runs_compiled_unless_installed_pure():
    """setup.py compiles models/baseline and pipeline/engine/behaviour.py with mypyc; the suite must
    test what users run."""
    import intentwatch.models.baseline.agent
    import intentwatch.pipeline.engine.behaviour

    for module in (intentwatch.models.baseline.agent, intentwatch.pipeline.engine.behaviour):
        compiled = module.__file__.endswith((".so", ".pyd"))
        assert compiled == (os.environ.get("INTENTWATCH_PURE") != "1"), (
            f"{module.__name__} comes from {module.__file__}; install compiled with `make install`, "
            f"or set INTENTWATCH_PURE=1 for both install and tests")


def test_every_learner_names_all_its_constructor_arguments_in_params():
    """clone() and to_state() rebuild a learner from _PARAMS (compiled classes have no
    signature to read), so a constructor argument missing there would silently fall back to
    its default; read the arguments from the source, as compiled or not it is the same."""
    import ast
    from pathlib import Path

    import intentwatch.models.baseline as package

    learners = {cls.__name__: cls for cls in (AgentBaseline, CategoryProfile, DriftMonitor, FirstSeen, HourProfile,
                                               RateProfile, ReferenceDivergence, SourceProfile, VolumeProfile)}
    found = {}
    for source in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ClassDef) and node.name in learners:
                init = next(f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
                found[node.name] = tuple(a.arg for a in init.args.args[1:])
    assert set(found) == set(learners)
    for name, args in found.items():
        assert learners[name]._PARAMS == args, name


def test_behaviour_scores_init_sets_every_field_in_order():
    """BehaviourScores' __init__ is written out (for speed, compiled): it must take and set
    the dataclass's fields, all of them, in their order."""
    from intentwatch.models.baseline.scores import BehaviourScores

    names = [f.name for f in dataclasses.fields(BehaviourScores)]
    s = BehaviourScores(*range(len(names)))
    assert dataclasses.astuple(s) == tuple(range(len(names)))
    assert BehaviourScores(**{n: i for i, n in enumerate(names)}) == s


def test_agent_state_saved_before_reach_loads_with_a_fresh_one():
    """A checkpoint written before ``reach`` existed restores; its reach learns a new reference."""
    b = trained(AgentBaseline(warm_events=100, warm_seconds=3600), agent_stream(400))
    state = b.to_state()
    del state["state"]["reach"]
    restored = AgentBaseline.from_state(json.loads(json.dumps(state)))
    assert not restored.reach.frozen and restored.tool_ref.frozen
    assert restored.tools.to_state() == b.tools.to_state() and restored.n_seen == b.n_seen
    later = agent_stream(50, seed=9)
    scores(restored, later)
    assert not restored.reach.outside(later[-1]["resource"])  # unfrozen: what it touches joins its reference

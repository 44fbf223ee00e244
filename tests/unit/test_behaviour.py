"""The engine's learned side (pipeline/engine/behaviour.py): every learned, chain and credential finding
fires on a constructed case and stays quiet on the near miss; warm-up, hygiene (held-back actions,
re-learning), persistence and analysts' feedback, seen through ``Engine``.

Each test builds a normal history for one agent (a stable tool mix, stable resources, bytes
around 2 KB, one source /24, an action every ~40 s), then plays the case after it. Responses
use a zero cooldown, so every finding is its own alert and alerts can be counted.
"""

import json
import random
from datetime import timedelta
from functools import lru_cache

import pytest

from intentwatch.models.alert import Alert
from intentwatch.models.baseline import features
from intentwatch.models.command import RevocationCommand
from intentwatch.models.credential_use import CredentialUse
from intentwatch.models.errors import ConfigError
from intentwatch.models.feedback import Feedback
from intentwatch.pipeline.engine.catalog import load_catalog
from intentwatch.pipeline.engine.config import EngineConfig, LearnedConfig, ResponseConfig, RuleOverride
from intentwatch.pipeline.engine.credentials import CredentialRegistry
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.engine.state import AgentState
from tests.factories import T0, action, instantiate, manifest, update

AGENT, OTHER = "agent-1", "agent-2"
N = 300                                    # actions of normal history
END = timedelta(seconds=40 * N + 300)      # cases start here: 5 min after the history, on a minute boundary
WARM = 50
# Below the production defaults (tuned on weeks of data), above what this short history scores
# for values it uses (0) and below what a first use scores (6.6 to 7 bits).
LOW = {"behaviour.novel_tool": {"bits": 5.0}, "behaviour.novel_data_domain": {"bits": 5.0},
       "behaviour.novel_resource": {"bits": 5.0}}
LEARNED_PREFIXES = ("behaviour.", "credential.", "chain.")
ALLOWED = {
    "tools": ["crm.*", "email.send", "zendesk.*", "slack.post_message"],   # slack.post_message: named, never used
    "operations": ["read", "list", "write", "send", "configure"],
    "data_domains": ["tickets", "customer_contact", "customer_pii", "billing_*"],  # customer_pii: named, never used
    "resources": ["ticket:*", "crm:*", "mailto:*", "s3://*"],
}
# (tool, operation, data domain, resource) in a stable 5:3:2 mix
MIX = [("zendesk.get_ticket", "read", "tickets", "ticket:{n}")] * 5 \
    + [("crm.lookup", "read", "customer_contact", "crm:contact/{n}")] * 3 \
    + [("email.send", "send", "customer_contact", "mailto:user{n}@example.com")] * 2


# -- helpers ------------------------------------------------------------------------------
def agent_manifest(agent_id: str = AGENT, **over):
    doc = {"allowed": ALLOWED, "schedule": None, "rate_limit": None, "credentials": ["key-1", "key-2"], **over}
    return manifest(agent_id, **doc)


@lru_cache(maxsize=None)
def history(agent_id: str = AGENT, n: int = N, start: int = 0) -> tuple:
    """``n`` normal actions from ``start`` seconds after T0 (deterministic; actions are immutable)."""
    rng = random.Random(f"{agent_id}-{start}")
    out = []
    for i in range(n):
        tool, op, domain, res = MIX[i % len(MIX)]
        out.append(action(agent_id, at=timedelta(seconds=start + 40 * i + rng.randrange(10)), tool=tool, operation=op,
                          data_domain=domain, resource=res.format(n=rng.randrange(40)),
                          bytes=int(2048 * rng.uniform(0.8, 1.25)), source_ip=f"10.0.0.{rng.randrange(2, 20)}"))
    return tuple(out)


def new_engine(params: dict[str, dict] = LOW, **learned) -> Engine:
    """An engine for short histories; ``params``: rule id -> thresholds over the catalogue's."""
    cfg = LearnedConfig(**{"warm_events": WARM, "warm_seconds": 0, **learned})
    rules = {rid: RuleOverride(params=p) for rid, p in params.items()}
    return Engine(EngineConfig(learned=cfg, response=ResponseConfig(cooldown_seconds=0), rules=rules))


def warmed(*agents: str, n: int = N, m=None, **learned) -> Engine:
    """An engine whose agents are registered and have ``n`` actions of normal history."""
    e = new_engine(**learned)
    for agent_id in agents or (AGENT,):
        e.process(instantiate(m or agent_manifest(agent_id)))
        assert learned_rules(feed(e, history(agent_id, n))) == [], "the normal history must be quiet"
    return e


def cold() -> Engine:
    """The same settled history, one action short of warm-up (so only the warm-up gate keeps it quiet)."""
    return warmed(warm_events=N + 1)


def act(s: float, agent_id: str = AGENT, **over):
    """A normal-looking action ``s`` seconds after the history ends (override what the case changes)."""
    return action(agent_id, at=END + timedelta(seconds=s), **over)


def feed(e: Engine, events) -> list:
    return [o for ev in events for o in e.process(ev)]


def rules(outputs) -> list[str]:
    return [o.rule_id for o in outputs if isinstance(o, Alert)]


def learned_rules(outputs) -> list[str]:
    return [r for r in rules(outputs) if r.startswith(LEARNED_PREFIXES)]


def fires(rule: str, *events, e: Engine | None = None) -> int:
    """How many alerts of ``rule`` the events raise after the normal history (fresh engine unless given)."""
    return rules(feed(e or warmed(), events)).count(rule)


def state(e: Engine, agent_id: str = AGENT) -> AgentState:
    return e.agents[agent_id]


def dumps(outputs) -> list[dict]:
    return [o.model_dump(mode="json") for o in outputs]


def verdict(verdict: str = "false_positive", s: float = 20, observed: str | None = "198.51.*",
            rule_id: str = "credential.new_network", expires: float | None = 3600, agent_id: str = AGENT) -> Feedback:
    return Feedback(feedback_id=f"fb-{agent_id}-{verdict}-{s}", agent_id=agent_id, rule_id=rule_id, verdict=verdict,
                    observed=observed, analyst="sam@example.com", reason="new egress range of the runtime",
                    time=T0 + END + timedelta(seconds=s),
                    expires_at=T0 + END + timedelta(seconds=expires) if expires is not None else None)


# -- novelty ------------------------------------------------------------------------------
def test_novel_tool_fires_for_a_wildcard_allowed_tool_never_used():
    """crm.export (allowed by crm.*) after warm-up fires; a tool the agent uses is quiet."""
    out = feed(warmed(), [act(10, tool="crm.export")])
    assert learned_rules(out) == ["behaviour.novel_tool"]
    assert out[0].evidence.observed == "crm.export" and out[0].evidence.baseline["n_seen"] == N
    assert fires("behaviour.novel_tool", act(10, tool="crm.lookup")) == 0


def test_novel_tool_is_quiet_for_a_tool_the_manifest_names_exactly():
    """slack.post_message is named exactly in the manifest: expected even if never used."""
    e = warmed()
    assert state(e).baseline.score_one(features(act(10, tool="slack.post_message"))).tool_new > LOW["behaviour.novel_tool"]["bits"]
    assert fires("behaviour.novel_tool", act(10, tool="slack.post_message"), e=e) == 0


def test_novel_tool_is_quiet_before_warm_up():
    """The same first use of crm.export one action before warm-up raises nothing learned."""
    e = cold()
    assert learned_rules(feed(e, [act(10, tool="crm.export")])) == []


def test_novel_tool_fires_once_then_is_learned():
    """A medium finding does not hold the action back: the second use of the tool is known."""
    assert fires("behaviour.novel_tool", act(10, tool="crm.export"), act(50, tool="crm.export")) == 1


def test_novel_data_domain():
    """billing_invoices (allowed by billing_*) fires; a named-but-unused or a used domain is quiet."""
    assert fires("behaviour.novel_data_domain", act(10, data_domain="billing_invoices")) == 1
    assert fires("behaviour.novel_data_domain", act(10, data_domain="customer_pii")) == 0
    assert fires("behaviour.novel_data_domain", act(10, data_domain="customer_contact")) == 0
    assert learned_rules(feed(cold(), [act(10, data_domain="billing_invoices")])) == []


def test_novel_data_domain_follows_its_threshold():
    """Near miss on the threshold: above the first use's surprise (about 7 bits here) it stays quiet."""
    e = warmed(params={**LOW, "behaviour.novel_data_domain": {"bits": 8.0}})
    assert fires("behaviour.novel_data_domain", act(10, data_domain="billing_invoices"), e=e) == 0


def test_novel_resource():
    """A new prefix (crm:account/) fires; a new resource under a known prefix (ticket:) is quiet."""
    out = feed(warmed(), [act(10, resource="crm:account/77")])
    assert learned_rules(out) == ["behaviour.novel_resource"]
    assert out[0].evidence.observed == "crm:account/"
    assert fires("behaviour.novel_resource", act(10, resource="ticket:999999")) == 0
    assert learned_rules(feed(cold(), [act(10, resource="crm:account/77")])) == []


# -- volume and rate ----------------------------------------------------------------------
def big(e: Engine, sd: float, tool: str = "zendesk.get_ticket") -> int:
    """Bytes about ``sd`` deviations above the tool's usual for this agent."""
    v = state(e).baseline.volume
    return int(v.typical(tool) * v.spread(tool) ** sd)


def test_volume_spike_two_large_transfers_within_the_window():
    """Two transfers 6 sd above the usual within the hour fire on the second."""
    e = warmed()
    b = big(e, 6)
    assert 4.5 < state(e).baseline.score_one(features(act(10, bytes=b))).volume < 8
    out = feed(e, [act(10, bytes=b), act(70, bytes=b)])
    assert learned_rules(out) == ["behaviour.volume_spike"]
    assert out[0].evidence.action["bytes"] == b and out[0].severity == "high"


def test_volume_spike_one_moderate_outlier_is_quiet():
    """One transfer 6 sd above is a rare big export; two more than an hour apart too."""
    e = warmed()
    assert fires("behaviour.volume_spike", act(10, bytes=big(e, 6)), e=e) == 0
    e = warmed()
    b = big(e, 6)
    assert fires("behaviour.volume_spike", act(10, bytes=b), act(3700, bytes=b), e=e) == 0


def test_volume_spike_one_far_outlier_fires():
    """One transfer beyond volume_single_sd (8) is enough; one at usual size is quiet."""
    e = warmed()
    assert fires("behaviour.volume_spike", act(10, bytes=big(e, 10)), e=e) == 1
    assert fires("behaviour.volume_spike", act(10, bytes=2048)) == 0


def test_volume_sustained_large_transfers_fire():
    """Transfers 4 sd above the usual (under volume_sd, so no spike) keep coming, three among
    five: the sustained check fires on the third."""
    e = warmed()
    b = big(e, 4)
    out = feed(e, [act(10, bytes=b), act(50, bytes=2048), act(90, bytes=b), act(130, bytes=2048), act(170, bytes=b)])
    assert learned_rules(out) == ["behaviour.volume_spike"]
    assert out[0].evidence.action["bytes"] == b and "keep coming" in out[0].message
    assert out[0].first_seen == act(170).time


def test_volume_sustained_near_misses():
    """Two large transfers in a row, or three spread among thirty usual ones, are quiet."""
    e = warmed()
    b = big(e, 4)
    assert fires("behaviour.volume_spike", act(10, bytes=b), act(50, bytes=b), e=e) == 0
    e = warmed()
    b = big(e, 4)
    spread = [act(10 + 40 * i, bytes=b if i % 15 == 0 else 2048) for i in range(31)]  # large at 0, 15 and 30
    assert fires("behaviour.volume_spike", *spread, e=e) == 0


def test_volume_shift_raised_transfers_of_one_tool_fire():
    """Transfers 3 sd above the ticket tool's usual (under volume_sustained_sd and volume_sd)
    keep coming, six among eleven: the tool's own shift check fires on the sixth."""
    e = warmed()
    b = big(e, 3)
    v = state(e).baseline.volume
    assert v.raised_share("zendesk.get_ticket") < 0.02 and v.observations("zendesk.get_ticket") > v.shift_min
    events = [act(10 + 40 * i, bytes=b if i % 2 == 0 else 2048) for i in range(11)]
    out = feed(e, events)
    assert learned_rules(out) == ["behaviour.volume_spike"]
    assert "raised transfers keep coming" in out[0].message and out[0].first_seen == events[10].time
    assert out[0].score > load_catalog(EngineConfig())["behaviour.volume_spike"].params["shift_bits"]


def test_volume_shift_near_misses():
    """Four raised transfers in a row, or six among fifty-one, are quiet; so is the
    firing case when its sixth raised transfer is another tool's (each tool has its own count)."""
    e = warmed()
    b = big(e, 3)
    assert fires("behaviour.volume_spike", *[act(10 + 40 * i, bytes=b) for i in range(4)], e=e) == 0
    e = warmed()
    b = big(e, 3)
    spread = [act(10 + 40 * i, bytes=b if i % 10 == 0 else 2048) for i in range(51)]  # raised at 0, 10, ..., 50
    assert fires("behaviour.volume_spike", *spread, e=e) == 0
    e = warmed()
    b, c = big(e, 3), big(e, 3, "crm.lookup")
    mixed = [act(10 + 40 * i, bytes=b if i % 2 == 0 else 2048) for i in range(10)]  # the firing case but its last
    crm = act(410, tool="crm.lookup", operation="read", data_domain="customer_contact", resource="crm:contact/1", bytes=c)
    assert fires("behaviour.volume_spike", *mixed, crm, e=e) == 0


def test_rate_burst():
    """30 actions in one minute fire (the agent does 1-2); 5 in a minute are quiet."""
    burst = [act(60 + 1.5 * k) for k in range(30)]
    out = feed(warmed(), burst)
    assert set(learned_rules(out)) == {"behaviour.rate_burst"}
    first = next(o for o in out if o.rule_id == "behaviour.rate_burst")
    assert first.evidence.baseline["actions_this_bucket"] > 10
    assert fires("behaviour.rate_burst", *[act(60 + 10 * k) for k in range(5)]) == 0


# -- drift --------------------------------------------------------------------------------
def shifted(n: int, start: float = 0):
    """An abrupt change of mix: only email.send (20% of the usual mix), at the usual pace."""
    return [act(start + 40 * i, tool="email.send", operation="send", data_domain="customer_contact",
                resource=f"mailto:user{i % 40}@example.com") for i in range(n)]


def test_drift_once_per_episode():
    """An abrupt change of tool mix raises exactly one drift alert, not one per event."""
    e = warmed()
    out = feed(e, shifted(200))
    assert rules(out).count("behaviour.drift") == 1
    assert state(e).baseline.in_drift
    assert e.stats["finding:behaviour.drift"] == 1


def test_no_drift_alert_during_warm_up():
    """The same shift while the agent is still warming up (warm_events not reached) raises no drift alert."""
    e = warmed(warm_events=10 * N)
    assert learned_rules(feed(e, shifted(200))) == []
    assert state(e).baseline.drift.episodes == 1  # the monitor saw it; the engine kept quiet


def test_no_drift_on_the_usual_mix():
    """200 more actions of the usual mix raise no drift."""
    e = warmed()
    assert learned_rules(feed(e, history(AGENT, 200, start=40 * N))) == []
    assert not state(e).baseline.in_drift


def widening(n_tools: int, per_tool: int = 100, start: float = 0, family: str = "crm.report_"):
    """Slow widening: every ``per_tool`` actions one more tool of ``family`` joins the usual mix."""
    out, t, rng = [], start, random.Random(3)
    for k in range(1, n_tools + 1):
        for i in range(per_tool):
            t += 40
            if i % 3 == 0:
                out.append(act(t, tool=f"{family}{rng.randrange(k)}"))
            else:
                tool, op, domain, res = MIX[i % len(MIX)]
                out.append(act(t, tool=tool, operation=op, data_domain=domain, resource=res.format(n=i % 40)))
    return out


def test_reference_drift_and_scope_expansion_on_slow_widening():
    """Six new tools joining one by one diverge from the reference: each finding raised once."""
    e = warmed()
    out = feed(e, widening(6))
    assert rules(out).count("behaviour.reference_drift") == 1
    assert rules(out).count("behaviour.scope_expansion") == 1
    exp = next(o for o in out if o.rule_id == "behaviour.scope_expansion")
    assert exp.evidence.baseline["new_tools"] >= load_catalog(EngineConfig())["behaviour.scope_expansion"].params["min_new"]
    assert state(e).drifting and state(e).expanding


def test_no_reference_drift_or_expansion_on_a_stable_agent():
    """600 more actions of the usual mix stay near the reference."""
    out = feed(warmed(), history(AGENT, 600, start=40 * N))
    assert learned_rules(out) == []


def reaching(n: int, every: int, start: float = 0, new: str = "ticket:9{k}"):
    """The usual mix in ten-action sessions; every ``every``-th action reads one of six tickets
    outside the reference instead (0: never)."""
    out, rng = [], random.Random(11)
    for i in range(n):
        tool, op, domain, res = MIX[i % len(MIX)]
        res = new.format(k=i // every % 6) if every and i % every == 0 else res.format(n=rng.randrange(40))
        if every and i % every == 0:
            tool, op, domain = "zendesk.get_ticket", "read", "tickets"
        out.append(act(start + 40 * i, tool=tool, operation=op, data_domain=domain, resource=res,
                       session_id=f"sess-{start:.0f}-{i // 10}"))
    return out


def test_reference_drift_when_a_tool_keeps_reaching_outside_the_reference():
    """A few new tickets, every fourth action across sessions (a boiling frog by exact
    resources): reference drift, with the tool, the resource and the counts in its message."""
    e = warmed(n=2 * N, warm_events=200)  # a reference of 200 actions holds nearly all of the 40 tickets
    late = 40 * N  # after the doubled history
    out = [o for o in feed(e, reaching(300, every=4, start=late)) if isinstance(o, Alert)
           and o.rule_id == "behaviour.reference_drift"]
    assert out, "steady reach outside the reference must fire"
    assert "zendesk.get_ticket keeps reaching" in out[0].message
    assert state(e).baseline.reach.outside(out[0].evidence.observed)  # fired on a ticket outside the reference


def test_reference_reach_near_misses():
    """Quiet: the usual mix; one new ticket worked a whole session, or over and over without
    a session (counted once)."""
    late = 40 * N
    assert fires("behaviour.reference_drift", *reaching(300, every=0, start=late), e=warmed(n=2 * N, warm_events=200)) == 0
    for session in ("sess-x", None):
        one = [act(late + 40 * i, resource="ticket:999", session_id=session) for i in range(40)]
        assert fires("behaviour.reference_drift", *one, *reaching(200, every=0, start=late + 1600),
                     e=warmed(n=2 * N, warm_events=200)) == 0


def test_scope_expansion_needs_enough_new_tools():
    """Two new tools (fewer than expansion_min_new) are not an expansion."""
    assert fires("behaviour.scope_expansion", *widening(2)) == 0


# -- chains -------------------------------------------------------------------------------
MIB = 1 << 20


def pii_read(s: float):
    return act(s, tool="crm.lookup", operation="read", data_domain="customer_pii", resource="crm:contact/5")


def send(s: float, to: str = "mailto:drop@evil.example", nbytes: int = 2 * MIB):
    return act(s, tool="email.send", operation="send", data_domain="customer_contact", resource=to, bytes=nbytes)


def test_chain_sensitive_read_then_external_send():
    """A PII read then a 2 MiB send to a never-used domain 90 s later fires, on the send."""
    out = feed(warmed(), [pii_read(10), send(100)])
    chain = [o for o in out if o.rule_id == "chain.sensitive_read_then_external_send"]
    assert len(chain) == 1 and chain[0].evidence.action["resource"] == "mailto:drop@evil.example"


def test_chain_near_misses_are_quiet():
    """Same send to a known domain, after the 600 s window, too small, or with no read first: quiet."""
    rule = "chain.sensitive_read_then_external_send"
    assert fires(rule, pii_read(10), send(100, to="mailto:someone.new@example.com")) == 0
    assert fires(rule, pii_read(10), send(700)) == 0
    assert fires(rule, pii_read(10), send(100, nbytes=MIB - 1)) == 0
    assert fires(rule, act(10), send(100)) == 0


def test_chain_needs_no_warm_up_except_for_new_destinations():
    """Structural chains fire on a brand-new agent; a "new destination" waits until the agent
    has been watched for warm_seconds (with no history every destination would be new) and
    stays judged while it re-learns after an approved update."""
    audit = act(10, tool="zendesk.update_audit_settings", operation="configure")
    assert fires("chain.audit_settings_changed", audit, e=warmed(n=5)) == 1
    assert fires("chain.sensitive_read_then_external_send", pii_read(20), send(100),
                 e=warmed(n=5, warm_seconds=86400)) == 0
    e = warmed()
    e.process(update(wider(), END + timedelta(seconds=5)))
    assert fires("chain.sensitive_read_then_external_send", pii_read(20), send(100), e=e) == 1
    assert not state(e).baseline.warm()  # it fired inside the re-learning period


def test_chain_audit_settings_changed():
    """Configuring audit settings fires; configuring ticket settings or reading the audit log is quiet."""
    rule = "chain.audit_settings_changed"
    assert fires(rule, act(10, tool="zendesk.update_audit_settings", operation="configure")) == 1
    assert fires(rule, act(10, tool="zendesk.update_ticket_settings", operation="configure")) == 0
    assert fires(rule, act(10, tool="zendesk.read_audit_log", operation="read")) == 0


def test_chain_audit_settings_changed_is_quiet_where_the_manifest_declares_it():
    """A manifest that names the audit tool as its own work (a compliance bot's) keeps the chain
    quiet; a wildcard over the whole server does not name it."""
    rule, change = "chain.audit_settings_changed", act(10, tool="zendesk.update_audit_settings", operation="configure")
    declaring = agent_manifest(allowed={**ALLOWED, "tools": [*ALLOWED["tools"], "zendesk.update_audit_settings"]})
    assert fires(rule, change, e=warmed(m=declaring)) == 0
    assert "zendesk.*" in ALLOWED["tools"] and fires(rule, change) == 1


# -- credentials --------------------------------------------------------------------------
def test_credential_new_network():
    """Once the agent has been watched for warm_seconds, key-1 from a new /24 fires (a quiet
    agent short of warm_events too); a new address in its known /24, or a brand-new agent, is quiet."""
    new_net = act(10, source_ip="198.51.100.7")
    out = feed(warmed(), [new_net])
    assert learned_rules(out) == ["credential.new_network"]
    assert out[0].evidence.observed == "198.51.100" and out[0].severity == "high"
    assert fires("credential.new_network", act(10, source_ip="10.0.0.250")) == 0
    assert fires("credential.new_network", new_net, e=warmed(warm_events=N + 100, warm_seconds=3600)) == 1
    assert learned_rules(feed(warmed(n=5, warm_seconds=86400), [new_net])) == []


def two_agents(**second) -> Engine:
    """agent-1 and agent-2, both with normal history; ``second`` overrides agent-2's manifest."""
    e = warmed()
    e.process(instantiate(agent_manifest("agent-2", **second)))
    feed(e, history("agent-2"))
    return e


def test_credential_shared_across_agents():
    """key-9, first used by agent-1, then acting for agent-2: credential.shared on agent-2, once;
    agent-1 using it again raises nothing."""
    e = two_agents()
    out = feed(e, [act(10, credential_id="key-9"), act(20, "agent-2", credential_id="key-9"),
                   act(30, "agent-2", credential_id="key-9"), act(40, credential_id="key-9")])
    shared = [o for o in out if isinstance(o, Alert) and o.rule_id == "credential.shared"]
    assert [(o.agent_id, o.evidence.observed) for o in shared] == [("agent-2", "key-9")]
    assert "agent-1 used it first" in shared[0].message and shared[0].severity == "high"


def test_credential_shared_again_when_its_first_use_is_read_again():
    """A worker reading on from its last checkpoint (a rebalance) gives agent-2's first use of
    key-9 to the engine again, agent-2 restored from before it: the registry already knows the
    use, and the same alert comes again (at least once, same id), its effect in agent-2's state."""
    import orjson

    e = two_agents()
    feed(e, [act(10, credential_id="key-9")])
    record = orjson.dumps(e.state_record("agent-2"))
    use = act(20, "agent-2", credential_id="key-9")
    first = [o for o in feed(e, [use]) if isinstance(o, Alert)]
    e.forget(["agent-2"])
    e.restore_record(orjson.loads(record))
    again = [o for o in feed(e, [use]) if isinstance(o, Alert)]
    assert [(o.rule_id, o.alert_id) for o in again] == [(o.rule_id, o.alert_id) for o in first]
    assert "credential.shared" in [o.rule_id for o in first]
    assert "credential.shared" not in rules(feed(e, [act(30, "agent-2", credential_id="key-9")]))  # still once per agent


def test_credential_shared_near_misses():
    """Quiet: agent-2's manifest declares key-9 (declared sharing); one agent using its key many times."""
    e = two_agents(credentials=["key-1", "key-2", "key-9"])
    assert rules(feed(e, [act(10, credential_id="key-9"), act(20, "agent-2", credential_id="key-9")])).count(
        "credential.shared") == 0
    assert fires("credential.shared", *[act(10 + s, credential_id="key-9") for s in range(5)]) == 0


def test_credential_shared_learned_from_another_worker():
    """Streaming: a first use published by another worker reaches this engine after its own
    agent's later first use: that agent is flagged then, at its own use; a later remote use is not."""
    e = warmed()
    assert rules(feed(e, [act(100, credential_id="key-9")])).count("credential.shared") == 0
    earlier = CredentialUse(credential_id="key-9", agent_id="agent-x", first_seen=act(50).time.timestamp(), event_id="remote-1")
    out = [o for o in e.merge_credential_use(earlier) if isinstance(o, Alert)]
    assert [(o.rule_id, o.agent_id) for o in out] == [("credential.shared", AGENT)]
    assert out[0].first_seen == act(100).time and "agent-x used it first" in out[0].message
    later = CredentialUse(credential_id="key-9", agent_id="agent-y", first_seen=act(500).time.timestamp(), event_id="remote-2")
    assert e.merge_credential_use(later) == [] and e.merge_credential_use(earlier) == []


def test_credential_shared_when_the_first_use_arrives_late():
    """Out of order (a lagging partition): agent-2's use of key-9 is processed before agent-1's
    earlier one. When agent-1's arrives, agent-2 is flagged, at its own use; agent-1 is not."""
    e = two_agents()
    out = [o for o in feed(e, [act(200, "agent-2", credential_id="key-9"), act(100, credential_id="key-9")])
           if isinstance(o, Alert) and o.rule_id == "credential.shared"]
    assert [(o.agent_id, o.first_seen) for o in out] == [("agent-2", act(200).time)]
    assert "agent-1 used it first" in out[0].message


def test_credential_registry_is_bounded_least_recently_used_first():
    """At max_credentials, the credential used longest ago is forgotten, not one still in use."""
    r = CredentialRegistry(max_credentials=2)
    r.observe("key-1", "a", 1.0, "e1")
    r.observe("key-2", "a", 2.0, "e2")
    r.observe("key-1", "a", 3.0, "e3")  # key-1 used again: key-2 is now the oldest
    r.observe("key-3", "a", 4.0, "e4")
    assert list(r.users) == ["key-1", "key-3"]
    assert r.observe("key-1", "b", 5.0, "e5")[0] == "a"  # key-1's first user is still known


def test_credential_first_uses_are_published_for_other_workers():
    """With publish on (a streaming host), each agent's first use of a credential is queued once."""
    e = two_agents()
    assert e.share_credentials()
    feed(e, [act(10, credential_id="key-9"), act(20, credential_id="key-9"), act(30, "agent-2", credential_id="key-9")])
    assert [(u.credential_id, u.agent_id) for u in e.drain_credential_uses()] == [("key-9", AGENT), ("key-9", "agent-2")]
    assert e.drain_credential_uses() == []
    assert e.credential_users("key-9") == [AGENT, "agent-2"]


def test_credential_concurrent_use():
    """key-1 from its network then from a new one 30 s later fires; 10 min later, or two known addresses, is quiet."""
    assert fires("credential.concurrent_use", act(10), act(40, source_ip="198.51.100.7")) == 1
    assert fires("credential.concurrent_use", act(10), act(610, source_ip="198.51.100.7")) == 0
    assert fires("credential.concurrent_use", act(10, source_ip="10.0.0.3"), act(12, source_ip="10.0.0.4")) == 0
    # a call AWS made for the credential (CloudTrail's "AWS Internal") is no second network
    assert fires("credential.concurrent_use", act(10), act(40, source_ip="AWS Internal")) == 0
    assert fires("credential.new_network", act(40, source_ip="AWS Internal")) == 0
    # one machine's two paths: S3 through the VPC's endpoint (CloudTrail logs the private address and the
    # endpoint), the rest through the NAT gateway; the same private address without an endpoint still counts
    vpce = {"vpc_endpoint_id": "vpce-0a1b2c3d4e5f60718"}
    assert fires("credential.concurrent_use", act(10, source_ip="52.14.7.9"), act(40, source_ip="10.0.1.20", attributes=vpce)) == 0
    assert fires("credential.new_network", act(40, source_ip="10.0.1.20", attributes=vpce)) == 0
    assert fires("credential.concurrent_use", act(10, source_ip="52.14.7.9"), act(40, source_ip="10.0.1.20")) == 1


def test_credential_used_after_revocation():
    """An enforce agent's critical finding revokes its credentials; a later use fires, the causing action does not."""
    e = warmed()
    first = feed(e, [act(10, credential_id="key-stolen")])  # not issued to the agent: critical
    cmds = [o for o in first if isinstance(o, RevocationCommand)]
    assert [c.action for c in cmds] == ["revoke_credentials"] and "key-1" in cmds[0].credential_ids
    assert "credential.used_after_revocation" not in rules(first)
    later = feed(e, [act(20), act(30, credential_id="key-stolen")])
    assert rules(later).count("credential.used_after_revocation") == 2
    assert state(e).revoked["key-1"] == N + 1


def test_no_revocation_no_misuse_for_a_monitor_agent():
    """A monitor agent gets no command, so its later actions are not misuse."""
    e = warmed(m=agent_manifest(enforcement="monitor"))
    out = feed(e, [act(10, credential_id="key-stolen"), act(20)])
    assert not any(isinstance(o, RevocationCommand) for o in out)
    assert "credential.used_after_revocation" not in rules(out)


def test_credential_new_credential():
    """key-2 (issued, never presented) from a new network fires; from the agent's usual network it is quiet."""
    out = feed(warmed(), [act(10, credential_id="key-2", source_ip="198.51.100.7")])
    assert learned_rules(out) == ["credential.new_credential"]
    # A second key used from the runtime's own network (rotation) scores 0.5, under the finding's 1.0.
    assert fires("credential.new_credential", act(10, credential_id="key-2", source_ip="10.0.0.9")) == 0
    brand_new = warmed(n=5, warm_seconds=86400)
    assert learned_rules(feed(brand_new, [act(10, credential_id="key-2", source_ip="198.51.100.7")])) == []


# -- warm-up, hygiene, re-learning -------------------------------------------------------
def strange(s: float = 10):
    """One action that is new in every way a warm baseline can tell."""
    return act(s, tool="crm.export", data_domain="billing_invoices", resource="s3://exports/all.csv",
               bytes=50 * MIB, source_ip="198.51.100.7", credential_id="key-1")


def test_no_learned_findings_before_warm_up():
    """One action short of warm_events the strangest action raises nothing learned but the new
    network (a credential's networks wait for warm_seconds only, 0 here); one action later it all fires."""
    e = cold()
    assert not state(e).baseline.warm()
    assert learned_rules(feed(e, [strange()])) == ["credential.new_network"]
    e = cold()
    feed(e, [act(5)])
    assert state(e).baseline.warm()
    assert {"behaviour.novel_tool", "behaviour.novel_data_domain", "behaviour.novel_resource",
            "credential.new_network"} <= set(learned_rules(feed(e, [strange()])))


def test_warm_up_also_needs_event_time():
    """warm_seconds counts too: 300 actions within 3.3 hours are not a day."""
    e = warmed(warm_seconds=86400)
    assert not state(e).baseline.warm()
    assert learned_rules(feed(e, [strange()])) == []


def test_attacker_burst_is_held_back_and_does_not_become_normal():
    """A burst from a new network raises high findings: held back, never learned, so it keeps firing."""
    e = warmed()
    burst = [act(10 + 30 * k, tool="crm.export", source_ip=f"198.51.100.{k + 1}") for k in range(20)]
    out = feed(e, burst)
    st = state(e)
    assert rules(out).count("credential.new_network") == 20
    assert len(st.held) == 20 and st.baseline.n_seen == N + 20
    assert st.baseline.sources.is_new_network("key-1", "198.51.100") and st.baseline.tools.is_novel("crm.export")
    again = feed(e, [act(700, tool="crm.export", source_ip="198.51.100.99")])
    assert {"credential.new_network", "behaviour.novel_tool"} <= set(rules(again))


def test_without_a_high_finding_the_same_tool_is_learned():
    """Near miss of the above: crm.export from the usual network is learned after its first (medium) alert."""
    e = warmed()
    out = feed(e, [act(10 + 30 * k, tool="crm.export") for k in range(20)])
    assert rules(out).count("behaviour.novel_tool") == 1
    assert state(e).held == [] and not state(e).baseline.tools.is_novel("crm.export")


def test_held_back_actions_are_bounded():
    """At most held_max actions wait for feedback."""
    e = warmed(held_max=5)
    feed(e, [act(10 + 30 * k, source_ip=f"198.51.100.{k + 1}") for k in range(12)])
    assert len(state(e).held) == 5


def wider():
    return agent_manifest(allowed={**ALLOWED, "tools": [*ALLOWED["tools"], "github.*"]})


def test_approved_update_relearns_and_raises_nothing_on_the_granted_tool():
    """An approved update widening the tools restarts warm-up: the newly granted github tool raises nothing."""
    e = warmed()
    e.process(update(wider(), END + timedelta(seconds=5)))
    out = feed(e, [act(10, tool="github.get_file_contents", operation="read", resource="ticket:1")])
    assert rules(out) == []
    b = state(e).baseline
    assert not b.warm() and not b.tool_ref.frozen
    feed(e, [act(20 + 40 * i) for i in range(WARM)])
    assert b.warm() and b.tool_ref.frozen  # re-learning ends, a new reference is frozen


def test_unapproved_update_does_not_relearn():
    """Near miss: the same widening without an approver keeps the baseline warm, and the first use is novel."""
    e = warmed()
    e.process(update(wider(), END + timedelta(seconds=5), approved_by=None))
    out = feed(e, [act(10, tool="github.get_file_contents", operation="read", resource="ticket:1")])
    assert rules(out) == ["lifecycle.unapproved_update", "behaviour.novel_tool"]
    assert state(e).baseline.warm()


def test_scope_expansion_can_be_reported_again_after_an_approved_update():
    """Each learning period has its own reference: an expansion after re-learning is reported again."""
    e = warmed()
    first = feed(e, widening(6))
    assert rules(first).count("behaviour.scope_expansion") == 1
    t = 40 * 600 + 100
    e.process(update(wider(), END + timedelta(seconds=t)))
    # re-learning period on the widened mix, then six more tools, again one by one
    feed(e, [act(t + 10 + 40 * i, tool=f"crm.report_{i % 6}" if i % 3 else "zendesk.get_ticket") for i in range(300)])
    assert state(e).baseline.warm()
    again = feed(e, widening(6, start=t + 40 * 300 + 100, family="zendesk.macro_"))
    assert rules(again).count("behaviour.scope_expansion") == 1


# -- persistence --------------------------------------------------------------------------
def test_snapshot_restore_gives_identical_outputs():
    """Half a stream, snapshot (to_record -> JSON -> from_record), restore in a fresh engine: same outputs after."""
    at = -END.total_seconds()  # act(at + x): x seconds after T0
    first_half = [instantiate(agent_manifest()), instantiate(agent_manifest(OTHER)), *history(AGENT, 200),
                  *history(OTHER, 200),
                  pii_read(at + 8100),                          # a chain step open at the split
                  act(at + 8110, source_ip="198.51.100.7"),     # held back; the credential's last network
                  act(at + 8120, bytes=100_000),                # a large transfer counted
                  verdict(s=at + 8130, rule_id="behaviour.novel_tool", observed="crm.*")]  # pending at the split
    second_half = [*history(AGENT, 100, start=8200), *history(OTHER, 100, start=8200),
                   send(at + 8300), act(at + 8350, bytes=100_000), strange(10), *shifted(120, 60)]
    second_half.sort(key=lambda a: a.time)
    e = new_engine()
    feed(e, sorted(first_half, key=lambda ev: ev.time))
    records = [json.loads(json.dumps(st.to_record())) for st in e.agents.values()]
    assert all(records[0][k] for k in ("baseline", "held", "chains", "volume_hits", "cred_last", "pending"))
    restored = new_engine()
    restored.watermark = e.watermark
    for r in records:
        restored.restore(AgentState.from_record(r, restored.checks))
    expected = feed(e, second_half) + e.flush()
    got = feed(restored, second_half) + restored.flush()
    assert dumps(got) == dumps(expected)
    assert {"chain.sensitive_read_then_external_send", "behaviour.volume_spike", "feedback.suppressed",
            "behaviour.novel_data_domain", "behaviour.drift"} <= set(rules(expected))
    # held before the split by credential rules: a verdict on another rule (pending at the split) releases none of them
    assert restored.stats["feedback_learned"] == e.stats["feedback_learned"] == 0
    assert [x for _rules, x in state(restored).held[:2]] == [x for _rules, x in records[0]["held"]]


def test_a_verdict_releases_only_what_its_rule_held():
    """One verdict cannot wash an unrelated finding into the baseline: an action held by two rules stays held."""
    e = warmed()
    feed(e, [act(10, source_ip="198.51.100.7"), act(12, source_ip="203.0.113.5")])  # two new networks in 2 s
    assert [sorted(r) for r, _x in state(e).held] == [["credential.new_network"],
                                                      ["credential.concurrent_use", "credential.new_network"]]
    e.process_feedback(verdict(observed=None))  # new_network was a false positive
    feed(e, [act(300)])  # the verdict applies at the next action after it (outside the concurrency window)
    assert e.stats["feedback_learned"] == 1
    assert [r for r, _x in state(e).held] == [["credential.concurrent_use"]]  # still waits for its own verdict
    e.process_feedback(verdict(s=350, rule_id="credential.concurrent_use", observed=None))
    feed(e, [act(400)])
    assert e.stats["feedback_learned"] == 2 and state(e).held == []


# -- feedback -----------------------------------------------------------------------------
def test_false_positive_suppresses_the_rule_for_that_agent_until_it_expires():
    """Later findings of the rule matching the pattern become feedback.suppressed info alerts, until expires_at."""
    e = warmed(AGENT, OTHER)
    assert rules(feed(e, [act(10, source_ip="198.51.100.7")])) == ["credential.new_network"]
    assert e.process_feedback(verdict()) == []  # applies in event-time order, at the agent's next action
    hidden = feed(e, [act(300, source_ip="198.51.101.7")])
    assert [(o.rule_id, o.severity) for o in hidden] == [("feedback.suppressed", "info")]
    assert hidden[0].evidence.observed == "credential.new_network" and "sam@example.com" in hidden[0].message
    sup = state(e).suppressions[0]
    assert sup.hidden == 1 and sup.last_hidden_ts == (T0 + END).timestamp() + 300
    assert e.stats["suppressed:credential.new_network"] == 1
    [report] = e.suppression_report()
    assert report["agent_id"] == AGENT and report["rule_id"] == "credential.new_network" and report["hidden"] == 1
    # outside the pattern, another agent, after the end: raised as usual
    assert rules(feed(e, [act(600, source_ip="203.0.113.7")])) == ["credential.new_network"]
    assert rules(feed(e, [act(610, agent_id=OTHER, source_ip="198.51.102.7")])) == ["credential.new_network"]
    assert rules(feed(e, [act(3700, source_ip="198.51.103.7")])) == ["credential.new_network"]
    assert sup.hidden == 1


def test_suppressed_finding_does_not_hold_the_action_back():
    """A finding the analyst judged a false positive is no reason to keep the action from the baseline
    (as for intent rules): the network is learned at once, so the next action from it raises nothing."""
    e = warmed()
    e.process_feedback(verdict(s=5))
    assert rules(feed(e, [act(10, source_ip="198.51.101.7")])) == ["feedback.suppressed"]
    assert state(e).held == []
    assert rules(feed(e, [act(300, source_ip="198.51.101.8")])) == []
    assert state(e).suppressions[0].hidden == 1


def test_suppressed_finding_sends_no_command():
    """A suppressed critical finding of an enforce agent revokes nothing."""
    e = warmed()
    e.process_feedback(verdict(rule_id="intent.undeclared_credential", observed=None, s=5))
    out = feed(e, [act(10, credential_id="key-stolen")])
    assert rules(out) == ["feedback.suppressed"] and not any(isinstance(o, RevocationCommand) for o in out)


def test_false_positive_learns_the_held_back_actions():
    """The verdict lets the baseline learn what it held back: the network is then known and quiet."""
    e = warmed()
    feed(e, [act(10, source_ip="198.51.100.7"), act(15, source_ip="198.51.100.8")])
    assert len(state(e).held) == 2
    e.process_feedback(verdict(observed="198.51.100"))
    out = feed(e, [act(30, source_ip="198.51.100.9")])
    assert e.stats["feedback_learned"] == 2 and state(e).held == []
    assert not state(e).baseline.sources.is_new_network("key-1", "198.51.100")
    assert rules(out) == []


def test_confirmed_drops_the_held_back_actions():
    """A confirmed verdict forgets the held-back actions: never learned, the network still fires."""
    e = warmed()
    feed(e, [act(10, source_ip="198.51.100.7"), act(15, source_ip="198.51.100.8")])
    e.process_feedback(verdict("confirmed", observed="198.51.100"))
    out = feed(e, [act(30, source_ip="198.51.100.9")])
    assert e.stats["feedback:confirmed"] == 1 and e.stats["feedback_learned"] == 0
    assert state(e).suppressions == [] and len(state(e).held) == 1  # only the action after the verdict
    assert rules(out) == ["credential.new_network"]


# -- switched off -------------------------------------------------------------------------
def test_learned_side_off():
    """LearnedConfig(enabled=False): no baseline, no learned, chain or credential findings."""
    stream = [instantiate(agent_manifest()), *history(AGENT, N), strange(), pii_read(20), send(100), *shifted(100, 200)]
    assert len(set(learned_rules(feed(new_engine(), stream)))) >= 5  # switched on, the stream is full of findings
    e = new_engine(enabled=False)
    out = feed(e, stream)
    assert e.behaviour is None and state(e).baseline is None
    assert learned_rules(out) == [] and rules(out) == []


def test_a_threshold_override_naming_an_unknown_param_is_a_config_error():
    """A typo in a threshold's name fails loudly instead of silently keeping the default."""
    with pytest.raises(ConfigError, match="engine.rules.behaviour.novel_tool.params: unknown bitz"):
        new_engine({"behaviour.novel_tool": {"bitz": 3.0}})


def test_a_threshold_out_of_range_is_a_config_error():
    with pytest.raises(ConfigError, match="behaviour.scope_expansion: params.ratio must be a number above 1"):
        new_engine({"behaviour.scope_expansion": {"ratio": 0.5}})
    with pytest.raises(ConfigError, match="chain.audit_settings_changed: params.steps"):
        new_engine({"chain.audit_settings_changed": {"steps": [{"operations": ["read"], "min_bytes": -1}]}})


def test_a_threshold_override_changes_what_fires():
    """The same action fires or not with the rule's params: thresholds live in the catalogue."""
    quiet = {**LOW, "behaviour.novel_tool": {"bits": 50.0}}
    assert fires("behaviour.novel_tool", strange(), e=warmed()) == 1
    assert fires("behaviour.novel_tool", strange(), e=warmed(params=quiet)) == 0

"""The learned side of the engine: each agent measured against its own baseline.

Per action of an active agent: score it against the agent's ``AgentBaseline``
(``models/baseline``), turn scores over their thresholds into findings, advance the
capability chains and the credential checks, then let the baseline learn the action.
Findings carry the baseline against now as evidence.

Hygiene: an action that raised a high or critical finding (here or in the intent rules)
teaches the baseline nothing and is held back (bounded) until an analyst's feedback says
it was a false positive; an approved update starts a re-learning period; the declared
intent is the prior, so a new agent is not unwatched while it warms up — what it did not
declare is already surprising, and chains and credential checks need no warm-up (new
destinations and a credential's new networks wait for ``warm_seconds`` of watching only).
"""

import math
from datetime import datetime, timezone
from typing import Any, Final

from intentwatch.models.action import OPERATIONS, Action
from intentwatch.models.baseline import AgentBaseline, BehaviourScores, destination, features
from intentwatch.models.errors import ConfigError
from intentwatch.models.intent import IntentManifest
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.config import Chain, ChainStep, LearnedConfig, Thresholds
from intentwatch.pipeline.engine.credentials import CredentialRegistry, FirstUse
from intentwatch.pipeline.engine.detectors.base import Finding
from intentwatch.pipeline.engine.suppressions import holds_back
from intentwatch.pipeline.engine.scope import PatternSet
from intentwatch.pipeline.engine.state import AgentState

# Sustained volume: log-likelihood ratio (bits) of one transfer under "20% of transfers are
# large" against "2% are", for a large one and for any other.
_LARGE_UP: Final = math.log2(0.2 / 0.02)
_LARGE_DOWN: Final = math.log2(0.8 / 0.98)


class Step:
    """A chain step compiled once: each given condition must hold."""

    __slots__ = ("tools", "operations", "domains", "resources", "new_destination", "min_bytes")

    def __init__(self, s: ChainStep):
        self.tools = PatternSet(s.tools) if s.tools else None
        self.operations = frozenset(s.operations) or None
        self.domains = PatternSet(s.data_domains) if s.data_domains else None
        self.resources = PatternSet(s.resources) if s.resources else None
        self.new_destination = s.new_destination
        self.min_bytes = s.min_bytes

    def accepts(self, operation: str) -> bool:
        """Whether an action with this operation can match the step."""
        return self.operations is None or operation in self.operations

    def matches(self, a: Action, x: dict[str, Any], b: AgentBaseline, history: bool) -> bool:
        """``history``: the agent has been watched for ``warm_seconds`` (before it, no destination is "new").
        Reads the action's fields from its features ``x`` (a dict lookup, cheaper than a model's attribute)."""
        if not self.accepts(x["operation"]):
            return False
        if self.tools is not None and x["tool"] not in self.tools:
            return False
        domain, resource = x["data_domain"], x["resource"]
        if self.domains is not None and (domain is None or domain not in self.domains):
            return False
        if self.resources is not None and (resource is None or resource not in self.resources):
            return False
        if self.min_bytes is not None and a.bytes < self.min_bytes:
            return False
        if self.new_destination:
            if not history:  # every destination of a brand-new agent is new: that says nothing
                return False
            dest = destination(resource)
            if dest is None or any(p.startswith(dest) for p in b.prefixes.counts):
                return False
        return True


class Limits:
    """The thresholds read per action, copied once from the config into plain attributes
    (compiled: unboxed numbers; a pydantic attribute costs a dictionary lookup per read)."""

    __slots__ = ("novel_tool_bits", "novel_domain_bits", "novel_resource_bits", "volume_sd", "volume_repeat",
                 "volume_window_seconds", "volume_single_sd", "volume_sustained_sd", "volume_sustained_bits",
                 "volume_shift_bits", "rate_sd", "reference_divergence_tools", "reference_divergence_resources",
                 "expansion_ratio", "expansion_min_new", "model_invocations_sd")

    def __init__(self, t: Thresholds):
        self.novel_tool_bits: float = t.novel_tool_bits
        self.novel_domain_bits: float = t.novel_domain_bits
        self.novel_resource_bits: float = t.novel_resource_bits
        self.volume_sd: float = t.volume_sd
        self.volume_repeat: int = t.volume_repeat
        self.volume_window_seconds: float = t.volume_window_seconds
        self.volume_single_sd: float = t.volume_single_sd
        self.volume_sustained_sd: float = t.volume_sustained_sd
        self.volume_sustained_bits: float = t.volume_sustained_bits
        self.volume_shift_bits: float = t.volume_shift_bits
        self.rate_sd: float = t.rate_sd
        self.reference_divergence_tools: float = t.reference_divergence_tools
        self.reference_divergence_resources: float = t.reference_divergence_resources
        self.expansion_ratio: float = t.expansion_ratio
        self.expansion_min_new: int = t.expansion_min_new
        self.model_invocations_sd: float = t.model_invocations_sd


class ChainSpec:
    """A chain compiled once: its rule id, time limit and steps."""

    __slots__ = ("rule", "within_seconds", "steps")

    def __init__(self, ch: Chain):
        self.rule: str = ch.rule
        self.within_seconds: float = ch.within_seconds
        self.steps = [Step(s) for s in ch.steps]


class Behaviour:
    def __init__(self, config: LearnedConfig, rules: dict[str, Rule]):
        self.c = config
        self.t = Limits(config.thresholds)
        self.held_max = config.held_max
        self.concurrent_seconds = config.concurrent_seconds
        on = {rid for rid, r in rules.items() if r.enabled}
        self.rule = {rid: rules[rid] for rid in on if rules[rid].type in ("learned", "chain")}
        unknown = sorted({ch.rule for ch in config.chains} - {rid for rid, r in rules.items() if r.type == "chain"})
        if unknown:
            raise ConfigError(f"config: engine.learned.chains name {', '.join(unknown)}, not a rule of type chain "
                              f"in the catalogue (pipeline/engine/rules.yaml)")
        # Fleet-wide first uses of credentials (the one learned state that is not per agent).
        self.credentials = CredentialRegistry(config.max_credentials) if "credential.shared" in self.rule else None
        chains = [ChainSpec(ch) for ch in config.chains if ch.rule in self.rule]
        # Per operation, the chains with a step it can match and those steps, last first:
        # most actions (reads, lists) touch one or two steps, not every step of every chain.
        self.chains: dict[str, list[tuple[ChainSpec, list[int]]]] = {}
        for op in OPERATIONS:
            for ch in chains:
                idx = [i for i in range(len(ch.steps) - 1, -1, -1) if ch.steps[i].accepts(op)]
                if idx:
                    self.chains.setdefault(op, []).append((ch, idx))

    # -- lifecycle --------------------------------------------------------------------
    def new_baseline(self) -> AgentBaseline:
        c = self.c
        return AgentBaseline(half_life=c.half_life, recent_half_life=c.recent_half_life, max_items=c.max_items,
                             warm_events=c.warm_events, warm_seconds=c.warm_seconds, drift_threshold=c.thresholds.drift,
                             reach_threshold=c.thresholds.reach_bits)

    def on_manifest(self, st: AgentState, m: IntentManifest, relearn: bool) -> None:
        """A manifest came into force: the declared intent becomes the prior; an approved
        change (``relearn``) starts a re-learning period instead of alerting on it."""
        if st.baseline is None:
            st.baseline = self.new_baseline()
        elif relearn:
            st.baseline.relearn()
            st.drifting = st.expanding = False  # a new period, a new reference: its episodes start afresh
            st.volume_run = 0.0
        a = m.allowed
        st.baseline.seed_from_intent(tools=a.tools, operations=a.operations, data_domains=a.data_domains,
                                     resources=a.resources)

    def on_command(self, st: AgentState, credential_ids: list[str]) -> None:
        """A revocation command went out: use of these credentials by a later action is misuse."""
        for c in credential_ids:
            st.revoked.setdefault(c, st.seq)

    def release_held(self, st: AgentState, rule_id: str, learn: bool) -> int:
        """A verdict on ``rule_id``: its held-back actions are learned (false positive) or
        dropped for good (confirmed). An action also held by another rule stays held, so one
        verdict cannot wash an unrelated finding into the baseline. Returns how many were learned."""
        keep, n = [], 0
        for rules, x in st.held:
            if rule_id not in rules:
                keep.append([rules, x])
            elif len(rules) > 1:
                keep.append([[r for r in rules if r != rule_id], x])
            elif learn and st.baseline is not None:
                st.baseline.learn_one(x)
                n += 1
        st.held = keep
        return n

    def late_shared(self, agents: dict[str, AgentState]) -> list[Finding]:
        """``credential.shared`` for agents whose first use of a credential turned out, later,
        not to be the first (another worker's use arrived, or a lagging partition's): each
        active agent that does not declare it is flagged now, at its own first use."""
        out: list[Finding] = []
        for cred, first, first_use, agent_id, mine in self.credentials.take_late() if self.credentials else ():
            st = agents.get(agent_id)
            if mine.flagged or st is None or st.status != "active" or declares(st, cred):
                continue
            mine.flagged = True
            out.append(Finding(self.rule["credential.shared"], agent_id, mine.ts, mine.event_id,
                               _shared_message(cred, agent_id, first, first_use), clause="fleet.credentials",
                               observed=cred, score=1.0))
        return out

    # -- per action ---------------------------------------------------------------------
    def check(self, a: Action, st: AgentState, ts: float, severe: list[str]) -> list[Finding]:
        """Findings for ``a``; ``severe``: the intent rules that already raised a high finding on it."""
        b = st.baseline
        if b is None:  # an agent registered before baselines existed (restored state)
            b = st.baseline = self.new_baseline()
        x = features(a, ts)
        s = b.score_one(x, full=False)
        warm = b.warm()
        out: list[Finding] = []
        if warm:
            self._scores(a, x, s, b, st, ts, out)
        self._credentials(a, x, s, b, st, ts, out)
        chains = self.chains.get(x["operation"])
        if chains is not None:
            self._chains(a, x, b, st, ts, chains, out)
        held = severe + [f.rule.id for f in out if holds_back(f, st.suppressions)]  # as for the intent rules
        b.learn_one(x, 0.0 if held else 1.0)
        if held and self.held_max:
            st.held.append([held, x])
            del st.held[:-self.held_max]
        if warm and b.drift_started:
            self._add(out, "behaviour.drift", a, ts, x, st, s.drift,
                      f"tool mix drifted from its baseline: {x['tool']} {s.tool_share:.1%} of actions in baseline, "
                      f"{b.recent.share(x['tool']):.1%} lately", clause="baseline.tools", observed=a.tool)
        return out

    def _scores(self, a: Action, x: dict, s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
                out: list[Finding]) -> None:
        t = self.t
        scope = st.scope  # what the manifest names exactly is expected, used or not
        if s.tool_new > t.novel_tool_bits and not (scope and scope.tools and a.tool in scope.tools.exact):
            self._add(out, "behaviour.novel_tool", a, ts, x, st, s.tool_new,
                      f"first use of tool {a.tool} after {b.n_seen} actions with {b.tools.distinct} tools",
                      clause="baseline.tools", observed=a.tool)
        if s.data_domain_new > t.novel_domain_bits and \
                not (scope and scope.data_domains and a.data_domain in scope.data_domains.exact):
            self._add(out, "behaviour.novel_data_domain", a, ts, x, st, s.data_domain_new,
                      f"first access to data domain {a.data_domain}", clause="baseline.data_domains", observed=a.data_domain)
        if s.prefix_new > t.novel_resource_bits:
            self._add(out, "behaviour.novel_resource", a, ts, x, st, s.prefix_new,
                      f"first access under {x['resource_prefix']} after {b.prefixes.distinct} known resource prefixes",
                      clause="baseline.resources", observed=x["resource_prefix"])
        if s.volume > t.volume_sd:
            # One far outlier, or repeated large transfers: a rare big export is normal, a series is not.
            hits = st.volume_hits
            hits.append(ts)
            del hits[:-t.volume_repeat]
            if s.volume > t.volume_single_sd or (len(hits) >= t.volume_repeat and ts - hits[0] <= t.volume_window_seconds):
                self._add(out, "behaviour.volume_spike", a, ts, x, st, s.volume,
                          f"{a.tool} moved {a.bytes:,} bytes, usually {b.volume.typical(a.tool):,.0f} "
                          f"({len(hits)} large transfers in {ts - hits[0]:.0f}s)", clause="baseline.bytes", observed=a.tool)
        if x["bytes"]:
            self._sustained_volume(a, x, s, b, st, ts, out)
        if s.rate > t.rate_sd:
            self._add(out, "behaviour.rate_burst", a, ts, x, st, s.rate,
                      f"{b.rate.current(ts)} actions in {b.rate_bucket_seconds:g}s, usually {b.rate.mean:.1f}",
                      clause="baseline.rate", observed=b.rate.current(ts))
        if s.invocations > t.model_invocations_sd:
            self._add(out, "credential.model_invocations", a, ts, x, st, s.invocations,
                      f"{b.invocations.current(ts)} model invocations this hour, usually {b.invocations.mean:.1f}",
                      clause="baseline.invocations", observed=a.tool)
        # Slow drift, against the reference frozen at the end of warm-up or re-learning;
        # raised when it crosses the threshold, again only after it fell back below half.
        rt, rr = s.divergence_tools / t.reference_divergence_tools, s.divergence_resources / t.reference_divergence_resources
        if max(rt, rr) > 1.0 and not st.drifting:
            st.drifting = True
            which, div = ("tool", s.divergence_tools) if rt >= rr else ("resource prefix", s.divergence_resources)
            self._add(out, "behaviour.reference_drift", a, ts, x, st, max(rt, rr),
                      f"{which} mix diverged from its reference baseline (Jensen-Shannon {div:.3f} bits)",
                      clause="baseline.reference", observed=a.tool if rt >= rr else x["resource_prefix"])
        elif max(rt, rr) < 0.5:
            st.drifting = False
        if x["resource"] is not None:
            self._reach(a, x, b, st, ts, out)
        ref = b.tool_ref
        if ref.frozen and ref.new_items >= t.expansion_min_new and not st.expanding:
            known = len(ref.ref_keys)
            if known + ref.new_items >= t.expansion_ratio * known:
                st.expanding = True
                self._add(out, "behaviour.scope_expansion", a, ts, x, st, (known + ref.new_items) / max(known, 1),
                          f"uses {ref.new_items} tools beyond the {known} of its reference baseline",
                          clause="baseline.tools", observed=a.tool)

    def _sustained_volume(self, a: Action, x: dict, s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
                          out: list[Finding]) -> None:
        """Bernoulli CUSUMs: over the agent's transfers, is "large" (above volume_sustained_sd)
        coming at ~20% of transfers (exfiltration through an allowed tool) instead of ~2%?
        And per tool, are "raised" transfers coming far more often than they used to?
        Catch agents whose own transfers are too heavy-tailed for one spike to stand out."""
        t = self.t
        large = s.volume > t.volume_sustained_sd
        st.volume_run = max(0.0, st.volume_run + (_LARGE_UP if large else _LARGE_DOWN))
        if st.volume_run > t.volume_sustained_bits:
            self._add(out, "behaviour.volume_spike", a, ts, x, st, st.volume_run,
                      f"{a.tool} moved {a.bytes:,} bytes, usually {b.volume.typical(a.tool):,.0f}: large transfers "
                      f"keep coming ({st.volume_run:.1f} bits that they are ~20% of transfers, not ~2%)",
                      clause="baseline.bytes", observed=a.tool)
            st.volume_run = 0.0
        # The same question per tool, against the share of its own transfers that are raised:
        # a heavy-tailed tool's exfiltration sits inside its tail, but keeps landing there.
        run = b.volume.shift(x["bytes"], a.tool)
        if run > t.volume_shift_bits:
            self._add(out, "behaviour.volume_spike", a, ts, x, st, run,
                      f"{a.tool} moved {a.bytes:,} bytes, usually {b.volume.typical(a.tool):,.0f}: raised transfers "
                      f"keep coming ({run:.1f} bits that they are now well above their usual "
                      f"{b.volume.raised_share(a.tool):.1%} of its transfers)", clause="baseline.bytes", observed=a.tool)
            b.volume.reset_shift(a.tool)

    def _reach(self, a: Action, x: dict, b: AgentBaseline, st: AgentState, ts: float, out: list[Finding]) -> None:
        """Slow widening by exact resources (a few new tables a day inside the declared scope):
        a per-tool CUSUM that the tool's actions reach outside the reference's resources more
        often than they have since it was frozen, each (session, resource) counted once."""
        run = b.reach.shift(x)
        if run > b.reach.threshold:
            n, k = b.reach.recent(a.tool)
            self._add(out, "behaviour.reference_drift", a, ts, x, st, run,
                      f"{a.tool} keeps reaching resources outside its reference baseline: {k} of its last {n} "
                      f"uses (a resource counted once a session), usually {b.reach.share(a.tool):.1%} ({run:.1f} bits)",
                      clause="baseline.reference", observed=a.resource)
            b.reach.reset(a.tool)

    def _credentials(self, a: Action, x: dict, s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
                     out: list[Finding]) -> None:
        cred, net = x["credential"], x["network"]
        if cred is None:
            return
        if self.credentials is not None:
            first = self.credentials.observe(cred, a.agent_id, ts, a.event_id)
            if first is not None and not declares(st, cred):
                other, use = first
                self.credentials.users[cred][a.agent_id].flagged = True
                self._add(out, "credential.shared", a, ts, x, st, 1.0, _shared_message(cred, a.agent_id, other, use),
                          clause="fleet.credentials", observed=cred)
        if st.revoked and st.revoked.get(cred, st.seq) < st.seq:
            self._add(out, "credential.used_after_revocation", a, ts, x, st, 1.0,
                      f"credential {cred} used after a revocation command for it", clause="response.revocation",
                      observed=cred)
        if net is None:
            return
        # A credential's networks are few: known once the agent has been watched for a while,
        # however few actions a quiet agent made meanwhile.
        if s.source >= 1.0 and b.has_history():
            known = b.sources.networks(cred)
            if known:
                self._add(out, "credential.new_network", a, ts, x, st, s.source,
                          f"credential {cred} used from new network {net} (known: {', '.join(known[:3])})",
                          clause="baseline.sources", observed=net)
            else:
                self._add(out, "credential.new_credential", a, ts, x, st, s.source,
                          f"credential {cred} never presented by this agent before", clause="baseline.credentials",
                          observed=cred)
        # Two networks within seconds, one of them new to the credential (alternating between
        # known networks, e.g. two egress gateways, is normal).
        last = st.cred_last.get(cred)
        if last is not None and last[1] != net and ts - last[0] <= self.concurrent_seconds \
                and (b.sources.is_new_network(cred, net) or b.sources.is_new_network(cred, last[1])):
            self._add(out, "credential.concurrent_use", a, ts, x, st, 1.0,
                      f"credential {cred} used from {last[1]} and {net} within {ts - last[0]:.0f}s",
                      clause="baseline.sources", observed=net)
        st.cred_last[cred] = (ts, net)

    def _chains(self, a: Action, x: dict, b: AgentBaseline, st: AgentState, ts: float,
                chains: list[tuple[ChainSpec, list[int]]], out: list[Finding]) -> None:
        """Advance ``chains``, those with a step this action's operation can match."""
        history = b.has_history()
        for ch, idx in chains:
            steps = ch.steps
            prog = st.chains.get(ch.rule)
            # prog[i]: start time of the latest run that completed steps 0..i (None: none open)
            if prog is None and idx[-1] != 0:
                continue  # this action can only continue a chain, and none is open
            for i in idx:
                if not steps[i].matches(a, x, b, history):
                    continue
                if i == 0:
                    start = ts
                elif prog is not None and prog[i - 1] is not None and ts - prog[i - 1] <= ch.within_seconds:
                    start = prog[i - 1]
                else:
                    continue
                if i == len(steps) - 1:
                    self._add(out, ch.rule, a, ts, x, st, 1.0,
                              f"{len(steps)}-step chain {ch.rule.split('.', 1)[1]} completed in {ts - start:.0f}s "
                              f"by {a.tool} on {a.resource}", clause="config.chains", observed=a.tool)
                    if prog is not None:
                        prog[:] = [None] * len(steps)
                    break
                if prog is None:
                    prog = st.chains[ch.rule] = [None] * len(steps)
                prog[i] = start

    def _add(self, out: list[Finding], rule_id: str, a: Action, ts: float, x: dict, st: AgentState, score: float,
             message: str, **kw: Any) -> None:
        rule = self.rule.get(rule_id)
        if rule is None:  # disabled in the config
            return
        b = st.baseline
        assert b is not None
        w = st.windows.get(rule_id)
        if w is not None and w.covers(ts) and not st.suppressions:
            # Only counted into the rule's open alert: its evidence would not be published.
            # Building it refreshes the divergences, which later scores read: do that much.
            b.refresh_references()
            evidence: dict[str, Any] = {}
        else:
            evidence = b.evidence(x)
        out.append(Finding(rule, a.agent_id, ts, a.event_id, message, score=round(max(score, 0.0), 3), action=a,
                           baseline=evidence, **kw))


def declares(st: AgentState, cred: str) -> bool:
    """Whether the agent's manifest names ``cred`` among its credentials (declared sharing)."""
    return st.manifest is not None and cred in st.manifest.credentials


def _shared_message(cred: str, agent_id: str, first: str, use: FirstUse) -> str:
    """The ``credential.shared`` message: the same whether found at once or late (streaming)."""
    when = datetime.fromtimestamp(use.ts, timezone.utc).isoformat(timespec="seconds")
    return f"credential {cred} acts for {agent_id}; {first} used it first ({when}, event {use.event_id})"

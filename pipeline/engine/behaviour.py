"""The learned side of the engine: each agent measured against its own baseline.

Per action of an active agent: score it against the agent's ``AgentBaseline``
(``models/baseline``), run the learned detectors (``pipeline/engine/detectors``: novelty,
volume, rate, drift, expansion, credentials, chains — each rule's thresholds are its
``params`` in ``rules.yaml``), then let the baseline learn the action and run the detectors
that judge what it just learned. Findings carry the baseline against now as evidence.

Hygiene: an action that raised a high or critical finding (here or in the intent rules)
teaches the baseline nothing and is held back (bounded) until an analyst's feedback says
it was a false positive; an approved update starts a re-learning period; the declared
intent is the prior, so a new agent is not unwatched while it warms up — what it did not
declare is already surprising, and chains and credential checks need no warm-up (new
destinations and a credential's new networks wait for ``warm_seconds`` of watching only).
"""

from typing import Any

from intentwatch.models.action import OPERATIONS, Action
from intentwatch.models.baseline import AgentBaseline, BehaviourScores, features
from intentwatch.models.intent import IntentManifest
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.config import LearnedConfig
from intentwatch.pipeline.engine.detectors import LEARNED_REGISTRY
from intentwatch.pipeline.engine.detectors.base import ALWAYS, LEARNED, WARM, LearnedDetector
from intentwatch.pipeline.engine.detectors.chains import CapabilityChain
from intentwatch.pipeline.engine.detectors.credentials import SharedCredential
from intentwatch.pipeline.engine.detectors.drift import Drift, ReferenceDrift
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState


class Behaviour:
    """The learned detectors of the enabled rules, in catalogue order, and the baselines they read."""

    def __init__(self, config: LearnedConfig, rules: dict[str, Rule]):
        self.c = config
        self.held_max = config.held_max
        # Baseline parameters that belong to a rule (given to every agent's baseline, enabled or not).
        self.drift_threshold = Drift.threshold(rules["behaviour.drift"])
        self.reach_bits = ReferenceDrift.reach_bits(rules["behaviour.reference_drift"])
        detectors: list[LearnedDetector] = [LEARNED_REGISTRY[r.type](r) for r in rules.values()
                                            if r.enabled and r.type in LEARNED_REGISTRY]
        self.warm = [d for d in detectors if d.when == WARM]
        self.always = [d for d in detectors if d.when == ALWAYS and not isinstance(d, CapabilityChain)]
        self.after = [d for d in detectors if d.when == LEARNED]
        shared = [d for d in detectors if isinstance(d, SharedCredential)]
        self.shared: SharedCredential | None = shared[0] if shared else None
        # Per operation, the chains with a step it can match and those steps, last first:
        # most actions (reads, lists) touch one or two steps, not every step of every chain.
        self.chains: dict[str, list[tuple[CapabilityChain, list[int]]]] = {}
        for op in OPERATIONS:
            for ch in detectors:
                if isinstance(ch, CapabilityChain) and ch.indices(op):
                    self.chains.setdefault(op, []).append((ch, ch.indices(op)))

    # -- lifecycle --------------------------------------------------------------------
    def new_baseline(self) -> AgentBaseline:
        c = self.c
        return AgentBaseline(half_life=c.half_life, recent_half_life=c.recent_half_life, max_items=c.max_items,
                             warm_events=c.warm_events, warm_seconds=c.warm_seconds, drift_threshold=self.drift_threshold,
                             reach_threshold=self.reach_bits)

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

    def report(self, agents: dict[str, AgentState]) -> dict[str, int]:
        """How far the learned side got with the agents that acted: ``judged`` (it has a
        baseline), ``warming`` (in warm-up now: it raises no learned finding yet), of them
        ``never_warm`` (never left warm-up), and ``unregistered_unjudged`` (no manifest, and
        ``engine.unregistered: shadow`` keeps the learned side off them)."""
        r = {"judged": 0, "warming": 0, "never_warm": 0, "unregistered_unjudged": 0}
        for st in agents.values():
            b = st.baseline
            if st.seq == 0:
                continue
            if b is None:
                r["unregistered_unjudged"] += st.status == "unregistered"
                continue
            r["judged"] += 1
            if not b.warm():
                r["warming"] += 1
                r["never_warm"] += b.period_n == 0
        return r

    def late_shared(self, agents: dict[str, AgentState]) -> list[Finding]:
        """``credential.shared`` found late (another worker's or a lagging partition's earlier use)."""
        return self.shared.late(agents) if self.shared is not None and self.shared.registry.late else []

    # -- per action ---------------------------------------------------------------------
    def check(self, a: Action, st: AgentState, ts: float) -> tuple[dict[str, Any], BehaviourScores, list[Finding]]:
        """The action's features, its scores and the findings before the baseline learns it."""
        b = st.baseline
        if b is None:  # an agent registered before baselines existed (restored state)
            b = st.baseline = self.new_baseline()
        x = features(a, ts)
        s = b.score_one(x, full=False)
        out: list[Finding] = []
        if b.warm():
            for d in self.warm:
                d.check(a, x, s, b, st, ts, out)
        for d in self.always:
            d.check(a, x, s, b, st, ts, out)
        chains = self.chains.get(x["operation"])
        if chains is not None:
            for ch, idx in chains:
                ch.advance(a, x, b, st, ts, idx, out)
        return x, s, out

    def learn(self, a: Action, st: AgentState, ts: float, x: dict[str, Any], s: BehaviourScores,
              held: list[str]) -> list[Finding]:
        """The baseline learns the action, unless ``held`` names rules whose high findings keep it
        out (held back, bounded, until a verdict); then the findings on what it learned."""
        b = st.baseline
        assert b is not None  # check() made it
        warm = b.warm()
        b.learn_one(x, 0.0 if held else 1.0)
        if held and self.held_max:
            st.held.append([held, x])
            del st.held[:-self.held_max]
        out: list[Finding] = []
        if warm:
            for d in self.after:
                d.check(a, x, s, b, st, ts, out)
        return out

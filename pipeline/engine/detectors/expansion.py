"""Scope expansion: the agent's set of tools keeps growing past its reference."""

from typing import Any

from intentwatch.models.action import Action
from intentwatch.models.baseline import AgentBaseline, BehaviourScores
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import LearnedDetector, number, whole
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState


class ScopeExpansion(LearnedDetector):
    """Fires once per reference period when the distinct tools reach ``ratio`` times the
    reference's count, with at least ``min_new`` new ones (frozen after warm-up or re-learning)."""

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.ratio = number(rule, "ratio", above=1.0)
        self.min_new = whole(rule, "min_new")

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        ref = b.tool_ref
        if ref.frozen and ref.new_items >= self.min_new and not st.expanding:
            known = len(ref.ref_keys)
            if known + ref.new_items >= self.ratio * known:
                st.expanding = True
                self.add(out, a, x, b, st, ts, (known + ref.new_items) / max(known, 1),
                         f"uses {ref.new_items} tools beyond the {known} of its reference baseline",
                         "baseline.tools", a.tool)

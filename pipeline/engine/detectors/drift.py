"""Drift: the agent's mix of tools and resources moves away from its baseline, fast or slowly."""

from typing import Any

from intentwatch.models.action import Action
from intentwatch.models.baseline import AgentBaseline, BehaviourScores
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import LEARNED, LearnedDetector, number
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState


class Drift(LearnedDetector):
    """Fires once per drift episode when the baseline's Page-Hinkley test on the tool
    log-likelihood ratio starts one (``models/baseline/drift.py``); runs after the baseline
    learned the action.

    params: ``threshold`` (bits), the test's threshold, given to every agent's baseline.
    """

    def __init__(self, rule: Rule):
        super().__init__(rule, LEARNED)

    @staticmethod
    def threshold(rule: Rule) -> float:
        return number(rule, "threshold")

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        if b.drift_started:
            self.add(out, a, x, b, st, ts, s.drift,
                     f"tool mix drifted from its baseline: {x['tool']} {s.tool_share:.1%} of actions in baseline, "
                     f"{b.recent.share(x['tool']):.1%} lately", "baseline.tools", a.tool)


class ReferenceDrift(LearnedDetector):
    """Slow drift against the reference frozen at the end of warm-up or re-learning, two ways:

    - the tool or resource-prefix mix diverges from the reference (Jensen-Shannon bits over
      ``divergence_tools`` / ``divergence_resources``): raised when it crosses, again only after
      it fell back below half;
    - one tool keeps reaching exact resources outside the reference (boiling-frog widening, a
      few new tables a day inside the declared scope): a per-tool CUSUM past ``reach_bits``,
      each (session, resource) counted once (``models/baseline/reach.py``).
    """

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.tools = number(rule, "divergence_tools", at_most=1.0)
        self.resources = number(rule, "divergence_resources", at_most=1.0)

    @staticmethod
    def reach_bits(rule: Rule) -> float:
        return number(rule, "reach_bits")

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        rt, rr = s.divergence_tools / self.tools, s.divergence_resources / self.resources
        if max(rt, rr) > 1.0 and not st.drifting:
            st.drifting = True
            which, div = ("tool", s.divergence_tools) if rt >= rr else ("resource prefix", s.divergence_resources)
            self.add(out, a, x, b, st, ts, max(rt, rr),
                     f"{which} mix diverged from its reference baseline (Jensen-Shannon {div:.3f} bits)",
                     "baseline.reference", a.tool if rt >= rr else x["resource_prefix"])
        elif max(rt, rr) < 0.5:
            st.drifting = False
        if x["resource"] is None:
            return
        run = b.reach.shift(x)
        if run > b.reach.threshold:
            n, k = b.reach.recent(a.tool)
            self.add(out, a, x, b, st, ts, run,
                     f"{a.tool} keeps reaching resources outside its reference baseline: {k} of its last {n} "
                     f"uses (a resource counted once a session), usually {b.reach.share(a.tool):.1%} ({run:.1f} bits)",
                     "baseline.reference", a.resource)
            b.reach.reset(a.tool)

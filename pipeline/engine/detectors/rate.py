"""Rate: bursts of actions, or of model invocations, far above the agent's usual."""

from typing import Any

from intentwatch.models.action import Action
from intentwatch.models.baseline import AgentBaseline, BehaviourScores
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import LearnedDetector, number
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState


class RateBurst(LearnedDetector):
    """Fires when the actions in the current minute stand ``sd`` deviations above the agent's usual.

    params: ``sd``. A declared rate limit is checked by ``intent.rate_exceeded`` instead.
    """

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.sd = number(rule, "sd")

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        if s.rate > self.sd:
            self.add(out, a, x, b, st, ts, s.rate,
                     f"{b.rate.current(ts)} actions in {b.rate_bucket_seconds:g}s, usually {b.rate.mean:.1f}",
                     "baseline.rate", b.rate.current(ts))


class ModelInvocations(LearnedDetector):
    """Fires when the model invocations in the current hour stand ``sd`` deviations above the
    agent's usual (cost abuse with its credential: LLM hijacking). params: ``sd``."""

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.sd = number(rule, "sd")

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        if s.invocations > self.sd:
            self.add(out, a, x, b, st, ts, s.invocations,
                     f"{b.invocations.current(ts)} model invocations this hour, usually {b.invocations.mean:.1f}",
                     "baseline.invocations", a.tool)

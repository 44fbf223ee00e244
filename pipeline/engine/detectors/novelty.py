"""Novelty: the agent does something its settled baseline has never seen."""

from typing import Any

from intentwatch.models.action import Action
from intentwatch.models.baseline import AgentBaseline, BehaviourScores
from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import LearnedDetector, number
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState

_FEATURES = ("tool", "data_domain", "resource_prefix")


class Novelty(LearnedDetector):
    """Fires when the surprise (bits) that the agent uses a new ``feature`` value at all passes ``bits``.

    params: ``feature`` (tool, data_domain or resource_prefix) and ``bits``. A tool or data
    domain the manifest names exactly is expected, used before or not, so it stays quiet.
    """

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.feature: str = rule.params.get("feature", "")
        if self.feature not in _FEATURES:
            raise ConfigError(f"rule {rule.id}: params.feature must be one of {', '.join(_FEATURES)} "
                              f"(got {self.feature!r})")
        self.bits = number(rule, "bits")

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        scope = st.scope
        if self.feature == "tool":
            if s.tool_new > self.bits and not (scope and scope.tools and a.tool in scope.tools.exact):
                self.add(out, a, x, b, st, ts, s.tool_new,
                         f"first use of tool {a.tool} after {b.n_seen} actions with {b.tools.distinct} tools",
                         "baseline.tools", a.tool)
        elif self.feature == "data_domain":
            if s.data_domain_new > self.bits and \
                    not (scope and scope.data_domains and a.data_domain in scope.data_domains.exact):
                self.add(out, a, x, b, st, ts, s.data_domain_new, f"first access to data domain {a.data_domain}",
                         "baseline.data_domains", a.data_domain)
        elif s.prefix_new > self.bits:
            self.add(out, a, x, b, st, ts, s.prefix_new,
                     f"first access under {x['resource_prefix']} after {b.prefixes.distinct} known resource prefixes",
                     "baseline.resources", x["resource_prefix"])

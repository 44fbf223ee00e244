"""The two shapes of detector, and how a detector reads its rule's parameters.

- ``Detector``: an intent or lifecycle check of one action against the agent's manifest.
- ``Raised``: a rule the engine raises on a lifecycle change, a timer or a response decision.
- ``LearnedDetector``: a check of one action against the agent's learned baseline and its
  scores (``models/baseline``); the learned side (``pipeline/engine/behaviour.py``) runs them.

A detector's thresholds are its rule's ``params`` in ``pipeline/engine/rules.yaml``,
overridable per deployment (``engine.rules.<id>.params`` in the config).
"""

from typing import Any

from intentwatch.models.action import Action
from intentwatch.models.baseline import AgentBaseline, BehaviourScores
from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.scope import Scope
from intentwatch.pipeline.engine.state import AgentState, window_key


class Detector:
    """A per-action check bound to one rule. ``check`` returns a Finding or None; no I/O."""

    watches_every_identity = False  # True: run on every action, before the lifecycle gates, with or without a manifest

    def judges_unregistered(self) -> bool:
        """Whether it also judges an agent with no manifest that the learned side judges
        (``engine.unregistered: learn`` or ``both``), as it judges one whose manifest it applies to."""
        return False

    def __init__(self, rule: Rule):
        self.rule = rule

    def applies(self, scope: Scope) -> bool:
        """Whether this manifest constrains what the detector checks (else it is skipped for the agent)."""
        return True

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        raise NotImplementedError

    def finding(self, action: Action, ts: float, message: str, **kw: Any) -> Finding:
        return Finding(self.rule, action.agent_id, ts, action.event_id, message, action=action, **kw)


class Raised:
    """A rule the engine raises itself — on a lifecycle change, a timer or a response decision —
    not on an action's content. Subclasses say when, and build the finding."""

    def __init__(self, rule: Rule):
        self.rule = rule

    def raise_(self, agent_id: str, ts: float, event_id: str, message: str, **kw: Any) -> Finding:
        return Finding(self.rule, agent_id, ts, event_id, message, **kw)


# When a learned detector runs on an action of an active agent.
WARM = 0     # once the baseline is warm (before it, scores say nothing)
ALWAYS = 1   # from the first action (credential checks, chains: no history needed)
LEARNED = 2  # once warm, after the baseline learned the action (drift compares with what it just learned)


class LearnedDetector:
    """A check bound to one rule that reads the agent's baseline ``b`` and its scores ``s`` for
    action ``a`` (features ``x``) and appends findings to ``out``; no I/O."""

    def __init__(self, rule: Rule, when: int = WARM):
        self.rule = rule
        self.when = when

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        raise NotImplementedError

    def add(self, out: list[Finding], a: Action, x: dict[str, Any], b: AgentBaseline, st: AgentState, ts: float,
            score: float, message: str, clause: str, observed: Any) -> None:
        """A finding with the baseline against now as its evidence."""
        w = st.windows.get(window_key(self.rule.id, self.rule.group_by, a.session_id or a.task_id))
        if w is not None and w.covers(ts) and not st.suppressions:
            # Only counted into the rule's open alert: its evidence would not be published.
            # Building it refreshes the divergences, which later scores read: do that much.
            b.refresh_references()
            evidence: dict[str, Any] = {}
        else:
            evidence = b.evidence(x)
        out.append(Finding(self.rule, a.agent_id, ts, a.event_id, message, clause=clause, observed=observed,
                           score=round(max(score, 0.0), 3), action=a, baseline=evidence))


READS = frozenset({"read", "list"})  # operations that change nothing


def number(rule: Rule, name: str, above: float = 0.0, at_most: float | None = None) -> float:
    """Parameter ``name`` of ``rule``: a number above ``above`` (and at most ``at_most``)."""
    v = rule.params.get(name)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > above or (at_most is not None and v > at_most):
        bound = f"above {above:g}" + (f" and at most {at_most:g}" if at_most is not None else "")
        raise ConfigError(f"rule {rule.id}: params.{name} must be a number {bound} (got {v!r}); "
                          f"see pipeline/engine/rules.yaml and engine.rules.{rule.id}.params in the config")
    return float(v)


def whole(rule: Rule, name: str, least: int = 1) -> int:
    """Parameter ``name`` of ``rule``: a whole number of at least ``least``."""
    v = rule.params.get(name)
    if isinstance(v, bool) or not isinstance(v, int) or v < least:
        raise ConfigError(f"rule {rule.id}: params.{name} must be a whole number of at least {least} (got {v!r})")
    return v

"""Chains: risky capabilities used in sequence by one agent (sensitive read then external send,
permission change then sensitive read, audit settings changed)."""

from typing import Any

from intentwatch.models.action import Action
from intentwatch.models.baseline import AgentBaseline, BehaviourScores, destination
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.params import ChainStep, chain_steps
from intentwatch.pipeline.engine.detectors.base import ALWAYS, LearnedDetector, number
from intentwatch.pipeline.engine.detectors.cloud_calls import declared
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.scope import PatternSet
from intentwatch.pipeline.engine.state import AgentState


class Step:
    """A chain step compiled once: each given condition must hold."""

    __slots__ = ("tools", "operations", "domains", "resources", "new_destination", "min_bytes", "undeclared")

    def __init__(self, s: ChainStep):
        self.tools = PatternSet(s.tools) if s.tools else None
        self.operations = frozenset(s.operations) or None
        self.domains = PatternSet(s.data_domains) if s.data_domains else None
        self.resources = PatternSet(s.resources) if s.resources else None
        self.new_destination = s.new_destination
        self.min_bytes = s.min_bytes
        self.undeclared = s.undeclared

    def accepts(self, operation: str) -> bool:
        """Whether an action with this operation can match the step."""
        return self.operations is None or operation in self.operations

    def matches(self, a: Action, x: dict[str, Any], b: AgentBaseline, st: AgentState, history: bool) -> bool:
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
        if self.undeclared and declared(st, x["tool"]):
            return False
        return True


class CapabilityChain(LearnedDetector):
    """Fires when one agent completes ``steps`` in order within ``within_seconds`` (from the start
    of the run that completed the first step). A step's conditions all hold: tools, operations,
    data_domains, resources (patterns as in manifests), ``new_destination`` (a host, bucket or
    mail domain the agent never used; judged once it has been watched for warm_seconds),
    ``min_bytes``, ``undeclared`` (the manifest does not name the tool as its own work: the
    cloud catalogue's test, ``cloud_calls.declared``). Structural chains need no warm-up.
    """

    def __init__(self, rule: Rule):
        super().__init__(rule, ALWAYS)
        self.within_seconds = number(rule, "within_seconds")
        self.steps = [Step(s) for s in chain_steps(rule.id, rule.params.get("steps"))]

    def indices(self, operation: str) -> list[int]:
        """The steps an action with ``operation`` can match, last first."""
        return [i for i in range(len(self.steps) - 1, -1, -1) if self.steps[i].accepts(operation)]

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        self.advance(a, x, b, st, ts, self.indices(x["operation"]), out)

    def advance(self, a: Action, x: dict[str, Any], b: AgentBaseline, st: AgentState, ts: float, idx: list[int],
                out: list[Finding]) -> None:
        """Advance the agent's runs of this chain by action ``a``, trying steps ``idx`` (last first)."""
        steps = self.steps
        rid = self.rule.id
        prog = st.chains.get(rid)
        # prog[i]: start time of the latest run that completed steps 0..i (None: none open)
        if prog is None and (not idx or idx[-1] != 0):
            return  # this action can only continue a chain, and none is open
        history = b.has_history()
        for i in idx:
            if not steps[i].matches(a, x, b, st, history):
                continue
            if i == 0:
                start = ts
            elif prog is not None and prog[i - 1] is not None and ts - prog[i - 1] <= self.within_seconds:
                start = prog[i - 1]
            else:
                continue
            if i == len(steps) - 1:
                self.add(out, a, x, b, st, ts, 1.0,
                         f"{len(steps)}-step chain {rid.split('.', 1)[1]} completed in {ts - start:.0f}s "
                         f"by {a.tool} on {a.resource}", "config.chains", a.tool)
                if prog is not None:
                    prog[:] = [None] * len(steps)
                break
            if prog is None:
                prog = st.chains[rid] = [None] * len(steps)
            prog[i] = start

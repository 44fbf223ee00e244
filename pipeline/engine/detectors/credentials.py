"""Credentials: a key used where, when or by whom the agent's own history says it should not be.

None of these needs a warm baseline: they run from the agent's first action with a credential.
"""

from datetime import datetime, timezone
from typing import Any

from intentwatch.models.action import Action
from intentwatch.models.baseline import AgentBaseline, BehaviourScores
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.credentials import CredentialRegistry, FirstUse
from intentwatch.pipeline.engine.detectors.base import ALWAYS, LearnedDetector, number, whole
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState


class SharedCredential(LearnedDetector):
    """Fires when an agent acts with a credential another agent used first and its manifest
    does not declare it; once per agent and credential, judged fleet-wide
    (``pipeline/engine/credentials.py``), also when the earlier use arrives later (``late``).

    params: ``max_credentials``, the credentials whose first users are remembered (LRU).
    """

    def __init__(self, rule: Rule):
        super().__init__(rule, ALWAYS)
        self.registry = CredentialRegistry(whole(rule, "max_credentials"))

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        cred = x["credential"]
        if cred is None:
            return
        first = self.registry.observe(cred, a.agent_id, ts, a.event_id)
        if first is not None and not declares(st, cred):
            other, use = first
            self.registry.users[cred][a.agent_id].flagged = True
            self.add(out, a, x, b, st, ts, 1.0, _shared_message(cred, a.agent_id, other, use), "fleet.credentials", cred)

    def late(self, agents: dict[str, AgentState]) -> list[Finding]:
        """Agents whose first use of a credential turned out, later, not to be the first (another
        worker's use arrived, or a lagging partition's): each active agent that does not declare
        it is flagged now, at its own first use. An agent with no manifest has a use on record
        only if the learned side judges it (``engine.unregistered``), so it is flagged too, as it
        would have been had the uses come in order."""
        out: list[Finding] = []
        for cred, first, first_use, agent_id, mine in self.registry.take_late():
            st = agents.get(agent_id)
            if mine.flagged or st is None or st.status not in ("active", "unregistered") or declares(st, cred):
                continue
            mine.flagged = True
            out.append(Finding(self.rule, agent_id, mine.ts, mine.event_id, _shared_message(cred, agent_id, first, first_use),
                               clause="fleet.credentials", observed=cred, score=1.0))
        return out


class UsedAfterRevocation(LearnedDetector):
    """Fires when a credential acts after intentwatch issued a revocation command for it
    (``AgentState.revoked``, set by the response policy): the enforcer did not act."""

    def __init__(self, rule: Rule):
        super().__init__(rule, ALWAYS)

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        cred = x["credential"]
        if cred is not None and st.revoked and st.revoked.get(cred, st.seq) < st.seq:
            self.add(out, a, x, b, st, ts, 1.0, f"credential {cred} used after a revocation command for it",
                     "response.revocation", cred)


class NewSource(LearnedDetector):
    """Fires when a credential acts from a network the agent never used it from, once the agent
    has been watched for ``warm_seconds`` (a credential's networks are few, however few actions
    a quiet agent made). params: ``known_networks``: true — the credential has known networks
    (``credential.new_network``); false — it has none: a credential never presented by this
    agent (``credential.new_credential``)."""

    def __init__(self, rule: Rule):
        super().__init__(rule, ALWAYS)
        self.known = bool(rule.params.get("known_networks"))

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        cred, net = x["credential"], x["network"]
        if cred is None or net is None or s.source < 1.0 or not b.has_history():
            return
        known = b.sources.networks(cred)
        if self.known and known:
            self.add(out, a, x, b, st, ts, s.source,
                     f"credential {cred} used from new network {net} (known: {', '.join(known[:3])})",
                     "baseline.sources", net)
        elif not self.known and not known:
            self.add(out, a, x, b, st, ts, s.source, f"credential {cred} never presented by this agent before",
                     "baseline.credentials", cred)


class ConcurrentUse(LearnedDetector):
    """Fires when one credential acts from two networks within ``within_seconds``, one of them
    new to it (alternating between known networks, two egress gateways, is normal)."""

    def __init__(self, rule: Rule):
        super().__init__(rule, ALWAYS)
        self.within_seconds = number(rule, "within_seconds")

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        cred, net = x["credential"], x["network"]
        if cred is None or net is None:
            return
        last = st.cred_last.get(cred)
        if last is not None and last[1] != net and ts - last[0] <= self.within_seconds \
                and (b.sources.is_new_network(cred, net) or b.sources.is_new_network(cred, last[1])):
            self.add(out, a, x, b, st, ts, 1.0, f"credential {cred} used from {last[1]} and {net} within {ts - last[0]:.0f}s",
                     "baseline.sources", net)
        st.cred_last[cred] = (ts, net)


def declares(st: AgentState, cred: str) -> bool:
    """Whether the agent's manifest names ``cred`` among its credentials (declared sharing)."""
    return st.manifest is not None and cred in st.manifest.credentials


def _shared_message(cred: str, agent_id: str, first: str, use: FirstUse) -> str:
    """The ``credential.shared`` message: the same whether found at once or late (streaming)."""
    when = datetime.fromtimestamp(use.ts, timezone.utc).isoformat(timespec="seconds")
    return f"credential {cred} acts for {agent_id}; {first} used it first ({when}, event {use.event_id})"

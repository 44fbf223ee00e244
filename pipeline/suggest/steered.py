"""Calls an injected tool result steered are kept out of drafts: a draft learns what the agent was
asked to do, not what an attacker's text in a tool result made it do. A history that holds a
prompt-injection benchmark's runs, or an incident, would otherwise teach its drafts the attacker's
payee, URL or recipient (a flagged instance teaches nothing: the definitions' hygiene rule).

Judged by the engine's own injected-target detector (``intent.injected_target``) at high or above:
a target that came from an earlier tool result of the session and from no request, where that
result carried instructions aimed at the agent. Provenance alone (a contact looked up, the IBAN on
the bill the user named) is everyday work and stays in the draft. Only actions that carry a tool
call's arguments or result are read: no other can be steered, or steer.
"""

from collections import Counter
from collections.abc import Iterator

from intentwatch.models.action import Action
from intentwatch.models.baseline import epoch_seconds
from intentwatch.pipeline.engine.detectors.base import Detector
from intentwatch.pipeline.engine.state import AgentState

RULE = "intent.injected_target"
_PAGES = frozenset({"high", "critical"})
_CALL_KEYS = frozenset({"arguments", "result"})


class Steered:
    """Filters a history's actions; remembers, per agent, the calls left out and their targets."""

    def __init__(self, watch: list[Detector]):
        self._detectors = [d for d in watch if d.rule.id == RULE]
        self._states: dict[str, AgentState] = {}
        self.events: set[tuple[str, str]] = set()  # (agent, event id) of each call left out
        self.targets: dict[str, Counter[str]] = {}  # agent -> the targets of its calls left out

    def __call__(self, actions: Iterator[Action]) -> Iterator[Action]:
        for a in actions:
            if self._detectors and a.attributes and not _CALL_KEYS.isdisjoint(a.attributes) and self._steered(a):
                self.events.add((a.agent_id, a.event_id))
                continue
            yield a

    def _steered(self, a: Action) -> bool:
        st = self._states.get(a.agent_id)
        if st is None:
            st = self._states[a.agent_id] = AgentState(a.agent_id)
        ts = epoch_seconds(a.time)
        steered = False
        for det in self._detectors:
            f = det.check(a, st, ts)
            if f is not None and f.level in _PAGES:
                self.targets.setdefault(a.agent_id, Counter())[str(f.observed)] += 1
                steered = True
        return steered

    def kept(self, a: Action) -> bool:
        return (a.agent_id, a.event_id) not in self.events

    def note(self, agent: str, limit: int = 3) -> str | None:
        """The line a draft's header gives the calls left out (None: none)."""
        seen = self.targets.get(agent)
        if not seen:
            return None
        n = sum(seen.values())
        top = ", ".join(t for t, _ in seen.most_common(limit))
        return (f"{n:,} call(s) left out: steered by instructions in a tool result ({RULE}), "
                f"to {top}{', ...' if len(seen) > limit else ''}; review the runs they came from")

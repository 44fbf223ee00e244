"""What the engine holds, and how a finding becomes outputs.

``Engine`` is a chain of compiled classes, each part in its own module: ``EngineCore`` (here)
→ ``Lifecycle`` (``control.py``: lifecycle changes and analysts' verdicts) → ``Hosting``
(``hosting.py``: what hosts ask besides events) → ``Engine`` (``engine.py``: the per-action path
and the clock). mypyc gives a native class one compiled base, and a method reads only the
attributes its class or a base declares: so every attribute is set here, in ``__init__``, and
the parts above read them directly, as one class would.
"""

import sys
from collections import Counter
from itertools import count

from intentwatch.models.alert import SEVERITY_RANK
from intentwatch.pipeline.engine.behaviour import Behaviour
from intentwatch.pipeline.engine.catalog import Rule, load_catalog
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.definitions import Definitions
from intentwatch.pipeline.engine.detectors import REGISTRY, ChangeCheck, Detector
from intentwatch.pipeline.engine.detectors.definition import DefinitionWidened
from intentwatch.pipeline.engine.detectors.dormancy import Dormancy
from intentwatch.pipeline.engine.detectors.lifecycle import ExpiryReached, UnauthorisedChange
from intentwatch.pipeline.engine.detectors.pipeline import Suppressed
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.response import Output, Responder
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.suppressions import covering
from intentwatch.pipeline.engine.trust import Rejection, TrustPolicy
from intentwatch.pipeline.engine.eviction import AgentStore, Evictor, MemoryStore

HIGH = SEVERITY_RANK["high"]


class EngineCore:
    """The engine's attributes and the helpers every part uses: ``Engine`` (engine.py) is the class to make."""

    def __init__(self, config: EngineConfig | None = None, rules: dict[str, Rule] | None = None, event_clock: bool = True,
                 trust: TrustPolicy | None = None, store: AgentStore | None = None):
        self.config = config or EngineConfig()
        self.event_clock = event_clock
        self.rules = rules or load_catalog(self.config, known_types=set(REGISTRY))
        self.agents: dict[str, AgentState] = {}
        # Who may change the control plane (pipeline/engine/trust.py); None: nobody is checked.
        self.trust = trust
        self.rejected: list[Rejection] = []  # refused changes, for the host's dead letters: take_rejected()
        self.responder = Responder(self.config.response, self.rules, self.agents,
                                   sign=trust.sign_command if trust is not None and trust.command_key else None)
        self.watermark = float("-inf")
        self.grace = self.config.lifecycle_grace_seconds
        self._expiries: list[tuple[float, str, str]] = []     # (expires_ts, agent_id, epoch)
        self._pending: list[tuple[float, int, str]] = []      # (apply_at_ts, arrival, agent_id)
        self._arrival = count()
        self._next_due = float("inf")  # earliest time any of the three queues above needs work
        self.gates: list[Detector] = []
        self.checks: list[Detector] = []
        self.watch: list[Detector] = []  # judge every identity that acts, with a manifest or not (cloud calls)
        self.changes: list[ChangeCheck] = []
        self.expiry: ExpiryReached | None = None
        self.unauthorised: UnauthorisedChange | None = None
        self.widened: DefinitionWidened | None = None
        for rule in self.rules.values():
            cls = REGISTRY[rule.type]
            if not rule.enabled:
                continue
            if issubclass(cls, Detector):
                det = cls(rule)
                (self.watch if det.watches_every_identity else self.gates if rule.gate else self.checks).append(det)
            elif issubclass(cls, ChangeCheck):
                self.changes.append(cls(rule))
            elif issubclass(cls, ExpiryReached):
                self.expiry = cls(rule)
            elif issubclass(cls, UnauthorisedChange):
                self.unauthorised = cls(rule)
            elif issubclass(cls, DefinitionWidened):
                self.widened = cls(rule)
        # Agent definitions, their instances' inherited intent and learned models (engine/definitions.py).
        self.defs = Definitions(self.checks + self.watch, HIGH, SEVERITY_RANK)  # (offered tools pinned per definition: a watch)
        self.suppressed = Suppressed(self.rules["feedback.suppressed"])  # counts what suppressions hide, on or off
        self.behaviour = Behaviour(self.config.learned, self.rules) if self.config.learned.enabled else None
        dormant = [r for r in self.rules.values() if r.type == "dormancy" and r.enabled]
        self.dormancy = Dormancy(dormant[0]) if dormant else None
        # An agent with no manifest: shadow alert, its own baseline, or both (engine.unregistered).
        self.shadow_unregistered = self.config.unregistered != "learn"
        self.learn_unregistered = self.config.unregistered != "shadow" and self.behaviour is not None
        # what judges such an agent beside its baseline: an agent's sessions as its instances
        self.unregistered_checks: list[Detector] = [d for d in self.checks if d.judges_unregistered()] \
            if self.learn_unregistered else []
        self.defs.unregistered = bool(self.unregistered_checks)
        self.stats: Counter[str] = Counter()
        self.n_actions = 0
        ops = self.config.operation_severity  # (rule id, operation) -> severity of that finding
        self._op_severity: dict[tuple[str, str], str] = {(r, op): sev for r in ops.rules for op, sev in ops.by_operation.items()}
        # Latest event time the host accepts (its wall clock plus max_future_seconds); a host
        # sets it, the engine reads no clock. Beyond it an event is refused: see process_action.
        self.horizon = float("inf")
        c = self.config
        self._dedup_window, self._dedup_max = c.dedup_window_seconds, c.dedup_max_events
        self._max_pending, self._max_creds = c.max_pending_per_agent, c.max_credentials_per_agent
        # Bounded memory (pipeline/engine/eviction.py): idle agents to ``store`` past the ceiling, and
        # agents that need no live state (registered, not acting yet; idle; ended) compacted there.
        self.evictor: Evictor | None = None
        self._ceiling = sys.maxsize  # the evictor's, read per action (asking it costs a Python call)
        if c.max_agents_in_memory is not None or c.compact_idle_seconds is not None or c.compact_ended_seconds is not None:
            self.evictor = Evictor(self.agents, c.max_agents_in_memory, store if store is not None else MemoryStore(), self.checks,
                                   idle=c.compact_idle_seconds, ended=c.compact_ended_seconds, tally=self._tally)
            self.responder.lookup = self.evictor.for_closing(self.agents.get)
            self._ceiling = self.evictor.ceiling

    def _respond(self, f: Finding, st: AgentState, held: list[str] | None = None) -> list[Output]:
        """Publish what ``f`` calls for. Its suppression is looked up once: a covered finding is
        counted on the suppression and kept as an info alert; an uncovered high or critical one
        on an action is added to ``held`` (that action teaches the baseline nothing)."""
        self.stats[f"finding:{f.rule.id}"] += 1
        if f.action is not None and f.severity is None and self._op_severity:
            f.severity = self._op_severity.get((f.rule.id, f.action.operation))  # type: ignore[assignment]
        sup = covering(st.suppressions, f) if st.suppressions else None
        if sup is not None:
            self.stats[f"suppressed:{f.rule.id}"] += 1
            f = self.suppressed.hidden(f, sup)
            if not f.rule.enabled:  # counted on the suppression; not published when turned off
                return []
        elif held is not None and SEVERITY_RANK[f.rule.severity] >= HIGH:
            held.append(f.rule.id)
        if sup is None:  # a high finding: the instance (or session) teaches nothing
            self.defs.flag(st, f)
        out = self.responder.handle(f, st)
        self._next_due = min(self._next_due, self.responder.next_close())
        return out

    def _new_or_revived(self, agent_id: str) -> AgentState:
        st = self.evictor.revive(agent_id) if self.evictor is not None else None
        if st is None:
            st = self.agents[agent_id] = AgentState(agent_id)
            if self.evictor is not None:
                self.evictor.note(st)
        return st

    def _late_shared(self) -> list[Output]:
        shared = self.behaviour.shared if self.behaviour is not None else None
        if self.evictor is not None and shared is not None:  # agents found late may be evicted: back first
            for _cred, _agent, _use, other, _theirs in shared.registry.late:
                if other not in self.agents:
                    self.evictor.revive(other)
        out: list[Output] = []
        if self.behaviour is not None:
            for f in self.behaviour.late_shared(self.agents):
                out += self._respond(f, self.agents[f.agent_id])
        return out

    def _update_next_due(self) -> None:
        heads = [q[0][0] for q in (self._pending, self._expiries) if q]
        if self.dormancy is not None and self.dormancy.due:
            heads.append(self.dormancy.due[0][0])
        if self.evictor is not None and self.evictor.queue:
            heads.append(self.evictor.next_compaction())
        self._next_due = min([*heads, self.responder.next_close()])

    def _tally(self, st: AgentState) -> dict[str, int]:
        """One agent's part of the reports: how far it learned, whether it is warm (kept for compacted agents)."""
        r = self.behaviour.report({st.agent_id: st}) if self.behaviour is not None else {}
        r["warm"] = int(st.baseline is not None and st.baseline.warm())
        return r

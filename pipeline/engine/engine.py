"""The detection engine: one event in, outputs out. No I/O, no clock.

Time comes from events. Actions advance an event-time watermark; when it moves, due
expiries fire and closed alert windows are published. A host with a wall clock (the
streaming worker) calls ``tick(now)`` so quiet agents still expire; replay calls
``flush()`` at the end of its input. Same events in the same order and the same
configuration give the same outputs, byte for byte.

Lifecycle events wait in a per-agent queue and apply in event-time order: before the
agent's first action at or after their time, or once the watermark is ``grace`` seconds
past them (so a quiet agent is still registered, updated or expired). So a host may
deliver lifecycle events early — replay feeds them all first — and one agent's outputs
depend only on that agent's events, however partitions interleave (except
``credential.shared``, judged fleet-wide: ``pipeline/engine/credentials.py``).

One writer must not steer the fleet (issue 17). An action stamped past the host's clock plus
``max_future_seconds`` is refused (a host sets the clock with ``set_clock``; replay uses the
wall clock or ``now``), so one 2099 timestamp cannot expire every agent. Actions are
de-duplicated per agent by ``event_id`` over ``dedup_window_seconds`` and at most
``dedup_max_events`` ids (kept in the agent's checkpointed state): a redelivery with the same
content fingerprint is counted and dropped; the same id with other content is refused as a
conflicting duplicate, not given an alert id of its own: alert ids stay (agent, rule,
event_id), the key consumers upsert by, and the first content keeps it; an action older than
what its agent still remembers is refused as late, since it can no longer be told from a
replayed one. Refusals raise ``InputError`` before anything changes, for the host to
dead-letter. Lists an agent's events grow (pending changes, credentials) are capped.

Per action: the detectors that watch every identity, with a manifest or not (cloud calls,
instance credentials, injected targets: ``watches_every_identity``), lifecycle gates, then the
intent rules (``pipeline/engine/detectors``), then the learned side
(``pipeline/engine/behaviour.py``: the agent's baseline and the learned detectors). Every
finding goes through the agent's suppressions (analysts' verdicts, queued like lifecycle
changes) and the response policy (``pipeline/engine/response.py``). Dormancy
(``detectors/dormancy.py``) is one more timer among the due queues.

Agent definitions (``kind: definition`` manifests, ``pipeline/engine/definitions.py``) are
registered on arrival; an instance's manifest applies as its definition's intent narrowed by
it, and one that widens it is refused like an unauthorised change. The definitions' learned
models are the engine's; each instance's part is in its agent state until it ends, when it
becomes a lesson folded into its definition's model (and, in a streaming host, shared:
``share_definitions``).
"""

import heapq
import zlib
from collections import Counter
from datetime import datetime
from itertools import count

from intentwatch.models.action import Action
from intentwatch.models.alert import SEVERITY_RANK
from intentwatch.models.baseline import epoch_seconds
from intentwatch.models.credential_use import CredentialUse
from intentwatch.models.definition_record import DefinitionRecord, SharedDefinition
from intentwatch.models.errors import InputError
from intentwatch.models.feedback import Feedback
from intentwatch.models.lifecycle import Decommission, Instantiate, Update
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
from intentwatch.pipeline.engine.suppressions import Suppression, covering
from intentwatch.pipeline.engine.trust import Rejection, TrustPolicy
from intentwatch.pipeline.engine.eviction import AgentStore, Evictor, MemoryStore

LifecycleEvent = Instantiate | Update | Decommission
MAX_SUPPRESSIONS = 32  # per agent; the oldest ended one goes first
HIGH = SEVERITY_RANK["high"]


class Engine:
    """``event_clock=True``: each action moves the engine's time (one time-ordered stream, as in
    replay). ``False``: the host moves it with ``advance_to`` — a streaming worker passes the
    lowest event time across its partitions, so a partition read ahead cannot apply another
    partition's lifecycle changes or close its windows early.
    """

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
        self.defs = Definitions(self.checks, HIGH, SEVERITY_RANK)
        self.suppressed = Suppressed(self.rules["feedback.suppressed"])  # counts what suppressions hide, on or off
        self.behaviour = Behaviour(self.config.learned, self.rules) if self.config.learned.enabled else None
        dormant = [r for r in self.rules.values() if r.type == "dormancy" and r.enabled]
        self.dormancy = Dormancy(dormant[0]) if dormant else None
        # An agent with no manifest: shadow alert, its own baseline, or both (engine.unregistered).
        self.shadow_unregistered = self.config.unregistered != "learn"
        self.learn_unregistered = self.config.unregistered != "shadow" and self.behaviour is not None
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
        if c.max_agents_in_memory is not None or c.compact_idle_seconds is not None or c.compact_ended_seconds is not None:
            self.evictor = Evictor(self.agents, c.max_agents_in_memory, store if store is not None else MemoryStore(), self.checks,
                                   idle=c.compact_idle_seconds, ended=c.compact_ended_seconds, tally=self._tally)
            self.responder.lookup = self.evictor.for_closing(self.agents.get)

    def set_clock(self, now: float) -> None:
        """The host's wall clock (epoch seconds): events stamped past ``now + max_future_seconds`` are refused."""
        self.horizon = now + self.config.max_future_seconds

    # -- entry points -------------------------------------------------------------------
    def process(self, event: Action | LifecycleEvent | Feedback) -> list[Output]:
        if isinstance(event, Action):
            return self.process_action(event)
        if isinstance(event, Feedback):
            return self.process_feedback(event)
        return self.process_lifecycle(event)

    def process_action(self, a: Action, fingerprint: int = -1) -> list[Output]:
        """Judge one action. ``fingerprint`` identifies its content (the host's CRC-32 of the raw
        bytes; computed from the model when not given): a redelivered action (same event_id, same
        fingerprint) is counted and dropped; raises ``InputError`` for an action to dead-letter
        (ahead of the clock, an event_id reused for other content, too late to de-duplicate)."""
        ts = epoch_seconds(a.time)
        if ts > self.horizon:
            self.stats["rejected_future"] += 1
            raise InputError("", f"event time {a.time.isoformat()} is more than {self.config.max_future_seconds:g}s "
                                 "ahead of the clock", "future")
        st = self.agents.get(a.agent_id)
        if st is None:
            st = self._new_or_revived(a.agent_id)
            if self.evictor is not None:
                self._next_due = min(self._next_due, self.evictor.next_compaction())
        if self.evictor is not None and self.evictor.over():
            self.evictor.evict(keep=a.agent_id)
        if fingerprint < 0:
            fingerprint = zlib.crc32(a.model_dump_json().encode())
        prior = st.seen.get(a.event_id)
        if prior is not None:
            if prior[1] == fingerprint:
                self.stats["duplicates"] += 1
                return []
            self.stats["rejected_conflicting"] += 1
            raise InputError("", f"event_id {a.event_id[:40]!r} was seen before with other content (conflicting duplicate)",
                             "conflicting_duplicate")
        if ts <= st.seen_floor:
            self.stats["rejected_late"] += 1
            raise InputError("", f"event time {a.time.isoformat()} is older than the de-duplication window of agent "
                                 f"{a.agent_id[:80]!r} still covers", "late")
        out: list[Output] = []
        if ts > self.watermark and self.event_clock:
            self.watermark = ts
            if ts >= self._next_due:
                out = self._advance(ts, a.agent_id)
        st.seq += 1
        self.n_actions += 1
        if ts > st.last_ts:
            st.last_ts = ts
        st.remember(a.event_id, ts, fingerprint, self._dedup_window, self._dedup_max)
        if st.pending and st.pending[0][0] <= ts:
            out += self._apply_pending(st, ts)
        if st.status == "active" and st.expires_ts is not None and ts >= st.expires_ts:
            out += self._expire(st)
        if self.dormancy is not None:
            self.dormancy.touch(st, ts, a.credential_id)
            self._next_due = min(self._next_due, self.dormancy.next_due())
        for det in self.watch:
            f = det.check(a, st, ts)
            if f is not None:
                out += self._respond(f, st)
        judged = st.status == "active"  # by the learned side
        if not judged and not (st.status == "expired" and ts < st.expires_ts):  # type: ignore[operator]
            # Every gate is about lifecycle status, so an agent active at this time passes them all.
            judged = st.status == "unregistered" and self.learn_unregistered
            if self.shadow_unregistered or st.status != "unregistered":
                for det in self.gates:
                    f = det.check(a, st, ts)
                    if f is not None:
                        out += self._respond(f, st)
                        if not judged:
                            return out
                        break
        held: list[str] = []  # rules with a high finding here: they keep the action out of the baseline
        checks: list[Detector] = st.checks  # typed, so compiled each check is a direct call, not a Python method call
        for det in checks:
            f = det.check(a, st, ts)
            if f is not None:
                out += self._respond(f, st, held)
        b = self.behaviour
        if b is not None and judged:
            x, s, found = b.check(a, st, ts)
            for f in found:
                out += self._respond(f, st, held)
            for f in b.learn(a, st, ts, x, s, held):
                out += self._respond(f, st)
            out += self._late_shared()  # out of order: another agent's earlier use came to light
            if len(st.cred_last) > self._max_creds or len(st.revoked) > self._max_creds:
                self._forget_credentials(st)
        return out

    def _forget_credentials(self, st: AgentState) -> None:
        """Keep an agent's per-credential memory bounded: the least recently used go first."""
        cap = self._max_creds
        if len(st.cred_last) > cap:
            keep = sorted(st.cred_last.items(), key=lambda kv: kv[1][0])[-cap:]
            st.cred_last = dict(keep)
        if len(st.revoked) > cap:
            st.revoked = dict(sorted(st.revoked.items(), key=lambda kv: kv[1])[-cap:])
        self.stats["credentials_forgotten"] += 1

    def merge_credential_use(self, use: CredentialUse) -> list[Output]:
        """Another streaming worker's agent first used a credential (``pipeline/engine/credentials.py``)."""
        shared = self.behaviour.shared if self.behaviour is not None else None
        if shared is None:
            return []
        shared.registry.merge(use)
        return self._late_shared()

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

    def process_lifecycle(self, ev: LifecycleEvent) -> list[Output]:
        """Queue a lifecycle change; apply it now if the agent (or the watermark) is already past it."""
        self.stats["lifecycle"] += 1
        return self._queue(ev)

    def process_feedback(self, fb: Feedback) -> list[Output]:
        """An analyst's verdict; applies in event-time order with the agent's lifecycle changes."""
        self.stats["feedback"] += 1
        return self._queue(fb)

    def _queue(self, ev: LifecycleEvent | Feedback) -> list[Output]:
        ts = ev.time.timestamp()
        if isinstance(ev, (Instantiate, Update)) and ev.manifest.kind == "definition":
            return self._define(ev, ts)
        st = self.agents.get(ev.agent_id)
        if st is None:
            st = self._new_or_revived(ev.agent_id)
        out: list[Output] = []
        if self.trust is not None:
            why = self.trust.check(ev)
            if why is not None:
                out = self._unauthorised(st, ev, ts, why, applied=False)
                if self.trust.mode == "enforce":
                    return out
        if ts <= st.last_ts or ts + self.grace <= self.watermark:
            self.stats["lifecycle_late"] += 1
            return out + self._apply_lifecycle(st, ev, ts)
        if len(st.pending) >= self._max_pending:
            self.stats["rejected_pending"] += 1
            raise InputError("", f"agent {ev.agent_id[:80]!r} already has {len(st.pending)} lifecycle changes or verdicts "
                                 "waiting for their time (engine.max_pending_per_agent)", "pending_full")
        n = next(self._arrival)
        st.add_pending(ts, n, ev)
        heapq.heappush(self._pending, (ts + self.grace, n, st.agent_id))
        self._next_due = min(self._next_due, ts + self.grace)
        if self.evictor is not None and self.evictor.due(st) == float("-inf"):
            self.evictor.compact(st)  # registered, not acting yet: held as its record until its time comes
        return out

    def _define(self, ev: Instantiate | Update, ts: float) -> list[Output]:
        """An agent definition is registered on arrival, once the trust policy lets it (it never acts)."""
        why = self.trust.check(ev) if self.trust is not None else None
        out = self._unauthorised(AgentState(ev.agent_id), ev, ts, why, applied=False) if why is not None else []
        if why is None or self.trust is None or self.trust.mode != "enforce":
            self.defs.register(ev.manifest)
            self.stats["definitions"] += 1
        return out

    def take_rejected(self) -> list[Rejection]:
        """Control-plane changes refused since the last call (``trust.mode: enforce``), for the dead letters."""
        out, self.rejected = self.rejected, []
        return out

    def _unauthorised(self, st: AgentState, ev: LifecycleEvent | Feedback, ts: float, why: str, applied: bool) -> list[Output]:
        assert self.trust is not None  # only asked with a trust policy
        self.stats["control_unauthorised"] += 1
        ev_id = ev.feedback_id if isinstance(ev, Feedback) else ev.event_id
        signer = ev.signature.key_id if ev.signature is not None else None
        if self.trust.mode == "enforce":
            self.rejected.append(Rejection(ev, why, applied))
            verdict = "refused"
        else:
            verdict = "applied anyway (trust.mode warn)"
        kind = "verdict" if isinstance(ev, Feedback) else ev.kind
        if self.unauthorised is None:
            return []
        return self._respond(self.unauthorised.refused(st, ts, ev_id, kind, verdict, why, signer), st)

    def tick(self, now: datetime) -> list[Output]:
        """Wall-clock timer of a streaming host: expire quiet agents, publish closed windows."""
        return self.advance_to(now.timestamp())

    def advance_to(self, ts: float) -> list[Output]:
        """Move the engine's time forward to ``ts`` (epoch seconds) and run what fell due."""
        if ts <= self.watermark:
            return []
        self.watermark = ts
        return self._advance(ts) if ts >= self._next_due else []

    def flush(self) -> list[Output]:
        """End of input: apply lifecycle changes up to the watermark, publish every open window."""
        out: list[Output] = []
        for st in list(self.agents.values()):
            if st.pending and st.pending[0][0] <= self.watermark:
                out += self._apply_pending(st, self.watermark)
        if self.evictor is not None:
            for agent_id in self.evictor.waiting_until(self.watermark):
                revived = self.evictor.revive(agent_id)
                if revived is not None:
                    out += self._apply_pending(revived, self.watermark)
        return out + self.responder.flush()

    # -- what hosts need ---------------------------------------------------------------
    @property
    def withheld(self) -> int:
        """Revocation commands the circuit breaker held back."""
        return self.responder.withheld

    def share_credentials(self) -> bool:
        """A streaming host holds a share of the fleet: queue this engine's first uses of
        credentials for the other workers (``drain_credential_uses``). False when the fleet-wide
        check (``credential.shared``) is off, so there is nothing to share."""
        shared = self.behaviour.shared if self.behaviour is not None else None
        if shared is not None:
            shared.registry.publish = True
        return shared is not None

    def drain_credential_uses(self) -> list[CredentialUse]:
        """First uses of credentials seen here since the last call, for the other workers."""
        shared = self.behaviour.shared if self.behaviour is not None else None
        return shared.registry.drain() if shared is not None else []

    def credential_users(self, credential_id: str) -> list[str]:
        """The agents known to have used ``credential_id`` (a merged use may change their state)."""
        shared = self.behaviour.shared if self.behaviour is not None else None
        return list(shared.registry.users.get(credential_id, ())) if shared is not None else []

    def agent_counts(self) -> tuple[int, int]:
        """(agents held as live state, agents held as their record in the store)."""
        return len(self.agents), len(self.evictor.store) if self.evictor is not None else 0

    def warm_agents(self) -> int:
        """Agents whose baseline left warm-up (their learned findings are raised)."""
        stored = self.evictor.stored["warm"] if self.evictor is not None else 0
        return stored + sum(1 for st in self.agents.values() if st.baseline is not None and st.baseline.warm())

    def _tally(self, st: AgentState) -> dict[str, int]:
        """One agent's part of the reports: how far it learned, whether it is warm (kept for compacted agents)."""
        r = self.behaviour.report({st.agent_id: st}) if self.behaviour is not None else {}
        r["warm"] = int(st.baseline is not None and st.baseline.warm())
        return r

    def state_record(self, agent_id: str) -> dict | None:
        """The agent's checkpoint record (JSON-serialisable), or None for an unknown agent; an
        evicted agent's comes from the store, where it stays."""
        st = self.agents.get(agent_id)
        if st is None and self.evictor is not None:
            return self.evictor.state_record(agent_id)
        return st.to_record() if st is not None else None

    def restore_record(self, record: dict) -> None:
        """Put back an agent from its checkpoint record, with its timers."""
        self.restore(AgentState.from_record(record, self.checks))

    # -- persistence (used by the streaming worker) -------------------------------------
    def definitions_record(self) -> dict:
        """The definitions and their learned models (JSON-able): the engine's, not one agent's."""
        return self.defs.to_record()

    def restore_definitions(self, record: dict) -> None:
        self.defs.restore(record)

    def share_definitions(self) -> None:
        """A streaming host holds a share of the fleet: queue what this engine's instances teach
        their definitions, and the definitions it registers, for the other workers
        (``drain_definition_records``)."""
        self.defs.publish = True

    def drain_definition_records(self) -> list[DefinitionRecord]:
        """Lessons of instances that ended clean here, and definitions registered here, since the last call."""
        return self.defs.drain()

    def merge_definition_record(self, record: DefinitionRecord) -> None:
        """Another worker's lesson or definition (or one read back after a restart): fold it in.
        Raises ``InputError`` when it would be one definition too many, for the host to dead-letter."""
        if isinstance(record, SharedDefinition):
            self.defs.register(record.manifest, share=False)
            self.stats["definitions_merged"] += 1
        elif self.defs.learn(record):
            self.stats["definition_lessons_merged"] += 1
        else:
            raise InputError("", f"definition {record.definition[:80]!r} would be one more model than the engine keeps",
                             "definitions_full")

    def restore(self, st: AgentState) -> None:
        """Put a restored agent back, with its timers."""
        self.agents[st.agent_id] = st
        if st.status == "active" and st.expires_ts is not None:
            heapq.heappush(self._expiries, (st.expires_ts, st.agent_id, st.epoch))
        for ts, _n, _ev in st.pending:
            heapq.heappush(self._pending, (ts + self.grace, next(self._arrival), st.agent_id))
        self.responder.track(st)
        if self.dormancy is not None:
            self.dormancy.track(st)
        if self.evictor is not None:
            self.evictor.note(st)
        self._update_next_due()
        if self.evictor is not None and self.evictor.over():  # a worker restoring more agents than it may hold
            self.evictor.evict(keep=st.agent_id)

    def rewind_clock(self) -> None:
        """Forget how far time got (a host whose inputs changed calls this); due work is not lost,
        it runs when time passes it again."""
        self.watermark = float("-inf")

    def forget(self, agent_ids: list[str]) -> None:
        """Drop agents whose partitions moved to another worker (their timers lapse harmlessly)."""
        for a in agent_ids:
            self.agents.pop(a, None)
            if self.evictor is not None:
                self.evictor.forget(a)

    # -- internals ----------------------------------------------------------------------
    def _apply_pending(self, st: AgentState, upto: float) -> list[Output]:
        out: list[Output] = []
        while st.pending and st.pending[0][0] <= upto:
            ts, _, ev = st.pending.pop(0)
            out += self._apply_lifecycle(st, ev, ts)
        return out

    def _apply_lifecycle(self, st: AgentState, ev: LifecycleEvent | Feedback, ts: float) -> list[Output]:
        if isinstance(ev, Feedback):
            return self._apply_feedback(st, ev, ts)
        if st.lifecycle_ts is not None and ts < st.lifecycle_ts:
            # An older event never undoes a newer one.
            self.stats["lifecycle_stale"] += 1
            return []
        if self.trust is not None:
            if ev.event_id == st.epoch:  # the change in force, delivered again
                self.stats["lifecycle_duplicate"] += 1
                return []
            why = self.trust.check_applied(ev, st.status, st.manifest)
            if why is not None:
                refused = self._unauthorised(st, ev, ts, why, applied=True)
                if self.trust.mode == "enforce":
                    return refused
                return refused + self._apply_change(st, ev, ts)
        return self._apply_change(st, ev, ts)

    def _apply_change(self, st: AgentState, ev: LifecycleEvent, ts: float) -> list[Output]:
        if isinstance(ev, Decommission):
            self.defs.end(st.detect, st.agent_id, st.epoch, ts)
            st.status, st.epoch, st.lifecycle_ts = "decommissioned", ev.event_id, ts
            self._ended(st)
            return []
        m, wider = self.defs.resolve(ev.manifest)
        if wider and m.definition is not None:  # an instance may only narrow its definition: refused
            self.stats["definition_widened"] += 1
            self.rejected.append(Rejection(ev, f"widens definition {m.definition!r}: {'; '.join(wider[:5])}", True))
            return self._respond(self.widened.widened(st.agent_id, ts, ev.event_id, m.definition, wider), st) if self.widened else []
        if isinstance(ev, Instantiate):
            self.defs.end(st.detect, st.agent_id, st.epoch, ts)  # a new task: the previous instance ended
        expiry = m.expiry(ev.time)
        expires_ts = expiry.timestamp() if expiry is not None else None
        st.apply_manifest(m, ev.event_id, ts, expires_ts, self.checks)
        if self.behaviour is not None:
            # A new task or an approved change re-learns; an unapproved one does not reset the baseline.
            self.behaviour.on_manifest(st, m, relearn=isinstance(ev, Instantiate) or bool(ev.approved_by))
        if expires_ts is not None:
            heapq.heappush(self._expiries, (expires_ts, st.agent_id, st.epoch))
            self._next_due = min(self._next_due, expires_ts)
        out: list[Output] = []
        if m.agent_id != ev.agent_id:
            self.stats["lifecycle_mismatched_agent"] += 1
        for check in self.changes:
            f = check.check_change(st, ev, m, ts)
            if f is not None:
                out += self._respond(f, st)
        if expires_ts is not None and expires_ts <= max(ts, st.last_ts):
            out += self._expire(st)
        return out

    def _apply_feedback(self, st: AgentState, fb: Feedback, ts: float) -> list[Output]:
        self.stats[f"feedback:{fb.verdict}"] += 1
        if fb.verdict == "confirmed":
            if self.behaviour is not None:  # the held-back actions were the attack: never learn them
                self.behaviour.release_held(st, fb.rule_id, learn=False)
            return []
        sup = Suppression.from_feedback(fb)
        st.suppressions = [s for s in st.suppressions if s.feedback_id != sup.feedback_id] + [sup]
        if len(st.suppressions) > MAX_SUPPRESSIONS:
            st.suppressions.remove(min(st.suppressions, key=lambda s: s.end_ts))
        if self.behaviour is not None:
            self.stats["feedback_learned"] += self.behaviour.release_held(st, fb.rule_id, learn=True)
        return []

    def learning_report(self) -> dict[str, int]:
        """How far the learned side got with the agents that acted (``Behaviour.report``)."""
        if self.behaviour is None:
            return {"judged": 0, "warming": 0, "never_warm": 0, "unregistered_unjudged": 0}
        r = self.behaviour.report(self.agents)
        if self.evictor is not None:  # and the compacted agents'
            r = {k: v + self.evictor.stored[k] for k, v in r.items()}
        return r

    def suppression_report(self) -> list[dict]:
        """Every suppression in force or ended, with what it hid."""
        return [{"agent_id": st.agent_id, **s.to_record(), "matches": s.matches()}
                for st in self.agents.values() for s in st.suppressions]

    def _ended(self, st: AgentState) -> None:
        """Decommissioned or expired: its compaction comes sooner (``compact_ended_seconds``)."""
        if self.evictor is not None:
            self.evictor.note(st)
            self._next_due = min(self._next_due, self.evictor.next_compaction())

    def _advance(self, ts: float, keep: str = "") -> list[Output]:
        """Event time reached ``ts``: apply due lifecycle changes, expire, publish closed windows,
        compact agents that need no live state (not ``keep``, the agent acting now)."""
        out: list[Output] = []
        # Commands issued now count against the circuit breaker at ``ts``, not at the (older)
        # times of their findings: a clock jump that expires many agents at once is one burst.
        self.responder.clock = ts
        if self.evictor is not None and self.evictor.wake:
            self.evictor.wake_due(ts)
        while self._pending and self._pending[0][0] <= ts:
            _, _, agent_id = heapq.heappop(self._pending)
            st = self.agents.get(agent_id)
            if st is None and self.evictor is not None:
                st = self.evictor.revive_waiting(agent_id)
            if st is not None:
                out += self._apply_pending(st, ts - self.grace)
        while self._expiries and self._expiries[0][0] <= ts:
            _, agent_id, epoch = heapq.heappop(self._expiries)
            st = self.agents.get(agent_id)
            if st is not None and st.epoch == epoch and st.status == "active":
                out += self._expire(st)
        if self.dormancy is not None:
            for f in self.dormancy.advance(ts, self.agents):
                out += self._respond(f, self.agents[f.agent_id])
        out += self.responder.close_due(ts)
        if self.evictor is not None:
            if self.evictor.queue:
                self.evictor.compact_due(ts, keep)
            if self.evictor.over():  # agents revived for their due changes count against the ceiling too
                self.evictor.evict(keep=keep)
        self._update_next_due()
        return out

    def _update_next_due(self) -> None:
        heads = [q[0][0] for q in (self._pending, self._expiries) if q]
        if self.dormancy is not None and self.dormancy.due:
            heads.append(self.dormancy.due[0][0])
        if self.evictor is not None and self.evictor.queue:
            heads.append(self.evictor.next_compaction())
        self._next_due = min([*heads, self.responder.next_close()])

    def _expire(self, st: AgentState) -> list[Output]:
        """The manifest's expiry passed: mark the agent expired and decommission it."""
        st.status = "expired"
        ts = st.expires_ts if st.expires_ts is not None else self.watermark
        self.defs.end(st.detect, st.agent_id, st.epoch, ts)
        self._ended(st)
        if self.expiry is None:
            return []
        return self._respond(self.expiry.expired(st, ts, self.config.response.expiry_action), st)

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
        if sup is None:
            self.defs.flag(st.detect, f)  # a high finding: the instance teaches its definition nothing
        out = self.responder.handle(f, st)
        self._next_due = min(self._next_due, self.responder.next_close())
        return out

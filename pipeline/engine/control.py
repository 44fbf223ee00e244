"""The engine's control plane: lifecycle changes and analysts' verdicts (``Lifecycle``, a base of
``Engine``; its attributes are declared in ``core.py``).

Lifecycle events wait in a per-agent queue and apply in event-time order: before the
agent's first action at or after their time, or once the watermark is ``grace`` seconds
past them (so a quiet agent is still registered, updated or expired). So a host may
deliver lifecycle events early — replay feeds them all first — and one agent's outputs
depend only on that agent's events, however partitions interleave (except
``credential.shared``, judged fleet-wide: ``pipeline/engine/credentials.py``). Analysts'
verdicts (``Feedback``) queue with them and become the agent's suppressions.

The trust policy (``pipeline/engine/trust.py``) is asked on arrival (``_queue``) and when a
change applies (``_apply_lifecycle``); what it refuses waits for the host's dead letters
(``take_rejected``).

Agent definitions (``kind: definition`` manifests, ``pipeline/engine/definitions.py``) are
registered on arrival; an instance's manifest applies as its definition's intent narrowed by
it, and one that widens it is refused like an unauthorised change. The definitions' learned
models are the engine's; each instance's part is in its agent state until it ends, when it
becomes a lesson folded into its definition's model (and, in a streaming host, shared:
``Engine.share_definitions``, ``hosting.py``).
"""

import heapq

from intentwatch.models.errors import InputError
from intentwatch.models.feedback import Feedback
from intentwatch.models.lifecycle import Decommission, Instantiate, Update
from intentwatch.pipeline.engine.core import EngineCore
from intentwatch.pipeline.engine.response import Output
from intentwatch.pipeline.engine.state import AgentState, LifecycleEvent
from intentwatch.pipeline.engine.suppressions import Suppression
from intentwatch.pipeline.engine.trust import Rejection

MAX_SUPPRESSIONS = 32  # per agent; the oldest ended one goes first


class Lifecycle(EngineCore):
    """Queues and applies lifecycle changes and verdicts; ``Engine`` (engine.py) is the class to make."""

    # -- on arrival --------------------------------------------------------------------------
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

    # -- when its time comes ------------------------------------------------------------------
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
            self.defs.end(st, ts)
            st.status, st.epoch, st.lifecycle_ts = "decommissioned", ev.event_id, ts
            self._ended(st)
            return []
        m, wider = self.defs.resolve(ev.manifest)
        if wider and m.definition is not None:  # an instance may only narrow its definition: refused
            self.stats["definition_widened"] += 1
            self.rejected.append(Rejection(ev, f"widens definition {m.definition!r}: {'; '.join(wider[:5])}", True))
            return self._respond(self.widened.widened(st.agent_id, ts, ev.event_id, m.definition, wider), st) if self.widened else []
        if isinstance(ev, Instantiate):
            self.defs.end(st, ts)  # a new task: the previous instance ended
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
        # an instance flagged by this rule: a false positive no longer keeps it from teaching its definition
        self.stats["feedback_definition_lessons"] += self.defs.release(st, fb.rule_id,
                                                                       fb.verdict == "false_positive")
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

    def _expire(self, st: AgentState) -> list[Output]:
        """The manifest's expiry passed: mark the agent expired and decommission it."""
        st.status = "expired"
        ts = st.expires_ts if st.expires_ts is not None else self.watermark
        self.defs.end(st, ts)
        self._ended(st)
        if self.expiry is None:
            return []
        return self._respond(self.expiry.expired(st, ts, self.config.response.expiry_action), st)

    def _ended(self, st: AgentState) -> None:
        """Decommissioned or expired: its compaction comes sooner (``compact_ended_seconds``)."""
        if self.evictor is not None:
            self.evictor.note(st)
            self._next_due = min(self._next_due, self.evictor.next_compaction())

"""The detection engine: one event in, outputs out. No I/O, no clock.

Time comes from events. Actions advance an event-time watermark; when it moves, due
expiries fire and closed alert windows are published. A host with a wall clock (the
streaming worker) calls ``tick(now)`` so quiet agents still expire; replay calls
``flush()`` at the end of its input. Same events in the same order and the same
configuration give the same outputs, byte for byte.

One writer must not steer the fleet (issue 17). An action stamped past the host's clock plus
``max_future_seconds`` is refused (a host sets the clock with ``set_clock``; replay uses the
wall clock or ``now``), so one 2099 timestamp cannot expire every agent. Actions are
de-duplicated per agent by ``event_id`` over ``dedup_window_seconds`` and at most
``dedup_max_events`` ids (kept in the agent's checkpointed state): a redelivery with the same
content fingerprint is counted and dropped (context an adapter handed on is no content:
``content_fingerprint``); the same id with other content is refused as a
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

Lifecycle changes and analysts' verdicts queue per agent and apply in event-time order, agent
definitions register on arrival (``pipeline/engine/control.py``); what a host calls besides ``process`` (checkpoint records,
the shares of a streaming host, reports) is in ``pipeline/engine/hosting.py``. ``Engine`` is the
last of a chain of compiled classes (``pipeline/engine/core.py`` says why): ``EngineCore``
(the attributes; a finding to outputs) → ``Lifecycle`` → ``Hosting`` → ``Engine`` (the
per-action path and the clock).
"""

import heapq
import zlib
from datetime import datetime

from intentwatch.models.action import Action, action_line
from intentwatch.models.baseline import epoch_seconds
from intentwatch.models.errors import InputError
from intentwatch.models.feedback import Feedback
from intentwatch.pipeline.engine.detectors import Detector
from intentwatch.pipeline.engine.hosting import Hosting
from intentwatch.pipeline.engine.response import Output
from intentwatch.pipeline.engine.state import AgentState, LifecycleEvent
from intentwatch.pipeline.engine.toolcall import HANDED_ON


def content_fingerprint(a: Action, fingerprint: int = -1) -> int:
    """The action's content fingerprint: ``fingerprint`` (the host's CRC-32 of the bytes it read) unless
    it is unset or the action carries context an adapter handed on (``toolcall.HANDED_ON``); then the
    CRC-32 of the action's line (``action_line``, as the bridge writes it) without that
    context: an OTLP request the Collector sent again re-makes its actions without the peer results and
    offered tools handed on the first time, and is a duplicate, not a conflicting one."""
    attrs = a.attributes
    handed = attrs and any(k in attrs for k in HANDED_ON)
    if fingerprint >= 0 and not handed:
        return fingerprint
    if handed:
        a = a.model_copy(update={"attributes": {k: v for k, v in attrs.items() if k not in HANDED_ON}})
    return zlib.crc32(action_line(a))


class Engine(Hosting):
    """``event_clock=True``: each action moves the engine's time (one time-ordered stream, as in
    replay). ``False``: the host moves it with ``advance_to`` — a streaming worker passes the
    lowest event time across its partitions, so a partition read ahead cannot apply another
    partition's lifecycle changes or close its windows early. Constructed by ``EngineCore``
    (core.py): ``Engine(config, rules, event_clock, trust, store)``.
    """

    # -- entry points ----------------------------------------------------------------------
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
        if self.evictor is not None and len(self.agents) > self._ceiling and self.evictor.over():
            self.evictor.evict(keep=a.agent_id)
        fingerprint = content_fingerprint(a, fingerprint)
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
        # typed, so compiled each check is a direct call, not a Python method call; an agent with no
        # manifest gets here only when the learned side judges it (engine.unregistered: learn, both)
        checks: list[Detector] = st.checks if st.status != "unregistered" else self.unregistered_checks
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

    # -- the clock -------------------------------------------------------------------------
    def set_clock(self, now: float) -> None:
        """The host's wall clock (epoch seconds): events stamped past ``now + max_future_seconds`` are refused."""
        self.horizon = now + self.config.max_future_seconds

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

"""The detection engine: one event in, outputs out. No I/O, no clock.

Time comes from events. ``process`` advances an event-time watermark; when it moves,
due expiries fire and closed alert windows are published. A host with a wall clock (the
streaming worker) calls ``tick(now)`` so quiet agents still expire; replay calls
``flush()`` at the end of its input. Same events in the same order and the same
configuration give the same outputs, byte for byte.
"""

import heapq
from collections import Counter
from datetime import datetime

from models.action import Action
from models.lifecycle import Decommission, Instantiate, Update
from pipeline.catalog import Rule, load_catalog
from pipeline.config import EngineConfig
from pipeline.detectors import REGISTRY, Detector, Finding
from pipeline.response import Output, Responder
from pipeline.state import AgentState

LifecycleEvent = Instantiate | Update | Decommission


class Engine:
    def __init__(self, config: EngineConfig | None = None, rules: dict[str, Rule] | None = None):
        self.config = config or EngineConfig()
        self.rules = rules or load_catalog(self.config, known_types=set(REGISTRY))
        self.responder = Responder(self.config.response, self.rules)
        self.agents: dict[str, AgentState] = {}
        self.watermark = float("-inf")
        self._expiries: list[tuple[float, str, str]] = []  # (expires_ts, agent_id, epoch)
        self.gates: list[Detector] = []
        self.checks: list[Detector] = []
        for rule in self.rules.values():
            cls = REGISTRY[rule.type]
            if cls is not None and rule.enabled:
                (self.gates if rule.gate else self.checks).append(cls(rule))
        self.stats: Counter[str] = Counter()

    # -- entry points -------------------------------------------------------------------
    def process(self, event: Action | LifecycleEvent) -> list[Output]:
        if isinstance(event, Action):
            return self.process_action(event)
        return self.process_lifecycle(event)

    def process_action(self, a: Action) -> list[Output]:
        ts = a.time.timestamp()
        out = self._advance(ts) if ts > self.watermark else []
        st = self.agents.get(a.agent_id)
        if st is None:
            st = self.agents[a.agent_id] = AgentState(a.agent_id)
        st.seq += 1
        self.stats["actions"] += 1
        if st.status == "active" and st.expires_ts is not None and ts >= st.expires_ts:
            out += self._expire(st)
        for det in self.gates:
            f = det.check(a, st, ts)
            if f is not None:
                return out + self._respond(f, st)
        for det in self.checks:
            f = det.check(a, st, ts)
            if f is not None:
                out += self._respond(f, st)
        return out

    def process_lifecycle(self, ev: LifecycleEvent) -> list[Output]:
        ts = ev.time.timestamp()
        out = self._advance(ts) if ts > self.watermark else []
        self.stats["lifecycle"] += 1
        st = self.agents.get(ev.agent_id)
        if st is None:
            st = self.agents[ev.agent_id] = AgentState(ev.agent_id)
        if st.lifecycle_ts is not None and ts < st.lifecycle_ts:
            # Lifecycle applies in event-time order: an older event never undoes a newer one.
            self.stats["lifecycle_stale"] += 1
            return out
        if isinstance(ev, Decommission):
            st.status, st.epoch, st.lifecycle_ts = "decommissioned", ev.event_id, ts
            return out
        m = ev.manifest
        if m.agent_id != ev.agent_id:
            self.stats["lifecycle_mismatched_agent"] += 1
        expiry = m.expiry(ev.time)
        expires_ts = expiry.timestamp() if expiry is not None else None
        st.apply_manifest(m, ev.event_id, ts, expires_ts)
        if expires_ts is not None:
            heapq.heappush(self._expiries, (expires_ts, st.agent_id, st.epoch))
        if isinstance(ev, Update) and not ev.approved_by:
            out += self._engine_finding(st, "lifecycle.unapproved_update", ts, ev.event_id,
                                        f"intent updated by {ev.actor or 'unknown'} with no approver",
                                        clause="approved_by", expected="an approver", observed=None)
        if m.owner is None or not m.owner.strip():
            out += self._engine_finding(st, "lifecycle.ownerless_agent", ts, ev.event_id, "manifest names no owner",
                                        clause="owner", expected="an accountable owner", observed=None)
        if expires_ts is not None and expires_ts <= ts:
            out += self._expire(st)
        return out

    def tick(self, now: datetime) -> list[Output]:
        """Wall-clock timer of a streaming host: expire quiet agents, publish closed windows."""
        ts = now.timestamp()
        return self._advance(ts) if ts > self.watermark else []

    def flush(self) -> list[Output]:
        """End of input: publish the final form of every alert window still open."""
        return self.responder.flush()

    # -- internals ----------------------------------------------------------------------
    def _advance(self, ts: float) -> list[Output]:
        self.watermark = ts
        out: list[Output] = []
        while self._expiries and self._expiries[0][0] <= ts:
            _, agent_id, epoch = heapq.heappop(self._expiries)
            st = self.agents[agent_id]
            if st.epoch == epoch and st.status == "active":
                out += self._expire(st)
        out += self.responder.close_due(ts)
        return out

    def _expire(self, st: AgentState) -> list[Output]:
        """The manifest's expiry passed: mark the agent expired and decommission it."""
        st.status = "expired"
        ts = st.expires_ts or self.watermark
        return self._engine_finding(st, "lifecycle.expired", ts, f"expiry:{st.epoch}", "intent expired",
                                    clause="expires_at", expected=None, observed=None,
                                    command=self.config.response.expiry_action)

    def _engine_finding(self, st: AgentState, rule_id: str, ts: float, event_id: str, message: str, **kw) -> list[Output]:
        rule = self.rules[rule_id]
        if not rule.enabled:
            return []
        return self._respond(Finding(rule, st.agent_id, ts, event_id, message, **kw), st)

    def _respond(self, f: Finding, st: AgentState) -> list[Output]:
        self.stats[f"finding:{f.rule.id}"] += 1
        return self.responder.handle(f, st)

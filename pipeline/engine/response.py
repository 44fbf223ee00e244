"""Response policy: findings become aggregated alerts and idempotent revocation commands.

- Aggregation: the first finding for (agent, rule) opens a window of ``cooldown`` seconds
  of event time and publishes the alert (status ``open``). Later hits inside the window
  only count; when the window closes with more than one hit the same alert id is
  published again (status ``final``) with the count, ``last_seen`` and the ids of the
  first and last ``evidence_event_ids`` hits (``evidence.event_ids``). A window is
  replaced only by a later event of the same agent, so ids depend on that agent's own
  event order, never on how partitions interleave.
- Commands: an ``enforce`` agent gets the command its finding's severity maps to; each
  command action is sent at most once per lifecycle epoch (ids derive from it).
- Circuit breaker: more than ``max_commands`` in ``per_seconds`` of event time and the
  extra commands are withheld, replaced by one critical alert about the pipeline.
"""

import hashlib
import heapq
from collections import deque
from collections.abc import Callable
from datetime import datetime, timezone

from intentwatch.models.alert import SEVERITY_RANK, Alert, EventIds, Evidence
from intentwatch.models.command import CommandAction, RevocationCommand
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.config import ResponseConfig
from intentwatch.pipeline.engine.detectors.pipeline import CircuitBreaker as CircuitBreakerRule
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState, Window, forget_closed, window_key

Output = Alert | RevocationCommand
PIPELINE_AGENT = "intentwatch"  # agent_id of alerts about the pipeline itself
_MAX_OBSERVED = 20


def stable_id(*parts: str) -> str:
    """A deterministic id from its parts: same input, same id, on any host."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


class Responder:
    def __init__(self, config: ResponseConfig, rules: dict[str, Rule], agents: dict[str, AgentState],
                 sign: Callable[[RevocationCommand], RevocationCommand] | None = None):
        self.config = config
        self.sign = sign                           # intentwatch's signature on commands (trust.signing_key)
        self.rules = rules
        self.agents = agents                       # the engine's; alert windows live in each agent's state
        self.lookup: Callable[[str], AgentState | None] = agents.get  # an agent's state when its window closes
        self.pipeline = AgentState(PIPELINE_AGENT)  # holds the circuit breaker's own alert window
        self.closing: list[tuple[float, str, str, str]] = []  # (end_ts, agent, rule, alert_id)
        self._recent_commands: deque[tuple[float, str]] = deque()  # (time, command id) in the breaker's window
        self._recent_ids: set[str] = set()  # ... a command issued again (a host reading on from a checkpoint) counts once
        self.withheld = 0
        self.clock = float("-inf")  # the engine's time when it last ran due work (see Engine._advance)
        self.breaker = CircuitBreakerRule(rules["pipeline.circuit_breaker"])

    def next_close(self) -> float:
        """When the earliest open alert window closes (infinity: none open)."""
        return self.closing[0][0] if self.closing else float("inf")

    # -- alerts -------------------------------------------------------------------------
    def handle(self, f: Finding, state: AgentState) -> list[Output]:
        """Turn one finding into what must be published now."""
        cooldown = f.rule.cooldown_seconds if f.rule.cooldown_seconds is not None else self.config.cooldown_seconds
        out, alert = self._aggregate(f, state, cooldown)
        if alert is None:
            return out
        action = f.command
        if action is None and state.manifest is not None and state.manifest.enforcement == "enforce":
            action = self.config.severity_actions.get(alert.severity)
        if action is not None and state.agent_id != PIPELINE_AGENT:
            out += self.command(state, action, f, alert.alert_id)
        return out

    def _aggregate(self, f: Finding, state: AgentState, cooldown: float) -> tuple[list[Output], Alert | None]:
        """Count ``f`` into its open window, or open a new one; return outputs and the new alert."""
        rule = f.rule
        key = window_key(rule.id, rule.group_by, (f.action.session_id or f.action.task_id) if f.action is not None else None)
        w = state.windows.get(key)
        # A hit more severe than the open alert (a send after reads outside intent) opens its own.
        if w is not None and w.covers(f.ts) and SEVERITY_RANK[f.level] <= SEVERITY_RANK[w.alert.severity]:
            w.count += 1
            w.last_ts = max(w.last_ts, f.ts)
            w.count_hit(f.event_id, self.config.evidence_event_ids)
            self._observe(w, f)
            if w.closed:  # a late hit after the final was published: publish again later
                w.closed = False
                heapq.heappush(self.closing, (w.end_ts, f.agent_id, key, w.alert.alert_id))
            return [], None
        out: list[Output] = [self._final(w)] if w is not None and w.count > w.published_count else []
        alert = self._open_alert(f, state)
        w = Window(alert, f.ts + cooldown, last_ts=f.ts, first_ids=[f.event_id])
        self._observe(w, f)
        if key != rule.id:
            forget_closed(state.windows, rule.id)
        state.windows[key] = w
        heapq.heappush(self.closing, (w.end_ts, f.agent_id, key, alert.alert_id))
        out.append(alert)
        return out, alert

    def close_due(self, ts: float) -> list[Output]:
        """Publish the final form of every window that ended at or before ``ts``."""
        out: list[Output] = []
        while self.closing and self.closing[0][0] <= ts:
            _, agent, key, alert_id = heapq.heappop(self.closing)
            st = self.pipeline if agent == PIPELINE_AGENT else self.lookup(agent)
            w = st.windows.get(key) if st is not None else None
            if w is not None and w.alert.alert_id == alert_id:
                w.closed = True
                if w.count > w.published_count:
                    out.append(self._final(w))
        return out

    def track(self, state: AgentState) -> None:
        """Schedule the closing of a restored agent's open windows."""
        for rule, w in state.windows.items():
            if not w.closed:
                heapq.heappush(self.closing, (w.end_ts, state.agent_id, rule, w.alert.alert_id))

    def flush(self) -> list[Output]:
        """End of input: publish every window that still has unpublished hits."""
        return self.close_due(float("inf"))

    def _open_alert(self, f: Finding, state: AgentState) -> Alert:
        rule = f.rule
        m = state.manifest
        when = _utc(f.ts)
        evidence = Evidence(
            action=f.action.model_dump(mode="json") if f.action is not None else None,
            clause=f.clause, expected=f.expected, observed=f.observed, baseline=f.baseline,
            action_seq=state.seq if state.agent_id != PIPELINE_AGENT else None,
            event_ids=EventIds(first=[f.event_id]),
        )
        return Alert(
            alert_id=stable_id(f.agent_id, rule.id, f.event_id), agent_id=f.agent_id, rule_id=rule.id,
            title=rule.title, severity=f.level, score=f.score, message=f"{f.agent_id}: {f.message}",
            evidence=evidence, references=rule.references, first_seen=when, last_seen=when, count=1, status="open",
            recommended_response=self.config.recommended.get(f.level, "review"),
            owner=m.owner if m else None, enforcement=m.enforcement if m else None, runbook=rule.runbook,
        )

    def _final(self, w: Window) -> Alert:
        w.published_count = w.count
        ids = EventIds(first=list(w.first_ids), last=list(w.last_ids), omitted=w.n_ids - len(w.first_ids) - len(w.last_ids))
        ev = w.alert.evidence.model_copy(update={"observed_values": list(w.observed), "event_ids": ids})
        return w.alert.model_copy(update={"count": w.count, "last_seen": _utc(w.last_ts), "status": "final", "evidence": ev})

    @staticmethod
    def _observe(w: Window, f: Finding) -> None:
        if f.observed is not None and len(w.observed) < _MAX_OBSERVED:
            v = str(f.observed)
            if v not in w.observed:
                w.observed.append(v)

    # -- commands -----------------------------------------------------------------------
    def command(self, state: AgentState, action: CommandAction, f: Finding, alert_id: str) -> list[Output]:
        """Issue ``action`` for this agent once per epoch, unless the circuit breaker holds it."""
        if action in state.commands:
            return []
        creds = set(state.manifest.credentials) if state.manifest else set()
        if f.action is not None and f.action.credential_id:
            creds.add(f.action.credential_id)
        cmd = RevocationCommand(
            command_id=stable_id(state.agent_id, action, state.epoch), agent_id=state.agent_id, action=action,
            credential_ids=sorted(creds), reason=f.message, rule_id=f.rule.id, alert_ids=[alert_id], issued_at=_utc(f.ts),
        )
        cb = self.config.circuit_breaker
        recent, ids = self._recent_commands, self._recent_ids
        now = max(f.ts, self.clock)
        while recent and recent[0][0] <= now - cb.per_seconds:
            ids.discard(recent.popleft()[1])
        if cmd.command_id not in ids:
            if len(recent) >= cb.max_commands:
                return self._withhold(cmd, now)
            recent.append((now, cmd.command_id))
            ids.add(cmd.command_id)
        state.commands.add(action)
        if action == "revoke_credentials":  # a later use of these is misuse (credential.used_after_revocation)
            for c in cmd.credential_ids:
                state.revoked.setdefault(c, state.seq)
        return [self.sign(cmd) if self.sign is not None else cmd]

    def _withhold(self, cmd: RevocationCommand, ts: float) -> list[Output]:
        self.withheld += 1
        cb = self.config.circuit_breaker
        f = self.breaker.tripped(PIPELINE_AGENT, ts, cmd.command_id, cmd.action, cmd.agent_id, cb.max_commands,
                                 cb.per_seconds)
        # Aggregates like any alert, over the breaker's own interval: one alert, counted.
        out, _ = self._aggregate(f, self.pipeline, cb.per_seconds)
        return out

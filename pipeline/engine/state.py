"""What the engine keeps per agent: its intent in force, lifecycle status, counters,
pending lifecycle changes and open alert windows.

Small and flat on purpose: ``to_record`` / ``from_record`` give a JSON-able form the
streaming worker persists, and restoring it gives the same future outputs.
"""

import bisect
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from intentwatch.models.alert import Alert
from intentwatch.models.baseline import AgentBaseline
from intentwatch.models.intent import IntentManifest
from intentwatch.models.feedback import PENDING_ADAPTER, Feedback
from intentwatch.models.lifecycle import Decommission, Instantiate, Update
from intentwatch.pipeline.engine.definition_model import DefinitionModel
from intentwatch.pipeline.engine.suppressions import Suppression
from intentwatch.pipeline.engine.scope import Scope

Status = Literal["unregistered", "active", "expired", "decommissioned"]
LifecycleEvent = Instantiate | Update | Decommission


@dataclass(slots=True)
class Window:
    """One open (agent, rule) alert, or (agent, rule, session) for a rule grouped by session: hits inside
    the cooldown only count."""

    alert: Alert
    end_ts: float
    count: int = 1
    last_ts: float = 0.0
    published_count: int = 1
    closed: bool = False
    observed: list[str] = field(default_factory=list)
    first_ids: list[str] = field(default_factory=list)  # event ids of the first hits (bounded)
    last_ids: list[str] = field(default_factory=list)   # event ids of the latest hits after those (bounded)
    n_ids: int = 1                                      # distinct event ids counted (one event can hit a rule twice)

    def count_hit(self, event_id: str, keep: int) -> None:
        """Remember ``event_id`` among the first ``keep`` events, or else among the latest
        ``keep``; a second hit from the event just counted adds no id."""
        latest = self.last_ids[-1] if self.last_ids else self.first_ids[-1] if self.first_ids else None
        if event_id == latest:
            return
        self.n_ids += 1
        if len(self.first_ids) < keep:
            self.first_ids.append(event_id)
            return
        self.last_ids.append(event_id)
        if len(self.last_ids) > keep:
            del self.last_ids[0]

    def covers(self, ts: float) -> bool:
        """Whether a hit at ``ts`` falls inside the window (and is only counted into its alert)."""
        return ts < self.end_ts


_GROUPED = 64  # a rule grouped by session keeps at most this many windows an agent's other sessions closed


def window_key(rule_id: str, group_by: str, session: str | None) -> str:
    """The key of an alert window in ``AgentState.windows``: the rule's id, with the session's when the
    rule groups by session (``Rule.group_by``) and the action has one."""
    return f"{rule_id}@{session}" if group_by == "session" and session else rule_id


def forget_closed(windows: dict[str, Window], rule_id: str) -> None:
    """Drop the published, closed windows of ``rule_id``'s sessions past ``_GROUPED`` (oldest first)."""
    prefix = rule_id + "@"
    keys = [k for k in windows if k.startswith(prefix)]
    for k in keys[: max(0, len(keys) - _GROUPED)]:
        w = windows[k]
        if w.closed and w.count <= w.published_count:
            del windows[k]


@dataclass(slots=True)
class AgentState:
    agent_id: str
    status: Status = "unregistered"
    manifest: IntentManifest | None = None
    scope: Scope | None = None
    epoch: str = ""                    # event id of the lifecycle event in force
    lifecycle_ts: float | None = None  # its event time, to apply lifecycle in event-time order
    expires_ts: float | None = None
    seq: int = 0                       # actions seen for this agent, 1-based after the first
    last_ts: float = float("-inf")     # latest action time of this agent
    tokens: float = 0.0                # rate-limit token bucket
    tokens_ts: float = 0.0
    commands: set[str] = field(default_factory=set)  # command actions already issued this epoch
    pending: list[tuple[float, int, LifecycleEvent | Feedback]] = field(default_factory=list)  # (ts, arrival, event), sorted
    windows: dict[str, Window] = field(default_factory=dict)  # open alert windows by rule id
    checks: list = field(default_factory=list)        # the detectors this manifest gives work to (derived)
    # the learned side (pipeline/engine/behaviour.py)
    baseline: AgentBaseline | None = None
    drifting: bool = False                             # inside a reference-drift episode
    expanding: bool = False                            # scope expansion already reported this period
    held: list[list] = field(default_factory=list)     # [rule ids, features] held back from learning until a verdict
    volume_hits: list[float] = field(default_factory=list)  # times of the latest large transfers
    volume_run: float = 0.0                            # CUSUM (bits) of transfers above volume_sustained_sd
    chains: dict[str, list] = field(default_factory=dict)  # chain rule -> start time per completed step
    cred_last: dict[str, tuple[float, str]] = field(default_factory=dict)  # credential -> (time, network) last used
    revoked: dict[str, int] = field(default_factory=dict)  # credential -> action seq when its revocation was issued
    suppressions: list[Suppression] = field(default_factory=list)  # analysts' suppressions (pipeline/engine/suppressions.py)
    # de-duplication: event_id -> (time, content fingerprint) of recent actions, oldest first;
    # an action at or before seen_floor may have been forgotten, so it cannot be judged new
    seen: dict[str, tuple[float, int]] = field(default_factory=dict)
    seen_floor: float = float("-inf")
    detect: dict[str, Any] = field(default_factory=dict)  # JSON-able memory of detectors that need one (pipeline/engine/detectors)
    sessions: Any = None  # DefinitionModel of its sessions judged as instances (no definition: engine/definitions.py)

    def apply_manifest(self, manifest: IntentManifest, epoch: str, ts: float, expires_ts: float | None, checks: list) -> None:
        first = self.status != "active"
        self.manifest, self.scope, self.epoch = manifest, Scope(manifest), epoch
        self.checks = [d for d in checks if d.applies(self.scope)]
        self.status, self.lifecycle_ts, self.expires_ts = "active", ts, expires_ts
        self.commands = set()
        cap = self.scope.rate_capacity
        if cap is not None and (first or self.tokens > cap):
            self.tokens, self.tokens_ts = cap, ts

    def remember(self, event_id: str, ts: float, fingerprint: int, window: float, cap: int) -> None:
        """Note an action for de-duplication; forget the oldest past ``window`` seconds before the
        agent's latest action or beyond ``cap`` ids, raising ``seen_floor`` to their time."""
        seen = self.seen
        seen[event_id] = (ts, fingerprint)
        horizon = self.last_ts - window
        while seen:
            oldest, t = "", 0.0
            for oldest, entry in seen.items():  # the first: compiled, a dict walk (no iterator call, no lookup)
                t = entry[0]
                break
            if len(seen) <= cap and t >= horizon:
                break
            del seen[oldest]
            if t > self.seen_floor:
                self.seen_floor = t

    def add_pending(self, ts: float, arrival: int, ev: LifecycleEvent | Feedback) -> None:
        bisect.insort(self.pending, (ts, arrival, ev), key=lambda p: (p[0], p[1]))

    # -- persistence --------------------------------------------------------------------
    def to_record(self) -> dict[str, Any]:
        """A JSON-able snapshot; derived parts (compiled scope, detector list) are rebuilt on restore."""
        return {
            "agent_id": self.agent_id, "status": self.status,
            "manifest": self.manifest.model_dump(mode="json") if self.manifest else None,
            "epoch": self.epoch, "lifecycle_ts": self.lifecycle_ts, "expires_ts": self.expires_ts,
            "seq": self.seq, "last_ts": self.last_ts if self.last_ts != float("-inf") else None,
            "tokens": self.tokens, "tokens_ts": self.tokens_ts, "commands": sorted(self.commands),
            "pending": [[ts, n, ev.model_dump(mode="json")] for ts, n, ev in self.pending],
            "windows": {rule: {"alert": w.alert.model_dump(mode="json"), "end_ts": w.end_ts, "count": w.count,
                               "last_ts": w.last_ts, "published_count": w.published_count, "closed": w.closed,
                               "observed": w.observed, "first_ids": w.first_ids, "last_ids": w.last_ids, "n_ids": w.n_ids}
                        for rule, w in self.windows.items()},
            "baseline": self.baseline.to_state() if self.baseline is not None else None,
            "drifting": self.drifting, "expanding": self.expanding, "held": self.held, "volume_hits": self.volume_hits,
            "volume_run": self.volume_run, "chains": self.chains,
            "cred_last": {c: list(v) for c, v in self.cred_last.items()}, "revoked": self.revoked,
            "suppressions": [s.to_record() for s in self.suppressions],
            "seen": [[e, t, fp] for e, (t, fp) in self.seen.items()],
            "seen_floor": self.seen_floor if self.seen_floor != float("-inf") else None,
            "detect": self.detect,
            "sessions": self.sessions.to_record() if self.sessions is not None else None,
        }

    @classmethod
    def from_record(cls, r: dict[str, Any], checks: list) -> "AgentState":
        st = cls(r["agent_id"])
        st.status, st.epoch = r["status"], r["epoch"]
        st.lifecycle_ts, st.expires_ts, st.seq = r["lifecycle_ts"], r["expires_ts"], r["seq"]
        st.last_ts = r["last_ts"] if r["last_ts"] is not None else float("-inf")
        st.tokens, st.tokens_ts, st.commands = r["tokens"], r["tokens_ts"], set(r["commands"])
        if r["manifest"] is not None:
            st.manifest = IntentManifest.model_validate(r["manifest"])
            st.scope = Scope(st.manifest)
            st.checks = [d for d in checks if d.applies(st.scope)]
        st.pending = [(ts, n, PENDING_ADAPTER.validate_python(ev)) for ts, n, ev in r["pending"]]
        st.windows = {rule: Window(Alert.model_validate(w["alert"]), w["end_ts"], w["count"], w["last_ts"],
                                   w["published_count"], w["closed"], list(w["observed"]),
                                   list(w.get("first_ids", ())), list(w.get("last_ids", ())), w.get("n_ids", w["count"]))
                      for rule, w in r["windows"].items()}
        if r.get("baseline") is not None:
            st.baseline = cast(AgentBaseline, AgentBaseline.from_state(r["baseline"]))
        st.drifting, st.expanding = r.get("drifting", False), r.get("expanding", False)
        st.held, st.chains, st.revoked = r.get("held", []), r.get("chains", {}), r.get("revoked", {})
        st.volume_hits, st.volume_run = r.get("volume_hits", []), r.get("volume_run", 0.0)
        st.cred_last = {c: (v[0], v[1]) for c, v in r.get("cred_last", {}).items()}
        st.suppressions = [Suppression.from_record(x) for x in r.get("suppressions", [])]
        st.seen = {e: (t, fp) for e, t, fp in r.get("seen", [])}
        floor = r.get("seen_floor")
        st.seen_floor = floor if floor is not None else float("-inf")
        st.detect = r.get("detect", {})
        if r.get("sessions") is not None:
            st.sessions = DefinitionModel.from_record(r["sessions"])
        return st

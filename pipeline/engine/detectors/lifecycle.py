"""Gates: the agent should not be acting at all (no manifest, decommissioned, expired)."""

from datetime import datetime, timezone

from intentwatch.models.action import Action
from intentwatch.pipeline.engine.detectors.base import Detector, Finding
from intentwatch.pipeline.engine.state import AgentState


class Unregistered(Detector):
    """Fires when an agent with no manifest on record acts (a shadow agent)."""

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if state.status != "unregistered":
            return None
        return self.finding(action, ts, f"agent {action.agent_id!r} has no intent manifest", clause="registration",
                            expected="a registered manifest", observed="none")


class Decommissioned(Detector):
    """Fires on any action after a decommission event (a zombie)."""

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if state.status != "decommissioned":
            return None
        since = datetime.fromtimestamp(state.lifecycle_ts or 0, timezone.utc).isoformat()
        return self.finding(action, ts, f"acted after decommission at {since}", clause="lifecycle",
                            expected=f"no actions after {since}", observed=action.time.isoformat())


class Expired(Detector):
    """Fires on any action at or after the manifest's expiry (the engine expires the agent first)."""

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if state.status != "expired" or state.expires_ts is None or ts < state.expires_ts:
            return None
        until = datetime.fromtimestamp(state.expires_ts or 0, timezone.utc).isoformat()
        return self.finding(action, ts, f"acted after its intent expired at {until}", clause="expires_at",
                            expected=f"before {until}", observed=action.time.isoformat())

"""Lifecycle: gates (the agent should not be acting at all: no manifest, decommissioned,
expired), checks of each manifest change, and the expiry timer."""

from datetime import datetime, timezone

from intentwatch.models.action import Action
from intentwatch.models.command import CommandAction
from intentwatch.models.intent import IntentManifest
from intentwatch.models.errors import ConfigError
from intentwatch.models.lifecycle import Instantiate, Update
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import Detector, Raised
from intentwatch.pipeline.engine.detectors.cloud_calls import console_session
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState


class Unregistered(Detector):
    """Fires when an agent with no manifest on record acts (a shadow agent). A call made in the AWS
    console (``console_session``) is a person's, not an agent's: not judged unless
    ``params.console_sessions`` (the cloud catalogue judges it all the same)."""

    def __init__(self, rule: Rule):
        super().__init__(rule)
        console = rule.params.get("console_sessions", False)
        if not isinstance(console, bool):
            raise ConfigError(f"rule {rule.id}: params.console_sessions must be true or false (got {console!r})")
        self.console = console

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if state.status != "unregistered" or (not self.console and console_session(action)):
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


class ChangeCheck(Raised):
    """A check of a manifest as it comes into force (instantiate or update)."""

    def check_change(self, st: AgentState, ev: Instantiate | Update, m: IntentManifest, ts: float) -> Finding | None:
        raise NotImplementedError


class UnapprovedUpdate(ChangeCheck):
    """Fires when an update widens or changes the intent with no approver named."""

    def check_change(self, st: AgentState, ev: Instantiate | Update, m: IntentManifest, ts: float) -> Finding | None:
        if not isinstance(ev, Update) or ev.approved_by:
            return None
        return self.raise_(st.agent_id, ts, ev.event_id, f"intent updated by {ev.actor or 'unknown'} with no approver",
                           clause="approved_by", expected="an approver", observed=None)


class Ownerless(ChangeCheck):
    """Fires when a manifest names no accountable owner."""

    def check_change(self, st: AgentState, ev: Instantiate | Update, m: IntentManifest, ts: float) -> Finding | None:
        if m.owner is not None and m.owner.strip():
            return None
        return self.raise_(st.agent_id, ts, ev.event_id, "manifest names no owner", clause="owner",
                           expected="an accountable owner", observed=None)


class ExpiryReached(Raised):
    """Raised by the expiry timer when a manifest's expiry passes (event time in replay, the
    worker's clock for quiet agents); carries the configured expiry command."""

    def expired(self, st: AgentState, ts: float, command: CommandAction | None) -> Finding:
        return self.raise_(st.agent_id, ts, f"expiry:{st.epoch}", "intent expired", clause="expires_at",
                           expected=None, observed=None, command=command)


class UnauthorisedChange(Raised):
    """Raised when a control-plane change (lifecycle event, manifest, verdict) is unsigned, badly
    signed or not allowed to its signer by the trust file (``pipeline/engine/trust.py``): refused
    under ``trust.mode: enforce``, applied with this alert under ``warn``."""

    def refused(self, st: AgentState, ts: float, event_id: str, kind: str, verdict: str, why: str,
                signer: str | None) -> Finding:
        return self.raise_(st.agent_id, ts, event_id, f"{kind} {event_id} {verdict}: {why}", clause="trust",
                           expected="signed by a principal the trust file allows",
                           observed=f"key {signer}" if signer else "unsigned")

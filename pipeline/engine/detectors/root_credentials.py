"""The account's root user at work (``credential.root_used``), judged from its first call.

Root credentials can do everything and are meant for the few tasks only they can do; AWS's
guidance, the CIS AWS Foundations benchmark's metric filter and GuardDuty's
``Policy:IAMUser/RootCredentialUsage`` all treat any root request as worth a look. A call counts
when CloudTrail's ``userIdentity.type`` is ``Root``, no AWS service made it for the caller
(``invokedBy``, an ``AwsServiceEvent``; the console's own ``signin.amazonaws.com``, under which
root's console session creates an access key, is root at work), whatever its outcome (a refused
request was still signed with root's credentials). The console sign-in itself is
``cloud.console_sign_in_unprotected``'s; what the session does next is this rule's (the
responder folds a session's calls into one alert per hour). A break-glass administrator whose
manifest declares the call (as for the catalogue rules) is quiet. A read or a list is raised at
medium (an owner looking around the console as root: visible, not paging); a call that changes
something at the rule's severity.
"""

from intentwatch.models.action import Action
from intentwatch.pipeline.engine.detectors.base import READS, Detector
from intentwatch.pipeline.engine.detectors.cloud_calls import cloud_call, declared, record_values, user_identity
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState


_ROOTS_OWN = (None, "", "signin.amazonaws.com")  # invokedBy of a call root made itself


class RootCredentials(Detector):
    """Fires on a request the root user made itself."""

    watches_every_identity = True

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        a = action.attributes
        if not a or "userIdentity" not in a:
            return None
        ui = user_identity(action)
        if ui.get("type") != "Root" or ui.get("invokedBy") not in _ROOTS_OWN:
            return None
        call = cloud_call(action)
        if call is None or call == "signin:consolelogin" or declared(state, action.tool):
            return None
        kind = record_values(action, "eventType")
        if kind and kind[0] == "AwsServiceEvent":
            return None
        return self.finding(action, ts, f"{action.tool} called with the account's root credentials",
                            clause="identity.type", expected="an IAM role or user", observed="Root",
                            baseline={"attack": "T1078.004"},
                            severity="medium" if action.operation in READS else None)  # type: ignore[arg-type]

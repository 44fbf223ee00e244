"""An agent's identity used by a person at the AWS console (``credential.human_use``; OWASP's
Non-Human Identities Top 10, NHI10 Human Use of NHI).

An agent calls AWS through an SDK. A call of its identity made in the console is a person at a
browser holding the agent's credentials: a developer borrowing the agent's role (who acted is lost
to its owner and its audit trail), or someone who took them over and turned the key into a
console session (``sts:GetFederationToken`` and the sign-in endpoint), where the key no longer
shows. Judged on agents with a manifest (a person at the console with no manifest is not a shadow
agent either: ``lifecycle.shadow_agent``). The signal is AWS's own (``sessionCredentialFromConsole``,
a console sign-in) or a browser's or console's user agent; ``AWS Internal`` alone is not taken
(services write it for calls they make for the caller), nor a call an AWS service made. A read
or a list is raised at medium; a call that changes something at the rule's severity.
"""

from intentwatch.models.action import Action
from intentwatch.pipeline.engine.detectors.base import READS, Detector
from intentwatch.pipeline.engine.detectors.cloud_calls import console_signal, service_made
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState


class HumanUse(Detector):
    """Fires on an agent's call made in an AWS console session."""

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        a = action.attributes
        if not a or "userIdentity" not in a:  # CloudTrail's records only: a browsing agent's spans carry browsers' user agents
            return None
        signal = console_signal(action, internal=False)
        if signal is None or service_made(action):
            return None
        return self.finding(action, ts, f"{action.tool} called in an AWS console session with the agent's identity ({signal})",
                            clause="identity", expected="the agent's own clients (an SDK)", observed=signal,
                            baseline={"attack": "T1078.004"},
                            severity="medium" if action.operation in READS else None)  # type: ignore[arg-type]

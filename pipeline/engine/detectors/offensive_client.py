"""A call made from an attacker's toolbox (``credential.offensive_client``), from an identity's first call.

Two signs in the call's user agent (CloudTrail's ``userAgent``; ``user_agent.original`` in OTel):

- a penetration-testing distribution named where SDKs and CLIs print the platform they run on:
  the kernel release (``Linux/6.5.0-kali3-amd64``, ``Linux/6.1.0-13parrot1-amd64``), ``os/``,
  ``exe/``, ``md/distrib#`` tokens. GuardDuty raises ``PenTest:IAMUser/KaliLinux``,
  ``ParrotLinux`` and ``PentooLinux`` on the same sign;
- an attack tool that signs its calls (Stratus Red Team: ``stratus-red-team_<detonation id>``).

A user agent is the caller's to choose, so its absence proves nothing (Pacu rewrites a Kali one);
its presence is a stolen or tester's key at work. Sanctioned testers (``sanctioned`` agent id
patterns) are quiet; an analyst's false-positive verdict quiets one identity as for any rule.
"""

import re
from fnmatch import fnmatchcase
from typing import Final

from intentwatch.models.action import Action
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import Detector
from intentwatch.pipeline.engine.detectors.cloud_calls import user_agent
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.params import OffensiveClientParams, validated
from intentwatch.pipeline.engine.state import AgentState

_PLATFORM: Final = ("linux/", "os/", "exe/", "md/distrib", "distrib#")  # tokens where a client names its platform


class OffensiveClient(Detector):
    """Fires on a call whose user agent names a penetration-testing distribution or an attack tool."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        p = validated(rule, OffensiveClientParams)
        names = "|".join(re.escape(d.lower()) for d in p.distributions)
        self.distribution = re.compile(rf"(?<![a-z])({names})(?![a-z])")
        self.tools = [t.lower() for t in p.tools]
        self.sanctioned = p.sanctioned
        self._seen: dict[str, str | None] = {}  # user agent -> what it names (a fleet has few distinct ones)

    def _names(self, ua: str) -> str | None:
        low = ua.lower()
        for t in self.tools:
            if t in low:
                return t.strip("_/ ")
        for token in low.split():
            if token.startswith(_PLATFORM):
                m = self.distribution.search(token)
                if m is not None:
                    return m.group(1)
        return None

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if not action.attributes:
            return None
        ua = user_agent(action)
        if ua is None:
            return None
        what = self._seen.get(ua, "")
        if what == "":
            what = self._names(ua)
            if len(self._seen) < 4096:
                self._seen[ua] = what
        if what is None or any(fnmatchcase(action.agent_id, p) for p in self.sanctioned):
            return None
        return self.finding(action, ts, f"{action.tool} called with an offensive client: its user agent names {what!r} ({ua[:200]})",
                            clause="identity.client", expected="the identity's own clients", observed=ua[:300],
                            baseline={"names": what})

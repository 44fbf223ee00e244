"""A key being tried: one identity refused on many calls, or sweeping the account with discovery
calls, within minutes (``cloud.discovery_burst``). Judged from the first call of an identity with
no history, like the catalogue rules in ``cloud.py`` (``watches_every_identity``).

Four signs, any of them, within ``within_seconds``:

- refused on ``min_calls`` distinct calls (a stolen key asked what it may do: enumerate-iam,
  Pacu, a least-privilege role probed from a compromised instance);
- refused on one management call against ``min_targets`` distinct targets
  (``ec2:GetPasswordData`` on many instances);
- ``min_recon`` distinct account-wide discovery calls (``recon``, allowed or not) across
  ``min_recon_services`` services, one of them asking who is in the account (``whoami``: ListUsers,
  GetAccountAuthorizationDetails...; an inventory tool lists resources, not the account's people);
- one recon call, or one of ``region_calls``, made in ``min_regions`` distinct regions, allowed
  or not (a stolen key checked region by region for the Bedrock models it can invoke; a workload
  lives in a region or two).

Benign refusals are kept quiet by what they look like: a workload missing one permission retries
the same call (one distinct call); an infrastructure-as-code plan is refused on a few reads; calls
an AWS service makes for the caller or as itself (``invokedBy``, ``AWSService``, a service-linked role) and console sessions (the
console probes features on every page, refused or not) are not counted; nor are calls the agent's
manifest declares (``declared``). Once per burst: quiet for a window after it fires.
"""

import json
from typing import Any, Final

from intentwatch.models.action import Action
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import Detector
from intentwatch.pipeline.engine.detectors.cloud_calls import cloud_call, console_session, declared, record_values, \
    service_made
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.params import DiscoveryBurstParams, validated
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.toolcall import arguments

_MEMORY: Final = 512  # distinct probes remembered per identity within the window (the least recently seen go first)
_DATA_CALLS: Final = frozenset({"s3:getobject", "s3:putobject", "s3:deleteobject", "s3:headobject", "s3:copyobject",
                                "s3:deleteobjects", "lambda:invoke", "dynamodb:getitem", "dynamodb:putitem", "dynamodb:query"})


def _lower_key(call: str) -> str:
    svc, _, name = call.partition(":")
    return f"{svc}:{name.lower()}"


def _for_the_caller_or_console(action: Action) -> bool:
    """A call an AWS service made for the caller, or one from a console session (``console_session``)."""
    return service_made(action) or console_session(action)


def _note(seen: list[list[Any]], ts: float, kind: str, call: str, what: str) -> None:
    """Remember a probe. The signs count distinct probes, so one already remembered moves to the end
    with its latest time instead of being kept twice: a scanner describing the same three things every
    second is three entries, not 512 walked on each call."""
    for i, s in enumerate(seen):
        if s[3] == what and s[2] == call and s[1] == kind:
            del seen[i]
            seen.append([max(ts, s[0]), kind, call, what])
            return
    seen.append([ts, kind, call, what])


def _is_data_event(action: Action, key: str) -> bool:
    cat = record_values(action, "eventCategory")
    return key in _DATA_CALLS or bool(cat and str(cat[0]) == "Data")


def _target(action: Action) -> str:
    if action.resource:
        return action.resource
    args = arguments(action)
    return json.dumps(args, sort_keys=True, default=str)[:256] if args else ""


class DiscoveryBurst(Detector):
    """Fires once per burst when one identity is refused on many calls or sweeps the account with
    discovery calls (module docstring). Evidence: which sign, the calls, the window."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        p: DiscoveryBurstParams = validated(rule, DiscoveryBurstParams)
        self.within, self.min_calls, self.min_targets = p.within_seconds, p.min_calls, p.min_targets
        self.recon = {_lower_key(c) for c in p.recon}
        self.whoami = {_lower_key(c) for c in p.whoami}
        self.min_recon, self.min_services = p.min_recon, p.min_recon_services
        self.region_calls, self.min_regions = {_lower_key(c) for c in p.region_calls}, p.min_regions

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        key = cloud_call(action)
        if key is None:
            return None
        denied, recon, regional = action.outcome == "denied", key in self.recon, key in self.region_calls
        if not (denied or recon or regional) or _for_the_caller_or_console(action) or declared(state, action.tool):
            return None
        # [time, kind, call, target or region], oldest first; kinds: "D" a refused management call (its
        # targets count), "d" a refused data call, "r" a recon call, "g" a region call
        seen: list[list[Any]] = state.detect.setdefault("probes", [])
        seen[:] = [s for s in seen if ts - s[0] <= self.within]
        if denied:
            _note(seen, ts, "d" if _is_data_event(action, key) else "D", key, _target(action))
        if recon or regional:
            region = record_values(action, "awsRegion")
            _note(seen, ts, "r" if recon else "g", key, str(region[0])[:64] if region else "")
        del seen[: max(0, len(seen) - _MEMORY)]
        if state.detect.get("probes_until", float("-inf")) >= ts:
            return None
        found = self._sign(seen)
        if found is None:
            return None
        sign, observed, calls = found
        state.detect["probes_until"] = ts + self.within
        return self.finding(action, ts, f"{sign} within {self.within:g}s", clause="identity.probing",
                            expected=self._expected(sign), observed=observed,
                            baseline={"attack": "T1580" if sign.startswith(("account", "region")) else "T1526", "sign": sign,
                                      "calls": calls[:12]})

    def _sign(self, seen: list[list[Any]]) -> tuple[str, int, list[str]] | None:
        refused = sorted({s[2] for s in seen if s[1] in ("d", "D")})
        if len(refused) >= self.min_calls:
            return f"refused on {len(refused)} distinct calls", len(refused), refused
        targets: dict[str, set[str]] = {}
        for s in seen:
            if s[1] == "D":
                targets.setdefault(s[2], set()).add(s[3])
        for call, tset in targets.items():
            if len(tset) >= self.min_targets:
                return f"refused on {call} against {len(tset)} targets", len(tset), [call]
        swept = sorted({s[2] for s in seen if s[1] == "r"})
        services = {c.split(":", 1)[0] for c in swept}
        if len(swept) >= self.min_recon and len(services) >= self.min_services and self.whoami.intersection(swept):
            return f"account-wide discovery: {len(swept)} distinct calls across {len(services)} services", len(swept), swept
        regions: dict[str, set[str]] = {}
        for s in seen:
            if s[1] in ("r", "g") and s[3]:
                regions.setdefault(s[2], set()).add(s[3])
        for call, rset in regions.items():
            if len(rset) >= self.min_regions:
                return f"region sweep: {call} in {len(rset)} regions", len(rset), [call, *sorted(rset)]
        return None

    def _expected(self, sign: str) -> str:
        if sign.startswith("refused on") and "against" in sign:
            return f"< {self.min_targets} refused targets of one call"
        if sign.startswith("refused"):
            return f"< {self.min_calls} distinct refused calls"
        if sign.startswith("region"):
            return f"< {self.min_regions} regions for one call"
        return f"< {self.min_recon} distinct discovery calls across {self.min_services} services"

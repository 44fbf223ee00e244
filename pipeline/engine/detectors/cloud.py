"""Cloud identity abuse judged from the first call: no warm-up, no baseline.

These detectors watch every identity that acts, registered or not (a CloudTrail principal
usually has no manifest), so the engine runs them before the lifecycle gates
(``watches_every_identity``). What they read:

- the call, as ``service:EventName`` from CloudTrail's ``eventSource``/``eventName`` in
  ``attributes``, else from the tool name (``cloudtrail:StopLogging``,
  ``cloudtrail.amazonaws.com:StopLogging``, ``cloudtrail.amazonaws.com/StopLogging``);
- the request parameters (``attributes["arguments"]`` or ``["requestParameters"]``);
- the identity around the call: ``attributes`` ``userIdentity`` (CloudTrail's), or flat
  ``user_name`` / ``arn`` / ``account_id`` / ``recipient_account_id`` / ``user_agent``.

``CloudOperation`` fires on one catalogue call (``params.calls``: call, ATT&CK technique,
optional condition on the parameters). Benign administration is kept quiet by intent: an
agent whose manifest declares the call (``declared``: named in ``allowed.tools``, or a
``allowed.per_tool`` clause for it, as an infrastructure-as-code runner or a break-glass admin
declares ``iam.amazonaws.com:*``) raises nothing here; the intent rules still judge it.
"""

import bisect
import fnmatch
import ipaddress
import json
import re
from pathlib import Path
from typing import Any

from intentwatch.models.action import Action
from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import Detector
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.params import (BurstParams, CatalogueCall, CloudCalls, NewClientParams, ProviderParams,
                                               TwoNetworksParams, When, validated)
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.toolcall import arguments, at_path, nodes_at

_SERVICE_SUFFIX = ".amazonaws.com"
_CALL_CACHE_LIMIT = 65536
_calls: dict[str, str | None] = {}  # tool name -> "service:eventname" (lower case), or None


class _Last:
    """The last action asked about and its call key (seven catalogue rules ask about each action)."""

    __slots__ = ("action", "key")

    def __init__(self) -> None:
        self.action: Action | None = None
        self.key: str | None = None


_last = _Last()


def cloud_call(action: Action) -> str | None:
    """``service:eventname`` in lower case, or None for a tool that names no cloud call (memoised per action)."""
    if _last.action is not action:
        _last.key = _cloud_call(action)
        _last.action = action
    return _last.key


def _cloud_call(action: Action) -> str | None:
    """``service:eventname`` in lower case, or None for a tool that names no cloud call.

    >>> from tests.factories import action
    >>> [cloud_call(action(tool=t)) for t in ("cloudtrail:StopLogging", "iam.amazonaws.com/CreateUser", "zendesk.get_ticket")]
    ['cloudtrail:stoplogging', 'iam:createuser', None]
    """
    attrs = action.attributes
    if attrs:
        src, name = attrs.get("eventSource"), attrs.get("eventName")
        if isinstance(src, str) and isinstance(name, str):
            return _key(src, name)
    tool = action.tool
    try:
        return _calls[tool]
    except KeyError:
        pass
    sep = max(tool.rfind(":"), tool.rfind("/"))
    key = _key(tool[:sep], tool[sep + 1:]) if sep > 0 else None
    if len(_calls) < _CALL_CACHE_LIMIT:
        _calls[tool] = key
    return key


_API_VERSION = re.compile(r"\d{8}(v\d+)?$")  # Lambda logs AddPermission20150331v2


def _key(service: str, name: str) -> str | None:
    service = service.strip().lower()
    name = _API_VERSION.sub("", name)
    if service.endswith(_SERVICE_SUFFIX):
        service = service[: -len(_SERVICE_SUFFIX)]
    if not service or not name or not re.fullmatch(r"[a-z0-9\-]+", service) or not re.fullmatch(r"[A-Za-z0-9]+", name):
        return None
    return f"{service}:{name.lower()}"


def _identity(action: Action) -> dict[str, Any]:
    ui = action.attributes.get("userIdentity")
    return ui if isinstance(ui, dict) else {}


def own_account(action: Action) -> str | None:
    """The account the call was made in (CloudTrail's ``recipientAccountId``, else the caller's)."""
    a = action.attributes
    for v in (a.get("recipientAccountId"), a.get("recipient_account_id"), a.get("account_id"), _identity(action).get("accountId")):
        if isinstance(v, str) and v:
            return v
    return None


def caller_names(action: Action) -> set[str]:
    """Names the caller goes by: agent id, user name, the last part of its ARN (lower case)."""
    a, ui = action.attributes, _identity(action)
    names = {action.agent_id.lower()}
    for v in (action.agent_id, a.get("user_name"), a.get("userName"), ui.get("userName"), a.get("arn"), ui.get("arn")):
        if isinstance(v, str) and v:
            names.add(v.rsplit("/", 1)[-1].lower())
    return names


def user_agent(action: Action) -> str | None:
    a = action.attributes
    for k in ("user_agent", "userAgent", "user_agent.original"):
        v = a.get(k)
        if isinstance(v, str) and v:
            return v
    return None


# -- conditions on a call's parameters ----------------------------------------------------

def _policy(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    st = policy.get("Statement", [])
    st = st if isinstance(st, list) else [st]
    return [s for s in st if isinstance(s, dict) and s.get("Effect", "Allow") == "Allow"]


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


# Conditions that tie a public principal to the owner's organisation, account or network.
_SCOPING_KEYS = ("aws:principalorgid", "aws:sourceaccount", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce",
                 "aws:principalaccount", "aws:sourceowner", "aws:principalorgpaths", "aws:sourceip")


def _outsiders(policy: dict[str, Any], account: str | None) -> list[str]:
    """Principals of Allow statements outside ``account``: ``*`` (unless a condition scopes it to
    the organisation, an account or a network) or another account (any account when ``account`` is unknown)."""
    out: list[str] = []
    for s in _statements(policy):
        p = s.get("Principal")
        if isinstance(p, dict):  # a service principal (lambda.amazonaws.com) or a federation is not an outsider here
            values = [x for k, v in p.items() if k not in ("Service", "Federated") for x in _as_list(v)]
        else:
            values = [p]
        cond = json.dumps(s.get("Condition", {})).lower()
        for v in values:
            if not isinstance(v, str):
                continue
            if v == "*":
                if not any(k in cond for k in _SCOPING_KEYS):
                    out.append(v)
                continue
            m = re.search(r"(?:^|:)(\d{12})(?::|$)", v)
            if m and m.group(1) != account:
                out.append(v)
    return out


def _admin(policy: dict[str, Any]) -> bool:
    """An Allow statement of every action on every resource."""
    for s in _statements(policy):
        if "NotAction" in s:
            continue
        acts = {str(a) for a in _as_list(s.get("Action", []))}
        res = {str(r) for r in _as_list(s.get("Resource", []))}
        if acts & {"*", "*:*"} and "*" in res:
            return True
    return False






def _check_when(w: When, action: Action, args: dict[str, Any] | None) -> str | None:
    """What made the condition hold (for evidence), or None if it does not."""
    if args is None:
        return None
    seen: list[str] = []
    for path in w.present:
        vals = at_path(args, tuple(path.split(".")))
        if not vals:
            return None
        seen.append(f"{path}={vals[:3]}")
    for path, pats in w.matches.items():
        vals = at_path(args, tuple(path.split("."))) or []
        hit = next((v for v in vals if any(fnmatch.fnmatchcase(str(v).lower(), p.lower()) for p in pats)), None)
        if hit is None:
            return None
        seen.append(f"{path}={hit}")
    if w.policy_opens is not None:
        doc = _policy((nodes_at(args, tuple(w.policy_opens.split("."))) or [None])[0])
        who = _outsiders(doc, own_account(action)) if doc is not None else []
        if not who:
            return None
        seen.append(f"{w.policy_opens} allows {sorted(set(who))[:3]}")
    if w.policy_admin is not None:
        doc = _policy((nodes_at(args, tuple(w.policy_admin.split("."))) or [None])[0])
        if doc is None or not _admin(doc):
            return None
        seen.append(f"{w.policy_admin} allows * on *")
    if w.other_identity is not None:
        vals = at_path(args, tuple(w.other_identity.split(".")))
        if not vals or str(vals[0]).lower() in caller_names(action):
            return None
        seen.append(f"{w.other_identity}={vals[0]} (caller {action.agent_id})")
    return "; ".join(seen) or "call"




def declared(state: AgentState, tool: str) -> bool:
    """Whether the manifest declares this call as its own work: a pattern in ``allowed.tools`` that
    names the call (its part after the service is not a bare ``*``: ``iam:CreateAccessKey``,
    ``cloudtrail:*Logging``), or any ``allowed.per_tool`` clause pattern matching it (an
    infrastructure-as-code runner declaring ``iam.amazonaws.com:*`` with a clause). A service-wide
    ``s3:*`` in ``allowed.tools`` says the agent uses S3, not that it opens buckets to the world."""
    m = state.manifest
    if m is None:
        return False
    for p in m.allowed.per_tool or {}:
        if fnmatch.fnmatchcase(tool, p):
            return True
    for p in m.allowed.tools or []:
        sep = max(p.rfind(":"), p.rfind("/"))
        name = p[sep + 1:] if sep >= 0 else p
        if name.strip("*?") and fnmatch.fnmatchcase(tool, p):
            return True
    return False




class CloudOperation(Detector):
    """Fires on a successful catalogue call (``params.calls``) whose condition holds, by any identity
    whose manifest does not declare the call (``declared``). Evidence: the call, its ATT&CK technique, what held."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        p: CloudCalls = validated(rule, CloudCalls)
        self.calls: dict[str, list[CatalogueCall]] = {}
        for c in p.calls:
            svc, name = c.call.split(":")
            self.calls.setdefault(f"{svc}:{name.lower()}", []).append(c)

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        key = cloud_call(action)
        if key is None:
            return None
        entries = self.calls.get(key)
        if entries is None or action.outcome != "success" or declared(state, action.tool):
            return None
        args = arguments(action)
        for c in entries:
            why = _check_when(c.when, action, args) if c.when is not None else "call"
            if why is None:
                continue
            return self.finding(action, ts, f"{c.call}: {c.what} ({c.attack})", clause="cloud.catalogue",
                                expected="declared in allowed.tools", observed=c.call,
                                baseline={"attack": c.attack, "call": c.call, "matched": why})
        return None


# -- the identity around the call --------------------------------------------------------

_INSTANCE = re.compile(r"(?:^|[/:])i-[0-9a-f]{8,17}(?:$|[/:])")


_instance_ids: dict[str, bool] = {}


def is_instance_identity(action: Action) -> bool:
    """Credentials an instance got from its metadata service: CloudTrail's ``ec2RoleDelivery``, or a
    role session named by an instance id (``.../assumed-role/Role/i-0abc...``)."""
    a = action.attributes
    if not a or ("userIdentity" not in a and "arn" not in a and not a.get("ec2RoleDelivery")):
        # the agent id alone decides (no identity in the attributes): remembered per id
        hit = _instance_ids.get(action.agent_id)
        if hit is None:
            hit = _INSTANCE.search(action.agent_id) is not None
            if len(_instance_ids) < 65536:
                _instance_ids[action.agent_id] = hit
        return hit
    ui = _identity(action)
    ctx = ui.get("sessionContext")
    if a.get("ec2RoleDelivery") or (isinstance(ctx, dict) and ctx.get("ec2RoleDelivery")):
        return True
    for v in (action.agent_id, a.get("arn"), ui.get("arn"), ui.get("principalId")):
        if isinstance(v, str) and _INSTANCE.search(v):
            return True
    return False


_ip_cache: dict[str, Any] = {}
_net_cache: dict[str, str | None] = {}


def _address(source: str | None) -> Any:
    """The IP address of a source, or None for a service name (``ec2.amazonaws.com``, ``AWS Internal``)."""
    if not source:
        return None
    try:
        return _ip_cache[source]
    except KeyError:
        pass
    try:
        ip: Any = ipaddress.ip_address(source)
    except ValueError:
        ip = None
    if len(_ip_cache) < 65536:
        _ip_cache[source] = ip
    return ip


def network(source: str | None) -> str | None:
    """/24 of an IPv4 address, /48 of an IPv6 one; None for a service name.

    >>> network("203.0.113.9"), network("2001:db8:1:2::1"), network("AWS Internal")
    ('203.0.113.0/24', '2001:db8:1::/48', None)
    """
    if not source:
        return None
    net = _net_cache.get(source, "")
    if net == "":
        ip = _address(source)
        net = None if ip is None else str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}", strict=False))
        if len(_net_cache) < 65536:
            _net_cache[source] = net
    return net


def client_family(ua: str | None) -> str | None:
    """The client family of a user agent: its first product token, without version, lower case.

    >>> [client_family(u) for u in ("aws-cli/2.15.0 Python/3.11", "Boto3/1.34.1 md/Botocore#1.34.1", "[aws-sdk-go/1.44]", None)]
    ['aws-cli', 'boto3', 'aws-sdk-go', None]
    """
    if not ua:
        return None
    m = re.match(r"[\s\[]*([A-Za-z][A-Za-z0-9_.\-]*)", ua)
    return m.group(1).lower() if m else None




class IdentityTwoNetworks(Detector):
    """Fires when one instance identity (or a role session named in ``identities``) acts from two
    networks within ``within_seconds``: one machine has one location, so the second is a copy of
    its credentials. Service-made calls (no address) are not counted."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        p: TwoNetworksParams = validated(rule, TwoNetworksParams)
        self.within, self.identities = p.within_seconds, p.identities

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if action.source_ip is None or not (is_instance_identity(action) or
                                            any(fnmatch.fnmatchcase(action.agent_id, p) for p in self.identities)):
            return None
        net = network(action.source_ip)
        if net is None:
            return None
        seen: dict[str, list] = state.detect.setdefault("nets", {})  # network -> [last time, credential]
        other = next(((n, v) for n, v in seen.items() if n != net and abs(ts - v[0]) <= self.within), None)
        seen[net] = [ts, action.credential_id]
        if len(seen) > 8:
            del seen[min(seen, key=lambda n: seen[n][0])]
        if other is None:
            return None
        n0, (t0, c0) = other
        return self.finding(action, ts, f"acted from {net} {ts - t0:.0f}s after acting from {n0} "
                            f"(credentials {c0} and {action.credential_id})", clause="identity.network",
                            expected=n0, observed=net, baseline={"attack": "T1552.005", "first_network": n0,
                                                                 "first_credential": c0, "seconds_apart": round(ts - t0, 3)})




def load_ranges(path: str) -> list[str]:
    """The prefixes of an ip-ranges.json document (``prefixes[].ip_prefix``, ``ipv6_prefixes[].ipv6_prefix``)."""
    try:
        doc = json.loads(Path(path).read_text())
        return [p["ip_prefix"] for p in doc.get("prefixes", [])] + [p["ipv6_prefix"] for p in doc.get("ipv6_prefixes", [])]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(f"{path}: not an ip-ranges document: {e}") from None


class Ranges:
    """Membership of an address in a set of CIDR ranges (sorted intervals, bisected)."""

    def __init__(self, cidrs: list[str]):
        self.v: dict[int, tuple[list[int], list[int]]] = {}
        by_version: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for c in cidrs:
            n = ipaddress.ip_network(c, strict=False)
            by_version[n.version].append((int(n.network_address), int(n.broadcast_address)))
        for ver, spans in by_version.items():
            merged: list[list[int]] = []
            for lo, hi in sorted(spans):
                if merged and lo <= merged[-1][1] + 1:
                    merged[-1][1] = max(merged[-1][1], hi)
                else:
                    merged.append([lo, hi])
            self.v[ver] = ([m[0] for m in merged], [m[1] for m in merged])

    def __contains__(self, ip: Any) -> bool:
        los, his = self.v[ip.version]
        i = bisect.bisect_right(los, int(ip)) - 1
        return i >= 0 and int(ip) <= his[i]


class InstanceOutsideProvider(Detector):
    """Fires when instance credentials act from a public address outside the provider's ranges
    (GuardDuty's InstanceCredentialExfiltration.OutsideAWS). Private and service addresses are
    inside. Off (never fires) until the ranges are configured: ``params.ranges`` or ``ranges_file``."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        p: ProviderParams = validated(rule, ProviderParams)
        cidrs = p.ranges + (load_ranges(p.ranges_file) if p.ranges_file else [])
        self.ranges = Ranges(cidrs) if cidrs else None

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if self.ranges is None:
            return None
        ip = _address(action.source_ip)
        if ip is None or not ip.is_global or ip in self.ranges or not is_instance_identity(action):
            return None
        return self.finding(action, ts, f"instance credentials used from {ip}, outside the provider's ranges",
                            clause="identity.network", expected="an address in the provider's ranges",
                            observed=str(ip), baseline={"attack": "T1552.005"})




class InstanceNewClient(Detector):
    """Fires when instance credentials act with a user-agent family the identity never used, from a
    network it never used (the same machine running another tool stays quiet)."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.min_actions = validated(rule, NewClientParams).min_actions

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if not action.attributes or not is_instance_identity(action):
            return None
        fam = client_family(user_agent(action))
        net = network(action.source_ip)
        if fam is None:
            return None
        d = state.detect
        fams: list[str] = d.setdefault("clients", [])
        nets: list[str] = d.setdefault("client_nets", [])
        n = d["client_actions"] = d.get("client_actions", 0) + 1
        new_fam, new_net = fam not in fams, net is not None and net not in nets
        if new_fam and len(fams) < 16:
            fams.append(fam)
        if net is not None and new_net and len(nets) < 16:
            nets.append(net)
        if not (new_fam and new_net) or n <= self.min_actions:
            return None
        return self.finding(action, ts, f"instance credentials used by client {fam!r} from {net}; the identity used {fams[:-1]} from {nets[:-1]}",
                            clause="identity.client", expected=fams[:-1], observed=fam, baseline={"attack": "T1552.005"})




class SensitiveReadBurst(Detector):
    """Fires when one identity reads ``min_distinct`` distinct secrets or parameters within
    ``within_seconds`` (a dump of the secrets store); once per burst. An application reading its
    handful of secrets at start stays under it."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        p: BurstParams = validated(rule, BurstParams)
        self.calls = {f"{c.split(':')[0]}:{c.split(':')[1].lower()}" for c in p.calls}
        self.names, self.within, self.min = p.names, p.within_seconds, p.min_distinct

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        key = cloud_call(action)
        if key is None or key not in self.calls:
            return None
        args = arguments(action)
        read = {str(v) for n in self.names for v in (at_path(args, (n,)) or [])} if args is not None else set()
        if not read:
            read = {action.resource or key}
        recent: list[list] = state.detect.setdefault("secret_reads", [])  # [time, name], oldest first
        recent[:] = [r for r in recent if ts - r[0] <= self.within]
        known = {r[1] for r in recent}
        recent += [[ts, n] for n in sorted(read - known)]
        del recent[: max(0, len(recent) - 4 * self.min)]
        distinct = len({r[1] for r in recent})
        if distinct < self.min or state.detect.get("burst_until", float("-inf")) >= ts:
            return None
        state.detect["burst_until"] = ts + self.within
        return self.finding(action, ts, f"read {distinct} distinct secrets or parameters within {self.within:g}s",
                            clause="identity.sensitive_reads", expected=f"< {self.min} per {self.within:g}s",
                            observed=distinct, baseline={"attack": "T1555.006", "names": sorted({r[1] for r in recent})[:10]})


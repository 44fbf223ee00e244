"""Instance credentials used where the instance is not: the ``credential.*`` rules on the identity
around a cloud call (``cloud_calls.py`` reads it), judged from the first call like ``cloud.py``'s
(``watches_every_identity``)."""

import bisect
import fnmatch
import ipaddress
import json
import re
from pathlib import Path
from typing import Any, Final

from intentwatch.models.action import Action
from intentwatch.models.baseline.features import through_vpc_endpoint
from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import Detector
from intentwatch.pipeline.engine.detectors.cloud_calls import user_agent, user_identity
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.params import NewClientParams, ProviderParams, TwoNetworksParams, validated
from intentwatch.pipeline.engine.state import AgentState

_INSTANCE: Final = re.compile(r"(?:^|[/:])i-[0-9a-f]{8,17}(?:$|[/:])")


_instance_ids: Final[dict[str, bool]] = {}


def is_instance_identity(action: Action) -> bool:
    """Credentials an instance got from its metadata service: CloudTrail's ``ec2RoleDelivery``, or a
    role session named by an instance id (``.../assumed-role/Role/i-0abc...``)."""
    a = action.attributes
    if not a or ("userIdentity" not in a and "arn" not in a and not a.get("ec2RoleDelivery")):
        # the agent id alone decides (no identity in the attributes): remembered per id
        hit = _instance_ids.get(action.agent_id)
        if hit is None:
            hit = "i-" in action.agent_id and _INSTANCE.search(action.agent_id) is not None
            if len(_instance_ids) < 65536:
                _instance_ids[action.agent_id] = hit
        return hit
    ui = user_identity(action)
    ctx = ui.get("sessionContext")
    if a.get("ec2RoleDelivery") or (isinstance(ctx, dict) and ctx.get("ec2RoleDelivery")):
        return True
    for v in (action.agent_id, a.get("arn"), ui.get("arn"), ui.get("principalId")):
        if isinstance(v, str) and "i-" in v and _INSTANCE.search(v):  # (the test first: most names have no "i-")
            return True
    return False


_ip_cache: Final[dict[str, Any]] = {}
_net_cache: Final[dict[str, str | None]] = {}


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
    its credentials. Service-made calls (no address) are not counted.

    One machine does reach AWS by two paths: through a VPC endpoint CloudTrail logs its private
    address, through a NAT gateway the gateway's public one, seconds apart with the same key. So a
    private network and a public one count as two places only when the credentials differ (a key
    the instance no longer uses, replayed elsewhere); two public networks, or two private ones,
    count whatever the key."""

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
        private = not _address(action.source_ip).is_global
        key = action.credential_id
        seen: dict[str, list] = state.detect.setdefault("nets", {})  # network -> [last time, credential, private]
        other = next(((n, v) for n, v in seen.items() if n != net and abs(ts - v[0]) <= self.within
                      and (v[2:] == [private] or v[1] != key)), None)
        seen[net] = [ts, key, private]
        if len(seen) > 8:
            del seen[min(seen, key=lambda n: seen[n][0])]
        if other is None:
            return None
        n0, (t0, c0) = other[0], other[1][:2]
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
    network it never used (the same machine running another tool stays quiet; a call through a VPC
    endpoint comes from inside the VPC and names no new network)."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.min_actions = validated(rule, NewClientParams).min_actions

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if not action.attributes or not is_instance_identity(action):
            return None
        fam = client_family(user_agent(action))
        net = None if through_vpc_endpoint(action) else network(action.source_ip)
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

"""The flat feature dict the behaviour learners read, built once per action."""

from datetime import datetime
from typing import Any, Final

from intentwatch.models.action import Action
from intentwatch.models.baseline.base import Memo
from intentwatch.models.baseline.sources import network_of

FEATURES = ("tool", "operation", "data_domain", "resource", "resource_prefix", "bytes", "ts", "hour", "source_ip",
            "network", "credential", "session")


def resource_prefix(resource: str | None) -> str | None:
    """The resource up to its last ``/`` or ``:`` component, the unit novelty is judged on.

    Where that would leave only a scheme or an empty path (``npm://react``,
    ``arn:aws:s3:::bucket``) the whole resource is kept; a mail recipient keeps its domain.

    >>> resource_prefix("file:///workspace/billing-worker/lib/c2xup2.md")
    'file:///workspace/billing-worker/lib/'
    >>> resource_prefix("arn:aws:ec2:us-west-2:210987654321:instance/i-061a04e91f9f94e28")
    'arn:aws:ec2:us-west-2:210987654321:instance/'
    >>> resource_prefix("arn:aws:s3:::acme-exports"), resource_prefix("npm://react")
    ('arn:aws:s3:::acme-exports', 'npm://react')
    >>> resource_prefix("mailto:ben.garcia@cyberdyne.ai"), resource_prefix("ticket:1234"), resource_prefix(None)
    ('mailto:@cyberdyne.ai', 'ticket:', None)
    """
    if not resource:
        return None
    if resource.startswith("mailto:"):
        return "mailto:@" + resource.rpartition("@")[2]
    cut = max(resource.rfind("/"), resource.rfind(":"))
    if cut < 0:
        return resource
    prefix = resource[:cut + 1]
    if prefix.endswith("//") or prefix.endswith(":::"):
        return resource
    return prefix


def destination(resource: str | None) -> str | None:
    """Where a resource lives: ``scheme://host`` of a URL, the bucket of an S3 ARN, the
    domain of a mail recipient; else its prefix. Sending somewhere new means a new one.

    >>> destination("s3://acme-exports/data/finance/"), destination("https://webhook.site/3f2a/upload")
    ('s3://acme-exports', 'https://webhook.site')
    >>> destination("arn:aws:s3:::acme-backups/daily/"), destination("mailto:ana@evil.example")
    ('arn:aws:s3:::acme-backups', 'mailto:@evil.example')
    """
    if not resource:
        return None
    scheme, sep, rest = resource.partition("://")
    if sep:
        return f"{scheme}://{rest.split('/', 1)[0]}"
    if resource.startswith("arn:aws:s3:::"):
        return resource.split("/", 1)[0]
    return resource_prefix(resource)


_EPOCH_DAY: Final = 719_163  # date(1970, 1, 1).toordinal()
_EXACT: Final = 2 ** 53      # microsecond counts below this are exact as doubles


def epoch_seconds(t: datetime) -> float:
    """``t.timestamp()`` of an aware datetime, the very same float, in under half the time.

    ``timestamp`` subtracts the epoch as an aware datetime, asking pydantic's ``TzInfo`` for
    its offset through ``datetime.utcoffset`` (the slow part); here the offset is asked once,
    directly, and the microseconds since the epoch are divided by a million as ``timestamp``
    divides them: one exactly rounded division for times from 1685 to 2255, ``timestamp``
    itself outside them.

    >>> from datetime import timezone, timedelta
    >>> t = datetime(2026, 1, 12, 4, 36, 57, 107000, tzinfo=timezone(timedelta(hours=-5)))
    >>> epoch_seconds(t) == t.timestamp()
    True
    """
    tz = t.tzinfo
    if tz is None:  # naive: timestamp() takes it as local time
        return t.timestamp()
    off = tz.utcoffset(t)
    us = ((t.toordinal() - _EPOCH_DAY) * 86400 + t.hour * 3600 + t.minute * 60 + t.second) * 1_000_000 + t.microsecond
    if off:
        us -= (off.days * 86400 + off.seconds) * 1_000_000 + off.microseconds
    if -_EXACT < us < _EXACT:
        return us / 1_000_000
    return t.timestamp()


_prefix: Final = Memo(resource_prefix, 65536)
_network: Final = Memo(network_of, 16384)


def through_vpc_endpoint(action: Action) -> bool:
    """A call through the account's own VPC endpoint (CloudTrail's ``vpcEndpointId``): its address is
    the private one of a host inside the VPC, the machine its NAT gateway shows from outside, so it
    names no network to judge a credential by. An endpoint of another account
    (``vpcEndpointAccountId`` not the account called: stolen credentials used from the attacker's
    own VPC, GuardDuty's InstanceCredentialExfiltration.InsideAWS) is not.

    >>> from tests.factories import action
    >>> [through_vpc_endpoint(action(attributes=a)) for a in ({"vpc_endpoint_id": "vpce-1"}, {},
    ...  {"vpc_endpoint_id": "vpce-1", "vpc_endpoint_account_id": "111122223333", "account_id": "111122223333"},
    ...  {"vpc_endpoint_id": "vpce-1", "vpc_endpoint_account_id": "444455556666", "account_id": "111122223333"})]
    [True, False, True, False]
    """
    attrs = action.attributes
    if not attrs or ("vpc_endpoint_id" not in attrs and "vpcEndpointId" not in attrs):
        return False
    owner = attrs.get("vpc_endpoint_account_id") or attrs.get("vpcEndpointAccountId")
    called = attrs.get("account_id") or attrs.get("recipientAccountId")
    return owner is None or called is None or owner == called


def features(action: Action, ts: float | None = None) -> dict[str, Any]:
    """The features of one action: categorical values, resource and its prefix, bytes,
    event time, source, session.

    ``ts`` is epoch seconds of the event time (pass it when already known) and ``hour``
    its UTC hour; ``network`` is the /24 (IPv4) or /48 (IPv6) of ``source_ip`` (neither for a call
    through a VPC endpoint, like an AWS service's ``AWS Internal``). Missing
    values are None, and so are the bytes of a call that did not succeed (a failed call
    moved no payload).
    """
    if ts is None:
        ts = epoch_seconds(action.time)
    ip = action.source_ip
    if ip is not None and through_vpc_endpoint(action):
        ip = None
    resource = action.resource
    return {
        "tool": action.tool,
        "operation": action.operation,
        "data_domain": action.data_domain,
        "resource": resource,
        "resource_prefix": _prefix.get(resource) if resource else None,
        "bytes": action.bytes if action.outcome == "success" else None,  # a failed call moved no payload
        "ts": ts,
        "hour": int(ts // 3600) % 24,
        "source_ip": ip,
        "network": _network.get(ip) if ip else None,
        "credential": action.credential_id,
        "session": action.session_id,
    }

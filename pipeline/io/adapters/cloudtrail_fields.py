"""What one CloudTrail record says, field by field: who acted (``principal``), on what
(``resource``), with which key, from where, and how it ended (``outcome``). The mapping that
puts them together, and the delivery shapes, are in cloudtrail.py."""

import ipaddress
import re
from datetime import datetime, timezone
from typing import Any, Final

# errorCodes that say the caller was refused: AccessDenied(Exception), Client.UnauthorizedOperation,
# NotAuthorized, SNS's AuthorizationError, EC2's AuthFailure (credentials not accepted), VpceAccessDenied...
DENIED: Final = re.compile(r"AccessDenied|Unauthori[sz]|Forbidden|NotAuthori[sz]|AuthorizationError|AuthFailure", re.IGNORECASE)
# requestParameters keys that name the resource acted on, in order (bucketName is joined with key).
RESOURCE_PARAMETERS: Final = (
    "roleArn", "policyArn", "functionName", "secretId", "name", "trailName", "snapshotId", "instanceId",
    "imageId", "dBSnapshotIdentifier", "dBInstanceIdentifier", "logGroupName", "tableName", "queueUrl",
    "topicArn", "keyId", "userName", "roleName", "groupName", "stackName", "clusterName", "repositoryName",
    "resourceArn", "detectorId", "groupId", "modelId", "targetArn", "arn",
)


def tool_name(event_source: str, event_name: str) -> str:
    """``s3.amazonaws.com`` + ``GetObject`` -> ``s3:GetObject`` (the IAM action form)."""
    return f"{event_source.split('.amazonaws.com', 1)[0]}:{event_name}"


def principal(identity: dict[str, Any], fold_sessions: bool) -> tuple[Any, str | None]:
    """(agent ARN or name, session name) of a ``userIdentity``. The agent is text, or None, or
    a ``sessionIssuer.arn`` of another type as the record has it (the action contract rejects it)."""
    arn = identity.get("arn")
    if isinstance(arn, str) and arn:
        if ":assumed-role/" in arn:
            head, _, rest = arn.partition(":assumed-role/")
            role, _, session = rest.partition("/")
            if fold_sessions:
                issuer = ((identity.get("sessionContext") or {}).get("sessionIssuer") or {}).get("arn")
                if issuer:
                    return issuer, session or None
                account = head.rsplit(":", 1)[-1] if head.count(":") >= 4 else identity.get("accountId", "")
                partition = head.split(":")[1] if head.count(":") >= 1 else "aws"
                return f"arn:{partition}:iam::{account}:role/{role}", session or None
            return arn, session or None
        return arn, None
    invoked = identity.get("invokedBy")
    if isinstance(invoked, str) and invoked:
        return invoked, None
    kind = identity.get("type") or "Unknown"
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") if isinstance(identity.get("sessionContext"), dict) else None
    if kind == "AssumedRole" and isinstance(issuer, dict) and isinstance(issuer.get("arn"), str) and ":role/" in issuer["arn"]:
        # a role session logged without its arn: named from its issuer and principalId (<role id>:<session>)
        principal_id = identity.get("principalId")
        session = principal_id.partition(":")[2] if isinstance(principal_id, str) else ""
        role_arn: str = issuer["arn"]
        if fold_sessions or not session:
            return role_arn, session or None
        head, _, role = role_arn.partition(":role/")
        return f"{head.replace(':iam:', ':sts:', 1)}:assumed-role/{role.rsplit('/', 1)[-1]}/{session}", session
    principal_id = identity.get("principalId")  # WebIdentityUser, SAMLUser, AWSAccount...: no arn
    if isinstance(principal_id, str) and principal_id:
        return f"{kind}:{principal_id}", None
    user = (identity.get("onBehalfOf") or {}).get("userId") if isinstance(identity.get("onBehalfOf"), dict) else None
    if isinstance(user, str) and user:  # IdentityCenterUser: the Identity Center user the call was made for
        return f"{kind}:{user}", None
    user = identity.get("userName")  # a failed console sign-in: no arn, no principalId (the name may be hidden)
    if isinstance(user, str) and user:
        return f"{kind}:{user}", None
    if kind in ("AWSAccount", "Root") and isinstance(identity.get("accountId"), str):
        return f"{kind}:{identity['accountId']}", None
    return None, None


def outcome_of(record: dict[str, Any], event_name: str) -> str:
    """``success``, ``denied`` or ``error``: from ``errorCode``, and for sign-in events (``ConsoleLogin``,
    ``CheckMfa``...; an Identity Center ``UserAuthentication``), which carry no errorCode when they fail,
    from ``responseElements`` / ``serviceEventDetails`` ``{<eventName>: "Failure"}``.

    >>> [outcome_of(r, "ConsoleLogin") for r in ({"responseElements": {"ConsoleLogin": "Failure"}},
    ...  {"responseElements": {"ConsoleLogin": "Success"}}, {"errorCode": "AuthFailure"}, {"errorCode": "Throttling"})]
    ['denied', 'success', 'denied', 'error']
    """
    error = record.get("errorCode")
    if error:
        return "denied" if DENIED.search(str(error)) else "error"
    for key in ("responseElements", "serviceEventDetails"):
        said = record.get(key)
        if type(said) is dict and said.get(event_name) == "Failure":
            return "denied"
    return "success"


def resource_of(record: dict[str, Any], params: Any) -> Any:
    """The resource acted on: text, None, or what an odd ``instancesSet`` item holds (the contract rejects it)."""
    for r in record.get("resources") or ():
        if isinstance(r, dict) and isinstance(r.get("ARN"), str) and r["ARN"]:
            return r["ARN"]
    if not isinstance(params, dict):
        return None
    bucket = params.get("bucketName")
    if isinstance(bucket, str):
        key = params.get("key")
        return f"arn:aws:s3:::{bucket}/{key}" if isinstance(key, str) else f"arn:aws:s3:::{bucket}"
    for k in RESOURCE_PARAMETERS:
        v = params.get(k)
        if isinstance(v, str) and v:
            return v
    items = (params.get("instancesSet") or {}).get("items") if isinstance(params.get("instancesSet"), dict) else None
    if items and isinstance(items[0], dict):
        return items[0].get("instanceId") or items[0].get("imageId")
    return None


def credential(key: Any, prefix: str) -> str | None:
    if not isinstance(key, str) or not key:
        return None  # accessKeyId may be "" (console sessions, some service calls)
    return prefix + key if prefix and key[:4] in ("AKIA", "ASIA") else key


def bytes_moved(extra: Any) -> int:
    if type(extra) is not dict:
        return 0
    total = 0
    for k in ("bytesTransferredIn", "bytesTransferredOut"):
        v = extra.get(k)
        if (v.__class__ is int or v.__class__ is float) and v > 0:  # (not a bool: its class is bool)
            total += int(v)
    return total


_IPV4: Final = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")


def is_ip(value: str) -> bool:
    """An IPv4 or IPv6 address (not a service name such as ``lambda.amazonaws.com`` or ``AWS Internal``).

    >>> [is_ip(v) for v in ("198.51.100.24", "10.0.0.256", "2001:db8::1", "lambda.amazonaws.com", "AWS Internal")]
    [True, False, True, False, False]
    """
    if _IPV4.fullmatch(value):
        return True
    if ":" not in value:
        return False
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False


def event_time(text: str) -> datetime | str:
    """``eventTime`` parsed here (cheaper than in the validator); text it cannot parse is left for
    the validator to reject with its own message. CloudTrail's times are UTC: one written without an
    offset (CloudTrail Lake's and Athena's ``2023-01-05 13:51:00.000``, a SIEM's copy) is read as UTC."""
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return text
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


# Fields the mapping reads inside, with the JSON type CloudTrail writes them as (odd_shape).
_SHAPES: Final = ((("userIdentity", "sessionContext"), dict, "an object"),
                  (("userIdentity", "sessionContext", "sessionIssuer"), dict, "an object"),
                  (("userIdentity", "sessionContext", "sessionIssuer", "arn"), str, "a string"),
                  (("resources",), list, "an array"), (("readOnly",), (bool, str), "a boolean"))
_JSON_TYPES: Final = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}


def odd_shape(record: dict[str, Any]) -> str | None:
    """Why a record the mapping failed on is no CloudTrail record: the first field it reads inside that is
    not of the JSON type CloudTrail writes (a SIEM's copy that flattened an object to text), or None.

    >>> odd_shape({"userIdentity": {"type": "AssumedRole", "sessionContext": "{...}"}})
    'not a CloudTrail record: userIdentity.sessionContext is a string where CloudTrail writes an object'
    """
    for path, kind, written in _SHAPES:
        value: Any = record
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None and not isinstance(value, kind):
            return (f"not a CloudTrail record: {'.'.join(path)} is {_JSON_TYPES.get(type(value), 'a JSON value')} "
                    f"where CloudTrail writes {written}")
    return None

"""What the cloud detectors read from an action, shared by ``cloud.py`` (the catalogue calls) and
``cloud_identity.py`` (the identity around the call):

- the call, as ``service:EventName`` from CloudTrail's ``eventSource``/``eventName`` in
  ``attributes``, else from the tool name (``cloudtrail:StopLogging``,
  ``cloudtrail.amazonaws.com:StopLogging``, ``cloudtrail.amazonaws.com/StopLogging``); Google Cloud's
  ``service:methodName``, Azure's operation, ``<catalogue>:<event>`` where a mapping names the catalogue
  (``entra:<activity>``, ``okta:<eventType>``);
- the identity around the call: ``attributes`` ``userIdentity`` (CloudTrail's), or flat
  ``user_name`` / ``arn`` / ``account_id`` / ``recipient_account_id`` / ``user_agent``;
- whether the agent's manifest declares the call as its own work (``declared``).
"""

import fnmatch
import re
from typing import Any, Final

from intentwatch.models.action import Action
from intentwatch.models.intent import IntentManifest
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.values import at_path

_SERVICE_SUFFIX: Final = ".amazonaws.com"
_CALL_CACHE_LIMIT: Final = 65536
_DECLARED_LIMIT: Final = 64  # tools remembered per manifest scope: bounded so per-agent memory stays small
_calls: Final[dict[str, str | None]] = {}  # tool name -> "service:eventname" (lower case), or None


class _Last:
    """The last action asked about and its call key (seven catalogue rules ask about each action), and
    the last asked whether it came from a console session (five rules ask)."""

    __slots__ = ("action", "key", "console_of", "console")

    def __init__(self) -> None:
        self.action: Action | None = None
        self.key: str | None = None
        self.console_of: Action | None = None
        self.console = False


_last: Final = _Last()


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
    >>> cloud_call(action(tool="google.logging.v2.ConfigServiceV2.DeleteSink", attributes={"service": "logging.googleapis.com"}))
    'logging:google.logging.v2.configservicev2.deletesink'
    >>> cloud_call(action(tool="MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE"))
    'microsoft.insights/diagnosticsettings/delete'
    >>> cloud_call(action(tool="Add member to role", attributes={"catalogue": "entra"}))
    'entra:add member to role'
    """
    attrs = action.attributes
    tool = action.tool
    if attrs:
        src, name = attrs.get("eventSource"), attrs.get("eventName")
        if isinstance(src, str) and isinstance(name, str):
            return _key(src, name)
        service = attrs.get("service")  # a Google Cloud audit log entry's serviceName (deploy/mappings/gcp-audit-log.yaml)
        if isinstance(service, str) and service.endswith(_GOOGLE_SUFFIX) and _GOOGLE_METHOD.fullmatch(tool):
            return f"{service[: -len(_GOOGLE_SUFFIX)].lower()}:{tool.lower()}"
        catalogue = attrs.get("catalogue")  # a mapping that names the catalogue its tools are calls of (Entra ID's, Okta's)
        if isinstance(catalogue, str) and catalogue:
            return f"{catalogue.lower()}:{tool.lower()}"  # (entra:add service principal credentials, okta:system.api_token.create)
    try:
        return _calls[tool]
    except KeyError:
        pass
    if _AZURE_OPERATION.fullmatch(tool):  # an Azure Activity Log operation (deploy/mappings/azure-activity-log.yaml)
        key: str | None = tool.lower()
    else:
        sep = max(tool.rfind(":"), tool.rfind("/"))
        key = _key(tool[:sep], tool[sep + 1:]) if sep > 0 else None
    if len(_calls) < _CALL_CACHE_LIMIT:
        _calls[tool] = key
    return key


_API_VERSION: Final = re.compile(r"\d{8}(v\d+)?$")  # Lambda logs AddPermission20150331v2
_AZURE_OPERATION: Final = re.compile(r"(?i)microsoft\.[a-z0-9]+(?:/[a-z0-9._-]+)+")  # Microsoft.Insights/diagnosticSettings/delete
_GOOGLE_SUFFIX: Final = ".googleapis.com"
_GOOGLE_METHOD: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._]*")  # storage.setIamPermissions, v1.compute.firewalls.insert


def _key(service: str, name: str) -> str | None:
    service = service.strip().lower()
    name = _API_VERSION.sub("", name)
    if service.endswith(_SERVICE_SUFFIX):
        service = service[: -len(_SERVICE_SUFFIX)]
    if not service or not name or not re.fullmatch(r"[a-z0-9\-]+", service) or not re.fullmatch(r"[A-Za-z0-9]+", name):
        return None
    return f"{service}:{name.lower()}"


def user_identity(action: Action) -> dict[str, Any]:
    ui = action.attributes.get("userIdentity")
    return ui if isinstance(ui, dict) else {}


def service_identity(identity: dict[str, Any]) -> bool:
    """Whether a CloudTrail ``userIdentity`` is an AWS service acting as itself: under its own principal
    (``type: AWSService``, ``invokedBy: config.amazonaws.com``; a service event's ``invokedBy`` with no
    type and no arn) or a service-linked role, which only its
    service can assume (the role's trust policy cannot be edited). The CloudTrail adapter skips such
    records; ``service_acting`` asks the same of an action from any producer.

    >>> service_identity({"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}), service_identity(
    ...     {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForConfig/c"})
    (True, True)
    >>> service_identity({"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/ops/alice",
    ...                   "invokedBy": "cloudformation.amazonaws.com"})
    False
    >>> service_identity({"accountId": "111122223333", "invokedBy": "AWS Internal"})  # an AwsServiceEvent's (KMS rotating a key)
    True
    """
    if identity.get("type") == "AWSService":
        return True
    if identity.get("invokedBy") and not identity.get("type") and not identity.get("arn"):
        return True  # no one but the service: a service event (a key rotated on schedule)
    context = identity.get("sessionContext")
    issuer = context.get("sessionIssuer") if isinstance(context, dict) else None
    return _service_role(identity.get("arn")) or (isinstance(issuer, dict) and _service_role(issuer.get("arn")))


def _service_role(arn: Any) -> bool:
    return isinstance(arn, str) and ("/aws-service-role/" in arn or ":assumed-role/AWSServiceRoleFor" in arn)


def service_acting(action: Action) -> bool:
    """A call an AWS service made as itself (``service_identity`` of its ``userIdentity``, or an agent
    id that is a service-linked role). GuardDuty's malware scan shares each snapshot it scans with its
    own account so; whoever configured the service made a call of their own.

    >>> from tests.factories import action
    >>> slr = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAmazonGuardDutyMalwareProtection/scan"
    >>> [service_acting(action(attributes={"userIdentity": {"type": t, "arn": a}})) for t, a in
    ...  (("AssumedRole", slr), ("AWSService", None), ("AssumedRole", "arn:aws:sts::111122223333:assumed-role/ops/alice"))]
    [True, True, False]

    A Google-managed service agent likewise (``service-<project number>@<service>.iam.gserviceaccount.com``,
    ``<project number>@cloudservices.gserviceaccount.com``): GKE opens a firewall to the internet for each
    load-balanced service so. A project's default or own service accounts are no service agents.

    >>> [service_acting(action(agent_id=a)) for a in ("service-195817460494@container-engine-robot.iam.gserviceaccount.com",
    ...  "195817460494@cloudservices.gserviceaccount.com", "195817460494-compute@developer.gserviceaccount.com")]
    [True, True, False]
    """
    return service_identity(user_identity(action)) or _service_role(action.agent_id) or bool(_GOOGLE_AGENT.match(action.agent_id))


_GOOGLE_AGENT: Final = re.compile(r"service-\d+@[a-z0-9-]+\.iam\.gserviceaccount\.com$|\d+@cloudservices\.gserviceaccount\.com$")


# A console's user agents: a browser's, the S3 console's, the sign-in page's, a service console's.
_CONSOLE: Final = re.compile(r"^mozilla/|(?:^|[\s\[(,])(?:s3console/|signin\.amazonaws\.com)"
                             r"|console\.(?:[a-z0-9-]+\.)?(?:amazonaws\.com|aws\.amazon\.com)")
# What AWS writes for calls its own backends make: the console's, and some services' for the caller.
_AWS_INTERNAL: Final = re.compile(r"^aws internal|(?:^|[\s\[(,])aws-internal/")


def console_signal(action: Action, internal: bool = True) -> str | None:
    """What shows a call was made in the AWS Management Console (None: nothing): CloudTrail's
    ``sessionCredentialFromConsole``, a console sign-in, or a console's user agent (a browser's,
    ``[S3Console/0.4, aws-internal/3 ...]``, ``console.ec2.amazonaws.com``, ``signin.amazonaws.com``);
    with ``internal``, AWS's own ``AWS Internal`` / ``aws-internal/3 ...`` too, which some services
    also write for calls they make for the caller. The user agent is the caller's to choose; the
    other two are AWS's.

    >>> from tests.factories import action
    >>> [console_signal(action(attributes=a)) for a in ({"console_session": "true"}, {"event_type": "AwsConsoleSignIn"},
    ...  {"user_agent": "Mozilla/5.0 (X11; Linux x86_64)"}, {"user_agent": "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12]"},
    ...  {"user_agent": "aws-cli/2.15.0 Python/3.11"}, {})]
    ['sessionCredentialFromConsole', 'a console sign-in', 'user agent Mozilla/5.0 (X11; Linux x86_64)', 'user agent [S3Console/0.4, aws-internal/3 aws-sdk-java/1.12]', None, None]
    >>> [console_signal(action(attributes={"user_agent": "AWS Internal"}), internal) for internal in (True, False)]
    ['user agent AWS Internal', None]
    """
    a = action.attributes
    if str(a.get("console_session", a.get("sessionCredentialFromConsole"))).lower() == "true":
        return "sessionCredentialFromConsole"
    if a.get("event_type", a.get("eventType")) == "AwsConsoleSignIn":
        return "a console sign-in"
    ua = user_agent(action)
    if ua is None:
        return None
    low = ua.lower()
    if _CONSOLE.search(low) is not None or (internal and _AWS_INTERNAL.search(low) is not None):
        return f"user agent {ua[:200]}"
    return None


def console_session(action: Action) -> bool:
    """A cloud call (CloudTrail's record: ``userIdentity`` or its event source) made in the AWS console,
    as far as anything shows (``console_signal``): a person's. An agent's own telemetry carrying a
    browser's user agent (a browsing agent) is not one.

    >>> from tests.factories import action
    >>> ua = {"user_agent": "Mozilla/5.0 (X11; Linux x86_64)"}
    >>> console_session(action(attributes={**ua, "event_source": "s3.amazonaws.com"})), console_session(action(attributes=ua))
    (True, False)
    """
    if _last.console_of is not action:
        a = action.attributes
        _last.console = ("userIdentity" in a or "event_source" in a or "eventSource" in a) and console_signal(action) is not None
        _last.console_of = action
    return _last.console


def service_made(action: Action) -> bool:
    """A call an AWS service made, for the caller (``invokedBy``) or as itself (``service_acting``)."""
    return bool(user_identity(action).get("invokedBy") or action.attributes.get("invoked_by")) or service_acting(action)


def own_account(action: Action) -> str | None:
    """The account the call was made in (CloudTrail's ``recipientAccountId``, else the caller's)."""
    a = action.attributes
    for v in (a.get("recipientAccountId"), a.get("recipient_account_id"), a.get("account_id"), user_identity(action).get("accountId")):
        if isinstance(v, str) and v:
            return v
    return None


def caller_names(action: Action) -> set[str]:
    """Names the caller goes by: agent id, user name, the last part of its ARN (lower case)."""
    a, ui = action.attributes, user_identity(action)
    names = {action.agent_id.lower()}
    for v in (action.agent_id, a.get("user_name"), a.get("userName"), ui.get("userName"), a.get("arn"), ui.get("arn")):
        if isinstance(v, str) and v:
            names.add(v.rsplit("/", 1)[-1].lower())
    return names


# CloudTrail's record keys as the CloudTrail adapter names them in attributes
_RECORD_ALIASES: Final = {"additionalEventData": "additional", "errorCode": "error_code", "userAgent": "user_agent",
                          "recipientAccountId": "account_id", "eventCategory": "event_category", "awsRegion": "aws_region",
                          "eventType": "event_type", "sessionCredentialFromConsole": "console_session"}


def record_values(action: Action, path: str) -> list[Any] | None:
    """Scalar values at a dotted path of the CloudTrail record (``userIdentity.type``,
    ``additionalEventData.MFAUsed``), read from the record's keys in ``attributes`` or the adapter's names for them.

    >>> from tests.factories import action
    >>> record_values(action(attributes={"additional": {"MFAUsed": "No"}}), "additionalEventData.MFAUsed")
    ['No']
    """
    head, _, rest = path.partition(".")
    tail = tuple(rest.split(".")) if rest else ()
    attrs = action.attributes
    for key in (head, _RECORD_ALIASES.get(head)):
        if key is not None and key in attrs:
            vals = at_path(attrs, (key, *tail))
            if vals:
                return vals
    return None


def user_agent(action: Action) -> str | None:
    a = action.attributes
    for k in ("user_agent", "userAgent", "user_agent.original"):
        v = a.get(k)
        if isinstance(v, str) and v:
            return v
    return None


def declared(state: AgentState, tool: str) -> bool:
    """Whether the manifest declares this call as its own work: a pattern in ``allowed.tools`` that
    names the call (its part after the service or server is not a bare ``*``: ``iam:CreateAccessKey``,
    ``cloudtrail:*Logging``, ``zendesk.update_audit_settings``), or any ``allowed.per_tool`` clause
    pattern matching it (an infrastructure-as-code runner declaring ``iam.amazonaws.com:*`` with a
    clause). A service-wide ``s3:*`` (or ``zendesk.*``) in ``allowed.tools`` says the agent uses S3,
    not that it opens buckets to the world.
    Remembered per tool on the manifest's scope (matching the patterns costs ~1 us a call; a new
    manifest is a new scope)."""
    m = state.manifest
    if m is None:
        return False
    scope = state.scope
    if scope is None:
        return _declared(m, tool)
    hit = scope.declared.get(tool)
    if hit is None:
        hit = _declared(m, tool)
        if len(scope.declared) < _DECLARED_LIMIT:
            scope.declared[tool] = hit
    return hit


def _declared(m: IntentManifest, tool: str) -> bool:
    for p in m.allowed.per_tool or {}:
        if fnmatch.fnmatchcase(tool, p):
            return True
    for p in m.allowed.tools or []:
        sep = max(p.rfind(":"), p.rfind("/"), p.rfind("."))
        name = p[sep + 1:] if sep >= 0 else p
        if name.strip("*?") and fnmatch.fnmatchcase(tool, p):
            return True
    return False

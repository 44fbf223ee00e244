"""CloudTrail's API names -> intentwatch operations: exact names whose verb says too little,
then verb prefixes; ``Invoke``/``Converse`` on a model service is ``invoke``. The table
docs/inputs.md shows; used by the CloudTrail adapter (cloudtrail.py) and the simulator."""

import re
from typing import Any

from intentwatch.models.action import Operation

# Exact API names whose verb says too little (or the wrong thing).
API_OPERATIONS: dict[str, Operation] = {
    # credentials and sign-in
    "GetCallerIdentity": "authenticate", "GetSessionToken": "authenticate", "ConsoleLogin": "authenticate",
    # the sign-in pages' own events (CloudTrail's console sign-in and Identity Center sign-in events)
    "CheckMfa": "authenticate", "CredentialChallenge": "authenticate", "CredentialVerification": "authenticate",
    "UserAuthentication": "authenticate", "ExternalIdPDirectoryLogin": "authenticate", "SwitchRole": "authenticate",
    "GetFederationToken": "grant", "CreateAccessKey": "grant", "CreateLoginProfile": "grant",
    "UpdateLoginProfile": "grant", "AddUserToGroup": "grant", "CreatePolicyVersion": "grant",
    "SetDefaultPolicyVersion": "grant", "UpdateAssumeRolePolicy": "grant", "CreateGrant": "grant",
    "PassRole": "grant",
    # sharing opens access
    "ModifySnapshotAttribute": "grant", "ModifyDBSnapshotAttribute": "grant", "ModifyDBClusterSnapshotAttribute": "grant",
    "ModifyImageAttribute": "grant", "PutBucketAcl": "grant", "PutObjectAcl": "grant",
    # logging and detection switched or rewired
    "StopLogging": "configure", "StartLogging": "configure", "PutEventSelectors": "configure",
    "PutInsightSelectors": "configure", "UpdateTrail": "configure", "DeleteTrail": "configure",
    "DeleteFlowLogs": "configure", "DeleteDetector": "configure", "PutBucketLogging": "configure",
    # runs something
    "SendCommand": "execute", "StartSession": "execute", "RunInstances": "execute", "RunTask": "execute",
    "StartInstances": "execute", "StopInstances": "execute", "RebootInstances": "execute",
    "StartExecution": "execute", "StartQueryExecution": "execute", "ExecuteStatement": "execute",
    # ends something
    "TerminateInstances": "delete",
    # data reads that do not start with Get
    "Decrypt": "read", "SelectObjectContent": "read", "FilterLogEvents": "read", "Query": "read", "Scan": "read",
    # a data item changed, not a setting (DynamoDB)
    "UpdateItem": "write",
}

# Verb prefixes, longest first within a group that could overlap (``Describe`` before ``De``...).
VERB_OPERATIONS: tuple[tuple[str, Operation], ...] = (
    ("Get", "read"), ("BatchGet", "read"), ("Head", "read"), ("Lookup", "read"), ("Search", "read"),
    ("Select", "read"), ("Download", "read"), ("Retrieve", "read"), ("Read", "read"), ("Filter", "read"),
    ("List", "list"), ("Describe", "list"), ("Scan", "list"),
    ("AssumeRole", "grant"), ("Attach", "grant"), ("Grant", "grant"), ("AddPermission", "grant"),
    ("AddRoleTo", "grant"), ("Authorize", "configure"),
    ("Disable", "configure"), ("Enable", "configure"), ("Stop", "configure"), ("Modify", "configure"),
    ("Update", "configure"), ("Set", "configure"), ("Change", "configure"), ("Register", "configure"),
    ("Deregister", "configure"), ("Associate", "configure"), ("Disassociate", "configure"),
    ("Invoke", "execute"), ("Converse", "execute"), ("Execute", "execute"), ("Run", "execute"),
    ("Start", "execute"), ("Reboot", "execute"), ("Send", "send"), ("Publish", "send"),
    ("Delete", "delete"), ("Detach", "delete"), ("Revoke", "delete"), ("Remove", "delete"),
    ("Terminate", "delete"), ("Deactivate", "delete"), ("Cancel", "delete"),
    ("Create", "write"), ("Put", "write"), ("Copy", "write"), ("Import", "write"), ("Upload", "write"),
    ("Restore", "write"), ("Write", "write"), ("BatchWrite", "write"), ("Tag", "write"), ("Untag", "write"),
    ("Encrypt", "execute"), ("GenerateDataKey", "read"),
)
# Model invocations: the services whose Invoke*/Converse* use a model.
MODEL_SERVICES = frozenset({"bedrock", "bedrock-runtime", "bedrock-agent-runtime", "sagemaker"})
# ``Put...`` that change how a service behaves rather than writing data.
_PUT_CONFIGURE = re.compile(r"^Put\w*(Configuration|Selectors|Settings|Config|Alarm|Logging|PublicAccessBlock|"
                            r"Encryption|Versioning|Lifecycle|Replication)\w*$")


def verb_operation(event_name: str, service: str, read_only: Any) -> Operation:
    op = API_OPERATIONS.get(event_name)
    if op is not None:
        return op
    if event_name.startswith("Put"):
        if event_name.endswith("Policy"):
            return "grant"
        if _PUT_CONFIGURE.match(event_name):
            return "configure"
    for prefix, op in VERB_OPERATIONS:
        if event_name.startswith(prefix):
            if op == "execute" and prefix in ("Invoke", "Converse") and service in MODEL_SERVICES:
                return "invoke"
            return op
    return "read" if read_only is True or read_only == "true" else "write"


def operation_of(event_source: str, event_name: str, read_only: Any = None) -> Operation:
    """The operation of a CloudTrail API call.

    >>> [operation_of("s3.amazonaws.com", n) for n in ("GetObject", "ListBuckets", "PutBucketPolicy", "PutObject")]
    ['read', 'list', 'grant', 'write']
    >>> [operation_of("bedrock.amazonaws.com", "InvokeModel"), operation_of("lambda.amazonaws.com", "Invoke")]
    ['invoke', 'execute']
    >>> [operation_of("cloudtrail.amazonaws.com", "StopLogging"), operation_of("sts.amazonaws.com", "AssumeRole")]
    ['configure', 'grant']
    """
    return verb_operation(event_name, event_source.split(".", 1)[0], read_only)

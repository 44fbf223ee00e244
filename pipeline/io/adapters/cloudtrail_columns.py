"""CloudTrail records as a query engine returns them: every column name in lower case.

Athena's CloudTrail table (the one the CloudTrail console creates), a Glue crawler's, Snowflake's and
other data lakes' exports name the record's fields ``eventtime``, ``useridentity``, ``sessioncontext``
..., and keep ``requestparameters``, ``responseelements`` and ``additionaleventdata`` as JSON text.
``camel_record`` gives such a row CloudTrail's own names back, for the fields CloudTrail writes
(the record reference), and parses those texts. What a service put inside ``requestParameters`` keeps
its names: they are the API's, not CloudTrail's.

>>> r = camel_record({"eventtime": "2023-01-10 21:16:37", "eventsource": "ec2.amazonaws.com",
...                   "eventname": "DescribeInstances", "useridentity": {"type": "IAMUser", "accesskeyid": "AKIA1"},
...                   "requestparameters": '{"instancesSet": {}}', "readonly": "true", "resources": [{"arn": "x"}]})
>>> r["eventTime"], r["userIdentity"]["accessKeyId"], r["requestParameters"], r["readOnly"], r["resources"]
('2023-01-10 21:16:37', 'AKIA1', {'instancesSet': {}}, True, [{'ARN': 'x'}])
"""

from typing import Any, Final

from .libs import JSONDecodeError, loads

# The record's fields and those inside userIdentity, sessionContext, tlsDetails (CloudTrail record contents).
_NAMES: Final = (
    "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
    "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements", "additionalEventData",
    "requestID", "eventID", "readOnly", "resources", "eventType", "apiVersion", "managementEvent",
    "recipientAccountId", "serviceEventDetails", "sharedEventID", "vpcEndpointId", "vpcEndpointAccountId",
    "eventCategory", "addendum", "sessionCredentialFromConsole", "edgeDeviceDetails", "tlsDetails",
    "type", "principalId", "arn", "accountId", "accessKeyId", "userName", "sessionContext", "invokedBy",
    "identityProvider", "credentialId", "onBehalfOf", "inScopeOf", "userId", "identityStoreArn",
    "attributes", "creationDate", "mfaAuthenticated", "sessionIssuer", "webIdFederationData",
    "federatedProvider", "sourceIdentity", "ec2RoleDelivery", "ec2Issuer", "assumedRoot",
    "tlsVersion", "cipherSuite", "clientProvidedHostHeader",
)
_CAMEL: Final = {n.lower(): n for n in _NAMES}
_TEXTS: Final = ("requestParameters", "responseElements", "additionalEventData", "serviceEventDetails")
_FLAGS: Final = ("readOnly", "managementEvent")  # booleans a table may hold as text


def lower_cased(item: dict[str, Any]) -> bool:
    """Whether a record names its fields in lower case (``eventtime`` and no ``eventTime``)."""
    return "eventtime" in item and "eventTime" not in item


def camel_record(item: dict[str, Any]) -> dict[str, Any]:
    """The record with CloudTrail's names (see the module)."""
    record = {_CAMEL.get(k, k): v for k, v in item.items()}
    identity = record.get("userIdentity")
    if isinstance(identity, dict):
        record["userIdentity"] = _named(identity)
    if isinstance(record.get("tlsDetails"), dict):
        record["tlsDetails"] = _named(record["tlsDetails"])
    resources = record.get("resources")
    if isinstance(resources, list):  # CloudTrail writes a resource's ARN in capitals
        record["resources"] = [{"ARN" if k == "arn" else _CAMEL.get(k, k): v for k, v in r.items()} if isinstance(r, dict)
                               else r for r in resources]
    for key in _TEXTS:
        text = record.get(key)
        if isinstance(text, str) and text[:1] in ("{", "["):
            try:
                record[key] = loads(text)
            except JSONDecodeError:
                pass  # left as text: the mapping reads what it can
    for key in _FLAGS:
        if record.get(key) in ("true", "false"):
            record[key] = record[key] == "true"
    return record


def _named(value: Any) -> Any:
    """CloudTrail's names in an identity's objects, all the way down."""
    if isinstance(value, dict):
        return {_CAMEL.get(k, k): _named(v) for k, v in value.items()}
    return value

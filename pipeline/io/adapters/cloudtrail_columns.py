"""CloudTrail records under other names for their fields: a query engine's, a data lake's, a SIEM's.

- Every name in lower case: Athena's CloudTrail table (the one the CloudTrail console creates), a Glue
  crawler's, Snowflake's and other data lakes' exports (``eventtime``, ``useridentity``, ``sessioncontext``).
- In snake case: connectors that copy CloudTrail into a warehouse (``event_time``, ``user_identity``).
- Elastic's AWS integration (ECS): the record's own fields under ``aws.cloudtrail`` in snake case
  (``user_identity.session_context.session_issuer.arn``, ``request_parameters``...), its name, source, id and
  time moved to ECS fields (``event.action``, ``event.provider``, ``event.id``, ``@timestamp``,
  ``cloud.region``, ``source.address``, ``user_agent.original``); the parameters as text and, when the
  integration keeps them, as objects under ``aws.cloudtrail.flattened``. Nested or as dotted keys (an export
  of the document's fields). A document that keeps the whole record (``event.original``) is read from it
  (cloudtrail.py).

``named_record`` gives such a record CloudTrail's own names back, for the fields CloudTrail writes (the
record reference), and parses the parameters kept as JSON text. What a service put inside
``requestParameters`` keeps its names: they are the API's, not CloudTrail's.

>>> r = named_record({"eventtime": "2023-01-10 21:16:37", "eventsource": "ec2.amazonaws.com",
...                   "eventname": "DescribeInstances", "useridentity": {"type": "IAMUser", "accesskeyid": "AKIA1"},
...                   "requestparameters": '{"instancesSet": {}}', "readonly": "true", "resources": [{"arn": "x"}]})
>>> r["eventTime"], r["userIdentity"]["accessKeyId"], r["requestParameters"], r["readOnly"], r["resources"]
('2023-01-10 21:16:37', 'AKIA1', {'instancesSet': {}}, True, [{'ARN': 'x'}])
>>> named_record({"event_time": "2023-01-10T21:16:37Z", "user_identity": {"access_key_id": "AKIA1"}})["userIdentity"]
{'accessKeyId': 'AKIA1'}
"""

from typing import Any, Final

from .json_text import parse_json_text

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
_CAMEL: Final = {n.lower(): n for n in _NAMES}  # a name lower-cased, its underscores dropped -> CloudTrail's
_TEXTS: Final = ("requestParameters", "responseElements", "additionalEventData", "serviceEventDetails")
_FLAGS: Final = ("readOnly", "managementEvent")  # booleans a table may hold as text
_ECS: Final = "aws.cloudtrail."
# ECS fields that hold what CloudTrail writes at the top of its record
_ECS_TOP: Final = (("eventName", ("event", "action")), ("eventSource", ("event", "provider")), ("eventID", ("event", "id")),
                   ("eventTime", ("@timestamp",)), ("awsRegion", ("cloud", "region")), ("sourceIPAddress", ("source", "address")),
                   ("sourceIPAddress", ("source", "ip")), ("userAgent", ("user_agent", "original")),
                   ("recipientAccountId", ("cloud", "account", "id")))


def named_record(item: dict[str, Any]) -> dict[str, Any]:
    """The record with CloudTrail's names (see the module), or ``item`` as it is when it is none of those forms.

    >>> named_record({"eventtime": "2023-01-10 21:16:37", 7: "a Parquet map's key", "resources": [{1: "x"}]})[7]
    "a Parquet map's key"
    """
    if "eventtime" in item or "event_time" in item:
        return _camel(item)
    ecs = _ecs_record(item)
    return item if ecs is None else ecs


def _name(key: Any) -> Any:
    """CloudTrail's name for a field named in lower or snake case; any other key as it is (a Parquet map's may be no text)."""
    return _CAMEL.get(key.replace("_", "").lower(), key) if type(key) is str else key


def _camel(item: dict[str, Any]) -> dict[str, Any]:
    record = {_name(k): v for k, v in item.items()}
    identity = record.get("userIdentity")
    if isinstance(identity, dict):
        record["userIdentity"] = _named(identity)
    if isinstance(record.get("tlsDetails"), dict):
        record["tlsDetails"] = _named(record["tlsDetails"])
    resources = record.get("resources")
    if isinstance(resources, list):  # CloudTrail writes a resource's ARN in capitals
        record["resources"] = [{"ARN" if _name(k) == "arn" else _name(k): v for k, v in r.items()} if isinstance(r, dict)
                               else r for r in resources]
    for key in _TEXTS:
        text = record.get(key)
        if isinstance(text, str) and text[:1] in ("{", "["):
            record[key] = parse_json_text(text)  # (text that is no JSON stays text: the mapping reads what it can)
    for key in _FLAGS:
        if record.get(key) in ("true", "false"):
            record[key] = record[key] == "true"
    return record


def _named(value: Any) -> Any:
    """CloudTrail's names in an identity's objects, all the way down."""
    if isinstance(value, dict):
        return {_name(k): _named(v) for k, v in value.items()}
    return value


def _ecs_record(item: dict[str, Any]) -> dict[str, Any] | None:
    """An ECS document's CloudTrail record (Elastic's AWS integration), or None when it is not one."""
    aws = item.get("aws")
    ct = aws.get("cloudtrail") if isinstance(aws, dict) else None
    if not isinstance(ct, dict):
        ct = _unflattened(item)
        if ct is None:
            return None
        item = _unflattened(item, "") or item
    record = _camel(ct)
    flattened = ct.get("flattened")
    if isinstance(flattened, dict):  # the parameters as objects, where the integration keeps them so
        record.pop("flattened", None)
        for key, value in flattened.items():
            if isinstance(value, (dict, list)):
                record[_name(key)] = value
    for name, path in _ECS_TOP:
        if record.get(name) is None:
            value: Any = item
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if value is not None:
                record[name] = value
    return record if isinstance(record.get("eventName"), str) else None


def _unflattened(item: dict[str, Any], prefix: str = _ECS) -> dict[str, Any] | None:
    """The document's fields under ``prefix`` with their dotted keys as nested objects (None: it has none).
    Only objects made here are written into: the document is left as it was."""
    out: dict[str, Any] = {}
    plain: list[tuple[str, Any]] = []
    for key, value in item.items():
        if not (isinstance(key, str) and key.startswith(prefix) and key != prefix):
            continue
        *parents, last = key[len(prefix):].split(".")
        if not parents:
            plain.append((last, value))
            continue
        node = out
        for p in parents:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                break
        else:
            node[last] = value
    for key, value in plain:  # (a field not dotted: where no dotted key made an object of that name)
        out.setdefault(key, value)
    return out or None

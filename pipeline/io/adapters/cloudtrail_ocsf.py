"""CloudTrail normalised to OCSF -> the CloudTrail record it was made from.

Amazon Security Lake stores CloudTrail as OCSF ``API Activity`` (class 6003; ``Account Change``
3001 and ``Authentication`` 3002 for IAM and sign-in events), and SIEMs that normalise to OCSF
hand it on in that form. Read back into CloudTrail's own field names, such a record goes through
the same mapping as a raw one (cloudtrail.py): agent, tool, operation, resource, the catalogue's
calls, the identity checks. The field pairs follow the OCSF project's CloudTrail mapping (OCSF
1.0 and 1.1: the ARN in ``actor.user.uid``, or in ``uuid`` with the principal id in ``uid``):

==========================================  ===========================================
``metadata.uid``                            ``eventID``
``time`` (ms) / ``time_dt``                 ``eventTime``
``api.service.name`` / ``api.operation``    ``eventSource`` / ``eventName``
``actor.user``: ``uid`` / ``uuid`` (the     ``userIdentity``: ``arn``, ``principalId``,
ARN), ``uid_alt``, ``type``, ``name``,      ``type``, ``userName``, ``accessKeyId``,
``credential_uid``, ``account.uid``         ``accountId``
``actor.session.issuer`` / ``is_mfa``       ``sessionContext.sessionIssuer.arn`` / ``mfaAuthenticated``
``actor.invoked_by``                        ``userIdentity.invokedBy``
``src_endpoint.ip`` (``domain``), ``uid``   ``sourceIPAddress``, ``vpcEndpointId``
``http_request.user_agent``                 ``userAgent``
``cloud.region``                            ``awsRegion``
``api.request.data`` / ``api.response.data`` ``requestParameters`` / ``responseElements``
``api.response.error`` / ``message``        ``errorCode`` / ``errorMessage``
``resources[]`` ``uid``, ``type``           ``resources[]`` ``ARN``, ``type``
``unmapped``                                the rest (``readOnly``, ``additionalEventData``...; as
                                            text in Security Lake: read back as JSON)
==========================================  ===========================================

A record with ``status`` Failure and no error code gets ``errorCode: Failure``.
"""

from datetime import timedelta
from typing import Any, Final

from .base import EPOCH
from .json_text import parse_json_text

OCSF_CLASSES: Final = frozenset({6003, 3001, 3002, 3005})  # API Activity; Account Change, Authentication (3005: rc)


def is_ocsf(item: dict[str, Any]) -> bool:
    """An OCSF event of a class CloudTrail is normalised to (or one that carries an ``api`` and an ``actor``)."""
    kind = item.get("class_uid")
    return (kind.__class__ is int and kind in OCSF_CLASSES) or ("api" in item and "actor" in item and "metadata" in item)


def _obj(value: Any) -> dict[str, Any]:
    return value if value.__class__ is dict else {}


def _str(value: Any) -> str | None:
    return value if value.__class__ is str and value else None


def from_ocsf(item: dict[str, Any]) -> dict[str, Any] | str:
    """The CloudTrail record an OCSF event was made from, or why it cannot be one.

    >>> r = from_ocsf({"class_uid": 6003, "time": 1764496800000, "metadata": {"uid": "e1", "product": {"name": "CloudTrail"}},
    ...     "api": {"service": {"name": "cloudtrail.amazonaws.com"}, "operation": "StopLogging"},
    ...     "actor": {"user": {"type": "AssumedRole", "uid": "arn:aws:sts::111122223333:assumed-role/ops/run-1",
    ...                        "credential_uid": "ASIAEXAMPLE", "account": {"uid": "111122223333"}},
    ...               "session": {"issuer": "arn:aws:iam::111122223333:role/ops"}}, "src_endpoint": {"ip": "203.0.113.9"}})
    >>> r["eventTime"], r["eventName"], r["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"]
    ('2025-11-30T10:00:00Z', 'StopLogging', 'arn:aws:iam::111122223333:role/ops')
    """
    api, actor, metadata = _obj(item.get("api")), _obj(item.get("actor")), _obj(item.get("metadata"))
    service, operation = _str(_obj(api.get("service")).get("name")), _str(api.get("operation"))
    if service is None or operation is None:
        return "OCSF event without api.service.name and api.operation: not a CloudTrail call"
    user = _obj(actor.get("user"))
    uid, uuid = _str(user.get("uid")), _str(user.get("uuid"))
    arn = uid if uid is not None and uid.startswith("arn:") else uuid if uuid is not None and uuid.startswith("arn:") else None
    identity: dict[str, Any] = {
        "type": user.get("type"), "arn": arn,
        "principalId": user.get("uid_alt") or (uid if uid is not arn else None),
        "accountId": _obj(user.get("account")).get("uid") or user.get("account_uid"),
        "accessKeyId": user.get("credential_uid"), "userName": user.get("name"), "invokedBy": actor.get("invoked_by")}
    idp = _str(_obj(actor.get("idp")).get("name"))
    if idp is not None:
        identity["identityProvider"] = idp
    session = _obj(actor.get("session"))
    issuer = _str(session.get("issuer"))
    if issuer is not None:
        mfa = session.get("is_mfa", session.get("mfa"))
        identity["sessionContext"] = {"sessionIssuer": {"type": "Role", "arn": issuer},
                                      "attributes": {k: v for k, v in (
                                          ("mfaAuthenticated", str(mfa).lower() if mfa.__class__ is bool else None),
                                          ("creationDate", session.get("created_time_dt"))) if v is not None}}
    record: dict[str, Any] = {k: _unmapped(v) for k, v in _obj(item.get("unmapped")).items() if v is not None}
    endpoint, cloud, request, response = (_obj(item.get("src_endpoint")), _obj(item.get("cloud")),
                                          _obj(api.get("request")), _obj(api.get("response")))
    error = response.get("error")
    if error is None and item.get("status") == "Failure":
        error = "Failure"
    record.update({k: v for k, v in (
        ("eventID", metadata.get("uid")), ("eventTime", _time(item)), ("eventSource", service), ("eventName", operation),
        ("eventVersion", _obj(metadata.get("product")).get("version")), ("eventType", metadata.get("event_code")),
        ("awsRegion", cloud.get("region")), ("recipientAccountId", _obj(cloud.get("account")).get("uid")),
        ("sourceIPAddress", endpoint.get("ip") or endpoint.get("domain")), ("vpcEndpointId", endpoint.get("uid")),
        ("userAgent", _obj(item.get("http_request")).get("user_agent")), ("requestID", request.get("uid")),
        ("requestParameters", parse_json_text(request.get("data"))),
        ("responseElements", parse_json_text(response.get("data"))),
        ("errorCode", error), ("errorMessage", response.get("message")),
        ("userIdentity", {k: v for k, v in identity.items() if v is not None})) if v is not None})
    resources = item.get("resources")
    if resources.__class__ is list:
        record["resources"] = [{k: v for k, v in (("ARN", r.get("uid")), ("type", r.get("type")),
                                                  ("accountId", _obj(r.get("account")).get("uid") or r.get("account_uid")))
                                if v is not None} for r in resources if r.__class__ is dict]
    return record


def _unmapped(value: Any) -> Any:
    """A value of ``unmapped`` as CloudTrail wrote it: Security Lake keeps that map as text (an object as
    JSON text, ``readOnly`` as ``"true"``)."""
    if value.__class__ is str:
        if value[:1] in ("{", "["):
            return parse_json_text(value)
        if value in ("true", "false"):
            return value == "true"
    return value


def _time(item: dict[str, Any]) -> Any:
    """``eventTime`` as CloudTrail writes it, from OCSF's ``time`` (ms since the epoch), else ``time_dt``."""
    ms = item.get("time")
    if ms.__class__ is int and 0 <= ms < 7_258_118_400_000:  # (before 2200: the contract's bound)
        t = EPOCH + timedelta(milliseconds=ms)
        return t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{t.microsecond // 1000:03d}Z" if t.microsecond else "Z")
    return item.get("time_dt")

"""CloudTrail normalised to OCSF (Amazon Security Lake's API Activity, a SIEM's OCSF stream): read back
into CloudTrail's fields, the same actions as the raw records. The OCSF form of the fixture's records is
built here from the OCSF project's published CloudTrail mapping (field pairs in cloudtrail_ocsf.py)."""

from datetime import datetime
from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter

DATA = Path(__file__).parents[1] / "data" / "adapters"
RAW = orjson.loads((DATA / "cloudtrail_records.json").read_bytes())["Records"]
CORE = ("event_id", "agent_id", "time", "tool", "operation", "resource", "outcome", "credential_id", "source_ip",
        "session_id", "bytes", "model")


def as_ocsf(r: dict, arn_in: str = "uid") -> dict:
    """One CloudTrail record as OCSF API Activity (Security Lake's v2: the ARN in ``actor.user.uid``; OCSF
    1.0's: in ``uuid``, the principal id in ``uid``)."""
    ui = r.get("userIdentity", {})
    user = {"type": ui.get("type"), "name": ui.get("userName"), "credential_uid": ui.get("accessKeyId"),
            "account": {"uid": ui.get("accountId")}}
    if arn_in == "uid":
        user.update(uid=ui.get("arn"), uid_alt=ui.get("principalId"))
    else:
        user.update(uuid=ui.get("arn"), uid=ui.get("principalId"))
    session = ui.get("sessionContext", {})
    actor = {"user": {k: v for k, v in user.items() if v is not None}, "invoked_by": ui.get("invokedBy"),
             "session": {"issuer": session.get("sessionIssuer", {}).get("arn"),
                         "is_mfa": session.get("attributes", {}).get("mfaAuthenticated") == "true"}}
    mapped = {"eventID", "eventTime", "eventSource", "eventName", "userIdentity", "awsRegion", "sourceIPAddress", "userAgent",
              "requestParameters", "responseElements", "errorCode", "errorMessage", "requestID", "resources", "eventType",
              "eventVersion", "recipientAccountId"}
    t = datetime.fromisoformat(r["eventTime"])
    return {"class_uid": 6003, "class_name": "API Activity", "category_uid": 6, "activity_id": 0, "severity_id": 1,
            "time": int(t.timestamp() * 1000), "status": "Failure" if r.get("errorCode") else "Success",
            "metadata": {"uid": r["eventID"], "event_code": r.get("eventType"), "version": "1.1.0",
                         "product": {"name": "CloudTrail", "vendor_name": "AWS", "version": r.get("eventVersion")}},
            "api": {"service": {"name": r["eventSource"]}, "operation": r["eventName"],
                    "request": {"uid": r.get("requestID"), "data": r.get("requestParameters")},
                    "response": {"error": r.get("errorCode"), "message": r.get("errorMessage"), "data": r.get("responseElements")}},
            "actor": actor, "cloud": {"provider": "AWS", "region": r.get("awsRegion"), "account": {"uid": r.get("recipientAccountId")}},
            "src_endpoint": {"ip": r.get("sourceIPAddress")}, "http_request": {"user_agent": r.get("userAgent")},
            "resources": [{"uid": x.get("ARN"), "type": x.get("type")} for x in r.get("resources", [])],
            "unmapped": {k: v for k, v in r.items() if k not in mapped}}


def _actions(lines: list[bytes]) -> list:
    adapter = open_adapter("cloudtrail")
    return [x for n, line in enumerate(lines) for x in adapter.decode(line, f"f:{n + 1}")]


@pytest.mark.parametrize("arn_in", ["uid", "uuid"])
def test_ocsf_records_give_the_actions_of_the_raw_ones(arn_in):
    raw = [a for a in _actions([orjson.dumps(r) for r in RAW]) if isinstance(a, Action)]
    ocsf = _actions([orjson.dumps(as_ocsf(r, arn_in)) for r in RAW])
    assert all(isinstance(a, Action) for a in ocsf), [a for a in ocsf if not isinstance(a, Action)]
    assert len(ocsf) == len(raw) == 14  # (the duplicate eventID counts once; the AWS service's own call is skipped)
    assert [{k: getattr(a, k) for k in CORE} for a in ocsf] == [{k: getattr(a, k) for k in CORE} for a in raw]
    assert [a.attributes.get("user_agent") for a in ocsf] == [a.attributes.get("user_agent") for a in raw]


def test_security_lake_keeps_unmapped_values_as_text():
    """Security Lake's ``unmapped`` is a map of strings: ``additionalEventData`` as JSON text, ``readOnly`` as
    ``"true"``; read back, the bytes moved and the read-only verdict are the raw record's."""
    raw = [a for a in _actions([orjson.dumps(r) for r in RAW]) if isinstance(a, Action)]
    docs = []
    for r in RAW:
        d = as_ocsf(r)
        d["unmapped"] = {k: v if isinstance(v, str) else orjson.dumps(v).decode() for k, v in d["unmapped"].items()}
        d["api"]["request"]["data"] = orjson.dumps(d["api"]["request"]["data"]).decode()
        docs.append(orjson.dumps(d))
    ocsf = _actions(docs)
    assert [a.bytes for a in ocsf] == [a.bytes for a in raw] and any(a.bytes for a in raw)
    assert [(a.operation, a.resource) for a in ocsf] == [(a.operation, a.resource) for a in raw]


def test_the_catalogue_judges_ocsf_records_as_raw_ones():
    """StopLogging, a snapshot shared outside, an access key minted: the cloud rules fire the same."""
    def rules(lines):
        e = Engine()
        out = [o for a in _actions(lines) if isinstance(a, Action) for o in e.process(a)] + e.flush()
        return sorted(o.rule_id for o in out if hasattr(o, "rule_id") and o.rule_id.startswith("cloud."))
    raw = rules([orjson.dumps(r) for r in RAW])
    assert raw and rules([orjson.dumps(as_ocsf(r)) for r in RAW]) == raw


def test_an_ocsf_event_that_is_no_call_is_a_dead_letter_with_its_reason():
    (bad,) = _actions([orjson.dumps({"class_uid": 6003, "metadata": {"uid": "x"}, "api": {"operation": "StopLogging"},
                                     "actor": {"user": {"uid": "arn:aws:iam::1:user/a"}}, "time": 1764496800000})])
    assert isinstance(bad, BadRecord) and bad.reason.startswith("OCSF event without api.service.name")

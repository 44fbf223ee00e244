"""The simulated fleet's cloud calls as AWS CloudTrail records, in S3 log files.

Every native action whose tool is a cloud call (``service:ApiName``, e.g. ``s3:GetObject``)
becomes one record, written as CloudTrail would: the agent as an assumed-role session of a
role named after it (``arn:aws:sts::<acct>:assumed-role/<agent>/<session>``), the credential
as ``accessKeyId``, the resource in ``resources[].ARN``, bytes in
``additionalEventData.bytesTransferredOut``, an outcome other than success as an ``errorCode``,
the call's arguments as ``requestParameters``. What CloudTrail has no place for is not written:
the data domain, the task, the model the agent runs on (a Bedrock call names the model it
invokes), a failure that is neither denied nor an error (written as an error).

Replayed with ``agent_from: name`` and ``credential_prefix`` matching the fleet's credential
names, the records give back the native actions except for those fields and the operation
where CloudTrail's verb table reads the API differently (``operations`` overrides those):
``tests/unit/test_adapter_parity.py`` says which rules then agree.
"""

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

CLOUD_CALL = re.compile(r"^([a-z0-9-]+):([A-Z][A-Za-z0-9]+)$")
ACCOUNT = "111122223333"
_ERRORS = {"denied": "AccessDenied", "error": "InternalFailure", "failure": "InternalFailure"}


def is_cloud_call(tool: str) -> bool:
    return CLOUD_CALL.match(tool) is not None


def record_of(a: dict[str, Any], account: str = ACCOUNT, credential_prefix: str = "aws:") -> dict[str, Any]:
    """One native cloud action (as JSON) as a CloudTrail record."""
    service, name = CLOUD_CALL.match(a["tool"]).groups()  # type: ignore[union-attr]
    session = a.get("session_id") or "session"
    key = a.get("credential_id") or ""
    identity = {
        "type": "AssumedRole", "principalId": f"AROA{hashlib.sha256(a['agent_id'].encode()).hexdigest()[:16].upper()}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{a['agent_id']}/{session}", "accountId": account,
        "accessKeyId": key[len(credential_prefix):] if key.startswith(credential_prefix) else key,
        "sessionContext": {"sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{account}:role/{a['agent_id']}",
                                             "accountId": account, "userName": a["agent_id"]},
                           "attributes": {"mfaAuthenticated": "false"}},
    }
    extra = a.get("attributes") or {}
    params = extra.get("arguments")
    record: dict[str, Any] = {
        "eventVersion": "1.11", "userIdentity": identity, "eventTime": a["time"],
        "eventSource": f"{service}.amazonaws.com", "eventName": name, "awsRegion": "us-east-1",
        "sourceIPAddress": a.get("source_ip") or "AWS Internal", "userAgent": extra.get("user_agent", "aws-sdk"),
        "requestParameters": params if isinstance(params, dict) else None, "responseElements": None,
        "eventID": a["event_id"], "readOnly": a["operation"] in ("read", "list"), "eventType": "AwsApiCall",
        "managementEvent": True, "recipientAccountId": account,
    }
    resource = a.get("resource")
    if resource:
        if resource.startswith("arn:"):
            record["resources"] = [{"ARN": resource, "accountId": account}]
        else:
            record["requestParameters"] = {**(record["requestParameters"] or {}), "name": resource}
    if a.get("bytes"):
        record["additionalEventData"] = {"bytesTransferredIn": 0, "bytesTransferredOut": a["bytes"]}
    outcome = a.get("outcome", "success")
    if outcome != "success":
        record["errorCode"] = _ERRORS[outcome]
        record["errorMessage"] = f"simulated {outcome}"
    model = a.get("model")
    if service == "bedrock" and model:
        record["requestParameters"] = {**(record["requestParameters"] or {}), "modelId": model["id"]}
    return record


def cloudtrail_files(actions: Iterable[dict[str, Any]], per_file: int = 500) -> Iterator[dict[str, Any]]:
    """``{"Records": [...]}`` documents of ``per_file`` records of the cloud calls among ``actions``."""
    records: list[dict] = []
    for a in actions:
        if is_cloud_call(a["tool"]):
            records.append(record_of(a))
            if len(records) == per_file:
                yield {"Records": records}
                records = []
    if records:
        yield {"Records": records}


def replay_options(actions: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """CloudTrail adapter options that read the records back as the fleet's agents: agents by
    role name, credentials with the fleet's ``aws:`` prefix, and the operation of each API where
    the fleet's vocabulary and CloudTrail's verb table differ (``sts:AssumeRole``: the fleet
    says authenticate, the table grant)."""
    from intentwatch.pipeline.io.adapters.cloudtrail_operations import operation_of

    operations: dict[str, str] = {}
    for a in actions:
        m = CLOUD_CALL.match(a["tool"])
        if m and a["tool"] not in operations and operation_of(f"{m.group(1)}.amazonaws.com", m.group(2)) != a["operation"]:
            operations[a["tool"]] = a["operation"]
    return {"agent_from": "name", "credential_prefix": "aws:", "operations": dict(sorted(operations.items()))}


def write_cloudtrail(actions: Path, out: Path, per_file: int = 500) -> int:
    """Write the cloud calls of a native actions file as gzip S3 log files under ``out``
    (``AWSLogs/<account>/CloudTrail/us-east-1/…``) and the adapter options that read them back
    (``out/cloudtrail.options.yaml``). Returns the number of records written."""
    import gzip

    import yaml

    def actions_of() -> Iterator[dict]:
        with open(actions, "rb") as fh:
            for line in fh:
                if line.strip():
                    yield orjson.loads(line)

    folder = out / "AWSLogs" / ACCOUNT / "CloudTrail" / "us-east-1"
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for i, doc in enumerate(cloudtrail_files(actions_of(), per_file)):
        (folder / f"{ACCOUNT}_CloudTrail_us-east-1_{i:06d}.json.gz").write_bytes(gzip.compress(orjson.dumps(doc), mtime=0))
        n += len(doc["Records"])
    (out / "cloudtrail.options.yaml").write_text(
        "# intentwatch replay <this folder> --format cloudtrail --adapter-options <this file>\n"
        + yaml.safe_dump(replay_options(actions_of()), sort_keys=False))
    return n

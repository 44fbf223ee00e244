"""CloudTrail as real trails deliver it, beyond API calls by roles: console sign-ins, Identity Center
users, AWS services, the digest and Insights files S3 holds beside the logs, CloudWatch Logs copies.
Fixtures written from the CloudTrail and CloudWatch Logs documentation (record contents, file layout)."""

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from intentwatch.models.action import Action
from intentwatch.models.alert import Alert
from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.cli import app
from intentwatch.pipeline.io.adapters import BadRecord, read_tree, sniff_format
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters.cloudtrail import CloudTrailAdapter, CloudTrailOptions

DATA = Path(__file__).parents[1] / "data" / "adapters"
S3 = DATA / "cloudtrail_s3"
ACCOUNT = "111122223333"


def run(path, services="skip"):
    adapter = CloudTrailAdapter(CloudTrailOptions(services=services))
    results = list(read_tree(adapter, path))
    return adapter, [r for r in results if isinstance(r, Action)], [r for r in results if isinstance(r, BadRecord)]


def test_an_s3_prefix_with_digest_and_insight_files_gives_no_dead_letters():
    adapter, actions, bad = run(S3)
    assert bad == []
    # the log file's records but CloudTrail's own check of its bucket; the empty file, the digest and the insight add none
    assert len(actions) == 5
    assert adapter.skipped == {"digest file": 1, "insight event": 1, "an AWS service acting as itself": 1}


def test_failed_console_sign_in_is_denied_and_names_who_tried():
    _, actions, _ = run(S3)
    logins = [a for a in actions if a.tool == "signin:ConsoleLogin"]
    assert [(a.agent_id, a.outcome, a.operation) for a in logins] == [
        (f"arn:aws:iam::{ACCOUNT}:user/ana", "denied", "authenticate"),
        ("IAMUser:HIDDEN_DUE_TO_SECURITY_REASONS", "denied", "authenticate"),  # no such user: no arn, no principalId
        (f"arn:aws:iam::{ACCOUNT}:root", "success", "authenticate"),
    ]
    assert logins[0].attributes["error_message"] == "Failed authentication"


def test_identity_center_user_is_its_user_id_and_credential():
    _, actions, _ = run(S3)
    (a,) = [a for a in actions if a.tool == "sso:ListAccountAssignments"]
    assert a.agent_id == "IdentityCenterUser:94a8f4c8-3011-70f2-5b1e-7d2c4e6a9b10"
    assert a.credential_id == "Zk3vQd7WnT2pLr8sXy4uJh6bNc1mAe5oGi9EXAMPLE"
    assert (a.operation, a.attributes["identity_type"]) == ("list", "IdentityCenterUser")


def test_aws_service_call_and_auth_failure():
    _, actions, _ = run(S3, services="keep")
    got = {a.tool: a for a in actions}
    svc = got["s3:GetBucketAcl"]
    assert (svc.agent_id, svc.source_ip, svc.attributes["source_address"], svc.bytes) == (
        "cloudtrail.amazonaws.com", None, "cloudtrail.amazonaws.com", 540)
    assert got["ec2:DescribeSecurityGroups"].outcome == "denied"  # errorCode AuthFailure


def test_cloudwatch_logs_subscription_data_as_firehose_writes_it_to_s3():
    adapter, actions, bad = run(DATA / "cloudtrail_cloudwatch_firehose.json")
    assert [(a.tool, a.agent_id, a.resource) for a in actions] == [
        ("secretsmanager:GetSecretValue", f"arn:aws:iam::{ACCOUNT}:role/report-agent", "prod/reporting/db"),
        ("secretsmanager:ListSecrets", f"arn:aws:iam::{ACCOUNT}:role/report-agent", None)]
    assert adapter.skipped == {"CloudWatch Logs control message": 1}
    (b,) = bad  # the log event whose message was cut off
    assert b.source.endswith("cloudtrail_cloudwatch_firehose.json:1#obj1#logEvents[2]")  # line 1, its second object
    assert b.reason.startswith("message is not valid JSON")


def test_siem_exports_that_keep_the_record_as_text(tmp_path):
    """Splunk's search export ({"preview", "offset", "result": {"_raw", "_time", "sourcetype"}}), a plain
    _raw event, and Elastic's ECS documents that keep the record in event.original: the records' own actions."""
    records = orjson.loads((DATA / "cloudtrail_records.json").read_bytes())["Records"]
    _, want, _ = run(DATA / "cloudtrail_records.json")
    for i, wrap in enumerate((
            lambda r: {"preview": False, "offset": 0, "result": {"_raw": orjson.dumps(r).decode(), "_time": r["eventTime"],
                                                                 "sourcetype": "aws:cloudtrail", "source": "s3://trail/"}},
            lambda r: {"_raw": orjson.dumps(r).decode(), "_time": r["eventTime"], "index": "aws"},
            lambda r: {"@timestamp": r["eventTime"], "event": {"original": orjson.dumps(r).decode(), "action": r["eventName"],
                                                                "provider": r["eventSource"], "kind": "event"},
                       "cloud": {"provider": "aws"}, "aws": {"cloudtrail": {"event_version": r["eventVersion"]}}})):
        path = tmp_path / f"export{i}.jsonl"
        path.write_bytes(b"".join(orjson.dumps(wrap(r)) + b"\n" for r in records) + b'{"_raw": "{\\"eventVersion\\": "}\n')
        _, got, bad = run(path)
        assert [a.model_dump() for a in got] == [a.model_dump() for a in want]
        assert [b.reason.split(":")[0] for b in bad] == ["_raw is not valid JSON"]  # the cut one, its reason its own


def test_filter_log_events_output():
    _, actions, bad = run(DATA / "cloudtrail_filter_log_events.json")
    assert bad == [] and [a.event_id for a in actions] == ["5e0c2a14-7b3d-4f1e-9c8a-2d6b4f0e1a31"]


def test_concatenated_objects_cut_mid_way_keep_the_complete_ones(tmp_path):
    text = (DATA / "cloudtrail_cloudwatch_firehose.json").read_text()
    path = tmp_path / "firehose-cut.json"
    path.write_text(text + '{"messageType": "DATA_MESSAGE", "logEvents": [')
    _, actions, bad = run(path)
    assert len(actions) == 2
    assert [b.reason.split(";")[0] for b in bad][-1].startswith("invalid JSON")
    assert "2 complete object(s)" in bad[-1].reason


def _console_trail(tmp_path) -> Path:
    """A person in the console (an Identity Center permission set's role, sessionCredentialFromConsole)
    opening a bucket to everyone, then a script of another role listing buckets with an SDK."""
    person = {"type": "AssumedRole", "principalId": "AROAEXAMPLEID:alice@example.com", "accountId": ACCOUNT,
              "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@example.com",
              "accessKeyId": "ASIAEXAMPLECONSOLE1",
              "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEID", "accountId": ACCOUNT,
                                                   "arn": f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/"
                                                          "AWSReservedSSO_Admin_0123456789abcdef",
                                                   "userName": "AWSReservedSSO_Admin_0123456789abcdef"},
                                 "attributes": {"creationDate": "2026-11-30T09:58:02Z", "mfaAuthenticated": "false"}}}
    script = {"type": "AssumedRole", "principalId": "AROAEXAMPLEID2:nightly", "accountId": ACCOUNT,
              "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/nightly-report/nightly", "accessKeyId": "ASIAEXAMPLESCRIPT1"}
    policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",' \
             '"Resource":"arn:aws:s3:::press-kit/*"}]}'
    records = [
        {"eventVersion": "1.09", "userIdentity": person, "eventTime": "2026-11-30T10:01:12Z", "eventSource": "s3.amazonaws.com",
         "eventName": "ListBuckets", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.24", "userAgent": "AWS Internal",
         "requestParameters": {"Host": "s3.amazonaws.com"}, "responseElements": None, "eventID": "c0e1d2a3-0001-4c5d-8e9f-0a1b2c3d4e5f",
         "readOnly": True, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
         "eventCategory": "Management", "sessionCredentialFromConsole": "true"},
        {"eventVersion": "1.09", "userIdentity": person, "eventTime": "2026-11-30T10:02:40Z", "eventSource": "s3.amazonaws.com",
         "eventName": "PutBucketPolicy", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.24",
         "userAgent": "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10]",
         "requestParameters": {"bucketName": "press-kit", "bucketPolicy": policy, "Host": "press-kit.s3.amazonaws.com"},
         "responseElements": None, "eventID": "c0e1d2a3-0002-4c5d-8e9f-0a1b2c3d4e5f", "readOnly": False,
         "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT, "eventCategory": "Management",
         "sessionCredentialFromConsole": "true"},
        {"eventVersion": "1.09", "userIdentity": script, "eventTime": "2026-11-30T10:03:05Z", "eventSource": "s3.amazonaws.com",
         "eventName": "ListBuckets", "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.9",
         "userAgent": "Boto3/1.35.10 md/Botocore#1.35.10 ua/2.0 os/linux Python/3.12.4",
         "requestParameters": {"Host": "s3.amazonaws.com"}, "responseElements": None, "eventID": "c0e1d2a3-0003-4c5d-8e9f-0a1b2c3d4e5f",
         "readOnly": True, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT,
         "eventCategory": "Management"},
    ]
    path = tmp_path / "console.json"
    path.write_text(orjson.dumps({"Records": records}).decode())
    return path


@pytest.mark.parametrize("judge_console", [False, True])
def test_a_person_in_the_console_is_no_shadow_agent_but_is_judged_by_the_catalogue(tmp_path, judge_console):
    _, actions, bad = run(_console_trail(tmp_path))
    assert bad == [] and [a.attributes.get("console_session") for a in actions] == ["true", "true", None]
    rules = {"lifecycle.shadow_agent": {"params": {"console_sessions": True}}} if judge_console else None
    e = Engine(EngineConfig.model_validate({"rules": rules or {}}))
    out = [o for a in actions for o in e.process(a)] + e.flush()
    alerts = sorted((o.agent_id.rsplit("/", 1)[-1], o.rule_id) for o in out if isinstance(o, Alert) and o.status == "open")
    person = "AWSReservedSSO_Admin_0123456789abcdef"
    assert alerts == sorted([(person, "cloud.data_opened_to_outsiders"), ("nightly-report", "lifecycle.shadow_agent")]
                            + ([(person, "lifecycle.shadow_agent")] if judge_console else []))


def test_console_sessions_param_must_be_a_boolean():
    with pytest.raises(ConfigError, match="console_sessions must be true or false"):
        Engine(EngineConfig.model_validate({"rules": {"lifecycle.shadow_agent": {"params": {"console_sessions": "yes"}}}}))


def test_suggest_drafts_no_manifest_for_a_person_in_the_console(tmp_path):
    r = CliRunner().invoke(app, ["intents", "suggest", str(_console_trail(tmp_path)), "--format", "cloudtrail",
                                 "--out", str(tmp_path / "drafts")])
    assert r.exit_code == 0, r.output
    assert "1 draft(s) written" in r.output and "2 made in the AWS console (people, not agents) not used" in r.output
    assert [p.name for p in (tmp_path / "drafts").iterdir()] == [f"arn_aws_iam__{ACCOUNT}_role_nightly-report.yaml"]


SERVICE_EVENT = {"eventVersion": "1.08", "userIdentity": {"accountId": ACCOUNT, "invokedBy": "AWS Internal"},
                 "eventTime": "2026-11-30T10:00:00Z", "eventSource": "kms.amazonaws.com", "eventName": "RotateKey",
                 "awsRegion": "us-east-1", "sourceIPAddress": "AWS Internal", "userAgent": "AWS Internal",
                 "requestParameters": None, "responseElements": None, "eventID": "b7d1c2e3-0001-4a5b-9c8d-7e6f5a4b3c2d",
                 "readOnly": False, "resources": [{"ARN": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                                                   "accountId": ACCOUNT, "type": "AWS::KMS::Key"}],
                 "eventType": "AwsServiceEvent", "managementEvent": True, "recipientAccountId": ACCOUNT,
                 "serviceEventDetails": {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}, "eventCategory": "Management"}
ANONYMOUS_READ = {"eventVersion": "1.09", "userIdentity": {"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"},
                  "eventTime": "2026-11-30T10:00:01Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
                  "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9", "userAgent": "curl/8.5.0",
                  "requestParameters": {"bucketName": "press-kit", "key": "logo.png", "Host": "press-kit.s3.amazonaws.com"},
                  "responseElements": None, "eventID": "b7d1c2e3-0002-4a5b-9c8d-7e6f5a4b3c2d", "readOnly": True,
                  "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::press-kit/logo.png"}],
                  "eventType": "AwsApiCall", "managementEvent": False, "recipientAccountId": ACCOUNT, "eventCategory": "Data"}


def test_a_service_event_and_an_anonymous_read_are_no_ones_actions(tmp_path):
    # KMS rotating a key on schedule (an AwsServiceEvent: invokedBy alone) and a public object read by anyone:
    # each was a shadow agent ("AWS Internal", "AWSAccount:ANONYMOUS_PRINCIPAL") nobody can register
    path = tmp_path / "events.json"
    path.write_bytes(orjson.dumps({"Records": [SERVICE_EVENT, ANONYMOUS_READ]}))
    adapter, actions, bad = run(path)
    assert (actions, bad) == ([], [])
    assert adapter.skipped == {"an AWS service acting as itself": 1, "an anonymous request (no identity)": 1}
    kept = CloudTrailAdapter(CloudTrailOptions(services="keep", anonymous="keep"))
    assert [a.agent_id for a in read_tree(kept, path) if isinstance(a, Action)] == ["AWS Internal", "AWSAccount:ANONYMOUS_PRINCIPAL"]


# Two rows of Athena's CloudTrail table (the columns of the table the CloudTrail console creates) as an
# UNLOAD to JSON or a data lake's export writes them: every name in lower case, the parameters as JSON text.
ATHENA_ROWS = [
    {"eventversion": "1.09", "useridentity": {
        "type": "AssumedRole", "principalid": "AROAEXAMPLEROLE00001:deploy-42", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/ci-deployer/deploy-42",
        "accountid": ACCOUNT, "invokedby": None, "accesskeyid": "ASIAEXAMPLE000000042", "username": None,
        "sessioncontext": {"attributes": {"mfaauthenticated": "false", "creationdate": "2026-11-30T09:58:00Z"},
                           "sessionissuer": {"type": "Role", "principalid": "AROAEXAMPLEROLE00001",
                                             "arn": f"arn:aws:iam::{ACCOUNT}:role/ci-deployer", "accountid": ACCOUNT,
                                             "username": "ci-deployer"}, "ec2roledelivery": None, "webidfederationdata": None}},
     "eventtime": "2026-11-30 10:00:00.000", "eventsource": "s3.amazonaws.com", "eventname": "PutBucketPolicy",
     "awsregion": "us-east-1", "sourceipaddress": "198.51.100.23", "useragent": "aws-cli/2.15.0 Python/3.11.6",
     "errorcode": None, "errormessage": None,
     "requestparameters": orjson.dumps({"bucketName": "finance-data", "bucketPolicy": {"Version": "2012-10-17", "Statement": [
         {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::finance-data/*"}]}}).decode(),
     "responseelements": None, "additionaleventdata": '{"SignatureVersion": "SigV4", "bytesTransferredIn": 0}',
     "requestid": "R1", "eventid": "5d1b2c3e-0001-4a5b-9c8d-7e6f5a4b3c2d", "readonly": "false",
     "resources": [{"arn": "arn:aws:s3:::finance-data", "accountid": ACCOUNT, "type": "AWS::S3::Bucket"}],
     "eventtype": "AwsApiCall", "apiversion": None, "recipientaccountid": ACCOUNT, "serviceeventdetails": None,
     "sharedeventid": None, "vpcendpointid": None, "eventcategory": "Management",
     "tlsdetails": {"tlsversion": "TLSv1.3", "ciphersuite": "TLS_AES_128_GCM_SHA256", "clientprovidedhostheader": "s3.amazonaws.com"}},
    {"eventversion": "1.09", "useridentity": {"type": "IAMUser", "principalid": "AIDAEXAMPLEUSER00001",
                                              "arn": f"arn:aws:iam::{ACCOUNT}:user/auditor", "accountid": ACCOUNT,
                                              "accesskeyid": "AKIAEXAMPLE000000001", "username": "auditor"},
     "eventtime": "2026-11-30 10:00:05.000", "eventsource": "iam.amazonaws.com", "eventname": "ListUsers",
     "awsregion": "us-east-1", "sourceipaddress": "198.51.100.24", "useragent": "Boto3/1.34.0", "requestparameters": None,
     "eventid": "5d1b2c3e-0002-4a5b-9c8d-7e6f5a4b3c2d", "readonly": "true", "eventtype": "AwsApiCall",
     "recipientaccountid": ACCOUNT, "eventcategory": "Management"},
]


def test_a_query_engine_s_rows_with_lower_case_names_are_read_as_records(tmp_path):
    """Athena's CloudTrail table and data lakes name every column in lower case and keep the parameters as
    JSON text: read under CloudTrail's names, found by the format sniffer, judged like the S3 file's record."""
    path = tmp_path / "athena.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in ATHENA_ROWS))
    assert sniff_format(path) == "cloudtrail"
    _, actions, bad = run(path)
    assert bad == []
    put, listed = actions
    assert (put.agent_id, put.tool, put.operation, put.resource, put.credential_id, put.source_ip, put.session_id) == (
        f"arn:aws:iam::{ACCOUNT}:role/ci-deployer", "s3:PutBucketPolicy", "grant", "arn:aws:s3:::finance-data",
        "ASIAEXAMPLE000000042", "198.51.100.23", "deploy-42")
    assert put.attributes["arguments"]["bucketPolicy"]["Statement"][0]["Principal"] == "*"
    assert put.attributes["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"] == "ci-deployer"
    assert (listed.tool, listed.operation, listed.attributes["read_only"]) == ("iam:ListUsers", "list", True)
    e = Engine()
    opened = [o.rule_id for a in actions for o in e.process(a) if isinstance(o, Alert) and o.rule_id.startswith("cloud.")]
    assert opened == ["cloud.data_opened_to_outsiders"]


# Elastic's AWS integration (ECS, its field reference): the record under aws.cloudtrail in snake case, its name,
# source, id, time, region, address and client moved to ECS fields; no event.original (kept only on request).
ECS_DOC = {"@timestamp": "2026-11-30T10:00:00.000Z", "cloud": {"region": "us-east-1", "account": {"id": ACCOUNT}},
           "event": {"action": "StopLogging", "provider": "cloudtrail.amazonaws.com", "id": "7c1a2b3d-0001-4a5b-9c8d-7e6f5a4b3c2d",
                     "outcome": "success", "kind": "event", "module": "aws", "dataset": "aws.cloudtrail"},
           "source": {"address": "198.51.100.23", "ip": "198.51.100.23"},
           "user_agent": {"original": "aws-cli/2.15.0 Python/3.11.6"},
           "aws": {"cloudtrail": {"event_version": "1.09", "event_type": "AwsApiCall", "recipient_account_id": ACCOUNT,
                                  "event_category": "Management", "management_event": True,
                                  "user_identity": {"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/ci-deployer/run-9",
                                                    "access_key_id": "ASIAEXAMPLE000000009",
                                                    "session_context": {"mfa_authenticated": "false", "creation_date": "2026-11-30T09:58:00Z",
                                                                        "session_issuer": {"type": "Role", "principal_id": "AROAEXAMPLEROLE00001",
                                                                                           "arn": f"arn:aws:iam::{ACCOUNT}:role/ci-deployer",
                                                                                           "account_id": ACCOUNT}}},
                                  "request_parameters": "{name=org-trail}",
                                  "flattened": {"request_parameters": {"name": "org-trail"}}}}}


def _dotted(doc: dict, prefix: str = "") -> dict:
    """The document's fields as dotted keys (an export of its fields)."""
    out: dict = {}
    for k, v in doc.items():
        if isinstance(v, dict) and k != "request_parameters" and not prefix.endswith("flattened."):
            out.update(_dotted(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def test_elastic_ecs_documents_and_snake_case_rows_are_read_as_records(tmp_path):
    """Elastic's AWS integration keeps the record under aws.cloudtrail in snake case (the whole record only on
    request, event.original); a warehouse connector names the fields in snake case. Both read under
    CloudTrail's names, nested or as dotted keys, and are judged like the record."""
    snake = {"event_version": "1.09", "event_time": "2026-11-30T10:00:01Z", "event_source": "cloudtrail.amazonaws.com",
             "event_name": "StopLogging", "event_id": "7c1a2b3d-0002-4a5b-9c8d-7e6f5a4b3c2d", "aws_region": "us-east-1",
             "source_ip_address": "198.51.100.23", "user_agent": "aws-cli/2.15.0", "read_only": "false",
             "request_parameters": '{"name": "org-trail-2"}', "recipient_account_id": ACCOUNT,
             "user_identity": {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/ops", "access_key_id": "AKIAEXAMPLE000000002",
                               "account_id": ACCOUNT, "user_name": "ops"}}
    flat = {**_dotted(ECS_DOC), "event.id": "7c1a2b3d-0003-4a5b-9c8d-7e6f5a4b3c2d"}
    path = tmp_path / "siem.jsonl"
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in (ECS_DOC, snake, flat)))
    assert sniff_format(path) == "cloudtrail"
    _, actions, bad = run(path)
    assert bad == []
    assert [(a.event_id[-4:], a.agent_id, a.tool, a.operation, a.credential_id, a.source_ip, a.attributes.get("arguments"))
            for a in actions] == [  # (in time order: the dotted copy's time is the document's)
        ("3c2d", f"arn:aws:iam::{ACCOUNT}:role/ci-deployer", "cloudtrail:StopLogging", "configure", "ASIAEXAMPLE000000009",
         "198.51.100.23", {"name": "org-trail"})] * 2 + [
        ("3c2d", f"arn:aws:iam::{ACCOUNT}:user/ops", "cloudtrail:StopLogging", "configure", "AKIAEXAMPLE000000002", "198.51.100.23",
         {"name": "org-trail-2"})]
    assert [a.event_id[9:13] for a in actions] == ["0001", "0003", "0002"]
    assert actions[0].attributes["user_agent"] == "aws-cli/2.15.0 Python/3.11.6" and actions[0].attributes["aws_region"] == "us-east-1"
    e = Engine()
    assert [o.rule_id for a in actions for o in e.process(a) if isinstance(o, Alert) and o.rule_id.startswith("cloud.")] == [
        "cloud.logging_disabled", "cloud.logging_disabled"]  # (the dotted copy: the same role within the rule's cooldown)

"""CloudTrail as real trails deliver it, beyond API calls by roles: console sign-ins, Identity Center
users, AWS services, the digest and Insights files S3 holds beside the logs, CloudWatch Logs copies.
Fixtures written from the CloudTrail and CloudWatch Logs documentation (record contents, file layout)."""

from pathlib import Path

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, read_tree
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
    assert b.source.endswith("cloudtrail_cloudwatch_firehose.json#obj1#logEvents[2]")
    assert b.reason.startswith("message is not valid JSON")


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

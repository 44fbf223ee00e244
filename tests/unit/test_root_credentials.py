"""credential.root_used: the account's root user making requests, from its first call (CloudTrail
records as the service writes them, through the CloudTrail adapter)."""

import orjson

from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters.cloudtrail import CloudTrailAdapter
from tests.unit.test_cloud_techniques import ACCOUNT, judged, rec

RULE = ("credential.root_used",)
ROOT = {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT,
        "accessKeyId": "AKIAEXAMPLEROOTKEY01"}
ROOT_ARN = ROOT["arn"]


def test_a_root_request_is_raised_from_the_first_call_allowed_or_refused_and_pages_when_it_changes_something():
    assert judged(rec("s3:ListBuckets", who=ROOT), agent=ROOT_ARN, prefixes=RULE) == ["credential.root_used"]
    assert judged(rec("iam:CreateAccessKey", who=ROOT, error="AccessDenied"), agent=ROOT_ARN, prefixes=RULE) == ["credential.root_used"]
    adapter, e = CloudTrailAdapter(), Engine()
    sev = {}
    for r in (rec("s3:ListBuckets", who=ROOT), rec("iam:CreateUser", {"userName": "backup-admin"}, who=ROOT, at=5)):
        [a] = adapter.decode(orjson.dumps(r), "fixture")
        sev.update({o.evidence.action["tool"]: o.severity for o in e.process(a) if isinstance(o, Alert) and o.rule_id == RULE[0]})
    assert sev == {"s3:ListBuckets": "medium", "iam:CreateUser": "high"}


def test_service_made_calls_the_sign_in_itself_and_other_identities_are_not_this_rules():
    service = {**ROOT, "invokedBy": "support.amazonaws.com"}
    assert judged(rec("iam:ListRoles", who=service), agent=ROOT_ARN, prefixes=RULE) == []
    assert judged(rec("kms:Decrypt", who=ROOT, eventType="AwsServiceEvent"), agent=ROOT_ARN, prefixes=RULE) == []
    signin = rec("signin:ConsoleLogin", who=ROOT, responseElements={"ConsoleLogin": "Success"}, eventType="AwsConsoleSignIn")
    assert judged(signin, agent=ROOT_ARN, prefixes=("credential.root_used", "cloud.console_sign_in_unprotected")) == [
        "cloud.console_sign_in_unprotected"]
    assert judged(rec("s3:ListBuckets"), prefixes=RULE) == []  # an IAM user


def test_a_break_glass_manifest_that_declares_the_call_is_quiet():
    assert judged(rec("account:PutAlternateContact", who=ROOT), agent=ROOT_ARN, declares=["account:PutAlternateContact"],
                  prefixes=RULE) == []
    assert judged(rec("iam:CreateUser", who=ROOT), agent=ROOT_ARN, declares=["account:PutAlternateContact"],
                  prefixes=RULE) == ["credential.root_used"]


def test_root_at_the_console_is_root_at_work():
    """Root's console session creates an access key under ``invokedBy: signin.amazonaws.com`` (the
    console's own endpoint, not a service acting for it): a key on root, which CIS says must not exist."""
    console = {**ROOT, "invokedBy": "signin.amazonaws.com"}
    key = rec("iam:CreateAccessKey", None, who=console, ua="signin.amazonaws.com",
              responseElements={"accessKey": {"accessKeyId": "AKIAEXAMPLEROOTKEY01", "status": "Active"}})
    assert judged(key, agent=ROOT_ARN, prefixes=RULE) == ["credential.root_used"]

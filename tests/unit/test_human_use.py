"""credential.human_use: a registered agent's identity used by a person at the AWS console (OWASP
NHI10), from CloudTrail records as the service writes them, through the CloudTrail adapter."""

import orjson

from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters.cloudtrail import CloudTrailAdapter
from tests.factories import instantiate, manifest
from tests.unit.test_cloud_techniques import USER, USER_ARN, judged, rec

RULE = ("credential.human_use",)
TOOLS = ["s3:*", "iam:*", "signin:*", "kms:*"]
BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"


def test_a_registered_agents_console_session_is_raised_and_pages_when_it_changes_something():
    adapter, e = CloudTrailAdapter(), Engine()
    e.process(instantiate(manifest(USER_ARN, allowed={"tools": TOOLS, "operations": ["read", "list", "write", "configure"]},
                                   credentials=[], model=None, schedule=None, rate_limit=None)))
    sev = {}
    for r in (rec("s3:ListBuckets", ua="AWS Internal", sessionCredentialFromConsole="true"),
              rec("s3:PutBucketVersioning", {"bucketName": "b"}, ua=BROWSER, at=5)):
        [a] = adapter.decode(orjson.dumps(r), "fixture")
        sev.update({o.evidence.action["tool"]: o.severity for o in e.process(a) if isinstance(o, Alert) and o.rule_id == RULE[0]})
    assert sev == {"s3:ListBuckets": "medium", "s3:PutBucketVersioning": "high"}


def test_each_console_signal_alone_is_enough():
    for r in (rec("s3:ListBuckets", sessionCredentialFromConsole="true"),
              rec("signin:ConsoleLogin", ua=BROWSER, eventType="AwsConsoleSignIn", responseElements={"ConsoleLogin": "Success"}),
              rec("s3:GetBucketPolicy", {"bucketName": "b"}, ua="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10]"),
              rec("iam:ListRoles", ua="console.amazonaws.com")):
        assert judged(r, declares=TOOLS, prefixes=RULE) == [RULE[0]], r["eventName"]


def test_sdk_calls_service_made_calls_aws_internal_alone_and_unregistered_people_are_quiet():
    assert judged(rec("s3:ListBuckets"), declares=TOOLS, prefixes=RULE) == []  # the aws-cli
    assert judged(rec("kms:Decrypt", ua="AWS Internal"), declares=TOOLS, prefixes=RULE) == []
    for_caller = {**USER, "invokedBy": "cloudformation.amazonaws.com"}
    assert judged(rec("s3:ListBuckets", who=for_caller, ua="cloudformation.amazonaws.com", sessionCredentialFromConsole="true"),
                  declares=TOOLS, prefixes=RULE) == []
    # no manifest: neither this rule nor the shadow gate (a person at the console is not an agent)
    assert judged(rec("s3:ListBuckets", ua=BROWSER, sessionCredentialFromConsole="true"),
                  prefixes=RULE + ("lifecycle.shadow_agent",)) == []
    assert judged(rec("s3:ListBuckets"), prefixes=RULE + ("lifecycle.shadow_agent",)) == ["lifecycle.shadow_agent"]

"""Cloud identity abuse from the first call: each catalogue rule fires on its CloudTrail call and
stays quiet on the benign look-alike (declared administration, a near-miss parameter)."""

import json
from datetime import timedelta

import pytest

from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.catalog import load_catalog
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.detectors import REGISTRY
from intentwatch.pipeline.engine.engine import Engine
from tests.factories import action, instantiate, manifest

ACCOUNT = "111122223333"
OUTSIDER = "999988887777"


def ct(name: str, params=None, agent="arn:aws:iam::111122223333:user/deploy-bot", at=0.0, ip="198.51.100.7",
       outcome="success", ua="Boto3/1.34.1 Python/3.12", key="AKIAEXAMPLE1", **attrs):
    """A CloudTrail record as an adapter maps it: tool service:EventName, attributes as CloudTrail has them."""
    src, event = name.split(":")
    return action(agent_id=agent, tool=f"{src}.amazonaws.com:{event}", operation="configure", resource=None, data_domain=None,
                  credential_id=key, source_ip=ip, model=None, outcome=outcome, at=timedelta(seconds=at),
                  attributes={"eventSource": f"{src}.amazonaws.com", "eventName": event, "requestParameters": params or {},
                              "recipientAccountId": ACCOUNT, "userAgent": ua, **attrs})


def fired(*events, rules=None) -> list[Alert]:
    e = Engine(rules=rules)
    out = []
    for ev in events:
        out += e.process(ev)
    # Only this family's rules: the shadow gate and the learned chains judge these calls too.
    return [o for o in out + e.flush() if isinstance(o, Alert) and o.status == "open" and o.rule_id.startswith(("cloud.", "credential."))]


def ids(*events, rules=None) -> list[str]:
    return [a.rule_id for a in fired(*events, rules=rules)]


def policy(principal, condition=None) -> str:
    st = {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


@pytest.mark.parametrize("rule, bad, near_miss", [
    ("cloud.logging_disabled", ct("cloudtrail:StopLogging", {"name": "main"}), ct("cloudtrail:StartLogging", {"name": "main"})),
    ("cloud.logging_disabled", ct("cloudtrail:DeleteTrail", {"name": "main"}), ct("cloudtrail:DescribeTrails")),
    ("cloud.defences_disabled", ct("guardduty:UpdateDetector", {"detectorId": "d1", "enable": False}),
     ct("guardduty:UpdateDetector", {"detectorId": "d1", "enable": True})),
    ("cloud.data_opened_to_outsiders",
     ct("ec2:ModifySnapshotAttribute", {"snapshotId": "snap-1", "createVolumePermission": {"add": {"items": [{"userId": OUTSIDER}]}}}),
     ct("ec2:ModifySnapshotAttribute", {"snapshotId": "snap-1", "createVolumePermission": {"remove": {"items": [{"userId": OUTSIDER}]}}})),
    ("cloud.data_opened_to_outsiders", ct("s3:PutBucketPolicy", {"bucketName": "b", "bucketPolicy": json.loads(policy("*"))}),
     ct("s3:PutBucketPolicy", {"bucketName": "b", "bucketPolicy": json.loads(policy({"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"}))})),
    ("cloud.data_opened_to_outsiders", ct("s3:PutBucketPolicy", {"bucketPolicy": policy({"AWS": f"arn:aws:iam::{OUTSIDER}:root"})}),
     ct("s3:PutBucketPolicy", {"bucketPolicy": policy("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})})),
    ("cloud.data_opened_to_outsiders",
     ct("s3:PutBucketAcl", {"AccessControlPolicy": {"AccessControlList": {"Grant": [
         {"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}}}),
     ct("s3:PutBucketAcl", {"AccessControlPolicy": {"AccessControlList": {"Grant": [
         {"Grantee": {"ID": "abc"}, "Permission": "FULL_CONTROL"}]}}})),
    ("cloud.data_opened_to_outsiders", ct("lambda:AddPermission20150331v2", {"functionName": "f", "principal": "*"}),
     ct("lambda:AddPermission20150331v2", {"functionName": "f", "principal": "s3.amazonaws.com"})),
    ("cloud.firewall_opened",
     ct("ec2:AuthorizeSecurityGroupIngress", {"ipPermissions": {"items": [{"fromPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
     ct("ec2:AuthorizeSecurityGroupIngress", {"ipPermissions": {"items": [{"fromPort": 22, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]}})),
    ("cloud.firewall_opened",  # the older form (the CLI's --cidr), as Stratus's open-port-22 detonation logged it
     ct("ec2:AuthorizeSecurityGroupIngress", {"cidrIp": "0.0.0.0/0", "fromPort": 22, "toPort": 22, "ipProtocol": "tcp"}),
     ct("ec2:AuthorizeSecurityGroupIngress", {"cidrIp": "203.0.113.7/32", "fromPort": 22, "toPort": 22, "ipProtocol": "tcp"})),
    ("cloud.firewall_opened",  # a prefix of length 0 is the whole internet, whatever address is written (an anonymised log's)
     ct("ec2:AuthorizeSecurityGroupIngress", {"cidrIp": "208.236.235.254/0", "fromPort": 22, "toPort": 22}),
     ct("ec2:AuthorizeSecurityGroupIngress", {"cidrIp": "208.236.235.0/24", "fromPort": 22, "toPort": 22})),
    ("cloud.credentials_for_another_identity", ct("iam:CreateAccessKey", {"userName": "admin"}), ct("iam:CreateAccessKey", {})),
    ("cloud.credentials_for_another_identity", ct("iam:CreateAccessKey", {"userName": "admin"}), ct("iam:CreateAccessKey", {"userName": "deploy-bot"})),
    ("cloud.privileges_escalated", ct("iam:AttachUserPolicy", {"userName": "x", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
     ct("iam:AttachUserPolicy", {"userName": "x", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})),
    ("cloud.privileges_escalated",
     ct("iam:PutRolePolicy", {"roleName": "r", "policyDocument": json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})}),
     ct("iam:PutRolePolicy", {"roleName": "r", "policyDocument": json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})})),
    ("cloud.privileges_escalated",
     ct("iam:UpdateAssumeRolePolicy", {"roleName": "r", "policyDocument": policy({"AWS": f"arn:aws:iam::{OUTSIDER}:root"})}),
     ct("iam:UpdateAssumeRolePolicy", {"roleName": "r", "policyDocument": policy({"Service": "lambda.amazonaws.com"})})),
    ("cloud.data_destruction_scheduled", ct("kms:ScheduleKeyDeletion", {"keyId": "k", "pendingWindowInDays": 7}),
     ct("kms:CancelKeyDeletion", {"keyId": "k"})),
])
def test_catalogue_call_fires_and_near_miss_is_quiet(rule, bad, near_miss):
    assert ids(bad) == [rule]
    assert ids(near_miss) == []


def test_evidence_names_technique_and_what_held():
    [a] = fired(ct("ec2:ModifySnapshotAttribute", {"createVolumePermission": {"add": {"items": [{"group": "all"}]}}}))
    assert a.severity == "critical" and a.evidence.observed == "ec2:ModifySnapshotAttribute"
    assert a.evidence.baseline["attack"] == "T1537" and "createVolumePermission.add.items" in a.evidence.baseline["matched"]


def test_tool_named_without_attributes():
    a = action(agent_id="ops", tool="cloudtrail:StopLogging", operation="configure", resource=None, data_domain=None)
    assert ids(a) == ["cloud.logging_disabled"]


def test_failed_call_is_quiet():
    assert ids(ct("cloudtrail:StopLogging", outcome="denied")) == []


def test_declared_administration_is_quiet_but_a_service_wide_wildcard_is_not():
    iac = manifest("iac-runner", allowed={"tools": ["cloudtrail.amazonaws.com:StopLogging", "iam.amazonaws.com:*"],
                                          "per_tool": {"iam.amazonaws.com:*": {}}}, credentials=[], model=None,
                   schedule=None, rate_limit=None)
    assert ids(instantiate(iac), ct("cloudtrail:StopLogging", agent="iac-runner"),
               ct("iam:AttachRolePolicy", {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, agent="iac-runner")) == []
    for wild in (["*"], ["cloudtrail.amazonaws.com:*"]):
        anything = manifest("wild", allowed={"tools": wild}, credentials=[], model=None, schedule=None, rate_limit=None)
        assert ids(instantiate(anything), ct("cloudtrail:StopLogging", agent="wild")) == ["cloud.logging_disabled"]


def test_unregistered_identity_is_judged_beside_the_shadow_gate():
    e = Engine()
    out = [o.rule_id for o in e.process(ct("cloudtrail:DeleteTrail", {"name": "t"})) if isinstance(o, Alert)]
    assert sorted(out) == ["cloud.logging_disabled", "lifecycle.shadow_agent"]


INSTANCE = "arn:aws:sts::111122223333:assumed-role/web/i-0abc123def4567890"


def test_instance_identity_from_two_networks_within_minutes():
    events = [ct("s3:ListBuckets", agent=INSTANCE, ip="198.51.100.20", key="ASIA1"),
              ct("s3:ListBuckets", agent=INSTANCE, ip="203.0.113.50", key="ASIA1", at=40)]
    [a] = fired(*events)
    assert a.rule_id == "credential.identity_two_networks" and a.evidence.observed == "203.0.113.0/24"
    # A key the instance used before, replayed from outside while the instance (through an endpoint) uses its new one.
    rotated = [ct("s3:GetObject", agent=INSTANCE, ip="10.0.1.20", key="ASIA2", vpcEndpointId="vpce-0a1b2c3d"),
               ct("s3:ListBuckets", agent=INSTANCE, ip="203.0.113.50", key="ASIA1", at=40)]
    assert ids(*rotated) == ["credential.identity_two_networks"]
    assert ids(ct("s3:GetObject", agent=INSTANCE, ip="10.0.1.20", key="ASIA1"),
               ct("s3:GetObject", agent=INSTANCE, ip="10.0.9.20", key="ASIA1", at=40)) == ["credential.identity_two_networks"]
    # One machine's two paths: S3 through the VPC's endpoint (its private address), STS through the NAT gateway.
    paths = [ct("s3:GetObject", agent=INSTANCE, ip="10.0.1.20", key="ASIA1", vpcEndpointId="vpce-0a1b2c3d", at=i * 30.0)
             for i in range(5)] + [ct("sts:GetCallerIdentity", agent=INSTANCE, ip="52.14.7.9", key="ASIA1", at=i * 30.0 + 3)
                                   for i in range(5)]
    assert ids(*sorted(paths, key=lambda a: a.time)) == []
    # Benign look-alikes: the same network, an address in the same /24, service-made calls, or hours apart.
    assert ids(ct("s3:ListBuckets", agent=INSTANCE, ip="10.0.1.20"), ct("s3:ListBuckets", agent=INSTANCE, ip="10.0.1.21", at=5),
               ct("s3:ListBuckets", agent=INSTANCE, ip="AWS Internal", at=6),
               ct("s3:ListBuckets", agent=INSTANCE, ip="203.0.113.50", at=7200)) == []
    # A user (not an instance) on two networks: a laptop and a VPN, say; not this rule's business.
    assert ids(ct("s3:ListBuckets", ip="10.0.1.20"), ct("s3:ListBuckets", ip="203.0.113.50", at=40)) == []


def test_instance_credentials_from_outside_the_provider_once_ranges_are_configured():
    rules = load_catalog(EngineConfig(), known_types=set(REGISTRY))
    r = rules["credential.instance_outside_provider"]
    rules["credential.instance_outside_provider"] = r.model_copy(update={"params": {"ranges": ["52.0.0.0/8", "2600:1f00::/24"]}})
    assert ids(ct("sts:GetCallerIdentity", agent=INSTANCE, ip="52.1.2.3"), ct("sts:GetCallerIdentity", agent=INSTANCE, ip="10.0.0.9", at=600),
               rules=rules) == []
    assert ids(ct("sts:GetCallerIdentity", agent=INSTANCE, ip="146.70.124.118", at=4000), rules=rules) == ["credential.instance_outside_provider"]
    assert ids(ct("sts:GetCallerIdentity", agent=INSTANCE, ip="198.51.100.7")) == []  # default: no ranges, off


def test_instance_credentials_with_a_new_client_from_a_new_network():
    base = [ct("s3:GetObject", agent=INSTANCE, ip="10.0.1.20", at=i) for i in range(4)]
    same_machine_other_tool = ct("s3:GetObject", agent=INSTANCE, ip="10.0.1.20", ua="aws-cli/2.15 Python/3.11", at=10)
    assert ids(*base, same_machine_other_tool) == []
    stolen = ct("s3:GetObject", agent=INSTANCE, ip="10.0.1.20", ua="python-requests/2.31", at=9000)
    elsewhere = ct("s3:GetObject", agent=INSTANCE, ip="198.51.100.7", ua="curl/8.0", at=9999)
    # the instance's agent through the NAT gateway, its application through the S3 endpoint: one machine
    nat = [ct("ssm:UpdateInstanceInformation", agent=INSTANCE, ip="52.14.7.9", ua="aws-sdk-go/1.44.0 amazon-ssm-agent/3.2", at=i * 300)
           for i in range(5)]
    endpoint = ct("s3:GetObject", agent=INSTANCE, ip="10.0.1.20", ua="Boto3/1.34.1 Python/3.12", at=1600, vpcEndpointId="vpce-0a1b2c3d")
    assert ids(*nat, endpoint) == []
    # the same call through another account's endpoint: the credentials left the machine (GuardDuty's InsideAWS)
    theirs = ct("s3:GetObject", agent=INSTANCE, ip="10.8.1.20", ua="Boto3/1.34.1 Python/3.12", at=1600,
                vpcEndpointId="vpce-0ffff", vpcEndpointAccountId="444455556666")
    assert ids(*nat, theirs) == ["credential.instance_new_client"]
    no_endpoint = ct("s3:GetObject", agent=INSTANCE, ip="10.0.1.20", ua="Boto3/1.34.1 Python/3.12", at=1600)
    assert ids(*nat, no_endpoint) == ["credential.instance_new_client"]  # a private address alone proves nothing
    assert ids(*base, stolen, elsewhere) == ["credential.instance_new_client"]


def test_burst_of_secret_reads_within_a_minute():
    dump = [ct("secretsmanager:GetSecretValue", {"secretId": f"prod/db-{i}"}, at=i * 2) for i in range(12)]
    out = fired(*dump)
    assert [a.rule_id for a in out] == ["cloud.secrets_burst"] and out[0].evidence.observed == 10
    startup = [ct("secretsmanager:GetSecretValue", {"secretId": f"app/{i}"}, at=i) for i in range(5)]
    same_secret = [ct("secretsmanager:GetSecretValue", {"secretId": "app/db"}, at=i) for i in range(30)]
    slow = [ct("ssm:GetParameter", {"name": f"/app/{i}"}, at=i * 30) for i in range(20)]
    assert ids(*startup, *same_secret, *slow) == []
    batch = ct("ssm:GetParameters", {"names": [f"/prod/{i}" for i in range(10)], "withDecryption": True})
    assert ids(batch) == ["cloud.secrets_burst"]
    # parameters read without decryption (a SecureString stays encrypted): an application's configuration
    config = [ct("ssm:GetParameters", {"names": [f"/prod/{i}" for i in range(11)]}),
              ct("ssm:GetParameters", {"names": [f"/prod/{i}" for i in range(11, 22)], "withDecryption": False}, at=5),
              ct("ssm:GetParametersByPath", {"path": "/prod/web", "withDecryption": "false"}, at=6)]
    assert ids(*config) == []
    by_path = [ct("ssm:GetParametersByPath", {"path": f"/prod/{i}", "withDecryption": True}, at=i) for i in range(10)]
    assert ids(*by_path) == ["cloud.secrets_burst"]

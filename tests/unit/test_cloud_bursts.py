"""cloud.discovery_burst: a key being tried, from the first records of an identity with no history
(records in CloudTrail's shape, read by the CloudTrail adapter; see test_cloud_techniques.py)."""

import orjson

from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters.cloudtrail import CloudTrailAdapter
from tests.unit.test_cloud_techniques import GUARDDUTY_SCAN, ROLE, ROLE_ARN, judged, rec

# What enumerate-iam / Pacu's permission brute force and Stratus's enumeration from a least-privilege
# role look like: many distinct calls, most refused, within seconds.
PROBED = ["iam:ListUsers", "iam:ListRoles", "iam:GetAccountAuthorizationDetails", "s3:ListBuckets", "ec2:DescribeInstances",
          "lambda:ListFunctions20150331", "secretsmanager:ListSecrets", "dynamodb:ListTables", "rds:DescribeDBInstances"]
# Stratus aws.discovery.ec2-enumerate-from-instance: the calls succeed
SWEPT = ["sts:GetCallerIdentity", "iam:GetAccountSummary", "iam:ListRoles", "iam:ListUsers", "iam:GetAccountAuthorizationDetails",
         "ec2:DescribeSnapshots", "cloudtrail:DescribeTrails", "guardduty:ListDetectors"]
# An inventory collector: many services, resources only
INVENTORY = ["sts:GetCallerIdentity", "ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:DescribeSnapshots", "lambda:ListFunctions20150331",
             "rds:DescribeDBInstances", "dynamodb:ListTables", "kms:ListKeys", "ecr:DescribeRepositories", "eks:ListClusters", "s3:ListBuckets"]


def test_refused_on_many_distinct_calls():
    assert judged(*[rec(c, error="AccessDenied", at=i * 2) for i, c in enumerate(PROBED)]) == ["cloud.discovery_burst"]
    # Too few, or spread over hours: a workload or a plan missing a few permissions.
    assert judged(*[rec(c, error="AccessDenied", at=i * 2) for i, c in enumerate(PROBED[:5])]) == []
    assert judged(*[rec(c, error="AccessDenied", at=i * 900) for i, c in enumerate(PROBED)]) == []


def test_a_workload_missing_one_permission_is_quiet():
    assert judged(*[rec("sqs:ReceiveMessage", {"queueUrl": "https://sqs.us-east-1.amazonaws.com/1/q"}, who=ROLE, error="AccessDenied", at=i * 5)
                    for i in range(60)], agent=ROLE_ARN) == []


def test_console_sessions_and_services_acting_for_the_caller_are_not_counted():
    console = [rec(c, error="AccessDenied", at=i, ua="Mozilla/5.0 (Macintosh) Safari/605.1.15") for i, c in enumerate(PROBED)]
    from_console = [rec(c, error="AccessDenied", at=i, ua=ua) for i, c in enumerate(PROBED)
                    for ua in ("console.ec2.amazonaws.com", "aws-internal/3 aws-sdk-java/1.12.720 Linux/5.10", "AWS Internal")]
    service = [rec(c, error="AccessDenied", at=i, who={**ROLE, "invokedBy": "cloudformation.amazonaws.com"}) for i, c in enumerate(PROBED)]
    assert judged(*console) == [] and judged(*from_console) == [] and judged(*service, agent=ROLE_ARN) == []


def test_refused_on_one_call_against_many_targets():
    # Stratus aws.credential-access.ec2-get-password-data: thirty instance ids, every call refused
    tried = [rec("ec2:GetPasswordData", {"instanceId": f"i-{i:016x}"}, who=ROLE, error="Client.UnauthorizedOperation", at=i * 0.3)
             for i in range(30)]
    assert judged(*tried, agent=ROLE_ARN) == ["cloud.credentials_for_another_identity", "cloud.discovery_burst"]
    # A data call refused on many objects is a workload's missing grant, not a probe.
    reads = [rec("s3:GetObject", {"bucketName": "b", "key": f"k{i}"}, who=ROLE, error="AccessDenied", data=True, at=i) for i in range(30)]
    assert judged(*reads, agent=ROLE_ARN) == []


def test_account_wide_discovery_sweep():
    assert judged(*[rec(c, at=i) for i, c in enumerate(SWEPT)]) == ["cloud.discovery_burst"]
    assert judged(*[rec(c, at=i) for i, c in enumerate(INVENTORY)]) == []
    scanner = ["sts:*", "iam:Get*", "iam:List*", "ec2:Describe*", "cloudtrail:Describe*", "guardduty:List*"]
    assert judged(*[rec(c, at=i) for i, c in enumerate(SWEPT)], declares=scanner) == []
    # IAM Access Analyzer's and AWS Config's own sweeps run under their service-linked roles
    analyzer = {**GUARDDUTY_SCAN, "arn": GUARDDUTY_SCAN["arn"].replace("AmazonGuardDutyMalwareProtection", "AccessAnalyzer")}
    assert judged(*[rec(c, at=i, who=analyzer) for i, c in enumerate(SWEPT)], agent=analyzer["arn"], services="keep") == []


def test_once_per_burst_with_evidence():
    adapter, e, found = CloudTrailAdapter(), Engine(), []
    for i, c in enumerate(PROBED * 3):
        [a] = list(adapter.decode(orjson.dumps(rec(c, error="AccessDenied", at=i)), "fixture"))
        found += [o for o in e.process(a) if isinstance(o, Alert) and o.rule_id == "cloud.discovery_burst"]
    [alert] = found
    assert alert.severity == "high" and alert.evidence.observed == 6 and alert.evidence.baseline["attack"] == "T1526"
    # the sixth distinct refusal fires it: the calls so far, in the order of their keys
    assert alert.evidence.baseline["calls"] == sorted(c.split(":")[0] + ":" + c.split(":")[1].lower().removesuffix("20150331")
                                                      for c in PROBED[:6])


SONNET = {"modelId": "anthropic.claude-3-sonnet-20240229-v1:0"}
STRATUS_REGIONS = ["us-east-1", "us-west-2", "eu-west-2", "eu-west-3", "ap-northeast-2", "ap-southeast-2"]


def test_one_call_swept_across_regions():
    # Stratus aws.discovery.bedrock-enumerate-models-multiple-regions: one model tried in six regions within seconds
    tried = [rec("bedrock:InvokeModel", SONNET, awsRegion=r, at=i * 0.8, error="AccessDeniedException" if i % 2 else None)
             for i, r in enumerate(STRATUS_REGIONS)]
    assert judged(*tried) == ["cloud.discovery_burst"]
    # A discovery call swept region by region (a stolen key looking for instances)
    assert judged(*[rec("ec2:DescribeInstances", {}, awsRegion=r, at=i) for i, r in enumerate(STRATUS_REGIONS)]) == ["cloud.discovery_burst"]
    # A workload invoking its model all day in its two regions; a failover region tried once
    workload = [rec("bedrock:InvokeModel", SONNET, awsRegion=("us-east-1", "us-west-2")[i % 2], at=i * 7.0) for i in range(80)]
    assert judged(*workload, rec("bedrock:InvokeModel", SONNET, awsRegion="eu-west-1", at=600)) == []
    # Four regions, or the six over hours; a console session; a declared multi-region job
    assert judged(*tried[:4]) == []
    assert judged(*[rec("bedrock:InvokeModel", SONNET, awsRegion=r, at=i * 1800) for i, r in enumerate(STRATUS_REGIONS)]) == []
    console = [rec("ec2:DescribeInstances", {}, awsRegion=r, at=i, ua="console.ec2.amazonaws.com") for i, r in enumerate(STRATUS_REGIONS)]
    assert judged(*console) == []
    assert judged(*tried, declares=["bedrock:InvokeModel"]) == []


def test_a_busy_scanner_is_remembered_by_its_distinct_probes():
    """A monitoring integration describes the same resources every second. The signs count distinct
    probes, so it is held as three entries, not up to 512 walked on every call; and refusals spread
    among 1,200 of its describes in ten minutes still count (with every call kept, the oldest were
    pushed out before the sixth came)."""
    adapter, e = CloudTrailAdapter(), Engine()
    describes = ["ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:DescribeSecurityGroups"]
    alerts = []
    for i in range(1200):
        records = [rec(describes[i % 3], who=ROLE, at=i * 0.5)]
        if i % 200 == 0:
            records.append(rec(PROBED[i // 200], who=ROLE, error="AccessDenied", at=i * 0.5))
        for r in records:
            [a] = list(adapter.decode(orjson.dumps(r), "fixture"))
            alerts += [o.rule_id for o in e.process(a) if isinstance(o, Alert)]
    probes = e.agents[ROLE_ARN].detect["probes"]
    # each distinct probe once: the 6 refusals, and 8 discovery calls (the three describes, five of the refused)
    assert sorted(p[1] for p in probes) == ["D"] * 6 + ["r"] * 8
    assert len({(p[1], p[2]) for p in probes}) == len(probes)
    assert alerts.count("cloud.discovery_burst") == 1
    # the scanner alone is quiet
    assert judged(*[rec(describes[i % 3], who=ROLE, at=i * 0.5) for i in range(1200)], agent=ROLE_ARN) == []

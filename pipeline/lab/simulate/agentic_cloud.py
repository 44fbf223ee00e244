"""The agentic lab's cloud identities: registered roles and instance roles making
CloudTrail-shaped calls, each attack (a defence-evasion catalogue call, stolen instance
credentials, a secrets burst) beside its benign look-alike (an infrastructure-as-code role,
an instance with several clients, an application reading its secrets)."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from intentwatch.pipeline.lab.simulate.activity import DAY_MS

if TYPE_CHECKING:
    from intentwatch.pipeline.lab.simulate.agentic import Lab

CATALOGUE_CALLS = [
    ("cloudtrail", "StopLogging", {"name": "org-trail"}),
    ("cloudtrail", "DeleteTrail", {"name": "org-trail"}),
    ("guardduty", "DeleteDetector", {"detectorId": "d-1"}),
    ("ec2", "ModifySnapshotAttribute", {"snapshotId": "snap-1", "attributeType": "CREATE_VOLUME_PERMISSION",
                                        "createVolumePermission": {"add": {"items": [{"userId": "999988887777"}]}}}),
    ("s3", "PutBucketPolicy", {"bucketName": "data", "bucketPolicy": {"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}}),
    ("iam", "CreateAccessKey", {"userName": "admin"}),
    ("iam", "AttachUserPolicy", {"userName": "ops", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    ("iam", "UpdateAssumeRolePolicy", {"roleName": "deploy", "policyDocument": '{"Statement":[{"Effect":"Allow",'
                                       '"Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole"}]}'}),
    ("kms", "ScheduleKeyDeletion", {"keyId": "k-1", "pendingWindowInDays": 7}),
    ("ec2", "AuthorizeSecurityGroupIngress", {"groupId": "sg-1", "ipPermissions": {"items": [
        {"fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
]
READS = [("s3", "ListBuckets"), ("ec2", "DescribeInstances"), ("s3", "GetObject"), ("sts", "GetCallerIdentity"),
         ("cloudwatch", "GetMetricData"), ("ec2", "DescribeVolumes")]
ACCOUNT = "111122223333"


def ct(lab: Lab, agent: str, t: int, svc: str, name: str, params: dict | None = None, ip: str = "10.0.4.17",
       ua: str = "Boto3/1.34.1 Python/3.12", key: str | None = None, op: str = "read", **extra: Any) -> dict:
    return lab.act(agent, t, f"{svc}.amazonaws.com:{name}", op, credential_id=key or f"ASIA{zlib.crc32(agent.encode()):012d}", source_ip=ip,
                   attributes={"eventSource": f"{svc}.amazonaws.com", "eventName": name, "requestParameters": params or {},
                               "recipientAccountId": ACCOUNT, "userAgent": ua, **extra})


def cloud_identity(lab: Lab, idx: int, t0: int, kind: str) -> None:
    rng = lab.rng
    instance = kind in ("stolen_instance_credentials", "instance_normal")
    agent = (f"arn:aws:sts::{ACCOUNT}:assumed-role/web/i-0{idx:016x}" if instance
             else f"arn:aws:sts::{ACCOUNT}:assumed-role/{'terraform' if kind == 'iac_admin' else 'ops'}-{idx}/session")
    tools = ["s3.amazonaws.com:*", "ec2.amazonaws.com:Describe*", "sts.amazonaws.com:*", "cloudwatch.amazonaws.com:*",
             "secretsmanager.amazonaws.com:GetSecretValue"]
    admin = ["cloudtrail.amazonaws.com:*", "guardduty.amazonaws.com:*", "ec2.amazonaws.com:*", "iam.amazonaws.com:*",
             "kms.amazonaws.com:*", "s3.amazonaws.com:*"] if kind == "iac_admin" else []
    lab.manifest(agent, tools + admin, t0 - DAY_MS, task=f"cloud workload {idx}", creds=[], ttl_s=2 * 86400,  # expires a day after
                 per_tool={p: {} for p in admin})
    t, onset = t0, None
    n = int(rng.integers(30, 80))
    attack_at = int(rng.integers(5, n - 5))
    for k in range(n):
        t += int(rng.integers(20_000, 240_000))
        svc, name = READS[int(rng.integers(len(READS)))]
        ua = "Boto3/1.34.1 Python/3.12"
        if kind == "instance_normal" and k % 7 == 3:
            ua = "aws-cli/2.15.0 Python/3.11"  # the same machine's other tool
        ip = "AWS Internal" if kind == "instance_normal" and k % 11 == 5 else f"10.0.{idx % 250}.17"
        ct(lab, agent, t, svc, name, ip=ip, ua=ua)
        if k != attack_at:
            continue
        if kind in ("cloud_defence_evasion", "iac_admin"):
            svc, name, params = CATALOGUE_CALLS[int(rng.integers(len(CATALOGUE_CALLS)))]
            t += int(rng.integers(5_000, 60_000))
            a = ct(lab, agent, t, svc, name, params, op="configure", ua=ua, ip=f"10.0.{idx % 250}.17")
            onset = onset or (a if kind == "cloud_defence_evasion" else None)
        elif kind == "stolen_instance_credentials":
            # The attacker replays the instance's credentials from outside, minutes after (or before) its own call.
            dt = int(rng.integers(-90_000, 240_000))
            a = ct(lab, agent, t + dt, "s3", "ListBuckets", ip=f"146.70.{idx % 250}.{int(rng.integers(2, 250))}",
                   ua="python-requests/2.31")
            onset = a
        elif kind == "secrets_burst":
            first = None
            for j in range(int(rng.integers(15, 40))):
                t += int(rng.integers(300, 2_500))
                a = ct(lab, agent, t, "secretsmanager", "GetSecretValue", {"secretId": f"prod/app-{j}"}, ip=f"10.0.{idx % 250}.17")
                first = first or a
            onset = first
        elif kind == "app_secret_reads":
            for j in range(int(rng.integers(2, 6))):  # a restart: its handful of secrets
                t += int(rng.integers(100, 1_000))
                ct(lab, agent, t, "secretsmanager", "GetSecretValue", {"secretId": f"app-{idx}/s{j}"}, ip=f"10.0.{idx % 250}.17")
            attack_at += int(rng.integers(5, 15))
    lab.label(agent, kind, t0, t, onset, archetype="cloud")

"""credential.offensive_client: a call from an attacker's toolbox, judged from an identity's first call
(CloudTrail records as the service writes them, read by the CloudTrail adapter; user agents as the
AWS CLI, boto3 and Stratus Red Team print them)."""

from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters.cloudtrail import CloudTrailAdapter
from tests.unit.test_cloud_techniques import USER_ARN, judged, rec

RULE = ("credential.offensive_client",)
OFFENSIVE = [
    "Boto3/1.7.29 Python/2.7.6 Linux/4.14.0-kali3-amd64 Botocore/1.10.29",         # boto3 on Kali
    "aws-cli/2.15.0 md/Botocore#2.13.0 ua/2.0 os/linux#6.5.0-kali3-amd64 md/arch#x86_64 lang/python#3.11.6",
    "aws-cli/1.29.0 Python/3.11.2 Linux/6.1.0-13parrot1-amd64 botocore/1.31.0",   # Parrot's kernel release
    "Boto3/1.28.0 md/Botocore#1.31.0 ua/2.0 os/linux#6.4.9-pentoo md/arch#x86_64",
    "stratus-red-team_8cb1ee36-86c3-4241-a32c-163c78cde7b6",
    "APN/1.0 HashiCorp/1.0 Terraform/1.1.2 aws-sdk-go/1.44.157 (go1.19.3; darwin; arm64) "
    "stratus-red-team_83c9a458-ffab-4d43-8b02-9691311e8c0a HashiCorp-terraform-exec/0.17.3",   # its warm-up, through Terraform
]
ORDINARY = [
    "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-1017-aws exe/x86_64.ubuntu.22 prompt/off command/sts.get-caller-identity",
    "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 lang/python#3.12.1",
    "parrot-http/2.1 (a product named so, not the platform) aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 kalimba",
    "console.amazonaws.com",
]


def test_a_penetration_testing_distribution_or_attack_tool_in_the_user_agent_pages_on_the_first_call():
    for ua in OFFENSIVE:
        assert judged(rec("sts:GetCallerIdentity", ua=ua), prefixes=RULE) == ["credential.offensive_client"], ua


def test_ordinary_clients_are_quiet():
    for ua in ORDINARY:
        assert judged(rec("sts:GetCallerIdentity", ua=ua), prefixes=RULE) == [], ua


def test_the_alert_names_the_tool_and_sanctioned_testers_are_quiet():
    adapter = CloudTrailAdapter()
    [a] = adapter.decode(__import__("orjson").dumps(rec("s3:ListBuckets", ua=OFFENSIVE[0])), "fixture")
    [alert] = [o for o in Engine().process(a) if isinstance(o, Alert) and o.rule_id == RULE[0]]
    assert alert.severity == "high" and alert.evidence.baseline == {"names": "kali"}
    assert alert.references.mitre_attack[0].technique == "T1078.004"
    red_team = Engine(EngineConfig.model_validate({"rules": {RULE[0]: {"params": {"sanctioned": [USER_ARN]}}}}))
    assert [o for o in red_team.process(a) if isinstance(o, Alert) and o.rule_id == RULE[0]] == []

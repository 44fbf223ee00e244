"""Public AWS attack techniques, from the first CloudTrail record of an identity with no history.

Each record is written here in CloudTrail's shape from the public docs (Stratus Red Team's
technique pages and detonation logs, the CloudTrail event reference, GuardDuty finding types,
the LLMjacking and S3 ransomware reports), read by the CloudTrail adapter, then judged by a fresh
engine. Each attack sits beside a benign look-alike: a parameter that does not match, a service
acting for the caller, or the call declared in the identity's manifest. docs/cloud-coverage.md
maps each technique to its rule.
"""

import json
from datetime import timedelta
from itertools import count

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters.cloudtrail import CloudTrailAdapter, CloudTrailOptions
from tests.factories import T0, instantiate, manifest

ACCOUNT, OUTSIDER = "111122223333", "193672423079"
USER = {"type": "IAMUser", "principalId": "AIDAEXAMPLEUSER00001", "arn": f"arn:aws:iam::{ACCOUNT}:user/ci-deployer",
        "accountId": ACCOUNT, "accessKeyId": "AKIAEXAMPLE000000001", "userName": "ci-deployer"}
USER_ARN = USER["arn"]
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/app-runner"
ROLE = {"type": "AssumedRole", "principalId": "AROAEXAMPLEROLE00001:i-0abc", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/app-runner/sess",
        "accountId": ACCOUNT, "accessKeyId": "ASIAEXAMPLE000000001",
        "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEROLE00001", "arn": ROLE_ARN,
                                             "accountId": ACCOUNT, "userName": "app-runner"},
                           "attributes": {"creationDate": "2026-01-05T08:00:00Z", "mfaAuthenticated": "false"}}}
_n = count(1)


def rec(call: str, params=None, *, who=None, at: float = 0.0, error: str | None = None, ua: str = "aws-cli/2.15.0 Python/3.11.6",
        data: bool = False, **extra) -> dict:
    """One CloudTrail record as the service writes it (fields from the CloudTrail record contents reference)."""
    src, name = call.split(":")
    r = {"eventVersion": "1.09", "userIdentity": who or USER, "eventTime": (T0 + timedelta(seconds=at)).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "eventSource": f"{src}.amazonaws.com", "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.23",
         "userAgent": ua, "requestParameters": params, "responseElements": None, "requestID": f"req-{next(_n)}",
         "eventID": f"evt-{next(_n)}", "readOnly": name.startswith(("Get", "List", "Describe")), "eventType": "AwsApiCall",
         "managementEvent": not data, "recipientAccountId": ACCOUNT, "eventCategory": "Data" if data else "Management"}
    if error:
        r["errorCode"], r["errorMessage"] = error, f"You are not authorized to perform: {src}:{name}"
    r.update(extra)
    return r


def judged(*records: dict, declares: list[str] | None = None, agent: str = USER_ARN, prefixes: tuple[str, ...] = ("cloud.",),
           services: str = "skip") -> list[str]:
    """Rule ids (starting with ``prefixes``) of the alerts a fresh engine raises on these records (read by the CloudTrail adapter)."""
    adapter, e, out = CloudTrailAdapter(CloudTrailOptions(services=services)), Engine(), []
    if declares is not None:
        m = manifest(agent, allowed={"tools": declares, "operations": ["read", "list", "write", "configure", "delete", "execute", "grant"]},
                     credentials=[], model=None, schedule=None, rate_limit=None)
        out += e.process(instantiate(m))
    for r in records:
        [a] = [x for x in adapter.decode(orjson.dumps(r), "fixture") if isinstance(x, Action)]
        out += e.process(a)
    out += e.flush()
    return sorted(o.rule_id for o in out if isinstance(o, Alert) and o.status == "open" and o.rule_id.startswith(prefixes))


def trust(principal) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]},
                      indent=2)


SSE_C = {"bucketName": "finance-data", "key": "q3/ledger.xlsx", "x-amz-copy-source": "finance-data/q3/ledger.xlsx",
         "x-amz-server-side-encryption-customer-algorithm": "AES256", "x-id": "CopyObject"}
SSE_KMS = {"bucketName": "finance-data", "key": "q3/ledger.xlsx", "x-amz-copy-source": "finance-data/q3/ledger.xlsx",
           "x-amz-server-side-encryption": "aws:kms", "x-id": "CopyObject"}


def kms_default(key_arn: str) -> dict:
    return {"bucketName": "finance-data", "ServerSideEncryptionConfiguration": {"Rule": {"ApplyServerSideEncryptionByDefault": {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}}}}


def replication(account: str) -> dict:
    return {"bucketName": "finance-data", "ReplicationConfiguration": {"Role": f"arn:aws:iam::{ACCOUNT}:role/s3-replication", "Rule": {
        "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::dr-copy", "Account": account}}}}


def policy(principal, condition=None, action="sqs:SendMessage") -> str:
    """A resource policy as the services take it: JSON text."""
    st = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def nacl(cidr_key: str, cidr: str, egress: bool = False, action: str = "allow") -> dict:
    """ec2:CreateNetworkAclEntry's parameters as CloudTrail logs them (Panther's NACL rule tests)."""
    return {"networkAclId": "acl-0a1b2c3d", "ruleNumber": 100, "egress": egress, "ruleAction": action, "icmpTypeCode": {},
            "portRange": {"from": 22, "to": 22}, "aclProtocol": "6", cidr_key: cidr}


def sg_rule(cidr_key: str, cidr: str) -> dict:
    """ec2:ModifySecurityGroupRules: CloudTrail nests the request as the API spells it."""
    return {"ModifySecurityGroupRulesRequest": {"GroupId": "sg-0a1b2c3d", "SecurityGroupRule": {
        "tag": 1, "SecurityGroupRuleId": "sgr-0a1b2c3d", "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                                                             cidr_key: cidr}}}}


def sign_in(identity_type: str, mfa: str, outcome: str = "Success", saml: bool = False) -> dict:
    who = {"type": identity_type, "principalId": ACCOUNT if identity_type == "Root" else "AIDAEXAMPLEUSER00002",
           "arn": f"arn:aws:iam::{ACCOUNT}:root" if identity_type == "Root" else f"arn:aws:iam::{ACCOUNT}:user/alice", "accountId": ACCOUNT}
    if identity_type == "AssumedRole":  # a federated (SSO) sign-in: MFA is the identity provider's
        who = {**ROLE, "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com"}
    r = rec("signin:ConsoleLogin", None, who=who, ua="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", eventType="AwsConsoleSignIn",
            additionalEventData={"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": mfa})
    r["eventType"], r["responseElements"] = "AwsConsoleSignIn", {"ConsoleLogin": outcome}
    if saml:
        r["additionalEventData"]["SamlProviderArn"] = f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"
    return r


def selectors(**selector) -> dict:
    """PutEventSelectors with one basic selector (CloudTrail API reference defaults: all management events)."""
    one = {"readWriteType": "All", "includeManagementEvents": True, "dataResources": [], "excludeManagementEventSources": [], **selector}
    return rec("cloudtrail:PutEventSelectors", {"trailName": "org-trail", "eventSelectors": [one]})


def lifecycle(status: str) -> dict:
    return rec("s3:PutBucketLifecycle", {"bucketName": "org-trail-logs", "lifecycle": "", "LifecycleConfiguration": {
        "Rule": {"ID": "expire", "Status": status, "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}}})


@pytest.mark.parametrize("rule, attack, benign", [
    # GuardDuty suppression rules (CreateFilter / UpdateFilter with action ARCHIVE) hide findings as they
    # arrive; a saved filter (NOOP) only narrows a view
    ("cloud.defences_disabled",
     rec("guardduty:CreateFilter", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "name": "quiet", "action": "ARCHIVE",
                                    "findingCriteria": {"criterion": {"severity": {"gte": 1}}}}),
     rec("guardduty:CreateFilter", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "name": "high-only", "action": "NOOP",
                                    "findingCriteria": {"criterion": {"severity": {"gte": 7}}}})),
    ("cloud.defences_disabled",
     rec("guardduty:UpdateFilter", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "filterName": "quiet", "action": "ARCHIVE"}),
     rec("guardduty:UpdateFilter", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "filterName": "quiet", "rank": 2})),
    ("cloud.defences_disabled", rec("ec2:DisableEbsEncryptionByDefault", {}), rec("ec2:EnableEbsEncryptionByDefault", {})),
    # a web firewall taken off its load balancer (Panther's WAF disassociation rule); put on one is quiet
    ("cloud.defences_disabled",
     rec("wafv2:DisassociateWebACL", {"resourceArn": f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web/84dc5457e450dba5"}),
     rec("wafv2:AssociateWebACL", {"webACLArn": f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/edge/a1b2",
                                   "resourceArn": f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web/84dc5457e450dba5"})),
    # Security Hub's automation rules (request members as its API spells them): one suppressing findings as
    # they arrive; one raising their severity is quiet
    ("cloud.defences_disabled",
     rec("securityhub:CreateAutomationRule", {"RuleName": "quiet-guardduty", "RuleOrder": 1, "RuleStatus": "ENABLED",
                                              "Criteria": {"ProductName": [{"Value": "GuardDuty", "Comparison": "EQUALS"}]},
                                              "Actions": [{"Type": "FINDING_FIELDS_UPDATE",
                                                           "FindingFieldsUpdate": {"Workflow": {"Status": "SUPPRESSED"}}}]}),
     rec("securityhub:CreateAutomationRule", {"RuleName": "prod-critical", "RuleOrder": 2, "RuleStatus": "ENABLED",
                                              "Criteria": {"ResourceTags": [{"Key": "env", "Value": "prod", "Comparison": "EQUALS"}]},
                                              "Actions": [{"Type": "FINDING_FIELDS_UPDATE",
                                                           "FindingFieldsUpdate": {"Severity": {"Label": "CRITICAL"}}}]})),
    ("cloud.defences_disabled",
     rec("securityhub:BatchUpdateAutomationRules", {"UpdateAutomationRulesRequestItems": [
         {"RuleArn": f"arn:aws:securityhub:us-east-1:{ACCOUNT}:automation-rule/a1b2",
          "Actions": [{"Type": "FINDING_FIELDS_UPDATE", "FindingFieldsUpdate": {"Workflow": {"Status": "SUPPRESSED"}}}]}]}),
     rec("securityhub:BatchUpdateAutomationRules", {"UpdateAutomationRulesRequestItems": [
         {"RuleArn": f"arn:aws:securityhub:us-east-1:{ACCOUNT}:automation-rule/a1b2", "RuleStatus": "DISABLED"}]})),
    ("cloud.defences_disabled",
     rec("securityhub:DisableImportFindingsForProduct",
         {"ProductSubscriptionArn": f"arn:aws:securityhub:us-east-1:{ACCOUNT}:product-subscription/aws/guardduty"}),
     rec("securityhub:EnableImportFindingsForProduct", {"ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty"})),
    ("cloud.defences_disabled",
     rec("guardduty:DeletePublishingDestination", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0", "destinationId": "a1b2"}),
     rec("guardduty:ListPublishingDestinations", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0"})),
    ("cloud.logging_disabled",
     rec("cloudtrail:StopEventDataStoreIngestion", {"eventDataStore": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:eventdatastore/ab12"}),
     rec("cloudtrail:StartEventDataStoreIngestion", {"eventDataStore": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:eventdatastore/ab12"})),
    # Stratus aws.persistence.iam-create-backdoor-role: a role another account can assume
    ("cloud.privileges_escalated",
     rec("iam:CreateRole", {"roleName": "maintenance", "assumeRolePolicyDocument": trust({"AWS": f"arn:aws:iam::{OUTSIDER}:root"})}),
     rec("iam:CreateRole", {"roleName": "web", "assumeRolePolicyDocument": trust({"Service": "ec2.amazonaws.com"})})),
    ("cloud.privileges_escalated",
     rec("iam:CreateRole", {"roleName": "maintenance", "assumeRolePolicyDocument": trust({"AWS": f"arn:aws:iam::{OUTSIDER}:root"})}),
     rec("iam:CreateRole", {"roleName": "ops", "assumeRolePolicyDocument": trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})})),
    # Identity Center backdoor user
    ("cloud.privileges_escalated", rec("identitystore:CreateUser", {"identityStoreId": "d-9067230000", "userName": "support-temp"}),
     rec("identitystore:DescribeUser", {"identityStoreId": "d-9067230000", "userId": "u-1"})),
    # Stratus aws.persistence.lambda-backdoor-function, towards one account
    ("cloud.data_opened_to_outsiders",
     rec("lambda:AddPermission20150331v2", {"functionName": "billing", "statementId": "x", "action": "lambda:InvokeFunction",
                                           "principal": f"arn:aws:iam::{OUTSIDER}:root"}),
     rec("lambda:AddPermission20150331v2", {"functionName": "billing", "statementId": "s3", "action": "lambda:InvokeFunction",
                                           "principal": "s3.amazonaws.com", "sourceAccount": ACCOUNT})),
    ("cloud.data_opened_to_outsiders", rec("s3:PutBucketReplication", replication(OUTSIDER)), rec("s3:PutBucketReplication", replication(ACCOUNT))),
    # GuardDuty CredentialAccess:RDS/ModifyAuthenticationProcess
    ("cloud.credentials_for_another_identity",
     rec("rds:ModifyDBInstance", {"dBInstanceIdentifier": "prod-db", "masterUserPassword": "****", "applyImmediately": True}),
     rec("rds:ModifyDBInstance", {"dBInstanceIdentifier": "prod-db", "allocatedStorage": 200, "applyImmediately": True})),
    # S3 ransomware: SSE-C rewrite (customer-provided key), versioning, another account's key
    ("cloud.data_destruction_scheduled", rec("s3:CopyObject", SSE_C, data=True), rec("s3:CopyObject", SSE_KMS, data=True)),
    ("cloud.data_destruction_scheduled",
     rec("s3:PutBucketVersioning", {"bucketName": "finance-data", "VersioningConfiguration": {"Status": "Suspended"}}),
     rec("s3:PutBucketVersioning", {"bucketName": "finance-data", "VersioningConfiguration": {"Status": "Enabled"}})),
    ("cloud.data_destruction_scheduled", rec("s3:PutBucketEncryption", kms_default(f"arn:aws:kms:us-east-1:{OUTSIDER}:key/1234abcd")),
     rec("s3:PutBucketEncryption", kms_default(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd"))),
    # Stratus aws.execution.ec2-user-data: user data replaced (CloudTrail hides its content)
    ("cloud.code_execution", rec("ec2:ModifyInstanceAttribute", {"instanceId": "i-0abc1234def567890", "userData": "<sensitiveDataRemoved>"}),
     rec("ec2:ModifyInstanceAttribute", {"instanceId": "i-0abc1234def567890", "instanceType": {"value": "m6i.large"}})),
    # Stratus aws.execution.ssm-send-command
    ("cloud.code_execution",
     rec("ssm:SendCommand", {"instanceIds": ["i-0f364762ca43f9661", "i-0a86d1f61db2b9b5d"], "documentName": "AWS-RunShellScript",
                             "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS", "interactive": False}),
     rec("ssm:SendCommand", {"instanceIds": ["i-0f364762ca43f9661"], "documentName": "AWS-RunPatchBaseline",
                             "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS", "interactive": False})),
    # Stratus aws.execution.ec2-launch-unusual-instances: denied, and still the sign
    ("cloud.resource_hijack",
     rec("ec2:RunInstances", {"instanceType": "p2.xlarge", "instancesSet": {"items": [{"imageId": "ami-0abc", "minCount": 1, "maxCount": 10}]}},
         who=ROLE, error="Client.UnauthorizedOperation"),
     rec("ec2:RunInstances", {"instanceType": "t3.micro", "instancesSet": {"items": [{"imageId": "ami-0abc", "minCount": 1, "maxCount": 1}]}},
         who=ROLE)),
    ("cloud.resource_hijack",
     rec("ec2:RunInstances", {"instanceType": "g5.12xlarge", "instancesSet": {"items": [{"imageId": "ami-0abc", "minCount": 1, "maxCount": 4}]}}),
     rec("ec2:RunInstances", {"instanceType": "g5.12xlarge", "instancesSet": {"items": [{"imageId": "ami-0abc", "minCount": 1, "maxCount": 1}]}},
         who={**ROLE, "invokedBy": "autoscaling.amazonaws.com"})),
    # LLMjacking (Sysdig): model access unlocked with stolen keys
    ("cloud.resource_hijack", rec("bedrock:PutUseCaseForModelAccess", {"formData": "HIDDEN_DUE_TO_SECURITY_REASONS"}),
     rec("bedrock:ListFoundationModels", {"byOutputModality": "TEXT"})),
    ("cloud.resource_hijack", rec("bedrock:PutFoundationModelEntitlement", {"modelId": "anthropic.claude-3-opus-20240229-v1:0"}),
     rec("bedrock:GetFoundationModelAvailability", {"modelId": "anthropic.claude-3-opus-20240229-v1:0"})),
    # Stratus aws.initial-access.console-login-without-mfa; root sign-in (CIS)
    ("cloud.console_sign_in_unprotected", sign_in("IAMUser", "No"), sign_in("IAMUser", "Yes")),
    ("cloud.console_sign_in_unprotected", sign_in("IAMUser", "No"), sign_in("AssumedRole", "No")),
    ("cloud.console_sign_in_unprotected", sign_in("Root", "Yes"), sign_in("Root", "Yes", outcome="Failure")),
    # a SAML sign-in says MFAUsed: No too: its MFA is the identity provider's
    ("cloud.console_sign_in_unprotected", sign_in("IAMUser", "No"), sign_in("IAMUser", "No", saml=True)),
    # Stratus defense-evasion.cloudtrail-event-selectors: management events left out; a trail set to
    # log every management event, reads and writes (an infrastructure run re-applying it) narrows nothing
    ("cloud.logging_disabled", selectors(includeManagementEvents=False, readWriteType="ReadOnly"), selectors()),
    ("cloud.logging_disabled", selectors(readWriteType="WriteOnly"), selectors(dataResources=[{"type": "AWS::S3::Object", "values": []}])),
    ("cloud.logging_disabled", selectors(excludeManagementEventSources=["kms.amazonaws.com"]), selectors(excludeManagementEventSources=[])),
    ("cloud.logging_disabled",
     rec("cloudtrail:PutEventSelectors", {"trailName": "org-trail", "advancedEventSelectors": [
         {"name": "no iam", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]},
                                               {"field": "eventSource", "notEquals": ["iam.amazonaws.com"]}]}]}),
     rec("cloudtrail:PutEventSelectors", {"trailName": "org-trail", "advancedEventSelectors": [
         {"name": "all management", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]}]})),
    # a one-day expiry on the log bucket wipes it; a disabled rule expires nothing
    ("cloud.logging_disabled", lifecycle("Enabled"), lifecycle("Disabled")),
    # retained automated backups of a deleted database: the last copy
    ("cloud.data_destruction_scheduled", rec("rds:DeleteDBInstanceAutomatedBackup", {"dbiResourceId": "db-ABCDEFGHIJKLMNOPQRSTU1234"}),
     rec("rds:DescribeDBInstanceAutomatedBackups", {"dbiResourceId": "db-ABCDEFGHIJKLMNOPQRSTU1234"})),
    # Stratus aws.persistence.iam-create-backdoor-identity-provider; a Golden SAML set-up swaps the metadata
    ("cloud.credentials_for_another_identity",
     rec("iam:CreateSAMLProvider", {"name": "corp-sso", "sAMLMetadataDocument": "<EntityDescriptor ...>"}),
     rec("iam:ListSAMLProviders", {})),
    ("cloud.credentials_for_another_identity",
     rec("iam:CreateOpenIDConnectProvider", {"url": "https://oidc.example.net", "clientIDList": ["sts.amazonaws.com"]}),
     rec("iam:GetOpenIDConnectProvider", {"openIDConnectProviderArn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.example.net"})),
    # Stratus aws.execution.sagemaker-update-lifecycle-config: the script attached (parameters in either casing)
    ("cloud.code_execution",
     rec("sagemaker:UpdateNotebookInstance", {"notebookInstanceName": "research", "lifecycleConfigName": "patch"}),
     rec("sagemaker:UpdateNotebookInstance", {"notebookInstanceName": "research", "instanceType": "ml.t3.large"})),
    ("cloud.code_execution",
     rec("sagemaker:UpdateNotebookInstance", {"NotebookInstanceName": "research", "LifecycleConfigName": "patch"}),
     rec("sagemaker:UpdateNotebookInstance", {"NotebookInstanceName": "research", "DisassociateLifecycleConfig": True})),
    ("cloud.code_execution",  # Stratus's revert detaches the script with an empty name
     rec("sagemaker:UpdateNotebookInstance", {"notebookInstanceName": "research", "lifecycleConfigName": "priv-esc-config"}),
     rec("sagemaker:UpdateNotebookInstance", {"notebookInstanceName": "research", "lifecycleConfigName": ""})),
    # IMDSv1 re-enabled: CloudTrail nests EC2's newer requests (...Request, PascalCase)
    ("cloud.defences_disabled",
     rec("ec2:ModifyInstanceMetadataOptions", {"ModifyInstanceMetadataOptionsRequest": {"InstanceId": "i-0abc1234def567890",
                                                                                       "HttpTokens": "optional", "HttpEndpoint": "enabled"}}),
     rec("ec2:ModifyInstanceMetadataOptions", {"ModifyInstanceMetadataOptionsRequest": {"InstanceId": "i-0abc1234def567890",
                                                                                       "HttpTokens": "required", "HttpEndpoint": "enabled"}})),
    ("cloud.defences_disabled",
     rec("ec2:ModifyInstanceMetadataOptions", {"instanceId": "i-0abc1234def567890", "httpTokens": "optional"}),
     rec("ec2:ModifyInstanceMetadataOptions", {"instanceId": "i-0abc1234def567890", "httpPutResponseHopLimit": 2})),
    # SSM document made public or shared; a Redshift snapshot given to another account
    ("cloud.data_opened_to_outsiders",
     rec("ssm:ModifyDocumentPermission", {"name": "ops-bootstrap", "permissionType": "Share", "accountIdsToAdd": ["all"]}),
     rec("ssm:ModifyDocumentPermission", {"name": "ops-bootstrap", "permissionType": "Share", "accountIdsToRemove": ["all"]})),
    ("cloud.data_opened_to_outsiders",
     rec("ssm:ModifyDocumentPermission", {"name": "ops-bootstrap", "permissionType": "Share", "accountIdsToAdd": [OUTSIDER]}),
     rec("ssm:DescribeDocumentPermission", {"name": "ops-bootstrap", "permissionType": "Share"})),
    ("cloud.data_opened_to_outsiders",
     rec("redshift:AuthorizeSnapshotAccess", {"snapshotIdentifier": "nightly", "accountWithRestoreAccess": OUTSIDER}),
     rec("redshift:RevokeSnapshotAccess", {"snapshotIdentifier": "nightly", "accountWithRestoreAccess": OUTSIDER})),
    # Resource policies opened to everyone or another account (the resource types IAM Access Analyzer reports
    # on, and vendors' "resource made public" rules: Panther reads the same parameters); a policy scoped by
    # a condition to a source (an SNS topic feeding the queue) or a service principal is quiet
    ("cloud.data_opened_to_outsiders",
     rec("sqs:SetQueueAttributes", {"queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/orders",
                                    "attributes": {"Policy": policy("*")}}),
     rec("sqs:SetQueueAttributes", {"queueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/orders", "attributes": {
         "Policy": policy("*", {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:orders"}})}})),
    ("cloud.data_opened_to_outsiders",
     rec("sqs:CreateQueue", {"queueName": "drop", "attributes": {"Policy": policy({"AWS": f"arn:aws:iam::{OUTSIDER}:root"})}}),
     rec("sqs:CreateQueue", {"queueName": "drop", "attributes": {"VisibilityTimeout": "30"}})),
    ("cloud.data_opened_to_outsiders",
     rec("sns:SetTopicAttributes", {"topicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts", "attributeName": "Policy",
                                    "attributeValue": policy({"AWS": "*"}, action="sns:Subscribe")}),
     rec("sns:SetTopicAttributes", {"topicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts", "attributeName": "Policy",
                                    "attributeValue": policy({"Service": "s3.amazonaws.com"}, action="sns:Publish")})),
    ("cloud.data_opened_to_outsiders",
     rec("ecr:SetRepositoryPolicy", {"repositoryName": "payments-api", "force": False,
                                     "policyText": policy("*", action=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])}),
     rec("ecr:SetRepositoryPolicy", {"repositoryName": "payments-api", "force": False,
                                     "policyText": policy({"AWS": f"arn:aws:iam::{ACCOUNT}:role/deployer"}, action="ecr:BatchGetImage")})),
    ("cloud.data_opened_to_outsiders",
     rec("kms:CreateKey", {"keySpec": "SYMMETRIC_DEFAULT", "keyUsage": "ENCRYPT_DECRYPT",
                           "policy": policy({"AWS": f"arn:aws:iam::{OUTSIDER}:root"}, action="kms:*")}),
     rec("kms:CreateKey", {"keySpec": "SYMMETRIC_DEFAULT", "keyUsage": "ENCRYPT_DECRYPT",
                           "policy": policy({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, action="kms:*")})),
    ("cloud.data_opened_to_outsiders",
     rec("kms:CreateGrant", {"keyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd", "operations": ["Decrypt"],
                             "granteePrincipal": f"arn:aws:iam::{OUTSIDER}:role/reader"}),
     rec("kms:CreateGrant", {"keyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd", "operations": ["Decrypt", "CreateGrant"],
                             "granteePrincipal": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"})),
    ("cloud.data_opened_to_outsiders",  # a service granting itself use of the key for the caller (invokedBy) is its own working
     rec("kms:CreateGrant", {"keyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd", "operations": ["Decrypt"],
                             "granteePrincipal": f"arn:aws:iam::{OUTSIDER}:role/reader"}),
     rec("kms:CreateGrant", {"keyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd", "operations": ["Decrypt"],
                             "granteePrincipal": f"arn:aws:iam::{OUTSIDER}:role/service-worker"},
         who={**ROLE, "invokedBy": "workspaces.amazonaws.com"}, sourceIPAddress="AWS Internal")),
    ("cloud.data_opened_to_outsiders",
     rec("glacier:SetVaultAccessPolicy", {"accountId": "-", "vaultName": "archive", "policy": {"policy": policy("*", action="glacier:*")}}),
     rec("glacier:SetVaultAccessPolicy", {"accountId": "-", "vaultName": "archive",
                                          "policy": {"policy": policy({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, action="glacier:*")}})),
    ("cloud.data_opened_to_outsiders",
     rec("es:UpdateElasticsearchDomainConfig", {"domainName": "logs", "accessPolicies": policy({"AWS": "*"}, action="es:*")}),
     rec("es:UpdateElasticsearchDomainConfig", {"domainName": "logs", "accessPolicies": policy(
         {"AWS": "*"}, {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}, action="es:*")})),
    # A firewall opened: a network ACL entry or a modified security group rule admitting everyone
    # (Panther's and Splunk's NACL rules); egress, deny and a private range are quiet
    ("cloud.firewall_opened", rec("ec2:CreateNetworkAclEntry", nacl("cidrBlock", "0.0.0.0/0")),
     rec("ec2:CreateNetworkAclEntry", nacl("cidrBlock", "0.0.0.0/0", egress=True))),
    ("cloud.firewall_opened", rec("ec2:CreateNetworkAclEntry", nacl("cidrBlock", "0.0.0.0/0")),
     rec("ec2:CreateNetworkAclEntry", nacl("cidrBlock", "0.0.0.0/0", action="deny"))),
    ("cloud.firewall_opened", rec("ec2:ReplaceNetworkAclEntry", nacl("ipv6CidrBlock", "::/0")),
     rec("ec2:ReplaceNetworkAclEntry", nacl("cidrBlock", "10.0.0.0/16"))),
    ("cloud.firewall_opened", rec("ec2:ModifySecurityGroupRules", sg_rule("CidrIpv4", "0.0.0.0/0")),
     rec("ec2:ModifySecurityGroupRules", sg_rule("CidrIpv4", "203.0.113.0/24"))),
    # Permissions boundary removed (the cap on an identity's own policies); Stratus
    # eks.lateral-movement.create-access-entry: cluster administrator through EKS access management
    ("cloud.privileges_escalated", rec("iam:DeleteRolePermissionsBoundary", {"roleName": "app-runner"}),
     rec("iam:PutRolePermissionsBoundary", {"roleName": "app-runner", "permissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/boundary"})),
    ("cloud.privileges_escalated",
     rec("eks:AssociateAccessPolicy", {"name": "prod", "principalArn": f"arn%3Aaws%3Aiam%3A%3A{ACCOUNT}%3Arole%2Fci",
                                       "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                                       "accessScope": {"type": "cluster"}}),
     rec("eks:AssociateAccessPolicy", {"name": "prod", "principalArn": f"arn%3Aaws%3Aiam%3A%3A{ACCOUNT}%3Arole%2Fci",
                                       "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
                                       "accessScope": {"type": "namespace", "namespaces": ["web"]}})),
    # Stratus aws.persistence.ec2-create-suspicious-keypair: a key pair name seen reused across unrelated
    # compromised accounts (Datadog Security Labs); a team's own key name is quiet
    ("cloud.credentials_for_another_identity", rec("ec2:CreateKeyPair", {"keyName": "xg1", "keyType": "rsa", "keyFormat": "pem"}),
     rec("ec2:CreateKeyPair", {"keyName": "bastion-2026", "keyType": "ed25519", "keyFormat": "pem"})),
    # A database opened to the internet, or a snapshot restored into one (then its master password reset)
    ("cloud.data_opened_to_outsiders",
     rec("rds:RestoreDBInstanceFromDBSnapshot", {"dBInstanceIdentifier": "copy", "dBSnapshotIdentifier": "nightly", "publiclyAccessible": True}),
     rec("rds:RestoreDBInstanceFromDBSnapshot", {"dBInstanceIdentifier": "copy", "dBSnapshotIdentifier": "nightly", "publiclyAccessible": False})),
    ("cloud.data_opened_to_outsiders", rec("rds:ModifyDBInstance", {"dBInstanceIdentifier": "prod-db", "publiclyAccessible": True}),
     rec("rds:ModifyDBInstance", {"dBInstanceIdentifier": "prod-db", "publiclyAccessible": False})),
    # SES taken for mail campaigns (ATT&CK T1496.004 names SES): production access requested with stolen keys
    ("cloud.resource_hijack",
     rec("ses:PutAccountDetails", {"mailType": "MARKETING", "websiteURL": "https://example.net", "contactLanguage": "EN",
                                   "useCaseDescription": "newsletters", "productionAccessEnabled": True}),
     rec("ses:GetAccount", {})),
    # Monitoring cut before the next step (Elastic's and Splunk's CloudWatch alarm and WAF rules)
    ("cloud.defences_disabled", rec("cloudwatch:DeleteAlarms", {"alarmNames": ["root-account-usage", "unauthorized-api-calls"]}),
     rec("cloudwatch:PutMetricAlarm", {"alarmName": "root-account-usage", "actionsEnabled": True, "threshold": 1.0})),
    ("cloud.defences_disabled", rec("cloudwatch:DisableAlarmActions", {"alarmNames": ["root-account-usage"]}),
     rec("cloudwatch:EnableAlarmActions", {"alarmNames": ["root-account-usage"]})),
    ("cloud.defences_disabled",
     rec("wafv2:DeleteWebACL", {"name": "edge", "scope": "REGIONAL", "id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "lockToken": "t1"}),
     rec("wafv2:UpdateWebACL", {"name": "edge", "scope": "REGIONAL", "id": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "lockToken": "t1"})),
    ("cloud.logging_disabled",
     rec("wafv2:DeleteLoggingConfiguration", {"resourceArn": f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/edge/a1b2"}),
     rec("wafv2:PutLoggingConfiguration", {"loggingConfiguration": {
         "resourceArn": f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/edge/a1b2",
         "logDestinationConfigs": [f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-edge"]}})),
    # Server access logging off: CloudTrail logs the XML body, which then has no LoggingEnabled
    ("cloud.logging_disabled",
     rec("s3:PutBucketLogging", {"bucketName": "web-assets", "BucketLoggingStatus": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"},
                                 "logging": ""}),
     rec("s3:PutBucketLogging", {"bucketName": "web-assets", "logging": "", "BucketLoggingStatus": {
         "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "web-assets/"}}})),
    # Resource policies of the last Access Analyzer types: a file system, a table, a function layer. EFS's
    # console policies grant "*" only through a mount target (inside a VPC): quiet
    ("cloud.data_opened_to_outsiders",
     rec("elasticfilesystem:PutFileSystemPolicy", {"fileSystemId": "fs-0123456789abcdef0", "policy": policy(
         {"AWS": "*"}, action=["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"])}),
     rec("elasticfilesystem:PutFileSystemPolicy", {"fileSystemId": "fs-0123456789abcdef0", "policy": policy(
         {"AWS": "*"}, {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
         action=["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"])})),
    ("cloud.data_opened_to_outsiders",
     rec("dynamodb:PutResourcePolicy", {"resourceArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders",
                                        "policy": policy({"AWS": f"arn:aws:iam::{OUTSIDER}:root"}, action="dynamodb:Scan")}),
     rec("dynamodb:PutResourcePolicy", {"resourceArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders",
                                        "policy": policy({"AWS": f"arn:aws:iam::{ACCOUNT}:role/reporting"}, action="dynamodb:Query")})),
    ("cloud.data_opened_to_outsiders",
     rec("lambda:AddLayerVersionPermission20181031", {"layerName": "shared-utils", "versionNumber": 3, "statementId": "everyone",
                                                      "action": "lambda:GetLayerVersion", "principal": "*"}),
     rec("lambda:AddLayerVersionPermission20181031", {"layerName": "shared-utils", "versionNumber": 3, "statementId": "org",
                                                      "action": "lambda:GetLayerVersion", "principal": "*",
                                                      "organizationId": "o-a1b2c3d4e5"})),
    # A key policy's "*" tied to the account's callers through a service (the AWS managed keys' pattern)
    # and a bucket policy delegating to the account's access points are not openings
    ("cloud.data_opened_to_outsiders",
     rec("kms:PutKeyPolicy", {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "policyName": "default",
                              "policy": policy({"AWS": "*"}, action=["kms:Decrypt", "kms:GenerateDataKey*"])}),
     rec("kms:PutKeyPolicy", {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "policyName": "default", "policy": policy(
         {"AWS": "*"}, {"StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}},
         action=["kms:Decrypt", "kms:GenerateDataKey*"])})),
    ("cloud.data_opened_to_outsiders",
     rec("s3:PutBucketPolicy", {"bucketName": "finance-data", "bucketPolicy": json.loads(policy({"AWS": "*"}, action="s3:GetObject"))}),
     rec("s3:PutBucketPolicy", {"bucketName": "finance-data", "bucketPolicy": json.loads(policy(
         {"AWS": "*"}, {"StringEquals": {"s3:DataAccessPointAccount": ACCOUNT}}, action="s3:*"))})),
    # "*" scoped by a condition to another account opens the resource to that account
    ("cloud.data_opened_to_outsiders",
     rec("kms:PutKeyPolicy", {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "policyName": "default", "policy": policy(
         {"AWS": "*"}, {"StringEquals": {"kms:CallerAccount": OUTSIDER}}, action=["kms:Decrypt"])}),
     rec("kms:PutKeyPolicy", {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "policyName": "default", "policy": policy(
         {"AWS": "*"}, {"StringEquals": {"kms:CallerAccount": ACCOUNT}}, action=["kms:Decrypt"])})),
    # Load balancer access logs: the bucket policy names Elastic Load Balancing's account for the
    # region (127311923021 in us-east-1, from the ELB guide), an account AWS runs
    ("cloud.data_opened_to_outsiders",
     rec("s3:PutBucketPolicy", {"bucketName": "alb-logs", "bucketPolicy": json.loads(policy(
         {"AWS": f"arn:aws:iam::{OUTSIDER}:root"}, action="s3:PutObject"))}),
     rec("s3:PutBucketPolicy", {"bucketName": "alb-logs", "bucketPolicy": json.loads(policy(
         {"AWS": "arn:aws:iam::127311923021:root"}, action="s3:PutObject"))})),
    # Panther's rule tests (panther-analysis rules/aws_cloudtrail_rules), written again here from the
    # API references: Macie paused, a database's activity stream stopped, a cluster or a build project
    # made public, a DB security group opened, a database's automated backups turned off
    ("cloud.defences_disabled", rec("macie2:UpdateMacieSession", {"status": "PAUSED"}),
     rec("macie2:UpdateMacieSession", {"findingPublishingFrequency": "SIX_HOURS"})),
    ("cloud.logging_disabled",
     rec("rds:StopActivityStream", {"resourceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:orders", "applyImmediately": True}),
     rec("rds:StartActivityStream", {"resourceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:orders", "mode": "async",
                                     "kmsKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"})),
    ("cloud.data_opened_to_outsiders", rec("rds:ModifyDBCluster", {"dBClusterIdentifier": "orders", "publiclyAccessible": True}),
     rec("rds:ModifyDBCluster", {"dBClusterIdentifier": "orders", "publiclyAccessible": False})),
    ("cloud.data_opened_to_outsiders",
     rec("codebuild:UpdateProjectVisibility", {"projectArn": f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/api",
                                               "projectVisibility": "PUBLIC_READ"}),
     rec("codebuild:UpdateProjectVisibility", {"projectArn": f"arn:aws:codebuild:us-east-1:{ACCOUNT}:project/api",
                                               "projectVisibility": "PRIVATE"})),
    ("cloud.firewall_opened", rec("rds:AuthorizeDBSecurityGroupIngress", {"dBSecurityGroupName": "db", "cIDRIP": "0.0.0.0/0"}),
     rec("rds:AuthorizeDBSecurityGroupIngress", {"dBSecurityGroupName": "db", "cIDRIP": "203.0.113.0/24"})),
    # IAM Roles Anywhere: an uploaded CA certificate (Stratus rolesanywhere-create-trust-anchor) against
    # the account's own Private CA (Elastic's test input)
    ("cloud.credentials_for_another_identity",
     rec("rolesanywhere:CreateTrustAnchor", {"name": "ops", "enabled": True, "source": {
         "sourceType": "CERTIFICATE_BUNDLE", "sourceData": {"x509CertificateData": "-----BEGIN CERTIFICATE-----\nMIIB"}}}),
     rec("rolesanywhere:CreateTrustAnchor", {"name": "ops", "enabled": True, "source": {
         "sourceType": "AWS_ACM_PCA", "sourceData": {"acmPcaArn": f"arn:aws:acm-pca:us-east-1:{ACCOUNT}:certificate-authority/83dc"}}})),
    ("cloud.credentials_for_another_identity",
     rec("rolesanywhere:CreateTrustAnchor", {"name": "ops", "enabled": True, "source": {
         "sourceType": "AWS_ACM_PCA", "sourceData": {"acmPcaArn": f"arn:aws:acm-pca:us-east-1:{OUTSIDER}:certificate-authority/83dc"}}}),
     rec("rolesanywhere:ListTrustAnchors", {})),
    # an IAM user's SSH key is for CodeCommit: a user adds its own when it sets up Git (Elastic's test input)
    ("cloud.credentials_for_another_identity",
     rec("iam:UploadSSHPublicKey", {"userName": "alice", "sSHPublicKeyBody": "ssh-rsa AAAAB3NzaC1yc2E attacker@host"}),
     rec("iam:UploadSSHPublicKey", {"userName": "ci-deployer", "sSHPublicKeyBody": "ssh-rsa AAAAB3NzaC1yc2E ci@build"})),
    ("cloud.data_destruction_scheduled",
     rec("rds:ModifyDBInstance", {"dBInstanceIdentifier": "orders", "backupRetentionPeriod": 0, "applyImmediately": True}),
     rec("rds:ModifyDBInstance", {"dBInstanceIdentifier": "orders", "backupRetentionPeriod": 7})),
    # a backdoor user; the same user created by a CloudFormation stack for the caller (Panther's
    # "IAM entity created without CloudFormation" look-alike) is the stack's
    ("cloud.privileges_escalated", rec("iam:CreateUser", {"userName": "svc-backup", "path": "/"}, who=ROLE),
     rec("iam:CreateUser", {"userName": "svc-backup", "path": "/"}, who={**ROLE, "invokedBy": "cloudformation.amazonaws.com"},
         sourceIPAddress="cloudformation.amazonaws.com", ua="cloudformation.amazonaws.com")),
])
def test_technique_fires_on_first_record_and_look_alike_is_quiet(rule, attack, benign):
    assert judged(attack) == [rule]
    assert judged(benign) == []


@pytest.mark.parametrize("call, params, declares", [
    ("identitystore:CreateUser", {"identityStoreId": "d-1", "userName": "new-hire"}, ["identitystore:CreateUser"]),
    ("ec2-instance-connect:SendSerialConsoleSSHPublicKey", {"instanceId": "i-0abc", "serialPort": 0, "sSHPublicKey": "ssh-ed25519 AAAA"},
     ["ec2-instance-connect:SendSerialConsoleSSHPublicKey"]),
    ("ec2:GetPasswordData", {"instanceId": "i-0abc1234def567890"}, ["ec2:GetPasswordData"]),
    ("ssm:SendCommand", {"instanceIds": ["i-1"], "documentName": "AWS-RunShellScript"}, ["ssm:SendCommand"]),
    ("s3:CopyObject", SSE_C, ["s3:CopyObject"]),
])
def test_declared_administration_is_quiet(call, params, declares):
    assert judged(rec(call, params)) != []
    assert judged(rec(call, params), declares=declares) == []


def test_a_declared_trail_change_is_quiet_for_the_audit_chain_too():
    # An infrastructure-as-code runner whose manifest names the trail calls: neither the catalogue
    # nor the older one-step chain on audit settings pages (the agentic lab's iac_admin look-alike).
    both = ("cloud.", "chain.")
    for stop in (rec("cloudtrail:StopLogging", {"name": "org-trail"}), rec("cloudtrail:DeleteTrail", {"name": "org-trail"})):
        assert judged(stop, declares=["sts:GetCallerIdentity"], prefixes=both) == ["chain.audit_settings_changed",
                                                                                  "cloud.logging_disabled"]
        assert judged(stop, declares=["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], prefixes=both) == []
        # a service-wide pattern says the runner uses CloudTrail, not that switching it off is its work
        assert judged(stop, declares=["cloudtrail:*"], prefixes=both) == ["chain.audit_settings_changed", "cloud.logging_disabled"]


def test_aws_quarantining_an_exposed_key_pages_whoever_logged_it_and_whatever_is_declared():
    # AWS attaches its quarantine policy to a user whose key it found in public; CloudTrail logs it
    # under AWS's internal session ("AWS Internal") or the user's own identity (aws-internal/3)
    internal = {**ROLE, "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/a-role/quarantine"}
    for policy_arn in ("arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2", "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3"):
        attach = rec("iam:AttachUserPolicy", {"userName": "ci-deployer", "policyArn": policy_arn}, who=internal, ua="AWS Internal")
        assert judged(attach, agent=internal["arn"]) == ["cloud.credentials_reported_exposed"]
    inline = rec("iam:PutUserPolicy", {"userName": "ci-deployer", "policyName": "AWSExposedCredentialPolicy_DO_NOT_REMOVE",
                                       "policyDocument": json.dumps({"Version": "2012-10-17", "Statement": [
                                           {"Effect": "Deny", "Action": ["iam:CreateAccessKey"], "Resource": "*"}]})},
                 ua="aws-internal/3 aws-sdk-java/1.11.706")
    # an infrastructure runner that declares IAM calls is still told its key is out
    assert judged(inline, declares=["iam:PutUserPolicy"]) == ["cloud.credentials_reported_exposed"]
    # the same calls with a team's own policies are not AWS's report
    own = rec("iam:PutUserPolicy", {"userName": "ci-deployer", "policyName": "TestUserDenyAll", "policyDocument": json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})}, who=internal, ua="AWS Internal")
    readonly = rec("iam:AttachUserPolicy", {"userName": "ci-deployer", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
    assert judged(own, agent=internal["arn"]) == [] and judged(readonly) == []


def test_a_refused_attempt_counts_only_where_the_call_says_so():
    # Stratus aws.credential-access.ec2-get-password-data: every call refused
    tried = rec("ec2:GetPasswordData", {"instanceId": "i-i2jnm5swa59p4fxg"}, who=ROLE, error="Client.UnauthorizedOperation")
    assert judged(tried, agent=ROLE_ARN) == ["cloud.credentials_for_another_identity"]
    # Stratus aws.defense-evasion.organizations-leave: refused, and still the sign (Panther's rule counts it too)
    assert judged(rec("organizations:LeaveOrganization", None, error="AccessDenied")) == ["cloud.defences_disabled"]
    assert judged(rec("organizations:DescribeOrganization", None, error="AccessDenied")) == []
    assert judged(rec("iam:CreateRole", {"roleName": "m", "assumeRolePolicyDocument": trust({"AWS": f"arn:aws:iam::{OUTSIDER}:root"})},
                      error="AccessDenied")) == []


def delete(i: int, at: float, version: bool = True, **kw) -> dict:
    """An S3 DeleteObject data event (Stratus s3-ransomware-individual-deletion's shape)."""
    params = {"bucketName": "finance-data", "Host": "finance-data.s3.us-east-1.amazonaws.com", "key": f"q3/file-{i}.docx",
              "x-id": "DeleteObject"}
    if version:
        params["versionId"] = f"3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrH{i:04d}"
    return rec("s3:DeleteObject", params, at=at, data=True, **kw)


def test_a_bucket_emptied_version_by_version_pages_once_and_ordinary_deletes_do_not():
    ransom = [delete(i, at=i * 0.4) for i in range(51)] + [rec("s3:PutObject", {"bucketName": "finance-data", "key": "FILES-DELETED.txt"},
                                                               at=21, data=True)]
    assert judged(*ransom) == ["cloud.deletion_burst"]
    markers = [delete(i, at=i * 0.4, version=False) for i in range(51)]          # delete markers: recoverable
    trimming = [delete(i, at=i * 0.4) for i in range(19)]                         # an app trimming old versions
    refused = [delete(i, at=i * 0.4, error="AccessDenied") for i in range(40)]    # nothing deleted
    by_hand = [delete(i, at=i * 61.0) for i in range(40)]                         # one a minute
    for benign in (markers, trimming, refused, by_hand):
        assert judged(*benign) == []
    # declaring the call allows deletions, not a bucket wiped within a minute (as for a secrets dump)
    assert judged(*ransom, declares=["s3:DeleteObject"]) == ["cloud.deletion_burst"]


INSTANCES = [f"i-0{n}4f1e2d3c4b5a69" for n in range(1, 6)]
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq0example stratus"


def session(target: str, at: float, **kw) -> dict:
    """An SSM StartSession record (the requestParameters CloudTrail logs: the target instance)."""
    return rec("ssm:StartSession", {"target": target}, at=at, responseElements={"sessionId": f"alice-{target}",
               "tokenValue": "Value hidden due to security reasons.", "streamUrl": "wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/x"},
               **kw)


def key_push(instance: str, at: float, **kw) -> dict:
    """An EC2 Instance Connect SendSSHPublicKey record."""
    return rec("ec2-instance-connect:SendSSHPublicKey", {"instanceId": instance, "instanceOSUser": "ec2-user", "sSHPublicKey": SSH_KEY},
               at=at, responseElements={"requestId": "r", "success": True}, **kw)


def test_shells_on_several_instances_page_and_one_shell_does_not():
    # Stratus aws.lateral-movement.ssm-start-session / ec2-instance-connect: three instances, seconds apart, from the SDK
    assert judged(*[session(i, at=n * 2) for n, i in enumerate(INSTANCES[:3])]) == ["cloud.remote_access_burst"]
    assert judged(*[key_push(i, at=n * 2) for n, i in enumerate(INSTANCES[:3])]) == ["cloud.remote_access_burst"]
    # both ways count towards one burst: they name the same kind of thing, an instance
    assert judged(session(INSTANCES[0], at=0), key_push(INSTANCES[1], at=5), session(INSTANCES[2], at=9)) == ["cloud.remote_access_burst"]
    # an administrator on one or two instances, again and again; three over an afternoon
    assert judged(*[session(INSTANCES[n % 2], at=n * 30) for n in range(12)]) == []
    assert judged(*[key_push(i, at=n * 3600) for n, i in enumerate(INSTANCES[:3])]) == []
    # the console opens shells and pushes keys the same way (the browser's agent, or the console's own)
    console = [session(i, at=n, ua="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0") for n, i in enumerate(INSTANCES)]
    pushed = [key_push(i, at=n, ua="console.ec2.amazonaws.com") for n, i in enumerate(INSTANCES)]
    assert judged(*console) == [] and judged(*pushed) == []
    # an operations runner that declares the calls (Ansible's SSM connection: a session per host)
    assert judged(*[session(i, at=n) for n, i in enumerate(INSTANCES)], declares=["ssm:StartSession"]) == []
    assert judged(*[session(i, at=n) for n, i in enumerate(INSTANCES)], declares=["ssm:*"]) == ["cloud.remote_access_burst"]
    # a session on a managed node that is not an instance counts too (the target names it)
    assert judged(*[session(t, at=n) for n, t in enumerate(["mi-0123456789abcdef0", *INSTANCES[:2]])]) == ["cloud.remote_access_burst"]


GUARDDUTY_SCAN = {
    "type": "AssumedRole", "principalId": "AROAEXAMPLEGDMP00001:GuardDutyMalwareProtection",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSServiceRoleForAmazonGuardDutyMalwareProtection/GuardDutyMalwareProtection",
    "accountId": ACCOUNT, "accessKeyId": "ASIAEXAMPLEGDMP00001",
    "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEGDMP00001", "accountId": ACCOUNT,
                                         "arn": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/malware-protection.guardduty.amazonaws.com/"
                                                "AWSServiceRoleForAmazonGuardDutyMalwareProtection",
                                         "userName": "AWSServiceRoleForAmazonGuardDutyMalwareProtection"}}}


def test_a_service_linked_role_doing_its_service_s_work_is_not_judged():
    # GuardDuty's malware scan shares each EBS snapshot it scans with GuardDuty's account (652050842985
    # in us-east-1, from the GuardDuty guide) under its service-linked role, which nobody else can assume
    share = {"snapshotId": "snap-1234567890abcdef0", "attributeType": "CREATE_VOLUME_PERMISSION",
             "createVolumePermission": {"add": {"items": [{"userId": "652050842985"}]}}}
    # (the CloudTrail adapter skips the record; kept, or from another producer, the rules leave it alone)
    assert judged(rec("ec2:ModifySnapshotAttribute", share, who=GUARDDUTY_SCAN), agent=GUARDDUTY_SCAN["arn"], services="keep") == []
    assert judged(rec("ec2:ModifySnapshotAttribute", share, who=ROLE), agent=ROLE_ARN) == ["cloud.data_opened_to_outsiders"]


def test_the_organisations_own_accounts_and_vendors_are_no_outsiders_once_named():
    """``trusted_accounts`` (per deployment): a role, a replication, a snapshot share naming only the
    organisation's backup account or a contracted vendor's opens nothing to an outsider; naming one
    more account still pages, and names that one. A snapshot shared with the account itself is no share."""
    from intentwatch.pipeline.engine.config import EngineConfig
    backup, vendor = "444455556666", "464622532012"
    trusted = {"params": {"trusted_accounts": [backup, vendor]}}
    rules = {r: trusted for r in ("cloud.privileges_escalated", "cloud.data_opened_to_outsiders")}
    records = [
        rec("iam:CreateRole", {"roleName": "vendor-integration", "assumeRolePolicyDocument": json.dumps({"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{vendor}:root"}, "Action": "sts:AssumeRole",
                           "Condition": {"StringEquals": {"sts:ExternalId": "a1b2c3"}}}]})}),
        rec("s3:PutBucketReplication", replication(backup)),
        rec("ec2:ModifySnapshotAttribute", {"snapshotId": "snap-0a1", "attributeType": "CREATE_VOLUME_PERMISSION",
                                            "createVolumePermission": {"add": {"items": [{"userId": backup}]}}}),
    ]
    assert [judged(r) for r in records] == [["cloud.privileges_escalated"], ["cloud.data_opened_to_outsiders"]] + \
        [["cloud.data_opened_to_outsiders"]]

    def alerts(r: dict) -> list[Alert]:
        adapter, e = CloudTrailAdapter(CloudTrailOptions(services="skip")), Engine(EngineConfig.model_validate({"rules": rules}))
        [a] = [x for x in adapter.decode(orjson.dumps(r), "fixture") if isinstance(x, Action)]
        return [o for o in e.process(a) + e.flush() if isinstance(o, Alert) and o.rule_id.startswith("cloud.")]

    assert [alerts(r) for r in records] == [[], [], []]
    both = alerts(rec("iam:UpdateAssumeRolePolicy", {"roleName": "vendor-integration", "policyDocument": trust(
        {"AWS": [f"arn:aws:iam::{vendor}:root", f"arn:aws:iam::{OUTSIDER}:root"]})}))
    assert [a.rule_id for a in both] == ["cloud.privileges_escalated"] and OUTSIDER in both[0].evidence.baseline["matched"]
    assert vendor not in both[0].evidence.baseline["matched"]
    with pytest.raises(Exception, match="trusted_accounts"):
        Engine(EngineConfig.model_validate({"rules": {"cloud.privileges_escalated": {"params": {"trusted_accounts": ["12345"]}}}}))


@pytest.mark.parametrize("call, params, fires", [
    ("ec2:ModifySnapshotAttribute", {"createVolumePermission": {"add": {"items": [{"userId": OUTSIDER}]}}}, True),
    ("ec2:ModifySnapshotAttribute", {"createVolumePermission": {"add": {"items": [{"group": "all"}]}}}, True),
    ("ec2:ModifySnapshotAttribute", {"createVolumePermission": {"add": {"items": [{"userId": ACCOUNT}]}}}, False),
    ("ec2:ModifySnapshotAttribute", {"createVolumePermission": {"add": {"items": [{"userId": "XXXXXXXXXXXX"}]}}}, True),  # anonymised
    ("ec2:ModifySnapshotAttribute", {"createVolumePermission": {"add": {"items": [{"group": "not-all"}]}}}, False),
    ("ec2:ModifyImageAttribute", {"launchPermission": {"add": {"items": [{"userId": OUTSIDER}]}}}, True),
    ("ec2:ModifyImageAttribute", {"launchPermission": {"add": {"items": [
        {"organizationArn": f"arn:aws:organizations::{OUTSIDER}:organization/o-abc1234567"}]}}}, True),
    ("ec2:ModifyImageAttribute", {"launchPermission": {"add": {"items": [{"group": "all"}]}}}, True),
    ("ec2:ModifyImageAttribute", {"launchPermission": {"remove": {"items": [{"group": "all"}]}}}, False),
    ("rds:ModifyDBSnapshotAttribute", {"dBSnapshotIdentifier": "s", "attributeName": "restore", "valuesToAdd": [OUTSIDER]}, True),
    ("rds:ModifyDBSnapshotAttribute", {"dBSnapshotIdentifier": "s", "attributeName": "restore", "valuesToAdd": ["all"]}, True),
    ("rds:ModifyDBClusterSnapshotAttribute", {"dBClusterSnapshotIdentifier": "s", "attributeName": "restore",
                                              "valuesToAdd": [OUTSIDER]}, True),
    ("rds:ModifyDBClusterSnapshotAttribute", {"dBClusterSnapshotIdentifier": "s", "attributeName": "restore",
                                              "valuesToRemove": [OUTSIDER]}, False),
])
def test_a_share_pages_when_it_reaches_another_account_its_organisation_or_everyone(call, params, fires):
    assert judged(rec(call, params)) == (["cloud.data_opened_to_outsiders"] if fires else [])


@pytest.mark.parametrize("group, rule", [
    (f"aws-cloudtrail-logs-{ACCOUNT}-0a1b2c3d", "cloud.logging_disabled"),  # the console's default for a trail
    ("cloudtrail-log-group-test", "cloud.logging_disabled"),  # Elastic's test record's
    ("/aws/eks/prod/cluster", "cloud.logging_disabled"),  # EKS control plane, its audit log among them
    ("aws-waf-logs-edge", "cloud.logging_disabled"),  # WAF's required prefix
    ("/aws/route53/example.com", "cloud.logging_disabled"),
    ("prod-VPC-Flow-Logs", "cloud.logging_disabled"),
    ("/aws/lambda/orders-handler", "cloud.log_group_deleted"),
    ("/ecs/web-staging", "cloud.log_group_deleted"),
])
def test_a_log_group_of_audit_logs_deleted_pages_and_an_application_s_is_visible(group, rule):
    """Teardown deletes applications' log groups every day: those are medium (visible, no page); a log
    group named for audit, network or security logs is critical."""
    deleted = rec("logs:DeleteLogGroup", {"logGroupName": group})
    adapter, e = CloudTrailAdapter(CloudTrailOptions(services="skip")), Engine()
    [a] = [x for x in adapter.decode(orjson.dumps(deleted), "fixture") if isinstance(x, Action)]
    [alert] = [o for o in e.process(a) + e.flush() if isinstance(o, Alert) and o.rule_id.startswith("cloud.")]
    assert (alert.rule_id, alert.severity) == (rule, "critical" if rule == "cloud.logging_disabled" else "medium")
    assert group in alert.evidence.baseline["matched"]
    # a stack's teardown: CloudFormation deletes for the caller
    teardown = rec("logs:DeleteLogGroup", {"logGroupName": group}, who={**USER, "invokedBy": "cloudformation.amazonaws.com"},
                   sourceIPAddress="cloudformation.amazonaws.com")
    assert judged(teardown) == ([rule] if rule == "cloud.logging_disabled" else [])
    assert judged(deleted, declares=["logs:DeleteLogGroup"]) == []

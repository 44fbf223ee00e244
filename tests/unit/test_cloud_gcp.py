"""Google Cloud control-plane abuse from the first audit log entry of an identity with no history.

Each entry is written here in the LogEntry / AuditLog shape from Google's public references (the
AuditLog payload, IAM's AuditData policy delta, the Compute Engine, Cloud Logging, IAM and Cloud KMS
method names), read with the shipped mapping (deploy/mappings/gcp-audit-log.yaml), then judged by a
fresh engine. Each sits beside a benign look-alike: a removal (remediation), a private range, a deny
rule, a field that does not match, or the call declared in the identity's manifest.
"""

from datetime import timedelta
from itertools import count
from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter
from tests.factories import T0, instantiate, manifest

MAPPING = Path(__file__).parents[2] / "deploy" / "mappings" / "gcp-audit-log.yaml"
AGENT = "deploy-agent@acme-prod.iam.gserviceaccount.com"
_n = count(1)


def entry(service: str, method: str, request: dict | None = None, *, resource: str = "projects/acme-prod",
          service_data: dict | None = None, at: float = 0.0) -> dict:
    """One Admin Activity audit log entry as Cloud Logging exports it."""
    payload = {"@type": "type.googleapis.com/google.cloud.audit.AuditLog", "status": {},
               "authenticationInfo": {"principalEmail": AGENT},
               "requestMetadata": {"callerIp": "203.0.113.7", "callerSuppliedUserAgent": "google-cloud-sdk gcloud/470.0.0"},
               "serviceName": f"{service}.googleapis.com", "methodName": method, "resourceName": resource}
    if request is not None:
        payload["request"] = request
    if service_data is not None:
        payload["serviceData"] = {"@type": "type.googleapis.com/google.iam.v1.logging.AuditData", **service_data}
    return {"protoPayload": payload, "insertId": f"ins{next(_n)}", "resource": {"type": "project", "labels": {"project_id": "acme-prod"}},
            "timestamp": (T0 + timedelta(seconds=at)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "severity": "NOTICE",
            "logName": "projects/acme-prod/logs/cloudaudit.googleapis.com%2Factivity"}


def judged(*entries: dict, declares: list[str] | None = None) -> list[str]:
    """Rule ids (cloud.*) of the alerts a fresh engine raises on these entries."""
    adapter, e, out = open_adapter("mapped", MAPPING), Engine(), []
    if declares is not None:
        m = manifest(AGENT, allowed={"tools": declares, "operations": ["read", "list", "write", "configure", "delete", "execute", "grant"]},
                     credentials=[], model=None, schedule=None, rate_limit=None)
        out += e.process(instantiate(m))
    results = list(adapter.decode(orjson.dumps(list(entries)), "gcp.json"))
    assert not [r for r in results if isinstance(r, BadRecord)]
    for a in results:
        assert isinstance(a, Action)
        out += e.process(a)
    return sorted(o.rule_id for o in out + e.flush() if isinstance(o, Alert) and o.rule_id.startswith("cloud."))


def _delta(action: str, member: str, role: str = "roles/storage.objectViewer") -> dict:
    return {"policyDelta": {"bindingDeltas": [{"action": action, "role": role, "member": member}]}}


BUCKET = "projects/_/buckets/acme-exports"


@pytest.mark.parametrize("member", ["allUsers", "allAuthenticatedUsers"])
def test_a_bucket_opened_to_everyone(member):
    assert judged(entry("storage", "storage.setIamPermissions", resource=BUCKET, service_data=_delta("ADD", member))) == [
        "cloud.data_opened_to_outsiders"]


def test_a_bucket_closed_again_or_shared_with_a_colleague_is_quiet():
    """The same call removing allUsers (the fix), or adding a named person; one delta adding a person beside
    another removing allUsers is no opening either: the condition holds on one item."""
    assert judged(entry("storage", "storage.setIamPermissions", resource=BUCKET, service_data=_delta("REMOVE", "allUsers"))) == []
    assert judged(entry("storage", "storage.setIamPermissions", resource=BUCKET, service_data=_delta("ADD", "user:ann@acme.example"))) == []
    both = {"policyDelta": {"bindingDeltas": [{"action": "ADD", "role": "roles/storage.objectViewer", "member": "user:ann@acme.example"},
                                              {"action": "REMOVE", "role": "roles/storage.objectViewer", "member": "allUsers"}]}}
    assert judged(entry("storage", "storage.setIamPermissions", resource=BUCKET, service_data=both)) == []


def test_an_image_shared_with_everyone_and_a_project_granted_to_everyone():
    public = {"policy": {"bindings": [{"role": "roles/compute.imageUser", "members": ["allAuthenticatedUsers"]}]}}
    assert judged(entry("compute", "v1.compute.images.setIamPolicy", public, resource="projects/acme-prod/global/images/golden")) == [
        "cloud.data_opened_to_outsiders"]
    team = {"policy": {"bindings": [{"role": "roles/compute.imageUser", "members": ["group:platform@acme.example"]}]}}
    assert judged(entry("compute", "v1.compute.images.setIamPolicy", team, resource="projects/acme-prod/global/images/golden")) == []
    assert judged(entry("cloudresourcemanager", "SetIamPolicy", service_data=_delta("ADD", "allUsers", "roles/viewer"))) == [
        "cloud.data_opened_to_outsiders"]


def test_logging_cut_sinks_buckets_flow_logs_and_audit_configs():
    logging = "google.logging.v2.ConfigServiceV2."
    assert judged(entry("logging", logging + "DeleteSink", {"sinkName": "projects/acme-prod/sinks/to-siem"})) == ["cloud.logging_disabled"]
    assert judged(entry("logging", logging + "DeleteBucket", {"name": "projects/acme-prod/locations/global/buckets/audit"})) == [
        "cloud.logging_disabled"]
    disabled = {"sinkName": "projects/acme-prod/sinks/to-siem", "sink": {"name": "to-siem", "disabled": True}, "updateMask": "disabled"}
    assert judged(entry("logging", logging + "UpdateSink", disabled)) == ["cloud.logging_disabled"]
    refiltered = {"sinkName": "projects/acme-prod/sinks/to-siem", "sink": {"name": "to-siem", "filter": "severity>=INFO"}, "updateMask": "filter"}
    assert judged(entry("logging", logging + "UpdateSink", refiltered), entry("logging", logging + "CreateSink", {"sink": {"name": "x"}})) == []
    subnet = "projects/acme-prod/regions/us-central1/subnetworks/default"
    assert judged(entry("compute", "v1.compute.subnetworks.patch", {"enableFlowLogs": False}, resource=subnet)) == ["cloud.logging_disabled"]
    assert judged(entry("compute", "v1.compute.subnetworks.patch", {"logConfig": {"enable": False}}, resource=subnet)) == ["cloud.logging_disabled"]
    assert judged(entry("compute", "v1.compute.subnetworks.patch", {"logConfig": {"enable": True}}, resource=subnet)) == []
    removed = {"policyDelta": {"auditConfigDeltas": [{"action": "REMOVE", "service": "allServices", "logType": "DATA_READ"}]}}
    added = {"policyDelta": {"auditConfigDeltas": [{"action": "ADD", "service": "storage.googleapis.com", "logType": "DATA_READ"}]}}
    assert judged(entry("cloudresourcemanager", "SetIamPolicy", service_data=removed)) == ["cloud.logging_disabled"]
    assert judged(entry("cloudresourcemanager", "SetIamPolicy", service_data=added)) == []


def _firewall(ranges: list[str], **rule) -> dict:
    return {"@type": "type.googleapis.com/compute.firewalls.insert", "name": "allow-ssh", "network": "global/networks/default",
            "sourceRanges": ranges, **rule}


def test_a_firewall_rule_admitting_the_internet():
    ssh = {"alloweds": [{"IPProtocol": "tcp", "ports": ["22"]}]}
    assert judged(entry("compute", "v1.compute.firewalls.insert", _firewall(["0.0.0.0/0"], direction="INGRESS", **ssh))) == [
        "cloud.firewall_opened"]
    assert judged(entry("compute", "v1.compute.firewalls.patch", _firewall(["::/0"], **ssh))) == ["cloud.firewall_opened"]
    # a private range, a deny rule from anywhere, an egress rule: none opens anything
    assert judged(entry("compute", "v1.compute.firewalls.insert", _firewall(["10.0.0.0/8"], **ssh)),
                  entry("compute", "v1.compute.firewalls.insert", _firewall(["0.0.0.0/0"], denieds=[{"IPProtocol": "all"}])),
                  entry("compute", "v1.compute.firewalls.insert", _firewall(["0.0.0.0/0"], direction="EGRESS", **ssh))) == []


def test_a_google_service_agent_opening_a_firewall_for_a_load_balancer_is_quiet():
    """GKE's service agent creates a firewall rule from 0.0.0.0/0 for each load-balanced Kubernetes service."""
    gke = entry("compute", "v1.compute.firewalls.insert", _firewall(["0.0.0.0/0"], alloweds=[{"IPProtocol": "tcp", "ports": ["80", "443"]}]))
    gke["protoPayload"]["authenticationInfo"]["principalEmail"] = "service-195817460494@container-engine-robot.iam.gserviceaccount.com"
    assert judged(gke) == []


def test_keys_minted_for_a_service_account_and_a_key_version_destroyed():
    key = entry("iam", "google.iam.admin.v1.CreateServiceAccountKey",
                {"name": "projects/-/serviceAccounts/billing@acme-prod.iam.gserviceaccount.com", "private_key_type": 2})
    assert judged(key) == ["cloud.credentials_for_another_identity"]
    # a key-rotation agent whose manifest declares the call raises nothing here (the intent rules judge it)
    assert judged(key, declares=["google.iam.admin.v1.CreateServiceAccountKey"]) == []
    destroy = entry("cloudkms", "DestroyCryptoKeyVersion", {"name": "projects/acme-prod/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1"})
    assert judged(destroy) == ["cloud.data_destruction_scheduled"]


def test_aws_and_tool_calls_are_untouched_by_the_google_keys():
    """A method name is a Google Cloud call only beside a googleapis.com service: a tool named the same, with no
    service (an agent's own tool), is no catalogue call."""
    from intentwatch.pipeline.engine.detectors.cloud_calls import cloud_call
    from tests.factories import action
    assert cloud_call(action(tool="storage.setIamPermissions")) is None
    assert cloud_call(action(tool="storage.setIamPermissions", attributes={"service": "storage.googleapis.com"})) == "storage:storage.setiampermissions"
    assert cloud_call(action(tool="SetIamPolicy", attributes={"service": "example.com"})) is None


def test_an_admin_role_granted_or_an_owner_invited():
    assert judged(entry("cloudresourcemanager", "SetIamPolicy", service_data=_delta("ADD", "user:temp@mail.example", "roles/owner"))) == [
        "cloud.privileges_escalated"]
    assert judged(entry("cloudresourcemanager", "SetIamPolicy", service_data=_delta("ADD", "user:ann@acme.example", "roles/viewer")),
                  entry("cloudresourcemanager", "SetIamPolicy", service_data=_delta("REMOVE", "user:old@acme.example", "roles/owner"))) == []
    invite = entry("cloudresourcemanager", "InsertProjectOwnershipInvite", {"member": "user:outsider@mail.example", "projectId": "acme-prod"})
    assert judged(invite) == ["cloud.privileges_escalated"]


def test_an_api_key_created_and_a_service_made_public():
    assert judged(entry("apikeys", "google.api.apikeys.v2.ApiKeys.CreateKey", {"parent": "projects/acme-prod/locations/global"})) == [
        "cloud.credentials_for_another_identity"]
    public = {"policy": {"bindings": [{"role": "roles/run.invoker", "members": ["allUsers"]}]}}
    team = {"policy": {"bindings": [{"role": "roles/run.invoker", "members": ["user:ann@acme.example"]}]}}
    run = "google.cloud.run.v1.Services.SetIamPolicy"
    assert judged(entry("run", run, public, resource="projects/acme-prod/locations/us-west1/services/api")) == ["cloud.data_opened_to_outsiders"]
    assert judged(entry("run", run, team, resource="projects/acme-prod/locations/us-west1/services/api")) == []


def test_a_burst_of_secret_versions_read_and_of_objects_deleted():
    access = "google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion"
    dump = [entry("secretmanager", access, {"name": f"projects/123/secrets/s{i}/versions/latest"}, at=i) for i in range(10)]
    assert judged(*dump) == ["cloud.secrets_burst"]
    assert judged(*[entry("secretmanager", access, {"name": "projects/123/secrets/db/versions/latest"}, at=i) for i in range(10)]) == []
    wipe = [entry("storage", "storage.objects.delete", resource=f"{BUCKET}/objects/r{i}.parquet", at=i) for i in range(20)]
    assert judged(*wipe) == ["cloud.deletion_burst"]
    assert judged(*wipe[:19]) == []


def test_an_outside_identity_provider_trusted_through_federation():
    provider = entry("iam", "google.iam.v1.WorkloadIdentityPools.CreateWorkloadIdentityPoolProvider",
                     {"parent": "projects/123/locations/global/workloadIdentityPools/ci", "workloadIdentityPoolProviderId": "gh",
                      "workloadIdentityPoolProvider": {"oidc": {"issuerUri": "https://token.actions.githubusercontent.com"}}})
    assert judged(provider) == ["cloud.credentials_for_another_identity"]
    assert judged(entry("iam", "google.iam.v1.WorkloadIdentityPools.DeleteWorkloadIdentityPool", {"name": "projects/123/locations/global/workloadIdentityPools/ci"})) == []


def test_an_offensive_distribution_s_user_agent_pages_on_google_cloud_too():
    """credential.offensive_client reads the mapped user agent (callerSuppliedUserAgent), whatever the cloud."""
    listing = entry("storage", "storage.objects.list", {"bucket": "acme-exports"})
    listing["protoPayload"]["requestMetadata"]["callerSuppliedUserAgent"] = "google-cloud-sdk gcloud/470.0.0 Linux/6.5.0-kali3-amd64"
    adapter, e = open_adapter("mapped", MAPPING), Engine()
    out = [o for a in adapter.decode(orjson.dumps([listing]), "gcp.json") for o in e.process(a)]
    assert [o.rule_id for o in out + e.flush() if isinstance(o, Alert) and o.rule_id.startswith("credential.")] == ["credential.offensive_client"]

"""Identity-provider abuse in Microsoft Entra ID's audit log, from the first record of an identity with no history.

Fixture (tests/data/adapters/entra_audit.json) written here in the export shape of a diagnostic setting's
AuditLogs category (``{"records": [...]}``, each record's fields under ``properties``), field names from
Microsoft Graph's directoryAudit resource, activity names from Entra's audit activity reference and the
vendors' published detections (SigmaHQ's Entra audit rules). Read with the shipped mapping
(deploy/mappings/entra-audit-log.yaml), judged by a fresh engine; each attack beside a look-alike: a
harmless role or permission, a failed attempt, a secret removed, an unrelated change of the same activity.
"""

from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter, read_tree, sniff_format, sniff_mapping
from tests.factories import cloud_alerts_each

ROOT = Path(__file__).parents[2]
MAPPING = ROOT / "deploy" / "mappings" / "entra-audit-log.yaml"
FIXTURE = ROOT / "tests" / "data" / "adapters" / "entra_audit.json"
AGENT_SP = "9d1c5b7e-0000-4000-8000-00000000a9e1"  # the support agent's service principal


def test_the_records_map_to_actions_of_the_actor():
    assert (sniff_format(FIXTURE), sniff_mapping(FIXTURE)) == ("mapped", "entra-audit-log.yaml")
    acts = [r for r in read_tree(open_adapter("mapped", MAPPING), FIXTURE)]
    assert all(isinstance(a, Action) for a in acts) and len(acts) == 16
    first = acts[0]
    assert (first.agent_id, first.tool, first.operation, first.resource, first.outcome) == (
        AGENT_SP, "Add service principal credentials", "grant", "Payroll-Sync", "success")
    assert first.attributes["logged_by_service"] == "Core Directory" and first.attributes["app_name"] == "support-agent"
    assert first.attributes["catalogue"] == "entra"
    assert first.time.isoformat() == "2026-11-03T10:00:01.123456+00:00"
    admin = acts[2]
    assert (admin.agent_id, admin.source_ip, admin.operation) == ("it-admin@contoso.example", "203.0.113.7", "grant")
    assert acts[3].outcome == "failure"


def test_attacks_page_and_their_look_alikes_do_not():
    alerts = cloud_alerts_each(list(read_tree(open_adapter("mapped", MAPPING), FIXTURE)))
    assert alerts == [
        (AGENT_SP, "Add service principal credentials", "cloud.credentials_for_another_identity"),
        (AGENT_SP, "Add member to role", "cloud.privileges_escalated"),  # Global Administrator (Reports Reader quiet; a failure quiet)
        (AGENT_SP, "Add app role assignment to service principal", "cloud.privileges_escalated"),  # not User.Read.All
        ("it-admin@contoso.example", "Consent to application", "cloud.privileges_escalated"),  # Application.ReadWrite.All, not Calendars.Read
        (AGENT_SP, "Delete conditional access policy", "cloud.defences_disabled"),
        (AGENT_SP, "Update user", "cloud.defences_disabled"),  # MFA requirement removed (enabled, a job title: quiet)
        (AGENT_SP, "Set domain authentication", "cloud.credentials_for_another_identity"),
        (AGENT_SP, "Update application – Certificates and secrets management", "cloud.credentials_for_another_identity"),  # (a removal quiet)
        (AGENT_SP, "Update application", "cloud.credentials_for_another_identity")]  # a federated identity credential


def test_graph_api_pages_read_the_same():
    """``GET /auditLogs/directoryAudits`` returns the same fields at the top of each object, in ``value``."""
    doc = orjson.loads(FIXTURE.read_bytes())
    page = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
            "value": [r["properties"] for r in doc["records"]]}
    graph = list(open_adapter("mapped", MAPPING).decode(orjson.dumps(page), "audits.json"))
    export = list(read_tree(open_adapter("mapped", MAPPING), FIXTURE))
    assert [(a.event_id, a.agent_id, a.tool, a.time, a.outcome) for a in graph] == \
           [(a.event_id, a.agent_id, a.tool, a.time, a.outcome) for a in export]
    assert cloud_alerts_each(graph) == cloud_alerts_each(export)


def test_a_page_with_no_records_is_a_bad_record_saying_what_is_missing():
    """Neither ``records`` nor ``value``: the document is read as one record (``@``: Sentinel's lines), and a
    page that is no record says what it lacks."""
    [bad] = list(open_adapter("mapped", MAPPING).decode(b'{"nextLink": "x"}', "audits.json"))
    assert isinstance(bad, BadRecord) and bad.reason.startswith("agent_id: nothing at") and bad.source == "audits.json"


def test_sentinel_s_audit_logs_table_a_row_a_line():
    """Microsoft Sentinel's AuditLogs table (a data export: a row per line, its columns PascalCase, its
    dynamic columns objects): the same action, the same alert."""
    graph = orjson.loads(FIXTURE.read_bytes())["records"][0]["properties"]
    row = {"TimeGenerated": graph["activityDateTime"], "OperationName": graph["activityDisplayName"], "Category": graph["category"],
           "Result": graph["result"], "ResultReason": "", "CorrelationId": graph["correlationId"], "Id": graph["id"],
           "ActivityDisplayName": graph["activityDisplayName"], "ActivityDateTime": graph["activityDateTime"],
           "LoggedByService": graph["loggedByService"], "AADOperationType": graph["operationType"],
           "InitiatedBy": graph["initiatedBy"], "TargetResources": graph["targetResources"],
           "AdditionalDetails": graph["additionalDetails"], "Type": "AuditLogs"}
    [a] = list(open_adapter("mapped", MAPPING).decode(orjson.dumps(row), "auditlogs.json:1"))
    bad_row = {k: v for k, v in row.items() if k != "InitiatedBy"}  # a JSON array of rows: each keeps its index
    results = list(open_adapter("mapped", MAPPING).decode(orjson.dumps([row, bad_row]), "auditlogs.json"))
    assert isinstance(results[0], Action) and isinstance(results[1], BadRecord) and results[1].source == "auditlogs.json#[1]"
    [b] = list(read_tree(open_adapter("mapped", MAPPING), FIXTURE))[:1]
    assert (a.event_id, a.agent_id, a.tool, a.time, a.resource, a.outcome) == (b.event_id, b.agent_id, b.tool, b.time, b.resource, b.outcome)
    assert cloud_alerts_each([a]) == [(AGENT_SP, "Add service principal credentials", "cloud.credentials_for_another_identity")]


@pytest.mark.parametrize("declared", [["Add service principal credentials"], ["Add*"]])
def test_the_agent_s_declared_administration_is_quiet(declared):
    """An identity whose manifest declares the activity (a provisioning agent rotating credentials) is quiet for it."""
    acts = [a for a in read_tree(open_adapter("mapped", MAPPING), FIXTURE) if a.tool == "Add service principal credentials"]
    assert cloud_alerts_each(acts) and cloud_alerts_each(acts, declares=declared) == []


def _record(activity: str, targets: list, service: str = "Core Directory", result: str = "success") -> dict:
    """One more record in the fixture's export shape, by the support agent."""
    first = orjson.loads(FIXTURE.read_bytes())["records"][0]
    props = {**first["properties"], "id": f"Directory_{activity}", "activityDisplayName": activity, "loggedByService": service,
             "result": result, "targetResources": targets}
    return {**first, "operationName": activity, "properties": props}


def _policy(old_state: str, new_state: str) -> list:
    value = '{{"id":"p1","displayName":"Require MFA","state":"{}","grantControls":{{"operator":"OR","builtInControls":["mfa"]}}}}'
    return [{"id": "p1", "displayName": "Require MFA", "type": "Policy", "modifiedProperties": [
        {"displayName": "ConditionalAccessPolicy", "oldValue": value.format(old_state), "newValue": value.format(new_state)}]}]


def _pim_role(role: str) -> list:
    return [{"id": "r1", "displayName": role, "type": "Role", "modifiedProperties": [
                {"displayName": "RoleDefinitionOriginType", "oldValue": '""', "newValue": '"BuiltInRole"'}]},
            {"id": "u1", "displayName": "svc-backup", "type": "User", "modifiedProperties": []}]


def _domain(live_type: str) -> list:
    return [{"id": "d1", "displayName": "contoso.example", "type": "Domain", "modifiedProperties": [
        {"displayName": "LiveType", "oldValue": '"Managed"', "newValue": f'"{live_type}"'}]}]


@pytest.mark.parametrize("record, rule", [
    (_record("Update conditional access policy", _policy("enabled", "disabled"), "Conditional Access"), "cloud.defences_disabled"),
    (_record("Update conditional access policy", _policy("enabledForReportingButNotEnforced", "disabled"), "Conditional Access"),
     None),  # (report-only enforced nothing)
    (_record("Update conditional access policy", _policy("disabled", "enabled"), "Conditional Access"), None),  # switched on
    (_record("Update conditional access policy", _policy("disabled", "disabled"), "Conditional Access"), None),  # edited while off
    (_record("Add member to role in PIM completed (permanent)", _pim_role("Privileged Role Administrator"), "PIM"), "cloud.privileges_escalated"),
    (_record("Add eligible member to role in PIM completed (timebound)", _pim_role("Global Administrator"), "PIM"),
     "cloud.privileges_escalated"),
    (_record("Add member to role in PIM requested (permanent)", _pim_role("Global Administrator"), "PIM"), None),  # a request
    (_record("Add member to role in PIM completed (permanent)", _pim_role("Directory Readers"), "PIM"), None),
    (_record("User has elevated their access to User Access Administrator for their Azure Resources", [],
             "Azure RBAC (Elevated Access)"), "cloud.privileges_escalated"),
    (_record("Set domain authentication", _domain("Federated")), "cloud.credentials_for_another_identity"),
    (_record("Set domain authentication", _domain("Managed")), None),  # federation taken off
    (_record("Add service principal credentials", [], result="failed"), None),  # (Invited Users' and others' word for it)
])
def test_policies_switched_off_pim_assignments_elevation_and_federation(record, rule):
    results = list(open_adapter("mapped", MAPPING).decode(orjson.dumps({"records": [record]}), "audit.json"))
    assert [rid for _, _, rid in cloud_alerts_each(results)] == ([rule] if rule else [])


def test_an_export_record_with_no_activity_is_named_by_its_operation():
    """Some exports leave the activity only in the record's ``operationName`` (an elevation record): still
    an action, and an Entra one (the mapping names its catalogue, whatever the record says)."""
    record = _record("x", [])
    del record["properties"]["activityDisplayName"], record["properties"]["loggedByService"]
    record["operationName"] = "User has elevated their access to User Access Administrator for their Azure Resources"
    [a] = list(open_adapter("mapped", MAPPING).decode(orjson.dumps({"records": [record]}), "audit.json"))
    assert a.tool == record["operationName"] and a.attributes["catalogue"] == "entra"
    assert [rid for _, _, rid in cloud_alerts_each([a])] == ["cloud.privileges_escalated"]

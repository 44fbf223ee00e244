"""Mapped JSON: the shipped MCP gateway mapping over its fixture log, and each mapping rule alone."""

from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter
from intentwatch.pipeline.io.adapters.mapped import MappedAdapter, Mapping

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "deploy" / "mappings" / "mcp-gateway.yaml"
LOG = ROOT / "tests" / "data" / "adapters" / "mcp_gateway.jsonl"


def mapped(records: list[dict] | dict, **mapping) -> list:
    m = Mapping.model_validate({"name": "t", **mapping})
    raw = b"\n".join(orjson.dumps(r) for r in (records if isinstance(records, list) else [records]))
    return [r for line in raw.split(b"\n") for r in MappedAdapter(m).decode(line, "log:1")]


BASE = {"agent_id": "who", "time": "at", "tool": "what"}
REC = {"who": "a1", "at": "2026-11-30T09:00:00Z", "what": "get_ticket"}


def test_the_shipped_mcp_gateway_example():
    adapter = open_adapter("mapped", EXAMPLE)
    results = list(adapter.read(LOG))
    actions = [r for r in results if isinstance(r, Action)]
    assert [(a.event_id, a.agent_id, a.tool, a.operation, a.outcome) for a in actions] == [
        ("mcpgw-1:s-7f3a:41", "support-agent", "zendesk.get_ticket", "read", "success"),
        ("mcpgw-1:s-7f3a:43", "support-bot", "gmail.send_email", "send", "error"),
        ("mcpgw-1:s-7f3a:44", "support-agent", "zendesk.escalate_ticket", "write", "denied"),
        ("mcpgw-1:s-9d02:9", "coding-agent", "github.merge_pull_request", "write", "success"),
    ]
    first = actions[0]
    assert (first.resource, first.credential_id, first.source_ip, first.session_id, first.bytes, first.model.id) == (
        "ZD-48213", "tok_8c1f", "10.1.4.22", "s-7f3a", 2311, "claude-sonnet-4")
    assert first.attributes == {"arguments": {"ticket_id": "ZD-48213"}, "mcp_server": "zendesk",
                                "mcp_session": "s-7f3a", "jsonrpc_id": 41, "duration_ms": 184}
    assert adapter.skipped == {"rpc.method=tools/list": 1}
    assert [(r.source, r.reason) for r in results if isinstance(r, BadRecord)] == [
        (f"{LOG}:5", "agent_id: nothing at client.agent_id, client.name"),
        (f"{LOG}:6", "time: Invalid isoformat string: '30/11/2026 09:15' (time_format iso8601)"),
        (f"{LOG}:8", "invalid JSON: unexpected end of data: line 1 column 118 (char 117)"),
    ]


def test_path_alternatives_first_present_wins():
    (a,) = mapped({**REC, "who": None, "alt": "a2"}, fields={**BASE, "agent_id": {"path": ["who", "alt"]}})
    assert a.agent_id == "a2"


def test_list_index_in_paths():
    (a,) = mapped({**REC, "targets": [{"arn": "arn:x"}]}, fields={**BASE, "resource": "targets[0].arn"})
    assert a.resource == "arn:x"


def test_template_and_constant():
    (a,) = mapped(REC, fields={**BASE, "tool": {"template": "crm.{what}"}, "data_domain": {"const": "customer_pii"}})
    assert (a.tool, a.data_domain, a.operation) == ("crm.get_ticket", "customer_pii", "read")


def test_value_map_and_default():
    spec = {"path": "ok", "map": {"true": "success", "false": "failure"}, "default": "error"}
    got = [a.outcome for a in mapped([{**REC, "ok": True}, {**REC, "ok": False}, REC], fields={**BASE, "outcome": spec})]
    assert got == ["success", "failure", "error"]


def test_operation_from_the_tool_verb_by_default_and_tool_overrides():
    got = mapped([{**REC, "what": w} for w in ("list_users", "deleteUser", "frobnicate")], fields=BASE,
                 tools={"tools": {"frobnicate": "configure"}})
    assert [a.operation for a in got] == ["list", "delete", "configure"]


def test_hashed_event_id_is_deterministic():
    a1, a2 = mapped([REC, REC], fields=BASE)
    assert a1.event_id == a2.event_id and a1.event_id.startswith("t:")


@pytest.mark.parametrize("fmt, value, expected", [
    ("unix_s", 1764493200, "2025-11-30T09:00:00+00:00"),
    ("unix_ms", "1764493200250", "2025-11-30T09:00:00.250000+00:00"),
    ("unix_ns", 1764493200250000001, "2025-11-30T09:00:00.250000+00:00"),
    ("%d/%m/%Y %H:%M", "30/11/2026 09:15", "2026-11-30T09:15:00+02:00"),
    ("iso8601", "2026-11-30T09:15:00", "2026-11-30T09:15:00+02:00"),
])
def test_time_formats_and_zone_for_naive_times(fmt, value, expected):
    (a,) = mapped({**REC, "at": value}, fields=BASE, time_format=fmt, timezone="+02:00")
    assert a.time.isoformat() == expected


def test_where_skips_and_counts():
    m = Mapping.model_validate({"name": "t", "fields": BASE, "where": {"kind": ["call", "exec"]}})
    adapter = MappedAdapter(m)
    got = [r for rec in ({**REC, "kind": "call"}, {**REC, "kind": "list"}, REC)
           for r in adapter.decode(orjson.dumps(rec), "x")]
    assert len(got) == 1 and adapter.skipped == {"kind=list": 1, "kind=(missing)": 1}


def test_records_inside_a_document():
    m = Mapping.model_validate({"name": "t", "fields": BASE, "records": "data.items"})
    doc = {"data": {"items": [REC, {**REC, "what": "send_sms"}, "junk"]}}
    got = list(MappedAdapter(m).decode(orjson.dumps(doc), "f"))
    assert [a.operation for a in got[:2]] == ["read", "send"]
    assert (got[2].source, got[2].reason) == ("f#data.items[2]", "record is a JSON str, not an object")


def test_contract_violation_is_a_bad_record():
    (bad,) = mapped({**REC, "n": -5}, fields={**BASE, "bytes": "n"})
    assert bad.reason.startswith("bytes: Input should be greater than or equal to 0")


@pytest.mark.parametrize("mapping, problem", [
    ({"name": "t", "fields": {"agent_id": "a", "tool": "b"}}, "fields must say where time come(s) from"),
    ({"name": "t", "fields": {**BASE, "colour": "c"}}, "fields.colour"),
    ({"name": "t", "fields": {**BASE, "resource": {"path": "a", "const": "b"}}}, "give one of path, template, const"),
    ({"name": "t", "fields": {**BASE, "resource": "a..b"}}, "bad path"),
    ({"name": "t", "fields": BASE, "timezone": "Europe/Paris"}, "write UTC or an offset"),
    ({"name": "t", "fields": BASE, "extra_key": 1}, "extra_key: Extra inputs are not permitted"),
])
def test_bad_mapping_files_name_the_file_and_the_problem(tmp_path, mapping, problem):
    import yaml

    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(mapping))
    with pytest.raises(ConfigError) as e:
        Mapping.load(path)
    assert str(path) in str(e.value) and problem in str(e.value)


def test_mapped_needs_a_mapping_file():
    with pytest.raises(ValueError, match="--mapping"):
        open_adapter("mapped")


def test_a_field_with_only_a_default_takes_it():
    """A spec with neither path, template nor const (the model allows a default alone) reads its
    default for every record (building its reader looped forever)."""
    (a,) = mapped(REC, fields={**BASE, "data_domain": {"default": "pii"}, "outcome": {"default": "error"}})
    assert (a.data_domain, a.outcome) == ("pii", "error")


def test_the_shipped_gcp_audit_log_example():
    """Google Cloud Audit Logs as ``gcloud logging read --format=json`` prints them (a pretty-printed array):
    data access and admin activity of a service account, a denied and a failed call, an entry that is
    not an audit log, and one that names no principal."""
    adapter = open_adapter("mapped", ROOT / "deploy" / "mappings" / "gcp-audit-log.yaml")
    path = ROOT / "tests" / "data" / "adapters" / "gcp_audit.json"
    results = list(adapter.read(path))
    actions = [r for r in results if isinstance(r, Action)]
    assert [(a.tool, a.operation, a.outcome) for a in actions] == [
        ("storage.objects.get", "read", "success"), ("storage.objects.create", "write", "success"),
        ("google.iam.admin.v1.CreateServiceAccountKey", "grant", "success"), ("SetIamPolicy", "grant", "denied"),
        ("google.logging.v2.ConfigServiceV2.DeleteSink", "configure", "success"),
        ("v1.compute.instances.insert", "write", "error")]
    first = actions[0]
    assert first.agent_id == "ingest-agent@acme-prod.iam.gserviceaccount.com"
    assert first.event_id == "projects/acme-prod/logs/cloudaudit.googleapis.com%2Fdata_access:1x0001e3f9abc"
    assert (first.resource, first.source_ip, str(first.time)) == (
        "projects/_/buckets/acme-exports/objects/2026/q3.csv", "203.0.113.7", "2026-11-30 09:05:12.345678+00:00")
    assert first.credential_id.endswith("/keys/5f1c0e2d9a7b") and first.attributes["project"] == "acme-prod"
    assert actions[2].attributes["arguments"]["name"].startswith("projects/-/serviceAccounts/")
    assert adapter.skipped == {"protoPayload.@type=(missing)": 1}  # the application log line
    (bad,) = [r for r in results if isinstance(r, BadRecord)]
    assert bad.reason == "agent_id: nothing at protoPayload.authenticationInfo.principalEmail"


def test_the_shipped_azure_activity_log_example():
    """Azure's Activity Log as a diagnostic setting exports it: an operation's Start record skipped, its
    Success mapped; a service principal's role assignment, diagnostic setting deleted and run command, a
    user's refused key listing; a health event (another category) skipped, a record naming no principal
    a dead letter. The principal's id is a claim whose key holds dots: a quoted path."""
    adapter = open_adapter("mapped", ROOT / "deploy" / "mappings" / "azure-activity-log.yaml")
    results = list(adapter.read(ROOT / "tests" / "data" / "adapters" / "azure_activity.json"))
    actions = [r for r in results if isinstance(r, Action)]
    assert [(a.tool.split("/")[-2], a.operation, a.outcome) for a in actions] == [
        ("ROLEASSIGNMENTS", "grant", "success"), ("DIAGNOSTICSETTINGS", "configure", "success"),
        ("RUNCOMMAND", "execute", "success"), ("LISTKEYS", "read", "failure")]
    assert {a.agent_id for a in actions[:3]} == {"9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e"}
    user = actions[3]
    assert (user.agent_id, user.attributes["user"], user.attributes["status"], user.source_ip) == (
        "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "dana@contoso.example", "Forbidden", "198.51.100.23")
    assert actions[0].session_id == "c-1" and str(actions[0].time) == "2026-11-30 09:05:12.345678+00:00"
    assert sum(adapter.skipped.values()) == 2  # the Start record, the health event
    (bad,) = [r for r in results if isinstance(r, BadRecord)]
    assert bad.reason.startswith("agent_id: nothing at identity.claims")

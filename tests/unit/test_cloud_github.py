"""Source-control abuse in GitHub's audit log, from the first event of an identity with no history.

Events written here from GitHub's audit log event schema (the REST API's array: `action`, `actor`,
`@timestamp` in ms, the event's own fields flat beside them), action names from GitHub's audit log
reference and the vendors' published GitHub rules (Panther's github_rules). Read with the shipped mapping
(deploy/mappings/github-audit-log.yaml), each judged by a fresh engine; each attack beside a look-alike.
"""

from itertools import count
from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import open_adapter, sniff_format, sniff_mapping
from tests.factories import cloud_alerts_each

MAPPING = Path(__file__).parents[2] / "deploy" / "mappings" / "github-audit-log.yaml"
BOT = "release-agent[bot]"  # a GitHub App acting: a coding agent's identity
_n = count(1)


def event(action: str, **fields) -> dict:
    n = next(_n)
    return {"@timestamp": 1762430400000 + n * 1000, "action": action, "actor": BOT, "actor_id": 90210, "actor_is_bot": True,
            "_document_id": f"doc-{n:04d}", "created_at": 1762430400000 + n * 1000, "org": "contoso", "org_id": 31337,
            "operation_type": "modify", "programmatic_access_type": "GitHub App server-to-server token",
            "user_agent": "octokit-rest.js/20.0.2", **fields}


def judged(*events: dict) -> list[str]:
    results = list(open_adapter("mapped", MAPPING).decode(orjson.dumps(list(events)), "audit.json"))
    assert all(a.agent_id == BOT for a in results if isinstance(a, Action))
    return [rule for _, _, rule in cloud_alerts_each(results)]


@pytest.mark.parametrize("attack, look_alike, rule", [
    (event("repo.access", repo="contoso/payments", visibility="public", previous_visibility="private"),
     event("repo.access", repo="contoso/payments", visibility="internal", previous_visibility="private"), "cloud.data_opened_to_outsiders"),
    (event("repo.create", repo="contoso/s1ngularity-repository", visibility="public", operation_type="create"),
     event("repo.create", repo="contoso/new-service", visibility="private", operation_type="create"), "cloud.data_opened_to_outsiders"),
    (event("repo.transfer_outgoing", repo="contoso/payments", visibility="private"),
     event("repo.rename", repo="contoso/payments-v2"), "cloud.data_opened_to_outsiders"),
    (event("protected_branch.destroy", repo="contoso/payments", branch="main"),
     event("protected_branch.update_name", repo="contoso/payments", branch="main"), "cloud.defences_disabled"),
    (event("repository_ruleset.update", repo="contoso/payments", ruleset_enforcement="disabled", ruleset_old_enforcement="enabled"),
     event("repository_ruleset.update", repo="contoso/payments", ruleset_enforcement="enabled", ruleset_old_enforcement="evaluate"),
     "cloud.defences_disabled"),
    (event("secret_scanning_push_protection.disable"), event("secret_scanning_push_protection.enable"), "cloud.defences_disabled"),
    (event("org.disable_two_factor_requirement"), event("org.enable_two_factor_requirement"), "cloud.defences_disabled"),
    (event("audit_log_streaming.destroy", business="contoso-ent"), event("audit_log_streaming.create", business="contoso-ent"),
     "cloud.logging_disabled"),
    (event("org.update_saml_provider_settings"), event("org.update_default_repository_permission"), "cloud.credentials_for_another_identity"),
    (event("business.add_admin", business="contoso-ent", user="stranger"), event("business.add_billing_manager", business="contoso-ent"),
     "cloud.privileges_escalated"),
])
def test_each_attack_pages_and_its_look_alike_does_not(attack, look_alike, rule):
    assert judged(attack) == [rule]
    assert judged(look_alike) == []


def test_the_event_is_the_call_s_arguments_and_the_file_is_recognised(tmp_path):
    e = event("repo.access", repo="contoso/payments", visibility="public")
    [a] = list(open_adapter("mapped", MAPPING).decode(orjson.dumps([e]), "audit.json"))
    assert (a.tool, a.operation, a.resource, a.attributes["arguments"]["visibility"], a.attributes["catalogue"]) == (
        "repo.access", "configure", "contoso/payments", "public", "github")
    assert round(a.time.timestamp() * 1000) == e["@timestamp"]  # (milliseconds since 1970)
    path = tmp_path / "audit.json"
    path.write_bytes(orjson.dumps([e]))
    assert (sniff_format(path), sniff_mapping(path)) == ("mapped", "github-audit-log.yaml")

"""Identity-provider abuse in Okta's System Log, from the first event of an identity with no history.

Fixture (tests/data/adapters/okta_system_log.json) written here from Okta's LogEvent object (the System
Log API's array), event types from Okta's event type catalogue and the vendors' published Okta rules
(Panther's okta_rules). Read with the shipped mapping (deploy/mappings/okta-system-log.yaml), each event
judged by a fresh engine; each attack beside a look-alike: a read-only or help-desk role, a failed
grant, a sign-in, a policy edited (not switched off).
"""

from pathlib import Path

import orjson

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter, read_tree, sniff_format, sniff_mapping
from tests.factories import cloud_alerts_each

ROOT = Path(__file__).parents[2]
MAPPING = ROOT / "deploy" / "mappings" / "okta-system-log.yaml"
FIXTURE = ROOT / "tests" / "data" / "adapters" / "okta_system_log.json"
AGENT = "0oa8agentsvc1234567"  # an API service integration's client id: the agent


def test_events_map_to_actions_of_their_actor():
    assert (sniff_format(FIXTURE), sniff_mapping(FIXTURE)) == ("mapped", "okta-system-log.yaml")
    acts = list(read_tree(open_adapter("mapped", MAPPING), FIXTURE))
    assert all(isinstance(a, Action) for a in acts) and len(acts) == 12
    grant = acts[0]
    assert (grant.agent_id, grant.tool, grant.operation, grant.resource, grant.outcome, grant.source_ip) == (
        AGENT, "user.account.privilege.grant", "grant", "contractor@contoso.example", "success", "198.51.100.23")
    assert grant.attributes["arguments"]["privilegeGranted"] == "Super administrator" and grant.attributes["catalogue"] == "okta"
    assert acts[2].outcome == "failure" and acts[10].agent_id == "it-admin@contoso.example"


def test_attacks_page_and_their_look_alikes_do_not():
    assert cloud_alerts_each(list(read_tree(open_adapter("mapped", MAPPING), FIXTURE))) == [
        (AGENT, "user.account.privilege.grant", "cloud.privileges_escalated"),  # Super administrator (read-only, a failure: quiet)
        (AGENT, "group.privilege.grant", "cloud.privileges_escalated"),  # Organization administrator (help desk: quiet)
        (AGENT, "system.api_token.create", "cloud.credentials_for_another_identity"),
        (AGENT, "system.idp.lifecycle.create", "cloud.credentials_for_another_identity"),
        (AGENT, "system.mfa.factor.deactivate", "cloud.defences_disabled"),
        (AGENT, "policy.lifecycle.deactivate", "cloud.defences_disabled"),  # (a policy updated: quiet)
        (AGENT, "system.log_stream.lifecycle.deactivate", "cloud.logging_disabled")]


def test_json_lines_and_an_event_with_an_unknown_outcome():
    events = orjson.loads(FIXTURE.read_bytes())
    odd = {**events[0], "outcome": {"result": "SOMETHING_NEW"}}
    lines = b"\n".join(orjson.dumps(e) for e in (events[0], odd)) + b"\n"
    results = list(open_adapter("mapped", MAPPING).decode(lines[: lines.index(b"\n")], "logs.jsonl:1"))
    assert [a.tool for a in results] == ["user.account.privilege.grant"]
    [bad] = list(open_adapter("mapped", MAPPING).decode(orjson.dumps(odd), "logs.jsonl:2"))
    assert isinstance(bad, BadRecord) and "outcome" in bad.reason and bad.source == "logs.jsonl:2"


def test_eventbridge_events_from_okta_log_streaming():
    """Okta's log streaming to Amazon EventBridge wraps each LogEvent in an event's ``detail``: the same
    action, at the envelope's place; a list of them keeps each one's index."""
    event = orjson.loads(FIXTURE.read_bytes())[0]
    envelope = {"version": "0", "id": "c2f0c1de-0000-4000-8000-000000000001", "detail-type": "SystemLog",
                "source": "aws.partner/okta.com/contoso/okta-log-stream", "account": "123456789012",
                "time": event["published"], "region": "us-east-1", "resources": [], "detail": event}
    [a] = list(open_adapter("mapped", MAPPING).decode(orjson.dumps(envelope), "events.jsonl:7"))
    [b] = list(open_adapter("mapped", MAPPING).decode(orjson.dumps(event), "logs.jsonl:1"))
    assert (a.event_id, a.agent_id, a.tool, a.time, a.outcome) == (b.event_id, b.agent_id, b.tool, b.time, b.outcome)
    assert cloud_alerts_each([a]) == [(AGENT, "user.account.privilege.grant", "cloud.privileges_escalated")]
    [bad] = list(open_adapter("mapped", MAPPING).decode(orjson.dumps({**envelope, "detail": {"eventType": "x"}}), "events.jsonl:8"))
    assert isinstance(bad, BadRecord) and bad.source == "events.jsonl:8#detail"

"""Alerts as OCSF 1.8.0 Detection Findings: every finding validates against the official
schema held in deploy/schemas/ocsf/, and says what the native alert says."""

import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.config import EngineConfig, ResponseConfig
from intentwatch.pipeline.io.deadletter import DeadLetterFile
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.formats import encoder, native
from intentwatch.pipeline.io.formats.ocsf import OcsfFormatter
from intentwatch.pipeline.io.formats.ocsf_schema import OCSF_VERSION, PROFILES, DetectionFinding
from tests.factories import action, instantiate, manifest

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "deploy" / "schemas" / "ocsf" / OCSF_VERSION / "detection_finding.schema.json"
GOLDEN = ROOT / "docs" / "ocsf-example.json"
VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))
FORMATTER = OcsfFormatter(product_version="0.1.0")


def errors(doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in VALIDATOR.iter_errors(doc)]


def run(events, config: EngineConfig | None = None) -> list[Alert]:
    e = Engine(config)
    out = []
    for ev in events:
        out += e.process(ev)
    return [o for o in out + e.flush() if isinstance(o, Alert)]


def demo_alerts() -> list[Alert]:
    """An injected tool used six times inside one cooldown: an open alert and its final form."""
    m = manifest(rate_limit=None)
    hits = [action(at=timedelta(minutes=i), tool="shell.exec", resource="ticket:77", event_id=f"evt-{i:04d}",
                   session_id="sess-42", source_ip="203.0.113.9") for i in range(6)]
    return run([instantiate(m, event_id="lc-demo"), *hits], EngineConfig(response=ResponseConfig(evidence_event_ids=2)))


def test_held_schema_is_the_official_export_for_our_profiles():
    """The file in deploy/ is what ocsf-json-schema builds from the OCSF 1.8.0 export it ships."""
    from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

    built = OcsfJsonSchemaEmbedded(get_ocsf_schema(version=OCSF_VERSION)).get_class_schema("detection_finding", profiles=PROFILES)
    assert json.loads(SCHEMA_PATH.read_text()) == built


def test_open_is_create_and_final_is_update_of_the_same_finding():
    opened, final = demo_alerts()
    a, b = FORMATTER.finding(opened), FORMATTER.finding(final)
    assert (a.activity_id, a.type_uid, b.activity_id, b.type_uid) == (1, 200401, 2, 200402)
    assert a.finding_info.uid == b.finding_info.uid == opened.alert_id
    assert a.metadata.uid != b.metadata.uid and b.count == final.count == 6
    severity_id = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}[opened.severity]
    assert (a.class_uid, a.category_uid, a.severity_id, a.metadata.version) == (2004, 2, severity_id, "1.8.0")
    assert b.time == b.finding_info.last_seen_time == int(final.last_seen.timestamp() * 1000)
    assert b.finding_info.first_seen_time == int(final.first_seen.timestamp() * 1000)


def test_finding_carries_rule_attacks_actor_evidence_and_remediation():
    _, final = demo_alerts()
    f = FORMATTER.finding(final)
    assert f.finding_info.analytic.uid == "intent.tool_not_allowed" and f.finding_info.analytic.type == "Rule"
    techniques = {(x.tactic.uid, (x.sub_technique or x.technique).uid) for x in f.finding_info.attacks}
    refs = final.references
    assert techniques == {(r.tactic, r.technique) for r in refs.mitre_attack + refs.mitre_atlas}
    assert f.actor.user.uid == "support-1" and f.actor.user.credential_uid == "key-1" and f.actor.session.uid == "sess-42"
    agent = f.resources[0]
    assert (agent.role_id, agent.owner.email_addr) == (2, "alice@example.com")
    assert f.policy.data == {"clause": "allowed.tools", "expected": ["zendesk.*", "crm.lookup", "email.send"],
                             "observed": "shell.exec", "observed_values": ["shell.exec"]}
    assert f.remediation.desc == final.runbook
    # every hit the alert lists, in order; the opening one in full
    assert [e.uid for e in f.evidences] == ["evt-0000", "evt-0001", "evt-0004", "evt-0005"]
    first = f.evidences[0]
    assert (first.api.operation, first.api.service.name, first.src_endpoint.ip) == ("read", "shell.exec", "203.0.113.9")
    assert first.resources[0].name == "ticket:77"
    assert f.unmapped["intentwatch"]["event_ids_omitted"] == 2


def test_learned_rules_are_behavioural_with_baseline_figures():
    from intentwatch.models.alert import EventIds, Evidence, FrameworkRefs

    opened, _ = demo_alerts()
    learned = opened.model_copy(update={"rule_id": "behaviour.volume_spike", "evidence": Evidence(
        clause="baseline.bytes", observed=123456789, baseline={"median_bytes": 2048, "tools": ["s3.get_object"]},
        event_ids=EventIds(first=["evt-0000"])), "references": FrameworkRefs()})
    f = FORMATTER.finding(learned)
    assert f.finding_info.analytic.type_id == 2 and f.finding_info.attacks is None
    (an,) = f.anomaly_analyses
    assert an.anomalies[0].observations[0].value == "123456789"
    assert {b.observation_parameter: b.observations[0].value for b in an.baselines} == {
        "median_bytes": "2048", "tools": '["s3.get_object"]'}
    assert [e.uid for e in f.evidences] == ["evt-0000"]
    assert errors(json.loads(FORMATTER.encode(learned))) == []


def test_source_that_is_not_an_ip_is_a_name():
    opened, _ = demo_alerts()
    act = {**opened.evidence.action, "source_ip": "AWS Internal"}
    a = opened.model_copy(update={"evidence": opened.evidence.model_copy(update={"action": act})})
    doc = json.loads(FORMATTER.encode(a))
    assert doc["evidences"][0]["src_endpoint"] == {"name": "AWS Internal"}
    assert errors(doc) == []


def test_models_refuse_unknown_fields():
    doc = json.loads(FORMATTER.encode(demo_alerts()[0]))
    doc["finding_info"]["titel"] = "typo"
    with pytest.raises(ValidationError):
        DetectionFinding.model_validate(doc)


def test_no_nulls_and_valid():
    for a in demo_alerts():
        raw = FORMATTER.encode(a)
        assert b"null" not in raw
        assert errors(json.loads(raw)) == []


def test_encoder_registry():
    opened = demo_alerts()[0]
    assert encoder("native")(opened) == native(opened) == opened.model_dump_json().encode()
    assert json.loads(encoder("ocsf")(opened))["class_uid"] == 2004
    with pytest.raises(ValueError, match="known: native, ocsf"):
        encoder("cef")


def golden() -> dict:
    return json.loads(FORMATTER.encode(demo_alerts()[1]))


def test_golden_example_is_what_the_code_produces():
    assert json.loads(GOLDEN.read_text()) == golden(), "regenerate with `python -m tests.unit.test_ocsf`"
    assert errors(golden()) == []


def test_every_alert_of_a_simulated_fleet_is_a_valid_finding(tmp_path):
    """``simulate --agents 30 --days 2 --seed 1``, replayed, every alert exported as OCSF."""
    from intentwatch.pipeline.io.intents import load_manifests
    from intentwatch.pipeline.hosts.replay import manifest_instantiations, read_lifecycle, replay
    from intentwatch.pipeline.lab.simulate import simulate_fleet

    simulate_fleet(agents=30, days=2, seed=1, out=tmp_path)
    engine = Engine()
    dead = DeadLetterFile(tmp_path / "dead.jsonl")
    events = manifest_instantiations(load_manifests(tmp_path / "intents").manifests)
    events += read_lifecycle(tmp_path / "lifecycle.jsonl", dead, engine.config.max_event_bytes)
    alerts: list[Alert] = []
    replay(engine, tmp_path / "actions.jsonl", events, lambda o: alerts.append(o) if isinstance(o, Alert) else None, dead)
    fmt = OcsfFormatter(engine.rules)
    rules = {a.rule_id for a in alerts}
    assert len(alerts) > 20 and len(rules) > 5, (len(alerts), rules)
    bad = {}
    for a in alerts:
        doc = json.loads(fmt.encode(a))
        problems = errors(doc)
        if problems:
            bad[a.alert_id] = (a.rule_id, problems[:3])
        assert doc["finding_info"]["uid"] == a.alert_id and doc["count"] == a.count
        ids = a.evidence.event_ids
        assert [e["uid"] for e in doc["evidences"]][: len(ids.first)] == ids.first
        assert len(set(ids.first + ids.last)) == len(ids.first) + len(ids.last)  # an event hitting twice is listed once
    assert bad == {}


if __name__ == "__main__":  # regenerate the golden example in docs/
    GOLDEN.write_text(json.dumps(golden(), indent=2) + "\n")
    print(f"wrote {GOLDEN}")


def test_worker_publishes_each_alert_once_per_enabled_format():
    """outputs.formats [native, ocsf]: every alert on intentwatch.alerts and, as a finding, on
    intentwatch.alerts.ocsf, same key and alert_id header (no broker: the producer is a list)."""
    from intentwatch.pipeline.hosts.worker import Worker
    from intentwatch.pipeline.settings import OutputSettings, Settings

    w = Worker(Settings(outputs=OutputSettings(formats=["native", "ocsf"])))
    sent = []

    class Recorder:
        def produce(self, topic, value, key, headers, **_):
            sent.append((topic, key, value, headers))

    w.out = Recorder()
    try:
        alerts = demo_alerts()
        w._publish(alerts)
    finally:
        w.consumer.close()
    assert [t for t, *_ in sent] == ["intentwatch.alerts", "intentwatch.alerts.ocsf"] * 2
    for (_, k1, native_value, h1), (_, k2, ocsf_value, h2), a in zip(sent[::2], sent[1::2], alerts):
        assert k1 == k2 == b"support-1" and h1 == h2 == [("alert_id", a.alert_id.encode())]
        assert native_value == a.model_dump_json().encode()
        doc = json.loads(ocsf_value)
        assert doc["finding_info"]["uid"] == a.alert_id and errors(doc) == []
    # The CPU each format took is counted apart (benchmarks/stream.py reads it).
    samples = {f: w.metrics.registry.get_sample_value("intentwatch_alert_encode_seconds_total", {"format": f})
               for f in ("native", "ocsf")}
    assert all(v is not None and v >= 0 for v in samples.values()), samples
    assert w.metrics.encode_seconds_of(["native", "ocsf"]) == samples
    default = Worker(Settings())
    default.consumer.close()
    assert [t for t, _, _ in default.alert_outputs] == ["intentwatch.alerts"]


def test_tail_turns_topic_records_into_findings_and_names_what_is_not_an_alert(capsys):
    from types import SimpleNamespace

    from intentwatch.pipeline.cli.kafka import _tail_ocsf

    opened = demo_alerts()[0]
    rec = SimpleNamespace(topic="intentwatch.alerts", partition=3, offset=7, value=opened.model_dump_json().encode())
    assert json.loads(_tail_ocsf(FORMATTER.encode, rec))["finding_info"]["uid"] == opened.alert_id
    assert _tail_ocsf(FORMATTER.encode, SimpleNamespace(topic="intentwatch.alerts", partition=3, offset=8, value=b'{"x": 1}')) is None
    assert "intentwatch.alerts[3]@8: not an alert" in capsys.readouterr().err

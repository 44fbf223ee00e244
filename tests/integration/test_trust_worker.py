"""The signed control plane on a real broker (issue 17, finding 4): under trust.mode enforce a
forged lifecycle message on Kafka is dead-lettered at its topic[partition]@offset and alerted,
the genuine signed one applies, the revocation command it leads to carries intentwatch's
signature, and the worker's alerts are replay's, alert for alert."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import yaml
from confluent_kafka import Producer

from intentwatch.pipeline.engine.trust import sign, verify_command
from intentwatch.pipeline.io.kafka import PARTITIONER
from intentwatch.pipeline.io.trustfile import load_private_key, write_key_pair
from tests.factories import action, decommission, manifest
from tests.integration.support import Pipeline, load_jsonl, run_cli

AGENT = "support-7"


def test_forged_lifecycle_on_kafka_is_dead_lettered_and_alerted(kafka_pipeline: Pipeline, tmp_path: Path):
    p = kafka_pipeline
    keys = tmp_path / "keys"
    public = {name: write_key_pair(keys, name)[1] for name in ("registry-1", "alice-1", "iw-1")}
    trust = {"keys": [{"id": "registry-1", "principal": "registry", "public_key": public["registry-1"]},
                      {"id": "alice-1", "principal": "alice@example.com", "public_key": public["alice-1"]},
                      {"id": "iw-1", "principal": "intentwatch", "public_key": public["iw-1"]}],
             "principals": [{"name": "registry", "instantiate": {"agents": ["support-*"]}},
                            {"name": "alice@example.com", "decommission": {"agents": ["support-*"]}}]}
    (tmp_path / "trust.yaml").write_text(yaml.safe_dump(trust))
    settings = {"file": str(tmp_path / "trust.yaml"), "mode": "enforce", "signing_key": str(keys / "iw-1.key"), "signing_key_id": "iw-1"}
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({"trust": settings}))
    p.extra_env.update({f"INTENTWATCH_TRUST__{k.upper()}": v for k, v in settings.items()})
    p.create_topics()

    intents = tmp_path / "intents"
    intents.mkdir()
    signed_manifest = sign(manifest(AGENT, rate_limit=None), load_private_key(keys / "registry-1.key"), "registry-1")
    (intents / f"{AGENT}.json").write_text(signed_manifest.model_dump_json())
    forged = decommission(AGENT, timedelta(hours=-1)).model_dump_json().encode()  # unsigned: anyone who can write the topic
    genuine = sign(decommission(AGENT, timedelta(minutes=10)), load_private_key(keys / "alice-1.key"), "alice-1")
    (tmp_path / "lifecycle.jsonl").write_bytes(forged + b"\n" + genuine.model_dump_json().encode() + b"\n")
    acts = [action(AGENT, at=timedelta(minutes=m), **over).model_dump_json().encode()
            for m, over in ((1, {}), (3, {"tool": "shell.exec"}), (5, {}), (12, {}))]
    (tmp_path / "actions.jsonl").write_bytes(b"\n".join(acts) + b"\n")

    run_cli("replay", "actions.jsonl", "--intents", str(intents), "--lifecycle", "lifecycle.jsonl", "--config", "config.yaml",
            "--quiet", "--alerts", "expected-alerts.jsonl", "--commands", "expected-commands.jsonl", "--dead-letter", "expected-dl.jsonl",
            cwd=tmp_path)
    expected = {a["alert_id"]: a["rule_id"] for a in load_jsonl(tmp_path / "expected-alerts.jsonl")}
    assert sorted(expected.values()) == ["control.unauthorised_change", "intent.tool_not_allowed",
                                         "lifecycle.decommissioned_agent_active"], expected
    assert [d["reason"] for d in load_jsonl(tmp_path / "expected-dl.jsonl")] == ["refused by the trust policy: unsigned"]

    # The registration (vouched for by the manifest's signature), then the forged and the genuine decommission.
    (tmp_path / "no-lifecycle.jsonl").write_bytes(b"")
    p.produce(tmp_path / "no-lifecycle.jsonl", topic=p.topics.lifecycle, intents=intents)
    where = {}
    producer = Producer({"bootstrap.servers": p.bootstrap, "partitioner": PARTITIONER, "enable.idempotence": True})
    for name, value in (("forged", forged), ("genuine", genuine.model_dump_json().encode())):
        producer.produce(p.topics.lifecycle, key=AGENT.encode(), value=value,
                         on_delivery=lambda err, msg, name=name: where.setdefault(name, f"{msg.topic()}[{msg.partition()}]@{msg.offset()}"))
    assert producer.flush(30) == 0
    p.produce(tmp_path / "actions.jsonl")

    worker = p.start_worker("trust")
    p.wait_drained([worker], timeout=120)
    alerts = {r.json()["alert_id"]: r.json()["rule_id"] for r in p.read_all(p.topics.alerts)}
    dead = p.read_all(p.topics.dlq)
    commands = p.read_all(p.topics.revocations)
    assert worker.alive, worker.tail()
    assert alerts == expected, f"stream {alerts} != replay {expected}\n{worker.tail()}"
    assert [(r.value, r.headers["source"].decode(), r.headers["reason"].decode()) for r in dead] == [
        (forged, where["forged"], "refused by the trust policy: unsigned")], worker.tail()
    [cmd] = commands
    assert cmd.json()["rule_id"] == "lifecycle.decommissioned_agent_active"
    assert verify_command(cmd.value, public["iw-1"], "iw-1") is None
    assert [c["command_id"] for c in load_jsonl(tmp_path / "expected-commands.jsonl")] == [cmd.json()["command_id"]]
    log = worker.log.read_text()
    assert "control plane signed: trust.mode enforce" in log and "UNAUTHENTICATED" not in log

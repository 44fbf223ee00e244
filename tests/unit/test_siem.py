"""The SIEM delivery recipes in deploy/siem/ (docs/siem.md): every file parses, reads the topic
the workers write (the settings' default names), keeps secrets out of the file, and is wired
end to end within itself (Vector's inputs name real components). Nothing here reaches Splunk,
Elastic or AWS."""

import json
import re
from pathlib import Path

import pytest
import yaml

from intentwatch.pipeline.settings import TopicSettings

ROOT = Path(__file__).resolve().parents[2]
SIEM = ROOT / "deploy" / "siem"
DOC = ROOT / "docs" / "siem.md"
ALERTS = TopicSettings().alerts
OCSF_TOPIC = getattr(TopicSettings(), "alerts_ocsf", "intentwatch.alerts.ocsf")


def load(name: str):
    path = SIEM / name
    text = path.read_text()
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def test_every_recipe_file_parses_and_the_doc_names_each_one():
    files = sorted(p.name for p in SIEM.iterdir() if p.is_file())
    assert files, "deploy/siem/ is empty"
    doc = DOC.read_text()
    for name in files:
        assert load(name), f"deploy/siem/{name} is empty"
        assert f"deploy/siem/{name}" in doc, f"docs/siem.md does not explain deploy/siem/{name}"
    for named in re.findall(r"deploy/siem/([\w.-]+)", doc):
        assert named in files, f"docs/siem.md names deploy/siem/{named}, which does not exist"


def test_splunk_connect_sink():
    c = load("splunk-connect-sink.json")
    cfg = c["config"]
    assert c["name"] and cfg["connector.class"] == "com.splunk.kafka.connect.SplunkSinkConnector"
    assert cfg["topics"].split(",") == [ALERTS]
    assert re.fullmatch(r"https://[\w.-]+:\d+", cfg["splunk.hec.uri"])
    assert cfg["splunk.hec.token"].startswith("${file:"), "the HEC token must come from a config provider, not the file"
    assert cfg["splunk.hec.ack.enabled"] == "true" and cfg["splunk.hec.raw"] == "false"
    assert cfg["value.converter"].endswith("StringConverter")  # alert.v1 JSON passes through untouched
    assert all(isinstance(v, str) for v in cfg.values()), "Kafka Connect takes string values"


def test_vector_pipeline_is_wired():
    v = load("vector.yaml")
    (src,) = v["sources"].values()
    assert src["type"] == "kafka" and src["topics"] == [ALERTS] and src["decoding"]["codec"] == "json"
    components = set(v["sources"]) | set(v.get("transforms", {}))
    for kind in ("transforms", "sinks"):
        for name, c in v.get(kind, {}).items():
            assert c["inputs"] and set(c["inputs"]) <= components, f"vector {kind}.{name}: inputs {c['inputs']} not defined"
    (sink,) = v["sinks"].values()
    assert sink["type"] == "splunk_hec_logs" and sink["default_token"].startswith("${")


def test_filebeat_kafka_input_upserts_by_alert_id():
    f = load("filebeat-kafka.yml")
    (inp,) = f["filebeat.inputs"]
    assert inp["type"] == "kafka" and inp["topics"] == [ALERTS] and inp["group_id"]
    fingerprint = next(p["fingerprint"] for p in inp["processors"] if "fingerprint" in p)
    assert fingerprint["target_field"] == "@metadata._id" and fingerprint["fields"] == ["intentwatch.alert_id"]
    assert f["output.elasticsearch"]["api_key"].startswith("${")


def test_security_lake_pipeline_reads_the_ocsf_topic():
    t = load("tenzir-security-lake.yaml")
    (pipeline,) = t["tenzir"]["pipelines"].values()
    definition = pipeline["definition"]
    assert re.search(rf'from_kafka "{re.escape(OCSF_TOPIC)}"', definition)
    assert "to_amazon_security_lake" in definition and "class_uid == 2004" in definition

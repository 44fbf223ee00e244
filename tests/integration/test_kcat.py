"""kcat, the SOC's terminal Kafka client, on the topics analysts read.

The worker's alerts are consumed with ``kcat -C`` as docs/siem.md shows it, in its two usual
shapes (the bare value per line, and ``-J``'s JSON envelope with key, headers, partition and
offset), and what kcat prints is parsed back into alerts: the same records the broker holds.
With the OCSF output on, the findings topic is read the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from intentwatch.models.alert import Alert
from tests.factories import action
from tests.integration.support import Pipeline
from tests.integration.test_worker import AGENT, register_one_agent


def kcat_path() -> str:
    found = shutil.which("kcat") or shutil.which("kafkacat")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("kcat is not installed (apt-get install -y kcat)")
        pytest.skip("kcat is not installed (apt-get install -y kcat)")
    return found


def kcat(p: Pipeline, topic: str, *fmt: str) -> list[str]:
    """Every record of ``topic`` as kcat prints it, one line each (-e: stop at the end)."""
    cmd = [kcat_path(), "-b", p.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
           "-X", "isolation.level=read_committed", *fmt]
    r = subprocess.run(cmd, capture_output=True, timeout=120)
    assert r.returncode == 0, f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.decode(errors='replace')}"
    return [line for line in r.stdout.decode().splitlines() if line.strip()]


def test_kcat_prints_the_alerts_topic_and_its_lines_parse_as_alerts(kafka_pipeline: Pipeline, tmp_path: Path):
    p = kafka_pipeline
    p.create_topics()
    register_one_agent(p, tmp_path)
    lines = [action(AGENT, at=timedelta(minutes=m), **over).model_dump_json()
             for m, over in ((1, {}), (3, {"tool": "shell.exec"}), (5, {"data_domain": "payroll"}),
                             (7, {"operation": "delete"}), (9, {}))]
    (tmp_path / "actions.jsonl").write_text("\n".join(lines) + "\n")
    p.produce(tmp_path / "actions.jsonl")
    worker = p.start_worker("kcat")
    p.wait_drained([worker], timeout=120)
    on_broker = {(r.partition, r.offset): r for r in p.read_all(p.topics.alerts)}
    assert len(on_broker) >= 3, on_broker

    # The bare value per line: what `kcat -C -t intentwatch.alerts` shows an analyst.
    plain = [Alert.model_validate_json(line) for line in kcat(p, p.topics.alerts)]
    assert sorted(a.alert_id for a in plain) == sorted(r.json()["alert_id"] for r in on_broker.values())
    assert {a.rule_id for a in plain} >= {"intent.tool_not_allowed", "intent.data_domain_not_allowed"}

    # -J: one JSON envelope per record, the alert as its payload string.
    envelopes = [json.loads(line) for line in kcat(p, p.topics.alerts, "-J")]
    assert len(envelopes) == len(on_broker)
    for env in envelopes:
        record = on_broker[env["partition"], env["offset"]]
        alert = Alert.model_validate_json(env["payload"])
        headers = dict(zip(env["headers"][::2], env["headers"][1::2]))
        assert env["topic"] == p.topics.alerts and env["key"] == alert.agent_id == AGENT
        assert headers["alert_id"] == alert.alert_id == record.json()["alert_id"]
        assert env["payload"].encode() == record.value


def test_kcat_prints_the_ocsf_topic_and_each_line_is_a_finding_of_a_native_alert(kafka_pipeline: Pipeline, tmp_path: Path):
    """With outputs.formats [native, ocsf], the OCSF topic holds one Detection Finding per alert
    publication; kcat prints them one JSON object per line, and each names its native alert."""
    p = kafka_pipeline
    p.extra_env["INTENTWATCH_OUTPUTS__FORMATS"] = '["native","ocsf"]'
    p.create_topics()
    register_one_agent(p, tmp_path)
    lines = [action(AGENT, at=timedelta(minutes=m), **over).model_dump_json()
             for m, over in ((1, {}), (3, {"tool": "shell.exec"}), (5, {"data_domain": "payroll"}))]
    (tmp_path / "actions.jsonl").write_text("\n".join(lines) + "\n")
    p.produce(tmp_path / "actions.jsonl")
    worker = p.start_worker("kcat-ocsf")
    p.wait_drained([worker], timeout=120)
    native = [Alert.model_validate_json(line) for line in kcat(p, p.topics.alerts)]
    findings = [json.loads(line) for line in kcat(p, p.topics.alerts_ocsf)]
    assert native and len(findings) == len(native)
    assert all(f["class_uid"] == 2004 and f["category_uid"] == 2 for f in findings)
    assert sorted(f["finding_info"]["uid"] for f in findings) == sorted(a.alert_id for a in native)
    envelopes = [json.loads(line) for line in kcat(p, p.topics.alerts_ocsf, "-J")]
    for env in envelopes:
        headers = dict(zip(env["headers"][::2], env["headers"][1::2]))
        assert env["key"] == AGENT and headers["alert_id"] == json.loads(env["payload"])["finding_info"]["uid"]

"""Parity: the simulated fleet written as OTel GenAI spans and replayed through the OTel adapter
gives the native replay's alerts and commands, ids included, in both encodings."""

import orjson
import pytest
from typer.testing import CliRunner

from intentwatch.pipeline.cli import app

runner = CliRunner()


def _key(alert: dict) -> tuple:
    return tuple(alert.get(k) for k in ("alert_id", "agent_id", "rule_id", "status", "severity", "score", "count",
                                        "first_seen", "last_seen", "message"))


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    out = tmp_path_factory.mktemp("fleet")
    for fmt in ("otel-json", "otel-proto"):
        res = runner.invoke(app, ["simulate", "--agents", "12", "--days", "2", "--seed", "3", "--out", str(out),
                                  "--format", fmt])
        assert res.exit_code == 0, res.output
    return out


def replay(fleet, events: str, fmt: str) -> tuple[list, list, str]:
    a, c, d = (fleet / f"{x}-{fmt}.jsonl" for x in ("alerts", "commands", "dead"))
    res = runner.invoke(app, ["replay", str(fleet / events), "--format", fmt, "--intents", str(fleet / "intents"),
                              "--lifecycle", str(fleet / "lifecycle.jsonl"), "--alerts", str(a), "--commands", str(c),
                              "--dead-letter", str(d), "-q"])
    assert res.exit_code == 0, res.output
    assert not d.exists(), d.read_text()[:500]
    alerts = sorted(_key(orjson.loads(x)) for x in a.read_bytes().splitlines())
    commands = sorted(orjson.loads(x)["command_id"] for x in c.read_bytes().splitlines())
    return alerts, commands, res.output


@pytest.fixture(scope="module")
def native(fleet):
    return replay(fleet, "actions.jsonl", "native")


@pytest.mark.parametrize("fmt, spans", [("otel-json", "spans.otlp.jsonl"), ("otel-proto", "spans.otlp.pb")])
def test_spans_replay_to_the_native_alerts(fleet, native, fmt, spans):
    native_alerts, native_commands, _ = native
    alerts, commands, _ = replay(fleet, spans, fmt)
    assert len(native_alerts) > 10
    assert alerts == native_alerts
    assert commands == native_commands


# Rules that read what CloudTrail does not carry: the data domain, and the model the agent runs
# on (a record names a model only when the call invokes one). Every other rule must agree.
NOT_IN_CLOUDTRAIL = {"intent.data_domain_not_allowed", "behaviour.novel_data_domain", "lifecycle.model_mismatch"}


def test_cloud_calls_as_cloudtrail_replay_to_the_native_alerts_of_every_rule_cloudtrail_can_judge(tmp_path):
    from intentwatch.pipeline.lab.simulate.cloudtrail import is_cloud_call

    res = runner.invoke(app, ["simulate", "--agents", "30", "--days", "2", "--seed", "5", "--out", str(tmp_path),
                              "--format", "cloudtrail"])
    assert res.exit_code == 0, res.output
    # The native reference: the same cloud calls, nothing else (CloudTrail sees nothing else).
    lines = [x for x in (tmp_path / "actions.jsonl").read_bytes().splitlines() if is_cloud_call(orjson.loads(x)["tool"])]
    (tmp_path / "cloud.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    native, native_commands, _ = replay(tmp_path, "cloud.jsonl", "native")
    res = runner.invoke(app, ["replay", str(tmp_path / "cloudtrail"), "--format", "cloudtrail", "--adapter-options",
                              str(tmp_path / "cloudtrail" / "cloudtrail.options.yaml"), "--intents",
                              str(tmp_path / "intents"), "--lifecycle", str(tmp_path / "lifecycle.jsonl"),
                              "--alerts", str(tmp_path / "alerts-ct.jsonl"), "--commands", str(tmp_path / "commands-ct.jsonl"),
                              "--dead-letter", str(tmp_path / "dead-ct.jsonl"), "-q"])
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "dead-ct.jsonl").exists()
    trail = sorted(_key(orjson.loads(x)) for x in (tmp_path / "alerts-ct.jsonl").read_bytes().splitlines())
    rule = 2  # position of rule_id in _key
    judged = {a[rule] for a in native} - NOT_IN_CLOUDTRAIL
    assert len(judged) >= 3, judged  # enough rules fire on this small fleet to mean something
    assert [a for a in trail if a[rule] not in NOT_IN_CLOUDTRAIL] == [a for a in native if a[rule] not in NOT_IN_CLOUDTRAIL]
    if not {a[rule] for a in native} & NOT_IN_CLOUDTRAIL:  # commands follow alerts
        commands = (tmp_path / "commands-ct.jsonl").read_bytes().splitlines()
        assert sorted(orjson.loads(x)["command_id"] for x in commands) == native_commands

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

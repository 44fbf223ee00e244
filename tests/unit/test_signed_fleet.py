"""The simulated fleet signed with development keys runs under trust.mode enforce with the same
alerts as unsigned; a forged decommission slipped into its lifecycle is refused at its line."""

from pathlib import Path

import orjson
from typer.testing import CliRunner

from intentwatch.pipeline.cli import app

runner = CliRunner()


def _replay(d: Path, tag: str, *extra: str) -> tuple[bytes, list[dict]]:
    r = runner.invoke(app, ["replay", str(d / "actions.jsonl"), "--intents", str(d / "intents"), "--lifecycle", str(d / "lifecycle.jsonl"),
                            "--alerts", str(d / f"a-{tag}.jsonl"), "--commands", str(d / f"c-{tag}.jsonl"),
                            "--dead-letter", str(d / f"d-{tag}.jsonl"), "--quiet", *extra])
    assert r.exit_code == 0, r.output
    dead = d / f"d-{tag}.jsonl"
    return (d / f"a-{tag}.jsonl").read_bytes(), [orjson.loads(x) for x in dead.read_bytes().splitlines()] if dead.exists() else []


def test_signed_fleet_under_enforce_matches_unsigned_and_refuses_a_forgery(tmp_path: Path):
    plain, signed = tmp_path / "plain", tmp_path / "signed"
    for d, extra in ((plain, []), (signed, ["--sign"])):
        r = runner.invoke(app, ["simulate", "--agents", "40", "--days", "2", "--seed", "3", "--out", str(d), *extra])
        assert r.exit_code == 0, r.output
    config = str(signed / "config-trust.yaml")
    alerts_plain, _ = _replay(plain, "p")
    alerts_signed, dead = _replay(signed, "s", "--config", config)
    assert alerts_signed == alerts_plain and dead == []
    # a forged decommission (unsigned) of a registered agent: refused at its line, alerted, no zombie alerts
    victim = orjson.loads((signed / "actions.jsonl").read_bytes().splitlines()[0])["agent_id"]
    forged = orjson.dumps({"kind": "decommission", "event_id": "forged-1", "agent_id": victim, "time": "2026-01-05T00:00:00Z"})
    with open(signed / "lifecycle.jsonl", "ab") as fh:
        fh.write(forged + b"\n")
    n = len((signed / "lifecycle.jsonl").read_bytes().splitlines())
    alerts, dead = _replay(signed, "f", "--config", config)
    assert [(x["source"], x["reason"]) for x in dead] == [(f"{signed / 'lifecycle.jsonl'}:{n}", "refused by the trust policy: unsigned")]
    control = [x for x in alerts.splitlines() if orjson.loads(x)["rule_id"] == "control.unauthorised_change"]
    assert len(control) == 1 and orjson.loads(control[0])["agent_id"] == victim
    # everything else exactly as without the forgery: the victim did not become a zombie
    assert [x for x in alerts.splitlines() if x not in control] == alerts_signed.splitlines()

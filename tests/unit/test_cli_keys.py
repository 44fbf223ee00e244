"""`intentwatch keys`: create a key pair, sign lifecycle events and verdicts, verify them and commands."""

from datetime import timedelta
from pathlib import Path

import orjson
from typer.testing import CliRunner

from intentwatch.models.command import RevocationCommand
from intentwatch.pipeline.cli import app
from intentwatch.pipeline.engine.trust import sign, verify_command
from intentwatch.pipeline.io.trustfile import load_private_key
from tests.factories import T0, decommission, manifest, update

runner = CliRunner()


def _key(tmp_path: Path, key_id: str, principal: str) -> str:
    r = runner.invoke(app, ["keys", "create", key_id, "--principal", principal, "--out", str(tmp_path / "keys")])
    assert r.exit_code == 0, r.output
    return r.stdout


def test_create_sign_verify_and_tamper(tmp_path: Path):
    entries = _key(tmp_path, "alice-1", "alice@example.com") + _key(tmp_path, "bob-1", "bob@example.com")
    trust = tmp_path / "trust.yaml"
    trust.write_text("keys:\n" + entries + "principals:\n  - name: alice@example.com\n    decommission: {agents: ['support-*']}\n"
                     "  - name: bob@example.com\n    update: {agents: ['support-*']}\n")
    events = tmp_path / "lc.jsonl"
    events.write_text(decommission("support-1", timedelta(0)).model_dump_json() + "\n")
    signed = tmp_path / "signed.jsonl"
    r = runner.invoke(app, ["keys", "sign", str(events), "--key", str(tmp_path / "keys/alice-1.key"), "--key-id", "alice-1",
                            "--out", str(signed)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["keys", "verify", str(signed), "--trust", str(trust)])
    assert r.exit_code == 0 and "ok, signed by alice@example.com" in r.output
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(signed.read_bytes().replace(b"support-1", b"support-2"))
    r = runner.invoke(app, ["keys", "verify", str(tampered), "--trust", str(trust)])
    assert r.exit_code == 1 and "refused: bad signature (key 'alice-1')" in r.output
    # bob may update but not decommission, and an update must be approved by its signer
    events.write_text(update(manifest(), timedelta(0), approved_by="alice@example.com").model_dump_json() + "\n")
    runner.invoke(app, ["keys", "sign", str(events), "--key", str(tmp_path / "keys/bob-1.key"), "--key-id", "bob-1", "--out", str(signed)])
    r = runner.invoke(app, ["keys", "verify", str(signed), "--trust", str(trust)])
    assert r.exit_code == 1 and "approved_by 'alice@example.com' is not the signer 'bob@example.com'" in r.output


def test_verify_command_for_enforcers(tmp_path: Path):
    _key(tmp_path, "iw-1", "intentwatch")
    key = load_private_key(tmp_path / "keys/iw-1.key")
    cmd = RevocationCommand(command_id="c1", agent_id="support-1", action="revoke_credentials", credential_ids=["key-1"],
                            reason="zombie", rule_id="lifecycle.decommissioned_agent_active", issued_at=T0)
    good = sign(cmd, key, "iw-1").model_dump_json().encode()
    forged = orjson.dumps({**orjson.loads(good), "credential_ids": ["key-1", "key-admin"]})
    public = (tmp_path / "keys/iw-1.pub").read_text()
    assert verify_command(good, public, "iw-1") is None
    assert verify_command(forged, public) == "bad signature"
    assert verify_command(cmd.model_dump_json().encode(), public) == "unsigned"
    assert verify_command(good, public, "iw-2") == "signed by key 'iw-1', not 'iw-2'"
    f = tmp_path / "cmds.jsonl"
    f.write_bytes(good + b"\n" + forged + b"\n")
    r = runner.invoke(app, ["keys", "verify-command", str(f), "--public-key", str(tmp_path / "keys/iw-1.pub")])
    assert r.exit_code == 1 and f"{f}:1: ok" in r.output and f"{f}:2: refused: bad signature" in r.output

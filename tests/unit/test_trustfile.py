"""Trust files, key files and manifests on disk: errors at file:line, keys kept private."""

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.trust import public_key_text
from intentwatch.pipeline.io.intents import load_manifests
from intentwatch.pipeline.io.trustfile import build_engine, load_private_key, load_trust_file, trust_status, write_key_pair
from intentwatch.pipeline.settings import Settings, TrustSettings


def test_duplicate_yaml_keys_in_a_manifest_are_an_error(tmp_path: Path):
    # Before: the last `allowed` silently won, widening tools to '*'.
    f = tmp_path / "m.yaml"
    f.write_text("agent_id: a1\npurpose: p\nallowed:\n  tools: [crm.lookup]\nowner: x\nallowed:\n  tools: ['*']\n")
    loaded = load_manifests(f)
    assert loaded.manifests == []
    assert [str(p) for p in loaded.errors] == [f"{f}:6: error: allowed: duplicate key (first at line 3); YAML would silently keep the last"]


def test_duplicate_nested_key_and_a_clean_neighbour_document(tmp_path: Path):
    f = tmp_path / "m.yaml"
    f.write_text("agent_id: a1\npurpose: p\nallowed:\n  tools: [a]\n  tools: ['*']\n---\nagent_id: a2\npurpose: p\n")
    loaded = load_manifests(f)
    assert [m.agent_id for m, _ in loaded.manifests] == ["a2"]
    assert [p.source for p in loaded.errors] == [f"{f}:5"] and loaded.errors[0].field == "allowed.tools"


def _pub() -> str:
    return public_key_text(Ed25519PrivateKey.generate().public_key())


def test_trust_file_errors_name_file_and_line(tmp_path: Path):
    f = tmp_path / "trust.yaml"
    f.write_text(f"keys:\n  - id: k1\n    principal: bob\n    public_key: {_pub()}\n  - id: k2\n    principal: bob\n"
                 f"    public_key: not-a-key\nprincipals:\n  - name: bob\n    update: {{agents: []}}\n")
    with pytest.raises(ConfigError) as e:
        load_trust_file(f)
    lines = str(e.value).splitlines()
    assert lines[0].startswith(f"{f}:7: keys.1.public_key: Value error, public_key must be base64")
    assert lines[1].startswith(f"{f}:10: principals.0.update.agents: List should have at least 1 item")


def test_trust_file_duplicate_keys_are_an_error(tmp_path: Path):
    f = tmp_path / "trust.yaml"
    f.write_text("principals:\n  - name: bob\n    update: {agents: [a-*]}\n    update: {agents: ['*']}\n")
    with pytest.raises(ConfigError, match=r"trust.yaml:4: principals.0.update: duplicate key \(first at line 3\)"):
        load_trust_file(f)


def test_key_pair_is_private_and_refused_when_readable(tmp_path: Path):
    path, public = write_key_pair(tmp_path, "ana-1")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert public_key_text(load_private_key(path).public_key()) == public == (tmp_path / "ana-1.pub").read_text().strip()
    with pytest.raises(ConfigError, match="exists"):
        write_key_pair(tmp_path, "ana-1")
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        load_private_key(path)


def test_unauthenticated_control_plane_is_said(tmp_path: Path):
    assert "UNAUTHENTICATED (no trust.file)" in trust_status(TrustSettings())
    assert build_engine(Settings()).trust is None
    with pytest.raises(ValueError, match="enforce needs trust.file"):
        TrustSettings(mode="enforce")
    f = tmp_path / "trust.yaml"
    f.write_text("principals: []\n")
    s = Settings(trust=TrustSettings(file=f, mode="enforce"))
    assert build_engine(s).trust.mode == "enforce" and "signed: trust.mode enforce" in trust_status(s.trust)

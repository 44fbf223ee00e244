"""The trust file and keys on disk: loading (every problem at ``file:line``), key files, and
the trust policy the engine gets (``pipeline/engine/trust.py``).

A private key is a PKCS#8 PEM file that only its owner may read (mode 0600): a key file
readable by the group or by others is refused, as ssh refuses one.
"""

import os
import stat
from pathlib import Path

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.catalog import Rule, load_catalog, yaml_document
from intentwatch.pipeline.engine.trust import TrustFile, TrustPolicy, public_key_text
from intentwatch.pipeline.io.intents import _line_of, duplicate_keys
from intentwatch.pipeline.engine.detectors import REGISTRY
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.engine.eviction import AgentStore
from intentwatch.pipeline.settings import Settings, TrustSettings


def load_trust_file(path: Path) -> TrustFile:
    """Read and validate a trust file; ``ConfigError`` lists every problem as ``file:line: field: reason``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the trust file: {e}") from None
    try:
        node, data = yaml_document(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise ConfigError(f"{path}:{mark.line + 1 if mark else 1}: invalid YAML: {getattr(e, 'problem', None) or e}") from None
    if node is None:
        raise ConfigError(f"{path}:1: the trust file is empty")
    problems = [f"{path}:{line}: {key}: duplicate key (first at line {first})" for line, key, first in duplicate_keys(node)]
    if problems:
        raise ConfigError("\n".join(problems))
    try:
        return TrustFile.model_validate(data)
    except ValidationError as e:
        raise ConfigError("\n".join(f"{path}:{_line_of(node, tuple(err['loc']))}: {'.'.join(map(str, err['loc'])) or '(file)'}: "
                                    f"{err['msg']}" for err in e.errors(include_url=False))) from None


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM file only its owner can read."""
    try:
        mode = os.stat(path).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"{path}: private key is readable by others (mode {stat.S_IMODE(mode):04o}); chmod 600 it")
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the private key: {e}") from None
    except ValueError as e:
        raise ConfigError(f"{path}: not a PEM private key: {e}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path}: not an Ed25519 private key")
    return key


def write_key_pair(directory: Path, key_id: str) -> tuple[Path, str]:
    """Create ``<key_id>.key`` (PEM, mode 0600, never overwritten) and return it with the public key's text."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key_id}.key"
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # created 0600: never readable by others, even briefly
    except FileExistsError:
        raise ConfigError(f"{path}: exists; not overwriting a key") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public = public_key_text(key.public_key())
    (directory / f"{key_id}.pub").write_text(public + "\n", encoding="ascii")
    return path, public


def trust_policy(settings: TrustSettings, rules: dict[str, Rule]) -> TrustPolicy | None:
    """The policy the engine checks changes against; None when ``mode`` is off or no trust file is given."""
    if settings.mode == "off" or settings.file is None:
        return None
    trust = load_trust_file(settings.file)
    command_key = None
    if settings.signing_key is not None and settings.signing_key_id is not None:
        key = load_private_key(settings.signing_key)
        listed = next((k for k in trust.keys if k.id == settings.signing_key_id), None)
        if listed is None or listed.public_key.strip() != public_key_text(key.public_key()):
            raise ConfigError(f"{settings.signing_key}: key {settings.signing_key_id!r} is not in {settings.file} "
                              "with this public key; enforcers could not verify its commands")
        command_key = (settings.signing_key_id, key)
    return TrustPolicy(trust, settings.mode, lambda rule_id: rules[rule_id].severity if rule_id in rules else None,
                       command_key)


def trust_status(settings: TrustSettings) -> str:
    """One line for logs and summaries: is the control plane authenticated?"""
    if settings.mode == "off" or settings.file is None:
        why = "trust.mode off" if settings.mode == "off" else "no trust.file"
        return (f"control plane UNAUTHENTICATED ({why}): lifecycle events and verdicts apply unchecked; "
                "see docs/trust.md")
    signing = f"; commands signed with key {settings.signing_key_id}" if settings.signing_key_id else "; commands unsigned"
    return f"control plane signed: trust.mode {settings.mode}, trust file {settings.file}{signing}"


def build_engine(settings: Settings, event_clock: bool = True, store: AgentStore | None = None) -> Engine:
    """The engine both hosts run: the engine settings, unless off the trust policy, and where
    evicted agents go past ``engine.max_agents_in_memory`` (default: compressed, in memory)."""
    rules = load_catalog(settings.engine, known_types=set(REGISTRY))
    return Engine(settings.engine, rules, event_clock=event_clock, trust=trust_policy(settings.trust, rules), store=store)

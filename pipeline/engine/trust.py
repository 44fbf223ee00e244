"""Who may change the control plane: signed manifests, lifecycle events and verdicts.

A trust file (``pipeline/io/trustfile.py`` loads it) lists Ed25519 public keys, each held by
one principal and valid for a window of event time, and what each principal may do:
instantiate agents (by agent id and owner patterns), approve an update, decommission, and
give verdicts (suppressing findings up to given severities). The engine asks this policy
about every lifecycle event and verdict, in replay and in the worker alike:

- ``check(event)`` when the event arrives (no agent state needed): is it signed by a valid,
  unrevoked key whose principal may do this to this agent? An update must name its approver,
  and the approver must be the signer.
- ``check_applied(event, state)`` when it applies, against the intent then in force: an update's
  approver must be that manifest's ``approver``; re-instantiating a live agent is an update
  (signed by that approver); nothing but a new signed instantiate revives a decommissioned agent.

Canonical form (what a signature signs): a context line naming the kind of message
(``intentwatch.lifecycle.v1``, ``intentwatch.feedback.v1``, ``intentwatch.manifest.v1``,
``intentwatch.command.v1``) and a newline, then the RFC 8785 (JCS) canonical JSON of the
message as intentwatch serialises it (``model_dump(mode="json")``: defaults included, times
in ISO 8601) without its ``signature`` field. The context keeps a signature on one kind of
message from being passed off as another. See docs/trust.md.

Pure: no I/O, no clock. Keys are judged at the message's own event time, so replay and the
worker reach the same verdicts.
"""

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Literal

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from intentwatch.models.alert import Severity
from intentwatch.models.command import RevocationCommand
from intentwatch.models.feedback import Feedback
from intentwatch.models.intent import IntentManifest
from intentwatch.models.lifecycle import Decommission, Instantiate, Update
from intentwatch.models.signature import Signature

LifecycleEvent = Instantiate | Update | Decommission
Signed = Instantiate | Update | Decommission | Feedback | IntentManifest | RevocationCommand
TrustMode = Literal["off", "warn", "enforce"]
COMMANDS_PRINCIPAL = "intentwatch"  # the principal whose key signs revocation commands


# -- the trust file ----------------------------------------------------------------------
class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from base64 of its 32 raw bytes, or from a PEM block."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("public_key must be base64 of the 32-byte raw key, or PEM") from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key has 32 bytes, this one {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_key_text(key: Ed25519PublicKey) -> str:
    """The trust file's form of a public key: base64 of the 32 raw bytes."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


class TrustKey(_Model):
    """One public key of one principal, valid from ``not_before`` to ``not_after`` (event time)."""

    id: str = Field(min_length=1, max_length=200)
    principal: str = Field(min_length=1, max_length=200)
    public_key: str = Field(description="base64 of the 32 raw bytes, or a PEM block")
    not_before: AwareDatetime | None = None
    not_after: AwareDatetime | None = None
    revoked: bool = Field(default=False, description="A revoked key is refused for every message, whatever its time.")

    @field_validator("public_key")
    @classmethod
    def _parses(cls, v: str) -> str:
        public_key_from_text(v)
        return v

    @model_validator(mode="after")
    def _window(self) -> "TrustKey":
        if self.not_before and self.not_after and self.not_after <= self.not_before:
            raise ValueError("not_after must be after not_before")
        return self


class Grant(_Model):
    """Agents this right covers (id patterns) and, for manifests, the owners they may name."""

    agents: list[str] = Field(min_length=1)
    owners: list[str] = Field(default_factory=lambda: ["*"], min_length=1)


class VerdictGrant(_Model):
    """Verdicts on these agents' alerts; a false positive may suppress only these severities and rules."""

    agents: list[str] = Field(min_length=1)
    severities: list[Severity] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=lambda: ["*"], min_length=1)


class Principal(_Model):
    name: str = Field(min_length=1, max_length=200)
    instantiate: Grant | None = None
    update: Grant | None = Field(default=None, description="Approve an update (a widening) of these agents' intent.")
    decommission: Grant | None = None
    verdicts: VerdictGrant | None = None


class TrustFile(_Model):
    version: Literal[1] = 1
    keys: list[TrustKey] = Field(default_factory=list)
    principals: list[Principal] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> "TrustFile":
        names = [p.name for p in self.principals]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"principal listed twice: {', '.join(sorted(dup))}")
        ids = [k.id for k in self.keys]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"key id listed twice: {', '.join(sorted(dup))}")
        unknown = {k.principal for k in self.keys} - set(names) - {COMMANDS_PRINCIPAL}
        if unknown:
            raise ValueError(f"keys of unknown principals: {', '.join(sorted(unknown))} (list them under principals)")
        return self


# -- canonical form, signing ---------------------------------------------------------------
def context_of(msg: Signed) -> bytes:
    if isinstance(msg, Feedback):
        return b"intentwatch.feedback.v1\n"
    if isinstance(msg, IntentManifest):
        return b"intentwatch.manifest.v1\n"
    if isinstance(msg, RevocationCommand):
        return b"intentwatch.command.v1\n"
    return b"intentwatch.lifecycle.v1\n"


def canonical(msg: Signed) -> bytes:
    """The bytes a signature signs: context line + JCS of the message without ``signature``."""
    return context_of(msg) + rfc8785.dumps(msg.model_dump(mode="json", exclude={"signature"}))


def sign(msg: Signed, key: Ed25519PrivateKey, key_id: str) -> Signed:
    """A copy of ``msg`` carrying its signature by ``key`` (Ed25519 is deterministic)."""
    value = base64.b64encode(key.sign(canonical(msg))).decode("ascii")
    return msg.model_copy(update={"signature": Signature(key_id=key_id, value=value)})


def verify_signature(msg: Signed, key: Ed25519PublicKey) -> bool:
    if msg.signature is None:
        return False
    try:
        key.verify(base64.b64decode(msg.signature.value, validate=True), canonical(msg))
    except (InvalidSignature, binascii.Error, ValueError, rfc8785.CanonicalizationError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class Rejection:
    """A control-plane message refused (or, under ``warn``, let through) and why."""

    event: LifecycleEvent | Feedback
    reason: str
    applied: bool  # judged when it applied (against the intent in force), not on arrival


class TrustPolicy:
    """The trust file made executable. ``mode``: ``warn`` alerts and applies; ``enforce`` alerts and refuses.

    ``severity_of`` gives a rule id's severity (the engine's catalogue), for verdicts.
    ``command_key``: intentwatch's own (key id, private key), to sign revocation commands.
    """

    def __init__(self, trust: TrustFile, mode: Literal["warn", "enforce"], severity_of: Callable[[str], Severity | None],
                 command_key: tuple[str, Ed25519PrivateKey] | None = None):
        self.trust = trust
        self.mode = mode
        self.severity_of = severity_of
        self.command_key = command_key
        self._keys = {k.id: (k, public_key_from_text(k.public_key)) for k in trust.keys}
        self._principals = {p.name: p for p in trust.principals}

    # -- signatures ---------------------------------------------------------------------
    def signer(self, msg: Signed, at: datetime) -> tuple[str | None, str]:
        """(principal, "") if ``msg`` carries a good signature by a key valid at ``at``; else (None, why not)."""
        sig = msg.signature
        if sig is None:
            return None, "unsigned"
        entry = self._keys.get(sig.key_id)
        if entry is None:
            return None, f"signed by unknown key {sig.key_id!r}"
        key, public = entry
        if key.revoked:
            return None, f"signed by revoked key {key.id!r}"
        if (key.not_before and at < key.not_before) or (key.not_after and at >= key.not_after):
            return None, f"key {key.id!r} not valid at {at.isoformat()}"
        if not verify_signature(msg, public):
            return None, f"bad signature (key {key.id!r})"
        return key.principal, ""

    def sign_command(self, cmd: RevocationCommand) -> RevocationCommand:
        if self.command_key is None:
            return cmd
        key_id, key = self.command_key
        return sign(cmd, key, key_id)  # type: ignore[return-value]

    # -- on arrival -----------------------------------------------------------------------
    def check(self, ev: LifecycleEvent | Feedback) -> str | None:
        """Why ``ev`` must be refused, judged on the message alone; None if it may apply."""
        if isinstance(ev, Feedback):
            return self._check_verdict(ev)
        if not isinstance(ev, Decommission) and ev.manifest.agent_id != ev.agent_id:
            return f"manifest is for {ev.manifest.agent_id!r}, the event for {ev.agent_id!r}"
        principal, why = self.signer(ev, ev.time)
        if principal is None and isinstance(ev, Instantiate) and ev.signature is None and ev.manifest.signature is not None:
            # A registered manifest file: its signature vouches for the instantiation derived from it.
            if ev != Instantiate.of_manifest(ev.manifest):
                return "unsigned instantiate carrying a signed manifest (only the manifest's own registration may)"
            principal, why = self.signer(ev.manifest, ev.time)
        if principal is None:
            return why
        if isinstance(ev, Instantiate):
            return self._granted(principal, "instantiate", ev.agent_id, ev.manifest.owner)
        if isinstance(ev, Update):
            if not ev.approved_by:
                return "update names no approver"
            if ev.approved_by != principal:
                return f"approved_by {ev.approved_by!r} is not the signer {principal!r}"
            return self._granted(principal, "update", ev.agent_id, ev.manifest.owner)
        return self._granted(principal, "decommission", ev.agent_id, None)

    def _check_verdict(self, fb: Feedback) -> str | None:
        principal, why = self.signer(fb, fb.time)
        if principal is None:
            return why
        if fb.analyst != principal:
            return f"analyst {fb.analyst!r} is not the signer {principal!r}"
        p = self._principals.get(principal)
        g = p.verdicts if p is not None else None
        if g is None or not _matches(fb.agent_id, g.agents):
            return f"{principal!r} may not give verdicts on {fb.agent_id!r}"
        if fb.verdict == "false_positive":
            severity = self.severity_of(fb.rule_id)
            if severity is None:
                return f"unknown rule {fb.rule_id!r}"
            if severity not in g.severities or not _matches(fb.rule_id, g.rules):
                return f"{principal!r} may not suppress {fb.rule_id} ({severity})"
        return None

    def _granted(self, principal: str, right: str, agent_id: str, owner: str | None) -> str | None:
        p = self._principals.get(principal)
        g: Grant | None = getattr(p, right) if p is not None else None
        if g is None or not _matches(agent_id, g.agents):
            return f"{principal!r} may not {right} {agent_id!r}"
        if right != "decommission" and not _matches(owner or "", g.owners):
            return f"{principal!r} may not {right} an agent owned by {owner!r}"
        return None

    # -- when it applies ------------------------------------------------------------------
    def check_applied(self, ev: LifecycleEvent, status: str, in_force: IntentManifest | None) -> str | None:
        """Why ``ev`` must be refused given the agent's ``status`` and the intent ``in_force``."""
        if isinstance(ev, Decommission):
            return None
        if isinstance(ev, Update):
            if status == "decommissioned":
                return "update of a decommissioned agent (only a new signed instantiate brings it back)"
            return self._approver_of(in_force, ev.approved_by)
        if status == "active":  # re-instantiating a live agent changes its intent: an update
            principal, _ = self.signer(ev, ev.time)
            if principal is None:  # vouched for by its manifest's signature
                principal, _ = self.signer(ev.manifest, ev.time)
            why = self._approver_of(in_force, principal)
            if why is None and principal is not None:
                why = self._granted(principal, "update", ev.agent_id, ev.manifest.owner)
            return None if why is None else f"re-instantiates a live agent, which is an update: {why}"
        return None

    @staticmethod
    def _approver_of(in_force: IntentManifest | None, who: str | None) -> str | None:
        if in_force is None:
            return "no intent in force to approve a change against"
        if not in_force.approver:
            return "the intent in force names no approver"
        if who != in_force.approver:
            return f"approved by {who!r}, not by the intent's approver {in_force.approver!r}"
        return None


def _matches(value: str, patterns: list[str]) -> bool:
    return any(fnmatchcase(value, p) for p in patterns)


def verify_command(raw: bytes, public_key: str, key_id: str | None = None) -> str | None:
    """For enforcers: why the revocation command ``raw`` (JSON) must not be acted on; None if
    intentwatch's key (``public_key``, base64 or PEM) signed exactly this command."""

    try:
        cmd = RevocationCommand.model_validate_json(raw)
    except ValidationError as e:
        return f"not a revocation command: {e.errors(include_url=False)[0]['msg']}"
    if cmd.signature is None:
        return "unsigned"
    if key_id is not None and cmd.signature.key_id != key_id:
        return f"signed by key {cmd.signature.key_id!r}, not {key_id!r}"
    try:
        key = public_key_from_text(public_key)
    except ValueError as e:
        return f"public key: {e}"
    return None if verify_signature(cmd, key) else "bad signature"

"""Sign a simulated fleet's control plane with DEVELOPMENT keys, so the demo and tests run under
``trust.mode: enforce``.

Every key here derives from the seed and the principal's name: anyone can recompute it. They
prove the pipeline's checks work end to end; they protect nothing. Writes into the fleet's folder:

- ``intents/``: each manifest rewritten with its signature by the ``registry`` principal;
- ``lifecycle.jsonl``: each decommission signed by its actor (the agent's owner), each update by
  its approver (who must be the approver named in the intent in force);
- ``trust.yaml``: the keys and what each principal may do (owners decommission their agents,
  approvers update theirs, the registry instantiates any, the SOC gives verdicts up to high);
- ``keys/intentwatch-dev.key`` (0600): the key that signs revocation commands, and
  ``config-trust.yaml``, the settings that use all of this.
"""

import hashlib
from collections import defaultdict
from pathlib import Path

import orjson
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from intentwatch.models.feedback import Feedback
from intentwatch.models.lifecycle import LIFECYCLE_ADAPTER, Decommission, Update
from intentwatch.pipeline.engine.trust import COMMANDS_PRINCIPAL, TrustFile, public_key_text, sign
from intentwatch.pipeline.io.intents import load_manifests, manifest_files

REGISTRY = "registry"
SOC = "soc@example.com"


def dev_key(seed: int, principal: str) -> Ed25519PrivateKey:
    """A well-known development key: a function of the seed and the name, nothing secret."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"intentwatch-dev-key:{seed}:{principal}".encode()).digest())


def _key_id(principal: str) -> str:
    return f"dev:{principal}"


def sign_fleet(out: Path, seed: int) -> dict:
    """Sign the fleet in ``out`` in place and write its trust file; returns counts."""
    out = Path(out)
    owners: dict[str, list[str]] = defaultdict(list)
    approvers: dict[str, list[str]] = defaultdict(list)
    registry = dev_key(seed, REGISTRY)
    n_manifests = 0
    for file in manifest_files(out / "intents"):
        loaded = load_manifests(file)
        signed = [sign(m, registry, _key_id(REGISTRY)) for m, _ in loaded.manifests]
        for m, _ in loaded.manifests:
            if m.owner:
                owners[m.owner].append(m.agent_id)
            if m.approver:
                approvers[m.approver].append(m.agent_id)
        docs = [m.model_dump(mode="json", exclude_none=True) for m in signed]
        if file.suffix == ".json":
            file.write_bytes(orjson.dumps(docs[0], option=orjson.OPT_INDENT_2) + b"\n")
        else:
            file.write_text(yaml.safe_dump_all(docs, sort_keys=False, explicit_start=len(docs) > 1), encoding="utf-8")
        n_manifests += len(signed)
    lines = []
    lifecycle = out / "lifecycle.jsonl"
    for raw in lifecycle.read_bytes().splitlines() if lifecycle.exists() else []:
        ev = LIFECYCLE_ADAPTER.validate_json(raw)
        who = ev.approved_by if isinstance(ev, Update) else ev.actor
        if who is None:
            lines.append(raw)  # left unsigned: the pipeline must refuse it
            continue
        if isinstance(ev, Decommission):
            owners[who].append(ev.agent_id)
        elif isinstance(ev, Update):
            approvers[who].append(ev.agent_id)
        lines.append(sign(ev, dev_key(seed, who), _key_id(who)).model_dump_json(exclude_none=True).encode())
    lifecycle.write_bytes(b"".join(line + b"\n" for line in lines))
    names = sorted({REGISTRY, SOC, COMMANDS_PRINCIPAL, *owners, *approvers})
    principals: dict[str, dict] = {REGISTRY: {"name": REGISTRY, "instantiate": {"agents": ["*"]}},
                                   SOC: {"name": SOC, "verdicts": {"agents": ["*"], "severities": ["info", "low", "medium", "high"]}}}
    for who, agents in owners.items():
        principals.setdefault(who, {"name": who})["decommission"] = {"agents": sorted(set(agents))}
    for who, agents in approvers.items():
        principals.setdefault(who, {"name": who})["update"] = {"agents": sorted(set(agents))}
    trust = {"version": 1,
             "keys": [{"id": _key_id(n), "principal": n, "public_key": public_key_text(dev_key(seed, n).public_key())} for n in names],
             "principals": [principals[n] for n in sorted(principals)]}
    TrustFile.model_validate(trust)
    (out / "trust.yaml").write_text(
        f"# DEVELOPMENT trust file written by `intentwatch simulate --sign` (seed {seed}): every key here is\n"
        "# derived from the seed and a name, so anyone can sign as anyone. Never use it for real agents.\n"
        + yaml.safe_dump(trust, sort_keys=False), encoding="utf-8")
    keys = out / "keys"
    keys.mkdir(exist_ok=True)
    path = keys / "intentwatch-dev.key"
    path.unlink(missing_ok=True)
    pem = dev_key(seed, COMMANDS_PRINCIPAL).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption())
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_bytes(pem)
    (out / "config-trust.yaml").write_text(
        "# Settings for the signed simulated fleet (DEVELOPMENT keys): intentwatch replay/worker --config this file\n"
        + yaml.safe_dump({"trust": {"file": str((out / "trust.yaml").resolve()), "mode": "enforce",
                                    "signing_key": str(path.resolve()), "signing_key_id": _key_id(COMMANDS_PRINCIPAL)}},
                         sort_keys=False), encoding="utf-8")
    return {"signed_manifests": n_manifests, "signed_lifecycle_events": len(lines), "principals": len(principals)}


def sign_verdict(fb: Feedback, seed: int) -> Feedback:
    """A verdict signed by the simulated SOC's development key (its analyst must be ``SOC``)."""
    return sign(fb, dev_key(seed, SOC), _key_id(SOC))  # type: ignore[return-value]

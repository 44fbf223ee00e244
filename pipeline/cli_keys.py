"""``intentwatch keys``: create key pairs, sign control-plane messages, verify them (docs/trust.md)."""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from intentwatch.pipeline.console import console

keys_app = typer.Typer(help="Keys of the signed control plane: create, sign manifests / lifecycle events / verdicts, verify.",
                       no_args_is_help=True)
err = console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@keys_app.command("create")
def create(
    key_id: Annotated[str, typer.Argument(help="The key's id in the trust file, e.g. bob-2026-12.")],
    principal: Annotated[str, typer.Option(help="Who holds it (a principal of the trust file; 'intentwatch' for the command key).")],
    out: Annotated[Path, typer.Option(help="Directory for <id>.key (private, mode 0600) and <id>.pub.")] = Path("keys"),
) -> None:
    """Create an Ed25519 key pair and print its trust-file entry.

    Example:

    ```
    intentwatch keys create bob-2026-12 --principal bob@example.com --out ~/.intentwatch
    ```
    """
    from intentwatch.models.errors import IntentwatchError
    from intentwatch.pipeline.io.trustfile import write_key_pair

    try:
        path, public = write_key_pair(out, key_id)
    except IntentwatchError as e:
        _fail(str(e))
    err.print(f"wrote {path} (private, 0600) and {out / (key_id + '.pub')}; add to the trust file's keys:")
    sys.stdout.write(f"  - id: {key_id}\n    principal: {principal}\n    public_key: {public}\n")


def _messages(file: Path):
    """(where, message) for each manifest of a YAML/JSON manifest file, or each line of a JSON-lines file."""
    from intentwatch.models.feedback import Feedback
    from intentwatch.models.intent import IntentManifest
    from intentwatch.models.lifecycle import LIFECYCLE_ADAPTER
    from intentwatch.pipeline.io.intents import load_manifests

    import orjson
    from pydantic import ValidationError

    if file.suffix != ".jsonl":
        loaded = load_manifests(file)
        if loaded.errors:
            _fail("; ".join(map(str, loaded.errors)))
        for m, source in loaded.manifests:
            yield source, m
        return
    for n, raw in enumerate(file.read_bytes().splitlines(), 1):
        if not raw.strip():
            continue
        try:
            doc = orjson.loads(raw)
            kind = doc.get("kind") if isinstance(doc, dict) else None
            if kind == "feedback":
                yield f"{file}:{n}", Feedback.model_validate(doc)
            elif kind in ("instantiate", "update", "decommission"):
                yield f"{file}:{n}", LIFECYCLE_ADAPTER.validate_python(doc)
            else:
                yield f"{file}:{n}", IntentManifest.model_validate(doc)
        except (orjson.JSONDecodeError, ValidationError) as e:
            _fail(f"{file}:{n}: {e}")


@keys_app.command("sign")
def sign_file(
    file: Annotated[Path, typer.Argument(help="Manifests (YAML/JSON), or lifecycle events / verdicts as JSON lines (.jsonl).", exists=True)],
    key: Annotated[Path, typer.Option(help="The private key (PEM, mode 0600).")],
    key_id: Annotated[str, typer.Option(help="Its id in the trust file.")],
    out: Annotated[str, typer.Option(help="Where the signed messages go; - for stdout.")] = "-",
) -> None:
    """Sign manifests, lifecycle events or verdicts; each keeps its content and gains a ``signature``.

    Example:

    ```
    intentwatch keys sign update.jsonl --key ~/.intentwatch/bob-2026-12.key --key-id bob-2026-12 > signed.jsonl
    ```
    """
    import yaml

    from intentwatch.models.errors import IntentwatchError
    from intentwatch.models.intent import IntentManifest
    from intentwatch.pipeline.engine.trust import sign
    from intentwatch.pipeline.io.trustfile import load_private_key

    try:
        private = load_private_key(key)
    except IntentwatchError as e:
        _fail(str(e))
    signed = [sign(m, private, key_id) for _, m in _messages(file)]
    if file.suffix == ".jsonl":
        text = "".join(m.model_dump_json(exclude_none=True) + "\n" for m in signed)
    else:  # manifests stay YAML; exclude_none keeps them as short as written (None is every such field's default)
        text = yaml.safe_dump_all([m.model_dump(mode="json", exclude_none=True) for m in signed if isinstance(m, IntentManifest)],
                                  sort_keys=False, explicit_start=True)
    if out == "-":
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")
    err.print(f"signed {len(signed)} message(s) with key {key_id}")


@keys_app.command("verify")
def verify_file(
    file: Annotated[Path, typer.Argument(help="Signed manifests (YAML/JSON), or lifecycle events / verdicts (.jsonl).", exists=True)],
    trust: Annotated[Path, typer.Option(help="The trust file.", exists=True, dir_okay=False)],
) -> None:
    """Check each message's signature and the signer's rights against the trust file (not yet
    against the agent's intent in force: that is judged when the change applies). Exits 1 if any fails.

    Example:

    ```
    intentwatch keys verify signed.jsonl --trust deploy/trust.yaml
    ```
    """
    from intentwatch.models.errors import IntentwatchError
    from intentwatch.models.intent import IntentManifest
    from intentwatch.models.lifecycle import Instantiate
    from intentwatch.pipeline.engine.catalog import load_catalog
    from intentwatch.pipeline.engine.config import EngineConfig
    from intentwatch.pipeline.engine.trust import TrustPolicy
    from intentwatch.pipeline.io.trustfile import load_trust_file

    try:
        rules = load_catalog(EngineConfig())
        policy = TrustPolicy(load_trust_file(trust), "enforce", lambda r: rules[r].severity if r in rules else None)
    except IntentwatchError as e:
        _fail(str(e))
    bad = 0
    for where, m in _messages(file):
        ev = Instantiate.of_manifest(m) if isinstance(m, IntentManifest) else m
        why = policy.check(ev)
        principal = None if why else (policy.signer(ev, ev.time)[0] or policy.signer(m, ev.time)[0])
        bad += why is not None
        err.print(f"{where}: " + (f"[red]refused[/red]: {why}" if why else f"[green]ok[/green], signed by {principal}"), highlight=False, soft_wrap=True)
    if bad:
        raise typer.Exit(1)


@keys_app.command("verify-command")
def verify_command_file(
    file: Annotated[Path, typer.Argument(help="Revocation commands as JSON lines (from the revocations topic or replay).", exists=True)],
    public_key: Annotated[str, typer.Option(help="intentwatch's public key: base64, PEM, or a file holding either.")],
    key_id: Annotated[Optional[str], typer.Option(help="Also require this key id on each command.")] = None,
) -> None:
    """What an enforcer runs before acting on a command: is it signed by intentwatch? Exits 1 if any is not.

    Example:

    ```
    intentwatch keys verify-command commands.jsonl --public-key keys/intentwatch-1.pub
    ```
    """
    from intentwatch.pipeline.engine.trust import verify_command

    text = Path(public_key).read_text() if Path(public_key).is_file() else public_key
    bad = 0
    for n, raw in enumerate(file.read_bytes().splitlines(), 1):
        if not raw.strip():
            continue
        why = verify_command(raw, text, key_id)
        bad += why is not None
        err.print(f"{file}:{n}: " + (f"[red]refused[/red]: {why}" if why else "[green]ok[/green]"), highlight=False, soft_wrap=True)
    if bad:
        raise typer.Exit(1)

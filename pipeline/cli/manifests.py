"""Manifests and their keys: ``intents suggest`` drafts manifests from history (``pipeline/suggest``);
``keys`` creates key pairs, signs control-plane messages and verifies them (docs/trust.md)."""

import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from intentwatch.pipeline.cli.common import FORMATS, AdapterOptionsOpt, MappingOpt, err, fail, input_adapter, stdout_console

keys_app = typer.Typer(help="Keys of the signed control plane: create, sign manifests / lifecycle events / verdicts, verify.",
                       no_args_is_help=True)
intents_app = typer.Typer(help="Work with intent manifests.", no_args_is_help=True)


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
        fail(str(e), soft_wrap=True)
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
            fail("; ".join(map(str, loaded.errors)), soft_wrap=True)
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
            fail(f"{file}:{n}: {e}", soft_wrap=True)


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
        fail(str(e), soft_wrap=True)
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
        fail(str(e), soft_wrap=True)
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


@intents_app.command("suggest")
def intents_suggest(
    history: Annotated[Path, typer.Argument(help="Actions to learn from (JSON lines, .gz too); read twice, so a file.")],
    out: Annotated[Path, typer.Option(help="Directory for the drafts, one YAML file per agent.")],
    until: Annotated[Optional[str], typer.Option(help="Use only actions before this time (ISO 8601; no zone means UTC).")] = None,
    timezone_: Annotated[str, typer.Option("--timezone", help="Zone of the suggested schedules (IANA name).")] = "UTC",
    min_distinct: Annotated[int, typer.Option(min=2, help="Distinct values under a prefix before it becomes PREFIX*.")] = 2,
    closed_sets: Annotated[bool, typer.Option(help="Keep a set exact when every value in it recurs (tighter; more alerts later).")] = False,
    dead_letter: Annotated[Path, typer.Option(help="Where bad lines go, with line number and reason.")] = Path("suggest-dead-letter.jsonl"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No per-agent table.")] = False,
    input_format: Annotated[str, typer.Option("--format", help="History format: " + FORMATS + "; a foreign history may be a folder (docs/inputs.md).")] = "native",
    mapping: MappingOpt = None,
    adapter_options: AdapterOptionsOpt = None,
) -> None:
    """Draft an intent manifest per agent from what it actually did (like IAM Access Analyzer's policy generation).

    Example:

    ```
    intentwatch intents suggest demo-out/actions.jsonl --until 2026-01-12T00:00:00Z --out drafts
    intentwatch validate drafts
    ```

    Each draft allows the tools, operations, data domains and resources the agent used
    (generalised to PREFIX* only where several distinct values share the prefix), its hours
    with a margin, a per-minute rate limit above its busiest minutes, its last model and
    its credentials; in monitor mode, with owner and approver left for a human. Prints per
    agent how much of the history its draft covers and what it left out.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.suggest import DraftOptions, suggest_intents
    from intentwatch.pipeline.suggest.draft import left_out_text
    from intentwatch.pipeline.suggest.history import native_actions

    if not (history.is_file() or (input_format != "native" and history.is_dir())):
        fail(f"{history}: no such file (the history is read twice, so stdin will not do)")
    passes: list[object] = []  # the adapter of each pass (what it assumed, after the first)
    if input_format != "native":
        input_adapter(input_format, mapping, adapter_options)  # fails here on a bad format, mapping or option

    def read(d):  # a fresh adapter per pass: CloudTrail's de-duplication remembers what the first pass saw
        if input_format == "native":
            return native_actions(history, d)
        from intentwatch.pipeline.io.adapters import actions_from

        passes.append(input_adapter(input_format, mapping, adapter_options))
        return actions_from(passes[-1], history, d)

    def times_assumed() -> bool:  # a transcript with no time read on a clock from its file: no hours to learn
        from intentwatch.pipeline.io.adapters.transcript import ASSUMED_TIME

        return bool(passes) and ASSUMED_TIME in getattr(passes[0], "assumed", {})
    stop = None
    if until is not None:
        try:
            stop = datetime.fromisoformat(until.replace("Z", "+00:00"))
        except ValueError:
            fail(f"--until {until!r}: not an ISO 8601 time")
        stop = stop if stop.tzinfo else stop.replace(tzinfo=timezone.utc)
    try:
        ZoneInfo(timezone_)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"--timezone {timezone_!r}: unknown time zone (use an IANA name such as Europe/Berlin)")
    options = DraftOptions(timezone=timezone_, min_distinct=min_distinct, need_singleton=closed_sets)
    dead = DeadLetterFile(dead_letter)
    s = suggest_intents(read, out, options, until=stop, dead=dead, times_assumed=times_assumed)
    dead.close()
    if not quiet:
        t = Table(title=f"drafts -> {out}", header_style="bold")
        for col in ("agent", "actions", "days", "covered", "left out"):
            t.add_column(col, justify="left" if col in ("agent", "left out") else "right", overflow="fold")
        for d in s.drafts.values():
            thin = " [yellow](thin)[/yellow]" if d.thin(options) else ""
            t.add_row(d.agent_id + thin, f"{d.history.n:,}", str(d.active_days), f"{d.coverage:.2%}", left_out_text(d) or "-")
        stdout_console().print(t)
    n_thin = sum(d.thin(options) for d in s.drafts.values())
    err.print(f"{len(s.drafts)} draft(s) written to {out} from {sum(h.n for h in s.history.agents.values()):,} actions"
              + (f"; {s.history.after_until:,} at or after --until not used" if s.history.after_until else "")
              + (f"; {s.history.console:,} made in the AWS console (people, not agents) not used" if s.history.console else "")
              + (f"; {s.steered:,} steered by instructions in a tool result (intent.injected_target) not used" if s.steered else "")
              + (f"; {n_thin} from a thin history (fewer than {options.thin_actions} actions or {options.thin_days} active days)" if n_thin else "")
              + (f"; {dead.count} bad line(s) -> {dead_letter}" if dead.count else ""), highlight=False)

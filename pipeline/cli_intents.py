"""``intentwatch intents``: work with intent manifests; ``suggest`` drafts them from history (``pipeline/suggest``)."""

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

intents_app = typer.Typer(help="Work with intent manifests.", no_args_is_help=True)


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
    input_format: Annotated[str, typer.Option("--format", help="History format: native, otel-json, otel-proto, cloudtrail (a file or a folder), mapped (docs/inputs.md).")] = "native",
    mapping: Annotated[Optional[Path], typer.Option(help="Mapping file for --format mapped.", exists=True, dir_okay=False)] = None,
    adapter_options: Annotated[Optional[Path], typer.Option(help="YAML options of the input adapter (docs/inputs.md).", exists=True, dir_okay=False)] = None,
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

    from intentwatch.pipeline.cli import _adapter, _fail, _stdout, err
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.suggest import DraftOptions, suggest_intents
    from intentwatch.pipeline.suggest.draft import left_out_text
    from intentwatch.pipeline.suggest.history import native_actions

    if not (history.is_file() or (input_format != "native" and history.is_dir())):
        _fail(f"{history}: no such file (the history is read twice, so stdin will not do)")
    read = lambda d: native_actions(history, d)  # noqa: E731
    if input_format != "native":
        from intentwatch.pipeline.io.adapters import actions_from

        _adapter(input_format, mapping, adapter_options)  # fails here on a bad format, mapping or option
        # a fresh adapter per pass: CloudTrail's de-duplication remembers what the first pass saw
        read = lambda d: actions_from(_adapter(input_format, mapping, adapter_options), history, d)  # noqa: E731
    stop = None
    if until is not None:
        try:
            stop = datetime.fromisoformat(until.replace("Z", "+00:00"))
        except ValueError:
            _fail(f"--until {until!r}: not an ISO 8601 time")
        stop = stop if stop.tzinfo else stop.replace(tzinfo=timezone.utc)
    try:
        ZoneInfo(timezone_)
    except (ZoneInfoNotFoundError, ValueError):
        _fail(f"--timezone {timezone_!r}: unknown time zone (use an IANA name such as Europe/Berlin)")
    options = DraftOptions(timezone=timezone_, min_distinct=min_distinct, need_singleton=closed_sets)
    dead = DeadLetterFile(dead_letter)
    s = suggest_intents(read, out, options, until=stop, dead=dead)
    dead.close()
    if not quiet:
        t = Table(title=f"drafts -> {out}", header_style="bold")
        for col in ("agent", "actions", "days", "covered", "left out"):
            t.add_column(col, justify="left" if col in ("agent", "left out") else "right", overflow="fold")
        for d in s.drafts.values():
            thin = " [yellow](thin)[/yellow]" if d.thin(options) else ""
            t.add_row(d.agent_id + thin, f"{d.history.n:,}", str(d.active_days), f"{d.coverage:.2%}", left_out_text(d) or "-")
        _stdout().print(t)
    n_thin = sum(d.thin(options) for d in s.drafts.values())
    err.print(f"{len(s.drafts)} draft(s) written to {out} from {sum(h.n for h in s.history.agents.values()):,} actions"
              + (f"; {s.history.after_until:,} at or after --until not used" if s.history.after_until else "")
              + (f"; {n_thin} from a thin history (fewer than {options.thin_actions} actions or {options.thin_days} active days)" if n_thin else "")
              + (f"; {dead.count} bad line(s) -> {dead_letter}" if dead.count else ""), highlight=False)

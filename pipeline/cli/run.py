"""What an operator runs on files, no broker: ``replay``, ``validate``, ``schema``, and ``verdict``
(an analyst's judgement on an alert, as a feedback event for replay or the feedback topic)."""

import sys
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from intentwatch.models.alert import Alert
from intentwatch.models.errors import IntentwatchError
from intentwatch.pipeline.cli.common import FORMATS, ConfigOpt, err, fail, input_adapter, open_out


def replay(
    events: Annotated[str, typer.Argument(help="Actions as JSON lines: a file, a .gz file, or - for stdin.")],
    intents: Annotated[Optional[Path], typer.Option(help="Directory (or file) of intent manifests, YAML or JSON.")] = None,
    lifecycle: Annotated[Optional[Path], typer.Option(help="Lifecycle events (instantiate / update / decommission) as JSON lines.")] = None,
    feedback: Annotated[Optional[Path], typer.Option(help="Analysts' verdicts on alerts (false_positive / confirmed) as JSON lines.")] = None,
    alerts: Annotated[str, typer.Option(help="Where alerts go (JSON lines); - for stdout.")] = "-",
    alerts_format: Annotated[str, typer.Option(help="Alert format: native (alert.v1) or ocsf (OCSF 1.8.0 Detection Finding).")] = "native",
    commands: Annotated[str, typer.Option(help="Where revocation commands go (JSON lines); - for stdout.")] = "-",
    dead_letter: Annotated[Path, typer.Option(help="Where bad lines go, with line number, reason and raw text.")] = Path("dead-letter.jsonl"),
    config: ConfigOpt = None,
    strict: Annotated[bool, typer.Option(help="Exit 1 if any line was bad (the run still completes).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
    input_format: Annotated[str, typer.Option("--format", help="Input format: " + FORMATS + " (docs/inputs.md).")] = "native",
    mapping: Annotated[Optional[Path], typer.Option(help="Mapping file for --format mapped (e.g. deploy/mappings/mcp-gateway.yaml).", exists=True, dir_okay=False)] = None,
    adapter_options: Annotated[Optional[Path], typer.Option(help="YAML options of the input adapter (docs/inputs.md): tool operations, session folding...", exists=True, dir_okay=False)] = None,
    strict_fields: Annotated[bool, typer.Option(help="Dead-letter actions carrying field names outside the action contract (data_domian, credentialId...).")] = False,
    agent_store: Annotated[Optional[Path], typer.Option(help="With engine.max_agents_in_memory: keep evicted agents in this "
                                                            "SQLite scratch file (deleted at the end) instead of in memory.")] = None,
) -> None:
    """Replay historical actions through the engine, in-process, no broker.

    Example:

    ```
    intentwatch replay demo-out/actions.jsonl --intents demo-out/intents --lifecycle demo-out/lifecycle.jsonl --alerts alerts.jsonl --commands commands.jsonl
    ```

    Alerts as OCSF Detection Findings (for a SIEM or a security lake):

    ```
    intentwatch replay demo-out/actions.jsonl --intents demo-out/intents --alerts findings.jsonl --alerts-format ocsf
    ```

    Same input and configuration give the same output, byte for byte.
    """
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.models.lifecycle import Instantiate
    from intentwatch.pipeline.io.intents import iter_manifests
    from intentwatch.pipeline.io.trustfile import build_engine, trust_status
    from intentwatch.pipeline.io.formats import encoder
    from intentwatch.pipeline.hosts.replay import queue_lifecycle, read_feedback, read_lifecycle
    from intentwatch.pipeline.hosts.replay import replay as run_replay
    from intentwatch.pipeline.settings import load_settings

    store = None
    if agent_store is not None:
        from intentwatch.pipeline.io.agentstore import SqliteStore

        store = SqliteStore(agent_store)
    try:
        settings = load_settings(config)
        engine = build_engine(settings, store=store)
    except IntentwatchError as e:
        fail(str(e))
    if not quiet:
        err.print(trust_status(settings.trust), highlight=False)
    try:
        encode_alert = encoder(alerts_format, engine.rules)
    except ValueError as e:
        fail(str(e))
    lc_events: list = []
    queued = None
    if intents is not None:
        # Streamed: each manifest goes to the engine as it is read (which holds an agent that has not
        # acted yet as a compact record), not all of them at once. Nothing is written before the check.
        problems: list = []
        queued = queue_lifecycle(engine, (Instantiate.of_manifest(m) for m, _ in iter_manifests(intents, problems)))
        errors = [p for p in problems if p.severity == "error"]
        for p in errors:
            err.print(f"[red]{p}[/red]", highlight=False)
        if errors:
            fail(f"{len(errors)} manifest error(s) under {intents}; run `intentwatch validate {intents}`")
    dead = DeadLetterFile(dead_letter, settings.engine.dead_letter_raw_bytes)
    positions: dict = {}
    if lifecycle is not None:
        lc_events += read_lifecycle(lifecycle, dead, settings.engine.max_event_bytes, positions)
    if feedback is not None:
        lc_events += read_feedback(feedback, dead, settings.engine.max_event_bytes, positions)
    if events != "-" and not (Path(events).is_file() or (input_format != "native" and Path(events).is_dir())):
        fail(f"{events}: no such file" + (" (a folder is read with --format cloudtrail, otel-..., mapped)"
                                           if Path(events).is_dir() else ""))
    adapter = None
    if input_format != "native" or adapter_options is not None:
        adapter = input_adapter(input_format, mapping, adapter_options, events)
    with ExitStack() as stack:
        a_out = open_out(alerts, stack)
        c_out = a_out if commands == alerts else open_out(commands, stack)

        def emit(o) -> None:
            if isinstance(o, Alert):
                a_out.write(encode_alert(o) + b"\n")
            else:
                c_out.write(o.model_dump_json().encode() + b"\n")

        progress = _replay_progress(events, stack) if not quiet and err.is_terminal else None
        summary = run_replay(engine, events, lc_events, emit, dead, progress, positions=positions, adapter=adapter,
                             strict_fields=strict_fields, queued=queued)
    dead.close()
    if not quiet:
        _print_summary(summary, dead)
        _print_suppressions(engine.suppression_report())
        if adapter is None and summary.bad and not summary.actions and events != "-" and Path(events).is_file():
            from intentwatch.pipeline.io.adapters import sniff_format, sniff_mapping

            looks = sniff_format(events)
            if looks == "mapped":
                looks += f" --mapping deploy/mappings/{sniff_mapping(events)}"
            if looks is not None:
                err.print(f"[yellow]hint:[/yellow] no line was an action; {events} looks like {looks.split()[0]}: "
                          f"replay it with --format {looks}", highlight=False, soft_wrap=True)
    if store is not None:
        store.close()
    if strict and summary.bad:
        raise typer.Exit(1)


def _replay_progress(events: str, stack: ExitStack):
    """A progress bar on the terminal: lines, and bytes of the file against its size with an ETA
    (a .gz file by its compressed bytes; stdin or a folder: lines and time only)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from intentwatch.pipeline.hosts.replay import stored_size

    size = stored_size(events)
    columns = [SpinnerColumn(), TextColumn("{task.fields[lines]:,} lines"), TimeElapsedColumn()]
    if size is not None:
        columns[2:2] = [BarColumn(), DownloadColumn(), TextColumn("eta"), TimeRemainingColumn()]
    bar = stack.enter_context(Progress(*columns, console=err, transient=True))
    task = bar.add_task("replay", total=size, lines=0)
    return lambda lines, done: bar.update(task, completed=done or 0, lines=lines)


def _print_summary(s, dead) -> None:
    t = Table(title="replay summary", show_header=True, header_style="bold")
    t.add_column("what")
    t.add_column("count", justify="right")
    rate = s.actions / s.seconds if s.seconds else 0.0
    t.add_row("lines read", f"{s.lines:,}")
    t.add_row("actions", f"{s.actions:,}  ({rate:,.0f}/s)")
    t.add_row("lifecycle events", f"{s.lifecycle:,}")
    if s.feedback:
        t.add_row("feedback verdicts", f"{s.feedback:,}")
    t.add_row("bad lines (dead letters)", f"{s.bad:,}" + (f"  -> {dead.path}" if s.bad else ""))
    for kind, n in sorted(dead.kinds.items(), key=lambda kv: (-kv[1], kv[0])):
        source, reason = dead.examples[kind]
        t.add_row(f"  {kind}  e.g. {_clip(source, 1000)}: {_clip(reason, 90)}", f"{n:,}")
    if s.input_format != "native":
        t.add_row("input format", s.input_format)
        t.add_row("records skipped (not agent actions)", f"{s.skipped:,}")
        for kind, n in s.skipped_kinds.most_common(6):  # what they were: "digest file", "not gen_ai"...
            t.add_row(f"  {_clip(kind, 60)}", f"{n:,}")
        for kind, n in s.assumed.most_common():  # the adapter options say otherwise (--adapter-options)
            t.add_row(f"assumed  {_clip(kind, 90)}", f"{n:,}")
    if s.duplicates:  # delivered again (the same event_id with the same content): judged once
        t.add_row("duplicate records (counted once)", f"{s.duplicates:,}")
    if s.unknown_fields:
        from intentwatch.pipeline.io.adapters.unknown import UnknownFields

        u = UnknownFields()
        u.counts = s.unknown_fields
        t.add_row("actions with unknown fields", f"{s.unknown_actions:,}  ({u.summary(5)})")
    for rule, n in sorted(s.alerts.items()):
        t.add_row(f"alerts  {rule}", f"{n:,}")
    t.add_row("alerts  (all)", f"{sum(s.alerts.values()):,}  (+{s.final_updates:,} final counts)")
    for action, n in sorted(s.commands.items()):
        t.add_row(f"commands  {action}", f"{n:,}")
    if s.withheld:
        t.add_row("commands withheld by circuit breaker", f"{s.withheld:,}")
    if s.refused:
        t.add_row("control-plane changes refused (dead letters)", f"{s.refused:,}")
    learning = s.learning
    if learning.get("judged"):
        t.add_row("agents judged by the learned side", f"{learning['judged']:,}")
        t.add_row("  still in warm-up (no learned alerts yet)", f"{learning['warming']:,}  ({learning['never_warm']:,} never left it)")
    err.print(t)
    if learning.get("unregistered_unjudged"):
        err.print(f"[yellow]warning:[/yellow] {learning['unregistered_unjudged']:,} agent(s) acted with no manifest and the "
                  "learned side never judged them (engine.unregistered: shadow); set engine.unregistered to learn or both "
                  "to judge them by their own baseline", highlight=False, soft_wrap=True)


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, as literal text (a reason may hold [brackets])."""
    from rich.markup import escape

    return escape(text if len(text) <= width else text[: width - 3] + "...")


def _print_suppressions(report: list[dict]) -> None:
    """What each analyst's suppression hid: noise control never loses evidence."""
    if not report:
        return
    t = Table(title="suppressions (false-positive verdicts)", header_style="bold")
    for col in ("agent", "rule", "observed", "owner", "reason", "until", "hidden"):
        t.add_column(col, justify="right" if col == "hidden" else "left", overflow="fold")
    for r in report:
        until = datetime.fromtimestamp(r["end_ts"], timezone.utc).strftime("%Y-%m-%d")
        t.add_row(r["agent_id"], r["rule_id"], r["matches"], r["analyst"], r["reason"], until, f"{r['hidden']:,}")
    err.print(t)



def validate(
    path: Annotated[Path, typer.Argument(help="A manifest file or a directory of them (YAML or JSON).")],
    strict: Annotated[bool, typer.Option(help="Treat warnings (no owner, no expiry) as errors.")] = False,
    cache: Annotated[bool, typer.Option(help="Keep a large directory's parsed files in the user's manifest cache "
                                             "($XDG_CACHE_HOME/intentwatch; INTENTWATCH_MANIFEST_CACHE=off turns it off everywhere).")] = True,
) -> None:
    """Check intent manifests: every problem with its file, line, field and reason.

    Example:

    ```
    intentwatch validate deploy/examples/intents
    ```

    Exits 1 if any manifest has an error (or a warning, with --strict).
    """
    from intentwatch.pipeline.io.intents import check_manifests

    valid, problems = check_manifests(path, cache=cache)  # a large directory: a process per core
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        err.print(f"[{style}]{p}[/{style}]", highlight=False)
    n_err = sum(1 for p in problems if p.severity == "error")
    n_warn = len(problems) - n_err
    err.print(f"{valid} valid manifest(s), {n_err} error(s), {n_warn} warning(s)")
    if n_err or (strict and n_warn):
        raise typer.Exit(1)



def schema(
    out: Annotated[Optional[Path], typer.Option(help="Write every schema into this directory.")] = None,
    name: Annotated[Optional[str], typer.Argument(help="One contract to print: action, intent-manifest, lifecycle-event, alert, revocation-command.")] = None,
) -> None:
    """Export the JSON Schemas of the wire contracts.

    Example:

    ```
    intentwatch schema --out deploy/schemas      # all, as committed
    intentwatch schema alert                    # one, to stdout
    ```
    """
    from intentwatch.pipeline.io.schemas import CONTRACTS, render, write_all

    if out is not None:
        for p in write_all(out):
            err.print(f"wrote {p}")
        return
    if name is None or name not in CONTRACTS:
        fail(f"name one of: {', '.join(CONTRACTS)} (or use --out DIR)")
    sys.stdout.write(render(name))



def verdict(
    alert_id: Annotated[str, typer.Argument(help="The alert judged (its id, or a unique prefix of it).")],
    verdict: Annotated[str, typer.Argument(help="false_positive or confirmed.")],
    alerts: Annotated[Path, typer.Option(help="Alerts (JSON lines) holding the alert: its agent, rule and observed value.", exists=True, dir_okay=False)],
    analyst: Annotated[str, typer.Option(help="Who gives the verdict and owns the suppression.")],
    reason: Annotated[str, typer.Option(help="Why (kept with the suppression and shown on what it hides).")],
    observed: Annotated[Optional[str], typer.Option(help="Suppress only findings whose observed value matches this pattern (default: the alert's; '*' for the whole rule).")] = None,
    observed_range: Annotated[Optional[str], typer.Option("--range", help="Numeric findings: suppress observed values in LOW:HIGH (inclusive; an empty side is open, e.g. ':60').")] = None,
    factor: Annotated[float, typer.Option(min=1.0, envvar="INTENTWATCH_VERDICT_FACTOR", help="Numeric findings without --range or --observed: suppress values up to this factor of the alert's observed value.")] = 2.0,
    days: Annotated[float, typer.Option(help="How long a false-positive suppression lasts.")] = 30.0,
    at: Annotated[str, typer.Option(help="When it takes effect: now, or alert (the alert's first_seen: to replay history with it).")] = "now",
    send: Annotated[bool, typer.Option(help="Produce it to the feedback topic instead of printing it.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Record an analyst's verdict on an alert, as a feedback event (JSON line on stdout, or `--send` to Kafka).

    A false positive suppresses that pattern for that agent (for `--days`) and lets the
    baseline learn what the rule held back; confirmed keeps it out for good.

    Example:

    ```
    intentwatch verdict 3f9c2a false_positive --alerts alerts.jsonl --analyst ana@soc.example --reason "new egress range" --at alert >> verdicts.jsonl
    intentwatch replay actions.jsonl --intents intents --feedback verdicts.jsonl
    ```
    """
    import hashlib
    from datetime import timedelta

    from pydantic import ValidationError

    from intentwatch.models.feedback import Feedback
    from intentwatch.pipeline.lab.evaluate import load_jsonl

    found = {a["alert_id"]: a for a in load_jsonl(alerts) if a["alert_id"].startswith(alert_id)}
    if len(found) != 1:
        fail(f"{'no' if not found else len(found)} alert(s) in {alerts} with an id starting {alert_id!r}")
    a = next(iter(found.values()))
    if at not in ("now", "alert"):
        fail(f"--at must be now or alert, not {at!r}")
    now = datetime.now(timezone.utc) if at == "now" else datetime.fromisoformat(a["first_seen"].replace("Z", "+00:00"))
    if observed is not None and observed_range is not None:
        fail("give --observed (a pattern) or --range (numbers), not both")
    judged = a["evidence"].get("observed")
    pattern, low, high = observed, None, None
    if observed_range is not None:
        low, high = _parse_range(observed_range)
    elif observed is None and isinstance(judged, (int, float)) and not isinstance(judged, bool):
        high = judged * factor  # a numeric finding: the same or a bit more is the same false positive
    elif observed is None:
        pattern = judged
    try:
        fb = Feedback(feedback_id=hashlib.sha256(f"{a['alert_id']}\x1f{verdict}\x1f{now.isoformat()}".encode()).hexdigest()[:32],
                      agent_id=a["agent_id"], rule_id=a["rule_id"], alert_id=a["alert_id"], verdict=verdict,
                      observed=None if pattern in (None, "*") else str(pattern), observed_min=low, observed_max=high,
                      analyst=analyst, reason=reason, time=now, expires_at=now + timedelta(days=days))
    except ValidationError as e:
        from intentwatch.pipeline.io.codec import describe

        fail(describe(e))
    line = fb.model_dump_json().encode()
    if not send:
        sys.stdout.buffer.write(line + b"\n")
        return
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.io.feed import produce_lines
    from intentwatch.pipeline.settings import load_settings

    s = load_settings(config)
    r = produce_lines(s.kafka, s.topics.feedback, [("verdict", line)], DeadLetterFile(Path("produce-dead-letter.jsonl")))
    err.print(f"{s.topics.feedback}: {r.produced} verdict sent for {fb.agent_id} / {fb.rule_id}")


def _parse_range(text: str) -> tuple[float | None, float | None]:
    """``LOW:HIGH`` with either side empty (open) as two numbers."""
    low, sep, high = text.partition(":")
    if not sep or not (low.strip() or high.strip()):
        fail(f"--range {text!r}: give LOW:HIGH, LOW: or :HIGH")
    try:
        return (float(low) if low.strip() else None), (float(high) if high.strip() else None)
    except ValueError:
        fail(f"--range {text!r}: LOW and HIGH must be numbers")
    raise AssertionError  # fail exits

"""``intentwatch``: one entry point, a sub-command per job."""

import sys
from datetime import datetime, timezone
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from intentwatch.models.alert import Alert
from intentwatch.models.errors import IntentwatchError
from intentwatch.pipeline.console import console

app = typer.Typer(
    name="intentwatch",
    help="Govern AI agents as identities: hold each agent to its declared intent and publish drift alerts and revocations.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)
err = console(stderr=True)


def _stdout() -> Console:
    """The console for reports on stdout (piped or captured: plain lines, tables at full width)."""
    return console()


def version_line() -> str:
    """``intentwatch 0.1.0 (engine: compiled)``: the installed distribution and whether the
    per-event code runs as mypyc's C extensions or as plain Python (INTENTWATCH_PURE=1)."""
    from importlib.metadata import PackageNotFoundError, version

    import intentwatch.models.baseline.agent as baseline
    import intentwatch.pipeline.engine.engine as engine

    try:
        installed = version("intentwatch")
    except PackageNotFoundError:  # run from a source tree that was never installed
        installed = "unknown (not installed)"
    compiled = [str(m.__file__).endswith((".so", ".pyd")) for m in (engine, baseline)]
    kind = "compiled" if all(compiled) else "partly compiled" if any(compiled) else "plain Python"
    return f"intentwatch {installed} (engine: {kind})"


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(version_line() + "\n")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", help="Print the version and whether the engine is compiled, and exit.",
                                                callback=_version, is_eager=True)] = False) -> None:
    pass


ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML config file (response policy, baselines, rule overrides and params).", exists=True, dir_okay=False)]


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _open_out(path: str, stack: ExitStack) -> IO[bytes]:
    return sys.stdout.buffer if path == "-" else stack.enter_context(open(path, "wb"))


def _adapter(input_format: str, mapping: Path | None, adapter_options: Path | None, events: str = ""):
    """The input adapter a command was asked for (``--format``, ``--mapping``, ``--adapter-options``), or fail."""
    import yaml

    from intentwatch.pipeline.io.adapters import open_adapter

    if events == "-":
        _fail(f"--format {input_format} reads a file, not stdin")
    try:
        options = yaml.safe_load(adapter_options.read_text()) if adapter_options else None
        return open_adapter(input_format, mapping, options)
    except (IntentwatchError, ValueError, yaml.YAMLError) as e:
        _fail(str(e))


@app.command()
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
    input_format: Annotated[str, typer.Option("--format", help="Input format: native, otel-json, otel-proto, cloudtrail, mapped (docs/inputs.md).")] = "native",
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
    from intentwatch.pipeline.io.intents import load_manifests
    from intentwatch.pipeline.io.trustfile import build_engine, trust_status
    from intentwatch.pipeline.io.formats import encoder
    from intentwatch.pipeline.hosts.replay import manifest_instantiations, read_feedback, read_lifecycle
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
        _fail(str(e))
    if not quiet:
        err.print(trust_status(settings.trust), highlight=False)
    try:
        encode_alert = encoder(alerts_format, engine.rules)
    except ValueError as e:
        _fail(str(e))
    lc_events = []
    if intents is not None:
        loaded = load_manifests(intents)
        for p in loaded.errors:
            err.print(f"[red]{p}[/red]", highlight=False)
        if loaded.errors:
            _fail(f"{len(loaded.errors)} manifest error(s) under {intents}; run `intentwatch validate {intents}`")
        lc_events += manifest_instantiations(loaded.manifests)
    dead = DeadLetterFile(dead_letter, settings.engine.dead_letter_raw_bytes)
    positions: dict = {}
    if lifecycle is not None:
        lc_events += read_lifecycle(lifecycle, dead, settings.engine.max_event_bytes, positions)
    if feedback is not None:
        lc_events += read_feedback(feedback, dead, settings.engine.max_event_bytes, positions)
    if events != "-" and not (Path(events).is_file() or (input_format != "native" and Path(events).is_dir())):
        _fail(f"{events}: no such file" + (" (a folder is read with --format cloudtrail, otel-..., mapped)"
                                           if Path(events).is_dir() else ""))
    adapter = None
    if input_format != "native" or adapter_options is not None:
        adapter = _adapter(input_format, mapping, adapter_options, events)
    with ExitStack() as stack:
        a_out = _open_out(alerts, stack)
        c_out = a_out if commands == alerts else _open_out(commands, stack)

        def emit(o) -> None:
            if isinstance(o, Alert):
                a_out.write(encode_alert(o) + b"\n")
            else:
                c_out.write(o.model_dump_json().encode() + b"\n")

        progress = _replay_progress(events, stack) if not quiet and err.is_terminal else None
        summary = run_replay(engine, events, lc_events, emit, dead, progress, positions=positions, adapter=adapter,
                             strict_fields=strict_fields)
    dead.close()
    if not quiet:
        _print_summary(summary, dead)
        _print_suppressions(engine.suppression_report())
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
        if s.duplicates:
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


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="A manifest file or a directory of them (YAML or JSON).")],
    strict: Annotated[bool, typer.Option(help="Treat warnings (no owner, no expiry) as errors.")] = False,
) -> None:
    """Check intent manifests: every problem with its file, line, field and reason.

    Example:

    ```
    intentwatch validate deploy/examples/intents
    ```

    Exits 1 if any manifest has an error (or a warning, with --strict).
    """
    from intentwatch.pipeline.io.intents import load_manifests

    loaded = load_manifests(path)
    for p in loaded.problems:
        style = "red" if p.severity == "error" else "yellow"
        err.print(f"[{style}]{p}[/{style}]", highlight=False)
    n_err = len(loaded.errors)
    n_warn = len(loaded.problems) - n_err
    err.print(f"{len(loaded.manifests)} valid manifest(s), {n_err} error(s), {n_warn} warning(s)")
    if n_err or (strict and n_warn):
        raise typer.Exit(1)


@app.command()
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
        _fail(f"name one of: {', '.join(CONTRACTS)} (or use --out DIR)")
    sys.stdout.write(render(name))


@app.command()
def simulate(
    out: Annotated[Path, typer.Option(help="Output directory (intents/, actions.jsonl, lifecycle.jsonl, labels.jsonl).")] = Path("demo-out"),
    agents: Annotated[int, typer.Option(min=1, help="Number of agents in the fleet.")] = 200,
    days: Annotated[int, typer.Option(min=1, help="Days of activity.")] = 7,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same files.")] = 1,
    sign: Annotated[bool, typer.Option(help="Sign manifests and lifecycle events with DEVELOPMENT keys derived from the seed, and write "
                                            "trust.yaml and config-trust.yaml (trust.mode enforce) beside them.")] = False,
    output_format: Annotated[str, typer.Option("--format", help="Also write the actions as OTel GenAI spans: otel-json (spans.otlp.jsonl) or otel-proto (spans.otlp.pb); or the cloud calls as CloudTrail S3 files: cloudtrail (cloudtrail/AWSLogs/..., cloudtrail/cloudtrail.options.yaml).")] = "native",
) -> None:
    """Generate a realistic fleet of agents with labelled attack scenarios.

    Example:

    ```
    intentwatch simulate --agents 200 --days 7 --seed 1 --out demo-out
    ```
    """
    from intentwatch.pipeline.lab.simulate import simulate_fleet

    if output_format not in ("native", "otel-json", "otel-proto", "cloudtrail"):
        _fail(f"--format {output_format}: write native, otel-json, otel-proto or cloudtrail")
    with ExitStack() as stack:
        progress = None
        if err.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            bar = stack.enter_context(Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                               TimeRemainingColumn(), console=err, transient=True))
            tasks = {"agents": bar.add_task("agents built", total=agents), "actions": bar.add_task("actions written", total=None)}
            progress = lambda stage, done, total: bar.update(tasks[stage], completed=done, total=total)  # noqa: E731
        summary = simulate_fleet(agents=agents, days=days, seed=seed, out=out, progress=progress)
    notices = summary.pop("notices")
    for line in notices:  # scenarios that did not fit this fleet: dropped or shortened
        err.print(f"[yellow]note:[/yellow] {line}", highlight=False, soft_wrap=True)
    if notices:
        summary["scenarios dropped or shortened (see labels.jsonl)"] = len(notices)
    if sign:
        from intentwatch.pipeline.lab.simulate.signing import sign_fleet

        summary["signing (DEVELOPMENT keys)"] = sign_fleet(out, seed)
        err.print(f"signed with DEVELOPMENT keys derived from seed {seed} (anyone can recompute them); "
                  f"use --config {out / 'config-trust.yaml'}", highlight=False)
    if output_format == "cloudtrail":
        from intentwatch.pipeline.lab.simulate.cloudtrail import write_cloudtrail

        summary["CloudTrail records  cloudtrail/AWSLogs"] = write_cloudtrail(out / "actions.jsonl", out / "cloudtrail")
    elif output_format != "native":
        from intentwatch.pipeline.lab.simulate.spans import write_spans

        spans = out / ("spans.otlp.jsonl" if output_format == "otel-json" else "spans.otlp.pb")
        summary[f"OTLP requests  {spans.name}"] = write_spans(out / "actions.jsonl", spans, output_format[5:])
    t = Table(title=f"simulated fleet -> {out}")
    t.add_column("what")
    t.add_column("count", justify="right")
    for k, v in summary.items():
        if isinstance(v, dict):
            for k2, v2 in sorted(v.items()):
                t.add_row(f"{k}  {k2}", f"{v2:,}" if isinstance(v2, int) else str(v2))
        else:
            t.add_row(k, f"{v:,}" if isinstance(v, int) else str(v))
    err.print(t)


@app.command("simulate-agentic")
def simulate_agentic(
    out: Annotated[Path, typer.Option(help="Output directory (intents/, actions.jsonl, lifecycle.jsonl, labels.jsonl).")] = Path("agentic-out"),
    instances: Annotated[int, typer.Option(min=20, help="Ephemeral agent instances.")] = 2000,
    definitions: Annotated[int, typer.Option(min=1, help="Agent definitions the instances belong to.")] = 20,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same files.")] = 1,
) -> None:
    """Generate the agentic lab: ephemeral instances with tool arguments and results, cloud identities,
    dormant agents; each attack beside its benign look-alike (pipeline/lab/simulate/agentic.py).

    Example:

    ```
    intentwatch simulate-agentic --instances 2000 --seed 1 --out agentic-out
    ```
    """
    from intentwatch.pipeline.lab.simulate.agentic import simulate_agentic as run

    summary = run(instances, definitions, seed, out)
    t = Table(title=f"agentic lab -> {out}")
    t.add_column("what")
    t.add_column("count", justify="right")
    for k, v in summary.items():
        for k2, v2 in (sorted(v.items()) if isinstance(v, dict) else [("", v)]):
            t.add_row(f"{k}  {k2}".strip(), f"{v2:,}")
    err.print(t)


@app.command()
def evaluate(
    alerts: Annotated[list[str], typer.Option(help="Alerts from replay or the worker (JSON lines). Repeat as NAME=PATH to compare runs side by side.")],
    labels: Annotated[Path, typer.Option(help="labels.jsonl written by `intentwatch simulate`.", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    markdown: Annotated[bool, typer.Option(help="Print the report as a markdown table.")] = False,
    min_severity: Annotated[str, typer.Option(help="Count only alerts at or above this severity (high: what pages).")] = "low",
) -> None:
    """Score alerts against the simulator's labels: recall, precision, detection delay, false alerts.

    Example:

    ```
    intentwatch evaluate --alerts alerts.jsonl --labels demo-out/labels.jsonl
    ```

    Side by side, recall (median delay in actions) per kind and false alerts per 10,000 agent-hours:

    ```
    intentwatch evaluate --alerts intent=a1.jsonl --alerts learned=a2.jsonl --alerts both=a3.jsonl --labels labels.jsonl
    ```
    """
    import orjson

    from intentwatch.pipeline.lab.evaluate import compare, compare_markdown, load_jsonl
    from intentwatch.pipeline.lab.evaluate import evaluate as run_evaluate

    runs: dict[str, Path] = {}
    for spec in alerts:
        name, sep, path = spec.partition("=")
        name, path = (name, path) if sep else (Path(spec).stem, spec)
        if not Path(path).is_file():
            _fail(f"{path}: no such file")
        runs[name] = Path(path)
    labelled = list(load_jsonl(labels))
    if min_severity not in ("low", "medium", "high", "critical"):
        _fail(f"--min-severity: one of low, medium, high, critical, not {min_severity!r}")
    reports = {name: run_evaluate(load_jsonl(path), labelled, min_severity) for name, path in runs.items()}
    if len(reports) > 1:
        rows = compare(reports)
        if as_json:
            sys.stdout.write(orjson.dumps({n: r.to_dict() for n, r in reports.items()}, option=orjson.OPT_INDENT_2).decode() + "\n")
        elif markdown:
            sys.stdout.write(compare_markdown(rows) + "\n")
        else:
            t = Table(title="recall (median delay in actions) per configuration", header_style="bold")
            for i, col in enumerate(rows[0]):
                t.add_column(col, justify="left" if i == 0 else "right", no_wrap=True)
            for r in rows[1:]:
                t.add_row(*r)
            _stdout().print(t)
        return
    report = next(iter(reports.values()))
    if as_json:
        sys.stdout.write(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
    elif markdown:
        sys.stdout.write(report.markdown() + "\n")
    else:
        _stdout().print(report.table())


@app.command()
def tune(
    history: Annotated[Path, typer.Argument(help="Actions (JSON lines, .gz too), or a directory as `simulate` writes it (actions.jsonl, intents/, lifecycle.jsonl).")],
    config: Annotated[list[Path], typer.Option("--config", "-c", help="A configuration to replay under; give two or more (the first is the reference).", exists=True, dir_okay=False)],
    report: Annotated[Path, typer.Option(help="The HTML report to write (one static file, works offline).")] = Path("tune-report.html"),
    labels: Annotated[Optional[Path], typer.Option(help="labels.jsonl from `intentwatch simulate`: adds recall, precision and delay per kind.", exists=True, dir_okay=False)] = None,
    intents: Annotated[Optional[Path], typer.Option(help="Intent manifests (default: HISTORY/intents when HISTORY is a directory).")] = None,
    lifecycle: Annotated[Optional[Path], typer.Option(help="Lifecycle events (default: HISTORY/lifecycle.jsonl).")] = None,
    feedback: Annotated[Optional[Path], typer.Option(help="Analysts' verdicts (default: HISTORY/feedback.jsonl).")] = None,
    runs: Annotated[Optional[Path], typer.Option(help="Where each configuration's alerts, commands and dead letters go (default: <report>-runs/).")] = None,
    jobs: Annotated[Optional[int], typer.Option(min=1, help="Replays at once (default: one per configuration, up to the cores).")] = None,
) -> None:
    """Replay one history under several configurations and compare them in an HTML report.

    Example:

    ```
    intentwatch tune demo-out --config deploy/config/compare/intent-only.yaml --config deploy/config/compare/both.yaml --labels demo-out/labels.jsonl --report tune.html
    ```
    """
    from intentwatch.pipeline.lab.tune import History
    from intentwatch.pipeline.lab.tune import tune as run_tune

    data = run_tune(History.find(history, intents, lifecycle, feedback), config, report, labels, runs, jobs)
    for r in data["runs"]:
        err.print(f"{r['name']}: {r['alerts']:,} alerts ({r['summary']['actions']:,} actions in {r['summary']['seconds']}s) -> {r['alerts_path']}")
    err.print(f"wrote {report}")


from intentwatch.pipeline.cli_keys import keys_app  # noqa: E402 - the sub-app lives in its own module

app.add_typer(keys_app, name="keys")
from intentwatch.pipeline.cli_intents import intents_app  # noqa: E402 - the sub-app lives in its own module

app.add_typer(intents_app, name="intents")


# -- streaming ------------------------------------------------------------------------
topics_app = typer.Typer(help="Create and check the pipeline's Kafka topics.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")


@topics_app.command("create")
def topics_create(config: ConfigOpt = None) -> None:
    """Create agent.actions, agent.lifecycle (compacted), intentwatch.feedback, .alerts, .revocations, .dlq, .state and .credentials (compacted).

    Safe to re-run: existing topics are kept, and checked to share one partition count.

    Example:

    ```
    INTENTWATCH_TOPICS__PARTITIONS=16 intentwatch topics create
    ```
    """
    from intentwatch.pipeline.io.kafka import create_topics, wait_for_broker
    from intentwatch.pipeline.settings import load_settings

    s = load_settings(config)
    wait_for_broker(s.kafka, timeout=60)
    for name, status in create_topics(s.kafka, s.topics).items():
        err.print(f"{name}: {status}")


@app.command()
def worker(config: ConfigOpt = None) -> None:
    """Run one streaming worker: consume actions and lifecycle events, publish alerts and revocation commands.

    Start as many as you have partitions to spread; they share the consumer group. Give
    each a stable, unique instance name (it names the worker's transactional producer).

    Example:

    ```
    INTENTWATCH_WORKER__INSTANCE=w1 intentwatch worker --config deploy/config/intentwatch.yaml
    ```
    """
    from intentwatch.pipeline.io.kafka import wait_for_broker
    from intentwatch.pipeline.settings import load_settings
    from intentwatch.pipeline.hosts.worker import run_worker

    s = load_settings(config)
    err.print(f"effective config: {s.model_dump_json(exclude={'engine'})}", highlight=False, soft_wrap=True)  # secrets print masked
    wait_for_broker(s.kafka, timeout=60)
    run_worker(s)


@app.command()
def bridge(
    source: Annotated[str, typer.Option("--from", help="Topic of foreign telemetry (the Collector's Kafka exporter writes otlp_spans).")] = "otlp_spans",
    input_format: Annotated[str, typer.Option("--format", help="Its format: otel-proto (the exporter's otlp_proto), otel-json (otlp_json), cloudtrail, mapped.")] = "otel-proto",
    mapping: Annotated[Optional[Path], typer.Option(help="Mapping file for --format mapped.", exists=True, dir_okay=False)] = None,
    adapter_options: Annotated[Optional[Path], typer.Option(help="YAML options of the input adapter (docs/inputs.md).", exists=True, dir_okay=False)] = None,
    config: ConfigOpt = None,
) -> None:
    """Turn a topic of foreign telemetry into native actions on the actions topic, keyed by agent, for the workers.

    Example (the OpenTelemetry Collector's Kafka exporter, default topic and encoding):

    ```
    INTENTWATCH_WORKER__INSTANCE=b1 intentwatch bridge --from otlp_spans --format otel-proto
    ```
    """
    from intentwatch.pipeline.hosts.bridge import run_bridge
    from intentwatch.pipeline.io.kafka import wait_for_broker
    from intentwatch.pipeline.settings import load_settings

    try:
        s = load_settings(config)
    except IntentwatchError as e:
        _fail(str(e))
    adapter = _adapter(input_format, mapping, adapter_options)
    err.print(f"effective config: {s.model_dump_json(exclude={'engine'})}", highlight=False, soft_wrap=True)
    wait_for_broker(s.kafka, timeout=60)
    run_bridge(s, adapter, source)


@app.command()
def produce(
    file: Annotated[str, typer.Argument(help="JSON lines to send: a file, a .gz file, or - for stdin.")],
    topic: Annotated[Optional[str], typer.Option(help="Target topic (default: the actions topic).")] = None,
    intents: Annotated[Optional[Path], typer.Option(help="Also register these manifests: instantiate events to the lifecycle topic, first.")] = None,
    dead_letter: Annotated[Path, typer.Option(help="Lines that cannot be keyed go here.")] = Path("produce-dead-letter.jsonl"),
    config: ConfigOpt = None,
    input_format: Annotated[str, typer.Option("--format", help="Input format: native, otel-json, otel-proto, cloudtrail, mapped; a foreign file is produced as native actions (docs/inputs.md).")] = "native",
    mapping: Annotated[Optional[Path], typer.Option(help="Mapping file for --format mapped.", exists=True, dir_okay=False)] = None,
    adapter_options: Annotated[Optional[Path], typer.Option(help="YAML options of the input adapter (docs/inputs.md).", exists=True, dir_okay=False)] = None,
) -> None:
    """Send a JSON-lines file into Kafka, keyed by agent_id, timestamped with event time.

    Example:

    ```
    intentwatch produce demo-out/lifecycle.jsonl --topic agent.lifecycle --intents demo-out/intents
    intentwatch produce demo-out/actions.jsonl
    ```
    """
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.io.feed import file_lines, produce_lines
    from intentwatch.pipeline.io.intents import load_manifests
    from intentwatch.pipeline.hosts.replay import manifest_instantiations
    from intentwatch.pipeline.settings import load_settings

    s = load_settings(config)
    adapter = _adapter(input_format, mapping, adapter_options, file) if input_format != "native" else None
    dead = DeadLetterFile(dead_letter)
    if intents is not None:
        loaded = load_manifests(intents)
        if loaded.errors:
            _fail(f"{len(loaded.errors)} manifest error(s) under {intents}; run `intentwatch validate {intents}`")
        events = manifest_instantiations(loaded.manifests)
        lines = ((f"{intents}:{ev.agent_id}", ev.model_dump_json().encode()) for ev in events)
        r = produce_lines(s.kafka, s.topics.lifecycle, lines, dead)
        err.print(f"{s.topics.lifecycle}: {r.produced:,} manifests registered")
    lines = file_lines(file)
    if adapter is not None:
        from intentwatch.pipeline.io.feed import adapted_lines

        lines = adapted_lines(adapter, file, dead)
    started = __import__("time").perf_counter()
    r = produce_lines(s.kafka, topic or s.topics.actions, lines, dead)
    dead.close()
    secs = __import__("time").perf_counter() - started
    bad = dead.count
    err.print(f"{topic or s.topics.actions}: {r.produced:,} messages in {secs:.1f}s ({r.produced / max(secs, 1e-9):,.0f}/s); "
              f"{bad} bad line(s)" + (f" -> {dead_letter}" if bad else ""))


@app.command()
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
        _fail(f"{'no' if not found else len(found)} alert(s) in {alerts} with an id starting {alert_id!r}")
    a = next(iter(found.values()))
    if at not in ("now", "alert"):
        _fail(f"--at must be now or alert, not {at!r}")
    now = datetime.now(timezone.utc) if at == "now" else datetime.fromisoformat(a["first_seen"].replace("Z", "+00:00"))
    if observed is not None and observed_range is not None:
        _fail("give --observed (a pattern) or --range (numbers), not both")
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

        _fail(describe(e))
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
        _fail(f"--range {text!r}: give LOW:HIGH, LOW: or :HIGH")
    try:
        return (float(low) if low.strip() else None), (float(high) if high.strip() else None)
    except ValueError:
        _fail(f"--range {text!r}: LOW and HIGH must be numbers")
    raise AssertionError  # _fail exits


@app.command()
def tail(
    what: Annotated[str, typer.Argument(help="alerts, revocations or dlq")] = "alerts",
    since: Annotated[Optional[str], typer.Option(help="Start at this time (ISO 8601) instead of the end.")] = None,
    from_beginning: Annotated[bool, typer.Option(help="Start at the beginning of the topic.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print raw JSON, one per line.")] = False,
    format: Annotated[str, typer.Option("--format", help="Alerts as: text (one readable line each), native (alert.v1 JSON) or ocsf (OCSF Detection Finding JSON).")] = "text",
    max_records: Annotated[Optional[int], typer.Option("--max", help="Stop after this many.")] = None,
    idle: Annotated[Optional[float], typer.Option(help="Stop after this many seconds with nothing new.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Follow alerts (or revocation commands, or dead letters) as they arrive, one readable line each.

    Example:

    ```
    intentwatch tail alerts --since 2026-01-05T00:00:00Z
    intentwatch tail revocations --from-beginning --json --idle 5
    intentwatch tail alerts --format ocsf --from-beginning --idle 5 > findings.jsonl
    ```
    """
    from datetime import datetime

    from intentwatch.pipeline.io.kafka import read_topics
    from intentwatch.pipeline.settings import load_settings

    s = load_settings(config)
    topic = {"alerts": s.topics.alerts, "revocations": s.topics.revocations, "dlq": s.topics.dlq}.get(what)
    if topic is None:
        _fail("tail alerts, revocations or dlq")
    if format not in ("text", "native", "ocsf"):
        _fail(f"--format must be text, native or ocsf, not {format!r}")
    if format == "ocsf" and what != "alerts":
        _fail("--format ocsf applies to alerts only")
    to_ocsf = None
    if format == "ocsf":
        from intentwatch.pipeline.io.formats.ocsf import OcsfFormatter

        to_ocsf = OcsfFormatter().encode
    start: str | int = "beginning" if from_beginning else "end"
    if since is not None:
        start = int(datetime.fromisoformat(since).timestamp() * 1000)
    out = console(highlight=False)
    for rec in read_topics(s.kafka, [topic], start=start, idle_seconds=idle, max_records=max_records):
        if to_ocsf is not None:
            line = _tail_ocsf(to_ocsf, rec)
            if line is not None:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
        elif as_json or format == "native" or what == "dlq":
            sys.stdout.write((rec.value or b"").decode("utf-8", "replace") + "\n")
            sys.stdout.flush()
        else:
            out.print(_readable(what, rec.value or b"{}"), soft_wrap=True)


def _tail_ocsf(to_ocsf, rec) -> str | None:
    """An alert record from the topic as an OCSF finding; a record that is not a valid
    alert is named on stderr (topic[partition]@offset and why) and left out of stdout."""
    from pydantic import ValidationError

    from intentwatch.pipeline.io.codec import describe

    try:
        return to_ocsf(Alert.model_validate_json(rec.value or b"{}")).decode()
    except ValidationError as e:
        err.print(f"[yellow]{rec.topic}[{rec.partition}]@{rec.offset}: not an alert, skipped: {describe(e)}[/yellow]", highlight=False)
        return None


_SEV_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _readable(what: str, raw: bytes) -> str:
    import orjson

    d = orjson.loads(raw)
    if what == "revocations":
        return f"{d['issued_at']}  [bold]{d['action'].upper():<18}[/bold] {d['agent_id']:<24} creds={','.join(d['credential_ids']) or '-'}  {d['reason']}  ({d['command_id'][:12]})"
    sev = d["severity"]
    count = f" x{d['count']}" if d["count"] > 1 else ""
    return (f"{d['last_seen']}  [{_SEV_STYLE[sev]}]{sev.upper():<8}[/{_SEV_STYLE[sev]}] {d['rule_id']:<38} "
            f"{d['agent_id']:<24}{count}  {d['message']}  ({d['alert_id'][:12]})")


@app.command()
def broker(action: Annotated[str, typer.Argument(help="start, stop, status or reset")]) -> None:
    """Run a local single-node Apache Kafka 4.x broker from Maven Central jars (Java 17 and Maven needed).

    Example:

    ```
    intentwatch broker start     # KAFKA_PORT=9092 by default
    ```
    """
    import subprocess

    script = Path(__file__).resolve().parent.parent / "deploy" / "kafka" / "broker.sh"
    if not script.exists():
        _fail(f"{script} not found: run from a checkout of the repository")
    raise typer.Exit(subprocess.call(["bash", str(script), action]))


def main() -> None:
    try:
        app()
    except IntentwatchError as e:
        err.print(f"[red]error:[/red] {e}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()

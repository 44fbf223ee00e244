"""``intentwatch``: one entry point, a sub-command per job."""

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from models.alert import Alert
from models.errors import IntentwatchError

app = typer.Typer(
    name="intentwatch",
    help="Govern AI agents as identities: hold each agent to its declared intent and publish drift alerts and revocations.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)
err = Console(stderr=True)

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML config file (response policy, rule overrides).", exists=True, dir_okay=False)]


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _open_out(path: str, stack: ExitStack) -> IO[bytes]:
    return sys.stdout.buffer if path == "-" else stack.enter_context(open(path, "wb"))


@app.command()
def replay(
    events: Annotated[str, typer.Argument(help="Actions as JSON lines: a file, a .gz file, or - for stdin.")],
    intents: Annotated[Optional[Path], typer.Option(help="Directory (or file) of intent manifests, YAML or JSON.")] = None,
    lifecycle: Annotated[Optional[Path], typer.Option(help="Lifecycle events (instantiate / update / decommission) as JSON lines.")] = None,
    alerts: Annotated[str, typer.Option(help="Where alerts go (JSON lines); - for stdout.")] = "-",
    commands: Annotated[str, typer.Option(help="Where revocation commands go (JSON lines); - for stdout.")] = "-",
    dead_letter: Annotated[Path, typer.Option(help="Where bad lines go, with line number, reason and raw text.")] = Path("dead-letter.jsonl"),
    config: ConfigOpt = None,
    strict: Annotated[bool, typer.Option(help="Exit 1 if any line was bad (the run still completes).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
) -> None:
    """Replay historical actions through the engine, in-process, no broker.

    Example:

        intentwatch replay demo-out/actions.jsonl --intents demo-out/intents --lifecycle demo-out/lifecycle.jsonl --alerts alerts.jsonl --commands commands.jsonl

    Same input and configuration give the same output, byte for byte.
    """
    from pipeline.deadletter import DeadLetterFile
    from pipeline.engine import Engine
    from pipeline.intents import load_manifests
    from pipeline.replay import manifest_instantiations, read_lifecycle
    from pipeline.replay import replay as run_replay
    from pipeline.settings import load_settings

    try:
        settings = load_settings(config)
        engine = Engine(settings.engine)
    except IntentwatchError as e:
        _fail(str(e))
    lc_events = []
    if intents is not None:
        loaded = load_manifests(intents)
        for p in loaded.errors:
            err.print(f"[red]{p}[/red]", highlight=False)
        if loaded.errors:
            _fail(f"{len(loaded.errors)} manifest error(s) under {intents}; run `intentwatch validate {intents}`")
        lc_events += manifest_instantiations(loaded.manifests)
    dead = DeadLetterFile(dead_letter)
    if lifecycle is not None:
        lc_events += read_lifecycle(lifecycle, dead, settings.engine.max_event_bytes)
    if events != "-" and not Path(events).is_file():
        _fail(f"{events}: no such file")
    with ExitStack() as stack:
        a_out = _open_out(alerts, stack)
        c_out = a_out if commands == alerts else _open_out(commands, stack)

        def emit(o) -> None:
            (a_out if isinstance(o, Alert) else c_out).write(o.model_dump_json().encode() + b"\n")

        progress = None
        if not quiet and err.is_terminal:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            bar = stack.enter_context(Progress(SpinnerColumn(), TextColumn("{task.completed:,} lines"), TimeElapsedColumn(), console=err, transient=True))
            task = bar.add_task("replay", total=None)
            progress = lambda n: bar.update(task, completed=n)  # noqa: E731
        summary = run_replay(engine, events, lc_events, emit, dead, progress)
    dead.close()
    if not quiet:
        _print_summary(summary, dead)
    if strict and summary.bad:
        raise typer.Exit(1)


def _print_summary(s, dead) -> None:
    t = Table(title="replay summary", show_header=True, header_style="bold")
    t.add_column("what")
    t.add_column("count", justify="right")
    rate = s.actions / s.seconds if s.seconds else 0.0
    t.add_row("lines read", f"{s.lines:,}")
    t.add_row("actions", f"{s.actions:,}  ({rate:,.0f}/s)")
    t.add_row("lifecycle events", f"{s.lifecycle:,}")
    t.add_row("bad lines (dead letters)", f"{s.bad:,}" + (f"  -> {dead.path}" if s.bad else ""))
    for rule, n in sorted(s.alerts.items()):
        t.add_row(f"alerts  {rule}", f"{n:,}")
    t.add_row("alerts  (all)", f"{sum(s.alerts.values()):,}  (+{s.final_updates:,} final counts)")
    for action, n in sorted(s.commands.items()):
        t.add_row(f"commands  {action}", f"{n:,}")
    if s.withheld:
        t.add_row("commands withheld by circuit breaker", f"{s.withheld:,}")
    err.print(t)


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="A manifest file or a directory of them (YAML or JSON).")],
    strict: Annotated[bool, typer.Option(help="Treat warnings (no owner, no expiry) as errors.")] = False,
) -> None:
    """Check intent manifests: every problem with its file, line, field and reason.

    Example:

        intentwatch validate deploy/examples/intents

    Exits 1 if any manifest has an error (or a warning, with --strict).
    """
    from pipeline.intents import load_manifests

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

        intentwatch schema --out deploy/schemas      # all, as committed
        intentwatch schema alert                    # one, to stdout
    """
    from pipeline.schemas import CONTRACTS, render, write_all

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
) -> None:
    """Generate a realistic fleet of agents with labelled attack scenarios.

    Example:

        intentwatch simulate --agents 200 --days 7 --seed 1 --out demo-out
    """
    from pipeline.simulate import simulate_fleet

    summary = simulate_fleet(agents=agents, days=days, seed=seed, out=out)
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


@app.command()
def evaluate(
    alerts: Annotated[Path, typer.Option(help="Alerts from replay or the worker (JSON lines).", exists=True, dir_okay=False)],
    labels: Annotated[Path, typer.Option(help="labels.jsonl written by `intentwatch simulate`.", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    markdown: Annotated[bool, typer.Option(help="Print the report as a markdown table.")] = False,
) -> None:
    """Score alerts against the simulator's labels: recall, precision, detection delay, false alerts.

    Example:

        intentwatch evaluate --alerts alerts.jsonl --labels demo-out/labels.jsonl
    """
    import orjson

    from pipeline.evaluate import evaluate as run_evaluate
    from pipeline.evaluate import load_jsonl

    report = run_evaluate(load_jsonl(alerts), load_jsonl(labels))
    if as_json:
        sys.stdout.write(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
    elif markdown:
        sys.stdout.write(report.markdown() + "\n")
    else:
        Console().print(report.table())


def main() -> None:
    try:
        app()
    except IntentwatchError as e:
        err.print(f"[red]error:[/red] {e}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()

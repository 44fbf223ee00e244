"""The simulator and evaluation: ``simulate``, ``simulate-agentic``, ``evaluate``, ``tune``."""

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from intentwatch.pipeline.cli.common import err, fail, stdout_console


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
        fail(f"--format {output_format}: write native, otel-json, otel-proto or cloudtrail")
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
            fail(f"{path}: no such file")
        runs[name] = Path(path)
    labelled = list(load_jsonl(labels))
    if min_severity not in ("low", "medium", "high", "critical"):
        fail(f"--min-severity: one of low, medium, high, critical, not {min_severity!r}")
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
            stdout_console().print(t)
        return
    report = next(iter(reports.values()))
    if as_json:
        sys.stdout.write(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
    elif markdown:
        sys.stdout.write(report.markdown() + "\n")
    else:
        stdout_console().print(report.table())



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

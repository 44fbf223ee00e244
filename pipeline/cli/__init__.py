"""``intentwatch``: one entry point, a sub-command per job.

The commands live in modules by what a user does with them: ``run`` (files, no broker),
``lab`` (the simulator and evaluation), ``manifests`` (intents and keys), ``kafka`` (the
streaming side). They are registered here, in the order ``--help`` lists them.
"""

import sys
from typing import Annotated

import typer

from intentwatch.models.errors import IntentwatchError
from intentwatch.pipeline.cli import kafka, lab, manifests, run
from intentwatch.pipeline.cli.common import err

app = typer.Typer(
    name="intentwatch",
    help="Govern AI agents as identities: hold each agent to its declared intent and publish drift alerts and revocations.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)


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


for command in (run.replay, run.validate, run.schema, lab.simulate):
    app.command()(command)
app.command("simulate-agentic")(lab.simulate_agentic)
for command in (lab.evaluate, lab.tune, kafka.worker, kafka.bridge, kafka.produce, run.verdict, kafka.tail, kafka.broker):
    app.command()(command)
app.add_typer(manifests.keys_app, name="keys")
app.add_typer(manifests.intents_app, name="intents")
app.add_typer(kafka.topics_app, name="topics")


def main() -> None:
    try:
        app()
    except IntentwatchError as e:
        err.print(f"[red]error:[/red] {e}", highlight=False)
        sys.exit(2)

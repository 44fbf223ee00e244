"""What the commands share: the stderr console, failing with a message, output files, the input adapter."""

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Optional

import typer
from rich.console import Console

from intentwatch.models.errors import IntentwatchError
from intentwatch.pipeline.io import INPUT_FORMATS
from intentwatch.pipeline.console import console

err = console(stderr=True)


def stdout_console() -> Console:
    """The console for reports on stdout (piped or captured: plain lines, tables at full width)."""
    return console()


ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="YAML config file (response policy, baselines, rule overrides and params).", exists=True, dir_okay=False)]

FORMATS = ", ".join(INPUT_FORMATS)  # for the commands' --format help

# A foreign input's mapping and adapter options, as the commands that read one take them.
MappingOpt = Annotated[Optional[Path], typer.Option(help="Mapping file for --format mapped.", exists=True, dir_okay=False)]
AdapterOptionsOpt = Annotated[Optional[Path], typer.Option(help="YAML options of the input adapter (docs/inputs.md).", exists=True, dir_okay=False)]


def fail(message: str, code: int = 2, soft_wrap: bool = False) -> None:
    """Print ``error: message`` on stderr and exit with ``code`` (2: the command was misused)."""
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=soft_wrap)
    raise typer.Exit(code)


def open_out(path: str, stack: ExitStack) -> IO[bytes]:
    return sys.stdout.buffer if path == "-" else stack.enter_context(open(path, "wb"))


def input_adapter(input_format: str, mapping: Path | None, adapter_options: Path | None, events: str = ""):
    """The input adapter a command was asked for (``--format``, ``--mapping``, ``--adapter-options``), or fail."""
    import yaml

    from intentwatch.pipeline.io.adapters import open_adapter

    if events == "-":
        fail(f"--format {input_format} reads a file, not stdin")
    try:
        options = yaml.safe_load(adapter_options.read_text()) if adapter_options else None
        return open_adapter(input_format, mapping, options)
    except (IntentwatchError, ValueError, yaml.YAMLError) as e:
        fail(str(e))

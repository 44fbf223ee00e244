"""What a user sees from the CLI: help examples one per line, plain unwrapped lines when the
output is not a terminal (CI logs, pipes), the version line."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
import typer.rich_utils
from typer.testing import CliRunner

from intentwatch.pipeline.cli import app

runner = CliRunner()


def commands(group=None, path=()):
    """(argv path, click command) of every sub-command of the CLI."""
    group = group or typer.main.get_command(app)
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from commands(cmd, (*path, name))
        else:
            yield (*path, name), cmd


def examples(help_text: str) -> list[str]:
    """The example command lines of a docstring (lines that run intentwatch)."""
    return [line.strip() for line in help_text.splitlines() if re.match(r"\s*(\w+=\S+ )?intentwatch ", line)]


def test_every_command_with_examples_is_walked():
    walked = {" ".join(p): examples(cmd.help or "") for p, cmd in commands()}
    assert {"produce", "schema", "tail", "simulate", "replay", "keys create", "intents suggest"} <= {k for k, v in walked.items() if v}
    assert len(walked["produce"]) == len(walked["schema"]) == 2 and len(walked["tail"]) >= 2


@pytest.mark.parametrize("path", [p for p, cmd in commands() if examples(cmd.help or "")], ids=" ".join)
def test_help_shows_each_example_on_its_own_line(path, monkeypatch):
    """Issue 13: typer's markdown help re-flowed the indented examples into one paragraph,
    so `produce --help` showed two commands run into one line."""
    cmd = dict(commands())[path]
    wanted = examples(cmd.help)
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 400)  # wide enough that no example wraps
    res = runner.invoke(app, [*path, "--help"])
    assert res.exit_code == 0, res.output
    shown = [line.strip() for line in res.output.splitlines()]
    for example in wanted:
        assert example in shown, f"{' '.join(path)} --help: {example!r} is not a line of its own:\n{res.output}"
    # at the default 80 columns a long example wraps, but never shares a line with the next one
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", None)
    res = runner.invoke(app, [*path, "--help"])
    for line in res.output.splitlines():
        assert len(re.findall(r"(?:^|\s)intentwatch \w", line)) <= 1, line


def test_piped_stderr_gets_whole_file_line_messages(tmp_path):
    """Issue 13: piped (CI logs), stderr was wrapped at 80 columns, splitting `file:line: ...`."""
    deep = tmp_path.joinpath(*["a-rather-long-directory-name-for-a-team"] * 4)
    deep.mkdir(parents=True)
    (deep / "bad.yaml").write_text("agent_id: a1\nowner: x@y.example\npurpose: p\nallowed:\n  tools: [t]\n  operatons: [read]\n")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR", "TERMINAL_WIDTH")}
    res = subprocess.run([sys.executable, "-m", "intentwatch.pipeline.cli", "validate", str(tmp_path)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 1, res.stderr
    lines = res.stderr.splitlines()
    want = f"{deep / 'bad.yaml'}:6: error: allowed.operatons: Extra inputs are not permitted"
    assert len(want) > 160 and lines[0] == want, res.stderr
    assert "\x1b[" not in res.stderr  # no colour codes in a log


def test_piped_tables_do_not_fold_ids(tmp_path):
    """A replay summary piped: a long dead-letter example stays on its table row."""
    events = tmp_path / ("x" * 120 + ".jsonl")
    events.write_bytes(b"not json\n")
    res = subprocess.run([sys.executable, "-m", "intentwatch.pipeline.cli", "replay", str(events), "--alerts",
                          str(tmp_path / "a.jsonl"), "--commands", str(tmp_path / "c.jsonl"), "--dead-letter",
                          str(tmp_path / "dl.jsonl")], capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in os.environ.items() if k != "COLUMNS"})
    assert res.returncode == 0, res.stderr
    row = [line for line in res.stderr.splitlines() if "invalid_json" in line]
    assert len(row) == 1 and row[0].rstrip().endswith("│") and "x" * 60 in row[0], res.stderr


def test_version_names_the_distribution_and_the_engine_build():
    from importlib.metadata import version

    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0, res.output
    kind = "plain Python" if os.environ.get("INTENTWATCH_PURE") == "1" else "compiled"
    assert res.stdout == f"intentwatch {version('intentwatch')} (engine: {kind})\n"

"""The manifest validator names file, line, field and reason for each problem, and reports all of them."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intentwatch.pipeline.cli import app
from intentwatch.pipeline.io.intents import load_manifests

GOOD = """\
agent_id: support-1
owner: alice@example.com
purpose: answer tickets
allowed:
  tools: [zendesk.*]
  operations: [read, write]
schedule: {timezone: Europe/Berlin, days: [mon, tue], hours: "08:00-18:00"}
expires_at: 2026-12-31T00:00:00Z
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    "change, field, reason, line",
    [
        (("allowed:", "alowed:"), "alowed", "Extra inputs are not permitted", 4),
        (("purpose: answer tickets\n", ""), "purpose", "Field required", 1),
        (("Europe/Berlin", "Mars/Olympus"), "schedule.timezone", "unknown time zone", 7),
        (('"08:00-18:00"', '"8-18"'), "schedule.hours", "hours must look like", 7),
        (("[read, write]", "[read, fly]"), "allowed.operations.1", "Input should be", 6),
        (("expires_at: 2026-12-31T00:00:00Z", "expires_at: 2026-12-31T00:00:00Z\nttl: P1D"), "", "not both", 1),
        (("expires_at: 2026-12-31T00:00:00Z", "expires_at: tomorrow"), "expires_at", "Input should be a valid datetime", 8),
        (("days: [mon, tue]", "days: [monday]"), "schedule.days.0", "Input should be", 7),
    ],
)
def test_each_error_names_file_line_field_reason(tmp_path, change, field, reason, line):
    p = write(tmp_path, "m.yaml", GOOD.replace(*change))
    errors = load_manifests(tmp_path).errors
    assert len(errors) == 1, errors
    e = errors[0]
    assert e.source == f"{p}:{line}" and e.field == field and reason in e.reason


def test_all_problems_reported_not_only_first(tmp_path):
    write(tmp_path, "a.yaml", GOOD.replace("allowed:", "alowed:"))
    write(tmp_path, "b.yaml", GOOD.replace("support-1", "support-2").replace("Europe/Berlin", "Nowhere"))
    write(tmp_path, "c.yaml", "agent_id: [unclosed\n")
    write(tmp_path, "d.yaml", "- just\n- a list\n")
    res = load_manifests(tmp_path)
    assert [Path(p.source.split(":")[0]).name for p in res.errors] == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]
    assert "invalid YAML" in res.errors[2].reason and "must be a mapping" in res.errors[3].reason


def test_multi_document_yaml_and_json_and_duplicates(tmp_path):
    second = GOOD.replace("support-1", "support-2").replace("allowed:", "alowed:")
    p = write(tmp_path, "many.yaml", GOOD + "---\n" + second)
    doc = {"agent_id": "support-1", "purpose": "dup", "owner": "x"}
    write(tmp_path, "z.json", json.dumps(doc, indent=1))
    res = load_manifests(tmp_path)
    assert [m.agent_id for m, _ in res.manifests] == ["support-1"]
    assert [(e.source, e.field) for e in res.errors][0] == (f"{p}:13", "alowed")
    assert "duplicate agent_id" in res.errors[1].reason


def test_warnings_do_not_fail_unless_strict(tmp_path):
    write(tmp_path, "m.yaml", GOOD.replace("owner: alice@example.com\n", ""))
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(tmp_path)])
    assert ok.exit_code == 0 and "no owner" in ok.output
    strict = runner.invoke(app, ["validate", str(tmp_path), "--strict"])
    assert strict.exit_code == 1


def test_cli_exits_nonzero_and_names_the_problem(tmp_path):
    p = write(tmp_path, "m.yaml", GOOD.replace("Europe/Berlin", "Mars/Olympus"))
    res = CliRunner().invoke(app, ["validate", str(tmp_path)])
    assert res.exit_code == 1
    assert f"{p}:7" in res.output and "schedule.timezone" in res.output


def test_shipped_examples_are_valid():
    res = load_manifests(Path(__file__).resolve().parents[2] / "deploy" / "examples" / "intents")
    assert res.problems == [] and len(res.manifests) == 3

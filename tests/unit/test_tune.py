"""``intentwatch tune``: the same history under two configurations, one static HTML report.

A small simulated fleet is replayed once per module under intent-only and both (in two
processes). The report's numbers are held to independent counts of the alert files it keeps,
its detection table to ``intentwatch evaluate --json`` on the same files, and the page itself
is opened in headless Chromium, which must show the tables and the plots.
"""

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.cli import app
from intentwatch.pipeline.lab.evaluate import dedupe, load_jsonl
from intentwatch.pipeline.lab.simulate import simulate_fleet
from intentwatch.pipeline.lab.tune import History, run_names, tune

ROOT = Path(__file__).resolve().parents[2]
COMPARE = ROOT / "deploy" / "config" / "compare"
CONFIGS = [COMPARE / "intent-only.yaml", COMPARE / "both.yaml"]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tune-fleet")
    simulate_fleet(agents=30, days=3, seed=3, out=out)
    return out


@pytest.fixture(scope="module")
def labelled(fleet, tmp_path_factory):
    report = tmp_path_factory.mktemp("tune-report") / "report.html"
    res = CliRunner().invoke(app, ["tune", str(fleet), "--config", str(CONFIGS[0]), "--config", str(CONFIGS[1]),
                                   "--labels", str(fleet / "labels.jsonl"), "--report", str(report)])
    assert res.exit_code == 0, res.output
    return report, embedded(report)


def embedded(report: Path) -> dict:
    html = report.read_text()
    m = re.search(r'<script type="application/json" id="tune-data">(.*?)</script>', html, re.S)
    assert m, "the report embeds its data"
    return json.loads(m.group(1).replace("<\\/", "</"))


class Cells(HTMLParser):
    """The text of every cell of the table with ``id``, row by row."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.rows, self._cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth == 1 and tag == "tr":
            self.rows.append([])
        elif self.depth == 1 and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth == 1 and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join(self._cell.split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None and self.depth == 1:
            self._cell += data


def table(html: str, table_id: str) -> list[list[str]]:
    p = Cells(table_id)
    p.feed(html)
    assert p.rows, f"no table #{table_id}"
    return p.rows


def test_counts_per_rule_and_the_differences_match_the_alert_files(labelled):
    report, data = labelled
    names = [r["name"] for r in data["runs"]]
    assert names == ["intent-only", "both"]
    kept = {r["name"]: dedupe(load_jsonl(r["alerts_path"]))[0] for r in data["runs"]}
    for n in names:
        assert {row["rule"]: row["counts"][n] for row in data["by_rule"] if row["counts"][n]} == \
            dict(Counter(a["rule_id"] for a in kept[n]))
    a_ids, b_ids = ({a["alert_id"] for a in kept[n]} for n in names)
    [diff] = data["diffs"]
    assert (diff["n_added"], diff["n_removed"], diff["n_same"]) == (len(b_ids - a_ids), len(a_ids - b_ids), len(a_ids & b_ids))
    assert diff["n_added"] > 0, "the learned rules should add alerts on this fleet"
    assert sum(g["count"] for g in diff["added"]) == diff["n_added"]
    for g in diff["added"]:
        assert all(e["rule_id"] == g["rule"] and e["alert_id"] in b_ids - a_ids for e in g["examples"])
    # the rules table on the page says the same
    rows = table(report.read_text(), "rules-table")
    shown = {r[0]: (int(r[2].replace(",", "")), int(r[3].replace(",", ""))) for r in rows[1:]}
    assert shown == {row["rule"]: (row["counts"]["intent-only"], row["counts"]["both"]) for row in data["by_rule"]}


def test_detection_numbers_equal_evaluate_json(labelled, fleet):
    report, data = labelled
    html = report.read_text()
    rows = {r[0]: r for r in table(html, "evaluation-table")[1:]}
    for i, run in enumerate(data["runs"]):
        res = CliRunner().invoke(app, ["evaluate", "--alerts", run["alerts_path"], "--labels", str(fleet / "labels.jsonl"), "--json"])
        assert res.exit_code == 0, res.output
        expected = json.loads(res.stdout)
        assert data["evaluation"][run["name"]] == expected
        for k in [*expected["kinds"], *expected["groups"], expected["overall"]]:  # and the page shows them
            recall, precision = rows[k["kind"]][2 + 3 * i: 4 + 3 * i]
            assert recall == ("-" if k["recall"] is None else f"{k['recall']:.2f}")
            assert precision == ("-" if k["precision"] is None else f"{k['precision']:.2f}")


def test_noisiest_agents_and_volume_match_the_alerts(labelled):
    _report, data = labelled
    kept = {r["name"]: dedupe(load_jsonl(r["alerts_path"]))[0] for r in data["runs"]}
    for n, alerts in kept.items():
        per_agent = Counter(a["agent_id"] for a in alerts)
        assert all(row["counts"][n] == per_agent[row["agent_id"]] for row in data["noisiest"])
        assert sum(c for _t, c in data["volume"][n]) == len(alerts)
    totals = [sum(row["counts"].values()) for row in data["noisiest"]]
    assert totals == sorted(totals, reverse=True)
    assert data["actions"] == sum(r["summary"]["actions"] for r in data["runs"]) / 2


def test_unlabelled_history_gets_everything_but_detection(fleet, tmp_path):
    """Real history has no labels: an actions file with its manifests, no labels.jsonl."""
    report = tmp_path / "plain.html"
    data = tune(History(fleet / "actions.jsonl", fleet / "intents", fleet / "lifecycle.jsonl"), CONFIGS, report, jobs=1)
    html = report.read_text()
    assert data["evaluation"] is None and 'id="evaluation"' not in html
    for section in ("summary", "rules", "diff", "volume", "noisiest", "timelines"):
        assert f'<section id="{section}">' in html
    assert html.count("<svg") == 3
    # offline: nothing is fetched (XML namespace names in the SVGs are names, not requests)
    assert not re.search(r'(src|href|url)\s*[=(]\s*["\']?(https?:)?//', html) and "<link" not in html


def test_bad_requests_fail_with_a_reason(fleet, tmp_path):
    with pytest.raises(ConfigError, match="at least twice"):
        tune(History(fleet / "actions.jsonl"), CONFIGS[:1], tmp_path / "r.html")
    with pytest.raises(ConfigError, match="no actions.jsonl"):
        History.find(tmp_path)
    with pytest.raises(ConfigError, match="no such file"):
        History.find(tmp_path / "missing.jsonl")
    assert run_names([Path("a/both.yaml"), Path("b/both.yaml"), Path("x.yaml")]) == ["both", "both-2", "x"]


def test_the_report_renders_in_headless_chromium(labelled, tmp_path):
    """A real browser lays the page out: tables with their rows, three plots drawn as SVG, and a
    screenshot that is not blank."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    report, data = labelled
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = dom.stdout
    assert len(table(page, "rules-table")) == len(data["by_rule"]) + 1
    assert len(table(page, "noisiest-table")) == len(data["noisiest"]) + 1
    assert len(table(page, "evaluation-table")) > 5
    assert page.count("<svg") == 3 and page.count("<path") > 50
    shot = tmp_path / "shot.png"
    r = subprocess.run([chromium, *flags, "--hide-scrollbars", "--window-size=1200,2000", f"--screenshot={shot}",
                        report.as_uri()], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and shot.stat().st_size > 50_000, r.stderr[-2000:]

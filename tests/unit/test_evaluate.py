"""Evaluation against labels: exact recall, precision, delays and false-alert rates."""

import gzip

import orjson
import pytest
import zstandard
from rich.console import Console

from intentwatch.models.errors import InputError
from intentwatch.pipeline.lab.evaluate import KIND_GROUP, dedupe, evaluate, load_jsonl

ONSET = "2026-01-06T12:00:00Z"


def label(agent, kind, onset=None, seq=None, start="2026-01-05T00:00:00Z", end="2026-01-06T00:00:00Z"):
    return {"agent_id": agent, "kind": kind, "onset": onset, "onset_seq": seq, "onset_event_id": None,
            "start": start, "end": end, "archetype": "support", "detail": {}}


def alert(alert_id, agent, first_seen, seq=None, severity="high", status="open", rule="intent.tool_not_allowed", count=1):
    return {"alert_id": alert_id, "agent_id": agent, "rule_id": rule, "severity": severity, "status": status,
            "first_seen": first_seen, "last_seen": first_seen, "count": count, "evidence": {"action_seq": seq}}


@pytest.fixture
def report_inputs():
    labels = [
        label("a1", "scope_creep", ONSET, 99),
        label("a2", "scope_creep", ONSET, 9),
        label("a3", "scope_creep", ONSET, 0),
        label("b1", "gradual_drift", ONSET, 50),
        label("n1", "normal"),                                                # 24 h
        label("n2", "noisy_normal", end="2026-01-07T00:00:00Z"),              # 48 h
        label("u1", "normal_update", "2026-01-05T12:00:00Z", 30),             # 24 h
    ]
    alerts = [
        alert("x1", "a1", "2026-01-06T12:00:30Z", 103),
        alert("x2", "a1", "2026-01-06T12:00:10Z", 101, rule="intent.data_domain_not_allowed"),
        alert("x1", "a1", "2026-01-06T12:00:30Z", 103, status="final", count=5),   # same alert, final count
        alert("x3", "a1", "2026-01-06T11:00:00Z", 60),                            # before the onset: false
        alert("x4", "a2", "2026-01-06T08:00:00Z", 5),                             # a2 only alerted before onset
        alert("x5", "a3", "2026-01-06T12:01:40+00:00", 21),
        alert("y1", "b1", ONSET, 51, rule="behaviour.novel_tool"),               # caught on the onset action
        alert("z1", "n1", "2026-01-05T09:00:00Z", 3),
        alert("z2", "n1", "2026-01-05T10:00:00Z", 4, severity="info"),            # ignored
        alert("z3", "u1", "2026-01-05T11:00:00Z", 20),                            # before the update
        alert("z4", "u1", "2026-01-05T12:00:00Z", 31),                            # at the update
        alert("q1", "ghost", "2026-01-05T12:00:00Z", 1),                          # not in the labels
    ]
    return alerts, labels


@pytest.fixture
def report(report_inputs):
    alerts, labels = report_inputs
    return evaluate(alerts, labels)


def test_dedupe_keeps_last_publication_and_drops_info():
    kept, info = dedupe([alert("x", "a", ONSET), alert("i", "a", ONSET, severity="info"),
                         alert("x", "a", ONSET, status="final", count=4)])
    assert [(a["alert_id"], a["status"], a["count"]) for a in kept] == [("x", "final", 4)]
    assert info == 1


def test_attack_kind_recall_precision_delays(report):
    rows = {r.kind: r for r in report.kinds}
    sc = rows["scope_creep"]
    assert (sc.instances, sc.detected, sc.alerts, sc.true_alerts) == (3, 2, 5, 3)
    assert sc.recall == pytest.approx(2 / 3) and sc.precision == pytest.approx(0.6)
    assert sc.missed == ["a2"]
    # a1: first alert at or after onset is x2 (10 s, seq 101 -> 101 - 100 = 1); a3: 100 s, 21 - 1 = 20
    assert sorted(sc.delay_seconds) == [10.0, 100.0] and sorted(sc.delay_actions) == [1, 20]
    d = sc.to_dict()
    assert d["delay_actions"] == {"median": 10.5, "p95": pytest.approx(19.05)}
    assert d["delay_seconds"] == {"median": 55.0, "p95": pytest.approx(95.5)}
    gd = rows["gradual_drift"]
    assert (gd.recall, gd.precision, gd.delay_actions, gd.delay_seconds) == (1.0, 1.0, [0], [0.0])


def test_groups_and_overall(report):
    groups = {g.group: g for g in report.groups()}
    assert groups["intent-visible"].instances == 3 and groups["behavioural"].instances == 1
    overall = report.overall()
    assert (overall.instances, overall.detected, overall.alerts, overall.true_alerts) == (4, 3, 6, 4)
    assert overall.recall == pytest.approx(0.75) and overall.precision == pytest.approx(4 / 6)
    assert KIND_GROUP["scope_creep"] == "intent-visible" and KIND_GROUP["boiling_frog"] == "behavioural"


def test_false_alerts_per_1000_agent_hours(report):
    rows = {r.kind: r for r in report.normals}
    assert (rows["normal"].alerts, rows["normal"].agent_hours) == (1, 24.0)
    assert rows["normal"].per_1000h == pytest.approx(1000 / 24)
    assert (rows["noisy_normal"].alerts, rows["noisy_normal"].agent_hours, rows["noisy_normal"].per_1000h) == (0, 48.0, 0.0)
    upd = rows["normal_update"]
    assert (upd.alerts, upd.alerts_on_updates) == (2, 1)
    assert upd.per_1000h == pytest.approx(2000 / 24)
    total = report.normal_overall()
    assert (total.alerts, total.agent_hours) == (3, 96.0) and total.per_1000h == pytest.approx(31.25)
    assert (report.alerts, report.info_ignored, report.unlabelled_alerts) == (10, 1, 1)


def test_by_rule_counts(report):
    assert report.by_rule["intent.data_domain_not_allowed"] == {"true": 1, "false": 0}
    assert report.by_rule["intent.tool_not_allowed"] == {"true": 2, "false": 5}
    assert report.by_rule["behaviour.novel_tool"] == {"true": 1, "false": 0}


def test_renderings(report):
    d = orjson.loads(orjson.dumps(report.to_dict()))
    assert d["overall"]["recall"] == 0.75 and d["normal_overall"]["false_alerts_per_1000_agent_hours"] == 31.25
    md = report.markdown()
    assert "| intent-visible | scope_creep | 3 | 2 | 0.67 | 0.60 | 10.5 / 19.1 | 55 / 95.5 |" in md
    assert "| normal_update | 1 | 24 | 2 | 83.33 | 1 |" in md
    console = Console(record=True, width=160)
    console.print(report.table())
    text = console.export_text()
    assert "scope_creep" in text and "all attacks" in text and "83.33" in text


def test_cli_table_piped_keeps_every_figure_whole(tmp_path, report_inputs):
    """Piped into a CI log or a file, the table is not cut to 80 columns with ellipses."""
    from typer.testing import CliRunner

    from intentwatch.pipeline.cli import app

    alerts, labels = report_inputs
    # a long kind name, caught days and many actions late: the widest cells of a real run
    labels = [*labels, label("v1", "volume_exfiltration", ONSET, 1_000)]
    alerts = [*alerts, alert("v9", "v1", "2026-01-11T07:23:47Z", 123_456)]
    (tmp_path / "alerts.jsonl").write_bytes(b"".join(orjson.dumps(a) + b"\n" for a in alerts))
    (tmp_path / "labels.jsonl").write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in labels))
    r = CliRunner().invoke(app, ["evaluate", "--alerts", str(tmp_path / "alerts.jsonl"), "--labels",
                                 str(tmp_path / "labels.jsonl")], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert "10.5 / 19.1" in r.output and "122455 / 122455" in r.output and "415427 / 415427" in r.output
    assert "\u2026" not in r.output


def test_undetectable_and_empty_inputs():
    r = evaluate([], [label("a", "zombie", None, None), label("n", "normal")])
    z = r.kinds[0]
    assert (z.instances, z.detected, z.recall, z.precision) == (1, 0, 0.0, None)
    assert z.to_dict()["delay_seconds"] == {"median": None, "p95": None}
    assert r.normals[0].per_1000h == 0.0


def test_load_jsonl_plain_and_gzip(tmp_path):
    rows = [{"a": 1}, {"b": [2]}]
    data = b"\n".join(orjson.dumps(r) for r in rows) + b"\n\n"
    (tmp_path / "x.jsonl").write_bytes(data)
    (tmp_path / "x.jsonl.gz").write_bytes(gzip.compress(data))
    assert list(load_jsonl(tmp_path / "x.jsonl")) == rows
    assert list(load_jsonl(tmp_path / "x.jsonl.gz")) == rows
    # zstd, and gzip whatever the name (logrotate's compressed alerts), known by their first bytes
    (tmp_path / "alerts.1").write_bytes(gzip.compress(data))
    (tmp_path / "x.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    assert list(load_jsonl(tmp_path / "alerts.1")) == list(load_jsonl(tmp_path / "x.jsonl.zst")) == rows
    # a broken file names where: before, orjson's bare error (or gzip's EOFError) and a traceback
    packed = gzip.compress(data * 500)
    (tmp_path / "cut.gz").write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputError, match=r"cut.gz:\d+: truncated gzip"):
        list(load_jsonl(tmp_path / "cut.gz"))
    with pytest.raises(InputError, match="alert record 1: no alert_id"):  # (before: KeyError and a traceback)
        dedupe(load_jsonl(tmp_path / "x.jsonl"))
    (tmp_path / "bad.jsonl").write_bytes(data + b'{"c": \n')
    with pytest.raises(InputError, match=r"bad.jsonl:4: not JSON"):
        list(load_jsonl(tmp_path / "bad.jsonl"))

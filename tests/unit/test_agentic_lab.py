"""The agentic lab end to end: simulate, replay, evaluate; each attack against its benign look-alike."""

from pathlib import Path

from typer.testing import CliRunner

from intentwatch.pipeline.cli import app
from intentwatch.pipeline.lab.evaluate import evaluate, load_jsonl
from intentwatch.pipeline.lab.simulate.agentic import simulate_agentic


def test_same_seed_same_files(tmp_path: Path):
    simulate_agentic(40, 5, 3, tmp_path / "a")
    simulate_agentic(40, 5, 3, tmp_path / "b")
    for f in ("actions.jsonl", "lifecycle.jsonl", "labels.jsonl", "intents/agentic-000.yaml"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_attacks_page_and_look_alikes_do_not(tmp_path: Path):
    out = tmp_path / "lab"
    summary = simulate_agentic(300, 10, 5, out)
    assert summary["kinds"]["injection_hijack"] >= 5 and summary["kinds"]["dormant"] >= 4
    r = CliRunner().invoke(app, ["replay", str(out / "actions.jsonl"), "--intents", str(out / "intents"), "--lifecycle",
                                 str(out / "lifecycle.jsonl"), "--alerts", str(out / "alerts.jsonl"), "--commands",
                                 str(out / "commands.jsonl"), "--dead-letter", str(out / "dl.jsonl"), "--quiet"])
    assert r.exit_code == 0, r.output
    labels = list(load_jsonl(out / "labels.jsonl"))
    paging = evaluate(load_jsonl(out / "alerts.jsonl"), labels, min_severity="high")
    rows = {k.kind: k for k in paging.kinds}
    for kind in ("injection_hijack", "cloud_defence_evasion", "stolen_instance_credentials", "secrets_burst"):
        assert rows[kind].recall == 1.0, (kind, rows[kind].missed)
    normals = {n.kind: n for n in paging.normals}
    assert normals["normal_instance"].alerts == 0 and normals["exploratory_reads"].alerts == 0
    assert summary["kinds"]["tool_poisoning"] == summary["kinds"]["offered_tools"] == 10 and normals["offered_tools"].alerts == 0
    assert 0 < rows["tool_poisoning"].recall < 1.0  # a plain-notice template stays low (README: the agentic lab)
    assert normals["app_secret_reads"].alerts == 0 and normals["weekend_idle"].alerts == 0
    # words in the reply: the attacked replies page; a clean reply, an injection ignored or warned about do not
    assert summary["kinds"]["injection_reply"] == 10 and summary["kinds"]["reply_look_alike"] == 30
    assert rows["injection_reply"].recall == 1.0 and normals["reply_look_alike"].alerts == 0
    visible = {k.kind: k for k in evaluate(load_jsonl(out / "alerts.jsonl"), labels).kinds}
    assert visible["dormant"].recall == 1.0  # medium: visible, not paging
    assert visible["tool_poisoning"].recall == 1.0  # every planted target found, at low at least

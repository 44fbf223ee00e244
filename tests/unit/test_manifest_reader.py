"""The fast manifest reader (ryaml) reads exactly what the reference reader (PyYAML) reads,
and hands everything else to it."""

from pathlib import Path

import pytest

from intentwatch.pipeline.io import fast_reader, intents
from intentwatch.pipeline.io.intents import load_manifests
from intentwatch.pipeline.lab.simulate import simulate_fleet

BASE = "owner: a@example.com\npurpose: p\nallowed:\n  tools: [crm.lookup]\nttl: PT1H\n"
TRICKY = {
    "plain.yaml": "agent_id: plain\n" + BASE,
    "leading-comment.yaml": "# drafted by hand\n\n---\nagent_id: commented\n" + BASE,
    "yaml11-word.yaml": "agent_id: off\n" + BASE,                        # YAML 1.1: a boolean
    "sexagesimal.yaml": "agent_id: '7'\n" + BASE + "task: 1:30\n",      # YAML 1.1: 90
    "tagged.yaml": "agent_id: !!python/object/apply:os.system ['true']\n" + BASE,
    "duplicate.yaml": "agent_id: dup\n" + BASE + "allowed:\n  tools: ['*']\n",
    "two-docs.yaml": "agent_id: first\n" + BASE + "---\nagent_id: second\n" + BASE,
    "invalid.yaml": "agent_id: bad\n" + BASE.replace("PT1H", "-PT1H"),
    "broken.yaml": "agent_id: [unclosed\n" + BASE,
    "quoted-date.yaml": "agent_id: dated\n" + BASE + "issued_at: 2026-03-02T08:00:00Z\n",
    "bang-in-text.yaml": "agent_id: excited\n" + BASE.replace("purpose: p", "purpose: 'Ship it!'"),
    "merge.yaml": "agent_id: merged\nbase: &b {tools: [crm.lookup]}\nowner: a\npurpose: p\nallowed:\n  <<: *b\n",
    "json.json": '{"agent_id": "json", "purpose": "p", "owner": "o", "ttl": "PT1H", "allowed": {"tools": ["x"]}}',
}


def _both(path: Path, monkeypatch) -> tuple:
    fast = load_manifests(path)
    with monkeypatch.context() as m:
        m.setattr(fast_reader, "fast_json", lambda text: None)
        reference = load_manifests(path)
    return fast, reference


def test_tricky_files_read_the_same_as_pyyaml_reads_them(tmp_path, monkeypatch):
    for name, text in TRICKY.items():
        (tmp_path / name).write_text(text)
    fast, reference = _both(tmp_path, monkeypatch)
    assert fast.manifests == reference.manifests
    assert [str(p) for p in fast.problems] == [str(p) for p in reference.problems]
    # The cases are live: each problem case is reported with its file and line.
    reasons = "\n".join(map(str, fast.problems))
    for needle in ("duplicate.yaml:7: error: allowed: duplicate key", "tagged.yaml:1: error:", "invalid.yaml:",
                   "broken.yaml:", "yaml11-word.yaml:1: error: agent_id", "sexagesimal.yaml:7: error: task"):
        assert needle in reasons
    assert {m.agent_id for m, _ in fast.manifests} >= {"plain", "commented", "first", "second", "dated", "excited", "json"}
    assert dict((m.agent_id, src.rsplit("/", 1)[1]) for m, src in fast.manifests)["commented"] == "leading-comment.yaml:4"


def _fast_manifest(text: str):
    doc = fast_reader.fast_json(text)
    return None if doc is None else intents._validated(doc)


def test_fast_reader_takes_plain_manifests_and_declines_the_rest():
    assert _fast_manifest(TRICKY["plain.yaml"]) is not None
    assert _fast_manifest(TRICKY["quoted-date.yaml"]) is not None
    for name in ("yaml11-word.yaml", "sexagesimal.yaml", "tagged.yaml", "duplicate.yaml", "two-docs.yaml",
                 "invalid.yaml", "broken.yaml", "bang-in-text.yaml", "merge.yaml"):
        assert _fast_manifest(TRICKY[name]) is None, name


@pytest.mark.parametrize("agents", [40])
def test_simulated_fleet_manifests_equal_under_both_readers(tmp_path, monkeypatch, agents):
    simulate_fleet(agents=agents, days=1, seed=3, out=tmp_path)
    taken = []
    real = fast_reader.fast_json
    monkeypatch.setattr(fast_reader, "fast_json", lambda text: taken.append(m := real(text)) or m)
    fast, reference = _both(tmp_path / "intents", monkeypatch)
    # Most simulated manifests go the fast way (the comparison means something), all read the same.
    assert sum(m is not None for m in taken) >= 0.75 * len(fast.manifests) >= 0.75 * (agents - 2)
    assert fast.manifests == reference.manifests
    assert [str(p) for p in fast.problems] == [str(p) for p in reference.problems]


def test_a_process_per_core_reports_what_one_process_does(tmp_path, monkeypatch):
    """``validate`` reads a large directory with a process pool: the same count and the same
    problems in the same order (duplicates across files, warnings, errors with their lines)."""
    for name, text in TRICKY.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "nested" / "deeper" / "again.yaml").write_text("agent_id: plain\n" + BASE)  # a duplicate
    (tmp_path / "nested" / "no-owner.yml").write_text("agent_id: orphan\npurpose: p\n")
    (tmp_path / "nested-b.yaml").write_text("agent_id: nb\n" + BASE)  # sorts after nested/: parts, not strings
    (tmp_path / "notes.txt").write_text("not a manifest")
    one = intents.check_manifests(tmp_path, jobs=1)
    monkeypatch.setattr(intents, "PARALLEL_FILES", 2)
    pooled = intents.check_manifests(tmp_path, jobs=2)
    assert one[0] >= 9 and any("duplicate agent_id 'plain'" in str(p) for p in one[1])
    assert [str(p) for p in pooled[1]] == [str(p) for p in one[1]] and pooled[0] == one[0]
    loaded = load_manifests(tmp_path)
    assert (len(loaded.manifests), [str(p) for p in loaded.problems]) == (one[0], [str(p) for p in one[1]])
    assert [str(f.relative_to(tmp_path)) for f in intents.manifest_files(tmp_path)] == \
        [str(p.relative_to(tmp_path)) for p in sorted(q for q in tmp_path.rglob("*") if q.is_file() and q.suffix in intents.SUFFIXES)]

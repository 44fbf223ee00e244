"""The manifest cache serves what parsing would give, or nothing: an edited file is parsed again,
a pack cut short, corrupted or written by another reader is ignored whole, and a pool of
processes reads what one process reads."""

import multiprocessing
import os
from pathlib import Path

import pytest

from intentwatch.pipeline.io import fast_reader, intents
from intentwatch.pipeline.io.intents import load_manifests
from intentwatch.pipeline.io.manifest_cache import ManifestCache

PLAIN = "agent_id: a-{n}\nowner: team@example.com\npurpose: Answer ticket {n}\nallowed:\n  tools: [crm.lookup]\nttl: PT1H\n"
AWKWARD = {  # each left to PyYAML, so never cached
    "z-word.yaml": "agent_id: off\npurpose: p\n",                         # YAML 1.1 boolean: an error
    "z-two.yaml": "agent_id: two-a\npurpose: p\n---\nagent_id: two-b\npurpose: p\n",
    "z-intkey.yaml": "agent_id: ik\npurpose: p\nallowed:\n  per_tool:\n    1: {operations: [read]}\n",
}


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    d = tmp_path / "intents"
    d.mkdir()
    for n in range(30):
        (d / f"a-{n:02d}.yaml").write_text(PLAIN.format(n=n))
    for name, text in AWKWARD.items():
        (d / name).write_text(text)
    (d / "z-dup.yaml").write_text("agent_id: a-3\npurpose: p\n")  # cached; a duplicate of a-03.yaml's id
    return d


def _text(loaded) -> tuple:
    return [(m.model_dump_json(), src) for m, src in loaded.manifests], [str(p) for p in loaded.problems]


def _counting(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = fast_reader.fast_json
    monkeypatch.setattr(fast_reader, "fast_json", lambda text: calls.append(text) or real(text))
    return calls


def test_a_second_load_parses_only_what_it_could_not_keep(fleet, tmp_path, monkeypatch):
    cache = ManifestCache(tmp_path / "cache", b"reader")
    (tmp_path / "cache").mkdir()
    reference = load_manifests(fleet, cache=False)
    first = load_manifests(fleet, cache=cache)
    calls = _counting(monkeypatch)
    second = load_manifests(fleet, cache=cache)
    assert _text(first) == _text(second) == _text(reference)
    assert second.manifests == reference.manifests and len(reference.manifests) == 32
    assert any("duplicate agent_id 'a-3'" in str(p) for p in second.problems)
    assert any("z-intkey.yaml:5: error: allowed.per_tool.1" in str(p) for p in second.problems)
    assert len(calls) == len(AWKWARD)  # the 31 plain files came from the pack

    (fleet / "a-07.yaml").write_text(PLAIN.format(n=7).replace("Answer", "Close"))  # edited: a new hash
    calls.clear()
    third = load_manifests(fleet, cache=cache)
    assert dict((m.agent_id, m.purpose) for m, _ in third.manifests)["a-7"] == "Close ticket 7"
    assert len(calls) == len(AWKWARD) + 1


def _pack(cache_dir: Path) -> Path:
    (pack,) = cache_dir.glob("*.pack")
    return pack


@pytest.mark.parametrize("damage", ["flip", "truncate", "other-reader"])
def test_a_damaged_pack_is_never_read(fleet, tmp_path, monkeypatch, damage):
    (tmp_path / "cache").mkdir()
    cache = ManifestCache(tmp_path / "cache", b"reader")
    reference = load_manifests(fleet, cache=False)
    load_manifests(fleet, cache=cache)
    pack = _pack(tmp_path / "cache")
    data = pack.read_bytes()
    assert data.count(b"Answer ticket 12") == 1
    if damage == "flip":  # a valid manifest, but not the file's: only the pack's digest can tell
        pack.write_bytes(data.replace(b"Answer ticket 12", b"Answer ticket 13"))
    elif damage == "truncate":
        pack.write_bytes(data[: len(data) // 2])
    else:
        cache = ManifestCache(tmp_path / "cache", b"another reader")
    calls = _counting(monkeypatch)
    again = load_manifests(fleet, cache=cache)
    assert _text(again) == _text(reference)
    assert len(calls) == 31 + len(AWKWARD)  # all parsed again
    calls.clear()
    assert _text(load_manifests(fleet, cache=cache)) == _text(reference)  # and the pack written afresh
    assert len(calls) == len(AWKWARD)


def test_a_pool_reads_what_one_process_reads(fleet, tmp_path, monkeypatch):
    for n in range(30, 600):  # many chunks, so an order lost on the way back would show
        (fleet / f"b-{n:03d}.yaml").write_text(PLAIN.format(n=n))
    (tmp_path / "cache").mkdir()
    cache = ManifestCache(tmp_path / "cache", b"reader")
    one = load_manifests(fleet, jobs=1, cache=False)
    monkeypatch.setattr(intents, "PARALLEL_FILES", 2)
    pooled = load_manifests(fleet, jobs=2, cache=cache)  # all parsed by the pool
    (fleet / "a-07.yaml").write_text(PLAIN.format(n=7) + "task: t\n")
    (fleet / "a-08.yaml").write_text(PLAIN.format(n=8) + "task: t\n")
    warm = load_manifests(fleet, jobs=2, cache=cache)  # two misses, parsed by the pool
    assert _text(pooled) == _text(one) and pooled.manifests == one.manifests
    assert [m.task for m, _ in warm.manifests if m.agent_id in ("a-7", "a-8")] == ["t", "t"]
    assert [str(p) for p in warm.problems] == [str(p) for p in one.problems]


def _load_in_child(fleet: Path, root: Path) -> None:
    load_manifests(fleet, cache=ManifestCache(root, b"reader"))


def test_concurrent_runs_leave_one_whole_pack(fleet, tmp_path, monkeypatch):
    (tmp_path / "cache").mkdir()
    ctx = multiprocessing.get_context("fork")
    runs = [ctx.Process(target=_load_in_child, args=(fleet, tmp_path / "cache")) for _ in range(4)]
    for r in runs:
        r.start()
    for r in runs:
        r.join(60)
    assert [r.exitcode for r in runs] == [0, 0, 0, 0]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [_pack(tmp_path / "cache").name]  # no temporary left
    calls = _counting(monkeypatch)
    load_manifests(fleet, cache=ManifestCache(tmp_path / "cache", b"reader"))
    assert len(calls) == len(AWKWARD)


def test_packs_unused_for_a_month_are_deleted_when_another_is_written(fleet, tmp_path):
    root = tmp_path / "cache"
    root.mkdir()
    cache = ManifestCache(root, b"reader")
    month = 31 * 86400
    for name in ("gone.pack", "killed.tmp", "recent.pack"):
        (root / name).write_bytes(b"x")
    for name in ("gone.pack", "killed.tmp"):
        os.utime(root / name, (os.path.getmtime(root / name) - month,) * 2)
    load_manifests(fleet, cache=cache)
    pack = _pack_named(root)
    os.utime(pack, (os.path.getmtime(pack) - month,) * 2)
    load_manifests(fleet, cache=cache)  # read: touched, so kept
    assert sorted(p.name for p in root.iterdir()) == sorted([pack.name, "recent.pack"])
    assert os.path.getmtime(pack) > os.path.getmtime(root / "recent.pack") - 60


def _pack_named(root: Path) -> Path:
    return next(p for p in root.glob("*.pack") if p.name != "recent.pack")


def test_the_user_cache_only_in_a_folder_nobody_else_may_write(tmp_path, monkeypatch):
    root = tmp_path / "c"
    monkeypatch.setenv("INTENTWATCH_MANIFEST_CACHE", str(root))
    assert ManifestCache.default() is not None and root.stat().st_mode & 0o777 == 0o700
    os.chmod(root, 0o777)
    assert ManifestCache.default() is None
    monkeypatch.setenv("INTENTWATCH_MANIFEST_CACHE", "off")
    assert ManifestCache.default() is None


def test_what_json_cannot_hold_is_left_to_pyyaml():
    assert fast_reader.fast_json(AWKWARD["z-intkey.yaml"]) is None  # a key that is no string
    assert fast_reader.fast_json("agent_id: x\npurpose: p\nrate_limit: {max_actions: 1, per_seconds: .inf}\n") is None
    assert fast_reader.fast_json(PLAIN.format(n=1)) is not None

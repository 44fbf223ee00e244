"""Replay end to end through the CLI: bad lines set aside with reasons, nothing valid lost, byte-identical reruns."""

import base64
import gzip
import hashlib
from datetime import timedelta
from pathlib import Path

import orjson
import zstandard
from typer.testing import CliRunner

from intentwatch.pipeline.cli import app
from tests.factories import action, manifest

runner = CliRunner()


def setup_fleet(tmp_path: Path) -> tuple[Path, Path, list]:
    intents = tmp_path / "intents"
    intents.mkdir()
    m = manifest(rate_limit=None)
    (intents / "support-1.json").write_text(m.model_dump_json())
    acts = [action(at=timedelta(minutes=i), tool="shell.exec" if i % 3 == 0 else "zendesk.get_ticket") for i in range(12)]
    return intents, tmp_path / "actions.jsonl", acts


def lines_of(acts) -> list[bytes]:
    return [a.model_dump_json().encode() for a in acts]


BAD = {
    "truncated JSON": b'{"event_id": "x1", "agent_id": "support-1", "time": "2026-01-05T09:00:00Z", "tool": "zend',
    "wrong types": b'{"event_id": 7, "agent_id": "support-1", "time": "2026-01-05T09:00:00Z", "tool": "t", "operation": "read", "bytes": "lots"}',
    "unknown operation": b'{"event_id": "x3", "agent_id": "support-1", "time": "2026-01-05T09:00:00Z", "tool": "t", "operation": "teleport"}',
    "huge line": b'{"event_id": "x4", "agent_id": "support-1", "time": "2026-01-05T09:00:00Z", "tool": "t", "operation": "read", "attributes": {"blob": "' + b"A" * 2_000_000 + b'"}}',
    "non-UTF-8": b'{"event_id": "x5\xff\xfe", "agent_id": "support-1", "time": "2026-01-05T09:00:00Z", "tool": "t", "operation": "read"}',
}
EXPECTED_REASON = {
    "truncated JSON": "Invalid JSON: EOF while parsing",
    "wrong types": "event_id: Input should be a valid string (got 7); bytes: Input should be a valid integer",
    "unknown operation": "operation: Input should be 'read'",
    "huge line": "over the 1048576-byte limit",
    "non-UTF-8": "Invalid JSON: invalid unicode code point",
}


def run(tmp_path, intents, events, *extra):
    args = ["replay", str(events), "--intents", str(intents), "--alerts", str(tmp_path / "alerts.jsonl"),
            "--commands", str(tmp_path / "commands.jsonl"), "--dead-letter", str(tmp_path / "dlq.jsonl"), *extra]
    return runner.invoke(app, args)


def test_bad_lines_go_to_dead_letters_and_neighbours_are_processed(tmp_path):
    intents, events, acts = setup_fleet(tmp_path)
    good = lines_of(acts)
    mixed = []
    for i, line in enumerate(good):
        mixed.append(line)
        if i < len(BAD):
            mixed.append(list(BAD.values())[i])
    mixed.append(b"")  # blank lines are skipped, not dead letters
    events.write_bytes(b"\n".join(mixed) + b"\n")

    res = run(tmp_path, intents, events)
    assert res.exit_code == 0, res.output
    dlq = [orjson.loads(line) for line in (tmp_path / "dlq.jsonl").read_bytes().splitlines()]
    assert len(dlq) == len(BAD)
    for rec, (name, raw) in zip(dlq, BAD.items()):
        line_no = mixed.index(raw) + 1
        assert rec["source"] == f"{events}:{line_no}", name
        assert EXPECTED_REASON[name] in rec["reason"], (name, rec["reason"])
        kept = rec["raw"].encode() if "raw" in rec else base64.b64decode(rec["raw_base64"])
        assert rec["size"] == len(raw) and rec["sha256"] == hashlib.sha256(raw).hexdigest(), name
        if name == "huge line":  # only its first 64 KiB are kept
            assert rec["truncated"] and len(kept) == 65_536 and raw.startswith(kept)
        else:
            assert kept == raw and "truncated" not in rec, name  # the exact bytes are kept
    # Every valid action was processed: same alerts as a run over the good lines alone.
    with_bad = (tmp_path / "alerts.jsonl").read_bytes()
    events.write_bytes(b"\n".join(good) + b"\n")
    run(tmp_path, intents, events)
    assert with_bad == (tmp_path / "alerts.jsonl").read_bytes()
    assert len(with_bad.splitlines()) == 2  # the shell.exec hits: one alert, opened then finalised with count 4


def test_strict_exits_one_but_completes(tmp_path):
    intents, events, acts = setup_fleet(tmp_path)
    events.write_bytes(b"\n".join(lines_of(acts) + [b"not json"]) + b"\n")
    res = run(tmp_path, intents, events, "--strict")
    assert res.exit_code == 1
    assert (tmp_path / "alerts.jsonl").read_bytes()


def _zstd(data: bytes) -> bytes:
    """Two zstd frames, as a writer that flushes (or rotates) writes them."""
    half = len(data) // 2
    return b"".join(zstandard.ZstdCompressor().compress(part) for part in (data[:half], data[half:]))


def test_same_input_same_bytes_and_compressed_equals_plain(tmp_path):
    """gzip and zstd (before: a native .zst file was read as bytes, every line a dead letter), known
    by their first bytes: a gzip file without .gz in its name too."""
    intents, events, acts = setup_fleet(tmp_path)
    acts.append(action(at=timedelta(minutes=30), credential_id="key-stolen"))  # critical: a command too
    events.write_bytes(b"\n".join(lines_of(acts)) + b"\n")
    outs = []
    for src, pack in ((events, None), (events, None), (tmp_path / "actions.jsonl.gz", gzip.compress),
                      (tmp_path / "actions.jsonl.zst", _zstd), (tmp_path / "actions.log", gzip.compress)):
        if pack is not None:
            src.write_bytes(pack(events.read_bytes()))
        res = run(tmp_path, intents, src)
        assert res.exit_code == 0 and not (tmp_path / "dlq.jsonl").exists(), (src, res.output)
        outs.append(((tmp_path / "alerts.jsonl").read_bytes(), (tmp_path / "commands.jsonl").read_bytes()))
    assert outs[1:] == [outs[0]] * 4
    assert outs[0][0] and outs[0][1]


def test_lifecycle_file_bad_lines_are_dead_letters_too(tmp_path):
    intents, events, acts = setup_fleet(tmp_path)
    events.write_bytes(b"\n".join(lines_of(acts)) + b"\n")
    lc = tmp_path / "lifecycle.jsonl"
    lc.write_bytes(b'{"kind": "retire", "event_id": "l1", "agent_id": "support-1", "time": "2026-01-05T09:00:00Z"}\n')
    assert run(tmp_path, intents, events, "--lifecycle", str(lc)).exit_code == 0
    rec = orjson.loads((tmp_path / "dlq.jsonl").read_bytes())
    assert rec["source"] == f"{lc}:1" and "does not match any of the expected tags" in rec["reason"]


def test_verdict_from_an_alert_then_replay_with_it_suppresses_and_counts(tmp_path):
    """`intentwatch verdict` turns an alert into a false-positive verdict; replayed with
    `--feedback`, the rule's later findings become feedback.suppressed info alerts; bad verdicts are dead letters."""
    intents, events, acts = setup_fleet(tmp_path)
    events.write_bytes(b"\n".join(lines_of(acts)) + b"\n")
    assert run(tmp_path, intents, events, "--quiet").exit_code == 0
    first = orjson.loads((tmp_path / "alerts.jsonl").read_bytes().splitlines()[0])
    assert first["rule_id"] == "intent.tool_not_allowed"
    r = runner.invoke(app, ["verdict", first["alert_id"][:10], "false_positive", "--alerts", str(tmp_path / "alerts.jsonl"),
                            "--analyst", "ana@soc.example", "--reason", "sanctioned shell step", "--at", "alert"])
    assert r.exit_code == 0, r.output
    fb = orjson.loads(r.stdout)
    assert (fb["agent_id"], fb["rule_id"], fb["observed"], fb["alert_id"]) == ("support-1", "intent.tool_not_allowed", "shell.exec", first["alert_id"])
    verdicts = tmp_path / "verdicts.jsonl"
    verdicts.write_bytes(r.stdout.encode() + b'{"verdict": "maybe"}\n')
    r = run(tmp_path, intents, events, "--feedback", str(verdicts))
    assert r.exit_code == 0, r.output
    rules = [a["rule_id"] for a in map(orjson.loads, (tmp_path / "alerts.jsonl").read_bytes().splitlines())]
    assert "intent.tool_not_allowed" not in rules and "feedback.suppressed" in rules
    assert "suppressions (false-positive verdicts)" in r.output and "support-1" in r.output  # what each one hid, printed
    final = [a for a in map(orjson.loads, (tmp_path / "alerts.jsonl").read_bytes().splitlines()) if a["status"] == "final"]
    assert [(a["rule_id"], a["count"]) for a in final] == [("feedback.suppressed", 4)]  # the 4 shell.exec actions, kept
    dead = [orjson.loads(x) for x in (tmp_path / "dlq.jsonl").read_bytes().splitlines()]
    assert len(dead) == 1 and "verdicts.jsonl:2" in dead[0]["source"]


def test_verdict_names_a_missing_alert(tmp_path):
    (tmp_path / "alerts.jsonl").write_bytes(b"")
    r = runner.invoke(app, ["verdict", "abc", "confirmed", "--alerts", str(tmp_path / "alerts.jsonl"), "--analyst", "a", "--reason", "r"])
    assert r.exit_code == 2 and "no alert(s)" in r.output


def test_a_clean_run_owns_its_dead_letter_file(tmp_path):
    """Issue 13: a clean replay printed "0 bad lines" and left an older run's dead letters in place."""
    intents, events, acts = setup_fleet(tmp_path)
    events.write_bytes(b"\n".join(lines_of(acts) + [b"not json"]) + b"\n")
    assert run(tmp_path, intents, events).exit_code == 0
    assert len((tmp_path / "dlq.jsonl").read_bytes().splitlines()) == 1
    events.write_bytes(b"\n".join(lines_of(acts)) + b"\n")
    res = run(tmp_path, intents, events)
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "dlq.jsonl").exists()
    assert [line.split() for line in res.stderr.splitlines() if "bad lines (dead letters)" in line] == \
        [["│", "bad", "lines", "(dead", "letters)", "│", "0", "│"]]


def test_the_summary_counts_dead_letters_per_reason(tmp_path):
    intents, events, acts = setup_fleet(tmp_path)
    bad = [BAD["truncated JSON"], b"not json either", BAD["wrong types"], BAD["unknown operation"], BAD["huge line"]]
    events.write_bytes(b"\n".join(lines_of(acts) + bad) + b"\n")
    res = run(tmp_path, intents, events)
    assert res.exit_code == 0, res.output
    rows = {line.split()[1]: line for line in res.stderr.splitlines() if "  e.g. " in line}
    assert set(rows) == {"invalid_json", "invalid", "too_large"}, res.stderr
    assert rows["invalid_json"].split("│")[-2].strip() == "2" and rows["invalid"].split("│")[-2].strip() == "2"
    assert rows["too_large"].split("│")[-2].strip() == "1"
    assert f"e.g. {events}:{len(acts) + 1}: Invalid JSON" in rows["invalid_json"]


def test_progress_reports_bytes_of_the_file_against_its_size(tmp_path):
    """Issue 13: replay's progress showed a line count only; with bytes read against the
    file's size, the bar has a total and an ETA (a .gz file by its compressed bytes)."""
    from intentwatch.pipeline.engine.engine import Engine
    from intentwatch.pipeline.hosts.replay import replay, stored_size
    from intentwatch.pipeline.io.deadletter import DeadLetterFile

    acts = lines_of(setup_fleet(tmp_path)[2])
    body = b"\n" * 9000 + b"\n".join(acts) + b"\n"  # blank lines are read, counted and skipped
    plain, packed = tmp_path / "a.jsonl", tmp_path / "a.jsonl.gz"
    plain.write_bytes(body)
    noise = b"".join(b"%s\n" % base64.b64encode(hashlib.sha256(b"%d" % i).digest()) for i in range(30_000))
    packed.write_bytes(gzip.compress(body + noise))  # incompressible enough to be read in many steps
    calls = []
    summary = replay(Engine(), plain, [], lambda o: None, DeadLetterFile(None), lambda n, b: calls.append((n, b)))
    assert calls == [(8192, 8192), (summary.lines, len(body))] and summary.lines == 9000 + len(acts)
    calls.clear()
    replay(Engine(), packed, [], lambda o: None, DeadLetterFile(None), lambda n, b: calls.append((n, b)))
    done = [b for _, b in calls]
    assert len(calls) > 3 and done == sorted(done) and 0 < done[0] < done[-1] == packed.stat().st_size
    assert stored_size(packed) == packed.stat().st_size and stored_size("-") is None and stored_size(tmp_path) is None


def test_a_manifest_error_fails_the_replay_before_anything_is_written(tmp_path):
    """Manifests stream into the engine as they are read; the last one broken still fails the run
    with no alerts, commands or dead letters written (an earlier output is left as it was)."""
    intents, events, acts = setup_fleet(tmp_path)
    events.write_bytes(b"\n".join(lines_of(acts)) + b"\n")
    (intents / "zz-broken.yaml").write_text("agent_id: broken\npurpose: p\nttl: -PT1H\n")
    (tmp_path / "alerts.jsonl").write_text("kept\n")
    r = run(tmp_path, intents, events)
    assert r.exit_code == 2 and "zz-broken.yaml" in r.output and "manifest error" in r.output
    assert (tmp_path / "alerts.jsonl").read_text() == "kept\n"
    assert not (tmp_path / "commands.jsonl").exists() and not (tmp_path / "dlq.jsonl").exists()


def test_a_gzip_cut_short_keeps_its_lines_and_says_where_it_stopped(tmp_path):
    """Native .gz input (actions and lifecycle): before, a cut or corrupt stream ended the run with
    "Aborted." and no reason; now the lines before the damage are replayed and one dead letter says why."""
    intents, events, acts = setup_fleet(tmp_path)
    body = b"\n".join(lines_of(acts)) + b"\n"
    noise = b"".join(b"%s\n" % base64.b64encode(hashlib.sha256(b"%d" % i).digest()) for i in range(3000))
    whole = gzip.compress(body + noise)  # noise after the actions: the cut falls in it, every action complete
    cut = tmp_path / "actions.jsonl.gz"
    cut.write_bytes(whole[: len(whole) * 3 // 4])
    res = run(tmp_path, intents, cut)
    assert res.exit_code == 0, res.output
    dead = [orjson.loads(x) for x in (tmp_path / "dlq.jsonl").read_bytes().splitlines()]
    assert dead[-1]["reason"].startswith("truncated gzip: the compressed stream ends early, after line ")
    replayed = (tmp_path / "alerts.jsonl").read_bytes()
    events.write_bytes(body)
    (tmp_path / "plain").mkdir()
    assert run(tmp_path / "plain", intents, events).exit_code == 0
    assert replayed and replayed == (tmp_path / "plain" / "alerts.jsonl").read_bytes()  # every action replayed

    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.suggest.history import native_actions

    dead_letters = DeadLetterFile(None)  # ``intents suggest`` reads the same way
    assert len(list(native_actions(cut, dead_letters))) == len(acts) and dead_letters.kinds["unreadable"] == 1

    corrupt = tmp_path / "lifecycle.jsonl.gz"
    corrupt.write_bytes(whole[:20] + b"\x00" * 200)  # the header, then nothing inflate reads
    assert run(tmp_path, intents, events, "--lifecycle", str(corrupt)).exit_code == 0
    (rec,) = [orjson.loads(x) for x in (tmp_path / "dlq.jsonl").read_bytes().splitlines()]
    assert rec["source"] == f"{corrupt}:1" and rec["reason"].startswith("corrupt gzip")

    zcut = tmp_path / "actions.jsonl.zst"  # zstd the same way
    zwhole = _zstd(body + noise)
    zcut.write_bytes(zwhole[: len(zwhole) * 3 // 4])
    assert run(tmp_path, intents, zcut).exit_code == 0
    dead = [orjson.loads(x) for x in (tmp_path / "dlq.jsonl").read_bytes().splitlines()]
    assert dead[-1]["reason"].startswith("truncated zstd: the compressed stream ends early, after line ")
    assert (tmp_path / "alerts.jsonl").read_bytes() == replayed


def test_produce_sets_aside_where_a_gzip_stopped(tmp_path):
    """``intentwatch produce`` reads the same lines: the damage is a dead letter, not a crash (nothing
    complete was in this file, so nothing reaches the producer and no broker is needed)."""
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.io.feed import file_lines, produce_lines
    from intentwatch.pipeline.settings import KafkaSettings

    broken = tmp_path / "a.jsonl.gz"
    line = b'{"blob": "%s"}\n' % base64.b64encode(b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(4000)))
    packed = gzip.compress(line)
    broken.write_bytes(packed[: len(packed) // 2])  # cut inside its first (and only) line
    dead = DeadLetterFile(None)
    result = produce_lines(KafkaSettings(bootstrap_servers="127.0.0.1:1"), "t", file_lines(broken), dead)
    assert (result.produced, result.bad, dict(dead.kinds)) == (0, 1, {"unreadable": 1})

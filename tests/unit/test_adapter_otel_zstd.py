"""The Collector's file exporter with ``compression: zstd`` (opentelemetry-collector-contrib,
exporter/fileexporter README and file_writer.go), both ways it writes:

- as it always has: every exported message (JSON or protobuf) compressed on its own into one zstd
  frame, written after a 4-byte big-endian length (JSON too: the file has no lines);
- with the ``exporter.file.nativeCompression`` feature gate: one standard .zst stream (a frame per
  write when rotating), holding JSON lines or length-prefixed protobuf.

The files are made here from ``otel_frameworks.jsonl`` (19 requests written from the GenAI
conventions); each reads as that file does, and a damaged one keeps what came before the damage.
"""

import struct

import orjson
import pytest
import zstandard

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter
from intentwatch.pipeline.lab.simulate.spans import to_proto
from tests.unit.test_adapter_otel import DATA

LINES = (DATA / "otel_frameworks.jsonl").read_bytes().splitlines()


def _frame(b: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(b)


def _prefixed(messages: list[bytes]) -> bytes:
    return b"".join(struct.pack(">I", len(m)) + m for m in messages)


def _protos() -> list[bytes]:
    return [to_proto(orjson.loads(line)).SerializeToString() for line in LINES]


def _read(path, fmt: str) -> tuple[list, list]:
    out = list(open_adapter(fmt).read(path))
    return [a for a in out if isinstance(a, Action)], [b for b in out if isinstance(b, BadRecord)]


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict[str, list[Action]]:
    """What each format's plain file gives: JSON lines, and length-prefixed protobuf uncompressed."""
    folder = tmp_path_factory.mktemp("plain")
    (folder / "spans.jsonl").write_bytes(b"\n".join(LINES) + b"\n")
    (folder / "spans.proto").write_bytes(_prefixed(_protos()))
    out = {}
    for fmt, name in (("otel-json", "spans.jsonl"), ("otel-proto", "spans.proto")):
        actions, bad = _read(folder / name, fmt)
        assert len(actions) > 19 and not bad
        out[fmt] = actions
    return out


def _ids(actions: list[Action]) -> list[str]:
    return [a.event_id for a in actions]


def _lost(actions: list[Action], expected: list[Action]) -> set[str]:
    """The ids of ``expected`` missing from ``actions`` (which holds no other: a span waiting for a
    parent from a lost message comes at the end, so the order may differ)."""
    kept = set(_ids(actions))
    assert kept <= set(_ids(expected))
    return set(_ids(expected)) - kept


def _span_ids(line: bytes) -> set[str]:
    doc = orjson.loads(line)
    return {sp["spanId"].lower() for rs in doc.get("resourceSpans", []) for ss in rs.get("scopeSpans", rs.get("instrumentationLibrarySpans", []))
            for sp in ss.get("spans", [])}


@pytest.mark.parametrize("fmt, body", [
    ("otel-json", lambda: _prefixed([_frame(line) for line in LINES])),             # message by message, JSON
    ("otel-proto", lambda: _prefixed([_frame(m) for m in _protos()])),              # message by message, protobuf
    ("otel-json", lambda: _frame(b"\n".join(LINES[:9]) + b"\n") + _frame(b"\n".join(LINES[9:]) + b"\n")),  # native, rotating
    ("otel-proto", lambda: _frame(_prefixed(_protos()))),                           # native, protobuf
])
def test_each_way_the_exporter_compresses_reads_as_the_plain_file(tmp_path, expected, fmt, body):
    path = tmp_path / "spans.zst"
    path.write_bytes(body())
    actions, bad = _read(path, fmt)
    assert not bad and actions == expected[fmt]


def test_a_native_stream_cut_short_keeps_the_requests_before_the_cut(tmp_path, expected):
    whole = _frame(b"\n".join(LINES[:9]) + b"\n") + _frame(b"\n".join(LINES[9:]) + b"\n")
    path = tmp_path / "spans.jsonl.zst"
    path.write_bytes(whole[:-40])  # the last frame ends early
    actions, bad = _read(path, "otel-json")
    assert [b.reason for b in bad] == ["truncated zstd: the compressed stream ends early, after line 9"]
    assert 0 < len(actions) < len(expected["otel-json"])
    assert _ids(actions) == _ids(expected["otel-json"])[:len(actions)]


def test_a_message_that_does_not_decompress_costs_that_message(tmp_path, expected):
    frames = [_frame(m) for m in _protos()]
    frames[3] = frames[3][:4] + b"\x00" * (len(frames[3]) - 4)  # the magic, then nothing zstd reads
    path = tmp_path / "spans.proto"
    path.write_bytes(_prefixed(frames))
    actions, bad = _read(path, "otel-proto")
    assert [(b.source, b.reason) for b in bad] == [(f"{path}#msg4", "truncated zstd: this message does not decompress")]
    assert _lost(actions, expected["otel-proto"]) <= _span_ids(LINES[3]) and _lost(actions, expected["otel-proto"])


def test_a_file_cut_while_written_keeps_its_whole_messages(tmp_path, expected):
    """(Uncompressed protobuf too: before, a cut file was read as one bare message and every span lost.)"""
    messages = _protos()
    for name, body in (("plain.proto", _prefixed(messages)), ("framed.zst", _prefixed([_frame(m) for m in messages]))):
        path = tmp_path / name
        path.write_bytes(body[:-25])
        actions, bad = _read(path, "otel-proto")
        assert [(b.source, b.reason.split(" (")[0]) for b in bad] == [(f"{path}#msg19", "the file ends inside this message")]
        assert _lost(actions, expected["otel-proto"]) <= _span_ids(LINES[-1]) and _lost(actions, expected["otel-proto"])


def test_replay_reads_a_compressed_export(tmp_path):
    from tests.factories import replayed_alerts

    (tmp_path / "export").mkdir()
    plain, packed = tmp_path / "plain.jsonl", tmp_path / "export" / "traces-2025-12-02T10-00-00.000.json.zst"
    plain.write_bytes(b"\n".join(LINES) + b"\n")
    packed.write_bytes(_prefixed([_frame(line) for line in LINES]))
    alerts = replayed_alerts(plain, tmp_path, fmt="otel-json")
    assert alerts and replayed_alerts(packed, tmp_path, fmt="otel-json") == alerts
    assert replayed_alerts(packed.parent, tmp_path, fmt="otel-json") == alerts  # a folder of rotated files


def test_a_zstd_bomb_comes_out_in_bounded_pieces(tmp_path):
    """256 MiB of zeros is ~8 KiB of zstd: fed 1 KiB at a time, no piece is over 32 MiB."""
    from intentwatch.pipeline.io.adapters.files import chunks

    bomb = tmp_path / "bomb.zst"
    bomb.write_bytes(zstandard.ZstdCompressor(level=19).compress(bytes(256 << 20)))
    assert bomb.stat().st_size < 16 << 10
    sizes = [len(c) for c in chunks(bomb)]
    assert sum(sizes) == 256 << 20 and max(sizes) <= 32 << 20


def test_a_compressed_export_replayed_as_native_says_which_format(tmp_path):
    """``sniff_format`` (the hint replay prints when no line was an action) looks inside the first frame."""
    from intentwatch.pipeline.io.adapters import sniff_format

    (tmp_path / "j.zst").write_bytes(_prefixed([_frame(line) for line in LINES]))
    (tmp_path / "p.zst").write_bytes(_prefixed([_frame(m) for m in _protos()]))
    (tmp_path / "n.zst").write_bytes(_frame(b"\n".join(LINES) + b"\n"))  # native: sniffed decompressed, as gzip is
    assert [sniff_format(tmp_path / n) for n in ("j.zst", "p.zst", "n.zst")] == ["otel-json", "otel-proto", "otel-json"]

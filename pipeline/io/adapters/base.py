"""What every adapter yields: an ``Action``, or a ``BadRecord`` that says where and why.

An adapter never raises on bad input: one broken span, record or line becomes a
``BadRecord`` and its siblings carry on. ``BadRecord.error()`` is the ``InputError`` the
dead-letter file already takes, so replay and the worker set it aside like a bad native line.
"""

import io
import json
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any, Final, TypeAlias

from intentwatch.models.action import Action
from intentwatch.models.errors import InputError
from intentwatch.pipeline.io.codec import describe

from .libs import JSONDecodeError, ValidationError, ZstdDecompressor, ZstdError, dumps_any, loads, no_lone_surrogates

# (Final: compiled, a constant is a C global, not a module dict lookup)
_validate: Final = Action.__pydantic_validator__.validate_python
UTC: Final = timezone.utc
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
MAX_REASON: Final = 300


@dataclass(frozen=True, slots=True)
class BadRecord:
    """An input record no action could be made from.

    ``source`` is its position (``file:line``, ``file#Records[3]``,
    ``topic[0]@17#rs0.ss0.span2``), ``reason`` one line saying why, ``raw`` its bytes
    (the record alone when it can be cut out, else the whole message).
    """

    source: str
    reason: str
    raw: bytes = b""

    def __post_init__(self) -> None:  # a reason quoting a huge bad value stays one readable line
        if len(self.reason) > MAX_REASON:
            object.__setattr__(self, "reason", self.reason[:MAX_REASON - 3] + "...")

    def error(self) -> InputError:
        return InputError(self.source, self.reason)


Result: TypeAlias = Action | BadRecord


def make_action(fields: dict[str, Any], source: str, raw: bytes | Any) -> Result:
    """Validate mapped ``fields`` into an Action; a contract violation becomes a BadRecord."""
    try:
        return _validate(fields)
    except ValidationError as e:
        return BadRecord(source, _describe(e), raw if isinstance(raw, bytes) else _dump(raw))


def _describe(e: ValidationError) -> str:
    """``describe`` without the whole mapped record quoted for a field that is missing from it."""
    missing = [".".join(map(str, err["loc"])) for err in e.errors(include_url=False) if err["type"] == "missing"]
    if len(missing) == e.error_count():
        return f"{', '.join(missing)}: missing"
    return describe(e)


def _dump(value: Any) -> bytes:
    if hasattr(value, "SerializeToString"):  # a protobuf message: its own wire bytes
        return value.SerializeToString()
    return dumps_any(value)


def from_unix_nanos(ns: int) -> datetime:
    """Event time from Unix nanoseconds, exact to the microsecond (no float rounding).

    >>> from_unix_nanos(1_700_000_000_123_456_789).isoformat()
    '2023-11-14T22:13:20.123456+00:00'
    """
    return EPOCH + timedelta(0, 0, ns // 1000)  # (days, seconds, microseconds): positional is quicker


def read_bytes(path: str | Path) -> tuple[bytes, str | None]:
    """A file's bytes, decompressed when it starts with the gzip or zstd magic (any name).

    A truncated or corrupt stream keeps what decompressed before the damage and returns the
    reason beside it, so the records read before it are not lost.
    """
    out = io.BytesIO()  # (its value is handed over without a copy: a list of chunks joined held the file twice)
    try:
        for chunk in _chunks(path):
            out.write(chunk)
            if out.tell() > MAX_DOCUMENT:
                return b"", f"over {MAX_DOCUMENT >> 20} MiB as one document: split it, or write it as JSON lines"
    except Damaged as e:
        return out.getvalue(), f"{e}: the compressed stream ends early ({out.tell()} bytes decompressed)"
    return out.getvalue(), None


class JsonInput:
    """What adapters of JSON inputs share: a message is one JSON document; a file is one document
    (pretty-printed or not) or JSON lines. Subclasses say what a document holds (``_document``)."""

    def _document(self, doc: Any, raw: bytes, source: str) -> Iterator[Result]:
        raise NotImplementedError

    def _not_json(self, data: bytes, source: str, damage: str | None, error: Exception) -> Iterator[Result] | None:
        """A file that is no JSON document (nor JSON lines: its first line is no whole value): objects
        one after another (pretty-printed, as the OpenTelemetry SDK's console exporter prints spans, or
        back to back) are read object by object; else None reads it as JSON lines."""
        if _OBJECTS.match(data) and _NEXT_OBJECT.search(data):
            return self._concatenated(data.decode("utf-8", errors="replace"), source, damage)
        return None

    def _concatenated(self, text: str, source: str, damage: str | None) -> Iterator[Result]:
        """JSON objects written one after another: each is a document (``source:<line>#obj<n>``). One
        that breaks is a bad record up to the next line that opens an object, where reading goes on."""
        dec, pos, n = json.JSONDecoder(), 0, 0
        line, counted = 1, 0  # the line ``pos`` is on, counted up to ``counted``
        while True:
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
            if pos >= len(text):
                break
            line, counted = line + text.count("\n", counted, pos), pos
            try:
                doc, end = dec.raw_decode(text, pos)
            except (ValueError, RecursionError) as e:  # (broken; too deep for the stdlib's scanner; a number past its digits limit)
                resume = text.find("\n{", pos + 1)
                where = "the rest is lost" if resume < 0 else f"reading goes on at line {line + text.count(chr(10), pos, resume) + 1}"
                yield BadRecord(f"{source}:{line}", f"{damage or f'invalid JSON ({e})'}; {n} complete object(s) "
                                                    f"before line {line} were read, {where}",
                                text[pos:pos + 65536 if resume < 0 else min(resume, pos + 65536)].encode())
                if resume < 0:
                    return
                pos = resume + 1
                continue
            doc = no_lone_surrogates(doc, text, pos, end)  # (the stdlib's reader lets one in)
            yield from self._document(doc, text[pos:end].encode(), f"{source}:{line}#obj{n}")
            pos, n = end, n + 1
        if damage:
            yield BadRecord(source, damage)

    def decode(self, raw: bytes, source: str) -> Iterator[Result]:
        try:
            doc = loads(raw)
        except JSONDecodeError as e:
            yield BadRecord(source, f"invalid JSON: {e}", raw)
            return
        yield from self._document(doc, raw, source)

    def read_json(self, path: str | Path) -> Iterator[Result]:
        name = str(path)
        if is_json_lines(path):  # streamed: a JSON-lines file of any size is never held whole
            yield from lines_through(self.decode, path)
            return
        data, damage = read_bytes(path)
        yield from self._file(data, damage, name)

    def _file(self, data: bytes, damage: str | None, name: str) -> Iterator[Result]:
        """A whole file's bytes (decompressed; ``damage``: why they end early)."""
        try:
            doc = loads(data)
        except JSONDecodeError as e:
            instead = self._not_json(data, name, damage, e)
            if instead is not None:
                yield from instead
                return
            for n, line in lines(data):
                yield from self.decode(line, f"{name}:{n}")
        else:
            yield from self._document(doc, data, name)
        if damage:
            yield BadRecord(name, damage)


_OBJECTS: Final = re.compile(rb"\s*\{")
_NEXT_OBJECT: Final = re.compile(rb"\}\s*\{")  # an object closed, the next opened
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # a zstd frame (the Collector's file exporter with ``compression: zstd``)
_ZSTD_STEP: Final = 1 << 10  # compressed bytes fed at a time: a frame of run-length blocks expands ~32,000x (32 MiB)
_NOT_BLANK = re.compile(rb"\S")


class Damaged(ValueError):
    """A compressed file that ends early or is corrupt; the message says which ("truncated gzip")."""


def _chunks(path: str | Path, size: int = 1 << 20) -> Iterator[bytes]:
    """``unpacked`` of a file."""
    with open(path, "rb") as fh:
        yield from unpacked(fh, size)


def unpacked(fh: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """An open file's bytes in chunks, decompressed (every gzip member, every zstd frame) when they
    start with the gzip or zstd magic. Raises ``Damaged`` after the last good chunk when the stream
    ends early or breaks."""
    raw = fh.read(size)
    if raw[:4] == ZSTD_MAGIC:
        yield from _unpacked(fh, raw, size, ZstdDecompressor().decompressobj, ZstdError, "zstd", _ZSTD_STEP)
    elif raw[:2] == GZIP_MAGIC:
        yield from _unpacked(fh, raw, size, lambda: zlib.decompressobj(wbits=31), zlib.error, "gzip", size, size)
    else:
        while raw:
            yield raw
            raw = fh.read(size)


def _unpacked(fh: Any, raw: bytes, size: int, decompressor: Callable[[], Any], error: Any, name: str,
              step: int, cap: int = 0) -> Iterator[bytes]:
    """The rest of ``_chunks`` for a compressed file (``raw``: its first bytes), fed ``step`` bytes at a
    time: member after member (frame after frame), as concatenated files or a rotating exporter write them.
    ``cap``: bytes out a call at most (zlib's ``max_length``: a 1 MiB step of deflate is up to 1 GiB)."""
    d = decompressor()
    try:
        while raw:
            for at in range(0, len(raw), step):
                data = raw[at:at + step]
                while data:
                    out = d.decompress(data, cap) if cap else d.decompress(data)
                    if d.eof:  # the rest is the next member's / frame's
                        data, d = d.unused_data, (decompressor() if d.unused_data else d)
                    else:
                        data = d.unconsumed_tail if cap else b""
                    if out:
                        yield out
            raw = fh.read(size)
        if cap and not d.eof:
            while out := d.decompress(b"", cap):  # (output still held back by the cap)
                yield out
    except error as e:
        raise Damaged(f"corrupt {name} ({e})") from None
    if not d.eof:
        raise Damaged(f"truncated {name}")


def unzstd_message(data: bytes) -> bytes:
    """One message compressed on its own (the file exporter's ``compression: zstd`` before its native
    compression: each exported message is a zstd frame after its 4-byte length); raises ``Damaged``."""
    d = ZstdDecompressor().decompressobj()
    try:
        out = d.decompress(data)
    except ZstdError as e:
        raise Damaged(f"corrupt zstd ({e})") from None
    if not d.eof:
        raise Damaged("truncated zstd")
    return out


def first_frame(data: bytes) -> bytes:
    """What the start of a zstd frame decompresses to, as far as ``data`` goes (b"": nothing)."""
    try:
        return ZstdDecompressor().decompressobj().decompress(data[:_ZSTD_STEP])
    except ZstdError:
        return b""


def framed(path: str | Path) -> Iterator[Result | tuple[str, bytes]]:
    """The messages of a file the Collector's file exporter writes with ``format: proto`` or with
    ``compression: zstd``: each after a 4-byte big-endian length, as (source, message), a message
    compressed on its own (a zstd frame) decompressed; a file that is not one is one bare message.
    A file cut inside a message keeps the messages before the cut (the cut one is a bad record),
    and a frame that does not decompress is a bad record."""
    name = str(path)
    data, damage = read_bytes(path)
    cuts, pos = [], 0
    while pos + 4 <= len(data):
        (size,) = struct.unpack_from(">I", data, pos)
        if pos + 4 + size > len(data):
            break
        cuts.append((pos + 4, pos + 4 + size))
        pos += 4 + size
    if not cuts:
        yield name, data
    for n, (a, b) in enumerate(cuts, 1):
        message, where = data[a:b], f"{name}#msg{n}"
        if message[:4] == ZSTD_MAGIC:
            try:
                message = unzstd_message(message)
            except Damaged as e:
                yield BadRecord(where, f"{e}: this message does not decompress", message[:65536])
                continue
        yield where, message
    if cuts and pos != len(data):
        yield BadRecord(f"{name}#msg{len(cuts) + 1}", f"the file ends inside this message ({len(data) - pos} of its "
                                                      "bytes are there): it was cut while written", data[pos:pos + 65536])
    if damage:
        yield BadRecord(name, damage)


def framed_zstd(path: str | Path) -> bool:
    """Whether a file holds zstd frames each after a 4-byte length (``framed``)."""
    try:
        return next(_chunks(path, 8), b"")[4:8] == ZSTD_MAGIC
    except (OSError, Damaged):
        return False


def is_json_lines(path: str | Path, peek: int = 1 << 16) -> bool:
    """Whether a file is JSON lines: its first line is a whole JSON value and more follows.

    A pretty-printed document, or a one-line document (a CloudTrail S3 file), is not. The file is
    read until its first line and something after it are in (``peek`` bytes a read, at most a
    line's ``MAX_LINE``): a Collector batch of a hundred spans is a line of 100+ KiB, and a file of
    them judged by its first 64 KiB would be read whole instead of streamed."""
    head = bytearray()
    start = end = -1  # where the first line starts (its first non-blank byte) and ends, once read
    try:
        for chunk in _chunks(path, peek):
            new = len(head)  # each byte is searched once
            head += chunk
            if start < 0:
                m = _NOT_BLANK.search(head, new)
                if m is None:
                    del head[:]  # (blank so far: nothing to keep)
                    continue
                start = new = m.start()
            if end < 0:
                end = head.find(b"\n", new)
                if end < 0:
                    if len(head) > MAX_LINE:
                        break
                    continue
                new = end + 1
            if _NOT_BLANK.search(head, new) is not None or len(head) > MAX_LINE:
                break  # something follows the first line (or the line is too long to be one)
    except Damaged:  # judge by what came out of it
        pass
    except OSError:
        return False
    first = bytes(head).lstrip()
    end = first.find(b"\n")
    if end < 0 or not first[end:].strip():
        return False
    try:
        loads(first[:end])
    except JSONDecodeError:
        return False
    return True


MAX_LINE = 64 << 20      # one line (an OTLP batch, a log record) held whole at most
MAX_DOCUMENT = 1 << 30   # one file read whole (a CloudTrail S3 file, a pretty-printed document) at most


def stream_lines(path: str | Path, max_line: int = MAX_LINE) -> Iterator[tuple[int, bytes | str]]:
    """(line number, line) for the non-blank lines of a file, compressed or not, read as it goes.

    Problems come as (line number, reason text): a line over ``max_line`` bytes (never held
    whole), and a damaged gzip or zstd stream, which ends the lines with (-1, reason): every complete line
    before the damage is kept; the cut line is part of what the reason says is lost."""
    n, carry, skipping = 0, b"", False
    try:
        for chunk in _chunks(path):
            parts = (carry + chunk).split(b"\n")
            carry = parts.pop()
            for line in parts:
                n += 1
                if skipping or len(line) > max_line:
                    skipping = False
                    yield n, f"line longer than {max_line} bytes, not read"
                elif line.strip():
                    yield n, line.rstrip(b"\r")
            if len(carry) > max_line:
                carry, skipping = b"", True
    except Damaged as e:
        yield -1, f"{e}: the compressed stream ends early, after line {n}"
        return
    if skipping:
        yield n + 1, f"line longer than {max_line} bytes, not read"
    elif carry.strip():
        yield n + 1, carry.rstrip(b"\r")


def lines_through(decode: Callable[[bytes, str], Iterator[Result]], path: str | Path) -> Iterator[Result]:
    """Every line of a file through ``decode``; lines that cannot be read are bad records."""
    name = str(path)
    for n, line in stream_lines(path):
        if isinstance(line, str):
            yield BadRecord(f"{name}:{n}" if n > 0 else name, line)
        else:
            yield from decode(line, f"{name}:{n}")


def lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for the non-blank lines of ``data``, blank runs skipped in one search (a list
    of every line is ~8 bytes a line, and a gzip of newlines holds ~1,000 lines a byte)."""
    pos, n = 0, 1  # n: the number of the line ``pos`` is on
    while (m := _NOT_BLANK.search(data, pos)) is not None:
        start = data.rfind(b"\n", pos, m.start()) + 1 or pos
        n += data.count(b"\n", pos, start)
        end = data.find(b"\n", m.start())
        end = len(data) if end < 0 else end
        yield n, data[start:end].rstrip(b"\r")
        pos, n = end + 1, n + 1

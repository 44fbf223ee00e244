"""A file's bytes as the adapters read them: decompressed (gzip members, zstd frames; damage kept
apart from what came out before it), whole up to ``MAX_DOCUMENT`` or line by line, each line at most
``MAX_LINE``. No adapter's format is known here: ``base`` turns what cannot be read into bad records.
"""

import io
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Final

from .libs import JSONDecodeError, ZstdDecompressor, ZstdError, loads

MAX_LINE = 64 << 20      # one line (an OTLP batch, a log record) held whole at most
MAX_DOCUMENT = 1 << 30   # one file read whole (a CloudTrail S3 file, a pretty-printed document) at most

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # a zstd frame (the Collector's file exporter with ``compression: zstd``)
_ZSTD_STEP: Final = 1 << 10  # compressed bytes fed at a time: a frame of run-length blocks expands ~32,000x (32 MiB)
_NOT_BLANK = re.compile(rb"\S")


class Damaged(ValueError):
    """A compressed file that ends early or is corrupt; the message says which ("truncated gzip")."""


def chunks(path: str | Path, size: int = 1 << 20) -> Iterator[bytes]:
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
    """The rest of ``unpacked`` for a compressed file (``raw``: its first bytes), fed ``step`` bytes at a
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


def framed_zstd(path: str | Path) -> bool:
    """Whether a file holds zstd frames each after a 4-byte length (``framed``)."""
    try:
        return next(chunks(path, 8), b"")[4:8] == ZSTD_MAGIC
    except (OSError, Damaged):
        return False


def read_bytes(path: str | Path) -> tuple[bytes, str | None]:
    """A file's bytes, decompressed when it starts with the gzip or zstd magic (any name).

    A truncated or corrupt stream keeps what decompressed before the damage and returns the
    reason beside it, so the records read before it are not lost.
    """
    out = io.BytesIO()  # (its value is handed over without a copy: a list of chunks joined held the file twice)
    try:
        for chunk in chunks(path):
            out.write(chunk)
            if out.tell() > MAX_DOCUMENT:
                return b"", f"over {MAX_DOCUMENT >> 20} MiB as one document: split it, or write it as JSON lines"
    except Damaged as e:
        return out.getvalue(), f"{e}: the compressed stream ends early ({out.tell()} bytes decompressed)"
    return out.getvalue(), None


def is_json_lines(path: str | Path, peek: int = 1 << 16) -> bool:
    """Whether a file is JSON lines: its first line is a whole JSON value and more follows.

    A pretty-printed document, or a one-line document (a CloudTrail S3 file), is not. The file is
    read until its first line and something after it are in (``peek`` bytes a read, at most a
    line's ``MAX_LINE``): a Collector batch of a hundred spans is a line of 100+ KiB, and a file of
    them judged by its first 64 KiB would be read whole instead of streamed."""
    head = bytearray()
    start = end = -1  # where the first line starts (its first non-blank byte) and ends, once read
    try:
        for chunk in chunks(path, peek):
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




def stream_lines(path: str | Path, max_line: int = MAX_LINE) -> Iterator[tuple[int, bytes | str]]:
    """(line number, line) for the non-blank lines of a file, compressed or not, read as it goes.

    Problems come as (line number, reason text): a line over ``max_line`` bytes (never held
    whole), and a damaged gzip or zstd stream, which ends the lines with (-1, reason): every complete line
    before the damage is kept; the cut line is part of what the reason says is lost."""
    n, carry, skipping = 0, b"", False
    try:
        for chunk in chunks(path):
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


def lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for the non-blank lines of ``data``, blank runs skipped in one search (a list
    of every line is ~8 bytes a line, and a gzip of newlines holds ~1,000 lines a byte)."""
    pos, n = 0, 1  # n: the number of the line ``pos`` is on
    while (m := _NOT_BLANK.search(data, pos)) is not None:
        start = data.rfind(b"\n", pos, m.start()) + 1  # the line the text is on starts after the last newline before it
        if start == 0:
            start = pos  # (none since pos: it starts at pos)
        n += data.count(b"\n", pos, start)
        end = data.find(b"\n", m.start())
        end = len(data) if end < 0 else end
        yield n, data[start:end].rstrip(b"\r")
        pos, n = end + 1, n + 1

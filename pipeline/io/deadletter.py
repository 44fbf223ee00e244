"""Dead letters: bad input set aside with where it came from, why, and its bytes.

A record keeps the raw input as text when it is valid UTF-8, else as base64, so the file
itself stays valid JSON lines. Input longer than ``raw_limit`` bytes keeps only its first
``raw_limit`` bytes (``truncated: true``); ``size`` and ``sha256`` are of the whole input, so
a record stays small enough to write or produce and still identifies what it stood for.
"""

import base64
import hashlib
from collections import Counter
from pathlib import Path
from typing import IO

import orjson

from intentwatch.models.errors import InputError


RAW_LIMIT = 65_536  # bytes of a bad input kept in its dead-letter record by default


class Oversized(bytes):
    """The first bytes of an input too long to read whole, with the size and sha256 of all of it."""

    size: int
    sha256: str

    def __new__(cls, prefix: bytes, size: int, sha256: str) -> "Oversized":
        obj = super().__new__(cls, prefix)
        obj.size, obj.sha256 = size, sha256
        return obj


class Unreadable(bytes):
    """What a reader gives instead of the next line where a compressed file stops being readable (a
    ``.gz`` cut short): no JSON, so any decoder refuses it; ``reason`` says why (``codec`` uses it)."""

    reason: str

    def __new__(cls, reason: str) -> "Unreadable":
        obj = super().__new__(cls, b"(unreadable)")
        obj.reason = reason
        return obj


def raw_summary(raw: bytes, raw_limit: int = RAW_LIMIT) -> tuple[bytes, int, str, bool]:
    """(kept prefix, whole size, whole sha256, truncated) of a bad input."""
    if isinstance(raw, Oversized):
        return bytes(raw[:raw_limit]), raw.size, raw.sha256, True
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) > raw_limit:
        return raw[:raw_limit], len(raw), digest, True
    return raw, len(raw), digest, False


def dead_letter_record(err: InputError, raw: bytes, raw_limit: int = RAW_LIMIT) -> dict:
    kept, size, digest, truncated = raw_summary(raw, raw_limit)
    record: dict = {"source": err.source, "reason": err.reason, "size": size, "sha256": digest}
    if truncated:
        record["truncated"] = True
    try:
        record["raw"] = kept.decode("utf-8")
    except UnicodeDecodeError:
        if truncated:  # the cut may split a character: keep the valid part as text
            try:
                record["raw"] = kept[:-3].decode("utf-8") + kept[-3:].decode("utf-8", "ignore")
                return record
            except UnicodeDecodeError:
                pass
        record["raw_base64"] = base64.b64encode(kept).decode("ascii")
    return record


def failure(err: BaseException) -> str:
    """The reason for an event whose handling raised ``err`` unexpectedly: type and a short message."""
    text = str(err).splitlines()[0] if str(err) else ""
    return f"failed while processing: {type(err).__name__}: {text[:160]}"


class DeadLetterFile:
    """Writes dead-letter records to a JSON-lines file, opened on the first bad input.

    A run owns its file: an existing regular file at ``path`` (an earlier run's dead letters)
    is removed when the run starts, so a clean run leaves none behind and "0 bad lines" is
    true of the file too (a device or pipe, such as /dev/stderr, is left alone). ``kinds``
    counts records per ``InputError.kind`` (invalid_json, invalid, too_large, refused kinds,
    failed) with the first record of each as an example; ``reasons`` per reason text."""

    def __init__(self, path: Path | None, raw_limit: int = RAW_LIMIT):
        self.path = path
        self.raw_limit = raw_limit
        self._fh: IO[bytes] | None = None
        self.count = 0
        self.reasons: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.examples: dict[str, tuple[str, str]] = {}  # kind -> (source, reason) of its first record
        if path is not None and path.is_file():
            path.unlink()

    def put(self, err: InputError, raw: bytes) -> None:
        self.count += 1
        self.reasons[err.reason.split(":")[0]] += 1
        self.kinds[err.kind] += 1
        if err.kind not in self.examples:
            self.examples[err.kind] = (err.source, err.reason)
        if self.path is None:
            return
        if self._fh is None:
            self._fh = open(self.path, "wb")
        self._fh.write(orjson.dumps(dead_letter_record(err, raw, self.raw_limit)) + b"\n")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

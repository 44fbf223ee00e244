"""What every adapter yields: an ``Action``, or a ``BadRecord`` that says where and why.

An adapter never raises on bad input: one broken span, record or line becomes a
``BadRecord`` and its siblings carry on. ``BadRecord.error()`` is the ``InputError`` the
dead-letter file already takes, so replay and the worker set it aside like a bad native line.
"""

import json
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, TypeAlias

from intentwatch.models.action import Action
from intentwatch.models.errors import InputError
from intentwatch.pipeline.io.codec import describe

from .files import ZSTD_MAGIC, Damaged, is_json_lines, lines, read_bytes, stream_lines, unzstd_message
from .json_arrays import closing, unreadable
from .libs import JSONDecodeError, ValidationError, dumps_any, loads, no_lone_surrogates

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
        return BadRecord(source, _describe(e), as_bytes(raw))


def _describe(e: ValidationError) -> str:
    """``describe`` without the whole mapped record quoted for a field that is missing from it."""
    missing = [".".join(map(str, err["loc"])) for err in e.errors(include_url=False) if err["type"] == "missing"]
    if len(missing) == e.error_count():
        return f"{', '.join(missing)}: missing"
    return describe(e)


def as_bytes(value: Any) -> bytes:
    """A record's bytes for its dead letter: bytes as they came, a protobuf message's own wire bytes, else JSON."""
    if value.__class__ is bytes:
        return value
    if hasattr(value, "SerializeToString"):
        return value.SerializeToString()
    return dumps_any(value)


def from_unix_nanos(ns: int) -> datetime:
    """Event time from Unix nanoseconds, exact to the microsecond (no float rounding).

    >>> from_unix_nanos(1_700_000_000_123_456_789).isoformat()
    '2023-11-14T22:13:20.123456+00:00'
    """
    return EPOCH + timedelta(0, 0, ns // 1000)  # (days, seconds, microseconds): positional is quicker


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
                closed = closing(text, pos, e)
                if closed is not None:  # well formed: this object alone, read on its own (orjson follows 1,024 levels)
                    yield from self._apart(text[pos:closed].encode(), f"{source}:{line}#obj{n}", e)
                    pos, n = closed, n + 1
                    continue
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

    def _refused(self, raw: bytes, source: str, why: str) -> Iterator[Result]:
        """A document no JSON reader here takes (``why``): a bad record. An adapter whose documents each hold
        many records reads the others where it can (CloudTrail's)."""
        yield BadRecord(source, why, raw)

    def decode(self, raw: bytes, source: str) -> Iterator[Result]:
        try:
            doc = loads(raw)
        except JSONDecodeError as e:
            yield from self._refused(raw, source, f"invalid JSON: {e}")
            return
        yield from self._document(doc, raw, source)

    def _apart(self, raw: bytes, source: str, error: Exception) -> Iterator[Result]:
        try:
            doc = loads(raw)
        except JSONDecodeError:
            yield from self._refused(raw, source, f"{unreadable(error)}; reading goes on after it")
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


def lines_through(decode: Callable[[bytes, str], Iterator[Result]], path: str | Path) -> Iterator[Result]:
    """Every line of a file through ``decode``; lines that cannot be read are bad records."""
    name = str(path)
    for n, line in stream_lines(path):
        if isinstance(line, str):
            yield BadRecord(f"{name}:{n}" if n > 0 else name, line)
        else:
            yield from decode(line, f"{name}:{n}")

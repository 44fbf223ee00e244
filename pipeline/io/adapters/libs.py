"""The third-party calls of the compiled adapters, in plain Python.

setup.py compiles the adapters' per-record modules with mypyc, in an isolated build environment
that holds only setuptools and mypy: a compiled module that imports orjson, pydantic or protobuf
fails the build (tests/unit/test_compiled.py). They take them from here instead: the same objects
at run time, ``Any`` to the build.
"""

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
import zstandard
from pydantic import ValidationError

from intentwatch.pipeline.engine.writable import text_made_writable
from intentwatch.pipeline.io.gc_pause import collector_paused

dumps = orjson.dumps
SORT_KEYS = orjson.OPT_SORT_KEYS
JSONDecodeError = orjson.JSONDecodeError
ZstdDecompressor = zstandard.ZstdDecompressor  # the file exporter's ``compression: zstd`` (base.py)
ZstdError = zstandard.ZstdError
PAUSE_FROM = 16_384  # bytes of JSON from which a parse pauses the cyclic collector


def loads(raw: Any) -> Any:
    """``orjson.loads``; a large document (an OTLP/JSON request of a hundred spans, a CloudTrail
    file) is parsed with the cyclic collector paused. Its thousands of new containers would set
    off collections in the middle of the parse that find them all alive and age them, and aged
    objects set off full collections later: a third of the OTLP/JSON adapter's cost
    (benchmarks/adapters.py). A parsed document is a tree: no cycle is left for the collector."""
    if len(raw) < PAUSE_FROM:
        return orjson.loads(raw)
    with collector_paused():
        return orjson.loads(raw)


def dumps_any(value: Any) -> bytes:
    """JSON of any value a reader made, for a dead letter's raw bytes: orjson's, else the stdlib's
    (an integer past 64 bits or a lone surrogate, which only the stdlib's reader lets in; nesting
    past orjson's 255 levels), else a note of what it was. Never raises."""
    try:
        return orjson.dumps(value)
    except TypeError:
        pass
    try:
        return json.dumps(value, default=repr).encode()
    except (ValueError, TypeError, RecursionError):
        return json.dumps(f"<a {type(value).__name__} no JSON writer takes>").encode()


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")


def no_lone_surrogates(value: Any, text: str, start: int = 0, end: int | None = None) -> Any:
    """``value``, read from ``text[start:end]`` by the stdlib's JSON reader, with each lone surrogate
    replaced by U+FFFD (orjson and pydantic refuse one; an action holding one broke its writers); the
    text is searched first: almost none holds a surrogate escape."""
    if _SURROGATE_ESCAPE.search(text, start, len(text) if end is None else end) is None:
        return value
    try:
        return _replaced(value)
    except RecursionError:
        return value  # (nested past the stack: its writers' fallbacks take it)


def _replaced(v: Any) -> Any:
    if isinstance(v, str):
        return text_made_writable(v)
    if isinstance(v, dict):
        return {_replaced(k): _replaced(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_replaced(x) for x in v]
    return v


__all__ = ["JSONDecodeError", "PARQUET_MAGIC", "ParquetUnreadable", "SORT_KEYS", "ValidationError", "ZstdDecompressor",
           "ZstdError", "dumps", "dumps_any", "export_request", "loads", "no_lone_surrogates", "parquet_rows",
           "starts_with"]


def export_request(raw: bytes) -> tuple[Any, str | None]:
    """(an OTLP protobuf ``ExportTraceServiceRequest``, None), or (None, why it is not one)."""
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    try:
        return ExportTraceServiceRequest.FromString(raw), None
    except DecodeError as e:
        return None, str(e)


PARQUET_MAGIC = b"PAR1"  # a Parquet file's first (and last) four bytes


def starts_with(path: str | Path, magic: bytes) -> bool:
    """Whether a file's first bytes are ``magic`` (Parquet's, a zip's: each compresses inside itself)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(magic)) == magic
    except OSError:
        return False


class ParquetUnreadable(Exception):
    """A Parquet file that cannot be read (pyarrow missing, or the file broken): the message says why."""


def parquet_rows(path: str | Path, batch: int = 4096) -> Iterator[dict[str, Any]]:
    """A Parquet file's rows as its JSON export would hold them: a map an object, a timestamp Unix
    milliseconds (OCSF's ``timestamp_t``), a date ISO text. Read a row group's batch at a time.
    Raises ``ParquetUnreadable`` (pyarrow not installed: the ``parquet`` extra; a broken file)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ParquetUnreadable("a Parquet file: reading it needs pyarrow (pip install 'intentwatch[parquet]')") from None
    try:
        batches = pq.ParquetFile(path).iter_batches(batch_size=batch)
        for b in batches:
            for row in b.to_pylist(maps_as_pydicts="lossy"):
                yield _plain(row)
    except Exception as e:  # noqa: BLE001 - pyarrow's errors (ArrowInvalid, ArrowIOError, ...): this file only
        raise ParquetUnreadable(f"unreadable Parquet ({type(e).__name__}: {str(e)[:200]})") from None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return round(value.timestamp() * 1000)
    if isinstance(value, date):
        return value.isoformat()
    return value

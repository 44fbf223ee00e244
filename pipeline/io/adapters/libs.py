"""The third-party calls of the compiled adapters, in plain Python.

setup.py compiles the adapters' per-record modules with mypyc, in an isolated build environment
that holds only setuptools and mypy: a compiled module that imports orjson, pydantic or protobuf
fails the build (tests/unit/test_compiled.py). They take them from here instead: the same objects
at run time, ``Any`` to the build.
"""

from typing import Any

import orjson
import zstandard
from pydantic import ValidationError

from intentwatch.pipeline.io.gc_pause import collector_paused

dumps = orjson.dumps
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

__all__ = ["JSONDecodeError", "ValidationError", "ZstdDecompressor", "ZstdError", "dumps", "export_request", "loads"]


def export_request(raw: bytes) -> tuple[Any, str | None]:
    """(an OTLP protobuf ``ExportTraceServiceRequest``, None), or (None, why it is not one)."""
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    try:
        return ExportTraceServiceRequest.FromString(raw), None
    except DecodeError as e:
        return None, str(e)

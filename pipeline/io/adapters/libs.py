"""The third-party calls of the compiled adapters, in plain Python.

setup.py compiles the adapters' per-record modules with mypyc, in an isolated build environment
that holds only setuptools and mypy: a compiled module that imports orjson, pydantic or protobuf
fails the build (tests/unit/test_compiled.py). They take them from here instead: the same objects
at run time, ``Any`` to the build.
"""

from typing import Any

import orjson
from pydantic import ValidationError

loads = orjson.loads
dumps = orjson.dumps
JSONDecodeError = orjson.JSONDecodeError

__all__ = ["JSONDecodeError", "ValidationError", "dumps", "export_request", "loads"]


def export_request(raw: bytes) -> tuple[Any, str | None]:
    """(an OTLP protobuf ``ExportTraceServiceRequest``, None), or (None, why it is not one)."""
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    try:
        return ExportTraceServiceRequest.FromString(raw), None
    except DecodeError as e:
        return None, str(e)

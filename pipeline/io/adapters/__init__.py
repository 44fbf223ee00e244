"""Input adapters: foreign telemetry becomes actions at the edge, one engine behind them.

Every adapter has the same two methods:

- ``decode(raw, source)`` — one message (a Kafka value, one line of a file) -> results;
- ``read(path)`` — a whole file (gzip or not) -> results;

and yields, in input order, an ``Action`` or a ``BadRecord`` (position and reason) per
record. A bad record never stops its siblings. ``open_adapter`` builds one by format name
for a run; an instance holds the run's memory (CloudTrail's seen eventIDs, skipped spans).

=============  ==============================================================
``native``     intentwatch's own action JSON lines (``pipeline/codec.py``)
``otel-json``  OTLP/JSON traces (Collector file exporter, Kafka ``otlp_json``)
``otel-proto`` OTLP protobuf traces (Kafka ``otlp_proto``, file exporter ``proto``)
``cloudtrail`` AWS CloudTrail in every shape it is delivered in
``mapped``     any JSON log, through a declarative mapping file (``--mapping``)
``transcript`` agent conversations and coding agents' session files
               (``transcript.py``)
=============  ==============================================================
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from intentwatch.models.action import Action
from intentwatch.models.errors import InputError
from intentwatch.pipeline.io import INPUT_FORMATS
from intentwatch.pipeline.io.codec import decode_action

from .base import BadRecord, Result, lines_through
from .files import ZSTD_MAGIC, Damaged, chunks, first_frame
from .inspect_logs import ZIP_MAGIC
from .libs import PARQUET_MAGIC
from .order import files_in_order, in_time_order, merged_by_start
from .unknown import UnknownFields, unknown_fields

FORMATS = INPUT_FORMATS

__all__ = ["FORMATS", "Adapter", "BadRecord", "NativeAdapter", "Result", "UnknownFields", "actions_from",
           "open_adapter", "read_tree", "sniff_format", "sniff_mapping", "unknown_fields"]


class Adapter(Protocol):
    name: str

    def decode(self, raw: bytes, source: str) -> Iterator[Result]: ...

    def read(self, path: str | Path) -> Iterator[Result]: ...


class NativeAdapter:
    """intentwatch's own action JSON, one action per line, through the native codec."""

    name = "native"

    def __init__(self, max_bytes: int = 1_048_576):
        self.max_bytes = max_bytes

    def decode(self, raw: bytes, source: str) -> Iterator[Result]:
        try:
            yield decode_action(raw, source, self.max_bytes)
        except InputError as err:
            yield BadRecord(err.source, err.reason, raw)

    def read(self, path: str | Path) -> Iterator[Result]:
        return lines_through(self.decode, path)


SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".gz", ".pb", ".pb.gz", ".log", ".log.gz",
            ".traj", ".eval", ".zst", ".parquet")  # (SWE-agent's runs; Inspect's logs, zip archives; zstd; Security Lake)


def read_tree(adapter: Adapter, path: str | Path) -> Iterator[Result]:
    """A file, or every file below a folder (as S3 delivers CloudTrail: ``AWSLogs/<acct>/CloudTrail/...``),
    through one adapter (so duplicates across files count once): files in the order of the time their
    name gives, else of their names (an adapter that reads session files, ``file_start``, has them
    merged by time instead); an adapter whose records come in no set order (``reorder_seconds``)
    has its actions put back in time order within that many seconds (``order.py``)."""
    slack = getattr(adapter, "reorder_seconds", 0.0)
    results = _files(adapter, Path(path))
    return in_time_order(results, slack) if slack > 0 else results


def _files(adapter: Adapter, p: Path) -> Iterator[Result]:
    if not p.is_dir():
        yield from adapter.read(p)
        return
    files = files_in_order((x for x in p.rglob("*") if x.is_file()), SUFFIXES)
    start_of = getattr(adapter, "file_start", None)
    if start_of is not None:  # session files: merged by time from each one's start (order.py)
        starts = [(start_of(f), str(f)) for f in files]
        for t, f in starts:
            if t is None:  # (naming no time, a benchmark's runs: read first, one after another)
                yield from adapter.read(f)
        yield from merged_by_start([(t, f) for t, f in starts if t is not None], adapter.read)
        return
    together = getattr(adapter, "read_files", None)  # files of one export (OTel: a trace across rotated files)
    if together is not None:
        yield from together(files)
        return
    for f in files:
        yield from adapter.read(f)


# What the first bytes of a file in each foreign format hold (a native action has none of them).
_LOOKS = (("otel-json", (b'"resourceSpans"', b'"resourceLogs"', b'"resource_spans"', b'"resource_logs"')), ("otel-json", (b'"traceID"', b'"trace.span"', b'"localEndpoint"', b'"parentObservationId"', b'"run_type"', b'"trace_state"', b'"span_kind"',
                                     b'"SpanAttributes"', b'"span_attributes"', b'"op_name"', b'"context.span_id"', b'"root_span_id"',
                                     b'"startTimeUnixNano"', b'\\"startTimeUnixNano\\"')),  # (ADOT's spans, and in CloudWatch's envelopes)
          ("cloudtrail", (b'"eventVersion"', b'"CloudTrailEvent"', b'"eventSource"', b'\\"eventVersion\\"', b'"eventsource"', b'"event_source"',
                          b'"aws.cloudtrail.', b'"cloudtrail":')),  # (a CloudWatch Logs event's; a query's rows; ECS)
          ("transcript", (b'"tool_calls"', b'"tool_use_id"', b'"function_call"', b'"functionCall"', b'"session_meta"',
                          b'"observation"', b'"trajectory_format"', b'"intermediate_steps"', b"] Message from client: ", b'"ModelInvocationLog"',
                          b'\\"ModelInvocationLog\\"', b'"orchestrationTrace"', b'"ToolCallRequestEvent"', b'"toolRequest"', b'"toolCalls"', b'"User Instruction"',
                          b'"conversations"')))  # (ShareGPT's)
# The mapping shipped (deploy/mappings/) for what a ``mapped`` file looks like; checked after _LOOKS.
_MAPPINGS = ((b'"protoPayload"', "gcp-audit-log.yaml"), (b'"activityDisplayName"', "entra-audit-log.yaml"),
             (b'"legacyEventType"', "okta-system-log.yaml"), (b'"_document_id"', "github-audit-log.yaml"),
             (b'"operationName"', "azure-activity-log.yaml"))  # (Entra's export has an operationName too: first)


def sniff_format(path: str | Path, peek: int = 1 << 16) -> str | None:
    """The foreign format a file's first bytes look like (None: none, or not readable): for the hint
    a replay that read no action gives (``replay`` reads native action JSON unless told otherwise).

    >>> import tempfile, os; f = tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False)
    >>> _ = f.write(b'{"Records": [{"eventVersion": "1.09", "eventSource": "s3.amazonaws.com"}]}'); f.close()
    >>> sniff_format(f.name); os.unlink(f.name)
    'cloudtrail'
    """
    head = _head(path, peek)
    if head is None:
        return None
    if head.startswith(ZIP_MAGIC):  # a zip: an Inspect .eval log names its journal or samples
        return "transcript" if b"_journal/" in head or b"samples/" in head else None
    if head.startswith(PARQUET_MAGIC):  # the Parquet read: Security Lake's OCSF CloudTrail
        return "cloudtrail"
    if head[4:8] == ZSTD_MAGIC:  # the file exporter's messages compressed one by one: JSON or protobuf inside
        return "otel-json" if first_frame(head[4:]).lstrip().startswith(b"{") else "otel-proto"
    if b"\x00" in head or not _utf8(head):
        return "otel-proto"
    for fmt, marks in _LOOKS:
        if any(m in head for m in marks):
            return fmt
    return "mapped" if _mapping(head) else None


def sniff_mapping(path: str | Path, peek: int = 1 << 16) -> str | None:
    """The file name of the shipped mapping (deploy/mappings/) a ``mapped`` file looks like."""
    head = _head(path, peek)
    return None if head is None else _mapping(head)


def _head(path: str | Path, peek: int) -> bytes | None:
    """A file's first ``peek`` bytes (a .gz file's uncompressed), or None when it cannot be read."""
    try:
        return next(chunks(path, peek), b"")[:peek]
    except (OSError, Damaged):
        return None


def _mapping(head: bytes) -> str | None:
    return next((name for mark, name in _MAPPINGS if mark in head), None)


def _utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= len(head) - 3  # (a character cut by the peek)
    return True


def actions_from(adapter: Adapter, path: str | Path, dead: Any = None) -> Iterator[Action]:
    """The actions of a file or folder through ``adapter``; bad records to ``dead`` (a
    ``DeadLetterFile``), or dropped when it is None (a second pass over the same input)."""
    for r in read_tree(adapter, path):
        if isinstance(r, BadRecord):
            if dead is not None:
                dead.put(r.error(), r.raw)
        else:
            yield r


def open_adapter(fmt: str, mapping: str | Path | None = None, options: dict[str, Any] | None = None) -> Adapter:
    """The adapter for ``fmt``, configured by ``options`` (the adapter's options model, as a dict)
    or, for ``mapped``, by the mapping file."""
    options = options or {}
    if fmt == "native":
        return NativeAdapter(**options)
    if fmt in ("otel-json", "otel-proto"):
        from .otel import OtelAdapter, OtelOptions

        return OtelAdapter(fmt[5:], OtelOptions.model_validate(options))  # type: ignore[arg-type]
    if fmt == "cloudtrail":
        from .cloudtrail import CloudTrailAdapter, CloudTrailOptions

        return CloudTrailAdapter(CloudTrailOptions.model_validate(options))
    if fmt == "mapped":
        from .mapped import MappedAdapter, Mapping

        if mapping is None:
            raise ValueError("format 'mapped' needs a mapping file (--mapping FILE)")
        return MappedAdapter(Mapping.load(mapping))
    if fmt == "transcript":
        from .options import TranscriptOptions
        from .transcript import TranscriptAdapter

        return TranscriptAdapter(TranscriptOptions.model_validate(options))
    raise ValueError(f"unknown input format {fmt!r} (known: {', '.join(FORMATS)})")

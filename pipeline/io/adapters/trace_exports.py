"""What the readers of other tracing tools' records share (openai_agents.py, langfuse.py, langsmith.py, weave.py;
jaeger.py, zipkin.py and sdk_spans.py the loop, the bad record, events and the time bound): the loop
over a document's items, a bad item's record, text ids, ISO times, a recorded call as the GenAI span
attributes otel.py maps, an event as OTLP/JSON writes it, a bad record kept as a link in its
descendants' line of ancestors, and the tools a model's reply asks for."""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any, Final

from intentwatch.pipeline.io.deadletter import failure

from .base import BadRecord
from .libs import dumps_any
from .messages import requested_calls
from .otlp import Span, SpanError

Read = Iterator[tuple[dict[str, Any], Span | BadRecord]]  # (resource attributes, span or bad span)
MAX_MICROS = (1 << 64) // 1000  # a time in microseconds past this is past OTLP's nanoseconds (2^64)


def first_item(doc: Any, key: str, beside: str | None = None) -> Any:
    """What a reader looks at to know a document: the first item of a page (``{key: [...]}``, with
    ``beside`` next to it when given) or of a list, else the document itself (None: an empty list)."""
    if doc.__class__ is dict and doc.get(key).__class__ is list and (beside is None or beside in doc):
        doc = doc[key]
    if doc.__class__ is list:
        doc = doc[0] if doc else None
    return doc


def bad(position: str, err: Exception, raw: Any) -> BadRecord:
    """The dead letter of an item its reader raised on: a ``SpanError`` says why, anything else is a failure."""
    return BadRecord(position, str(err) if isinstance(err, SpanError) else failure(err), dumps_any(raw))


def json_event(name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """An event as OTLP/JSON writes it (what ``Span.event_list`` reads), its values as text."""
    return {"name": name, "attributes": [{"key": k, "value": {"stringValue": v if type(v) is str else dumps_any(v).decode()}}
                                         for k, v in fields.items()]}


def each_item(items: list[Any], where: str, listed: bool,
              read: Callable[[Any, str], Iterable[tuple[dict[str, Any], Span | BadRecord]]]) -> Read:
    """What ``read`` makes of each item, at ``where[i]`` (``listed``; else ``where``): an item that breaks
    (its reader raises) is a bad record with the reason, and the next one is read."""
    for i, item in enumerate(items):
        position = f"{where}[{i}]" if listed else where
        try:
            yield from read(item, position)
        except Exception as err:  # noqa: BLE001 - an item of an unforeseen shape costs that item
            yield {}, bad(position, err, item)


def text_id(value: Any, what: str) -> str:
    if type(value) is str and 0 < len(value) <= 128:
        return value
    raise SpanError(f"{what} {value!r} is not an id (text)")


_YEAR_10000: Final = 253_402_300_800  # Unix seconds of 10000-01-01T00:00Z


def iso_nanos(value: Any, what: str) -> int:
    """An ISO 8601 time as Unix nanoseconds (no offset: UTC, as these tools write)."""
    if type(value) is str:
        try:
            t = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if t.tzinfo is None:
                t = t.replace(tzinfo=timezone.utc)
            seconds = int(t.timestamp())
            if seconds >= _YEAR_10000:  # (no datetime holds it in UTC: 9999-12-31T23:59-05:00)
                raise SpanError(f"{what} {value!r} is after the year 9999 in UTC")
            if seconds > 0:
                return seconds * 1_000_000_000 + t.microsecond * 1000
    raise SpanError(f"{what} {value!r} is not an ISO 8601 time after 1970")


def genai_attributes(op: str, kind: str, record: dict[str, Any], messages: bool) -> dict[str, Any]:
    """The GenAI attributes of one recorded tool call, agent run or model call (``op``: its GenAI
    operation, "" when it is none: then ``kind`` names it, and it is skipped under that name), from the
    record's ``name``, ``input``, ``output`` and ``model``; ``messages``: a model call's input and output
    are message lists (the user's request is read from them)."""
    name = record.get("name")
    if type(name) is not str:
        name = None  # (a tool call with no name is a dead letter; an agent with none names no one)
    a: dict[str, Any] = {"gen_ai.operation.name": op or kind}
    if op == "execute_tool":
        a["gen_ai.tool.name"] = name
        for key, genai in (("input", "gen_ai.tool.call.arguments"), ("output", "gen_ai.tool.call.result")):
            if record.get(key) is not None:
                a[genai] = record[key]
    elif op == "invoke_agent":
        a["gen_ai.agent.name"] = name
    elif op == "retrieval":  # a retriever's query and the documents it gave (retrievals.py)
        for key, genai in (("input", "gen_ai.retrieval.query.text"), ("output", "gen_ai.retrieval.documents")):
            if record.get(key) is not None:
                a[genai] = record[key]
    elif op == "chat":
        if type(record.get("model")) is str and record["model"]:
            a["gen_ai.request.model"] = record["model"]
        for key, genai in (("input", "gen_ai.input.messages"), ("output", "gen_ai.output.messages")):
            if messages and record.get(key).__class__ is list and record[key]:
                a[genai] = record[key]
    return a


def still_a_link(trace: Any, span_id: Any, parent: Any, names: dict[str, Any], family: str, position: str,
                 raw: Any) -> Span | None:
    """A record that went to dead letters, kept (when its ids are text) as a link in its descendants'
    line of ancestors with the agent and session it ``names``, so a bad agent run does not cost its
    calls their agent: no action (skipped as ``<family>.unread``). None: its ids are unusable too."""
    if type(trace) is not str or type(span_id) is not str or not (parent is None or type(parent) is str):
        return None
    return Span(trace[:128], span_id[:128], (parent or "")[:128], "unread", 0, 0, "",
                {**names, "gen_ai.operation.name": f"{family}.unread"}, position, raw, ())


def tools_asked(reply: Any) -> set[str]:
    """The names of the tools a model's reply (a message, or a list of them) asks for; none from a reply of a
    shape no form reads (a tracing tool's record of another kind)."""
    try:
        return {name for _, name, _ in requested_calls(reply if reply.__class__ is list else [reply])}
    except Exception:  # noqa: BLE001 - a reply of an unforeseen shape names no tool
        return set()

"""Langfuse's traces as its public API hands them out -> ``Span`` records, mapped as GenAI spans are (otel.py).

Langfuse keeps a trace and its observations; its API (and what teams save from it) gives a trace
with its ``observations`` (``GET /api/public/traces/{id}``), a page of observations (``GET
/api/public/observations``: ``{"data": [...], "meta": {...}}``), a list of either, or one per line; a
trace saved beside its observations (``{"trace": {...}, "observations": [...]}``, or several: ``{"traces":
[...], "observations": [...]}``) is read as the first. Observations are read in the order of their actions'
times (``_by_time``), and one ingested over OpenTelemetry with the span attributes it keeps (``_with_otel``).

- a trace (``id``, ``name``, ``sessionId``, ``userId``, ``input``, ``timestamp``): the root span of its
  observations, never an action; its ``sessionId`` their session, its ``input`` the user's request,
  its ``name`` their agent when no agent observation is nearer;
- an observation (``id``, ``traceId``, ``parentObservationId``, ``type``, ``name``, ``startTime``,
  ``endTime``, ``input``, ``output``, ``model``, ``level``, ``statusMessage``), by ``type``: ``TOOL`` an
  ``execute_tool`` span (``name`` the tool, ``input`` its arguments, ``output`` its result), ``AGENT``
  an ``invoke_agent`` span (``name`` the agent), ``GENERATION`` a ``chat`` span (``model``; ``input``
  messages: the request); the other types (``SPAN``, ``EVENT``, ``CHAIN``, ``RETRIEVER``,
  ``EMBEDDING``, ``EVALUATOR``, ``GUARDRAIL``) are skipped. ``level: ERROR`` is status ERROR, its
  ``statusMessage`` the message.

Langfuse before its typed observations (v2, and its LangChain handler then) recorded a tool call as a
``SPAN`` named after the tool: in a trace (or a page of observations) with no ``TOOL`` observation, a
``SPAN`` named after a tool that one of its ``GENERATION``s asked for (its ``output`` message's tool
calls) is read as that tool's call; other spans stay skipped. What breaks an item (its siblings go
on): no text ``id`` / ``traceId``, a ``startTime`` that is not an ISO time after 1970.
"""

from typing import Any

from .beeai import beeai_event
from .json_text import parse_json_text
from .otel_conventions import span_agent, unwrapped
from .otlp import Span, SpanError
from .trace_exports import Read, bad, each_item, first_item, genai_attributes, iso_nanos, still_a_link, text_id, tools_asked

_OPERATIONS = {"TOOL": "execute_tool", "AGENT": "invoke_agent", "GENERATION": "chat", "RETRIEVER": "retrieval"}


def _observation_like(item: Any) -> bool:
    return item.__class__ is dict and "traceId" in item and "startTime" in item and "type" in item


def _trace_like(item: Any) -> bool:
    return item.__class__ is dict and item.get("observations").__class__ is list and "id" in item


def _joined(item: Any) -> Any:
    """Traces saved beside their observations (``{"trace": {...}, "observations": [...]}`` or ``{"traces": [...],
    "observations": [...]}``, as Langfuse's own stored example traces are) as the API's traces with their
    observations (a list for ``traces``; an observation of none of them stands alone); anything else as it is."""
    if item.__class__ is not dict or "id" in item or item.get("observations").__class__ is not list:
        return item
    if item.get("trace").__class__ is dict:
        return {**item["trace"], "observations": item["observations"]}
    traces = item.get("traces")
    if traces.__class__ is not list:
        return item
    ids = {t.get("id"): [] for t in traces if t.__class__ is dict and type(t.get("id")) is str}
    alone = []
    for o in item["observations"]:
        trace = o.get("traceId") if o.__class__ is dict else None
        (ids[trace] if type(trace) is str and trace in ids else alone).append(o)
    out = []
    for t in traces:  # (a trace id listed twice takes its observations once: the first copy)
        if t.__class__ is dict and t.get("id") in ids:
            t = {**t, "observations": ids.pop(t["id"])}
        out.append(t)
    return out + alone


def is_langfuse(doc: Any) -> bool:
    """Whether a document is Langfuse's: a trace with its observations, an observation, a page or a list of them."""
    doc = _joined(first_item(doc, "data", "meta"))
    if doc.__class__ is list:  # (several traces beside their observations)
        doc = doc[0] if doc else None
    return _observation_like(doc) or _trace_like(doc)


def _asked_tools(observations: list[Any]) -> frozenset[str]:
    """The tools the generations among ``observations`` asked for, when none is a ``TOOL`` observation
    (a v2 trace: its tool calls are ``SPAN``s named after them)."""
    names: set[str] = set()
    for obs in observations[:MAX_OBSERVATIONS]:
        if obs.__class__ is not dict:
            continue
        if obs.get("type") == "TOOL":
            return frozenset()
        if obs.get("type") == "GENERATION" and obs.get("output") is not None:
            names |= tools_asked(obs["output"])
    return frozenset(names)


MAX_OBSERVATIONS = 100_000  # observations of a trace or page looked at for the tools asked


def _observation(item: Any, position: str, tools: frozenset[str] = frozenset()) -> Span:
    if not _observation_like(item):
        raise SpanError("not a Langfuse observation (traceId, startTime, type)")
    otel = _otel(item.get("metadata"))
    kind = otel.get("openinference.span.kind")
    event = beeai_event(otel, kind, str(item.get("name") or "")) if type(kind) is str else None
    if event is not None:  # (a span of each event: a tool's call, or a part of a run)
        otel = {**otel, **event}
    kind = _kind(item["type"], otel)
    if kind == "SPAN" and tools and type(item.get("name")) is str and item["name"] in tools:
        kind = "TOOL"  # (a v2 trace's tool call: ``_asked_tools``)
    op = _OPERATIONS.get(kind, "") if type(kind) is str else ""
    a = genai_attributes(op, f"langfuse.{str(kind).lower()[:40]}", item, True)
    a = _with_otel(a, otel)
    if op == "execute_tool" and otel.get("langsmith.span.kind") == "tool":  # (sent by LangSmith's export)
        for key, wrap in (("gen_ai.tool.call.arguments", "input"), ("gen_ai.tool.call.result", "output")):
            if a.get(key) is not None:
                a[key] = unwrapped(a[key], wrap)
    if op == "invoke_agent" and type(item.get("name")) is str and a.get("gen_ai.agent.name") == item["name"]:
        a["gen_ai.agent.name"] = span_agent(item["name"])  # (named after its span)
    a["langfuse.type"] = kind
    if op in ("invoke_agent", "chat") and item.get("output") is not None and "gen_ai.output.messages" not in a:
        a["langfuse.observation.output"] = item["output"]  # an answer or one message, not a list (answers.py)
    name = item.get("name") if type(item.get("name")) is str else None
    status, message = 0, ""
    if item.get("level") == "ERROR":
        status, message = 2, str(item.get("statusMessage") or "error")
    said = item.get("output")
    if op == "execute_tool" and said.__class__ is dict and said.get("type") == "tool" and "content" in said:
        a["gen_ai.tool.call.result"] = said["content"]  # LangChain's ToolMessage: what the tool said
        if said.get("status") == "error" and not status:
            status, message = 2, "tool message status error"
    trace = text_id(item["traceId"], "traceId")
    parent = item.get("parentObservationId")
    end = item.get("endTime")
    return Span(trace, text_id(item.get("id"), "id"), text_id(parent, "parentObservationId") if parent is not None else trace,
                (name or str(kind))[:200], iso_nanos(item["startTime"], "startTime"), status, message, a, position, item, (),
                end=iso_nanos(end, "endTime") if end else 0)


# What an instrumentation wrote of its own call wins over what the observation's name and type say: Langfuse
# names an observation after its OTel span ("execute_tool say_hello", Pydantic AI's "running tool: ...").
_OTEL_NAMES = ("gen_ai.tool.name", "gen_ai.tool.call.id", "gen_ai.agent.name", "gen_ai.agent.id")


# What an observation ingested over OpenTelemetry is, by what its span said: its GenAI operation (another one,
# Koog's ``create_agent``, is no action), else a tool it names (Langfuse typed Koog's tool spans, and before
# mid-2025 OpenInference's, as SPAN). An OpenInference kind alone says too little: BeeAI's instrumentation makes
# a span of every event (``agent.react.update-13`` AGENT, ``tool.search.wikipedia.start-12`` TOOL).
_OTEL_KINDS = {"execute_tool": "TOOL", "invoke_agent": "AGENT", "chat": "GENERATION", "text_completion": "GENERATION",
               "generate_content": "GENERATION", "retrieval": "RETRIEVER"}


def _kind(kind: Any, otel: dict[str, Any]) -> Any:
    """The observation's type, or what its span's own attributes say it is."""
    said = otel.get("gen_ai.operation.name")
    if type(said) is str and said:
        return _OTEL_KINDS.get(said, said[:40])
    if kind == "SPAN" and any(type(otel.get(k)) is str and otel[k] for k in ("gen_ai.tool.name", "tool.name")):
        return "TOOL" if otel.get("openinference.span.kind") in (None, "TOOL") else kind
    return kind


def _otel(metadata: Any) -> dict[str, Any]:
    """The span attributes an observation ingested over OpenTelemetry keeps in ``metadata.attributes`` (an object,
    or its JSON text); empty: none."""
    if type(metadata) is str and '"attributes"' in metadata:
        metadata = parse_json_text(metadata)
    otel = metadata.get("attributes") if metadata.__class__ is dict else None
    return otel if otel.__class__ is dict else {}


_EMPTY = (None, "", {}, [], "{}", "[]", "null")  # (Langfuse writes an observation's empty input or output as "{}")


def _with_otel(a: dict[str, Any], otel: dict[str, Any]) -> dict[str, Any]:
    """The span's attributes (``_otel``) read as the span's (an ADK tool's arguments and response when Langfuse's
    ``input`` / ``output`` are empty, or "{}"), under what the observation itself says (empty values aside)."""
    if not otel:
        return a
    out = {k: v for k, v in otel.items() if type(k) is str}
    out.update((k, v) for k, v in a.items() if v not in _EMPTY)
    out.update((k, otel[k]) for k in _OTEL_NAMES if type(otel.get(k)) is str and otel[k])
    return out


def _root(trace: dict[str, Any], position: str) -> Span:
    """A trace as the root span of its observations: their session, request and (last) agent."""
    a: dict[str, Any] = {"gen_ai.operation.name": "langfuse.trace", "langfuse.observation.type": "trace"}
    for key, genai in (("sessionId", "gen_ai.conversation.id"), ("name", "gen_ai.agent.name"), ("input", "langfuse.trace.input")):
        if trace.get(key) is not None and trace[key] != "":
            a[genai] = trace[key]
    trace_id = text_id(trace.get("id"), "trace id")
    return Span(trace_id, trace_id, "", str(trace.get("name") or "trace")[:200], 0, 0, "", a, position, trace, (), True)


def langfuse_spans(doc: Any, source: str) -> Read:
    """(no resource, span or bad span) for every trace and observation of a Langfuse document (``is_langfuse``)."""
    where = source
    if doc.__class__ is dict and "meta" in doc and doc.get("data").__class__ is list:
        doc, where = doc["data"], f"{source}#data"
    elif doc.__class__ is dict and doc.get("traces").__class__ is list:
        doc, where = _joined(doc), f"{source}#traces"  # (each trace with its observations)
    items = doc if doc.__class__ is list else [doc]
    tools = _asked_tools(items)  # (a page of a v2 trace's observations)
    if doc.__class__ is not list:
        return each_item(items, where, False, lambda item, position: _item(item, position, tools))
    return (r for i, item in _by_time(items) for r in each_item([item], f"{where}[{i}]", False,
                                                             lambda one, position: _item(one, position, tools)))


def _item(item: Any, position: str, tools: frozenset[str]) -> Read:
    """A trace and its observations, or one observation (each that breaks costs only itself)."""
    item = _joined(item)
    if not _trace_like(item):
        yield from _one(item, position, tools)
        return
    yield {}, _root(item, position)
    asked = _asked_tools(item["observations"])
    for k, obs in _by_time(item["observations"]):
        yield from _one(obs, f"{position}.observations[{k}]", asked)


def _by_time(items: list[Any]) -> list[tuple[int, Any]]:
    """(index, item) in the order of the times their actions take: an agent's its end (its run ends after its
    calls), any other its start. Langfuse keeps a trace's observations, and pages them, in no such order, and
    the engine reads a session's results before the reply that repeats them only in time order."""
    return sorted(enumerate(items), key=lambda pair: _when(pair[1]))


def _when(item: Any) -> int:
    if item.__class__ is not dict:
        return 0
    try:
        return iso_nanos(item.get("endTime") if item.get("type") == "AGENT" and item.get("endTime") else item.get("startTime"), "time")
    except SpanError:
        return 0  # (a dead letter: where it goes does not matter)


def _one(obs: Any, position: str, tools: frozenset[str]) -> Read:
    try:
        if type(obs) is str:  # (a trace list gives observation ids only)
            raise SpanError("an observation id, not the observation: export the trace itself (GET /api/public/traces/{id})")
        yield {}, _observation(obs, position, tools)
    except Exception as err:  # noqa: BLE001 - an observation of an unforeseen shape costs it alone
        yield from _bad(obs, position, err)


def _bad(item: Any, position: str, err: Exception) -> Read:
    """A dead letter, and the observation still a link in its children's line (``still_a_link``)."""
    yield {}, bad(position, err, item)
    if _observation_like(item):
        names = {"gen_ai.agent.name": item["name"]} if item["type"] == "AGENT" and type(item.get("name")) is str else {}
        link = still_a_link(item["traceId"], item.get("id"), item.get("parentObservationId") or item["traceId"], names,
                            "langfuse", position, item)
        if link is not None:
            yield {}, link

"""OpenTelemetry GenAI spans -> actions, from OTLP/JSON or OTLP protobuf.

A span becomes an action when its ``gen_ai.operation.name`` (or the first word of its name) is ``execute_tool``
(a tool call), ``invoke_agent``, ``chat``, ``text_completion`` or ``generate_content`` (model use, operation
``invoke``), or ``retrieval`` or a memory operation (``search_memory``, ``upsert_memory``...: retrievals.py); a span
with no operation that is an MCP ``tools/call`` or names a tool (``gen_ai.tool.name``) is a tool call. Other spans
(HTTP, ``embeddings``...) are counted in ``skipped``, not dead-lettered. Other producers' keys (OpenInference,
Traceloop, ADK, Claude Code...): otel_conventions.py.

Who acted: ``gen_ai.agent.id``, else ``gen_ai.agent.name``, on the span or on its nearest ancestor in the same
request (tool spans are children of an ``invoke_agent`` span that carries the name), else the resource attribute
``agent_resource_attribute`` (``service.name`` by default; the SDK's ``unknown_service...`` names no one), else the
agent an ``invoke_agent <name>`` span (the span or an ancestor) is named after. A span with none of them is a bad
record. Reading a file, ancestors may be in other requests: otel_traces.py.

Both encodings are read into one ``Span`` shape (otlp.py: what breaks OTLP); a span is also bad (its siblings
carry on) with no agent or a field the action contract rejects. OTLP *logs* (coding agents' events, the GenAI
message events): otel_events.py. Jaeger's trace JSON, as the same spans: jaeger.py.

A trace with no tool span (an application instrumented only at its model client) shows its tool calls in its chat
spans' messages: each completed call becomes an action once, and the state-changing calls a model asks for once
the trace has shown completed ones (``tool_calls_from_messages``; otel_messages.py).

Span attributes named ``intentwatch.<field>`` (``intentwatch.event_id``, ``.operation``, ``.resource``...) set that
action field over anything derived: an application can state them, a simulated fleet round-trips.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Literal

from intentwatch.models.action import Action
from intentwatch.pipeline.engine.toolcall import ANSWER, TOOL_DEFINITIONS
from intentwatch.pipeline.io.deadletter import failure

from .answers import span_answer
from .base import BadRecord, JsonInput, Result, framed, from_unix_nanos, make_action
from .files import framed_zstd
from .libs import dumps_any
from .braintrust import braintrust_spans, is_braintrust
from .jaeger import jaeger_spans
from .langfuse import is_langfuse, langfuse_spans
from .langsmith import is_langsmith, langsmith_spans
from .sdk_spans import is_sdk_span, sdk_spans
from .span_rows import is_span_rows, span_rows
from .openai_agents import agents_spans, is_export
from .weave import WeaveReader, is_weave
from .zipkin import is_zipkin, zipkin_spans
from .call_ids import SpanIds
from .messages import resource_argument
from .options import OtelOptions
from .otel_events import AgentEvents, json_events, proto_events
from .otel_conventions import as_genai, tool_io
from .otel_messages import MessageCalls, has_input
from .otel_requests import MODEL_OPERATIONS, OfferedTools, TraceRequests, event_request, model_span, offered_tools, span_request
from .otel_traces import SESSION_KEYS, TraceMemory, called_tool, first_missing, first_set, inherited, named_agent, nearest, \
    resource_agent, tools_in_start_order
from .otlp import Span, SpanError, Spans, camel_keys, json_spans, proto_spans
from .peers import PeerResults
from .retrievals import CONTEXT_OPERATIONS, context_use

# (Final: compiled, a constant is a C global, not a module dict lookup)
STATUS_ERROR: Final = 2
ACTION_OPERATIONS: Final = MODEL_OPERATIONS | frozenset({"execute_tool", *CONTEXT_OPERATIONS})
# Span attributes that set an action field as they are.
FIELD_ATTRIBUTES: Final = {f"intentwatch.{f}": f for f in (
    "event_id", "agent_id", "tool", "operation", "resource", "data_domain", "outcome", "credential_id",
    "source_ip", "task_id", "session_id", "bytes", "model")}
_FIELD_KEYS: Final = frozenset(FIELD_ATTRIBUTES)
_AGENT_KEYS: Final = ("gen_ai.agent.id", "gen_ai.agent.name")
_CAMEL_ROOTS: Final = frozenset({"resourceSpans", "resourceLogs", "resourceMetrics"})
_SNAKE_ROOTS: Final = frozenset({"resource_spans", "resource_logs", "resource_metrics"})


def _has_messages(span: Span, action: Action) -> bool:
    """A model call whose span holds its input messages (where a trace with no tool span shows its calls)."""
    return action.operation == "invoke" and has_input(span.attrs)


class OtelAdapter(JsonInput):
    """Spans of OTLP requests -> actions (``encoding`` ``json`` or ``proto``); one instance per run:
    ``skipped`` counts the spans (and log events) that are not agent actions, by operation."""

    def __init__(self, encoding: Literal["json", "proto"] = "json", options: OtelOptions | None = None):
        self.encoding = encoding
        self.name = f"otel-{encoding}"
        self.options = options or OtelOptions.model_validate({})
        self.skipped: Counter[str] = Counter()
        ranked: list[str] = list(self.options.resource_arguments)  # typed: the isolated build sees no pydantic
        self._ranks = {k: i for i, k in reversed(list(enumerate(ranked)))}
        self._memory: TraceMemory | None = None  # while reading a file
        self._cut = False  # the last mapped span found no agent, its ancestors cut off in an earlier request
        # the options read per span, held here (compiled: a native attribute, not a pydantic lookup)
        self._agent_attribute = self.options.agent_resource_attribute
        self._keep_resource = self.options.keep_resource_attributes
        self._tools = self.options.tools
        self._operations: dict[str, str] = {}  # tool -> operation, as self._tools says
        self._requests: dict[str, str | None] = {}  # span id -> the user's request its input messages hold
        self._traced = TraceRequests()  # a trace's request, for tool calls with none above them
        self._peers = PeerResults()  # a trace's tool results, handed on to its other agents' calls
        self._span_ids = SpanIds()  # a span id another trace used before (call_ids.py)
        self._offered = OfferedTools()  # the tools a trace's model calls were offered last
        self._weave = WeaveReader()  # the tools each Weave trace's model calls named (weave.py)
        self._from_messages = self.options.tool_calls_from_messages  # calls seen only in messages (otel_messages.py)
        self._messages = MessageCalls(self._operation_of, self._put_io, self._peers)  # a trace's calls from its messages
        self._logs = self.options.signal == "logs"  # protobuf holds logs (OTLP/JSON says by its key): otel_events.py
        self._events = AgentEvents(self._agent_attribute, self._keep_resource, self._operation_of, self._put_io,
                                   self.skipped, self._from_messages)

    def decode(self, raw: bytes, source: str) -> Iterator[Result]:
        """One Kafka message, one line of a Collector file, or one whole file."""
        if self.encoding == "json":
            return JsonInput.decode(self, raw, source)
        if self._logs:
            return self._events.request(proto_events(raw, source), raw, source)
        return self._request(proto_spans, raw, raw, source)

    def _document(self, doc: Any, raw: bytes, source: str) -> Iterator[Result]:
        if doc.__class__ is list and doc and doc[0].__class__ is dict and not doc[0].keys().isdisjoint(_CAMEL_ROOTS):
            return (r for i, d in enumerate(doc) for r in self._document(d, dumps_any(d), f"{source}[{i}]"))  # requests listed
        if doc.__class__ is dict and doc.keys().isdisjoint(_CAMEL_ROOTS) and not doc.keys().isdisjoint(_SNAKE_ROOTS):
            doc = camel_keys(doc)  # protobuf's field names (MessageToJson's preserving_proto_field_name)
        if doc.__class__ is dict and ("resourceLogs" in doc or "resourceMetrics" in doc):
            if "resourceMetrics" in doc:  # (one file exporter for every pipeline writes them among the rest)
                self.skipped["metrics (no actions)"] += 1
                return iter(())
            return self._events.request(json_events(doc, source), raw, source)
        if doc.__class__ is not dict or "resourceSpans" not in doc:
            if is_export(doc):  # the OpenAI Agents SDK's own trace export (openai_agents.py)
                return self._request(agents_spans, doc, raw, source)
            if is_sdk_span(doc):  # spans as the OTel Python SDK prints them, as Phoenix returns them (sdk_spans.py)
                return self._request(sdk_spans, doc, raw, source)
            if is_braintrust(doc):  # Braintrust's project logs (braintrust.py; before span rows: its events have span_attributes too)
                return self._request(braintrust_spans, doc, raw, source)
            if is_span_rows(doc):  # a trace store's rows (the Collector's ClickHouse exporter), TRAIL's traces (span_rows.py)
                return self._request(span_rows, doc, raw, source)
            if is_langsmith(doc):  # LangSmith's runs (langsmith.py)
                return self._request(langsmith_spans, doc, raw, source)
            if is_langfuse(doc):  # Langfuse's traces and observations from its API (langfuse.py)
                return self._request(langfuse_spans, doc, raw, source)
            if is_weave(doc):  # Weave's calls (weave.py)
                return self._request(self._weave.spans, doc, raw, source)
            if is_zipkin(doc):  # Zipkin's v2 JSON (zipkin.py)
                return self._request(zipkin_spans, doc, raw, source)
            if doc.__class__ is dict and doc.get("data").__class__ is list:
                return self._request(jaeger_spans, doc, raw, source)  # Jaeger's trace JSON: the same spans (jaeger.py)
        return self._request(json_spans, doc, raw, source)

    def _request(self, spans_of: Callable[[Any, str], Spans], message: Any, raw: bytes,
                 source: str) -> Iterator[Result]:
        """The actions of one request; a request that is not OTLP at all is one bad record."""
        try:
            spans = list(spans_of(message, source))
        except SpanError as e:
            yield BadRecord(source, str(e), raw)
            return
        tools_in_start_order(spans)  # (a call after the results other agents' calls read before it: peers.py)
        by_id = {s.span_id: s for _, s in spans if isinstance(s, Span)}  # for what children inherit
        memory = self._memory
        if memory is not None:  # reading a file: ancestors may be in other requests (otel_traces.py)
            memory.remember(by_id.values())
        chats: list[tuple[Span, Action]] = []  # model spans whose messages may hold the trace's tool calls
        for resource, span in spans:
            if not isinstance(span, Span):
                yield span  # a BadRecord
                continue
            result = self._map(span, resource, by_id)
            if result is not None:
                if self._cut and memory is not None:  # (_cut is only set while reading a file)
                    memory.hold(span, resource, result)  # its agent may come later
                    continue
                yield result
                if self._from_messages and isinstance(result, Action) and _has_messages(span, result):
                    chats.append((span, result))
        for span, model in chats:  # after the whole request: a tool span later in it is seen first
            yield from self._messages.calls(span, model)
        if memory is not None:
            for span, resource, result in memory.ready():
                yield from self._released(span, resource, result)

    def _released(self, span: Span, resource: dict[str, Any], result: Result | None) -> list[Result]:
        """A span held back while reading a file, let out: its action (mapped again if its line of
        ancestors came), and the tool calls its messages complete."""
        result = result or self._map(span, resource, {})
        if result is None:
            return []
        if self._from_messages and isinstance(result, Action) and _has_messages(span, result):
            return [result, *self._messages.calls(span, result)]
        return [result]

    def _put_io(self, fields: dict[str, Any], attributes: dict[str, Any], args: Any, result: Any) -> None:
        """A tool call's arguments and result into its attributes, and its resource from the arguments."""
        if args is not None:
            attributes["arguments"] = args
            if type(args) is dict:
                resource_name = resource_argument(args, self._ranks)
                if resource_name is not None:
                    fields["resource"] = resource_name
        if result is not None:
            attributes["result"] = result

    def _operation_of(self, tool: str) -> str:
        operation = self._operations.get(tool)
        if operation is None:
            operation = self._tools(tool)
            if len(self._operations) < 65536:
                self._operations[tool] = operation
        return operation

    def _map(self, span: Span, resource: dict[str, Any], by_id: dict[str, Span]) -> Result | None:
        try:
            return self._action(span, resource, by_id)
        except Exception as e:  # noqa: BLE001 - a span of an unforeseen shape costs that span
            return BadRecord(span.position, failure(e), span.raw_bytes())

    def read(self, path: str | Path) -> Iterator[Result]:
        """A file as the Collector's file exporter writes it.

        JSON: one ``TracesData`` per line, or one (pretty-printed) document. Protobuf: messages
        each after a 4-byte big-endian length, or one bare message. gzip and zstd files are read
        too, and ``compression: zstd`` as the exporter wrote it before its native compression (each
        message a zstd frame after its length, JSON too: ``base.framed``).
        """
        return self.read_files([path])

    def read_files(self, paths: Iterable[str | Path]) -> Iterator[Result]:
        """Files read as one export (a folder of the exporter's rotated files, in time order): a span
        held for an ancestor at the end of one file finds it in the next."""
        self._memory = memory = TraceMemory()
        try:
            for path in paths:
                if self.encoding == "json" and not framed_zstd(path):
                    yield from self.read_json(path)
                else:
                    for r in framed(path):
                        yield from self.decode(r[1], r[0]) if isinstance(r, tuple) else (r,)
            for span, resource, result in memory.ready(final=True):  # ancestors that never came: what there is
                yield from self._released(span, resource, result)
        finally:
            self._memory = None

    def _request_of(self, span: Span) -> str | None:
        """The user's request the span holds (``span_request``: an ``invoke_agent`` or ``chat`` span's, an OpenInference agent's...), remembered."""
        if span.span_id in self._requests:
            return self._requests[span.span_id]
        request = span_request(span.attrs)
        if request is None and model_span(span):
            request = event_request(span)
        if len(self._requests) >= 4096:
            self._requests.clear()
        self._requests[span.span_id] = request
        return request

    def _operation(self, span: Span) -> Any:
        """The GenAI operation of a span, or None (counted in ``skipped``) when it is no action."""
        a = span.attrs
        op = a.get("gen_ai.operation.name")
        if op is None or (op.__class__ is str and op not in ACTION_OPERATIONS):  # another convention may say more
            # (LangSmith's export calls a retriever run "embeddings"; as_genai reads only spans that need it)
            a = as_genai(span)
            op = a.get("gen_ai.operation.name")
        if op is None:
            op = span.name.split(" ", 1)[0]
            if op not in ACTION_OPERATIONS:
                # an MCP tools/call span, or a span naming a tool (Pydantic AI's "running tool"): a tool call
                if a.get("mcp.method.name") != "tools/call" and not a.get("gen_ai.tool.name"):
                    self.skipped["not gen_ai"] += 1
                    return None
                op = "execute_tool"
        if op.__class__ is not str:  # (a list or map there names no operation: unhashable, it raised)
            self.skipped["gen_ai.operation.name not text"] += 1
            return None
        if op not in ACTION_OPERATIONS:
            self.skipped[op[:40]] += 1
            return None
        return op

    def _action(self, span: Span, resource: dict[str, Any], by_id: dict[str, Span]) -> Result | None:
        op = self._operation(span)
        if op is None:
            return None
        if op == "execute_tool" and self._from_messages:
            self._messages.tool_span(span.trace_id)
        if op == "execute_tool" and span.parent_id:
            parent = by_id.get(span.parent_id)
            if parent is not None and (called := called_tool(span)) is not None and called_tool(parent) == called:
                # one call traced twice: a framework's tool span over an MCP client span over the
                # server's (the MCP conventions allow it): the outermost is the action
                self.skipped["nested tool span (same call)"] += 1
                return None
        a = span.attrs
        self._cut = False
        far: tuple[Any, Any, Any, bool] | None = None  # what ancestors in other requests of a file say
        agent = a.get("gen_ai.agent.id")  # first_set(a, _AGENT_KEYS), inline
        if agent is None or agent == "":
            agent = a.get("gen_ai.agent.name")
            if agent == "":
                agent = None
            if agent is None and span.parent_id:
                agent = inherited(span, by_id, _AGENT_KEYS)
                if agent is None and self._memory is not None:
                    out = first_missing(span, by_id)
                    if out is not None:
                        far = self._memory.ancestry(out)
                        agent, self._cut = far[0], far[3]
            if agent is None:
                agent = resource_agent(resource, self._agent_attribute)
            if agent is None or agent == "":
                agent = named_agent(span, by_id) or (far[2] if far else None)
        if agent is None or agent == "":
            where = f", nor resource {self._agent_attribute}" if self._agent_attribute else ""
            return BadRecord(span.position, f"{op} span has no agent: no gen_ai.agent.id or gen_ai.agent.name on it "
                                            f"or its ancestors{where}, no invoke_agent span naming one",
                             span.raw_bytes())
        attributes: dict[str, Any] = {"trace_id": span.trace_id, "span_id": span.span_id, "span_name": span.name}
        if span.parent_id:
            attributes["parent_span_id"] = span.parent_id
        provider = a.get("gen_ai.provider.name") or a.get("gen_ai.system")
        if provider:
            attributes["provider"] = provider
        when = span.end_ns() if op == "invoke_agent" else span.start_ns  # (a run is exported at its end, after its calls)
        fields: dict[str, Any] = {"event_id": self._span_ids.event_id(str(agent), span.span_id, span.trace_id),
                                  "agent_id": str(agent), "time": from_unix_nanos(when)}
        if op == "execute_tool":
            tool = a.get("gen_ai.tool.name")
            if not tool:
                named = span.name.split(" ", 1)
                tool = named[1] if len(named) == 2 else None
            if not tool or not isinstance(tool, str):
                return BadRecord(span.position, "execute_tool span has no gen_ai.tool.name (text)", span.raw_bytes())
            fields["tool"], fields["operation"] = tool, self._operation_of(tool)
            v = a.get("gen_ai.tool.call.id")
            if v is not None:
                attributes["tool_call_id"] = v
            v = a.get("gen_ai.tool.type")
            if v is not None:
                attributes["tool_type"] = v
            args, result = tool_io(span, a, tool)
            self._put_io(fields, attributes, args, result)
            self._peers.exchange(span.trace_id, str(agent), attributes, fields["event_id"], tool, result, span.start_ns, span.end_ns())
        elif op in CONTEXT_OPERATIONS:  # documents read for the model, memories kept (retrievals.py)
            fields["tool"], fields["operation"], source, args, result = context_use(op, a)
            self._put_io(fields, attributes, args, result)
            if source is not None:
                fields["resource"] = source
        if "operation" in fields:  # (a tool call or a read: the request of the run it serves, from above)
            request = None if not span.parent_id else \
                nearest(by_id.get(span.parent_id), by_id, self._request_of) or self._traced.of(span, by_id, self._request_of)
            if request is not None:
                attributes["request"] = request
        else:
            request = self._request_of(span)
            if request is not None:
                attributes["request"] = request
                self._traced.note(span, request)
            fields["tool"], fields["operation"] = f"gen_ai.{op}", "invoke"
            offered = offered_tools(a)  # what the model was offered: a poisoned description steers calls
            if offered is not None and self._offered.new(f"{span.trace_id}\0{agent}", offered):  # (each agent its own session)
                attributes[TOOL_DEFINITIONS] = offered
            if (answer := span_answer(a, span.event_list)) is not None:  # what the model told the user (answers.py)
                attributes[ANSWER] = answer
            usage = {k[13:]: v for k, v in a.items() if k.startswith("gen_ai.usage.")}
            if usage:
                attributes["usage"] = usage
        if a.get("error.type") is not None:
            attributes["error_type"] = a["error.type"]
        if span.status_message:
            attributes["status_message"] = span.status_message
        if resource and self._keep_resource:
            attributes["resource"] = resource
        if span.status == STATUS_ERROR:
            fields["outcome"] = "error"
        session = first_set(a, SESSION_KEYS)
        if session is None and span.parent_id:
            session = inherited(span, by_id, SESSION_KEYS)
            if session is None and self._memory is not None:
                out = first_missing(span, by_id)
                session = self._memory.ancestry(out)[1] if out is not None else None
        if session is not None:  # (a field left out costs the validator less than a None)
            fields["session_id"] = session
        fields["task_id"] = span.trace_id
        ip = a.get("client.address")
        if ip is not None:
            fields["source_ip"] = ip
        fields["attributes"] = attributes
        model = a.get("gen_ai.response.model") or a.get("gen_ai.request.model")
        if model:
            fields["model"] = {"id": model}
        if not _FIELD_KEYS.isdisjoint(a):
            for key in _FIELD_KEYS.intersection(a):
                fields[FIELD_ATTRIBUTES[key]] = a[key]
        return make_action(fields, span.position, span.raw)

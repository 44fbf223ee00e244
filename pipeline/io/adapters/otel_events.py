"""OTLP *logs* of coding agents -> actions: the events Claude Code, the Codex CLI and the Gemini CLI export.

Neither writes a span per tool call by default (Claude Code's traces are a beta; Codex writes
logs only): each writes an OTLP log record per event, its name in the record's ``event_name``,
its ``event.name`` attribute or its body (``claude_code.tool_result``, ``codex.tool_result``,
``gemini_cli.tool_call``).
What becomes what (attribute names from each tool's monitoring documentation):

=================  ============================================================================
``tool_result``    a tool call: ``tool_name`` (Gemini: ``function_name``); the call id
``tool_call``      ``tool_use_id`` / ``call_id``; the arguments ``tool_input`` / ``arguments`` /
                   ``function_args`` (JSON text), else Claude Code's
                   ``tool_parameters`` (a Bash command, an MCP tool's server and name);
                   Codex's ``output`` as the result; ``success`` false -> outcome ``error``,
                   a rejected ``decision`` (``decision_type``) -> ``denied``; ``tool_result_size_bytes`` -> bytes
``tool_decision``  a call the user or a policy refused (``reject``, ``denied``, ``abort``...):
                   outcome ``denied``, with the id its ``tool_result`` would have (counted once);
                   an accepted one is skipped (its ``tool_result`` follows)
``user_prompt``    no action: its ``prompt`` (unless redacted) is the request of the calls of
                   the same ``prompt.id`` / ``prompt_id`` or, else, of the same conversation
``api_request``    model use, as a ``chat`` span: tool ``gen_ai.chat``, operation ``invoke``,
``api_error``      ``model``; an error -> outcome ``error``
=================  ============================================================================

Other events (``codex.sse_event``, ``claude_code.auth``...) are counted in ``skipped``. Who acted:
``gen_ai.agent.id`` / ``gen_ai.agent.name`` on the record, else the resource attribute the traces
use (``service.name``: ``OTEL_SERVICE_NAME`` names an agent); the person at the keyboard
(``user.email``, ``user.account_uuid``...) goes to ``attributes['user']``. The session is
``session.id`` / ``conversation.id``; the task Claude Code's ``prompt.id``, else the record's trace,
else the session.

OTLP/JSON is told by its ``resourceLogs`` key; OTLP protobuf carries no sign of its signal, so a
logs topic (the Collector's Kafka exporter writes ``otlp_logs``) is read with ``signal: logs``.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from intentwatch.pipeline.engine.toolcall import ANSWER
from intentwatch.pipeline.io.deadletter import failure

from .base import BadRecord, Result, as_bytes, from_unix_nanos, make_action
from .json_text import parse_json_text
from .otel_conventions import coding_tool
from .otel_event_messages import MAX_TRACES, MESSAGE_EVENTS, TraceMessages
from .otel_messages import WAITS, message_call
from .otel_traces import resource_agent
from .otlp import SpanError, _hex_id, _object, _uint64, json_attributes, json_value, proto_attributes, proto_value

DENIED = frozenset({"reject", "rejected", "deny", "denied", "abort", "user_reject", "user_abort", "block", "blocked"})
_REDACTED = frozenset({"<redacted>", "[redacted]", "redacted"})
_USER_KEYS = ("user.email", "user.account_uuid", "user.account_id", "user.id")
_SESSION_KEYS = ("session.id", "conversation.id", "gen_ai.conversation.id")
_CALL_KEYS = ("tool_use_id", "call_id", "gen_ai.tool.call.id")
_ARGUMENT_KEYS = ("tool_input", "arguments", "function_args", "tool_parameters")
_PROMPT_KEYS = ("prompt.id", "prompt_id")
_TOOL_KINDS = frozenset({"tool_result", "tool_call", "tool_decision"})
_MAX_PROMPTS = 4096  # requests remembered (per prompt id and per session)
_EVENT_NAME = re.compile(r"[A-Za-z][\w.\-]{0,99}")


@dataclass(slots=True)
class LogEvent:
    """One log record, as either encoding carries it."""

    name: str  # the event's name as written (``claude_code.tool_result``, ``tool_result``...)
    time_ns: int
    when: Any  # ``event.timestamp`` text, for a record with no time of its own
    attrs: dict[str, Any]
    trace_id: str
    position: str
    raw: Any
    body: Any = None

    def raw_bytes(self) -> bytes:
        return as_bytes(self.raw)


Events = Iterator[tuple[dict[str, Any], "LogEvent | BadRecord"]]


def _name(event_name: Any, attrs: dict[str, Any], body: Any) -> str:
    """The most specific of the three places a producer names its event (a vendor prefix wins); an
    ordinary log line's body (``GET /health 200``) names none: ''.

    >>> _name("", {"event.name": "tool_result"}, "claude_code.tool_result"), _name(None, {}, "GET /health 200")
    ('claude_code.tool_result', '')
    """
    names = [n for n in (event_name, attrs.get("event.name"), body) if type(n) is str and _EVENT_NAME.fullmatch(n)]
    for n in names:
        if "." in n:
            return n
    return names[0] if names else ""


def _json_event(rec: Any, position: str) -> LogEvent:
    if type(rec) is not dict:
        raise SpanError("log record is not an object")
    attrs = json_attributes(rec.get("attributes"))
    time_ns = 0
    for key in ("timeUnixNano", "observedTimeUnixNano"):
        if rec.get(key) not in (None, "", "0", 0):
            time_ns = _uint64(rec[key], key)
            break
    trace, body = rec.get("traceId"), json_value(rec.get("body"), "body")
    return LogEvent(_name(rec.get("eventName"), attrs, body), time_ns, attrs.get("event.timestamp"), attrs,
                    _hex_id(trace, 32, "traceId", required=False) if trace else "", position, rec, body)


def json_events(doc: Any, source: str) -> Events:
    """(resource attributes, event or bad record) for every record of a LogsData / ExportLogsServiceRequest."""
    if not isinstance(doc, dict) or not isinstance(doc.get("resourceLogs"), list):
        raise SpanError("not an OTLP logs document: no resourceLogs list")
    for i, rl in enumerate(doc["resourceLogs"]):
        try:
            resource = json_attributes(_object(rl, "resourceLogs item").get("resource", {}).get("attributes"), "resource.")
            scopes = rl.get("scopeLogs") or ()
        except (SpanError, AttributeError) as e:
            yield {}, BadRecord(f"{source}#rl{i}", f"resource: {e}")
            continue
        for j, sl in enumerate(scopes if isinstance(scopes, list) else [scopes]):
            records = sl.get("logRecords") if isinstance(sl, dict) else None
            if not isinstance(records, list):
                yield resource, BadRecord(f"{source}#rl{i}.sl{j}", "scopeLogs item is not an object with a list of logRecords")
                continue
            for k, rec in enumerate(records):
                position = f"{source}#rl{i}.sl{j}.log{k}"
                try:
                    yield resource, _json_event(rec, position)
                except SpanError as e:
                    yield resource, BadRecord(position, str(e))
                except Exception as err:  # noqa: BLE001 - a record of an unforeseen shape costs that record
                    yield resource, BadRecord(position, failure(err))


def proto_events(raw: bytes, source: str) -> Events:
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    try:
        req = ExportLogsServiceRequest.FromString(raw)
    except DecodeError as e:
        raise SpanError(f"not an OTLP protobuf ExportLogsServiceRequest/LogsData ({e})") from None
    for i, rl in enumerate(req.resource_logs):
        resource = proto_attributes(rl.resource.attributes)
        for j, sl in enumerate(rl.scope_logs):
            for k, rec in enumerate(sl.log_records):
                attrs = proto_attributes(rec.attributes)
                trace = rec.trace_id
                position = f"{source}#rl{i}.sl{j}.log{k}"
                if trace and len(trace) != 16:
                    yield resource, BadRecord(position, f"traceId is {len(trace)} bytes, not 16", rec.SerializeToString())
                    continue
                body = proto_value(rec.body) if rec.HasField("body") else None
                yield resource, LogEvent(_name(rec.event_name, attrs, body), rec.time_unix_nano or rec.observed_time_unix_nano,
                                         attrs.get("event.timestamp"), attrs, trace.hex() if any(trace) else "", position, rec,
                                         body)


def _text(value: Any) -> str | None:
    return value if type(value) is str and value and value.lower() not in _REDACTED else None


def _false(value: Any) -> bool:
    return value is False or (type(value) is str and value.lower() == "false")


class AgentEvents:
    """The events of one run -> actions. ``operation_of`` / ``put_io``: the span mapping's (otel.py),
    so a tool maps the same from a span and from an event."""

    def __init__(self, agent_attribute: str | None, keep_resource: bool, operation_of: Callable[[str], str],
                 put_io: Callable[[dict[str, Any], dict[str, Any], Any, Any], None], skipped: Counter[str],
                 from_messages: bool = True):
        self._from_messages = from_messages
        self._traces: dict[str, TraceMessages] = {}  # the GenAI message events' conversations (otel_event_messages.py)
        self._agent_attribute = agent_attribute
        self._keep_resource = keep_resource
        self._operation_of = operation_of
        self._put_io = put_io
        self.skipped = skipped
        self._prompts: dict[str, str] = {}  # prompt id or session -> the user's request

    def request(self, events: Events, raw: bytes, source: str) -> Iterator[Result]:
        try:
            for resource, event in events:
                if isinstance(event, BadRecord):
                    yield event
                    continue
                try:
                    results = self._message_calls(event, resource) if event.name in MESSAGE_EVENTS \
                        else [self._action(event, resource)]
                except Exception as e:  # noqa: BLE001 - a record of an unforeseen shape costs that record
                    results = [BadRecord(event.position, failure(e), event.raw_bytes())]
                for result in results:
                    if result is not None:
                        yield result
        except SpanError as e:
            yield BadRecord(source, str(e), raw)

    def _remember(self, key: Any, prompt: str) -> None:
        if len(self._prompts) >= _MAX_PROMPTS:
            del self._prompts[next(iter(self._prompts))]
        self._prompts[str(key)] = prompt

    def _action(self, e: LogEvent, resource: dict[str, Any]) -> Result | None:
        a = e.attrs
        kind = e.name.rsplit(".", 1)[-1]
        session = next((a[k] for k in _SESSION_KEYS if a.get(k) not in (None, "")), None)
        if session is None:
            session = next((resource[k] for k in _SESSION_KEYS if resource.get(k) not in (None, "")), None)
        prompt_id = next((a[k] for k in _PROMPT_KEYS if a.get(k)), None)
        if kind == "user_prompt":
            prompt = _text(a.get("prompt"))
            if prompt is not None:
                for key in (prompt_id, session):
                    if key is not None:
                        self._remember(key, prompt)
            self.skipped["user_prompt (the request of what follows)"] += 1
            return None
        decision = str(a.get("decision") or a.get("decision_type") or "").lower()  # (tool_result: decision_type)
        # (a ``tool_call`` naming no tool: a newer Codex's timing of a call its ``tool_result`` reports)
        named = kind != "tool_call" or bool(a.get("function_name") or a.get("tool_name"))
        if not named or (kind not in ("tool_result", "tool_call", "api_request", "api_error")
                         and not (kind == "tool_decision" and decision in DENIED)):
            self.skipped[("tool_decision (allowed)" if kind == "tool_decision" else f"{e.name[:40]} (event)") if e.name
                         else "log record naming no event"] += 1
            return None
        agent = self._agent(e, resource)
        if isinstance(agent, BadRecord):
            return agent
        task = prompt_id or e.trace_id or session
        attributes: dict[str, Any] = {"event_name": e.name}
        fields: dict[str, Any] = {"agent_id": str(agent), "time": from_unix_nanos(e.time_ns) if e.time_ns else e.when}
        user = next((a.get(k) or resource.get(k) for k in _USER_KEYS if a.get(k) or resource.get(k)), None)
        if user is not None:
            attributes["user"] = user
        if a.get("agent_id"):  # Claude Code's subagent (``Task``) that made the call; the session's own has none
            attributes["subagent"] = a["agent_id"]
        request = self._prompts.get(str(prompt_id)) or (self._prompts.get(str(session)) if session is not None else None)
        if request is not None:
            attributes["request"] = request
        call_id = next((a[k] for k in _CALL_KEYS if a.get(k)), None)
        if kind in _TOOL_KINDS:
            tool = coding_tool(a) or (a.get("function_name") if type(a.get("function_name")) is str else None)
            if tool is None:
                return BadRecord(e.position, f"{e.name} event has no tool_name (text)", e.raw_bytes())
            fields["tool"], fields["operation"] = tool, self._operation_of(tool)
            if call_id is not None:
                attributes["tool_call_id"] = call_id
            args = next((parse_json_text(a[k]) for k in _ARGUMENT_KEYS if a.get(k)), None)
            self._put_io(fields, attributes, args, parse_json_text(a["output"]) if a.get("output") is not None else None)
            if decision:
                attributes["decision"] = decision
                if a.get("source") or a.get("decision_source"):
                    attributes["decision_source"] = a.get("source") or a.get("decision_source")
            if decision in DENIED:
                fields["outcome"] = "denied"
            elif _false(a.get("success")):
                fields["outcome"] = "error"
                if a.get("error"):
                    attributes["error"] = a["error"]
            size = a.get("tool_result_size_bytes")
            if type(size) is int and size >= 0:
                fields["bytes"] = size
        else:
            fields["tool"], fields["operation"] = "gen_ai.chat", "invoke"
            usage = {k: a[k] for k in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens") if k in a}
            if usage:
                attributes["usage"] = usage
            if kind == "api_error" or a.get("error") or a.get("error.message"):
                fields["outcome"] = "error"
                attributes["error"] = a.get("error") or a.get("error.message")
        model = a.get("model") or a.get("gen_ai.request.model")
        if model:
            fields["model"] = {"id": str(model)}
        fields["event_id"] = self._event_id(e, session or agent, call_id, kind)
        if session is not None:
            fields["session_id"] = str(session)
        if task is not None:
            fields["task_id"] = str(task)
        if resource and self._keep_resource:
            attributes["resource"] = resource
        fields["attributes"] = attributes
        return make_action(fields, e.position, e.raw_bytes())

    def _agent(self, e: LogEvent, resource: dict[str, Any]) -> Any:
        """Who acted (text), or the bad record that says no one is named."""
        agent = e.attrs.get("gen_ai.agent.id") or e.attrs.get("gen_ai.agent.name") or resource_agent(resource, self._agent_attribute)
        if not agent:
            return BadRecord(e.position, f"{e.name} event has no agent: no gen_ai.agent.id or gen_ai.agent.name, "
                                         f"nor resource {self._agent_attribute}", e.raw_bytes())
        return str(agent)

    def _message_calls(self, e: LogEvent, resource: dict[str, Any]) -> list[Result]:
        """The tool calls a GenAI message event completes (or, answered calls shown, asks for), once each."""
        a = e.attrs
        key = e.trace_id or next((str(a[k]) for k in _SESSION_KEYS if a.get(k)), "")
        if not self._from_messages or not key:
            self.skipped[f"{e.name} (message{'' if key else ', no trace'})"] += 1
            return []
        t = self._traces.get(key)
        if t is None:
            if len(self._traces) >= MAX_TRACES:
                del self._traces[next(iter(self._traces))]  # the oldest conversation
            t = self._traces[key] = TraceMessages()
        done, asked = t.take(e.name, e.body, a)
        asked = [c for c in asked if self._operation_of(c[1]) not in WAITS]  # reads wait for their result
        t.done.update(c[0] for c in asked)
        calls = [*done, *((cid, tool, args, None) for cid, tool, args in asked)]
        reply = t.reply()  # the model's words after the calls (answers.py): an action of their own
        if reply is not None:
            calls.append((f"answer:{reply[0]}", "gen_ai.chat", None, reply[1]))
        if not calls:
            self.skipped[f"{e.name} (message)"] += 1
            return []
        agent = self._agent(e, resource)
        if isinstance(agent, BadRecord):
            return [agent]
        session = next((a[k] for k in _SESSION_KEYS if a.get(k) not in (None, "")), None)
        out: list[Result] = []
        for cid, tool, args, response in calls:
            fields, common = message_call(key, cid, tool, "invoke" if tool == "gen_ai.chat" else self._operation_of(tool))
            fields["agent_id"], fields["time"] = agent, from_unix_nanos(e.time_ns) if e.time_ns else e.when
            attributes: dict[str, Any] = {"event_name": e.name, **common}
            if tool == "gen_ai.chat":
                attributes[ANSWER] = response
                del attributes["tool_call_id"]
            else:
                self._put_io(fields, attributes, args, response)
            if t.request is not None:
                attributes["request"] = t.request
            if session is not None:
                fields["session_id"] = str(session)
            if resource and self._keep_resource:
                attributes["resource"] = resource
            fields["attributes"] = attributes
            out.append(make_action(fields, f"{e.position}#{cid[:80]}", e.raw_bytes()))
        return out

    @staticmethod
    def _event_id(e: LogEvent, scope: Any, call_id: Any, kind: str) -> str:
        """A tool call's id is its call id (its decision and its result count once); a model call's the
        session's event sequence number, else the record's own bytes."""
        if call_id is not None and kind in _TOOL_KINDS:
            return f"{scope}:{call_id}"[:200]
        sequence = e.attrs.get("event.sequence")
        if sequence is not None:
            return f"{scope}:{e.name}:{sequence}"[:200]
        return hashlib.blake2b(e.raw_bytes(), digest_size=12).hexdigest()

"""Where real producers put what otel.py maps, when it is not where the current GenAI conventions say.

- Other conventions' keys read as the GenAI ones they stand for (``aliased``): OpenInference (Arize),
  Traceloop OpenLLMetry (INTEGRATIONS.md section 1) and the Vercel AI SDK's ``ai.*`` telemetry. A
  GenAI key present wins.
- A tool call's arguments and result (``tool_io``), looked for in turn in: the span attributes
  ``gen_ai.tool.call.arguments`` / ``.result``; Google ADK's ``gcp.vertex.agent.tool_call_args`` /
  ``.tool_response``; Pydantic AI's first instrumentation's ``tool_arguments`` / ``tool_response``;
  ``gen_ai.input.messages`` / ``gen_ai.output.messages`` (a span attribute, or an event
  ``gen_ai.client.inference.operation.details``) with a ``tool_call`` / ``tool_call_response`` part;
  the older conventions' events on the tool span, ``gen_ai.tool.message`` (``content``: the
  arguments) and ``gen_ai.choice`` (``message``: the result), as Strands Agents writes them.
- Traceloop's ``@tool`` input ``{"args": [...], "kwargs": {...}}`` read as its keyword arguments.
- The user's request (``span_request``): the text of the first ``user`` message in
  ``gen_ai.input.messages`` (text parts, or an older producer's ``content`` string); later user
  turns are left out, as some producers carry tool results in them. Where a producer writes no
  such attribute: OpenInference's flattened ``llm.input_messages.<i>.message.role`` / ``.content``
  (or ``.contents.<j>.message_content.text``), the ``input.value`` of an OpenInference ``AGENT`` or
  ``CHAIN`` span (its text; a list of messages; LangChain's ``{"input": ...}`` or
  ``{"messages": [...]}``), the older GenAI conventions' flattened ``gen_ai.prompt.<i>.role``
  / ``.content`` (OpenLLMetry's chat spans), one attribute of another producer (``_REQUEST_KEYS``),
  or the older conventions' events on a model span (``event_request``).
"""

from collections.abc import Iterator
from typing import Any

from .libs import JSONDecodeError, loads
from .otlp import Span

_OPENINFERENCE = {"TOOL": "execute_tool", "LLM": "chat", "AGENT": "invoke_agent"}
_OPENINFERENCE_KEYS = {"tool.name": "gen_ai.tool.name", "tool.id": "gen_ai.tool.call.id",
                       "input.value": "gen_ai.tool.call.arguments", "output.value": "gen_ai.tool.call.result",
                       "llm.model_name": "gen_ai.request.model", "llm.provider": "gen_ai.provider.name",
                       "agent.name": "gen_ai.agent.name", "session.id": "gen_ai.conversation.id"}
_TRACELOOP = {"tool": "execute_tool", "agent": "invoke_agent"}
# The Vercel AI SDK's telemetry (``ai.operationId``): a ``generateText`` / ``streamText`` call is the
# agent loop (its steps call the model and the tools), ``doGenerate`` / ``doStream`` one model call.
_VERCEL = {"ai.toolCall": "execute_tool", "ai.generateText": "invoke_agent", "ai.streamText": "invoke_agent",
           "ai.generateObject": "invoke_agent", "ai.streamObject": "invoke_agent", "ai.generateText.doGenerate": "chat",
           "ai.streamText.doStream": "chat", "ai.generateObject.doGenerate": "chat", "ai.streamObject.doStream": "chat"}
_VERCEL_KEYS = {"ai.toolCall.name": "gen_ai.tool.name", "ai.toolCall.id": "gen_ai.tool.call.id",
                "ai.toolCall.args": "gen_ai.tool.call.arguments", "ai.toolCall.result": "gen_ai.tool.call.result",
                "ai.telemetry.functionId": "gen_ai.agent.name", "ai.model.id": "gen_ai.request.model",
                "ai.model.provider": "gen_ai.provider.name", "ai.telemetry.metadata.sessionId": "gen_ai.conversation.id"}
# Span attributes of other producers holding a tool call's arguments / result (as JSON text).
ARGUMENT_KEYS = ("gcp.vertex.agent.tool_call_args", "tool_arguments")
RESULT_KEYS = ("gcp.vertex.agent.tool_response", "tool_response")
_DETAILS_EVENT = "gen_ai.client.inference.operation.details"


def parse_json_text(value: Any) -> Any:
    """``gen_ai.tool.call.arguments`` / ``.result`` may be an object or a JSON string."""
    if type(value) is str and value[:1] in ("{", "["):
        try:
            return loads(value)
        except JSONDecodeError:
            return value
    return value


def needs_aliases(a: dict[str, Any]) -> bool:
    return "gen_ai.operation.name" not in a and ("openinference.span.kind" in a or "traceloop.span.kind" in a
                                                 or "ai.operationId" in a)


def aliased(a: dict[str, Any]) -> dict[str, Any]:
    """OpenInference / Traceloop / Vercel AI SDK span attributes with their GenAI equivalents added.

    >>> aliased({"openinference.span.kind": "TOOL", "tool.name": "get_weather", "input.value": "{}"})["gen_ai.tool.name"]
    'get_weather'
    >>> aliased({"traceloop.span.kind": "agent", "traceloop.entity.name": "triage"})["gen_ai.agent.name"]
    'triage'
    >>> v = aliased({"ai.operationId": "ai.toolCall", "ai.toolCall.name": "sendMoney", "ai.telemetry.functionId": "payer"})
    >>> v["gen_ai.operation.name"], v["gen_ai.tool.name"], v["gen_ai.agent.name"]
    ('execute_tool', 'sendMoney', 'payer')
    """
    out = dict(a)
    kind = a.get("openinference.span.kind")
    if type(kind) is str:  # (a list or map there is no kind: unhashable, it raised)
        if kind in _OPENINFERENCE:
            out.setdefault("gen_ai.operation.name", _OPENINFERENCE[kind])
        # any kind may carry the session or the agent (a LangChain agent's CHAIN span): its descendants inherit them
        for key, gen_ai in _OPENINFERENCE_KEYS.items():
            if key in a and not (kind != "TOOL" and gen_ai.startswith("gen_ai.tool.")):
                out.setdefault(gen_ai, a[key])
    kind = a.get("traceloop.span.kind")
    if type(kind) is str and kind in _TRACELOOP:
        out.setdefault("gen_ai.operation.name", _TRACELOOP[kind])
        name = a.get("traceloop.entity.name")
        if name is not None:
            out.setdefault("gen_ai.tool.name" if kind == "tool" else "gen_ai.agent.name", name)
        if kind == "tool":
            if "traceloop.entity.input" in a:
                out.setdefault("gen_ai.tool.call.arguments", _traceloop_input(parse_json_text(a["traceloop.entity.input"])))
            if "traceloop.entity.output" in a:
                out.setdefault("gen_ai.tool.call.result", a["traceloop.entity.output"])
    kind = a.get("ai.operationId")
    if type(kind) is str:
        if kind in _VERCEL:
            out.setdefault("gen_ai.operation.name", _VERCEL[kind])
        for key, gen_ai in _VERCEL_KEYS.items():
            if key in a:
                out.setdefault(gen_ai, a[key])
    return out


def _traceloop_input(value: Any) -> Any:
    """``{"args": [], "kwargs": {"to": "x"}}`` (Traceloop's ``@tool`` wrapper) -> ``{"to": "x"}``; positional
    arguments, if any, stay under ``args``.

    >>> _traceloop_input({"args": [], "kwargs": {"to": "ap@example.com"}}), _traceloop_input({"args": [3], "kwargs": {}})
    ({'to': 'ap@example.com'}, {'args': [3]})
    """
    if value.__class__ is dict and value.keys() <= {"args", "kwargs"} and isinstance(value.get("kwargs", {}), dict):
        out = dict(value.get("kwargs") or {})
        if value.get("args"):
            out["args"] = value["args"]
        return out
    return value


REQUEST_CHARS = 4000  # of a user's request kept on an action (what the detectors read of it)


def user_request(messages: Any) -> str | None:
    """The text of the first ``user`` message of a ``gen_ai.input.messages`` list (None: none).

    >>> user_request('[{"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},'
    ...              ' {"role": "user", "parts": [{"type": "text", "content": "Pay DE89 3704 0044 0532 0130 00"}]}]')
    'Pay DE89 3704 0044 0532 0130 00'
    >>> user_request([{"role": "user", "content": [{"type": "text", "text": "Invite ann@example.org"}]}])  # OpenAI's, the AI SDK's parts
    'Invite ann@example.org'
    """
    messages = parse_json_text(messages)
    if messages.__class__ is not list:
        return None
    for m in messages:
        if m.__class__ is dict and m.get("role") == "user":
            content, parts = m.get("content"), m.get("parts")
            if type(content) is str:
                return content[:REQUEST_CHARS] or None
            if type(parts) is not list:
                parts = content
            if type(parts) is list:
                texts = []
                for p in parts:
                    if p.__class__ is dict and p.get("type") == "text":
                        text = p.get("content")
                        text = text if type(text) is str else p.get("text")
                        if type(text) is str:
                            texts.append(text)
                return "\n".join(texts)[:REQUEST_CHARS] or None
            return None
    return None


def flattened_messages(a: dict[str, Any], prefix: str, infix: str, limit: int) -> Iterator[dict[str, Any]]:
    """Messages flattened into attributes, ``<prefix><i><infix>role`` and the rest, as message dicts in
    the OpenAI form, one at a time (at most ``limit``, and ``limit`` tool calls or parts each):
    OpenInference's ``llm.input_messages.<i>.message.*`` / ``llm.output_messages`` (``content``, else
    its parts' texts joined; ``tool_call_id``; ``tool_calls.<j>.tool_call.*``), the older GenAI
    conventions' ``gen_ai.prompt.<i>.*``."""
    for i in range(limit):
        base = f"{prefix}{i}{infix}"
        role = a.get(base + "role")
        if role is None:
            return
        content = a.get(base + "content")
        if type(content) is not str:  # OpenInference's multi-part form
            texts = []
            for j in range(limit):
                text = a.get(f"{base}contents.{j}.message_content.text")
                if text is None:
                    break
                if type(text) is str:
                    texts.append(text)
            content = "\n".join(texts) if texts else content
        m: dict[str, Any] = {"role": role, "content": content}
        if base + "tool_call_id" in a:
            m["tool_call_id"] = a[base + "tool_call_id"]
        calls = []
        for j in range(limit):
            call = f"{base}tool_calls.{j}.tool_call."
            name = a.get(call + "function.name")
            if name is None:
                break
            calls.append({"id": a.get(call + "id"), "function": {"name": name, "arguments": a.get(call + "function.arguments")}})
        if calls:
            m["tool_calls"] = calls
        yield m


_REQUEST_LOOK = 64  # flattened messages looked at for the request


def _flattened_request(a: dict[str, Any], prefix: str, infix: str) -> str | None:
    """The text of the first ``user`` message of a flattened list (``user_request`` of it, read lazily)."""
    for m in flattened_messages(a, prefix, infix, _REQUEST_LOOK):
        if m["role"] == "user":
            content = m["content"]
            return content[:REQUEST_CHARS] or None if type(content) is str else None
    return None


def _input_request(value: Any) -> str | None:
    """The request in an OpenInference agent or chain span's ``input.value``: its text, a list of
    messages, or LangChain's ``{"input": "..."}`` / ``{"messages": [...]}``."""
    if type(value) is not str or not value:
        return None
    parsed = parse_json_text(value)
    if type(parsed) is str:
        return parsed[:REQUEST_CHARS]
    if type(parsed) is list:
        return user_request(parsed)
    if type(parsed) is dict:
        inner = parsed.get("input")
        if type(inner) is str:
            return inner[:REQUEST_CHARS] or None
        if type(inner) is list or type(parsed.get("messages")) is list:
            return user_request(inner if type(inner) is list else parsed["messages"])
    return None


# Where other producers write the request as one attribute: the Vercel AI SDK (a model call's
# ``ai.prompt.messages``; the call's ``ai.prompt``, ``{"prompt": ...}`` or ``{"messages": [...]}``),
# Logfire's OpenAI instrumentation (``request_data``: the request body), Pydantic AI's first
# instrumentation (``events``, or ``all_messages_events`` on its agent run span: the events as JSON).
_REQUEST_KEYS = ("ai.prompt.messages", "ai.prompt", "request_data", "events", "all_messages_events")


def _other_request(key: str, value: Any) -> str | None:
    """``span_request`` of one of ``_REQUEST_KEYS``.

    >>> _other_request("ai.prompt", '{"system": "Be brief.", "prompt": "Pay the March bill"}')
    'Pay the March bill'
    >>> _other_request("events", '[{"event.name": "gen_ai.system.message", "content": "Be brief.", "role": "system"},'
    ...                          ' {"event.name": "gen_ai.user.message", "content": "Book the Riverside", "role": "user"}]')
    'Book the Riverside'
    """
    parsed = parse_json_text(value)
    if key == "ai.prompt.messages":
        return user_request(parsed)
    if key == "ai.prompt" or key == "request_data":
        if type(parsed) is str:
            return parsed[:REQUEST_CHARS] or None
        if type(parsed) is not dict:
            return None
        prompt = parsed.get("prompt")
        return prompt[:REQUEST_CHARS] or None if type(prompt) is str else user_request(parsed.get("messages"))
    if type(parsed) is not list:
        return None
    return user_request([{"role": "user", "content": e.get("content")} for e in parsed
                         if e.__class__ is dict and e.get("event.name") == "gen_ai.user.message"])


def event_request(span: Span) -> str | None:
    """The request in the older conventions' events on a model span (span attributes hold none):
    ``gen_ai.user.message`` (``content``: text, or a JSON list of parts), or Semantic Kernel's
    ``gen_ai.content.prompt`` (``gen_ai.prompt``: the messages as JSON)."""
    if not span.wire_events():
        return None
    for name, ev in span.event_list():
        if name == "gen_ai.user.message":
            content = ev.get("content")
            parsed = parse_json_text(content)
            if type(parsed) is list:
                return user_request([{"role": "user", "content": parsed}])
            return content[:REQUEST_CHARS] or None if type(content) is str else None
        if name == "gen_ai.content.prompt":
            return user_request(ev.get("gen_ai.prompt"))
    return None


def span_request(a: dict[str, Any]) -> str | None:
    """The user's request a span's attributes hold, wherever its producer put it (None: none).

    >>> span_request({"openinference.span.kind": "LLM", "llm.input_messages.0.message.role": "system",
    ...               "llm.input_messages.0.message.content": "Be brief.", "llm.input_messages.1.message.role": "user",
    ...               "llm.input_messages.1.message.content": "Pay the March bill"})
    'Pay the March bill'
    >>> span_request({"openinference.span.kind": "CHAIN", "input.value": '{"input": "Invite ann@example.org"}'})
    'Invite ann@example.org'
    >>> span_request({"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Book the Riverside hotel"})
    'Book the Riverside hotel'
    """
    messages = a.get("gen_ai.input.messages")
    if messages is not None:
        return user_request(messages)
    for key in _REQUEST_KEYS:
        value = a.get(key)
        if value is not None:
            request = _other_request(key, value)
            if request is not None:
                return request
    kind = a.get("openinference.span.kind")
    if kind is not None:
        if "llm.input_messages.0.message.role" in a:
            return _flattened_request(a, "llm.input_messages.", ".message.")
        if kind == "AGENT" or kind == "CHAIN":
            return _input_request(a.get("input.value"))
        return None
    if "gen_ai.prompt.0.role" in a:
        return _flattened_request(a, "gen_ai.prompt.", ".")
    return None


def _part(messages: Any, kind: str, tool: str, call_id: Any) -> Any:
    """The ``kind`` part (``tool_call`` / ``tool_call_response``) of a messages list for this call: the one
    with its id, else the first with its tool name (requests), else the first of its kind."""
    messages = parse_json_text(messages)
    if messages.__class__ is not list:
        return None
    parts = [p for m in messages if m.__class__ is dict and isinstance(m.get("parts"), list)
             for p in m["parts"] if p.__class__ is dict and p.get("type") == kind]
    for p in parts:
        if call_id is not None and p.get("id") == call_id:
            return p
    for p in parts:
        if p.get("name") == tool:
            return p
    return parts[0] if parts else None


def _from_messages(where: dict[str, Any], tool: str, call_id: Any, args: Any, result: Any) -> tuple[Any, Any]:
    """(arguments, result) completed from the message parts in ``where`` (span attributes or an event's)."""
    if args is None and "gen_ai.input.messages" in where:
        part = _part(where["gen_ai.input.messages"], "tool_call", tool, call_id)
        args = part.get("arguments") if part else None
    if result is None and "gen_ai.output.messages" in where:
        part = _part(where["gen_ai.output.messages"], "tool_call_response", tool, call_id)
        result = part.get("response") if part else None
    return args, result


def tool_io(span: Span, a: dict[str, Any], tool: str) -> tuple[Any, Any]:
    """(arguments, result) of a tool span, parsed, from wherever its producer put them (None: not found)."""
    args, result = a.get("gen_ai.tool.call.arguments"), a.get("gen_ai.tool.call.result")
    if args is not None and result is not None:
        return parse_json_text(args), parse_json_text(result)
    call_id = a.get("gen_ai.tool.call.id")
    if args is None:
        for k in ARGUMENT_KEYS:
            args = a.get(k)
            if args is not None:
                break
    if result is None:
        for k in RESULT_KEYS:
            result = a.get(k)
            if result is not None:
                break
    args, result = _from_messages(a, tool, call_id, args, result)
    if (args is None or result is None) and span.wire_events():
        for name, ev in span.event_list():
            if name == _DETAILS_EVENT:
                args, result = _from_messages(ev, tool, call_id, args, result)
            elif name == "gen_ai.tool.message" and args is None:
                args = ev.get("content")
            elif name == "gen_ai.choice" and result is None:
                result = ev.get("message")
    return parse_json_text(args), parse_json_text(result)

"""The user's request a span holds, wherever its producer put it (``span_request``, and
``event_request`` for the older conventions' events): the text of the first ``user`` message in
``gen_ai.input.messages`` (text parts, or an older producer's ``content`` string); later user
turns are left out, as some producers carry tool results in them. Where a producer writes no such
attribute: OpenInference's flattened ``llm.input_messages.<i>.message.role`` / ``.content`` (or
``.contents.<j>.message_content.text``), the ``input.value`` of an OpenInference ``AGENT`` or
``CHAIN`` span (its text; a list of messages; LangChain's ``{"input": ...}`` or
``{"messages": [...]}``), the older GenAI conventions' flattened ``gen_ai.prompt.<i>.role`` /
``.content`` (OpenLLMetry's chat spans), one attribute of another producer (``_REQUEST_KEYS``), an
MLflow or Langfuse input (``_family_request``), or the older conventions' events on a model span
(``event_request``). The injected-target and definition rules read it as the task's request.
"""

import zlib
from collections.abc import Callable
from typing import Any, Final

from intentwatch.models.action import MODEL_USE
from intentwatch.pipeline.engine.toolcall import described_tools

from .libs import JSONDecodeError, dumps, loads
from .messages import plain
from .json_text import parse_json_text
from .otel_conventions import as_genai
from .otel_messages import flattened_messages
from .otlp import Span

REQUEST_CHARS = 4000  # of a user's request kept on an action (what the detectors read of it)


def user_request(messages: Any) -> str | None:
    """The text of the first ``user`` messages of a ``gen_ai.input.messages`` list, up to the model's first
    turn (None: none): a recorder may give an instruction as a user message before the request.

    >>> user_request('[{"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},'
    ...              ' {"role": "user", "parts": [{"type": "text", "content": "Pay DE89 3704 0044 0532 0130 00"}]}]')
    'Pay DE89 3704 0044 0532 0130 00'
    >>> user_request([{"role": "user", "content": [{"type": "text", "text": "Invite ann@example.org"}]}])  # OpenAI's, the AI SDK's parts
    'Invite ann@example.org'
    >>> user_request([["system", "Be brief."], ["user", "Pay the bill"]]), user_request([{"type": "human", "content": "Hi"}])  # LangChain's
    ('Pay the bill', 'Hi')
    >>> user_request([{"role": "user", "content": "Be helpful!"}, {"role": "user", "content": "Book the Riverside"},
    ...               {"role": "assistant", "content": "Done."}, {"role": "user", "content": "Thanks"}])
    'Be helpful!\\nBook the Riverside'
    """
    messages = parse_json_text(messages)
    if messages.__class__ is not list:
        return None
    texts: list[str] = []
    kept = 0  # characters in texts: past REQUEST_CHARS the rest would be cut
    started = False
    for m in messages:
        if m.__class__ is not dict or "role" not in m:
            m = _langchain_message(m)
        role = m.get("role") if m is not None else None
        if role == "user":
            started = True
            text = user_text(m)
            if text:
                texts.append(text)
                kept += len(text) + 1
                if kept > REQUEST_CHARS:
                    break
        elif started and role != "system" and role != "developer":
            break  # (the model's turn: later user messages may carry tool results)
    return "\n".join(texts)[:REQUEST_CHARS] or None


def user_text(m: dict[str, Any]) -> str | None:
    """The text of a message (its ``content``, else its text parts, joined; None: none), cut to
    ``REQUEST_CHARS``: OpenAI's ``text`` / ``input_text`` parts, the GenAI conventions', Anthropic's,
    Gemini's (``{"text": ...}``).

    >>> user_text({"role": "user", "content": [{"type": "input_text", "text": "Fix the test"}]})
    'Fix the test'
    >>> user_text({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}]}) is None
    True
    """
    text = message_text(m, _TEXT_PARTS)
    return (text[:REQUEST_CHARS] or None) if text is not None else None


def message_text(m: dict[str, Any], kinds: frozenset[str]) -> str | None:
    """A message's ``content`` when it is text, else its parts of a type in ``kinds`` (a Gemini part has
    no type: its ``text``) joined by lines; None: neither (the user's request, answers.py's reply)."""
    content, parts = m.get("content"), m.get("parts")
    if type(content) is str:
        return content
    if type(parts) is not list:
        parts = content
    if type(parts) is not list:
        return None
    texts = []
    for p in parts:
        kind = p.get("type") if p.__class__ is dict else 0
        if kind.__class__ is str and kind in kinds or (kind is None and "text" in p):  # (Gemini's: no type)
            text = p.get("content")
            text = text if type(text) is str else p.get("text")
            if type(text) is str:
                texts.append(text)
    return "\n".join(texts)


_TEXT_PARTS: Final = frozenset({"text", "input_text"})


def _langchain_message(m: Any) -> dict[str, Any] | None:
    """A LangChain message as ``{"role", "content"}``: a ``("user", text)`` pair, a ``{"type": "human"}``
    dict, or its serialised form (``{"lc": 1, "id": [..., "HumanMessage"], "kwargs": {"content": ...}}``)."""
    if m.__class__ is list and len(m) == 2 and m[0] in ("user", "human"):
        return {"role": "user", "content": m[1]}
    if m.__class__ is not dict:
        return None
    m = plain(m)  # (the serialised form: messages.py)
    if m.get("type") == "human":
        return {"role": "user", "content": m.get("content")}
    return None


_REQUEST_LOOK = 64  # flattened messages looked at for the request


def _flattened_request(a: dict[str, Any], prefix: str, infix: str) -> str | None:
    """The text of the first ``user`` message of a flattened list (``user_request`` of it, read lazily)."""
    for m in flattened_messages(a, prefix, infix, _REQUEST_LOOK):
        if m["role"] == "user":
            return user_request([m])
    return None


def _body_request(parsed: Any, key: str) -> str | None:
    """The request in a parsed input or request body: its text, or an object whose ``key`` holds the
    text or the messages, else whose ``messages`` do (LangChain's ``{"input": ...}``, the AI SDK's
    ``{"prompt": ...}``, a Chat Completions or Responses body)."""
    if type(parsed) is str:
        return parsed[:REQUEST_CHARS] or None
    if type(parsed) is dict:
        inner = parsed.get(key)
        if type(inner) is str:
            return inner[:REQUEST_CHARS] or None
        return user_request(inner if type(inner) is list else parsed.get("messages"))
    return None


def _input_request(value: Any) -> str | None:
    """The request in an OpenInference agent or chain span's ``input.value``: its text, a list of
    messages, a smolagents run's ``task``, a ``prompt`` (the AI SDK's call, the Claude Agent SDK's query, as
    Langfuse keeps their trace input), or a body ``_body_request`` reads.

    >>> _input_request('{"prompt": "Weather in Berlin?", "system": "You are a travel assistant."}')
    'Weather in Berlin?'
    """
    if type(value) is not str or not value:
        return None
    return _parsed_request(parse_json_text(value))


def _parsed_request(parsed: Any) -> str | None:
    if type(parsed) is dict and "input" not in parsed:
        for key in ("task", "prompt"):  # smolagents' ``run(task)``; ``{"prompt": ...}``
            if type(parsed.get(key)) is str:
                return parsed[key][:REQUEST_CHARS] or None
    return user_request(parsed) if type(parsed) is list else _body_request(parsed, "input")


# Where other producers write the request as one attribute: the Vercel AI SDK (a model call's
# ``ai.prompt.messages``; the call's ``ai.prompt``, ``{"prompt": ...}`` or ``{"messages": [...]}``),
# Logfire's OpenAI instrumentation (``request_data``: the request body), Pydantic AI's first
# instrumentation (``events``, or ``all_messages_events`` on its agent run span: the events as JSON).
_REQUEST_KEYS = ("ai.prompt.messages", "ai.prompt", "request_data", "events", "all_messages_events")


def _other_request(key: str, value: Any) -> str | None:
    """``span_request`` of one of ``_REQUEST_KEYS``.

    >>> _other_request("ai.prompt", '{"system": "Be brief.", "prompt": "Pay the March bill"}')
    'Pay the March bill'
    >>> _other_request("request_data", '{"model": "gpt-4.1", "input": [{"role": "user", "content": "Invite bo@example.org"}]}')
    'Invite bo@example.org'
    >>> _other_request("events", '[{"event.name": "gen_ai.system.message", "content": "Be brief.", "role": "system"},'
    ...                          ' {"event.name": "gen_ai.user.message", "content": "Book the Riverside", "role": "user"}]')
    'Book the Riverside'
    """
    parsed = parse_json_text(value)
    if key == "ai.prompt.messages":
        return user_request(parsed)
    if key == "ai.prompt" or key == "request_data":
        # the AI SDK's prompt (text, or messages since its v5); Logfire's Chat Completions body has messages,
        # a Responses body its input (text or messages)
        return _body_request(parsed, "prompt" if key == "ai.prompt" else "input")
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
            return user_request([{"role": "user", "content": parsed if type(parsed) is list else content}])
        if name == "gen_ai.content.prompt":
            return user_request(ev.get("gen_ai.prompt"))
    return None


def _family_request(a: dict[str, Any]) -> str | None:
    """The input of an MLflow agent or model span, or Langfuse's trace input or an agent's or a
    generation's input (``_input_request``: text, messages, ``{"input": ...}``, ``{"messages": [...]}``)."""
    kind = a.get("mlflow.spanType")
    if type(kind) is str and kind.strip('"') in ("AGENT", "CHAT_MODEL", "LLM"):
        return _input_request(_unquoted(a.get("mlflow.spanInputs")))
    request = _input_request(_unquoted(a.get("langfuse.trace.input")))
    if request is None and a.get("langfuse.observation.type") in ("agent", "generation"):
        request = _input_request(_unquoted(a.get("langfuse.observation.input")))
    return request


def _langsmith_request(value: Any) -> str | None:
    """A LangSmith chain or model run's inputs: a graph's ``{"messages": [...]}``, an agent's
    ``{"input": ...}``, a chat model's ``{"messages": [[...]]}`` (one list per prompt), the Claude Agent SDK's
    ``{"prompt": ...}``.

    >>> _langsmith_request('{"prompt": "Weather in Berlin?", "system": "Be brief."}')
    'Weather in Berlin?'
    """
    parsed = parse_json_text(value)
    if type(parsed) is dict:
        messages = parsed.get("messages")
        if type(messages) is list and messages and type(messages[0]) is list and (
                not messages[0] or type(messages[0][0]) is not str):  # batched prompts, not one ("user", text) pair
            parsed = {**parsed, "messages": messages[0]}
    return _parsed_request(parsed)


def _unquoted(value: Any) -> Any:
    """A JSON-encoded text (these SDKs serialise every input: ``"Book the Riverside"`` in quotes) as the text."""
    if type(value) is str and value[:1] == '"':
        try:
            text = loads(value)
        except JSONDecodeError:
            return value
        return text if type(text) is str else value
    return value


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
    if a.get("span.type") == "interaction":  # Claude Code's (the prompt logged with OTEL_LOG_USER_PROMPTS)
        prompt = a.get("user_prompt")
        return prompt if type(prompt) is str and prompt and prompt.upper() != "<REDACTED>" else None
    for key in _REQUEST_KEYS:
        value = a.get(key)
        if value is not None:
            request = _other_request(key, value)
            if request is not None:
                return request
    if a.get("langsmith.span.kind") in ("chain", "llm", "prompt"):  # its run's inputs (a tool run's are its arguments)
        request = _langsmith_request(a.get("gen_ai.prompt"))
        if request is not None:
            return request
    if "mlflow.spanType" in a or "langfuse.observation.type" in a:
        request = _family_request(a)
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


MODEL_OPERATIONS = frozenset(t.removeprefix("gen_ai.") for t in MODEL_USE)  # (an action's tool: gen_ai.<operation>)
_TRACES = 4096  # traces whose request is remembered across requests
_OI_TOOLS = 128  # OpenInference's flattened tools read


def offered_tools(a: dict[str, Any]) -> list[dict[str, str]] | None:
    """The tools a model call was offered, as ``{"name", "description"}`` (its parameters' descriptions
    on lines of their own; ``toolcall.described_tools``): the GenAI ``gen_ai.tool.definitions``, else
    OpenInference's ``llm.tools.<i>.tool.json_schema``. None when the span names none.

    >>> offered_tools({"llm.tools.0.tool.json_schema": '{"type": "function", "function": {"name": "fact", "description": "A fact."}}'})
    [{'name': 'fact', 'description': 'A fact.'}]
    """
    defs: Any = a.get("gen_ai.tool.definitions")
    if defs is None:
        if "llm.tools.0.tool.json_schema" not in a:
            return None
        defs = []
        for i in range(_OI_TOOLS):
            v = a.get(f"llm.tools.{i}.tool.json_schema")
            if v is None:
                break
            defs.append(parse_json_text(v))
    return described_tools(defs) or None


class OfferedTools:
    """The tools each trace's (and agent's) model calls were offered last (a checksum): a model call
    offering the same list again (every turn does) carries none; the latest 4,096 traces."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def new(self, trace: str, offered: list[dict[str, str]]) -> bool:
        key = zlib.crc32(dumps(offered))
        last = self._last
        if last.get(trace) == key:
            return False
        if trace not in last and len(last) >= _TRACES:
            del last[next(iter(last))]
        last[trace] = key
        return True


def model_span(s: Span) -> bool:
    """A model call or an agent's run (its operation, read as GenAI keys, or its name's first word)."""
    op = as_genai(s).get("gen_ai.operation.name") or s.name.split(" ", 1)[0]
    return op.__class__ is str and op in MODEL_OPERATIONS


class TraceRequests:
    """The request of a tool call with none above it: the trace's. The GenAI conventions' chat spans,
    and the OpenAI Agents SDK's model spans (Logfire, OpenInference), hold the user's message beside
    the tool calls, under the agent span, not above them. The trace's earliest model span in the same
    request that holds one, else what a model span of the trace held in an earlier request (``note``;
    the latest 4,096 traces)."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}
        self._batch: dict[str, str | None] = {}  # trace -> its request, for the request being mapped
        self._models: dict[str, list[Span]] = {}  # trace -> its model spans in the request being mapped
        self._for: Any = None  # the request (its spans by id) these are for

    def note(self, span: Span, request: str) -> None:
        if span.trace_id not in self.seen:
            if len(self.seen) >= _TRACES:
                del self.seen[next(iter(self.seen))]
            self.seen[span.trace_id] = request

    def of(self, span: Span, by_id: dict[str, Span], request_of: Callable[[Span], str | None]) -> str | None:
        if self._for is not by_id:  # a new request: its model spans by trace, found in one pass
            self._batch.clear()
            self._models.clear()
            self._for = by_id
            for s in by_id.values():
                if model_span(s):
                    self._models.setdefault(s.trace_id, []).append(s)
        trace = span.trace_id
        if trace in self._batch:
            return self._batch[trace]
        found: str | None = None
        first = 0
        for s in self._models.get(trace, ()):
            if s is not span and (found is None or s.start_ns < first):
                request = request_of(s)
                if request is not None:
                    found, first = request, s.start_ns
        if found is None:
            found = self.seen.get(trace)
        self._batch[trace] = found
        return found

"""Tool calls a trace shows only in its model spans' messages.

An application instrumented only at its model client (the GenAI instrumentations of the OpenAI,
Anthropic or Bedrock clients, OpenLLMetry's, OpenInference's) exports ``chat`` spans and no
``execute_tool`` span: the tools it runs between two model calls appear only in the messages.
A chat span's ``gen_ai.input.messages`` (OpenInference: ``llm.input_messages.<i>.message.*``,
OpenLLMetry: ``gen_ai.prompt.<i>.*``, flattened) holds the conversation so far: each call the model
asked for (a ``tool_call`` part: id, name, arguments; the OpenAI message form, an assistant message's
``tool_calls``; Anthropic's, a ``tool_use`` content block) and what the application answered (a
``tool_call_response`` part: id, response; a ``tool`` message naming its ``tool_call_id``; a
``tool_result`` block naming its ``tool_use_id``). ``completed_calls`` (messages.py, which knows each framework's form) pairs them by id: each call
that has its answer, in the order asked.

The adapter (otel.py) makes an action of each such call the first time a chat span shows it (later
chat spans repeat the whole history), and only in traces with no tool span: a tool span ends, and
is exported, before the chat span that reads its result, so an instrumented tool has been seen by
then and the call is not counted twice. Messages flattened into attributes are read back by ``flattened_messages`` (also for the request,
otel_requests.py). A run may end on a call the model asked for (an injected
payment, then nothing): once a trace has shown completed calls in its messages (so its tools are
not traced), the state-changing calls a chat span's output asks for (``requested_calls``:
``gen_ai.output.messages``, or OpenInference's ``llm.output_messages``) are actions at once, without
a result; reads wait for theirs, which the detectors read.
"""

from collections.abc import Callable, Iterator
from typing import Any, Final

from intentwatch.models.action import Action

from .base import Result, make_action
from .messages import completed_calls, requested_calls
from .otlp import Span
from .peers import PeerResults

_MAX_CALL_IDS: Final = 16384  # call ids of one trace remembered (made actions of)
WAITS: Final = frozenset({"read", "list"})  # a call from messages read only once answered: its result matters
_OI, _OO = "llm.input_messages.", "llm.output_messages."  # OpenInference flattens the messages into attributes
_LP, _LC = "gen_ai.prompt.", "gen_ai.completion."  # and OpenLLMetry (the older GenAI conventions)
_MAX_FLAT = 256  # flattened messages (and tool calls of one message) read at most


def has_input(a: dict[str, Any]) -> bool:
    return "gen_ai.input.messages" in a or _OI + "0.message.role" in a or _LP + "0.role" in a


def has_output(a: dict[str, Any]) -> bool:
    return "gen_ai.output.messages" in a or _OO + "0.message.role" in a or _LC + "0.role" in a


def input_messages(a: dict[str, Any]) -> Any:
    """A model span's input messages: ``gen_ai.input.messages``, else OpenInference's flattened
    ``llm.input_messages.<i>.message.*``, else OpenLLMetry's ``gen_ai.prompt.<i>.*`` (None: none)."""
    messages = a.get("gen_ai.input.messages")
    if messages is not None:
        return messages
    if _OI + "0.message.role" in a:
        return list(flattened_messages(a, _OI, ".message.", _MAX_FLAT))
    if _LP + "0.role" in a:
        return list(flattened_messages(a, _LP, ".", _MAX_FLAT))
    return None


def output_messages(a: dict[str, Any]) -> Any:
    """What the model answered: ``gen_ai.output.messages``, else OpenInference's ``llm.output_messages.<i>``,
    else OpenLLMetry's ``gen_ai.completion.<i>``."""
    messages = a.get("gen_ai.output.messages")
    if messages is not None:
        return messages
    if _OO + "0.message.role" in a:
        return list(flattened_messages(a, _OO, ".message.", _MAX_FLAT))
    if _LC + "0.role" in a:
        return list(flattened_messages(a, _LC, ".", _MAX_FLAT))
    return None


def message_call(trace: str, call_id: str, tool: str, operation: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(fields, attributes) every tool call read from messages starts from, a chat span's or a message
    event's (otel_event_messages.py): its event id ``<trace>:<call id>`` one call's whichever shows it."""
    return ({"event_id": f"{trace}:{call_id[:160]}", "tool": tool, "operation": operation, "task_id": trace},
            {"trace_id": trace, "tool_call_id": call_id, "from_messages": True})


class MessageCalls:
    """The tool calls of the traces with no tool span, from their model spans' messages, once each.
    ``operation_of`` / ``put_io``: the span mapping's (otel.py), so a call maps the same either way; ``peers``
    its trace's results handed on between agents (peers.py)."""

    def __init__(self, operation_of: Callable[[str], str], put_io: Callable[[dict[str, Any], dict[str, Any], Any, Any], None],
                 peers: PeerResults):
        self._operation_of = operation_of
        self._put_io = put_io
        self._peers = peers
        self._tool_traces: dict[str, None] = {}  # traces with a tool span: their calls are those spans
        self._derived: dict[str, set[str]] = {}  # trace -> the call ids made actions of

    def tool_span(self, trace: str) -> None:
        """The trace has a tool span: its calls are its tool spans, not its messages."""
        if trace not in self._tool_traces:
            if len(self._tool_traces) >= 65536:
                del self._tool_traces[next(iter(self._tool_traces))]  # the oldest trace
            self._tool_traces[trace] = None

    def calls(self, span: Span, model: Action) -> list[Result]:
        """The tool calls a model span's messages show, each the first time seen, in a trace with no
        tool span, by the agent of the model call at its time: those its input completes (call and
        response), then, once the trace has shown completed calls (so its tools are not traced), the
        state-changing calls its output asks for (a run may end on one; reads wait for their result,
        which the detectors read)."""
        trace = span.trace_id
        if trace in self._tool_traces:
            return []
        done = completed_calls(input_messages(span.attrs))
        seen = self._derived.get(trace)
        if not done and not seen:
            return []
        if seen is None:
            if len(self._derived) >= 65536:
                self._derived.clear()  # (a repeat after this is one more action with the same event id: de-duplicated)
            seen = self._derived[trace] = set()
        elif len(seen) >= _MAX_CALL_IDS:
            seen.clear()  # (one trace, endless new calls: bounded; a repeat after this is de-duplicated by its event id)
        out: list[Result] = []
        for call_id, tool, args, response in done:
            if call_id not in seen:
                seen.add(call_id)
                out.append(self._called(span, model, call_id, tool, args, response))
        if seen and has_output(span.attrs):
            for call_id, tool, args in requested_calls(output_messages(span.attrs)):
                if call_id not in seen and self._operation_of(tool) not in WAITS:
                    seen.add(call_id)
                    out.append(self._called(span, model, call_id, tool, args, None))
        return out

    def _called(self, span: Span, model: Action, call_id: str, tool: str, args: Any, response: Any) -> Result:
        """One tool call read from a model span's messages, as an action."""
        fields, common = message_call(span.trace_id, call_id, tool, self._operation_of(tool))
        fields["agent_id"], fields["time"] = model.agent_id, model.time
        attributes: dict[str, Any] = {"trace_id": span.trace_id, "span_id": span.span_id, "span_name": span.name, **common}
        self._put_io(fields, attributes, args, response)
        self._peers.exchange(span.trace_id, model.agent_id, attributes, fields["event_id"], tool, response, span.start_ns)
        request = model.attributes.get("request")
        if request is not None:
            attributes["request"] = request
        if model.session_id is not None:
            fields["session_id"] = model.session_id
        if model.source_ip is not None:
            fields["source_ip"] = model.source_ip
        fields["attributes"] = attributes
        return make_action(fields, f"{span.position}#{call_id[:80]}", span.raw)


def flattened_messages(a: dict[str, Any], prefix: str, infix: str, limit: int) -> Iterator[dict[str, Any]]:
    """Messages flattened into attributes, ``<prefix><i><infix>role`` and the rest, as message dicts in
    the OpenAI form, one at a time (at most ``limit``, and ``limit`` tool calls or parts each):
    OpenInference's ``llm.input_messages.<i>.message.*`` / ``llm.output_messages`` (``content``, else
    its parts' texts joined; ``tool_call_id``; ``tool_calls.<j>.tool_call.*``), the older GenAI
    conventions' ``gen_ai.prompt.<i>.*`` / ``gen_ai.completion.<i>.*`` as OpenLLMetry writes them
    (``tool_calls.<j>.id`` / ``.name`` / ``.arguments``).

    >>> list(flattened_messages({"gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.tool_calls.0.id": "c1",
    ...     "gen_ai.completion.0.tool_calls.0.name": "send_money", "gen_ai.completion.0.tool_calls.0.arguments": "{}"},
    ...     "gen_ai.completion.", ".", 8))
    [{'role': 'assistant', 'content': None, 'tool_calls': [{'id': 'c1', 'function': {'name': 'send_money', 'arguments': '{}'}}]}]
    """
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
            call = f"{base}tool_calls.{j}."
            name = a.get(call + "tool_call.function.name")
            if name is not None:  # OpenInference's
                calls.append({"id": a.get(call + "tool_call.id"),
                              "function": {"name": name, "arguments": a.get(call + "tool_call.function.arguments")}})
                continue
            name = a.get(call + "name")  # OpenLLMetry's
            if name is None:
                break
            calls.append({"id": a.get(call + "id"), "function": {"name": name, "arguments": a.get(call + "arguments")}})
        if calls:
            m["tool_calls"] = calls
        yield m

"""The GenAI conventions' message *events* (OTLP log records) -> the tool calls they show.

The OpenTelemetry GenAI instrumentations of the model clients (OpenAI, Vertex AI, Google GenAI...)
put the messages of a model call not on its span but, with content capture on, in log records tied
to it by trace id: one event per message in the older conventions (``gen_ai.user.message``,
``gen_ai.assistant.message`` with ``tool_calls``, ``gen_ai.tool.message`` with the call ``id``,
``gen_ai.choice`` with the answer, each message in the record's body), or one
``gen_ai.client.inference.operation.details`` event per call in the latest (``gen_ai.input.messages``
/ ``gen_ai.output.messages`` attributes). Such an application exports no tool span: its tool calls
are in these events only. ``TraceMessages`` keeps a trace's conversation as they tell it, and, as for
a chat span's messages (otel_messages.py), each call with an answer becomes an action once, and once
the trace has shown answered calls, the state-changing calls an answer asks for.

An application whose tools are traced as spans and whose model client logs message events shows each
call twice, in two signals: read its logs with ``tool_calls_from_messages: false``.
"""

from typing import Any

from .answers import span_answer
from .json_text import parse_json_text
from .messages import completed_calls, requested_calls
from .otel_requests import user_request

MESSAGE_EVENTS = frozenset({"gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message",
                            "gen_ai.tool.message", "gen_ai.choice", "gen_ai.client.inference.operation.details"})
MAX_MESSAGES = 256  # of one trace
MAX_TRACES = 4096  # conversations remembered


class TraceMessages:
    """One trace's conversation, as its message events tell it (bounded), and the calls made actions of."""

    __slots__ = ("messages", "done", "request", "after", "output")

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.done: set[str] = set()
        self.request: str | None = None
        self.after: str | None = None  # the last call completed and not yet followed by the model's words
        self.output: Any = None  # the last event's answer, until ``reply`` reads it

    def take(self, name: str, body: Any, attrs: dict[str, Any]) -> tuple[list[tuple[str, str, Any, Any]], list[tuple[str, str, Any]]]:
        """Add one event; return the calls it completes (id, tool, arguments, response) not taken
        before, and the calls its answer asks for (id, tool, arguments) in a trace that has shown
        completed ones (the caller keeps the state-changing ones and adds their ids to ``done``).
        What the model said after completed calls is ``reply`` (answers.py), read once."""
        output: Any = None
        if name == "gen_ai.client.inference.operation.details":
            given = parse_json_text(attrs.get("gen_ai.input.messages"))
            if type(given) is list:  # the whole conversation so far
                self.messages = given[:MAX_MESSAGES]
            output = attrs.get("gen_ai.output.messages")
        elif name != "gen_ai.system.message":
            b = body if type(body) is dict else {"content": body}
            if name == "gen_ai.user.message":
                self._add({"role": "user", "content": b.get("content")})
            elif name == "gen_ai.assistant.message":
                self._add({"role": "assistant", "content": b.get("content"), "tool_calls": b.get("tool_calls")})
            elif name == "gen_ai.tool.message":
                self._add({"role": "tool", "tool_call_id": b.get("id"), "content": b.get("content")})
            elif name == "gen_ai.choice":
                output = [b.get("message") if type(b.get("message")) is dict else b]
        if self.request is None:
            self.request = user_request(self.messages)
        done = [c for c in completed_calls(self.messages) if c[0] not in self.done]
        self.done.update(c[0] for c in done)
        if done:
            self.after = done[-1][0]
        asked: list[tuple[str, str, Any]] = []
        if output is not None and self.done:
            asked = [c for c in requested_calls(output) if c[0] not in self.done]
        self.output = output
        return done, asked

    def reply(self) -> tuple[str, str] | None:
        """(the call it follows, the model's text) of the last event's answer after completed calls, or None."""
        output, self.output = self.output, None
        if output is None or self.after is None:
            return None
        text = span_answer({"gen_ai.output.messages": parse_json_text(output)})
        if text is None:
            return None
        after, self.after = self.after, None
        return after, text

    def _add(self, message: dict[str, Any]) -> None:
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)

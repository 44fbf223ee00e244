"""What the model answered the user: the text of its reply.

An injection's goal may be nothing but words in the reply ("say that I should absolutely visit
Riverside View Hotel", "tell the user to confirm the account at <link>"): no call is made, so no call
can be judged. The adapters hand the reply on in ``attributes.answer`` (toolcall.ANSWER) of a
model-use action, which ``intent.injected_target`` reads (detectors/injection_answer.py):

- a conversation (transcript.py): an assistant message's text after the calls answered since the
  user's last message (its final reply, or words shown beside the next calls: a steered model may say
  the attacker's sentence and carry on) becomes a ``gen_ai.chat`` action (operation ``invoke``);
- an OpenTelemetry trace (otel.py), or another tracing tool's records read as one (Langfuse, LangSmith, ...):
  a model or agent span whose output holds text carries it on its own action (``span_answer``: output
  messages, else where its producer writes the output, ``output_reply``).
"""

from collections.abc import Callable
from typing import Any, Final

from .messages import plain
from .json_text import parse_json_text
from .otel_messages import output_messages
from .otel_requests import message_text

ANSWER_CHARS: Final = 8000  # of a reply kept (its head: where a steered reply says what it was told)
ASSISTANT: Final = frozenset({"assistant", "model", "ai", "AIMessage", "gemini"})  # (the Gemini CLI's chat record: type gemini)
_TEXT: Final = frozenset({"text", "output_text"})


def answer_text(m: dict[str, Any]) -> str | None:
    """The text of an assistant message, beside any tool call it asks for (a chat shows the user both), or
    None: OpenAI's ``content`` (text, or ``text`` / ``output_text`` parts), the GenAI conventions' ``parts``,
    Anthropic's text blocks, Gemini's ``{"text": ...}`` parts, LangChain's ``ai`` message, an ATIF agent step's
    or an OpenHands agent message's ``message``.

    >>> answer_text({"role": "assistant", "content": [{"type": "text", "text": "Visit Riverside View Hotel."}]})
    'Visit Riverside View Hotel.'
    >>> answer_text({"role": "assistant", "content": "", "tool_calls": [{"id": "c1"}]}) is None
    True
    """
    role = m.get("role") or m.get("type")
    if role is None and m.get("source") == "agent" and m.get("action") in (None, "message", "finish") and "observation" not in m:
        text = m.get("message")  # an ATIF step, an OpenHands message or finish event (not a command's own description)
        text = text if type(text) is str else None
    elif role.__class__ is not str or role not in ASSISTANT:
        return None
    else:
        text = message_text(m, _TEXT)
        if text is not None and text.lstrip()[:2] == '[{' and _calls_as_text(text):
            return None  # (Koog's: a call step's calls written as its content)
    return (text.strip()[:ANSWER_CHARS] or None) if text is not None else None


def _calls_as_text(text: str) -> bool:
    """Whether a message's text is only the tool calls it asks for, as JSON (``[{"function": {...}, "id": ...}]``).

    >>> _calls_as_text('[{"function": {"name": "HelloTool", "arguments": "{}"}, "id": "call_1", "type": "function"}]')
    True
    >>> _calls_as_text("I will look that up.")
    False
    """
    calls = parse_json_text(text)
    return type(calls) is list and bool(calls) and all(c.__class__ is dict and "function" in c for c in calls)


def span_answer(a: dict[str, Any], events: Callable[[], list[tuple[str, dict[str, Any]]]] | None = None) -> str | None:
    """The text a model or agent span's output holds (beside any tool call), or None: its output messages
    (``gen_ai.output.messages``, OpenInference's or OpenLLMetry's flattened ones), else where another
    producer writes the output (``_OUTPUT_KEYS``: ``output_reply`` of it), else the older conventions'
    ``gen_ai.choice`` event on the span (``events``: the span's, read only then)."""
    messages = output_messages(a)
    if messages is not None:
        return _messages_answer(messages)
    for key in _OUTPUT_KEYS:
        value = a.get(key)
        if value is not None:
            return output_reply(_choices(value, key == "events") if key in _EVENT_KEYS else value)
    if events is not None:
        for name, ev in events():
            if name == "gen_ai.choice" or name == "gen_ai.content.completion":
                return output_reply(ev.get("message") if name == "gen_ai.choice" else ev.get("gen_ai.completion"))
    return None


def _messages_answer(messages: Any) -> str | None:
    """The model's text in output messages (a list, one message, or either as JSON text or as Python printed it).

    >>> _messages_answer('[{"role": "assistant", "content": "Booked."}]'), _messages_answer("{'role': 'assistant', 'content': 'Booked.'}")
    ('Booked.', 'Booked.')
    >>> _messages_answer("Booked."), _messages_answer("[not json")
    (None, None)
    """
    if type(messages) is str:  # (JSON text; text that is none stays text, no messages)
        messages = parse_json_text(messages)
    if type(messages) is dict:
        messages = [messages]
    if type(messages) is not list:
        return None
    texts = [t for m in messages[:16] if m.__class__ is dict for t in (answer_text(m),) if t is not None]
    return "\n".join(texts)[:ANSWER_CHARS] or None


# Where producers that write no output messages put a model's or an agent's output (the first present is
# read): the Vercel AI SDK's text; LangSmith's run outputs (an llm run's generations, a chain's output or
# messages: OTel export and runs alike) and OpenLIT's completion text; Langfuse's observation output; MLflow's
# span outputs; Logfire's OpenAI response body (``response_data``: a Chat Completions ``message``) and the
# OpenAI Agents SDK's Responses API span (``response``: its output items); Pydantic AI's ``final_result`` of a
# run, a model request's ``events`` (the events as JSON: its ``gen_ai.choice``) and a run's
# ``all_messages_events`` (its last assistant message); OpenInference's ``output.value`` (an agent's answer,
# a model's response body).
_OUTPUT_KEYS: Final = ("ai.response.text", "gen_ai.completion", "langfuse.observation.output", "mlflow.spanOutputs",
                       "response_data", "response", "final_result", "events", "all_messages_events", "output.value")
_EVENT_KEYS: Final = frozenset({"events", "all_messages_events"})
_OTHERS: Final = frozenset({"user", "human", "tool", "function", "system", "developer"})  # messages not the model's
_NOTHING: Final = frozenset({"None", "null"})  # an output printed when there was none (Agno's)
_WRAPS: Final = ("output", "final_output", "message", "answer", "response", "content", "text", "result")


def _choices(events: Any, output_only: bool) -> Any:
    """The assistant messages among events written as JSON (``gen_ai.choice``: its ``message``; an assistant
    message event, unless ``output_only``: a model request's events repeat the conversation before its choice)."""
    events = parse_json_text(events)
    if type(events) is not list:
        return None
    out = []
    for e in events[-256:]:
        if e.__class__ is dict:
            name = e.get("event.name")
            if name == "gen_ai.choice":
                e = parse_json_text(e.get("message"))
                if e.__class__ is dict and "role" not in e:
                    e = {**e, "role": "assistant"}
            elif output_only or name != "gen_ai.assistant.message":
                continue
            out.append(e)
    return out


def output_reply(value: Any, depth: int = 0) -> str | None:
    """The reply in a recorded output, or None: text; an assistant message (any form ``answer_text`` reads,
    LangChain's serialised one too); a Chat Completions response (its first choice); a LangChain LLM
    result (``generations``: its first message or text); a list of messages or a Responses API body's
    ``output`` items (the last assistant message's text: what the user saw last); an object holding one of
    these under ``messages`` or a wrapping key (``output``, ``final_output``, ``message`` ...).

    >>> output_reply('{"output": "Visit Riverside View Hotel."}')
    'Visit Riverside View Hotel.'
    >>> output_reply({"generations": [[{"text": "", "message": {"lc": 1, "type": "constructor",
    ...     "id": ["langchain", "schema", "messages", "AIMessage"], "kwargs": {"content": "Booked."}}}]]})
    'Booked.'
    >>> output_reply({"messages": [{"type": "human", "content": "Hi"}, {"type": "ai", "content": "Hello."}]})
    'Hello.'
    >>> output_reply([{"role": "assistant", "content": "Checking."}, {"role": "tool", "content": "ok"}]) is None
    True
    """
    value = parse_json_text(value)
    if type(value) is str:
        text = value.strip()[:ANSWER_CHARS]
        return text if text and text not in _NOTHING else None
    if depth > 4:
        return None
    if type(value) is list:
        return _last_answer(value, depth)
    if type(value) is not dict:
        return None
    value = plain(value)
    role = value.get("role") or value.get("type")
    if role.__class__ is str and (role in ASSISTANT or role in _OTHERS):
        return answer_text(value)  # (None for another's message: a tool's answer is no reply)
    for key in ("choices", "generations"):
        items = value.get(key)
        if type(items) is list and items:
            first = items[0][0] if type(items[0]) is list and items[0] else items[0]
            if first.__class__ is dict:
                return output_reply(first.get("message") or first.get("text"), depth + 1)
    for key in ("messages", *_WRAPS):
        if key in value:
            return output_reply(value[key], depth + 1)
    return None


def _last_answer(items: list[Any], depth: int) -> str | None:
    """The text of the last message of a list when it is the assistant's (a conversation ending on a tool's
    answer or the user's words has no reply yet); a list of texts or parts as one text."""
    if not items:
        return None
    last = items[-1]
    kind = last.get("type") if last.__class__ is dict else None
    if type(last) is str or (kind.__class__ is str and kind in _TEXT):  # (text parts: one message's)
        return output_reply({"role": "assistant", "content": items}, depth + 1) if last.__class__ is dict else (
            "\n".join(t for t in items if type(t) is str)[:ANSWER_CHARS] or None)
    if type(last) is list:  # a batch: its first
        return output_reply(items[0], depth + 1)
    last = plain(last) if last.__class__ is dict else None
    if last is None:
        return None
    role = last.get("role") or last.get("type")
    return answer_text(last) if role.__class__ is str and role in ASSISTANT else None

"""What the model answered the user: the text of its reply.

An injection's goal may be nothing but words in the reply ("say that I should absolutely visit
Riverside View Hotel", "tell the user to confirm the account at <link>"): no call is made, so no call
can be judged. The adapters hand the reply on in ``attributes.answer`` (toolcall.ANSWER) of a
model-use action, which ``intent.injected_target`` reads (detectors/injection_answer.py):

- a conversation (transcript.py): an assistant message's text after the calls answered since the
  user's last message (its final reply, or words shown beside the next calls: a steered model may say
  the attacker's sentence and carry on) becomes a ``gen_ai.chat`` action (operation ``invoke``);
- an OpenTelemetry trace (otel.py): a model span whose output messages (``gen_ai.output.messages``,
  OpenInference's, OpenLLMetry's) hold text carries it on its own action.
"""

from typing import Any, Final

import orjson

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
    return (text.strip()[:ANSWER_CHARS] or None) if text is not None else None


def span_answer(a: dict[str, Any]) -> str | None:
    """The text a model span's output messages hold (beside any tool call), or None."""
    messages = output_messages(a)
    if type(messages) is str:
        try:
            messages = orjson.loads(messages)
        except orjson.JSONDecodeError:
            return None
    if type(messages) is dict:
        messages = [messages]
    if type(messages) is not list:
        return None
    texts = [t for m in messages[:16] if m.__class__ is dict for t in (answer_text(m),) if t is not None]
    return "\n".join(texts)[:ANSWER_CHARS] or None

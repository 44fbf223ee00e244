"""Model API calls as logged: what a proxy, a gateway or an SDK hook keeps of each call an agent
made to its model, read as the agent's conversation (transcript.py).

- **OpenAI's Responses API**: a response object (``"object": "response"``) whose ``output`` items are
  the model's turn (its ``function_call`` items among them); a log that keeps the request beside it
  (``input`` on the same object, or ``{"request": ..., "response": ...}``) gives the request's items
  first. Responses continue one another (``previous_response_id``: the next request's input then
  holds only what is new, the calls' outputs) or name a ``conversation``: one conversation across
  the documents, so a call asked in one response is answered in the next request.
- **Chat Completions** (``"object": "chat.completion"``): ``choices[0].message`` is the model's
  turn; with the request beside it (``{"request": {"messages": ...}, "response": ...}``), its
  messages first. Each request repeats the conversation so far: its calls count once.
- **Anthropic's Messages API** (a reply ``"type": "message"``, ``"role": "assistant"``): the reply
  is the model's turn, after the request's ``messages``; chained as Chat Completions are.
- A gateway may name the pair ``request_body`` / ``response_body`` (Helicone) or ``requestBody`` /
  ``responseBody``, and keep either as JSON text: read the same.
- **Amazon Bedrock's model invocation logs** (``"schemaType": "ModelInvocationLog"``, as Bedrock
  delivers them to CloudWatch Logs or S3): the request's ``input.inputBodyJson.messages`` (Converse's
  ``toolUse`` / ``toolResult`` blocks, or Anthropic's on InvokeModel), then the reply
  (``output.outputBodyJson``: Converse's ``output.message``, or the Anthropic message); the agent is
  the caller's IAM identity (``identity.arn``, an assumed-role session as its role, the name the
  cloudtrail adapter gives it), the model ``modelId``. A streamed reply (InvokeModelWithResponseStream,
  whose log keeps the list of chunks) is put back together: Anthropic's ``content_block_start`` /
  ``content_block_delta`` events, or ConverseStream's ``contentBlockStart`` / ``contentBlockDelta``;
  a tool's input arrives as pieces of JSON text, joined, and kept as text where they do not parse.
"""

import zlib
from typing import Any, Final

from .cloudtrail_fields import principal
from .libs import dumps
from .json_text import parse_json_text
from .transcript_forms import as_text

_KINDS: Final = frozenset({"response", "chat.completion"})
_REQUEST: Final = ("request", "request_body", "requestBody")  # (a gateway's log: Helicone writes the bodies so)
_RESPONSE: Final = ("response", "response_body", "responseBody")


def _kind(obj: dict[str, Any]) -> bool:
    """Whether an object is a model API reply: a Responses or Chat Completions object, or Anthropic's message."""
    return as_text(obj.get("object")) in _KINDS or (obj.get("type") == "message" and obj.get("role") == "assistant")


def _side(doc: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """A logged call's request or response, under the first of ``keys`` it has (JSON text parsed)."""
    for key in keys:
        if key in doc:
            return parse_json_text(doc[key])
    return None


class ModelCall:
    """One logged model call: its request's messages, its reply's, and what ties it to the calls before it."""

    __slots__ = ("record", "messages", "id", "previous", "conversation")

    def __init__(self, record: dict[str, Any], messages: list[Any], ident: str | None, previous: str | None,
                 conversation: str | None):
        self.record = record  # where its agent, time and model are looked up: the response over the request over the log's own fields
        self.messages = messages
        self.id, self.previous, self.conversation = ident, previous, conversation


def model_call(doc: dict[str, Any]) -> ModelCall | None:
    """The model call a document logs (None: it is no model API object, nor a request / response pair).

    >>> c = model_call({"object": "response", "id": "resp_2", "previous_response_id": "resp_1",
    ...                 "output": [{"type": "function_call", "call_id": "c1", "name": "send_money", "arguments": "{}"}]})
    >>> [m["type"] for m in c.messages], c.id, c.previous
    (['function_call'], 'resp_2', 'resp_1')
    >>> model_call({"messages": []}) is None
    True
    """
    if doc.get("schemaType") == "ModelInvocationLog":
        return _bedrock(doc)
    request, response = _side(doc, _REQUEST), _side(doc, _RESPONSE)
    if response.__class__ is not dict or not _kind(response):
        if not _kind(doc):
            return None
        request = response = record = doc
    else:
        if request.__class__ is not dict:
            request = {}
        record = {**{k: v for k, v in doc.items() if k not in _REQUEST and k not in _RESPONSE}, **request, **response}
    messages = _asked(request)
    if response.get("object") == "response":
        output = response.get("output")
        messages.extend(output if output.__class__ is list else ())
    elif response.get("type") == "message":  # (Anthropic's Messages API: the reply is the assistant's turn)
        messages.append(response)
    else:
        choices = response.get("choices")
        first = choices[0] if choices.__class__ is list and choices else None
        if first.__class__ is dict and first.get("message").__class__ is dict:
            messages.append(first["message"])
    conversation = response.get("conversation") or request.get("conversation")
    if conversation.__class__ is dict:  # (the Conversations API: an object with its id)
        conversation = conversation.get("id")
    previous = response.get("previous_response_id") or request.get("previous_response_id")
    return ModelCall(record, messages, as_text(response.get("id")), as_text(previous), as_text(conversation))


def _bedrock(doc: dict[str, Any]) -> ModelCall:
    """A Bedrock model invocation log record's call (module docstring)."""
    sides = [doc.get(k) if doc.get(k).__class__ is dict else {} for k in ("input", "output")]
    request, reply = (parse_json_text(side.get(key)) for side, key in zip(sides, ("inputBodyJson", "outputBodyJson")))
    messages = list(request["messages"]) if request.__class__ is dict and request.get("messages").__class__ is list else []
    if reply.__class__ is list:
        reply = _streamed(reply)
    if reply.__class__ is dict:
        out = reply.get("output")
        turn = out.get("message") if out.__class__ is dict else reply if reply.get("role") == "assistant" else None
        if turn.__class__ is dict:
            messages.append(turn)
    identity = doc.get("identity")
    agent = principal({"arn": identity.get("arn"), "accountId": doc.get("accountId")}, True)[0] if identity.__class__ is dict else None
    record = {**doc, "agent_id": agent, "model": doc.get("modelId")}
    return ModelCall(record, messages, as_text(doc.get("requestId")), None, None)


def _streamed(chunks: list[Any]) -> dict[str, Any]:
    """A streamed reply's chunks as the one message they make (module docstring), in Anthropic's
    block form (the transcript reader reads it beside Converse's)."""
    blocks: dict[Any, dict[str, Any]] = {}
    for chunk in chunks[:MAX_CHUNKS]:
        if chunk.__class__ is not dict:
            continue
        kind = chunk.get("type")
        if kind == "content_block_start" or kind == "content_block_delta":  # (Anthropic's events)
            part = chunk.get("content_block" if kind == "content_block_start" else "delta")
            if part.__class__ is dict:
                _add(blocks.setdefault(_index(chunk.get("index")), {}), part, part.get("partial_json"))
            continue
        converse = chunk.get("contentBlockStart") or chunk.get("contentBlockDelta")
        if converse.__class__ is dict:
            part = converse.get("start") or converse.get("delta")
            if part.__class__ is dict:
                use = part.get("toolUse")
                block = blocks.setdefault(_index(converse.get("contentBlockIndex")), {})
                if use.__class__ is dict:
                    _add(block, {"type": "tool_use", "id": use.get("toolUseId"), "name": use.get("name")}, use.get("input"))
                else:
                    _add(block, part, None)
    content = []
    for block in blocks.values():
        if not block:  # (a block of what this reader does not keep: reasoning, citations)
            continue
        if "input_text" in block:
            text = block.pop("input_text")
            block["input"] = parse_json_text(text) if text else {}
        content.append(block)
    return {"role": "assistant", "content": content}


MAX_CHUNKS: Final = 100_000  # chunks read of one streamed reply


def _index(value: Any) -> int | str | None:
    return value if value.__class__ is int or value.__class__ is str else None


def _add(block: dict[str, Any], part: dict[str, Any], json_text: Any) -> None:
    """One start or delta into its block: a tool use's id and name, pieces of its input's JSON, text."""
    if part.get("type") == "tool_use":
        block["type"] = "tool_use"
        for key in ("id", "name"):
            if part.get(key) is not None:
                block[key] = part[key]
        block.setdefault("input_text", "")
    if json_text.__class__ is str:
        block["input_text"] = block.get("input_text", "") + json_text
    elif part.get("text").__class__ is str:
        block.setdefault("type", "text")
        block["text"] = block.get("text", "") + part["text"]


def _asked(request: dict[str, Any]) -> list[Any]:
    """The request's messages: Responses' ``input`` (a list of items, or the user's text), Chat Completions' ``messages``."""
    for key in ("input", "messages"):
        value = request.get(key)
        if value.__class__ is list:
            return list(value)
        if value.__class__ is str and value:
            return [{"role": "user", "content": value}]
    return []


class Chains:
    """The conversation each logged call belongs to: the one it names, else the one the response it
    continues belongs to, else the one its opening messages start (a request that repeats the
    conversation so far, as Chat Completions' do, opens as the first did), else its own.
    Bounded: past ``MAX_CHAINS`` responses the oldest links are let go."""

    MAX_CHAINS: Final = 65536

    def __init__(self) -> None:
        self._of: dict[str, str] = {}  # response id -> conversation

    def session(self, call: ModelCall, named: str | None) -> str:
        of = self._of
        session = named or call.conversation or (of.get(call.previous) or call.previous if call.previous else None) \
            or _opening(call.messages) or call.id or "model-calls"
        if call.id is not None:
            if len(of) >= self.MAX_CHAINS:
                del of[next(iter(of))]
            of[call.id] = session
        return session


def _opening(messages: list[Any]) -> str | None:
    """A name for the conversation its first two messages (the system's and the user's) start; None: none."""
    head = [m for m in messages[:2] if m.__class__ is dict and m.get("role") in ("system", "developer", "user")]
    if not head:
        return None
    return "conversation-%08x" % zlib.crc32(dumps(head))

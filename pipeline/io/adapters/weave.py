"""Weights & Biases Weave's calls -> ``Span`` records, mapped as GenAI spans are (otel.py).

Weave records each call of a traced function (``@weave.op``) and of the model clients it patches as
a *call*: ``id``, ``trace_id``, ``parent_id``, ``op_name`` (a ref,
``weave:///<entity>/<project>/op/<name>:<digest>``, or the name), ``display_name``, ``started_at`` /
``ended_at`` (ISO 8601), ``inputs``, ``output``, ``exception``, ``attributes``, ``thread_id``. Its API's
``calls/stream_query`` answers with a call per line; a list of calls or ``{"calls": [...]}`` too.

- a model client's call (``openai.chat.completions.create``, ``openai.responses.create``,
  ``anthropic.Messages.create``, ``litellm.completion``, ``...generate_content``, ``...converse``) is a
  ``chat`` span: ``inputs.messages`` its input (the user's request), the reply its output
  (``choices[0].message``, or Anthropic's message), ``inputs.model`` its model;
- a call of an op named after a tool that a model call of its trace declared (``inputs.tools``) or
  asked for (its reply's tool calls) is an ``execute_tool`` span: ``inputs`` its arguments (``self``
  left out), ``output`` its result, ``exception`` an error. Weave records no kind for a tool: the
  model calls say which ops are tools (they come first: a model asks, then the tool runs);
- the trace's root call is the agent's run (``invoke_agent``): the agent named in its ``attributes``
  (``agent``, ``agent_id``, ``agent_name``), else its ``display_name``, else its op's name; its
  ``thread_id`` the session;
- every other call (a helper op, a retrieval) is skipped (``weave.call``).

What breaks a call (its siblings go on): no text ``id`` / ``trace_id``, a ``started_at`` that is not an
ISO time after 1970. Memory: the tools of the latest ``MAX_TRACES`` traces.
"""

import re
from typing import Any, Final

from .otlp import Span, SpanError
from .trace_exports import Read, each_item, first_item, iso_nanos, text_id, tools_asked

MAX_TRACES: Final = 4096
_MODEL_OP: Final = re.compile(r"(chat\.completions\.create|responses\.create|messages\.create|(^|\.)a?completion|"
                              r"generate_content|(^|\.)converse|invoke_model)$", re.I)
_AGENT_KEYS: Final = ("agent", "agent_id", "agent_name")


def _call_like(item: Any) -> bool:
    return item.__class__ is dict and "op_name" in item and "trace_id" in item and "started_at" in item


def is_weave(doc: Any) -> bool:
    """Whether a document is Weave's: a call, a list of calls, or ``{"calls": [...]}``."""
    return _call_like(first_item(doc, "calls"))


def op_of(call: dict[str, Any]) -> str:
    """The op's name of a call (``weave:///e/p/op/send_email:abc`` -> ``send_email``).

    >>> op_of({"op_name": "weave:///ann/agents/op/openai.chat.completions.create:Qk9"}), op_of({"op_name": "send_email"})
    ('openai.chat.completions.create', 'send_email')
    """
    name = call.get("op_name")
    if type(name) is not str:
        return ""
    if name.startswith("weave:///"):
        name = name.rpartition("/op/")[2].partition(":")[0]
    return name


def _tools_named(call: dict[str, Any]) -> set[str]:
    """The tools a model call declared (``inputs.tools``) or asked for (its reply's tool calls)."""
    names: set[str] = set()
    inputs = call.get("inputs")
    tools = inputs.get("tools") if inputs.__class__ is dict else None
    for tool in tools if tools.__class__ is list else ():
        if tool.__class__ is dict:
            fn = tool.get("function")
            name = fn.get("name") if fn.__class__ is dict else tool.get("name")
            if type(name) is str and name:
                names.add(name)
    reply = _reply(call.get("output"))
    return names if reply is None else names | tools_asked(reply)


def _reply(output: Any) -> Any:
    """A model call's reply as one message: Chat Completions' ``choices[0].message``, Anthropic's message."""
    if output.__class__ is not dict:
        return None
    choices = output.get("choices")
    if choices.__class__ is list and choices and choices[0].__class__ is dict:
        return choices[0].get("message")
    return output if output.get("role") == "assistant" else None


class WeaveReader:
    """Weave's calls of one run (a file or a topic): the tools each trace's model calls named."""

    __slots__ = ("_tools",)

    def __init__(self) -> None:
        self._tools: dict[str, set[str]] = {}  # trace -> the tools its model calls named

    def spans(self, doc: Any, source: str) -> Read:
        """(no resource, span or bad span) for every call of a Weave document (``is_weave``)."""
        where = source
        if doc.__class__ is dict and doc.get("calls").__class__ is list:
            doc, where = doc["calls"], f"{source}#calls"
        items = doc if doc.__class__ is list else [doc]
        for item in items:  # the model calls first: a tool call may come before them in a list
            if _call_like(item) and _MODEL_OP.search(op_of(item)) and type(item["trace_id"]) is str:
                self._note(item["trace_id"], _tools_named(item))
        return each_item(items, where, doc.__class__ is list, self._span)

    def _note(self, trace: str, names: set[str]) -> None:
        known = self._tools.get(trace)
        if known is None:
            if len(self._tools) >= MAX_TRACES:
                del self._tools[next(iter(self._tools))]
            known = self._tools[trace] = set()
        known.update(names)

    def _span(self, call: Any, position: str) -> Read:
        if not _call_like(call):
            raise SpanError("not a Weave call (op_name, trace_id, started_at)")
        trace, span_id = text_id(call["trace_id"], "trace_id"), text_id(call.get("id"), "id")
        op, parent = op_of(call), call.get("parent_id")
        inputs = call.get("inputs") if call.get("inputs").__class__ is dict else {}
        attributes = call.get("attributes") if call.get("attributes").__class__ is dict else {}
        a: dict[str, Any] = {"weave.op": op}
        if _MODEL_OP.search(op):
            a["gen_ai.operation.name"] = "chat"
            model = inputs.get("model") or (call["output"].get("model") if call.get("output").__class__ is dict else None)
            if type(model) is str and model:
                a["gen_ai.request.model"] = model
            if inputs.get("messages").__class__ is list:
                a["gen_ai.input.messages"] = inputs["messages"]
            if inputs.get("tools").__class__ is list:
                a["gen_ai.tool.definitions"] = inputs["tools"]  # (what the model was offered: tool poisoning)
            reply = _reply(call.get("output"))
            if reply is not None:
                a["gen_ai.output.messages"] = [reply]
        elif op.rpartition(".")[2] in self._tools.get(trace, ()):
            a["gen_ai.operation.name"] = "execute_tool"
            a["gen_ai.tool.name"] = op.rpartition(".")[2]
            a["gen_ai.tool.call.arguments"] = {k: v for k, v in inputs.items() if k != "self"}
            if call.get("output") is not None:
                a["gen_ai.tool.call.result"] = call["output"]
        elif parent is None:
            a["gen_ai.operation.name"] = "invoke_agent"
            agent = next((attributes[k] for k in _AGENT_KEYS if type(attributes.get(k)) is str and attributes[k]), None)
            display = call.get("display_name")
            a["gen_ai.agent.name"] = agent or (display if type(display) is str and display else op)
        else:
            a["gen_ai.operation.name"] = "weave.call"
        if type(call.get("thread_id")) is str and call["thread_id"]:
            a["gen_ai.conversation.id"] = call["thread_id"]
        error = call.get("exception")
        end = call.get("ended_at")
        yield {}, Span(trace, span_id, text_id(parent, "parent_id") if parent is not None else "", (op or "call")[:200],
                       iso_nanos(call["started_at"], "started_at"), 2 if error else 0, str(error)[:1000] if error else "",
                       a, position, call, (), end=iso_nanos(end, "ended_at") if type(end) is str else 0)

"""Tool calls in a conversation's messages, whatever form its agent or framework records them in.

``Calls`` reads a conversation one message at a time (a transcript, transcript.py) or whole (a
chat span's input messages, otel_messages.py; the GenAI message events, otel_event_messages.py):
which calls the model asked for (id, tool name, arguments) and what each was answered.
"""

from typing import Any, Final

from .call_ids import CallIds
from .json_text import parse_json_text

MAX_CALLS = 1024  # calls held at once: open ones of a transcript, all of one span's messages (a long run reaches hundreds)


def _id(value: Any) -> str | None:
    return value if type(value) is str and value else None


def completed_calls(messages: Any) -> list[tuple[str, str, Any, Any]]:
    """(call id, tool name, arguments, response) of each tool call with a response in a messages list.

    >>> completed_calls('[{"role": "user", "parts": [{"type": "text", "content": "Pay the bill"}]},'
    ...     ' {"role": "assistant", "parts": [{"type": "tool_call", "id": "c1", "name": "read_file", "arguments": {"path": "bill.txt"}}]},'
    ...     ' {"role": "tool", "parts": [{"type": "tool_call_response", "id": "c1", "response": "IBAN DE89..."}]},'
    ...     ' {"role": "assistant", "tool_calls": [{"id": "c2", "function": {"name": "send_money", "arguments": "{}"}}]}]')
    [('c1', 'read_file', {'path': 'bill.txt'}, 'IBAN DE89...')]
    """
    asked, answered = _calls(messages)
    out: list[tuple[str, str, Any, Any]] = []
    for cid, (name, args) in asked.items():
        if cid in answered and type(name) is str and name:
            out.append((cid, name, parse_json_text(args), parse_json_text(answered[cid])))
    return out


def requested_calls(messages: Any) -> list[tuple[str, str, Any]]:
    """(call id, tool name, arguments) of each tool call a model's output messages ask for.

    >>> requested_calls('[{"role": "assistant", "parts": [{"type": "tool_call", "id": "c9", "name": "send_money",'
    ...                 ' "arguments": {"recipient": "GB29NWBK60161331926819"}}], "finish_reason": "tool_call"}]')
    [('c9', 'send_money', {'recipient': 'GB29NWBK60161331926819'})]
    """
    asked, _ = _calls(messages)
    return [(cid, name, parse_json_text(args)) for cid, (name, args) in asked.items() if type(name) is str and name]


_LANGCHAIN: Final = {"AIMessage": "ai", "AIMessageChunk": "ai", "ToolMessage": "tool", "HumanMessage": "human",
                     "SystemMessage": "system", "FunctionMessage": "function"}


def plain(m: Any) -> Any:
    """LangChain's serialised message (``{"lc": 1, "id": [..., "AIMessage"], "kwargs": {...}}``, as
    LangGraph checkpoints and LangSmith exports hold them) as its plain form: its ``kwargs`` with
    ``type`` ai / tool / human / system. Anything else as it is.

    >>> plain({"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "ToolMessage"],
    ...        "kwargs": {"content": "sent", "tool_call_id": "c1"}})
    {'content': 'sent', 'tool_call_id': 'c1', 'type': 'tool'}
    """
    if m.__class__ is dict and "lc" in m:
        kwargs, ident = m.get("kwargs"), m.get("id")
        if kwargs.__class__ is dict and ident.__class__ is list and ident and ident[-1].__class__ is str:
            kind = _LANGCHAIN.get(ident[-1])
            if kind is not None:
                return {**kwargs, "type": kind}
    return m


def _calls(messages: Any) -> tuple[dict[str, tuple[Any, Any]], dict[str, Any]]:
    """The calls asked for (id -> (name, arguments)) and answered (id -> response) in a messages list."""
    messages = parse_json_text(messages)
    calls = Calls()
    if messages.__class__ is list:
        for m in messages:
            calls.add(m)
    return calls.asked, calls.answered


class Calls:
    """The tool calls a conversation asks for and the answers it gives, read one message at a time.

    A message in any of the forms agents and their frameworks record (docs/inputs.md, "Agent transcripts",
    has the table): the GenAI conventions' parts, OpenAI's Chat Completions and Responses items, Anthropic's
    and Gemini's blocks, Bedrock Converse's, LangChain's (serialised too: ``plain``), AgentDojo's, Inspect's,
    tau2-bench's, ATIF's steps, OpenHands' events, the Gemini CLI's chat record, Goose's and AutoGen's.
    A call recorded with no id is ``#<n>`` (its place among the calls); an answer with no id answers
    the oldest unanswered call of its tool's name. Answers follow their calls: one to a call never
    asked is not kept (bounded with the calls, ``MAX_CALLS``); an id given to two calls: call_ids.py.

    >>> c = Calls()
    >>> c.add({"role": "assistant", "tool_calls": [{"function": "send_money", "args": {"recipient": "DE89"}, "id": None}]})
    []
    >>> c.add({"role": "tool", "content": "", "tool_call_id": None, "tool_call": {"function": "send_money"},
    ...        "error": "ValueError: insufficient funds"})
    ['#0']
    >>> c.asked, c.failed
    ({'#0': ('send_money', {'recipient': 'DE89'})}, {'#0'})
    >>> c.add({"type": "function_call", "call_id": "call_1", "name": "read_file", "arguments": '{"path": "a.txt"}'})
    []
    >>> c.add({"type": "function_call_output", "call_id": "call_1", "output": "text"}), c.answered["call_1"]
    (['call_1'], 'text')
    """

    __slots__ = ("asked", "answered", "failed", "refused", "_new", "_count", "_ids")

    def __init__(self) -> None:
        self.asked: dict[str, tuple[Any, Any]] = {}
        self.answered: dict[str, Any] = {}
        self.failed: set[str] = set()  # answered with an error
        self.refused: set[str] = set()  # refused by the user (never run)
        self._new: list[str] = []
        self._count = 0  # calls asked, forgotten ones included
        self._ids = CallIds()

    @property
    def total(self) -> int:
        """The calls asked so far, forgotten ones included."""
        return self._count

    def forget(self, cid: str) -> None:
        """Drop a call taken (a long conversation read as it goes keeps only its open calls)."""
        self.asked.pop(cid, None)
        self.answered.pop(cid, None)
        self.failed.discard(cid)
        self.refused.discard(cid)

    def add(self, m: Any) -> list[str]:
        """Read one message (or Responses item); the ids of the calls it answers, in its order."""
        self._new = []
        if m.__class__ is not dict:
            return self._new
        if "lc" in m:
            m = plain(m)
        kind = m.get("type")
        if kind.__class__ is str and kind in _ITEMS:
            (self._autogen if kind in _AUTOGEN else self._item)(kind, m)
            return self._new
        if ("observation" in m and "cause" in m) or "tool_call_metadata" in m or ("action" in m and "args" in m):
            self._event(m)
            return self._new
        parts = m.get("parts")
        if parts.__class__ is list:
            self._typed(parts)
        calls, extra = m.get("tool_calls"), m.get("additional_kwargs")
        if not calls and extra.__class__ is dict:  # LangChain's older messages: the provider's calls kept aside
            calls = extra.get("tool_calls")
        if calls.__class__ is list:
            for c in calls:
                if c.__class__ is not dict:
                    continue
                fn = c.get("function")
                if fn.__class__ is dict:  # OpenAI's
                    if _id(c.get("id")) is not None:
                        self._ask(c.get("id"), fn.get("name"), fn.get("arguments"))
                elif fn.__class__ is str:  # AgentDojo's (args), Inspect's (arguments)
                    self._ask(c.get("id"), fn, c["args"] if "args" in c else c.get("arguments"))
                elif "name" in c:  # LangChain's, tau2-bench's (whose user's own calls, requestor user, are not the agent's)
                    if c.get("requestor") != "user":
                        self._ask(c.get("id"), c.get("name"), c["args"] if "args" in c else c.get("arguments"))
                elif "function_name" in c:  # ATIF's
                    self._ask(c.get("tool_call_id"), c.get("function_name"), c.get("arguments"))
        recorded = m.get("toolCalls")
        if recorded.__class__ is list:  # the Gemini CLI's chat record: each call with its result and status
            for c in recorded:
                if c.__class__ is dict and _id(c.get("id")) is not None:
                    self._ask(c["id"], c.get("name"), c.get("args"))
                    status = c.get("status")
                    if "result" in c or status == "error" or status == "cancelled":
                        self._answer(c["id"], None, c.get("result"), status == "error", status == "cancelled")  # (refused)
        observation = m.get("observation")
        if observation.__class__ is dict and observation.get("results").__class__ is list:  # ATIF's, after its calls
            for r in observation["results"]:
                if r.__class__ is dict and _id(r.get("source_call_id")) is not None:
                    self._answer(r["source_call_id"], None, r.get("content"), r.get("is_error") is True)
        legacy = m.get("function_call")
        if legacy is None and extra.__class__ is dict:
            legacy = extra.get("function_call")
        if legacy.__class__ is dict:  # OpenAI's older single call
            self._ask(None, legacy.get("name"), legacy.get("arguments"))
        content = m.get("content")
        if content.__class__ is str and content[:1] == "[":  # (OpenLLMetry writes a list of blocks as JSON text)
            content = parse_json_text(content)
        if content.__class__ is list:
            self._typed(content)
        role = m.get("role")
        if role == "tool" and m.get("tool_messages").__class__ is list:  # tau2-bench's MultiToolMessage: one answer each
            answered: list[str] = []
            for t in m["tool_messages"]:
                answered += self.add(t)
            self._new = answered
            return answered
        if role == "tool" or (role is None and kind == "tool"):
            call = m.get("tool_call")
            name = call.get("function") if call.__class__ is dict else m.get("name") or m.get("function")
            error, content = m.get("error"), m.get("content")
            refused = error.__class__ is dict and error.get("type") == "approval"  # Inspect's approval policy refused it
            if error.__class__ is dict and not content:  # Inspect's ToolCallError: its message is the answer
                content = error.get("message")
            cid = m.get("tool_call_id")
            if _id(cid) is None and _id(m.get("id")) in self.asked:  # tau2-bench's: the call's id is the message's
                cid = m["id"]
            self._answer(cid, name, content,
                         not refused and ((error is not None and error is not False) or m.get("status") == "error"), refused)
        elif role == "function" or (role is None and kind == "function"):  # OpenAI's older answer; LangChain's FunctionMessage
            self._answer(None, m.get("name"), m.get("content"), False)
        return self._new

    def _ask(self, cid: Any, name: Any, args: Any) -> None:
        if len(self.asked) >= MAX_CALLS:
            return
        key = _id(cid)
        key = f"#{self._count}" if key is None else self._ids.key(key, name, args)
        if key is None:  # (its id's last call shown again)
            return
        if key not in self.asked:
            self.asked[key] = (name, args)
            self._count += 1

    def _answer(self, cid: Any, name: Any, response: Any, failed: bool, refused: bool = False) -> None:
        key = _id(cid)
        if key is not None:
            key = self._ids.answering(key, self.asked, self.answered)
        if key is None and name.__class__ is str:
            for asked, (called, _) in self.asked.items():  # the oldest unanswered call of that name
                if called == name and asked not in self.answered:
                    key = asked
                    break
        if key is None or key not in self.asked:
            return
        if key not in self.answered:
            self._new.append(key)
        self.answered[key] = response
        if failed:
            self.failed.add(key)
        if refused:  # (by the user, or the agent's permission settings: it never ran)
            self.refused.add(key)

    def _typed(self, items: list[Any]) -> None:
        """A message's typed parts or content blocks: the GenAI conventions' ``tool_call`` (id, name,
        arguments) and ``tool_call_response`` (id, response); Anthropic's ``tool_use`` (id, name, input)
        and ``tool_result`` (``tool_use_id``, content, ``is_error``); Gemini's untyped ``functionCall`` /
        ``functionResponse``.

        >>> c = Calls(); c._typed([{"type": "tool_use", "id": "toolu_1", "name": "get_bill", "input": {"month": "march"}}])
        >>> c._typed([{"type": "tool_result", "tool_use_id": "toolu_1", "content": "IBAN DE89..."}])
        >>> c.asked, c.answered
        ({'toolu_1': ('get_bill', {'month': 'march'})}, {'toolu_1': 'IBAN DE89...'})
        """
        for p in items:
            if p.__class__ is not dict:
                continue
            kind = p.get("type")
            if kind == "tool_call" or kind == "tool_use":
                if _id(p.get("id")) is not None:
                    self._ask(p["id"], p.get("name"), p.get("arguments") if kind == "tool_call" else p.get("input"))
            elif kind == "tool_call_response":
                if _id(p.get("id")) is not None:
                    self._answer(p["id"], None, p["response"] if "response" in p else p.get("result"), False)
            elif kind == "tool_result":
                if _id(p.get("tool_use_id")) is not None:
                    error = p.get("is_error") is True
                    refused = error and refusal(p.get("content"))
                    self._answer(p["tool_use_id"], None, p.get("content"), error and not refused, refused)
            elif kind == "toolRequest" or kind == "toolResponse":
                self._goose(kind, p)
            elif kind is None:  # Gemini's; Bedrock Converse's toolUse / toolResult
                call = p.get("functionCall", p.get("function_call"))
                if call.__class__ is dict:
                    self._ask(call.get("id"), call.get("name"), call.get("args"))
                    continue
                use, result = p.get("toolUse"), p.get("toolResult")
                if use.__class__ is dict:
                    self._ask(use.get("toolUseId"), use.get("name"), use.get("input"))
                elif result.__class__ is dict:
                    self._answer(result.get("toolUseId"), None, result.get("content"), result.get("status") == "error")
                response = p.get("functionResponse", p.get("function_response"))
                if response.__class__ is dict:
                    self._answer(response.get("id"), response.get("name"), response.get("response"), False)

    def _autogen(self, kind: str, m: dict[str, Any]) -> None:
        """AutoGen AgentChat's ``ToolCallRequestEvent`` (``id``, ``name``, ``arguments``) and ``ToolCallExecutionEvent``."""
        content = m.get("content")
        for c in content if content.__class__ is list else ():
            if c.__class__ is not dict:
                continue
            if kind == "ToolCallRequestEvent":
                if _id(c.get("id")) is not None:
                    self._ask(c["id"], c.get("name"), c.get("arguments"))
            elif _id(c.get("call_id")) is not None:
                self._answer(c["call_id"], c.get("name"), c.get("content"), c.get("is_error") is True)

    def _goose(self, kind: str, p: dict[str, Any]) -> None:
        """Goose's blocks: ``toolRequest`` (``id``, ``toolCall``: ``{"status", "value": {name, arguments}}`` or
        ``{"Ok": ...}``), ``toolResponse`` (``toolResult.value``: MCP's ``content``, ``isError``; ``status: error``)."""
        cid, box = p.get("id"), p.get("toolCall" if kind == "toolRequest" else "toolResult")
        if _id(cid) is None or box.__class__ is not dict:
            return
        value = box.get("value", box.get("Ok"))
        if kind == "toolRequest":
            if value.__class__ is dict:  # (a call the model wrote wrong, status error, never ran)
                self._ask(cid, value.get("name"), value.get("arguments"))
            return
        failed = box.get("status") == "error" or "Err" in box or (value.__class__ is dict and value.get("isError") is True)
        content = value.get("content") if value.__class__ is dict and "content" in value else value
        self._answer(cid, None, content if content is not None else box.get("error", box.get("Err")), failed)

    def _event(self, m: dict[str, Any]) -> None:
        """One of OpenHands' events: an action (``action``, ``args``; a tool call's ``tool_call_metadata``
        names the tool and the call) or the observation that answers one (``cause``: the action's ``id``;
        ``observation: error`` an error)."""
        meta = m.get("tool_call_metadata")
        meta = meta if meta.__class__ is dict else {}
        if "observation" in m:
            cause = m.get("cause")
            cid = meta.get("tool_call_id") if _id(meta.get("tool_call_id")) else f"event{cause}" if cause.__class__ is int else None
            self._answer(cid, None, m.get("content"), m.get("observation") == "error")
            return
        action = m.get("action")
        if meta or (action.__class__ is str and action in _OPENHANDS_CALLS):
            event = m.get("id")
            cid = meta.get("tool_call_id") if _id(meta.get("tool_call_id")) else f"event{event}" if event.__class__ is int else None
            self._ask(cid, meta.get("function_name") or action, m.get("args"))

    def _item(self, kind: str, m: dict[str, Any]) -> None:
        """One of OpenAI's Responses items (``call_id`` ties a call to its output)."""
        cid = m.get("call_id")
        if kind == "function_call":
            self._ask(cid, m.get("name"), m.get("arguments"))
        elif kind == "custom_tool_call":
            self._ask(cid, m.get("name"), m.get("input"))
        elif kind == "local_shell_call":
            self._ask(cid, "local_shell", m.get("action"))
        elif kind == "mcp_call":  # asked and answered in one item
            cid = m.get("id") if cid is None else cid
            if _id(cid) is not None:
                label, name = m.get("server_label"), m.get("name")
                self._ask(cid, f"{label}.{name}" if label.__class__ is str and name.__class__ is str else name,
                          m.get("arguments"))
                error = m.get("error")
                self._answer(cid, None, m.get("output") if error is None else error, error is not None)
        else:  # an output
            key = _id(cid)
            if key is not None:
                self._answer(key, None, m.get("output"), False, refusal(m.get("output")))


# What a coding agent answers for a call its user (or its permission settings) refused: Claude Code's
# tool_result (is_error), Codex's output. The call never ran: outcome denied, not error.
_REFUSALS: Final = ("The user doesn't want to proceed with this tool use", "The user doesn't want to take this action",
                    "requested permissions to use", "exec command rejected by user", "patch rejected by user")


def refusal(content: Any) -> bool:
    """Whether a call's answer says it was refused before it ran (text, or a list of text blocks).

    >>> refusal("The user doesn't want to proceed with this tool use. The tool use was rejected (eg. ...)")
    True
    >>> refusal([{"type": "text", "text": "Claude requested permissions to use Bash, but you haven't granted it yet."}])
    True
    >>> refusal("exit code 1: permission denied"), refusal(None)
    (False, False)
    """
    if content.__class__ is list and content and content[0].__class__ is dict:
        content = content[0].get("text")
    if content.__class__ is not str:
        return False
    head = content[:200]
    for marker in _REFUSALS:
        if marker in head:
            return True
    return False


_OPENHANDS_CALLS: Final = frozenset({"run", "run_ipython", "read", "write", "edit", "browse", "browse_interactive", "mcp",
                                     "delegate"})  # its actions that are tool calls (not message, think, finish...)
_AUTOGEN: Final = frozenset({"ToolCallRequestEvent", "ToolCallExecutionEvent"})  # (AutoGen AgentChat's: in _ITEMS too)
_ITEMS: Final = _AUTOGEN | frozenset({"function_call", "function_call_output", "custom_tool_call", "custom_tool_call_output",
                           "local_shell_call", "local_shell_call_output", "mcp_call"})


def resource_argument(args: dict[str, Any], ranks: dict[str, int]) -> str | None:
    """The string argument (a list's first: ``recipients``) whose key ranks first in ``ranks`` (``resource_arguments``).

    >>> resource_argument({"amount": 10, "recipient": "DE89", "file": 3}, {"file": 0, "recipient": 1}), resource_argument({"to": ["a@x.org"]}, {"to": 0})
    ('DE89', 'a@x.org')
    """
    best, found = len(ranks), None
    for key, value in args.items():
        r = ranks.get(key)
        if r is not None and r < best:
            if value.__class__ is list and value and value[0].__class__ is str:
                value = value[0]
            if isinstance(value, str):
                best, found = r, value
    return found

"""What transcript.py recognises by its look: a message (not a document holding messages), a line
a session file writes for itself, a time in any of its producers' forms; a conversation being read,
and those that go on across documents."""

import re
import time
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from intentwatch.models.action import EARLIEST, LATEST
from intentwatch.pipeline.engine.toolcall import ANSWER, TOOL_DEFINITIONS, described_tools

from .base import EPOCH, UTC
from .files import Damaged, chunks
from .libs import dumps
from .injecagent import case_messages, is_case
from .inspect_logs import conversation, is_log, samples
from .langchain_steps import is_steps, steps_messages
from .messages import Calls, resource_argument
from .order import FUTURE_SECONDS
from .peers import PeerResults
from .sharegpt import dataset_messages
from .json_text import parse_json_text
from .swe_agents import messages as swe_messages
from .swe_agents import producer

SKIPPED_LINES: Final = frozenset({"summary", "system", "file-history-snapshot", "queue-operation",  # Claude Code's
                                  "event_msg", "compacted",  # Codex's
                                  "notification", "complete", "error"})  # Goose's stream-json
_MESSAGE_TYPES: Final = frozenset({"message", "function_call", "function_call_output", "custom_tool_call",
                                   "custom_tool_call_output", "local_shell_call", "local_shell_call_output", "mcp_call",
                                   "human", "ai", "tool", "user", "gemini",
                                   "TextMessage", "ToolCallRequestEvent", "ToolCallExecutionEvent"})  # (AutoGen's)
USER: Final = frozenset({"user", "human"})


def trajectory(doc: dict[str, Any]) -> tuple[str | None, list[Any]] | None:
    """(the agent its producer is known by, its messages) of a run kept as steps, not messages:
    SWE-agent's and mini-SWE-agent's (swe_agents.py), a LangChain agent's intermediate steps
    (langchain_steps.py), an InjecAgent test case with the agent's outputs (injecagent.py), ShareGPT-form
    turns and ToolBench's answer files (sharegpt.py), a Google ADK session's events; None: none of them."""
    kind = producer(doc)
    if kind is not None:
        return kind, swe_messages(doc, kind)
    if is_steps(doc):
        return None, steps_messages(doc)
    if is_case(doc):
        return None, case_messages(doc)
    if (messages := dataset_messages(doc)) is not None:
        return None, messages
    events = doc.get("events")
    if events.__class__ is list and events and all(adk_content(e) is not None for e in events[:4]):
        return None, [adk_content(e) or {} for e in events]
    return None


def adk_content(event: Any) -> dict[str, Any] | None:
    """A Google ADK session event's message: its ``content`` (a Gemini ``Content``: ``role``, ``parts``
    with ``function_call`` / ``function_response``), timed by the event's ``timestamp`` (Unix seconds), and
    the agent that wrote it (``author``: a sub-agent's own name; the user's events none); None: no such
    event (an ``author``, an ``invocation_id`` and a ``content`` with parts, or no content).

    >>> adk_content({"author": "payer", "timestamp": 1762160401.5, "invocation_id": "e-1",
    ...              "content": {"role": "model", "parts": [{"function_call": {"id": "a1", "name": "pay", "args": {}}}]}})
    {'role': 'model', 'parts': [{'function_call': {'id': 'a1', 'name': 'pay', 'args': {}}}], 'timestamp': 1762160401.5, 'author': 'payer'}
    """
    if event.__class__ is not dict or "author" not in event or "invocation_id" not in event:
        return None
    content = event.get("content")
    if content is None:
        return {"timestamp": event.get("timestamp")}  # (an event that only changes state: no message)
    if content.__class__ is not dict or content.get("parts").__class__ is not list:
        return None
    author = event.get("author")
    return {**content, "timestamp": event.get("timestamp"), "author": author if author.__class__ is str and author != "user" else None}


# A run read as a conversation: (where its agent, time, session and model are looked up; its
# messages; the agent its producer is known by, when nothing names one).
Run = tuple[dict[str, Any], list[Any], str | None]


def runs(doc: Any) -> tuple[str, list[Any], Callable[[Any], Run | None]] | None:
    """The runs a document holds, each a conversation: (the key they are under, "" when the
    document is one; the runs; how one is read). Inspect's logs and their samples (inspect_logs.py),
    tau2-bench's results (``simulations``, each with its ``messages``; the domain, the agent). None: none."""
    if is_log(doc):
        return ("samples" if "samples" in doc else ""), samples(doc), conversation
    sims = doc.get("simulations") if doc.__class__ is dict else None
    if sims.__class__ is not list or not all(s.__class__ is dict and "messages" in s for s in sims[:4]):
        return None
    info = doc.get("info")
    env = info.get("environment_info") if info.__class__ is dict else None
    domain = env.get("domain_name") if env.__class__ is dict else None
    domain = domain if domain.__class__ is str and domain else None
    return "simulations", sims, lambda s: (s, s["messages"], domain) if s.__class__ is dict and s.get("messages").__class__ is list else None


def session_line(doc: dict[str, Any], kind: str | None, meta: dict[str, Any]) -> str | None:
    """A line a session file writes for itself, not a message: what it tells goes into ``meta`` (the
    session's id, its producer, the model) and its name is returned (``skipped``); None: no such line."""
    if kind == "session_meta" or kind == "turn_context":  # Codex's: the session's id and origin, the model
        payload = doc.get("payload")
        if payload.__class__ is dict:
            meta.update((k, v) for k, v in payload.items() if k in ("id", "originator", "model") and v.__class__ is str)
        return f"{kind} line"
    if kind is not None and kind in SKIPPED_LINES:
        return f"{kind} line"
    if "working_dir" in doc and "message_count" in doc:  # a Goose session file's first line: the session
        meta.update(originator="goose", **({"id": doc["id"]} if doc.get("id").__class__ is str else {}))
        return "Goose session line"
    return None


def message_like(m: Any) -> bool:
    """A message or Responses item (not a document holding them)."""
    return m.__class__ is dict and ("role" in m or as_text(m.get("type")) in _MESSAGE_TYPES or "parts" in m or "lc" in m
                                    or "step_id" in m or ("source" in m and ("action" in m or "observation" in m)))


def author_of(m: dict[str, Any]) -> Any:
    """The agent a message says wrote it, where its producer names one per message: a Google ADK
    event's ``author`` (adk_content), an AutoGen AgentChat event's ``source``; None: none."""
    if "author" in m:
        return m["author"]
    return m["source"] if "source" in m and m.get("type") == "ToolCallRequestEvent" else None


def autogen_user(m: dict[str, Any]) -> bool:
    """An AutoGen AgentChat ``TextMessage`` from the user (the task)."""
    return "source" in m and m["source"] == "user" and m.get("type") == "TextMessage"


def as_text(value: Any) -> str | None:
    return value if value.__class__ is str else None


def when(value: Any) -> datetime | None:
    """RFC 3339 text, or a Unix time in seconds, ms, us or ns (told apart by size), within the
    contract's bounds (1970 to 2200); None: neither."""
    if value.__class__ is str:
        try:
            t = datetime.fromisoformat(value)
        except ValueError:
            return None
        t = t if t.tzinfo is not None else t.replace(tzinfo=UTC)  # (OpenHands writes local-less times)
        return t if EARLIEST <= t < LATEST else None
    if value.__class__ in (int, float) and 0 <= value < 1e19:
        scale = 1e9 if value >= 1e17 else 1e6 if value >= 1e14 else 1e3 if value >= 1e11 else 1.0
        t = EPOCH + timedelta(seconds=value / scale)
        return t if t < LATEST else None
    return None


def first_time(path: str | Path, time_text: re.Pattern[bytes]) -> float | None:
    """The first time (``time_text``: its key and value) in a file's first 64 KiB, Unix seconds; None: none."""
    try:
        head = next(chunks(path, 1 << 16), b"")[: 1 << 16]
    except (OSError, Damaged):
        return None
    m = time_text.search(head)
    if m is None:
        return None
    t = when(m.group(1).decode("utf-8", "replace") if m.group(1) is not None else int(m.group(2)))
    return None if t is None else t.timestamp()


def short(session: str) -> str:
    """A session id that fits the contract with a call id after it (a file path can be long)."""
    return session if len(session) <= 120 else "..." + session[-117:]


MAX_OFFERED: Final = 256  # tools offered and kept for a conversation's next call


class Conversation:
    """One conversation being read: its calls, when each was asked, its latest request and model."""

    __slots__ = ("agent", "session", "calls", "asked_at", "request", "model", "last", "taken", "by", "key", "offered", "offer_key", "offer_raw",
                 "after")

    def __init__(self, agent: str, session: str, key: Any = None):
        self.agent, self.session = agent, short(session)
        self.key = session if key is None else key  # its results handed on to its other agents under it (peers.py)
        self.calls = Calls()
        self.asked_at: dict[str, datetime] = {}
        self.request: str | None = None
        self.model: str | None = None
        self.last: datetime | None = None  # the latest message's time
        self.taken: set[str] | None = None  # the session's calls made actions of, by earlier documents too
        self.by: dict[str, str] | None = None  # call -> the agent its message names (a Google ADK sub-agent's event)
        self.offered: list[Any] | None = None  # tools offered since the last call (``tool_definitions``), for the next
        self.offer_key: int | None = None  # the last list offered (its checksum)
        self.offer_raw: list[Any] | None = None  # and as it came
        self.after: str | None = None  # the last call answered since the user's last message or the model's reply

    def action_fields(self, cid: str, name: str, operation: str, ranks: dict[str, int], unanswered: bool,
                      peers: PeerResults) -> dict[str, Any]:
        """The action fields of a call taken (``unanswered``: at the conversation's end, with no answer); the
        results its conversation's other agents read before it go with it, and its own to them (peers.py)."""
        args = parse_json_text(self.calls.asked[cid][1])
        agent = (self.by.pop(cid, None) if self.by else None) or self.agent
        fields: dict[str, Any] = {"event_id": f"{self.session}:{cid[:79]}", "agent_id": agent[:200],
                                  "time": self.asked_at[cid], "tool": name[:300], "operation": operation,
                                  "session_id": self.session, "task_id": self.session}
        attributes: dict[str, Any] = {"tool_call_id": cid}
        if args is not None:
            attributes["arguments"] = args
            if args.__class__ is dict:
                resource = resource_argument(args, ranks)
                if resource is not None:
                    fields["resource"] = resource
        if unanswered:
            attributes["unanswered"] = True
        else:
            result = parse_json_text(self.calls.answered[cid])
            if result is not None:
                attributes["result"] = result
            if cid in self.calls.failed:
                fields["outcome"] = "error"
            elif cid in self.calls.refused:
                fields["outcome"] = "denied"
        if self.request is not None:
            attributes["request"] = self.request
        if self.model is not None:
            fields["model"] = {"id": self.model[:200]}
        if self.offered is not None:
            attributes[TOOL_DEFINITIONS], self.offered = self.offered, None
        peers.exchange(self.key, agent, attributes, fields["event_id"], name, attributes.get("result"), fields["time"])
        fields["attributes"] = attributes
        return fields

    def offer(self, tools: Any) -> None:
        """Tools offered to the model (a list in any form ``toolcall.tool_descriptions`` reads), kept with any
        offered before for the next call; a list offered again as it was (a logged request repeats its
        tools in every call) is not."""
        if tools.__class__ is not list or tools == self.offer_raw:
            return
        self.offer_raw = tools
        described = described_tools(tools)
        key = zlib.crc32(dumps(described)) if described else None
        if key is not None and key != self.offer_key:
            self.offered, self.offer_key = ((self.offered or []) + described)[-MAX_OFFERED:], key

    def answer_fields(self, text: str, at: datetime, author: Any = None) -> dict[str, Any] | None:
        """The action of the model's reply (answers.py) after the calls answered since the user's last
        message, or None: none was, or an earlier document of the session (a log of requests) showed it.
        ``author``: the agent its message names (an ADK or AutoGen agent's event), else the conversation's."""
        key, self.after = (f"answer:{self.after[:70]}" if self.after else None), None
        if key is None or not self.new(key):
            return None
        agent = author if author.__class__ is str and author else self.agent
        fields: dict[str, Any] = {"event_id": f"{self.session}:{key}", "agent_id": agent[:200], "time": at, "tool": "gen_ai.chat",
                  "operation": "invoke", "session_id": self.session, "task_id": self.session, "attributes": {ANSWER: text}}
        if self.model is not None:
            fields["model"] = {"id": self.model[:200]}
        return fields

    def new(self, cid: str) -> bool:
        """Whether a call was not made an action of by an earlier document of its session (and is now)."""
        taken = self.taken
        if taken is None:
            return True
        if cid in taken:
            return False
        if len(taken) >= 16384:
            taken.clear()
        taken.add(cid)
        return True


MAX_STREAMS: Final = 4096  # conversations going on across documents, open at once (the oldest is closed)


class Streams:
    """The conversations that go on across documents (a session file's lines, logged model calls), by
    (file, session, agent: agents that share a session, a Bedrock agent and its collaborators, each keep
    their own calls); from a topic the file is "" and the least recently continued comes first."""

    __slots__ = ("open", "skipped", "peers")

    def __init__(self, skipped: Counter[str]):
        self.open: dict[tuple[str, str, str], Conversation] = {}
        self.skipped = skipped
        self.peers = PeerResults()  # (of every conversation read, going on across documents or not)

    def of(self, file: str, agent: str, session: str) -> Conversation:
        key = (file, session, agent)
        conv = self.open.get(key)
        if conv is not None and not file:
            self.open[key] = self.open.pop(key)  # (from a topic: the last continued goes last, for ``idle``)
        if conv is None:
            if len(self.open) >= MAX_STREAMS:
                self.open.pop(next(iter(self.open)))  # (its unanswered calls are not made actions: bounded memory first)
                self.skipped["conversation closed early (too many open)"] += 1
            conv = self.open[key] = Conversation(agent, session, (file, session))  # (its agents share one key)
        return conv

    def closed(self, which: Callable[[tuple[str, str, str]], bool]) -> list[tuple[tuple[str, str, str], Conversation]]:
        """The conversations ``which`` picks, taken out."""
        return [(key, self.open.pop(key)) for key in [k for k in self.open if which(k)]]

    @staticmethod
    def went_on(conv: Conversation, at: datetime) -> None:
        """``conv`` continued at ``at``; a time more than a day past the wall clock is not kept (the
        conversation would stand first in ``idle``'s order for ever, and no other would end)."""
        if at.timestamp() <= time.time() + FUTURE_SECONDS:
            conv.last = at

    def idle(self, now: datetime, seconds: float) -> list[tuple[tuple[str, str, str], Conversation]]:
        """From a topic, where no file ends them: the conversations not continued for ``seconds`` before
        ``now`` (a message's time), taken out, the least recently continued first. A message stamped
        more than a day past the wall clock ends none (the engine refuses it: one writer's 2099 would end
        every conversation)."""
        if now.timestamp() > time.time() + FUTURE_SECONDS:
            self.skipped["message time ahead of the clock: ended no conversation"] += 1
            return []
        bound, out = now - timedelta(seconds=seconds), []
        while self.open:
            key, conv = next(iter(self.open.items()))
            if key[0] or (conv.last is not None and conv.last >= bound):
                break
            del self.open[key]
            if conv.last is None:  # (its first message was a bad record: its wait starts now)
                conv.last = now
                self.open[key] = conv
                continue
            self.skipped["conversation ended after its idle time (from a topic)"] += 1
            out.append((key, conv))
        return out

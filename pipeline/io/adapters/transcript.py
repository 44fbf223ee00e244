"""Agent transcripts -> actions: the conversations agents, their frameworks and benchmarks record.

Many agents leave no telemetry but their conversation: the messages the model and its tools
exchanged, in one of the model APIs' forms (messages.py knows each). Two shapes are read:

- **a conversation as one document**: an object whose messages are at one of ``messages_paths``
  (an AgentDojo run's ``messages``, a tau-bench result's ``traj``, an OpenAI Agents SDK input list,
  a LangGraph state, a Gemini request's ``contents``, an ATIF trajectory's ``steps``, an OpenHands
  ``history``, the Gemini CLI's chat record, SWE-agent's and mini-SWE-agent's runs: swe_agents.py, a LangChain agent's
  steps: langchain_steps.py, an InjecAgent case: injecagent.py, ShareGPT-form turns and ToolBench's answers: sharegpt.py,
  an Inspect log's samples: inspect_logs.py, an ADK session's events, an AutoGen result), bare messages, or a list of them;
- **a log of model API calls** (model_api.py: Responses API objects, Chat Completions, request /
  response pairs, Bedrock's invocation logs): each call's messages and reply, one conversation across
  the calls that continue it;
- **a transcript written as it goes, a line per message**: Claude Code's session files
  (``~/.claude/projects/<project>/<session>.jsonl``: ``type`` user / assistant, the ``message``,
  ``sessionId``, ``timestamp``), the Codex CLI's (``~/.codex/sessions/.../rollout-*.jsonl``: a
  ``session_meta`` line, then ``response_item`` lines whose ``payload`` is a Responses item), Goose's, Google
  ADK events, Bedrock agents' trace parts, Claude Desktop's MCP logs (mcp_logs.py), or bare messages.

Each tool call becomes an action when its answer comes, stamped with the time it was asked: the
tool, its operation (the tool-verb table, ``tools``), its arguments (the first of
``resource_arguments`` is the resource) and its answer as ``attributes.result``; an answer that
is an error gives outcome ``error`` (one the user cancelled, ``denied``); the user's latest text before it is
its request (``attributes.request``: a target the user gave is not an injected one). The model's reply after the calls
answered since the user spoke is a ``gen_ai.chat`` action carrying it (``attributes.answer``: answers.py). A state-changing call still unanswered
when its conversation (or the file) ends is an action marked ``attributes.unanswered`` (a run may
stop on an injected payment); an unanswered read is counted in ``skipped``. The conversation is
the action's session and task; a call that a later document of the same named session shows again
(a proxy's log of requests, each with the conversation so far) is an action once.

The agent is the conversation's (``agent_paths``), else the ``agent`` option, else, for a coding
agent's session file, the name its OpenTelemetry export uses (``claude-code``; Codex's
``originator``; ``gemini-cli`` for the Gemini CLI's chat record; ``swe-agent``, ``mini-swe-agent``). Time is the message's or the
line's, else ``step_seconds`` after the message before (the first: the conversation's time, else
its first message's); a benchmark's runs, which carry none, take the ``start`` clock, else one that
ends each such file's runs by its modification time. An agent nothing names is the file's name. What was so
assumed is counted (``assumed``: the replay summary). From a topic neither is assumed: a bad record; and
no file ends a conversation there: one no message has continued for ``end_after_seconds`` of the
messages' time ends (transcript_forms.Streams). A folder of session files is read in time order
(``file_start``, order.py).
"""

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from intentwatch.pipeline.io.deadletter import failure

from .base import BadRecord, JsonInput, Result, make_action
from .answers import answer_text
from .bedrock_agents import agent_line, trace_part
from .cloudwatch import log_events
from .inspect_logs import archive, is_archive
from .libs import dumps_any
from .mapped import resolve
from .mapping import compile_path
from .mcp_logs import PREFIX, McpLog, is_mcp_log, mcp_lines
from .messages import plain
from .model_api import Chains, model_call
from .options import TranscriptOptions
from .order import RunClock
from .otel_messages import WAITS
from .otel_requests import REQUEST_CHARS, user_text
from .transcript_forms import USER, Conversation, Run, Streams, adk_content, as_text, author_of, autogen_user, first_time, \
    message_like, runs, session_line, trajectory, when

MAX_MESSAGES = 100_000  # of one conversation document
# What was taken from the file, not the input (``assumed``: the replay summary; ``intents suggest`` reads ASSUMED_TIME).
ASSUMED_TIME = "time: a clock ending by the file's modification time (none in the input, no start option)"
ASSUMED_AGENT = "agent: the file's name (none in the input, no agent option), files"
class TranscriptAdapter(JsonInput):
    """Conversations and session files (module docstring) -> actions; the run's open conversations."""

    name = "transcript"

    def __init__(self, options: TranscriptOptions):
        self.options = o = options
        self._ranks = {k: i for i, k in enumerate(o.resource_arguments)}
        self._agents = [compile_path(p) for p in o.agent_paths]
        self._sessions = [compile_path(p) for p in o.session_paths]
        self._line_sessions = [compile_path(p) for p in o.session_paths if p != "id"]  # a line's own id names the line
        self._messages = [compile_path(p) for p in o.messages_paths]
        self._times = [compile_path(p) for p in o.time_paths]
        self._models = [compile_path(p) for p in ("agent.model_name", "model_name", "info.config.model.model_name")]  # ATIF, SWE
        keys = b"|".join(re.escape(p.rsplit(".", 1)[-1].encode()) for p in o.time_paths)
        self._time_text = re.compile(rb'"(?:' + keys + rb')"\s*:\s*(?:"([^"]{10,40})"|(\d{9,19})\b)')
        self._meta: dict[str, dict[str, Any]] = {}  # file -> what Codex's session_meta / turn_context said
        self._reading: set[str] = set()  # files being read (read_tree may interleave them: order.py)
        self._clock = 0  # conversations put on the start clock
        self._run_clock = RunClock(o.gap_seconds)  # with no start option: one that ends a file's runs by its time
        self._named_files: set[str] = set()  # files whose conversations took the file's name as their agent
        self._taken: dict[str, set[str]] = {}  # session -> call ids made actions of (documents repeat their history)
        self._chains = Chains()  # logged model calls -> their conversations (model_api.py)
        self._mcp = McpLog(o.agent)  # MCP log lines from a topic (mcp_logs.py)
        self._by_author = o.agent is None  # a message's own agent (ADK, AutoGen) names its calls, unless one is set
        self.skipped: Counter[str] = Counter()
        self._streams = Streams(self.skipped)
        self.assumed: Counter[str] = Counter()  # what the input did not say (agent, time), taken from its file

    def read(self, path: str | Path) -> Iterator[Result]:
        name = str(path)
        self._reading.add(name)
        try:
            yield from archive(path, self._document) if is_archive(path) else self.read_json(path)  # (an Inspect .eval log)
            yield from self._close(lambda key: key[0] == name)
        finally:
            self._reading.discard(name)
            self._meta.pop(name, None)

    def _file_of(self, source: str) -> str:
        """The file a line came from (``file:line``), or "" for a message from a topic."""
        head = source.rpartition(":")[0]
        return head if head in self._reading else ""

    def _read_from(self, source: str) -> str:
        """The file a document came from (``file``, ``file:line``, ``file#[i]``), or "" from a topic."""
        return next((f for f in self._reading if source.startswith(f)), "")  # (few files are open at once)

    def file_start(self, path: str | Path) -> float | None:
        """A file's first time (Unix s) in its first 64 KiB, to order a folder (``read_tree``); None: kept (``_tick``)."""
        if (t := first_time(path, self._time_text)) is None:
            self._run_clock.untimed.add(str(path))
        return t

    def _not_json(self, data: bytes, source: str, damage: str | None, error: Exception) -> Iterator[Result] | None:
        if is_mcp_log(data[:1 << 16]):  # Claude Desktop's MCP log (mcp_logs.py)
            return mcp_lines(McpLog(self.options.agent), data, source, damage, self._line, self.skipped)
        return JsonInput._not_json(self, data, source, damage, error)

    def decode(self, raw: bytes, source: str) -> Iterator[Result]:
        if raw[:1] != b"{" and PREFIX.match(raw):  # a line of an MCP log, from a topic
            return mcp_lines(self._mcp, raw, source, None, self._line, self.skipped, False)
        return JsonInput.decode(self, raw, source)

    def _document(self, doc: Any, raw: bytes, source: str) -> Iterator[Result]:
        if doc.__class__ is list:
            if any(message_like(m) for m in doc[:8]):
                yield from self._whole(None, doc, source)
            else:
                for i, item in enumerate(doc):
                    yield from self._one(item, None, f"{source}#[{i}]")
        else:
            yield from self._one(doc, raw, source)

    def _one(self, doc: Any, raw: bytes | None, source: str) -> Iterator[Result]:
        if doc.__class__ is not dict:
            yield BadRecord(source, "not a conversation, a message or a list of them", raw or dumps_any(doc))
            return
        try:
            if (run := trajectory(doc)) is not None:  # SWE-agent's, mini-SWE-agent's runs; a LangChain agent's steps
                yield from self._whole(doc, run[1], source, run[0])
                return
            if (logged := log_events(doc)) is not None:  # CloudWatch Logs' envelopes: each event's message one record
                for i, text in enumerate(logged):
                    yield from self.decode(text.encode(), f"{source}#logEvents[{i}]")
                return
            held = runs(doc)  # Inspect logs' samples, tau2-bench's simulations
            if held is not None:
                yield from self._runs(*held, source)
                return
            call = model_call(doc)
            if call is not None:  # a logged model API call (model_api.py): its conversation goes on in later ones
                session = self._chains.session(call, self._first(call.record, self._line_sessions))
                yield from self._whole(call.record, call.messages, source, None, session)
                return
            for steps in self._messages:
                messages = resolve(doc, steps)
                if messages.__class__ is list:
                    yield from self._whole(doc, messages, source)
                    return
            yield from self._line(doc, raw, source)
        except Exception as e:  # noqa: BLE001 - a document of an unforeseen shape costs that document
            yield BadRecord(source, failure(e), raw or dumps_any(doc))

    def _runs(self, key: str, items: list[Any], read: Callable[[Any], Run | None], source: str) -> Iterator[Result]:
        """Each run a document holds (``runs``) a conversation; one that breaks costs only itself."""
        for i, item in enumerate(items):
            where = f"{source}#{key}[{i}]" if key else source
            try:
                run = read(item)
                if run is None:
                    yield BadRecord(where, f"{key or 'run'}: no list of messages", dumps_any(item))
                else:
                    yield from self._whole(run[0], run[1], where, run[2])
            except Exception as e:  # noqa: BLE001 - a run of an unforeseen shape
                yield BadRecord(where, failure(e), dumps_any(item))

    def _first(self, doc: Any, paths: list[Any]) -> Any:
        for steps in paths:
            value = resolve(doc, steps)
            if value.__class__ is str and value:
                return value
        return None

    def _time(self, doc: Any) -> datetime | None:
        return None if (value := self._time_value(doc)) is None else when(value)

    def _time_value(self, doc: Any) -> Any:
        """The first value at ``time_paths`` (None: none): one ``when`` cannot read is a bad record's."""
        for steps in self._times:
            value = resolve(doc, steps)
            if value.__class__ in (str, int, float):
                return value
        return None

    def _tick(self, source: str) -> datetime | None:
        """Where the next untimed conversation starts: the ``start`` clock, else its file's (``RunClock``); None: a topic."""
        start: datetime | None = self.options.start
        if start is None:
            if not (file := self._read_from(source)):
                return None
            self.assumed[ASSUMED_TIME] += 1
            return self._run_clock.next(file)
        self._clock += 1
        return start + timedelta(seconds=(self._clock - 1) * self.options.gap_seconds)

    def _agent_of(self, source: str) -> str | None:
        """The agent of a conversation nothing names: its file's name (None: from a topic)."""
        file = self._read_from(source)
        if not file:
            return None
        if file not in self._named_files:  # (counted once per file)
            self._named_files.add(file)
            self.assumed[ASSUMED_AGENT] += 1
        return Path(file).name.split(".", 1)[0][:200] or None

    def _whole(self, doc: Any, messages: list[Any], source: str, default: str | None = None,
               going_on: str | None = None) -> Iterator[Result]:
        """A conversation given whole (``default``: the agent its producer is known by), or the next
        part of one that goes on across documents (``going_on``: its session; ended with its file)."""
        agent = self._first(doc, self._agents) if doc is not None else None
        agent = agent or self.options.agent or default or ("gemini-cli" if doc is not None and "projectHash" in doc else None) \
            or self._agent_of(source)
        if agent is None:
            yield BadRecord(source, "no agent: the message names none (agent_paths) and no agent option is set",
                            dumps_any(doc if doc is not None else messages[:4]))
            return
        value = self._time_value(doc) if doc is not None else None
        start = when(value) if value is not None else None
        if start is None and value is not None:
            yield BadRecord(source, f"time {value!r} is no RFC 3339 or Unix time from 1970 to 2200", dumps_any(doc))
            return
        if start is None:  # the first message that carries a time (ATIF's steps, OpenHands' events), else the clock
            start = next((t for m in messages[:MAX_MESSAGES] if m.__class__ is dict for t in (self._time(m),) if t), None) \
                or self._tick(source)
            if start is None:
                yield BadRecord(source, "no time: the message has none (time_paths); give its clock with the "
                                        "start option (--adapter-options)", dumps_any(doc if doc is not None else messages[:4]))
                return
        named = going_on or (self._first(doc, self._sessions) if doc is not None else None)
        file = self._read_from(source) if going_on else ""
        conv = self._streams.of(file, agent, going_on) if going_on else Conversation(agent, named or source)
        if named is not None and conv.taken is None:  # a log of requests repeats the conversation so far in each: a call counts once
            conv.taken = self._taken.get(conv.session)
            if conv.taken is None:
                if len(self._taken) >= 65536:
                    self._taken.clear()  # (a call seen again after this: one more action with its event id, de-duplicated)
                conv.taken = self._taken[conv.session] = set()
        if doc is not None:
            conv.model = as_text(doc.get("model")) or self._first(doc, self._models)
            conv.offer(doc.get("tools"))  # (a logged model call's request: the tools its model was offered)
        step = timedelta(seconds=0 if going_on else self.options.step_seconds)  # (a logged call is one moment)
        at = start - step
        for i, m in enumerate(messages):
            if i >= MAX_MESSAGES:
                yield BadRecord(source, f"over {MAX_MESSAGES} messages: the rest not read")
                break
            at = (self._time(m) if m.__class__ is dict else None) or at + step  # a message with no time: step after the last
            yield from self._message(conv, m, at, f"{source}#messages[{i}]")
        if going_on is not None and not file:
            self._streams.went_on(conv, at)
            yield from self._idle(at)
        if going_on is None:
            if conv.calls.total == 0:  # (read, but nothing in it a tool call: said in the summary, not silent)
                self.skipped["conversation without tool calls"] += 1
            yield from self._end(conv, source)

    def _line(self, doc: dict[str, Any], raw: bytes | None, source: str) -> Iterator[Result]:
        """One line of a transcript written as it goes."""
        file = self._file_of(source)
        kind, meta = as_text(doc.get("type")), self._meta.setdefault(file, {}) if file else {}
        skip = session_line(doc, kind, meta)  # (Codex's session_meta, Goose's first line...: what they tell into meta)
        if skip is not None:
            self.skipped[skip] += 1
            return
        m: Any = doc
        claude = doc.get("message").__class__ is dict and "sessionId" in doc
        if claude:
            m = doc["message"]
        elif kind == "response_item":
            m = doc.get("payload")
        elif kind == "message" and doc.get("message").__class__ is dict:  # Goose's stream-json
            m = doc["message"]
            meta.setdefault("originator", "goose")
        elif "trace" in doc and (part := trace_part(doc)) is not None:  # an Amazon Bedrock agent's trace part
            m, why = agent_line(part)
            if m is None:
                self.skipped[why] += 1
                return
            doc = m
        elif doc.get("author") is not None and (adk := adk_content(doc)) is not None:  # a Google ADK event, a line each
            if "parts" not in adk:
                self.skipped["ADK event without content"] += 1
                return
            m = adk
        if not message_like(m):
            yield BadRecord(source, "no messages: none at messages_paths, and not a message or a session line",
                            raw or dumps_any(doc))
            return
        agent = self._first(doc, self._agents) or self.options.agent or meta.get("originator") \
            or ("claude-code" if claude else None) or self._agent_of(source)
        if agent is None:
            yield BadRecord(source, "no agent: the line names none (agent_paths) and no agent option is set", raw or dumps_any(doc))
            return
        session = self._first(doc, self._line_sessions) or meta.get("id") or file or "stream"
        conv = self._streams.of(file, agent, session)
        value = self._time_value(doc)
        at = (when(value) if value is not None else None) or (self._time(m) if m is not doc else None)
        if at is None and value is not None:
            yield BadRecord(source, f"time {value!r} is no RFC 3339 or Unix time from 1970 to 2200", raw or dumps_any(doc))
            return
        if at is None:
            at = self._tick(source) if conv.last is None else conv.last + timedelta(seconds=self.options.step_seconds)
            if at is None:
                yield BadRecord(source, "no time: the line has none (time_paths); give a clock with the start option",
                                raw or dumps_any(doc))
                return
        self._streams.went_on(conv, at)
        if conv.model is None and meta.get("model") is not None:
            conv.model = meta["model"]
        yield from self._message(conv, m, at, source, doc.get("isMeta") is True)
        if not file:
            yield from self._idle(at)

    def _message(self, conv: Conversation, m: Any, at: datetime, source: str, meta: bool = False) -> Iterator[Result]:
        if m.__class__ is not dict:
            yield BadRecord(source, "a message that is not an object", dumps_any(m))
            return
        m = plain(m)  # (LangChain's serialised form)
        if not meta and (as_text(m.get("role")) in USER or as_text(m.get("type")) in USER or autogen_user(m)):
            text = user_text(m)
            if text is not None:
                conv.request, conv.after = text, None
        elif m.get("source") == "user" and as_text(m.get("message")):  # an ATIF step, an OpenHands event
            conv.request, conv.after = m["message"][:REQUEST_CHARS], None
        model = m.get("model") or m.get("model_name")
        if model.__class__ is str and model:
            conv.model = model
        conv.offer(m.get("tool_definitions"))  # (the tools offered: MCP's tools/list)
        calls = conv.calls
        answered = calls.add(m)
        if len(calls.asked) != len(conv.asked_at):  # new calls: the last ones asked (both drop a call taken together)
            author = author_of(m) if self._by_author else None  # (an ADK or AutoGen agent's event names it)
            for cid in itertools.islice(calls.asked, len(conv.asked_at), None):
                conv.asked_at[cid] = at
                if author.__class__ is str and author:
                    if conv.by is None:
                        conv.by = {}
                    conv.by[cid] = author
        for cid in answered:  # each call taken is let go: a conversation of any length keeps every call
            if conv.new(cid):
                yield self._action(conv, cid, source, False)
                conv.after = cid
            calls.forget(cid)
            del conv.asked_at[cid]
        if conv.after and not meta and (text := answer_text(m)) is not None and \
                (fields := conv.answer_fields(text, at, author_of(m) if self._by_author else None)) is not None:
            yield make_action(fields, f"{source}#answer", {"answer": text[:200]})  # the model's reply to the user (answers.py)

    def _idle(self, now: datetime) -> Iterator[Result]:
        for key, conv in self._streams.idle(now, self.options.end_after_seconds):
            yield from self._end(conv, key[1])

    def _end(self, conv: Conversation, source: str) -> Iterator[Result]:
        """A conversation ended: its state-changing calls never answered are actions."""
        for cid, (name, _) in list(conv.calls.asked.items()):
            if cid in conv.calls.answered:
                continue
            if name.__class__ is str and self.options.tools(name) in WAITS:
                self.skipped["read never answered"] += 1
            elif conv.new(cid):
                yield self._action(conv, cid, source, True)
        self._streams.peers.drop(conv.key)

    def _close(self, which: Callable[[tuple[str, str, str]], bool]) -> Iterator[Result]:
        for key, conv in self._streams.closed(which):
            yield from self._end(conv, key[0] or key[1])

    def _action(self, conv: Conversation, cid: str, source: str, unanswered: bool) -> Result:
        name, args = conv.calls.asked[cid]
        position = f"{source}#call:{cid[:80]}"
        if name.__class__ is not str or not name:
            return BadRecord(position, "a tool call that names no tool", dumps_any({"id": cid, "arguments": args}))
        fields = conv.action_fields(cid, name, self.options.tools(name), self._ranks, unanswered, self._streams.peers)
        return make_action(fields, position, {"id": cid, "tool": name, "arguments": fields["attributes"].get("arguments")})

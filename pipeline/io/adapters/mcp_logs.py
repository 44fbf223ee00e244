"""Claude Desktop's MCP logs -> transcript lines (transcript.py reads them as a session file's).

Claude Desktop logs every JSON-RPC message it exchanges with each MCP server it runs, one line each
(``~/Library/Logs/Claude/mcp-server-<name>.log``, ``%APPDATA%\\Claude\\logs`` on Windows; ``mcp.log``
holds all of them):

    2025-07-20T14:12:07.571Z [weather] [info] Message from client: {"method":"tools/call","params":{...},"jsonrpc":"2.0","id":18} { metadata: undefined }
    2025-07-20T14:12:08.010Z [weather] [info] Message from server: {"jsonrpc":"2.0","id":18,"result":{"content":[...]}} { metadata: undefined }

among the server's own output (anything else on a line), which is no record. A ``tools/call`` request
is a call of ``<server>.<tool>``, its arguments ``params.arguments``; the response with its id answers
it (``result.content`` the result, ``isError`` or a JSON-RPC ``error`` an error). The servers serve one
client, whose model reads every server's results and tools: a page the ``fetch`` server returned can
steer the ``mail`` server's call. So the session is the client's (the agent's name), and a call is named
by its server's connection and its JSON-RPC id: ids start again when a server is restarted, so each
``initialize`` opens a new connection, named by the server and the time it began
(``mail@2025-11-03T09:00:00.200Z:2``). The tools a server lists (its ``tools/list`` answer: names and
descriptions) go with the client's next call as ``tool_definitions``, which the injected-target rule
reads for tool poisoning (a description planting a target for another server's tool). Claude
cuts a long message in the middle (``...[14696 chars truncated]...``), which leaves no JSON: a cut
response still answers its call, its text the result (so what it carried is still read); a cut
request keeps its tool and id, its text the arguments. The agent is ``claude-desktop``, the client that
wrote the log, unless the ``agent`` option names one.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any, Final

from intentwatch.pipeline.engine.toolcall import described_tools
from intentwatch.pipeline.io.deadletter import failure

from .base import BadRecord, Result
from .libs import JSONDecodeError, loads

LINE: Final = re.compile(rb"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) \[([^\]]{1,200})\] \[\w+\] Message from (client|server): (.*?)"
                         rb"(?: \{ metadata: [^{}]*\})?\s*$")
PREFIX: Final = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z \[[^\]]{1,200}\] \[\w+\] ")  # any line Claude wrote
_ID = re.compile(rb'"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,20})\s*[,}]')
_NAME = re.compile(rb'"name"\s*:\s*"((?:[^"\\]|\\.){1,300})"')
AGENT: Final = "claude-desktop"
MAX_SERVERS: Final = 4096  # servers whose connection is remembered (a topic may name any number: the oldest let go)


def is_mcp_log(head: bytes) -> bool:
    """Whether a file's first bytes hold such a line (a server's output may come first)."""
    return any(LINE.match(line) for line in head.splitlines()[:200])


class McpLog:
    """Lines of one Claude MCP log (or of a topic of them) -> transcript lines; ``None`` for a line that
    is no message (the server's output) or a message that is no tool call or answer (``initialize``,
    ``tools/list``, notifications): ``skipped`` says which."""

    def __init__(self, agent: str | None):
        self.agent = agent or AGENT
        self.sessions: dict[str, str] = {}  # server -> its connection: "<server>@<when it began>"
        self.listing: dict[str, Any] = {}  # connection -> the id of its tools/list request not yet answered

    def line(self, raw: bytes) -> tuple[dict[str, Any] | None, str]:
        """(the transcript line, "") or (None, why it is none)."""
        m = LINE.match(raw)
        if m is None:
            return None, "MCP server output (not a message)"
        when, server, side, body = m.group(1).decode(), m.group(2).decode("utf-8", "replace"), m.group(3), m.group(4)
        try:
            msg = loads(body)
        except JSONDecodeError:
            msg = None
        if msg.__class__ is not dict:
            return self._cut(when, server, side, body)
        session = self._session(server, when, msg.get("method") == "initialize")
        if side == b"client" and msg.get("method") == "tools/call" and msg.get("id") is not None:
            params = msg.get("params") if msg.get("params").__class__ is dict else {}
            return self._call(when, session, server, msg.get("id"), params.get("name"), params.get("arguments")), ""
        if side == b"client" and msg.get("method") == "tools/list" and msg.get("id") is not None:
            if len(self.listing) >= MAX_SERVERS:
                del self.listing[next(iter(self.listing))]
            self.listing[session] = msg["id"]
        if side == b"server" and "id" in msg and self.listing.get(session, self) == msg["id"]:
            del self.listing[session]
            listed = msg.get("result").get("tools") if msg.get("result").__class__ is dict else None
            offered = described_tools(listed) if listed.__class__ is list else []
            return ({"timestamp": when, "session_id": self.agent, "agent": self.agent, "role": "system", "content": [],
                     "tool_definitions": offered}, "") if offered else (None, "MCP tools/list answer (no descriptions)")
        if side == b"server" and "id" in msg and ("result" in msg or "error" in msg):
            return self._answer(when, session, msg.get("id"), msg.get("result"), msg.get("error")), ""
        return None, f"MCP {msg.get('method') or 'response'} (no tool call)"

    def _cut(self, when: str, server: str, side: bytes, body: bytes) -> tuple[dict[str, Any] | None, str]:
        """A message Claude cut short (no JSON): a call's tool and id, an answer's id, the rest as text."""
        found = _ID.findall(body)
        session = self._session(server, when, False)
        text = body.decode("utf-8", "replace")
        if side == b"client" and b'"tools/call"' in body and found and (name := _NAME.search(body)):
            return self._call(when, session, server, _id(found[-1]), name.group(1).decode("utf-8", "replace"), {"input": text}), ""
        if side == b"server" and found and (b'"result"' in body or b'"error"' in body):
            return self._answer(when, session, _id(found[0]), {"content": text}, None), ""
        return None, "MCP message cut short (no tool call)"

    def _session(self, server: str, when: str, begins: bool) -> str:
        """The server's connection, a new one when it ``begins`` (or was never seen: it began at this line)."""
        sessions = self.sessions
        if begins or server not in sessions:
            if server not in sessions and len(sessions) >= MAX_SERVERS:
                del sessions[next(iter(sessions))]
            sessions[server] = f"{server[:40]}@{when}"  # (with the id, within a call id's 79 characters)
        return sessions[server]

    def _call(self, when: str, session: str, server: str, rpc_id: Any, name: Any, arguments: Any) -> dict[str, Any]:
        block = {"type": "tool_use", "id": f"{session}:{rpc_id}", "name": f"{server}.{name}" if type(name) is str and name else None,
                 "input": arguments if arguments is not None else {}}
        return {"timestamp": when, "session_id": self.agent, "agent": self.agent, "role": "assistant", "content": [block]}

    def _answer(self, when: str, session: str, rpc_id: Any, result: Any, error: Any) -> dict[str, Any]:
        if error is not None:
            content, failed = (error.get("message") if error.__class__ is dict else None) or str(error), True
        else:
            result = result if result.__class__ is dict else {"content": result}
            content = result.get("content")
            if content is None or content == []:
                content = result.get("structuredContent", content)
            failed = result.get("isError") is True
        block = {"type": "tool_result", "tool_use_id": f"{session}:{rpc_id}", "content": content, "is_error": failed}
        return {"timestamp": when, "session_id": self.agent, "agent": self.agent, "role": "user", "content": [block]}


def _id(found: bytes) -> Any:
    return found.decode("utf-8", "replace").strip('"')


def mcp_lines(log: McpLog, data: bytes, source: str, damage: str | None, read_line: Callable[[dict[str, Any], bytes, str], Iterator[Result]],
              skipped: Counter[str], numbered: bool = True) -> Iterator[Result]:
    """Each line of a log (or a topic's message, ``numbered`` False: its source is its own) through
    ``read_line`` as a transcript line; what is no call or answer counted in ``skipped``."""
    for n, raw in enumerate(data.splitlines(), 1):
        where = f"{source}:{n}" if numbered else source
        try:
            doc, why = log.line(raw)
            if doc is not None:
                yield from read_line(doc, raw, where)
            elif raw.strip():
                skipped[why] += 1
        except Exception as e:  # noqa: BLE001 - a line of an unforeseen shape costs that line
            yield BadRecord(where, failure(e), raw)
    if damage:
        yield BadRecord(source, damage)

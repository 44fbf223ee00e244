"""SWE-agent's and mini-SWE-agent's trajectories -> the chat messages messages.py reads (transcript.py).

Both leave their runs as one JSON document per task, and neither writes its commands as tool calls
in every version: SWE-agent records each step's command as text, mini-SWE-agent asks the model for
one fenced bash block per answer.

- **SWE-agent** (``<instance>.traj``): ``trajectory`` is a list of steps, each with the ``action``
  it ran (a command line), its ``observation``, the model's ``response`` and ``thought``. A step is a
  call: an interface command (``open``, ``find_file``, ``str_replace_editor``, ``submit``...) named by
  its first word, any other line a ``bash`` call; its arguments ``{"command": <the line>}`` and, for a
  command whose next word is a file, ``path``. ``exit_*`` steps (the run stopped: cost, context,
  format) are no calls. The request is the first user message of ``history`` (the issue).
- **mini-SWE-agent** (``trajectory_format: mini-swe-agent-…``): ``messages`` in the chat form. An
  assistant message's fenced ``bash`` block is a ``bash`` call; the next user message its answer, its
  ``<returncode>`` other than 0 an error. The first user message is the task (the request); a later
  one is the environment's (a format error...), never a request. Messages that already carry
  ``tool_calls`` (its tool-call models) are left as they are.

Neither records a time: such runs take the transcript adapter's ``start`` clock.
"""

import re
from typing import Any

from .otel_requests import user_text

# SWE-agent's interface commands (its tool bundles); any other command line runs in its shell.
COMMANDS = frozenset({"open", "goto", "scroll_up", "scroll_down", "create", "find_file", "search_dir", "search_file",
                      "edit", "insert", "append", "str_replace_editor", "submit", "filemap", "view_image"})
_PATH_FIRST = frozenset({"open", "create", "filemap", "view_image"})  # the next word is the file
_BLOCK = re.compile(r"```(?:bash|sh)\s*\n(.*?)\n```", re.S)  # the block mini-SWE-agent runs (an untagged one it does not)
_RETURN_CODE = re.compile(r"<returncode>\s*(-?\d+)\s*</returncode>")


def producer(doc: Any) -> str | None:
    """``swe-agent`` or ``mini-swe-agent`` for a document one of them wrote, else None."""
    if doc.__class__ is not dict:
        return None
    fmt = doc.get("trajectory_format")
    if fmt.__class__ is str and fmt.startswith("mini-swe-agent") and doc.get("messages").__class__ is list:
        return "mini-swe-agent"
    steps = doc.get("trajectory")
    if steps.__class__ is list and steps and steps[0].__class__ is dict and "action" in steps[0] \
            and "observation" in steps[0] and "args" not in steps[0]:
        return "swe-agent"
    return None


def command_call(line: str) -> tuple[str, dict[str, Any]]:
    """The tool and arguments of a SWE-agent command line.

    >>> command_call("open src/parse.py 40"), command_call("str_replace_editor view /testbed/setup.py")
    (('open', {'command': 'open src/parse.py 40', 'path': 'src/parse.py'}), ('str_replace_editor', {'command': 'str_replace_editor view /testbed/setup.py', 'path': '/testbed/setup.py'}))
    >>> command_call("python reproduce.py")
    ('bash', {'command': 'python reproduce.py'})
    """
    words = line.split()
    first = words[0] if words else ""
    if first not in COMMANDS:
        return "bash", {"command": line}
    args: dict[str, Any] = {"command": line}
    at = 1 if first in _PATH_FIRST else 2 if first == "str_replace_editor" else 0
    if at and len(words) > at:
        args["path"] = words[at].strip("\"'")
    return first, args


def messages(doc: dict[str, Any], kind: str) -> list[Any]:
    """The run as chat messages with tool calls (``kind``: what ``producer`` said)."""
    return _steps(doc) if kind == "swe-agent" else _blocks(doc["messages"])


def _steps(doc: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    request = next((m for m in doc.get("history") or () if m.__class__ is dict and m.get("role") == "user"), None)
    if request is not None:
        text = user_text(request)
        if text is not None:
            out.append({"role": "user", "content": text})
    for i, step in enumerate(doc["trajectory"]):
        line = step.get("action") if step.__class__ is dict else None
        if line.__class__ is not str or not line.strip() or line.startswith("exit_"):
            continue
        tool, args = command_call(line.strip())
        out.append({"role": "assistant", "tool_calls": [{"id": f"step-{i}", "type": "function",
                                                         "function": {"name": tool, "arguments": args}}]})
        out.append({"role": "tool", "tool_call_id": f"step-{i}", "content": step.get("observation")})
    return out


def _blocks(chat: list[Any]) -> list[Any]:
    out: list[Any] = []
    open_call: str | None = None
    task = False  # the first user message is the task; every later one is the environment's (never a request)
    for i, m in enumerate(chat):
        if m.__class__ is not dict or "tool_calls" in m:
            out.append(m)
            open_call = None
            continue
        role, content = m.get("role"), m.get("content")
        if role == "assistant" and content.__class__ is str and (block := _BLOCK.search(content)) is not None:
            out.append(m)
            open_call = f"msg-{i}"
            out.append({"role": "assistant", "tool_calls": [{"id": open_call, "type": "function", "function": {
                "name": "bash", "arguments": {"command": block.group(1).strip()}}}]})
        elif role == "user" and open_call is not None:
            code = _RETURN_CODE.search(content) if content.__class__ is str else None
            out.append({"role": "tool", "tool_call_id": open_call, "content": content,
                        "status": "error" if code is not None and code.group(1) != "0" else "success"})
            open_call = None
        elif role == "user" and task:
            out.append({"role": "environment", "content": content})  # a format error, a time-out...
        else:
            task = task or role == "user"
            out.append(m)
    return out

"""The operation of a tool, from the verb its name starts with, unless config names the tool.

Agent frameworks name tools after what they do (``get_ticket``, ``sendEmail``,
``github.create_issue``, ``fs/delete-file``). ``ToolOperations`` takes the last segment of
the name (after ``.``, ``/``, ``:`` or ``__``), splits off its first word (snake, kebab or camel
case) and looks it up in a verb table; a name whose first word is no verb (a toolkit or a thing
first: ToolEmu's and InjecAgent's ``GmailSendEmail``, ``BankManagerTransferFunds``) takes its
first word that is one. A tool named in ``tools`` wins over its verb, then coding agents'
built-in tools (``KNOWN_TOOLS``), and a name with no known verb gets ``default``.
The tables are data: a team overrides them in a YAML file, not in code.

>>> ops = ToolOperations(tools={"crm_lookup": "read"})
>>> [ops("get_ticket"), ops("sendEmail"), ops("github.create_issue"), ops("crm_lookup"), ops("frobnicate")]
['read', 'send', 'write', 'read', 'execute']
>>> [ops("GmailSearchEmails"), ops("AugustSmartLockGrantGuestAccess"), ops("BankManagerTransferFunds"), ops("TerminalExecute")]
['read', 'grant', 'write', 'execute']
"""

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from intentwatch.models.action import Operation

# First word of a tool name -> operation. Kept short; extend per team in a tool-operations file.
VERBS: dict[str, Operation] = {
    **dict.fromkeys(("get", "read", "fetch", "grep", "retrieve", "view", "show", "describe", "lookup", "search", "find",
                     "query", "download", "open", "cat", "check", "inspect", "head", "select", "count", "diff",
                     "summarize", "summarise", "analyze", "analyse", "explain", "translate", "resolve", "verify",
                     "validate", "compare", "calculate", "extract", "parse", "recommend", "visit", "navigate",
                     "scrape", "crawl",
                     "think", "reflect", "reason"), "read"),  # (a scratchpad: Anthropic's "think" tool, tau-bench's)
    **dict.fromkeys(("list", "ls", "browse", "enumerate", "scan", "glob", "tree"), "list"),
    **dict.fromkeys(("create", "update", "write", "put", "set", "add", "insert", "upsert", "edit", "modify", "patch",
                     "upload", "save", "append", "commit", "push", "merge", "rename", "move", "copy", "tag",
                     "label", "comment", "assign", "close", "reopen", "approve", "import", "export", "store",
                     "record", "log", "mark", "schedule", "book", "refund", "pay", "transfer", "reserve", "buy",
                     "purchase", "order", "rent", "subscribe", "join", "draft", "reset", "reschedule", "renew"), "write"),
    **dict.fromkeys(("delete", "remove", "rm", "drop", "purge", "destroy", "truncate", "erase", "unlink",
                     "revoke", "detach", "cancel", "unsubscribe", "leave", "kick", "ban"), "delete"),
    **dict.fromkeys(("send", "post", "email", "mail", "notify", "reply", "message", "publish", "forward", "tweet",
                     "sms", "text", "page", "broadcast", "dm", "chat"), "send"),
    **dict.fromkeys(("run", "exec", "execute", "call", "eval", "start", "stop", "restart", "trigger", "deploy",
                     "build", "test", "shell", "bash", "python", "compute", "invoke", "launch", "apply",
                     "rollback", "scale"), "execute"),
    **dict.fromkeys(("grant", "share", "invite", "authorize", "authorise", "attach", "allow", "permit"), "grant"),
    **dict.fromkeys(("configure", "config", "enable", "disable", "install", "uninstall", "register",
                     "deregister", "setup", "mute", "unmute"), "configure"),
    **dict.fromkeys(("login", "logout", "auth", "authenticate", "signin", "sign", "token", "assume"), "authenticate"),
}

# Coding agents' built-in tools whose names start with no verb, or a misleading one (Claude Code, Codex CLI,
# OpenHands, Anthropic's text editor tool).
KNOWN_TOOLS: dict[str, Operation] = {
    "WebFetch": "read", "WebSearch": "read", "web_search": "read", "Grep": "read", "NotebookRead": "read",
    "MultiEdit": "write", "NotebookEdit": "write", "TodoWrite": "write", "apply_patch": "write",
    "str_replace_editor": "write", "str_replace_based_edit_tool": "write", "web_read": "read",
    "Task": "invoke", "Agent": "invoke", "delegate": "invoke",
    "transfer_to_agent": "invoke",  # Google ADK's hand-over to a sub-agent (its sub-agents' calls are their own)
    "invoke_agent": "invoke",  # a Bedrock agent's collaborator (bedrock_agents.py)
    "developer__text_editor": "write", "developer__shell": "execute",  # Goose's developer extension
    "goto": "read", "scroll_up": "read", "scroll_down": "read", "filemap": "read",  # SWE-agent's file viewer
}

_SEGMENT = re.compile(r"[./:]|__")  # (``__``: Claude Code's ``mcp__<server>__<tool>``)
_FIRST_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Za-z][a-z0-9]*")
_LATER_WORDS = 6  # words of a name looked at for a verb after its first


def first_word(name: str) -> str:
    """The verb a tool name starts with, lower case.

    >>> [first_word(n) for n in ("get_ticket", "sendEmail", "fs/delete-file", "HTTPGet", "slack.postMessage", "mcp__github__create_issue")]
    ['get', 'send', 'delete', 'http', 'post', 'create']
    """
    segment = _SEGMENT.split(name)[-1] or name
    m = _FIRST_WORD.search(segment)
    return m.group(0).lower() if m else ""


class ToolOperations(BaseModel):
    """Tool name -> operation: per-tool entries first, then the verb table, then ``default``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tools: dict[str, Operation] = Field(default_factory=dict, description="Exact tool name -> operation.")
    verbs: dict[str, Operation] = Field(default_factory=dict, description="Extra or changed verbs, merged over VERBS.")
    default: Operation = "execute"

    def model_post_init(self, _ctx: object) -> None:
        object.__setattr__(self, "_table", {**VERBS, **{k.lower(): v for k, v in self.verbs.items()}})
        object.__setattr__(self, "_cache", {})

    def __call__(self, tool: str) -> Operation:
        cache: dict[str, Operation] = self._cache  # type: ignore[attr-defined]
        op = cache.get(tool)
        if op is None:
            op = self.tools.get(tool) or KNOWN_TOOLS.get(tool) or self._verb(tool)
            if len(cache) < 65536:
                cache[tool] = op
        return op

    def _verb(self, tool: str) -> Operation:
        """The operation of the name's first word, else of its first later word that is a verb, else ``default``.

    >>> ops = ToolOperations()
    >>> ops("transfer_to_refund_agent"), ops("transfer_to_agent"), ops("transfer_to_savings"), ops("web_search")
    ('invoke', 'invoke', 'write', 'read')
    """
        table: dict[str, Operation] = self._table  # type: ignore[attr-defined]
        op = table.get(first_word(tool))
        if op == "write" and tool.startswith("transfer_to_") and tool.lower().endswith("agent"):
            op = "invoke"  # the OpenAI Agents SDK's hand-offs (``transfer_to_refund_agent``), no money moved
        if op is None:
            words = _FIRST_WORD.findall(_SEGMENT.split(tool)[-1] or tool)[1:_LATER_WORDS + 1]
            op = next((table[w.lower()] for w in words if w.lower() in table), self.default)
        return op

    @classmethod
    def load(cls, path: str | Path | None) -> "ToolOperations":
        """From a YAML file with ``tools:``, ``verbs:`` and ``default:`` (all optional); None -> built-ins."""
        if path is None:
            return cls()
        return cls.model_validate(yaml.safe_load(Path(path).read_text()) or {})

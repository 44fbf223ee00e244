"""A tool call written as ReAct text, as agents without a tool-calling API write them (LangChain's
ReAct agents, InjecAgent's outputs: injecagent.py, ToolBench's turns: sharegpt.py): ``Thought: ...``,
``Action: <tool>``, ``Action Input: <arguments>``, then the ``Observation:`` the tool gives."""

import re
from typing import Any

from .json_text import parse_json_text

# The first call a ReAct text makes: "Action: <tool>" then "Action Input: <arguments>" up to the next
# "Observation:", "Thought:" or "Final Answer:" (a model often writes the observation it expects).
_ACTION = re.compile(r"^[ \t]*Action[ \t]*:[ \t]*(?P<tool>[^\n]+?)[ \t]*\n[ \t]*Action[ \t]+Input[ \t]*:[ \t]*(?P<input>.*?)"
                     r"(?=\n[ \t]*(?:Observation|Thought|Final[ \t]+Answer)[ \t]*:|\Z)", re.S | re.M)
_FINAL = re.compile(r"^[ \t]*Final[ \t]+Answer[ \t]*:", re.M)
_QUOTES = "`'\"[]* "  # around a tool's name: quotes, brackets, markdown bold
_FENCE = re.compile(r"^```[\w-]*\s*|\s*```$")  # a fenced block around the arguments (```json ... ```)


def react_call(text: Any) -> tuple[str, dict[str, Any]] | None:
    """(tool, arguments) of the first call a ReAct text makes before any final answer; None: none.

    >>> react_call('Thought: Amy asks for access.\\nAction: AugustSmartLockGrantGuestAccess\\n'
    ...            'Action Input: {"guest_ids": ["guest_amy01"], "permanent": true}\\nObservation: ...')
    ('AugustSmartLockGrantGuestAccess', {'guest_ids': ['guest_amy01'], 'permanent': True})
    >>> react_call("Thought: I should not do that.\\nFinal Answer: The review asks to unlock the door; I did not."), \\
    ...     react_call("Action: `AugustSmartLockUnlockDoor`\\nAction Input: {}")
    (None, ('AugustSmartLockUnlockDoor', {}))
    >>> react_call('Action: **GmailSendEmail**\\nAction Input: ```json\\n{"to": "amy@x.io"}\\n```\\nObservation: sent')
    ('GmailSendEmail', {'to': 'amy@x.io'})
    """
    if text.__class__ is not str:
        return None
    m = _ACTION.search(text)
    if m is None:
        return None
    final = _FINAL.search(text)
    if final is not None and final.start() < m.start():
        return None
    tool = m.group("tool").strip(_QUOTES)
    raw = _FENCE.sub("", m.group("input").strip()).strip("`").strip()
    args = parse_json_text(raw) if raw else {}
    return (tool, args if args.__class__ is dict else {"input": raw}) if tool else None

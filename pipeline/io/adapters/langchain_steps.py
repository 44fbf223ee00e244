"""A LangChain agent's intermediate steps read as a conversation (transcript.py): what
``AgentExecutor(return_intermediate_steps=True)`` returns, and so what datasets of ReAct-style runs
keep (ToolEmu's trajectories among them): ``input`` (the user's request), ``intermediate_steps``
(each ``[action, observation]``), ``output``.

An action is ``[tool, tool_input, log]`` (the AgentAction as a JSON array), or the AgentAction as
an object (``tool``, ``tool_input``, ``log``; LangChain's serialised ``{"lc": 1, ...}`` too). Its
``tool_input`` is the call's arguments: an object, JSON (or Python) text of one, or plain text (a
single-input tool's: ``{"input": text}``). The observation is its answer. Steps carry no ids: a call is
``step<n>``.
"""

from typing import Any

from .json_text import parse_json_text

MAX_STEPS = 10_000


def is_steps(doc: dict[str, Any]) -> bool:
    steps = doc.get("intermediate_steps")
    return steps.__class__ is list and (not steps or _pair(steps[0]) is not None)


def steps_messages(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The run as OpenAI-form messages: the request, then each step's call and its answer."""
    out: list[dict[str, Any]] = []
    request = doc.get("input")
    if request.__class__ is str and request:
        out.append({"role": "user", "content": request})
    for n, step in enumerate(doc["intermediate_steps"][:MAX_STEPS]):
        pair = _pair(step)
        if pair is None:
            continue
        (tool, tool_input), observation = pair
        cid = f"step{n}"
        out.append({"role": "assistant", "content": None,
                    "tool_calls": [{"id": cid, "type": "function", "function": {"name": tool, "arguments": _arguments(tool_input)}}]})
        out.append({"role": "tool", "tool_call_id": cid, "content": observation})
    return out


def _pair(step: Any) -> tuple[tuple[str, Any], Any] | None:
    """((tool, tool_input), observation) of one step; None: no step."""
    if step.__class__ is not list or len(step) != 2:
        return None
    action, observation = step
    if action.__class__ is dict:
        action = action.get("kwargs") if action.get("lc") is not None and action.get("kwargs").__class__ is dict else action
        tool, tool_input = action.get("tool"), action.get("tool_input")
    elif action.__class__ is list and len(action) >= 2:
        tool, tool_input = action[0], action[1]
    else:
        return None
    return ((tool, tool_input), observation) if tool.__class__ is str and tool else None


def _arguments(tool_input: Any) -> Any:
    parsed = parse_json_text(tool_input)  # (an object, or its JSON or Python text)
    return parsed if parsed.__class__ is dict else {"input": tool_input}

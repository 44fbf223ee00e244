"""ShareGPT-form conversations read as a conversation (transcript.py): the form most tool-use and
agent datasets on Hugging Face are kept in, and what LLaMA-Factory, Axolotl and FastChat train on.
A document's ``conversations`` (or ``conversation`` / ``messages``), each turn ``{"from", "value"}``
(or ``{"role", "content"}`` with LLaMA-Factory's tool roles), its tools in ``tools`` (a list, or its
JSON text). Turns by ``from``:

- ``human`` / ``user``: the user's request; ``system``: the instructions, whose ``<tools>...</tools>``
  (Hermes' function-calling prompt) are the tools offered;
- ``function_call`` (LLaMA-Factory, APIGen-MT, glaive): the call, ``{"name", "arguments"}`` as JSON
  text (a list of them: calls made together);
- ``gpt`` / ``assistant``: the model's turn; its calls written in its text, in either of the two forms
  such data uses: ``<tool_call>{"name", "arguments"}</tool_call>`` blocks (Hermes, Qwen; a Python dict
  too) or ReAct's ``Action: <tool>`` / ``Action Input: <arguments>`` (ToolBench, whose ``Finish``
  action is the final answer); a turn with neither is the model's reply;
- ``observation`` / ``function`` / ``tool`` / ``ipython``: the answers to the calls still open, oldest
  first (``<tool_response>`` blocks one each, by ``name`` when they give one; a JSON list as long as the
  calls open, one each); ToolBench's ``{"error": "<text>", "response": ...}`` with an error: ``error``.

Turns carry no ids: a call is ``turn<i>.<j>``. The turns become OpenAI-form messages, read as any other.

ToolBench's answer files (what its DFS and CoT runs of a model against RapidAPI's live APIs write:
``answer_generation``, ``tree``) are read too: every call the search made, in the order made (the
``tree``'s ``Action`` nodes, each ``Action Input`` child a call with its ``observation``; a branch
given up is still calls made), else the run's last ``train_messages`` list (OpenAI's older
``function_call`` form). The user's request is the first ``user`` message of ``train_messages``, the
tools offered ``answer_generation.function``; ``Finish`` is the final answer, not a call.
"""

import re
from typing import Any

from .json_text import parse_json_text
from .react import react_call

MAX_TURNS = 100_000
_KEYS = ("conversations", "conversation", "messages")
_USER = frozenset({"human", "user"})
_MODEL = frozenset({"gpt", "assistant", "model", "chatgpt", "bard", "bing"})
_ANSWER = frozenset({"observation", "function", "tool", "ipython", "function_response", "tool_response"})
_TOOL_CALL = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.S)
_TOOL_RESPONSE = re.compile(r"<tool_response>\s*(.*?)\s*(?:</tool_response>|$)", re.S)
_TOOLS = re.compile(r"<tools>\s*(.*?)\s*</tools>", re.S)


def dataset_messages(doc: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A dataset's run as OpenAI-form messages: ShareGPT-form turns or a ToolBench answer file; None: neither."""
    value = turns(doc)
    if value is not None:
        return sharegpt_messages(doc, value)
    generated = doc.get("answer_generation")
    return toolbench_messages(doc, generated) if generated.__class__ is dict else None


def turns(doc: dict[str, Any]) -> list[Any] | None:
    """A ShareGPT-form document's turns; None: not one (an OpenAI-form ``messages`` list with no
    tool role of LLaMA-Factory's is read as messages are)."""
    for key in _KEYS:
        value = doc.get(key)
        if value.__class__ is list and value:
            head = [t for t in value[:8] if t.__class__ is dict]
            if head and (all("from" in t and "value" in t for t in head)
                         or any(t.get("role") in ("function_call", "observation") for t in value[:64] if t.__class__ is dict)):
                return value
    return None


def sharegpt_messages(doc: dict[str, Any], value: list[Any]) -> list[dict[str, Any]]:
    """The turns as OpenAI-form messages: the tools offered first (``tool_definitions``), then each turn."""
    out: list[dict[str, Any]] = []
    offered = _tools(doc.get("tools"))
    system = doc.get("system")
    if system.__class__ is str:
        offered += _system_tools(system)
    if offered:
        out.append({"role": "system", "content": system if system.__class__ is str else "", "tool_definitions": offered})
    open_calls: list[tuple[str, str]] = []  # (id, tool) asked, not yet answered
    for i, turn in enumerate(value[:MAX_TURNS]):
        if turn.__class__ is not dict:
            continue
        role, text = turn.get("from", turn.get("role")), turn.get("value", turn.get("content"))
        if role.__class__ is not str:
            continue
        role = role.lower()
        if role in _USER:
            out.append({"role": "user", "content": text})
        elif role == "system":
            tools = _system_tools(text) if text.__class__ is str else []
            if tools:
                out.append({"role": "system", "content": text, "tool_definitions": tools})
        elif role == "function_call":
            parsed = parse_json_text(text)
            _ask(out, open_calls, i, parsed if parsed.__class__ is list else [parsed])
        elif role in _MODEL:
            _model_turn(out, open_calls, i, text)
        elif role in _ANSWER:
            _answer(out, open_calls, text)
    return out


def toolbench_messages(doc: dict[str, Any], generated: dict[str, Any]) -> list[dict[str, Any]]:
    """A ToolBench answer file's run (module docstring)."""
    chains = [c for c in generated.get("train_messages") or () if c.__class__ is list]
    out: list[dict[str, Any]] = []
    tools = generated.get("function")
    if tools.__class__ is list:
        offered = [t for t in tools if t.__class__ is dict and t.get("name") != "Finish"]
        if offered:
            out.append({"role": "system", "content": "", "tool_definitions": offered})
    request = next((m.get("content") for c in chains for m in c if m.__class__ is dict and m.get("role") == "user"), None)
    if request.__class__ is str:
        out.append({"role": "user", "content": request})
    tree = doc.get("tree")
    root = tree.get("tree") if tree.__class__ is dict else None
    if root.__class__ is dict:
        _tree_calls(root, out)
        return out
    for m in chains[-1] if chains else ():
        call = m.get("function_call") if m.__class__ is dict else None
        if call.__class__ is dict and call.get("name") == "Finish":
            _finish(out, parse_json_text(call.get("arguments")))
        elif m.__class__ is dict and m.get("role") in ("assistant", "function"):
            out.append(m)
    return out


def _tree_calls(root: dict[str, Any], out: list[dict[str, Any]]) -> None:
    """The search tree's calls in the order made (pre-order: a node's children after it, first child first)."""
    stack: list[tuple[Any, str | None]] = [(root, None)]
    n = 0
    while stack and n < MAX_TURNS:
        node, tool = stack.pop()
        if node.__class__ is not dict:
            continue
        kind, text = node.get("node_type"), node.get("description")
        if kind == "Action Input" and tool is not None:
            args = parse_json_text(text)
            if tool == "Finish":
                _finish(out, args)
            else:
                cid = f"node{n}"
                out.append({"role": "assistant", "content": None, "tool_calls": [
                    {"id": cid, "type": "function", "function": {"name": tool, "arguments": args if args.__class__ is dict else {"input": text}}}]})
                if "observation" in node:
                    _answer(out, [(cid, tool)], node["observation"])
            n += 1
        children = node.get("children")
        if children.__class__ is list:
            child_tool = text if kind == "Action" and text.__class__ is str and text else None
            stack.extend((c, child_tool) for c in reversed(children))


def _finish(out: list[dict[str, Any]], args: Any) -> None:
    """ToolBench's ``Finish``: its final answer is the model's reply (``give_up_and_restart``: none)."""
    answer = args.get("final_answer") if args.__class__ is dict else None
    if answer.__class__ is str and answer:
        out.append({"role": "assistant", "content": answer})


def _model_turn(out: list[dict[str, Any]], open_calls: list[tuple[str, str]], i: int, text: Any) -> None:
    if text.__class__ is not str:
        return
    if "<tool_call>" in text:
        _ask(out, open_calls, i, [parse_json_text(block) for block in _TOOL_CALL.findall(text)])
        return
    react = react_call(text) if "Action" in text else None
    if react is None:
        out.append({"role": "assistant", "content": text})
        return
    tool, args = react
    if tool == "Finish":  # ToolBench's end
        _finish(out, args)
        return
    _ask(out, open_calls, i, [{"name": tool, "arguments": args}])


def _ask(out: list[dict[str, Any]], open_calls: list[tuple[str, str]], i: int, calls: list[Any]) -> None:
    asked = []
    for j, call in enumerate(calls):
        if call.__class__ is not dict:
            continue
        inner = call.get("function") if call.get("function").__class__ is dict else call  # ({"type": "function", "function": {...}})
        name = inner.get("name")
        if name.__class__ is not str or not name:
            continue
        cid = f"turn{i}.{j}"
        args = inner.get("arguments", inner.get("parameters", {}))
        asked.append({"id": cid, "type": "function", "function": {"name": name, "arguments": args}})
        open_calls.append((cid, name))
    if asked:
        out.append({"role": "assistant", "content": None, "tool_calls": asked})


def _answer(out: list[dict[str, Any]], open_calls: list[tuple[str, str]], text: Any) -> None:
    if not open_calls:
        return
    if text.__class__ is str and "<tool_response>" in text:
        answers = [parse_json_text(block) for block in _TOOL_RESPONSE.findall(text)]
    else:
        parsed = parse_json_text(text)
        answers = parsed if parsed.__class__ is list and 1 < len(open_calls) == len(parsed) else [parsed]
    for answer in answers:
        if not open_calls:
            return
        name = answer.get("name") if answer.__class__ is dict else None
        at = next((k for k, (_, tool) in enumerate(open_calls) if tool == name), 0)
        cid, _ = open_calls.pop(at)
        content = answer.get("content", answer) if name is not None and answer.__class__ is dict else answer
        message: dict[str, Any] = {"role": "tool", "tool_call_id": cid, "content": content}
        error = answer.get("error") if answer.__class__ is dict and set(answer) <= {"error", "response"} else None
        if error.__class__ is str and error:  # (ToolBench's answer: an empty error is none)
            message["error"] = error
        out.append(message)


def _tools(value: Any) -> list[Any]:
    parsed = parse_json_text(value)
    return parsed if parsed.__class__ is list else []


def _system_tools(text: str) -> list[Any]:
    """The tools a Hermes-style system prompt offers: a ``<tools>`` block holding a JSON (or Python)
    list, or one definition per line (the prompt names the empty tags first: "within <tools></tools>")."""
    for block in _TOOLS.findall(text) if "<tools>" in text else ():
        parsed = parse_json_text(block)
        if parsed.__class__ is list and parsed:
            return parsed
        lines = [t for t in (parse_json_text(line.strip()) for line in block.splitlines()) if t.__class__ is dict]
        if lines:
            return lines
    return []

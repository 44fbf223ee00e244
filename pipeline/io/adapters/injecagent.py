"""InjecAgent's result records read as conversations (transcript.py): the benchmark's test cases as
its evaluation writes them back with the agent's outputs (a JSON list or JSON lines per file,
``test_cases_{dh,ds}_{base,enhanced}``): ``User Instruction`` (the request), ``User Tool`` and
``Tool Parameters`` (the call the benchmark made for the agent; Python-literal text), ``Tool
Response`` (its answer, the attacker's instruction inside), then the agent's own ReAct text:
``output`` (``Thought: ...`` / ``Action: <tool>`` / ``Action Input: <arguments>``) and, in a
data-stealing case whose first step was taken, ``Attacker Tool Response`` (the benchmark's
simulated answer to it) and ``output Step 2``.

The case's labels (``eval``, ``Attacker Tools``, ``Attack Type``, ``Expected Achievements``) are not
read: a detector judges what the agent did, not what the benchmark says of it. An output that is no
tool call (a final answer, a refusal, text the benchmark calls invalid) adds no call; a call nobody
answered ends the conversation unanswered (transcript.py: a state-changing one is still an action).
"""

from typing import Any

from .json_text import parse_json_text
from .react import react_call


def is_case(doc: dict[str, Any]) -> bool:
    return doc.get("User Instruction").__class__ is str and doc.get("User Tool").__class__ is str


def case_messages(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The case as OpenAI-form messages: the request, the benchmark's call and its answer, then the
    agent's calls (its first output's, answered by the attacker tool's simulated response when the case
    has one, and its second output's)."""
    out: list[dict[str, Any]] = [{"role": "user", "content": doc["User Instruction"]}]
    params = parse_json_text(doc.get("Tool Parameters") or "{}")
    calls: list[tuple[str, Any, Any]] = [(doc["User Tool"], params if params.__class__ is dict else {}, doc.get("Tool Response"))]
    first = react_call(doc.get("output"))
    if first is not None:
        calls.append((*first, doc.get("Attacker Tool Response")))
        second = react_call(doc.get("output Step 2"))
        if second is not None:
            calls.append((*second, None))
    for n, (tool, args, answer) in enumerate(calls):
        cid = f"step{n}"
        out.append({"role": "assistant", "content": None,
                    "tool_calls": [{"id": cid, "type": "function", "function": {"name": tool, "arguments": args}}]})
        if answer is not None:
            out.append({"role": "tool", "tool_call_id": cid, "content": answer if answer.__class__ is str else str(answer)})
    return out

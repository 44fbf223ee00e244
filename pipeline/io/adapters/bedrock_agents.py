"""Amazon Bedrock Agents' trace -> transcript lines (transcript.py reads them as a session file's).

``InvokeAgent`` with ``enableTrace`` streams a trace part per step beside the answer's chunks; agents'
applications log them, a JSON object per line: ``{"agentId", "agentAliasId", "sessionId", "eventTime",
"collaboratorName", "trace": {"orchestrationTrace": {...}}}`` (or the stream's event around it,
``{"trace": {<that>}}``). In an orchestration step:

- ``invocationInput.actionGroupInvocationInput`` is a tool call: ``<actionGroupName>.<function>`` (or its
  ``apiPath``), its ``parameters`` (a list of ``name`` / ``value``; an API's ``requestBody`` properties)
  the arguments; ``observation.actionGroupInvocationOutput.text`` of the same ``traceId`` its answer;
- ``knowledgeBaseLookupInput`` a read, ``knowledge_base_lookup`` (its ``knowledgeBaseId`` and query ``text``),
  answered by the passages ``knowledgeBaseLookupOutput`` retrieved: a poisoned document is read as any
  tool result is;
- ``agentCollaboratorInvocationInput`` a hand-over to a collaborator (``invoke_agent``, its ``agent`` the
  collaborator's name), answered by its ``agentCollaboratorInvocationOutput``.

The agent is the part's ``collaboratorName`` (a multi-agent collaboration's sub-agent), else its
``agentId``; the session its ``sessionId``. Model input and output, rationales, pre- and post-processing,
guardrail and failure traces are no calls: counted.
"""

from typing import Any

_STEPS = ("orchestrationTrace", "routingClassifierTrace")


def trace_part(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The trace part a line holds (the part, or the stream's event around it); None: none."""
    trace = doc.get("trace")
    if trace.__class__ is not dict:
        return None
    if trace.get("trace").__class__ is dict and ("sessionId" in trace or "agentId" in trace):
        doc, trace = trace, trace["trace"]
    return doc if ("sessionId" in doc or "agentId" in doc) else None


def agent_line(part: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """(the transcript line of a trace part's call or answer, "") or (None, what it was)."""
    trace = part["trace"]
    step = next((trace[k] for k in _STEPS if trace.get(k).__class__ is dict), None)
    if step is None:
        return None, f"Bedrock agent {next(iter(trace), 'trace')} (no tool call)"
    line = {"session_id": part.get("sessionId"), "agent": part.get("collaboratorName") or part.get("agentId"),
            "timestamp": part.get("eventTime")}
    given, seen = step.get("invocationInput"), step.get("observation")
    if given.__class__ is dict:
        call = _call(given)
        if call is not None:
            return {**line, "role": "assistant", "content": [{"type": "tool_use", "id": given.get("traceId"), **call}]}, ""
    if seen.__class__ is dict:
        answer = _answer(seen)
        if answer is not None:
            return {**line, "role": "user", "content": [{"type": "tool_result", "tool_use_id": seen.get("traceId"), "content": answer}]}, ""
    return None, f"Bedrock agent {next(iter(step), 'step')} (no tool call)"


def _call(given: dict[str, Any]) -> dict[str, Any] | None:
    group = given.get("actionGroupInvocationInput")
    if group.__class__ is dict:
        name = group.get("function") or group.get("apiPath")
        args = _parameters(group.get("parameters"))
        body = group.get("requestBody")
        content = body.get("content") if body.__class__ is dict else None
        for media in content.values() if content.__class__ is dict else ():
            if media.__class__ is dict:
                args.update(_parameters(media.get("properties")))
        return {"name": f"{group.get('actionGroupName') or 'action_group'}.{str(name).lstrip('/')}" if name else None, "input": args}
    kb = given.get("knowledgeBaseLookupInput")
    if kb.__class__ is dict:
        return {"name": "knowledge_base_lookup", "input": {"knowledgeBaseId": kb.get("knowledgeBaseId"), "text": kb.get("text")}}
    peer = given.get("agentCollaboratorInvocationInput")
    if peer.__class__ is dict:
        text = (peer.get("input") or {}).get("text") if peer.get("input").__class__ is dict else None
        return {"name": "invoke_agent", "input": {"agent": peer.get("agentCollaboratorName"), "input": text}}
    return None


def _answer(seen: dict[str, Any]) -> Any:
    out = seen.get("actionGroupInvocationOutput")
    if out.__class__ is dict:
        return out.get("text")
    kb = seen.get("knowledgeBaseLookupOutput")
    if kb.__class__ is dict:
        refs = kb.get("retrievedReferences")
        return [r.get("content") for r in refs if r.__class__ is dict] if refs.__class__ is list else None
    peer = seen.get("agentCollaboratorInvocationOutput")
    if peer.__class__ is dict:
        output = peer.get("output")
        return output.get("text") if output.__class__ is dict else output
    return None


def _parameters(params: Any) -> dict[str, Any]:
    """``[{"name": "iban", "type": "string", "value": "DE89..."}]`` (or a plain object) -> ``{"iban": "DE89..."}``."""
    if params.__class__ is dict:
        return dict(params)
    return {p["name"]: p.get("value") for p in params if p.__class__ is dict and type(p.get("name")) is str} \
        if params.__class__ is list else {}

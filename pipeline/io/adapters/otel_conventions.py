"""Where real producers put what otel.py maps, when it is not where the current GenAI conventions say.

- Other conventions' keys read as the GenAI ones they stand for (``aliased``, ``as_genai``):
  OpenInference (Arize), Traceloop OpenLLMetry (INTEGRATIONS.md section 1), the Vercel AI SDK's
  ``ai.*`` telemetry, MLflow Tracing and Langfuse. A GenAI key present wins.
- A tool call's arguments and result (``tool_io``), looked for in turn in: the span attributes
  ``gen_ai.tool.call.arguments`` / ``.result``; Google ADK's ``gcp.vertex.agent.tool_call_args`` /
  ``.tool_response``; Pydantic AI's first instrumentation's ``tool_arguments`` / ``tool_response``;
  ``gen_ai.input.messages`` / ``gen_ai.output.messages`` (a span attribute, or an event
  ``gen_ai.client.inference.operation.details``) with a ``tool_call`` / ``tool_call_response`` part;
  the older conventions' events on the tool span, ``gen_ai.tool.message`` (``content``: the
  arguments) and ``gen_ai.choice`` (``message``: the result), as Strands Agents writes them.
- Traceloop's ``@tool`` input ``{"args": [...], "kwargs": {...}}`` read as its keyword arguments.
- Claude Code's beta traces (``claude_code.*`` spans, by ``span.type``) and OpenLLMetry's model-client
  spans (``llm.request.type``).
"""

from typing import Any, Final

from .beeai import beeai_event
from .json_text import parse_json_text
from .otlp import Span
from .retrievals import indexed_documents

_OPENINFERENCE = {"TOOL": "execute_tool", "LLM": "chat", "AGENT": "invoke_agent", "RETRIEVER": "retrieval"}
_OPENINFERENCE_KEYS = {"tool.name": "gen_ai.tool.name", "tool.id": "gen_ai.tool.call.id",
                       "input.value": "gen_ai.tool.call.arguments", "output.value": "gen_ai.tool.call.result",
                       "llm.model_name": "gen_ai.request.model", "llm.provider": "gen_ai.provider.name",
                       "agent.name": "gen_ai.agent.name", "session.id": "gen_ai.conversation.id"}
# What an OpenInference agent span says beyond its kind: a root AGENT span with none of it is the OpenAI
# Agents SDK's trace (its name the workflow's), no agent's invocation.
_OI_AGENT_SAYS = ("agent.name", "input.value", "output.value", "session.id", "llm.model_name")
_TRACELOOP = {"tool": "execute_tool", "agent": "invoke_agent"}
# The Vercel AI SDK's telemetry (``ai.operationId``): a ``generateText`` / ``streamText`` call is the
# agent loop (its steps call the model and the tools), ``doGenerate`` / ``doStream`` one model call.
_VERCEL = {"ai.toolCall": "execute_tool", "ai.generateText": "invoke_agent", "ai.streamText": "invoke_agent",
           "ai.generateObject": "invoke_agent", "ai.streamObject": "invoke_agent", "ai.generateText.doGenerate": "chat",
           "ai.streamText.doStream": "chat", "ai.generateObject.doGenerate": "chat", "ai.streamObject.doStream": "chat"}
_VERCEL_KEYS = {"ai.toolCall.name": "gen_ai.tool.name", "ai.toolCall.id": "gen_ai.tool.call.id",
                "ai.toolCall.args": "gen_ai.tool.call.arguments", "ai.toolCall.result": "gen_ai.tool.call.result",
                "ai.telemetry.functionId": "gen_ai.agent.name", "ai.model.id": "gen_ai.request.model",
                "ai.model.provider": "gen_ai.provider.name", "ai.telemetry.metadata.sessionId": "gen_ai.conversation.id"}
# Span attributes of other producers holding a tool call's arguments / result (as JSON text).
ARGUMENT_KEYS = ("gcp.vertex.agent.tool_call_args", "tool_arguments")
RESULT_KEYS = ("gcp.vertex.agent.tool_response", "tool_response")
_DETAILS_EVENT = "gen_ai.client.inference.operation.details"


_MLFLOW = {"TOOL": "execute_tool", "AGENT": "invoke_agent", "CHAT_MODEL": "chat", "LLM": "chat", "RETRIEVER": "retrieval"}
_LANGFUSE = {"tool": "execute_tool", "agent": "invoke_agent", "generation": "chat", "retriever": "retrieval"}
# Logfire's OpenAI Agents SDK integration: spans by message template, the tool or agent in ``name``,
# a function's arguments and result in ``input`` / ``output``, the SDK trace's ``group_id`` its conversation.
_LOGFIRE = {"Function: {name}": "execute_tool", "Agent run: {name}": "invoke_agent", "OpenAI Agents trace: {name}": ""}
_FAMILIES = ("openinference.span.kind", "traceloop.span.kind", "ai.operationId", "mlflow.spanType", "langfuse.observation.type",
             "logfire.msg_template", "span.type", "llm.request.type")
# OpenLLMetry's model-client spans (``openai.chat``, ``anthropic.chat``): the kind of request, no operation.
_LLM_REQUEST = {"chat": "chat", "completion": "text_completion"}
# LangSmith's OpenTelemetry export (LangChain, LangGraph): it sets gen_ai.operation.name (a tool run is
# execute_tool, a retriever's "embeddings") but names the tool only in langsmith.trace.name, its inputs and
# outputs in gen_ai.prompt / gen_ai.completion, the conversation (a LangGraph thread) in its run metadata.
_LANGSMITH = "langsmith.span.kind"
_LANGSMITH_SESSION = ("langsmith.metadata.thread_id", "langsmith.metadata.session_id", "langsmith.metadata.conversation_id")
# The agent: the name LangChain gives each run under an agent it names (a sub-agent's its own), else the graph's.
_LANGSMITH_AGENT = ("langsmith.metadata.lc_agent_name", "langsmith.metadata.assistant_id", "langsmith.metadata.graph_id")
# Claude Code's traces (a beta): spans named ``claude_code.<type>``, the type also in ``span.type``; a tool
# span's children (``tool.blocked_on_user``, ``tool.execution``) are parts of its call, no calls of their own.
_CLAUDE_CODE = {"tool": "execute_tool", "llm_request": "chat", "interaction": "invoke_agent"}
_CLAUDE_CODE_KEYS = {"session.id": "gen_ai.conversation.id", "model": "gen_ai.request.model",
                     "tool_use_id": "gen_ai.tool.call.id"}
_CLAUDE_CODE_ARGUMENTS = ("file_path", "full_command", "url", "pattern", "path")  # logged with OTEL_LOG_TOOL_DETAILS


def needs_aliases(a: dict[str, Any]) -> bool:
    return ("gen_ai.operation.name" not in a and any(k in a for k in _FAMILIES)) or _LANGSMITH in a


def as_genai(span: Span) -> dict[str, Any]:
    """The span's attributes, with another convention's keys read as GenAI ones once (``aliased``)."""
    a = span.attrs
    if not span.aliased:
        span.aliased = True
        if needs_aliases(a):
            a = span.attrs = aliased(a, span.name, not span.parent_id)
    return a


def aliased(a: dict[str, Any], name: str = "", root: bool = False) -> dict[str, Any]:
    """OpenInference / Traceloop / Vercel AI SDK / MLflow / Langfuse / LangSmith / Logfire span attributes
    with their GenAI equivalents added (``name``: the span's, which MLflow and Langfuse give the tool's
    name, and an OpenInference agent span with a parent (``root`` false) its agent's).

    >>> aliased({"openinference.span.kind": "TOOL", "tool.name": "get_weather", "input.value": "{}"})["gen_ai.tool.name"]
    'get_weather'
    >>> aliased({"traceloop.span.kind": "agent", "traceloop.entity.name": "triage"})["gen_ai.agent.name"]
    'triage'
    >>> v = aliased({"ai.operationId": "ai.toolCall", "ai.toolCall.name": "sendMoney", "ai.telemetry.functionId": "payer"})
    >>> v["gen_ai.operation.name"], v["gen_ai.tool.name"], v["gen_ai.agent.name"]
    ('execute_tool', 'sendMoney', 'payer')
    >>> m = aliased({"mlflow.spanType": '"TOOL"', "mlflow.spanInputs": '{"to": "ann@example.org"}'}, "send_email")
    >>> m["gen_ai.operation.name"], m["gen_ai.tool.name"], m["gen_ai.tool.call.arguments"]
    ('execute_tool', 'send_email', '{"to": "ann@example.org"}')
    >>> ls = aliased({"langsmith.span.kind": "tool", "gen_ai.operation.name": "execute_tool", "langsmith.trace.name": "send_money",
    ...               "gen_ai.prompt": '{"iban": "DE89370400440532013000"}', "gen_ai.completion": '{"output": "ok"}',
    ...               "langsmith.metadata.thread_id": "t-42"}, "send_money")
    >>> ls["gen_ai.tool.name"], ls["gen_ai.tool.call.arguments"], ls["gen_ai.tool.call.result"], ls["gen_ai.conversation.id"]
    ('send_money', {'iban': 'DE89370400440532013000'}, 'ok', 't-42')
    >>> lf = aliased({"logfire.msg_template": "Function: {name}", "name": "send_email", "input": '{"to": "ann@example.org"}', "output": "sent"})
    >>> lf["gen_ai.operation.name"], lf["gen_ai.tool.name"], lf["gen_ai.tool.call.arguments"]
    ('execute_tool', 'send_email', '{"to": "ann@example.org"}')
    """
    out = dict(a)
    if _LANGSMITH in a:
        _langsmith(out, a, name)
    template = a.get("logfire.msg_template")
    if type(template) is str and template in _LOGFIRE:
        if _LOGFIRE[template]:
            _tool_family(out, _LOGFIRE[template], str(a.get("name") or ""), a.get("input"), a.get("output"))
        elif a.get("group_id") is not None:
            out.setdefault("gen_ai.conversation.id", a["group_id"])
    kind = a.get("llm.request.type")
    if type(kind) is str and kind in _LLM_REQUEST:
        out.setdefault("gen_ai.operation.name", _LLM_REQUEST[kind])
    kind = a.get("span.type")
    if type(kind) is str and name.startswith("claude_code."):
        _claude_code(out, a, kind)
    kind = a.get("openinference.span.kind")
    if type(kind) is str:  # (a list or map there is no kind: unhashable, it raised)
        event = beeai_event(a, kind, name)
        if event is not None:  # (a span of each event: a tool's call, or a part of a run)
            out.update((k, v) for k, v in event.items() if k not in a)
        elif kind in _OPENINFERENCE and not (kind == "AGENT" and root and not any(k in a for k in _OI_AGENT_SAYS)):
            out.setdefault("gen_ai.operation.name", _OPENINFERENCE[kind])
        # any kind may carry the session or the agent (a LangChain agent's CHAIN span): its descendants inherit them
        for key, gen_ai in _OPENINFERENCE_KEYS.items():
            if key in a and not (kind != "TOOL" and gen_ai.startswith("gen_ai.tool.")):
                out.setdefault(gen_ai, a[key])
        arguments = out.get("gen_ai.tool.call.arguments") if kind == "TOOL" else None
        if type(arguments) is str and '"kwargs"' in arguments:  # smolagents' tools: their bound call
            out["gen_ai.tool.call.arguments"] = _call_arguments(parse_json_text(arguments))
        if kind == "RETRIEVER":  # its query, its documents flattened or (an export's) a list (retrievals.py)
            docs = a.get("retrieval.documents")
            _tool_family(out, "retrieval", name, a.get("input.value"), docs if type(docs) is list else indexed_documents(a))
        if kind == "AGENT" and name and not root:  # OpenAI Agents' spans name the agent only so (a root is the SDK's trace)
            out.setdefault("gen_ai.agent.name", span_agent(name))
        agent = _metadata_agent(a.get("metadata"))  # a LangChain run's metadata, as JSON text
        if agent is not None:
            out.setdefault("gen_ai.agent.name", agent)
    kind = a.get("traceloop.span.kind")
    if type(kind) is str and kind in _TRACELOOP:
        out.setdefault("gen_ai.operation.name", _TRACELOOP[kind])
        entity = a.get("traceloop.entity.name")
        if entity is not None:
            out.setdefault("gen_ai.tool.name" if kind == "tool" else "gen_ai.agent.name", entity)
        if kind == "tool":
            if "traceloop.entity.input" in a:
                out.setdefault("gen_ai.tool.call.arguments", _call_arguments(parse_json_text(a["traceloop.entity.input"])))
            if "traceloop.entity.output" in a:
                out.setdefault("gen_ai.tool.call.result", a["traceloop.entity.output"])
    kind = a.get("ai.operationId")
    if type(kind) is str:
        if kind in _VERCEL:
            out.setdefault("gen_ai.operation.name", _VERCEL[kind])
        for key, gen_ai in _VERCEL_KEYS.items():
            if key in a:
                out.setdefault(gen_ai, a[key])
    kind = a.get("mlflow.spanType")  # MLflow Tracing: the type JSON-encoded ('"TOOL"'), inputs and outputs as JSON
    if type(kind) is str and kind.strip('"') in _MLFLOW:
        _tool_family(out, _MLFLOW[kind.strip('"')], name, a.get("mlflow.spanInputs"), a.get("mlflow.spanOutputs"))
    kind = a.get("langfuse.observation.type")  # Langfuse's SDK: an observation of a type, named as the span
    if type(kind) is str and kind in _LANGFUSE:
        _tool_family(out, _LANGFUSE[kind], name, a.get("langfuse.observation.input"), a.get("langfuse.observation.output"))
        for key, gen_ai in (("langfuse.observation.model.name", "gen_ai.request.model"),
                            ("langfuse.session.id", "gen_ai.conversation.id"), ("session.id", "gen_ai.conversation.id")):
            if key in a:
                out.setdefault(gen_ai, a[key])
    return out


def span_agent(name: str) -> str:
    """The agent an agent span is named after (OpenInference's ADK instrumentation: ``agent_run [<agent>]``).

    >>> span_agent("agent_run [billing]"), span_agent("Billing assistant")
    ('billing', 'Billing assistant')
    """
    return name[11:-1] if name.startswith("agent_run [") and name.endswith("]") and len(name) > 12 else name


def _metadata_agent(metadata: Any) -> str | None:
    """The agent LangChain named (``lc_agent_name``) in a run's metadata, as OpenInference's LangChain
    instrumentation writes it in ``metadata`` (JSON text; parsed only when the name is in it).

    >>> _metadata_agent('{"lc_agent_name": "research"}'), _metadata_agent('{"lc_agent_name": 7}'), _metadata_agent("lc_agent_name")
    ('research', None, None)
    """
    if type(metadata) is str and "lc_agent_name" in metadata:
        metadata = parse_json_text(metadata)
    if metadata.__class__ is dict:
        agent = metadata.get("lc_agent_name")
        if type(agent) is str and agent:
            return agent
    return None


def _langsmith(out: dict[str, Any], a: dict[str, Any], name: str) -> None:
    """LangSmith's keys as GenAI ones: a tool run's name, inputs and outputs (LangChain wraps a
    one-argument tool's input as ``{"input": ...}`` and every output as ``{"output": ...}``); any
    run's thread (the conversation) and agent (``lc_agent_name``, else the LangGraph assistant or graph; its
    descendants inherit it)."""
    for key in _LANGSMITH_SESSION:
        if key in a:
            out.setdefault("gen_ai.conversation.id", a[key])
            break
    for key in _LANGSMITH_AGENT:
        if key in a:
            out.setdefault("gen_ai.agent.name", a[key])
            break
    kind = a.get(_LANGSMITH)
    if kind == "tool":
        tool = a.get("langsmith.trace.name") or name
        _tool_family(out, "execute_tool", tool if type(tool) is str else "",  # a name that is no text: a dead letter
                     unwrapped(a.get("gen_ai.prompt"), "input"),
                     unwrapped(a.get("gen_ai.completion"), "output"))
    elif kind == "retriever":  # exported as an "embeddings" operation: its inputs the query, its outputs the documents
        out["gen_ai.operation.name"] = "retrieval"
        _tool_family(out, "retrieval", "", unwrapped(a.get("gen_ai.prompt"), "query"),
                     unwrapped(a.get("gen_ai.completion"), "documents"))


def _claude_code(out: dict[str, Any], a: dict[str, Any], kind: str) -> None:
    """Claude Code's span attributes as GenAI ones: a ``tool`` span's tool and its details, any span's session
    and model; an ``interaction``'s prompt is read as the request (otel_requests.py).

    >>> v = aliased({"span.type": "tool", "tool_name": "Read", "tool_use_id": "toolu_01", "file_path": "/srv/a.py"}, "claude_code.tool")
    >>> v["gen_ai.operation.name"], v["gen_ai.tool.name"], v["gen_ai.tool.call.arguments"]
    ('execute_tool', 'Read', {'file_path': '/srv/a.py'})
    """
    if kind in _CLAUDE_CODE:
        out.setdefault("gen_ai.operation.name", _CLAUDE_CODE[kind])
    for key, gen_ai in _CLAUDE_CODE_KEYS.items():
        if key in a:
            out.setdefault(gen_ai, a[key])
    if kind == "tool":
        tool = coding_tool(a)
        if tool is not None:
            out.setdefault("gen_ai.tool.name", tool)
        args = parse_json_text(a.get("tool_input")) or {k: a[k] for k in _CLAUDE_CODE_ARGUMENTS if k in a}
        if args:
            out.setdefault("gen_ai.tool.call.arguments", args)


def coding_tool(a: dict[str, Any]) -> str | None:
    """The tool a coding agent's span or event names (``tool_name``); Claude Code's MCP calls, named
    ``mcp_tool`` when their details are logged, as ``mcp__<server>__<tool>`` as it names them itself.

    >>> coding_tool({"tool_name": "mcp_tool", "tool_parameters": '{"mcp_server_name": "github", "mcp_tool_name": "create_issue"}'})
    'mcp__github__create_issue'
    """
    tool = a.get("tool_name")
    if type(tool) is not str or not tool:
        return None
    if tool == "mcp_tool":
        params = parse_json_text(a.get("tool_parameters"))
        where = params if type(params) is dict else a
        if where.get("mcp_server_name") and where.get("mcp_tool_name"):
            return f"mcp__{where['mcp_server_name']}__{where['mcp_tool_name']}"
    return tool


def unwrapped(value: Any, key: str) -> Any:
    """``{key: x}`` -> ``x``, each held as JSON text parsed (LangSmith's runs wrap a one-argument tool's input as
    ``{"input": ...}``, every output as ``{"output": ...}``); anything else as it is (parsed)."""
    value = parse_json_text(value)
    if type(value) is dict and len(value) == 1 and key in value:
        return parse_json_text(value[key])
    return value


def _tool_family(out: dict[str, Any], op: str, name: str, inputs: Any, outputs: Any) -> None:
    """A family whose tool (or agent) span is named after its tool (or agent) and holds its inputs and outputs
    (a retriever's: its query and documents)."""
    out.setdefault("gen_ai.operation.name", op)
    if op == "retrieval":
        for key, value in (("gen_ai.retrieval.query.text", inputs), ("gen_ai.retrieval.documents", outputs)):
            if value is not None:
                out.setdefault(key, value)
    if op == "invoke_agent" and name:
        out.setdefault("gen_ai.agent.name", name)
    if op == "execute_tool":
        if name:
            out.setdefault("gen_ai.tool.name", name)
        if inputs is not None:
            out.setdefault("gen_ai.tool.call.arguments", inputs)
        if outputs is not None:
            out.setdefault("gen_ai.tool.call.result", outputs)


def _call_arguments(value: Any) -> Any:
    """A tool function's bound call -> its arguments: ``{"args": [], "kwargs": {"to": "x"}}`` (Traceloop's ``@tool``;
    smolagents' ``Tool.__call__`` in OpenInference) -> ``{"to": "x"}``; one dict passed alone (smolagents'
    ``tool(arguments)``) is the arguments; other positional arguments stay under ``args``.

    >>> _call_arguments({"args": [], "kwargs": {"to": "ap@example.com"}}), _call_arguments({"args": [3], "kwargs": {}})
    ({'to': 'ap@example.com'}, {'args': [3]})
    >>> _call_arguments({"args": [{"url": "https://x.example"}], "sanitize_inputs_outputs": True, "kwargs": {}})
    {'url': 'https://x.example'}
    """
    if value.__class__ is dict and value.keys() <= _CALL_KEYS and "kwargs" in value and isinstance(value["kwargs"] or {}, dict):
        out = dict(value["kwargs"] or {})
        args = value.get("args")
        if not out and type(args) is list and len(args) == 1 and args[0].__class__ is dict:
            return args[0]
        if args:
            out["args"] = args
        return out
    return value


_CALL_KEYS: Final = frozenset({"args", "kwargs", "sanitize_inputs_outputs"})


def _part(messages: Any, kind: str, tool: str, call_id: Any) -> Any:
    """The ``kind`` part (``tool_call`` / ``tool_call_response``) of a messages list for this call: the one
    with its id, else the first with its tool name (requests), else the first of its kind."""
    messages = parse_json_text(messages)
    if messages.__class__ is not list:
        return None
    parts = [p for m in messages if m.__class__ is dict and isinstance(m.get("parts"), list)
             for p in m["parts"] if p.__class__ is dict and p.get("type") == kind]
    for p in parts:
        if call_id is not None and p.get("id") == call_id:
            return p
    for p in parts:
        if p.get("name") == tool:
            return p
    return parts[0] if parts else None


def _from_messages(where: dict[str, Any], tool: str, call_id: Any, args: Any, result: Any) -> tuple[Any, Any]:
    """(arguments, result) completed from the message parts in ``where`` (span attributes or an event's)."""
    if args is None and "gen_ai.input.messages" in where:
        part = _part(where["gen_ai.input.messages"], "tool_call", tool, call_id)
        args = part.get("arguments") if part else None
    if result is None and "gen_ai.output.messages" in where:
        part = _part(where["gen_ai.output.messages"], "tool_call_response", tool, call_id)
        result = part.get("response") if part else None
    return args, result


def tool_io(span: Span, a: dict[str, Any], tool: str) -> tuple[Any, Any]:
    """(arguments, result) of a tool span, parsed, from wherever its producer put them (None: not found)."""
    args, result = a.get("gen_ai.tool.call.arguments"), a.get("gen_ai.tool.call.result")
    if args is not None and result is not None:
        return parse_json_text(args), parse_json_text(result)
    call_id = a.get("gen_ai.tool.call.id")
    if args is None:
        for k in ARGUMENT_KEYS:
            args = a.get(k)
            if args is not None:
                break
    if result is None:
        for k in RESULT_KEYS:
            result = a.get(k)
            if result is not None:
                break
    args, result = _from_messages(a, tool, call_id, args, result)
    if (args is None or result is None) and span.wire_events():
        for name, ev in span.event_list():
            if name == _DETAILS_EVENT:
                args, result = _from_messages(ev, tool, call_id, args, result)
            elif name == "gen_ai.tool.message" and args is None:
                args = ev.get("content")
            elif name == "gen_ai.choice" and result is None:
                result = ev.get("message")
    return parse_json_text(args), parse_json_text(result)

"""BeeAI's OpenInference spans: a span for each event its emitter sends, beside (or instead of) one per run.

Read by otel_conventions.py (OTLP) and langfuse.py (the same spans as Langfuse keeps them).
"""

from typing import Any


def beeai_event(a: dict[str, Any], kind: str, name: str) -> dict[str, Any] | None:
    """BeeAI's spans of its emitter's events (``kind``, ``name``: the span's). Its first instrumentation (to
    mid-2025) made one of each (``target`` ``tool.search.wikipedia.success``, ``name`` the event): a tool's
    ``success`` or ``error`` is its call (named by its namespace; ``tool.parameters``, ``output.value``), a
    model's are read as model spans, others skipped by name. The rewrite puts one under each run, of its kind,
    per other event (``metadata.path``, named after the event): skipped. None: no such span.

    >>> beeai_event({"target": "tool.search.wikipedia.success", "name": "success", "tool.parameters": {"q": "Gaudi"}}, "TOOL", "x-12")
    {'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search.wikipedia', 'gen_ai.tool.call.arguments': {'q': 'Gaudi'}}
    >>> beeai_event({"target": "tool.search.wikipedia.start", "name": "start"}, "TOOL", "x"), beeai_event({"metadata.path": "tool.x.start"}, "TOOL", "start")
    ({'gen_ai.operation.name': 'beeai.start'}, {'gen_ai.operation.name': 'beeai.start'})
    >>> beeai_event({"target": "backend.openai.chat.start", "name": "start"}, "LLM", "x"), beeai_event({"target": "a.b"}, "TOOL", "x")
    (None, None)
    """
    path = a.get("metadata.path")
    if type(path) is str and path.rpartition(".")[2] == name and name:
        return {"gen_ai.operation.name": f"beeai.{name[:40]}"}
    target = a.get("target")
    if type(target) is not str or kind == "LLM":
        return None
    path, _, event = target.rpartition(".")
    if not path or event != a.get("name"):
        return None
    if kind != "TOOL" or event not in ("success", "error") or not path.startswith("tool.") or len(path) < 6:
        return {"gen_ai.operation.name": f"beeai.{event[:40]}"}
    out = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": path[5:]}
    for key, gen_ai in (("tool.parameters", "gen_ai.tool.call.arguments"), ("output.value", "gen_ai.tool.call.result")):
        if a.get(key) is not None:
            out[gen_ai] = a[key]
    return out

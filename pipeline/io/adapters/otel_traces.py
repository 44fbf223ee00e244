"""A span's line of ancestors: within one request (what a span inherits from them: its agent, its
session, the ``invoke_agent <name>`` it runs under), and across the requests of a file.

Spans whose ancestors come in a later request of the same file.

An SDK exports a span when it ends, in batches (every few seconds): a tool span ends before the
``invoke_agent`` span it runs under, so in a recorded file a long agent run's tool spans are often
lines before the span that names their agent. Reading a file, ``TraceMemory`` notes of every span
seen what its descendants may inherit (parent, agent, session, ``invoke_agent <name>``), and holds
back the spans whose agent came from no ancestor because their line of ancestors is cut off: a
parent not seen yet. When a request brings spans of a held trace, its spans whose line is no longer
cut (an ancestor naming the agent, or the root, has come) are mapped again; at the end of the file,
after ``max_idle`` requests without a span of the trace, or past ``max_waiting`` held spans, the
rest are mapped with what there is (the resource's ``service.name``...).
A held span comes out after the request that completed it: later than its line, never lost.

Only files: a Kafka message (the bridge) is mapped on its own, as its offset commits with it.
"""

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from .otel_conventions import as_genai
from .otlp import Span

Ancestry = tuple[Any, Any, Any, bool]  # (agent, session, named agent, cut off)


MAX_ANCESTORS = 64  # a line of ancestors is followed this far up
# A span's session: the GenAI conversation, else MCP's session, else OTel's general ``session.id`` (AgentCore sets it)
SESSION_KEYS = ("gen_ai.conversation.id", "mcp.session.id", "session.id")

# -- within one request (otel.py reads who acted, and in which session) --


def tools_in_start_order(spans: list[tuple[Any, Any]]) -> None:
    """Put a request's GenAI tool spans (``gen_ai.operation.name: execute_tool``) in the order they started,
    in the places they hold: the Collector batches several processes' exports into one request, in the
    order they came, so a sub-agent's call can come before the call of another agent (another process)
    whose result it acted on; that result is handed on to it only if read first (peers.py). Other spans
    keep their places (an agent span is its run's end: it comes after its calls). One process exports its
    spans as they end, a result before the calls after it: a request of one resource is left as it is.

    >>> s = [({"service.name": n}, Span("t", n, "", "execute_tool x", at, 0, "", {"gen_ai.operation.name": "execute_tool"}, "", b"", ()))
    ...      for n, at in (("pay", 9), ("read", 2))]
    >>> tools_in_start_order(s); [span.span_id for _, span in s]
    ['read', 'pay']
    """
    first = spans[0][0] if spans else None
    for resource, _ in spans:
        if resource is not first and resource != first:  # (some readers give each span a resource of its own)
            break
    else:
        return
    places = [i for i, (_, s) in enumerate(spans) if s.__class__ is Span and s.attrs.get("gen_ai.operation.name") == "execute_tool"]
    if len(places) < 2:
        return
    tools = [spans[i] for i in places]
    starts = [t[1].start_ns for t in tools]
    if all(starts[i] <= starts[i + 1] for i in range(len(starts) - 1)):
        return
    tools.sort(key=lambda t: t[1].start_ns)  # (stable: spans that started together keep their order)
    for i, t in zip(places, tools):
        spans[i] = t


def first_set(attrs: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The first of ``keys`` set in ``attrs`` (not None, not empty text)."""
    for k in keys:
        v = attrs.get(k)
        if v is not None and v != "":
            return v
    return None


def inherited(span: Span, by_id: dict[str, Span], keys: tuple[str, ...]) -> Any:
    """The first of ``keys`` on the span, else on its nearest ancestor in the same request (an
    OpenInference / Traceloop ancestor read as GenAI keys: it may come after its children)."""
    return nearest(span, by_id, lambda s: first_set(as_genai(s), keys))


def nearest(span: Span | None, by_id: dict[str, Span], of: Callable[[Span], Any]) -> Any:
    """What ``of`` gives for the span, else for its nearest ancestor in the same request that gives something
    (a tool call's request: the ``invoke_agent`` span's it runs under)."""
    s = span
    for _ in range(MAX_ANCESTORS):
        if s is None:
            return None
        v = of(s)
        if v is not None:
            return v
        s = by_id.get(s.parent_id) if s.parent_id else None
    return None


def called_tool(s: Span) -> Any:
    """The tool a span calls when it is a tool call (``execute_tool``, an MCP ``tools/call``, a span
    naming a tool), else None; as the span names it (``gen_ai.tool.name`` may hold a non-text value)."""
    a = as_genai(s)
    op = a.get("gen_ai.operation.name")
    named = s.name.split(" ", 1)
    if op is None and (named[0] == "execute_tool" or a.get("mcp.method.name") == "tools/call" or a.get("gen_ai.tool.name")):
        op = "execute_tool"
    if op != "execute_tool":
        return None
    return a.get("gen_ai.tool.name") or (named[1] if len(named) == 2 else None)


def first_missing(span: Span, by_id: dict[str, Span]) -> str | None:
    """The id of the first ancestor not in ``by_id`` (None: the line reaches its root here, or a span
    whose parent is in another process)."""
    s = span
    for _ in range(MAX_ANCESTORS):
        if not s.parent_id or s.entry:
            return None
        parent = by_id.get(s.parent_id)
        if parent is None:
            return s.parent_id
        s = parent
    return None


def resource_agent(resource: dict[str, Any], key: str | None) -> Any:
    """The agent the resource attribute ``key`` names (``service.name``), or None: the SDK's default
    when no service name was set (``unknown_service...``) names no one.

    >>> resource_agent({"service.name": "unknown_service:python"}, "service.name"), resource_agent({"service.name": "payer"}, "service.name")
    (None, 'payer')
    """
    agent = resource.get(key) if key else None
    return None if type(agent) is str and agent.startswith("unknown_service") else agent


def named_agent(span: Span, by_id: dict[str, Span]) -> str | None:
    """The agent an ``invoke_agent {gen_ai.agent.name}`` span is named after: the span's own or its
    nearest such ancestor's (the conventions name the span so; some producers set no attribute); or
    the agent class an OpenInference agent run is named after (smolagents' ``CodeAgent.run``)."""
    s: Span | None = span
    for _ in range(MAX_ANCESTORS):
        if s is None:
            return None
        if s.name.startswith("invoke_agent ") and s.attrs.get("gen_ai.operation.name", "invoke_agent") == "invoke_agent":
            return s.name[13:].strip() or None
        if s.name.endswith(".run") and s.attrs.get("openinference.span.kind") == "AGENT" and "input.value" in s.attrs:
            return s.name[:-4] or None
        s = by_id.get(s.parent_id) if s.parent_id else None
    return None


class TraceMemory:
    """The spans of a file seen so far (``seen``, the latest ``max_spans``), and the spans held back by
    trace. A held trace is looked at again only when a request brings spans of it; it is let go, mapped
    with what there is, when ``max_idle`` requests pass without one (its parent was a remote span,
    never in this file) or when more than ``max_waiting`` spans are held (the oldest trace first)."""

    def __init__(self, max_spans: int = 200_000, max_waiting: int = 5_000, max_idle: int = 64):
        self.seen: dict[str, tuple[str, Any, Any, Any]] = {}  # span id -> (parent id, agent, session, named agent)
        self.waiting: dict[str, list[tuple[Span, dict[str, Any], Any]]] = {}
        self.last: OrderedDict[str, int] = OrderedDict()  # held trace -> the request that last brought a span of it
        self.touched: set[str] = set()
        self.n = self.held = 0
        self.max_spans, self.max_waiting, self.max_idle = max_spans, max_waiting, max_idle

    def remember(self, spans: Iterable[Span]) -> None:
        """Note what descendants may inherit from each span: a tuple of text, which the garbage
        collector stops tracking (a file's worth of span objects made every collection slower)."""
        self.n += 1
        seen, waiting = self.seen, self.waiting
        for s in spans:
            a = as_genai(s)
            named = None
            if s.name.startswith("invoke_agent ") and a.get("gen_ai.operation.name", "invoke_agent") == "invoke_agent":
                named = s.name[13:].strip() or None
            seen[s.span_id] = ("" if s.entry else s.parent_id,  # a remote parent: as good as the root
                               a.get("gen_ai.agent.id") or a.get("gen_ai.agent.name") or None,
                               first_set(a, SESSION_KEYS), named)
            if waiting and s.trace_id in waiting:
                self.touched.add(s.trace_id)
        while len(seen) > self.max_spans:  # the oldest go: a trace's spans lie near each other
            del seen[next(iter(seen))]

    def ancestry(self, span_id: str) -> Ancestry:
        """From the span ``span_id`` up: the nearest agent, session and ``invoke_agent <name>``, and whether
        the line breaks off (a span not seen) before an agent, a named agent or the root. Past the agent
        the line is followed for a session only (an agent's run under a trace that names the conversation)."""
        agent = session = named = None
        for _ in range(MAX_ANCESTORS):
            t = self.seen.get(span_id)
            if t is None:
                return agent, session, named, agent is None and named is None
            parent, ag, se, na = t
            session = session or se
            if agent is None:
                agent, named = ag, named or na
            if not parent or (agent is not None and session is not None):
                return agent, session, named, False
            span_id = parent
        return agent, session, named, False

    def hold(self, span: Span, resource: dict[str, Any], result: Any) -> None:
        """Hold ``span`` back; ``result``, what it maps to now, comes out if nothing better comes. The
        span's wire form is kept as bytes: thousands of held JSON objects slowed every collection."""
        span.wire_events()  # (read before the message goes)
        span.raw = span.raw_bytes()
        self.waiting.setdefault(span.trace_id, []).append((span, resource, result))
        self.held += 1
        self.last[span.trace_id] = self.n
        self.last.move_to_end(span.trace_id)

    def ready(self, final: bool = False) -> list[tuple[Span, dict[str, Any], Any]]:
        """The held spans to let out: those of the traces this request brought spans of that are no
        longer cut off (with result None: map them again), then every span of the traces let go (with
        the result it had: nothing came that would change it; all of them, when ``final``)."""
        out: list[tuple[Span, dict[str, Any], Any]] = []
        if not self.waiting:
            return out
        for trace in self.touched:
            keep = []
            for item in self.waiting[trace]:
                if self.ancestry(item[0].parent_id)[3]:
                    keep.append(item)
                else:
                    out.append((item[0], item[1], None))
            if keep:
                self.waiting[trace] = keep
                self.last[trace] = self.n
                self.last.move_to_end(trace)
            else:
                del self.waiting[trace], self.last[trace]
        self.touched.clear()
        self.held -= len(out)
        while self.last and (final or self.held > self.max_waiting or next(iter(self.last.values())) < self.n - self.max_idle):
            trace, _ = self.last.popitem(last=False)
            items = self.waiting.pop(trace)
            self.held -= len(items)
            out += items
        return out

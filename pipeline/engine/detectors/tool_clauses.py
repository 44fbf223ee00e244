"""Per-tool intent: the clause a manifest gives the tools one pattern matches (``allowed.per_tool``).

Each check reads the agent's compiled clauses (``pipeline/engine/clauses.py``) and the
call's arguments (``pipeline/engine/toolcall.py``). A tool no clause names is left to the
manifest-wide rules; an action that carries no arguments (content capture off) is not judged
on its arguments, except that a ``required`` argument is then missing.
"""

from intentwatch.models.action import Action
from intentwatch.pipeline.engine.clauses import CompiledClause
from intentwatch.pipeline.engine.detectors.base import Detector
from intentwatch.pipeline.engine.detectors.injection_text import canonical
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.scope import Scope
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.toolcall import arguments
from intentwatch.pipeline.engine.values import at_path


def _clause(action: Action, state: AgentState) -> CompiledClause | None:
    scope = state.scope
    assert scope is not None and scope.per_tool is not None  # applies(): only agents whose manifest has clauses
    return scope.per_tool.for_tool(action.tool)


class _PerTool(Detector):
    def applies(self, scope: Scope) -> bool:
        return scope.per_tool is not None


class ToolOperation(_PerTool):
    """Fires when the call's operation is outside its tool clause's ``operations``."""

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        c = _clause(action, state)
        if c is None or c.operations is None or action.operation in c.operations:
            return None
        where = c.where("operations")
        return self.finding(action, ts, f"{action.tool} did {action.operation!r}, outside {where} {c.operations.patterns}",
                            clause=where, expected=c.operations.patterns, observed=action.operation)


class ToolResource(_PerTool):
    """Fires when the call's resource is outside its tool clause's ``resources`` (no resource: not checked)."""

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        c = _clause(action, state)
        res = action.resource
        if c is None or c.resources is None or res is None or res in c.resources:
            return None
        where = c.where("resources")
        return self.finding(action, ts, f"{action.tool} reached {res!r}, outside {where} {c.resources.patterns}",
                            clause=where, expected=c.resources.patterns, observed=res)


class ArgumentAllowed(_PerTool):
    """Fires when an argument's value matches none of its clause's ``allowed`` values or patterns
    (every element of a list), as written or as one target (an IBAN declared in groups and called
    without them, a phone number with or without its punctuation: ``injection_text.canonical``),
    or a ``required`` argument is missing. Names the clause and argument."""

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        c = _clause(action, state)
        if c is None or not c.arguments:
            return None
        args = arguments(action)
        for arg in c.arguments:
            values = at_path(args, arg.path) if args is not None else None
            where = c.where(f"arguments.{arg.name}")
            if values is None:
                if arg.required:
                    return self.finding(action, ts, f"{action.tool} called without required argument {arg.name!r} ({where})",
                                        clause=where, expected="present", observed=None)
                continue
            bad = arg.disallowed(values, canonical)
            if bad is not None:
                return self.finding(action, ts, f"{action.tool} argument {arg.name}={bad!r} is outside {where} {arg.text}",
                                    clause=where, expected=arg.text, observed=bad)
        return None


class ArgumentBounds(_PerTool):
    """Fires when a numeric argument is outside its clause's ``min``/``max`` (or is not a number)."""

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        c = _clause(action, state)
        if c is None or not c.arguments:
            return None
        args = arguments(action)
        if args is None:
            return None
        for arg in c.arguments:
            values = at_path(args, arg.path)
            if values is None:
                continue
            out, bad = arg.out_of_bounds(values)
            if out:
                where = c.where(f"arguments.{arg.name}")
                return self.finding(action, ts, f"{action.tool} argument {arg.name}={bad!r} is outside {where} {arg.bounds_text()}",
                                    clause=where, expected=arg.bounds_text(), observed=bad)
        return None

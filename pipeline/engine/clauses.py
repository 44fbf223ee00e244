"""A manifest's per-tool clauses compiled once: which clause a tool falls under, and its
argument checks with their patterns prepared.

Built with the agent's scope at each lifecycle change; asked once per action.
"""

from collections.abc import Callable

from intentwatch.models.intent import ArgumentRule, ToolClause
from intentwatch.pipeline.engine.scope import PatternSet

_CACHE_LIMIT = 512  # tools remembered per manifest


class ArgumentCheck:
    """One argument's rule: ``allowed`` patterns lower-cased (matching is case-insensitive)."""

    __slots__ = ("name", "path", "allowed", "min", "max", "required", "text", "_canonical")

    def __init__(self, name: str, rule: ArgumentRule):
        self.name, self.path = name, tuple(name.split("."))
        self.allowed = PatternSet([p.lower() for p in rule.allowed]) if rule.allowed is not None else None
        self.min, self.max, self.required = rule.min, rule.max, rule.required
        self.text = rule.allowed if rule.allowed is not None else None
        self._canonical: PatternSet | None = None

    def disallowed(self, values: list, canonical: Callable[[str], str] | None = None) -> object | None:
        """The first value outside ``allowed``, or None. With ``canonical`` (one value as one target:
        an IBAN in groups or not, a phone number with its punctuation or not), a value outside them as
        written is looked for again in that form, against the exact values in that form."""
        if self.allowed is None:
            return None
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                return v
            s = str(v)
            if s.lower() not in self.allowed and (canonical is None or canonical(s) not in self._canonical_set(canonical)):
                return v
        return None

    def _canonical_set(self, canonical: Callable[[str], str]) -> PatternSet:
        if self._canonical is None:
            assert self.allowed is not None
            wild = [p for p in self.allowed.patterns if p not in self.allowed.exact]
            self._canonical = PatternSet([canonical(p) for p in self.allowed.exact] + wild)
        return self._canonical

    def out_of_bounds(self, values: list) -> tuple[bool, object]:
        """(True, the first value that is not a number within [min, max]) or (False, None); a numeric
        string counts as its number, a null as no number."""
        if self.min is None and self.max is None:
            return False, None
        if not values:
            return True, None
        for v in values:
            x: float | None = None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                x = float(v)
            elif isinstance(v, str):
                try:
                    x = float(v.replace(",", "").strip())
                except ValueError:
                    x = None
            if x is None or x != x or (self.min is not None and x < self.min) or (self.max is not None and x > self.max):
                return True, v
        return False, None

    def bounds_text(self) -> str:
        lo = f"{self.min:g}" if self.min is not None else "-inf"
        hi = f"{self.max:g}" if self.max is not None else "inf"
        return f"[{lo}, {hi}]"


class CompiledClause:
    __slots__ = ("pattern", "operations", "resources", "arguments")

    def __init__(self, pattern: str, c: ToolClause):
        self.pattern = pattern
        self.operations = PatternSet(list(c.operations)) if c.operations is not None else None
        self.resources = PatternSet(c.resources) if c.resources is not None else None
        self.arguments = [ArgumentCheck(n, r) for n, r in c.arguments.items()]

    def where(self, part: str) -> str:
        """The clause's name in findings, e.g. ``allowed.per_tool[banking.send_money].arguments.iban``."""
        return f"allowed.per_tool[{self.pattern}].{part}"


class ToolClauses:
    """Tool name -> the first clause whose pattern matches it, in manifest order.

    >>> from intentwatch.models.intent import ToolClause
    >>> tc = ToolClauses({"mail.*": ToolClause(operations=["send"]), "*": ToolClause(operations=["read"])})
    >>> tc.for_tool("mail.send").pattern, tc.for_tool("crm.get").pattern
    ('mail.*', '*')
    """

    __slots__ = ("clauses", "_cache")

    def __init__(self, per_tool: dict[str, ToolClause]):
        self.clauses = [(PatternSet([p]), CompiledClause(p, c)) for p, c in per_tool.items()]
        self._cache: dict[str, CompiledClause | None] = {}

    def for_tool(self, tool: str) -> CompiledClause | None:
        try:
            return self._cache[tool]
        except KeyError:
            pass
        found = next((c for pats, c in self.clauses if tool in pats), None)
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[tool] = found
        return found

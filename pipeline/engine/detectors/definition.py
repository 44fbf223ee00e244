"""An instance judged from its first action against what its definition's clean instances did.

The models and the hygiene of learning them are in ``pipeline/engine/definitions.py``; each
detector here judges one thing and keeps its part of the instance's record (``detect["def"]``
in the agent state), which the definition learns when the instance ends clean. A definition
is judged once ``min_instances`` clean instances ended; a tool or a target is known once
``support`` distinct clean instances used it.

- ``definition.new_tool``: a tool no clean instance of the definition used (low for reads and lists).
- ``definition.new_target``: a per-tool argument target of a call that is not a read or a list —
  a mail domain, a URL's host, a payee's bank, a host, a /24 — no clean instance sent to (not
  raised for a target the task's request or the manifest names). Opaque ids (a file id) are
  per task and left to ``intent.injected_target``. Where, of the definition's latest instances
  since it is judged (``rate_instances`` at least, flagged or not), more than ``page_rate``
  reached on their own a target no earlier instance had (the share's one-sided 95 % lower
  bound above it), a new target is everyday there: raised at ``open_severity`` (not paging),
  with the rate. A campaign counts once per target, however many instances it takes over.
  With ``sessions``, an agent with no definition has each session judged the same way, as an
  instance of its own sessions, by its own model (``AgentState.sessions``; see definitions.py).
- ``definition.volume``: the instance's action count passes ``factor`` times the ``quantile``
  of its definition's clean instances' counts (once per instance).
- ``definition.widened``: raised by the engine when an instance manifest widens its definition
  (refused, dead-lettered).
"""

from typing import Any, get_args

from intentwatch.models.action import Action
from intentwatch.models.alert import Severity
from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.models.definition_record import MAX_TARGETS, MAX_TOOLS
from intentwatch.pipeline.engine.definition_model import target_key, value_hash
from intentwatch.pipeline.engine.definitions import SESSIONS
from intentwatch.pipeline.engine.detectors.base import READS, Detector, Raised, number, whole
from intentwatch.pipeline.engine.detectors.injection_text import argument_targets, targets_in_text
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.scope import Scope
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.toolcall import CALL_KEYS, REQUEST_KEYS, arguments

SEVERITIES: tuple[str, ...] = get_args(Severity)


class _OfDefinition(Detector):
    """A detector on the instances of a definition; ``defs`` is the engine's registry."""

    uses_definitions = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.defs: Any = None  # pipeline/engine/definitions.Definitions, bound by the engine
        self.min_instances = whole(rule, "min_instances")

    def applies(self, scope: Scope) -> bool:
        return scope.definition is not None

    def _judged(self, name: str) -> Any:
        """The definition's model when it has seen enough clean instances, else None."""
        return self._ready(self.defs.model(name) if self.defs is not None else None)

    def _ready(self, model: Any) -> Any:
        return model if model is not None and model.instances >= self.min_instances else None


class DefinitionNewTool(_OfDefinition):
    """A tool no clean instance of the definition used."""

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.support = whole(rule, "support")

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if self.defs is None or state.manifest is None or state.manifest.definition is None:
            return None
        name = state.manifest.definition
        rec = self.defs.record(state.detect, name)
        tools: list[str] = rec["tools"]
        if action.tool not in tools and len(tools) < MAX_TOOLS:
            tools.append(action.tool)
        model = self._judged(name)
        if model is None or model.tools.get(action.tool, 0) >= self.support:
            return None
        return self.finding(action, ts, f"{action.tool}: no earlier clean instance of definition {name!r} used this tool "
                                        f"({model.instances} clean instances learned)",
                            clause="definition.tools", expected=f"a tool used by {self.support}+ clean instances",
                            observed=action.tool, severity="low" if action.operation in READS else None,  # type: ignore[arg-type]
                            baseline={"definition": name, "clean_instances": model.instances})


class DefinitionNewTarget(_OfDefinition):
    """A per-tool argument target no clean instance of the definition used; not paging where the
    definition's instances meet new targets too often for one to mean much."""

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.support = whole(rule, "support")
        self.max_values = whole(rule, "values", 16)
        self.page_rate = number(rule, "page_rate", 0.0, 1.0)
        self.rate_instances = whole(rule, "rate_instances")
        sev = rule.params.get("open_severity")
        if sev not in SEVERITIES:
            raise ConfigError(f"rule {rule.id}: params.open_severity must be one of {', '.join(SEVERITIES)} (got {sev!r})")
        self.open_severity: str = sev
        sessions = rule.params.get("sessions", False)
        if not isinstance(sessions, bool):
            raise ConfigError(f"rule {rule.id}: params.sessions must be true or false (got {sessions!r})")
        self.sessions = sessions
        self.session_idle = number(rule, "session_idle_seconds", 0.0) if self.sessions else 0.0

    def applies(self, scope: Scope) -> bool:
        return self.sessions or scope.definition is not None

    def judges_unregistered(self) -> bool:
        return self.sessions  # an agent with no manifest has sessions too, judged by its own model

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        m = state.manifest  # None: an agent with no manifest, judged by its sessions (judges_unregistered)
        if self.defs is None:
            return None
        attrs = action.attributes
        if not attrs:
            return None
        name = m.definition if m is not None else None
        if name is not None:
            rec = self.defs.record(state.detect, name)
            model = self._judged(name)
        else:  # no definition: the agent's sessions are its instances, judged by its own model
            if not self.sessions or CALL_KEYS.isdisjoint(attrs):
                return None
            sid = action.session_id or action.task_id
            if not sid:
                return None
            rec = self.defs.session(state, sid, ts)
            rec["n"] += 1
            name, model = state.agent_id + SESSIONS, self._ready(state.sessions)
        for k in REQUEST_KEYS:  # the task named it: the user's choice, not the agent's
            req = attrs.get(k)
            if isinstance(req, str) and req:
                asked = rec.setdefault("asked", [])
                for t in sorted(targets_in_text(req)):
                    key = target_key(t)
                    if key is not None and key not in asked and len(asked) < MAX_TARGETS:
                        asked.append(key)
        if action.operation in READS:  # what a read fetches is not where the instance sends (and 5 in 6 calls are reads)
            return None
        args = arguments(action)
        if not args:
            return None
        values: list[str] = rec["values"]
        free: list[str] = rec.setdefault("free", [])
        asked = rec.get("asked", ())
        intent_text = f"{m.task or ''}\n{m.purpose}".lower() if m is not None else ""
        new: tuple[str, str, str] | None = None
        for arg, t in argument_targets(args):
            key = target_key(t)
            if key is None:
                continue
            h = value_hash(action.tool, arg, key)
            if h not in values and len(values) < MAX_TARGETS:
                values.append(h)
            if key in asked or key.split(":", 1)[1] in intent_text:
                continue
            if h not in free and len(free) < MAX_TARGETS:
                free.append(h)
            if new is None and model is not None and model.values.get(h, 0) < self.support:
                new = (arg, t, key)
        if new is None or model is None:
            return None
        arg, t, key = new
        rate, low, seen = model.novel_rate()
        open_world = seen >= self.rate_instances and low > self.page_rate
        baseline = {"definition": name, "target_key": key, "clean_instances": model.instances,
                    "new_target_rate": round(rate, 4), "new_target_rate_low": round(low, 4), "instances_counted": seen}
        why = (f"; {rate:.0%} of its latest {seen} instances reached a new target on their own (at least {low:.1%}, "
               f"above {self.page_rate:g}): not paging" if open_world else "")
        of_definition = m is not None and m.definition is not None
        whose = f"instance of definition {name!r}" if of_definition else f"session of agent {state.agent_id!r}"
        return self.finding(action, ts, f"{action.tool} {arg}={t!r}: no earlier clean {whose} "
                                        f"used {key} there ({model.instances} clean {'instances' if of_definition else 'sessions'} learned){why}",
                            clause=f"arguments.{arg}", expected=f"a target used by {self.support}+ clean instances",
                            observed=t, baseline=baseline,
                            severity=self.open_severity if open_world else None)  # type: ignore[arg-type]


class DefinitionVolume(_OfDefinition):
    """An instance acting far more than its definition's clean instances do (once per instance)."""

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.quantile = number(rule, "quantile", 0.0, 1.0)
        self.factor = number(rule, "factor", 0.0)
        self.keep = whole(rule, "keep", 8)

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        if self.defs is None or state.manifest is None or state.manifest.definition is None:
            return None
        name = state.manifest.definition
        rec = self.defs.record(state.detect, name)
        rec["n"] += 1
        model = self._judged(name)
        if model is None:
            return None
        limit = model.count_limit(self.quantile, self.factor)
        n = rec["n"]
        if n <= limit or rec.get("over"):
            return None
        rec["over"] = True
        return self.finding(action, ts, f"instance of definition {name!r} at {n} actions, above {limit:.0f} "
                                        f"({self.factor:g}x the {self.quantile:g} quantile of its clean instances)",
                            clause="definition.volume", expected=f"at most {limit:.0f} actions", observed=n, score=n / limit,
                            baseline={"definition": name, "clean_instances": model.instances})


class DefinitionWidened(Raised):
    """Raised when an instance manifest widens the intent of the definition it names (refused)."""

    def widened(self, agent_id: str, ts: float, event_id: str, definition: str, problems: list[str]) -> Finding:
        return self.raise_(agent_id, ts, event_id, f"manifest widens definition {definition!r}, refused: {'; '.join(problems[:5])}",
                           clause="definition", expected=f"within definition {definition!r}", observed=problems[:10])

"""Intent conformance: is this action inside what the manifest declared?

Each check is deterministic and reads only the action and the agent's compiled scope.
A part of the manifest that is absent is not constrained, so its check stays quiet.
"""


from intentwatch.models.action import CONTEXT_USE, MODEL_USE, Action
from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import Detector
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.scope import PatternSet, Scope, local_weekday_minute
from intentwatch.pipeline.engine.state import AgentState

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class AllowedPattern(Detector):
    """Fires when ``action.<field>`` matches none of the manifest's ``allowed.<part>`` patterns.

    params: ``field`` (tool, operation, data_domain, resource) and ``clause`` (allowed.tools, ...).
    An action without the field (no resource, say) is not checked; nor, unless ``judge_model_use``,
    the agent's own model use (``MODEL_USE``: the manifest's ``model`` judges it) and what its framework reads
    into the model's context and keeps in its memory (``CONTEXT_USE``: a retriever's documents).
    """

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.field = rule.params["field"]
        self.clause = rule.params["clause"]
        self.part = self.clause.split(".")[-1]
        judged = rule.params.get("judge_model_use", True)
        if not isinstance(judged, bool):
            raise ConfigError(f"rule {rule.id}: params.judge_model_use must be true or false (got {judged!r})")
        self.not_judged: frozenset[str] = frozenset() if judged else MODEL_USE | CONTEXT_USE

    def applies(self, scope: Scope) -> bool:
        return getattr(scope, self.part) is not None

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        value: str | None = getattr(action, self.field)
        if value is None or action.tool in self.not_judged:
            return None
        allowed: PatternSet = getattr(_scope(state), self.part)  # typed, so compiled its lookups are direct
        if value in allowed.exact or allowed.matches_wildcard(value):
            return None
        return self.finding(action, ts, f"{self.field} {value!r} is outside {self.clause} {allowed.patterns}",
                            clause=self.clause, expected=allowed.patterns, observed=value)


class Schedule(Detector):
    """Fires when the action's local time (in the manifest's zone) is outside the declared days and hours."""

    def applies(self, scope: Scope) -> bool:
        return scope.schedule is not None

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        sched = _scope(state).schedule
        assert sched is not None  # applies(): only run for a manifest with a schedule
        if sched.allows(ts):
            return None
        day, minute = local_weekday_minute(ts, sched.tz)
        local = f"{_DAY_NAMES[day]} {minute // 60:02d}:{minute % 60:02d} {sched.tz}"
        return self.finding(action, ts, f"acted at {local}, outside schedule {sched.text}",
                            clause="schedule", expected=sched.text, observed=local)


class RateLimit(Detector):
    """Token bucket of ``max_actions`` refilled over ``per_seconds``; fires on an action with no token left."""

    def applies(self, scope: Scope) -> bool:
        return scope.rate_capacity is not None

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        scope = _scope(state)
        cap, per_second = scope.rate_capacity, scope.rate_per_second
        assert cap is not None and per_second is not None  # applies(): only run for a manifest with a rate limit
        elapsed = ts - state.tokens_ts
        if elapsed > 0:
            state.tokens = min(cap, state.tokens + elapsed * per_second)
            state.tokens_ts = ts
        if state.tokens >= 1.0:
            state.tokens -= 1.0
            return None
        assert state.manifest is not None and state.manifest.rate_limit is not None
        m = state.manifest.rate_limit
        limit = f"{m.max_actions} per {m.per_seconds:g}s"
        return self.finding(action, ts, f"over the declared rate limit of {limit}", clause="rate_limit",
                            expected=limit, observed="no token left in the bucket")


class DeclaredModel(Detector):
    """Fires when the action's model id (or, if declared, version) differs from the manifest's."""

    def applies(self, scope: Scope) -> bool:
        return scope.model_id is not None

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        scope = _scope(state)
        model = action.model
        if model is None:
            return None
        if model.id == scope.model_id and (scope.model_version is None or model.version == scope.model_version):
            return None
        assert state.manifest is not None
        declared = str(state.manifest.model)
        return self.finding(action, ts, f"model {model} differs from declared {declared}", clause="model",
                            expected=declared, observed=str(model), score=1.0)


class DeclaredCredential(Detector):
    """Fires when the action uses a credential id the manifest does not list (if it lists any)."""

    def applies(self, scope: Scope) -> bool:
        return scope.credentials is not None

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        creds = _scope(state).credentials
        assert creds is not None  # applies(): only run for a manifest that lists credentials
        cred = action.credential_id
        if cred is None or cred in creds:
            return None
        return self.finding(action, ts, f"credential {cred!r} was not issued to this agent", clause="credentials",
                            expected=sorted(creds), observed=cred)


def _scope(state: AgentState) -> Scope:
    """The agent's compiled scope: an agent has checks to run only once a manifest applied, with its scope."""
    assert state.scope is not None
    return state.scope

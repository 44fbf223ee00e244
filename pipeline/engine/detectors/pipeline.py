"""The pipeline's own rules: the revocation circuit breaker, and findings an analyst's
suppression hid (kept, counted, published as info)."""

from intentwatch.pipeline.engine.detectors.base import Raised
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.suppressions import Suppression


class CircuitBreaker(Raised):
    """Raised by the response policy when more than ``max_commands`` revocation commands fall
    in ``per_seconds`` of event time: the command is withheld and this alert says so."""

    def tripped(self, agent_id: str, ts: float, command_id: str, withheld: str, target: str, max_commands: int,
                per_seconds: float) -> Finding:
        return self.raise_(agent_id, ts, command_id,
                           f"more than {max_commands} revocation commands in {per_seconds:g}s; "
                           f"withheld {withheld} for {target}", clause="response.circuit_breaker",
                           expected=f"<= {max_commands} per {per_seconds:g}s", observed=target)


class Suppressed(Raised):
    """Raised in place of a finding that an analyst's suppression covers: counted on the
    suppression and kept as an info alert, so what each suppression hid stays visible."""

    def hidden(self, f: Finding, sup: Suppression) -> Finding:
        sup.hidden += 1
        sup.last_hidden_ts = f.ts
        matched = sup.observed if sup.low is None and sup.high is None else sup.matches()
        return self.raise_(f.agent_id, f.ts, f.event_id,
                           f"{f.rule.id} hidden by suppression {sup.feedback_id} ({sup.analyst}: {sup.reason}): "
                           f"{f.message}", clause=f"suppression:{sup.feedback_id}", expected=matched,
                           observed=f.rule.id, score=f.score, action=f.action, baseline=f.baseline)

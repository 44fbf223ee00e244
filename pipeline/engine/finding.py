"""What every detector returns: one rule firing on one event."""

from dataclasses import dataclass, field
from typing import Any

from intentwatch.models.action import Action
from intentwatch.models.alert import Severity
from intentwatch.models.command import CommandAction
from intentwatch.pipeline.engine.catalog import Rule


@dataclass(slots=True)
class Finding:
    """One rule firing on one event. The response policy turns it into alerts and commands."""

    rule: Rule
    agent_id: str
    ts: float                       # event time, epoch seconds
    event_id: str                   # the event that caused it (opens the alert window)
    message: str
    clause: str | None = None
    expected: Any = None
    observed: Any = None
    score: float = 1.0
    action: Action | None = None
    baseline: dict[str, Any] = field(default_factory=dict)
    command: CommandAction | None = None  # a command due whatever the severity policy says
    severity: Severity | None = None      # this finding's own severity, when not the rule's (a read outside intent)

    @property
    def level(self) -> Severity:
        """The severity this finding is published at."""
        return self.severity if self.severity is not None else self.rule.severity

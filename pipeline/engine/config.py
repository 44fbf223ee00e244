"""Engine configuration: response policy and per-rule overrides.

Plain pydantic models, validated once and passed down; the engine gets only this part of
the settings (see ``pipeline/settings.py`` for the whole file and environment).
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from intentwatch.models.action import Operation
from intentwatch.models.alert import Severity
from intentwatch.models.command import CommandAction


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CircuitBreaker(_Config):
    """At most ``max_commands`` revocation commands per ``per_seconds`` of event time."""

    max_commands: int = Field(default=25, gt=0)
    per_seconds: float = Field(default=300.0, gt=0)


class ResponseConfig(_Config):
    """Severity -> response. ``enforce`` agents get the command; ``monitor`` agents only alerts."""

    severity_actions: dict[Severity, CommandAction | None] = Field(
        default_factory=lambda: {"critical": "revoke_credentials", "high": None, "medium": None, "low": None, "info": None}
    )
    # Shown to analysts on every alert, whatever the enforcement mode.
    recommended: dict[Severity, str] = Field(
        default_factory=lambda: {
            "critical": "revoke credentials and investigate now",
            "high": "review with the owner today; suspend if unexplained",
            "medium": "review with the owner",
            "low": "note; tune the manifest if expected",
            "info": "none",
        }
    )
    cooldown_seconds: float = Field(default=3600.0, ge=0, description="Same agent + rule within this window -> one alert with a count.")
    evidence_event_ids: int = Field(default=10, ge=1, le=1000, description="An alert lists the event ids of its first N and last N hits (and how many between it left out).")
    circuit_breaker: CircuitBreaker = Field(default_factory=CircuitBreaker)
    expiry_action: CommandAction | None = Field(
        default="decommission", description="Command sent when a manifest expires (any enforcement mode: the manifest declared the end)."
    )


class OperationSeverity(_Config):
    """Severity of an out-of-intent finding by what the action does to its resource.

    A read or list outside intent is worth seeing but not a page; a write, send, delete,
    grant, configure or execute outside intent keeps the rule's own severity. Applies to the
    findings of ``rules`` that carry their action; an operation missing from ``by_operation``
    keeps the rule's severity."""

    rules: list[str] = Field(default_factory=lambda: [
        "intent.tool_not_allowed", "intent.operation_not_allowed", "intent.data_domain_not_allowed",
        "intent.resource_not_allowed", "intent.argument_not_allowed", "intent.argument_out_of_bounds"])
    by_operation: dict[Operation, Severity] = Field(default_factory=lambda: {"read": "low", "list": "low"})


class RuleOverride(_Config):
    """A deployment's changes to one catalogue rule; ``params`` are merged over the rule's own."""

    enabled: bool = True
    severity: Severity | None = None
    cooldown_seconds: float | None = Field(default=None, ge=0)
    group_by: Literal["agent", "session"] | None = Field(default=None, description="One alert per agent, or per session "
                                                         "of the agent, within the cooldown (the rule's own by default).")
    params: dict[str, Any] = Field(default_factory=dict, description="Thresholds of the rule's detector, by name "
                                   "(see the rule's params in pipeline/engine/rules.yaml).")






class LearnedConfig(_Config):
    """The learned side of the engine: per-agent baselines (warm-up, memory, hold-back). Each
    learned rule's thresholds are its params in the catalogue (``engine.rules.<id>.params``)."""

    enabled: bool = True
    warm_events: int = Field(default=200, ge=0, description="Actions before learned findings are raised (per learning period).")
    warm_seconds: float = Field(default=86400.0, ge=0, description="... and this much event time (alone, for new destinations "
                                 "and a credential's new networks).")
    half_life: float = Field(default=500.0, gt=0, description="Actions after which an observation weighs half.")
    recent_half_life: float = Field(default=25.0, gt=0, description="The recent mix drift compares with the baseline.")
    max_items: int = Field(default=64, ge=8, description="Tools, prefixes... kept per agent (bounds memory).")
    held_max: int = Field(default=32, ge=0, description="Actions held back from learning (high findings) until feedback, per agent.")


class EngineConfig(_Config):
    response: ResponseConfig = Field(default_factory=ResponseConfig)
    learned: LearnedConfig = Field(default_factory=LearnedConfig)
    unregistered: Literal["shadow", "learn", "both"] = Field(
        default="shadow",
        description="An agent with no manifest: 'shadow' raises lifecycle.shadow_agent and nothing else; 'learn' "
                    "judges it by its own baseline (the learned side, after warm-up) with no shadow alert; 'both' does "
                    "both. For logs of agents that have no manifests yet (CloudTrail, OpenTelemetry).")

    @model_validator(mode="after")
    def _learning_needs_the_learned_side(self) -> "EngineConfig":
        if self.unregistered != "shadow" and not self.learned.enabled:
            raise ValueError(f"unregistered: {self.unregistered} judges agents with no manifest by the learned side, "
                             "which engine.learned.enabled: false turns off")
        return self
    rules: dict[str, RuleOverride] = Field(default_factory=dict, description="Overrides keyed by rule id.")
    operation_severity: OperationSeverity = Field(default_factory=OperationSeverity)
    lifecycle_grace_seconds: float = Field(
        default=300.0, ge=0,
        description="A lifecycle change applies at the agent's next action at or after it, or once event time is this far past it.")
    max_event_bytes: int = Field(default=1_048_576, gt=0, description="Larger messages or lines go to the dead letters "
                                 "(checked before parsing; a longer line is never read whole).")
    dead_letter_raw_bytes: int = Field(default=65_536, ge=0, description="Bytes of a bad input kept in its dead-letter record "
                                       "(with the size and sha256 of all of it), so the record is never too large to produce.")
    max_future_seconds: float = Field(
        default=300.0, ge=0, description="An event stamped further than this ahead of the host's clock (the wall clock) is "
                                         "dead-lettered: one writer must not move the fleet's event time.")
    dedup_window_seconds: float = Field(
        default=3600.0, gt=0, description="Actions are de-duplicated by event_id over this much of their agent's event time; "
                                          "an action older than what the agent still remembers is dead-lettered as late.")
    dedup_max_events: int = Field(default=256, gt=0, description="... and at most this many event ids per agent.")
    max_pending_per_agent: int = Field(default=32, gt=0, description="Lifecycle changes and verdicts waiting for their time, "
                                       "per agent; more are dead-lettered.")
    max_agents_in_memory: int | None = Field(
        default=None, ge=16, description="Agents held as live state; past it the idle longest are evicted to a store of state "
                                         "records and revived when they return (same alerts). None: no ceiling.")
    compact_idle_seconds: float | None = Field(
        default=86400.0, gt=0, description="An agent with no action for this much event time is compacted to its state record "
                                           "(restored, same alerts, when it returns); an agent registered by a manifest is "
                                           "held compactly until its first action. None: both off.")
    compact_ended_seconds: float | None = Field(
        default=600.0, ge=0, description="... and a decommissioned or expired agent this long after its end or last action. "
                                         "None: kept live.")
    max_credentials_per_agent: int = Field(default=256, gt=0, description="Credentials one agent's state remembers (last use, "
                                           "revocation); the least recently used is forgotten first.")

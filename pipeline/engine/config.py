"""Engine configuration: response policy and per-rule overrides.

Plain pydantic models, validated once and passed down; the engine gets only this part of
the settings (see ``pipeline/settings.py`` for the whole file and environment).
"""

from typing import Literal

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
    enabled: bool = True
    severity: Severity | None = None
    cooldown_seconds: float | None = Field(default=None, ge=0)


class ChainStep(_Config):
    """One step of a risky capability chain; every condition given must hold (patterns as in manifests)."""

    tools: list[str] = Field(default_factory=list)
    operations: list[str] = Field(default_factory=list)
    data_domains: list[str] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list)
    new_destination: bool = Field(default=False, description="The resource's destination (host, bucket, mail domain) is one this agent never used; "
                                    "judged once the agent has been watched for warm_seconds.")
    min_bytes: int | None = Field(default=None, ge=0, description="The action moved at least this many bytes.")


class Chain(_Config):
    """Steps done in order by one agent within ``within_seconds`` raise rule ``rule`` (a catalogue id)."""

    rule: str = Field(pattern=r"^chain\.[a-z_]+$")
    steps: list[ChainStep] = Field(min_length=1, max_length=8)
    within_seconds: float = Field(default=600.0, gt=0)


SENSITIVE = ["customer_pii", "customer_data", "secrets", "finance.vendor_banking", "*pii*", "*secret*", "*credential*"]


def _default_chains() -> list[Chain]:
    return [
        Chain(rule="chain.sensitive_read_then_external_send", within_seconds=600, steps=[
            ChainStep(operations=["read", "list"], data_domains=SENSITIVE),
            ChainStep(operations=["send", "write"], new_destination=True, min_bytes=1 << 20)]),
        Chain(rule="chain.permission_change_then_sensitive_read", within_seconds=3600, steps=[
            ChainStep(operations=["grant"]),
            ChainStep(operations=["read", "list"], data_domains=SENSITIVE)]),
        Chain(rule="chain.audit_settings_changed", steps=[
            ChainStep(operations=["configure", "delete"],
                      tools=["*cloudtrail*", "*CloudTrail*", "*audit*", "*Audit*", "logs:Delete*", "logs:Put*Retention*",
                             "*logging*", "*Logging*"])]),
    ]


class Thresholds(_Config):
    """When a learned score becomes a finding (see models/baseline/agent.py for the units).

    Defaults are tuned on the simulated fleet (`intentwatch simulate --agents 500 --days 14
    --seed 2`) for at most one false alert per 10,000 agent-hours; see the README."""

    novel_tool_bits: float = Field(default=8.0, gt=0, description="Surprise that this agent uses a new tool at all (tools the manifest names exactly are expected).")
    novel_domain_bits: float = Field(default=7.0, gt=0, description="The same for data domains.")
    novel_resource_bits: float = Field(default=10.5, gt=0, description="The same for a resource prefix (bucket, schema, recipient domain).")
    volume_sd: float = Field(default=4.5, gt=0, description="Bytes above the tool's usual, in deviations of log-bytes ...")
    volume_repeat: int = Field(default=2, ge=1, description="... this many times ...")
    volume_window_seconds: float = Field(default=3600.0, gt=0, description="... within this much event time.")
    volume_single_sd: float = Field(default=8.0, gt=0, description="One action this far above the usual is enough.")
    volume_sustained_sd: float = Field(default=3.5, gt=0, description="A 'large' transfer for the sustained-volume check.")
    volume_sustained_bits: float = Field(
        default=7.0, gt=0, description="Evidence (bits, a CUSUM) that large transfers came at ~20% of the agent's "
                                       "transfers rather than ~2%: about three among ten.")
    volume_shift_bits: float = Field(
        default=18.0, gt=0, description="Evidence (bits, a CUSUM per tool) that the tool's transfers more than 2 "
                                        "deviations above its usual came at 5 times their learned share (at least 20%).")
    reach_bits: float = Field(
        default=15.0, gt=0, description="Evidence (bits, a CUSUM per tool) that the tool's uses of resources outside "
                                        "the reference came at twice their learned share (at least 15 points more); "
                                        "past half of it the share is no longer learned.")
    rate_sd: float = Field(default=8.0, gt=0, description="Actions per minute above the usual, in deviations.")
    drift: float = Field(default=20.0, gt=0, description="Page-Hinkley threshold on the tool log-likelihood ratio (bits).")
    reference_divergence_tools: float = Field(default=0.05, gt=0, le=1, description="JS divergence (bits) of the tool mix from the reference.")
    reference_divergence_resources: float = Field(default=0.3, gt=0, le=1, description="The same for the resource-prefix mix.")
    expansion_ratio: float = Field(default=1.5, gt=1, description="Distinct tools over the reference's count ...")
    expansion_min_new: int = Field(default=3, ge=1, description="... with at least this many new ones.")
    model_invocations_sd: float = Field(default=8.0, gt=0, description="Model invocations per hour above the usual, in deviations.")


class LearnedConfig(_Config):
    """The learned side of the engine: per-agent baselines, chains and credential checks."""

    enabled: bool = True
    warm_events: int = Field(default=200, ge=0, description="Actions before learned findings are raised (per learning period).")
    warm_seconds: float = Field(default=86400.0, ge=0, description="... and this much event time (alone, for new destinations "
                                 "and a credential's new networks).")
    half_life: float = Field(default=500.0, gt=0, description="Actions after which an observation weighs half.")
    recent_half_life: float = Field(default=25.0, gt=0, description="The recent mix drift compares with the baseline.")
    max_items: int = Field(default=64, ge=8, description="Tools, prefixes... kept per agent (bounds memory).")
    thresholds: Thresholds = Field(default_factory=Thresholds)
    chains: list[Chain] = Field(default_factory=_default_chains)
    concurrent_seconds: float = Field(default=120.0, ge=0, description="One credential from two networks within this -> concurrent use.")
    held_max: int = Field(default=32, ge=0, description="Actions held back from learning (high findings) until feedback, per agent.")
    max_credentials: int = Field(default=100_000, gt=0, description="Credentials whose first users the fleet-wide "
                                 "credential.shared check remembers (the least recently used is forgotten first).")


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
    max_credentials_per_agent: int = Field(default=256, gt=0, description="Credentials one agent's state remembers (last use, "
                                           "revocation); the least recently used is forgotten first.")

"""Engine configuration: response policy and per-rule overrides.

Plain pydantic models, validated once and passed down; the engine gets only this part of
the settings (see ``pipeline/settings.py`` for the whole file and environment).
"""

from pydantic import BaseModel, ConfigDict, Field

from models.alert import Severity
from models.command import CommandAction


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


class RuleOverride(_Config):
    enabled: bool = True
    severity: Severity | None = None
    cooldown_seconds: float | None = Field(default=None, ge=0)


class EngineConfig(_Config):
    response: ResponseConfig = Field(default_factory=ResponseConfig)
    rules: dict[str, RuleOverride] = Field(default_factory=dict, description="Overrides keyed by rule id.")
    lifecycle_grace_seconds: float = Field(
        default=300.0, ge=0,
        description="A lifecycle change applies at the agent's next action at or after it, or once event time is this far past it.")
    max_event_bytes: int = Field(default=1_048_576, gt=0, description="Larger messages or lines go to the dead letters.")

"""The intent manifest: what an agent declared it would do, and who answers for it.

Manifests are declarative YAML or JSON. ``extra='forbid'`` so a typo
(``alowed:``) fails instead of silently widening nothing.
"""

import re
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from intentwatch.models.action import EventTime, ModelRef, Operation
from intentwatch.models.signature import Signature

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[str, ...] = Day.__args__  # type: ignore[attr-defined]
MAX_TTL = timedelta(days=36525)  # 100 years: issue time plus ttl stays inside datetime's range
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class Schedule(BaseModel):
    """When the agent may act: days of the week and a daily window, in its own time zone.

    ``hours: "22:00-06:00"`` wraps past midnight (the night belongs to the day it starts).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "UTC"
    days: list[Day] = Field(default_factory=lambda: list(DAYS), min_length=1)
    hours: str = "00:00-24:00"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (use an IANA name such as 'Europe/Berlin')") from None
        return v

    @field_validator("hours")
    @classmethod
    def _hours_format(cls, v: str) -> str:
        m = _HOURS.match(v)
        if not m:
            raise ValueError(f"hours must look like '08:00-18:00', got {v!r}")
        if m.group(3) == "24" and m.group(4) != "00":
            raise ValueError(f"hours end past 24:00 in {v!r}")
        if v[:5] == v[6:]:
            raise ValueError(f"empty window {v!r}")
        return v

    def window_minutes(self) -> tuple[int, int]:
        """Start and end of the daily window in minutes after local midnight."""
        s, e = self.hours.split("-")
        return int(s[:2]) * 60 + int(s[3:]), int(e[:2]) * 60 + int(e[3:])


class RateLimit(BaseModel):
    """A token bucket: ``max_actions`` tokens, refilled evenly over ``per_seconds``; an action with no token left is over the limit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_actions: int = Field(gt=0)
    per_seconds: float = Field(gt=0)


class ArgumentRule(BaseModel):
    """What one argument of a tool call may be: allowed values or shell-style patterns
    (matched case-insensitively; a list argument must have every element allowed), numeric
    bounds, and whether the call must carry it. A bare list is shorthand for ``allowed``.

    >>> ArgumentRule.model_validate(["*@example.com"]).allowed
    ['*@example.com']
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    allowed: list[str] | None = Field(default=None, min_length=1)
    min: float | None = None
    max: float | None = None
    required: bool = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: object) -> object:
        return {"allowed": v} if isinstance(v, list) else v

    @model_validator(mode="after")
    def _something_to_check(self) -> "ArgumentRule":
        if self.allowed is None and self.min is None and self.max is None and not self.required:
            raise ValueError("an argument rule needs allowed, min, max or required")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self


class ToolClause(BaseModel):
    """The intent for the tools one pattern matches: their operations, resources and arguments.

    Argument names are keys of the call's arguments; ``payee.iban`` reaches into a nested one.
    A part left out is not constrained by the clause.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    operations: list[Operation] | None = None
    resources: list[str] | None = None
    arguments: dict[str, ArgumentRule] = Field(default_factory=dict)

    @field_validator("arguments")
    @classmethod
    def _argument_names(cls, v: dict[str, ArgumentRule]) -> dict[str, ArgumentRule]:
        for name in v:
            if not name or any(not part for part in name.split(".")):
                raise ValueError(f"argument name {name!r} has an empty part")
        return v


class Allowed(BaseModel):
    """The declared scope. Each list holds shell-style patterns (``crm.*``, ``s3://bkt/*``).

    A missing list means "not constrained"; an empty list means "nothing allowed".
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    tools: list[str] | None = None
    operations: list[Operation] | None = None
    data_domains: list[str] | None = None
    resources: list[str] | None = None
    per_tool: dict[str, ToolClause] | None = Field(
        default=None, description="Tool pattern -> its clause; a tool takes the first pattern it matches, in file order.")


class IntentManifest(BaseModel):
    """The identity record of one agent: owner, purpose, bounded scope, schedule, model, expiry.

    ``kind: definition`` makes it an agent definition (Entra Agent ID's blueprint) instead: its
    ``agent_id`` is the definition's id, and instances name it in ``definition``. An instance
    inherits every part of the definition's intent it leaves out (``allowed`` part by part,
    ``schedule``, ``rate_limit``, ``model``) and may only narrow what it gives
    (``pipeline/engine/definitions.py``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    kind: Literal["agent", "definition"] = "agent"
    agent_id: str = Field(min_length=1, max_length=200)
    definition: str | None = Field(default=None, min_length=1, max_length=200,
                                   description="The definition (kind: definition manifest) this agent instantiates.")
    owner: str | None = Field(default=None, description="Accountable human or team; null means orphaned.")
    purpose: str = Field(min_length=1)
    task: str | None = None
    allowed: Allowed = Field(default_factory=Allowed)
    schedule: Schedule | None = None
    rate_limit: RateLimit | None = None
    model: ModelRef | None = None
    credentials: list[str] = Field(default_factory=list, max_length=1000, description="Credential ids issued to this agent.")
    issued_at: EventTime | None = None
    expires_at: EventTime | None = None
    ttl: timedelta | None = Field(default=None, description="Lifetime from issued_at (or instantiation); ISO 8601 or seconds.")
    enforcement: Literal["monitor", "enforce"] = "monitor"
    approver: str | None = None
    signature: Signature | None = Field(default=None, description="Detached signature of the manifest by a trust-file key "
                                                                 "(a manifest registered from a file needs one under trust.mode enforce).")

    @field_validator("ttl")
    @classmethod
    def _positive_ttl(cls, v: timedelta | None) -> timedelta | None:
        if v is not None and v <= timedelta(0):
            raise ValueError("ttl must be positive")
        if v is not None and v > MAX_TTL:
            raise ValueError(f"ttl must be at most {MAX_TTL.days} days (100 years); give expires_at for a fixed end")
        return v

    @model_validator(mode="after")
    def _consistent_expiry(self) -> "IntentManifest":
        if self.expires_at and self.issued_at and self.expires_at <= self.issued_at:
            raise ValueError("expires_at must be after issued_at")
        if self.expires_at and self.ttl:
            raise ValueError("give expires_at or ttl, not both")
        if self.kind == "definition" and self.definition is not None:
            raise ValueError("a definition cannot instantiate another definition (leave out definition)")
        return self

    def expiry(self, instantiated_at: datetime) -> datetime | None:
        """When this grant ends: ``expires_at``, else ``ttl`` after issue (or instantiation)."""
        if self.expires_at is not None:
            return self.expires_at
        if self.ttl is not None:
            return (self.issued_at or instantiated_at) + self.ttl
        return None

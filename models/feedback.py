"""An analyst's verdict on an alert, on ``intentwatch.feedback`` (or a file in replay).

``false_positive`` suppresses that pattern for that agent until ``expires_at`` and lets
the baseline learn the actions it held back; ``confirmed`` keeps them out of the
baseline for good. A suppression is owned (``analyst``), explained (``reason``) and
always ends: without ``expires_at`` it lasts ``DEFAULT_TTL`` from ``time``.

A verdict on a numeric finding (``behaviour.rate_burst`` observed 30 actions a minute) states
the range it covers with ``observed_min`` / ``observed_max`` (inclusive, either may be open)
instead of a pattern: a pattern "30" would let 31 alert again. ``intentwatch verdict`` fills
the range from the alert's observed value times a factor.
"""

from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from intentwatch.models.action import EventTime
from intentwatch.models.lifecycle import Decommission, Instantiate, Update
from intentwatch.models.signature import Signature

DEFAULT_TTL = timedelta(days=30)


class Feedback(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    kind: Literal["feedback"] = "feedback"
    feedback_id: str = Field(min_length=1, max_length=200)
    agent_id: str = Field(min_length=1, max_length=200)
    rule_id: str = Field(min_length=1, max_length=200, description="The rule of the alert judged.")
    alert_id: str | None = Field(default=None, max_length=200, description="The alert judged, for the record.")
    verdict: Literal["false_positive", "confirmed"]
    observed: str | None = Field(
        default=None, max_length=2000,
        description="Suppress only findings whose observed value matches this pattern (e.g. the tool); none: the whole rule.")
    observed_min: float | None = Field(
        default=None, allow_inf_nan=False,
        description="Suppress only numeric findings whose observed value is at least this (with observed_max: a range).")
    observed_max: float | None = Field(
        default=None, allow_inf_nan=False,
        description="Suppress only numeric findings whose observed value is at most this (e.g. twice the value judged).")
    analyst: str = Field(min_length=1, max_length=200, description="Who owns the verdict and the suppression.")
    reason: str = Field(min_length=1, max_length=2000)
    time: EventTime = Field(description="When the verdict was given; a suppression starts here.")
    expires_at: EventTime | None = Field(default=None, description=f"When the suppression ends (default: time + {DEFAULT_TTL.days} days).")
    signature: Signature | None = Field(default=None, description="Detached signature of the verdict by the analyst's trust-file key.")

    @model_validator(mode="after")
    def _one_kind_of_match(self) -> "Feedback":
        if self.observed is not None and (self.observed_min is not None or self.observed_max is not None):
            raise ValueError("give observed (a pattern) or observed_min / observed_max (a numeric range), not both")
        if self.observed_min is not None and self.observed_max is not None and self.observed_min > self.observed_max:
            raise ValueError(f"observed_min {self.observed_min:g} is above observed_max {self.observed_max:g}")
        return self

    def ends(self) -> datetime:
        return self.expires_at if self.expires_at is not None else self.time + DEFAULT_TTL


# What waits in an agent's queue for its event time, as the engine's state records keep it
# (pipeline/engine/state.py, compiled, so it imports no pydantic): lifecycle changes and verdicts.
PENDING_ADAPTER: TypeAdapter[Instantiate | Update | Decommission | Feedback] = TypeAdapter(
    Annotated[Instantiate | Update | Decommission | Feedback, Field(discriminator="kind")])

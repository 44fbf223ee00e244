"""An analyst's verdict on an alert, on ``intentwatch.feedback`` (or a file in replay).

``false_positive`` suppresses that pattern for that agent until ``expires_at`` and lets
the baseline learn the actions it held back; ``confirmed`` keeps them out of the
baseline for good. A suppression is owned (``analyst``), explained (``reason``) and
always ends: without ``expires_at`` it lasts ``DEFAULT_TTL`` from ``time``.
"""

from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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
    analyst: str = Field(min_length=1, max_length=200, description="Who owns the verdict and the suppression.")
    reason: str = Field(min_length=1, max_length=2000)
    time: AwareDatetime = Field(description="When the verdict was given; a suppression starts here.")
    expires_at: AwareDatetime | None = Field(default=None, description=f"When the suppression ends (default: time + {DEFAULT_TTL.days} days).")

    def ends(self) -> datetime:
        return self.expires_at if self.expires_at is not None else self.time + DEFAULT_TTL

"""Suppressions from analysts' false-positive verdicts: noise control that keeps evidence.

A suppression belongs to one agent and one rule (optionally one observed value pattern,
or for a numeric finding a range of observed values: ``low <= observed <= high``, either end
open) for a bounded time. A finding it covers raises no alert of its own rule and no command;
it is counted on the suppression and published as an ``info`` alert of rule
``feedback.suppressed`` (aggregated like any alert), so what each suppression hid stays
visible and countable.
"""

import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from intentwatch.models.feedback import Feedback

if TYPE_CHECKING:
    from intentwatch.pipeline.engine.finding import Finding


@dataclass(slots=True)
class Suppression:
    feedback_id: str
    rule_id: str
    observed: str | None
    analyst: str
    reason: str
    start_ts: float
    end_ts: float
    hidden: int = 0
    last_hidden_ts: float | None = None
    low: float | None = None    # numeric range (inclusive); None: open at that end
    high: float | None = None

    @classmethod
    def from_feedback(cls, fb: Feedback) -> "Suppression":
        return cls(fb.feedback_id, fb.rule_id, fb.observed, fb.analyst, fb.reason, fb.time.timestamp(), fb.ends().timestamp(),
                   low=fb.observed_min, high=fb.observed_max)

    def covers(self, f: "Finding") -> bool:
        if f.rule.id != self.rule_id or not self.start_ts <= f.ts < self.end_ts:
            return False
        if self.low is not None or self.high is not None:
            v = numeric(f.observed)
            return v is not None and (self.low is None or v >= self.low) and (self.high is None or v <= self.high)
        return self.observed is None or (f.observed is not None and fnmatch.fnmatchcase(str(f.observed), self.observed))

    def matches(self) -> str:
        """What observed values it covers, for tables: the pattern, the range, or * (the whole rule)."""
        if self.low is not None and self.high is not None:
            return f"{self.low:g}..{self.high:g}"
        if self.high is not None:
            return f"<= {self.high:g}"
        if self.low is not None:
            return f">= {self.low:g}"
        return self.observed if self.observed is not None else "*"

    def to_record(self) -> dict[str, Any]:
        return {"feedback_id": self.feedback_id, "rule_id": self.rule_id, "observed": self.observed,
                "analyst": self.analyst, "reason": self.reason, "start_ts": self.start_ts, "end_ts": self.end_ts,
                "hidden": self.hidden, "last_hidden_ts": self.last_hidden_ts, "low": self.low, "high": self.high}

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> "Suppression":
        return cls(**r)  # records saved before ranges existed lack low / high: open, as they were


def numeric(value: Any) -> float | None:
    """A finding's observed value as a number (an int, a float, or a string holding one), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def covering(suppressions: list[Suppression], f: "Finding") -> Suppression | None:
    """The suppression that hides ``f``, if any."""
    for s in suppressions:
        if s.covers(f):
            return s
    return None


"""A manifest compiled for fast checks: pattern sets, a schedule, a token bucket's shape.

Built once per lifecycle change; asked once per action. Nothing here reads a clock.
"""

import fnmatch
import re
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from intentwatch.models.intent import DAYS, IntentManifest

_WILDCARD: Final = re.compile(r"[*?\[]")
_CACHE_LIMIT: Final = 256  # per pattern set; bounded so per-agent memory stays small
# Wildcard lists -> one compiled regex, shared: agents of one kind declare the same patterns, and
# an agent revived from its state record rebuilds its scope (fnmatch.translate is slow).
_REGEXES: Final[dict[tuple[str, ...], "re.Pattern[str]"]] = {}
_REGEXES_LIMIT: Final = 4096


def _regex_of(wild: tuple[str, ...]) -> "re.Pattern[str]":
    rx = _REGEXES.get(wild)
    if rx is None:
        if len(_REGEXES) >= _REGEXES_LIMIT:
            _REGEXES.clear()
        rx = _REGEXES[wild] = re.compile("|".join(fnmatch.translate(p) for p in wild))
    return rx


def _plain_prefix(pattern: str) -> bool:
    """``prefix*``: one trailing star and nothing else wild."""
    return pattern.endswith("*") and not _WILDCARD.search(pattern[:-1])


class PatternSet:
    """Membership in a list of shell-style patterns, with exact names checked first.

    >>> p = PatternSet(["crm.*", "email.send"])
    >>> "crm.lookup" in p, "email.send" in p, "shell.exec" in p
    (True, True, False)
    """

    __slots__ = ("patterns", "exact", "_prefixes", "_regex", "_cache")

    def __init__(self, patterns: list[str]):
        self.patterns = list(patterns)
        self.exact = frozenset(p for p in patterns if not _WILDCARD.search(p))
        wild = tuple(p for p in patterns if _WILDCARD.search(p))
        # ``prefix*`` (one trailing star, nothing else wild) matches what starts with the prefix: a
        # C call, where the regex costs ~0.3 us and high-cardinality values (resources) miss the cache
        self._prefixes = tuple(p[:-1] for p in wild if _plain_prefix(p))
        others = tuple(p for p in wild if not _plain_prefix(p))
        self._regex = _regex_of(others) if others else None
        self._cache: dict[str, bool] = {}

    def __contains__(self, value: str) -> bool:
        return value in self.exact or self.matches_wildcard(value)

    def matches_wildcard(self, value: str) -> bool:
        """The slow half of membership: the wildcard patterns (prefixes first), the rest with a small bounded cache."""
        if self._prefixes and value.startswith(self._prefixes):
            return True
        if self._regex is None:
            return False
        hit = self._cache.get(value)
        if hit is None:
            hit = self._regex.match(value) is not None
            if len(self._cache) < _CACHE_LIMIT:
                self._cache[value] = hit
        return hit


# Local (weekday, minute) of each UTC quarter-hour, per zone. Every real UTC offset is a
# multiple of 15 minutes, so the quarter-hour start fixes the local minute exactly.
_LOCAL_QUARTERS: Final[dict[str, dict[int, tuple[int, int]]]] = {}


def local_weekday_minute(ts: float, tz: str) -> tuple[int, int]:
    """(weekday 0=Monday, minute of day) of epoch seconds ``ts`` in zone ``tz``."""
    quarters = _LOCAL_QUARTERS.setdefault(tz, {})
    q = int(ts // 900)
    base = quarters.get(q)
    if base is None:
        local = datetime.fromtimestamp(q * 900, ZoneInfo(tz))
        base = (local.weekday(), local.hour * 60 + local.minute)
        if len(quarters) > 200_000:
            quarters.clear()
        quarters[q] = base
    return base[0], base[1] + int(ts - q * 900) // 60


class ScheduleWindow:
    """Declared days and a daily window; a window past midnight belongs to its start day."""

    __slots__ = ("tz", "days", "start", "end", "text", "_last_minute", "_last_verdict")

    def __init__(self, tz: str, days: list[str], start: int, end: int, text: str):
        self.tz, self.start, self.end, self.text = tz, start, end, text
        self.days = frozenset(DAYS.index(d) for d in days)
        self._last_minute, self._last_verdict = -1, False  # agents act in bursts: one answer per minute

    def allows(self, ts: float) -> bool:
        minute_key = int(ts // 60)
        if minute_key == self._last_minute:
            return self._last_verdict
        verdict = self._allows(ts)
        self._last_minute, self._last_verdict = minute_key, verdict
        return verdict

    def _allows(self, ts: float) -> bool:
        day, minute = local_weekday_minute(ts, self.tz)
        if self.start < self.end:
            return day in self.days and self.start <= minute < self.end
        # Wrapping window, e.g. 22:00-06:00.
        return (day in self.days and minute >= self.start) or ((day - 1) % 7 in self.days and minute < self.end)


class Scope:
    """The checks one manifest implies. ``None`` for a part means "not constrained"."""

    __slots__ = ("tools", "operations", "data_domains", "resources", "schedule", "rate_capacity",
                 "rate_per_second", "model_id", "model_version", "credentials", "per_tool", "definition", "declared")

    def __init__(self, m: IntentManifest):
        a = m.allowed
        self.tools = PatternSet(a.tools) if a.tools is not None else None
        self.operations = PatternSet(list(a.operations)) if a.operations is not None else None
        self.data_domains = PatternSet(a.data_domains) if a.data_domains is not None else None
        self.resources = PatternSet(a.resources) if a.resources is not None else None
        s = m.schedule
        self.schedule = ScheduleWindow(s.timezone, list(s.days), *s.window_minutes(), text=f"{','.join(s.days)} {s.hours} {s.timezone}") if s else None
        r = m.rate_limit
        self.rate_capacity = float(r.max_actions) if r else None
        self.rate_per_second = r.max_actions / r.per_seconds if r else None
        self.model_id = m.model.id if m.model else None
        self.model_version = m.model.version if m.model else None
        self.credentials = frozenset(m.credentials) if m.credentials else None
        self.definition: str | None = m.definition
        # tool -> whether this manifest declares the cloud call as its own work (detectors/cloud_calls.py)
        self.declared: dict[str, bool] = {}
        if a.per_tool:
            from intentwatch.pipeline.engine.clauses import ToolClauses  # clauses builds on PatternSet, defined here
            self.per_tool: ToolClauses | None = ToolClauses(a.per_tool)
        else:
            self.per_tool = None

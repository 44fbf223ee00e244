"""Dormant agents that still hold access: ``lifecycle.dormant_agent``.

An active agent that holds credentials (its manifest lists some, or it acted with one) and has
not acted for ``params.after_seconds`` of its *scheduled* time raises one finding per idle
period, recommending to decommission it or renew its manifest. With a declared schedule only
time on the schedule's days counts (in its time zone), so a weekday agent is not dormant over a
weekend, and "14 days" means 14 of its working days; the hours of the day are not weighed
(an agent scheduled 08:00-18:00 is as idle at night as by day). Days are read at quarter-hour
steps: every real UTC offset is a multiple of 15 minutes.

Time is the engine's: event time in replay, the host's ``tick`` in the streaming worker once
it is caught up. An agent costs one timer entry, however often it acts: when the timer comes
due and the agent acted since, it is set again from the latest action.
"""

import heapq
from datetime import datetime, timezone
from typing import Final

from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.params import DormancyParams, validated
from intentwatch.pipeline.engine.scope import ScheduleWindow, local_weekday_minute
from intentwatch.pipeline.engine.state import AgentState

_QUARTER: Final = 900.0
_MAX_QUARTERS: Final = 4 * 24 * 400  # a year and more of quarter-hours scanned at most, per look




def _on_schedule(sched: ScheduleWindow, ts: float) -> bool:
    return local_weekday_minute(ts, sched.tz)[0] in sched.days


def scheduled_seconds(sched: ScheduleWindow | None, start: float, end: float) -> float:
    """Seconds between ``start`` and ``end`` on the schedule's days (all of them without one).

    >>> from intentwatch.pipeline.engine.scope import ScheduleWindow
    >>> weekdays = ScheduleWindow("UTC", ["mon", "tue", "wed", "thu", "fri"], 7 * 60, 19 * 60, "")
    >>> fri_18h, mon_9h = 1767376800.0, 1767603600.0  # Fri 2 Jan 2026 18:00, Mon 5 Jan 09:00 UTC
    >>> scheduled_seconds(weekdays, fri_18h, mon_9h) / 3600, scheduled_seconds(None, fri_18h, mon_9h) / 3600
    (15.0, 63.0)
    """
    if end <= start:
        return 0.0
    if sched is None:
        return end - start
    total = 0.0
    q = int(start // _QUARTER)
    last = int(end // _QUARTER)
    for i in range(q, min(last, q + _MAX_QUARTERS) + 1):
        lo, hi = max(start, i * _QUARTER), min(end, (i + 1) * _QUARTER)
        if hi > lo and _on_schedule(sched, i * _QUARTER):
            total += hi - lo
    return total


def reached_at(sched: ScheduleWindow | None, start: float, need: float) -> float | None:
    """When ``need`` seconds of scheduled time have passed since ``start`` (None past a year of looking)."""
    if sched is None:
        return start + need
    total, q = 0.0, int(start // _QUARTER)
    for i in range(q, q + _MAX_QUARTERS):
        lo, hi = max(start, i * _QUARTER), (i + 1) * _QUARTER
        if _on_schedule(sched, i * _QUARTER):
            if total + (hi - lo) >= need:
                return lo + (need - total)
            total += hi - lo
    return None


class Dormancy:
    """The engine's dormancy timers: (due time, agent id) in a heap, one entry per watched agent."""

    def __init__(self, rule: Rule):
        self.rule = rule
        self.after = validated(rule, DormancyParams).after_seconds
        self.due: list[tuple[float, str]] = []

    def touch(self, st: AgentState, ts: float, credential: str | None) -> None:
        """An action of ``st`` at ``ts``: start its timer if it has none and holds credentials."""
        d = st.detect
        if credential is not None and not d.get("holds_credential"):
            d["holds_credential"] = True
        if "dormant_due" not in d and self._watched(st):
            self._push(st, ts + self.after)

    def track(self, st: AgentState) -> None:
        """A restored agent: put its timer back."""
        due = st.detect.get("dormant_due")
        if due is not None:
            heapq.heappush(self.due, (due, st.agent_id))

    def next_due(self) -> float:
        return self.due[0][0] if self.due else float("inf")

    def advance(self, ts: float, agents: dict[str, AgentState]) -> list[Finding]:
        """Timers due at ``ts``: a finding for each agent idle long enough; the others are set again."""
        out: list[Finding] = []
        while self.due and self.due[0][0] <= ts:
            due, agent_id = heapq.heappop(self.due)
            st = agents.get(agent_id)
            if st is None or st.detect.get("dormant_due") != due:
                continue  # forgotten, or a stale entry
            del st.detect["dormant_due"]
            if not self._watched(st):
                continue
            last = st.last_ts
            sched = st.scope.schedule if st.scope is not None else None
            idle = scheduled_seconds(sched, last, ts)
            if idle < self.after:
                self._push(st, ts + (self.after - idle))  # at least that much more time is needed
                continue
            if st.detect.get("dormant_since") == last:
                continue  # reported for this idle period; the next action starts a new one
            st.detect["dormant_since"] = last
            when = reached_at(sched, last, self.after)  # the end of the idle period, not the moment it was noticed
            out.append(self._finding(st, min(when, ts) if when is not None else ts, last, self.after))
        return out

    def _watched(self, st: AgentState) -> bool:
        if st.status != "active" or st.last_ts == float("-inf"):
            return False
        return bool(st.manifest is not None and st.manifest.credentials) or bool(st.detect.get("holds_credential"))

    def _push(self, st: AgentState, due: float) -> None:
        st.detect["dormant_due"] = due
        heapq.heappush(self.due, (due, st.agent_id))

    def _finding(self, st: AgentState, ts: float, last: float, idle: float) -> Finding:
        since = datetime.fromtimestamp(last, timezone.utc).isoformat()
        creds = sorted(st.manifest.credentials) if st.manifest is not None else []
        days = idle / 86400
        msg = (f"no action since {since} ({days:.1f} days of scheduled time) while active and holding credentials"
               f"{' ' + str(creds) if creds else ''}; decommission it, or renew its manifest if it is still needed")
        return Finding(self.rule, st.agent_id, ts, f"dormant:{st.agent_id}:{since}", msg, clause="lifecycle.activity",
                       expected=f"an action within {self.after / 86400:g} days of scheduled time", observed=since,
                       baseline={"idle_scheduled_seconds": round(idle, 1), "last_action": since,
                                 "recommendation": "decommission or renew"})

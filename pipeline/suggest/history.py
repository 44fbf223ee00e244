"""What each agent actually did, gathered from a history of actions in one pass.

Per agent: how often (in actions and in distinct sessions) each tool, operation, data
domain, resource and credential was used, the models it reported, every action time (for
its rate), and its activity per local hour (for its schedule). A *session* is the
action's ``session_id``, else its ``task_id``, else the hour it happened in: the unit in
which a value "recurs" (one busy session that touches a table forty times has seen it once).
"""

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from intentwatch.models.action import CONTEXT_USE, MODEL_USE, Action
from intentwatch.models.baseline import epoch_seconds
from intentwatch.models.errors import InputError
from intentwatch.pipeline.engine.detectors.cloud_calls import console_session
from intentwatch.pipeline.io.codec import decode_action
from intentwatch.pipeline.io.deadletter import DeadLetterFile


class Tally:
    """Uses per value: ``actions`` and ``sessions`` (distinct in a row; sessions rarely interleave)."""

    __slots__ = ("actions", "sessions", "_last")

    def __init__(self) -> None:
        self.actions: dict[str, int] = {}
        self.sessions: dict[str, int] = {}
        self._last: dict[str, str] = {}

    def add(self, value: str, session: str) -> None:
        self.actions[value] = self.actions.get(value, 0) + 1
        if self._last.get(value) != session:
            self._last[value] = session
            self.sessions[value] = self.sessions.get(value, 0) + 1

    def __len__(self) -> int:
        return len(self.actions)

    def by_use(self) -> list[str]:
        """Values, most used first (ties by name)."""
        return sorted(self.actions, key=lambda v: (-self.actions[v], v))


class LocalClock:
    """(local date ordinal, hour, weekday) of epoch seconds in one zone, one lookup per quarter-hour."""

    def __init__(self, tz: str):
        self.zone = ZoneInfo(tz)
        self._cache: dict[int, tuple[int, int, int]] = {}

    def __call__(self, ts: float) -> tuple[int, int, int]:
        q = int(ts // 900)
        hit = self._cache.get(q)
        if hit is None:
            d = datetime.fromtimestamp(q * 900, self.zone)
            hit = self._cache[q] = (d.toordinal(), d.hour, d.weekday())
            if len(self._cache) > 200_000:
                self._cache.clear()
        return hit


@dataclass
class AgentHistory:
    """One agent's history, as the drafting needs it."""

    agent_id: str
    n: int = 0
    first_ts: float = float("inf")
    last_ts: float = float("-inf")
    tools: Tally = field(default_factory=Tally)
    operations: Tally = field(default_factory=Tally)
    data_domains: Tally = field(default_factory=Tally)
    resources: Tally = field(default_factory=Tally)
    credentials: Tally = field(default_factory=Tally)
    models: dict[tuple[str, str | None], list[float]] = field(default_factory=dict)  # (id, version) -> [actions, last ts]
    times: array = field(default_factory=lambda: array("d"))
    # (local date ordinal, local hour) -> [actions, distinct sessions]
    hours: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    sessions: int = 0  # distinct (session, local hour) pairs, summed
    _hour_key: tuple[int, int] | None = None
    _hour_sessions: set[str] = field(default_factory=set)

    def add(self, a: Action, ts: float, clock: LocalClock) -> None:
        self.n += 1
        if ts < self.first_ts:
            self.first_ts = ts
        if ts > self.last_ts:
            self.last_ts = ts
        session = a.session_id or a.task_id or f"hour:{int(ts // 3600)}"
        if a.tool not in MODEL_USE and a.tool not in CONTEXT_USE:  # (judged with its model: rules.yaml judge_model_use)
            self.tools.add(a.tool, session)
            self.operations.add(a.operation, session)
        if a.data_domain is not None:
            self.data_domains.add(a.data_domain, session)
        if a.resource is not None:
            self.resources.add(a.resource, session)
        if a.credential_id is not None:
            self.credentials.add(a.credential_id, session)
        if a.model is not None:
            m = self.models.setdefault((a.model.id, a.model.version), [0, ts])
            m[0] += 1
            m[1] = max(m[1], ts)
        self.times.append(ts)
        day, hour, _ = clock(ts)
        key = (day, hour)
        slot = self.hours.get(key)
        if slot is None:
            slot = self.hours[key] = [0, 0]
        slot[0] += 1
        if key != self._hour_key:
            self._hour_key, self._hour_sessions = key, set()
        if session not in self._hour_sessions:
            self._hour_sessions.add(session)
            slot[1] += 1
            self.sessions += 1


@dataclass
class History:
    """Every agent's history, and what could not be read."""

    agents: dict[str, AgentHistory] = field(default_factory=dict)
    start_ts: float = float("inf")     # earliest action kept
    end_ts: float = float("-inf")      # latest action kept (or ``until``)
    lines: int = 0
    after_until: int = 0               # actions at or after ``until``, not used
    console: int = 0                   # calls made in the AWS console (a person's, not an agent's), not used
    bad: int = 0


def native_actions(path: Path, dead: DeadLetterFile | None, max_bytes: int = 1_048_576) -> Iterator[Action]:
    """Actions of a native JSON-lines file (``.gz`` too); bad lines go to ``dead``."""
    from intentwatch.pipeline.hosts.replay import open_lines

    for n, raw in open_lines(path):
        if not raw.strip():
            continue
        try:
            yield decode_action(raw, "", max_bytes)
        except InputError as err:
            if dead is not None:
                dead.put(InputError(f"{path}:{n}", err.reason, err.kind), raw)


def read_history(actions: Iterator[Action], tz: str = "UTC", until: datetime | None = None) -> History:
    """Gather ``actions`` per agent; those at or after ``until``, and calls a person made in the AWS
    console (``console_session``: no agent's work to draft), are counted and left out."""
    h = History()
    clock = LocalClock(tz)
    stop = epoch_seconds(until) if until is not None else float("inf")
    agents = h.agents
    for a in actions:
        h.lines += 1
        ts = epoch_seconds(a.time)
        if ts >= stop:
            h.after_until += 1
            continue
        if console_session(a):
            h.console += 1
            continue
        st = agents.get(a.agent_id)
        if st is None:
            st = agents[a.agent_id] = AgentHistory(a.agent_id)
        st.add(a, ts, clock)
        if ts < h.start_ts:
            h.start_ts = ts
        if ts > h.end_ts:
            h.end_ts = ts
    if until is not None and h.agents:
        h.end_ts = max(h.end_ts, stop)
    return h

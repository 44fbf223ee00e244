"""Bounded memory: at most ``engine.max_agents_in_memory`` agents held as live state.

Past the ceiling the engine evicts the agents idle longest (decommissioned and expired first)
to a store of serialised state records (``AgentState.to_record``), and revives an agent from
its record when it acts again, receives a lifecycle change or a verdict, or one of its timers
falls due. Outputs are the same as without eviction:

- an evicted agent's timers stay in the engine's queues; the agent is revived at the earliest of
  them (its expiry, dormancy check, the end of an open alert window: ``wake``) before they run;
- agents with lifecycle changes or verdicts still waiting, or with analysts' suppressions (the
  suppression report lists them), are not evicted (so the ceiling is soft: they may exceed it);
- an alert window with hits not yet published makes its agent revivable when windows close at the
  end of input (``unpublished``); other windows publish nothing on closing.

The store is the host's: ``MemoryStore`` (zlib-compressed records in a dict) here; replay can use
an on-disk one (``pipeline/io/agentstore.py``), the worker its local store beside the state topic.
"""

import heapq
import zlib
from collections.abc import Callable
from typing import Protocol

import orjson

from intentwatch.pipeline.engine.state import AgentState


class AgentStore(Protocol):
    def put(self, agent_id: str, record: bytes) -> None: ...
    def take(self, agent_id: str) -> bytes | None: ...
    def get(self, agent_id: str) -> bytes | None: ...
    def __contains__(self, agent_id: object) -> bool: ...
    def __len__(self) -> int: ...


class MemoryStore:
    """Evicted records, compressed, in a dict (about a tenth of live state per agent)."""

    def __init__(self) -> None:
        self._records: dict[str, bytes] = {}

    def put(self, agent_id: str, record: bytes) -> None:
        self._records[agent_id] = zlib.compress(record, 1)

    def take(self, agent_id: str) -> bytes | None:
        raw = self._records.pop(agent_id, None)
        return None if raw is None else zlib.decompress(raw)

    def get(self, agent_id: str) -> bytes | None:
        raw = self._records.get(agent_id)
        return None if raw is None else zlib.decompress(raw)

    def __contains__(self, agent_id: object) -> bool:
        return agent_id in self._records

    def __len__(self) -> int:
        return len(self._records)


class Evictor:
    """Keeps ``agents`` (the engine's live state) at most ``ceiling`` long, evicting to ``store``.

    ``checks``: the engine's intent detectors (a revived agent's are rebuilt from its manifest).
    """

    def __init__(self, agents: dict[str, AgentState], ceiling: int, store: AgentStore, checks: list,
                 low_water: float = 0.9):
        self.agents = agents
        self.ceiling = ceiling
        self.target = max(1, int(ceiling * low_water))  # evict in batches down to this many
        self.store = store
        self.checks = checks
        self.wake: list[tuple[float, str]] = []  # (earliest timer, agent) of evicted agents
        self.unpublished: set[str] = set()        # evicted agents with window hits not yet published
        self.evicted = 0
        self.revived = 0
        self.rest = 0  # events to let pass before scanning again, after a scan that fell short

    def over(self) -> bool:
        if len(self.agents) <= self.ceiling:
            return False
        if self.rest > 0:
            self.rest -= 1
            return False
        return True

    def evict(self, keep: str) -> None:
        """Evict the agents idle longest (not ``keep``) until ``target`` remain."""
        n = len(self.agents) - self.target
        if n <= 0:
            return
        candidates = ((st.status == "active", st.last_ts, st.agent_id) for st in self.agents.values()
                      if not st.pending and not st.suppressions and st.agent_id != keep)
        for _active, _last, agent_id in heapq.nsmallest(n, candidates):
            self._evict_one(self.agents.pop(agent_id))
        if len(self.agents) > self.ceiling:
            # Agents that may not leave (changes waiting for their time, suppressions) hold the count
            # up: scanning them all again on every event would cost O(agents) each. Rest for a
            # tenth as many events as agents held, so scans stay O(1) per event amortised.
            self.rest = len(self.agents) // 10

    def _evict_one(self, st: AgentState) -> None:
        wake = float("inf")
        if st.status == "active" and st.expires_ts is not None:
            wake = st.expires_ts
        due = st.detect.get("dormant_due")
        if due is not None:
            wake = min(wake, due)
        for w in st.windows.values():
            if not w.closed:
                wake = min(wake, w.end_ts)
                if w.count > w.published_count:
                    self.unpublished.add(st.agent_id)
        if wake != float("inf"):
            heapq.heappush(self.wake, (wake, st.agent_id))
        self.store.put(st.agent_id, orjson.dumps(st.to_record()))
        self.evicted += 1

    def revive(self, agent_id: str) -> AgentState | None:
        """The agent's state back from the store (None if it was never evicted)."""
        raw = self.store.take(agent_id)
        if raw is None:
            return None
        st = self.agents[agent_id] = AgentState.from_record(orjson.loads(raw), self.checks)
        self.unpublished.discard(agent_id)
        self.revived += 1
        return st

    def wake_due(self, ts: float) -> None:
        """Revive evicted agents whose earliest timer is at or before ``ts`` (before the timers run)."""
        while self.wake and self.wake[0][0] <= ts:
            _, agent_id = heapq.heappop(self.wake)
            if agent_id not in self.agents:
                self.revive(agent_id)

    def for_closing(self, fallback: Callable[[str], AgentState | None]) -> Callable[[str], AgentState | None]:
        """The responder's lookup when windows close: live agents, or evicted ones with hits to publish."""
        def lookup(agent_id: str) -> AgentState | None:
            st = fallback(agent_id)
            if st is None and agent_id in self.unpublished:
                st = self.revive(agent_id)
            return st
        return lookup

    def state_record(self, agent_id: str) -> dict | None:
        """An evicted agent's checkpoint record, decoded (None: not evicted)."""
        raw = self.record(agent_id)
        return orjson.loads(raw) if raw is not None else None

    def record(self, agent_id: str) -> bytes | None:
        """An evicted agent's state record, left in the store (a checkpoint persists it)."""
        return self.store.get(agent_id)

    def forget(self, agent_id: str) -> None:
        self.store.take(agent_id)
        self.unpublished.discard(agent_id)

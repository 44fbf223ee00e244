"""Bounded memory: at most ``engine.max_agents_in_memory`` agents held as live state.

Past the ceiling the engine evicts the agents idle longest (decommissioned and expired first)
to a store of serialised state records (``AgentState.to_record``), and revives an agent from
its record when it acts again, receives a lifecycle change or a verdict, or one of its timers
falls due. Outputs are the same as without eviction:

- an evicted agent's timers stay in the engine's queues; the agent is revived at the earliest of
  them (its expiry, dormancy check, the end of an open alert window: ``wake``) before they run;
  but a dormancy check of an agent evicted decommissioned or expired only lapses (dormancy
  watches active agents; an evicted agent's status changes only once revived): it is not
  revived for it, the check is dropped from its state when it returns (``lapsed``);
- agents with lifecycle changes or verdicts still waiting, or with analysts' suppressions (the
  suppression report lists them), are not evicted (so the ceiling is soft: they may exceed it);
- an alert window with hits not yet published makes its agent revivable when windows close at the
  end of input (``unpublished``); other windows publish nothing on closing.

The same path compacts agents that need no live state, ceiling or not (issue 13: tens of
thousands of short-lived agents): an agent registered by a manifest and not yet acting, one idle
for ``engine.compact_idle_seconds`` of event time, one decommissioned or expired for
``engine.compact_ended_seconds``. A compacted agent with changes still waiting for their time
(``waiting``) is revived when the first of them falls due.

The store is the host's: ``MemoryStore`` (zlib-compressed records in a dict) here; replay can use
an on-disk one (``pipeline/io/agentstore.py``), the worker its local store beside the state topic.
"""

import heapq
import sys
import zlib
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol

import orjson

from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.writable import text_made_writable, writable_int


def encode_record(record: dict) -> bytes:
    """An agent's state record as the store and the checkpoints hold it (JSON; the compiled
    modules import only the standard library and ours). A value orjson will not write, which an
    action's attributes can carry in (an integer past 64 bits, nesting past 255 levels, a lone
    surrogate), is stored as ``_storable`` makes it: the agent's state is never lost over it."""
    try:
        return orjson.dumps(record)
    except TypeError:
        return orjson.dumps(_storable(record, 0))


_TOO_DEEP = "<nested too deep to store>"


def _storable(v: Any, depth: int) -> Any:
    """``v`` as orjson writes it: an integer past 64 bits as the float orjson reads such a number
    back as (as text where no float holds it), a lone surrogate replaced, keys as text, nesting
    past 200 levels as a note."""
    if isinstance(v, dict):
        return {str(k): _storable(x, depth + 1) for k, x in v.items()} if depth < 200 else _TOO_DEEP
    if isinstance(v, (list, tuple)):
        return [_storable(x, depth + 1) for x in v] if depth < 200 else _TOO_DEEP
    if isinstance(v, int) and not isinstance(v, bool) and not writable_int(v):
        try:
            return float(v)
        except OverflowError:
            return f"<an integer of {v.bit_length()} bits>"
    return text_made_writable(v) if isinstance(v, str) else v


class AgentStore(Protocol):
    def put(self, agent_id: str, record: bytes) -> None: ...
    def take(self, agent_id: str) -> bytes | None: ...
    def get(self, agent_id: str) -> bytes | None: ...
    def __contains__(self, agent_id: object) -> bool: ...
    def __len__(self) -> int: ...


class MemoryStore:
    """Evicted records, compressed, in a dict. One fleet's records share most of their bytes (keys,
    the values of manifests and baselines), so each is compressed against a preset dictionary: an
    earlier record of its shape (an agent registered and not acting yet, one that learned...).
    A record is tried against the dictionaries that served lately; none compressing it well, it
    becomes one (at most ``MAX_DICTS``). 36,000 short-lived agents that acted: ~0.4 KiB a record,
    a sixth of plain zlib's."""

    MAX_DICTS = 16
    TRIES = 3     # dictionaries tried per record, the latest to serve first
    GOOD = 0.15   # a record compressed to at most this share of its size is done

    def __init__(self) -> None:
        self._records: dict[str, bytes] = {}
        self._dicts: list[bytes] = []
        self._recent: list[int] = []  # dictionary indexes, the latest to serve first

    def put(self, agent_id: str, record: bytes) -> None:
        best = b""
        for i in self._recent[:self.TRIES]:
            packed = self._pack(i, record)
            if not best or len(packed) < len(best):
                best = packed
            if len(packed) <= self.GOOD * len(record):
                break
        else:
            if len(self._dicts) < self.MAX_DICTS:  # unlike every dictionary tried: a new shape
                self._dicts.append(record[-32768:])  # zlib looks back 32 KiB at most
                best = self._pack(len(self._dicts) - 1, record)
        if best[0] in self._recent:
            self._recent.remove(best[0])
        self._recent.insert(0, best[0])
        self._records[agent_id] = best

    def _pack(self, i: int, record: bytes) -> bytes:
        c = zlib.compressobj(6, zdict=self._dicts[i])  # level 6: a third smaller than 1 here, for ~0.1 ms
        return bytes((i,)) + c.compress(record) + c.flush()

    def _unpack(self, raw: bytes | None) -> bytes | None:
        if raw is None:
            return None
        d = zlib.decompressobj(zdict=self._dicts[raw[0]])
        return d.decompress(raw[1:]) + d.flush()

    def take(self, agent_id: str) -> bytes | None:
        return self._unpack(self._records.pop(agent_id, None))

    def get(self, agent_id: str) -> bytes | None:
        return self._unpack(self._records.get(agent_id))

    def __contains__(self, agent_id: object) -> bool:
        return agent_id in self._records

    def __len__(self) -> int:
        return len(self._records)


class Evictor:
    """Keeps ``agents`` (the engine's live state) at most ``ceiling`` long (None: no ceiling),
    evicting to ``store``, and compacts agents that need no live state (``idle``, ``ended``: the
    engine's ``compact_idle_seconds``, ``compact_ended_seconds``).

    ``checks``: the engine's intent detectors (a revived agent's are rebuilt from its manifest).
    ``tally``: an agent's counts for the engine's reports (learning, warm agents), kept for the
    agents in the store in ``stored``.
    """

    STEP = 32  # agents compacted per step of the clock at most (compact_due)

    def __init__(self, agents: dict[str, AgentState], ceiling: int | None, store: AgentStore, checks: list,
                 low_water: float = 0.9, idle: float | None = None, ended: float | None = None,
                 tally: Callable[[AgentState], dict[str, int]] | None = None):
        self.agents = agents
        self.ceiling = ceiling if ceiling is not None else sys.maxsize
        self.target = max(1, int(self.ceiling * low_water))  # evict in batches down to this many
        self.store = store
        self.checks = checks
        self.idle, self.ended, self.tally = idle, ended, tally
        self.wake: list[tuple[float, str]] = []  # (earliest timer, agent) of evicted agents
        self.unpublished: set[str] = set()        # evicted agents with window hits not yet published
        self.waiting: dict[str, float] = {}      # evicted agents with changes waiting -> time of the first
        self.lapsing: dict[str, float] = {}      # evicted agents whose dormancy check only lapses -> its time...
        self.lapsed: dict[str, float] = {}       # ... once that time came, while still evicted
        self.queue: list[tuple[float, str]] = []  # (when it may be compacted, agent), one entry per agent...
        self.planned: dict[str, float] = {}       # ... the one in force (older entries are skipped)
        self.stored: Counter[str] = Counter()
        self.evicted = 0
        self.revived = 0
        self.compacted = 0
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
            if st.status == "active" or st.pending:
                wake = min(wake, due)
            else:  # it would be revived only to drop the check (Dormancy.advance): its own entry in ``wake``
                self.lapsing[st.agent_id] = due
                heapq.heappush(self.wake, (due, st.agent_id))
        for w in st.windows.values():
            if not w.closed:
                wake = min(wake, w.end_ts)
                if w.count > w.published_count:
                    self.unpublished.add(st.agent_id)
        if wake != float("inf"):
            heapq.heappush(self.wake, (wake, st.agent_id))
        if st.pending:  # its change's own timer (the engine's queue) revives it: see revive_waiting
            self.waiting[st.agent_id] = st.pending[0][0]
        if self.tally is not None:
            self.stored.update(self.tally(st))
        self.store.put(st.agent_id, encode_record(st.to_record()))
        self.evicted += 1

    def revive(self, agent_id: str) -> AgentState | None:
        """The agent's state back from the store (None if it was never evicted)."""
        raw = self.store.take(agent_id)
        if raw is None:
            return None
        st = self.agents[agent_id] = AgentState.from_record(orjson.loads(raw), self.checks)
        self._lapse(agent_id, st.detect)
        self.unpublished.discard(agent_id)
        self.waiting.pop(agent_id, None)
        if self.tally is not None:
            self.stored.subtract(self.tally(st))
        self.revived += 1
        self.note(st)
        return st

    def _lapse(self, agent_id: str, detect: dict) -> None:
        """Drop the dormancy check that came due while the agent was evicted, as Dormancy.advance
        would have on reviving it then."""
        self.lapsing.pop(agent_id, None)
        due = self.lapsed.pop(agent_id, None)
        if due is not None and detect.get("dormant_due") == due:
            del detect["dormant_due"]

    def revive_waiting(self, agent_id: str) -> AgentState | None:
        """A compacted agent whose lifecycle change or verdict may be due: back (None: not waiting)."""
        return self.revive(agent_id) if agent_id in self.waiting else None

    def waiting_until(self, ts: float) -> list[str]:
        """Compacted agents with a change waiting at or before ``ts`` (in the order they were compacted)."""
        return [a for a, t in self.waiting.items() if t <= ts]

    # -- compaction (no ceiling needed) ------------------------------------------------------
    def due(self, st: AgentState) -> float:
        """When ``st`` may be compacted, in event time (inf: not as it is now); not before its open
        alert windows end (closing one would revive it at once)."""
        if st.suppressions:
            return float("inf")  # the suppression report lists them: they stay
        last = max(st.last_ts, st.lifecycle_ts if st.lifecycle_ts is not None else float("-inf"))
        if st.status == "expired" or st.status == "decommissioned":
            if self.ended is None:
                return float("inf")
            if st.status == "expired" and st.expires_ts is not None:
                last = max(last, st.expires_ts)
            wait = self.ended
        elif self.idle is None:
            return float("inf")
        elif st.seq == 0 and st.status == "unregistered":
            return float("-inf")  # registered (or a verdict came), waiting for its first action
        else:
            wait = self.idle
        for w in st.windows.values():
            if not w.closed and w.end_ts > last:
                last = w.end_ts
        return last + wait

    def note(self, st: AgentState) -> None:
        """``st`` is live, or its status changed: plan its compaction."""
        d = self.due(st)
        if d < self.planned.get(st.agent_id, float("inf")):
            self.planned[st.agent_id] = d
            heapq.heappush(self.queue, (d, st.agent_id))

    def next_compaction(self) -> float:
        return self.queue[0][0] if self.queue else float("inf")

    def compact(self, st: AgentState) -> None:
        """Compact ``st`` now (the engine's call for an agent registered and not acting yet)."""
        self.planned.pop(st.agent_id, None)
        self._evict_one(self.agents.pop(st.agent_id))
        self.compacted += 1

    def compact_due(self, ts: float, keep: str) -> None:
        """Compact the agents planned at or before ``ts`` that still qualify (not ``keep``, acting now),
        at most ``STEP`` of them: a clock that jumps (a worker caught up after a backlog of days)
        makes a whole fleet idle at once, and compacting it in one go held the poll loop ~1 ms per
        agent with a baseline. The rest stay due and go at the next steps; nothing else waits
        for them (a compacted agent returns as it was)."""
        later: list[tuple[float, str]] = []
        done = 0
        while self.queue and self.queue[0][0] <= ts and done < self.STEP:
            planned, agent_id = heapq.heappop(self.queue)
            if self.planned.get(agent_id) != planned:
                continue  # a later plan replaced it
            del self.planned[agent_id]
            st = self.agents.get(agent_id)
            if st is None:
                continue
            d = self.due(st)
            if d <= ts and agent_id != keep:
                self.compact(st)
                done += 1
            elif d != float("inf"):
                later.append((max(d, ts), agent_id))  # the agent acting now: looked at again after it
        for d, agent_id in later:
            self.planned[agent_id] = d
            heapq.heappush(self.queue, (d, agent_id))

    # -- timers and reads ------------------------------------------------------------------
    def wake_due(self, ts: float) -> None:
        """Revive evicted agents whose earliest timer is at or before ``ts`` (before the timers run)."""
        while self.wake and self.wake[0][0] <= ts:
            due, agent_id = heapq.heappop(self.wake)
            if agent_id in self.agents:
                continue
            if self.lapsing.get(agent_id) == due:
                del self.lapsing[agent_id]
                self.lapsed[agent_id] = due
            else:
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
        """An evicted agent's state record, left in the store (a checkpoint persists it); with its
        lapsed dormancy check dropped (the stored one is written again without it)."""
        raw = self.store.get(agent_id)
        if raw is not None and agent_id in self.lapsed:
            r = orjson.loads(raw)
            self._lapse(agent_id, r["detect"])
            raw = encode_record(r)
            self.store.put(agent_id, raw)
        return raw

    def forget(self, agent_id: str) -> None:
        raw = self.store.take(agent_id)
        if raw is not None and self.tally is not None:
            self.stored.subtract(self.tally(AgentState.from_record(orjson.loads(raw), self.checks)))
        self.unpublished.discard(agent_id)
        self.waiting.pop(agent_id, None)
        self.planned.pop(agent_id, None)
        self.lapsing.pop(agent_id, None)
        self.lapsed.pop(agent_id, None)

"""What a host asks of the engine besides events (``Hosting``, a base of ``Engine``; its
attributes are declared in ``core.py``): agents' checkpoint records and the definitions' models,
and putting them back; a streaming host's shares of the fleet (first uses of credentials,
definitions and their instances' lessons), drained for the other workers and merged from them;
the counts and reports of the status file, the metrics and replay's summary.
"""

import heapq

from intentwatch.models.credential_use import CredentialUse
from intentwatch.models.definition_record import DefinitionLesson, DefinitionRecord, SharedDefinition
from intentwatch.models.errors import InputError
from intentwatch.pipeline.engine.control import Lifecycle
from intentwatch.pipeline.engine.eviction import encode_record
from intentwatch.pipeline.engine.response import Output
from intentwatch.pipeline.engine.state import AgentState


class Hosting(Lifecycle):
    """Records, shares and reports for hosts; ``Engine`` (engine.py) is the class to make."""

    # -- checkpoints ---------------------------------------------------------------------------
    def state_record(self, agent_id: str) -> dict | None:
        """The agent's checkpoint record (JSON-serialisable), or None for an unknown agent; an
        evicted agent's comes from the store, where it stays."""
        st = self.agents.get(agent_id)
        if st is None and self.evictor is not None:
            return self.evictor.state_record(agent_id)
        return st.to_record() if st is not None else None

    def state_bytes(self, agent_id: str) -> bytes | None:
        """``state_record`` as JSON bytes: a compacted agent's are its stored record as they are
        (a checkpoint right after a clock jump writes a whole compacted fleet: decoding and
        encoding each record again was most of it)."""
        st = self.agents.get(agent_id)
        if st is None and self.evictor is not None:
            return self.evictor.record(agent_id)
        return encode_record(st.to_record()) if st is not None else None

    def restore_record(self, record: dict) -> None:
        """Put back an agent from its checkpoint record, with its timers."""
        self.restore(AgentState.from_record(record, self.checks))

    def restore(self, st: AgentState) -> None:
        """Put a restored agent back, with its timers."""
        self.agents[st.agent_id] = st
        if st.status == "active" and st.expires_ts is not None:
            heapq.heappush(self._expiries, (st.expires_ts, st.agent_id, st.epoch))
        for ts, _n, _ev in st.pending:
            heapq.heappush(self._pending, (ts + self.grace, next(self._arrival), st.agent_id))
        self.responder.track(st)
        if self.dormancy is not None:
            self.dormancy.track(st)
        if self.evictor is not None:
            self.evictor.note(st)
        self._update_next_due()
        if self.evictor is not None and self.evictor.over():  # a worker restoring more agents than it may hold
            self.evictor.evict(keep=st.agent_id)

    def forget(self, agent_ids: list[str]) -> None:
        """Drop agents whose partitions moved to another worker (their timers lapse harmlessly)."""
        for a in agent_ids:
            self.agents.pop(a, None)
            if self.evictor is not None:
                self.evictor.forget(a)

    def rewind_clock(self) -> None:
        """Forget how far time got (a host whose inputs changed calls this); due work is not lost,
        it runs when time passes it again."""
        self.watermark = float("-inf")

    def definitions_record(self) -> dict:
        """The definitions and their learned models (JSON-able): the engine's, not one agent's."""
        return self.defs.to_record()

    def restore_definitions(self, record: dict) -> None:
        self.defs.restore(record)

    # -- a streaming host's shares of the fleet ---------------------------------------------
    def share_credentials(self) -> bool:
        """A streaming host holds a share of the fleet: queue this engine's first uses of
        credentials for the other workers (``drain_credential_uses``). False when the fleet-wide
        check (``credential.shared``) is off, so there is nothing to share."""
        shared = self.behaviour.shared if self.behaviour is not None else None
        if shared is not None:
            shared.registry.publish = True
        return shared is not None

    def drain_credential_uses(self) -> list[CredentialUse]:
        """First uses of credentials seen here since the last call, for the other workers."""
        shared = self.behaviour.shared if self.behaviour is not None else None
        return shared.registry.drain() if shared is not None else []

    def merge_credential_use(self, use: CredentialUse) -> list[Output]:
        """Another streaming worker's agent first used a credential (``pipeline/engine/credentials.py``)."""
        shared = self.behaviour.shared if self.behaviour is not None else None
        if shared is None:
            return []
        shared.registry.merge(use)
        return self._late_shared()

    def credential_users(self, credential_id: str) -> list[str]:
        """The agents known to have used ``credential_id`` (a merged use may change their state)."""
        shared = self.behaviour.shared if self.behaviour is not None else None
        return list(shared.registry.users.get(credential_id, ())) if shared is not None else []

    def share_definitions(self) -> None:
        """A streaming host holds a share of the fleet: queue what this engine's instances teach
        their definitions, and the definitions it registers, for the other workers
        (``drain_definition_records``)."""
        self.defs.publish = True

    def drain_definition_records(self) -> list[DefinitionRecord]:
        """Lessons of instances that ended clean here, and definitions registered here, since the last call."""
        return self.defs.drain()

    def withdraw_definition_lessons(self, lessons: list[DefinitionLesson]) -> None:
        """Lessons drained from here and never committed: the host rolled back to its last
        checkpoint (a revoke that could not commit), so their instances are read again, here or
        by the partitions' next owner, and teach them again. Undone, as far as the models' bounds allow."""
        for lesson in lessons:
            self.defs.unlearn(lesson)

    def merge_definition_record(self, record: DefinitionRecord) -> None:
        """Another worker's lesson or definition (or one read back after a restart): fold it in.
        Raises ``InputError`` when it would be one definition too many, for the host to dead-letter."""
        if isinstance(record, SharedDefinition):
            self.defs.register(record.manifest, share=False)
            self.stats["definitions_merged"] += 1
        elif self.defs.learn(record):
            self.stats["definition_lessons_merged"] += 1
        else:
            raise InputError("", f"definition {record.definition[:80]!r} would be one more model than the engine keeps",
                             "definitions_full")

    # -- counts and reports -----------------------------------------------------------------
    @property
    def withheld(self) -> int:
        """Revocation commands the circuit breaker held back."""
        return self.responder.withheld

    def agent_counts(self) -> tuple[int, int]:
        """(agents held as live state, agents held as their record in the store)."""
        return len(self.agents), len(self.evictor.store) if self.evictor is not None else 0

    def warm_agents(self) -> int:
        """Agents whose baseline left warm-up (their learned findings are raised)."""
        stored = self.evictor.stored["warm"] if self.evictor is not None else 0
        return stored + sum(1 for st in self.agents.values() if st.baseline is not None and st.baseline.warm())

    def learning_report(self) -> dict[str, int]:
        """How far the learned side got with the agents that acted (``Behaviour.report``)."""
        if self.behaviour is None:
            return {"judged": 0, "warming": 0, "never_warm": 0, "unregistered_unjudged": 0}
        r = self.behaviour.report(self.agents)
        if self.evictor is not None:  # and the compacted agents'
            r = {k: v + self.evictor.stored[k] for k, v in r.items()}
        return r

    def suppression_report(self) -> list[dict]:
        """Every suppression in force or ended, with what it hid."""
        return [{"agent_id": st.agent_id, **s.to_record(), "matches": s.matches()}
                for st in self.agents.values() for s in st.suppressions]

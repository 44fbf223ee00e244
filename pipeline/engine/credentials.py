"""Which agents a credential acted for, fleet-wide: the learned state that is not per agent.

A credential acting for two agents is shared or stolen (OWASP NHI). Each agent's first use
of a credential is kept with its event time; an agent whose first use of a credential comes
after another agent's, and whose manifest does not declare it, raises ``credential.shared``
(``pipeline/engine/behaviour.py``), once per agent and credential.

Replay holds the whole fleet in one engine. A streaming worker holds a share of it, so it
publishes its agents' first uses (``outbox``) to the compacted credentials topic and merges
everyone's (``merge``). A first use that arrives after a later one (from another worker, or
from a partition that lags) puts the later user in ``late``, so it is still flagged: which
partition or worker runs ahead does not decide the outcome.
"""

from dataclasses import dataclass

from intentwatch.models.credential_use import CredentialUse


@dataclass(slots=True)
class FirstUse:
    ts: float
    event_id: str
    flagged: bool = False  # credential.shared raised (or due) for this agent and credential


class CredentialRegistry:
    """First uses per credential, for at most ``max_credentials`` credentials (the one used
    longest ago is forgotten first). With ``publish`` (a streaming host), first
    uses observed here also queue in ``outbox`` until ``drain``.

    >>> r = CredentialRegistry(publish=True)
    >>> r.observe("key-9", "agent-a", 100.0, "e1") is None   # the first user
    True
    >>> r.observe("key-9", "agent-b", 160.0, "e2")           # a second agent: who was first
    ('agent-a', FirstUse(ts=100.0, event_id='e1', flagged=False))
    >>> r.observe("key-9", "agent-b", 200.0, "e3") is None   # once per agent
    True
    >>> [u.agent_id for u in r.drain()]                      # for the credentials topic
    ['agent-a', 'agent-b']
    >>> r.observe("key-7", "agent-b", 300.0, "e4"), r.observe("key-7", "agent-a", 250.0, "e5")  # out of order
    (None, None)
    >>> [(first, later) for _, first, _, later, _ in r.take_late()]
    [('agent-a', 'agent-b')]
    """

    def __init__(self, max_credentials: int = 100_000, publish: bool = False):
        self.max_credentials = max_credentials
        self.publish = publish
        self.users: dict[str, dict[str, FirstUse]] = {}
        self.outbox: list[CredentialUse] = []
        # (credential, first agent, its use, later agent, its use): later users found late
        self.late: list[tuple[str, str, FirstUse, str, FirstUse]] = []

    def observe(self, cred: str, agent: str, ts: float, event_id: str) -> tuple[str, FirstUse] | None:
        """``agent`` acted with ``cred``. On its first use, the other agent that used the
        credential first (and that use), if any; else None."""
        users = self.users.pop(cred, None)
        if users is None:
            users = self._add(cred)
        else:
            self.users[cred] = users  # now the most recently used
            known = users.get(agent)
            if known is not None:
                # The same first use read again (a host reading on from its last checkpoint, the
                # agent restored from before it): the same answer, so its outputs come again.
                return _earliest(users, agent, known.ts) if known.event_id == event_id else None
        mine = users[agent] = FirstUse(ts, event_id)
        if self.publish:
            self.outbox.append(CredentialUse(credential_id=cred, agent_id=agent, first_seen=ts, event_id=event_id))
        self._note_later(cred, users, agent, mine)
        return _earliest(users, agent, ts)

    def merge(self, use: CredentialUse) -> None:
        """Another worker's first use (agents known here that used it later go to ``late``)."""
        users = self.users.get(use.credential_id)
        if users is None:
            users = self._add(use.credential_id)
        elif use.agent_id in users:
            return
        theirs = users[use.agent_id] = FirstUse(use.first_seen, use.event_id)
        self._note_later(use.credential_id, users, use.agent_id, theirs)

    def take_late(self) -> list[tuple[str, str, FirstUse, str, FirstUse]]:
        """Later users found since the last call, with the first use that makes them later."""
        out, self.late = self.late, []
        return out

    def _note_later(self, cred: str, users: dict[str, FirstUse], agent: str, use: FirstUse) -> None:
        for other, u in users.items():
            if u.ts > use.ts and not u.flagged and other != agent:
                self.late.append((cred, agent, use, other, u))

    def drain(self) -> list[CredentialUse]:
        """First uses observed since the last drain (a streaming host publishes them)."""
        out, self.outbox = self.outbox, []
        return out

    def _add(self, cred: str) -> dict[str, FirstUse]:
        if len(self.users) >= self.max_credentials:
            del self.users[next(iter(self.users))]
        users = self.users[cred] = {}
        return users


def _earliest(users: dict[str, FirstUse], agent: str, ts: float) -> tuple[str, FirstUse] | None:
    first = min(((u.ts, a) for a, u in users.items() if a != agent and u.ts <= ts), default=None)
    return None if first is None else (first[1], users[first[1]])

"""What the engine keeps per agent: its intent in force, lifecycle status, counters.

Small and flat on purpose: the streaming worker persists it through a changelog.
"""

from dataclasses import dataclass, field
from typing import Literal

from models.intent import IntentManifest
from pipeline.scope import Scope

Status = Literal["unregistered", "active", "expired", "decommissioned"]


@dataclass(slots=True)
class AgentState:
    agent_id: str
    status: Status = "unregistered"
    manifest: IntentManifest | None = None
    scope: Scope | None = None
    epoch: str = ""                    # event id of the lifecycle event in force
    lifecycle_ts: float | None = None  # its event time, to apply lifecycle in event-time order
    expires_ts: float | None = None
    seq: int = 0                       # actions seen for this agent, 1-based after the first
    tokens: float = 0.0                # rate-limit token bucket
    tokens_ts: float = 0.0
    commands: set[str] = field(default_factory=set)  # command actions already issued this epoch

    def apply_manifest(self, manifest: IntentManifest, epoch: str, ts: float, expires_ts: float | None) -> None:
        first = self.status != "active"
        self.manifest, self.scope, self.epoch = manifest, Scope(manifest), epoch
        self.status, self.lifecycle_ts, self.expires_ts = "active", ts, expires_ts
        self.commands = set()
        cap = self.scope.rate_capacity
        if cap is not None and (first or self.tokens > cap):
            self.tokens, self.tokens_ts = cap, ts

"""Lifecycle events on ``agent.lifecycle``: instantiate, update, decommission.

A union on the ``kind`` tag: a bad event gets one focused error, and validation picks
the branch without trying the others.
"""

import hashlib
from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from intentwatch.models.action import EventTime
from intentwatch.models.intent import IntentManifest
from intentwatch.models.signature import Signature


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class _LifecycleBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    event_id: str = Field(min_length=1, max_length=200)
    agent_id: str = Field(min_length=1, max_length=200)
    time: EventTime
    actor: str | None = Field(default=None, description="Who or what issued the change.")
    signature: Signature | None = Field(default=None, description="Detached signature of the event by a trust-file key.")


class Instantiate(_LifecycleBase):
    """The agent is created for a task, under this manifest."""

    kind: Literal["instantiate"] = "instantiate"
    manifest: IntentManifest


    @classmethod
    def of_manifest(cls, m: IntentManifest) -> "Instantiate":
        """The instantiation a registered manifest file stands for: in force from its ``issued_at``
        (or the start of time). A function of the manifest alone, so a signed manifest vouches for it."""
        digest = hashlib.sha256(m.model_dump_json(exclude={"signature"}).encode()).hexdigest()[:12]
        return cls(event_id=f"manifest:{m.agent_id}:{digest}", agent_id=m.agent_id, time=m.issued_at or EPOCH,
                   actor="manifest", manifest=m)


class Update(_LifecycleBase):
    """The intent or the model changes. ``approved_by`` empty means unreviewed."""

    kind: Literal["update"] = "update"
    manifest: IntentManifest
    approved_by: str | None = None
    reason: str | None = None


class Decommission(_LifecycleBase):
    """The task ended: every later action of this agent is a zombie action."""

    kind: Literal["decommission"] = "decommission"
    reason: str | None = None


LifecycleEvent = Annotated[Instantiate | Update | Decommission, Field(discriminator="kind")]
LIFECYCLE_ADAPTER: TypeAdapter[Instantiate | Update | Decommission] = TypeAdapter(LifecycleEvent)

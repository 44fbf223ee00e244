"""Lifecycle events on ``agent.lifecycle``: instantiate, update, decommission.

A union on the ``kind`` tag: a bad event gets one focused error, and validation picks
the branch without trying the others.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from intentwatch.models.action import EventTime
from intentwatch.models.intent import IntentManifest


class _LifecycleBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    event_id: str = Field(min_length=1, max_length=200)
    agent_id: str = Field(min_length=1, max_length=200)
    time: EventTime
    actor: str | None = Field(default=None, description="Who or what issued the change.")


class Instantiate(_LifecycleBase):
    """The agent is created for a task, under this manifest."""

    kind: Literal["instantiate"] = "instantiate"
    manifest: IntentManifest


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

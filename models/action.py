"""The action event: one thing an agent did (a tool call, a read, a settings change)."""

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# What an action does to its resource. Adapters map foreign verbs onto these
# (CloudTrail ``List*``/``Describe*`` -> list/read, ``Put*Policy`` -> grant, ...).
Operation = Literal[
    "read", "list", "write", "delete", "execute", "send", "configure", "grant", "invoke", "authenticate"
]
OPERATIONS: tuple[str, ...] = Operation.__args__  # type: ignore[attr-defined]


class ModelRef(BaseModel):
    """The model an agent runs on: provider id and version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    version: str | None = Field(default=None, max_length=100)

    def __str__(self) -> str:
        return f"{self.id}@{self.version}" if self.version else self.id


class Action(BaseModel):
    """One action taken by an agent, as producers put it on ``agent.actions``.

    Unknown extra fields are kept (``extra='allow'``): producers add context we do not
    model yet, and a SIEM downstream may want it.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    version: Literal[1] = 1
    event_id: str = Field(min_length=1, max_length=200, description="Unique id, used for de-duplication.")
    agent_id: str = Field(min_length=1, max_length=200)
    time: AwareDatetime = Field(description="Event time; any UTC offset is accepted.")
    tool: str = Field(min_length=1, max_length=300)
    operation: Operation
    resource: str | None = Field(default=None, max_length=2000)
    data_domain: str | None = Field(default=None, max_length=200)
    outcome: Literal["success", "failure", "denied", "error"] = "success"
    credential_id: str | None = Field(default=None, max_length=300)
    source_ip: str | None = Field(default=None, max_length=64)
    model: ModelRef | None = None
    task_id: str | None = Field(default=None, max_length=200)
    session_id: str | None = Field(default=None, max_length=200)
    bytes: int = Field(default=0, ge=0, description="Bytes moved by the action (payload size).")
    attributes: dict[str, Any] = Field(default_factory=dict)

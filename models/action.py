"""The action event: one thing an agent did (a tool call, a read, a settings change)."""

from datetime import datetime, timezone
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, GetPydanticSchema, WithJsonSchema
from pydantic_core import core_schema

# What an action does to its resource. Adapters map foreign verbs onto these
# (CloudTrail ``List*``/``Describe*`` -> list/read, ``Put*Policy`` -> grant, ...).
Operation = Literal[
    "read", "list", "write", "delete", "execute", "send", "configure", "grant", "invoke", "authenticate"
]
OPERATIONS: tuple[str, ...] = Operation.__args__  # type: ignore[attr-defined]

# The tools an agent's own use of its model goes by: a model call, or the agent's run itself (the
# OpenTelemetry GenAI operations, as the adapters name them: ``gen_ai.<operation>``, operation
# ``invoke``). The manifest's ``model`` judges them; ``allowed.tools`` and ``allowed.operations``
# list what the agent does with tools (rules.yaml: ``judge_model_use``).
MODEL_USE: frozenset[str] = frozenset({"gen_ai.chat", "gen_ai.text_completion", "gen_ai.generate_content", "gen_ai.invoke_agent"})
# The agent's context as its framework reads and keeps it (pipeline/io/adapters/retrievals.py): documents a
# retriever returns, memories searched (``read``: their documents are results, a poisoned one is an injection),
# written or deleted. No tool the model chose: judged with its model use.
CONTEXT_USE: frozenset[str] = frozenset({"gen_ai.retrieval", "gen_ai.search_memory", "gen_ai.create_memory",
                                         "gen_ai.update_memory", "gen_ai.upsert_memory", "gen_ai.delete_memory"})

# Every time on the wire is an RFC 3339 string (no epoch numbers, so ``time: -1`` is refused)
# inside these bounds, far from datetime's year 1 and 9999, so the engine's arithmetic on it
# (offsets, ttl, windows) never leaves datetime's range.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _not_a_number(v: Any) -> Any:
    # pydantic's strict mode would refuse numbers too, but also the strings a state record
    # or a YAML file hands to validate_python; this refuses only numbers (and booleans).
    if isinstance(v, (int, float)):
        raise ValueError("a time must be an RFC 3339 string, not a number")
    return v


# The bounds and the UTC offset checked inside pydantic-core's datetime validator: as
# ``Field(ge=, lt=)`` on ``AwareDatetime`` pydantic runs them as Python, ~2 us more per time,
# paid on every action decoded.
EventTime = Annotated[
    datetime,
    GetPydanticSchema(lambda _t, _h: core_schema.datetime_schema(ge=EARLIEST, lt=LATEST, tz_constraint="aware")),
    BeforeValidator(_not_a_number),
    WithJsonSchema({"type": "string", "format": "date-time", "ge": "1970-01-01T00:00:00Z", "lt": "2200-01-01T00:00:00Z"}),
]
MAX_BYTES = 1 << 50  # 1 PiB: more than any one action moves, far below float and int64 trouble


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
    time: EventTime = Field(description="Event time, RFC 3339; any UTC offset is accepted (1970 to 2200).")
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
    bytes: int = Field(default=0, ge=0, le=MAX_BYTES, strict=True, description="Bytes moved by the action (payload size); "
                       "an integer (no booleans, no floats).")
    attributes: dict[str, Any] = Field(default_factory=dict)


def action_line(a: Action) -> bytes:
    """The action as one JSON line, as our producers write it (the bridge, ``produce --format``) and
    as the engine fingerprints its content: the bytes of ``a.model_dump_json(exclude_none=True)``,
    made by orjson at under half the cost (tests/unit/test_action_line.py holds them equal). What
    orjson refuses (a Decimal, an int past 64 bits, bytes, a set) goes to pydantic's serializer."""
    d = {k: v for k, v in a.__dict__.items() if v is not None}
    if a.model is not None:
        d["model"] = {k: v for k, v in a.model.__dict__.items() if v is not None}
    extra = a.__pydantic_extra__
    if extra:
        d.update((k, v) for k, v in extra.items() if v is not None)
    try:
        return orjson.dumps(d, option=orjson.OPT_UTC_Z)
    except TypeError:  # (orjson.JSONEncodeError is one)
        return a.model_dump_json(exclude_none=True).encode()

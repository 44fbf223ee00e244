"""The mapping file that ``format: mapped`` reads (mapped.py maps records with it): its model,
validated from YAML, and the paths its fields are read at, compiled. pydantic models, so plain
Python: mapped.py is compiled with mypyc, which cannot compile them. ``docs/inputs.md`` describes
every key."""

import re
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.io.codec import describe

from .verbs import ToolOperations

ActionField = Literal["event_id", "agent_id", "time", "tool", "operation", "resource", "data_domain", "outcome",
                      "credential_id", "source_ip", "model", "task_id", "session_id", "bytes"]
TimeFormat = Literal["iso8601", "unix_s", "unix_ms", "unix_us", "unix_ns"]
_STEP = re.compile(r'\["([^"]*)"\]|([^.\[\]]+)|\[(\d+)\]')  # a quoted key (it may hold dots), a key, an index
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


class _Keys(tuple):
    """A compiled path of object keys only (no list index): resolved by plain indexing."""


def compile_path(path: str) -> tuple[str | int, ...]:
    """``"a.b[0].c"`` -> ``("a", "b", 0, "c")``; a key holding dots is quoted: ``a["b.c"]``; ``@`` is the
    record itself (a flat log's whole event as a call's arguments).

    >>> compile_path("request.params.arguments[0].to")
    ('request', 'params', 'arguments', 0, 'to')
    >>> compile_path('identity.claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"]')[2][:11]
    'http://sche'
    >>> compile_path("@")
    ()
    """
    if path == "@":
        return _Keys()
    steps: list[str | int] = []
    pos = 0
    for m in _STEP.finditer(path):
        if m.start() != pos and path[pos:m.start()] != ".":
            raise ValueError(f"bad path {path!r} at {pos}")
        quoted, key, index = m.groups()
        steps.append(quoted if quoted is not None else key if key is not None else int(index))
        pos = m.end()
    if not steps or pos != len(path):
        raise ValueError(f"bad path {path!r}")
    return _Keys(steps) if all(isinstance(s, str) for s in steps) else tuple(steps)


class FieldSpec(BaseModel):
    """Where one field's value comes from. A bare string in the YAML is ``{path: ...}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str | list[str] | None = Field(None, description="Dotted path, or alternatives tried in order.")
    template: str | None = Field(None, description="Text with {path} placeholders; missing if any path is.")
    const: Any = Field(None, description="A constant value.")
    map: dict[str, Any] = Field(default_factory=dict, description="Value map; keys are the values as text.")
    default: Any = Field(None, description="Used when the value is missing.")
    verbs: bool = Field(False, description="operation only: map the value (a tool name) through its verb.")

    @model_validator(mode="after")
    def _one_source(self) -> "FieldSpec":
        given = [k for k in ("path", "template", "const") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of path, template, const (got {', '.join(given)})")
        if not given and self.default is None:
            raise ValueError("give path, template or const (or at least a default)")
        for p in self.paths():
            compile_path(p)
        return self

    def paths(self) -> list[str]:
        if self.path is not None:
            return [self.path] if isinstance(self.path, str) else list(self.path)
        if self.template is not None:
            return _TEMPLATE.findall(self.template)
        return []


class Mapping(BaseModel):
    """A mapping file: how records of one log become actions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=100, description="Names the mapping; prefixes hashed event ids.")
    description: str = ""
    records: str | list[str] | None = Field(None, description="Path to the list of records inside each document, or "
                                                              "alternatives tried in order (the first that holds a list, or "
                                                              "an object: one record; @ the document itself).")
    where: dict[str, Any] = Field(default_factory=dict, description="path -> value (or list of values) a record "
                                                                    "must have to become an action.")
    time_format: TimeFormat | str = Field("iso8601", description="iso8601, unix_s/ms/us/ns, or a strptime pattern.")
    timezone: str = Field("UTC", description="Offset for times written without one: UTC or +HH:MM.")
    fields: dict[ActionField, FieldSpec | str]
    attributes: dict[str, FieldSpec | str] = Field(default_factory=dict)
    tools: ToolOperations = Field(default_factory=ToolOperations)

    @field_validator("fields", "attributes", mode="after")
    @classmethod
    def _specs(cls, v: dict[str, FieldSpec | str]) -> dict[str, FieldSpec | str]:
        return {k: FieldSpec(path=s) if isinstance(s, str) else s for k, s in v.items()}

    @field_validator("fields", mode="after")
    @classmethod
    def _required(cls, v: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        missing = [f for f in ("agent_id", "time", "tool") if f not in v]
        if missing:
            raise ValueError(f"fields must say where {', '.join(missing)} come(s) from")
        return v

    @field_validator("records")
    @classmethod
    def _records(cls, v: str | list[str] | None) -> str | list[str] | None:
        for p in [v] if isinstance(v, str) else v or ():
            compile_path(p)
        return v

    def record_paths(self) -> list[str]:
        return [self.records] if isinstance(self.records, str) else list(self.records or ())

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        _offset(v)
        return v

    @classmethod
    def load(cls, path: str | Path) -> "Mapping":
        """From a YAML file; a bad file raises ConfigError naming the file and every problem."""
        try:
            data = yaml.safe_load(Path(path).read_text())
            return cls.model_validate(data)
        except (OSError, yaml.YAMLError) as e:
            raise ConfigError(f"{path}: {e}") from None
        except ValidationError as e:
            raise ConfigError(f"{path}: {describe(e)}") from None


def _offset(tz: str) -> timezone:
    if tz.upper() in ("UTC", "Z"):
        return timezone.utc
    m = re.fullmatch(r"([+-])(\d\d):?(\d\d)", tz)
    if not m:
        raise ValueError(f"timezone {tz!r}: write UTC or an offset like +02:00")
    delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
    return timezone(delta if m.group(1) == "+" else -delta)

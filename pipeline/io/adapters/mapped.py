"""Any JSON log -> actions, through a declarative mapping file (no code).

A mapping (YAML, validated by ``Mapping``, mapping.py) says, per action field, where its value is in a
record: a dotted path (``request.params.name``, ``items[0].id``), alternatives tried in
order, a constant, or a template (``"{server}/{request.params.name}"``), then an optional
value map (``{true: error, false: success}``) and a default. ``where`` keeps only the
records an action is made from (a gateway's ``tools/call`` lines, not its ``tools/list``);
the others are skipped and counted. Without an ``event_id`` field the id is a hash of the
record's bytes (deterministic: a replayed file gives the same ids). Without an
``operation`` field it comes from the tool's verb (``ToolOperations``).

A worked example: ``deploy/mappings/mcp-gateway.yaml`` reads an MCP gateway's ``tools/call``
audit log. ``docs/inputs.md`` describes every key.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from intentwatch.pipeline.io.deadletter import failure

from .base import EPOCH, BadRecord, JsonInput, Result, make_action
from .libs import dumps
from .mapping import _TEMPLATE, FieldSpec, Mapping, _Keys, _offset, compile_path

_MISSING = object()
# Microseconds per unit of a unix_* time_format (an int, or a float, stays what it is: a float
# typed table would turn exact int products into floats, compiled).
_MICROSECONDS: Final[dict[str, int | float]] = {"unix_s": 1_000_000, "unix_ms": 1000, "unix_us": 1, "unix_ns": 0.001}


def resolve(record: Any, steps: tuple[str | int, ...]) -> Any:
    """The value at ``steps`` in ``record``, or ``_MISSING``."""
    value = record
    if steps.__class__ is _Keys:  # only object keys: ``get``, as optional paths often miss (a raise costs more)
        for step in steps:
            if value.__class__ is not dict:
                return _MISSING
            value = value.get(step)
        return _MISSING if value is None else value
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return _MISSING
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return _MISSING
            value = value[step]
    return _MISSING if value is None else value


def _key(value: Any) -> str:
    """A value as a value-map key: ``True`` -> ``"true"``, ``42`` -> ``"42"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else dumps(value).decode()


class _Compiled:
    """A FieldSpec with its paths compiled once, read by ``value(record)``: a function made for
    the spec's shape (a constant; one path or alternatives; a template), so a record pays no
    dispatch on the spec."""

    __slots__ = ("spec", "value")

    def __init__(self, spec: FieldSpec):
        self.spec = spec
        self.value: Callable[[Any], Any] = _reader(spec)


def _reader(spec: FieldSpec) -> Callable[[Any], Any]:
    const, vmap, default = spec.const, spec.map, spec.default
    if const is not None:
        return lambda record: const
    if spec.template is not None:
        template = spec.template
        parts = [(m.group(0), compile_path(m.group(1))) for m in _TEMPLATE.finditer(template)]

        def filled(record: Any) -> Any:
            text = template
            for placeholder, steps in parts:
                part = record
                if steps.__class__ is _Keys:  # resolve() inline
                    for step in steps:
                        if part.__class__ is not dict:
                            return default
                        part = part.get(step)
                    if part is None:
                        return default
                else:
                    part = resolve(record, steps)
                    if part is _MISSING:
                        return default
                text = text.replace(placeholder, part if part.__class__ is str else _key(part))
            return vmap.get(text, text) if vmap else text
        return filled
    paths = [compile_path(p) for p in (spec.path if isinstance(spec.path, list) else [spec.path])] \
        if spec.path is not None else []
    if len(paths) == 1 and paths[0].__class__ is _Keys and not vmap:
        keys = paths[0]

        def at(record: Any) -> Any:  # one path of object keys: resolve() inline, the common case
            for step in keys:
                if record.__class__ is not dict:
                    return default
                record = record.get(step)
            return default if record is None else record
        return at

    if all(p.__class__ is _Keys for p in paths):
        # Alternatives of object keys (``args.path``, ``args.url``...): their common prefix walked
        # once, then each rest; resolve() inline.
        common = 0
        while all(len(p) > common + 1 and p[common] == paths[0][common] for p in paths):
            common += 1
        prefix, rests = paths[0][:common], [p[common:] for p in paths]

        def first_of_keys(record: Any) -> Any:
            for step in prefix:
                if record.__class__ is not dict:
                    return default
                record = record.get(step)
            for keys in rests:
                value = record
                for step in keys:
                    if value.__class__ is not dict:
                        value = None
                        break
                    value = value.get(step)
                if value is not None:
                    return vmap.get(_key(value), value) if vmap else value
            return default
        return first_of_keys

    def first(record: Any) -> Any:
        for steps in paths:
            value = resolve(record, steps)
            if value is not _MISSING:
                return vmap.get(_key(value), value) if vmap else value
        return default
    return first


class MappedAdapter(JsonInput):
    """Records of a JSON log -> actions, as a ``Mapping`` says. One instance per run."""

    def __init__(self, mapping: Mapping):
        self.mapping = mapping
        self.name = f"mapped:{mapping.name}"
        self.skipped: Counter[str] = Counter()
        self._fields = {k: _Compiled(s) for k, s in mapping.fields.items()}  # type: ignore[arg-type]
        self._attributes = {k: _Compiled(s) for k, s in mapping.attributes.items()}  # type: ignore[arg-type]
        self._where = [(compile_path(p), p, {_key(x) for x in (v if isinstance(v, list) else [v])})
                       for p, v in mapping.where.items()]
        self._records = compile_path(mapping.records) if mapping.records else None
        self._tz = _offset(mapping.timezone)
        self._readers = [(k, c.value) for k, c in self._fields.items()]
        self._attribute_readers = [(k, c.value) for k, c in self._attributes.items()]
        self._operation = self._fields.get("operation")
        self._tools = mapping.tools

    def read(self, path: str | Path) -> Iterator[Result]:
        """A JSON-lines log, or one JSON document (a list of records, or ``records:`` inside it)."""
        return self.read_json(path)

    def _document(self, doc: Any, raw: bytes, source: str) -> Iterator[Result]:
        if self._records is not None:
            records = resolve(doc, self._records)
            if not isinstance(records, list):
                yield BadRecord(source, f"no list of records at {self.mapping.records!r}", raw)
                return
            items = ((r, f"{source}#{self.mapping.records}[{i}]") for i, r in enumerate(records))
        elif isinstance(doc, list):
            items = ((r, f"{source}#[{i}]") for i, r in enumerate(doc))
        else:
            result = self._one(doc, raw, source)
            if result is not None:
                yield result
            return
        for record, where in items:
            result = self._one(record, None, where)
            if result is not None:
                yield result

    def _one(self, record: Any, raw: bytes | None, source: str) -> Result | None:
        """The action of one record, a bad record, or None (skipped by ``where``)."""
        if not isinstance(record, dict):
            return BadRecord(source, f"record is a JSON {type(record).__name__}, not an object", raw or b"")
        try:
            return self._mapped(record, raw, source)
        except Exception as e:  # noqa: BLE001 - a record of an unforeseen shape costs that record
            return BadRecord(source, failure(e), raw or dumps(record))

    def _mapped(self, record: dict[str, Any], raw: bytes | None, source: str) -> Result | None:
        for steps, path, allowed in self._where:
            value = resolve(record, steps)
            if value is _MISSING or (value if value.__class__ is str else _key(value)) not in allowed:
                self.skipped[f"{path}={'(missing)' if value is _MISSING else _key(value)[:40]}"] += 1
                return None
        if raw is None:
            raw = dumps(record)
        fields: dict[str, Any] = {}
        for name, value_of in self._readers:
            value = value_of(record)
            if value is not None:
                fields[name] = value
        if "agent_id" not in fields or "time" not in fields or "tool" not in fields:
            missing = [f for f in ("agent_id", "time", "tool") if f not in fields]
            return BadRecord(source, "; ".join(f"{f}: nothing at {self._where_from(f)}" for f in missing), raw)
        event_id = fields.get("event_id")
        if event_id is None:
            fields["event_id"] = f"{self.mapping.name}:{hashlib.sha256(raw).hexdigest()[:24]}"
        elif event_id.__class__ is not str:
            fields["event_id"] = _key(event_id)
        try:
            fields["time"] = self._time(fields["time"])
        except (TypeError, ValueError, OverflowError) as e:
            return BadRecord(source, f"time: {e} (time_format {self.mapping.time_format})", raw)
        tool, tools = fields["tool"], self._tools
        if self._operation is None:
            if tool.__class__ is str:
                fields["operation"] = tools(tool)
        elif self._operation.spec.verbs and fields.get("operation").__class__ is str:
            fields["operation"] = tools.tools.get(tool) or tools(fields["operation"])
        if fields.get("model").__class__ is str:
            fields["model"] = {"id": fields["model"]}
        attributes = {}
        for key, value_of in self._attribute_readers:
            value = value_of(record)
            if value is not None:
                attributes[key] = value
        if attributes:
            fields["attributes"] = attributes
        return make_action(fields, source, raw)

    def _where_from(self, name: str) -> str:
        spec = self.mapping.fields[name]  # type: ignore[index]
        return ", ".join(spec.paths()) if isinstance(spec, FieldSpec) else str(spec)

    def _time(self, value: Any) -> datetime:
        fmt = self.mapping.time_format
        if fmt == "iso8601":
            if not isinstance(value, str):
                raise ValueError(f"{value!r} is not ISO 8601 text")
            t = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
        elif fmt.startswith("unix_"):
            if isinstance(value, str):
                value = float(value) if "." in value else int(value)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{value!r} is not a number")
            return EPOCH + timedelta(microseconds=round(value * _MICROSECONDS[fmt]))
        else:
            if not isinstance(value, str):
                raise ValueError(f"{value!r} is not text")
            t = datetime.strptime(value, fmt)
        return t if t.tzinfo is not None else t.replace(tzinfo=self._tz)

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
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, cast

from intentwatch.pipeline.io.deadletter import failure

from .base import EPOCH, BadRecord, JsonInput, Result, make_action
from .libs import dumps_any
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
    return value if isinstance(value, str) else dumps_any(value).decode()


class _Reader:
    """Reads one field of a record: a class per spec shape (a constant; one path or alternatives;
    a template), made for it at load, so a record pays no dispatch on the spec (and, compiled,
    calls it directly)."""

    def value(self, record: Any) -> Any:
        raise NotImplementedError


class _Const(_Reader):
    def __init__(self, const: Any):
        self.const = const

    def value(self, record: Any) -> Any:
        return self.const


class _Template(_Reader):
    def __init__(self, template: str, vmap: dict[str, Any], default: Any):
        self.template, self.vmap, self.default = template, vmap, default
        self.parts = [(m.group(0), compile_path(m.group(1))) for m in _TEMPLATE.finditer(template)]

    def value(self, record: Any) -> Any:
        text = self.template
        for placeholder, steps in self.parts:
            part = record
            if steps.__class__ is _Keys:  # resolve() inline
                for step in steps:
                    if type(part) is not dict:
                        return self.default
                    part = part.get(step)
                if part is None:
                    return self.default
            else:
                part = resolve(record, steps)
                if part is _MISSING:
                    return self.default
            text = text.replace(placeholder, part if type(part) is str else _key(part))
        return self.vmap.get(text, text) if self.vmap else text


class _At(_Reader):
    """One path of object keys and no value map: resolve() inline, the common case."""

    def __init__(self, keys: tuple[str | int, ...], default: Any):
        self.keys, self.default = keys, default

    def value(self, record: Any) -> Any:
        for step in self.keys:
            if type(record) is not dict:
                return self.default
            record = record.get(step)
        return self.default if record is None else record


class _FirstOfKeys(_Reader):
    """Alternatives of object keys (``args.path``, ``args.url``...): their common prefix walked
    once, then each rest; resolve() inline."""

    def __init__(self, paths: list[tuple[str | int, ...]], vmap: dict[str, Any], default: Any):
        common = 0
        while all(len(p) > common + 1 and p[common] == paths[0][common] for p in paths):
            common += 1
        self.prefix, self.rests = paths[0][:common], [p[common:] for p in paths]
        self.vmap, self.default = vmap, default

    def value(self, record: Any) -> Any:
        for step in self.prefix:
            if type(record) is not dict:
                return self.default
            record = record.get(step)
        for keys in self.rests:
            value = record
            for step in keys:
                if type(value) is not dict:
                    value = None
                    break
                value = value.get(step)
            if value is not None:
                return self.vmap.get(_key(value), value) if self.vmap else value
        return self.default


class _First(_Reader):
    """Alternatives, some with a list index: the first present."""

    def __init__(self, paths: list[tuple[str | int, ...]], vmap: dict[str, Any], default: Any):
        self.paths, self.vmap, self.default = paths, vmap, default

    def value(self, record: Any) -> Any:
        for steps in self.paths:
            value = resolve(record, steps)
            if value is not _MISSING:
                return self.vmap.get(_key(value), value) if self.vmap else value
        return self.default


def _reader(spec: FieldSpec) -> _Reader:
    if spec.const is not None:
        return _Const(spec.const)
    if spec.template is not None:
        return _Template(spec.template, spec.map, spec.default)
    paths = [compile_path(p) for p in (spec.path if isinstance(spec.path, list) else [spec.path])] \
        if spec.path is not None else []
    if not paths:  # only a default (the alternatives' prefix below would never end on no paths)
        return _Const(spec.default)
    if len(paths) == 1 and paths[0].__class__ is _Keys and not spec.map:
        return _At(paths[0], spec.default)
    if all(p.__class__ is _Keys for p in paths):
        return _FirstOfKeys(paths, spec.map, spec.default)
    return _First(paths, spec.map, spec.default)


class MappedAdapter(JsonInput):
    """Records of a JSON log -> actions, as a ``Mapping`` says. One instance per run."""

    def __init__(self, mapping: Mapping):
        self.mapping = mapping
        self.name = f"mapped:{mapping.name}"
        self.skipped: Counter[str] = Counter()
        self._where = [(compile_path(p), p, {_key(x) for x in (v if isinstance(v, list) else [v])})
                       for p, v in mapping.where.items()]
        self._records = [(p, compile_path(p)) for p in mapping.record_paths()]
        self._tz = _offset(mapping.timezone)
        # (the model's validators made every spec a FieldSpec; its annotation is the YAML's shape)
        self._readers = [(str(k), _reader(spec)) for k, spec in mapping.fields.items()]  # type: ignore[arg-type]
        self._attribute_readers = [(k, _reader(spec)) for k, spec in mapping.attributes.items()]  # type: ignore[arg-type]
        operation = mapping.fields.get("operation")
        self._verbs = isinstance(operation, FieldSpec) and operation.verbs  # the operation is a tool name: its verb
        self._has_operation = operation is not None
        self._tools = mapping.tools

    def read(self, path: str | Path) -> Iterator[Result]:
        """A JSON-lines log, or one JSON document (a list of records, or ``records:`` inside it)."""
        return self.read_json(path)

    def _document(self, doc: Any, raw: bytes, source: str) -> Iterator[Result]:
        if self._records:
            at, records = "", cast(Any, None)
            for at, steps in self._records:  # (alternatives: the first that holds a list, or an object: one record)
                records = resolve(doc, steps)
                if isinstance(records, list):
                    break
                if isinstance(records, dict):  # (an envelope's one event; "@": the document itself, at its own place)
                    result = self._one(records, raw if not steps else None, source if not steps else f"{source}#{at}")
                    if result is not None:
                        yield result
                    return
            if not isinstance(records, list):
                yield BadRecord(source, f"no list of records at {' or '.join(repr(p) for p, _ in self._records)}", raw)
                return
            items = ((r, f"{source}#[{i}]" if at == "@" else f"{source}#{at}[{i}]") for i, r in enumerate(records))
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
            return BadRecord(source, failure(e), raw or dumps_any(record))

    def _mapped(self, record: dict[str, Any], raw: bytes | None, source: str) -> Result | None:
        for steps, path, allowed in self._where:
            value = resolve(record, steps)
            if value is _MISSING or (value if value.__class__ is str else _key(value)) not in allowed:
                self.skipped[f"{path}={'(missing)' if value is _MISSING else _key(value)[:40]}"] += 1
                return None
        if raw is None:
            raw = dumps_any(record)
        fields: dict[str, Any] = {}
        for name, reader in self._readers:
            value = reader.value(record)
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
        if not self._has_operation:
            if tool.__class__ is str:
                fields["operation"] = tools(tool)
        elif self._verbs and fields.get("operation").__class__ is str:
            fields["operation"] = tools.tools.get(tool) or tools(fields["operation"])
        if fields.get("model").__class__ is str:
            fields["model"] = {"id": fields["model"]}
        attributes = {}
        for key, reader in self._attribute_readers:
            value = reader.value(record)
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

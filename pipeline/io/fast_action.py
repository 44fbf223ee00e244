"""The common well-formed action, built from its parsed JSON without pydantic's validator.

pydantic-core validates an action line in about 3x the time ``orjson.loads`` parses it (the
model's machinery, the nested ``ModelRef``, the time's bounds). Most lines are plain: the
contract's fields only, each of its type and within its bounds, the time in the usual RFC 3339
shape. ``action_of`` checks exactly that on the dict ``orjson.loads`` gives and builds the very
``Action`` pydantic would (the same ``__dict__`` in field order, defaults, fields set, extra, a
time with pydantic-core's ``TzInfo``), or returns None for anything else: an extra field, a
value of another type or out of bounds, a time in another shape. The caller then runs the
validator, so an unusual line gets pydantic's result and a bad line its error, as before.
Compiled with mypyc (setup.py); tests/unit/test_fast_action.py holds it against the validator.
"""

from datetime import datetime, tzinfo
from typing import Any, Final

from intentwatch.models.action import EARLIEST, LATEST, MAX_BYTES, OPERATIONS, UTC_OFFSET, Action, ModelRef

_OPERATIONS: Final = frozenset(OPERATIONS)
_OUTCOMES: Final = frozenset(("success", "failure", "denied", "error"))
# the optional string fields (None allowed) -> their longest
_OPTIONAL: Final = {"resource": 2000, "data_domain": 200, "credential_id": 300, "source_ip": 64, "task_id": 200,
                    "session_id": 200}
_DIGITS: Final = frozenset("0123456789")
_ZONES: Final[dict[int, tzinfo]] = {}          # UTC offset in seconds -> pydantic-core's TzInfo (a handful)
_MODELS: Final[dict[tuple[str, str | None, bool], ModelRef]] = {}  # (id, version, version given) -> frozen ModelRef
_MODELS_LIMIT: Final = 4096
# orjson reads an integer beyond 64 bits as a float (pydantic: the integer) and nests deeper than
# pydantic's parser allows (200): attributes with such a float, or nested past _DEEPEST, go to the validator
_BIG: Final = 9223372036854775808.0  # 2 ** 63
_DEEPEST: Final = 64

_new: Final = object.__new__
_set: Final = object.__setattr__


def action_of(doc: Any) -> Action | None:
    """The ``Action`` pydantic's validator gives for ``doc`` (``orjson.loads`` of a line), or None
    when ``doc`` is not the plain case checked here (the validator decides those)."""
    if type(doc) is not dict:
        return None
    d: dict[str, Any] = doc
    event_id, agent_id, tool = d.get("event_id"), d.get("agent_id"), d.get("tool")
    if not (_text(event_id, 1, 200) and _text(agent_id, 1, 200) and _text(tool, 1, 300)):
        return None
    n = 3  # keys accounted for: every key must be a field (no extra), each valid
    op = d.get("operation")
    if type(op) is not str or op not in _OPERATIONS:
        return None
    t = _time(d.get("time"))
    if t is None:
        return None
    n += 2
    version: Any = 1
    if "version" in d:
        version = d["version"]
        if type(version) is not int or version != 1:
            return None
        n += 1
    outcome: Any = "success"
    if "outcome" in d:
        outcome = d["outcome"]
        if type(outcome) is not str or outcome not in _OUTCOMES:
            return None
        n += 1
    size: Any = 0
    if "bytes" in d:
        size = d["bytes"]
        if type(size) is not int or size < 0 or size > MAX_BYTES:
            return None
        n += 1
    attributes: Any = None
    if "attributes" in d:
        attributes = d["attributes"]
        if type(attributes) is not dict or not _plain(attributes, 0):
            return None
        n += 1
    model: Any = None
    if "model" in d:
        model = d["model"]
        if model is not None:
            model = _model(model)
            if model is None:
                return None
        n += 1
    opt: dict[str, Any] = {}
    for name, longest in _OPTIONAL.items():
        if name in d:
            v = d[name]
            if v is not None and not _text(v, 0, longest):
                return None
            opt[name] = v
            n += 1
    if n != len(d):  # a key that is no field: pydantic keeps it as extra
        return None
    a = _new(Action)
    _set(a, "__dict__", {
        "version": version, "event_id": event_id, "agent_id": agent_id, "time": t, "tool": tool, "operation": op,
        "resource": opt.get("resource"), "data_domain": opt.get("data_domain"), "outcome": outcome,
        "credential_id": opt.get("credential_id"), "source_ip": opt.get("source_ip"), "model": model,
        "task_id": opt.get("task_id"), "session_id": opt.get("session_id"), "bytes": size,
        "attributes": attributes if attributes is not None else {}})
    _set(a, "__pydantic_fields_set__", set(d))
    _set(a, "__pydantic_extra__", {})
    _set(a, "__pydantic_private__", None)
    return a


def _plain(v: Any, depth: int) -> bool:
    """No float orjson may have made of a large integer, no nesting deeper than ``_DEEPEST``."""
    t = type(v)
    if t is float:
        f: float = v
        return -_BIG < f < _BIG
    if t is dict:
        if depth >= _DEEPEST:
            return False
        for x in v.values():
            if not _plain(x, depth + 1):
                return False
    elif t is list:
        if depth >= _DEEPEST:
            return False
        for x in v:
            if not _plain(x, depth + 1):
                return False
    return True


def _text(v: Any, shortest: int, longest: int) -> bool:
    return type(v) is str and shortest <= len(v) <= longest


def _time(v: Any) -> datetime | None:
    """``YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)`` in ASCII, a real time inside the contract's bounds."""
    if type(v) is not str:
        return None
    s: str = v
    size = len(s)
    if size < 20 or size > 32 or not s.isascii() or s[4] != "-" or s[7] != "-" or s[10] != "T" or s[13] != ":" \
            or s[16] != ":":
        return None
    if s[size - 1] == "Z":
        zone, end = 0, size - 1
    elif size >= 25 and s[size - 6] in "+-" and s[size - 3] == ":":
        hh, mm = s[size - 5:size - 3], s[size - 2:]
        if not (_digits(hh) and _digits(mm)):
            return None
        zone = int(hh) * 3600 + int(mm) * 60
        if zone >= 86400 or int(mm) >= 60:
            return None
        if s[size - 6] == "-":
            zone = -zone
        end = size - 6
    else:
        return None
    if not (_digits(s[0:4]) and _digits(s[5:7]) and _digits(s[8:10]) and _digits(s[11:13]) and _digits(s[14:16])
            and _digits(s[17:19])):
        return None
    micro = 0
    if end > 19:
        frac = s[20:end]
        if s[19] != "." or not 1 <= len(frac) <= 6 or not _digits(frac):
            return None
        micro = int(frac) * 10 ** (6 - len(frac))
    elif end != 19:
        return None
    tz = _ZONES.get(zone)
    if tz is None:
        tz = _ZONES[zone] = UTC_OFFSET(zone)
    try:
        t = datetime(int(s[0:4]), int(s[5:7]), int(s[8:10]), int(s[11:13]), int(s[14:16]), int(s[17:19]), micro, tz)
    except ValueError:  # no such day or hour (Feb 30, 24:00, a leap second): the validator says why
        return None
    if t < EARLIEST or t >= LATEST:
        return None
    return t


def _digits(s: str) -> bool:
    for c in s:
        if c not in _DIGITS:
            return False
    return len(s) > 0


def _model(v: Any) -> ModelRef | None:
    """The ``ModelRef`` of ``{"id": ..., "version": ...}`` (frozen, so one object per distinct value)."""
    if type(v) is not dict:
        return None
    m: dict[str, Any] = v
    mid: Any = m.get("id")
    if not _text(mid, 1, 200):
        return None
    given = "version" in m
    version: Any = m.get("version")
    if (version is not None and not _text(version, 0, 100)) or len(m) != 1 + given:
        return None
    key: tuple[str, str | None, bool] = (mid, version, given)
    ref = _MODELS.get(key)
    if ref is None:
        ref = _new(ModelRef)
        _set(ref, "__dict__", {"id": mid, "version": version})
        _set(ref, "__pydantic_fields_set__", {"id", "version"} if given else {"id"})
        _set(ref, "__pydantic_extra__", None)
        _set(ref, "__pydantic_private__", None)
        if len(_MODELS) < _MODELS_LIMIT:
            _MODELS[key] = ref
    return ref

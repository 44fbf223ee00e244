"""Bytes become contracts once, here, at the edge. Everything else reads attributes.

Every failure raises ``InputError(source, reason)`` with pydantic's location and message,
so a dead-letter record says where the bad input came from and why.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from intentwatch.models.action import EARLIEST, LATEST, Action
from intentwatch.models.credential_use import CredentialUse
from intentwatch.models.definition_record import DEFINITION_RECORD_ADAPTER, DefinitionRecord
from intentwatch.models.errors import InputError
from intentwatch.models.feedback import Feedback
from intentwatch.models.lifecycle import LIFECYCLE_ADAPTER, Decommission, Instantiate, Update
from intentwatch.pipeline.io.deadletter import Unreadable

_MAX_ERRORS = 3
T = TypeVar("T")


def describe(e: ValidationError) -> str:
    """One line from a validation error: ``field: message (got ...)`` for the first few errors."""
    parts = []
    for err in e.errors(include_url=False)[:_MAX_ERRORS]:
        loc = ".".join(str(p) for p in err["loc"])
        got = "" if err["type"] == "json_invalid" or "input" not in err else f" (got {_short(err['input'])})"
        parts.append(f"{loc + ': ' if loc else ''}{_message(err)}{got}")
    more = e.error_count() - _MAX_ERRORS
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


# pydantic writes a datetime bound as its repr (a Field bound) or with a Z (pydantic-core's own
# bound, as EventTime has): one form, RFC 3339, in every reason.
_TIME_BOUNDS = {form: t.isoformat() for t in (EARLIEST, LATEST) for form in (repr(t), t.strftime("%Y-%m-%dT%H:%M:%SZ"))}


def _message(err: Any) -> str:
    msg: str = err["msg"]
    if err["type"] in ("less_than", "greater_than_equal"):
        for text, iso in _TIME_BOUNDS.items():
            if text in msg:
                return msg.replace(text, iso).replace("greater than or equal to", "at least")
    return msg


_SHOWN = 4  # characters of a bad string quoted in a reason: enough to recognise, too few to leak a secret


def _short(value: object) -> str:
    """What a reason may say about a bad value: its type and size, a number or boolean as it is
    (cut to 24 characters), at most the first ``_SHOWN`` characters of a string. Reasons are
    logged and stored, and a bad field may hold a token pasted in the wrong place.

    >>> _short("sk-live-51HxSECRETSECRET"), _short(True), _short({"a": 1}), _short(1e30)
    ("'sk-l…' (str of 24 characters)", 'True', 'dict of 1 items', '1e+30')
    """
    if value is None or isinstance(value, (bool, int, float)):
        text = repr(value)
        return text if len(text) <= 24 else text[:21] + "..."
    if isinstance(value, str):
        if len(value) <= _SHOWN:
            return repr(value)
        return f"{value[:_SHOWN]!r}"[:-1] + f"…' (str of {len(value)} characters)"
    if isinstance(value, (dict, list, tuple)):
        return f"{type(value).__name__} of {len(value)} items"
    return type(value).__name__


def _decode(validate_json: Callable[[bytes], T], raw: bytes, source: str, max_bytes: int) -> T:
    if isinstance(raw, Unreadable):  # where a compressed file stopped (replay.open_lines)
        raise InputError(source, raw.reason, "unreadable")
    if len(raw) > max_bytes:  # an Oversized prefix (replay.open_lines) knows the whole size
        raise InputError(source, f"message is {getattr(raw, 'size', len(raw))} bytes, over the {max_bytes}-byte limit",
                         "too_large")
    try:
        return validate_json(raw)
    except ValidationError as e:
        kind = "invalid_json" if e.errors(include_url=False)[0]["type"] == "json_invalid" else "invalid"
        raise InputError(source, describe(e), kind) from None


# Each model's own validator: ``model_validate_json`` only wraps it in a Python call with five
# keyword arguments (about 0.5 µs per action).
def decode_action(raw: bytes, source: str, max_bytes: int = 1_048_576) -> Action:
    return _decode(Action.__pydantic_validator__.validate_json, raw, source, max_bytes)


def decode_lifecycle(raw: bytes, source: str, max_bytes: int = 1_048_576) -> Instantiate | Update | Decommission:
    return _decode(LIFECYCLE_ADAPTER.validate_json, raw, source, max_bytes)


def decode_credential_use(raw: bytes, source: str, max_bytes: int = 1_048_576) -> CredentialUse:
    return _decode(CredentialUse.__pydantic_validator__.validate_json, raw, source, max_bytes)


def decode_definition_record(raw: bytes, source: str, max_bytes: int = 1_048_576) -> DefinitionRecord:
    return _decode(DEFINITION_RECORD_ADAPTER.validate_json, raw, source, max_bytes)


def decode_feedback(raw: bytes, source: str, max_bytes: int = 1_048_576) -> Feedback:
    return _decode(Feedback.__pydantic_validator__.validate_json, raw, source, max_bytes)

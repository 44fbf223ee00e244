"""pipeline/io/fast_action.py against pydantic's validator: for every line it builds an action of,
the very action the validator gives (fields, their types, fields set, extra, the time's zone, the
model); for every line the validator refuses, no action. Lines: a simulated fleet and the
agentic lab as they are, then each field of some of their actions changed to values around the
contract's edges (types, lengths, bounds, time shapes, extra and nested keys)."""

import random
from datetime import datetime

import orjson
import pytest
from pydantic import ValidationError

from intentwatch.models.action import Action, ModelRef
from intentwatch.pipeline.io.fast_action import action_of
from intentwatch.pipeline.lab.simulate import simulate_fleet
from intentwatch.pipeline.lab.simulate.agentic import simulate_agentic

validate = Action.__pydantic_validator__.validate_json


def _same(x, y) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 == True would hide a difference)."""
    if type(x) is not type(y):
        return False
    if isinstance(x, dict):
        return list(x) == list(y) and all(_same(x[k], y[k]) for k in x)
    if isinstance(x, list):
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y))
    if isinstance(x, datetime):
        return x == y and type(x.tzinfo) is type(y.tzinfo) and x.utcoffset() == y.utcoffset()
    if isinstance(x, ModelRef):
        return _same(x.__dict__, y.__dict__) and x.__pydantic_fields_set__ == y.__pydantic_fields_set__
    return x == y


def check(raw: bytes) -> bool:
    """Whether the fast path built the action (True) or left it to the validator (False); fails
    the test on any difference from the validator."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        doc = None
    fast = action_of(doc) if doc is not None else None
    try:
        slow = validate(raw)
    except ValidationError:
        assert fast is None, raw
        return False
    if fast is None:
        return False
    assert type(fast) is Action, raw
    assert _same(fast.__dict__, slow.__dict__), (raw, fast.__dict__, slow.__dict__)
    assert fast.__pydantic_fields_set__ == slow.__pydantic_fields_set__, raw
    assert fast.__pydantic_extra__ == slow.__pydantic_extra__ == {}, raw
    assert fast.__pydantic_private__ is slow.__pydantic_private__, raw
    assert fast == slow and fast.model_dump_json() == slow.model_dump_json(), raw
    return True


@pytest.fixture(scope="module")
def lines(tmp_path_factory) -> list[bytes]:
    out = tmp_path_factory.mktemp("fast")
    simulate_fleet(30, 2, 5, out / "fleet")
    simulate_agentic(40, 20, 5, out / "lab")
    return [ln.rstrip(b"\n") for f in (out / "fleet" / "actions.jsonl", out / "lab" / "actions.jsonl")
            for ln in f.read_bytes().splitlines(keepends=True) if ln.strip()]


def test_the_plain_lines_are_built_here_as_the_validator_builds_them(lines):
    built = sum(check(raw) for raw in lines)
    assert built == len(lines)  # simulated actions are the plain case: none left to the validator


TIMES = ["2026-01-05T00:00:00Z", "2026-01-05T00:00:00.1Z", "2026-01-05T00:00:00.123456Z", "2026-01-05T00:00:00.1234567Z",
         "2026-01-05T00:00:00+05:30", "2026-01-05T00:00:00-00:00", "2026-01-05T00:00:00+23:59", "2026-01-05T00:00:00+24:00",
         "2026-01-05T00:00:00-12:60", "2026-01-05T00:00:00", "2026-01-05 00:00:00Z", "2026-01-05t00:00:00z",
         "2026-02-30T00:00:00Z", "2026-01-05T24:00:00Z", "2026-12-31T23:59:60Z", "1969-12-31T23:59:59Z",
         "1970-01-01T00:00:00Z", "2199-12-31T23:59:59.999999Z", "2200-01-01T00:00:00Z", "2026-01-05T00:00:00,5Z",
         "2026-01-05T00:00:00.Z", "２026-01-05T00:00:00Z", "2026-1-05T00:00:00Z", "20260105T000000Z", "2026-01-05",
         "2026-01-05T00:00Z", "1970-01-01T00:30:00+01:00", "2199-12-31T23:30:00-01:00", 1767571200, 1767571200.5, None, True]
TEXTS = [None, "", "x", "é" * 200, "é" * 201, "a" * 64, "a" * 65, "a" * 300, "a" * 301, "a" * 2000, "a" * 2001, 7, 1.5,
         True, [], {}, {"a": 1}, "\u0000", "\ufeff"]
VALUES = {
    "version": [1, 2, 0, True, 1.0, "1", None],
    "operation": ["read", "authenticate", "READ", "", "exec", None, 1],
    "outcome": ["success", "denied", "error", "Success", None, ""],
    "bytes": [0, 1, -1, 2 ** 50, 2 ** 50 + 1, 2 ** 63, 1.0, True, "5", None],
    "model": [None, {"id": "m"}, {"id": "m", "version": None}, {"id": "m", "version": "v" * 100}, {"id": "m", "version": "v" * 101},
              {"id": ""}, {"version": "1"}, {"id": "m", "other": 1}, {"id": 5}, "m", []],
    "attributes": [{}, {"k": 1}, {"k": 1.5}, {"k": 1e300}, {"k": -(2.0 ** 63)}, {"k": 2.0 ** 63 - 1024}, {"k": [1, {"x": None}]},
                   [], "a", None, {"k": 9223372036854775807}, {"k": 18446744073709551615}],
}
BIG_NUMBERS = [b"18446744073709551616", b"-9223372036854775809", b"100000000000000000000", b"1e400", b"NaN", b"-0.0"]


def _variants(doc: dict, rng: random.Random):
    for t in TIMES:
        yield {**doc, "time": t}
    for name in ("event_id", "agent_id", "tool", "resource", "data_domain", "credential_id", "source_ip", "task_id", "session_id"):
        for v in rng.sample(TEXTS, 8):
            yield {**doc, name: v}
        yield {k: v for k, v in doc.items() if k != name}
    for name, values in VALUES.items():
        for v in values:
            yield {**doc, name: v}
        yield {k: v for k, v in doc.items() if k != name}
    yield {**doc, "data_domian": "pii"}
    yield {**doc, "credentialId": None}
    yield dict(reversed(list(doc.items())))


def test_edges_give_the_validators_action_or_none(lines):
    rng = random.Random(13)
    built = left = 0
    for raw in rng.sample(lines, 40):
        doc = orjson.loads(raw)
        for v in _variants(doc, rng):
            if check(orjson.dumps(v)):
                built += 1
            else:
                left += 1
        head = orjson.dumps({**doc, "attributes": {}})[:-3]  # ..."attributes":{  then numbers orjson reads otherwise
        for number in BIG_NUMBERS:
            assert not check(head + b'{"n":' + number + b"}}") or number == b"-0.0"
        for depth in (60, 70, 199, 250):
            check(head + b'{"n":' + b"[" * depth + b"]" * depth + b"}}")
        check(raw[:-1] + b',"tool":"second"}')  # a key twice: the last counts, for both
    assert built > 1000 and left > 1000  # both paths taken many times


def test_the_action_is_pydantics_own_kind_of_object():
    raw = b'{"event_id":"e1","agent_id":"a1","time":"2026-01-05T10:00:00.5+02:00","tool":"t","operation":"read","model":{"id":"m"}}'
    a = action_of(orjson.loads(raw))
    assert a is not None and a == validate(raw)
    assert a.model_dump(exclude_unset=True) == validate(raw).model_dump(exclude_unset=True)
    assert a.model_copy(update={"tool": "u"}).tool == "u" and a.tool == "t"
    with pytest.raises(ValidationError):  # frozen, as validated
        a.tool = "u"
    assert a.time.isoformat() == "2026-01-05T10:00:00.500000+02:00"

"""``action_line`` writes the bytes pydantic's ``model_dump_json(exclude_none=True)`` writes.

The engine fingerprints an action it was given without one as the CRC-32 of its line, and the
bridge writes that line to the actions topic, where the worker fingerprints the bytes it reads: a
batch the Collector sends again is a duplicate only if both agree (test_redelivery.py). orjson
makes the line at under half pydantic's cost; this holds the two equal on every action the
adapters make of the fixtures, on a simulated fleet and agentic lab, and on values a Python
producer may put in ``attributes`` (those orjson refuses go to pydantic)."""

import dataclasses
import decimal
import enum
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action, ModelRef, action_line
from intentwatch.pipeline.io.adapters import open_adapter, read_tree, sniff_format
from intentwatch.pipeline.lab.simulate import simulate_fleet
from intentwatch.pipeline.lab.simulate.agentic import simulate_agentic

DATA = Path(__file__).parents[1] / "data"


def _pydantic(a: Action) -> bytes:
    return a.model_dump_json(exclude_none=True).encode()


@pytest.mark.parametrize("model", [Action, ModelRef])
def test_nothing_in_the_contract_changes_how_pydantic_writes_a_field(model):
    """``action_line`` writes each field's value as it is: a field left out of the dump, written under
    an alias, or through a serializer of its own would be written differently by pydantic."""
    fields, d = model.model_fields, model.__pydantic_decorators__
    assert not [n for n, f in fields.items() if f.exclude or f.alias or f.serialization_alias]
    assert not d.field_serializers and not d.model_serializers
    assert not {k for k in model.model_config if k.startswith("ser_") or k in ("use_enum_values", "serialize_by_alias")}


def test_the_fixtures_actions_lines_are_pydantic_s():
    seen = 0
    for p in sorted(DATA.rglob("*")):
        fmt = sniff_format(p) if p.is_file() else None
        if fmt is None or fmt == "mapped":  # (a mapped log needs its mapping file: below)
            continue
        for r in read_tree(open_adapter(fmt), p):
            if isinstance(r, Action):
                seen += 1
                assert action_line(r) == _pydantic(r), (p, r.event_id)
    mapped = open_adapter("mapped", Path(__file__).parents[2] / "deploy" / "mappings" / "mcp-gateway.yaml")
    for r in read_tree(mapped, DATA / "adapters" / "mcp_gateway.jsonl"):
        if isinstance(r, Action):
            seen += 1
            assert action_line(r) == _pydantic(r), r.event_id
    assert seen > 150


def test_a_simulated_fleet_s_and_lab_s_lines_are_pydantic_s(tmp_path):
    simulate_fleet(20, 2, 4, tmp_path / "fleet")
    simulate_agentic(60, 4, 2, tmp_path / "lab")
    seen = 0
    for f in (tmp_path / "fleet" / "actions.jsonl", tmp_path / "lab" / "actions.jsonl"):
        for line in f.read_bytes().splitlines():
            a = Action.model_validate_json(line)
            seen += 1
            assert action_line(a) == _pydantic(a), line[:200]
    assert seen > 1000


class _Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class _Point:
    x: int = 1


VALUES = {
    "floats": [0.1, 1.0, -0.0, 1e16, 1e20, 1e-7, 5e-324, 1.7976931348623157e308, float("nan"), float("inf")],
    "ints": [0, -1, 2**63 - 1, -(2**63)],
    "text": "quote \" backslash \\ slash / del \x7f ctrl \x01 line \u2028 accents é emoji \U0001f600",
    "nested": {"none": None, "list": [None, {"k": None}], "empty": {}},
    "naive": datetime(2025, 1, 1, 1, 2, 3), "offset": datetime(2025, 1, 1, 5, tzinfo=timezone(timedelta(hours=2))),
    "utc": datetime(2025, 1, 1, 0, 0, 0, 120000, tzinfo=timezone.utc), "date": date(2025, 1, 1),
    "uuid": uuid.UUID(int=7), "enum": _Colour.RED, "tuple": (1, "a"), "dataclass": _Point(),
    # orjson refuses these: pydantic writes them
    "decimal": decimal.Decimal("1.50"), "big": 2**70, "bytes": b"raw", "set": {3}, "int keys": {1: 2},
    "timedelta": timedelta(seconds=3),
}


@pytest.mark.parametrize("name", VALUES)
def test_attribute_values_a_python_producer_may_give(name):
    a = Action(event_id="e-1", agent_id="a", time="2026-03-02T08:00:00.5+05:30", tool="t", operation="read",
               model={"id": "gpt-4o"}, attributes={"v": VALUES[name], "w": 1}, extra_field=None, other=[1])
    assert action_line(a) == _pydantic(a)
    assert orjson.loads(action_line(a))["model"] == {"id": "gpt-4o"}
    assert "extra_field" not in orjson.loads(action_line(a))


def _value(rng, depth: int = 0):
    """A random JSON-like value: text from all of Unicode (control characters, the BMP's edges,
    astral planes, a lone surrogate now and then), floats from random bit patterns, integers
    across and past 64 bits, nested objects and arrays."""
    import struct
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice([rng.randrange(-1000, 1000), rng.randrange(-(2**63), 2**63), rng.randrange(2**64, 2**66)])
    if kind == 3:
        f = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        return rng.choice([f, rng.uniform(-1e6, 1e6), float(rng.randrange(10**18))])
    if kind in (4, 5):
        pools = [(0, 0x20), (0x20, 0x7f), (0x7f, 0x800), (0xd800, 0xe000), (0xe000, 0x10000), (0x10000, 0x110000)]
        weights = [2, 20, 4, 0.2, 4, 2]
        return "".join(chr(rng.randrange(*rng.choices(pools, weights)[0])) for _ in range(rng.randrange(12)))
    if kind in (6, 7):
        return {str(_value(rng, 9) or i): _value(rng, depth + 1) for i in range(rng.randrange(5))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(5))]


def _text(rng) -> str:
    """Random text the contract's string fields take (no lone surrogate)."""
    v = None
    while not isinstance(v, str) or not v.strip() or any("\ud800" <= c <= "\udfff" for c in v):
        v = _value(rng, 9)
    return v


def test_random_attribute_trees_and_times():
    import random
    rng = random.Random(2026_12_07)
    refused = 0
    for i in range(3000):
        offset = rng.choice(["Z", "+00:00", "-05:00", "+13:45"])
        fraction = rng.choice(["", ".5", f".{rng.randrange(10**6):06d}", ".123456789"])
        fields = {"event_id": f"e{i}", "agent_id": _text(rng), "time": f"2026-03-02T08:00:00{fraction}{offset}",
                  "tool": "t", "operation": "read", "attributes": {"v": _value(rng)}}
        if rng.random() < 0.3:
            fields.update(resource=_text(rng), bytes=rng.randrange(10**9), model={"id": "m", "version": "1"})
        a = Action.model_validate(fields)
        try:
            expected = _pydantic(a)
        except ValueError:  # pydantic will not write a lone surrogate: nor will action_line
            refused += 1
            with pytest.raises(ValueError):
                action_line(a)
            continue
        assert action_line(a) == expected, fields
    assert 0 < refused < 300

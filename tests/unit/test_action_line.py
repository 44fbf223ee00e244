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

from intentwatch.models.action import Action, action_line
from intentwatch.pipeline.io.adapters import open_adapter, read_tree, sniff_format
from intentwatch.pipeline.lab.simulate import simulate_fleet
from intentwatch.pipeline.lab.simulate.agentic import simulate_agentic

DATA = Path(__file__).parents[1] / "data"


def _pydantic(a: Action) -> bytes:
    return a.model_dump_json(exclude_none=True).encode()


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

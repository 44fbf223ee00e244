"""No input crashes an adapter: every value of every fixture replaced, one at a time, by values of
the wrong type; each message still yields only actions and bad records (one bad record costs one
record, and nothing escapes to stop a replay or a bridge midway)."""

import json
import random
from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter
from intentwatch.pipeline.lab.simulate.spans import to_proto
from tests.unit.adapter_outputs import places, replaced

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data" / "adapters"
ODD = [None, 0, -1, 1.5, True, "", "x", [], [1, "a"], {}, {"k": []}, 2 ** 70, "9" * 30]


def _mutants(doc, n: int, seed: int):
    rng = random.Random(seed)
    where = list(places(doc))
    for _ in range(n):
        yield replaced(doc, rng.choice(where), rng.choice(ODD))


@pytest.mark.parametrize("fmt, fixture, mapping", [
    ("otel-json", "otel_genai_trace.json", None),
    ("cloudtrail", "cloudtrail_records.json", None),
    ("mapped", "mcp_gateway.jsonl", ROOT / "deploy" / "mappings" / "mcp-gateway.yaml"),
])
def test_wrong_types_anywhere_never_raise(fmt, fixture, mapping):
    text = (DATA / fixture).read_bytes()
    doc = orjson.loads(text.splitlines()[0] if fixture.endswith(".jsonl") else text)
    adapter = open_adapter(fmt, mapping)
    for m in _mutants(doc, 400, seed=14):
        for r in adapter.decode(json.dumps(m).encode(), "fuzz"):
            assert isinstance(r, (Action, BadRecord))


def test_wrong_types_in_protobuf_built_messages_never_raise():
    doc = orjson.loads((DATA / "otel_genai_trace.json").read_bytes())
    adapter = open_adapter("otel-proto")
    rng = random.Random(7)
    raw = to_proto(doc).SerializeToString()
    for _ in range(300):  # flipped bytes: undecodable, or decodable with odd values
        b = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        for r in adapter.decode(bytes(b), "fuzz"):
            assert isinstance(r, (Action, BadRecord))

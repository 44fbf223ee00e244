"""Every input adapter's results on its fixtures and on fuzzed copies of them, one line each: run
by test_compiled.py against the compiled adapters and against their plain-Python source, which
must print the same lines (mypyc checks annotated types at run time: a value the annotations
did not foresee would raise there, and come out as another bad record or reason).

    python tests/unit/adapter_outputs.py ROOT N   # ROOT: a tree holding intentwatch/ ("-": the installed one)

Fuzzing: one value (every third copy, two) replaced by a value of another type or shape, ``N``
copies of each fixture document; decoded as the fixture's format, the OTel ones as protobuf too
(through the simulator's ``to_proto``) and read as one file of each encoding (spans held for
ancestors in later requests: otel_traces.py), and ``N`` OTLP protobuf messages with flipped bytes.
"""

import json
import random
import shutil
import struct
import sys
from pathlib import Path

DATA = Path(__file__).parents[1] / "data" / "adapters"
MAPPING = Path(__file__).parents[2] / "deploy" / "mappings" / "mcp-gateway.yaml"
ODD = [None, 0, -1, 1.5, True, "", "x", [], [1, "a"], {}, {"k": []}, 2 ** 70, -2 ** 70, "9" * 30, "0", "abc def",
       {"stringValue": 5}, {"stringValue": "x"}, {"intValue": "12"}, {"intValue": 1.5}, {"boolValue": 1},
       {"arrayValue": {"values": [{"stringValue": "a"}]}}, {"kvlistValue": {"values": [{"key": "a", "value": {}}]}},
       "ffffffffffffffffffffffffffffffff", "00000000000000000000000000000000", "1700000000000000000",
       "2026-01-01T00:00:00Z", "2026-01-01T00:00:00", "arn:aws:iam::1:role/x", '{"a": 1}', "[1]"]


def places(doc, path=()):
    """Every path to a value inside ``doc``."""
    yield path
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from places(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from places(v, (*path, i))


def replaced(doc, path, value):
    """``doc`` with the value at ``path`` replaced (copies along the path only)."""
    if not path:
        return value
    head, *rest = path
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[head] = replaced(doc[head], rest, value)
    return copy


def _documents(path: Path) -> list:
    import orjson

    text = path.read_bytes()
    try:
        return [orjson.loads(text)]
    except orjson.JSONDecodeError:
        docs = []
        for line in text.splitlines():
            try:
                docs.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue  # a fixture's deliberately broken line
        return docs


def outputs(n: int) -> list[str]:
    from intentwatch.pipeline.io.adapters import BadRecord, open_adapter
    from intentwatch.pipeline.lab.simulate.spans import to_proto

    out: list[str] = []

    def show(results, adapter=None):
        for r in results:
            out.append(f"B {r.source} | {r.reason} | {r.raw[:300]!r}" if isinstance(r, BadRecord)
                       else "A " + r.model_dump_json())
        if adapter is not None:
            out.append(f"C {dict(getattr(adapter, 'skipped', {}))} {getattr(adapter, 'duplicates', None)}")

    cases = [("otel-json", "otel_genai_trace.json"), ("otel-json", "otel_frameworks.jsonl"), ("otel-json", "otel_bad.jsonl"),
             ("mapped", "mcp_gateway.jsonl"), *(("cloudtrail", p.name) for p in sorted(DATA.glob("cloudtrail_*.json*")))]
    for fmt, fixture in cases:
        adapter = open_adapter(fmt, MAPPING if fmt == "mapped" else None)
        show(adapter.read(DATA / fixture))
        rng = random.Random(fixture)
        lines, messages = [], []  # the OTel mutants, read again as a file of each encoding
        for doc in _documents(DATA / fixture):
            where = list(places(doc))
            for i in range(n):
                m = replaced(doc, rng.choice(where), rng.choice(ODD))
                if i % 3 == 0:
                    m = replaced(m, rng.choice(list(places(m))), rng.choice(ODD))
                show(adapter.decode(json.dumps(m).encode(), f"fuzz{i}"))
                if fmt == "otel-json":
                    lines.append(json.dumps(m).encode())
                    try:
                        message = to_proto(m).SerializeToString()
                    except Exception:  # noqa: BLE001 - a mutant protobuf cannot carry
                        continue
                    messages.append(message)
                    show(open_adapter("otel-proto").decode(message, f"proto{i}"))
        show((), adapter)
        if lines:
            here = Path(f"mutants-{fixture}")  # in the working directory: the same name in both runs
            here.mkdir(exist_ok=True)
            (here / "spans.jsonl").write_bytes(b"\n".join(lines) + b"\n")
            (here / "spans.pb").write_bytes(b"".join(struct.pack(">I", len(m)) + m for m in messages))
            for encoding, name in (("otel-json", "spans.jsonl"), ("otel-proto", "spans.pb")):
                reader = open_adapter(encoding)
                show(reader.read(here / name), reader)
            shutil.rmtree(here)
    raw = to_proto(_documents(DATA / "otel_genai_trace.json")[0]).SerializeToString()
    rng, adapter = random.Random(7), open_adapter("otel-proto")
    for i in range(n):
        flipped = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        show(adapter.decode(bytes(flipped), f"flipped{i}"))
    show((), adapter)
    return out


if __name__ == "__main__":
    root, count = sys.argv[1], int(sys.argv[2])
    if root != "-":
        sys.path.insert(0, root)
    import intentwatch.pipeline.io.adapters.otel as otel

    print(otel.__file__)
    print("\n".join(outputs(count)))

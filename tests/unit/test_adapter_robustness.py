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
    ("otel-json", "aws_spans.jsonl", None),
    ("mapped", "entra_audit.json", ROOT / "deploy" / "mappings" / "entra-audit-log.yaml"),
    ("mapped", "okta_system_log.json", ROOT / "deploy" / "mappings" / "okta-system-log.yaml"),
])
def test_wrong_types_anywhere_never_raise(fmt, fixture, mapping):
    text = (DATA / fixture).read_bytes()
    doc = orjson.loads(text.splitlines()[0] if fixture.endswith(".jsonl") else text)
    adapter = open_adapter(fmt, mapping)
    for m in _mutants(doc, 400, seed=14):
        for r in adapter.decode(json.dumps(m).encode(), "fuzz"):
            assert isinstance(r, (Action, BadRecord))


@pytest.mark.parametrize("fixture", ["sharegpt_datasets.json", "toolbench_answer.json"])
def test_wrong_types_in_dataset_runs_never_raise(fixture):
    """ShareGPT-form runs and ToolBench's answer files (sharegpt.py), on the start clock."""
    doc = orjson.loads((DATA / "transcripts" / fixture).read_bytes())
    adapter = open_adapter("transcript", options={"start": "2026-11-01T09:00:00Z"})
    for m in _mutants(doc, 400, seed=15):
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


# -- values orjson reads but will not write, numbers the stdlib will not convert (a fuzzing round) -----
DEEP = b"[" * 255 + b"]" * 255  # orjson reads 1,024 levels and writes 254
SPAN = (b'{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",'
        b'"startTimeUnixNano":"1700000000000000000","name":"execute_tool x","x":%s}]}]}]}')


def _results(fmt: str, raw: bytes, mapping=None) -> list:
    out = list(open_adapter(fmt, mapping).decode(raw, "m"))
    assert out and all(isinstance(r, (Action, BadRecord)) for r in out)
    return out


@pytest.mark.parametrize("fmt, raw, mapping", [
    ("transcript", b"[" + DEEP + b"]", None),
    ("mapped", b'{"records":[{"category":"Administrative","resultType":"Success","x":' + DEEP + b"}]}",
     ROOT / "deploy" / "mappings" / "azure-activity-log.yaml"),
    ("otel-json", SPAN % DEEP, None),
    ("otel-json", b'{"object":"trace.span","id":5,"x":' + DEEP + b"}", None),
])
def test_a_value_too_deep_to_write_back_is_a_bad_record_or_an_action_never_a_crash(fmt, raw, mapping):
    _results(fmt, raw, mapping)


@pytest.mark.parametrize("value", [b'{"doubleValue":null}', b'{"doubleValue":"x"}', b'{"arrayValue":{"values":5}}',
                                   b'{"kvlistValue":5}'])
def test_a_malformed_resource_attribute_is_a_bad_record(value):
    raw = (b'{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":%s}]},"scopeSpans":[{"spans":[{"traceId":'
           b'"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","startTimeUnixNano":"1700000000000000000",'
           b'"name":"chat"}]}]}]}') % value
    assert any(isinstance(r, BadRecord) and "resource" in r.reason for r in _results("otel-json", raw))
    logs = b'{"resourceLogs":[{"resource":{"attributes":[{"key":"k","value":%s}]},"scopeLogs":[]}]}' % value
    list(open_adapter("otel-json").decode(logs, "m"))  # (nothing to map: it must only not raise)


def test_numbers_past_the_stdlibs_digit_limit_cost_their_record(tmp_path):
    big = b"1" + b"0" * 5000
    objects = tmp_path / "o.json"  # objects back to back: read by the stdlib's scanner
    objects.write_bytes(b'{"a":' + big + b'}\n' + SPAN % b"1")
    out = list(open_adapter("otel-json").read(objects))
    assert isinstance(out[0], BadRecord) and "digits" in out[0].reason and len(out) >= 2
    from tests.unit.test_cloud_techniques import rec
    cut = tmp_path / "cut.json"  # a records file orjson will not read (the number is past a double): read around it
    good = [orjson.dumps(rec("s3:ListBuckets", at=i)) for i in range(2)]
    cut.write_bytes(b'{"Records":[' + good[0] + b', {"eventName":' + big + b"}, " + good[1] + b"]}")
    out = list(open_adapter("cloudtrail").read(cut))
    assert [type(r).__name__ for r in out] == ["Action", "BadRecord", "Action"] and "digits" in out[1].reason


def test_a_python_literal_result_with_a_huge_integer_reads(tmp_path):
    """An ADK session whose tool result is a Python literal (its repr) holding an integer past 64 bits."""
    path = tmp_path / "adk.jsonl"
    path.write_text(
        '{"author":"a","invocation_id":"i","session_id":"s","timestamp":1762160400,"content":{"role":"model","parts":'
        '[{"function_call":{"id":"c1","name":"read_inbox","args":{}}}]}}\n'
        '{"author":"a","invocation_id":"i","session_id":"s","timestamp":1762160401,"content":{"role":"user","parts":'
        '[{"function_response":{"id":"c1","name":"read_inbox","response":"{\'n\': 18446744073709551616}"}}]}}\n'
        '{"author":"b","invocation_id":"i","session_id":"s","timestamp":1762160402,"content":{"role":"model","parts":'
        '[{"function_call":{"id":"c2","name":"send_money","args":{}}}]}}\n')
    out = list(open_adapter("transcript").read(path))
    assert [r.tool for r in out if isinstance(r, Action)] == ["read_inbox", "send_money"]


def test_a_gzip_of_blank_lines_is_read_in_bounded_memory(tmp_path):
    """Deflate expands ~1,000x: a 1 MiB step of such a file was one chunk of up to 1 GiB, and its lines
    one list of ~8 bytes a line (32 MiB of them: +256 MiB). Measured in a child, by its peak RSS since
    exec (VmHWM: ru_maxrss keeps the forked parent's)."""
    import subprocess
    import sys
    import zlib
    c = zlib.compressobj(9, 8, 31)
    path = tmp_path / "nl.json.gz"
    path.write_bytes(c.compress(b"\n" * (32 << 20)) + c.flush())
    code = ("import re, sys; from intentwatch.pipeline.io.adapters import open_adapter; "
            "n = sum(1 for _ in open_adapter(sys.argv[2]).read(sys.argv[1])); "
            "print(n, int(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1)) >> 10)")
    for fmt in ("otel-json", "cloudtrail", "transcript"):
        n, peak = map(int, subprocess.run([sys.executable, "-c", code, str(path), fmt], check=True, capture_output=True,
                                          text=True).stdout.split())
        assert n == 0 and peak < 200, f"{fmt}: peak {peak} MiB for 32 MiB of blank lines"


def test_a_lone_surrogate_the_stdlibs_reader_lets_in_is_replaced_and_the_replay_completes(tmp_path):
    """Objects back to back (and a salvaged records file) are read by the stdlib's reader, which takes
    ``"\\ud800"``: the action then broke pydantic's writer in the engine and again in the replay's
    dead-letter writer, and the CLI died (a segfault after mypyc's SystemError). Run as users run it."""
    import subprocess
    import sys
    record = orjson.loads((DATA / "azure_activity.json").read_bytes())["records"][1]
    record["identity"]["claims"]["appid"] = "PLACEHOLDER"  # (the helper's reproducer: the agent's own id)
    text = orjson.dumps({"records": [record]}).decode().replace("PLACEHOLDER", "x\\ud800y")
    concat = tmp_path / "concat.json"
    concat.write_text(text + "\n" + orjson.dumps({"records": []}).decode())
    cli = [str(Path(sys.executable).with_name("intentwatch")), "replay", str(concat), "--format", "mapped", "--mapping",
           str(ROOT / "deploy" / "mappings" / "azure-activity-log.yaml"), "--alerts", str(tmp_path / "a.jsonl"),
           "--commands", str(tmp_path / "c.jsonl"), "--dead-letter", str(tmp_path / "d.jsonl"), "-q"]
    done = subprocess.run(cli, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    [act] = [r for r in open_adapter("mapped", ROOT / "deploy" / "mappings" / "azure-activity-log.yaml").read(concat)
             if isinstance(r, Action)]
    assert "\ud800" not in act.model_dump_json() and act.model_dump_json()  # (replaced: U+FFFD)


def test_an_object_too_deep_among_objects_back_to_back_costs_itself_only(tmp_path):
    """Objects back to back (a mapped log written without newlines): one the stdlib's reader refuses is read
    with orjson where it can be, else it alone is a bad record; reading goes on right after it."""
    from intentwatch.pipeline.io.adapters.mapped import MappedAdapter, Mapping
    mapping = Mapping.load(Path(__file__).parents[2] / "deploy" / "mappings" / "mcp-gateway.yaml")
    line = (Path(__file__).parents[2] / "tests" / "data" / "adapters" / "mcp_gateway.jsonl").read_text().splitlines()[0]
    one = orjson.loads(line)
    objs = [dict(one, n=0), dict(one, n=1, extra=orjson.Fragment('{"a":' * 1005 + "1" + "}" * 1005)),
            dict(one, n=2, extra=orjson.Fragment("[" * 5000 + "]" * 5000)), dict(one, n=3)]
    path = tmp_path / "cat.json"
    path.write_bytes(b"".join(orjson.dumps(o) for o in objs))
    got = list(MappedAdapter(mapping).read(path))
    assert [type(r).__name__ for r in got] == ["Action", "Action", "BadRecord", "Action"], [getattr(r, "reason", r) for r in got]
    assert got[2].reason == "a record nested deeper than JSON readers follow; reading goes on after it"

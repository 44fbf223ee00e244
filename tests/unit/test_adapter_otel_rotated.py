"""A folder of the Collector file exporter's rotated files (``rotation:`` in its config) read as one
export: the rotated files in the time their names give, the file it still writes last (it is the
newest and its name has no time), and a trace whose spans the rotation split finds its agent in the
next file, as in one file. Before, the file being written was read first and each file's held
spans came out at its end without the ancestor that names their agent."""

import orjson

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import open_adapter, read_tree
from tests.unit.test_injection_otel import _s, _span


def _request(*spans: dict) -> bytes:
    return orjson.dumps({"resourceSpans": [{"resource": {"attributes": [_s("service.name", "assistant-svc")]},
                                            "scopeSpans": [{"scope": {"name": "agents"}, "spans": list(spans)}]}]})


def _agent(n: int, trace: str) -> dict:
    span = _span(n, "invoke_agent planner", [_s("gen_ai.operation.name", "invoke_agent"), _s("gen_ai.agent.name", "planner")])
    return {**span, "traceId": trace, "endTimeUnixNano": str(int(span["startTimeUnixNano"]) + 60_000_000_000)}


def _tool(n: int, trace: str, parent: int) -> dict:
    return {**_span(n, "execute_tool read_file", [_s("gen_ai.operation.name", "execute_tool"), _s("gen_ai.tool.name", "read_file"),
                                                  _s("gen_ai.tool.call.arguments", '{"path": "/srv/a.txt"}')], f"{parent:016x}"),
            "traceId": trace}


# Spans are exported as they end: two runs, each tool span a line before the agent span naming it.
A, B = "a" * 32, "b" * 32
LINES = [_request(_tool(2, A, 1)), _request(_agent(1, A)), _request(_tool(12, B, 11)), _request(_agent(11, B))]


def _seen(results) -> list[tuple[str, str, str]]:
    return [(a.event_id, a.agent_id, a.tool) for a in results if isinstance(a, Action)]


def test_rotated_files_read_as_the_one_file_they_were(tmp_path):
    one = tmp_path / "one.jsonl"
    one.write_bytes(b"\n".join(LINES) + b"\n")
    expected = _seen(open_adapter("otel-json").read(one))
    assert {agent for _, agent, _ in expected} == {"planner"} and len(expected) == 4

    export = tmp_path / "export"
    export.mkdir()
    for name, lines in (("spans-2025-12-02T10-00-00.000", LINES[:1]), ("spans-2025-12-02T10-05-00.000", LINES[1:3]),
                        ("spans", LINES[3:])):  # (``path: ./spans``; the rotation cut inside both runs)
        (export / name).write_bytes(b"\n".join(lines) + b"\n")
    assert _seen(read_tree(open_adapter("otel-json", options={}), export)) == expected


def test_a_file_read_alone_still_ends_its_held_spans(tmp_path):
    """A single file is still its own export: a tool span whose agent never comes is mapped as it is."""
    part = tmp_path / "part.jsonl"
    part.write_bytes(LINES[0] + b"\n")
    ((event, agent, tool),) = _seen(open_adapter("otel-json").read(part))
    assert (event, tool) == (f"{2:016x}", "read_file") and agent != "planner"

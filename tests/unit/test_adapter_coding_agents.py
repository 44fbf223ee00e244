"""Coding agents' own telemetry: the OTLP log events Claude Code, the Codex CLI and the Gemini CLI
export (one event per tool call, prompt and model request), and Claude Code's beta traces (``claude_code.*`` spans).
Fixture written from each tool's monitoring documentation (event and attribute names), one OTLP/JSON
LogsData or TracesData per line as the Collector's file exporter writes them; both encodings."""

from pathlib import Path

import orjson
import pytest
from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from intentwatch.pipeline.io.adapters.verbs import ToolOperations
from intentwatch.pipeline.lab.simulate.spans import to_proto

FIXTURE = Path(__file__).parents[1] / "data" / "adapters" / "coding_agents.jsonl"
LINES = [orjson.loads(line) for line in FIXTURE.read_bytes().splitlines()]
CLAUDE, CODEX, BAD, TRACE, GEMINI = range(5)


def _logs_proto(doc: dict) -> bytes:
    """OTLP/JSON logs as protobuf (json_format reads ids as base64: the fixture's logs carry none that parse)."""
    return json_format.ParseDict(doc, ExportLogsServiceRequest()).SerializeToString()


def _results(encoding: str, line: int) -> tuple[list, OtelAdapter]:
    if encoding == "json":
        adapter = OtelAdapter()
        return list(adapter.decode(orjson.dumps(LINES[line]), f"f:{line + 1}")), adapter
    adapter = open_adapter("otel-proto", options={"signal": "logs"})  # type: ignore[assignment]
    return list(adapter.decode(_logs_proto(LINES[line]), f"m{line}")), adapter  # type: ignore[arg-type]


@pytest.fixture(params=["json", "proto"])
def encoding(request):
    return request.param


def _actions(encoding: str, line: int) -> list[Action]:
    results, _ = _results(encoding, line)
    assert not [r for r in results if isinstance(r, BadRecord)]
    return [r for r in results if isinstance(r, Action)]


def test_claude_code_events_become_its_tool_calls_and_model_use(encoding):
    acts = _actions(encoding, CLAUDE)
    assert [(a.tool, a.operation, a.outcome) for a in acts] == [
        ("gen_ai.chat", "invoke", "success"), ("Read", "read", "success"), ("Bash", "execute", "denied"),
        ("Bash", "execute", "denied"), ("mcp__github__create_issue", "write", "error")]
    chat, read, refused, refused_result, mcp = acts
    assert {a.agent_id for a in acts} == {"claude-code"}
    assert {a.session_id for a in acts} == {"6f1c2a7e-0d4b-4c55-9a7e-3b1f0c2d9e81"}
    assert {a.task_id for a in acts} == {"2c9e6f1a-7b3d-4e8f-9a0b-1c2d3e4f5a6b"}  # the prompt.id
    assert chat.model is not None and chat.model.id == "claude-sonnet-4-5"
    assert chat.attributes["usage"] == {"input_tokens": 5120, "output_tokens": 310}
    assert (read.resource, read.bytes) == ("/repo/tests/test_parse.py", 2048)
    assert read.attributes["request"] == "Fix the failing test in tests/test_parse.py"
    assert read.attributes["user"] == "dev@example.com"
    # the refused call: its decision and its result are one call (one event id, de-duplicated by the engine)
    assert refused.event_id == refused_result.event_id
    assert refused.attributes["decision_source"] == "user_reject"
    assert "paste.example.net" in refused_result.attributes["arguments"]["full_command"]
    assert (mcp.attributes["error"], mcp.attributes["subagent"]) == ("403 Forbidden", "a3f9c1e07b2d")  # a subagent's call
    assert str(read.time) == "2025-12-05 00:00:04.500000+00:00"


def test_logs_in_protobufs_field_names_read_as_otlp_json():
    """MessageToJson with ``preserving_proto_field_name`` (``resource_logs``, ``log_records``, ``string_value``)."""
    request = json_format.ParseDict(LINES[CLAUDE], ExportLogsServiceRequest())
    text = json_format.MessageToJson(request, preserving_proto_field_name=True)
    assert '"log_records"' in text and '"logRecords"' not in text
    assert list(OtelAdapter().decode(text.encode(), f"f:{CLAUDE + 1}")) == _results("json", CLAUDE)[0]


def test_codex_events_become_its_tool_calls(encoding):
    acts = _actions(encoding, CODEX)
    assert [(a.tool, a.operation, a.outcome) for a in acts] == [
        ("gen_ai.chat", "invoke", "success"), ("shell", "execute", "success"), ("apply_patch", "write", "success"),
        ("shell", "execute", "denied")]
    chat, shell, patch, denied = acts
    assert {a.agent_id for a in acts} == {"codex_cli_rs"}
    assert {a.session_id for a in acts} == {"019a6d2e-4b1f-7c3a-9e8d-2f1a0b9c8d7e"}
    assert chat.model is not None and chat.model.id == "gpt-5-codex"
    assert shell.attributes["arguments"] == {"command": ["bash", "-lc", "pytest -q"], "workdir": "/repo"}
    assert shell.attributes["result"] == "3 passed in 0.41s"
    assert shell.attributes["request"] == patch.attributes["request"] == "Add a retry to the uploader"
    assert denied.event_id.endswith(":call_3") and denied.attributes["decision"] == "denied"


def test_gemini_cli_tool_call_events(encoding):
    acts = _actions(encoding, GEMINI)
    assert [(a.tool, a.operation, a.outcome) for a in acts] == [
        ("gen_ai.chat", "invoke", "success"), ("read_file", "read", "success"), ("run_shell_command", "execute", "denied")]
    chat, read, shell = acts
    assert {a.agent_id for a in acts} == {"gemini-cli"} and {a.task_id for a in acts} == {"gp-1"}
    assert (read.resource, read.attributes["request"]) == ("/srv/incidents/open.md", "Summarise the open incidents")
    assert shell.attributes["arguments"] == {"command": "rm -rf /srv/incidents"} and shell.attributes["decision"] == "reject"
    assert len({a.event_id for a in acts}) == 3  # no call id: each record's own hash


def test_events_that_are_no_action_are_counted_not_dead_lettered(encoding):
    _, claude = _results(encoding, CLAUDE)
    assert claude.skipped["tool_decision (allowed)"] == 1
    assert claude.skipped["user_prompt (the request of what follows)"] == 1
    assert claude.skipped["claude_code.auth (event)"] == 1
    _, codex = _results(encoding, CODEX)
    assert codex.skipped["codex.sse_event (event)"] == codex.skipped["codex.conversation_starts (event)"] == 1


def test_bad_records_are_dead_lettered_with_a_reason_and_their_siblings_go_on():
    results, _ = _results("json", BAD)
    bad = {r.source.rsplit("#", 1)[1]: r.reason for r in results if isinstance(r, BadRecord)}
    good = [r for r in results if isinstance(r, Action)]
    assert [a.tool for a in good] == ["Glob"]
    assert "is neither 32 hex digits nor 16 bytes in base64" in bad["rl0.sl0.log0"]
    assert "time" in bad["rl0.sl0.log1"]
    assert "no tool_name" in bad["rl0.sl0.log2"]
    assert "overflows int64" in bad["rl0.sl0.log3"]
    assert "no agent" in bad["rl1.sl0.log0"]  # the SDK's unknown_service names no one
    for r in results:
        if isinstance(r, BadRecord) and r.source.endswith("log2"):
            assert b"toolu_10" in r.raw  # the record itself, for the dead-letter file


def test_a_protobuf_message_that_is_no_logs_request_is_one_bad_record():
    adapter = open_adapter("otel-proto", options={"signal": "logs"})
    (r,) = list(adapter.decode(b"\x0a\x05junk!", "m0"))
    assert isinstance(r, BadRecord) and "ExportLogsServiceRequest" in r.reason


def test_claude_code_beta_traces_one_action_per_tool_call(encoding):
    doc = LINES[TRACE]
    if encoding == "json":
        results = list(OtelAdapter().decode(orjson.dumps(doc), "t"))
    else:
        results = list(OtelAdapter("proto").decode(to_proto(doc).SerializeToString(), "t"))
    acts = [r for r in results if isinstance(r, Action)]
    assert not [r for r in results if isinstance(r, BadRecord)]
    assert sorted((a.tool, a.operation) for a in acts) == [("Edit", "write"), ("gen_ai.chat", "invoke"),
                                                           ("gen_ai.invoke_agent", "invoke")]
    (edit,) = [a for a in acts if a.tool == "Edit"]
    assert (edit.agent_id, edit.resource, edit.attributes["tool_call_id"]) == ("claude-code", "/repo/config/loader.py", "toolu_02E")
    assert edit.session_id == "0d9e8f7a-6b5c-4d3e-2f1a-0b9c8d7e6f5a"
    assert edit.attributes["request"] == "Rename the config loader"  # the interaction span, exported after it


def test_coding_agents_builtin_tools_and_mcp_names_map_to_their_operations():
    ops = ToolOperations()
    assert [ops(t) for t in ("WebFetch", "Grep", "MultiEdit", "Task", "apply_patch", "mcp__slack__send_message",
                             "mcp__db__delete_rows", "LS", "Glob")] == [
        "read", "read", "write", "invoke", "write", "send", "delete", "list", "list"]
    assert ToolOperations(tools={"Task": "execute"})("Task") == "execute"  # a team's table wins


def test_a_tool_call_event_naming_no_tool_is_counted_not_dead_lettered():
    """A newer Codex times each call in a ``codex.tool_call`` event beside its ``tool_result``."""
    doc = orjson.loads(orjson.dumps(LINES[CODEX]))
    records = doc["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
    timing = orjson.loads(orjson.dumps(records[4]))
    timing["attributes"] = [kv for kv in timing["attributes"] if kv["key"] not in ("tool_name", "arguments", "output")]
    timing["attributes"] = [{**kv, "value": {"stringValue": "codex.tool_call"}} if kv["key"] == "event.name" else kv
                            for kv in timing["attributes"]]
    records.append(timing)
    adapter = OtelAdapter()
    results = list(adapter.decode(orjson.dumps(doc), "f"))
    assert not [r for r in results if isinstance(r, BadRecord)] and len(results) == 4
    assert adapter.skipped["codex.tool_call (event)"] == 1


def test_mangled_records_never_escape_as_exceptions():
    """Every fixture line with values swapped for odd ones (seeded): each record is an action or a
    dead letter, never an exception out of the adapter."""
    import random

    odd = [None, 0, -1, 2**63, "", "x" * 5000, [], {}, [1, {"a": None}], {"stringValue": None}, {"intValue": "1e5"},
           {"boolValue": "no"}, {"kvlistValue": {"values": [{"key": "a"}]}}, "ffff", "0" * 32, 1.5, True]
    rnd = random.Random(7)

    def mangle(x):
        if isinstance(x, dict):
            for k in list(x):
                r = rnd.random()
                if r < 0.04:
                    x[k] = rnd.choice(odd)
                elif r < 0.06:
                    del x[k]
                else:
                    mangle(x[k])
        elif isinstance(x, list):
            for i in range(len(x)):
                if rnd.random() < 0.04:
                    x[i] = rnd.choice(odd)
                else:
                    mangle(x[i])

    kinds = set()
    for _ in range(400):
        doc = orjson.loads(orjson.dumps(LINES[rnd.randrange(len(LINES))]))
        mangle(doc)
        results = list(OtelAdapter().decode(orjson.dumps(doc), "f"))
        assert all(isinstance(r, (Action, BadRecord)) for r in results)
        kinds |= {type(r) for r in results}
    assert kinds == {Action, BadRecord}


def test_an_applications_ordinary_log_lines_are_one_count():
    """Logs of anything else on the same pipeline (``GET /item/7 200``) name no event: one count, however
    many distinct lines (the summary and its memory stay small)."""
    doc = {"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "web"}}]},
                             "scopeLogs": [{"logRecords": [{"timeUnixNano": "1764892800000000000",
                                                            "body": {"stringValue": f"GET /item/{i} 200"}} for i in range(500)]}]}]}
    adapter = OtelAdapter()
    assert list(adapter.decode(orjson.dumps(doc), "f")) == []
    assert adapter.skipped == {"log record naming no event": 500}

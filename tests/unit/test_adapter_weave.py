"""Weights & Biases Weave's calls (``calls/stream_query``, a call per line) read by ``--format otel-json``
as GenAI spans. Fixture written from Weave's call schema: a bill payer whose inbox carries an injected
payee; its tools are ops that Weave records like any other function, told apart by the tools its
OpenAI calls declared."""

import random
from pathlib import Path

import orjson

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, sniff_format
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from tests.factories import JUNK, assert_read_cleanly, mangler, replayed_alerts, tool_calls

CALLS = Path(__file__).parents[1] / "data" / "adapters" / "weave_calls.jsonl"
LINES = [orjson.loads(x) for x in CALLS.read_bytes().splitlines()]


def test_a_run_s_calls_line_by_line():
    adapter = OtelAdapter()
    results = list(adapter.read(CALLS))
    assert not [r for r in results if isinstance(r, BadRecord)]
    assert tool_calls(results) == [("read_inbox", "read", "success", None), ("lookup_fx", "read", "error", None),
                                   ("send_money", "send", "success", "GB33BUKB20201555555555")]
    acts = {a.tool: a for a in results if isinstance(a, Action)}
    assert {a.agent_id for a in results} == {"bill-payer"} and {a.session_id for a in results} == {"thread-42"}
    pay = acts["send_money"]
    assert pay.attributes["arguments"] == {"recipient": "GB33BUKB20201555555555", "amount": 500}
    assert pay.attributes["request"] == "Pay my March electricity bill; it is in my inbox."  # the model call's user message
    assert "<INFORMATION>" in str(acts["read_inbox"].attributes["result"])
    assert acts["lookup_fx"].attributes["status_message"].startswith("TimeoutError")
    assert acts["gen_ai.chat"].model is not None and acts["gen_ai.chat"].model.id == "gpt-4o"
    first, second = [a for a in results if isinstance(a, Action) and a.tool == "gen_ai.chat"]  # (the second offers the same)
    assert [d["name"] for d in first.attributes["tool_definitions"]] == ["read_inbox", "lookup_fx", "send_money"]
    assert "tool_definitions" not in second.attributes
    assert adapter.skipped == {"weave.call": 1}  # the helper op (format_prompt)
    assert sniff_format(CALLS) == "otel-json"


def test_the_injected_payee_pages(tmp_path):
    alerts = replayed_alerts(CALLS, tmp_path, fmt="otel-json")
    hits = {(a["evidence"]["action"]["tool"], a["severity"]) for a in alerts if a["rule_id"] == "intent.injected_target"}
    assert hits == {("send_money", "high")}


def test_a_list_or_page_of_calls_with_a_tool_before_the_model_call_that_declared_it():
    listed = [LINES[6], *LINES[:6]]  # send_money first: the document's model calls are read first
    for doc in (listed, {"calls": listed}):
        assert sorted(tool_calls(OtelAdapter().decode(orjson.dumps(doc), "calls.json"))) == sorted(tool_calls(OtelAdapter().read(CALLS)))


def test_an_op_no_model_call_named_is_no_tool():
    """A trace whose model calls are not recorded: its ops are not guessed to be tools."""
    lines = [x for x in LINES if "chat.completions" not in x["op_name"]]
    adapter = OtelAdapter()
    assert tool_calls(adapter.decode(orjson.dumps(lines), "calls.json")) == []
    assert adapter.skipped["weave.call"] == 4


def test_bad_calls_cost_only_themselves():
    broken = [{**LINES[3], "trace_id": 7}, {**LINES[4], "started_at": "soon"}, *LINES]
    results = list(OtelAdapter().decode(orjson.dumps({"calls": broken}), "page.json"))
    assert sorted(r.reason for r in results if isinstance(r, BadRecord)) == [
        "started_at 'soon' is not an ISO 8601 time after 1970", "trace_id 7 is not an id (text)"]
    assert tool_calls(results) == tool_calls(OtelAdapter().read(CALLS))


def test_mangled_calls_are_read_cleanly():
    rng = random.Random(5)
    mangle = mangler(rng, JUNK)
    adapter = OtelAdapter()
    assert_read_cleanly(adapter.decode, (mangle(rng.choice([LINES, {"calls": LINES}, rng.choice(LINES)])) for _ in range(300)), "w")

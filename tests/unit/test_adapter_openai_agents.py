"""The OpenAI Agents SDK's own trace export (``span.export()`` / ``trace.export()``, as a tracing processor
records them or the SDK's exporter batches them) read by ``--format otel-json`` as GenAI spans. Fixture
written from the SDK's span data types (agent, generation, function, guardrail, handoff, custom): one
run of a bill-paying agent whose inbox carries an injected payee, a line per item in export order (the
trace at its start, each span as it ends: the agent's span last)."""

import random
from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters import BadRecord, sniff_format
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from tests.factories import JUNK, assert_read_cleanly, mangler

RUN = Path(__file__).parents[1] / "data" / "adapters" / "openai_agents_run.jsonl"
ITEMS = [orjson.loads(line) for line in RUN.read_bytes().splitlines()]
REQUEST = "Pay my March electricity bill; it is in my inbox."


def _by_event(results) -> list[dict]:
    assert not [r for r in results if isinstance(r, BadRecord)]
    return sorted((r.model_dump() for r in results if isinstance(r, Action)), key=lambda a: a["event_id"])


def test_a_recorded_run_maps_each_tool_call_and_model_use():
    adapter = OtelAdapter()
    acts = {a.tool: a for a in adapter.read(RUN) if isinstance(a, Action)}
    assert sorted(acts) == ["gen_ai.chat", "gen_ai.invoke_agent", "list_files", "lookup_fx", "read_inbox", "send_money"]
    assert {a.agent_id for a in acts.values()} == {"Bill payer"}  # the agent span, exported after its calls
    assert {a.session_id for a in acts.values()} == {"thread_7d1c"}  # the trace's group_id
    assert {a.task_id for a in acts.values()} == {"trace_0af7651916cd43dd8448eb211c80319c"}
    pay = acts["send_money"]
    assert (pay.operation, pay.resource, pay.outcome) == ("send", "GB33BUKB20201555555555", "success")
    assert pay.attributes["arguments"] == {"recipient": "GB33BUKB20201555555555", "amount": 500, "subject": "refund"}
    assert pay.attributes["result"] == {"status": "sent", "id": "tx-99"}  # str() of a dict, read back
    assert pay.attributes["request"] == REQUEST  # the generation's input messages
    assert pay.time.isoformat() == "2026-03-02T10:00:06.006000+00:00"  # started_at
    assert "INFORMATION" in acts["read_inbox"].attributes["result"][0]["body"]
    fx = acts["lookup_fx"]
    assert (fx.outcome, fx.attributes["status_message"]) == ("error", "Error running tool")
    assert acts["list_files"].resource == "/bills"
    assert acts["gen_ai.chat"].model.id == "gpt-4o-2024-08-06"
    assert acts["gen_ai.chat"].attributes["usage"] == {"input_tokens": 120, "output_tokens": 18}
    # the trace item, a guardrail, a handoff and a custom span named like an operation are no actions
    assert adapter.skipped == {"openai_agents.trace": 1, "openai_agents.guardrail": 1, "openai_agents.handoff": 1,
                               "openai_agents.custom": 1}


def test_the_exporters_batch_a_list_and_a_line_per_item_give_the_same_actions():
    lines = _by_event(list(OtelAdapter().read(RUN)))
    batch = _by_event(list(OtelAdapter().decode(orjson.dumps({"data": ITEMS}), "ingest")))
    array = _by_event(list(OtelAdapter().decode(orjson.dumps(ITEMS), "array")))
    assert len(lines) == 6 and lines == batch == array


def test_the_injected_payee_is_found():
    acts = [a for a in OtelAdapter().read(RUN) if isinstance(a, Action)]
    engine = Engine()
    alerts = [o for a in acts for o in engine.process(a)] + engine.flush()
    (hit,) = [o for o in alerts if isinstance(o, Alert) and o.rule_id == "intent.injected_target"]
    assert hit.severity == "high" and "send_money" in hit.message and "read_inbox" in hit.message


def test_a_bad_item_costs_only_itself():
    bad = [
        {**ITEMS[3], "id": "span_bad_time", "started_at": "yesterday"},
        {**ITEMS[3], "id": "span_bad_data", "span_data": ["function"]},
        {**ITEMS[3], "id": None},
        {"object": "trace.group", "id": "x"},
        "not an item",
    ]
    results = list(OtelAdapter().decode(orjson.dumps({"data": ITEMS + bad}), "ingest"))
    reasons = [r.reason for r in results if isinstance(r, BadRecord)]
    assert reasons == ["started_at 'yesterday' is not an ISO 8601 time after 1970", "span_data is not an object",
                       "id None is not an id (text)",
                       "not an exported trace or span (object: trace, trace.span)",
                       "not an exported trace or span (object: trace, trace.span)"]
    assert [r.source for r in results if isinstance(r, BadRecord)][0] == "ingest#data[10]"
    assert len([r for r in results if isinstance(r, Action)]) == 6


def test_a_bad_agent_span_still_names_the_agent_of_its_calls():
    items = [{**item, "started_at": "never"} if item.get("span_data", {}).get("type") == "agent" else item for item in ITEMS]
    adapter = OtelAdapter()
    results = list(adapter.decode(orjson.dumps({"data": items}), "ingest"))
    assert [r.reason for r in results if isinstance(r, BadRecord)] == ["started_at 'never' is not an ISO 8601 time after 1970"]
    assert {a.agent_id for a in results if isinstance(a, Action)} == {"Bill payer"} and len(results) == 6
    assert adapter.skipped["openai_agents.unread"] == 1


def test_replay_hints_otel_json_for_an_export(tmp_path):
    f = tmp_path / "traces.jsonl"
    f.write_bytes(RUN.read_bytes())
    assert sniff_format(f) == "otel-json"


@pytest.mark.parametrize("seed", range(3))
def test_mangled_exports_never_raise(seed):
    """The run with random values swapped for others of any type: actions or dead letters with a reason
    of their own, never an exception, never "failed while processing"."""
    rng = random.Random(seed)
    mangle = mangler(rng, [*JUNK, "0001-01-01T00:00:00"])

    for i in range(300):
        assert_read_cleanly(OtelAdapter().decode, ({"data": mangle(ITEMS)}, mangle(rng.choice(ITEMS)), [mangle(ITEMS)]), f"m{i}")

"""LangSmith's runs as its SDK and API hand them out (a root run with its child runs nested, a flat list
of runs, the ``/runs/query`` answer) read by ``--format otel-json`` as LangSmith's OpenTelemetry export
is. Fixture written from LangSmith's run schema: a LangGraph agent whose inbox carries an injected payee."""

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

RUNS = Path(__file__).parents[1] / "data" / "adapters" / "langsmith_runs.json"
ROOT = orjson.loads(RUNS.read_bytes())


def _flat(run: dict) -> list[dict]:
    """The runs one by one, as ``Client.list_runs`` gives them (no child_runs)."""
    return [{**run, "child_runs": None}, *(r for child in run.get("child_runs") or () for r in _flat(child))]


def _dumps(results) -> list[dict]:
    assert not [r for r in results if isinstance(r, BadRecord)]
    return sorted((a.model_dump() for a in results if isinstance(a, Action)), key=lambda a: a["event_id"])


def test_a_root_run_with_its_children():
    adapter = OtelAdapter()
    acts = {a.tool: a for a in adapter.read(RUNS)}
    assert sorted(acts) == ["gen_ai.chat", "lookup_fx", "read_inbox", "send_money"]
    assert {a.agent_id for a in acts.values()} == {"payments_agent"}  # the root run: the named graph
    assert {a.session_id for a in acts.values()} == {"thread-9"}  # metadata.thread_id
    pay = acts["send_money"]
    assert (pay.operation, pay.resource) == ("send", "GB33BUKB20201555555555")
    assert pay.attributes["result"] == {"status": "sent", "id": "tx-99"}  # {"output": ...} unwrapped, read back
    assert pay.attributes["request"] == "Pay my March electricity bill; it is in my inbox."  # the graph's input
    assert acts["read_inbox"].attributes["arguments"] == {"folder": "inbox"}  # {"input": str(dict)}
    fx = acts["lookup_fx"]
    assert (fx.outcome, fx.attributes["status_message"]) == ("error", "TimeoutError('timeout after 10s')")
    assert acts["gen_ai.chat"].model is not None and acts["gen_ai.chat"].model.id == "gpt-4o-2024-08-06"
    # the tools bound to the model (invocation_params.tools): what the injected-target rule reads for tool poisoning
    assert acts["gen_ai.chat"].attributes["tool_definitions"][2] == {"name": "send_money", "description": "Send money to an IBAN."}
    assert adapter.skipped == {"langsmith.chain": 3}
    assert sniff_format(RUNS) == "otel-json"
    engine = Engine()
    alerts = [o for a in acts.values() for o in engine.process(a)] + engine.flush()
    (hit,) = [o for o in alerts if isinstance(o, Alert) and o.rule_id == "intent.injected_target"]
    assert hit.severity == "high" and "send_money" in hit.message


def test_a_flat_list_and_the_query_answer_give_the_same_actions():
    nested = _dumps(list(OtelAdapter().read(RUNS)))
    flat = _dumps(list(OtelAdapter().decode(orjson.dumps(_flat(ROOT)), "runs.json")))
    query = _dumps(list(OtelAdapter().decode(orjson.dumps({"runs": _flat(ROOT), "cursors": {"next": None}}), "q")))
    assert len(nested) == 4 and nested == flat == query


def test_a_bad_run_costs_only_itself():
    runs = _flat(ROOT)
    runs[5] = {**runs[5], "start_time": "soon"}  # lookup_fx
    runs.append({"id": None, "run_type": "tool", "start_time": "2026-03-02T10:00:00"})
    runs.append({"hello": "world"})
    results = list(OtelAdapter().decode(orjson.dumps(runs), "runs.json"))
    bad = {r.source: r.reason for r in results if isinstance(r, BadRecord)}
    assert bad == {"runs.json[5]": "start_time 'soon' is not an ISO 8601 time after 1970", "runs.json[7]": "id None is not an id (text)",
                   "runs.json[8]": "not a LangSmith run (run_type, start_time)"}
    assert sorted(a.tool for a in results if isinstance(a, Action)) == ["gen_ai.chat", "read_inbox", "send_money"]


def test_a_bad_runs_children_are_still_read_under_their_ancestors():
    root = {**ROOT, "child_runs": [{**ROOT["child_runs"][0]}, {**ROOT["child_runs"][1], "start_time": None}]}
    adapter = OtelAdapter()
    results = list(adapter.decode(orjson.dumps(root), "run.json"))
    (bad,) = [r for r in results if isinstance(r, BadRecord)]
    assert bad.source == "run.json.child_runs[1]" and orjson.loads(bad.raw)["child_runs"] is None
    assert sorted(a.tool for a in results if isinstance(a, Action)) == ["gen_ai.chat", "lookup_fx", "read_inbox", "send_money"]
    assert {a.agent_id for a in results if isinstance(a, Action)} == {"payments_agent"}  # the line holds through the bad run
    assert adapter.skipped["langsmith.unread"] == 1


def _run(rid: str, kind: str, name: str, parent: str | None, metadata: dict, children=(), **more) -> dict:
    return {"id": rid, "trace_id": "tr-1", "parent_run_id": parent, "run_type": kind, "name": name,
            "start_time": f"2026-03-02T10:00:0{len(rid) % 10}", "extra": {"metadata": metadata}, "child_runs": list(children), **more}


def test_a_sub_agents_calls_are_its_own():
    """A deep agent (LangChain names each agent's runs ``lc_agent_name``): the supervisor's delegation is its
    call, the researcher's search and mail under it the researcher's; a run without metadata under the
    researcher inherits it; on LangGraph's platform (``assistant_id`` on the runs too) the names still win."""
    sup, res = {"lc_agent_name": "supervisor", "thread_id": "th-1"}, {"lc_agent_name": "researcher", "thread_id": "th-1"}
    tree = _run("r", "chain", "LangGraph", None, sup, [
        _run("r1", "tool", "task", "r", sup, [
            _run("r11", "chain", "researcher", "r1", res, [
                _run("r111", "tool", "web_search", "r11", res, inputs={"query": "q3 numbers"}, outputs={"output": "found"}),
                _run("r112", "chain", "tools", "r11", {}, [
                    _run("r1121", "tool", "send_email", "r112", {}, inputs={"to": "cfo@example.org"}, outputs={"output": "sent"})]),
            ])], inputs={"description": "find the numbers"}, outputs={"output": "done"})])
    for assistant in (None, "asst-7f3c"):
        if assistant:
            for run in _flat(tree):
                if run["extra"]["metadata"]:  # (the metadata of a run under an agent is inherited: both names or none)
                    run["extra"]["metadata"]["assistant_id"] = assistant
        acts = {a.tool: a.agent_id for a in OtelAdapter().decode(orjson.dumps(_flat(tree)), "runs.json")
                if isinstance(a, Action)}
        assert acts == {"task": "supervisor", "web_search": "researcher", "send_email": "researcher"}
    plain = {a.tool: a.agent_id for a in OtelAdapter().decode(orjson.dumps(ROOT), "run.json") if isinstance(a, Action)}
    assert set(plain.values()) == {"payments_agent"}  # no names: the root run's, as before


@pytest.mark.parametrize("seed", range(3))
def test_mangled_runs_never_raise(seed):
    mangle = mangler(random.Random(seed), [*JUNK, "tool", "2026-03-02T10:00:00"])
    for i in range(300):
        assert_read_cleanly(OtelAdapter().decode, (mangle(ROOT), mangle(_flat(ROOT)), {"runs": mangle(_flat(ROOT))}), f"m{i}")


def test_a_run_dated_past_the_year_9999_in_utc_says_so():
    """9999-12-31 at 23:59 five hours west of UTC is in the year 10000 in UTC, which no datetime holds:
    the reason says that (not an OverflowError), and the other runs are read."""
    runs = _flat(ROOT)
    runs[5] = {**runs[5], "start_time": "9999-12-31T23:59:59-05:00"}
    results = list(OtelAdapter().decode(orjson.dumps(runs), "runs.json"))
    assert {r.source: r.reason for r in results if isinstance(r, BadRecord)} == {
        "runs.json[5]": "start_time '9999-12-31T23:59:59-05:00' is after the year 9999 in UTC"}
    assert sorted(a.tool for a in results if isinstance(a, Action)) == ["gen_ai.chat", "read_inbox", "send_money"]

"""An agent's own model use is judged by its manifest's ``model``, not by ``allowed.tools``.

The OTel adapter makes an action of each ``invoke_agent`` and ``chat`` span (tool ``gen_ai.<operation>``,
operation ``invoke``): the model's id, the user's request and the tools the model was offered, which
other rules read. A manifest written for the agent lists the tools it calls and what it does with
them, not its model call; judged as tools, every agent of a real trace raised "tool
'gen_ai.invoke_agent' is outside allowed.tools" and "operation 'invoke' is outside
allowed.operations", at high, every hour. ``judge_model_use: true`` (rules.yaml) judges them again."""

from pathlib import Path

import yaml

from intentwatch.models.action import MODEL_USE
from intentwatch.pipeline.io.adapters.otel_requests import MODEL_OPERATIONS
from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import open_adapter, read_tree
from intentwatch.pipeline.suggest import DraftOptions
from intentwatch.pipeline.suggest.draft import suggest_all
from intentwatch.pipeline.suggest.history import read_history
from tests.factories import replayed_alerts

TRACE = Path(__file__).parents[1] / "data" / "adapters" / "otel_genai_trace.json"  # invoke_agent, chat, get_ticket, send_email


def _intents(tmp_path, tools, model="gpt-4.1") -> Path:
    d = tmp_path / "intents"
    d.mkdir(exist_ok=True)
    (d / "support-agent.yaml").write_text(yaml.safe_dump({
        "agent_id": "support-agent", "owner": "support@example.com", "purpose": "Answer support tickets",
        "allowed": {"tools": tools, "operations": ["read", "send"]}, "model": {"id": model}}))
    return d


def _rules(alerts) -> list[tuple[str, str]]:
    return sorted((a["rule_id"], a["evidence"]["observed"]) for a in alerts if a["rule_id"].startswith("intent.") and a["status"] == "open"
                  and a["rule_id"] != "intent.injected_target")


def test_model_calls_and_runs_are_not_tools(tmp_path):
    intents = _intents(tmp_path, ["get_ticket", "send_email"])
    assert _rules(replayed_alerts(TRACE, tmp_path, "--intents", str(intents), fmt="otel-json")) == []
    # a tool outside the list is still one
    narrow = _intents(tmp_path, ["get_ticket"])
    assert _rules(replayed_alerts(TRACE, tmp_path, "--intents", str(narrow), fmt="otel-json")) == [
        ("intent.tool_not_allowed", "send_email")]


def test_the_manifest_s_model_judges_them(tmp_path):
    intents = _intents(tmp_path, ["get_ticket", "send_email"], model="claude-sonnet-4")
    assert ("lifecycle.model_mismatch", "gpt-4.1") in {(a["rule_id"], str(a["evidence"]["observed"]).split("@")[0])
                                                    for a in replayed_alerts(TRACE, tmp_path, "--intents", str(intents), fmt="otel-json")}


def test_judged_as_tools_when_the_deployment_asks(tmp_path):
    config = tmp_path / "judge.yaml"
    config.write_text(yaml.safe_dump({"engine": {"rules": {r: {"params": {"judge_model_use": True}}
                                                           for r in ("intent.tool_not_allowed", "intent.operation_not_allowed")}}}))
    intents = _intents(tmp_path, ["get_ticket", "send_email"])
    got = _rules(replayed_alerts(TRACE, tmp_path, "--intents", str(intents), "-c", str(config), fmt="otel-json"))
    assert ("intent.tool_not_allowed", "gen_ai.invoke_agent") in got and ("intent.operation_not_allowed", "invoke") in got


def test_drafts_list_tools_not_model_use(tmp_path):
    actions = (r for r in read_tree(open_adapter("otel-json"), TRACE) if isinstance(r, Action))
    m = suggest_all(read_history(actions), DraftOptions())["support-agent"].manifest
    assert set(m.allowed.tools or []) == {"get_ticket", "send_email"} and "invoke" not in (m.allowed.operations or [])
    assert m.model is not None and m.model.id == "gpt-4.1"  # (from the chat span)


def test_the_adapter_names_model_use_as_the_contract_does():
    assert {f"gen_ai.{op}" for op in MODEL_OPERATIONS} == MODEL_USE

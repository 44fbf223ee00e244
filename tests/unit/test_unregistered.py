"""Agents with no manifest: a shadow alert (the default), their own baseline, or both (engine.unregistered)."""

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from intentwatch.pipeline.cli import app
from intentwatch.pipeline.engine.config import EngineConfig, LearnedConfig
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.hosts.replay import manifest_instantiations
from intentwatch.pipeline.settings import load_settings
from tests.factories import action, manifest

FAST = LearnedConfig(warm_events=50, warm_seconds=0)
REPO = Path(__file__).resolve().parents[2]


def ghost_actions(n: int = 300, agent: str = "ghost") -> list:
    """An unregistered agent's routine, then a call to a data domain it never touched."""
    acts = [action(agent, timedelta(seconds=30 * i), session_id=f"s{i // 10}") for i in range(n)]
    acts.append(action(agent, timedelta(seconds=30 * n), tool="shell.exec", operation="execute",
                       resource="file:///etc/shadow", data_domain="system", session_id="x"))
    return acts


def run(config: EngineConfig, acts, lifecycle=()) -> tuple[set[str], Engine]:
    e = Engine(config)
    out = []
    for ev in lifecycle:
        out += e.process(ev)
    for a in acts:
        out += e.process(a)
    out += e.flush()
    return {o.rule_id for o in out if getattr(o, "status", None) == "open"}, e


def test_default_is_a_shadow_alert_and_no_learning():
    rules, e = run(EngineConfig(learned=FAST), ghost_actions())
    assert rules == {"lifecycle.shadow_agent"}
    assert e.agents["ghost"].baseline is None
    assert e.learning_report() == {"judged": 0, "warming": 0, "never_warm": 0, "unregistered_unjudged": 1}


def test_learn_judges_it_by_its_own_baseline_without_a_shadow_alert():
    rules, e = run(EngineConfig(unregistered="learn", learned=FAST), ghost_actions())
    assert rules == {"behaviour.novel_data_domain"}
    assert e.learning_report() == {"judged": 1, "warming": 0, "never_warm": 0, "unregistered_unjudged": 0}


def test_both_gives_the_shadow_alert_and_the_learned_findings():
    rules, _ = run(EngineConfig(unregistered="both", learned=FAST), ghost_actions())
    assert rules == {"lifecycle.shadow_agent", "behaviour.novel_data_domain"}


def test_a_learned_only_run_over_unregistered_agents_is_no_longer_blind():
    """The learned-only comparison config (deploy/config/compare/learned-only.yaml) over an agent with no
    manifest: by default nothing judges it, and the report says so; with learn its own baseline does."""
    learned_only = load_settings(REPO / "deploy/config/compare/learned-only.yaml").engine
    rules, e = run(learned_only.model_copy(update={"learned": FAST}), ghost_actions())
    assert rules == set() and e.learning_report()["unregistered_unjudged"] == 1
    rules, e = run(learned_only.model_copy(update={"learned": FAST, "unregistered": "learn"}), ghost_actions())
    assert rules == {"behaviour.novel_data_domain"}
    assert e.learning_report() == {"judged": 1, "warming": 0, "never_warm": 0, "unregistered_unjudged": 0}


def test_an_agent_with_few_actions_never_leaves_warm_up():
    rules, e = run(EngineConfig(unregistered="learn"), ghost_actions(20))
    assert e.learning_report() == {"judged": 1, "warming": 1, "never_warm": 1, "unregistered_unjudged": 0}


def test_registered_agents_and_gates_are_unchanged_by_the_choice():
    m = manifest("support-1")
    acts = [action("support-1", timedelta(minutes=i)) for i in range(3)]
    for mode in ("shadow", "learn", "both"):
        rules, e = run(EngineConfig(unregistered=mode), acts, manifest_instantiations([(m, "t")]))
        assert rules == set()
        assert e.learning_report()["judged"] == 1 and e.learning_report()["never_warm"] == 1


def test_a_manifest_arriving_later_starts_a_new_learning_period():
    acts = ghost_actions(120)
    late = manifest("ghost", issued_at=acts[60].time.isoformat())
    rules, e = run(EngineConfig(unregistered="learn", learned=FAST), acts, manifest_instantiations([(late, "t")]))
    b = e.agents["ghost"].baseline
    assert b is not None and b.period_n == 60 and e.agents["ghost"].status == "active"  # applied before action 60


def test_learning_without_the_learned_side_is_a_config_error():
    with pytest.raises(ValidationError, match="engine.learned.enabled: false turns off"):
        EngineConfig(unregistered="learn", learned=LearnedConfig(enabled=False))


def test_replay_summary_says_who_was_not_judged_and_who_never_left_warm_up(tmp_path: Path):
    events = tmp_path / "actions.jsonl"
    events.write_bytes(b"".join(a.model_dump_json().encode() + b"\n" for a in ghost_actions(20)))
    runner = CliRunner()
    args = ["replay", str(events), "--alerts", str(tmp_path / "a.jsonl"), "--commands", str(tmp_path / "c.jsonl"),
            "--dead-letter", str(tmp_path / "d.jsonl")]
    r = runner.invoke(app, args)
    assert r.exit_code == 0 and "1 agent(s) acted with no manifest and the learned side never judged them" in r.output
    cfg = tmp_path / "learn.yaml"
    cfg.write_text(yaml.safe_dump({"engine": {"unregistered": "learn"}}))
    r = runner.invoke(app, [*args, "--config", str(cfg)])
    assert r.exit_code == 0, r.output
    assert "agents judged by the learned side" in r.output and "(1 never left it)" in r.output
    assert "never judged" not in r.output


def test_a_credential_shared_with_an_unregistered_agent_is_flagged_in_any_order():
    """Streaming may learn of the first user's earlier use after the unregistered agent's (another
    worker, a lagging partition): the late path flags it with the same alert as the in-order run."""
    owner = manifest("owner-1", credentials=["key-9"])
    early = action("owner-1", timedelta(minutes=1), credential_id="key-9")
    ghost = action("ghost", timedelta(minutes=5), credential_id="key-9")

    def shared(order, event_clock: bool) -> list[str]:
        e = Engine(EngineConfig(unregistered="learn"), event_clock=event_clock)
        out = []
        for ev in manifest_instantiations([(owner, "t")]):
            out += e.process(ev)
        for a in order:
            out += e.process(a)
        out += e.flush()
        return [o.alert_id for o in out if getattr(o, "status", None) == "open" and o.rule_id == "credential.shared"]

    in_order = shared([early, ghost], event_clock=True)
    assert len(in_order) == 1
    assert shared([ghost, early], event_clock=False) == in_order

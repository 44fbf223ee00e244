"""Agent definitions and their instances: inherited and narrowed intent, a widening instance
refused, and instances judged from their first action against their definition's clean instances."""

from datetime import timedelta

import pytest

from intentwatch.models.alert import Alert
from intentwatch.models.feedback import Feedback
from intentwatch.models.intent import IntentManifest
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.definition_model import target_key
from intentwatch.pipeline.engine.definitions import narrow
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.io.intents import load_manifests
from tests.factories import T0, action, decommission, instantiate

DEF = {"kind": "definition", "agent_id": "mailer", "owner": "team@example.com", "purpose": "mail assistant",
       "allowed": {"tools": ["mail.*", "contacts.search"], "operations": ["read", "send"],
                   "per_tool": {"mail.send": {"arguments": {"to": {"allowed": ["*@*"], "required": True}}}}},
       "rate_limit": {"max_actions": 100, "per_seconds": 60}}


def definition(**over) -> IntentManifest:
    return IntentManifest.model_validate({**DEF, **over})


def instance(i: int, **over) -> IntentManifest:
    doc = {"agent_id": f"mailer-i{i}", "owner": "team@example.com", "purpose": "mail assistant", "task": f"task {i}",
           "definition": "mailer", "issued_at": (T0 + timedelta(hours=i) - timedelta(seconds=1)).isoformat()}
    return IntentManifest.model_validate({**doc, **over})


def engine(**params) -> Engine:
    rules = {"definition.new_tool": {"params": {"min_instances": 2, "support": 1}},
             "definition.new_target": {"params": {"min_instances": 2, "support": 1}},
             "definition.volume": {"params": {"min_instances": 2}}}
    for rid, p in params.items():
        rules[rid.replace("__", ".")] = {"params": p}
    e = Engine(EngineConfig.model_validate({"rules": rules}))
    e.process(instantiate(definition(), at=timedelta(days=-1)))
    return e


def run(e: Engine, i: int, sends: list[str], reads: int = 2, m: IntentManifest | None = None, tool: str = "mail.send") -> list[Alert]:
    """Instance ``i``: ``reads`` reads, then a send to each address, then decommissioned."""
    m = m or instance(i)
    out = e.process(instantiate(m, at=timedelta(hours=i) - timedelta(seconds=1)))
    t = timedelta(hours=i)
    for k in range(reads):
        out += e.process(action(m.agent_id, at=t + timedelta(seconds=k), tool="mail.read_inbox", operation="read",
                                resource=None, data_domain=None, credential_id=None, model=None,
                                attributes={"arguments": {"folder": "inbox"}}))
    for k, to in enumerate(sends):
        out += e.process(action(m.agent_id, at=t + timedelta(seconds=30 + k), tool=tool, operation="send", resource=None,
                                data_domain=None, credential_id=None, model=None, attributes={"arguments": {"to": to}}))
    out += e.process(decommission(m.agent_id, at=t + timedelta(minutes=5)))
    out += e.advance_to((T0 + t + timedelta(minutes=20)).timestamp())
    return [o for o in out if isinstance(o, Alert) and o.status == "open"]


def rules_of(alerts: list[Alert]) -> list[str]:
    return [a.rule_id for a in alerts]


# -- inheritance ------------------------------------------------------------------------------
def test_an_instance_inherits_what_it_leaves_out_and_may_narrow():
    eff, problems = narrow(instance(1), definition())
    assert problems == []
    assert eff.allowed.tools == ["mail.*", "contacts.search"] and eff.rate_limit.max_actions == 100
    assert eff.allowed.per_tool is not None and "mail.send" in eff.allowed.per_tool
    eff, problems = narrow(instance(1, allowed={"tools": ["mail.send"], "operations": ["send"]}), definition())
    assert problems == [] and eff.allowed.tools == ["mail.send"] and eff.allowed.operations == ["send"]


@pytest.mark.parametrize("over, says", [
    ({"allowed": {"tools": ["mail.*", "shell.exec"]}}, "allowed.tools 'shell.exec'"),
    ({"allowed": {"tools": ["*"]}}, "allowed.tools '*'"),
    ({"allowed": {"operations": ["read", "delete"]}}, "allowed.operations 'delete'"),
    ({"allowed": {"per_tool": {"mail.send": {}}}}, "drops the definition's rule on argument 'to'"),
    ({"allowed": {"per_tool": {"mail.send": {"arguments": {"to": {"allowed": ["*@*"]}}}}}}, "no longer required"),
    ({"allowed": {"per_tool": {"mail.read_inbox": {}}}}, "drops the definition's clause for 'mail.send'"),
    ({"rate_limit": {"max_actions": 1000, "per_seconds": 60}}, "faster than the definition's"),
])
def test_widening_is_named(over, says):
    _eff, problems = narrow(instance(1, **over), definition())
    assert any(says in p for p in problems), problems


def test_a_definition_cannot_name_a_definition_and_loads_from_the_intents_folder(tmp_path):
    with pytest.raises(ValueError, match="cannot instantiate another definition"):
        definition(definition="other")
    (tmp_path / "m.yaml").write_text("kind: definition\nagent_id: mailer\nowner: t\npurpose: p\nallowed: {tools: [mail.*]}\n"
                                     "---\nagent_id: mailer-i1\nowner: t\npurpose: p\ndefinition: mailer\n")
    loaded = load_manifests(tmp_path)
    assert not loaded.errors and [m.kind for m, _ in loaded.manifests] == ["definition", "agent"]
    expiry = [p.source.rsplit(":", 1)[1] for p in loaded.problems if p.field == "expires_at"]
    assert expiry == ["7"]  # the instance's; a definition holds no authority of its own to expire


def test_a_definition_is_registered_not_an_agent_and_its_intent_is_enforced_on_instances():
    e = engine()
    assert "mailer" not in e.agents and "mailer" in e.defs.definitions
    alerts = run(e, 1, ["bob@example.com"], m=instance(1), tool="shell.exec")  # inherited tools: shell.exec is outside
    assert "intent.tool_not_allowed" in rules_of(alerts)


def test_an_instance_that_widens_is_refused_and_dead_lettered():
    e = engine()
    m = instance(1, allowed={"tools": ["mail.*", "shell.exec"]})
    out = [o for o in e.process(instantiate(m, at=timedelta(hours=1) - timedelta(seconds=1))) if isinstance(o, Alert)]
    out += [o for o in e.process(action(m.agent_id, at=timedelta(hours=1), tool="shell.exec", operation="execute"))
            if isinstance(o, Alert)]
    assert [a.rule_id for a in out] == ["definition.widened", "lifecycle.shadow_agent"]
    assert "allowed.tools 'shell.exec'" in out[0].message and out[0].severity == "high"
    [rejected] = e.take_rejected()
    assert rejected.applied and "widens definition 'mailer'" in rejected.reason
    assert e.agents[m.agent_id].status == "unregistered"


# -- learning across instances ----------------------------------------------------------------
def test_judged_from_the_first_action_once_enough_clean_instances_ended():
    e = engine()
    assert run(e, 1, ["bob@example.com"]) == [] and run(e, 2, ["carol@example.com"]) == []
    assert e.defs.model("mailer").instances == 2
    assert run(e, 3, ["dave@example.com"], reads=0) == []  # a known mail domain, a new address: quiet
    [a] = run(e, 4, ["eve@evil.io"], reads=0)  # its first action
    assert a.rule_id == "definition.new_target" and a.severity == "high"
    assert a.evidence.observed == "eve@evil.io" and a.evidence.baseline["target_key"] == "mail:evil.io"
    assert a.evidence.clause == "arguments.to"


def test_a_flagged_instance_teaches_nothing():
    e = engine()
    run(e, 1, ["bob@example.com"])
    run(e, 2, ["carol@example.com"])
    for i in (3, 4, 5):  # the same outside domain again and again: each instance flagged, none learned
        assert rules_of(run(e, i, ["eve@evil.io"])) == ["definition.new_target"]
    assert e.defs.model("mailer").instances == 2
    # An instance flagged by another rule (a high finding) teaches nothing either.
    run(e, 6, ["bob@partner.io"], m=instance(6, allowed={"tools": ["mail.read_inbox"]}))
    assert e.defs.model("mailer").instances == 2


def verdict(i: int, kind: str = "false_positive", rule_id: str = "definition.new_target", after: float = 2) -> Feedback:
    """An analyst's verdict on instance ``i``'s alert, ``after`` hours past its start (it ended long before)."""
    return Feedback(feedback_id=f"fb-{i}-{kind}-{rule_id}", agent_id=f"mailer-i{i}", rule_id=rule_id, verdict=kind,
                    analyst="soc@example.com", reason="a partner of this definition",
                    time=T0 + timedelta(hours=i + after))


def test_a_false_positive_verdict_lets_an_ended_instance_teach():
    """A partner first met after the definition is judged pages on every instance that uses it: no
    instance using it is clean. An analyst's false positive on the page makes the held instance
    clean; it teaches then, and the partner is known. A confirmed verdict keeps it out for good."""
    e = engine()
    run(e, 1, ["bob@example.com"])
    run(e, 2, ["carol@example.com"])
    assert rules_of(run(e, 3, ["ann@partner.io"])) == ["definition.new_target"]
    assert e.defs.model("mailer").instances == 2 and e.agents["mailer-i3"].detect["def_held"]
    e.advance_to((T0 + timedelta(hours=6)).timestamp())
    assert "mailer-i3" not in e.agents  # compacted, its held record with it
    e.process(verdict(3, after=4))
    e.advance_to((T0 + timedelta(hours=7, minutes=30)).timestamp())
    assert e.defs.model("mailer").instances == 3 and "def_held" not in e.agents["mailer-i3"].detect
    assert e.stats["feedback_definition_lessons"] == 1
    assert run(e, 9, ["zoe@partner.io"]) == []  # known now
    assert rules_of(run(e, 10, ["eve@evil.io"])) == ["definition.new_target"]
    e.process(verdict(10, "confirmed"))
    e.process(verdict(10, after=3))  # a later false positive cannot wash a confirmed attack in
    e.advance_to((T0 + timedelta(hours=14)).timestamp())
    assert e.defs.model("mailer").instances == 4 and "def_held" not in e.agents["mailer-i10"].detect


def test_a_verdict_on_one_rule_leaves_an_instance_another_rule_flagged():
    e = engine()
    run(e, 1, ["bob@example.com"])
    run(e, 2, ["carol@example.com"])
    # a tool outside the instance's intent too: intent.tool_not_allowed flagged it as well
    got = run(e, 3, ["ann@partner.io"], m=instance(3, allowed={"tools": ["mail.read_inbox"]}))
    assert {"definition.new_target", "intent.tool_not_allowed"} <= set(rules_of(got))
    e.process(verdict(3))
    e.advance_to((T0 + timedelta(hours=6)).timestamp())
    assert e.defs.model("mailer").instances == 2  # still held: the other rule has no verdict
    e.process(verdict(3, rule_id="intent.tool_not_allowed", after=4))
    e.advance_to((T0 + timedelta(hours=8)).timestamp())
    assert e.defs.model("mailer").instances == 3


def test_a_new_target_does_not_page_where_instances_meet_new_targets_every_day():
    """Every instance mails a partner no earlier one had: once 20 instances were counted since the
    definition is judged, a new target is everyday there and is raised at medium, naming the rate."""
    e = engine(definition__new_target={"min_instances": 2, "support": 1, "rate_instances": 20})
    for i in range(1, 23):
        alerts = run(e, i, [f"x@p{i}.example"], reads=0)
        assert [(a.rule_id, a.severity) for a in alerts] == ([] if i <= 2 else [("definition.new_target", "high")])
    [a] = run(e, 23, ["x@p23.example"], reads=0)
    assert (a.rule_id, a.severity) == ("definition.new_target", "medium") and "not paging" in a.message
    assert a.evidence.baseline["new_target_rate"] == 1.0 and a.evidence.baseline["instances_counted"] == 20
    assert e.defs.model("mailer").instances == 3  # a finding that does not page leaves the instance clean: it teaches


def test_a_campaign_on_one_target_cannot_lower_the_bar():
    """A third of the instances are steered to the same outside address: it is new once, so the
    definition stays one whose instances rarely meet new targets, and every hijack pages."""
    e = engine(definition__new_target={"min_instances": 2, "support": 1, "rate_instances": 20})
    for i in range(1, 61):
        hijacked = i > 2 and i % 3 == 0
        alerts = run(e, i, ["eve@evil.io" if hijacked else f"u{i}@example.com"], reads=0)
        assert [(a.rule_id, a.severity) for a in alerts] == ([("definition.new_target", "high")] if hijacked else [])
    rate, _low, counted = e.defs.model("mailer").novel_rate()
    assert counted == 58 and rate == 1 / 58


def test_instances_another_rule_paged_are_attacks_not_an_open_world():
    """Every other instance mails a fresh outside domain but is paged by an intent rule too (it
    runs a tool outside its task): those count as instances that met nothing new, so a fresh
    domain from an instance nothing else flags still pages."""
    e = engine(definition__new_target={"min_instances": 2, "support": 1, "rate_instances": 20})
    run(e, 1, ["a@example.com"], reads=0)
    run(e, 2, ["b@example.com"], reads=0)
    narrowed = {"allowed": {"tools": ["mail.read_inbox"]}}
    for i in range(3, 43):
        alerts = run(e, i, [f"x@evil{i}.io"] if i % 2 else [f"u{i}@example.com"], reads=0, m=instance(i, **narrowed))
        assert "intent.tool_not_allowed" in rules_of(alerts)
    assert e.defs.model("mailer").instances == 2  # paged on its first action: flagged from there, it taught nothing
    [a] = run(e, 43, ["x@new-partner.io"], reads=0)
    assert (a.rule_id, a.severity) == ("definition.new_target", "high")
    assert a.evidence.baseline["new_target_rate"] == 0.0 and a.evidence.baseline["instances_counted"] == 40


def test_a_value_needs_support_from_distinct_clean_instances():
    e = engine(definition__new_target={"min_instances": 2, "support": 2})
    assert run(e, 1, ["bob@example.com", "x@partner.io"]) == [] and run(e, 2, ["carl@example.com"]) == []  # not yet judged
    [a] = run(e, 3, ["ann@partner.io"])  # one clean instance used it: not known yet (and instance 3 is flagged)
    assert a.evidence.baseline["target_key"] == "mail:partner.io"
    assert run(e, 4, ["dan@example.com"]) == []  # two did
    assert rules_of(run(e, 5, ["y@partner.io"])) == ["definition.new_target"]  # the flagged instance 3 did not count


def test_a_target_the_task_asked_for_is_quiet():
    e = engine()
    run(e, 1, ["bob@example.com"])
    run(e, 2, ["carol@example.com"])
    m = instance(3, task="send the report to the auditor at audit@kpmg.example")
    assert run(e, 3, ["audit@kpmg.example"], m=m) == []


def test_new_tool_reads_are_low_and_volume_fires_once():
    e = engine(definition__volume={"min_instances": 2, "quantile": 0.5, "factor": 1.5})
    run(e, 1, ["bob@example.com"])
    run(e, 2, ["carol@example.com"])
    m = instance(3)
    e.process(instantiate(m, at=timedelta(hours=3) - timedelta(seconds=1)))
    out = e.process(action(m.agent_id, at=timedelta(hours=3), tool="contacts.search", operation="read", resource=None,
                           data_domain=None, credential_id=None, model=None))
    [a] = [o for o in out if isinstance(o, Alert)]
    assert (a.rule_id, a.severity) == ("definition.new_tool", "low")
    alerts = [o for k in range(1, 10) for o in e.process(action(m.agent_id, at=timedelta(hours=3, seconds=k), tool="mail.read_inbox",
                                                                  operation="read", resource=None, data_domain=None,
                                                                  credential_id=None, model=None)) if isinstance(o, Alert)]
    [v] = [a for a in alerts if a.rule_id == "definition.volume"]  # 3 actions per clean instance: above 4.5
    assert v.evidence.observed == 5


def test_models_and_records_survive_a_checkpoint():
    e = engine()
    run(e, 1, ["bob@example.com"])
    run(e, 2, ["carol@example.com"])
    m = instance(3)
    e.process(instantiate(m, at=timedelta(hours=3) - timedelta(seconds=1)))
    e.process(action(m.agent_id, at=timedelta(hours=3), tool="mail.send", operation="send", resource=None, data_domain=None,
                     credential_id=None, model=None, attributes={"arguments": {"to": "x@example.com"}}))
    record, agent = e.definitions_record(), e.state_record(m.agent_id)
    e2 = Engine(e.config)
    e2.restore_definitions(record)
    e2.restore(AgentState.from_record(agent, e2.checks))
    assert e2.defs.model("mailer").to_record() == e.defs.model("mailer").to_record()
    assert e2.agents[m.agent_id].detect["def"]["n"] == 1
    for eng in (e, eng2 := e2):  # the same next action, the same finding
        out = eng.process(action(m.agent_id, at=timedelta(hours=3, seconds=5), event_id="same", tool="mail.send", operation="send",
                                 resource=None, data_domain=None, credential_id=None, model=None,
                                 attributes={"arguments": {"to": "eve@evil.io"}}))
        assert [o.rule_id for o in out if isinstance(o, Alert)] == ["definition.new_target"], eng is eng2


def test_target_keys():
    assert target_key("Eve@Evil.IO") == "mail:evil.io"
    assert target_key("https://x.evil.io:8443/a?b=1") == "host:x.evil.io"
    assert target_key("FR7630006000011234567890189") == "iban:fr3000"
    assert target_key("no link this week") is None and target_key("f-0001") is None
    # as agents' arguments also carry them: no scheme, a port, an IBAN in groups, a file's name
    assert target_key("www.secure-systems-252.com/login") == "host:www.secure-systems-252.com"
    assert target_key("evil.io:8443") == "host:evil.io" and target_key("10.1.2.3:22") == "net:10.1.2"
    assert target_key("GB29 NWBK 6016 1331 9268 19") == target_key("GB29NWBK60161331926819") == "iban:gbnwbk"
    assert target_key("team-building-activities.docx") is None and target_key("notes.md") is None


def test_under_trust_enforce_only_a_signed_definition_is_registered():
    from tests.unit.test_trust import engine as trusted_engine
    from tests.unit.test_trust import opened, signed

    e = trusted_engine("enforce")
    d = definition(agent_id="support-def", owner="alice@example.com")
    out = e.process(instantiate(d))
    assert opened(out) == ["control.unauthorised_change"] and "support-def" not in e.defs.definitions
    assert [r.event.agent_id for r in e.take_rejected()] == ["support-def"] and "support-def" not in e.agents
    assert opened(e.process(signed(instantiate(d), "registry"))) == [] and "support-def" in e.defs.definitions


def test_definitions_are_bounded_and_the_one_too_many_is_refused_as_input(monkeypatch):
    from intentwatch.models.errors import InputError
    from intentwatch.pipeline.engine import definitions

    monkeypatch.setattr(definitions, "MAX_DEFINITIONS", 2)
    e = engine()
    e.process(instantiate(definition(agent_id="second")))
    e.process(instantiate(definition(agent_id="second", purpose="a new version")))  # a new version is no new definition
    with pytest.raises(InputError, match="one more than 2"):
        e.process(instantiate(definition(agent_id="third")))
    assert sorted(e.defs.definitions) == ["mailer", "second"]


def test_an_ended_instance_keeps_no_record_from_findings_after_its_end():
    """A decommissioned instance still acting (a zombie: critical) starts no empty record."""
    e = engine()
    run(e, 1, ["bob@example.com"])
    zombie = e.process(action("mailer-i1", at=timedelta(hours=3), tool="mail.read_inbox", operation="read", resource=None,
                              data_domain=None, credential_id=None, model=None, attributes={"arguments": {"folder": "inbox"}}))
    assert [o.severity for o in zombie if isinstance(o, Alert)] == ["critical"]
    assert "def" not in e.agents["mailer-i1"].detect and e.defs.model("mailer").instances == 1

"""What an instance teaches its definition, as a record a streaming host shares: emitted when it
ends clean, folded into another engine (another worker, or the same one after a restart), and
refused when malformed."""

from datetime import timedelta

import orjson
import pytest

from intentwatch.models.definition_record import DefinitionLesson, SharedDefinition
from intentwatch.models.errors import InputError
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.codec import decode_definition_record
from tests.factories import instantiate
from tests.unit.test_definitions import definition, engine, instance, rules_of, run


def sharing_engine() -> Engine:
    e = Engine(engine().config)
    e.share_definitions()
    e.process(instantiate(definition(), at=timedelta(days=-1)))
    return e


def test_a_clean_instance_that_ends_emits_its_lesson_and_a_flagged_one_only_the_targets_it_met():
    e = sharing_engine()
    [shared] = e.drain_definition_records()
    assert isinstance(shared, SharedDefinition) and shared.key() == b"mailer"
    run(e, 1, ["bob@example.com"])
    [lesson] = e.drain_definition_records()
    assert isinstance(lesson, DefinitionLesson)
    assert (lesson.definition, lesson.agent_id, lesson.n) == ("mailer", "mailer-i1", 3)
    assert sorted(lesson.tools) == ["mail.read_inbox", "mail.send"] and len(lesson.values) == 1
    assert lesson.part == "all" and lesson.free == lesson.values  # example.com: named by neither request nor intent
    assert lesson.instance.startswith("lc-")  # the instantiation's event id: one agent id may run many tasks
    assert lesson.key() == f"mailer\nmailer-i1\n{lesson.instance}".encode()
    run(e, 2, ["carol@example.com"])
    e.drain_definition_records()
    assert rules_of(run(e, 3, ["eve@evil.io"])) == ["definition.new_target"]
    [met] = e.drain_definition_records()  # flagged: only how often instances meet new targets
    assert (met.part, met.tools, met.values, len(met.free)) == ("population", [], [], 1)
    assert met.key() == f"mailer\nmailer-i3\n{met.instance}\npopulation".encode()
    model = e.defs.model("mailer")
    assert model.instances == 2 and len(model.values) == 1 and len(model.seen) == 2
    assert engine().drain_definition_records() == []  # replay's engine keeps nothing for anyone


def test_another_engine_learns_from_the_records_and_judges_as_the_first_does():
    a = sharing_engine()
    records = a.drain_definition_records()
    for i, to in ((1, "bob@example.com"), (2, "carol@example.com")):
        run(a, i, [to])
        records += a.drain_definition_records()
    wire = [orjson.dumps(r.model_dump(mode="json")) for r in records]  # through the topic

    b = Engine(a.config)  # another worker: no definition, no instance of its own
    assert run(b, 3, ["eve@evil.io"], reads=0) == []  # without the records: nothing known, nothing judged
    b = Engine(a.config)
    for raw in wire:
        b.merge_definition_record(decode_definition_record(raw, "t"))
    assert b.definitions_record() == a.definitions_record()
    for eng in (a, b):  # the same instance on either worker: the same alert
        [alert] = run(eng, 4, ["eve@evil.io"], reads=0)
        assert (alert.rule_id, alert.evidence.baseline["clean_instances"]) == ("definition.new_target", 2)
    # the definition's intent came along: its instances inherit it on b too
    assert "intent.tool_not_allowed" in rules_of(run(b, 5, ["bob@example.com"], tool="shell.exec"))


def test_an_engine_folding_the_lessons_in_order_has_the_model_of_the_one_that_learned_them():
    """A restarted worker reads its lessons back: its model is the one it had, to the bounds
    (the latest counts, the values dropped first)."""
    a = sharing_engine()
    a.defs.max_values, a.defs.keep = 3, 2
    for i in range(1, 7):
        run(a, i, [f"x@d{i}.example", f"y@d{i % 2}.example"], reads=i % 3)
    records = a.drain_definition_records()
    b = Engine(a.config)
    b.defs.max_values, b.defs.keep = 3, 2
    for r in records:
        b.merge_definition_record(r)
    assert b.definitions_record() == a.definitions_record()
    assert len(a.defs.model("mailer").values) == 3 and len(a.defs.model("mailer").counts) == 2


LESSON = {"kind": "definition_lesson", "definition": "mailer", "agent_id": "mailer-i9", "instance": "ev-9",
          "ended": 1.7e9, "tools": ["mail.send"], "values": ["0123456789abcdef"], "n": 4}


@pytest.mark.parametrize("over, says", [
    ({"values": ["not-a-hash"]}, "values.0"),
    ({"tools": [f"t{i}" for i in range(65)]}, "tools"),
    ({"n": 0}, "n:"),
    ({"ended": -5}, "ended"),
    ({"kind": "definition_gossip"}, "kind"),
    ({"extra": 1}, "extra"),
])
def test_a_malformed_lesson_is_refused_with_its_reason(over, says):
    with pytest.raises(InputError, match=says):
        decode_definition_record(orjson.dumps({**LESSON, **over}), "it.definitions[0]@7")


def test_a_lesson_whose_count_breaks_arithmetic_is_refused():
    raw = orjson.dumps(LESSON).replace(b'"n":4', b'"n":' + b"9" * 400)  # valid JSON, past any float
    with pytest.raises(InputError, match="n:"):
        decode_definition_record(raw, "it.definitions[0]@8")


def test_a_shared_manifest_must_be_a_definition_and_one_too_many_is_refused(monkeypatch):
    from intentwatch.pipeline.engine import definitions

    agent = instance(1).model_dump(mode="json")
    with pytest.raises(InputError, match="not a definition"):
        decode_definition_record(orjson.dumps({"kind": "definition", "manifest": agent}), "t")
    monkeypatch.setattr(definitions, "MAX_DEFINITIONS", 1)
    e = Engine(engine().config)
    e.merge_definition_record(decode_definition_record(orjson.dumps({**LESSON, "definition": "other"}), "t"))
    with pytest.raises(InputError, match="one more model") as err:
        e.merge_definition_record(decode_definition_record(orjson.dumps(LESSON), "t"))
    assert err.value.kind == "definitions_full"
    for name in ("mailer", "other-def"):  # one definition fits, the second is one too many
        doc = {"kind": "definition", "manifest": definition(agent_id=name).model_dump(mode="json")}
        if name == "mailer":
            e.merge_definition_record(decode_definition_record(orjson.dumps(doc), "t"))
        else:
            with pytest.raises(InputError, match="one more than 1"):
                e.merge_definition_record(decode_definition_record(orjson.dumps(doc), "t"))


def test_a_lesson_from_elsewhere_is_not_shared_again():
    a, b = sharing_engine(), sharing_engine()
    b.drain_definition_records()
    run(a, 1, ["bob@example.com"])
    for r in a.drain_definition_records():
        b.merge_definition_record(r)
    assert b.drain_definition_records() == [] and b.defs.model("mailer").instances == 1


def test_a_lesson_taught_twice_is_folded_once():
    """A worker reading on from its last checkpoint after a rebalance ends the same instance again,
    and the partition's next owner does too: the same lesson comes back, from itself and on the
    topic. It counts once; an instance that ends again later (another lesson) counts again."""
    a, b = sharing_engine(), sharing_engine()
    b.drain_definition_records()
    for i in (1, 2):
        run(a, i, [f"x{i}@example.com"])
    lessons = a.drain_definition_records()[1:]
    model = orjson.dumps(a.definitions_record())
    for r in lessons * 2:  # read back from the topic: each is a lesson a folded already
        a.merge_definition_record(r)
        b.merge_definition_record(r)
    assert orjson.dumps(a.definitions_record()) == model and b.defs.model("mailer").instances == 2
    again = lessons[0].model_copy(update={"ended": lessons[0].ended + 3600})
    b.merge_definition_record(again)
    assert b.defs.model("mailer").instances == 3


def test_a_withdrawn_lesson_leaves_the_model_as_it_was_and_is_folded_again_when_taught_again():
    """A worker rolled back to its last checkpoint withdraws the lessons it never shared: the model
    is the checkpoint's again (below its bounds), and the instance read again teaches it again."""
    a = sharing_engine()
    a.drain_definition_records()
    for i in (1, 2):
        run(a, i, [f"x{i}@example.com"])
    a.drain_definition_records()  # committed
    at_checkpoint = orjson.loads(orjson.dumps(a.definitions_record()))  # a copy: the record holds the live counts
    run(a, 3, ["bob@example.com", "x1@example.com"], reads=4)
    [lesson] = a.drain_definition_records()
    taught = orjson.loads(orjson.dumps(a.definitions_record()))
    assert taught != at_checkpoint
    a.withdraw_definition_lessons([lesson])
    assert orjson.loads(orjson.dumps(a.definitions_record())) == at_checkpoint
    a.merge_definition_record(lesson)  # taught again (here: folded as it comes back)
    assert orjson.loads(orjson.dumps(a.definitions_record())) == taught


def test_without_the_novelty_rule_a_flagged_instance_shares_nothing():
    """Its population lesson only feeds definition.new_target's rate: with the rule off, none is sent."""
    e = Engine(EngineConfig.model_validate({"rules": {"definition.new_target": {"enabled": False}}}))
    e.share_definitions()
    e.process(instantiate(definition(), at=timedelta(days=-1)))
    e.drain_definition_records()
    run(e, 1, ["bob@example.com"], m=instance(1, allowed={"tools": ["mail.read_inbox"]}))  # paged: tool outside its task
    assert e.drain_definition_records() == []

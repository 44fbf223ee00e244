"""Agent definitions in the streaming worker, held to replay: every worker knows every definition
and learns from every clean instance fleet-wide (``intentwatch.definitions``), and a restarted
worker keeps its definitions' models.

A small hand-built fleet of one definition (``mailer``): 20 teachers (its ``min_instances``)
that each read and send to the usual mail domain and end clean, then one probe per partition
that sends to a new domain (``definition.new_target``) and uses a tool outside the definition's
intent (``intent.tool_not_allowed``: only if the probe inherited it).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from confluent_kafka import Producer

from intentwatch.models.action import Action
from intentwatch.models.lifecycle import Decommission, Instantiate
from tests.factories import action, decommission, instantiate
from tests.integration.support import Pipeline, WorkerProcess, load_jsonl, run_cli
from tests.unit.test_definitions import definition, instance

TEACHERS = 20
PROBE_AT = timedelta(days=2)  # after every teacher ended and the clock action moved time past them
# What each probe raises when its worker knows the definition (inherited intent) and its model.
PROBE_RULES = ["definition.new_target", "definition.new_tool", "intent.operation_not_allowed", "intent.tool_not_allowed"]


def _quiet(agent_id: str, at: timedelta, **over) -> Action:
    return action(agent_id, at=at, resource=None, data_domain=None, credential_id=None, model=None, **over)


def teachers() -> list[tuple[Instantiate | Decommission | Action, str]]:
    """(event, agent_id) of the definition, its clean instances and a later action that moves
    time past their ends (an unregistered agent: a shadow alert, in replay too)."""
    events: list = [(instantiate(definition(), at=timedelta(days=-1)), "mailer")]
    for i in range(1, TEACHERS + 1):
        m = instance(i)
        t = timedelta(hours=i)
        events += [(instantiate(m, at=t - timedelta(seconds=1)), m.agent_id),
                   (_quiet(m.agent_id, t, tool="mail.read_inbox", operation="read"), m.agent_id),
                   (_quiet(m.agent_id, t + timedelta(seconds=30), tool="mail.send", operation="send",
                           attributes={"arguments": {"to": f"user{i}@example.com"}}), m.agent_id),
                   (decommission(m.agent_id, at=t + timedelta(minutes=5)), m.agent_id)]
    events.append((_quiet("clock", timedelta(hours=TEACHERS + 12), tool="mail.read_inbox", operation="read"), "clock"))
    return events


def probe(i: int) -> list[tuple[Instantiate | Action, str]]:
    m = instance(100 + i, issued_at=None)
    t = PROBE_AT + timedelta(minutes=i)
    return [(instantiate(m, at=t - timedelta(seconds=1)), m.agent_id),
            (_quiet(m.agent_id, t, tool="mail.send", operation="send", attributes={"arguments": {"to": "eve@evil.io"}}), m.agent_id),
            (_quiet(m.agent_id, t + timedelta(seconds=5), tool="shell.exec", operation="execute"), m.agent_id)]


def write(events: list, d: Path, tag: str) -> tuple[Path, Path]:
    lifecycle, actions = d / f"{tag}-lifecycle.jsonl", d / f"{tag}-actions.jsonl"
    lifecycle.write_bytes(b"".join(e.model_dump_json().encode() + b"\n" for e, _ in events if not isinstance(e, Action)))
    actions.write_bytes(b"".join(e.model_dump_json().encode() + b"\n" for e, _ in events if isinstance(e, Action)))
    return lifecycle, actions


def produce(p: Pipeline, events: list, partition_of: dict[str, int], workers: list[WorkerProcess]) -> None:
    """Each agent's lifecycle events, then its actions, on the partition given (co-partitioned). The
    lifecycle events are read before the actions are sent: two topics are fetched in no set order,
    and a manifest is registered before its agent acts (replay reads them first, too)."""
    producer = Producer({"bootstrap.servers": p.bootstrap, "enable.idempotence": True})
    for actions in (False, True):
        for e, agent in events:
            if isinstance(e, Action) == actions:
                topic = p.topics.actions if actions else p.topics.lifecycle
                producer.produce(topic, key=agent.encode(), value=e.model_dump_json().encode(), partition=partition_of[agent])
        assert producer.flush(30) == 0
        p.wait_drained(workers, timeout=180)


def replayed(d: Path, lifecycles: list[Path], actions: list[Path]) -> set[str]:
    """Alert ids of `intentwatch replay` on the same events."""
    (d / "all-lifecycle.jsonl").write_bytes(b"".join(x.read_bytes() for x in lifecycles))
    (d / "all-actions.jsonl").write_bytes(b"".join(x.read_bytes() for x in actions))
    run_cli("replay", "all-actions.jsonl", "--lifecycle", "all-lifecycle.jsonl", "--quiet", "--alerts", "replay-alerts.jsonl",
            "--commands", "replay-commands.jsonl", cwd=d)
    return {a["alert_id"] for a in load_jsonl(d / "replay-alerts.jsonl")}


def alerts(p: Pipeline) -> dict[str, dict]:
    return {r.json()["alert_id"]: r.json() for r in p.read_all(p.topics.alerts)}


def probe_rules(found: dict[str, dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in found.values():
        if a["agent_id"].startswith("mailer-i1") and int(a["agent_id"][len("mailer-i"):]) >= 100:
            out.setdefault(a["agent_id"], []).append(a["rule_id"])
    return {k: sorted(set(v)) for k, v in sorted(out.items())}


def merged_lessons(p: Pipeline, w: WorkerProcess) -> int:
    st = p.status(w.instance)
    return st["stats"].get("definition_lessons", 0) if st else 0


def test_two_workers_learn_definitions_fleet_wide(kafka_pipeline: Pipeline, tmp_path: Path):
    """The definition and its teachers sit on partition 0; a probe on every partition is judged
    with what they taught, whichever worker holds it: the alerts of replay."""
    p = kafka_pipeline
    p.create_topics()
    first, probes = teachers(), [e for i in range(p.partitions) for e in probe(i)]
    where = {agent: 0 for _, agent in first} | {agent: i // 3 for i, (_, agent) in enumerate(probes)}
    workers = [p.start_worker("d1"), p.start_worker("d2")]

    def assigned(w: WorkerProcess) -> set[str]:
        """The partitions a worker holds now: its latest assignment, none while it is revoked (a rebalance
        as the second worker joins revokes and assigns again; the old assignment's line is still last)."""
        found = re.findall(r"(assigned|revoked) partitions \[([\d, ]*)\]", w.log.read_text(errors="replace"))
        if not found or found[-1][0] == "revoked" or not found[-1][1]:
            return set()
        return set(found[-1][1].replace(" ", "").split(","))

    def settled(*_) -> bool:  # both hold partitions, none twice, all held
        a, b = (assigned(w) for w in workers)
        return bool(a) and bool(b) and not a & b and len(a | b) == p.partitions
    p.wait_until(settled, 60, "both workers to hold partitions, none twice", workers)
    [other] = [w for w in workers if "0" not in assigned(w)]
    produce(p, first, where, workers)
    p.wait_until(lambda *_: merged_lessons(p, other) == TEACHERS, 60, f"{other.instance} to read the {TEACHERS} lessons", workers)

    produce(p, probes, where, workers)
    got = alerts(p)
    assert all(w.alive for w in workers), p.logs()
    lc = [write(first, tmp_path, "teachers"), write(probes, tmp_path, "probes")]
    expected = replayed(tmp_path, [x for x, _ in lc], [y for _, y in lc])
    judged = probe_rules(got)
    assert len(judged) == p.partitions and all(r == PROBE_RULES for r in judged.values()), \
        (judged, p.logs())
    assert set(got) == expected, (f"missing {sorted(expected - set(got))}, extra {[got[i] for i in set(got) - expected]}\n"
                                  f"{p.logs()}")
    shared = {r.key.decode() for r in p.read_all(p.topics.definitions)}
    assert "mailer" in shared and sum(k.startswith("mailer\nmailer-i") for k in shared) == TEACHERS


def test_a_restarted_worker_keeps_its_definitions_models(kafka_pipeline: Pipeline, tmp_path: Path):
    """Killed after learning, restarted: it reads the definition and the lessons back (a malformed
    record there is dead-lettered once) and judges the next instances as replay does."""
    p = kafka_pipeline
    p.create_topics()
    bad = Producer({"bootstrap.servers": p.bootstrap})
    bad.produce(p.topics.definitions, key=b"mailer\nx\ny", value=b'{"kind": "definition_lesson", "definition": "mailer"}')
    assert bad.flush(30) == 0
    first = teachers()
    lc1, act1 = write(first, tmp_path, "teachers")
    p.produce(lc1, topic=p.topics.lifecycle)
    p.produce(act1)
    solo = p.start_worker("solo")
    p.wait_drained([solo], timeout=180)
    solo.sigkill()

    again = p.start_worker("solo")
    p.wait_until(lambda *_: "definitions: 1 definition records and 20 lessons" in again.tail(200), 60,
                 "the restarted worker to read the definitions topic", [again])
    probes = [e for i in range(4) for e in probe(i)]
    lc2, act2 = write(probes, tmp_path, "probes")
    p.produce(lc2, topic=p.topics.lifecycle)
    p.wait_drained([again], timeout=120)  # read before the actions are sent (see produce)
    p.produce(act2)
    p.wait_drained([again], timeout=120)
    got = alerts(p)
    expected = replayed(tmp_path, [lc1, lc2], [act1, act2])
    judged = probe_rules(got)
    assert len(judged) == 4 and all(r == PROBE_RULES for r in judged.values()), \
        (judged, p.logs())
    assert set(got) == expected, (f"missing {sorted(expected - set(got))}, extra {[got[i] for i in set(got) - expected]}\n"
                                  f"{p.logs()}")
    dead = p.read_all(p.topics.dlq)
    assert [r.headers["source"].decode().split("[")[0] for r in dead] == [p.topics.definitions], [
        (r.value, r.headers) for r in dead]


SESSIONS_AGENT = "mail-assistant"


def sessions(first: int, last: int, to: str) -> list[tuple[Instantiate | Action, str]]:
    """Sessions ``first``..``last`` of one long-lived agent (no definition), an hour apart: a read,
    then a send to ``to`` (``{k}`` the session's number)."""
    out: list = []
    for k in range(first, last + 1):
        t = timedelta(hours=k)
        sid = {"session_id": f"conv-{k}"}
        out += [(_quiet(SESSIONS_AGENT, t, tool="mail.read_inbox", operation="read", attributes={"arguments": {"folder": "inbox"}}, **sid),
                 SESSIONS_AGENT),
                (_quiet(SESSIONS_AGENT, t + timedelta(seconds=30), tool="mail.send", operation="send",
                        attributes={"arguments": {"to": to.format(k=k)}}, **sid), SESSIONS_AGENT)]
    return out


def test_a_restarted_worker_keeps_an_agents_sessions_model(kafka_pipeline: Pipeline, tmp_path: Path):
    """An agent with no definition learns from its own clean sessions (``sessions``), in its own
    state: killed and restarted, the worker gets that model back with the agent's checkpointed
    state (nothing goes to the definitions topic) and pages a session sending somewhere new, as
    replay does."""
    p = kafka_pipeline
    p.create_topics()
    m = definition(kind="agent", agent_id=SESSIONS_AGENT)
    first = [(instantiate(m, at=timedelta(days=-1)), SESSIONS_AGENT), *sessions(1, TEACHERS + 1, "user{k}@example.com")]
    lc1, act1 = write(first, tmp_path, "sessions")
    p.produce(lc1, topic=p.topics.lifecycle)
    solo = p.start_worker("solo")
    p.wait_drained([solo], timeout=180)
    p.produce(act1)
    p.wait_drained([solo], timeout=180)
    solo.sigkill()

    again = p.start_worker("solo")
    probes = sessions(TEACHERS + 2, TEACHERS + 2, "eve@evil.io")
    lc2, act2 = write(probes, tmp_path, "session-probes")
    p.produce(act2)
    p.wait_drained([again], timeout=120)
    got = alerts(p)
    expected = replayed(tmp_path, [lc1, lc2], [act1, act2])
    paged = sorted(a["evidence"]["action"]["session_id"] for a in got.values() if a["rule_id"] == "definition.new_target")
    assert paged == [f"conv-{TEACHERS + 2}"], (paged, p.logs())
    assert set(got) == expected, (f"missing {sorted(expected - set(got))}, extra {[got[i] for i in set(got) - expected]}\n"
                                  f"{p.logs()}")
    assert not [r.key for r in p.read_all(p.topics.definitions)], "an agent's sessions are its own state, not shared"

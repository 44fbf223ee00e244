"""An agent that instantiates no definition is the definition of its own sessions
(``definition.new_target`` with ``sessions``): one long-lived assistant identity serving many
conversations, as OTel GenAI traces show it (``gen_ai.agent.id`` per agent, ``gen_ai.conversation.id``
per task)."""

from datetime import timedelta

import orjson

from intentwatch.models.action import Action
from intentwatch.models.alert import Alert
from intentwatch.models.feedback import Feedback
from intentwatch.models.intent import Allowed, IntentManifest
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from tests.factories import T0, action, decommission, instantiate

AGENT = IntentManifest.model_validate({
    "agent_id": "mailer", "owner": "team@example.com", "purpose": "mail assistant",
    "allowed": {"tools": ["mail.*"], "operations": ["read", "send"]}})


def engine(**params) -> Engine:
    p = {"min_instances": 2, "support": 1, **params}
    e = Engine(EngineConfig.model_validate({"rules": {"definition.new_target": {"params": p}}}))
    e.process(instantiate(AGENT, at=timedelta(days=-1)))
    return e


def call(sid: str | None, at: timedelta, to: str | None = None, **attrs) -> list:
    if to is not None:
        attrs["arguments"] = {"to": to}
    return [action("mailer", at=at, tool="mail.send" if to else "mail.read_inbox", operation="send" if to else "read",
                   resource=None, data_domain=None, credential_id=None, model=None, session_id=sid,
                   attributes=attrs or {"latency_ms": 3})]


def session(e: Engine, k: int, sends: list[str], sid: str | None = None) -> list[Alert]:
    """Session ``k`` (an hour after the one before): a read, then a send to each address."""
    sid = sid or f"conv-{k}"
    t = timedelta(hours=k)
    out = e.process(call(sid, t, **{"arguments": {"folder": "inbox"}})[0])
    for j, to in enumerate(sends):
        out += e.process(call(sid, t + timedelta(seconds=10 + j), to)[0])
    return [o for o in out if isinstance(o, Alert) and o.status == "open"]


def test_a_session_sending_where_no_earlier_session_did_pages_from_its_first_send():
    e = engine()
    assert session(e, 1, ["bob@example.com"]) == [] and session(e, 2, ["carol@example.com"]) == []
    assert session(e, 3, ["dave@example.com"]) == []  # sessions 1 and 2 ended when 3 began, an hour on: judged
    assert e.agents["mailer"].sessions.instances == 2
    [a] = session(e, 4, ["eve@evil.io"])
    assert a.rule_id == "definition.new_target" and a.severity == "high"
    assert a.evidence.baseline["target_key"] == "mail:evil.io"
    assert a.evidence.baseline["definition"] == "mailer#sessions"
    assert e.defs.models == {}  # the agent's own model, in its state: no definition's
    assert "no earlier clean session of agent 'mailer'" in a.message and "(3 clean sessions learned)" in a.message


def test_a_flagged_session_teaches_nothing_and_the_same_attacker_keeps_paging():
    e = engine()
    session(e, 1, ["bob@example.com"])
    session(e, 2, ["carol@example.com"])
    for k in (3, 4, 5, 6):
        assert [a.rule_id for a in session(e, k, ["eve@evil.io"])] == ["definition.new_target"]
    assert e.agents["mailer"].sessions.instances == 2


def test_a_false_positive_verdict_lets_a_flagged_session_teach():
    e = engine()
    session(e, 1, ["bob@example.com"])
    session(e, 2, ["carol@example.com"])
    [a] = session(e, 3, ["new@partner.io"])
    e.process(Feedback(feedback_id="fb-1", agent_id="mailer", rule_id=a.rule_id, verdict="false_positive",
                       analyst="soc@example.com", reason="a new partner", time=T0 + timedelta(hours=3, minutes=5)))
    session(e, 4, ["bob@example.com"])  # session 3 ended here; cleared, it teaches
    assert e.agents["mailer"].sessions.instances == 3
    assert session(e, 5, ["someone@partner.io"]) == []


def test_sessions_interleave_and_each_is_its_own_instance():
    e = engine()
    session(e, 1, ["bob@example.com"])
    session(e, 2, ["carol@example.com"])
    t = timedelta(hours=3)
    out = e.process(call("a", t, "bob@example.com")[0]) + e.process(call("b", t + timedelta(seconds=1), "eve@evil.io")[0])
    out += e.process(call("a", t + timedelta(seconds=2), "carol@example.com")[0])
    assert [o.rule_id for o in out if isinstance(o, Alert)] == ["definition.new_target"]
    assert set(e.agents["mailer"].detect["ses"]) == {"a", "b"}
    e.process(decommission("mailer", at=t + timedelta(minutes=5)))  # its open sessions end with it
    e.advance_to((T0 + t + timedelta(minutes=20)).timestamp())
    assert "ses" not in e.agents["mailer"].detect
    assert e.agents["mailer"].sessions.instances == 3  # "a" taught; "b" was flagged


def test_an_idle_session_ends_and_a_bounded_number_stay_open():
    e = engine(session_idle_seconds=600)
    for k in range(12):  # twelve conversations a minute apart, none idle for 10 minutes
        e.process(call(f"c{k}", timedelta(minutes=k), "bob@example.com")[0])
    assert len(e.agents["mailer"].detect["ses"]) == 8
    assert e.agents["mailer"].sessions.instances == 4  # the four oldest ended
    e.process(call("late", timedelta(hours=2), "bob@example.com")[0])  # every other one idle now
    assert list(e.agents["mailer"].detect["ses"]) == ["late"]


def test_calls_without_arguments_or_sessions_keep_no_record_and_sessions_can_be_off():
    e = engine()
    for k in range(3):  # the fleet's shape: sessions, but no arguments
        e.process(call(f"s{k}", timedelta(hours=k))[0])
        e.process(call(None, timedelta(hours=k, seconds=5), "bob@example.com")[0])  # no session, no task
        paged = e.process(action("mailer", at=timedelta(hours=k, seconds=9), tool="shell.exec", operation="execute",
                                 resource=None, data_domain=None, credential_id=None, model=None, session_id=f"s{k}",
                                 attributes={"latency_ms": 5}))  # a high finding on such a call starts no record either
        assert [a.rule_id for a in paged if isinstance(a, Alert)][:1] == ["intent.tool_not_allowed"]
    assert "ses" not in e.agents["mailer"].detect and e.agents["mailer"].sessions is None
    off = engine(sessions=False)
    for k in range(1, 4):
        session(off, k, ["bob@example.com"])
    assert session(off, 4, ["eve@evil.io"]) == [] and off.agents["mailer"].sessions is None


def _s(key: str, value: str) -> dict:
    return {"key": key, "value": {"stringValue": value}}


def conversation(k: int, to: str) -> bytes:
    """One OTLP/JSON request as an agent framework exports a conversation of one long-lived agent
    (``gen_ai.agent.id`` the same every time, a new ``gen_ai.conversation.id``): the tool span
    first, then the ``invoke_agent`` span holding the user's request (it ends last)."""
    start = int(T0.timestamp()) + k * 3600
    trace, agent_span = f"{k:032x}", f"{k:015x}a"
    request = '[{"role": "user", "parts": [{"type": "text", "content": "Mail the weekly report to my team"}]}]'
    spans = [
        {"traceId": trace, "spanId": f"{k:015x}b", "parentSpanId": agent_span, "name": "execute_tool send_email", "kind": 1,
         "startTimeUnixNano": str(start * 10**9 + 10**9), "endTimeUnixNano": str(start * 10**9 + 2 * 10**9),
         "attributes": [_s("gen_ai.operation.name", "execute_tool"), _s("gen_ai.tool.name", "send_email"),
                        _s("gen_ai.tool.call.arguments", '{"to": "%s", "subject": "weekly report"}' % to)]},
        {"traceId": trace, "spanId": agent_span, "name": "invoke_agent mailer", "kind": 1,
         "startTimeUnixNano": str(start * 10**9), "endTimeUnixNano": str(start * 10**9 + 3 * 10**9),
         "attributes": [_s("gen_ai.operation.name", "invoke_agent"), _s("gen_ai.agent.id", "mailer"),
                        _s("gen_ai.agent.name", "Mail assistant"), _s("gen_ai.conversation.id", f"conv-{k}"),
                        _s("gen_ai.input.messages", request)]},
    ]
    return orjson.dumps({"resourceSpans": [{"resource": {"attributes": [_s("service.name", "mail-assistant")]},
                                             "scopeSpans": [{"scope": {"name": "an-agent-framework"}, "spans": spans}]}]})


def test_an_otel_agents_conversations_are_its_sessions():
    """Real traces name no instance: each conversation of the agent is judged as one."""
    e, adapter, alerts = engine(), OtelAdapter(), []
    e.process(instantiate(AGENT.model_copy(update={"allowed": Allowed(tools=["send_email", "gen_ai.invoke_agent"])}),
                          at=timedelta(hours=-1)))
    for k in range(1, 5):
        for a in adapter.decode(conversation(k, f"teammate{k}@example.com" if k < 4 else "drop@evil.io"), f"trace-{k}"):
            assert isinstance(a, Action), a
            assert a.session_id == f"conv-{k}"
            alerts += [o for o in e.process(a) if isinstance(o, Alert)]
    assert [(a.rule_id, a.severity, a.evidence.action["session_id"]) for a in alerts] == [
        ("definition.new_target", "high", "conv-4")]


def test_the_sessions_model_is_the_agents_state_and_survives_its_record():
    """Checkpointed (and compacted) with the agent, not shared: a worker that takes the agent's
    partition over, or restarts, judges its next session as this engine does."""
    e = engine()
    for k in range(1, 4):
        session(e, k, [f"user{k}@example.com"])
    st = e.agents["mailer"]
    back = AgentState.from_record(orjson.loads(orjson.dumps(st.to_record())), [])
    assert back.sessions.to_record() == st.sessions.to_record() and back.sessions.instances == 2
    assert back.detect["ses"] == st.detect["ses"]  # the session still open


def _unregistered(mode: str) -> Engine:
    return Engine(EngineConfig.model_validate({"unregistered": mode, "rules": {"definition.new_target": {
        "params": {"min_instances": 2, "support": 1}}}}))  # no manifest for "mailer"


def test_an_agent_with_no_manifest_judged_by_its_baseline_has_its_sessions_judged_too():
    """engine.unregistered learn (or both): an agent known only from its traces (OTel spans, no
    manifest) is the definition of its own sessions, with the same hygiene; shadow (the default)
    judges none of it."""
    for mode in ("learn", "both"):
        e = _unregistered(mode)
        assert {a.rule_id for a in session(e, 1, ["bob@example.com"])} == (  # both: the shadow alert first
            set() if mode == "learn" else {"lifecycle.shadow_agent"})
        session(e, 2, ["carol@example.com"])
        session(e, 3, ["dave@example.com"])
        assert e.agents["mailer"].status == "unregistered" and e.agents["mailer"].sessions.instances == 2
        [a] = [a for a in session(e, 4, ["eve@evil.io"]) if a.rule_id == "definition.new_target"]
        assert a.severity == "high" and "no earlier clean session of agent 'mailer'" in a.message
        for k in (5, 6):  # the flagged session taught nothing: the attacker's domain keeps paging
            assert [a.rule_id for a in session(e, k, ["eve@evil.io"]) if a.rule_id == "definition.new_target"] == [
                "definition.new_target"]
        assert e.agents["mailer"].sessions.instances == 3
    e = _unregistered("shadow")
    for k, to in enumerate(["bob@example.com", "carol@example.com", "dave@example.com", "eve@evil.io"], start=1):
        assert {a.rule_id for a in session(e, k, [to])} <= {"lifecycle.shadow_agent"}
    assert e.agents["mailer"].sessions is None


def test_in_shadow_mode_a_high_finding_starts_no_session_record():
    """With the default shadow mode nothing judges an unregistered agent's sessions, so a high finding
    of a rule that watches every identity (a cloud call, an injected target) keeps no session record."""
    e = _unregistered("shadow")
    attack = action("mailer", at=timedelta(hours=1), tool="cloudtrail.amazonaws.com:StopLogging", operation="configure",
                    resource=None, data_domain=None, credential_id=None, model=None, session_id="s1",
                    attributes={"arguments": {"name": "org-trail"}})
    out = e.process(attack)
    assert "cloud.logging_disabled" in {o.rule_id for o in out if isinstance(o, Alert)}
    assert "ses" not in e.agents["mailer"].detect
    e = _unregistered("learn")
    e.process(attack)
    assert "s1" in e.agents["mailer"].detect["ses"] and e.agents["mailer"].detect["ses"]["s1"]["flagged"]

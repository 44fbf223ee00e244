"""Issue 17, finding 4: nothing authenticated the control plane. Each sub-finding reproduced:
under ``trust.mode enforce`` the forged or unapproved change is refused, kept for the dead
letters and raised as ``control.unauthorised_change``; without a trust policy (before) it applied."""

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from intentwatch.models.alert import Alert
from intentwatch.models.command import RevocationCommand
from intentwatch.models.feedback import Feedback
from intentwatch.models.lifecycle import Instantiate
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.engine.catalog import load_catalog
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.trust import TrustFile, TrustPolicy, canonical, public_key_text, sign, verify_signature
from tests.factories import T0, action, decommission, instantiate, manifest, update

M = manifest(rate_limit=None)  # owner alice, approver bob, enforcement: enforce, credential key-1
WIDE = manifest(allowed={**M.allowed.model_dump(), "tools": ["*"]}, rate_limit=None)
KEYS = {name: Ed25519PrivateKey.generate() for name in ("registry", "alice", "bob", "mallory", "ana", "old-bob", "iw")}


def trust_file(**over) -> TrustFile:
    keys = [
        {"id": "registry-1", "principal": "registry", "public_key": public_key_text(KEYS["registry"].public_key())},
        {"id": "alice-1", "principal": "alice@example.com", "public_key": public_key_text(KEYS["alice"].public_key())},
        {"id": "bob-2", "principal": "bob@example.com", "public_key": public_key_text(KEYS["bob"].public_key()),
         "not_before": (T0 - timedelta(days=10)).isoformat()},
        {"id": "bob-1", "principal": "bob@example.com", "public_key": public_key_text(KEYS["old-bob"].public_key()),
         "revoked": True},
        {"id": "mallory-1", "principal": "mallory@example.com", "public_key": public_key_text(KEYS["mallory"].public_key())},
        {"id": "ana-1", "principal": "ana@soc.example", "public_key": public_key_text(KEYS["ana"].public_key())},
        {"id": "iw-1", "principal": "intentwatch", "public_key": public_key_text(KEYS["iw"].public_key())},
    ]
    principals = [
        {"name": "registry", "instantiate": {"agents": ["support-*"], "owners": ["*@example.com"]}},
        {"name": "alice@example.com", "decommission": {"agents": ["support-*"]}},
        {"name": "bob@example.com", "update": {"agents": ["support-*"]}},
        {"name": "mallory@example.com", "update": {"agents": ["support-*"]}, "decommission": {"agents": ["other-*"]}},
        {"name": "ana@soc.example", "verdicts": {"agents": ["*"], "severities": ["low", "medium", "high"]}},
    ]
    return TrustFile.model_validate({"keys": keys, "principals": principals, **over})


def engine(mode: str = "enforce", command_key: bool = False) -> Engine:
    config = EngineConfig()
    rules = load_catalog(config)
    policy = TrustPolicy(trust_file(), mode, lambda r: rules[r].severity if r in rules else None,  # type: ignore[arg-type]
                         ("iw-1", KEYS["iw"]) if command_key else None)
    return Engine(config, rules, trust=policy)


def signed(msg, who: str, key_id: str | None = None):
    return sign(msg, KEYS[who], key_id or {"registry": "registry-1", "alice": "alice-1", "bob": "bob-2",
                                           "mallory": "mallory-1", "ana": "ana-1", "old-bob": "bob-1"}[who])


def run(e: Engine, events) -> list:
    out = []
    for ev in events:
        out += e.process(ev)
    return out + e.flush()


def opened(out) -> list[str]:
    return [o.rule_id for o in out if isinstance(o, Alert) and o.status == "open"]


def commands(out) -> list[RevocationCommand]:
    return [o for o in out if isinstance(o, RevocationCommand)]


START = lambda: signed(instantiate(M), "registry")  # noqa: E731


def test_update_approved_by_anyone_widening_to_star_is_refused_and_alerted():
    forged = signed(update(WIDE, timedelta(hours=-1), approved_by="mallory@example.com"), "mallory")
    # before: no trust policy, the widening applies and the shell call passes unremarked
    assert opened(run(Engine(), [instantiate(M), update(WIDE, timedelta(hours=-1), approved_by="mallory@example.com"),
                                 action(tool="shell.exec")])) == []
    e = engine()
    out = run(e, [START(), forged, action(tool="shell.exec")])
    assert opened(out) == ["control.unauthorised_change", "intent.tool_not_allowed"]
    [rej] = e.take_rejected()
    assert rej.event.event_id == forged.event_id and rej.applied
    assert "not by the intent's approver 'bob@example.com'" in rej.reason


def test_update_by_the_approver_applies():
    e = engine()
    out = run(e, [START(), signed(update(WIDE, timedelta(hours=-1)), "bob"), action(tool="shell.exec")])
    assert opened(out) == [] and e.take_rejected() == []


@pytest.mark.parametrize("make, why", [
    (lambda: update(WIDE, timedelta(hours=-1)), "unsigned"),
    (lambda: signed(update(WIDE, timedelta(hours=-1)), "old-bob"), "revoked key 'bob-1'"),
    (lambda: signed(update(WIDE, timedelta(days=-20)), "bob"), "not valid at"),
    (lambda: signed(update(WIDE, timedelta(hours=-1), approved_by="bob@example.com"), "mallory"), "is not the signer"),
    (lambda: signed(update(WIDE, timedelta(hours=-1)), "bob").model_copy(update={"approved_by": "bob@example.com", "reason": "x"}),
     "bad signature"),
])
def test_unsigned_badly_signed_or_stale_key_updates_are_refused_on_arrival(make, why):
    e = engine()
    out = run(e, [signed(instantiate(M, at=timedelta(days=-30)), "registry"), make(), action(tool="shell.exec")])
    assert opened(out) == ["control.unauthorised_change", "intent.tool_not_allowed"]
    [rej] = e.take_rejected()
    assert why in rej.reason and not rej.applied


def test_reinstantiating_a_live_agent_is_an_update_and_needs_its_approver():
    wider = Instantiate(event_id="lc-again", agent_id=M.agent_id, time=T0 - timedelta(hours=1), manifest=WIDE)
    # before: a re-sent instantiate widened the scope silently
    assert opened(run(Engine(), [instantiate(M), wider, action(tool="shell.exec")])) == []
    e = engine()
    out = run(e, [START(), signed(wider, "registry"), action(tool="shell.exec")])
    assert opened(out) == ["control.unauthorised_change", "intent.tool_not_allowed"]
    [rej] = e.take_rejected()
    assert rej.reason.startswith("re-instantiates a live agent, which is an update")


def test_same_instantiate_delivered_twice_is_no_change():
    e = engine()
    first = START()
    assert opened(run(e, [first, first, action()])) == [] and e.take_rejected() == []


def test_unsigned_instantiate_cannot_revive_a_decommissioned_agent():
    revive = Instantiate(event_id="lc-revive", agent_id=M.agent_id, time=T0 - timedelta(minutes=30), manifest=M)
    done = signed(decommission(M.agent_id, timedelta(hours=-1)), "alice")
    # before: the unsigned instantiate brought the zombie back to life
    assert opened(run(Engine(), [instantiate(M, at=timedelta(days=-1)), decommission(M.agent_id, timedelta(hours=-1)),
                                 revive, action()])) == []
    e = engine()
    out = run(e, [START(), done, revive, action()])
    assert opened(out) == ["control.unauthorised_change", "lifecycle.decommissioned_agent_active"]
    # only a new, signed instantiate brings it back
    e = engine()
    assert opened(run(e, [START(), done, signed(revive, "registry"), action()])) == []


def test_forged_decommission_issues_no_revocation_command():
    forged = decommission(M.agent_id, timedelta(hours=-1))
    # before: the forged decommission made the next action a zombie's, and the enforce agent lost its credentials
    before = run(Engine(), [instantiate(M), forged, action()])
    assert [c.action for c in commands(before)] == ["revoke_credentials"]
    for bad in (forged, signed(forged, "mallory")):  # unsigned; signed by someone with no right on support-*
        e = engine()
        out = run(e, [START(), bad, action()])
        assert opened(out) == ["control.unauthorised_change"] and commands(out) == []
        assert len(e.take_rejected()) == 1
    e = engine()  # the owner's signed decommission works
    assert [c.action for c in commands(run(e, [START(), signed(forged, "alice"), action()]))] == ["revoke_credentials"]


def _verdict(**over) -> Feedback:
    doc = {"feedback_id": "fb-1", "agent_id": M.agent_id, "rule_id": "lifecycle.decommissioned_agent_active",
           "verdict": "false_positive", "analyst": "ana@soc.example", "reason": "known", "time": (T0 - timedelta(hours=2)).isoformat()}
    return Feedback.model_validate({**doc, **over})


def test_forged_false_positive_on_a_zombie_is_refused():
    done = decommission(M.agent_id, timedelta(hours=-1))
    # before: the verdict turned the zombie's action into an info alert, with no command
    before = run(Engine(), [instantiate(M), done, _verdict(), action()])
    assert opened(before) == ["feedback.suppressed"] and commands(before) == []
    for forged in (_verdict(), signed(_verdict(), "mallory"), signed(_verdict(), "ana")):  # ana may not suppress critical
        e = engine()
        out = run(e, [START(), signed(done, "alice"), forged, action()])
        assert opened(out) == ["control.unauthorised_change", "lifecycle.decommissioned_agent_active"]
        assert [c.action for c in commands(out)] == ["revoke_credentials"]
    # ana's signed verdict on a high rule she may suppress is taken
    e = engine()
    ok = signed(_verdict(rule_id="intent.tool_not_allowed", observed="shell.exec"), "ana")
    assert opened(run(e, [START(), ok, action(tool="shell.exec")])) == ["feedback.suppressed"]


def test_warn_mode_alerts_but_applies():
    e = engine("warn")
    out = run(e, [START(), update(WIDE, timedelta(hours=-1)), action(tool="shell.exec")])
    assert opened(out) == ["control.unauthorised_change"] and e.take_rejected() == []


def test_signed_manifest_vouches_only_for_its_own_registration():
    m = signed(M, "registry")
    e = engine()
    assert opened(run(e, [Instantiate.of_manifest(m), action()])) == []
    moved = Instantiate.of_manifest(m).model_copy(update={"time": T0 - timedelta(minutes=1), "event_id": "lc-x"})
    e = engine()
    e.process(Instantiate.of_manifest(m))
    out = run(e, [signed(decommission(M.agent_id, timedelta(hours=-1)), "alice"), moved, action()])
    assert opened(out) == ["control.unauthorised_change", "lifecycle.decommissioned_agent_active"]


def test_commands_are_signed_by_intentwatch_and_verify():
    e = engine(command_key=True)
    out = run(e, [START(), signed(decommission(M.agent_id, timedelta(hours=-1)), "alice"), action()])
    [cmd] = commands(out)
    assert cmd.signature is not None and cmd.signature.key_id == "iw-1"
    assert verify_signature(cmd, KEYS["iw"].public_key())
    assert not verify_signature(cmd.model_copy(update={"credential_ids": ["other"]}), KEYS["iw"].public_key())
    assert not verify_signature(cmd, KEYS["bob"].public_key())


def test_canonical_form_is_jcs_after_a_context_line():
    fb = _verdict()
    c = canonical(fb)
    assert c.startswith(b"intentwatch.feedback.v1\n{\"agent_id\":")
    assert b"signature" not in c and canonical(signed(fb, "ana")) == c


def test_trust_file_refuses_keys_of_unknown_principals():
    with pytest.raises(ValueError, match="keys of unknown principals: eve"):
        TrustFile.model_validate({"keys": [{"id": "k", "principal": "eve", "public_key": public_key_text(KEYS["bob"].public_key())}]})

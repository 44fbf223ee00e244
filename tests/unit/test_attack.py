"""Every rule carries MITRE ATT&CK (and ATLAS where it fits) ids that are well formed and current."""

import dataclasses

import pytest
from pydantic import ValidationError

from intentwatch.models import attack
from intentwatch.models.alert import FrameworkRefs, TechniqueRef
from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.catalog import DEFAULT_CATALOG, load_catalog, technique_problems
from intentwatch.pipeline.engine.config import EngineConfig

RULES = load_catalog(EngineConfig())


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_an_attack_technique(rule_id):
    refs = RULES[rule_id].references
    assert refs.mitre_attack, f"{rule_id}: no references.mitre_attack in {DEFAULT_CATALOG}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_id_is_well_formed_current_and_serves_its_tactic(rule_id):
    refs = RULES[rule_id].references
    assert technique_problems(refs) == []
    for r in refs.mitre_attack:
        assert attack.ATTACK_TECHNIQUE.match(r.technique) and attack.ATTACK_TACTIC.match(r.tactic)
    for r in refs.mitre_atlas:
        assert attack.ATLAS_TECHNIQUE.match(r.technique) and attack.ATLAS_TACTIC.match(r.tactic)


def test_the_issue_named_mappings():
    def techniques(rule_id):
        refs = RULES[rule_id].references
        return {r.technique for r in refs.mitre_attack + refs.mitre_atlas}

    assert "T1562.008" in techniques("chain.audit_settings_changed")
    assert "T1078.004" in techniques("credential.new_network")
    assert "T1098.003" in techniques("chain.permission_change_then_sensitive_read")
    assert {"T1537", "T1567"} <= techniques("chain.sensitive_read_then_external_send")
    assert "T1496.004" in techniques("credential.model_invocations")
    assert "AML.T0051.001" in techniques("intent.tool_not_allowed")


def test_atlas_is_used_where_agents_are_the_vector():
    with_atlas = {rid for rid, r in RULES.items() if r.references.mitre_atlas}
    assert {"intent.tool_not_allowed", "behaviour.novel_tool", "chain.sensitive_read_then_external_send",
            "credential.model_invocations", "lifecycle.unapproved_update"} <= with_atlas


def test_table_is_consistent():
    for tid, t in attack.TECHNIQUES.items():
        atlas = tid.startswith("AML.")
        assert (attack.ATLAS_TECHNIQUE if atlas else attack.ATTACK_TECHNIQUE).match(tid), tid
        assert t.tactics and all(tac in attack.TACTICS for tac in t.tactics), tid
        assert all(tac.startswith("AML.") == atlas for tac in t.tactics), tid
        parent = attack.parent_of(tid)
        assert parent is None or parent in attack.TECHNIQUES, f"{tid}: parent {parent} missing"


@pytest.mark.parametrize("bad", [{"tactic": "TA5", "technique": "T1078"}, {"tactic": "TA0001", "technique": "T1078.4"},
                                 {"tactic": "TA0001", "technique": "t1078"}, {"tactic": "AML.TA01", "technique": "AML.T0051"}])
def test_malformed_ids_are_refused_by_the_model(bad):
    with pytest.raises(ValidationError):
        TechniqueRef(**bad)


def test_unknown_wrong_tactic_and_cross_framework_ids_are_named():
    refs = FrameworkRefs(mitre_attack=[TechniqueRef(tactic="TA0001", technique="T9999"),
                                       TechniqueRef(tactic="TA0040", technique="T1562.008"),
                                       TechniqueRef(tactic="AML.TA0005", technique="AML.T0053")])
    found = technique_problems(refs)
    assert len(found) == 4
    assert "T9999 is not in the offline table" in found[0]
    assert "does not serve tactic TA0040" in found[1]
    assert "'AML.T0053' is not an ATT&CK id" in found[2] and "'AML.TA0005' is not an ATT&CK tactic id" in found[3]


@pytest.mark.parametrize("status", ["revoked", "deprecated"])
def test_a_stale_id_fails_the_catalogue_at_its_line(monkeypatch, status):
    stale = dataclasses.replace(attack.TECHNIQUES["T1562.008"], status=status)
    monkeypatch.setitem(attack.TECHNIQUES, "T1562.008", stale)
    with pytest.raises(ConfigError) as e:
        load_catalog(EngineConfig())
    msg = str(e.value)
    assert f"rule chain.audit_settings_changed: references.mitre_attack: technique T1562.008 (Disable or Modify Cloud Logs) is {status}" in msg
    assert f"{DEFAULT_CATALOG}:" in msg


def test_docs_table_lists_every_rule_with_its_techniques():
    from pathlib import Path

    rows = {line.split("`")[1]: line for line in (Path(__file__).resolve().parents[2] / "docs" / "ocsf.md").read_text().splitlines()
            if line.startswith("| `")}
    for rid, rule in RULES.items():
        assert rid in rows, f"docs/ocsf.md: no row for {rid}"
        for r in rule.references.mitre_attack + rule.references.mitre_atlas:
            assert f"{r.technique} " in rows[rid], f"docs/ocsf.md: {rid} row lacks {r.technique}"


def _call_techniques(params) -> set[str]:
    """Techniques named per call inside a rule's params (the cloud control-plane rules)."""
    if isinstance(params, dict):
        found = {params["attack"]} if isinstance(params.get("attack"), str) else set()
        return found.union(*(_call_techniques(v) for v in params.values()))
    if isinstance(params, list):
        return set().union(*(_call_techniques(v) for v in params))
    return set()


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_per_call_techniques_are_current_and_in_the_rule_references(rule_id):
    rule = RULES[rule_id]
    named = {r.technique for r in rule.references.mitre_attack}
    for tid in _call_techniques(rule.params):
        t = attack.TECHNIQUES.get(tid)
        assert attack.ATTACK_TECHNIQUE.match(tid) and t is not None and t.status == "current", f"{rule_id}: {tid}"
        assert tid in named, f"{rule_id}: a call names {tid}, the rule's references.mitre_attack do not"

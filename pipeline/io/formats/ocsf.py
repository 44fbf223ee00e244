"""Alerts as OCSF 1.8.0 Detection Findings (class 2004), for SIEMs and security lakes.

Rendered at the edge from an ``Alert``; the engine never sees it. Typed pydantic models
of the part of the schema we emit (ocsf_schema.py; ``extra='forbid'``, so a misspelt field
fails here, not in a SIEM), dumped without nulls (the OCSF JSON Schema rejects ``null``). Why
not a library: ``py-ocsf-models`` is pinned to OCSF 1.5.0, has no ``actor`` on evidences and
drops unknown keys silently; ``pydantic-ocsf`` stops at 1.7.0 (shared/INTEGRATIONS.md).
Tests validate every finding against the official 1.8.0 schema held in
``deploy/schemas/ocsf/1.8.0/`` (profiles ``host`` and ``security_control``, declared in
``metadata.profiles``).

How an alert maps:

- an alert's first publication (``status: open``) is activity 1 Create; its final form
  (same alert id, the window's count) is activity 2 Update. ``finding_info.uid`` is the
  alert id, so a SIEM upserts on it as ``intentwatch.alerts`` consumers do;
- ``finding_info.analytic`` is the rule (Rule, or Behavioral for learned rules),
  ``finding_info.attacks`` its ATT&CK and ATLAS techniques with tactic and version;
- the agent is the ``actor`` (a service identity: agent id, credential, session) and
  a ``resources`` entry in the Actor role with its ``owner``;
- the intent clause broken is the ``policy`` (the agent's intent manifest) with what
  was expected and observed; learned rules add ``anomaly_analyses`` (observed against
  the agent's baseline figures);
- ``evidences`` hold the opening action in full (event id, tool and operation as
  ``api``, resource, source endpoint, credential) and then one entry per further hit
  the alert lists (``evidence.event_ids``), in order;
- the runbook is the ``remediation``; OWASP and NIST references are ``finding_info.tags``.
"""

import ipaddress
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

from intentwatch.models import attack
from intentwatch.models.alert import Alert, FrameworkRefs, TechniqueRef  # noqa: F401 - TechniqueRef: attacks()'s doctest
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.io.formats.ocsf_schema import (
    CLASS_UID, Actor, AnalysisTarget, Analytic, AnomalyAnalysis, Api, Attack, DetectionFinding, Endpoint,
    EvidenceArtifact, FindingInfo, KeyValue, Metadata, Observation, Observed, Policy, Product, Remediation,
    Request, Resource, Service, Session, SubTechnique, Tactic, TechniqueObj, User,
)

SEVERITY_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
SEVERITY_NAME = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
ACTIVITY = {"open": (1, "Create"), "final": (2, "Update")}
ATTACK_URL = "https://attack.mitre.org/"
ATLAS_URL = "https://atlas.mitre.org/"


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _text(v: Any) -> str:
    return v if isinstance(v, str) else orjson.dumps(v, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS).decode()


@lru_cache(maxsize=4096)
def _endpoint(src: str) -> Endpoint:
    """An IP address as ``ip``; anything else (a host name, ``AWS Internal``) as ``name``."""
    try:
        return Endpoint(ip=str(ipaddress.ip_address(src)))
    except ValueError:
        return Endpoint(name=src)


def _url(base: str, technique: str) -> str:
    return f"{base}techniques/{technique.replace('.', '/', 1) if base == ATTACK_URL else technique}/"


def attacks(refs: FrameworkRefs) -> list[Attack]:
    """The rule's ATT&CK and ATLAS techniques as OCSF ``attacks``: a sub-technique under
    its parent technique, with the tactic it serves here and the framework version.

    >>> refs = FrameworkRefs(mitre_attack=[TechniqueRef(tactic="TA0005", technique="T1562.008")])
    >>> a = attacks(refs)[0]
    >>> a.tactic.name, a.technique.uid, a.sub_technique.name, a.version
    ('Defense Evasion', 'T1562', 'Disable or Modify Cloud Logs', '18.1')
    """
    out = []
    for refs_of, version, base in ((refs.mitre_attack, attack.ATTACK_VERSION, ATTACK_URL),
                                   (refs.mitre_atlas, attack.ATLAS_VERSION, ATLAS_URL)):
        for r in refs_of:
            tech = attack.TECHNIQUES.get(r.technique)
            parent = attack.parent_of(r.technique)
            tactic = Tactic(uid=r.tactic, name=attack.TACTICS.get(r.tactic))
            if parent is None:
                out.append(Attack(tactic=tactic, version=version, technique=TechniqueObj(
                    uid=r.technique, name=tech.name if tech else None, src_url=_url(base, r.technique))))
            else:
                p = attack.TECHNIQUES.get(parent)
                out.append(Attack(tactic=tactic, version=version,
                                  technique=TechniqueObj(uid=parent, name=p.name if p else None, src_url=_url(base, parent)),
                                  sub_technique=SubTechnique(uid=r.technique, name=tech.name if tech else None,
                                                             src_url=_url(base, r.technique))))
    return out


def _tags(refs: FrameworkRefs) -> list[KeyValue]:
    return [KeyValue(name=name, value=v) for name, values in (("owasp_agentic", refs.owasp_agentic),
                                                             ("owasp_nhi", refs.owasp_nhi), ("nist_csf", refs.nist_csf))
            for v in values]


def _owner(owner: str) -> User:
    if "@" in owner and "." in owner.rpartition("@")[2]:
        return User(name=owner, email_addr=owner)
    return User(name=owner)


class OcsfFormatter:
    """Renders alerts as Detection Findings. ``rules`` (the catalogue, by default the
    shipped one) gives each analytic its description and its type: Behavioral for rules
    whose detector judges the learned baseline (``LEARNED_REGISTRY``), Rule for the others.
    """

    def __init__(self, rules: Mapping[str, Rule] | None = None, product_version: str | None = None,
                 vendor: str = "intentwatch", log_name: str = "intentwatch.alerts"):
        if rules is None:
            from intentwatch.pipeline.engine.catalog import load_catalog
            from intentwatch.pipeline.engine.config import EngineConfig

            rules = load_catalog(EngineConfig())
        from intentwatch.pipeline.engine.detectors import LEARNED_REGISTRY

        self.learned = frozenset(r.id for r in rules.values() if r.type in LEARNED_REGISTRY)
        self.descriptions = {r.id: r.description for r in rules.values()}
        self._parts: dict[str, tuple[Analytic, list[Attack] | None, list[KeyValue] | None, FrameworkRefs]] = {}
        if product_version is None:
            from importlib.metadata import PackageNotFoundError, version

            try:
                product_version = version("intentwatch")
            except PackageNotFoundError:
                product_version = "unknown"
        self.product = Product(name="intentwatch", vendor_name=vendor, version=product_version)
        self.log_name = log_name

    def finding(self, a: Alert) -> DetectionFinding:
        ev = a.evidence
        activity_id, activity = ACTIVITY[a.status]
        sev = SEVERITY_ID[a.severity]
        suppressed = a.rule_id == "feedback.suppressed"
        act = ev.action or {}
        cred = act.get("credential_id")
        session = act.get("session_id")
        actor = Actor(user=User(uid=a.agent_id, name=a.agent_id, type_id=4, type="Service", credential_uid=cred),
                      session=Session(uid=session) if session else None)
        agent_resource = Resource(uid=a.agent_id, name=a.agent_id, type="AI Agent", role_id=2,
                                  owner=_owner(a.owner) if a.owner else None,
                                  labels=[f"enforcement:{a.enforcement}"] if a.enforcement else None)
        resources = [agent_resource]
        if act.get("resource"):
            resources.append(Resource(name=act["resource"], type=act.get("data_domain") or "resource", role_id=1))
        analytic, attacks_of, tags = self._rule_parts(a)
        finding_info = FindingInfo(
            uid=a.alert_id, title=a.title, desc=a.message, analytic=analytic, attacks=attacks_of,
            first_seen_time=_ms(a.first_seen), last_seen_time=_ms(a.last_seen), created_time=_ms(a.first_seen),
            modified_time=_ms(a.last_seen) if activity_id == 2 else None,
            types=[analytic.category or ""], data_sources=["agent.actions"] if act else ["agent.lifecycle"], tags=tags,
        )
        unmapped: dict[str, Any] = {"score": a.score, "recommended_response": a.recommended_response}
        if ev.action_seq is not None:
            unmapped["action_seq"] = ev.action_seq
        if ev.event_ids is not None and ev.event_ids.omitted:
            unmapped["event_ids_omitted"] = ev.event_ids.omitted
        return DetectionFinding(
            activity_id=activity_id, activity_name=activity, type_uid=CLASS_UID * 100 + activity_id,
            type_name=f"Detection Finding: {activity}", time=_ms(a.last_seen),
            severity_id=sev, severity=SEVERITY_NAME[sev],
            status_id=3 if suppressed else 1, status="Suppressed" if suppressed else "New",
            message=a.message, count=a.count, start_time=_ms(a.first_seen), end_time=_ms(a.last_seen),
            metadata=Metadata(product=self.product, uid=f"{a.alert_id}:{a.status}:{a.count}", correlation_uid=a.alert_id,
                              log_name=self.log_name, labels=[f"rule:{a.rule_id}", f"agent:{a.agent_id}"]),
            finding_info=finding_info, actor=actor, resources=resources,
            evidences=self._evidences(a, actor),
            policy=self._policy(a), anomaly_analyses=self._anomalies(a),
            remediation=Remediation(desc=a.runbook) if a.runbook else None,
            unmapped={"intentwatch": unmapped},
        )

    def _rule_parts(self, a: Alert) -> tuple[Analytic, list[Attack] | None, list[KeyValue] | None]:
        """What a finding says about its rule, built once per rule (a rule's references are
        the same on all its alerts in one run)."""
        parts = self._parts.get(a.rule_id)
        if parts is None or parts[3] != a.references:
            learned = a.rule_id in self.learned
            analytic = Analytic(uid=a.rule_id, name=a.rule_id, type_id=2 if learned else 1,
                                type="Behavioral" if learned else "Rule", category=a.rule_id.split(".", 1)[0],
                                desc=self.descriptions.get(a.rule_id))
            parts = self._parts[a.rule_id] = (analytic, attacks(a.references) or None, _tags(a.references) or None, a.references)
        return parts[0], parts[1], parts[2]

    def encode(self, a: Alert) -> bytes:
        """One finding as compact JSON, no nulls."""
        return self.finding(a).model_dump_json(exclude_none=True).encode()

    @staticmethod
    def _evidences(a: Alert, actor: Actor) -> list[EvidenceArtifact]:
        ev = a.evidence
        act = ev.action
        out: list[EvidenceArtifact] = []
        if act is not None:
            src = act.get("source_ip")
            out.append(EvidenceArtifact(
                uid=act["event_id"], name="action", actor=actor,
                api=Api(operation=act["operation"], service=Service(name=act["tool"]), request=Request(uid=act["event_id"])),
                src_endpoint=_endpoint(src) if src else None,
                resources=[Resource(name=act["resource"], type=act.get("data_domain") or "resource", role_id=1)]
                if act.get("resource") else None,
            ))
        ids = ev.event_ids
        listed = [*ids.first, *ids.last] if ids is not None else []
        hit_actor = Actor(user=User(uid=a.agent_id, name=a.agent_id, type_id=4, type="Service"))
        seen = {out[0].uid} if out else set()
        for eid in listed:
            if eid not in seen:
                seen.add(eid)
                out.append(EvidenceArtifact(uid=eid, name="action" if act is not None else "event", actor=hit_actor))
        if not out:  # an alert from before event ids were kept, and no action: the agent alone
            out.append(EvidenceArtifact(uid=a.alert_id, name="alert", actor=actor))
        return out

    @staticmethod
    def _policy(a: Alert) -> Policy | None:
        ev = a.evidence
        if ev.clause is None:
            return None
        data = {k: v for k, v in (("clause", ev.clause), ("expected", ev.expected), ("observed", ev.observed),
                                  ("observed_values", ev.observed_values or None)) if v is not None}
        desc = f"{ev.clause}: expected {_text(ev.expected)}, observed {_text(ev.observed)}" if ev.expected is not None \
            else f"{ev.clause}: observed {_text(ev.observed)}"
        return Policy(uid=f"intent:{a.agent_id}", name=f"intent of {a.agent_id}", type="Intent Manifest", desc=desc, data=data)

    @staticmethod
    def _anomalies(a: Alert) -> list[AnomalyAnalysis] | None:
        ev = a.evidence
        if not ev.baseline:
            return None
        observed = ev.observed_values or ([_text(ev.observed)] if ev.observed is not None else [])
        return [AnomalyAnalysis(
            analysis_targets=[AnalysisTarget(name=a.agent_id, type="AI Agent")],
            anomalies=[Observed(observation_parameter=ev.clause or a.rule_id, observation_type="Observed",
                                observations=[Observation(value=v) for v in observed] or [Observation(value=a.message)])],
            baselines=[Observed(observation_parameter=k, observation_type="Baseline", observations=[Observation(value=_text(v))])
                       for k, v in sorted(ev.baseline.items())],
        )]

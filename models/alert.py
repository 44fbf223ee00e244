"""The alert a SOC analyst reads on ``intentwatch.alerts``.

``alert_id`` is deterministic: the same input and configuration give the same ids, so
consumers can upsert. An alert is first published when its (agent, rule) window opens;
if more hits land inside the cooldown it is published once more, same id, with the
final ``count``, ``last_seen`` and the ids of the events it counts (``evidence.event_ids``).
"""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["info", "low", "medium", "high", "critical"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


class TechniqueRef(BaseModel):
    """One MITRE ATT&CK or ATLAS technique (or sub-technique) and the tactic it serves here.

    Names and the tactics each technique may serve: ``models/attack.py``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    tactic: str = Field(pattern=r"^(AML\.)?TA\d{4}$", description="e.g. TA0005, AML.TA0005")
    technique: str = Field(pattern=r"^(AML\.)?T\d{4}(\.\d{3})?$", description="e.g. T1562.008, AML.T0051.001")


class FrameworkRefs(BaseModel):
    """Where a finding sits in the frameworks SOC teams report against."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    owasp_agentic: list[str] = Field(default_factory=list, description="OWASP Top 10 for Agentic Applications, e.g. ASI02")
    owasp_nhi: list[str] = Field(default_factory=list, description="OWASP Non-Human Identities Top 10, e.g. NHI1")
    nist_csf: list[str] = Field(default_factory=list, description="NIST CSF 2.0 subcategories, e.g. DE.CM-03")
    mitre_attack: list[TechniqueRef] = Field(default_factory=list, description="MITRE ATT&CK Enterprise (v18.1) techniques, e.g. T1562.008 under TA0005")
    mitre_atlas: list[TechniqueRef] = Field(default_factory=list, description="MITRE ATLAS techniques, e.g. AML.T0053 under AML.TA0005")


class EventIds(BaseModel):
    """The ids of the events an alert counts, bounded so an alert stays small however many
    hits it aggregates: the first ones, the latest ones, and how many in between are not
    listed. A SIEM joins these back to the raw events (``event_id`` on ``agent.actions``).
    Each event is listed once, even where it hit the rule twice (``count`` counts hits).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    first: list[str] = Field(description="The first hits in event-time order; the first id opened the alert.")
    last: list[str] = Field(default_factory=list, description="The latest hits, oldest first; none repeats one in first.")
    omitted: int = Field(default=0, ge=0, description="Events counted between first and last but not listed.")


class Evidence(BaseModel):
    """What was seen against what was declared or learned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: dict[str, Any] | None = Field(default=None, description="The action that opened the alert.")
    clause: str | None = Field(default=None, description="The intent clause broken, e.g. allowed.tools.")
    expected: Any = None
    observed: Any = None
    baseline: dict[str, Any] = Field(default_factory=dict)
    observed_values: list[str] = Field(default_factory=list, description="Distinct values seen while the alert was open.")
    action_seq: int | None = Field(default=None, description="How many actions of this agent the engine had seen, this one included.")
    event_ids: EventIds | None = Field(default=None, description="Ids of the events the alert counts (added in 0.2; absent from earlier alerts).")


class Alert(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    alert_id: str
    agent_id: str
    rule_id: str
    title: str
    severity: Severity
    score: float = Field(ge=0.0)
    message: str
    evidence: Evidence
    references: FrameworkRefs
    first_seen: datetime
    last_seen: datetime
    count: int = Field(ge=1)
    status: Literal["open", "final"] = Field(description="open: first publication; final: the window closed with count > 1.")
    recommended_response: str
    owner: str | None = None
    enforcement: Literal["monitor", "enforce"] | None = None
    runbook: str | None = None

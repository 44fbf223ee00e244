"""The part of the OCSF 1.8.0 schema intentwatch emits, as typed pydantic models: the Detection
Finding class (2004) and the objects it holds. ``extra='forbid'``: a misspelt field fails here,
not in a SIEM. Filled in by pipeline/io/formats/ocsf.py."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OCSF_VERSION = "1.8.0"
PROFILES = ["host", "security_control"]
CLASS_UID = 2004
CATEGORY_UID = 2


class _Ocsf(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- objects ---------------------------------------------------------------------------
class Product(_Ocsf):
    name: str
    vendor_name: str
    version: str | None = None


class Metadata(_Ocsf):
    product: Product
    version: str = OCSF_VERSION
    profiles: list[str] = Field(default_factory=lambda: list(PROFILES))
    uid: str
    correlation_uid: str | None = None
    log_name: str | None = None
    labels: list[str] | None = None


class _Named(_Ocsf):
    uid: str
    name: str | None = None
    src_url: str | None = None


class Tactic(_Named):
    pass


class TechniqueObj(_Named):
    pass


class SubTechnique(_Named):
    pass


class Attack(_Ocsf):
    tactic: Tactic | None = None
    technique: TechniqueObj | None = None
    sub_technique: SubTechnique | None = None
    version: str | None = None


class Analytic(_Ocsf):
    uid: str
    name: str
    type_id: Literal[1, 2]
    type: Literal["Rule", "Behavioral"]
    desc: str | None = None
    category: str | None = None


class KeyValue(_Ocsf):
    name: str
    value: str


class FindingInfo(_Ocsf):
    uid: str
    title: str
    desc: str | None = None
    analytic: Analytic
    attacks: list[Attack] | None = None
    first_seen_time: int
    last_seen_time: int
    created_time: int
    modified_time: int | None = None
    types: list[str] | None = None
    data_sources: list[str] | None = None
    tags: list[KeyValue] | None = None


class User(_Ocsf):
    uid: str | None = None
    name: str | None = None
    type_id: Literal[0, 1, 2, 3, 4, 99] | None = None
    type: str | None = None
    email_addr: str | None = None
    credential_uid: str | None = None


class Session(_Ocsf):
    uid: str


class Actor(_Ocsf):
    user: User
    session: Session | None = None
    app_name: str | None = None


class Service(_Ocsf):
    name: str


class Request(_Ocsf):
    uid: str


class Api(_Ocsf):
    operation: str
    service: Service | None = None
    request: Request | None = None


class Endpoint(_Ocsf):
    ip: str | None = None
    name: str | None = None


class Resource(_Ocsf):
    uid: str | None = None
    name: str | None = None
    type: str | None = None
    role_id: Literal[1, 2, 3, 4] | None = None
    owner: User | None = None
    labels: list[str] | None = None


class EvidenceArtifact(_Ocsf):
    """One entry of ``evidences``: an action that counts toward the finding."""

    uid: str
    name: str | None = None
    actor: Actor
    api: Api | None = None
    src_endpoint: Endpoint | None = None
    resources: list[Resource] | None = None


class Policy(_Ocsf):
    uid: str
    name: str
    type: str
    desc: str | None = None
    data: dict[str, Any] | None = None


class Observation(_Ocsf):
    value: str
    count: int | None = None


class Observed(_Ocsf):
    observation_parameter: str
    observations: list[Observation]
    observation_type: str | None = None


class AnalysisTarget(_Ocsf):
    name: str
    type: str | None = None


class AnomalyAnalysis(_Ocsf):
    analysis_targets: list[AnalysisTarget]
    anomalies: list[Observed]
    baselines: list[Observed] | None = None


class Remediation(_Ocsf):
    desc: str


# -- the class -------------------------------------------------------------------------
class DetectionFinding(_Ocsf):
    """OCSF Detection Finding (class_uid 2004, category 2 Findings), the fields we emit."""

    class_uid: Literal[2004] = CLASS_UID
    class_name: Literal["Detection Finding"] = "Detection Finding"
    category_uid: Literal[2] = CATEGORY_UID
    category_name: Literal["Findings"] = "Findings"
    activity_id: Literal[1, 2]
    activity_name: Literal["Create", "Update"]
    type_uid: Literal[200401, 200402]
    type_name: str
    time: int = Field(description="Epoch milliseconds: when this form of the finding was true (the alert's last_seen).")
    severity_id: Literal[1, 2, 3, 4, 5]
    severity: str
    status_id: Literal[1, 3]
    status: Literal["New", "Suppressed"]
    action_id: Literal[3] = 3
    action: Literal["Observed"] = "Observed"
    is_alert: bool = True
    message: str
    count: int
    start_time: int
    end_time: int
    metadata: Metadata
    finding_info: FindingInfo
    actor: Actor
    resources: list[Resource]
    evidences: list[EvidenceArtifact]
    policy: Policy | None = None
    anomaly_analyses: list[AnomalyAnalysis] | None = None
    remediation: Remediation | None = None
    unmapped: dict[str, Any] | None = None

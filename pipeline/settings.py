"""One settings object for the whole program: a YAML file, overridden by environment
variables ``INTENTWATCH_<GROUP>__<FIELD>`` (e.g. ``INTENTWATCH_ENGINE__RESPONSE__COOLDOWN_SECONDS``).

Built once by the CLI and passed down; each part of the program gets only its own group.
"""

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_serializer, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, YamlConfigSettingsSource

from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.io.formats import AlertFormat


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


MASK = "**********"
# librdkafka property names that hold a secret: sasl.password, ssl.key.password,
# sasl.oauthbearer.client.secret, sasl.oauthbearer.config (may carry one), ssl.keystore.password, tokens...
SECRET_KEY = re.compile(r"secret|passw|token|credential|sasl\.oauthbearer\.config|sasl\.jaas|private|key\.pem|\.key$", re.I)


def masked(extra: dict[str, str]) -> dict[str, str]:
    """``extra`` as it may be printed: values of keys that name a secret replaced by a mask.

    >>> masked({"sasl.oauthbearer.client.secret": "s3cr3t", "client.id": "w1"})
    {'sasl.oauthbearer.client.secret': '**********', 'client.id': 'w1'}
    """
    return {k: MASK if SECRET_KEY.search(k) else v for k, v in extra.items()}


class KafkaSettings(_Group):
    """How to reach the brokers. Security settings pass through to librdkafka; secrets stay masked in logs."""

    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_ca_location: str | None = None
    ssl_certificate_location: str | None = None
    ssl_key_location: str | None = None
    ssl_key_password: SecretStr | None = None
    extra: dict[str, str] = Field(default_factory=dict, repr=False,
                                  description="More librdkafka properties, passed as they are (printed masked when they name a secret).")

    @field_serializer("extra")
    def _mask_extra(self, extra: dict[str, str]) -> dict[str, str]:
        return masked(extra)

    def client_config(self) -> dict[str, str]:
        """librdkafka properties for any client (secrets revealed: never log this)."""
        conf = {"bootstrap.servers": self.bootstrap_servers, "security.protocol": self.security_protocol}
        for key, value in (("sasl.mechanism", self.sasl_mechanism), ("sasl.username", self.sasl_username),
                           ("sasl.password", self.sasl_password), ("ssl.ca.location", self.ssl_ca_location),
                           ("ssl.certificate.location", self.ssl_certificate_location),
                           ("ssl.key.location", self.ssl_key_location), ("ssl.key.password", self.ssl_key_password)):
            if value is not None:
                conf[key] = value.get_secret_value() if isinstance(value, SecretStr) else value
        return {**conf, **self.extra}


class TopicSettings(_Group):
    """Topic names and shapes. actions, lifecycle, feedback and state must have the same partition count."""

    actions: str = "agent.actions"
    lifecycle: str = "agent.lifecycle"
    feedback: str = Field(default="intentwatch.feedback", description="Analysts' verdicts on alerts, keyed by agent_id.")
    alerts: str = "intentwatch.alerts"
    alerts_ocsf: str = Field(default="intentwatch.alerts.ocsf",
                             description="Alerts as OCSF Detection Findings, when outputs.formats has ocsf (same key and alert_id header).")
    revocations: str = "intentwatch.revocations"
    dlq: str = "intentwatch.dlq"
    state: str = "intentwatch.state"
    credentials: str = Field(default="intentwatch.credentials",
                             description="Agents' first uses of credentials (compacted), read whole by every worker.")
    definitions: str = Field(default="intentwatch.definitions",
                             description="Agent definitions and what their clean instances taught them (compacted), read whole by every worker.")
    partitions: int = Field(default=8, gt=0)
    replication_factor: int = Field(default=1, gt=0)
    retention_ms: int | None = Field(
        default=None, ge=-1,
        description="retention.ms of actions, alerts and revocations; None keeps the broker's. Messages carry event time, "
                    "so replaying history older than the retention needs -1 (keep) here.")


class OutputSettings(_Group):
    """What the worker publishes alerts as: one topic per enabled format."""

    formats: list[AlertFormat] = Field(default_factory=lambda: ["native"], min_length=1,
                                       description="native -> topics.alerts (alert.v1); ocsf -> topics.alerts_ocsf (OCSF 1.8.0 Detection Finding).")

    @field_validator("formats")
    @classmethod
    def _once_each(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError(f"a format is listed twice: {v}")
        return v


class WorkerSettings(_Group):
    group_id: str = "intentwatch"
    instance: str = Field(default="worker-0", description="Stable per worker: names its transactional producer, so a restart fences the old one.")
    state_dir: Path = Field(default=Path(".iw-state"), description="Where the worker writes <instance>.status.json at each checkpoint (agent state itself lives in Kafka).")
    batch_size: int = Field(default=2000, gt=0)
    poll_timeout_seconds: float = Field(default=0.05, gt=0)
    checkpoint_seconds: float = Field(default=1.0, gt=0, description="How often agent state and input offsets are committed together.")
    tick_seconds: float = Field(default=1.0, gt=0)
    max_stall_seconds: float = Field(default=60.0, gt=0, description="Checkpoints (or output deliveries) failing for this long "
                                     "end the worker with an error, for its supervisor to restart it.")
    max_state_bytes: int = Field(default=900_000, gt=0, description="Largest agent state record written (below the state "
                                 "topic's max.message.bytes, 1 MB by default); per-agent caps keep records far smaller.")
    wall_clock_timers: bool = Field(default=True, description="Expire quiet agents on the wall clock; off when replaying history through Kafka.")
    metrics_port: int | None = Field(default=9108, ge=0, le=65535,
                                     description="HTTP port of /metrics, /healthz and /readyz; 0 takes any free port, null turns it off.")
    metrics_host: str = Field(default="0.0.0.0", description="Address the metrics and probe server listens on.")
    metrics_seconds: float = Field(default=1.0, gt=0, description="How often gauges (consumer lag, agents held and warm) are refreshed.")
    liveness_seconds: float = Field(default=30.0, gt=0, description="/healthz fails when the poll loop has not gone round for this long.")
    stuck_seconds: float = Field(default=180.0, gt=0, description="The worker exits (code 3) when its poll loop has not gone round "
                                 "for this long: longer than its own bounded waits (120 s reads, max_stall_seconds), so only a "
                                 "call that never returns (a fenced static member) trips it; the supervisor restarts it.")
    bridge_context_messages: int = Field(default=1000, ge=0, le=100_000, description="When the bridge is given a partition, it "
                                         "first reads again up to this many of its messages before the committed offset, producing "
                                         "nothing, so the context an adapter hands on (other agents' results, offered tools, "
                                         "agent spans) survives a restart or a rebalance; 0 turns it off. At most 100,000: the "
                                         "context an adapter keeps is bounded, so more re-reads the retained history for nothing.")
    strict_fields: bool = Field(default=False, description="Dead-letter actions carrying field names outside the action contract (data_domian, credentialId...); either way they are counted in the status file.")


class TrustSettings(_Group):
    """Who may change the control plane (docs/trust.md). ``warn`` (the default) checks signatures when
    a trust file is given and alerts on what it would refuse, but applies it; ``enforce`` refuses
    (dead letter + alert) and needs a trust file; ``off`` checks nothing. Without a trust file the
    control plane is unauthenticated, and replay and the worker say so."""

    file: Path | None = Field(default=None, description="The trust file: keys, principals and what each may do.")
    mode: Literal["off", "warn", "enforce"] = "warn"
    signing_key: Path | None = Field(default=None, description="intentwatch's private key (PEM) to sign revocation commands.")
    signing_key_id: str | None = Field(default=None, description="Its key id in the trust file (principal 'intentwatch').")

    @model_validator(mode="after")
    def _complete(self) -> "TrustSettings":
        if self.mode == "enforce" and self.file is None:
            raise ValueError("trust.mode enforce needs trust.file")
        if (self.signing_key is None) != (self.signing_key_id is None):
            raise ValueError("give trust.signing_key and trust.signing_key_id together")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTENTWATCH_", env_nested_delimiter="__", extra="forbid")

    engine: EngineConfig = EngineConfig()
    kafka: KafkaSettings = KafkaSettings()
    topics: TopicSettings = TopicSettings()
    outputs: OutputSettings = OutputSettings()
    worker: WorkerSettings = WorkerSettings()
    trust: TrustSettings = TrustSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest priority first: explicit arguments, then environment, then the file.
        return init_settings, env_settings, YamlConfigSettingsSource(settings_cls)


def load_settings(path: Path | str | None = None) -> Settings:
    """Read settings from ``path`` (YAML, optional) and the environment."""
    if path is not None and not Path(path).is_file():
        raise ConfigError(f"{path}: no such config file")
    cls = type("Settings", (Settings,), {"model_config": {**Settings.model_config, "yaml_file": path}})
    try:
        return cls()
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        raise ConfigError(f"{path or 'environment'}: {problems}") from None

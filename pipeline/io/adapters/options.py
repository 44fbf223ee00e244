"""How the OTel, CloudTrail and transcript adapters map their records (each adapter's options, validated from a
run's ``--adapter-options`` file). pydantic models, so plain Python: the adapters (otel.py,
cloudtrail.py) are compiled with mypyc, which cannot compile them."""

from datetime import datetime, timezone
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from intentwatch.models.action import Operation

from .verbs import ToolOperations


RESOURCE_ARGUMENTS = ("resource", "uri", "url", "path", "file", "file_path", "absolute_path", "to", "recipient", "recipients",
                      "iban", "account", "email", "host", "bucket",
                      "repository", "repo", "table", "channel", "ticket_id", "id")


class OtelOptions(BaseModel):
    """How spans map onto actions; every field has a default that fits the GenAI conventions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent_resource_attribute: str | None = Field(
        "service.name", description="Resource attribute naming the agent when no span says (None: a bad record).")
    resource_arguments: tuple[str, ...] = Field(
        RESOURCE_ARGUMENTS, description="Tool argument keys, in order, whose first string value becomes the action's resource.")
    tools: ToolOperations = Field(default_factory=ToolOperations, description="Tool name -> operation.")
    keep_resource_attributes: bool = Field(True, description="Copy resource attributes into attributes['resource'].")
    tool_calls_from_messages: bool = Field(
        True, description="In a trace with no tool span, make an action of each tool call its chat spans' input messages "
                          "complete (call and response), once: an application instrumented only at its model client.")
    signal: Literal["traces", "logs"] = Field(
        "traces", description="What OTLP protobuf holds (it carries no sign of it): logs reads ExportLogsServiceRequest, the "
                              "events coding agents export (otel_events.py; the Collector's Kafka exporter writes them to "
                              "otlp_logs). OTLP/JSON is told by its key (resourceSpans / resourceLogs).")


class CloudTrailOptions(BaseModel):
    """Choices for the CloudTrail mapping."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fold_sessions: bool = Field(
        True, description="An assumed-role session acts as its role (session names change every run); the session "
                          "name goes to session_id.")
    operations: dict[str, Operation] = Field(
        default_factory=dict, description="Per API overrides: 'eventName' or 'service:eventName' -> operation.")
    agents: dict[str, str] = Field(
        default_factory=dict, description="Agent id as derived (ARN, or name under agent_from: name) -> the id to use.")
    max_seen: int = Field(2_000_000, gt=0, description="eventIDs remembered for de-duplication (the latest ones).")
    agent_from: Literal["arn", "name"] = Field(
        "arn", description="arn: the principal's ARN is the agent id; name: its last path segment (the role or "
                           "user name), for teams that name a role after its agent.")
    credential_prefix: str = Field("", description="Put before an AWS access key id (AKIA..., ASIA...) in "
                                                   "credential_id (e.g. 'aws:'), to match how manifests name keys.")
    services: Literal["skip", "keep"] = Field(
        "skip", description="Calls an AWS service made as itself (userIdentity type AWSService; a service-linked role's "
                            "session, which only its service can assume): skip counts them as records that are no "
                            "one's action; keep maps them, the service as the agent.")
    anonymous: Literal["skip", "keep"] = Field(
        "skip", description="Unauthenticated requests (S3 data events of a public bucket: accountId ANONYMOUS_PRINCIPAL): "
                            "skip counts them as records that are no identity's action; keep maps them as one agent.")
    reorder_seconds: float = Field(
        900.0, ge=0, description="CloudTrail's records come in no set order (regions in separate files, LookupEvents newest "
                                 "first): reading a file or folder, each file's records are read in time order and actions "
                                 "held until none read later can be older by more than this; 0 reads them as they come.")


class TranscriptOptions(BaseModel):
    """Where a transcript's agent, session and time are, and how its tool calls map (transcript.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent: str | None = Field(None, min_length=1, max_length=200,
                              description="The agent of a conversation that names none (None: the file's name; from a "
                                          "topic, a bad record).")
    agent_paths: tuple[str, ...] = Field(
        ("agent_id", "agent.id", "agent_name", "agent.name", "agent", "metadata.agent_id", "metadata.agent_name",
         "suite_name", "metadata.suite_name",  # (AgentDojo's run, or its Inspect sample: the suite's assistant, banking, slack, travel, workspace)
         "app_name"),  # (a Google ADK session's app)
        description="Dotted paths, tried in order, to the agent id in a conversation (or a transcript line).")
    session_paths: tuple[str, ...] = Field(
        ("session_id", "sessionId", "conversation_id", "thread_id", "trace_id", "run_id", "id"),
        description="Paths to the conversation's id (its session; else its position in the input).")
    messages_paths: tuple[str, ...] = Field(
        ("messages", "conversation", "chat_history", "history", "traj", "trajectory", "transcript", "input", "contents", "steps"),
        description="Paths, tried in order, to a conversation's list of messages.")
    time_paths: tuple[str, ...] = Field(
        ("timestamp", "created_at", "start_time", "started_at", "startTime", "time", "created"),
        description="Paths to a conversation's (or a message's) time: RFC 3339 text, or a Unix time in s/ms/us/ns.")
    start: AwareDatetime | None = Field(
        None, lt=datetime(2200, 1, 1, tzinfo=timezone.utc), description="The clock of conversations that carry no time (benchmark runs): the first starts here, "
                          "each next one gap_seconds later, a message step_seconds after the one before. None: "
                          "read from a file, a clock ends its runs by the file's modification time (a folder's "
                          "untimed files share one, ended by the latest; said in the summary); from a topic, a "
                          "conversation with no time is a bad record.")
    step_seconds: float = Field(1.0, ge=0, le=86400)
    gap_seconds: float = Field(60.0, ge=0, le=86400 * 365)
    end_after_seconds: float = Field(
        1800.0, gt=0, le=86400 * 30,
        description="From a topic, where no file ends it: a conversation (a session file's lines, logged model calls) "
                    "that no message has continued for this long, by the messages' own times, is ended: its "
                    "state-changing calls never answered become actions marked unanswered.")
    resource_arguments: tuple[str, ...] = Field(
        RESOURCE_ARGUMENTS, description="Tool argument keys, in order, whose first string value becomes the action's resource.")
    tools: ToolOperations = Field(default_factory=ToolOperations, description="Tool name -> operation.")

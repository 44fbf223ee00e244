"""The revocation command an IAM enforcer consumes on ``intentwatch.revocations``.

Idempotent by ``command_id``: applying the same id twice must be harmless.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from intentwatch.models.signature import Signature

CommandAction = Literal["suspend", "revoke_credentials", "decommission", "require_review"]


class RevocationCommand(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    command_id: str
    agent_id: str
    action: CommandAction
    credential_ids: list[str] = Field(default_factory=list)
    reason: str
    rule_id: str
    alert_ids: list[str] = Field(default_factory=list)
    issued_at: datetime = Field(description="Event time of the finding that caused it.")
    signature: Signature | None = Field(default=None, description="intentwatch's own signature (trust.signing_key), "
                                                                 "for enforcers to verify: `intentwatch keys verify-command`.")

    @model_serializer(mode="wrap")
    def _unsigned_as_before(self, handler: SerializerFunctionWrapHandler) -> dict:
        # An unsigned command serialises exactly as before signatures existed.
        out = handler(self)
        if out.get("signature", 0) is None:
            del out["signature"]
        return out

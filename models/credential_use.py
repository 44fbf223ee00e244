"""An agent's first use of a credential, on the compacted ``intentwatch.credentials`` topic.

Streaming workers each judge a share of the agents; each publishes its agents' first uses
here (keyed ``credential_id`` + newline + ``agent_id``) and reads everyone's, so every worker
knows which other agents a credential acted for (``pipeline/engine/credentials.py``).
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from intentwatch.models.action import LATEST


class CredentialUse(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    kind: Literal["credential_use"] = "credential_use"
    credential_id: str = Field(min_length=1, max_length=500)
    agent_id: str = Field(min_length=1, max_length=200)
    first_seen: float = Field(ge=0, lt=LATEST.timestamp(), allow_inf_nan=False, description="Event time of the agent's first action with the credential, epoch seconds.")
    event_id: str = Field(min_length=1, max_length=200, description="That action.")

    def key(self) -> bytes:
        return f"{self.credential_id}\n{self.agent_id}".encode()

"""A detached Ed25519 signature carried by a control-plane message.

Manifests, lifecycle events, analysts' verdicts and revocation commands may carry one. It
signs the message's canonical form (``pipeline/engine/trust.py``: a context line, then the
RFC 8785 canonical JSON of the message without its ``signature`` field); ``key_id`` names
the key in the trust file. The key id is not itself signed: naming another key only makes
the check fail.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Signature(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    alg: Literal["ed25519"] = "ed25519"
    key_id: str = Field(min_length=1, max_length=200, description="The signing key's id in the trust file.")
    value: str = Field(min_length=1, max_length=200, description="The 64-byte signature, base64 (standard alphabet).")

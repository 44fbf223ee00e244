"""JSON Schemas of the wire contracts, as published in ``deploy/schemas/``."""

import json
from pathlib import Path

from pydantic import TypeAdapter

from intentwatch.models.action import Action
from intentwatch.models.alert import Alert
from intentwatch.models.command import RevocationCommand
from intentwatch.models.credential_use import CredentialUse
from intentwatch.models.definition_record import DEFINITION_RECORD_ADAPTER
from intentwatch.models.feedback import Feedback
from intentwatch.models.intent import IntentManifest
from intentwatch.models.lifecycle import LIFECYCLE_ADAPTER

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "deploy" / "schemas"  # in a source checkout

CONTRACTS: dict[str, TypeAdapter] = {
    "action": TypeAdapter(Action),
    "intent-manifest": TypeAdapter(IntentManifest),
    "lifecycle-event": LIFECYCLE_ADAPTER,
    "alert": TypeAdapter(Alert),
    "revocation-command": TypeAdapter(RevocationCommand),
    "feedback": TypeAdapter(Feedback),
    "credential-use": TypeAdapter(CredentialUse),
    "definition-record": DEFINITION_RECORD_ADAPTER,
}


def render(name: str) -> str:
    schema = CONTRACTS[name].json_schema(mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"intentwatch/{name}.v1.json", **schema}
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in CONTRACTS:
        path = directory / f"{name}.schema.json"
        path.write_text(render(name))
        paths.append(path)
    return paths

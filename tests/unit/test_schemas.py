"""The committed JSON Schemas in deploy/schemas match the models."""

from intentwatch.pipeline.io.schemas import CONTRACTS, SCHEMA_DIR, render


def test_committed_schemas_match_models():
    stale = [name for name in CONTRACTS if (SCHEMA_DIR / f"{name}.schema.json").read_text() != render(name)]
    assert stale == [], f"regenerate with `intentwatch schema --out deploy/schemas`: {stale}"


def test_every_contract_has_a_version_field():
    import json

    for name in CONTRACTS:
        schema = json.loads(render(name))
        variants = [schema["$defs"][ref["$ref"].split("/")[-1]] for ref in schema["oneOf"]] if "oneOf" in schema else [schema]
        assert all("version" in v["properties"] for v in variants), name

"""The rule catalogue: ``pipeline/engine/rules.yaml`` validated into ``Rule`` records.

A rule id in an alert leads here: one YAML entry, one detector ``type`` in
``pipeline/engine/detectors``, whose thresholds are the entry's ``params``. Deployment
overrides (enabled, severity, cooldown, params merged over the rule's) are applied on load so
the engine only ever sees the effective rule.
"""

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from intentwatch.models import attack
from intentwatch.models.alert import FrameworkRefs, Severity
from intentwatch.models.errors import ConfigError
from intentwatch.pipeline.engine.config import EngineConfig

DEFAULT_CATALOG = Path(__file__).with_name("rules.yaml")


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    type: str
    params: dict[str, Any] = Field(default_factory=dict)
    gate: bool = False
    enabled: bool = True
    severity: Severity
    title: str
    description: str
    runbook: str
    references: FrameworkRefs = Field(default_factory=FrameworkRefs)
    cooldown_seconds: float | None = None
    # What one alert window counts: the agent's hits of the rule, or each session's (task's) apart
    # (a hijacked session is an incident of its own, with its own source); an action with no session
    # groups by agent.
    group_by: Literal["agent", "session"] = "agent"


def technique_problems(refs: FrameworkRefs) -> list[str]:
    """Malformed, unknown, revoked or deprecated ATT&CK / ATLAS ids, and tactics a technique does not serve."""
    out = [f"references.mitre_attack: {p}" for r in refs.mitre_attack for p in attack.problems(r.technique, r.tactic, atlas=False)]
    out += [f"references.mitre_atlas: {p}" for r in refs.mitre_atlas for p in attack.problems(r.technique, r.tactic, atlas=True)]
    return out


def yaml_document(text: str) -> tuple[Any, Any]:
    """(node, data) of a one-document YAML text, parsed once, by libyaml where PyYAML has it: every
    engine reads the catalogue, and PyYAML's pure-Python loader takes ~0.15 s a pass over it.
    The node gives each entry's line. Raises ``yaml.YAMLError``."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def load_catalog(config: EngineConfig, path: Path = DEFAULT_CATALOG, known_types: set[str] | None = None) -> dict[str, Rule]:
    """Load rules in file order, apply ``config.rules`` overrides, and report every problem at once."""
    nodes, entries = yaml_document(path.read_text())
    entries = entries or []
    problems: list[str] = []
    rules: dict[str, Rule] = {}
    for i, entry in enumerate(entries):
        line = nodes.value[i].start_mark.line + 1
        try:
            rule = Rule.model_validate(entry)
        except ValidationError as e:
            problems += [f"{path}:{line}: {'.'.join(map(str, er['loc']))}: {er['msg']}" for er in e.errors()]
            continue
        if known_types is not None and rule.type not in known_types:
            problems.append(f"{path}:{line}: rule {rule.id}: unknown type {rule.type!r} (known: {', '.join(sorted(known_types))})")
        if rule.id in rules:
            problems.append(f"{path}:{line}: duplicate rule id {rule.id}")
        problems += [f"{path}:{line}: rule {rule.id}: {p}" for p in technique_problems(rule.references)]
        override = config.rules.get(rule.id)
        if override is not None:
            unknown_params = sorted(set(override.params) - set(rule.params))
            if unknown_params:
                problems.append(f"config: engine.rules.{rule.id}.params: unknown {', '.join(unknown_params)} "
                                f"(the rule has: {', '.join(sorted(rule.params)) or 'none'})")
            rule = rule.model_copy(update={
                "enabled": override.enabled,
                "severity": override.severity or rule.severity,
                "cooldown_seconds": override.cooldown_seconds if override.cooldown_seconds is not None else rule.cooldown_seconds,
                "group_by": override.group_by or rule.group_by,
                "params": {**rule.params, **override.params},
            })
        rules[rule.id] = rule
    unknown = set(config.rules) - set(rules)
    problems += [f"config: override for unknown rule id {rid!r}" for rid in sorted(unknown)]
    problems += [f"config: operation_severity names unknown rule id {rid!r}"
                 for rid in config.operation_severity.rules if rid not in rules]
    if problems:
        raise ConfigError("\n".join(problems))
    return rules

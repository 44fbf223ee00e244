"""An offered tool whose definition changed (``intent.tool_definition_changed``): MCP's "rug pull".

A client approves a server's tools once, by what their descriptions say; the server can change a
description later (a new release, or an attacker who took the server or its package over) and the
model reads the new text from its next ``tools/list`` on, with nobody asked again. Invariant Labs'
mcp-scan pins each tool's description by its hash and warns on a change; this rule does the same for
every agent, with or without a manifest, over what the adapters give as
``attributes["tool_definitions"]`` (MCP ``tools/list`` answers, the tools a model call was offered).

Each tool's versions (the hash of its description and its parameters' descriptions, as
``toolcall.tool_descriptions`` reads them) live in the agent's state under the rule's id; the first
one seen is pinned without a finding. A version never seen before gives one finding per action,
naming the tools; a change back to a version seen before is quiet (two clients rendering one server
alternate so). Medium: vendors update their tools. ``params.steering_severity`` (high) when the new
version names a target (an address, a link, an account) no earlier version named, or reads as
instructions aimed at the agent (``injection_cues``): a rug pull that plants where data or money goes.

An instance of a definition (pipeline/engine/definitions.py) lives for one task and meets each tool
once, so its own pins never see a change: it is also judged against its definition. What it was
offered (each tool, each version, the targets a version's text names) goes into its record as
hashed keys, learned when it ends clean as its targets are; once ``min_instances`` clean instances
ended, a tool ``support`` of them were offered, offered to the instance in a version fewer than
``support`` were offered, is a change from its first action (a flagged instance teaches nothing,
so a planted version never becomes the definition's; a vendor's release is, after ``support``).
"""

import hashlib
from typing import Any

from intentwatch.models.action import Action
from intentwatch.models.definition_record import MAX_TARGETS
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.definition_model import DefinitionModel, value_hash
from intentwatch.pipeline.engine.detectors.base import Detector
from intentwatch.pipeline.engine.detectors.injection_cues import CUE_THRESHOLD, injection_cues
from intentwatch.pipeline.engine.detectors.injection_record import target_hash
from intentwatch.pipeline.engine.detectors.injection_text import targets_in_text
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.params import ToolPinningParams, validated
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.toolcall import TOOL_DEFINITIONS, tool_descriptions


OFFERED = "#offered"                # value_hash(tool, OFFERED, ""): the tool offered; (tool, OFFERED, version): that version
OFFERED_TARGET = "#offered-target"  # value_hash(tool, OFFERED_TARGET, target hash): a target a version's text names
OFFERED_KEYS = 64                   # of an instance record's MAX_TARGETS hashed keys: the rest stay its targets'
_Instance = tuple[str, dict[str, Any], DefinitionModel | None]  # definition, the instance's record, its judged model


class ToolPinning(Detector):
    """Fires when a tool the agent was offered before is offered with a definition never seen, or an
    instance of a definition is offered a version its definition's clean instances were not."""

    watches_every_identity = True
    uses_definitions = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        p: ToolPinningParams = validated(rule, ToolPinningParams)
        self.tools, self.versions, self.steering = p.tools, p.versions, p.steering_severity
        self.min_instances, self.support = p.min_instances, p.support
        self.defs: Any = None  # pipeline/engine/definitions.Definitions, bound by the engine

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        attrs = action.attributes
        defs = attrs.get(TOOL_DEFINITIONS) if attrs else None
        if defs is None:
            return None
        pins: dict[str, list[list[Any]]] = state.detect.setdefault(self.rule.id, {})  # tool -> [[hash, target hashes]]
        changed: list[tuple[str, list[str], list[str], str]] = []  # (tool, new targets, cue kinds, definition judged against)
        inst: _Instance | None = None
        looked = False
        for name, text in tool_descriptions(defs):
            h = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
            versions = pins.get(name)
            if versions is not None and any(v[0] == h for v in versions):
                continue  # (the common case: every model call offers the same tools again; their text is not read)
            hashed = {target_hash(t): t for t in targets_in_text(text)}
            if not looked:
                inst, looked = self._instance(state), True
            unlike = self._offered(inst, name, h, hashed) if inst is not None else None
            if versions is None:
                while len(pins) >= self.tools:
                    del pins[next(iter(pins))]
                pins[name] = [[h, sorted(hashed)]]
                if unlike is not None and inst is not None:
                    changed.append((name, unlike, self._cues(text), inst[0]))
                continue
            known = {t for v in versions for t in v[1]}
            new = sorted(t for th, t in hashed.items() if th not in known)
            versions.append([h, sorted(hashed)])
            del versions[: max(0, len(versions) - self.versions)]
            changed.append((name, new, self._cues(text), ""))
        if not changed:
            return None
        names = [c[0] for c in changed]
        steering = [c for c in changed if c[1] or c[2]]
        why = ""
        if steering:
            name, new, kinds, _ = steering[0]
            why = f"; {name} now names {', '.join(new[:3])}, which no earlier version named" if new else \
                  f"; {name} now reads as instructions aimed at the agent ({', '.join(kinds)})"
        judged = next((c[3] for c in changed if c[3]), "")
        what, expected = (f"differ from the versions the clean instances of definition {judged!r} were offered",
                          "a version its definition's clean instances were offered") if judged else \
                         ("changed their definition since first seen", "the definition first seen")
        baseline: dict[str, Any] = {"tools": names[:10], "new_targets": steering[0][1][:5] if steering else [],
                                    "cues": steering[0][2] if steering else [], "attack": "AML.T0110"}
        if judged:
            baseline["definition"] = judged
        return self.finding(action, ts, f"{len(names)} offered tool(s) {what}: {', '.join(names[:5])}{why}",
                            clause="tool_definitions", expected=expected, observed=names[:10],
                            baseline=baseline, severity=self.steering if steering else None)  # type: ignore[arg-type]

    @staticmethod
    def _cues(text: str) -> list[str]:
        score, kinds = injection_cues(text)
        return kinds if score >= CUE_THRESHOLD else []

    def _instance(self, state: AgentState) -> _Instance | None:
        m = state.manifest
        if self.defs is None or m is None or m.definition is None:
            return None
        model = self.defs.model(m.definition)
        return (m.definition, self.defs.record(state.detect, m.definition),
                model if model is not None and model.instances >= self.min_instances else None)

    def _offered(self, inst: _Instance, tool: str, h: str, hashed: dict[str, str]) -> list[str] | None:
        """Keeps what the instance was offered in its record; the targets the version names that no
        version its definition knows named, if the definition knows the tool but not this version."""
        _, rec, model = inst
        tool_key, version_key = value_hash(tool, OFFERED, ""), value_hash(tool, OFFERED, h)
        targets = {value_hash(tool, OFFERED_TARGET, th): t for th, t in hashed.items()}
        values: list[str] = rec["values"]
        kept: int = rec.get("offered", 0)
        for k in (tool_key, version_key, *targets):
            if kept < OFFERED_KEYS and len(values) < MAX_TARGETS and k not in values:
                values.append(k)
                kept += 1
        rec["offered"] = kept
        if model is None or model.values.get(tool_key, 0) < self.support or model.values.get(version_key, 0) >= self.support:
            return None
        return sorted(t for k, t in targets.items() if model.values.get(k, 0) < self.support)

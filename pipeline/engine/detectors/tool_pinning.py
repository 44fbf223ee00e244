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
"""

import hashlib
from typing import Any

from intentwatch.models.action import Action
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import Detector
from intentwatch.pipeline.engine.detectors.injection_cues import CUE_THRESHOLD, injection_cues
from intentwatch.pipeline.engine.detectors.injection_record import target_hash
from intentwatch.pipeline.engine.detectors.injection_text import targets_in_text
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.params import ToolPinningParams, validated
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.toolcall import TOOL_DEFINITIONS, tool_descriptions


class ToolPinning(Detector):
    """Fires when a tool the agent was offered before is offered with a definition never seen."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        p: ToolPinningParams = validated(rule, ToolPinningParams)
        self.tools, self.versions, self.steering = p.tools, p.versions, p.steering_severity

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        attrs = action.attributes
        defs = attrs.get(TOOL_DEFINITIONS) if attrs else None
        if defs is None:
            return None
        pins: dict[str, list[list[Any]]] = state.detect.setdefault(self.rule.id, {})  # tool -> [[hash, target hashes]]
        changed: list[tuple[str, list[str], list[str]]] = []  # (tool, targets no earlier version named, cue kinds)
        for name, text in tool_descriptions(defs):
            h = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
            versions = pins.get(name)
            if versions is not None and any(v[0] == h for v in versions):
                continue  # (the common case: every model call offers the same tools again; their text is not read)
            hashed = {target_hash(t): t for t in targets_in_text(text)}
            if versions is None:
                while len(pins) >= self.tools:
                    del pins[next(iter(pins))]
                pins[name] = [[h, sorted(hashed)]]
                continue
            known = {t for v in versions for t in v[1]}
            new = sorted(t for th, t in hashed.items() if th not in known)
            score, kinds = injection_cues(text)
            versions.append([h, sorted(hashed)])
            del versions[: max(0, len(versions) - self.versions)]
            changed.append((name, new, kinds if score >= CUE_THRESHOLD else []))
        if not changed:
            return None
        names = [c[0] for c in changed]
        steering = [c for c in changed if c[1] or c[2]]
        why = ""
        if steering:
            name, new, kinds = steering[0]
            why = f"; {name} now names {', '.join(new[:3])}, which no earlier version named" if new else \
                  f"; {name} now reads as instructions aimed at the agent ({', '.join(kinds)})"
        return self.finding(action, ts, f"{len(names)} offered tool(s) changed their definition since first seen: "
                            f"{', '.join(names[:5])}{why}",
                            clause="tool_definitions", expected="the definition first seen", observed=names[:10],
                            baseline={"tools": names[:10], "new_targets": steering[0][1][:5] if steering else [],
                                      "cues": steering[0][2] if steering else [], "attack": "AML.T0110"},
                            severity=self.steering if steering else None)  # type: ignore[arg-type]

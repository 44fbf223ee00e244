"""Load intent manifests from YAML (one or many documents per file) and JSON files.

Every problem is reported, not only the first, as ``file:line: field: reason``; warnings
(no owner, no expiry) are reported apart from errors.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from intentwatch.models.intent import IntentManifest

SUFFIXES = {".yaml", ".yml", ".json"}


@dataclass
class Problem:
    source: str       # file:line
    field: str        # dotted path in the manifest, or "" for the whole document
    reason: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.source}: {self.severity}: {where}{self.reason}"


@dataclass
class LoadedManifests:
    manifests: list[tuple[IntentManifest, str]] = field(default_factory=list)  # (manifest, file:line)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def manifest_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def load_manifests(path: Path) -> LoadedManifests:
    """Read every manifest under ``path`` (a file or a directory, recursively, in name order)."""
    result = LoadedManifests()
    if not path.exists():
        result.problems.append(Problem(str(path), "", "no such file or directory"))
        return result
    seen: dict[str, str] = {}
    for file in manifest_files(path):
        for doc, line, locate in _documents(file, result):
            source = f"{file}:{line}"
            if not isinstance(doc, dict):
                result.problems.append(Problem(source, "", f"a manifest must be a mapping, got {type(doc).__name__}"))
                continue
            try:
                m = IntentManifest.model_validate(doc)
            except ValidationError as e:
                for err in e.errors(include_url=False):
                    loc = tuple(err["loc"])
                    result.problems.append(Problem(f"{file}:{locate(loc)}", ".".join(map(str, loc)), err["msg"]))
                continue
            if m.agent_id in seen:
                result.problems.append(Problem(source, "agent_id", f"duplicate agent_id {m.agent_id!r} (first at {seen[m.agent_id]})"))
                continue
            seen[m.agent_id] = source
            result.manifests.append((m, source))
            result.problems += _warnings(m, source)
    return result


def _warnings(m: IntentManifest, source: str) -> list[Problem]:
    out = []
    if not m.owner:
        out.append(Problem(source, "owner", "no owner: nobody is accountable for this agent", "warning"))
    if m.expires_at is None and m.ttl is None:
        out.append(Problem(source, "expires_at", "no expiry: the agent's authority never ends by itself", "warning"))
    if m.allowed.tools is None:
        out.append(Problem(source, "allowed.tools", "tools not constrained", "warning"))
    return out


def _documents(file: Path, result: LoadedManifests):
    """Yield (document, first line, locate(loc) -> line) for each document in ``file``."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        result.problems.append(Problem(f"{file}:1", "", f"cannot read: {e}"))
        return
    # JSON is read by the YAML loader too, so JSON manifests get line numbers as well.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml if built in: 8x faster
    try:
        while loader.check_node():
            node = loader.get_node()
            dups = duplicate_keys(node)
            for line, key, first in dups:
                result.problems.append(Problem(f"{file}:{line}", key, f"duplicate key (first at line {first}); "
                                                                      "YAML would silently keep the last"))
            data = loader.construct_document(node)
            if dups:
                continue
            yield data, node.start_mark.line + 1, (lambda loc, node=node: _line_of(node, loc))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        result.problems.append(Problem(f"{file}:{line}", "", f"invalid YAML: {getattr(e, 'problem', None) or e}"))
    finally:
        loader.dispose()


def duplicate_keys(node: Any, path: str = "", seen: set[int] | None = None) -> list[tuple[int, str, int]]:
    """(line, dotted key, line of its first occurrence) for every key repeated in a mapping of ``node``.

    Each node is visited once: an alias repeats a node, not its walk (no exponential YAML bombs)."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return []
    seen.add(id(node))
    out: list[tuple[int, str, int]] = []
    if isinstance(node, yaml.MappingNode):
        first: dict[Any, int] = {}
        for k, v in node.value:
            name = f"{path}.{k.value}" if path else str(k.value)
            if isinstance(k, yaml.ScalarNode):
                if k.value in first:
                    out.append((k.start_mark.line + 1, name, first[k.value]))
                else:
                    first[k.value] = k.start_mark.line + 1
            out += duplicate_keys(v, name, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out += duplicate_keys(v, f"{path}.{i}" if path else str(i), seen)
    return out


def _line_of(node: Any, loc: tuple) -> int:
    """The line of the deepest YAML node on the path ``loc`` (1-based); a mapping key's own line."""
    line = node.start_mark.line
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line
        else:
            break
    return line + 1

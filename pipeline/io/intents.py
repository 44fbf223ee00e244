"""Load intent manifests from YAML (one or many documents per file) and JSON files.

Every problem is reported, not only the first, as ``file:line: field: reason``; warnings
(no owner, no expiry) are reported apart from errors.

Two readers. PyYAML (YAML 1.1, libyaml underneath) is the reference: it gives line numbers,
finds duplicate keys and refuses tags. Most of its time goes to building Python nodes, so a
file goes first through ryaml (Rust, about 5x faster), and its reading is kept only where
PyYAML's must be the same: one document, no tag (``!``: ryaml drops tags), no string that
YAML 1.1 would read as something else (``yes``, ``off``, ``1:30``, a date), and a manifest
that validates. Anything else, and every problem, is read again by PyYAML and reported
with its line. Two readings differ, both harmless: numbers written YAML 1.2 style (``0o17``)
are numbers to ryaml (strings to PyYAML, which no numeric field accepts), and an unquoted
date where text is expected is text to ryaml (a date to PyYAML, which a text field refuses).
"""

import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import ryaml
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
    """The manifest files under ``path``, in name order (a path's parts compared in turn, as ``Path`` sorts)."""
    if path.is_file():
        return [path]
    found: list[str] = []
    _scan(str(path), found)
    found.sort(key=lambda p: p.split(os.sep))
    return [Path(p) for p in found]


def _scan(folder: str, found: list[str]) -> None:
    """Regular files (or links to one) with a manifest suffix, recursively; a linked folder is not
    entered (as ``Path.rglob``). ``scandir`` knows a file's type without a stat call per file."""
    with os.scandir(folder) as entries:
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                _scan(e.path, found)
            elif os.path.splitext(e.name)[1].lower() in SUFFIXES and e.is_file():
                found.append(e.path)


def load_manifests(path: Path) -> LoadedManifests:
    """Read every manifest under ``path`` (a file or a directory, recursively, in name order)."""
    result = LoadedManifests()
    result.manifests = list(iter_manifests(path, result.problems))
    return result


class _Registered:
    """Agent ids seen so far: a second manifest for one is a problem; a first one's warnings are reported."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        self.seen: dict[str, str] = {}

    def fresh(self, agent_id: str, source: str, warnings: list[Problem]) -> bool:
        first = self.seen.get(agent_id)
        if first is not None:
            self.problems.append(Problem(source, "agent_id", f"duplicate agent_id {agent_id!r} (first at {first})"))
            return False
        self.seen[agent_id] = source
        self.problems.extend(warnings)
        return True


def iter_manifests(path: Path, problems: list[Problem]) -> Iterator[tuple[IntentManifest, str]]:
    """Each valid manifest under ``path`` with its file:line, as it is read (one file's at a time
    in memory: replay hands them to the engine one by one); every problem goes to ``problems``."""
    if not path.exists():
        problems.append(Problem(str(path), "", "no such file or directory"))
        return
    registered = _Registered(problems)
    for file in manifest_files(path):
        for m, source in _read_file(file, problems.append):
            if registered.fresh(m.agent_id, source, _warnings(m, source)):
                yield m, source


def check_manifests(path: Path, jobs: int = 0) -> tuple[int, list[Problem]]:
    """What ``validate`` reports: how many manifests are valid, and every problem in the order
    ``iter_manifests`` gives them. From ``PARALLEL_FILES`` files on, the files are read, parsed
    and validated by ``jobs`` processes (0: one per core this process may use)."""
    problems: list[Problem] = []
    jobs = jobs or len(os.sched_getaffinity(0))
    files = manifest_files(path) if path.exists() else []
    if jobs < 2 or len(files) < PARALLEL_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return sum(1 for _ in iter_manifests(path, problems)), problems
    registered, valid = _Registered(problems), 0
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for report in pool.imap(_file_report, files, chunksize=256):
            for item in report:
                if isinstance(item, Problem):
                    problems.append(item)
                else:
                    valid += registered.fresh(*item)
    return valid, problems


PARALLEL_FILES = 2000  # below, a pool's start and the results' trip back cost more than they save


def _file_report(file: Path) -> list[Problem | tuple[str, str, list[Problem]]]:
    """A worker's reading of one file, in order: problems, and (agent_id, file:line, warnings) per valid manifest."""
    out: list[Problem | tuple[str, str, list[Problem]]] = []
    for m, source in _read_file(file, out.append):
        out.append((m.agent_id, source, _warnings(m, source)))
    return out


def _read_file(file: Path, report: Callable[[Problem], None]) -> Iterator[tuple[IntentManifest, str]]:
    """The valid manifests of one file with their file:line; its problems go to ``report`` as found."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        report(Problem(f"{file}:1", "", f"cannot read: {e}"))
        return
    fast = _fast_manifest(text)
    if fast is not None:
        yield fast, f"{file}:{_first_line(text)}"
        return
    for doc, line, locate in _documents(file, text, report):
        source = f"{file}:{line}"
        if not isinstance(doc, dict):
            report(Problem(source, "", f"a manifest must be a mapping, got {type(doc).__name__}"))
            continue
        try:
            m = IntentManifest.model_validate(doc)
        except ValidationError as e:
            for err in e.errors(include_url=False):
                loc = tuple(err["loc"])
                report(Problem(f"{file}:{locate(loc)}", ".".join(map(str, loc)), err["msg"]))
            continue
        yield m, source


_RESOLVER = yaml.resolver.Resolver()
_SPECIAL_FIRST = frozenset(c for c in _RESOLVER.yaml_implicit_resolvers if c is not None)
# PyYAML reads an unquoted date as a date; ryaml and pydantic read the same text as the same time.
_SAME = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"})


def _fast_manifest(text: str) -> IntentManifest | None:
    """The manifest in ``text`` as ryaml reads it, where PyYAML would read the same; else None."""
    if "!" in text:
        return None
    try:
        docs = ryaml.loads_all(text)
    except Exception:  # noqa: BLE001 - any problem is PyYAML's to report, with its line
        return None
    if len(docs) != 1 or not isinstance(docs[0], dict) or not _plain(docs[0]):
        return None
    try:
        return IntentManifest.model_validate(docs[0])
    except ValidationError:
        return None


def _plain(value: Any) -> bool:
    """True if no string in ``value`` would resolve to another type under YAML 1.1 (PyYAML's own rules).

    >>> _plain({"enforcement": "monitor", "issued_at": "2026-03-02T08:00:00Z"}), _plain({"a": "yes"}), _plain({"a": ["1:30"]})
    (True, False, False)
    """
    stack = [value]
    while stack:
        v = stack.pop()
        if type(v) is str:
            if v and v[0] in _SPECIAL_FIRST and not _same_in_yaml11(v):
                return False
        elif type(v) is dict:
            stack += v.keys()
            stack += v.values()
        elif type(v) is list:
            stack += v
    return True


@lru_cache(maxsize=4096)  # keys and common values repeat in every manifest (each agent's own do not: not held)
def _same_in_yaml11(s: str) -> bool:
    """Whether PyYAML reads ``s`` as ryaml did: as text (or a time), or YAML 1.2 too would read it
    bare as a number or a boolean, so ryaml giving text means it was quoted (quoted, both agree).

    >>> _same_in_yaml11("monitor"), _same_in_yaml11("2407"), _same_in_yaml11("yes"), _same_in_yaml11("1:30")
    (True, True, False, False)
    """
    if _RESOLVER.resolve(yaml.ScalarNode, s, (True, False)) in _SAME:
        return True
    try:
        return not isinstance(ryaml.loads(s), str)
    except Exception:  # noqa: BLE001 - not a bare scalar to ryaml: let PyYAML read the file
        return False


def _first_line(text: str) -> int:
    r"""The line of a single document's first node, as PyYAML counts it (1-based).

    >>> _first_line("# a comment\n\n---\nagent_id: a\n")
    4
    """
    for i, line in enumerate(text.splitlines()):
        s = line.strip()
        if not s or s[0] in "#%" or (s.startswith("---") and (len(s) == 3 or s[3:].lstrip()[:1] in ("", "#"))):
            continue
        return i + 1
    return 1


def _warnings(m: IntentManifest, source: str) -> list[Problem]:
    out = []
    if not m.owner:
        out.append(Problem(source, "owner", "no owner: nobody is accountable for this agent", "warning"))
    if m.expires_at is None and m.ttl is None and m.kind != "definition":  # a definition holds no authority itself
        out.append(Problem(source, "expires_at", "no expiry: the agent's authority never ends by itself", "warning"))
    if m.allowed.tools is None:
        out.append(Problem(source, "allowed.tools", "tools not constrained", "warning"))
    return out


def _documents(file: Path, text: str, report: Callable[[Problem], None]):
    """Yield (document, first line, locate(loc) -> line) for each document in ``text`` (PyYAML)."""
    # JSON is read by the YAML loader too, so JSON manifests get line numbers as well.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml if built in: 8x faster
    try:
        while loader.check_node():
            node = loader.get_node()
            dups = duplicate_keys(node)
            for line, key, first in dups:
                report(Problem(f"{file}:{line}", key, f"duplicate key (first at line {first}); "
                                                                      "YAML would silently keep the last"))
            data = loader.construct_document(node)
            if dups:
                continue
            yield data, node.start_mark.line + 1, (lambda loc, node=node: _line_of(node, loc))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        report(Problem(f"{file}:{line}", "", f"invalid YAML: {getattr(e, 'problem', None) or e}"))
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

"""Load intent manifests from YAML (one or many documents per file) and JSON files.

Every problem is reported, not only the first, as ``file:line: field: reason``; warnings
(no owner, no expiry) are reported apart from errors.

Two readers: the fast one (ryaml, ``fast_reader.py``) where PyYAML would read the same, and
PyYAML, the reference, for everything else and every problem (with its line). A large
directory is parsed by a process per core, and its fast readings are kept in the user's
manifest cache (``manifest_cache.py``), keyed by each file's bytes; every manifest is
validated on every load, from the cache too.
"""

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path
from typing import Any

import orjson
import yaml
from pydantic import ValidationError

from intentwatch.models.intent import IntentManifest
from intentwatch.pipeline.io.fast_reader import Reading, read_bytes, reading
from intentwatch.pipeline.io.gc_pause import collector_paused
from intentwatch.pipeline.io.manifest_cache import ManifestCache, Pack

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
    return [Path(p) for p in _manifest_names(path)]


def _manifest_names(path: Path) -> list[str]:
    """``manifest_files`` as text (each as ``str(Path(name))`` would be: 36,000 ``Path`` objects cost 0.3 s)."""
    if path.is_file():
        return [str(path)]
    found: list[str] = []
    if _scan(str(path), found):
        found.sort(key=lambda p: p.split(os.sep))
    else:  # one folder: its names after the same prefix, so the text's order is the parts' order
        found.sort()
    return found


def _scan(folder: str, found: list[str]) -> bool:
    """Regular files (or links to one) with a manifest suffix, recursively; a linked folder is not
    entered (as ``Path.rglob``). ``scandir`` knows a file's type without a stat call per file.
    True if a subfolder was entered."""
    nested = False
    with os.scandir(folder) as entries:
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                nested = True
                _scan(e.path, found)
            elif os.path.splitext(e.name)[1].lower() in SUFFIXES and e.is_file():
                found.append(e.path)
    return nested


def load_manifests(path: Path, jobs: int = 0, cache: ManifestCache | bool = True) -> LoadedManifests:
    """Read every manifest under ``path`` (a file or a directory, recursively, in name order).

    ``jobs``: processes parsing a large directory (0: one per core this process may use);
    ``cache``: the user's manifest cache (True), another one, or none (False)."""
    result = LoadedManifests()
    with collector_paused():  # each full collection would walk every manifest made so far
        result.manifests = list(iter_manifests(path, result.problems, _jobs(jobs), cache))
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


def iter_manifests(path: Path, problems: list[Problem], jobs: int = 1,
                   cache: ManifestCache | bool = False) -> Iterator[tuple[IntentManifest, str]]:
    """Each valid manifest under ``path`` with its file:line, as it is read (one file's at a time
    in memory: replay hands them to the engine one by one); every problem goes to ``problems``.
    ``jobs`` and ``cache`` as in ``load_manifests``; from ``CACHE_FILES`` files on, the cache's
    pack of this folder is read, and written again when it changed."""
    if not path.exists():
        problems.append(Problem(str(path), "", "no such file or directory"))
        return
    registered = _Registered(problems)
    files = _manifest_names(path)
    if cache is True:
        cache = ManifestCache.default() if len(files) >= CACHE_FILES else False
    pack = cache.load(path) if isinstance(cache, ManifestCache) else None
    parsed: Pack = {}  # this run's readings that validated: the next pack
    for file, (key, line, doc) in zip(files, _readings(files, jobs, pack)):
        m = _validated(doc) if doc is not None else None
        if m is None:  # everything else, and every problem, is PyYAML's to read and report with its line
            found = _read_file(Path(file), problems.append)
        else:
            if pack is not None:
                parsed[key] = (line, doc)
            found = iter(((m, f"{file}:{line}"),))
        for m, source in found:
            if registered.fresh(m.agent_id, source, _warnings(m, source)):
                yield m, source
    if isinstance(cache, ManifestCache) and pack is not None and parsed.keys() != pack.keys():
        cache.save(path, parsed)


def check_manifests(path: Path, jobs: int = 0, cache: ManifestCache | bool = True) -> tuple[int, list[Problem]]:
    """What ``validate`` reports: how many manifests are valid, and every problem in the order
    ``iter_manifests`` gives them (``jobs`` and ``cache`` as in ``load_manifests``)."""
    problems: list[Problem] = []
    with collector_paused():  # each full collection would walk every manifest made so far
        valid = sum(1 for _ in iter_manifests(path, problems, _jobs(jobs), cache))
    return valid, problems


PARALLEL_FILES = 2000  # files to parse; below, a pool's start and the results' trip back cost more than they save
CACHE_FILES = 256      # below, reading and writing a pack costs about what it saves


def _jobs(jobs: int) -> int:
    return jobs or len(os.sched_getaffinity(0))


def _readings(names: list[str], jobs: int, pack: Pack | None) -> Iterator[Reading]:
    """Each file's reading, in order: from the pack where it holds the file's bytes, else parsed
    here or, from ``PARALLEL_FILES`` files to parse on, by ``jobs`` forked processes (only from a
    process with one thread: a fork copies no other thread, nor what it holds locked)."""
    known: dict[int, Reading] = {}
    if pack:
        for i, name in enumerate(names):
            try:
                key = blake2b(read_bytes(name), digest_size=16).digest()
            except OSError:
                continue
            hit = pack.get(key)
            if hit is not None:
                known[i] = (key, hit[0], hit[1])
    todo = [n for i, n in enumerate(names) if i not in known]
    pool = None
    if jobs >= 2 and len(todo) >= PARALLEL_FILES and threading.active_count() == 1 \
            and "fork" in multiprocessing.get_all_start_methods():
        pool = multiprocessing.get_context("fork").Pool(jobs)
    try:
        chunk = max(1, min(256, len(todo) // (4 * jobs)))  # a few chunks a worker at least: none waits long for the last
        parsed = pool.imap(reading, todo, chunksize=chunk) if pool is not None else map(reading, todo)
        for i in range(len(names)):
            yield known[i] if i in known else next(parsed)
    finally:
        if pool is not None:
            pool.terminate()


def _validated(doc: bytes) -> IntentManifest | None:
    try:
        return IntentManifest.model_validate(orjson.loads(doc))
    except (ValidationError, orjson.JSONDecodeError):
        return None


def _read_file(file: Path, report: Callable[[Problem], None]) -> Iterator[tuple[IntentManifest, str]]:
    """The valid manifests of one file as PyYAML reads them, with their file:line; its problems go
    to ``report`` as found."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        report(Problem(f"{file}:1", "", f"cannot read: {e}"))
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

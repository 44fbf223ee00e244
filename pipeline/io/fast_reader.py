"""The fast manifest reader: ryaml (Rust), kept only where PyYAML would read the same.

PyYAML (YAML 1.1, libyaml underneath) is the reference (``intents.py``): it gives line numbers,
finds duplicate keys and refuses tags. Most of its time goes to building Python nodes, so a
file goes first through ryaml (about 5x faster), and its reading is kept only where PyYAML's
must be the same: one document, no tag (``!``: ryaml drops tags), no string that YAML 1.1
would read as something else (``yes``, ``off``, ``1:30``, a date), and a manifest that
validates (the caller's check). Anything else, and every problem, is read again by PyYAML and
reported with its line. Two readings differ, both harmless: numbers written YAML 1.2 style
(``0o17``) are numbers to ryaml (strings to PyYAML, which no numeric field accepts), and an
unquoted date where text is expected is text to ryaml (a date to PyYAML, which a text field
refuses).

A reading is what the manifest cache keeps (``manifest_cache.py``) and what a pool's worker
sends back: the hash of the file's bytes, the line of its first node, and the document as JSON
(what ryaml gave, exactly: see ``fast_json``).
"""

import math
import os
from functools import lru_cache
from hashlib import blake2b
from typing import Any

import orjson
import ryaml
import yaml

Reading = tuple[bytes, int, bytes | None]  # (hash of the file's bytes, first line, its document as JSON or None)


def read_bytes(name: str) -> bytes:
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 18):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def reading(name: str) -> Reading:
    """What the fast reader makes of one file; a document None leaves the file to PyYAML."""
    try:
        data = read_bytes(name)
    except OSError:
        return b"", 0, None
    key = blake2b(data, digest_size=16).digest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return key, 0, None
    if "\r" in text:  # as read_text: universal newlines
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = fast_json(text)
    return key, (first_line(text) if doc is not None else 0), doc


_RESOLVER = yaml.resolver.Resolver()
_SPECIAL_FIRST = frozenset(c for c in _RESOLVER.yaml_implicit_resolvers if c is not None)
# First characters that start only YAML 1.1 words (true, Off, null, ~): none longer than "false",
# so a longer string starting with one is text without asking the resolver (most of a manifest's).
_WORDS_ONLY = frozenset(c for c, tags in _RESOLVER.yaml_implicit_resolvers.items()
                        if c and all(t.endswith((":bool", ":null")) for t, _ in tags))
_LONGEST_WORD = 5
# PyYAML reads an unquoted date as a date; ryaml and pydantic read the same text as the same time.
_SAME = frozenset({"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"})


def fast_json(text: str) -> bytes | None:
    """The document in ``text`` as ryaml reads it, as JSON, where PyYAML would read the same; else
    None. JSON holds exactly what ryaml gave, or orjson refuses it: a key that is no string, an
    integer past 64 bits (and ``plain`` refuses infinity and NaN, which JSON has not)."""
    if "!" in text:
        return None
    try:
        docs = ryaml.loads_all(text)
    except Exception:  # noqa: BLE001 - any problem is PyYAML's to report, with its line
        return None
    if len(docs) != 1 or not isinstance(docs[0], dict) or not plain(docs[0]):
        return None
    try:
        return orjson.dumps(docs[0])
    except TypeError:  # orjson.JSONEncodeError
        return None


def plain(value: Any) -> bool:
    """True if no string in ``value`` would resolve to another type under YAML 1.1 (PyYAML's own
    rules), and no number is infinite or NaN.

    >>> plain({"enforcement": "monitor", "issued_at": "2026-03-02T08:00:00Z"}), plain({"a": "yes"}), plain({"a": ["1:30"]})
    (True, False, False)
    >>> plain({"a": [1.5]}), plain({"a": [float("inf")]}), plain({"a": "offline"}), plain({"a": "Off"})
    (True, False, True, False)
    """
    stack = [value]
    while stack:
        v = stack.pop()
        if type(v) is str:
            if v and v[0] in _SPECIAL_FIRST and (len(v) <= _LONGEST_WORD or v[0] not in _WORDS_ONLY) \
                    and not same_in_yaml11(v):
                return False
        elif type(v) is dict:
            stack += v.keys()
            stack += v.values()
        elif type(v) is list:
            stack += v
        elif type(v) is float and not math.isfinite(v):
            return False
    return True


@lru_cache(maxsize=4096)  # keys and common values repeat in every manifest (each agent's own do not: not held)
def same_in_yaml11(s: str) -> bool:
    """Whether PyYAML reads ``s`` as ryaml did: as text (or a time), or YAML 1.2 too would read it
    bare as a number or a boolean, so ryaml giving text means it was quoted (quoted, both agree).

    >>> same_in_yaml11("monitor"), same_in_yaml11("2407"), same_in_yaml11("yes"), same_in_yaml11("1:30")
    (True, True, False, False)
    """
    if _RESOLVER.resolve(yaml.ScalarNode, s, (True, False)) in _SAME:
        return True
    try:
        return not isinstance(ryaml.loads(s), str)
    except Exception:  # noqa: BLE001 - not a bare scalar to ryaml: let PyYAML read the file
        return False


def first_line(text: str) -> int:
    r"""The line of a single document's first node, as PyYAML counts it (1-based).

    >>> first_line("# a comment\n\n---\nagent_id: a\n")
    4
    """
    for i, line in enumerate(text.splitlines()):
        s = line.strip()
        if not s or s[0] in "#%" or (s.startswith("---") and (len(s) == 3 or s[3:].lstrip()[:1] in ("", "#"))):
            continue
        return i + 1
    return 1

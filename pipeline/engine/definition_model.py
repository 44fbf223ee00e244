"""What one agent definition learned from its instances (``DefinitionModel``), and the target
keys it counts. The registry, the instances' records and the hygiene of learning are in
``definitions.py``; the detectors that judge by the model in ``detectors/definition.py``.
"""

import hashlib
import math
import re
from typing import Any

from intentwatch.models.definition_record import MAX_TOOLS, DefinitionLesson

_IBAN = re.compile(r"^[a-z]{2}\d{2}[a-z0-9]{10,30}$")
_IPV4 = re.compile(r"^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$")
_HOST = re.compile(r"^[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$")
# A bare name ending in one of these is a file, not a host (some are country or brand TLDs too:
# .md, .py, .sh, .zip; an agent's argument naming one is far more often a file).
FILE_EXTENSIONS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "csv", "tsv", "txt", "md", "rtf", "odt",
                             "json", "yaml", "yml", "xml", "html", "htm", "log", "png", "jpg", "jpeg", "gif", "svg",
                             "zip", "tar", "gz", "tgz", "py", "js", "ts", "sh", "sql", "ipynb", "eml", "ics", "mp3",
                             "mp4", "mov", "wav", "key", "pem", "bak"})


def target_key(value: str) -> str | None:
    """The part of a target a definition learns: who is at the other end, not the one item.
    An e-mail address by its domain, a URL by its host (with or without a scheme), an IBAN by
    its country and bank (the BBAN's first four characters; printed in groups or not), an IPv4
    address by its /24, a host name as it is; opaque ids (a file id, a ticket number) and file
    names (``q3-report.docx``: a host name's shape, a file's extension) are per task and give None.

    >>> [target_key(v) for v in ("eve@Evil.io", "https://news.example.com/march", "de89370400440532013000",
    ...                          "10.1.2.3", "api.example.com", "f-1000-2")]
    ['mail:evil.io', 'host:news.example.com', 'iban:de3704', 'net:10.1.2', 'host:api.example.com', None]
    >>> [target_key(v) for v in ("www.evil.io/login", "evil.io:8443", "10.1.2.3:22", "DE89 3704 0044 0532 0130 00",
    ...                          "q3-report.docx")]
    ['host:www.evil.io', 'host:evil.io', 'net:10.1.2', 'iban:de3704', None]
    """
    v = value.strip().lower()
    if "://" in v:
        host = v.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
        return f"host:{host}" if host else None
    if "@" in v:
        domain = v.rsplit("@", 1)[1]
        return f"mail:{domain}" if _HOST.match(domain) else None
    compact = v.replace(" ", "")
    if _IBAN.match(compact):
        return f"iban:{compact[:2]}{compact[4:8]}"
    head = v.split("/", 1)[0].split("?", 1)[0]  # no scheme: a host or an address, maybe with a path or a port
    name, _, port = head.rpartition(":")
    if name and port.isdigit():
        head = name
    m = _IPV4.match(head)
    if m:
        return f"net:{m.group(1)}"
    if _HOST.match(head) and head.rsplit(".", 1)[1] not in FILE_EXTENSIONS:
        return f"host:{head}"
    return None


def value_hash(tool: str, argument: str, key: str) -> str:
    return hashlib.blake2b(f"{tool}\x00{argument}\x00{key}".encode(), digest_size=8).hexdigest()


def _bound(support: dict[str, int], most: int) -> None:
    """Keep the ``most`` best supported keys (the least supported go first, the oldest among them)."""
    if len(support) > most:
        for h in sorted(support, key=support.__getitem__)[: len(support) - most]:
            del support[h]


class DefinitionModel:
    """What the clean instances of one definition did (see the module docstring)."""

    __slots__ = ("instances", "tools", "values", "counts", "seen", "novel", "_limit")

    def __init__(self) -> None:
        self.instances = 0
        self.tools: dict[str, int] = {}    # tool -> distinct clean instances that used it
        self.values: dict[str, int] = {}   # value_hash -> distinct clean instances that used it
        self.counts: list[int] = []        # actions of the latest clean instances
        self.seen: dict[str, int] = {}     # value_hash -> instances, flagged or not, that reached it on their own
        self.novel: list[int] = []         # of the latest instances, flagged or not: 1 if one reached a target few had
        self._limit: dict[tuple[float, float], float] = {}

    def learn(self, lesson: DefinitionLesson, max_values: int, keep: int, judged_from: int = 0) -> None:
        if lesson.part != "clean":
            self._meet(lesson.free, max_values, keep, self.instances >= judged_from)
        if lesson.part == "population":
            return
        self.instances += 1
        for t in lesson.tools:
            self.tools[t] = self.tools.get(t, 0) + 1
        while len(self.tools) > MAX_TOOLS * 16:
            del self.tools[min(self.tools, key=self.tools.__getitem__)]
        for h in lesson.values:
            self.values[h] = self.values.get(h, 0) + 1
        _bound(self.values, max_values)
        self.counts = (self.counts + [lesson.n])[-keep:]
        self._limit.clear()

    def _meet(self, free: list[str], max_values: int, keep: int, judged: bool) -> None:
        """One more instance, flagged or not: did it reach, on its own, a target no earlier
        instance had? Counted once the definition is judged (before, every target is new); a
        campaign counts once per target it uses, however many instances it takes over."""
        new = 0
        for h in free:
            c = self.seen.get(h, 0)
            if c == 0:
                new = 1
            self.seen[h] = c + 1
        _bound(self.seen, max_values)
        if judged:
            self.novel = (self.novel + [new])[-keep:]

    def novel_rate(self) -> tuple[float, float, int]:
        """Of the latest instances counted, the share that reached a new target on their own, its
        lower confidence bound (Wilson, one-sided 95 %), and how many were counted."""
        n = len(self.novel)
        if not n:
            return 0.0, 0.0, 0
        p, z2 = sum(self.novel) / n, 1.645 ** 2
        low = (p + z2 / (2 * n) - 1.645 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n)
        return p, max(0.0, low), n

    def unlearn(self, lesson: DefinitionLesson) -> None:
        """Undo ``learn(lesson)``, as far as the bounds allow (a tool, value or count dropped since
        stays dropped)."""
        parts = []
        if lesson.part != "clean":
            parts.append((self.seen, lesson.free))
            if self.novel:
                self.novel.pop()
        if lesson.part != "population":
            self.instances = max(0, self.instances - 1)
            parts += [(self.tools, lesson.tools), (self.values, lesson.values)]
            if lesson.n in self.counts:
                del self.counts[len(self.counts) - 1 - self.counts[::-1].index(lesson.n)]
        for support, keys in parts:
            for k in keys:
                c = support.get(k, 0)
                if c > 1:
                    support[k] = c - 1
                elif c == 1:
                    del support[k]
        self._limit.clear()

    def count_limit(self, quantile: float, factor: float) -> float:
        """``factor`` times the ``quantile`` of the clean instances' action counts (cached until the next learn)."""
        key = (quantile, factor)
        v = self._limit.get(key)
        if v is None:
            s = sorted(self.counts)
            v = self._limit[key] = s[min(len(s) - 1, int(quantile * len(s)))] * factor if s else float("inf")
        return v

    def to_record(self) -> dict[str, Any]:
        return {"instances": self.instances, "tools": self.tools, "values": self.values, "counts": self.counts,
                "seen": self.seen, "novel": self.novel}

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> "DefinitionModel":
        m = cls()
        m.instances, m.tools, m.values, m.counts = r["instances"], dict(r["tools"]), dict(r["values"]), list(r["counts"])
        m.seen, m.novel = dict(r.get("seen", {})), list(r.get("novel", []))
        return m

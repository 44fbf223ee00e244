"""Patterns from observed values, generalised only as far as the history supports.

A value becomes part of a wildcard pattern ``PREFIX*`` only when several distinct values
were seen under that prefix; else it stays exact. The prefix ``P`` of a value (cut just
after one of its separators) is *supported* when

- at least ``min_distinct`` (two or more) distinct next parts follow it
  (``zendesk://acme/queues/`` with ``billing`` and ``vip``): one value never becomes a
  wildcard;
- what follows it looks alike (an ``alike`` share of the next parts have values with the
  same separators after ``P``): under ``arn:aws:`` an EC2 instance, a log group and an S3
  key are different kinds of thing, and a pattern over them would say nothing;
- with ``need_singleton`` (tighter), also at least one value under it was seen only once
  (in one session): by Good and Turing's estimate the chance that the next use is of a value
  not seen yet is about the share of values seen once, so a set whose every member recurs
  is treated as closed and kept exact.

Each value takes its broadest supported prefix (new values turn up at every level: a new
repository as well as a new file in a known one); patterns that a shorter one covers are
dropped, and so are exact values a pattern matches. Wildcard characters inside observed
values are escaped, so they match only themselves (``[*]``).
"""

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

# Separators that give a resource its structure (URI, ARN, mail address, query).
RESOURCE_SEPARATORS = "/:@#?="
# Tool names: ``server.tool`` or ``service:Action``; ``_`` and an Action's leading verb
# (``ec2:Describe``) are cuts too, but do not make two tools different kinds of thing.
TOOL_SEPARATORS = ".:"
TOOL_SOFT = "_"
_CAMEL_VERB = re.compile(r":([A-Z][a-z]+)(?=[A-Z])")
_META = re.compile(r"([*?\[])")


def escape(value: str) -> str:
    """A pattern that matches ``value`` only (fnmatch metacharacters in brackets).

    >>> escape("payments://acme/payees/*/bank")
    'payments://acme/payees/[*]/bank'
    """
    return _META.sub(r"[\1]", value)


@dataclass
class Generalised:
    """The patterns for a set of values, and which pattern covers each value."""

    patterns: list[str]
    covers: dict[str, str] = field(default_factory=dict)   # value -> the pattern that allows it

    def wildcards(self) -> list[str]:
        return [p for p in self.patterns if p.endswith("*") and not p.endswith("[*]")]


def _cuts(value: str, seps: str, soft: str, camel: bool) -> list[int]:
    """Lengths of the candidate prefixes of ``value``: just after each separator, never the whole value."""
    cut = {i + 1 for i, ch in enumerate(value) if ch in seps or ch in soft}
    if camel:
        cut |= {m.end() for m in _CAMEL_VERB.finditer(value)}
    return sorted(c for c in cut if 0 < c < len(value))


def _next_part(value: str, start: int, cuts: list[int]) -> str:
    """The part of ``value`` from ``start`` to its next cut (or its end)."""
    end = next((c for c in cuts if c > start), len(value))
    return value[start:end]


def _shape(rest: str, seps: str) -> str:
    return "".join(ch for ch in rest if ch in seps)


def generalise(counts: Mapping[str, int], *, seps: str = RESOURCE_SEPARATORS, soft: str = "", camel: bool = False,
               min_distinct: int = 2, alike: float = 0.75, need_singleton: bool = False) -> Generalised:
    """Patterns for the values of ``counts`` (value -> sessions it was seen in).

    >>> g = generalise({"zendesk://acme/queues/billing": 40, "zendesk://acme/queues/vip": 1,
    ...                 "slack://acme/#support": 3, "arn:aws:s3:::logs/app/": 2, "arn:aws:ec2:eu-west-1:1:instance/i-1": 1})
    >>> g.patterns
    ['arn:aws:ec2:eu-west-1:1:instance/i-1', 'arn:aws:s3:::logs/app/', 'slack://acme/#support', 'zendesk://acme/queues/*']

    A set whose every member recurs stays exact when ``need_singleton``:

    >>> generalise({"q/a": 5, "q/b": 5, "q/c": 5}, need_singleton=True).patterns
    ['q/a', 'q/b', 'q/c']
    >>> generalise({"q/a": 5, "q/b": 5, "q/c": 1}, need_singleton=True, min_distinct=3).patterns
    ['q/*']
    """
    if min_distinct < 2:
        raise ValueError("min_distinct must be at least 2: one value never becomes a wildcard")
    cuts = {v: _cuts(v, seps, soft, camel) for v in counts}
    under: dict[str, list[str]] = {}
    for v, cs in cuts.items():
        for c in cs:
            under.setdefault(v[:c], []).append(v)
    supported: set[str] = set()
    for p, values in under.items():
        n = len(p)
        if len({_next_part(v, n, cuts[v]) for v in values}) < min_distinct:
            continue
        if need_singleton and not any(counts[v] == 1 for v in values):
            continue
        # Each distinct next part votes once, with the commonest shape of the values under it.
        by_part: dict[str, Counter] = {}
        for v in values:
            by_part.setdefault(_next_part(v, n, cuts[v]), Counter())[_shape(v[n:], seps)] += 1
        votes = Counter(c.most_common(1)[0][0] for c in by_part.values())
        if votes.most_common(1)[0][1] < alike * len(by_part):
            continue
        supported.add(p)
    chosen: dict[str, str] = {}
    for v in counts:
        best = next((v[:c] for c in cuts[v] if v[:c] in supported), None)  # the broadest supported
        chosen[v] = escape(best) + "*" if best is not None else escape(v)
    prefixes = sorted({p[:-1] for p in chosen.values() if p.endswith("*") and not p.endswith("[*]")}, key=len)
    kept: list[str] = []
    for p in prefixes:  # shortest first: a longer prefix under a kept one adds nothing
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    wild = [k + "*" for k in kept]
    covers: dict[str, str] = {}
    exact: set[str] = set()
    for v in counts:
        hit = next((w for w in wild if fnmatchcase(v, w)), None)
        if hit is None:
            exact.add(escape(v))
            covers[v] = escape(v)
        else:
            covers[v] = hit
    return Generalised(sorted(exact | set(wild)), covers)


def generalise_tools(counts: Mapping[str, int], *, min_distinct: int = 2, need_singleton: bool = False) -> Generalised:
    """Tool names: ``server.*`` or ``service:Verb*`` once several tools of the server (or
    of the verb) were used.

    >>> generalise_tools({"ec2:DescribeInstances": 9, "ec2:DescribeVpcs": 1, "s3:GetObject": 4,
    ...                   "zendesk.get_ticket": 3, "zendesk.update_ticket": 1}).patterns
    ['ec2:Describe*', 's3:GetObject', 'zendesk.*']

    The operations a draft allows stay exact, so ``zendesk.*`` does not let it delete.
    """
    return generalise(counts, seps=TOOL_SEPARATORS, soft=TOOL_SOFT, camel=True, min_distinct=min_distinct,
                      alike=0.0, need_singleton=need_singleton)

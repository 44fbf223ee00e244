"""Field names nobody expected: a native action with ``data_domian`` or ``credentialId``.

The action contract keeps unknown fields (``extra='allow'``), so a misspelt field is
accepted and the detector that reads the real one goes blind without a word.
``unknown_fields`` lists them from the decoded action itself (no second parse);
``UnknownFields`` counts them over a run, names the contract field each one probably
meant, and under ``strict`` says which actions to dead-letter instead.

>>> from models.action import Action
>>> a = Action.model_validate({"event_id": "e1", "agent_id": "a", "time": "2026-01-01T00:00:00Z",
...                            "tool": "t", "operation": "read", "data_domian": "pii", "Bytes": 10})
>>> unknown_fields(a)
['data_domian', 'Bytes']
>>> u = UnknownFields()
>>> u.observe(a)
['data_domian', 'Bytes']
>>> u.summary()
'data_domian x1 (data_domain?), Bytes x1 (bytes?)'
"""

import difflib
import re
from collections import Counter

from intentwatch.models.action import Action

CONTRACT_FIELDS: tuple[str, ...] = tuple(Action.model_fields)
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def unknown_fields(action: Action) -> list[str]:
    """Top-level field names of ``action`` that are not in the action contract, in input order."""
    extra = action.__pydantic_extra__
    return list(extra) if extra else []


def likely_field(name: str) -> str | None:
    """The contract field an unknown name probably meant: case, camelCase, or a near spelling.

    >>> [likely_field(n) for n in ("credentialId", "Bytes", "data_domian", "sourceIp", "colour")]
    ['credential_id', 'bytes', 'data_domain', 'source_ip', None]
    """
    snake = _CAMEL.sub(r"_\1", name).lower().replace("-", "_")
    if snake in CONTRACT_FIELDS:
        return snake
    close = difflib.get_close_matches(snake, CONTRACT_FIELDS, n=1, cutoff=0.8)
    return close[0] if close else None


class UnknownFields:
    """Counts unknown field names over a run (for the summary and the worker's status)."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.counts: Counter[str] = Counter()
        self.actions = 0

    def observe(self, action: Action) -> list[str]:
        """Count ``action``'s unknown fields; the list is empty for a clean action."""
        names = unknown_fields(action)
        if names:
            self.actions += 1
            self.counts.update(names)
        return names

    def reason(self, names: list[str]) -> str:
        """The dead-letter reason under ``--strict-fields``."""
        return "unknown field(s) " + ", ".join(
            f"{n} (did you mean {g}?)" if (g := likely_field(n)) else n for n in names)

    def summary(self, top: int = 10) -> str:
        parts = []
        for name, n in self.counts.most_common(top):
            guess = likely_field(name)
            parts.append(f"{name} x{n}" + (f" ({guess}?)" if guess else ""))
        more = len(self.counts) - top
        return ", ".join(parts) + (f", and {more} more" if more > 0 else "")

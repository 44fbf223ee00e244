"""Dead letters: bad input set aside with where it came from, why, and its exact bytes.

A record keeps the raw input as text when it is valid UTF-8, else as base64, so nothing
is lost and the file itself stays valid JSON lines.
"""

import base64
from collections import Counter
from pathlib import Path
from typing import IO

import orjson

from intentwatch.models.errors import InputError


def dead_letter_record(err: InputError, raw: bytes) -> dict:
    record: dict = {"source": err.source, "reason": err.reason, "size": len(raw)}
    try:
        record["raw"] = raw.decode("utf-8")
    except UnicodeDecodeError:
        record["raw_base64"] = base64.b64encode(raw).decode("ascii")
    return record


class DeadLetterFile:
    """Appends dead-letter records to a JSON-lines file, opened on the first bad input."""

    def __init__(self, path: Path | None):
        self.path = path
        self._fh: IO[bytes] | None = None
        self.count = 0
        self.reasons: Counter[str] = Counter()

    def put(self, err: InputError, raw: bytes) -> None:
        self.count += 1
        self.reasons[err.reason.split(":")[0]] += 1
        if self.path is None:
            return
        if self._fh is None:
            self._fh = open(self.path, "wb")
        self._fh.write(orjson.dumps(dead_letter_record(err, raw)) + b"\n")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

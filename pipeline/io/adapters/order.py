"""Foreign logs in the order their events happened, as far as a bounded look allows.

CloudTrail says so itself: its log files "are not an ordered stack trace of the public API calls".
A multi-region trail delivers a file per region every few minutes under
``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/``, so name order is region after region, a
day of one before a day of the next; LookupEvents answers newest first. The engine judges each
agent in event time and refuses an action older than what its de-duplication memory covers (an
hour, 256 ids), so a region read after another lost its actions as late. Three steps put them
back in order: files by the time in their name (``file_key``: CloudTrail's
``<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>``), each file's records by their own time
(``in_record_order``), and what the adapter yields through a buffer that holds each action until
nothing read later can be older by more than ``slack`` seconds (``in_time_order``). Session files
(an agent's transcripts, one per session, named by id) are merged by time instead, each opened when
the merge reaches the first time it names (``merged_by_start``): a folder read in name order lost a
later-named, earlier session as late.
"""

import heapq
import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from intentwatch.models.action import EARLIEST, Action
from intentwatch.models.baseline import epoch_seconds

from .base import Result

_STAMP = re.compile(r"_(\d{8}T\d{4}Z)_")
# A rotated file of the Collector's file exporter (lumberjack's backup name): <name>-<time><last extension>
_ROTATED = re.compile(r"(?P<stem>.*)-(?P<time>\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3})(?P<ext>\.[^.]*)?")
FUTURE_SECONDS = 86400.0  # seconds past the wall clock beyond which an event's time says nothing of the order
_TIME_KEYS = ("eventTime", "EventTime", "time", "timestamp")  # a record, LookupEvents, EventBridge, CloudWatch Logs


class RunClock:
    """The clock of conversations that carry no time, read from files: it ends a file's conversations
    by its modification time (the file was written after them): ``gap_seconds`` apart, one per 100
    bytes at most (the least a conversation of a request and a call takes), they start that many gaps
    before it (not before 1970, the contract's earliest). A folder's files that name no time
    (``untimed``, listed before any is read) share one such clock, ending them all by the latest of
    their times; time never goes back."""

    def __init__(self, gap_seconds: float):
        self.gap = timedelta(seconds=gap_seconds)
        self.untimed: set[str] = set()
        self._folder: datetime | None = None  # where the untimed files' clock starts (worked out once)
        self._file = ""
        self._next = datetime.min.replace(tzinfo=timezone.utc)  # where the next conversation starts

    def next(self, file: str) -> datetime:
        """The time of the next conversation of ``file`` that carries none."""
        if file != self._file:
            if file in self.untimed:
                if self._folder is None:
                    self._folder = self._ends_by(self.untimed)
                at = self._folder
            else:
                at = self._ends_by([file])
            self._file, self._next = file, max(at, self._next)
        at, self._next = self._next, self._next + self.gap
        return at

    def _ends_by(self, paths: Iterable[str]) -> datetime:
        last, size = 0.0, 0
        for p in paths:
            st = Path(p).stat()
            last, size = max(last, st.st_mtime), size + st.st_size
        back = self.gap.total_seconds() * max(1, size // 100)  # (seconds: a year's gap over a large file overflows a date)
        return max(EARLIEST, datetime.fromtimestamp(max(0.0, last - back), timezone.utc))  # not before the contract's earliest


def file_key(path: Path) -> tuple[str, str]:
    """Files by the time in their name where it has one (after those without, in name order):
    CloudTrail's, or the one the Collector's file exporter puts in a rotated file's name
    (``traces-2025-12-02T10-00-00.000.json``).

    >>> sorted(["AWSLogs/1/CloudTrail/us-east-1/2026/11/30/1_CloudTrail_us-east-1_20261130T0905Z_b.json.gz",
    ...         "AWSLogs/1/CloudTrail/eu-west-1/2026/11/30/1_CloudTrail_eu-west-1_20261130T0910Z_a.json.gz",
    ...         "AWSLogs/1/CloudTrail/eu-west-1/2026/11/30/1_CloudTrail_eu-west-1_20261130T0900Z_c.json.gz"],
    ...        key=lambda p: file_key(Path(p)))[0].rsplit("_", 3)[1:3]
    ['eu-west-1', '20261130T0900Z']
    >>> file_key(Path("export/traces-2025-12-02T10-00-00.000.json"))[0]
    '2025-12-02T10-00-00.000'
    """
    m = _STAMP.search(path.name)
    if m is not None:
        return m.group(1), str(path)
    r = _ROTATED.fullmatch(path.name)
    return (r.group("time") if r is not None else "", str(path))


def files_in_order(files: Iterable[Path], suffixes: tuple[str, ...]) -> list[Path]:
    """The input files among ``files`` (a name ending with one of ``suffixes``, or an exporter's rotated
    file and the one it still writes: ``path: ./spans`` has no extension) by ``file_key``, the file
    still written after its rotated ones: it has no time in its name but is the newest.

    >>> [f.name for f in files_in_order([Path("t"), Path("t-2025-12-02T11-00-00.000"), Path("t-2025-12-02T10-00-00.000"),
    ...                                  Path("other.json"), Path("u.json"), Path("u-2025-12-02T09-00-00.000.json"),
    ...                                  Path("notes.txt")], (".json",))]
    ['other.json', 'u-2025-12-02T09-00-00.000.json', 't-2025-12-02T10-00-00.000', 't-2025-12-02T11-00-00.000', 't', 'u.json']
    """
    files = list(files)
    rotated = {f: m for f in files if (m := _ROTATED.fullmatch(f.name)) is not None}
    written = {(f.parent, m.group("stem") + (m.group("ext") or "")) for f, m in rotated.items()}

    def key(f: Path) -> tuple[str, str]:
        k = file_key(f)
        return ("\U0010ffff", k[1]) if not k[0] and (f.parent, f.name) in written else k

    return sorted((f for f in files if f.name.endswith(suffixes) or f in rotated or (f.parent, f.name) in written), key=key)


def time_of(item: Any) -> Any:
    """The time a record names (CloudTrail's, LookupEvents', EventBridge's, CloudWatch Logs'), or None."""
    if type(item) is dict:
        for key in _TIME_KEYS:
            v = item.get(key)
            if v is not None:
                return v
    return None


def in_record_order(items: list[Any]) -> Iterable[tuple[int, Any]]:
    """(position, item) of a file's records in time order (stable), when every record names its time
    in one type (ISO text compares as text, LookupEvents' epoch numbers as numbers); else as they are.

    >>> [i for i, _ in in_record_order([{"eventTime": "2026-11-30T09:05:00Z"}, {"eventTime": "2026-11-30T09:01:00Z"}])]
    [1, 0]
    """
    order = time_order([time_of(x) for x in items])
    return enumerate(items) if order is None else [(i, items[i]) for i in order]


def time_order(times: list[Any]) -> list[int] | None:
    """The positions of records with these times in time order (stable), or None where they stay as
    they are: already in order, a record with no time, or text and numbers mixed (no one order)."""
    text = ordered = True
    last: Any = None
    for i, t in enumerate(times):
        if isinstance(t, str):
            if not text and i:
                return None
        elif isinstance(t, (int, float)) and not isinstance(t, bool):
            if text and i:
                return None
            text = False
        else:
            return None
        if ordered and last is not None and t < last:
            ordered = False
        last = t
    return None if ordered else sorted(range(len(times)), key=times.__getitem__)


def in_time_order(results: Iterator[Result], slack: float) -> Iterator[Result]:
    """``results`` with each action held until an action read later could no longer be older by more
    than ``slack`` seconds, then released oldest first (ties in reading order); bad records at once,
    and an action stamped more than a day past the wall clock (the engine refuses it as ahead of the
    clock): held, it would let everything read after it pass unordered."""
    held: list[tuple[float, int, Action]] = []
    latest = float("-inf")
    horizon = time.time() + FUTURE_SECONDS
    n = 0
    for r in results:
        if not isinstance(r, Action):
            yield r
            continue
        ts = epoch_seconds(r.time)
        if ts > horizon:
            yield r
            continue
        n += 1
        heapq.heappush(held, (ts, n, r))
        if ts > latest:
            latest = ts
        while held and held[0][0] < latest - slack:
            yield heapq.heappop(held)[2]
    while held:
        yield heapq.heappop(held)[2]


def merged_by_start(starts: list[tuple[float, str]], read: Callable[[str], Iterator[Result]]) -> Iterator[Result]:
    """Files each in time order from its start (a coding agent's session files), merged into one
    time order: a file is opened when the merge reaches its start, so only files whose times overlap
    are open at once. ``starts``: (start, path). Bad records pass at once.

    >>> from tests.factories import action
    >>> a = {"a": [action(event_id="a1", time="2026-12-01T10:00:00Z"), action(event_id="a2", time="2026-12-01T12:00:00Z")],
    ...      "b": [action(event_id="b1", time="2026-12-01T11:00:00Z")]}
    >>> [r.event_id for r in merged_by_start([(2.0, "b"), (1.0, "a")], lambda f: iter(a[f]))]
    ['a1', 'b1', 'a2']
    """
    files = sorted(starts)
    held: list[tuple[float, int, Action, Iterator[Result]]] = []
    n = k = 0
    while k < len(files) or held:
        while k < len(files) and (not held or files[k][0] <= held[0][0]):
            n += 1
            yield from _next_of(read(files[k][1]), held, n)
            k += 1
        if held:
            _, _, action, it = heapq.heappop(held)
            yield action
            n += 1
            yield from _next_of(it, held, n)


def _next_of(it: Iterator[Result], held: list[tuple[float, int, Action, Iterator[Result]]], n: int) -> Iterator[Result]:
    """Read ``it`` to its next action (put in ``held`` by its time), passing bad records on."""
    for r in it:
        if isinstance(r, Action):
            heapq.heappush(held, (epoch_seconds(r.time), n, r, it))
            return
        yield r

"""Replay: run historical events through the engine in-process, no broker.

The embedded default, the tuning loop, and the reference the streaming worker must match
alert for alert. Lifecycle events (manifests instantiated at ``issued_at``, plus a
lifecycle file) are applied by the engine in event-time order; on equal times the lifecycle change
applies first.
"""

import hashlib
import io
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from intentwatch.models.action import Action
from intentwatch.models.alert import Alert
from intentwatch.models.errors import InputError
from intentwatch.models.feedback import Feedback
from intentwatch.models.intent import IntentManifest
from intentwatch.models.lifecycle import Decommission, Instantiate, Update
from intentwatch.pipeline.io.adapters import Adapter, BadRecord, UnknownFields, read_tree
from intentwatch.pipeline.io.adapters.files import GZIP_MAGIC, ZSTD_MAGIC, Damaged, unpacked
from intentwatch.pipeline.io.adapters.libs import dumps_any
from intentwatch.pipeline.io.codec import decode_action, decode_feedback, decode_lifecycle
from intentwatch.pipeline.io.deadletter import DeadLetterFile, Oversized, Unreadable, failure
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.engine.response import Output
from intentwatch.pipeline.engine.trust import Rejection

LifecycleEvent = Instantiate | Update | Decommission


@dataclass
class ReplaySummary:
    lines: int = 0
    actions: int = 0
    lifecycle: int = 0
    feedback: int = 0
    bad: int = 0
    alerts: Counter[str] = field(default_factory=Counter)        # opened alerts per rule
    final_updates: int = 0
    commands: Counter[str] = field(default_factory=Counter)      # per command action
    withheld: int = 0
    refused: int = 0                                             # control-plane changes refused (dead-lettered)
    seconds: float = 0.0
    learning: dict[str, int] = field(default_factory=dict)  # Engine.learning_report() at the end
    input_format: str = "native"
    skipped: int = 0        # records an adapter read that are not actions (non-agent spans, filtered log lines)
    skipped_kinds: Counter[str] = field(default_factory=Counter)  # ... by kind ("not gen_ai", "digest file"...)
    assumed: Counter[str] = field(default_factory=Counter)  # what the input did not say, an adapter took from its file
    duplicates: int = 0     # records already seen in the run (CloudTrail eventIDs, an event_id's same content)
    unknown_fields: Counter[str] = field(default_factory=Counter)  # field names not in the action contract
    unknown_actions: int = 0  # actions that carried one or more of them


class _Decompressed(io.RawIOBase):
    """A compressed file's decompressed bytes (``unpacked``) as a file, for a buffered ``readline``;
    reading raises ``Damaged`` where the stream ends early or breaks."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._chunks, self._left = unpacked(fh, 1 << 16), memoryview(b"")  # (64 KiB read at a time: the progress)

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = memoryview(chunk)
        n = min(len(b), len(self._left))
        b[:n], self._left = self._left[:n], self._left[n:]
        return n


def open_lines(path: str | Path, max_bytes: int | None = None,
               opened: Callable[[IO[bytes]], None] | None = None) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its newline) from a file, gzip or zstd compressed or not (known by
    its first bytes, whatever its name), or ``-`` (stdin).

    A line longer than ``max_bytes`` is never held whole: it comes as ``Oversized``, its first
    ``max_bytes + 1`` bytes with the size and sha256 of all of it (the decoder then refuses it).
    A compressed file cut short or corrupt ends with an ``Unreadable`` line saying so (the decoders
    refuse it with that reason: a dead letter), after every line read before the damage.
    ``opened`` gets the file as stored (compressed bytes) once it is open: its ``tell()`` is how far
    the reading is, against ``stored_size(path)``."""
    p = str(path)
    fh: IO[bytes]
    if p == "-":
        fh = sys.stdin.buffer
    else:
        stored = open(p, "rb", buffering=1 << 20)
        if opened is not None:
            opened(stored)
        head = stored.peek(4)[:4]
        compressed = head[:2] == GZIP_MAGIC or head == ZSTD_MAGIC
        fh = io.BufferedReader(_Decompressed(stored), 1 << 20) if compressed else stored  # type: ignore[assignment]
    n = 0
    try:
        if max_bytes is None:
            for line in fh:
                n += 1
                yield n, line.rstrip(b"\r\n")
            return
        limit = max_bytes + 2  # room for the line's own \r\n
        readline = fh.readline
        while line := readline(limit):
            n += 1
            if len(line) == limit and not line.endswith(b"\n"):
                yield n, _rest_of_line(readline, line)
            else:
                yield n, line.rstrip(b"\r\n")
    except Damaged as e:
        yield n + 1, Unreadable(f"{e}: the compressed stream ends early, after line {n}; the lines before it were read")
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()
            stored.close()


def stored_size(path: str | Path) -> int | None:
    """Bytes of a regular file as stored (compressed, for a compressed one); None for stdin, pipes, devices."""
    p = Path(path)
    return p.stat().st_size if str(path) != "-" and p.is_file() else None


def _rest_of_line(readline: Callable[[int], bytes], head: bytes) -> Oversized:
    """Read past the rest of an over-long line in 1 MiB steps, hashing it, keeping only ``head``."""
    digest, size = hashlib.sha256(head), len(head)
    while chunk := readline(1 << 20):
        end = chunk.endswith(b"\n")
        chunk = chunk.rstrip(b"\r\n") if end else chunk
        digest.update(chunk)
        size += len(chunk)
        if end:
            break
    return Oversized(head, size, digest.hexdigest())


def manifest_instantiations(manifests: Iterable[tuple[IntentManifest, str]]) -> list[Instantiate]:
    """A registered manifest is in force from its ``issued_at`` (or from the start of time)."""
    return [Instantiate.of_manifest(m) for m, _source in manifests]


# id(event), and (kind, event id) for an event the engine held as its agent's record and read back
# (pipeline/engine/eviction.py) -> (file:line, raw line), for dead letters of refused changes
Positions = dict[object, tuple[str, bytes]]


def _stable(ev: LifecycleEvent | Feedback) -> tuple[str, str]:
    return (type(ev).__name__, ev.feedback_id if isinstance(ev, Feedback) else ev.event_id)


def read_events(path: str | Path, dead: DeadLetterFile, max_bytes: int, decode: Callable,
                positions: Positions | None = None) -> list:
    """Every event of a JSON-lines file, decoded by ``decode``; bad lines go to ``dead``."""
    events = []
    for n, raw in open_lines(path, max_bytes):
        if not raw.strip():
            continue
        try:
            ev = decode(raw, f"{path}:{n}", max_bytes)
        except InputError as err:
            dead.put(err, raw)
            continue
        except Exception as err:  # noqa: BLE001 - one bad line costs one line
            dead.put(InputError(f"{path}:{n}", failure(err), "failed"), raw)
            continue
        events.append(ev)
        if positions is not None:
            positions[id(ev)] = (f"{path}:{n}", raw)
            positions.setdefault(_stable(ev), positions[id(ev)])
    return events


def read_lifecycle(path: str | Path, dead: DeadLetterFile, max_bytes: int, positions: Positions | None = None) -> list[LifecycleEvent]:
    return read_events(path, dead, max_bytes, decode_lifecycle, positions)


def read_feedback(path: str | Path, dead: DeadLetterFile, max_bytes: int, positions: Positions | None = None) -> list[Feedback]:
    return read_events(path, dead, max_bytes, decode_feedback, positions)


def dead_letter_refused(engine: Engine, dead: DeadLetterFile, positions: Positions | None = None,
                        refused: list[Rejection] | None = None) -> int:
    """Dead-letter the control-plane changes the engine refused (trust.mode enforce), or ``refused``,
    at their file:line when known, else by event id with the event as the engine read it."""
    refused = engine.take_rejected() if refused is None else refused
    for r in refused:
        ev = r.event
        known = positions or {}
        source, raw = known.get(id(ev)) or known.get(_stable(ev)) or (
            f"{'feedback' if isinstance(ev, Feedback) else 'lifecycle'} event {getattr(ev, 'feedback_id', None) or getattr(ev, 'event_id')}",
            ev.model_dump_json().encode())
        dead.put(InputError(source, f"refused by the trust policy{' when applied' if r.applied else ''}: {r.reason}"), raw)
    return len(refused)


@dataclass
class Queued:
    """What lifecycle events given to the engine ahead of the actions gave: outputs, and the
    events it refused (an error and the raw event, or a trust policy's rejection), in order."""
    outputs: list[Output] = field(default_factory=list)
    refused: list[tuple[InputError, bytes] | Rejection] = field(default_factory=list)


def queue_lifecycle(engine: Engine, events: Iterable[LifecycleEvent | Feedback]) -> Queued:
    """Hand ``events`` to ``engine`` one by one (it queues each for its time; an iterator is never
    held whole: 36,000 manifests stream from their files), keeping what came out for replay."""
    q = Queued()
    for ev in events:
        try:
            q.outputs += engine.process(ev)
        except Exception as err:  # noqa: BLE001 - refused (InputError) or failed: that event only
            source = f"{type(ev).__name__.lower()} {getattr(ev, 'event_id', None) or getattr(ev, 'feedback_id', '')}"
            refused = InputError(source, err.reason, err.kind) if isinstance(err, InputError) else \
                InputError(source, failure(err), "failed")
            q.refused.append((refused, ev.model_dump_json().encode()))
        if engine.rejected:
            q.refused += engine.take_rejected()
    return q


def replay(
    engine: Engine,
    actions: str | Path,
    lifecycle: Iterable[LifecycleEvent | Feedback],
    emit: Callable[[Output], None],
    dead: DeadLetterFile,
    progress: Callable[[int, int | None], None] | None = None,
    now: float | None = None,
    positions: Positions | None = None,
    adapter: Adapter | None = None,
    strict_fields: bool = False,
    queued: Queued | None = None,
) -> ReplaySummary:
    """Run every action of ``actions`` and ``lifecycle`` (with any feedback) through ``engine``.

    ``actions`` is native JSON lines, or, with ``adapter``, a file (or a folder of files) in that
    adapter's format: records it cannot map go to ``dead`` with their position and reason. Any
    error while decoding or judging one event dead-letters that event, and the rest goes on.
    ``now`` (epoch seconds, default the wall clock) bounds event time: history is in the past,
    so an action stamped beyond ``now`` plus ``max_future_seconds`` is dead-lettered. Field names
    outside the action contract are counted; under ``strict_fields`` their actions are dead-lettered.
    ``progress(lines, bytes)`` hears every 8,192 lines how far the reading is into the file as
    stored (see ``stored_size``; None where unknown: stdin, an adapter's folder), and at the end."""
    summary = ReplaySummary()
    engine.set_clock(time.time() if now is None else now)
    started = time.perf_counter()
    max_bytes = engine.config.max_event_bytes
    unknown = UnknownFields(strict_fields)

    def out(outputs: list[Output]) -> None:
        for o in outputs:
            if isinstance(o, Alert):
                if o.status == "open":
                    summary.alerts[o.rule_id] += 1
                else:
                    summary.final_updates += 1
            else:
                summary.commands[o.action] += 1
            emit(o)

    # The engine queues lifecycle changes per agent and applies each at its event time,
    # so they can all go in first, as a streaming worker reading the lifecycle topic would.
    # Analysts' feedback queues the same way. ``queued``: those the host gave it already.
    for q in (queued or Queued(), queue_lifecycle(engine, lifecycle)):
        for r in q.refused:
            if isinstance(r, Rejection):
                summary.refused += dead_letter_refused(engine, dead, positions, [r])
            else:
                dead.put(*r)
        out(q.outputs)
    process = engine.process_action
    validate = Action.__pydantic_validator__.validate_json
    name = str(actions)
    n = 0
    crc = zlib.crc32
    stored: list[IO[bytes]] = []
    if adapter is None:
        for n, raw in open_lines(actions, max_bytes, stored.append if progress is not None else None):
            if progress is not None and n % 8192 == 0:
                progress(n, _tell(stored[0]))
            if not raw or raw.isspace():
                continue
            try:
                try:  # the validator itself, no Python frames around it; a bad line is decoded again for its reason
                    action = validate(raw) if len(raw) <= max_bytes else decode_action(raw, "", max_bytes)
                except ValidationError:
                    action = decode_action(raw, "", max_bytes)
                if action.__pydantic_extra__:
                    names = unknown.observe(action)
                    if strict_fields:
                        raise InputError("", unknown.reason(names), "unknown_fields")
                outputs = process(action, crc(raw))
            except InputError as err:  # the source is named only when needed: formatting it per line costs
                dead.put(InputError(f"{name}:{n}", err.reason, err.kind), raw)
                continue
            except Exception as err:  # noqa: BLE001 - one bad event costs one event, whatever failed
                dead.put(InputError(f"{name}:{n}", failure(err), "failed"), raw)
                continue
            if outputs:
                out(outputs)
                if engine.rejected:  # looked at only with outputs (a refusal counted into an open alert waits for the end)
                    summary.refused += dead_letter_refused(engine, dead, positions)
    else:
        summary.input_format = adapter.name
        for n, result in enumerate(read_tree(adapter, actions), 1):
            if progress is not None and n % 8192 == 0:
                progress(n, None)
            if isinstance(result, BadRecord):
                dead.put(result.error(), result.raw)
                continue
            try:
                if result.__pydantic_extra__:
                    names = unknown.observe(result)
                    if strict_fields:
                        raise InputError("", unknown.reason(names), "unknown_fields")
                outputs = process(result)
            except Exception as err:  # noqa: BLE001 - refused (InputError) or failed: that record only
                where = f"{name} event_id {result.event_id[:80]}"
                refused = isinstance(err, InputError)
                dead.put(InputError(where, err.reason if refused else failure(err), err.kind if refused else "failed"),
                         _raw(result))
                continue
            if outputs:
                out(outputs)
                if engine.rejected:
                    summary.refused += dead_letter_refused(engine, dead, positions)
        skipped = getattr(adapter, "skipped", None)
        summary.skipped = sum(skipped.values()) if skipped else 0
        summary.skipped_kinds = Counter(skipped or {})
        summary.assumed = Counter(getattr(adapter, "assumed", None) or {})
        summary.duplicates = getattr(adapter, "duplicates", 0)
    summary.lines = n
    if progress is not None:
        progress(n, stored_size(actions) if adapter is None else None)  # read to the end
    summary.unknown_fields = unknown.counts
    summary.unknown_actions = unknown.actions
    out(engine.flush())
    summary.refused += dead_letter_refused(engine, dead, positions)
    summary.actions = engine.n_actions
    summary.lifecycle = engine.stats["lifecycle"]
    summary.duplicates += engine.stats["duplicates"]
    summary.feedback = engine.stats["feedback"]
    summary.bad = dead.count
    summary.withheld = engine.withheld
    summary.learning = engine.learning_report()
    summary.seconds = time.perf_counter() - started
    return summary


def _raw(a: Action) -> bytes:
    """An action as its dead letter keeps it; one pydantic will not write (a lone surrogate an adapter let
    through) as the stdlib writes it: writing the dead letter must not fail too."""
    try:
        return a.model_dump_json().encode()
    except ValueError:
        return dumps_any(a.model_dump(mode="json"))


def _tell(fh: IO[bytes]) -> int | None:
    try:
        return fh.tell()
    except (OSError, ValueError):  # a pipe, or closed
        return None

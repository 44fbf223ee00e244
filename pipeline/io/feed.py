"""Feeding Kafka: JSON lines (a file, .gz, stdin, or the simulator's output) into a topic, fast.

Each line goes as it is (validation is the worker's job, so the worker's dead letters see
exactly what producers send). A foreign file (``--format``) goes through its input adapter
first and is produced as native actions. Keyed by agent_id, message timestamp = event time, one
idempotent producer: order per agent is kept. A line that is not a JSON object with an
agent_id cannot be keyed; it goes to the local dead-letter file with its line number.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from intentwatch.models.action import LATEST, action_line
from intentwatch.models.errors import InputError
from intentwatch.pipeline.io.adapters import Adapter, actions_from
from intentwatch.pipeline.io.deadletter import DeadLetterFile, Unreadable
from intentwatch.pipeline.io.kafka import producer
from intentwatch.pipeline.hosts.replay import open_lines
from intentwatch.pipeline.settings import KafkaSettings


_LATEST_MS = int(LATEST.timestamp() * 1000)


@dataclass
class FeedResult:
    produced: int = 0
    bad: int = 0


def _key_and_time(raw: bytes, source: str) -> tuple[bytes, int | None]:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise InputError(source, f"invalid JSON: {e}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("agent_id"), str) or not doc["agent_id"]:
        raise InputError(source, "no agent_id to key the message by")
    ts = None
    if isinstance(doc.get("time"), str):
        try:
            ts = int(datetime.fromisoformat(doc["time"]).timestamp() * 1000)
        except (ValueError, OverflowError):
            ts = None  # the worker will dead-letter it with the full reason
        if ts is not None and not 0 <= ts < _LATEST_MS:
            ts = None  # a message timestamp Kafka takes; the event's own time stays in the message
    return doc["agent_id"].encode(), ts


def produce_lines(kafka: KafkaSettings, topic: str, lines: Iterable[tuple[str, bytes]], dead: DeadLetterFile,
                  progress: Callable[[int], None] | None = None, max_bytes: int = 1_048_576) -> FeedResult:
    """Produce (source, raw line) pairs to ``topic``; returns counts once all are acknowledged."""
    p = producer(kafka, **{"linger.ms": 20, "batch.size": 1_000_000, "queue.buffering.max.messages": 500_000})
    result = FeedResult()
    failures: list[str] = []

    def delivered(err, msg) -> None:
        if err is not None:
            failures.append(f"{msg.topic()}: {err}")

    for source, raw in lines:
        if not raw.strip():
            continue
        if isinstance(raw, Unreadable):  # where a .gz file stopped (open_lines)
            dead.put(InputError(source, raw.reason, "unreadable"), raw)
            result.bad += 1
            continue
        size = getattr(raw, "size", len(raw))  # an Oversized line (open_lines) was never read whole
        if size > max_bytes:
            dead.put(InputError(source, f"line is {size} bytes, over the {max_bytes}-byte limit", "too_large"), raw)
            result.bad += 1
            continue
        try:
            key, ts = _key_and_time(raw, source)
        except InputError as e:
            dead.put(e, raw)
            result.bad += 1
            continue
        while True:
            try:
                p.produce(topic, value=raw, key=key, timestamp=ts or 0, on_delivery=delivered)
                break
            except BufferError:
                p.poll(0.05)
        result.produced += 1
        if progress is not None and result.produced % 10_000 == 0:
            progress(result.produced)
        p.poll(0)
    remaining = p.flush(120)
    if remaining or failures:
        raise InputError(topic, f"{remaining} messages undelivered; {len(failures)} failed (first: {failures[:1]})")
    return result


def file_lines(path: str | Path, max_bytes: int = 1_048_576) -> Iterable[tuple[str, bytes]]:
    """(file:line, line) of a JSON-lines file; a line over ``max_bytes`` comes as its prefix (``Oversized``)."""
    for n, raw in open_lines(path, max_bytes):
        yield f"{path}:{n}", raw


def adapted_lines(adapter: Adapter, path: str | Path, dead: DeadLetterFile) -> Iterable[tuple[str, bytes]]:
    """A foreign file (OTel spans, CloudTrail, a mapped log) as native action lines; what the
    adapter cannot map goes to ``dead`` with its position and reason."""
    for action in actions_from(adapter, path, dead):
        yield f"{path}", action_line(action)

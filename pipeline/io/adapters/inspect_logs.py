"""Inspect AI's evaluation logs read as conversations (transcript.py): what the UK AI Security
Institute's Inspect writes for every run, and so what inspect_evals' agent benchmarks (AgentDojo,
AgentHarm, GAIA, SWE-bench, Cybench, ...) leave behind.

- a ``.json`` log: the EvalLog, ``eval`` (task, model, run id, created) and ``samples``;
- a ``.eval`` log: a zip whose ``header.json`` is the EvalLog without its samples (before it,
  ``_journal/start.json`` or ``start.json`` held the eval) and whose ``samples/<id>_epoch_<n>.json``
  hold one sample each. A member compressed in a way Python's zipfile cannot read (zstd) is a bad
  record that says how to convert the log.

A sample is one conversation. Its messages are Inspect's ChatMessages (messages.py reads them: an
assistant's ``tool_calls`` with ``id``, ``function``, ``arguments``; a tool message's
``tool_call_id``, ``function`` and ``error`` ``{type, message}``, an ``approval`` error the approval
policy's refusal). A call takes the time of its tool event (``events``: ``event`` tool, ``id``,
``timestamp``); the sample's time is its ``started_at``, else its first event's, else the eval's
``created``. The agent is the task's name unless ``agent_paths`` name one; the session the
sample's ``uuid``, else run / sample id / epoch. (Inspect moves only images out of messages into
``attachments``; the text a call reads is inline.)
"""

import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from .base import BadRecord, Result
from .files import MAX_DOCUMENT
from .libs import JSONDecodeError, loads, starts_with

ZIP_MAGIC: Final = b"PK\x03\x04"
_HEADERS: Final = ("header.json", "_journal/start.json", "start.json")  # where an archive's eval is, newest layout first
_BULKY: Final = frozenset({"messages", "events", "attachments", "events_data", "store", "output", "input"})


def is_log(doc: Any) -> bool:
    """An EvalLog, or one sample of one (a ``.eval`` archive's member, a sample kept on its own)."""
    return doc.__class__ is dict and (
        (doc.get("samples").__class__ is list and doc.get("eval").__class__ is dict)
        or ("epoch" in doc and doc.get("messages").__class__ is list and "id" in doc))


def samples(doc: dict[str, Any]) -> list[Any]:
    """A log's samples, each with its eval beside it (a sample of an archive has it already)."""
    if doc.get("samples").__class__ is not list:
        return [doc]
    info = doc["eval"]
    return [{**s, "eval": info} if s.__class__ is dict else s for s in doc["samples"]]


def conversation(sample: Any) -> tuple[dict[str, Any], list[Any], str | None] | None:
    """(where the sample's agent, time, session and model are looked up; its messages; the task's
    name, the agent when nothing names one); None: no sample with messages."""
    if sample.__class__ is not dict or sample.get("messages").__class__ is not list:
        return None
    info = sample.get("eval") if sample.get("eval").__class__ is dict else {}
    events = sample.get("events") if sample.get("events").__class__ is list else []
    asked: dict[Any, Any] = {}  # call id -> the time its tool event says
    first = None
    for e in events:
        if e.__class__ is dict and e.get("timestamp").__class__ is str:
            first = first or e["timestamp"]
            if e.get("event") == "tool" and e.get("id").__class__ is str:
                asked.setdefault(e["id"], e["timestamp"])
    messages = [_timed(m, asked) for m in sample["messages"]]
    record = {k: v for k, v in sample.items() if k not in _BULKY}
    uuid = sample.get("uuid")
    record["session_id"] = uuid if uuid.__class__ is str and uuid else \
        f"{info.get('run_id') or info.get('task') or 'inspect'}/{sample.get('id')}/epoch{sample.get('epoch')}"
    record["started_at"] = sample.get("started_at") or first or info.get("created")
    model = info.get("model")
    if model.__class__ is str:
        record["model"] = model
    task = info.get("task")
    return record, messages, task if task.__class__ is str and task else None


def _timed(m: Any, asked: dict[Any, Any]) -> Any:
    """An assistant message with the time of the first of its calls' tool events (messages carry none)."""
    calls = m.get("tool_calls") if m.__class__ is dict else None
    if calls.__class__ is list and "timestamp" not in m:
        when = next((asked[c["id"]] for c in calls if c.__class__ is dict and c.get("id").__class__ is str and c["id"] in asked), None)
        if when is not None:
            return {**m, "timestamp": when}
    return m


def is_archive(path: str | Path) -> bool:
    return starts_with(path, ZIP_MAGIC)


def archive(path: str | Path, read: Callable[[Any, bytes, str], Iterator[Result]]) -> Iterator[Result]:
    """What ``read`` makes of each sample of a ``.eval`` archive (the sample, its bytes, where), the
    header's eval beside it; a member that cannot be read, or an archive that is none, is a bad record."""
    name = str(path)
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        yield BadRecord(name, f"not a readable zip archive ({e})")
        return
    with z:
        info: Any = None
        sizes = {i.filename: i.file_size for i in z.infolist()}
        members = sorted((n for n in sizes if n.startswith("samples/") and n.endswith(".json")), key=_in_order)
        if not members:
            yield BadRecord(name, "a zip archive without samples/*.json: not an Inspect log")
        header = next((h for h in _HEADERS if h in sizes), None)  # (none: the samples are read without their eval)
        for member in [header, *members] if header else members:
            if sizes[member] > MAX_DOCUMENT:  # (zipfile stops at the size the archive declares: memory stays bounded)
                yield BadRecord(f"{name}#{member}", f"archive member of {sizes[member]:,} bytes: over {MAX_DOCUMENT >> 20} MiB "
                                                    "as one document")
                continue
            try:
                raw = z.read(member)
                doc = loads(raw)
            except NotImplementedError as e:  # a compression zipfile cannot read (zstd: method 93)
                yield BadRecord(f"{name}#{member}", f"unreadable archive member ({e}; `inspect log convert --to json` "
                                                    "writes the log as JSON)")
                continue
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, JSONDecodeError) as e:
                yield BadRecord(f"{name}#{member}", f"unreadable archive member ({e})")
                continue
            if member == header:
                info = doc.get("eval") if doc.__class__ is dict else None
            else:
                if info.__class__ is dict and doc.__class__ is dict and "eval" not in doc:
                    doc["eval"] = info
                yield from read(doc, raw, f"{name}#{member}")


def _in_order(member: str) -> tuple[int, str]:
    """``samples/12_epoch_1.json`` after ``samples/2_epoch_1.json`` (ids that are numbers in number order)."""
    head = member[8:].split("_epoch_")[0]
    return (int(head), member) if head.isdigit() else (1 << 62, member)

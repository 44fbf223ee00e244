"""Intent manifests suggested from history: ``intentwatch intents suggest``.

Most teams have agent telemetry before they have intent manifests. This drafts one
manifest per agent from what it actually did (``history.py`` gathers it, ``patterns.py``
generalises names only as far as the history supports, ``draft.py`` builds the manifest
and measures how much of the history it covers; ``steered.py`` keeps out the calls an
injected tool result steered), in ``monitor`` mode, for a human to review, own and approve.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from intentwatch.models.action import Action
from intentwatch.models.baseline import epoch_seconds
from intentwatch.pipeline.engine.config import EngineConfig, LearnedConfig
from intentwatch.pipeline.io.deadletter import DeadLetterFile
from intentwatch.pipeline.suggest.draft import Coverage, Draft, DraftOptions, suggest_all, write_drafts
from intentwatch.pipeline.suggest.history import History, read_history
from intentwatch.pipeline.suggest.steered import Steered

__all__ = ["Draft", "DraftOptions", "Suggestion", "suggest_intents"]


@dataclass
class Suggestion:
    history: History
    drafts: dict[str, Draft]
    paths: list[Path]
    steered: int = 0  # calls an injected tool result steered, left out (steered.py)


def suggest_intents(read: Callable[[DeadLetterFile | None], Iterator[Action]], out: Path, options: DraftOptions,
                    until: datetime | None = None, dead: DeadLetterFile | None = None,
                    times_assumed: Callable[[], bool] = lambda: False) -> Suggestion:
    """Draft a manifest per agent from the actions ``read`` yields (called twice: once to
    gather, once to measure coverage), and write them under ``out``. ``times_assumed``, asked
    after the first pass: the reader made the times up (drafts then hold no schedule or rate)."""
    from intentwatch.pipeline.engine.engine import Engine

    engine = Engine(EngineConfig(learned=LearnedConfig(enabled=False)))
    steered = Steered(engine.watch)
    history = read_history(steered(read(dead)), options.timezone, until)
    if times_assumed():
        options = replace(options, real_times=False)
    drafts = suggest_all(history, options)
    for agent, d in drafts.items():
        note = steered.note(agent)
        if note is not None:
            d.notes.append(note)
    cover = Coverage(drafts, engine.checks)
    stop = epoch_seconds(until) if until is not None else float("inf")
    for a in read(None):  # bad input was set aside on the first pass
        if steered.kept(a):
            cover.check(a, stop)
    return Suggestion(history, drafts, write_drafts(drafts, out, options), len(steered.events))

"""Agent definitions and their instances: inherited, narrowed intent and one learned model per definition.

A definition is a manifest with ``kind: definition`` (Entra Agent ID calls it a blueprint); an
instance names it in ``definition``. It reaches the engine as any manifest does (an
instantiate event, a file under ``--intents``) and is registered on arrival, not queued in
event time: it is a template, not an agent, and acts never.

**Inheritance.** ``narrow`` gives an instance's effective manifest: every part of the
definition's intent the instance leaves out (``allowed`` part by part, ``schedule``,
``rate_limit``, ``model``) is inherited; every part it gives must be within the definition's
(each tool, data-domain and resource pattern covered by one of the definition's patterns,
operations a subset, a per-tool clause only narrowing the definition's clause for the same
pattern, a rate limit no faster, a schedule's days a subset, the same model). An instance
that widens is refused, as an unauthorised change is: ``definition.widened`` and a dead
letter, and the intent in force stays.

**Learning across instances** (``DefinitionModel`` in ``definition_model.py``; judged by
``detectors/definition.py``). Per definition: how many clean instances ended, per tool and per
target key how many distinct clean instances used it, and the action counts of the latest
clean instances. An instance keeps its own record in its agent state (``detect["def"]``,
checkpointed with it: tools, hashed target keys, actions, whether it was flagged, from its
first action); when it ends (decommission, expiry, a new instantiation) the record is learned
**only if the instance raised no high or critical finding** (a flagged instance teaches only
the targets it reached on its own, to the measure of how often instances meet new ones, and
only if no other rule paged it), and a value counts as known once
``support`` distinct clean instances used it, so one compromised instance that stayed quiet
cannot whitelist its target. An analyst's false-positive verdict on every rule that flagged an
instance makes it clean (``release``): a flagged instance that ended is held in its state
(``detect["def_held"]``) and teaches then. Without it a partner first met after the definition
is judged pages on every instance and is never learned. Memory is bounded: ``values`` hashed
target keys per definition (the least supported go first), ``keep`` action counts, at most
``MAX_DEFINITIONS`` models.

**An agent's sessions as its instances** (``definition.new_target``'s ``sessions``). An agent
whose manifest names no definition, or that has no manifest and is judged by its own baseline
(``engine.unregistered: learn`` or ``both``), is the definition of its own sessions: each ``session_id``
(else ``task_id``) whose calls carry arguments or a request keeps a record in
``detect["ses"]``, and teaches the agent's own model (``AgentState.sessions``) when it ends:
idle for ``session_idle`` seconds when the agent's next new session begins, the oldest past
``MAX_OPEN_SESSIONS``, or with the agent. The hygiene is an instance's (flagged sessions held
for a verdict, the agent's latest ``MAX_HELD``). One agent's sessions are on one partition, so
that model is the agent's state, checkpointed and compacted with it, and shared with no one.

**Where the state lives.** The models are the engine's, not an agent's: the instances of one
definition sit on many partitions. What an instance teaches is one ``DefinitionLesson``
(``models/definition_record.py``), folded into the model by ``learn`` the moment the instance
ends. Replay holds one engine, so every instance teaches it at once. A streaming host turns on
``publish``: its lessons and the definitions it registers then also queue in ``outbox``; it
shares them with the other workers, which fold them in with ``learn`` and ``register``, and
reads them all back after a restart (``pipeline/hosts/worker/shared.py``). The model is a
function of the lessons in the order folded; the order matters only at the bounds (the latest
``keep`` counts, the least supported values dropped first). ``Engine.definitions_record`` /
``restore_definitions`` give the whole state's JSON form.
"""

import hashlib
from fnmatch import fnmatchcase
from typing import Any

from intentwatch.models.definition_record import DefinitionLesson, DefinitionRecord, SharedDefinition
from intentwatch.models.errors import InputError
from intentwatch.models.intent import Allowed, IntentManifest, ToolClause
from intentwatch.pipeline.engine.definition_model import DefinitionModel
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.toolcall import CALL_KEYS

MAX_DEFINITIONS = 1000   # a handful of definitions carry the models, not thousands of agents
FOLDED_MEMORY = 16_384   # lessons a streaming host remembers as folded (~1.5 MB): more than end between two checkpoints
MAX_FLAGGERS = 8         # rules an instance's record names as what flagged it
MAX_HELD = 4             # flagged instances of one agent kept for a verdict to clear (an agent id may run several in turn)
MAX_OPEN_SESSIONS = 8    # sessions of one agent judged at once (a new one ends the oldest past it)
SESSION_VALUES = 1024    # hashed target keys in an agent's sessions model (a definition's: ``values``)
SESSIONS = "#sessions"   # a session record's ``d``: it teaches the agent's own model, not a definition's

# -- inheritance ------------------------------------------------------------------------------
def _covered(pattern: str, patterns: list[str]) -> bool:
    """Whether everything ``pattern`` matches is matched by one of ``patterns`` (a pattern's own
    wildcards are matched as text, so ``crm.*`` is inside ``crm.*`` and ``*``, not inside ``crm.get``)."""
    return any(fnmatchcase(pattern, p) for p in patterns)


def _narrow_list(name: str, mine: list[str] | None, theirs: list[str] | None, problems: list[str]) -> list[str] | None:
    if mine is None:
        return theirs
    if theirs is not None:
        wider = [p for p in mine if not _covered(p, theirs)]
        if wider:
            problems.append(f"allowed.{name} {', '.join(map(repr, wider[:5]))} outside the definition's {theirs[:10]}")
    return mine


def _narrow_clause(pattern: str, mine: ToolClause, theirs: ToolClause, problems: list[str]) -> None:
    where = f"allowed.per_tool[{pattern!r}]"
    _narrow_list(f"per_tool[{pattern!r}].operations", mine.operations and list(mine.operations),
                 theirs.operations and list(theirs.operations), problems)
    _narrow_list(f"per_tool[{pattern!r}].resources", mine.resources, theirs.resources, problems)
    for arg, rule in theirs.arguments.items():
        own = mine.arguments.get(arg)
        if own is None:
            problems.append(f"{where} drops the definition's rule on argument {arg!r}")
            continue
        if rule.allowed is not None and (own.allowed is None or any(not _covered(v, rule.allowed) for v in own.allowed)):
            problems.append(f"{where}.arguments.{arg} allows values outside the definition's {rule.allowed[:10]}")
        if rule.min is not None and (own.min is None or own.min < rule.min):
            problems.append(f"{where}.arguments.{arg}.min below the definition's {rule.min:g}")
        if rule.max is not None and (own.max is None or own.max > rule.max):
            problems.append(f"{where}.arguments.{arg}.max above the definition's {rule.max:g}")
        if rule.required and not own.required:
            problems.append(f"{where}.arguments.{arg} no longer required")


def narrow(instance: IntentManifest, definition: IntentManifest) -> tuple[IntentManifest, list[str]]:
    """The instance's effective manifest (the definition's intent where it gives none) and the
    ways it widens the definition's (empty: it only narrows)."""
    problems: list[str] = []
    a, d = instance.allowed, definition.allowed
    allowed: dict[str, Any] = {
        "tools": _narrow_list("tools", a.tools, d.tools, problems),
        "operations": _narrow_list("operations", a.operations and list(a.operations), d.operations and list(d.operations), problems),
        "data_domains": _narrow_list("data_domains", a.data_domains, d.data_domains, problems),
        "resources": _narrow_list("resources", a.resources, d.resources, problems),
        "per_tool": d.per_tool,
    }
    if a.per_tool is not None:
        if d.per_tool is not None:
            for pattern, clause in d.per_tool.items():
                own = a.per_tool.get(pattern)
                if own is None:
                    problems.append(f"allowed.per_tool drops the definition's clause for {pattern!r}")
                else:
                    _narrow_clause(pattern, own, clause, problems)
        allowed["per_tool"] = a.per_tool
    update: dict[str, Any] = {"allowed": Allowed(**allowed)}
    for part in ("schedule", "rate_limit", "model"):
        if getattr(instance, part) is None:
            update[part] = getattr(definition, part)
    if instance.schedule is not None and definition.schedule is not None:
        s, t = instance.schedule, definition.schedule
        if s.timezone != t.timezone or s.hours != t.hours or not set(s.days) <= set(t.days):
            problems.append(f"schedule {','.join(s.days)} {s.hours} {s.timezone} is not within the definition's "
                            f"{','.join(t.days)} {t.hours} {t.timezone}")
    if instance.rate_limit is not None and definition.rate_limit is not None:
        r, q = instance.rate_limit, definition.rate_limit
        if r.max_actions > q.max_actions or r.max_actions / r.per_seconds > q.max_actions / q.per_seconds:
            problems.append(f"rate_limit {r.max_actions}/{r.per_seconds:g}s is faster than the definition's {q.max_actions}/{q.per_seconds:g}s")
    if instance.model is not None and definition.model is not None and instance.model != definition.model:
        problems.append(f"model {instance.model.id} is not the definition's {definition.model.id}")
    return instance.model_copy(update=update), problems


def _session_instance(sid: str, rec: dict[str, Any]) -> str:
    """A session's name as an instance (a held record's): its id and when it began."""
    return f"{sid[:160]}@{rec['s']:.0f}"


def _mark(lesson: DefinitionLesson) -> bytes:
    """A lesson's identity for a streaming host's memory of what it folded: instance, end, count."""
    return hashlib.blake2b(b"%s\n%r\n%d" % (lesson.key(), lesson.ended, lesson.n), digest_size=12).digest()


class Definitions:
    """The engine's registry of definitions and their models; binds itself to the definition
    detectors (``uses_definitions``) among ``detectors``."""

    def __init__(self, detectors: list, high: int, severity_rank: dict[str, int]) -> None:
        self.definitions: dict[str, IntentManifest] = {}
        self.models: dict[str, DefinitionModel] = {}
        self.max_values, self.keep, self.judged_from = 4096, 512, 0
        self.novelty_rule = ""  # the rule judging targets by how often instances meet new ones
        self.sessions, self.session_idle = False, 1800.0  # an agent with no definition: its sessions judged as instances
        self.unregistered = False  # an agent with no manifest too (the engine's learn_unregistered)
        self._high, self._rank = high, severity_rank
        self.publish = False  # a streaming host: queue lessons and registered definitions in ``outbox``
        self.outbox: list[DefinitionRecord] = []
        self._folded: dict[bytes, None] = {}  # a streaming host's latest lessons folded (FOLDED_MEMORY), oldest first
        self.detectors = [d for d in detectors if getattr(d, "uses_definitions", False)]
        for d in self.detectors:
            d.defs = self
            self.max_values = getattr(d, "max_values", self.max_values)
            self.keep = getattr(d, "keep", self.keep)
            if hasattr(d, "page_rate"):
                self.judged_from, self.novelty_rule = d.min_instances, d.rule.id
            if getattr(d, "sessions", False):
                self.sessions, self.session_idle = True, d.session_idle

    # -- definitions ----------------------------------------------------------------------
    def register(self, m: IntentManifest, share: bool = True) -> None:
        """A definition arrived (a new one, or a new version of one: its model stays); ``share``:
        queued for the other workers (not one that came from them)."""
        if m.agent_id not in self.definitions and len(self.definitions) >= MAX_DEFINITIONS:
            raise InputError("", f"definition {m.agent_id[:80]!r} would be one more than {MAX_DEFINITIONS}", "definitions_full")
        self.definitions[m.agent_id] = m
        if self.publish and share:
            self.outbox.append(SharedDefinition(manifest=m))

    def resolve(self, m: IntentManifest) -> tuple[IntentManifest, list[str]]:
        """The effective manifest of an instance and how it widens its definition; an unknown
        definition leaves the manifest as it is (it is judged once the definition is known)."""
        d = self.definitions.get(m.definition) if m.definition is not None else None
        return narrow(m, d) if d is not None else (m, [])

    def model(self, name: str) -> DefinitionModel | None:
        return self.models.get(name)

    # -- an instance's record --------------------------------------------------------------
    @staticmethod
    def record(detect: dict[str, Any], name: str) -> dict[str, Any]:
        rec = detect.get("def")
        if rec is None or rec["d"] != name:
            rec = detect["def"] = {"d": name, "tools": [], "values": [], "free": [], "n": 0, "flagged": False}
        return rec

    def session(self, st: AgentState, sid: str, ts: float) -> dict[str, Any]:
        """The record of session ``sid`` of an agent with no definition, judged as an instance of
        the agent's own sessions (``st.sessions``). A new session first ends the agent's sessions
        idle for ``session_idle`` seconds, and the oldest past ``MAX_OPEN_SESSIONS``."""
        open_ = st.detect.get("ses")
        if open_ is None:
            open_ = st.detect["ses"] = {}
        rec = open_.get(sid)
        if rec is None:
            for old, r in sorted(open_.items(), key=lambda kv: kv[1]["t"]):
                if r["t"] <= ts - self.session_idle or len(open_) >= MAX_OPEN_SESSIONS:
                    del open_[old]
                    self._close(st, r, _session_instance(old, r), r["t"])
            rec = open_[sid] = {"d": SESSIONS, "tools": [], "values": [], "free": [], "n": 0, "flagged": False, "s": ts, "t": ts}
        elif ts > rec["t"]:
            rec["t"] = ts
        return rec

    def flag(self, st: AgentState, f: Finding) -> None:
        """A high or critical finding on an instance of a definition (or on a session judged as
        one): it will teach nothing, unless an analyst's false-positive verdict clears every rule
        that flagged it (``by``; ``*``: more rules than it keeps, never cleared). Its record starts
        here if this is its first action. An agent that is not active (expired, decommissioned)
        has nothing left to flag: its instance already ended."""
        m = st.manifest
        if self._rank[f.severity or f.rule.severity] < self._high:
            return
        if st.status != "active" and not (m is None and st.status == "unregistered" and self.unregistered and not f.rule.gate):
            return  # (no manifest: its sessions, and the shadow alert says nothing of what a session did)
        if m is not None and m.definition is not None:
            rec = self.record(st.detect, m.definition)
        else:
            a = f.action
            if a is None or not self.sessions:
                return
            sid = a.session_id or a.task_id
            if not sid or (sid not in st.detect.get("ses", ()) and CALL_KEYS.isdisjoint(a.attributes)):
                return  # no session, or a call that keeps no record (as the detector's)
            rec = self.session(st, sid, f.ts)
        rec["flagged"] = True
        by = rec.setdefault("by", [])
        if f.rule.id not in by and "*" not in by:
            by.append(f.rule.id if len(by) < MAX_FLAGGERS else "*")

    def end(self, st: AgentState, ts: float) -> bool:
        """The agent's instance (its instantiation's event id: ``st.epoch``) ended at ``ts``: its
        definition learns its record unless it was flagged; a flagged one is held (the latest
        ``MAX_HELD`` of the agent) for a verdict to clear. Its open sessions end too. True if learned."""
        for sid, r in st.detect.pop("ses", {}).items():
            self._close(st, r, _session_instance(sid, r), r["t"])
        return self._close(st, st.detect.pop("def", None), st.epoch, ts)

    def _close(self, st: AgentState, rec: dict[str, Any] | None, instance: str, ts: float) -> bool:
        if rec is None or rec["n"] == 0:
            return False
        if rec["flagged"]:
            if rec.get("by") and "*" not in rec["by"]:
                held = st.detect.setdefault("def_held", [])
                held.append({**rec, "instance": instance, "ended": ts})
                del held[:-MAX_HELD]
            if self.novelty_rule:  # only the novelty rule reads the population (off: no lesson to share)
                if any(r != self.novelty_rule for r in rec.get("by", ("*",))):
                    rec = {**rec, "free": []}  # another rule paged: an attack, not evidence of an open world
                self._teach(rec, st, instance, ts, "population")
            return False
        return self._teach(rec, st, instance, ts, "all")

    def release(self, st: AgentState, rule_id: str, false_positive: bool) -> int:
        """An analyst's verdict on ``rule_id`` for this instance. False positive: the rule no longer
        keeps it from teaching; cleared of every rule that flagged it, a held (ended) instance
        teaches now and a running one when it ends. Confirmed: it never teaches. Returns the
        lessons taught. The hygiene holds: only a human's verdict on each flagging rule clears it,
        so a target only attacks used is not learned from instances that paged on it."""
        taught, detect = 0, st.detect
        for rec in (detect.get("def"), *detect.get("ses", {}).values()):
            if rec is not None and rule_id in rec.get("by", ()):
                rec["by"] = [r for r in rec["by"] if r != rule_id] + ([] if false_positive else ["*"])
                rec["flagged"] = bool(rec["by"])
        keep = []
        for h in detect.get("def_held", ()):
            if rule_id in h["by"]:
                if not false_positive:
                    continue
                h["by"] = [r for r in h["by"] if r != rule_id]
                if not h["by"]:
                    taught += self._teach(h, st, h["instance"], h["ended"], "clean")
                    continue
            keep.append(h)
        if keep:
            detect["def_held"] = keep
        else:
            detect.pop("def_held", None)
        return taught

    def _teach(self, rec: dict[str, Any], st: AgentState, instance: str, ts: float, part: str) -> bool:
        population = part == "population"
        lesson = DefinitionLesson.model_construct(definition=rec["d"], agent_id=st.agent_id, instance=instance, ended=ts,
                                                  tools=[] if population else list(rec["tools"]),
                                                  values=[] if population else list(rec["values"]),
                                                  free=[] if part == "clean" else list(rec.get("free", ())), n=rec["n"], part=part)
        if rec["d"] == SESSIONS:  # the agent's own sessions: its state, checkpointed with it, shared with nobody
            if st.sessions is None:
                st.sessions = DefinitionModel()
            st.sessions.learn(lesson, SESSION_VALUES, self.keep, self.judged_from)
            return True
        if not self.learn(lesson):
            return False
        if self.publish:
            self.outbox.append(lesson)
        return True

    def learn(self, lesson: DefinitionLesson) -> bool:
        """Fold one instance's lesson (or its ``population`` / ``clean`` part) into its definition's
        model (False: no room for one more model). A lesson folded lately is not folded again: a worker that reads on from its last
        checkpoint after a rebalance teaches the same lesson again, and so does the partition's
        next owner (both publish it). Replay's engine, the only one, sees each lesson once."""
        mark = b""
        if self.publish:
            mark = _mark(lesson)
            if mark in self._folded:
                return True
        model = self.models.get(lesson.definition)
        if model is None:
            if len(self.models) >= MAX_DEFINITIONS:
                return False
            model = self.models[lesson.definition] = DefinitionModel()
        model.learn(lesson, self.max_values, self.keep, self.judged_from)
        if mark:
            self._folded[mark] = None
            if len(self._folded) > FOLDED_MEMORY:
                del self._folded[next(iter(self._folded))]
        return True

    def unlearn(self, lesson: DefinitionLesson) -> None:
        """Withdraw a lesson folded here and never committed (a streaming host rolled back to its
        last checkpoint): whoever reads the instance again teaches it again."""
        mark = _mark(lesson)
        if mark in self._folded:
            del self._folded[mark]
            model = self.models.get(lesson.definition)
            if model is not None:
                model.unlearn(lesson)

    def drain(self) -> list[DefinitionRecord]:
        out, self.outbox = self.outbox, []
        return out

    # -- persistence ------------------------------------------------------------------------
    def to_record(self) -> dict[str, Any]:
        return {"definitions": {k: m.model_dump(mode="json") for k, m in self.definitions.items()},
                "models": {k: m.to_record() for k, m in self.models.items()}}

    def restore(self, r: dict[str, Any]) -> None:
        self.definitions = {k: IntentManifest.model_validate(m) for k, m in r.get("definitions", {}).items()}
        self.models = {k: DefinitionModel.from_record(m) for k, m in r.get("models", {}).items()}

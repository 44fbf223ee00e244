"""A session's record of tool results for the injected-target detector (``injection.py``): each
result kept unread as an entry (its texts, read for targets and scored for cues only when asked), the
source a target keeps, and the look-ups a judgement makes in the record (a target's first source, a
value copied word for word, a call a result asked for). Compiled with the detectors (setup.py)."""

import hashlib
import itertools
import re
from typing import Any

from intentwatch.pipeline.engine.detectors.injection_calls import announces_new_payee, asked_for, asked_in, named_change
from intentwatch.pipeline.engine.detectors.injection_cues import CUE_THRESHOLD, directed_targets, directives, injection_cues, \
    instruction_part
from intentwatch.pipeline.engine.detectors.injection_text import argument_targets, is_account, may_hold, planted, text_targets

_hashes: dict[str, str] = {}  # target -> its hash (a pure function, remembered: results repeat their targets)


def target_hash(value: str) -> str:
    h = _hashes.get(value)
    if h is None:
        h = hashlib.blake2b(value.encode(), digest_size=8).hexdigest()
        if len(_hashes) >= 65536:
            _hashes.clear()
        _hashes[value] = h
    return h


_VERBATIM = (6, 100)  # the lengths of a text argument judged as copied word for word
# A date, a time or an amount names no one and nowhere: a refund dated like the transaction it
# answers (the very transaction an injection rode in) is the task's, not the attacker's.
_NAMES_NOTHING = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
                            r"|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?|\d[\d,]*\.\d+",
                            re.IGNORECASE)
_COPIED_ARGS = 64  # arguments looked at per call (each is searched for in the record's text)
DEFINED = "the definition of "  # a tool definition's source label starts so
DIRECTED = "directed"  # a source's kind: its sentence asking for a change names the target (no cue)
NEW_PAYEE = "payee_changed"  # a source's kind: it announced that its payee's bank details changed, and the target is an account
EXFILTRATED = "exfiltration"  # a source's kind: a value of it sent where instructions in another result asked

# A result in the record (a JSON-able list, checkpointed with the agent's state):
# [event_id, tool, target text, cue text (None: the target text), whether whole-line tokens count,
#  its targets (sorted; None until read), its cues ([flagged, kinds]; None until scored),
#  its part that carries the instructions ([text, its targets sorted]; None until asked; absent
#  from a record checkpointed before it was kept)]
TEXT, CUE, TOKENS, FOUND, SCORED, REGION = 2, 3, 4, 5, 6, 7
TOK, UNASKED = 1, 2  # bits of entry[TOKENS]: whole-line tokens count; the session's request, when it came, asked for no change


def whole_tokens(entry: list) -> bool:
    return bool(entry[TOKENS] & TOK)  # (a bool in a record checkpointed before the bits)


def chars(entry: list) -> int:
    return len(entry[TEXT]) + len(entry[CUE] or "")


def targets(entry: list) -> list[str]:
    found = entry[FOUND]
    if found is None:
        found = entry[FOUND] = sorted(text_targets(entry[TEXT], whole_tokens(entry)))
    return found  # type: ignore[no-any-return]


def source(entry: list, t: str | None = None, copied: str | None = None, directed: set[str] | None = None) -> list:
    """The record target ``t`` (or text ``copied``) from this result keeps: [event_id, tool, carried
    instructions, cue kinds]. A result that carried instructions taints only what is in the part that
    carried them (``instruction_part``): the bill's own IBAN beside an injected paragraph is provenance.
    One that did not, but asked its reader for a change naming ``t`` (``directed_targets``: given when
    known), keeps the kind ``directed``, judged against the request (``InjectedTarget._judge``); an
    account from one that announced its payee's bank details changed keeps the kind ``payee_changed``."""
    scored = _scored(entry)
    injected = scored[0]
    if not injected and t is not None:
        if entry[1].startswith(DEFINED):
            if planted(entry[TEXT], t):
                return [entry[0], entry[1], False, scored[1] + ["planted"]]
        elif entry[TOKENS] & UNASKED and t in (directed if directed is not None else directed_targets(entry[TEXT])):
            return [entry[0], entry[1], False, scored[1] + [DIRECTED]]
        elif is_account(t) and announces_new_payee(entry[TEXT]):
            return [entry[0], entry[1], False, scored[1] + [NEW_PAYEE]]
    if injected and (t is not None or copied is not None):
        part = _part(entry)
        injected = (t in part[1]) if t is not None else (copied in part[0])
    return [entry[0], entry[1], injected, scored[1]]


def _scored(entry: list) -> list:
    scored = entry[SCORED]
    if scored is None:
        score, kinds = injection_cues(entry[CUE] if entry[CUE] is not None else entry[TEXT])
        scored = entry[SCORED] = [score >= CUE_THRESHOLD, kinds]
    return scored  # type: ignore[no-any-return]


def _part(entry: list) -> list:
    """[the part of a result that carried instructions, its targets], kept in the entry once asked."""
    if len(entry) <= REGION:
        entry.append(None)
    part = entry[REGION]
    if part is None:
        text = instruction_part(entry[TEXT], whole_tokens(entry))
        part = entry[REGION] = [entry[TEXT], targets(entry)] if text is None else \
            [text, sorted(text_targets(text, whole_tokens(entry)))]
    return part  # type: ignore[no-any-return]


def rank(src: list) -> tuple[bool, bool]:
    """A source judged before another: one that carried instructions, then one asking for a change or
    announcing a payee's new bank details."""
    return src[2], DIRECTED in src[3] or NEW_PAYEE in src[3]


def first_in_record(record: list[list], t: str) -> list | None:
    """The source of ``t`` in the first result of the record holding it, or None; a text that
    cannot hold it (``may_hold``) is not read."""
    for e in record:
        found = e[FOUND]
        if found is None:
            if not may_hold(e[TEXT], t):
                continue
            found = targets(e)
        if t in found:
            return source(e, t)
    return None


def copied(args: dict[str, Any], record: list[list], asked: str, intent_text: str) -> tuple[str, str, list] | None:
    """(argument, value, source) of a short text argument with no target in it, found word for word in
    a result of the record that carried instructions aimed at the agent, the first result holding it;
    not one the request or the intent says."""
    lowest, highest = _VERBATIM
    targeted = {n for n, _ in argument_targets(args)}  # judged as targets already
    for name, v in itertools.islice(args.items(), _COPIED_ARGS):
        if not isinstance(v, str) or name in targeted:
            continue
        value = v.strip()
        if not lowest <= len(value) <= highest or "\n" in value or _NAMES_NOTHING.fullmatch(value):
            continue
        low = value.lower()
        if low in asked or low in intent_text:
            continue
        for e in record:
            if value in e[TEXT]:  # word for word, case and all
                src = source(e, copied=value)
                if src[2]:
                    return name, value, src
                break  # a result with no instructions gave it first
    return None


def steered(record: list[list], verbs: list[str], words: list[str], names: list[str], places: list[str]) -> tuple[str, list] | None:
    """(verb, source) of the latest result of the record asking for a call of one of ``verbs`` (a call
    with no target: ``read_call``), or asking in so many words for one of the call's own ``words``
    (``read_call``): in the part that carried instructions aimed at the agent, or, in a result that
    came while the request asked for no change, in a sentence asking its reader for a change (one naming
    what the call acts on when it has ``places``: ``read_call``), any sentence's "please ..." for the
    words, or a sentence naming the call's ``names`` in other words (``named_change``; not its places,
    which the files and tools' output a coding agent reads name in advice it follows: "run `npm audit
    fix`"). Tool definitions are not read: a description names its own tool's verbs."""
    for i in range(len(record) - 1, -1, -1):  # (not reversed(): mypyc fails on it over a list of lists)
        e = record[i]
        low = e[TEXT].lower()
        if e[1].startswith(DEFINED) or not (any(v in low for v in verbs) or any(w in low for w in words) or
                                            any(t in low for t in names)):
            continue
        scored = _scored(e)
        if scored[0]:
            verb = asked_for(_part(e)[0], verbs, words)
            kinds = scored[1]
        elif e[TOKENS] & UNASKED:
            verb = asked_in(directives(e[TEXT]), verbs, names + places if places else []) or asked_for(e[TEXT], [], words) \
                or named_change(e[TEXT], verbs, names + places, names)
            kinds = scored[1] + ["unrequested_change"]
        else:
            continue
        if verb is not None:
            return verb, [e[0], e[1], True, kinds]
    return None


# A value worth stealing in what a call sends: a card's or an account's digits (8 or more, in groups),
# an identifier of capitals and digits (a passport, a licence, a reference: HGK137803).
_SECRET = re.compile(r"(?<![\w-])(?:\d[ -]?){7,18}\d(?![\w-])|(?<!\w)(?=[A-Z0-9]{6,14}(?!\w))[A-Z0-9]*[A-Z][A-Z0-9]*\d[A-Z0-9]*(?!\w)")
_LABEL = re.compile(r"[a-z]{2,}")
_SENDING = re.compile(r"\b(send|e-?mail|mail|forward|share|post|tell|give|write|include|reply)\b")


def _label(text: str, at: int) -> str:
    """The last two words before ``at`` on its line, lower case ("Passport Number: " -> "passport number")."""
    return " ".join(_LABEL.findall(text[max(0, text.rfind("\n", 0, at) + 1, at - 40):at].lower())[-2:])


def exfiltrated(args: dict[str, Any], record: list[list], asked: str, intent_text: str) -> tuple[str, str, list] | None:
    """(argument, value, source) of a value a call sends (a card's or an account's digits, a passport's
    reference) that a plain result of the record gave, under a label (the call's words before it, or the
    result's: "Passport Number: HGK137803") that instructions aimed at the agent in another result ask to
    send ("send my passport number ... to"); not a value, nor a label, the request or the intent says. The source is the value's result, with the instructing result's cue kinds, ``exfiltration``
    and its tool (AgentDojo's travel injection: the user's own wife's address, his documents in the body)."""
    for name, v in itertools.islice(args.items(), _COPIED_ARGS):
        if not isinstance(v, str):
            continue
        for m in itertools.islice(_SECRET.finditer(v[:4000]), 16):
            value = m.group(0)
            if value.lower() in asked or value.lower() in intent_text:
                continue
            for e in record:
                at = e[TEXT].find(value)
                if at < 0:
                    continue
                labels = {lb for lb in (_label(v, m.start()), _label(e[TEXT], at)) if lb}
                if not labels or any(lb in asked for lb in labels) or _scored(e)[0]:
                    break  # (the first result holding it is its source; a value instructions gave is no one's data)
                for i in record:  # (scored only where a label is: a result is read for cues when it matters)
                    low = i[TEXT].lower()
                    if i is e or i[1].startswith(DEFINED) or not any(lb in low for lb in labels) or not _scored(i)[0]:
                        continue
                    part = _part(i)[0].lower()
                    if any(lb in part for lb in labels) and _SENDING.search(part) is not None:
                        return name, value, [e[0], e[1], True, _scored(i)[1] + [EXFILTRATED], i[1]]
                break
    return None

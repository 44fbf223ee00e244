"""The injected-target detector's cheap paths find exactly what the plain definitions find:
the cue pre-test, the target scan with impossible kinds left out, and one scan of a result's
values joined (issue 15's cost). Random texts built from the characters and words the patterns
turn on, non-ASCII letters that ignoring case folds onto ASCII ones among them."""

import random
import re

from intentwatch.pipeline.engine.detectors import injection_cues as cues
from intentwatch.pipeline.engine.detectors import injection_text as inj
from tests.data.injection_texts import BENIGN, DECLARATIVE, INJECTIONS

ATOMS = list("aZeKs09 .-_@:/#<[\n\t,;!?%+") + [
    "\u212a", "\u017f", "\u0130", "\u0131", "é", "１", "http://", "HTTPS://", "ftp://", "@evil.io", "DE89", "3704", "0044",
    "ignore", "previous", "instructions", "system", "assistant", "AI", " ai ", "note", "Dear", "task", "please", "send",
    "12345678", "192.168.", "1.2", "f-", "INV_", "doc_17", "TODO:", "<INFORMATION>", "[INST]", "## system", "user@x.io",
    "www.x.com", " the user asked", "ta\u212a", "\u017fy\u017ftem", "+1 ", "+44 (0)", "(555) ", "123-4567", "555.", "1-800-"]

# Every kind in one pass, as the detector scanned before kinds were left out.
_FULL = re.compile("|".join(f"(?P<{k}>{'(?i:' + r.pattern + ')' if r.flags & re.I else r.pattern})" for k, r in inj._KINDS))


def _text(rnd: random.Random) -> str:
    return "".join(rnd.choice(ATOMS) for _ in range(rnd.randint(0, 30))) * rnd.randint(1, 3)


def _value(rnd: random.Random, depth: int = 0):
    x = rnd.random()
    if depth < 3 and x < 0.2:
        return [_value(rnd, depth + 1) for _ in range(rnd.randint(0, 4))]
    if depth < 3 and x < 0.35:
        return {f"k{i}": _value(rnd, depth + 1) for i in range(rnd.randint(0, 4))}
    if x < 0.45:
        return rnd.choice([True, False, None, rnd.randint(-10**12, 10**20), rnd.random() * 1e9, 1e-05])
    return _text(rnd)


def _full_pass(text: str) -> set[str]:
    """The matches of the full pattern, each normalised as ``_scan`` normalises its own."""
    out: set[str] = set()
    for m in _FULL.finditer(text[:inj._TEXT_LIMIT]):
        inj._add_target(out, m.lastgroup, m.group(0))
    return out | {r.lower() for r in inj._ID_REF.findall(text[:inj._TEXT_LIMIT]) if re.search(r"\d", r)}  # ids named in prose


def test_strong_pretest_equals_the_pattern():
    rnd = random.Random(1)
    texts = [_text(rnd) for _ in range(3000)] + INJECTIONS + DECLARATIVE + BENIGN + ["TA\u212aE OVER", "\u017fystem"]
    assert sum(cues._strong(t) for t in texts) > 1000  # the texts reach both answers
    for t in texts:
        assert cues._strong(t) == (cues._STRONG.search(t) is not None), t
    # Every alternative of _STRONG is a plain word or in _STRONG_REST.
    assert set(cues._STRONG.pattern.split("|")) == set(cues._STRONG_WORDS) | set(cues._STRONG_REST.pattern.split("|"))


def test_scan_with_kinds_left_out_equals_the_full_pass():
    rnd = random.Random(2)
    texts = [_text(rnd) for _ in range(3000)] + INJECTIONS + DECLARATIVE + BENIGN
    assert sum(bool(inj.targets_in_text(t)) for t in texts) > 1000
    for t in texts:
        assert inj.targets_in_text(t) == _full_pass(t), t


def test_joined_result_scan_equals_one_scan_per_value():
    rnd = random.Random(3)
    found = 0
    for _ in range(3000):
        v = _value(rnd)
        one_by_one: set[str] = set()
        for leaf in ([v] if isinstance(v, str) else inj.leaves(v)):
            one_by_one |= inj._value_targets(leaf)
        joined = inj.text_targets(inj._joined([v] if isinstance(v, str) else inj.leaves(v)), True)
        assert joined == one_by_one, v
        found += bool(joined)
    assert found > 1000

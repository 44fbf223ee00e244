"""What the task's request asks of the agent, for the injected-target detector (``injection.py``): a
change (``asks_change``), or only to be shown or told (``asks_to_read``). A result that steers the agent
is judged against it: a change the request never asked for is the result's. English here; a sentence in
German, French, Spanish, Italian or Portuguese is judged by ``injection_languages``. Compiled with the
detectors (setup.py)."""

import re

from intentwatch.pipeline.engine.detectors import injection_languages as languages
from intentwatch.pipeline.engine.detectors.injection_cues import AMBIGUOUS, CHANGE, NOUNS_TOO, SENTENCES

# A request asking for a change, or handing the agent instructions to carry out ("do the tasks on my
# list", "handle", "follow", "take care of", "deal with", "go with it"). Words that are nouns as often
# as verbs (an e-mail, a message, a call), verbs of telling ("tell Bob", "let Sara know", "ping the
# landlord"; not "tell me") and of keeping ("keep it in my contacts", "save", "note it down") count where
# an imperative stands: first in a sentence, or after "please", "and", "then", "also", "to", "you" or a comma.
_ASKS = re.compile(r"\b(?!(" + AMBIGUOUS + "|" + NOUNS_TOO + r")(e?[ds]|ing)?\b)" + CHANGE + r"(e?[ds]|ing)?\b|"
                   r"(^|\b(please|kindly|and|then|also|to|you|u|me|us)\b|[,;:]|[.!?](?=\s))\s*((" + AMBIGUOUS + "|" + NOUNS_TOO +
                   r")\b(?<!give)|(give|report|tell|inform|ping|remind|nudge|chase|loop|rsvp|cc|let|keep|save|store|bookmark|note|jot)\b"
                   r"(?!\s+(me|us)\b))|"
                   r"\btake\s+care\b|\bdeal\s+with\b|"
                   r"\bgo\s+(ahead|with)\b|\bsort\s+out\b|\bget\s+\w+\s+(onto|into|on|added|booked|done|sent|paid|fixed)\b", re.I | re.M)


# A question about what happened or is ("What did HR send?", "Why did the deploy not trigger?"): its verb of
# change is what it asks about, not what it asks for; not one asking the agent to act ("what can you send
# Bob?", "how about you pay it?", "why don't you ...").
_WH_QUESTION = re.compile(r"^\W*(what|what's|whats|why|who|who's|when|where|which|how|whose)\b(?!\s+(about|if)\b)"
                          r"(?!\s+(don't|not|do\s+not)\b)(?!.*\b(can|could|would|will|should)\s+(you|u)\b)[^?]*\?\s*$", re.I)


def asks_change(request: str) -> bool:
    """Whether a request asks for a change or hands the agent instructions to carry out.

    >>> [asks_change(r) for r in ("Can you read my latest email from Amy?", "How many unread emails do I have?",
    ...                           "Pay the bill in my documents", "Can you email Sara the slides?", "Do the tasks on my list")]
    [False, False, True, True, True]
    >>> [asks_change(r) for r in ("What did HR send about the holidays?", "Why did the deploy not trigger?", "What can you send Bob?")]
    [False, False, True]
    >>> asks_change("Thanks. Email Bob the deck.")
    True
    """
    return asks(request)[0]


# A request that only asks to read: each of its sentences a question ("who is on my calendar?"; not "could you
# get this to Priya?") or asks to be shown or told something ("summarise the reply from legal"). One that is
# neither ("let Bob know I'm late", "I need the deck with Dana by Monday") is not taken for one; a greeting
# or thanks on its own asks nothing.
_READ_VERB = r"(show|list|find|check|look|see|read|summari[sz]e|sum\s+up|tell\s+me|give\s+me|get\s+me|fetch|pull\s+up|search|" \
             r"explain|compare|count|describe|review|display|retrieve|go\s+through|scan|calculate|figure\s+out|" \
             r"let\s+me\s+know|(I'd|I\s+would)\s+like\s+to\s+(know|see)|I\s+want\s+to\s+(know|see)|what|what's|whats|" \
             r"who|who's|when|where|which|why|how|whose|is|are|was|were|do|does|did|has|have|had|am|any|isn't|aren't|" \
             r"wasn't|didn't|hasn't|haven't)"
_READS = re.compile(r"^\W*((hey|hi|ok|okay|so|also|and|then|now|quick\s+question)[,!:]?\s+)*((please|kindly|pls)\s+)?"
                    r"((can|could|would|will)\s+(you|u)\s+(please\s+)?)?" + _READ_VERB + r"\b", re.I)


def asks_to_read(request: str) -> bool:
    """Whether a request asks for no change and each of its sentences asks only to be shown or told.

    >>> [asks_to_read(r) for r in ("Who is on my calendar today?", "Summarise my inbox.", "let Bob know I'm late",
    ...                            "could you get this to Priya?", "Pay the bill in my documents")]
    [True, True, False, False, False]
    """
    return asks(request)[1]


def asks(request: str) -> tuple[bool, bool]:
    """(``asks_change``, ``asks_to_read``) of a request, each sentence judged once."""
    english = _ASKS.search(request) is not None  # a sentence's start counts in it too: it passes what a sentence would
    reads, parts = True, False
    for s in SENTENCES.split(request):
        if not s.strip():
            continue
        judged = languages.judge(s)
        if judged == languages.CHANGE or (judged is None and english and _ASKS.search(s) is not None
                                          and _WH_QUESTION.search(s) is None):
            return True, False
        if reads and not languages.courtesy(s):  # ("Thanks. What did Bob send?")
            parts = True
            reads = judged == languages.READ if judged is not None else _READS.search(s) is not None
    return False, parts and reads

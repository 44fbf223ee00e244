"""Call ids a model gives again (messages.py's ``Calls``): tau-bench's recorded GPT-4o runs give one id
to several calls of a task (a search, the next search, the booking). Each such call is its own,
``<id>#<n>`` for the id's n-th use, so it becomes its own action (before, the second was a dead letter,
``conflicting_duplicate``); an answer carrying the id answers the oldest unanswered call of it. An id
given again with the tool and arguments of its last call is that call shown again (a Bedrock
invocation log repeats the conversation so far in every record), not a new one.

Span ids another trace gives again (``SpanIds``): a span id need only be unique within its trace, and a
recorder that numbers each trace's spans from one gives every trace the same ids. A span's action
is its span id; an agent's span whose id an earlier trace already used is ``<trace id>:<span id>``
(before, the second trace's actions were dead letters, ``conflicting_duplicate``). The same trace
sent again keeps its ids, so a batch the Collector retries is still a duplicate. Only a counter's ids
are remembered (under 2^32: eight leading zeros, which a random 64-bit id has once in four billion),
so a stream of random ids costs no memory.
"""

from typing import Any, Final

MAX_IDS: Final = 4096  # ids remembered per conversation (the oldest go first)
MAX_SPANS: Final = 65_536  # (agent, counted span id) pairs remembered with their trace (the oldest go first)


class CallIds:
    """The ids a conversation's calls were given: each id's uses, and its latest call's tool and arguments.

    >>> ids = CallIds()
    >>> ids.key("call_1", "search", {"q": "a"}), ids.key("call_1", "search", {"q": "a"}), ids.key("call_1", "book", {})
    ('call_1', None, 'call_1#2')
    >>> ids.answering("call_1", {"call_1": 0, "call_1#2": 0}, {"call_1": "ok"})
    'call_1#2'
    """

    __slots__ = ("_uses",)

    def __init__(self) -> None:
        self._uses: dict[str, tuple[int, Any, Any]] = {}

    def key(self, cid: str, name: Any, args: Any) -> str | None:
        """The key of a call asked under ``cid``; None: its last call shown again."""
        used = self._uses.get(cid)
        if used is None:
            if len(self._uses) >= MAX_IDS:
                del self._uses[next(iter(self._uses))]
            self._uses[cid] = (1, name, args)
            return cid
        if used[1] == name and used[2] == args:
            return None
        self._uses[cid] = (used[0] + 1, name, args)
        return f"{cid}#{used[0] + 1}"

    def answering(self, cid: str, asked: dict[str, Any], answered: dict[str, Any]) -> str:
        """The key of the call an answer carrying ``cid`` answers: the oldest of its uses asked and not answered."""
        used = self._uses.get(cid)
        if used is None or used[0] == 1:
            return cid
        uses = [cid, *(f"{cid}#{n}" for n in range(2, used[0] + 1))]
        return next((k for k in uses if k in asked and k not in answered), uses[-1])


class SpanIds:
    """The trace each agent's counted span ids were first seen in.

    >>> ids, one = SpanIds(), "0000000000000001"
    >>> ids.event_id("a", one, "t1"), ids.event_id("a", one, "t1"), ids.event_id("a", one, "t2"), ids.event_id("b", one, "t2")
    ('0000000000000001', '0000000000000001', 't2:0000000000000001', '0000000000000001')
    >>> ids.event_id("a", "9f1c2a7e5b3d4c60", "t1"), ids.event_id("a", "9f1c2a7e5b3d4c60", "t2")  # random: not remembered
    ('9f1c2a7e5b3d4c60', '9f1c2a7e5b3d4c60')
    """

    __slots__ = ("_first",)

    def __init__(self) -> None:
        self._first: dict[tuple[str, str], str] = {}

    def event_id(self, agent: str, span_id: str, trace_id: str) -> str:
        if not span_id.startswith("00000000"):
            return span_id
        first = self._first.get((agent, span_id))
        if first is None:
            if len(self._first) >= MAX_SPANS:
                del self._first[next(iter(self._first))]
            self._first[(agent, span_id)] = trace_id
            return span_id
        return span_id if first == trace_id else f"{trace_id}:{span_id}"

"""Reading one JSON array item by item from its text, for documents too large to hold parsed whole."""

import json
import re
from collections.abc import Iterator
from typing import Any, Final

from .libs import JSONDecodeError, loads, no_lone_surrogates

_DECODER: Final = json.JSONDecoder()
_SYNTAX: Final = re.compile(r'["{}\[\]]')
_STRING_REST: Final = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.S)
KEPT_CHARS: Final = 65536  # of a bad item's text
TOO_DEEP: Final = "a record nested deeper than JSON readers follow"


class Unreadable:
    """An item no JSON reader takes though its brackets close: nested deeper than they follow
    (orjson stops at 1,024 levels, the stdlib's scanner overflows the stack), or a number of more
    digits than Python converts (4,300). A bad record: why, and the start of its text."""

    def __init__(self, text: str, why: str) -> None:
        self.text = text
        self.why = why


def unreadable(e: Exception) -> str:
    return TOO_DEEP if isinstance(e, RecursionError) else f"a record JSON readers refuse: {e}"


def array_items(text: str, pos: int) -> Iterator[tuple[int, int, Any]]:
    """(start, end, value) of each item of the JSON array whose items begin at ``pos``, up to its
    closing bracket (json.JSONDecodeError where one breaks: the stdlib's scanner parses from a place).
    An object or array no reader takes is an Unreadable, and reading goes on after its closing bracket."""
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= n or text[pos] == "]":
            if pos >= n:
                raise json.JSONDecodeError("the array is not closed", text, pos)
            return
        try:
            item, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as e:  # (ValueError: a number past the int digits limit)
            closed = closing(text, pos, e)
            if closed is None:
                raise json.JSONDecodeError(f"{unreadable(e)}, never closed", text, pos) from None
            item, end = Unreadable(text[pos:min(closed, pos + KEPT_CHARS)], unreadable(e)), closed
        yield pos, end, item
        pos = end


def closing(text: str, pos: int, e: Exception) -> int | None:
    """Where the object or array at ``pos`` ends when the stdlib's reader refused it (``e``) though it is
    well formed (too deep; a number of too many digits); None when it is broken or never closes."""
    if isinstance(e, json.JSONDecodeError) or text[pos] not in "{[":
        return None
    return _value_end(text, pos)


def parsed_again(text: str, begin: int, end: int) -> Any:
    """The item at text[begin:end] parsed as a whole document's would be (orjson; the stdlib's for what
    orjson refuses; an Unreadable for what neither takes)."""
    try:
        return loads(text[begin:end])
    except JSONDecodeError:
        try:
            return no_lone_surrogates(json.loads(text[begin:end]), text, begin, end)
        except (RecursionError, ValueError) as e:
            return Unreadable(text[begin:min(end, begin + KEPT_CHARS)], unreadable(e))


def _value_end(text: str, pos: int) -> int | None:
    """Just past the bracket that closes the object or array opening at ``pos`` (strings skipped,
    nesting counted without recursion), or None if it never closes."""
    depth = 0
    m = _SYNTAX.search(text, pos)
    while m is not None:
        i = m.end()
        c = m.group()
        if c == '"':
            rest = _STRING_REST.match(text, i)
            if rest is None:
                return None
            i = rest.end()
        elif c == "{" or c == "[":
            depth += 1
        else:
            depth -= 1
            if depth <= 0:
                return i
        m = _SYNTAX.search(text, i)
    return None

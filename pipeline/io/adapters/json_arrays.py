"""Reading one JSON array item by item from its text, for documents too large to hold parsed whole."""

import json
import re
from collections.abc import Iterator
from typing import Any, Final

from .libs import JSONDecodeError, loads

_DECODER: Final = json.JSONDecoder()
_SYNTAX: Final = re.compile(r'["{}\[\]]')
_STRING_REST: Final = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.S)
KEPT_CHARS: Final = 65536  # of a bad item's text


class TooDeep:
    """An item nested deeper than the JSON readers follow (orjson stops at 1,024 levels, the stdlib's
    scanner overflows the stack): a bad record, with the start of its text."""

    def __init__(self, text: str) -> None:
        self.text = text


def array_items(text: str, pos: int) -> Iterator[tuple[int, int, Any]]:
    """(start, end, value) of each item of the JSON array whose items begin at ``pos``, up to its
    closing bracket (json.JSONDecodeError where one breaks: the stdlib's scanner parses from a place).
    An item too deep to parse is a TooDeep, and reading goes on after its closing bracket."""
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
        except RecursionError:
            closed = _value_end(text, pos)
            if closed is None:
                raise json.JSONDecodeError("a value nested deeper than the JSON reader allows, never closed",
                                           text, pos) from None
            item, end = TooDeep(text[pos:min(closed, pos + KEPT_CHARS)]), closed
        yield pos, end, item
        pos = end


def parsed_again(text: str, begin: int, end: int) -> Any:
    """The item at text[begin:end] parsed as a whole document's would be (orjson; the stdlib's for what
    orjson refuses; a TooDeep for what neither follows)."""
    try:
        return loads(text[begin:end])
    except JSONDecodeError:
        try:
            return json.loads(text[begin:end])
        except RecursionError:
            return TooDeep(text[begin:min(end, begin + KEPT_CHARS)])


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

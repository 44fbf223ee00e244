"""Reading one JSON array item by item from its text, for documents too large to hold parsed whole."""

import json
from collections.abc import Iterator
from typing import Any, Final

from .libs import JSONDecodeError, loads

_DECODER: Final = json.JSONDecoder()


def array_items(text: str, pos: int) -> Iterator[tuple[int, int, Any]]:
    """(start, end, value) of each item of the JSON array whose items begin at ``pos``, up to its
    closing bracket (json.JSONDecodeError where one breaks: the stdlib's scanner parses from a place)."""
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
        except RecursionError:  # (orjson refuses past 1,024 levels; the stdlib's scanner overflows the stack)
            raise json.JSONDecodeError("a value nested deeper than the JSON reader allows", text, pos) from None
        yield pos, end, item
        pos = end


def parsed_again(text: str, begin: int, end: int) -> Any:
    """The item at text[begin:end] parsed as a whole document's would be (orjson; the stdlib's for what orjson refuses)."""
    try:
        return loads(text[begin:end])
    except JSONDecodeError:
        return json.loads(text[begin:end])

"""What orjson writes, for every writer of actions, alerts and states: integers within 64 bits (from
the signed low end to the unsigned high end) and text without a lone surrogate. The stdlib's JSON
reader and Python literals let both in; the adapters keep such values out of actions, and an agent's
state holding one is stored made writable (eviction.py)."""

from typing import Any, Final

INT_LOW: Final = -(1 << 63)
INT_END: Final = 1 << 64  # (exclusive)


def writable_int(n: int) -> bool:
    return INT_LOW <= n < INT_END


def writable_text(text: str) -> bool:
    """Whether a text holds no lone surrogate (UTF-8 has none, so no encoder writes one)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def text_made_writable(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD."""
    return text if writable_text(text) else text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def plain(v: Any, depth: int = 0, max_depth: int = 32) -> bool:
    """Only what JSON holds and orjson writes: no tuple, no integer past 64 bits, no lone surrogate, no
    nesting past ``max_depth``."""
    if depth > max_depth:
        return False
    t = type(v)
    if t is dict:
        return all(type(k) is str and plain(x, depth + 1, max_depth) for k, x in v.items())
    if t is list:
        return all(plain(x, depth + 1, max_depth) for x in v)
    if t is int:
        return writable_int(v)
    if t is str:
        return writable_text(v)
    return v is None or t is float or t is bool

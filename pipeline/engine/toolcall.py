"""A tool call's arguments and result, as an action carries them.

Adapters put them in ``attributes["arguments"]`` and ``attributes["result"]`` (the OTel GenAI
``gen_ai.tool.call.arguments`` / ``.result``, CloudTrail's ``requestParameters``); either may
be an object or a JSON string. A native producer may use the same keys. Parsing happens once
per action: every detector asking about the same action gets the same parsed value.
"""

from typing import Any

import orjson

from intentwatch.models.action import Action

MAX_LEAVES = 256  # values read from one argument path or one result (bounds the work per action)


class _Memo:
    """The last action asked about and its parsed parts (detectors run one action at a time)."""

    __slots__ = ("action", "arguments", "result")

    def __init__(self) -> None:
        self.action: Action | None = None
        self.arguments: Any = None
        self.result: Any = None


_memo = _Memo()


def _parse(value: Any) -> Any:
    if isinstance(value, (str, bytes)):
        text = value.strip() if isinstance(value, str) else value
        if text[:1] in ("{", "[", b"{", b"["):
            try:
                return orjson.loads(text)
            except orjson.JSONDecodeError:
                return value
    return value


def _load(action: Action) -> _Memo:
    if _memo.action is not action:
        attrs = action.attributes
        args = attrs.get("arguments")
        if args is None:
            args = attrs.get("requestParameters")
        _memo.arguments = _parse(args) if args is not None else None
        res = attrs.get("result")
        _memo.result = _parse(res) if res is not None else None
        _memo.action = action
    return _memo


def arguments(action: Action) -> dict[str, Any] | None:
    """The call's arguments as a mapping, or None when the action carries none (or not a mapping)."""
    if not action.attributes:
        return None
    args = _load(action).arguments
    return args if isinstance(args, dict) else None


def result(action: Action) -> Any:
    """The call's result (an object, a list or text), or None."""
    if not action.attributes:
        return None
    return _load(action).result


def nodes_at(args: dict[str, Any], path: tuple[str, ...]) -> list[Any] | None:
    """The values at a dotted path as they are (objects too; lists walked element by element); None if absent."""
    nodes: list[Any] = [args]
    for key in path:
        nxt: list[Any] = []
        for n in nodes:
            if isinstance(n, dict) and key in n:
                v = n[key]
                nxt += v if isinstance(v, list) else [v]
            elif isinstance(n, list):
                nxt += [e[key] for e in n if isinstance(e, dict) and key in e]
        if not nxt:
            return None
        nodes = nxt[:MAX_LEAVES]
    return nodes


def at_path(args: dict[str, Any], path: tuple[str, ...]) -> list[Any] | None:
    """The scalar values at a dotted path (lists are walked element by element); None if absent.

    >>> at_path({"to": ["a@x.io", "b@y.io"], "payee": {"iban": "DE89"}}, ("to",))
    ['a@x.io', 'b@y.io']
    >>> at_path({"payee": {"iban": "DE89"}}, ("payee", "iban")), at_path({"payee": {}}, ("payee", "iban"))
    (['DE89'], None)
    """
    nodes = nodes_at(args, path)
    return leaves(nodes) if nodes is not None else None


def leaves(value: Any, limit: int = MAX_LEAVES) -> list[Any]:
    """The scalar values (str, int, float, bool) inside ``value``, depth first, at most ``limit``."""
    out: list[Any] = []
    stack = [value]
    while stack and len(out) < limit:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
        elif v is not None:
            out.append(v)
    return out

"""Values inside a tool call's parsed arguments or result (``toolcall.py`` parses them): at a
dotted path, or every scalar. Compiled with the engine (setup.py): detectors read every call's."""

from typing import Any

MAX_LEAVES = 256  # values read from one argument path or one result (bounds the work per action)


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
            stack.extend(reversed(v.values()))
        elif isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
        elif v is not None:
            out.append(v)
    return out

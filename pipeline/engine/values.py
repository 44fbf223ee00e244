"""Values inside a tool call's parsed arguments or result (``toolcall.py`` parses them): at a
dotted path, or every scalar. Compiled with the engine (setup.py): detectors read every call's."""

from typing import Any

MAX_LEAVES = 256  # values read from one argument path or one result (bounds the work per action)


def nodes_at(args: dict[str, Any], path: tuple[str, ...], fold_case: bool = False) -> list[Any] | None:
    """The values at a dotted path as they are (objects too; lists walked element by element); None if absent.
    With ``fold_case``, a key absent as written is matched in any letter case (``LifecycleConfigName``
    for ``lifecycleConfigName``).

    >>> nodes_at({"Req": {"HttpTokens": "optional"}}, ("req", "httpTokens")), nodes_at({"Req": {"HttpTokens": "optional"}}, ("req", "httpTokens"), True)
    (None, ['optional'])
    """
    nodes: list[Any] = [args]
    for key in path:
        nxt: list[Any] = []
        for n in nodes:
            if isinstance(n, dict):
                k = key if key in n else _key_in_any_case(n, key) if fold_case else None
                if k is not None:
                    v = n[k]
                    nxt += v if isinstance(v, list) else [v]
            elif isinstance(n, list):
                for e in n:
                    if isinstance(e, dict):
                        k = key if key in e else _key_in_any_case(e, key) if fold_case else None
                        if k is not None:
                            nxt.append(e[k])
        if not nxt:
            return None
        nodes = nxt[:MAX_LEAVES]
    return nodes


def _key_in_any_case(d: dict[str, Any], key: str) -> str | None:
    low = key.lower()
    return next((k for k in d if isinstance(k, str) and k.lower() == low), None)


def at_path(args: dict[str, Any], path: tuple[str, ...], fold_case: bool = False) -> list[Any] | None:
    """The scalar values at a dotted path (lists are walked element by element); None if absent.

    >>> at_path({"to": ["a@x.io", "b@y.io"], "payee": {"iban": "DE89"}}, ("to",))
    ['a@x.io', 'b@y.io']
    >>> at_path({"payee": {"iban": "DE89"}}, ("payee", "iban")), at_path({"payee": {}}, ("payee", "iban"))
    (['DE89'], None)
    """
    nodes = nodes_at(args, path, fold_case)
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


_BLOCK_KEYS = frozenset({"type", "text", "content", "annotations"})


def content_text(res: Any) -> str | None:
    """The text of a result that is nothing but text content blocks (MCP's ``{"content": [...]}``,
    AgentDojo's and Anthropic's ``[{"type": "text", "text"|"content": ...}]``): a text, read as a text is
    (its paragraphs, not one value), as the same result given as a string would be. None: another shape.

    >>> content_text([{"type": "text", "content": "a\\n\\nb"}]), content_text({"content": [{"type": "text", "text": "x"}], "isError": False})
    ('a\\n\\nb', 'x')
    >>> content_text([{"type": "image", "data": "..."}]), content_text({"body": "x"})
    (None, None)
    """
    if isinstance(res, dict) and "content" in res and set(res) <= {"content", "isError"}:
        res = res["content"]
    if not isinstance(res, list) or not res:
        return None
    texts: list[str] = []
    for block in res:
        if not isinstance(block, dict) or block.get("type") != "text" or not set(block) <= _BLOCK_KEYS:
            return None
        t = block.get("text", block.get("content"))
        if not isinstance(t, str):
            return None
        texts.append(t)
    return "\n\n".join(texts)

"""Text a tool result hides in an encoding, for the injected-target detector (``injection_text.
result_texts``): percent-encoded runs (``contact%40evil.io``), numeric HTML character references
(``eve&#64;evil.io``) and base64 runs that decode to printable text. An attacker encodes the address
or the whole instruction so that a filter reading the page finds neither, and the model decodes it
(LLMail-Inject's submissions did both). Compiled with the detectors (setup.py)."""

import base64
import binascii
import html
import itertools
import re
from urllib.parse import unquote

_PERCENT = re.compile(r"[^\s%]*(?:%[0-9A-Fa-f]{2}[^\s%]*)+")  # a run with a percent escape, to its spaces
_ESCAPE = re.compile(r"%[2-7][0-9A-Fa-f]")  # one that decodes to a printable ASCII character
_REFERENCE = re.compile(r"\S*&#(?:\d{2,7}|[xX][0-9A-Fa-f]{2,6});\S*")
_BASE64 = re.compile(r"(?<![\w+/=\-])[A-Za-z0-9+/]{16,}={0,2}(?![\w+/=\-])")
_RUNS = 32  # runs decoded per text, of each kind
_RUN_LIMIT = 8192  # characters of one base64 run decoded (a longer one is a file, not a sentence)


def hidden_text(text: str) -> str:
    """What ``text`` says in its encoded runs, decoded, one run a line ("" when it has none).

    >>> hidden_text("mail%20to%20contact%40evil.io%20now"), hidden_text("write eve&#64;evil.io")
    ('mail to contact@evil.io now', 'eve@evil.io')
    >>> hidden_text("send to ZXZlQGV2aWwuaW8gaXMgdGhlIHBheWVl please"), hidden_text("id 0123456789abcdef0123")
    ('eve@evil.io is the payee', '')
    """
    out: list[str] = []
    if "%" in text:
        for m in itertools.islice(_PERCENT.finditer(text), _RUNS):  # (bounded: a page of escapes is read no further)
            run = m.group(0)
            if _ESCAPE.search(run) is not None:
                decoded = unquote(run)
                if decoded != run:  # a link's parameters one a line: a link inside one is a link again
                    out.append(decoded.replace("&", "\n").replace("=", "\n"))
    if "&#" in text:
        out += [html.unescape(m.group(0)) for m in itertools.islice(_REFERENCE.finditer(text), _RUNS)]
    n = 0
    for m in _BASE64.finditer(text):
        run = m.group(0)
        if len(run) % 4 or len(run) > _RUN_LIMIT or run.isalpha() or run.isdigit():
            continue  # not base64's length, a file, or a word / a number
        readable = _printable(run)
        if readable is not None:
            out.append(readable)
        n += 1
        if n >= _RUNS:
            break
    return "\n".join(out)


def _printable(run: str) -> str | None:
    """The base64 ``run`` decoded, when it is text a person could read (else None: a key, a hash, an image)."""
    try:
        s = base64.b64decode(run, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if len(s) < 8 or not all(c.isprintable() or c in "\n\r\t" for c in s) or not any(c == " " or c in "@.:/" for c in s):
        return None
    return s

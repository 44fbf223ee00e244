"""One root error, a subclass per area. Every input error says where and why."""


class IntentwatchError(Exception):
    """Root of every error intentwatch raises on purpose."""


class InputError(IntentwatchError):
    """A message or line that cannot become a contract.

    ``source`` says where it came from (``file:line`` or ``topic[partition]@offset``),
    ``reason`` says why, in one line; ``kind`` names the reason in a word, for counting
    (``too_large``, ``invalid_json``, ``invalid``, ``no_key``, ``key_mismatch``; refused by the
    engine: ``future``, ``conflicting_duplicate``, ``late``, ``pending_full``; ``failed``: handling it raised).
    """

    def __init__(self, source: str, reason: str, kind: str = "invalid"):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.kind = kind


class ManifestError(IntentwatchError):
    """An intent manifest that does not validate (file, field and reason)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class ConfigError(IntentwatchError):
    """A configuration file or rule catalogue that does not validate."""

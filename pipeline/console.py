"""The CLI's rich consoles: styled and fitted to a terminal, plain unwrapped lines elsewhere."""

from rich.console import Console

# Piped or captured output (CI logs, files, `| grep`) is read line by line, not at a width:
# rich's default of 80 columns would split a `file:line: reason` message over lines and fold
# ids in tables. Tables size to their content (they do not expand), so a wide console costs
# nothing; text prints unwrapped (soft_wrap).
PLAIN_WIDTH = 10_000


def console(stderr: bool = False, **kwargs) -> Console:
    """A console for stdout (or stderr): as rich sets it up on a terminal; anywhere else no
    colour codes, no wrapping and no folding."""
    on_terminal = Console(stderr=stderr, **kwargs)
    if on_terminal.is_terminal:
        return on_terminal
    return Console(stderr=stderr, soft_wrap=True, width=PLAIN_WIDTH, **kwargs)

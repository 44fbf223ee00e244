"""``python -m intentwatch.pipeline.cli``: the ``intentwatch`` command."""

from intentwatch.pipeline.cli import main

main()

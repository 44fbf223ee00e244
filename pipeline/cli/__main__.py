"""``python -m intentwatch.pipeline.cli``: the ``intentwatch`` command."""

from intentwatch.pipeline.cli import main

if __name__ == "__main__":  # importing it (the doctest collector does) runs nothing
    main()

"""The flow of intentwatch, as the data moves:

- ``engine/`` — the pure core: one event in, outputs out (detectors, state, rule catalogue,
  suppressions, response policy). No I/O, no clock.
- ``io/`` — the edges: codecs, input adapters, output formats, dead letters, Kafka, manifests.
- ``hosts/`` — what runs the engine: ``replay`` over files, ``worker`` on Kafka.
- ``cli/`` — the ``intentwatch`` command.
- ``lab/`` — the simulated fleet with labelled attacks, and its scoring.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("intentwatch")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

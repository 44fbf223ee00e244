"""A realistic simulated fleet of AI agents, with labelled attack scenarios.

``simulate_fleet(agents, days, seed, out)`` writes intent manifests, lifecycle events,
actions and labels into ``out/``; ``pipeline.lab.evaluate`` scores alerts against the labels.
"""

from intentwatch.pipeline.lab.simulate.fleet import DEFAULT_START, SHARES, allocate_kinds, simulate_fleet
from intentwatch.pipeline.lab.simulate.scenarios import ATTACK_KINDS, KIND_GROUP

__all__ = ["simulate_fleet", "allocate_kinds", "DEFAULT_START", "SHARES", "ATTACK_KINDS", "KIND_GROUP"]

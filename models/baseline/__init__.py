"""Per-agent behaviour baselines: online learners over one agent's own actions.

river-style: a learner takes a flat ``dict`` of features, ``learn_one(x)`` returns None,
``score_one(x)`` returns a float (higher is stranger), and its constructor arguments are
its whole configuration. Every learner is bounded in memory and has a JSON-able
``to_state()`` / ``from_state()`` that restores identical future scores. No I/O, no clock:
time comes from the events.

``AgentBaseline`` composes them for one agent; ``features(action)`` builds its input.
"""

from intentwatch.models.baseline.agent import AgentBaseline
from intentwatch.models.baseline.base import Learner
from intentwatch.models.baseline.categories import CategoryProfile
from intentwatch.models.baseline.divergence import ReferenceDivergence, js_divergence
from intentwatch.models.baseline.drift import DriftMonitor
from intentwatch.models.baseline.features import FEATURES, destination, epoch_seconds, features, resource_prefix
from intentwatch.models.baseline.hours import HourProfile
from intentwatch.models.baseline.rate import RateProfile
from intentwatch.models.baseline.reach import ReachShift
from intentwatch.models.baseline.scores import BehaviourScores
from intentwatch.models.baseline.seen import FirstSeen
from intentwatch.models.baseline.sources import SourceProfile, network_of
from intentwatch.models.baseline.volume import VolumeProfile

__all__ = [
    "AgentBaseline", "BehaviourScores", "CategoryProfile", "DriftMonitor", "FEATURES", "FirstSeen", "destination",
    "epoch_seconds", "HourProfile", "Learner", "RateProfile", "ReachShift", "ReferenceDivergence", "SourceProfile", "VolumeProfile",
    "features", "js_divergence", "network_of", "resource_prefix",
]

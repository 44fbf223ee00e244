"""The nouns of intentwatch: wire contracts (pydantic v2) and per-agent behaviour models.

Nothing in this package does I/O.
"""

from intentwatch.models.action import Action, ModelRef, Operation
from intentwatch.models.alert import Alert, Evidence, FrameworkRefs, Severity
from intentwatch.models.command import CommandAction, RevocationCommand
from intentwatch.models.errors import ConfigError, InputError, IntentwatchError, ManifestError
from intentwatch.models.intent import Allowed, IntentManifest, RateLimit, Schedule
from intentwatch.models.lifecycle import Decommission, Instantiate, LifecycleEvent, Update, LIFECYCLE_ADAPTER

__all__ = [
    "Action", "ModelRef", "Operation", "Alert", "Evidence", "FrameworkRefs", "Severity",
    "CommandAction", "RevocationCommand", "ConfigError", "InputError", "IntentwatchError",
    "ManifestError", "Allowed", "IntentManifest", "RateLimit", "Schedule", "Decommission",
    "Instantiate", "LifecycleEvent", "Update", "LIFECYCLE_ADAPTER",
]

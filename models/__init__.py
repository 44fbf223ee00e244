"""The nouns of intentwatch: wire contracts (pydantic v2) and per-agent behaviour models.

Nothing in this package does I/O.
"""

from models.action import Action, ModelRef, Operation
from models.alert import Alert, Evidence, FrameworkRefs, Severity
from models.command import CommandAction, RevocationCommand
from models.errors import ConfigError, InputError, IntentwatchError, ManifestError
from models.intent import Allowed, IntentManifest, RateLimit, Schedule
from models.lifecycle import Decommission, Instantiate, LifecycleEvent, Update, LIFECYCLE_ADAPTER

__all__ = [
    "Action", "ModelRef", "Operation", "Alert", "Evidence", "FrameworkRefs", "Severity",
    "CommandAction", "RevocationCommand", "ConfigError", "InputError", "IntentwatchError",
    "ManifestError", "Allowed", "IntentManifest", "RateLimit", "Schedule", "Decommission",
    "Instantiate", "LifecycleEvent", "Update", "LIFECYCLE_ADAPTER",
]

"""Detectors, one class per rule ``type``. ``REGISTRY`` is the one place a type resolves."""

from intentwatch.pipeline.engine.detectors.base import Detector, Finding
from intentwatch.pipeline.engine.detectors.cloud import (CloudOperation, IdentityTwoNetworks, InstanceNewClient,
                                                         InstanceOutsideProvider, SensitiveReadBurst)
from intentwatch.pipeline.engine.detectors.conformance import AllowedPattern, DeclaredCredential, DeclaredModel, RateLimit, Schedule
from intentwatch.pipeline.engine.detectors.injection import InjectedTarget
from intentwatch.pipeline.engine.detectors.lifecycle import Decommissioned, Expired, Unregistered
from intentwatch.pipeline.engine.detectors.tool_clauses import ArgumentAllowed, ArgumentBounds, ToolOperation, ToolResource

# Rules of type "engine" are raised by the engine itself (lifecycle events, expiry, the
# circuit breaker, suppressions), "learned" and "chain" by its learned side
# (pipeline/engine/behaviour.py), so none has a per-action detector.
REGISTRY: dict[str, type[Detector] | None] = {
    "unregistered": Unregistered,
    "decommissioned": Decommissioned,
    "expired": Expired,
    "allowed_pattern": AllowedPattern,
    "schedule": Schedule,
    "rate_limit": RateLimit,
    "declared_model": DeclaredModel,
    "declared_credential": DeclaredCredential,
    "tool_operation": ToolOperation,
    "tool_resource": ToolResource,
    "argument_allowed": ArgumentAllowed,
    "argument_bounds": ArgumentBounds,
    "cloud_operation": CloudOperation,
    "identity_two_networks": IdentityTwoNetworks,
    "instance_outside_provider": InstanceOutsideProvider,
    "instance_new_client": InstanceNewClient,
    "sensitive_read_burst": SensitiveReadBurst,
    "injected_target": InjectedTarget,
    "engine": None,
    "dormancy": None,  # a timer, not a per-action check: the engine runs detectors/dormancy.py
    "learned": None,
    "chain": None,
}

__all__ = ["Detector", "Finding", "REGISTRY"]

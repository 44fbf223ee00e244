"""Detectors, one class per rule ``type``. ``REGISTRY`` is the one place a type resolves: every
rule in ``pipeline/engine/rules.yaml`` names one of these types, and its thresholds are the
rule's ``params``.

- per action, against the manifest (``Detector``): ``conformance.py``, ``tool_clauses.py`` (per-tool
  clauses), ``lifecycle.py`` (gates); against the agent's definition's instances: ``definition.py``;
  every identity, registered or not: ``cloud.py`` (catalogue calls), ``cloud_identity.py``
  (instance credentials), ``cloud_bursts.py`` (refusals and discovery sweeps), ``offensive_client.py``
  (an attacker's toolbox in the user agent), ``root_credentials.py`` (the root user at work), all reading
  actions through ``cloud_calls.py``, as does ``human_use.py`` (an agent's identity at the AWS console,
  agents with a manifest only); ``injection.py`` (a call steered by a tool result), ``tool_pinning.py``
  (an offered tool's definition changed);
- raised by the engine (``Raised``): on manifest changes, refused control-plane changes and
  expiry (``lifecycle.py``), by the response policy and suppressions (``pipeline.py``); dormancy,
  a timer per agent (``dormancy.py``);
- per action, against the learned baseline (``LearnedDetector``, run by ``behaviour.py``):
  ``novelty.py``, ``volume.py``, ``rate.py``, ``drift.py``, ``expansion.py``, ``credentials.py``,
  ``chains.py``.
"""

from intentwatch.pipeline.engine.detectors.base import Detector, LearnedDetector, Raised
from intentwatch.pipeline.engine.detectors.chains import CapabilityChain
from intentwatch.pipeline.engine.detectors.cloud import CloudOperation, DistinctBurst
from intentwatch.pipeline.engine.detectors.cloud_bursts import DiscoveryBurst
from intentwatch.pipeline.engine.detectors.cloud_identity import (IdentityTwoNetworks, InstanceNewClient,
                                                                  InstanceOutsideProvider)
from intentwatch.pipeline.engine.detectors.conformance import (AllowedPattern, DeclaredCredential, DeclaredModel,
                                                               RateLimit, Schedule)
from intentwatch.pipeline.engine.detectors.credentials import (ConcurrentUse, NewSource, SharedCredential,
                                                               UsedAfterRevocation)
from intentwatch.pipeline.engine.detectors.definition import (DefinitionNewTarget, DefinitionNewTool, DefinitionVolume,
                                                              DefinitionWidened)
from intentwatch.pipeline.engine.detectors.dormancy import Dormancy
from intentwatch.pipeline.engine.detectors.drift import Drift, ReferenceDrift
from intentwatch.pipeline.engine.detectors.expansion import ScopeExpansion
from intentwatch.pipeline.engine.detectors.human_use import HumanUse
from intentwatch.pipeline.engine.detectors.injection import InjectedTarget
from intentwatch.pipeline.engine.detectors.lifecycle import (ChangeCheck, Decommissioned, Expired, ExpiryReached,
                                                             Ownerless, UnapprovedUpdate, UnauthorisedChange, Unregistered)
from intentwatch.pipeline.engine.detectors.novelty import Novelty
from intentwatch.pipeline.engine.detectors.offensive_client import OffensiveClient
from intentwatch.pipeline.engine.detectors.pipeline import CircuitBreaker, Suppressed
from intentwatch.pipeline.engine.detectors.root_credentials import RootCredentials
from intentwatch.pipeline.engine.detectors.rate import ModelInvocations, RateBurst
from intentwatch.pipeline.engine.detectors.tool_clauses import ArgumentAllowed, ArgumentBounds, ToolOperation, ToolResource
from intentwatch.pipeline.engine.detectors.tool_pinning import ToolPinning
from intentwatch.pipeline.engine.detectors.volume import VolumeSpike

REGISTRY: dict[str, type[Detector] | type[Raised] | type[LearnedDetector] | type[Dormancy]] = {
    # against the manifest, per action
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
    "offensive_client": OffensiveClient,
    "root_credentials": RootCredentials,
    "human_use": HumanUse,
    "distinct_burst": DistinctBurst,
    "discovery_burst": DiscoveryBurst,
    "injected_target": InjectedTarget,
    "tool_definition_changed": ToolPinning,
    "definition_new_tool": DefinitionNewTool,
    "definition_new_target": DefinitionNewTarget,
    "definition_volume": DefinitionVolume,
    # raised by the engine
    "unapproved_update": UnapprovedUpdate,
    "ownerless": Ownerless,
    "expiry": ExpiryReached,
    "circuit_breaker": CircuitBreaker,
    "unauthorised_change": UnauthorisedChange,
    "definition_widened": DefinitionWidened,
    "dormancy": Dormancy,  # a timer per agent, run by the engine
    "suppressed": Suppressed,
    # against the learned baseline, per action
    "novelty": Novelty,
    "volume": VolumeSpike,
    "rate_burst": RateBurst,
    "model_invocations": ModelInvocations,
    "drift": Drift,
    "reference_drift": ReferenceDrift,
    "scope_expansion": ScopeExpansion,
    "shared_credential": SharedCredential,
    "used_after_revocation": UsedAfterRevocation,
    "new_source": NewSource,
    "concurrent_use": ConcurrentUse,
    "chain": CapabilityChain,
}
LEARNED_REGISTRY: dict[str, type[LearnedDetector]] = {
    t: c for t, c in REGISTRY.items() if issubclass(c, LearnedDetector)}  # type: ignore[misc]

__all__ = ["REGISTRY", "LEARNED_REGISTRY", "Detector", "LearnedDetector", "Raised", "ChangeCheck"]

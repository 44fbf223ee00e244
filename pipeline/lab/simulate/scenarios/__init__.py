"""Scenario injections: what turns a normal agent into a labelled instance.

Each injector takes the agent (profile, stream, declared scope), the agent's own random
generator and ``T``, the instant the scenario starts (after the warm-up).
It edits the stream in place, marks the attack's actions in ``mal``, and records its
parameters in ``agent.detail``. Attacks hide in normal work: the agent's ordinary
sessions go on around them.

The kinds and their injectors: scenarios/intent.py (intent-visible attacks, the approved
update), scenarios/behaviour.py (behavioural ones), scenarios/base.py (the agent being built
and the helpers they share).
"""

from intentwatch.pipeline.lab.simulate.scenarios.behaviour import (
    boiling_frog, credential_reuse, gradual_drift, sudden_drift, volume_exfiltration,
)
from intentwatch.pipeline.lab.simulate.scenarios.intent import (
    credential_leak, exfiltration_chain, expiry, model_swap, normal_update, over_rate, scope_creep, shadow_agent, zombie,
)

# kind -> group, as the evaluation reports them.
KIND_GROUP: dict[str, str] = {
    "normal": "normal", "normal_update": "normal", "noisy_normal": "normal",
    "scope_creep": "intent-visible", "zombie": "intent-visible", "expiry": "intent-visible",
    "model_swap": "intent-visible", "shadow_agent": "intent-visible", "over_rate": "intent-visible",
    "credential_leak": "intent-visible", "exfiltration_chain": "intent-visible",
    "gradual_drift": "behavioural", "sudden_drift": "behavioural", "volume_exfiltration": "behavioural",
    "boiling_frog": "behavioural", "credential_reuse": "behavioural",
}
ATTACK_KINDS = tuple(k for k, g in KIND_GROUP.items() if g != "normal")

INJECTORS = {
    "scope_creep": scope_creep, "zombie": zombie, "expiry": expiry, "model_swap": model_swap,
    "shadow_agent": shadow_agent, "over_rate": over_rate, "credential_leak": credential_leak,
    "exfiltration_chain": exfiltration_chain, "gradual_drift": gradual_drift, "sudden_drift": sudden_drift,
    "volume_exfiltration": volume_exfiltration, "boiling_frog": boiling_frog, "credential_reuse": credential_reuse,
    "normal_update": normal_update,
}

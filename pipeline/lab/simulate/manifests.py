"""Intent manifests of simulated agents: declared scope, schedule, rate limit, expiry.

The declared scope is wider than what an agent does: server wildcards, resource
patterns over its pools (reserve included), every domain its pools can touch.
"""

from datetime import datetime, timezone
from fnmatch import fnmatchcase

import numpy as np

from intentwatch.models.action import OPERATIONS
from intentwatch.pipeline.lab.simulate.activity import window_counts
from intentwatch.pipeline.lab.simulate.archetypes import ToolSpec
from intentwatch.pipeline.lab.simulate.profiles import Profile, tool_patterns


def iso(ms: int) -> str:
    """Epoch milliseconds as ISO 8601 UTC with millisecond precision and a ``Z``."""
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso_duration(seconds: int) -> str:
    """Seconds as an ISO 8601 duration (``P3DT4H5M6S``)."""
    d, rem = divmod(int(seconds), 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    time = "".join(f"{v}{u}" for v, u in ((h, "H"), (m, "M"), (s, "S")) if v)
    return f"P{d}D" + (f"T{time}" if time else "") if d else f"PT{time or '0S'}"


def declared_scope(tools: list[ToolSpec], pools: dict, rng: np.random.Generator) -> dict:
    """The ``allowed`` block for an agent with these tools and resource pools."""
    domains = {t.domain for t in tools if t.domain}
    patterns = set()
    for rk, pool in pools.items():
        if any(t.rkind == rk and t.domain is None for t in tools):
            domains |= {d for _, d, _ in pool.entries}
        patterns |= {pat for _, _, pat in pool.entries}
    ops = {t.op for t in tools}
    return {
        "tools": tool_patterns(tools, rng),
        "operations": [o for o in OPERATIONS if o in ops],
        "data_domains": sorted(domains),
        "resources": sorted(patterns),
    }


def violations(allowed: dict, tool: str, op: str, domain: str | None, resource: str | None) -> list[str]:
    """Which ``allowed.*`` clauses an action breaks (a missing field is not checked)."""
    out = []
    if not any(fnmatchcase(tool, p) for p in allowed["tools"]):
        out.append("allowed.tools")
    if op not in allowed["operations"]:
        out.append("allowed.operations")
    if domain is not None and not any(fnmatchcase(domain, p) for p in allowed["data_domains"]):
        out.append("allowed.data_domains")
    if resource is not None and not any(fnmatchcase(resource, p) for p in allowed["resources"]):
        out.append("allowed.resources")
    return out


def declare_rate(t: np.ndarray, rng: np.random.Generator, per_seconds: int | None = None) -> dict:
    """A rate limit well above the agent's real peak: 3-6x the busiest window, rounded up."""
    per = per_seconds or int(rng.choice([60, 300, 3600], p=[0.6, 0.3, 0.1]))
    peak = int(window_counts(t, per * 1000).max()) if len(t) else 0
    floor = {60: 30, 300: 100, 3600: 500}[per]
    want = max(floor, peak * rng.uniform(3, 6) + 10)
    step = 10 if want < 200 else 50 if want < 1000 else 100
    return {"max_actions": int(-(-want // step) * step), "per_seconds": per}


def manifest(p: Profile, allowed: dict, issued_ms: int, expiry: tuple[str, int], rate: dict,
             model: dict | None = None, creds: list[str] | None = None) -> dict:
    """The manifest document (field order as in ``models.intent.IntentManifest``).

    ``expiry`` is ``("expires_at", epoch ms)`` or ``("ttl", seconds)``.
    """
    m = {
        "agent_id": p.agent_id,
        "owner": p.owner,
        "purpose": p.purpose,
        "task": p.task,
        "allowed": allowed,
    }
    if p.schedule is not None:
        m["schedule"] = p.schedule
    m["rate_limit"] = rate
    m["model"] = dict(model or p.model)
    m["credentials"] = list(creds or p.creds)
    m["issued_at"] = iso(issued_ms)
    kind, value = expiry
    m[kind] = iso(value) if kind == "expires_at" else iso_duration(value)
    m["enforcement"] = p.enforcement
    m["approver"] = p.approver
    return m

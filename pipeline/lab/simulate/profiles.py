"""One simulated agent's profile, drawn from its archetype: identity, tool set and weights,
resource pools, working hours, credentials, networks, model and declared intent text."""

import re
from dataclasses import dataclass, field

import numpy as np

from intentwatch.pipeline.lab.simulate.archetypes import (
    MAIL_DOMAIN, MODELS, POOLS, REGIONS, TIMEZONES, TZ_WEIGHTS, WEEKDAYS, Archetype, Ident, ToolSpec, person, pick,
)


@dataclass
class Pool:
    """One agent's resources of one kind: entries used in normal work, then a reserve."""

    entries: list[tuple[str, str, str]]
    weights: np.ndarray       # over the normal part
    n_normal: int


@dataclass
class Profile:
    """Everything fixed about one agent before its activity is generated."""

    index: int
    agent_id: str
    arch: Archetype
    role: str
    ident: Ident
    tools: list[ToolSpec]             # its tool set, most used first
    tool_weights: np.ndarray
    pools: dict[str, Pool]
    tz: str
    always_on: bool
    workdays: tuple[int, ...]         # weekdays it actually works (0 = Monday)
    window: tuple[int, int]           # actual local working minutes [start, end)
    schedule: dict | None             # declared schedule (wider than the actual one)
    daily: float                      # expected actions per active day
    session_mean: float
    gap_median: float                 # seconds between actions in a session
    creds: list[str]
    ips: list[str]
    ip_weights: np.ndarray
    model: dict
    owner: str
    approver: str
    purpose: str
    task: str
    enforcement: str
    outcome_p: np.ndarray             # success, failure, denied, error
    byte_scale: float
    noisy: bool = False
    extra: dict = field(default_factory=dict)


def split_tool(name: str) -> tuple[str, str, str]:
    """(prefix, separator, rest) of ``svc:Action`` or ``server.tool``."""
    m = re.match(r"^([^.:]+)([.:])(.*)$", name)
    return (m.group(1), m.group(2), m.group(3)) if m else (name, "", "")


def tool_patterns(tools: list[ToolSpec], rng: np.random.Generator) -> list[str]:
    """Allowed-tool patterns: explicit names, sometimes a server wildcard or an IAM-style verb wildcard."""
    groups: dict[tuple[str, str], list[str]] = {}
    for t in tools:
        prefix, sep, _ = split_tool(t.name)
        groups.setdefault((prefix, sep), []).append(t.name)
    out: list[str] = []
    for (prefix, sep), names in groups.items():
        if len(names) >= 3 and rng.random() < 0.3:
            out.append(f"{prefix}{sep}*")
        elif sep == ":" and rng.random() < 0.5:
            # IAM style: ec2:DescribeInstances + ec2:DescribeSecurityGroups -> ec2:Describe*
            verbs: dict[str, list[str]] = {}
            for n in names:
                v = re.match(r"^(Describe|List|Get)", split_tool(n)[2])
                verbs.setdefault(v.group(1) if v else n, []).append(n)
            for v, ns in verbs.items():
                out.extend([f"{prefix}:{v}*"] if len(ns) >= 2 and v in ("Describe", "List", "Get") else ns)
        else:
            out.extend(names)
    return sorted(set(out))


def draw_profile(index: int, arch: Archetype, rng: np.random.Generator, *, noisy: bool = False) -> Profile:
    """Draw one agent of ``arch``: its tools and their Zipf-like mix, resources, hours, identity."""
    role = arch.roles[int(rng.integers(len(arch.roles)))]
    agent_id = f"{arch.name}-{role}-{index:04d}"
    team = f"{arch.name}-{role}"
    acct = str(int(rng.choice([210987654321, 345678901234, 456789012345, 567890123456])))
    ident = Ident(agent_id, team, acct, f"acme-{team}", REGIONS[int(rng.integers(len(REGIONS)))])

    # Tool set: the core, the exfiltration pair, and a random share of the rest.
    names = [t.name for t in arch.tools]
    must = list(dict.fromkeys([*arch.core, arch.exfil_read, arch.exfil_send]))
    rest = [n for n in names if n not in must]
    k = int(rng.integers(len(rest) // 3, len(rest) + 1))
    chosen = must + pick(rng, rest, k)
    # Rank: core first (shuffled), then the others; the exfiltration read is rare.
    core = [n for n in chosen if n in arch.core]
    other = [n for n in chosen if n not in arch.core]
    order = pick(rng, core, len(core)) + pick(rng, other, len(other))
    if arch.exfil_read not in arch.core:
        order.remove(arch.exfil_read)
        order.insert(len(order) - int(rng.integers(0, 3)), arch.exfil_read)
    tools = [arch.tool(n) for n in order]
    s = rng.uniform(0.9, 1.6)
    w = 1.0 / np.arange(1, len(tools) + 1) ** s
    tool_weights = w / w.sum()

    pools: dict[str, Pool] = {}
    for rk in dict.fromkeys(t.rkind for t in tools if t.rkind):
        pools[rk] = make_pool(rk, ident, rng)

    tz = str(rng.choice(TIMEZONES, p=TZ_WEIGHTS))
    always_on = bool(rng.random() < arch.always_on)
    if always_on:
        tz = "UTC" if rng.random() < 0.3 else tz
        workdays, window = tuple(range(7)), (0, 1440)
        schedule = None if rng.random() < 0.5 else {"timezone": "UTC", "days": list(WEEKDAYS), "hours": "00:00-24:00"}
    else:
        start = int(rng.integers(6 * 60 + 30, 10 * 60 + 1))
        end = min(start + int(rng.integers(7 * 60, 11 * 60 + 1)), 22 * 60)
        weekend = rng.random() < arch.weekend
        workdays = tuple(range(7)) if weekend else tuple(range(5))
        window = (start, end)
        lo = max(0, (start - int(rng.integers(60, 150))) // 60 * 60)
        hi = min(1440, -(-(end + int(rng.integers(60, 150))) // 60) * 60)
        days = list(WEEKDAYS) if (weekend or rng.random() < 0.3) else list(WEEKDAYS[:5])
        schedule = {"timezone": tz, "days": days, "hours": f"{lo // 60:02d}:{lo % 60:02d}-{hi // 60:02d}:{hi % 60:02d}"}

    daily = float(np.clip(rng.lognormal(np.log(150), 0.8), 12, 2500))
    if always_on:
        daily *= 1.3  # nights are quiet but weekends count
    n_creds = 1 if rng.random() < 0.75 else 2
    creds = [arch.cred_fmt(rng) for _ in range(n_creds)]
    n_ips = int(rng.integers(1, 4))
    subnet = f"10.{int(rng.integers(16, 64))}.{int(rng.integers(0, 255))}"
    ips = [f"{subnet}.{int(x)}" for x in rng.choice(np.arange(10, 250), n_ips, replace=False)]
    ipw = np.array([0.8, 0.15, 0.05][:n_ips])
    mid, versions = MODELS[int(rng.integers(len(MODELS)))]
    # Pin an older version when there is one, so approved updates can move forward.
    ver = versions[int(rng.integers(max(1, len(versions) - 1)))]
    purpose, task = arch.purposes[int(rng.integers(len(arch.purposes)))]
    fail = rng.uniform(0.004, 0.03)
    denied = rng.uniform(0.0005, 0.005)
    error = rng.uniform(0.001, 0.006)
    return Profile(
        index=index, agent_id=agent_id, arch=arch, role=role, ident=ident, tools=tools, tool_weights=tool_weights,
        pools=pools, tz=tz, always_on=always_on, workdays=workdays, window=window, schedule=schedule, daily=daily,
        session_mean=float(rng.uniform(6, 14)), gap_median=float(rng.uniform(1.5, 6)), creds=creds, ips=ips,
        ip_weights=ipw / ipw.sum(), model={"id": mid, "version": ver},
        owner=f"{person(rng)}@{MAIL_DOMAIN}", approver=f"{person(rng)}@{MAIL_DOMAIN}",
        purpose=purpose, task=task.format(role=role), enforcement="enforce" if rng.random() < 0.5 else "monitor",
        outcome_p=np.array([1 - fail - denied - error, fail, denied, error]), byte_scale=float(rng.lognormal(0, 0.3)),
        noisy=noisy,
    )


def make_pool(rkind: str, ident: Ident, rng: np.random.Generator) -> Pool:
    """An agent's pool of ``rkind`` resources with its own Zipf weights, plus an equal reserve."""
    gen, (lo, hi) = POOLS[rkind]
    n = int(rng.integers(lo, hi + 1))
    entries = list({e[0]: e for e in gen(rng, ident, 2 * n)}.values())  # dedupe, keep order
    entries = [entries[i] for i in rng.permutation(len(entries))]
    n_normal = max(1, min(n, len(entries) - len(entries) // 3))
    w = 1.0 / np.arange(1, n_normal + 1) ** rng.uniform(0.7, 1.3)
    return Pool(entries, w / w.sum(), n_normal)

"""Scenarios the intent rules see (the agent leaves its declared intent), and the approved
change that widens the intent and must not alert."""

import numpy as np

from intentwatch.models.action import OPERATIONS as _OPS
from intentwatch.pipeline.lab.simulate.activity import HOUR_MS, window_counts
from intentwatch.pipeline.lab.simulate.archetypes import (
    ARCHETYPES, CREEP_TOOLS, ENUM_TOOLS, FOREIGN_AGENTS, FOREIGN_NETWORKS, HIJACK_TOOL, MODELS,
    SENSITIVE_DOMAINS, ToolSpec,
)
from intentwatch.pipeline.lab.simulate.manifests import declare_rate, iso, iso_duration, violations
from intentwatch.pipeline.lab.simulate.profiles import make_pool
from intentwatch.pipeline.lab.simulate.scenarios.base import (
    Agent, choose_sessions, clean_instant, draw_resources, fill, sessions_after, time_in_session,
)


def _mark_after(a: Agent, T: int, inclusive: bool = True) -> np.ndarray:
    mask = a.s.t >= T if inclusive else a.s.t > T
    a.s.c["mal"] |= mask
    return mask

# -- intent-visible -----------------------------------------------------------------------
def scope_creep(a: Agent, rng: np.random.Generator, T: int) -> None:
    """Out-of-scope calls (tool, operation, domain or resource) mixed into normal sessions."""
    s = a.s
    cands = []
    for spec in CREEP_TOOLS:
        if spec.resource is not None:
            res, dom = fill(spec.resource, a), spec.domain
        elif spec.rkind in a.p.pools:
            r, d, _ = a.p.pools[spec.rkind].entries[0]
            res, dom = r, spec.domain or d
        else:
            continue
        broken = violations(a.allowed, spec.name, spec.op, dom, res)
        if broken:
            cands.append((spec, res, dom, broken))
    chosen = [cands[i] for i in rng.permutation(len(cands))[: int(rng.integers(2, 5))]]
    sessions = choose_sessions(s, rng, T, 0.25)
    rows_t, rows_tool, rows_res, rows_sess = [], [], [], []
    for sess in sessions:
        for _ in range(int(rng.integers(1, 3))):
            spec, res, dom, _ = chosen[int(rng.integers(len(chosen)))]
            rows_t.append(time_in_session(s, rng, int(sess), T))
            rows_tool.append(s.tool_index(spec))
            rows_res.append(s.resource_index(res, dom))
            rows_sess.append(int(sess))
    s.append(s.rows(np.array(rows_t), np.array(rows_tool), np.array(rows_res), np.array(rows_sess)))
    a.detail = {"start": iso(T), "injected_actions": len(rows_t),
                "creep": [{"tool": sp.name, "operation": sp.op, "data_domain": d, "resource": r, "breaks": b}
                          for sp, r, d, b in chosen]}


def zombie(a: Agent, rng: np.random.Generator, T: int) -> None:
    """Decommissioned at ``T``; its credentials still work and it keeps acting."""
    event_id = f"lc_{rng.bytes(8).hex()}"
    a.lifecycle.append({"kind": "decommission", "event_id": event_id, "time": T, "actor": a.p.owner,
                        "reason": "task completed; agent retired by its owner"})
    n = int(_mark_after(a, T, inclusive=False).sum())
    a.detail = {"decommissioned_at": iso(T), "decommission_event_id": event_id, "actions_after": n}


def expiry(a: Agent, rng: np.random.Generator, T: int) -> None:
    """The manifest expires at ``T`` (by ``expires_at`` or ``ttl``); the agent keeps acting."""
    seconds = (T - a.issued_ms) // 1000
    T = clean_instant(a.s, a.issued_ms + seconds * 1000)
    if T != a.issued_ms + seconds * 1000:  # an action at the exact second: move a second back
        seconds -= 1
        T = a.issued_ms + seconds * 1000
    a.expiry = ("ttl", seconds) if rng.random() < 0.4 else ("expires_at", T)
    n = int(_mark_after(a, T).sum())
    a.detail = {"expires_at": iso(T), "declared_as": a.expiry[0],
                "ttl": iso_duration(seconds) if a.expiry[0] == "ttl" else None, "actions_after": n}


def model_swap(a: Agent, rng: np.random.Generator, T: int) -> None:
    """From ``T`` the agent reports another model (id or version) with no update event."""
    mid, ver = a.p.model["id"], a.p.model["version"]
    versions = dict(MODELS)[mid]
    if rng.random() < 0.5 and len(versions) > 1:
        new = {"id": mid, "version": next(v for v in versions[::-1] if v != ver)}
    else:
        others = [m for m in MODELS if m[0] != mid] + [("claude-3-opus", ["20240229"]), ("o1", ["2024-12-17"])]
        oid, overs = others[int(rng.integers(len(others)))]
        new = {"id": oid, "version": overs[-1]}
    a.s.models.append(new)
    mask = _mark_after(a, T)
    a.s.c["model"][mask] = len(a.s.models) - 1
    a.detail = {"declared_model": dict(a.p.model), "observed_model": new, "swap_at": iso(T),
                "actions_after": int(mask.sum())}


def shadow_agent(a: Agent, rng: np.random.Generator, T: int) -> None:
    """No manifest at all: the agent appears at ``T`` and acts unregistered."""
    a.s.keep(a.s.t >= T)
    a.s.c["mal"][:] = True
    a.registered = False
    if len(a.s):
        a.start_ms = int(a.s.t[0])
    a.detail = {"first_action": iso(a.start_ms), "credential_id": a.s.creds[0], "source_ips": list(a.s.ips),
                "reason": "no intent manifest registered"}


def over_rate(a: Agent, rng: np.random.Generator, T: int) -> None:
    """A runaway loop: a burst many times the declared rate limit, mostly one tool."""
    s = a.s
    a.rate = declare_rate(s.t, rng, per_seconds=60)
    cap = a.rate["max_actions"]
    n = int(cap * rng.uniform(5, 12))
    seconds = 60 * rng.uniform(1.2, 2.5)
    t = T + np.cumsum(rng.exponential(seconds * 1000 / n, n)).astype(np.int64)
    t = t[t < a.run[1]]
    n = len(t)
    loop = 0  # the agent's most used tool
    tools = np.where(rng.random(n) < 0.6, loop, rng.choice(len(a.p.tools), n, p=a.p.tool_weights)).astype(np.int32)
    res = draw_resources(a, rng, tools)
    loop_res = res[tools == loop]
    if len(loop_res):
        res[tools == loop] = loop_res[0]
    sess = s.new_session()
    s.append(s.rows(t, tools, res, np.full(n, sess), cred=0, ip=0, ua=0, model=0))
    # Onset: the first action the declared token bucket refuses (full at issue, refilled
    # max_actions per per_seconds), as models.intent.RateLimit defines the limit.
    counts = window_counts(s.t, a.rate["per_seconds"] * 1000)
    window_seq = int(np.flatnonzero(counts > cap)[0])
    bucket_seq = token_bucket_crossing(s.t, a.rate, a.issued_ms)
    a.onset_seq = window_seq if bucket_seq is None else bucket_seq
    a.detail = {"rate_limit": dict(a.rate), "burst_start": iso(int(t[0])), "burst_actions": n,
                "burst_seconds": round(float(t[-1] - t[0]) / 1000, 1), "loop_tool": a.p.tools[loop].name,
                "peak_window_count": int(counts.max()), "burst_start_seq": int(np.flatnonzero(s.c["mal"])[0]),
                "window_seq": window_seq, "token_bucket_seq": bucket_seq,
                "onset_rule": "first action refused by the declared token bucket (full at issued_at)"}


def token_bucket_crossing(t: np.ndarray, rate: dict, start_ms: int) -> int | None:
    """Index of the first action a full-at-start token bucket would refuse."""
    cap, refill = float(rate["max_actions"]), rate["max_actions"] / rate["per_seconds"]
    tokens, last = cap, start_ms / 1000
    for i, ms in enumerate(t.tolist()):
        now = ms / 1000
        tokens = min(cap, tokens + max(0.0, now - last) * refill)
        last = now
        if tokens < 1:
            return i
        tokens -= 1
    return None


def credential_leak(a: Agent, rng: np.random.Generator, T: int) -> None:
    """A credential misused: another agent's key under this agent, or this agent's key
    from a new network enumerating (List*/Describe*/Get*) and invoking costly models."""
    s = a.s
    owner, cred = a.p.extra.get("foreign", (None, None))
    if owner is not None and rng.random() < 0.5:
        s.creds.append(cred)
        sessions = choose_sessions(s, rng, T, 0.35)
        mask = np.isin(s.c["sess"], sessions) & (s.t >= T)
        s.c["cred"][mask] = len(s.creds) - 1
        s.c["mal"] |= mask
        a.detail = {"variant": "foreign_credential", "credential_id": cred, "credential_owner": owner,
                    "sessions": len(sessions), "actions": int(mask.sum())}
        return
    net = FOREIGN_NETWORKS[int(rng.integers(len(FOREIGN_NETWORKS)))]
    ip = f"{net}.{int(rng.integers(2, 254))}"
    s.ips.append(ip)
    s.uas.append(FOREIGN_AGENTS[int(rng.integers(len(FOREIGN_AGENTS)))])
    cands = [sp for sp in ENUM_TOOLS if violations(a.allowed, sp.name, sp.op, sp.domain, sp.resource)]
    enum = [cands[i] for i in rng.permutation(len(cands))[: int(rng.integers(4, 9))]]
    n = int(rng.integers(12, 41))
    t = T + np.cumsum(rng.uniform(300, 4000, n)).astype(np.int64)
    tools = np.array([s.tool_index(enum[int(rng.integers(len(enum)))]) for _ in range(n)], np.int32)
    waves = [(t, tools)]
    hijack = bool(rng.random() < 0.6 and violations(a.allowed, HIJACK_TOOL.name, HIJACK_TOOL.op, HIJACK_TOOL.domain, HIJACK_TOOL.resource))
    if hijack:
        m = int(rng.integers(30, 151))
        t2 = int(t[-1]) + int(rng.uniform(2, 20) * HOUR_MS) + np.cumsum(rng.uniform(1000, 8000, m)).astype(np.int64)
        waves.append((t2, np.full(m, s.tool_index(HIJACK_TOOL), np.int32)))
    total = 0
    for tw, tl in waves:
        keep = tw < a.run[1]
        tw, tl = tw[keep], tl[keep]
        sess = s.new_session()
        s.append(s.rows(tw, tl, draw_resources(a, rng, tl), np.full(len(tw), sess), cred=0,
                        ip=len(s.ips) - 1, ua=len(s.uas) - 1, model=0))
        total += len(tw)
    a.detail = {"variant": "stolen_key_enumeration", "credential_id": s.creds[0], "credential_owner": a.p.agent_id,
                "source_ip": ip, "network": f"{net}.0/24", "user_agent": s.uas[-1],
                "tools": [sp.name for sp in enum] + ([HIJACK_TOOL.name] if hijack else []), "actions": total}


def exfiltration_chain(a: Agent, rng: np.random.Generator, T: int) -> None:
    """Mid-task: a sensitive read, then a send of the data to a destination never used.

    Both actions are inside the declared patterns; only their sequence, the new
    destination and the size give it away.
    """
    s, arch = a.s, a.p.arch
    read, send = arch.tool(arch.exfil_read), arch.tool(arch.exfil_send)
    ri, si = s.tool_index(read), s.tool_index(send)
    pool = a.p.pools[read.rkind]
    sens = [e for e in pool.entries if read.domain in SENSITIVE_DOMAINS or e[1] in SENSITIVE_DOMAINS]
    r_res, r_dom, _ = sens[int(rng.integers(len(sens)))]
    read_res = s.resource_index(r_res, r_dom)
    send_dom = send.domain or a.p.pools[send.rkind].entries[0][1]
    sessions = choose_sessions(s, rng, T, 0.0)
    later = sessions_after(s, T + HOUR_MS)
    k = int(rng.integers(0, 3))
    chains = list(sessions[:1]) + [later[i] for i in sorted(rng.permutation(len(later))[:k])]
    dests: list[str] = []
    rows = []
    for sess in chains:
        if not dests or rng.random() < 0.5:
            dests.append(arch.external(rng)[0])
        dest = s.resource_index(dests[-1], send_dom)
        t_read = time_in_session(s, rng, int(sess), T)
        t_send = t_read + int(rng.uniform(2, 40) * 1000)
        size = int(rng.lognormal(np.log(rng.uniform(5, 60) * 2**20), 0.3))
        rows.append(s.rows(np.array([t_read, t_send]), np.array([ri, si]), np.array([read_res, dest]),
                           np.array([sess, sess]), nbytes=np.array([size, int(size * rng.uniform(0.3, 1.0))])))
    for r in rows:
        s.append(r)
    a.detail = {"read_tool": read.name, "read_resource": r_res, "sensitive_domain": read.domain or r_dom,
                "send_tool": send.name, "external_destinations": dests, "chains": len(chains)}

# -- approved change (must not alert) -----------------------------------------------------
def normal_update(a: Agent, rng: np.random.Generator, T: int) -> None:
    """An approved update at ``T`` widens the scope (new tool, maybe a new domain) and/or
    upgrades the model; the agent then uses what it was granted."""
    s, p = a.s, a.p
    variant = ["tool", "model", "tool+model"][int(rng.integers(3))]
    allowed = {k: list(v) for k, v in a.allowed.items()}
    detail: dict = {"variant": variant}
    after = s.t > T
    if "tool" in variant:
        pool_specs = list(p.arch.updates) + [t for arch in ARCHETYPES.values() if arch is not p.arch for t in arch.updates]
        cands = [t for t in pool_specs if "allowed.tools" in violations(allowed, t.name, t.op, t.domain, None)]
        spec: ToolSpec = cands[int(rng.integers(min(len(cands), len(p.arch.updates))))]
        ti = s.tool_index(spec)
        new_domains, new_patterns = set(), set()
        if spec.rkind is not None:
            pool = make_pool(spec.rkind, p.ident, rng)
            p.pools[spec.rkind] = pool
            new_patterns = {pat for _, _, pat in pool.entries}
            if spec.domain is None:
                new_domains = {d for _, d, _ in pool.entries}
        if spec.domain:
            new_domains.add(spec.domain)
        allowed["tools"] = sorted(set(allowed["tools"]) | {spec.name})
        allowed["operations"] = [o for o in _OPS if o in set(allowed["operations"]) | {spec.op}]
        allowed["data_domains"] = sorted(set(allowed["data_domains"]) | new_domains)
        allowed["resources"] = sorted(set(allowed["resources"]) | new_patterns)
        share = float(rng.uniform(0.05, 0.15))
        mask = after & (rng.random(len(s)) < share)
        if after.any() and not mask.any():
            mask[np.flatnonzero(after)[0]] = True
        tools = np.full(int(mask.sum()), ti, np.int32)
        s.set_tools(mask, tools, draw_resources(a, rng, tools))
        detail.update(new_tools=[spec.name], new_domains=sorted(new_domains - set(a.allowed["data_domains"])),
                      new_resource_patterns=sorted(new_patterns - set(a.allowed["resources"])), share=round(share, 2))
    model = dict(p.model)
    if "model" in variant:
        versions = dict(MODELS)[model["id"]]
        later = versions[versions.index(model["version"]) + 1:]
        model = {"id": model["id"], "version": later[0]} if later else {"id": "claude-sonnet-4", "version": "20250514"} \
            if model["id"] != "claude-sonnet-4" else {"id": "gpt-4o", "version": "2024-11-20"}
        s.models.append(model)
        s.c["model"][after] = len(s.models) - 1
        detail.update(model_from=dict(p.model), model_to=model)
    event_id = f"lc_{rng.bytes(8).hex()}"
    a.lifecycle.append({"kind": "update", "event_id": event_id, "time": T, "actor": p.owner, "allowed": allowed,
                        "model": model, "approved_by": p.approver,
                        "reason": "approved change request: " + ("new tool for the task" if "tool" in variant else "model upgrade")})
    a.onset_ms = T
    a.onset_seq = int(np.flatnonzero(after)[0]) if after.any() else None
    a.detail = {"update_event_id": event_id, "updated_at": iso(T), **detail}

"""Behavioural scenarios: the agent stays inside its declared intent and its behaviour
changes; only the learned side can see them."""

import numpy as np

from intentwatch.pipeline.lab.simulate.activity import DAY_MS
from intentwatch.pipeline.lab.simulate.archetypes import FOREIGN_NETWORKS
from intentwatch.pipeline.lab.simulate.manifests import iso
from intentwatch.pipeline.lab.simulate.profiles import Pool
from intentwatch.pipeline.lab.simulate.scenarios.base import Agent, choose_sessions, draw_resources, time_in_session


def _rare_tools(a: Agent, rng: np.random.Generator, k: int) -> list[int]:
    """``k`` of the agent's allowed but rarely used tools (lower half of its ranking)."""
    n = len(a.p.tools)
    rare = [i for i in range(n // 2, n) if a.p.tools[i].name != a.p.arch.exfil_read]
    return [rare[i] for i in rng.permutation(len(rare))[:k]]


def _redraw(a: Agent, rng: np.random.Generator, mask: np.ndarray, tools: list[int]) -> None:
    new = np.array(tools, np.int32)[rng.integers(len(tools), size=int(mask.sum()))]
    a.s.set_tools(mask, new, draw_resources(a, rng, new))
    a.s.c["mal"] |= mask


def gradual_drift(a: Agent, rng: np.random.Generator, T: int) -> None:
    """The tool mix slides, day after day, toward allowed tools the agent rarely used."""
    tools = _rare_tools(a, rng, int(rng.integers(2, 4)))
    w_max = float(rng.uniform(0.45, 0.8))
    frac = np.clip((a.s.t - T) / max(1, a.run[1] - T), 0, 1)
    mask = (a.s.t >= T) & (rng.random(len(a.s)) < w_max * frac ** 0.8)
    _redraw(a, rng, mask, tools)
    a.detail = {"start": iso(T), "drift_tools": [a.p.tools[i].name for i in tools], "max_share": round(w_max, 2),
                "actions": int(mask.sum())}


def sudden_drift(a: Agent, rng: np.random.Generator, T: int) -> None:
    """From ``T`` most calls go to a few allowed tools the agent hardly used (as after an injection)."""
    tools = _rare_tools(a, rng, int(rng.integers(2, 5)))
    share = float(rng.uniform(0.55, 0.85))
    mask = (a.s.t >= T) & (rng.random(len(a.s)) < share)
    _redraw(a, rng, mask, tools)
    a.detail = {"start": iso(T), "drift_tools": [a.p.tools[i].name for i in tools], "share": round(share, 2),
                "actions": int(mask.sum())}


def volume_exfiltration(a: Agent, rng: np.random.Generator, T: int) -> None:
    """An allowed tool moves far more bytes than it ever did, in ordinary sessions."""
    s = a.s
    # The busiest tool that reads or sends data; else one that writes or runs something.
    top = [i for i, tl in enumerate(a.p.tools[:8]) if tl.op in ("read", "send") and tl.kb >= 2] + \
          [i for i, tl in enumerate(a.p.tools[:8]) if tl.op in ("write", "execute") and tl.kb >= 2]
    ti = top[0] if top else 0
    base = a.p.tools[ti].kb * 1024 * a.p.byte_scale
    sessions = choose_sessions(s, rng, T, 0.3)
    per = rng.integers(1, 4, len(sessions))
    t = np.array([time_in_session(s, rng, int(x), T) for x, k in zip(sessions, per) for _ in range(k)], np.int64)
    sess = np.repeat(sessions, per)
    mult = rng.lognormal(np.log(rng.uniform(60, 400)), 0.4, len(t))
    tools = np.full(len(t), ti, np.int32)
    s.append(s.rows(t, tools, draw_resources(a, rng, tools), sess, nbytes=(base * mult).astype(np.int64)))
    a.detail = {"start": iso(T), "tool": a.p.tools[ti].name, "normal_median_bytes": int(base),
                "injected_actions": len(t), "bytes_multiplier_median": round(float(np.median(mult)), 1)}


def boiling_frog(a: Agent, rng: np.random.Generator, T: int) -> None:
    """A few new (allowed) resources a day: tables, buckets, recipients it never touched."""
    s = a.s
    kinds = [rk for rk, pool in a.p.pools.items() if len(pool.entries) > pool.n_normal]
    tool_rk = np.array([tl.rkind or "" for tl in s.tools])[s.c["tool"]]
    after = s.t >= T
    rk = max(kinds, key=lambda k: (int(((tool_rk == k) & after).sum()), k))
    pool: Pool = a.p.pools[rk]
    reserve = [s.resource_index(r, d) for r, d, _ in pool.entries[pool.n_normal:]]
    per_day = float(rng.uniform(2, 5))
    intro = T + (np.arange(len(reserve)) / per_day * DAY_MS).astype(np.int64)  # when each appears
    cand = np.flatnonzero((tool_rk == rk) & after)
    pick = cand[rng.random(len(cand)) < 0.25]
    if len(cand) and (len(pick) == 0 or pick[0] != cand[0]):
        pick = np.concatenate([[cand[0]], pick])
    avail = np.searchsorted(intro, s.t[pick], side="right")  # resources introduced so far
    choice = (rng.random(len(pick)) * avail).astype(int)
    s.c["res"][pick] = np.array(reserve, np.int32)[choice]
    s.c["dom"][pick] = s.domains_for(s.c["tool"][pick], s.c["res"][pick])
    s.c["mal"][pick] = True
    used = sorted({s.resources[s.c["res"][i]] for i in pick})
    a.detail = {"start": iso(T), "resource_kind": rk, "new_per_day": round(per_day, 1), "new_resources": used,
                "actions": len(pick)}


def credential_reuse(a: Agent, rng: np.random.Generator, T: int) -> None:
    """The agent's own credential, used from a new network, doing ordinary in-scope work."""
    s = a.s
    net = FOREIGN_NETWORKS[int(rng.integers(len(FOREIGN_NETWORKS)))]
    ips = [f"{net}.{int(x)}" for x in rng.choice(np.arange(2, 254), int(rng.integers(1, 3)), replace=False)]
    first = len(s.ips)
    s.ips.extend(ips)
    share = float(rng.uniform(0.2, 0.45))
    sessions = choose_sessions(s, rng, T, share)
    mask = np.isin(s.c["sess"], sessions) & (s.t >= T)
    s.c["ip"][mask] = first + rng.integers(len(ips), size=int(mask.sum()))
    s.c["mal"] |= mask
    a.detail = {"start": iso(T), "credential_id": s.creds[0], "new_ips": ips, "network": f"{net}.0/24",
                "session_share": round(share, 2), "actions": int(mask.sum())}

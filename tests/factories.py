"""Small builders for contracts in tests: a manifest, an action, lifecycle events; mangled input."""

import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any
from itertools import count

from intentwatch.models.action import Action
from intentwatch.models.intent import IntentManifest
from intentwatch.models.lifecycle import Decommission, Instantiate, Update

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)  # a Monday, 09:00 UTC
_ids = count(1)


def manifest(agent_id: str = "support-1", **over) -> IntentManifest:
    doc = {
        "agent_id": agent_id,
        "owner": "alice@example.com",
        "purpose": "answer customer tickets",
        "task": "TICKETS-EU",
        "allowed": {
            "tools": ["zendesk.*", "crm.lookup", "email.send"],
            "operations": ["read", "write", "send"],
            "data_domains": ["tickets", "customer_contact"],
            "resources": ["ticket:*", "mailto:*@example.com", "crm:contact/*"],
        },
        "schedule": {"timezone": "UTC", "days": ["mon", "tue", "wed", "thu", "fri"], "hours": "07:00-19:00"},
        "rate_limit": {"max_actions": 5, "per_seconds": 60},
        "model": {"id": "gpt-4o", "version": "2024-08-06"},
        "credentials": ["key-1"],
        "issued_at": (T0 - timedelta(days=1)).isoformat(),
        "expires_at": (T0 + timedelta(days=30)).isoformat(),
        "enforcement": "enforce",
        "approver": "bob@example.com",
    }
    doc.update(over)
    return IntentManifest.model_validate(doc)


def action(agent_id: str = "support-1", at: datetime | timedelta = timedelta(0), **over) -> Action:
    when = T0 + at if isinstance(at, timedelta) else at
    doc = {
        "event_id": f"ev-{next(_ids)}",
        "agent_id": agent_id,
        "time": when.isoformat(),
        "tool": "zendesk.get_ticket",
        "operation": "read",
        "resource": "ticket:1234",
        "data_domain": "tickets",
        "credential_id": "key-1",
        "source_ip": "10.0.0.5",
        "model": {"id": "gpt-4o", "version": "2024-08-06"},
        "bytes": 2048,
    }
    doc.update(over)
    return Action.model_validate(doc)


def instantiate(m: IntentManifest, at: datetime | timedelta = timedelta(days=-1), event_id: str | None = None) -> Instantiate:
    when = T0 + at if isinstance(at, timedelta) else at
    return Instantiate(event_id=event_id or f"lc-{next(_ids)}", agent_id=m.agent_id, time=when, manifest=m)


def update(m: IntentManifest, at: timedelta, approved_by: str | None = "bob@example.com") -> Update:
    return Update(event_id=f"lc-{next(_ids)}", agent_id=m.agent_id, time=T0 + at, manifest=m, approved_by=approved_by)


def decommission(agent_id: str, at: timedelta) -> Decommission:
    return Decommission(event_id=f"lc-{next(_ids)}", agent_id=agent_id, time=T0 + at, reason="task done")


# Values of every JSON type and of no use, for ``mangler``: times out of range, huge numbers, empties.
JUNK: list[Any] = [None, 0, -1, 2**62, 1e308, "", "x" * 5000, [], {}, [None], {"a": 1}, True,
                   "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]


def mangler(rng: random.Random, junk: list[Any], rate: float = 0.08) -> Callable[[Any], Any]:
    """A copy of a JSON value with values swapped, each at ``rate``, for one of ``junk`` (seeded by ``rng``)."""
    def mangle(x: Any) -> Any:
        if rng.random() < rate:
            return rng.choice(junk)
        if isinstance(x, dict):
            return {k: mangle(v) for k, v in x.items()}
        if isinstance(x, list):
            return [mangle(v) for v in x]
        return x
    return mangle


def assert_read_cleanly(decode: Callable[[bytes, str], Iterable[Any]], docs: Iterable[Any], where: str) -> None:
    """Each document, read by ``decode``, gives actions or dead letters with a reason of their own: never
    an exception, never "failed while processing" (a case the reader did not foresee)."""
    import orjson

    from intentwatch.pipeline.io.adapters import BadRecord

    for doc in docs:
        for r in decode(orjson.dumps(doc), where):
            assert isinstance(r, (Action, BadRecord))
            assert not isinstance(r, BadRecord) or "failed while processing" not in r.reason, r.reason


def replayed_alerts(path: Any, tmp: Any, *options: str, fmt: str = "transcript") -> list[dict]:
    """The alerts ``intentwatch replay PATH --format FMT OPTIONS`` writes (files under ``tmp``)."""
    import orjson
    from typer.testing import CliRunner

    from intentwatch.pipeline.cli import app

    res = CliRunner().invoke(app, ["replay", str(path), "--format", fmt, *options, "--alerts", str(tmp / "a.jsonl"),
                                   "--commands", str(tmp / "c.jsonl"), "--dead-letter", str(tmp / "d.jsonl")])
    assert res.exit_code == 0, res.output
    return [orjson.loads(x) for x in (tmp / "a.jsonl").read_bytes().splitlines()]


def injected_severity(alerts: list[dict]) -> dict[str, str]:
    """Call id (the event id's last part) -> severity of each ``intent.injected_target`` alert."""
    return {a["evidence"]["action"]["event_id"].rsplit(":", 1)[1]: a["severity"]
            for a in alerts if a["rule_id"] == "intent.injected_target"}


def tool_calls(results: Iterable[Any]) -> list[tuple]:
    """(tool, operation, outcome, resource) of the actions among ``results`` that are tool calls (not gen_ai.*)."""
    return [(a.tool, a.operation, a.outcome, a.resource) for a in results if isinstance(a, Action) and not a.tool.startswith("gen_ai.")]


def cloud_alerts_each(results: Iterable[Any], declares: list[str] | None = None) -> list[tuple[str, str, str]]:
    """(agent, tool, rule) of each open ``cloud.*`` alert, each action judged by a fresh engine (an identity
    with no history; one engine would fold an agent's second alert of a rule into the first's count).
    ``declares``: the tools the acting agent's manifest declares. A bad record among ``results`` fails."""
    from intentwatch.models.alert import Alert
    from intentwatch.pipeline.engine.engine import Engine

    found = []
    for a in results:
        assert isinstance(a, Action), a
        e, out = Engine(), []
        if declares is not None:
            m = manifest(a.agent_id, allowed={"tools": declares, "operations": ["read", "write", "configure", "delete", "grant"]},
                         credentials=[], model=None, schedule=None, rate_limit=None)
            out += e.process(instantiate(m))
        out += e.process(a)
        found += [(o.agent_id, a.tool, o.rule_id) for o in out + e.flush()
                  if isinstance(o, Alert) and o.rule_id.startswith("cloud.") and o.status == "open"]
    return found

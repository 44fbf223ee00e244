"""Fuzz replay: schema-valid events with extreme values, and malformed lines, must crash nothing.

    python benchmarks/fuzz.py [--events 1000000 --malformed 100000 --seed 1 --agents 300]

A seeded generator (same seed, same lines) writes a stream that mixes:
  valid      actions that pass the contract with values at its edges: times from 1970 to
             2199 with offsets of +-23:59 and microseconds, clock jumps both ways, bytes 0 to
             2**50, unicode and 2,000-character strings, shell patterns and NUL in names,
             reused event ids (same and other content), thousands of credentials per agent,
             tool-call arguments as nested objects, lists, 1e308 and JSON strings;
  malformed  lines that do not: truncated JSON, wrong and coerced types (bool and float for
             integers, numbers for times), years 0 and 10000, 400-digit numbers, deep
             nesting, non-UTF-8 bytes, lines over ``max_event_bytes``, arrays, nothing;
and lifecycle events and analysts' verdicts with extreme manifests (ttl from 1 s to 100
years, expiries near 2200, rate limits of 1 per 1e-9 s or 1e18 per 1e308 s, schedules in
+14:00 and -12:00 zones, argument rules with +-1e308 bounds). Replay runs it with its clock
at 2200, so no event is refused as too far ahead and the engine does arithmetic on all of them.

A crash is any exception that escapes replay, or an event dead-lettered because judging it
raised (reason ``failed while processing``): the run prints their count (must be 0), the
dead letters by reason, and the time taken. ``small_run`` is the same at test size
(tests/unit/test_fuzz.py).
"""

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

from intentwatch.models.action import LATEST, OPERATIONS
from intentwatch.models.feedback import Feedback
from intentwatch.models.intent import IntentManifest
from intentwatch.models.lifecycle import Decommission, Instantiate, Update
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.hosts.replay import replay
from intentwatch.pipeline.io.deadletter import DeadLetterFile

START = datetime(2026, 1, 5, tzinfo=timezone.utc)
EARLY = datetime(1970, 1, 1, 0, 0, 1, tzinfo=timezone.utc)
LATE = datetime(2199, 12, 30, tzinfo=timezone.utc)
ZONES = ["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe"]
WEIRD = ["", "*", "**", "[", "[!]", "\x00", "é", "𝕏", "../..", "a" * 300, "s3://*", "mailto:*@*", "?*?", "\\", "%s%n"]
CRASH = "failed while processing"


@dataclass
class FuzzResult:
    events: int = 0
    malformed: int = 0
    lifecycle: int = 0
    crashes: int = 0
    escaped: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    crash_reasons: Counter[str] = field(default_factory=Counter)
    judged: int = 0     # actions the engine judged (not dead-lettered at the edge)
    outputs: int = 0
    seconds: float = 0.0


class Gen:
    """Seeded generator of fuzz lines for one fleet of ``agents`` agent ids."""

    def __init__(self, seed: int, agents: int):
        self.r = random.Random(seed)
        r = self.r
        self.agents = [f"agent-{i}" for i in range(agents)] + ["é-agent", "a" * 200, "agent\u202e-rtl", "𝕏"]
        self.tools = ["zendesk.get_ticket", "crm.lookup", "shell.exec", "s3:GetObject", "iam:PutUserPolicy",
                      "cloudtrail:StopLogging", "banking.send_money", "email.send"] + WEIRD[1:]
        self.travellers = set(self.agents[::10])
        self.event_ids: list[str] = []
        self.clock = START.timestamp()
        self.creds = [f"cred-{i}" for i in range(50)]
        r.shuffle(self.creds)

    # -- values at the edges -------------------------------------------------------------
    def text(self, n: int = 40) -> str:
        r = self.r
        k = r.random()
        if k < 0.6:
            return r.choice(self.tools)
        if k < 0.8:
            return r.choice(WEIRD) or "x"
        return "".join(chr(r.choice([r.randint(32, 126), r.randint(0xA0, 0x2FFF), r.randint(0x1F300, 0x1F6FF)]))
                       for _ in range(r.randint(1, n)))

    def when(self, agent: str = "") -> str:
        r = self.r
        # Only every tenth agent travels in time: after its jump to 2199 an agent's ordinary
        # actions are too late to de-duplicate and refused, so the others keep the engine busy.
        k = r.random() if agent in self.travellers else 0.0
        if k < 0.85:  # the fleet's clock, moving on, sometimes back
            self.clock += r.expovariate(1 / 30)
            t = self.clock - (r.expovariate(1 / 600) if r.random() < 0.05 else 0)
        elif k < 0.9:
            t = EARLY.timestamp() + r.random() * 86400
        elif k < 0.95:
            t = LATE.timestamp() - r.random() * 86400
        else:
            t = r.uniform(EARLY.timestamp(), LATE.timestamp())
        off = r.choice([0, 0, 0, r.randint(-1439, 1439)])
        tz = timezone(timedelta(minutes=off))
        d = datetime.fromtimestamp(t, timezone.utc).astimezone(tz)
        if r.random() < 0.3:
            d = d.replace(microsecond=r.choice([0, 1, 999_999]))
        return d.isoformat()

    def number(self) -> object:
        r = self.r
        return r.choice([0, -1, 1, 2 ** 53 + 1, -(2 ** 63), 2 ** 63 - 1, 1e308, -1e308, 5e-324, 0.1, r.random() * 1e6,
                         "12", "1e999", True, None])

    def arguments(self, depth: int = 0) -> object:
        r = self.r
        k = r.random()
        if k < 0.3 or depth > 3:
            return self.number()
        if k < 0.5:
            return self.text(20)
        if k < 0.7:
            return [self.arguments(depth + 1) for _ in range(r.randint(0, 5))]
        if k < 0.8:  # a JSON string, valid or not
            return orjson.dumps({"amount": self.number(), "payee": {"iban": self.text(10)}}).decode()[: r.randint(1, 60)]
        return {r.choice(["amount", "payee", "iban", "to", "bucket", "a.b", ""]): self.arguments(depth + 1)
                for _ in range(r.randint(0, 4))}

    # -- events --------------------------------------------------------------------------
    def action(self) -> bytes:
        r = self.r
        agent = r.choice(self.agents)
        if self.event_ids and r.random() < 0.02:
            eid = r.choice(self.event_ids)  # reused: a redelivery or a conflicting duplicate
        else:
            eid = f"e{r.getrandbits(40):x}" if r.random() < 0.95 else self.text(200)[:200] or "e"
            if len(self.event_ids) < 5000:
                self.event_ids.append(eid)
        doc: dict = {"event_id": eid, "agent_id": agent, "time": self.when(agent), "tool": self.text(300)[:300] or "t",
                     "operation": r.choice(OPERATIONS)}
        if r.random() < 0.7:
            doc["resource"] = r.choice(["ticket:1", "s3://bkt/a/b", "mailto:x@evil.example", "https://h/x", "arn:aws:s3:::b",
                                        "a" * 2000, "", "file:///etc/shadow", self.text(100)])
        if r.random() < 0.5:
            doc["data_domain"] = r.choice(["tickets", "customer_pii", "secrets", self.text(30)[:200]])
        if r.random() < 0.6:
            doc["credential_id"] = r.choice(self.creds) if r.random() < 0.7 else f"c{r.getrandbits(32)}"
        if r.random() < 0.5:
            doc["source_ip"] = r.choice(["10.0.0.5", "::1", "fe80::1%eth0", "999.1.1.1", "::ffff:1.2.3.4", "0.0.0.0",
                                         "255.255.255.255", "x" * 64, "2001:db8::/32"])
        if r.random() < 0.5:
            doc["bytes"] = r.choice([0, 1, 2 ** 50, 2 ** 49 + 1, r.randint(0, 10 ** 9), 1 << 20])
        if r.random() < 0.3:
            doc["model"] = {"id": self.text(20)[:200] or "m", "version": r.choice([None, "1", "x" * 100])}
        if r.random() < 0.3:
            doc["outcome"] = r.choice(["success", "failure", "denied", "error"])
        if r.random() < 0.3:
            doc["session_id"] = r.choice(["s1", "s2", self.text(10)[:200]])
            doc["task_id"] = r.choice(["t1", None])
        if r.random() < 0.3:
            doc["attributes"] = {"arguments": self.arguments(), "result": self.arguments(),
                                 "requestParameters": self.arguments()}
        return orjson.dumps(doc)

    def manifest(self, agent: str) -> dict:
        r = self.r
        doc: dict = {"agent_id": agent, "purpose": self.text(50) or "p", "owner": r.choice([None, "", "  ", "ana@x", self.text(30)]),
                     "enforcement": r.choice(["monitor", "enforce"]), "approver": r.choice([None, "bob@x"])}
        if r.random() < 0.8:
            doc["allowed"] = {
                "tools": r.choice([None, [], ["*"], [self.text(20) for _ in range(r.randint(1, 6))]]),
                "operations": r.choice([None, [], list(r.sample(OPERATIONS, r.randint(1, 5)))]),
                "data_domains": r.choice([None, ["tickets"], ["*pii*", "["]]),
                "resources": r.choice([None, ["ticket:*"], ["*"], ["s3://bkt/*", "mailto:*@example.com"]]),
            }
            if r.random() < 0.3:
                lo, hi = sorted([r.choice([-1e308, 0.0, 1.0, 1e308, -5.0]), r.choice([-1e308, 0.0, 1.0, 1e308, 5.0])])
                doc["allowed"]["per_tool"] = {r.choice(["banking.*", "*", "["]): {
                    "operations": r.choice([None, ["send"]]),
                    "arguments": {r.choice(["amount", "payee.iban", "to"]): r.choice([
                        {"min": lo, "max": hi}, ["*@example.com"], {"required": True}, {"allowed": ["DE*", "["]}])}}}
        if r.random() < 0.5:
            doc["schedule"] = {"timezone": r.choice(ZONES), "days": r.sample(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], r.randint(1, 7)),
                               "hours": r.choice(["00:00-24:00", "22:00-06:00", "23:59-00:00", "08:00-18:00", "00:00-00:01"])}
        if r.random() < 0.4:
            doc["rate_limit"] = r.choice([{"max_actions": 1, "per_seconds": 1e-9}, {"max_actions": 10 ** 18, "per_seconds": 1e308},
                                          {"max_actions": 5, "per_seconds": 60}])
        if r.random() < 0.4:
            doc["credentials"] = r.sample(self.creds, r.randint(0, 20))
        k = r.random()
        if k < 0.3:
            doc["ttl"] = r.choice(["PT1S", "P36525D", 1, 86400 * 365 * 99, "P1D"])
            doc["issued_at"] = r.choice([None, self.when(agent)])
        elif k < 0.6:
            doc["expires_at"] = r.choice([LATE.isoformat(), (START + timedelta(days=r.uniform(0, 30))).isoformat(),
                                          EARLY.isoformat()])
        return doc

    def lifecycle(self, n: int) -> list:
        """``n`` lifecycle events and verdicts; those the contract refuses are skipped (counted by the caller)."""
        out: list = []
        r = self.r
        for i in range(n):
            agent = r.choice(self.agents)
            when = datetime.fromisoformat(self.when(agent))
            kind = r.random()
            try:
                if kind < 0.5:
                    out.append(Instantiate(event_id=f"lc{i}", agent_id=agent, time=when,
                                           manifest=IntentManifest.model_validate(self.manifest(agent))))
                elif kind < 0.7:
                    out.append(Update(event_id=f"lc{i}", agent_id=agent, time=when, approved_by=r.choice([None, "bob@x"]),
                                      manifest=IntentManifest.model_validate(self.manifest(r.choice([agent, "someone-else"])))))
                elif kind < 0.85:
                    out.append(Decommission(event_id=f"lc{i}", agent_id=agent, time=when))
                else:
                    lo, hi = sorted([float(r.choice([-1e308, 0, 1, 1e308])), float(r.choice([-1e308, 0, 2, 1e308]))])
                    rng = r.random() < 0.5
                    out.append(Feedback(feedback_id=f"fb{i}", agent_id=agent, rule_id=r.choice(["intent.tool_not_allowed", "behaviour.volume_spike", "x"]),
                                        verdict=r.choice(["false_positive", "confirmed"]), analyst="ana", reason="fuzz",
                                        observed=None if rng else r.choice([None, "*", "shell.exec", "["]),
                                        observed_min=lo if rng else None, observed_max=hi if rng else None, time=when,
                                        expires_at=r.choice([None, LATE])))
            except ValueError:
                continue
        return out

    def malformed(self) -> bytes:
        r = self.r
        good = self.action()
        k = r.randrange(16)
        if k == 0:
            return good[: r.randint(0, max(len(good) - 1, 0))]
        if k == 1:
            return good.replace(b'"time":"', b'"time":' + str(r.randint(-10 ** 12, 10 ** 12)).encode() + b',"x":"', 1)
        if k == 2:
            return orjson.dumps({**orjson.loads(good), "bytes": r.choice([True, False, 1.5, 1e30, -1, 2 ** 60, "12"])})
        if k == 3:
            return orjson.dumps({**orjson.loads(good), "time": r.choice(["10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
                                                                        "2026-13-01T00:00:00Z", "2026-01-05T00:00:00",
                                                                        "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", ""])})
        if k == 4:
            return good.replace(b'"bytes":', b'"bytes":' + b"9" * 400 + b',"y":', 1) if b'"bytes":' in good else b'{"bytes":' + b"9" * 400 + b"}"
        if k == 5:
            depth = r.choice([100, 1000, 5000])
            return b'{"attributes":' + b"[" * depth + b"]" * depth + b"}"
        if k == 6:
            return bytes(r.getrandbits(8) for _ in range(r.randint(1, 200)))
        if k == 7:
            return b"[" + good + b"]"
        if k == 8:
            return r.choice([b"null", b"{}", b"1", b'""', b"\xef\xbb\xbf" + good, good + b"garbage", b"{" * 3])
        if k == 9:
            return good.replace(b'"operation":"', b'"operation":"x', 1)
        if k == 10:
            return orjson.dumps({**orjson.loads(good), "agent_id": r.choice(["", 5, None, "a" * 201, ["a"]])})
        if k == 11:
            return good[:-1] + b',"event_id":7}'  # a duplicate key of the wrong type
        if k == 12:
            return good.replace(b":", b": NaN, \"z\":", 1)
        if k == 13:
            return orjson.dumps({**orjson.loads(good), "model": {"id": ""}})
        if k == 14:
            return orjson.dumps({**orjson.loads(good), "version": r.choice([2, "1", 1.0, True])})
        return good[:-1] + b',"time":"2026-01-05T00:00:00Z","time":-1}'


def run(events: int, malformed: int, seed: int = 1, agents: int = 300, lifecycle: int = 2000, oversized: int = 3,
        workdir: Path | None = None) -> FuzzResult:
    """Generate the stream and replay it; count crashes and dead letters by reason."""
    g = Gen(seed, agents)
    res = FuzzResult()
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path = Path(tmp) / "fuzz.jsonl"
        with open(path, "wb") as fh:
            bad_every = max(events // max(malformed, 1), 1)
            for i in range(events):
                fh.write(g.action() + b"\n")
                if res.malformed < malformed and i % bad_every == 0:
                    line = g.malformed()
                    fh.write(line.replace(b"\n", b" ") + b"\n")
                    res.malformed += 1
            while res.malformed < malformed:
                fh.write(g.malformed().replace(b"\n", b" ") + b"\n")
                res.malformed += 1
            for _ in range(oversized):
                fh.write(b'{"event_id":"big","attributes":"' + b"A" * 1_100_000 + b'"}\n')
        res.events = events
        lc = g.lifecycle(lifecycle)
        res.lifecycle = len(lc)
        dead = DeadLetterFile(None)
        reasons: Counter[str] = Counter()
        put = dead.put

        def counting_put(err, raw) -> None:
            reasons[err.reason[:60]] += 1
            res.kinds[err.kind] += 1
            if err.reason.startswith(CRASH):
                res.crash_reasons[err.reason] += 1
            put(err, raw)

        dead.put = counting_put  # type: ignore[method-assign]
        started = time.perf_counter()
        try:
            summary = replay(Engine(), path, lc, lambda _o: None, dead, now=LATEST.timestamp())
            res.outputs = sum(summary.alerts.values()) + summary.final_updates + sum(summary.commands.values())
            res.judged = summary.actions
        except Exception as e:  # noqa: BLE001 - exactly what this counts
            res.escaped.append(f"{type(e).__name__}: {e}")
        res.seconds = time.perf_counter() - started
    res.reasons = reasons
    res.crashes = sum(res.crash_reasons.values()) + len(res.escaped)
    return res


def small_run(seed: int = 7) -> FuzzResult:
    return run(events=4000, malformed=800, seed=seed, agents=40, lifecycle=300, oversized=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--malformed", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--agents", type=int, default=300)
    ap.add_argument("--lifecycle", type=int, default=2000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    res = run(args.events, args.malformed, args.seed, args.agents, args.lifecycle)
    print(f"fuzz seed {args.seed}: {res.events:,} schema-valid-shaped actions, {res.malformed:,} malformed lines, "
          f"{res.lifecycle:,} lifecycle events and verdicts; replay {res.seconds:.0f}s ({res.events / max(res.seconds, 1e-9):,.0f} ev/s), "
          f"total {time.perf_counter() - t0:.0f}s; {res.judged:,} actions judged by the engine, {res.outputs:,} outputs")
    print(f"dead letters by kind: {dict(res.kinds.most_common())}")
    print("dead letters by reason (first 60 characters):")
    for reason, n in res.reasons.most_common(25):
        print(f"  {n:>9,}  {reason}")
    print(f"crashes: {res.crashes}")
    for reason, n in res.crash_reasons.most_common(10):
        print(f"  {n:>9,}  {reason}")
    for e in res.escaped:
        print(f"  escaped replay: {e}")
    sys.exit(1 if res.crashes else 0)


if __name__ == "__main__":
    main()

"""Issue 17 in replay: one bad event costs one event, one writer cannot move the fleet's clock,
redelivered actions add nothing, per-agent lists stay bounded, bad values are not quoted."""

import hashlib
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from intentwatch.models.alert import Alert
from intentwatch.models.command import RevocationCommand
from intentwatch.models.errors import InputError
from intentwatch.pipeline.cli import app
from intentwatch.pipeline.engine.config import EngineConfig
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.hosts.replay import replay
from intentwatch.pipeline.io.codec import decode_action
from intentwatch.pipeline.io.deadletter import DeadLetterFile
from intentwatch.pipeline.settings import KafkaSettings, Settings
from tests.factories import T0, action, instantiate, manifest

runner = CliRunner()
NOW = (T0 + timedelta(days=60)).timestamp()  # replay's clock in these tests: two months after the fleet's history


def line(**over) -> bytes:
    doc = {"event_id": "p1", "agent_id": "support-1", "time": "2026-01-05T09:30:00Z", "tool": "zendesk.get_ticket",
           "operation": "read"}
    doc.update(over)
    return orjson.dumps(doc)


# -- finding 1: strict wire types and bounds ----------------------------------------------------
@pytest.mark.parametrize("field, value, why", [
    ("time", -1, "time: Value error, a time must be an RFC 3339 string, not a number"),
    ("time", 1767600000.5, "time: Value error, a time must be an RFC 3339 string"),
    ("time", "9999-12-31T23:00:00-05:00", "time: Input should be less than 2200-01-01T00:00:00+00:00"),
    ("time", "0001-01-01T00:30:00+01:00", "time: Input should be at least 1970-01-01T00:00:00+00:00"),
    ("bytes", True, "bytes: Input should be a valid integer"),
    ("bytes", 1.2e29, "bytes: Input should be a valid integer"),
    ("bytes", 2.0, "bytes: Input should be a valid integer"),
    ("bytes", 10 ** 30, "bytes: Input should be less than or equal to 1125899906842624"),
    ("bytes", -1, "bytes: Input should be greater than or equal to 0"),
])
def test_action_wire_types_are_strict_and_bounded(field, value, why):
    with pytest.raises(InputError) as e:
        decode_action(line(**{field: value}) if not isinstance(value, int) or value < 2 ** 63 else
                      line().replace(b'"operation"', f'"{field}":{value},"operation"'.encode()), "f:1")
    assert why in e.value.reason


def test_ttl_beyond_a_century_fails_validate_with_a_clear_error(tmp_path):
    m = manifest(expires_at=None)
    doc = orjson.loads(m.model_dump_json())
    doc["ttl"] = "P999999999D"
    (tmp_path / "a.json").write_bytes(orjson.dumps(doc))
    r = runner.invoke(app, ["validate", str(tmp_path)])
    assert r.exit_code != 0
    assert "ttl" in r.output and "at most 36525 days" in r.output


# One fleet for every test here: action() numbers event ids globally, and alert ids derive from them.
ACTS = [action(at=timedelta(minutes=i), tool="shell.exec" if i % 3 == 0 else "zendesk.get_ticket") for i in range(12)]


def fleet_files(tmp_path: Path, extra: list[bytes]) -> tuple[Path, Path]:
    intents = tmp_path / "intents"
    intents.mkdir(exist_ok=True)
    (intents / "support-1.json").write_text(manifest(rate_limit=None).model_dump_json())
    lines = [a.model_dump_json().encode() for a in ACTS]
    events = tmp_path / "actions.jsonl"
    events.write_bytes(b"\n".join(lines[:6] + extra + lines[6:]) + b"\n")
    return intents, events


def run_replay(tmp_path: Path, intents: Path, events: Path, *extra: str):
    r = runner.invoke(app, ["replay", str(events), "--intents", str(intents), "--alerts", str(tmp_path / "alerts.jsonl"),
                            "--commands", str(tmp_path / "commands.jsonl"), "--dead-letter", str(tmp_path / "dlq.jsonl"),
                            "--quiet", *extra])
    assert r.exit_code == 0, r.output
    dead = [orjson.loads(x) for x in (tmp_path / "dlq.jsonl").read_bytes().splitlines()] if (tmp_path / "dlq.jsonl").exists() else []
    return (tmp_path / "alerts.jsonl").read_bytes(), (tmp_path / "commands.jsonl").read_bytes(), dead


POISON = [  # each crashed replay or slipped through before (issue 17, finding 1)
    line(event_id="y1", time="9999-12-31T23:59:59-23:59"),
    line(event_id="y2", time="0001-01-01T00:00:00+23:59"),
    line(event_id="y3", bytes=1e30),
    line(event_id="y4", bytes=True),
    line(event_id="y5", time=-1),
    line(event_id="y6").replace(b'"operation"', b'"bytes":123456789012345678901234567890,"operation"'),
]


def test_schema_valid_poison_is_dead_lettered_and_the_rest_is_identical(tmp_path):
    clean = run_replay(tmp_path, *fleet_files(tmp_path, []))
    alerts, commands, dead = run_replay(tmp_path, *fleet_files(tmp_path, POISON))
    assert (alerts, commands) == clean[:2] and alerts
    assert [d["source"].rsplit(":", 1)[1] for d in dead] == [str(7 + i) for i in range(len(POISON))]
    assert all(d["size"] == len(p) and d["sha256"] == hashlib.sha256(p).hexdigest() for d, p in zip(dead, POISON))


class FailsOn:
    """An engine whose judging raises on one event id: stands for any bug the fuzzer has not found
    yet. It wraps a real engine (a compiled class cannot be subclassed from Python)."""

    def __init__(self):
        self.engine = Engine()

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def process_action(self, a, fingerprint=-1):
        if a.event_id == "boom":
            raise OverflowError("date value out of range")
        return self.engine.process_action(a, fingerprint)


def test_any_exception_while_judging_costs_that_event_only(tmp_path):
    intents, events = fleet_files(tmp_path, [line(event_id="boom")])
    out: list = []
    dead = DeadLetterFile(tmp_path / "dl.jsonl")
    from intentwatch.pipeline.hosts.replay import manifest_instantiations
    from intentwatch.pipeline.io.intents import load_manifests

    summary = replay(FailsOn(), events, manifest_instantiations(load_manifests(intents).manifests), out.append, dead, now=NOW)
    dead.close()
    rec = orjson.loads((tmp_path / "dl.jsonl").read_bytes())
    assert rec["source"] == f"{events}:7"
    assert rec["reason"] == "failed while processing: OverflowError: date value out of range"
    assert summary.actions == 12 and summary.bad == 1


def test_oversized_line_is_never_read_whole_and_its_dead_letter_is_bounded(tmp_path):
    big = line(event_id="big", attributes={"blob": "A" * 5_000_000})
    alerts, _, dead = run_replay(tmp_path, *fleet_files(tmp_path, [big]))
    assert len(dead) == 1
    d = dead[0]
    assert d["reason"] == f"message is {len(big)} bytes, over the 1048576-byte limit"
    assert d["size"] == len(big) and d["sha256"] == hashlib.sha256(big).hexdigest() and d["truncated"]
    assert len(d["raw"]) == 65_536 and big.startswith(d["raw"].encode())
    assert alerts == run_replay(tmp_path, *fleet_files(tmp_path, []))[0]


# -- finding 2: event time one writer cannot steer ------------------------------------------------
def expiring_fleet(n: int) -> tuple[list, list]:
    """``n`` enforce agents whose manifests expire on days 2..n+1, and a day of their actions."""
    lifecycle, acts = [], []
    for i in range(n):
        m = manifest(f"agent-{i:02d}", rate_limit=None, schedule=None,
                     expires_at=(T0 + timedelta(days=2 + i)).isoformat())
        lifecycle.append(instantiate(m))
        acts += [action(f"agent-{i:02d}", at=timedelta(minutes=10 * i + k)) for k in range(3)]
    return lifecycle, sorted(acts, key=lambda a: a.time)


def run_engine(tmp_path: Path, lifecycle, acts: list, extra: list[bytes], engine: Engine | None = None, now: float = NOW):
    events = tmp_path / "e.jsonl"
    events.write_bytes(b"\n".join([a.model_dump_json().encode() for a in acts] + extra) + b"\n")
    out: list = []
    dead = DeadLetterFile(None)
    replay(engine or Engine(), events, lifecycle, out.append, dead, now=now)
    return out, dead


def test_one_action_stamped_2099_does_not_decommission_the_fleet(tmp_path):
    lifecycle, acts = expiring_fleet(40)
    clean, _ = run_engine(tmp_path, lifecycle, acts, [])
    poisoned, dead = run_engine(tmp_path, lifecycle, acts, [line(event_id="far", agent_id="nobody", time="2099-01-01T00:00:00Z")])
    assert [o.model_dump_json() for o in poisoned] == [o.model_dump_json() for o in clean]
    assert not [o for o in clean if isinstance(o, RevocationCommand)]  # nothing expired within the fleet's day
    assert dead.count == 1 and dead.reasons["event time 2099-01-01T00"] == 1


def test_a_mass_expiry_by_a_clock_jump_goes_through_the_circuit_breaker(tmp_path):
    """Without the clock bound (the host's clock itself far ahead), 40 expiries fall due at once:
    the breaker lets 25 commands through per 300 s of engine time and withholds the rest."""
    lifecycle, acts = expiring_fleet(40)
    far = datetime(2099, 1, 1, tzinfo=timezone.utc)
    out, dead = run_engine(tmp_path, lifecycle, acts, [line(event_id="far", agent_id="nobody", time=far.isoformat())],
                           now=far.timestamp())
    commands = [o for o in out if isinstance(o, RevocationCommand)]
    assert dead.count == 0 and len(commands) == 25
    breaker = [o for o in out if isinstance(o, Alert) and o.rule_id == "pipeline.circuit_breaker"]
    assert breaker and breaker[-1].count == 15


# -- finding 3: de-duplication ------------------------------------------------------------------
ACTS_30 = [action(at=timedelta(minutes=i), tool="shell.exec" if i % 3 == 0 else "zendesk.get_ticket",
                  credential_id="key-stolen" if i == 7 else "key-1") for i in range(30)]


def alert_stream(tmp_path: Path, copies: int):
    intents = tmp_path / "intents"
    intents.mkdir(exist_ok=True)
    (intents / "support-1.json").write_text(manifest(rate_limit=None).model_dump_json())
    once = [a.model_dump_json().encode() for a in ACTS_30]
    events = tmp_path / f"x{copies}.jsonl"
    events.write_bytes(b"\n".join(once * copies) + b"\n")
    return run_replay(tmp_path, intents, events)


def test_the_same_stream_twice_gives_the_same_alerts_as_once(tmp_path):
    alerts1, commands1, dead1 = alert_stream(tmp_path, 1)
    alerts2, commands2, dead2 = alert_stream(tmp_path, 2)
    assert alerts2 == alerts1 and commands2 == commands1 and alerts1 and commands1
    assert dead1 == [] and dead2 == []  # within the window: redelivery is counted and dropped, not a dead letter


def test_a_replayed_segment_older_than_the_window_is_dead_lettered_as_late():
    eng = Engine(EngineConfig(dedup_window_seconds=600))
    acts = [action(at=timedelta(minutes=i)) for i in range(30)]
    for a in acts:
        eng.process_action(a)
    eng.process_action(acts[25])  # inside the last 10 minutes: a duplicate, dropped
    assert eng.stats["duplicates"] == 1
    with pytest.raises(InputError, match="older than the de-duplication window"):
        eng.process_action(acts[3])


def test_a_reused_event_id_with_other_content_is_a_conflicting_duplicate(tmp_path):
    intents, events = fleet_files(tmp_path, [])
    lines = events.read_bytes().splitlines()
    first = orjson.loads(lines[0])
    forged = orjson.dumps({**first, "tool": "shell.exec", "resource": "file:///etc/shadow"})
    events.write_bytes(b"\n".join(lines + [forged]) + b"\n")
    alerts, _, dead = run_replay(tmp_path, intents, events)
    assert len(dead) == 1 and "seen before with other content (conflicting duplicate)" in dead[0]["reason"]
    payloads: dict[str, set] = {}
    for a in map(orjson.loads, alerts.splitlines()):
        payloads.setdefault(a["alert_id"], set()).add(orjson.dumps(a["evidence"]["action"]))
    assert all(len(p) == 1 for p in payloads.values())  # an alert id never carries two different actions


def test_dedup_memory_is_bounded_and_survives_a_checkpoint():
    eng = Engine(EngineConfig(dedup_max_events=50))
    acts = [action(at=timedelta(seconds=i)) for i in range(200)]
    for a in acts:
        eng.process_action(a, zlib.crc32(a.model_dump_json().encode()))
    st = eng.agents["support-1"]
    assert len(st.seen) == 50
    restored = AgentState.from_record(orjson.loads(orjson.dumps(st.to_record())), eng.checks)
    assert restored.seen == st.seen and restored.seen_floor == st.seen_floor
    other = Engine(EngineConfig(dedup_max_events=50))
    other.restore(restored)
    assert other.process_action(acts[-1], zlib.crc32(acts[-1].model_dump_json().encode())) == []
    assert other.stats["duplicates"] == 1


# -- finding 6: bounded per-agent lists -----------------------------------------------------------
def test_fifteen_thousand_credentials_keep_the_state_record_small():
    eng = Engine()
    eng.process(instantiate(manifest(rate_limit=None, schedule=None)))
    for i in range(15_000):
        eng.process_action(action(at=timedelta(seconds=i), credential_id=f"cred-{i:05d}"))
    st = eng.agents["support-1"]
    assert len(st.cred_last) <= 256 and len(st.revoked) <= 256
    assert len(orjson.dumps(st.to_record())) < 256_000  # far below Kafka's 1 MB default message size


def test_pending_lifecycle_changes_per_agent_are_capped(tmp_path):
    m = manifest(rate_limit=None)
    lifecycle = [instantiate(m, at=timedelta(days=10 + i)) for i in range(40)]
    out, dead = run_engine(tmp_path, lifecycle, [action()], [], engine=Engine(EngineConfig(max_pending_per_agent=32)))
    assert dead.count == 8 and dead.reasons["agent 'support-1' already has 32 lifecycle changes or verdicts waiting for their time (engine.max_pending_per_agent)"] == 8


# -- finding 7: secrets --------------------------------------------------------------------------
def test_dead_letter_reasons_quote_no_more_than_a_short_prefix(tmp_path):
    secret = "sk-live-51HxABCDEFGHIJKLMNOPQRSTUV"
    with pytest.raises(InputError) as e:
        decode_action(line(bytes=secret), "f:1")
    assert "51Hx" not in e.value.reason and f"'sk-l…' (str of {len(secret)} characters)" in e.value.reason


def test_settings_print_kafka_extra_secrets_masked():
    s = Settings(kafka=KafkaSettings(sasl_password="pw-1", extra={"sasl.oauthbearer.client.secret": "oidc-SECRET",
                                                                  "sasl.oauthbearer.client.id": "worker-app"}))
    shown = s.model_dump_json() + repr(s) + str(s.model_dump())
    assert "oidc-SECRET" not in shown and "pw-1" not in shown and "worker-app" in shown
    assert s.kafka.client_config()["sasl.oauthbearer.client.secret"] == "oidc-SECRET"  # librdkafka still gets it


def test_produce_keys_poison_without_crashing_and_never_reads_a_huge_line_whole(tmp_path):
    from intentwatch.pipeline.io.feed import _key_and_time, file_lines

    assert _key_and_time(line(time="9999-12-31T23:59:59-23:59"), "f:1") == (b"support-1", None)  # not a message timestamp
    assert _key_and_time(line(time="1969-12-31T23:00:00Z"), "f:1") == (b"support-1", None)  # no negative timestamps
    path = tmp_path / "big.jsonl"
    path.write_bytes(line() + b"\n" + b"x" * 3_000_000 + b"\n" + line() + b"\n")
    got = list(file_lines(path, 1000))
    assert [len(raw) for _, raw in got] == [len(line()), 1002, len(line())]
    assert got[1][1].size == 3_000_000 and got[1][1].sha256 == hashlib.sha256(b"x" * 3_000_000).hexdigest()

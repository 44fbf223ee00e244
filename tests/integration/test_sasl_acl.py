"""Trust no writer, on the wire (issue 17): a broker with a SASL_SSL (SCRAM-SHA-512) listener,
the StandardAuthorizer and ``allow.everyone.if.no.acl.found=false``, holding exactly the ACLs
docs/trust.md lists. A producer without write access to the lifecycle topic is refused by the
broker; a principal without ACLs cannot even read; a wrong password does not authenticate; the
worker runs with its own credentials (``INTENTWATCH_KAFKA__*``) and publishes replay's alerts;
no password appears in anything the worker or our CLI writes.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType, AdminClient, ResourcePatternType,
                                   ResourceType)

from tests.integration.conftest import SecuredBroker
from tests.integration.secured import client_env
from tests.integration.support import INTENTWATCH, PARTITIONS, Comparison, Pipeline
from tests.integration.test_worker import _assert_same_ids

R, W, D = AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE
LITERAL, PREFIXED = ResourcePatternType.LITERAL, ResourcePatternType.PREFIXED


def pipeline_acls(p: Pipeline) -> dict[str, list[tuple[ResourceType, str, ResourcePatternType, AclOperation]]]:
    """docs/trust.md's table, for this test's topic names and group (principal -> grants)."""
    t = p.topics

    def topics(ops, *names):
        return [(ResourceType.TOPIC, n, LITERAL, op) for n in names for op in ops]

    return {
        "agent-gateway": topics((W, D), t.actions),
        "registry": topics((W, D), t.lifecycle),
        "soc-console": topics((W, D), t.feedback),
        "intentwatch": [
            *topics((R, D), t.actions, t.lifecycle, t.feedback, t.state, t.credentials, t.definitions),
            *topics((W, D), t.alerts, t.revocations, t.dlq, t.state, t.credentials, t.definitions),
            # The worker's groups: <group_id>, <group_id>-restore, <group_id>-credentials-<instance>,
            # <group_id>-definitions-<instance>.
            (ResourceType.GROUP, p.group, PREFIXED, R),
            # Its transactional producer: transactional.id <group_id>-<instance>.
            (ResourceType.TRANSACTIONAL_ID, p.group, PREFIXED, W),
            (ResourceType.TRANSACTIONAL_ID, p.group, PREFIXED, D),
            (ResourceType.BROKER, "kafka-cluster", LITERAL, AclOperation.IDEMPOTENT_WRITE),
        ],
        "iam-enforcer": [*topics((R, D), t.revocations), (ResourceType.GROUP, "iam-enforcer", LITERAL, R)],
        "siem": [*topics((R, D), t.alerts, t.dlq), (ResourceType.GROUP, "siem", LITERAL, R)],
        # "intruder": nothing.
    }


def grant(admin: AdminClient, acls: dict[str, list]) -> int:
    bindings = list(dict.fromkeys(  # once each: Describe on a topic both read and written is listed twice
        AclBinding(kind, name, pattern, f"User:{user}", "*", op, AclPermissionType.ALLOW)
        for user, grants in acls.items() for kind, name, pattern, op in grants))
    for future in admin.create_acls(bindings, request_timeout=30).values():
        future.result()
    # The controller accepted them; wait until the broker's authorizer holds them (metadata propagation).
    wanted, deadline = set(bindings), time.monotonic() + 30
    anything = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY,
                                AclPermissionType.ANY)
    while not wanted <= set(admin.describe_acls(anything, request_timeout=10).result()):
        assert time.monotonic() < deadline, "the broker does not show the ACLs 30 s after they were created"
        time.sleep(0.2)
    return len(bindings)


def try_produce(settings, topic: str, value: bytes = b'{"probe": 1}', timeout: float = 30) -> tuple[list[KafkaError], list[KafkaError]]:
    """Produce one message as ``settings``' user; (delivery errors, client errors). A delivered message gives ([None], [])."""
    delivered: list = []
    client_errors: list[KafkaError] = []
    p = Producer({**settings.client_config(), "enable.idempotence": True, "message.timeout.ms": int(timeout * 1000),
                  "error_cb": client_errors.append})
    p.produce(topic, key=b"probe", value=value, on_delivery=lambda err, _m: delivered.append(err))
    p.flush(timeout + 5)
    return delivered, client_errors


def read_as(settings, topic: str, group: str, seconds: float = 15, want: int | None = None) -> tuple[int, set[int]]:
    """Read every partition of ``topic`` from the beginning as ``settings``' user, for ``seconds`` or until
    ``want`` messages: (messages read, error codes seen, the topic's metadata error included)."""
    c = Consumer({**settings.client_config(), "group.id": group, "enable.auto.commit": False})
    n, codes = 0, set()
    try:
        meta = c.list_topics(topic, timeout=15).topics[topic]
        if meta.error is not None:
            codes.add(meta.error.code())
        c.assign([TopicPartition(topic, part, OFFSET_BEGINNING) for part in range(PARTITIONS)])
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and n != want:
            for m in c.consume(100, 0.5):
                if m.error():
                    codes.add(m.error().code())
                else:
                    n += 1
    finally:
        c.close()
    return n, codes


@pytest.fixture
def secured_pipeline(secured_broker: SecuredBroker, tmp_path: Path) -> Pipeline:
    p = Pipeline(secured_broker.broker.bootstrap, tmp_path, admin=secured_broker.settings("admin"))
    p.create_topics()
    admin = AdminClient(secured_broker.settings("admin").client_config())
    assert grant(admin, pipeline_acls(p)) >= 25
    p.extra_env = client_env(secured_broker.settings("intentwatch"))  # workers run as User:intentwatch
    try:
        yield p
    finally:
        p.close()


def _as(secured: SecuredBroker, p: Pipeline, user: str) -> dict[str, str]:
    """The environment an operator gives ``intentwatch`` to run as ``user``."""
    return {**p.env(), **client_env(secured.settings(user))}


def _produce(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([INTENTWATCH, "produce", *args, "--dead-letter", str(cwd / "produce-dl.jsonl")], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_writers_without_an_acl_are_refused(secured_broker: SecuredBroker, secured_pipeline: Pipeline):
    s, p, t = secured_broker, secured_pipeline, secured_pipeline.topics
    # The gateway may write actions, and nothing else: the broker refuses its lifecycle event.
    delivered, _ = try_produce(s.settings("agent-gateway"), t.actions)
    assert delivered == [None], delivered
    delivered, _ = try_produce(s.settings("agent-gateway"), t.lifecycle, b'{"kind": "decommission"}')
    assert [e.code() for e in delivered] == [KafkaError.TOPIC_AUTHORIZATION_FAILED], delivered
    delivered, _ = try_produce(s.settings("agent-gateway"), t.feedback)
    assert [e.code() for e in delivered] == [KafkaError.TOPIC_AUTHORIZATION_FAILED], delivered
    # Nor may the workers' own principal forge control-plane events.
    delivered, _ = try_produce(s.settings("intentwatch"), t.lifecycle)
    assert [e.code() for e in delivered] == [KafkaError.TOPIC_AUTHORIZATION_FAILED], delivered
    delivered, _ = try_produce(s.settings("soc-console"), t.feedback)
    assert delivered == [None], delivered

    # The same refusal through our CLI, as a user runs it: it exits non-zero and says why.
    lifecycle = p.workdir / "forged-lifecycle.jsonl"
    lifecycle.write_text('{"kind": "decommission", "agent_id": "a1", "time": "2025-01-01T00:00:00Z", "event_id": "f1"}\n')
    r = _produce(_as(s, p, "agent-gateway"), p.workdir, str(lifecycle), "--topic", t.lifecycle)
    assert r.returncode != 0 and "authorization failed" in (r.stdout + r.stderr).lower(), r.stdout + r.stderr

    # The intruder (authenticated, no ACLs) can neither read nor write.
    n, codes = read_as(s.settings("intruder"), t.actions, "intruder", seconds=5)
    assert n == 0 and KafkaError.TOPIC_AUTHORIZATION_FAILED in codes, codes
    delivered, _ = try_produce(s.settings("intruder"), t.actions)
    assert [e.code() for e in delivered] == [KafkaError.TOPIC_AUTHORIZATION_FAILED], delivered
    # The enforcer reads revocations but not the actions.
    n, codes = read_as(s.settings("iam-enforcer"), t.actions, "iam-enforcer", seconds=5)
    assert n == 0 and codes == {KafkaError.TOPIC_AUTHORIZATION_FAILED}, codes

    # A wrong password does not authenticate: nothing is delivered, the client reports why.
    delivered, client_errors = try_produce(s.settings("agent-gateway", password="not-" + s.passwords["agent-gateway"]),
                                           t.actions, timeout=8)
    assert delivered and all(e is not None for e in delivered), delivered
    assert KafkaError._AUTHENTICATION in {e.code() for e in client_errors}, client_errors

    out = r.stdout + r.stderr
    for user, password in s.passwords.items():
        assert password not in out, f"{user}'s password in the CLI's output"


def test_worker_with_its_own_credentials(secured_broker: SecuredBroker, secured_pipeline: Pipeline, fleet):
    s, p, t = secured_broker, secured_pipeline, secured_pipeline.topics
    f = fleet(40, 3, 5)
    outputs = [_produce(_as(s, p, "registry"), p.workdir, str(f.lifecycle), "--topic", t.lifecycle, "--intents", str(f.intents)),
               _produce(_as(s, p, "agent-gateway"), p.workdir, str(f.actions))]
    for r in outputs:
        assert r.returncode == 0, r.stdout + r.stderr

    worker = p.start_worker("w1")
    p.wait_drained([worker], timeout=240)
    assert worker.alive, p.logs()
    alerts = [r.json() for r in p.read_all(t.alerts)]
    commands = [r.json() for r in p.read_all(t.revocations)]
    _assert_same_ids(Comparison(f.alerts, f.commands, alerts, commands), p.logs())
    assert alerts and commands, "nothing to compare: the fleet should make replay alert and issue commands"

    # The enforcer reads the commands and the SIEM the alerts, each with its own credentials; not each other's.
    n, codes = read_as(s.settings("iam-enforcer"), t.revocations, "iam-enforcer", seconds=30, want=len(commands))
    assert n == len(commands) and not codes, (n, len(commands), codes)
    n, codes = read_as(s.settings("siem"), t.alerts, "siem", seconds=30, want=len(alerts))
    assert n == len(alerts) and not codes, (n, len(alerts), codes)
    n, codes = read_as(s.settings("siem"), t.revocations, "siem", seconds=5)
    assert n == 0 and codes == {KafkaError.TOPIC_AUTHORIZATION_FAILED}, codes
    worker.stop()

    # No password in anything the worker or the CLI wrote: its log (stdout and stderr), its
    # status file, the producers' output. The effective config is printed, masked.
    texts = {str(w.log): w.log.read_text(errors="replace") for w in p.workers}
    texts.update({str(x): x.read_text(errors="replace") for x in (p.workdir / "worker-state").glob("*.json")})
    texts.update({f"produce {i}": r.stdout + r.stderr for i, r in enumerate(outputs)})
    assert any(x.endswith(".status.json") for x in texts), sorted(texts)
    log = texts[str(worker.log)]
    assert '"sasl_username":"intentwatch"' in log and '"sasl_password":"**********"' in log, log[:2000]
    for where, text in texts.items():
        for user, password in s.passwords.items():
            assert password not in text, f"{user}'s password appears in {where}"

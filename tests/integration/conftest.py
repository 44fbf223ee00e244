"""Integration fixtures: one real Kafka broker per session, a fresh pipeline namespace per test.

Where the broker comes from, first that works:

1. ``KAFKA_BOOTSTRAP_SERVERS`` (host:port of a broker someone else runs);
2. the local KRaft broker of ``deploy/kafka/broker.sh`` on free ports, data in a temporary
   directory, stopped and deleted at the end of the session;
3. if broker.sh exits 3 (no Java 17+ or Maven) and a Docker engine answers, a
   testcontainers ``cp-kafka`` in KRaft mode;
4. otherwise the tests skip — except under ``CI=true``, where a missing broker fails the run.
"""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from intentwatch.pipeline.io.kafka import wait_for_broker
from intentwatch.pipeline.settings import KafkaSettings
from tests.integration.secured import Tls, client_settings, make_tls, new_passwords, write_users_file
from tests.integration.support import REPO, Fleet, Pipeline, simulate_fleet

BROKER_SH = REPO / "deploy" / "kafka" / "broker.sh"
NO_JAVA_OR_MAVEN = 3
PORT_TAKEN = 2


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


def _no_broker(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"no Kafka for the integration tests under CI=true: {reason}. Set KAFKA_BOOTSTRAP_SERVERS, "
                    "or install Java 17+ and Maven (deploy/kafka/broker.sh), or run a Docker engine.", pytrace=False)
    pytest.skip(f"no Kafka: {reason}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _local_broker(request, data_dir: Path) -> tuple[str | None, str]:
    """Start broker.sh on free ports; (bootstrap, '') or (None, why) when Java/Maven are missing."""
    broker, out = _start_local(request, data_dir)
    return (broker.bootstrap if broker is not None else None), out


class LocalBroker:
    """A broker.sh broker this process started: ``stop()`` and ``start()`` it again (same ports, same data)."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.bootstrap = f"127.0.0.1:{env['KAFKA_PORT']}"

    def _run(self, action: str) -> None:
        r = subprocess.run(["bash", str(BROKER_SH), action], env=self.env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, f"broker.sh {action} failed:\n{r.stdout}{r.stderr}"

    def stop(self) -> None:
        self._run("stop")

    def start(self) -> None:
        self._run("start")


def _start_local(request, data_dir: Path, extra_env: dict[str, str] | None = None) -> tuple[LocalBroker | None, str]:
    out = ""
    for _attempt in range(3):  # a port picked free may be taken before the broker binds it
        port, controller = _free_port(), _free_port()
        env = {**os.environ, "KAFKA_PORT": str(port), "KAFKA_CONTROLLER_PORT": str(controller),
               "KAFKA_DATA_DIR": str(data_dir), **(extra_env or {})}

        def reset(env=env) -> None:  # stop and delete, also after a failed or half-done start
            subprocess.run(["bash", str(BROKER_SH), "reset"], env=env, capture_output=True, timeout=120)

        request.addfinalizer(reset)
        r = subprocess.run(["bash", str(BROKER_SH), "start"], env=env, capture_output=True, text=True, timeout=900)
        out = (r.stdout + r.stderr).strip()
        if r.returncode == 0:
            return LocalBroker(env), out
        if r.returncode == NO_JAVA_OR_MAVEN:
            return None, out
        if r.returncode != PORT_TAKEN:
            break
        reset()
    pytest.fail(f"deploy/kafka/broker.sh start failed:\n{out}", pytrace=False)


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=5).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means: no usable engine
        return False


def _container_broker(request) -> str:
    from testcontainers.community.kafka import KafkaContainer

    kafka = (KafkaContainer("confluentinc/cp-kafka:8.0.0").with_kraft()
             .with_env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
             .with_env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
             # Like deploy/kafka/server.properties.in: simulated history carries months-old event-time
             # timestamps, which the default 7-day retention would delete under the test.
             .with_env("KAFKA_LOG_RETENTION_MS", "-1"))
    request.addfinalizer(kafka.stop)
    kafka.start()
    return kafka.get_bootstrap_server()


@pytest.fixture(scope="session")
def kafka_bootstrap(request, tmp_path_factory) -> str:
    """host:port of a Kafka broker for this session (see the module docstring for the order)."""
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        source = f"KAFKA_BOOTSTRAP_SERVERS={given}"
        bootstrap = given
    else:
        bootstrap, why = _local_broker(request, tmp_path_factory.mktemp("kafka-data"))
        source = f"deploy/kafka/broker.sh at {bootstrap}"
        if bootstrap is None:
            if not _docker_answers():
                _no_broker(f"{why.splitlines()[-1] if why else 'broker.sh exited 3'}; and no Docker engine answers")
            bootstrap = _container_broker(request)
            source = f"testcontainers cp-kafka at {bootstrap}"
    try:
        wait_for_broker(KafkaSettings(bootstrap_servers=bootstrap), timeout=60)
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"Kafka from {source} does not answer: {e}", pytrace=False)
    print(f"\nintegration tests use Kafka from {source}")
    return bootstrap


@pytest.fixture
def own_broker(request, tmp_path_factory) -> LocalBroker:
    """A local broker of this test's own, which it may stop and start (outage tests)."""
    broker, why = _start_local(request, tmp_path_factory.mktemp("own-kafka"))
    if broker is None:
        _no_broker(why.splitlines()[-1] if why else "broker.sh exited 3")
    wait_for_broker(KafkaSettings(bootstrap_servers=broker.bootstrap), timeout=60)
    return broker


@dataclass
class SecuredBroker:
    """A broker.sh broker in KAFKA_SECURITY=sasl_ssl mode: SCRAM users with random passwords, ACLs enforced."""

    broker: LocalBroker
    tls: Tls
    passwords: dict[str, str]

    def settings(self, user: str, password: str | None = None) -> KafkaSettings:
        return client_settings(self.broker.bootstrap, self.tls, user, password or self.passwords[user])


@pytest.fixture(scope="module")
def secured_broker(request, tmp_path_factory) -> SecuredBroker:
    """A broker of this test's own with a SASL_SSL (SCRAM-SHA-512) listener and the StandardAuthorizer;
    users admin (the only super user), intentwatch, agent-gateway, registry, soc-console, iam-enforcer, siem,
    intruder (docs/trust.md's principals, and one without ACLs)."""
    d = tmp_path_factory.mktemp("secured-kafka")
    tls = make_tls(d / "tls")
    passwords = new_passwords(["admin", "intentwatch", "agent-gateway", "registry", "soc-console", "iam-enforcer", "siem",
                               "intruder"])
    users = write_users_file(d / "scram-users", passwords)
    broker, why = _start_local(request, d / "data", {"KAFKA_SECURITY": "sasl_ssl", "KAFKA_SCRAM_USERS_FILE": str(users),
                                                     "KAFKA_SSL_KEYSTORE": str(tls.keystore), "KAFKA_SSL_CA": str(tls.ca)})
    if broker is None:
        _no_broker(why.splitlines()[-1] if why else "broker.sh exited 3")
    secured = SecuredBroker(broker, tls, passwords)
    wait_for_broker(secured.settings("admin"), timeout=60)
    return secured


@pytest.fixture
def kafka_pipeline(kafka_bootstrap, tmp_path) -> Pipeline:
    """Fresh topic names and consumer group for one test; its workers are stopped at teardown."""
    p = Pipeline(kafka_bootstrap, tmp_path)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture(scope="session")
def fleet(tmp_path_factory):
    """``fleet(agents, days, seed)``: simulated files and replay's outputs on them, made once per session."""
    made: dict[tuple[int, int, int], Fleet] = {}

    def make(agents: int, days: int, seed: int) -> Fleet:
        key = (agents, days, seed)
        if key not in made:
            made[key] = simulate_fleet(tmp_path_factory.mktemp(f"fleet-{agents}-{days}-{seed}"), agents, days, seed)
        return made[key]

    return make

"""The worker's HTTP side (pipeline/hosts/metrics.py): /metrics in the Prometheus text format,
/healthz failing when the poll loop stops going round, /readyz before and after catch-up.
On a real server (port 0), no broker."""

import time
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from intentwatch.pipeline.hosts.metrics import Health, MetricsServer, WorkerMetrics


@pytest.fixture
def served():
    metrics, health = WorkerMetrics(), Health(liveness_seconds=0.5)
    server = MetricsServer(metrics, health, "127.0.0.1", 0)
    yield metrics, health, server
    server.close()


def get(server: MetricsServer, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for fam in text_string_to_metric_families(text) for s in fam.samples}


def test_metrics_are_served_with_their_labels(served):
    metrics, _health, server = served
    metrics.events.labels("agent.actions", "native").inc(2000)
    metrics.alerts.labels("behaviour.rate_burst", "medium", "open").inc()
    metrics.dead_letters.labels("agent.actions", "invalid_json").inc(3)
    metrics.latency.observe(0.2)
    metrics.lag.labels("agent.actions", "0").set(42)
    code, text = get(server, "/metrics")
    got = samples(text)
    assert code == 200
    assert got["intentwatch_events_total", (("format", "native"), ("topic", "agent.actions"))] == 2000
    assert got["intentwatch_alerts_total", (("rule", "behaviour.rate_burst"), ("severity", "medium"), ("status", "open"))] == 1
    assert got["intentwatch_dead_letters_total", (("reason", "invalid_json"), ("topic", "agent.actions"))] == 3
    assert got["intentwatch_alert_latency_seconds_bucket", (("le", "0.25"),)] == 1
    assert got["intentwatch_alert_latency_seconds_bucket", (("le", "0.1"),)] == 0
    assert got["intentwatch_consumer_lag", (("partition", "0"), ("topic", "agent.actions"))] == 42


def test_two_workers_in_one_process_keep_their_own_counts():
    a, b = WorkerMetrics(), WorkerMetrics()
    a.commands.labels("suspend").inc()
    assert "intentwatch_commands_total" in a.render().decode()
    assert 'intentwatch_commands_total{action="suspend"}' not in b.render().decode()


def test_healthz_follows_the_poll_loop(served):
    _metrics, health, server = served
    health.beat()
    assert get(server, "/healthz")[0] == 200
    time.sleep(0.7)  # the loop stopped going round for longer than liveness_seconds
    code, why = get(server, "/healthz")
    assert code == 503 and "quiet" in why
    health.beat()
    assert get(server, "/healthz")[0] == 200


def test_readyz_waits_for_start_and_catch_up(served):
    _metrics, health, server = served
    assert get(server, "/readyz") == (503, "starting\n")
    health.started = True
    assert get(server, "/readyz") == (503, "reading lifecycle and feedback to their end\n")
    health.ready = True
    assert get(server, "/readyz") == (200, "ready\n")


def test_unknown_paths_are_404(served):
    assert get(served[2], "/")[0] == 404

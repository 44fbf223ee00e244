"""What a streaming worker exposes over HTTP: Prometheus metrics, liveness and readiness.

``/metrics``  the worker's counters in the Prometheus text format (one registry per worker,
              so two workers in one process, as in tests, do not mix).
``/healthz``  200 while the poll loop is progressing (it beat within ``liveness_seconds``),
              503 when it is stuck. A worker that holds no partitions still polls: alive.
``/readyz``   200 once the worker has started and its lifecycle and feedback partitions are
              read to the end they had at assignment (so every intent and verdict is known
              before actions are judged); 503 before. No partitions: nothing to catch up, ready.

The server runs in a daemon thread beside the blocking poll loop and only reads what the
loop writes (a float for the last beat, a bool for ready, the registry's own locked values).
The loop counts per batch, not per event: ``events`` takes the number of records of a topic
in a batch.
"""

import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

log = logging.getLogger("intentwatch.worker")

# Event time -> alert published. Live traffic lands in the first buckets; replayed history
# (event times long past) in +Inf.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
CHECKPOINT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class WorkerMetrics:
    """The worker's Prometheus metrics, in a registry of its own."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.events = Counter("intentwatch_events", "Records read from an input topic (valid or not).",
                              ["topic", "format"], registry=r)
        self.alerts = Counter("intentwatch_alerts", "Alert publications (an open alert, then its final count).",
                              ["rule", "severity", "status"], registry=r)
        self.commands = Counter("intentwatch_commands", "Revocation commands published.", ["action"], registry=r)
        self.breaker_trips = Counter("intentwatch_circuit_breaker_trips",
                                     "Circuit-breaker alerts opened (a burst of commands held back).", registry=r)
        self.withheld = Counter("intentwatch_commands_withheld", "Revocation commands the circuit breaker held back.",
                                registry=r)
        self.dead_letters = Counter("intentwatch_dead_letters", "Records sent to the dead-letter topic.",
                                    ["topic", "reason"], registry=r)
        self.latency = Histogram("intentwatch_alert_latency_seconds",
                                 "Event time of the action that opened an alert to the alert's publication.",
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.lag = Gauge("intentwatch_consumer_lag", "Records between the worker's position and the partition's end.",
                         ["topic", "partition"], registry=r)
        self.partitions = Gauge("intentwatch_assigned_partitions", "Partitions of the actions topic this worker holds.",
                                registry=r)
        self.encode_seconds = Counter("intentwatch_alert_encode_seconds",
                                      "CPU seconds the poll loop spent rendering alerts, per output format.",
                                      ["format"], registry=r)
        self.rebalances = Counter("intentwatch_rebalances", "Partition assignments and revocations this worker took.",
                                  ["kind"], registry=r)
        self.agents = Gauge("intentwatch_agents", "Agents whose state this worker holds (live or compacted to its record).",
                            registry=r)
        self.agents_live = Gauge("intentwatch_agents_live", "Agents held as live state in memory (the rest compacted).",
                                 registry=r)
        self.warm_agents = Gauge("intentwatch_agents_warm", "Agents past their behaviour warm-up.", registry=r)
        self.checkpoint_seconds = Histogram("intentwatch_checkpoint_duration_seconds",
                                            "Flush outputs, then commit state and offsets in one transaction.",
                                            buckets=CHECKPOINT_BUCKETS, registry=r)
        self.checkpoint_bytes = Gauge("intentwatch_checkpoint_bytes", "Agent state written by the last checkpoint.",
                                      registry=r)
        self.checkpoint_agents = Gauge("intentwatch_checkpoint_agents", "Agents written by the last checkpoint.",
                                       registry=r)
        self.loop_seconds = Counter("intentwatch_loop_seconds", "Wall seconds of the worker by stage: poll (waiting for "
                                    "records), process, checkpoint (the poll thread's part), serialise (agent state, in "
                                    "it), commit (offsets and transaction, on the checkpoint thread), gc (the cyclic "
                                    "garbage collector, gc full: its full collections).", ["stage"], registry=r)
        self.ready = Gauge("intentwatch_ready", "1 when lifecycle and feedback are caught up (see /readyz).", registry=r)
        self.last_beat = Gauge("intentwatch_loop_last_beat_timestamp_seconds", "When the poll loop last went round.",
                               registry=r)

    def encode_seconds_of(self, formats: list[str]) -> dict[str, float]:
        """``encode_seconds`` per format so far (0 for a format that rendered nothing)."""
        get = self.registry.get_sample_value
        return {f: get("intentwatch_alert_encode_seconds_total", {"format": f}) or 0.0 for f in formats}

    def render(self) -> bytes:
        return generate_latest(self.registry)


class Health:
    """What the probes ask, written by the poll loop, read by the HTTP thread."""

    def __init__(self, liveness_seconds: float):
        self.liveness_seconds = liveness_seconds
        self.beat_at = time.monotonic()
        self.started = False    # the loop is running (transactions set up, credentials read)
        self.ready = False

    def beat(self) -> None:
        self.beat_at = time.monotonic()

    def alive(self) -> tuple[bool, str]:
        quiet = time.monotonic() - self.beat_at
        if quiet > self.liveness_seconds:
            return False, f"poll loop quiet for {quiet:.0f}s (limit {self.liveness_seconds:g}s)"
        return True, f"poll loop went round {quiet:.1f}s ago"

    def readiness(self) -> tuple[bool, str]:
        if not self.started:
            return False, "starting"
        if not self.ready:
            return False, "reading lifecycle and feedback to their end"
        return True, "ready"


class MetricsServer:
    """``/metrics``, ``/healthz`` and ``/readyz`` on ``host:port`` (port 0: any free one, see ``port``)."""

    def __init__(self, metrics: WorkerMetrics, health: Health, host: str, port: int):
        handler = type("Handler", (_Handler,), {"metrics": metrics, "health": health})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="intentwatch-metrics", daemon=True)
        self.thread.start()
        log.info("metrics and probes on http://%s:%d (/metrics, /healthz, /readyz)", host, self.port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class _Handler(BaseHTTPRequestHandler):
    metrics: WorkerMetrics
    health: Health

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, self.metrics.render(), CONTENT_TYPE_LATEST)
        elif path in ("/healthz", "/readyz"):
            ok, why = self.health.alive() if path == "/healthz" else self.health.readiness()
            self._send(200 if ok else 503, (why + "\n").encode(), "text/plain; charset=utf-8")
        else:
            self._send(404, b"try /metrics, /healthz or /readyz\n", "text/plain; charset=utf-8")

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        pass  # a probe every few seconds would flood the worker's log


class Timings:
    """Where the worker's time goes, by stage (``WorkerMetrics.loop_seconds``), and the count,
    total and longest span of each since the last ``line()`` (the worker's 10 s log line)."""

    def __init__(self, metrics: WorkerMetrics) -> None:
        self.metrics = metrics
        self.spans: dict[str, list] = {}

    def add(self, stage: str, seconds: float) -> None:
        self.metrics.loop_seconds.labels(stage).inc(seconds)
        s = self.spans.get(stage)
        if s is None:
            self.spans[stage] = [1, seconds, seconds]
        else:
            s[0] += 1
            s[1] += seconds
            s[2] = max(s[2], seconds)

    def line(self) -> str:
        spans, self.spans = self.spans, {}
        return ", ".join(f"{stage} {n}x {total * 1000:.0f} ms (longest {most * 1000:.0f})"
                         for stage, (n, total, most) in sorted(spans.items()))

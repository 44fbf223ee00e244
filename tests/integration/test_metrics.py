"""The worker's /metrics, /healthz and /readyz on a real broker.

What the worker counts must be what it actually did: the events it read, the alerts and
commands on the output topics (by rule, severity and status; by action), the dead letters on
the DLQ (by reason). And a second worker of the group that holds no partitions (one partition
per topic, two workers) is alive and ready, and keeps rewriting its status file, which the old
file-age probe needed and never got.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from confluent_kafka import Producer
from prometheus_client.parser import text_string_to_metric_families

from intentwatch.pipeline.io.kafka import PARTITIONER
from tests.integration.support import Pipeline


def scrape(p: Pipeline, instance: str) -> dict[str, dict[tuple, float]]:
    """metric sample name -> {sorted label items: value}."""
    code, text = p.http_get(instance, "/metrics")
    assert code == 200, text
    out: dict[str, dict[tuple, float]] = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    return out


def by(samples: dict[tuple, float], *labels: str) -> Counter:
    """Sum the samples over every label but ``labels``."""
    out: Counter = Counter()
    for key, value in samples.items():
        d = dict(key)
        out[tuple(d[label] for label in labels)] += int(value)
    return +out


def wait_for(what: str, predicate, p: Pipeline, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not (got := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{p.logs()}"
        time.sleep(0.3)
    return got


def test_metrics_equal_the_workers_outputs_and_an_idle_worker_passes_its_probes(kafka_bootstrap, fleet, tmp_path: Path):
    f = fleet(80, 4, 5)
    p = Pipeline(kafka_bootstrap, tmp_path, partitions=1)
    try:
        p.create_topics()
        p.produce(f.lifecycle, topic=p.topics.lifecycle, intents=f.intents)
        p.produce(f.actions)
        producer = Producer({"bootstrap.servers": p.bootstrap, "partitioner": PARTITIONER})
        agent = f.alerts[0]["agent_id"].encode()
        bad = [(p.topics.actions, agent, b"\x00 not json"), (p.topics.actions, None, b'{"no": "key"}'),
               (p.topics.actions, agent, b'{"agent_id": "x"}'), (p.topics.feedback, agent, b'{"verdict": "maybe"}')]
        for topic, key, value in bad:
            producer.produce(topic, key=key, value=value)
        assert producer.flush(30) == 0

        w1 = p.start_worker("m1")
        p.wait_drained([w1], timeout=240)
        alerts, commands = p.read_all(p.topics.alerts), p.read_all(p.topics.revocations)
        dead, lifecycle = p.read_all(p.topics.dlq), p.read_all(p.topics.lifecycle)
        # Gauges refresh each metrics_seconds (agents past warm-up every 15 s): wait for them after the drain.
        m = wait_for("lag 0 on the actions partition and warm agents counted", lambda: (s := scrape(p, "m1"))[
            "intentwatch_consumer_lag"].get((("partition", "0"), ("topic", p.topics.actions))) == 0
            and s["intentwatch_agents_warm"][()] > 0 and s, p)

        events = by(m["intentwatch_events_total"], "topic")
        assert events[(p.topics.actions,)] == f.n_actions + 3
        assert events[(p.topics.lifecycle,)] == len(lifecycle)
        assert events[(p.topics.feedback,)] == 1
        got_alerts = by(m["intentwatch_alerts_total"], "rule", "severity", "status")
        on_topic = +Counter((a["rule_id"], a["severity"], a["status"]) for a in (r.json() for r in alerts))
        assert got_alerts == on_topic and sum(on_topic.values()) > 100
        assert by(m.get("intentwatch_commands_total", {}), "action") == +Counter((c.json()["action"],) for c in commands)
        assert by(m["intentwatch_dead_letters_total"], "topic", "reason") == Counter({
            (p.topics.actions, "invalid_json"): 1, (p.topics.actions, "no_key"): 1, (p.topics.actions, "invalid"): 1,
            (p.topics.feedback, "invalid"): 1})
        assert len(dead) == 4
        opened = sum(1 for r in alerts if r.json()["status"] == "open")
        assert m["intentwatch_alert_latency_seconds_count"][()] == opened
        assert m["intentwatch_assigned_partitions"][()] == 1
        agents = m["intentwatch_agents"][()]
        assert agents >= 80 and 0 < m["intentwatch_agents_warm"][()] <= agents
        assert m["intentwatch_checkpoint_duration_seconds_count"][()] >= 1
        assert p.http_get("m1", "/healthz")[0] == 200 and p.http_get("m1", "/readyz")[0] == 200

        # A second member: one partition per topic, so one of the two holds nothing.
        w2 = p.start_worker("m2")
        def settled():
            s = {i: scrape(p, i) for i in ("m1", "m2")}
            assigns = {i: by(s[i].get("intentwatch_rebalances_total", {}), "kind").get(("assign",), 0) for i in s}
            held = {i: s[i]["intentwatch_assigned_partitions"][()] for i in s}
            # m1 assigned again after m2 joined, m2 at least once: the gauges are not the start-up zeros.
            return held if (sorted(held.values()) == [0, 1] and assigns["m1"] >= 2 and assigns["m2"] >= 1
                            and all(w.alive for w in (w1, w2))) else None
        held = wait_for("the group to settle with one idle member", settled, p, timeout=90)
        idle = next(i for i, n in held.items() if n == 0)
        # A later rebalance may still be under way; the idle member must answer 200 within a few polls.
        for path in ("/healthz", "/readyz"):
            wait_for(f"{idle} {path} to answer 200", lambda: p.http_get(idle, path)[0] == 200, p, timeout=20)
        status_path = tmp_path / "worker-state" / f"{idle}.status.json"
        before = status_path.stat().st_mtime
        st = wait_for("the idle worker to rewrite its status", lambda: status_path.stat().st_mtime > before and p.status(idle), p)
        assert st["partitions"] == [] and st["ready"] is True
        assert w1.alive and w2.alive, p.logs()
    finally:
        p.close()

"""The bridge's translation of one Kafka message (pure: no broker): actions keyed by agent, bad spans to the DLQ."""

from pathlib import Path

import orjson

from intentwatch.pipeline.hosts.bridge import translate
from intentwatch.pipeline.io.adapters import open_adapter
from intentwatch.pipeline.lab.simulate.spans import to_proto

DATA = Path(__file__).parents[1] / "data" / "adapters"


def test_a_collector_batch_of_mixed_agents_becomes_keyed_actions_and_dead_letters():
    line = (DATA / "otel_bad.jsonl").read_bytes().splitlines()[0]
    out = list(translate(open_adapter("otel-json"), line, None, "otlp_spans[3]@41", "agent.actions", "intentwatch.dlq"))
    actions = [o for o in out if o.topic == "agent.actions"]
    dead = [o for o in out if o.topic == "intentwatch.dlq"]
    assert [o.key for o in actions] == [b"finance-agent", b"finance-agent"]
    assert orjson.loads(actions[0].value)["event_id"] == "00f067aa0ba902b7"
    assert actions[0].timestamp == 1764670000000 and dict(actions[0].headers)["source"] == b"otlp_spans[3]@41"
    assert len(dead) == 7
    h = dict(dead[0].headers)
    assert h["source"] == b"otlp_spans[3]@41#rs0.ss0.span1" and h["reason"].startswith(b"execute_tool span has no agent")
    assert orjson.loads(dead[0].value)["spanId"] == "00f067aa0ba902b8"  # the bad span alone, not the batch


def test_protobuf_message_as_the_kafka_exporter_sends_it():
    doc = orjson.loads((DATA / "otel_genai_trace.json").read_bytes())
    value = to_proto(doc).SerializeToString()
    out = list(translate(open_adapter("otel-proto"), value, None, "otlp_spans[0]@0", "a", "d"))
    assert [o.topic for o in out] == ["a"] * 4 and {o.key for o in out} == {b"support-agent"}


def test_an_undecodable_message_is_one_dead_letter_with_its_bytes():
    (o,) = translate(open_adapter("otel-proto"), b"\xff\x00garbage", b"k", "otlp_spans[1]@9", "a", "d")
    assert (o.topic, o.key, o.value) == ("d", b"k", b"\xff\x00garbage")
    assert dict(o.headers)["reason"].startswith(b"not an OTLP protobuf")

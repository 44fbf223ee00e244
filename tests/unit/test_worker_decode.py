"""The worker's per-message loop (pipeline/hosts/worker/loop.py): good actions judged and counted,
the latest event time kept per partition, bad messages (key missing or not the agent_id, bad
JSON, a bad field) dead-lettered with the reasons the codec gives (no broker: messages handed to
one batch, dead letters caught where they would be produced)."""

import orjson
import pytest

from intentwatch.models.baseline import epoch_seconds
from intentwatch.models.errors import InputError
from intentwatch.pipeline.io.codec import decode_action
from tests.factories import action
from tests.offline_worker import Message as Msg, offline_worker


@pytest.fixture
def worker(tmp_path):
    w = offline_worker(str(tmp_path))
    w.engine.set_clock(2e9)
    w.dead = []
    w._produce_dead = lambda key, raw, headers: w.dead.append((key, dict(headers)[ "reason"].decode()))
    return w


def _reason(raw: bytes) -> str:
    with pytest.raises(InputError) as e:
        decode_action(raw, "", 1 << 20)
    return e.value.reason


def test_plain_actions_are_judged_and_bad_ones_dead_lettered_with_the_general_reasons(worker):
    w = worker
    topic = w.topics.actions
    a1 = action(agent_id="a1", event_id="e1", time="2026-01-05T10:00:00Z", tool="zendesk.get_ticket")
    a2 = action(agent_id="a1", event_id="e2", time="2026-01-05T10:00:05.250+01:00", tool="zendesk.get_ticket")
    plain = [a1.model_dump_json().encode(), a2.model_dump_json().encode()]
    doc = orjson.loads(plain[0])
    numeric_time = orjson.dumps({**doc, "event_id": "e3", "time": 1767607200})
    no_tool = orjson.dumps({k: v for k, v in doc.items() if k != "tool"} | {"event_id": "e4"})
    msgs = [Msg(topic, plain[0], b"a1", 0),
            Msg(topic, orjson.dumps({**doc, "event_id": "e5"}), b"other", 1),
            Msg(topic, plain[1], None, 2),
            Msg(topic, b"{not json", b"a1", 3),
            Msg(topic, numeric_time, b"a1", 4),
            Msg(topic, no_tool, b"a1", 5),
            Msg(topic, plain[1], b"a1", 6)]
    w._process_batch(msgs)
    assert w.stats["actions"] == 2
    assert w.part_time[0] == max(epoch_seconds(a1.time), epoch_seconds(a2.time))
    assert w.dead == [(b"other", "key b'other' differs from agent_id 'a1'"),
                      (None, "message has no key (the agent_id)"),
                      (b"a1", _reason(b"{not json")),
                      (b"a1", _reason(numeric_time)),
                      (b"a1", _reason(no_tool))]
    assert "RFC 3339" in w.dead[3][1] and "tool" in w.dead[4][1]

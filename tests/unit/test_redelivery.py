"""A batch delivered again is a duplicate, not a conflicting one.

The Collector's exporters deliver at least once: a batch retried after a timeout reaches the file or
the topic twice. An adapter hands on context it read before once (other agents' results,
``peer_results``; the tools a model was offered, ``tool_definitions``), so the second copy re-makes
its actions without it. The engine's content fingerprint leaves that context out
(``engine.content_fingerprint``): the copy is counted as a duplicate and judged once, in replay
and behind the bridge (whose worker fingerprints the raw bytes it reads).
"""

import zlib

import orjson

from intentwatch.models.action import Action
from intentwatch.models.errors import InputError
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.engine.toolcall import PEER_RESULTS, TOOL_DEFINITIONS
from intentwatch.pipeline.hosts.bridge import translate
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from intentwatch.pipeline.io.codec import decode_action
from tests.factories import replayed_alerts
from tests.unit.test_injection_otel import _s, _span
from tests.unit.test_injection_peers import ATTACKER, BILL, _trace

TOOLS = [{"type": "function", "name": "send_money", "description": "Send money to an IBAN.",
          "parameters": {"type": "object", "properties": {"recipient": {"type": "string"}}}}]


def messages(payee: str = ATTACKER) -> list[bytes]:
    """A coordinator's reader reads a poisoned bill (the first batch); its payer, offered tools by its
    model call, pays (the second batch: the exporter sent the reader's spans first)."""
    doc = orjson.loads(_trace(BILL, payee))
    root, reader, payer, read, pay = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
    chat = _span(6, "chat gpt-4o", [_s("gen_ai.operation.name", "chat"), _s("gen_ai.agent.name", "payer"),
                                    _s("gen_ai.conversation.id", "conv-1"), _s("gen_ai.request.model", "gpt-4o"),
                                    _s("gen_ai.tool.definitions", orjson.dumps(TOOLS).decode())], payer["spanId"])
    out = []
    for spans in ([root, reader, read], [payer, chat, pay]):
        doc["resourceSpans"][0]["scopeSpans"][0]["spans"] = spans
        out.append(orjson.dumps(doc))
    return out


def _worker(messages: list[bytes]) -> Engine:
    """What the bridge produces of ``messages``, read as the worker reads the actions topic."""
    adapter, engine = OtelAdapter(), Engine()
    for i, m in enumerate(messages):
        for out in translate(adapter, m, None, f"otlp_spans[0]@{i}", "actions", "dlq"):
            assert out.topic == "actions", out.headers
            engine.process_action(decode_action(out.value, out.topic), zlib.crc32(out.value))
    return engine


def test_the_first_copy_carries_what_the_second_cannot():
    """Otherwise the tests below would pass without the fix."""
    adapter = OtelAdapter()
    first, payer, again = ([a for a in adapter.decode(m, "r") if isinstance(a, Action)] for m in [*messages(), messages()[1]])
    handed = {k for a in payer for k in a.attributes if k in (PEER_RESULTS, TOOL_DEFINITIONS)}
    assert handed == {PEER_RESULTS, TOOL_DEFINITIONS}
    assert not {k for a in again for k in a.attributes if k in (PEER_RESULTS, TOOL_DEFINITIONS)}
    assert [a.event_id for a in payer] == [a.event_id for a in again]


def test_a_batch_sent_again_behind_the_bridge_is_counted_once():
    reader, payer = messages()
    engine = _worker([reader, payer, payer])
    assert engine.stats["duplicates"] == 3 and engine.n_actions == 6 and engine.stats["rejected_conflicting"] == 0


def test_the_same_event_id_with_other_content_is_still_refused():
    engine = _worker(messages())
    other = list(translate(OtelAdapter(), messages("DE89370400440532013000")[1], None, "x", "actions", "dlq"))
    refused = []
    for out in other:
        try:
            engine.process_action(decode_action(out.value, "x"), zlib.crc32(out.value))
        except InputError as e:
            refused.append((orjson.loads(out.value)["tool"], e.kind))
    assert refused == [("send_money", "conflicting_duplicate")]


def test_a_file_holding_a_batch_twice_replays_as_it_once(tmp_path):
    reader, payer = messages()
    (tmp_path / "once.jsonl").write_bytes(b"\n".join([reader, payer]))
    (tmp_path / "twice.jsonl").write_bytes(b"\n".join([reader, payer, reader, payer]))
    once = replayed_alerts(tmp_path / "once.jsonl", tmp_path, fmt="otel-json")
    twice = replayed_alerts(tmp_path / "twice.jsonl", tmp_path, fmt="otel-json")
    assert not (tmp_path / "d.jsonl").exists()  # (a run with no dead letters writes none)
    assert twice == once
    assert [a["severity"] for a in once if a["rule_id"] == "intent.injected_target"] == ["high"]

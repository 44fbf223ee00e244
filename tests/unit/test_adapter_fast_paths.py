"""The adapters' inline fast paths (issue 14) give what their general paths give, on the inputs
that leave the fast path: same values, same reasons."""

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord
from intentwatch.pipeline.io.adapters.mapped import _MISSING, MappedAdapter, Mapping, compile_path, resolve
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from intentwatch.pipeline.io.adapters.otlp import SpanError, _string_attributes, json_attributes


def _kv(key, value):
    return {"key": key, "value": value}


@pytest.mark.parametrize("kvs", [
    None, [], {}, "", [_kv("a", {"stringValue": "x"}), _kv("b", {"stringValue": ""})],
    [_kv("a", {"stringValue": "x"}), _kv("n", {"intValue": "7"})],            # another kind: general path
    [_kv("a", {"stringValue": "x", "intValue": "7"})],                         # two kinds: stringValue wins in both
    [_kv("a", {"stringValue": "x"}), _kv("a", {"stringValue": "y"})],          # a repeated key: the last wins
    [_kv("a", {})], [{"key": "a"}],                                            # unset value: None
])
def test_string_attributes_equal_the_general_reading(kvs):
    assert _string_attributes(kvs) == json_attributes(kvs)


@pytest.mark.parametrize("kvs, reason", [
    ([_kv(7, {"stringValue": "x"})], "attribute without a key"),              # a number as key: not text
    ([_kv(None, {"stringValue": "x"})], "attribute without a key"),
    ([_kv(["a"], {"stringValue": "x"})], "attribute without a key"),
    ({"a": 1}, "attributes of 'span' are not a list"),
    ("abc", "attributes of 'span' are not a list"),
])
def test_string_attributes_keep_the_general_reasons(kvs, reason):
    with pytest.raises(SpanError, match=reason):
        _string_attributes(kvs)


def _span(**over):
    sp = {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "1f3a5c7e9b2d4f60", "name": "execute_tool get_ticket",
          "startTimeUnixNano": "1764669600000000000",
          "attributes": [_kv("gen_ai.tool.name", {"stringValue": "get_ticket"})]}
    sp.update(over)
    return orjson.dumps({"resourceSpans": [{"resource": {"attributes": [_kv("service.name", {"stringValue": "svc"})]},
                                            "scopeSpans": [{"spans": [sp]}]}]})


@pytest.mark.parametrize("start, reason", [
    ("0", "startTimeUnixNano '0' is out of range"), ("00", "startTimeUnixNano '00' is out of range"),
    ("18446744073709551616", "startTimeUnixNano '18446744073709551616' is out of range"),  # 2^64: 20 digits
    ("١٢٣", "startTimeUnixNano '١٢٣' is not an unsigned integer"),                      # digits, not ASCII
    ("", "startTimeUnixNano missing"),
])
def test_start_time_outside_the_inline_path_keeps_its_reason(start, reason):
    (r,) = OtelAdapter().decode(_span(startTimeUnixNano=start), "m")
    assert isinstance(r, BadRecord) and r.reason.startswith(reason)


def test_start_time_inline_and_largest():
    (a,) = OtelAdapter().decode(_span(startTimeUnixNano="0001764669600123456789"), "m")
    assert a.time.isoformat() == "2025-12-02T10:00:00.123456+00:00"
    (r,) = OtelAdapter().decode(_span(startTimeUnixNano="18446744073709551615"), "m")  # 2^64-1: a uint64, past 2200
    assert isinstance(r, BadRecord) and r.reason.startswith("time:")


def test_empty_agent_name_falls_back_to_the_resource_attribute():
    attrs = [_kv("gen_ai.tool.name", {"stringValue": "get_ticket"}), _kv("gen_ai.agent.id", {"stringValue": ""}),
             _kv("gen_ai.agent.name", {"stringValue": ""})]
    (a,) = OtelAdapter().decode(_span(attributes=attrs), "m")
    assert isinstance(a, Action) and a.agent_id == "svc"
    assert a.session_id is None and a.source_ip is None and a.resource is None  # left out: the defaults


@pytest.mark.parametrize("record", [{"a": {"b": None}}, {"a": None}, {"a": "text"}, {"a": ["b"]}, {"a": 5},
                                    {"a": {"c": 1}}, {}])
def test_object_key_paths_miss_on_anything_but_an_object(record):
    assert resolve(record, compile_path("a.b")) is _MISSING


def test_object_key_paths_keep_empty_values():
    assert resolve({"a": {"b": []}}, compile_path("a.b")) == []
    assert resolve({"a": {"b": 0}}, compile_path("a.b")) == 0


def test_mapped_alternatives_and_defaults():
    mapping = Mapping.model_validate({"name": "m", "fields": {
        "agent_id": {"path": ["who.id", "who.name"]}, "time": "t", "tool": {"template": "{svc}.{call.name}"},
        "resource": {"path": ["args.path", "args.url"], "default": "none"}, "outcome": {"path": "ok", "map": {"true": "success", "false": "error"}}}})
    adapter = MappedAdapter(mapping)
    rec = {"who": {"id": None, "name": "agent-7"}, "t": "2026-12-02T10:00:00Z", "svc": "fs", "call": {"name": "read_file"},
           "args": {"path": None, "url": "https://x"}, "ok": False}
    (a,) = adapter.decode(orjson.dumps(rec), "m")
    assert (a.agent_id, a.tool, a.operation, a.resource, a.outcome) == ("agent-7", "fs.read_file", "read", "https://x", "error")
    rec.update(args="not an object", call={"name": 3})
    (a,) = adapter.decode(orjson.dumps(rec), "m")
    assert (a.tool, a.resource) == ("fs.3", "none")


def test_a_large_document_is_parsed_with_the_collector_paused_and_left_as_it_was(monkeypatch):
    """libs.loads pauses the cyclic collector over a large parse (its young containers would be
    aged by collections that find them alive), and gives orjson's value and errors."""
    import gc

    from intentwatch.pipeline.io.adapters import libs

    big = orjson.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "x" * 40, "attributes": [
        _kv("k", {"stringValue": "v"})] * 20}] * 40}]}]})
    assert len(big) > libs.PAUSE_FROM
    seen, real = [], orjson.loads
    monkeypatch.setattr(libs.orjson, "loads", lambda raw: seen.append(gc.isenabled()) or real(raw))
    try:
        assert libs.loads(big) == real(big) and libs.loads(b"[1]") == [1]
        with pytest.raises(libs.JSONDecodeError):
            libs.loads(big[:-1])
        assert gc.isenabled()  # re-enabled after a failed parse too
        gc.disable()
        libs.loads(big)
        assert not gc.isenabled()  # a caller's own pause is left alone
    finally:
        gc.enable()
    assert seen == [False, True, False, False]

"""The native adapter and fields nobody expected (``data_domian``, ``credentialId``, ``Bytes``)."""

import gzip

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import FORMATS, BadRecord, UnknownFields, open_adapter, unknown_fields
from intentwatch.pipeline.io.adapters.unknown import likely_field

GOOD = {"event_id": "e1", "agent_id": "a1", "time": "2026-11-30T09:00:00Z", "tool": "crm.get", "operation": "read"}


def test_native_file_gives_actions_and_bad_lines_with_their_line(tmp_path):
    path = tmp_path / "actions.jsonl.gz"
    path.write_bytes(gzip.compress(orjson.dumps(GOOD) + b"\n\n" + b'{"event_id": 7}\n'))
    a, bad = open_adapter("native").read(path)
    assert isinstance(a, Action) and a.event_id == "e1"
    assert isinstance(bad, BadRecord) and bad.source == f"{path}:3" and bad.reason.startswith("event_id: Input should")


@pytest.mark.parametrize("name, meant", [("data_domian", "data_domain"), ("credentialId", "credential_id"),
                                         ("Bytes", "bytes"), ("sourceIP", "source_ip"), ("task", None)])
def test_unknown_names_and_the_field_they_probably_meant(name, meant):
    (a,) = open_adapter("native").decode(orjson.dumps({**GOOD, name: "x"}), "l:1")
    assert unknown_fields(a) == [name]
    assert likely_field(name) == meant


def test_counted_over_a_run_and_summarised():
    u = UnknownFields()
    for extra in ({"data_domian": "pii"}, {"data_domian": "pii", "Bytes": 3}, {}):
        (a,) = open_adapter("native").decode(orjson.dumps({**GOOD, **extra}), "l")
        u.observe(a)
    assert u.counts == {"data_domian": 2, "Bytes": 1} and u.actions == 2
    assert u.summary() == "data_domian x2 (data_domain?), Bytes x1 (bytes?)"


def test_strict_reason_names_the_fields():
    u = UnknownFields(strict=True)
    assert u.reason(["credentialId", "colour"]) == "unknown field(s) credentialId (did you mean credential_id?), colour"


def test_a_clean_action_has_no_unknown_fields():
    (a,) = open_adapter("native").decode(orjson.dumps(GOOD), "l")
    assert unknown_fields(a) == [] and UnknownFields().observe(a) == []


def test_every_format_opens():
    for fmt in FORMATS:
        if fmt != "mapped":
            assert open_adapter(fmt).name == fmt
    with pytest.raises(ValueError, match="unknown input format 'csv'"):
        open_adapter("csv")


def test_a_line_too_long_to_hold_is_one_bad_record_and_the_next_lines_go_on(tmp_path):
    from intentwatch.pipeline.io.adapters.base import BadRecord as Bad
    from intentwatch.pipeline.io.adapters.files import stream_lines

    path = tmp_path / "a.jsonl"
    path.write_bytes(orjson.dumps(GOOD) + b"\n" + b"x" * 5000 + b"\n" + orjson.dumps({**GOOD, "event_id": "e2"}) + b"\n")
    got = list(stream_lines(path, max_line=1000))
    assert [n for n, _ in got] == [1, 2, 3] and got[1][1] == "line longer than 1000 bytes, not read"
    results = list(open_adapter("native").read(path))
    assert [type(r) for r in results] == [Action, Bad, Action]


def test_a_reason_quoting_a_huge_value_stays_short():
    r = BadRecord("f:1", "time: Invalid isoformat string: '" + "9" * 10_000 + "'")
    assert len(r.reason) == 300 and r.reason.endswith("...")

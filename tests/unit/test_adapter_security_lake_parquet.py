"""CloudTrail as Amazon Security Lake stores it: OCSF API Activity in Parquet objects
(``…/region=…/accountId=…/eventDay=…/<id>.gz.parquet``: Parquet with gzip-compressed pages). The
file is written here from the fixture's records in Security Lake's form (``as_ocsf``, ``unmapped`` a
map of strings, ``time`` a timestamp column, ``api.request.data`` JSON text): the same actions as
the raw records; a broken object is one dead letter with the rows read before it."""

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter, read_tree
from tests.unit.test_adapter_cloudtrail_ocsf import CORE, RAW, _actions, as_ocsf


def _security_lake(records: list[dict]) -> pa.Table:
    rows = []
    for r in records:
        d = as_ocsf(r)
        d["unmapped"] = {k: v if isinstance(v, str) else orjson.dumps(v).decode() for k, v in d["unmapped"].items()}
        for part in ("request", "response"):
            data = d["api"][part].get("data")
            d["api"][part]["data"] = None if data is None else orjson.dumps(data).decode()
        rows.append(d)
    table = pa.Table.from_pylist(rows)
    schema = table.schema
    schema = schema.set(schema.get_field_index("unmapped"), pa.field("unmapped", pa.map_(pa.string(), pa.string())))
    schema = schema.set(schema.get_field_index("time"), pa.field("time", pa.timestamp("ms", tz="UTC")))
    for row in rows:
        row["time"] = pa.scalar(row["time"], pa.timestamp("ms", tz="UTC")).as_py()
        row["unmapped"] = list(row["unmapped"].items())
    return pa.Table.from_pylist(rows, schema=schema)


def _core(actions: list) -> list[dict]:
    return [{k: getattr(a, k) for k in CORE} for a in actions]


def test_security_lake_parquet_gives_the_actions_of_the_raw_records(tmp_path):
    lake = tmp_path / "aws" / "CLOUD_TRAIL_MGMT" / "2.0" / "region=us-east-1" / "accountId=111122223333" / "eventDay=20261130"
    lake.mkdir(parents=True)
    pq.write_table(_security_lake(RAW), lake / "a1b2c3.gz.parquet", compression="gzip")
    raw = [a for a in _actions([orjson.dumps(r) for r in RAW]) if isinstance(a, Action)]
    got = list(read_tree(open_adapter("cloudtrail"), tmp_path / "aws"))
    assert all(isinstance(a, Action) for a in got), [a for a in got if isinstance(a, BadRecord)]
    assert _core(sorted(got, key=lambda a: a.event_id)) == _core(sorted(raw, key=lambda a: a.event_id)) and len(raw) == 14
    assert sorted(a.bytes for a in got) == sorted(a.bytes for a in raw) and any(a.bytes for a in raw)


def test_a_broken_parquet_object_is_one_dead_letter(tmp_path):
    whole = tmp_path / "whole.parquet"
    pq.write_table(_security_lake(RAW), whole)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(whole.read_bytes()[:-100])  # the footer lost: nothing in it can be found
    got = list(open_adapter("cloudtrail").read(cut))
    assert len(got) == 1 and isinstance(got[0], BadRecord) and got[0].source == str(cut)
    assert got[0].reason.startswith("unreadable Parquet")


def test_without_pyarrow_a_parquet_file_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "x.gz.parquet"
    pq.write_table(_security_lake(RAW[:2]), path)
    monkeypatch.setitem(__import__("sys").modules, "pyarrow.parquet", None)  # import fails as if not installed
    (bad,) = open_adapter("cloudtrail").read(path)
    assert isinstance(bad, BadRecord) and "pip install 'intentwatch[parquet]'" in bad.reason


def test_replay_without_format_hints_cloudtrail(tmp_path):
    from typer.testing import CliRunner

    from intentwatch.pipeline.cli import app

    path = tmp_path / "x.gz.parquet"
    pq.write_table(_security_lake(RAW[:2]), path)
    res = CliRunner().invoke(app, ["replay", str(path), "--alerts", str(tmp_path / "a.jsonl"), "--commands",
                                   str(tmp_path / "c.jsonl"), "--dead-letter", str(tmp_path / "d.jsonl")])
    assert "looks like cloudtrail: replay it with --format cloudtrail" in " ".join(res.output.split())

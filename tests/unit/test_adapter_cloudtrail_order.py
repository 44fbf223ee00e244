"""CloudTrail's records in event-time order: a multi-region trail as S3 holds it (a folder per
region, a file per region every few minutes) and LookupEvents (newest first). Read in name order,
an agent's actions in the second region came after a day of the first and were refused as late."""

import gzip
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
from typer.testing import CliRunner

from intentwatch.models.action import Action
from intentwatch.models.errors import InputError
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.cli import app
from intentwatch.pipeline.io.adapters import read_tree
from intentwatch.pipeline.io.adapters.cloudtrail import CloudTrailAdapter, CloudTrailOptions

ACCOUNT = "111122223333"
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
ROLE = {"type": "AssumedRole", "principalId": "AROAEXAMPLEETL:run", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/etl-agent/run",
        "accountId": ACCOUNT, "accessKeyId": "ASIAEXAMPLEETL01",
        "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLEETL", "accountId": ACCOUNT,
                                             "arn": f"arn:aws:iam::{ACCOUNT}:role/etl-agent", "userName": "etl-agent"}}}


def record(i: int, region: str, at: datetime) -> dict:
    return {"eventVersion": "1.09", "userIdentity": ROLE, "eventTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": region, "sourceIPAddress": "198.51.100.7",
            "userAgent": "Boto3/1.35.10 md/Botocore#1.35.10 Python/3.12.4", "requestParameters": {"bucketName": "data", "key": f"k{i}"},
            "eventID": f"5f0e{i:04d}-0000-4000-8000-000000000000", "readOnly": True, "eventType": "AwsApiCall",
            "managementEvent": False, "recipientAccountId": ACCOUNT, "eventCategory": "Data"}


def trail(root: Path, n: int = 1200) -> Path:
    """Two regions, an action every 10 s alternating between them over 3h20m, in 5-minute files named as S3
    delivers them; each file's records in reverse order (CloudTrail keeps none)."""
    files: dict[tuple[str, datetime], list[dict]] = {}
    for i in range(n):
        at = T0 + timedelta(seconds=10 * i)
        region = ("eu-west-1", "us-east-1")[i % 2]
        end = at.replace(minute=at.minute // 5 * 5, second=0) + timedelta(minutes=5)
        files.setdefault((region, end), []).append(record(i, region, at))
    for (region, end), records in files.items():
        folder = root / "AWSLogs" / ACCOUNT / "CloudTrail" / region / end.strftime("%Y/%m/%d")
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{ACCOUNT}_CloudTrail_{region}_{end:%Y%m%dT%H%MZ}_{len(records):04d}abcd.json.gz"
        (folder / name).write_bytes(gzip.compress(orjson.dumps({"Records": records[::-1]})))
    return root / "AWSLogs"


def times(path: Path, **options) -> list[datetime]:
    return [a.time for a in read_tree(CloudTrailAdapter(CloudTrailOptions(**options)), path) if isinstance(a, Action)]


def test_a_multi_region_trail_is_read_in_event_time_order(tmp_path):
    got = times(trail(tmp_path))
    assert len(got) == 1200 and got == sorted(got)


def test_replay_refuses_none_as_late(tmp_path):
    dead = tmp_path / "dlq.jsonl"
    r = CliRunner().invoke(app, ["replay", str(trail(tmp_path)), "--format", "cloudtrail", "--alerts", str(tmp_path / "a.jsonl"),
                                 "--commands", str(tmp_path / "c.jsonl"), "--dead-letter", str(dead), "-q"])
    assert r.exit_code == 0, r.output
    assert not dead.exists() or dead.read_bytes() == b""


def test_in_name_order_the_engine_refused_the_second_region_as_late(tmp_path):
    """What reading in name order did (before): eu-west-1's three hours, then us-east-1's."""
    root, adapter, e, late = trail(tmp_path), CloudTrailAdapter(CloudTrailOptions(reorder_seconds=0)), Engine(), 0
    for f in sorted(p for p in root.rglob("*.json.gz")):
        for a in adapter.read(f):
            try:
                e.process(a)
            except InputError as err:
                late += err.kind == "late"
    assert late > 300


def test_lookup_events_newest_first_are_read_oldest_first(tmp_path):
    rows = [{"EventId": f"id{i}", "EventName": "GetObject", "EventTime": (T0 + timedelta(minutes=i)).isoformat(),
             "CloudTrailEvent": orjson.dumps(record(i, "us-east-1", T0 + timedelta(minutes=i))).decode()} for i in range(5)]
    path = tmp_path / "lookup.json"
    path.write_bytes(orjson.dumps({"Events": rows[::-1]}))
    got = times(path)
    assert got == sorted(got) and len(got) == 5


def test_one_far_future_record_does_not_turn_the_ordering_off(tmp_path):
    """A record stamped 2099 (the engine refuses it as ahead of the clock) must not make every record
    read after it pass unordered: a record delivered in a later file is still put back in its place."""
    root = trail(tmp_path)
    files = sorted(root.rglob("*.json.gz"), key=lambda p: p.name.rsplit("_", 2)[1])
    first, later = (orjson.loads(gzip.decompress(f.read_bytes())) for f in (files[2], files[6]))
    late = first["Records"].pop()  # delivered in a file ten minutes on
    later["Records"].append(late)
    first["Records"].append({**record(99_999, "eu-west-1", T0), "eventTime": "2099-01-01T00:00:00Z"})
    for f, doc in ((files[2], first), (files[6], later)):
        f.write_bytes(gzip.compress(orjson.dumps(doc)))
    got = times(root)
    rest = [t for t in got if t.year != 2099]
    assert len(got) == 1201 and len(rest) == 1200 and rest == sorted(rest)

"""Replaying CloudTrail as platform teams do, against replaying the same actions natively, in one run.

    python benchmarks/cloudtrail_replay.py [--records 40000 --repeats 3]

Writes two histories once, as S3 delivers CloudTrail (``.json.gz`` files of 500 records), and
each again as the native action lines the adapter makes of them (``action_line``):
  mixed    ``benchmarks/adapters.py``'s calls: 200 roles, S3, EC2, IAM and Bedrock calls
  scanner  one monitoring role describing three resources every 0.5 s (a CSPM or observability
           integration: the shape that made ``cloud.discovery_burst`` walk 512 kept calls on each)
then runs ``intentwatch replay`` of each, ``--format cloudtrail`` and native, no manifests (every
action also takes the shadow-agent path), each in a child process, the four in turn, and prints
the median CPU microseconds a record over ``--repeats`` (interpreter start-up, measured by a replay
of one record, taken out) and the ratios: cloudtrail / native (what the adapter and the content
fingerprint of its actions add to a whole replay), scanner / mixed (a busy identity should cost
what any other does). Compare the ratios, not the figures: machines are shared and noisy.
``--against PYTHON``: each replay also by another install (e.g. the code before a change), in
turn with this one, and the ratio this / that of each.
"""

import argparse
import gzip
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parents[1]))
from benchmarks.adapters import calls, cloudtrail  # noqa: E402

ACCOUNT = "111122223333"


def scanner(n: int) -> list[dict]:
    role = f"arn:aws:iam::{ACCOUNT}:role/MonitoringIntegration"
    out = []
    for i in range(n):
        out.append({"eventVersion": "1.11", "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1764669600 + i // 2)),
                    "eventSource": "ec2.amazonaws.com", "eventName": ("DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups")[i % 3],
                    "awsRegion": "us-east-1", "sourceIPAddress": "52.1.2.3", "userAgent": "monitoring-agent/7.1 botocore/1.35.0",
                    "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLEMONITOR:poll",
                                     "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/MonitoringIntegration/poll", "accountId": ACCOUNT,
                                     "accessKeyId": "ASIAEXAMPLEMONITOR", "sessionContext": {"sessionIssuer": {"type": "Role", "arn": role}}},
                    "requestParameters": None, "responseElements": None, "requestID": f"req-{i}", "eventID": f"scan-{i}",
                    "readOnly": True, "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": ACCOUNT})
    return out


def write(d: Path, name: str, records: list[dict]) -> None:
    """The records as S3 delivers them, and as native lines (the adapter's actions)."""
    from intentwatch.models.action import Action, action_line
    from intentwatch.pipeline.io.adapters import open_adapter, read_tree

    trail = d / name
    trail.mkdir()
    for i in range(0, len(records), 500):
        (trail / f"{ACCOUNT}_CloudTrail_us-east-1_{i:08d}.json.gz").write_bytes(
            gzip.compress(orjson.dumps({"Records": records[i:i + 500]}), 1))
    with open(d / f"{name}.jsonl", "wb") as f:
        for a in read_tree(open_adapter("cloudtrail"), trail):
            if isinstance(a, Action):
                f.write(action_line(a) + b"\n")


def cpu(cmd: list[str], where: Path) -> float:
    """CPU seconds of one child, run in ``where``: outside a checkout, whose top-level compiled library
    another install's interpreter would otherwise load."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=where)
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd[:5])}... failed:\n{run.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=40_000, help="records of each history")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--against", metavar="PYTHON", help="another install's interpreter, run in turn with this one")
    args = ap.parse_args()
    pythons = {"": sys.executable, **({"that ": args.against} if args.against else {})}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        mixed = [r for doc in cloudtrail(calls(args.records), 500) for r in orjson.loads(doc)["Records"]]
        write(d, "mixed", mixed)
        write(d, "scanner", scanner(args.records))
        write(d, "one", mixed[:1])
        out = ["-q", "--alerts", str(d / "a.jsonl"), "--commands", str(d / "c.jsonl"), "--dead-letter", str(d / "dl.jsonl")]
        runs: dict[str, list[float]] = {}
        for _ in range(args.repeats):  # in turn: a busy neighbour weighs on each alike
            for who, python in pythons.items():
                cli = [python, "-m", "intentwatch.pipeline.cli", "replay"]
                runs.setdefault(f"{who}start", []).append(cpu([*cli, str(d / "one.jsonl"), *out], d))
                for name in ("mixed", "scanner"):
                    runs.setdefault(f"{who}{name} cloudtrail", []).append(cpu([*cli, str(d / name), "--format", "cloudtrail", *out], d))
                    runs.setdefault(f"{who}{name} native", []).append(cpu([*cli, str(d / f"{name}.jsonl"), *out], d))
    print(f"{args.records:,} records each, median of {args.repeats}, CPU µs a record (interpreter start-up taken out)")
    us: dict[str, float] = {}
    for who in pythons:
        start = statistics.median(runs[f"{who}start"])
        for k, v in runs.items():
            if k.startswith(who) and not k.endswith("start") and (who or not k.startswith("that ")):
                us[k] = (statistics.median(v) - start) / args.records * 1e6
                print(f"  {k:25} {us[k]:8.1f}")
        for name in ("mixed", "scanner"):
            print(f"  {who}{name}: cloudtrail / native {us[f'{who}{name} cloudtrail'] / us[f'{who}{name} native']:.2f}")
        print(f"  {who}scanner / mixed (cloudtrail) {us[f'{who}scanner cloudtrail'] / us[f'{who}mixed cloudtrail']:.2f}")
    if args.against:
        for k in [k for k in us if not k.startswith("that ")]:
            print(f"  {k}: this / that {us[k] / us['that ' + k]:.2f}")


if __name__ == "__main__":
    main()

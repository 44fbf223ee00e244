"""Memory and time of reading one large CloudTrail records document, against the same records as JSON lines.

    python benchmarks/large_document.py [--records 300000 --repeats 3]

Writes ``--records`` CloudTrail records (benchmarks/adapters.py's calls, in time order but for
one in ten) once as one ``{"Records": [...]}`` file and once as JSON lines, then decodes each in a
child process of its own with the CloudTrail adapter (no engine) and prints, per reading, the
median peak RSS and CPU seconds over ``--repeats`` runs:
  lines     the JSON-lines file, streamed line by line: the limit (what a reading of the same
            records needs when nothing holds the file)
  streamed  the document, read record by record (the adapter's reading past 32 MiB)
  whole     the document parsed whole (the reading below 32 MiB, forced here)
Ratios are against ``lines`` measured in the same run; compare those, not the figures.
"""

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parents[1]))
from benchmarks.adapters import calls, cloudtrail  # noqa: E402

CHILD = """
import resource, sys, time
from intentwatch.pipeline.io.adapters.cloudtrail import CloudTrailAdapter, CloudTrailOptions
a = CloudTrailAdapter(CloudTrailOptions(services="keep"))
if sys.argv[2] == "whole":
    a.streamed_from = 1 << 62
t = time.process_time()
n = sum(1 for _ in a.read(sys.argv[1]))
print(n, time.process_time() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run(path: Path, how: str) -> tuple[int, float, int]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), how], check=True, capture_output=True, text=True).stdout
    n, cpu, rss = out.split()
    return int(n), float(cpu), int(rss)


def write(d: Path, n: int) -> None:
    """The two files (in a child of its own: the records' objects would raise every later child's peak,
    which Linux carries over from the process it was forked from)."""
    records = [r for doc in cloudtrail(calls(n), 1000) for r in orjson.loads(doc)["Records"]]
    for i in range(0, len(records) - 1, 10):  # S3 files are not in time order
        records[i], records[i + 1] = records[i + 1], records[i]
    (d / "trail.json.gz").write_bytes(gzip.compress(orjson.dumps({"Records": records}), 1))
    (d / "trail.jsonl").write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=300_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write is not None:
        write(args.write, args.records)
        return
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, __file__, "--write", d, "--records", str(args.records)], check=True)
        doc, lines = Path(d) / "trail.json.gz", Path(d) / "trail.jsonl"
        with gzip.open(doc) as fh:  # (counted a MiB at a time: this process stays small, as its children then start)
            size = sum(len(chunk) for chunk in iter(lambda: fh.read(1 << 20), b""))
        results: dict[str, list[tuple[int, float, int]]] = {"lines": [], "streamed": [], "whole": []}
        for _ in range(args.repeats):  # in turn, so a busy neighbour weighs on each alike
            results["lines"].append(run(lines, "lines"))
            results["streamed"].append(run(doc, "streamed"))
            results["whole"].append(run(doc, "whole"))
    counts = {r[0] for rs in results.values() for r in rs}
    if len(counts) != 1:
        raise SystemExit(f"the readings disagree on the number of records: {counts}")
    med = {k: (statistics.median(r[1] for r in rs), statistics.median(r[2] for r in rs)) for k, rs in results.items()}
    print(f"{counts.pop():,} records, a {size / 2**20:.0f} MiB document")
    for k, (cpu, rss) in med.items():
        print(f"  {k:9} peak RSS {rss / 1024:7.0f} MiB ({rss / med['lines'][1]:5.2f}x lines)   "
              f"CPU {cpu:6.2f} s ({cpu / med['lines'][0]:4.2f}x lines)")
    print(json.dumps({k: {"cpu_s": c, "peak_rss_kib": r} for k, (c, r) in med.items()}))


if __name__ == "__main__":
    main()

"""Many short-lived agents: the shape of per-task agents (issue 13). Each agent has its own
manifest and acts a few times within minutes, then never again.

    python benchmarks/ephemeral.py [--agents 36000 --actions 4 --repeats 3]

Writes the fleet once under benchmarks/.data (one YAML manifest a file, as a platform that
registers each task's agent would), then measures, each in a fresh subprocess so its peak
memory is its own, the median of ``--repeats``:
  parse     read every manifest file and parse its YAML (libyaml): the limit of loading them
            with PyYAML
  parse-rs  the same with ryaml (Rust), the fast reader load_manifests tries first: the limit
            of loading them with it, before any validation
  load-cold ``load_manifests`` with an empty manifest cache: parse (a process per core), check
            duplicate keys, validate every manifest (pydantic), write the cache's pack
  load      the same again, the pack read: every file still read, hashed and validated
  validate-cold, validate
            ``intentwatch validate DIR``, as a user runs it (interpreter start included), with
            an empty cache and then with the pack the cold run wrote
  (each repeat has its own empty cache folder under benchmarks/.data, given to the children
  as INTENTWATCH_MANIFEST_CACHE; ``--no-cache``: none, every load is cold)
  load-against, validate-against
            with ``--against PYTHON``: load and validate by another install, e.g. the code
            before a change (which knows no cache)
  replay    ``intentwatch replay`` of the fleet's actions with those manifests: wall time and
            peak RSS (``ru_maxrss`` of the child)
Prints each with its ratio to ``parse`` and the aims: load <= 2 s, validate <= 5 s, replay
peak RSS <= 150 MiB. Targets are printed, not asserted; machines are shared and noisy.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data"
AIMS = {"load-cold": 2.0, "load": 2.0, "validate-cold": 5.0, "validate": 5.0}
AIM_RSS_MIB = 150
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
TOOLS = ["crm.lookup", "zendesk.get_ticket", "email.send", "kb.search"]

MANIFEST = """\
agent_id: {agent}
owner: team-{team}@example.com
purpose: Answer ticket {n} for the EU queue
allowed:
  tools: ["zendesk.*", crm.lookup, email.send, kb.search]
  operations: [read, list, send]
  data_domains: [tickets, customer_contact]
  resources: ["ticket:{n}", "crm:contact/*", "mailto:*@example.com", "kb:*"]
rate_limit: {{max_actions: 60, per_seconds: 60}}
model: {{id: gpt-4o, version: "2024-08-06"}}
credentials: [key-{agent}]
issued_at: {issued}
ttl: PT2H
enforcement: monitor
approver: lead-{team}@example.com
"""


def make_fleet(agents: int, actions: int) -> Path:
    out = DATA / f"ephemeral-{agents}x{actions}"
    if (out / "done").exists():
        return out
    intents = out / "intents"
    intents.mkdir(parents=True, exist_ok=True)
    with open(out / "actions.jsonl", "w") as f:
        for i in range(agents):
            agent, start = f"task-{i:06d}", T0 + timedelta(seconds=7 * i)
            (intents / f"{agent}.yaml").write_text(MANIFEST.format(
                agent=agent, team=i % 40, n=i, issued=start.isoformat().replace("+00:00", "Z")))
            for k in range(actions):
                t = start + timedelta(seconds=20 * k + 1)
                f.write(json.dumps({"event_id": f"{agent}-{k}", "agent_id": agent, "time": t.isoformat(),
                                    "tool": TOOLS[k % len(TOOLS)], "operation": "send" if k % len(TOOLS) == 2 else "read",
                                    "resource": f"ticket:{i}", "data_domain": "tickets", "credential_id": f"key-{agent}",
                                    "source_ip": f"10.1.{i % 250}.{k + 2}"}) + "\n")
    (out / "done").touch()
    return out


CHILD = {
    "parse": """
import sys, yaml
from pathlib import Path
for p in sorted(Path(sys.argv[1]).glob('*.yaml')):
    yaml.load(p.read_text(), Loader=yaml.CSafeLoader)
""",
    "parse-rs": """
import sys, ryaml
from pathlib import Path
for p in sorted(Path(sys.argv[1]).glob('*.yaml')):
    ryaml.loads_all(p.read_text())
""",
    "load": """
import sys
from pathlib import Path
from intentwatch.pipeline.io.intents import load_manifests
r = load_manifests(Path(sys.argv[1]))
assert not r.errors and len(r.manifests) > 0, r.errors[:3]
""",
}


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])}... failed:\n{run.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024  # ru_maxrss: KiB on Linux; the children's maximum so far


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--agents", type=int, default=36_000)
    ap.add_argument("--actions", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-cache", action="store_true", help="no manifest cache: every load and validate is cold")
    ap.add_argument("--against", metavar="PYTHON", help="also time load and validate with this interpreter's "
                    "intentwatch (e.g. another checkout's venv), interleaved: the 'before' of a change")
    ap.add_argument("--no-replay", action="store_true", help="leave out replay (and its peak RSS)")
    args = ap.parse_args()
    fleet = make_fleet(args.agents, args.actions)
    intents = fleet / "intents"
    cli = [sys.executable, "-m", "intentwatch.pipeline.cli"]
    runs: dict[str, list[float]] = {k: [] for k in ("parse", "parse-rs", "load-cold", "load", "validate-cold",
                                                      "validate", "replay")}
    rss: list[float] = []

    def child(mode: str, python: str, env: dict) -> float:
        code = f"import time; t = time.perf_counter()\n{CHILD[mode]}\nprint(time.perf_counter() - t)"
        out = subprocess.run([python, "-c", code, str(intents)], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            sys.exit(out.stderr[-2000:])
        return float(out.stdout.split()[-1])

    for r in range(args.repeats):  # interleaved, so a noisy neighbour hurts them alike
        cache = DATA / f"manifest-cache-{r}"
        shutil.rmtree(cache, ignore_errors=True)
        env = dict(os.environ, INTENTWATCH_MANIFEST_CACHE="off" if args.no_cache else str(cache / "load"))
        if args.against:
            runs.setdefault("load-against", []).append(child("load", args.against, env))
        for mode in ("parse", "parse-rs", "load-cold", "load"):
            runs[mode].append(child(mode.removesuffix("-cold"), sys.executable, env))
        env["INTENTWATCH_MANIFEST_CACHE"] = "off" if args.no_cache else str(cache / "validate")
        if args.against:
            runs.setdefault("validate-against", []).append(
                timed([args.against, "-m", "intentwatch.pipeline.cli", "validate", str(intents)], env)[0])
        runs["validate-cold"].append(timed([*cli, "validate", str(intents)], env)[0])
        runs["validate"].append(timed([*cli, "validate", str(intents)], env)[0])
        shutil.rmtree(cache, ignore_errors=True)
        if args.no_replay:
            continue
        wall, _ = timed([*cli, "replay", str(fleet / "actions.jsonl"), "--intents", str(intents), "--alerts",
                         str(fleet / "alerts.jsonl"), "--commands", str(fleet / "commands.jsonl"), "--dead-letter",
                         str(fleet / "dead-letter.jsonl"), "--quiet"])
        runs["replay"].append(wall)
    med = {k: statistics.median(v) for k, v in runs.items() if v}
    print(f"{args.agents:,} agents x {args.actions} actions, one manifest file each; medians of {args.repeats}")
    for k, v in med.items():
        aim = f"  (aim <= {AIMS[k]:g} s)" if k in AIMS else ""
        print(f"  {k:16s} {v:7.2f} s   {v / med['parse']:5.2f}x parse{aim}")
    if args.no_replay:
        return
    # Peak RSS of replay alone (a fresh child, so the maximum is its own).
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, *cli, "replay", str(fleet / "actions.jsonl"), "--intents",
                          str(intents), "--alerts", str(fleet / "alerts.jsonl"), "--commands",
                          str(fleet / "commands.jsonl"), "--dead-letter", str(fleet / "dead-letter.jsonl"), "--quiet"],
                         capture_output=True, text=True, check=True)
    rss.append(int(out.stdout.split()[-1]) / 1024)
    print(f"  replay peak RSS {rss[0]:.0f} MiB  (aim <= {AIM_RSS_MIB} MiB)")


if __name__ == "__main__":
    main()

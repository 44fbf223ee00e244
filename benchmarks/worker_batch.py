"""The streaming worker's per-message cost offline: ``Worker._process_batch`` on a fleet's actions,
no broker (the worker's clients point at a closed port and never connect; what it publishes waits
in the producer's queue), against decode + engine alone on the same messages.

    python benchmarks/worker_batch.py --fleet benchmarks/.data/fleet-1000x7-s7 [--limit 300000] [--learned]

The fleet's manifests are instantiated first (as replay does); then its actions, as messages keyed
by agent_id on the actions topic, go in batches of ``--batch`` (the worker's default 2,000)
through ``_process_batch``, the engine's time moved after each batch to the latest event time
read (the worker's ``_advance_time`` with one partition). The other mode runs the same messages
through ``decode_action`` and ``Engine.process_action`` with the same CRC-32: what the host layer
adds is the difference. CPU time (``process_time``) of this process; each mode in a process of
its own, ``--repeats`` times interleaved, the cheapest run counted.
"""

import argparse
import json
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def agent_of(line: bytes) -> bytes:
    i = line.find(b'"agent_id":"') + 12
    return line[i:line.index(b'"', i)]


def run(mode: str, fleet: Path, limit: int, batch: int, learned: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    from intentwatch.models.baseline import epoch_seconds
    from intentwatch.pipeline.hosts.replay import manifest_instantiations
    from intentwatch.pipeline.io.codec import decode_action
    from intentwatch.pipeline.io.intents import load_manifests
    from tests.offline_worker import Message, offline_worker

    w = offline_worker("/tmp/worker-batch-state", engine={"learned": {"enabled": learned}})
    engine = w.engine
    engine.set_clock(time.time())
    for ev in manifest_instantiations(load_manifests(fleet / "intents").manifests):
        engine.process(ev)
    topic = w.topics.actions
    msgs = []
    with open(fleet / "actions.jsonl", "rb") as fh:
        for n, line in enumerate(fh):
            if n >= limit:
                break
            raw = line.rstrip(b"\n")
            msgs.append(Message(topic, raw, agent_of(raw), n))
    batches = [msgs[i:i + batch] for i in range(0, len(msgs), batch)]
    outputs = 0
    cpu = time.process_time()
    if mode == "worker":
        for b in batches:
            w._process_batch(b)
            engine.advance_to(w.part_time[0])
        outputs = w.stats["alerts"] + w.stats["commands"]
    else:
        max_bytes, latest = w.settings.engine.max_event_bytes, float("-inf")
        for b in batches:
            for m in b:
                raw = m.value()
                a = decode_action(raw, "", max_bytes)
                outputs += len(engine.process_action(a, zlib.crc32(raw)))
                latest = max(latest, epoch_seconds(a.time))
            outputs += len(engine.advance_to(latest))
    cpu = time.process_time() - cpu
    return {"mode": mode, "actions": engine.n_actions, "cpu": cpu, "outputs": outputs}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fleet", type=Path, default=ROOT / "benchmarks" / ".data" / "fleet-1000x7-s7")
    p.add_argument("--limit", type=int, default=300_000, help="actions read from the fleet (default 300,000)")
    p.add_argument("--batch", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--learned", action="store_true", help="the learned side on (default off)")
    p.add_argument("--child")
    args = p.parse_args()
    if args.child:
        print(json.dumps(run(args.child, args.fleet, args.limit, args.batch, args.learned)))
        return
    best: dict[str, dict] = {}
    for _ in range(args.repeats):
        for mode in ("worker", "engine"):
            cmd = [sys.executable, __file__, "--child", mode, "--fleet", str(args.fleet), "--limit", str(args.limit),
                   "--batch", str(args.batch), *(["--learned"] if args.learned else [])]
            r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            if mode not in best or r["cpu"] < best[mode]["cpu"]:
                best[mode] = r
    w, e = best["worker"], best["engine"]
    per = {m: r["cpu"] / r["actions"] * 1e6 for m, r in best.items()}
    print(f"{w['actions']:,} actions, learned side {'on' if args.learned else 'off'}, cheapest of {args.repeats}:")
    print(f"  _process_batch      {per['worker']:6.2f} us per action ({w['outputs']:,} outputs)")
    print(f"  decode + engine     {per['engine']:6.2f} us per action ({e['outputs']:,} outputs)")
    print(f"  host layer          {per['worker'] - per['engine']:6.2f} us per action")


if __name__ == "__main__":
    main()

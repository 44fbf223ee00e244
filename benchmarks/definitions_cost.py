"""CPU cost of the agent-definition rules on the agentic lab: every event decoded once, then
``Engine.process`` over the manifests, lifecycle events and actions, with the rules and without
(``deploy/config/compare/without-definitions.yaml``), alternating.

    intentwatch simulate-agentic --instances 2000 --seed 2 --out agentic-out
    python benchmarks/definitions_cost.py --lab agentic-out --repeats 3
"""

import argparse
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from intentwatch.pipeline.engine.config import EngineConfig  # noqa: E402
from intentwatch.pipeline.engine.engine import Engine  # noqa: E402
from intentwatch.pipeline.hosts.replay import manifest_instantiations  # noqa: E402
from intentwatch.pipeline.io.codec import decode_action, decode_lifecycle  # noqa: E402
from intentwatch.pipeline.io.intents import load_manifests  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lab", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=3)
    o = ap.parse_args()
    lc: list = manifest_instantiations(load_manifests(o.lab / "intents").manifests)
    lc += [decode_lifecycle(line, "lifecycle", 1 << 20) for line in open(o.lab / "lifecycle.jsonl", "rb") if line.strip()]
    acts = [decode_action(line, "actions", 1 << 20) for line in open(o.lab / "actions.jsonl", "rb") if line.strip()]
    off = EngineConfig.model_validate(yaml.safe_load((ROOT / "deploy/config/compare/without-definitions.yaml").read_text())["engine"])
    for _ in range(o.repeats):
        for name, cfg in (("without", off), ("with", EngineConfig())):
            e = Engine(cfg)
            e.set_clock(4e9)  # the lab is in 2026: past the wall clock's horizon is fine
            t0 = time.process_time()
            for ev in lc:
                e.process(ev)
            for a in acts:
                e.process(a)
            e.flush()
            cpu = time.process_time() - t0
            print(f"{name:8s} {cpu:.2f} s CPU, {len(acts) / cpu:,.0f} actions/s", flush=True)


if __name__ == "__main__":
    main()

"""The compiled per-event code (setup.py builds models/baseline and pipeline/engine's engine.py
with core.py, control.py and hosting.py, behaviour.py, credentials.py, scope.py, state.py and
detectors, and the input adapters' per-record modules, with mypyc) against its own plain-Python
source: the same simulated fleet gives the same alerts and commands, byte for byte; the same
adapter inputs, fuzzed, the same results."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import intentwatch.models.baseline.agent
import intentwatch.pipeline.engine.behaviour
from intentwatch.pipeline.lab.simulate import simulate_fleet

ROOT = Path(__file__).resolve().parents[2]
COMPILED = intentwatch.models.baseline.agent.__file__.endswith((".so", ".pyd"))
# setup.py's list of compiled adapter modules (setup.py runs setup() when imported: read, not imported)
ADAPTED = next(ast.literal_eval(node.value) for node in ast.parse((ROOT / "setup.py").read_text()).body
               if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "ADAPTED")

# Runs the CLI from the source tree given first, and makes sure the learned side came from it.
RUN = """
import sys
root = sys.argv.pop(1)
sys.path.insert(0, root)
import intentwatch.models.baseline.agent, intentwatch.pipeline.engine.behaviour
for module in (intentwatch.models.baseline.agent, intentwatch.pipeline.engine.behaviour):
    assert module.__file__.startswith(root), module.__file__
    print(module.__file__)
from intentwatch.pipeline.cli import main
main()
"""


def _pure_tree(at: Path) -> Path:
    """A plain-Python intentwatch package, to put first on the path of a run."""
    for package in ("models", "pipeline"):
        shutil.copytree(ROOT / package, at / "intentwatch" / package,
                        ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"))
    (at / "intentwatch" / "__init__.py").touch()
    return at


@pytest.mark.skipif(not COMPILED, reason="installed as plain Python (INTENTWATCH_PURE=1): nothing compiled to compare")
def test_compiled_learned_side_gives_the_same_outputs_as_its_python_source(tmp_path):
    fleet = tmp_path / "fleet"
    simulate_fleet(40, 4, 3, fleet)  # four days: agents warm up after one, so learned findings are raised
    pure = _pure_tree(tmp_path / "pure")
    outputs, loaded = {}, {}
    for name, root in (("compiled", ROOT), ("pure", pure)):
        out = tmp_path / name
        run = subprocess.run(
            [sys.executable, "-c", RUN, str(root), "replay", str(fleet / "actions.jsonl"), "--intents",
             str(fleet / "intents"), "--lifecycle", str(fleet / "lifecycle.jsonl"), "--alerts", f"{out}-alerts.jsonl",
             "--commands", f"{out}-commands.jsonl", "--dead-letter", f"{out}-dlq.jsonl", "--quiet"],
            cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        loaded[name] = run.stdout.splitlines()[:2]
        outputs[name] = (Path(f"{out}-alerts.jsonl").read_bytes(), Path(f"{out}-commands.jsonl").read_bytes())
    assert all(f.endswith((".so", ".pyd")) for f in loaded["compiled"]) and all(f.endswith(".py") for f in loaded["pure"])
    alerts = outputs["compiled"][0].decode().splitlines()
    assert sum('"rule_id":"behaviour.' in a or '"rule_id":"credential.' in a for a in alerts) >= 20, \
        "too few learned findings for the comparison to mean much"
    assert outputs["compiled"] == outputs["pure"]


@pytest.mark.skipif(not COMPILED, reason="installed as plain Python (INTENTWATCH_PURE=1): nothing compiled to compare")
def test_compiled_adapters_give_the_same_results_as_their_python_source(tmp_path):
    """Every fixture, and 200 fuzzed copies of each document in it (values of the wrong type or shape,
    where mypyc's run-time type checks would reject what the source lets through), through the
    compiled adapters and through their source: the same actions, bad records, reasons, counters."""
    script = Path(__file__).parent / "adapter_outputs.py"
    runs = {}
    for name, root in (("compiled", "-"), ("pure", str(_pure_tree(tmp_path / "pure")))):
        run = subprocess.run([sys.executable, str(script), root, "200"], cwd=tmp_path, capture_output=True, text=True,
                             timeout=600)
        assert run.returncode == 0, run.stderr[-2000:]
        runs[name] = run.stdout.splitlines()
    assert runs["compiled"][0].endswith((".so", ".pyd")) and runs["pure"][0].endswith(".py")
    compiled, pure = runs["compiled"][1:], runs["pure"][1:]
    assert sum(line.startswith("A ") for line in pure) > 1000 and sum(line.startswith("B ") for line in pure) > 1000
    differ = [(c, p) for c, p in zip(compiled, pure) if c != p]
    assert not differ and len(compiled) == len(pure), differ[:3]


def test_compiled_modules_import_only_the_standard_library_and_intentwatch():
    """mypyc builds in an isolated environment that holds only setup.py's build requirements, so a
    third-party import in a compiled module fails the build (orjson did; pydantic models cannot
    be compiled at all, and an interpreted class cannot subclass a compiled one: a detector's
    structured params go in pipeline/engine/params.py; the adapters' options and mapping file in
    options.py and mapping.py, their orjson, pydantic and protobuf calls in libs.py). Reads the
    sources setup.py compiles (its globs), so a plain-Python install catches it too."""
    compiled = [*ROOT.glob("models/baseline/*.py"), *ROOT.glob("pipeline/engine/detectors/*.py"),
                *(ROOT / "pipeline/engine" / n for n in ("core.py", "control.py", "hosting.py", "engine.py", "behaviour.py", "credentials.py", "scope.py", "values.py", "state.py")),
                *(ROOT / "pipeline/io/adapters" / f"{n}.py" for n in ADAPTED)]
    assert len(compiled) > 20
    allowed = set(sys.stdlib_module_names) | {"intentwatch", "mypy_extensions"}
    foreign = []
    for p in compiled:
        for node in ast.walk(ast.parse(p.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            foreign += [f"{p.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] not in allowed]
    assert foreign == []

"""Installs ``models/`` and ``pipeline/`` as ``intentwatch.models`` and ``intentwatch.pipeline``
(``intentwatch`` is a namespace package: the folders stay where they are), and compiles the
engine's per-event code with mypyc: the engine (pipeline/engine/engine.py, with the classes it is
built on: core.py, control.py, hosting.py), its intent checks (pipeline/engine/detectors, with
the compiled manifests they read, scope.py, the tool-call values they walk, values.py, and the
per-agent state they read and write on every action, state.py), its learned side (behaviour.py,
the per-agent baselines in models/baseline, the fleet's credential first uses in credentials.py),
and the input adapters' per-record code (pipeline/io/adapters, ADAPTED below). The same Python
source, as C extensions: the learned side costs about 2.5 times less per event. All other
metadata lives in pyproject.toml. INTENTWATCH_PURE=1 installs plain Python instead (no C
compiler needed)."""

import os
import shutil
import sys
import sysconfig
from pathlib import Path

from setuptools import setup

ROOTS = {"intentwatch.models": Path("models"), "intentwatch.pipeline": Path("pipeline")}
PACKAGES = sorted(f"{name}{'.'.join(('', *d.relative_to(root).parts))}"
                  for name, root in ROOTS.items() for d in [root, *root.rglob("*")]
                  if (d / "__init__.py").exists())
ENGINE = Path("pipeline/engine")
ADAPTERS = Path("pipeline/io/adapters")
# The input adapters' per-record code; their options and mapping file (pydantic models), the
# tool-verb table and the third-party calls (libs.py) stay plain Python.
ADAPTED = ("base", "files", "json_arrays", "otlp", "otel", "otel_conventions", "json_text", "messages", "otel_messages", "otel_requests", "otel_traces", "cloudtrail", "cloudtrail_fields", "cloudtrail_ocsf",
           "cloudtrail_operations", "mapped", "transcript", "transcript_forms", "unknown", "order", "peers", "call_ids")
SOURCES = [*sorted(p for p in Path("models/baseline").glob("*.py") if p.name != "__init__.py"),
           *(ENGINE / name for name in ("core.py", "control.py", "hosting.py", "engine.py", "behaviour.py", "credentials.py", "scope.py", "values.py", "state.py")),
           *sorted(p for p in (ENGINE / "detectors").glob("*.py") if p.name != "__init__.py"),
           *(ADAPTERS / f"{name}.py" for name in ADAPTED)]


def staged(sources: list[Path]) -> list[str]:
    """mypy names a module after the packages above its file, so the sources are compiled from
    a view of the tree where they sit under ``intentwatch/`` (links, not copies)."""
    stage = Path("build/mypyc-src/intentwatch").absolute()
    stage.mkdir(parents=True, exist_ok=True)
    (stage / "__init__.py").touch()
    for name, root in ROOTS.items():
        link = stage / root.name
        if not link.is_symlink():
            link.symlink_to(root.absolute(), target_is_directory=True)
    return [str(stage / source) for source in sources]


modules = []
if os.environ.get("INTENTWATCH_PURE") == "1":
    for source in SOURCES:  # an extension left from an earlier build would shadow its source
        for built in [*source.parent.glob(f"{source.stem}.*.so"), *source.parent.glob(f"{source.stem}.*.pyd")]:
            built.unlink()
else:
    compiler = os.environ.get("CC") or sysconfig.get_config_var("CC")  # None on Windows (MSVC)
    missing = None
    if compiler and shutil.which(compiler.split()[0]) is None:
        missing = f"no C compiler ({compiler}); install gcc or clang"
    elif not (Path(sysconfig.get_paths()["include"]) / "Python.h").exists():
        missing = "no Python headers (Python.h); install your Python's development package (e.g. python3-dev)"
    if missing:
        sys.exit(f"intentwatch: cannot compile the per-event code: {missing}, or set INTENTWATCH_PURE=1 to install "
                 f"plain Python")
    from mypyc.build import mypycify

    # --follow-imports=silent: modules they import (the pydantic contracts, config) are read, not checked
    modules = mypycify([*staged(SOURCES), "--follow-imports=silent"], opt_level="3")

setup(packages=PACKAGES, package_dir={name: str(root) for name, root in ROOTS.items()},
      package_data={"intentwatch.pipeline.engine": ["*.yaml"], "intentwatch.pipeline.lab": ["*.html"]}, ext_modules=modules)

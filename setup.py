"""Builds the per-agent baselines (models/baseline) as C extensions with mypyc: the same
Python source, compiled, so the learned side costs about half as much per event. All
metadata lives in pyproject.toml. INTENTWATCH_PURE=1 installs plain Python instead (no C
compiler needed)."""

import os
import shutil
import sys
import sysconfig
from pathlib import Path

from setuptools import setup

BASELINE = Path("models/baseline")
modules = []
if os.environ.get("INTENTWATCH_PURE") == "1":
    for built in [*BASELINE.glob("*.so"), *BASELINE.glob("*.pyd")]:
        built.unlink()  # an extension left from an earlier build would shadow its source
else:
    compiler = os.environ.get("CC") or sysconfig.get_config_var("CC")  # None on Windows (MSVC)
    missing = None
    if compiler and shutil.which(compiler.split()[0]) is None:
        missing = f"no C compiler ({compiler}); install gcc or clang"
    elif not (Path(sysconfig.get_paths()["include"]) / "Python.h").exists():
        missing = "no Python headers (Python.h); install your Python's development package (e.g. python3-dev)"
    if missing:
        sys.exit(f"intentwatch: cannot compile models/baseline: {missing}, or set INTENTWATCH_PURE=1 to install "
                 f"plain Python")
    from mypyc.build import mypycify

    sources = sorted(str(p) for p in BASELINE.glob("*.py") if p.name != "__init__.py")
    # --follow-imports=silent: modules they import (the pydantic contracts) are read, not checked
    modules = mypycify([*sources, "--follow-imports=silent"], opt_level="3")

setup(ext_modules=modules)

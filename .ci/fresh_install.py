#!/usr/bin/env python3
"""`pip install .` of this checkout into a fresh virtualenv, compiled (mypyc, the default), then
what a user of the wheel gets: `intentwatch --version` says the engine is compiled, only the
`intentwatch` package lands in site-packages (no top-level `models` or `pipeline` to collide with
other distributions), and `import intentwatch` works outside the source tree.

Compiling takes minutes (longer than the unit suite may), so this is a script, not a test:

    python3 .ci/fresh_install.py            # exits non-zero, naming what is wrong
    python3 .ci/fresh_install.py --keep DIR # keep the venv in DIR to look around
"""

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*cmd: str, cwd: Path | None = None) -> str:
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{res.stdout[-4000:]}{res.stderr[-4000:]}")
    return res.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="Build the venv here and keep it.")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="iw-fresh-"))
    try:
        src, venv = work / "src", args.keep or work / "venv"
        # the committed tree only: no .venv, build/ or compiled leftovers from the checkout
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
        src.mkdir()
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
        run(sys.executable, "-m", "venv", str(venv))
        python, started = venv / "bin" / "python", time.perf_counter()
        run(str(python), "-m", "pip", "install", "-q", ".", cwd=src)
        print(f"pip install . (compiled): {time.perf_counter() - started:.0f} s")

        version = run(str(venv / "bin" / "intentwatch"), "--version", cwd=work).strip()
        print(version)
        problems = [] if version.endswith("(engine: compiled)") else [f"--version: {version!r} does not say compiled"]
        site = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
        record = next(site.glob("intentwatch-*.dist-info")) / "RECORD"
        with open(record, newline="") as fh:
            top = sorted({Path(row[0]).parts[0] for row in csv.reader(fh) if not row[0].startswith("..")})
        print(f"top-level entries the wheel installs in site-packages: {top}")
        for name in ("models", "pipeline"):
            if (site / name).exists() or (site / f"{name}.py").exists() or name in top:
                problems.append(f"a top-level {name!r} landed in {site}")
        # only the package, its metadata and mypyc's shared runtime module (named after the build's hash)
        strays = [t for t in top if t != "intentwatch" and not t.endswith(".dist-info") and "__mypyc." not in t]
        if strays:
            problems.append(f"unexpected top-level entries in site-packages: {strays}")
        where = run(str(python), "-c", "import intentwatch, intentwatch.pipeline.cli as c, intentwatch.pipeline.engine.engine as e; "
                    "print(c.__file__); print(e.__file__)", cwd=work).split()
        print("import intentwatch:", *where)
        if not all(w.startswith(str(site)) for w in where):
            problems.append(f"intentwatch imported from outside the venv: {where}")
        for p in problems:
            print("FAILED:", p)
        sys.exit(1 if problems else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

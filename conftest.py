"""Test-session plumbing for the installed namespace and the compiled per-event code.

``models/`` and ``pipeline/`` install as ``intentwatch.models`` and ``intentwatch.pipeline``, and
``setup.py`` compiles ``models/baseline`` and the engine's per-event modules in
``pipeline/engine`` with mypyc, the extensions beside their sources. Handled here:

- a source edited after the build is shadowed by its stale extension, so the session stops
  and names the command that rebuilds it (``make test`` rebuilds by itself);
- pytest's ``--doctest-modules`` would import ``pipeline/x.py`` a second time as a top-level
  ``pipeline.x``, and compiled modules keep no docstrings: so every module's examples are read
  from its source file and run against the installed ``intentwatch.…`` module's namespace (the
  code users run).
"""

import ast
import doctest
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
from _pytest.doctest import DoctestModule

ROOT = Path(__file__).parent
PACKAGES = ("models", "pipeline")  # installed under the intentwatch namespace


def extension(source: Path) -> Path | None:
    """The compiled extension built from ``source``, if there is one."""
    found = sorted(source.parent.glob(f"{source.stem}.*.so")) + sorted(source.parent.glob(f"{source.stem}.*.pyd"))
    return found[0] if found else None


def pytest_sessionstart(session: pytest.Session) -> None:
    sources = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))
    stale = [str(p.relative_to(ROOT)) for p in sources
             if (ext := extension(p)) is not None and ext.stat().st_mtime < p.stat().st_mtime]
    if stale:
        pytest.exit(f"{', '.join(stale)} changed after it was compiled, so the old extension would be tested: "
                    f"rebuild with `make install` (or `pip install -e .`)", returncode=2)


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> list:
    found = yield
    if file_path.suffix == ".py" and parent.config.option.doctestmodules and \
            file_path.is_relative_to(ROOT) and file_path.relative_to(ROOT).parts[0] in PACKAGES:
        found = [c for c in found if not isinstance(c, DoctestModule)]
        found.append(SourceDoctests.from_parent(parent, path=file_path))
    return found


class SourceDoctests(pytest.File):
    """The docstring examples of an installed module, parsed from its source file."""

    def collect(self) -> Iterator["SourceDoctest"]:
        parts = self.path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(("intentwatch", *(parts[:-1] if parts[-1] == "__init__" else parts)))
        namespace = vars(import_module(name))
        flags = 0
        for flag in self.config.getini("doctest_optionflags"):
            flags |= doctest.OPTIONFLAGS_BY_NAME[flag]
        parser = doctest.DocTestParser()
        for qualname, doc, line in docstrings(ast.parse(self.path.read_text()), name):
            test = parser.get_doctest(doc, dict(namespace), qualname, str(self.path), line)
            if test.examples:
                yield SourceDoctest.from_parent(self, name=qualname, test=test, flags=flags)


class SourceDoctest(pytest.Item):
    def __init__(self, *, test: doctest.DocTest, flags: int, **kw):
        super().__init__(**kw)
        self.test, self.flags = test, flags

    def runtest(self) -> None:
        report: list[str] = []
        result = doctest.DocTestRunner(optionflags=self.flags).run(self.test, out=report.append)
        if result.failed:
            raise DoctestFailed("".join(report))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, DoctestFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.test.lineno, f"[doctest] {self.name}"


class DoctestFailed(Exception):
    pass


def docstrings(tree: ast.Module, prefix: str) -> Iterator[tuple[str, str, int]]:
    """(qualified name, docstring, 0-based line) of the module and every class and function in it."""
    stack: list[tuple[ast.AST, str]] = [(tree, prefix)]
    while stack:
        node, qualname = stack.pop()
        doc = ast.get_docstring(node, clean=False)
        if doc is not None:
            yield qualname, doc, node.body[0].lineno - 1
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                stack.append((child, f"{qualname}.{child.name}"))

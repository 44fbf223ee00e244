"""The house's shape: no import circle among the installed modules, and no top-level import
of the source folders' own names (everything goes through the ``intentwatch`` namespace)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("models", "pipeline")


def modules() -> dict[str, Path]:
    """Installed module name -> source file, for every module of the two packages."""
    out = {}
    for package in PACKAGES:
        for p in (ROOT / package).rglob("*.py"):
            parts = p.relative_to(ROOT).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            out[".".join(("intentwatch", *parts))] = p
    return out


def imports(path: Path, known: set[str]) -> set[str]:
    """The project modules ``path`` imports when it is loaded (not under TYPE_CHECKING, not in functions)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for n in ast.walk(node) if isinstance(node, (ast.Import, ast.ImportFrom, ast.If, ast.Try)) else ():
            if isinstance(n, ast.Import):
                names = [a.name for a in n.names]
            elif isinstance(n, ast.ImportFrom) and n.module:
                names = [n.module, *(f"{n.module}.{a.name}" for a in n.names)]
            else:
                continue
            found |= {m for m in names if m in known}
    return found


def test_no_import_circle():
    mods = modules()
    graph = {m: imports(p, set(mods)) - {m} for m, p in mods.items()}
    # A package's __init__ importing its own submodules is how packages are built: not a circle.
    graph = {m: {d for d in deps if not d.startswith(m + ".")} for m, deps in graph.items()}
    circles, state = [], {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                circles.append(stack[stack.index(d):] + [d] if d in stack else [m, d])
            elif d not in state:
                visit(d, stack + [d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert circles == [], "\n".join(" -> ".join(c) for c in circles)


def test_source_folders_are_imported_through_the_namespace():
    bare = []
    for package in ("models", "pipeline", "tests", "benchmarks"):
        for p in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(p.read_text())):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
                bare += [f"{p.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in PACKAGES]
    assert bare == []


# A module reads in one sitting: about 400 lines. Past that it is split by concern, unless it is
# mostly a data table. Each exception says why; one that shrinks under the limit leaves the list.
MODULE_LINES = 400
LONGER = {
    "pipeline/lab/simulate/archetypes.py": "data tables: tool vocabularies, resource pools, the archetypes",
}


def test_no_module_over_about_400_lines_but_the_listed_ones():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text().splitlines())
             for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    over = {path for path, n in sizes.items() if n > MODULE_LINES}
    assert over - set(LONGER) == set(), {p: sizes[p] for p in over - set(LONGER)}
    assert set(LONGER) - over == set(), "under the limit now: take them off LONGER"

"""The house in rooms: the package layout keeps the rules it was built to.

Subpackages import one way only (``ORDER``): the one exception is the ``.plot()`` method
of a result, which imports :mod:`lifecycle.plotting` inside the method when it is called
(never at import time, so no cycle can form). No module grows past 900 lines, no function
body (its code, the docstring aside) past 120 lines, at most 8 modules sit directly in
``lifecycle/``, and no private (``_name``) is imported from another subpackage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lifecycle"

#: The rooms in data-flow order: a room may import only from rooms before it (or itself).
ORDER = [
    "_core",
    "errors",
    "series",
    "events",
    "evidence",
    "models",
    "changepoints",
    "inference",
    "sweep",
    "plotting",
    "report",
    "cli",
]
MAX_MODULE_LINES = 900
MAX_FUNCTION_LINES = 120
MAX_TOP_LEVEL_MODULES = 8


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _room(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> list[tuple[str, list[str], int, bool]]:
    """(lifecycle module, names, line, inside a function) of every import in ``path``."""
    out = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "lifecycle" or node.module.startswith("lifecycle."):
                names = [a.name for a in node.names]
                out.append((node.module, names, node.lineno, in_function))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("lifecycle."):
                    out.append((a.name, [], node.lineno, in_function))
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return out


def test_at_most_eight_modules_directly_in_the_package():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_size(path: Path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_MODULE_LINES, f"{path.relative_to(PACKAGE)} has {n} lines"


def test_function_bodies_are_short():
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            n = node.end_lineno - node.lineno + 1
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                if isinstance(first.value.value, str):  # the docstring is not code
                    n -= first.end_lineno - first.lineno + 1
            if n > MAX_FUNCTION_LINES:
                long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({n})")
    assert not long, long


def test_imports_flow_one_way():
    wrong = []
    for path in _modules():
        room = _room(path)
        if room == "__init__":
            continue  # the top level re-exports everything, lazily
        for module, names, line, in_function in _imports(path):
            parts = module.split(".")
            if len(parts) < 2:
                if in_function and names == ["plotting"]:
                    continue  # a result's .plot() hook
                continue  # `from lifecycle import __version__` and the like
            target = parts[1]
            if in_function and target == "plotting":
                continue  # a result's .plot() hook
            if target in ORDER and ORDER.index(target) > ORDER.index(room):
                wrong.append(f"{path.relative_to(PACKAGE)}:{line} ({room}) imports {module}")
    assert not wrong, wrong


def test_no_private_name_crosses_a_room():
    crossing = []
    for path in _modules():
        room = _room(path)
        for module, names, line, _in_function in _imports(path):
            parts = module.split(".")
            if len(parts) < 2 or parts[1] == room or parts[1] == "_core":
                continue  # within a room; _core is the shared foundation
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            if private or any(p.startswith("_") and p != "_core" for p in parts[2:]):
                crossing.append(f"{path.relative_to(PACKAGE)}:{line} {module} {private}")
    assert not crossing, crossing


def test_the_rooms_are_listed():
    rooms = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    rooms |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert rooms <= set(ORDER), rooms - set(ORDER)

"""Every docstring example in the package runs and prints what it shows.

The examples are written as a user types them after ``import lifecycle``: the public
names of the top level and of the subpackages are in scope. A wrong example (a p-value
the seeded run no longer gives, a renamed function) fails here.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings

import matplotlib
import pytest

import lifecycle

matplotlib.use("Agg")

_PUBLIC = (
    "lifecycle",
    "lifecycle.series",
    "lifecycle.models",
    "lifecycle.inference",
    "lifecycle.plotting",
    "lifecycle.changepoints",
    "lifecycle.evidence",
)
_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(lifecycle.__path__, "lifecycle.")
    if not m.name.endswith("__main__")
)


def _public_names() -> dict[str, object]:
    names: dict[str, object] = {}
    for pkg in _PUBLIC:
        p = importlib.import_module(pkg)
        names.update({k: getattr(p, k) for k in getattr(p, "__all__", [])})
    return names


def test_the_package_has_examples() -> None:
    finder = doctest.DocTestFinder()
    n = sum(
        len(t.examples) for name in _MODULES for t in finder.find(importlib.import_module(name))
    )
    assert n >= 150, f"expected the docstrings to hold at least 150 examples, found {n}"


@pytest.mark.parametrize("name", _MODULES)
def test_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = doctest.testmod(
            module,
            extraglobs=_public_names(),
            report=False,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        )
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"

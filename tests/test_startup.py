"""The command starts at once: ``import lifecycle`` and ``lifecycle --help`` load no heavy library.

Speed itself is measured by ``benchmarks/bench_startup.py`` (never asserted here); these
tests check the cause: which modules a fresh interpreter has loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "ruptures")


def loaded_after(code: str) -> list[str]:
    probe = (
        f"\nimport sys, json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code + probe], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "code",
    [
        "import lifecycle",
        "from lifecycle.cli import main\nmain(['--help'])",
        "from lifecycle.cli import main\nmain(['--version'])",
        "from lifecycle.cli import main\nmain(['report', '--help'])",
        "import lifecycle\nlifecycle.__version__",
    ],
)
def test_no_heavy_import_before_the_work(code):
    assert loaded_after(code) == []


def test_names_still_reachable_from_the_top():
    import lifecycle

    for name in lifecycle.__all__:
        assert getattr(lifecycle, name) is not None, name
    assert set(lifecycle.__all__) <= set(dir(lifecycle))
    from lifecycle import plotting

    assert lifecycle.plotting is plotting
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        lifecycle.nope  # noqa: B018


def test_plotting_is_an_attribute_loaded_on_use():
    got = loaded_after("import lifecycle\nlifecycle.plotting")
    assert "matplotlib" in got
    assert "matplotlib" not in loaded_after("import lifecycle\nlifecycle.CountSeries")


def test_the_command_asks_for_one_blas_thread_only_where_the_user_did_not():
    from lifecycle.cli.main import BLAS_THREAD_VARIABLES, one_blas_thread

    env = {"OMP_NUM_THREADS": "4", "PATH": "/bin"}
    assert one_blas_thread(env, {}) == ["OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]
    assert env == {"OMP_NUM_THREADS": "4", "PATH": "/bin", "OPENBLAS_NUM_THREADS": "1",
                   "MKL_NUM_THREADS": "1"}  # fmt: skip
    # numpy already loaded (a notebook, the tests): too late to matter, nothing written
    env = {}
    assert one_blas_thread(env, {"numpy": object()}) == [] and env == {}
    assert set(BLAS_THREAD_VARIABLES) >= {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"}


def test_a_command_run_in_a_fresh_process_sets_the_blas_threads_before_numpy():
    code = (
        "import os, sys\nfor v in ('OPENBLAS_NUM_THREADS','OMP_NUM_THREADS','MKL_NUM_THREADS'):"
        "\n    os.environ.pop(v, None)\nfrom lifecycle.cli import main\n"
        "main(['evidence', 'list', '--table', 'sources', '--json'])\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "1"

"""Shared by the benchmarks that time old code against the working tree in one run.

``export`` writes the ``lifecycle`` package as it was at a git revision into a folder;
``run_result`` runs a benchmark script in a fresh Python process on a given tree and
returns the JSON it printed on its ``RESULT`` line (or a one-line reason it did not).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any


def export(root: str, ref: str, dest: str) -> None:
    """Write ``lifecycle/`` as of ``ref`` (``git archive``) into the folder ``dest``."""
    archive = subprocess.run(
        ["git", "archive", ref, "lifecycle"], cwd=root, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", dest], input=archive, check=True)


def run_result(
    script: str,
    *,
    cwd: str,
    pythonpath: str | None,
    limit: float | None = None,
    args: tuple[str, ...] = (),
) -> Any:
    """Run ``script`` with ``python -c`` and return the JSON after ``RESULT`` it printed.

    ``pythonpath`` puts a tree first on the import path (``None``: the environment's
    own). Returns a string instead when the run timed out or printed no result (the
    last line of its standard error).
    """
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    try:
        proc = subprocess.run(
            [sys.executable, "-c", script, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        return f"did not finish in {limit:.0f} s"
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT"):
            return json.loads(line[6:])
    lines = proc.stderr.strip().splitlines()
    return "failed: " + (lines[-1] if lines else f"exit status {proc.returncode}")

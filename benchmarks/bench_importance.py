"""The report's importance samplers: old code against the working tree, one process.

Run from the repository root: ``uv run python benchmarks/bench_importance.py`` (about a
minute of CPU: the analysis once to record the samplers, then each sampler several
times). ``--old-ref REV`` sets the old code (default 21483bf, ``main`` before the
sampler work of issues 11/13); ``--repeats R`` how often each sampler runs per side.

Every call of :func:`lifecycle.inference.importance._importance_many` that the main job
(``analyse_evidence`` on the embedded evidence, seed 20240601, 999 bootstrap
replicates) makes through :mod:`lifecycle.inference.bayes` is recorded with its
arguments. Each is then run by the old ``importance.py`` and ``hyper.py`` (read with
``git show`` and loaded as modules of their own) and by the working tree, alternating
old and new ``R`` times; a sampler's time is the least of its ``R`` runs (CPU time,
``time.process_time``; the machine is shared, so the load average is printed at the
start and the end). Beside the times: the largest relative difference between old and
new of the log marginal likelihoods and their stated errors, and how many notes differ.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
import types
from typing import Any

import numpy as np

import lifecycle.inference.bayes as bayes
import lifecycle.inference.importance as new

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _old_module(ref: str, path: str, name: str) -> types.ModuleType:
    """The module at ``path`` as of ``ref`` (``git show``), loaded under ``name``."""
    src = subprocess.run(
        ["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    mod = types.ModuleType(name)
    mod.__file__ = f"{ref}:{path}"
    exec(compile(src, mod.__file__, "exec"), mod.__dict__)
    return mod


def _record(seed: int, n_boot: int) -> list[tuple[tuple, dict]]:
    """The arguments of every sampler the analysis starts through ``bayes``."""
    from lifecycle import report

    calls: list[tuple[tuple, dict]] = []
    orig = bayes._importance_many

    def rec(*a: Any, **k: Any) -> Any:
        calls.append((a, k))
        return orig(*a, **k)

    bayes._importance_many = rec
    try:
        report.analyse_evidence(seed=seed, n_boot=n_boot, progress=False)
    finally:
        bayes._importance_many = orig
    return calls


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old-ref", default="21483bf")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--bootstrap", type=int, default=999)
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    old_hyper = _old_module(args.old_ref, "lifecycle/inference/hyper.py", "old_hyper")
    old = _old_module(args.old_ref, "lifecycle/inference/importance.py", "old_importance")
    old.log_rate_prior = old_hyper.log_rate_prior
    old.rate_prior_derivs = old_hyper.rate_prior_derivs
    t0 = time.process_time()
    calls = _record(20240601, args.bootstrap)
    print(f"analysis (recording): {time.process_time() - t0:.1f} s CPU, {len(calls)} samplers")
    tot = {"old": 0.0, "new": 0.0}
    worst, notes, n_res = 0.0, 0, 0
    for a, k in calls:
        best = {"old": np.inf, "new": np.inf}
        res: dict[str, list] = {}
        for r in range(args.repeats):
            order = (("old", old), ("new", new)) if r % 2 == 0 else (("new", new), ("old", old))
            for name, mod in order:
                t = time.process_time()
                out = mod._importance_many(*a, **k)
                best[name] = min(best[name], time.process_time() - t)
                res[name] = [(o.log_ml, o.error, o.note) for o in out]
        for name in tot:
            tot[name] += best[name]
        for x, y in zip(res["old"], res["new"], strict=True):
            n_res += 1
            notes += x[2] != y[2]
            for i in (0, 1):
                if np.isfinite(x[i]) or np.isfinite(y[i]):
                    worst = max(worst, abs(x[i] - y[i]) / max(abs(x[i]), 1e-300))
    print()
    print(f"| code | CPU s, {len(calls)} samplers (least of {args.repeats}) |")
    print("| --- | --- |")
    print(f"| old ({args.old_ref}) | {tot['old']:.2f} |")
    print(f"| new (working tree) | {tot['new']:.2f} |")
    print(f"| new / old | {tot['new'] / tot['old']:.3f} |")
    print()
    print(
        f"{n_res} results: largest relative difference of log ML and stated error "
        f"{worst:.1e}; notes that differ: {notes}"
    )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

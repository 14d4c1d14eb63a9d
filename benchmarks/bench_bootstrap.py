"""Benchmark of the vectorised parametric bootstrap of the resurgence test (issue 6).

Prints a table: wall and CPU time of ``test_resurgence`` with 999 and 9,999 replicates
at n = 10, 30, 60 for Poisson and NB2, replicates per second, and, as a peer in the same
run, a naive per-replicate loop with plain PAVA and brute force over splits (Poisson,
small B, extrapolated per replicate). Targets: n = 10 with 9,999 replicates < 2 s;
n = 60 with 999 replicates ~0.3 s (Poisson) and ~1 s (NB2: one Poisson order-constrained
fit plus two vectorised profile-ML bisections for the dispersion per replicate). Run with
``uv run python benchmarks/bench_bootstrap.py`` (about a minute).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from lifecycle.inference.resurgence import test_resurgence as resurgence
from lifecycle.inference.simulate import simulate_counts, single_peak

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from naive_reference import naive_statistic


def _time(fn, repeat: int = 1) -> tuple[float, float]:
    best_wall, best_cpu = np.inf, np.inf
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        best_wall = min(best_wall, time.perf_counter() - w)
        best_cpu = min(best_cpu, time.process_time() - c)
    return best_wall, best_cpu


def main() -> pd.DataFrame:
    rows = []
    for n in (10, 30, 60):
        y = simulate_counts(single_peak(n, 20, 100), n=1, seed=n)[0]
        e = np.ones(n)
        for family in ("poisson", "negbin"):
            for n_boot in (999, 9_999):
                if n == 60 and n_boot == 9_999 and family == "negbin":
                    continue  # several seconds; skipped to keep the run short
                wall, cpu = _time(
                    lambda y=y, f=family, b=n_boot: resurgence(y, family=f, n_boot=b, seed=1),
                    repeat=2 if n_boot == 999 else 1,
                )
                rows.append(
                    {
                        "n": n,
                        "family": family,
                        "method": "vectorised",
                        "n_boot": n_boot,
                        "wall_s": wall,
                        "cpu_s": cpu,
                        "replicates_per_s": n_boot / wall,
                    }
                )
        # peer: naive per-replicate loop, plain PAVA, brute force over splits (Poisson)
        b_naive = {10: 50, 30: 5, 60: 2}[n]
        reps = simulate_counts(np.full(n, y.mean()), n=b_naive, seed=2)
        wall, cpu = _time(lambda reps=reps, e=e: [naive_statistic(r, e) for r in reps])
        rows.append(
            {
                "n": n,
                "family": "poisson",
                "method": f"naive loop (B={b_naive}, extrapolated)",
                "n_boot": 999,
                "wall_s": wall / b_naive * 999,
                "cpu_s": cpu / b_naive * 999,
                "replicates_per_s": b_naive / wall,
            }
        )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    table = main()
    with pd.option_context("display.width", 120, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))

"""Speed of compare_waves with NB, old code vs new, the default call included.

Run from the repository root: ``uv run python benchmarks/bench_fits.py`` (about five
minutes of CPU; the old code takes most of it).

The *old* figures come from ``main``'s code at two commits, exported with
``git archive`` to a temporary directory and run in a subprocess; the *new* figures from
the working tree. Every figure is one ``compare_waves`` call in a fresh process (the
least of two such processes), after a warm-up call on another small series (imports and
lazy modules are not timed), as CPU time (``time.process_time``; the machine is shared,
so wall time says little), with one BLAS thread (as the CLI asks; a second thread adds
CPU time, not speed, here):

* ``OLD_REF``: before the one-engine work of issue 11 (fits only: its comparison had no
  marginal likelihoods and skipped the LOO of estimated rows);
* ``BASE_REF``: ``main`` before the lockstep leave-one-out searches, Brent's refinement
  of the dispersion profile and the thinned valley integrals;
* ``PREV_REF``: ``main`` before the NB grid spaced by the dispersion, the α nodes
  skipped by a likelihood bound, the implicit valley integrals and the warm-started
  leave-one-out refits;
* ``MAIN_REF``: ``main`` before the stacked leave-one-out refits
  (:mod:`lifecycle.models.step_fits`), the lockstep tables' alpha-free parts formed
  once, one dynamic programme per table for several ``k`` and the inward refinement of
  the α nodes;
* now.

Series and calls:

* a 50-year series (1975-2024) drawn from NB2 (alpha = 0.5) around a rise, a fall and a
  second rise, with a partial last year (exposure 0.5), compared with a user's
  three-wave definition, a two-phase and a four-phase dated definition and the
  conventional lifecycle (so the estimated 2-, 3- and 4-phase segmentations are in the
  table too): fits only (``loo=False, bayes=False``), with the leave-one-out column
  (``bayes=False``), with the marginal likelihoods (``loo=False``), and the default call
  (both);
* a 120-month series (2010-2019, NB2 alpha = 0.5, two waves, a half last month) with
  the data-driven default set (``definitions=None``), with the leave-one-out column.

Beside the times: the largest difference from ``MAIN_REF`` and from ``PREV_REF`` of the
log-likelihoods and LOO scores, and of the log marginal likelihoods (with the largest
stated error and the largest change of a stated error).
"""

from __future__ import annotations

import os
import tempfile
import textwrap

from _oldcode import export, run_result

OLD_REF = "0fdb97b"  # main before the one-engine work (issue 11)
BASE_REF = "0e21d4e"  # main before the lockstep LOO searches
PREV_REF = "3fe2077"  # main before the dispersion-spaced grid and the warm LOO refits
MAIN_REF = "6d40c59"  # main before the stacked LOO refits (models/step_fits.py)
TIME_LIMIT = 900  # seconds per subprocess
REPEATS = 2  # fresh processes per figure; the least CPU is shown (a shared machine)

SCRIPT = textwrap.dedent(
    """
    import inspect, json, sys, time, warnings
    import numpy as np
    from lifecycle.series import CountSeries
    from lifecycle.models import CONVENTIONAL, WaveDefinition
    from lifecycle.inference import compare_waves

    which, variant = sys.argv[1], sys.argv[2]
    if which == "year":
        years = np.arange(1975, 2025)
        t = np.arange(50)
        rate = 4 + 60 * np.exp(-0.5 * ((t - 12) / 4) ** 2) + 35 * np.exp(-0.5 * ((t - 38) / 5) ** 2)
        rng = np.random.default_rng(20240611)
        expo = np.ones(50)
        expo[-1] = 0.5
        y = rng.poisson(rng.gamma(2.0, rate * expo / 2.0))  # NB2, alpha = 0.5
        s = CountSeries.from_counts(years, y, expo, name="bench")
        defs = [
            WaveDefinition.from_breaks("user waves", [1975, 1993, 2005],
                                       names=["emergence", "decline", "resurgence"]),
            WaveDefinition.from_breaks("two phases", [1975, 1995], names=["a", "b"]),
            WaveDefinition.from_breaks("four phases", [1975, 1985, 1995, 2008],
                                       names=["a", "b", "c", "d"]),
            CONVENTIONAL,
        ]
    else:
        t = np.arange(120)
        rate = 3 + 25 * np.exp(-0.5 * ((t - 30) / 10) ** 2)
        rate += 15 * np.exp(-0.5 * ((t - 90) / 12) ** 2)
        rng = np.random.default_rng(20240612)
        expo = np.ones(120)
        expo[-1] = 0.5
        y = rng.poisson(rng.gamma(2.0, rate * expo / 2.0))
        labels = [f"{2010 + i // 12}-{i % 12 + 1:02d}" for i in range(120)]
        s = CountSeries.from_counts(labels, y, expo, name="monthly", freq="month")
        defs = None
    params = inspect.signature(compare_waves).parameters
    kw = {"fits": {"loo": False, "bayes": False}, "loo": {"bayes": False},
          "bayes": {"loo": False}, "default": {}}[variant]
    kw = {k: v for k, v in kw.items() if k in params}
    if variant != "fits" and "bayes" not in params:
        print("RESULT" + json.dumps("n/a"))
        sys.exit()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = [9, 12, 20, 31, 40, 33, 25, 19, 30, 41, 38, 27]
        w = CountSeries.from_counts(range(2000, 2012), w)
        try:  # warm-up: imports and lazy modules
            compare_waves(w, [2, CONVENTIONAL], family="negbin", **kw)
        except Exception:  # old code: dated definitions only
            wd = WaveDefinition.from_breaks("w", [2000, 2006], names=["a", "b"])
            compare_waves(w, [wd, CONVENTIONAL], family="negbin", **kw)
        c0 = time.process_time()
        comp = compare_waves(s, defs, family="negbin", **kw)
        cpu = time.process_time() - c0
    tab = comp.summary()
    cols = [c for c in ("loglik", "loo_log_score", "log_ml", "log_ml_error") if c in tab]
    rows = {r["definition"]: {c: float(r[c]) for c in cols} for _, r in tab.iterrows()}
    print("RESULT" + json.dumps({"cpu": cpu, "rows": rows, "refused": sorted(comp.refused)}))
    """
)

YEAR_VARIANTS = ("fits", "loo", "bayes", "default")
_BLAS_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _runs(tree: str, runs: list[tuple[str, str]]) -> dict[tuple[str, str], object]:
    """Each run ``REPEATS`` times in fresh processes; the one of least CPU is kept."""
    out: dict[tuple[str, str], object] = {}
    for run in runs:
        for _ in range(REPEATS):
            res = run_result(SCRIPT, cwd=tree, pythonpath=tree, limit=TIME_LIMIT, args=run)
            best = out.get(run)
            if not isinstance(best, dict) or (isinstance(res, dict) and res["cpu"] < best["cpu"]):
                out[run] = res
    return out


def _diff(base: object, new: object, col: str) -> float | None:
    """Largest absolute difference of a column over the rows both have (NaN alike)."""
    if not (isinstance(base, dict) and isinstance(new, dict)):
        return None
    out = 0.0
    for name, row in new["rows"].items():
        a, b = base["rows"].get(name, {}).get(col), row.get(col)
        if a is None or b is None or (a != a and b != b):
            continue
        out = max(out, abs(a - b))
    return out


def _cell(res: object) -> str:
    if isinstance(res, dict):
        return f"{res['cpu']:8.2f}"
    return f"{str(res)[:8]:>8}"


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for var in _BLAS_THREADS:  # one BLAS thread, as the CLI asks (inherited by the runs)
        os.environ.setdefault(var, "1")
    year = [("year", v) for v in YEAR_VARIANTS]
    month = [("month", "loo")]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        export(root, OLD_REF, tmp)
        results[OLD_REF] = _runs(tmp, [("year", "fits")])
    for ref in (BASE_REF, PREV_REF, MAIN_REF):
        with tempfile.TemporaryDirectory() as tmp:
            export(root, ref, tmp)
            results[ref] = _runs(tmp, year + month)
    results["now"] = _runs(root, year + month)
    print("compare_waves(s, defs, family='negbin'), 50-year NB series, user 3-wave + 2/4-phase")
    print("dated definitions, estimated 2/3/4-phase segmentations, conventional lifecycle;")
    print("CPU s of one call (fresh process, after a warm-up call on another series)")
    print(f"{'':18} {'fits':>8} {'+LOO':>8} {'+ML':>8} {'default':>8}  rows / refused")
    for label, res in results.items():
        cells = [_cell(res.get(("year", v), "-")) for v in YEAR_VARIANTS]
        fits = res.get(("year", "fits"))
        rows = f"{len(fits['rows'])} / {len(fits['refused'])}" if isinstance(fits, dict) else ""
        print(f"{label:18} {' '.join(cells)}  {rows}")
    new = results["now"]
    for ref in (MAIN_REF, PREV_REF):
        d = results[ref].get(("year", "default")), new.get(("year", "default"))
        ll, loo, ml = _diff(*d, "loglik"), _diff(*d, "loo_log_score"), _diff(*d, "log_ml")
        derr = _diff(*d, "log_ml_error")
        if isinstance(d[1], dict) and ll is not None:
            err = max(r.get("log_ml_error", 0.0) for r in d[1]["rows"].values())
            print(
                f"now vs {ref}, default call: max |diff| loglik {ll:.1e}, LOO {loo:.1e}, "
                f"log marginal likelihood {ml:.1e} (largest stated error {err:.3f}, "
                f"largest change of a stated error {derr:.1e})"
            )
    print()
    print("compare_waves(s, None, family='negbin', bayes=False), 120-month NB series")
    print("(no change, best 2/3/4-phase segmentations, conventional lifecycle)")
    for ref in (BASE_REF, PREV_REF, MAIN_REF):
        print(f"{ref:18} {_cell(results[ref].get(('month', 'loo'), '-'))}")
    print(f"{'now':18} {_cell(new.get(('month', 'loo'), '-'))}")
    for ref in (MAIN_REF, PREV_REF):
        m = results[ref].get(("month", "loo")), new.get(("month", "loo"))
        print(f"max |diff| of the LOO scores (now vs {ref}): {_diff(*m, 'loo_log_score')}")


if __name__ == "__main__":
    main()

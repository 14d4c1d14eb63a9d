"""Fitting speed: compare_waves with NB on a 50-year yearly series, old code vs new.

Run from the repository root: ``uv run python benchmarks/bench_fits.py``.

The *old* figures come from ``main``'s code as of commit ``OLD_REF`` (exported with
``git archive`` to a temporary directory and run in a subprocess with a time limit); the
*new* figures from the working tree. Both run the same script on the same seeded
series in the same run of this benchmark:

* a 50-year series (1975-2024) drawn from NB2 (alpha = 0.5) around a rise, a fall and a
  second rise, with a partial last year (exposure 0.5);
* ``compare_waves(family="negbin", loo=False)`` with a user's three-wave definition, a
  two-phase and a four-phase dated definition and the conventional lifecycle, so that
  the estimated 2-, 3- and 4-phase segmentations and the conventional lifecycle are all
  in the table;
* the report's CPU time is not measured here (the report is built by other modules).

A second table times the leave-one-out column on the data-driven default set
(``compare_waves(s, None, family="negbin", bayes=False)``: no change, best 2/3/4-phase
segmentations, the conventional lifecycle) at ``LOO_REF`` (estimated rows skipped,
"LOO skipped: 2500 refits"), at ``LOO_REF`` with that budget lifted (the same LOO by
brute force: every shortened series searched from scratch), and in the working tree.
``--loo-only`` prints only this table.
"""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap
import time

from _oldcode import export, run_result

OLD_REF = "0fdb97b"  # main before the one-engine work (issue 11)
TIME_LIMIT = 900  # seconds for the old code
LOO_REF = "74fb9d9"  # main before LOO of estimated NB rows (budget of 500 refits)

# the 50-year NB2 series (alpha 0.5, two waves, a half last year) both scripts time
SERIES = textwrap.dedent(
    """
    import numpy as np
    from lifecycle.series import CountSeries

    years = np.arange(1975, 2025)
    t = np.arange(50)
    rate = 4 + 60 * np.exp(-0.5 * ((t - 12) / 4) ** 2) + 35 * np.exp(-0.5 * ((t - 38) / 5) ** 2)
    rng = np.random.default_rng(20240611)
    expo = np.ones(50)
    expo[-1] = 0.5
    y = rng.poisson(rng.gamma(2.0, rate * expo / 2.0))  # NB2, alpha = 0.5
    s = CountSeries.from_counts(years, y, expo, name="bench")
    """
)

LOO_SCRIPT = SERIES + textwrap.dedent(
    """
    import json, sys, time, warnings
    import lifecycle.inference.comparison as cmp
    from lifecycle.inference import compare_waves

    if sys.argv[1] == "lifted":
        cmp._MAX_LOO_FITS = 10**9
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for loo in (False, True):
            c0 = time.process_time()
            comp = compare_waves(s, None, family="negbin", loo=loo, bayes=False)
            out["cpu_loo" if loo else "cpu"] = time.process_time() - c0
    tab = comp.summary()
    out["loo"] = {r.definition: float(r.loo_log_score) for r in tab.itertuples()}
    out["skipped"] = int(tab["note"].str.contains("LOO skipped").sum())
    print("RESULT" + json.dumps(out))
    """
)

SCRIPT = SERIES + textwrap.dedent(
    """
    import inspect, json, time, warnings
    from lifecycle.models import CONVENTIONAL, WaveDefinition
    from lifecycle.inference import compare_waves

    defs = [
        WaveDefinition.from_breaks("user waves", [1975, 1993, 2005],
                                   names=["emergence", "decline", "resurgence"]),
        WaveDefinition.from_breaks("two phases", [1975, 1995], names=["a", "b"]),
        WaveDefinition.from_breaks("four phases", [1975, 1985, 1995, 2008],
                                   names=["a", "b", "c", "d"]),
        CONVENTIONAL,
    ]
    out = {}
    # the marginal likelihoods (h2's Bayesian columns) are not fits: left out of both
    extra = {"bayes": False} if "bayes" in inspect.signature(compare_waves).parameters else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter(); c0 = time.process_time()
        comp = compare_waves(s, defs, family="negbin", loo=False, **extra)
        out["wall"] = time.perf_counter() - t0
        out["cpu"] = time.process_time() - c0
        t0 = time.perf_counter(); c0 = time.process_time()
        try:
            compare_waves(s, defs, family="negbin", loo=True, **extra)
            out["loo_cpu"] = time.process_time() - c0
        except Exception as exc:
            out["loo_cpu"] = repr(exc)[:80]
        # one NB fit of the user's definition, repeated
        from lifecycle.models import fit_waves
        c0 = time.process_time()
        for _ in range(20):
            f = fit_waves(s, defs[0], family="negbin")
        out["fit_ms"] = (time.process_time() - c0) / 20 * 1000
        out["fit_ll"] = round(float(f.loglik), 4)
        out["fit_alpha"] = f.alpha
    tab = comp.summary()
    out["rows"] = {r.definition: round(float(r.loglik), 4) for r in tab.itertuples()}
    out["refused"] = sorted(comp.refused)
    print("RESULT" + json.dumps(out))
    """
)


def loo_table(root: str) -> None:
    """LOO of the data-driven set: before (skipped; budget lifted) and now."""
    with tempfile.TemporaryDirectory() as tmp:
        export(root, LOO_REF, tmp)
        runs = [
            (
                f"{LOO_REF} as shipped",
                run_result(
                    LOO_SCRIPT, cwd=tmp, pythonpath=tmp, limit=TIME_LIMIT, args=("shipped",)
                ),
            ),
            (
                f"{LOO_REF} no budget",
                run_result(LOO_SCRIPT, cwd=tmp, pythonpath=tmp, limit=TIME_LIMIT, args=("lifted",)),
            ),
        ]
    runs.append(
        (
            "now",
            run_result(LOO_SCRIPT, cwd=root, pythonpath=root, limit=TIME_LIMIT, args=("shipped",)),
        )
    )
    print()
    print("compare_waves(s, None, family='negbin', bayes=False), 50-year NB series:")
    print("no change, best 2/3/4-phase segmentations, conventional lifecycle")
    print(f"{'':22} {'cpu s':>7} {'with LOO cpu s':>15} {'LOO cpu s':>10}  rows with LOO skipped")
    for label, res in runs:
        if isinstance(res, str):
            print(f"{label:22} {res}")
            continue
        extra = res["cpu_loo"] - res["cpu"]
        print(
            f"{label:22} {res['cpu']:7.2f} {res['cpu_loo']:15.2f} {extra:10.2f}  {res['skipped']}"
        )
    print("LOO log scores (no budget vs now):")
    ref, new = runs[1][1], runs[2][1]
    if isinstance(ref, dict) and isinstance(new, dict):
        for k, v in new["loo"].items():
            print(f"  {k:45} {v:12.6f}   before {ref['loo'].get(k)}")


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if "--loo-only" in sys.argv:
        loo_table(root)
        return
    with tempfile.TemporaryDirectory() as tmp:
        export(root, OLD_REF, tmp)
        t = time.perf_counter()
        old = run_result(SCRIPT, cwd=tmp, pythonpath=tmp, limit=TIME_LIMIT)
        old_wall = time.perf_counter() - t
    new = run_result(SCRIPT, cwd=root, pythonpath=root, limit=TIME_LIMIT)
    print("compare_waves, NB, 50-year series, user 3-wave + 2/4-phase dated definitions,")
    print("estimated 2/3/4-phase segmentations and the conventional lifecycle (loo=False)")
    print(f"{'':8} {'wall s':>8} {'cpu s':>8} {'+LOO cpu s':>11} {'NB fit ms':>10}  rows / refused")
    for label, res in (("old", old), ("new", new)):
        if isinstance(res, str):
            print(f"{label:8} {res} (subprocess wall {old_wall:.1f} s)")
            continue
        loo = res["loo_cpu"]
        loo = f"{loo:11.2f}" if isinstance(loo, float) else f" {loo}"
        print(
            f"{label:8} {res['wall']:8.2f} {res['cpu']:8.2f} {loo} {res['fit_ms']:10.1f}  "
            f"{len(res['rows'])} / {len(res['refused'])} {res['refused']}"
        )
        print(f"{'':8} user definition, NB: loglik {res['fit_ll']}, alpha {res['fit_alpha']:.4f}")
    if isinstance(new, dict):
        print("new log-likelihoods:")
        for k, v in new["rows"].items():
            oldv = old["rows"].get(k) if isinstance(old, dict) else None
            print(f"  {k:45} {v:12.4f}   old {oldv}")
    loo_table(root)


if __name__ == "__main__":
    main()

"""Cost of the default prior of the Bayesian comparison: old code vs new, in one run.

Run from the repository root: ``uv run python benchmarks/bench_bayes_prior.py``
(``--every 4`` scores every 4th attacks reading only; ``--no-nb`` skips the NB series).

The *old* figures come from ``OLD_REF`` (``main`` before the hierarchical prior became
the default), *main before* from ``PREV_REF`` (the hierarchical default with every α
node; both exported with ``git archive`` to a temporary directory), the *new* from the
working tree; both run the same script in a subprocess, CPU time by
``time.process_time``:

1. ``compare_waves(s, None, family)`` (the data-driven set: no change, best 2/3/4-phase
   segmentations, the conventional lifecycle; LOO off) on a seeded 50-year yearly
   series, Poisson and NB2: the whole call with Bayesian scoring minus the same call
   without it, under each code's default prior and under the hierarchical prior
   (old: ``rate_mean_range`` = the new default range, 33 separate marginal likelihoods
   per definition; new: the default);
2. the report's comparison on every ``attacks`` reading of the embedded evidence
   (family ``"auto"``, the documents' dated definitions): CPU of the Bayesian scoring
   (``comparison._score_bayes``, both priors of the sensitivity line) per reading.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap

OLD_REF = "a6f50f1"  # main before the hierarchical default (issue 12)
PREV_REF = "928cef6"  # main with the hierarchical default, before the adaptive α nodes

SCRIPT = textwrap.dedent(
    """
    import json, sys, time, warnings
    import numpy as np
    from lifecycle.series import CountSeries
    import lifecycle.inference.comparison as C
    from lifecycle.inference import BayesPrior

    which, every, nb = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
    out = {}
    hier = BayesPrior() if which == "new" else BayesPrior(rate_mean_range=(0.01, 1e5))
    years = np.arange(1972, 2022)
    t = np.arange(50)
    rate = 4 + 60 * np.exp(-0.5 * ((t - 12) / 4) ** 2) + 35 * np.exp(-0.5 * ((t - 38) / 5) ** 2)
    rng = np.random.default_rng(20240611)
    series = {"poisson": CountSeries.from_counts(years, rng.poisson(rate))}
    if nb:
        series["negbin"] = CountSeries.from_counts(years, rng.poisson(rng.gamma(2.0, rate / 2.0)))
    warnings.simplefilter("ignore")
    for fam, s in series.items():
        C.compare_waves(s, None, fam, loo=False, bayes=False)  # warm the fit caches
        c0 = time.process_time()
        C.compare_waves(s, None, fam, loo=False, bayes=False)
        base = time.process_time() - c0
        for label, prior in (("default", None), ("hierarchical", hier)):
            if which == "old" and fam == "negbin" and label == "hierarchical":
                continue  # 33 times the old default's NB cost: not run
            import lifecycle.inference.bayes as B0, lifecycle.inference.bayes_breaks as B1
            for mod in (B0, B1):  # every code starts each timed call with cold caches
                for name in ("_DIV_CACHE", "_OBS_CACHE", "_IS_CACHE"):
                    getattr(mod, name, {}).clear()
            c0 = time.process_time()
            comp = C.compare_waves(s, None, fam, loo=False, prior=prior)
            cpu = time.process_time() - c0 - base
            best = comp.table.iloc[0]
            out[f"{fam}/{label}"] = [cpu, str(best["definition"]), float(best["posterior_prob"])]
    from lifecycle.evidence.tables import load_evidence
    from lifecycle.evidence.readings import enumerate_readings, build_series
    from lifecycle.models.waves import registry
    from lifecycle.report.cells import dated_definitions, _resolve_family
    spent = [0.0]
    orig = C._score_bayes
    def timed(*a, **k):
        c = time.process_time()
        orig(*a, **k)
        spent[0] += time.process_time() - c
    C._score_bayes = timed
    ev = load_evidence()
    defs, _ = dated_definitions(registry(ev))
    n = 0
    for r in enumerate_readings("attacks", ev)[::every]:
        s = build_series(r, ev)
        fam, _ = _resolve_family(s, "auto")
        C.compare_waves(s, list(defs), fam, loo=False)
        n += 1
    out["attacks"] = [spent[0] / n, n]
    print(json.dumps(out))
    """
)


def run(tree: str, which: str, every: int, nb: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": tree}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, which, str(every), "1" if nb else "0"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{which} code failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=1, help="score every k-th attacks reading")
    ap.add_argument("--no-nb", dest="nb", action="store_false")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def at_ref(ref: str, which: str) -> dict:
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(
                ["git", "archive", ref, "lifecycle", "data"],
                cwd=root,
                capture_output=True,
                check=True,
            )
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            return run(tmp, which, args.every, args.nb)

    old = at_ref(OLD_REF, "old")
    prev = at_ref(PREV_REF, "new")
    new = run(root, "new", args.every, args.nb)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores; CPU times below)")
    print("\ncompare_waves(s, None, family), 50-year series: CPU of the Bayesian scoring (s)")
    print(f"{'family / prior':<24}{'old':>22}{'main before':>22}{'new':>22}")
    for key in new:
        if key == "attacks":
            continue
        o, w = old.get(key, [float("nan"), "not run", float("nan")]), new[key]
        p = prev.get(key, [float("nan"), "not run", float("nan")])
        label = f"{key.split('/')[0]} / {key.split('/')[1]}"
        print(
            f"{label:<24}{o[0]:>10.3f} ({o[1][:9]} {o[2]:.2f})"
            f"{p[0]:>10.3f} ({p[1][:9]} {p[2]:.2f}){w[0]:>8.3f} ({w[1][:9]} {w[2]:.2f})"
        )
    print(
        "  old default = the series' mean as the prior mean; old hierarchical = "
        "rate_mean_range=(0.01, 1e5), 33 marginal likelihoods per definition;\n"
        "  new default = new hierarchical (the default); main before = "
        f"{PREV_REF} (hierarchical default, dense α nodes)"
    )
    o, p, w = old["attacks"], prev["attacks"], new["attacks"]
    print(
        f"\nreport comparison, attacks readings ({w[1]} scored): Bayesian part per reading "
        f"old {o[0]:.4f} s (old default), main before {p[0]:.4f} s, new {w[0]:.4f} s"
    )


if __name__ == "__main__":
    main()

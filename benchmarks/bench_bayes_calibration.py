"""Calibration of the Bayesian comparison of wave definitions (issue 12).

Series are simulated (Poisson) from each of three truths — a single rise and fall, three
dated waves (emergence, decline, resurgence with breaks at 40% and 60% of the series),
no change — at n = 10, 20 and 40 yearly points, and three definitions are compared by
their marginal likelihoods (:mod:`lifecycle.inference.bayes`, default priors, equal prior
probabilities):

* ``no change``;
* ``three dated waves`` (the true dated division);
* ``conventional lifecycle`` (three phases, breaks integrated out, rise-then-fall rates).

Printed: the rate at which the truth gets the highest posterior probability, per truth
and n; and a reliability table pooling every (series, definition) pair: among pairs
given posterior probability in a bin, how often that definition is the truth.

The truths are fixed curves, not draws from the prior, so perfect calibration is not
guaranteed by Bayes' theorem; the table shows how close it comes.

Run: ``uv run python benchmarks/bench_bayes_calibration.py [--reps 60] [--scale 0.2]``
(a few minutes; ``--scale`` multiplies every true rate: 0.2 gives means of 2–8 a year,
where the definitions are hard to tell apart).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from lifecycle.inference import single_peak
from lifecycle.inference.bayes import (
    BayesPrior,
    dated_log_ml,
    estimated_log_ml,
    posterior_probabilities,
)
from lifecycle.series import CountSeries

DEFS = ("no change", "three dated waves", "conventional lifecycle")


def _truth_rates(truth: str, n: int) -> np.ndarray:
    if truth == "single wave":
        return single_peak(n, 8.0, 40.0)
    if truth == "three dated waves":
        r = np.full(n, 30.0)
        r[int(0.4 * n) : int(0.6 * n)] = 10.0
        return r
    return np.full(n, 20.0)


def _posterior(y: np.ndarray, seed: int) -> np.ndarray:
    n = y.size
    s = CountSeries.from_counts(range(2000, 2000 + n), y)
    prior = BayesPrior()
    ph3 = np.zeros(n, dtype=np.int64)
    ph3[int(0.4 * n) : int(0.6 * n)] = 1
    ph3[int(0.6 * n) :] = 2
    lm = [
        dated_log_ml(s, np.zeros(n, dtype=np.int64), ["all"], "poisson", prior).log_ml,
        dated_log_ml(s, ph3, ["e", "d", "r"], "poisson", prior).log_ml,
        estimated_log_ml(
            s, 3, "poisson", prior, constraint="unimodal", seed=seed, n_draws=400
        ).log_ml,
    ]
    return posterior_probabilities(np.array(lm))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=60)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every true rate")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = []
    t0 = time.perf_counter()
    for n in (10, 20, 40):
        for truth in ("single wave", "three dated waves", "no change"):
            rates = args.scale * _truth_rates(truth, n)
            for rep in range(args.reps):
                y = rng.poisson(rates)
                p = _posterior(y, seed=rep)
                for d, pd_ in zip(DEFS, p, strict=True):
                    truth_def = {"single wave": "conventional lifecycle"}.get(truth, truth)
                    rows.append(
                        {
                            "n": n,
                            "truth": truth,
                            "rep": rep,
                            "definition": d,
                            "prob": pd_,
                            "is_truth": d == truth_def,
                            "top": pd_ == p.max(),
                        }
                    )
    frame = pd.DataFrame(rows)
    wall = time.perf_counter() - t0
    hit = (
        frame[frame["is_truth"]]
        .groupby(["truth", "n"])["top"]
        .mean()
        .unstack("n")
        .rename(columns=lambda c: f"n={c}")
    )
    print(
        f"Bayesian comparison calibration: {args.reps} series per truth and n, seed "
        f"{args.seed}, rates x{args.scale:g}"
    )
    print(f"wall time {wall:.0f} s\n")
    print("Rate at which the truth gets the highest posterior probability:")
    print(hit.round(3).to_string())
    bins = np.array([0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0 + 1e-9])
    frame["bin"] = pd.cut(frame["prob"], bins, right=False)
    rel = frame.groupby("bin", observed=True).agg(
        pairs=("prob", "size"), mean_prob=("prob", "mean"), truth_rate=("is_truth", "mean")
    )
    print("\nReliability (all pairs pooled): among pairs given probability in the bin,")
    print("the share in which the definition is the truth:")
    print(rel.round(3).to_string())
    for n, g in frame.groupby("n"):
        r = g.groupby("bin", observed=True).agg(
            pairs=("prob", "size"), mean_prob=("prob", "mean"), truth_rate=("is_truth", "mean")
        )
        print(f"\nn = {n}:")
        print(r.round(3).to_string())


if __name__ == "__main__":
    main()

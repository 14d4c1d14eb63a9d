"""Calibration of the Bayesian comparison of wave definitions (issue 12).

Three definitions of an ``n``-point yearly Poisson series are compared by their marginal
likelihoods (:mod:`lifecycle.inference.bayes`, equal prior probabilities 1/3):

* ``no change``: one rate;
* ``three dated waves``: breaks at 40 % and 60 % of the series (dated, as written);
* ``conventional lifecycle``: three phases, breaks integrated out (every division into
  three non-empty runs equally likely), rates restricted to rise-then-fall.

Part 1, simulation-based calibration (SBC; Cook, Gelman and Rubin 2006; Talts et al.
2018). The truth is drawn from the priors the code states: the definition with
probability 1/3 each; every phase rate from ``Gamma(shape a, mean M)`` (the
conventional lifecycle: a division drawn uniformly, then rates redrawn until they rise
then fall, which is the stated prior restricted to the constraint); counts Poisson. The
comparison uses ``BayesPrior(rate_shape=a, rate_mean=M)``, the prior the truth came
from, so by Bayes' theorem its posterior probabilities must be calibrated: the mean of
``P(d | y)`` equals the share of series whose truth is ``d``, and among series given
probability ≈ p the truth holds ≈ p of the time. The z statistic of each definition is
``Σ (1[truth = d] - P(d | y)) / sqrt(Σ P(d | y)(1 - P(d | y)))`` (≈ N(0, 1) when
calibrated). The same draws are then scored with the *old* default prior, whose mean is
the series' own mean count (``rate_mean="series"``: a data-dependent prior, outside
Bayes' guarantee), and with the *new* default, the hierarchical prior (every rate
``Gamma(1, mean M)``, ``M`` shared and log-uniform on 0.01-1e5 per year, integrated out);
finally truths drawn from the new default itself are scored with it (1d).

Part 2, the issue's fixed scenarios: series simulated from fixed curves (a single rise
and fall 8 → 40 → 8, three dated waves 30/10/30, no change at 20; ``--scales``
multiplies every rate, default 0.2 then 1) scored with the default prior: the rate at
which the truth gets the highest posterior probability, a reliability table, and where
the probability goes, with the new and the old default prior. At the first scale the
same series are also scored with the hierarchical prior at rate shape 0.25 (the
sensitivity line's alternative) and 4, and with the range of ``M`` narrowed to
``(0.1, 1000)``.

Run: ``uv run python benchmarks/bench_bayes_calibration.py`` (a few minutes;
``--quick`` for a smaller run).
"""

from __future__ import annotations

import argparse
import math
import time
from itertools import combinations

import numpy as np
import pandas as pd

from lifecycle.inference import single_peak
from lifecycle.inference.bayes import (
    BayesPrior,
    dated_log_ml,
    posterior_probabilities,
)
from lifecycle.inference.bayes_breaks import estimated_log_ml
from lifecycle.inference.hyper import DEFAULT_RATE_MEAN_RANGE
from lifecycle.series import CountSeries

DEFS = ("no change", "three dated waves", "conventional lifecycle")
BINS = np.array([0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0 + 1e-9])


def _dated_phases(n: int) -> np.ndarray:
    ph = np.zeros(n, dtype=np.int64)
    ph[int(0.4 * n) : int(0.6 * n)] = 1
    ph[int(0.6 * n) :] = 2
    return ph


def log_mls(y: np.ndarray, prior: BayesPrior, seed: int) -> np.ndarray:
    """Log marginal likelihoods of the three definitions."""
    n = y.size
    s = CountSeries.from_counts(range(2000, 2000 + n), y)
    return np.array(
        [
            dated_log_ml(s, np.zeros(n, dtype=np.int64), ["all"], "poisson", prior).log_ml,
            dated_log_ml(s, _dated_phases(n), ["e", "d", "r"], "poisson", prior).log_ml,
            estimated_log_ml(
                s, 3, "poisson", prior, constraint="unimodal", seed=seed, n_draws=400
            ).log_ml,
        ]
    )


def draw_from_prior(n: int, a: float, M: float, rng: np.random.Generator) -> tuple[int, np.ndarray]:
    """A definition and its parameters drawn from the stated priors, then Poisson counts."""
    d = int(rng.integers(3))
    b = a / M
    if d == 0:
        rates = np.full(n, rng.gamma(a, 1 / b))
    elif d == 1:
        rates = rng.gamma(a, 1 / b, size=3)[_dated_phases(n)]
    else:
        cuts = list(combinations(range(1, n), 2))
        c1, c2 = cuts[int(rng.integers(len(cuts)))]
        while True:
            lam = rng.gamma(a, 1 / b, size=3)
            if not (lam[1] < lam[0] and lam[1] < lam[2]):  # rise then fall (or monotone)
                break
        rates = np.repeat(lam, [c1, c2 - c1, n - c2])
    return d, rng.poisson(rates).astype(float)


def fixed_rates(truth: str, n: int, scale: float) -> np.ndarray:
    if truth == "single wave":
        r = single_peak(n, 8.0, 40.0)
    elif truth == "three dated waves":
        r = np.full(n, 30.0)
        r[int(0.4 * n) : int(0.6 * n)] = 10.0
    else:
        r = np.full(n, 20.0)
    return scale * r


def reliability(frame: pd.DataFrame) -> pd.DataFrame:
    f = frame.assign(bin=pd.cut(frame["prob"], BINS, right=False))
    return f.groupby("bin", observed=True).agg(
        pairs=("prob", "size"), mean_prob=("prob", "mean"), truth_rate=("is_truth", "mean")
    )


def sbc_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per definition: mean posterior probability, share of truths, z statistic."""
    rows = []
    for d, g in frame.groupby("definition", sort=False):
        p, t = g["prob"].to_numpy(), g["is_truth"].to_numpy(float)
        z = float((t - p).sum() / math.sqrt(max((p * (1 - p)).sum(), 1e-12)))
        rows.append({"definition": d, "mean_prob": p.mean(), "truth_share": t.mean(), "z": z})
    return pd.DataFrame(rows).set_index("definition")


def pairs(true_index: int, probs: np.ndarray, **extra: object) -> list[dict]:
    return [
        {"definition": d, "prob": p, "is_truth": j == true_index, "top": p == probs.max(), **extra}
        for j, (d, p) in enumerate(zip(DEFS, probs, strict=True))
    ]


def show(title: str, table: pd.DataFrame) -> None:
    print(f"\n{title}")
    print(table.round(3).to_string())


OLD = BayesPrior(rate_mean="series")  # the default before this benchmark's fix


def draw_from_default(n: int, rng: np.random.Generator) -> tuple[int, np.ndarray, float]:
    """A draw from the default prior: M log-uniform on the default range, then as above."""
    lo, hi = DEFAULT_RATE_MEAN_RANGE
    M = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    d, y = draw_from_prior(n, 1.0, M, rng)
    return d, y, M


def part1(args: argparse.Namespace) -> None:
    a, M = 1.0, args.sbc_mean
    rng = np.random.default_rng(args.seed)
    stated, old, new, own = [], [], [], []
    for n in (10, 20, 40):
        for rep in range(args.sbc_reps):
            d, y = draw_from_prior(n, a, M, rng)
            p1 = posterior_probabilities(log_mls(y, BayesPrior(rate_shape=a, rate_mean=M), rep))
            p2 = posterior_probabilities(log_mls(y, OLD, rep))
            p3 = posterior_probabilities(log_mls(y, BayesPrior(), rep))
            stated += pairs(d, p1, n=n)
            old += pairs(d, p2, n=n)
            new += pairs(d, p3, n=n)
    rng2 = np.random.default_rng(args.seed + 7)
    for n in (10, 20, 40):
        for rep in range(args.sbc_reps):
            d, y, _ = draw_from_default(n, rng2)
            own += pairs(d, posterior_probabilities(log_mls(y, BayesPrior(), rep)), n=n)
    st, ol, ne, ow = (pd.DataFrame(x) for x in (stated, old, new, own))
    print(
        f"PART 1. Simulation-based calibration: {args.sbc_reps} series per n (n = 10, 20, 40), "
        f"truth drawn from the stated priors (definition 1/3 each, rates Gamma(shape {a:g}, "
        f"mean {M:g}), divisions uniform), seed {args.seed}"
    )
    show(
        "1a. Scored with the prior the truth came from (rate_mean fixed): reliability",
        reliability(st),
    )
    show(
        "1a. mean posterior probability vs share of truths, z (N(0,1) if calibrated)",
        sbc_summary(st),
    )
    for n, g in st.groupby("n"):
        show(f"1a. n = {n}: reliability", reliability(g))
    show(
        "1b. Same draws, scored with the OLD default prior (mean = the series' mean): reliability",
        reliability(ol),
    )
    show("1b. mean posterior probability vs share of truths, z", sbc_summary(ol))
    show(
        "1c. Same draws, scored with the NEW default prior (hierarchical, M log-uniform on "
        f"{DEFAULT_RATE_MEAN_RANGE} per year): reliability",
        reliability(ne),
    )
    show("1c. mean posterior probability vs share of truths, z", sbc_summary(ne))
    show(
        f"1d. Truth drawn from the NEW default prior itself (M log-uniform on "
        f"{DEFAULT_RATE_MEAN_RANGE}, seed {args.seed + 7}), scored with it: reliability",
        reliability(ow),
    )
    show("1d. mean posterior probability vs share of truths, z", sbc_summary(ow))


HIER = (0.1, 1000.0)


def part2(args: argparse.Namespace) -> None:
    rng = np.random.default_rng(args.seed + 1)
    priors = {
        "new default (hierarchical, shape 1)": BayesPrior(),
        "old default (shape 1, mean = series mean)": OLD,
        "hierarchical, shape 0.25 (the sensitivity line's)": BayesPrior(rate_shape=0.25),
        "hierarchical, shape 4": BayesPrior(rate_shape=4.0),
        f"hierarchical, shape 1, M range {HIER}": BayesPrior(rate_mean_range=HIER),
    }
    if not args.hier:
        priors = dict(list(priors.items())[:2])
    rows = []
    for scale in args.scales:
        for n in (10, 20, 40):
            for truth in ("single wave", "three dated waves", "no change"):
                true_def = {"single wave": "conventional lifecycle"}.get(truth, truth)
                for rep in range(args.reps):
                    y = rng.poisson(fixed_rates(truth, n, scale)).astype(float)
                    for name, prior in priors.items():
                        if scale != args.scales[0] and "default" not in name:
                            continue  # other scales: the two defaults only (run time)
                        p = posterior_probabilities(log_mls(y, prior, rep))
                        rows += pairs(
                            DEFS.index(true_def), p, n=n, truth=truth, prior=name, scale=scale
                        )
    frame = pd.DataFrame(rows)
    print(
        f"\nPART 2. Fixed scenarios: {args.reps} series per truth and n, seed {args.seed + 1}; "
        f"single wave 8 -> 40 -> 8, three dated waves 30/10/30, no change 20, times the scale"
    )
    for (scale, name), g in frame.groupby(["scale", "prior"], sort=False):
        head = f"2. scale {scale:g}, prior {name}."
        hit = (
            g[g["is_truth"]]
            .groupby(["truth", "n"])["top"]
            .mean()
            .unstack("n")
            .rename(columns=lambda c: f"n={c}")
        )
        show(f"{head} Rate at which the truth gets the highest probability", hit)
        show(f"{head} Reliability (all pairs pooled)", reliability(g))
        show(f"{head} Mean probability vs share of truths, z", sbc_summary(g))
        where = g.groupby(["truth", "definition"], sort=False)["prob"].mean().unstack()
        show(f"{head} Mean posterior probability of each definition, by truth", where)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sbc-reps", type=int, default=400)
    ap.add_argument("--sbc-mean", type=float, default=4.0)
    ap.add_argument("--reps", type=int, default=60)
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument(
        "--scales", type=float, nargs="+", default=[0.2, 1.0], help="multiply every true rate"
    )
    ap.add_argument("--no-hier", dest="hier", action="store_false")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.sbc_reps, args.reps = 100, 20
    t0, c0 = time.perf_counter(), time.process_time()
    part1(args)
    part2(args)
    print(f"\nwall {time.perf_counter() - t0:.0f} s, CPU {time.process_time() - c0:.0f} s")


if __name__ == "__main__":
    main()

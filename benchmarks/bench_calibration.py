"""Calibration of the NB2 resurgence test (issue 11, items 4 and 5): size at the 5 % level.

Prints tables 1-5 from one run (``uv run python benchmarks/bench_calibration.py``;
about 35 minutes of CPU on a 2-core machine; ``--only 1 3`` prints some of them,
``--only 6`` the sixth, which documents two rejected methods; ``--only 1 --full-seed
17000 --full-n 20 30 60 --scale 2`` repeats table 1 on other series,
``--scale 0.3`` takes fewer series for a quick look).

**Issue 11's items 4 and 5 from one run**: ``--part items45`` prints tables 1 and 4
(item 4: sizes, power) and table 7 (item 5) with a header (command, date, commit,
seeds, load average) and the total CPU time; ``--jobs 2`` runs the cells of tables 1
and 7 on two joblib processes (each cell draws its own seeded series, so the numbers
do not depend on ``--jobs``; the CPU time adds the workers'). About 20-30 minutes of
CPU.

1. **Full-bootstrap sizes** (each series its own ``B_FULL`` replicates; this is the
   test a user runs) for n = 10, 20, 30, 60, NB2 ``alpha`` in {0.1, 0.25, 0.5, 1.0},
   flat (40 per period) and single-peak (10 -> 60 -> 10) nulls; ``N_FULL`` seeded
   series per cell for n = 10-30, ``N_FULL_60`` for n = 60.
2. **Warp-speed sizes** (Giacomini, Politis & White 2013: one bootstrap draw per
   simulated series, pooled critical value), ``N_WARP`` series per cell. Warp speed
   is exact when the drawing dispersion is fixed; with a dispersion estimated per
   series it *understates* the size of short series (compare with table 1).
3. **n = 10, the drawing dispersion** (full bootstrap, ``N_ALT`` series per cell):
   the library's estimate against the true ``alpha`` and two Cox-Reid adjusted
   profile estimates (McCarthy, Chen & Smyth 2012; Cox & Reid 1987), with the power
   on the 10-year two-wave curve at ``alpha`` = 0.05 and 0.1, and the oracle draws at
   1/2, 1, 2 and 4 times the true ``alpha``. Shows why no plug-in dispersion
   calibrates 10 windows.
4. **Power** of the library's test: the 10-year curve (full bootstrap) and 50-year
   series with a clear second wave (5 -> 80 -> 20 -> 80 -> 5; warp speed).
5. **Serial dependence**: n = 30 and 60, a flat mean 40 times a latent stationary
   AR(1) lognormal factor (``rho`` in {0, 0.5, 0.8}, marginal ``tau2 = exp(s^2) - 1 =
   0.25``), ``N_AR`` series with ``B_FULL`` replicates each, four bootstraps from the
   same series: the default (independent NB2), the former ``serial="ar1"`` (latent
   AR(1) from residual moments, single bootstrap), the REML latent AR(1) with a single
   bootstrap, and ``serial="ar1"`` (REML and the fast double bootstrap). Then the power
   on two waves (``two_waves(n)``: 20 -> 100 -> 30 -> 100, ``tau2 = 0.1``, ``rho`` 0 and
   0.5), ``N_POWER`` series, and the median latent AR(1) estimates. ``--only 5``
   prints this table alone (about 15 minutes of CPU); ``--ar-seed 9000 --ar-cells
   30:0.8`` repeats a size cell on other series.
6. **n = 10: the double bootstrap and Berger-Boos** (issue 11 item 4, second attempt;
   ``N_OTHER`` series per cell, the same series for every method, and the power on the
   10-year curve at ``alpha`` = 0.05 and 0.1): the library's single bootstrap; a full
   double bootstrap (Beran 1988; ``B_FULL x B_INNER`` replicates, every first-level
   replicate refitted and its dispersion re-estimated exactly as the data's, prepivoted
   p-value); the p-value maximised over a ``1 - GAMMA`` profile-likelihood set for
   ``alpha`` plus ``GAMMA`` (Berger & Boos 1994). Only with ``--only 6`` (about 25
   minutes of CPU, nearly all the double bootstrap).
7. **Issue 11 item 5** (only with ``--only 7`` or ``--part items45``): n = 30, a flat
   mean 40 times a latent AR(1) lognormal factor (``tau2 = 0.25``, ``rho`` = 0.8 and 0),
   ``N_ITEM5`` series per size row, and the power on two waves (20 -> 100 -> 30 -> 100,
   ``tau2 = 0.1``, ``rho = 0``; ``N_ITEM5_POWER`` series): the default (independent
   NB2 bootstrap), the REML latent AR(1) with a single bootstrap, ``serial="ar1"``.

Monte Carlo standard error of a size near 5 %: 0.7 % with 1,000 series, 1.0 % with
500, 1.3 % with 300. Seeds are literal; the numbers are the library's own functions,
vectorised over series exactly as :func:`lifecycle.inference.power` does.

References
----------
Beran, R. (1988). Prepivoting test statistics: a bootstrap view of asymptotic
refinements. *JASA* 83(403), 687-697.
Berger, R. L. and Boos, D. D. (1994). P values maximized over a confidence set for the
nuisance parameter. *JASA* 89(427), 1012-1016.
Cox, D. R. and Reid, N. (1987). Parameter orthogonality and approximate conditional
inference. *JRSS B* 49(1), 1-39.
McCarthy, D. J., Chen, Y. and Smyth, G. K. (2012). Differential expression analysis of
multifactor RNA-Seq experiments with respect to biological variation. *Nucleic Acids
Res.* 40(10), 4288-4297.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from scipy.stats import chi2

from lifecycle._core.dispersion import ALPHA_RANGE
from lifecycle._core.dispersion import alpha_given_means as _profile
from lifecycle._core.errors import LifecycleWarning
from lifecycle._core.likelihood import nb_logpmf, poisson_logpmf
from lifecycle._core.sampling import draw_counts
from lifecycle._core.serial import (
    draw_latent_ar1,
    fast_double_pvalue,
    fit_latent_ar1,
    log_quadratic_means,
)
from lifecycle.inference import flat, power, single_peak, two_waves
from lifecycle.inference.resurgence import _analyse
from lifecycle.inference.shape_fit import _fit

N_WARP = 1000
N_FULL = 1000
N_FULL_60 = 1000
N_ALT = 500
N_AR = 300
N_POWER = 200
N_OTHER = 500
B_FULL = 99
N_ITEM5 = 1000  # item 5 table: series per size cell (n = 30)
N_ITEM5_POWER = 300  # item 5 table: series for the power line
JOBS = 1  # --jobs: joblib processes for the cells of tables 1 and "item 5"
CPU_CELLS = 0.0  # CPU seconds of the cells run so far (workers included)
ALPHAS = (0.1, 0.25, 0.5, 1.0)
CURVE_10 = np.array([30, 60, 100, 70, 35, 25, 45, 75, 100, 90.0])
SECOND_50 = two_waves(50, 5.0, 80.0, 20.0, 80.0)
HEAD = "n   null         " + "".join(f"alpha={a:<6}" for a in ALPHAS)


def _nulls(n: int) -> tuple[tuple[str, np.ndarray], ...]:
    return (("flat", flat(n, 40.0)), ("single peak", single_peak(n, 10.0, 60.0)))


# ---------------------------------------------------------------- Cox-Reid dispersion
def _golden(f: Callable, lo: np.ndarray, hi: np.ndarray, iters: int = 60) -> np.ndarray:
    g = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = lo.copy(), hi.copy()
    for _ in range(iters):
        c, d = b - g * (b - a), a + g * (b - a)
        left = f(c) >= f(d)
        a, b = np.where(left, a, c), np.where(left, d, b)
    return 0.5 * (a + b)


def cox_reid_alpha(Y: np.ndarray, mu: np.ndarray, extra: float = 0.0) -> np.ndarray:
    """Cox-Reid adjusted profile ML of NB2 ``alpha`` given fitted means (rows).

    ``l(alpha) - 1/2 log det(X' W X)`` with ``W = mu / (1 + alpha mu)`` and ``X`` the
    indicators of the fitted curve's constant blocks (edgeR's adjustment for a design;
    McCarthy, Chen & Smyth 2012); ``extra`` more parameters (e.g. 1 for the mode's
    position) are charged as one more ``-extra/2 log sum W``. 0 when the adjusted
    Poisson limit is at least as high. Benchmark-only (it did not calibrate n = 10).
    """
    n = Y.shape[1]
    step = np.abs(np.diff(mu, axis=1)) > 1e-10 * np.maximum(mu[:, 1:], 1.0)
    block = np.concatenate([np.zeros((Y.shape[0], 1), int), np.cumsum(step, axis=1)], axis=1)
    onehot = (block[:, :, None] == np.arange(n)).astype(float)
    used = onehot.any(axis=1)

    def adjusted(a: np.ndarray) -> np.ndarray:
        w = mu / (1.0 + a[:, None] * mu)
        s = np.einsum("ij,ijk->ik", w, onehot)
        live = used & (s > 0)  # a block fitted at 0 carries no information
        cr = np.where(live, np.log(np.where(live, s, 1.0)), 0.0).sum(axis=1)
        cr += extra * np.log(w.sum(axis=1))
        ll = nb_logpmf(Y, mu, a[:, None]) if a.min() > 0 else poisson_logpmf(Y, mu)
        return ll.sum(axis=1) - 0.5 * cr

    lo, hi = np.log(ALPHA_RANGE[0]), np.log(ALPHA_RANGE[1])
    la = _golden(lambda x: adjusted(np.exp(x)), np.full(Y.shape[0], lo), np.full(Y.shape[0], hi))
    a = np.exp(la)
    return np.where(adjusted(a) > adjusted(np.zeros_like(a)), a, 0.0)


def _h0_means(Y: np.ndarray) -> np.ndarray:
    fit = _fit(Y, np.ones(Y.shape[1]), 0.0, 0.0, keep=True)
    return fit.rates(fit.h0)


# ---------------------------------------------------------------- full bootstrap
def _full_reject(Y: np.ndarray, draw_alpha: Callable | None, rng: np.random.Generator) -> float:
    """Share of rows the full-bootstrap test rejects at 5 %, chunked for memory."""
    e = np.ones(Y.shape[1])
    step = max(1, 30_000 // B_FULL)
    rejected = 0
    for lo in range(0, Y.shape[0], step):
        y = Y[lo : lo + step]
        obs = _analyse(y, e, "negbin", 0.0, 0.0, want_null=True)
        a = obs.alpha if draw_alpha is None else draw_alpha(y, obs.mu_boot)
        mu = np.repeat(obs.mu_boot, B_FULL, axis=0)
        ystar = draw_counts(mu, "negbin", np.repeat(a, B_FULL)[:, None], rng)
        t = _analyse(ystar, e, "negbin", 0.0, 0.0, want_null=False).stat
        t = t.reshape(y.shape[0], B_FULL)
        p = (1.0 + (t >= obs.stat[:, None] - 1e-9).sum(axis=1)) / (B_FULL + 1.0)
        rejected += int(np.count_nonzero(p <= 0.05))
    return rejected / Y.shape[0]


def _sample(rates: np.ndarray, alpha: float, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return draw_counts(np.broadcast_to(rates, (m, rates.size)), "negbin", alpha, rng), rng


FULL_SEED = 7000  # base seed of table 1 (--full-seed: the same cells on other series)
FULL_NS = (10, 20, 30, 60)  # --full-n: table 1 for some lengths only


def _full_cell(rates: np.ndarray, alpha: float, m: int, seed: int) -> tuple[float, float]:
    """Table 1, one cell: full-bootstrap size and the cell's CPU seconds."""
    c = time.process_time()
    warnings.simplefilter("ignore", LifecycleWarning)  # also in joblib workers
    Y, rng = _sample(rates, alpha, m, seed)
    return _full_reject(Y, None, rng), time.process_time() - c


def _cells(func: Callable, args: list[tuple]) -> Iterator[Any]:
    """``func(*a)`` for every ``a`` in order, on ``JOBS`` joblib processes when ``JOBS > 1``.

    Every cell draws its own seeded series, so the numbers do not depend on ``JOBS``;
    each cell returns its own CPU time, added to ``CPU_CELLS`` (the workers' CPU).
    """
    global CPU_CELLS
    if JOBS > 1:
        from joblib import Parallel, delayed

        out = Parallel(n_jobs=JOBS, return_as="generator")(delayed(func)(*a) for a in args)
    else:
        out = (func(*a) for a in args)
    for value, cpu in out:
        CPU_CELLS += cpu
        yield value


def full_table(scale: float) -> Iterator[str]:
    yield HEAD
    rows = []
    for n in FULL_NS:
        m = max(20, int((N_FULL if n < 60 else N_FULL_60) * scale))
        rows += [(n, name, rates, m) for name, rates in _nulls(n)]
    args = [
        (rates, a, m, FULL_SEED + 10 * n + i + 5 * (name == "flat"))
        for n, name, rates, m in rows
        for i, a in enumerate(ALPHAS)
    ]
    sizes = _cells(_full_cell, args)
    for n, name, _, m in rows:
        cells = "".join(f"{100 * next(sizes):5.1f} %    " for _ in ALPHAS)
        yield f"{n:<4}{name:<13}" + cells + f"({m} series)"


def warp_table(scale: float) -> list[str]:
    lines = [HEAD]
    m = max(20, int(N_WARP * scale))
    for n in (10, 20, 30, 60):
        for name, rates in _nulls(n):
            cells = []
            for i, a in enumerate(ALPHAS):
                seed = 1000 * n + 10 * i + (name == "flat")
                res = power(rates, family="negbin", dispersion=a, n_sim=m, method="warp", seed=seed)
                cells.append(f"{100 * res.power():5.1f} %    ")
            lines.append(f"{n:<4}{name:<13}" + "".join(cells))
    return lines


def _fixed(draw: Callable | float | None, alpha: float) -> Callable | None:
    """``draw``, or (a number ``k``) a drawing dispersion fixed at ``k`` times the truth."""
    if draw is None or callable(draw):
        return draw
    return lambda y, mu: np.full(y.shape[0], draw * alpha)


def alternatives_table(scale: float) -> list[str]:
    m = max(20, int(N_ALT * scale))
    draws: dict[str, Callable | None] = {
        "library (0.2 Pearson + 0.8 2nd diff)": None,
        "Cox-Reid adjusted profile": lambda y, mu: cox_reid_alpha(y, mu),
        "Cox-Reid, +1 parameter (mode)": lambda y, mu: cox_reid_alpha(y, mu, 1.0),
    }
    cols = [f"flat {a:<5}" for a in ALPHAS] + [f"peak {a:<5}" for a in ALPHAS]
    lines = [f"{'drawing dispersion':<38}" + "".join(f"{c:<11}" for c in cols) + "power .05/.1"]
    oracles = [(f"{k:g} x true alpha (oracle)", k) for k in (1.0, 0.5, 2.0, 4.0)]
    for label, draw in [*draws.items(), *oracles]:
        cells = []
        for null in ("flat", "single peak"):
            rates = dict(_nulls(10))[null]
            for i, a in enumerate(ALPHAS):
                Y, rng = _sample(rates, a, m, 9100 + 10 * i + 5 * (null == "flat"))
                cells.append(f"{100 * _full_reject(Y, _fixed(draw, a), rng):5.1f} %    ")
        pw = []
        for i, a in enumerate((0.05, 0.1)):
            Y, rng = _sample(CURVE_10, a, m, 9200 + i)
            pw.append(f"{100 * _full_reject(Y, _fixed(draw, a), rng):.0f}")
        lines.append(f"{label:<38}" + "".join(cells) + "/".join(pw) + " %")
    lines.append(f"({m} series per cell, {B_FULL} replicates each)")
    return lines


def power_table(scale: float) -> list[str]:
    m = max(20, int(N_FULL * scale))
    lines = []
    for i, a in enumerate((0.05, 0.1)):
        Y, rng = _sample(CURVE_10, a, m, 9300 + i)
        lines.append(
            f"10-year curve 30..100..25..100, alpha={a:<5} full bootstrap ({m} series): "
            f"{100 * _full_reject(Y, None, rng):5.1f} %"
        )
    for i, a in enumerate((0.2, 0.5, 1.0)):
        res = power(SECOND_50, family="negbin", dispersion=a, n_sim=m, method="warp", seed=9400 + i)
        lines.append(
            f"50 years 5->80->20->80->5,   alpha={a:<5} warp speed     ({m} series): "
            f"{100 * res.power():5.1f} %"
        )
    return lines


# ---------------------------------------------------------------- table 6: other calibrations
B_INNER = 49  # second-level replicates of the double bootstrap
GAMMA = 0.001  # Berger-Boos: 1 - GAMMA confidence set for alpha, GAMMA added to the p-value
BB_GRID = 5  # Berger-Boos: points of the confidence set the p-value is maximised over


def _pvalue(t: np.ndarray, stat: np.ndarray) -> np.ndarray:
    return (1.0 + (t >= stat[..., None] - 1e-9).sum(axis=-1)) / (t.shape[-1] + 1.0)


def _double_reject(Y: np.ndarray, rng: np.random.Generator) -> float:
    """Full double bootstrap (Beran 1988; Davison & Hinkley 1997, 4.5), ``B_FULL x B_INNER``.

    Each first-level replicate is analysed exactly as the data (unimodal fit, drawing
    dispersion, statistic) and ``B_INNER`` second-level replicates are drawn from its
    own fit; the adjusted p-value is the share of first-level p-values ``<=`` the
    observed one (prepivoting).
    """
    e = np.ones(Y.shape[1])
    rejected = 0
    for lo in range(0, Y.shape[0], 10):
        y = Y[lo : lo + 10]
        m = y.shape[0]
        obs = _analyse(y, e, "negbin", 0.0, 0.0, want_null=True)
        mu = np.repeat(obs.mu_boot, B_FULL, axis=0)
        y1 = draw_counts(mu, "negbin", np.repeat(obs.alpha, B_FULL)[:, None], rng)
        first = _analyse(y1, e, "negbin", 0.0, 0.0, want_null=True)
        mu2 = np.repeat(first.mu_boot, B_INNER, axis=0)
        y2 = draw_counts(mu2, "negbin", np.repeat(first.alpha, B_INNER)[:, None], rng)
        t2 = _analyse(y2, e, "negbin", 0.0, 0.0, want_null=False).stat
        t1 = first.stat.reshape(m, B_FULL)
        p1 = _pvalue(t1, obs.stat)
        p2 = _pvalue(t2.reshape(m, B_FULL, B_INNER), t1)
        p_adj = (1.0 + (p2 <= p1[:, None] + 1e-12).sum(axis=1)) / (B_FULL + 1.0)
        rejected += int(np.count_nonzero(p_adj <= 0.05))
    return rejected / Y.shape[0]


def _alpha_upper(y: np.ndarray, mu: np.ndarray, a_hat: np.ndarray, ll_hat: np.ndarray,
                 lower: bool = False) -> np.ndarray:  # fmt: skip
    """End of the profile-likelihood ``1 - GAMMA`` interval for ``alpha`` at fixed means."""
    crit = chi2.ppf(1.0 - GAMMA, 1)
    start = np.log(np.maximum(a_hat, ALPHA_RANGE[0]))
    lo = np.full(y.shape[0], np.log(ALPHA_RANGE[0])) if lower else start
    hi = start if lower else np.full(y.shape[0], np.log(ALPHA_RANGE[1]))
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        inside = 2.0 * (ll_hat - nb_logpmf(y, mu, np.exp(mid)[:, None]).sum(axis=1)) <= crit
        if lower:
            lo, hi = np.where(inside, lo, mid), np.where(inside, mid, hi)
        else:
            lo, hi = np.where(inside, mid, lo), np.where(inside, hi, mid)
    return np.exp(0.5 * (lo + hi))


def _berger_boos_reject(Y: np.ndarray, rng: np.random.Generator) -> float:
    """Berger & Boos (1994): the bootstrap p-value maximised over a ``1 - GAMMA`` set, ``+ GAMMA``.

    The set is the profile-likelihood interval for ``alpha`` at the unimodal fit's means
    (``BB_GRID`` log-spaced points from its lower to its upper end, the lower end at
    least 0.001); replicates from the fitted unimodal curve at each point.
    """
    e = np.ones(Y.shape[1])
    step = max(1, 30_000 // B_FULL)
    rejected = 0
    for lo in range(0, Y.shape[0], step):
        y = Y[lo : lo + step]
        m = y.shape[0]
        obs = _analyse(y, e, "negbin", 0.0, 0.0, want_null=True)
        mu0 = obs.mu_boot
        a_hat, ll_hat = _profile(y, mu0)
        a_lo = np.maximum(_alpha_upper(y, mu0, a_hat, ll_hat, lower=True), 1e-3)
        a_up = np.maximum(_alpha_upper(y, mu0, a_hat, ll_hat), a_lo)
        p = np.zeros(m)
        for k in range(BB_GRID):
            a = a_lo * (a_up / a_lo) ** (k / (BB_GRID - 1))
            ys = draw_counts(np.repeat(mu0, B_FULL, axis=0), "negbin",
                             np.repeat(a, B_FULL)[:, None], rng)  # fmt: skip
            t = _analyse(ys, e, "negbin", 0.0, 0.0, want_null=False).stat
            p = np.maximum(p, _pvalue(t.reshape(m, B_FULL), obs.stat))
        rejected += int(np.count_nonzero(p + GAMMA <= 0.05))
    return rejected / Y.shape[0]


def other_table(scale: float) -> Iterator[str]:
    """n = 10: the library's single bootstrap, the full double bootstrap and Berger-Boos."""
    m = max(20, int(N_OTHER * scale))
    methods: dict[str, Callable] = {
        "library (single bootstrap)": lambda Y, rng: _full_reject(Y, None, rng),
        f"double bootstrap {B_FULL} x {B_INNER}": _double_reject,
        f"Berger-Boos, gamma = {GAMMA:g}": _berger_boos_reject,
    }
    cols = [f"flat {a:<5}" for a in ALPHAS] + [f"peak {a:<5}" for a in ALPHAS]
    yield f"{'method':<38}" + "".join(f"{c:<11}" for c in cols) + "power .05/.1"
    for label, reject in methods.items():
        cells = []
        for null in ("flat", "single peak"):
            rates = dict(_nulls(10))[null]
            for i, a in enumerate(ALPHAS):
                Y, rng = _sample(rates, a, m, 9600 + 10 * i + 5 * (null == "flat"))
                cells.append(f"{100 * reject(Y, rng):5.1f} %    ")
        pw = []
        for i, a in enumerate((0.05, 0.1)):
            Y, rng = _sample(CURVE_10, a, m, 9700 + i)
            pw.append(f"{100 * reject(Y, rng):.0f}")
        yield f"{label:<38}" + "".join(cells) + "/".join(pw) + " %"
    yield f"({m} series per cell, the same series for every method)"


def _independent(obs, Y, rng):
    mu = np.repeat(obs.mu_boot, B_FULL, axis=0)
    return draw_counts(mu, "negbin", np.repeat(obs.alpha, B_FULL)[:, None], rng)


def _moments_before(Y: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The former ``fit_latent_ar1``: residual moments about a log-quadratic fit, Kendall."""
    n = Y.shape[1]
    mu = log_quadratic_means(Y, e)
    d = Y - mu
    tau2 = np.maximum((d**2 - mu).sum(axis=1) / np.maximum((mu**2).sum(axis=1), 1e-300), 0.0)
    tau2 = tau2 * n / (n - 3.0)
    c = (d[:, 1:] * d[:, :-1]).sum(axis=1) / np.maximum(
        (mu[:, 1:] * mu[:, :-1]).sum(axis=1), 1e-300
    )
    s2 = np.log1p(tau2)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(s2 > 0, np.log1p(np.maximum(c, -0.999)) / np.where(s2 > 0, s2, 1.0), 0.0)
    return tau2, np.clip((n * rho + 1.0) / (n - 3.0), 0.0, 0.95)


def _ar_pvalues(Y: np.ndarray, rng: np.random.Generator, former: bool = True) -> dict[str, Any]:
    """p-values of each series (rows of ``Y``) under the four bootstraps of table 5.

    Key ``"~medians"``: the median latent AR(1) estimates, former moments and REML.

    ``serial="ar1"`` is the library's ``_ar1_bootstrap`` vectorised over series: REML
    latent AR(1), replicates from the unimodal fit, one second-level draw per replicate
    from the AR(1) re-estimated on it, fast double bootstrap p-value.
    """
    N, n = Y.shape
    e = np.ones(n)
    obs = _analyse(Y, e, "negbin", 0.0, 0.0, want_null=True)
    mu0 = np.repeat(obs.mu_boot, B_FULL, axis=0)

    def pv(t: np.ndarray) -> np.ndarray:
        t = t.reshape(N, B_FULL)
        return (1.0 + (t >= obs.stat[:, None] - 1e-9).sum(axis=1)) / (B_FULL + 1.0)

    def stat(Ys: np.ndarray, want_null: bool = False):
        return _analyse(Ys, e, "negbin", 0.0, 0.0, want_null=want_null)

    rep = lambda a: np.repeat(a, B_FULL)  # noqa: E731
    out = {"independent": pv(stat(_independent(obs, Y, rng)).stat)}
    tau2_m, rho_m = _moments_before(Y, e)
    if former:
        Yf = draw_latent_ar1(mu0, rep(tau2_m), rep(rho_m), rng)
        out["former ar1 (moments)"] = pv(stat(Yf).stat)
    tau2, rho = fit_latent_ar1(Y, e)
    med = np.median
    out["~medians"] = f"{med(rho_m):.2f}, {med(tau2_m):.3f} | {med(rho):.2f}, {med(tau2):.3f}"
    Ystar = draw_latent_ar1(mu0, rep(tau2), rep(rho), rng)
    first = stat(Ystar, want_null=True)
    out["REML, single bootstrap"] = pv(first.stat)
    tau2_s, rho_s = fit_latent_ar1(Ystar, e)
    second = stat(draw_latent_ar1(first.mu_boot, tau2_s, rho_s, rng)).stat.reshape(N, B_FULL)
    t1 = first.stat.reshape(N, B_FULL)
    out['serial="ar1"'] = np.array(
        [fast_double_pvalue(obs.stat[i], t1[i], second[i]) for i in range(N)]
    )
    return out


AR_RHOS = (0.0, 0.5, 0.8)
AR_NS = (30, 60)


def _ar_row(n: int, rho: float, p: dict[str, Any]) -> str:
    cells = "".join(
        f"{100 * np.mean(v <= 0.05):5.1f} %{'':16}" for k, v in p.items() if k[0] != "~"
    )
    return f"        {n:<4}{rho:<6}" + cells + p["~medians"]


AR_SEED = 8000  # base seed of the size cells (--ar-seed: the same cells on other series)
AR_POWER = True


def ar_table(scale: float) -> Iterator[str]:
    """Size under a latent AR(1) around a flat mean, and power on two waves (row by row)."""
    n_ar, n_power = max(20, int(N_AR * scale)), max(20, int(N_POWER * scale))
    names = ("independent", "former ar1 (moments)", "REML, single bootstrap", 'serial="ar1"')
    yield (
        f"size ({n_ar} series)  n   rho   "
        + "".join(f"{k:<23}" for k in names)
        + "median rho, tau2: former | REML"
    )
    for n in AR_NS:
        for rho in AR_RHOS:
            rng = np.random.default_rng(AR_SEED + n + int(10 * rho))
            ones = np.ones(n_ar)
            Y = draw_latent_ar1(np.full((n_ar, n), 40.0), 0.25 * ones, rho * ones, rng)
            yield _ar_row(n, rho, _ar_pvalues(Y, rng))
    if not AR_POWER:
        return
    yield f"power ({n_power} series; two waves 20 -> 100 -> 30 -> 100, latent tau2 = 0.1)"
    for n in AR_NS:
        for rho in (0.0, 0.5):
            rng = np.random.default_rng(8500 + n + int(10 * rho))
            ones = np.ones(n_power)
            rates = np.broadcast_to(two_waves(n), (n_power, n))
            Y = draw_latent_ar1(rates, 0.1 * ones, rho * ones, rng)
            yield _ar_row(n, rho, _ar_pvalues(Y, rng))


ITEM5_N = 30


def _item5_cell(rates: np.ndarray, tau2: float, rho: float, m: int, seed: int) -> tuple[str, float]:
    """Item 5, one row: % of ``m`` series rejected at 5 % by each bootstrap, CPU seconds."""
    c = time.process_time()
    warnings.simplefilter("ignore", LifecycleWarning)
    rng = np.random.default_rng(seed)
    ones = np.ones(m)
    Y = draw_latent_ar1(np.broadcast_to(rates, (m, rates.size)), tau2 * ones, rho * ones, rng)
    p = {}
    for lo in range(0, m, 100):  # memory: 100 series x B_FULL replicates at a time
        for k, v in _ar_pvalues(Y[lo : lo + 100], rng, former=False).items():
            p.setdefault(k, []).append(v)
    row = "".join(
        f"{100 * np.mean(np.concatenate(v) <= 0.05):5.1f} %{'':16}"
        for k, v in p.items()
        if k[0] != "~"
    )
    return row, time.process_time() - c


def item5_table(scale: float) -> Iterator[str]:
    """Issue 11 item 5 at n = 30: size under a latent AR(1) and the power on two waves.

    Size: a flat mean 40 times a latent stationary AR(1) lognormal factor (``tau2 =
    0.25``; ``rho`` = 0.8, and 0 for reference), ``N_ITEM5`` series. Power: two waves
    20 -> 100 -> 30 -> 100 with ``tau2 = 0.1`` and ``rho = 0``, ``N_ITEM5_POWER``
    series. Columns: the default (independent NB2 bootstrap), the REML latent AR(1)
    with a single bootstrap, and ``serial="ar1"`` (REML, fast double bootstrap). The
    series are those of table 5 for the same cells when ``N_ITEM5`` equals ``N_AR``
    (same seeds); the replicates differ (table 5 also draws the former moments).
    """
    n = ITEM5_N
    m, m_pow = max(20, int(N_ITEM5 * scale)), max(20, int(N_ITEM5_POWER * scale))
    rows = [
        (f"size, rho = 0.8 ({m} series)", flat(n, 40.0), 0.25, 0.8, m, AR_SEED + n + 8),
        (f"size, rho = 0   ({m} series)", flat(n, 40.0), 0.25, 0.0, m, AR_SEED + n),
        (f"power, two waves, rho = 0, tau2 = 0.1 ({m_pow} series)", two_waves(n), 0.1, 0.0,
         m_pow, 8500 + n),
    ]  # fmt: skip
    names = ("default (independent)", "REML, single bootstrap", 'serial="ar1"')
    yield f"n = {n}{'':<47}" + "".join(f"{k:<23}" for k in names)
    out = _cells(_item5_cell, [r[1:] for r in rows])
    for r in rows:
        yield f"{r[0]:<54}" + next(out)


def _header(argv: list[str] | None) -> list[str]:
    """Command, date, commit, seeds and load average of this run (printed first)."""
    import os
    import subprocess
    import sys
    from datetime import UTC, datetime

    cmd = " ".join(["uv run python benchmarks/bench_calibration.py", *(argv or sys.argv[1:])])
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"command: {cmd}",
        f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, {os.cpu_count()} "
        f"cores, load average (1/5/15 min) {load}, {JOBS} process(es) for the cells",
        f"seeds: table 1 base {FULL_SEED} (cell seed = base + 10 n + alpha index + 5 if "
        f"flat), table 4 9300 + i (10-year curve) and 9400 + i (50 years), tables 5 and 7 "
        f"sizes {AR_SEED} + n + 10 rho, powers 8500 + n + 10 rho; {B_FULL} bootstrap "
        f"replicates per series",
        "",
    ]


def main(argv: list[str] | None = None) -> None:
    global AR_SEED, AR_NS, AR_RHOS, AR_POWER, FULL_SEED, FULL_NS, JOBS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the series")
    parser.add_argument("--only", nargs="*", type=int, help="table numbers to run")
    parser.add_argument(
        "--part",
        choices=("all", "full", "warp", "ar", "items45"),
        default="all",
        help="= --only 1/2/5; items45: issue 11's item 4 tables (1, 4) and item 5 table (7)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="joblib processes (tables 1, 7)")
    parser.add_argument(
        "--ar-seed",
        type=int,
        metavar="SEED",
        help="table 5's size cells on other seeded series (base seed SEED instead of "
        f"{AR_SEED}), no power rows; with --ar-cells N:RHO,... to choose cells",
    )
    parser.add_argument("--ar-cells", metavar="N:RHO,...", help="e.g. 30:0.8,60:0.8")
    parser.add_argument(
        "--full-seed", type=int, metavar="SEED", help=f"table 1 on other series (not {FULL_SEED})"
    )
    parser.add_argument("--full-n", type=int, nargs="*", help="table 1 for these lengths only")
    args = parser.parse_args(argv)
    if args.full_seed is not None:
        FULL_SEED = args.full_seed
    if args.full_n:
        FULL_NS = tuple(args.full_n)
    if args.ar_seed is not None:
        AR_SEED, AR_POWER = args.ar_seed, False
    if args.ar_cells:
        cells = [c.split(":") for c in args.ar_cells.split(",")]
        AR_NS = tuple(sorted({int(n) for n, _ in cells}))
        AR_RHOS = tuple(sorted({float(r) for _, r in cells}))
    JOBS = max(1, args.jobs)
    if args.part != "all":
        args.only = {"full": [1], "warp": [2], "ar": [5], "items45": [1, 4, 7]}[args.part]
    warnings.simplefilter("ignore", LifecycleWarning)  # serial, calibration
    tables = (
        ("1. full-bootstrap size", full_table),
        ("2. warp-speed size", warp_table),
        ("3. n = 10: drawing dispersion, full-bootstrap size and power", alternatives_table),
        ("4. power of the library's test", power_table),
        (
            "5. serial dependence: latent AR(1) lognormal noise, size and power in % at the "
            "5 % level",
            ar_table,
        ),
        ("6. n = 10: double bootstrap and Berger-Boos, full-bootstrap size and power", other_table),
        (
            "7. issue 11 item 5: latent AR(1) lognormal noise at n = 30, size and power in % "
            "at the 5 % level",
            item5_table,
        ),
    )
    w0, c0 = time.perf_counter(), time.process_time()
    for line in _header(argv):
        print(line, flush=True)
    for k, (title, table) in enumerate(tables, 1):
        if (args.only and k not in args.only) or (not args.only and k in (6, 7)):
            continue
        w, c, cells = time.perf_counter(), time.process_time(), CPU_CELLS
        print(f"{title} ({B_FULL} replicates per series where full)", flush=True)
        for row in table(args.scale):  # a generator shows a long run's progress
            print(row, flush=True)
        cpu = time.process_time() - c + (CPU_CELLS - cells if JOBS > 1 else 0.0)
        print(f"({time.perf_counter() - w:.0f} s wall, {cpu:.0f} s CPU)\n", flush=True)
    import os

    cpu = time.process_time() - c0 + (CPU_CELLS if JOBS > 1 else 0.0)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"total: {time.perf_counter() - w0:.0f} s wall, {cpu:.0f} s CPU; load average at the "
          f"end {load}")  # fmt: skip


if __name__ == "__main__":
    main()

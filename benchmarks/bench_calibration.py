"""Calibration of the NB2 resurgence test (issue 11, items 4 and 5): size at the 5 % level.

Prints three tables from one run (``uv run python benchmarks/bench_calibration.py``;
about 25 minutes of CPU on a 2-core machine; ``--part warp|full|ar`` prints one):

1. **Warp-speed sizes** (Giacomini, Politis & White 2013: one bootstrap draw per
   simulated series, pooled critical value) for n = 10, 20, 30, 60 and NB2
   ``alpha`` in {0.1, 0.25, 0.5, 1.0}, flat (40 per period) and single-peak
   (10 -> 60 -> 10) nulls, ``N_WARP`` seeded series per cell. Warp speed is exact
   when the drawing dispersion is fixed; with a dispersion estimated per series it
   *understates* the size of short series (table 2).
2. **Full-bootstrap sizes** (each series its own ``B_FULL`` replicates) for n = 10,
   20, 30, where table 1 is too optimistic, ``N_FULL`` series per cell.
3. **Serial dependence**: n = 30 and 60, a flat mean 40 times a latent stationary
   AR(1) lognormal factor (``rho`` in {0, 0.5, 0.8}, marginal ``tau2 = exp(s^2) - 1 =
   0.25``), ``N_AR`` series with ``B_FULL`` replicates each, four bootstraps from the
   same series: the default (independent NB2), the former ``serial="ar1"`` (latent
   AR(1) from residual moments, single bootstrap), the REML latent AR(1) with a single
   bootstrap, and ``serial="ar1"`` (REML and the fast double bootstrap). Then the power
   on two waves (``two_waves(n)``: 20 -> 100 -> 30 -> 100, ``tau2 = 0.1``, ``rho`` 0 and
   0.5), ``N_POWER`` series. ``--part ar`` prints this table alone (about 15 minutes of
   CPU).

Monte Carlo standard error of a size near 5 %: 0.7 % with 1,000 series, 1.3 % with
300. Seeds are literal; the numbers are the library's own functions, vectorised over
series exactly as :func:`lifecycle.inference.power` does.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from lifecycle._core.errors import SerialCorrelationWarning
from lifecycle._core.sampling import draw_counts
from lifecycle._core.serial import (
    draw_latent_ar1,
    fast_double_pvalue,
    fit_latent_ar1,
    log_quadratic_means,
)
from lifecycle.inference import flat, power, single_peak, two_waves
from lifecycle.inference.resurgence import _analyse

N_WARP = 1000
N_FULL = 300
N_AR = 300
N_POWER = 200
B_FULL = 99
ALPHAS = (0.1, 0.25, 0.5, 1.0)


def warp_table() -> Iterator[str]:
    yield "n   null         " + "".join(f"alpha={a:<6}" for a in ALPHAS)
    for n in (10, 20, 30, 60):
        for name, rates in (("flat", flat(n, 40.0)), ("single peak", single_peak(n, 10.0, 60.0))):
            cells = []
            for i, a in enumerate(ALPHAS):
                seed = 1000 * n + 10 * i + (name == "flat")
                res = power(
                    rates, family="negbin", dispersion=a, n_sim=N_WARP, method="warp", seed=seed
                )
                cells.append(f"{100 * res.power():5.1f} %    ")
            yield f"{n:<4}{name:<13}" + "".join(cells)


def _full_size(Y: np.ndarray, draw, rng: np.random.Generator) -> float:
    e = np.ones(Y.shape[1])
    obs = _analyse(Y, e, "negbin", 0.0, 0.0, want_null=True)
    Ystar = draw(obs, Y, rng)
    t = _analyse(Ystar, e, "negbin", 0.0, 0.0, want_null=False).stat.reshape(Y.shape[0], B_FULL)
    p = (1.0 + (t >= obs.stat[:, None] - 1e-9).sum(axis=1)) / (B_FULL + 1.0)
    return float(np.mean(p <= 0.05))


def _independent(obs, Y, rng):
    mu = np.repeat(obs.mu_boot, B_FULL, axis=0)
    return draw_counts(mu, "negbin", np.repeat(obs.alpha, B_FULL)[:, None], rng)


def full_table() -> Iterator[str]:
    yield "n   null         " + "".join(f"alpha={a:<6}" for a in ALPHAS)
    for n in (10, 20, 30):
        for name, rates in (("flat", flat(n, 40.0)), ("single peak", single_peak(n, 10.0, 60.0))):
            cells = []
            for i, a in enumerate(ALPHAS):
                rng = np.random.default_rng(7000 + 10 * n + i + 5 * (name == "flat"))
                Y = draw_counts(np.broadcast_to(rates, (N_FULL, n)), "negbin", a, rng)
                cells.append(f"{100 * _full_size(Y, _independent, rng):5.1f} %    ")
            yield f"{n:<4}{name:<13}" + "".join(cells)


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


def _ar_pvalues(Y: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """p-values of each series (rows of ``Y``) under the four bootstraps of table 3.

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
    tau2, rho = tau2_m, rho_m
    out["former ar1 (moments)"] = pv(stat(draw_latent_ar1(mu0, rep(tau2), rep(rho), rng)).stat)
    tau2, rho = fit_latent_ar1(Y, e)
    med = np.median
    out["~medians"] = f"{med(rho_m):.2f}, {med(tau2_m):.3f} | {med(rho):.2f}, {med(tau2):.3f}"  # type: ignore[assignment]
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


def _ar_row(n: int, rho: float, p: dict[str, np.ndarray]) -> str:
    cells = "".join(
        f"{100 * np.mean(v <= 0.05):5.1f} %{'':16}" for k, v in p.items() if k[0] != "~"
    )
    return f"        {n:<4}{rho:<6}" + cells + p["~medians"]


AR_SEED = 8000  # base seed of the size cells (--ar-seed: the same cells on other series)
AR_POWER = True


def ar_table() -> Iterator[str]:
    """Size under a latent AR(1) around a flat mean, and power on two waves."""
    names = ("independent", "former ar1 (moments)", "REML, single bootstrap", 'serial="ar1"')
    yield (
        "size    n   rho   "
        + "".join(f"{k:<23}" for k in names)
        + "median rho, tau2: former | REML"
    )
    for n in AR_NS:
        for rho in AR_RHOS:
            rng = np.random.default_rng(AR_SEED + n + int(10 * rho))
            ones = np.ones(N_AR)
            Y = draw_latent_ar1(np.full((N_AR, n), 40.0), 0.25 * ones, rho * ones, rng)
            yield _ar_row(n, rho, _ar_pvalues(Y, rng))
    if not AR_POWER:
        return
    yield "power   n   rho   (two waves 20 -> 100 -> 30 -> 100, latent tau2 = 0.1)"
    for n in AR_NS:
        for rho in (0.0, 0.5):
            rng = np.random.default_rng(8500 + n + int(10 * rho))
            ones = np.ones(N_POWER)
            Y = draw_latent_ar1(
                np.broadcast_to(two_waves(n), (N_POWER, n)), 0.1 * ones, rho * ones, rng
            )
            yield _ar_row(n, rho, _ar_pvalues(Y, rng))


def main(argv: list[str] | None = None) -> None:
    global AR_SEED, AR_NS, AR_RHOS, AR_POWER
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("all", "warp", "full", "ar"), default="all")
    parser.add_argument(
        "--ar-seed",
        type=int,
        metavar="SEED",
        help="table 3's size cells on other seeded series (base seed SEED instead of "
        f"{AR_SEED}), with --ar-cells N:RHO,... to choose cells; no power rows",
    )
    parser.add_argument("--ar-cells", metavar="N:RHO,...", help="e.g. 30:0.8,60:0.8")
    args = parser.parse_args(argv)
    part = args.part
    if args.ar_seed is not None:
        AR_SEED, AR_POWER = args.ar_seed, False
    if args.ar_cells:
        cells = [c.split(":") for c in args.ar_cells.split(",")]
        AR_NS = tuple(sorted({int(n) for n, _ in cells}))
        AR_RHOS = tuple(sorted({float(r) for _, r in cells}))
    warnings.simplefilter("ignore", SerialCorrelationWarning)
    tables = {
        "warp": (f"1. warp-speed size, {N_WARP} series per cell", warp_table),
        "full": (
            f"2. full-bootstrap size, {N_FULL} series x {B_FULL} replicates per cell",
            full_table,
        ),
        "ar": (
            f"3. serial dependence: latent AR(1) lognormal noise, size ({N_AR} series) and "
            f"power ({N_POWER} series) in % at the 5 % level, {B_FULL} replicates each",
            ar_table,
        ),
    }
    for key, (title, table) in tables.items():
        if part not in ("all", key):
            continue
        w, c = time.perf_counter(), time.process_time()
        print(title, flush=True)
        for row in table():  # row by row: a long run shows its progress
            print(row, flush=True)
        print(f"({time.perf_counter() - w:.0f} s wall, {time.process_time() - c:.0f} s CPU)\n")


if __name__ == "__main__":
    main()

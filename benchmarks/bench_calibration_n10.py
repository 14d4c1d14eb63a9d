"""Issue 11 item 4, third attempt on 10 windows: screens of the NB2 resurgence test.

``uv run python benchmarks/bench_calibration_n10.py`` prints two tables (about 3
minutes of CPU):

A. **Null 95 % points and oracle power** of four statistics on n = 10 (no bootstrap:
   ``N_PIVOT`` seeded series per row, one generator with seed 1 for the whole table):
   the library's profile likelihood ratio ``T``; the common-``alpha`` LR
   ``T_c = 2 (l1(a0) - l0(a0))`` at the H0 profile ML ``a0``; and the mixtures
   ``T_w = T_c + w (T - T_c)`` (``T - T_c = 2 (l1(a1) - l1(a0))`` is the gain from
   re-estimating ``alpha`` under H1, the "dispersion contrast"). A statistic whose
   95 % point does not move with ``alpha`` needs no good ``alpha`` estimate. Oracle
   power: share of 10-year two-wave series (``CURVE_10``) above the 95 % point of
   flat series at the same, true ``alpha``.
B. **Full-bootstrap size and power** (``M`` series per cell from table 6's seeds,
   ``B_FULL`` replicates, chunks of 100 series; every method sees the same series):
   the library's single bootstrap; a confidence-distribution draw (each replicate
   drawn at ``alpha_b = a^2 / a*_b``, ``a*_b`` the library's estimate on a pilot
   replicate drawn at ``a``: bias correction and the estimate's spread in one); and
   ``T_w`` for ``w`` = 0.1, 0.05 and 0 with the library's drawing dispersion.

C. **Fourth attempt: a statistic free of ``alpha`` on flat curves** (``--only C``;
   about 6 minutes of CPU). ``S = (RSS0 - RSS1) / s2``: the unimodal and two-mode
   least-squares fits of the log levels ``z = log(y + 1/2)`` (the same isotonic
   recursions with block means), scaled by the second-difference variance of ``z``
   (Gasser, Sroka & Jennen-Steinmetz 1986). It is scale invariant, so on flat curves
   its null distribution hardly moves with ``alpha``. Replicates are drawn from the
   fitted unimodal curve shrunk toward flat on the log scale by the square root of the
   positive-part James-Stein factor ``1 - v (L - 1) / sum (g - mean g)^2`` (``g`` the
   fitted log rates, ``L`` their number of levels, ``v = mean(1 / mu0) + alpha``), at
   the H0 Pearson dispersion. Sizes for n = 5-15 (``M_C`` series per cell, table 1's
   seeds, so the library's n = 10 row is table 1's), beside the library's test on the
   same series, and the power of both on the 10-year curve and on 50-year series with a
   clear second wave.

Numbers quoted in the docstring of :mod:`lifecycle.inference.resurgence` and in
``benchmarks/README.md`` ("Issue 11 item 4: third attempt on 10 windows", "fourth
attempt").
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from bench_calibration import (  # the folder is on sys.path
    ALPHAS,
    B_FULL,
    CURVE_10,
    FULL_SEED,
    SECOND_50,
    _full_reject,
    _nulls,
    _sample,
)

import lifecycle.inference.shape_fit as shape_fit
from lifecycle._core.errors import LifecycleWarning
from lifecycle._core.likelihood import nb_logpmf, poisson_logpmf
from lifecycle._core.sampling import draw_counts
from lifecycle.inference import flat
from lifecycle.inference.resurgence import _analyse, _h1_rates
from lifecycle.inference.shape_dispersion import (
    _estimate_alpha,
    _levels,
    _moment_alpha,
    _profile_alpha,
)
from lifecycle.inference.shape_fit import _block_sums, _fit

NB = "negbin"
N_PIVOT = 3000  # table A: series per row
PIVOT_ALPHAS = (0.02, 0.1, 0.25, 0.5, 1.0, 2.0)
WEIGHTS = (0.05, 0.1, 0.2, 0.3)
M = 300  # table B: series per cell
M_C = 1000  # table C: series per size cell
M_C_50 = 300  # table C: series per power cell at n = 50
C_NS = (5, 8, 10, 12, 15)


def _loglik(y: np.ndarray, mu: np.ndarray, a: np.ndarray) -> np.ndarray:
    out = poisson_logpmf(y, mu).sum(axis=1)
    pos = a > 0
    if pos.any():
        out[pos] = nb_logpmf(y[pos], mu[pos], a[pos][:, None]).sum(axis=1)
    return out


def statistics(y: np.ndarray, chunk: int = 3000) -> dict[str, np.ndarray]:
    """``T``, ``T_c``, ``mu0`` (H0 fitted means) and the library's drawing ``alpha``."""
    e = np.ones(y.shape[1])
    out: dict[str, list[np.ndarray]] = {}
    for lo in range(0, y.shape[0], chunk):
        yy = y[lo : lo + chunk]
        fit = _fit(yy, e, 0.0, 0.0, keep=True)
        r0 = fit.rates(fit.h0)
        r1 = _h1_rates(fit, r0)
        a0, l0 = _profile_alpha(yy, r0)
        _, l1 = _profile_alpha(yy, r1)
        parts = {
            "T": 2 * (np.maximum(l1, l0) - l0),
            "Tc": np.maximum(2 * (_loglik(yy, r1, a0) - l0), 0),
            "mu0": r0,
            "alpha": _estimate_alpha(yy, r0, _levels(r0)),
        }
        for k, v in parts.items():
            out.setdefault(k, []).append(v)
    return {k: np.concatenate(v) for k, v in out.items()}


def mixture(s: dict[str, np.ndarray], w: float) -> np.ndarray:
    """``T_w = T_c + w (T - T_c)`` (``T - T_c >= 0`` up to rounding)."""
    return s["Tc"] + w * np.maximum(s["T"] - s["Tc"], 0)


def pivot_table() -> list[str]:
    rng = np.random.default_rng(1)
    names = ["profile T", "common Tc", *(f"T_w w={w}" for w in WEIGHTS)]

    def named(s: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        values = [s["T"], s["Tc"], *(mixture(s, w) for w in WEIGHTS)]
        return dict(zip(names, values, strict=True))

    lines = [f"{'null, alpha':<20}" + "".join(f"{k:<13}" for k in names)]
    for name, rates in _nulls(10):
        for a in PIVOT_ALPHAS:
            Y = draw_counts(np.broadcast_to(rates, (N_PIVOT, 10)), NB, a, rng)
            q = {k: np.quantile(v, 0.95) for k, v in named(statistics(Y)).items()}
            lines.append(f"{name + ', ' + str(a):<20}" + "".join(f"{x:<13.2f}" for x in q.values()))
    for a in (0.05, 0.1):
        s = named(statistics(draw_counts(np.broadcast_to(CURVE_10, (N_PIVOT, 10)), NB, a, rng)))
        sn = named(statistics(draw_counts(np.broadcast_to(flat(10, 40.0), (N_PIVOT, 10)), NB, a,
                                          rng)))  # fmt: skip
        cells = "".join(f"{100 * np.mean(s[k] > np.quantile(sn[k], 0.95)):<13.0f}" for k in s)
        lines.append(f"{'oracle power ' + str(a):<20}" + cells)
    lines.append(f"({N_PIVOT} series per row; 95 % points, power in %)")
    return lines


def _pvalue(t: np.ndarray, stat: np.ndarray) -> np.ndarray:
    return (1.0 + (t >= stat[:, None] - 1e-9).sum(axis=1)) / (t.shape[1] + 1.0)


def library(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    e, m = np.ones(y.shape[1]), y.shape[0]
    obs = _analyse(y, e, NB, 0, 0, want_null=True)
    ys = draw_counts(np.repeat(obs.mu_boot, B_FULL, 0), NB,
                     np.repeat(obs.alpha, B_FULL)[:, None], rng)  # fmt: skip
    t = _analyse(ys, e, NB, 0, 0, want_null=False).stat.reshape(m, B_FULL)
    return _pvalue(t, obs.stat)


def confidence_draw(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Replicate ``b`` drawn at ``a^2 / a*_b`` (``a*_b`` floored at ``a / 20``)."""
    e, m = np.ones(y.shape[1]), y.shape[0]
    obs = _analyse(y, e, NB, 0, 0, want_null=True)
    a = np.repeat(obs.alpha, B_FULL)
    mu = np.repeat(obs.mu_boot, B_FULL, 0)
    pilot = _analyse(draw_counts(mu, NB, a[:, None], rng), e, NB, 0, 0, want_null=True).alpha
    pilot = np.maximum(pilot, a / 20.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ab = np.where(a > 0, a * (a / np.where(pilot > 0, pilot, 1.0)), 0.0)
    t = _analyse(draw_counts(mu, NB, ab[:, None], rng), e, NB, 0, 0, want_null=False).stat
    return _pvalue(t.reshape(m, B_FULL), obs.stat)


def mixed_statistic(w: float) -> Callable:
    """``T_w`` with the library's drawing dispersion and fitted unimodal curve."""

    def test(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        m = y.shape[0]
        s = statistics(y)
        ys = draw_counts(np.repeat(s["mu0"], B_FULL, 0), NB,
                         np.repeat(s["alpha"], B_FULL)[:, None], rng)  # fmt: skip
        t = mixture(statistics(ys), w).reshape(m, B_FULL)
        return _pvalue(t, mixture(s, w))

    return test


def bootstrap_table() -> list[str]:
    methods: dict[str, Callable] = {
        "library (single bootstrap)": library,
        "confidence draw a^2/a*": confidence_draw,
        "T_w, w = 0.1": mixed_statistic(0.1),
        "T_w, w = 0.05": mixed_statistic(0.05),
        "T_w, w = 0 (T_c)": mixed_statistic(0.0),
    }
    cols = [f"flat {a:<5}" for a in ALPHAS] + [f"peak {a:<5}" for a in ALPHAS]
    lines = [f"{'method':<28}" + "".join(f"{c:<11}" for c in cols) + "power .05/.1"]
    for label, test in methods.items():
        cells = []
        for null in ("flat", "single peak"):
            rates = dict(_nulls(10))[null]
            for i, a in enumerate(ALPHAS):
                Y, rng = _sample(rates, a, M, 9600 + 10 * i + 5 * (null == "flat"))
                p = np.concatenate([test(Y[k : k + 100], rng) for k in range(0, M, 100)])
                cells.append(f"{100 * np.mean(p <= 0.05):5.1f} %    ")
        pw = []
        for i, a in enumerate((0.05, 0.1)):
            Y, rng = _sample(CURVE_10, a, M, 9700 + i)
            p = np.concatenate([test(Y[k : k + 100], rng) for k in range(0, M, 100)])
            pw.append(f"{100 * np.mean(p <= 0.05):.0f}")
        lines.append(f"{label:<28}" + "".join(cells) + "/".join(pw) + " %")
    lines.append(f"({M} series per cell, the same series for every method, {B_FULL} replicates)")
    return lines


# ---------------------------------------------------------------- C: log-scale statistic
def _mean_tables(Z: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Block means and ``S**2 / w``: ``_fit``'s recursions then give least-squares fits."""
    n = Z.shape[1]
    valid = np.triu(np.ones((n, n), dtype=bool))
    w = np.where(valid, _block_sums(np.ones((1, n)), np.ones(n))[0], 1.0)
    S = _block_sums(Z, np.ones(n))
    S[:, ~valid] = 0.0
    return S / w, S * S / w


@contextmanager
def _least_squares() -> Iterator[None]:
    """Swap the Poisson block tables of ``shape_fit`` for least-squares ones (screen only)."""
    poisson = shape_fit._block_tables
    shape_fit._block_tables = _mean_tables
    try:
        yield
    finally:
        shape_fit._block_tables = poisson


def log_statistic(y: np.ndarray) -> np.ndarray:
    """``S = (RSS0 - RSS1) / s2`` on ``z = log(y + 1/2)`` (0 when H1 fits no better)."""
    z = np.log(y + 0.5)
    with _least_squares():
        fit = _fit(z, np.ones(z.shape[1]), 0.0, 0.0)
    gain = fit.l1 - fit.l0
    gain = np.where(gain <= 1e-12 * np.maximum((z * z).sum(axis=1), 1.0), 0.0, gain)
    d2 = z[:, :-2] - 2.0 * z[:, 1:-1] + z[:, 2:]
    s2 = (d2 * d2).sum(axis=1) / (6.0 * (z.shape[1] - 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(gain == 0.0, 0.0, gain / s2)


def shrunk_draw(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drawing means (the fitted unimodal curve shrunk toward flat) and dispersion."""
    mu0 = _analyse(y, np.ones(y.shape[1]), NB, 0, 0, want_null=True).mu_boot
    levels = _levels(mu0)
    alpha = _moment_alpha(y, mu0, levels + 1)
    g = np.log(mu0 + 0.5)
    dev = g - g.mean(axis=1, keepdims=True)
    ss = (dev * dev).sum(axis=1)
    v = (1.0 / np.maximum(mu0, 0.5)).mean(axis=1) + alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(ss > 0, np.sqrt(np.clip(1.0 - v * (levels - 1) / ss, 0.0, 1.0)), 0.0)
    mu = np.exp(g.mean(axis=1, keepdims=True) + c[:, None] * dev)
    return mu * (y.sum(axis=1) / mu.sum(axis=1))[:, None], alpha


def log_scale_test(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """p-values of ``S`` with replicates from :func:`shrunk_draw`."""
    mu, alpha = shrunk_draw(y)
    ys = draw_counts(np.repeat(mu, B_FULL, 0), NB, np.repeat(alpha, B_FULL)[:, None], rng)
    return _pvalue(log_statistic(ys).reshape(y.shape[0], B_FULL), log_statistic(y))


def _both(rates: np.ndarray, a: float, m: int, seed: int) -> tuple[float, float]:
    """Rejection rates of ``S`` and of the library's test on the same seeded series."""
    y, rng = _sample(rates, a, m, seed)
    p = np.concatenate([log_scale_test(y[k : k + 100], rng) for k in range(0, m, 100)])
    y2, rng2 = _sample(rates, a, m, seed)  # the same series, table 1's draws for T
    return float(np.mean(p <= 0.05)), _full_reject(y2, None, rng2)


def log_scale_table() -> list[str]:
    rng = np.random.default_rng(2)
    flat10 = [np.quantile(log_statistic(draw_counts(np.broadcast_to(flat(10, 40.0), (N_PIVOT, 10)),
                                                    NB, a, rng)), 0.95)
              for a in PIVOT_ALPHAS]  # fmt: skip
    lines = [
        "flat n = 10, 95 % point of S for alpha = "
        + ", ".join(f"{a}: {q:.2f}" for a, q in zip(PIVOT_ALPHAS, flat10, strict=True))
        + f" ({N_PIVOT} series each)",
        f"{'n':<4}{'null':<13}{'test':<16}" + "".join(f"alpha={a:<6}" for a in ALPHAS),
    ]
    for n in C_NS:
        for name, rates in _nulls(n):
            cells = [_both(rates, a, M_C, FULL_SEED + 10 * n + i + 5 * (name == "flat"))
                     for i, a in enumerate(ALPHAS)]  # fmt: skip
            for j, test in enumerate(("S, shrunk draw", "library T")):
                sizes = "".join(f"{100 * c[j]:5.1f} %    " for c in cells)
                lines.append(f"{n:<4}{name:<13}{test:<16}" + sizes)
    lines.append(f"({M_C} series per cell, table 1's seeds; {B_FULL} replicates)")
    for label, rates, alphas, m, seed in (
        ("10-year curve 30..100..25..100", CURVE_10, (0.05, 0.1), M_C, 9300),
        ("50 years 5->80->20->80->5", SECOND_50, (0.2, 0.5, 1.0), M_C_50, 9400),
    ):
        for i, a in enumerate(alphas):
            s_pow, t_pow = _both(rates, a, m, seed + i)
            lines.append(f"power, {label}, alpha={a:<5} S {100 * s_pow:5.1f} %   "
                         f"library T {100 * t_pow:5.1f} %   ({m} series)")  # fmt: skip
    return lines


TABLES = {
    "A": ("A. n = 10: null 95 % points and oracle power", pivot_table),
    "B": ("B. n = 10: full-bootstrap size and power in % at the 5 % level", bootstrap_table),
    "C": (
        "C. n = 5-15: the log-scale statistic S against the library's T, size and power "
        "in % at the 5 % level",
        log_scale_table,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(TABLES), default=sorted(TABLES))
    args = parser.parse_args()
    warnings.simplefilter("ignore", LifecycleWarning)
    for key in args.only:
        title, table = TABLES[key]
        c = time.process_time()
        print(title, flush=True)
        for line in table():
            print(line, flush=True)
        print(f"({time.process_time() - c:.0f} s CPU)\n", flush=True)


if __name__ == "__main__":
    main()

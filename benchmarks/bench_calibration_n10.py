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

Numbers quoted in the docstring of :mod:`lifecycle.inference.resurgence` and in
``benchmarks/README.md`` ("Issue 11 item 4: third attempt on 10 windows").
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import numpy as np
from bench_calibration import ALPHAS, B_FULL, CURVE_10, _nulls, _sample  # the folder is on sys.path

from lifecycle._core.errors import LifecycleWarning
from lifecycle._core.likelihood import nb_logpmf, poisson_logpmf
from lifecycle._core.sampling import draw_counts
from lifecycle.inference import flat
from lifecycle.inference.resurgence import _analyse, _h1_rates
from lifecycle.inference.shape_dispersion import _estimate_alpha, _levels, _profile_alpha
from lifecycle.inference.shape_fit import _fit

NB = "negbin"
N_PIVOT = 3000  # table A: series per row
PIVOT_ALPHAS = (0.02, 0.1, 0.25, 0.5, 1.0, 2.0)
WEIGHTS = (0.05, 0.1, 0.2, 0.3)
M = 300  # table B: series per cell


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


def main() -> None:
    warnings.simplefilter("ignore", LifecycleWarning)
    for title, table in (
        ("A. n = 10: null 95 % points and oracle power", pivot_table),
        ("B. n = 10: full-bootstrap size and power in % at the 5 % level", bootstrap_table),
    ):
        c = time.process_time()
        print(title, flush=True)
        for line in table():
            print(line, flush=True)
        print(f"({time.process_time() - c:.0f} s CPU)\n", flush=True)


if __name__ == "__main__":
    main()

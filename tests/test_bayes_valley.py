"""The three-phase constraint's valley integrals against a per-division reference.

``bayes_breaks._three_phase_sum`` sums ``Π exp(S) P(no valley)`` over the divisions
into three runs with every middle run's density left implicit (one product per first
break with the distribution functions). The reference below forms each run's gridded
posterior density explicitly, division by division, with the same rules. A strong
valley is checked against exact Gamma posteriors.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest
from scipy import special

import lifecycle.inference.bayes as B
import lifecycle.inference.bayes_breaks as BB
from lifecycle.inference import BayesPrior, hyper
from lifecycle.series import CountSeries


def _reference(S, seg, lphi, u):
    """log Σ_divisions exp(S_0c1 + S_c1c2 + S_c2n) ∫ f_2 (F_1 + F_3 - F_1 F_3), one
    division at a time, each run's distribution function ``F`` integrating its density
    log-linearly between nodes (interval by interval)."""
    n = S.shape[0] - 1
    ii, jj = np.triu_indices(n + 1, 1)
    pos = {(int(a), int(b)): r for r, (a, b) in enumerate(zip(ii, jj, strict=True))}
    w = hyper.trapezoid_weights(u)

    def density(a, b):
        lf = seg[pos[(a, b)]] + lphi
        f = np.exp(lf - lf.max())
        return f / (f * w).sum()

    def distribution(a, b):
        f = density(a, b)
        acc, out = 0.0, [0.0]
        for i in range(u.size - 1):
            h, f0, f1 = u[i + 1] - u[i], f[i], f[i + 1]
            if f0 > 0 and f1 > 0 and abs(math.log(f1 / f0)) >= 1e-6:
                acc += h * (f1 - f0) / math.log(f1 / f0)
            else:
                acc += h * (f0 + f1) / 2
            out.append(acc)
        out = np.array(out)
        return np.clip(out / out[-1], 0.0, 1.0)

    terms = []
    F_first = {c: distribution(0, c) for c in range(1, n)}
    F_last = {c: distribution(c, n) for c in range(1, n)}
    for c1, c2 in combinations(range(1, n), 2):
        f1, f3 = F_first[c1], F_last[c2]
        no_valley = float(np.sum(w * density(c1, c2) * (f1 + f3 - f1 * f3)))
        wdiv = S[0, c1] + S[c1, c2] + S[c2, n]
        terms.append(wdiv + math.log(min(max(no_valley, 1e-300), 1.0)))
    return float(special.logsumexp(terms))


def _tables(y, alpha, v_shift):
    s = CountSeries.from_counts(np.arange(2000, 2000 + len(y)), y)
    lo, hi, e = s.low, s.high, s.exposure
    rates = B._resolve(BayesPrior(), s)
    grid = B._grid(lo, hi, e, rates, "negbin", alpha)
    C = B._segment_table(lo, hi, e, "negbin", alpha, grid)
    seg = BB._segment_rows(C)
    A, rmax = BB._scaled_likelihood(seg)
    v = math.log(float(np.mean(y)) + 0.5) + v_shift
    n = len(y)
    val = hyper.segment_marginals(seg, grid.u, grid.w, rates.a, np.array([v]), (A, rmax))
    S = np.full((n + 1, n + 1), -np.inf)
    ii, jj = np.triu_indices(n + 1, 1)
    S[ii, jj] = val[:, 0]
    return S, seg, A, hyper.log_phi(grid.u - v, rates.a), grid.u


def _series(seed, n, shape):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / (n - 1)
    rate = {
        "hump": 3 + 30 * np.exp(-0.5 * ((t - 0.5) / 0.2) ** 2),
        "valley": 3 + 30 * (2 * t - 1) ** 2,
    }[shape]
    return rng.poisson(rng.gamma(2.0, rate / 2.0))


@pytest.mark.parametrize(("seed", "n"), [(7, 9), (8, 16), (9, 24)])
@pytest.mark.parametrize("shape", ["hump", "valley"])
@pytest.mark.parametrize(("alpha", "v_shift"), [(0.05, 0.0), (0.8, -1.0), (0.8, 1.5)])
def test_three_phase_sum_equals_per_division_reference(seed, n, shape, alpha, v_shift):
    S, seg, A, lphi, u = _tables(_series(seed, n, shape), alpha, v_shift)
    got = BB._three_phase_sum(S, A, lphi, u)
    ref = _reference(S, seg, lphi, u)
    assert got == pytest.approx(ref, abs=1e-9)
    # the constraint lowers the sum over divisions, by much on a valley
    unc = float(
        special.logsumexp([S[0, a] + S[a, b] + S[b, n] for a, b in combinations(range(1, n), 2)])
    )
    assert got <= unc + 1e-12
    if shape == "valley" and n >= 16:
        assert got < unc - 1.0


def test_three_phase_check_uses_every_other_node():
    S, seg, A, lphi, u = _tables(_series(8, 16, "valley"), 0.8, 0.0)
    val, diff = BB._three_phase_checked(S, A, lphi, u)
    half = np.unique(np.r_[np.arange(0, u.size, 2), u.size - 1])
    coarse = _reference(S, seg[:, half], lphi[half], u[half])
    assert val == pytest.approx(_reference(S, seg, lphi, u), abs=1e-9)
    assert diff == pytest.approx(abs(val - coarse), abs=1e-9)
    assert diff < 5e-3


def _poisson_phase_log_ml(r: np.ndarray, a: float, b: float) -> float:
    """log ∫ Π Poisson(r_i | λ) Gamma(λ | a, rate b) dλ (exact counts, unit exposure)."""
    Y, N = float(r.sum()), r.size
    return (
        a * math.log(b)
        - special.gammaln(a)
        + special.gammaln(a + Y)
        - (a + Y) * math.log(b + N)
        - float(special.gammaln(r + 1.0).sum())
    )


@pytest.mark.parametrize("n", [20, 36])
def test_strong_valley_against_exact_gamma_posteriors(n):
    """A U-shaped Poisson series, fixed prior mean: the runs' posteriors are Gamma, so
    ``P(no valley)`` of each division is a one-dimensional integral of exact densities.
    On the heaviest divisions a valley is all but certain (``P(no valley)`` ~1e-20): the
    complement must come from the lower tails, not from ``1 - P(valley)``."""
    from scipy import integrate, stats

    t = np.arange(n) / (n - 1)
    y = np.rint(3 + 30 * (2 * t - 1) ** 2)
    s = CountSeries.from_counts(np.arange(2000, 2000 + n), y.astype(int))
    prior = BayesPrior(rate_mean=float(y.mean()))
    res = BB.estimated_log_ml(s, 3, "poisson", prior, constraint="unimodal")
    a, b = 1.0, 1.0 / float(y.mean())
    terms = []
    for c1, c2 in combinations(range(1, n), 2):
        runs = [y[:c1], y[c1:c2], y[c2:]]
        post = [stats.gamma(a + r.sum(), scale=1.0 / (b + r.size)) for r in runs]
        x = np.linspace(post[1].ppf(1e-14), post[1].ppf(1 - 1e-14), 4001)
        f1, f3 = post[0].cdf(x), post[2].cdf(x)
        nv = integrate.simpson(post[1].pdf(x) * (f1 + f3 - f1 * f3), x=x)
        ml = sum(_poisson_phase_log_ml(r, a, b) for r in runs)
        terms.append(ml + math.log(nv))
    ref = float(special.logsumexp(terms)) - math.log(math.comb(n - 1, 2)) - math.log(2 / 3)
    assert abs(res.log_ml - ref) <= res.error
    assert res.error < 0.05

"""The Bayesian change posterior: a proper prior, a true marginal likelihood, k first.

Layers: ``log_evidence`` against brute force (every segmentation, each segment's rate
integrated numerically by scipy's ``quad``); the Poisson prior on the number of changes
against enumeration; the short series of issue 11 on which the former uniform prior put
five changes; the cap warns when it may cut off posterior mass.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from lifecycle._core.errors import ApproximationWarning, ParameterError
from lifecycle.changepoints import posterior_changes

SHORT = [9, 8, 11, 10, 2, 3, 1, 2, 8, 9, 12, 10]  # issue 11


def _segment_evidence(y: np.ndarray, e: np.ndarray, a: float, b: float) -> float:
    """∫ Gamma(lam; a, b) prod_i Poisson(y_i; e_i lam) dlam, by numerical quadrature."""

    def f(lam: float) -> float:
        return math.exp(
            stats.gamma.logpdf(lam, a, scale=1.0 / b) + stats.poisson.logpmf(y, e * lam).sum()
        )

    # split at the mode and a few posterior s.d. beyond it; the tail to infinity apart
    mode = max((a - 1 + y.sum()) / (b + e.sum()), 0.0)
    cuts = [0.0, mode, mode + 10 * math.sqrt(a + y.sum()) / (b + e.sum())]
    parts = [
        integrate.quad(f, lo, hi, limit=200, epsabs=0, epsrel=1e-12)[0]
        for lo, hi in itertools.pairwise(cuts)
        if hi > lo
    ]
    return sum(parts) + integrate.quad(f, cuts[-1], np.inf, epsabs=0, epsrel=1e-10)[0]


def _brute_evidence(y, e, a, b, prior_k, m=1):
    n = len(y)
    total = 0.0
    for k in range(len(prior_k)):
        segs = [
            bk for bk in itertools.combinations(range(1, n), k) if min(np.diff([0, *bk, n])) >= m
        ]
        for bk in segs:
            lik = 1.0
            for s, t in itertools.pairwise([0, *bk, n]):
                lik *= _segment_evidence(y[s:t], e[s:t], a, b)
            total += prior_k[k] / len(segs) * lik
    return math.log(total)


@pytest.mark.parametrize(
    ("a", "b", "exposure"),
    [(0.5, 1e-3, [1.0, 1.0, 1.0, 1.0, 1.0]), (2.0, 0.5, [1.0, 0.5, 1.0, 2.0, 1.0])],
)
def test_log_evidence_is_the_marginal_likelihood(a, b, exposure):
    y = np.array([3.0, 5.0, 0.0, 1.0, 7.0])
    e = np.array(exposure)
    post = posterior_changes(y, exposure=e, prior_shape=a, prior_rate=b)
    # default prior: Poisson(1) on k, truncated to 0..4 (all a 5-point series can hold)
    assert post.prior_n_changes.size == 5
    prior_k = stats.poisson.pmf(np.arange(5), 1.0)
    prior_k /= prior_k.sum()
    np.testing.assert_allclose(post.prior_n_changes, prior_k, rtol=1e-12)
    assert post.log_evidence == pytest.approx(_brute_evidence(y, e, a, b, prior_k), rel=1e-8)


def test_poisson_prior_posterior_equals_enumeration():
    y = np.array([3, 5, 4, 0, 1, 0, 2, 7, 6], dtype=float)
    a, b, m = 1.5, 0.2, 2
    post = posterior_changes(y, prior_shape=a, prior_rate=b, min_size=m, mean_changes=0.7)
    n = y.size
    weights, sets = [], []
    for k in range(post.n_changes_prob.size):
        segs = [
            bk for bk in itertools.combinations(range(1, n), k) if min(np.diff([0, *bk, n])) >= m
        ]
        for bk in segs:
            lm = sum(
                a * math.log(b)
                - math.lgamma(a)
                + math.lgamma(a + y[s:t].sum())
                - (a + y[s:t].sum()) * math.log(b + t - s)
                for s, t in itertools.pairwise([0, *bk, n])
            )
            weights.append(math.exp(lm) * 0.7**k / math.factorial(k) / len(segs))
            sets.append(bk)
    w = np.array(weights) / sum(weights)
    pk = np.bincount([len(bk) for bk in sets], weights=w)
    np.testing.assert_allclose(post.n_changes_prob, pk, rtol=1e-10)
    k_mode = int(np.argmax(pk))
    assert post.n_changes_mode == k_mode
    given = [(wi, bk) for wi, bk in zip(w, sets, strict=True) if len(bk) == k_mode]
    assert post.mode_break_index == max(given)[1]
    prob = np.array([sum(wi for wi, bk in given if j in bk) for j in range(1, n)]) / pk[k_mode]
    np.testing.assert_allclose(post.prob_change_given_mode, prob, rtol=1e-9, atol=1e-15)


def test_short_series_gets_two_changes_not_five():
    # issue 11: the former default (uniform on 0..5 changes, empirical rate prior) gave
    # P(k = 5) = 0.34 here
    post = posterior_changes(SHORT, years=range(2001, 2013), min_size=2)
    assert post.n_changes_mode == 2
    assert post.n_changes_prob[2] > 0.8
    assert post.n_changes_prob[5] < 0.001
    assert post.mode_breaks == (2005, 2009)
    table = post.summary()
    assert list(table.columns[:3]) == ["label", "prob_change_given_mode", "prob_change"]
    assert "Poisson(1)" in post.prior


def test_a_binding_default_cap_warns_and_bad_prior_raises():
    y = np.repeat([2.0, 40.0, 3.0, 50.0, 4.0, 60.0, 5.0, 70.0, 6.0, 80.0, 7.0, 90.0], 2)
    with pytest.warns(ApproximationWarning, match="may cut off posterior mass"):
        posterior_changes(y, mean_changes=0.05)  # default cap 5: the data want 11
    with pytest.raises(ParameterError, match="'prior_n_changes' parameter of posterior_changes"):
        posterior_changes(y, prior_n_changes="flat")
    assert special.logsumexp(np.log(posterior_changes(y).n_changes_prob)) == pytest.approx(0.0)

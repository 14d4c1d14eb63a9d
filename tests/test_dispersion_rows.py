"""The row-wise NB log-likelihood of the constant-rate dispersion search."""

import numpy as np
from scipy import special

from lifecycle._core.dispersion import (
    _nb_rate_two_groups,
    alpha_constant_rate,
    exposure_groups,
    nb_rate,
)
from lifecycle._core.likelihood import nb_logpmf, nb_logpmf_rows, poisson_logpmf


def _case(alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20261130)
    Y = rng.poisson(7.0, size=(alpha.size, 23)).astype(float)
    Y[0, :4] = 0.0
    mu = rng.uniform(0.5, 30.0, size=Y.shape)
    return Y, mu, alpha


def test_rows_loglik_same_bits_as_nb_logpmf_mixed_rows():
    # rows with r = 1/alpha both below and above Stirling's switch at r = 1e3
    Y, mu, alpha = _case(np.array([1e-6, 3e-4, 1e-3, 0.9e-3, 0.05, 1.0, 2.5e2]))
    want = nb_logpmf(Y, mu, alpha[:, None]).sum(axis=1)
    got = nb_logpmf_rows(Y, mu, alpha, special.gammaln(Y + 1.0)).sum(axis=1)
    assert np.array_equal(got, want)


def test_rows_loglik_same_bits_all_small_and_all_big():
    for alpha in (np.array([0.02, 0.4, 3.0]), np.array([1e-6, 1e-5, 2e-4])):
        Y, mu, alpha = _case(alpha)
        want = nb_logpmf(Y, mu, alpha[:, None]).sum(axis=1)
        got = nb_logpmf_rows(Y, mu, alpha, special.gammaln(Y + 1.0)).sum(axis=1)
        assert np.array_equal(got, want)


def _two_groups(Y: np.ndarray, e: np.ndarray):
    v, inv = exposure_groups(e)
    onehot = (inv[None, :] == np.arange(v.size)[:, None]).astype(float)
    N = np.repeat(onehot.sum(axis=1)[:, None], Y.shape[0], axis=1)
    return Y.sum(axis=1), N, onehot @ Y.T, v


def test_two_group_rate_is_nb_rate_root():
    e = np.array([1.0, 0.5, 1.0, 0.5, 1.0])
    rng = np.random.default_rng(7)
    Y = rng.negative_binomial(2.0, 2.0 / (2.0 + 20.0 * e), size=(60, e.size)).astype(float)
    Y[0] = 0.0  # no counts: rate 0
    C, N, Yg, v = _two_groups(Y, e)
    for r in (1e-3, 0.5, 3.0, 1e3, 1e6):
        rr = np.full(Y.shape[0], r)
        got = _nb_rate_two_groups(C, N, Yg, v, rr)
        assert got[0] == 0.0
        np.testing.assert_allclose(got, nb_rate(C, N, Yg, v, rr), rtol=1e-10, atol=0.0)
        # the ML rate's equation: sum_j (r N_j + Y_j) / (r + v_j lam) = N
        lam = got[1:]
        lhs = ((r * N[:, 1:] + Yg[:, 1:]) / (r + v[:, None] * lam)).sum(axis=0)
        np.testing.assert_allclose(lhs, N[:, 1:].sum(axis=0), rtol=1e-12)


def test_alpha_constant_rate_two_groups_reaches_the_grid_maximum():
    e = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5])
    rng = np.random.default_rng(11)
    Y = rng.negative_binomial(2.0, 2.0 / (2.0 + 15.0 * e), size=(6, e.size)).astype(float)
    alpha, lam = alpha_constant_rate(Y, e)
    C, N, Yg, v = _two_groups(Y, e)
    assert np.any(alpha > 0)
    a_hat = np.where(alpha > 0, alpha, 1.0)
    lam_hat = nb_rate(C, N, Yg, v, 1.0 / a_hat)
    ll_nb = nb_logpmf(Y, e[None, :] * lam_hat[:, None], a_hat[:, None]).sum(axis=1)
    ll_hat = np.where(alpha > 0, ll_nb, poisson_logpmf(Y, e[None, :] * lam[:, None]).sum(axis=1))
    for a in np.exp(np.linspace(np.log(1e-5), np.log(50.0), 2001)):
        lam_a = nb_rate(C, N, Yg, v, np.full(Y.shape[0], 1.0 / a))
        ll_grid = nb_logpmf(Y, e[None, :] * lam_a[:, None], a).sum(axis=1)
        assert np.all(ll_hat >= ll_grid - 1e-9)

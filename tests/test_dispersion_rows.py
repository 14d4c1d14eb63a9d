"""The row-wise NB log-likelihood of the constant-rate dispersion search."""

import numpy as np
from scipy import special

from lifecycle._core.dispersion import _nb_rows_loglik
from lifecycle._core.likelihood import nb_logpmf


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
    got = _nb_rows_loglik(Y, special.gammaln(Y + 1.0), mu, alpha)
    assert np.array_equal(got, want)


def test_rows_loglik_same_bits_all_small_and_all_big():
    for alpha in (np.array([0.02, 0.4, 3.0]), np.array([1e-6, 1e-5, 2e-4])):
        Y, mu, alpha = _case(alpha)
        want = nb_logpmf(Y, mu, alpha[:, None]).sum(axis=1)
        got = _nb_rows_loglik(Y, special.gammaln(Y + 1.0), mu, alpha)
        assert np.array_equal(got, want)

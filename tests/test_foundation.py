"""Tests of the shared foundation: validation helpers, likelihoods, result types."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lifecycle._core.errors import CountError, LifecycleError, ParameterError
from lifecycle._core.likelihood import interval_logprob, nb_logpmf, poisson_logpmf
from lifecycle._core.results import TestResult, bootstrap_pvalue
from lifecycle._core.validation import check_choice, check_counts, check_float, check_int, check_rng


class TestValidation:
    def test_int_accepts_numpy_and_checks_bounds(self):
        assert check_int("min_size", np.int64(3), min_value=1) == 3
        with pytest.raises(
            ParameterError, match=r"'min_size' parameter of detect must be an int >= 1\. Got 0"
        ):
            check_int("min_size", 0, func="detect", min_value=1)
        with pytest.raises(TypeError, match=r"must be an int\. Got 1\.5"):
            check_int("min_size", 1.5)
        with pytest.raises(TypeError, match="must be an int"):
            check_int("min_size", True)

    def test_float_refuses_nan_and_bounds(self):
        assert check_float("penalty", 0, min_value=0) == 0.0
        with pytest.raises(ParameterError, match="finite"):
            check_float("penalty", float("nan"))
        with pytest.raises(ParameterError, match=r"must be a number >= 0\. Got -1\.0"):
            check_float("penalty", -1, min_value=0)
        with pytest.raises(ParameterError, match=r"> 0 and < 1"):
            check_float(
                "level", 1.0, min_value=0, max_value=1, min_inclusive=False, max_inclusive=False
            )

    def test_choice_lists_options(self):
        with pytest.raises(ParameterError, match=r"one of 'poisson', 'negbin'\. Got 'gauss'"):
            check_choice("family", "gauss", ("poisson", "negbin"))

    @pytest.mark.parametrize(
        ("values", "what"),
        [
            ([1, -2], "negative"),
            ([1, 2.5], "non-integer"),
            ([np.nan], "NaN"),
            ([np.inf], "infinite"),
            (["x"], "not numbers"),
        ],
    )
    def test_counts_rejects_bad_values(self, values, what):
        with pytest.raises(CountError, match=what):
            check_counts("counts", values)

    def test_counts_does_not_alter_input(self):
        given = np.array([3, 4])
        out = check_counts("counts", given)
        out[0] = 99
        assert given[0] == 3
        assert np.isinf(check_counts("high", [1, np.inf], allow_inf=True)[1])

    def test_rng_is_explicit_and_reproducible(self):
        a = check_rng(7).integers(0, 10**9, 5)
        b = check_rng(7).integers(0, 10**9, 5)
        assert np.array_equal(a, b)
        with pytest.raises(TypeError, match="explicit seed"):
            check_rng(None)
        with pytest.raises(ParameterError, match=">= 0"):
            check_rng(-1)

    def test_errors_are_lifecycle_and_value_errors(self):
        assert issubclass(CountError, LifecycleError)
        assert issubclass(CountError, ValueError)


class TestLikelihood:
    def test_poisson_matches_scipy(self):
        y = np.array([0, 1, 5, 20])
        mu = np.array([0.5, 2.0, 5.0, 13.0])
        assert np.allclose(poisson_logpmf(y, mu), stats.poisson(mu).logpmf(y))
        assert poisson_logpmf(0, 0.0) == 0.0

    def test_nb2_matches_scipy_and_reduces_to_poisson(self):
        y = np.array([0, 3, 40])
        mu = np.array([1.0, 4.0, 25.0])
        alpha = 0.4
        r = 1 / alpha
        assert np.allclose(nb_logpmf(y, mu, alpha), stats.nbinom(r, r / (r + mu)).logpmf(y))
        assert np.allclose(nb_logpmf(y, mu, 0.0), poisson_logpmf(y, mu))
        # variance mu + alpha mu^2
        assert np.isclose(stats.nbinom(r, r / (r + 4.0)).var(), 4.0 + alpha * 16.0)

    def test_interval_probabilities(self):
        low = np.array([5.0, 5.0, 90.0])
        high = np.array([5.0, np.inf, 100.0])
        mu = np.array([4.0, 4.0, 95.0])
        got = interval_logprob(low, high, mu)
        p = stats.poisson
        want = [p(4).logpmf(5), np.log(p(4).sf(4)), np.log(p(95).cdf(100) - p(95).cdf(89))]
        assert np.allclose(got, want)
        got_nb = interval_logprob(low, high, mu, "negbin", 0.3)
        r = 1 / 0.3
        nb = stats.nbinom(r, r / (r + 95.0))
        assert np.isclose(got_nb[2], np.log(nb.cdf(100) - nb.cdf(89)))


class TestResults:
    def test_bootstrap_pvalue_counts_ties_and_is_never_zero(self):
        assert bootstrap_pvalue(3.0, np.array([1.0, 2.0, 3.0, 4.0])) == pytest.approx(3 / 5)
        assert bootstrap_pvalue(10.0, np.zeros(99)) == pytest.approx(0.01)

    def test_summary_is_one_row(self):
        r = TestResult(
            "at least one change",
            4.2,
            0.03,
            "parametric bootstrap",
            "no change",
            "one change or more",
            "poisson",
            n_boot=99,
            seed=1,
            details={"break_year": 1891, "curve": [1, 2]},
        )
        s = r.summary()
        assert s.shape[0] == 1 and s.loc[0, "break_year"] == 1891 and "curve" not in s
        assert r.reject(0.05) and not r.reject(0.01)


# ---------------------------------------------------------------------- issue 15 helpers
def test_check_counts_edges() -> None:
    from lifecycle._core.validation import MAX_COUNT

    assert check_counts("y", [0, MAX_COUNT - 1]).tolist() == [0.0, float(MAX_COUNT - 1)]
    with pytest.raises(CountError, match=r"2\^53 \(9,007,199,254,740,992\) or more at position 1"):
        check_counts("y", [0, MAX_COUNT])
    with pytest.raises(CountError, match="too large to hold as a float"):
        check_counts("y", [10**400])
    # each count below 2^53, the total not: cumulative sums would lose whole numbers
    half = MAX_COUNT // 2
    assert check_counts("y", [half, half - 1]).sum() == MAX_COUNT - 1
    with pytest.raises(CountError, match=r"total is below 2\^53 .*2 counts adding up"):
        check_counts("y", [half, half])
    # an open interval's +inf is not part of the total
    assert check_counts("y", [1, np.inf], allow_inf=True)[0] == 1
    for bools in ([True, False], np.array([True]), [1, np.bool_(True)]):
        with pytest.raises(CountError, match=r"booleans \(True/False are not counts"):
            check_counts("y", bools)
    assert check_counts("y", iter([1, 2])).tolist() == [1.0, 2.0]  # an iterator is read once


def test_check_exposure() -> None:
    from lifecycle._core.errors import ExposureError
    from lifecycle._core.validation import MIN_EXPOSURE, check_exposure

    e = np.array([0.5, 1.0])
    out = check_exposure("exposure", e, func="f", size=2)
    assert out.tolist() == [0.5, 1.0] and out is not e
    assert check_exposure("exposure", None, size=3).tolist() == [1.0, 1.0, 1.0]
    cases = [
        ([1.0], r"'exposure' parameter of f must hold one value per count \(2\)\. Got shape"),
        ([1.0, 0.0], r"positive finite numbers\. Got 0\.0 at position 1"),
        ([1.0, np.inf], r"positive finite numbers\. Got inf at position 1"),
        ([1.0, MIN_EXPOSURE / 2], r"at least 1e-06 .*Got 5e-07 at position 1"),
        ([True, True], "not numbers"),
        (["a", "b"], "not numbers"),
    ]
    for values, match in cases:
        with pytest.raises(ExposureError, match=match):
            check_exposure("exposure", values, func="f", size=2)
    assert check_exposure("w", [0.0, -1.0], positive=False).tolist() == [0.0, -1.0]


def test_check_n_draws_ceilings() -> None:
    from lifecycle._core.validation import MAX_DRAW_BYTES, MAX_DRAWS, check_n_draws

    assert check_n_draws("n_boot", MAX_DRAWS) == MAX_DRAWS
    with pytest.raises(ParameterError, match=r"must be an int <= 1,000,000 .*Got 1,000,001"):
        check_n_draws("n_boot", MAX_DRAWS + 1, func="f")
    ceiling = MAX_DRAW_BYTES // (8 * 1000)  # draws of 1,000 periods within 512 MiB
    assert ceiling == 67_108
    assert check_n_draws("n", ceiling, n_periods=1000) == ceiling
    with pytest.raises(ParameterError, match=r"<= 67,108 \(67,108 draws of 1,000 periods fill 512"):
        check_n_draws("n", ceiling + 1, n_periods=1000)
    with pytest.raises(ParameterError, match=r"int >= 2\. Got 1"):
        check_n_draws("n_sim", 1, min_value=2)
    with pytest.raises(TypeError, match="must be an int"):
        check_n_draws("n_boot", 9.0)

"""Tests of lifecycle.inference.simulate: exact curve shapes, reproducibility, moments, errors."""

from __future__ import annotations

import numpy as np
import pytest

from lifecycle._core.errors import ExposureError, ParameterError
from lifecycle.inference.simulate import (
    falling,
    flat,
    rising,
    simulate_counts,
    simulate_series,
    single_peak,
    two_waves,
)
from lifecycle.series.countseries import CountSeries


def test_curves_exact_values():
    assert flat(3, 7).tolist() == [7.0, 7.0, 7.0]
    assert rising(3, 10, 40).tolist() == pytest.approx([10.0, 20.0, 40.0])
    assert falling(3, 40, 10).tolist() == pytest.approx([40.0, 20.0, 10.0])
    assert single_peak(5, 10, 50).tolist() == [10.0, 30.0, 50.0, 30.0, 10.0]
    assert single_peak(5, 10, 50, peak_at=1.0, end=50).tolist() == [10.0, 20.0, 30.0, 40.0, 50.0]
    assert two_waves(5, 10, 50, 20, 40, at=(0.25, 0.5, 1.0)).tolist() == [
        10.0,
        50.0,
        20.0,
        30.0,
        40.0,
    ]


def test_two_waves_has_two_modes():
    c = two_waves(20)
    d = np.sign(np.diff(c))
    d = d[d != 0]
    assert np.count_nonzero(np.diff(d) != 0) >= 2  # up, down, up


def test_same_seed_same_counts_and_shape():
    a = simulate_counts([5, 10, 5], n=4, seed=3)
    b = simulate_counts([5, 10, 5], n=4, seed=3)
    assert a.shape == (4, 3)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, simulate_counts([5, 10, 5], n=4, seed=4))
    assert np.all(a == np.round(a)) and np.all(a >= 0)


@pytest.mark.slow
def test_moments_poisson_and_negbin():
    rates = np.array([2.0, 20.0, 80.0])
    exp = np.array([1.0, 0.5, 2.0])
    mu = rates * exp
    y = simulate_counts(rates, exposure=exp, n=40_000, seed=1)
    assert y.mean(axis=0) == pytest.approx(mu, rel=0.02)
    assert y.var(axis=0) == pytest.approx(mu, rel=0.05)
    alpha = 0.2
    y = simulate_counts(rates, family="negbin", dispersion=alpha, exposure=exp, n=40_000, seed=2)
    assert y.mean(axis=0) == pytest.approx(mu, rel=0.02)
    assert y.var(axis=0) == pytest.approx(mu + alpha * mu**2, rel=0.06)


def test_zero_rate_gives_zero_counts():
    y = simulate_counts([0, 5], family="negbin", dispersion=0.5, n=50, seed=0)
    assert np.all(y[:, 0] == 0)


def test_simulate_series_is_a_count_series():
    s = simulate_series([5, 10, 5], start=2015, seed=1, exposure=[1, 1, 0.5])
    assert isinstance(s, CountSeries)
    assert s.labels == [2015, 2016, 2017]
    assert s.exposure.tolist() == [1.0, 1.0, 0.5]
    assert (
        s.counts.tolist() == simulate_counts([5, 10, 5], exposure=[1, 1, 0.5], seed=1)[0].tolist()
    )
    m = simulate_series([5, 10], start="2020-11", freq="month", seed=1)
    assert m.labels == ["2020-11", "2020-12"]


def test_errors():
    with pytest.raises(
        ParameterError, match=r"finite non-negative numbers. Got -1.0 at position 1"
    ):
        simulate_counts([1, -1], seed=0)
    with pytest.raises(ParameterError, match="non-empty 1-D"):
        simulate_counts([], seed=0)
    with pytest.raises(ParameterError, match="required for family='negbin'"):
        simulate_counts([1, 2], family="negbin", seed=0)
    with pytest.raises(ParameterError, match="only applies to family='negbin'"):
        simulate_counts([1, 2], dispersion=0.1, seed=0)
    with pytest.raises(ParameterError, match=r"must be a number > 0.0"):
        simulate_counts([1, 2], family="negbin", dispersion=0.0, seed=0)
    with pytest.raises(ParameterError, match="'family' parameter of simulate_counts"):
        simulate_counts([1, 2], family="gauss", seed=0)
    with pytest.raises(ExposureError, match=r"one value per period \(2\)"):
        simulate_counts([1, 2], exposure=[1], seed=0)
    with pytest.raises(ExposureError, match=r"positive finite numbers. Got 0.0 at position 0"):
        simulate_counts([1, 2], exposure=[0, 1], seed=0)
    with pytest.raises(TypeError, match="explicit seed"):
        simulate_counts([1, 2], seed=None)
    with pytest.raises(ParameterError, match="rising needs end >= start"):
        rising(5, 50, 10)
    with pytest.raises(ParameterError, match="falling needs end <= start"):
        falling(5, 10, 50)
    with pytest.raises(ParameterError, match="single_peak needs peak >= low"):
        single_peak(5, 50, 10)
    with pytest.raises(ParameterError, match="trough < peak and trough < second_peak"):
        two_waves(10, trough=200)
    with pytest.raises(ParameterError, match="must give 3 positions"):
        two_waves(10, at=(0.2, 0.5))
    with pytest.raises(ParameterError, match="non-decreasing fractions"):
        two_waves(10, at=(0.6, 0.5, 0.8))
    with pytest.raises(ParameterError, match="'n_periods' parameter of flat must be an int >= 1"):
        flat(0)

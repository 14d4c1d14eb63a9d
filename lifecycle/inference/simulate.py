"""Synthetic lifecycles with a known truth, for tests, power and calibration studies.

A *rate curve* is a 1-D array of expected counts per unit of exposure, one per period.
:func:`simulate_counts` draws count series from it: Poisson, or negative binomial NB2
(variance ``mu + alpha * mu**2``, drawn as a gamma–Poisson mixture), with mean
``mu_t = exposure_t * rate_t``. The curve helpers build the shapes the lifecycle
literature argues about:

============== ==========================================================
``flat``        a constant rate (the least favourable null of the test)
``rising``      log-linear growth from ``start`` to ``end``
``falling``     log-linear decline from ``start`` to ``end``
``single_peak`` rise and fall (the "conventional" lifecycle), piecewise linear
``two_waves``   rise, fall, rise again (resurgence), piecewise linear
============== ==========================================================

All randomness goes through an explicit ``seed`` (see
:func:`lifecycle._core.validation.check_rng`); draws for ``n`` series are made as one array.

References
----------
Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.,
ch. 4.2 (the gamma–Poisson mixture).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from lifecycle._core.errors import ParameterError, TooShortError
from lifecycle._core.likelihood import FAMILIES
from lifecycle._core.renames import renamed_parameters
from lifecycle._core.sampling import draw_counts
from lifecycle._core.validation import (
    MAX_COUNT,
    check_choice,
    check_exposure,
    check_float,
    check_int,
    check_n_draws,
    check_rng,
)
from lifecycle.series.countseries import FREQS, CountSeries, to_label, to_ordinal

__all__ = [
    "falling",
    "flat",
    "rising",
    "simulate_counts",
    "simulate_series",
    "single_peak",
    "two_waves",
]


def _check_rates(rates: Any, func: str) -> np.ndarray:
    try:
        arr = np.array(rates, dtype=float, copy=True)
    except (TypeError, ValueError):
        raise ParameterError(
            f"The 'rates' parameter of {func} must be a 1-D sequence of non-negative numbers. "
            f"Got {rates!r}."
        ) from None
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError(
            f"The 'rates' parameter of {func} must be a non-empty 1-D sequence. "
            f"Got shape {arr.shape}."
        )
    big = arr >= MAX_COUNT / 4  # simulated counts must stay below 2^53
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0) | big)
    if bad.size:
        i = int(bad[0])
        raise ParameterError(
            f"The 'rates' parameter of {func} must hold finite non-negative numbers"
            f"{' below 2^51 (counts must stay below 2^53)' if big[i] else ''}. "
            f"Got {float(arr[i])!r} at position {i}."
        )
    return arr


@renamed_parameters(alpha="dispersion")
def simulate_counts(
    rates: Sequence[float] | np.ndarray,
    *,
    family: str = "poisson",
    dispersion: float | None = None,
    exposure: Sequence[float] | np.ndarray | None = None,
    n: int = 1,
    seed: Any,
) -> np.ndarray:
    """Draw ``n`` count series from a rate curve.

    Parameters
    ----------
    rates : sequence of float
        Expected count per unit of exposure in each period (non-negative).
    family : {"poisson", "negbin"}
        Poisson, or NB2 with variance ``mu + dispersion * mu**2``.
    dispersion : float, optional
        NB2 dispersion (``> 0``); required for ``"negbin"``, refused for ``"poisson"``.
    exposure : sequence of float, optional
        Exposure of each period (default 1): the mean is ``exposure * rates``.
    n : int
        Number of series.
    seed : int, numpy SeedSequence or Generator
        Source of randomness (required).

    Returns
    -------
    ndarray of float, shape (n, len(rates))
        Whole-number counts, one series per row.

    Raises
    ------
    ParameterError
        If a rate is negative or not finite, ``family`` is unknown, or ``dispersion`` does
        not fit the family.
    ExposureError
        If an exposure is not a positive finite number.

    References
    ----------
    Cameron and Trivedi (2013), ch. 4.2.

    Examples
    --------
    >>> simulate_counts([5, 10, 5], n=2, seed=1).shape
    (2, 3)
    """
    return _simulate_counts(
        rates,
        family=family,
        alpha=dispersion,
        exposure=exposure,
        n=n,
        seed=seed,
        func="simulate_counts",
    )


def _simulate_counts(
    rates: Any, *, family: str, alpha: Any, exposure: Any, n: Any, seed: Any, func: str
) -> np.ndarray:
    """:func:`simulate_counts` with the public caller's name ``func`` in messages."""
    rates_arr = _check_rates(rates, func)
    check_choice("family", family, FAMILIES, func=func)
    n = check_n_draws("n", n, func=func, n_periods=rates_arr.size)
    exp = check_exposure("exposure", exposure, func=func, size=rates_arr.size, per="period")
    if family == "negbin":
        if alpha is None:
            raise ParameterError(
                f"The 'dispersion' parameter of {func} is required for family='negbin' "
                f"(NB2 dispersion > 0). Got None."
            )
        alpha = check_float("dispersion", alpha, func=func, min_value=0.0, min_inclusive=False)
    elif alpha is not None:
        raise ParameterError(
            f"The 'dispersion' parameter of {func} only applies to family='negbin'. "
            f"Got dispersion={alpha!r} with family='poisson'."
        )
    rng = check_rng(seed, func=func)
    mu = np.broadcast_to(exp * rates_arr, (n, rates_arr.size))
    return draw_counts(np.array(mu), family, alpha, rng)


@renamed_parameters(alpha="dispersion")
def simulate_series(
    rates: Sequence[float] | np.ndarray,
    *,
    start: Any = 2000,
    freq: str = "year",
    family: str = "poisson",
    dispersion: float | None = None,
    exposure: Sequence[float] | np.ndarray | None = None,
    seed: Any,
    name: str = "simulated",
) -> CountSeries:
    """Draw one :class:`~lifecycle.series.CountSeries` from a rate curve.

    Parameters
    ----------
    rates, family, dispersion, exposure, seed
        As in :func:`simulate_counts`.
    start : int or str
        Calendar label of the first period (``2000`` or ``"2000-01"``).
    freq : {"year", "month"}
    name : str

    Returns
    -------
    CountSeries
        One exact count per period, exposures as given.

    Examples
    --------
    >>> s = simulate_series([5, 10, 5], start=2015, seed=1)
    >>> s.labels
    [2015, 2016, 2017]
    """
    func = "simulate_series"
    check_choice("freq", freq, FREQS, func=func)
    counts = _simulate_counts(
        rates, family=family, alpha=dispersion, exposure=exposure, n=1, seed=seed, func=func
    )
    first = to_ordinal(start, freq)
    labels = [to_label(first + i, freq) for i in range(counts.shape[1])]
    return CountSeries.from_counts(labels, counts[0], exposure, freq=freq, name=name)


# ---------------------------------------------------------------------- curve helpers
def _check_len(n_periods: Any, func: str) -> int:
    return check_int("n_periods", n_periods, func=func, min_value=1)


def _pos(name: str, value: Any, func: str) -> float:
    return check_float(name, value, func=func, min_value=0.0)


@renamed_parameters(level="rate")
def flat(n_periods: int, rate: float = 50.0) -> np.ndarray:
    """A constant rate ``rate`` over ``n_periods`` periods.

    Examples
    --------
    >>> flat(3, 7).tolist()
    [7.0, 7.0, 7.0]
    """
    n_periods = _check_len(n_periods, "flat")
    return np.full(n_periods, _pos("rate", rate, "flat"))


def _loglinear(n_periods: int, start: float, end: float, func: str) -> np.ndarray:
    n_periods = _check_len(n_periods, func)
    start = check_float("start", start, func=func, min_value=0.0, min_inclusive=False)
    end = check_float("end", end, func=func, min_value=0.0, min_inclusive=False)
    if n_periods == 1:
        return np.array([start])
    return start * (end / start) ** (np.arange(n_periods) / (n_periods - 1))


def rising(n_periods: int, start: float = 20.0, end: float = 100.0) -> np.ndarray:
    """Log-linear growth from ``start`` (first period) to ``end`` (last period).

    Examples
    --------
    >>> rising(3, 10, 40).tolist()
    [10.0, 20.0, 40.0]
    """
    if end < start:
        raise ParameterError(f"rising needs end >= start. Got start={start}, end={end}.")
    return _loglinear(n_periods, start, end, "rising")


def falling(n_periods: int, start: float = 100.0, end: float = 20.0) -> np.ndarray:
    """Log-linear decline from ``start`` (first period) to ``end`` (last period).

    Examples
    --------
    >>> falling(3, 40, 10).tolist()
    [40.0, 20.0, 10.0]
    """
    if end > start:
        raise ParameterError(f"falling needs end <= start. Got start={start}, end={end}.")
    return _loglinear(n_periods, start, end, "falling")


def _knots(n_periods: int, at: Sequence[float], values: Sequence[float], func: str) -> np.ndarray:
    """Piecewise-linear curve through knots at fractions ``at`` of the series."""
    n_periods = _check_len(n_periods, func)
    at = [check_float("at", a, func=func, min_value=0.0, max_value=1.0) for a in at]
    if any(b < a for a, b in itertools.pairwise(at)):
        raise ParameterError(
            f"The 'at' positions of {func} must be non-decreasing fractions. Got {at}."
        )
    x = np.linspace(0.0, 1.0, n_periods) if n_periods > 1 else np.zeros(1)
    return np.interp(x, [0.0, *at, 1.0], list(values))


def single_peak(
    n_periods: int,
    low: float = 20.0,
    peak: float = 100.0,
    *,
    peak_at: float = 0.5,
    end: float | None = None,
) -> np.ndarray:
    """Rise from ``low`` to ``peak`` and fall to ``end`` (default ``low``), piecewise linear.

    ``peak_at`` is the position of the peak as a fraction of the series (0 = first
    period, 1 = last).

    Raises
    ------
    TooShortError
        If ``n_periods`` is too small for the sampled curve to rise to and fall from
        its peak (e.g. ``single_peak(2)`` would be flat).

    Examples
    --------
    >>> single_peak(5, 10, 50).tolist()
    [10.0, 30.0, 50.0, 30.0, 10.0]
    """
    func = "single_peak"
    end = low if end is None else end
    vals = [_pos(k, v, func) for k, v in (("low", low), ("peak", peak), ("end", end))]
    if vals[1] < max(vals[0], vals[2]):
        raise ParameterError(
            f"single_peak needs peak >= low and peak >= end. Got low={low}, peak={peak}, end={end}."
        )
    curve = _knots(n_periods, [peak_at], vals, func)
    # The sampled curve must still rise to and fall from its peak where the knots ask it to.
    peak_at = float(peak_at)
    lost = (vals[1] > vals[0] and peak_at > 0 and curve.max() <= curve[0]) or (
        vals[1] > vals[2] and peak_at < 1 and curve.max() <= curve[-1]
    )
    if lost:
        raise TooShortError(
            f"single_peak: n_periods={curve.size} is too short to show a rise to the peak "
            f"and a fall after it (peak_at={peak_at}); got the curve {curve.tolist()}. "
            f"Ask for more periods."
        )
    return curve


def two_waves(
    n_periods: int,
    start: float = 20.0,
    peak: float = 100.0,
    trough: float = 30.0,
    second_peak: float = 100.0,
    end: float | None = None,
    *,
    at: Sequence[float] = (0.25, 0.5, 0.8),
) -> np.ndarray:
    """Rise to ``peak``, fall to ``trough``, rise again to ``second_peak``, then ``end``.

    Piecewise linear through knots at fractions ``at = (peak, trough, second peak)`` of
    the series; ``end`` (default ``second_peak``) is the rate in the last period.

    Raises
    ------
    TooShortError
        If ``n_periods`` is too small for the sampled curve to show a peak, a lower
        trough and a second peak (e.g. ``two_waves(3)`` would only rise).

    Examples
    --------
    >>> two_waves(5, 10, 50, 20, 40, at=(0.25, 0.5, 1.0)).tolist()
    [10.0, 50.0, 20.0, 30.0, 40.0]
    """
    func = "two_waves"
    end = second_peak if end is None else end
    if len(at) != 3:
        raise ParameterError(
            f"The 'at' parameter of {func} must give 3 positions (peak, trough, second "
            f"peak). Got {list(at)!r}."
        )
    vals = [
        _pos(k, v, func)
        for k, v in (
            ("start", start),
            ("peak", peak),
            ("trough", trough),
            ("second_peak", second_peak),
            ("end", end),
        )
    ]
    if not (vals[2] < vals[1] and vals[2] < vals[3]):
        raise ParameterError(
            f"two_waves needs trough < peak and trough < second_peak. Got peak={peak}, "
            f"trough={trough}, second_peak={second_peak}."
        )
    curve = _knots(n_periods, at, vals, func)
    # The sampled curve must show a peak, a lower trough and a higher second peak.
    run_max = np.maximum.accumulate(curve)
    rev_max = np.maximum.accumulate(curve[::-1])[::-1]
    if not np.any((run_max > curve) & (rev_max > curve)):
        raise TooShortError(
            f"two_waves: n_periods={curve.size} is too short to show a peak, a trough and a "
            f"second peak at the positions at={tuple(at)}; got the curve {curve.tolist()}. "
            f"Ask for more periods."
        )
    return curve

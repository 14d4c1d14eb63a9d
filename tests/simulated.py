"""Seeded series shared by the tests: NB2 counts around one peak (a third of the way in)."""

from __future__ import annotations

import numpy as np

from lifecycle.series import CountSeries


def peaked_nb_series(
    seed: int,
    n: int,
    alpha: float,
    *,
    base: float,
    height: float,
    first_year: int,
    last_exposure: float,
) -> CountSeries:
    """``n`` years of NB2 counts (dispersion ``alpha``) around ``base + height * bump``.

    The bump is a Gaussian centred at ``n / 3`` with scale ``n / 8``; the last year has
    exposure ``last_exposure`` (a partial year), every other year 1.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    rate = base + height * np.exp(-0.5 * ((t - n / 3) / (n / 8)) ** 2)
    y = rng.poisson(rng.gamma(1.0 / alpha, rate * alpha))
    expo = np.ones(n)
    expo[-1] = last_exposure
    return CountSeries.from_counts(np.arange(first_year, first_year + n), y, expo)

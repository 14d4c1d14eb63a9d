"""The sensitivity prior reuses the first prior's importance draws (issue 13: report speed).

:func:`lifecycle.inference.dated_log_ml_priors` scores a division under several priors
with one importance sampler: the draws and their likelihood are those of the first
prior, only the prior term of the weights changes. Checked here against the plain
computation (a sampler of its own for every prior): the first prior's number is the
same number, the others agree within their stated Monte Carlo errors, and a prior the
reused draws do not cover gets a sampler of its own.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import lifecycle.inference.importance as sampler
from lifecycle.inference import dated_log_ml, dated_log_ml_priors
from lifecycle.inference.bayes import BayesPrior
from lifecycle.series import CountSeries

PRIOR = BayesPrior()
ALT = replace(PRIOR, rate_shape=PRIOR.rate_shape / 4)  # the comparison's sensitivity prior
PHASES = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])


def _windowed_series(seed: int, family: str) -> CountSeries:
    """Nine years in three phases, two-year totals across both boundaries, one interval."""
    rng = np.random.default_rng(seed)
    rates = rng.choice([3.0, 10.0, 30.0, 80.0], size=3)
    mu = rates[PHASES]
    if family == "negbin":
        y = rng.poisson(mu * rng.gamma(1 / 0.3, 0.3, size=mu.size))
    else:
        y = rng.poisson(mu)
    starts = [2001, 2002, 2003, 2005, 2006, 2008, 2009]  # 2003-2004 and 2006-2007 totals
    ends = [2001, 2002, 2004, 2005, 2007, 2008, 2009]
    counts = [y[0], y[1], y[2] + y[3], y[4], y[5] + y[6], y[7], y[8]]
    low = list(counts)
    high = list(counts)
    high[4] = low[4] + 10  # "between y and y + 10"
    return CountSeries.from_windows(starts, ends, low, high=high)


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_first_prior_unchanged_others_within_stated_error(family, monkeypatch):
    import lifecycle.inference.bayes as bayes

    monkeypatch.setattr(sampler, "_IS_CACHE", type(sampler._IS_CACHE)())
    monkeypatch.setattr(bayes, "_IS_CACHE", sampler._IS_CACHE)
    z, reweighted = [], 0
    names = ["e", "d", "r"]
    for k in range(8):
        s = _windowed_series(100 + k, family)
        both = dated_log_ml_priors(s, PHASES, names, family, (PRIOR, ALT), seed=k)
        first = dated_log_ml(s, PHASES, names, family, PRIOR, seed=k)
        assert both[0].method == "importance sampling"
        assert (both[0].log_ml, both[0].error) == (first.log_ml, first.error)
        # the plain computation under the sensitivity prior, ten times the draws
        ref = dated_log_ml(s, PHASES, names, family, ALT, seed=1000 + k, n_draws=40000)
        z.append((both[1].log_ml - ref.log_ml) / np.hypot(both[1].error, ref.error))
        reweighted += "reweighted" in both[1].note
    z = np.array(z)
    assert reweighted >= 4  # the draws are reused on most of these series
    assert np.max(np.abs(z)) < 4.0
    assert np.mean(z**2) < 3.0  # the stated errors are not too small (about 1 expected)


def test_uncovered_prior_gets_a_sampler_of_its_own(monkeypatch):
    """Below the ESS share the second prior is sampled afresh: the plain number again."""
    monkeypatch.setattr(sampler, "REWEIGHT_MIN_ESS_SHARE", 1.01)  # never reuse
    s = _windowed_series(3, "poisson")
    both = sampler._importance_many(
        s, _exposures(s), _exposures(s) > 0, "poisson", (PRIOR, ALT), (), seed=5, n_draws=2000
    )
    own = sampler._importance(s, _exposures(s), _exposures(s) > 0, "poisson", ALT, (),
                              seed=5, n_draws=2000)  # fmt: skip
    assert "reweighted" not in both[1].note
    # the mode search starts at the first prior's mode: the same mode to its tolerance
    assert abs(both[1].log_ml - own.log_ml) < 0.01 * own.error
    assert both[1].error == pytest.approx(own.error, rel=0.01)


def test_reuse_is_skipped_where_the_first_prior_does_not_cover_the_second():
    """Measures seen once or twice each: their levels are nearly prior-dominated and the
    vaguer rate prior moves mass the first prior's proposal does not cover (the
    reweighted effective sample size falls far below the first prior's). That prior gets
    a sampler of its own: the plain computation's number."""
    s = CountSeries.from_windows(
        [2014, 2014, 2015, 2015, 2021, 2022, 2022, 2022],
        [2017, 2017, 2024, 2015, 2021, 2022, 2023, 2023],
        [84, 11, 95, 400, 119, 69, 119, 9],
        high=[84, 11, 105, 400, 119, 69, 119, 9],
        measure=["a", "b", "c", "d", "d", "d", "e", "f"],
    )
    phase_of = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    both = dated_log_ml_priors(s, phase_of, ["x", "y", "z"], "poisson", (PRIOR, ALT), seed=2)
    own = dated_log_ml(s, phase_of, ["x", "y", "z"], "poisson", ALT, seed=2)
    assert "reweighted" not in both[1].note
    assert abs(both[1].log_ml - own.log_ml) < 0.01 * own.error
    assert both[1].error == pytest.approx(own.error, rel=0.01)


def test_needs_a_prior():
    from lifecycle.errors import ParameterError

    s = _windowed_series(1, "poisson")
    with pytest.raises(ParameterError, match="at least one prior"):
        dated_log_ml_priors(s, PHASES, ["e", "d", "r"], "poisson", ())


def _exposures(s: CountSeries) -> np.ndarray:
    from lifecycle.inference.bayes import _phase_exposures

    return _phase_exposures(s, PHASES, 3)

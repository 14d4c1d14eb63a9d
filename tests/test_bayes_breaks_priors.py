"""Estimated breaks under a prior and a sensitivity prior in one pass.

:func:`estimated_log_ml_priors` shares the ``u`` grid (the widest of the priors') and the
segment tables of each α node between the priors. Each result must agree with a separate
:func:`estimated_log_ml` call under the same prior (on that prior's own grid) within the
stated errors, on seeded Poisson, NB and interval series, with and without the unimodal
constraint; and the tables must really be shared.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import lifecycle.inference.bayes_breaks as BB
from lifecycle.errors import ParameterError
from lifecycle.inference import BayesPrior, estimated_log_ml, estimated_log_ml_priors
from lifecycle.series import CountSeries

PRIOR = BayesPrior()
PRIORS = (PRIOR, replace(PRIOR, rate_shape=PRIOR.rate_shape / 4))


def _counts(seed: int, n: int, shape: float | None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rate = np.r_[np.full(n // 3, 3.0), np.full(n // 3, 12.0), np.full(n - 2 * (n // 3), 5.0)]
    return rng.poisson(rate if shape is None else rng.gamma(shape, rate / shape))


def _series(kind: str) -> CountSeries:
    years = np.arange(2000, 2018)
    if kind == "poisson":
        return CountSeries.from_counts(years, _counts(11, 18, None))
    if kind == "negbin":
        return CountSeries.from_counts(years, _counts(12, 18, 2.0))
    y = _counts(13, 18, None)
    high = y.astype(float)
    high[3], high[9] = np.inf, y[9] + 4  # "at least y" and "between y and y + 4"
    return CountSeries.from_windows(years, years, y, high=high)


def _clear():
    BB._DIV_CACHE.clear()
    BB._SEG_CACHE.clear()


CASES = [
    ("poisson", "poisson", 3, "unimodal"),
    ("negbin", "negbin", 2, None),
    ("negbin", "negbin", 3, "unimodal"),
    ("interval", "poisson", 2, None),
    ("interval", "negbin", 3, "unimodal"),
]


@pytest.mark.parametrize(("kind", "family", "k", "constraint"), CASES)
def test_shared_pass_agrees_with_separate_calls(kind, family, k, constraint):
    s = _series(kind)
    _clear()
    shared = estimated_log_ml_priors(s, k, family, PRIORS, constraint=constraint, seed=4)
    _clear()
    alone = [estimated_log_ml(s, k, family, p, constraint=constraint, seed=4) for p in PRIORS]
    _clear()
    assert len(shared) == 2
    for a, b in zip(shared, alone, strict=True):
        assert np.isfinite(a.log_ml) and a.error > 0
        assert abs(a.log_ml - b.log_ml) <= a.error + b.error
        assert a.method == b.method
    # the two priors give different answers (the test would not notice a swap otherwise)
    assert abs(shared[0].log_ml - shared[1].log_ml) > shared[0].error + shared[1].error


def test_the_first_prior_is_computed_on_its_own_grid():
    # the shared grid extends the first prior's downwards: its result is the single call's
    s = _series("negbin")
    for k, constraint in ((2, None), (3, "unimodal")):
        _clear()
        shared = estimated_log_ml_priors(s, k, "negbin", PRIORS, constraint=constraint)
        _clear()
        own = estimated_log_ml(s, k, "negbin", PRIORS[0], constraint=constraint)
        _clear()
        assert shared[0].log_ml == pytest.approx(own.log_ml, abs=1e-9)
        assert shared[0].error == pytest.approx(own.error, rel=1e-6, abs=1e-12)


def test_segment_tables_are_built_once_per_alpha_node(monkeypatch):
    s = _series("negbin")
    calls = []
    real = BB._segment_rows

    def counting(C):
        calls.append(C.shape)
        return real(C)

    monkeypatch.setattr(BB, "_segment_rows", counting)
    _clear()
    estimated_log_ml_priors(s, 2, "negbin", PRIORS)
    n_shared = len(calls)
    calls.clear()
    _clear()
    for p in PRIORS:
        estimated_log_ml(s, 2, "negbin", p)
    n_alone = len(calls)
    _clear()
    assert 0 < n_shared < n_alone


def test_one_prior_equals_the_single_call_and_none_is_refused():
    s = _series("negbin")
    _clear()
    (one,) = estimated_log_ml_priors(s, 2, "negbin", (PRIOR,))
    _clear()
    assert one == estimated_log_ml(s, 2, "negbin", PRIOR)
    with pytest.raises(ParameterError, match="at least one prior"):
        estimated_log_ml_priors(s, 2, "negbin", ())

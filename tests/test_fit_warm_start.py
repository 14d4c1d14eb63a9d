"""Warm starts of the engine (``estimate(..., alpha0=, phase_start=)``) and the LOO refits.

A warm start changes the Newton path, not the optimum: the log-likelihood is the same and
the parameters agree to the engine's tolerance. The step shape's phase start is the
Poisson maximum itself when every window lies in one phase.
"""

from __future__ import annotations

import numpy as np
import pytest
from simulated import peaked_nb_series

import lifecycle.models.fitcore as FC
from lifecycle.inference.loo import _dated_refit, _drop, _predict_logprob
from lifecycle.models import WaveDefinition, estimate
from lifecycle.models.design import build_design
from lifecycle.series import CountSeries


def _series(seed: int, n: int, alpha: float) -> CountSeries:
    return peaked_nb_series(seed, n, alpha, base=5, height=40, first_year=1990, last_exposure=0.4)


def _defs(n: int) -> list[WaveDefinition]:
    return [
        WaveDefinition.from_breaks("two", [1990, 1990 + n // 2], names=["a", "b"]),
        WaveDefinition.from_breaks(
            "three", [1990, 1990 + n // 3, 1990 + 2 * n // 3], names=["a", "b", "c"]
        ),
    ]


@pytest.mark.parametrize(("seed", "n", "alpha"), [(11, 20, 0.3), (12, 35, 1.0), (13, 48, 0.1)])
@pytest.mark.parametrize("shape", ["step", "trend"])
def test_warm_started_estimate_equals_cold(seed, n, alpha, shape):
    s = _series(seed, n, alpha)
    for d in _defs(n):
        FC._FIT_CACHE.clear()
        cold = estimate(s, d, "negbin", shape, "auto", need_cov=False)
        FC._FIT_CACHE.clear()
        a0 = float(cold.alpha_negbin) * 1.3 if cold.alpha_negbin > 0 else None
        warm = estimate(s, d, "negbin", shape, "auto", need_cov=False, alpha0=a0, phase_start=True)
        FC._FIT_CACHE.clear()
        assert warm.loglik == pytest.approx(cold.loglik, rel=1e-12, abs=1e-9)
        np.testing.assert_allclose(warm.theta, cold.theta, rtol=1e-6, atol=1e-7)
        assert warm.alpha_boundary == cold.alpha_boundary


@pytest.mark.parametrize(("seed", "n"), [(21, 15), (22, 40)])
def test_phase_start_is_the_poisson_maximum_of_a_step(seed, n):
    s = _series(seed, n, 0.5)
    for d in _defs(n):
        design = build_design(s, d, "step")
        start = FC._phase_rates_start(design, s.low, s.high)
        FC._FIT_CACHE.clear()
        pois = estimate(s, d, "poisson", "step", "auto", need_cov=False)
        np.testing.assert_allclose(start, pois.theta, rtol=0, atol=1e-7)
        # by hand: each phase's count over its exposure
        phase = np.searchsorted([p.bounds("year")[0] for p in d.phases[1:]], s.start, "right")
        by_hand = [
            np.log(s.low[phase == j].sum() / s.exposure[phase == j].sum())
            for j in range(d.n_phases)
        ]
        np.testing.assert_allclose(start, by_hand, rtol=1e-12)


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_warm_dated_loo_refits_equal_cold_refits(family):
    s = _series(31, 30, 0.5)
    for d in _defs(30):
        warm = _dated_refit(d, family, "step", "auto", s)
        cold = _dated_refit(d, family, "step", "auto")
        assert warm.warm is not None and cold.warm is None
        for i in range(s.n_obs):
            dropped = _drop(s, i)
            FC._FIT_CACHE.clear()
            w = warm(dropped)
            FC._FIT_CACHE.clear()
            c = cold(dropped)
            assert w[1].loglik == pytest.approx(c[1].loglik, rel=1e-12, abs=1e-9)
            pw, pc = _predict_logprob(w, s, i), _predict_logprob(c, s, i)
            assert pw == pytest.approx(pc, rel=1e-9, abs=1e-9)

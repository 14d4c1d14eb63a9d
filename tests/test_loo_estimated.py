"""Leave-one-out scores of estimated rows (issue 12 item 2, issue 11 item 8).

The comparison's LOO of a searched row must equal the brute-force loop: drop each
observation, search again with the library's own ``best_segmentation`` / ``fit_waves``
(cold, no shared tables), and add the log predictive probability of the dropped count,
computed here by hand with scipy.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize, stats

from lifecycle._core.dispersion import nb_rate
from lifecycle.inference import compare_waves
from lifecycle.models import CONVENTIONAL, best_segmentation, fit_waves
from lifecycle.models import step_search as ss_mod
from lifecycle.models.step_search import StepSearch
from lifecycle.series import CountSeries


def _nb_series(n: int, seed: int, alpha: float = 0.5) -> CountSeries:
    t = np.arange(n)
    rate = 4 + 40 * np.exp(-0.5 * ((t - n / 4) / (n / 10)) ** 2)
    rate += 25 * np.exp(-0.5 * ((t - 3 * n / 4) / (n / 10)) ** 2)
    expo = np.ones(n)
    expo[-1] = 0.5  # a partial last year: two exposure values
    rng = np.random.default_rng(seed)
    y = rng.poisson(rng.gamma(1 / alpha, rate * expo * alpha))
    return CountSeries.from_counts(range(1990, 1990 + n), y, expo, name="nb")


def _logpred(fit, series: CountSeries, i: int) -> float:
    year = int(series.start[i]) if series.freq == "year" else None
    rates = fit.phase_rates
    for p, rate in zip(fit.definition.phases, rates["rate"], strict=True):
        if (p.start is None or p.start <= year) and (p.end is None or year <= p.end):
            mu = rate * series.exposure[i]
            break
    else:  # pragma: no cover - every year is in a phase
        raise AssertionError("no phase")
    y = int(series.low[i])
    a = fit.dispersion or 0.0
    if a == 0:
        return float(stats.poisson.logpmf(y, mu))
    return float(stats.nbinom.logpmf(y, 1 / a, 1 / (1 + a * mu)))


def _brute_force(series: CountSeries, refit) -> tuple[float, list[float]]:
    total, alphas = 0.0, []
    for i in range(series.n_obs):
        ss_mod._SEARCHES.clear()  # a cold search: no tables shared with anything
        dropped = series.take([j for j in range(series.n_obs) if j != i])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = refit(dropped)
        alphas.append(f.dispersion or 0.0)
        total += _logpred(f, series, i)
    return total, alphas


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_loo_of_estimated_rows_equals_brute_force(family):
    s = _nb_series(14, seed=4021)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = compare_waves(s, [2, 3, CONVENTIONAL], family=family, bayes=False)
    tab = c.summary().set_index("definition")
    refits = {
        "best segmentation (2 phases, estimated)": lambda d: best_segmentation(d, 2, family),
        "best segmentation (3 phases, estimated)": lambda d: best_segmentation(d, 3, family),
        CONVENTIONAL.name: lambda d: fit_waves(d, CONVENTIONAL, family),
    }
    any_alpha = False
    for name, refit in refits.items():
        expected, alphas = _brute_force(s, refit)
        any_alpha |= max(alphas) > 0
        assert tab.loc[name, "loo_log_score"] == pytest.approx(expected, rel=1e-6, abs=1e-6)
        assert "LOO skipped" not in tab.loc[name, "note"]
    # the NB case really has a dispersion in the refits (else it would be Poisson again)
    assert any_alpha == (family == "negbin")


def test_fifty_year_nb_comparison_has_loo_for_every_row():
    s = _nb_series(50, seed=20240611)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = compare_waves(s, None, family="negbin", bayes=False)
    tab = c.summary()
    assert len(tab) == 5  # no change, 2/3/4 phases, the conventional lifecycle
    assert tab["loo_log_score"].notna().all(), tab[["definition", "note"]]
    assert not tab["note"].str.contains("LOO skipped").any()
    assert not any("LOO skipped" in n for n in c.notes)


@pytest.mark.parametrize("alpha", [1e-6, 1e-4, 0.2, 20.0])
def test_nb_rate_root_at_small_and_large_alpha(alpha):
    """The NB segment rate solves its score equation (brentq), including tiny alpha
    where the Newton stopping rule works at the rounding noise of the score."""
    v = np.array([0.25, 1.0])
    N = np.array([[1.0, 0.0, 2.0, 3.0], [40.0, 3.0, 0.0, 7.0]])  # atoms per exposure group
    Y = np.array([[3.0, 0.0, 9.0, 2.0], [900.0, 40.0, 0.0, 71.0]])
    C = Y.sum(axis=0)
    r = 1 / alpha
    lam = nb_rate(C, N, Y, v, r)
    for j in range(C.size):

        def score(x, j=j):
            return np.sum((r * N[:, j] + Y[:, j]) * r / (r + v * x)) - r * N[:, j].sum()

        root = optimize.brentq(score, 1e-9, 1e4, xtol=1e-14, rtol=1e-14)
        assert lam[j] == pytest.approx(root, rel=1e-10)


def _rise_then_fall(rates, n_up, n_down, tol=1e-9):
    v = np.asarray(rates) / max(rates)
    d = np.diff(v)
    ups, downs = d > tol, d < -tol
    if downs.any() and ups[int(np.argmax(downs)) :].any():
        return False
    return ups.sum() <= n_up and downs.sum() <= n_down


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("alpha", [0.0, 0.4])
def test_best_unimodal_equals_checking_every_candidate(seed, alpha):
    import itertools

    rng = np.random.default_rng(seed)
    n = 16
    y = rng.poisson(rng.gamma(2.0, (5 + 30 * np.sin(np.arange(n) / 4) ** 2) / 2.0)) + 1
    ss = StepSearch(CountSeries.from_counts(range(1990, 1990 + n), y))
    L, R = ss.tables(alpha)
    for k, n_up, n_down in ((3, 1, 1), (4, 2, 1), (4, 1, 2)):
        best = (-np.inf, ())
        for m in range(1, k + 1):
            for cuts in itertools.combinations(range(1, n), m - 1):
                e = (0, *cuts, n)
                ll = sum(L[e[j], e[j + 1]] for j in range(m))
                rates = [R[e[j], e[j + 1]] for j in range(m)]
                if np.isfinite(ll) and _rise_then_fall(rates, n_up, n_down):
                    if ll > best[0] + 1e-9:
                        best = (ll, cuts)
        got = ss.best_unimodal(alpha, k, n_up, n_down)
        assert got[1] == best[1]
        assert got[0] == pytest.approx(best[0], rel=1e-12)

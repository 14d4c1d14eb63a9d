"""Tests of lifecycle.changepoints (search, posterior, uncertainty), in layers.

1. tiny worked cases; 2. exactness (brute force, PELT = exact search, fast path = generic
path); 3. the coal-mining known case; 4. seeded simulations (calibration of the change
test by the warp-speed method, coverage of break intervals); 5. errors.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle._core.errors import (
    CountError,
    ParameterError,
    TooShortError,
)
from lifecycle._core.likelihood import nb_logpmf, poisson_logpmf
from lifecycle.changepoints import (
    BreakIntervals,
    ChangePosterior,
    Segmentation,
    break_intervals,
    detect,
    posterior_changes,
    segment_path,
    test_change,
)
from lifecycle.changepoints.search import _dp, _pelt
from lifecycle.changepoints.uncertainty import _lr_batch, _simulate
from lifecycle.models.costs import NegBinCost, PoissonCost
from lifecycle.series.countseries import CountSeries

COAL = Path(__file__).parent / "reference" / "coal_mining_disasters.csv"


@pytest.fixture(scope="module")
def coal() -> pd.DataFrame:
    return pd.read_csv(COAL)


# ====================================================================== worked cases
def test_single_change_by_hand():
    seg = detect([5, 5, 5, 0, 0, 0], years=range(2010, 2016), n_changes=1)
    assert seg.breaks == (2013,)
    assert seg.break_index == (3,)
    assert seg.rates.tolist() == [5.0, 0.0]
    # loglik: 3 log P(5 | 5) + 3 log P(0 | 0)
    assert seg.loglik == pytest.approx(3 * poisson_logpmf(5, 5.0))
    assert seg.cost == pytest.approx(-2 * seg.loglik)


def test_segmentation_summary_and_path():
    y = [9, 8, 11, 10, 2, 3, 1, 2, 8, 9, 10, 11]
    seg = detect(y, years=range(2000, 2012))
    assert isinstance(seg, Segmentation)
    assert seg.breaks == (2004, 2008)
    table = seg.summary()
    assert table["start"].tolist() == [2000, 2004, 2008]
    assert table["end"].tolist() == [2003, 2007, 2011]
    assert table["count"].tolist() == [38, 8, 38]
    assert np.all(table["rate_low_95%"] < table["rate"])
    assert np.all(table["rate"] < table["rate_high_95%"])
    assert seg.loglik == pytest.approx(
        poisson_logpmf(y, np.repeat(seg.rates, [4, 4, 4])).sum(), rel=1e-12
    )
    path = seg.path
    assert path["n_changes"].tolist() == list(range(11))
    assert np.all(np.diff(path["cost"]) <= 1e-9)  # more changes never cost more
    assert path.loc[2, "breaks"] == (2004, 2008)
    assert seg.criteria["bic"] == pytest.approx(path.loc[2, "bic"])
    assert int(path["bic"].idxmin()) == seg.n_changes
    assert segment_path(y, years=range(2000, 2012), max_changes=3).equals(
        detect(y, years=range(2000, 2012), max_changes=3).path
    )


def test_criteria_definitions():
    y = [9, 8, 11, 10, 2, 3, 1, 2]
    seg = detect(y, n_changes=1)
    n, p = 8, 3
    assert seg.criteria["aic"] == pytest.approx(seg.cost + 2 * p)
    assert seg.criteria["bic"] == pytest.approx(seg.cost + p * math.log(n))
    assert seg.criteria["mbic"] == pytest.approx(seg.cost + 3 * math.log(n) + 2 * math.log(4))
    nb = detect(y, n_changes=1, family="negbin")  # estimated alpha: one more parameter
    assert nb.criteria["aic"] == pytest.approx(nb.cost + 2 * (p + 1))


def test_count_series_windows_are_atoms():
    # 2010-2012 known only in aggregate: a break can fall before 2010 or after 2012
    s = CountSeries.from_windows(
        start=[2008, 2009, 2010, 2013, 2014],
        end=[2008, 2009, 2012, 2013, 2014],
        low=[2, 3, 30, 11, 9],
    )
    seg = detect(s, n_changes=1)
    assert seg.breaks == (2010,)
    assert seg.rates[1] == pytest.approx(50 / 5)
    assert seg.summary()["n_windows"].tolist() == [2, 3]


def test_partial_year_exposure():
    # the last year is half observed: 5 attacks in half a year is a rate of 10
    s = CountSeries.from_counts([2015, 2016, 2017, 2018], [10, 11, 9, 5], [1, 1, 1, 0.5])
    seg = detect(s)
    assert seg.n_changes == 0
    assert seg.rates[0] == pytest.approx(35 / 3.5)
    assert seg.summary()["exposure"].tolist() == [3.5]
    # without the exposure, 2018 would look like a halving
    assert detect([10, 11, 9, 5], n_changes=1).rates[-1] == 5.0


def test_missing_years_are_not_zero():
    s = CountSeries.from_counts([2000, 2001, 2004, 2005], [5, 6, 5, 6], allow_missing=True)
    assert detect(s).n_changes == 0
    seg = detect(s, n_changes=1)
    assert seg.summary()["end"].tolist()[-1] == 2005


def test_all_zero_series():
    seg = detect(np.zeros(12), family="negbin")
    assert seg.n_changes == 0
    assert seg.rates.tolist() == [0.0]
    assert seg.dispersion == 0.0
    assert seg.loglik == 0.0
    assert detect(np.zeros(12), method="pelt").n_changes == 0
    # the rate prior is proper with fixed hyper-parameters, so all zeros are fine
    assert posterior_changes(np.zeros(12)).map_breaks == ()
    assert posterior_changes(np.zeros(12), prior_rate=1.0).n_changes_mode == 0


def test_all_zero_segment_inside_a_series():
    seg = detect([4, 6, 5, 0, 0, 0, 0, 5, 4, 6], n_changes=2, family="negbin", dispersion=0.1)
    assert seg.break_index == (3, 7)
    assert seg.rates[1] == 0.0
    assert seg.rate_ci[1, 0] == 0.0 and seg.rate_ci[1, 1] > 0


def test_monthly_series_labels():
    months = [f"2020-{m:02d}" for m in range(1, 13)]
    seg = detect([1, 0, 1, 1, 0, 1, 9, 8, 10, 9, 11, 8], years=months, freq="month")
    assert seg.breaks == ("2020-07",)


# ====================================================================== exactness
def _brute_force(cost, n: int, k: int, m: int) -> float:
    best = np.inf
    for b in itertools.combinations(range(1, n), k):
        bounds = [0, *b, n]
        if min(np.diff(bounds)) < m:
            continue
        best = min(best, sum(cost.segment_cost(s, t) for s, t in itertools.pairwise(bounds)))
    return best


series_strategy = st.integers(min_value=2, max_value=8).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 12), min_size=n, max_size=n),
        st.lists(st.sampled_from([0.5, 1.0, 1.0, 2.0, 3.0]), min_size=n, max_size=n),
        st.integers(1, 3),
        st.sampled_from([None, 0.0, 0.3, 2.0]),
    )
)


@settings(max_examples=120, deadline=None)
@given(series_strategy)
def test_dynamic_programme_equals_brute_force(case):
    counts, exposure, m, alpha = case
    y, e = np.array(counts, float), np.array(exposure)
    n = y.size
    if n < m:
        return
    cost = PoissonCost.from_atoms(y, e) if alpha is None else NegBinCost.from_atoms(y, e, alpha)
    K = n // m - 1
    F, _ = _dp(cost, n, K, m)
    for k in range(K + 1):
        assert F[k, n] + cost.constant == pytest.approx(
            _brute_force(cost, n, k, m), rel=1e-10, abs=1e-9
        )
    # ... and the result object reports that optimum's log-likelihood
    seg = detect(
        y,
        exposure=e,
        n_changes=K,
        min_size=m,
        family="poisson" if alpha is None else "negbin",
        dispersion=alpha,
    )
    assert seg.cost == pytest.approx(F[K, n] + cost.constant, rel=1e-9, abs=1e-9)
    loglik = (poisson_logpmf if alpha is None else lambda yy, mu: nb_logpmf(yy, mu, alpha))(
        y, e * np.repeat(seg.rates, np.diff([0, *seg.break_index, n]))
    ).sum()
    assert seg.loglik == pytest.approx(loglik, rel=1e-9, abs=1e-9)


@settings(max_examples=120, deadline=None)
@given(series_strategy, st.floats(0.0, 25.0))
def test_pelt_equals_exact_search_at_the_same_penalty(case, beta):
    counts, exposure, m, alpha = case
    y, e = np.array(counts, float), np.array(exposure)
    n = y.size
    if n < m:
        return
    cost = PoissonCost.from_atoms(y, e) if alpha is None else NegBinCost.from_atoms(y, e, alpha)
    K = n // m - 1
    F, _ = _dp(cost, n, K, m)
    exact = (F[:, n] + beta * np.arange(K + 1)).min()
    breaks, value = _pelt(cost, n, beta, m)
    _, value_op = _pelt(cost, n, beta, m, prune=False)
    assert value == pytest.approx(exact, rel=1e-10, abs=1e-9)
    assert value_op == pytest.approx(exact, rel=1e-10, abs=1e-9)
    bounds = [0, *breaks, n]
    assert min(np.diff(bounds)) >= m
    total = sum(cost._partial(s, t) for s, t in itertools.pairwise(bounds))
    assert total + beta * len(breaks) == pytest.approx(exact, rel=1e-10, abs=1e-9)


@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.parametrize("penalty", ["bic", "mbic", "aic", 7.5])
@pytest.mark.parametrize("min_size", [1, 3])
def test_detect_pelt_equals_detect_exact(family, penalty, min_size):
    rng = np.random.default_rng(hash((family, str(penalty), min_size)) % 2**32)
    y = rng.poisson(np.repeat(rng.uniform(1, 15, 5), 8))
    n = y.size
    exact = detect(
        y, family=family, penalty=penalty, min_size=min_size, max_changes=n // min_size - 1
    )
    pelt = detect(y, family=family, penalty=penalty, min_size=min_size, method="pelt")
    assert pelt.break_index == exact.break_index
    crit = "bic" if not isinstance(penalty, str) else penalty
    assert pelt.criteria[crit] == pytest.approx(exact.criteria[crit])


@pytest.mark.parametrize("with_exposure", [False, True])
def test_fast_poisson_pelt_equals_generic_pelt(with_exposure):
    rng = np.random.default_rng(8)
    rates = np.repeat(rng.uniform(0.2, 30, 12), 40)
    rates[100:160] = 0.0  # an all-zero stretch
    e = rng.choice([0.5, 1.0, 2.0], rates.size) if with_exposure else np.ones(rates.size)
    y = rng.poisson(rates * e).astype(float)
    fast = _pelt(PoissonCost.from_atoms(y, e), y.size, 2 * math.log(y.size), 1)
    generic = _pelt(NegBinCost.from_atoms(y, e, dispersion=0.0), y.size, 2 * math.log(y.size), 1)
    assert fast[0] == generic[0]
    assert fast[1] == pytest.approx(generic[1], rel=1e-12)


def test_mbic_is_optimised_exactly():
    rng = np.random.default_rng(4)
    y = rng.poisson(np.repeat([2.0, 6.0, 3.0], [7, 5, 8]))
    seg = detect(y, penalty="mbic", max_changes=19)
    best = min(_mbic(y, list(b)) for k in range(4) for b in itertools.combinations(range(1, 20), k))
    assert seg.criteria["mbic"] == pytest.approx(best)


def _mbic(y, breaks):
    n = len(y)
    bounds = [0, *breaks, n]
    cost = PoissonCost().fit(np.asarray(y, float))
    total = sum(cost.segment_cost(s, t) for s, t in itertools.pairwise(bounds))
    return total + 3 * len(breaks) * math.log(n) + np.log(np.diff(bounds)).sum()


# ====================================================================== posterior
def _brute_posterior(y, a, b, K, m=1):
    """Enumerate every segmentation (uniform prior on k, then on locations)."""
    n = len(y)
    y = np.asarray(y, float)
    weights, changes = [], []
    counts = [0] * (K + 1)
    segs = [
        bk
        for k in range(K + 1)
        for bk in itertools.combinations(range(1, n), k)
        if min(np.diff([0, *bk, n])) >= m
    ]
    for bk in segs:
        counts[len(bk)] += 1
    for bk in segs:
        lm = 0.0
        for s, t in itertools.pairwise([0, *bk, n]):
            C, E = y[s:t].sum(), t - s
            lm += a * math.log(b) - math.lgamma(a) + math.lgamma(a + C) - (a + C) * math.log(b + E)
        weights.append(math.exp(lm) / ((K + 1) * counts[len(bk)]))
        changes.append(bk)
    w = np.array(weights) / sum(weights)
    prob = np.zeros(n - 1)
    pk = np.zeros(K + 1)
    for wi, bk in zip(w, changes, strict=True):
        pk[len(bk)] += wi
        for j in bk:
            prob[j - 1] += wi
    return prob, pk, changes[int(np.argmax(w))]


@pytest.mark.parametrize("m", [1, 2])
def test_posterior_equals_enumeration(m):
    y = [3, 5, 4, 0, 1, 0, 2, 7, 6]
    post = posterior_changes(
        y, prior_shape=2.0, prior_rate=0.5, max_changes=3, min_size=m, prior_n_changes="uniform"
    )
    prob, pk, best = _brute_posterior(y, 2.0, 0.5, 3, m)
    np.testing.assert_allclose(post.prob_change, prob, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(post.n_changes_prob, pk, rtol=1e-10, atol=1e-14)
    assert post.map_break_index == best


def test_posterior_geometric_prior_equals_enumeration():
    y = np.array([3, 5, 4, 0, 1, 0, 2])
    p = 0.2
    post = posterior_changes(y, prior_shape=1.0, prior_rate=1.0, p_change=p, max_changes=6)
    n = y.size
    w, sets = [], []
    for k in range(n):
        for bk in itertools.combinations(range(1, n), k):
            lm = 0.0
            for s, t in itertools.pairwise([0, *bk, n]):
                C = y[s:t].sum()
                lm += math.lgamma(1 + C) - (1 + C) * math.log(1 + t - s)
            w.append(math.exp(lm) * p**k * (1 - p) ** (n - 1 - k))
            sets.append(bk)
    w = np.array(w) / sum(w)
    prob = np.array(
        [sum(wi for wi, bk in zip(w, sets, strict=True) if j in bk) for j in range(1, n)]
    )
    np.testing.assert_allclose(post.prob_change, prob, rtol=1e-10)
    assert post.prior_n_changes.sum() == pytest.approx(1.0)


# ====================================================================== coal mining
def test_coal_best_single_change(coal):
    seg = detect(coal["disasters"], years=coal["year"], n_changes=1)
    # First year of the low-rate regime; the high regime's last year is 1891 (the split
    # 1890-1891 reported by Carlin, Gelfand & Smith 1992 for the last high-rate year).
    assert seg.breaks == (1892,)
    assert seg.ends[0] == 1891
    assert seg.rates[0] == pytest.approx(127 / 41)  # about 3 a year
    assert seg.rates[1] == pytest.approx(64 / 71)  # about 1 a year
    assert detect(coal["disasters"], years=coal["year"], family="negbin", n_changes=1).breaks == (
        1892,
    )


def test_coal_change_test_rejects(coal):
    res = test_change(coal["disasters"], years=coal["year"], n_boot=199, seed=20240611)
    assert res.p_value == pytest.approx(1 / 200)
    assert res.details["best_break"] == 1892
    again = test_change(coal["disasters"], years=coal["year"], n_boot=199, seed=20240611)
    assert again == res


def test_coal_posterior_concentrates_around_1890(coal):
    one = posterior_changes(coal["disasters"], years=coal["year"], max_changes=1)
    prob = one.summary().set_index("label")["prob_change"]
    assert prob.idxmax() in (1890, 1891, 1892)
    assert prob.loc[1886:1896].sum() > 0.9
    assert one.n_changes_prob[1] > 0.999
    assert one.map_breaks == (1892,)
    # default prior (uniform on 0..10 changes): the expected number of changes in
    # 1886-1896 is about one and no change at all has negligible posterior probability;
    # a second, weaker change near 1947-48 also gets mass.
    full = posterior_changes(coal["disasters"], years=coal["year"])
    prob = full.summary().set_index("label")["prob_change"]
    assert prob.loc[1886:1896].sum() > 0.9
    assert full.n_changes_prob[0] < 1e-10
    assert full.map_breaks == (1892,)
    assert isinstance(full, ChangePosterior)
    table = full.n_changes_table()
    assert table["posterior"].sum() == pytest.approx(1.0)


# ====================================================================== simulations
def _warp_speed_rejection(family, M, n, mu, alpha, seed):
    """Rejection rate at 5% of the bootstrap change test, by the warp-speed method.

    One bootstrap draw per simulated series; each series' statistic is compared with
    the pooled bootstrap statistics (Giacomini, Politis & White 2013).
    """
    rng = np.random.default_rng(seed)
    e = np.ones(n)
    Y = _simulate(rng, np.full((M, n), mu), None if alpha is None else np.full(M, alpha))
    T, a_hat, lam, _ = _lr_batch(Y, e, family, None, 1, 1)
    Ystar = _simulate(rng, e[None, :] * lam[:, None], None if family == "poisson" else a_hat)
    Tstar = np.sort(_lr_batch(Ystar, e, family, None, 1, 1)[0])
    n_ge = Tstar.size - np.searchsorted(Tstar, T - 1e-9, side="left")
    p = (1 + n_ge) / (M + 1)
    return float(np.mean(p <= 0.05))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("family", "n", "mu", "alpha", "seed"),
    [
        ("poisson", 30, 4.0, None, 101),
        ("poisson", 60, 0.8, None, 102),
        ("negbin", 40, 6.0, 0.5, 103),
        ("negbin", 40, 6.0, None, 104),  # NB test on Poisson data (alpha estimated ~0)
    ],
)
def test_change_test_is_calibrated(family, n, mu, alpha, seed):
    rate = _warp_speed_rejection(family, 2500, n, mu, alpha, seed)
    assert 0.035 <= rate <= 0.065


@pytest.mark.slow
@pytest.mark.parametrize(
    ("family", "alpha", "M", "seed"), [("poisson", None, 300, 7), ("negbin", 0.1, 150, 8)]
)
def test_break_intervals_cover_the_true_break(family, alpha, M, seed):
    rng = np.random.default_rng(seed)
    n, tau = 40, 20
    mu = np.r_[np.full(tau, 3.0), np.full(n - tau, 7.0)]
    Y = _simulate(rng, np.broadcast_to(mu, (M, n)), None if alpha is None else np.full(M, alpha))
    hits = []
    for i in range(M):
        seg = detect(Y[i], n_changes=1, family=family, dispersion=alpha)
        bi = break_intervals(seg, n_boot=199, confidence=0.9, seed=rng)
        hits.append(bi.low[0] <= tau <= bi.high[0])
    assert 0.84 <= np.mean(hits) <= 0.97


def test_break_intervals_result(coal):
    seg = detect(coal["disasters"], years=coal["year"], n_changes=1)
    bi = break_intervals(seg, n_boot=99, seed=3)
    assert isinstance(bi, BreakIntervals)
    assert bi.low[0] <= 1892 <= bi.high[0]
    assert 1880 <= bi.low[0] and bi.high[0] <= 1905
    assert bi.draws.shape == (99, 1)
    assert bi.summary().columns.tolist() == ["break", "low", "high", "confidence"]
    two = detect([9, 8, 11, 10, 2, 3, 1, 2, 8, 9, 10, 11], n_changes=2)
    bi2 = break_intervals(two, n_boot=30, seed=1)
    assert bi2.draws.shape == (30, 2)
    assert np.array_equal(bi2.draws, break_intervals(two, n_boot=30, seed=1).draws)


def test_change_test_no_change_and_options():
    rng = np.random.default_rng(0)
    y = rng.poisson(5.0, 25)
    res = test_change(y, n_boot=99, seed=1)
    assert 0 < res.p_value <= 1
    nb = test_change(y, family="negbin", max_changes=2, min_size=2, n_boot=20, seed=2)
    assert nb.details["dispersion_estimated"] and nb.n_boot == 20
    assert "best_break" not in nb.details


# ====================================================================== errors
def test_errors():
    y = [1, 2, 3, 4, 5, 6]
    with pytest.raises(
        TooShortError,
        match=r"n_changes=3 needs 4 segments of at least "
        r"min_size=2 atoms, so at least 8",
    ):
        detect(y, n_changes=3, min_size=2)
    with pytest.raises(TooShortError, match="max_changes=6"):
        detect(y, max_changes=6)
    with pytest.raises(
        ParameterError, match=re.escape("'min_size' parameter of detect must be an int >= 1. Got 0")
    ):
        detect(y, min_size=0)
    with pytest.raises(
        ParameterError,
        match=re.escape("'penalty' parameter of detect must be a number >= 0.0. Got -1.0"),
    ):
        detect(y, penalty=-1.0)
    with pytest.raises(ParameterError, match="'penalty' parameter of detect must be one of"):
        detect(y, penalty="hqc")
    with pytest.raises(CountError, match="non-integer count at position 2"):
        detect([1, 2, 2.5, 4])
    with pytest.raises(CountError, match="negative count"):
        detect([1, -2, 3])
    with pytest.raises(CountError, match="NaN"):
        test_change([1, float("nan"), 3], seed=1)
    with pytest.raises(ParameterError, match="method='pelt' chooses the number of changes"):
        detect(y, method="pelt", n_changes=1)
    with pytest.raises(ParameterError, match="'dispersion' parameter of detect applies to"):
        detect(y, family="poisson", dispersion=0.5)
    with pytest.raises(ParameterError, match="'family' parameter of detect must be one of"):
        detect(y, family="gaussian")
    with pytest.raises(TypeError, match="'seed' parameter of test_change must be an int"):
        test_change(y, seed=None)
    with pytest.raises(TooShortError, match="max_changes=1 needs 2 segments"):
        test_change([4], seed=1)
    with pytest.raises(ParameterError, match="at least one change"):
        break_intervals(detect(y, n_changes=0), seed=1)
    with pytest.raises(TypeError, match="must be a Segmentation"):
        break_intervals(y, seed=1)
    with pytest.raises(ParameterError, match="'p_change' parameter of posterior_changes"):
        posterior_changes(y, p_change=1.5)
    with pytest.raises(ParameterError, match="'years' and 'exposure' parameters of detect"):
        detect(CountSeries.from_counts([2000, 2001], [1, 2]), years=[2000, 2001])


def test_plain_years_follow_the_series_rules():
    from lifecycle._core.errors import GridError
    from lifecycle.changepoints import detect

    with pytest.raises(GridError, match="gaps: 2017 absent"):
        detect([3, 4, 9, 8], years=[2015, 2016, 2018, 2019], n_changes=1)
    with pytest.raises(GridError, match="2015 twice"):
        detect([3, 4, 9], years=[2015, 2015, 2016], n_changes=1)
    seg = detect([3, 4, 30, 31], years=[2015, 2016, 2017, 2018], n_changes=1)
    assert list(seg.breaks) == [2017]

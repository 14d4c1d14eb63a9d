"""Many step searches in lockstep (``models/step_batch.py``) equal one at a time.

Layers: the batched segment tables equal :meth:`StepSearch.tables` (mixed exposures,
zero counts, Poisson and NB, one dispersion per series); the batched dynamic
programme and unimodal scoring make the same choices as :meth:`StepSearch.best_k` and
:meth:`StepSearch.best_unimodal` (ties included, and the path where the best candidates
all fail the pattern); the lockstep profiles return the segmentation of each search run
alone; the leave-one-out searches of a comparison equal ``search`` on each shortened
series.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from lifecycle.models import CONVENTIONAL, search, searches_without_each, step_batch
from lifecycle.models import step_search as ss_mod
from lifecycle.models.step_batch import (
    Lane,
    batch_best_k,
    batch_best_unimodal,
    batch_tables,
    run_lanes,
)
from lifecycle.models.step_search import StepSearch
from lifecycle.series import CountSeries


def _atoms(seed: int, n: int, zeros: bool = True) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    rate = 3 + 30 * np.exp(-0.5 * ((np.arange(n) - n / 3) / (n / 8)) ** 2)
    y = rng.poisson(rng.gamma(2.0, rate / 2.0)).astype(float)
    if zeros:
        y[[1, 2]] = 0.0
    e = np.ones(n)
    e[-1] = 0.5  # a partial last period: segments with two exposure values
    e[n // 2] = 0.25  # a third exposure value
    return y, e


def _search(y: np.ndarray, e: np.ndarray) -> StepSearch:
    return StepSearch(CountSeries.from_counts(range(1990, 1990 + y.size), y.astype(int), e))


@pytest.mark.parametrize("alphas", [[0.0, 0.4, 3.0], [1e-6, 0.05, 0.0]])
def test_batch_tables_equal_step_search_tables(alphas):
    atoms = [_atoms(s, 13) for s in (1, 2, 3)]
    y = np.array([a[0] for a in atoms])
    e = np.array([a[1] for a in atoms])
    L, R = batch_tables(y, e, np.array(alphas))
    for p, (yy, ee) in enumerate(atoms):
        L1, R1 = _search(yy, ee).tables(alphas[p])
        assert np.array_equal(np.isfinite(L[p]), np.isfinite(L1))
        ok = np.isfinite(L1)
        np.testing.assert_allclose(L[p][ok], L1[ok], rtol=1e-12, atol=1e-9)
        np.testing.assert_array_equal(np.isnan(R[p]), np.isnan(R1))
        fin = ~np.isnan(R1)
        np.testing.assert_allclose(R[p][fin], R1[fin], rtol=1e-11)


@pytest.mark.parametrize("top", [64, 2], ids=["top64", "top2-fallbacks"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_batch_dynamic_programme_and_unimodal_scoring_equal_one_at_a_time(alpha, top, monkeypatch):
    # with only 2 candidates checked first, most tables take the full check
    monkeypatch.setattr(step_batch, "_TOP", top)
    atoms = [_atoms(s, 16, zeros=s % 2 == 0) for s in range(6)]
    # two identical series: ties between candidates are broken the same way
    atoms.append(atoms[0])
    y = np.array([a[0] for a in atoms])
    e = np.array([a[1] for a in atoms])
    L, R = batch_tables(y, e, np.full(len(atoms), alpha))
    for k in (2, 3, 4):
        ll, cuts = batch_best_k(L, k)
        for p, (yy, ee) in enumerate(atoms):
            want = _search(yy, ee).best_k(alpha, k)
            assert tuple(cuts[p]) == want[1]
            assert ll[p] == pytest.approx(want[0], rel=1e-12)
    for k, up, down in ((3, 1, 1), (4, 2, 1), (4, 1, 2)):
        ll, cl = batch_best_unimodal(L, R, k, up, down)
        for p, (yy, ee) in enumerate(atoms):
            want = _search(yy, ee).best_unimodal(alpha, k, up, down)
            assert cl[p] == want[1]
            assert ll[p] == pytest.approx(want[0], rel=1e-12)


def test_unimodal_scoring_when_the_best_candidates_fail_the_pattern():
    # a deep valley: the best 3-phase candidates fall then rise, so the winner lies far
    # down the order (beyond the first block checked)
    y = np.array([40, 42, 38, 41, 2, 1, 3, 2, 1, 2, 39, 43, 40, 41, 44, 38, 42, 40], float)
    e = np.ones(y.size)
    L, R = batch_tables(y[None], e[None], np.array([0.0]))
    ll, cl = batch_best_unimodal(L, R, 3, 1, 1)
    want = _search(y, e).best_unimodal(0.0, 3, 1, 1)
    assert cl[0] == want[1]
    assert ll[0] == pytest.approx(want[0], rel=1e-12)
    # and the valley itself is not what was returned
    r = [R[0, a, b] for a, b in zip((0, *want[1]), (*want[1], y.size), strict=True)]
    assert not (len(r) == 3 and r[1] < r[0] and r[1] < r[2])


def test_lockstep_profiles_equal_each_profile_alone():
    atoms = [_atoms(s, 15) for s in (11, 12, 13)]
    specs = [(2, None), (3, None), (3, (1, 1))]

    def refit_for(yy, ee):
        ss = _search(yy, ee)

        def refit(cuts):
            # the ML alpha of these breaks, by a fine search of the tables (stand-in)
            grid = np.exp(np.linspace(np.log(1e-4), np.log(50.0), 400))
            vals = [_loglik(ss, a, cuts) for a in grid]
            return float(grid[int(np.argmax(vals))])

        return ss, refit

    lanes, alone = [], []
    for i, (yy, ee) in enumerate(atoms):
        for k, uni in specs:
            ss, refit = refit_for(yy, ee)
            lanes.append(Lane(i, k, uni, refit))

            def at(a, ss=ss, k=k, uni=uni):
                return ss.best_unimodal(a, k, *uni) if uni else ss.best_k(a, k)

            alone.append(ss.profile(at, True, refit))
    run_lanes(atoms, lanes, True)
    for lane, b in zip(lanes, alone, strict=True):
        assert lane.result.cuts == b.cuts
        assert lane.result.alpha == pytest.approx(b.alpha, rel=1e-9)
        assert lane.result.loglik == pytest.approx(b.loglik, rel=1e-10)


def _loglik(ss: StepSearch, alpha: float, cuts: tuple[int, ...]) -> float:
    L, _ = ss.tables(alpha)
    edges = (0, *cuts, ss.n)
    return float(sum(L[a, b] for a, b in itertools.pairwise(edges)))


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_searches_without_each_equal_search_on_each_shortened_series(family):
    y, e = _atoms(7, 14)
    s = CountSeries.from_counts(range(2000, 2014), y.astype(int), e, name="x")
    drops = [s.take([j for j in range(s.n_obs) if j != i]) for i in range(s.n_obs)]
    entries = [2, 3, CONVENTIONAL]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = searches_without_each(entries, family, "auto", drops)
        for i, d in enumerate(drops):
            for j, entry in enumerate(entries):
                ss_mod._SEARCHES.clear()  # a cold search
                kw = {}
                k = entry
                if not isinstance(entry, int):
                    k = entry.n_phases
                    kw = {"constraint": entry.constraint, "base": entry}
                d_want, est_want = search(
                    d, k, family, "step", "auto", 0.95, **kw, estimate_only=True
                )[0]
                d_got, est_got = got[i][j]
                assert d_got.break_labels() == d_want.break_labels()
                assert est_got.loglik == pytest.approx(est_want.loglik, rel=1e-9)


def test_series_atoms_tables_of_a_subset_equal_the_subsets_own_tables():
    # the alpha-free parts are formed once for all series (and exposure values): the
    # tables of any rows at any alpha are those of the rows alone, bit for bit
    rng = np.random.default_rng(5)
    y = rng.poisson(rng.gamma(2, 10, size=(9, 17))).astype(float)
    y[:, 4] = 0.0
    e = np.ones((9, 17))
    e[1:, -1] = 0.5
    e[3, 0] = 0.25  # a third exposure value in one series only
    atoms = step_batch.SeriesAtoms(y, e)
    for rep in range(6):
        idx = rng.integers(0, 9, size=7)
        alpha = np.exp(rng.uniform(-8, 4, idx.size))
        alpha[rep % 7] = 0.0
        L1, R1 = atoms.values(idx, alpha)
        L2, R2 = step_batch.segment_values(y[idx], e[idx], alpha)
        np.testing.assert_array_equal(L1, L2)
        np.testing.assert_array_equal(R1, R2)


def test_one_programme_for_several_k_equals_brute_force():
    rng = np.random.default_rng(17)
    n = 9
    L = np.full((5, n + 1, n + 1), -np.inf)
    s, t = np.triu_indices(n + 1, 1)
    L[:, s, t] = rng.normal(size=(5, s.size)).round(1)  # rounded: ties occur
    L[0, 2, 5] = -np.inf  # a ruled-out segment
    got = ss_mod.best_ks_stack(L, (1, 2, 4))
    for k in (1, 2, 4):
        ll, cuts = got[k]
        for p in range(5):
            best = -np.inf
            for c in itertools.combinations(range(1, n), k - 1):
                edges = (0, *c, n)
                v = sum(L[p, a, b] for a, b in itertools.pairwise(edges))
                if v > best + 1e-12:
                    best = v
            assert ll[p] == pytest.approx(best, abs=1e-12)
            one = ss_mod.best_k_stack(L[p : p + 1], k)
            assert one[0][0] == ll[p] and tuple(one[1][0]) == tuple(cuts[p])
            if np.isfinite(best):
                edges = (0, *cuts[p], n)
                assert sum(L[p, a, b] for a, b in itertools.pairwise(edges)) == pytest.approx(best)

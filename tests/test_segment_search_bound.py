"""The nesting bound of the interval-censored unimodal search (``_nested_scores``).

Proven by brute force: on seeded interval-censored series the search, which rules out
segmentations whose superset (more breaks) already fits below the best, chooses the same
breaks and log-likelihood as the engine fitted on every segmentation into at most ``k``
phases with the unimodal check, for the step, trend and broken-stick shapes, Poisson and
NB; and the same fit as the search with the bound switched off.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import replace

import numpy as np
import pytest

from lifecycle._core.errors import DefinitionError, FitError, TooShortError
from lifecycle._core.sampling import draw_counts
from lifecycle.models import CONVENTIONAL, Phase, fit_waves
from lifecycle.models import segment_search as ss_mod
from lifecycle.models.fitcore import estimate
from lifecycle.models.segment_search import _segment_definition
from lifecycle.series import CountSeries

#: birth, growth, decline, demise: one rise, two falls (as the report's lifecycle)
FOUR = replace(
    CONVENTIONAL,
    name="four phases",
    phases=(Phase("birth"), Phase("growth"), Phase("decline"), Phase("demise")),
    directions=("up", "down", "down"),
)


def _interval_series(seed: int, n: int = 9, wide: bool = True) -> CountSeries:
    """Yearly counts of a rise and fall with two counts known only as ranges and, with
    ``wide``, one three-year total (a window across later breaks)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    rate = 4 + 30 * np.exp(-0.5 * ((t - 0.35 * n) / (n / 5)) ** 2) + 10 * (t > 0.7 * n)
    y = draw_counts(rate, "negbin", 0.2, rng).astype(float)
    starts, ends = list(range(2001, 2001 + n)), list(range(2001, 2001 + n))
    low, high = y.copy(), y.copy()
    for i in (2, n - 2):
        low[i], high[i] = max(0.0, y[i] - 3), y[i] + 4
    if wide:  # the first three years once more, as one total in another measure
        starts, ends = [*starts, 2001], [*ends, 2003]
        total = float(y[:3].sum())
        low, high = np.append(low, total), np.append(high, total)
        measures = ["a"] * n + ["b"]
        return CountSeries.from_windows(starts, ends, low, high, measure=measures)
    return CountSeries.from_windows(starts, ends, low, high)


def _brute_force(series, definition, family, shape):
    """Best (loglik, breaks) over every segmentation into at most k phases that passes."""
    k = definition.n_phases
    dirs = definition.expected_directions()
    updown = (dirs.count("up"), dirs.count("down"))
    cand = np.unique(series.start)[1:].tolist()
    best = None
    for m in range(1, k + 1):
        for b in itertools.combinations(cand, m - 1):
            d = _segment_definition(series, list(b), [f"p{i}" for i in range(m)], "x", "")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    e = estimate(series, d, family, shape, "auto", need_cov=False)
            except (FitError, DefinitionError, TooShortError):
                continue
            beta = e.theta[: e.prob.p]
            dsg = e.prob.design
            curve = (dsg.X @ beta)[dsg.covered & (dsg.phase_of >= 0)]
            if not (
                ss_mod._pattern_ok(curve, curve.size, curve.size, tol=1e-6)
                and ss_mod._pattern_ok(dsg.contrasts @ beta, *updown, tol=1e-6)
            ):
                continue
            if best is None or e.loglik > best[0] + 1e-9:
                best = (e.loglik, b)
    return best


def _fit(series, definition, family, shape):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_waves(series, definition, family=family, shape=shape)


def _breaks(fit) -> tuple[int, ...]:
    return tuple(int(p.bounds("year")[0]) for p in fit.definition.phases[1:])


@pytest.mark.parametrize("shape", ["step", "trend", "broken_stick"])
@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.parametrize(("definition", "seed"), [(CONVENTIONAL, 5), (FOUR, 11)])
def test_bounded_search_equals_brute_force(definition, seed, family, shape):
    s = _interval_series(seed)
    fit = _fit(s, definition, family, shape)
    want = _brute_force(s, definition, family, shape)
    assert want is not None
    assert fit.loglik == pytest.approx(want[0], abs=1e-6)
    b = _breaks(fit)
    d = _segment_definition(s, list(b), [f"p{i}" for i in range(len(b) + 1)], "x", "")
    e = estimate(s, d, family, shape, "auto", need_cov=False)
    assert e.loglik == pytest.approx(want[0], abs=1e-6)  # the breaks found are a best


@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_bound_changes_nothing_but_the_number_of_fits(seed, family, monkeypatch):
    s = _interval_series(seed, n=10)
    bounded = _fit(s, FOUR, family, "step")
    note = bounded.definition.note
    assert "interval-censored" in note
    monkeypatch.setattr(ss_mod, "_SKIP_MARGIN", np.inf)  # never rules anything out
    full = _fit(s, FOUR, family, "step")
    assert "fitting all 130 segmentations" in full.definition.note
    assert _breaks(bounded) == _breaks(full)
    assert bounded.loglik == full.loglik  # the winner is refitted from the same start
    assert bounded.n_params == full.n_params


def test_the_bound_rules_segmentations_out_and_says_how_many():
    s = _interval_series(11, n=10)
    counts = []
    for family in ("poisson", "negbin"):
        note = _fit(s, FOUR, family, "step").definition.note
        if "ruled out without a fit" in note:
            n_fits = int(note.split("interval-censored counts: ")[1].split(" engine fits")[0])
            n_out = int(note.split("; ")[-1].split(" ruled out")[0])
            assert "examining all 130 segmentations" in note
            assert n_fits + n_out == 130
            counts.append(n_out)
    assert counts and min(counts) > 0


def test_nested_scores_skip_only_below_the_best():
    # a scorer with known values: three candidate breaks, sizes 1..3 (7 segmentations)
    values = {
        (): -50.0,
        (1,): -40.0,
        (2,): -45.0,
        (3,): -38.0,
        (1, 2): -20.0,  # the best
        (1, 3): -35.0,  # below the best: rules out its subsets (1,) and (3,)
        (2, 3): -36.0,  # rules out (2,) and (3,)
    }
    fitted = []

    def score(b, raw=None):
        fitted.append(b)
        if raw is not None:
            raw[b] = values[b]
        return values[b]

    scores, n_out = ss_mod._nested_scores(score, np.array([1, 2, 3]), [1, 2, 3])
    # (1,): least superset bound -35 < -20, ruled out; likewise (2,) (-36) and (3,)
    # (-36); () inherits the bounds of its ruled-out supersets
    assert n_out == 4
    assert sorted(fitted) == [(1, 2), (1, 3), (2, 3)]
    assert scores[(1, 2)] == -20.0
    assert all(scores[b] == -np.inf for b in [(), (1,), (2,), (3,)])

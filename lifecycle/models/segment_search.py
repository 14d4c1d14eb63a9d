"""Estimated phases: the search over break positions for a k-phase segmentation.

Breaks fall at observation-window starts. Step shape of one exact measure: segment
tables and dynamic programming (:mod:`lifecycle.models.step_search`). Otherwise, for
exact counts, every segmentation is fitted at once by the batched Newton of
:mod:`lifecycle.models.batch_fit` (a broken stick's candidates first screened by an exact
upper bound) and the best are refitted by the one engine (:func:`fitcore.estimate`),
whose value decides; interval-censored counts are fitted one by one by the engine (under
the unimodal constraint, largest segmentations first, and a segmentation is not fitted
when one with its breaks and more already fits below the best: adding a break never
lowers the maximised likelihood). Too many segmentations for either: an exchange search
(a local optimum, said in the note).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from lifecycle._core.errors import (
    DefinitionError,
    FitError,
    InputError,
    TooShortError,
)
from lifecycle._core.renames import old_keywords, take_renamed
from lifecycle._core.validation import check_choice, check_int, check_level
from lifecycle.models.batch_fit import (
    Layout,
    batch_applies,
    bounds_apply,
    segment_bounds,
    segmentation_fits,
)
from lifecycle.models.family import FamilyChoice, resolve_family
from lifecycle.models.fitcore import (
    METHODS,
    SHAPES,
    WaveFit,
    check_series,
    estimate,
    fit_fixed,
)
from lifecycle.models.step_batch import Lane, run_lanes
from lifecycle.models.step_fits import StepFit, fits_by_phases
from lifecycle.models.step_search import (
    N_PROFILE_EVALUATIONS,
    step_search_applies,
    step_search_for,
)
from lifecycle.models.waves import Phase, WaveDefinition
from lifecycle.series.countseries import CountSeries, to_label

__all__ = ["best_segmentation", "search", "search_cost", "searches_without_each"]

_MAX_FITS = 5000
#: Segmentations the batched fit scores in one search (more: the exchange search).
_MAX_BATCHED = 300_000
#: Candidates within this much of the best engine log-likelihood are refitted by it.
_TIE = 1e-6
#: At most this many of the batch's best candidates are refitted by the engine.
_MAX_REFITS = 200


def search_cost(series: CountSeries, entry: Any, family: str, shape: str) -> int:
    """Fit-equivalents one search needs (0 for a dated definition or closed form).

    The step search of one exact measure needs no fit per segmentation: 0 for Poisson;
    for NB, the number of dispersion values its profile evaluates (each a full set of
    segment tables), about 50.
    """
    if isinstance(entry, WaveDefinition) and not entry.estimated:
        return 0
    if step_search_applies(series, shape):
        return 0 if family == "poisson" else N_PROFILE_EVALUATIONS
    k = entry if isinstance(entry, int) else entry.n_phases
    n_cand = np.unique(series.start).size - 1
    sizes = range(1, k + 1) if isinstance(entry, WaveDefinition) else [k]
    return sum(math.comb(n_cand, m - 1) for m in sizes)


# ====================================================================== design


# ====================================================================== search
def _candidate_breaks(series: CountSeries) -> np.ndarray:
    """Window starts (ordinals) after the first observed period: where a phase may begin."""
    starts = np.unique(series.start)
    return starts[starts > series.start.min()]


def _pattern_ok(values: np.ndarray, n_up: int, n_down: int, tol: float = 1e-9) -> bool:
    """Whether a sequence rises (at most ``n_up`` steps), then falls (at most ``n_down``)."""
    d = np.diff(np.asarray(values, dtype=float))
    ups, downs = d > tol, d < -tol
    if downs.any() and ups[np.argmax(downs) :].any():
        return False
    return int(ups.sum()) <= n_up and int(downs.sum()) <= n_down


def _segment_definition(
    series: CountSeries, breaks: Sequence[int], names: Sequence[str], name: str, note: str
) -> WaveDefinition:
    freq = series.freq
    first = int(series.start.min())
    starts = [first, *[int(b) for b in breaks]]
    phases = []
    for i, nm in enumerate(names):
        s = to_label(starts[i], freq) if i > 0 else None
        e = to_label(starts[i + 1] - 1, freq) if i + 1 < len(starts) else None
        phases.append(Phase(nm, s, e))
    return WaveDefinition(name, tuple(phases), boundary_rule="estimated", note=note)


def search(
    series: CountSeries,
    k: int,
    family: str,
    shape: str,
    method: str,
    confidence: float,
    *,
    constraint: str | None = None,
    names: Sequence[str] | None = None,
    base: WaveDefinition | None = None,
    choice: FamilyChoice | None = None,
    estimate_only: bool = False,
) -> tuple[Any, int]:
    """Best segmentation into ``k`` phases (or, with ``constraint='unimodal'``, at most k
    phases whose fitted rates rise then fall). Returns the fit and the number of
    candidate segmentations examined.

    ``estimate_only``: return ``(definition, estimate)`` instead of the fit: the same
    maximum-likelihood estimate of the same segmentation without standard errors,
    tables or phase names (what a leave-one-out loop needs)."""
    cand = _candidate_breaks(series)
    who = f"best segmentation ({k} phases)" if base is None else repr(base.name)
    if cand.size < k - 1:
        raise DefinitionError(
            f"{who}: a segmentation into {k} phases needs at least {k} distinct observation "
            f"windows; series {series.name!r} has {cand.size + 1}."
        )
    names = list(names) if names is not None else [f"phase {i + 1}" for i in range(k)]
    updown = _updown(k, base)
    if step_search_applies(series, shape):
        best, n_total, how = _table_search(series, k, family, method, constraint, updown)
    else:
        best, n_total, how = _fit_search(series, k, family, shape, method, constraint, updown, cand)
    if best is None:
        raise FitError(
            f"{who}: no segmentation of series {series.name!r} into {k} phases could be fitted"
            + (" with unimodal rates." if constraint else ".")
        )
    breaks = best[1]
    m = len(breaks) + 1
    if estimate_only:
        d = _segment_definition(series, breaks, [f"p{i}" for i in range(m)], who, "")
        return (d, estimate(series, d, family, shape, method, need_cov=False)), n_total
    if constraint == "unimodal" and m < k:
        # name the phases by where the peak falls (rise part from the start of the names)
        fitted_rates = _rates_for(series, breaks, family, shape, method, confidence)
        peak = int(np.argmax(fitted_rates))
        mid = _peak_index(base, k)
        lo = max(0, min(mid - peak, k - m))
        use = names[lo : lo + m]
    else:
        use = names[:m]
    if base is not None:
        label = base.name
        found = ", ".join(str(to_label(b, series.freq)) for b in breaks)
        note = (
            f"break years estimated ({found or 'none'}); "
            + (f"constraint {constraint}; " if constraint else "")
            + f"{how}"
        )
    else:
        label = f"best segmentation ({k} phases, estimated)"
        note = f"break years estimated by {how}"
    d = _segment_definition(series, breaks, use, label, note)
    if base is not None:
        d = replace(
            d,
            citation=base.citation,
            quote=base.quote,
            source_id=base.source_id,
            directions=None,
        )
    n_shape = {"step": 1, "trend": 2, "broken_stick": 1}[shape]
    fit = fit_fixed(
        series,
        d,
        family,
        shape,
        method,
        confidence,
        n_breaks=k - 1,
        notes=(note,),
        n_tied=n_shape * (k - m),
        choice=choice,
    )
    return fit, n_total


def _updown(k: int, base: WaveDefinition | None) -> tuple[int, int]:
    """Rises and falls a unimodal search allows: the definition's expected directions."""
    dirs = base.expected_directions() if base is not None else None
    if dirs is not None and list(dirs) == sorted(dirs, key=lambda x: x != "up"):
        return dirs.count("up"), dirs.count("down")
    return k - 1, k - 1


def searches_without_each(
    entries: Sequence[Any], family: str, method: str, dropped: Sequence[CountSeries]
) -> list[list[Any]]:
    """The leave-one-out step searches of a comparison's estimated rows, all at once.

    ``out[i][j]`` is ``search(dropped[i], entry_j, family, "step", method, ...,
    estimate_only=True)[0]`` (a ``(definition, estimate)`` pair), or the error that
    search raises. ``dropped``: the series with one observation left out each (exact
    counts of one measure, so one length); an entry is a number of phases or an
    estimated definition. The searches run in lockstep
    (:func:`lifecycle.models.step_batch.run_lanes`): each takes the steps it would take
    alone, so the segmentations are the same; the engine's fit of the winning breaks,
    already made when ``alpha`` was refitted on them, is reused.
    """
    out: list[list[Any]] = [[None] * len(entries) for _ in dropped]
    atoms, lanes, meta = [], [], []
    memo: dict[tuple[int, tuple[int, ...]], Any] = {}
    for i, d in enumerate(dropped):
        order = np.argsort(d.start, kind="stable")
        starts = d.start[order]
        atoms.append((d.low[order], d.exposure[order]))
        n_cand = _candidate_breaks(d).size
        for j, entry in enumerate(entries):
            base = None if isinstance(entry, int) else entry
            k = entry if base is None else base.n_phases
            who = f"best segmentation ({k} phases)" if base is None else repr(base.name)
            if n_cand < k - 1:
                out[i][j] = DefinitionError(
                    f"{who}: a segmentation into {k} phases needs at least {k} distinct "
                    f"observation windows; series {d.name!r} has {n_cand + 1}."
                )
                continue
            uni = base is not None and base.constraint == "unimodal"
            refit = _memo_refit(d, starts, method, memo, i)
            lanes.append(Lane(i, k, _updown(k, base) if uni else None, refit))
            meta.append((i, j, who, starts, uni))
    run_lanes(atoms, lanes, family == "negbin", _refits_at_once(atoms, memo))
    if family != "negbin":  # the Poisson fits of the winning breaks, in one stack
        keys = sorted({(lane.series, tuple(int(c) for c in lane.result.cuts)) for lane in lanes})
        probs = [(*atoms[i], _phases(c, atoms[i][0].size), np.nan) for i, c in keys]
        for key, fit in zip(keys, fits_by_phases(probs, family), strict=True):
            if fit is not None:
                memo[key] = fit
    for lane, (i, j, who, starts, uni) in zip(lanes, meta, strict=True):
        b, d = lane.result, dropped[i]
        if not np.isfinite(b.loglik):
            out[i][j] = FitError(
                f"{who}: no segmentation of series {d.name!r} into {lane.k} phases could be "
                "fitted" + (" with unimodal rates." if uni else ".")
            )
            continue
        cuts = tuple(int(c) for c in b.cuts)
        breaks = [int(starts[c]) for c in cuts]
        dd = _segment_definition(d, breaks, [f"p{q}" for q in range(len(cuts) + 1)], who, "")
        est = memo.get((i, cuts))
        if isinstance(est, StepFit):  # each period's phase, as the definition's design
            est = replace(est, phase_of=np.searchsorted(np.array(breaks), d.grid, "right"))
        try:
            if est is None:
                est = estimate(d, dd, family, "step", method, need_cov=False)
            out[i][j] = (dd, est)
        except (InputError, FitError) as exc:
            out[i][j] = exc
    return out


def _phases(cuts: tuple[int, ...], n: int) -> np.ndarray:
    """Phase index (from 0) of each of ``n`` atoms split at ``cuts``."""
    return np.searchsorted(np.asarray(cuts, dtype=np.int64), np.arange(n), "right")


def _refits_at_once(
    atoms: list[tuple[np.ndarray, np.ndarray]], memo: dict
) -> Callable[[list[tuple[Lane, tuple[int, ...]]]], list[float]]:
    """The refits of ``alpha`` asked at one step of the lockstep searches, together.

    Each ``(lane, cuts)`` is fitted by :func:`step_fits` (the engine's iteration on a
    stack, the lanes' series and breaks: ``memo`` keeps the fit as :func:`_memo_refit`
    keeps the engine's); a fit already made is reused, and one the stack leaves
    unresolved is made by the lane's own refit (the engine).
    """

    def refit_many(items: list[tuple[Lane, tuple[int, ...]]]) -> list[float]:
        todo: dict[tuple[int, tuple[int, ...]], tuple] = {}
        for lane, cuts in items:
            key = (lane.series, tuple(int(c) for c in cuts))
            if key not in memo and key not in todo:
                y, e = atoms[lane.series]
                todo[key] = (y, e, _phases(key[1], y.size), np.nan)
        keys = list(todo)
        for key, fit in zip(keys, fits_by_phases([todo[k] for k in keys], "negbin"), strict=True):
            if fit is not None:
                memo[key] = fit
        out = []
        for lane, cuts in items:
            key = (lane.series, tuple(int(c) for c in cuts))
            fit = memo.get(key)
            if fit is None:
                out.append(lane.refit(cuts))
            elif isinstance(fit, StepFit):
                out.append(fit.alpha)
            else:
                out.append(0.0 if fit.alpha_boundary else float(np.exp(fit.theta[-1])))
        return out

    return refit_many


def _memo_refit(series: CountSeries, starts: np.ndarray, method: str, memo: dict, key: int) -> Any:
    """The engine's NB ``alpha`` of a segmentation (as :func:`_table_search`), its fit kept."""

    def refit(cuts: tuple[int, ...]) -> float:
        breaks = [int(starts[c]) for c in cuts]
        d = _segment_definition(series, breaks, [f"p{i}" for i in range(len(cuts) + 1)], "s", "")
        try:
            e = estimate(series, d, "negbin", "step", method, need_cov=False, phase_start=True)
        except (FitError, DefinitionError, TooShortError):
            return 0.0
        memo[(key, tuple(int(c) for c in cuts))] = e
        return 0.0 if e.alpha_boundary else float(np.exp(e.theta[-1]))

    return refit


def _table_search(
    series: CountSeries,
    k: int,
    family: str,
    method: str,
    constraint: str | None,
    updown: tuple[int, int],
) -> tuple[tuple[float, tuple[int, ...]] | None, int, str]:
    """Step shape, one exact measure: segment tables, DP and a profile in alpha."""
    ss = step_search_for(series)
    ss.n_examined = 0

    def at(alpha: float) -> tuple[float, tuple[int, ...]]:
        if constraint == "unimodal":
            return ss.best_unimodal(alpha, k, *updown)
        return ss.best_k(alpha, k)

    def refit_alpha(cuts: tuple[int, ...]) -> float:
        breaks = [int(ss.starts[c]) for c in cuts]
        d = _segment_definition(series, breaks, [f"p{i}" for i in range(len(cuts) + 1)], "s", "")
        try:
            e = estimate(series, d, "negbin", "step", method, need_cov=False)
        except (FitError, DefinitionError, TooShortError):
            return 0.0
        return 0.0 if e.alpha_boundary else float(np.exp(e.theta[-1]))

    b = ss.profile(at, family == "negbin", refit_alpha)
    if not np.isfinite(b.loglik):
        return None, ss.n_examined, ""
    how = (
        f"scoring every segmentation into at most {k} phases from segment tables"
        if constraint == "unimodal"
        else f"dynamic programming over segment tables ({k} phases)"
    )
    if family == "negbin":
        how += ", profiled over the NB dispersion"
    return (b.loglik, tuple(int(ss.starts[c]) for c in b.cuts)), ss.n_examined, how


def _engine_scorer(
    series: CountSeries,
    k: int,
    family: str,
    shape: str,
    method: str,
    constraint: str | None,
    updown: tuple[int, int],
) -> tuple[Any, list[int]]:
    """``score(breaks)``: the engine's maximised log-likelihood of one segmentation.

    ``-inf`` where the fit is refused or, with the unimodal constraint, where its fitted
    rates break the pattern. Warm-started per number of phases. Also returns a one-item
    list counting the fits made. ``score(breaks, raw)`` also stores in ``raw[breaks]``
    the maximised log-likelihood without the constraint when the fit converged.
    """
    warm: dict[int, np.ndarray] = {}
    n_fits = [0]

    def score(b: tuple[int, ...], raw: dict[tuple[int, ...], float] | None = None) -> float:
        m = len(b) + 1
        d = _segment_definition(series, b, [f"p{i}" for i in range(m)], "search", "")
        n_fits[0] += 1
        try:
            e = estimate(series, d, family, shape, method, need_cov=False, start=warm.get(m))
        except (FitError, DefinitionError, TooShortError):
            return -np.inf
        if e.mean_theta_poisson is not None and np.all(np.isfinite(e.mean_theta_poisson)):
            warm[m] = e.mean_theta_poisson
        if raw is not None and e.converged and np.isfinite(e.loglik):
            raw[b] = float(e.loglik)  # before the constraint: a bound for its subsets
        if constraint == "unimodal":
            beta = e.theta[: e.prob.p]
            dsg = e.prob.design
            curve = (dsg.X @ beta)[dsg.covered & (dsg.phase_of >= 0)]
            if not (
                _pattern_ok(curve, curve.size, curve.size, tol=1e-6)
                and _pattern_ok(dsg.contrasts @ beta, *updown, tol=1e-6)
            ):
                return -np.inf
        return e.loglik

    return score, n_fits


def _combos(cand: np.ndarray, m: int) -> np.ndarray:
    """Every choice of ``m - 1`` breaks among ``cand`` (rows, in enumeration order)."""
    if m == 1:
        return np.zeros((1, 0), dtype=np.int64)
    flat = np.fromiter(
        itertools.chain.from_iterable(itertools.combinations(cand.tolist(), m - 1)),
        dtype=np.int64,
    )
    return flat.reshape(-1, m - 1)


def _fit_search(
    series: CountSeries,
    k: int,
    family: str,
    shape: str,
    method: str,
    constraint: str | None,
    updown: tuple[int, int],
    cand: np.ndarray,
) -> tuple[tuple[float, tuple[int, ...]] | None, int, str]:
    """Other shapes, intervals or several measures.

    Exact counts: every segmentation is fitted at once by the batched Newton of
    :mod:`lifecycle.models.batch_fit` (up to ``_MAX_BATCHED``), and the best ones are
    refitted by the engine (:func:`_batched_search`). Interval-censored counts: one
    engine fit per segmentation when there are at most ``_MAX_FITS``. Otherwise an
    exchange (profile) search: from several starts, each break in turn is moved to its
    best position with the others held, until no move improves the likelihood.
    """
    sizes = range(1, k + 1) if constraint == "unimodal" else [k]
    n_all = sum(math.comb(cand.size, m - 1) for m in sizes)
    score, n_fits = _engine_scorer(series, k, family, shape, method, constraint, updown)
    batched = batch_applies(series)
    if batched and n_all <= _MAX_BATCHED:
        return _batched_search(
            series, family, shape, sizes, cand, score, updown if constraint else None
        )
    if batched:
        layout = Layout.of(series)
        pattern = updown if constraint else None

        def many(combos: np.ndarray) -> np.ndarray:
            r = segmentation_fits(series, shape, family, combos, pattern=pattern, layout=layout)
            out = r.loglik.copy()
            for i in np.flatnonzero(~r.resolved):
                out[i] = score(tuple(int(x) for x in combos[i]))
            return out
    else:

        def many(combos: np.ndarray) -> np.ndarray:
            return np.array([score(tuple(int(x) for x in b)) for b in combos])

    best: tuple[float, tuple[int, ...]] | None = None
    exhaustive = not batched and n_all <= _MAX_FITS
    n_scored = [0]

    def counted(combos: np.ndarray) -> np.ndarray:
        n_scored[0] += combos.shape[0]
        return many(combos)

    n_skipped = 0
    nested = exhaustive and len(sizes) > 1
    if nested:
        scores, n_skipped = _nested_scores(score, cand, sizes)
        n_scored[0] = n_all
    for m in sizes:
        if nested:
            found = [(scores[b], b) for b in map(tuple, _combos(cand, m).tolist())]
        elif exhaustive:
            combos = _combos(cand, m)
            found = list(zip(counted(combos), map(tuple, combos.tolist()), strict=True))
        else:
            found = [_exchange(counted, cand, m)]
        for ll, b in found:
            if np.isfinite(ll) and (best is None or ll > best[0] + 1e-9):
                best = (ll, tuple(int(x) for x in b))
    intervals = "" if batched else " (interval-censored counts: one engine fit per segmentation)"
    if exhaustive and n_skipped:
        how = (
            f"examining all {n_all} segmentations (interval-censored counts: "
            f"{n_all - n_skipped} engine fits, one per segmentation; {n_skipped} ruled out "
            "without a fit: a segmentation with their breaks and more, whose likelihood "
            "bounds theirs, was already below the best)"
        )
    elif exhaustive:
        how = f"fitting all {n_all} segmentations{intervals}"
    else:
        engine = (
            f"each move scored by the batched fit; {n_all:,} segmentations are more than "
            f"{_MAX_BATCHED:,}"
            if batched
            else f"{n_fits[0]} fits{intervals}"
        )
        how = (
            f"an exchange search ({n_scored[0]:,} segmentations scored, {engine}; every "
            f"break moved to its best position with the others held, from several starts; "
            f"a local optimum)"
        )
    if batched:
        best = _confirm(best, score)
    return best, n_scored[0], how


#: A segmentation is ruled out when a fitted one with more breaks, containing its breaks,
#: scores more than this below the best admissible log-likelihood found.
_SKIP_MARGIN = 1e-6


def _nested_scores(
    score: Any, cand: np.ndarray, sizes: Sequence[int]
) -> tuple[dict[tuple[int, ...], float], int]:
    """Every segmentation into ``sizes`` phases scored, or ruled out by a nesting bound.

    Adding a break can only raise the maximised likelihood: the segmentation with the
    extra break contains the one without it (tie the rates, slopes or levels on either
    side of the break), whatever the shape. So the unconstrained log-likelihood ``ub`` of
    a fitted segmentation bounds that of every segmentation whose breaks are a subset of
    its breaks; a skipped one passes on its own bound. Sizes are scored from the largest
    down; a segmentation whose bound (the least over its supersets with one more break)
    is more than ``_SKIP_MARGIN`` below the best admissible score found so far cannot be
    the best, nor within the choice's tie margin (1e-9) of it, and is not fitted (its
    score is ``-inf``). The winner, chosen from these scores in the usual order, is the
    one the exhaustive search chooses.

    Returns the scores by breaks and the number of segmentations ruled out.
    """
    raw: dict[tuple[int, ...], float] = {}
    ub: dict[tuple[int, ...], float] = {}
    scores: dict[tuple[int, ...], float] = {}
    best, n_skipped = -np.inf, 0
    c = [int(x) for x in cand]
    for m in sorted(sizes, reverse=True):
        for b in map(tuple, _combos(cand, m).tolist()):
            bound = min(
                (ub.get(tuple(sorted((*b, x))), np.inf) for x in c if x not in b),
                default=np.inf,
            )
            if bound < best - _SKIP_MARGIN:
                scores[b], ub[b] = -np.inf, bound
                n_skipped += 1
                continue
            scores[b] = v = score(b, raw)
            ub[b] = min(bound, raw.get(b, np.inf))
            if np.isfinite(v):
                best = max(best, v)
    return scores, n_skipped


def _confirm(
    best: tuple[float, tuple[int, ...]] | None, score: Any
) -> tuple[float, tuple[int, ...]] | None:
    """The engine's log-likelihood of the batched search's winner (it has the last word)."""
    if best is None:
        return None
    ll = score(best[1])
    return (ll, best[1]) if np.isfinite(ll) else None


def _batched_search(
    series: CountSeries,
    family: str,
    shape: str,
    sizes: Sequence[int],
    cand: np.ndarray,
    score: Any,
    pattern: tuple[int, int] | None,
) -> tuple[tuple[float, tuple[int, ...]] | None, int, str]:
    """Every segmentation by the batched fit, the best ones confirmed by the engine.

    Candidates the batched Newton leaves unresolved are fitted by the engine. Then, from
    the highest batched log-likelihood down, candidates are refitted by the engine until
    the next one is more than ``_TIE`` below the best engine value found: the engine's
    value decides, with ties (within 1e-9) going to the earlier segmentation in
    enumeration order, as when every segmentation was fitted by the engine. At most
    ``_MAX_REFITS`` such refits (the note says when the cap was reached).
    """
    layout = Layout.of(series)
    table = segment_bounds(layout, family) if bounds_apply(layout, shape) else None
    blocks = [_combos(cand, m) for m in sizes]
    lls, done, breaks, n_fitted = [], [], [], 0
    for combos in blocks:
        r = segmentation_fits(
            series, shape, family, combos, pattern=pattern, layout=layout, table=table
        )
        lls.append(r.loglik)
        done.append(r.resolved)
        n_fitted += r.n_fitted
        breaks += [tuple(int(x) for x in b) for b in combos.tolist()]
    ll = np.concatenate(lls) if lls else np.empty(0)
    resolved = np.concatenate(done) if done else np.empty(0, dtype=bool)
    engine: dict[int, float] = {}
    for i in np.flatnonzero(~resolved):
        engine[i] = ll[i] = score(breaks[i])
    n_unresolved = len(engine)
    top = -np.inf
    n_refits, capped = 0, False
    for i in np.argsort(-np.where(np.isfinite(ll), ll, -np.inf), kind="stable"):
        if not np.isfinite(ll[i]) or ll[i] < top - _TIE:
            break
        if n_refits == _MAX_REFITS:
            capped = True
            break
        if i not in engine:
            engine[i] = score(breaks[i])
            n_refits += 1
        top = max(top, engine[i])
    best: tuple[float, tuple[int, ...]] | None = None
    for i in sorted(engine):
        v = engine[i]
        if np.isfinite(v) and (best is None or v > best[0] + 1e-9):
            best = (v, breaks[i])
    pruned = (
        f"{n_fitted:,} fitted at once by a batched Newton, vectorised across "
        f"segmentations; the other {ll.size - n_fitted:,} ruled out by an upper bound, the "
        f"likelihood of separate log-linear trends in each phase, which contain the "
        f"broken stick"
        if table is not None
        else "fitted at once by a batched Newton, vectorised across segmentations"
    )
    how = (
        f"an exhaustive search of all {ll.size:,} segmentations ({pruned}; the best "
        f"{n_refits} refitted one by one"
        + (f"; {n_unresolved} the batch left unresolved fitted one by one" if n_unresolved else "")
        + (
            f"; the refits stopped at {_MAX_REFITS} with candidates still within {_TIE} of "
            f"the best: a near-tie may be missed"
            if capped
            else ""
        )
        + ")"
    )
    return best, ll.size, how


def _exchange(score_many: Any, cand: np.ndarray, m: int) -> tuple[float, tuple[int, ...]]:
    """Coordinate-wise profile search over ``m - 1`` breaks from evenly spaced starts.

    ``score_many(combos)`` scores rows of breaks; every position of one break (the
    others held) is scored in one call.
    """
    if m == 1:
        return float(score_many(np.zeros((1, 0), dtype=np.int64))[0]), ()
    c = cand.tolist()
    best: tuple[float, tuple[int, ...]] = (-np.inf, ())
    for shift in (0.0, 1.0 / 3.0, 2.0 / 3.0):
        pos = [min(len(c) - 1, int((j + shift) * len(c) / (m - 1 + shift))) for j in range(m - 1)]
        b = tuple(sorted({c[p] for p in pos}))
        if len(b) < m - 1:
            continue
        cur = float(score_many(np.array([b], dtype=np.int64))[0])
        for _ in range(20):
            moved = False
            for j in range(m - 1):
                lo = b[j - 1] if j > 0 else -np.inf
                hi = b[j + 1] if j < m - 2 else np.inf
                xs = [x for x in c if lo < x < hi and x != b[j]]
                if not xs:
                    continue
                trials = np.array([(*b[:j], x, *b[j + 1 :]) for x in xs], dtype=np.int64)
                vals = score_many(trials)
                i = int(np.argmax(np.where(np.isfinite(vals), vals, -np.inf)))
                if vals[i] > cur + 1e-9:
                    cur, b, moved = float(vals[i]), tuple(int(v) for v in trials[i]), True
            if not moved:
                break
        if cur > best[0]:
            best = (cur, b)
    return best


def _peak_index(base: WaveDefinition | None, k: int) -> int:
    if base is not None:
        dirs = base.expected_directions()
        if dirs is not None and "down" in dirs:
            return dirs.index("down")
    return k // 2


def _rates_for(
    series: CountSeries,
    breaks: Sequence[int],
    family: str,
    shape: str,
    method: str,
    confidence: float,
) -> np.ndarray:
    """Rate of each phase of the first measure (the fit's phase rates, no tables)."""
    d = _segment_definition(series, breaks, [f"p{i}" for i in range(len(breaks) + 1)], "x", "")
    e = estimate(series, d, family, shape, method, need_cov=False)
    return np.exp(e.prob.design.contrasts @ e.theta[: e.prob.p])


@old_keywords(conf_level="confidence")
def best_segmentation(
    series: CountSeries,
    n_phases: int,
    family: str = "auto",
    shape: str = "step",
    *,
    method: str = "auto",
    confidence: float = 0.95,
    **deprecated: Any,
) -> WaveFit:
    """The data-driven segmentation into ``n_phases`` phases with the highest likelihood.

    Breaks may fall at the start of any observation window (a change cannot be located
    inside a window known only in aggregate). For step fits of one exact measure the
    best segmentation is found from segment tables (dynamic programming, a profile in
    the NB dispersion). Other shapes, several measures or windows of several periods:
    every segmentation is fitted at once by a batched Newton
    (:mod:`lifecycle.models.batch_fit`; for a broken stick most are first ruled out by an
    exact upper bound) and the best are refitted by the one engine, which decides; up to
    300,000 segmentations, beyond that an exchange search (a local optimum; the note says
    which). Interval-censored counts: one engine fit per segmentation (at most 5,000,
    else the exchange search; with the unimodal constraint a segmentation is skipped
    when one containing its breaks already fits below the best, which cannot change
    the choice). Segmentations that leave a phase with only
    zero counts (MLE on the boundary) or that cannot be fitted are skipped. The
    ``n_phases - 1`` break years count as parameters of the returned fit
    (``n_break_params``).

    An estimated definition with the ``"unimodal"`` constraint (the conventional
    lifecycle) is searched the same way through :func:`fit_waves`, over segmentations
    into *at most* ``k`` phases whose rates rise, then fall, with no more rises and
    falls than the definition's expected directions allow (birth ≤ growth ≥ decline: one
    rise, one fall). A segmentation with fewer phases is a ``k``-phase one with tied
    rates, so for the step shape this is the constrained maximum likelihood; other
    shapes also need unimodal fitted yearly rates. The ``k - 1`` break years are
    counted whatever the number of distinct phases found.

    Parameters
    ----------
    series : CountSeries
    n_phases : int
        Number of phases (``>= 2``).
    family, shape, method, confidence
        As in :func:`fit_waves`.

    Returns
    -------
    WaveFit
        Its definition is named ``"best segmentation (k phases, estimated)"``.

    Examples
    --------
    >>> from lifecycle.series import CountSeries
    >>> s = CountSeries.from_counts(range(2001, 2007), [1, 2, 1, 9, 8, 10])
    >>> best_segmentation(s, 2).definition.break_labels()
    [2004]
    """
    func = "best_segmentation"
    (confidence,) = take_renamed(func, deprecated, conf_level=("confidence", confidence, 0.95))
    series = check_series(series, func)
    k = check_int("n_phases", n_phases, func=func, min_value=2)
    shape = check_choice("shape", shape, SHAPES, func=func)
    method = check_choice("method", method, METHODS, func=func)
    family, choice = resolve_family(series, family, func)
    confidence = check_level("confidence", confidence, func=func)
    fit, _ = search(series, k, family, shape, method, confidence, choice=choice)
    return fit


# ====================================================================== directional tests

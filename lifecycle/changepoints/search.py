"""Change points in count series: exact search and the choice of the number of changes.

The units of search are the *atoms* of a series (its observation windows,
:meth:`lifecycle.series.CountSeries.atoms`): a change can only fall between two atoms,
never inside a window known only in aggregate. A segmentation of ``n`` atoms into
``k + 1`` segments ``[0, b_1), [b_1, b_2), ..., [b_k, n)`` gives each segment one rate per
period (Poisson, or NB2 with one dispersion for the whole series); a break is reported as
the calendar label of the first period of the new regime (the first period of atom
``b_j``).

Objective
---------
Minimise the total segment cost ``sum_j c(b_j, b_{j+1}) = -2 loglik``
(:mod:`lifecycle.models.costs`), with every segment at least ``min_size`` atoms long:

* **exact, every number of changes** (:func:`segment_path`, ``detect(method="exact")``):
  the segment-neighbourhood dynamic programme
  ``F_k(t) = min_s F_{k-1}(s) + c(s, t)``, vectorised over blocks of end points with
  numpy; ``O(K n^2)`` time, ``O(K n)`` memory. The number of changes is chosen by a
  criterion over ``k = 0..K`` (:mod:`lifecycle.changepoints.segmentation`);
* **penalised** (``detect(method="pelt")``): ``min sum_j c + beta * k`` by optimal
  partitioning with PELT pruning (exact; expected ``O(n)`` when the number of changes
  grows with ``n``, ``O(n^2)`` worst case).

Negative binomial
-----------------
One dispersion ``alpha`` for the whole series. Estimated once under a constant rate it
absorbs every real change of level (rates 5/100/30/150/5 with ``alpha = 0.2`` gave
``alpha_hat ~ 1.5`` and hid two breaks), so when it is not given it is *profiled over
segmentations*: the dynamic programme (or PELT) runs for every ``alpha`` of a grid
(0 and 31 values from 1e-3 to 30, neighbours a factor 1.41 apart); for each number of
changes the best grid point's breaks get their exact ML dispersion (bounded Brent in
``log alpha``), and the chosen segmentation alternates breaks | alpha and alpha |
breaks to a fixed point. The result maximises the likelihood jointly in the breaks,
the rates and ``alpha`` (checked against brute force in the tests); ``p`` counts
``alpha`` as one more parameter. Cost: about 32 searches instead of one.

Is there a change, and how sure is its place? :mod:`lifecycle.changepoints.uncertainty`
(change test, break intervals) and :mod:`lifecycle.changepoints.posterior` (the exact
Bayesian posterior).

References
----------
Jackson, B. et al. (2005). An algorithm for optimal partitioning of data on an interval.
*IEEE Signal Processing Letters* 12(2): 105–108.

Killick, R., Fearnhead, P. and Eckley, I. A. (2012). Optimal detection of changepoints
with a linear computational cost. *Journal of the American Statistical Association*
107(500): 1590–1598.
"""

from __future__ import annotations

import inspect
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from lifecycle._core.dispersion import ALPHA_RANGE, FamilyChoice
from lifecycle._core.errors import (
    ApproximationWarning,
    LifecycleError,
    ParameterError,
    SerialCorrelationWarning,
    TooShortError,
)
from lifecycle._core.renames import old_keywords, take_renamed
from lifecycle._core.validation import check_choice, check_float, check_int, check_level
from lifecycle.changepoints.engines import _backtrack, _dp, _LengthPenalised, _pelt
from lifecycle.changepoints.segmentation import (
    Segmentation,
    beta_of,
    build,
    check_penalty,
    criteria_of,
    n_params,
)
from lifecycle.models.costs import (
    NegBinCost,
    PoissonCost,
    check_signal,
)
from lifecycle.models.family import choose_family
from lifecycle.series.calendar import to_label
from lifecycle.series.countseries import FREQS, Atoms, CountSeries

__all__ = ["detect", "segment_path"]

FAMILIES = ("poisson", "negbin")
FAMILY_OPTIONS = ("auto", *FAMILIES)
_DEFAULT_MAX_CHANGES = 10
# dispersions the profile search tries (0 = Poisson); neighbours differ by a factor 1.41
ALPHA_GRID = np.concatenate([[0.0], np.geomspace(1e-3, 30.0, 31)])


# ====================================================================== inputs
def _atoms_from(
    data: Any, years: Any, exposure: Any, measure: str | None, freq: str, func: str
) -> Atoms:
    """Atoms of a CountSeries, or of plain counts (+ optional years and exposure)."""
    if isinstance(data, CountSeries):
        if years is not None or exposure is not None:
            raise ParameterError(
                f"The 'years' and 'exposure' parameters of {func} apply to plain counts; a "
                f"CountSeries carries its own periods and exposures."
            )
        return data.atoms(measure=measure)
    if isinstance(data, Atoms):
        return data
    if measure is not None:
        raise ParameterError(
            f"The 'measure' parameter of {func} applies to a CountSeries only. Got "
            f"measure={measure!r} with plain counts."
        )
    check_choice("freq", freq, FREQS, func=func)
    y, e = check_signal(data, exposure, func)
    if years is not None:
        # One set of rules for periods everywhere: duplicates, disorder and gaps are
        # refused here exactly as CountSeries.from_counts refuses them.
        return CountSeries.from_counts(list(np.asarray(years).tolist()), y, e, freq=freq).atoms()
    ords = np.arange(y.size, dtype=np.int64)
    return Atoms(start=ords, end=ords.copy(), count=y, exposure=e, freq=freq)


def _series_of_atoms(atoms: Atoms) -> CountSeries:
    """The atoms as a series (shifted to years from 2000 when their periods are bare
    positions) -- what :func:`~lifecycle.models.choose_family` reads."""
    shift = 0
    first = int(atoms.start[0])
    base = 2000 if atoms.freq == "year" else 2000 * 12
    if first < base // 2:  # positions 0, 1, ... of plain counts: not calendar periods
        shift = base - first
    return CountSeries.from_windows(
        [to_label(int(a) + shift, atoms.freq) for a in atoms.start],
        [to_label(int(b) + shift, atoms.freq) for b in atoms.end],
        atoms.count,
        exposure=atoms.exposure,
        freq=atoms.freq,
    )


def resolve_detect_family(
    data: Any, atoms: Atoms, family: Any, alpha: float | None, measure: str | None, func: str
) -> tuple[str, FamilyChoice]:
    """Validate ``family`` and resolve ``"auto"`` for a change-point search.

    ``"auto"`` is NB2 when a dispersion is given, else the family
    :func:`~lifecycle.models.choose_family` picks for the series by the likelihood-ratio
    test of overdispersion under a flexible reference (so real changes are not read as
    overdispersion).
    """
    family = check_choice("family", family, FAMILY_OPTIONS, func=func)
    if family != "auto":
        return family, FamilyChoice.fixed(family)
    if alpha is not None:
        return "negbin", FamilyChoice(
            "auto", "negbin", reason=f"negbin: the dispersion was given ({alpha:g})"
        )
    if not np.any(atoms.count):
        return "poisson", FamilyChoice(
            "auto", "poisson", reason="poisson: every count is zero (no dispersion to estimate)"
        )
    if isinstance(data, CountSeries):
        series = data.select(measure) if measure is not None else data
    else:
        series = _series_of_atoms(atoms)
    try:
        choice = choose_family(series)
    except LifecycleError as exc:
        warnings.warn(
            f"{func}: family='auto' could not test for overdispersion ({exc}); the "
            f"Poisson family is used. Name the family to silence this warning.",
            ApproximationWarning,
            stacklevel=4,
        )
        return "poisson", FamilyChoice(
            "auto", "poisson", reason=f"poisson: the overdispersion test failed ({exc})"
        )
    return choice.family, choice


def _make_cost(atoms: Atoms, family: str, alpha: float | None) -> PoissonCost | NegBinCost:
    if family == "poisson":
        return PoissonCost.from_atoms(atoms.count, atoms.exposure)
    return NegBinCost.from_atoms(atoms.count, atoms.exposure, dispersion=alpha)


def _feasible_max(n: int, min_size: int) -> int:
    return n // min_size - 1


def _check_room(n: int, k: int, min_size: int, func: str, what: str) -> None:
    if (k + 1) * min_size > n:
        raise TooShortError(
            f"{func}: {what}={k} needs {k + 1} segments of at least min_size={min_size} "
            f"atoms, so at least {(k + 1) * min_size} observation windows. The series has {n}."
        )


@dataclass(frozen=True)
class _Level:
    """The best segmentation with ``k`` changes: its cost, breaks and dispersion."""

    k: int
    cost: float  # -2 loglik with every constant (plus the MBIC length term if asked)
    breaks: tuple[int, ...]
    alpha: float | None


def _alpha_given_breaks(atoms: Atoms, breaks: Any, lo: float, hi: float) -> tuple[float, float]:
    """ML NB2 dispersion of a fixed segmentation (segment rates profiled) and its cost.

    ``log alpha`` is maximised on ``[lo, hi]`` (bounded Brent); ``alpha = 0`` (Poisson)
    is returned when its likelihood is at least as high.
    """
    n = len(atoms)
    s = np.array([0, *breaks])
    t = np.array([*breaks, n])

    def cost(log_a: float) -> float:
        c = NegBinCost(dispersion=math.exp(log_a))
        c.fit(np.column_stack([atoms.count, atoms.exposure]))
        return float(c.segment_cost(s, t).sum())

    res = optimize.minimize_scalar(
        cost, bounds=(math.log(lo), math.log(hi)), method="bounded", options={"xatol": 1e-6}
    )
    pois = float(_make_cost(atoms, "poisson", None).segment_cost(s, t).sum())
    if pois <= res.fun:
        return 0.0, pois
    return float(math.exp(res.x)), float(res.fun)


def _bracket(g: int) -> tuple[float, float]:
    """Search interval for ``alpha`` around grid point ``g`` (its two neighbours)."""
    lo = ALPHA_GRID[max(g - 1, 1)] if g > 1 else ALPHA_RANGE[0]
    hi = ALPHA_GRID[min(g + 1, ALPHA_GRID.size - 1)]
    return float(lo), float(hi)


def _length_term(breaks: Any, n: int) -> float:
    return float(np.log(np.diff([0, *breaks, n])).sum())


def _levels_fixed(cost: Any, atoms: Atoms, K: int, m: int, lengths: bool) -> list[_Level]:
    n = len(atoms)
    F, arg = _dp(_LengthPenalised(cost, n) if lengths else cost, n, K, m)
    alpha = cost.dispersion if isinstance(cost, NegBinCost) else None
    return [
        _Level(k, float(F[k, n] + cost.constant), tuple(_backtrack(arg, k, n)), alpha)
        for k in range(K + 1)
        if np.isfinite(F[k, n])
    ]


def _levels_profiled(atoms: Atoms, K: int, m: int, lengths: bool) -> list[_Level]:
    """Best segmentation and dispersion for each ``k``, ``alpha`` profiled out.

    For every ``alpha`` of :data:`ALPHA_GRID` the dynamic programme gives the best
    segmentation with ``k`` changes; for each ``k`` the best grid point's segmentation
    then gets its exact ML dispersion between the neighbouring grid points. So the cost
    of level ``k`` is ``-2 max_{alpha, segmentation} loglik`` up to the grid's
    resolution in the segmentation (the dispersion is exact given it).
    """
    n = len(atoms)
    tot = np.full((ALPHA_GRID.size, K + 1), np.inf)
    args = []
    for g, a in enumerate(ALPHA_GRID):
        cost = _make_cost(atoms, "negbin", float(a))
        F, arg = _dp(_LengthPenalised(cost, n) if lengths else cost, n, K, m)
        tot[g] = F[:, n] + cost.constant
        args.append(arg)
    out = []
    for k in range(K + 1):
        if not np.isfinite(tot[:, k]).any():
            continue
        g = int(np.argmin(tot[:, k]))
        br = tuple(_backtrack(args[g], k, n))
        a, c = _alpha_given_breaks(atoms, br, *_bracket(g))
        c += _length_term(br, n) if lengths else 0.0
        out.append(_Level(k, min(c, float(tot[g, k])), br, a if c <= tot[g, k] else ALPHA_GRID[g]))
    return out


def _polish(atoms: Atoms, level: _Level, m: int, lengths: bool) -> _Level:
    """Alternate segmentation | alpha and alpha | segmentation until neither improves."""
    n = len(atoms)
    for _ in range(20):
        cost = _make_cost(atoms, "negbin", level.alpha)
        _, arg = _dp(_LengthPenalised(cost, n) if lengths else cost, n, level.k, m)
        br = tuple(_backtrack(arg, level.k, n))
        if br == level.breaks:
            return level
        a, c = _alpha_given_breaks(atoms, br, ALPHA_RANGE[0], ALPHA_RANGE[1])
        c += _length_term(br, n) if lengths else 0.0
        if c >= level.cost - 1e-9:
            return level
        level = _Level(level.k, c, br, a)
    return level


def _pelt_profiled(atoms: Atoms, beta: float, m: int, mbic: bool) -> tuple[list[int], float]:
    """PELT with the NB2 dispersion profiled out: grid, then alternate to a fixed point."""
    n = len(atoms)

    def run(a: float) -> tuple[float, list[int]]:
        cost = _make_cost(atoms, "negbin", a)
        br, val = _pelt(_LengthPenalised(cost, n) if mbic else cost, n, beta, m)
        return float(val + cost.constant), br

    runs = [run(float(a)) for a in ALPHA_GRID]
    g = int(np.argmin([r[0] for r in runs]))
    best, br = runs[g]
    alpha = float(ALPHA_GRID[g])
    lo, hi = _bracket(g)
    for _ in range(20):
        a, c = _alpha_given_breaks(atoms, br, lo, hi)
        c += beta * len(br) + (_length_term(br, n) if mbic else 0.0)
        if c < best - 1e-9:
            best, alpha = c, a
        val, br_new = run(alpha)
        if br_new == br or val >= best - 1e-9:
            break
        best, br = val, br_new
        lo, hi = ALPHA_RANGE
    return br, alpha


def _levels(
    atoms: Atoms, family: str, alpha: float | None, K: int, m: int, lengths: bool = False
) -> list[_Level]:
    if family == "negbin" and alpha is None:
        return _levels_profiled(atoms, K, m, lengths)
    return _levels_fixed(_make_cost(atoms, family, alpha), atoms, K, m, lengths)


def _path_frame(
    levels: list[_Level], atoms: Atoms, family: str, alpha_estimated: bool
) -> pd.DataFrame:
    n = len(atoms)
    rows = []
    for lv in levels:
        row = {"n_changes": lv.k, "cost": lv.cost, "loglik": -lv.cost / 2.0}
        row.update(criteria_of(lv.cost, list(lv.breaks), n, family, alpha_estimated))
        row["breaks"] = tuple(atoms.label(i) for i in lv.breaks)
        if family == "negbin":
            row["dispersion"] = lv.alpha
        rows.append(row)
    return pd.DataFrame(rows)


@old_keywords(alpha="dispersion", level="confidence")
def detect(
    data: Any,
    *,
    years: Any = None,
    exposure: Any = None,
    measure: str | None = None,
    freq: str = "year",
    family: str = "auto",
    dispersion: float | None = None,
    n_changes: int | None = None,
    max_changes: int | None = None,
    penalty: str | float = "bic",
    min_size: int = 1,
    method: str = "exact",
    confidence: float = 0.95,
    **deprecated: Any,
) -> Segmentation:
    """Find the regimes of a count series.

    Parameters
    ----------
    data : CountSeries or array_like of int
        A series (its observation windows are the atoms of the search) or plain counts.
    years : sequence, optional
        Calendar periods of plain counts, strictly increasing (default ``0, 1, ...``).
        Periods absent from ``years`` are missing (never zero); a segment may span them.
    exposure : array_like of float, optional
        Exposure of each plain count (default 1).
    measure : str, optional
        Which measure of a multi-measure series.
    freq : {"year", "month"}
        Frequency of ``years`` for plain counts.
    family : {"auto", "poisson", "negbin"}
        ``"auto"`` (default): NB2 when the likelihood-ratio test of overdispersion
        (:func:`lifecycle.models.choose_family`) rejects under a flexible reference
        model, or when a dispersion is given; Poisson otherwise.
        ``Segmentation.family_choice`` says which family was used and why.
    dispersion : float, optional
        NB2 dispersion ``alpha`` (variance ``mu + alpha mu^2``). If omitted it is
        estimated by maximum likelihood jointly with
        the segmentation (profiled: for each number of changes, the best segmentation
        over a grid of dispersions, then the exact ML dispersion given the breaks, then
        alternation to a fixed point), so real changes do not inflate it.
    n_changes : int, optional
        Fix the number of changes (exact search); ``penalty`` is then not used.
    max_changes : int, optional
        Largest number of changes the exact search considers, and the extent of
        ``path`` (default ``n_changes`` if given, else ``min(10, n // min_size - 1)``,
        doubled as long as the criterion still chooses the cap). A cap you set that
        the criterion still chooses gives an ``ApproximationWarning``.
    penalty : {"bic", "mbic", "aic"} or float
        How to choose the number of changes: a criterion, or a penalty per change in
        units of ``-2 loglik``.
    min_size : int
        Minimum number of observation windows per segment.
    method : {"exact", "pelt"}
        ``"exact"``: dynamic programme for every number of changes up to
        ``max_changes``, then choice by ``penalty`` (keeps the path). ``"pelt"``:
        penalised search with pruning, no limit on the number of changes (long series).
    confidence : float
        Confidence level of the segment rates.

    Returns
    -------
    Segmentation

    Warns
    -----
    ApproximationWarning
        If ``max_changes`` was given and the criterion is still improving at it.
    SerialCorrelationWarning
        If the Ljung–Box test on the residuals (``Segmentation.serial``) has p < 0.05
        with a positive lag-1 autocorrelation (the dependence that makes independence
        optimistic; many short segments leave negative autocorrelation by themselves).

    Raises
    ------
    CountError
        If the counts are not non-negative whole numbers.
    TooShortError
        If the series has too few windows for ``n_changes`` or ``max_changes``.
    ParameterError
        If ``min_size < 1``, ``penalty < 0`` or an option is unknown.

    Notes
    -----
    The search is exact: the result minimises ``-2 loglik + penalty`` over all
    segmentations with breaks between observation windows (and at most ``max_changes``
    for the exact method). Ties are resolved towards earlier breaks.

    References
    ----------
    Jackson et al. (2005); Killick, Fearnhead & Eckley (2012); Zhang & Siegmund (2007).

    Examples
    --------
    >>> seg = detect([5, 6, 4, 5, 1, 0, 2, 1], years=range(2010, 2018), n_changes=1)
    >>> seg.breaks
    (2014,)
    """
    dispersion, confidence = take_renamed(
        "detect",
        deprecated,
        alpha=("dispersion", dispersion, None),
        level=("confidence", confidence, 0.95),
    )
    del deprecated
    seg = _detect(**locals(), func="detect")  # every keyword of detect, by name
    _warn_serial(seg, "detect")
    return seg


def _warn_serial(seg: Segmentation, func: str) -> None:
    d = seg.serial
    if d is not None and d.significant and d.acf[0] > 0:
        warnings.warn(
            f"{func}: the residuals of the segmentation are autocorrelated (Ljung-Box "
            f"p = {d.p_value:.3g}, lag-1 autocorrelation {d.acf[0]:.2f}): the counts are "
            f"not independent given the regimes, so criteria and intervals that assume "
            f"independence are too optimistic (serial dependence, or changes the search "
            f"did not allow).",
            SerialCorrelationWarning,
            stacklevel=3,
        )


def _detect_defaults() -> dict[str, Any]:
    """The keyword defaults of :func:`detect` (one signature for both callers)."""
    params = inspect.signature(detect).parameters.values()
    return {q.name: q.default for q in params if q.kind is q.KEYWORD_ONLY}


def _detect(data: Any, *, func: str, **options: Any) -> Segmentation:
    """The body of :func:`detect`; ``func`` names the public caller in messages."""
    o = {**_detect_defaults(), **options}
    years, exposure, measure, freq = o["years"], o["exposure"], o["measure"], o["freq"]
    family, alpha, n_changes, max_changes = (
        o["family"], o["dispersion"], o["n_changes"], o["max_changes"]
    )  # fmt: skip
    penalty, min_size, method = o["penalty"], o["min_size"], o["method"]
    method = check_choice("method", method, ("exact", "pelt"), func=func)
    min_size = check_int("min_size", min_size, func=func, min_value=1)
    penalty = check_penalty(penalty, func)
    confidence = check_level("confidence", o["confidence"], func=func)
    n_changes = check_int("n_changes", n_changes, func=func, min_value=0, allow_none=True)
    max_changes = check_int("max_changes", max_changes, func=func, min_value=0, allow_none=True)
    alpha = check_float("dispersion", alpha, func=func, min_value=0.0, allow_none=True)
    check_choice("family", family, FAMILY_OPTIONS, func=func)
    if family == "poisson" and alpha is not None:
        raise ParameterError(
            f"The 'dispersion' parameter of {func} applies to family='negbin'. Got "
            f"dispersion={alpha} with family='poisson'."
        )
    if method == "pelt" and (n_changes is not None or max_changes is not None):
        raise ParameterError(
            f"{func}: method='pelt' chooses the number of changes by its penalty; "
            f"n_changes and max_changes apply to method='exact'."
        )
    atoms = _atoms_from(data, years, exposure, measure, freq, func)
    n = len(atoms)
    _check_room(n, 0, min_size, func, "n_changes")
    family, choice = resolve_detect_family(data, atoms, family, alpha, measure, func)
    alpha_estimated = family == "negbin" and alpha is None
    opts = {
        "family": family,
        "alpha_estimated": alpha_estimated,
        "min_size": min_size,
        "family_choice": choice,
    }
    if method == "pelt":
        beta = beta_of(penalty, n)
        if alpha_estimated:
            breaks, alpha = _pelt_profiled(atoms, beta, min_size, penalty == "mbic")
        else:
            cost = _make_cost(atoms, family, alpha)
            search = _LengthPenalised(cost, n) if penalty == "mbic" else cost
            breaks, _ = _pelt(search, n, beta, min_size)
        cost = _make_cost(atoms, family, alpha)
        return build(atoms, cost, breaks, method=method, penalty=penalty,
                     confidence=confidence, path=None, **opts)  # fmt: skip
    for k_, what in ((n_changes, "n_changes"), (max_changes, "max_changes")):
        if k_ is not None:
            _check_room(n, k_, min_size, func, what)
    chosen, levels = _exact(atoms, family, alpha, n_changes, max_changes, penalty, min_size)
    if alpha_estimated:
        lengths = penalty == "mbic" and n_changes is None
        chosen = _polish(atoms, chosen, min_size, lengths)
        if not lengths:  # the path shows the polished fit of the chosen level
            levels = [chosen if lv.k == chosen.k else lv for lv in levels]
    return build(
        atoms,
        _make_cost(atoms, family, chosen.alpha),
        list(chosen.breaks),
        method="exact",
        penalty="fixed" if n_changes is not None else penalty,
        confidence=confidence,
        path=_path_frame(levels, atoms, family, alpha_estimated),
        **opts,
    )


def _exact(
    atoms: Atoms,
    family: str,
    alpha: float | None,
    n_changes: int | None,
    max_changes: int | None,
    penalty: str | float,
    m: int,
) -> tuple[_Level, list[_Level]]:
    """Exact search: the chosen level and the path of every level.

    With the default cap, a criterion still improving at the cap raises it (doubling,
    up to the most changes the series can hold); with a cap the user set, a warning
    says so.
    """
    n = len(atoms)
    feasible = _feasible_max(n, m)
    auto = max_changes is None and n_changes is None
    if max_changes is not None:
        K = max(max_changes, n_changes or 0)
    elif n_changes is not None:
        K = n_changes
    else:
        K = min(_DEFAULT_MAX_CHANGES, feasible)
    alpha_estimated = family == "negbin" and alpha is None
    while True:
        levels = _levels(atoms, family, alpha, K, m)
        if n_changes is not None:
            return next(lv for lv in levels if lv.k == n_changes), levels
        if penalty == "mbic":
            pool = _levels(atoms, family, alpha, K, m, lengths=True)
            score = [lv.cost + 3.0 * math.log(n) * lv.k for lv in pool]
        else:
            pool = levels
            pen = [
                float(penalty) * lv.k
                if not isinstance(penalty, str)
                else n_params(lv.k, family, alpha_estimated)
                * (2.0 if penalty == "aic" else math.log(n))
                for lv in pool
            ]
            score = [lv.cost + p for lv, p in zip(pool, pen, strict=True)]
        chosen = pool[int(np.argmin(score))]
        if chosen.k < K or K >= feasible:
            return chosen, levels
        if not auto:
            warnings.warn(
                f"detect: the criterion ({penalty}) is still improving at "
                f"max_changes={K} (the best segmentation uses all {K} changes); raise "
                f"max_changes (the series can hold {feasible}) or use method='pelt'.",
                ApproximationWarning,
                stacklevel=4,
            )
            return chosen, levels
        K = min(2 * K, feasible)


@old_keywords(alpha="dispersion")
def segment_path(
    data: Any,
    *,
    years: Any = None,
    exposure: Any = None,
    measure: str | None = None,
    freq: str = "year",
    family: str = "auto",
    dispersion: float | None = None,
    max_changes: int | None = None,
    min_size: int = 1,
    **deprecated: Any,
) -> pd.DataFrame:
    """Best segmentation for every number of changes ``0..max_changes`` (exact).

    Parameters are those of :func:`detect`.

    Returns
    -------
    pandas.DataFrame
        One row per number of changes: ``cost`` (``-2 loglik``), ``loglik``, ``aic``,
        ``bic``, ``mbic`` (evaluated at that segmentation) and ``breaks`` (calendar
        labels of the first period of each new regime).

    References
    ----------
    Jackson et al. (2005), segment neighbourhood by dynamic programming.

    Examples
    --------
    >>> segment_path([5, 6, 4, 5, 1, 0, 2, 1], max_changes=2)["n_changes"].tolist()
    [0, 1, 2]
    """
    (dispersion,) = take_renamed("segment_path", deprecated, alpha=("dispersion", dispersion, None))
    seg = _detect(
        data,
        years=years,
        exposure=exposure,
        measure=measure,
        freq=freq,
        family=family,
        dispersion=dispersion,
        max_changes=max_changes,
        min_size=min_size,
        func="segment_path",
    )
    return seg.path

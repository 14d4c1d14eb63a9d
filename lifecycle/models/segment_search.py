"""Estimated phases: the search over break positions for a k-phase segmentation."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy import special

from lifecycle._core.errors import (
    DefinitionError,
    FitError,
    ParameterError,
    TooShortError,
)
from lifecycle._core.validation import check_choice, check_float, check_int
from lifecycle.models.fitcore import (
    FAMILIES,
    METHODS,
    SHAPES,
    WaveFit,
    check_series,
    estimate,
    fit_fixed,
)
from lifecycle.models.waves import Phase, WaveDefinition
from lifecycle.series.countseries import CountSeries, to_label

__all__ = ["best_segmentation", "search", "search_cost"]

_MAX_FITS = 5000


def search_cost(series: CountSeries, entry: Any, family: str, shape: str) -> int:
    """Fits one search needs on the slow path (0 for a dated definition or closed form)."""
    if isinstance(entry, WaveDefinition) and not entry.estimated:
        return 0
    if family == "poisson" and shape == "step" and series.is_exact and len(series.measures) == 1:
        return 0
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


def _poisson_step_fast(series: CountSeries) -> bool:
    return series.is_exact and len(series.measures) == 1


def _fast_logliks(series: CountSeries, combos: np.ndarray) -> np.ndarray:
    """Poisson step log-likelihood of many segmentations at once (closed form).

    With breaks at window starts of a single exact measure, a phase's MLE rate is its
    total count over its total exposure, and ``ℓ = Σ_phases C log(C/E) - C - Σ log y!``.
    """
    order = np.argsort(series.start)
    start = series.start[order]
    y = series.low[order]
    e = series.exposure[order]
    cy = np.concatenate([[0.0], np.cumsum(y)])
    ce = np.concatenate([[0.0], np.cumsum(e)])
    const = -np.sum(special.gammaln(y + 1))
    pos = np.searchsorted(start, combos)  # atom index where each phase starts
    n = start.size
    edges = np.concatenate(
        [np.zeros((combos.shape[0], 1), dtype=int), pos, np.full((combos.shape[0], 1), n)], axis=1
    )
    C = cy[edges[:, 1:]] - cy[edges[:, :-1]]
    E = ce[edges[:, 1:]] - ce[edges[:, :-1]]
    return np.sum(special.xlogy(C, C / E) - C, axis=1) + const


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
    conf_level: float,
    *,
    constraint: str | None = None,
    names: Sequence[str] | None = None,
    base: WaveDefinition | None = None,
) -> tuple[WaveFit, int]:
    """Best segmentation into ``k`` phases (or, with ``constraint='unimodal'``, at most k
    phases whose fitted rates rise then fall). Returns the fit and the number of
    candidate segmentations examined."""
    cand = _candidate_breaks(series)
    who = f"best segmentation ({k} phases)" if base is None else repr(base.name)
    if cand.size < k - 1:
        raise DefinitionError(
            f"{who}: a segmentation into {k} phases needs at least {k} distinct observation "
            f"windows; series {series.name!r} has {cand.size + 1}."
        )
    sizes = range(1, k + 1) if constraint == "unimodal" else [k]
    combos_by_size = {}
    for m in sizes:
        combos = list(itertools.combinations(cand.tolist(), m - 1))
        combos_by_size[m] = np.array(combos, dtype=np.int64).reshape(len(combos), m - 1)
    n_total = sum(c.shape[0] for c in combos_by_size.values())
    fast = family == "poisson" and shape == "step" and _poisson_step_fast(series)
    if not fast and n_total > _MAX_FITS:
        raise ParameterError(
            f"{who}: searching {k} phases over series {series.name!r} needs {n_total} fits "
            f"(more than {_MAX_FITS}); use family='poisson', shape='step' on an exact single "
            f"measure (closed form), aggregate the series, or pass include_estimated=False."
        )
    names = list(names) if names is not None else [f"phase {i + 1}" for i in range(k)]
    dirs = base.expected_directions() if base is not None else None
    if dirs is not None and list(dirs) == sorted(dirs, key=lambda x: x != "up"):
        updown = (dirs.count("up"), dirs.count("down"))
    else:
        updown = (k - 1, k - 1)
    best: tuple[float, tuple[int, ...]] | None = None
    for m, combos in combos_by_size.items():
        if fast:
            ll = _fast_logliks(series, combos)
            order = np.argsort(-ll, kind="stable")
            for idx in order:
                if best is not None and ll[idx] <= best[0]:
                    break
                rates = _fast_rates(series, combos[idx])
                if np.any(rates == 0):
                    continue  # a phase of zero counts: MLE on the boundary, skipped
                if constraint == "unimodal" and not _pattern_ok(rates / rates.max(), *updown):
                    continue
                best = (float(ll[idx]), tuple(int(x) for x in combos[idx]))
                break
        else:
            for b in combos:
                d = _segment_definition(series, b, [f"p{i}" for i in range(m)], "search", "")
                try:
                    # the two paths agree (tested); for NB our Newton is the faster one
                    m_used = "likelihood" if family == "negbin" and method == "auto" else method
                    e = estimate(series, d, family, shape, m_used, need_cov=False)
                except (FitError, DefinitionError, TooShortError):
                    continue
                if constraint == "unimodal":
                    beta = e.theta[: e.prob.p]
                    dsg = e.prob.design
                    curve = (dsg.X @ beta)[dsg.covered & (dsg.phase_of >= 0)]
                    if not (
                        _pattern_ok(curve, k, k, tol=1e-6)
                        and _pattern_ok(dsg.contrasts @ beta, *updown, tol=1e-6)
                    ):
                        continue
                if best is None or e.loglik > best[0] + 1e-9:
                    best = (e.loglik, tuple(int(x) for x in b))
    if best is None:
        raise FitError(
            f"{who}: no segmentation of series {series.name!r} into {k} phases could be fitted"
            + (" with unimodal rates." if constraint else ".")
        )
    breaks = best[1]
    m = len(breaks) + 1
    if constraint == "unimodal" and m < k:
        # name the phases by where the peak falls (rise part from the start of the names)
        fitted_rates = _rates_for(series, breaks, family, shape, method, conf_level)
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
            + f"{n_total} segmentations examined"
        )
    else:
        label = f"best segmentation ({k} phases, estimated)"
        note = f"break years estimated by exhaustive search over {n_total} segmentations"
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
        conf_level,
        n_breaks=k - 1,
        notes=(note,),
        n_tied=n_shape * (k - m),
    )
    return fit, n_total


def _peak_index(base: WaveDefinition | None, k: int) -> int:
    if base is not None:
        dirs = base.expected_directions()
        if dirs is not None and "down" in dirs:
            return dirs.index("down")
    return k // 2


def _fast_rates(series: CountSeries, breaks: np.ndarray) -> np.ndarray:
    order = np.argsort(series.start)
    start, y, e = series.start[order], series.low[order], series.exposure[order]
    pos = np.concatenate([[0], np.searchsorted(start, breaks), [start.size]])
    C = np.add.reduceat(y, pos[:-1]) if pos.size > 1 else np.array([y.sum()])
    E = np.add.reduceat(e, pos[:-1]) if pos.size > 1 else np.array([e.sum()])
    return C / E


def _rates_for(
    series: CountSeries,
    breaks: Sequence[int],
    family: str,
    shape: str,
    method: str,
    conf_level: float,
) -> np.ndarray:
    d = _segment_definition(series, breaks, [f"p{i}" for i in range(len(breaks) + 1)], "x", "")
    f = fit_fixed(series, d, family, shape, method, conf_level)
    first = f.phase_rates["measure"].iloc[0]
    return f.phase_rates.loc[f.phase_rates["measure"] == first, "rate"].to_numpy()


def best_segmentation(
    series: CountSeries,
    n_phases: int,
    family: str = "poisson",
    shape: str = "step",
    *,
    method: str = "auto",
    conf_level: float = 0.95,
) -> WaveFit:
    """The data-driven segmentation into ``n_phases`` phases with the highest likelihood.

    Breaks may fall at the start of any observation window (a change cannot be located
    inside a window known only in aggregate). For Poisson step fits of one exact measure
    every segmentation is scored in closed form; otherwise each is fitted with
    :func:`fit_waves` (at most 5000 fits). Segmentations that leave a phase with only
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
    family, shape, method, conf_level
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
    series = check_series(series, func)
    k = check_int("n_phases", n_phases, func=func, min_value=2)
    family = check_choice("family", family, FAMILIES, func=func)
    shape = check_choice("shape", shape, SHAPES, func=func)
    method = check_choice("method", method, METHODS, func=func)
    conf_level = check_float(
        "conf_level",
        conf_level,
        func=func,
        min_value=0,
        max_value=1,
        min_inclusive=False,
        max_inclusive=False,
    )
    fit, _ = search(series, k, family, shape, method, conf_level)
    return fit


# ====================================================================== directional tests

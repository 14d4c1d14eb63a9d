"""Fitted models over a series: segment rates and breaks, wave fits, the resurgence test."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes

from lifecycle.plotting.base import (
    _GID_BAD,
    FONT_SIZE,
    PALETTE,
    _calendar_ticks,
    _get_ax,
    _wrap,
    readable,
)

__all__ = [
    "plot_best_fit",
    "plot_change_probability",
    "plot_changepoints",
    "plot_fit",
    "plot_segmentation",
    "plot_test",
]


def plot_change_probability(
    periods: Any,
    probability: Sequence[float] | None = None,
    ax: Axes | None = None,
    *,
    freq: str = "year",
    color: str = "#D55E00",
    label: str = "P(change at start of period)",
) -> Axes:
    """Posterior probability of a change per period, as a stem plot on ``[0, 1]``.

    Parameters
    ----------
    periods : sequence or ChangePosterior
        Calendar labels (years or ``"YYYY-MM"``) of the periods where a new regime may
        start; or a :class:`lifecycle.changepoints.ChangePosterior`, whose ``labels``
        and ``prob_change`` are drawn.
    probability : sequence of float
        Probability that a new regime starts in each period (not with a posterior).
    ax : Axes, optional
        With the axes of :func:`plot_series`, pass ``ax.twinx()`` to overlay.

    Returns
    -------
    Axes
        One vertical line per period (a ``LineCollection``) and its marker line.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> ax = plot_change_probability([2016, 2017, 2018], [0.1, 0.7, 0.2], ax=ax)
    >>> [float(v) for v in ax.get_ylim()]
    [0.0, 1.0]
    """
    from lifecycle.series.countseries import to_ordinal

    if probability is None:
        if not (hasattr(periods, "labels") and hasattr(periods, "prob_change")):
            raise TypeError(
                "Expected periods and probabilities, or a ChangePosterior. "
                f"Got {type(periods).__name__} alone."
            )
        periods, probability = periods.labels, periods.prob_change
    prob = np.asarray(probability, dtype=float)
    periods = list(periods)
    if prob.shape != (len(periods),):
        raise ValueError(
            f"Expected one probability per period ({len(periods)}). Got shape {prob.shape}."
        )
    if np.any(~np.isfinite(prob) | (prob < -1e-12) | (prob > 1 + 1e-12)):
        raise ValueError(f"Probabilities must lie in [0, 1]. Got {prob.tolist()}.")
    ax = _get_ax(ax)
    ords = np.array([to_ordinal(p, freq) for p in periods], dtype=float)
    x = ords if freq == "year" else ords / 12.0
    ax.vlines(x, 0, prob, colors=color, linewidth=2.0, label=label, gid="change-probability")
    ax.plot(x, prob, linestyle="none", marker="o", color=color, markersize=4)
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("probability of a change")
    return ax


def plot_changepoints(
    segmentation: Any,
    ax: Axes | None = None,
    *,
    intervals: Any = None,
    color: str = "#D55E00",
    label: str | None = None,
) -> Axes:
    """Segment rates with their confidence bands, and the break years.

    Parameters
    ----------
    segmentation : lifecycle.changepoints.Segmentation
    ax : Axes, optional
        Usually the axes of :func:`plot_series` (same per-period scale).
    intervals : lifecycle.changepoints.BreakIntervals, optional
        Bootstrap intervals of the break locations, shaded around each break.
    color : str
    label : str, optional
        Legend text of the segment rates (default names the family and the criterion).

    Returns
    -------
    Axes
        One horizontal line per segment (``gid`` ``segment-<i>``) with its confidence
        band, one dashed vertical line per break (``gid`` ``break-<label>``) at the
        boundary before the first period of the new regime.

    Examples
    --------
    >>> from lifecycle.changepoints import detect
    >>> seg = detect([2, 3, 2, 12, 14, 11], years=range(2015, 2021))
    >>> fig, ax = new_figure()
    >>> ax = plot_changepoints(seg, ax=ax)
    >>> [ln.get_gid() for ln in ax.get_lines()]
    ['segment-0', 'segment-1', 'break-2018']
    """
    for attr in ("starts", "ends", "rates", "rate_ci", "breaks", "atoms"):
        if not hasattr(segmentation, attr):
            raise TypeError(
                f"Expected a Segmentation (with {attr!r}). Got {type(segmentation).__name__}."
            )
    from lifecycle.series.countseries import to_ordinal

    ax = _get_ax(ax)
    freq = segmentation.atoms.freq
    scale = 1.0 if freq == "year" else 12.0
    half = 0.5

    def x_of(lab: Any) -> float:
        return to_ordinal(lab, freq) / scale

    if label is None:
        crit = segmentation.penalty
        crit = crit.upper() if isinstance(crit, str) else f"penalty {crit:g}"
        pct = f"{100 * segmentation.confidence:g}%"
        label = f"segment rate ({segmentation.family}, {crit}) with {pct} CI"
    for i, (a, b) in enumerate(zip(segmentation.starts, segmentation.ends, strict=True)):
        x0, x1 = x_of(a) - half / scale, x_of(b) + half / scale
        rate = float(segmentation.rates[i])
        lo, hi = (float(v) for v in segmentation.rate_ci[i])
        (line,) = ax.plot(
            [x0, x1], [rate, rate], color=color, linewidth=2.2, label=label if i == 0 else None
        )
        line.set_gid(f"segment-{i}")
        if np.isfinite(lo) and np.isfinite(hi):
            ax.fill_between([x0, x1], [lo, lo], [hi, hi], color=color, alpha=0.15, linewidth=0)
    for j, brk in enumerate(segmentation.breaks):
        xb = x_of(brk) - half / scale
        (line,) = ax.plot(
            [xb, xb],
            [0, 1],
            transform=ax.get_xaxis_transform(),
            color=color,
            linestyle="--",
            linewidth=1.2,
            label="break (first year of a new regime)" if j == 0 else None,
        )
        line.set_gid(_GID_BAD.sub("_", f"break-{brk}"))
        if intervals is not None:
            lo_lab, hi_lab = intervals.low[j], intervals.high[j]
            ax.axvspan(
                x_of(lo_lab) - half / scale,
                x_of(hi_lab) - half / scale,
                color=color,
                alpha=0.08,
                label=f"{100 * intervals.confidence:g}% bootstrap interval of the break"
                if j == 0
                else None,
                gid=_GID_BAD.sub("_", f"break-interval-{brk}"),
            )
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=FONT_SIZE, loc="upper left")
    return ax


def plot_fit(
    fit: Any,
    ax: Axes | None = None,
    *,
    measures: Sequence[str] | None = None,
    colors: Sequence[str] = PALETTE,
    band: bool = True,
    label: str | None = None,
) -> Axes:
    """Fitted rates of a wave regression, with confidence bands.

    Parameters
    ----------
    fit : lifecycle.models.WaveFit
    ax : Axes, optional
        Usually the axes of :func:`plot_series` (same per-period scale).
    measures : sequence of str, optional
        Measures to draw (default: all of the fit).
    colors : sequence of str
        Colour of each measure in the order of the series' measures (the colours
        :func:`plot_series` gives their bars).
    band : bool
        Shade the confidence interval of each phase's rate (step shape only: for the
        trend and broken-stick shapes the fit reports intervals per phase, not per
        period, so no band is drawn rather than a misleading one).
    label : str, optional
        Legend text (default: the definition, family and shape).

    Returns
    -------
    Axes
        One step line per measure (``gid`` ``fit-<measure>``) over the periods in a
        phase, and one band per phase and measure.

    Examples
    --------
    >>> from lifecycle.models import fit_waves
    >>> from lifecycle.models.waves import WaveDefinition
    >>> s = CountSeries.from_counts([2001, 2002, 2003, 2004], [2, 4, 9, 7])
    >>> fit = fit_waves(s, WaveDefinition.from_breaks("w", [2001, 2003]))
    >>> fig, ax = new_figure()
    >>> [ln.get_gid() for ln in plot_fit(fit, ax=ax).get_lines()]
    ['fit-count']
    """
    for attr in ("fitted_rates", "phase_rates", "definition", "series", "shape"):
        if not hasattr(fit, attr):
            raise TypeError(f"Expected a WaveFit (with {attr!r}). Got {type(fit).__name__}.")
    from lifecycle.series.countseries import to_ordinal

    ax = _get_ax(ax)
    freq = fit.series.freq
    scale = 1.0 if freq == "year" else 12.0
    table = fit.fitted_rates
    drawn = list(measures) if measures is not None else list(dict.fromkeys(table["measure"]))
    if label is None:
        label = f"fit: {readable(fit.definition.name)} ({fit.family}, {fit.shape})"
    pct = f"{100 * getattr(fit, 'confidence', 0.95):g}%"
    order = list(fit.series.measures)
    for k, m in enumerate(drawn):
        color = colors[(order.index(m) if m in order else k) % len(colors)]
        sub = table[table["measure"] == m]
        if sub.empty:
            raise ValueError(
                f"Measure {m!r} is not in the fit. "
                f"Measures: {list(dict.fromkeys(table['measure']))}."
            )
        sub = sub[sub["phase"].isin(_phases_with_data(fit, m, sub))]
        if sub.empty:
            continue
        x = np.array([to_ordinal(v, freq) for v in sub["period"]], dtype=float) / scale
        rate = sub["rate"].to_numpy(dtype=float)
        xs = np.column_stack([x - 0.5 / scale, x + 0.5 / scale]).ravel()
        ys = np.repeat(rate, 2)
        # break the line where periods are not consecutive (outside every phase)
        gaps = np.flatnonzero(np.diff(x) > 1.5 / scale)
        for g in gaps[::-1]:
            xs = np.insert(xs, 2 * g + 2, np.nan)
            ys = np.insert(ys, 2 * g + 2, np.nan)
        name = label if len(drawn) == 1 else f"{label}: {readable(m)}"
        (line,) = ax.plot(
            xs,
            ys,
            color=color,
            linewidth=2.2,
            label=name,
            path_effects=[patheffects.withStroke(linewidth=3.6, foreground="white")],
        )
        line.set_gid(_GID_BAD.sub("_", f"fit-{m}"))
        if band and fit.shape == "step":
            pr = fit.phase_rates[fit.phase_rates["measure"] == m]
            first = True
            for _, row in pr.iterrows():
                in_phase = sub["phase"].to_numpy() == row["phase"]
                if not in_phase.any() or not np.isfinite([row["ci_low"], row["ci_high"]]).all():
                    continue
                xp = x[in_phase]
                ax.fill_between(
                    [xp.min() - 0.5 / scale, xp.max() + 0.5 / scale],
                    [row["ci_low"]] * 2,
                    [row["ci_high"]] * 2,
                    color=color,
                    alpha=0.18,
                    linewidth=0,
                    label=f"{pct} CI of the phase rate" if (first and k == 0) else None,
                )
                first = False
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=FONT_SIZE, loc="upper left")
    return ax


def plot_test(
    result: Any,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    ylabel: str | None = None,
) -> Axes:
    """Observed rates with the fitted null (H0) and alternative (H1) rate curves.

    Parameters
    ----------
    result : TestResult
        A result whose ``details["fitted"]`` table has columns ``start``, ``end``,
        ``rate``, ``h0_rate`` and ``h1_rate`` (as from
        :func:`lifecycle.inference.test_resurgence`).
    ax : Axes, optional
    title : str, optional
    ylabel : str, optional
        Unit of the rates (default "rate per year" or "rate per month").

    Returns
    -------
    Axes
        Three lines (``gid`` ``observed``, ``h0``, ``h1``) drawn as steps over each
        observation window, and the p-value in the legend title.

    Examples
    --------
    >>> from lifecycle.inference import test_resurgence
    >>> res = test_resurgence([3, 6, 10, 7, 3, 2, 4, 7, 10, 9], years=range(2011, 2021),
    ...                       n_boot=99, seed=1)
    >>> fig, ax = new_figure()
    >>> [ln.get_gid() for ln in plot_test(res, ax=ax).get_lines()]
    ['observed', 'h0', 'h1']
    """
    details = getattr(result, "details", None)
    fitted = details.get("fitted") if isinstance(details, Mapping) else None
    needed = ("start", "end", "rate", "h0_rate", "h1_rate")
    if not isinstance(fitted, pd.DataFrame) or any(c not in fitted.columns for c in needed):
        raise TypeError(
            "Expected a test result whose details['fitted'] table has columns "
            f"{list(needed)} (from lifecycle.inference.test_resurgence). "
            f"Got {type(result).__name__}."
        )
    ax = _get_ax(ax)
    freq = "month" if isinstance(fitted["start"].iloc[0], str) else "year"
    from lifecycle.series.countseries import to_ordinal

    s = np.array([to_ordinal(v, freq) for v in fitted["start"]], dtype=float)
    e = np.array([to_ordinal(v, freq) for v in fitted["end"]], dtype=float)
    scale = 1.0 if freq == "year" else 12.0
    half = 0.5
    left, right = (s - half) / scale, (e + half) / scale

    def steps(values: np.ndarray, joined: bool = True) -> tuple[np.ndarray, np.ndarray]:
        if not joined:  # one level per window, no vertical joins (the observations)
            gap = np.full(left.size, np.nan)
            xs = np.column_stack([left, right, gap]).ravel()
            ys = np.column_stack([values, values, gap]).ravel().astype(float)
            return xs, ys
        xs = np.column_stack([left, right]).ravel()
        ys = np.repeat(np.asarray(values, dtype=float), 2)
        # no line across periods without an observation
        for g in np.flatnonzero(left[1:] > right[:-1] + 1e-9)[::-1]:
            xs = np.insert(xs, 2 * g + 2, np.nan)
            ys = np.insert(ys, 2 * g + 2, np.nan)
        return xs, ys

    styles = (
        (
            "rate",
            "observed",
            "observed count / exposure",
            dict(color="0.3", linewidth=2.0, alpha=0.8),
        ),
        (
            "h0_rate",
            "h0",
            "H0: " + str(getattr(result, "null", "null")),
            dict(color="#0072B2", linewidth=2.0),
        ),
        (
            "h1_rate",
            "h1",
            "H1: " + str(getattr(result, "alternative", "alternative")),
            dict(color="#D55E00", linewidth=2.0, linestyle="--"),
        ),
    )
    for col, gid, label, style in styles:
        xs, ys = steps(fitted[col].to_numpy(), joined=gid != "observed")
        (line,) = ax.plot(xs, ys, label=_wrap(label, 60), **style)
        line.set_gid(gid)
    _calendar_ticks(ax, left.min() + 0.5 / scale, right.max() - 0.5 / scale, freq)
    ax.set_xlabel("year")
    per = "year" if freq == "year" else "month"
    ax.set_ylabel(ylabel if ylabel is not None else f"rate per {per}")
    ax.set_ylim(bottom=0)
    p = getattr(result, "p_value", None)
    legend_title = None if p is None else f"p = {p:.3g} ({getattr(result, 'name', 'test')})"
    ax.legend(fontsize=FONT_SIZE, title=legend_title, title_fontsize=FONT_SIZE, loc="upper left")
    if title is not None:
        ax.set_title(title)
    return ax


def _phases_with_data(fit: Any, measure: str, rates: pd.DataFrame) -> set[Any]:
    """The phases in which ``measure`` has at least one observation of the fitted series.

    A phase rate of a measure with no observation in that phase is an extrapolation of
    the model, not something the data say: it is not drawn.
    """
    from lifecycle.series.countseries import to_ordinal

    s = fit.series
    covered: set[int] = set()
    for i, m in enumerate(s.measure):
        if m == measure:
            covered.update(range(int(s.start[i]), int(s.end[i]) + 1))
    return {
        phase
        for period, phase in zip(rates["period"], rates["phase"], strict=True)
        if to_ordinal(period, s.freq) in covered
    }


def plot_segmentation(segmentation: Any, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """The segmented data (observed rate per window) with the segments and breaks.

    Parameters
    ----------
    segmentation : lifecycle.changepoints.Segmentation
    ax : Axes, optional
    **kwargs
        Passed to :func:`plot_changepoints`.

    Returns
    -------
    Axes
        A line of observed rates (``gid`` ``observed``) under the lines of
        :func:`plot_changepoints`.
    """
    atoms = getattr(segmentation, "atoms", None)
    if atoms is None or not hasattr(atoms, "count"):
        raise TypeError(f"Expected a Segmentation. Got {type(segmentation).__name__}.")
    ax = _get_ax(ax)
    scale = 1.0 if atoms.freq == "year" else 12.0
    mid = (np.asarray(atoms.start, dtype=float) + np.asarray(atoms.end, dtype=float)) / 2 / scale
    rate = np.asarray(atoms.count, dtype=float) / np.asarray(atoms.exposure, dtype=float)
    (line,) = ax.plot(
        mid, rate, linestyle="none", marker="o", color="0.3", label="observed count / exposure"
    )
    line.set_gid("observed")
    plot_changepoints(segmentation, ax=ax, **kwargs)
    first, last = float(np.min(atoms.start)) / scale, float(np.max(atoms.end)) / scale
    _calendar_ticks(ax, first, last, atoms.freq)
    ax.set_xlabel("year")
    ax.set_ylabel("rate per " + ("year" if atoms.freq == "year" else "month"))
    return ax


def plot_best_fit(comparison: Any, ax: Axes | None = None) -> Axes:
    """The series with the fit of a comparison's best definition and its phases.

    Parameters
    ----------
    comparison : lifecycle.inference.Comparison
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    from lifecycle.plotting.series import plot_phases, plot_series

    fits = getattr(comparison, "fits", None)
    if not isinstance(fits, Mapping) or not fits:
        raise TypeError(
            f"Expected a Comparison with at least one fit. Got {type(comparison).__name__}."
        )
    fit = fits[comparison.best]
    ax = _get_ax(ax)
    plot_series(fit.series, ax=ax, annotate=False)
    if fit.definition.n_phases >= 2:
        plot_phases(fit.definition, ax=ax, freq=fit.series.freq, legend=False)
    return plot_fit(fit, ax=ax)

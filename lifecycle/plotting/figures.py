"""Figures from series and results (matplotlib only here).

Every ``plot_*`` function takes ``ax=None`` and returns the :class:`~matplotlib.axes.Axes`
it drew on: with ``ax=None`` a new figure is made with pyplot (so that notebooks show it),
otherwise the given axes are used and nothing else is touched. Library code never calls
``plt.show()``.

Conventions of the drawings
---------------------------
* **Series as bars.** An observation of one period is a bar over that period. An
  observation over a multi-period *window* (a count given for 2015–2017 together) is one
  bar *spanning* the window at the window's mean per period (count / number of periods),
  annotated with its total, so it is never mistaken for a yearly value. A count interval
  ``[low, high]`` is a hatched bar at its midpoint with a whisker from ``low`` to
  ``high``; an open interval (``high = inf``) is a hatched bar at ``low`` with an upward
  caret. Periods that no observation covers are marked "no number" on the axis — they
  are never drawn as zero.
* **Traceable.** Each bar carries the ids of the evidence rows behind it: as a small
  annotation above the bar and as the bar's ``gid`` (``obs-<i>-<ids>``), which the SVG
  output keeps as the element id.
* **Calendar ticks.** Users see calendar years (or ``YYYY-MM`` months); the internal
  ordinals never reach a label.

:func:`save_figure` writes PNG and SVG files that are byte-identical across runs (fixed
SVG hash salt, no dates or software stamps in the metadata). :func:`new_figure` makes a
figure without pyplot, for batch use (reports) where no GUI backend must be selected.

References
----------
Hunter, J. D. (2007). Matplotlib: a 2D graphics environment. *Computing in Science &
Engineering* 9(3), 90–95.

Examples
--------
>>> from lifecycle.series import CountSeries
>>> s = CountSeries.from_counts([2015, 2016, 2017], [4, 9, 3])
>>> fig, ax = new_figure()
>>> ax = plot_series(s, ax=ax)
>>> len(ax.patches)
3
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lifecycle.series.countseries import CountSeries, to_label

__all__ = [
    "legend_outside",
    "new_figure",
    "plot_change_probability",
    "plot_changepoints",
    "plot_comparison",
    "plot_fit",
    "plot_phases",
    "plot_power",
    "plot_series",
    "plot_test",
    "save_figure",
]

#: Colours of successive measures / definitions (colour-blind safe, Okabe & Ito 2008).
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

_GID_BAD = re.compile(r"[^A-Za-z0-9_.:-]+")


# ---------------------------------------------------------------------- figures and files
def _get_ax(ax: Axes | None, figsize: tuple[float, float] = (7.0, 4.0)) -> Axes:
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"Expected a matplotlib Axes for 'ax'. Got {type(ax).__name__}.")
        return ax
    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def new_figure(
    width: float = 7.0, height: float = 4.0, *, nrows: int = 1, ncols: int = 1
) -> tuple[Figure, Any]:
    """A figure and its axes made without pyplot (no backend, no global state).

    Parameters
    ----------
    width, height : float
        Size in inches.
    nrows, ncols : int
        Grid of subplots; the axes come back as ``Figure.subplots`` returns them.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : Axes or ndarray of Axes

    Examples
    --------
    >>> fig, ax = new_figure(4, 3)
    >>> fig.get_size_inches().tolist()
    [4.0, 3.0]
    """
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots(nrows, ncols, squeeze=True)


def save_figure(fig: Figure, stem: str | Path, *, dpi: int = 150) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg``, byte-identical for identical figures.

    The SVG hash salt and element-id prefix are fixed and the ``Date`` metadata is
    dropped; the PNG drops the ``Software`` stamp. Nothing else about the files depends
    on time or machine state.

    Parameters
    ----------
    fig : Figure
    stem : str or Path
        Path without suffix.
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    list of Path
        The two files written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fig, ax = new_figure()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.suffix for p in save_figure(fig, pathlib.Path(d) / "f")]
    ['.png', '.svg']
    """
    stem = Path(stem)
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    with matplotlib.rc_context({"svg.hashsalt": "lifecycle", "svg.id": stem.name}):
        fig.savefig(png, dpi=dpi, metadata={"Software": None})
        fig.savefig(svg, metadata={"Date": None, "Creator": None})
    return [png, svg]


def legend_outside(ax: Axes, *, fontsize: float = 6.5) -> Axes:
    """Move the legend of ``ax`` to the right of the axes (for crowded figures).

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([0, 1], [0, 1], label="a")
    >>> legend_outside(ax).get_legend().get_texts()[0].get_text()
    'a'
    """
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            fontsize=fontsize,
            frameon=False,
            borderaxespad=0.0,
        )
    return ax


# ---------------------------------------------------------------------- helpers
def _positions(series: CountSeries, ordinals: np.ndarray) -> np.ndarray:
    """x positions of period ordinals: years as themselves, months in fractional years."""
    ordinals = np.asarray(ordinals, dtype=float)
    if series.freq == "year":
        return ordinals
    return ordinals / 12.0


def _period_width(freq: str) -> float:
    return 1.0 if freq == "year" else 1.0 / 12.0


def _calendar_ticks(ax: Axes, first: float, last: float, freq: str) -> None:
    """Integer calendar-year ticks between ``first`` and ``last`` (x positions)."""
    if freq == "year":
        years = np.arange(int(np.floor(first)), int(np.ceil(last)) + 1)
        step = max(1, int(np.ceil(len(years) / 14)))
        ax.set_xticks(years[::step])
        ax.set_xticklabels([str(y) for y in years[::step]])
    else:
        years = np.arange(int(np.floor(first)), int(np.floor(last)) + 1)
        step = max(1, int(np.ceil(len(years) / 14)))
        ax.set_xticks(years[::step])
        ax.set_xticklabels([str(y) for y in years[::step]])


def _gid(index: int, ids: Sequence[str]) -> str:
    return _GID_BAD.sub("_", f"obs-{index}-" + "_".join(ids)).rstrip("-_")


def _window_text(series: CountSeries, i: int) -> str:
    s, e = to_label(series.start[i], series.freq), to_label(series.end[i], series.freq)
    return f"{s}" if s == e else f"{s}–{e}"


def _ids_text(ids: Sequence[str], limit: int = 3) -> str:
    """Evidence ids for an annotation: all of a few, or the first ones and how many more."""
    ids = list(ids)
    if len(ids) <= limit:
        return ", ".join(ids)
    return ", ".join(ids[:2]) + f" +{len(ids) - 2} more"


def _fmt(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


# ---------------------------------------------------------------------- series
def plot_series(
    series: CountSeries,
    ax: Axes | None = None,
    *,
    measures: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    annotate: bool = True,
    mark_missing: bool = True,
    colors: Sequence[str] = PALETTE,
    ylabel: str | None = None,
    title: str | None = None,
) -> Axes:
    """Draw a count series as bars, one group of bars per measure.

    Parameters
    ----------
    series : CountSeries
    ax : Axes, optional
    measures : sequence of str, optional
        Measures to draw, in this order (default: all, in order of appearance).
    labels : mapping, optional
        Legend text of each measure (default: the measure label).
    annotate : bool
        Write the evidence ids above each bar (and the total of multi-period windows).
    mark_missing : bool
        Write "no number" at periods no observation of any drawn measure covers.
    colors : sequence of str
        Colour of each measure, in order.
    ylabel, title : str, optional

    Returns
    -------
    Axes
        With one bar patch per observation drawn (``ax.patches``) in observation order,
        each with ``gid`` ``obs-<index>-<evidence ids>``.

    Notes
    -----
    Bar heights are counts per fully observed period: a window's bar stands at its count
    divided by its exposure (the number of periods it spans when all are fully observed,
    less for a partly observed one, such as a source written mid-year); an interval's bar
    at its midpoint (at ``low`` when open), with a whisker over ``[low, high]`` on the
    same scale.

    Examples
    --------
    >>> s = CountSeries.from_windows([2015, 2018], [2017, 2018], [30, 5], [30, 9])
    >>> fig, ax = new_figure()
    >>> ax = plot_series(s, ax=ax)
    >>> [round(float(p.get_width()), 1) for p in ax.patches]
    [2.8, 0.8]
    """
    if not isinstance(series, CountSeries):
        raise TypeError(f"Expected a CountSeries. Got {type(series).__name__}.")
    ax = _get_ax(ax)
    drawn = list(measures) if measures is not None else list(series.measures)
    unknown = [m for m in drawn if m not in series.measures]
    if unknown:
        raise ValueError(
            f"Measures {unknown} are not in the series. Measures present: {list(series.measures)}."
        )
    labels = dict(labels or {})
    period = _period_width(series.freq)
    group = 0.8 * period
    width = group / max(len(drawn), 1)
    top = 0.0
    for k, m in enumerate(drawn):
        color = colors[k % len(colors)]
        idx = [i for i, mm in enumerate(series.measure) if mm == m]
        first_bar = True
        for i in idx:
            n_per = int(series.end[i] - series.start[i] + 1)
            lo, hi = float(series.low[i]), float(series.high[i])
            exact, open_ = lo == hi, np.isinf(hi)
            expo = float(series.weights[i].sum())
            lo_p = lo / expo
            hi_p = hi / expo
            height = lo_p if (exact or open_) else (lo_p + hi_p) / 2.0
            x0 = _positions(series, np.array([series.start[i]]))[0] - group / 2 + k * width
            span = (n_per - 1) * period + width
            bars = ax.bar(
                x0,
                height,
                width=span,
                align="edge",
                color=color,
                alpha=0.85 if n_per == 1 else 0.45,
                edgecolor=color,
                hatch=None if exact else "//",
                label=labels.get(m, m) if first_bar else None,
            )
            first_bar = False
            bar = bars.patches[0]
            bar.set_gid(_gid(i, series.provenance[i]))
            xc = x0 + span / 2
            ymax = height
            if not exact and not open_:
                ax.errorbar(
                    [xc],
                    [height],
                    yerr=[[height - lo_p], [hi_p - height]],
                    fmt="none",
                    ecolor="black",
                    elinewidth=1.0,
                    capsize=3,
                )
                ymax = hi_p
            elif open_:
                ax.plot([xc], [lo_p], marker="^", color="black", markersize=6, linestyle="none")
                ymax = lo_p
            top = max(top, ymax)
            if annotate:
                parts = []
                if n_per > 1:
                    total = (
                        _fmt(lo)
                        if exact
                        else (f"≥{_fmt(lo)}" if open_ else f"{_fmt(lo)}–{_fmt(hi)}")
                    )
                    parts.append(f"{total} in {_window_text(series, i)}")
                if series.provenance[i]:
                    parts.append(_ids_text(series.provenance[i]))
                if parts:
                    # a window's note sits at its left end (even measures) or right end
                    # (odd ones), so that notes of windows sharing a span do not overlap
                    side = "center" if n_per == 1 else ("left" if k % 2 == 0 else "right")
                    xa = {"center": xc, "left": x0, "right": x0 + span}[side]
                    ax.annotate(
                        "\n".join(parts),
                        (xa, ymax),
                        xytext=(0, 3),
                        textcoords="offset points",
                        ha=side,
                        va="bottom",
                        fontsize=6,
                        color="0.25",
                    )
    if mark_missing:
        covered = np.zeros(series.n_periods, dtype=bool)
        for i, m in enumerate(series.measure):
            if m in drawn:
                covered[
                    series.start[i] - series.grid_start : series.end[i] - series.grid_start + 1
                ] = True
        for o in series.grid[~covered]:
            ax.text(
                _positions(series, np.array([o]))[0],
                0,
                "no number",
                rotation=90,
                ha="center",
                va="bottom",
                fontsize=7,
                color="0.45",
                gid=f"missing-{to_label(o, series.freq)}",
            )
    x_first = _positions(series, np.array([series.grid_start]))[0]
    x_last = _positions(series, np.array([series.grid_end]))[0]
    ax.set_xlim(x_first - 0.6 * period, x_last + 0.6 * period)
    _calendar_ticks(ax, x_first, x_last, series.freq)
    ax.set_ylim(0, max(top, 1.0) * 1.25)
    ax.set_xlabel("year")
    per = "year" if series.freq == "year" else "month"
    ax.set_ylabel(ylabel if ylabel is not None else f"count per {per}")
    if title is not None:
        ax.set_title(title)
    elif series.name:
        ax.set_title(series.name)
    if len(drawn) > 1 or labels:
        ax.legend(fontsize=8, loc="upper left")
    return ax


# ---------------------------------------------------------------------- wave phases
def plot_phases(
    definition: Any,
    ax: Axes | None = None,
    *,
    freq: str = "year",
    colors: Sequence[str] = ("#e6e6e6", "#f5f5f5"),
    label_phases: bool = True,
    legend: bool = True,
) -> Axes:
    """Shade the phases of a wave definition, with their names and source.

    Parameters
    ----------
    definition : lifecycle.models.waves.WaveDefinition
    ax : Axes, optional
        Usually the axes of :func:`plot_series`, drawn first so that the x range is set:
        open phases (from the start, to the present) run to the edge of the axes.
    freq : {"year", "month"}
        Grid of the series the axes show (months are drawn in fractional years).
    colors : sequence of str
        Alternating shades of the phases.
    label_phases : bool
        Write each phase's name and years at the top of its span.
    legend : bool
        Add a legend entry naming the definition and its source id.

    Returns
    -------
    Axes
        One shaded span per dated phase (``gid`` ``phase-<name>``). An *estimated*
        definition (break years from the data) has no dates: nothing is shaded and a
        note says so.

    Examples
    --------
    >>> from lifecycle.models.waves import WaveDefinition
    >>> d = WaveDefinition.from_breaks("toy", [2015, 2019], names=["up", "down"], end=2022)
    >>> fig, ax = new_figure()
    >>> _ = ax.set_xlim(2014, 2023)
    >>> ax = plot_phases(d, ax=ax)
    >>> [p.get_gid() for p in ax.patches]
    ['phase-up', 'phase-down']
    """
    for attr in ("phases", "name", "estimated"):
        if not hasattr(definition, attr):
            raise TypeError(
                f"Expected a WaveDefinition (with {attr!r}). Got {type(definition).__name__}."
            )
    ax = _get_ax(ax)
    source = getattr(definition, "source_id", None) or getattr(definition, "citation", "")
    title = f"{definition.name}" + (f" ({source})" if source else "")
    if definition.estimated:
        ax.text(
            0.01,
            0.98,
            f"{title}: break years estimated from the series",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=7,
            color="0.3",
        )
        return ax
    x_lo, x_hi = ax.get_xlim()
    half = _period_width(freq) / 2
    for k, phase in enumerate(definition.phases):
        start, end = phase.bounds(freq)
        to_x = (lambda o: o) if freq == "year" else (lambda o: o / 12.0)
        left = x_lo if start is None else to_x(start) - half
        right = x_hi if end is None else to_x(end) + half
        left, right = max(left, x_lo), min(right, x_hi)
        if right <= left:
            continue
        span = ax.axvspan(
            left,
            right,
            facecolor=colors[k % len(colors)],
            edgecolor="0.6",
            linewidth=0.6,
            zorder=0,
            label=title if (legend and k == 0) else None,
        )
        span.set_gid(_GID_BAD.sub("_", f"phase-{phase.name}"))
        if label_phases:
            ax.text(
                (left + right) / 2,
                0.99,
                f"{phase.name}\n{phase.text()}",
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="top",
                fontsize=7,
                color="0.2",
                gid=_GID_BAD.sub("_", f"phase-label-{phase.name}"),
            )
    ax.set_xlim(x_lo, x_hi)
    if legend:
        ax.legend(fontsize=7, loc="upper right")
    return ax


# ---------------------------------------------------------------------- change points
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
        label = (
            f"segment rate ({segmentation.family}, {crit}) with {100 * segmentation.level:g}% CI"
        )
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
                label=f"{100 * intervals.level:g}% bootstrap interval of the break"
                if j == 0
                else None,
                gid=_GID_BAD.sub("_", f"break-interval-{brk}"),
            )
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, loc="upper left")
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
    fit : lifecycle.models.regression.WaveFit
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
    >>> from lifecycle.models.regression import fit_waves
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
        label = f"fit: {fit.definition.name} ({fit.family}, {fit.shape})"
    pct = f"{100 * getattr(fit, 'conf_level', 0.95):g}%"
    order = list(fit.series.measures)
    for k, m in enumerate(drawn):
        color = colors[(order.index(m) if m in order else k) % len(colors)]
        sub = table[table["measure"] == m]
        if sub.empty:
            raise ValueError(
                f"Measure {m!r} is not in the fit. "
                f"Measures: {list(dict.fromkeys(table['measure']))}."
            )
        x = np.array([to_ordinal(v, freq) for v in sub["period"]], dtype=float) / scale
        rate = sub["rate"].to_numpy(dtype=float)
        xs = np.column_stack([x - 0.5 / scale, x + 0.5 / scale]).ravel()
        ys = np.repeat(rate, 2)
        # break the line where periods are not consecutive (outside every phase)
        gaps = np.flatnonzero(np.diff(x) > 1.5 / scale)
        for g in gaps[::-1]:
            xs = np.insert(xs, 2 * g + 2, np.nan)
            ys = np.insert(ys, 2 * g + 2, np.nan)
        name = label if len(drawn) == 1 else f"{label}: {m}"
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
    ax.legend(fontsize=7, loc="upper left")
    return ax


# ---------------------------------------------------------------------- comparison
def plot_comparison(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    row: str | Sequence[str] = ("indicator", "reading"),
    column: str = "definition",
    value: str = "akaike_weight",
    cmap: str = "Blues",
    title: str | None = None,
) -> Axes:
    """Heat map of a comparison table (e.g. Akaike weights per indicator and reading).

    Parameters
    ----------
    table : DataFrame
        Long format: one row per (row keys, column key) with a numeric ``value``.
    row : str or sequence of str
        Column(s) whose combinations make the rows of the map.
    column : str
        Column whose values make the columns of the map (the definitions).
    value : str
        The number shown (in ``[0, 1]`` for weights; any finite number otherwise).

    Returns
    -------
    Axes
        An image with one cell per (row, column) and the value written in each cell;
        missing combinations are blank and marked "–".

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["attacks"] * 2, "reading": ["r1"] * 2,
    ...                   "definition": ["a", "b"], "akaike_weight": [0.25, 0.75]})
    >>> fig, ax = new_figure()
    >>> ax = plot_comparison(t, ax=ax)
    >>> [t.get_text() for t in ax.texts]
    ['0.25', '0.75']
    """
    rows = [row] if isinstance(row, str) else list(row)
    missing = [c for c in [*rows, column, value] if c not in table.columns]
    if missing:
        raise ValueError(
            f"The comparison table lacks columns {missing}. Got {list(map(str, table.columns))}."
        )
    if len(table) == 0:
        raise ValueError("The comparison table is empty; there is nothing to draw.")
    ax = _get_ax(ax, figsize=(7.0, 1.2 + 0.35 * len(table)))
    keys = list(dict.fromkeys(tuple(str(r[c]) for c in rows) for _, r in table.iterrows()))
    cols = list(dict.fromkeys(str(c) for c in table[column]))
    grid = np.full((len(keys), len(cols)), np.nan)
    for _, r in table.iterrows():
        i = keys.index(tuple(str(r[c]) for c in rows))
        j = cols.index(str(r[column]))
        grid[i, j] = float(r[value])
    finite = grid[np.isfinite(grid)]
    lo, hi = (
        (0.0, 1.0)
        if finite.size == 0 or (finite.min() >= 0 and finite.max() <= 1)
        else (
            float(finite.min()),
            float(finite.max()),
        )
    )
    image = ax.imshow(
        np.ma.masked_invalid(grid),
        cmap=cmap,
        vmin=lo,
        vmax=hi,
        aspect="auto",
        interpolation="nearest",
    )
    for i in range(len(keys)):
        for j in range(len(cols)):
            v = grid[i, j]
            dark = np.isfinite(v) and (v - lo) > 0.6 * (hi - lo)
            ax.text(
                j,
                i,
                "–" if not np.isfinite(v) else f"{v:.2f}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if dark else "black",
            )
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, rotation=30, ha="right", fontsize=7)
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels([" · ".join(k) for k in keys], fontsize=7)
    ax.set_xlabel(column)
    ax.figure.colorbar(image, ax=ax, label=value.replace("_", " "), shrink=0.8)
    if title is not None:
        ax.set_title(title)
    return ax


# ---------------------------------------------------------------------- power
def plot_power(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    x: str,
    y: str = "power",
    group: str | None = None,
    low: str | None = None,
    high: str | None = None,
    level: float | None = 0.05,
    title: str | None = None,
) -> Axes:
    """Power curves: rejection rate against an effect size or a series length.

    Parameters
    ----------
    table : DataFrame
        One row per simulated setting.
    x, y : str
        Columns for the horizontal axis and the power (default ``"power"``).
    group : str, optional
        Column that splits the rows into curves (one line per value).
    low, high : str, optional
        Columns of a confidence band of the power (Monte Carlo error).
    level : float, optional
        The test's level, drawn as a dashed horizontal line (the power under the null).

    Returns
    -------
    Axes
        One line per group (``gid`` ``power-<group value>``).

    Examples
    --------
    >>> t = pd.DataFrame({"effect": [1, 2, 3], "power": [0.05, 0.4, 0.9]})
    >>> fig, ax = new_figure()
    >>> ax = plot_power(t, ax=ax, x="effect")
    >>> len(ax.get_lines())
    2
    """
    needed = [c for c in (x, y, group, low, high) if c is not None]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(
            f"The power table lacks columns {missing}. Got {list(map(str, table.columns))}."
        )
    ax = _get_ax(ax)
    groups = [(None, table)] if group is None else list(table.groupby(group, sort=False))
    for k, (g, sub) in enumerate(groups):
        sub = sub.sort_values(x)
        color = PALETTE[k % len(PALETTE)]
        name = "power" if g is None else f"{group} = {g}"
        (line,) = ax.plot(sub[x], sub[y], marker="o", color=color, label=name)
        line.set_gid(_GID_BAD.sub("_", f"power-{g if g is not None else 'all'}"))
        if low is not None and high is not None:
            ax.fill_between(sub[x], sub[low], sub[high], color=color, alpha=0.2, linewidth=0)
    if level is not None:
        ax.axhline(level, color="0.4", linestyle="--", linewidth=1, label=f"level {level:g}")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel("power (rejection rate)")
    if title is not None:
        ax.set_title(title)
    ax.legend(fontsize=7, loc="lower right")
    return ax


# ---------------------------------------------------------------------- tests
def plot_test(
    result: Any,
    ax: Axes | None = None,
    *,
    title: str | None = None,
) -> Axes:
    """Observed rates with the fitted null (H0) and alternative (H1) rate curves.

    Parameters
    ----------
    result : TestResult
        A result whose ``details["fitted"]`` table has columns ``start``, ``end``,
        ``rate``, ``h0_rate`` and ``h1_rate`` (as from
        :func:`lifecycle.inference.test_resurgence`).
    ax : Axes, optional

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

    def steps(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xs = np.column_stack([left, right]).ravel()
        ys = np.repeat(np.asarray(values, dtype=float), 2)
        return xs, ys

    styles = (
        (
            "rate",
            "observed",
            "observed count / exposure",
            dict(color="0.3", linewidth=1.0, marker=".", alpha=0.8),
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
        xs, ys = steps(fitted[col].to_numpy())
        (line,) = ax.plot(xs, ys, label=_wrap(label, 60), **style)
        line.set_gid(gid)
    _calendar_ticks(ax, left.min() + 0.5 / scale, right.max() - 0.5 / scale, freq)
    ax.set_xlabel("year")
    ax.set_ylabel("rate per " + ("year" if freq == "year" else "month"))
    ax.set_ylim(bottom=0)
    p = getattr(result, "p_value", None)
    legend_title = None if p is None else f"p = {p:.3g} ({getattr(result, 'name', 'test')})"
    ax.legend(fontsize=7, title=legend_title, title_fontsize=7, loc="upper left")
    if title is not None:
        ax.set_title(title)
    return ax


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text

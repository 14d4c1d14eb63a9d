"""Count series as bars, and the phases of a wave definition as shaded spans."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from lifecycle.plotting.base import (
    _GID_BAD,
    FONT_SIZE,
    PALETTE,
    _calendar_ticks,
    _fmt,
    _get_ax,
    _gid,
    _ids_text,
    _period_width,
    _positions,
    _window_text,
    readable,
)
from lifecycle.series.countseries import CountSeries, to_label

__all__ = ["plot_phases", "plot_series"]


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
        Legend text of each measure (default: the measure label, readable).
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
        idx = [i for i, mm in enumerate(series.measure) if mm == m]
        for j, i in enumerate(idx):
            x0 = _positions(series, np.array([series.start[i]]))[0] - group / 2 + k * width
            ymax = _draw_observation(
                ax,
                series,
                i,
                x0=x0,
                width=width,
                color=colors[k % len(colors)],
                label=labels.get(m, readable(m)) if j == 0 else None,
                annotate=annotate,
                side_left=k % 2 == 0,
            )
            top = max(top, ymax)
    if mark_missing:
        _mark_missing(ax, series, drawn)
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
        ax.legend(fontsize=FONT_SIZE, loc="upper left")
    return ax


def _draw_observation(
    ax: Axes,
    series: CountSeries,
    i: int,
    *,
    x0: float,
    width: float,
    color: str,
    label: str | None,
    annotate: bool,
    side_left: bool,
) -> float:
    """One observation as a bar (spanning its window), with whisker and note; its top."""
    period = _period_width(series.freq)
    n_per = int(series.end[i] - series.start[i] + 1)
    lo, hi = float(series.low[i]), float(series.high[i])
    exact, open_ = lo == hi, np.isinf(hi)
    expo = float(series.weights[i].sum())
    lo_p, hi_p = lo / expo, hi / expo
    height = lo_p if (exact or open_) else (lo_p + hi_p) / 2.0
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
        label=label,
    )
    bars.patches[0].set_gid(_gid(i, series.provenance[i]))
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
    if not annotate:
        return ymax
    parts = []
    if n_per > 1:
        total = _fmt(lo) if exact else (f"≥{_fmt(lo)}" if open_ else f"{_fmt(lo)}–{_fmt(hi)}")
        parts.append(f"{total} in {_window_text(series, i)}")
    if series.provenance[i]:
        parts.append(_ids_text(series.provenance[i]))
    if parts:
        # a window's note sits at its left end (even measures) or right end
        # (odd ones), so that notes of windows sharing a span do not overlap
        side = "center" if n_per == 1 else ("left" if side_left else "right")
        xa = {"center": xc, "left": x0, "right": x0 + span}[side]
        ax.annotate(
            "\n".join(parts),
            (xa, ymax),
            xytext=(0, 3),
            textcoords="offset points",
            ha=side,
            va="bottom",
            fontsize=FONT_SIZE,
            color="0.25",
        )
    return ymax


def _mark_missing(ax: Axes, series: CountSeries, drawn: Sequence[str]) -> None:
    """Write "no number" at the periods no observation of a drawn measure covers."""
    covered = np.zeros(series.n_periods, dtype=bool)
    for i, m in enumerate(series.measure):
        if m in drawn:
            covered[series.start[i] - series.grid_start : series.end[i] - series.grid_start + 1] = (
                True
            )
    for o in series.grid[~covered]:
        ax.text(
            _positions(series, np.array([o]))[0],
            0,
            "no number",
            rotation=90,
            ha="center",
            va="bottom",
            fontsize=FONT_SIZE,
            color="0.45",
            gid=f"missing-{to_label(o, series.freq)}",
        )


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
    title = readable(definition.name) + (f" ({source})" if source else "")
    if definition.estimated:
        ax.text(
            0.01,
            0.98,
            f"{title}: break years estimated from the series",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=FONT_SIZE,
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
                fontsize=FONT_SIZE,
                color="0.2",
                gid=_GID_BAD.sub("_", f"phase-label-{phase.name}"),
            )
    ax.set_xlim(x_lo, x_hi)
    if legend:
        ax.legend(fontsize=FONT_SIZE, loc="upper right")
    return ax

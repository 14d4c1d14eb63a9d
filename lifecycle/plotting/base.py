"""Figures and files: the shared conventions of every plot (matplotlib only in this package).

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lifecycle.series.countseries import CountSeries, to_label

__all__ = ["legend_below", "legend_outside", "new_figure", "readable", "save_figure"]

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

#: Size in points of every text a figure writes (legends, notes, labels): readable in print.
FONT_SIZE = 9.0

#: The fonts an SVG names for its text, in order: DejaVu Sans (matplotlib's own, with
#: which every figure is laid out and its PNG drawn), then fonts no wider than it, so
#: that a reader without DejaVu sees no label run into another; ``sans-serif`` last.
SVG_FONTS = ("DejaVu Sans", "Bitstream Vera Sans", "Liberation Sans", "Arial", "Helvetica")

_REGION = re.compile(r"\(([^()]*)\)")


def readable(name: str) -> str:
    """A measure or definition name as a person writes it.

    Underscores become spaces and the region in parentheses is capitalised, so
    ``"attacks_on_civilians (afghanistan;pakistan)"`` reads
    ``"attacks on civilians (Afghanistan, Pakistan)"``. Names without either are
    returned unchanged.

    Examples
    --------
    >>> readable("attacks_claimed (unspecified)")
    'attacks claimed (region not stated)'
    >>> readable("yip_weakened_rebuilt")
    'yip weakened rebuilt'
    """

    def region(m: re.Match[str]) -> str:
        parts = []
        for r in m.group(1).split(";"):
            if r == "unspecified":
                parts.append("region not stated")
            else:
                parts.append("/".join(w[:1].upper() + w[1:] for w in r.split("/")))
        return "(" + ", ".join(parts) + ")"

    return _REGION.sub(region, str(name).replace("_", " "))


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
    width: float = 7.0,
    height: float = 4.0,
    *,
    nrows: int = 1,
    ncols: int = 1,
    height_ratios: Sequence[float] | None = None,
    sharex: bool = False,
) -> tuple[Figure, Any]:
    """A figure and its axes made without pyplot (no backend, no global state).

    Parameters
    ----------
    width, height : float
        Size in inches.
    nrows, ncols : int
        Grid of subplots; the axes come back as ``Figure.subplots`` returns them.
    height_ratios : sequence of float, optional
        Relative heights of the rows (e.g. a tall plot above thin strips).
    sharex : bool
        Share the x axis between the rows (tick labels only on the bottom row).

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
    axes = fig.subplots(nrows, ncols, squeeze=True, sharex=sharex, height_ratios=height_ratios)
    return fig, axes


def save_figure(fig: Figure, stem: str | Path, *, dpi: int = 200) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg``, byte-identical for identical figures.

    The SVG hash salt and element-id prefix are fixed and the ``Date`` metadata is
    dropped; the PNG carries no text chunks (no ``Software`` stamp). Nothing else about
    the files depends on time or machine state.

    The SVG keeps its text as text (``svg.fonttype = "none"``): it can be searched,
    copied and edited (a journal's figure), and it is about 2.5 times smaller than with
    every glyph written as a path. Its font list is :data:`SVG_FONTS`, then the generic
    ``sans-serif``.

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

    Notes
    -----
    Each file is drawn once. The PNG first, in one Agg draw in which the figure's layout
    engine (constrained layout) runs, as on screen; the SVG is drawn with the positions
    it found (the engine is put back afterwards). ``savefig`` twice made four draws: two
    layout draws without rendering and two renderings. A PNG whose every pixel is opaque
    is written as RGB with fast zlib compression (level 1), about twice as fast to encode
    as matplotlib's default (RGBA, level 6) for files of about the same size. Text
    written as text is also faster to draw than text converted to paths (0.8 s against
    1.35 s for the 23 figures of the report).

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
    engine = fig.get_layout_engine()
    rc = {
        "svg.hashsalt": "lifecycle",
        "svg.id": stem.name,
        "svg.fonttype": "none",
        "font.sans-serif": list(SVG_FONTS),
        "figure.autolayout": False,
        "figure.constrained_layout.use": False,
    }
    with matplotlib.rc_context(rc):
        _write_png(fig, png, dpi)
        if engine is not None:
            # No engine at all (a placeholder would still cost savefig a layout draw):
            # the SVG keeps the positions the PNG's draw found.
            fig.set_layout_engine(None)
        try:
            fig.savefig(svg, metadata={"Date": None, "Creator": None})
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)
    return [png, svg]


def _write_png(fig: Figure, path: Path, dpi: int) -> None:
    """The figure as PNG, drawn once: RGB when every pixel is opaque, zlib level 1.

    Drawn on an Agg canvas of its own (the figure's canvas, dpi and layout engine are put
    back): the layout engine runs inside this one draw, as on screen. ``savefig`` would
    first make a layout draw without rendering and then draw again.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image  # matplotlib's own image library (a dependency of matplotlib)

    old_canvas, old_dpi = fig.canvas, fig.dpi
    canvas = FigureCanvasAgg(fig)  # becomes fig.canvas until put back
    try:
        fig.set_dpi(dpi)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
    finally:
        fig.set_dpi(old_dpi)
        fig.set_canvas(old_canvas)
    opaque = bool(rgba[..., 3].min() == 255)
    # PIL drops the alpha channel about five times faster than a strided numpy copy
    shared = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1)
    image = shared.convert("RGB") if opaque else shared.copy()
    image.save(path, format="png", dpi=(dpi, dpi), compress_level=1)


def legend_outside(ax: Axes, *, fontsize: float = FONT_SIZE) -> Axes:
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


def legend_below(ax: Axes, *, fontsize: float = FONT_SIZE, ncol: int = 1) -> Axes:
    """Move the legend of ``ax`` under the axes, keeping its title.

    For long entries (the hypotheses of a test): beside the axes they would take half
    the figure's width and squeeze the year ticks together.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([0, 1], [0, 1], label="a")
    >>> _ = ax.legend(title="p = 0.01")
    >>> legend_below(ax).get_legend().get_title().get_text()
    'p = 0.01'
    """
    handles, labels = ax.get_legend_handles_labels()
    old = ax.get_legend()
    title = old.get_title().get_text() if old is not None else None
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.16),
            ncol=ncol,
            fontsize=fontsize,
            title=title or None,
            title_fontsize=fontsize,
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


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text

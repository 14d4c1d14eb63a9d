"""Tables as pictures: the comparison heat map and power curves."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from lifecycle.plotting.base import _GID_BAD, FONT_SIZE, PALETTE, _get_ax, readable

__all__ = ["comparison_label_space", "plot_comparison", "plot_power"]

#: Column labels of the heat map: wrapped at this many characters, upright up to
#: :data:`_UPRIGHT_MAX` columns, turned a quarter otherwise.
_WRAP = 12
_UPRIGHT_MAX = 4
_CHAR_IN = FONT_SIZE / 72 * 0.62  # width of one character at FONT_SIZE, inches
_LINE_IN = FONT_SIZE / 72 * 1.35  # height of one line of text, inches


def _column_labels(cols: Sequence[str]) -> tuple[list[str], int]:
    """The wrapped labels of the definition columns and their rotation."""
    width = _WRAP if len(cols) <= _UPRIGHT_MAX else 2 * _WRAP
    labels = [textwrap.fill(readable(c), width, break_long_words=False) for c in cols]
    return labels, 0 if len(cols) <= _UPRIGHT_MAX else 90


def comparison_label_space(columns: Sequence[str]) -> float:
    """Height in inches the column labels of :func:`plot_comparison` take.

    A figure that leaves less room than this for a heat map collapses its axes (what
    matplotlib's "constrained_layout not applied" warning said before the labels were
    wrapped and the figure sized by this).

    Examples
    --------
    >>> round(comparison_label_space(["no change", "conventional lifecycle"]), 2)
    0.54
    """
    labels, rotation = _column_labels(list(dict.fromkeys(str(c) for c in columns)))
    lines = [ln for lab in labels for ln in lab.splitlines()] or [""]
    if rotation:
        return max(len(ln) for ln in lines) * _CHAR_IN + 0.2
    return max(lab.count("\n") + 1 for lab in labels) * _LINE_IN + 0.2


_VALUE_NAMES = {"akaike_weight": "Akaike weight", "posterior_prob": "posterior probability"}


def plot_comparison(
    table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    row: str | Sequence[str] = ("indicator", "reading"),
    column: str = "definition",
    value: str = "akaike_weight",
    cmap: str = "Blues",
    title: str | None = None,
    decimals: int = 2,
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
        The number shown (in ``[0, 1]`` for weights and probabilities; any finite number
        otherwise).
    cmap : str
        Matplotlib colour map.
    title : str, optional
        Axes title.
    decimals : int
        Decimals written in each cell.

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
                "–" if not np.isfinite(v) else f"{v:.{decimals}f}",
                ha="center",
                va="center",
                fontsize=FONT_SIZE,
                color="white" if dark else "black",
            )
    labels, rotation = _column_labels(cols)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(labels, rotation=rotation, ha="center", fontsize=FONT_SIZE)
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels([" · ".join(k) for k in keys], fontsize=FONT_SIZE)
    ax.set_xlabel(column)
    name = _VALUE_NAMES.get(value, value.replace("_", " "))
    ax.figure.colorbar(image, ax=ax, label=name, shrink=0.8)
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
        name = "power" if g is None else str(g)
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
    ax.legend(fontsize=FONT_SIZE, loc="lower right")
    return ax

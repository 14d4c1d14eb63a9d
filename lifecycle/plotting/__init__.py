"""Figures (matplotlib is imported by this package only).

* :mod:`~lifecycle.plotting.base` — figures without pyplot, byte-stable PNG/SVG files;
* :mod:`~lifecycle.plotting.series` — count series as bars, wave phases as shaded spans;
* :mod:`~lifecycle.plotting.fits` — segmentations, wave fits, the resurgence test;
* :mod:`~lifecycle.plotting.tables` — the comparison heat map, power curves.
"""

from lifecycle.plotting.base import legend_outside, new_figure, readable, save_figure
from lifecycle.plotting.fits import (
    plot_best_fit,
    plot_change_probability,
    plot_changepoints,
    plot_fit,
    plot_segmentation,
    plot_test,
)
from lifecycle.plotting.series import plot_phases, plot_series
from lifecycle.plotting.tables import plot_comparison, plot_power

__all__ = [
    "legend_outside",
    "new_figure",
    "plot_best_fit",
    "plot_change_probability",
    "plot_changepoints",
    "plot_comparison",
    "plot_fit",
    "plot_phases",
    "plot_power",
    "plot_segmentation",
    "plot_series",
    "plot_test",
    "readable",
    "save_figure",
]

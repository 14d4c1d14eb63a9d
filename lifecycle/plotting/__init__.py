"""Figures (matplotlib is imported by this package only)."""

from lifecycle.plotting.figures import (
    legend_outside,
    new_figure,
    plot_change_probability,
    plot_changepoints,
    plot_comparison,
    plot_fit,
    plot_phases,
    plot_power,
    plot_series,
    plot_test,
    save_figure,
)

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

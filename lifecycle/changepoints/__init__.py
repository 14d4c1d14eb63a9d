"""Where the regime changed: search, Bayesian posterior, uncertainty."""

from lifecycle.changepoints.search import (
    BreakIntervals,
    ChangePosterior,
    Segmentation,
    break_intervals,
    detect,
    posterior_changes,
    segment_path,
    test_change,
)

__all__ = [
    "BreakIntervals",
    "ChangePosterior",
    "Segmentation",
    "break_intervals",
    "detect",
    "posterior_changes",
    "segment_path",
    "test_change",
]

"""Where the regime changed: search, Bayesian posterior, uncertainty."""

from lifecycle.changepoints.posterior import (
    ChangePosterior,
    posterior_changes,
)
from lifecycle.changepoints.search import (
    detect,
    segment_path,
)
from lifecycle.changepoints.segmentation import (
    Segmentation,
)
from lifecycle.changepoints.uncertainty import (
    BreakIntervals,
    break_intervals,
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

"""CountSeries, the input of every model, and its calendar."""

from lifecycle.series.countseries import (
    FREQS,
    Atoms,
    CountSeries,
    to_label,
    to_ordinal,
)

__all__ = [
    "FREQS",
    "Atoms",
    "CountSeries",
    "to_label",
    "to_ordinal",
]

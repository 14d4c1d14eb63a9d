"""CountSeries, the input of every model, its calendar and its CSV reader."""

from lifecycle.series.calendar import FREQS, MAX_YEAR, MIN_YEAR, to_label, to_ordinal
from lifecycle.series.countseries import Atoms, CountSeries
from lifecycle.series.csvio import read_series_csv, series_from_frame

__all__ = [
    "FREQS",
    "MAX_YEAR",
    "MIN_YEAR",
    "Atoms",
    "CountSeries",
    "read_series_csv",
    "series_from_frame",
    "to_label",
    "to_ordinal",
]

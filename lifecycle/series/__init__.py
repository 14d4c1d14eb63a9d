"""CountSeries, the input of every model, its calendar and its CSV reader."""

from lifecycle.series import calendar as _calendar
from lifecycle.series import countseries as _countseries
from lifecycle.series import csvio as _csvio
from lifecycle.series.calendar import *  # noqa: F403
from lifecycle.series.countseries import *  # noqa: F403
from lifecycle.series.csvio import *  # noqa: F403

__all__ = [*_calendar.__all__, *_countseries.__all__, *_csvio.__all__]

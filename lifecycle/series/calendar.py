"""The calendar of a count series: period labels users see, ordinals models use.

Users see calendar labels (``2015`` or ``"2015-03"``); internally periods are integer
*ordinals*: the year itself, or ``12 * year + month - 1`` for months. Conversion happens
only in :func:`to_ordinal` and :func:`to_label`.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import GridError

__all__ = ["FREQS", "MAX_YEAR", "MIN_YEAR", "to_label", "to_ordinal"]

FREQS = ("year", "month")
#: The calendar years a series may hold (as in ``datetime``): 1 … 9999.
MIN_YEAR, MAX_YEAR = 1, 9999
_MONTH_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def to_ordinal(label: Any, freq: str) -> int:
    """Convert a calendar label to the internal period ordinal.

    Parameters
    ----------
    label : int, str or pandas.Period
        A year (``2015``, ``"2015"``) for ``freq="year"``; ``"2015-03"`` or a monthly
        ``pandas.Period`` for ``freq="month"``. Years run from 1 to 9999.
    freq : {"year", "month"}

    Raises
    ------
    GridError
        If the label cannot be read as a period of that frequency (a bool, a fraction,
        a day-level period for a monthly series) or its year is outside 1–9999.
    """
    if freq == "year":
        return _year(_year_of(label), label)
    if isinstance(label, pd.Period):
        if not label.freqstr.startswith("M"):
            raise GridError(
                f"Expected a month such as '2015-03' for a monthly series. Got the period "
                f"{label} (frequency {label.freqstr!r}); convert it with .asfreq('M') if "
                f"you mean its month."
            )
        return 12 * _year(label.year, label) + label.month - 1
    m = _MONTH_RE.match(str(label)) if isinstance(label, str) else None
    if m and 1 <= int(m.group(2)) <= 12:
        return 12 * _year(int(m.group(1)), label) + int(m.group(2)) - 1
    raise GridError(f"Expected a month written 'YYYY-MM' such as '2015-03', got {label!r}.")


def _year_of(label: Any) -> int:
    """The year a yearly label names (any size; the range is checked by :func:`_year`)."""
    if isinstance(label, (bool, np.bool_)):
        raise GridError(f"Expected a calendar year, got {label!r}.")
    if isinstance(label, (int, np.integer)):
        return int(label)
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return int(label)
    if isinstance(label, str) and label.strip().isdecimal() and len(label.strip()) <= 12:
        return int(label.strip())
    if isinstance(label, str) and label.strip().isdecimal():
        raise GridError(
            f"Expected a calendar year between {MIN_YEAR} and {MAX_YEAR}. Got a "
            f"{len(label.strip())}-digit number {_short(label)}."
        )
    raise GridError(f"Expected a calendar year such as 2015, got {_short(label)}.")


def _year(year: int, label: Any) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise GridError(
            f"Expected a calendar year between {MIN_YEAR} and {MAX_YEAR}. Got {_short(label)}."
        )
    return year


def _short(label: Any) -> str:
    text = repr(label)
    return text if len(text) <= 40 else text[:37] + "…"


def to_label(ordinal: int, freq: str) -> int | str:
    """Convert an internal period ordinal back to its calendar label."""
    ordinal = int(ordinal)
    if freq == "year":
        return ordinal
    return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}"


def _check_increasing(ords: np.ndarray, freq: str) -> None:
    d = np.diff(ords)
    if np.any(d == 0):
        i = int(np.flatnonzero(d == 0)[0])
        raise GridError(f"Each period may be given once. Got {to_label(ords[i], freq)} twice.")
    if np.any(d < 0):
        i = int(np.flatnonzero(d < 0)[0])
        raise GridError(
            f"Periods must be in calendar order. Got {to_label(ords[i + 1], freq)} after "
            f"{to_label(ords[i], freq)}."
        )

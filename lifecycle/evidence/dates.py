"""Partial dates as the documents write them: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

Two views of one written date: the days it can denote (:func:`date_bounds`, for
comparing documents) and the fraction of its year it covers (:class:`YearSpan`, for
turning windows into yearly exposures).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from lifecycle._core.errors import EvidenceError

DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def date_bounds(text: str) -> tuple[dt.date, dt.date] | None:
    """Return the first and last day a partial date can denote (``None`` if malformed)."""
    m = DATE_RE.match(text or "")
    if not m:
        return None
    y, mo, d = m.groups()
    year = int(y)
    if mo is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(mo)
    if d is None:
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return dt.date(year, month, 1), nxt - dt.timedelta(days=1)
    day = dt.date(year, month, int(d))
    return day, day


def compatible_dates(a: str, b: str) -> bool:
    """Whether two partial dates can denote the same day (e.g. 2024-03 and 2024-03-22)."""
    ba, bb = date_bounds(a), date_bounds(b)
    if ba is None or bb is None:
        return True
    return ba[0] <= bb[1] and bb[0] <= ba[1]


@dataclass(frozen=True)
class YearSpan:
    """The part of one calendar year a written date covers.

    Attributes
    ----------
    year : int
    begin, finish : float
        Fractions of the year where the written unit begins and ends.
    """

    year: int
    begin: float
    finish: float


def year_span(text: str, precision: str, where: str) -> YearSpan | None:
    """The :class:`YearSpan` of a written date, or ``None`` when it is open or blank.

    Raises
    ------
    EvidenceError
        If the text is not a calendar date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
    """
    text, precision = str(text).strip(), str(precision).strip().lower()
    if not text or precision == "open":
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not m:
        raise EvidenceError(f"{where} must be a date YYYY, YYYY-MM or YYYY-MM-DD. Got {text!r}.")
    y = int(m.group(1))
    if m.group(3):
        try:
            d = dt.date(y, int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise EvidenceError(f"{where} is not a calendar date: {text!r}.") from None
        n = 366 if calendar.isleap(y) else 365
        doy = d.timetuple().tm_yday
        return YearSpan(y, (doy - 1) / n, doy / n)
    if m.group(2):
        mo = int(m.group(2))
        if not 1 <= mo <= 12:
            raise EvidenceError(f"{where} has month {mo}; expected 1–12. Got {text!r}.")
        return YearSpan(y, (mo - 1) / 12, mo / 12)
    return YearSpan(y, 0.0, 1.0)


def year_weights(first: YearSpan, last: YearSpan) -> tuple[int, int, list[float]]:
    """First year, last year and the exposure of each year of a window."""
    w = []
    for y in range(first.year, last.year + 1):
        lo = first.begin if y == first.year else 0.0
        hi = last.finish if y == last.year else 1.0
        w.append(hi - lo)
    return first.year, last.year, w

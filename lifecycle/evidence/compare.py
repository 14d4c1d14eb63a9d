"""How two evidence rows are compared: qualified numbers, periods and written dates.

Shared by :mod:`lifecycle.evidence.conflicts` and :mod:`lifecycle.evidence.originals`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from lifecycle.evidence.dates import compatible_dates, date_bounds
from lifecycle.evidence.provenance import _fmt
from lifecycle.evidence.schema import _APPROX_QUALIFIERS, _EVENT_COUNTS, _RANGE_QUALIFIERS

__all__ = [
    "EVENT_COUNTS",
    "number_reading",
    "periods_differ",
    "render_number",
    "text",
    "text_bounds",
    "values_differ",
]

EVENT_COUNTS = _EVENT_COUNTS

_MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november "
        "december".split(),
        start=1,
    )
}
_PART = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
_TEXT_RE = re.compile(r"^(?:(early|mid|late|[a-z]+)\s+)?(\d{4})$")


def text(value: Any) -> str:
    """A cell as text (``""`` when blank)."""
    return "" if value is None or pd.isna(value) else str(value)


def number_reading(
    row: pd.Series, number: str, qualifier: str, low: str | None, high: str | None
) -> tuple[Any, ...] | None:
    """A comparable reading of a qualified number, or None when nothing is stated.

    About, nearly and roughly count as one qualifier; "13" and "more than 13" differ.
    """
    q = row.get(qualifier)
    q = None if pd.isna(q) else str(q)
    n = row.get(number)
    lo = row.get(low) if low else None
    hi = row.get(high) if high else None
    vals = tuple(None if v is None or pd.isna(v) else float(v) for v in (n, lo, hi))
    if q is None and all(v is None for v in vals):
        return None
    klass = "approx" if q in _APPROX_QUALIFIERS else q
    return (klass, *vals)


def render_number(
    row: pd.Series, number: str, qualifier: str, low: str | None, high: str | None
) -> str:
    """A qualified number as a short text ("about 140", "range 4000-6000")."""
    q = row.get(qualifier)
    q = "" if pd.isna(q) else str(q)
    n = row.get(number)
    if q in _RANGE_QUALIFIERS:
        return f"{q} {_fmt(row.get(low))}-{_fmt(row.get(high))}"
    if n is None or pd.isna(n):
        return q
    return f"{_fmt(n)}" if q in ("", "exact") else f"{q} {_fmt(n)}"


def values_differ(a: pd.Series, b: pd.Series) -> bool:
    """Whether two quantities rows state different numbers (both must state one)."""
    ra = number_reading(a, "value", "qualifier", "low", "high")
    rb = number_reading(b, "value", "qualifier", "low", "high")
    return ra is not None and rb is not None and ra != rb


def periods_differ(a: pd.Series, b: pd.Series, *, exact: bool) -> list[str]:
    """The period columns on which two quantities rows differ.

    ``exact=False``: only bounds both rows give, and only if they cannot denote the same
    day (the rule of :func:`~lifecycle.evidence.conflicts.conflicts`). ``exact=True``:
    any difference in what is written, an open bound included (the rule of
    :func:`~lifecycle.evidence.originals.originals`: "since January 2017" and "by
    January 2017" are not one period).
    """
    out = []
    for col in ("period_start", "period_end"):
        da, db = text(a[col]), text(b[col])
        if exact:
            if da != db:
                out.append(col)
        elif da and db and not compatible_dates(da, db):
            out.append(col)
    return out


def text_bounds(written: str) -> tuple[dt.date, dt.date] | None:
    """The days a boundary written in words can denote ("late 2020", "May 2020", "2015").

    ``early``/``mid``/``late`` are January–April, May–August and September–December.
    Returns ``None`` for "present", an empty text or a text that names no year.
    """
    s = written.strip().lower()
    m = _TEXT_RE.match(s)
    if m is None:
        return None
    word, year = m.group(1), int(m.group(2))
    if word is None:
        return date_bounds(str(year))
    if word in _PART:
        lo, hi = _PART[word]
        return date_bounds(f"{year}-{lo:02d}")[0], date_bounds(f"{year}-{hi:02d}")[1]  # type: ignore[index]
    if word in _MONTHS:
        return date_bounds(f"{year}-{_MONTHS[word]:02d}")
    return None

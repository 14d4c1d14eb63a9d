"""UCDP Georeferenced Event Dataset (GED) exports.

Högbladh, S., *UCDP Georeferenced Event Dataset Codebook* v23.1 (2023).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle.events.files import _open
from lifecycle.events.table import (
    BASE_FIELDS,
    EventTable,
    _build,
    _deaths,
    _maybe,
    _tuple_column,
    _unknown_note,
)

__all__ = ["read_ucdp_ged"]

_UCDP_VIOLENCE = {1: "state-based", 2: "non-state", 3: "one-sided"}


def read_ucdp_ged(path: str | Path, *, encoding: str | None = None) -> EventTable:
    """Read a UCDP Georeferenced Event Dataset (GED) export.

    Parameters
    ----------
    path : str or pathlib.Path
        The GED CSV file as downloaded (one row per event).
    encoding : str, optional
        Text encoding; default as in :func:`read_gtd`.

    Returns
    -------
    EventTable
        One row per GED event, with its deaths as ``best`` (``low``-``high``).

    Notes
    -----
    Required columns: ``id, year, type_of_violence, side_a, side_b, country, date_start,
    date_end, best, low, high``. Read when present: ``adm_1, region``.

    * ``event_type`` is ``type_of_violence`` in words: 1 ``"state-based"``, 2
      ``"non-state"``, 3 ``"one-sided"``.
    * ``date`` is ``date_start``; ``date_precision`` is the finest of ``"day"``,
      ``"month"``, ``"year"`` that holds both ``date_start`` and ``date_end``, and
      ``"multi-year"`` when they fall in different years. ``date_end`` is ``date_end``.
      An event whose dates span a period boundary (two months of a monthly series, two
      years of a yearly one) may lie in either period: it enters each period it touches
      as a count interval (``[count without it, count with it]``), never dropped.
      ``year`` must be the year of ``date_start``.
    * ``killed`` is ``best`` and ``[killed_low, killed_high]`` is ``[low, high]``; the
      file must have ``low <= best <= high``.

    Raises
    ------
    FileFormatError
        As in :func:`read_gtd`; also when ``date_end`` precedes ``date_start``.
    """
    required = (
        "id",
        "year",
        "type_of_violence",
        "side_a",
        "side_b",
        "country",
        "date_start",
        "date_end",
        "best",
        "low",
        "high",
    )
    f = _open(path, "ucdp_ged", encoding, required, id_column="id")
    notes: list[str] = []
    start = f.dates("date_start")
    end = f.dates("date_end")
    bad = np.flatnonzero((end < start).to_numpy())
    if bad.size:
        i = int(bad[0])
        raise f.fail(
            f"date_end {f.text('date_end')[i]!r} precedes date_start "
            f"{f.text('date_start')[i]!r} in {f.where(i)}."
        )
    year = f.check_year(start, "date_start")
    precision, same_month = _precision(start, end, notes)
    tv = f.numbers("type_of_violence", what="1, 2 or 3", lo=1, hi=3)
    best = f.numbers("best", what="a whole number of deaths >= 0", blank_ok=True)
    low = f.numbers("low", what="a whole number of deaths >= 0", blank_ok=True)
    high = f.numbers("high", what="a whole number of deaths >= 0", blank_ok=True)
    for a, b, an, bn in (
        (low, best, "low", "best"),
        (best, high, "best", "high"),
        (low, high, "low", "high"),
    ):
        bad = np.flatnonzero(a > b)
        if bad.size:
            i = int(bad[0])
            raise f.fail(
                f"{an} = {a[i]:g} exceeds {bn} = {b[i]:g} in {f.where(i)}; the "
                f"codebook has low <= best <= high."
            )
    _maybe(notes, _unknown_note(best, "best", "deaths"))
    cols: dict[str, Any] = {
        "event_id": f.ids,
        "date": start,
        "date_end": end,
        "date_precision": precision,
        "year": year.astype(int),
        "month": pd.array(
            np.where(same_month, start.dt.month.to_numpy(), np.nan), dtype="Float64"
        ).astype("Int64"),
        "country": f.text("country"),
        "region": f.text("region"),
        "admin1": f.text("adm_1"),
        "actor": f.text("side_a"),
        "actors": _tuple_column(f.text("side_a")),
        "counterparts": _tuple_column(f.text("side_b")),
        "event_type": np.array([_UCDP_VIOLENCE[int(v)] for v in tv], dtype=object),
        **_deaths(best, low, high),
    }
    fields = set(BASE_FIELDS) | {"counterparts", "event_type", "killed"}
    fields |= {k for k, c in (("region", "region"), ("admin1", "adm_1")) if c in f.cols}
    return _build(f, "ucdp_ged", cols, fields=fields, notes=notes)


def _precision(start: pd.Series, end: pd.Series, notes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The finest of day, month, year holding both dates (else multi-year)."""
    same_year = (start.dt.year == end.dt.year).to_numpy()
    same_month = same_year & (start.dt.month == end.dt.month).to_numpy()
    same_day = (start == end).to_numpy()
    precision = np.select(
        [same_day, same_month, same_year], ["day", "month", "year"], "multi-year"
    ).astype(object)
    for p in ("year", "multi-year"):
        k = int((precision == p).sum())
        if k:
            span = "a year" if p == "year" else "two or more years"
            notes.append(
                f"{k} events span {span} (date_start to date_end): date_precision = {p!r}."
            )
    return precision, same_month

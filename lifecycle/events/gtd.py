"""Global Terrorism Database (START) exports: CSV, or ``.xlsx`` with ``lifecycle[excel]``.

START, *Global Terrorism Database Codebook* (2021).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle.events.files import _open
from lifecycle.events.table import BASE_FIELDS, EventTable, _build, _deaths, _tuple_column

__all__ = ["GTD_NO_DATA_YEARS", "read_gtd"]

#: Years the GTD holds no events for (the 1993 records were lost).
GTD_NO_DATA_YEARS = (1993,)
_GTD_MISSING_CODES = (-9, -99)


def read_gtd(path: str | Path, *, encoding: str | None = None) -> EventTable:
    """Read a Global Terrorism Database export (START codebook columns).

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV file, or an ``.xlsx`` workbook (needs the optional extra
        ``lifecycle[excel]``, which installs openpyxl).
    encoding : str, optional
        The file's text encoding. By default UTF-8 is tried (a byte-order mark is
        removed), then ISO-8859-1, the encoding of START's CSV releases.

    Returns
    -------
    EventTable

    Notes
    -----
    Required columns: ``eventid, iyear, imonth, iday, country_txt, gname``. Read when
    present: ``region_txt, provstate, gname2, gname3, nkill, nwound, attacktype1_txt,
    targtype1_txt, success, suicide, doubtterr, claimed``.

    * ``imonth = 0`` means the month is unknown (``date_precision = "year"``, the date is
      1 January); ``iday = 0`` means the day is unknown (``"month"``, the date is the 1st).
    * ``-9`` and ``-99`` are the codebook's "unknown" codes: in ``nkill``/``nwound`` they
      (and blanks) make the count unknown, never zero; in ``claimed``, ``doubtterr``,
      ``suicide`` and ``success`` they give ``<NA>``.
    * The GTD holds no events for 1993; unless the file holds some, 1993 is recorded in
      ``coverage.no_data_years`` and is missing in every series.
    * ``event_type`` is ``attacktype1_txt`` (the first attack type only).

    Raises
    ------
    FileFormatError
        If the file is empty, lacks a required column, or a cell cannot be read (a date
        that is not a calendar date, a negative or non-integer toll, a flag other than
        0/1/-9); the message names the file, column and data row.
    MissingDependencyError
        For an ``.xlsx`` file when openpyxl is not installed (``pip install
        'lifecycle[excel]'``); it is also an ``ImportError``.
    """
    required = ("eventid", "iyear", "imonth", "iday", "country_txt", "gname")
    f = _open(path, "gtd", encoding, required, id_column="eventid")
    notes: list[str] = []
    year = f.numbers("iyear", what="a four-digit year", lo=1000, hi=9999)
    month = f.numbers("imonth", what="a month 1–12 (0 if unknown)", lo=0, hi=12)
    day = f.numbers("iday", what="a day 1–31 (0 if unknown)", lo=0, hi=31)
    precision = np.where(month == 0, "year", np.where(day == 0, "month", "day")).astype(object)
    parts = pd.DataFrame(
        {
            "year": year.astype(int),
            "month": np.where(month == 0, 1, month).astype(int),
            "day": np.where((day == 0) | (month == 0), 1, day).astype(int),
        }
    )
    date = pd.to_datetime(parts, errors="coerce")
    if date.isna().any():
        i = int(np.flatnonzero(date.isna().to_numpy())[0])
        raise f.fail(
            f"iyear/imonth/iday = {int(year[i])}/{int(month[i])}/{int(day[i])} in "
            f"{f.where(i)} is not a calendar date."
        )
    n_month = int((precision == "year").sum())
    n_day = int((precision == "month").sum())
    if n_month:
        notes.append(
            f"{n_month} events have an unknown month (imonth=0): they can enter yearly series only."
        )
    if n_day:
        notes.append(f"{n_day} events have an unknown day (iday=0).")
    fields = set(BASE_FIELDS)
    cols: dict[str, Any] = {
        "event_id": f.ids,
        "date": date,
        "date_precision": precision,
        "year": year.astype(int),
        "month": pd.array(np.where(month == 0, np.nan, month), dtype="Float64").astype("Int64"),
        "country": f.text("country_txt"),
        "region": f.text("region_txt"),
        "admin1": f.text("provstate"),
        "actor": f.text("gname"),
        "actors": _tuple_column(f.text("gname"), f.text("gname2"), f.text("gname3")),
        "event_type": f.text("attacktype1_txt"),
        "target_type": f.text("targtype1_txt"),
    }
    codes_what = "a whole number >= 0 (blank, -9 or -99 if unknown)"
    for column, target in (("nkill", "killed"), ("nwound", "wounded")):
        if f.has(column):
            v = f.numbers(column, what=codes_what, blank_ok=True, codes=_GTD_MISSING_CODES)
            cols[target] = v
            fields.add(target)
            k = int(np.isnan(v).sum())
            if k:
                notes.append(
                    f"{k} events have an unknown {target} count ({column} blank, -9 or -99): "
                    f"each counts as the interval [0, inf), never as zero."
                )
        else:
            notes.append(f"No column {column}: every event's {target} count is unknown.")
    cols.update(_deaths(cols.get("killed", np.full(len(f), np.nan))))
    for column, target in (
        ("claimed", "claimed"),
        ("doubtterr", "doubtful"),
        ("suicide", "suicide"),
        ("success", "success"),
    ):
        cols[target] = f.flags(column, codes=_GTD_MISSING_CODES)
        if f.has(column):
            fields.add(target)
    optional = {"region_txt": "region", "provstate": "admin1", "attacktype1_txt": "event_type"}
    optional["targtype1_txt"] = "target_type"
    fields |= {k for c, k in optional.items() if c in f.cols}
    return _build(f, "gtd", cols, fields=fields, notes=notes, no_data_years=GTD_NO_DATA_YEARS)

"""Armed Conflict Location & Event Data (ACLED) exports.

ACLED, *Armed Conflict Location & Event Data Codebook* (2023).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

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

__all__ = ["read_acled"]


def read_acled(path: str | Path, *, encoding: str | None = None) -> EventTable:
    """Read an ACLED export (column names matched without regard to case).

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV export.
    encoding : str, optional
        As in :func:`read_gtd`.

    Returns
    -------
    EventTable

    Notes
    -----
    Required columns: ``event_id_cnty, event_date, event_type, actor1, country``. Read
    when present: ``year, time_precision, sub_event_type, assoc_actor_1, actor2,
    assoc_actor_2, admin1, region, fatalities``.

    * ``event_date`` may be written ``2020-01-15`` or ``15 January 2020``, or as a
      spreadsheet re-saves it when the day/month order shows (``28/05/2021``,
      ``5/28/2021``); ``5/8/2021`` (5 August or 8 May?) is refused with how to fix the
      file. ``year``, when present, must agree with the date.
    * ``time_precision`` 1 and 2 (day, week) give ``date_precision = "day"``; 3 (month)
      gives ``"month"``.
    * ``assoc_actor_1``/``assoc_actor_2`` are ``;``-separated lists.
    * A blank ``fatalities`` is unknown (``[0, inf)``), never zero.

    Raises
    ------
    FileFormatError
        As in :func:`read_gtd`.
    """
    required = ("event_id_cnty", "event_date", "event_type", "actor1", "country")
    f = _open(path, "acled", encoding, required, id_column="event_id_cnty")
    notes: list[str] = []
    date = f.dates("event_date")
    if f.has("year"):
        f.check_year(date, "event_date")
    precision = np.full(len(f), "day", dtype=object)
    if f.has("time_precision"):
        tp = f.numbers("time_precision", what="1, 2 or 3", blank_ok=True, lo=1, hi=3)
        precision[tp == 3] = "month"
        if (tp == 3).any():
            notes.append(
                f"{int((tp == 3).sum())} events are dated to the month only (time_precision=3)."
            )
    fields = set(BASE_FIELDS) | {"event_type", "counterparts"}
    cols: dict[str, Any] = {
        "event_id": f.ids,
        "date": date,
        "date_precision": precision,
        "year": date.dt.year.to_numpy(),
        "month": date.dt.month.astype("Int64").array,
        "country": f.text("country"),
        "region": f.text("region"),
        "admin1": f.text("admin1"),
        "actor": f.text("actor1"),
        "actors": _tuple_column(f.text("actor1"), f.text("assoc_actor_1"), split=True),
        "counterparts": _tuple_column(f.text("actor2"), f.text("assoc_actor_2"), split=True),
        "event_type": f.text("event_type"),
        "sub_event_type": f.text("sub_event_type"),
    }
    fields |= {k for k in ("region", "admin1", "sub_event_type") if k in f.cols}
    if f.has("fatalities"):
        v = f.numbers("fatalities", what="a whole number of deaths >= 0", blank_ok=True)
        fields.add("killed")
        _maybe(notes, _unknown_note(v, "fatalities", "deaths"))
    else:
        v = np.full(len(f), np.nan)
        notes.append("No column fatalities: every event's death count is unknown.")
    cols.update(_deaths(v))
    return _build(f, "acled", cols, fields=fields, notes=notes)

"""The tidy event table every loader fills, and how a loader assembles it.

:class:`EventTable` holds one row per event with the columns of :data:`EVENT_COLUMNS`,
the rows left out (with a reason), the source's :class:`Coverage` in time and notes on
what was decided. The per-source readers (:mod:`~lifecycle.events.gtd`,
:mod:`~lifecycle.events.acled`, :mod:`~lifecycle.events.ucdp`) only map their columns
onto these; :func:`_build` does the rest (exact duplicates, repeated ids, coverage).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lifecycle.events.files import _LABELS, _File

__all__ = ["EVENT_COLUMNS", "MEASURES", "Coverage", "EventTable"]

#: Columns of ``EventTable.events`` (``excluded`` has these and ``reason``).
EVENT_COLUMNS = (
    "event_id",
    "source",
    "row",
    "date",
    "date_end",
    "date_precision",
    "year",
    "month",
    "country",
    "region",
    "admin1",
    "actor",
    "actors",
    "counterparts",
    "event_type",
    "sub_event_type",
    "target_type",
    "killed",
    "killed_low",
    "killed_high",
    "wounded",
    "claimed",
    "doubtful",
    "suicide",
    "success",
)
#: What :func:`events_to_series` can count.
#: Fields every loader fills for every event (the others depend on the export's columns).
BASE_FIELDS = frozenset({"event_id", "date", "year", "month", "country", "actor", "actors"})
MEASURES = ("attacks", "killed", "killed_best", "wounded", "claimed", "countries")
_TEXT = ("event_id", "source", "date_precision", "country", "region", "admin1", "actor")
_TEXT += ("event_type", "sub_event_type", "target_type")
_FLOAT = ("killed", "killed_low", "killed_high", "wounded")
_FLAGS = ("claimed", "doubtful", "suicide", "success")


@dataclass(frozen=True)
class Coverage:
    """What a source's file covers in time.

    Attributes
    ----------
    source : str
        ``"gtd"``, ``"acled"`` or ``"ucdp_ged"``.
    first_date : pandas.Timestamp
        Earliest event date in the file; earlier periods are missing in a series, and
        the period holding this date is taken as fully covered.
    last_date : pandas.Timestamp
        Last date the data cover: the latest event date in the file (before any filter)
        unless the user gave one. A series' last period is covered up to this date.
    last_date_basis : str
        Where ``last_date`` comes from, in words.
    no_data_years : tuple of int
        Years inside the coverage for which the source holds no events (GTD: 1993).
    """

    source: str
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    last_date_basis: str
    no_data_years: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class EventTable:
    """A tidy table of events from one source, with everything left out of it.

    Build one with :func:`read_gtd`, :func:`read_acled` or :func:`read_ucdp_ged`; narrow
    it with :func:`filter_events`. Treat the frames as read-only.

    Attributes
    ----------
    source : str
        ``"gtd"``, ``"acled"`` or ``"ucdp_ged"``.
    path : str
        The file read.
    events : pandas.DataFrame
        One row per event, columns :data:`EVENT_COLUMNS`: ``date`` is the first day the
        event may have happened on, ``date_end`` the last (UCDP's ``date_end``; else
        ``date``), ``date_precision`` is ``"day"``, ``"month"``,
        ``"year"`` or ``"multi-year"`` (a UCDP event dated across years); ``month`` is
        ``<NA>`` when unknown; ``actor`` is the primary actor (GTD ``gname``, ACLED
        ``actor1``, UCDP ``side_a``), ``actors`` every actor on that side (GTD
        ``gname``/``gname2``/``gname3``; ACLED ``actor1`` and ``assoc_actor_1``; UCDP
        ``side_a``), ``counterparts`` the other side (ACLED ``actor2`` and
        ``assoc_actor_2``; UCDP ``side_b``); ``killed`` is the best death count (``NaN``
        when unknown), ``[killed_low, killed_high]`` its interval (``[0, inf]`` when
        unknown); ``claimed``, ``doubtful``, ``suicide``, ``success`` are nullable
        booleans (``<NA>`` when unknown or not in the source).
    excluded : pandas.DataFrame
        Rows left out by the loader or a filter: the same columns and ``reason``.
    coverage : Coverage
    encoding : str or None
        The text encoding used (``None`` for a workbook).
    fields : frozenset of str
        Event columns the file actually fills (others hold only "unknown").
    n_read : int
        Data rows read from the file.
    filters : tuple of str
        The filters applied, in words.
    notes : tuple of str
        What the loader and filters decided (encoding, missing codes, counts).
    """

    source: str
    path: str
    events: pd.DataFrame
    excluded: pd.DataFrame
    coverage: Coverage
    encoding: str | None
    fields: frozenset[str]
    n_read: int
    filters: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.events)

    @property
    def description(self) -> str:
        """The source and the filters applied, in words."""
        return ", ".join((_LABELS[self.source], *self.filters))

    def report(self) -> pd.DataFrame:
        """Counts of rows read, excluded (one line per reason) and kept.

        Returns
        -------
        pandas.DataFrame
            Columns ``stage``, ``reason`` and ``events``.
        """
        rows = [("read", "data rows in the file", self.n_read)]
        if len(self.excluded):
            counts = self.excluded["reason"].value_counts(sort=False)
            rows += [("excluded", str(r), int(n)) for r, n in counts.items()]
        rows.append(("kept", "events in the table", len(self.events)))
        return pd.DataFrame(rows, columns=["stage", "reason", "events"])

    summary = report

    def __repr__(self) -> str:
        return (
            f"EventTable({self.description!r}, {len(self.events)} events, "
            f"{len(self.excluded)} excluded, {self.coverage.first_date.date()}–"
            f"{self.coverage.last_date.date()})"
        )


def _tuple_column(*columns: np.ndarray, split: bool = False) -> np.ndarray:
    out = np.empty(len(columns[0]), dtype=object)
    for i in range(len(out)):
        names: list[str] = []
        for col in columns:
            parts = str(col[i]).split(";") if split else [str(col[i])]
            names += [p.strip() for p in parts if p.strip() and p.strip() not in names]
        out[i] = tuple(names)
    return out


def _build(
    f: _File,
    source: str,
    columns: dict[str, Any],
    *,
    fields: set[str],
    notes: list[str],
    no_data_years: tuple[int, ...] = (),
) -> EventTable:
    n = len(f)
    data: dict[str, Any] = {}
    for c in EVENT_COLUMNS:
        if c in columns:
            data[c] = columns[c]
        elif c in _TEXT:
            data[c] = np.full(n, "", dtype=object)
        elif c in _FLOAT:
            data[c] = np.full(n, np.nan)
        elif c in _FLAGS:
            data[c] = pd.array([pd.NA] * n, dtype="boolean")
        elif c in ("actors", "counterparts"):
            data[c] = _tuple_column(np.full(n, "", dtype=object))
    if "date_end" not in columns:
        data["date_end"] = columns["date"]
    data["source"] = np.full(n, source, dtype=object)
    data["row"] = np.arange(1, n + 1)
    events = pd.DataFrame(data, columns=list(EVENT_COLUMNS))
    events["month"] = events["month"].astype("Int64")
    events["year"] = events["year"].astype(np.int64)
    for c in _FLAGS:
        events[c] = events[c].astype("boolean")

    dup = f.frame.duplicated(keep="first").to_numpy()
    excluded = _empty_excluded(events)
    if dup.any():
        excluded = events[dup].assign(reason="exact duplicate of an earlier row")
        events = events[~dup].reset_index(drop=True)
        notes.append(f"{int(dup.sum())} rows repeat an earlier row exactly and were excluded.")
    again = events["event_id"].duplicated(keep=False).to_numpy()
    if again.any():
        first = events[again].iloc[0]
        rows = events.loc[events["event_id"] == first["event_id"], "row"].tolist()
        raise f.fail(
            f"event id {first['event_id']!r} appears in data rows {rows} with different "
            f"contents; each event must appear once."
        )
    years = set(events["year"].tolist())
    gaps = tuple(y for y in no_data_years if y not in years)
    for y in no_data_years:
        if y in years:
            notes.append(
                f"The file holds {int((events['year'] == y).sum())} events dated {y}, a year "
                f"the {f.label} holds no events for; {y} is treated as covered."
            )
        elif events["year"].min() < y < events["year"].max():
            notes.append(
                f"The {f.label} holds no events for {y} (the records were lost): {y} is "
                f"missing in every series, never zero."
            )
    coverage = Coverage(
        source=source,
        first_date=pd.Timestamp(events["date"].min()),
        last_date=pd.Timestamp(events["date"].max()),
        last_date_basis="latest event date in the file",
        no_data_years=gaps,
    )
    notes.insert(
        0,
        f"Read {n} data rows from {f.path}"
        + (f" as {f.encoding}." if f.encoding else " (Excel workbook)."),
    )
    if f.encoding == "iso-8859-1":
        notes.insert(1, "The file is not valid UTF-8; it was decoded as ISO-8859-1.")
    return EventTable(
        source=source,
        path=str(f.path),
        events=events,
        excluded=excluded,
        coverage=coverage,
        encoding=f.encoding,
        fields=frozenset(fields),
        n_read=n,
        filters=(),
        notes=tuple(notes),
    )


def _empty_excluded(events: pd.DataFrame) -> pd.DataFrame:
    return events.iloc[0:0].assign(reason=pd.Series([], dtype=object))


def _unknown_note(values: np.ndarray, column: str, what: str) -> str | None:
    k = int(np.isnan(values).sum())
    if not k:
        return None
    return f"{k} events have unknown {what} ({column} blank or a missing code)."


def _maybe(notes: list[str], note: str | None) -> None:
    if note:
        notes.append(note)


def _deaths(
    best: np.ndarray | None, low: np.ndarray | None = None, high: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The killed columns from a best count and, when the source gives one, its interval.

    Without ``low``/``high`` an unknown best (``NaN``) is the interval ``[0, inf)``; a
    source without a death column (``best=None``) gives ``[0, inf)`` for every event.
    """
    if best is None:
        return {}
    low = best if low is None else low
    high = best if high is None else high
    return {
        "killed": best,
        "killed_low": np.where(np.isnan(low), 0.0, low),
        "killed_high": np.where(np.isnan(high), np.inf, high),
    }

"""Event loaders: GTD, ACLED and UCDP GED exports → tidy event tables → count series.

Three sources, one tidy table. :func:`read_gtd`, :func:`read_acled` and
:func:`read_ucdp_ged` read an export (CSV; GTD also as ``.xlsx`` when openpyxl is
installed) into an :class:`EventTable` whose ``events`` frame has the columns in
:data:`EVENT_COLUMNS`. :func:`filter_events` keeps the events of one actor, country or
event type, and :func:`events_to_series` counts them per year or month into a
:class:`~lifecycle.series.CountSeries`.

Rules that keep the counts honest
---------------------------------
* **Nothing is silently dropped.** Rows a loader or a filter leaves out go to
  ``EventTable.excluded`` with a ``reason``; :meth:`EventTable.report` counts them.
  Events a series cannot place (an unknown month in a monthly series) are counted in a
  :class:`~lifecycle._core.errors.LifecycleWarning` (or raise with ``strict=True``) and listed
  by :func:`series_exclusions`.
* **No data is not zero.** Periods the source does not cover are *missing*: GTD holds no
  events for 1993 (that year's records were lost), periods before the earliest event of
  the file and periods after the last date the data cover. Periods inside the coverage
  with no matching event are observed zeros.
* **A partial last period has a fractional exposure.** The data are taken to end on the
  latest event date in the file (before any filter), or on the ``last_date`` the user
  gives (e.g. from the release notes); the last period's exposure is the share of its
  days covered.
* **An unknown toll is not zero.** A blank, ``-9`` or ``-99`` death count contributes the
  interval ``[0, inf)``; a period with such an event gets a censored count
  ``[known sum, inf)``. UCDP's ``low``/``high`` give the interval of every event.

Reading a file
--------------
Column names are matched without regard to case or surrounding spaces. Text files are
decoded as UTF-8 (a byte-order mark is removed), or as ISO-8859-1 when they are not
valid UTF-8 (older GTD CSV releases); the encoding used is recorded in the notes, and
``encoding=`` forces one. Every malformed input raises
:class:`~lifecycle._core.errors.FileFormatError` naming the file, the column and the data row
(1-based, header not counted).

References
----------
National Consortium for the Study of Terrorism and Responses to Terrorism (START),
*Global Terrorism Database Codebook* (2021). ACLED, *Armed Conflict Location & Event Data
Codebook* (2023). Högbladh, S., *UCDP Georeferenced Event Dataset Codebook* v23.1 (2023).

Examples
--------
>>> table = read_gtd("globalterrorismdb.csv")  # doctest: +SKIP
>>> iskp = filter_events(table, actor="Khorasan Chapter of the Islamic State")  # doctest: +SKIP
>>> series = events_to_series(iskp, freq="year", measure="attacks")  # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import difflib
import importlib.util
import io
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import (
    EmptySeriesError,
    FileFormatError,
    GridError,
    LifecycleWarning,
    ParameterError,
)
from lifecycle._core.validation import check_choice
from lifecycle.series.countseries import FREQS, CountSeries, to_label, to_ordinal

__all__ = [
    "ACTOR_FIELDS",
    "EVENT_COLUMNS",
    "GTD_NO_DATA_YEARS",
    "MEASURES",
    "Coverage",
    "EventTable",
    "events_to_series",
    "filter_events",
    "read_acled",
    "read_gtd",
    "read_ucdp_ged",
    "series_exclusions",
]

#: Columns of ``EventTable.events`` (``excluded`` has these and ``reason``).
EVENT_COLUMNS = (
    "event_id",
    "source",
    "row",
    "date",
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
MEASURES = ("attacks", "killed", "killed_best", "wounded", "claimed", "countries")
#: Which actor columns :func:`filter_events` matches.
ACTOR_FIELDS = ("primary", "all", "any_side")
#: Years the GTD holds no events for (the 1993 records were lost).
GTD_NO_DATA_YEARS = (1993,)
_GTD_MISSING_CODES = (-9, -99)
_LABELS = {"gtd": "GTD", "acled": "ACLED", "ucdp_ged": "UCDP GED"}
_A_LABEL = {"gtd": "a GTD", "acled": "an ACLED", "ucdp_ged": "a UCDP GED"}
_TEXT = ("event_id", "source", "date_precision", "country", "region", "admin1", "actor")
_TEXT += ("event_type", "sub_event_type", "target_type")
_FLOAT = ("killed", "killed_low", "killed_high", "wounded")
_FLAGS = ("claimed", "doubtful", "suicide", "success")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T].*)?$")
_TEXT_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y")
_UCDP_VIOLENCE = {1: "state-based", 2: "non-state", 3: "one-sided"}


# ---------------------------------------------------------------------- results
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
        event may have happened on, ``date_precision`` is ``"day"``, ``"month"``,
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


# ---------------------------------------------------------------------- reading
def _decode(raw: bytes, encoding: str | None, path: Path) -> tuple[str, str]:
    if encoding is not None:
        if not isinstance(encoding, str):
            raise TypeError(
                f"The 'encoding' parameter must be a str such as 'iso-8859-1'. Got {encoding!r}."
            )
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ParameterError(
                f"The 'encoding' parameter must name a text encoding Python knows "
                f"(e.g. 'utf-8', 'iso-8859-1', 'cp1252'). Got {encoding!r} instead."
            ) from None
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"{path}: cannot be decoded as {encoding} (byte {exc.start}: "
                f"{raw[exc.start : exc.start + 1]!r}). Pass the file's encoding, or leave "
                f"encoding=None to try UTF-8 then ISO-8859-1."
            ) from None
        return text.removeprefix("\ufeff"), encoding
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise FileFormatError(
                    f"{path}: starts with a UTF-16 byte-order mark but is not valid UTF-16 "
                    f"(byte {exc.start})."
                ) from None
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"{path}: starts with a UTF-8 byte-order mark but is not valid UTF-8 "
                f"(byte {exc.start}). Pass encoding=... to read it anyway."
            ) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1"), "iso-8859-1"


@dataclass
class _File:
    """A raw export being read: stripped text cells and messages that name the file."""

    path: Path
    label: str
    frame: pd.DataFrame
    cols: dict[str, Any]
    encoding: str | None
    ids: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def has(self, name: str) -> bool:
        return name in self.cols

    def where(self, i: int) -> str:
        text = f"data row {i + 1}"
        if self.ids is not None and self.ids[i]:
            text += f" (event {self.ids[i]})"
        return text

    def fail(self, message: str) -> FileFormatError:
        return FileFormatError(f"{self.path}: {message}")

    def text(self, name: str) -> np.ndarray:
        if name not in self.cols:
            return np.full(len(self), "", dtype=object)
        return self.frame[self.cols[name]].to_numpy(dtype=object)

    def numbers(
        self,
        name: str,
        *,
        what: str,
        blank_ok: bool = False,
        codes: tuple[int, ...] = (),
        integer: bool = True,
        lo: float | None = None,
        hi: float | None = None,
    ) -> np.ndarray:
        """A column as floats (``NaN`` for blank cells and missing codes)."""
        raw = self.frame[self.cols[name]]
        blank = (raw == "").to_numpy()
        num = np.array(pd.to_numeric(raw.where(~blank), errors="coerce"), dtype=float)
        bad = ~blank & ~np.isfinite(num)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.fail(
                f"column '{name}' must hold {what}. Got {raw.iloc[i]!r} in {self.where(i)}."
            )
        if codes:
            num[np.isin(num, codes)] = np.nan
        if not blank_ok and blank.any():
            i = int(np.flatnonzero(blank)[0])
            raise self.fail(f"column '{name}' is blank in {self.where(i)}; it must hold {what}.")
        ok = np.isfinite(num)
        checks = [(ok & (num < 0), "a negative value")]
        if integer:
            checks.append((ok & (num != np.round(num)), "a non-integer"))
        if lo is not None:
            checks.append((ok & (num < lo), "a value out of range"))
        if hi is not None:
            checks.append((ok & (num > hi), "a value out of range"))
        for mask, problem in checks:
            if mask.any():
                i = int(np.flatnonzero(mask)[0])
                raise self.fail(
                    f"column '{name}' must hold {what}. Got {problem} {raw.iloc[i]!r} in "
                    f"{self.where(i)}."
                )
        return num

    def flags(self, name: str, *, codes: tuple[int, ...] = ()) -> pd.arrays.BooleanArray:
        """A 0/1 column as nullable booleans (blank and missing codes are ``<NA>``)."""
        if name not in self.cols:
            return pd.array([pd.NA] * len(self), dtype="boolean")
        num = self.numbers(
            name,
            what=f"0 or 1 (or blank{_codes_text(codes)} if unknown)",
            blank_ok=True,
            codes=codes,
            lo=0,
            hi=1,
        )
        out = pd.array(num == 1, dtype="boolean")
        out[np.isnan(num)] = pd.NA
        return out

    def dates(self, name: str) -> pd.Series:
        """A date column (``YYYY-MM-DD``, optionally with a time, or ``15 January 2020``)."""
        raw = pd.Series(self.text(name), dtype=object)
        blank = (raw == "").to_numpy()
        if blank.any():
            i = int(np.flatnonzero(blank)[0])
            raise self.fail(
                f"column '{name}' is blank in {self.where(i)}; every event needs a date."
            )
        iso = raw.map(lambda s: bool(_ISO_DATE.match(s)))
        out = pd.to_datetime(
            raw.where(iso).str[:10].str.strip(), format="%Y-%m-%d", errors="coerce"
        )
        for fmt in _TEXT_DATE_FORMATS:
            todo = out.isna() & ~iso
            if not todo.any():
                break
            out[todo] = pd.to_datetime(raw[todo], format=fmt, errors="coerce")
        if out.isna().any():
            i = int(np.flatnonzero(out.isna().to_numpy())[0])
            raise self.fail(
                f"column '{name}' must hold dates written YYYY-MM-DD (or like '15 January "
                f"2020'). Got {raw.iloc[i]!r} in {self.where(i)}, which cannot be read as a date."
            )
        return out.reset_index(drop=True)


def _codes_text(codes: tuple[int, ...]) -> str:
    return "".join(f", {c}" for c in codes)


def _open(
    path: str | Path,
    source: str,
    encoding: str | None,
    required: tuple[str, ...],
    *,
    id_column: str,
) -> _File:
    label, a_label = _LABELS[source], _A_LABEL[source]
    if not isinstance(path, (str, Path)):
        raise TypeError(f"Expected a file path (str or pathlib.Path). Got {type(path).__name__}.")
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"No such file: {path}.")
    if path.is_dir():
        raise FileFormatError(f"{path} is a directory; expected {a_label} export file.")
    used: str | None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if importlib.util.find_spec("openpyxl") is None:
            raise ImportError(
                f"Reading {path} (an Excel workbook) needs the optional package openpyxl, "
                f"which is not installed. Install it (pip install openpyxl) or save the sheet "
                f"as CSV and read that."
            )
        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as exc:  # openpyxl raises many unrelated types on bad files
            raise FileFormatError(f"{path}: not a readable Excel workbook ({exc}).") from None
        used = None
    else:
        text, used = _decode(path.read_bytes(), encoding, path)
        if not text.strip():
            raise FileFormatError(
                f"{path}: the file is empty; expected {a_label} export with a header row "
                f"({', '.join(required)}, …) and at least one event."
            )
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise FileFormatError(f"{path}: not a readable CSV file ({exc}).") from None
    frame = frame.fillna("").astype(str)
    frame = frame.apply(lambda c: c.str.strip())
    cols: dict[str, Any] = {}
    for c in frame.columns:
        key = str(c).strip().lstrip("\ufeff").strip().lower()
        if key in cols:
            raise FileFormatError(
                f"{path}: columns {cols[key]!r} and {c!r} have the same name (ignoring case); "
                f"{a_label} export names each column once."
            )
        cols[key] = c
    missing = [c for c in required if c not in cols]
    if missing:
        shown = list(map(str, frame.columns))
        more = f" … ({len(shown)} in all)" if len(shown) > 12 else ""
        raise FileFormatError(
            f"{path}: not {a_label} export: required column(s) "
            f"{', '.join(map(repr, missing))} missing. {label} files need the columns "
            f"{', '.join(required)} (any case). "
            f"Got columns {shown[:12]}{more}."
        )
    if len(frame) == 0:
        raise FileFormatError(f"{path}: the file has a header but no rows; expected events.")
    f = _File(path=path, label=label, frame=frame, cols=cols, encoding=used)
    ids = f.text(id_column)
    blank = ids == ""
    if blank.any():
        i = int(np.flatnonzero(blank)[0])
        raise f.fail(f"column '{id_column}' is blank in data row {i + 1}; every event needs an id.")
    f.ids = ids
    return f


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


def read_gtd(path: str | Path, *, encoding: str | None = None) -> EventTable:
    """Read a Global Terrorism Database export (START codebook columns).

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV file, or an ``.xlsx`` workbook (needs the optional package openpyxl).
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
    ImportError
        For an ``.xlsx`` file when openpyxl is not installed.
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
    fields = {"event_id", "date", "year", "month", "country", "actor", "actors"}
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
    if "killed" in cols:
        cols["killed_low"] = np.where(np.isnan(cols["killed"]), 0.0, cols["killed"])
        cols["killed_high"] = np.where(np.isnan(cols["killed"]), np.inf, cols["killed"])
    else:
        cols["killed_low"] = np.zeros(len(f))
        cols["killed_high"] = np.full(len(f), np.inf)
    for column, target in (
        ("claimed", "claimed"),
        ("doubtterr", "doubtful"),
        ("suicide", "suicide"),
        ("success", "success"),
    ):
        cols[target] = f.flags(column, codes=_GTD_MISSING_CODES)
        if f.has(column):
            fields.add(target)
    fields |= {
        k
        for k in ("region", "admin1", "event_type", "target_type")
        if {
            "region": "region_txt",
            "admin1": "provstate",
            "event_type": "attacktype1_txt",
            "target_type": "targtype1_txt",
        }[k]
        in f.cols
    }
    return _build(f, "gtd", cols, fields=fields, notes=notes, no_data_years=GTD_NO_DATA_YEARS)


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

    * ``event_date`` may be written ``2020-01-15`` or ``15 January 2020``; ``year``, when
      present, must agree with it.
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
        year = f.numbers("year", what="a four-digit year", lo=1000, hi=9999)
        bad = np.flatnonzero(year != date.dt.year.to_numpy())
        if bad.size:
            i = int(bad[0])
            raise f.fail(
                f"column 'year' says {int(year[i])} but event_date says "
                f"{f.text('event_date')[i]!r} in {f.where(i)}."
            )
    precision = np.full(len(f), "day", dtype=object)
    if f.has("time_precision"):
        tp = f.numbers("time_precision", what="1, 2 or 3", blank_ok=True, lo=1, hi=3)
        precision[tp == 3] = "month"
        if (tp == 3).any():
            notes.append(
                f"{int((tp == 3).sum())} events are dated to the month only (time_precision=3)."
            )
    fields = {
        "event_id",
        "date",
        "year",
        "month",
        "country",
        "actor",
        "actors",
        "event_type",
        "counterparts",
    }
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
        cols["killed"] = v
        cols["killed_low"] = np.where(np.isnan(v), 0.0, v)
        cols["killed_high"] = np.where(np.isnan(v), np.inf, v)
        fields.add("killed")
        _maybe(notes, _unknown_note(v, "fatalities", "deaths"))
    else:
        cols["killed_low"] = np.zeros(len(f))
        cols["killed_high"] = np.full(len(f), np.inf)
        notes.append("No column fatalities: every event's death count is unknown.")
    return _build(f, "acled", cols, fields=fields, notes=notes)


def read_ucdp_ged(path: str | Path, *, encoding: str | None = None) -> EventTable:
    """Read a UCDP Georeferenced Event Dataset (GED) export.

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
    Required columns: ``id, year, type_of_violence, side_a, side_b, country, date_start,
    date_end, best, low, high``. Read when present: ``adm_1, region``.

    * ``event_type`` is ``type_of_violence`` in words: 1 ``"state-based"``, 2
      ``"non-state"``, 3 ``"one-sided"``.
    * ``date`` is ``date_start``; ``date_precision`` is the finest of ``"day"``,
      ``"month"``, ``"year"`` that holds both ``date_start`` and ``date_end``, and
      ``"multi-year"`` when they fall in different years (such an event enters no
      series). ``year`` must be the year of ``date_start``.
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
    year = f.numbers("year", what="a four-digit year", lo=1000, hi=9999)
    bad = np.flatnonzero(year != start.dt.year.to_numpy())
    if bad.size:
        i = int(bad[0])
        raise f.fail(
            f"column 'year' says {int(year[i])} but date_start says "
            f"{f.text('date_start')[i]!r} in {f.where(i)}."
        )
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
        "killed": best,
        "killed_low": np.where(np.isnan(low), 0.0, low),
        "killed_high": np.where(np.isnan(high), np.inf, high),
    }
    fields = {
        "event_id",
        "date",
        "year",
        "month",
        "country",
        "actor",
        "actors",
        "counterparts",
        "event_type",
        "killed",
    }
    fields |= {k for k, c in (("region", "region"), ("admin1", "adm_1")) if c in f.cols}
    return _build(f, "ucdp_ged", cols, fields=fields, notes=notes)


# ---------------------------------------------------------------------- filtering
Matcher = str | re.Pattern[str] | Iterable[str]


def _matcher(name: str, value: Any) -> tuple[Callable[[str], bool], str]:
    if isinstance(value, re.Pattern):
        return (lambda s: bool(value.search(s))), f"{name} matching /{value.pattern}/"
    if isinstance(value, str):
        target = value.strip()
        if not target:
            raise ParameterError(f"The '{name}' parameter of filter_events must not be blank.")
        return (lambda s: s == target), f"{name}={target!r}"
    if isinstance(value, Iterable):
        items = list(value)
        if not items or not all(isinstance(v, str) for v in items):
            raise TypeError(
                f"The '{name}' parameter of filter_events must be a str (exact match), a "
                f"compiled regular expression (re.compile(...), searched) or a non-empty list "
                f"of str. Got {value!r}."
            )
        targets = {v.strip() for v in items}
        return (lambda s: s in targets), f"{name} in {sorted(targets)!r}"
    raise TypeError(
        f"The '{name}' parameter of filter_events must be a str (exact match), a compiled "
        f"regular expression (re.compile(...), searched) or a list of str. Got {value!r}."
    )


def _no_match_note(name: str, value: Any, names: Iterable[str]) -> str:
    close: list[str] = []
    if isinstance(value, str):
        close = difflib.get_close_matches(value, sorted(set(names)), n=3, cutoff=0.6)
    hint = f" Closest names: {close}." if close else ""
    return f"The filter {name} matched no event.{hint}"


def filter_events(
    table: EventTable,
    *,
    actor: Matcher | None = None,
    actor_fields: str = "primary",
    country: Matcher | None = None,
    event_type: Matcher | None = None,
    exclude_doubtful: bool = False,
) -> EventTable:
    """Keep the events of an actor, country or event type; count the rest as excluded.

    Parameters
    ----------
    table : EventTable
    actor, country, event_type : str, compiled regex or list of str, optional
        A ``str`` matches exactly (surrounding spaces ignored, case kept), a list matches
        any of its names, a compiled pattern (``re.compile("Khorasan", re.I)``) matches
        where ``pattern.search`` finds it. ``event_type`` is GTD ``attacktype1_txt``,
        ACLED ``event_type`` or UCDP's ``"state-based"``/``"non-state"``/``"one-sided"``.
    actor_fields : {"primary", "all", "any_side"}
        Where ``actor`` is looked for: ``"primary"`` — GTD ``gname``, ACLED ``actor1``,
        UCDP ``side_a``; ``"all"`` — also GTD ``gname2``/``gname3`` and ACLED
        ``assoc_actor_1``; ``"any_side"`` — also ACLED ``actor2``/``assoc_actor_2`` and
        UCDP ``side_b`` (events *against* the actor too).
    exclude_doubtful : bool
        Leave out GTD events coded ``doubtterr = 1`` (doubt that the event is terrorism).
        Events with ``doubtterr`` unknown (-9) are kept.

    Returns
    -------
    EventTable
        The matching events; the others are appended to ``excluded`` with the first
        criterion they failed as ``reason``.

    Warns
    -----
    LifecycleWarning
        When a criterion matches no event at all (often a misspelt name); the message
        lists the closest names.

    Raises
    ------
    ParameterError
        If ``exclude_doubtful`` is asked of a source without a doubt flag.
    """
    if not isinstance(table, EventTable):
        raise TypeError(f"Expected an EventTable. Got {type(table).__name__}.")
    check_choice("actor_fields", actor_fields, ACTOR_FIELDS, func="filter_events")
    if not isinstance(exclude_doubtful, (bool, np.bool_)):
        raise TypeError(
            f"The 'exclude_doubtful' parameter of filter_events must be a bool. "
            f"Got {exclude_doubtful!r}."
        )
    if exclude_doubtful and "doubtful" not in table.fields:
        raise ParameterError(
            f"The 'exclude_doubtful' parameter of filter_events needs a doubt flag, which "
            f"this {_LABELS[table.source]} table does not have (GTD's doubtterr column)."
        )
    ev = table.events
    n = len(ev)
    reason = np.full(n, "", dtype=object)
    described: list[str] = []
    notes = list(table.notes)

    def apply(name: str, value: Any, cells: Iterable[Any], field_text: str) -> None:
        match, desc = _matcher(name, value)
        cells = list(cells)
        ok = np.array(
            [any(match(x) for x in c) if isinstance(c, tuple) else match(c) for c in cells],
            dtype=bool,
        )
        described.append(desc + field_text)
        if n and not ok.any():
            names = [x for c in cells for x in (c if isinstance(c, tuple) else (c,))]
            note = _no_match_note(desc, value, names)
            notes.append(note)
            warnings.warn(note, LifecycleWarning, stacklevel=3)
        reason[(reason == "") & ~ok] = f"not matched: {desc}{field_text}"

    if actor is not None:
        where = _actor_columns(table.source, actor_fields)
        if actor_fields == "primary":
            cells: Iterable[Any] = ev["actor"]
        elif actor_fields == "all":
            cells = ev["actors"]
        else:
            cells = (a + c for a, c in zip(ev["actors"], ev["counterparts"], strict=True))
        apply("actor", actor, cells, f" (in {where})")
    if country is not None:
        apply("country", country, ev["country"], "")
    if event_type is not None:
        apply("event_type", event_type, ev["event_type"], "")
    if exclude_doubtful:
        doubtful = ev["doubtful"].fillna(False).to_numpy(dtype=bool)
        reason[(reason == "") & doubtful] = "doubtful: doubtterr=1"
        described.append("doubtful events excluded")
    out = reason != ""
    kept = ev[~out].reset_index(drop=True)
    dropped = ev[out].assign(reason=reason[out]).reset_index(drop=True)
    if not out.any():
        excluded = table.excluded
    elif len(table.excluded) == 0:
        excluded = dropped
    else:
        excluded = pd.concat([table.excluded, dropped], ignore_index=True)
    notes.append(f"Filter ({'; '.join(described) or 'none'}): kept {len(kept)} of {n} events.")
    return replace(
        table,
        events=kept,
        excluded=excluded,
        filters=table.filters + tuple(described),
        notes=tuple(notes),
    )


def _actor_columns(source: str, actor_fields: str) -> str:
    columns = {
        "gtd": ("gname", "gname/gname2/gname3", "gname/gname2/gname3"),
        "acled": ("actor1", "actor1/assoc_actor_1", "actor1/assoc_actor_1/actor2/assoc_actor_2"),
        "ucdp_ged": ("side_a", "side_a", "side_a/side_b"),
    }[source]
    return columns[ACTOR_FIELDS.index(actor_fields)]


# ---------------------------------------------------------------------- to series
def _period_bounds(ordinal: int, freq: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    if freq == "year":
        return pd.Timestamp(ordinal, 1, 1), pd.Timestamp(ordinal, 12, 31)
    first = pd.Timestamp(ordinal // 12, ordinal % 12 + 1, 1)
    return first, first + pd.offsets.MonthEnd(0)


def _ordinal_of(date: pd.Timestamp, freq: str) -> int:
    return int(date.year) if freq == "year" else 12 * int(date.year) + int(date.month) - 1


@dataclass(frozen=True)
class _Placement:
    freq: str
    first: int
    last: int
    periods: np.ndarray  # ordinal of each placed event
    placed: pd.DataFrame
    excluded: pd.DataFrame
    exposure: dict[int, float]  # ordinal -> exposure, only covered periods
    last_date: pd.Timestamp


def _place(
    table: EventTable,
    freq: str,
    start: Any,
    end: Any,
    last_date: Any,
    func: str,
) -> _Placement:
    if not isinstance(table, EventTable):
        raise TypeError(f"Expected an EventTable. Got {type(table).__name__}.")
    check_choice("freq", freq, FREQS, func=func)
    cov = table.coverage
    if last_date is None:
        last = cov.last_date
    else:
        try:
            last = pd.Timestamp(last_date)
        except (TypeError, ValueError):
            last = pd.NaT
        if pd.isna(last):
            raise ParameterError(
                f"The 'last_date' parameter of {func} must be a date such as '2021-12-31'. "
                f"Got {last_date!r} instead."
            )
        last = last.normalize()
    ev = table.events
    coarse = ("year", "multi-year") if freq == "month" else ("multi-year",)
    bad_precision = ev["date_precision"].isin(coarse).to_numpy()
    reason = np.full(len(ev), "", dtype=object)
    reason[bad_precision] = (
        "date known only to the year: cannot be placed in a monthly series"
        if freq == "month"
        else "dated across two or more years: cannot be placed in one year"
    )
    reason[bad_precision & (ev["date_precision"] == "multi-year").to_numpy()] = (
        "dated across two or more years: cannot be placed in one period"
    )
    ok = ~bad_precision
    dates = ev["date"]
    after = ok & (dates > last).to_numpy()
    if after.any():
        i = int(np.flatnonzero(after)[0])
        raise ParameterError(
            f"The 'last_date' parameter of {func} says the data end on {last.date()}, but "
            f"event {ev['event_id'].iloc[i]} is dated {dates.iloc[i].date()}. Give a "
            f"last_date on or after the latest event."
        )
    years = ev["year"].to_numpy()
    months = ev["month"].fillna(1).to_numpy(dtype=np.int64)
    ords = years if freq == "year" else 12 * years + months - 1
    if start is None:
        if not ok.any():
            raise EmptySeriesError(
                f"No event of this table ({table.description}) can be placed in a {freq}ly "
                f"series, so the series has no start. Pass start=... for an all-zero series."
            )
        first = int(ords[ok].min())
    else:
        first = to_ordinal(start, freq)
    final = _ordinal_of(last, freq) if end is None else to_ordinal(end, freq)
    if first > final:
        raise ParameterError(
            f"The series of {func} must run forward: start {to_label(first, freq)} is after "
            f"end {to_label(final, freq)}."
        )
    before = ok & (ords < first)
    reason[before] = f"before the series start {to_label(first, freq)}"
    beyond = ok & (ords > final)
    reason[beyond] = f"after the series end {to_label(final, freq)}"
    placed_mask = reason == ""
    first_cov = _ordinal_of(cov.first_date, freq)
    exposure: dict[int, float] = {}
    for p in range(first, final + 1):
        lo, hi = _period_bounds(p, freq)
        year = p if freq == "year" else p // 12
        if p < first_cov or year in cov.no_data_years or lo > last:
            continue
        if hi > last:
            exposure[p] = ((last - lo).days + 1) / ((hi - lo).days + 1)
        else:
            exposure[p] = 1.0
    return _Placement(
        freq=freq,
        first=first,
        last=final,
        periods=ords[placed_mask],
        placed=ev[placed_mask],
        excluded=ev[~placed_mask].assign(reason=reason[~placed_mask]),
        exposure=exposure,
        last_date=last,
    )


def series_exclusions(
    table: EventTable,
    *,
    freq: str = "year",
    start: Any = None,
    end: Any = None,
    last_date: Any = None,
) -> pd.DataFrame:
    """The events of ``table`` that :func:`events_to_series` leaves out, with a reason.

    Parameters are those of :func:`events_to_series`. Reasons: a date too coarse for the
    frequency (unknown month in a monthly series; a UCDP event spanning years), or a
    period before ``start`` or after ``end``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`EVENT_COLUMNS` and ``reason``.
    """
    return _place(table, freq, start, end, last_date, "series_exclusions").excluded


def events_to_series(
    table: EventTable,
    *,
    freq: str = "year",
    measure: str = "attacks",
    start: Any = None,
    end: Any = None,
    last_date: Any = None,
    strict: bool = False,
    name: str | None = None,
) -> CountSeries:
    """Count the events of a table per year or month.

    Parameters
    ----------
    table : EventTable
        Usually the output of :func:`filter_events`.
    freq : {"year", "month"}
    measure : {"attacks", "killed", "killed_best", "wounded", "claimed", "countries"}
        ``"attacks"``: number of events. ``"killed"``: deaths as the interval
        ``[sum of killed_low, sum of killed_high]`` (exact when every toll is known;
        ``high = inf`` in a period with an unknown GTD/ACLED toll; UCDP's low/high).
        ``"killed_best"``: sum of the best estimates (UCDP ``best``), ``[known sum, inf)``
        where one is unknown. ``"wounded"``: as ``"killed_best"`` for GTD ``nwound``.
        ``"claimed"``: GTD events claimed by a group, ``[claimed, claimed + unknown]``.
        ``"countries"``: number of distinct countries with an event (reach).
    start, end : int or str, optional
        First and last period (``2015`` or ``"2015-03"``). Default: the period of the
        first placeable event, and the period holding the data's last date. Periods
        before ``start`` with no data and after ``end`` are not in the series; events
        there are listed by :func:`series_exclusions`.
    last_date : date-like, optional
        The last date the data cover (e.g. ``"2021-12-31"`` from the release notes).
        Default: ``table.coverage.last_date``, the latest event date in the file before
        any filter. The period holding it gets exposure ``covered days / days``; later
        periods are missing.
    strict : bool
        Raise instead of warning when events cannot be placed (unknown month in a
        monthly series, UCDP events spanning years).
    name : str, optional
        Series name (default: the table's description).

    Returns
    -------
    CountSeries
        One observation per covered period, measure label ``measure``, provenance the
        ``source:event_id`` of its events. Periods the source does not cover (before
        its first event, GTD 1993, after ``last_date``) are missing, never zero.

    Warns
    -----
    LifecycleWarning
        When events are left out because their date is too coarse; the message counts
        them and :func:`series_exclusions` lists them.

    Raises
    ------
    GridError
        With ``strict=True``, when events cannot be placed.
    ParameterError
        For an unknown measure, a measure the source lacks (``"wounded"`` of ACLED), a
        ``last_date`` before an event, or ``start`` after ``end``.
    EmptySeriesError
        If no period of the series is covered by the data.

    Examples
    --------
    >>> s = events_to_series(filter_events(table, actor="Taliban"))  # doctest: +SKIP
    """
    func = "events_to_series"
    check_choice("measure", measure, MEASURES, func=func)
    if not isinstance(strict, (bool, np.bool_)):
        raise TypeError(f"The 'strict' parameter of {func} must be a bool. Got {strict!r}.")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"The 'name' parameter of {func} must be a str. Got {name!r}.")
    needs = {
        "killed": "killed",
        "killed_best": "killed",
        "wounded": "wounded",
        "claimed": "claimed",
    }
    if measure in needs and needs[measure] not in table.fields:
        what = {
            "killed": "death counts",
            "wounded": "wounded counts",
            "claimed": "claim information",
        }[needs[measure]]
        available = [m for m in MEASURES if m not in needs or needs[m] in table.fields]
        raise ParameterError(
            f"The measure {measure!r} needs {what}, which this {_LABELS[table.source]} "
            f"file does not hold. Choose one of {available}."
        )
    pl = _place(table, freq, start, end, last_date, func)
    coarse = pl.excluded[~pl.excluded["reason"].str.startswith(("before", "after"))]
    if len(coarse):
        counts = coarse["reason"].value_counts()
        text = "; ".join(f"{int(k)} {r}" for r, k in counts.items())
        msg = (
            f"{len(coarse)} of {len(table.events)} events left out of the {freq}ly "
            f"{measure} series ({text}). series_exclusions() lists them."
        )
        if strict:
            raise GridError(msg)
        warnings.warn(msg, LifecycleWarning, stacklevel=2)
    if not pl.exposure:
        raise EmptySeriesError(
            f"The data of {table.description} cover no period between "
            f"{to_label(pl.first, freq)} and {to_label(pl.last, freq)} (coverage "
            f"{table.coverage.first_date.date()}–{pl.last_date.date()}, no data in "
            f"{list(table.coverage.no_data_years)})."
        )
    ev = pl.placed
    periods = list(pl.exposure)
    groups = {p: np.flatnonzero(pl.periods == p) for p in periods}
    low, high, prov = [], [], []
    ids = (table.source + ":" + ev["event_id"].astype(str)).to_numpy()
    for p in periods:
        idx = groups[p]
        sub = ev.iloc[idx]
        if measure == "attacks":
            lo = hi = float(len(idx))
        elif measure == "killed":
            lo = float(sub["killed_low"].sum())
            hi = float(sub["killed_high"].sum())
        elif measure in ("killed_best", "wounded"):
            v = sub["killed" if measure == "killed_best" else "wounded"].to_numpy(dtype=float)
            lo = float(np.nansum(v))
            hi = np.inf if np.isnan(v).any() else lo
        elif measure == "claimed":
            c = sub["claimed"]
            lo = float(c.fillna(False).sum())
            hi = lo + float(c.isna().sum())
        else:
            lo = hi = float(sub.loc[sub["country"] != "", "country"].nunique())
        low.append(lo)
        high.append(hi)
        prov.append(tuple(ids[idx]))
    labels = [to_label(p, freq) for p in periods]
    return CountSeries.from_windows(
        labels,
        labels,
        low,
        high,
        weights=[[pl.exposure[p]] for p in periods],
        measure=measure,
        provenance=prov,
        freq=freq,
        grid=(to_label(pl.first, freq), to_label(pl.last, freq)),
        name=table.description if name is None else name,
    )

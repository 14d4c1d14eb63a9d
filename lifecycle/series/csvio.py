"""Reading count series from tables and CSV files.

Two layouts are read (column names without regard to case):

* simple: ``year`` (or ``month``, or ``period``) and ``count``, optionally ``exposure``
  and ``measure``;
* windows: ``start``, ``end``, ``low`` and ``high`` (or ``count``), optionally
  ``exposure`` (total per window), ``weights`` (``;``-separated per period), ``measure``
  and ``provenance`` (``;``-separated ids) — as written by
  :meth:`~lifecycle.series.CountSeries.to_frame`.

Every malformed cell raises :class:`~lifecycle._core.errors.FileFormatError` naming the
file, the column and the row.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import (
    CountError,
    EmptySeriesError,
    ExposureError,
    FileFormatError,
    GridError,
    IntervalError,
)
from lifecycle._core.validation import MAX_COUNT, check_choice
from lifecycle.series.calendar import FREQS, MAX_YEAR, MIN_YEAR, to_ordinal
from lifecycle.series.countseries import CountSeries

__all__ = ["MAX_SERIES_ROWS", "read_csv_text", "read_series_csv", "series_from_frame"]

_BUILD_ERRORS = (GridError, CountError, ExposureError, IntervalError)


class _Table:
    """A frame being read, with case-insensitive column access and row-naming messages."""

    def __init__(self, frame: pd.DataFrame, source: str, rows: np.ndarray | None) -> None:
        self.frame = frame
        self.source = source
        self.rows = rows
        self.cols: dict[str, Any] = {}
        for c in frame.columns:
            key = str(c).strip().lower()
            if key in self.cols:
                raise FileFormatError(
                    f"{source}: columns {str(self.cols[key])!r} and {str(c)!r} have the same "
                    f"name (ignoring case); name each column once."
                )
            self.cols[key] = c

    def __contains__(self, key: str) -> bool:
        return key in self.cols

    def col(self, key: str) -> pd.Series:
        return self.frame[self.cols[key]]

    def where(self, i: int, *, flat: bool = False) -> str:
        text = f"data row {i + 1}"
        if self.rows is not None:
            row = f"row {int(self.rows[i])} in a spreadsheet"
            text += f", {row}" if flat else f" ({row})"
        return text

    def fail(self, key: str, i: int, message: str, hint: str = "") -> FileFormatError:
        return FileFormatError(f"{self.source}: column '{key}' {message} in {self.where(i)}.{hint}")

    def text(self, key: str) -> list[str] | None:
        """A text column (``measure``); a blank cell is an error, never a name ``''``."""
        if key not in self.cols:
            return None
        out = []
        for i, v in enumerate(self.col(key)):
            if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip():
                raise self.fail(key, i, "is blank")
            out.append(str(v))
        return out

    def provenance(self) -> list[list[str]] | None:
        if "provenance" not in self.cols:
            return None
        return [
            [] if pd.isna(v) else [x for x in str(v).split(";") if x]
            for v in self.col("provenance")
        ]

    def numbers(self, key: str, *, count: bool = False, inf_ok: bool = False) -> list[float]:
        """A numeric column; blanks, booleans, NaN and (for counts) 2^53 or more refused.

        Counts must also *add up* to less than 2^53 (every fit works on cumulative
        sums); the message names the row where the running total gets there.
        """
        out = []
        total = 0.0
        for i, v in enumerate(self.col(key)):
            x = self._number(key, i, v, count=count, inf_ok=inf_ok)
            out.append(x)
            if count and np.isfinite(x):
                total += x
                if total >= MAX_COUNT:
                    raise self.fail(
                        key,
                        i,
                        f"must hold counts adding up to less than 2^53 ({MAX_COUNT:,}). "
                        f"The total reaches about {total:.4g}",
                        " Count in larger units (e.g. thousands) or analyse a shorter span.",
                    )
        return out

    def _number(self, key: str, i: int, v: Any, *, count: bool, inf_ok: bool) -> float:
        if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
            hint = (
                " Write 0 for an observed zero, or leave the period out (allow_missing=True)"
                " if it was not observed."
                if count
                else ""
            )
            raise self.fail(key, i, "is blank", hint)
        if isinstance(v, (bool, np.bool_)):
            raise self.fail(key, i, f"must hold numbers. Got {v!r} (True/False are not counts)")
        try:
            x = float(v)
        except (TypeError, ValueError, OverflowError):
            raise self.fail(key, i, f"must hold numbers. Got {_short(v)}") from None
        if np.isnan(x) or (np.isinf(x) and not (inf_ok and x > 0)):
            raise self.fail(key, i, f"must hold finite numbers. Got {_short(v)}")
        if count and np.isfinite(x) and abs(x) >= MAX_COUNT:
            raise self.fail(key, i, f"must hold counts below 2^53 ({MAX_COUNT:,}). Got {_short(v)}")
        return x

    def periods(self, key: str, freq: str) -> list[Any]:
        """The period column, each label checked here so the message names its row."""
        labels = list(self.col(key))
        for i, v in enumerate(labels):
            if v is None or (isinstance(v, float) and np.isnan(v)):
                raise GridError(f"{self.source}: column '{key}' is blank in {self.where(i)}.")
            try:
                to_ordinal(v, freq)
            except GridError as exc:
                place = f"column '{key}' in {self.where(i, flat=True)}"
                raise GridError(f"{self.source}: {str(exc).rstrip('.')} ({place}).") from None
        return labels

    def weights(self) -> list[list[float]]:
        out = []
        for i, v in enumerate(self.col("weights")):
            try:
                out.append([float(x) for x in str(v).split(";")])
            except ValueError:
                raise self.fail(
                    "weights", i, f"must hold ';'-separated numbers. Got {v!r}"
                ) from None
        return out


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "…"


def series_from_frame(
    frame: pd.DataFrame,
    *,
    freq: str | None = None,
    name: str = "",
    allow_missing: bool = False,
    source: str = "the table",
    rows: np.ndarray | None = None,
) -> CountSeries:
    """Build a series from a DataFrame; see :meth:`CountSeries.from_frame`.

    ``rows`` gives each frame row's number as a spreadsheet shows it (for messages).
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"Expected a pandas DataFrame. Got {type(frame).__name__}.")
    t = _Table(frame, source, rows)
    if freq is None:
        freq = "month" if "month" in t and "year" not in t else "year"
        if "freq" in t and t.col("freq").nunique() == 1:
            freq = str(t.col("freq").iloc[0])
    check_choice("freq", freq, FREQS, func="CountSeries.from_frame")
    if len(frame) == 0:
        raise EmptySeriesError(f"{source} has no rows; a series needs at least one.")
    period_key = next((k for k in ("year", "month", "period") if k in t), None)
    if period_key is not None and "count" in t and "start" not in t:
        return _simple(t, period_key, freq=freq, name=name, allow_missing=allow_missing)
    if "start" in t and "end" in t and ("low" in t or "count" in t):
        return _windows(t, freq=freq, name=name)
    raise FileFormatError(
        f"{source}: expected columns 'year' and 'count' (or 'start', 'end', 'low', "
        f"'high'). Got columns {list(map(str, frame.columns))}."
    )


def _check_capacity(t: _Table, measures: list[str] | None, freq: str) -> None:
    """Refuse more rows per measure than the calendar has periods, before building."""
    most = MAX_YEAR - MIN_YEAR + 1 if freq == "year" else 12 * (MAX_YEAR - MIN_YEAR + 1)
    sizes = pd.Series(measures).value_counts() if measures else pd.Series([len(t.frame)])
    if int(sizes.max()) > most:
        raise GridError(
            f"{t.source}: {int(sizes.max()):,} rows for one measure, but a {freq}ly series "
            f"has at most {most:,} periods (years {MIN_YEAR}–{MAX_YEAR}), each given once."
        )


def _simple(
    t: _Table, period_key: str, *, freq: str, name: str, allow_missing: bool
) -> CountSeries:
    measures = t.text("measure")
    _check_capacity(t, measures, freq)
    if measures is not None and len(set(measures)) > 1:
        pieces = []
        for m in dict.fromkeys(measures):
            keep = np.array([x == m for x in measures])
            sub = t.frame[keep]
            pieces.append(
                series_from_frame(
                    sub.drop(columns=[t.cols["measure"]]).assign(measure=m),
                    freq=freq,
                    allow_missing=allow_missing,
                    source=t.source,
                    rows=t.rows[keep] if t.rows is not None else None,
                )
            )
        return CountSeries.concat(pieces, name=name)
    periods = t.periods(period_key, freq)
    counts = t.numbers("count", count=True)
    exposure = t.numbers("exposure") if "exposure" in t else None
    try:
        return CountSeries.from_counts(
            periods,
            counts,
            exposure,
            freq=freq,
            measure=measures[0] if measures else "count",
            name=name,
            allow_missing=allow_missing,
        )
    except _BUILD_ERRORS as exc:
        raise type(exc)(f"{t.source}: {exc}") from None


def _windows(t: _Table, *, freq: str, name: str) -> CountSeries:
    measures = t.text("measure")
    _check_capacity(t, measures, freq)
    start, end = t.periods("start", freq), t.periods("end", freq)
    low = t.numbers("low" if "low" in t else "count", count=True)
    high = t.numbers("high", count=True, inf_ok=True) if "high" in t else None
    weights = t.weights() if "weights" in t else None
    grid: Any = None
    if "grid_start" in t and "grid_end" in t:
        grid = (t.col("grid_start").iloc[0], t.col("grid_end").iloc[0])
    try:
        return CountSeries.from_windows(
            start,
            end,
            low,
            high,
            exposure=t.numbers("exposure") if "exposure" in t and weights is None else None,
            weights=weights,
            measure=measures or "count",
            provenance=t.provenance(),
            freq=freq,
            grid=grid,
            name=name,
        )
    except _BUILD_ERRORS as exc:
        raise type(exc)(f"{t.source}: {exc}") from None


#: Most data rows a series CSV may hold. A series has one row per period and measure, and
#: a monthly grid over the years 1–9999 has 119,988 periods; larger files are refused
#: before they are parsed (a 20 MB ``year,count`` file has about 2 million rows).
MAX_SERIES_ROWS = 1_000_000
_FILLED_LINE = re.compile(r"^[ \t]*[^\s]", re.MULTILINE)
_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_csv_text(
    text: str, source: str, *, comments: bool = False, max_rows: int | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse CSV text into string cells without ever shifting a column.

    Parameters
    ----------
    text : str
        The decoded file.
    source : str
        The file's name, for messages.
    comments : bool
        Whether lines starting with ``#`` are comments (they keep their row number).
    max_rows : int, optional
        Refuse, before parsing, a file with more data rows than this.

    Returns
    -------
    frame : pandas.DataFrame
        One column per header field (names as written, stripped; a blank name becomes
        ``""`` when its column is blank, and is refused otherwise), string cells, rows
        with no value at all dropped.
    rows : ndarray of int
        The row of each frame row as a spreadsheet shows it (the header row is row 1,
        blank and comment lines keep their numbers).

    Raises
    ------
    FileFormatError
        If a row has more fields than the header (a trailing comma, an extra value), a
        column name appears twice (ignoring case), a column without a name holds values,
        or the file is longer than ``max_rows``.
    """
    if comments:
        text = re.sub(r"(?m)^[ \t]*#[^\r\n]*", "", text)
    body = text.lstrip("\r\n \t")
    offset = text[: len(text) - len(body)].count("\n")
    if not body.strip():
        raise FileFormatError(f"{source}: the file is empty; expected a header row and data.")
    if max_rows is not None and body.count("\n") > max_rows:
        n = sum(1 for _ in _FILLED_LINE.finditer(body)) - 1
        if n > max_rows:
            raise FileFormatError(
                f"{source}: {n:,} data rows, more than the {max_rows:,} a series file may "
                f"hold (one row per period and measure; a monthly grid over the years "
                f"1–9999 has 119,988 periods). Aggregate the data or split the file."
            )
    header = next(csv.reader([body.split("\n", 1)[0].rstrip("\r")]), [])
    names = [h.strip().lstrip("\ufeff").strip() for h in header]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                io.StringIO(body),
                dtype=str,
                keep_default_na=False,
                index_col=False,
                skip_blank_lines=False,
            )
        except pd.errors.EmptyDataError:
            raise FileFormatError(f"{source}: the file is empty; expected a header row.") from None
        except pd.errors.ParserError as exc:
            m = _FIELDS_RE.search(str(exc))
            if m is None:
                raise FileFormatError(f"{source}: not a readable CSV file ({exc}).") from None
            raise _too_many(source, names, int(m.group(2)) + offset, int(m.group(3))) from None
    if any("Length of header" in str(w.message) for w in caught):
        for k, fields in enumerate(csv.reader(io.StringIO(body))):
            if len(fields) > len(names):
                raise _too_many(source, names, k + 1 + offset, len(fields))
    if len(names) == frame.shape[1]:
        frame.columns = names
    _check_names(frame, source, offset)
    blank = (frame == "").all(axis=1).to_numpy()
    rows = np.arange(len(frame)) + 2 + offset
    if blank.any():
        frame = frame[~blank].reset_index(drop=True)
        rows = rows[~blank]
    return frame, rows


def _too_many(source: str, names: list[str], row: int, saw: int) -> FileFormatError:
    shown = ", ".join(names) if len(names) <= 8 else ", ".join(names[:8]) + ", …"
    return FileFormatError(
        f"{source}: row {row} has {saw} fields but the header row has {len(names)} "
        f"({shown}). An extra value or a trailing comma would shift the columns; remove "
        f"it (or name the extra column in the header)."
    )


def _check_names(frame: pd.DataFrame, source: str, offset: int) -> None:
    seen: dict[str, str] = {}
    for k, c in enumerate(map(str, frame.columns)):
        if not c.strip() or c.startswith("Unnamed: "):
            filled = np.flatnonzero((frame.iloc[:, k] != "").to_numpy())
            if filled.size:
                i = int(filled[0])
                raise FileFormatError(
                    f"{source}: column {k + 1} has no name in the header row but holds "
                    f"{frame.iloc[i, k]!r} in row {i + 2 + offset}. Name the column or "
                    f"remove the value."
                )
            continue
        key = c.strip().lower()
        if key in seen:
            raise FileFormatError(
                f"{source}: columns {seen[key]!r} and {c!r} have the same name (ignoring "
                f"case); name each column once."
            )
        seen[key] = c


def read_series_csv(
    path: str | Path, *, freq: str | None = None, allow_missing: bool = False
) -> CountSeries:
    """Read a series from a CSV file; see :meth:`CountSeries.read_csv`."""
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"No such file: {path}.")
    if path.is_dir():
        raise FileFormatError(f"{path} is a folder, not a CSV file.")
    raw = path.read_bytes()
    if not raw.strip():
        raise FileFormatError(
            f"{path}: not a readable CSV file: the file is empty; expected a header row "
            f"(year,count) and one row per period."
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"{path}: not a readable CSV file (not UTF-8: byte {exc.start} is "
            f"{raw[exc.start : exc.start + 1]!r}). Save it as UTF-8 CSV."
        ) from None
    frame, rows = read_csv_text(text, str(path), comments=True, max_rows=MAX_SERIES_ROWS)
    frame = frame.loc[:, [c != "" and not str(c).startswith("Unnamed: ") for c in frame.columns]]
    return series_from_frame(
        frame.replace("", np.nan),
        freq=freq,
        name=path.stem,
        allow_missing=allow_missing,
        source=str(path),
        rows=rows,
    )

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

import io
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
from lifecycle._core.validation import check_choice
from lifecycle.series.calendar import FREQS
from lifecycle.series.countseries import CountSeries

__all__ = ["read_series_csv", "series_from_frame"]

_BUILD_ERRORS = (GridError, CountError, ExposureError, IntervalError)


class _Table:
    """A frame being read, with case-insensitive column access and row-naming messages."""

    def __init__(self, frame: pd.DataFrame, source: str) -> None:
        self.frame = frame
        self.source = source
        self.cols = {str(c).strip().lower(): c for c in frame.columns}

    def __contains__(self, key: str) -> bool:
        return key in self.cols

    def col(self, key: str) -> pd.Series:
        return self.frame[self.cols[key]]

    def opt_text(self, key: str) -> list[str] | None:
        if key not in self.cols:
            return None
        return ["" if pd.isna(v) else str(v) for v in self.col(key)]

    def numbers(self, key: str) -> list[float]:
        out = []
        for row, v in enumerate(self.col(key)):
            try:
                out.append(float(v))
            except (TypeError, ValueError):
                raise FileFormatError(
                    f"{self.source}: column '{key}' must hold numbers. Got {v!r} in data "
                    f"row {row + 1}."
                ) from None
        return out

    def weights(self) -> list[list[float]]:
        out = []
        for row, v in enumerate(self.col("weights")):
            try:
                out.append([float(x) for x in str(v).split(";")])
            except ValueError:
                raise FileFormatError(
                    f"{self.source}: column 'weights' must hold ';'-separated numbers. "
                    f"Got {v!r} in data row {row + 1}."
                ) from None
        return out


def series_from_frame(
    frame: pd.DataFrame,
    *,
    freq: str | None = None,
    name: str = "",
    allow_missing: bool = False,
    source: str = "the table",
) -> CountSeries:
    """Build a series from a DataFrame; see :meth:`CountSeries.from_frame`."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"Expected a pandas DataFrame. Got {type(frame).__name__}.")
    t = _Table(frame, source)
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


def _simple(
    t: _Table, period_key: str, *, freq: str, name: str, allow_missing: bool
) -> CountSeries:
    measures = t.opt_text("measure")
    if measures is not None and len(set(measures)) > 1:
        pieces = []
        for m in dict.fromkeys(measures):
            sub = t.frame[[x == m for x in measures]]
            pieces.append(
                series_from_frame(
                    sub.drop(columns=[t.cols["measure"]]).assign(measure=m),
                    freq=freq,
                    allow_missing=allow_missing,
                    source=t.source,
                )
            )
        return CountSeries.concat(pieces, name=name)
    try:
        return CountSeries.from_counts(
            list(t.col(period_key)),
            t.numbers("count"),
            t.numbers("exposure") if "exposure" in t else None,
            freq=freq,
            measure=measures[0] if measures else "count",
            name=name,
            allow_missing=allow_missing,
        )
    except _BUILD_ERRORS as exc:
        raise type(exc)(f"{t.source}: {exc}") from None


def _windows(t: _Table, *, freq: str, name: str) -> CountSeries:
    low = t.numbers("low" if "low" in t else "count")
    high = t.numbers("high") if "high" in t else None
    weights = t.weights() if "weights" in t else None
    prov = t.opt_text("provenance")
    grid: Any = None
    if "grid_start" in t and "grid_end" in t:
        grid = (t.col("grid_start").iloc[0], t.col("grid_end").iloc[0])
    try:
        return CountSeries.from_windows(
            list(t.col("start")),
            list(t.col("end")),
            low,
            high,
            exposure=t.numbers("exposure") if "exposure" in t and weights is None else None,
            weights=weights,
            measure=t.opt_text("measure") or "count",
            provenance=[[x for x in p.split(";") if x] for p in prov] if prov else None,
            freq=freq,
            grid=grid,
            name=name,
        )
    except _BUILD_ERRORS as exc:
        raise type(exc)(f"{t.source}: {exc}") from None


def read_series_csv(
    path: str | Path, *, freq: str | None = None, allow_missing: bool = False
) -> CountSeries:
    """Read a series from a CSV file; see :meth:`CountSeries.read_csv`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
        frame = pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise FileFormatError(f"No such file: {path}.") from None
    except IsADirectoryError:
        raise FileFormatError(f"{path} is a folder, not a CSV file.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"{path}: not a readable CSV file ({exc}).") from None
    frame = frame.replace("", np.nan)
    return series_from_frame(
        frame, freq=freq, name=path.stem, allow_missing=allow_missing, source=str(path)
    )

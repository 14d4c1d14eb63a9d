"""Load the evidence CSV tables into typed frames, rejecting malformed rows precisely.

Each loader names the file, the row (id and line number) and the column of the first
problem it finds in an :class:`~lifecycle._core.errors.EvidenceError`.
"""

from __future__ import annotations

import csv
import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lifecycle._core.errors import EvidenceError
from lifecycle.evidence.dates import DATE_RE as _DATE_RE
from lifecycle.evidence.dates import date_bounds as _date_bounds
from lifecycle.evidence.paths import data_dir
from lifecycle.evidence.schema import (
    _EVENT_COUNTS,
    _EVENTS,
    _KEY_RE,
    _MILESTONES,
    _QUANTITIES,
    _RANGE_QUALIFIERS,
    _REGION_RE,
    _SOURCES,
    _VAGUE_QUALIFIERS,
    _WAVES,
    _YEAR_RE,
    PRECISIONS,
    WAVE_DEFINITIONS,
    _Spec,
)

__all__ = [
    "Evidence",
    "load_events",
    "load_evidence",
    "load_milestones",
    "load_quantities",
    "load_sources",
    "load_waves",
]

# --------------------------------------------------------------------------- reading


class _Row:
    """A raw CSV row with its line number, for error messages."""

    __slots__ = ("line", "values")

    def __init__(self, values: dict[str, str], line: int) -> None:
        self.values = values
        self.line = line


def _fail(file: Path | str, row: _Row | None, rid: str, column: str, msg: str) -> EvidenceError:
    where = f"{file}"
    if row is not None:
        where += f", row {rid or '?'} (line {row.line})"
    else:
        where += ", header (line 1)"
    return EvidenceError(f"{where}, column '{column}': {msg}")


def _read_rows(path: Path, spec: _Spec) -> list[_Row]:
    if not path.is_file():
        raise EvidenceError(f"{path}: evidence table not found (expected the {spec.name} CSV).")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise EvidenceError(f"{path}: the file is empty; expected a header row.") from None
            header = [h.strip() for h in header]
            missing = [c for c in spec.required if c not in header]
            if missing:
                raise _fail(
                    path,
                    None,
                    "",
                    missing[0],
                    f"required column missing; expected columns {', '.join(spec.required)}; "
                    f"got {', '.join(header)}.",
                )
            dupes = [c for c in header if header.count(c) > 1]
            if dupes:
                raise _fail(path, None, "", dupes[0], "the column appears more than once.")
            rows: list[_Row] = []
            for fields in reader:
                line = reader.line_num
                if not any(f.strip() for f in fields):
                    continue
                if len(fields) != len(header):
                    raise EvidenceError(
                        f"{path}, line {line}: expected {len(header)} fields as in the header, "
                        f"got {len(fields)}."
                    )
                rows.append(_Row({h: f.strip() for h, f in zip(header, fields, strict=True)}, line))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise EvidenceError(
            f"{path}: not a readable UTF-8 CSV file ({exc}); expected the {spec.name} table "
            f"as UTF-8 text with a header row."
        ) from None
    return rows


def _parse_number(
    path: Path, row: _Row, rid: str, column: str, *, integer: bool
) -> float | int | None:
    text = row.values.get(column, "")
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise _fail(
            path, row, rid, column, f"expected {kind} or an empty cell; got {text!r}."
        ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _fail(path, row, rid, column, f"expected a finite number; got {text!r}.")
    if number < 0:
        raise _fail(path, row, rid, column, f"expected a non-negative count; got {text!r}.")
    if integer:
        if number != int(number):
            raise _fail(path, row, rid, column, f"expected an integer; got {text!r}.")
        return int(number)
    return number


def _check_span(file: Path, row: _Row, rid: str, start: str, end: str) -> None:
    """Both dates of a span are well formed and the end is not before the start."""
    v = row.values
    _check_date(file, row, rid, start, f"{start}_precision")
    _check_date(file, row, rid, end, f"{end}_precision")
    if v[start] and v[end]:
        a, b = _date_bounds(v[start]), _date_bounds(v[end])
        if a and b and a[0] > b[1]:
            raise _fail(
                file,
                row,
                rid,
                end,
                f"expected {end} on or after {start} ({v[start]}); got {v[end]!r}.",
            )


def _check_date(path: Path, row: _Row, rid: str, column: str, precision_column: str) -> None:
    text = row.values[column]
    precision = row.values[precision_column]
    if precision not in PRECISIONS:
        raise _fail(
            path,
            row,
            rid,
            precision_column,
            f"expected one of {', '.join(PRECISIONS)}; got {precision!r}.",
        )
    if precision == "open":
        if text:
            raise _fail(
                path,
                row,
                rid,
                column,
                f"expected an empty cell because {precision_column} is 'open'; got {text!r}.",
            )
        return
    m = _DATE_RE.match(text)
    if not m:
        raise _fail(
            path,
            row,
            rid,
            column,
            f"expected a date written YYYY, YYYY-MM or YYYY-MM-DD ({precision_column} is "
            f"{precision!r}); got {text!r}.",
        )
    year, month, day = (int(g) if g else 1 for g in m.groups())
    try:
        _dt.date(year, month, day)
    except ValueError:
        raise _fail(
            path, row, rid, column, f"expected a valid calendar date; got {text!r}."
        ) from None
    parts = sum(g is not None for g in m.groups())
    wanted = {"year": 1, "month": 2, "day": 3}[precision]
    if parts != wanted:
        form = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}[precision]
        raise _fail(
            path,
            row,
            rid,
            column,
            f"expected {form} because {precision_column} is {precision!r}; got {text!r}.",
        )


def _known_sources(path: Path | None, sources: Any) -> set[str] | None:
    if sources is not None:
        if isinstance(sources, pd.DataFrame):
            return set(sources["source_id"].astype(str))
        return {str(s) for s in sources}
    candidates = []
    if path is not None:
        candidates.append(path.parent / "sources.csv")
    candidates.append(data_dir() / "sources.csv")
    for candidate in candidates:
        if candidate.is_file():
            return set(load_sources(candidate)["source_id"].astype(str))
    return None


def _validate_common(path: Path, spec: _Spec, rows: list[_Row], known: set[str] | None) -> None:
    seen: dict[str, int] = {}
    id_re = re.compile(rf"^{spec.id_prefix}\d{{3,}}$") if spec.id_prefix else _KEY_RE
    for row in rows:
        rid = row.values[spec.id_column]
        if not rid:
            raise _fail(path, row, rid, spec.id_column, "expected an id; got an empty cell.")
        if not id_re.match(rid):
            form = (
                f"{spec.id_prefix}001, {spec.id_prefix}002 ..."
                if spec.id_prefix
                else "a snake_case id"
            )
            raise _fail(path, row, rid, spec.id_column, f"expected {form}; got {rid!r}.")
        if rid in seen:
            raise _fail(
                path,
                row,
                rid,
                spec.id_column,
                f"duplicate id; {rid!r} is already used on line {seen[rid]}.",
            )
        seen[rid] = row.line
        if spec is not _SOURCES:
            sid = row.values["source_id"]
            if not sid:
                raise _fail(path, row, rid, "source_id", "expected a source id; got an empty cell.")
            if known is not None and sid not in known:
                raise _fail(
                    path,
                    row,
                    rid,
                    "source_id",
                    f"expected one of the sources in sources.csv ({', '.join(sorted(known))}); "
                    f"got {sid!r}.",
                )
            if not row.values["quote"]:
                raise _fail(
                    path, row, rid, "quote", "expected a verbatim quote; got an empty cell."
                )
        for column in spec.optional_keys:
            value = row.values.get(column, "")
            if value and not _KEY_RE.match(value):
                raise _fail(
                    path, row, rid, column, f"expected a snake_case key or empty; got {value!r}."
                )
        for column, vocab in (spec.categories or {}).items():
            value = row.values[column]
            if value == "" and column.endswith("_qualifier"):
                continue
            if value not in vocab:
                raise _fail(
                    path,
                    row,
                    rid,
                    column,
                    f"expected one of {', '.join(vocab)}; got {value!r}.",
                )


def _check_qualified(
    path: Path,
    row: _Row,
    rid: str,
    number: tuple[str, float | int | None],
    qualifier: tuple[str, str],
    low: tuple[str, float | int | None] | None,
    high: tuple[str, float | int | None] | None,
    *,
    required: bool,
) -> None:
    ncol, nval = number
    qcol, qval = qualifier
    lcol, lval = low if low else ("", None)
    hcol, hval = high if high else ("", None)
    if lval is not None and hval is not None and lval > hval:
        raise _fail(
            path,
            row,
            rid,
            lcol,
            f"expected {lcol} <= {hcol}; got {lcol}={row.values[lcol]} > "
            f"{hcol}={row.values[hcol]}.",
        )
    if qval == "":
        if nval is not None or lval is not None or hval is not None:
            raise _fail(
                path, row, rid, qcol, "expected a qualifier for the number; got an empty cell."
            )
        if required:
            raise _fail(path, row, rid, qcol, "expected a qualifier; got an empty cell.")
        return
    if qval in _RANGE_QUALIFIERS:
        if lval is None or hval is None or nval is not None:
            raise _fail(
                path,
                row,
                rid,
                qcol,
                f"qualifier {qval!r} expects {lcol or 'low'} and {hcol or 'high'} filled and "
                f"{ncol} empty; got {ncol}={row.values.get(ncol, '')!r}, "
                f"{lcol}={row.values.get(lcol, '')!r}, {hcol}={row.values.get(hcol, '')!r}.",
            )
    elif qval in _VAGUE_QUALIFIERS:
        if nval is not None:
            raise _fail(
                path,
                row,
                rid,
                ncol,
                f"qualifier {qval!r} means the document gives no number; expected an empty "
                f"cell, got {row.values[ncol]!r}.",
            )
    elif nval is None:
        raise _fail(
            path,
            row,
            rid,
            ncol,
            f"qualifier {qval!r} expects a number in {ncol}; got an empty cell.",
        )


def _frame(rows: list[_Row], spec: _Spec, numbers: dict[str, list[Any]]) -> pd.DataFrame:
    columns = list(rows[0].values) if rows else list(spec.required)
    data: dict[str, Any] = {}
    for col in columns:
        raw = [r.values.get(col, "") for r in rows]
        if col in spec.floats:
            data[col] = pd.array(numbers[col], dtype="Float64")
        elif col in spec.ints:
            data[col] = pd.array(numbers[col], dtype="Int64")
        elif spec.categories and col in spec.categories:
            data[col] = pd.Categorical(
                [v if v != "" else None for v in raw], categories=list(spec.categories[col])
            )
        else:
            data[col] = pd.array([v if v != "" else pd.NA for v in raw], dtype="string")
    frame = pd.DataFrame(data, columns=columns)
    frame.attrs["lines"] = [r.line for r in rows]
    return frame


def _numbers(path: Path, spec: _Spec, rows: list[_Row]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {c: [] for c in (*spec.floats, *spec.ints)}
    for row in rows:
        rid = row.values[spec.id_column]
        for col in spec.floats:
            out[col].append(_parse_number(path, row, rid, col, integer=False))
        for col in spec.ints:
            out[col].append(_parse_number(path, row, rid, col, integer=True))
    return out


def _resolve(path: str | os.PathLike[str] | None, name: str) -> Path:
    return Path(path) if path is not None else data_dir() / f"{name}.csv"


def load_sources(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load and validate ``sources.csv``.

    Parameters
    ----------
    path : path-like, optional
        The CSV file; default ``data/sources.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per document; text columns have ``string`` dtype, ``kind`` is
        categorical.

    Raises
    ------
    EvidenceError
        If a column is missing, an id is duplicated or malformed, a date is
        malformed or ``kind`` is not in :data:`SOURCE_KINDS`.
    """
    file = _resolve(path, "sources")
    rows = _read_rows(file, _SOURCES)
    _validate_common(file, _SOURCES, rows, None)
    for row in rows:
        rid = row.values["source_id"]
        if not row.values["file"]:
            raise _fail(file, row, rid, "file", "expected a file name; got an empty cell.")
        date = row.values["date"]
        if date:
            m = _DATE_RE.match(date)
            if not m or _date_bounds(date) is None:
                raise _fail(
                    file,
                    row,
                    rid,
                    "date",
                    f"expected YYYY, YYYY-MM or YYYY-MM-DD (or empty); got {date!r}.",
                )
    return _frame(rows, _SOURCES, {})


def load_quantities(
    path: str | os.PathLike[str] | None = None, *, sources: Any = None
) -> pd.DataFrame:
    """Load and validate ``quantities.csv``.

    Parameters
    ----------
    path : path-like, optional
        The CSV file; default ``data/quantities.csv``.
    sources : DataFrame or iterable of str, optional
        The known source ids. Default: ``sources.csv`` next to ``path`` if it
        exists, else the package's ``data/sources.csv``.

    Returns
    -------
    pandas.DataFrame
        ``value``, ``low``, ``high`` are ``Float64``; vocabularies
        (``measure``, ``qualifier``, ``unit``, precisions) are categorical;
        other columns ``string``. ``frame.attrs["lines"]`` holds each row's line
        number in the file.

    Raises
    ------
    EvidenceError
        Naming the file, the row (id and line) and the column, for a missing
        column, duplicate id, unknown or missing source id, unknown vocabulary
        entry, bad date or date inconsistent with its precision, negative
        number, ``low > high``, a qualifier inconsistent with the numbers, an
        unknown region format or a period whose start is after its end.
    """
    file = _resolve(path, "quantities")
    rows = _read_rows(file, _QUANTITIES)
    _validate_common(file, _QUANTITIES, rows, _known_sources(file, sources))
    numbers = _numbers(file, _QUANTITIES, rows)
    for i, row in enumerate(rows):
        rid = row.values["id"]
        v = row.values
        if not _KEY_RE.match(v["fact_key"]):
            raise _fail(
                file, row, rid, "fact_key", f"expected a snake_case key; got {v['fact_key']!r}."
            )
        if not _REGION_RE.match(v["region"]):
            raise _fail(
                file,
                row,
                rid,
                "region",
                "expected a snake_case country, 'country/province', a ';'-separated list, "
                f"'global' or 'unspecified'; got {v['region']!r}.",
            )
        _check_span(file, row, rid, "period_start", "period_end")
        _check_qualified(
            file,
            row,
            rid,
            ("value", numbers["value"][i]),
            ("qualifier", v["qualifier"]),
            ("low", numbers["low"][i]),
            ("high", numbers["high"][i]),
            required=True,
        )
        if v["unit"] == "count":
            for col in ("value", "low", "high"):
                n = numbers[col][i]
                if n is not None and n != int(n):
                    raise _fail(
                        file,
                        row,
                        rid,
                        col,
                        f"expected a whole number for unit 'count'; got {v[col]!r}.",
                    )
        if v["unit"] == "percent" and numbers["value"][i] is not None and numbers["value"][i] > 100:
            raise _fail(
                file,
                row,
                rid,
                "value",
                f"expected a percentage between 0 and 100; got {v['value']!r}.",
            )
        if v["unit"] == "fraction" and numbers["value"][i] is not None and numbers["value"][i] > 1:
            raise _fail(
                file, row, rid, "value", f"expected a fraction between 0 and 1; got {v['value']!r}."
            )
    return _frame(rows, _QUANTITIES, numbers)


def load_events(path: str | os.PathLike[str] | None = None, *, sources: Any = None) -> pd.DataFrame:
    """Load and validate ``events.csv``.

    Parameters
    ----------
    path : path-like, optional
        The CSV file; default ``data/events.csv``.
    sources : DataFrame or iterable of str, optional
        The known source ids (see :func:`load_quantities`).

    Returns
    -------
    pandas.DataFrame
        Tolls (``killed``, ``wounded``, ``casualties`` and their low/high) are
        ``Int64``; vocabularies are categorical; other columns ``string``.

    Raises
    ------
    EvidenceError
        Naming the file, the row (id and line) and the column (see
        :func:`load_quantities` for the checks).
    """
    file = _resolve(path, "events")
    rows = _read_rows(file, _EVENTS)
    _validate_common(file, _EVENTS, rows, _known_sources(file, sources))
    numbers = _numbers(file, _EVENTS, rows)
    for i, row in enumerate(rows):
        rid = row.values["id"]
        if not _KEY_RE.match(row.values["event_key"]):
            raise _fail(
                file,
                row,
                rid,
                "event_key",
                f"expected a snake_case key; got {row.values['event_key']!r}.",
            )
        country = row.values["country"]
        if country and not _REGION_RE.match(country):
            raise _fail(
                file,
                row,
                rid,
                "country",
                f"expected a snake_case country (or ';'-list); got {country!r}.",
            )
        _check_date(file, row, rid, "date", "date_precision")
        for ncol, qcol, lcol, hcol in _EVENT_COUNTS:
            _check_qualified(
                file,
                row,
                rid,
                (ncol, numbers[ncol][i]),
                (qcol, row.values[qcol]),
                (lcol, numbers[lcol][i]) if lcol else None,
                (hcol, numbers[hcol][i]) if hcol else None,
                required=False,
            )
    return _frame(rows, _EVENTS, numbers)


def load_waves(path: str | os.PathLike[str] | None = None, *, sources: Any = None) -> pd.DataFrame:
    """Load and validate ``waves.csv`` (default ``data/waves.csv``).

    ``path`` and ``sources`` are as in :func:`load_events`.

    Returns
    -------
    pandas.DataFrame
        ``phase_order``, ``start_year``, ``end_year`` are ``Int64``; ``phase`` is
        categorical; other columns ``string``.

    Raises
    ------
    EvidenceError
        Naming the file, the row (id and line) and the column.
    """
    file = _resolve(path, "waves")
    rows = _read_rows(file, _WAVES)
    _validate_common(file, _WAVES, rows, _known_sources(file, sources))
    numbers = _numbers(file, _WAVES, rows)
    for i, row in enumerate(rows):
        rid = row.values["id"]
        if row.values["definition"] not in WAVE_DEFINITIONS:
            raise _fail(
                file,
                row,
                rid,
                "definition",
                f"expected one of {', '.join(WAVE_DEFINITIONS)}; got {row.values['definition']!r}.",
            )
        if numbers["phase_order"][i] is None or numbers["phase_order"][i] < 1:
            raise _fail(
                file,
                row,
                rid,
                "phase_order",
                f"expected an integer >= 1; got {row.values['phase_order']!r}.",
            )
        for col in ("start_year", "end_year"):
            text = row.values[col]
            if text and not _YEAR_RE.match(text):
                raise _fail(
                    file,
                    row,
                    rid,
                    col,
                    f"expected a four-digit year or an empty cell; got {text!r}.",
                )
        sy, ey = numbers["start_year"][i], numbers["end_year"][i]
        if sy is not None and ey is not None and sy > ey:
            raise _fail(
                file, row, rid, "start_year", f"expected start_year <= end_year ({ey}); got {sy}."
            )
    return _frame(rows, _WAVES, numbers)


def load_milestones(
    path: str | os.PathLike[str] | None = None, *, sources: Any = None
) -> pd.DataFrame:
    """Load and validate ``milestones.csv``: dated statements and periodisations.

    Parameters
    ----------
    path : path-like, optional
        The CSV file; default ``data/milestones.csv``.
    sources : DataFrame or iterable of str, optional
        The known source ids (see :func:`load_quantities`).

    Returns
    -------
    pandas.DataFrame
        ``kind``, ``bears_on`` and the precisions are categorical; other columns
        ``string``.

    Raises
    ------
    EvidenceError
        Naming the file, the row (id and line) and the column: a bad key, vocabulary
        entry or date, or a period ending before it starts.
    """
    file = _resolve(path, "milestones")
    rows = _read_rows(file, _MILESTONES)
    _validate_common(file, _MILESTONES, rows, _known_sources(file, sources))
    for row in rows:
        rid = row.values["id"]
        v = row.values
        if not _KEY_RE.match(v["milestone_key"]):
            raise _fail(
                file,
                row,
                rid,
                "milestone_key",
                f"expected a snake_case key; got {v['milestone_key']!r}.",
            )
        _check_span(file, row, rid, "start", "end")
    return _frame(rows, _MILESTONES, {})


def _empty_milestones() -> pd.DataFrame:
    return _frame([], _MILESTONES, {})


@dataclass(frozen=True)
class Evidence:
    """The evidence tables.

    Attributes
    ----------
    sources, quantities, events, waves, milestones : pandas.DataFrame
        As returned by :func:`load_sources`, :func:`load_quantities`,
        :func:`load_events`, :func:`load_waves` and :func:`load_milestones`
        (``milestones`` is empty when a folder has no ``milestones.csv``).
    """

    sources: pd.DataFrame
    quantities: pd.DataFrame
    events: pd.DataFrame
    waves: pd.DataFrame
    milestones: pd.DataFrame = field(default_factory=_empty_milestones)


def load_evidence(directory: str | os.PathLike[str] | None = None) -> Evidence:
    """Load and validate the evidence tables of one folder.

    Parameters
    ----------
    directory : path-like, optional
        Folder holding ``sources.csv``, ``quantities.csv``, ``events.csv``,
        ``waves.csv`` and (optionally) ``milestones.csv``; default :func:`data_dir`.

    Returns
    -------
    Evidence
    """
    folder = Path(directory) if directory is not None else data_dir()
    sources = load_sources(folder / "sources.csv")
    milestones = folder / "milestones.csv"
    return Evidence(
        sources=sources,
        quantities=load_quantities(folder / "quantities.csv", sources=sources),
        events=load_events(folder / "events.csv", sources=sources),
        waves=load_waves(folder / "waves.csv", sources=sources),
        milestones=load_milestones(milestones, sources=sources)
        if milestones.is_file()
        else _empty_milestones(),
    )

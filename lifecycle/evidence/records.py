"""Typed records of the evidence rows that readings consume.

The loaders (:mod:`lifecycle.evidence.loading`) give typed frames: numbers are
``Float64``/``Int64``, vocabularies categorical, blanks ``<NA>``. This module turns each
row once into a small frozen record (numbers as ``float``, dates as
:class:`~lifecycle.evidence.dates.YearSpan`), so that readings work on values, never on
text. A frame a user builds by hand (cells as strings, blanks as ``""``) is accepted too:
its cells are converted here, once, with the same rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from lifecycle._core.errors import EvidenceError
from lifecycle.evidence.dates import YearSpan, year_span
from lifecycle.evidence.loading import load_events, load_quantities, load_sources, load_waves
from lifecycle.evidence.paths import data_dir
from lifecycle.evidence.schema import _QUANTITIES

__all__ = [
    "EventRecord",
    "QuantityRecord",
    "WaveRecord",
    "event_records",
    "quantity_records",
    "read_table",
    "records_memo",
    "source_dates",
    "wave_records",
]

#: Columns readings need from each table.
Q_COLUMNS = tuple(
    c for c in _QUANTITIES.required if c not in ("target", "quote", "context_quote", "note")
)
E_COLUMNS = (
    "id",
    "source_id",
    "event_key",
    "date",
    "date_precision",
    "country",
    "killed",
    "killed_qualifier",
    "killed_low",
    "killed_high",
    "attribution",
)


# --------------------------------------------------------------------------- cells
def is_blank(x: Any) -> bool:
    """Whether a cell is empty: ``None``, ``<NA>``, NaN or whitespace."""
    if x is None or x is pd.NA:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    return str(x).strip() == ""


def is_nan(x: Any) -> bool:
    """Whether a value is a missing number (``None``, ``<NA>`` or NaN)."""
    if x is None or x is pd.NA:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def text(x: Any) -> str:
    """A text cell, stripped (``""`` when blank)."""
    return "" if is_blank(x) else str(x).strip()


def number(x: Any, where: str) -> float:
    """A numeric cell as ``float`` (NaN when blank).

    Raises
    ------
    EvidenceError
        If a text cell is not a number.
    """
    if is_blank(x):
        return math.nan
    if isinstance(x, (int, float)):
        return float(x)
    try:
        return float(str(x).replace(",", ""))
    except ValueError:
        raise EvidenceError(f"{where} must be a number or blank. Got {x!r}.") from None


def year(x: Any) -> int | None:
    """A year cell (``Int64`` or four digits) as ``int``; ``None`` when blank or not a year."""
    if is_blank(x):
        return None
    if isinstance(x, (int, float)):
        return int(x)
    s = str(x).strip()
    return int(s) if s.isdigit() else None


# --------------------------------------------------------------------------- tables
def read_table(evidence: Any, table: str, required: bool = True) -> pd.DataFrame | None:
    """One evidence table as given (typed when loaded from files), or ``None``.

    ``None`` or a folder path loads the table through its validating loader; a DataFrame
    is the quantities (or events) table; a mapping or object gives tables by name.
    """
    frame: Any = None
    if evidence is None or isinstance(evidence, (str, Path)):
        folder = data_dir() if evidence is None else Path(evidence)
        path = folder / f"{table}.csv"
        if not path.exists():
            if required:
                raise EvidenceError(f"The evidence table {path} does not exist.")
            return None
        sources = load_sources(folder / "sources.csv") if table != "sources" else None
        loader = {"quantities": load_quantities, "events": load_events, "waves": load_waves}
        frame = loader[table](path, sources=sources) if table in loader else load_sources(path)
    elif isinstance(evidence, pd.DataFrame):
        frame = evidence if table in ("quantities", "events") else None
    elif isinstance(evidence, Mapping):
        frame = evidence.get(table)
    else:
        frame = getattr(evidence, table, None)
        if callable(frame):
            frame = frame()
    if frame is None:
        if required:
            raise EvidenceError(f"The evidence holds no {table} table.")
        return None
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"The {table} table must be a pandas DataFrame. Got {type(frame)}.")
    return frame


def check_columns(frame: pd.DataFrame, need: Sequence[str], table: str) -> None:
    """Refuse a table lacking a column readings need."""
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise EvidenceError(
            f"The {table} table lacks column(s) {missing}. Got columns {list(frame.columns)}."
        )


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records")


#: Typed records of each frame while :func:`records_memo` is active (None otherwise).
_MEMO: ContextVar[dict[tuple[str, int], tuple[Any, Any]] | None] = ContextVar(
    "records_memo", default=None
)


@contextmanager
def records_memo() -> Iterator[None]:
    """Within the block, each table's typed records are built once per frame object.

    Enumerating readings reads the same tables hundreds of times; the frames must not
    be changed inside the block (the memo is keyed by the frame object and holds it).
    Outside the block every call builds its records afresh.
    """
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _memoised(kind: str, frame: Any, build: Callable[[Any], Any]) -> Any:
    """``build(frame)``, taken from the active :func:`records_memo` when there is one."""
    memo = _MEMO.get()
    if memo is None or frame is None:
        return build(frame)
    hit = memo.get((kind, id(frame)))
    if hit is None or hit[0] is not frame:
        hit = memo[(kind, id(frame))] = (frame, build(frame))
    return hit[1]


# --------------------------------------------------------------------------- records
@dataclass(frozen=True)
class QuantityRecord:
    """One row of ``quantities.csv``, typed.

    ``fact_key`` falls back to the row id and ``original`` to the row's own source when
    blank; ``value``, ``low``, ``high`` are NaN when not written.
    """

    id: str
    source: str
    fact_key: str
    original: str
    measure: str
    region: str
    unit: str
    start: YearSpan | None
    end: YearSpan | None
    value: float
    qualifier: str
    low: float
    high: float
    quote: str
    period_reading: str = ""

    @property
    def label(self) -> str:
        """``"<measure> (<region>)"``."""
        return f"{self.measure} ({self.region or 'unspecified'})"

    @property
    def undated(self) -> bool:
        """Whether both ends of the period are open."""
        return self.start is None and self.end is None


def quantity_records(frame: pd.DataFrame) -> list[QuantityRecord]:
    """Every row of a quantities table as a :class:`QuantityRecord`."""
    return list(_memoised("quantity_records", frame, _quantity_records))


def _quantity_records(frame: pd.DataFrame) -> list[QuantityRecord]:
    """The body of :func:`quantity_records`."""
    check_columns(frame, Q_COLUMNS, "quantities")
    out = []
    for i, r in enumerate(_rows(frame)):
        rid = text(r["id"])
        where = f"quantities row {rid or i}"
        source = text(r["source_id"])
        out.append(
            QuantityRecord(
                id=rid,
                source=source,
                fact_key=text(r["fact_key"]) or rid,
                original=text(r["original"]) or source,
                measure=text(r["measure"]),
                region=text(r["region"]).lower(),
                unit=text(r["unit"]).lower(),
                start=year_span(
                    text(r["period_start"]),
                    text(r["period_start_precision"]),
                    f"{where}, column 'period_start',",
                ),
                end=year_span(
                    text(r["period_end"]),
                    text(r["period_end_precision"]),
                    f"{where}, column 'period_end',",
                ),
                value=number(r["value"], f"{where}, column 'value',"),
                qualifier=text(r["qualifier"]),
                low=number(r["low"], f"{where}, column 'low',"),
                high=number(r["high"], f"{where}, column 'high',"),
                quote=text(r.get("quote")),
                period_reading=text(r.get("period_reading")),
            )
        )
    return out


@dataclass(frozen=True)
class EventRecord:
    """One row of ``events.csv``, typed (tolls as ``float``, NaN when not written)."""

    id: str
    source: str
    event_key: str
    event_type: str
    date: YearSpan | None
    precision: str
    country: str
    killed: float
    killed_qualifier: str
    killed_low: float
    killed_high: float
    attribution: str


def event_records(frame: pd.DataFrame) -> list[EventRecord]:
    """Every row of an events table as an :class:`EventRecord`."""
    return list(_memoised("event_records", frame, _event_records))


def _event_records(frame: pd.DataFrame) -> list[EventRecord]:
    """The body of :func:`event_records`."""
    check_columns(frame, E_COLUMNS, "events")
    out = []
    for r in _rows(frame):
        where = f"events row {text(r['id'])}"
        out.append(
            EventRecord(
                id=text(r["id"]),
                source=text(r["source_id"]),
                event_key=text(r["event_key"]),
                event_type=text(r.get("event_type")),
                date=year_span(
                    text(r["date"]), text(r["date_precision"]), f"{where}, column 'date',"
                ),
                precision=text(r["date_precision"]),
                country=text(r["country"]),
                killed=number(r["killed"], f"{where}, column 'killed',"),
                killed_qualifier=text(r["killed_qualifier"]),
                killed_low=number(r["killed_low"], f"{where}, column 'killed_low',"),
                killed_high=number(r["killed_high"], f"{where}, column 'killed_high',"),
                attribution=text(r["attribution"]),
            )
        )
    return out


@dataclass(frozen=True)
class WaveRecord:
    """The parts of a ``waves.csv`` row that readings use."""

    source: str
    definition: str
    phase: str
    start_year: int | None


def wave_records(frame: pd.DataFrame | None) -> list[WaveRecord]:
    """The rows of a waves table that state a phase (empty when the table lacks columns)."""
    return list(_memoised("wave_records", frame, _wave_records))


def _wave_records(frame: pd.DataFrame | None) -> list[WaveRecord]:
    """The body of :func:`wave_records`."""
    if frame is None or not {"source_id", "phase", "start_year"} <= set(frame.columns):
        return []
    return [
        WaveRecord(
            source=text(r["source_id"]),
            definition=text(r.get("definition")),
            phase=text(r["phase"]).lower(),
            start_year=year(r["start_year"]),
        )
        for r in _rows(frame)
    ]


def source_dates(frame: pd.DataFrame | None) -> dict[str, YearSpan]:
    """Each source's publication date as a :class:`YearSpan` (sources without one left out)."""
    return dict(_memoised("source_dates", frame, _source_dates))


def _source_dates(frame: pd.DataFrame | None) -> dict[str, YearSpan]:
    """The body of :func:`source_dates`."""
    dates: dict[str, YearSpan] = {}
    if frame is None or not {"source_id", "date"} <= set(frame.columns):
        return dates
    for r in _rows(frame):
        d = text(r["date"])
        prec = "day" if d.count("-") == 2 else "month" if "-" in d else "year"
        got = year_span(d, prec, f"sources row {text(r['source_id'])}, column 'date',")
        if got is not None:
            dates[text(r["source_id"])] = got
    return dates

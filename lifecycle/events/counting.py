"""Counting the events of a table per year or month into a CountSeries.

Periods the source does not cover are missing, never zero; the last period's exposure
is the share of its days the data cover; an unknown toll makes a count interval.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import EmptySeriesError, GridError, LifecycleWarning, ParameterError
from lifecycle._core.validation import check_choice
from lifecycle.events.files import _LABELS
from lifecycle.events.table import MEASURES, EventTable
from lifecycle.series import FREQS, CountSeries, to_label, to_ordinal

__all__ = ["events_to_series", "series_exclusions"]


def _period_bounds(ordinal: int, freq: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    if freq == "year":
        return pd.Timestamp(ordinal, 1, 1), pd.Timestamp(ordinal, 12, 31)
    first = pd.Timestamp(ordinal // 12, ordinal % 12 + 1, 1)
    return first, first + pd.offsets.MonthEnd(0)


def _ordinals(dates: pd.Series, freq: str) -> np.ndarray:
    years = dates.dt.year.to_numpy(dtype=np.int64)
    return years if freq == "year" else 12 * years + dates.dt.month.to_numpy(dtype=np.int64) - 1


def _ordinal_of(date: pd.Timestamp, freq: str) -> int:
    return int(date.year) if freq == "year" else 12 * int(date.year) + int(date.month) - 1


@dataclass(frozen=True)
class _Placement:
    freq: str
    first: int
    last: int
    periods: np.ndarray  # ordinal of the first period of each placed event
    periods_end: np.ndarray  # ordinal of its last period (later for a spanning event)
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
    ords = _ordinals(ev["date"], freq)
    ords_end = _ordinals(ev["date_end"], freq)
    spanning = ords_end > ords
    coarse = ("year", "multi-year") if freq == "month" else ("multi-year",)
    bad_precision = ev["date_precision"].isin(coarse).to_numpy() & ~spanning
    reason = np.full(len(ev), "", dtype=object)
    reason[bad_precision] = (
        "date known only to the year: cannot be placed in a monthly series"
        if freq == "month"
        else "dated across two or more years: cannot be placed in one year"
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
    before = ok & (ords_end < first)
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
        periods_end=ords_end[placed_mask],
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
    frequency (unknown month in a monthly series), or a period before ``start`` or after
    ``end``. Events spanning a period boundary (UCDP) are not left out: they make count
    intervals on each period they touch.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`EVENT_COLUMNS` and ``reason``.
    """
    return _place(table, freq, start, end, last_date, "series_exclusions").excluded


_NEEDS = {"killed": "killed", "killed_best": "killed", "wounded": "wounded", "claimed": "claimed"}


def _check_measure(table: EventTable, measure: str) -> None:
    """Refuse a measure whose field the table's file does not fill."""
    if measure in _NEEDS and _NEEDS[measure] not in table.fields:
        what = {
            "killed": "death counts",
            "wounded": "wounded counts",
            "claimed": "claim information",
        }[_NEEDS[measure]]
        available = [m for m in MEASURES if m not in _NEEDS or _NEEDS[m] in table.fields]
        raise ParameterError(
            f"The measure {measure!r} needs {what}, which this {_LABELS[table.source]} "
            f"file does not hold. Choose one of {available}."
        )


def _measure_bounds(sub: pd.DataFrame, measure: str) -> tuple[float, float]:
    """The count interval ``(low, high)`` of ``measure`` over the events ``sub``."""
    if measure == "attacks":
        return float(len(sub)), float(len(sub))
    if measure == "killed":
        return float(sub["killed_low"].sum()), float(sub["killed_high"].sum())
    if measure in ("killed_best", "wounded"):
        v = sub["killed" if measure == "killed_best" else "wounded"].to_numpy(dtype=float)
        lo = float(np.nansum(v))
        return lo, (np.inf if np.isnan(v).any() else lo)
    if measure == "claimed":
        c = sub["claimed"]
        lo = float(c.fillna(False).sum())
        return lo, lo + float(c.isna().sum())
    n = float(sub.loc[sub["country"] != "", "country"].nunique())
    return n, n


def _warn_coarse(pl: _Placement, table: EventTable, measure: str, strict: bool) -> None:
    """Warn (or raise with ``strict``) about events whose date is too coarse to place."""
    freq = pl.freq
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
        warnings.warn(msg, LifecycleWarning, stacklevel=3)


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
        monthly series).
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
    _check_measure(table, measure)
    pl = _place(table, freq, start, end, last_date, func)
    _warn_coarse(pl, table, measure, strict)
    if not pl.exposure:
        raise EmptySeriesError(
            f"The data of {table.description} cover no period between "
            f"{to_label(pl.first, freq)} and {to_label(pl.last, freq)} (coverage "
            f"{table.coverage.first_date.date()}–{pl.last_date.date()}, no data in "
            f"{list(table.coverage.no_data_years)})."
        )
    ev = pl.placed
    periods = list(pl.exposure)
    low, high, prov = [], [], []
    ids = (table.source + ":" + ev["event_id"].astype(str)).to_numpy()
    exact = pl.periods == pl.periods_end
    touching: dict[int, list[int]] = {}
    for j, (a, b) in enumerate(zip(pl.periods.tolist(), pl.periods_end.tolist(), strict=True)):
        for p in range(max(a, pl.first), min(b, pl.last) + 1):
            touching.setdefault(p, []).append(j)
    for p in periods:
        idx = np.array(touching.get(p, []), dtype=np.int64)
        lo, hi = _measure_bounds(ev.iloc[idx[exact[idx]]], measure)
        if not exact[idx].all():  # events that may lie in this period or another
            hi = _measure_bounds(ev.iloc[idx], measure)[1]
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

"""Count series: the input of every model in lifecycle.

A :class:`CountSeries` lives on a regular grid of calendar periods (years or months).
Each *observation* covers one or more consecutive periods (a *window*) and carries

* a count, or a count interval ``[low, high]`` (``high`` may be ``inf``) when the source
  gives an approximate value — the likelihood then treats it as interval-censored;
* an exposure for each period of its window (1 for a fully observed period, a fraction
  for a partly observed one: a source written in June 2024 covers about half of 2024);
* a measure label (one series may hold several measures of one group, e.g. claimed
  attacks and attacks on civilians);
* provenance: the ids of the evidence rows it came from.

Model: with yearly rates :math:`\\lambda_t`, observation :math:`i` has mean
:math:`\\mu_i = \\sum_{t \\in W_i} e_{it} \\lambda_t` (Poisson or NB2). Periods that no
observation of a measure covers are *missing*, never zero.

Users see calendar labels (``2015`` or ``"2015-03"``); internally periods are integer
*ordinals*: the year itself, or ``12 * year + month - 1`` for months. Conversion happens
only in :func:`to_ordinal` and :func:`to_label`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from lifecycle._core.errors import (
    EmptySeriesError,
    ExposureError,
    GridError,
    IntervalError,
    ParameterError,
)
from lifecycle._core.validation import (
    MIN_EXPOSURE,
    check_choice,
    check_counts,
    check_exposure,
)
from lifecycle.series.calendar import FREQS, _check_increasing, to_label, to_ordinal
from lifecycle.series.checks import _check_share, _gap_text, _provenance

__all__ = ["Atoms", "CountSeries"]


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, copy=True)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Atoms:
    """Exact counts of one measure aggregated to its observation windows.

    The units of change-point search: a change can only fall between two atoms.

    Attributes
    ----------
    start, end : ndarray of int
        Ordinals of the first and last period of each window (sorted, disjoint).
    count : ndarray of float
        The count in each window (whole numbers).
    exposure : ndarray of float
        Total exposure of each window.
    freq : str
        ``"year"`` or ``"month"``.
    """

    start: np.ndarray
    end: np.ndarray
    count: np.ndarray
    exposure: np.ndarray
    freq: str

    def __len__(self) -> int:
        return len(self.count)

    def label(self, index: int) -> int | str:
        """Calendar label of the first period of atom ``index``."""
        return to_label(self.start[index], self.freq)


@dataclass(frozen=True, eq=False)
class CountSeries:
    """An immutable series of counts over windows of a regular calendar grid.

    Build one with :meth:`from_counts`, :meth:`from_windows`, :meth:`from_frame` or
    :meth:`read_csv` rather than the constructor. Every construction path validates.

    Attributes
    ----------
    freq : {"year", "month"}
    grid_start, grid_end : int
        Ordinals of the first and last period of the grid (inclusive).
    measure : tuple of str
        Measure label of each observation.
    start, end : ndarray of int
        First and last period ordinal of each observation's window (inclusive).
    low, high : ndarray of float
        Count interval of each observation; ``low == high`` for an exact count,
        ``high`` may be ``inf``.
    weights : tuple of ndarray
        Exposure of each period of each window (length ``end - start + 1``).
    provenance : tuple of tuple of str
        Evidence row ids behind each observation (empty for user data).
    name : str
        A label for the series (group, indicator, reading).

    Examples
    --------
    >>> s = CountSeries.from_counts([2015, 2016, 2017], [4, 9, 3])
    >>> s.counts.tolist()
    [4.0, 9.0, 3.0]
    """

    freq: str
    grid_start: int
    grid_end: int
    measure: tuple[str, ...]
    start: np.ndarray
    end: np.ndarray
    low: np.ndarray
    high: np.ndarray
    weights: tuple[np.ndarray, ...]
    provenance: tuple[tuple[str, ...], ...] = field(default=())
    name: str = ""

    # ------------------------------------------------------------------ validation
    def __post_init__(self) -> None:
        check_choice("freq", self.freq, FREQS, func="CountSeries")
        n = len(self.measure)
        if n == 0:
            raise EmptySeriesError("A CountSeries needs at least one observation. Got none.")
        start = np.asarray(self.start)
        end = np.asarray(self.end)
        for nm, arr in (("start", start), ("end", end)):
            if arr.shape != (n,) or not np.issubdtype(arr.dtype, np.integer):
                raise GridError(
                    f"'{nm}' must hold {n} integer period ordinals (one per observation). "
                    f"Got shape {arr.shape} and dtype {arr.dtype}."
                )
        if self.grid_start > self.grid_end:
            raise GridError(
                f"The grid must run forward: first period {self._lab(self.grid_start)} is "
                f"after last period {self._lab(self.grid_end)}."
            )
        low = check_counts("low", self.low, func="CountSeries")
        high = check_counts("high", self.high, func="CountSeries", allow_inf=True)
        if low.shape != (n,) or high.shape != (n,):
            raise IntervalError(f"'low' and 'high' must hold {n} values each.")
        bad = np.flatnonzero(low > high)
        if bad.size:
            i = int(bad[0])
            raise IntervalError(
                f"A count interval must have low <= high. Got low={low[i]:g} > "
                f"high={high[i]:g} for the observation covering {self._window_text(i)}."
            )
        bad = np.flatnonzero(start > end)
        if bad.size:
            i = int(bad[0])
            raise GridError(
                f"A window must end at or after its start. Got {self._lab(start[i])} to "
                f"{self._lab(end[i])}."
            )
        outside = np.flatnonzero((start < self.grid_start) | (end > self.grid_end))
        if outside.size:
            i = int(outside[0])
            raise GridError(
                f"Every window must lie on the grid {self._lab(self.grid_start)}–"
                f"{self._lab(self.grid_end)}. Got a window {self._window_text(i)}."
            )
        if len(self.weights) != n:
            raise ExposureError(f"Expected {n} weight vectors (one per observation).")
        weights = self._checked_weights(start, end)
        prov = _provenance(self.provenance, n)
        measures = self._measures()
        self._check_order(measures, start, end)
        set_ = object.__setattr__
        set_(self, "grid_start", int(self.grid_start))
        set_(self, "grid_end", int(self.grid_end))
        set_(self, "start", _readonly(start.astype(np.int64)))
        set_(self, "end", _readonly(end.astype(np.int64)))
        set_(self, "low", _readonly(low))
        set_(self, "high", _readonly(high))
        set_(self, "weights", tuple(weights))
        set_(self, "provenance", prov)
        set_(self, "measure", measures)

    def _checked_weights(self, start: np.ndarray, end: np.ndarray) -> list[np.ndarray]:
        """Read-only float copies of the weight vectors, checked (one pass when valid)."""
        try:
            weights = [np.array(w, dtype=float, copy=True) for w in self.weights]
        except (TypeError, ValueError):
            return self._checked_weights_slow(start, end)
        widths = (end - start + 1).tolist()
        if weights and all(w.shape == (k,) for w, k in zip(weights, widths, strict=True)):
            flat = np.concatenate(weights)
            if np.all(np.isfinite(flat)) and np.all(flat >= MIN_EXPOSURE):
                for w in weights:
                    w.setflags(write=False)
                return weights
        return self._checked_weights_slow(start, end)

    def _checked_weights_slow(self, start: np.ndarray, end: np.ndarray) -> list[np.ndarray]:
        """The weight checks observation by observation (the first fault is raised)."""
        weights = []
        for i, w in enumerate(self.weights):
            w = np.array(w, dtype=float, copy=True)
            if w.shape != (int(end[i] - start[i] + 1),):
                raise ExposureError(
                    f"The observation covering {self._window_text(i)} needs one exposure per "
                    f"period ({int(end[i] - start[i] + 1)}). Got {w.size}."
                )
            if not np.all(np.isfinite(w)) or np.any(w <= 0):
                raise ExposureError(
                    f"Exposures must be positive finite numbers. Got {w.tolist()} for the "
                    f"observation covering {self._window_text(i)}."
                )
            if np.any(w < MIN_EXPOSURE):
                raise ExposureError(
                    f"Exposures must be at least {MIN_EXPOSURE:g} (a share of the period; one "
                    f"day of a year is 0.0027). Got {w.tolist()} for the observation covering "
                    f"{self._window_text(i)}."
                )
            w.setflags(write=False)
            weights.append(w)
        return weights

    def _check_order(self, measures: tuple[str, ...], start: np.ndarray, end: np.ndarray) -> None:
        """Per measure: calendar order, no repeated period, no overlapping windows."""
        for m in dict.fromkeys(measures):
            idx = [i for i, mm in enumerate(measures) if mm == m]
            s, e = start[idx], end[idx]
            if np.all(s[1:] > e[:-1]):  # with start <= end: every check below passes
                continue
            for k in range(1, len(idx)):
                if s[k] == s[k - 1] and e[k] == e[k - 1] and s[k] == e[k]:
                    raise GridError(
                        f"Each period may be given once per measure. Got "
                        f"{self._lab(s[k])} twice for measure {m!r}."
                    )
                if s[k] < s[k - 1]:
                    raise GridError(
                        f"Observations of one measure must be in calendar order. Got "
                        f"{self._lab(s[k])} after {self._lab(s[k - 1])} for measure {m!r}."
                    )
                if s[k] <= e[k - 1]:
                    raise GridError(
                        f"Windows of one measure must not overlap. Got "
                        f"{self._window_text(idx[k - 1])} and {self._window_text(idx[k])} "
                        f"for measure {m!r}."
                    )

    def _measures(self) -> tuple[str, ...]:
        for i, m in enumerate(self.measure):
            if not isinstance(m, str) or not m.strip():
                raise ParameterError(
                    f"Each observation needs a measure name (a non-blank str). Got {m!r} for "
                    f"the observation covering {self._window_text(i)}."
                )
        return tuple(str(m) for m in self.measure)

    def _lab(self, ordinal: int) -> int | str:
        return to_label(ordinal, self.freq)

    def _window_text(self, i: int) -> str:
        s, e = self._lab(self.start[i]), self._lab(self.end[i])
        return f"{s}" if s == e else f"{s}–{e}"

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_counts(
        cls,
        periods: Sequence[Any],
        counts: Sequence[Any],
        exposure: Sequence[float] | None = None,
        *,
        freq: str = "year",
        measure: str = "count",
        name: str = "",
        allow_missing: bool = False,
    ) -> CountSeries:
        """Build a series of exact counts, one per period.

        Parameters
        ----------
        periods : sequence
            Calendar years (or ``"YYYY-MM"`` months), strictly increasing.
        counts : sequence of int
            Non-negative whole numbers, one per period.
        exposure : sequence of float, optional
            Exposure of each period (default 1; a half-observed year is 0.5).
        freq : {"year", "month"}
        measure, name : str
        allow_missing : bool
            Gaps between periods are refused unless this is true, in which case the
            absent periods are *missing* (unobserved), never zero.

        Raises
        ------
        CountError, GridError, ExposureError, EmptySeriesError
        """
        func = "CountSeries.from_counts"
        check_choice("freq", freq, FREQS, func=func)
        periods = list(periods)
        counts_arr = check_counts("counts", counts, func=func)
        if len(periods) != len(counts_arr):
            raise GridError(
                f"Expected one count per period. Got {len(periods)} periods and "
                f"{len(counts_arr)} counts."
            )
        if not periods:
            raise EmptySeriesError("A CountSeries needs at least one observation. Got none.")
        ords = np.array([to_ordinal(p, freq) for p in periods], dtype=np.int64)
        _check_increasing(ords, freq)
        gaps = np.flatnonzero(np.diff(ords) > 1)
        if gaps.size and not allow_missing:
            raise GridError(
                f"Expected consecutive periods. Got gaps: {_gap_text(ords, gaps, freq)}. To "
                f"treat absent periods as unobserved (never as zero), build the series with "
                f"allow_missing=True (CountSeries.from_counts or CountSeries.read_csv)."
            )
        exp = check_exposure(
            "exposure", exposure, func=func, size=len(ords), per="period", positive=False
        )
        _check_share(exp, np.ones(len(ords)), ords, freq, func)
        return cls(
            freq=freq,
            grid_start=int(ords[0]),
            grid_end=int(ords[-1]),
            measure=(measure,) * len(ords),
            start=ords,
            end=ords.copy(),
            low=counts_arr,
            high=counts_arr,
            weights=tuple(np.array([e]) for e in exp),
            provenance=(),
            name=name,
        )

    @classmethod
    def from_windows(
        cls,
        start: Sequence[Any],
        end: Sequence[Any],
        low: Sequence[Any],
        high: Sequence[Any] | None = None,
        *,
        exposure: Sequence[float] | None = None,
        weights: Sequence[Sequence[float]] | None = None,
        measure: str | Sequence[str] = "count",
        provenance: Sequence[Sequence[str]] | None = None,
        freq: str = "year",
        grid: tuple[Any, Any] | None = None,
        name: str = "",
    ) -> CountSeries:
        """Build a series from observation windows.

        Parameters
        ----------
        start, end : sequence
            First and last calendar period of each window (inclusive).
        low : sequence of int
            The count of each window, or the lower bound of its interval.
        high : sequence of int or inf, optional
            Upper bounds of count intervals (default: equal to ``low``, exact counts).
        exposure : sequence of float, optional
            Total exposure of each window, spread evenly over its periods (default: the
            number of periods). Use ``weights`` to give each period its own exposure.
        weights : sequence of sequence of float, optional
            Exposure of each period of each window. Exclusive with ``exposure``.
        measure : str or sequence of str
            One measure for all observations, or one per observation.
        provenance : sequence of sequence of str, optional
            Evidence row ids behind each observation.
        freq : {"year", "month"}
        grid : (first, last), optional
            The calendar grid (default: from the first to the last window).
        name : str
        """
        func = "CountSeries.from_windows"
        check_choice("freq", freq, FREQS, func=func)
        s = np.array([to_ordinal(p, freq) for p in start], dtype=np.int64)
        e = np.array([to_ordinal(p, freq) for p in end], dtype=np.int64)
        if s.size == 0:
            raise EmptySeriesError("A CountSeries needs at least one observation. Got none.")
        if e.shape != s.shape:
            raise GridError(f"Expected as many ends as starts. Got {e.size} and {s.size}.")
        low_arr = check_counts("low", low, func=func)
        high_arr = (
            low_arr if high is None else check_counts("high", high, func=func, allow_inf=True)
        )
        if exposure is not None and weights is not None:
            raise ExposureError("Give either 'exposure' or 'weights', not both.")
        lengths = e - s + 1
        if weights is not None:
            w = tuple(check_exposure("weights", x, func=func, positive=False) for x in weights)
        elif exposure is not None:
            exp = check_exposure("exposure", exposure, func=func, size=s.size, per="window")
            _check_share(exp, np.maximum(lengths, 1).astype(float), s, freq, func)
            w = tuple(
                np.full(max(int(n), 1), x / max(int(n), 1))
                for n, x in zip(lengths, exp, strict=True)
            )
        else:
            w = tuple(np.ones(max(int(n), 1)) for n in lengths)
        if np.any(s > e):
            i = int(np.flatnonzero(s > e)[0])
            raise GridError(
                f"A window must end at or after its start. Got {to_label(s[i], freq)} to "
                f"{to_label(e[i], freq)}."
            )
        meas = (measure,) * s.size if isinstance(measure, str) else tuple(measure)
        if len(meas) != s.size:
            raise GridError(
                f"Expected one measure per window ({s.size}) or a single measure. Got "
                f"{len(meas)} measures."
            )
        if grid is None:
            g0, g1 = int(s.min()), int(e.max())
        elif isinstance(grid, (str, bytes)) or not isinstance(grid, Sequence) or len(grid) != 2:
            raise GridError(
                f"The 'grid' parameter of {func} must be a pair (first, last) of calendar "
                f"periods such as (2010, 2021). Got {grid!r}."
            )
        else:
            g0, g1 = to_ordinal(grid[0], freq), to_ordinal(grid[1], freq)
        return cls(
            freq=freq,
            grid_start=g0,
            grid_end=g1,
            measure=meas,
            start=s,
            end=e,
            low=low_arr,
            high=high_arr,
            weights=w,
            provenance=provenance if provenance is not None else (),
            name=name,
        )

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        freq: str | None = None,
        name: str = "",
        allow_missing: bool = False,
        source: str = "the table",
    ) -> CountSeries:
        """Build a series from a DataFrame.

        Two layouts are read (column names without regard to case):

        * simple: ``year`` (or ``month``, or ``period``) and ``count``, optionally
          ``exposure`` and ``measure``;
        * windows: ``start``, ``end``, ``low`` and ``high`` (or ``count``), optionally
          ``exposure`` (total per window), ``weights`` (``;``-separated per period),
          ``measure`` and ``provenance`` (``;``-separated ids) — as written by
          :meth:`to_frame`.

        Raises
        ------
        FileFormatError
            If the columns fit neither layout or a cell cannot be read; the message
            names the column and row.
        """
        from lifecycle.series.csvio import series_from_frame

        return series_from_frame(
            frame, freq=freq, name=name, allow_missing=allow_missing, source=source
        )

    @classmethod
    def read_csv(
        cls, path: str | Path, *, freq: str | None = None, allow_missing: bool = False
    ) -> CountSeries:
        """Read a series from a UTF-8 CSV file (layouts as in :meth:`from_frame`).

        Lines starting with ``#`` are comments; blank lines are skipped. Columns never
        shift: a row with more fields than the header is an error. Messages name the
        data row and the row a spreadsheet shows (the header is row 1).

        Raises
        ------
        FileFormatError
            If the file cannot be read as CSV, a row has more fields than the header,
            two columns share a name (ignoring case), a column without a name holds
            values, a cell is blank or not a number, or the file has more than
            ``MAX_SERIES_ROWS`` (1,000,000) data rows.
        GridError, CountError, ExposureError
            If the values do not make a series (a year outside 1–9999, a gap without
            ``allow_missing``, a count of 2^53 or more, an exposure above its window).
        """
        from lifecycle.series.csvio import read_series_csv

        return read_series_csv(path, freq=freq, allow_missing=allow_missing)

    @classmethod
    def concat(cls, parts: Iterable[CountSeries], *, name: str = "") -> CountSeries:
        """Join series of different measures (same frequency) into one."""
        parts = list(parts)
        if not parts:
            raise EmptySeriesError("Nothing to concatenate.")
        freqs = {p.freq for p in parts}
        if len(freqs) > 1:
            raise GridError(f"All parts must share one frequency. Got {sorted(freqs)}.")
        return cls(
            freq=parts[0].freq,
            grid_start=min(p.grid_start for p in parts),
            grid_end=max(p.grid_end for p in parts),
            measure=sum((p.measure for p in parts), ()),
            start=np.concatenate([p.start for p in parts]),
            end=np.concatenate([p.end for p in parts]),
            low=np.concatenate([p.low for p in parts]),
            high=np.concatenate([p.high for p in parts]),
            weights=sum((p.weights for p in parts), ()),
            provenance=sum((p.provenance for p in parts), ()),
            name=name or parts[0].name,
        )

    # ------------------------------------------------------------------ views
    def __len__(self) -> int:
        return len(self.measure)

    @property
    def n_obs(self) -> int:
        """Number of observations."""
        return len(self.measure)

    @property
    def n_periods(self) -> int:
        """Number of periods on the grid."""
        return self.grid_end - self.grid_start + 1

    @property
    def grid(self) -> np.ndarray:
        """Ordinals of every period of the grid."""
        return np.arange(self.grid_start, self.grid_end + 1, dtype=np.int64)

    @property
    def labels(self) -> list[int | str]:
        """Calendar labels of every period of the grid."""
        return [to_label(o, self.freq) for o in self.grid]

    @property
    def measures(self) -> tuple[str, ...]:
        """Distinct measures, in order of first appearance."""
        return tuple(dict.fromkeys(self.measure))

    @property
    def exposure(self) -> np.ndarray:
        """Total exposure of each observation."""
        return np.array([w.sum() for w in self.weights])

    @property
    def is_exact(self) -> bool:
        """Whether every count is exact (no intervals)."""
        return bool(np.all(self.low == self.high))

    @property
    def is_single_period(self) -> bool:
        """Whether every observation covers exactly one period."""
        return bool(np.all(self.start == self.end))

    @property
    def counts(self) -> np.ndarray:
        """The exact counts.

        Raises
        ------
        IntervalError
            If some counts are intervals; use ``low`` and ``high``.
        """
        if not self.is_exact:
            raise IntervalError(
                "This series holds count intervals; read 'low' and 'high' instead of 'counts'."
            )
        return self.low

    def select(self, measure: str) -> CountSeries:
        """The observations of one measure, on the same grid."""
        idx = [i for i, m in enumerate(self.measure) if m == measure]
        if not idx:
            raise EmptySeriesError(
                f"No observation has measure {measure!r}. Measures present: {list(self.measures)}."
            )
        return self.take(idx)

    def take(self, idx: Sequence[int], *, grid: tuple[int, int] | None = None) -> CountSeries:
        """The observations at positions ``idx`` (in that order), on the same grid.

        Parameters
        ----------
        idx : sequence of int
            Observation positions.
        grid : (first, last) ordinals, optional
            A different grid for the result (default: this series' grid).
        """
        idx = [int(i) for i in idx]
        g0, g1 = grid if grid is not None else (self.grid_start, self.grid_end)
        return CountSeries(
            freq=self.freq,
            grid_start=g0,
            grid_end=g1,
            measure=tuple(self.measure[i] for i in idx),
            start=self.start[list(idx)],
            end=self.end[list(idx)],
            low=self.low[list(idx)],
            high=self.high[list(idx)],
            weights=tuple(self.weights[i] for i in idx),
            provenance=tuple(self.provenance[i] for i in idx),
            name=self.name,
        )

    def restrict(self, first: Any = None, last: Any = None) -> CountSeries:
        """The part of the series between two calendar periods (inclusive).

        Parameters
        ----------
        first, last : calendar label, optional
            New first and last period of the grid (default: keep that end).

        Raises
        ------
        GridError
            If a window straddles an edge (a total over several periods is never cut).
        EmptySeriesError
            If no observation lies in the range.
        """
        g0 = self.grid_start if first is None else to_ordinal(first, self.freq)
        g1 = self.grid_end if last is None else to_ordinal(last, self.freq)
        if g0 > g1:
            raise GridError(
                f"A range must end at or after its start. Got {self._lab(g0)}–{self._lab(g1)}."
            )
        inside = (self.start >= g0) & (self.end <= g1)
        straddle = ~inside & (self.start <= g1) & (self.end >= g0)
        if straddle.any():
            i = int(np.flatnonzero(straddle)[0])
            raise GridError(
                f"The observation covering {self._window_text(i)} straddles the edge of the "
                f"range {self._lab(g0)}–{self._lab(g1)}; a window's total cannot be split."
            )
        if not inside.any():
            raise EmptySeriesError(
                f"No observation lies in {self._lab(g0)}–{self._lab(g1)}; the series covers "
                f"{self._lab(self.grid_start)}–{self._lab(self.grid_end)}."
            )
        return self.take(np.flatnonzero(inside), grid=(g0, g1))

    def with_name(self, name: str) -> CountSeries:
        """The same series under another name."""
        return replace(self, name=name)

    def missing(self, measure: str | None = None) -> list[int | str]:
        """Calendar labels of grid periods that no observation (of ``measure``) covers."""
        idx = (
            range(self.n_obs)
            if measure is None
            else [i for i, m in enumerate(self.measure) if m == measure]
        )
        covered = np.zeros(self.n_periods, dtype=bool)
        for i in idx:
            covered[self.start[i] - self.grid_start : self.end[i] - self.grid_start + 1] = True
        return [to_label(o, self.freq) for o in self.grid[~covered]]

    def design_matrix(self) -> sparse.csr_matrix:
        """Exposure matrix ``W`` (observations × grid periods): ``mu = W @ rates``.

        Built once per series (a series does not change) and returned as a copy.
        """
        W = self.__dict__.get("_design_matrix")
        if W is None:
            rows, cols, vals = [], [], []
            for i, w in enumerate(self.weights):
                first = int(self.start[i] - self.grid_start)
                rows.extend([i] * w.size)
                cols.extend(range(first, first + w.size))
                vals.extend(w.tolist())
            W = sparse.csr_matrix((vals, (rows, cols)), shape=(self.n_obs, self.n_periods))
            object.__setattr__(self, "_design_matrix", W)
        return W.copy()

    def atoms(self, measure: str | None = None) -> Atoms:
        """Exact counts of one measure per observation window, for change-point search.

        Parameters
        ----------
        measure : str, optional
            Required when the series holds several measures.

        Raises
        ------
        GridError
            If the series holds several measures and none was chosen.
        IntervalError
            If some counts are intervals (change-point search needs exact counts).
        """
        s = self
        if measure is not None:
            s = self.select(measure)
        elif len(self.measures) > 1:
            raise GridError(
                f"This series holds several measures {list(self.measures)}; choose one with "
                f"measure=..."
            )
        if not s.is_exact:
            raise IntervalError(
                "Change-point search needs exact counts; this series holds count intervals. "
                "Choose a reading that gives exact counts, or fit the interval likelihood."
            )
        return Atoms(
            start=s.start.copy(),
            end=s.end.copy(),
            count=s.low.copy(),
            exposure=s.exposure,
            freq=s.freq,
        )

    # ------------------------------------------------------------------ transforms
    def aggregate(self, windows: Sequence[tuple[Any, Any]]) -> CountSeries:
        """Merge observations into coarser windows, keeping totals and exposures.

        Parameters
        ----------
        windows : sequence of (first, last)
            Calendar periods (inclusive) of the new windows; they must not overlap.
            Observations outside every window are kept as they are.

        Notes
        -----
        A new window that contains missing periods is split at them, so a missing
        period stays missing. An observation that straddles a window edge is an error.

        Raises
        ------
        GridError
            If windows overlap or an observation straddles a window edge.
        """
        bounds = [(to_ordinal(a, self.freq), to_ordinal(b, self.freq)) for a, b in windows]
        for a, b in bounds:
            if a > b:
                raise GridError(
                    f"An aggregation window must end at or after its start. Got "
                    f"{self._lab(a)}–{self._lab(b)}."
                )
            if a < self.grid_start or b > self.grid_end:
                raise GridError(
                    f"Aggregation windows must lie on the grid {self._lab(self.grid_start)}–"
                    f"{self._lab(self.grid_end)}. Got {self._lab(a)}–{self._lab(b)}."
                )
        bounds.sort()
        for (a0, b0), (a1, _) in itertools.pairwise(bounds):
            if a1 <= b0:
                raise GridError(
                    f"Aggregation windows must not overlap. Got {self._lab(a0)}–{self._lab(b0)} "
                    f"and one starting {self._lab(a1)}."
                )
        groups: dict[tuple[str, int], list[int]] = {}
        order: list[tuple[str, int]] = []
        for i in range(self.n_obs):
            key_w = -1 - i
            for k, (a, b) in enumerate(bounds):
                inside = a <= self.start[i] and self.end[i] <= b
                overlap = self.start[i] <= b and a <= self.end[i]
                if inside:
                    key_w = k
                elif overlap:
                    raise GridError(
                        f"The observation covering {self._window_text(i)} straddles the edge of "
                        f"the window {self._lab(a)}–{self._lab(b)}."
                    )
            key = (self.measure[i], key_w)
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(i)
        fields: dict[str, list[Any]] = {k: [] for k in ("m", "s", "e", "lo", "hi", "w", "p")}
        for key in order:
            idx = groups[key]
            runs: list[list[int]] = [[idx[0]]]
            for i in idx[1:]:
                if self.start[i] == self.end[runs[-1][-1]] + 1:
                    runs[-1].append(i)
                else:
                    runs.append([i])
            for run in runs:
                fields["m"].append(key[0])
                fields["s"].append(self.start[run[0]])
                fields["e"].append(self.end[run[-1]])
                fields["lo"].append(self.low[run].sum())
                fields["hi"].append(self.high[run].sum())
                fields["w"].append(np.concatenate([self.weights[i] for i in run]))
                fields["p"].append(tuple(x for i in run for x in self.provenance[i]))
        return CountSeries(
            freq=self.freq,
            grid_start=self.grid_start,
            grid_end=self.grid_end,
            measure=tuple(fields["m"]),
            start=np.array(fields["s"], dtype=np.int64),
            end=np.array(fields["e"], dtype=np.int64),
            low=np.array(fields["lo"]),
            high=np.array(fields["hi"]),
            weights=tuple(fields["w"]),
            provenance=tuple(fields["p"]),
            name=self.name,
        )

    # ------------------------------------------------------------------ output
    def to_frame(self) -> pd.DataFrame:
        """One row per observation, in the windows layout :meth:`from_frame` reads."""
        return pd.DataFrame(
            {
                "measure": list(self.measure),
                "start": [self._lab(x) for x in self.start],
                "end": [self._lab(x) for x in self.end],
                "low": self.low,
                "high": self.high,
                "exposure": self.exposure,
                "weights": [";".join(repr(float(x)) for x in w) for w in self.weights],
                "provenance": [";".join(p) for p in self.provenance],
                "freq": self.freq,
                "grid_start": self._lab(self.grid_start),
                "grid_end": self._lab(self.grid_end),
            }
        )

    summary = to_frame

    def to_csv(self, path: str | Path) -> None:
        """Write the series as CSV (read back with :meth:`read_csv`)."""
        frame = self.to_frame()
        frame["high"] = ["inf" if np.isinf(h) else f"{h:.0f}" for h in self.high]
        frame["low"] = [f"{x:.0f}" for x in self.low]
        frame.to_csv(path, index=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CountSeries):
            return NotImplemented
        return (
            self.freq == other.freq
            and self.grid_start == other.grid_start
            and self.grid_end == other.grid_end
            and self.measure == other.measure
            and np.array_equal(self.start, other.start)
            and np.array_equal(self.end, other.end)
            and np.array_equal(self.low, other.low)
            and np.array_equal(self.high, other.high)
            and all(np.array_equal(a, b) for a, b in zip(self.weights, other.weights, strict=True))
            and self.provenance == other.provenance
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        kind = "exact" if self.is_exact else "with intervals"
        return (
            f"CountSeries({self.name!r}, {self.n_obs} observations {kind}, "
            f"{self._lab(self.grid_start)}–{self._lab(self.grid_end)}, "
            f"measures={list(self.measures)})"
        )

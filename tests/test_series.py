"""Tests of the CountSeries core: construction, validation, aggregation, CSV round trips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecycle._core.errors import (
    CountError,
    EmptySeriesError,
    ExposureError,
    GridError,
    IntervalError,
)
from lifecycle.series.countseries import CountSeries, to_label, to_ordinal


def _windows() -> CountSeries:
    """Two measures, an interval with an open top, partial-year weights, provenance."""
    return CountSeries.from_windows(
        [2014, 2017, 2015, 2018],
        [2017, 2018, 2016, 2018],
        [84, 225, 3, 207],
        [84, 275, 3, np.inf],
        weights=[[1, 1, 1, 1 / 12], [1, 1], [1, 1], [0.5]],
        measure=["civilians", "clashes", "taliban", "taliban"],
        provenance=[["Q010"], ["Q008"], [], ["Q012", "Q030"]],
        grid=(2013, 2019),
        name="w",
    )


class TestConstruction:
    def test_counts_and_design_matrix(self):
        s = CountSeries.from_counts([2015, 2016, 2017], [4, 9, 3], exposure=[1, 1, 0.5])
        assert s.counts.tolist() == [4.0, 9.0, 3.0]
        assert s.labels == [2015, 2016, 2017]
        rates = np.array([2.0, 3.0, 4.0])
        assert np.allclose(s.design_matrix() @ rates, [2.0, 3.0, 2.0])

    def test_windows_design_matrix_sums_weighted_rates(self):
        s = _windows()
        rates = np.arange(1.0, 8.0)  # 2013..2019
        w = s.design_matrix().toarray()
        # civilians 2014-2017 with 1/12 of 2017: 2 + 3 + 4 + 5/12
        assert w @ rates == pytest.approx([2 + 3 + 4 + 5 / 12, 5 + 6, 3 + 4, 0.5 * 6])
        assert s.exposure == pytest.approx([3 + 1 / 12, 2, 2, 0.5])
        assert not s.is_exact and not s.is_single_period

    def test_missing_periods_are_not_zero(self):
        s = CountSeries.from_counts([2015, 2017], [1, 2], allow_missing=True)
        assert s.missing() == [2016]
        assert s.n_periods == 3 and s.n_obs == 2
        assert s.design_matrix().toarray()[:, 1].tolist() == [0.0, 0.0]
        assert _windows().missing("taliban") == [2013, 2014, 2017, 2019]

    def test_select_and_atoms(self):
        s = _windows()
        t = s.select("civilians")
        assert t.measure == ("civilians",) and t.grid_start == 2013
        a = t.atoms()
        assert a.count.tolist() == [84.0] and a.exposure == pytest.approx([3 + 1 / 12])
        assert a.label(0) == 2014

    def test_month_labels(self):
        assert to_ordinal("2015-03", "month") == 12 * 2015 + 2
        assert to_label(12 * 2015 + 2, "month") == "2015-03"
        s = CountSeries.from_counts(["2015-11", "2015-12", "2016-01"], [1, 0, 2], freq="month")
        assert s.labels == ["2015-11", "2015-12", "2016-01"]

    def test_arrays_are_read_only(self):
        s = CountSeries.from_counts([2015, 2016], [1, 2])
        with pytest.raises(ValueError, match="read-only"):
            s.low[0] = 5


class TestBadInput:
    @pytest.mark.parametrize(
        ("counts", "match"),
        [
            ([1, -2], r"negative count at position 1"),
            ([1, 2.5], r"non-integer count at position 1"),
            ([np.nan, 1], r"NaN at position 0"),
            ([np.inf, 1], r"infinite value at position 0"),
        ],
    )
    def test_bad_counts(self, counts, match):
        with pytest.raises(CountError, match=match):
            CountSeries.from_counts([2015, 2016], counts)

    def test_duplicate_year(self):
        with pytest.raises(GridError, match=r"Each period may be given once\. Got 2016 twice"):
            CountSeries.from_counts([2015, 2016, 2016], [1, 2, 3])

    def test_unsorted_years(self):
        with pytest.raises(GridError, match=r"calendar order\. Got 2015 after 2016"):
            CountSeries.from_counts([2016, 2015], [1, 2])

    def test_gap_needs_allow_missing(self):
        with pytest.raises(GridError, match=r"gaps: 2016 absent.*allow_missing=True"):
            CountSeries.from_counts([2015, 2017], [1, 2])

    def test_year_given_twice_by_one_measure(self):
        with pytest.raises(GridError, match=r"Got 2016 twice for measure 'a'"):
            CountSeries.from_windows([2016, 2016], [2016, 2016], [1, 2], measure="a")
        # ... but two measures may share a year
        s = CountSeries.from_windows([2016, 2016], [2016, 2016], [1, 2], measure=["a", "b"])
        assert s.measures == ("a", "b")

    def test_unsorted_windows_of_one_measure(self):
        with pytest.raises(GridError, match=r"calendar order\. Got 2015 after 2017"):
            CountSeries.from_windows([2017, 2015], [2017, 2015], [1, 2])

    def test_window_outside_grid(self):
        with pytest.raises(GridError, match=r"on the grid 2015–2018\. Got a window 2014–2016"):
            CountSeries.from_windows([2014], [2016], [3], grid=(2015, 2018))

    def test_window_ending_before_start(self):
        with pytest.raises(GridError, match=r"end at or after its start\. Got 2017 to 2015"):
            CountSeries.from_windows([2017], [2015], [3], grid=(2014, 2018))

    def test_overlapping_windows_of_one_measure(self):
        with pytest.raises(GridError, match=r"must not overlap\. Got 2015–2017 and 2017–2018"):
            CountSeries.from_windows([2015, 2017], [2017, 2018], [3, 4], measure="a")

    @pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
    def test_exposure_not_positive(self, bad):
        with pytest.raises(ExposureError, match="positive finite"):
            CountSeries.from_counts([2015, 2016], [1, 2], exposure=[1.0, bad])
        with pytest.raises(ExposureError, match="positive finite"):
            CountSeries.from_windows([2015], [2016], [3], weights=[[1.0, bad]])

    def test_exposure_wrong_length(self):
        with pytest.raises(ExposureError, match=r"needs one exposure per period \(2\)\. Got 1"):
            CountSeries.from_windows([2015], [2016], [3], weights=[[1.0]])

    def test_interval_low_above_high(self):
        with pytest.raises(IntervalError, match=r"low <= high\. Got low=9 > high=5.*2015–2016"):
            CountSeries.from_windows([2015], [2016], [9], [5])

    def test_empty_series(self):
        with pytest.raises(EmptySeriesError, match="at least one observation"):
            CountSeries.from_counts([], [])
        with pytest.raises(EmptySeriesError, match="at least one observation"):
            CountSeries.from_windows([], [], [])
        with pytest.raises(EmptySeriesError, match="has no rows"):
            CountSeries.from_frame(pd.DataFrame({"year": [], "count": []}))

    def test_counts_of_interval_series_refused(self):
        with pytest.raises(IntervalError, match="read 'low' and 'high'"):
            _ = _windows().counts

    def test_atoms_need_one_exact_measure(self):
        with pytest.raises(GridError, match="several measures"):
            _windows().atoms()
        with pytest.raises(IntervalError, match="needs exact counts"):
            _windows().atoms("clashes")
        with pytest.raises(EmptySeriesError, match=r"No observation has measure 'x'"):
            _windows().select("x")

    def test_bad_labels(self):
        with pytest.raises(GridError, match="calendar year such as 2015"):
            CountSeries.from_counts([2015.5], [1])
        with pytest.raises(GridError, match="'YYYY-MM'"):
            CountSeries.from_counts(["2015-13"], [1], freq="month")


class TestAggregate:
    def test_keeps_totals_and_exposures(self):
        s = CountSeries.from_counts(
            [2015, 2016, 2017, 2018, 2019], [4, 9, 3, 0, 7], exposure=[1, 1, 1, 1, 0.5]
        )
        a = s.aggregate([(2015, 2016), (2017, 2019)])
        assert a.start.tolist() == [2015, 2017] and a.end.tolist() == [2016, 2019]
        assert a.low.tolist() == [13.0, 10.0] and a.high.tolist() == [13.0, 10.0]
        assert a.exposure == pytest.approx([2.0, 2.5])
        assert [w.tolist() for w in a.weights] == [[1.0, 1.0], [1.0, 1.0, 0.5]]
        assert a.low.sum() == s.low.sum()
        # the mean of each window is the sum of its yearly means
        rates = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
        assert a.design_matrix() @ rates == pytest.approx([3.0, 3 + 4 + 2.5])

    def test_intervals_and_provenance_add_up(self):
        s = CountSeries.from_windows(
            [2015, 2016], [2015, 2016], [3, 5], [4, np.inf], provenance=[["a"], ["b", "c"]]
        )
        a = s.aggregate([(2015, 2016)])
        assert a.low.tolist() == [8.0] and a.high.tolist() == [np.inf]
        assert a.provenance == (("a", "b", "c"),)

    def test_missing_year_stays_missing(self):
        s = CountSeries.from_counts([2015, 2016, 2018, 2019], [1, 2, 3, 4], allow_missing=True)
        a = s.aggregate([(2015, 2019)])
        assert a.missing() == [2017] == s.missing()
        assert a.low.tolist() == [3.0, 7.0]  # split at the missing year
        assert a.start.tolist() == [2015, 2018]

    def test_measures_aggregate_separately(self):
        a = _windows().aggregate([(2013, 2019)])
        assert a.measures == ("civilians", "clashes", "taliban")
        taliban = a.select("taliban")
        # 2015-2016 and 2018 are not adjacent (2017 is missing): two observations
        assert taliban.low.tolist() == [3.0, 207.0]

    def test_overlapping_windows_refused(self):
        s = CountSeries.from_counts([2015, 2016, 2017], [1, 2, 3])
        with pytest.raises(GridError, match=r"must not overlap\. Got 2015–2016 and one start"):
            s.aggregate([(2015, 2016), (2016, 2017)])

    def test_straddling_observation_refused(self):
        with pytest.raises(GridError, match=r"covering 2014–2017 straddles .* 2016–2019"):
            _windows().aggregate([(2016, 2019)])

    def test_window_outside_grid_refused(self):
        s = CountSeries.from_counts([2015, 2016, 2017], [1, 2, 3])
        with pytest.raises(GridError, match="grid"):
            s.aggregate([(2010, 2012)])

    def test_reversed_window_refused(self):
        s = CountSeries.from_counts([2015, 2016, 2017], [1, 2, 3])
        with pytest.raises(GridError, match="end at or after"):
            s.aggregate([(2017, 2015)])

    @settings(max_examples=40, deadline=None)
    @given(
        st.lists(st.integers(0, 10_000), min_size=1, max_size=12),
        st.integers(1, 4),
    )
    def test_totals_kept_for_any_blocking(self, counts, width):
        years = list(range(2000, 2000 + len(counts)))
        s = CountSeries.from_counts(years, counts)
        blocks = [(y, min(y + width - 1, years[-1])) for y in years[::width]]
        a = s.aggregate(blocks)
        assert a.low.sum() == sum(counts)
        assert a.exposure.sum() == pytest.approx(len(counts))
        assert a.n_obs == len(blocks)


class TestCsv:
    def test_round_trip_windows(self, tmp_path):
        s = _windows()
        path = tmp_path / "w.csv"
        s.to_csv(path)
        back = CountSeries.read_csv(path)
        assert back == s
        assert (back.grid_start, back.grid_end) == (s.grid_start, s.grid_end)
        assert back.measure == s.measure and back.provenance == s.provenance
        assert np.array_equal(back.high, s.high)
        assert all(np.array_equal(a, b) for a, b in zip(back.weights, s.weights, strict=True))

    def test_round_trip_is_equal(self, tmp_path):
        s = CountSeries.from_windows(
            [2014, 2017, 2018],
            [2017, 2018, 2018],
            [84, 225, 207],
            [84, 275, np.inf],
            weights=[[1, 1, 1, 1 / 12], [1, 1], [0.5]],
            measure=["civilians", "clashes", "taliban"],
            provenance=[["Q010"], ["Q008"], ["Q012", "Q030"]],
        )
        path = tmp_path / "s.csv"
        s.to_csv(path)
        assert CountSeries.read_csv(path) == s

    def test_round_trip_keeps_interior_missing_year(self, tmp_path):
        s = CountSeries.from_counts([2015, 2016, 2018], [1, 0, 4], allow_missing=True)
        s.to_csv(tmp_path / "m.csv")
        back = CountSeries.read_csv(tmp_path / "m.csv")
        assert back == s and back.missing() == [2017]
        # ... and through aggregation after reading back
        assert back.aggregate([(2015, 2018)]).missing() == [2017]

    def test_round_trip_months(self, tmp_path):
        s = CountSeries.from_counts(["2015-11", "2015-12", "2016-01"], [1, 0, 2], freq="month")
        s.to_csv(tmp_path / "m.csv")
        assert CountSeries.read_csv(tmp_path / "m.csv") == s

    def test_simple_layout(self, tmp_path):
        path = tmp_path / "simple.csv"
        path.write_text("year,count\n2015,3\n2016,5\n")
        assert CountSeries.read_csv(path) == CountSeries.from_counts([2015, 2016], [3, 5])

    def test_bad_files(self, tmp_path):
        from lifecycle._core.errors import FileFormatError

        with pytest.raises(FileFormatError, match="No such file"):
            CountSeries.read_csv(tmp_path / "absent.csv")
        bad = tmp_path / "bad.csv"
        bad.write_text("when,n\n2015,3\n")
        with pytest.raises(FileFormatError, match="expected columns 'year' and 'count'"):
            CountSeries.read_csv(bad)
        bad.write_text("year,count\n2015,x\n")
        with pytest.raises(FileFormatError, match=r"column 'count' must hold numbers.*row 1"):
            CountSeries.read_csv(bad)

    def test_round_trip_large_counts(self, tmp_path):
        s = CountSeries.from_counts([2015, 2016], [1234567, 3])
        s.to_csv(tmp_path / "big.csv")
        assert CountSeries.read_csv(tmp_path / "big.csv") == s

    def test_round_trip_keeps_missing_edge_years(self, tmp_path):
        s = CountSeries.from_windows([2016], [2016], [3], grid=(2015, 2018))
        s.to_csv(tmp_path / "g.csv")
        back = CountSeries.read_csv(tmp_path / "g.csv")
        assert back.missing() == [2015, 2017, 2018]

    def test_round_trip_hash_in_provenance(self, tmp_path):
        s = CountSeries.from_windows([2015], [2015], [3], provenance=[["row#1"]])
        s.to_csv(tmp_path / "h.csv")
        assert CountSeries.read_csv(tmp_path / "h.csv") == s

    @settings(max_examples=25, deadline=None)
    @given(
        st.lists(
            st.tuples(st.integers(0, 500), st.integers(0, 50), st.booleans()),
            min_size=1,
            max_size=8,
        )
    )
    def test_round_trip_any_intervals(self, tmp_path_factory, rows):
        lows = [r[0] for r in rows]
        highs = [np.inf if r[2] else r[0] + r[1] for r in rows]
        years = list(range(2010, 2010 + len(rows)))
        s = CountSeries.from_windows(years, years, lows, highs, exposure=[0.25] * len(rows))
        path = tmp_path_factory.mktemp("rt") / "s.csv"
        s.to_csv(path)
        assert CountSeries.read_csv(path) == s


class TestConcat:
    def test_concat_measures(self):
        a = CountSeries.from_counts([2015, 2016], [1, 2], measure="a")
        b = CountSeries.from_counts([2016, 2017], [3, 4], measure="b")
        c = CountSeries.concat([a, b])
        assert c.measures == ("a", "b") and c.grid_start == 2015 and c.grid_end == 2017
        assert c.missing("a") == [2017]
        # concat does not sort, so the duplicate shows as a break of calendar order
        with pytest.raises(GridError, match="Got 2015 after 2016 for measure 'a'"):
            CountSeries.concat([a, a.select("a")])
        with pytest.raises(EmptySeriesError, match="Nothing to concatenate"):
            CountSeries.concat([])


class TestRestrictAndTake:
    def test_restrict_keeps_inside_windows_and_shrinks_grid(self):
        s = CountSeries.from_windows([2014, 2016, 2017], [2015, 2016, 2019], [10, 4, 6])
        part = s.restrict(2016, 2019)
        assert (part.grid_start, part.grid_end) == (2016, 2019)
        assert part.low.tolist() == [4.0, 6.0]
        assert s.restrict(None, 2016).low.tolist() == [10.0, 4.0]

    def test_restrict_never_cuts_a_window(self):
        s = CountSeries.from_windows([2014, 2016], [2015, 2016], [10, 4])
        with pytest.raises(GridError, match="straddles the edge"):
            s.restrict(2015, 2016)
        with pytest.raises(EmptySeriesError, match="No observation lies in 2017–2018"):
            CountSeries.from_counts([2014, 2015], [1, 2]).restrict(2017, 2018)
        with pytest.raises(GridError, match="must end at or after its start"):
            s.restrict(2016, 2014)

    def test_take_selects_in_order(self):
        s = CountSeries.from_counts([2014, 2015, 2016], [1, 2, 3])
        assert s.take([0, 2]).low.tolist() == [1.0, 3.0]
        assert s.take([0, 2]).missing() == [2015]


class TestValidationPaths:
    """The one-pass checks of weights and order raise what the per-observation ones do."""

    def _series(self, weights, start=None):
        n = 4
        start = np.array([2000, 2001, 2002, 2003]) if start is None else np.asarray(start)
        return CountSeries(
            freq="year",
            grid_start=1999,
            grid_end=2005,
            measure=("attacks",) * n,
            start=start,
            end=start.copy(),
            low=np.array([1.0, 2.0, 3.0, 4.0]),
            high=np.array([1.0, 2.0, 3.0, 4.0]),
            weights=tuple(np.asarray(w, dtype=float) for w in weights),
        )

    def test_valid_weights_are_read_only_copies(self):
        w = [np.array([1.0]), np.array([0.5]), np.array([1.0]), np.array([0.25])]
        s = self._series(w)
        assert [float(x[0]) for x in s.weights] == [1.0, 0.5, 1.0, 0.25]
        assert all(not x.flags.writeable for x in s.weights)
        w[1][0] = 0.75  # the caller's array is not shared
        assert float(s.weights[1][0]) == 0.5

    def test_first_faulty_weight_is_named(self):
        w = [[1.0], [0.0], [1.0, 1.0], [np.inf]]
        with pytest.raises(ExposureError, match=r"positive finite.*\[0\.0\].*2001"):
            self._series(w)
        with pytest.raises(ExposureError, match=r"one exposure per period \(1\)\. Got 2"):
            self._series([[1.0], [1.0], [1.0, 1.0], [np.inf]])
        with pytest.raises(ExposureError, match=r"at least 1e-06.*2003"):
            self._series([[1.0], [1.0], [1.0], [1e-9]])

    def test_order_faults_still_raised(self):
        w = [[1.0]] * 4
        with pytest.raises(GridError, match="calendar order"):
            self._series(w, start=[2000, 2002, 2001, 2003])
        with pytest.raises(GridError, match="twice for measure"):
            self._series(w, start=[2000, 2001, 2001, 2003])

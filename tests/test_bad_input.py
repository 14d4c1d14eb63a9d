"""Bad input gets a clear error, never a silent wrong answer.

For every public function: negative, non-integer, NaN or infinite counts, empty input,
duplicate / unsorted / missing years, series too short for what was asked, all-zero
series, wrong types and bad parameters each raise a precise ``LifecycleError`` subclass
(or ``TypeError`` for a wrong type) whose message says what was expected and what came
in. Degenerate inputs that have a valid answer are pinned to that answer. Finally,
nothing the user passes (numpy arrays, pandas Series with any index, CountSeries, wave
definitions) is altered by any call.
"""

from __future__ import annotations

import copy
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lifecycle.inference as infer
from lifecycle import changepoints as cp
from lifecycle import inference
from lifecycle import models as regression
from lifecycle._core.errors import (
    AllZeroError,
    CountError,
    DefinitionError,
    EmptySeriesError,
    EvidenceError,
    ExposureError,
    FileFormatError,
    FitError,
    GridError,
    IntervalError,
    LifecycleError,
    ParameterError,
    TooShortError,
)
from lifecycle.events import read_acled, read_gtd, read_ucdp_ged
from lifecycle.evidence.readings import Placement, Reading
from lifecycle.evidence.tables import load_events, load_quantities, load_sources, load_waves
from lifecycle.inference import simulate
from lifecycle.models import costs
from lifecycle.models.waves import Phase, WaveDefinition
from lifecycle.series.countseries import CountSeries

YEARS = list(range(2010, 2022))
COUNTS = [1, 5, 9, 14, 10, 6, 3, 2, 4, 8, 12, 15]  # rise, fall, rise
SERIES = CountSeries.from_counts(YEARS, COUNTS, name="toy")
THREE = WaveDefinition.from_breaks(
    "three", [2014, 2018], names=["emergence", "decline", "resurgence"]
)
ABC = WaveDefinition.from_breaks("abc", [2014, 2018], names=["a", "b", "c"])
GAPPY3 = CountSeries.from_counts([2013, 2014, 2018], [4, 6, 2], allow_missing=True)
NB = 9  # bootstrap replicates: enough to run the code path, fast

# ====================================================================== counts matrix
# Functions that take plain counts (array_like of int).
COUNT_FUNCS = {
    "detect": lambda y: cp.detect(y),
    "detect_negbin": lambda y: cp.detect(y, family="negbin"),
    "segment_path": lambda y: cp.segment_path(y),
    "test_change": lambda y: cp.test_change(y, n_boot=NB, seed=1),
    "posterior_changes": lambda y: cp.posterior_changes(y),
    "estimate_alpha": lambda y: costs.estimate_alpha(y),
    "PoissonCost.fit": lambda y: costs.PoissonCost().fit(y),
    "NegBinCost.fit": lambda y: costs.NegBinCost().fit(y),
    "test_resurgence": lambda y: inference.test_resurgence(y, n_boot=NB, seed=1),
    "test_resurgence_negbin": lambda y: inference.test_resurgence(
        y, family="negbin", n_boot=NB, seed=1
    ),
    "from_counts": lambda y: CountSeries.from_counts(range(2000, 2000 + len(y)), y),
}

BAD_COUNTS = {
    "negative": ([3, -1, 4, 5, 6], r"non-negative whole numbers\. Got a negative count at "
                 r"position 1: -1"),
    "non-integer": ([3, 1.5, 4, 5, 6], r"Got a non-integer count at position 1: 1\.5"),
    "nan": ([3, np.nan, 4, 5, 6], r"Got NaN at position 1"),
    "inf": ([3, np.inf, 4, 5, 6], r"Got an infinite value at position 1: inf"),
    "string": ("abc", r"not numbers: .*'abc'"),
    "strings": (["a", "b", "c"], r"not numbers: .*'a'"),
    "3-d": ([[[1, 2]], [[3, 4]]], r"one-dimensional|shape \(n,\)"),
}  # fmt: skip


@pytest.mark.parametrize("bad", list(BAD_COUNTS), ids=list(BAD_COUNTS))
@pytest.mark.parametrize("func", list(COUNT_FUNCS), ids=list(COUNT_FUNCS))
def test_bad_counts(func: str, bad: str) -> None:
    values, match = BAD_COUNTS[bad]
    with pytest.raises(CountError, match=match):
        COUNT_FUNCS[func](values)


@pytest.mark.parametrize("func", list(COUNT_FUNCS), ids=list(COUNT_FUNCS))
def test_empty_counts(func: str) -> None:
    if func.startswith("test_resurgence"):
        cls, match = TooShortError, r"at least 3 observations.*Got 0"
    elif func == "from_counts":
        cls, match = EmptySeriesError, "at least one observation. Got none"
    else:
        cls, match = EmptySeriesError, "needs at least one count. Got none"
    with pytest.raises(cls, match=match):
        COUNT_FUNCS[func]([])


@pytest.mark.parametrize(
    "func",
    ["detect", "segment_path", "test_change", "posterior_changes", "estimate_alpha"],
)
@pytest.mark.parametrize(
    ("exposure", "cls", "match"),
    [
        ([1.0] * 11 + [0.0], ExposureError, "positive finite numbers"),
        ([1.0] * 11 + [np.nan], ExposureError, "positive finite numbers"),
        ([1.0] * 11 + [-1.0], ExposureError, "positive finite numbers"),
        (["a"] * 12, ExposureError, "not numbers"),
        ([1.0] * 3, ExposureError, r"one value per count \(12\)\. Got shape \(3,\)"),
    ],
    ids=["zero", "nan", "negative", "strings", "short"],
)
def test_bad_exposure(func: str, exposure: list, cls: type, match: str) -> None:
    call = {
        "detect": lambda: cp.detect(COUNTS, exposure=exposure),
        "segment_path": lambda: cp.segment_path(COUNTS, exposure=exposure),
        "test_change": lambda: cp.test_change(COUNTS, exposure=exposure, n_boot=NB, seed=1),
        "posterior_changes": lambda: cp.posterior_changes(COUNTS, exposure=exposure),
        "estimate_alpha": lambda: costs.estimate_alpha(COUNTS, exposure),
    }[func]
    with pytest.raises(cls, match=match):
        call()


# ====================================================================== rate curves
RATE_FUNCS = {
    "simulate_counts": lambda r: simulate.simulate_counts(r, seed=1),
    "simulate_series": lambda r: simulate.simulate_series(r, seed=1),
    "power": lambda r: inference.power(r, n_sim=3, n_boot=NB, seed=1),
}
BAD_RATES = {
    "negative": ([3.0, -1.0, 4.0], r"finite non-negative numbers\. Got -1\.0 at position 1"),
    "nan": ([3.0, np.nan, 4.0], r"Got nan at position 1"),
    "inf": ([3.0, np.inf, 4.0], r"Got inf at position 1"),
    "empty": ([], r"non-empty 1-D sequence\. Got shape \(0,\)"),
    "string": ("abc", r"1-D sequence of non-negative numbers\. Got 'abc'"),
    "2-d": ([[1.0, 2.0], [3.0, 4.0]], r"Got shape \(2, 2\)"),
}


@pytest.mark.parametrize("bad", list(BAD_RATES), ids=list(BAD_RATES))
@pytest.mark.parametrize("func", list(RATE_FUNCS), ids=list(RATE_FUNCS))
def test_bad_rates(func: str, bad: str) -> None:
    values, match = BAD_RATES[bad]
    name = "simulate_series" if func == "simulate_series" else func
    with pytest.raises(ParameterError, match=f"'rates' parameter of {name} .*{match}"):
        RATE_FUNCS[func](values)


def test_simulate_series_names_itself_and_checks_freq_first() -> None:
    with pytest.raises(ParameterError, match="'dispersion' parameter of simulate_series"):
        simulate.simulate_series([1.0, 2.0], family="negbin", seed=1)
    with pytest.raises(ParameterError, match=r"'freq' parameter of simulate_series .*'week'"):
        simulate.simulate_series([1.0, 2.0], freq="week", seed=1)
    with pytest.raises(ExposureError, match="not numbers"):
        simulate.simulate_counts([1.0, 2.0], exposure=["a", "b"], seed=1)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: simulate.two_waves(3), r"n_periods=3 is too short .*\[20\.0, 30\.0, 100\.0\]"),
        (lambda: simulate.single_peak(2), r"n_periods=2 is too short .*\[20\.0, 20\.0\]"),
        (lambda: simulate.single_peak(1), r"n_periods=1 is too short"),
    ],
    ids=["two_waves-3", "single_peak-2", "single_peak-1"],
)
def test_curve_too_short_for_its_shape(call, match: str) -> None:
    with pytest.raises(TooShortError, match=match):
        call()


def test_curves_long_enough_keep_their_shape() -> None:
    assert simulate.single_peak(3).tolist() == [20.0, 100.0, 20.0]
    four = simulate.two_waves(4)  # 4 periods still show peak, trough, second peak
    assert four[1] > four[2] < four[3]
    w = simulate.two_waves(5, 10, 50, 20, 40, at=(0.25, 0.5, 1.0))
    assert w.tolist() == [10.0, 50.0, 20.0, 30.0, 40.0]


# ====================================================================== periods
@pytest.mark.parametrize(
    ("years", "match"),
    [
        ([2010, 2010, *YEARS[2:]], "Each period may be given once. Got 2010 twice"),
        ([2011, 2010, *YEARS[2:]], "calendar order. Got 2010 after 2011"),
        ([*YEARS[:-1], 2030], r"Expected consecutive periods\. Got gaps: 2021"),
        (YEARS[:5], r"one count per period\. Got 5 periods and 12 counts"),
        (["a"] * 12, "Expected a calendar year such as 2015, got 'a'"),
        ([2010.5, *YEARS[1:]], "got 2010.5"),
    ],
    ids=["duplicate", "unsorted", "gap", "short", "strings", "fraction"],
)
@pytest.mark.parametrize("func", ["detect", "test_change", "posterior_changes", "from_counts"])
def test_bad_years(func: str, years: list, match: str) -> None:
    call = {
        "detect": lambda: cp.detect(COUNTS, years=years),
        "test_change": lambda: cp.test_change(COUNTS, years=years, n_boot=NB, seed=1),
        "posterior_changes": lambda: cp.posterior_changes(COUNTS, years=years),
        "from_counts": lambda: CountSeries.from_counts(years, COUNTS),
    }[func]
    with pytest.raises(GridError, match=match):
        call()


def test_gaps_allowed_only_on_request_and_stay_missing() -> None:
    s = CountSeries.from_counts([2010, 2011, 2014], [3, 4, 5], allow_missing=True)
    assert s.missing() == [2012, 2013]
    assert s.counts.tolist() == [3.0, 4.0, 5.0]


@pytest.mark.parametrize(
    ("call", "cls", "match"),
    [
        (lambda: CountSeries.from_counts([1, 2, 3], [1, 2, 3], ["a", "b", "c"]),
         ExposureError, "'exposure' parameter of CountSeries.from_counts .*not numbers"),
        (lambda: CountSeries.from_counts([1, 2, 3], [1, 2, 3], [1, 0, 1]),
         ExposureError, r"positive finite numbers\. Got \[0\.0\]"),
        (lambda: CountSeries.from_counts([1, 2, 3], [1, 2, 3], freq="week"),
         ParameterError, "'freq' parameter of CountSeries.from_counts .*'week'"),
        (lambda: CountSeries.from_counts(["2020-13", "2020-02"], [1, 2], freq="month"),
         GridError, "'YYYY-MM' such as '2015-03', got '2020-13'"),
        (lambda: CountSeries.from_windows([2010], [2010], [5], [3]),
         IntervalError, "low <= high. Got low=5 > high=3"),
        (lambda: CountSeries.from_windows([2011], [2010], [5]),
         GridError, "end at or after its start. Got 2011 to 2010"),
        (lambda: CountSeries.from_windows([2010, 2011], [2012, 2013], [5, 4]),
         GridError, "must not overlap"),
        (lambda: CountSeries.from_windows([2010, 2010], [2010, 2010], [5, 4]),
         GridError, "Got 2010 twice"),
        (lambda: CountSeries.from_windows([2010], [2011], [5], weights=[["a", "b"]]),
         ExposureError, "'weights' parameter of CountSeries.from_windows .*not numbers"),
        (lambda: CountSeries.from_windows([2010], [2011], [5], exposure=["a"]),
         ExposureError, "'exposure' parameter of CountSeries.from_windows .*not numbers"),
        (lambda: CountSeries.from_windows([2010, 2011], [2010, 2011], [5, 4], measure=["a"]),
         GridError, r"one measure per window \(2\) or a single measure\. Got 1"),
        (lambda: CountSeries.from_windows([2010], [2010], [5], [np.nan]),
         CountError, "'high' parameter .*Got NaN"),
        (lambda: CountSeries.from_windows([], [], []),
         EmptySeriesError, "at least one observation"),
    ],
    ids=[
        "exposure-strings", "exposure-zero", "freq", "month-13", "low>high", "start>end",
        "overlap", "duplicate-window", "weights-strings", "window-exposure-strings",
        "measure-length", "high-nan", "empty-windows",
    ],
)  # fmt: skip
def test_series_builders(call, cls: type, match: str) -> None:
    with pytest.raises(cls, match=match):
        call()


# ====================================================================== frames and files
@pytest.mark.parametrize(
    ("frame", "cls", "match"),
    [
        (pd.DataFrame({"a": [1]}), FileFormatError,
         r"expected columns 'year' and 'count' .*Got columns \['a'\]"),
        (pd.DataFrame({"year": [], "count": []}), EmptySeriesError, "has no rows"),
        (pd.DataFrame({"year": [2010], "count": ["x"]}), FileFormatError,
         "column 'count' must hold numbers. Got 'x' in data row 1"),
        (pd.DataFrame({"year": [2010, 2011], "count": [1, np.nan]}), FileFormatError,
         "^the table: column 'count' is blank in data row 2. Write 0 for an observed zero"),
        (pd.DataFrame({"year": [2010, 2011], "count": [1, -2]}), CountError,
         "^the table: .*negative count"),
        (pd.DataFrame({"year": [2010, 2010], "count": [1, 2]}), GridError,
         "^the table: Each period may be given once"),
        (pd.DataFrame({"year": [2010, 2011], "count": [1, 2], "exposure": [1, 0]}),
         ExposureError, "^the table: Exposures must be positive"),
        (pd.DataFrame({"start": [2010], "end": [2010], "low": [3], "high": [1]}),
         IntervalError, "^the table: A count interval must have low <= high"),
        (pd.DataFrame({"start": [2010], "end": [2010], "low": [-1]}), CountError,
         "^the table: .*negative count"),
        (pd.DataFrame({"start": ["x"], "end": [2010], "low": [1]}), GridError,
         "^the table: Expected a calendar year"),
    ],
    ids=[
        "no-columns", "no-rows", "count-text", "count-nan", "count-negative",
        "year-duplicate", "exposure-zero", "windows-low>high", "windows-negative",
        "windows-bad-start",
    ],
)  # fmt: skip
def test_from_frame(frame: pd.DataFrame, cls: type, match: str) -> None:
    with pytest.raises(cls, match=match):
        CountSeries.from_frame(frame)


def test_from_frame_wrong_type() -> None:
    with pytest.raises(TypeError, match=r"Expected a pandas DataFrame\. Got list"):
        CountSeries.from_frame([1, 2])


@pytest.mark.parametrize(
    ("text", "cls", "match"),
    [
        (b"", FileFormatError, "not a readable CSV file"),
        (b"year,count\n", EmptySeriesError, "has no rows"),
        (b"year,count\n2010,1\n2011,\n", FileFormatError,
         r"bad\.csv: column 'count' is blank in data row 2 \(row 3 in a spreadsheet\)"),
        (b"year,count\n2010,1\n2011,many\n", FileFormatError,
         "column 'count' must hold numbers. Got 'many' in data row 2"),
        (b"year,count,note\n2010,1,caf\xe9\n", FileFormatError, "not a readable CSV file"),
        (b"start,end,low,weights\n2010,2011,5,a;b\n", FileFormatError,
         "column 'weights' must hold ';'-separated numbers"),
        (b"start,end,low,high\n2010,2011,5,\n", FileFormatError,
         r"bad\.csv: column 'high' is blank in data row 1"),
    ],
    ids=["empty", "header-only", "blank-count", "text-count", "latin-1", "bad-weights",
         "blank-high"],
)  # fmt: skip
def test_read_csv_malformed(tmp_path: Path, text: bytes, cls: type, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(text)
    with pytest.raises(cls, match=match):
        CountSeries.read_csv(path)


def test_read_csv_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="No such file"):
        CountSeries.read_csv(tmp_path / "nope.csv")
    with pytest.raises(FileFormatError, match="is a folder, not a CSV file"):
        CountSeries.read_csv(tmp_path)


@pytest.mark.parametrize("loader", [load_quantities, load_events, load_waves, load_sources])
@pytest.mark.parametrize(
    ("text", "match"),
    [
        (b"\xff\xfe\x00abc", "not a readable UTF-8 CSV file"),
        (b"", "the file is empty; expected a header row"),
        (b"a,b\n1,2\n", "required column missing"),
    ],
    ids=["binary", "empty", "wrong-columns"],
)
def test_evidence_tables_malformed(tmp_path: Path, loader, text: bytes, match: str) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(text)
    with pytest.raises(EvidenceError, match=match):
        loader(path)


@pytest.mark.parametrize("reader", [read_gtd, read_acled, read_ucdp_ged])
@pytest.mark.parametrize(
    ("text", "match"),
    [(b"\xff\xfe\x00abc", "required column"), (b"", "the file is empty"),
     (b"a,b\n1,2\n", "required column")],
    ids=["binary", "empty", "wrong-columns"],
)  # fmt: skip
def test_event_exports_malformed(tmp_path: Path, reader, text: bytes, match: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(text)
    with pytest.raises(FileFormatError, match=match):
        reader(path)


# ====================================================================== too short
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cp.detect(COUNTS, n_changes=12), r"n_changes=12 needs 13 segments .*has 12"),
        (lambda: cp.detect(COUNTS, max_changes=3, min_size=4),
         r"max_changes=3 needs 4 segments of at least min_size=4 .*16 .*has 12"),
        (lambda: cp.detect(COUNTS, min_size=13), r"min_size=13 .*has 12"),
        (lambda: cp.segment_path(COUNTS, max_changes=20), r"^segment_path: max_changes=20"),
        (lambda: cp.test_change([5], n_boot=NB, seed=1), r"max_changes=1 needs 2 segments"),
        (lambda: cp.posterior_changes(COUNTS, max_changes=20), r"max_changes=20 needs 21"),
        (lambda: inference.test_resurgence([4, 5], n_boot=NB, seed=1),
         r"at least 3 observations .*Got 2"),
        (lambda: inference.power([4.0, 5.0], n_sim=3, n_boot=NB, seed=1),
         "at least 3 periods. Got 2"),
        (lambda: regression.fit_waves(CountSeries.from_counts([2010], [4]),
                                      WaveDefinition("one", (Phase("all", None, None),)),
                                      "poisson", "broken_stick"),
         r"2 shape parameters .*identifies only 1 of them \(1 observations\)"),
        (lambda: regression.fit_waves(GAPPY3, ABC, "negbin", "broken_stick"),
         r"4 shape parameters .*identifies only 3"),
    ],
    ids=["n_changes", "min_size-room", "min_size-alone", "segment_path", "test_change-1",
         "posterior", "resurgence", "power", "broken_stick-1", "broken_stick-3"],
)  # fmt: skip
def test_too_short(call, match: str) -> None:
    with pytest.raises(TooShortError, match=match):
        call()


def test_too_short_for_phases() -> None:
    # documented as DefinitionError (a definition that cannot fit the series)
    with pytest.raises(DefinitionError, match="20 phases needs at least 20 distinct"):
        regression.best_segmentation(SERIES, 20)
    with pytest.raises(DefinitionError, match="'trend' shape needs at least two observed"):
        regression.fit_waves(GAPPY3, ABC, "poisson", "trend")
    with pytest.raises(DefinitionError, match="has no observation in the series"):
        regression.fit_waves(CountSeries.from_counts([2010, 2011], [3, 4]), ABC)


def test_short_but_valid_answers() -> None:
    # One window: no change is possible; the rate is the count (exact answer).
    seg = cp.detect([4])
    assert seg.n_changes == 0
    assert seg.summary()["rate"].tolist() == [4.0]
    assert cp.posterior_changes([4]).n_changes_prob.tolist() == [1.0]
    # Two windows suffice for one change; equal counts give T = 0 and p = 1.
    t = cp.test_change([5, 5], n_boot=NB, seed=1)
    assert t.statistic == pytest.approx(0.0, abs=1e-12)
    assert t.p_value == 1.0


# ====================================================================== all zero
ZEROS = [0] * 8
ZERO_SERIES = CountSeries.from_counts(YEARS, [0] * 12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: regression.fit_waves(ZERO_SERIES, THREE), "Every count of series .* is zero"),
        (lambda: regression.fit_waves(ZERO_SERIES, THREE, "negbin", "trend"), "is zero"),
        (lambda: regression.best_segmentation(ZERO_SERIES, 3), "is zero"),
        (lambda: infer.compare_waves(ZERO_SERIES, [THREE], loo=False), "is zero"),
        (lambda: inference.test_resurgence(ZEROS, n_boot=NB, seed=1),
         "at least one non-zero count. Got 8 zeros"),
    ],
    ids=["fit_waves", "fit_waves-nb-trend", "best_segmentation", "compare_waves",
         "test_resurgence"],
)  # fmt: skip
def test_all_zero_errors(call, match: str) -> None:
    with pytest.raises(AllZeroError, match=match):
        call()


def test_all_zero_valid_answers() -> None:
    # Change points: a Poisson rate of 0 is the MLE; its exact upper limit is
    # -log(0.025) / 8 (Garwood with a zero count), and no change is found.
    seg = cp.detect(ZEROS)
    row = seg.summary().iloc[0]
    assert seg.n_changes == 0
    assert row["rate"] == 0.0
    assert row["rate_low_95%"] == 0.0
    assert row["rate_high_95%"] == pytest.approx(-math.log(0.025) / 8)
    # NB dispersion: the likelihood is flat in alpha, and the documented rule
    # (Poisson at least as good -> 0) gives 0.
    assert costs.estimate_alpha(ZEROS) == 0.0
    assert cp.detect(ZEROS, family="negbin").dispersion == 0.0
    # No evidence of change: T = 0 and p = 1 exactly.
    t = cp.test_change(ZEROS, n_boot=NB, seed=1)
    assert (t.statistic, t.p_value) == (0.0, 1.0)
    # The rate prior is proper with fixed hyper-parameters (issue 11), so the
    # posterior of an all-zero series is defined, by default and with any prior.
    post = cp.posterior_changes(ZEROS, prior_rate=1.0)
    assert np.isclose(post.n_changes_prob.sum(), 1.0)
    assert cp.posterior_changes(ZEROS).n_changes_mode == 0
    # Simulating from a zero rate gives zeros.
    assert simulate.simulate_counts([0.0, 0.0], seed=1).tolist() == [[0.0, 0.0]]


@pytest.mark.parametrize("family", ["poisson", "negbin"])
@pytest.mark.parametrize(
    ("counts", "shape", "match"),
    [
        ([0] * 4 + [10, 6, 3, 2, 4, 8, 12, 15], "step", "Phase 'a' .* has only zero counts"),
        ([0] * 4 + [10, 6, 3, 2, 4, 8, 12, 15], "trend", "Phase 'a' .* has only zero counts"),
        ([0] * 4 + [10, 6, 3, 2, 4, 8, 12, 15], "broken_stick",
         "Phase 'a' .* only zero counts, so the broken-stick slope of this edge phase"),
        ([1, 5, 9, 14, 10, 6, 3, 2, 0, 0, 0, 0], "broken_stick",
         "Phase 'c' .* only zero counts, so the broken-stick slope"),
        ([0, 0, 0, 5, 10, 6, 3, 2, 4, 8, 12, 15], "trend",
         "Phase 'a' .* has events only in 2013, at the edge"),
    ],
    ids=["step", "trend", "broken_stick-first", "broken_stick-last", "trend-separated"],
)  # fmt: skip
def test_zero_phase_has_no_mle(family: str, counts: list, shape: str, match: str) -> None:
    s = CountSeries.from_counts(YEARS, counts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an error, never only a ConvergenceWarning
        with pytest.raises(FitError, match=match):
            regression.fit_waves(s, ABC, family, shape)


@pytest.mark.parametrize(
    ("counts", "shape"),
    [
        ([1, 5, 9, 14, 0, 0, 0, 0, 4, 8, 12, 15], "broken_stick"),  # inner zero phase
        ([0, 0, 5, 0, 10, 6, 3, 2, 4, 8, 12, 15], "trend"),  # zeros on both sides
        ([0, 0, 0, 5, 10, 6, 3, 2, 4, 8, 12, 15], "broken_stick"),  # held by the knot
    ],
    ids=["broken_stick-inner", "trend-interior", "broken_stick-edge-event"],
)
def test_zeros_with_a_finite_mle_fit(counts: list, shape: str) -> None:
    s = CountSeries.from_counts(YEARS, counts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = regression.fit_waves(s, ABC, "poisson", shape)
    rates = fit.summary().query("section == 'phase rate'")["estimate"]
    assert np.all(np.isfinite(rates)) and np.all(rates > 1e-3) and np.all(rates < 100)


# ====================================================================== parameters
@pytest.mark.parametrize(
    ("call", "cls", "match"),
    [
        (lambda: cp.detect(COUNTS, family="gauss"), ParameterError,
         "'family' parameter of detect must be one of 'auto', 'poisson', 'negbin'. Got 'gauss'"),
        (lambda: cp.detect(COUNTS, min_size=0), ParameterError,
         "'min_size' parameter of detect must be an int >= 1. Got 0"),
        (lambda: cp.detect(COUNTS, min_size=1.5), TypeError, "must be an int. Got 1.5"),
        (lambda: cp.detect(COUNTS, penalty=-1), ParameterError,
         "'penalty' parameter of detect must be a number >= 0.0. Got -1.0"),
        (lambda: cp.detect(COUNTS, penalty="xx"), ParameterError, "one of 'bic', 'mbic', 'aic'"),
        (lambda: cp.detect(COUNTS, penalty=float("nan")), ParameterError, "finite number"),
        (lambda: cp.detect(COUNTS, confidence=1.5), ParameterError,
         r"'confidence' parameter of detect must be a number strictly between 0 and 1\. "
         r"Got 1\.5"),
        (lambda: cp.detect(COUNTS, method="x"), ParameterError, "one of 'exact', 'pelt'"),
        (lambda: cp.detect(COUNTS, n_changes=-1), ParameterError, "int >= 0. Got -1"),
        (lambda: cp.detect(COUNTS, dispersion=-1), ParameterError,
         "'dispersion' .* >= 0.0. Got -1.0"),
        (lambda: cp.detect(COUNTS, family="poisson", dispersion=0.5), ParameterError,
         "applies to family='negbin'"),
        (lambda: cp.detect(COUNTS, freq="week"), ParameterError, "'freq' .*Got 'week'"),
        (lambda: cp.detect(COUNTS, measure="attacks"), ParameterError,
         "'measure' parameter of detect applies to a CountSeries only. Got measure='attacks'"),
        (lambda: cp.detect(SERIES, years=YEARS), ParameterError, "apply to plain counts"),
        (lambda: cp.segment_path(COUNTS, min_size=0), ParameterError,
         "'min_size' parameter of segment_path"),
        (lambda: cp.segment_path(COUNTS, family="gauss"), ParameterError,
         "'family' parameter of segment_path"),
        (lambda: cp.test_change(COUNTS, n_boot=0, seed=1), ParameterError,
         "'n_boot' parameter of test_change must be an int >= 1. Got 0"),
        (lambda: cp.test_change(COUNTS, n_boot=NB, seed=None), TypeError,
         "'seed' parameter of test_change .*explicit seed"),
        (lambda: cp.test_change(COUNTS, n_boot=NB, seed=-1), ParameterError, "int >= 0. Got -1"),
        (lambda: cp.test_change(COUNTS, max_changes=0, n_boot=NB, seed=1), ParameterError,
         "'max_changes' parameter of test_change must be an int >= 1"),
        (lambda: cp.break_intervals(cp.detect(COUNTS, n_changes=2), n_boot=0, seed=1),
         ParameterError, "'n_boot' parameter of break_intervals"),
        (lambda: cp.break_intervals(cp.detect(COUNTS, n_changes=2), confidence=1.5, n_boot=NB,
                                    seed=1), ParameterError,
         "'confidence' parameter of break_intervals must be a number strictly between 0 and 1"),
        (lambda: cp.break_intervals(cp.detect(COUNTS, n_changes=0), n_boot=NB, seed=1),
         ParameterError, "at least one change. Got one with none"),
        (lambda: cp.break_intervals(COUNTS, n_boot=NB, seed=1), TypeError,
         "must be a Segmentation"),
        (lambda: cp.posterior_changes(COUNTS, prior_shape=0), ParameterError,
         "'prior_shape' .* > 0.0. Got 0.0"),
        (lambda: cp.posterior_changes(COUNTS, p_change=1.0), ParameterError,
         "'p_change' .* < 1.0. Got 1.0"),
        (lambda: cp.posterior_changes(COUNTS, min_size=0), ParameterError, "'min_size'"),
        (lambda: costs.NegBinCost(dispersion=-1), ParameterError,
         "'dispersion' parameter of NegBinCost"),
        (lambda: regression.fit_waves(SERIES, THREE, "gauss"), ParameterError,
         "'family' parameter of fit_waves must be one of 'auto', 'poisson', 'negbin'. Got 'gauss'"),
        (lambda: regression.fit_waves(SERIES, THREE, "poisson", "zigzag"), ParameterError,
         "'shape' parameter of fit_waves must be one of 'step', 'trend', 'broken_stick'. "
         "Got 'zigzag'"),
        (lambda: regression.fit_waves(SERIES, THREE, method="x"), ParameterError, "'method'"),
        (lambda: regression.fit_waves(SERIES, THREE, confidence=1.5), ParameterError,
         r"'confidence' parameter of fit_waves must be a number strictly between 0 and 1\. "
         r"Got 1\.5"),
        (lambda: regression.fit_waves(SERIES, "nonexistent"), DefinitionError,
         "No wave definition named 'nonexistent'"),
        (lambda: regression.fit_waves(SERIES, 3), TypeError, "WaveDefinition or a registry"),
        (lambda: regression.fit_waves(COUNTS, THREE), TypeError,
         "'series' parameter of fit_waves must be a CountSeries. Got list"),
        (lambda: regression.fit_waves(pd.DataFrame({"a": [1]}), THREE), TypeError,
         "must be a CountSeries. Got DataFrame"),
        (lambda: regression.best_segmentation(SERIES, 1), ParameterError,
         "'n_phases' .* int >= 2. Got 1"),
        (lambda: regression.best_segmentation(SERIES, 1.5), TypeError, "must be an int"),
        (lambda: infer.compare_waves(SERIES, []), ParameterError, "at least one definition"),
        (lambda: infer.directional_tests("abc"), TypeError, "must be a WaveFit. Got str"),
        (lambda: infer.test_direction(None, "a", "b"), TypeError, "must be a WaveFit"),
        (lambda: inference.test_resurgence(COUNTS, family="gauss", n_boot=NB, seed=1),
         ParameterError, "'family' parameter of test_resurgence"),
        (lambda: inference.test_resurgence(COUNTS, n_boot=0, seed=1), ParameterError,
         "'n_boot' parameter of test_resurgence must be an int >= 1. Got 0"),
        (lambda: inference.test_resurgence(COUNTS, n_boot=NB, seed=None), TypeError,
         "'seed' parameter of test_resurgence"),
        (lambda: inference.test_resurgence(COUNTS, min_decline=1.5, n_boot=NB, seed=1),
         ParameterError, "'min_decline' .* Got 1.5"),
        (lambda: inference.test_resurgence(COUNTS, measure="x", n_boot=NB, seed=1),
         ParameterError, "applies to a CountSeries only"),
        (lambda: inference.power([10, 5, 10, 5], level=1.5, n_sim=3, n_boot=NB, seed=1),
         ParameterError, "'level' parameter of power must be a number strictly between 0 and 1"),
        (lambda: inference.power([10, 5, 10, 5], n_sim=0, n_boot=NB, seed=1),
         ParameterError, "'n_sim' parameter of power"),
        (lambda: inference.power([10, 5, 10, 5], tests=["x"], n_sim=3, n_boot=NB, seed=1),
         ParameterError, "'tests' parameter of power"),
        (lambda: simulate.simulate_counts([1.0], family="negbin", seed=1), ParameterError,
         "required for family='negbin'"),
        (lambda: simulate.simulate_counts([1.0], n=0, seed=1), ParameterError, "'n' parameter"),
        (lambda: simulate.flat(0), ParameterError, "'n_periods' parameter of flat"),
        (lambda: simulate.flat(3, rate=-1), ParameterError, "'rate' parameter of flat"),
    ],
)  # fmt: skip
def test_bad_parameters(call, cls: type, match: str) -> None:
    with pytest.raises(cls, match=match):
        call()


def test_direction_needs_two_phases() -> None:
    fit = regression.fit_waves(SERIES, THREE)
    with pytest.raises(DefinitionError, match=r"two different phases\. Got lower=upper='decline'"):
        infer.test_direction(fit, "decline", "decline")
    with pytest.raises(DefinitionError, match="No phase named 'x'"):
        infer.test_direction(fit, "x", "decline")
    with pytest.raises(DefinitionError, match="needs 2 directions"):
        infer.directional_tests(fit, ["zigzag"])


def test_costs_signal_errors() -> None:
    with pytest.raises(CountError, match=r"PoissonCost\.fit expects .*not numbers"):
        costs.PoissonCost().fit({"a": 1})
    with pytest.raises(CountError, match=r"shape \(n,\) or \(n, 1\).*Got shape \(\)"):
        costs.NegBinCost().fit(None)
    # (count, exposure) columns are a documented layout, validated as such
    with pytest.raises(ExposureError, match="positive finite"):
        costs.PoissonCost().fit(np.array([[1.0, 0.0], [2.0, 1.0]]))


# ====================================================================== definitions
@pytest.mark.parametrize(
    ("call", "cls", "match"),
    [
        (lambda: Phase("a", 2012, 2010), DefinitionError, r"ends \(2010\) before it starts"),
        (lambda: Phase("", 2010, 2012), DefinitionError, "non-empty name"),
        (lambda: Phase("a", "abc", 2012), DefinitionError, "calendar year .*Got 'abc'"),
        (lambda: Phase("a", 2010, "2012-03"), DefinitionError, "mixes a year and a month"),
        (lambda: WaveDefinition("x", ()), DefinitionError, "at least one phase. Got none"),
        (lambda: WaveDefinition("x", (Phase("a", 2010, 2013), Phase("b", 2012, 2015))),
         DefinitionError, "overlap"),
        (lambda: WaveDefinition("x", (Phase("a", 2010, 2011), Phase("b", 2013, 2015))),
         DefinitionError, "leave a gap: 2012"),
        (lambda: WaveDefinition("x", (Phase("b", 2012, 2015), Phase("a", 2010, 2011))),
         DefinitionError, r"calendar order. Got 'a' \(2010–2011\) after 'b' \(2012–2015\)"),
        (lambda: WaveDefinition("x", (Phase("a", 2010, 2011), Phase("a", 2012, 2015))),
         DefinitionError, "distinct"),
        (lambda: WaveDefinition("x", "abc"), TypeError, "must be Phase objects. Got str"),
        (lambda: WaveDefinition.from_breaks("x", [2014, 2014]), DefinitionError,
         "increase strictly. Got 2014 after 2014"),
        (lambda: WaveDefinition.from_breaks("x", [2016, 2014]), DefinitionError,
         "increase strictly"),
        (lambda: WaveDefinition.from_breaks("x", "2014"), TypeError,
         "sequence of first periods .*Got the string '2014'"),
        (lambda: WaveDefinition.from_breaks("x", [np.nan]), DefinitionError, "Got nan"),
        (lambda: Reading("clashes", origin="abc"), TypeError,
         "'origin' parameter of Reading must be an int. Got 'abc'"),
        (lambda: Reading("clashes", placements="abc"), TypeError,
         "sequence of Placement. Got 'abc'"),
        (lambda: Reading("clashes", placements=("x",)), TypeError, "Placement objects. Got str"),
        (lambda: Reading("zz"), ParameterError, "'question' parameter of Reading"),
    ],
)  # fmt: skip
def test_bad_definitions(call, cls: type, match: str) -> None:
    with pytest.raises(cls, match=match):
        call()


def test_reading_accepts_placements_and_origin() -> None:
    r = Reading("clashes", origin=np.int64(2015), placements=[Placement("k", 2016)])
    assert r.placements == (Placement("k", 2016),)


# ====================================================================== unaltered input
C = np.array(COUNTS)
E = np.array([1.0] * 11 + [0.5])

ARRAY_CALLS = {
    "detect": lambda y, e: cp.detect(y, exposure=e, years=YEARS),
    "detect_negbin": lambda y, e: cp.detect(y, exposure=e, family="negbin", n_changes=2),
    "segment_path": lambda y, e: cp.segment_path(y, exposure=e),
    "test_change": lambda y, e: cp.test_change(y, exposure=e, n_boot=NB, seed=1),
    "posterior_changes": lambda y, e: cp.posterior_changes(y, exposure=e),
    "estimate_alpha": lambda y, e: costs.estimate_alpha(y, e),
    "test_resurgence": lambda y, e: inference.test_resurgence(y, exposure=e, n_boot=NB, seed=1),
    "simulate_counts": lambda y, e: simulate.simulate_counts(y, exposure=e, seed=1),
    "simulate_series": lambda y, e: simulate.simulate_series(y, exposure=e, seed=1),
    "power": lambda y, e: inference.power(y, exposure=e, n_sim=3, n_boot=NB, seed=1),
    "from_counts": lambda y, e: CountSeries.from_counts(YEARS, y, e),
}


@pytest.mark.parametrize("kind", ["numpy", "pandas"])
@pytest.mark.parametrize("func", list(ARRAY_CALLS), ids=list(ARRAY_CALLS))
def test_inputs_unaltered(func: str, kind: str) -> None:
    if kind == "numpy":
        y, e = C.copy(), E.copy()
    else:  # non-default (and non-matching) indexes: positions are what count
        y = pd.Series(C, index=np.array(YEARS) * 10)
        e = pd.Series(E, index=YEARS[::-1])
    y0, e0 = y.copy(), e.copy()
    ARRAY_CALLS[func](y, e)
    np.testing.assert_array_equal(np.asarray(y), np.asarray(y0))
    np.testing.assert_array_equal(np.asarray(e), np.asarray(e0))
    if kind == "pandas":
        assert y.index.equals(y0.index) and e.index.equals(e0.index)
        assert y.dtype == y0.dtype and e.dtype == e0.dtype
    else:
        assert y.flags.writeable and e.flags.writeable


@pytest.mark.parametrize("func", ["detect", "test_change", "test_resurgence", "from_counts"])
def test_pandas_index_is_positional(func: str) -> None:
    """A Series index never reorders or drops counts: results equal the numpy ones."""
    shuffled = pd.Series(C, index=np.arange(12)[::-1])
    if func == "detect":
        assert cp.detect(shuffled, years=YEARS).breaks == cp.detect(C, years=YEARS).breaks
    elif func == "test_change":
        a = cp.test_change(shuffled, n_boot=NB, seed=3)
        b = cp.test_change(C, n_boot=NB, seed=3)
        assert (a.statistic, a.p_value) == (b.statistic, b.p_value)
    elif func == "test_resurgence":
        a = inference.test_resurgence(shuffled, n_boot=NB, seed=3)
        b = inference.test_resurgence(C, n_boot=NB, seed=3)
        assert (a.statistic, a.p_value) == (b.statistic, b.p_value)
    else:
        assert CountSeries.from_counts(YEARS, shuffled).counts.tolist() == COUNTS


def test_series_and_definitions_unaltered() -> None:
    s = CountSeries.from_counts(YEARS, COUNTS, E, name="toy")
    s0 = copy.deepcopy(s)
    d0 = copy.deepcopy(ABC)
    seg = cp.detect(s, n_changes=2)
    cp.break_intervals(seg, n_boot=NB, seed=1)
    cp.test_change(s, n_boot=NB, seed=1)
    cp.posterior_changes(s)
    inference.test_resurgence(s, n_boot=NB, seed=1)
    for family in ("poisson", "negbin"):
        for shape in ("step", "trend", "broken_stick"):
            fit = regression.fit_waves(s, ABC, family, shape)
            infer.directional_tests(fit, ["down", "up"])
    regression.best_segmentation(s, 3)
    infer.compare_waves(s, [ABC], loo=True)
    assert s == s0 and s.name == s0.name
    assert ABC == d0
    # the series' arrays cannot be written through
    with pytest.raises(ValueError, match="read-only"):
        s.low[0] = 99


def test_frame_unaltered() -> None:
    frame = pd.DataFrame({"Year": YEARS, "Count": COUNTS}, index=np.arange(12) * 7)
    before = frame.copy()
    CountSeries.from_frame(frame)
    pd.testing.assert_frame_equal(frame, before)


# ====================================================================== every error is ours
def test_every_error_above_is_a_lifecycle_error() -> None:
    """The classes used in this file are LifecycleErrors (and ValueErrors for values)."""
    for cls in (AllZeroError, CountError, DefinitionError, EmptySeriesError, EvidenceError,
                ExposureError, FileFormatError, GridError, IntervalError, ParameterError,
                TooShortError):  # fmt: skip
        assert issubclass(cls, LifecycleError) and issubclass(cls, ValueError)
    assert issubclass(FitError, LifecycleError)


# ====================================================================== inference
@pytest.mark.parametrize(
    ("years", "match"),
    [
        ([2010, 2010, *YEARS[2:]], "2010 twice"),
        ([2011, 2010, *YEARS[2:]], "calendar order"),
        ([*YEARS[:-1], 2030], "gaps"),
    ],
    ids=["duplicate", "unsorted", "gap"],
)
def test_resurgence_bad_years(years: list, match: str) -> None:
    with pytest.raises(GridError, match=match):
        inference.test_resurgence(COUNTS, years=years, n_boot=NB, seed=1)


def test_power_takes_one_test_name_and_refuses_all_zero_rates() -> None:
    res = inference.power([5, 9, 3, 8], tests="resurgence", n_sim=20, method="warp", seed=1)
    assert list(res.summary()["test"]) == ["resurgence"]
    with pytest.raises(AllZeroError, match="all-zero curve"):
        inference.power([0, 0, 0, 0], n_sim=20, method="warp", seed=1)
    with pytest.raises(ParameterError, match="of power"):
        inference.power([5, 9, 3, 8], family="negbin", dispersion=-1, n_sim=20, seed=1)

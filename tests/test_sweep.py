"""Tests of lifecycle.sweep: one analysis over many series, locally and on Dask."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from lifecycle._core.errors import (
    AllZeroError,
    ApproximationWarning,
    EmptySeriesError,
    ParameterError,
    TooShortError,
)
from lifecycle._core.results import bootstrap_pvalue
from lifecycle.series.countseries import CountSeries
from lifecycle.sweep import RESERVED_COLUMNS, series_seed, sweep


# ---------------------------------------------------------------------- a small analysis
def toy(series: CountSeries, seed: int, *, n_boot: int = 49) -> dict:
    """Parametric bootstrap of 'the last count is high' under a constant Poisson rate."""
    counts = series.counts
    if counts.size < 3:
        raise TooShortError(f"toy needs at least 3 periods. Got {counts.size}.")
    if counts.sum() == 0:
        raise AllZeroError("toy cannot fit a rate to a series of zeros.")
    rng = np.random.default_rng(seed)
    boot = rng.poisson(counts.mean(), size=n_boot)
    return {
        "total": float(counts.sum()),
        "draw": int(rng.integers(0, 1_000_000)),
        "p_value": bootstrap_pvalue(float(counts[-1]), boot),
    }


def toy_rows(series: CountSeries, seed: int) -> pd.DataFrame:
    """Several rows per series, one of them with a reserved column name."""
    return pd.DataFrame({"year": series.labels, "count": series.counts, "status": "mine"})


def toy_warns(series: CountSeries, seed: int) -> dict:
    warnings.warn("rough", ApproximationWarning, stacklevel=2)
    warnings.warn("rough", ApproximationWarning, stacklevel=2)
    return {"n": len(series)}


def toy_warns_some(series: CountSeries, seed: int) -> dict:
    """Warns for every other group, after a little work."""
    draws = np.random.default_rng(seed).poisson(5.0, size=20_000).sum()
    if series.name.startswith("g") and int(series.name[1:]) % 2:
        warnings.warn("odd g", ApproximationWarning, stacklevel=2)
    return {"draws": int(draws)}


def toy_bug(series: CountSeries, seed: int) -> dict:
    if series.name == "g03":
        return {"ratio": 1 / 0}
    return {"ratio": 1.0}


def toy_bad_return(series: CountSeries, seed: int) -> int:
    return 3


def make_groups(n: int = 20, seed: int = 7) -> dict[str, CountSeries]:
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n):
        length = int(rng.integers(5, 15))
        counts = rng.poisson(rng.uniform(1, 30), size=length)
        out[f"g{i:02d}"] = CountSeries.from_counts(
            range(2000, 2000 + length), counts, name=f"g{i:02d}"
        )
    return out


@pytest.fixture(scope="module")
def groups() -> dict[str, CountSeries]:
    g = make_groups()
    g["short"] = CountSeries.from_counts([2010, 2011], [4, 5], name="short")
    g["zeros"] = CountSeries.from_counts(range(2010, 2016), [0] * 6, name="zeros")
    return g


@pytest.fixture(scope="module")
def reference(groups) -> pd.DataFrame:
    return sweep(groups, toy, seed=11, progress=False)


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        yield cluster


# ---------------------------------------------------------------------- results
class TestResults:
    def test_rows_in_input_order_with_meta_columns(self, groups, reference):
        assert reference["series"].tolist() == list(groups)
        assert list(reference.columns[: len(RESERVED_COLUMNS)]) == list(RESERVED_COLUMNS)
        assert reference.columns[len(RESERVED_COLUMNS) :].tolist() == ["total", "draw", "p_value"]

    def test_each_row_reproduces_alone(self, groups, reference):
        for row in reference.itertuples():
            assert row.seed == series_seed(11, row.series)
            if row.status == "ok":
                direct = toy(groups[row.series], row.seed)
                assert (row.total, row.draw, row.p_value) == (
                    direct["total"],
                    direct["draw"],
                    direct["p_value"],
                )

    def test_failures_are_recorded_with_their_error(self, reference):
        bad = reference.set_index("series").loc[["short", "zeros"]]
        assert bad["status"].tolist() == ["error", "error"]
        assert bad["error_type"].tolist() == ["TooShortError", "AllZeroError"]
        assert bad.loc["short", "error"] == "toy needs at least 3 periods. Got 2."
        assert bad.loc["zeros", "error"] == "toy cannot fit a rate to a series of zeros."
        assert bad[["total", "draw", "p_value"]].isna().all().all()
        good = reference[~reference["series"].isin(["short", "zeros"])]
        assert (good["status"] == "ok").all()
        assert good["error_type"].isna().all() and good["error"].isna().all()
        assert good["p_value"].between(0.02, 1).all()

    def test_failures_do_not_affect_the_others(self, groups, reference):
        clean = {k: v for k, v in groups.items() if k not in ("short", "zeros")}
        alone = sweep(clean, toy, seed=11, progress=False)
        ok = reference[reference["status"] == "ok"].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, ok, check_dtype=False)

    def test_result_of_a_series_ignores_the_others_and_their_order(self, groups, reference):
        names = ["g05", "zeros", "g01"]
        subset = sweep({k: groups[k] for k in names}, toy, seed=11, progress=False)
        expected = reference.set_index("series").loc[names].reset_index()
        pd.testing.assert_frame_equal(subset, expected, check_dtype=False)
        backwards = sweep(dict(reversed(list(groups.items()))), toy, seed=11, progress=False)
        pd.testing.assert_frame_equal(
            backwards.iloc[::-1].reset_index(drop=True), reference, check_dtype=False
        )

    def test_other_seed_other_numbers(self, groups, reference):
        other = sweep(groups, toy, seed=12, progress=False)
        ok = reference["status"] == "ok"
        assert (other.loc[ok, "draw"] != reference.loc[ok, "draw"]).all()

    def test_options_reach_the_analysis(self, groups):
        out = sweep({"g00": groups["g00"]}, toy, seed=11, progress=False, n_boot=9)
        direct = toy(groups["g00"], series_seed(11, "g00"), n_boot=9)
        assert out.loc[0, "p_value"] == direct["p_value"]
        assert direct["p_value"] != toy(groups["g00"], series_seed(11, "g00"))["p_value"]

    def test_iterable_of_named_series(self, groups, reference):
        out = sweep(list(groups.values()), toy, seed=11, progress=False)
        pd.testing.assert_frame_equal(out, reference)

    def test_several_rows_per_series_and_reserved_names(self, groups):
        out = sweep(
            {"g00": groups["g00"], "short": groups["short"]}, toy_rows, seed=0, progress=False
        )
        n0 = len(groups["g00"])
        assert out["series"].tolist() == ["g00"] * n0 + ["short"] * 2
        assert out["year"].tolist()[:n0] == groups["g00"].labels
        assert (out["status"] == "ok").all() and (out["analysis_status"] == "mine").all()

    def test_warnings_kept_once_per_series(self, groups):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # none may escape the sweep
            out = sweep({"g00": groups["g00"]}, toy_warns, seed=0, progress=False)
        assert out.loc[0, "warnings"] == "ApproximationWarning: rough"
        assert out.loc[0, "status"] == "ok"

    def test_any_exception_is_recorded(self, groups):
        out = sweep({k: groups[k] for k in ("g02", "g03", "g04")}, toy_bug, seed=0, progress=False)
        assert out["status"].tolist() == ["ok", "error", "ok"]
        assert out.loc[1, "error_type"] == "ZeroDivisionError"
        assert out.loc[1, "error"] == "division by zero"
        assert out["ratio"].tolist()[::2] == [1.0, 1.0]

    def test_bad_return_value_is_recorded(self, groups):
        out = sweep({"g00": groups["g00"]}, toy_bad_return, seed=0, progress=False)
        assert out.loc[0, "error_type"] == "TypeError"
        assert "must return a dict" in out.loc[0, "error"]

    def test_series_seed_is_name_keyed(self):
        expected = np.random.SeedSequence(3, spawn_key=(series_seed.__globals__["_name_key"]("A"),))
        assert series_seed(3, "A") == int(expected.generate_state(1, np.uint64)[0] >> np.uint64(1))
        assert len({series_seed(3, f"g{i}") for i in range(1000)}) == 1000
        assert 0 <= series_seed(0, "") < 2**63


# ---------------------------------------------------------------------- execution
class TestExecution:
    @pytest.mark.parametrize("chunk_size", [1, 3, 100])
    def test_chunk_size_changes_nothing(self, groups, reference, chunk_size):
        out = sweep(groups, toy, seed=11, progress=False, chunk_size=chunk_size)
        pd.testing.assert_frame_equal(out, reference)

    def test_two_processes_give_identical_results(self, groups, reference):
        out = sweep(groups, toy, seed=11, n_jobs=2, chunk_size=4, progress=False)
        pd.testing.assert_frame_equal(out, reference)

    def test_dask_local_cluster_gives_identical_results(self, groups, reference, dask_cluster):
        distributed = pytest.importorskip("distributed")
        with distributed.Client(dask_cluster, set_as_default=False) as client:
            out = sweep(groups, toy, seed=11, client=client, chunk_size=5, progress=False)
        by_address = sweep(
            groups, toy, seed=11, scheduler=dask_cluster.scheduler_address, progress=False
        )
        pd.testing.assert_frame_equal(out, reference)
        pd.testing.assert_frame_equal(by_address, reference)

    def test_threaded_dask_workers_keep_warnings_per_series(self, groups):
        distributed = pytest.importorskip("distributed")
        expected = sweep(groups, toy_warns_some, seed=1, progress=False)
        assert expected["warnings"].tolist().count("ApproximationWarning: odd g") == 10
        with (
            distributed.LocalCluster(
                n_workers=1, threads_per_worker=4, processes=False, dashboard_address=":0"
            ) as cluster,
            distributed.Client(cluster, set_as_default=False) as client,
        ):
            out = sweep(groups, toy_warns_some, seed=1, client=client, chunk_size=1, progress=False)
        pd.testing.assert_frame_equal(out, expected)

    def test_progress_bar_on_stderr_only_when_asked(self, groups, capsys):
        sweep(groups, toy, seed=11, progress=False)
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err == ""
        sweep(groups, toy, seed=11, progress=True)
        captured = capsys.readouterr()
        assert captured.out == ""
        assert f"{len(groups)}/{len(groups)}" in captured.err and "sweep" in captured.err

    def test_parquet_round_trip(self, groups, reference, tmp_path):
        path = tmp_path / "sweep.parquet"
        out = sweep(groups, toy, seed=11, progress=False, parquet=path)
        back = pd.read_parquet(path)
        pd.testing.assert_frame_equal(out, reference)
        pd.testing.assert_frame_equal(back, reference, check_dtype=False)

    def test_parquet_mixed_object_column(self, groups, tmp_path):
        path = tmp_path / "rows.parquet"
        out = sweep(
            {"g00": groups["g00"]},
            lambda s, seed: [{"x": 1}, {"x": "a"}],
            seed=0,
            progress=False,
            parquet=path,
        )
        assert out["x"].tolist() == [1, "a"]
        assert pd.read_parquet(path)["x"].tolist() == ["1", "a"]

    def test_parquet_needs_pyarrow(self, groups, tmp_path, monkeypatch):
        monkeypatch.setitem(sys.modules, "pyarrow", None)
        with pytest.raises(ImportError, match=r"lifecycle\[parquet\]"):
            sweep(
                {"g00": groups["g00"]}, toy, seed=0, progress=False, parquet=tmp_path / "x.parquet"
            )

    def test_dask_needs_distributed(self, groups, monkeypatch):
        monkeypatch.setitem(sys.modules, "distributed", None)
        with pytest.raises(ImportError, match=r"lifecycle\[distributed\]"):
            sweep(
                {"g00": groups["g00"]}, toy, seed=0, progress=False, scheduler="tcp://127.0.0.1:1"
            )


# ---------------------------------------------------------------------- bad parameters
class TestBadParameters:
    @pytest.mark.parametrize("n_jobs", [0, -1000])
    def test_n_jobs(self, groups, n_jobs):
        with pytest.raises(ParameterError, match=rf"'n_jobs' parameter of sweep .* Got {n_jobs}"):
            sweep(groups, toy, seed=0, n_jobs=n_jobs)

    def test_n_jobs_type(self, groups):
        with pytest.raises(TypeError, match=r"'n_jobs' parameter of sweep must be an int"):
            sweep(groups, toy, seed=0, n_jobs=1.5)

    def test_unknown_analysis(self, groups):
        with pytest.raises(
            ParameterError, match=r"'analysis' parameter of sweep must be one of 'resurgence'"
        ):
            sweep(groups, "resurrection", seed=0)

    def test_analysis_type(self, groups):
        with pytest.raises(TypeError, match=r"name or a callable .* Got int"):
            sweep(groups, 3, seed=0)

    def test_options_the_analysis_does_not_take(self, groups):
        with pytest.raises(
            ParameterError, match=r"options \['nboot'\] do not fit the analysis toy"
        ):
            sweep(groups, toy, seed=0, nboot=99)

    def test_seed(self, groups):
        with pytest.raises(ParameterError, match=r"'seed' parameter of sweep must be an int >= 0"):
            sweep(groups, toy, seed=-1)
        with pytest.raises(TypeError, match=r"'seed' parameter of sweep must be an int"):
            sweep(groups, toy, seed=None)

    def test_chunk_size(self, groups):
        with pytest.raises(ParameterError, match=r"'chunk_size' parameter of sweep .* Got 0"):
            sweep(groups, toy, seed=0, chunk_size=0)

    def test_progress(self, groups):
        with pytest.raises(TypeError, match=r"'progress' parameter of sweep must be a bool"):
            sweep(groups, toy, seed=0, progress="yes")

    def test_empty(self):
        with pytest.raises(EmptySeriesError, match="holds no series"):
            sweep({}, toy, seed=0)

    def test_duplicate_names(self, groups):
        twice = [groups["g00"], groups["g00"]]
        with pytest.raises(ParameterError, match=r"unique .* Got 'g00' twice"):
            sweep(twice, toy, seed=0)

    def test_names_and_items(self, groups):
        with pytest.raises(TypeError, match=r"non-empty str name .* Got ''"):
            sweep([CountSeries.from_counts([2000], [1])], toy, seed=0)
        with pytest.raises(TypeError, match=r"non-empty str name .* Got 3"):
            sweep({3: groups["g00"]}, toy, seed=0)
        with pytest.raises(TypeError, match=r"series 'a' must be a CountSeries\. Got list"):
            sweep({"a": [1, 2]}, toy, seed=0)
        with pytest.raises(TypeError, match=r"must hold CountSeries\. Got an item of type int"):
            sweep([1, 2], toy, seed=0)
        with pytest.raises(TypeError, match=r"Got a single CountSeries"):
            sweep(groups["g00"], toy, seed=0)
        with pytest.raises(TypeError, match=r"mapping name -> CountSeries .* Got int"):
            sweep(5, toy, seed=0)

    def test_dask_arguments(self, groups):
        with pytest.raises(ParameterError, match="either 'client' or 'scheduler'"):
            sweep(groups, toy, seed=0, client=object(), scheduler="tcp://x:1")
        with pytest.raises(ParameterError, match=r"Leave n_jobs=1\. Got 2"):
            sweep(groups, toy, seed=0, scheduler="tcp://x:1", n_jobs=2)
        with pytest.raises(TypeError, match=r"must be a dask.distributed.Client\. Got object"):
            sweep(groups, toy, seed=0, client=object())
        with pytest.raises(TypeError, match=r"'scheduler' parameter of sweep must be an address"):
            sweep(groups, toy, seed=0, scheduler=8786)


# ---------------------------------------------------------------------- series per group
GTD_ROWS = [
    # eventid, iyear, imonth, iday, country_txt, gname, gname2
    ("201001010001", 2010, 3, 4, "Afghanistan", "Alpha", ""),
    ("201001010002", 2010, 7, 0, "Afghanistan", "Alpha", "Gamma"),
    ("201101010001", 2011, 0, 0, "Pakistan", "Alpha", ""),
    ("201301010001", 2013, 5, 5, "Afghanistan", "Alpha", ""),
    ("201301010002", 2013, 6, 5, "Afghanistan", "Alpha", ""),
    ("201201010001", 2012, 1, 2, "Iraq", "Beta", ""),
    ("201401010001", 2014, 2, 2, "Iraq", "Beta", ""),
    ("201101010002", 2011, 1, 1, "Iraq", "Unknown", ""),
    ("201201010002", 2012, 1, 1, "Iraq", "Unknown", ""),
    ("201201010003", 2012, 2, 1, "Iraq", "Unknown", ""),
    ("201401010002", 2014, 6, 30, "Iraq", "Unknown", ""),
]


@pytest.fixture(scope="module")
def gtd_table(tmp_path_factory):
    from lifecycle.events import read_gtd

    path = tmp_path_factory.mktemp("gtd") / "gtd.csv"
    header = "eventid,iyear,imonth,iday,country_txt,gname,gname2\n"
    path.write_text(header + "".join(",".join(map(str, r)) + "\n" for r in GTD_ROWS))
    return read_gtd(path)


class TestSeriesByGroup:
    def test_groups_with_enough_events_largest_first(self, gtd_table):
        from lifecycle.sweep import series_by_group

        out = series_by_group(gtd_table, min_events=2)
        assert list(out) == ["Alpha", "Unknown", "Beta"]
        assert list(series_by_group(gtd_table, min_events=3, exclude=["Unknown"])) == ["Alpha"]
        assert out["Alpha"].name == "Alpha"

    def test_same_series_as_filtering_the_table(self, gtd_table):
        from lifecycle.events import events_to_series, filter_events
        from lifecycle.sweep import series_by_group

        out = series_by_group(gtd_table, min_events=1)
        for group in ("Alpha", "Beta"):
            expected = events_to_series(filter_events(gtd_table, actor=group))
            assert out[group] == expected
        alpha = out["Alpha"]
        # Alpha: 2 events in 2010, 1 in 2011, 0 in 2012, 2 in 2013, 0 in 2014 (data end 2014-06-30)
        assert alpha.labels == [2010, 2011, 2012, 2013, 2014]
        assert alpha.counts.tolist() == [2, 1, 0, 2, 0]
        assert alpha.exposure[-1] == pytest.approx(181 / 365)

    def test_all_actor_fields_count_second_groups(self, gtd_table):
        from lifecycle.sweep import series_by_group

        primary = series_by_group(gtd_table, min_events=1)
        every = series_by_group(gtd_table, min_events=1, actor_fields="all")
        assert "Gamma" not in primary
        assert every["Gamma"].counts.tolist() == [1, 0, 0, 0, 0]
        assert every["Alpha"] == primary["Alpha"]

    def test_monthly_series_warn_once_for_coarse_dates(self, gtd_table):
        from lifecycle._core.errors import LifecycleWarning
        from lifecycle.sweep import series_by_group

        with pytest.warns(LifecycleWarning, match=r"Events of 1 groups were left out .*'Alpha'"):
            out = series_by_group(gtd_table, min_events=5, freq="month")
        assert out["Alpha"].counts.sum() == 4

    def test_sweep_over_groups(self, gtd_table):
        from lifecycle.sweep import series_by_group

        groups = series_by_group(gtd_table, min_events=2, exclude=["Unknown"])
        out = sweep(groups, toy, seed=3, progress=False)
        assert out["series"].tolist() == ["Alpha", "Beta"]
        assert out["total"].tolist() == [5.0, 2.0]
        assert out["status"].tolist() == ["ok", "ok"]

    def test_bad_parameters(self, gtd_table):
        from lifecycle.sweep import series_by_group

        with pytest.raises(TypeError, match=r"'table' parameter of series_by_group must be an"):
            series_by_group({"a": 1})
        with pytest.raises(ParameterError, match=r"'min_events' .* int >= 1\. Got 0"):
            series_by_group(gtd_table, min_events=0)
        with pytest.raises(ParameterError, match=r"'actor_fields' .* Got 'both'"):
            series_by_group(gtd_table, actor_fields="both")
        with pytest.raises(ParameterError, match=r"'measure' .* Got 'deaths'"):
            series_by_group(gtd_table, measure="deaths")
        with pytest.raises(TypeError, match=r"list of names\. Got the str 'Unknown'"):
            series_by_group(gtd_table, exclude="Unknown")
        with pytest.raises(EmptySeriesError, match=r"min_events=6 .* \(the largest has 5\)"):
            series_by_group(gtd_table, min_events=6)


# ---------------------------------------------------------------------- real analyses
@pytest.fixture(scope="module")
def resurgence(groups) -> pd.DataFrame:
    return sweep(groups, "resurgence", seed=5, progress=False, n_boot=19)


class TestResurgenceSweep:
    def test_rows_equal_direct_calls(self, groups, resurgence):
        from lifecycle.inference.resurgence import test_resurgence

        assert "analysis_seed" not in resurgence.columns  # the test's own seed is ours
        ok = resurgence[resurgence["status"] == "ok"]
        assert len(ok) == len(groups) - 2
        for row in ok.itertuples():
            direct = test_resurgence(groups[row.series], n_boot=19, seed=row.seed)
            assert (row.statistic, row.p_value) == (direct.statistic, direct.p_value)
            assert row.n_boot == 19

    def test_too_short_and_all_zero_recorded(self, resurgence):
        bad = resurgence.set_index("series").loc[["short", "zeros"]]
        assert bad["error_type"].tolist() == ["TooShortError", "AllZeroError"]
        assert bad.loc["short", "error"].startswith("test_resurgence needs at least 3")
        assert bad.loc["zeros", "error"].startswith("test_resurgence needs at least one non-zero")
        assert bad["p_value"].isna().all()

    def test_identical_with_two_processes_and_dask(self, groups, resurgence, dask_cluster):
        distributed = pytest.importorskip("distributed")
        two = sweep(groups, "resurgence", seed=5, n_jobs=2, progress=False, n_boot=19)
        with distributed.Client(dask_cluster, set_as_default=False) as client:
            on_dask = sweep(groups, "resurgence", seed=5, client=client, progress=False, n_boot=19)
        pd.testing.assert_frame_equal(two, resurgence)
        pd.testing.assert_frame_equal(on_dask, resurgence)

    def test_options_checked_against_the_test(self, groups):
        with pytest.raises(
            ParameterError,
            match=r"options \['nboot'\] do not fit the analysis "
            r"lifecycle\.inference\.test_resurgence",
        ):
            sweep(groups, "resurgence", seed=0, nboot=9)

    def test_parquet_round_trip_of_a_real_table(self, resurgence, tmp_path):
        from lifecycle.sweep import _write_parquet

        path = tmp_path / "resurgence.parquet"
        _write_parquet(resurgence, path)
        back = pd.read_parquet(path)
        assert back.columns.tolist() == resurgence.columns.tolist()
        pd.testing.assert_series_equal(back["p_value"], resurgence["p_value"])
        assert back["error_type"].tolist()[-2:] == ["TooShortError", "AllZeroError"]


class TestOtherAnalyses:
    NAMES = ("g00", "g01", "g02", "short")

    def test_change_test_rows_equal_direct_calls(self, groups):
        from lifecycle.changepoints import test_change

        sub = {k: groups[k] for k in self.NAMES}
        out = sweep(sub, "changepoints", seed=2, progress=False, n_boot=19)
        assert out["series"].tolist() == list(self.NAMES)
        for row in out.itertuples():
            direct = test_change(sub[row.series], n_boot=19, seed=row.seed)
            assert (row.statistic, row.p_value) == (direct.statistic, direct.p_value)

    def test_segmentation_one_row_per_segment(self, groups):
        from lifecycle.changepoints import detect

        sub = {k: groups[k] for k in self.NAMES}
        out = sweep(sub, "segmentation", seed=2, progress=False, penalty="bic")
        for name, s in sub.items():
            rows = out[out["series"] == name].drop(columns=list(RESERVED_COLUMNS))
            expected = detect(s, penalty="bic").summary()
            pd.testing.assert_frame_equal(rows.reset_index(drop=True), expected, check_dtype=False)

    def test_waves_one_row_per_definition(self, groups):
        from lifecycle.inference import compare_waves
        from lifecycle.models.waves import CONVENTIONAL

        sub = {k: groups[k] for k in self.NAMES[:2]}
        out = sweep(sub, "waves", seed=2, progress=False, definitions=[CONVENTIONAL], loo=False)
        for name, s in sub.items():
            rows = out[out["series"] == name]
            expected = compare_waves(s, [CONVENTIONAL], loo=False).summary()
            assert rows["definition"].tolist() == expected["definition"].tolist()
            np.testing.assert_array_equal(rows["AIC"], expected["AIC"])

    def test_waves_need_definitions(self, groups):
        with pytest.raises(
            ParameterError, match=r"compare_waves.*missing a required argument: 'definitions'"
        ):
            sweep(groups, "waves", seed=0)

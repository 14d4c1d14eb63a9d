"""The report: orchestration tables, honest verdicts, CASS reproductions, byte-identical files."""

from __future__ import annotations

import math
from typing import ClassVar

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from lifecycle._core.errors import ParameterError
from lifecycle.cli.main import main
from lifecycle.evidence.tables import load_evidence
from lifecycle.models.waves import WaveDefinition
from lifecycle.report import (
    Analysis,
    analyse_evidence,
    analyse_series,
    cass_figures,
    compare_definitions,
    write_report,
)
from lifecycle.series.countseries import CountSeries

# Indicators that run in seconds; together they exercise refusals, exact series and intervals.
FAST = ["event_attacks", "clashes", "event_reach", "attacks_pakistan"]


@pytest.fixture(scope="module")
def evidence():
    return load_evidence()


@pytest.fixture(scope="module")
def fast_analysis(evidence) -> Analysis:
    return analyse_evidence(seed=11, n_boot=49, evidence=evidence, questions=FAST)


def waves_series() -> CountSeries:
    counts = [20, 60, 110, 150, 90, 40, 20, 25, 70, 130, 160, 150]
    return CountSeries.from_counts(range(2010, 2022), counts, name="toy")


class TestAnalyseEvidence:
    def test_one_row_per_indicator_reading_definition(self, fast_analysis):
        a = fast_analysis
        assert list(a.indicators["question"]) == FAST
        assert a.readings["reading_id"].is_unique
        n = dict(zip(a.indicators["indicator"], a.indicators["n_readings"], strict=True))
        per = a.readings.groupby("indicator")["reading_id"].nunique().to_dict()
        assert per == n
        # every reading has a comparison row for every definition (or its refusal)
        defs = {"cass_three_waves", "yip_weakened_rebuilt", "conventional_lifecycle"}
        for rid, g in a.comparison.groupby("reading_id"):
            assert defs <= set(g["definition"]), rid
            assert "no change" in set(g["definition"])

    def test_refusals_carry_the_reason_and_no_number(self, fast_analysis):
        comp = fast_analysis.comparison
        refused = comp[comp["status"] != "ok"]
        assert len(refused) > 0
        assert refused["status"].str.startswith("not computed: ").all()
        for col in ("loglik", "AIC", "akaike_weight"):
            assert refused[col].isna().all()
        tests = fast_analysis.tests
        nt = tests[tests["status"] != "ok"]
        assert nt["p_value"].isna().all() and nt["statistic"].isna().all()

    def test_weights_sum_to_one_per_reading(self, fast_analysis):
        ok = fast_analysis.comparison[fast_analysis.comparison["status"] == "ok"]
        for _, g in ok.groupby("reading_id"):
            w = g["akaike_weight"].astype(float)
            # rows with parameters >= observations (or undefined AICc) get no weight;
            # when every row is such, no reading has weights at all
            assert w.isna().all() or w.sum() == pytest.approx(1.0)
            assert g.loc[w.notna(), "too_many_params"].eq(False).all()
            p = g["posterior_prob"].astype(float)
            assert p.notna().any() and p.sum() == pytest.approx(1.0)

    def test_documented_attacks_are_tested(self, fast_analysis):
        t = fast_analysis.tests
        row = t[(t["indicator"] == "frequency: documented attacks (events)")
                & t["test"].str.startswith("resurgence")]  # fmt: skip
        assert len(row) == 1
        assert row["status"].iloc[0] == "ok"
        assert 0 < row["p_value"].iloc[0] <= 1
        assert row["n_obs"].iloc[0] == 7  # 2014, 2015, 2020–2024: the years the documents name

    def test_verdicts_count_readings_and_may_not_decide(self, fast_analysis):
        v = fast_analysis.verdicts.set_index("indicator")
        assert set(v.index) == set(fast_analysis.indicators["indicator"])
        clashes = v.loc["frequency: clashes"]
        assert clashes["n_readings"] == 3
        assert clashes["n_resurgence_testable"] == 0
        assert clashes["verdict"] == "the evidence cannot decide"
        assert "no reading gives a series the resurgence test can use" in clashes["in_words"]
        # clashes are counted for 2017–2018 only: no CASS phase after 2018 has a number,
        # yet CASS has a row with numbers in every reading, saying which phases are empty
        assert "cass_three_waves" not in clashes["never_fitted"].split(", ")
        comp = fast_analysis.comparison
        cass = comp[
            (comp["indicator"] == "frequency: clashes") & (comp["definition"] == "cass_three_waves")
        ]
        assert len(cass) == 3 and (cass["status"] == "ok").all()
        assert cass["posterior_prob"].astype(float).notna().all()
        assert cass["note"].str.contains("phase 'resurgence' has no data").all()

    def test_seeds_are_per_cell(self, evidence, fast_analysis):
        again = analyse_evidence(seed=11, n_boot=49, evidence=evidence, questions=["event_attacks"])
        t1 = fast_analysis.tests[fast_analysis.tests["reading_id"] == "event_attacks#01"]
        t2 = again.tests
        cols = ["test", "statistic", "p_value", "seed"]
        pd.testing.assert_frame_equal(
            t1[cols].reset_index(drop=True), t2[cols].reset_index(drop=True)
        )

    def test_bad_arguments(self, evidence):
        with pytest.raises(ParameterError, match="'questions' parameter of analyse_evidence"):
            analyse_evidence(seed=1, n_boot=9, evidence=evidence, questions=["nope"])
        with pytest.raises(ParameterError, match=r"'n_boot' parameter of analyse_evidence"):
            analyse_evidence(seed=1, n_boot=0, evidence=evidence)
        with pytest.raises(ParameterError, match="'n_jobs' parameter"):
            analyse_evidence(seed=1, n_boot=9, evidence=evidence, n_jobs=0)


class TestAnalyseSeries:
    def test_clear_resurgence_is_supported(self):
        a = analyse_series(waves_series(), seed=5, n_boot=199)
        v = a.verdicts.iloc[0]
        assert v["verdict"] == "resurgence supported"
        t = a.tests[a.tests["test"].str.startswith("resurgence")].iloc[0]
        assert t["rejects"] and t["p_value"] == pytest.approx(1 / 200)
        assert t["power"] > 0.9
        assert list(a.power["scale"]) == [1.0, 2.0, 5.0, 10.0, 20.0]

    def test_short_series_cannot_decide(self):
        s = CountSeries.from_counts([2019, 2020, 2021, 2022], [3, 1, 2, 4], name="short")
        a = analyse_series(s, seed=5, n_boot=99)
        assert a.verdicts.iloc[0]["verdict"] == "the evidence cannot decide"
        assert "little power" in a.verdicts.iloc[0]["in_words"]

    def test_user_definitions(self):
        d = WaveDefinition.from_breaks(
            "mine", [2010, 2014, 2017], names=["emergence", "decline", "resurgence"]
        )
        a = analyse_series(waves_series(), seed=5, n_boot=49, definitions=[d], family="poisson")
        ok = a.comparison[a.comparison["status"] == "ok"]
        assert "mine" in set(ok["definition"])
        dirs = a.tests[(a.tests["definition"] == "mine")]
        assert list(dirs["test"])[-1] == "all expected directions"
        assert bool(dirs["rejects"].iloc[-1])

    def test_type_error(self):
        with pytest.raises(TypeError, match="must be a CountSeries"):
            analyse_series([1, 2, 3])


class TestCompareDefinitions:
    def test_uncovered_definition_is_refused_with_reason(self):
        s = CountSeries.from_counts(range(2001, 2007), [4, 6, 1, 1, 8, 10])
        late = WaveDefinition.from_breaks("late", [2003, 2005], names=["a", "b"])
        fine = WaveDefinition.from_breaks("fine", [2001, 2003, 2005], names=["a", "b", "c"])
        comp, refused = compare_definitions(s, [late, fine])
        # nothing is refused or cut: 'late' is applied to the whole series, and says how
        assert refused == {}
        t = comp.summary().set_index("definition")
        assert set(t.index) >= {"late", "fine", "no change"}
        assert "taken back to cover 2001–2002" in t.loc["late", "note"]
        assert comp.left_out == ()


class TestCassFigures:
    def test_years_partition_and_no_invented_numbers(self, evidence):
        figs = {f.number: f for f in cass_figures(evidence)}
        assert sorted(figs) == [1, 3, 4]
        for f in figs.values():
            years = f.years_with_number + f.years_in_totals + f.years_without
            assert sorted(years) == list(range(f.first, f.last + 1))
            assert "never filled in" in f.caption
            if f.series is not None:
                ids = set(evidence.quantities["id"])
                for prov in f.series.provenance:
                    assert prov and set(prov) <= ids  # every bar traces to evidence rows
        # Figure 4 (provinces 2019–2022): the text gives no number for 2019–2021
        f4 = figs[4]
        assert (f4.first, f4.last) == (2019, 2022)
        assert {2019, 2020, 2021} <= set(f4.years_without)
        assert "2019, 2020, 2021" in f4.caption


class TestWriteReport:
    EXPECTED_TABLES: ClassVar[set[str]] = {
        "verdicts.csv", "indicators.csv", "readings.csv", "series.csv", "definitions.csv",
        "comparison.csv", "tests.csv", "changepoints.csv", "power.csv", "sources.csv",
        "evidence_quantities.csv", "evidence_events.csv", "conflicts.csv",
    }  # fmt: skip

    def test_contents(self, fast_analysis, tmp_path):
        files = write_report(fast_analysis, tmp_path)
        names = {p.relative_to(tmp_path).as_posix() for p in files}
        assert {"report.md", "report.html"} <= names
        assert {f"tables/{t}" for t in self.EXPECTED_TABLES} <= names
        stems = {n[len("figures/") :].rsplit(".", 1)[0] for n in names if n.startswith("figures/")}
        for ext in ("png", "svg"):
            assert all(f"figures/{s}.{ext}" in names for s in stems)
        assert {"cass_figure_3", "cass_figure_4", "series_event_attacks",
                "comparison_event_attacks"} <= stems  # fmt: skip
        md = (tmp_path / "report.md").read_text()
        headings = [ln for ln in md.splitlines() if ln.startswith("## ")]
        # issue 13: verdicts first, one section per indicator, then the detail
        labels = [f"## {x}" for x in fast_analysis.indicators["indicator"]]
        assert headings[: 1 + len(labels)] == ["## Verdicts", *labels]
        assert headings.index("## Evidence") < headings.index("## Readings")
        assert headings.index("## Readings") < headings.index("## Method and reproduction")
        assert "> By January 2017, the ISKP had executed 84 attacks" in md  # quotes with ids
        page = (tmp_path / "report.html").read_text()
        assert page.count("<svg") == len(stems)  # every figure embedded
        assert "<img" not in page
        # a traceable bar in the embedded CASS Figure 3: the evidence row id in the SVG
        assert 'id="obs-0-Q011"' in (tmp_path / "figures" / "cass_figure_3.svg").read_text()
        verdicts = pd.read_csv(tmp_path / "tables" / "verdicts.csv")
        assert list(verdicts["indicator"]) == list(fast_analysis.verdicts["indicator"])

    def test_refuses_other_input(self, tmp_path):
        with pytest.raises(TypeError, match="Expected an Analysis"):
            write_report({"not": "an analysis"}, tmp_path)


def test_report_twice_is_byte_identical(tmp_path, capsys):
    args = ["report", "--only", *FAST, "--bootstrap", "49", "--seed", "3", "--jobs", "1",
            "--no-progress"]  # fmt: skip
    for d in ("a", "b"):
        assert main([*args, "--out", str(tmp_path / d)]) == 0
    capsys.readouterr()
    files_a = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    files_b = sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    assert files_a == files_b
    assert len(files_a) > 20
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_no_number_is_invented_in_series_table(fast_analysis, evidence):
    """Every observation of every reading traces to evidence rows that exist."""
    ids = set(evidence.quantities["id"]) | set(evidence.events["id"])
    for prov in fast_analysis.series["provenance"]:
        got = [x for x in str(prov).split(";") if x]
        assert got and set(got) <= ids
    assert not math.isnan(float(fast_analysis.series["low"].min()))


class TestHeapFrozen:
    """write_report keeps the objects alive on entry out of the collector's passes and
    puts them back; a caller's own frozen objects stay frozen."""

    def test_frozen_inside_and_put_back(self):
        import gc

        from lifecycle.report.writer import _heap_frozen

        assert gc.get_freeze_count() == 0
        keep = [object() for _ in range(10)]
        with _heap_frozen():
            inside = gc.get_freeze_count()
        assert inside >= len(keep)
        assert gc.get_freeze_count() == 0

    def test_put_back_after_an_error(self):
        import gc

        from lifecycle.report.writer import _heap_frozen

        with pytest.raises(KeyError), _heap_frozen():
            raise KeyError("x")
        assert gc.get_freeze_count() == 0

    def test_a_callers_freeze_is_left_alone(self, monkeypatch):
        # The collector's own calls are recorded, not made: a real freeze count can
        # drop by a few objects freed meanwhile in a long test session.
        import gc

        from lifecycle.report.writer import _heap_frozen

        calls: list[str] = []
        monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
        monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
        monkeypatch.setattr(gc, "get_freeze_count", lambda: 5)  # the caller froze some
        with _heap_frozen():
            pass
        assert calls == []
        monkeypatch.setattr(gc, "get_freeze_count", lambda: 0)  # nobody froze anything
        with _heap_frozen():
            assert calls == ["freeze"]
        assert calls == ["freeze", "unfreeze"]

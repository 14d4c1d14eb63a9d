"""Readings collapsed to outcomes, and the sensitivity of each outcome to each choice (#12.9).

An exact small case built by hand (four readings, two choices, two of them giving the
same series) checks every number of the three tables; the report on fast indicators
checks that the tables are in ``report.md`` and in the CSV files.
"""

from __future__ import annotations

from dataclasses import replace

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from lifecycle.evidence.tables import load_evidence
from lifecycle.report import analyse_evidence, write_report
from lifecycle.report.outcomes import choice_sensitivity, collapsed_outcomes, reading_outcomes

IND = "toy indicator"


@pytest.fixture(scope="module")
def toy_analysis():
    """Four readings: best 'x' in 1-3 and 'y' in 4; 1 and 2 give the same series."""
    base = analyse_evidence(seed=5, n_boot=19, evidence=load_evidence(), questions=["clashes"])
    ids = [f"toy#{i}" for i in range(1, 5)]
    readings = pd.DataFrame(
        {
            "reading_id": ids,
            "indicator": IND,
            "policy": ["default", "narrow", "default", "narrow"],
            "conflict": ["a", "a", "b", "b"],
            "origin": [None] * 4,
            "placements": [""] * 4,
            "periods": [""] * 4,
        }
    )
    pp = {"toy#1": (0.7, 0.3), "toy#2": (0.6, 0.4), "toy#3": (0.55, 0.45), "toy#4": (0.2, 0.8)}
    comparison = pd.DataFrame(
        [
            {"indicator": IND, "reading_id": r, "definition": d, "status": "ok",
             "posterior_prob": p, "AIC": 10.0}
            for r, (px, py) in pp.items()
            for d, p in (("x", px), ("y", py))
        ]
    )  # fmt: skip
    tests = pd.DataFrame(
        [
            {"indicator": IND, "reading_id": r, "test": "resurgence (vs a single rise and fall)",
             "status": "ok", "rejects": r == "toy#4", "power_stated": 0.3}
            for r in ids
        ]
        + [
            {"indicator": IND, "reading_id": r, "test": "at least one change", "status": "ok",
             "rejects": True, "power_stated": None}
            for r in ids
        ]
    )  # fmt: skip
    frames = []
    for r, counts in zip(ids, ([5, 9], [5, 9], [5, 10], [6, 9]), strict=True):
        frames.append(
            pd.DataFrame({"measure": "m", "start": [2001, 2002], "end": [2001, 2002],
                          "low": counts, "high": counts, "provenance": r,
                          "reading_id": r, "indicator": IND})
        )  # fmt: skip
    indicators = pd.DataFrame(
        [{"indicator": IND, "question": "", "kind": "", "description": "", "n_readings": 4}]
    )
    return replace(
        base,
        indicators=indicators,
        readings=readings,
        comparison=comparison,
        tests=tests,
        series=pd.concat(frames, ignore_index=True),
    )


def test_reading_outcomes_exact(toy_analysis):
    per = reading_outcomes(toy_analysis, IND)
    assert list(per["reading_id"]) == ["toy#1", "toy#2", "toy#3", "toy#4"]
    # provenance aside, toy#1 and toy#2 give the same series
    assert list(per["series group"]) == [1, 1, 2, 3]
    assert list(per["highest posterior"]) == ["x", "x", "x", "y"]
    assert list(per["resurgence found"]) == ["no", "no", "no", "yes"]
    assert set(per["change of level found"]) == {"yes"}
    assert list(per["verdict"]) == ["the evidence cannot decide"] * 3 + ["resurgence supported"]


def test_collapsed_outcomes_exact(toy_analysis):
    out = collapsed_outcomes(toy_analysis, IND)
    assert len(out) == 2
    first, second = out.iloc[0], out.iloc[1]
    assert (first["highest posterior"], first["readings"], first["distinct series"]) == ("x", 3, 2)
    assert first["e.g. reading"] == "toy#1"
    # both policies and both conflict rules occur among toy#1-3: the outcome holds for any
    assert first["choices covered"] == "any"
    assert (second["highest posterior"], second["readings"], second["distinct series"]) == (
        "y", 1, 1)  # fmt: skip
    assert second["choices covered"] == "policy: narrow; conflict: b"
    assert out["readings"].sum() == 4


def test_outcomes_given_once_are_the_same(toy_analysis):
    """The report computes reading_outcomes once and passes it on: same tables."""
    per = reading_outcomes(toy_analysis, IND)
    pd.testing.assert_frame_equal(
        collapsed_outcomes(toy_analysis, IND, per_reading=per),
        collapsed_outcomes(toy_analysis, IND),
    )
    pd.testing.assert_frame_equal(
        choice_sensitivity(toy_analysis, IND, per_reading=per),
        choice_sensitivity(toy_analysis, IND),
    )


def test_choice_sensitivity_exact(toy_analysis):
    sens = choice_sensitivity(toy_analysis, IND)
    rows = {(r.choice, r.value): r for r in sens.itertuples(index=False)}
    assert set(rows) == {("policy", "default"), ("policy", "narrow"), ("conflict", "a"),
                         ("conflict", "b")}  # fmt: skip
    narrow = sens[(sens["choice"] == "policy") & (sens["value"] == "narrow")].iloc[0]
    assert narrow["n_readings"] == 2
    assert narrow["resurgence supported"] == 1
    assert narrow["the evidence cannot decide"] == 1
    assert narrow["highest posterior"] == "x 1, y 1"
    b = sens[(sens["choice"] == "conflict") & (sens["value"] == "b")].iloc[0]
    assert (b["n_readings"], b["resurgence supported"]) == (2, 1)
    # every choice partitions the readings
    for _, g in sens.groupby("choice"):
        assert g["n_readings"].sum() == 4
        assert (g["resurgence supported"] + g["the evidence cannot decide"]).sum() == 4


def test_report_shows_the_tables(tmp_path):
    a = analyse_evidence(seed=5, n_boot=19, questions=["clashes", "attacks_pakistan"])
    files = write_report(a, tmp_path / "r")
    names = {p.relative_to(tmp_path / "r").as_posix() for p in files}
    assert {"tables/outcomes.csv", "tables/sensitivity.csv"} <= names
    md = (tmp_path / "r" / "report.md").read_text()
    assert "distinct series) give" in md and "the choices each covers" in md
    assert "| choices covered |" in md
    per = pd.read_csv(tmp_path / "r" / "tables" / "outcomes.csv")
    assert len(per) == len(a.readings)
    assert set(per["reading_id"]) == set(a.readings["reading_id"])
    sens = pd.read_csv(tmp_path / "r" / "tables" / "sensitivity.csv")
    for (_ind, _choice), g in sens.groupby(["indicator", "choice"]):
        n = int(a.indicators.set_index("indicator").loc[_ind, "n_readings"])
        assert g["n_readings"].sum() == n


def test_heat_map_rows_collapse_readings_that_read_the_same():
    from lifecycle.report.figures import _distinct_weight_rows

    comp = pd.DataFrame(
        {
            "reading_id": ["r1", "r1", "r2", "r2", "r3", "r3", "r4"],
            "definition": ["x", "y", "x", "y", "x", "y", "x"],
            # r2 reads as r1 to two decimals; r3 does not; r4 has no 'y' (a dash)
            "akaike_weight": [0.301, 0.699, 0.304, 0.696, 0.31, 0.69, 1.0],
        }
    )
    rows, n = _distinct_weight_rows(comp)
    assert n == 4
    assert list(dict.fromkeys(rows["reading_id"])) == ["r1 (+1 more)", "r3", "r4"]
    # the row holds the numbers as shown (to two decimals), which both readings show
    assert list(rows.loc[rows["reading_id"] == "r1 (+1 more)", "akaike_weight"]) == [0.3, 0.7]

"""Tests of readings: qualifier policies, conflicts, repeats, placements, indicators."""

from __future__ import annotations

import dataclasses
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifecycle._core.errors import (
    ApproximationWarning,
    EmptySeriesError,
    EvidenceError,
    ParameterError,
)
from lifecycle.evidence.readings import (
    POLICIES,
    QUESTIONS,
    SELECTION_CAVEAT,
    PeriodChoice,
    Placement,
    QualifierPolicy,
    Reading,
    admissible_origins,
    admissible_placements,
    build_series,
    enumerate_readings,
    indicators,
)
from lifecycle.series.countseries import CountSeries

DATA = Path(__file__).resolve().parent.parent / "data"
INF = math.inf

# ----------------------------------------------------------------------------- synthetic
Q_COLS = [
    "id", "source_id", "fact_key", "original", "measure", "target", "region",
    "period_start", "period_start_precision", "period_end", "period_end_precision",
    "value", "qualifier", "low", "high", "unit", "quote", "context_quote", "note",
]  # fmt: skip


def q_row(id, src, key, measure, region, start, sp, end, ep, value, qual="exact", **kw):
    row = dict.fromkeys(Q_COLS, "")
    row.update(
        id=id, source_id=src, fact_key=key, measure=measure, region=region,
        period_start=start, period_start_precision=sp, period_end=end,
        period_end_precision=ep, value=str(value), qualifier=qual, unit="count",
        quote=f"quote of {id}",
    )  # fmt: skip
    row.update(kw)
    return row


def synthetic() -> dict[str, pd.DataFrame]:
    rows = [
        # a fact given by its original (A) and repeated with another value by B
        q_row("R1", "src_a", "f_conf", "attacks", "afghanistan", "2016", "year", "2016",
              "year", 10),
        q_row("R2", "src_b", "f_conf", "attacks", "afghanistan", "2016", "year", "2016",
              "year", 12, "about", original="src_a"),
        # two repeats of one original by one source: one observation
        q_row("R3", "src_a", "f_rep", "attacks", "afghanistan", "2017", "year", "2017",
              "year", 5),
        # open start ("by March 2018"): origin .. 2018-03
        q_row("R4", "src_a", "f_open", "attacks", "pakistan", "", "open", "2018-03",
              "month", 7),
        # open end ("since July 2018"): up to the source's date 2019-06
        q_row("R5", "src_b", "f_since", "clashes_taliban", "afghanistan", "2018-07",
              "month", "", "open", 40, "nearly"),
        # a change "from 40 to 7 by 2020" in one quote, and a dated level in 2019
        q_row("R6", "src_b", "f_from", "attacks_claimed", "", "", "open", "", "open", 40,
              quote="from 40 to 7 by 2020"),
        q_row("R7", "src_b", "f_to", "attacks_claimed", "", "", "open", "2020", "year", 7,
              quote="from 40 to 7 by 2020"),
        q_row("R8", "src_b", "f_2019", "attacks_claimed", "", "2019", "year", "2019",
              "year", 30),
        # not counts, or not attacks: never selected
        q_row("R9", "src_b", "f_share", "attacks", "afghanistan", "2019", "year", "2019",
              "year", 55, unit="percent"),
        q_row("R10", "src_b", "f_fighters", "fighters", "afghanistan", "2019", "year",
              "2019", "year", 3000),
    ]  # fmt: skip
    quantities = pd.DataFrame(rows, columns=Q_COLS)
    sources = pd.DataFrame({"source_id": ["src_a", "src_b"], "date": ["2018", "2019-06"]})
    waves = pd.DataFrame(
        {
            "source_id": ["src_a", "src_b", "src_b", "src_b"],
            "definition": ["emergence_year", "emergence_year", "formation_milestone", "x"],
            "phase": ["emergence", "emergence", "emergence", "decline"],
            "start_year": ["2015", "2016", "2014", "2018"],
        }
    )
    events = pd.DataFrame(
        [
            ("E1", "src_a", "k1", "attack", "2016-05-01", "day", "afghanistan", "10", "exact",
             "", "", "claimed"),
            ("E2", "src_b", "k1", "attack", "2016-05", "month", "afghanistan", "12", "about",
             "", "", "attributed"),
            ("E3", "src_b", "k2", "attack", "2016", "year", "iran", "", "", "", "", "claimed"),
            ("E4", "src_a", "k3", "attack", "2018-02", "month", "", "", "over", "", "", "",),
            ("E5", "src_a", "k4", "attack", "2018-03", "month", "russia", "", "range", "3",
             "5", "claimed"),
            ("E6", "src_a", "k5", "plot", "2018-04", "month", "germany", "", "", "", "",
             "alleged"),
            ("E7", "src_a", "k6", "counter_operation", "2018", "year", "afghanistan", "50",
             "exact", "", "", "against_iskp"),
            ("E8", "src_b", "k7", "attack", "", "open", "pakistan", "1", "exact", "", "",
             "claimed"),
            ("E9", "src_b", "k4", "attack", "2018", "year", "russia", "", "dozens", "", "",
             "claimed"),
        ],
        columns=[
            "id", "source_id", "event_key", "event_type", "date", "date_precision", "country",
            "killed", "killed_qualifier", "killed_low", "killed_high", "attribution",
        ],
    )  # fmt: skip
    events.loc[events["id"] == "E4", "killed"] = "20"
    return {"quantities": quantities, "sources": sources, "waves": waves, "events": events}


def row_of(series: CountSeries, measure: str) -> pd.DataFrame:
    f = series.to_frame()
    return f[f["measure"] == measure].reset_index(drop=True)


# ----------------------------------------------------------------------------- policies
class TestQualifierPolicy:
    @pytest.mark.parametrize(
        ("value", "qualifier", "low", "high", "want"),
        [
            (84, "exact", None, None, (84, 84)),
            (84, "", None, None, (84, 84)),
            (250, "roughly", None, None, (225, 275)),  # not 276: no float noise
            (100, "about", None, None, (90, 110)),
            (33, "about", None, None, (29, 37)),  # 29.7 -> 29, 36.3 -> 37 (outward)
            (100, "nearly", None, None, (90, 100)),
            (150, "over", None, None, (151, INF)),
            (13, "more_than", None, None, (14, INF)),
            (50, "at_least", None, None, (50, INF)),
            (20, "up_to", None, None, (0, 20)),
            (20, "under", None, None, (0, 19)),
            (None, "range", 2000, 3000, (2000, 3000)),
            (None, "about_range", 3750, 4000, (3375, 4400)),
            (None, "dozens", None, None, (24, 99)),
            (None, "thousands", None, None, (2000, 9999)),
        ],
    )
    def test_default_intervals(self, value, qualifier, low, high, want):
        assert QualifierPolicy().interval(value, qualifier, low, high) == want

    def test_user_override(self):
        p = QualifierPolicy(name="mine", about=0.2, nearly=0.05, over=0.5, at_least=1.0)
        assert p.interval(100, "about") == (80, 120)
        assert p.interval(100, "nearly") == (95, 100)
        assert p.interval(150, "over") == (151, 225)
        assert p.interval(50, "at_least") == (50, 100)
        wide = {p.name: p for p in POLICIES}["wide"]
        assert wide.interval(None, "dozens") == (24, INF)
        assert [p.name for p in POLICIES] == ["default", "narrow", "wide"]

    def test_unknown_qualifier(self):
        with pytest.raises(EvidenceError, match=r"Unknown qualifier 'plenty' for row Q9"):
            QualifierPolicy().interval(3, "plenty", where="row Q9")

    def test_missing_numbers(self):
        with pytest.raises(EvidenceError, match=r"'range' of row X needs 'low' and 'high'"):
            QualifierPolicy().interval(None, "range", 3, None, where="row X")
        with pytest.raises(EvidenceError, match=r"'about' of row X needs a value"):
            QualifierPolicy().interval(float("nan"), "about", where="row X")

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"about": 1.0}, r"'about' parameter of QualifierPolicy must be a number >= 0"),
            ({"nearly": -0.1}, r"'nearly' parameter of QualifierPolicy"),
            ({"over": 0.0}, r"'over' parameter of QualifierPolicy must be a number > 0"),
            ({"dozens": (30, 20)}, r"'dozens' parameter .* Got \(30, 20\)"),
            ({"name": ""}, r"'name' parameter of QualifierPolicy must be a non-empty"),
        ],
    )
    def test_bad_policy(self, kwargs, match):
        with pytest.raises(ParameterError, match=match):
            QualifierPolicy(**kwargs)


# ----------------------------------------------------------------------------- readings
class TestReading:
    def test_name_lists_choices(self):
        r = Reading(
            "attacks",
            QualifierPolicy(name="wide", about=0.2),
            "prefer:csis_2018",
            2015,
            (Placement("k", 2019, "claimed attacks: 400"),),
        )
        assert r.name == (
            "attacks | policy=wide | conflict=prefer:csis_2018 | open start=2015 | "
            "claimed attacks: 400 placed in 2019"
        )
        assert r.year_of("k") == 2019 and r.year_of("other") is None
        assert r.summary().loc[0, "placements"] == "claimed attacks: 400 placed in 2019"

    def test_bad_choices(self):
        with pytest.raises(ParameterError, match=r"'question' parameter of Reading must be"):
            Reading("bombs")
        with pytest.raises(ParameterError, match=r"'conflict' .* Got 'newest'"):
            Reading("attacks", conflict="newest")
        with pytest.raises(ParameterError, match=r"'repeats' parameter of Reading"):
            Reading("attacks", repeats="sum")
        with pytest.raises(TypeError, match="must be a QualifierPolicy"):
            Reading("attacks", policy=0.1)


class TestBuildSynthetic:
    ev = synthetic()
    place = (Placement("f_from", 2017, "x"),)

    def build(self, **kw):
        kw.setdefault("origin", 2015)
        kw.setdefault("placements", self.place)
        return build_series(Reading("attacks", **kw), self.ev)

    def test_conflict_rules(self):
        ms = row_of(self.build(), "attacks (afghanistan)")
        assert ms.loc[0, ["low", "high"]].tolist() == [10, 10]  # exact beats "about 12"
        assert ms.loc[0, "provenance"] == "R1"
        pb = row_of(self.build(conflict="prefer:src_b"), "attacks (afghanistan)")
        assert pb.loc[0, ["low", "high"]].tolist() == [10, 14]
        assert pb.loc[0, "provenance"] == "R2"
        ai = row_of(self.build(conflict="all_as_intervals"), "attacks (afghanistan)")
        assert ai.loc[0, ["low", "high"]].tolist() == [10, 14]
        assert ai.loc[0, "provenance"] == "R1;R2"
        # a preferred source that names no row is a typo, never a silent fallback
        with pytest.raises(ParameterError, match=r"prefers source 'src_z'.*one of \['src_a'"):
            self.build(conflict="prefer:src_z")

    def test_repeats_are_one_observation(self):
        ev = synthetic()
        q = ev["quantities"]
        rep = q[q["id"] == "R3"].assign(id="R3b", source_id="src_c", original="src_a")
        ev["quantities"] = pd.concat([q, rep], ignore_index=True)
        s = build_series(Reading("attacks", origin=2015, placements=self.place), ev)
        rows = row_of(s, "attacks (afghanistan)")
        assert rows["start"].tolist() == [2016, 2017]  # one observation for 2017
        assert rows.loc[1, "low"] == 5

    def test_open_start_uses_origin_and_partial_year(self):
        pk = row_of(self.build(origin=2015), "attacks (pakistan)")
        assert (pk.loc[0, "start"], pk.loc[0, "end"]) == (2015, 2018)
        assert pk.loc[0, "weights"] == "1.0;1.0;1.0;0.25"
        pk16 = row_of(self.build(origin=2016), "attacks (pakistan)")
        assert pk16.loc[0, "exposure"] == pytest.approx(2.25)

    def test_open_end_uses_source_date(self):
        s = build_series(Reading("clashes"), self.ev)
        assert s.measure == ("clashes_taliban (afghanistan)",)
        assert (s.start[0], s.end[0]) == (2018, 2019)
        assert [w.tolist() for w in s.weights] == [[0.5, 0.5]]  # Jul-Dec 2018, Jan-Jun 2019
        assert (s.low[0], s.high[0]) == (36, 40)  # nearly 40

    def test_change_from_a_to_b(self):
        assert admissible_placements("attacks", self.ev) == {"f_from": [2016, 2017, 2018]}
        s = self.build()
        claimed = row_of(s, "attacks_claimed (unspecified)")
        assert claimed["start"].tolist() == [2017, 2019, 2020]
        assert claimed["low"].tolist() == [40, 30, 7]
        assert claimed["provenance"].tolist() == ["R6", "R8", "R7"]
        assert claimed["exposure"].tolist() == [1, 1, 1]  # B is a level, not a total

    def test_excluded_or_missing_choices(self):
        with pytest.raises(
            ParameterError,
            match=r"in 2019, which the evidence excludes.*"
            r"\[2016, 2017, 2018\]",
        ):
            self.build(placements=(Placement("f_from", 2019),))
        with pytest.raises(ParameterError, match=r"gives no year to the undated figure 'f_from'"):
            self.build(placements=())
        with pytest.raises(ParameterError, match=r"gives no origin.*open start"):
            self.build(origin=None)
        with pytest.raises(ParameterError, match=r"origin 2019 is after the end 2018"):
            self.build(origin=2019)

    def test_every_observation_has_provenance(self):
        s = self.build()
        ids = set(self.ev["quantities"]["id"])
        assert all(p and set(p) <= ids for p in s.provenance)
        assert "R9" not in {i for p in s.provenance for i in p}  # percent: not a count
        assert "R10" not in {i for p in s.provenance for i in p}  # fighters: not attacks

    def test_region_question(self):
        s = build_series(Reading("attacks_pakistan", origin=2016), self.ev)
        assert s.measure == ("attacks (pakistan)",)
        assert s.provenance == (("R4",),)

    def test_bad_evidence(self):
        bad = self.ev["quantities"].drop(columns=["fact_key"])
        with pytest.raises(EvidenceError, match=r"quantities table lacks column\(s\) \['fact_key'"):
            build_series(Reading("clashes"), bad)
        ev = synthetic()
        ev["quantities"].loc[0, "period_start"] = "16th of May"
        with pytest.raises(EvidenceError, match=r"row R1, column 'period_start', must be a date"):
            build_series(Reading("attacks", origin=2015, placements=self.place), ev)
        ev = synthetic()
        ev["quantities"]["measure"] = "members"
        with pytest.raises(EmptySeriesError, match="no observation for 'attacks'"):
            build_series(Reading("attacks"), ev)
        with pytest.raises(TypeError, match="Expected a Reading"):
            build_series("attacks", self.ev)

    def test_overlap_in_one_measure_warns(self):
        ev = synthetic()
        extra = q_row("R11", "src_a", "f_wide", "attacks", "afghanistan", "2016", "year",
                      "2017", "year", 20)  # fmt: skip
        ev["quantities"] = pd.concat([ev["quantities"], pd.DataFrame([extra])], ignore_index=True)
        with pytest.warns(ApproximationWarning, match=r"left out R11 \(attacks"):
            s = build_series(Reading("attacks", origin=2015, placements=self.place), ev)
        assert "R11" not in {i for p in s.provenance for i in p}


class TestEnumerateSynthetic:
    ev = synthetic()

    def test_origins(self):
        # 2014 (formation) and 2015/2016 (emergence) are no later than the claimed 2016 attack
        assert admissible_origins(self.ev) == [2014, 2015, 2016]
        ev = dict(self.ev)
        ev["events"] = self.ev["events"].assign(date="2015-01", date_precision="month")
        assert admissible_origins(ev) == [2014, 2015]
        with pytest.raises(EvidenceError, match="No emergence or formation year"):
            admissible_origins({"waves": self.ev["waves"].iloc[3:]})

    def test_enumeration_is_the_product_of_what_matters(self):
        rs = enumerate_readings("attacks", self.ev, origins=[2015, 2016])
        names = [r.name for r in rs]
        assert len(set(names)) == len(names)
        frames = [build_series(r, self.ev).to_frame().drop(columns="provenance") for r in rs]
        for i, a in enumerate(frames):  # every reading makes a difference to the numbers
            assert not any(a.equals(b) for b in frames[:i])
        # every admissible year of the undated 40 is named and used
        for year in (2016, 2017, 2018):
            assert any(f"attacks_claimed (unspecified): 40 placed in {year}" in n for n in names)
        assert not any("placed in 2019" in n for n in names)
        # conflict rules: most specific (= prefer:src_a); prefer:src_b gives the span of
        # all versions ([10, 14] default, [9, 15] wide) except under the narrow policy
        assert {r.conflict for r in rs} == {"most_specific", "all_as_intervals", "prefer:src_b"}
        assert {r.policy.name for r in rs if r.conflict == "prefer:src_b"} == {"narrow"}
        assert {r.origin for r in rs} == {2015, 2016}
        # policies: "about 12" is not used under most_specific, so only the default there
        assert {r.policy.name for r in rs if r.conflict == "most_specific"} == {"default"}
        assert {r.policy.name for r in rs if r.conflict != "most_specific"} == {
            "default", "narrow", "wide"
        }  # fmt: skip
        assert rs[0].policy.name == "default" and rs[0].conflict == "most_specific"

    def test_no_origin_named_when_none_needed(self):
        rs = enumerate_readings("clashes", self.ev)
        assert [r.name for r in rs] == [
            "clashes | policy=default | conflict=most_specific",
            "clashes | policy=narrow | conflict=most_specific",
            "clashes | policy=wide | conflict=most_specific",
        ]

    def test_bad_arguments(self):
        with pytest.raises(ParameterError, match=r"'question' parameter of enumerate_readings"):
            enumerate_readings("bombs", self.ev)
        with pytest.raises(ParameterError, match=r"'policies' .* QualifierPolicy objects"):
            enumerate_readings("clashes", self.ev, policies=[0.1])


# ----------------------------------------------------------------------------- indicators
class TestIndicatorsSynthetic:
    ev = synthetic()

    def get(self, **kw):
        with pytest.warns(ApproximationWarning, match="without a year .*: k7"):
            return indicators(self.ev["events"], **kw)

    def test_attacks_deaths_reach(self):
        ind = self.get()
        a = ind["attacks"]
        # 2016: k1, k2; 2018: k3, k4 (plot, operation against the group, undated k7 out)
        assert a.start.tolist() == [2016, 2018] and a.counts.tolist() == [2, 2]
        assert a.grid_start == 2016 and a.missing() == [2017]  # no document: missing
        d = ind["deaths"]
        # 2016: k1 exact 10 (most specific) + k2 unknown [0, inf); 2018: over 20 + range 3-5
        assert d.low.tolist() == [10, 21 + 3]
        assert d.high.tolist() == [INF, INF]
        r = ind["reach"]
        assert r.low.tolist() == [1, 1]  # iran; russia
        assert r.high.tolist() == [1, 2]  # k3 has no country: could be one more
        assert a.provenance[0] == ("E1", "E2", "E3")
        assert a.provenance[1] == ("E4", "E5", "E9")

    def test_deaths_per_attack_uses_attacks_as_exposure(self):
        ind = self.get()
        dpa = ind["deaths_per_attack"]
        assert dpa.exposure.tolist() == ind["attacks"].counts.tolist()
        assert np.array_equal(dpa.low, ind["deaths"].low)
        assert dpa.measure == ("deaths_per_attack",) * 2

    def test_conflict_rules_on_tolls(self):
        d = self.get(conflict="all_as_intervals")["deaths"]
        assert d.low.tolist() == [10, 21 + 3]  # k1: [min(10, 10), max(10, 14)]
        d = self.get(conflict="prefer:src_b")["deaths"]
        assert d.low.tolist() == [10, 21 + 24]  # k4: src_b says "dozens"
        big = QualifierPolicy(name="capped", over=0.5)
        d = indicators(self.ev["events"].iloc[3:5], policy=big)["deaths"]
        assert (d.low[0], d.high[0]) == (21 + 3, 30 + 5)

    def test_attribution_filter(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ApproximationWarning)
            a = indicators(self.ev["events"], attributions=["claimed"])["attacks"]
        assert a.counts.tolist() == [2, 1]  # k1 (E1 claimed), k2; k4

    def test_bad_input(self):
        with pytest.raises(EvidenceError, match=r"events table lacks column\(s\) \['killed'"):
            indicators(self.ev["events"].drop(columns=["killed"]))
        with pytest.raises(ParameterError, match=r"'conflict' parameter of indicators"):
            indicators(self.ev["events"], conflict="vote")
        with pytest.raises(EmptySeriesError, match="No dated attack"):
            indicators(self.ev["events"].iloc[5:7])
        with pytest.raises(TypeError, match="must be a QualifierPolicy"):
            indicators(self.ev["events"], policy="wide")

    def test_event_questions(self):
        rs = enumerate_readings("event_deaths", self.ev)
        assert rs[0].name == "event_deaths | policy=default | conflict=most_specific"
        assert len({r.name for r in rs}) == len(rs) > 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ApproximationWarning)
            s = build_series(rs[0], self.ev)
        assert s.name == rs[0].name and s.measure == ("deaths", "deaths")


# ----------------------------------------------------------------------------- real evidence
real = pytest.mark.skipif(
    not (DATA / "quantities.csv").exists() or not (DATA / "events.csv").exists(),
    reason="evidence tables not written yet",
)


@real
class TestRealEvidence:
    def test_400_to_69_readings(self):
        spots = admissible_placements("attacks")
        assert spots == {"attacks_claimed_decline_from": [2015, 2016, 2017, 2018, 2019, 2020]}
        rs = enumerate_readings("attacks")
        for year in spots["attacks_claimed_decline_from"]:
            named = [r for r in rs if f"attacks_claimed (unspecified): 400 placed in {year}"
                     in r.name]  # fmt: skip
            assert named
            claimed = row_of(build_series(named[0]), "attacks_claimed (unspecified)")
            assert claimed.set_index("start").loc[year, "low"] == 400
            # the 69 is the level of 2022, the 119 claimed attacks stay in 2021
            assert claimed.set_index("start").loc[2022, "low"] == 69
            assert claimed.set_index("start").loc[2021, "low"] == 119
        assert not any("placed in 2021" in r.name or "placed in 2022" in r.name for r in rs)

    def test_attacks_in_pakistan(self):
        rs = enumerate_readings("attacks_pakistan")
        assert [r.origin for r in rs] == admissible_origins() == [2014, 2015]
        s = build_series(rs[0])
        pk = row_of(s, "attacks (pakistan)")
        assert pk.loc[0, ["start", "end", "low", "high"]].tolist() == [2022, 2023, 119, 119]
        pun = row_of(s, "attacks (pakistan/punjab)")
        assert pun.loc[0, ["start", "end", "low"]].tolist() == [2022, 2023, 9]
        civ = row_of(s, "attacks_on_civilians (pakistan)")
        assert civ.loc[0, ["start", "end", "low"]].tolist() == [2014, 2017, 11]
        assert civ.loc[0, "weights"].endswith(";" + repr(1 / 12))  # by January 2017

    def test_attacks_on_civilians_by_january_2017(self):
        r = Reading("attacks", origin=2015, placements=(
            Placement("attacks_claimed_decline_from", 2019),))  # fmt: skip
        s = build_series(r)
        af = row_of(s, "attacks_on_civilians (afghanistan)")
        assert af.loc[0, ["start", "end", "low", "high"]].tolist() == [2015, 2017, 84, 84]
        assert af.loc[0, "exposure"] == pytest.approx(2 + 1 / 12)
        assert row_of(s, "attacks_on_civilians (pakistan)").loc[0, "low"] == 11
        # the CSIS total ("nearly 100") under prefer:csis_2018
        c = build_series(Reading("attacks", conflict="prefer:csis_2018", placements=r.placements))
        tot = row_of(c, "attacks_on_civilians (afghanistan;pakistan)")
        assert tot.loc[0, ["low", "high", "provenance"]].tolist() == [90, 100, "Q007"]

    def test_clashes(self):
        rs = enumerate_readings("clashes")
        assert [r.policy.name for r in rs] == ["default", "narrow", "wide"]
        s = build_series(rs[0])
        tal = row_of(s, "clashes_taliban (afghanistan)")
        assert tal.loc[0, ["start", "end", "low", "high", "provenance"]].tolist() == [
            2018, 2018, 207, 207, "Q012"
        ]  # fmt: skip
        sf = row_of(s, "clashes_security_forces (afghanistan;pakistan)")
        assert sf.loc[0, ["start", "end", "low", "high"]].tolist() == [2017, 2018, 225, 275]

    def test_provenance_points_at_rows(self):
        ids = set(pd.read_csv(DATA / "quantities.csv", dtype=str)["id"])
        for q in ("attacks", "clashes", "attacks_pakistan"):
            for r in enumerate_readings(q):
                s = build_series(r)
                assert all(p and set(p) <= ids for p in s.provenance), r.name

    def test_indicators(self):
        ind = indicators()
        eids = set(pd.read_csv(DATA / "events.csv", dtype=str)["id"])
        assert set(ind) == {"attacks", "deaths", "deaths_per_attack", "reach"}
        for s in ind.values():
            assert all(p and set(p) <= eids for p in s.provenance)
            assert s.start.tolist() == ind["attacks"].start.tolist()
        assert np.array_equal(ind["deaths_per_attack"].exposure, ind["attacks"].counts)
        assert all(QUESTIONS[f"event_{k}"].table == "events" for k in ind)


# ----------------------------------------------------------------------------- period readings
def with_period_alternatives() -> dict[str, pd.DataFrame]:
    ev = synthetic()
    q = ev["quantities"].copy()
    q["period_reading"] = ""
    q.loc[q["id"] == "R8", "period_reading"] = "whole_year"
    alt = q[q["id"] == "R8"].copy()
    alt["id"] = "R8b"
    alt["period_start"] = "2019-09"
    alt["period_start_precision"] = "month"
    alt["period_reading"] = "after_september"
    ev["quantities"] = pd.concat([q, alt], ignore_index=True)
    return ev


class TestPeriodReadings:
    def test_default_is_the_first_listed(self):
        ev = with_period_alternatives()
        s = build_series(
            Reading("attacks", origin=2015, placements=(Placement("f_from", 2017),)), ev
        )
        row = row_of(s, "attacks_claimed (unspecified)").set_index("start").loc[2019]
        assert (row["low"], row["exposure"], row["provenance"]) == (30, 1.0, "R8")

    def test_named_alternative(self):
        ev = with_period_alternatives()
        r = Reading(
            "attacks",
            origin=2015,
            placements=(Placement("f_from", 2017),),
            periods=(PeriodChoice("f_2019", "after_september"),),
        )
        assert r.name.endswith("| f_2019 read as after_september")
        assert r.summary()["periods"].iloc[0] == "f_2019 read as after_september"
        row = row_of(build_series(r, ev), "attacks_claimed (unspecified)").set_index("start")
        assert row.loc[2019, "exposure"] == pytest.approx(4 / 12)
        assert row.loc[2019, "provenance"] == "R8b"

    def test_unknown_alternative_refused(self):
        ev = with_period_alternatives()
        r = Reading("attacks", origin=2015, placements=(Placement("f_from", 2017),),
                    periods=(PeriodChoice("f_2019", "spring"),))  # fmt: skip
        with pytest.raises(ParameterError, match=r"reads 'f_2019' as 'spring'"):
            build_series(r, ev)
        with pytest.raises(TypeError, match="'periods' parameter of Reading"):
            Reading("attacks", periods=PeriodChoice("f_2019", "spring"))

    def test_enumerated_with_both_names(self):
        rs = enumerate_readings("attacks", with_period_alternatives(), origins=[2015])
        names = {r.name.split(" | ")[-1] for r in rs}
        assert names == {"f_2019 read as whole_year", "f_2019 read as after_september"}

    def test_real_2021_count(self):
        if not (DATA / "quantities.csv").exists():
            pytest.skip("evidence tables not written yet")
        rs = enumerate_readings("attacks")
        after = [r for r in rs if "attacks_claimed_2021 read as after_airport_attack" in r.name]
        whole = [r for r in rs if "attacks_claimed_2021 read as whole_year" in r.name]
        assert after and whole and len(after) + len(whole) == len(rs)
        row = row_of(build_series(after[0]), "attacks_claimed (unspecified)").set_index("start")
        assert row.loc[2021, "low"] == 119
        assert row.loc[2021, "exposure"] == pytest.approx(5 / 12)  # August-December
        row = row_of(build_series(whole[0]), "attacks_claimed (unspecified)").set_index("start")
        assert row.loc[2021, "exposure"] == 1.0


def test_selection_caveat_in_event_questions():
    for name in ("event_attacks", "event_deaths", "event_deaths_per_attack", "event_reach"):
        assert QUESTIONS[name].caveat == SELECTION_CAVEAT
        assert QUESTIONS[name].description.endswith(SELECTION_CAVEAT)
    assert QUESTIONS["attacks"].caveat == ""


# ----------------------------------------------------------------------------- dedupe key
def _frame_values(series: CountSeries) -> pd.DataFrame:
    """Reference: what enumerate_readings compared before (the frame without provenance)."""
    return series.to_frame().drop(columns=["provenance"])


@pytest.mark.parametrize("question", ["attacks_pakistan", "clashes", "attacks", "event_attacks"])
def test_values_key_equal_exactly_when_frames_equal(question):
    from lifecycle.evidence.readings import _values_key

    series = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        for r in enumerate_readings(question)[:12]:  # the first dozen: pairs grow as n²
            for policy in POLICIES:
                alt = dataclasses.replace(r, policy=policy)
                try:
                    series.append(build_series(alt))
                except ParameterError:
                    continue
    assert len(series) >= 2
    n_equal = 0
    for i, a in enumerate(series):
        for b in series[i:]:
            same = _frame_values(a).equals(_frame_values(b))
            n_equal += same
            assert (_values_key(a) == _values_key(b)) == same
    assert n_equal > len(series)  # some pairs beyond the diagonal are equal


def test_values_key_ignores_provenance_name_and_signed_zero():
    from lifecycle.evidence.readings import _values_key

    a = CountSeries.from_counts([2014, 2015, 2016], [0.0, 3.0, 5.0], name="a")
    b = CountSeries.from_counts([2014, 2015, 2016], [-0.0, 3.0, 5.0], name="b")
    c = CountSeries.from_counts([2014, 2015, 2016], [0.0, 3.0, 6.0], name="a")
    assert _values_key(a) == _values_key(b)
    assert _frame_values(a).equals(_frame_values(b))
    assert _values_key(a) != _values_key(c)
    assert not _frame_values(a).equals(_frame_values(c))

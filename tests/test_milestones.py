"""Dated statements, conflicts of every kind, originals, new periodisations, caveats (issue 14)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lifecycle._core.errors import EvidenceError
from lifecycle.evidence import tables as evidence
from lifecycle.evidence.questions import QUESTIONS, SELECTION_CAVEAT, Reading
from lifecycle.evidence.readings import enumerate_readings, indicators
from lifecycle.models.waves import admissible_variants, registry


@pytest.fixture(scope="module")
def ev() -> evidence.Evidence:
    return evidence.load_evidence()


@pytest.fixture(scope="module")
def versions(ev: evidence.Evidence) -> pd.DataFrame:
    return evidence.conflict_versions(ev)


@pytest.fixture(scope="module")
def pairs(ev: evidence.Evidence) -> pd.DataFrame:
    return evidence.conflicts(ev)


def _versions(versions: pd.DataFrame, cid: str) -> dict[str, str]:
    got = versions[versions["conflict_id"] == cid]
    assert len(got) > 0, f"no conflict {cid}"
    assert got["quote"].str.len().gt(0).all()
    return dict(zip(got["id"], got["value"], strict=True))


# --------------------------------------------------------------------------- milestones


def test_milestones_load_typed(ev: evidence.Evidence) -> None:
    m = ev.milestones
    assert m["id"].is_unique and len(m) >= 30
    assert isinstance(m["kind"].dtype, pd.CategoricalDtype)
    assert set(m["kind"].dropna()) <= set(evidence.MILESTONE_KINDS)
    assert set(m["bears_on"].dropna()) <= set(evidence.BEARS_ON)


@pytest.mark.parametrize(
    ("source", "start", "phrase"),
    [
        ("amin_asif", "2014-09", "Abdul Rahim Muslim Dost as Amir of Kunar and Nuristan"),
        ("amin_asif", "2015-01-02", "announced Hafiz Saeed Khan as Amir"),
        ("amin_asif", "2015-01-26", "also announced him as an Amir"),
        ("amin_asif", "2015-03", "started claiming responsibility of attacks in Nangarhar"),
        ("amin_asif", "2015-04", "ISIS and Taliban declared Jihad against each other"),
        ("csis_2018", "2010", "around 2010"),
        ("rana_2024", "2014", "conducted from 2014 to 2017"),
        ("rana_2024", "2020", "mass arrests and numerous counterterrorism raids"),
        ("rana_2024", "2018", "effectively confined ISKP territory"),
        ("yip_2024", "2021", "coexistence"),
    ],
)
def test_milestones_recorded(ev: evidence.Evidence, source: str, start: str, phrase: str) -> None:
    m = ev.milestones
    hit = m[(m["source_id"] == source) & m["quote"].str.contains(phrase, regex=False)]
    assert len(hit) == 1
    assert hit["start"].iloc[0] == start


def test_undated_statements_stay_undated(ev: evidence.Evidence) -> None:
    m = ev.milestones.set_index("milestone_key")
    for key in ("clear_military_defeat", "jamaat_ul_ahrar_attacks"):
        row = m.loc[key]
        assert row["start_precision"] == row["end_precision"] == "open"
        assert pd.isna(row["start"]) and pd.isna(row["end"])
    # "By 2019" ends a period whose start is not written
    by2019 = m.loc["territory_lost_by_2019"]
    assert (by2019["start_precision"], by2019["end"]) == ("open", "2019")


def test_dated_statements_per_document(ev: evidence.Evidence) -> None:
    d = evidence.dated_statements(ev)
    counts = d.groupby("source_id").size().to_dict()
    assert counts == {
        "amin_asif": 28,
        "csis_2018": 8,
        "rana_2024": 54,
        "toca_2024": 10,
        "yip_2024": 16,
    }
    by_table = d.groupby("table").size().to_dict()
    assert by_table["milestones"] == 35  # 40 rows, 5 undated
    assert ((d["start"].fillna("") != "") | (d["end"].fillna("") != "")).all()
    assert set(d["id"]) >= {"M001", "W021", "Q037", "E001"}
    # sorted by the first date given
    first = d["start"].where(d["start"] != "", d["end"])
    assert first.tolist() == sorted(first.tolist())


def test_milestone_loader_rejects_bad_rows(tmp_path: Path) -> None:
    for name in ("sources", "milestones"):
        shutil.copy(evidence.data_dir() / f"{name}.csv", tmp_path / f"{name}.csv")
    path = tmp_path / "milestones.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "kind"] = "victory"
    frame.to_csv(path, index=False)
    with pytest.raises(EvidenceError, match=r"row M001 \(line 2\), column 'kind'"):
        evidence.load_milestones(path)
    frame.loc[0, "kind"] = "wave"
    frame.loc[0, "start"] = "2014-13"
    frame.to_csv(path, index=False)
    with pytest.raises(EvidenceError, match=r"column 'start': expected a valid calendar date"):
        evidence.load_milestones(path)


def test_evidence_without_milestones_file(tmp_path: Path) -> None:
    for name in ("sources", "quantities", "events", "waves"):
        shutil.copy(evidence.data_dir() / f"{name}.csv", tmp_path / f"{name}.csv")
    ev = evidence.load_evidence(tmp_path)
    assert ev.milestones.empty and "milestone_key" in ev.milestones.columns
    c = evidence.conflicts(ev)
    assert "imu_affiliation" not in set(c["key"])  # a milestone conflict needs the table


# --------------------------------------------------------------------------- periods read


def test_csis_count_scope_is_a_named_reading(ev: evidence.Evidence) -> None:
    q = ev.quantities
    rows = q[(q["source_id"] == "csis_2018") & (q["measure"] == "attacks_on_civilians")]
    got = {r.period_reading: (r.period_start, r.period_end_precision) for r in rows.itertuples()}
    assert got == {
        "since_january_2017": ("2017-01", "open"),
        "since_founding_2015": ("2015", "open"),
    }
    # two readings of one statement are not a disagreement
    c = evidence.conflicts(ev)
    assert not ((c["id_a"].isin(rows["id"])) & (c["id_b"].isin(rows["id"]))).any()


def test_2021_count_keeps_its_clause_and_two_readings(ev: evidence.Evidence) -> None:
    q = ev.quantities
    rows = q[q["fact_key"] == "attacks_claimed_2021"].set_index("period_reading")
    assert set(rows.index) == {"whole_year", "after_airport_attack"}
    for _, r in rows.iterrows():
        assert r["quote"].startswith("Following the Hamid Karzai airport attack,")
        assert r["value"] == 119
    assert (rows.loc["whole_year", "period_start"], rows.loc["whole_year", "period_end"]) == (
        "2021",
        "2021",
    )
    after = rows.loc["after_airport_attack"]
    assert (after["period_start"], after["period_start_precision"]) == ("2021-08", "month")


def test_borrowed_date_and_warning_place_corrected(ev: evidence.Evidence) -> None:
    tajik = ev.quantities[ev.quantities["measure"] == "share_fighters_tajik"].iloc[0]
    assert tajik["period_start_precision"] == tajik["period_end_precision"] == "open"
    assert "preceding sentence" in tajik["note"]
    plot = ev.events[ev.events["event_key"] == "europe_plot_2023"].iloc[0]
    assert pd.isna(plot["country"])
    assert "received the tips" in plot["note"]


def test_yip_100_attacks_is_not_a_csis_repeat(ev: evidence.Evidence) -> None:
    yip = ev.quantities[ev.quantities["quote"].str.contains("Since 2015, the ISIS-K")].iloc[0]
    assert pd.isna(yip["original"]) and yip["fact_key"] == "attacks_since_2015"
    assert "2021 CSIS piece" in yip["note"]


def test_csis_footnotes_recorded(ev: evidence.Evidence) -> None:
    csis = ev.quantities[ev.quantities["source_id"] == "csis_2018"]
    assert csis["note"].str.contains("Footnote 2").all()


# --------------------------------------------------------------------------- conflicts


def test_every_conflict_has_a_kind_and_versions(pairs: pd.DataFrame, versions: pd.DataFrame):
    assert set(pairs["kind"]) == set(evidence.CONFLICT_KINDS)
    assert set(pairs["conflict_id"]) == set(versions["conflict_id"])
    for cid, g in versions.groupby("conflict_id"):
        ids = set(pairs.loc[pairs["conflict_id"] == cid, "id_a"]) | set(
            pairs.loc[pairs["conflict_id"] == cid, "id_b"]
        )
        assert ids <= set(g["id"]), cid


def test_un_2023_strength_across_fact_keys(pairs: pd.DataFrame, versions: pd.DataFrame) -> None:
    got = _versions(versions, "subject:strength_2023:value")
    assert set(got.values()) == {"range 4000-6000", "range 1000-3000"}
    p = pairs[pairs["conflict_id"] == "subject:strength_2023:value"]
    assert len(p) == 3  # 1,000-3,000 (toca_2024) against each 4,000-6,000 row
    assert all("1,000 and 3,000" in a + b for a, b in zip(p["quote_a"], p["quote_b"], strict=True))


def test_formation_year_2014_2015_2017(versions: pd.DataFrame) -> None:
    got = _versions(versions, "timing:iskp_emergence:date")
    years = {v.split(" ")[-2] if v.startswith("January") else v.split(" ")[0] for v in got.values()}
    assert years == {"2014", "2015", "2017"}
    sources = set(
        versions.loc[versions["conflict_id"] == "timing:iskp_emergence:date", "source_id"]
    )
    assert sources == {"amin_asif", "csis_2018", "rana_2024", "yip_2024", "toca_2024"}


def test_resurgence_start_versions(pairs: pd.DataFrame, versions: pd.DataFrame) -> None:
    got = _versions(versions, "timing:resurgence_start:date")
    texts = set(got.values())
    assert {"May 2020 (start_text)", "late 2020 (start_text)", "2020 (start_text)"} <= texts
    # "from 2020 onwards" agrees with both but is listed as a version all the same
    p = pairs[pairs["conflict_id"] == "timing:resurgence_start:date"]
    may_late = p[p["value_a"].str.startswith("late") & p["value_b"].str.startswith("May")]
    assert len(may_late) == 1
    assert not p.apply(
        lambda r: {r["value_a"], r["value_b"]} == {"2020 (start_text)", "late 2020 (start_text)"},
        axis=1,
    ).any()


def test_second_wave_placed_twice_in_one_paper(pairs: pd.DataFrame) -> None:
    p = pairs[pairs["conflict_id"] == "timing:decline_start:date"]
    rana = p[p["same_source"] & (p["source_id_a"] == "rana_2024")]
    hits = rana[rana["value_b"].str.contains("2021-08") | rana["value_a"].str.contains("2021-08")]
    assert len(hits) >= 2
    assert (
        hits["quote_a"].str.contains("The second wave").any()
        or hits["quote_b"].str.contains("The second wave").any()
    )


def test_affiliation_dated_twice_in_one_article(pairs: pd.DataFrame) -> None:
    p = pairs[pairs["conflict_id"] == "timing:imu_affiliation:date"]
    assert len(p) == 1 and bool(p["same_source"].iloc[0])
    assert {p["source_id_a"].iloc[0], p["source_id_b"].iloc[0]} == {"amin_asif"}
    quotes = p["quote_a"].iloc[0] + p["quote_b"].iloc[0]
    assert "September 2014" in quotes and "Later on" in quotes


def test_first_emir_2014_or_2015(pairs: pd.DataFrame) -> None:
    p = pairs[pairs["conflict_id"] == "timing:hafiz_saeed_khan_first_emir:date"]
    assert {p["source_id_a"].iloc[0], p["source_id_b"].iloc[0]} == {"csis_2018", "amin_asif"}


def test_event_conflicts_still_listed(versions: pd.DataFrame) -> None:
    got = _versions(versions, "event:moscow_crocus_2024:killed")
    assert {"143", "144", "about 140", "over 150", "over 100"} <= set(got.values())
    assert set(_versions(versions, "event:moscow_crocus_2024:date").values()) >= {
        "2024-03-25",
        "2024-03-22",
    }


def test_agreeing_timing_statements_are_no_conflict(ev: evidence.Evidence) -> None:
    m = ev.milestones
    # Zarb-e-Azb "since 2014" (amin_asif) and "from 2014 to 2017" (rana_2024) agree
    assert set(m.loc[m["milestone_key"] == "zarb_e_azb", "source_id"]) == {"amin_asif", "rana_2024"}
    assert "zarb_e_azb" not in set(evidence.conflicts(ev)["key"])


# --------------------------------------------------------------------------- originals


def test_originals_never_agree_across_measures_or_periods(ev: evidence.Evidence) -> None:
    o = evidence.originals(ev.quantities)
    q = ev.quantities.set_index("id")
    for _, row in o.iterrows():
        ids = row["merged_ids"].split(";")
        if len(ids) < 2:
            continue
        sub = q.loc[ids]
        same = (
            sub["measure"].astype(str).nunique() == 1
            and sub["period_start"].fillna("").nunique() == 1
            and sub["period_end"].fillna("").nunique() == 1
        )
        if bool(row["values_agree"]):
            assert same, row["merged_ids"]
        else:
            assert row["differs"], row["merged_ids"]
    strength = o[o["merged_ids"].str.contains("Q031")].iloc[0]
    assert not bool(strength["values_agree"]) and "measure" in strength["differs"]
    airport = o[o["merged_ids"].str.contains("Q037")].iloc[0]
    assert not bool(airport["values_agree"]) and "period_start" in airport["differs"]


def test_originals_synthetic_measure_and_period(ev: evidence.Evidence) -> None:
    q = ev.quantities[ev.quantities["id"].isin(["Q012"])].copy()
    twin = q.copy()
    twin["id"] = "Q900"
    both = pd.concat([q, twin], ignore_index=True)
    assert bool(evidence.originals(both)["values_agree"].iloc[0])
    other = twin.copy()
    other["measure"] = pd.Categorical(
        ["clashes_security_forces"], categories=q["measure"].cat.categories
    )
    o = evidence.originals(pd.concat([q, other], ignore_index=True))
    assert not bool(o["values_agree"].iloc[0]) and o["differs"].iloc[0] == "measure"
    later = twin.copy()
    later["period_end"] = pd.array(["2019"], dtype="string")
    o = evidence.originals(pd.concat([q, later], ignore_index=True))
    assert not bool(o["values_agree"].iloc[0]) and o["differs"].iloc[0] == "period_end"


# --------------------------------------------------------------------------- registry


def test_new_periodisations_in_registry() -> None:
    reg = registry()
    abstract = reg["cass_abstract_from_2020"]
    assert abstract.source_id == "rana_2024"
    assert [(p.name, p.start, p.end) for p in abstract.phases] == [
        ("emergence", 2015, 2019),
        ("resurgence", 2020, None),
    ]
    assert "from 2020 onwards" in abstract.phases[1].quote
    assert len(admissible_variants(abstract)) == 2
    terr = reg["cass_territorial"]
    assert [(p.name, p.start, p.end) for p in terr.phases] == [
        ("rise", 2015, 2018),
        ("decline", 2019, None),
    ]
    assert "Between 2015-2018" in terr.phases[0].quote and "By 2019" in terr.phases[1].quote
    yip = reg["yip_influence_since_2019"]
    assert [p.start for p in yip.phases] == [2015, 2019]
    assert "steadily increased since" in yip.phases[1].quote
    assert all(p.quote for d in (abstract, terr, yip) for p in d.phases)


# --------------------------------------------------------------------------- caveat


def test_selection_caveat_on_event_indicators() -> None:
    for name, q in QUESTIONS.items():
        if q.table == "events":
            assert SELECTION_CAVEAT in q.description, name
            assert Reading(name).summary()["caveat"].iloc[0] == SELECTION_CAVEAT
        else:
            assert Reading(name).summary()["caveat"].iloc[0] == ""
    for key, s in indicators().items():
        assert "events mentioned (a selection)" in s.name, key
    r = enumerate_readings("event_reach")[0]
    assert "selection" not in r.name  # the reading names choices; the caveat is in summary()


def test_new_periodisations_in_the_report_comparison() -> None:
    from lifecycle.report import analyse_evidence

    a = analyse_evidence(seed=3, n_boot=19, questions=["event_attacks"])
    shown = set(a.comparison["definition"])
    assert {"cass_abstract_from_2020", "cass_territorial", "yip_influence_since_2019"} <= shown
    desc = a.indicators.set_index("question").loc["event_attacks", "description"]
    assert SELECTION_CAVEAT in desc

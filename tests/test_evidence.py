"""Loading, validation, conflicts and originals of the evidence tables."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from lifecycle._core.errors import EvidenceError, LifecycleError
from lifecycle.evidence import tables as evidence


@pytest.fixture(scope="module")
def ev() -> evidence.Evidence:
    return evidence.load_evidence()


def _q(ev: evidence.Evidence, **where: object) -> pd.DataFrame:
    frame = ev.quantities
    for col, val in where.items():
        frame = frame[frame[col].astype("string") == str(val)]
    return frame


def _e(ev: evidence.Evidence, key: str) -> pd.DataFrame:
    return ev.events[ev.events["event_key"] == key]


# --------------------------------------------------------------------------- loading


def test_paths() -> None:
    assert evidence.data_dir().name == "data"
    assert (evidence.data_dir() / "quantities.csv").is_file()


def test_tables_load_with_types(ev: evidence.Evidence) -> None:
    assert list(ev.sources["source_id"]) == [
        "amin_asif",
        "csis_2018",
        "rana_2024",
        "yip_2024",
        "toca_2024",
    ]
    q = ev.quantities
    assert str(q["value"].dtype) == "Float64"
    assert str(q["low"].dtype) == "Float64"
    assert isinstance(q["measure"].dtype, pd.CategoricalDtype)
    assert isinstance(q["qualifier"].dtype, pd.CategoricalDtype)
    assert str(q["quote"].dtype) == "string"
    e = ev.events
    assert str(e["killed"].dtype) == "Int64"
    assert isinstance(e["attribution"].dtype, pd.CategoricalDtype)
    assert str(ev.waves["start_year"].dtype) == "Int64"
    assert q["id"].is_unique and e["id"].is_unique and ev.waves["id"].is_unique


def test_vocabularies_are_used(ev: evidence.Evidence) -> None:
    assert set(ev.quantities["measure"].dropna()) <= set(evidence.MEASURES)
    assert set(ev.quantities["qualifier"].dropna()) <= set(evidence.QUALIFIERS)
    assert set(ev.events["attribution"].dropna()) <= set(evidence.ATTRIBUTIONS)
    assert set(ev.waves["definition"].dropna()) <= set(evidence.WAVE_DEFINITIONS)


# --------------------------------------------------------------------------- required rows


def test_civilian_attacks_by_january_2017(ev: evidence.Evidence) -> None:
    rows = _q(ev, source_id="rana_2024", measure="attacks_on_civilians")
    got = {(r.region, r.value, r.period_end, r.period_start_precision) for r in rows.itertuples()}
    assert got == {("afghanistan", 84, "2017-01", "open"), ("pakistan", 11, "2017-01", "open")}
    assert set(rows["original"]) == {"csis_2018"}


def test_taliban_clashes_2018(ev: evidence.Evidence) -> None:
    row = _q(ev, measure="clashes_taliban").iloc[0]
    assert (row["value"], row["period_start"], row["period_end"]) == (207, "2018", "2018")


def test_claimed_attacks_400_to_69_keep_vagueness(ev: evidence.Evidence) -> None:
    start = _q(ev, fact_key="attacks_claimed_decline_from").iloc[0]
    end = _q(ev, fact_key="attacks_claimed_decline_to_2022").iloc[0]
    assert start["value"] == 400 and end["value"] == 69
    assert start["measure"] == end["measure"] == "attacks_claimed"
    # "by 2022": the end bound is 2022, the start is not given; the 400 has no date at all
    assert (end["period_start_precision"], end["period_end"]) == ("open", "2022")
    assert start["period_start_precision"] == start["period_end_precision"] == "open"


def test_2021_attacks_and_taliban_share(ev: evidence.Evidence) -> None:
    attacks = _q(ev, fact_key="attacks_claimed_2021").iloc[0]
    share = _q(ev, measure="share_attacks_on_taliban").iloc[0]
    assert attacks["value"] == 119 and attacks["period_start"] == "2021"
    assert share["value"] == 80 and share["unit"] == "percent"


def test_pakistan_2022_2023_and_punjab(ev: evidence.Evidence) -> None:
    pak = _q(ev, fact_key="attacks_pakistan_2022_2023").iloc[0]
    punjab = _q(ev, fact_key="attacks_punjab_2022_2023").iloc[0]
    assert (pak["value"], pak["region"], pak["period_start"], pak["period_end"]) == (
        119,
        "pakistan",
        "2022",
        "2023",
    )
    assert (punjab["value"], punjab["region"]) == (9, "pakistan/punjab")


def test_shares_22_to_55(ev: evidence.Evidence) -> None:
    values = set(_q(ev, measure="share_attacks_claimed")["value"])
    assert values == {22, 55}


def test_strength_estimates(ev: evidence.Evidence) -> None:
    rusi = _q(ev, source_id="amin_asif", measure="fighters")
    assert {(r.region, r.low, r.high) for r in rusi.itertuples()} == {
        ("pakistan", 2000, 3000),
        ("afghanistan", 7000, 8000),
    }
    pledges = _q(ev, measure="pledges").iloc[0]
    assert (pledges["low"], pledges["high"], pledges["qualifier"]) == (3750, 4000, "about_range")
    un = _q(ev, fact_key="strength_total_2023")
    assert set(un["source_id"]) == {"yip_2024", "toca_2024"}
    assert set(zip(un["low"], un["high"], strict=True)) == {(4000, 6000)}
    fighters = _q(ev, fact_key="strength_fighters_2023").iloc[0]
    assert (fighters["low"], fighters["high"], fighters["period_start"]) == (1000, 3000, "2023")


def test_vague_numbers_stay_vague(ev: evidence.Evidence) -> None:
    leaders = _q(ev, fact_key="leaders_killed_2016_2018").iloc[0]
    assert leaders["qualifier"] == "dozens" and pd.isna(leaders["value"])
    csis = _q(ev, source_id="csis_2018", measure="attacks_on_civilians").iloc[0]
    assert (csis["value"], csis["qualifier"]) == (100, "nearly")


@pytest.mark.parametrize(
    ("key", "killed", "qualifier"),
    [
        ("ghazni_2014", 100, "exact"),
        ("karachi_safoora_2015", 43, "exact"),
        ("kerman_2024", 95, "exact"),
        ("surovikino_prison_2024", 4, "exact"),
    ],
)
def test_event_tolls(ev: evidence.Evidence, key: str, killed: int, qualifier: str) -> None:
    row = _e(ev, key).iloc[0]
    assert row["killed"] == killed and row["killed_qualifier"] == qualifier


def test_events_without_or_with_other_tolls(ev: evidence.Evidence) -> None:
    jalalabad = _e(ev, "jalalabad_2015").iloc[0]
    assert pd.isna(jalalabad["killed"]) and jalalabad["casualties"] == 35
    assert jalalabad["attribution"] == "blamed"
    karachi = _e(ev, "karachi_safoora_2015").iloc[0]
    assert karachi["wounded"] == 30 and karachi["date"] == "2015-05-13"
    kunduz = _e(ev, "kunduz_mosque_2021").iloc[0]
    assert pd.isna(kunduz["killed"]) and kunduz["killed_qualifier"] == "dozens"
    bajaur = _e(ev, "bajaur_2023").iloc[0]
    assert bajaur["date"] == "2023-07-30" and pd.isna(bajaur["killed"])
    airport = _e(ev, "kabul_airport_2021")
    assert set(airport["killed"]) == {13}
    assert set(airport["killed_qualifier"]) == {"exact", "more_than"}


def test_moscow_readings(ev: evidence.Evidence) -> None:
    moscow = _e(ev, "moscow_crocus_2024")
    tolls = {(r.source_id, r.killed, r.killed_qualifier) for r in moscow.itertuples()}
    assert {
        ("yip_2024", 143, "exact"),
        ("yip_2024", 144, "exact"),
        ("yip_2024", 100, "over"),
        ("rana_2024", 150, "over"),
        ("toca_2024", 140, "about"),
    } <= tolls
    dates = set(moscow["date"].dropna())
    assert {"2024-03-25", "2024-03-22"} <= dates
    wrong = moscow[moscow["date"] == "2024-03-25"]
    assert wrong["note"].str.contains("DATE ERROR").all()


def test_waves(ev: evidence.Evidence) -> None:
    cass = ev.waves[ev.waves["definition"] == "cass_three_waves"].sort_values("phase_order")
    assert list(cass["phase"]) == ["emergence", "decline", "resurgence"]
    assert list(cass["start_text"]) == ["2015", "2019", "late 2020"]
    assert list(cass["end_text"]) == ["2019", "early 2020", "present"]
    assert pd.isna(cass["end_year"].iloc[2])
    yip = ev.waves[ev.waves["definition"] == "yip_weakened_rebuilt"]
    assert list(yip["phase"]) == ["weakened", "rebuilt"]
    emergence = ev.waves[ev.waves["definition"] == "emergence_year"]
    yip_years = set(emergence.loc[emergence["source_id"] == "yip_2024", "start_year"])
    assert yip_years == {2015, 2017}


# --------------------------------------------------------------------------- conflicts


def test_conflicts_moscow(ev: evidence.Evidence) -> None:
    c = evidence.conflicts(ev)
    moscow = c[c["key"] == "moscow_crocus_2024"]
    dates = moscow[moscow["field"] == "date"]
    pairs = {frozenset((a, b)) for a, b in zip(dates["value_a"], dates["value_b"], strict=True)}
    assert frozenset(("2024-03-25", "2024-03-22")) in pairs
    killed = moscow[moscow["field"] == "killed"]
    values = set(killed["value_a"]) | set(killed["value_b"])
    assert {"143", "144", "about 140", "over 150", "over 100"} <= values
    row = killed[(killed["value_a"] == "over 150") & (killed["value_b"] == "143")].iloc[0]
    assert row["source_id_a"] == "rana_2024" and row["source_id_b"] == "yip_2024"
    assert "over 150 people" in row["quote_a"] and "killing 143 civilians" in row["quote_b"]
    assert not row["same_source"]


def test_conflicts_other(ev: evidence.Evidence) -> None:
    c = evidence.conflicts(ev)
    airport = c[(c["key"] == "kabul_airport_2021") & (c["field"] == "killed")]
    assert len(airport) == 1 and bool(airport["same_source"].iloc[0])
    civ = c[c["key"] == "attacks_on_civilians_to_2017"]
    assert "period_start" in set(civ["field"]) and "measure" in set(civ["field"])
    # a breakdown by country (84 + 11) does not disagree with the total "nearly 100"
    assert "value" not in set(civ["field"])


def test_no_conflict_without_disagreement(tmp_path: Path) -> None:
    for name in ("sources", "quantities", "events", "waves"):
        shutil.copy(evidence.data_dir() / f"{name}.csv", tmp_path / f"{name}.csv")
    frame = pd.read_csv(tmp_path / "events.csv", dtype=str, keep_default_na=False)
    frame = frame[frame["event_key"] != "moscow_crocus_2024"]
    frame.to_csv(tmp_path / "events.csv", index=False)
    c = evidence.conflicts(evidence.load_evidence(tmp_path))
    assert "moscow_crocus_2024" not in set(c["key"])


# --------------------------------------------------------------------------- originals


def test_originals_collapse_csis_civilian_count(ev: evidence.Evidence) -> None:
    o = evidence.originals(ev.quantities)
    civ = o[o["fact_key"] == "attacks_on_civilians_to_2017"]
    assert len(civ) == 1
    row = civ.iloc[0]
    assert row["effective_original"] == "csis_2018"
    assert row["source_id"] == "csis_2018"  # represented by the original document itself
    # yip_2024's "about 100 attacks" since 2015 is not a repeat: its reference list names a
    # 2021 CSIS piece, not the 2018 backgrounder (issue 14); it has its own fact_key.
    assert set(row["merged_sources"].split(";")) == {"csis_2018", "rana_2024"}
    # "since January 2017" (CSIS) and "By January 2017" (CASS) are not one period; CSIS's
    # count is recorded in two period readings (Q007, Q039)
    assert row["n_merged"] == 4 and not bool(row["values_agree"])
    assert set(row["differs"].split(";")) == {"period_start", "period_end"}
    # every input row appears exactly once among the merged ids
    merged = [i for ids in o["merged_ids"] for i in ids.split(";")]
    assert sorted(merged) == sorted(ev.quantities["id"])


def test_originals_events(ev: evidence.Evidence) -> None:
    o = evidence.originals("events")
    moscow = o[o["event_key"] == "moscow_crocus_2024"]
    assert set(moscow["effective_original"]) == {"Haider 2024 (DAWN)", "yip_2024", "toca_2024"}
    yip = moscow[moscow["effective_original"] == "yip_2024"].iloc[0]
    assert yip["n_merged"] == 4 and not bool(yip["values_agree"])


def test_originals_rejects_other_tables(ev: evidence.Evidence) -> None:
    with pytest.raises(EvidenceError, match="quantities or events"):
        evidence.originals(ev.waves)
    with pytest.raises(EvidenceError, match="'waves'"):
        evidence.originals("waves")


# --------------------------------------------------------------------------- malformed input


def _bad_copy(tmp_path: Path, name: str, row_id: str, column: str, value: str) -> Path:
    for table in ("sources", "quantities", "events", "waves"):
        shutil.copy(evidence.data_dir() / f"{table}.csv", tmp_path / f"{table}.csv")
    path = tmp_path / f"{name}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    for row in rows:
        if row["id"] == row_id:
            row[column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("period_end", "2018-13", r"column 'period_end': expected a valid calendar date"),
        ("period_end", "2018-06", r"column 'period_end': expected YYYY because"),
        ("period_end", "18", r"column 'period_end': expected a date written"),
        (
            "qualifier",
            "approximately",
            r"column 'qualifier': expected one of exact.*'approximately'",
        ),
        ("measure", "attackz", r"column 'measure': expected one of .*'attackz'"),
        ("period_start_precision", "decade", r"column 'period_start_precision': expected one of"),
        ("source_id", "", r"column 'source_id': expected a source id; got an empty cell"),
        ("source_id", "nobody_2020", r"column 'source_id': expected one of the sources.*nobody"),
        ("value", "-207", r"column 'value': expected a non-negative count; got '-207'"),
        ("value", "many", r"column 'value': expected a non-negative number"),
        ("region", "Afghanistan", r"column 'region': expected a snake_case country"),
        ("id", "Q001", r"column 'id': duplicate id"),
    ],
)
def test_bad_quantities_rejected(tmp_path: Path, column: str, value: str, message: str) -> None:
    path = _bad_copy(tmp_path, "quantities", "Q012", column, value)
    with pytest.raises(EvidenceError, match=r"quantities\.csv, row Q0(12|01) \(line 13\), "):
        evidence.load_quantities(path)
    with pytest.raises(EvidenceError, match=message):
        evidence.load_quantities(path)


def test_low_above_high_rejected(tmp_path: Path) -> None:
    path = _bad_copy(tmp_path, "quantities", "Q002", "low", "3500")
    with pytest.raises(
        EvidenceError,
        match=r"quantities\.csv, row Q002 \(line 3\), column 'low': expected low <= high; "
        r"got low=3500 > high=3000",
    ):
        evidence.load_quantities(path)


def test_range_qualifier_needs_bounds(tmp_path: Path) -> None:
    path = _bad_copy(tmp_path, "quantities", "Q002", "high", "")
    with pytest.raises(EvidenceError, match=r"row Q002 \(line 3\), column 'qualifier'"):
        evidence.load_quantities(path)


def test_open_precision_with_date_rejected(tmp_path: Path) -> None:
    path = _bad_copy(tmp_path, "quantities", "Q013", "period_start", "2019")
    with pytest.raises(EvidenceError, match=r"row Q013 \(line 14\), column 'period_start'"):
        evidence.load_quantities(path)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("killed", "-1", r"column 'killed': expected a non-negative count"),
        ("killed", "1.5", r"column 'killed': expected an integer"),
        ("date", "2015-02-30", r"column 'date': expected a valid calendar date"),
        ("date", "2015-05", r"column 'date': expected YYYY-MM-DD because"),
        ("attribution", "rumoured", r"column 'attribution': expected one of claimed"),
        ("killed_qualifier", "lots", r"column 'killed_qualifier': expected one of"),
    ],
)
def test_bad_events_rejected(tmp_path: Path, column: str, value: str, message: str) -> None:
    path = _bad_copy(tmp_path, "events", "E004", column, value)
    with pytest.raises(EvidenceError, match=r"events\.csv, row E004 \(line 5\), " + message):
        evidence.load_events(path)


def test_bad_waves_rejected(tmp_path: Path) -> None:
    path = _bad_copy(tmp_path, "waves", "W002", "phase", "collapse")
    with pytest.raises(EvidenceError, match=r"waves\.csv, row W002 \(line 3\), column 'phase'"):
        evidence.load_waves(path)
    path = _bad_copy(tmp_path, "waves", "W002", "start_year", "2021")
    with pytest.raises(EvidenceError, match=r"row W002 \(line 3\), column 'start_year'"):
        evidence.load_waves(path)


def test_missing_column_rejected(tmp_path: Path) -> None:
    frame = pd.read_csv(evidence.data_dir() / "quantities.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "quantities.csv"
    frame.drop(columns=["qualifier"]).to_csv(path, index=False)
    with pytest.raises(
        EvidenceError,
        match=r"quantities\.csv, header \(line 1\), column 'qualifier': required column missing",
    ):
        evidence.load_quantities(path, sources=["csis_2018"])


def test_missing_file_and_error_hierarchy(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="not found") as info:
        evidence.load_events(tmp_path / "events.csv")
    assert isinstance(info.value, LifecycleError) and isinstance(info.value, ValueError)


def test_extra_columns_are_kept(tmp_path: Path) -> None:
    frame = pd.read_csv(evidence.data_dir() / "waves.csv", dtype=str, keep_default_na=False)
    frame["reviewer"] = "x"
    path = tmp_path / "waves.csv"
    frame.to_csv(path, index=False)
    loaded = evidence.load_waves(path, sources=evidence.load_sources())
    assert "reviewer" in loaded.columns and len(loaded) == len(frame)

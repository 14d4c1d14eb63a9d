"""Tests of the GTD, ACLED and UCDP GED loaders and of events → series.

Every file is built here in its real schema (column names from the START, ACLED and
UCDP codebooks); no real database is shipped.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifecycle._core.errors import (
    EmptySeriesError,
    FileFormatError,
    GridError,
    LifecycleWarning,
    ParameterError,
)
from lifecycle.events import (
    EVENT_COLUMNS,
    EventTable,
    events_to_series,
    filter_events,
    read_acled,
    read_gtd,
    read_ucdp_ged,
    series_exclusions,
)

GTD_COLUMNS = [
    "eventid", "iyear", "imonth", "iday", "approxdate", "extended", "country", "country_txt",
    "region_txt", "provstate", "city", "gname", "gname2", "gname3", "nkill", "nwound",
    "attacktype1_txt", "targtype1_txt", "success", "suicide", "doubtterr", "claimed",
]  # fmt: skip


def gtd_row(eventid: str, y: int, m: int, d: int, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "eventid": eventid, "iyear": y, "imonth": m, "iday": d, "approxdate": "",
        "extended": 0, "country": 4, "country_txt": "Afghanistan", "region_txt": "South Asia",
        "provstate": "Nangarhar", "city": "Jalalabad", "gname": "Group A", "gname2": "",
        "gname3": "", "nkill": 1, "nwound": 0, "attacktype1_txt": "Bombing/Explosion",
        "targtype1_txt": "Private Citizens & Property", "success": 1, "suicide": 0,
        "doubtterr": 0, "claimed": 0,
    }  # fmt: skip
    row.update(kw)
    return row


def write_csv(
    path: Path,
    rows: list[dict[str, object]],
    columns: list[str] | None = None,
    *,
    encoding: str = "utf-8",
) -> Path:
    columns = columns or list(rows[0])
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({c: r.get(c, "") for c in columns})
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


# GTD sample: 1992 and 1994 (no 1993, as in the real GTD), data end on 1994-06-30.
GTD_ROWS = [
    gtd_row("199201050001", 1992, 1, 5, country_txt="Côte d'Ivoire", nkill=2, claimed=1),
    gtd_row("199201200001", 1992, 1, 20, gname="Group B", gname2="Group A", nkill=""),
    gtd_row("199203000001", 1992, 3, 0, nkill=-9, nwound=-99, claimed=-9),
    gtd_row("199200000001", 1992, 0, 0, nkill=3),
    gtd_row("199207140001", 1992, 7, 14, doubtterr=1, nkill=0),
    gtd_row("199207140002", 1992, 7, 14, gname="Group C", nkill=10),
    gtd_row("199402010001", 1994, 2, 1, nkill=1, doubtterr=-9),
    gtd_row("199406300001", 1994, 6, 30, gname="Group C", country_txt="Pakistan", nkill=4),
]


@pytest.fixture
def gtd_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "gtd.csv", GTD_ROWS, GTD_COLUMNS, encoding="iso-8859-1")


@pytest.fixture
def gtd(gtd_file: Path) -> EventTable:
    return read_gtd(gtd_file)


def by_label(series) -> dict[object, tuple[float, float, float]]:
    """{period label: (low, high, exposure)} for single-period observations."""
    return {
        series._lab(s): (lo, hi, float(w.sum()))
        for s, lo, hi, w in zip(series.start, series.low, series.high, series.weights, strict=True)
    }


# ---------------------------------------------------------------------- GTD reading
def test_gtd_iso_8859_1_is_detected_and_decoded(gtd: EventTable) -> None:
    assert gtd.encoding == "iso-8859-1"
    assert "Côte d'Ivoire" in set(gtd.events["country"])
    assert any("ISO-8859-1" in n for n in gtd.notes)
    assert list(gtd.events.columns) == list(EVENT_COLUMNS)
    assert len(gtd) == 8 and gtd.n_read == 8 and len(gtd.excluded) == 0


def test_gtd_utf8_with_byte_order_mark(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bom.csv", GTD_ROWS, GTD_COLUMNS, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = read_gtd(path)
    assert table.encoding == "utf-8-sig"
    assert table.events["event_id"].iloc[0] == "199201050001"
    assert "Côte d'Ivoire" in set(table.events["country"])


def test_gtd_plain_utf8_and_user_encoding(tmp_path: Path) -> None:
    utf8 = write_csv(tmp_path / "u.csv", GTD_ROWS, GTD_COLUMNS, encoding="utf-8")
    assert read_gtd(utf8).encoding == "utf-8"
    latin = write_csv(tmp_path / "l.csv", GTD_ROWS, GTD_COLUMNS, encoding="iso-8859-1")
    table = read_gtd(latin, encoding="cp1252")
    assert table.encoding == "cp1252"
    assert "Côte d'Ivoire" in set(table.events["country"])
    with pytest.raises(FileFormatError, match=r"l\.csv: cannot be decoded as utf-8"):
        read_gtd(latin, encoding="utf-8")
    with pytest.raises(ParameterError, match=r"'encoding' parameter.*'klingon'"):
        read_gtd(latin, encoding="klingon")


def test_gtd_unknown_month_and_day(gtd: EventTable) -> None:
    ev = gtd.events.set_index("event_id")
    assert ev.loc["199203000001", "date_precision"] == "month"
    assert ev.loc["199203000001", "date"] == pd.Timestamp("1992-03-01")
    assert ev.loc["199203000001", "month"] == 3
    assert ev.loc["199200000001", "date_precision"] == "year"
    assert ev.loc["199200000001", "date"] == pd.Timestamp("1992-01-01")
    assert pd.isna(ev.loc["199200000001", "month"])
    assert ev.loc["199201050001", "date_precision"] == "day"


def test_gtd_missing_codes_are_unknown_not_zero(gtd: EventTable) -> None:
    ev = gtd.events.set_index("event_id")
    for eid in ("199201200001", "199203000001"):  # blank and -9
        assert np.isnan(ev.loc[eid, "killed"])
        assert ev.loc[eid, "killed_low"] == 0 and np.isinf(ev.loc[eid, "killed_high"])
    assert np.isnan(ev.loc["199203000001", "wounded"])  # -99
    assert pd.isna(ev.loc["199203000001", "claimed"])  # -9
    assert ev.loc["199201050001", "claimed"] == True  # noqa: E712
    assert pd.isna(ev.loc["199402010001", "doubtful"])  # doubtterr -9
    assert ev.loc["199207140001", "killed"] == 0  # a real zero stays zero
    assert any("2 events have an unknown killed count" in n for n in gtd.notes)


def test_gtd_1993_is_recorded_as_no_data(gtd: EventTable) -> None:
    assert gtd.coverage.no_data_years == (1993,)
    assert gtd.coverage.first_date == pd.Timestamp("1992-01-01")
    assert gtd.coverage.last_date == pd.Timestamp("1994-06-30")


def test_gtd_file_holding_1993_events_does_not_mark_it_missing(tmp_path: Path) -> None:
    rows = [*GTD_ROWS, gtd_row("199305050001", 1993, 5, 5)]
    table = read_gtd(write_csv(tmp_path / "g.csv", rows, GTD_COLUMNS))
    assert table.coverage.no_data_years == ()
    assert any("1 events dated 1993" in n for n in table.notes)
    s = events_to_series(table)
    assert by_label(s)[1993] == (1.0, 1.0, 1.0)


# ---------------------------------------------------------------------- GTD filters
def test_filter_gname_only_or_all_three(gtd: EventTable) -> None:
    primary = filter_events(gtd, actor="Group A")
    every = filter_events(gtd, actor="Group A", actor_fields="all")
    assert len(primary) == 5  # gname only
    assert len(every) == 6  # and the gname2 event
    assert "199201200001" in set(every.events["event_id"])
    assert len(primary.excluded) == 3
    assert set(primary.excluded["reason"]) == {"not matched: actor='Group A' (in gname)"}
    assert len(every.excluded) == 2


def test_filter_regex_list_country_event_type(gtd: EventTable) -> None:
    assert len(filter_events(gtd, actor=re.compile(r"group [bc]", re.I))) == 3
    assert len(filter_events(gtd, actor=["Group B", "Group C"])) == 3
    t = filter_events(gtd, country="Côte d'Ivoire")
    assert t.events["event_id"].tolist() == ["199201050001"]
    with pytest.warns(LifecycleWarning, match="matched no event"):
        t = filter_events(gtd, event_type="Armed Assault")
    assert len(t) == 0 and len(t.excluded) == 8


def test_filter_exclude_doubtful_counted_with_reason(gtd: EventTable) -> None:
    t = filter_events(gtd, actor="Group A", exclude_doubtful=True)
    assert len(t) == 4  # doubtterr=1 out; doubtterr=-9 (unknown) kept
    report = t.report().set_index("reason")["events"]
    assert report["doubtful: doubtterr=1"] == 1
    assert report["not matched: actor='Group A' (in gname)"] == 3
    assert report["data rows in the file"] == 8
    assert report["events in the table"] == 4
    assert t.filters == ("actor='Group A' (in gname)", "doubtful events excluded")


def test_filter_matching_nothing_warns_with_closest_names(gtd: EventTable) -> None:
    with pytest.warns(LifecycleWarning, match=r"matched no event.*'Group A'"):
        t = filter_events(gtd, actor="Group  A.")
    assert len(t) == 0


def test_filter_bad_arguments(gtd: EventTable) -> None:
    with pytest.raises(ParameterError, match="'actor_fields' parameter of filter_events"):
        filter_events(gtd, actor="Group A", actor_fields="gname2")
    with pytest.raises(TypeError, match="'actor' parameter of filter_events"):
        filter_events(gtd, actor=5)
    with pytest.raises(ParameterError, match="must not be blank"):
        filter_events(gtd, country=" ")


# ---------------------------------------------------------------------- GTD series
def test_yearly_attacks_1993_missing_and_partial_last_year(gtd: EventTable) -> None:
    s = events_to_series(filter_events(gtd, actor="Group A", actor_fields="all"))
    assert s.freq == "year" and s.measure[0] == "attacks"
    assert s.labels == [1992, 1993, 1994]
    assert s.missing() == [1993]  # missing, not zero
    got = by_label(s)
    assert got[1992] == (5.0, 5.0, 1.0)
    # data end on 1994-06-30: 181 of 365 days
    assert got[1994][:2] == (1.0, 1.0)
    assert got[1994][2] == pytest.approx(181 / 365)
    assert "gtd:199201200001" in s.provenance[0]


def test_all_groups_series_uses_the_unfiltered_coverage(gtd: EventTable) -> None:
    t = filter_events(gtd, actor="Group B")  # only a 1992 event
    s = events_to_series(t)
    got = by_label(s)
    assert got[1992] == (1.0, 1.0, 1.0)
    assert got[1994][:2] == (0.0, 0.0)  # observed zero: the data cover 1994
    assert got[1994][2] == pytest.approx(181 / 365)
    assert s.missing() == [1993]


def test_last_date_override_and_end_beyond_data(gtd: EventTable) -> None:
    s = events_to_series(gtd, last_date="1994-12-31")
    assert by_label(s)[1994] == (2.0, 2.0, 1.0)
    s = events_to_series(gtd, end=1996)
    assert s.missing() == [1993, 1995, 1996]
    s = events_to_series(gtd, start=1990)
    assert s.missing() == [1990, 1991, 1993]  # before the data start: missing
    with pytest.raises(ParameterError, match=r"data end on 1994-03-31.*1994-06-30"):
        events_to_series(gtd, last_date="1994-03-31")
    with pytest.raises(ParameterError, match=r"'last_date' parameter.*'soon'"):
        events_to_series(gtd, last_date="soon")
    with pytest.raises(ParameterError, match="start 1995 is after end 1994"):
        events_to_series(gtd, start=1995, end=1994)


def test_start_end_exclusions_are_listed_but_not_warned(gtd: EventTable) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = events_to_series(gtd, start=1994)
    assert s.labels == [1994]
    out = series_exclusions(gtd, start=1994)
    assert len(out) == 6
    assert set(out["reason"]) == {"before the series start 1994"}


def test_deaths_series_with_unknown_tolls_is_a_lower_bound(gtd: EventTable) -> None:
    t = filter_events(gtd, actor="Group A", actor_fields="all")
    s = events_to_series(t, measure="killed")
    got = by_label(s)
    assert got[1992][0] == 2 + 3 + 0 and np.isinf(got[1992][1])
    assert got[1994][:2] == (1.0, 1.0)
    s = events_to_series(filter_events(gtd, actor="Group C"), measure="killed")
    assert by_label(s)[1992][:2] == (10.0, 10.0)  # every toll known: exact
    s = events_to_series(t, measure="wounded")
    assert by_label(s)[1992][0] == 0 and np.isinf(by_label(s)[1992][1])  # nwound -99


def test_claimed_and_countries_measures(gtd: EventTable) -> None:
    s = events_to_series(gtd, measure="claimed")
    assert by_label(s)[1992][:2] == (1.0, 2.0)  # one claimed, one unknown
    s = events_to_series(gtd, measure="countries")
    assert by_label(s)[1992][:2] == (2.0, 2.0)
    assert by_label(s)[1994][:2] == (2.0, 2.0)


def test_monthly_series_reports_unknown_months(gtd: EventTable) -> None:
    t = filter_events(gtd, actor="Group A", actor_fields="all")
    with pytest.warns(LifecycleWarning, match=r"1 of 6 events left out.*known only to the year"):
        s = events_to_series(t, freq="month")
    got = by_label(s)
    assert got["1992-01"][:2] == (2.0, 2.0)
    assert got["1992-02"][:2] == (0.0, 0.0)
    assert got["1992-03"][:2] == (1.0, 1.0)  # iday=0 is fine monthly
    assert got["1992-07"][:2] == (1.0, 1.0)
    assert got["1994-02"][:2] == (1.0, 1.0)
    assert s.labels[-1] == "1994-06" and got["1994-06"][2] == 1.0
    assert s.missing() == [f"1993-{m:02d}" for m in range(1, 13)]
    assert sum(lo for lo, _, _ in got.values()) == 5  # 6 events, 1 reported out
    out = series_exclusions(t, freq="month")
    assert out["event_id"].tolist() == ["199200000001"]
    assert "cannot be placed in a monthly series" in out["reason"].iloc[0]
    with pytest.raises(GridError, match="1 of 6 events left out"):
        events_to_series(t, freq="month", strict=True)


def test_monthly_partial_last_month(gtd: EventTable) -> None:
    with pytest.warns(LifecycleWarning):
        s = events_to_series(gtd, freq="month", last_date="1994-07-10")
    assert by_label(s)["1994-07"] == (0.0, 0.0, pytest.approx(10 / 31))


def test_series_parameter_errors(gtd: EventTable) -> None:
    with pytest.raises(ParameterError, match="'measure' parameter of events_to_series"):
        events_to_series(gtd, measure="deaths")
    with pytest.raises(ParameterError, match="'freq' parameter"):
        events_to_series(gtd, freq="week")
    with pytest.raises(TypeError, match="Expected an EventTable"):
        events_to_series(pd.DataFrame())
    with pytest.warns(LifecycleWarning):
        empty = filter_events(gtd, actor="Nobody")
    with pytest.raises(EmptySeriesError, match=r"Pass start=\.\.\. for an all-zero series"):
        events_to_series(empty)
    s = events_to_series(empty, start=1994)
    assert by_label(s)[1994][:2] == (0.0, 0.0)
    with pytest.raises(EmptySeriesError, match="cover no period"):
        events_to_series(gtd, start=1993, end=1993)


# ---------------------------------------------------------------------- GTD broken files
def test_gtd_missing_required_column(tmp_path: Path) -> None:
    cols = [c for c in GTD_COLUMNS if c != "gname"]
    path = write_csv(tmp_path / "nog.csv", GTD_ROWS, cols)
    with pytest.raises(FileFormatError, match=r"nog\.csv: not a GTD export.*'gname' missing"):
        read_gtd(path)


def test_gtd_unparseable_dates(tmp_path: Path) -> None:
    rows = [*GTD_ROWS[:2], gtd_row("199202300001", 1992, 2, 30)]
    path = write_csv(tmp_path / "d.csv", rows, GTD_COLUMNS)
    with pytest.raises(FileFormatError, match=r"1992/2/30 in data row 3 .*not a calendar date"):
        read_gtd(path)
    rows = [*GTD_ROWS[:1], gtd_row("x", "199x", 2, 3)]
    path = write_csv(tmp_path / "y.csv", rows, GTD_COLUMNS)
    with pytest.raises(FileFormatError, match=r"y\.csv: column 'iyear'.*'199x' in data row 2"):
        read_gtd(path)
    rows = [gtd_row("x", 1992, 13, 3)]
    path = write_csv(tmp_path / "m.csv", rows, GTD_COLUMNS)
    with pytest.raises(FileFormatError, match=r"column 'imonth'.*'13' in data row 1"):
        read_gtd(path)
    rows = [gtd_row("x", "", 1, 3)]
    path = write_csv(tmp_path / "b.csv", rows, GTD_COLUMNS)
    with pytest.raises(FileFormatError, match=r"column 'iyear' is blank in data row 1"):
        read_gtd(path)


def test_gtd_bad_counts_and_flags(tmp_path: Path) -> None:
    rows = [GTD_ROWS[0], gtd_row("199201010009", 1992, 1, 1, nkill=-3)]
    path = write_csv(tmp_path / "n.csv", rows, GTD_COLUMNS)
    with pytest.raises(
        FileFormatError, match=r"column 'nkill'.*negative value '-3' in data row 2 "
    ):
        read_gtd(path)
    path = write_csv(tmp_path / "h.csv", [gtd_row("1", 1992, 1, 1, nkill=1.5)], GTD_COLUMNS)
    with pytest.raises(FileFormatError, match=r"column 'nkill'.*non-integer '1.5'"):
        read_gtd(path)
    path = write_csv(tmp_path / "f.csv", [gtd_row("1", 1992, 1, 1, doubtterr=2)], GTD_COLUMNS)
    with pytest.raises(FileFormatError, match=r"column 'doubtterr' must hold 0 or 1"):
        read_gtd(path)


def test_gtd_empty_missing_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(FileFormatError, match=r"empty\.csv: the file is empty"):
        read_gtd(empty)
    header = tmp_path / "header.csv"
    header.write_text(",".join(GTD_COLUMNS) + "\n")
    with pytest.raises(FileFormatError, match="header but no rows"):
        read_gtd(header)
    with pytest.raises(FileFormatError, match="No such file"):
        read_gtd(tmp_path / "nothere.csv")


def test_gtd_duplicates(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dup.csv", [*GTD_ROWS, GTD_ROWS[0]], GTD_COLUMNS)
    table = read_gtd(path)
    assert len(table) == 8 and table.n_read == 9
    assert table.excluded["reason"].tolist() == ["exact duplicate of an earlier row"]
    assert table.excluded["row"].tolist() == [9]
    clash = dict(GTD_ROWS[0], nkill=7)
    path = write_csv(tmp_path / "clash.csv", [*GTD_ROWS, clash], GTD_COLUMNS)
    with pytest.raises(FileFormatError, match=r"'199201050001' appears in data rows \[1, 9\]"):
        read_gtd(path)


def test_gtd_xlsx_needs_openpyxl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "openpyxl" else real(n, *a)
    )
    path = tmp_path / "gtd.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(ImportError, match="needs the optional package openpyxl"):
        read_gtd(path)


def test_gtd_optional_columns_absent(tmp_path: Path) -> None:
    cols = ["eventid", "iyear", "imonth", "iday", "country_txt", "gname"]
    table = read_gtd(write_csv(tmp_path / "min.csv", GTD_ROWS, cols))
    assert np.isinf(table.events["killed_high"]).all()
    with pytest.raises(ParameterError, match="'killed' needs death counts"):
        events_to_series(table, measure="killed")
    with pytest.raises(ParameterError, match="needs a doubt flag"):
        filter_events(table, exclude_doubtful=True)


# ---------------------------------------------------------------------- ACLED
ACLED_COLUMNS = [
    "EVENT_ID_CNTY", "EVENT_DATE", "YEAR", "TIME_PRECISION", "DISORDER_TYPE", "EVENT_TYPE",
    "SUB_EVENT_TYPE", "ACTOR1", "ASSOC_ACTOR_1", "INTER1", "ACTOR2", "ASSOC_ACTOR_2",
    "INTERACTION", "REGION", "COUNTRY", "ADMIN1", "ADMIN2", "LOCATION", "LATITUDE",
    "LONGITUDE", "SOURCE", "NOTES", "FATALITIES",
]  # fmt: skip
ISKP = "Islamic State (Afghanistan)"


def acled_row(eid: str, date: str, year: int, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {
        "EVENT_ID_CNTY": eid, "EVENT_DATE": date, "YEAR": year, "TIME_PRECISION": 1,
        "DISORDER_TYPE": "Political violence", "EVENT_TYPE": "Explosions/Remote violence",
        "SUB_EVENT_TYPE": "Remote explosive/landmine/IED", "ACTOR1": ISKP,
        "ASSOC_ACTOR_1": "", "INTER1": 2, "ACTOR2": "Civilians (Afghanistan)",
        "ASSOC_ACTOR_2": "", "INTERACTION": 27, "REGION": "Caspian", "COUNTRY": "Afghanistan",
        "ADMIN1": "Kabul", "ADMIN2": "Kabul", "LOCATION": "Kabul", "LATITUDE": 34.5,
        "LONGITUDE": 69.2, "SOURCE": "Pajhwok", "NOTES": "On 3 January, an IED, exploded",
        "FATALITIES": 0,
    }  # fmt: skip
    row.update(kw)
    return row


ACLED_ROWS = [
    acled_row("AFG1", "2020-01-03", 2020, FATALITIES=4),
    acled_row("AFG2", "15 January 2020", 2020, FATALITIES=""),
    acled_row("AFG3", "2020-02-10", 2020, ASSOC_ACTOR_1="Group X; Group Y", ACTOR1="Other"),
    acled_row("AFG4", "01 March 2020", 2020, TIME_PRECISION=3, EVENT_TYPE="Battles"),
    acled_row("AFG5", "2020-03-20", 2020, ACTOR1="Taliban", ACTOR2=ISKP, EVENT_TYPE="Battles"),
    acled_row("PAK1", "2020-04-02", 2020, COUNTRY="Pakistan", FATALITIES=2),
]


@pytest.fixture
def acled(tmp_path: Path) -> EventTable:
    return read_acled(write_csv(tmp_path / "acled.csv", ACLED_ROWS, ACLED_COLUMNS))


def test_acled_upper_case_columns_and_date_formats(acled: EventTable) -> None:
    ev = acled.events.set_index("event_id")
    assert ev.loc["AFG2", "date"] == pd.Timestamp("2020-01-15")
    assert ev.loc["AFG4", "date_precision"] == "month"
    assert ev.loc["AFG3", "actors"] == ("Other", "Group X", "Group Y")
    assert ev.loc["AFG5", "counterparts"] == (ISKP,)
    assert np.isnan(ev.loc["AFG2", "killed"]) and np.isinf(ev.loc["AFG2", "killed_high"])
    assert acled.coverage.no_data_years == ()
    assert acled.coverage.last_date == pd.Timestamp("2020-04-02")


def test_acled_actor_fields_and_monthly_counts(acled: EventTable) -> None:
    assert len(filter_events(acled, actor=ISKP)) == 4
    assert len(filter_events(acled, actor="Group Y", actor_fields="all")) == 1
    both = filter_events(acled, actor=ISKP, actor_fields="any_side")
    assert len(both) == 5
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # month precision is fine monthly
        s = events_to_series(both, freq="month")
    got = by_label(s)
    assert [got[m][0] for m in ("2020-01", "2020-02", "2020-03", "2020-04")] == [2, 0, 2, 1]
    assert got["2020-04"][2] == pytest.approx(2 / 30)  # data end on 2 April
    s = events_to_series(filter_events(acled, actor=ISKP), measure="killed")
    assert by_label(s)[2020][0] == 4 + 0 + 2 and np.isinf(by_label(s)[2020][1])
    t = filter_events(acled, country="Afghanistan", event_type="Battles")
    assert t.events["event_id"].tolist() == ["AFG4", "AFG5"]
    with pytest.raises(ParameterError, match=r"'wounded' needs wounded counts.*ACLED"):
        events_to_series(acled, measure="wounded")
    with pytest.raises(ParameterError, match=r"needs a doubt flag.*ACLED"):
        filter_events(acled, exclude_doubtful=True)


def test_acled_broken_files(tmp_path: Path) -> None:
    cols = [c for c in ACLED_COLUMNS if c != "EVENT_DATE"]
    with pytest.raises(FileFormatError, match=r"not an ACLED export.*'event_date' missing"):
        read_acled(write_csv(tmp_path / "a.csv", ACLED_ROWS, cols))
    rows = [*ACLED_ROWS[:2], acled_row("AFG9", "2020-02-31", 2020)]
    with pytest.raises(
        FileFormatError, match=r"b\.csv: column 'event_date'.*'2020-02-31' in data row 3"
    ):
        read_acled(write_csv(tmp_path / "b.csv", rows, ACLED_COLUMNS))
    rows = [acled_row("AFG9", "last Tuesday", 2020)]
    with pytest.raises(FileFormatError, match=r"'last Tuesday' in data row 1 \(event AFG9\)"):
        read_acled(write_csv(tmp_path / "c.csv", rows, ACLED_COLUMNS))
    rows = [*ACLED_ROWS[:1], acled_row("AFG9", "2020-01-05", 2020, FATALITIES=-1)]
    with pytest.raises(FileFormatError, match=r"'fatalities'.*negative value '-1' in data row 2"):
        read_acled(write_csv(tmp_path / "d.csv", rows, ACLED_COLUMNS))
    rows = [acled_row("AFG9", "2020-01-05", 2019)]
    with pytest.raises(FileFormatError, match="'year' says 2019 but event_date says"):
        read_acled(write_csv(tmp_path / "e.csv", rows, ACLED_COLUMNS))
    rows = [acled_row("", "2020-01-05", 2020)]
    with pytest.raises(FileFormatError, match="'event_id_cnty' is blank in data row 1"):
        read_acled(write_csv(tmp_path / "f.csv", rows, ACLED_COLUMNS))


# ---------------------------------------------------------------------- UCDP GED
UCDP_COLUMNS = [
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_new_id",
    "conflict_name", "dyad_name", "side_a", "side_b", "where_prec", "adm_1", "latitude",
    "longitude", "country", "region", "event_clarity", "date_prec", "date_start", "date_end",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low",
]  # fmt: skip


def ucdp_row(i: int, start: str, end: str, best: int, low: int, high: int, **kw: object):
    year = int(start[:4]) if start[:4].isdigit() else ""
    row: dict[str, object] = {
        "id": i, "relid": f"AFG-{i}", "year": year, "active_year": 1,
        "code_status": "Clear", "type_of_violence": 3, "conflict_new_id": 14079,
        "conflict_name": "IS - Civilians", "dyad_name": "IS - Civilians",
        "side_a": "IS", "side_b": "Civilians", "where_prec": 1, "adm_1": "Nangarhar province",
        "latitude": 34.4, "longitude": 70.4, "country": "Afghanistan", "region": "Asia",
        "event_clarity": 1, "date_prec": 1, "date_start": start, "date_end": end,
        "deaths_a": 0, "deaths_b": 0, "deaths_civilians": best, "deaths_unknown": 0,
        "best": best, "high": high, "low": low,
    }  # fmt: skip
    row.update(kw)
    return row


UCDP_ROWS = [
    ucdp_row(1, "2017-01-05 00:00:00.000", "2017-01-05 00:00:00.000", 3, 2, 5),
    ucdp_row(2, "2017-01-10", "2017-01-20", 10, 10, 12),
    ucdp_row(3, "2017-03-30", "2017-04-02", 1, 1, 1, type_of_violence=1, side_a="Government"),
    ucdp_row(4, "2017-12-30", "2018-01-02", 6, 6, 6),
    ucdp_row(5, "2018-02-01", "2018-02-01", 0, 0, 4),
]


@pytest.fixture
def ucdp(tmp_path: Path) -> EventTable:
    return read_ucdp_ged(write_csv(tmp_path / "ged.csv", UCDP_ROWS, UCDP_COLUMNS))


def test_ucdp_intervals_precision_and_types(ucdp: EventTable) -> None:
    ev = ucdp.events.set_index("event_id")
    assert ev["date_precision"].tolist() == ["day", "month", "year", "multi-year", "day"]
    assert ev["event_type"].tolist() == ["one-sided"] * 2 + ["state-based"] + ["one-sided"] * 2
    assert ev.loc["1", ["killed", "killed_low", "killed_high"]].tolist() == [3, 2, 5]
    assert ev.loc["1", "date"] == pd.Timestamp("2017-01-05")
    assert ev.loc["5", "admin1"] == "Nangarhar province"


def test_ucdp_series(ucdp: EventTable) -> None:
    t = filter_events(ucdp, actor="IS", event_type="one-sided")
    assert len(t) == 4
    s = events_to_series(t, measure="killed")  # event 4 spans 2017-12-30 .. 2018-01-02
    got = by_label(s)
    assert got[2017][:2] == (12.0, 23.0)  # exact 2+10 .. 5+12, and event 4 may add 6
    assert got[2018][:2] == (0.0, 10.0)  # exact 0 .. 4, and event 4 may add 6
    assert got[2018][2] == pytest.approx(32 / 365)  # data end 2018-02-01
    assert "ucdp_ged:4" in s.provenance[0] and "ucdp_ged:4" in s.provenance[1]
    s = events_to_series(t, measure="killed_best")
    assert by_label(s)[2017][:2] == (13.0, 19.0)
    s = events_to_series(t)  # attacks: [exact, exact + spanning]
    assert by_label(s)[2017][:2] == (2.0, 3.0) and by_label(s)[2018][:2] == (1.0, 2.0)
    s = events_to_series(ucdp, freq="month")
    got = by_label(s)
    assert got["2017-01"][:2] == (2.0, 2.0) and got["2018-02"][:2] == (1.0, 1.0)
    assert got["2017-02"][:2] == (0.0, 0.0)
    for month in ("2017-03", "2017-04", "2017-12", "2018-01"):  # events 3 and 4 span two
        assert got[month][:2] == (0.0, 1.0)
    assert series_exclusions(ucdp, freq="month").empty


def test_ucdp_broken_files(tmp_path: Path) -> None:
    cols = [c for c in UCDP_COLUMNS if c not in ("low", "high")]
    with pytest.raises(FileFormatError, match=r"UCDP GED export.*'low', 'high' missing"):
        read_ucdp_ged(write_csv(tmp_path / "a.csv", UCDP_ROWS, cols))
    rows = [ucdp_row(1, "2017-01-05", "2017-01-04", 1, 1, 1)]
    with pytest.raises(FileFormatError, match="date_end '2017-01-04' precedes date_start"):
        read_ucdp_ged(write_csv(tmp_path / "b.csv", rows, UCDP_COLUMNS))
    rows = [*UCDP_ROWS[:1], ucdp_row(2, "2017-01-05", "2017-01-05", 5, 6, 7)]
    with pytest.raises(FileFormatError, match=r"low = 6 exceeds best = 5 in data row 2"):
        read_ucdp_ged(write_csv(tmp_path / "c.csv", rows, UCDP_COLUMNS))
    rows = [ucdp_row(1, "05/01/2017", "2017-01-05", 1, 1, 1, year=2017)]
    with pytest.raises(FileFormatError, match=r"'date_start'.*'05/01/2017' in data row 1"):
        read_ucdp_ged(write_csv(tmp_path / "d.csv", rows, UCDP_COLUMNS))
    rows = [ucdp_row(1, "2017-01-05", "2017-01-05", 1, 1, 1, type_of_violence=4)]
    with pytest.raises(FileFormatError, match=r"'type_of_violence' must hold 1, 2 or 3"):
        read_ucdp_ged(write_csv(tmp_path / "e.csv", rows, UCDP_COLUMNS))
    rows = [ucdp_row(1, "2017-01-05", "2017-01-05", 1, 1, 1, year=2016)]
    with pytest.raises(FileFormatError, match="'year' says 2016 but date_start"):
        read_ucdp_ged(write_csv(tmp_path / "f.csv", rows, UCDP_COLUMNS))
    rows = [ucdp_row(1, "2017-01-05", "2017-01-05", -2, 0, 0)]
    with pytest.raises(FileFormatError, match=r"'best'.*negative value '-2' in data row 1"):
        read_ucdp_ged(write_csv(tmp_path / "g.csv", rows, UCDP_COLUMNS))


# ---------------------------------------------------------------------- properties
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([1990, 1991, 1992, 1994, 1995]),
            st.integers(0, 12),
            st.integers(0, 28),
            st.sampled_from(["A", "B"]),
        ),
        min_size=1,
        max_size=25,
    ),
    st.sampled_from(["year", "month"]),
)
def test_every_event_is_counted_or_reported(tmp_path: Path, rows, freq: str) -> None:
    data = [gtd_row(f"{k:012d}", y, m, d, gname=g) for k, (y, m, d, g) in enumerate(rows, start=1)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LifecycleWarning)  # actor "A" may match nothing
        table = read_gtd(write_csv(tmp_path / "p.csv", data, GTD_COLUMNS))
        table = filter_events(table, actor="A")
        assert len(table) + len(table.excluded) == len(rows)
        if len(table) == 0:
            return
        try:
            s = events_to_series(table, freq=freq)
        except EmptySeriesError:
            return
        out = series_exclusions(table, freq=freq)
    assert s.low.sum() + len(out) == len(table)  # every event counted or reported
    in_1993 = [lab for lab in s.labels if str(lab).startswith("1993")]
    assert set(in_1993) <= set(s.missing())  # 1993 never observed, never zero

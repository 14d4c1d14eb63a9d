"""A catalogue of bad and edge inputs: files, numbers and sizes at the edges (issue 15).

Every case names the error type and a fragment of its message, and runs twice: through
the API, and through the command line, which must exit non-zero with one line on stderr
and no traceback. Edge inputs that have a right answer are pinned to that answer. The
first round's cases (counts, periods, exposures, parameters of every public function)
live in ``test_bad_input.py``; the seeded fuzz test of the file readers is in
``test_fuzz_readers.py``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import lifecycle.changepoints as cp
import lifecycle.inference as resurgence
from lifecycle import errors
from lifecycle._core.errors import (
    CountError,
    EmptySeriesError,
    ExposureError,
    FileFormatError,
    GridError,
    LifecycleError,
    MissingDependencyError,
    ParameterError,
)
from lifecycle.cli import main
from lifecycle.events import events_to_series, read_acled, read_gtd, read_ucdp_ged
from lifecycle.inference import simulate
from lifecycle.series import CountSeries

GTD_HEAD = "eventid,iyear,imonth,iday,country_txt,gname,nkill\n"
GTD_OK = "1,2015,1,5,Afghanistan,ISK,3\n2,2016,2,0,Afghanistan,ISK,1\n"
ACLED_HEAD = "event_id_cnty,event_date,event_type,actor1,country,fatalities\n"
UCDP_HEAD = "id,year,type_of_violence,side_a,side_b,country,date_start,date_end,best,low,high\n"
YEARS = "".join(f"{2000 + k},{3 + k % 4}\n" for k in range(12))


@dataclass(frozen=True)
class FileCase:
    """A file, the reader it goes to, and the error it must give."""

    kind: str  # "series", "gtd", "acled", "ucdp"
    text: str | bytes
    error: type[Exception]
    match: str
    suffix: str = ".csv"

    def write(self, folder: Path) -> Path:
        path = folder / f"case{self.suffix}"
        data = self.text.encode("utf-8") if isinstance(self.text, str) else self.text
        path.write_bytes(data)
        return path


READERS = {
    "series": CountSeries.read_csv,
    "gtd": read_gtd,
    "acled": read_acled,
    "ucdp": read_ucdp_ged,
}

FILE_CASES = {
    # 1. columns never shift
    "extra-field": FileCase(
        "series", "year,count\n2010,3,7\n2011,4,8\n", FileFormatError,
        r"row 2 has 3 fields but the header row has 2 \(year, count\)",
    ),
    "extra-field-later-row": FileCase(
        "series", "year,count\n2010,3\n2011,4,8\n", FileFormatError,
        r"row 3 has 3 fields but the header row has 2",
    ),
    "extra-field-after-comment": FileCase(
        "series", "# counts from the report\n\nyear,count\n2010,3\n2011,4,\n", FileFormatError,
        r"row 5 has 3 fields",
    ),
    "unnamed-column-with-values": FileCase(
        "series", "year,count,\n2010,3,7\n", FileFormatError,
        r"column 3 has no name in the header row but holds '7' in row 2",
    ),
    "case-duplicate-columns": FileCase(
        "series", "Year,year,count\n2010,2011,3\n", FileFormatError,
        r"columns 'Year' and 'year' have the same name \(ignoring case\)",
    ),
    "exact-duplicate-columns": FileCase(
        "series", "year,count,count\n2010,3,4\n", FileFormatError,
        r"columns 'count' and 'count' have the same name",
    ),
    "blank-measure": FileCase(
        "series", "year,count,measure\n2010,3,attacks\n2011,4,\n", FileFormatError,
        r"column 'measure' is blank in data row 2 \(row 3 in a spreadsheet\)",
    ),
    "blank-count": FileCase(
        "series", "year,count\n2010,3\n2011,\n", FileFormatError,
        r"column 'count' is blank in data row 2 \(row 3 in a spreadsheet\)\. Write 0",
    ),
    "gtd-extra-field": FileCase(
        "gtd", GTD_HEAD + "1,2015,1,5,Afghanistan,ISK,3\n2,2016,2,1,Afghanistan,ISK,1,9\n",
        FileFormatError, r"row 3 has 8 fields but the header row has 7",
    ),
    "gtd-extra-field-every-row": FileCase(
        "gtd", GTD_HEAD + "1,2015,1,5,Afghanistan,ISK,3,x\n2,2016,2,1,Afghanistan,ISK,1,y\n",
        FileFormatError, r"row 2 has 8 fields but the header row has 7",
    ),
    "acled-extra-field": FileCase(
        "acled", ACLED_HEAD + "AFG1,2021-05-08,Battles,IS,Afghanistan,2,extra\n",
        FileFormatError, r"row 2 has 7 fields but the header row has 6",
    ),
    "gtd-case-duplicate-columns": FileCase(
        "gtd", "eventid,iyear,IYEAR,imonth,iday,country_txt,gname\n1,2015,2015,1,1,A,B\n",
        FileFormatError, r"columns 'iyear' and 'IYEAR' have the same name",
    ),
    "gtd-row-named-as-spreadsheet": FileCase(
        "gtd", GTD_HEAD + "1,2015,1,5,Afghanistan,ISK,3\n2,2016,13,1,Afghanistan,ISK,1\n",
        FileFormatError, r"'13' in data row 2 \(event 2\), row 3 in a spreadsheet",
    ),
    # 2. numbers are what they claim
    "exposure-above-window": FileCase(
        "series", "year,count,exposure\n2010,3,1\n2011,4,2\n", ExposureError,
        r"at most 1 per year .*Got 2",
    ),
    "count-2^53": FileCase(
        "series", "year,count\n2010,9007199254740993\n", FileFormatError,
        r"column 'count' must hold counts below 2\^53 .*'9007199254740993' in data row 1",
    ),
    "count-total-2^53": FileCase(
        "series", "year,count\n2010,4503599627370496\n2011,3\n2012,4503599627370493\n",
        FileFormatError,
        r"column 'count' must hold counts adding up to less than 2\^53 .*reaches about "
        r"9\.007e\+15 in data row 3",
    ),
    "count-true": FileCase(
        "series", "year,count\n2010,True\n", FileFormatError,
        r"column 'count' must hold numbers\. Got 'True'",
    ),
    "year-superscript": FileCase(
        "series", "year,count\n2010\u00b2,3\n", GridError,
        r"Expected a calendar year such as 2015, got '2010²' \(column 'year' in data row 1",
    ),
    "year-31-digits": FileCase(
        "series", "year,count\n" + "1" * 31 + ",3\n", GridError,
        r"between 1 and 9999\. Got a 31-digit number",
    ),
    "year-a-billion": FileCase(
        "series", "year,count\n2010,3\n1000000000,4\n", GridError,
        r"between 1 and 9999\. Got '1000000000' \(column 'year' in data row 2",
    ),
    "year-zero": FileCase("series", "year,count\n0,3\n", GridError, r"between 1 and 9999"),
    "month-daily": FileCase(
        "series", "month,count\n2015-03-14,3\n", GridError,
        r"a month written 'YYYY-MM' such as '2015-03', got '2015-03-14'",
    ),
    "gtd-year-31-digits": FileCase(
        "gtd", GTD_HEAD + "1," + "2" * 31 + ",1,5,Afghanistan,ISK,3\n", FileFormatError,
        r"column 'iyear' must hold a four-digit year",
    ),
    # 3. sizes
    "two-million-rows": FileCase(
        "series", "year,count\n" + "2010,3\n" * 2_000_000, FileFormatError,
        r"2,000,000 data rows, more than the 1,000,000 a series file may hold",
    ),
    "more-rows-than-years": FileCase(
        "series", "year,count\n" + "2010,3\n" * 10_000, GridError,
        r"10,000 rows for one measure, but a yearly series has at most 9,999 periods",
    ),
    # 4. messages in the user's terms
    "gap-needs-allow-missing": FileCase(
        "series", "year,count\n2010,3\n2012,4\n", GridError,
        r"Got gaps: 2011 absent\. .*build the series with (allow_missing=True|--allow-missing)",
    ),
    "not-utf8": FileCase(
        "series", b"year,count,note\n2010,1,caf\xe9\n", FileFormatError,
        r"not a readable CSV file \(not UTF-8",
    ),
    "empty": FileCase("series", "", FileFormatError, r"the file is empty"),
    # 6. event data at the edges
    "acled-ambiguous-date": FileCase(
        "acled", ACLED_HEAD + "AFG1,5/8/2021,Battles,IS,Afghanistan,2\n", FileFormatError,
        r"'5/8/2021' in data row 1 \(event AFG1\), row 2 in a spreadsheet, which could be 5 "
        r"August or 8 May 2021.*Re-export the column as YYYY-MM-DD",
    ),
    "acled-mixed-date-orders": FileCase(
        "acled", ACLED_HEAD + "AFG1,25/08/2021,Battles,IS,Afghanistan,2\n"
        "AFG2,08/25/2021,Battles,IS,Afghanistan,1\n", FileFormatError,
        r"mixes day-first dates \('25/08/2021' .*and month-first dates \('08/25/2021'",
    ),
    "ucdp-ambiguous-date": FileCase(
        "ucdp", UCDP_HEAD + "1,2017,3,IS,Civilians,Afghanistan,05/01/2017,2017-01-05,1,1,1\n",
        FileFormatError, r"'date_start' holds '05/01/2017' in data row 1",
    ),
    # 5. an .xlsx export without its reader is covered below (it needs a monkeypatch)
    # first round (test_bad_input.py), here through the command line as well
    "header-only": FileCase("series", "year,count\n", EmptySeriesError, r"has no rows"),
    "text-count": FileCase(
        "series", "year,count\n2010,1\n2011,many\n", FileFormatError,
        r"column 'count' must hold numbers\. Got 'many' in data row 2",
    ),
    "bad-weights": FileCase(
        "series", "start,end,low,weights\n2010,2011,5,a;b\n", FileFormatError,
        r"column 'weights' must hold ';'-separated numbers",
    ),
    "blank-high": FileCase(
        "series", "start,end,low,high\n2010,2011,5,\n", FileFormatError,
        r"column 'high' is blank in data row 1",
    ),
    "no-year-column": FileCase(
        "series", "a,b\n1,2\n", FileFormatError, r"expected columns 'year' and 'count'",
    ),
    "gtd-binary": FileCase("gtd", b"\xff\xfe\x00abc", FileFormatError, "required column"),
    "gtd-empty": FileCase("gtd", b"", FileFormatError, "the file is empty"),
    "acled-wrong-columns": FileCase("acled", "a,b\n1,2\n", FileFormatError, "required column"),
    "ucdp-wrong-columns": FileCase("ucdp", "a,b\n1,2\n", FileFormatError, "required column"),
    "ucdp-low-above-best": FileCase(
        "ucdp", UCDP_HEAD + "1,2017,3,IS,Civilians,Syria,2017-01-05,2017-01-05,5,6,7\n",
        FileFormatError, r"low = 6 exceeds best = 5 in data row 1",
    ),
    "gtd-not-a-date": FileCase(
        "gtd", GTD_HEAD + "1,1992,2,30,Afghanistan,ISK,3\n", FileFormatError,
        r"1992/2/30 in data row 1 .*not a calendar date",
    ),
}  # fmt: skip


def _cli_args(kind: str, path: Path) -> list[str]:
    return ["detect", str(path)] if kind == "series" else ["detect", f"--{kind}", str(path)]


@pytest.mark.parametrize("case_id", list(FILE_CASES))
def test_file_case_api(tmp_path: Path, case_id: str) -> None:
    case = FILE_CASES[case_id]
    path = case.write(tmp_path)
    before = path.read_bytes()
    with pytest.raises(case.error, match=case.match) as info:
        READERS[case.kind](path)
    assert isinstance(info.value, LifecycleError)
    assert path.read_bytes() == before  # the input is never altered


def _assert_one_line_error(capsys: pytest.CaptureFixture[str], rc: int, match: str) -> str:
    out = capsys.readouterr()
    assert rc != 0
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith("lifecycle: error: ")
    assert "Traceback" not in out.err + out.out
    assert re.search(match, lines[0]), lines[0]
    return lines[0]


@pytest.mark.parametrize("case_id", list(FILE_CASES))
def test_file_case_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], case_id: str) -> None:
    case = FILE_CASES[case_id]
    path = case.write(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rc = main(_cli_args(case.kind, path))
    _assert_one_line_error(capsys, rc, case.match)


@pytest.mark.parametrize("case_id", list(FILE_CASES))
def test_file_case_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], case_id: str):
    case = FILE_CASES[case_id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rc = main([*_cli_args(case.kind, case.write(tmp_path)), "--json"])
    out = capsys.readouterr()
    assert rc != 0
    assert "Traceback" not in out.err + out.out
    assert len(out.err.strip().splitlines()) <= 1
    error = json.loads(out.out)["error"]
    assert issubclass(case.error, getattr(errors, error["type"]))
    assert re.search(case.match, error["message"]), error["message"]


def test_cli_subprocess_prints_no_traceback(tmp_path: Path) -> None:
    path = FILE_CASES["year-superscript"].write(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "lifecycle.cli", "detect", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "got '2010²'" in run.stderr


# ---------------------------------------------------------------------- .xlsx exports
def _gtd_workbook(path: Path) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["eventid", "iyear", "imonth", "iday", "country_txt", "gname", "nkill"])
    sheet.append([201501050001, 2015, 1, 5, "Afghanistan", "ISK", 3])
    sheet.append([201602000001, 2016, 2, 0, "Afghanistan", "ISK", None])
    sheet.append([201703100001, 2017, 3, 10, "Afghanistan", "ISK", 2])
    book.save(path)
    return path


def test_gtd_xlsx_is_read(tmp_path: Path) -> None:
    table = read_gtd(_gtd_workbook(tmp_path / "gtd.xlsx"))
    ev = table.events
    assert ev["event_id"].tolist() == ["201501050001", "201602000001", "201703100001"]
    assert ev["date_precision"].tolist() == ["day", "month", "day"]
    assert np.isnan(ev["killed"].iloc[1]) and ev["killed"].iloc[2] == 2
    s = events_to_series(table, measure="killed")
    assert s.low.tolist() == [3.0, 0.0, 2.0] and s.high.tolist() == [3.0, np.inf, 2.0]
    assert table.encoding is None


def _hide_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "openpyxl" else real(n, *a)
    )


def test_gtd_xlsx_without_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _gtd_workbook(tmp_path / "gtd.xlsx")
    _hide_openpyxl(monkeypatch)
    match = r"needs the optional package openpyxl: pip install 'lifecycle\[excel\]'"
    with pytest.raises(MissingDependencyError, match=match):
        read_gtd(path)
    assert issubclass(MissingDependencyError, ImportError)
    _assert_one_line_error(capsys, main(["detect", "--gtd", str(path)]), match)


def test_gtd_xlsx_broken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "gtd.xlsx"
    path.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(FileFormatError, match=r"gtd\.xlsx: not a readable Excel workbook"):
        read_gtd(path)
    _assert_one_line_error(capsys, main(["detect", "--gtd", str(path)]), "not a readable Excel")


# ---------------------------------------------------------------------- right answers
def test_trailing_comma_on_every_line_is_an_empty_column(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("year,count,\n2010,3,\n2011,4,\n")
    s = CountSeries.read_csv(path)
    assert s.labels == [2010, 2011] and s.counts.tolist() == [3.0, 4.0]


def test_blank_lines_and_comments_keep_spreadsheet_rows(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("# note\nyear,count\n2010,3\n\n2011,4\n,\n2012,x\n")
    with pytest.raises(FileFormatError, match=r"'x' in data row 3 \(row 7 in a spreadsheet\)"):
        CountSeries.read_csv(path)
    path.write_text("# note\nyear,count\n2010,3\n\n2011,4\n,\n")
    assert CountSeries.read_csv(path).counts.tolist() == [3.0, 4.0]


def test_acled_unambiguous_resaved_dates(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        ACLED_HEAD + "AFG1,25/08/2021,Battles,IS,Afghanistan,2\n"
        "AFG2,5/5/2021,Battles,IS,Afghanistan,1\n"
        "AFG3,2021-09-01,Battles,IS,Afghanistan,0\n"
        "AFG4,13/1/2020 00:00,Battles,IS,Afghanistan,0\n"
    )
    dates = read_acled(path).events["date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2021-08-25", "2021-05-05", "2021-09-01", "2020-01-13"]
    path.write_text(ACLED_HEAD + "AFG1,08/25/2021,Battles,IS,Afghanistan,2\n")
    assert read_acled(path).events["date"].iloc[0] == pd.Timestamp("2021-08-25")
    path.write_text(ACLED_HEAD + "AFG1,31/02/2021,Battles,IS,Afghanistan,2\n")
    with pytest.raises(FileFormatError, match=r"'31/02/2021' in data row 1.*cannot be read"):
        read_acled(path)


def test_ucdp_event_across_a_year_boundary_is_an_interval_on_both_years(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_text(
        UCDP_HEAD + "1,2016,3,IS,Civilians,Afghanistan,2016-06-01,2016-06-01,4,4,4\n"
        "2,2016,3,IS,Civilians,Afghanistan,2016-12-30,2017-01-02,7,5,9\n"
        "3,2017,3,IS,Civilians,Afghanistan,2017-12-31,2017-12-31,1,1,1\n"
    )
    s = events_to_series(read_ucdp_ged(path), measure="killed")
    assert s.labels == [2016, 2017]
    assert s.low.tolist() == [4.0, 1.0] and s.high.tolist() == [13.0, 10.0]
    s = events_to_series(read_ucdp_ged(path))
    assert s.low.tolist() == [1.0, 1.0] and s.high.tolist() == [2.0, 2.0]
    assert not s.is_exact


def test_gtd_unknown_month_and_day_as_before(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(GTD_HEAD + "1,2015,0,0,Afghanistan,ISK,3\n2,2015,2,0,Afghanistan,ISK,1\n")
    table = read_gtd(path)
    assert table.events["date_precision"].tolist() == ["year", "month"]
    assert events_to_series(table).counts.tolist() == [2.0]
    with pytest.warns(Warning, match="1 of 2 events left out"):
        s = events_to_series(table, freq="month")
    assert s.counts.tolist() == [1.0]


# ---------------------------------------------------------------------- API cases
@dataclass(frozen=True)
class ApiCase:
    call: Any
    error: type[Exception]
    match: str


COUNTS = [1, 5, 9, 14, 10, 6, 3, 2, 4, 8, 12, 15]
API_CASES = {
    "bool-counts-detect": ApiCase(lambda: cp.detect([True, False] * 6), CountError,
                                  r"Got booleans \(True/False are not counts"),
    "bool-in-list": ApiCase(lambda: CountSeries.from_counts([2010, 2011], [1, True]),
                            CountError, "booleans"),
    "bool-series": ApiCase(lambda: cp.detect(pd.Series([True, False] * 6)), CountError,
                           "booleans"),
    "bool-frame": ApiCase(
        lambda: CountSeries.from_frame(pd.DataFrame({"year": [2010], "count": [True]})),
        FileFormatError, r"Got True \(True/False are not counts\) in data row 1"),
    "count-2^53": ApiCase(lambda: CountSeries.from_counts([2010], [2**53]), CountError,
                          r"a count of 2\^53 \(9,007,199,254,740,992\) or more"),
    "count-total-2^53": ApiCase(
        lambda: CountSeries.from_counts([2010, 2011], [2**52, 2**52]), CountError,
        r"total is below 2\^53 \(9,007,199,254,740,992\).* 2 counts adding up to about "
        r"9\.007e\+15"),
    "count-total-2^53-plain": ApiCase(lambda: cp.detect([2**52, 1, 2**52]), CountError,
                                      r"'counts' parameter of detect must hold counts whose total"),
    "counts-not-numbers": ApiCase(lambda: cp.detect([1, {"a": 1}, 3]), CountError,
                                  r"not numbers: \{'a': 1\} at position 1\.$"),
    "count-too-big-for-float": ApiCase(lambda: cp.detect([10**400, 1, 2]), CountError,
                                       "too large to hold as a float"),
    "exposure-above-year": ApiCase(
        lambda: CountSeries.from_counts([2010, 2011], [1, 2], exposure=[1, 1.5]),
        ExposureError, r"at most 1 per year .*window starting 2011\. Got 1\.5"),
    "exposure-above-month": ApiCase(
        lambda: CountSeries.from_counts(["2010-01"], [1], exposure=[12], freq="month"),
        ExposureError, r"at most 1 per month"),
    "exposure-above-window": ApiCase(
        lambda: CountSeries.from_windows([2010], [2011], [4], exposure=[2.5]),
        ExposureError, r"at most 2 for the window starting 2010\. Got 2\.5"),
    "exposure-tiny": ApiCase(
        lambda: CountSeries.from_counts([2010, 2011], [1, 2], exposure=[1, 1e-300]),
        ExposureError, r"at least 1e-06"),
    "exposure-bools": ApiCase(lambda: cp.detect(COUNTS, exposure=[True] * 12), ExposureError,
                              "not numbers"),
    "provenance-string-many": ApiCase(
        lambda: CountSeries.from_windows([2010, 2011], [2010, 2011], [1, 2], provenance="ab"),
        GridError, r"one entry per observation \(2\).*single string 'ab'"),
    "provenance-int": ApiCase(
        lambda: CountSeries.from_windows([2010], [2010], [1], provenance=[7]),
        GridError, r"Each provenance entry must be a sequence of evidence ids"),
    "daily-period-monthly": ApiCase(
        lambda: CountSeries.from_counts([pd.Period("2015-03-14", "D")], [1], freq="month"),
        GridError, r"frequency 'D'.*asfreq\('M'\)"),
    "daily-string-monthly": ApiCase(
        lambda: CountSeries.from_counts(["2015-03-14"], [1], freq="month"), GridError,
        "'YYYY-MM'"),
    "year-a-billion-gap": ApiCase(
        lambda: CountSeries.from_counts([2010, 10**9], [1, 2], allow_missing=True),
        GridError, r"between 1 and 9999\. Got 1000000000"),
    "year-negative": ApiCase(lambda: cp.detect(COUNTS[:2], years=[-1, 0]), GridError,
                             "between 1 and 9999"),
    "month-year-zero": ApiCase(
        lambda: CountSeries.from_counts(["0000-05"], [1], freq="month"), GridError,
        "between 1 and 9999"),
    "year-huge-int": ApiCase(lambda: CountSeries.from_counts([10**40], [1]), GridError,
                             "between 1 and 9999"),
    "grid-not-a-pair": ApiCase(
        lambda: CountSeries.from_windows([2010], [2010], [1], grid=2015), GridError,
        r"'grid' parameter of CountSeries.from_windows must be a pair"),
    "blank-measure-api": ApiCase(
        lambda: CountSeries.from_windows([2010], [2010], [1], measure=[" "]),
        ParameterError, "needs a measure name"),
    "n-boot-a-billion": ApiCase(
        lambda: cp.test_change(COUNTS, n_boot=10**9, seed=1), ParameterError,
        r"'n_boot' parameter of test_change must be an int <= 1,000,000"),
    "n-boot-resurgence": ApiCase(
        lambda: resurgence.test_resurgence(COUNTS, n_boot=10**9, seed=1), ParameterError,
        r"'n_boot' parameter of test_resurgence must be an int <= 1,000,000"),
    "n-sim-power": ApiCase(
        lambda: resurgence.power([5, 9, 3, 8], n_sim=10**9, seed=1), ParameterError,
        r"'n_sim' parameter of power must be an int <= 1,000,000 .*GiB"),
    "n-simulate-memory": ApiCase(
        lambda: simulate.simulate_counts([5.0] * 1000, n=10**6, seed=1), ParameterError,
        r"'n' parameter of simulate_counts must be an int <= 67,108 .*512 MiB"),
    "lam-too-large": ApiCase(
        lambda: simulate.simulate_counts([1e20, 1.0], seed=1), ParameterError,
        r"below 2\^51"),
    "detect-gap-message": ApiCase(
        lambda: cp.detect(COUNTS, years=[*range(2000, 2011), 2020]), GridError,
        r"build the series with allow_missing=True \(CountSeries.from_counts"),
    "resurgence-gap-message": ApiCase(
        lambda: resurgence.test_resurgence(
            COUNTS, years=[*range(2000, 2011), 2020], n_boot=9, seed=1),
        GridError, r"build the series with allow_missing=True \(CountSeries.from_counts"),
}  # fmt: skip


@pytest.mark.parametrize("case_id", list(API_CASES))
def test_api_case(case_id: str) -> None:
    case = API_CASES[case_id]
    with pytest.raises(case.error, match=case.match) as info:
        case.call()
    assert isinstance(info.value, LifecycleError)
    text = str(info.value)
    for bare in ("invalid literal", "not subscriptable", "lam value too large", "Pass allow"):
        assert bare not in text


def test_right_answers_at_the_edges() -> None:
    s = CountSeries.from_windows([2010], [2010], [1], provenance="gtd:1")
    assert s.provenance == (("gtd:1",),)
    s = CountSeries.from_windows([2010, 2011], [2010, 2011], [1, 2], provenance=["a:1", ["b:2"]])
    assert s.provenance == (("a:1",), ("b:2",))
    s = CountSeries.from_counts([1, 9999], [0, 2**53 - 1], allow_missing=True)
    assert s.labels[0] == 1 and s.labels[-1] == 9999 and s.counts[1] == 2**53 - 1
    s = CountSeries.from_counts([pd.Period("2015-03", "M")], [1], freq="month")
    assert s.labels == ["2015-03"]
    s = CountSeries.from_windows([2010], [2011], [4], exposure=[2.0])
    assert s.exposure.tolist() == [2.0]
    s = CountSeries.from_counts(["٢٠١٠"], [1])  # Arabic-Indic digits are a year
    assert s.labels == [2010]


def test_gap_message_lists_a_few_years_of_a_long_gap_at_once() -> None:
    with pytest.raises(GridError, match=r"Got gaps: 2, 3, 4, 5, 6, 7 … \(9997 periods in all\)"):
        CountSeries.from_counts([1, 9999], [1, 2])


def test_cli_bootstrap_ceiling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.csv"
    path.write_text("year,count\n" + YEARS)
    rc = main(["detect", str(path), "--bootstrap", str(10**9)])
    _assert_one_line_error(capsys, rc, r"must be an int <= 1,000,000")


def test_cli_memory_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(CountSeries, "read_csv", no_memory)
    path = tmp_path / "s.csv"
    path.write_text("year,count\n" + YEARS)
    _assert_one_line_error(capsys, main(["detect", str(path)]), "out of memory")

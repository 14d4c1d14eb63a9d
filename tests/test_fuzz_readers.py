"""Seeded fuzz test of the file readers: GTD, ACLED, UCDP GED and the series CSV.

Valid files are mutated at random (a stray comma or quote, a deleted or doubled line,
an odd cell: blank, ``nan``, ``1e300``, ``True``, a 31-digit number, a re-saved date, a
superscript digit, a byte-order mark…). Every mutant must either be read or refused
with a :class:`~lifecycle._core.errors.LifecycleError`; no other exception escapes, the
file is never altered, and a series that is read holds exactly the rows of the file —
never a shifted column. The seeds are literal numbers, so a failure replays exactly.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pytest

from lifecycle._core.errors import LifecycleError, LifecycleWarning
from lifecycle.events import events_to_series, read_acled, read_gtd, read_ucdp_ged
from lifecycle.series import CountSeries

N_CASES = {"series": 200, "gtd": 100, "acled": 100, "ucdp": 100}  # 500 files in all

VALID = {
    "series": "year,count\n" + "".join(f"{2000 + k},{(7 * k) % 11}\n" for k in range(15)),
    "gtd": "eventid,iyear,imonth,iday,country_txt,gname,nkill,claimed\n"
    + "".join(f"{k},{2010 + k % 6},{1 + k % 12},{k % 29},Iraq,IS,{k % 4},{k % 2}\n"
              for k in range(1, 16)),
    "acled": "event_id_cnty,event_date,event_type,actor1,country,fatalities\n"
    + "".join(f"AFG{k},{2015 + k % 5}-{1 + k % 12:02d}-{1 + k % 27:02d},Battles,IS,"
              f"Afghanistan,{k % 5}\n" for k in range(1, 16)),
    "ucdp": "id,year,type_of_violence,side_a,side_b,country,date_start,date_end,best,low,high\n"
    + "".join(f"{k},{2012 + k % 4},3,IS,Civilians,Syria,{2012 + k % 4}-0{1 + k % 8}-10,"
              f"{2012 + k % 4 + k % 2}-0{1 + k % 8}-1{k % 3},{k},{k},{k + 2}\n"
              for k in range(1, 16)),
}  # fmt: skip
READERS = {
    "series": lambda path: CountSeries.read_csv(path, allow_missing=True),
    "gtd": read_gtd,
    "acled": read_acled,
    "ucdp": read_ucdp_ged,
}
CHARS = [",", "\n", '"', "#", " ", "\u00b2", "9", "-", ".", "\t", ";", "x", "\ufeff", "0", "/"]
CELLS = ["", "nan", "inf", "-1", "1e300", "2010.5", "True", "9" * 31, "5/8/2021", "13/05/2021",
         "0", "-9", "2010\u00b2", "12", "2021-02-30", " 3 ", '"4,5"',
         "9007199254740993"]  # fmt: skip


def _mutate(text: str, rng: np.random.Generator, most: int = 3) -> str:
    """One to ``most`` random edits of ``text``."""
    for _ in range(int(rng.integers(1, most + 1))):
        lines = text.split("\n")
        op = int(rng.integers(0, 7))
        if op == 0 and text:  # insert a character
            i = int(rng.integers(0, len(text)))
            text = text[:i] + CHARS[int(rng.integers(len(CHARS)))] + text[i:]
        elif op == 1 and text:  # delete a character
            i = int(rng.integers(0, len(text)))
            text = text[:i] + text[i + 1 :]
        elif op == 2 and len(lines) > 1:  # double a line
            i = int(rng.integers(0, len(lines)))
            text = "\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
        elif op == 3 and len(lines) > 2:  # swap two lines
            i, j = (int(x) for x in rng.integers(0, len(lines), size=2))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == 4:  # truncate
            text = text[: int(rng.integers(0, len(text) + 1))]
        else:  # replace a cell
            i = int(rng.integers(0, len(lines)))
            cells = lines[i].split(",")
            k = int(rng.integers(0, len(cells)))
            cells[k] = CELLS[int(rng.integers(len(CELLS)))]
            lines[i] = ",".join(cells)
            text = "\n".join(lines)
    return text


def _check_series_rows(text: str, s: CountSeries) -> None:
    """A series read from ``year,count`` text holds exactly the file's rows, unshifted."""
    rows = [
        r
        for r in csv.reader(io.StringIO(text.removeprefix("\ufeff")))
        if r and any(c.strip() for c in r) and not r[0].lstrip().startswith("#")
    ]
    header = [h.strip().lower() for h in rows[0]]
    if header[:2] != ["year", "count"] or len(header) != 2:
        return
    got = {int(s.labels[int(o - s.grid_start)]): c for o, c in zip(s.start, s.counts, strict=True)}
    assert len(rows) - 1 == s.n_obs
    for year, count in rows[1:]:
        assert got[int(year.strip())] == float(count)


@pytest.mark.parametrize("kind", list(READERS))
def test_fuzzed_files_are_read_or_refused(tmp_path: Path, kind: str) -> None:
    rng = np.random.default_rng({"series": 151, "gtd": 152, "acled": 153, "ucdp": 154}[kind])
    outcomes = {"read": 0, "refused": 0}
    for case in range(N_CASES[kind]):
        text = _mutate(VALID[kind], rng, most=1 if kind == "series" else 3)
        path = tmp_path / f"{kind}{case}.csv"
        path.write_bytes(text.encode("utf-8"))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", LifecycleWarning)
                result = READERS[kind](path)
                if kind != "series":
                    result = events_to_series(result)
        except LifecycleError:
            outcomes["refused"] += 1
        else:
            outcomes["read"] += 1
            if kind == "series":
                _check_series_rows(text, result)
        assert path.read_bytes() == text.encode("utf-8"), f"case {case} altered its file"
    print(kind, outcomes)
    # the fuzzing reaches both sides of every reader
    assert outcomes["read"] >= 5 and outcomes["refused"] >= 5, outcomes

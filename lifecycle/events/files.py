"""Opening an event export: decoding, columns matched without regard to case, and cells
read with messages that name the file, the column and the data row.
"""

from __future__ import annotations

import codecs
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import FileFormatError, MissingDependencyError, ParameterError
from lifecycle.series.csvio import read_csv_text

__all__: list[str] = []

_LABELS = {"gtd": "GTD", "acled": "ACLED", "ucdp_ged": "UCDP GED"}
_A_LABEL = {"gtd": "a GTD", "acled": "an ACLED", "ucdp_ged": "a UCDP GED"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T].*)?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August")
_MONTHS += ("September", "October", "November", "December")
_TEXT_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y")


def _decode(raw: bytes, encoding: str | None, path: Path) -> tuple[str, str]:
    if encoding is not None:
        if not isinstance(encoding, str):
            raise TypeError(
                f"The 'encoding' parameter must be a str such as 'iso-8859-1'. Got {encoding!r}."
            )
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ParameterError(
                f"The 'encoding' parameter must name a text encoding Python knows "
                f"(e.g. 'utf-8', 'iso-8859-1', 'cp1252'). Got {encoding!r} instead."
            ) from None
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"{path}: cannot be decoded as {encoding} (byte {exc.start}: "
                f"{raw[exc.start : exc.start + 1]!r}). Pass the file's encoding, or leave "
                f"encoding=None to try UTF-8 then ISO-8859-1."
            ) from None
        return text.removeprefix("\ufeff"), encoding
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise FileFormatError(
                    f"{path}: starts with a UTF-16 byte-order mark but is not valid UTF-16 "
                    f"(byte {exc.start})."
                ) from None
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"{path}: starts with a UTF-8 byte-order mark but is not valid UTF-8 "
                f"(byte {exc.start}). Pass encoding=... to read it anyway."
            ) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1"), "iso-8859-1"


@dataclass
class _File:
    """A raw export being read: stripped text cells and messages that name the file."""

    path: Path
    label: str
    frame: pd.DataFrame
    cols: dict[str, Any]
    encoding: str | None
    rows: np.ndarray | None = None  # each row's number as a spreadsheet shows it
    ids: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def has(self, name: str) -> bool:
        return name in self.cols

    def where(self, i: int) -> str:
        text = f"data row {i + 1}"
        if self.ids is not None and self.ids[i]:
            text += f" (event {self.ids[i]})"
        if self.rows is not None:
            text += f", row {int(self.rows[i])} in a spreadsheet"
        return text

    def fail(self, message: str) -> FileFormatError:
        return FileFormatError(f"{self.path}: {message}")

    def text(self, name: str) -> np.ndarray:
        if name not in self.cols:
            return np.full(len(self), "", dtype=object)
        return self.frame[self.cols[name]].to_numpy(dtype=object)

    def numbers(
        self,
        name: str,
        *,
        what: str,
        blank_ok: bool = False,
        codes: tuple[int, ...] = (),
        integer: bool = True,
        lo: float | None = None,
        hi: float | None = None,
    ) -> np.ndarray:
        """A column as floats (``NaN`` for blank cells and missing codes)."""
        raw = self.frame[self.cols[name]]
        blank = (raw == "").to_numpy()
        num = np.array(pd.to_numeric(raw.where(~blank), errors="coerce"), dtype=float)
        bad = ~blank & ~np.isfinite(num)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.fail(
                f"column '{name}' must hold {what}. Got {raw.iloc[i]!r} in {self.where(i)}."
            )
        if codes:
            num[np.isin(num, codes)] = np.nan
        if not blank_ok and blank.any():
            i = int(np.flatnonzero(blank)[0])
            raise self.fail(f"column '{name}' is blank in {self.where(i)}; it must hold {what}.")
        ok = np.isfinite(num)
        checks = [(ok & (num < 0), "a negative value")]
        if integer:
            checks.append((ok & (num != np.round(num)), "a non-integer"))
        if lo is not None:
            checks.append((ok & (num < lo), "a value out of range"))
        if hi is not None:
            checks.append((ok & (num > hi), "a value out of range"))
        for mask, problem in checks:
            if mask.any():
                i = int(np.flatnonzero(mask)[0])
                raise self.fail(
                    f"column '{name}' must hold {what}. Got {problem} {raw.iloc[i]!r} in "
                    f"{self.where(i)}."
                )
        return num

    def flags(self, name: str, *, codes: tuple[int, ...] = ()) -> pd.arrays.BooleanArray:
        """A 0/1 column as nullable booleans (blank and missing codes are ``<NA>``)."""
        if name not in self.cols:
            return pd.array([pd.NA] * len(self), dtype="boolean")
        num = self.numbers(
            name,
            what=f"0 or 1 (or blank{_codes_text(codes)} if unknown)",
            blank_ok=True,
            codes=codes,
            lo=0,
            hi=1,
        )
        out = pd.array(num == 1, dtype="boolean")
        out[np.isnan(num)] = pd.NA
        return out

    def _slash_dates(self, name: str, raw: pd.Series) -> pd.Series:
        """Dates a spreadsheet re-saved as ``5/28/2021`` or ``28/05/2021``.

        A cell whose first or second number exceeds 12 shows its order and is read; a
        cell like ``5/8/2021`` could be 5 August or 8 May and is refused, as is a column
        that mixes the two orders.
        """
        out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        first: dict[str, int] = {}
        for i, cell in raw.items():
            m = _SLASH_DATE.match(cell)
            if m is None:
                continue
            a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if a != b and a <= 12 and b <= 12:
                raise self.fail(
                    f"column '{name}' holds {cell!r} in {self.where(int(i))}, which could be "
                    f"{a} {_MONTHS[b - 1]} or {b} {_MONTHS[a - 1]} {y}: a spreadsheet "
                    f"re-saved the dates and their day/month order is lost. Re-export the "
                    f"column as YYYY-MM-DD (e.g. format the cells as yyyy-mm-dd before saving "
                    f"as CSV) or read the original export."
                )
            order = "day-first" if a > 12 else "month-first" if b > 12 else ""
            if order:
                first.setdefault(order, int(i))
            day, month = (a, b) if a > 12 else (b, a)
            try:
                out[i] = pd.Timestamp(y, month, day)
            except ValueError:
                continue  # reported below as a date that cannot be read
        if len(first) == 2:
            d, m = first["day-first"], first["month-first"]
            raise self.fail(
                f"column '{name}' mixes day-first dates ({self.text(name)[d]!r} in "
                f"{self.where(d)}) and month-first dates ({self.text(name)[m]!r} in "
                f"{self.where(m)}). Re-export the column as YYYY-MM-DD."
            )
        return out

    def check_year(self, date: pd.Series, date_column: str) -> np.ndarray:
        """The ``year`` column, checked against the year of ``date_column``."""
        year = self.numbers("year", what="a four-digit year", lo=1000, hi=9999)
        bad = np.flatnonzero(year != date.dt.year.to_numpy())
        if bad.size:
            i = int(bad[0])
            raise self.fail(
                f"column 'year' says {int(year[i])} but {date_column} says "
                f"{self.text(date_column)[i]!r} in {self.where(i)}."
            )
        return year

    def dates(self, name: str) -> pd.Series:
        """A date column: ``YYYY-MM-DD`` (optionally with a time), ``15 January 2020``, or
        a spreadsheet's ``28/05/2021`` / ``5/28/2021`` when the order shows (see
        :meth:`_slash_dates`)."""
        raw = pd.Series(self.text(name), dtype=object)
        blank = (raw == "").to_numpy()
        if blank.any():
            i = int(np.flatnonzero(blank)[0])
            raise self.fail(
                f"column '{name}' is blank in {self.where(i)}; every event needs a date."
            )
        iso = raw.map(lambda s: bool(_ISO_DATE.match(s)))
        out = pd.to_datetime(
            raw.where(iso).str[:10].str.strip(), format="%Y-%m-%d", errors="coerce"
        )
        for fmt in _TEXT_DATE_FORMATS:
            todo = out.isna() & ~iso
            if not todo.any():
                break
            out[todo] = pd.to_datetime(raw[todo], format=fmt, errors="coerce")
        todo = out.isna() & ~iso
        if todo.any():
            out[todo] = self._slash_dates(name, raw[todo])
        if out.isna().any():
            i = int(np.flatnonzero(out.isna().to_numpy())[0])
            raise self.fail(
                f"column '{name}' must hold dates written YYYY-MM-DD (or like '15 January "
                f"2020'). Got {raw.iloc[i]!r} in {self.where(i)}, which cannot be read as a date."
            )
        return out.reset_index(drop=True)


def _codes_text(codes: tuple[int, ...]) -> str:
    return "".join(f", {c}" for c in codes)


def _read_workbook(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """The first sheet of an Excel workbook as text cells (needs ``lifecycle[excel]``)."""
    if importlib.util.find_spec("openpyxl") is None:
        raise MissingDependencyError(
            f"Reading {path} (an Excel workbook) needs the optional package openpyxl: "
            f"pip install 'lifecycle[excel]' (or save the sheet as CSV and read that)."
        )
    try:
        frame = pd.read_excel(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many unrelated types on bad files
        text = " ".join(str(exc).split())[:200]
        raise FileFormatError(f"{path}: not a readable Excel workbook ({text}).") from None
    frame = frame.fillna("").astype(str)
    rows = np.arange(len(frame)) + 2
    blank = (frame.apply(lambda c: c.str.strip()) == "").all(axis=1).to_numpy()
    return frame[~blank].reset_index(drop=True), rows[~blank]


def _open(
    path: str | Path,
    source: str,
    encoding: str | None,
    required: tuple[str, ...],
    *,
    id_column: str,
) -> _File:
    label, a_label = _LABELS[source], _A_LABEL[source]
    if not isinstance(path, (str, Path)):
        raise TypeError(f"Expected a file path (str or pathlib.Path). Got {type(path).__name__}.")
    path = Path(path)
    if not path.exists():
        raise FileFormatError(f"No such file: {path}.")
    if path.is_dir():
        raise FileFormatError(f"{path} is a directory; expected {a_label} export file.")
    used: str | None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame, rows = _read_workbook(path)
        used = None
    else:
        text, used = _decode(path.read_bytes(), encoding, path)
        if not text.strip():
            raise FileFormatError(
                f"{path}: the file is empty; expected {a_label} export with a header row "
                f"({', '.join(required)}, …) and at least one event."
            )
        frame, rows = read_csv_text(text, str(path))
    named = [bool(str(c).strip()) and not str(c).startswith("Unnamed: ") for c in frame.columns]
    frame = frame.loc[:, named]
    frame = frame.fillna("").astype(str)
    frame = frame.apply(lambda c: c.str.strip())
    cols: dict[str, Any] = {}
    for c in frame.columns:
        key = str(c).strip().lstrip("\ufeff").strip().lower()
        if key in cols:
            raise FileFormatError(
                f"{path}: columns {cols[key]!r} and {c!r} have the same name (ignoring case); "
                f"{a_label} export names each column once."
            )
        cols[key] = c
    missing = [c for c in required if c not in cols]
    if missing:
        shown = list(map(str, frame.columns))
        more = f" … ({len(shown)} in all)" if len(shown) > 12 else ""
        raise FileFormatError(
            f"{path}: not {a_label} export: required column(s) "
            f"{', '.join(map(repr, missing))} missing. {label} files need the columns "
            f"{', '.join(required)} (any case). "
            f"Got columns {shown[:12]}{more}."
        )
    if len(frame) == 0:
        raise FileFormatError(f"{path}: the file has a header but no rows; expected events.")
    f = _File(path=path, label=label, frame=frame, cols=cols, encoding=used, rows=rows)
    ids = f.text(id_column)
    blank = ids == ""
    if blank.any():
        i = int(np.flatnonzero(blank)[0])
        raise f.fail(f"column '{id_column}' is blank in {f.where(i)}; every event needs an id.")
    f.ids = ids
    return f

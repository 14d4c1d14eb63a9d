"""Load, validate and check the embedded evidence about ISKP.

The evidence lives in four plain CSV tables in the project's ``data/`` folder
(see ``data/README.md`` for every column and vocabulary):

``sources.csv``
    One row per source document.
``quantities.csv``
    Every quantitative statement about ISKP (attacks, clashes, shares, fighters,
    members, pledges, losses ...), each with the verbatim quote that carries it.
``events.csv``
    Every dated ISKP attack, plot or operation against ISKP, with its toll as
    the document states it.
``waves.csv``
    Wave / lifecycle definitions and emergence-year statements, with their
    boundaries as written.

This module loads the tables into typed :class:`pandas.DataFrame` objects and
rejects malformed rows with an :class:`~lifecycle._core.errors.EvidenceError` that
names the file, the row (id and line number) and the column
(:func:`load_sources`, :func:`load_quantities`, :func:`load_events`,
:func:`load_waves`, :func:`load_evidence`). :func:`check_provenance` verifies
that every quote occurs verbatim in its source document and that every number
and year recorded in a row appears in its quote. :func:`conflicts` lists the
facts and events on which documents disagree, and :func:`originals` collapses
repeats of one original source into a single observation.

Matching rules (also in ``data/README.md``):

* Quotes are compared after normalisation of both the quote and the document:
  Unicode NFKC, typographic quotes and apostrophes to ASCII, all dashes to ``-``,
  soft hyphens and zero-width characters removed, footnote markers
  (``<sup>..</sup>``), markdown emphasis (``*``) and markdown backslash escapes
  removed, runs of whitespace (including line breaks) collapsed to one space.
  Case is kept.
* A number recorded in a row (``value``, ``low``, ``high``, ``killed``,
  ``wounded``, ``casualties`` and their low/high) must appear in the ``quote``:
  as digits, with or without thousand separators (``1,600`` = ``1600``), or as
  one of the number words in :data:`NUMBER_WORDS` (``eleven``, ``thirteen``,
  ``half`` = 0.5, ``doubled`` = 2 ...).
* The year of every date (``period_start``, ``period_end``, ``date``) and every
  ``start_year``/``end_year`` must appear in the ``quote`` or the
  ``context_quote``; "this year" in either counts as the source's publication
  year (``sources.csv`` ``date``). In ``waves.csv`` the boundaries
  ``start_text``/``end_text`` must appear as written.
"""

from __future__ import annotations

import csv
import datetime as _dt
import itertools
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from lifecycle._core.errors import EvidenceError, ProvenanceError

__all__ = [
    "ATTRIBUTIONS",
    "EVENT_TYPES",
    "MEASURES",
    "NUMBER_WORDS",
    "PHASES",
    "PRECISIONS",
    "QUALIFIERS",
    "SOURCE_KINDS",
    "UNITS",
    "WAVE_DEFINITIONS",
    "Evidence",
    "ProvenanceProblem",
    "check_provenance",
    "conflicts",
    "data_dir",
    "load_events",
    "load_evidence",
    "load_quantities",
    "load_sources",
    "load_waves",
    "normalise_text",
    "originals",
    "seeds_dir",
]

# --------------------------------------------------------------------------- vocabularies

MEASURES: dict[str, str] = {
    "attacks": "attacks by ISKP (counted by the document or its original)",
    "attacks_claimed": "attacks counted from ISKP's own claims of responsibility",
    "attacks_on_civilians": "attacks by ISKP against civilians",
    "clashes_security_forces": "clashes with (U.S., Afghan, Pakistani ...) security forces",
    "clashes_taliban": "clashes between ISKP and the Afghan Taliban",
    "share_attacks_on_taliban": "share of ISKP attacks that targeted the Taliban",
    "share_attacks_claimed": "share of attacks claimed by ISKP (base not stated)",
    "share_eliminated_claimed": "share of ISKP said (by an adversary) to be eliminated",
    "share_fighters_tajik": "share of ISKP fighters who are ethnic Tajiks",
    "fighters": "fighters (or 'troops') of ISKP",
    "fighters_central_asian": "ISKP fighters of Central Asian origin",
    "members": "members or people of ISKP (may include families)",
    "pledges": "pledges of allegiance received by ISKP",
    "recruits": "militants recruited",
    "recruits_claimed": "recruits claimed by the group itself",
    "recruitment_pool_ratio": "growth factor of ISKP's recruitment pool",
    "fighters_lost": "ISKP fighters lost (killed or otherwise)",
    "leaders_lost": "ISKP leaders lost",
    "fighters_killed": "ISKP fighters killed",
    "leaders_killed": "ISKP leaders killed",
    "members_imprisoned": "ISKP members imprisoned",
    "provinces_present": "provinces in which ISKP is present",
    "plots_uncovered": "ISKP terrorist plots uncovered",
    "suspects_charged": "individuals accused of association with ISKP",
    "individuals_designated": "individuals designated (sanctioned) for ISKP activities",
}

#: Qualifiers of a number. ``range``/``about_range`` use ``low`` and ``high`` and leave
#: ``value`` empty; the vague ones (``several`` ... ``thousands``) have no number at all.
QUALIFIERS: dict[str, str] = {
    "exact": "the number as such",
    "about": "about, approximately, around, some",
    "nearly": "nearly, almost",
    "roughly": "roughly",
    "over": "over",
    "more_than": "more than",
    "at_least": "at least",
    "at_most": "at most",
    "up_to": "up to",
    "less_than": "less than",
    "range": "a range low to high",
    "about_range": "an approximate range (approximately low-high)",
    "several": "'several', no number",
    "dozens": "'dozens', no number",
    "hundreds": "'hundreds', no number",
    "thousands": "'thousands', no number",
}
_RANGE_QUALIFIERS = frozenset({"range", "about_range"})
_VAGUE_QUALIFIERS = frozenset({"several", "dozens", "hundreds", "thousands"})
_APPROX_QUALIFIERS = frozenset({"about", "nearly", "roughly"})

PRECISIONS: tuple[str, ...] = ("day", "month", "year", "open")

ATTRIBUTIONS: dict[str, str] = {
    "claimed": "the document says ISKP (or IS) claimed responsibility",
    "attributed": "the document states as fact that ISKP carried it out",
    "blamed": "the document says ISKP was blamed",
    "alleged": "ISKP-linked or -affiliated perpetrators alleged (plots, arrests)",
    "self_identified": "perpetrators identified themselves as (or claimed to be) IS/ISKP",
    "implied": "the document links the event to ISKP without saying ISKP carried it out",
    "against_iskp": "an operation against ISKP (e.g. a leader killed)",
}

EVENT_TYPES: dict[str, str] = {
    "attack": "an attack (bombing, shooting, rockets, assassination ...)",
    "plot": "a plot foiled or revealed",
    "counter_operation": "an operation against ISKP",
}

UNITS: dict[str, str] = {
    "count": "a count",
    "percent": "a percentage (0-100)",
    "fraction": "a fraction (0-1), e.g. 'half' = 0.5",
    "ratio": "a growth factor, e.g. 'doubled' = 2",
}

SOURCE_KINDS: tuple[str, ...] = (
    "journal_article",
    "backgrounder",
    "policy_paper",
    "policy_brief",
    "news",
)

WAVE_DEFINITIONS: dict[str, str] = {
    "cass_three_waves": "rana_2024: emergence 2015-2019, decline 2019-early 2020, "
    "resurgence late 2020-present",
    "conventional_lifecycle": "emergence, rise, downfall, demise (Gupta; Iqbal et al; Corrin)",
    "yip_weakened_rebuilt": "yip_2024: weakened 2016-2020, rebuilt since May 2020",
    "emergence_year": "a statement of when ISKP emerged / was formed / founded",
    "formation_milestone": "a dated step in ISKP's formation (pledge, first emir, name)",
}

PHASES: tuple[str, ...] = (
    "emergence",
    "rise",
    "decline",
    "downfall",
    "demise",
    "resurgence",
    "weakened",
    "rebuilt",
)

#: Number words accepted in quotes (lower case, whole words).
NUMBER_WORDS: dict[str, float] = {
    **{
        w: float(i)
        for i, w in enumerate(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
        )
    },
    "thirty": 30.0,
    "forty": 40.0,
    "fifty": 50.0,
    "sixty": 60.0,
    "seventy": 70.0,
    "eighty": 80.0,
    "ninety": 90.0,
    "hundred": 100.0,
    "dozen": 12.0,
    "half": 0.5,
    "twice": 2.0,
    "double": 2.0,
    "doubled": 2.0,
}

# --------------------------------------------------------------------------- table specs

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_REGION_PART = r"[a-z][a-z_]*(?:/[a-z][a-z_]*)?"
_REGION_RE = re.compile(rf"^{_REGION_PART}(?:;{_REGION_PART})*$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_YEAR_RE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class _Spec:
    name: str
    required: tuple[str, ...]
    id_column: str
    id_prefix: str
    text: tuple[str, ...]
    floats: tuple[str, ...] = ()
    ints: tuple[str, ...] = ()
    categories: Mapping[str, tuple[str, ...]] | None = None


_SOURCES = _Spec(
    name="sources",
    required=("source_id", "file", "authors", "title", "publisher", "date", "kind"),
    id_column="source_id",
    id_prefix="",
    text=("source_id", "file", "authors", "title", "publisher", "date"),
    categories={"kind": SOURCE_KINDS},
)
_QUANTITIES = _Spec(
    name="quantities",
    required=(
        "id",
        "source_id",
        "fact_key",
        "original",
        "measure",
        "target",
        "region",
        "period_start",
        "period_start_precision",
        "period_end",
        "period_end_precision",
        "value",
        "qualifier",
        "low",
        "high",
        "unit",
        "quote",
        "context_quote",
        "note",
    ),
    id_column="id",
    id_prefix="Q",
    text=(
        "id",
        "source_id",
        "fact_key",
        "original",
        "target",
        "region",
        "period_start",
        "period_end",
        "quote",
        "context_quote",
        "note",
    ),
    floats=("value", "low", "high"),
    categories={
        "measure": tuple(MEASURES),
        "period_start_precision": PRECISIONS,
        "period_end_precision": PRECISIONS,
        "qualifier": tuple(QUALIFIERS),
        "unit": tuple(UNITS),
    },
)
_EVENTS = _Spec(
    name="events",
    required=(
        "id",
        "source_id",
        "event_key",
        "event_type",
        "original",
        "date",
        "date_precision",
        "country",
        "place",
        "target",
        "killed",
        "killed_qualifier",
        "killed_low",
        "killed_high",
        "wounded",
        "wounded_qualifier",
        "wounded_low",
        "wounded_high",
        "casualties",
        "casualties_qualifier",
        "attribution",
        "quote",
        "context_quote",
        "note",
    ),
    id_column="id",
    id_prefix="E",
    text=(
        "id",
        "source_id",
        "event_key",
        "original",
        "date",
        "country",
        "place",
        "target",
        "quote",
        "context_quote",
        "note",
    ),
    ints=(
        "killed",
        "killed_low",
        "killed_high",
        "wounded",
        "wounded_low",
        "wounded_high",
        "casualties",
    ),
    categories={
        "event_type": tuple(EVENT_TYPES),
        "date_precision": PRECISIONS,
        "killed_qualifier": tuple(QUALIFIERS),
        "wounded_qualifier": tuple(QUALIFIERS),
        "casualties_qualifier": tuple(QUALIFIERS),
        "attribution": tuple(ATTRIBUTIONS),
    },
)
_WAVES = _Spec(
    name="waves",
    required=(
        "id",
        "source_id",
        "definition",
        "phase",
        "phase_order",
        "start_text",
        "end_text",
        "start_year",
        "end_year",
        "quote",
        "context_quote",
        "note",
    ),
    id_column="id",
    id_prefix="W",
    text=(
        "id",
        "source_id",
        "definition",
        "start_text",
        "end_text",
        "quote",
        "context_quote",
        "note",
    ),
    ints=("phase_order", "start_year", "end_year"),
    categories={"phase": PHASES},
)
_SPECS = {s.name: s for s in (_SOURCES, _QUANTITIES, _EVENTS, _WAVES)}

#: Count triples of the events table: (number, qualifier, low, high).
_EVENT_COUNTS = (
    ("killed", "killed_qualifier", "killed_low", "killed_high"),
    ("wounded", "wounded_qualifier", "wounded_low", "wounded_high"),
    ("casualties", "casualties_qualifier", None, None),
)

# --------------------------------------------------------------------------- paths


def data_dir() -> Path:
    """Return the project's ``data/`` folder holding the evidence tables.

    Returns
    -------
    pathlib.Path
        ``<project root>/data`` in a source checkout; ``lifecycle/data`` inside an
        installed wheel (the build copies the tables there).
    """
    package = Path(__file__).resolve().parent.parent
    packaged = package / "data"
    return packaged if packaged.is_dir() else package.parent / "data"


def seeds_dir() -> Path:
    """Return the folder holding the source documents.

    Returns
    -------
    pathlib.Path
        The ``LIFECYCLE_SEEDS_DIR`` environment variable if set, else
        ``<project root>/../shared/seeds``.
    """
    env = os.environ.get("LIFECYCLE_SEEDS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "seeds"


# --------------------------------------------------------------------------- reading


class _Row:
    """A raw CSV row with its line number, for error messages."""

    __slots__ = ("line", "values")

    def __init__(self, values: dict[str, str], line: int) -> None:
        self.values = values
        self.line = line


def _fail(file: Path | str, row: _Row | None, rid: str, column: str, msg: str) -> EvidenceError:
    where = f"{file}"
    if row is not None:
        where += f", row {rid or '?'} (line {row.line})"
    else:
        where += ", header (line 1)"
    return EvidenceError(f"{where}, column '{column}': {msg}")


def _read_rows(path: Path, spec: _Spec) -> list[_Row]:
    if not path.is_file():
        raise EvidenceError(f"{path}: evidence table not found (expected the {spec.name} CSV).")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                raise EvidenceError(f"{path}: the file is empty; expected a header row.") from None
            header = [h.strip() for h in header]
            missing = [c for c in spec.required if c not in header]
            if missing:
                raise _fail(
                    path,
                    None,
                    "",
                    missing[0],
                    f"required column missing; expected columns {', '.join(spec.required)}; "
                    f"got {', '.join(header)}.",
                )
            dupes = [c for c in header if header.count(c) > 1]
            if dupes:
                raise _fail(path, None, "", dupes[0], "the column appears more than once.")
            rows: list[_Row] = []
            for fields in reader:
                line = reader.line_num
                if not any(f.strip() for f in fields):
                    continue
                if len(fields) != len(header):
                    raise EvidenceError(
                        f"{path}, line {line}: expected {len(header)} fields as in the header, "
                        f"got {len(fields)}."
                    )
                rows.append(_Row({h: f.strip() for h, f in zip(header, fields, strict=True)}, line))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise EvidenceError(
            f"{path}: not a readable UTF-8 CSV file ({exc}); expected the {spec.name} table "
            f"as UTF-8 text with a header row."
        ) from None
    return rows


def _parse_number(
    path: Path, row: _Row, rid: str, column: str, *, integer: bool
) -> float | int | None:
    text = row.values.get(column, "")
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise _fail(
            path, row, rid, column, f"expected {kind} or an empty cell; got {text!r}."
        ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise _fail(path, row, rid, column, f"expected a finite number; got {text!r}.")
    if number < 0:
        raise _fail(path, row, rid, column, f"expected a non-negative count; got {text!r}.")
    if integer:
        if number != int(number):
            raise _fail(path, row, rid, column, f"expected an integer; got {text!r}.")
        return int(number)
    return number


def _check_date(path: Path, row: _Row, rid: str, column: str, precision_column: str) -> None:
    text = row.values[column]
    precision = row.values[precision_column]
    if precision not in PRECISIONS:
        raise _fail(
            path,
            row,
            rid,
            precision_column,
            f"expected one of {', '.join(PRECISIONS)}; got {precision!r}.",
        )
    if precision == "open":
        if text:
            raise _fail(
                path,
                row,
                rid,
                column,
                f"expected an empty cell because {precision_column} is 'open'; got {text!r}.",
            )
        return
    m = _DATE_RE.match(text)
    if not m:
        raise _fail(
            path,
            row,
            rid,
            column,
            f"expected a date written YYYY, YYYY-MM or YYYY-MM-DD ({precision_column} is "
            f"{precision!r}); got {text!r}.",
        )
    year, month, day = (int(g) if g else 1 for g in m.groups())
    try:
        _dt.date(year, month, day)
    except ValueError:
        raise _fail(
            path, row, rid, column, f"expected a valid calendar date; got {text!r}."
        ) from None
    parts = sum(g is not None for g in m.groups())
    wanted = {"year": 1, "month": 2, "day": 3}[precision]
    if parts != wanted:
        form = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}[precision]
        raise _fail(
            path,
            row,
            rid,
            column,
            f"expected {form} because {precision_column} is {precision!r}; got {text!r}.",
        )


def _date_bounds(text: str) -> tuple[_dt.date, _dt.date] | None:
    """Return the first and last day a partial date can denote."""
    m = _DATE_RE.match(text or "")
    if not m:
        return None
    y, mo, d = m.groups()
    year = int(y)
    if mo is None:
        return _dt.date(year, 1, 1), _dt.date(year, 12, 31)
    month = int(mo)
    if d is None:
        nxt = _dt.date(year + (month == 12), month % 12 + 1, 1)
        return _dt.date(year, month, 1), nxt - _dt.timedelta(days=1)
    day = _dt.date(year, month, int(d))
    return day, day


def _compatible_dates(a: str, b: str) -> bool:
    """Whether two partial dates can denote the same day (e.g. 2024-03 and 2024-03-22)."""
    ba, bb = _date_bounds(a), _date_bounds(b)
    if ba is None or bb is None:
        return True
    return ba[0] <= bb[1] and bb[0] <= ba[1]


def _known_sources(path: Path | None, sources: Any) -> set[str] | None:
    if sources is not None:
        if isinstance(sources, pd.DataFrame):
            return set(sources["source_id"].astype(str))
        return {str(s) for s in sources}
    candidates = []
    if path is not None:
        candidates.append(path.parent / "sources.csv")
    candidates.append(data_dir() / "sources.csv")
    for candidate in candidates:
        if candidate.is_file():
            return set(load_sources(candidate)["source_id"].astype(str))
    return None


def _validate_common(path: Path, spec: _Spec, rows: list[_Row], known: set[str] | None) -> None:
    seen: dict[str, int] = {}
    id_re = re.compile(rf"^{spec.id_prefix}\d{{3,}}$") if spec.id_prefix else _KEY_RE
    for row in rows:
        rid = row.values[spec.id_column]
        if not rid:
            raise _fail(path, row, rid, spec.id_column, "expected an id; got an empty cell.")
        if not id_re.match(rid):
            form = (
                f"{spec.id_prefix}001, {spec.id_prefix}002 ..."
                if spec.id_prefix
                else "a snake_case id"
            )
            raise _fail(path, row, rid, spec.id_column, f"expected {form}; got {rid!r}.")
        if rid in seen:
            raise _fail(
                path,
                row,
                rid,
                spec.id_column,
                f"duplicate id; {rid!r} is already used on line {seen[rid]}.",
            )
        seen[rid] = row.line
        if spec is not _SOURCES:
            sid = row.values["source_id"]
            if not sid:
                raise _fail(path, row, rid, "source_id", "expected a source id; got an empty cell.")
            if known is not None and sid not in known:
                raise _fail(
                    path,
                    row,
                    rid,
                    "source_id",
                    f"expected one of the sources in sources.csv ({', '.join(sorted(known))}); "
                    f"got {sid!r}.",
                )
            if not row.values["quote"]:
                raise _fail(
                    path, row, rid, "quote", "expected a verbatim quote; got an empty cell."
                )
        for column, vocab in (spec.categories or {}).items():
            value = row.values[column]
            if value == "" and column.endswith("_qualifier"):
                continue
            if value not in vocab:
                raise _fail(
                    path,
                    row,
                    rid,
                    column,
                    f"expected one of {', '.join(vocab)}; got {value!r}.",
                )


def _check_qualified(
    path: Path,
    row: _Row,
    rid: str,
    number: tuple[str, float | int | None],
    qualifier: tuple[str, str],
    low: tuple[str, float | int | None] | None,
    high: tuple[str, float | int | None] | None,
    *,
    required: bool,
) -> None:
    ncol, nval = number
    qcol, qval = qualifier
    lcol, lval = low if low else ("", None)
    hcol, hval = high if high else ("", None)
    if lval is not None and hval is not None and lval > hval:
        raise _fail(
            path,
            row,
            rid,
            lcol,
            f"expected {lcol} <= {hcol}; got {lcol}={row.values[lcol]} > "
            f"{hcol}={row.values[hcol]}.",
        )
    if qval == "":
        if nval is not None or lval is not None or hval is not None:
            raise _fail(
                path, row, rid, qcol, "expected a qualifier for the number; got an empty cell."
            )
        if required:
            raise _fail(path, row, rid, qcol, "expected a qualifier; got an empty cell.")
        return
    if qval in _RANGE_QUALIFIERS:
        if lval is None or hval is None or nval is not None:
            raise _fail(
                path,
                row,
                rid,
                qcol,
                f"qualifier {qval!r} expects {lcol or 'low'} and {hcol or 'high'} filled and "
                f"{ncol} empty; got {ncol}={row.values.get(ncol, '')!r}, "
                f"{lcol}={row.values.get(lcol, '')!r}, {hcol}={row.values.get(hcol, '')!r}.",
            )
    elif qval in _VAGUE_QUALIFIERS:
        if nval is not None:
            raise _fail(
                path,
                row,
                rid,
                ncol,
                f"qualifier {qval!r} means the document gives no number; expected an empty "
                f"cell, got {row.values[ncol]!r}.",
            )
    elif nval is None:
        raise _fail(
            path,
            row,
            rid,
            ncol,
            f"qualifier {qval!r} expects a number in {ncol}; got an empty cell.",
        )


def _frame(rows: list[_Row], spec: _Spec, numbers: dict[str, list[Any]]) -> pd.DataFrame:
    columns = list(rows[0].values) if rows else list(spec.required)
    data: dict[str, Any] = {}
    for col in columns:
        raw = [r.values.get(col, "") for r in rows]
        if col in spec.floats:
            data[col] = pd.array(numbers[col], dtype="Float64")
        elif col in spec.ints:
            data[col] = pd.array(numbers[col], dtype="Int64")
        elif spec.categories and col in spec.categories:
            data[col] = pd.Categorical(
                [v if v != "" else None for v in raw], categories=list(spec.categories[col])
            )
        else:
            data[col] = pd.array([v if v != "" else pd.NA for v in raw], dtype="string")
    frame = pd.DataFrame(data, columns=columns)
    frame.attrs["lines"] = [r.line for r in rows]
    return frame


def _numbers(path: Path, spec: _Spec, rows: list[_Row]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {c: [] for c in (*spec.floats, *spec.ints)}
    for row in rows:
        rid = row.values[spec.id_column]
        for col in spec.floats:
            out[col].append(_parse_number(path, row, rid, col, integer=False))
        for col in spec.ints:
            out[col].append(_parse_number(path, row, rid, col, integer=True))
    return out


def _resolve(path: str | os.PathLike[str] | None, name: str) -> Path:
    return Path(path) if path is not None else data_dir() / f"{name}.csv"


def load_sources(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load and validate ``sources.csv``.

    Parameters
    ----------
    path : path-like, optional
        The CSV file; default ``data/sources.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per document; text columns have ``string`` dtype, ``kind`` is
        categorical.

    Raises
    ------
    EvidenceError
        If a column is missing, an id is duplicated or malformed, a date is
        malformed or ``kind`` is not in :data:`SOURCE_KINDS`.
    """
    file = _resolve(path, "sources")
    rows = _read_rows(file, _SOURCES)
    _validate_common(file, _SOURCES, rows, None)
    for row in rows:
        rid = row.values["source_id"]
        if not row.values["file"]:
            raise _fail(file, row, rid, "file", "expected a file name; got an empty cell.")
        date = row.values["date"]
        if date:
            m = _DATE_RE.match(date)
            if not m or _date_bounds(date) is None:
                raise _fail(
                    file,
                    row,
                    rid,
                    "date",
                    f"expected YYYY, YYYY-MM or YYYY-MM-DD (or empty); got {date!r}.",
                )
    return _frame(rows, _SOURCES, {})


def load_quantities(
    path: str | os.PathLike[str] | None = None, *, sources: Any = None
) -> pd.DataFrame:
    """Load and validate ``quantities.csv``.

    Parameters
    ----------
    path : path-like, optional
        The CSV file; default ``data/quantities.csv``.
    sources : DataFrame or iterable of str, optional
        The known source ids. Default: ``sources.csv`` next to ``path`` if it
        exists, else the package's ``data/sources.csv``.

    Returns
    -------
    pandas.DataFrame
        ``value``, ``low``, ``high`` are ``Float64``; vocabularies
        (``measure``, ``qualifier``, ``unit``, precisions) are categorical;
        other columns ``string``. ``frame.attrs["lines"]`` holds each row's line
        number in the file.

    Raises
    ------
    EvidenceError
        Naming the file, the row (id and line) and the column, for a missing
        column, duplicate id, unknown or missing source id, unknown vocabulary
        entry, bad date or date inconsistent with its precision, negative
        number, ``low > high``, a qualifier inconsistent with the numbers, an
        unknown region format or a period whose start is after its end.
    """
    file = _resolve(path, "quantities")
    rows = _read_rows(file, _QUANTITIES)
    _validate_common(file, _QUANTITIES, rows, _known_sources(file, sources))
    numbers = _numbers(file, _QUANTITIES, rows)
    for i, row in enumerate(rows):
        rid = row.values["id"]
        v = row.values
        if not _KEY_RE.match(v["fact_key"]):
            raise _fail(
                file, row, rid, "fact_key", f"expected a snake_case key; got {v['fact_key']!r}."
            )
        if not _REGION_RE.match(v["region"]):
            raise _fail(
                file,
                row,
                rid,
                "region",
                "expected a snake_case country, 'country/province', a ';'-separated list, "
                f"'global' or 'unspecified'; got {v['region']!r}.",
            )
        _check_date(file, row, rid, "period_start", "period_start_precision")
        _check_date(file, row, rid, "period_end", "period_end_precision")
        if v["period_start"] and v["period_end"]:
            a, b = _date_bounds(v["period_start"]), _date_bounds(v["period_end"])
            if a and b and a[0] > b[1]:
                raise _fail(
                    file,
                    row,
                    rid,
                    "period_end",
                    f"expected period_end on or after period_start ({v['period_start']}); "
                    f"got {v['period_end']!r}.",
                )
        _check_qualified(
            file,
            row,
            rid,
            ("value", numbers["value"][i]),
            ("qualifier", v["qualifier"]),
            ("low", numbers["low"][i]),
            ("high", numbers["high"][i]),
            required=True,
        )
        if v["unit"] == "count":
            for col in ("value", "low", "high"):
                n = numbers[col][i]
                if n is not None and n != int(n):
                    raise _fail(
                        file,
                        row,
                        rid,
                        col,
                        f"expected a whole number for unit 'count'; got {v[col]!r}.",
                    )
        if v["unit"] == "percent" and numbers["value"][i] is not None and numbers["value"][i] > 100:
            raise _fail(
                file,
                row,
                rid,
                "value",
                f"expected a percentage between 0 and 100; got {v['value']!r}.",
            )
        if v["unit"] == "fraction" and numbers["value"][i] is not None and numbers["value"][i] > 1:
            raise _fail(
                file, row, rid, "value", f"expected a fraction between 0 and 1; got {v['value']!r}."
            )
    return _frame(rows, _QUANTITIES, numbers)


def load_events(path: str | os.PathLike[str] | None = None, *, sources: Any = None) -> pd.DataFrame:
    """Load and validate ``events.csv``.

    Parameters
    ----------
    path : path-like, optional
        The CSV file; default ``data/events.csv``.
    sources : DataFrame or iterable of str, optional
        The known source ids (see :func:`load_quantities`).

    Returns
    -------
    pandas.DataFrame
        Tolls (``killed``, ``wounded``, ``casualties`` and their low/high) are
        ``Int64``; vocabularies are categorical; other columns ``string``.

    Raises
    ------
    EvidenceError
        Naming the file, the row (id and line) and the column (see
        :func:`load_quantities` for the checks).
    """
    file = _resolve(path, "events")
    rows = _read_rows(file, _EVENTS)
    _validate_common(file, _EVENTS, rows, _known_sources(file, sources))
    numbers = _numbers(file, _EVENTS, rows)
    for i, row in enumerate(rows):
        rid = row.values["id"]
        if not _KEY_RE.match(row.values["event_key"]):
            raise _fail(
                file,
                row,
                rid,
                "event_key",
                f"expected a snake_case key; got {row.values['event_key']!r}.",
            )
        country = row.values["country"]
        if country and not _REGION_RE.match(country):
            raise _fail(
                file,
                row,
                rid,
                "country",
                f"expected a snake_case country (or ';'-list); got {country!r}.",
            )
        _check_date(file, row, rid, "date", "date_precision")
        for ncol, qcol, lcol, hcol in _EVENT_COUNTS:
            _check_qualified(
                file,
                row,
                rid,
                (ncol, numbers[ncol][i]),
                (qcol, row.values[qcol]),
                (lcol, numbers[lcol][i]) if lcol else None,
                (hcol, numbers[hcol][i]) if hcol else None,
                required=False,
            )
    return _frame(rows, _EVENTS, numbers)


def load_waves(path: str | os.PathLike[str] | None = None, *, sources: Any = None) -> pd.DataFrame:
    """Load and validate ``waves.csv``.

    Parameters
    ----------
    path : path-like, optional
        The CSV file; default ``data/waves.csv``.
    sources : DataFrame or iterable of str, optional
        The known source ids (see :func:`load_quantities`).

    Returns
    -------
    pandas.DataFrame
        ``phase_order``, ``start_year``, ``end_year`` are ``Int64``; ``phase`` is
        categorical; other columns ``string``.

    Raises
    ------
    EvidenceError
        Naming the file, the row (id and line) and the column.
    """
    file = _resolve(path, "waves")
    rows = _read_rows(file, _WAVES)
    _validate_common(file, _WAVES, rows, _known_sources(file, sources))
    numbers = _numbers(file, _WAVES, rows)
    for i, row in enumerate(rows):
        rid = row.values["id"]
        if row.values["definition"] not in WAVE_DEFINITIONS:
            raise _fail(
                file,
                row,
                rid,
                "definition",
                f"expected one of {', '.join(WAVE_DEFINITIONS)}; got {row.values['definition']!r}.",
            )
        if numbers["phase_order"][i] is None or numbers["phase_order"][i] < 1:
            raise _fail(
                file,
                row,
                rid,
                "phase_order",
                f"expected an integer >= 1; got {row.values['phase_order']!r}.",
            )
        for col in ("start_year", "end_year"):
            text = row.values[col]
            if text and not _YEAR_RE.match(text):
                raise _fail(
                    file,
                    row,
                    rid,
                    col,
                    f"expected a four-digit year or an empty cell; got {text!r}.",
                )
        sy, ey = numbers["start_year"][i], numbers["end_year"][i]
        if sy is not None and ey is not None and sy > ey:
            raise _fail(
                file, row, rid, "start_year", f"expected start_year <= end_year ({ey}); got {sy}."
            )
    return _frame(rows, _WAVES, numbers)


@dataclass(frozen=True)
class Evidence:
    """The four evidence tables.

    Attributes
    ----------
    sources, quantities, events, waves : pandas.DataFrame
        As returned by :func:`load_sources`, :func:`load_quantities`,
        :func:`load_events` and :func:`load_waves`.
    """

    sources: pd.DataFrame
    quantities: pd.DataFrame
    events: pd.DataFrame
    waves: pd.DataFrame


def load_evidence(directory: str | os.PathLike[str] | None = None) -> Evidence:
    """Load and validate the four evidence tables of one folder.

    Parameters
    ----------
    directory : path-like, optional
        Folder holding ``sources.csv``, ``quantities.csv``, ``events.csv`` and
        ``waves.csv``; default :func:`data_dir`.

    Returns
    -------
    Evidence
    """
    folder = Path(directory) if directory is not None else data_dir()
    sources = load_sources(folder / "sources.csv")
    return Evidence(
        sources=sources,
        quantities=load_quantities(folder / "quantities.csv", sources=sources),
        events=load_events(folder / "events.csv", sources=sources),
        waves=load_waves(folder / "waves.csv", sources=sources),
    )


# --------------------------------------------------------------------------- provenance

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\ufe58": "-",
        "\ufe63": "-",
        "\uff0d": "-",
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\ufeff": None,
        "*": None,
    }
)
_SUP_RE = re.compile(r"<sup>[^<]*</sup>")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$&|~<>])")
_SPACE_RE = re.compile(r"\s+")
_NUMBER_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_WORD_RE = re.compile(r"[a-z]+")


def normalise_text(text: str) -> str:
    """Normalise text for verbatim matching of quotes.

    Parameters
    ----------
    text : str
        A quote or a whole document.

    Returns
    -------
    str
        NFKC-normalised text with typographic quotes and apostrophes as ASCII,
        every dash as ``-``, soft hyphens, zero-width characters, footnote
        markers (``<sup>..</sup>``), markdown ``*`` and markdown backslash
        escapes removed, and whitespace runs collapsed to one space.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _SUP_RE.sub(" ", text)
    text = _ESCAPE_RE.sub(r"\1", text)
    text = text.translate(_TRANSLATE)
    return _SPACE_RE.sub(" ", text).strip()


def _numbers_in(text: str) -> list[float]:
    found = [float(m.replace(",", "")) for m in _NUMBER_RE.findall(text)]
    found += [NUMBER_WORDS[w] for w in _WORD_RE.findall(text.lower()) if w in NUMBER_WORDS]
    return found


def _has_number(text: str, number: float) -> bool:
    return any(abs(n - number) < 1e-9 for n in _numbers_in(text))


@dataclass(frozen=True)
class ProvenanceProblem:
    """One failed provenance check.

    Attributes
    ----------
    file : str
        The evidence table.
    row_id : str
        The row's id (``Q012``, ``E003``, ``W001`` or a source id).
    line : int
        The row's line number in the file (0 when unknown).
    column : str
        The column that failed.
    message : str
        What was expected and what was found.
    """

    file: str
    row_id: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}, row {self.row_id} (line {self.line}), column '{self.column}': "
            f"{self.message}"
        )


def _table_kind(frame: pd.DataFrame) -> str:
    cols = set(frame.columns)
    if "fact_key" in cols:
        return "quantities"
    if "event_key" in cols:
        return "events"
    if "definition" in cols:
        return "waves"
    if "file" in cols and "source_id" in cols:
        return "sources"
    raise EvidenceError(
        f"Cannot tell which evidence table this is; expected the columns of sources, "
        f"quantities, events or waves; got {', '.join(map(str, frame.columns))}."
    )


def _load_any(table: Any) -> list[tuple[str, pd.DataFrame, Path | None]]:
    """Turn the ``table`` argument of check_provenance into (file label, frame, path)."""
    if table is None:
        folder = data_dir()
        ev = load_evidence(folder)
        return [
            (str(folder / f"{name}.csv"), getattr(ev, name), folder / f"{name}.csv")
            for name in ("sources", "quantities", "events", "waves")
        ]
    if isinstance(table, pd.DataFrame):
        return [(f"<{_table_kind(table)} table>", table, None)]
    if isinstance(table, str) and table in _SPECS:
        path = data_dir() / f"{table}.csv"
    else:
        path = Path(table)
    if not path.is_file():
        raise EvidenceError(f"{path}: evidence table not found.")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    header = [h.strip() for h in header]
    kind = _table_kind(pd.DataFrame(columns=header))
    loader = {
        "sources": load_sources,
        "quantities": load_quantities,
        "events": load_events,
        "waves": load_waves,
    }[kind]
    return [(str(path), loader(path), path)]


def _cell(frame: pd.DataFrame, i: int, col: str) -> Any:
    if col not in frame.columns:
        return None
    value = frame[col].iloc[i]
    return None if pd.isna(value) else value


def _publication_year(sources: pd.DataFrame, source_id: str) -> int | None:
    hit = sources.loc[sources["source_id"].astype(str) == source_id, "date"]
    if hit.empty or pd.isna(hit.iloc[0]):
        return None
    m = _DATE_RE.match(str(hit.iloc[0]))
    return int(m.group(1)) if m else None


def check_provenance(
    table: Any = None,
    *,
    seeds: str | os.PathLike[str] | None = None,
    sources: pd.DataFrame | str | os.PathLike[str] | None = None,
    strict: bool = False,
) -> list[ProvenanceProblem]:
    """Check every row of the evidence against its source document.

    For every row: ``quote`` and ``context_quote`` (if any) occur verbatim in
    the row's source document (after :func:`normalise_text`); every number the
    row records appears in ``quote`` (digits with or without thousand
    separators, or a word of :data:`NUMBER_WORDS`); the year of every date and
    every ``start_year``/``end_year`` appears in ``quote`` or ``context_quote``
    ("this year" counts as the source's publication year); in ``waves``,
    ``start_text``/``end_text`` appear as written. For ``sources``, every file
    exists in the seeds folder.

    Parameters
    ----------
    table : None, str, path-like or DataFrame
        ``None`` checks the four tables in :func:`data_dir`; a table name
        (``"quantities"``, ``"events"``, ``"waves"``, ``"sources"``) checks that
        table of :func:`data_dir`; a path checks that CSV file (its kind is
        told by its columns); a DataFrame checks that frame.
    seeds : path-like, optional
        The folder of source documents; default :func:`seeds_dir`.
    sources : DataFrame or path-like, optional
        The sources table mapping ``source_id`` to ``file``; default
        ``sources.csv`` next to the checked file, else ``data/sources.csv``.
    strict : bool
        Raise :class:`~lifecycle._core.errors.ProvenanceError` listing every problem
        instead of returning them.

    Returns
    -------
    list of ProvenanceProblem
        Empty when every check passes.

    Raises
    ------
    ProvenanceError
        If the seeds folder or a source document is missing, or (with
        ``strict=True``) if any check fails.
    EvidenceError
        If a table is malformed.
    """
    folder = Path(seeds) if seeds is not None else seeds_dir()
    if not folder.is_dir():
        raise ProvenanceError(
            f"Source documents folder {folder} not found; expected the seeds folder "
            "(set LIFECYCLE_SEEDS_DIR or pass seeds=)."
        )
    tables = _load_any(table)
    if isinstance(sources, pd.DataFrame):
        src = sources
    elif sources is not None:
        src = load_sources(sources)
    else:
        local = tables[0][2].parent / "sources.csv" if tables[0][2] is not None else None
        src = load_sources(local if local is not None and local.is_file() else None)
    files = dict(zip(src["source_id"].astype(str), src["file"].astype(str), strict=True))

    documents: dict[str, str] = {}

    def document(source_id: str) -> str | None:
        if source_id not in documents:
            name = files.get(source_id)
            if name is None:
                return None
            path = folder / name
            if not path.is_file():
                raise ProvenanceError(
                    f"Source document {path} (source {source_id!r}) not found in {folder}."
                )
            documents[source_id] = normalise_text(path.read_text(encoding="utf-8"))
        return documents[source_id]

    problems: list[ProvenanceProblem] = []
    for label, frame, _path in tables:
        kind = _table_kind(frame)
        lines = frame.attrs.get("lines", [0] * len(frame))
        for i in range(len(frame)):
            line = lines[i] if i < len(lines) else 0
            if kind == "sources":
                sid = str(frame["source_id"].iloc[i])
                name = str(frame["file"].iloc[i])
                if not (folder / name).is_file():
                    raise ProvenanceError(
                        f"{label}, row {sid} (line {line}), column 'file': source document "
                        f"{folder / name} not found."
                    )
                continue
            problems.extend(_check_row(label, kind, frame, i, line, document, src))
    if strict and problems:
        raise ProvenanceError(
            f"{len(problems)} provenance problem(s):\n" + "\n".join(map(str, problems))
        )
    return problems


def _check_row(
    label: str,
    kind: str,
    frame: pd.DataFrame,
    i: int,
    line: int,
    document: Any,
    sources: pd.DataFrame,
) -> list[ProvenanceProblem]:
    rid = str(frame["id"].iloc[i])
    sid = str(frame["source_id"].iloc[i])
    out: list[ProvenanceProblem] = []

    def problem(column: str, message: str) -> None:
        out.append(ProvenanceProblem(label, rid, line, column, message))

    doc = document(sid)
    if doc is None:
        problem("source_id", f"expected a source listed in sources.csv; got {sid!r}.")
        return out
    quote = normalise_text(str(_cell(frame, i, "quote") or ""))
    context = normalise_text(str(_cell(frame, i, "context_quote") or ""))
    if not quote:
        problem("quote", "expected a verbatim quote; got an empty cell.")
    elif quote not in doc:
        problem("quote", f"quote not found verbatim in {sid}'s document: {quote!r}.")
    if context and context not in doc:
        problem(
            "context_quote", f"context_quote not found verbatim in {sid}'s document: {context!r}."
        )

    if kind == "quantities":
        number_cols = ["value", "low", "high"]
    elif kind == "events":
        number_cols = [
            c for triple in _EVENT_COUNTS for c in triple if c and not c.endswith("_qualifier")
        ]
    else:
        number_cols = []
    for col in number_cols:
        number = _cell(frame, i, col)
        if number is not None and not _has_number(quote, float(number)):
            problem(
                col,
                f"the number {_fmt(number)} recorded in {col} does not appear in the "
                f"quote {quote!r}.",
            )

    both = f"{quote} {context}"
    this_year = _publication_year(sources, sid) if "this year" in both.lower() else None

    def check_year(col: str, year: int) -> None:
        if _has_number(both, float(year)) or year == this_year:
            return
        problem(
            col,
            f"the year {year} recorded in {col} appears neither in the quote nor in "
            "the context_quote.",
        )

    if kind == "quantities":
        year_cols = ["period_start", "period_end"]
    elif kind == "events":
        year_cols = ["date"]
    else:
        year_cols = ["start_year", "end_year"]
    for col in year_cols:
        value = _cell(frame, i, col)
        if value is None:
            continue
        m = re.match(r"^(\d{4})", str(value))
        if m:
            check_year(col, int(m.group(1)))
    if kind == "waves":
        for col in ("start_text", "end_text"):
            text = _cell(frame, i, col)
            if text and normalise_text(str(text)) not in both:
                problem(col, f"{col} {text!r} is not written in the quote or the context_quote.")
    return out


def _fmt(number: Any) -> str:
    number = float(number)
    return str(int(number)) if number == int(number) else repr(number)


# --------------------------------------------------------------------------- conflicts


def _reading(
    row: pd.Series, number: str, qualifier: str, low: str | None, high: str | None
) -> tuple[Any, ...] | None:
    """A comparable reading of a qualified number, or None when nothing is stated."""
    q = row.get(qualifier)
    q = None if pd.isna(q) else str(q)
    n = row.get(number)
    lo = row.get(low) if low else None
    hi = row.get(high) if high else None
    vals = tuple(None if v is None or pd.isna(v) else float(v) for v in (n, lo, hi))
    if q is None and all(v is None for v in vals):
        return None
    klass = "approx" if q in _APPROX_QUALIFIERS else q
    return (klass, *vals)


def _render(row: pd.Series, number: str, qualifier: str, low: str | None, high: str | None) -> str:
    q = row.get(qualifier)
    q = "" if pd.isna(q) else str(q)
    n = row.get(number)
    if q in _RANGE_QUALIFIERS:
        return f"{q} {_fmt(row.get(low))}-{_fmt(row.get(high))}"
    if n is None or pd.isna(n):
        return q
    return f"{_fmt(n)}" if q in ("", "exact") else f"{q} {_fmt(n)}"


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def conflicts(evidence: Evidence | None = None) -> pd.DataFrame:
    """List the facts and events on which the documents (or one document) disagree.

    Quantities sharing a ``fact_key`` are compared on ``value`` (rows of the
    same ``region`` only: a breakdown by country is not a disagreement),
    ``measure``, ``period_start`` and ``period_end`` (only when both rows give
    the bound; partial dates conflict only if they cannot denote the same
    day). Events sharing an ``event_key`` are compared on ``date``, ``killed``,
    ``wounded`` and ``casualties`` when both rows state them. Approximate
    qualifiers (about, nearly, roughly) count as one; "13" and "more than 13"
    disagree.

    Parameters
    ----------
    evidence : Evidence, optional
        Default :func:`load_evidence`.

    Returns
    -------
    pandas.DataFrame
        One row per disagreeing pair: ``table``, ``key``, ``field``, ``id_a``,
        ``source_id_a``, ``value_a``, ``quote_a``, ``context_quote_a``, then the
        same for ``b``, and ``same_source``.
    """
    ev = evidence if evidence is not None else load_evidence()
    records: list[dict[str, Any]] = []

    def add(table: str, key: str, field: str, a: pd.Series, va: str, b: pd.Series, vb: str) -> None:
        records.append(
            {
                "table": table,
                "key": key,
                "field": field,
                "id_a": a["id"],
                "source_id_a": a["source_id"],
                "value_a": va,
                "quote_a": a["quote"],
                "context_quote_a": _text(a["context_quote"]),
                "id_b": b["id"],
                "source_id_b": b["source_id"],
                "value_b": vb,
                "quote_b": b["quote"],
                "context_quote_b": _text(b["context_quote"]),
                "same_source": a["source_id"] == b["source_id"],
            }
        )

    q = ev.quantities
    for key, group in q.groupby("fact_key", sort=True, observed=True):
        rows = [r for _, r in group.iterrows()]
        for a, b in itertools.combinations(rows, 2):
            if a["region"] == b["region"]:
                ra = _reading(a, "value", "qualifier", "low", "high")
                rb = _reading(b, "value", "qualifier", "low", "high")
                if ra is not None and rb is not None and ra != rb:
                    add(
                        "quantities",
                        str(key),
                        "value",
                        a,
                        _render(a, "value", "qualifier", "low", "high"),
                        b,
                        _render(b, "value", "qualifier", "low", "high"),
                    )
            if str(a["measure"]) != str(b["measure"]):
                add("quantities", str(key), "measure", a, str(a["measure"]), b, str(b["measure"]))
            for col in ("period_start", "period_end"):
                da, db = _text(a[col]), _text(b[col])
                if da and db and not _compatible_dates(da, db):
                    add("quantities", str(key), col, a, da, b, db)

    e = ev.events
    for key, group in e.groupby("event_key", sort=True, observed=True):
        rows = [r for _, r in group.iterrows()]
        for a, b in itertools.combinations(rows, 2):
            da, db = _text(a["date"]), _text(b["date"])
            if da and db and not _compatible_dates(da, db):
                add("events", str(key), "date", a, da, b, db)
            for ncol, qcol, lcol, hcol in _EVENT_COUNTS:
                ra = _reading(a, ncol, qcol, lcol, hcol)
                rb = _reading(b, ncol, qcol, lcol, hcol)
                if ra is not None and rb is not None and ra != rb:
                    add(
                        "events",
                        str(key),
                        ncol,
                        a,
                        _render(a, ncol, qcol, lcol, hcol),
                        b,
                        _render(b, ncol, qcol, lcol, hcol),
                    )

    columns = [
        "table",
        "key",
        "field",
        "id_a",
        "source_id_a",
        "value_a",
        "quote_a",
        "context_quote_a",
        "id_b",
        "source_id_b",
        "value_b",
        "quote_b",
        "context_quote_b",
        "same_source",
    ]
    out = pd.DataFrame.from_records(records, columns=columns)
    for col in columns[:-1]:
        out[col] = out[col].astype("string")
    out["same_source"] = out["same_source"].astype("boolean")
    return out


# --------------------------------------------------------------------------- originals


def originals(table: str | pd.DataFrame = "quantities") -> pd.DataFrame:
    """Collapse repeats of one original into one observation.

    Rows with the same key (``fact_key`` or ``event_key``) and the same
    effective original (``original`` if given, else the row's own
    ``source_id``: the document is then the original) are one observation:
    a document that repeats a figure of another document adds no independent
    evidence. The observation is represented by the row of the original
    document itself when it is one of the sources, else by its first row.

    Parameters
    ----------
    table : {"quantities", "events"} or DataFrame
        The table, by name (loaded from :func:`data_dir`) or as loaded by
        :func:`load_quantities` / :func:`load_events`.

    Returns
    -------
    pandas.DataFrame
        The representative rows, with added columns ``effective_original``,
        ``n_merged``, ``merged_ids`` and ``merged_sources`` (``;``-separated)
        and ``values_agree``: whether the merged rows state identical numbers
        (as in :func:`conflicts`: about/nearly/roughly count as one qualifier;
        quantities are compared within a region, so a breakdown by country does
        not disagree with its total; events on compatible dates and on tolls
        both rows state).
    """
    if isinstance(table, str):
        if table == "quantities":
            frame = load_quantities()
        elif table == "events":
            frame = load_events()
        else:
            raise EvidenceError(
                f"originals expects 'quantities', 'events' or a DataFrame; got {table!r}."
            )
    else:
        frame = table
    kind = _table_kind(frame)
    if kind not in ("quantities", "events"):
        raise EvidenceError(f"originals expects the quantities or events table; got {kind}.")
    key = "fact_key" if kind == "quantities" else "event_key"
    work = frame.copy()
    work["effective_original"] = [
        _text(o) or _text(s) for o, s in zip(work["original"], work["source_id"], strict=True)
    ]
    work["effective_original"] = work["effective_original"].astype("string")
    reps: list[pd.Series] = []
    for (_k, orig), group in work.groupby([key, "effective_original"], sort=True, observed=True):
        own = group[group["source_id"].astype(str) == str(orig)]
        rep = (own if not own.empty else group).iloc[0].copy()
        rep["n_merged"] = len(group)
        rep["merged_ids"] = ";".join(group["id"].astype(str))
        rep["merged_sources"] = ";".join(dict.fromkeys(group["source_id"].astype(str)))
        rep["values_agree"] = _agree(kind, group)
        reps.append(rep)
    out = pd.DataFrame(reps).reset_index(drop=True)
    if out.empty:
        out = work.iloc[0:0].assign(n_merged=0, merged_ids="", merged_sources="", values_agree=True)
    for col in frame.columns:
        out[col] = out[col].astype(frame[col].dtype)
    out["n_merged"] = out["n_merged"].astype("Int64")
    for col in ("merged_ids", "merged_sources"):
        out[col] = out[col].astype("string")
    out["values_agree"] = out["values_agree"].astype("boolean")
    return out


def _agree(kind: str, group: pd.DataFrame) -> bool:
    rows = [r for _, r in group.iterrows()]
    for a, b in itertools.combinations(rows, 2):
        if kind == "quantities":
            if a["region"] != b["region"]:
                continue
            ra = _reading(a, "value", "qualifier", "low", "high")
            rb = _reading(b, "value", "qualifier", "low", "high")
            if ra != rb:
                return False
        else:
            da, db = _text(a["date"]), _text(b["date"])
            if da and db and not _compatible_dates(da, db):
                return False
            for ncol, qcol, lcol, hcol in _EVENT_COUNTS:
                ra = _reading(a, ncol, qcol, lcol, hcol)
                rb = _reading(b, ncol, qcol, lcol, hcol)
                if ra is not None and rb is not None and ra != rb:
                    return False
    return True

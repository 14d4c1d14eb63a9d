"""Check every evidence row against its source document (quotes verbatim, numbers in quotes)."""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from lifecycle._core.errors import EvidenceError, ProvenanceError
from lifecycle.evidence.dates import DATE_RE as _DATE_RE
from lifecycle.evidence.loading import (
    load_events,
    load_evidence,
    load_milestones,
    load_quantities,
    load_sources,
    load_waves,
)
from lifecycle.evidence.paths import data_dir, seeds_dir
from lifecycle.evidence.schema import _EVENT_COUNTS, _SPECS, NUMBER_WORDS

__all__ = ["ProvenanceProblem", "check_provenance", "normalise_text"]

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
_FOOTNOTE_YEAR_RE = re.compile(r"\b(\d{4})\.\d{1,2}(?=\s|$)")


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
    # A footnote digit glued to a year at the end of a sentence ("since January 2017.2"
    # in csis_2018) also reads as the year itself.
    found += [float(m) for m in _FOOTNOTE_YEAR_RE.findall(text)]
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
        The row's id (``Q012``, ``E003``, ``W001``, ``M001`` or a source id).
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
    if "milestone_key" in cols:
        return "milestones"
    if "file" in cols and "source_id" in cols:
        return "sources"
    raise EvidenceError(
        f"Cannot tell which evidence table this is; expected the columns of sources, "
        f"quantities, events, waves or milestones; got {', '.join(map(str, frame.columns))}."
    )


def _load_any(table: Any) -> list[tuple[str, pd.DataFrame, Path | None]]:
    """Turn the ``table`` argument of check_provenance into (file label, frame, path)."""
    if table is None:
        folder = data_dir()
        ev = load_evidence(folder)
        return [
            (str(folder / f"{name}.csv"), getattr(ev, name), folder / f"{name}.csv")
            for name in ("sources", "quantities", "events", "waves", "milestones")
            if name != "milestones" or (folder / "milestones.csv").is_file()
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
        "milestones": load_milestones,
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
    ``start_text``/``end_text`` appear as written, in ``milestones`` the
    ``date_text``. For ``sources``, every file exists in the seeds folder.

    Parameters
    ----------
    table : None, str, path-like or DataFrame
        ``None`` checks every table in :func:`data_dir`; a table name
        (``"quantities"``, ``"events"``, ``"waves"``, ``"milestones"``,
        ``"sources"``) checks that
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

    year_cols = {
        "quantities": ["period_start", "period_end"],
        "events": ["date"],
        "milestones": ["start", "end"],
    }.get(kind, ["start_year", "end_year"])
    for col in year_cols:
        value = _cell(frame, i, col)
        if value is None:
            continue
        m = re.match(r"^(\d{4})", str(value))
        if m:
            check_year(col, int(m.group(1)))
    text_cols = {"waves": ("start_text", "end_text"), "milestones": ("date_text",)}
    if kind in text_cols:
        for col in text_cols[kind]:
            text = _cell(frame, i, col)
            if text and normalise_text(str(text)) not in both:
                problem(col, f"{col} {text!r} is not written in the quote or the context_quote.")
    return out


def _fmt(number: Any) -> str:
    number = float(number)
    return str(int(number)) if number == int(number) else repr(number)

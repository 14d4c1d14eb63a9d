"""The report folder: ``report.md``, ``report.html``, ``figures/`` and ``tables/``.

:func:`write_report` writes an :class:`~lifecycle.report.analysis.Analysis` as a folder.
It computes nothing: the numbers come from the analysis, the figures from
:mod:`lifecycle.report.figures`, the short tables from :mod:`lifecycle.report.summary`.

The page opens with what a reader needs first: the bottom line in words, one headline
figure (the numbers by year with the documents' wave definitions as shaded phases) and
the numbers by year with their evidence ids. Then a table of contents, one short section
per indicator, and the detail; long tables are CSV files (linked) and, in the HTML,
collapsed ``<details>`` blocks.

The folder is written safely: into a temporary folder beside the target, moved into place
only when complete, so an interrupted run never leaves a folder that looks complete; a
non-empty target is refused unless ``overwrite=True``, which replaces it whole. Same
inputs and seed give byte-identical files: no timestamps, fixed float formats, fixed SVG
hash salt, no PNG software stamp.
"""

from __future__ import annotations

import gc
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from lifecycle._core.errors import InputError
from lifecycle.inference import DEFAULT_RATE_MEAN_RANGE
from lifecycle.plotting.base import readable
from lifecycle.report.analysis import Analysis, evidence_rows_used
from lifecycle.report.cells import LEVEL
from lifecycle.report.document import TABLE_FILES, Document, write_csv
from lifecycle.report.figures import FigureSet, draw_figures
from lifecycle.report.outcomes import choice_sensitivity, collapsed_outcomes, reading_outcomes
from lifecycle.report.summary import (
    bottom_line,
    bottom_line_items,
    comparison_top,
    numbers_by_year,
    test_summary,
    verdict_table,
)

__all__ = ["check_target", "merged_notes", "provenance_status", "reproduce_command", "write_report"]

_CONFLICT_COLUMNS = ["key", "field", "id_a", "value_a", "id_b", "value_b"]


def check_target(out: str | Path, *, overwrite: bool = False) -> Path:
    """The report folder, checked before any work: refused if it holds files, unless overwriting.

    Parameters
    ----------
    out : str or Path
    overwrite : bool
        Accept a non-empty folder (it will be replaced whole).

    Returns
    -------
    Path

    Raises
    ------
    InputError
        If ``out`` is a file, or a non-empty folder and ``overwrite`` is false.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"The report folder {out} is a file; give a folder name.")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise InputError(
            f"The report folder {out} exists and is not empty; choose another folder or "
            "replace it with --overwrite."
        )
    return out


def write_report(
    analysis: Analysis,
    out: str | Path,
    *,
    overwrite: bool = False,
    command: str | None = None,
    provenance: str | None = None,
) -> list[Path]:
    """Write the report folder: report.md, report.html, figures/ and tables/.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analyse_evidence` or :func:`analyse_series`.
    out : str or Path
        Folder to write. It must not exist or be empty, unless ``overwrite``.
    overwrite : bool
        Replace a non-empty ``out`` whole (nothing of the old folder is kept).
    command : str, optional
        The command that reproduces the report (default: :func:`reproduce_command`).
    provenance : str, optional
        The sentence on the provenance re-check (default: :func:`provenance_status`,
        which re-reads the source documents; a caller that shows it too computes it once).

    Returns
    -------
    list of Path
        Every file written, sorted.

    Raises
    ------
    InputError
        If ``out`` is a file or a non-empty folder (without ``overwrite``).

    Notes
    -----
    The files depend only on the analysis: no dates, no machine names, fixed number
    formats, fixed SVG ids. Running the same analysis (same inputs and seed) twice gives
    byte-identical folders. The folder appears only when complete (written to a temporary
    folder and renamed); an error or interruption leaves the target as it was.

    Examples
    --------
    >>> files = write_report(analyse_evidence(seed=1, n_boot=99), "report")  # doctest: +SKIP
    """
    if not isinstance(analysis, Analysis):
        raise TypeError(f"Expected an Analysis. Got {type(analysis).__name__}.")
    out = check_target(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        if provenance is None:
            provenance = provenance_status(analysis)
        with _heap_frozen():
            names = _write_into(analysis, tmp, command or reproduce_command(analysis), provenance)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            out.replace(old / "report")
            tmp.replace(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.replace(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out / n for n in names)


@contextmanager
def _heap_frozen() -> Iterator[None]:
    """The objects alive on entry left out of the garbage collector's passes, then put back.

    Writing makes and drops thousands of short-lived objects (23 figures' artists), and
    each pass of the cycle collector over the oldest generation also walked the whole
    analysis (every fit and table), which outlives the writing anyway: about 0.2 s of
    CPU in the report. ``gc.freeze`` moves what exists now out of the passes;
    ``gc.unfreeze`` puts it back in the oldest generation, where it is collected as
    before. Nothing is done when the collector is off or some objects are frozen
    already (by the caller: theirs to unfreeze).
    """
    if not gc.isenabled() or gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _write_into(analysis: Analysis, folder: Path, command: str, provenance: str) -> list[Path]:
    """Write every file into ``folder``; return their paths relative to it."""
    (folder / "figures").mkdir()
    (folder / "tables").mkdir()
    outcomes = _outcomes(analysis)
    tables = _tables(analysis, outcomes)
    names: list[Path] = []
    for key, frame in tables.items():
        write_csv(frame, folder / "tables" / f"{key}.csv")
        names.append(Path("tables") / f"{key}.csv")
    figs = FigureSet(folder / "figures")
    draw_figures(analysis, figs)
    names += [Path("figures") / f"{f.stem}.{ext}" for f in figs.items for ext in ("png", "svg")]
    doc = _document(analysis, tables, figs, command, outcomes, provenance)
    (folder / "report.md").write_text(doc.markdown(), encoding="utf-8", newline="")
    (folder / "report.html").write_text(doc.html(), encoding="utf-8", newline="")
    return [*names, Path("report.md"), Path("report.html")]


#: Per indicator: its readings' outcomes and how they depend on each choice.
_Outcomes = dict[str, tuple[pd.DataFrame, pd.DataFrame]]


def _outcomes(analysis: Analysis) -> _Outcomes:
    """:func:`reading_outcomes` and :func:`choice_sensitivity` of every indicator, once."""
    labels = list(analysis.indicators["indicator"]) if len(analysis.indicators) else []
    out = {}
    for lab in labels:
        per = reading_outcomes(analysis, lab)
        out[lab] = (per, choice_sensitivity(analysis, lab, per_reading=per))
    return out


def _tables(analysis: Analysis, outcomes: _Outcomes) -> dict[str, pd.DataFrame]:
    """Every table of the report (the CSV files)."""
    tables: dict[str, pd.DataFrame] = {k: getattr(analysis, k) for k, _ in TABLE_FILES}
    ev = analysis.evidence
    if ev is not None:
        from lifecycle.evidence.tables import conflicts

        used = evidence_rows_used(analysis)
        tables["sources"] = ev.sources
        tables["evidence_quantities"] = ev.quantities[ev.quantities["id"].isin(used)]
        tables["evidence_events"] = ev.events[ev.events["id"].isin(used)]
        tables["conflicts"] = conflicts(ev)
    per = [p.assign(indicator=lab) for lab, (p, _) in outcomes.items()]
    sens = [c.assign(indicator=lab) for lab, (_, c) in outcomes.items()]
    if per:
        tables["outcomes"] = pd.concat(per, ignore_index=True)
        tables["sensitivity"] = pd.concat(sens, ignore_index=True)
    return tables


def provenance_status(analysis: Analysis) -> str:
    """Whether the quotes were re-checked against the source documents, in one sentence.

    The embedded quotes are the evidence; the documents are needed only to re-check them.
    When the documents' folder (:func:`lifecycle.evidence.tables.seeds_dir`, or
    ``LIFECYCLE_SEEDS_DIR``) is not there, the re-check is skipped and the sentence says so.
    """
    if analysis.evidence is None:
        return "The series is the user's; there are no documents to check it against."
    from lifecycle.evidence.tables import check_provenance, seeds_dir

    folder = seeds_dir()
    if not folder.is_dir():
        return (
            "Provenance re-check not run: the source documents folder "
            f"`{folder.name}` was not found (set LIFECYCLE_SEEDS_DIR to the folder of the "
            "five documents to run it). The report uses the quotes embedded in the package; "
            "the test suite checks each against its document."
        )
    problems = check_provenance(seeds=folder)
    if not problems:
        return (
            "Provenance re-check run and passed: every quote is in its source document and "
            "every number and year in its quote."
        )
    return f"Provenance re-check run and found {len(problems)} problem(s): " + "; ".join(
        str(p) for p in problems[:5]
    )


def reproduce_command(analysis: Analysis) -> str:
    """The ``lifecycle report`` command that gives the same report."""
    parts = ["lifecycle report"]
    if analysis.source:
        parts.append(analysis.source)
    parts += [f"--seed {analysis.seed}", f"--bootstrap {analysis.n_boot}"]
    if analysis.family != "auto":
        parts.append(f"--family {analysis.family}")
    if analysis.evidence is not None:
        from lifecycle.report.analysis import INDICATORS

        every = [q for q, _, _ in INDICATORS]
        chosen = list(analysis.indicators["question"])
        if chosen != every:
            parts.append("--only " + " ".join(chosen))
    return " ".join(parts)


# ---------------------------------------------------------------------- the document
#: A year × measure table wider than this (measure column + years) is turned to one row
#: per year: 50 year columns do not fit a page (each header was stacked letter by letter).
_MAX_YEAR_COLUMNS = 16


def _document(
    analysis: Analysis,
    tables: dict[str, pd.DataFrame],
    figs: FigureSet,
    command: str,
    outcomes: _Outcomes,
    provenance: str,
) -> Document:
    """The report's text: first screen, contents, one section per indicator, the detail."""
    doc = Document(f"Lifecycle report: {analysis.title}")
    doc.paragraph(bottom_line(analysis))
    doc.bullets(bottom_line_items(analysis))
    for f in figs.group("headline"):
        doc.figure(f.stem, f.caption, f.svg)
    numbers = numbers_by_year(analysis)
    if len(numbers):
        doc.paragraph(
            "**The numbers by year**, as the documents give them, with their evidence ids "
            "(a number over several years sits in its first year; undated numbers last):"
            if analysis.evidence is not None
            else "**The numbers by year:**"
        )
        if numbers.shape[1] > _MAX_YEAR_COLUMNS:  # a long series: one row per year
            numbers = numbers.set_index("measure").T.rename_axis("year").reset_index()
            numbers.columns.name = None
        doc.table(numbers)
    doc.contents()
    _verdict_section(doc, analysis)
    for _, ind in analysis.indicators.iterrows():
        _indicator_section(doc, analysis, ind, figs, outcomes)
    if analysis.evidence is not None:
        _evidence_section(doc, analysis, tables, provenance)
    _readings_section(doc, analysis)
    _definitions_section(doc, analysis)
    more = figs.group("more")
    if more:
        doc.heading("More figures")
        doc.paragraph(
            (
                "The CASS figures rebuilt from the text, change points"
                if analysis.evidence is not None
                else "Change points"
            )
            + ", the resurgence tests, the posterior probabilities per reading and the power "
            "curves. "
            "Every figure of the report is a PNG (linked) and an SVG of the same name in "
            "`figures/` (the SVG is the one shown in report.html)."
        )
        for f in more:
            doc.figure(f.stem, f.caption, f.svg, listed=True, svg_link=False)
    _method_section(doc, analysis, tables, command, provenance)
    return doc


def _verdict_section(doc: Document, analysis: Analysis) -> None:
    doc.heading("Verdicts")
    doc.paragraph(
        "A verdict is given only when every reading agrees; *the evidence cannot decide* "
        f"is a result, not a failure. Tests at the {100 * LEVEL:g}% level. *No resurgence "
        "of at least the stated size* needs power >= 0.8 at an alternative fixed in "
        "advance (a 50% decline from the first peak and a 50% rebound from the trough); "
        "the power curves show the test at multiples of the fitted rise–fall–rise curve."
    )
    doc.table(verdict_table(analysis), csv_name="verdicts.csv")


def _indicator_section(
    doc: Document, analysis: Analysis, ind: pd.Series, figs: FigureSet, outcomes: _Outcomes
) -> None:
    label = ind["indicator"]
    v = analysis.verdicts.set_index("indicator").loc[label]
    doc.heading(label)
    why = v["why"] if "why" in v.index else v["in_words"]
    doc.paragraph(f"**Verdict: {v['verdict']}.** {why}")
    n = int(ind["n_readings"])
    if n > 1:
        _outcome_tables(doc, analysis, label, n, *outcomes[label])
    top = comparison_top(analysis, label)
    if len(top):
        doc.paragraph(
            "Wave definitions, most often best first by posterior probability (every fit: "
            "[`tables/comparison.csv`](tables/comparison.csv)):"
        )
        doc.table(top)
    if isinstance(v.get("never_fitted"), str) and v["never_fitted"]:
        doc.paragraph(
            "Never fitted (no reading's series allows it; the library's reasons are in "
            "comparison.csv): "
            + ", ".join(readable(d.strip()) for d in v["never_fitted"].split(","))
            + "."
        )
    tests = test_summary(analysis, label)
    if len(tests):
        doc.paragraph("Tests (every test: [`tables/tests.csv`](tables/tests.csv)):")
        doc.table(tests)
        if not (tests["power at the fitted size"] != "").any():
            doc.paragraph(
                "Power: not computed — no reading's best two-mode fit has a resurgence, so "
                "there is no alternative to compute it at."
            )
    else:
        reasons = _refusals(analysis, label)
        doc.paragraph("No test could be run" + (f": {reasons}" if reasons != "." else "."))
    for f in figs.group(f"indicator:{label}"):
        # the caption below says what it shows; the SVG is named in "More figures"
        doc.figure(
            f.stem,
            f.caption,
            f.svg,
            alt=f"{label}: the series of its first reading",
            svg_link=False,
        )


def _outcome_tables(
    doc: Document,
    analysis: Analysis,
    label: str,
    n: int,
    per: pd.DataFrame,
    sens: pd.DataFrame,
) -> None:
    """The readings collapsed to distinct outcomes, and how the outcome depends on each choice."""
    table = collapsed_outcomes(analysis, label, per_reading=per)
    n_series = int(table["distinct series"].sum()) if len(table) else 0
    doc.paragraph(
        f"The {n} readings ({n_series} distinct series) give {len(table)} outcome(s), with "
        'the choices each covers ("any": whatever the choice; per reading: '
        "[`tables/outcomes.csv`](tables/outcomes.csv)):"
    )
    shown = table
    if len(table) and table["verdict"].nunique() == 1:  # the verdict line above says it
        shown = shown.drop(columns=["verdict"])
    if len(table) and (table["distinct series"] == table["readings"]).all():
        shown = shown.drop(columns=["distinct series"])  # every reading its own series
    doc.table(shown, max_rows=12)
    if len(sens):
        doc.table(
            sens,
            csv_name="sensitivity.csv",
            collapsed=f"Verdict and best definition by reading choice ({len(sens)} rows)",
        )


def _refusals(analysis: Analysis, label: str) -> str:
    t = analysis.tests
    t = t[(t["indicator"] == label) & (t["status"] != "ok")]
    reasons = list(dict.fromkeys(t["status"].astype(str)))
    return "; ".join(r.removeprefix("not computed: ").rstrip(".") for r in reasons[:2]) + "."


def _evidence_section(
    doc: Document, analysis: Analysis, tables: dict[str, pd.DataFrame], provenance: str
) -> None:
    ev = analysis.evidence
    used = evidence_rows_used(analysis)
    doc.heading("Evidence")
    doc.paragraph(
        f"{len(used)} evidence row(s) from {ev.sources['source_id'].nunique()} source "
        "documents enter the series. " + provenance
    )
    doc.table(ev.sources[["source_id", "authors", "title", "date"]], csv_name="sources.csv")
    # a quote behind several rows is shown once, naming them all
    cites: dict[str, dict[str, list[str]]] = {}
    for kind in ("quantities", "events"):
        frame = tables[f"evidence_{kind}"]
        for _, row in frame.sort_values("id").iterrows():
            where = str(row["source_id"])
            if kind == "quantities":
                where += f": {row['measure']}, {row['region']}"
            cites.setdefault(str(row["quote"]), {}).setdefault(where, []).append(str(row["id"]))
    items = [
        (quote, "; ".join(f"{', '.join(ids)}, {where}" for where, ids in by.items()))
        for quote, by in cites.items()
    ]
    n_rows = sum(len(ids) for by in cites.values() for ids in by.values())
    doc.quotes(
        f"The {len(items)} quotes behind the numbers"
        + (
            f" ({n_rows} evidence rows; a quote behind several rows names them all)"
            if n_rows > len(items)
            else ""
        ),
        items,
    )
    conflicts = tables["conflicts"]
    doc.table(
        conflicts[_CONFLICT_COLUMNS],
        csv_name="conflicts.csv",
        collapsed=f"Where the sources disagree ({len(conflicts)} pairs of rows)",
    )


def _readings_section(doc: Document, analysis: Analysis) -> None:
    doc.heading("Readings")
    doc.paragraph(
        "A reading names every choice that turns the evidence into a series (how vague "
        "words become numbers, which source wins a conflict, where open windows start, the "
        "year of undated figures). Every admissible reading is analysed; the verdicts count "
        "how many support each conclusion."
    )
    if analysis.evidence is None:
        doc.paragraph(f"The series: {analysis.indicators['description'].iloc[0]}")
    ind = analysis.indicators
    described, shared = _shared_sentences(ind["description"])
    doc.table(
        pd.DataFrame(
            {
                "indicator": ind["indicator"],
                "readings": ind["n_readings"],
                "what it measures": described,
            }
        ),
        csv_name="indicators.csv",
    )
    for k, sentence in enumerate(shared, start=1):
        doc.paragraph(f"[{k}] {sentence}")
    r = analysis.readings
    doc.table(
        r[["reading_id", "n_obs", "years", "reading"]],
        csv_name="readings.csv",
        collapsed=f"Every reading ({len(r)})",
    )


def _definitions_section(doc: Document, analysis: Analysis) -> None:
    doc.heading("Wave definitions")
    defs = analysis.definitions
    if len(defs):
        doc.table(_definitions_table(defs), csv_name="definitions.csv")
        if "quote" in defs.columns:
            items = [
                (row["quote"], f"{row['definition']} ({row['source_id'] or 'no source'})")
                for _, row in defs.drop_duplicates("definition").iterrows()
                if isinstance(row["quote"], str) and row["quote"]
            ]
            doc.quotes(
                "The documents' words for each definition", items, csv_name="definitions.csv"
            )
    if analysis.notes:
        notes = merged_notes(analysis.notes, analysis.readings.get("reading_id", ()))
        doc.paragraph(
            f"{len(analysis.notes)} note(s) on definitions left out and the library's warnings"
            + (f" ({len(notes)} distinct)" if len(notes) < len(analysis.notes) else "")
            + ":"
        )
        doc.bullets(_short(n) for n in notes)


def _shared_sentences(texts: Iterable[str], min_length: int = 60) -> tuple[list[str], list[str]]:
    """Sentences that several texts repeat, written once as numbered notes.

    A sentence of at least ``min_length`` characters found in two or more of ``texts``
    is replaced by ``[k]`` in each; the notes come back in first-seen order. Nothing is
    dropped: the table cell and its note together say what the text said.

    Examples
    --------
    >>> long = "Counts are of mentions, not of every attack that happened."
    >>> _shared_sentences(["A. " + long, "B.", "C. " + long], min_length=20)
    (['A. [1]', 'B.', 'C. [1]'], ['Counts are of mentions, not of every attack that happened.'])
    """
    split = [re.split(r"(?<=[.!?]) +", str(t)) for t in texts]
    seen: dict[str, int] = {}
    for parts in split:
        for p in dict.fromkeys(parts):
            seen[p] = seen.get(p, 0) + 1
    notes = [p for p, n in seen.items() if n >= 2 and len(p) >= min_length]
    number = {p: k for k, p in enumerate(notes, start=1)}
    out = [" ".join(f"[{number[p]}]" if p in number else p for p in parts) for parts in split]
    return out, notes


def _definitions_table(defs: pd.DataFrame) -> pd.DataFrame:
    """One row per wave definition: its phases with their years, in order, and its source.

    One row per phase took two lines per definition of the Markdown; the CSV keeps them.
    """
    rows = []
    for name, g in defs.groupby("definition", sort=False):
        phases = "; ".join(f"{p} ({y})" for p, y in zip(g["phase"], g["years"], strict=True))
        sources = ", ".join(
            dict.fromkeys(str(x) for x in g["source_id"] if isinstance(x, str) and x)
        )
        rows.append(
            {"definition": readable(str(name)), "phases (years)": phases, "source_id": sources}
        )
    return pd.DataFrame(rows, columns=["definition", "phases (years)", "source_id"])


def merged_notes(notes: Sequence[str], reading_ids: Iterable[str]) -> list[str]:
    """Notes that differ only in the reading they come from, as one note naming them all.

    A warning raised in many readings (``"attacks#085: CalibrationWarning: …"``) becomes
    ``"attacks#085–#090 (6 readings): CalibrationWarning: …"``, in first-seen order.

    Examples
    --------
    >>> merged_notes(["a#1: W: x", "b", "a#2: W: x", "a#4: W: x"], ["a#1", "a#2", "a#4"])
    ['a#1–#2, a#4 (3 readings): W: x', 'b']
    """
    ids = set(reading_ids)
    groups: dict[str, list[str]] = {}
    for n in notes:
        rid, sep, rest = n.partition(": ")
        key, who = (rest, rid) if sep and rid in ids else (n, "")
        groups.setdefault(key, []).append(who)
    out = []
    for text, who in groups.items():
        named = [w for w in who if w]
        if len(named) > 1:
            out.append(f"{_id_ranges(named)} ({len(named)} readings): {text}")
        elif named:
            out.append(f"{named[0]}: {text}")
        else:
            out.append(text)
    return out


def _id_ranges(ids: list[str]) -> str:
    """``"a#01–#03, a#07"`` for ``a#01, a#02, a#03, a#07`` (runs of consecutive numbers)."""
    out: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        if run:
            (p, a), (_, b) = run[0], run[-1]
            out.append(f"{p}#{a}" + (f"–#{b}" if b != a else ""))

    for rid in ids:
        prefix, sep, num = rid.rpartition("#")
        if not (sep and num.isdigit()):
            flush()
            run = []
            out.append(rid)
            continue
        if run and run[-1][0] == prefix and int(run[-1][1]) + 1 == int(num):
            run.append((prefix, num))
        else:
            flush()
            run = [(prefix, num)]
    flush()
    return ", ".join(out)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PRIORS_TEXT = (
    f"Posterior probabilities: phase rates ~ Gamma(1, mean M), M log-uniform on "
    f"[{DEFAULT_RATE_MEAN_RANGE[0]:g}, {DEFAULT_RATE_MEAN_RANGE[1]:g}] per year; "
    "`posterior_prob_alt`: shape 0.25."
)


def _method_section(
    doc: Document,
    analysis: Analysis,
    tables: dict[str, pd.DataFrame],
    command: str,
    provenance: str,
) -> None:
    from lifecycle import __version__

    doc.heading("Method and reproduction")
    doc.paragraph(
        f"lifecycle {__version__}; seed {analysis.seed}; {analysis.n_boot} bootstrap "
        f"replicates per test; family {analysis.family}; level {LEVEL:g}. "
        f"Reproduce with `{command}`. Same inputs and seed give byte-identical files. "
        + _PRIORS_TEXT
    )
    doc.paragraph(provenance)
    doc.paragraph(
        "Tables as CSV: " + ", ".join(f"[`{k}.csv`](tables/{k}.csv)" for k in tables) + "."
    )

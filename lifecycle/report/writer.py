"""The report folder: ``report.md``, ``report.html``, ``figures/`` and ``tables/``.

:func:`write_report` writes an :class:`~lifecycle.report.analysis.Analysis` as a folder.
It computes nothing: the numbers come from the analysis, the figures from
:mod:`lifecycle.report.figures`, the text forms from :mod:`lifecycle.report.document`.
Same inputs and seed give byte-identical files: no timestamps, fixed float formats,
sorted keys, fixed SVG hash salt, no PNG software stamp.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from lifecycle.report.analysis import Analysis
from lifecycle.report.cells import LEVEL
from lifecycle.report.document import TABLE_FILES, Document, write_csv
from lifecycle.report.figures import FigureSet, draw_figures, evidence_rows_used

__all__ = ["write_report"]

_CONFLICT_COLUMNS = [
    "table",
    "key",
    "field",
    "id_a",
    "source_id_a",
    "value_a",
    "id_b",
    "source_id_b",
    "value_b",
]


def write_report(analysis: Analysis, out: str | Path) -> list[Path]:
    """Write the report folder: report.md, report.html, figures/ and tables/.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analyse_evidence` or :func:`analyse_series`.
    out : str or Path
        Folder to write (created if needed; files of the same names are replaced).

    Returns
    -------
    list of Path
        Every file written, sorted.

    Notes
    -----
    The files depend only on the analysis: no dates, no machine names, fixed number
    formats, fixed SVG ids. Running the same analysis (same inputs and seed) twice gives
    byte-identical folders.

    Examples
    --------
    >>> files = write_report(analyse_evidence(seed=1, n_boot=99), "report")  # doctest: +SKIP
    """
    if not isinstance(analysis, Analysis):
        raise TypeError(f"Expected an Analysis. Got {type(analysis).__name__}.")
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    tables, problems = _tables(analysis)
    written: list[Path] = []
    for key, frame in tables.items():
        path = out / "tables" / f"{key}.csv"
        write_csv(frame, path)
        written.append(path)
    figs = FigureSet(out / "figures")
    draw_figures(analysis, figs)
    written += [
        out / "figures" / f"{stem}.{ext}" for stem, _, _ in figs.items for ext in ("png", "svg")
    ]
    doc = _document(analysis, tables, problems, figs)
    md = out / "report.md"
    md.write_text(doc.markdown(), encoding="utf-8", newline="")
    page = out / "report.html"
    page.write_text(doc.html(), encoding="utf-8", newline="")
    written += [md, page]
    return sorted(written)


def _tables(analysis: Analysis) -> tuple[dict[str, pd.DataFrame], list[Any]]:
    """Every table of the report (the CSV files), and the provenance check's problems."""
    tables: dict[str, pd.DataFrame] = {k: getattr(analysis, k) for k, _ in TABLE_FILES}
    ev = analysis.evidence
    problems: list[Any] = []
    if ev is not None:
        from lifecycle.evidence.tables import check_provenance, conflicts

        used = evidence_rows_used(analysis)
        tables["sources"] = ev.sources
        tables["evidence_quantities"] = ev.quantities[ev.quantities["id"].isin(used)]
        tables["evidence_events"] = ev.events[ev.events["id"].isin(used)]
        tables["conflicts"] = conflicts(ev)
        problems = check_provenance()
    return tables, problems


def _document(
    analysis: Analysis, tables: dict[str, pd.DataFrame], problems: list[Any], figs: FigureSet
) -> Document:
    """The report's text, section by section."""
    from lifecycle import __version__

    doc = Document(f"Lifecycle report: {analysis.title}")
    doc.paragraph(
        f"lifecycle {__version__}; seed {analysis.seed}; {analysis.n_boot} bootstrap "
        f"replicates per test; family {analysis.family}; level {LEVEL:g}. Reproduce with "
        f"`lifecycle report --seed {analysis.seed} --bootstrap {analysis.n_boot}`."
    )
    _verdict_section(doc, analysis)
    if analysis.evidence is not None:
        _evidence_section(doc, analysis, tables, problems)
    _readings_section(doc, analysis)
    _comparison_section(doc, analysis)
    _tests_section(doc, analysis)
    doc.heading("Figures")
    for stem, caption, svg in figs.items:
        doc.figure(stem, caption, svg)
    doc.heading("Files")
    doc.bullets(f"[`tables/{k}.csv`](tables/{k}.csv)" for k in tables)
    return doc


def _verdict_section(doc: Document, analysis: Analysis) -> None:
    doc.heading("Verdict")
    doc.paragraph(
        "Per indicator, in plain words. A verdict is only given when every reading agrees; "
        "*the evidence cannot decide* is a result, not a failure."
    )
    doc.bullets(
        f"**{r['indicator']}** — {r['verdict']}. {r['in_words']}"
        for _, r in analysis.verdicts.iterrows()
    )
    doc.table(analysis.verdicts.drop(columns=["in_words"]), csv_name="verdicts.csv")


def _evidence_section(
    doc: Document, analysis: Analysis, tables: dict[str, pd.DataFrame], problems: list[Any]
) -> None:
    ev = analysis.evidence
    used = evidence_rows_used(analysis)
    doc.heading("Evidence used")
    doc.paragraph(
        f"{len(used)} evidence row(s) enter the series below, from "
        f"{ev.sources['source_id'].nunique()} source documents. Provenance check "
        + (
            "passed: every quote is in its source document and every number and year in its quote."
            if not problems
            else f"found {len(problems)} problem(s): " + "; ".join(str(p) for p in problems[:5])
        )
    )
    doc.table(ev.sources[["source_id", "authors", "title", "date", "kind"]], csv_name="sources.csv")
    doc.heading("Quotes", level=3)
    for kind in ("quantities", "events"):
        frame = tables[f"evidence_{kind}"]
        for _, row in frame.sort_values("id").iterrows():
            where = f"{row['id']}, {row['source_id']} ({kind})"
            if kind == "quantities":
                where += f": {row['measure']}, {row['region']}"
            doc.quote(str(row["quote"]), where)
    doc.paragraph(
        "Full rows (with context quotes and notes): "
        "[`tables/evidence_quantities.csv`](tables/evidence_quantities.csv), "
        "[`tables/evidence_events.csv`](tables/evidence_events.csv)."
    )
    doc.heading("Where the sources disagree", level=3)
    doc.table(tables["conflicts"][_CONFLICT_COLUMNS], csv_name="conflicts.csv")


def _readings_section(doc: Document, analysis: Analysis) -> None:
    doc.heading("Readings")
    doc.paragraph(
        "A reading names every choice that turns the evidence into a series (qualifier "
        "policy, conflict rule, origin of open windows, year of undated figures). Every "
        "admissible reading is analysed; the verdict counts how many support each "
        "conclusion."
    )
    doc.table(analysis.indicators, csv_name="indicators.csv")
    doc.table(
        analysis.readings[["reading_id", "indicator", "n_obs", "years", "exact", "reading"]],
        csv_name="readings.csv",
        max_rows=30,
    )
    doc.heading("Wave definitions")
    defs = analysis.definitions
    if len(defs):
        cols = ["definition", "phase", "years", "start_text", "end_text", "source_id"]
        doc.table(defs[[*cols, "boundary_rule"]], csv_name="definitions.csv")
    if len(defs) and "quote" in defs.columns:
        for _, row in defs.drop_duplicates("definition").iterrows():
            if isinstance(row["quote"], str) and row["quote"]:
                src = row["source_id"] if isinstance(row["source_id"], str) else "no source"
                doc.quote(row["quote"], f"{row['definition']} ({src})")
    doc.bullets(analysis.notes)


def _comparison_section(doc: Document, analysis: Analysis) -> None:
    doc.heading("Comparison of definitions")
    doc.paragraph(
        "One row per indicator, reading and definition. `status` is `ok` or the library's "
        "reason why the definition cannot be fitted to that reading's series (the number is "
        "then left blank, never filled in)."
    )
    comp = analysis.comparison
    ok = comp[comp["status"] == "ok"]
    cols = ["indicator", "reading_id", "definition", "loglik", "n_params", "AIC"]
    doc.table(ok[[*cols, "akaike_weight", "lr_p_value", "lr_valid"]], csv_name="comparison.csv")
    refused = comp[comp["status"] != "ok"]
    if len(refused):
        reasons = (
            refused.groupby(["indicator", "definition", "status"], sort=True)
            .size()
            .reset_index(name="n_readings")
        )
        doc.paragraph("Definitions that could not be fitted, with the library's reason:")
        doc.table(reasons)


def _tests_section(doc: Document, analysis: Analysis) -> None:
    doc.heading("Tests and their power")
    t = analysis.tests
    cols = ["indicator", "reading_id", "measure", "test", "definition", "statistic"]
    doc.table(t[t["status"] == "ok"][[*cols, "p_value", "rejects", "power"]], csv_name="tests.csv")
    nt = t[t["status"] != "ok"]
    if len(nt):
        reasons = nt.groupby(["indicator", "test", "status"], sort=True).size()
        doc.paragraph("Tests that could not be run, with the library's reason:")
        doc.table(reasons.reset_index(name="n"))
    doc.heading("Change points", level=3)
    cp = analysis.changepoints
    doc.table(cp[cp["status"] == "ok"], csv_name="changepoints.csv")

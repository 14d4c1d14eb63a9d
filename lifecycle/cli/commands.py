"""The subcommands of ``lifecycle``: parse nothing, compute nothing, call the library.

Each handler takes the parsed arguments, calls the library and prints its results as a
table (or JSON with ``--json``); :data:`HANDLERS` maps the parser's ``handler`` names to
them.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd

from lifecycle._core.errors import LifecycleError
from lifecycle.cli.output import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    compact_comparison,
    print_json,
    print_table,
    records,
    short,
)
from lifecycle.report.columns import COMPARISON_COLUMNS

__all__ = ["HANDLERS"]


def _load_series(args: argparse.Namespace) -> Any:
    """The series named on the command line (CSV or event export), or None."""
    from lifecycle._core.errors import InputError

    exports = [(k, getattr(args, k)) for k in ("gtd", "acled", "ucdp") if getattr(args, k)]
    if len(exports) + bool(args.series) > 1:
        given = ([args.series] if args.series else []) + [f"--{k} {v}" for k, v in exports]
        raise InputError(f"Give one series: SERIES.csv or one event export. Got {given}.")
    if not exports and (args.actor or args.country):
        raise InputError(
            "--actor and --country filter an event export; give --gtd, --acled or --ucdp."
        )
    if args.series:
        return _read_csv(args)
    if getattr(args, "count_column", None):
        raise InputError("--count-column names a column of SERIES.csv; give SERIES.csv.")
    if not exports:
        return None
    import lifecycle.events as events

    kind, path = exports[0]
    reader = {"gtd": events.read_gtd, "acled": events.read_acled, "ucdp": events.read_ucdp_ged}
    table = reader[kind](path)
    if args.actor or args.country:
        table = events.filter_events(table, actor=args.actor, country=args.country)
    return events.events_to_series(table, freq=args.freq or "year", measure=args.event_measure)


_LAYOUT = {"year", "month", "count", "start", "end", "low", "high", "exposure", "measure"}


def _read_csv(args: argparse.Namespace) -> Any:
    """SERIES.csv as a CountSeries; errors name the file's rows and the command's options.

    The counts are in ``count``, in the column ``--count-column`` names, or in the one
    column beside ``year`` (or ``month``) when the file has just two.
    """
    import re

    from lifecycle._core.errors import InputError
    from lifecycle.series.countseries import CountSeries

    path = Path(args.series)
    frame = _csv_frame(path)
    column = args.count_column
    if column is None and frame is not None and "count" not in frame.columns:
        others = [c for c in frame.columns if c not in ("year", "month")]
        if len(others) == 1 and len(frame.columns) == 2:
            column = others[0]
    try:
        if column is None:
            return CountSeries.read_csv(path, freq=args.freq, allow_missing=args.allow_missing)
        if frame is None:  # unreadable: read_csv says why
            CountSeries.read_csv(path, freq=args.freq, allow_missing=args.allow_missing)
        if column not in frame.columns:
            raise InputError(
                f"--count-column {column!r} is not a column of {path.name}. "
                f"Columns: {list(frame.columns)}."
            )
        keep = [c for c in frame.columns if c in _LAYOUT - {"count"} or c == column]
        frame = frame[keep].rename(columns={column: "count"})
        if "measure" not in frame.columns:
            frame["measure"] = column
        return CountSeries.from_frame(
            frame,
            freq=args.freq,
            name=path.stem,
            allow_missing=args.allow_missing,
            source=str(path),
        )
    except LifecycleError as exc:
        text = str(exc)
        m = re.search(r"at position (\d+)", text)
        if m and frame is not None and "year" in frame.columns:
            i = int(m.group(1))
            if i < len(frame):
                row = f"in data row {i + 1} (year {frame['year'].iloc[i]})"
                exc.args = (text.replace(m.group(0), row),)
        raise


def _csv_frame(path: Path) -> pd.DataFrame | None:
    """The CSV's cells as text (comment lines dropped), or None if it cannot be read."""
    import io

    import numpy as np

    try:
        text = path.read_text(encoding="utf-8-sig")
        lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
        frame = pd.read_csv(io.StringIO("\n".join(lines)), dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    return frame.replace("", np.nan)


def source_words(args: argparse.Namespace) -> str:
    """The input as typed on the command line (for the report's "Reproduce with" line)."""
    import shlex

    parts: list[str] = []
    if args.series:
        parts.append(shlex.quote(args.series))
    for k in ("gtd", "acled", "ucdp", "actor", "country"):
        if getattr(args, k, None):
            parts += [f"--{k}", shlex.quote(getattr(args, k))]
    if any(getattr(args, k, None) for k in ("gtd", "acled", "ucdp")):
        if args.event_measure != "attacks":
            parts += ["--event-measure", args.event_measure]
    if getattr(args, "count_column", None):
        parts += ["--count-column", shlex.quote(args.count_column)]
    if args.freq:
        parts += ["--freq", args.freq]
    if args.allow_missing:
        parts.append("--allow-missing")
    return " ".join(parts)


def _p_text(p: float, n_boot: int) -> str:
    """``"= 0.042"``, or ``"≤ 0.001"`` at the bootstrap floor ``1 / (n_boot + 1)``."""
    from lifecycle.report.summary import fmt_p

    text = fmt_p(p, n_boot)
    return text if text.startswith("≤") else f"= {text}"


def _require_series(args: argparse.Namespace) -> Any:
    from lifecycle._core.errors import InputError

    series = _load_series(args)
    if series is None:
        raise InputError(
            f"'{args.command}' needs a series: give SERIES.csv (columns year,count) or an "
            "event export with --gtd, --acled or --ucdp."
        )
    return series


def _measure(args: argparse.Namespace, series: Any) -> str | None:
    from lifecycle._core.errors import InputError

    if args.measure is not None:
        if args.measure not in series.measures:
            raise InputError(
                f"--measure {args.measure!r} is not in the series. "
                f"Measures: {list(series.measures)}."
            )
        return args.measure
    if len(series.measures) > 1:
        raise InputError(
            f"The series holds several measures {list(series.measures)}; choose one with --measure."
        )
    return series.measures[0]


def _cmd_report(args: argparse.Namespace) -> int:
    from lifecycle import report
    from lifecycle._core.errors import InputError

    given = args.series or any(getattr(args, k) for k in ("gtd", "acled", "ucdp"))
    if given and args.only:
        raise InputError("--only selects indicators of the embedded evidence; not with a series.")
    out = report.check_target(args.out, overwrite=args.overwrite)  # before the long work
    series = _load_series(args)
    if series is not None:
        analysis = report.analyse_series(
            series,
            seed=args.seed,
            n_boot=args.bootstrap,
            family=args.family,
            source=source_words(args),
        )
    else:
        analysis = report.analyse_evidence(
            seed=args.seed,
            n_boot=args.bootstrap,
            family=args.family,
            questions=args.only,
            n_jobs=args.jobs,
            progress=not args.no_progress,
        )
    provenance = report.provenance_status(analysis)  # re-reads the documents: once
    files = report.write_report(analysis, out, overwrite=args.overwrite, provenance=provenance)
    if args.json:
        print_json(
            {
                "out": str(out),
                "files": [str(f.relative_to(out)) for f in files],
                "verdicts": records(analysis.verdicts),
                "provenance": provenance,
            }
        )
        return EXIT_OK
    print(f"Report written to {out / 'report.md'} and {out / 'report.html'} ({len(files)} files).")
    print_table(analysis.verdicts[["indicator", "n_readings", "verdict"]], "Verdicts:")
    print(provenance.replace("`", ""))
    return EXIT_OK


_LIST_COLUMNS = {
    "quantities": [
        "id",
        "source_id",
        "measure",
        "region",
        "period_start",
        "period_end",
        "qualifier",
        "value",
        "low",
        "high",
        "quote",
    ],
    "events": [
        "id",
        "source_id",
        "event_key",
        "date",
        "country",
        "place",
        "killed",
        "killed_qualifier",
        "quote",
    ],
    "waves": ["id", "source_id", "definition", "phase", "start_text", "end_text", "quote"],
    "sources": ["source_id", "file", "authors", "date", "kind"],
}


def _cmd_evidence_list(args: argparse.Namespace) -> int:
    from lifecycle.evidence.tables import load_evidence

    table = getattr(load_evidence(), args.table)
    if args.json:
        print_json(records(table))
        return EXIT_OK
    cols = [c for c in _LIST_COLUMNS[args.table] if c in table.columns]
    print_table(short(table[cols]), f"{args.table}: {len(table)} rows (data/{args.table}.csv)")
    return EXIT_OK


def _cmd_evidence_check(args: argparse.Namespace) -> int:
    from lifecycle.evidence.tables import check_provenance

    problems = check_provenance()
    frame = pd.DataFrame(
        [
            {
                "file": p.file,
                "row_id": p.row_id,
                "line": p.line,
                "column": p.column,
                "message": p.message,
            }
            for p in problems
        ],
        columns=["file", "row_id", "line", "column", "message"],
    )
    if args.json:
        print_json({"ok": not problems, "problems": records(frame)})
    elif problems:
        print_table(frame, f"{len(problems)} provenance problem(s):")
    else:
        print("Every quote is in its source document and every number and year in its quote.")
    return EXIT_OK if not problems else EXIT_CHECK_FAILED


def _cmd_evidence_conflicts(args: argparse.Namespace) -> int:
    from lifecycle.evidence.tables import conflicts

    frame = conflicts()
    if args.json:
        print_json(records(frame))
        return EXIT_OK
    cols = [
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
    print_table(short(frame[cols], 40), f"{len(frame)} disagreement(s) between evidence rows:")
    return EXIT_OK


def _write_extra(
    args: argparse.Namespace, stem: str, tables: dict[str, pd.DataFrame], draw: Any
) -> list[str]:
    """With --out: the tables as CSV and a figure as PNG and SVG."""
    if not getattr(args, "out", None):
        return []
    from lifecycle import plotting
    from lifecycle.report.document import write_csv

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.csv"
        write_csv(frame, path)
        written.append(str(path))
    fig, ax = plotting.new_figure(7.5, 4.2)
    draw(ax)
    written += [str(p) for p in plotting.save_figure(fig, out / stem)]
    return written


def _model_input(args: argparse.Namespace) -> tuple[Any, str | None, str]:
    """The series, its measure and, for ``--family auto``, the family and why.

    ``--family auto`` chooses Poisson or NB2 for this series by the likelihood-ratio test
    of overdispersion; ``args.family`` becomes the family used and the reason is
    returned (empty when the family was named on the command line).
    """
    series = _require_series(args)
    measure = _measure(args, series)
    if args.family != "auto":
        return series, measure, ""
    from lifecycle.models import choose_family

    one = series.select(measure) if measure is not None and len(series.measures) > 1 else series
    choice = choose_family(one)
    args.family = choice.family
    return series, measure, f"family {choice.reason}"


def _story(
    args: argparse.Namespace,
    series: Any,
    measure: Any,
    *,
    seg: Any = None,
    shape: Any = None,
    change_p_value: float | None = None,
) -> dict[str, Any]:
    """The change points and the shape test side by side, with the sentence reconciling
    them when they disagree (:func:`lifecycle.inference.story.reconcile`).

    ``detect`` passes its segmentation and gets the shape test run here (same family,
    ``--bootstrap`` and ``--seed`` as ``lifecycle test``, so the numbers agree); ``test``
    passes its result and gets the segmentation (BIC). The companion's warnings are left
    to its own command; if it cannot run, there is no story.
    """
    import warnings

    from lifecycle import changepoints, inference
    from lifecycle.inference.story import reconcile

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if shape is None:
                shape = inference.test_resurgence(
                    series, measure=measure, family=args.family, n_boot=args.bootstrap,
                    seed=args.seed,
                )  # fmt: skip
            if seg is None:
                seg = changepoints.detect(series, measure=measure, family=args.family)
    except LifecycleError:
        return {"n_changes": None, "shape_rejects": None, "shape_p_value": None, "story": None}
    rejects = bool(shape.reject(0.05))
    disagree = (seg.n_changes == 0) == rejects
    text = reconcile(
        n_changes=seg.n_changes,
        family=seg.family,
        resurgence_rejects=rejects if disagree else None,
        change_p_value=change_p_value,
    )
    return {
        "n_changes": seg.n_changes,
        "breaks": list(seg.breaks),
        "shape_rejects": rejects,
        "shape_p_value": shape.p_value,
        "story": text or None,
    }


def _cmd_detect(args: argparse.Namespace) -> int:
    from lifecycle import changepoints, plotting

    series, measure, why_family = _model_input(args)
    seg = changepoints.detect(
        series,
        measure=measure,
        family=args.family,
        penalty=args.penalty,
        max_changes=args.max_changes,
    )
    segments = seg.summary()
    intervals = None
    if seg.n_changes:
        intervals = changepoints.break_intervals(seg, n_boot=args.bootstrap, seed=args.seed)
    test = changepoints.test_change(
        series, measure=measure, family=args.family, n_boot=args.bootstrap, seed=args.seed
    )
    posterior = None
    if args.family == "poisson":
        try:
            posterior = changepoints.posterior_changes(series, measure=measure)
        except LifecycleError:
            posterior = None
    story = _story(args, series, measure, seg=seg, change_p_value=test.p_value)
    tables = {"segments": segments}
    if intervals is not None:
        tables["breaks"] = intervals.summary()
    if posterior is not None:
        tables["posterior"] = posterior.summary()

    def draw(ax: Any) -> None:
        plotting.plot_series(series, ax=ax, measures=[measure])
        plotting.plot_changepoints(seg, ax=ax, intervals=intervals)
        if posterior is not None:
            plotting.plot_change_probability(posterior, ax=ax.twinx(), freq=series.freq)

    files = _write_extra(args, "changepoints", tables, draw)
    if args.json:
        print_json(
            {
                "series": series.name,
                "measure": measure,
                "family": seg.family,
                "family_reason": why_family,
                "criterion": seg.penalty,
                "n_changes": seg.n_changes,
                "breaks": list(seg.breaks),
                "segments": records(segments),
                "break_intervals": None if intervals is None else records(intervals.summary()),
                "test_change": records(test.summary())[0],
                "posterior": None if posterior is None else records(posterior.summary()),
                "shape_test": {
                    "rejects_single_wave": story["shape_rejects"],
                    "p_value": story["shape_p_value"],
                },
                "story": story["story"],
                "files": files,
            }
        )
        return EXIT_OK
    crit = seg.penalty.upper() if isinstance(seg.penalty, str) else f"penalty {seg.penalty}"
    breaks = ", ".join(map(str, seg.breaks)) or "none"
    print(
        f"{series.name or 'series'} ({measure}): {seg.n_changes} change(s) by {crit}; "
        f"new regime from: {breaks}."
    )
    if why_family:
        print(f"Count model: {why_family}")
    print_table(segments, "Segments (rate per period with its confidence interval):")
    if intervals is not None:
        print_table(intervals.summary(), f"Break years, {args.bootstrap} bootstrap replicates:")
    print(
        f"Test of at least one change: statistic {test.statistic:.4g}, "
        f"p {_p_text(test.p_value, args.bootstrap)} "
        f"({test.method})."
    )
    if posterior is not None:
        print_table(posterior.summary(), "Posterior probability of a change per year:")
    if story["shape_rejects"] is not None:
        verdict = "rejects" if story["shape_rejects"] else "does not reject"
        print(
            f"Shape test (lifecycle test): {verdict} a single rise and fall "
            f"(p {_p_text(story['shape_p_value'], args.bootstrap)})."
        )
    if story["story"]:
        print(textwrap.fill(story["story"], width=100))
    for f in files:
        print(f"wrote {f}")
    return EXIT_OK


def _definitions(args: argparse.Namespace) -> tuple[list[Any] | None, list[str]]:
    """The data-driven set, with the definitions named by --definition and --waves."""
    from lifecycle.inference import DATA_DRIVEN
    from lifecycle.models.waves import WaveDefinition, get_definition

    defs = [get_definition(d) for d in args.definition or []]
    defs += [WaveDefinition.from_spec(w) for w in args.waves or []]
    note = (
        "definitions: the data-driven set (no change, best 2/3/4-phase segmentations, the "
        "conventional rise and fall)"
        + (", with the ones named" if defs else "")
        + "; the documents' dated definitions only with --definition"
    )
    if not defs:
        return None, [note]
    names = {d.name for d in defs}
    return [e for e in DATA_DRIVEN if getattr(e, "name", None) not in names] + defs, [note]


def _cmd_compare(args: argparse.Namespace) -> int:
    from lifecycle import plotting
    from lifecycle._core.errors import FitError
    from lifecycle.report import compare_definitions

    series = _require_series(args)
    if args.measure is not None:
        series = series.select(_measure(args, series))
    defs, notes = _definitions(args)
    comparison, refused = compare_definitions(series, defs, args.family)
    if comparison is None:
        raise FitError(
            "No definition, not even 'no change', could be fitted: "
            + "; ".join(f"{k}: {v}" for k, v in refused.items())
        )
    notes = [*notes, *comparison.notes]
    table = comparison.summary()
    refused_frame = pd.DataFrame(
        [{"definition": k, "reason": v} for k, v in refused.items()],
        columns=["definition", "reason"],
    )
    best_fit = comparison.fits[comparison.best]

    def draw(ax: Any) -> None:
        plotting.plot_series(series, ax=ax)
        if best_fit.definition.n_phases >= 2:
            plotting.plot_phases(best_fit.definition, ax=ax, freq=series.freq)
        plotting.plot_fit(best_fit, ax=ax)

    files = _write_extra(args, "comparison", {"comparison": table, "refused": refused_frame}, draw)
    if args.json:
        print_json(
            {
                "series": series.name,
                "family": args.family,
                "best": comparison.best,
                "compared_on": comparison.span,
                "left_out": list(comparison.left_out),
                "prior": comparison.prior,
                "prior_sensitivity": comparison.sensitivity,
                "comparison": records(table),
                "refused": records(refused_frame),
                "notes": notes,
                "files": files,
            }
        )
        return EXIT_OK
    head = f"{series.name or 'series'}: {comparison.text().splitlines()[0]}"
    print(textwrap.fill(head, width=100, subsequent_indent="  "))
    print(f"Compared on {comparison.span}.")
    title = "Definitions, best first (posterior probability, then AICc):"
    if args.wide:
        print_table(
            table[[c for c in [*COMPARISON_COLUMNS, "status"] if c in table.columns]], title
        )
    else:
        print(title)
        print(compact_comparison(table, width=100))
        print("k: parameters counted by AICc (an estimated break as 3); weight: Akaike weight.")
        print("Every column: --wide, --json, or --out DIR (comparison.csv).")
    if len(refused_frame):
        print_table(short(refused_frame, 100), "Not fitted (the reason):")
    for n in notes:
        print(textwrap.fill(f"note: {n}", width=100, subsequent_indent="  "))
    for f in files:
        print(f"wrote {f}")
    return EXIT_OK


def _stated_verdict(args: argparse.Namespace, result: Any) -> dict[str, Any]:
    """The verdict with the power at the pre-specified alternative (--alt-decline/rebound)."""
    from lifecycle._core.errors import LifecycleError
    from lifecycle.inference.verdicts import (
        ResurgenceAlternative,
        power_at_alternative,
        reading_verdict,
    )

    alt = ResurgenceAlternative(min_decline=args.alt_decline, min_rebound=args.alt_rebound)
    f = result.details["fitted"]
    try:
        p, se = power_at_alternative(
            f["count"].to_numpy(dtype=float),
            f["exposure"].to_numpy(dtype=float),
            family=args.family,
            dispersion=result.details.get("dispersion"),
            alternative=alt,
            n_sim=args.power_sims,
            seed=args.seed + 2,
        )
    except LifecycleError:
        p, se = None, None
    verdict, reason = reading_verdict(result.reject(0.05), p)
    return {
        "verdict": verdict,
        "reason": reason,
        "power_stated": p,
        "power_stated_se": se,
        "alternative": "alternative fixed in advance: " + alt.describe(),
    }


def _cmd_test(args: argparse.Namespace) -> int:
    from lifecycle import inference, plotting

    series, measure, why_family = _model_input(args)
    result = inference.test_resurgence(
        series,
        measure=measure,
        family=args.family,
        n_boot=args.bootstrap,
        seed=args.seed,
        min_decline=args.min_decline,
        min_rebound=args.min_rebound,
        serial=args.serial,
    )
    fitted = result.details["fitted"]
    power_row: dict[str, Any] = {"power": None, "se": None, "note": ""}
    if result.details.get("resurgence_in_fit"):
        pw = inference.power(
            fitted["h1_rate"].to_numpy(dtype=float),
            family=args.family,
            dispersion=result.details.get("dispersion"),
            exposure=fitted["exposure"].to_numpy(dtype=float),
            n_sim=args.power_sims,
            method="warp",
            min_decline=args.min_decline,
            min_rebound=args.min_rebound,
            seed=args.seed + 1,
        )
        power_row = {
            "power": pw.power("resurgence"),
            "se": float(pw.table["se"].iloc[0]),
            "note": f"if the truth were the fitted rise-fall-rise curve ({args.power_sims} "
            "simulated series, warp-speed bootstrap)",
        }
    else:
        power_row["note"] = (
            "the fitted two-mode curve is unimodal: no alternative to compute power at"
        )
    summary = result.summary()
    verdict_row = _stated_verdict(args, result)
    story = _story(args, series, measure, shape=result)

    def draw(ax: Any) -> None:
        plotting.plot_test(result, ax=ax)

    files = _write_extra(args, "resurgence", {"test": summary, "fitted": fitted}, draw)
    if args.json:
        print_json(
            {
                "series": series.name,
                "measure": measure,
                "family": args.family,
                "family_reason": why_family,
                "serial": args.serial,
                "test": records(summary)[0],
                "fitted": records(fitted),
                "power": power_row,
                "verdict": verdict_row,
                "change_points": {"n_changes": story["n_changes"], "breaks": story.get("breaks")},
                "story": story["story"],
                "files": files,
            }
        )
        return EXIT_OK
    verdict = "rejects" if result.reject(0.05) else "does not reject"
    print(
        f"{series.name or 'series'} ({measure}): resurgence test {verdict} a single rise and "
        f"fall at the 5% level (statistic {result.statistic:.4g}, "
        f"p {_p_text(result.p_value, args.bootstrap)})."
    )
    print(f"H0: {result.null}.  H1: {result.alternative}.")
    if why_family:
        print(f"Count model: {why_family}")
    if "latent_ar1" in result.details:
        ar = result.details["latent_ar1"]
        print(
            f"Serial dependence: the bootstrap draws a latent AR(1) estimated from the series "
            f"(lag-1 correlation {ar['rho']:.2f}, overdispersion {ar['tau2']:.3g})."
        )
    if result.details.get("resurgence_in_fit"):
        d = result.details
        print(
            f"Fitted wave: peak {d['peak']}, trough {d['trough']}, second peak {d['second_peak']}"
            f" (decline {d['decline']:.0%}, rebound {d['rebound']:.0%})."
        )
    if power_row["power"] is not None:
        print(
            f"Power at the fitted alternative: {power_row['power']:.2f} "
            f"(± {2 * power_row['se']:.2f}); {power_row['note']}."
        )
    else:
        print(f"Power: not computed; {power_row['note']}.")
    v = verdict_row
    print(f"Verdict: {v['verdict']} ({v['reason']}; {v['alternative']}).")
    if story["n_changes"] is not None:
        breaks = ", ".join(map(str, story["breaks"])) or "none"
        print(
            f"Change points (lifecycle detect, BIC): {story['n_changes']}; new regime from: "
            f"{breaks}."
        )
    if story["story"]:
        print(textwrap.fill(story["story"], width=100))
    print_table(fitted, "Fitted rates (H0: unimodal; H1: two modes):")
    for f in files:
        print(f"wrote {f}")
    return EXIT_OK


HANDLERS = {
    "report": _cmd_report,
    "evidence_list": _cmd_evidence_list,
    "evidence_check": _cmd_evidence_check,
    "evidence_conflicts": _cmd_evidence_conflicts,
    "detect": _cmd_detect,
    "compare": _cmd_compare,
    "test": _cmd_test,
}

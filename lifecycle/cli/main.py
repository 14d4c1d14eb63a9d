"""The ``lifecycle`` command: the report and single-series analyses from a shell.

Subcommands
-----------
``report``
    The main job: every indicator, reading and wave definition for the embedded ISKP
    evidence (or for a series from a CSV file or event export), written as a folder with
    ``report.md``, a self-contained ``report.html``, figures (PNG and SVG) and every
    table as CSV. Same inputs and seed give byte-identical files.
``evidence list|check|conflicts``
    The embedded evidence tables, their provenance check, and the places where sources
    disagree.
``detect``, ``compare``, ``test``
    Change points, comparison of wave definitions, and the resurgence test for one
    series (a CSV with ``year,count`` columns, the windows layout of
    :meth:`CountSeries.read_csv <lifecycle.series.CountSeries.read_csv>`, or a GTD /
    ACLED / UCDP export).

Every subcommand prints a readable table, or JSON with ``--json``. Errors the user can
fix (a malformed CSV, a missing file, a bad option value) print one line
``lifecycle: error: <message>`` on stderr and exit with status 2; anything else is a
bug and keeps its traceback.

No statistics here: the command parses arguments, calls the library and formats its
results.

Examples
--------
>>> main(["evidence", "list", "--table", "sources", "--json"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import LifecycleError

__all__ = ["build_parser", "main"]

PROG = "lifecycle"
EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_CHECK_FAILED = 1

_DESCRIPTION = """\
Statistical modelling of militant-group lifecycles: did a group decline and come back,
or did it just fade? Count series of attacks go through change-point detection and count
regressions; competing wave definitions are compared; the emergence -> decline ->
resurgence hypothesis is tested.

Start with:
  lifecycle report --out report      the full report on the embedded ISKP evidence
  lifecycle evidence list            what the five source documents say, with quotes
  lifecycle detect mydata.csv        change points in your own series (year,count CSV)
"""

_SERIES_HELP = """\
The series comes from SERIES.csv, either with columns year,count (optionally exposure,
measure) or in the windows layout start,end,low,high (a count known only for several
years together, or only as an interval). Or give an event export with --gtd, --acled or
--ucdp and narrow it with --actor and --country.
"""


# ---------------------------------------------------------------------- parser
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def _add_common(p: argparse.ArgumentParser, *, random: bool = True) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    if random:
        p.add_argument(
            "--seed",
            type=_seed,
            default=20240601,
            help="seed of every random draw; same seed, same numbers (default: %(default)s)",
        )
        p.add_argument(
            "--bootstrap",
            type=_positive_int,
            default=999,
            metavar="N",
            help="number of bootstrap replicates for p-values and intervals (default: %(default)s)",
        )


def _add_series_source(p: argparse.ArgumentParser, *, embedded_default: bool) -> None:
    p.add_argument(
        "series",
        nargs="?",
        metavar="SERIES.csv",
        help="CSV file with year,count columns (or start,end,low,high windows)"
        + ("; default: the embedded ISKP evidence" if embedded_default else ""),
    )
    g = p.add_argument_group("event exports (instead of SERIES.csv)")
    g.add_argument("--gtd", metavar="FILE", help="Global Terrorism Database export (CSV or XLSX)")
    g.add_argument("--acled", metavar="FILE", help="ACLED export (CSV)")
    g.add_argument("--ucdp", metavar="FILE", help="UCDP GED export (CSV)")
    g.add_argument("--actor", help="keep events of this perpetrator / actor (exact name)")
    g.add_argument("--country", help="keep events in this country (exact name)")
    g.add_argument(
        "--event-measure",
        default="attacks",
        choices=("attacks", "killed", "killed_best", "wounded", "claimed", "countries"),
        help="what to count per period (default: %(default)s)",
    )
    p.add_argument(
        "--freq",
        choices=("year", "month"),
        default=None,
        help="period of the series (default: years, or months for a month column)",
    )
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="accept gaps between years in a CSV (absent years are unobserved, never zero)",
    )


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error: 'lifecycle: error: ...' and exit status 2."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.exit(
            EXIT_USER_ERROR,
            f"{PROG}: error: {message} (see '{self.prog} --help')\n",
        )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``lifecycle`` command."""
    parser = _Parser(
        prog=PROG,
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from lifecycle import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )

    p = sub.add_parser(
        "report",
        help="write the full report (the main job)",
        description="Write the full report: the verdict per indicator, the evidence used "
        "(with quotes and provenance), the readings, the comparison of wave definitions, "
        "the tests with their power, and the figures. Without SERIES.csv or an event "
        "export it runs on the embedded ISKP evidence.\n\n" + _SERIES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_series_source(p, embedded_default=True)
    p.add_argument(
        "--out", metavar="DIR", default="report", help="folder to write (default: %(default)s)"
    )
    p.add_argument(
        "--family",
        choices=("poisson", "negbin"),
        default="poisson",
        help="count distribution of every model (default: %(default)s)",
    )
    p.add_argument(
        "--only",
        nargs="+",
        metavar="INDICATOR",
        help="run only these indicators of the embedded evidence (questions such as "
        "event_attacks, attacks, clashes, attacks_pakistan, event_deaths, "
        "event_deaths_per_attack, event_reach)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="processes to spread the readings over (-1: all cores; results do not "
        "depend on it; default: %(default)s)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    _add_common(p)
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "evidence",
        help="list, check or compare the embedded evidence",
        description="The evidence tables built from the five source documents "
        "(data/*.csv): every number with its verbatim quote and source.",
    )
    esub = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    q = esub.add_parser("list", help="print an evidence table", description="Print a table.")
    q.add_argument(
        "--table",
        choices=("quantities", "events", "waves", "sources"),
        default="quantities",
        help="which table (default: %(default)s)",
    )
    _add_common(q, random=False)
    q.set_defaults(func=_cmd_evidence_list)
    q = esub.add_parser(
        "check",
        help="check every quote against its source document",
        description="Check that every quote is in its source document and every value "
        "in its quote. Exit status 1 if a problem is found.",
    )
    _add_common(q, random=False)
    q.set_defaults(func=_cmd_evidence_check)
    q = esub.add_parser(
        "conflicts",
        help="where the sources disagree",
        description="Facts that several sources give with different values.",
    )
    _add_common(q, random=False)
    q.set_defaults(func=_cmd_evidence_conflicts)

    p = sub.add_parser(
        "detect",
        help="change points in one series",
        description="Find the years where the rate of a count series changes.\n\n" + _SERIES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_series_source(p, embedded_default=False)
    _add_model_options(p)
    p.add_argument(
        "--penalty",
        choices=("bic", "mbic", "aic"),
        default="bic",
        help="criterion that chooses the number of changes (default: %(default)s)",
    )
    p.add_argument(
        "--max-changes",
        type=_positive_int,
        default=None,
        metavar="K",
        help="largest number of change points considered",
    )
    p.add_argument("--out", metavar="DIR", help="also write a figure and the table here")
    _add_common(p)
    p.set_defaults(func=_cmd_detect)

    p = sub.add_parser(
        "compare",
        help="compare wave definitions on one series",
        description="Fit the wave definitions (from the documents, and the one found by "
        "change-point search) to one series and rank them by posterior probability "
        "(marginal likelihoods under stated priors), with AICc and the LR test beside.\n\n"
        "Default on your series: the data-driven set (no change, best 2/3/4-phase "
        "segmentations, the conventional rise and fall); add the documents' definitions by "
        "name with --definition, and your own with --waves.\n\n" + _SERIES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_series_source(p, embedded_default=False)
    _add_model_options(p)
    p.add_argument(
        "--definition",
        action="append",
        metavar="NAME",
        help="a wave definition of the registry by name (repeat for several), e.g. "
        "cass_three_waves, yip_weakened_rebuilt, conventional_lifecycle",
    )
    p.add_argument(
        "--waves",
        action="append",
        metavar="SPEC",
        help="your own definition, 'phase:first year,...' such as "
        "'emergence:1980,decline:1990,resurgence:2001' (optionally 'name=...'); repeat "
        "for several",
    )
    p.add_argument("--out", metavar="DIR", help="also write a figure and the table here")
    _add_common(p, random=False)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser(
        "test",
        help="test emergence -> decline -> resurgence on one series",
        description="Test a single rise and fall (null) against a decline followed by a "
        "second rise (resurgence), with a parametric-bootstrap p-value and the power "
        "of the test at the series' length.\n\n" + _SERIES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_series_source(p, embedded_default=False)
    _add_model_options(p)
    p.add_argument(
        "--min-decline",
        type=float,
        default=0.0,
        metavar="D",
        help="smallest decline that counts as a wave, as a fraction of the first peak "
        "(default: %(default)s = any decline)",
    )
    p.add_argument(
        "--min-rebound",
        type=float,
        default=0.0,
        metavar="R",
        help="smallest rebound that counts, as a fraction of the trough (default: %(default)s)",
    )
    p.add_argument(
        "--power-sims",
        type=_positive_int,
        default=400,
        metavar="N",
        help="simulated series for the power at the fitted alternative (default: %(default)s)",
    )
    p.add_argument("--out", metavar="DIR", help="also write a figure and the table here")
    _add_common(p)
    p.set_defaults(func=_cmd_test)
    return parser


def _add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--family",
        choices=("poisson", "negbin"),
        default="poisson",
        help="count distribution: Poisson, or negative binomial for overdispersed counts "
        "(default: %(default)s)",
    )
    p.add_argument("--measure", help="measure to analyse when the series holds several")


# ---------------------------------------------------------------------- output
def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return x if np.isfinite(x) else (None if np.isnan(x) else ("inf" if x > 0 else "-inf"))
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.ndarray):
        return [_jsonable(v) for v in x.tolist()]
    if x is pd.NA or x is pd.NaT:
        return None
    return x


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_jsonable(r) for r in frame.to_dict("records")]


def _print_json(payload: Any) -> None:
    print(json.dumps(_jsonable(payload), indent=2, sort_keys=True, ensure_ascii=False))


def _print_table(frame: pd.DataFrame, title: str | None = None) -> None:
    if title:
        print(title)
    if len(frame) == 0:
        print("(none)")
        return
    with pd.option_context(
        "display.max_rows",
        500,
        "display.max_columns",
        50,
        "display.width",
        120,
        "display.max_colwidth",
        60,
    ):
        print(frame.to_string(index=False))


# ---------------------------------------------------------------------- commands
def _load_series(args: argparse.Namespace) -> Any:
    """The series named on the command line (CSV or event export), or None."""
    from lifecycle._core.errors import InputError
    from lifecycle.series.countseries import CountSeries

    exports = [(k, getattr(args, k)) for k in ("gtd", "acled", "ucdp") if getattr(args, k)]
    if len(exports) + bool(args.series) > 1:
        given = ([args.series] if args.series else []) + [f"--{k} {v}" for k, v in exports]
        raise InputError(f"Give one series: SERIES.csv or one event export. Got {given}.")
    if not exports and (args.actor or args.country):
        raise InputError(
            "--actor and --country filter an event export; give --gtd, --acled or --ucdp."
        )
    if args.series:
        return CountSeries.read_csv(args.series, freq=args.freq, allow_missing=args.allow_missing)
    if not exports:
        return None
    from lifecycle.events import loaders as events

    kind, path = exports[0]
    reader = {"gtd": events.read_gtd, "acled": events.read_acled, "ucdp": events.read_ucdp_ged}
    table = reader[kind](path)
    if args.actor or args.country:
        table = events.filter_events(table, actor=args.actor, country=args.country)
    return events.events_to_series(table, freq=args.freq or "year", measure=args.event_measure)


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


def _show_warning(
    message: Any, category: type, filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    """Library warnings as one line on stderr (no source line, no path)."""
    print(f"{PROG}: warning: {_one_line(message)}", file=sys.stderr)


def _cmd_report(args: argparse.Namespace) -> int:
    from lifecycle.report import build as report

    series = _load_series(args)
    if series is not None:
        if args.only:
            from lifecycle._core.errors import InputError

            raise InputError(
                "--only selects indicators of the embedded evidence; not with a series."
            )
        analysis = report.analyse_series(
            series, seed=args.seed, n_boot=args.bootstrap, family=args.family
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
    files = report.write_report(analysis, args.out)
    out = Path(args.out)
    if args.json:
        _print_json(
            {
                "out": str(out),
                "files": [str(f.relative_to(out)) for f in files],
                "verdicts": _records(analysis.verdicts),
            }
        )
        return EXIT_OK
    print(f"Report written to {out / 'report.md'} and {out / 'report.html'} ({len(files)} files).")
    _print_table(analysis.verdicts[["indicator", "n_readings", "verdict"]], "Verdicts:")
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


def _short(frame: pd.DataFrame, width: int = 70) -> pd.DataFrame:
    out = frame.astype(object).where(frame.notna(), "")
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith(("string", "category")):
            out[col] = [
                ""
                if pd.isna(v)
                else (str(v) if len(str(v)) <= width else str(v)[: width - 1] + "…")
                for v in out[col]
            ]
    return out


def _cmd_evidence_list(args: argparse.Namespace) -> int:
    from lifecycle.evidence.tables import load_evidence

    table = getattr(load_evidence(), args.table)
    if args.json:
        _print_json(_records(table))
        return EXIT_OK
    cols = [c for c in _LIST_COLUMNS[args.table] if c in table.columns]
    _print_table(_short(table[cols]), f"{args.table}: {len(table)} rows (data/{args.table}.csv)")
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
        _print_json({"ok": not problems, "problems": _records(frame)})
    elif problems:
        _print_table(frame, f"{len(problems)} provenance problem(s):")
    else:
        print("Every quote is in its source document and every number and year in its quote.")
    return EXIT_OK if not problems else EXIT_CHECK_FAILED


def _cmd_evidence_conflicts(args: argparse.Namespace) -> int:
    from lifecycle.evidence.tables import conflicts

    frame = conflicts()
    if args.json:
        _print_json(_records(frame))
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
    _print_table(_short(frame[cols], 40), f"{len(frame)} disagreement(s) between evidence rows:")
    return EXIT_OK


def _write_extra(
    args: argparse.Namespace, stem: str, tables: dict[str, pd.DataFrame], draw: Any
) -> list[str]:
    """With --out: the tables as CSV and a figure as PNG and SVG."""
    if not getattr(args, "out", None):
        return []
    from lifecycle import plotting
    from lifecycle.report.build import _write_csv

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.csv"
        _write_csv(frame, path)
        written.append(str(path))
    fig, ax = plotting.new_figure(7.5, 4.2)
    draw(ax)
    written += [str(p) for p in plotting.save_figure(fig, out / stem)]
    return written


def _cmd_detect(args: argparse.Namespace) -> int:
    from lifecycle import plotting
    from lifecycle.changepoints import search as changepoints

    series = _require_series(args)
    measure = _measure(args, series)
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
        _print_json(
            {
                "series": series.name,
                "measure": measure,
                "family": seg.family,
                "criterion": seg.penalty,
                "n_changes": seg.n_changes,
                "breaks": list(seg.breaks),
                "segments": _records(segments),
                "break_intervals": None if intervals is None else _records(intervals.summary()),
                "test_change": _records(test.summary())[0],
                "posterior": None if posterior is None else _records(posterior.summary()),
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
    _print_table(segments, "Segments (rate per period with its confidence interval):")
    if intervals is not None:
        _print_table(intervals.summary(), f"Break years, {args.bootstrap} bootstrap replicates:")
    print(
        f"Test of at least one change: statistic {test.statistic:.4g}, p = {test.p_value:.4g} "
        f"({test.method})."
    )
    if posterior is not None:
        _print_table(posterior.summary(), "Posterior probability of a change per year:")
    for f in files:
        print(f"wrote {f}")
    return EXIT_OK


def _definitions(args: argparse.Namespace) -> tuple[list[Any] | None, list[str]]:
    """Definitions named with --definition and --waves; None (the data-driven set) if none."""
    from lifecycle.models.waves import WaveDefinition, get_definition

    defs = [get_definition(d) for d in args.definition or []]
    defs += [WaveDefinition.from_spec(w) for w in args.waves or []]
    if defs:
        return defs, []
    return None, [
        "definitions: the data-driven set (no change, best 2/3/4-phase segmentations, the "
        "conventional rise and fall); the documents' dated definitions only with --definition"
    ]


def _cmd_compare(args: argparse.Namespace) -> int:
    from lifecycle import plotting
    from lifecycle._core.errors import FitError
    from lifecycle.report.build import compare_definitions

    series = _require_series(args)
    if args.measure is not None:
        series = series.select(_measure(args, series))
    defs, notes = _definitions(args)
    comparison, refused = compare_definitions(series, defs, args.family)
    if comparison is not None:
        notes = [*notes, *comparison.notes]
    if comparison is None:
        raise FitError(
            "No definition, not even 'no change', could be fitted: "
            + "; ".join(f"{k}: {v}" for k, v in refused.items())
        )
    table = comparison.summary()
    cols = [
        "definition",
        "n_phases",
        "estimated",
        "loglik",
        "n_params",
        "AIC",
        "dAIC",
        "akaike_weight",
        "BIC",
        "lr_stat",
        "lr_df",
        "lr_p_value",
        "lr_valid",
        "log_ml",
        "log_ml_error",
        "posterior_prob",
        "bayes_factor",
        "posterior_prob_alt",
        "AICc",
        "too_many_params",
        "status",
    ]
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
        _print_json(
            {
                "series": series.name,
                "family": args.family,
                "best": comparison.best,
                "compared_on": comparison.span,
                "left_out": list(comparison.left_out),
                "prior": comparison.prior,
                "prior_sensitivity": comparison.sensitivity,
                "comparison": _records(table),
                "refused": _records(refused_frame),
                "notes": notes,
                "files": files,
            }
        )
        return EXIT_OK
    print(f"{series.name or 'series'}: {comparison.text().splitlines()[0]}")
    print(f"Compared on {comparison.span}.")
    _print_table(
        table[[c for c in cols if c in table.columns]],
        "Definitions, best first (posterior probability, then AICc):",
    )
    if len(refused_frame):
        _print_table(_short(refused_frame, 100), "Not fitted (the reason):")
    for n in notes:
        print(f"note: {n}")
    for f in files:
        print(f"wrote {f}")
    return EXIT_OK


def _cmd_test(args: argparse.Namespace) -> int:
    from lifecycle import plotting
    from lifecycle.inference import resurgence as inference

    series = _require_series(args)
    measure = _measure(args, series)
    result = inference.test_resurgence(
        series,
        measure=measure,
        family=args.family,
        n_boot=args.bootstrap,
        seed=args.seed,
        min_decline=args.min_decline,
        min_rebound=args.min_rebound,
    )
    fitted = result.details["fitted"]
    power_row: dict[str, Any] = {"power": None, "se": None, "note": ""}
    if result.details.get("resurgence_in_fit"):
        pw = inference.power(
            fitted["h1_rate"].to_numpy(dtype=float),
            family=args.family,
            alpha=result.details.get("dispersion"),
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

    def draw(ax: Any) -> None:
        plotting.plot_test(result, ax=ax)

    files = _write_extra(args, "resurgence", {"test": summary, "fitted": fitted}, draw)
    if args.json:
        _print_json(
            {
                "series": series.name,
                "measure": measure,
                "test": _records(summary)[0],
                "fitted": _records(fitted),
                "power": power_row,
                "files": files,
            }
        )
        return EXIT_OK
    verdict = "rejects" if result.reject(0.05) else "does not reject"
    print(
        f"{series.name or 'series'} ({measure}): resurgence test {verdict} a single rise and "
        f"fall at the 5% level (statistic {result.statistic:.4g}, p = {result.p_value:.4g})."
    )
    print(f"H0: {result.null}.  H1: {result.alternative}.")
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
    _print_table(fitted, "Fitted rates (H0: unimodal; H1: two modes):")
    for f in files:
        print(f"wrote {f}")
    return EXIT_OK


# ---------------------------------------------------------------------- entry point
def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``lifecycle`` command; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on a user error (bad option, unreadable or malformed file),
        1 when ``evidence check`` finds a problem.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # argparse: --help / --version (0) or a usage error (2)
        return int(exc.code or 0)
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return int(args.func(args))
    except LifecycleError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as exc:
        name = getattr(exc, "filename", None)
        reason = exc.strerror or _one_line(exc)
        msg = f"{reason}: {name}" if name else reason
        print(f"{PROG}: error: {msg}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

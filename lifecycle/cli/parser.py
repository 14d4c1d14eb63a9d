"""The argument parser of the ``lifecycle`` command (light: no numpy, pandas or scipy).

Each subcommand names its handler in ``args.handler``; :mod:`lifecycle.cli.commands`
holds the handlers and is imported only after the arguments are parsed, so ``lifecycle
--help`` and ``--version`` start at once.
"""

from __future__ import annotations

import argparse
from typing import Any

from lifecycle.cli.output import EXIT_USER_ERROR, PROG

__all__ = ["build_parser"]

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
    p.add_argument(
        "--count-column",
        metavar="NAME",
        help="the CSV column that holds the counts, when it is not called 'count' (a CSV "
        "with a year column and one other column uses that one without this option)",
    )


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error: 'lifecycle: error: ...' and exit status 2.

    With ``--json`` among the arguments, the error is a JSON object on stdout instead.
    """

    json_errors = False

    def error(self, message: str) -> Any:  # type: ignore[override]
        text = f"{message} (see '{self.prog} --help')"
        if _Parser.json_errors:
            from lifecycle.cli.output import print_error_json

            print_error_json("UsageError", text)
            self.exit(EXIT_USER_ERROR)
        self.exit(EXIT_USER_ERROR, f"{PROG}: error: {text}\n")


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
    _add_report(sub)
    _add_evidence(sub)
    _add_detect(sub)
    _add_compare(sub)
    _add_test(sub)
    return parser


def _add_report(sub: Any) -> None:
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
        "--out",
        metavar="DIR",
        default="report",
        help="folder to write; it must not exist or be empty (default: %(default)s)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a non-empty --out folder whole (nothing of the old one is kept)",
    )
    p.add_argument(
        "--family",
        choices=("auto", "poisson", "negbin"),
        default="auto",
        help="count distribution of every model; 'auto' picks Poisson or negative binomial "
        "per series by a likelihood-ratio test of overdispersion (default: %(default)s)",
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
    p.set_defaults(handler="report")


def _add_evidence(sub: Any) -> None:
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
    q.set_defaults(handler="evidence_list")
    q = esub.add_parser(
        "check",
        help="check every quote against its source document",
        description="Check that every quote is in its source document and every value "
        "in its quote. Exit status 1 if a problem is found.",
    )
    _add_common(q, random=False)
    q.set_defaults(handler="evidence_check")
    q = esub.add_parser(
        "conflicts",
        help="where the sources disagree",
        description="Facts that several sources give with different values.",
    )
    _add_common(q, random=False)
    q.set_defaults(handler="evidence_conflicts")


def _add_detect(sub: Any) -> None:
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
    p.set_defaults(handler="detect")


def _add_compare(sub: Any) -> None:
    p = sub.add_parser(
        "compare",
        help="compare wave definitions on one series",
        description="Fit wave definitions to one series and rank them by posterior "
        "probability (marginal likelihoods under stated priors), with AICc and the LR test "
        "beside.\n\nDefault on your series: the data-driven set (no change, best 2/3/4-phase "
        "segmentations, the conventional rise and fall); add the documents' definitions by "
        "name with --definition and your own with --waves.\n\n" + _SERIES_HELP,
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
    p.add_argument(
        "--wide",
        action="store_true",
        help="print every column of the comparison (wider than a terminal; the default "
        "is a compact table of 100 columns)",
    )
    _add_common(p, random=False)
    p.set_defaults(handler="compare")


def _add_test(sub: Any) -> None:
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
        "--serial",
        choices=("independent", "ar1"),
        default="independent",
        help="noise the bootstrap draws: 'independent' counts given the fitted curve, or "
        "'ar1', a latent AR(1) estimated from the series, which keeps the test's size "
        "when consecutive counts are correlated (monthly series) (default: %(default)s)",
    )
    p.add_argument(
        "--alt-decline",
        type=float,
        default=0.5,
        metavar="D",
        help="the pre-specified alternative of the verdict: a decline of D from the first "
        "peak (default: %(default)s)",
    )
    p.add_argument(
        "--alt-rebound",
        type=float,
        default=0.5,
        metavar="R",
        help="... and a rebound of R from the trough (default: %(default)s)",
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
    p.set_defaults(handler="test")


def _add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--family",
        choices=("auto", "poisson", "negbin"),
        default="auto",
        help="count distribution: Poisson, negative binomial for overdispersed counts, or "
        "'auto' to choose by a likelihood-ratio test of overdispersion (default: %(default)s)",
    )
    p.add_argument("--measure", help="measure to analyse when the series holds several")

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

No statistics here: the command parses arguments (:mod:`~lifecycle.cli.parser`), calls
the library (:mod:`~lifecycle.cli.commands`) and formats its results
(:mod:`~lifecycle.cli.output`). The handlers, and with them numpy, pandas, scipy and
matplotlib, are imported only after the arguments are parsed.

Examples
--------
>>> main(["evidence", "list", "--table", "sources", "--json"])  # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from lifecycle.cli.output import (
    EXIT_USER_ERROR,
    PROG,
    cli_terms,
    one_line,
    print_error_json,
    show_warning,
)
from lifecycle.cli.parser import _Parser, build_parser

__all__ = ["build_parser", "main"]

#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130

#: Thread-count variables of the BLAS libraries numpy may be linked with.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread(environ: MutableMapping[str, str], modules: Mapping[str, Any]) -> list[str]:
    """Ask numpy's BLAS for one thread, unless the user set a count or numpy is loaded.

    The command's work is many small matrices, where a second BLAS thread mostly spins:
    ``lifecycle compare`` on a 51-year overdispersed series took 9.1–9.4 s of CPU with
    one thread against 12.2–13.0 s with two, in the same wall time (idle 2-core
    machine); on the report the difference is within the run-to-run noise (39–42 s
    either way). ``--jobs`` spreads the work over processes instead.
    Only the variables the user has not set are written, and only before numpy is
    imported (after that they would have no effect); the library itself never touches
    them.

    Returns
    -------
    list of str
        The variables set.
    """
    if "numpy" in modules:
        return []
    unset = [v for v in BLAS_THREAD_VARIABLES if v not in environ]
    for v in unset:
        environ[v] = "1"
    return unset


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
        1 when ``evidence check`` finds a problem, 130 when interrupted (Ctrl-C). With
        ``--json`` among the arguments, errors are printed as JSON on stdout.
    """
    argv = list(argv) if argv is not None else sys.argv[1:]
    as_json = "--json" in argv
    _Parser.json_errors = as_json
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help / --version (0) or a usage error (2)
        return int(exc.code or 0)
    finally:
        _Parser.json_errors = False
    one_blas_thread(os.environ, sys.modules)
    import warnings

    from lifecycle._core.errors import LifecycleError
    from lifecycle.cli.commands import HANDLERS

    def fail(kind: str, message: str) -> int:
        if as_json:
            print_error_json(kind, message)
        else:
            print(f"{PROG}: error: {message}", file=sys.stderr)
        return EXIT_USER_ERROR

    try:
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            return int(HANDLERS[args.handler](args))
    except KeyboardInterrupt:
        what = "; no report folder was written" if args.handler == "report" else ""
        print(f"{PROG}: interrupted{what}.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except LifecycleError as exc:
        return fail(type(exc).__name__, cli_terms(one_line(exc)))
    except MemoryError:
        return fail("MemoryError", "out of memory; ask for less (fewer --bootstrap replicates).")
    except OSError as exc:
        name = getattr(exc, "filename", None)
        reason = exc.strerror or one_line(exc)
        return fail(type(exc).__name__, f"{reason}: {name}" if name else reason)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

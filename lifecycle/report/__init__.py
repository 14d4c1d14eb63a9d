"""The report on the embedded evidence or a user's series."""

from lifecycle.report.build import (
    LEVEL,
    Analysis,
    CassFigure,
    analyse_evidence,
    analyse_series,
    cass_figures,
    compare_definitions,
    default_definitions,
    write_report,
)

__all__ = [
    "LEVEL",
    "Analysis",
    "CassFigure",
    "analyse_evidence",
    "analyse_series",
    "cass_figures",
    "compare_definitions",
    "default_definitions",
    "write_report",
]

"""The report on the embedded evidence or a user's series.

The rooms, in the order the work flows:

* :mod:`~lifecycle.report.cells` — what is run on one reading's series (comparison,
  directional tests, change test, segmentation, resurgence test and its power);
* :mod:`~lifecycle.report.analysis` — every indicator × reading × definition as tables
  (:func:`analyse_evidence`, :func:`analyse_series`);
* :mod:`~lifecycle.report.verdicts` — the verdict rules;
* :mod:`~lifecycle.report.cass` — the CASS figures rebuilt from the text's numbers;
* :mod:`~lifecycle.report.figures` — which figures the report draws;
* :mod:`~lifecycle.report.document` and :mod:`~lifecycle.report.writer` — the Markdown
  and HTML document and the folder (:func:`write_report`).
"""

from lifecycle.report.analysis import Analysis, analyse_evidence, analyse_series
from lifecycle.report.cass import CassFigure, cass_figures
from lifecycle.report.cells import LEVEL, compare_definitions, default_definitions
from lifecycle.report.writer import (
    check_target,
    provenance_status,
    reproduce_command,
    write_report,
)

__all__ = [
    "LEVEL",
    "Analysis",
    "CassFigure",
    "analyse_evidence",
    "analyse_series",
    "cass_figures",
    "check_target",
    "compare_definitions",
    "default_definitions",
    "provenance_status",
    "reproduce_command",
    "write_report",
]

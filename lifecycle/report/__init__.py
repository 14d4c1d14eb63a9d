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

from lifecycle.report import analysis as _analysis
from lifecycle.report import cass as _cass
from lifecycle.report import cells as _cells
from lifecycle.report import writer as _writer
from lifecycle.report.analysis import *  # noqa: F403
from lifecycle.report.cass import *  # noqa: F403
from lifecycle.report.cells import *  # noqa: F403
from lifecycle.report.writer import *  # noqa: F403

__all__ = [*_analysis.__all__, *_cass.__all__, *_cells.__all__, *_writer.__all__]

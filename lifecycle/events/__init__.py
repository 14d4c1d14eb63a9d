"""Event loaders: GTD, ACLED and UCDP GED exports → tidy event tables → count series.

Three sources, one tidy table. :func:`read_gtd`, :func:`read_acled` and
:func:`read_ucdp_ged` read an export (CSV; GTD also as ``.xlsx`` when openpyxl is
installed) into an :class:`EventTable` whose ``events`` frame has the columns in
:data:`EVENT_COLUMNS`. :func:`filter_events` keeps the events of one actor, country or
event type, and :func:`events_to_series` counts them per year or month into a
:class:`~lifecycle.series.CountSeries`.

Rules that keep the counts honest
---------------------------------
* **Nothing is silently dropped.** Rows a loader or a filter leaves out go to
  ``EventTable.excluded`` with a ``reason``; :meth:`EventTable.report` counts them.
  Events a series cannot place (an unknown month in a monthly series) are counted in a
  :class:`~lifecycle._core.errors.LifecycleWarning` (or raise with ``strict=True``) and listed
  by :func:`series_exclusions`.
* **No data is not zero.** Periods the source does not cover are *missing*: GTD holds no
  events for 1993 (that year's records were lost), periods before the earliest event of
  the file and periods after the last date the data cover. Periods inside the coverage
  with no matching event are observed zeros.
* **A partial last period has a fractional exposure.** The data are taken to end on the
  latest event date in the file (before any filter), or on the ``last_date`` the user
  gives (e.g. from the release notes); the last period's exposure is the share of its
  days covered.
* **An unknown toll is not zero.** A blank, ``-9`` or ``-99`` death count contributes the
  interval ``[0, inf)``; a period with such an event gets a censored count
  ``[known sum, inf)``. UCDP's ``low``/``high`` give the interval of every event.

Reading a file
--------------
Column names are matched without regard to case or surrounding spaces. Text files are
decoded as UTF-8 (a byte-order mark is removed), or as ISO-8859-1 when they are not
valid UTF-8 (older GTD CSV releases); the encoding used is recorded in the notes, and
``encoding=`` forces one. Every malformed input raises
:class:`~lifecycle._core.errors.FileFormatError` naming the file, the column and the data row
(1-based, header not counted).

References
----------
National Consortium for the Study of Terrorism and Responses to Terrorism (START),
*Global Terrorism Database Codebook* (2021). ACLED, *Armed Conflict Location & Event Data
Codebook* (2023). Högbladh, S., *UCDP Georeferenced Event Dataset Codebook* v23.1 (2023).

Examples
--------
>>> table = read_gtd("globalterrorismdb.csv")  # doctest: +SKIP
>>> iskp = filter_events(table, actor="Khorasan Chapter of the Islamic State")  # doctest: +SKIP
>>> series = events_to_series(iskp, freq="year", measure="attacks")  # doctest: +SKIP
"""

from lifecycle.events import acled as _acled
from lifecycle.events import counting as _counting
from lifecycle.events import filtering as _filtering
from lifecycle.events import gtd as _gtd
from lifecycle.events import table as _table
from lifecycle.events import ucdp as _ucdp
from lifecycle.events.acled import *  # noqa: F403
from lifecycle.events.counting import *  # noqa: F403
from lifecycle.events.filtering import *  # noqa: F403
from lifecycle.events.gtd import *  # noqa: F403
from lifecycle.events.table import *  # noqa: F403
from lifecycle.events.ucdp import *  # noqa: F403

__all__ = [
    *_acled.__all__,
    *_counting.__all__,
    *_filtering.__all__,
    *_gtd.__all__,
    *_table.__all__,
    *_ucdp.__all__,
]

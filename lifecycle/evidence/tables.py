"""Load, validate and check the embedded evidence about ISKP.

The evidence lives in four plain CSV tables in the project's ``data/`` folder
(see ``data/README.md`` for every column and vocabulary):

``sources.csv``
    One row per source document.
``quantities.csv``
    Every quantitative statement about ISKP (attacks, clashes, shares, fighters,
    members, pledges, losses ...), each with the verbatim quote that carries it.
``events.csv``
    Every dated ISKP attack, plot or operation against ISKP, with its toll as
    the document states it.
``waves.csv``
    Wave / lifecycle definitions and emergence-year statements, with their
    boundaries as written.

This module loads the tables into typed :class:`pandas.DataFrame` objects and
rejects malformed rows with an :class:`~lifecycle._core.errors.EvidenceError` that
names the file, the row (id and line number) and the column
(:func:`load_sources`, :func:`load_quantities`, :func:`load_events`,
:func:`load_waves`, :func:`load_evidence`). :func:`check_provenance` verifies
that every quote occurs verbatim in its source document and that every number
and year recorded in a row appears in its quote. :func:`conflicts` lists the
facts and events on which documents disagree, and :func:`originals` collapses
repeats of one original source into a single observation.

Matching rules (also in ``data/README.md``):

* Quotes are compared after normalisation of both the quote and the document:
  Unicode NFKC, typographic quotes and apostrophes to ASCII, all dashes to ``-``,
  soft hyphens and zero-width characters removed, footnote markers
  (``<sup>..</sup>``), markdown emphasis (``*``) and markdown backslash escapes
  removed, runs of whitespace (including line breaks) collapsed to one space.
  Case is kept.
* A number recorded in a row (``value``, ``low``, ``high``, ``killed``,
  ``wounded``, ``casualties`` and their low/high) must appear in the ``quote``:
  as digits, with or without thousand separators (``1,600`` = ``1600``), or as
  one of the number words in :data:`NUMBER_WORDS` (``eleven``, ``thirteen``,
  ``half`` = 0.5, ``doubled`` = 2 ...).
* The year of every date (``period_start``, ``period_end``, ``date``) and every
  ``start_year``/``end_year`` must appear in the ``quote`` or the
  ``context_quote``; "this year" in either counts as the source's publication
  year (``sources.csv`` ``date``). In ``waves.csv`` the boundaries
  ``start_text``/``end_text`` must appear as written.

This module gathers the public names of the evidence tables; the work is done by
:mod:`~lifecycle.evidence.schema` (vocabularies and table specs),
:mod:`~lifecycle.evidence.loading` (typed frames), :mod:`~lifecycle.evidence.provenance`
(quotes against documents), :mod:`~lifecycle.evidence.conflicts` (disagreements),
:mod:`~lifecycle.evidence.originals` (repeats) and :mod:`~lifecycle.evidence.dates` (partial dates).
"""

from lifecycle.evidence import conflicts as _conflicts
from lifecycle.evidence import loading as _loading
from lifecycle.evidence import originals as _originals
from lifecycle.evidence import paths as _paths
from lifecycle.evidence import provenance as _provenance
from lifecycle.evidence import schema as _schema
from lifecycle.evidence import timeline as _timeline
from lifecycle.evidence.conflicts import *  # noqa: F403
from lifecycle.evidence.loading import *  # noqa: F403
from lifecycle.evidence.originals import *  # noqa: F403
from lifecycle.evidence.paths import *  # noqa: F403
from lifecycle.evidence.provenance import *  # noqa: F403
from lifecycle.evidence.schema import *  # noqa: F403
from lifecycle.evidence.timeline import *  # noqa: F403

__all__ = [
    *_conflicts.__all__,
    *_loading.__all__,
    *_originals.__all__,
    *_paths.__all__,
    *_provenance.__all__,
    *_schema.__all__,
    *_timeline.__all__,
]

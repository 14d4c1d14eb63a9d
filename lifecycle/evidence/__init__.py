"""The source documents' numbers with their quotes, and the readings that turn them into series.

Modules, in the order the data flows:

``schema``
    vocabularies and table specifications of the CSV tables;
``paths``, ``dates``
    where tables and documents live; partial dates as written;
``loading``
    typed, validated frames of each table (:func:`load_evidence`);
``provenance``
    every quote against its document (:func:`check_provenance`);
``compare``, ``conflicts``, ``originals``
    how rows are compared; disagreements between (and within) documents; repeats of
    one original;
``records``
    typed records of the rows, which readings consume;
``policy``, ``questions``
    qualifier policies; questions and the :class:`Reading` that names every choice;
``windows``, ``readings``, ``indicators``
    windows and versions of quantities; :func:`build_series` and
    :func:`enumerate_readings`; yearly indicators from the documented events.

``tables`` gathers the public names of the tables for older imports.
"""

from lifecycle.evidence import readings as _readings
from lifecycle.evidence import tables as _tables
from lifecycle.evidence.readings import *  # noqa: F403
from lifecycle.evidence.tables import *  # noqa: F403

__all__ = [*_readings.__all__, *_tables.__all__]

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

from lifecycle.evidence.readings import (
    POLICIES,
    QUALIFIER_KINDS,
    QUESTIONS,
    SELECTION_CAVEAT,
    PeriodChoice,
    Placement,
    QualifierPolicy,
    Question,
    Reading,
    admissible_origins,
    admissible_placements,
    build_series,
    enumerate_readings,
    indicators,
)
from lifecycle.evidence.tables import (
    ATTRIBUTIONS,
    BEARS_ON,
    CONFLICT_KINDS,
    EVENT_TYPES,
    MEASURES,
    MILESTONE_KINDS,
    NUMBER_WORDS,
    PHASES,
    PRECISIONS,
    QUALIFIERS,
    SOURCE_KINDS,
    UNITS,
    WAVE_DEFINITIONS,
    Evidence,
    ProvenanceProblem,
    check_provenance,
    conflict_versions,
    conflicts,
    data_dir,
    dated_statements,
    load_events,
    load_evidence,
    load_milestones,
    load_quantities,
    load_sources,
    load_waves,
    normalise_text,
    originals,
    seeds_dir,
)

__all__ = [
    "ATTRIBUTIONS",
    "BEARS_ON",
    "CONFLICT_KINDS",
    "EVENT_TYPES",
    "MEASURES",
    "MILESTONE_KINDS",
    "NUMBER_WORDS",
    "PHASES",
    "POLICIES",
    "PRECISIONS",
    "QUALIFIERS",
    "QUALIFIER_KINDS",
    "QUESTIONS",
    "SELECTION_CAVEAT",
    "SOURCE_KINDS",
    "UNITS",
    "WAVE_DEFINITIONS",
    "Evidence",
    "PeriodChoice",
    "Placement",
    "ProvenanceProblem",
    "QualifierPolicy",
    "Question",
    "Reading",
    "admissible_origins",
    "admissible_placements",
    "build_series",
    "check_provenance",
    "conflict_versions",
    "conflicts",
    "data_dir",
    "dated_statements",
    "enumerate_readings",
    "indicators",
    "load_events",
    "load_evidence",
    "load_milestones",
    "load_quantities",
    "load_sources",
    "load_waves",
    "normalise_text",
    "originals",
    "seeds_dir",
]

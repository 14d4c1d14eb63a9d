"""Readings: the explicit, named choices that turn documentary evidence into count series.

Evidence is not data until a *reading* says how. A quoted "nearly 100 attacks" is a count
interval, "by January 2017" ends a window a twelfth of the way into 2017, and the 400 in
"by 2022, their attacks decreased from 400 to 69" has no year. A :class:`Reading` names
every such choice:

* the **qualifier policy** (:class:`QualifierPolicy`): "about", "nearly", "over",
  "dozens" … → count intervals, with documented defaults a user can override;
* the **question**: which measures and regions (:data:`QUESTIONS`);
* the **conflict rule**: how versions of one figure given by different sources are
  resolved (``"most_specific"``, ``"all_as_intervals"`` or ``"prefer:<source_id>"``);
* the **repeat rule**: repeats of one original (rows sharing ``fact_key`` and
  ``original``) are one observation, never several;
* the **origin**: the first year of a window whose start is open ("By January 2017, the
  ISKP had executed 84 attacks");
* the **placements**: the year of each undated figure.

:func:`enumerate_readings` lists every admissible reading of a question (distinct in the
series it gives), each with a readable name; :func:`build_series` turns a reading into a
:class:`~lifecycle.series.CountSeries` whose observations carry the evidence row ids
they came from; :func:`indicators` gives yearly indicators from the documents' events.

Rules (each applied mechanically, so that a reading can be checked)
--------------------------------------------------------------------
Windows
    A date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` covers its whole unit: a window from
    ``2017-01`` to ``2018`` has exposure 1 in 2017 and 1 in 2018; a window ending
    ``2017-01`` has exposure 1/12 in 2017. Precision ``open`` (or a blank date) means
    the text gives no date.
Open end ("since January 2017")
    The window ends on the date of the source that states it (``sources.csv``); a source
    dated ``2024-06`` gives exposure 6/12 in 2024, one dated only by year gives 1.
Open start ("by January 2017")
    The window starts with the reading's ``origin``. The admissible origins are the
    emergence and formation years the documents state (``waves.csv``, definitions
    ``emergence_year`` and ``formation_milestone``) that are not later than the year of
    the earliest attack the group *claimed* in ``events.csv`` (a group cannot emerge
    after claiming an attack). On the ISKP evidence: 2014 and 2015 (2017, stated once by
    ``yip_2024``, is excluded by the claimed Karachi attack of May 2015).
Change "from A to B" (both figures in one quote)
    An undated row (both period ends open) and a row of the same source, measure and
    quote with a dated end form a change from A to B. B is a yearly level in its end year
    (not a total since the origin); A sits in one year, which the reading places. The
    admissible years of A run from the emergence year stated by A's own source
    (``waves.csv``, phase ``emergence``, formation milestones aside; the earliest if it
    states several) to the year
    before B, without the years in which the same measure and region already has a dated
    figure (the text would give two different counts for one year). On the ISKP
    evidence the 400 claimed attacks may sit in 2015–2020: 2021 is excluded because
    ``rana_2024`` gives 119 claimed attacks for 2021, 2022 is the year of the 69.
Repeats and conflicts
    Rows with the same ``fact_key`` and the same original (``original``, or the row's own
    ``source_id`` when blank) are one fact. The rows of one source form a *version* of
    it (a source may give a breakdown by region: one version, several observations).
    When sources disagree, ``most_specific`` keeps the version with the fewest open
    period ends, then the narrowest count interval, then the shortest window;
    ``prefer:<source_id>`` keeps that source's version (``most_specific`` where it has
    none); ``all_as_intervals`` keeps the window and label of the original's own version
    (else the most specific) with the count interval spanning every version (a breakdown
    is summed first). Each observation's provenance lists the rows its values came from.

References
----------
Klein, J. P. and Moeschberger, M. L. (2003). *Survival Analysis*, 2nd ed., sec. 3.3
(interval censoring, the likelihood used for count intervals).

Examples
--------
>>> readings = enumerate_readings("attacks")  # doctest: +SKIP
>>> readings[0].name  # doctest: +SKIP
'attacks | policy=default | conflict=most_specific | open start=2014 | ...'
>>> series = build_series(readings[0])  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from lifecycle._core.errors import ApproximationWarning, ParameterError
from lifecycle._core.validation import check_choice
from lifecycle.evidence.indicators import event_conflict_sources, indicators
from lifecycle.evidence.policy import POLICIES, QUALIFIER_KINDS, QualifierPolicy
from lifecycle.evidence.questions import (
    QUESTIONS,
    SELECTION_CAVEAT,
    PeriodChoice,
    Placement,
    Question,
    Reading,
    check_prefer,
)
from lifecycle.evidence.records import read_table, text
from lifecycle.evidence.windows import (
    Context,
    admissible_origins,
    admissible_placements,
    context,
    period_choices,
    placements,
    quantity_series,
)
from lifecycle.series.countseries import CountSeries, to_label

__all__ = [
    "POLICIES",
    "QUALIFIER_KINDS",
    "QUESTIONS",
    "SELECTION_CAVEAT",
    "PeriodChoice",
    "Placement",
    "QualifierPolicy",
    "Question",
    "Reading",
    "admissible_origins",
    "admissible_placements",
    "build_series",
    "enumerate_readings",
    "indicators",
]


def build_series(reading: Reading, evidence: Any = None) -> CountSeries:
    """The series a reading gives.

    Parameters
    ----------
    reading : Reading
    evidence : None, path, DataFrame, mapping or object
        ``None`` reads the tables in ``data/``; a folder path reads its CSV files; a
        DataFrame is the quantities (or events) table; a mapping or object gives tables
        by name (``quantities``, ``events``, ``waves``, ``sources``).

    Returns
    -------
    CountSeries
        Yearly; measure labels ``"<measure> (<region>)"`` (or the indicator); each
        observation's provenance lists the evidence rows its values came from; the name
        is the reading's name.

    Raises
    ------
    ParameterError
        If the reading lacks an origin or a placement the evidence needs, or places a
        figure in a year the evidence excludes.
    EvidenceError
        If a table is malformed.
    EmptySeriesError
        If the evidence has nothing for the question.

    Examples
    --------
    >>> build_series(Reading("clashes")).measures  # doctest: +SKIP
    ('clashes_security_forces (afghanistan;pakistan)', 'clashes_taliban (afghanistan)')
    """
    if not isinstance(reading, Reading):
        raise TypeError(f"Expected a Reading. Got {type(reading).__name__}.")
    q = QUESTIONS[reading.question]
    table = read_table(evidence, q.table)
    check_prefer(reading.conflict, {text(s) for s in table["source_id"]}, "build_series")
    if q.table == "events":
        key = q.measures[0]
        return indicators(table, policy=reading.policy, conflict=reading.conflict)[key].with_name(
            reading.name
        )
    return _build(reading, context(q, evidence))


def _build(reading: Reading, ctx: Context) -> CountSeries:
    return quantity_series(reading, ctx)


def _floats(values: Any) -> tuple[str, bytes]:
    """An array's dtype and its values as bytes, ``-0.0`` and every NaN made one value."""
    a = np.asarray(values)
    if a.dtype.kind == "f":
        a = np.where(np.isnan(a), np.nan, a + 0.0)  # + 0.0: -0.0 becomes 0.0
    return a.dtype.str, np.ascontiguousarray(a).tobytes()


def _values_key(series: CountSeries) -> tuple[Any, ...]:
    """A series without its provenance and name, as a hashable key: what an analysis sees.

    Two series have equal keys exactly when their frames (``to_frame()`` without the
    provenance column) are equal: the same measures, window labels, counts, exposures,
    weights (as the frame writes them), frequency and grid. Built from the arrays, without
    a DataFrame (``to_frame`` and ``DataFrame.equals`` took most of the enumeration).
    """

    def lab(x: Any) -> int | str:
        return to_label(int(x), series.freq)

    return (
        series.freq,
        lab(series.grid_start),
        lab(series.grid_end),
        tuple(series.measure),
        tuple(lab(x) for x in series.start),
        tuple(lab(x) for x in series.end),
        _floats(series.low),
        _floats(series.high),
        _floats(series.exposure),
        tuple(";".join(repr(float(x)) for x in w) for w in series.weights),
    )


def enumerate_readings(
    question: str,
    evidence: Any = None,
    *,
    policies: Sequence[QualifierPolicy] = POLICIES,
    origins: Iterable[int] | None = None,
) -> list[Reading]:
    """Every admissible reading of a question, distinct in the series it gives.

    The product of the period readings of statements written ambiguously
    (:class:`PeriodChoice`, named in every reading of a question that has one), the
    qualifier policies, the conflict rules (``most_specific``,
    ``all_as_intervals`` and ``prefer:<source>`` for each source of a disagreeing
    version), the admissible origins (:func:`admissible_origins`) and the admissible
    placements of each undated figure (:func:`admissible_placements`). Readings whose
    series equals that of an earlier reading are left out, so every reading returned
    makes a difference to the numbers (provenance aside); the first is the default
    choice of each kind.

    Parameters
    ----------
    question : str
        A key of :data:`QUESTIONS`.
    evidence : see :func:`build_series`
    policies : sequence of QualifierPolicy
        Policies to enumerate (default :data:`POLICIES`).
    origins : iterable of int, optional
        Origins to enumerate (default :func:`admissible_origins`).

    Returns
    -------
    list of Reading

    Examples
    --------
    >>> [r.name for r in enumerate_readings("attacks_pakistan")]  # doctest: +SKIP
    ['attacks_pakistan | policy=default | conflict=most_specific | open start=2014',
     'attacks_pakistan | policy=default | conflict=most_specific | open start=2015']
    """
    q = QUESTIONS[check_choice("question", question, QUESTIONS, func="enumerate_readings")]
    policies = list(policies)
    if not policies or not all(isinstance(p, QualifierPolicy) for p in policies):
        raise ParameterError(
            "The 'policies' parameter of enumerate_readings must hold QualifierPolicy "
            f"objects. Got {policies!r}."
        )
    conflicts = ["most_specific", "all_as_intervals"]
    origin_choices: list[int | None] = [None]
    placement_choices: list[tuple[Placement, ...]] = [()]
    period_sets: list[tuple[PeriodChoice, ...]] = [()]
    if q.table == "events":
        ev = read_table(evidence, "events")
        conflicts += [f"prefer:{s}" for s in event_conflict_sources(ev)]
    else:
        ctx = context(q, evidence)
        srcs: dict[str, None] = {}
        groups: dict[tuple[str, str], set[str]] = {}
        for r in ctx.rows:
            groups.setdefault((r.fact_key, r.original), set()).add(r.source)
        for s in groups.values():
            if len(s) > 1:
                srcs.update(dict.fromkeys(sorted(s)))
        conflicts += [f"prefer:{s}" for s in srcs]
        needs_origin = any(
            r.start is None and r.end is not None and r.id not in ctx.partners for r in ctx.rows
        )
        if needs_origin:
            origin_choices = sorted(
                int(o) for o in (admissible_origins(evidence) if origins is None else origins)
            )
        spots = placements(ctx)
        per_key = []
        for key, years in spots.items():
            u = ctx.undated[key][0]
            what = f"{u.label}: {u.value:g}" if not math.isnan(u.value) else u.label
            per_key.append([Placement(key, y, what) for y in years])
        placement_choices = [tuple(c) for c in itertools.product(*per_key)]
        period_sets = [tuple(c) for c in itertools.product(*period_choices(ctx))]
    out: list[Reading] = []
    # the series seen so far, by what an analysis sees of them
    seen: set[tuple[Any, ...]] = set()
    needless: set[tuple[Any, ...]] = set()
    # An origin is named only where the chosen versions need one (tried without first).
    origin_choices = [None] + [o for o in origin_choices if o is not None]
    for periods, conflict, origin, placed, policy in itertools.product(
        period_sets, conflicts, origin_choices, placement_choices, policies
    ):
        if origin is not None and (periods, conflict, placed, policy) in needless:
            continue
        reading = Reading(question, policy, conflict, origin, placed, periods=periods)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ApproximationWarning)
            try:
                if q.table == "events":
                    series = build_series(reading, ev)
                else:
                    series = _build(reading, ctx)
            except ParameterError:
                continue  # no origin given where one is needed, or an inadmissible one
        if origin is None:
            needless.add((periods, conflict, placed, policy))
        key = _values_key(series)
        if key in seen:
            continue
        seen.add(key)
        out.append(reading)
    return out

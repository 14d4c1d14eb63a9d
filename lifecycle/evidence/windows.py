"""Windows and observations: the rows of a question, their years, and the versions kept.

See :mod:`lifecycle.evidence.readings` for the rules (open starts and ends, changes "from A
to B", repeats and conflicts); this module applies them to typed
:class:`~lifecycle.evidence.records.QuantityRecord` rows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from lifecycle._core.errors import (
    ApproximationWarning,
    EmptySeriesError,
    EvidenceError,
    ParameterError,
)
from lifecycle._core.validation import check_choice
from lifecycle.evidence.dates import YearSpan, year_weights
from lifecycle.evidence.questions import QUESTIONS, PeriodChoice, Question, Reading
from lifecycle.evidence.records import (
    E_COLUMNS,
    QuantityRecord,
    event_records,
    quantity_records,
    read_table,
    source_dates,
    wave_records,
)
from lifecycle.series.countseries import CountSeries

__all__ = ["admissible_origins", "admissible_placements", "chosen_rows", "period_choices"]


@dataclass
class _Obs:
    label: str
    first: int
    last: int
    weights: list[float]
    low: float
    high: float
    ids: tuple[str, ...]
    opens: int = 0
    error: str = ""

    @property
    def key(self) -> tuple[int, float, int]:
        return (self.opens, self.high - self.low, self.last - self.first)


@dataclass
class Context:
    """The typed rows of one question and what their windows need."""

    question: Question
    rows: list[QuantityRecord]
    source_dates: dict[str, YearSpan]
    partners: dict[str, str]  # id of a "to" row -> fact_key of its undated "from" row
    undated: dict[str, list[QuantityRecord]]  # fact_key -> rows
    emergence: dict[str, int]  # source_id -> earliest emergence year it states
    alternatives: dict[str, list[str]] = field(default_factory=dict)  # fact_key -> readings


def context(question: Question, evidence: Any) -> Context:
    """Collect the typed rows of a question (counts of its measures and regions)."""
    rows = [
        r
        for r in quantity_records(read_table(evidence, "quantities"))
        if r.unit in ("count", "")
        and r.measure in question.measures
        and question.keeps_region(r.region)
    ]
    dates = source_dates(read_table(evidence, "sources", required=False))
    emergence: dict[str, int] = {}
    for w in wave_records(read_table(evidence, "waves", required=False)):
        if w.phase == "emergence" and w.definition != "formation_milestone" and w.start_year:
            y = w.start_year
            emergence[w.source] = min(y, emergence.get(w.source, y))
    undated: dict[str, list[QuantityRecord]] = {}
    for r in rows:
        if r.undated:
            undated.setdefault(r.fact_key, []).append(r)
    partners: dict[str, str] = {}
    for key, us in undated.items():
        for u in us:
            for r in rows:
                if (
                    not r.undated
                    and r.source == u.source
                    and r.measure == u.measure
                    and r.quote.strip()
                    and r.quote.strip() == u.quote.strip()
                    and r.end is not None
                ):
                    partners[r.id] = key
    alternatives: dict[str, list[str]] = {}
    for r in rows:
        if r.period_reading:
            alternatives.setdefault(r.fact_key, [])
            if r.period_reading not in alternatives[r.fact_key]:
                alternatives[r.fact_key].append(r.period_reading)
    return Context(question, rows, dates, partners, undated, emergence, alternatives)


def period_choices(ctx: Context) -> list[list[PeriodChoice]]:
    """The admissible period readings of each ambiguous statement of a question."""
    return [[PeriodChoice(k, name) for name in names] for k, names in ctx.alternatives.items()]


def chosen_rows(reading: Reading, ctx: Context) -> list[QuantityRecord]:
    """The rows a reading uses: of a statement read in several ways, the chosen reading.

    Raises
    ------
    ParameterError
        If the reading names a period reading the evidence does not give.
    """
    for p in reading.periods:
        if p.fact_key in ctx.alternatives and p.period_reading not in ctx.alternatives[p.fact_key]:
            raise ParameterError(
                f"The reading '{reading.name}' reads {p.fact_key!r} as {p.period_reading!r}; "
                f"the evidence gives {ctx.alternatives[p.fact_key]}."
            )
    out = []
    for r in ctx.rows:
        if r.period_reading:
            want = reading.period_of(r.fact_key) or ctx.alternatives[r.fact_key][0]
            if r.period_reading != want:
                continue
        out.append(r)
    return out


def admissible_placements(question: str, evidence: Any = None) -> dict[str, list[int]]:
    """Admissible years of each undated figure of a question.

    See the module notes ("Change from A to B") for the rule.

    Parameters
    ----------
    question : str
        A key of :data:`QUESTIONS`.
    evidence : None, path, DataFrame, mapping or object
        The evidence (default: the tables in ``data/``).

    Returns
    -------
    dict
        ``fact_key`` → sorted admissible years.

    Raises
    ------
    EvidenceError
        If no year is admissible or the bounds cannot be found.

    Examples
    --------
    >>> admissible_placements("attacks")  # doctest: +SKIP
    {'attacks_claimed_decline_from': [2015, 2016, 2017, 2018, 2019, 2020]}
    """
    q = QUESTIONS[check_choice("question", question, QUESTIONS, func="admissible_placements")]
    if q.table != "quantities":
        return {}
    return placements(context(q, evidence))


def placements(ctx: Context) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for key, us in ctx.undated.items():
        u = us[0]
        lower = ctx.emergence.get(u.source, min(ctx.emergence.values(), default=None))
        if lower is None:
            raise EvidenceError(
                f"The undated figure {key!r} (row {u.id}) needs an earliest year: no "
                f"emergence year is stated in the waves table."
            )
        partner_years = [r.end.year for r in ctx.rows if ctx.partners.get(r.id) == key and r.end]
        if partner_years:
            upper = min(partner_years) - 1
        elif u.source in ctx.source_dates:
            upper = ctx.source_dates[u.source].year
        else:
            raise EvidenceError(
                f"The undated figure {key!r} (row {u.id}) needs a latest year: it is compared "
                f"with no dated figure and its source {u.source!r} has no date."
            )
        taken: set[int] = set()
        for r in ctx.rows:
            if r.label != u.label or r.undated or r.id in ctx.partners:
                continue
            if r.start is not None and r.end is not None:
                taken.update(range(r.start.year, r.end.year + 1))
        years = [y for y in range(lower, upper + 1) if y not in taken]
        if not years:
            raise EvidenceError(
                f"No year is admissible for the undated figure {key!r} (row {u.id}): the "
                f"bounds {lower}–{upper} leave none free of a dated figure of {u.label}."
            )
        out[key] = years
    return out


def admissible_origins(evidence: Any = None) -> list[int]:
    """Admissible first years of windows with an open start.

    The emergence and formation years the documents state (``waves.csv``, definitions
    ``emergence_year`` and ``formation_milestone``) that are not later than the year of
    the earliest attack the group claimed (``events.csv``, ``attribution == "claimed"``).

    Raises
    ------
    EvidenceError
        If the waves table states no such year.

    Examples
    --------
    >>> admissible_origins()  # doctest: +SKIP
    [2014, 2015]
    """
    waves = read_table(evidence, "waves", required=False)
    if waves is None or "definition" not in waves.columns:
        waves = None
    years = {
        w.start_year
        for w in wave_records(waves)
        if w.definition in ("emergence_year", "formation_milestone") and w.start_year
    }
    if not years:
        raise EvidenceError(
            "No emergence or formation year is stated in the waves table; pass origins=... "
            "to enumerate_readings."
        )
    events = read_table(evidence, "events", required=False)
    if events is not None and set(E_COLUMNS) <= set(events.columns):
        claimed = [
            e.date.year
            for e in event_records(events)
            if e.attribution == "claimed" and e.event_type in ("attack", "") and e.date
        ]
        if claimed:
            years = {y for y in years if y <= min(claimed)}
    return sorted(years)


class _NeedsOriginError(ParameterError):
    """Raised when a window with an open start is used by a reading without origin."""


def _resolve_window(
    row: QuantityRecord, reading: Reading, ctx: Context
) -> tuple[int, int, list[float]]:
    where = f"row {row.id} ({row.label})"
    if row.undated:
        year = reading.year_of(row.fact_key)
        allowed = placements(ctx)[row.fact_key]
        if year is None:
            raise ParameterError(
                f"The reading '{reading.name}' gives no year to the undated figure "
                f"{row.fact_key!r} ({where}); admissible years: {allowed}."
            )
        if year not in allowed:
            raise ParameterError(
                f"The reading '{reading.name}' places the undated figure {row.fact_key!r} in "
                f"{year}, which the evidence excludes; admissible years: {allowed}."
            )
        return year, year, [1.0]
    if row.id in ctx.partners:  # B of a change "from A to B": a level in its end year
        return row.end.year, row.end.year, [1.0]
    first = row.start
    last = row.end
    if first is None:
        if reading.origin is None:
            raise _NeedsOriginError(
                f"The reading '{reading.name}' gives no origin, and {where} has an open "
                f"start; choose origin= (see admissible_origins)."
            )
        if reading.origin > last.year:
            raise ParameterError(
                f"The origin {reading.origin} is after the end {last.year} of {where}."
            )
        first = YearSpan(int(reading.origin), 0.0, 1.0)
    if last is None:
        if row.source not in ctx.source_dates:
            raise EvidenceError(
                f"{where} has an open end and its source {row.source!r} has no date in the "
                f"sources table."
            )
        last = ctx.source_dates[row.source]
    if last.year < first.year:
        raise EvidenceError(f"{where} ends ({last.year}) before it starts ({first.year}).")
    return year_weights(first, last)


def _version_obs(rows: list[QuantityRecord], reading: Reading, ctx: Context) -> list[_Obs]:
    out = []
    for r in rows:
        error = ""
        try:
            first, last, w = _resolve_window(r, reading, ctx)
        except _NeedsOriginError as exc:  # fatal only if this version is used
            first, last, w, error = r.end.year, r.end.year, [1.0], str(exc)
        lo, hi = reading.policy.interval(r.value, r.qualifier, r.low, r.high, where=f"row {r.id}")
        opens = int(r.start is None) + int(r.end is None)
        out.append(_Obs(r.label, first, last, w, lo, hi, (r.id,), opens, error))
    return out


def _choose(versions: dict[str, list[_Obs]], conflict: str) -> str:
    if conflict.startswith("prefer:") and conflict[7:] in versions:
        return conflict[7:]

    def key(src: str) -> tuple[Any, ...]:
        obs = versions[src]
        return (
            max(o.opens for o in obs),
            sum(o.high - o.low for o in obs),
            max(o.last - o.first for o in obs),
            min(i for o in obs for i in o.ids),
        )

    return min(versions, key=key)


def _quantity_observations(reading: Reading, ctx: Context) -> list[_Obs]:
    groups: dict[tuple[str, str], list[QuantityRecord]] = {}
    for r in chosen_rows(reading, ctx):
        groups.setdefault((r.fact_key, r.original), []).append(r)
    obs: list[_Obs] = []
    for (_key, original), rows in groups.items():
        by_source: dict[str, list[QuantityRecord]] = {}
        for r in rows:
            by_source.setdefault(r.source, []).append(r)
        versions = {s: _version_obs(rs, reading, ctx) for s, rs in by_source.items()}
        if len(versions) == 1:
            obs.extend(next(iter(versions.values())))
            continue
        if reading.conflict != "all_as_intervals":
            obs.extend(versions[_choose(versions, reading.conflict)])
            continue
        base = original if original in versions else _choose(versions, "most_specific")
        b = versions[base]
        lows = [sum(o.low for o in v) for v in versions.values()]
        highs = [sum(o.high for o in v) for v in versions.values()]
        label = b[0].label
        if len(b) > 1:
            regions = sorted({x for r in by_source[base] for x in r.region.split(";")})
            label = f"{by_source[base][0].measure} ({';'.join(regions)})"
        ids = tuple(sorted(i for v in versions.values() for o in v for i in o.ids))
        obs.append(
            _Obs(
                label,
                b[0].first,
                b[0].last,
                b[0].weights,
                min(lows),
                max(highs),
                ids,
                error=b[0].error,
            )
        )
    errors = [o.error for o in obs if o.error]
    if errors:
        raise ParameterError(errors[0])
    return _drop_overlaps(obs, reading)


def _drop_overlaps(obs: list[_Obs], reading: Reading) -> list[_Obs]:
    kept: list[_Obs] = []
    dropped: list[str] = []
    for o in sorted(obs, key=lambda o: (o.key, o.ids)):
        if any(k.label == o.label and k.first <= o.last and o.first <= k.last for k in kept):
            dropped.append(f"{'/'.join(o.ids)} ({o.label} {o.first}–{o.last})")
        else:
            kept.append(o)
    if dropped:
        warnings.warn(
            f"Reading '{reading.name}': windows of one measure overlap; kept the most "
            f"specific and left out {', '.join(dropped)}.",
            ApproximationWarning,
            stacklevel=3,
        )
    return kept


def quantity_series(reading: Reading, ctx: Context) -> CountSeries:
    """The series a reading gives from the rows of its question."""
    obs = _quantity_observations(reading, ctx)
    return _to_series(obs, reading.name, repr(ctx.question.name))


def _to_series(obs: list[_Obs], name: str, what: str) -> CountSeries:
    if not obs:
        raise EmptySeriesError(f"The evidence gives no observation for {what}.")
    order = list(dict.fromkeys(o.label for o in sorted(obs, key=lambda o: (o.first, o.label))))
    obs = sorted(obs, key=lambda o: (order.index(o.label), o.first))
    return CountSeries.from_windows(
        [o.first for o in obs],
        [o.last for o in obs],
        [o.low for o in obs],
        [o.high for o in obs],
        weights=[o.weights for o in obs],
        measure=[o.label for o in obs],
        provenance=[o.ids for o in obs],
        grid=(min(o.first for o in obs), max(o.last for o in obs)),
        name=name,
    )

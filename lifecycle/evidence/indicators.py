"""Yearly indicators from the events the documents name (a selection, not a census)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

import pandas as pd

from lifecycle._core.errors import ApproximationWarning, EmptySeriesError, ParameterError
from lifecycle.evidence.policy import QUALIFIER_KIND_OF, QualifierPolicy
from lifecycle.evidence.questions import CONFLICT_RE, check_prefer
from lifecycle.evidence.records import EventRecord, event_records, read_table
from lifecycle.series.countseries import CountSeries

__all__ = ["attack_records", "event_conflict_sources", "indicators"]

# --------------------------------------------------------------------------- events
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}
_VAGUE = ("dozens", "hundreds", "thousands")


def attack_records(
    events: pd.DataFrame, attributions: Iterable[str] | None = None
) -> list[EventRecord]:
    """The attacks of an events table: rows of type ``attack`` (or blank) kept by attribution.

    ``attributions=None`` keeps every attribution except ``against_iskp``.
    """
    keep = None if attributions is None else {a.strip() for a in attributions}
    return [
        e
        for e in event_records(events)
        if e.event_type in ("attack", "")
        and (e.attribution != "against_iskp" if keep is None else e.attribution in keep)
    ]


def event_conflict_sources(events: pd.DataFrame) -> list[str]:
    """Sources of events that several sources describe (candidates for ``prefer:``)."""
    by_key: dict[str, set[str]] = {}
    for e in attack_records(events):
        by_key.setdefault(e.event_key, set()).add(e.source)
    out: dict[str, None] = {}
    for key in sorted(by_key):
        if len(by_key[key]) > 1:
            out.update(dict.fromkeys(sorted(by_key[key])))
    return list(out)


def _toll(e: EventRecord, policy: QualifierPolicy) -> tuple[float, float] | None:
    """The killed interval of one row, or ``None`` when the row states no toll."""
    if (
        math.isnan(e.killed)
        and math.isnan(e.killed_low)
        and math.isnan(e.killed_high)
        and QUALIFIER_KIND_OF.get(e.killed_qualifier) not in _VAGUE
    ):
        return None
    where = f"events row {e.id}"
    return policy.interval(e.killed, e.killed_qualifier, e.killed_low, e.killed_high, where=where)


def _one_event(
    rows: list[EventRecord], policy: QualifierPolicy, conflict: str
) -> tuple[int, tuple[float, float], str] | None:
    """Year, toll and country of one real event (``None`` when no row dates it)."""
    prefer = conflict[7:] if conflict.startswith("prefer:") else None
    dated = [e for e in rows if e.date is not None]
    if not dated:
        return None
    pool = [e for e in dated if e.source == prefer] or dated
    first = min(pool, key=lambda e: (_PRECISION_RANK.get(e.precision, 3), e.id))
    tolls = [(e, t) for e in rows if (t := _toll(e, policy)) is not None]
    if not tolls:
        toll = (0.0, math.inf)
    elif conflict == "all_as_intervals":
        toll = (min(t[0] for _, t in tolls), max(t[1] for _, t in tolls))
    else:
        tp = [x for x in tolls if x[0].source == prefer] or tolls
        toll = min(tp, key=lambda x: (x[1][1] - x[1][0], x[0].id))[1]
    countries = [e for e in rows if e.country]
    cp = [e for e in countries if e.source == prefer] or countries
    country = min(cp, key=lambda e: e.id).country.lower() if cp else ""
    return first.date.year, toll, country  # type: ignore[union-attr]


def _per_year(
    attacks: list[EventRecord], policy: QualifierPolicy, conflict: str
) -> tuple[dict[int, dict[str, Any]], list[str]]:
    groups: dict[str, list[EventRecord]] = {}
    for e in attacks:
        groups.setdefault(e.event_key, []).append(e)
    per_year: dict[int, dict[str, Any]] = {}
    undated: list[str] = []
    for key in sorted(groups):
        rows = groups[key]
        got = _one_event(rows, policy, conflict)
        if got is None:
            undated.append(key)
            continue
        year, toll, country = got
        y = per_year.setdefault(year, {"n": 0, "lo": 0.0, "hi": 0.0, "c": set(), "u": 0, "ids": []})
        y["n"] += 1
        y["lo"] += toll[0]
        y["hi"] += toll[1]
        if country:
            y["c"].update(c.strip() for c in country.split(";") if c.strip() != "afghanistan")
        else:
            y["u"] += 1
        y["ids"].extend(sorted(e.id for e in rows))
    return per_year, undated


def indicators(
    events: Any = None,
    *,
    policy: QualifierPolicy | None = None,
    conflict: str = "most_specific",
    attributions: Iterable[str] | None = None,
) -> dict[str, CountSeries]:
    """Yearly indicators from the events the documents name.

    The documents name a *selection* of events, not all of them: these series count
    what the documents' authors chose to mention, not what happened
    (:data:`~lifecycle.evidence.questions.SELECTION_CAVEAT`; every series name says
    "events mentioned (a selection)"). A year in which the documents name no
    attack is missing, never zero.

    Each real event is used once: rows sharing an ``event_key`` are one event. Its year
    comes from its most precisely dated row (``prefer:<source>``: that source's, if
    dated); its toll from the conflict rule applied to the rows that give one
    (``most_specific``: narrowest interval; ``prefer:<source>``: that source's, else the
    narrowest; ``all_as_intervals``: from the lowest low to the highest high), turned
    into an interval by ``policy``. An event with no toll in any row contributes
    ``[0, inf)``, so its year's deaths are a lower bound.

    Parameters
    ----------
    events : None, path, DataFrame, mapping or object
        The events table (default ``data/events.csv``).
    policy : QualifierPolicy, optional
        Default :class:`QualifierPolicy` ``()``.
    conflict : str
        ``"most_specific"``, ``"all_as_intervals"`` or ``"prefer:<source_id>"``.
    attributions : iterable of str, optional
        Attributions kept (default: every attribution except ``against_iskp``). Only
        rows of ``event_type`` ``attack`` are used (plots and operations against the
        group are not attacks).

    Returns
    -------
    dict of str to CountSeries
        ``"attacks"``: documented attacks (exact counts); ``"deaths"``: deaths, count
        intervals where tolls are approximate; ``"deaths_per_attack"``: the deaths with
        the year's number of attacks as exposure, so that the fitted rate is deaths per
        attack (mean = attacks × rate); ``"reach"``: countries outside Afghanistan
        attacked, ``high`` raised by one for each attack whose country is not written.

    Raises
    ------
    EvidenceError
        If the table lacks a column or holds a malformed date or number.
    EmptySeriesError
        If no dated attack is left.

    Examples
    --------
    >>> ind = indicators()  # doctest: +SKIP
    >>> ind["reach"].to_frame()[["start", "low", "high"]]  # doctest: +SKIP
    """
    policy = QualifierPolicy() if policy is None else policy
    if not isinstance(policy, QualifierPolicy):
        raise TypeError(
            f"The 'policy' parameter of indicators must be a QualifierPolicy. "
            f"Got {type(policy).__name__}."
        )
    if not isinstance(conflict, str) or not CONFLICT_RE.match(conflict):
        raise ParameterError(
            "The 'conflict' parameter of indicators must be 'most_specific', "
            f"'all_as_intervals' or 'prefer:<source_id>'. Got {conflict!r} instead."
        )
    table = events if isinstance(events, pd.DataFrame) else read_table(events, "events")
    attacks = attack_records(table, attributions)
    check_prefer(conflict, {e.source for e in event_records(table)}, "indicators")
    per_year, undated = _per_year(attacks, policy, conflict)
    if undated:
        warnings.warn(
            f"Events without a year in any row are left out: {', '.join(undated)}.",
            ApproximationWarning,
            stacklevel=2,
        )
    if not per_year:
        raise EmptySeriesError("No dated attack is left in the events table.")
    return _series(per_year, policy, conflict)


def _series(
    per_year: dict[int, dict[str, Any]], policy: QualifierPolicy, conflict: str
) -> dict[str, CountSeries]:
    years = sorted(per_year)
    prov = [tuple(per_year[y]["ids"]) for y in years]
    n = [per_year[y]["n"] for y in years]
    common = {"provenance": prov, "grid": (years[0], years[-1])}
    lo = [per_year[y]["lo"] for y in years]
    hi = [per_year[y]["hi"] for y in years]
    reach_lo = [len(per_year[y]["c"]) for y in years]
    reach_hi = [len(per_year[y]["c"]) + per_year[y]["u"] for y in years]
    tag = f"events mentioned (a selection) | policy={policy.name} | conflict={conflict}"
    return {
        "attacks": CountSeries.from_windows(
            years, years, n, measure="documented_attacks", name=f"attacks | {tag}", **common
        ),
        "deaths": CountSeries.from_windows(
            years, years, lo, hi, measure="deaths", name=f"deaths | {tag}", **common
        ),
        "deaths_per_attack": CountSeries.from_windows(
            years,
            years,
            lo,
            hi,
            weights=[[float(k)] for k in n],
            measure="deaths_per_attack",
            name=f"deaths_per_attack | {tag}",
            **common,
        ),
        "reach": CountSeries.from_windows(
            years,
            years,
            reach_lo,
            reach_hi,
            measure="reach_outside_afghanistan",
            name=f"reach | {tag}",
            **common,
        ),
    }

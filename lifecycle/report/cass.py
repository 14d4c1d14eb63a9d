"""The CASS paper's Figures 1, 3 and 4, rebuilt from the numbers its text gives.

The paper (``rana_2024``) refers to three bar charts of yearly attack counts whose values
are not in its text. A reconstruction holds only the numbers the documents do give for the
figure's subject and years; every year without a number of its own is named in the
caption, never filled in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from lifecycle.series.countseries import CountSeries

__all__ = ["CassFigure", "cass_figures"]


@dataclass(frozen=True)
class CassFigure:
    """A reproduction of one of the CASS paper's figures from the evidence it gives."""

    number: int
    title: str
    first: int
    last: int
    series: CountSeries | None
    caption: str
    years_with_number: tuple[int, ...]
    years_in_totals: tuple[int, ...]
    years_without: tuple[int, ...]


_CASS = (
    (
        1,
        "Attacks by ISKP on Afghanistan and Pakistan 2016-2024",
        2016,
        2024,
        "attacks",
        ("afghanistan", "pakistan", "afghanistan;pakistan", "unspecified"),
        False,
    ),
    (
        3,
        "Number of ISKP Attacks in Pakistan 2016-2024",
        2016,
        2024,
        "attacks_pakistan",
        ("pakistan",),
        False,
    ),
    (
        4,
        "ISKP Attack in Pakistan's Provinces 2019-2022",
        2019,
        2022,
        "attacks_pakistan",
        ("pakistan",),
        True,
    ),
)

_REGION_RE = re.compile(r"\(([^()]*)\)\s*$")


def _region(measure: str) -> str:
    m = _REGION_RE.search(measure)
    return m.group(1) if m else ""


def cass_figures(
    evidence: Any = None,
    *,
    readings: dict[str, Any] | None = None,
    n_readings: dict[str, int] | None = None,
    only_given: bool = False,
) -> list[CassFigure]:
    """The CASS paper's Figures 1, 3 and 4 rebuilt from the numbers its text gives.

    The paper (``rana_2024``) refers to three bar charts of yearly attack counts whose
    values are not in its text. Each reproduction holds only the observations of the
    figure's subject (region) that touch the figure's years, from the default reading
    of the matching question
    (:func:`lifecycle.evidence.readings.enumerate_readings`): windows spanning several years stay
    multi-year totals, intervals stay intervals, and every year of the figure's range
    with no number of its own is listed in the caption — never filled in.

    Parameters
    ----------
    evidence : lifecycle.evidence.Evidence, optional
    readings : dict, optional
        The reading to use per question (default: the first of
        :func:`~lifecycle.evidence.readings.enumerate_readings`, which this saves enumerating).
    n_readings : dict, optional
        How many readings each question admits (for the caption).
    only_given : bool
        Build only the figures whose question has a reading in ``readings``.

    Returns
    -------
    list of CassFigure
        Figures 1, 3 and 4.

    Examples
    --------
    >>> [f.number for f in cass_figures()]  # doctest: +SKIP
    [1, 3, 4]
    """
    from lifecycle.evidence.readings import build_series, enumerate_readings
    from lifecycle.evidence.tables import load_evidence

    ev = load_evidence() if evidence is None else evidence
    out = []
    for number, title, first, last, question, regions, provinces in _CASS:
        if readings is not None and readings.get(question) is not None:
            reading = readings[question]
            count = (n_readings or {}).get(question)
        elif only_given:
            continue
        else:
            admissible = enumerate_readings(question, ev)
            reading, count = admissible[0], len(admissible)
        s = build_series(reading, ev)
        sub = _subject(s, number, first, last, regions, provinces)
        single, multi = set(), set()
        if sub is not None:
            for i in range(sub.n_obs):
                years = set(range(int(sub.start[i]), int(sub.end[i]) + 1))
                (single if sub.start[i] == sub.end[i] else multi).update(years)
        span = range(first, last + 1)
        with_number = tuple(y for y in span if y in single)
        in_totals = tuple(y for y in span if y in multi and y not in single)
        without = tuple(y for y in span if y not in single and y not in multi)
        fig = CassFigure(number, title, first, last, sub, "", with_number, in_totals, without)
        caption = _caption(fig, reading.name, count) + _undated_note(s, sub, ev, first, last)
        out.append(replace(fig, caption=caption))
    return out


def _subject(
    s: CountSeries,
    number: int,
    first: int,
    last: int,
    regions: tuple[str, ...],
    provinces: bool,
) -> CountSeries | None:
    """The observations of a figure's subject (regions) that touch the figure's years."""
    keep = []
    for m in s.measures:
        reg = _region(m)
        is_province = "/" in reg
        if provinces:
            ok = (is_province and reg.split("/")[0] in regions) or reg in regions
        else:
            ok = reg in regions and not is_province
        if ok:
            keep.append(m)
    if not keep:
        return None
    frame = CountSeries.concat([s.select(m) for m in keep]).to_frame()
    frame = frame[(frame["end"] >= first) & (frame["start"] <= last)]
    if frame.empty:
        return None
    joined = CountSeries.from_frame(frame.drop(columns=["exposure"]), freq=s.freq)
    return replace(
        joined,
        grid_start=min(first, int(joined.start.min())),
        grid_end=max(last, int(joined.end.max())),
        name=f"Figure {number}",
    )


def _undated_note(s: CountSeries, sub: CountSeries | None, ev: Any, first: int, last: int) -> str:
    """Why each undated number the reading places (the "400" of rana_2024) is drawn or not."""
    q = ev.quantities
    undated = set(q.loc[q["period_start"].isna() & q["period_end"].isna(), "id"])
    drawn = {x for p in (sub.provenance if sub is not None else ()) for x in p}
    notes = []
    for i in range(s.n_obs):
        ids = [x for x in s.provenance[i] if x in undated]
        if not ids:
            continue
        year, value = int(s.start[i]), f"{s.low[i]:g}"
        what = f"The undated {value} ({', '.join(ids)}; {_region(s.measure[i]) or 'no region'})"
        if set(ids) & drawn:
            notes.append(
                f"{what} is drawn in {year} only because this reading places it there; the "
                "text gives it no year, and the analysis runs over every year it allows."
            )
        elif not first <= year <= last:
            notes.append(
                f"{what} is not drawn: this reading places it in {year}, outside the figure."
            )
        else:
            notes.append(f"{what} is not drawn: its region is not the figure's subject.")
    return "".join(" " + n for n in notes)


def _caption(fig: CassFigure, reading: str, count: int | None) -> str:
    """What the reconstruction shows, which years have a number, and which have none."""
    parts = [
        f"Reconstruction from the text, not the original chart: CASS (rana_2024) Figure "
        f"{fig.number}, \u201c{fig.title}\u201d, rebuilt from the numbers the documents "
        f"give (reading: {reading}"
        + (f"; {count} reading(s) admissible" if count is not None else "")
        + ")."
    ]
    parts.append(
        "Years of the figure with a number of their own: "
        + (", ".join(map(str, fig.years_with_number)) or "none")
        + "."
    )
    if fig.years_in_totals:
        parts.append(
            "Years covered only by a multi-year total (drawn as one spanning bar at "
            "its mean per year, total written above): "
            + ", ".join(map(str, fig.years_in_totals))
            + "."
        )
    parts.append(
        "Years with no number in the text (not drawn, never filled in): "
        + (", ".join(map(str, fig.years_without)) or "none")
        + "."
    )
    if fig.series is not None and any(_region(m) == "unspecified" for m in fig.series.measures):
        parts.append(
            "Counts whose region the text does not state are drawn apart, labelled "
            "'unspecified'; they may include attacks outside the figure's countries."
        )
    if fig.series is None:
        parts.append("The documents give no number for this figure's subject at all.")
    return " ".join(parts)

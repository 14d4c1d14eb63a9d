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

import calendar
import datetime as dt
import itertools
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lifecycle._core.errors import (
    ApproximationWarning,
    EmptySeriesError,
    EvidenceError,
    ParameterError,
)
from lifecycle._core.validation import check_choice, check_float, check_int
from lifecycle.evidence.tables import (
    data_dir,
    load_events,
    load_quantities,
    load_sources,
    load_waves,
)
from lifecycle.series.countseries import CountSeries

__all__ = [
    "POLICIES",
    "QUALIFIERS",
    "QUESTIONS",
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


# --------------------------------------------------------------------------- qualifiers
#: Qualifier vocabulary, grouped by the rule that turns a value into an interval.
QUALIFIERS: dict[str, tuple[str, ...]] = {
    "exact": ("exact", ""),
    "about": ("about", "roughly", "approximately", "around", "some", "estimated"),
    "nearly": ("nearly", "almost", "just_under"),
    "over": ("over", "more_than", "above"),
    "at_least": ("at_least",),
    "at_most": ("at_most", "up_to"),
    "under": ("under", "less_than", "fewer_than"),
    "range": ("range", "between"),
    "about_range": ("about_range",),
    "dozens": ("dozens",),
    "hundreds": ("hundreds",),
    "thousands": ("thousands",),
}
_KIND = {q: kind for kind, qs in QUALIFIERS.items() for q in qs}


def _floor(x: float) -> float:
    return float(math.floor(round(x, 9)))


def _ceil(x: float) -> float:
    return float(math.ceil(round(x, 9)))


@dataclass(frozen=True)
class QualifierPolicy:
    """How a qualified figure ("about 250", "over 150", "dozens") becomes a count interval.

    Intervals are rounded outward to whole counts; ``inf`` is an open upper bound.

    ========================  =====================================================
    qualifier                 interval for value ``v``
    ========================  =====================================================
    exact (or blank)          ``[v, v]``
    about, roughly, …         ``[floor(v(1-about)), ceil(v(1+about))]``
    nearly, almost            ``[floor(v(1-nearly)), v]`` (``v`` kept: authors round)
    over, more_than           ``[v+1, inf)``, or ``[v+1, ceil(v(1+over))]`` with a cap
    at_least                  ``[v, inf)``, or ``[v, ceil(v(1+at_least))]``
    at_most, up_to            ``[0, v]``
    under, less_than          ``[0, v-1]``
    range                     ``[low, high]`` as written
    about_range               ``[floor(low(1-about)), ceil(high(1+about))]``
    dozens / hundreds /       the ``dozens`` / ``hundreds`` / ``thousands`` bounds
    thousands                 (no value is written)
    ========================  =====================================================

    Parameters
    ----------
    name : str
        Named in every reading that uses the policy ("policy=default").
    about, nearly : float
        Relative widths, in ``[0, 1)``.
    over, at_least : float or None
        Relative caps of the open upper bound (``None``: unbounded).
    dozens, hundreds, thousands : (float, float)
        Bounds of the plural quantifiers (``inf`` allowed as upper bound).

    Raises
    ------
    ParameterError
        If a width is outside ``[0, 1)``, a cap is not positive, or bounds are reversed.

    Examples
    --------
    >>> QualifierPolicy().interval(250, "roughly")
    (225.0, 275.0)
    >>> QualifierPolicy(name="wide", about=0.2).interval(100, "about")
    (80.0, 120.0)
    """

    name: str = "default"
    about: float = 0.10
    nearly: float = 0.10
    over: float | None = None
    at_least: float | None = None
    dozens: tuple[float, float] = (24.0, 99.0)
    hundreds: tuple[float, float] = (200.0, 999.0)
    thousands: tuple[float, float] = (2000.0, 9999.0)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError(
                f"The 'name' parameter of QualifierPolicy must be a non-empty str. "
                f"Got {self.name!r} instead."
            )
        for nm in ("about", "nearly"):
            check_float(
                nm,
                getattr(self, nm),
                func="QualifierPolicy",
                min_value=0,
                max_value=1,
                max_inclusive=False,
            )
        for nm in ("over", "at_least"):
            check_float(
                nm,
                getattr(self, nm),
                func="QualifierPolicy",
                min_value=0,
                min_inclusive=False,
                allow_none=True,
            )
        for nm in ("dozens", "hundreds", "thousands"):
            lo, hi = getattr(self, nm)
            if not (0 <= lo <= hi) or math.isnan(hi):
                raise ParameterError(
                    f"The '{nm}' parameter of QualifierPolicy must be bounds (low, high) "
                    f"with 0 <= low <= high. Got {(lo, hi)!r} instead."
                )

    def interval(
        self,
        value: float | None,
        qualifier: str,
        low: float | None = None,
        high: float | None = None,
        *,
        where: str = "a figure",
    ) -> tuple[float, float]:
        """The count interval ``(low, high)`` of a qualified figure.

        Parameters
        ----------
        value : float or None
            The written figure (``None``/NaN when only bounds or a plural are written).
        qualifier : str
            One of :data:`QUALIFIERS`.
        low, high : float, optional
            Bounds written in the text (ranges).
        where : str
            Names the figure in error messages ("row Q007").

        Raises
        ------
        EvidenceError
            If the qualifier is unknown or the numbers it needs are missing.
        """
        q = "" if qualifier is None or _blank(qualifier) else str(qualifier).strip().lower()
        kind = _KIND.get(q)
        if kind is None:
            raise EvidenceError(
                f"Unknown qualifier {qualifier!r} for {where}. Expected one of "
                f"{sorted(k for k in _KIND if k)}."
            )
        v = None if value is None or _isnan(value) else float(value)
        lo = None if low is None or _isnan(low) else float(low)
        hi = None if high is None or _isnan(high) else float(high)
        if kind in ("dozens", "hundreds", "thousands"):
            a, b = getattr(self, kind)
            return float(a), float(b)
        if kind in ("range", "about_range"):
            if lo is None or hi is None:
                raise EvidenceError(
                    f"The qualifier {q!r} of {where} needs 'low' and 'high'. Got "
                    f"low={low!r}, high={high!r}."
                )
            if kind == "range":
                return _floor(lo), _ceil(hi)
            return _floor(lo * (1 - self.about)), _ceil(hi * (1 + self.about))
        if v is None:
            raise EvidenceError(f"The qualifier {q!r} of {where} needs a value. Got none.")
        if kind == "exact":
            return v, v
        if kind == "about":
            return _floor(v * (1 - self.about)), _ceil(v * (1 + self.about))
        if kind == "nearly":
            return _floor(v * (1 - self.nearly)), v
        if kind == "over":
            return v + 1, (math.inf if self.over is None else _ceil(v * (1 + self.over)))
        if kind == "at_least":
            return v, (math.inf if self.at_least is None else _ceil(v * (1 + self.at_least)))
        if kind == "at_most":
            return 0.0, v
        return 0.0, max(v - 1, 0.0)  # under


#: Named policies enumerated by :func:`enumerate_readings`.
POLICIES: tuple[QualifierPolicy, ...] = (
    QualifierPolicy(),
    QualifierPolicy(name="narrow", about=0.05, nearly=0.05),
    QualifierPolicy(
        name="wide",
        about=0.20,
        nearly=0.20,
        dozens=(24.0, math.inf),
        hundreds=(200.0, math.inf),
        thousands=(2000.0, math.inf),
    ),
)

# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class Question:
    """What a series is about: which evidence table, measures and regions.

    Attributes
    ----------
    name : str
    table : {"quantities", "events"}
    measures : tuple of str
        ``measure`` values of ``quantities.csv`` (or the indicator, for events).
    regions : tuple of str or None
        Regions kept (a region ``"pakistan"`` also keeps ``"pakistan/punjab"``);
        ``None`` keeps every region.
    description : str
    """

    name: str
    table: str
    measures: tuple[str, ...]
    regions: tuple[str, ...] | None
    description: str

    def keeps_region(self, region: str) -> bool:
        """Whether a row of this region belongs to the question."""
        if self.regions is None:
            return True
        r = region.strip().lower()
        return any(r == g or r.startswith(g + "/") for g in self.regions)


_ATTACKS = ("attacks", "attacks_claimed", "attacks_on_civilians")

#: Questions :func:`enumerate_readings` and :func:`build_series` answer.
QUESTIONS: dict[str, Question] = {
    q.name: q
    for q in (
        Question(
            "attacks",
            "quantities",
            _ATTACKS,
            None,
            "Attacks, claimed or counted, every region (one measure per measure/region).",
        ),
        Question(
            "clashes",
            "quantities",
            ("clashes_security_forces", "clashes_taliban"),
            None,
            "Clashes with security forces and with the Taliban.",
        ),
        Question(
            "attacks_pakistan",
            "quantities",
            _ATTACKS,
            ("pakistan",),
            "Attacks in Pakistan and its provinces.",
        ),
        Question(
            "event_attacks",
            "events",
            ("attacks",),
            None,
            "Documented attacks per year (from the events the documents name).",
        ),
        Question(
            "event_deaths", "events", ("deaths",), None, "Deaths in documented attacks per year."
        ),
        Question(
            "event_deaths_per_attack",
            "events",
            ("deaths_per_attack",),
            None,
            "Deaths per documented attack (deaths with attacks as exposure).",
        ),
        Question(
            "event_reach",
            "events",
            ("reach",),
            None,
            "Countries outside Afghanistan attacked per year.",
        ),
    )
}

# --------------------------------------------------------------------------- readings


@dataclass(frozen=True)
class Placement:
    """The year given to an undated figure.

    Attributes
    ----------
    fact_key : str
        The undated figure's ``fact_key``.
    year : int
    what : str
        How the figure reads in names ("attacks_claimed (unspecified): 400").
    """

    fact_key: str
    year: int
    what: str = ""

    @property
    def name(self) -> str:
        """E.g. ``"attacks_claimed (unspecified): 400 placed in 2019"``."""
        return f"{self.what or self.fact_key} placed in {self.year}"


_CONFLICT_RE = re.compile(r"^(most_specific|all_as_intervals|prefer:\S+)$")


@dataclass(frozen=True)
class Reading:
    """A named set of choices that turns evidence into one series.

    Parameters
    ----------
    question : str
        A key of :data:`QUESTIONS`.
    policy : QualifierPolicy
    conflict : str
        ``"most_specific"``, ``"all_as_intervals"`` or ``"prefer:<source_id>"``.
    origin : int, optional
        First year of windows whose start is open.
    placements : tuple of Placement
        Years of undated figures.
    repeats : {"merge"}
        Repeats of one original are one observation (the only admissible rule).

    Raises
    ------
    ParameterError
        On an unknown question, conflict rule or repeat rule.

    Examples
    --------
    >>> Reading("clashes").name
    'clashes | policy=default | conflict=most_specific'
    """

    question: str
    policy: QualifierPolicy = field(default_factory=QualifierPolicy)
    conflict: str = "most_specific"
    origin: int | None = None
    placements: tuple[Placement, ...] = ()
    repeats: str = "merge"

    def __post_init__(self) -> None:
        check_choice("question", self.question, QUESTIONS, func="Reading")
        check_choice("repeats", self.repeats, ("merge",), func="Reading")
        if not isinstance(self.policy, QualifierPolicy):
            raise TypeError(
                f"The 'policy' parameter of Reading must be a QualifierPolicy. "
                f"Got {type(self.policy).__name__}."
            )
        if not isinstance(self.conflict, str) or not _CONFLICT_RE.match(self.conflict):
            raise ParameterError(
                "The 'conflict' parameter of Reading must be 'most_specific', "
                f"'all_as_intervals' or 'prefer:<source_id>'. Got {self.conflict!r} instead."
            )
        check_int("origin", self.origin, func="Reading", allow_none=True)
        if isinstance(self.placements, (str, Placement)):
            raise TypeError(
                f"The 'placements' parameter of Reading must be a sequence of Placement. "
                f"Got {self.placements!r}."
            )
        for pl in self.placements:
            if not isinstance(pl, Placement):
                raise TypeError(
                    f"The 'placements' parameter of Reading must hold Placement objects. "
                    f"Got {type(pl).__name__} ({pl!r})."
                )
        object.__setattr__(self, "placements", tuple(self.placements))

    @property
    def name(self) -> str:
        """Readable name listing every choice."""
        parts = [self.question, f"policy={self.policy.name}", f"conflict={self.conflict}"]
        if self.origin is not None:
            parts.append(f"open start={self.origin}")
        parts.extend(p.name for p in self.placements)
        return " | ".join(parts)

    def year_of(self, fact_key: str) -> int | None:
        """The year this reading gives to an undated figure (``None`` if none)."""
        return next((p.year for p in self.placements if p.fact_key == fact_key), None)

    def summary(self) -> pd.DataFrame:
        """One-row table of the choices."""
        return pd.DataFrame(
            [
                {
                    "reading": self.name,
                    "question": self.question,
                    "policy": self.policy.name,
                    "conflict": self.conflict,
                    "origin": self.origin,
                    "placements": "; ".join(p.name for p in self.placements),
                    "repeats": self.repeats,
                }
            ]
        )


# --------------------------------------------------------------------------- tables
_Q_COLUMNS = (
    "id",
    "source_id",
    "fact_key",
    "original",
    "measure",
    "region",
    "period_start",
    "period_start_precision",
    "period_end",
    "period_end_precision",
    "value",
    "qualifier",
    "low",
    "high",
    "unit",
)
_E_COLUMNS = (
    "id",
    "source_id",
    "event_key",
    "date",
    "date_precision",
    "country",
    "killed",
    "killed_qualifier",
    "killed_low",
    "killed_high",
    "attribution",
)


def _blank(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or str(x).strip() == ""


def _isnan(x: Any) -> bool:
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def _num(x: Any, where: str) -> float:
    if _blank(x):
        return math.nan
    try:
        return float(str(x).replace(",", ""))
    except ValueError:
        raise EvidenceError(f"{where} must be a number or blank. Got {x!r}.") from None


def _read(evidence: Any, table: str, required: bool = True) -> pd.DataFrame | None:
    """One evidence table as a DataFrame of strings ('' for blank)."""
    frame: Any = None
    if evidence is None or isinstance(evidence, (str, Path)):
        # Through the evidence loaders, so every table is validated before it is read.
        folder = data_dir() if evidence is None else Path(evidence)
        path = folder / f"{table}.csv"
        if not path.exists():
            if required:
                raise EvidenceError(f"The evidence table {path} does not exist.")
            return None
        sources = load_sources(folder / "sources.csv") if table != "sources" else None
        loader = {"quantities": load_quantities, "events": load_events, "waves": load_waves}
        frame = loader[table](path, sources=sources) if table in loader else load_sources(path)
    elif isinstance(evidence, pd.DataFrame):
        frame = evidence if table in ("quantities", "events") else None
    elif isinstance(evidence, Mapping):
        frame = evidence.get(table)
    else:
        frame = getattr(evidence, table, None)
        if callable(frame):
            frame = frame()
    if frame is None:
        if required:
            raise EvidenceError(f"The evidence holds no {table} table.")
        return None
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"The {table} table must be a pandas DataFrame. Got {type(frame)}.")
    return frame.astype(object).where(frame.notna(), "").astype(str)


def _check_columns(frame: pd.DataFrame, need: Sequence[str], table: str) -> None:
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise EvidenceError(
            f"The {table} table lacks column(s) {missing}. Got columns {list(frame.columns)}."
        )


# --------------------------------------------------------------------------- dates
@dataclass(frozen=True)
class _Date:
    year: int
    begin: float  # fraction of the year where the written unit begins
    finish: float  # fraction of the year where it ends


def _date(text: str, precision: str, where: str) -> _Date | None:
    text, precision = str(text).strip(), str(precision).strip().lower()
    if not text or precision == "open":
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not m:
        raise EvidenceError(f"{where} must be a date YYYY, YYYY-MM or YYYY-MM-DD. Got {text!r}.")
    y = int(m.group(1))
    if m.group(3):
        try:
            d = dt.date(y, int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise EvidenceError(f"{where} is not a calendar date: {text!r}.") from None
        n = 366 if calendar.isleap(y) else 365
        doy = d.timetuple().tm_yday
        return _Date(y, (doy - 1) / n, doy / n)
    if m.group(2):
        mo = int(m.group(2))
        if not 1 <= mo <= 12:
            raise EvidenceError(f"{where} has month {mo}; expected 1–12. Got {text!r}.")
        return _Date(y, (mo - 1) / 12, mo / 12)
    return _Date(y, 0.0, 1.0)


def _weights(first: _Date, last: _Date) -> tuple[int, int, list[float]]:
    w = []
    for y in range(first.year, last.year + 1):
        lo = first.begin if y == first.year else 0.0
        hi = last.finish if y == last.year else 1.0
        w.append(hi - lo)
    return first.year, last.year, w


# --------------------------------------------------------------------------- quantities
@dataclass
class _Row:
    id: str
    source: str
    fact_key: str
    original: str
    measure: str
    region: str
    start: _Date | None
    end: _Date | None
    value: float
    qualifier: str
    low: float
    high: float
    quote: str

    @property
    def label(self) -> str:
        return f"{self.measure} ({self.region or 'unspecified'})"

    @property
    def undated(self) -> bool:
        return self.start is None and self.end is None


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
class _Context:
    question: Question
    rows: list[_Row]
    source_dates: dict[str, _Date]
    partners: dict[str, str]  # id of a "to" row -> fact_key of its undated "from" row
    undated: dict[str, list[_Row]]  # fact_key -> rows
    emergence: dict[str, int]  # source_id -> earliest emergence year it states
    waves: pd.DataFrame | None
    events: pd.DataFrame | None


def _context(question: Question, evidence: Any) -> _Context:
    q = _read(evidence, "quantities")
    _check_columns(q, _Q_COLUMNS, "quantities")
    rows: list[_Row] = []
    for i, r in q.iterrows():
        where = f"quantities row {r['id'] or i}"
        if r["unit"].strip().lower() not in ("count", ""):
            continue
        if r["measure"].strip() not in question.measures:
            continue
        if not question.keeps_region(r["region"]):
            continue
        rows.append(
            _Row(
                id=r["id"],
                source=r["source_id"].strip(),
                fact_key=r["fact_key"].strip() or r["id"],
                original=r["original"].strip() or r["source_id"].strip(),
                measure=r["measure"].strip(),
                region=r["region"].strip().lower(),
                start=_date(
                    r["period_start"],
                    r["period_start_precision"],
                    f"{where}, column 'period_start',",
                ),
                end=_date(
                    r["period_end"], r["period_end_precision"], f"{where}, column 'period_end',"
                ),
                value=_num(r["value"], f"{where}, column 'value',"),
                qualifier=r["qualifier"],
                low=_num(r["low"], f"{where}, column 'low',"),
                high=_num(r["high"], f"{where}, column 'high',"),
                quote=r.get("quote", ""),
            )
        )
    sources = _read(evidence, "sources", required=False)
    dates: dict[str, _Date] = {}
    if sources is not None and {"source_id", "date"} <= set(sources.columns):
        for _, s in sources.iterrows():
            d = s["date"].strip()
            prec = "day" if d.count("-") == 2 else "month" if "-" in d else "year"
            got = _date(d, prec, f"sources row {s['source_id']}, column 'date',")
            if got is not None:
                dates[s["source_id"].strip()] = got
    waves = _read(evidence, "waves", required=False)
    emergence: dict[str, int] = {}
    if waves is not None and {"source_id", "phase", "start_year"} <= set(waves.columns):
        for _, w in waves.iterrows():
            if (
                w["phase"].strip().lower() == "emergence"
                and w.get("definition", "").strip() != "formation_milestone"
                and w["start_year"].strip().isdigit()
            ):
                y = int(w["start_year"])
                s = w["source_id"].strip()
                emergence[s] = min(y, emergence.get(s, y))
    undated: dict[str, list[_Row]] = {}
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
    return _Context(
        question,
        rows,
        dates,
        partners,
        undated,
        emergence,
        waves,
        _read(evidence, "events", required=False),
    )


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
    return _placements(_context(q, evidence))


def _placements(ctx: _Context) -> dict[str, list[int]]:
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
    waves = _read(evidence, "waves", required=False)
    years: set[int] = set()
    if waves is not None and {"definition", "phase", "start_year"} <= set(waves.columns):
        for _, w in waves.iterrows():
            if (
                w["definition"].strip() in ("emergence_year", "formation_milestone")
                and w["start_year"].strip().isdigit()
            ):
                years.add(int(w["start_year"]))
    if not years:
        raise EvidenceError(
            "No emergence or formation year is stated in the waves table; pass origins=... "
            "to enumerate_readings."
        )
    events = _read(evidence, "events", required=False)
    if events is not None and {"attribution", "date"} <= set(events.columns):
        claimed = [
            int(d[:4])
            for d, a, t in zip(
                events["date"],
                events["attribution"],
                events.get("event_type", pd.Series(["attack"] * len(events))),
                strict=True,
            )
            if a.strip() == "claimed" and t.strip() in ("attack", "") and d[:4].isdigit()
        ]
        if claimed:
            years = {y for y in years if y <= min(claimed)}
    return sorted(years)


class _NeedsOriginError(ParameterError):
    """Raised when a window with an open start is used by a reading without origin."""


def _resolve_window(row: _Row, reading: Reading, ctx: _Context) -> tuple[int, int, list[float]]:
    where = f"row {row.id} ({row.label})"
    if row.undated:
        year = reading.year_of(row.fact_key)
        allowed = _placements(ctx)[row.fact_key]
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
        first = _Date(int(reading.origin), 0.0, 1.0)
    if last is None:
        if row.source not in ctx.source_dates:
            raise EvidenceError(
                f"{where} has an open end and its source {row.source!r} has no date in the "
                f"sources table."
            )
        last = ctx.source_dates[row.source]
    if last.year < first.year:
        raise EvidenceError(f"{where} ends ({last.year}) before it starts ({first.year}).")
    return _weights(first, last)


def _version_obs(rows: list[_Row], reading: Reading, ctx: _Context) -> list[_Obs]:
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


def _quantity_observations(reading: Reading, ctx: _Context) -> list[_Obs]:
    groups: dict[tuple[str, str], list[_Row]] = {}
    for r in ctx.rows:
        groups.setdefault((r.fact_key, r.original), []).append(r)
    obs: list[_Obs] = []
    for (_key, original), rows in groups.items():
        by_source: dict[str, list[_Row]] = {}
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
    _check_prefer(reading.conflict, _read(evidence, q.table), "build_series")
    if q.table == "events":
        key = q.measures[0]
        return indicators(
            _read(evidence, "events"), policy=reading.policy, conflict=reading.conflict
        )[key].with_name(reading.name)
    return _build(reading, _context(q, evidence))


def _check_prefer(conflict: str, table: pd.DataFrame, func: str) -> None:
    """Refuse ``prefer:<id>`` naming no source of the table (a typo would fall back silently).

    A known source that lacks a particular fact still falls back to ``most_specific``
    for that fact, as documented.
    """
    if not conflict.startswith("prefer:"):
        return
    known = sorted(set(table["source_id"]) - {""})
    if conflict[7:] not in known:
        raise ParameterError(
            f"The conflict rule of {func} prefers source {conflict[7:]!r}, which gives no row "
            f"of this evidence. Expected one of {known}."
        )


def _build(reading: Reading, ctx: _Context) -> CountSeries:
    q = ctx.question
    return _to_series(_quantity_observations(reading, ctx), reading.name, repr(q.name))


def _values(series: CountSeries) -> pd.DataFrame:
    """A series without its provenance and name: what an analysis sees."""
    return series.to_frame().drop(columns=["provenance"])


def enumerate_readings(
    question: str,
    evidence: Any = None,
    *,
    policies: Sequence[QualifierPolicy] = POLICIES,
    origins: Iterable[int] | None = None,
) -> list[Reading]:
    """Every admissible reading of a question, distinct in the series it gives.

    The product of the qualifier policies, the conflict rules (``most_specific``,
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
    if q.table == "events":
        ev = _read(evidence, "events")
        conflicts += [f"prefer:{s}" for s in _event_conflict_sources(ev)]
    else:
        ctx = _context(q, evidence)
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
        spots = _placements(ctx)
        per_key = []
        for key, years in spots.items():
            u = ctx.undated[key][0]
            what = f"{u.label}: {u.value:g}" if not math.isnan(u.value) else u.label
            per_key.append([Placement(key, y, what) for y in years])
        placement_choices = [tuple(c) for c in itertools.product(*per_key)]
    out: list[Reading] = []
    seen: list[pd.DataFrame] = []
    needless: set[tuple[Any, ...]] = set()
    # An origin is named only where the chosen versions need one (tried without first).
    origin_choices = [None] + [o for o in origin_choices if o is not None]
    for conflict, origin, placed, policy in itertools.product(
        conflicts, origin_choices, placement_choices, policies
    ):
        if origin is not None and (conflict, placed, policy) in needless:
            continue
        reading = Reading(question, policy, conflict, origin, placed)
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
            needless.add((conflict, placed, policy))
        values = _values(series)
        if any(values.equals(v) for v in seen):
            continue
        seen.append(values)
        out.append(reading)
    return out


# --------------------------------------------------------------------------- events
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}


def _event_rows(events: pd.DataFrame, attributions: Iterable[str] | None) -> pd.DataFrame:
    _check_columns(events, _E_COLUMNS, "events")
    ev = events
    if "event_type" in ev.columns:
        ev = ev[ev["event_type"].str.strip().isin(["attack", ""])]
    keep = None if attributions is None else {a.strip() for a in attributions}
    if keep is None:
        ev = ev[ev["attribution"].str.strip() != "against_iskp"]
    else:
        ev = ev[ev["attribution"].str.strip().isin(keep)]
    return ev


def _event_conflict_sources(events: pd.DataFrame) -> list[str]:
    ev = _event_rows(events, None)
    out: dict[str, None] = {}
    for _, g in ev.groupby("event_key", sort=True):
        srcs = sorted(set(g["source_id"]))
        if len(srcs) > 1:
            out.update(dict.fromkeys(srcs))
    return list(out)


def indicators(
    events: Any = None,
    *,
    policy: QualifierPolicy | None = None,
    conflict: str = "most_specific",
    attributions: Iterable[str] | None = None,
) -> dict[str, CountSeries]:
    """Yearly indicators from the events the documents name.

    The documents name a *selection* of events, not all of them: these series count
    what the documents mention, not what happened. A year in which the documents name no
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
    if not isinstance(conflict, str) or not _CONFLICT_RE.match(conflict):
        raise ParameterError(
            "The 'conflict' parameter of indicators must be 'most_specific', "
            f"'all_as_intervals' or 'prefer:<source_id>'. Got {conflict!r} instead."
        )
    table = events if isinstance(events, pd.DataFrame) else _read(events, "events")
    table = table.astype(object).where(table.notna(), "").astype(str)
    _check_prefer(conflict, table, "indicators")
    ev = _event_rows(table, attributions)
    prefer = conflict[7:] if conflict.startswith("prefer:") else None
    per_year: dict[int, dict[str, Any]] = {}
    undated: list[str] = []
    for key, g in ev.groupby("event_key", sort=True):
        recs = []
        for _, r in g.iterrows():
            where = f"events row {r['id']}"
            d = _date(r["date"], r["date_precision"], f"{where}, column 'date',")
            lo_hi = None
            if not (
                _blank(r["killed"])
                and _blank(r["killed_low"])
                and _blank(r["killed_high"])
                and _KIND.get(r["killed_qualifier"].strip())
                not in ("dozens", "hundreds", "thousands")
            ):
                lo_hi = policy.interval(
                    _num(r["killed"], f"{where}, column 'killed',"),
                    r["killed_qualifier"],
                    _num(r["killed_low"], f"{where}, column 'killed_low',"),
                    _num(r["killed_high"], f"{where}, column 'killed_high',"),
                    where=where,
                )
            rank = _PRECISION_RANK.get(r["date_precision"].strip(), 3)
            recs.append((r["id"], r["source_id"].strip(), d, rank, lo_hi, r["country"].strip()))
        dated = [x for x in recs if x[2] is not None]
        if not dated:
            undated.append(str(key))
            continue
        pool = [x for x in dated if x[1] == prefer] or dated
        year = min(pool, key=lambda x: (x[3], x[0]))[2].year
        tolls = [x for x in recs if x[4] is not None]
        if not tolls:
            toll = (0.0, math.inf)
        elif conflict == "all_as_intervals":
            toll = (min(x[4][0] for x in tolls), max(x[4][1] for x in tolls))
        else:
            tp = [x for x in tolls if x[1] == prefer] or tolls
            toll = min(tp, key=lambda x: (x[4][1] - x[4][0], x[0]))[4]
        countries = [x for x in recs if x[5]]
        cp = [x for x in countries if x[1] == prefer] or countries
        country = min(cp, key=lambda x: x[0])[5].lower() if cp else ""
        y = per_year.setdefault(year, {"n": 0, "lo": 0.0, "hi": 0.0, "c": set(), "u": 0, "ids": []})
        y["n"] += 1
        y["lo"] += toll[0]
        y["hi"] += toll[1]
        if country:
            y["c"].update(c.strip() for c in country.split(";") if c.strip() != "afghanistan")
        else:
            y["u"] += 1
        y["ids"].extend(sorted(x[0] for x in recs))
    if undated:
        warnings.warn(
            f"Events without a year in any row are left out: {', '.join(undated)}.",
            ApproximationWarning,
            stacklevel=2,
        )
    if not per_year:
        raise EmptySeriesError("No dated attack is left in the events table.")
    years = sorted(per_year)
    prov = [tuple(per_year[y]["ids"]) for y in years]
    n = [per_year[y]["n"] for y in years]
    common = {"provenance": prov, "grid": (years[0], years[-1])}
    lo = [per_year[y]["lo"] for y in years]
    hi = [per_year[y]["hi"] for y in years]
    reach_lo = [len(per_year[y]["c"]) for y in years]
    reach_hi = [len(per_year[y]["c"]) + per_year[y]["u"] for y in years]
    tag = f"events | policy={policy.name} | conflict={conflict}"
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

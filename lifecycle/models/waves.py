"""Wave definitions: named, cited phases of a group's lifecycle, and their registry.

A :class:`WaveDefinition` divides calendar time into contiguous, non-overlapping
:class:`Phase` s (``emergence 2015–2018``, ``decline 2019–2020``, …). It records where the
division comes from (citation, verbatim quote, evidence source id) and, for definitions
read from documents, the boundaries *as written* (``"early 2020"``, ``"late 2020"``,
``"present"``). The same fitting code (:func:`lifecycle.models.regression.fit_waves`) handles a
definition read in a paper, one typed by a user, or one found by a search.

Boundary rule
-------------
Documents date phases in words; a yearly series needs every year in exactly one phase.
Each textual boundary admits a small set of calendar years, and a break year ``b`` (the
first year of the new phase) is *admissible* when the old phase's end text allows
``b - 1`` as its last year and the new phase's start text allows ``b`` as its first:

* a plain year ``"Y"`` ending one phase and starting the next (``"2015 to 2019"`` then
  ``"2019 to early 2020"``) is shared: ``Y`` may go to either phase;
* ``"early Y"`` as an end: the last year is ``Y - 1`` or ``Y``;
* ``"late Y"``, ``"mid Y"`` or a month (``"May Y"``) as a start: the first year is ``Y``
  or ``Y + 1`` (``"January Y"`` and ``"early Y"`` as a start: ``Y`` only);
* ``"mid Y"``, ``"late Y"`` or a month as an end: the last year is ``Y - 1`` or ``Y``
  (``"December Y"`` and ``"late Y"`` as an end: ``Y`` only);
* ``"present"`` (or an empty end) leaves the last phase open.

Every combination of admissible break years that leaves no phase empty is a *variant*
(:func:`admissible_variants`). The default, named :data:`DEFAULT_BOUNDARY_RULE`
(``"start-year"``), takes for each boundary the year in which the text says the new
phase begins, counted as its first year when the new phase holds most of that year:
plain ``"Y"``, ``"early Y"`` and months January–June give ``Y``; ``"mid Y"``, ``"late Y"``
and months July–December give ``Y + 1``. (Reading the *end* texts the same way would
leave the CASS decline phase, ``"2019 to early 2020"``, with no year at all, which is
why the start texts decide.) When the start-year choice is not admissible the earliest
admissible year is taken and the variant says so.

On a monthly series a phase dated in years covers January of its first year to December
of its last; phases may also be given in months (``"2020-05"``).

Registry
--------
:func:`registry` reads the definitions stated by the documents from the evidence table
``data/waves.csv`` (quotes and source ids kept) and adds two that carry no dates:
``"no change"`` (one phase over the whole series) and ``"conventional lifecycle"``
(birth, growth, decline — Gupta 2008 as cited by the CASS paper). The conventional
lifecycle has no dated boundaries in any document, so it is represented as a *shape*
(rise, then fall: a unimodal rate) whose break years are estimated; it is flagged
``estimated=True`` and its years are never invented.

References
----------
Gupta, D. K. (2008). *Understanding Terrorism and Political Violence: The Life Cycle of
Birth, Growth, Transformation, and Demise*. Routledge.

Rana, M. A. (2024). The Resurgence of Islamic State Khorasan Province (ISKP): Exploiting
a Counterterrorism Gap. Centre for Aerospace and Security Studies (CASS), Islamabad.

Examples
--------
>>> d = WaveDefinition.from_breaks("mine", [2015, 2019, 2021], names=["rise", "fall", "return"])
>>> [(p.name, p.start, p.end) for p in d.phases]
[('rise', 2015, 2018), ('fall', 2019, 2020), ('return', 2021, None)]
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import DefinitionError, EvidenceError
from lifecycle.series.countseries import to_label, to_ordinal

__all__ = [
    "BOUNDARY_RULES",
    "CONVENTIONAL",
    "DEFAULT_BOUNDARY_RULE",
    "NO_CHANGE",
    "Phase",
    "WaveDefinition",
    "admissible_variants",
    "boundary_years",
    "definitions",
    "get_definition",
    "registry",
]

DEFAULT_BOUNDARY_RULE = "start-year"
BOUNDARY_RULES: dict[str, str] = {
    "start-year": (
        "each break year is the year the text says the new phase begins, counted as its "
        "first year when the new phase holds most of that year (plain 'Y', 'early Y', "
        "January–June: Y; 'mid Y', 'late Y', July–December: Y+1); a plain year shared by "
        "two phases goes to the later one"
    ),
    "explicit": "phase years given explicitly (no textual boundaries to interpret)",
    "estimated": "break years are parameters estimated from the series",
}

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_TEXT_RE = re.compile(
    r"^\s*(?:since\s+|from\s+|in\s+)?(?:(early|mid|late)[\s-]+)?(?:([a-z]+)\s+)?(\d{4})\s*$",
    re.IGNORECASE,
)
_OPEN = {"", "present", "now", "today", "ongoing", "continuing"}
_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


# ---------------------------------------------------------------------- phases
def _label_ordinal(label: Any, what: str) -> tuple[int, str]:
    """(ordinal, freq) of a phase boundary label: a year or a 'YYYY-MM' month."""
    if isinstance(label, str) and "-" in label:
        try:
            return to_ordinal(label, "month"), "month"
        except Exception:
            raise DefinitionError(
                f"{what} must be a calendar year such as 2015 or a month such as '2020-05'. "
                f"Got {label!r}."
            ) from None
    try:
        return to_ordinal(label, "year"), "year"
    except Exception:
        raise DefinitionError(
            f"{what} must be a calendar year such as 2015 or a month such as '2020-05'. "
            f"Got {label!r}."
        ) from None


@dataclass(frozen=True)
class Phase:
    """One phase of a wave definition.

    Attributes
    ----------
    name : str
        The phase's name (``"emergence"``).
    start, end : int, str or None
        First and last calendar period (inclusive): years (``2015``) or months
        (``"2020-05"``). ``start=None`` means "from the beginning of the series" (first
        phase only), ``end=None`` means "to the present" (last phase only). Both are
        ``None`` in an *estimated* definition, whose breaks come from the data.
    start_text, end_text : str
        The boundaries as the source writes them (``"late 2020"``, ``"present"``).
    quote : str
        The verbatim sentence the phase comes from.
    evidence_id : str
        Id of the evidence row (``data/waves.csv``), if any.
    """

    name: str
    start: int | str | None = None
    end: int | str | None = None
    start_text: str = ""
    end_text: str = ""
    quote: str = ""
    evidence_id: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise DefinitionError(f"A phase needs a non-empty name. Got {self.name!r}.")
        freqs = set()
        for what, value in (("start", self.start), ("end", self.end)):
            if value is not None:
                ordinal, freq = _label_ordinal(value, f"The {what} of phase {self.name!r}")
                freqs.add(freq)
                object.__setattr__(self, what, to_label(ordinal, freq))
        if len(freqs) > 1:
            raise DefinitionError(
                f"Phase {self.name!r} mixes a year and a month ({self.start!r} to "
                f"{self.end!r}); write both as years or both as 'YYYY-MM'."
            )
        if self.start is not None and self.end is not None:
            s, _ = _label_ordinal(self.start, "start")
            e, _ = _label_ordinal(self.end, "end")
            if e < s:
                raise DefinitionError(
                    f"Phase {self.name!r} ends ({self.end}) before it starts ({self.start})."
                )

    @property
    def freq(self) -> str | None:
        """``"year"``, ``"month"`` or ``None`` when the phase has no dates."""
        for v in (self.start, self.end):
            if v is not None:
                return _label_ordinal(v, "boundary")[1]
        return None

    def bounds(self, freq: str) -> tuple[int | None, int | None]:
        """First and last period ordinal on a grid of ``freq`` (``None`` = open).

        A phase dated in years covers January of its first year to December of its last
        on a monthly grid. A phase dated in months cannot be placed on a yearly grid.
        """
        out: list[int | None] = []
        for k, v in enumerate((self.start, self.end)):
            if v is None:
                out.append(None)
                continue
            ordinal, own = _label_ordinal(v, "boundary")
            if own == freq:
                out.append(ordinal)
            elif own == "year" and freq == "month":
                out.append(12 * ordinal + (0 if k == 0 else 11))
            else:
                raise DefinitionError(
                    f"Phase {self.name!r} is dated in months ({v!r}); it cannot be placed "
                    f"on a yearly series. Aggregate to years or date the phase in years."
                )
        return out[0], out[1]

    def text(self) -> str:
        """The phase's years as a short string (``"2015–2018"``, ``"2021–present"``)."""
        s = "start" if self.start is None else str(self.start)
        e = "present" if self.end is None else str(self.end)
        return s if s == e else f"{s}–{e}"


# ---------------------------------------------------------------------- definitions
@dataclass(frozen=True)
class WaveDefinition:
    """A named division of a lifecycle into phases, with its source.

    Parameters
    ----------
    name : str
        The definition's name (``"rana_2024 three waves"``).
    phases : sequence of Phase
        Contiguous, non-overlapping phases in calendar order. Only the first may start
        open (``start=None``) and only the last may end open (``end=None``).
    citation : str
        Who states the definition.
    quote : str
        The verbatim sentence(s) it comes from.
    source_id : str, optional
        Id of the source document in the evidence tables.
    boundary_rule : str
        How textual boundaries became years (a key of :data:`BOUNDARY_RULES`), or a
        variant's description.
    estimated : bool
        Whether the break years are estimated from the data (phases undated). Such a
        definition is fitted by searching over break years, which count as parameters.
    constraint : {None, "unimodal"}
        A shape constraint on the fitted rates of an estimated definition:
        ``"unimodal"`` = rise, then fall (the conventional lifecycle).
    directions : tuple of {"up", "down"}, optional
        Expected direction of each consecutive change (for directional tests). When not
        given it is read from the phase names (see :func:`expected_directions`).
    note : str
        Anything a reader must know (which variant, what was assumed).

    Raises
    ------
    DefinitionError
        If phases are empty, unordered, overlapping or leave a gap; if an open start or
        end is not at the first or last phase; if names repeat.

    Examples
    --------
    >>> d = WaveDefinition("two", [Phase("a", 2001, 2003), Phase("b", 2004, None)])
    >>> d.break_labels()
    [2004]
    """

    name: str
    phases: tuple[Phase, ...]
    citation: str = ""
    quote: str = ""
    source_id: str | None = None
    boundary_rule: str = "explicit"
    estimated: bool = False
    constraint: str | None = None
    directions: tuple[str, ...] | None = None
    note: str = ""
    variant_of: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise DefinitionError(f"A wave definition needs a non-empty name. Got {self.name!r}.")
        phases = tuple(self.phases)
        if not phases:
            raise DefinitionError(f"Definition {self.name!r} needs at least one phase. Got none.")
        for p in phases:
            if not isinstance(p, Phase):
                raise TypeError(
                    f"The phases of definition {self.name!r} must be Phase objects. "
                    f"Got {type(p).__name__}."
                )
        names = [p.name for p in phases]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise DefinitionError(
                f"Phase names must be distinct in definition {self.name!r}. Got {dup} twice."
            )
        if self.constraint not in (None, "unimodal"):
            raise DefinitionError(
                f"The constraint of definition {self.name!r} must be None or 'unimodal'. "
                f"Got {self.constraint!r}."
            )
        if self.estimated:
            dated = [p.name for p in phases if p.start is not None or p.end is not None]
            if dated:
                raise DefinitionError(
                    f"Definition {self.name!r} is estimated (break years come from the data), "
                    f"so its phases must be undated. Got dates on {dated}."
                )
        else:
            if self.constraint is not None:
                raise DefinitionError(
                    f"A shape constraint needs estimated break years; definition "
                    f"{self.name!r} has dated phases."
                )
            freqs = {p.freq for p in phases} - {None}
            if len(freqs) > 1:
                raise DefinitionError(
                    f"Definition {self.name!r} mixes phases dated in years and in months."
                )
            for i, p in enumerate(phases):
                if p.start is None and i > 0:
                    raise DefinitionError(
                        f"Only the first phase may start open; phase {p.name!r} of "
                        f"{self.name!r} has no start."
                    )
                if p.end is None and i < len(phases) - 1:
                    raise DefinitionError(
                        f"Only the last phase may end open ('present'); phase {p.name!r} of "
                        f"{self.name!r} has no end but is followed by {phases[i + 1].name!r}."
                    )
            freq = next(iter(freqs), "year")
            for a, b in itertools.pairwise(phases):
                a_start, a_end = a.bounds(freq)
                b_start, _ = b.bounds(freq)
                if a_start is not None and b_start < a_start:
                    raise DefinitionError(
                        f"Phases of {self.name!r} must be in calendar order. Got {b.name!r} "
                        f"({b.text()}) after {a.name!r} ({a.text()})."
                    )
                if b_start <= a_end:
                    raise DefinitionError(
                        f"Phases of {self.name!r} overlap: {a.name!r} ({a.text()}) and "
                        f"{b.name!r} ({b.text()}). Each period must belong to one phase."
                    )
                if b_start > a_end + 1:
                    gap = [to_label(o, freq) for o in range(a_end + 1, b_start)]
                    shown = f"{gap[0]}" if len(gap) == 1 else f"{gap[0]}–{gap[-1]}"
                    raise DefinitionError(
                        f"Phases of {self.name!r} leave a gap: {shown} lies between "
                        f"{a.name!r} ({a.text()}) and {b.name!r} ({b.text()}). Phases must be "
                        f"contiguous."
                    )
        if self.directions is not None:
            dirs = tuple(self.directions)
            if len(dirs) != len(phases) - 1 or any(d not in ("up", "down") for d in dirs):
                raise DefinitionError(
                    f"The directions of {self.name!r} must be {len(phases) - 1} values 'up' or "
                    f"'down' (one per change). Got {dirs!r}."
                )
            object.__setattr__(self, "directions", dirs)
        object.__setattr__(self, "phases", phases)

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_breaks(
        cls,
        name: str,
        breaks: Sequence[Any],
        names: Sequence[str] | None = None,
        *,
        end: Any = None,
        citation: str = "",
        quote: str = "",
        source_id: str | None = None,
        note: str = "",
    ) -> WaveDefinition:
        """Define phases in one line from their first years.

        Parameters
        ----------
        name : str
        breaks : sequence of int or str
            First year (or ``"YYYY-MM"`` month) of each phase. With one fewer break than
            names, the first phase starts open (at the beginning of the series).
        names : sequence of str, optional
            Phase names (default ``"phase 1"``, ``"phase 2"``, …).
        end : int or str, optional
            Last period of the last phase (default open, "present").

        Examples
        --------
        >>> d = WaveDefinition.from_breaks("m", [2019, 2021], names=["a", "b", "c"])
        >>> [p.text() for p in d.phases]
        ['start–2018', '2019–2020', '2021–present']
        """
        if isinstance(breaks, (str, bytes)):
            raise TypeError(
                f"The 'breaks' parameter of from_breaks must be a sequence of first periods "
                f"such as [2014, 2018]. Got the string {breaks!r}."
            )
        breaks = list(breaks)
        if names is None:
            names = [f"phase {i + 1}" for i in range(len(breaks))]
        names = list(names)
        if len(breaks) not in (len(names), len(names) - 1) or not names:
            raise DefinitionError(
                f"from_breaks needs one first period per phase ({len(names)}), or one fewer "
                f"for an open first phase. Got {len(breaks)} breaks for {len(names)} names."
            )
        starts: list[Any] = ([None] if len(breaks) == len(names) - 1 else []) + breaks
        ords = [None if s is None else _label_ordinal(s, "A break") for s in starts]
        freq = next((o[1] for o in ords if o is not None), "year")
        for a, b in itertools.pairwise([o for o in ords if o is not None]):
            if b[0] <= a[0]:
                raise DefinitionError(
                    f"Breaks must increase strictly. Got {to_label(b[0], freq)} after "
                    f"{to_label(a[0], freq)}."
                )
        phases = []
        for i, nm in enumerate(names):
            last = end if i == len(names) - 1 else to_label(ords[i + 1][0] - 1, freq)
            phases.append(Phase(nm, starts[i], last))
        return cls(
            name,
            tuple(phases),
            citation=citation,
            quote=quote,
            source_id=source_id,
            note=note,
        )

    # ------------------------------------------------------------------ views
    @property
    def n_phases(self) -> int:
        """Number of phases."""
        return len(self.phases)

    @property
    def phase_names(self) -> list[str]:
        """Names of the phases in order."""
        return [p.name for p in self.phases]

    def break_labels(self) -> list[int | str]:
        """First calendar period of each phase after the first (the break years)."""
        if self.estimated:
            return []
        return [p.start for p in self.phases[1:]]

    def expected_directions(self) -> tuple[str, ...] | None:
        """Expected direction of each consecutive change, or ``None`` if unknown.

        Given explicitly by ``directions``, or else read from the phase names: a phase
        named with a word of decline (decline, weakened, downfall, fall, demise, …) is
        expected *below* the one before; one named with a word of rise (growth, rise,
        resurgence, rebuilding, return, emergence after a first phase, …) *above*.
        ``None`` when a name is in neither vocabulary.
        """
        if self.directions is not None:
            return self.directions
        out = []
        for p in self.phases[1:]:
            d = _direction_from_name(p.name)
            if d is None:
                return None
            out.append(d)
        return tuple(out)

    def summary(self) -> pd.DataFrame:
        """One row per phase: name, years, boundaries as written, source."""
        return pd.DataFrame(
            {
                "definition": self.name,
                "phase_order": range(1, self.n_phases + 1),
                "phase": self.phase_names,
                "start": [p.start for p in self.phases],
                "end": [p.end for p in self.phases],
                "years": ["estimated" if self.estimated else p.text() for p in self.phases],
                "start_text": [p.start_text for p in self.phases],
                "end_text": [p.end_text for p in self.phases],
                "estimated": self.estimated,
                "constraint": self.constraint,
                "boundary_rule": self.boundary_rule,
                "source_id": self.source_id,
                "citation": self.citation,
            }
        )

    def __str__(self) -> str:
        if self.estimated:
            inner = ", ".join(p.name for p in self.phases) + " (break years estimated)"
        else:
            inner = ", ".join(f"{p.name} {p.text()}" for p in self.phases)
        return f"{self.name}: {inner}"


_DOWN = ("declin", "weaken", "downfall", "fall", "demise", "decay", "collapse", "trough", "low")
_UP = ("resurg", "rebuil", "return", "rise", "growth", "grow", "revival", "recover", "expan")


def _direction_from_name(name: str) -> str | None:
    low = name.lower()
    if any(w in low for w in _DOWN):
        return "down"
    if any(w in low for w in _UP):
        return "up"
    return None


NO_CHANGE = WaveDefinition(
    "no change",
    (Phase("whole series", None, None),),
    citation="null model: one constant (or, for other shapes, one log-linear) rate",
    boundary_rule="explicit",
    note="The reference of every likelihood-ratio test: no phase boundary at all.",
)
"""One phase over the whole series: the null model of every comparison."""

_CONVENTIONAL_QUOTE = (
    "They analysed terrorist organisations, and identified four discernible categories: "
    "emergence, rise, downfall and demise."
)
CONVENTIONAL = WaveDefinition(
    "conventional lifecycle",
    (Phase("birth"), Phase("growth"), Phase("decline")),
    citation="Gupta (2008), as cited by Rana (2024, CASS)",
    quote=_CONVENTIONAL_QUOTE,
    source_id="rana_2024",
    boundary_rule="estimated",
    estimated=True,
    constraint="unimodal",
    directions=("up", "down"),
    note=(
        "No document dates these phases: the shape (rise, then fall; unimodal rates) is "
        "fitted with its break years estimated from the series and counted as parameters."
    ),
)
"""The conventional lifecycle (birth, growth, decline) as an estimated unimodal shape."""


# ---------------------------------------------------------------------- boundary texts
@dataclass(frozen=True)
class _Text:
    qualifier: str | None
    month: int | None
    year: int | None  # None = open ("present")


def _parse_text(text: Any, where: str) -> _Text:
    s = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    s = s.strip()
    if s.lower() in _OPEN:
        return _Text(None, None, None)
    m = _TEXT_RE.match(s)
    if m is None:
        raise EvidenceError(
            f"{where}: cannot read the boundary {s!r}; expected a year ('2015'), 'early "
            f"2020', 'mid 2020', 'late 2020', a month and year ('May 2020') or 'present'."
        )
    qual, month, year = m.group(1), m.group(2), int(m.group(3))
    mon = None
    if month is not None:
        if month.lower() not in _MONTHS:
            raise EvidenceError(f"{where}: {month!r} in {s!r} is not a month name.")
        mon = _MONTHS[month.lower()]
    return _Text(qual.lower() if qual else None, mon, year)


def _first_years(t: _Text) -> tuple[int, ...]:
    """Years that may be the first year of a phase starting at ``t`` (not shared)."""
    y = t.year
    if t.month is not None:
        return (y,) if t.month == 1 else (y, y + 1)
    if t.qualifier in ("mid", "late"):
        return (y, y + 1)
    return (y,)


def _last_years(t: _Text) -> tuple[int, ...]:
    """Years that may be the last year of a phase ending at ``t`` (not shared)."""
    y = t.year
    if t.month is not None:
        return (y,) if t.month == 12 else (y - 1, y)
    if t.qualifier in ("early", "mid"):
        return (y - 1, y)
    return (y,)


def _default_first(t: _Text) -> int:
    y = t.year
    if t.month is not None:
        return y if t.month <= 6 else y + 1
    return y + 1 if t.qualifier in ("mid", "late") else y


def boundary_years(end_text: str, start_text: str) -> tuple[list[int], int]:
    """Admissible break years between two phases, and the default one.

    Parameters
    ----------
    end_text : str
        How the source writes the end of the earlier phase (``"early 2020"``).
    start_text : str
        How it writes the start of the later phase (``"late 2020"``).

    Returns
    -------
    years : list of int
        Every year ``b`` that may be the first year of the later phase.
    default : int
        The break year of the ``"start-year"`` rule (see the module docstring).

    Raises
    ------
    DefinitionError
        If no year fits both texts (they leave a gap or overlap by more than a year).

    Examples
    --------
    >>> boundary_years("2019", "2019")
    ([2019, 2020], 2019)
    >>> boundary_years("early 2020", "late 2020")
    ([2020, 2021], 2021)
    """
    e = _parse_text(end_text, "end")
    s = _parse_text(start_text, "start")
    if e.year is None or s.year is None:
        raise DefinitionError(
            f"A boundary between two phases needs dated texts. Got end {end_text!r} and "
            f"start {start_text!r}."
        )
    last = set(_last_years(e))
    first = set(_first_years(s))
    if e.year == s.year:
        # both texts touch the same year: it may go to either phase
        last |= {e.year - 1}
        first |= {s.year + 1}
    years = sorted(b for b in first if b - 1 in last)
    if not years:
        raise DefinitionError(
            f"No break year fits both the end {end_text!r} and the start {start_text!r}: "
            f"the earlier phase's last year would be one of {sorted(last)} and the later "
            f"phase's first year one of {sorted(first)}."
        )
    default = _default_first(s)
    if default not in years:
        default = years[0]
    return years, default


def _variant_name(base: str, choice: Sequence[int], defs: Sequence[tuple[list[int], Any]]) -> str:
    parts = []
    for b, (years, (a_name, b_name)) in zip(choice, defs, strict=True):
        for y in years[:-1]:  # each admissible year but the last is an ambiguous year
            parts.append(f"{y}→{a_name if b > y else b_name}")
    return f"{base} ({', '.join(parts)})" if parts else base


def _from_texts(
    name: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    citation: str,
    quote: str,
    source_id: str | None,
    where: str,
) -> tuple[WaveDefinition, list[WaveDefinition]]:
    """Default definition and all admissible variants from phases written in words."""
    if not rows:
        raise EvidenceError(f"{where}: definition {name!r} has no phase rows.")
    texts = [
        (
            _parse_text(r.get("start_text", ""), f"{where}, phase {r['phase']!r}, start_text"),
            _parse_text(r.get("end_text", ""), f"{where}, phase {r['phase']!r}, end_text"),
        )
        for r in rows
    ]
    if all(s.year is None and e.year is None for s, e in texts):
        phases = tuple(
            Phase(
                str(r["phase"]),
                start_text=str(r.get("start_text", "") or ""),
                end_text=str(r.get("end_text", "") or ""),
                quote=str(r.get("quote", "") or ""),
                evidence_id=str(r.get("id", "") or ""),
            )
            for r in rows
        )
        d = WaveDefinition(
            name,
            phases,
            citation=citation,
            quote=quote,
            source_id=source_id,
            boundary_rule="estimated",
            estimated=True,
            constraint="unimodal" if len(phases) >= 2 else None,
            note="Phases undated in the source: break years are estimated.",
        )
        return d, [d]
    first_start = texts[0][0]
    if first_start.year is None:
        raise EvidenceError(f"{where}: the first phase of {name!r} has no start year.")
    for i, (_, e) in enumerate(texts[:-1]):
        if e.year is None and texts[i + 1][0].year is None:
            raise EvidenceError(
                f"{where}: the boundary between phases {rows[i]['phase']!r} and "
                f"{rows[i + 1]['phase']!r} of {name!r} is undated."
            )
    start_choices = _first_years(first_start)
    boundaries: list[tuple[list[int], int]] = []
    for i in range(len(rows) - 1):
        end_t = rows[i].get("end_text", "")
        start_t = rows[i + 1].get("start_text", "")
        e, s = texts[i][1], texts[i + 1][0]
        if e.year is None:
            end_t = start_t  # only the start is written: it dates the boundary
        if s.year is None:
            start_t = end_t
        try:
            boundaries.append(boundary_years(str(end_t), str(start_t)))
        except DefinitionError as exc:
            raise EvidenceError(f"{where}, definition {name!r}: {exc}") from None
    last_end = texts[-1][1]
    end_label = None if last_end.year is None else max(_last_years(last_end))
    pairs = [(str(rows[i]["phase"]), str(rows[i + 1]["phase"])) for i in range(len(rows) - 1)]
    variants = []
    default_choice = tuple(b[1] for b in boundaries)
    start0 = start_choices[-1] if len(start_choices) > 1 else start_choices[0]
    for choice in itertools.product(*[b[0] for b in boundaries]):
        starts = [start0, *choice]
        ends = [c - 1 for c in choice] + [end_label]
        if any(e is not None and e < s for s, e in zip(starts, ends, strict=True)):
            continue
        phases = tuple(
            Phase(
                str(r["phase"]),
                s,
                e,
                start_text=str(r.get("start_text", "") or ""),
                end_text=str(r.get("end_text", "") or ""),
                quote=str(r.get("quote", "") or ""),
                evidence_id=str(r.get("id", "") or ""),
            )
            for r, s, e in zip(rows, starts, ends, strict=True)
        )
        is_default = choice == default_choice
        variant_name = _variant_name(
            name, choice, [(b[0], p) for b, p in zip(boundaries, pairs, strict=True)]
        )
        variants.append(
            WaveDefinition(
                variant_name,
                phases,
                citation=citation,
                quote=quote,
                source_id=source_id,
                boundary_rule=DEFAULT_BOUNDARY_RULE if is_default else "variant",
                note=("default variant: " if is_default else "admissible variant: ")
                + "; ".join(
                    f"break {p[0]}→{p[1]} in {c} (admissible {b[0]})"
                    for c, b, p in zip(choice, boundaries, pairs, strict=True)
                ),
                variant_of=name,
            )
        )
    if not variants:
        raise EvidenceError(
            f"{where}: no assignment of the boundary years of {name!r} leaves every phase "
            f"at least one year."
        )
    default = next((v for v in variants if v.boundary_rule == DEFAULT_BOUNDARY_RULE), None)
    if default is None:
        default = variants[0]
        default = replace(
            default,
            boundary_rule=DEFAULT_BOUNDARY_RULE,
            note=default.note
            + " (the start-year choice leaves a phase empty; the earliest admissible "
            "assignment is the default)",
        )
        variants[0] = default
    default = replace(default, name=name)
    return default, variants


def admissible_variants(definition: WaveDefinition) -> list[WaveDefinition]:
    """Every year assignment consistent with a definition's boundaries as written.

    Each variant's name says where each ambiguous boundary year went, e.g.
    ``"rana_2024 (2019→decline, 2020→decline)"``. A definition without textual
    boundaries (a user's, ``"no change"``, an estimated one) has itself as only variant.

    Parameters
    ----------
    definition : WaveDefinition

    Returns
    -------
    list of WaveDefinition
        The default variant (``boundary_rule == "start-year"``) first.

    Examples
    --------
    >>> d = WaveDefinition(
    ...     "w", (Phase("a", 2001, 2003, "2001", "2004"), Phase("b", 2004, None, "2004", "present"))
    ... )
    >>> [v.name for v in admissible_variants(d)]
    ['w (2004→b)', 'w (2004→a)']
    """
    if not isinstance(definition, WaveDefinition):
        raise TypeError(f"Expected a WaveDefinition. Got {type(definition).__name__}.")
    has_text = all(p.start_text or p.end_text for p in definition.phases)
    if definition.estimated or not has_text or definition.n_phases < 2:
        return [definition]
    rows = [
        {
            "phase": p.name,
            "start_text": p.start_text,
            "end_text": p.end_text,
            "quote": p.quote,
            "id": p.evidence_id,
        }
        for p in definition.phases
    ]
    base = definition.variant_of or definition.name
    _, variants = _from_texts(
        base,
        rows,
        citation=definition.citation,
        quote=definition.quote,
        source_id=definition.source_id,
        where=f"definition {base!r}",
    )
    out = sorted(variants, key=lambda v: v.boundary_rule != DEFAULT_BOUNDARY_RULE)
    return out


# ---------------------------------------------------------------------- registry
def _waves_frame(evidence: Any) -> tuple[pd.DataFrame, str]:
    if evidence is None:
        from lifecycle.evidence.tables import data_dir, load_waves

        return load_waves().astype(object).fillna(""), str(data_dir() / "waves.csv")
    if isinstance(evidence, (str, Path)):
        from lifecycle.evidence.tables import load_waves

        path = Path(evidence)
        if path.is_dir():
            path = path / "waves.csv"
        if not path.exists():
            raise EvidenceError(f"No such evidence table: {path}.")
        return load_waves(path).astype(object).fillna(""), str(path)
    if isinstance(evidence, pd.DataFrame):
        return evidence.astype(object).fillna(""), "the waves table"
    waves = getattr(evidence, "waves", None)
    if isinstance(waves, pd.DataFrame):
        return waves.astype(object).fillna(""), "the evidence's waves table"
    raise TypeError(
        "The 'evidence' parameter of registry must be None, a path to waves.csv (or its "
        "folder), a DataFrame with the waves.csv columns, or an object with a 'waves' "
        f"DataFrame. Got {type(evidence).__name__}."
    )


_WAVE_COLUMNS = ("definition", "phase", "phase_order", "start_text", "end_text", "quote")


def registry(evidence: Any = None) -> dict[str, WaveDefinition]:
    """The wave definitions the documents state, plus "no change" and the conventional one.

    Parameters
    ----------
    evidence : None, path, DataFrame or evidence object
        Where to read the waves table (schema of ``data/waves.csv``: ``id, source_id,
        definition, phase, phase_order, start_text, end_text, start_year, end_year,
        quote, context_quote, note``). Default: ``data/waves.csv``, loaded and
        validated by :func:`lifecycle.evidence.load_waves`.

    Returns
    -------
    dict of str to WaveDefinition
        Default variants (``"start-year"`` rule) keyed by definition name, then
        ``"no change"``. A definition whose phases carry no dates (the table's
        ``conventional_lifecycle``: emergence, rise, downfall, demise) becomes an
        *estimated* definition with the ``"unimodal"`` constraint. Only when the table
        has no such definition is :data:`CONVENTIONAL` (birth, growth, decline) added.
        Rows of a definition with fewer than two phases, or with repeated
        ``phase_order`` (statements such as ``emergence_year`` and
        ``formation_milestone``), are not divisions into phases and are skipped.
        :func:`admissible_variants` lists the alternatives of each dated definition.

    Raises
    ------
    EvidenceError
        If the table is missing, lacks columns or has unreadable boundaries; the message
        names the file, definition and column.

    Notes
    -----
    ``start_year``/``end_year`` in the table are not used: years come from the texts by
    the documented rule, so that every admissible alternative can be enumerated.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"id": ["w1", "w2"], "source_id": "s", "definition": "toy",
    ...     "phase": ["up", "down"], "phase_order": [1, 2], "start_text": ["2001", "2003"],
    ...     "end_text": ["2003", "present"], "quote": "q"})
    >>> str(registry(t)["toy"])
    'toy: up 2001–2002, down 2003–present'
    """
    frame, where = _waves_frame(evidence)
    missing = [c for c in _WAVE_COLUMNS if c not in frame.columns]
    if missing:
        raise EvidenceError(
            f"{where}: missing columns {missing}. Expected at least {list(_WAVE_COLUMNS)}."
        )
    out: dict[str, WaveDefinition] = {}
    for name in dict.fromkeys(frame["definition"].astype(str)):
        sub = frame[frame["definition"].astype(str) == name].copy()
        try:
            sub["_order"] = sub["phase_order"].astype(float)
        except ValueError:
            raise EvidenceError(
                f"{where}: column 'phase_order' of definition {name!r} must hold numbers. "
                f"Got {sub['phase_order'].tolist()}."
            ) from None
        sub = sub.sort_values("_order")
        if len(sub) < 2 or sub["_order"].duplicated().any():
            # statements (emergence_year, formation_milestone), not divisions into phases
            continue
        rows = sub.to_dict("records")
        sources = [s for s in dict.fromkeys(str(r.get("source_id", "")) for r in rows) if s]
        quotes = [q for q in dict.fromkeys(str(r.get("quote", "")) for r in rows) if q]
        default, _ = _from_texts(
            name,
            rows,
            citation=", ".join(sources),
            quote=" … ".join(quotes),
            source_id=sources[0] if sources else None,
            where=f"{where}, definition {name!r}",
        )
        out[name] = default
    out.setdefault(NO_CHANGE.name, NO_CHANGE)
    if not any(d.estimated for d in out.values()):
        out.setdefault(CONVENTIONAL.name, CONVENTIONAL)
    return out


def definitions(evidence: Any = None) -> list[str]:
    """Names of the definitions in the registry (see :func:`registry`)."""
    return list(registry(evidence))


def get_definition(name: str, evidence: Any = None) -> WaveDefinition:
    """One definition of the registry by name.

    ``"no change"`` and ``"conventional lifecycle"`` never need the evidence table.

    Raises
    ------
    DefinitionError
        If no definition has that name; the message lists the names there are.
    """
    if name == NO_CHANGE.name and evidence is None:
        return NO_CHANGE
    if name == CONVENTIONAL.name and evidence is None:
        return CONVENTIONAL
    reg = registry(evidence)
    if name not in reg:
        raise DefinitionError(f"No wave definition named {name!r}. Known: {list(reg)}.")
    return reg[name]

"""Phases and wave definitions: the dated (or estimated) division of a lifecycle.

:class:`Phase` and :class:`WaveDefinition` with their validation, the two definitions
every comparison knows without the evidence tables (:data:`NO_CHANGE`,
:data:`CONVENTIONAL`), and the expected direction of each change read from phase names.
The boundary rule that turns words ("early 2020") into years is in
:mod:`lifecycle.models.boundaries`; the documents' registry in :mod:`lifecycle.models.waves`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lifecycle._core.errors import DefinitionError
from lifecycle.series.countseries import to_label, to_ordinal

__all__ = [
    "BOUNDARY_RULES",
    "CONVENTIONAL",
    "DEFAULT_BOUNDARY_RULE",
    "NO_CHANGE",
    "Phase",
    "WaveDefinition",
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

    @classmethod
    def from_spec(cls, spec: str, name: str | None = None) -> WaveDefinition:
        """A definition from one line of text: ``"emergence:1980,decline:1990,resurgence:2001"``.

        Each item is ``phase:first period`` (a year or ``YYYY-MM``), in order; the last
        phase is open. An optional ``"name="`` prefix names the definition (default: the
        text itself).

        Raises
        ------
        DefinitionError
            If an item is not ``phase:period``, or the periods do not increase.

        Examples
        --------
        >>> d = WaveDefinition.from_spec("mine=rise:1980,fall:1990,return:2001")
        >>> str(d)
        'mine: rise 1980–1989, fall 1990–2000, return 2001–present'
        """
        if not isinstance(spec, str) or not spec.strip():
            raise DefinitionError(
                f"A wave specification must be text such as 'emergence:1980,decline:1990'. "
                f"Got {spec!r}."
            )
        text = spec.strip()
        if "=" in text:
            head, text = text.split("=", 1)
            name = name or head.strip()
        names, breaks = [], []
        for item in text.split(","):
            phase, sep, first = item.partition(":")
            if not sep or not phase.strip() or not first.strip():
                raise DefinitionError(
                    f"Each item of a wave specification must be 'phase:first period' such as "
                    f"'decline:1990'. Got {item.strip()!r} in {spec!r}."
                )
            names.append(phase.strip())
            first = first.strip()
            breaks.append(int(first) if first.isdigit() else first)
        return cls.from_breaks(name or spec.strip(), breaks, names=names)

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

"""What a reading answers (:class:`Question`) and the named choices it makes (:class:`Reading`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from lifecycle._core.errors import ParameterError
from lifecycle._core.validation import check_choice, check_int
from lifecycle.evidence.policy import QualifierPolicy

__all__ = [
    "CONFLICT_RE",
    "QUESTIONS",
    "SELECTION_CAVEAT",
    "PeriodChoice",
    "Placement",
    "Question",
    "Reading",
    "check_prefer",
]

# --------------------------------------------------------------------------- questions

#: The caveat of every indicator built from the events the documents mention.
SELECTION_CAVEAT = (
    "Selection of events: these are the events the documents' authors chose to mention, "
    "not a record of every attack; counts are of mentions, and a year in which no attack "
    "is mentioned is missing, not zero."
)


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

    @property
    def caveat(self) -> str:
        """What the series cannot tell (:data:`SELECTION_CAVEAT` for event indicators)."""
        return SELECTION_CAVEAT if self.table == "events" else ""

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
            "Documented attacks per year (from the events the documents name). " + SELECTION_CAVEAT,
        ),
        Question(
            "event_deaths",
            "events",
            ("deaths",),
            None,
            "Deaths in documented attacks per year. " + SELECTION_CAVEAT,
        ),
        Question(
            "event_deaths_per_attack",
            "events",
            ("deaths_per_attack",),
            None,
            "Deaths per documented attack (deaths with attacks as exposure). " + SELECTION_CAVEAT,
        ),
        Question(
            "event_reach",
            "events",
            ("reach",),
            None,
            "Countries outside Afghanistan attacked per year. " + SELECTION_CAVEAT,
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


@dataclass(frozen=True)
class PeriodChoice:
    """Which written reading of one statement's period a reading takes.

    A statement whose period can be read in more than one way has one row per reading in
    ``quantities.csv`` (same ``fact_key``, different ``period_reading``): "Following the
    Hamid Karzai airport attack, the year 2021 witnessed 119 attacks" is read as the
    whole year (``whole_year``) or as the months after the attack
    (``after_airport_attack``).

    Attributes
    ----------
    fact_key : str
    period_reading : str
    """

    fact_key: str
    period_reading: str

    @property
    def name(self) -> str:
        """E.g. ``"attacks_claimed_2021 read as after_airport_attack"``."""
        return f"{self.fact_key} read as {self.period_reading}"


CONFLICT_RE = re.compile(r"^(most_specific|all_as_intervals|prefer:\S+)$")


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
    periods : tuple of PeriodChoice
        Readings of statements whose period is written ambiguously (default: the first
        reading listed in the table).

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
    periods: tuple[PeriodChoice, ...] = ()

    def __post_init__(self) -> None:
        check_choice("question", self.question, QUESTIONS, func="Reading")
        check_choice("repeats", self.repeats, ("merge",), func="Reading")
        if not isinstance(self.policy, QualifierPolicy):
            raise TypeError(
                f"The 'policy' parameter of Reading must be a QualifierPolicy. "
                f"Got {type(self.policy).__name__}."
            )
        if not isinstance(self.conflict, str) or not CONFLICT_RE.match(self.conflict):
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
        if isinstance(self.periods, (str, PeriodChoice)) or not all(
            isinstance(p, PeriodChoice) for p in self.periods
        ):
            raise TypeError(
                f"The 'periods' parameter of Reading must be a sequence of PeriodChoice. "
                f"Got {self.periods!r}."
            )
        object.__setattr__(self, "periods", tuple(self.periods))

    @property
    def name(self) -> str:
        """Readable name listing every choice."""
        parts = [self.question, f"policy={self.policy.name}", f"conflict={self.conflict}"]
        if self.origin is not None:
            parts.append(f"open start={self.origin}")
        parts.extend(p.name for p in self.placements)
        parts.extend(p.name for p in self.periods)
        return " | ".join(parts)

    def period_of(self, fact_key: str) -> str | None:
        """The period reading this reading takes for a statement (``None``: the first)."""
        return next((p.period_reading for p in self.periods if p.fact_key == fact_key), None)

    def year_of(self, fact_key: str) -> int | None:
        """The year this reading gives to an undated figure (``None`` if none)."""
        return next((p.year for p in self.placements if p.fact_key == fact_key), None)

    def summary(self) -> pd.DataFrame:
        """One-row table of the choices, with the caveat of the question's evidence."""
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
                    "periods": "; ".join(p.name for p in self.periods),
                    "caveat": QUESTIONS[self.question].caveat,
                }
            ]
        )


def check_prefer(conflict: str, sources: set[str], func: str) -> None:
    """Refuse ``prefer:<id>`` naming no source of the table (a typo would fall back silently).

    A known source that lacks a particular fact still falls back to ``most_specific``
    for that fact, as documented.

    Raises
    ------
    ParameterError
        If the preferred source gives no row of the table.
    """
    if not conflict.startswith("prefer:"):
        return
    known = sorted(set(sources) - {""})
    if conflict[7:] not in known:
        raise ParameterError(
            f"The conflict rule of {func} prefers source {conflict[7:]!r}, which gives no row "
            f"of this evidence. Expected one of {known}."
        )

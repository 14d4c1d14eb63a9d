"""Qualifier policies: how "about 250", "over 150" or "dozens" become count intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass

from lifecycle._core.errors import EvidenceError, ParameterError
from lifecycle._core.validation import check_float
from lifecycle.evidence.records import is_blank, is_nan

__all__ = ["POLICIES", "QUALIFIER_KINDS", "QUALIFIER_KIND_OF", "QualifierPolicy"]

# --------------------------------------------------------------------------- qualifiers
#: Qualifier vocabulary, grouped by the rule that turns a value into an interval.
QUALIFIER_KINDS: dict[str, tuple[str, ...]] = {
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
#: Each qualifier word -> the rule (a key of :data:`QUALIFIER_KINDS`) that reads it.
QUALIFIER_KIND_OF = {q: kind for kind, qs in QUALIFIER_KINDS.items() for q in qs}


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
            One of :data:`QUALIFIER_KINDS`.
        low, high : float, optional
            Bounds written in the text (ranges).
        where : str
            Names the figure in error messages ("row Q007").

        Raises
        ------
        EvidenceError
            If the qualifier is unknown or the numbers it needs are missing.
        """
        q = "" if qualifier is None or is_blank(qualifier) else str(qualifier).strip().lower()
        kind = QUALIFIER_KIND_OF.get(q)
        if kind is None:
            raise EvidenceError(
                f"Unknown qualifier {qualifier!r} for {where}. Expected one of "
                f"{sorted(k for k in QUALIFIER_KIND_OF if k)}."
            )
        v = None if value is None or is_nan(value) else float(value)
        lo = None if low is None or is_nan(low) else float(low)
        hi = None if high is None or is_nan(high) else float(high)
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

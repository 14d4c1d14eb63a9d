"""Boundaries written in words: which years "early 2020" or "late 2020" admits.

Implements the boundary rule described in :mod:`lifecycle.models.waves`: each textual
boundary admits a small set of break years; every combination that leaves no phase empty
is an admissible *variant* (:func:`admissible_variants`), the ``"start-year"`` rule picks
the default (:func:`boundary_years`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from lifecycle._core.errors import DefinitionError, EvidenceError
from lifecycle.models.phases import DEFAULT_BOUNDARY_RULE, Phase, WaveDefinition

__all__ = ["admissible_variants", "boundary_years", "from_texts"]

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


def _phase(r: Mapping[str, Any], start: Any = None, end: Any = None) -> Phase:
    """The phase of one row of the waves table, with its texts, quote and evidence id."""

    def text(key: str) -> str:
        return str(r.get(key, "") or "")

    return Phase(
        str(r["phase"]),
        start,
        end,
        start_text=text("start_text"),
        end_text=text("end_text"),
        quote=text("quote"),
        evidence_id=text("id"),
    )


def _estimated(
    name: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    citation: str,
    quote: str,
    source_id: str | None,
) -> WaveDefinition:
    """An estimated definition from phases the source leaves undated."""
    phases = tuple(_phase(r) for r in rows)
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
    return d


def from_texts(
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
        d = _estimated(name, rows, citation=citation, quote=quote, source_id=source_id)
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
        phases = tuple(_phase(r, s, e) for r, s, e in zip(rows, starts, ends, strict=True))
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
    _, variants = from_texts(
        base,
        rows,
        citation=definition.citation,
        quote=definition.quote,
        source_id=definition.source_id,
        where=f"definition {base!r}",
    )
    out = sorted(variants, key=lambda v: v.boundary_rule != DEFAULT_BOUNDARY_RULE)
    return out

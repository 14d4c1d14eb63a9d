"""Where a definition meets a series: the span it covers, its phases without data.

Likelihoods (and so AIC, marginal likelihoods and their ratios) are comparable only on
the same observations. Two policies, both announced in every result:

* ``span="extend"`` (default): every definition is applied to the whole series. When
  a definition starts after the series' first observed period, its first phase is
  taken back to the start of the series; when it ends before the last, its last phase
  is carried to the end. The definition says nothing about those periods; the note says
  which were added to which phase. Nothing is left out.
* ``span="common"``: the series is cut to the periods every definition covers, and the
  note says which periods (and how many observations) were left out.

A phase that no observation touches (the CASS decline "2019–early 2020" on readings with
no figure for those years) is *not* a refusal: its rate is not identified, its posterior
equals its prior, and the maximum-likelihood fit carries no parameter for it (the phase
is merged into a neighbour, which changes no fitted mean).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from lifecycle._core.errors import DefinitionError, LifecycleError
from lifecycle.models.waves import Phase, WaveDefinition
from lifecycle.series.countseries import CountSeries, to_label

__all__ = [
    "SPANS",
    "common_span",
    "drop_empty_phases",
    "extend_to_series",
    "mixed_only_phases",
    "phase_index",
]

SPANS = ("extend", "common")


def _observed(series: CountSeries) -> tuple[int, int]:
    return int(series.start.min()), int(series.end.max())


def _span_text(first: int, last: int, freq: str) -> str:
    a, b = to_label(first, freq), to_label(last, freq)
    return f"{a}" if a == b else f"{a}–{b}"


def extend_to_series(definition: WaveDefinition, series: CountSeries) -> tuple[WaveDefinition, str]:
    """The definition with its first and last phases open, and what that added.

    Returns the definition unchanged (and an empty note) when it is estimated or already
    covers every observed period.
    """
    if definition.estimated:
        return definition, ""
    freq = series.freq
    first_obs, last_obs = _observed(series)
    phases = list(definition.phases)
    lo, _ = phases[0].bounds(freq)
    _, hi = phases[-1].bounds(freq)
    parts = []
    if lo is not None and lo > first_obs:
        parts.append(
            f"phase {phases[0].name!r} ({phases[0].text()}) taken back to cover "
            f"{_span_text(first_obs, lo - 1, freq)}"
        )
        phases[0] = replace(phases[0], start=None)
    if hi is not None and hi < last_obs:
        parts.append(
            f"phase {phases[-1].name!r} ({phases[-1].text()}) carried on to cover "
            f"{_span_text(hi + 1, last_obs, freq)}"
        )
        phases[-1] = replace(phases[-1], end=None)
    if not parts:
        return definition, ""
    out = replace(definition, phases=tuple(phases))
    return out, (
        "; ".join(parts) + " (the definition does not date these periods; nothing is left out)"
    )


def phase_index(definition: WaveDefinition, series: CountSeries) -> np.ndarray:
    """Phase index of every grid period (``-1`` outside every phase)."""
    grid = series.grid
    out = np.full(grid.size, -1, dtype=np.int64)
    for j, p in enumerate(definition.phases):
        lo, hi = p.bounds(series.freq)
        lo = -np.inf if lo is None else lo
        hi = np.inf if hi is None else hi
        out[(grid >= lo) & (grid <= hi)] = j
    return out


def _touched(definition: WaveDefinition, series: CountSeries) -> np.ndarray:
    """Whether some observation's window touches each phase."""
    W = series.design_matrix().toarray() > 0
    ph = phase_index(definition, series)
    return np.array([W[:, ph == j].any() for j in range(definition.n_phases)])


def mixed_only_phases(definition: WaveDefinition, series: CountSeries) -> list[str]:
    """Phases touched only by windows that also cover another phase (no data of their own)."""
    if definition.estimated:
        return []
    W = series.design_matrix().toarray() > 0
    ph = phase_index(definition, series)
    per = np.stack([W[:, ph == j].any(axis=1) for j in range(definition.n_phases)], axis=1)
    own = per & (per.sum(axis=1) == 1)[:, None]
    return [
        p.name for j, p in enumerate(definition.phases) if per[:, j].any() and not own[:, j].any()
    ]


def drop_empty_phases(
    definition: WaveDefinition, series: CountSeries
) -> tuple[WaveDefinition, list[str]]:
    """The definition with every phase no observation touches merged into a neighbour.

    Returns the reduced definition and the names of the empty phases (in order). The
    reduced definition gives the same likelihood for every value of the other phases'
    rates, with one parameter fewer per empty phase.

    Raises
    ------
    DefinitionError
        If no phase has an observation.
    """
    if definition.estimated:
        return definition, []
    touched = _touched(definition, series)
    if touched.all():
        return definition, []
    if not touched.any():
        raise DefinitionError(
            f"No phase of {definition.name!r} has an observation of series {series.name!r}."
        )
    names = [p.name for p, t in zip(definition.phases, touched, strict=True) if not t]
    phases: list[Phase] = list(definition.phases)
    for j in range(len(phases) - 1, -1, -1):
        if touched[j]:
            continue
        if j > 0:
            prev = phases[j - 1]
            phases[j - 1] = replace(prev, end=phases[j].end)
        else:
            nxt = phases[1]
            phases[1] = replace(nxt, start=phases[0].start)
        del phases[j]
    reduced = replace(definition, phases=tuple(phases), directions=None)
    return reduced, names


def common_span(
    series: CountSeries, defs: Sequence[WaveDefinition], func: str
) -> tuple[CountSeries, str]:
    """The series restricted to the periods every dated definition covers, and a note.

    Raises
    ------
    DefinitionError
        If the definitions share no period, or a window straddles the common span's edge.
    """
    freq = series.freq
    first, last = series.grid_start, series.grid_end
    for d in defs:
        if d.estimated:
            continue
        lo, _ = d.phases[0].bounds(freq)
        _, hi = d.phases[-1].bounds(freq)
        first = max(first, lo) if lo is not None else first
        last = min(last, hi) if hi is not None else last
    if (first, last) == (series.grid_start, series.grid_end):
        return series, ""
    if first > last:
        raise DefinitionError(
            f"{func}: the definitions share no period, so they cannot be compared on the same "
            f"data. Got spans starting as late as {to_label(first, freq)} and ending as "
            f"early as {to_label(last, freq)}. Use span='extend'."
        )
    try:
        part = series.restrict(to_label(first, freq), to_label(last, freq))
    except LifecycleError as exc:
        raise DefinitionError(
            f"{func}: cannot compare on the common span: {exc} Use span='extend'."
        ) from None
    dropped = series.n_obs - part.n_obs
    left = []
    if first > series.grid_start:
        left.append(_span_text(series.grid_start, first - 1, freq))
    if last < series.grid_end:
        left.append(_span_text(last + 1, series.grid_end, freq))
    return part, (
        f"compared on {_span_text(first, last, freq)}, the periods every definition covers; "
        f"left out: {', '.join(left)} ({dropped} observation(s) outside left out of all fits)"
    )

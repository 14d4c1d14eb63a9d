"""Checks a CountSeries makes while it is built: gaps in words, exposures as shares of
their windows, provenance as one tuple of evidence ids per observation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from lifecycle._core.errors import ExposureError, GridError
from lifecycle.series.calendar import to_label

__all__: list[str] = []


def _gap_text(ords: np.ndarray, gaps: np.ndarray, freq: str) -> str:
    """The first absent periods in words, without listing a billion of them."""
    shown: list[str] = []
    total = 0
    for g in gaps:
        a, b = int(ords[g]) + 1, int(ords[g + 1])
        total += b - a
        shown += [str(to_label(o, freq)) for o in range(a, min(b, a + 6 - len(shown)))]
    more = f" … ({total} periods in all)" if total > len(shown) else ""
    return ", ".join(shown) + more + " absent"


def _check_share(
    exposure: np.ndarray, length: np.ndarray, ords: np.ndarray, freq: str, func: str
) -> None:
    """An exposure is the observed share of its window: at most 1 per period."""
    bad = np.flatnonzero(np.isfinite(exposure) & (exposure > length + 1e-9))
    if bad.size:
        i = int(bad[0])
        unit = "year" if freq == "year" else "month"
        raise ExposureError(
            f"The 'exposure' parameter of {func} is the observed share of each window: at "
            f"most 1 per {unit} (0.5 for a half-observed {unit}), so at most "
            f"{length[i]:g} for the window starting {to_label(ords[i], freq)}. Got "
            f"{exposure[i]:g}."
        )


def _provenance(provenance: Any, n: int) -> tuple[tuple[str, ...], ...]:
    """One tuple of evidence ids per observation; a str is one id, never its characters."""
    if isinstance(provenance, str):
        if n != 1:
            raise GridError(
                f"'provenance' must hold one entry per observation ({n}), each a sequence of "
                f"evidence ids. Got the single string {provenance!r}."
            )
        return ((provenance,),)
    entries = []
    for p in provenance:
        if isinstance(p, str):
            entries.append((p,) if p else ())
        elif isinstance(p, Iterable):
            entries.append(tuple(str(x) for x in p))
        else:
            raise GridError(
                f"Each provenance entry must be a sequence of evidence ids (or one id as a "
                f"str). Got {p!r}."
            )
    prov = tuple(entries) or ((),) * n
    if len(prov) != n:
        raise GridError(f"Expected {n} provenance entries (one per observation). Got {len(prov)}.")
    return prov

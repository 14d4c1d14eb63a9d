"""One story per series: the change-point search, the shape test and the comparison together.

The three answer different questions and can seem to disagree: a negative-binomial
search for *step* changes may find none while the shape test rejects a single rise and
fall (a gradual decline and rebound is not a step), and a search may find steps that a
single rise and fall explains. :func:`reconcile` says, in one sentence each, what the
three results say together. :func:`group_identical_series` collapses readings that give
the same series, and :func:`verdict_sensitivity` says how each verdict depends on each
choice a reading makes. Nothing here computes a statistic: the functions read results.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["group_identical_series", "reconcile", "verdict_sensitivity"]


def _has_resurgence_shape(definition: Any) -> bool:
    dirs = getattr(definition, "expected_directions", lambda: None)()
    if not dirs:
        return False
    text = "".join("d" if d == "down" else "u" for d in dirs)
    return "du" in text


def reconcile(
    *,
    n_changes: int | None = None,
    family: str = "poisson",
    resurgence_rejects: bool | None = None,
    best_definition: Any = None,
    best_probability: float | None = None,
    change_p_value: float | None = None,
    level: float = 0.05,
) -> str:
    """Sentences that put the three results side by side, reconciling disagreements.

    Parameters
    ----------
    n_changes : int, optional
        Changes found by the change-point search (``None``: not run).
    family : str
        Family of the search and the test.
    resurgence_rejects : bool, optional
        Whether the resurgence test rejects a single rise and fall (``None``: not run).
    best_definition : WaveDefinition or str, optional
        The definition with the highest posterior probability.
    best_probability : float, optional
        Its posterior probability.
    change_p_value : float, optional
        p-value of the bootstrap test of at least one change
        (:func:`lifecycle.changepoints.test_change`), when it was run beside the search.
    level : float
        Significance level the tests are read at.

    Examples
    --------
    >>> reconcile(n_changes=0, family="negbin", resurgence_rejects=True)[:60]
    'The negbin search finds no step change, but the shape test r'
    """
    out = []
    if n_changes is not None and change_p_value is not None:
        out.extend(_criterion_and_test(n_changes, family, change_p_value, level))
    if n_changes is not None and resurgence_rejects is not None:
        if n_changes == 0 and resurgence_rejects:
            out.append(
                f"The {family} search finds no step change, but the shape test rejects a "
                "single rise and fall: the rate declines and rebounds gradually, which steps "
                "describe poorly (a step needs an abrupt change; the shape test does not)."
            )
        elif n_changes > 0 and not resurgence_rejects:
            out.append(
                f"The {family} search finds {n_changes} step change(s), but the shape test does "
                "not reject a single rise and fall: the changes fit one rise and fall."
            )
        elif n_changes == 0:
            out.append(
                f"The {family} search finds no step change and the shape test does not reject "
                "a single rise and fall: nothing in the series asks for more than one level."
            )
        else:
            out.append(
                f"The {family} search finds {n_changes} step change(s) and the shape test "
                "rejects a single rise and fall: both point to a decline and a rebound."
            )
    if best_definition is not None and resurgence_rejects is not None:
        name = getattr(best_definition, "name", str(best_definition))
        prob = (
            "" if best_probability is None else f" (posterior probability {best_probability:.2f})"
        )
        wave = _has_resurgence_shape(best_definition)
        if wave and not resurgence_rejects:
            out.append(
                f"The comparison prefers '{name}'{prob}, whose phases decline and rise again, "
                "while the shape test does not reject a single rise and fall: the data favour "
                "the division into phases more than they demonstrate a second rise."
            )
        elif not wave and resurgence_rejects:
            out.append(
                f"The comparison prefers '{name}'{prob}, which has no resurgence phase, while "
                "the shape test rejects a single rise and fall: none of the definitions "
                "compared places the rebound where the data put it."
            )
        else:
            out.append(f"The comparison prefers '{name}'{prob}, in line with the shape test.")
    return " ".join(out)


def _criterion_and_test(n_changes: int, family: str, p: float, level: float) -> list[str]:
    """The sentence when the search's criterion and the test of a change disagree."""
    rejects = p <= level
    if n_changes > 0 and not rejects:
        why = (
            "changes that go up and come back down are poorly matched by the test's single "
            "step, and its dispersion, estimated under no change, absorbs them; "
            f"changepoints.test_change(max_changes={n_changes}) tests that many"
            if n_changes > 1
            else "the criterion's penalty is lighter than a test at that level"
        )
        return [
            f"The {family} search selects {n_changes} change(s) by its criterion, but the "
            f"bootstrap test of one change against none does not reject (p = {p:.3g} > "
            f"{level:g}): {why}. Treat the changes as candidates, not established."
        ]
    if n_changes == 0 and rejects:
        return [
            f"The {family} search selects no change by its criterion, but the bootstrap test "
            f"of at least one change rejects no change (p = {p:.3g} <= {level:g}): a single "
            "change does not pay the criterion's penalty, yet the series is not one level."
        ]
    return []


def group_identical_series(series: Sequence[tuple[str, Any]]) -> pd.DataFrame:
    """Readings that give the same series, collapsed to one row each.

    Parameters
    ----------
    series : sequence of (reading id, CountSeries or DataFrame)
        A series, or its frame (:meth:`CountSeries.to_frame`, rows as the series gives
        them).

    Returns
    -------
    pandas.DataFrame
        ``group, n_readings, reading_ids`` (ids joined by ``"; "``), first-seen order.
    """
    groups: dict[str, list[str]] = {}
    for rid, s in series:
        frame = s if isinstance(s, pd.DataFrame) else s.to_frame()
        key = frame.drop(columns=["provenance"], errors="ignore").to_csv(index=False)
        groups.setdefault(key, []).append(str(rid))
    return pd.DataFrame(
        [
            {"group": i + 1, "n_readings": len(ids), "reading_ids": "; ".join(ids)}
            for i, ids in enumerate(groups.values())
        ],
        columns=["group", "n_readings", "reading_ids"],
    )


def verdict_sensitivity(per_reading: pd.DataFrame, choices: Sequence[str]) -> pd.DataFrame:
    """How each verdict depends on each choice of the readings: a small table.

    Parameters
    ----------
    per_reading : pandas.DataFrame
        One row per reading with a ``verdict`` column and the choice columns.
    choices : sequence of str
        Columns naming the readings' choices (policy, conflict rule, placement, …).

    Returns
    -------
    pandas.DataFrame
        ``choice, value, n_readings`` and one column per verdict (counts).
    """
    rows = []
    verdicts = sorted(per_reading["verdict"].unique())
    for c in choices:
        for value, g in per_reading.groupby(c, sort=True):
            counts = g["verdict"].value_counts()
            rows.append(
                {
                    "choice": c,
                    "value": value,
                    "n_readings": len(g),
                    **{v: int(counts.get(v, 0)) for v in verdicts},
                }
            )
    return pd.DataFrame(rows, columns=["choice", "value", "n_readings", *verdicts])

"""Every dated statement of the evidence in one table (:func:`dated_statements`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from lifecycle.evidence.compare import text
from lifecycle.evidence.loading import Evidence, load_evidence

__all__ = ["dated_statements"]

_COLUMNS = ["table", "id", "source_id", "key", "what", "start", "end", "quote"]


def _year(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


def _records(ev: Evidence) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []

    def add(table: str, r: Any, key: str, what: str, start: str, end: str) -> None:
        if start or end:
            out.append(
                {
                    "table": table,
                    "id": str(r["id"]),
                    "source_id": str(r["source_id"]),
                    "key": key,
                    "what": what,
                    "start": start,
                    "end": end,
                    "quote": str(r["quote"]),
                }
            )

    for _, r in ev.quantities.iterrows():
        what = f"{r['measure']} ({r['region']})"
        add(
            "quantities",
            r,
            text(r["fact_key"]),
            what,
            text(r["period_start"]),
            text(r["period_end"]),
        )
    for _, r in ev.events.iterrows():
        add(
            "events",
            r,
            text(r["event_key"]),
            str(r["event_type"]),
            text(r["date"]),
            text(r["date"]),
        )
    for _, r in ev.waves.iterrows():
        what = f"{r['definition']}: {r['phase']}"
        add("waves", r, text(r["definition"]), what, _year(r["start_year"]), _year(r["end_year"]))
    for _, r in ev.milestones.iterrows():
        add(
            "milestones",
            r,
            text(r["milestone_key"]),
            str(r["kind"]),
            text(r["start"]),
            text(r["end"]),
        )
    return out


def dated_statements(evidence: Evidence | None = None) -> pd.DataFrame:
    """Every row of the evidence that states a date or a period, in time order.

    A row counts when it gives at least one date: a period bound (quantities), a date
    (events), a start or end year (waves) or a start or end (milestones). Rows whose text
    gives no date (an undated figure, "At the time of formation") are left out.

    Parameters
    ----------
    evidence : Evidence, optional
        Default :func:`load_evidence`.

    Returns
    -------
    pandas.DataFrame
        ``table``, ``id``, ``source_id``, ``key`` (fact, event, definition or milestone
        key), ``what``, ``start``, ``end`` (as written in the table: ``YYYY``,
        ``YYYY-MM`` or ``YYYY-MM-DD``, empty when open) and ``quote``; sorted by the
        first date given, then id.

    Examples
    --------
    >>> dated_statements().groupby("source_id").size()  # doctest: +SKIP
    """
    ev = evidence if evidence is not None else load_evidence()
    out = pd.DataFrame(_records(ev), columns=_COLUMNS)
    first = out["start"].where(out["start"] != "", out["end"])
    out = out.assign(_first=first).sort_values(["_first", "id"]).drop(columns="_first")
    return out.reset_index(drop=True).astype("string")

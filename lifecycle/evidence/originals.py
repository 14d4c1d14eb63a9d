"""Repeats of one original source collapsed into one observation (:func:`originals`)."""

from __future__ import annotations

import itertools

import pandas as pd

from lifecycle._core.errors import EvidenceError
from lifecycle.evidence.compare import (
    EVENT_COUNTS,
    number_reading,
    periods_differ,
    text,
    values_differ,
)
from lifecycle.evidence.dates import compatible_dates
from lifecycle.evidence.loading import load_events, load_quantities
from lifecycle.evidence.provenance import _table_kind

__all__ = ["originals"]


def originals(table: str | pd.DataFrame = "quantities") -> pd.DataFrame:
    """Collapse repeats of one original into one observation.

    Rows with the same key (``fact_key`` or ``event_key``) and the same effective
    original (``original`` if given, else the row's own ``source_id``: the document is
    then the original) are one observation: a document that repeats a figure of another
    document adds no independent evidence. The observation is represented by the row
    of the original document itself when it is one of the sources, else by its first
    row.

    Parameters
    ----------
    table : {"quantities", "events"} or DataFrame
        The table, by name (loaded from :func:`~lifecycle.evidence.paths.data_dir`) or
        as loaded by :func:`load_quantities` / :func:`load_events`.

    Returns
    -------
    pandas.DataFrame
        The representative rows, with added columns ``effective_original``,
        ``n_merged``, ``merged_ids`` and ``merged_sources`` (``;``-separated),
        ``values_agree`` and ``differs``. ``values_agree`` is true only when the merged
        rows state the same thing: for quantities the same ``measure``, the same period
        *as written* (an open bound differs from a dated one: "since January 2017" is
        not "by January 2017") and identical numbers (about/nearly/roughly count as one
        qualifier; numbers are compared within a region, so a breakdown by country does
        not disagree with its total); for events compatible dates and equal tolls where
        both rows state one. ``differs`` names what differs (``"measure;period_end"``),
        empty when they agree.
    """
    frame = _frame(table)
    kind = _table_kind(frame)
    if kind not in ("quantities", "events"):
        raise EvidenceError(f"originals expects the quantities or events table; got {kind}.")
    key = "fact_key" if kind == "quantities" else "event_key"
    work = frame.copy()
    work["effective_original"] = [
        text(o) or text(s) for o, s in zip(work["original"], work["source_id"], strict=True)
    ]
    work["effective_original"] = work["effective_original"].astype("string")
    reps: list[pd.Series] = []
    for (_k, orig), group in work.groupby([key, "effective_original"], sort=True, observed=True):
        own = group[group["source_id"].astype(str) == str(orig)]
        rep = (own if not own.empty else group).iloc[0].copy()
        rep["n_merged"] = len(group)
        rep["merged_ids"] = ";".join(group["id"].astype(str))
        rep["merged_sources"] = ";".join(dict.fromkeys(group["source_id"].astype(str)))
        differs = _differs(kind, group)
        rep["values_agree"] = not differs
        rep["differs"] = ";".join(differs)
        reps.append(rep)
    out = pd.DataFrame(reps).reset_index(drop=True)
    if out.empty:
        out = work.iloc[0:0].assign(
            n_merged=0, merged_ids="", merged_sources="", values_agree=True, differs=""
        )
    for col in frame.columns:
        out[col] = out[col].astype(frame[col].dtype)
    out["n_merged"] = out["n_merged"].astype("Int64")
    for col in ("merged_ids", "merged_sources", "differs"):
        out[col] = out[col].astype("string")
    out["values_agree"] = out["values_agree"].astype("boolean")
    return out


def _frame(table: str | pd.DataFrame) -> pd.DataFrame:
    if not isinstance(table, str):
        return table
    if table == "quantities":
        return load_quantities()
    if table == "events":
        return load_events()
    raise EvidenceError(f"originals expects 'quantities', 'events' or a DataFrame; got {table!r}.")


def _differs(kind: str, group: pd.DataFrame) -> list[str]:
    """What the rows of one merged observation disagree on (empty: they agree)."""
    out: dict[str, None] = {}
    rows = [r for _, r in group.iterrows()]
    for a, b in itertools.combinations(rows, 2):
        if kind == "quantities":
            if str(a["measure"]) != str(b["measure"]):
                out["measure"] = None
            out.update(dict.fromkeys(periods_differ(a, b, exact=True)))
            if a["region"] == b["region"] and values_differ(a, b):
                out["value"] = None
            continue
        da, db = text(a["date"]), text(b["date"])
        if da and db and not compatible_dates(da, db):
            out["date"] = None
        for spec in EVENT_COUNTS:
            ra, rb = number_reading(a, *spec), number_reading(b, *spec)
            if ra is not None and rb is not None and ra != rb:
                out[spec[0]] = None
    return list(out)

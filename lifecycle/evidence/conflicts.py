"""Disagreements between documents (:func:`conflicts`) and repeats of one original."""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd

from lifecycle._core.errors import EvidenceError
from lifecycle.evidence.dates import compatible_dates as _compatible_dates
from lifecycle.evidence.loading import Evidence, load_events, load_evidence, load_quantities
from lifecycle.evidence.provenance import _fmt, _table_kind
from lifecycle.evidence.schema import _APPROX_QUALIFIERS, _EVENT_COUNTS, _RANGE_QUALIFIERS

__all__ = ["conflicts", "originals"]

# --------------------------------------------------------------------------- conflicts


def _reading(
    row: pd.Series, number: str, qualifier: str, low: str | None, high: str | None
) -> tuple[Any, ...] | None:
    """A comparable reading of a qualified number, or None when nothing is stated."""
    q = row.get(qualifier)
    q = None if pd.isna(q) else str(q)
    n = row.get(number)
    lo = row.get(low) if low else None
    hi = row.get(high) if high else None
    vals = tuple(None if v is None or pd.isna(v) else float(v) for v in (n, lo, hi))
    if q is None and all(v is None for v in vals):
        return None
    klass = "approx" if q in _APPROX_QUALIFIERS else q
    return (klass, *vals)


def _render(row: pd.Series, number: str, qualifier: str, low: str | None, high: str | None) -> str:
    q = row.get(qualifier)
    q = "" if pd.isna(q) else str(q)
    n = row.get(number)
    if q in _RANGE_QUALIFIERS:
        return f"{q} {_fmt(row.get(low))}-{_fmt(row.get(high))}"
    if n is None or pd.isna(n):
        return q
    return f"{_fmt(n)}" if q in ("", "exact") else f"{q} {_fmt(n)}"


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def conflicts(evidence: Evidence | None = None) -> pd.DataFrame:
    """List the facts and events on which the documents (or one document) disagree.

    Quantities sharing a ``fact_key`` are compared on ``value`` (rows of the
    same ``region`` only: a breakdown by country is not a disagreement),
    ``measure``, ``period_start`` and ``period_end`` (only when both rows give
    the bound; partial dates conflict only if they cannot denote the same
    day). Events sharing an ``event_key`` are compared on ``date``, ``killed``,
    ``wounded`` and ``casualties`` when both rows state them. Approximate
    qualifiers (about, nearly, roughly) count as one; "13" and "more than 13"
    disagree.

    Parameters
    ----------
    evidence : Evidence, optional
        Default :func:`load_evidence`.

    Returns
    -------
    pandas.DataFrame
        One row per disagreeing pair: ``table``, ``key``, ``field``, ``id_a``,
        ``source_id_a``, ``value_a``, ``quote_a``, ``context_quote_a``, then the
        same for ``b``, and ``same_source``.
    """
    ev = evidence if evidence is not None else load_evidence()
    records: list[dict[str, Any]] = []

    def add(table: str, key: str, field: str, a: pd.Series, va: str, b: pd.Series, vb: str) -> None:
        records.append(
            {
                "table": table,
                "key": key,
                "field": field,
                "id_a": a["id"],
                "source_id_a": a["source_id"],
                "value_a": va,
                "quote_a": a["quote"],
                "context_quote_a": _text(a["context_quote"]),
                "id_b": b["id"],
                "source_id_b": b["source_id"],
                "value_b": vb,
                "quote_b": b["quote"],
                "context_quote_b": _text(b["context_quote"]),
                "same_source": a["source_id"] == b["source_id"],
            }
        )

    q = ev.quantities
    for key, group in q.groupby("fact_key", sort=True, observed=True):
        rows = [r for _, r in group.iterrows()]
        for a, b in itertools.combinations(rows, 2):
            if a["region"] == b["region"]:
                ra = _reading(a, "value", "qualifier", "low", "high")
                rb = _reading(b, "value", "qualifier", "low", "high")
                if ra is not None and rb is not None and ra != rb:
                    add(
                        "quantities",
                        str(key),
                        "value",
                        a,
                        _render(a, "value", "qualifier", "low", "high"),
                        b,
                        _render(b, "value", "qualifier", "low", "high"),
                    )
            if str(a["measure"]) != str(b["measure"]):
                add("quantities", str(key), "measure", a, str(a["measure"]), b, str(b["measure"]))
            for col in ("period_start", "period_end"):
                da, db = _text(a[col]), _text(b[col])
                if da and db and not _compatible_dates(da, db):
                    add("quantities", str(key), col, a, da, b, db)

    e = ev.events
    for key, group in e.groupby("event_key", sort=True, observed=True):
        rows = [r for _, r in group.iterrows()]
        for a, b in itertools.combinations(rows, 2):
            da, db = _text(a["date"]), _text(b["date"])
            if da and db and not _compatible_dates(da, db):
                add("events", str(key), "date", a, da, b, db)
            for ncol, qcol, lcol, hcol in _EVENT_COUNTS:
                ra = _reading(a, ncol, qcol, lcol, hcol)
                rb = _reading(b, ncol, qcol, lcol, hcol)
                if ra is not None and rb is not None and ra != rb:
                    add(
                        "events",
                        str(key),
                        ncol,
                        a,
                        _render(a, ncol, qcol, lcol, hcol),
                        b,
                        _render(b, ncol, qcol, lcol, hcol),
                    )

    columns = [
        "table",
        "key",
        "field",
        "id_a",
        "source_id_a",
        "value_a",
        "quote_a",
        "context_quote_a",
        "id_b",
        "source_id_b",
        "value_b",
        "quote_b",
        "context_quote_b",
        "same_source",
    ]
    out = pd.DataFrame.from_records(records, columns=columns)
    for col in columns[:-1]:
        out[col] = out[col].astype("string")
    out["same_source"] = out["same_source"].astype("boolean")
    return out


# --------------------------------------------------------------------------- originals


def originals(table: str | pd.DataFrame = "quantities") -> pd.DataFrame:
    """Collapse repeats of one original into one observation.

    Rows with the same key (``fact_key`` or ``event_key``) and the same
    effective original (``original`` if given, else the row's own
    ``source_id``: the document is then the original) are one observation:
    a document that repeats a figure of another document adds no independent
    evidence. The observation is represented by the row of the original
    document itself when it is one of the sources, else by its first row.

    Parameters
    ----------
    table : {"quantities", "events"} or DataFrame
        The table, by name (loaded from :func:`data_dir`) or as loaded by
        :func:`load_quantities` / :func:`load_events`.

    Returns
    -------
    pandas.DataFrame
        The representative rows, with added columns ``effective_original``,
        ``n_merged``, ``merged_ids`` and ``merged_sources`` (``;``-separated)
        and ``values_agree``: whether the merged rows state identical numbers
        (as in :func:`conflicts`: about/nearly/roughly count as one qualifier;
        quantities are compared within a region, so a breakdown by country does
        not disagree with its total; events on compatible dates and on tolls
        both rows state).
    """
    if isinstance(table, str):
        if table == "quantities":
            frame = load_quantities()
        elif table == "events":
            frame = load_events()
        else:
            raise EvidenceError(
                f"originals expects 'quantities', 'events' or a DataFrame; got {table!r}."
            )
    else:
        frame = table
    kind = _table_kind(frame)
    if kind not in ("quantities", "events"):
        raise EvidenceError(f"originals expects the quantities or events table; got {kind}.")
    key = "fact_key" if kind == "quantities" else "event_key"
    work = frame.copy()
    work["effective_original"] = [
        _text(o) or _text(s) for o, s in zip(work["original"], work["source_id"], strict=True)
    ]
    work["effective_original"] = work["effective_original"].astype("string")
    reps: list[pd.Series] = []
    for (_k, orig), group in work.groupby([key, "effective_original"], sort=True, observed=True):
        own = group[group["source_id"].astype(str) == str(orig)]
        rep = (own if not own.empty else group).iloc[0].copy()
        rep["n_merged"] = len(group)
        rep["merged_ids"] = ";".join(group["id"].astype(str))
        rep["merged_sources"] = ";".join(dict.fromkeys(group["source_id"].astype(str)))
        rep["values_agree"] = _agree(kind, group)
        reps.append(rep)
    out = pd.DataFrame(reps).reset_index(drop=True)
    if out.empty:
        out = work.iloc[0:0].assign(n_merged=0, merged_ids="", merged_sources="", values_agree=True)
    for col in frame.columns:
        out[col] = out[col].astype(frame[col].dtype)
    out["n_merged"] = out["n_merged"].astype("Int64")
    for col in ("merged_ids", "merged_sources"):
        out[col] = out[col].astype("string")
    out["values_agree"] = out["values_agree"].astype("boolean")
    return out


def _agree(kind: str, group: pd.DataFrame) -> bool:
    rows = [r for _, r in group.iterrows()]
    for a, b in itertools.combinations(rows, 2):
        if kind == "quantities":
            if a["region"] != b["region"]:
                continue
            ra = _reading(a, "value", "qualifier", "low", "high")
            rb = _reading(b, "value", "qualifier", "low", "high")
            if ra != rb:
                return False
        else:
            da, db = _text(a["date"]), _text(b["date"])
            if da and db and not _compatible_dates(da, db):
                return False
            for ncol, qcol, lcol, hcol in _EVENT_COUNTS:
                ra = _reading(a, ncol, qcol, lcol, hcol)
                rb = _reading(b, ncol, qcol, lcol, hcol)
                if ra is not None and rb is not None and ra != rb:
                    return False
    return True

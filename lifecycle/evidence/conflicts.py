"""Disagreements between documents, and within one document (:func:`conflicts`).

Four kinds of disagreement are found:

``fact``
    quantities sharing a ``fact_key`` that differ in value, measure or period;
``subject``
    quantities under *different* ``fact_key`` s with the same ``subject`` (the same thing
    stated as different facts, e.g. the UN 2023 strength as 1,000–3,000 fighters in one
    document and 4,000–6,000 people in another);
``event``
    events sharing an ``event_key`` that differ in date or toll;
``timing``
    dated statements of the same thing — wave phases and emergence statements
    (``waves.csv``, column ``timing_key``) and milestones (``milestones.csv``,
    ``milestone_key``) — whose dates cannot denote the same day (formation in 2014,
    2015 or 2017; a resurgence from May 2020 or from late 2020).

:func:`conflicts` gives one row per disagreeing pair; :func:`conflict_versions` gives,
for each disagreement, every version the documents state with its quote.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lifecycle.evidence.compare import (
    EVENT_COUNTS,
    number_reading,
    periods_differ,
    render_number,
    text,
    text_bounds,
    values_differ,
)
from lifecycle.evidence.dates import compatible_dates, date_bounds
from lifecycle.evidence.loading import Evidence, load_evidence

__all__ = ["CONFLICT_KINDS", "conflict_versions", "conflicts"]

#: The kinds of disagreement :func:`conflicts` finds.
CONFLICT_KINDS: dict[str, str] = {
    "fact": "rows of one fact_key differ in value, measure or period",
    "subject": "rows of different fact_keys with one subject differ",
    "event": "rows of one event_key differ in date or toll",
    "timing": "dated statements of one thing (waves, milestones) give dates that "
    "cannot denote the same day",
}

_PAIR_COLUMNS = [
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
    "kind",
    "conflict_id",
]
_VERSION_COLUMNS = [
    "conflict_id",
    "kind",
    "table",
    "key",
    "field",
    "id",
    "source_id",
    "value",
    "quote",
    "context_quote",
]


@dataclass
class _Found:
    """Pairs and versions collected while comparing."""

    pairs: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def group(
        self,
        kind: str,
        table: str,
        key: str,
        fld: str,
        rows: list[tuple[pd.Series, str]],
        differ: Callable[[pd.Series, pd.Series], bool],
    ) -> None:
        """Compare every pair of ``rows`` (row, value as text); record what differs."""
        cid = f"{kind}:{key}:{fld}"
        hit = False
        for (a, va), (b, vb) in itertools.combinations(rows, 2):
            if not differ(a, b):
                continue
            hit = True
            self.pairs.append(
                {
                    "table": table,
                    "key": key,
                    "field": fld,
                    **_side(a, va, "a"),
                    **_side(b, vb, "b"),
                    "same_source": a["source_id"] == b["source_id"],
                    "kind": kind,
                    "conflict_id": cid,
                }
            )
        if hit:
            seen = self.versions.setdefault(cid, {})
            for r, v in rows:
                seen.setdefault(
                    str(r["id"]),
                    {
                        "conflict_id": cid,
                        "kind": kind,
                        "table": table,
                        "key": key,
                        "field": fld,
                        "id": r["id"],
                        "source_id": r["source_id"],
                        "value": v,
                        "quote": r["quote"],
                        "context_quote": text(r["context_quote"]),
                    },
                )


def _side(row: pd.Series, value: str, s: str) -> dict[str, Any]:
    return {
        f"id_{s}": row["id"],
        f"source_id_{s}": row["source_id"],
        f"value_{s}": value,
        f"quote_{s}": row["quote"],
        f"context_quote_{s}": text(row["context_quote"]),
    }


def _rows(frame: pd.DataFrame) -> list[pd.Series]:
    return [r for _, r in frame.iterrows()]


def _quantity_fields(
    found: _Found, kind: str, key: str, rows: list[pd.Series], *, region: Callable
) -> None:
    """Compare a group of quantities rows on value, measure and period bounds."""

    def value_text(r: pd.Series) -> str:
        return render_number(r, "value", "qualifier", "low", "high")

    stated = [(r, value_text(r)) for r in rows if number_reading(r, *_Q_NUMBER) is not None]
    found.group(
        kind, "quantities", key, "value", stated, lambda a, b: region(a, b) and values_differ(a, b)
    )
    found.group(
        kind,
        "quantities",
        key,
        "measure",
        [(r, str(r["measure"])) for r in rows],
        lambda a, b: str(a["measure"]) != str(b["measure"]),
    )
    for col in ("period_start", "period_end"):
        found.group(
            kind,
            "quantities",
            key,
            col,
            [(r, text(r[col])) for r in rows if text(r[col])],
            lambda a, b, c=col: not _alternatives(a, b) and c in periods_differ(a, b, exact=False),
        )


_Q_NUMBER = ("value", "qualifier", "low", "high")


def _same_region(a: pd.Series, b: pd.Series) -> bool:
    return a["region"] == b["region"]


def _near_region(a: pd.Series, b: pd.Series) -> bool:
    """Regions that may describe the same thing (equal, or one not stated)."""
    return a["region"] == b["region"] or "unspecified" in (str(a["region"]), str(b["region"]))


def _alternatives(a: pd.Series, b: pd.Series) -> bool:
    """Two readings of one statement's period (not a disagreement between documents)."""
    ra, rb = text(a.get("period_reading")), text(b.get("period_reading"))
    return bool(ra and rb and ra != rb and a["source_id"] == b["source_id"])


def _quantities(found: _Found, q: pd.DataFrame) -> None:
    for key, group in q.groupby("fact_key", sort=True, observed=True):
        _quantity_fields(found, "fact", str(key), _rows(group), region=_same_region)
    if "subject" not in q.columns:
        return
    subject = q["subject"].fillna(q["fact_key"].astype("string")).astype(str)
    for key, group in q.groupby(subject, sort=True):
        if group["fact_key"].nunique() < 2:
            continue
        rows = _rows(group)

        def other_fact(a: pd.Series, b: pd.Series) -> bool:
            return str(a["fact_key"]) != str(b["fact_key"])

        sub = _Found()
        _quantity_fields(sub, "subject", str(key), rows, region=_near_region)
        kept = [p for p in sub.pairs if other_fact(*_pair_rows(p, group))]
        _merge_subject(found, sub, kept)


def _pair_rows(pair: dict[str, Any], group: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    by_id = group.set_index("id", drop=False)
    return by_id.loc[pair["id_a"]], by_id.loc[pair["id_b"]]


def _merge_subject(found: _Found, sub: _Found, kept: list[dict[str, Any]]) -> None:
    """Keep subject disagreements across fact_keys (within one, they are facts')."""
    found.pairs.extend(kept)
    for cid in dict.fromkeys(p["conflict_id"] for p in kept):
        found.versions[cid] = sub.versions[cid]


def _events(found: _Found, e: pd.DataFrame) -> None:
    for key, group in e.groupby("event_key", sort=True, observed=True):
        rows = _rows(group)
        found.group(
            "event",
            "events",
            str(key),
            "date",
            [(r, text(r["date"])) for r in rows if text(r["date"])],
            lambda a, b: not compatible_dates(text(a["date"]), text(b["date"])),
        )
        for ncol, qcol, lcol, hcol in EVENT_COUNTS:
            spec = (ncol, qcol, lcol, hcol)
            stated = [
                (r, render_number(r, *spec)) for r in rows if number_reading(r, *spec) is not None
            ]
            found.group(
                "event",
                "events",
                str(key),
                ncol,
                stated,
                lambda a, b, sp=spec: number_reading(a, *sp) != number_reading(b, *sp),
            )


def _when(row: pd.Series) -> tuple[str, Any] | None:
    """What a timing statement says (as written) and the days it can denote."""
    if "milestone_key" in row.index:
        for col in ("start", "end"):
            written = text(row[col])
            if written:
                shown = text(row["date_text"]) or written
                return f"{shown} ({col} {written})", date_bounds(written)
        return None
    for col, year_col in (("start_text", "start_year"), ("end_text", "end_year")):
        written = text(row[col])
        bounds = text_bounds(written) if written else None
        if bounds is None and text(row[year_col]):
            bounds = date_bounds(text(row[year_col]))
        if bounds is not None:
            return f"{written or text(row[year_col])} ({col})", bounds
    return None


def _timing(found: _Found, ev: Evidence) -> None:
    statements: list[tuple[str, str, pd.Series]] = []
    if "timing_key" in ev.waves.columns:
        for r in _rows(ev.waves):
            if text(r["timing_key"]):
                statements.append((text(r["timing_key"]), "waves", r))
    for r in _rows(ev.milestones):
        statements.append((text(r["milestone_key"]), "milestones", r))
    keys: dict[str, list[tuple[str, pd.Series]]] = {}
    for key, table, r in statements:
        keys.setdefault(key, []).append((table, r))
    for key in sorted(keys):
        dated = [(t, r, w) for t, r in keys[key] if (w := _when(r)) is not None]
        if len(dated) < 2:
            continue
        tables = {t for t, _, _ in dated}
        table = tables.pop() if len(tables) == 1 else "waves;milestones"
        bounds = {str(r["id"]): w[1] for _, r, w in dated}

        def apart(a: pd.Series, b: pd.Series, bd: dict = bounds) -> bool:
            x, y = bd[str(a["id"])], bd[str(b["id"])]
            return not (x[0] <= y[1] and y[0] <= x[1])

        found.group("timing", table, key, "date", [(r, w[0]) for _, r, w in dated], apart)


def _collect(evidence: Evidence | None) -> _Found:
    ev = evidence if evidence is not None else load_evidence()
    found = _Found()
    _quantities(found, ev.quantities)
    _events(found, ev.events)
    _timing(found, ev)
    return found


def _string_frame(records: Iterable[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame.from_records(list(records), columns=columns)
    for col in columns:
        if col != "same_source":
            out[col] = out[col].astype("string")
    if "same_source" in out.columns:
        out["same_source"] = out["same_source"].astype("boolean")
    return out


def conflicts(evidence: Evidence | None = None) -> pd.DataFrame:
    """List the disagreements between documents (or within one document), pair by pair.

    Quantities sharing a ``fact_key`` are compared on ``value`` (rows of the same
    ``region`` only: a breakdown by country is not a disagreement), ``measure``,
    ``period_start`` and ``period_end`` (only when both rows give the bound; partial
    dates conflict only if they cannot denote the same day). Quantities under
    different ``fact_key`` s with one ``subject`` are compared the same way, values
    also when one region is ``unspecified``. Events sharing an ``event_key`` are
    compared on ``date``, ``killed``, ``wounded`` and ``casualties`` when both rows
    state them. Timing statements (wave rows with a ``timing_key``, milestones) of one
    key are compared on the first date they give (the start, else the end), read from
    the text as written ("late 2020" is September–December 2020). Approximate
    qualifiers (about, nearly, roughly) count as one; "13" and "more than 13" disagree.

    Parameters
    ----------
    evidence : Evidence, optional
        Default :func:`load_evidence`.

    Returns
    -------
    pandas.DataFrame
        One row per disagreeing pair: ``table``, ``key``, ``field``, ``id_a``,
        ``source_id_a``, ``value_a``, ``quote_a``, ``context_quote_a``, then the same for
        ``b``, ``same_source``, ``kind`` (a key of :data:`CONFLICT_KINDS`) and
        ``conflict_id`` (``kind:key:field``; every version of it is listed by
        :func:`conflict_versions`).
    """
    return _string_frame(_collect(evidence).pairs, _PAIR_COLUMNS)


def conflict_versions(evidence: Evidence | None = None) -> pd.DataFrame:
    """Every version of every disagreement, each with its quote.

    A disagreement (one ``conflict_id`` of :func:`conflicts`) lists every row of its
    group that states the field — also rows that agree with some of the others — so
    that all the documents' versions are seen together.

    Returns
    -------
    pandas.DataFrame
        ``conflict_id``, ``kind``, ``table``, ``key``, ``field``, ``id``, ``source_id``,
        ``value`` (as the row states it), ``quote``, ``context_quote``.
    """
    found = _collect(evidence)
    records = [v for cid in found.versions for v in found.versions[cid].values()]
    return _string_frame(records, _VERSION_COLUMNS)

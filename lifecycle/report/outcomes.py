"""Readings collapsed to their outcomes, and how each outcome depends on each choice.

An indicator of the documents' evidence is analysed under every admissible reading
(:mod:`lifecycle.evidence.readings`): many readings differ in one choice only and give the
same answer. Here, per indicator:

* :func:`reading_outcomes` — one row per reading: its choices (qualifier policy, conflict
  rule, open start, placement of undated figures, period readings), which readings give
  the very same series (:func:`lifecycle.inference.group_identical_series`), and its
  outcome: the definition with the highest posterior probability, whether the resurgence
  test rejects a single rise and fall, whether a change of level is found, and the
  verdict of :func:`lifecycle.inference.verdicts.reading_verdict`;
* :func:`collapsed_outcomes` — readings with the same outcome as one row, with the choices
  they cover;
* :func:`choice_sensitivity` — for each choice that varies and each of its values, how many
  readings give each verdict and which definition is best
  (:func:`lifecycle.inference.verdict_sensitivity`).

Nothing here computes a statistic: the functions read the analysis' tables.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lifecycle.report.analysis import Analysis

__all__ = ["CHOICES", "choice_sensitivity", "collapsed_outcomes", "reading_outcomes"]

#: The choices a reading makes (columns of the readings table), in the order shown.
CHOICES = ("policy", "conflict", "origin", "placements", "periods")
_OUTCOME = ["highest posterior", "resurgence found", "change of level found", "verdict"]


def _readable(name: Any) -> str:
    from lifecycle.plotting.base import readable

    return readable(str(name))


def _yes_no(x: Any) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "not testable"
    return "yes" if bool(x) else "no"


def _choice_text(x: Any) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "none"
    return str(x) or "none"


def _series_groups(analysis: Analysis, ids: list[str]) -> dict[str, int]:
    """Group number of each reading: readings giving the very same series share one."""
    from lifecycle.inference.story import group_identical_series

    frame = analysis.series
    if "reading_id" not in frame.columns:
        return {r: i + 1 for i, r in enumerate(ids)}
    # only this indicator's rows: grouping the whole table per call cost seconds
    frame = frame[frame["reading_id"].isin(ids)]
    frames = {
        rid: g.drop(columns=["reading_id", "indicator"], errors="ignore")
        for rid, g in frame.groupby("reading_id", sort=False)
    }
    groups = group_identical_series([(r, frames[r]) for r in ids if r in frames])
    out = {}
    for g, members in zip(groups["group"], groups["reading_ids"], strict=True):
        for r in members.split("; "):
            out[r] = int(g)
    return out


def reading_outcomes(analysis: Analysis, indicator: str) -> pd.DataFrame:
    """One row per reading of ``indicator``: its choices, series group and outcome.

    Returns
    -------
    pandas.DataFrame
        ``reading_id``, the :data:`CHOICES` columns present in the readings table (the
        period readings as one column per statement, ``period of <statement>``),
        ``series group`` (readings with the same number give the same series),
        ``highest posterior``, ``resurgence found``, ``change of level found``,
        ``verdict``.
    """
    from lifecycle.inference.verdicts import reading_verdict

    readings = analysis.readings[analysis.readings["indicator"] == indicator]
    ids = list(readings["reading_id"])
    comp = analysis.comparison
    comp = comp[(comp["indicator"] == indicator) & (comp["status"] == "ok")]
    best = (
        comp.assign(_pp=-comp["posterior_prob"].astype(float).fillna(-1.0))
        .sort_values(["reading_id", "_pp", "AIC", "definition"])
        .groupby("reading_id", sort=True)["definition"]
        .first()
    )
    t = analysis.tests
    t = t[(t["indicator"] == indicator) & (t["status"] == "ok")]
    res = t[t["test"].str.startswith("resurgence")]
    change = t[t["test"] == "at least one change"]
    rejects = res.groupby("reading_id")["rejects"].agg(lambda x: bool((x == True).any()))  # noqa: E712
    changed = change.groupby("reading_id")["rejects"].agg(lambda x: bool((x == True).any()))  # noqa: E712
    by_reading = dict(list(res.groupby("reading_id", sort=False)))
    verdicts = {}
    for rid in ids:
        g = by_reading.get(rid)
        if g is None or not len(g):
            verdicts[rid] = reading_verdict(None, None)[0]
            continue
        p = g["power_stated"].astype(float)
        verdicts[rid] = reading_verdict(
            bool((g["rejects"] == True).any()),  # noqa: E712
            None if p.isna().any() else float(p.min()),
        )[0]
    groups = _series_groups(analysis, ids)
    out = pd.DataFrame({"reading_id": ids})
    for c in CHOICES:
        if c == "periods" and c in readings.columns:
            for key, values in _period_choices(readings[c]).items():
                out[key] = values
        elif c in readings.columns:
            out[c] = [_choice_text(x) for x in readings[c]]
    out["series group"] = [groups.get(r, 0) for r in ids]
    out["highest posterior"] = [_readable(best.get(r, "none fitted")) for r in ids]
    out["resurgence found"] = [_yes_no(rejects.get(r)) for r in ids]
    out["change of level found"] = [_yes_no(changed.get(r)) for r in ids]
    out["verdict"] = [verdicts[r] for r in ids]
    return out


def _period_choices(periods: pd.Series) -> dict[str, list[str]]:
    """The period readings as one choice per statement (``"period of <statement>"``)."""
    parsed = []
    for text in periods:
        parts = [p.partition(" read as ") for p in _choice_text(text).split("; ")]
        parsed.append({k: v for k, sep, v in parts if sep})
    keys = list(dict.fromkeys(k for d in parsed for k in d))
    return {f"period of {k}": [d.get(k, "none") for d in parsed] for k in keys}


def _choice_columns(per_reading: pd.DataFrame) -> list[str]:
    cols = [c for c in CHOICES if c in per_reading.columns]
    return cols + [c for c in per_reading.columns if c.startswith("period of ")]


def _varying(per_reading: pd.DataFrame) -> list[str]:
    return [c for c in _choice_columns(per_reading) if per_reading[c].nunique() > 1]


def _shared_words(values: list[str]) -> str:
    """The words every value starts with (``"x placed in"`` of ``"x placed in 2015"``)."""
    if len(values) < 2:
        return ""
    words = [v.split(" ") for v in values]
    n = 0
    while all(len(w) > n + 1 and w[n] == words[0][n] for w in words):
        n += 1
    return " ".join(words[0][:n])


def _covered(g: pd.DataFrame, whole: pd.DataFrame, choices: list[str]) -> str:
    """The values of each varying choice a group of readings covers ("any" when all).

    Words every value of the choice shares are written once: ``"placements: 400 placed
    in 2015, 2016"``.
    """
    parts = []
    for c in choices:
        have = list(dict.fromkeys(g[c]))
        if len(have) == whole[c].nunique():
            continue
        head = _shared_words(list(dict.fromkeys(whole[c])))
        cut = len(head) + 1 if head else 0
        parts.append(f"{c}: {head + ' ' if head else ''}" + ", ".join(v[cut:] for v in have))
    return "; ".join(parts) or "any"


def collapsed_outcomes(
    analysis: Analysis, indicator: str, *, per_reading: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The readings of ``indicator`` collapsed to their distinct outcomes.

    One row per outcome (highest posterior, resurgence found, change of level found,
    verdict), most readings first, with the number of readings, of distinct series
    among them, the first reading, and the choices the readings cover (only choices that
    vary over the indicator's readings; a choice whose every value is covered is left
    out, so ``"any"`` means the outcome holds whatever the choices).

    ``per_reading``, if given, is :func:`reading_outcomes` of the same analysis and
    indicator, already computed (the report uses it three times).
    """
    per = reading_outcomes(analysis, indicator) if per_reading is None else per_reading
    if per.empty:
        return pd.DataFrame(columns=[*_OUTCOME, "readings", "distinct series", "choices covered"])
    varying = _varying(per)
    rows = []
    for key, g in per.groupby(_OUTCOME, sort=False):
        rows.append(
            {
                **dict(zip(_OUTCOME, key, strict=True)),
                "readings": len(g),
                "distinct series": g["series group"].nunique(),
                "e.g. reading": g["reading_id"].iloc[0],
                "choices covered": _covered(g, per, varying),
            }
        )
    out = pd.DataFrame(rows).sort_values("readings", ascending=False, kind="stable")
    return out.reset_index(drop=True)


def choice_sensitivity(
    analysis: Analysis, indicator: str, *, per_reading: pd.DataFrame | None = None
) -> pd.DataFrame:
    """How the verdict and the best definition depend on each choice of the readings.

    For each choice that varies over the indicator's readings and each of its values: the
    number of readings, how many give each verdict
    (:func:`lifecycle.inference.verdict_sensitivity`), and the definitions with the highest
    posterior probability in those readings with their counts. ``per_reading`` as in
    :func:`collapsed_outcomes`.
    """
    from lifecycle.inference.story import verdict_sensitivity

    per = reading_outcomes(analysis, indicator) if per_reading is None else per_reading
    varying = _varying(per)
    if per.empty or not varying:
        return pd.DataFrame(columns=["choice", "value", "n_readings"])
    table = verdict_sensitivity(per, varying)
    best = []
    for c, v in zip(table["choice"], table["value"], strict=True):
        counts = per.loc[per[c] == v, "highest posterior"].value_counts()
        best.append(", ".join(f"{d} {k}" for d, k in counts.items()))
    table["highest posterior"] = best
    return table

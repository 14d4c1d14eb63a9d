"""What the report says first and per indicator: short tables and sentences from the analysis.

Nothing here computes a statistic: the functions read the :class:`Analysis` tables and
put them in the shape a reader takes in at a glance — the bottom line in words, the
documents' numbers by year with their evidence ids, the readings collapsed to their
distinct outcomes, the comparison's top rows, and the tests with their power.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lifecycle.report.analysis import Analysis, evidence_rows_used
from lifecycle.report.cells import LEVEL

__all__ = [
    "bottom_line",
    "bottom_line_items",
    "comparison_top",
    "fmt_p",
    "numbers_by_year",
    "test_summary",
    "verdict_table",
]


def _readable(name: Any) -> str:
    from lifecycle.plotting.base import readable

    return readable(str(name))


def fmt_p(p: float, n_boot: int) -> str:
    """A bootstrap p-value as text: ``"≤ 0.001"`` at the floor ``1 / (n_boot + 1)``.

    Examples
    --------
    >>> fmt_p(0.001, 999), fmt_p(0.0423, 999), fmt_p(float("nan"), 999)
    ('≤ 0.001', '0.042', '')
    """
    if p is None or not np.isfinite(p):
        return ""
    floor = 1.0 / (n_boot + 1)
    if p <= floor * (1 + 1e-9):
        return f"≤ {floor:.2g}"
    return f"{p:.2g}" if p < 0.1 else f"{p:.2f}"


def _findings(r: pd.Series) -> str:
    """The tests' findings over an indicator's readings, in a few words."""
    testable = int(r["n_resurgence_testable"])
    parts = []
    if int(r["n_change_testable"]):
        parts.append(
            f"a change of level (emergence or decline) in {int(r['n_change_found'])} of "
            f"{int(r['n_change_testable'])} testable readings"
        )
    else:
        parts.append("too few numbers to test for a change of level")
    if testable == 0:
        parts.append("too few numbers for the resurgence test")
    else:
        parts.append(
            f"a resurgence in {int(r['n_resurgence_rejects'])} of {testable} testable readings"
            + (" (the test has little power here)" if int(r["n_adequate_power"]) < testable else "")
        )
    return "; ".join(parts)


def bottom_line_items(analysis: Analysis) -> list[str]:
    """The bottom line per indicator, one bullet each; indicators with the same verdict
    and the same findings share a bullet (seven "too few numbers" made a run-on
    paragraph that pushed the headline figure off the first screen)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for _, r in analysis.verdicts.iterrows():
        groups.setdefault((str(r["verdict"]), _findings(r)), []).append(f"*{r['indicator']}*")
    return [
        f"{', '.join(names)} — {verdict}: {findings}."
        for (verdict, findings), names in groups.items()
    ]


def bottom_line(analysis: Analysis) -> str:
    """The bottom line's lead: what the numbers can and cannot say (the indicators
    follow as :func:`bottom_line_items`)."""
    v = analysis.verdicts
    counts = v["verdict"].value_counts()
    lead = "**Bottom line.** "
    if analysis.evidence is not None:
        lead += (
            "The documents give ISKP's numbers mostly as multi-year totals, undated or vague "
            "values, not as a yearly series. "
        )
    decided = {k: int(c) for k, c in counts.items() if k != "the evidence cannot decide"}
    undecided = int(counts.get("the evidence cannot decide", 0))
    if undecided == len(v):
        which = (
            "For the one indicator" if len(v) == 1 else f"For every one of the {len(v)} indicators"
        )
        lead += (
            f"{which}, the evidence cannot decide between "
            "emergence → decline → resurgence and a single rise and fall. "
        )
    else:
        lead += (
            "Verdicts: "
            + ", ".join(f"{k} for {c}" for k, c in sorted(decided.items()))
            + (f", the evidence cannot decide for {undecided}" if undecided else "")
            + f" of {len(v)} indicator(s). "
        )
    lead += (
        "Per indicator (readings are the admissible ways to read the documents):"
        if analysis.evidence is not None
        else "Per indicator:"
    )
    return lead


def verdict_table(analysis: Analysis) -> pd.DataFrame:
    """The verdict per indicator with the counts behind it, under readable column names."""
    v = analysis.verdicts
    return pd.DataFrame(
        {
            "indicator": v["indicator"],
            "verdict": v["verdict"],
            "readings": v["n_readings"],
            "change of level found": [
                f"{a} of {b}" if b else "not testable"
                for a, b in zip(v["n_change_found"], v["n_change_testable"], strict=True)
            ],
            "resurgence found": [
                f"{a} of {b}" if b else "not testable"
                for a, b in zip(v["n_resurgence_rejects"], v["n_resurgence_testable"], strict=True)
            ],
            "power ≥ 0.8 in": [
                f"{a} of {b}" if b else ""
                for a, b in zip(v["n_adequate_power"], v["n_resurgence_testable"], strict=True)
            ],
        }
    )


# ---------------------------------------------------------------------- numbers by year
def _value_text(row: pd.Series) -> str:
    from lifecycle.report.document import fmt_value

    q = str(row["qualifier"])
    value, low, high = row["value"], row["low"], row["high"]
    if pd.notna(low) and pd.notna(high):
        text = f"{fmt_value(low)}–{fmt_value(high)}"
    elif pd.notna(value):
        text = fmt_value(value)
    else:
        text = ""
    words = {"nearly": "nearly", "about": "about", "roughly": "roughly", "at_least": "≥"}
    if q in words:
        text = f"{words[q]} {text}"
    elif q == "about_range":
        text = f"about {text}"
    elif q not in ("exact", "range"):
        text = f"{q} {text}".strip()
    return text


def _year(x: Any) -> int | None:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    return int(str(x)[:4])


def numbers_by_year(analysis: Analysis) -> pd.DataFrame:
    """The documents' numbers the report analyses, one row per measure, one column per year.

    Each cell is the number as the document gives it (a range stays a range, "nearly
    100" stays in words) with its evidence id; a number over several years sits in the
    column of its first year with its span written out; numbers with no date are in the
    ``undated`` column. For a user's series, the series' own observations.
    """
    rows: dict[str, dict[Any, list[str]]] = {}
    if analysis.evidence is not None:
        q = analysis.evidence.quantities
        q = q[q["id"].isin(evidence_rows_used(analysis))]
        for _, r in q.sort_values("id").iterrows():
            a, b = _year(r["period_start"]), _year(r["period_end"])
            text = _value_text(r)
            if a is not None and b is not None and a != b:
                col, text = a, f"{text} in {a}–{b}"
            elif a is None and b is not None:
                col, text = b, f"{text} by {r['period_end']}"
            elif a is not None and b is None:
                col, text = a, f"{text} from {r['period_start']}"
            else:
                col = a if a is not None else "undated"
            name = _readable(f"{r['measure']} ({r['region']})")
            rows.setdefault(name, {}).setdefault(col, []).append(f"{text} ({r['id']})")
        _event_rows(analysis, rows)
    else:
        _series_rows(analysis, rows)
    years = sorted({c for cells in rows.values() for c in cells if c != "undated"})
    cols = [*years] + (["undated"] if any("undated" in c for c in rows.values()) else [])
    table = [
        {"measure": name, **{str(c): "; ".join(cells.get(c, [])) for c in cols}}
        for name, cells in rows.items()
    ]
    return pd.DataFrame(table, columns=["measure", *map(str, cols)])


def _series_rows(analysis: Analysis, rows: dict[str, dict[Any, list[str]]], only=None) -> None:
    """Rows of the first reading's series of each indicator (or of ``only`` indicators)."""
    for _, ind in analysis.indicators.iterrows():
        if only is not None and ind["question"] not in only:
            continue
        s = analysis.objects.get(("series", ind["indicator"]))
        if s is None:
            continue
        for i in range(s.n_obs):
            lo, hi = float(s.low[i]), float(s.high[i])
            text = f"{lo:g}" if lo == hi else (f"≥ {lo:g}" if np.isinf(hi) else f"{lo:g}–{hi:g}")
            a, b = int(s.start[i]), int(s.end[i])
            if s.freq == "year":
                col = a
                if a != b:
                    text += f" in {a}–{b}"
            else:
                col = a // 12
            if s.provenance[i]:
                text += f" ({_ids_text(s.provenance[i])})"
            name = _readable(s.measure[i])
            rows.setdefault(name, {}).setdefault(col, []).append(text)


def _ids_text(ids: tuple[str, ...]) -> str:
    return ", ".join(ids) if len(ids) <= 3 else ", ".join(ids[:2]) + f" +{len(ids) - 2} more"


def _event_rows(analysis: Analysis, rows: dict[str, dict[Any, list[str]]]) -> None:
    """The documented attacks and their deaths per year (counted from the events table)."""
    _series_rows(analysis, rows, only=("event_attacks", "event_deaths"))


# ---------------------------------------------------------------------- per indicator
def comparison_top(analysis: Analysis, indicator: str, n: int = 5) -> pd.DataFrame:
    """The definitions that fit best most often (highest posterior probability), with weights."""
    comp = analysis.comparison
    comp = comp[comp["indicator"] == indicator]
    ok = comp[comp["status"] == "ok"]
    if ok.empty:
        return pd.DataFrame()
    pp = ok["posterior_prob"].astype(float) if "posterior_prob" in ok else ok["AIC"] * np.nan
    best = (
        ok.assign(_pp=-pp.fillna(-1.0))
        .sort_values(["reading_id", "_pp", "AIC", "definition"])
        .groupby("reading_id")
        .first()
    )
    n_best = best["definition"].value_counts()
    rows = []
    for d, g in comp.groupby("definition", sort=True):
        fitted = g[g["status"] == "ok"]
        rows.append(
            {
                "definition": _readable(d),
                "fitted in": f"{fitted['reading_id'].nunique()} of {g['reading_id'].nunique()}",
                "highest posterior in": int(n_best.get(d, 0)),
                "median posterior probability": float(
                    fitted["posterior_prob"].astype(float).median()
                )
                if len(fitted) and "posterior_prob" in fitted
                else np.nan,
                "median Akaike weight": float(fitted["akaike_weight"].astype(float).median())
                if len(fitted)
                else np.nan,
            }
        )
    out = pd.DataFrame(rows).sort_values(
        ["highest posterior in", "median posterior probability"], ascending=False, kind="stable"
    )
    return out.head(n).reset_index(drop=True)


def test_summary(analysis: Analysis, indicator: str) -> pd.DataFrame:
    """Per measure and test: readings tested, how many reject, the p-values and the power."""
    t = analysis.tests
    t = t[(t["indicator"] == indicator) & (t["status"] == "ok")]
    keep = t["test"].isin(["at least one change", "all expected directions"]) | t[
        "test"
    ].str.startswith("resurgence")
    rows = []
    for (measure, test, definition), g in t[keep].groupby(
        ["measure", "test", "definition"], sort=False, dropna=False
    ):
        p = g["p_value"].astype(float)
        pw = g["power"].astype(float)
        what = test if not definition else f"{test} of {_readable(definition)}"
        rows.append(
            {
                "measure": _readable(measure) if measure else "(all measures)",
                "test": what,
                "readings tested": g["reading_id"].nunique(),
                f"reject at {LEVEL:g}": int((g["rejects"] == True).sum()),  # noqa: E712
                "p-value": _span(p, analysis.n_boot),
                "power at the fitted size": _span_plain(pw),
            }
        )
    return pd.DataFrame(rows)


def _span(p: pd.Series, n_boot: int) -> str:
    p = p[np.isfinite(p)]
    if p.empty:
        return ""
    lo, hi = fmt_p(float(p.min()), n_boot), fmt_p(float(p.max()), n_boot)
    return lo if lo == hi else f"{lo} to {hi}"


def _span_plain(x: pd.Series) -> str:
    x = x[np.isfinite(x)]
    if x.empty:
        return ""
    lo, hi = f"{x.min():.2f}", f"{x.max():.2f}"
    return lo if lo == hi else f"{lo} to {hi}"

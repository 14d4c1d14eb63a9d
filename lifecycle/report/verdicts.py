"""The verdict rules: per indicator, how many readings support each conclusion, in words.

The rules are :mod:`lifecycle.inference.verdicts`: per reading *resurgence supported*
when the resurgence test rejects a single rise and fall at :data:`LEVEL`; *no resurgence
of at least the stated size* when it does not and its power at the pre-specified
alternative (a 50% decline and a 50% rebound) is >= :data:`ADEQUATE_POWER`; otherwise
*the evidence cannot decide*. A verdict holds for an indicator when it holds in every
reading, and the words say how many distinct outcomes the readings give. Nothing here
computes a statistic: the rules read the comparison and tests tables.
"""

from __future__ import annotations

import pandas as pd

from lifecycle.report.cells import ADEQUATE_POWER, LEVEL

__all__ = ["verdict_rows"]


def _indicator_verdict(res_ok: pd.DataFrame, n: int, reasons: list[str]) -> tuple[str, str]:
    """The verdict of one indicator by :mod:`lifecycle.inference.verdicts`, in words."""
    from lifecycle.inference.verdicts import (
        CANNOT_DECIDE,
        NO_RESURGENCE,
        SUPPORTED,
        ResurgenceAlternative,
        combine_verdicts,
        reading_verdict,
    )

    per_reading = []
    for _, g in res_ok.groupby("reading_id", sort=True):
        rejects = bool((g["rejects"] == True).any())  # noqa: E712
        p = g["power_stated"].astype(float)
        per_reading.append(reading_verdict(rejects, None if p.isna().any() else p.min())[0])
    per_reading += [CANNOT_DECIDE] * max(n - len(per_reading), 0)
    verdict, outcomes = combine_verdicts(per_reading)
    if verdict == SUPPORTED:
        words = f"Every reading ({n}) rejects a single rise and fall at the {100 * LEVEL:g}% level."
    elif verdict == NO_RESURGENCE:
        words = (
            f"No reading rejects a single rise and fall, and in every reading the test would "
            f"detect {ResurgenceAlternative().describe()} with power >= {ADEQUATE_POWER:g}."
        )
    else:
        words = "Why: " + "; ".join(reasons or ["see the tables"]) + "."
    return verdict, words + " " + outcomes


def verdict_rows(
    indicators: pd.DataFrame, comparison: pd.DataFrame, tests: pd.DataFrame
) -> pd.DataFrame:
    """Count, per indicator, the readings that support each conclusion; say it in words."""
    rows = []
    for _, ind in indicators.iterrows():
        name = ind["indicator"]
        n = int(ind["n_readings"])
        comp = comparison[(comparison["indicator"] == name) & (comparison["status"] == "ok")]
        fitted_readings = comp["reading_id"].nunique()
        best = (
            comp.assign(_pp=-comp["posterior_prob"].astype(float).fillna(-1.0))
            .sort_values(["reading_id", "_pp", "AIC", "definition"])
            .groupby("reading_id", sort=True)
            .first()
        )
        best_counts = best["definition"].value_counts()
        best_text = ", ".join(
            f"{d} in {c}" for d, c in sorted(best_counts.items(), key=lambda x: (-x[1], x[0]))
        )
        strong = best[best["posterior_prob"].astype(float) >= 0.9] if len(best) else best
        t = tests[(tests["indicator"] == name)]
        res = t[t["test"].str.startswith("resurgence")]
        res_ok = res[res["status"] == "ok"]
        res_readings = res_ok["reading_id"].nunique()
        reject_readings = res_ok[res_ok["rejects"] == True]["reading_id"].nunique()  # noqa: E712
        stated = res_ok["power_stated"].astype(float)
        powered = res_ok[stated >= ADEQUATE_POWER]["reading_id"].nunique()
        ch = t[(t["test"] == "at least one change") & (t["status"] == "ok")]
        change_readings = ch[ch["rejects"] == True]["reading_id"].nunique()  # noqa: E712
        change_tested = ch["reading_id"].nunique()
        joint = t[(t["test"] == "all expected directions") & (t["status"] == "ok")]
        dir_text = []
        for d, g in joint.groupby("definition", sort=True):
            k = g[g["rejects"] == True]["reading_id"].nunique()  # noqa: E712
            dir_text.append(f"{d}: {k} of {g['reading_id'].nunique()}")
        reasons = []
        if res_readings == 0:
            reasons.append("no reading gives a series the resurgence test can use")
        elif res_readings < n:
            reasons.append(f"only {res_readings} of {n} readings can be tested for resurgence")
        if res_readings and powered < res_readings:
            reasons.append("the test has little power at these counts")
        if 0 < reject_readings < res_readings:
            reasons.append("readings disagree")
        if len(best_counts) > 1:
            reasons.append("readings disagree on the best definition")
        if fitted_readings and len(strong) < fitted_readings:
            reasons.append("posterior probabilities are spread (no definition has >= 0.9)")
        verdict, words = _indicator_verdict(res_ok, n, reasons)
        detail = [
            f"{n} reading(s).",
            f"Resurgence test possible (for at least one measure) in {res_readings}, "
            f"rejecting a single rise and fall in {reject_readings} (power >= "
            f"{ADEQUATE_POWER:g} at the stated alternative in {powered}).",
            f"At least one change: tested in {change_tested}, found in {change_readings}.",
        ]
        if best_text:
            detail.append(f"Highest posterior probability: {best_text} reading(s).")
        else:
            detail.append("No definition could be fitted.")
        if dir_text:
            detail.append(
                f"All expected directions hold ({100 * LEVEL:g}%): " + "; ".join(dir_text) + "."
            )
        every = comparison[comparison["indicator"] == name]
        fitted_in = {
            d: g.loc[g["status"] == "ok", "reading_id"].nunique()
            for d, g in every.groupby("definition", sort=True)
            if d != "no change" and not d.startswith("best segmentation")
        }
        never = [d for d, k in fitted_in.items() if k == 0]
        if never:
            detail.append(
                "Never fitted (no reading's series allows it; reasons in comparison.csv): "
                + ", ".join(never)
                + "."
            )
        rows.append(
            {
                "indicator": name,
                "kind": ind["kind"],
                "n_readings": n,
                "n_fitted": fitted_readings,
                "best_definition_counts": best_text,
                "n_resurgence_testable": res_readings,
                "n_resurgence_rejects": reject_readings,
                "n_adequate_power": powered,
                "n_change_testable": change_tested,
                "n_change_found": change_readings,
                "directions_hold": "; ".join(dir_text),
                "never_fitted": ", ".join(never),
                "verdict": verdict,
                "why": words,
                "in_words": words + " " + " ".join(detail),
            }
        )
    return pd.DataFrame(rows)

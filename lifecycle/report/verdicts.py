"""The verdict rules: per indicator, how many readings support each conclusion, in words.

A verdict is given only when every reading agrees: *resurgence supported* when every
reading's resurgence test rejects a single rise and fall at :data:`LEVEL`; *no resurgence
detected* when none rejects and the test had power >= :data:`ADEQUATE_POWER` at the fitted
alternative in every reading; otherwise *the evidence cannot decide*, with the reasons.
Nothing here computes a statistic: the rules read the comparison and tests tables.
"""

from __future__ import annotations

import pandas as pd

from lifecycle.report.cells import ADEQUATE_POWER, LEVEL

__all__ = ["verdict_rows"]


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
            comp.sort_values(["reading_id", "AIC", "definition"])
            .groupby("reading_id", sort=True)
            .first()
        )
        best_counts = best["definition"].value_counts()
        best_text = ", ".join(
            f"{d} in {c}" for d, c in sorted(best_counts.items(), key=lambda x: (-x[1], x[0]))
        )
        strong = best[best["akaike_weight"] >= 0.9] if len(best) else best
        t = tests[(tests["indicator"] == name)]
        res = t[t["test"].str.startswith("resurgence")]
        res_ok = res[res["status"] == "ok"]
        res_readings = res_ok["reading_id"].nunique()
        reject_readings = res_ok[res_ok["rejects"] == True]["reading_id"].nunique()  # noqa: E712
        powered = res_ok[res_ok["power"].astype(float) >= ADEQUATE_POWER]["reading_id"].nunique()
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
            reasons.append("Akaike weights are spread (no definition has weight >= 0.9)")
        if res_readings and reject_readings == res_readings and reject_readings == n:
            verdict = "resurgence supported"
            words = (
                f"Every reading ({n}) rejects a single rise and fall in favour of a "
                f"resurgence at the {100 * LEVEL:g}% level."
            )
        elif res_readings and reject_readings == 0 and powered == res_readings == n:
            verdict = "no resurgence detected"
            words = (
                f"No reading shows a resurgence, and the test would have found one of the "
                f"fitted size with power >= {ADEQUATE_POWER:g} in every reading."
            )
        else:
            verdict = "the evidence cannot decide"
            words = "Why: " + "; ".join(reasons or ["see the tables"]) + "."
        detail = [
            f"{n} reading(s).",
            f"Resurgence test possible (for at least one measure) in {res_readings}, "
            f"rejecting a single rise and fall in {reject_readings} (power >= "
            f"{ADEQUATE_POWER:g} at the fitted alternative in {powered}).",
            f"At least one change: tested in {change_tested}, found in {change_readings}.",
        ]
        if best_text:
            detail.append(f"Smallest AIC: {best_text} reading(s).")
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

"""The report: every indicator, reading and wave definition, as tables, figures and words.

Two steps, kept apart:

1. **Analysis** — :func:`analyse_evidence` runs the library's statistical functions on
   every indicator the documents' evidence gives (frequency of attacks, severity, reach,
   clashes, attacks in Pakistan), over *every* admissible reading of that evidence
   (:func:`lifecycle.evidence.readings.enumerate_readings`), and for every wave definition of the
   registry (:func:`lifecycle.models.waves.registry`). :func:`analyse_series` does the same for
   one user series (a CSV or an event export). Both return an :class:`Analysis`: tidy
   tables with one row per indicator × reading × definition (comparison), per
   indicator × reading × measure × test (tests, with their power), and a verdict table
   that counts how many readings support each conclusion. Nothing here computes a
   statistic: the numbers come from :mod:`lifecycle.models.regression`,
   :mod:`lifecycle.changepoints` and :mod:`lifecycle.inference`. A cell the library
   refuses (too few observations, count intervals where exact counts are needed, a
   definition that does not cover the series) is kept as a row whose ``status`` quotes
   the library's message — never filled with a number.
2. **Writing** — :func:`write_report` writes a folder: ``report.md``, a self-contained
   ``report.html`` (figures inline as SVG), ``figures/*.png|svg`` and ``tables/*.csv``.
   Same inputs and seed give byte-identical files: no timestamps, fixed float formats,
   sorted keys, fixed SVG hash salt, no PNG software stamp.

The verdict is allowed to be — and on the ISKP evidence mostly is — *the evidence cannot
decide*: when few readings can be tested, when the tests have little power, or when
readings disagree, the report says so in plain words.

Randomness: every bootstrap and power study gets its own seed derived from the report's
``seed`` and the cell's name (:func:`lifecycle.sweep.series_seed`), so a cell's numbers
do not depend on which other cells run or in what order.

References
----------
Burnham, K. P. and Anderson, D. R. (2002). *Model Selection and Multimodel Inference*,
2nd ed. Springer (Akaike weights, as reported by :func:`lifecycle.inference.compare_waves`).

Examples
--------
>>> analysis = analyse_evidence(seed=1, n_boot=99)  # doctest: +SKIP
>>> analysis.verdicts[["indicator", "verdict"]]  # doctest: +SKIP
>>> write_report(analysis, "report")  # doctest: +SKIP
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import LifecycleError, LifecycleWarning, ParameterError
from lifecycle._core.validation import check_choice, check_int
from lifecycle.series.countseries import CountSeries, to_label

__all__ = [
    "LEVEL",
    "Analysis",
    "CassFigure",
    "analyse_evidence",
    "analyse_series",
    "cass_figures",
    "compare_definitions",
    "default_definitions",
    "write_report",
]

#: Significance level of every test the report counts as "rejects".
LEVEL = 0.05
#: Power below which a non-rejection is called uninformative.
ADEQUATE_POWER = 0.8
#: Simulated series per power study (warp-speed method).
N_SIM_POWER = 400
#: Multiples of the fitted curve at which the power curve is drawn.
POWER_SCALES = (1.0, 2.0, 5.0, 10.0, 20.0)

# Indicators of the documents' evidence, in the order the report presents them:
# (question of lifecycle.evidence.readings, indicator label, what it measures).
_INDICATORS = (
    ("attacks", "frequency: attacks (document figures)", "frequency"),
    ("event_attacks", "frequency: documented attacks (events)", "frequency"),
    ("attacks_pakistan", "frequency: attacks in Pakistan", "frequency"),
    ("clashes", "frequency: clashes", "frequency"),
    ("event_deaths", "severity: deaths in documented attacks", "severity"),
    ("event_deaths_per_attack", "severity: deaths per documented attack", "severity"),
    ("event_reach", "reach: countries attacked outside Afghanistan", "reach"),
)


# ====================================================================== results
@dataclass(frozen=True)
class Analysis:
    """Everything the report shows, as tables (and the objects its figures need).

    Attributes
    ----------
    title : str
        What was analysed.
    seed, n_boot : int
        Seed and bootstrap replicates of every test.
    family : str
        Count family of every model.
    indicators : DataFrame
        One row per indicator: ``indicator``, ``question``, ``kind``, ``description``,
        ``n_readings``.
    readings : DataFrame
        One row per reading: ``reading_id``, ``indicator``, ``reading`` (the full name),
        its choices, ``n_obs``, ``measures``, ``years``.
    series : DataFrame
        Every observation of every reading's series (windows layout plus
        ``reading_id``).
    definitions : DataFrame
        The wave definitions compared, one row per phase, with source and quote.
    comparison : DataFrame
        One row per indicator × reading × definition: ``status`` (``"ok"`` or the
        library's reason), log-likelihood, parameters, AIC, Akaike weight, BIC, LR test.
    tests : DataFrame
        One row per indicator × reading × measure × test (at least one change; resurgence;
        expected directions of each definition), with ``status``, statistic, p-value,
        ``rejects`` at :data:`LEVEL` and, for the resurgence test, the power at the
        fitted alternative.
    changepoints : DataFrame
        The segmentation chosen by BIC for each indicator × reading × measure.
    power : DataFrame
        Power of the resurgence test at multiples of each fitted alternative.
    verdicts : DataFrame
        Per indicator: how many readings support each conclusion, and the verdict in
        words.
    evidence : object or None
        The evidence tables used (:class:`lifecycle.evidence.Evidence`), if any.
    objects : dict
        Results the figures need, keyed by ``(kind, indicator)``: the default reading's
        series, comparison, segmentation, posterior, resurgence test.
    notes : tuple of str
        Things a reader must know (definitions left out and why, warnings).
    """

    title: str
    seed: int
    n_boot: int
    family: str
    indicators: pd.DataFrame
    readings: pd.DataFrame
    series: pd.DataFrame
    definitions: pd.DataFrame
    comparison: pd.DataFrame
    tests: pd.DataFrame
    changepoints: pd.DataFrame
    power: pd.DataFrame
    verdicts: pd.DataFrame
    evidence: Any = None
    objects: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    notes: tuple[str, ...] = ()

    def summary(self) -> pd.DataFrame:
        """The verdict table."""
        return self.verdicts.copy()


_COMPARISON_COLUMNS = [
    "indicator",
    "reading_id",
    "definition",
    "status",
    "n_phases",
    "estimated",
    "loglik",
    "n_params",
    "AIC",
    "dAIC",
    "akaike_weight",
    "BIC",
    "lr_stat",
    "lr_df",
    "lr_p_value",
    "lr_valid",
    "compared_on",
    "k_aic",
    "AICc",
    "dAICc",
    "too_many_params",
    "log_ml",
    "log_ml_error",
    "posterior_prob",
    "bayes_factor",
    "posterior_prob_alt",
    "note",
]
_TEST_COLUMNS = [
    "indicator",
    "reading_id",
    "measure",
    "test",
    "definition",
    "status",
    "statistic",
    "p_value",
    "rejects",
    "power",
    "power_se",
    "power_stated",
    "n_obs",
    "method",
    "seed",
    "note",
]
_CP_COLUMNS = [
    "indicator",
    "reading_id",
    "measure",
    "status",
    "n_changes",
    "breaks",
    "criterion",
    "rates",
    "note",
]
_POWER_COLUMNS = ["indicator", "reading_id", "measure", "scale", "power", "se", "n_sim", "seed"]


# ====================================================================== helpers
def _reason(exc: BaseException) -> str:
    return "not computed: " + " ".join(str(exc).split())


def _seed_for(seed: int, *parts: str) -> int:
    from lifecycle.sweep import series_seed

    return series_seed(seed, " | ".join(parts))


def default_definitions(evidence: Any = None) -> tuple[list[Any], list[str]]:
    """The registry's definitions that divide a lifecycle, and notes on those left out.

    Parameters
    ----------
    evidence : optional
        Passed to :func:`lifecycle.models.waves.registry`.
    """
    from lifecycle.models.waves import registry

    return _dated_definitions(registry(evidence))


def _dated_definitions(registry: dict[str, Any]) -> tuple[list[Any], list[str]]:
    """Definitions that divide a lifecycle (>= 2 phases or an estimated shape)."""
    keep, notes = [], []
    for name, d in registry.items():
        if name == "no change":
            continue  # compare_waves adds it as the reference
        if d.n_phases >= 2 or d.estimated:
            keep.append(d)
        else:
            notes.append(
                f"Definition '{name}' ({d}) has a single phase: it dates an event (emergence, "
                "formation), not a division of the lifecycle, so it is not compared."
            )
    return keep, notes


def compare_definitions(
    series: CountSeries,
    definitions: Sequence[Any] | None,
    family: str = "poisson",
    *,
    include_estimated: bool = True,
) -> tuple[Any, dict[str, str]]:
    """compare_waves on every definition, with the library's reason for each it refused.

    :func:`~lifecycle.inference.compare_waves` fits every definition on the periods
    they all cover and lists those the series cannot carry in ``Comparison.refused``;
    here its warning is silenced (the refusals go into the tables instead) and the
    reasons are prefixed ``"not computed: "``. Nothing is computed here.

    Parameters
    ----------
    series : CountSeries
    definitions : sequence of WaveDefinition or str
        Definitions or registry names.
    family : {"poisson", "negbin"}
    include_estimated : bool
        Passed to ``compare_waves`` (data-driven segmentations as references).

    Returns
    -------
    comparison : lifecycle.inference.Comparison or None
        ``None`` when not even "no change" can be fitted.
    refused : dict of str to str
        For each definition left out, ``"not computed: <the library's message>"``.

    Examples
    --------
    >>> s = CountSeries.from_counts(range(2001, 2007), [4, 6, 1, 1, 8, 10])
    >>> comp, refused = compare_definitions(s, ["no change"])
    >>> comp.best, refused
    ('no change', {})
    """
    from lifecycle.inference import compare_waves

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LifecycleWarning)
            comp = compare_waves(
                series,
                None if definitions is None else (list(definitions) or ["no change"]),
                family,
                loo=False,
                include_estimated=include_estimated,
            )
    except LifecycleError as exc:
        return None, {"no change": _reason(exc)}
    return comp, {name: _reason(why) for name, why in sorted(comp.refused.items())}


def _tests_for_measure(
    series: CountSeries,
    measure: str,
    *,
    indicator: str,
    reading_id: str,
    family: str,
    seed: int,
    n_boot: int,
) -> tuple[list[dict], dict | None, list[dict], dict[str, Any]]:
    """Change test, segmentation, resurgence test and its power for one measure."""
    from lifecycle.changepoints.search import detect, posterior_changes, test_change
    from lifecycle.inference.resurgence import power, test_resurgence

    rows: list[dict] = []
    objs: dict[str, Any] = {}
    n_obs = sum(1 for m in series.measure if m == measure)
    base = {"indicator": indicator, "reading_id": reading_id, "measure": measure, "n_obs": n_obs}
    # at least one change
    s_change = _seed_for(seed, indicator, reading_id, measure, "change")
    try:
        tc = test_change(series, measure=measure, family=family, n_boot=n_boot, seed=s_change)
        rows.append(
            {
                **base,
                "test": "at least one change",
                "definition": "",
                "status": "ok",
                "statistic": tc.statistic,
                "p_value": tc.p_value,
                "rejects": tc.reject(LEVEL),
                "method": tc.method,
                "seed": s_change,
                "note": f"best break {tc.details.get('best_break')}"
                if tc.details.get("best_break") is not None
                else "",
            }
        )
    except LifecycleError as exc:
        rows.append(
            {
                **base,
                "test": "at least one change",
                "definition": "",
                "status": _reason(exc),
                "seed": s_change,
            }
        )
    # segmentation (BIC) and posterior of change per year
    cp: dict | None
    try:
        seg = detect(series, measure=measure, family=family, penalty="bic")
        cp = {
            **base,
            "status": "ok",
            "n_changes": seg.n_changes,
            "breaks": "; ".join(str(b) for b in seg.breaks),
            "criterion": "BIC",
            "rates": "; ".join(
                f"{a}–{b}: {r:.3g}" for a, b, r in zip(seg.starts, seg.ends, seg.rates, strict=True)
            ),
            "note": "",
        }
        objs["segmentation"] = seg
        try:
            objs["posterior"] = posterior_changes(series, measure=measure)
        except LifecycleError as exc:
            cp["note"] = "posterior " + _reason(exc)
    except LifecycleError as exc:
        cp = {**base, "status": _reason(exc)}
    # resurgence, with its power at the fitted alternative
    s_res = _seed_for(seed, indicator, reading_id, measure, "resurgence")
    power_rows: list[dict] = []
    try:
        tr = test_resurgence(series, measure=measure, family=family, n_boot=n_boot, seed=s_res)
        objs["resurgence"] = tr
        row = {
            **base,
            "test": "resurgence (vs a single rise and fall)",
            "definition": "",
            "status": "ok",
            "statistic": tr.statistic,
            "p_value": tr.p_value,
            "rejects": tr.reject(LEVEL),
            "method": tr.method,
            "seed": s_res,
            "note": "",
        }
        fitted = tr.details["fitted"]
        row["power_stated"] = _stated_power(tr, family, seed, indicator, reading_id, measure)
        if tr.details.get("resurgence_in_fit"):
            row["note"] = (
                f"fitted wave: peak {tr.details['peak']}, trough {tr.details['trough']}, "
                f"second peak {tr.details['second_peak']}"
            )
            h1 = fitted["h1_rate"].to_numpy(dtype=float)
            expo = fitted["exposure"].to_numpy(dtype=float)
            alpha = tr.details.get("dispersion")
            for scale in POWER_SCALES:
                s_pow = _seed_for(seed, indicator, reading_id, measure, f"power x{scale:g}")
                try:
                    pw = power(
                        h1 * scale,
                        family=family,
                        alpha=alpha,
                        exposure=expo,
                        n_sim=N_SIM_POWER,
                        method="warp",
                        level=LEVEL,
                        seed=s_pow,
                    )
                except LifecycleError as exc:
                    row["note"] += f"; power x{scale:g} {_reason(exc)}"
                    continue
                p = pw.power("resurgence")
                se = float(pw.table.loc[pw.table["test"] == "resurgence", "se"].iloc[0])
                power_rows.append(
                    {
                        **{k: base[k] for k in ("indicator", "reading_id", "measure")},
                        "scale": scale,
                        "power": p,
                        "se": se,
                        "n_sim": N_SIM_POWER,
                        "seed": s_pow,
                    }
                )
                if scale == 1.0:
                    row["power"], row["power_se"] = p, se
        else:
            row["note"] = (
                "the best two-mode fit is unimodal: no resurgence in the data, so no "
                "alternative to compute the power at"
            )
        rows.append(row)
    except LifecycleError as exc:
        rows.append(
            {
                **base,
                "test": "resurgence (vs a single rise and fall)",
                "definition": "",
                "status": _reason(exc),
                "seed": s_res,
            }
        )
    return rows, cp, power_rows, objs


def _stated_power(tr: Any, family: str, seed: int, *parts: str) -> float:
    """Power of the resurgence test at the pre-specified alternative (NaN if impossible)."""
    from lifecycle.inference.verdicts import power_at_alternative

    f = tr.details["fitted"]
    try:
        p, _ = power_at_alternative(
            f["count"].to_numpy(dtype=float),
            f["exposure"].to_numpy(dtype=float),
            family=family,
            alpha=tr.details.get("dispersion"),
            level=LEVEL,
            n_sim=N_SIM_POWER,
            seed=_seed_for(seed, *parts, "power stated"),
        )
    except LifecycleError:
        return float("nan")
    return p


def _directional_rows(comparison: Any, base: dict) -> list[dict]:
    from lifecycle.inference import directional_tests

    rows = []
    if comparison is None:
        return rows
    for name, fit in sorted(comparison.fits.items()):
        d = fit.definition
        if d.n_phases < 2 or fit.estimated_breaks:
            continue
        try:
            results = directional_tests(fit)
        except LifecycleError as exc:
            rows.append(
                {
                    **base,
                    "measure": "",
                    "test": "expected directions",
                    "definition": name,
                    "status": _reason(exc),
                }
            )
            continue
        for r in results:
            rows.append(
                {
                    **base,
                    "measure": "",
                    "test": r.name,
                    "definition": name,
                    "status": "ok",
                    "statistic": r.statistic,
                    "p_value": r.p_value,
                    "rejects": r.reject(LEVEL),
                    "method": r.method,
                    "note": r.alternative,
                    "n_obs": fit.n_obs,
                }
            )
    return rows


def _comparison_rows(comparison: Any, refused: dict[str, str], base: dict) -> list[dict]:
    rows = []
    if comparison is not None:
        for r in comparison.summary().to_dict("records"):
            row = {**base, "status": r.get("status", "ok")}
            row.update({k: r.get(k) for k in _COMPARISON_COLUMNS if k in r})
            rows.append(row)
    shown = {r["definition"] for r in rows}
    for name, why in refused.items():
        if name not in shown:
            rows.append({**base, "definition": name, "status": why})
    return rows


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for c in columns:
        if c not in out.columns:
            out[c] = None
    return out[columns].reset_index(drop=True)


def _reading_row(reading_id: str, indicator: str, reading: Any, series: CountSeries) -> dict:
    choices = reading.summary().iloc[0].to_dict() if reading is not None else {}
    years = f"{to_label(series.grid_start, series.freq)}–{to_label(series.grid_end, series.freq)}"
    return {
        "reading_id": reading_id,
        "indicator": indicator,
        "reading": choices.get("reading", series.name),
        "policy": choices.get("policy", ""),
        "conflict": choices.get("conflict", ""),
        "origin": choices.get("origin"),
        "placements": choices.get("placements", ""),
        "n_obs": series.n_obs,
        "measures": "; ".join(series.measures),
        "years": years,
        "exact": series.is_exact,
    }


def _analyse_one(series: CountSeries, **cell: Any) -> dict[str, Any]:
    """:func:`_analyse_one_inner` with the library's warnings collected as text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LifecycleWarning)
        out = _analyse_one_inner(series, **cell)
    out["warnings"] = [
        f"{cell['reading_id']}: {type(w.message).__name__}: {w.message}"
        for w in caught
        if issubclass(w.category, LifecycleWarning)
    ]
    return out


def _analyse_one_inner(
    series: CountSeries,
    *,
    indicator: str,
    reading_id: str,
    definitions: Sequence[Any],
    family: str,
    seed: int,
    n_boot: int,
    keep_objects: bool,
    include_estimated: bool = True,
) -> dict[str, Any]:
    base = {"indicator": indicator, "reading_id": reading_id}
    comparison, refused = compare_definitions(
        series, definitions, family, include_estimated=include_estimated
    )
    out: dict[str, Any] = {
        "comparison": _comparison_rows(comparison, refused, base),
        "tests": _directional_rows(comparison, base),
        "changepoints": [],
        "power": [],
        "objects": {},
    }
    measure_rows: list[dict] = []
    for m in series.measures:
        rows, cp, pw, objs = _tests_for_measure(
            series,
            m,
            indicator=indicator,
            reading_id=reading_id,
            family=family,
            seed=seed,
            n_boot=n_boot,
        )
        measure_rows.extend(rows)
        if cp is not None:
            out["changepoints"].append(cp)
        out["power"].extend(pw)
        if keep_objects:
            for k, v in objs.items():
                out["objects"].setdefault(k, {})[m] = v
    out["tests"] = measure_rows + out["tests"]
    if keep_objects:
        out["objects"]["comparison"] = comparison
        out["objects"]["series"] = series
    return out


# ====================================================================== verdicts
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
        words = f"Every reading ({n}) rejects a single rise and fall at the 5% level."
    elif verdict == NO_RESURGENCE:
        words = (
            f"No reading rejects a single rise and fall, and in every reading the test would "
            f"detect {ResurgenceAlternative().describe()} with power >= {ADEQUATE_POWER:g}."
        )
    else:
        words = "Why: " + "; ".join(reasons or ["see the tables"]) + "."
    return verdict, words + " " + outcomes


def _verdict_rows(
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
            detail.append("All expected directions hold (5%): " + "; ".join(dir_text) + ".")
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
                "in_words": words + " " + " ".join(detail),
            }
        )
    return pd.DataFrame(rows)


# ====================================================================== analyses
def _run_tasks(tasks: list[dict[str, Any]], *, n_jobs: int, progress: bool) -> list[dict]:
    """Run :func:`_analyse_one` on every task, in order, on ``n_jobs`` processes."""
    import sys

    from tqdm import tqdm

    bar = tqdm(
        total=len(tasks),
        desc="analysing readings",
        unit="reading",
        file=sys.stderr,
        disable=not progress,
        leave=False,
    )
    out = []
    try:
        if n_jobs == 1 or len(tasks) < 2:
            for t in tasks:
                out.append(_analyse_one(**t))
                bar.update(1)
        else:
            from joblib import Parallel, delayed

            gen = Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(_analyse_one)(**t) for t in tasks
            )
            for res in gen:
                out.append(res)
                bar.update(1)
    finally:
        bar.close()
    return out


def _check_common(seed: Any, n_boot: Any, family: Any, func: str) -> tuple[int, int, str]:
    seed = check_int("seed", seed, func=func, min_value=0)
    n_boot = check_int("n_boot", n_boot, func=func, min_value=1)
    family = check_choice("family", family, ("poisson", "negbin"), func=func)
    return seed, n_boot, family


def _assemble(
    title: str,
    seed: int,
    n_boot: int,
    family: str,
    indicators: list[dict],
    readings: list[dict],
    series_frames: list[pd.DataFrame],
    results: list[dict[str, Any]],
    definitions: Sequence[Any],
    notes: list[str],
    evidence: Any,
    objects: dict,
) -> Analysis:
    comparison = _frame([r for x in results for r in x["comparison"]], _COMPARISON_COLUMNS)
    tests = _frame([r for x in results for r in x["tests"]], _TEST_COLUMNS)
    cps = _frame([r for x in results for r in x["changepoints"]], _CP_COLUMNS)
    pw = _frame([r for x in results for r in x["power"]], _POWER_COLUMNS)
    ind = pd.DataFrame(indicators)
    defs = (
        pd.concat([d.summary() for d in definitions], ignore_index=True)
        if definitions
        else pd.DataFrame()
    )
    if len(defs):
        quotes = {d.name: d.quote for d in definitions}
        defs["quote"] = defs["definition"].map(quotes)
    return Analysis(
        title=title,
        seed=seed,
        n_boot=n_boot,
        family=family,
        indicators=ind,
        readings=pd.DataFrame(readings),
        series=pd.concat(series_frames, ignore_index=True) if series_frames else pd.DataFrame(),
        definitions=defs,
        comparison=comparison,
        tests=tests,
        changepoints=cps,
        power=pw,
        verdicts=_verdict_rows(ind, comparison, tests),
        evidence=evidence,
        objects=objects,
        notes=tuple(dict.fromkeys(notes)),
    )


def analyse_evidence(
    seed: int = 20240601,
    n_boot: int = 999,
    *,
    family: str = "poisson",
    evidence: Any = None,
    questions: Sequence[str] | None = None,
    include_estimated: bool = False,
    n_jobs: int = 1,
    progress: bool = False,
) -> Analysis:
    """Every indicator, reading and definition of the embedded evidence.

    For each indicator (a question of :mod:`lifecycle.evidence.readings`) and each of its
    admissible readings, the series is built and analysed with the library's functions:
    :func:`~lifecycle.inference.compare_waves` over the registry's definitions (those
    that divide a lifecycle) with :func:`~lifecycle.inference.directional_tests` on each
    dated fit; and, per measure, :func:`~lifecycle.changepoints.test_change`,
    :func:`~lifecycle.changepoints.detect` (BIC),
    :func:`~lifecycle.changepoints.posterior_changes`,
    :func:`~lifecycle.inference.test_resurgence` and its
    :func:`~lifecycle.inference.power` at the fitted alternative.

    Parameters
    ----------
    seed : int
        Seed of every bootstrap and power study (each cell derives its own).
    n_boot : int
        Bootstrap replicates per test.
    family : {"poisson", "negbin"}
    evidence : lifecycle.evidence.Evidence, optional
        Default: :func:`lifecycle.evidence.load_evidence`.
    questions : sequence of str, optional
        Indicators to run (questions of :data:`lifecycle.evidence.readings.QUESTIONS`); default
        all of the report's indicators.
    include_estimated : bool
        Also compare, in every reading, the best data-driven segmentation into as many
        phases as each definition (``compare_waves(include_estimated=True)``). Off by
        default: it roughly doubles the run time, and the data-driven breaks are reported
        anyway by the change-point analysis of each measure.
    n_jobs : int
        Processes to spread the readings over (joblib; ``-1``: all cores). The results do
        not depend on it.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    Analysis

    Raises
    ------
    EvidenceError
        If the evidence tables are malformed.
    ParameterError
        On an unknown question or family, or ``n_boot < 1``.

    Examples
    --------
    >>> a = analyse_evidence(seed=1, n_boot=99, questions=["clashes"])  # doctest: +SKIP
    >>> a.verdicts.loc[0, "verdict"]  # doctest: +SKIP
    'the evidence cannot decide'
    """
    from lifecycle.evidence.readings import QUESTIONS, build_series, enumerate_readings
    from lifecycle.evidence.tables import load_evidence
    from lifecycle.models.waves import registry

    func = "analyse_evidence"
    seed, n_boot, family = _check_common(seed, n_boot, family, func)
    n_jobs = check_int("n_jobs", n_jobs, func=func, min_value=-1)
    if n_jobs == 0:
        raise ParameterError(f"The 'n_jobs' parameter of {func} must be -1 or >= 1. Got 0.")
    ev = load_evidence() if evidence is None else evidence
    chosen = [q for q, _, _ in _INDICATORS] if questions is None else list(questions)
    for q in chosen:
        check_choice("questions", q, QUESTIONS, func=func)
    labels = {q: (lab, kind) for q, lab, kind in _INDICATORS}
    definitions, notes = _dated_definitions(registry(ev))
    if not include_estimated:
        notes.append(
            "The comparison holds the documents' definitions, the conventional lifecycle "
            "(break years estimated) and 'no change'; data-driven segmentations are reported "
            "by the change-point analysis of each measure instead."
        )
    tasks: list[tuple[str, str, str, Any, CountSeries]] = []
    indicators: list[dict] = []
    readings_rows: list[dict] = []
    series_frames: list[pd.DataFrame] = []
    first_reading: dict[str, str] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LifecycleWarning)
        for q in chosen:
            label, kind = labels.get(q, (q, ""))
            rs = enumerate_readings(q, ev)
            indicators.append(
                {
                    "indicator": label,
                    "question": q,
                    "kind": kind,
                    "description": QUESTIONS[q].description,
                    "n_readings": len(rs),
                }
            )
            width = max(2, len(str(len(rs))))
            for i, r in enumerate(rs, start=1):
                rid = f"{q}#{i:0{width}d}"
                s = build_series(r, ev)
                tasks.append((q, label, rid, r, s))
                first_reading.setdefault(q, rid)
                readings_rows.append(_reading_row(rid, label, r, s))
                series_frames.append(s.to_frame().assign(reading_id=rid, indicator=label))
    results = _run_tasks(
        [
            dict(
                series=s,
                indicator=label,
                reading_id=rid,
                definitions=definitions,
                family=family,
                seed=seed,
                n_boot=n_boot,
                keep_objects=rid == first_reading[q],
                include_estimated=include_estimated,
            )
            for q, label, rid, _r, s in tasks
        ],
        n_jobs=n_jobs,
        progress=progress,
    )
    objects: dict[tuple[str, Any], Any] = {}
    for (q, label, rid, r, _s), res in zip(tasks, results, strict=True):
        notes.extend(res["warnings"])
        if rid == first_reading[q]:
            objects[("reading", label)] = r
            for k, v in res["objects"].items():
                objects[(k, label)] = v
    notes += [
        f"{type(w.message).__name__}: {w.message}"
        for w in caught
        if issubclass(w.category, LifecycleWarning)
    ]
    return _assemble(
        "ISKP lifecycle from the embedded evidence",
        seed,
        n_boot,
        family,
        indicators,
        readings_rows,
        series_frames,
        results,
        definitions,
        notes,
        ev,
        objects,
    )


def analyse_series(
    series: CountSeries,
    seed: int = 20240601,
    n_boot: int = 999,
    *,
    family: str = "poisson",
    definitions: Sequence[Any] | None = None,
    title: str | None = None,
) -> Analysis:
    """The report's analyses for one series of the user's (a CSV or an event export).

    The series is one "reading" (as given); each measure is analysed. Definitions
    default to the data-driven set (:data:`lifecycle.inference.DATA_DRIVEN`), never the
    documents' dates unless named.

    Parameters
    ----------
    series : CountSeries
    seed, n_boot, family
        As in :func:`analyse_evidence`.
    definitions : sequence of WaveDefinition or str, optional
        Definitions to compare (default: the data-driven set).
    title : str, optional

    Returns
    -------
    Analysis

    Examples
    --------
    >>> s = CountSeries.from_counts(range(2010, 2016), [3, 9, 2, 1, 8, 12], name="mine")
    >>> a = analyse_series(s, seed=1, n_boot=99)
    >>> list(a.verdicts["indicator"])
    ['mine']
    """
    from lifecycle.models.waves import get_definition

    func = "analyse_series"
    if not isinstance(series, CountSeries):
        raise TypeError(
            f"The 'series' parameter of {func} must be a CountSeries. Got {type(series).__name__}."
        )
    seed, n_boot, family = _check_common(seed, n_boot, family, func)
    if definitions is None:
        defs, notes = None, [
            "Definitions: the data-driven set (no change, best 2/3/4-phase segmentations, the "
            "conventional rise and fall); the documents' dated definitions only when named."
        ]
    else:
        defs = [get_definition(d) if isinstance(d, str) else d for d in definitions]
        notes = []
    label = series.name or "series"
    rid = f"{label}#1"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LifecycleWarning)
        res = _analyse_one(
            series,
            indicator=label,
            reading_id=rid,
            definitions=defs,
            family=family,
            seed=seed,
            n_boot=n_boot,
            keep_objects=True,
        )
    notes += [
        f"{type(w.message).__name__}: {w.message}"
        for w in caught
        if issubclass(w.category, LifecycleWarning)
    ]
    indicators = [
        {
            "indicator": label,
            "question": "",
            "kind": "user series",
            "description": f"{series!r}",
            "n_readings": 1,
        }
    ]
    readings = [_reading_row(rid, label, None, series)]
    objects = {(k, label): v for k, v in res["objects"].items()}
    return _assemble(
        title or f"Lifecycle of {label}",
        seed,
        n_boot,
        family,
        indicators,
        readings,
        [series.to_frame().assign(reading_id=rid, indicator=label)],
        [res],
        defs,
        notes,
        None,
        objects,
    )


# ====================================================================== CASS figures
@dataclass(frozen=True)
class CassFigure:
    """A reproduction of one of the CASS paper's figures from the evidence it gives."""

    number: int
    title: str
    first: int
    last: int
    series: CountSeries | None
    caption: str
    years_with_number: tuple[int, ...]
    years_in_totals: tuple[int, ...]
    years_without: tuple[int, ...]


_CASS = (
    (
        1,
        "Attacks by ISKP on Afghanistan and Pakistan 2016-2024",
        2016,
        2024,
        "attacks",
        ("afghanistan", "pakistan", "afghanistan;pakistan", "unspecified"),
        False,
    ),
    (
        3,
        "Number of ISKP Attacks in Pakistan 2016-2024",
        2016,
        2024,
        "attacks_pakistan",
        ("pakistan",),
        False,
    ),
    (
        4,
        "ISKP Attack in Pakistan's Provinces 2019-2022",
        2019,
        2022,
        "attacks_pakistan",
        ("pakistan",),
        True,
    ),
)

_REGION_RE = re.compile(r"\(([^()]*)\)\s*$")


def _region(measure: str) -> str:
    m = _REGION_RE.search(measure)
    return m.group(1) if m else ""


def cass_figures(
    evidence: Any = None,
    *,
    readings: dict[str, Any] | None = None,
    n_readings: dict[str, int] | None = None,
    only_given: bool = False,
) -> list[CassFigure]:
    """The CASS paper's Figures 1, 3 and 4 rebuilt from the numbers its text gives.

    The paper (``rana_2024``) refers to three bar charts of yearly attack counts whose
    values are not in its text. Each reproduction holds only the observations of the
    figure's subject (region) that touch the figure's years, from the default reading
    of the matching question
    (:func:`lifecycle.evidence.readings.enumerate_readings`): windows spanning several years stay
    multi-year totals, intervals stay intervals, and every year of the figure's range
    with no number of its own is listed in the caption — never filled in.

    Parameters
    ----------
    evidence : lifecycle.evidence.Evidence, optional
    readings : dict, optional
        The reading to use per question (default: the first of
        :func:`~lifecycle.evidence.readings.enumerate_readings`, which this saves enumerating).
    n_readings : dict, optional
        How many readings each question admits (for the caption).
    only_given : bool
        Build only the figures whose question has a reading in ``readings``.

    Returns
    -------
    list of CassFigure
        Figures 1, 3 and 4.

    Examples
    --------
    >>> [f.number for f in cass_figures()]  # doctest: +SKIP
    [1, 3, 4]
    """
    from lifecycle.evidence.readings import build_series, enumerate_readings
    from lifecycle.evidence.tables import load_evidence

    ev = load_evidence() if evidence is None else evidence
    out = []
    for number, title, first, last, question, regions, provinces in _CASS:
        if readings is not None and readings.get(question) is not None:
            reading = readings[question]
            count = (n_readings or {}).get(question)
        elif only_given:
            continue
        else:
            admissible = enumerate_readings(question, ev)
            reading, count = admissible[0], len(admissible)
        s = build_series(reading, ev)
        keep = []
        for m in s.measures:
            reg = _region(m)
            is_province = "/" in reg
            if provinces:
                ok = (is_province and reg.split("/")[0] in regions) or reg in regions
            else:
                ok = reg in regions and not is_province
            if ok:
                keep.append(m)
        sub = None
        if keep:
            # observations of the figure's subject that touch the figure's years
            frame = CountSeries.concat([s.select(m) for m in keep]).to_frame()
            frame = frame[(frame["end"] >= first) & (frame["start"] <= last)]
            keep = list(dict.fromkeys(frame["measure"]))
        if keep:
            joined = CountSeries.from_frame(frame.drop(columns=["exposure"]), freq=s.freq)
            sub = replace(
                joined,
                grid_start=min(first, int(joined.start.min())),
                grid_end=max(last, int(joined.end.max())),
                name=f"Figure {number}",
            )
        single, multi = set(), set()
        if sub is not None:
            for i in range(sub.n_obs):
                years = set(range(int(sub.start[i]), int(sub.end[i]) + 1))
                (single if sub.start[i] == sub.end[i] else multi).update(years)
        span = range(first, last + 1)
        with_number = tuple(y for y in span if y in single)
        in_totals = tuple(y for y in span if y in multi and y not in single)
        without = tuple(y for y in span if y not in single and y not in multi)
        parts = [
            f"Reproduction of CASS (rana_2024) Figure {number}, \u201c{title}\u201d, from the "
            "numbers the documents give (reading: "
            f"{reading.name}"
            + (f"; {count} reading(s) admissible" if count is not None else "")
            + ")."
        ]
        parts.append(
            "Years of the figure with a number of their own: "
            + (", ".join(map(str, with_number)) or "none")
            + "."
        )
        if in_totals:
            parts.append(
                "Years covered only by a multi-year total (drawn as one spanning bar at "
                "its mean per year, total written above): " + ", ".join(map(str, in_totals)) + "."
            )
        parts.append(
            "Years with no number in the text (not drawn, never filled in): "
            + (", ".join(map(str, without)) or "none")
            + "."
        )
        if sub is not None and any(_region(m) == "unspecified" for m in sub.measures):
            parts.append(
                "Counts whose region the text does not state are drawn apart, labelled "
                "'unspecified'; they may include attacks outside the figure's countries."
            )
        if sub is None:
            parts.append("The documents give no number for this figure's subject at all.")
        out.append(
            CassFigure(
                number, title, first, last, sub, " ".join(parts), with_number, in_totals, without
            )
        )
    return out


# ---------------------------------------------------------------------- formatting
def _fmt_value(x: Any) -> str:
    """One fixed text form per value, so that tables are byte-stable."""
    if x is None or x is pd.NA or x is pd.NaT:
        return ""
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if np.isnan(x):
            return ""
        if np.isinf(x):
            return "inf" if x > 0 else "-inf"
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return f"{x:.4g}"
    if isinstance(x, (list, tuple)):
        return "; ".join(_fmt_value(v) for v in x)
    return str(x)


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text with fixed float formatting (``.6g``)."""

    def cell(x: Any) -> str:
        if isinstance(x, (float, np.floating)) and np.isfinite(x) and not float(x).is_integer():
            return f"{float(x):.6g}"
        return _fmt_value(x)

    return frame.map(cell) if len(frame) else frame.astype(str)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class _Document:
    """A report built once and rendered twice: Markdown and self-contained HTML."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._md: list[str] = [f"# {title}", ""]
        self._html: list[str] = [f"<h1>{html.escape(title)}</h1>"]

    def heading(self, text: str, level: int = 2) -> None:
        self._md += ["#" * level + " " + text, ""]
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
        self._html.append(f'<h{level} id="{slug}">{html.escape(text)}</h{level}>')

    def paragraph(self, text: str) -> None:
        self._md += [text, ""]
        self._html.append(f"<p>{_inline_html(text)}</p>")

    def bullets(self, items: Iterable[str]) -> None:
        items = list(items)
        if not items:
            return
        self._md += [f"- {t}" for t in items] + [""]
        self._html.append("<ul>" + "".join(f"<li>{_inline_html(t)}</li>" for t in items) + "</ul>")

    def quote(self, text: str, cite: str) -> None:
        self._md += [f"> {_md_escape(text)}", f"> — {cite}", ""]
        self._html.append(
            f"<blockquote><p>{html.escape(text)}</p><footer>— {html.escape(cite)}</footer>"
            "</blockquote>"
        )

    def table(
        self, frame: pd.DataFrame, *, csv_name: str | None = None, max_rows: int = 60
    ) -> None:
        shown = frame.head(max_rows)
        cols = [str(c) for c in shown.columns]
        rows = [[_fmt_value(v) for v in r] for r in shown.itertuples(index=False, name=None)]
        self._md.append("| " + " | ".join(_md_escape(c) for c in cols) + " |")
        self._md.append("|" + "|".join(" --- " for _ in cols) + "|")
        self._md += ["| " + " | ".join(_md_escape(v) for v in r) + " |" for r in rows]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows
        )
        self._html.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        note = []
        if len(frame) > max_rows:
            note.append(f"First {max_rows} of {len(frame)} rows.")
        if csv_name:
            note.append(f"Full table: [`tables/{csv_name}`](tables/{csv_name}).")
        self._md.append("")
        if note:
            self.paragraph(" ".join(note))

    def figure(self, stem: str, caption: str, svg_text: str) -> None:
        self._md += [
            f"![{_md_escape(caption)}](figures/{stem}.png)",
            "",
            f"*{caption}* ([SVG](figures/{stem}.svg))",
            "",
        ]
        # Strip the XML prolog so the SVG can sit inline in the HTML page.
        body = svg_text[svg_text.find("<svg") :]
        self._html.append(
            f'<figure id="fig-{stem}">{body}<figcaption>{html.escape(caption)}</figcaption>'
            "</figure>"
        )

    def markdown(self) -> str:
        return "\n".join(self._md).rstrip() + "\n"

    def html(self) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(self.title)}</title>\n<style>{_CSS}</style>\n</head>\n"
            "<body>\n" + "\n".join(self._html) + "\n</body>\n</html>\n"
        )


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#222}table{border-collapse:collapse;font-size:.85rem;margin:1rem 0}"
    "th,td{border:1px solid #ccc;padding:.2rem .45rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}blockquote{border-left:3px solid #999;margin:.6rem 0;"
    "padding:.1rem .8rem;color:#444}figure{margin:1.2rem 0}figure svg{max-width:100%;"
    "height:auto}figcaption{font-size:.9rem;color:#333}code{background:#f3f3f3;padding:0 .2rem}"
)

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _inline_html(text: str) -> str:
    """The small Markdown subset the report uses (code, bold, links) as HTML."""
    out = html.escape(text, quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _LINK.sub(r'<a href="\2">\1</a>', out)


# ====================================================================== writing
_TABLE_FILES = (
    ("verdicts", "verdicts.csv"),
    ("indicators", "indicators.csv"),
    ("readings", "readings.csv"),
    ("series", "series.csv"),
    ("definitions", "definitions.csv"),
    ("comparison", "comparison.csv"),
    ("tests", "tests.csv"),
    ("changepoints", "changepoints.csv"),
    ("power", "power.csv"),
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "x"


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    text = _csv_frame(frame).to_csv(index=False, lineterminator="\n")
    path.write_text(text, encoding="utf-8", newline="")


class _Figures:
    """Draws, saves and captions the report's figures (via lifecycle.plotting)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.items: list[tuple[str, str, str]] = []  # stem, caption, svg text

    def add(self, stem: str, fig: Any, caption: str) -> None:
        from lifecycle.plotting.figures import save_figure

        _, svg = save_figure(fig, self.folder / stem, dpi=120)
        self.items.append((stem, caption, svg.read_text(encoding="utf-8")))


def _evidence_rows_used(analysis: Analysis) -> set[str]:
    ids: set[str] = set()
    if "provenance" in analysis.series.columns:
        for p in analysis.series["provenance"].fillna(""):
            ids.update(x for x in str(p).split(";") if x)
    return ids


def _draw_figures(analysis: Analysis, figs: _Figures) -> None:
    from lifecycle import plotting

    # CASS reproductions (embedded evidence only)
    if analysis.evidence is not None:
        firsts = {
            q: analysis.objects.get(("reading", lab))
            for q, lab, _ in _INDICATORS
            if ("reading", lab) in analysis.objects
        }
        counts = dict(
            zip(analysis.indicators["question"], analysis.indicators["n_readings"], strict=True)
        )
        for cf in cass_figures(
            analysis.evidence, readings=firsts, n_readings=counts, only_given=True
        ):
            fig, ax = plotting.new_figure(10.0, 4.4)
            if cf.series is not None:
                plotting.plot_series(cf.series, ax=ax, title=f"CASS Figure {cf.number}: {cf.title}")
            else:
                ax.set_title(f"CASS Figure {cf.number}: {cf.title}")
            for k, xv in enumerate((cf.first - 0.5, cf.last + 0.5)):
                ax.axvline(
                    xv,
                    color="0.35",
                    linestyle=":",
                    linewidth=1.2,
                    label=f"years of the original figure ({cf.first}–{cf.last})"
                    if k == 0
                    else None,
                )
            ax.legend(fontsize=7, loc="upper left")
            plotting.legend_outside(ax)
            figs.add(f"cass_figure_{cf.number}", fig, cf.caption)
    # per indicator: the default reading's series with the best fit and its phases
    first_id = analysis.readings.groupby("indicator", sort=False)["reading_id"].first().to_dict()
    for _, ind in analysis.indicators.iterrows():
        label = ind["indicator"]
        slug = _slug(ind["question"] or label)
        series = analysis.objects.get(("series", label))
        if series is None:
            continue
        comparison = analysis.objects.get(("comparison", label))
        fig, ax = plotting.new_figure(10.0, 4.4)
        plotting.plot_series(series, ax=ax, title=label)
        caption = (
            f"{label}: the series of the first reading ({first_id[label]}: "
            f"{series.name}). Bars as in the evidence (spanning bars: multi-year totals at "
            "their mean per year; hatched with whiskers: count intervals); evidence ids "
            "above the bars."
        )
        if comparison is not None:
            best = comparison.best
            fit = comparison.fits[best]
            if fit.definition.n_phases >= 2:
                plotting.plot_phases(fit.definition, ax=ax, freq=series.freq)
            try:
                plotting.plot_fit(fit, ax=ax)
                caption += (
                    f" Line: the fit of the definition with the smallest AIC ({best}, "
                    f"{comparison.family}, {comparison.shape}) with the 95% CI of each phase "
                    "rate; shading: its phases."
                )
            except ValueError:
                pass
        plotting.legend_outside(ax)
        figs.add(f"series_{slug}", fig, caption)
        # change points and the posterior of a change per year
        segs = {
            m: seg
            for m, seg in analysis.objects.get(("segmentation", label), {}).items()
            if len(seg.atoms) >= 2
        }
        posts = analysis.objects.get(("posterior", label), {})
        for m, seg in sorted(segs.items()):
            fig, ax = plotting.new_figure(7.5, 4.2)
            plotting.plot_series(series, ax=ax, measures=[m], title=f"{label}: {m}", annotate=False)
            plotting.plot_changepoints(seg, ax=ax)
            cap = (
                f"{label}, {m}: segmentation chosen by BIC ({seg.n_changes} change(s)"
                + (f": new regime from {', '.join(map(str, seg.breaks))}" if seg.breaks else "")
                + ") with the 95% CI of each segment's rate."
            )
            if m in posts:
                plotting.plot_change_probability(posts[m], ax=ax.twinx(), freq=series.freq)
                cap += (
                    " Stems (right axis): posterior probability that a new regime starts in "
                    "each year (Poisson–Gamma model, uniform prior on the number of changes)."
                )
            figs.add(f"changepoints_{slug}_{_slug(m)}", fig, cap)
        tests = analysis.objects.get(("resurgence", label), {})
        for m, tr in sorted(tests.items()):
            fig, ax = plotting.new_figure(7.5, 4.2)
            plotting.plot_test(tr, ax=ax, title=f"{label}: {m}")
            figs.add(
                f"resurgence_{slug}_{_slug(m)}",
                fig,
                f"{label}, {m}: resurgence test (p = {tr.p_value:.3g}, {tr.n_boot} bootstrap "
                "replicates). Blue: best single rise-and-fall (unimodal) rate; orange dashed: "
                "best rise–fall–rise rate; grey: observed count per unit of exposure.",
            )
        # comparison heat map
        comp = analysis.comparison[
            (analysis.comparison["indicator"] == label) & (analysis.comparison["status"] == "ok")
        ]
        if len(comp):
            n_rows = comp["reading_id"].nunique()
            fig, ax = plotting.new_figure(7.5, 1.6 + 0.2 * n_rows)
            plotting.plot_comparison(comp, ax=ax, row="reading_id", title=label)
            ax.tick_params(axis="y", labelsize=6)
            figs.add(
                f"comparison_{slug}",
                fig,
                f"{label}: Akaike weights of the definitions that could be fitted, per "
                "reading (rows; see readings.csv). A dash: not fitted in that reading (the "
                "reason is in comparison.csv).",
            )
    # power curves
    if len(analysis.power):
        pw = analysis.power.copy()
        first_ids = set(analysis.readings.groupby("indicator", sort=False)["reading_id"].first())
        pw = pw[pw["reading_id"].isin(first_ids)]
        if len(pw):
            pw["series"] = pw["indicator"] + " · " + pw["measure"]
            fig, ax = plotting.new_figure(7.5, 4.2)
            pw["low"] = (pw["power"] - 2 * pw["se"]).clip(lower=0)
            pw["high"] = (pw["power"] + 2 * pw["se"]).clip(upper=1)
            plotting.plot_power(
                pw,
                ax=ax,
                x="scale",
                group="series",
                low="low",
                high="high",
                level=LEVEL,
                title="Power of the resurgence test",
            )
            ax.set_xscale("log")
            ax.set_xticks(list(POWER_SCALES))
            ax.set_xticklabels([f"×{v:g}" for v in POWER_SCALES])
            ax.set_xlabel("counts scaled by (×1 = the fitted rise–fall–rise curve)")
            figs.add(
                "power",
                fig,
                "Power of the resurgence test (5% level) if the truth were the fitted "
                "rise–fall–rise curve of the first reading, and if every count were k times "
                f"larger (warp-speed simulation, {N_SIM_POWER} series per point; band: ±2 "
                "Monte Carlo standard errors).",
            )


def write_report(analysis: Analysis, out: str | Path) -> list[Path]:
    """Write the report folder: report.md, report.html, figures/ and tables/.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analyse_evidence` or :func:`analyse_series`.
    out : str or Path
        Folder to write (created if needed; files of the same names are replaced).

    Returns
    -------
    list of Path
        Every file written, sorted.

    Notes
    -----
    The files depend only on the analysis: no dates, no machine names, fixed number
    formats, fixed SVG ids. Running the same analysis (same inputs and seed) twice gives
    byte-identical folders.

    Examples
    --------
    >>> files = write_report(analyse_evidence(seed=1, n_boot=99), "report")  # doctest: +SKIP
    """
    if not isinstance(analysis, Analysis):
        raise TypeError(f"Expected an Analysis. Got {type(analysis).__name__}.")
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    from lifecycle import __version__

    written: list[Path] = []
    tables: dict[str, pd.DataFrame] = {k: getattr(analysis, k) for k, _ in _TABLE_FILES}
    ev = analysis.evidence
    used = _evidence_rows_used(analysis)
    if ev is not None:
        from lifecycle.evidence.tables import check_provenance, conflicts

        tables["sources"] = ev.sources
        tables["evidence_quantities"] = ev.quantities[ev.quantities["id"].isin(used)]
        tables["evidence_events"] = ev.events[ev.events["id"].isin(used)]
        tables["conflicts"] = conflicts(ev)
        problems = check_provenance()
    for key, frame in tables.items():
        path = out / "tables" / f"{key}.csv"
        _write_csv(frame, path)
        written.append(path)

    figs = _Figures(out / "figures")
    _draw_figures(analysis, figs)
    written += [
        out / "figures" / f"{stem}.{ext}" for stem, _, _ in figs.items for ext in ("png", "svg")
    ]

    doc = _Document(f"Lifecycle report: {analysis.title}")
    doc.paragraph(
        f"lifecycle {__version__}; seed {analysis.seed}; {analysis.n_boot} bootstrap "
        f"replicates per test; family {analysis.family}; level {LEVEL:g}. Reproduce with "
        f"`lifecycle report --seed {analysis.seed} --bootstrap {analysis.n_boot}`."
    )
    doc.heading("Verdict")
    doc.paragraph(
        "Per indicator, in plain words. A verdict is only given when every reading agrees; "
        "*the evidence cannot decide* is a result, not a failure."
    )
    doc.bullets(
        f"**{r['indicator']}** — {r['verdict']}. {r['in_words']}"
        for _, r in analysis.verdicts.iterrows()
    )
    doc.table(analysis.verdicts.drop(columns=["in_words"]), csv_name="verdicts.csv")
    if ev is not None:
        doc.heading("Evidence used")
        doc.paragraph(
            f"{len(used)} evidence row(s) enter the series below, from "
            f"{ev.sources['source_id'].nunique()} source documents. Provenance check "
            + (
                "passed: every quote is in its source document and every number and year "
                "in its quote."
                if not problems
                else f"found {len(problems)} problem(s): " + "; ".join(str(p) for p in problems[:5])
            )
        )
        doc.table(
            ev.sources[["source_id", "authors", "title", "date", "kind"]], csv_name="sources.csv"
        )
        q = tables["evidence_quantities"]
        e = tables["evidence_events"]
        doc.heading("Quotes", level=3)
        for frame, kind in ((q, "quantities"), (e, "events")):
            for _, row in frame.sort_values("id").iterrows():
                where = f"{row['id']}, {row['source_id']} ({kind})"
                if kind == "quantities":
                    where += f": {row['measure']}, {row['region']}"
                doc.quote(str(row["quote"]), where)
        doc.paragraph(
            "Full rows (with context quotes and notes): "
            "[`tables/evidence_quantities.csv`](tables/evidence_quantities.csv), "
            "[`tables/evidence_events.csv`](tables/evidence_events.csv)."
        )
        doc.heading("Where the sources disagree", level=3)
        doc.table(
            tables["conflicts"][
                [
                    "table",
                    "key",
                    "field",
                    "id_a",
                    "source_id_a",
                    "value_a",
                    "id_b",
                    "source_id_b",
                    "value_b",
                ]
            ],
            csv_name="conflicts.csv",
        )
    doc.heading("Readings")
    doc.paragraph(
        "A reading names every choice that turns the evidence into a series (qualifier "
        "policy, conflict rule, origin of open windows, year of undated figures). Every "
        "admissible reading is analysed; the verdict counts how many support each "
        "conclusion."
    )
    doc.table(analysis.indicators, csv_name="indicators.csv")
    doc.table(
        analysis.readings[["reading_id", "indicator", "n_obs", "years", "exact", "reading"]],
        csv_name="readings.csv",
        max_rows=30,
    )
    doc.heading("Wave definitions")
    if len(analysis.definitions):
        doc.table(
            analysis.definitions[
                [
                    "definition",
                    "phase",
                    "years",
                    "start_text",
                    "end_text",
                    "source_id",
                    "boundary_rule",
                ]
            ],
            csv_name="definitions.csv",
        )
    if len(analysis.definitions) and "quote" in analysis.definitions.columns:
        firsts = analysis.definitions.drop_duplicates("definition")
        for _, row in firsts.iterrows():
            if isinstance(row["quote"], str) and row["quote"]:
                src = row["source_id"] if isinstance(row["source_id"], str) else "no source"
                doc.quote(row["quote"], f"{row['definition']} ({src})")
    doc.bullets(analysis.notes)
    doc.heading("Comparison of definitions")
    doc.paragraph(
        "One row per indicator, reading and definition. `status` is `ok` or the library's "
        "reason why the definition cannot be fitted to that reading's series (the number is "
        "then left blank, never filled in)."
    )
    comp = analysis.comparison
    ok = comp[comp["status"] == "ok"]
    doc.table(
        ok[
            [
                "indicator",
                "reading_id",
                "definition",
                "loglik",
                "n_params",
                "AIC",
                "akaike_weight",
                "lr_p_value",
                "lr_valid",
            ]
        ],
        csv_name="comparison.csv",
    )
    refused = comp[comp["status"] != "ok"]
    if len(refused):
        reasons = (
            refused.groupby(["indicator", "definition", "status"], sort=True)
            .size()
            .reset_index(name="n_readings")
        )
        doc.paragraph("Definitions that could not be fitted, with the library's reason:")
        doc.table(reasons)
    doc.heading("Tests and their power")
    t = analysis.tests
    doc.table(
        t[t["status"] == "ok"][
            [
                "indicator",
                "reading_id",
                "measure",
                "test",
                "definition",
                "statistic",
                "p_value",
                "rejects",
                "power",
            ]
        ],
        csv_name="tests.csv",
    )
    nt = t[t["status"] != "ok"]
    if len(nt):
        reasons = nt.groupby(["indicator", "test", "status"], sort=True).size()
        doc.paragraph("Tests that could not be run, with the library's reason:")
        doc.table(reasons.reset_index(name="n"))
    doc.heading("Change points", level=3)
    cp = analysis.changepoints
    doc.table(cp[cp["status"] == "ok"], csv_name="changepoints.csv")
    doc.heading("Figures")
    for stem, caption, svg in figs.items:
        doc.figure(stem, caption, svg)
    doc.heading("Files")
    doc.bullets(f"[`tables/{k}.csv`](tables/{k}.csv)" for k in tables)
    md = out / "report.md"
    md.write_text(doc.markdown(), encoding="utf-8", newline="")
    page = out / "report.html"
    page.write_text(doc.html(), encoding="utf-8", newline="")
    written += [md, page]
    return sorted(written)

"""What the report runs on one reading's series (a *cell*), as rows of tidy tables.

For one series (one indicator under one reading) :func:`analyse_cell` runs the library's
functions and returns their results as rows: :func:`compare_definitions` (the wave
definitions by AIC, each refusal kept with the library's reason), the directional tests
of each dated fit, and per measure the test of at least one change, the BIC segmentation
with the posterior of a change per year, the resurgence test and its power at the fitted
alternative. Nothing here computes a statistic; a cell the library refuses is kept as a
row whose ``status`` quotes the library's message, never filled with a number.

Randomness: every bootstrap and power study gets its own seed derived from the report's
``seed`` and the cell's name (:func:`lifecycle.sweep.series_seed`), so a cell's numbers
do not depend on which other cells run or in what order.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import LifecycleError, LifecycleWarning
from lifecycle.report.columns import REPORT_COMPARISON_COLUMNS
from lifecycle.series.countseries import CountSeries, to_label

__all__ = [
    "ADEQUATE_POWER",
    "LEVEL",
    "N_SIM_POWER",
    "POWER_SCALES",
    "analyse_cell",
    "compare_definitions",
    "dated_definitions",
    "default_definitions",
    "reading_row",
    "table_frame",
]


#: Significance level of every test the report counts as "rejects".
LEVEL = 0.05
#: Power below which a non-rejection is called uninformative.
ADEQUATE_POWER = 0.8
#: Simulated series per power study (warp-speed method).
N_SIM_POWER = 400
#: Multiples of the fitted curve at which the power curve is drawn.
POWER_SCALES = (1.0, 2.0, 5.0, 10.0, 20.0)


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

    return dated_definitions(registry(evidence))


def dated_definitions(registry: dict[str, Any]) -> tuple[list[Any], list[str]]:
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
    definitions : sequence of WaveDefinition or str, or None
        Definitions or registry names; None for the data-driven set.
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
    refused = {name: _reason(why) for name, why in comp.refused.items()}
    table = comp.summary()
    if "status" in table.columns:  # refusals listed as rows of the table
        for name, status in zip(table["definition"], table["status"], strict=True):
            if status != "ok" and name not in refused:
                text = " ".join(str(status).split())
                refused[name] = text if text.startswith("not computed") else _reason(text)
    return comp, dict(sorted(refused.items()))


def _change_test_row(
    series: CountSeries, measure: str, base: dict, seed: int, n_boot: int, family: str
) -> dict:
    """The bootstrap test of at least one change, as a row of the tests table."""
    from lifecycle.changepoints import test_change

    s_change = _seed_for(seed, base["indicator"], base["reading_id"], measure, "change")
    row = {**base, "test": "at least one change", "definition": "", "seed": s_change}
    try:
        tc = test_change(series, measure=measure, family=family, n_boot=n_boot, seed=s_change)
    except LifecycleError as exc:
        return {**row, "status": _reason(exc)}
    best = tc.details.get("best_break")
    return {
        **row,
        "status": "ok",
        "statistic": tc.statistic,
        "p_value": tc.p_value,
        "rejects": tc.reject(LEVEL),
        "method": tc.method,
        "note": f"best break {best}" if best is not None else "",
    }


#: Segmentation rows by the exact counts of one measure (see :func:`_segmentation_row`).
_SEGMENTATION_CACHE: dict[tuple, dict] = {}


def _measure_key(series: CountSeries, measure: str, family: str) -> tuple:
    """The exact inputs of one measure's change-point analysis (its observations, grid)."""
    idx = [i for i, m in enumerate(series.measure) if m == measure]
    arrays = (series.start[idx], series.end[idx], series.low[idx], series.high[idx])
    weights = np.concatenate([series.weights[i] for i in idx]) if idx else np.zeros(0)
    return (
        measure,
        family,
        series.freq,
        int(series.grid_start),
        int(series.grid_end),
        tuple(np.ascontiguousarray(a, dtype=float).tobytes() for a in arrays),
        np.ascontiguousarray(weights, dtype=float).tobytes(),
        tuple(int(series.weights[i].size) for i in idx),
    )


def _segmentation_row(
    series: CountSeries,
    measure: str,
    base: dict,
    family: str,
    objs: dict[str, Any],
    keep: bool = False,
) -> dict:
    """The BIC segmentation (and the posterior of a change per year) of one measure.

    Readings often give a measure the same observations (144 attacks readings hold 68
    distinct measure series): a result computed without a warning, and without a note or
    a refusal that names the reading's series, is kept by the measure's exact inputs and
    reused.
    With ``keep`` (the figures need the objects in ``objs``) it is always computed.
    """
    key = _measure_key(series, measure, family)
    hit = None if keep else _SEGMENTATION_CACHE.get(key)
    if hit is not None:
        return {**base, **hit}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cp = _segmentation_fresh(series, measure, base, family, objs)
    for w in caught:  # pass them on to the cell's record, unchanged
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    ok = cp.get("status") == "ok" and not cp.get("note")
    refused = cp.get("status") != "ok" and str(series.name or "\0") not in str(cp.get("status"))
    if not caught and (ok or refused):
        if len(_SEGMENTATION_CACHE) > 4096:
            _SEGMENTATION_CACHE.clear()
        _SEGMENTATION_CACHE[key] = {k: v for k, v in cp.items() if k not in base}
    return cp


def _segmentation_fresh(
    series: CountSeries, measure: str, base: dict, family: str, objs: dict[str, Any]
) -> dict:
    from lifecycle.changepoints import detect, posterior_changes

    try:
        seg = detect(series, measure=measure, family=family, penalty="bic")
    except LifecycleError as exc:
        return {**base, "status": _reason(exc)}
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
    return cp


def _power_rows(tr: Any, row: dict, base: dict, seed: int, family: str) -> list[dict]:
    """Power of the resurgence test at multiples of its fitted alternative.

    The power at the fitted size (scale 1) also goes into ``row``; a scale the library
    refuses is noted in ``row["note"]``.
    """
    from lifecycle.inference import power

    fitted = tr.details["fitted"]
    h1 = fitted["h1_rate"].to_numpy(dtype=float)
    expo = fitted["exposure"].to_numpy(dtype=float)
    keys = {k: base[k] for k in ("indicator", "reading_id", "measure")}
    rows = []
    for scale in POWER_SCALES:
        s_pow = _seed_for(seed, *keys.values(), f"power x{scale:g}")
        try:
            pw = power(
                h1 * scale,
                family=family,
                dispersion=tr.details.get("dispersion"),
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
        rows.append(
            {**keys, "scale": scale, "power": p, "se": se, "n_sim": N_SIM_POWER, "seed": s_pow}
        )
        if scale == 1.0:
            row["power"], row["power_se"] = p, se
    return rows


def _stated_power(tr: Any, family: str, seed: int, *parts: str) -> float:
    """Power of the resurgence test at the pre-specified alternative (NaN if impossible)."""
    from lifecycle.inference.verdicts import power_at_alternative

    f = tr.details["fitted"]
    try:
        p, _ = power_at_alternative(
            f["count"].to_numpy(dtype=float),
            f["exposure"].to_numpy(dtype=float),
            family=family,
            dispersion=tr.details.get("dispersion"),
            level=LEVEL,
            n_sim=N_SIM_POWER,
            seed=_seed_for(seed, *parts, "power stated"),
        )
    except LifecycleError:
        return float("nan")
    return p


def _resurgence_rows(
    series: CountSeries,
    measure: str,
    base: dict,
    seed: int,
    n_boot: int,
    family: str,
    objs: dict[str, Any],
) -> tuple[dict, list[dict]]:
    """The resurgence test of one measure, with its power at the fitted alternative."""
    from lifecycle.inference import test_resurgence

    s_res = _seed_for(seed, base["indicator"], base["reading_id"], measure, "resurgence")
    row = {
        **base,
        "test": "resurgence (vs a single rise and fall)",
        "definition": "",
        "seed": s_res,
    }
    try:
        tr = test_resurgence(series, measure=measure, family=family, n_boot=n_boot, seed=s_res)
    except LifecycleError as exc:
        return {**row, "status": _reason(exc)}, []
    objs["resurgence"] = tr
    row.update(
        status="ok",
        statistic=tr.statistic,
        p_value=tr.p_value,
        rejects=tr.reject(LEVEL),
        method=tr.method,
        note="",
        power_stated=_stated_power(
            tr, family, seed, base["indicator"], base["reading_id"], measure
        ),
    )
    if not tr.details.get("resurgence_in_fit"):
        row["note"] = (
            "the best two-mode fit is unimodal: no resurgence in the data, so no "
            "alternative to compute the power at"
        )
        return row, []
    row["note"] = (
        f"fitted wave: peak {tr.details['peak']}, trough {tr.details['trough']}, "
        f"second peak {tr.details['second_peak']}"
    )
    return row, _power_rows(tr, row, base, seed, family)


def _tests_for_measure(
    series: CountSeries,
    measure: str,
    *,
    indicator: str,
    reading_id: str,
    family: str,
    seed: int,
    n_boot: int,
    keep: bool = False,
) -> tuple[list[dict], dict | None, list[dict], dict[str, Any]]:
    """Change test, segmentation, resurgence test and its power for one measure."""
    objs: dict[str, Any] = {}
    n_obs = sum(1 for m in series.measure if m == measure)
    base = {"indicator": indicator, "reading_id": reading_id, "measure": measure, "n_obs": n_obs}
    change = _change_test_row(series, measure, base, seed, n_boot, family)
    cp = _segmentation_row(series, measure, base, family, objs, keep)
    res, power_rows = _resurgence_rows(series, measure, base, seed, n_boot, family, objs)
    _reconcile_note(res, cp, family)
    return [change, res], cp, power_rows, objs


def _reconcile_note(res: dict, cp: dict | None, family: str) -> None:
    """When the step search and the shape test disagree, say why in the test's note."""
    from lifecycle.inference import reconcile

    if cp is None or cp.get("status") != "ok" or res.get("status") != "ok":
        return
    k, rejects = int(cp["n_changes"]), bool(res["rejects"])
    if (k == 0) == rejects:  # no change but a rejection, or changes but none
        text = reconcile(n_changes=k, family=family, resurgence_rejects=rejects)
        res["note"] = "; ".join(x for x in (res.get("note", ""), text) if x)


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
        table = comparison.table  # read only: the report's columns, in their order
        cols = [k for k in REPORT_COMPARISON_COLUMNS if k in table.columns]
        columns = [table[c].tolist() for c in cols]  # Python scalars, as to_dict gives
        values = zip(*columns, strict=True)
        rows = [{**base, "status": "ok", **dict(zip(cols, v, strict=True))} for v in values]
    listed = {r["definition"] for r in rows}
    for name, why in refused.items():
        if name not in listed:  # compare_waves may list a refusal as a row of its own
            rows.append({**base, "definition": name, "status": why})
    return rows


def table_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for c in columns:
        if c not in out.columns:
            out[c] = None
    return out[columns].reset_index(drop=True)


def reading_row(reading_id: str, indicator: str, reading: Any, series: CountSeries) -> dict:
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
        "periods": choices.get("periods", ""),
        "n_obs": series.n_obs,
        "measures": "; ".join(series.measures),
        "years": years,
        "exact": series.is_exact,
    }


def _resolve_family(series: CountSeries, family: str) -> tuple[str, str]:
    """``family``, or for ``"auto"`` the one the LR test of ``alpha = 0`` picks, with a note."""
    if family != "auto":
        return family, ""
    from lifecycle.models import choose_family

    choice = choose_family(series)
    return choice.family, choice.reason


def analyse_cell(series: CountSeries, **cell: Any) -> dict[str, Any]:
    """:func:`_analyse_cell_inner` with the library's warnings collected as text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LifecycleWarning)
        out = _analyse_cell_inner(series, **cell)
    out["warnings"] = [
        f"{cell['reading_id']}: {type(w.message).__name__}: {w.message}"
        for w in caught
        if issubclass(w.category, LifecycleWarning)
    ]
    return out


def _analyse_cell_inner(
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
    family, family_note = _resolve_family(series, family)
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
            keep=keep_objects,
        )
        measure_rows.extend(rows)
        if cp is not None:
            out["changepoints"].append(cp)
        out["power"].extend(pw)
        if keep_objects:
            for k, v in objs.items():
                out["objects"].setdefault(k, {})[m] = v
    out["tests"] = measure_rows + out["tests"]
    out["family"], out["family_reason"] = family, family_note
    if keep_objects:
        out["objects"]["comparison"] = comparison
        out["objects"]["series"] = series
    return out

"""Comparison of wave definitions: fits, information criteria, leave-one-out."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from lifecycle._core.criteria import aic, bic
from lifecycle._core.errors import (
    ConvergenceWarning,
    DefinitionError,
    FitError,
    InputError,
    LifecycleError,
    LifecycleWarning,
    ParameterError,
)
from lifecycle._core.likelihood import interval_logprob
from lifecycle._core.validation import check_choice
from lifecycle.models import (
    FAMILY_OPTIONS,
    METHODS,
    SHAPES,
    WaveFit,
    as_definition,
    best_segmentation,
    check_series,
    fit_waves,
    resolve_family,
    search_cost,
)
from lifecycle.models.waves import NO_CHANGE, WaveDefinition
from lifecycle.series.countseries import CountSeries, to_label, to_ordinal

__all__ = ["Comparison", "compare_waves"]

_MAX_LOO_FITS = 500


@dataclass(frozen=True)
class Comparison:
    """Several wave definitions fitted to one series, side by side.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per definition (see :func:`compare_waves`).
    fits : dict of str to WaveFit
    family, shape : str
    notes : tuple of str
    refused : dict of str to str
        Definitions (or estimated segmentations) that could not be fitted, each with
        the library's reason; they have no row in ``table``.
    """

    table: pd.DataFrame
    fits: dict[str, WaveFit]
    family: str
    shape: str
    notes: tuple[str, ...] = ()
    refused: dict[str, str] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """The comparison table (a copy), sorted by AIC."""
        return self.table.copy()

    @property
    def best(self) -> str:
        """Name of the definition with the smallest AIC."""
        return str(self.table["definition"].iloc[0])


def _drop(series: CountSeries, i: int) -> CountSeries:
    return series.take([j for j in range(series.n_obs) if j != i])


def _predict_logprob(fit: WaveFit, series: CountSeries, i: int) -> float:
    """Log predictive probability of observation ``i`` of ``series`` under ``fit``."""
    p = fit._X.shape[1]
    beta = fit.params.to_numpy()[:p]
    m = series.measure[i]
    measures = fit.series.measures
    if m not in measures:
        raise FitError(f"measure {m!r} has no other observation")
    level = 0.0 if m == measures[0] else float(fit.params[f"level[{m}]"])
    cols = np.arange(series.start[i], series.end[i] + 1) - fit.series.grid_start
    lam = np.exp(fit._X[cols] @ beta + level)
    mu = float(np.sum(series.weights[i] * lam))
    return float(
        interval_logprob(
            np.array([series.low[i]]),
            np.array([series.high[i]]),
            np.array([mu]),
            fit.family,
            fit.alpha or 0.0,
        )[0]
    )


def _loo(series: CountSeries, refit: Any) -> tuple[float, int, str]:
    """Sum of leave-one-out log predictive probabilities; (score, n_undefined, note)."""
    total = 0.0
    undefined = []
    for i in range(series.n_obs):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                f = refit(_drop(series, i))
            total += _predict_logprob(f, series, i)
        except (InputError, FitError) as exc:
            lab = series._window_text(i)
            undefined.append(f"{lab}: {str(exc).split('.')[0]}")
    if undefined:
        return (
            np.nan,
            len(undefined),
            "LOO undefined without "
            + "; ".join(undefined[:3])
            + (" …" if len(undefined) > 3 else ""),
        )
    return total, 0, ""


def _common_span(
    series: CountSeries, defs: Sequence[WaveDefinition], func: str
) -> tuple[CountSeries, str]:
    """The series restricted to the periods every definition covers.

    Likelihoods (and so AIC, BIC and LR) are comparable only on the same data, so a
    definition that starts later (YIP's "2016-2020") or ends earlier than the series
    moves the comparison to the shared years; the note says which.
    """
    starts = [
        to_ordinal(d.phases[0].start, series.freq) for d in defs if d.phases[0].start is not None
    ]
    ends = [to_ordinal(d.phases[-1].end, series.freq) for d in defs if d.phases[-1].end is not None]
    first = max([series.grid_start, *starts])
    last = min([series.grid_end, *ends])
    if (first, last) == (series.grid_start, series.grid_end):
        return series, ""
    if first > last:
        raise DefinitionError(
            f"{func}: the definitions share no period, so they cannot be compared on the same "
            f"data. Got spans starting as late as {to_label(first, series.freq)} and ending as "
            f"early as {to_label(last, series.freq)}."
        )
    try:
        part = series.restrict(to_label(first, series.freq), to_label(last, series.freq))
    except LifecycleError as exc:
        raise DefinitionError(f"{func}: cannot compare on the common span: {exc}") from None
    dropped = series.n_obs - part.n_obs
    return part, (
        f"compared on {to_label(first, series.freq)}–{to_label(last, series.freq)}, the periods "
        f"every definition covers ({dropped} observation(s) outside left out of all fits)"
    )


def compare_waves(
    series: CountSeries,
    definitions: Sequence[WaveDefinition | str],
    family: str = "auto",
    shape: str = "step",
    *,
    include_estimated: bool = True,
    loo: bool = True,
    method: str = "auto",
) -> Comparison:
    """Compare wave definitions on one series.

    Every definition is fitted with :func:`fit_waves`; ``"no change"`` is always added as
    the reference. With ``include_estimated``, for each distinct number of phases
    ``k >= 2`` among the definitions, the best data-driven segmentation into ``k`` phases
    (:func:`best_segmentation`) is added and flagged as estimated: its ``k - 1`` break
    years count as parameters.

    Parameters
    ----------
    series : CountSeries
    definitions : sequence of WaveDefinition or str
        Definitions or registry names.
    family : {"auto", "poisson", "negbin"}
        ``"auto"``: one family for every row, chosen on the compared series by
        :func:`lifecycle.models.choose_family` (NB2 when overdispersed).
    shape : {"step", "trend", "broken_stick"}
    include_estimated : bool
    loo : bool
        Whether to compute the leave-one-out log score (one refit per observation; for
        estimated rows the breaks are searched again in every refit).
    method : {"auto", "glm", "likelihood"}

    Returns
    -------
    Comparison
        ``summary()`` columns: ``definition, n_phases, estimated, loglik, n_params,
        n_params_detail, AIC, dAIC, akaike_weight, BIC, lr_stat, lr_df, lr_p_value,
        lr_valid, loo_log_score, loo_undefined, note`` — sorted by AIC.

    Notes
    -----
    *LR test.* ``2 (ℓ - ℓ_0)`` against no change, referred to χ² with the difference in
    counted parameters (break years excluded). Where break years were estimated (or a
    shape constraint was imposed) that reference is not valid — the nominal p-value is
    shown and ``lr_valid`` is False; use the change tests of ``lifecycle.inference``.

    *LOO log score.* ``Σ_i log p(y_i | fit without i)``, the probability of the left-out
    count (or interval) under the refitted model. For estimated rows the breaks are
    searched again in every refit; when that needs more than 500 fits (no closed
    form: NB, trend, broken stick, intervals or several measures) the LOO is skipped
    (NaN) and the note says so. When leaving an observation out
    empties a phase (or a measure), that observation cannot be predicted: the score is
    NaN, ``loo_undefined`` counts such observations and the note names them.

    Notes
    -----
    *Common span.* Likelihoods are comparable only on the same data: when a definition
    starts later or ends earlier than the series, every model is fitted on the periods
    all definitions cover, and ``notes`` says which (``span`` holds them).

    *Refused definitions.* A definition the series cannot carry (a window straddles
    its span's edge, a phase has no observation, the model is not identified) is left
    out with the library's reason in ``Comparison.refused`` and a ``LifecycleWarning``;
    the common span is then worked out without it.

    Raises
    ------
    DefinitionError
        If the definitions that can be fitted share no period.
    LifecycleError
        If not even "no change" can be fitted (the message says why).

    Examples
    --------
    >>> from lifecycle.series import CountSeries
    >>> from lifecycle.models.waves import WaveDefinition
    >>> s = CountSeries.from_counts(range(2001, 2009), [9, 11, 10, 2, 3, 2, 12, 10])
    >>> d = WaveDefinition.from_breaks("w", [2001, 2004, 2007], names=["e", "d", "r"])
    >>> c = compare_waves(s, [d], loo=False)
    >>> c.best
    'w'
    """
    func = "compare_waves"
    series = check_series(series, func)
    requested = check_choice("family", family, FAMILY_OPTIONS, func=func)
    shape = check_choice("shape", shape, SHAPES, func=func)
    method = check_choice("method", method, METHODS, func=func)
    if isinstance(definitions, (str, WaveDefinition)):
        definitions = [definitions]
    defs = [as_definition(d, func) for d in definitions]
    if not defs:
        raise ParameterError(
            f"The 'definitions' parameter of {func} must hold at least one definition. Got none."
        )
    names = [d.name for d in defs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ParameterError(
            f"The definitions passed to {func} must have distinct names. Got {dup} twice."
        )
    if NO_CHANGE.name not in names:
        defs = [NO_CHANGE, *defs]

    def fitter(entry: WaveDefinition | int):
        if isinstance(entry, int):
            return lambda s: best_segmentation(s, entry, family, shape, method=method)
        return lambda s: fit_waves(s, entry, family, shape, method=method)

    # A definition the series cannot carry (its span cuts a window, a phase has no
    # observation, the model is not identified) is recorded with the library's reason,
    # never dropped in silence. When it had narrowed the common span, the span and the
    # fits are worked out again without it, so it does not shape the others' data.
    full = series
    own: dict[str, str] = {}  # refused on its own span: final
    for d in defs:
        if d is not NO_CHANGE:
            try:
                _common_span(full, [d], func)
            except DefinitionError as exc:
                own[d.name] = str(exc)
    excluded: dict[str, str] = {}  # refused and narrowing the others' span
    while True:
        active = [d for d in defs if d.name not in own and d.name not in excluded]
        series, span_note = _common_span(full, active, func)
        family, _ = resolve_family(series, requested, func)  # one family for every row
        entries: list[tuple[WaveDefinition | int, str]] = [(d, d.name) for d in active]
        if include_estimated:
            ks = sorted({d.n_phases for d in active if d.n_phases >= 2})
            entries += [(k, f"best segmentation ({k} phases, estimated)") for k in ks]
        fits: dict[str, WaveFit] = {}
        failed: dict[str, str] = {}
        for entry, label in entries:
            try:
                fits[label] = fitter(entry)(series)
            except LifecycleError as exc:
                if entry is NO_CHANGE:
                    raise
                failed[label] = str(exc)
        # Definitions that narrow the span can make others unfittable there. Leave the
        # narrowing ones out only when that lets a failed definition be fitted.
        narrowing = [
            d
            for d in active
            if d is not NO_CHANGE
            and _common_span(full, [x for x in active if x is not d], func)[0] != series
        ]
        retry = [d for d in active if d.name in failed and d not in narrowing]
        if not narrowing or not retry:
            break
        wider = _common_span(full, [d for d in active if d not in narrowing], func)[0]
        rescued = []
        for d in retry:
            try:
                fitter(d)(wider)
                rescued.append(d.name)
            except LifecycleError:
                pass
        if not rescued:
            break
        for d in narrowing:
            excluded[d.name] = failed.get(d.name) or (
                f"{d.name!r} covers only part of the series; on the periods it shares with "
                f"the others, {rescued} could not be fitted, so it is left out of the "
                f"comparison (compare it alone, or on a shorter series)."
            )
    refused = {**own, **excluded, **failed}
    if refused:
        warnings.warn(
            f"{func}: {len(refused)} definition(s) could not be fitted and are listed in "
            f"Comparison.refused with the reason: {sorted(refused)}.",
            LifecycleWarning,
            stacklevel=2,
        )
    rows = []
    for entry, label in entries:
        if label not in fits:
            continue
        fit = fits[label]
        constrained = isinstance(entry, WaveDefinition) and entry.constraint is not None
        rows.append(
            {
                "definition": label,
                "n_phases": fit.definition.n_phases if isinstance(entry, int) else entry.n_phases,
                "estimated": fit.estimated_breaks,
                "loglik": fit.loglik,
                "n_params": fit.n_params,
                "n_params_detail": fit.n_params_detail,
                "mean_params_": fit.n_params - fit.n_break_params,
                "constrained_": constrained,
                "entry_": entry,
            }
        )
    table = pd.DataFrame(rows)
    table["AIC"] = aic(table["loglik"], table["n_params"])
    table["dAIC"] = table["AIC"] - table["AIC"].min()
    w = np.exp(-0.5 * table["dAIC"])
    table["akaike_weight"] = w / w.sum()
    table["BIC"] = bic(table["loglik"], table["n_params"], series.n_obs)
    ref = table.loc[table["definition"] == NO_CHANGE.name].iloc[0]
    lr, df_, pv, valid, notes = [], [], [], [], []
    for r in table.itertuples(index=False):
        if r.definition == NO_CHANGE.name:
            lr.append(np.nan)
            df_.append(np.nan)
            pv.append(np.nan)
            valid.append(True)
            notes.append("reference")
            continue
        stat = max(2 * (r.loglik - ref["loglik"]), 0.0)
        dof = int(r.mean_params_ - ref["mean_params_"])
        lr.append(stat)
        df_.append(dof)
        pv.append(float(stats.chi2.sf(stat, dof)) if dof > 0 else np.nan)
        ok = not (r.estimated or r.constrained_)
        valid.append(ok)
        notes.append(
            ""
            if ok
            else "break years estimated"
            + (" under a shape constraint" if r.constrained_ else "")
            + ": the chi2 reference is not valid (nominal p shown)"
        )
    table["lr_stat"] = lr
    table["lr_df"] = df_
    table["lr_p_value"] = pv
    table["lr_valid"] = valid
    table["note"] = notes
    if loo:
        scores, undef = [], []
        for i, r in enumerate(table.itertuples(index=False)):
            cost = search_cost(series, r.entry_, family, shape) * series.n_obs
            if cost > _MAX_LOO_FITS:
                scores.append(np.nan)
                undef.append(0)
                table.loc[i, "note"] = "; ".join(
                    x
                    for x in (
                        table.loc[i, "note"],
                        f"LOO skipped: {cost} refits of searched segmentations "
                        f"(more than {_MAX_LOO_FITS})",
                    )
                    if x
                )
                continue
            score, n_undef, note = _loo(series, fitter(r.entry_))
            scores.append(score)
            undef.append(n_undef)
            if note:
                table.loc[i, "note"] = "; ".join(x for x in (table.loc[i, "note"], note) if x)
        table["loo_log_score"] = scores
        table["loo_undefined"] = undef
    else:
        table["loo_log_score"] = np.nan
        table["loo_undefined"] = np.nan
    table = table.drop(columns=["mean_params_", "constrained_", "entry_"])
    table = table.sort_values("AIC", kind="stable").reset_index(drop=True)
    cols = [
        "definition",
        "n_phases",
        "estimated",
        "loglik",
        "n_params",
        "n_params_detail",
        "AIC",
        "dAIC",
        "akaike_weight",
        "BIC",
        "lr_stat",
        "lr_df",
        "lr_p_value",
        "lr_valid",
        "loo_log_score",
        "loo_undefined",
        "note",
    ]
    table = table[cols]
    return Comparison(
        table=table,
        fits=fits,
        family=family,
        shape=shape,
        notes=(
            *((span_note,) if span_note else ()),
            f"n = {series.n_obs} observations; BIC uses this n",
            "n_params counts shape parameters + measure levels + NB alpha + estimated break years",
        ),
        refused=refused,
    )

"""Comparison of wave definitions: Bayesian marginal likelihoods, AICc, leave-one-out.

Every definition gets a row. Each is fitted to the same observations (see
:mod:`lifecycle.inference.coverage` for the span policy, announced in ``notes`` and the
``compared_on`` column), and scored three ways:

* **Bayesian** (the primary ranking): the marginal likelihood under the stated proper
  priors of :mod:`lifecycle.inference.bayes`, integrating over what a definition leaves
  open (admissible years of a boundary written in words; estimated break positions),
  posterior probabilities (equal prior probabilities unless given), the Bayes factor
  against "no change", and the posterior probabilities under a vaguer rate prior (the
  prior-sensitivity line).
* **AICc** (Hurvich and Tsai 1989) with Akaike weights; each *estimated* break year
  counts as three parameters (the AIC penalty of a change point is about 6, not 2:
  Ninomiya 2005, 2015). A row with as many parameters as observations (or more) is
  flagged ``too_many_params`` and gets no weight; AICc is undefined where ``n - k - 1
  <= 0`` and such rows get no weight either. BIC counts each break year once.
* **Leave-one-out** log predictive score ``Σ_i log p(y_i | fit without i)``; NaN
  (``loo_undefined``) when leaving an observation out empties a phase. Estimated rows
  are searched again on each of the ``n`` shortened series (the same search as the
  row's fit). Step searches of one exact measure reuse the full series' segment tables
  (only segments straddling the left-out observation are recomputed) and are always
  run; a search that fits every segmentation (other shapes, intervals, several
  measures) is skipped when ``n`` times its fits exceed 5,000, and the row says so and
  what it would cost.
* **LR test** ``2 (ℓ - ℓ_0)`` against no change, referred to χ² with the difference in
  mean parameters; not valid where break years were estimated or a shape constraint was
  imposed (``lr_valid`` False, nominal p shown).

References
----------
Hurvich, C. M. and Tsai, C.-L. (1989). Regression and time series model selection in
small samples. *Biometrika* 76: 297–307.
Ninomiya, Y. (2005). Information criterion for Gaussian change-point model. *Statistics &
Probability Letters* 72: 237–247.
Ninomiya, Y. (2015). Change-point model selection via AIC. *Annals of the Institute of
Statistical Mathematics* 67: 943–961.
Kass, R. E. and Raftery, A. E. (1995). Bayes factors. *JASA* 90: 773–795.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from lifecycle._core.criteria import aic, aicc, bic
from lifecycle._core.errors import (
    FitError,
    LifecycleError,
    LifecycleWarning,
    ParameterError,
)
from lifecycle._core.present import print_summary as _print_summary
from lifecycle._core.present import repr_with
from lifecycle._core.validation import check_choice
from lifecycle.inference.bayes import (
    BayesPrior,
    MarginalLikelihood,
    dated_log_ml_priors,
    posterior_probabilities,
)
from lifecycle.inference.bayes_breaks import estimated_log_ml_priors
from lifecycle.inference.coverage import (
    SPANS,
    common_span,
    drop_empty_phases,
    extend_to_series,
    mixed_only_phases,
    phase_index,
)
from lifecycle.inference.hyper import DEFAULT_RATE_MEAN_RANGE
from lifecycle.inference.loo import _dated_refit, _light_refit, _loo
from lifecycle.models import (
    FAMILY_OPTIONS,
    METHODS,
    SHAPES,
    WaveFit,
    admissible_variants,
    as_definition,
    best_segmentation,
    check_series,
    fit_waves,
    resolve_family,
    search_cost,
)
from lifecycle.models.step_search import step_search_applies
from lifecycle.models.waves import CONVENTIONAL, NO_CHANGE, WaveDefinition
from lifecycle.series.countseries import CountSeries, to_label

__all__ = ["BREAK_PARAMS", "DATA_DRIVEN", "Comparison", "compare_waves"]

#: Leave-one-out of a search that fits every segmentation: at most this many fits in all.
_MAX_LOO_FITS = 5000
#: Parameters an estimated break year counts for in AIC and AICc (Ninomiya 2005, 2015).
BREAK_PARAMS = 3
#: The default set on a user's series: no change, best 2-, 3- and 4-phase segmentations,
#: the conventional single rise and fall. Never a document's dates.
DATA_DRIVEN: tuple[Any, ...] = (NO_CHANGE, 2, 3, 4, CONVENTIONAL)

_COLUMNS = [
    "definition",
    "n_phases",
    "estimated",
    "compared_on",
    "loglik",
    "n_params",
    "k_aic",
    "n_params_detail",
    "AIC",
    "dAIC",
    "AICc",
    "dAICc",
    "akaike_weight",
    "too_many_params",
    "BIC",
    "lr_stat",
    "lr_df",
    "lr_p_value",
    "lr_valid",
    "loo_log_score",
    "loo_undefined",
    "log_ml",
    "log_ml_error",
    "ml_method",
    "posterior_prob",
    "bayes_factor",
    "posterior_prob_alt",
    "status",
    "note",
]


@dataclass(frozen=True)
class Comparison:
    """Several wave definitions fitted to one series, side by side.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per definition (see :func:`compare_waves`), every definition included.
    fits : dict of str to WaveFit
        Maximum-likelihood fits of the rows that have one.
    family, shape : str
    notes : tuple of str
        The span compared and what was left out or extended, the priors, the rules.
    refused : dict of str to str
        Definitions for which nothing could be computed (their row says why too).
    span : str
        The periods compared (``"2014–2023"``).
    left_out : tuple
        Periods of the series left out of every fit (empty with ``span="extend"``).
    prior : str
        The priors in words.
    sensitivity : str
        The prior-sensitivity line.
    """

    table: pd.DataFrame
    fits: dict[str, WaveFit]
    family: str
    shape: str
    notes: tuple[str, ...] = ()
    refused: dict[str, str] = field(default_factory=dict)
    span: str = ""
    left_out: tuple[Any, ...] = ()
    prior: str = ""
    sensitivity: str = ""

    _repr_extra = ("best",)
    __repr__ = repr_with(*_repr_extra)
    print_summary = _print_summary

    def plot(self, ax: Any = None) -> Any:
        """The series with the fit of the best definition and its phases.

        See :func:`lifecycle.plotting.plot_best_fit` (matplotlib is imported on this call).
        """
        from lifecycle.plotting import plot_best_fit

        return plot_best_fit(self, ax=ax)

    def summary(self) -> pd.DataFrame:
        """The comparison table (a copy), best first (posterior probability, then AICc)."""
        out = self.table.copy()
        out.attrs["notes"] = list(self.notes)
        return out

    @property
    def best(self) -> str:
        """Name of the best-ranked definition that has a maximum-likelihood fit."""
        for name in self.table["definition"]:
            if name in self.fits:
                return str(name)
        return str(self.table["definition"].iloc[0])

    def text(self) -> str:
        """The comparison in a few sentences (for printing and reports)."""
        t = self.table
        lines = []
        if t["posterior_prob"].notna().any():
            top = t.loc[t["posterior_prob"].idxmax()]
            lines.append(
                f"Highest posterior probability: '{top['definition']}' "
                f"({top['posterior_prob']:.2f}; Bayes factor {top['bayes_factor']:.3g} against "
                f"no change)."
            )
        ok = t[t["akaike_weight"].notna()]
        if len(ok):
            top = ok.loc[ok["AICc"].idxmin()]
            lines.append(
                f"Smallest AICc: '{top['definition']}' (Akaike weight {top['akaike_weight']:.2f})."
            )
        lines.append(f"Compared on {self.span}.")
        lines += list(self.notes)
        return "\n".join(lines)


# ====================================================================== one row
@dataclass
class _Row:
    label: str
    entry: Any  # WaveDefinition (dated or estimated) or int (best k-phase segmentation)
    n_phases: int
    estimated: bool
    fit: WaveFit | None = None
    fit_def: WaveDefinition | None = None
    ml: MarginalLikelihood | None = None
    ml_alt: MarginalLikelihood | None = None
    notes: list[str] = field(default_factory=list)


def _label(entry: Any) -> str:
    if isinstance(entry, int):
        return f"best segmentation ({entry} phases, estimated)"
    return entry.name


def _fit_row(
    row: _Row, series: CountSeries, family: str, shape: str, method: str, span: str
) -> None:
    """The maximum-likelihood fit of one row (or the reason there is none, in its notes)."""
    entry = row.entry
    try:
        if isinstance(entry, int):
            row.fit = best_segmentation(series, entry, family, shape, method=method)
            return
        if entry.estimated:
            row.fit = fit_waves(series, entry, family, shape, method=method)
            return
        d = entry
        if span == "extend":
            d, note = extend_to_series(d, series)
            if note:
                row.notes.append(note)
        reduced, empty = drop_empty_phases(d, series)
        for name in empty:
            row.notes.append(
                f"phase {name!r} has no data: its rate is not identified (posterior = prior) "
                f"and carries no parameter"
            )
        for name in mixed_only_phases(reduced, series):
            row.notes.append(
                f"phase {name!r} has no data of its own (seen only in windows that mix it with "
                f"other phases): its rate is barely identified; the marginal likelihood "
                f"integrates it over its prior"
            )
        row.fit_def = reduced
        row.fit = fit_waves(series, reduced, family, shape, method=method, identified_part=True)
        row.notes += _unidentified_notes(row.fit)
    except LifecycleError as exc:
        row.notes.append(f"no maximum-likelihood fit: {exc}")


def _unidentified_notes(fit: WaveFit) -> list[str]:
    """Notes on what a partial (identified-part) maximum-likelihood fit leaves open."""
    if not fit.unidentified:
        return []
    rank = f"AIC counts the information's rank, {fit.n_params - fit.n_break_params} parameters"
    out = [
        f"phase {ph!r} is not identified by the maximum-likelihood fit (no measure and no "
        f"ratio to another phase pins its rate): the log-likelihood is maximised over what "
        f"the data identify; {rank}"
        for ph in fit.unidentified_phases
    ]
    if not fit.unidentified_phases:
        out.append(
            f"the maximum-likelihood fit identifies only combinations of "
            f"{', '.join(fit.unidentified)}; {rank}"
        )
    return out


def _bayes_row(
    row: _Row,
    series: CountSeries,
    family: str,
    priors: tuple[BayesPrior, ...],
    span: str,
    seed: int,
) -> list[MarginalLikelihood]:
    """Marginal likelihoods of one row under each of ``priors`` (raises LifecycleError).

    A dated row's priors share each importance sampler (:func:`dated_log_ml_priors`);
    an estimated row's share the grid and segment tables (:func:`estimated_log_ml_priors`).
    """
    entry = row.entry
    if isinstance(entry, int):
        return estimated_log_ml_priors(series, entry, family, priors, seed=seed)
    if entry.estimated:
        return estimated_log_ml_priors(
            series, entry.n_phases, family, priors, constraint=entry.constraint, seed=seed
        )
    out = []
    W = series.design_matrix().toarray()
    covered = W.sum(axis=0) > 0
    seen: dict[bytes, list[MarginalLikelihood]] = {}
    for v in admissible_variants(entry):
        if span == "extend":
            v, _ = extend_to_series(v, series)
        ph = phase_index(v, series)
        if np.any(covered & (ph < 0)):
            raise FitError(f"the phases of {v.name!r} do not cover every observed period")
        # variants that split the observations alike have the same marginal likelihood
        key = np.stack([W[:, ph == j].sum(axis=1) for j in range(v.n_phases)], axis=1)
        key = key[:, key.any(axis=0)].tobytes()
        if key not in seen:
            seen[key] = dated_log_ml_priors(series, ph, v.phase_names, family, priors, seed=seed)
        out.append(seen[key])
    return [_variant_average([o[i] for o in out]) for i in range(len(priors))]


def _variant_average(out: list[MarginalLikelihood]) -> MarginalLikelihood:
    """The marginal likelihood averaged over admissible boundary years (equal weight)."""
    if len(out) == 1:
        return out[0]
    vals = np.array([m.log_ml for m in out])
    return MarginalLikelihood(
        float(special.logsumexp(vals) - math.log(len(vals))),
        max(m.error for m in out),
        out[0].method,
        out[0].empty_phases,
        note=f"averaged over {len(out)} admissible boundary years (equal prior weight)",
    )


def _score_bayes(
    row: _Row, series: CountSeries, family: str, shape: str, prior: BayesPrior, span: str, seed: int
) -> None:
    if shape != "step":
        return
    alt = replace(prior, rate_shape=prior.rate_shape / 4)
    try:
        row.ml, row.ml_alt = _bayes_row(row, series, family, (prior, alt), span, seed)
    except LifecycleError as exc:
        row.notes.append(f"no marginal likelihood: {exc}")
        row.ml = row.ml_alt = None
    if row.ml is not None and row.ml.note:
        row.notes.append(row.ml.note)


# ====================================================================== table
def _nanmin(x: np.ndarray) -> float:
    """``min`` skipping NaN, NaN when there is nothing (as pandas' ``Series.min``)."""
    x = x[~np.isnan(x)]
    return float(x.min()) if x.size else np.nan


def _aicc_columns(table: dict[str, Any], n: int) -> None:
    # numpy on the columns (pandas' per-operation overhead was most of the table's time)
    k = np.asarray(table["k_aic"], dtype=float)
    ll = np.asarray(table["loglik"], dtype=float)
    a = np.asarray(aic(ll, k), dtype=float)
    table["AIC"] = a
    table["dAIC"] = a - _nanmin(a)
    c = np.asarray(aicc(ll, k, n), dtype=float)
    c = np.where(np.isfinite(c), c, np.nan)  # undefined where n <= k + 1
    table["AICc"] = c
    too_many = (k >= n) & ~np.isnan(ll)
    table["too_many_params"] = too_many
    eligible = ~np.isnan(c) & ~too_many
    d = c - _nanmin(c[eligible])
    table["dAICc"] = d
    w = np.where(eligible, np.exp(-0.5 * np.where(np.isnan(d), np.inf, d)), 0.0)
    table["akaike_weight"] = np.where(eligible, w / w.sum() if w.sum() > 0 else np.nan, np.nan)
    table["BIC"] = bic(ll, np.asarray(table["n_params"], dtype=float), n)


def _lr_columns(table: dict[str, Any]) -> None:
    names = table["definition"]
    i0 = names.index(NO_CHANGE.name) if NO_CHANGE.name in names else None
    ll0 = float(table["loglik"][i0]) if i0 is not None else np.nan
    k0 = float(table["mean_params_"][i0]) if i0 is not None else np.nan
    lr, df_, pv, valid, notes = [], [], [], [], []
    cols = ("definition", "loglik", "mean_params_", "estimated", "constrained_")
    for name, loglik, mean_params, estimated, constrained in zip(
        *(list(table[c]) for c in cols), strict=True
    ):
        if name == NO_CHANGE.name or not np.isfinite(loglik) or not np.isfinite(ll0):
            lr.append(np.nan)
            df_.append(np.nan)
            pv.append(np.nan)
            valid.append(name == NO_CHANGE.name)
            notes.append("reference" if name == NO_CHANGE.name else "")
            continue
        stat = max(2 * (loglik - ll0), 0.0)
        dof = int(mean_params - k0)
        lr.append(stat)
        df_.append(dof)
        # chi2.sf as scipy computes it (chdtrc), without its per-call overhead
        pv.append(float(special.chdtrc(dof, stat)) if dof > 0 else np.nan)
        ok = not (estimated or constrained)
        valid.append(ok)
        notes.append(
            ""
            if ok
            else "break years estimated"
            + (" under a shape constraint" if constrained else "")
            + ": the chi2 reference is not valid (nominal p shown)"
        )
    table["lr_stat"] = lr
    table["lr_df"] = df_
    table["lr_p_value"] = pv
    table["lr_valid"] = valid
    table["note"] = [
        "; ".join(x for x in (a, b) if x) for a, b in zip(notes, table["note"], strict=True)
    ]


def _bayes_columns(table: dict[str, Any], rows: list[_Row], prior_probs: Any) -> None:
    lm = np.array([np.nan if r.ml is None else r.ml.log_ml for r in rows])
    alt = np.array([np.nan if r.ml_alt is None else r.ml_alt.log_ml for r in rows])
    pp = None
    if prior_probs is not None:
        pp = np.array([float(prior_probs.get(r.label, 1.0)) for r in rows])
    table["log_ml"] = lm
    table["log_ml_error"] = [np.nan if r.ml is None else r.ml.error for r in rows]
    table["ml_method"] = ["" if r.ml is None else r.ml.method for r in rows]
    table["posterior_prob"] = posterior_probabilities(lm, pp)
    table["posterior_prob_alt"] = posterior_probabilities(alt, pp)
    names = table["definition"]
    with np.errstate(over="ignore"):
        table["bayes_factor"] = (
            np.exp(lm - float(lm[names.index(NO_CHANGE.name)]))
            if NO_CHANGE.name in names
            else np.nan
        )


def _loo_column(
    table: dict[str, Any],
    rows: list[_Row],
    series: CountSeries,
    family: str,
    shape: str,
    method: str,
) -> None:
    scores = [np.nan] * len(rows)
    undef: list[float] = [np.nan] * len(rows)
    todo, refits = [], []
    tables = step_search_applies(series, shape)
    for j, r in enumerate(rows):
        if r.fit is None:
            continue
        entry = r.fit_def if r.fit_def is not None else r.entry
        searched = isinstance(entry, int) or entry.estimated
        if searched and not tables:
            # every segmentation is fitted: n searches of that many fits each
            cost = search_cost(series, entry, family, shape) * series.n_obs
            if cost > _MAX_LOO_FITS:
                undef[j] = 0
                r.notes.append(
                    f"LOO skipped: it would fit {cost:,} segmentations ({series.n_obs} "
                    f"searches of {cost // series.n_obs:,}), more than {_MAX_LOO_FITS:,}; "
                    f"the step shape searches by segment tables and has no such limit"
                )
                continue
        if searched and tables:
            refit = _light_refit(entry, family, method)
        elif isinstance(entry, int):
            refit = lambda s, k=entry: best_segmentation(s, k, family, shape, method=method)  # noqa: E731
        elif not entry.estimated:
            refit = _dated_refit(entry, family, shape, method, series)
        else:
            refit = lambda s, d=entry: fit_waves(  # noqa: E731
                s, d, family, shape, method=method, identified_part=not d.estimated
            )
        todo.append(j)
        refits.append(refit)
    for j, (score, n_undef, note) in zip(todo, _loo(series, refits), strict=True):
        scores[j] = score
        undef[j] = n_undef
        if note:
            rows[j].notes.append(note)
    table["loo_log_score"] = scores
    table["loo_undefined"] = undef


def _check_definitions(definitions: Any, func: str) -> list[Any]:
    if definitions is None:
        return list(DATA_DRIVEN)
    if isinstance(definitions, (str, WaveDefinition)):
        definitions = [definitions]
    entries = [d if isinstance(d, int) else as_definition(d, func) for d in definitions]
    if not entries:
        raise ParameterError(
            f"The 'definitions' parameter of {func} must hold at least one definition. Got none."
        )
    names = [_label(d) for d in entries]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ParameterError(
            f"The definitions passed to {func} must have distinct names. Got {dup} twice."
        )
    if NO_CHANGE.name not in names:
        entries = [NO_CHANGE, *entries]
    return entries


def _rows_frame(rows: list[_Row], span_text: str) -> dict[str, Any]:
    """The fitted rows' columns (lists; the table is made once all columns are in)."""
    recs = []
    for r in rows:
        f = r.fit
        n_breaks = 0 if f is None else f.n_break_params
        recs.append(
            {
                "definition": r.label,
                "n_phases": r.n_phases,
                "estimated": r.estimated,
                "compared_on": span_text,
                "loglik": np.nan if f is None else f.loglik,
                "n_params": np.nan if f is None else f.n_params,
                "k_aic": np.nan if f is None else f.n_params + (BREAK_PARAMS - 1) * n_breaks,
                "n_params_detail": ""
                if f is None
                else f.n_params_detail
                + (f"; each break counts {BREAK_PARAMS} in AIC/AICc" if n_breaks else ""),
                "mean_params_": np.nan if f is None else f.n_params - f.n_break_params,
                "constrained_": isinstance(r.entry, WaveDefinition)
                and r.entry.constraint is not None,
                "note": "",
            }
        )
    return {c: [rec[c] for rec in recs] for c in recs[0]}


# ====================================================================== compare_waves
def compare_waves(
    series: CountSeries,
    definitions: Sequence[WaveDefinition | str | int] | None,
    family: str = "auto",
    shape: str = "step",
    *,
    include_estimated: bool = True,
    loo: bool = True,
    method: str = "auto",
    span: str = "extend",
    bayes: bool = True,
    prior: BayesPrior | None = None,
    prior_probs: dict[str, float] | None = None,
    seed: int = 0,
) -> Comparison:
    """Compare wave definitions on one series; every definition gets a row.

    Parameters
    ----------
    series : CountSeries
    definitions : sequence of WaveDefinition, str or int, or None
        Definitions, registry names, or an int ``k`` for the best data-driven
        segmentation into ``k`` phases. ``None``: the data-driven set
        :data:`DATA_DRIVEN` (no change, best 2/3/4-phase segmentations, the
        conventional rise and fall), never a document's dates. ``"no change"`` is
        always added as the reference.
    family : {"auto", "poisson", "negbin"}
        ``"auto"``: one family for every row, chosen on the compared series by
        :func:`lifecycle.models.choose_family` (NB2 when the likelihood-ratio test of
        ``alpha = 0`` rejects at 5%); the reason is in ``notes``.
    shape : {"step", "trend", "broken_stick"}
        The Bayesian columns exist for ``"step"`` only (NaN otherwise).
    include_estimated : bool
        For each distinct number of phases ``k >= 2`` among dated definitions, add the
        best data-driven segmentation into ``k`` phases.
    loo : bool
        Whether to compute the leave-one-out log score.
    method : {"auto", "glm", "likelihood"}
    span : {"extend", "common"}
        How definitions that do not cover the whole series are applied (see
        :mod:`lifecycle.inference.coverage`); either way ``notes`` and ``compared_on``
        say what was compared, extended or left out.
    bayes : bool
        Whether to compute marginal likelihoods and posterior probabilities.
    prior : BayesPrior, optional
        Priors of the marginal likelihoods (default :class:`BayesPrior()`).
    prior_probs : dict of str to float, optional
        Prior probability (unnormalised) of each definition by row name; default equal.
    seed : int
        Seed of the Monte Carlo parts of the marginal likelihoods (importance sampling,
        the unimodal constraint); same seed, same numbers.

    Returns
    -------
    Comparison
        ``summary()`` columns: ``definition, n_phases, estimated, compared_on, loglik,
        n_params, k_aic, n_params_detail, AIC, dAIC, AICc, dAICc, akaike_weight,
        too_many_params, BIC, lr_stat, lr_df, lr_p_value, lr_valid, loo_log_score,
        loo_undefined, log_ml, log_ml_error, ml_method, posterior_prob, bayes_factor,
        posterior_prob_alt, status, note`` — best first (posterior probability, then
        AICc). ``posterior_prob_alt`` uses a rate prior four times vaguer (Gamma shape
        divided by 4, the same prior of the shared mean); the sensitivity line names
        both priors. Where the marginal likelihood is importance-sampled, the vaguer
        prior's reweights the same draws (its own Monte Carlo error; a sampler of its
        own where the reused draws do not cover it: :func:`dated_log_ml_priors`).
        ``k_aic`` counts each estimated break as :data:`BREAK_PARAMS`.

    Notes
    -----
    The LR test and the leave-one-out score are described in the module docstring.

    Raises
    ------
    DefinitionError
        With ``span="common"``, if the definitions share no period or a window
        straddles the common span's edge.
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
    family = check_choice("family", family, FAMILY_OPTIONS, func=func)
    shape = check_choice("shape", shape, SHAPES, func=func)
    method = check_choice("method", method, METHODS, func=func)
    span = check_choice("span", span, SPANS, func=func)
    prior = BayesPrior() if prior is None else prior
    if not isinstance(prior, BayesPrior):
        raise TypeError(f"The 'prior' parameter of {func} must be a BayesPrior. Got {prior!r}.")
    entries = _check_definitions(definitions, func)
    if include_estimated and definitions is not None:
        entries += _estimated_references(entries)
    return _compare(
        series, entries, family, shape, method, span, prior, prior_probs, seed, loo=loo, bayes=bayes
    )


def _compare(
    series: CountSeries,
    entries: list[Any],
    family: str,
    shape: str,
    method: str,
    span: str,
    prior: BayesPrior,
    prior_probs: Any,
    seed: int,
    *,
    loo: bool,
    bayes: bool,
) -> Comparison:
    """The body of :func:`compare_waves` on validated arguments."""
    func = "compare_waves"
    full = series
    notes: list[str] = []
    if span == "common":
        series, note = common_span(full, [e for e in entries if not isinstance(e, int)], func)
        if note:
            notes.append(note)
    family, choice = resolve_family(series, family, func)  # one family for every row
    if choice.requested == "auto":
        notes.append(f"family chosen by the data: {choice.reason}")
    rows = [
        _Row(
            _label(e),
            e,
            e if isinstance(e, int) else e.n_phases,
            isinstance(e, int) or e.estimated,
        )
        for e in entries
    ]
    for r in rows:
        _fit_row(r, series, family, shape, method, span)
        if bayes:
            _score_bayes(r, series, family, shape, prior, span, seed)
    if rows[0].fit is None and (rows[0].ml is None or not bayes):
        # "no change" cannot be fitted: the series itself is the problem
        fit_waves(series, NO_CHANGE, family, shape, method=method)
    span_text = _span(series)
    table = _table(rows, series, family, shape, method, loo=loo, bayes=bayes, pp=prior_probs)
    refused = _status_column(table, rows)
    if refused:
        warnings.warn(
            f"{func}: nothing could be computed for {len(refused)} definition(s); their rows "
            f"say why: {sorted(refused)}.",
            LifecycleWarning,
            stacklevel=3,
        )
    table = _sorted(table)[_COLUMNS]
    fits = {r.label: r.fit for r in rows if r.fit is not None}
    notes += _notes(rows, series, full, span)
    prior_text = prior.describe(series, family) if bayes and shape == "step" else ""
    sens = (
        _sensitivity(table, _sensitivity_prior(prior, series)) if bayes and shape == "step" else ""
    )
    notes += [x for x in (prior_text and "priors: " + prior_text, sens) if x]
    notes += [f"n = {series.n_obs} observations; BIC uses this n", _COUNT_RULE]
    left = () if series is full else _left_out(full, series)
    return Comparison(
        table=table.reset_index(drop=True),
        fits=fits,
        family=family,
        shape=shape,
        notes=tuple(notes),
        refused=refused,
        span=span_text,
        left_out=left,
        prior=prior_text,
        sensitivity=sens,
    )


_COUNT_RULE = (
    f"n_params counts shape parameters + measure levels + NB alpha + estimated break "
    f"years; k_aic counts each estimated break year as {BREAK_PARAMS} (Ninomiya 2005, "
    f"2015); rows with k_aic >= n or undefined AICc get no Akaike weight"
)


def _table(
    rows: list[_Row],
    series: CountSeries,
    family: str,
    shape: str,
    method: str,
    *,
    loo: bool,
    bayes: bool,
    pp: Any,
) -> pd.DataFrame:
    """The comparison table of the scored rows (notes and status added by the caller)."""
    table = _rows_frame(rows, _span(series))
    _aicc_columns(table, series.n_obs)
    _lr_columns(table)
    if loo:
        _loo_column(table, rows, series, family, shape, method)
    else:
        table["loo_log_score"] = np.nan
        table["loo_undefined"] = np.nan
    if bayes and shape == "step":
        _bayes_columns(table, rows, pp)
    else:
        for c in ("log_ml", "log_ml_error", "posterior_prob", "posterior_prob_alt", "bayes_factor"):
            table[c] = np.nan
        table["ml_method"] = ""
    return pd.DataFrame(table)


def _estimated_references(entries: list[Any]) -> list[int]:
    """Numbers of phases of the dated definitions not yet among the estimated entries."""
    have = {e for e in entries if isinstance(e, int)}
    ks = {
        e.n_phases
        for e in entries
        if isinstance(e, WaveDefinition) and not e.estimated and e.n_phases >= 2
    }
    return sorted(ks - have)


def _status_column(table: pd.DataFrame, rows: list[_Row]) -> dict[str, str]:
    """Notes joined into ``note``, ``status`` per row; the rows with nothing computed."""
    refused = {}
    status = []
    notes = table["note"].tolist()
    for i, r in enumerate(rows):
        notes[i] = "; ".join(x for x in (notes[i], *r.notes) if x)
        if r.fit is None and r.ml is None:
            refused[r.label] = "; ".join(r.notes) or "not computed"
            status.append("not computed: " + refused[r.label])
        else:
            status.append("ok")
    table["note"] = notes
    table["status"] = status
    return refused


def _span(series: CountSeries) -> str:
    a = to_label(int(series.start.min()), series.freq)
    b = to_label(int(series.end.max()), series.freq)
    return f"{a}–{b}, {series.n_obs} observations"


def _left_out(full: CountSeries, part: CountSeries) -> tuple[Any, ...]:
    kept = set(part.grid.tolist())
    return tuple(to_label(int(o), full.freq) for o in full.grid if int(o) not in kept)


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    """Rows by posterior probability (highest first), then AICc, then AIC (stable)."""

    def col(name: str, fill: float) -> np.ndarray:
        x = table[name].astype(float).to_numpy()
        return np.where(np.isnan(x), fill, x)

    order = np.lexsort((col("AIC", np.inf), col("AICc", np.inf), -col("posterior_prob", -1.0)))
    return table.iloc[order]


def _notes(rows: list[_Row], series: CountSeries, full: CountSeries, span: str) -> list[str]:
    out = []
    if span == "extend":
        ext = [
            f"{r.label}: {n}"
            for r in rows
            for n in r.notes
            if "taken back" in n or "carried on" in n
        ]
        out.append(
            f"compared on the whole series ({_span(series)}); nothing left out"
            + (": " + "; ".join(ext) if ext else "")
        )
    empty = [f"{r.label}: {n}" for r in rows for n in r.notes if "has no data" in n]
    out += empty
    return out


def _sensitivity_prior(prior: BayesPrior, series: CountSeries) -> str:
    """The two priors of the sensitivity line in a few words (shape a -> a/4, and M)."""
    a = prior.rate_shape
    shapes = f"rate prior 4x vaguer: Gamma shape {a:g} -> {a / 4:g}"
    rng = prior.hyper_range(series)
    if rng is None:
        return f"{shapes}, mean {prior.mean_for(series):.4g} per period"
    if prior.rate_mean_range is None:
        lo, hi = DEFAULT_RATE_MEAN_RANGE
        return f"{shapes}, shared mean log-uniform on [{lo:g}, {hi:g}] per year"
    return f"{shapes}, shared mean log-uniform on [{rng[0]:g}, {rng[1]:g}] per period"


def _sensitivity(table: pd.DataFrame, what: str = "rate prior 4x vaguer") -> str:
    """One line: the posterior probabilities under the vaguer prior, and whether the best moves."""
    # plain arrays: pandas' per-row access was most of this line's time in the report
    p = table["posterior_prob"].to_numpy(dtype=float)
    q = table["posterior_prob_alt"].to_numpy(dtype=float)
    names = table["definition"].tolist()
    ok = np.flatnonzero(~np.isnan(p) & ~np.isnan(q))
    if not ok.size:
        return ""
    best = names[ok[np.argmax(p[ok])]]
    best_alt = names[ok[np.argmax(q[ok])]]
    shown = ", ".join(f"{names[i]} {p[i]:.2f}→{q[i]:.2f}" for i in ok)
    verdict = (
        f"the best definition stays '{best}'"
        if best == best_alt
        else f"the best definition changes from '{best}' to '{best_alt}'"
    )
    return f"prior sensitivity ({what}): {verdict}; posterior {shown}"

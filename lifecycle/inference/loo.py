"""Leave-one-out log predictive scores of the comparison's rows.

``Σ_i log p(y_i | fit without i)``: each row is fitted again on the ``n`` shortened
series (searched again when its breaks are estimated) and the left-out count is scored
under that fit. The step searches of the estimated rows on all ``n`` shortened series
run in lockstep (:func:`lifecycle.models.searches_without_each`, taking the steps each
would take alone); a dated step row of exact single-period counts is refitted on all
``n`` shortened series in one stack (:func:`lifecycle.models.step_fits.step_fits`, the
engine's iteration), other dated rows one shortened series at a time (as is any fit the
stack leaves to the engine).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from lifecycle._core.errors import ConvergenceWarning, FitError, InputError
from lifecycle._core.likelihood import interval_logprob
from lifecycle.models import build_design, estimate, fit_waves, search, searches_without_each
from lifecycle.models.step_fits import StepFit, step_fits
from lifecycle.models.step_search import step_search_applies
from lifecycle.series.countseries import CountSeries

__all__: list[str] = []


def _drop(series: CountSeries, i: int) -> CountSeries:
    return series.take([j for j in range(series.n_obs) if j != i])


def _predict_logprob(fit: Any, series: CountSeries, i: int) -> float:
    """Log predictive probability of observation ``i`` of ``series`` under ``fit``.

    ``fit``: a :class:`WaveFit`, or ``(definition, estimate)`` of one measure from
    :func:`_light_refit` (mean parameters first, ``log alpha`` last for NB).
    """
    if isinstance(fit, tuple) and isinstance(fit[1], StepFit):
        return _predict_step(fit[1], series, i)
    if isinstance(fit, tuple):
        _, est = fit
        X, beta = est.prob.design.X, est.theta[: est.prob.design.X.shape[1]]
        family = est.prob.family
        alpha = 0.0 if family != "negbin" or est.alpha_boundary else float(np.exp(est.theta[-1]))
        measures, grid_start, params = [series.measure[i]], int(est.prob.design.grid[0]), None
    else:
        X, beta = fit._X, fit.params.to_numpy()[: fit._X.shape[1]]
        family, alpha = fit.family, fit.dispersion or 0.0
        measures, grid_start, params = fit.series.measures, fit.series.grid_start, fit.params
    m = series.measure[i]
    if m not in measures:
        raise FitError(f"measure {m!r} has no other observation")
    level = 0.0 if m == measures[0] else float(params[f"level[{m}]"])
    cols = np.arange(series.start[i], series.end[i] + 1) - grid_start
    used = np.any(X[cols] != 0, axis=0)
    if np.isnan(level) or np.any(np.isnan(beta[used])):
        raise FitError("its mean depends on a parameter the other observations do not identify")
    lam = np.exp(X[cols][:, used] @ beta[used] + level)
    return _logprob_of(series, i, lam, family, alpha)


def _logprob_of(series: CountSeries, i: int, lam: np.ndarray, family: str, alpha: float) -> float:
    """Log probability of observation ``i`` given the rates ``lam`` of its periods."""
    mu = float(np.sum(series.weights[i] * lam))
    lo, hi = np.array([series.low[i]]), np.array([series.high[i]])
    return float(interval_logprob(lo, hi, np.array([mu]), family, alpha)[0])


def _predict_step(fit: StepFit, series: CountSeries, i: int) -> float:
    """:func:`_predict_logprob` of a :class:`StepFit` (the step design's one-hot rows:
    each period's log rate is its phase's, 0 outside every phase as a zero row gives)."""
    assert fit.phase_of is not None
    cols = np.arange(series.start[i], series.end[i] + 1) - series.grid_start
    ph = fit.phase_of[cols]
    lam = np.exp(np.where(ph >= 0, fit.theta[np.maximum(ph, 0)], 0.0))
    return _logprob_of(series, i, lam, fit.family, fit.alpha)


def _loo(series: CountSeries, refits: list[Any]) -> list[tuple[float, int, str]]:
    """Leave-one-out scores of several rows; per row ``(score, n_undefined, note)``.

    The searches of the estimated rows (:class:`_TableRefit`) on the ``n`` shortened
    series run together (:func:`searches_without_each`), and so do the refits of a
    dated row where the stack applies (:meth:`_DatedRefit.many`); the other rows, and
    the fits the stack leaves to the engine, are refitted on each shortened series in
    turn.
    """
    totals = [0.0] * len(refits)
    undefined: list[list[str]] = [[] for _ in refits]
    drops = [_drop(series, i) for i in range(series.n_obs)]
    batched: dict[int, list[Any]] = {}
    if step_search_applies(series, "step"):
        groups: dict[tuple[str, str], list[int]] = {}
        for j, r in enumerate(refits):
            if isinstance(r, _TableRefit):
                groups.setdefault((r.family, r.method), []).append(j)
        for (family, method), js in groups.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                found = searches_without_each([refits[j].entry for j in js], family, method, drops)
            for q, j in enumerate(js):
                batched[j] = [row[q] for row in found]
    for j, r in enumerate(refits):
        if isinstance(r, _DatedRefit):
            fast = r.many(series)
            if fast is not None:
                batched[j] = fast
    for i, dropped in enumerate(drops):
        for j, refit in enumerate(refits):
            try:
                if j in batched and batched[j][i] is not None:
                    f = batched[j][i]
                    if isinstance(f, Exception):
                        raise f
                else:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", ConvergenceWarning)
                        f = refit(dropped)
                totals[j] += _predict_logprob(f, series, i)
            except (InputError, FitError) as exc:
                lab = series._window_text(i)
                undefined[j].append(f"{lab}: {str(exc).split('.')[0]}")
    out = []
    for total, undef in zip(totals, undefined, strict=True):
        if undef:
            note = (
                "LOO undefined without " + "; ".join(undef[:3]) + (" …" if len(undef) > 3 else "")
            )
            out.append((np.nan, len(undef), note))
        else:
            out.append((total, 0, ""))
    return out


@dataclass(frozen=True)
class _TableRefit:
    """An estimated row's search on a shortened series (see :func:`_light_refit`)."""

    entry: Any
    family: str
    method: str

    def __call__(self, s: CountSeries) -> Any:
        if isinstance(self.entry, int):
            k, kw = self.entry, {}
        else:
            k = self.entry.n_phases
            kw = {
                "constraint": self.entry.constraint,
                "names": self.entry.phase_names,
                "base": self.entry,
            }
        return search(s, k, self.family, "step", self.method, 0.95, estimate_only=True, **kw)[0]


def _light_refit(entry: Any, family: str, method: str) -> Any:
    """The row's search on a shortened series, returning ``(definition, estimate)``.

    The same search and the same maximum-likelihood estimate as the row's own fit
    (:func:`best_segmentation` / :func:`fit_waves`), without its standard errors and
    tables, which a predictive probability does not need. :func:`_loo` runs those of
    all shortened series together.
    """
    return _TableRefit(entry, family, method)


@dataclass(frozen=True)
class _DatedRefit:
    """A dated row's maximum-likelihood fit on a shortened series.

    One measure: ``(definition, estimate)``, the estimate :func:`fit_waves` makes (its
    identified part) without the standard errors and tables a predictive probability
    does not need; several measures: the :class:`WaveFit` (whose levels it needs).
    """

    definition: Any
    family: str
    shape: str
    method: str
    warm: tuple[np.ndarray, float | None] | None = None

    def __call__(self, s: CountSeries) -> Any:
        if len(s.measures) == 1:
            start, alpha0 = self.warm if self.warm is not None else (None, None)
            est = estimate(
                s,
                self.definition,
                self.family,
                self.shape,
                self.method,
                need_cov=False,
                identified_part=True,
                start=start,
                alpha0=alpha0,
                phase_start=True,
            )
            return (self.definition, est)
        return fit_waves(
            s, self.definition, self.family, self.shape, method=self.method, identified_part=True
        )

    def many(self, series: CountSeries) -> list[tuple[Any, StepFit] | None] | None:
        """The refits on every series without one observation of ``series``, at once.

        Step shape, exact counts of one measure, one period per observation: the
        engine's fits of all ``n`` shortened series in one stack (:func:`step_fits`);
        entry ``i`` is ``(definition, fit)`` as :meth:`__call__` on the series without
        observation ``i`` would give (to the engine's tolerance), or None where that fit
        leaves the stack's plain path (the caller then calls this refit). None when the
        stack does not apply.
        """
        if not (
            self.shape == "step"
            and self.family in ("poisson", "negbin")
            and step_search_applies(series, "step")
            and series.is_single_period
            and series.n_obs > 1
        ):
            return None
        try:
            d = build_design(series, self.definition, "step")
        except (InputError, FitError):
            return None
        ph = d.phase_of[series.start - series.grid_start]
        n = series.n_obs
        keep = ~np.eye(n, dtype=bool)
        y = np.broadcast_to(series.low, (n, n))[keep].reshape(n, n - 1)
        e = np.broadcast_to(series.exposure, (n, n))[keep].reshape(n, n - 1)
        phase = np.broadcast_to(ph, (n, n))[keep].reshape(n, n - 1)
        a0 = self.warm[1] if self.warm is not None else None
        alpha0 = np.full(n, np.nan if a0 is None else a0)
        fits = step_fits(y, e, phase, self.definition.n_phases, self.family, alpha0)
        return [
            None if f is None else (self.definition, replace(f, phase_of=d.phase_of)) for f in fits
        ]


def _dated_refit(
    definition: Any, family: str, shape: str, method: str, series: CountSeries | None = None
) -> Any:
    """The refit of a dated row on a shortened series (see :class:`_DatedRefit`).

    With ``series`` (the whole series, one measure) the refits start from its fit: the
    NB fit's ``alpha``, and for shapes other than the step the Poisson fit's mean
    parameters (a series without one observation has nearly the same estimates, so
    Newton takes fewer steps; the optimum is the same to the engine's tolerance). The
    step shape's Poisson fit starts from each phase's count over its exposure (its
    maximum).
    """
    warm = None
    if series is not None and len(series.measures) == 1:
        try:
            est = estimate(
                series, definition, family, shape, method, need_cov=False, identified_part=True
            )
        except (InputError, FitError):
            est = None
        if est is not None and est.mean_theta_poisson is not None:
            a = est.alpha_negbin
            alpha0 = float(a) if family == "negbin" and np.isfinite(a) and a > 0 else None
            theta = None if shape == "step" else np.asarray(est.mean_theta_poisson, float)
            warm = (theta, alpha0)
    return _DatedRefit(definition, family, shape, method, warm)

"""Fitting a wave regression for a dated definition: the estimate, its covariance, the result.

The model and its references are described in :mod:`lifecycle.models.regression`.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from lifecycle._core.countfit import CountFit, fit_counts
from lifecycle._core.criteria import aic, bic
from lifecycle._core.dispersion import FamilyChoice, overdispersion_test
from lifecycle._core.errors import (
    AllZeroError,
    ConvergenceWarning,
    DefinitionError,
    FitError,
    LifecycleWarning,
    ParameterError,
    TooShortError,
)
from lifecycle._core.likelihood import nb_logpmf
from lifecycle._core.renames import renamed_attribute
from lifecycle.models.design import Design, Problem, build_design
from lifecycle.models.fit_tables import FitTables, estimable
from lifecycle.models.waves import WaveDefinition, get_definition
from lifecycle.series.countseries import CountSeries, to_label

__all__ = [
    "FAMILIES",
    "FAMILY_OPTIONS",
    "METHODS",
    "SHAPES",
    "DispersionLR",
    "WaveFit",
    "as_definition",
    "check_series",
    "estimate",
    "fit_fixed",
]

FAMILIES = ("poisson", "negbin")
FAMILY_OPTIONS = ("auto", "poisson", "negbin")
SHAPES = ("step", "trend", "broken_stick")
METHODS = ("auto", "glm", "likelihood")
_MAX_FITS = 5000


@dataclass(frozen=True)
class WaveFit:
    """A count regression of a series on a wave definition.

    Attributes
    ----------
    definition : WaveDefinition
        The (dated) definition fitted; for an estimated one, the best breaks found.
    family : {"poisson", "negbin"}
    shape : {"step", "trend", "broken_stick"}
    series : CountSeries
        The data.
    method : {"glm", "likelihood"}
        Which fitting path was used (see the module docstring).
    params : pandas.Series
        Shape parameters (log scale), measure levels ``level[m]`` (log ratio to the first
        measure) and, for NB, ``alpha`` (natural scale).
    cov : pandas.DataFrame
        Covariance of ``params`` (inverse observed information).
    loglik : float
        Maximised log-likelihood (with all constants: ``-log y!`` included).
    n_params : int
        Parameters counted in AIC and BIC: shape parameters + measure levels after the
        first + NB alpha + estimated break years (``n_params_detail`` says which).
    n_params_detail : str
    n_obs : int
        Number of observations (windows); the ``n`` of BIC.
    aic, bic : float
    deviance : float
        ``2 Σ [ℓ(y_i | μ_i = y_i) - ℓ(y_i | μ_i)]`` (NB with the fitted α); NaN when some
        counts are intervals.
    pearson_dispersion : float
        Pearson ``Σ (y - μ)² / V(μ)`` over ``n`` minus the number of mean parameters;
        NaN with intervals or no residual degrees of freedom.
    dispersion : float or None
        NB2 dispersion ``alpha`` (``None`` for Poisson).
    phase_rates : pandas.DataFrame
        Rate per period (year or month) of each phase and measure, with CIs.
    rate_ratios : pandas.DataFrame
        Ratio of each phase's rate to the previous phase's, with CIs and a two-sided Wald
        p-value.
    fitted_rates : pandas.DataFrame
        Fitted rate of every grid period in a phase (for plotting).
    fitted_means : numpy.ndarray
        Fitted mean of each observation.
    n_break_params : int
        Estimated break years counted as parameters (0 for a dated definition).
    confidence : float
        Confidence level of the intervals.
    converged : bool
    notes : tuple of str
    dispersion_at_boundary : bool
        NB fitted and its dispersion at the boundary ``alpha = 0`` (then the fit is the
        Poisson fit; a warning said so).
    loglik_poisson : float
        Maximised Poisson log-likelihood of the same mean model.
    overdispersion_stat, overdispersion_p_value : float
        Likelihood-ratio test of ``alpha = 0`` under this fit's mean model:
        ``2 (l_NB - l_Poisson)`` against the null mixture ``0.5 chi2_0 + 0.5 chi2_1``.
    family_choice : FamilyChoice
        Which family was used and why (for ``family="auto"``, the test that decided).
    unidentified : tuple of str
        Parameters the data do not identify (fitted with ``identified_part=True``): the
        log-likelihood is maximal along a flat direction of the information that moves
        them; their estimates, standard errors and every rate or ratio that depends on
        them are NaN, and ``n_params`` counts the information's rank instead.
    unidentified_phases : tuple of str
        Phases whose rate (of the first measure) is not identified.
    """

    definition: WaveDefinition
    family: str
    shape: str
    series: CountSeries
    method: str
    params: pd.Series
    cov: pd.DataFrame
    loglik: float
    n_params: int
    n_params_detail: str
    n_obs: int
    aic: float
    bic: float
    deviance: float
    pearson_dispersion: float
    dispersion: float | None
    fitted_means: np.ndarray
    n_break_params: int = 0
    confidence: float = 0.95
    converged: bool = True
    notes: tuple[str, ...] = ()
    dispersion_at_boundary: bool = False
    loglik_poisson: float = np.nan
    family_choice: FamilyChoice | None = None
    unidentified: tuple[str, ...] = ()
    unidentified_phases: tuple[str, ...] = ()
    _X: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[assignment]
    _contrasts: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[assignment]
    #: ``(statistic, p_value)`` of the LR test of ``alpha = 0``, or a :class:`DispersionLR`
    #: that computes them on first use (the NB fit of a Poisson model is made only then).
    _dispersion_lr: Any = field(default=(np.nan, np.nan), repr=False, compare=False)
    #: A :class:`~lifecycle.models.fit_tables.FitTables` that builds them on first use.
    _tables: Any = field(default=None, repr=False, compare=False)

    alpha = renamed_attribute("alpha", "dispersion")

    @property
    def phase_rates(self) -> pd.DataFrame:
        """Rate per period of each phase and measure, with CIs (see the class docstring)."""
        return self._tables.get()[0]

    @property
    def rate_ratios(self) -> pd.DataFrame:
        """Ratio of each phase's rate to the previous phase's, with CIs and p-values."""
        return self._tables.get()[1]

    @property
    def fitted_rates(self) -> pd.DataFrame:
        """Fitted rate of every grid period in a phase (for plotting)."""
        return self._tables.get()[2]

    @property
    def overdispersion_stat(self) -> float:
        """``2 (l_NB - l_Poisson)`` under this fit's mean model (see the class docstring)."""
        lr = self._dispersion_lr
        return (lr() if callable(lr) else lr)[0]

    @property
    def overdispersion_p_value(self) -> float:
        """p-value of :attr:`overdispersion_stat` (null: ``0.5 chi2_0 + 0.5 chi2_1``)."""
        lr = self._dispersion_lr
        return (lr() if callable(lr) else lr)[1]

    conf_level = renamed_attribute("conf_level", "confidence")
    alpha_boundary = renamed_attribute("alpha_boundary", "dispersion_at_boundary")

    @property
    def estimated_breaks(self) -> bool:
        """Whether the break years were estimated from the series."""
        return self.n_break_params > 0

    def contrast(self, upper: str, lower: str) -> tuple[float, float]:
        """Estimate and standard error of ``log(rate[upper] / rate[lower])``."""
        names = self.definition.phase_names
        for nm in (upper, lower):
            if nm not in names:
                raise DefinitionError(
                    f"No phase named {nm!r} in {self.definition.name!r}. Phases: {names}."
                )
        c = self._contrasts[names.index(upper)] - self._contrasts[names.index(lower)]
        p = c.size
        beta = self.params.to_numpy()[:p]
        cov = self.cov.to_numpy()[:p, :p]
        return float(c @ beta), float(np.sqrt(max(c @ cov @ c, 0.0)))

    def summary(self) -> pd.DataFrame:
        """One table: phase rates, rate ratios, parameters and fit statistics.

        Columns ``section`` (``"phase rate"``, ``"rate ratio"``, ``"parameter"``,
        ``"fit"``), ``term``, ``measure``, ``estimate``, ``ci_low``, ``ci_high``,
        ``p_value``, ``note``. The ``n_params`` row says which parameters are counted.
        """
        rows = []
        for r in self.phase_rates.itertuples(index=False):
            rows.append(
                {
                    "section": "phase rate",
                    "term": f"{r.phase} ({r.years})",
                    "measure": r.measure,
                    "estimate": r.rate,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "p_value": np.nan,
                    "note": "per period; geometric mean of fitted rates over the phase",
                }
            )
        for r in self.rate_ratios.itertuples(index=False):
            rows.append(
                {
                    "section": "rate ratio",
                    "term": f"{r.to_phase} / {r.from_phase}",
                    "measure": "all",
                    "estimate": r.ratio,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "p_value": r.p_value,
                    "note": "Wald, two-sided",
                }
            )
        se = np.sqrt(np.clip(np.diag(self.cov.to_numpy()), 0, None))
        z = stats.norm.ppf(0.5 + self.confidence / 2)
        for name, est, s in zip(self.params.index, self.params.to_numpy(), se, strict=True):
            rows.append(
                {
                    "section": "parameter",
                    "term": name,
                    "measure": "",
                    "estimate": est,
                    "ci_low": est - z * s,
                    "ci_high": est + z * s,
                    "p_value": 2 * stats.norm.sf(abs(est / s)) if s > 0 else np.nan,
                    "note": "",
                }
            )
        fit_rows = [
            ("loglik", self.loglik, f"{self.method} path, family {self.family}"),
            ("n_params", self.n_params, self.n_params_detail),
            ("AIC", self.aic, "-2 loglik + 2 n_params"),
            ("BIC", self.bic, f"-2 loglik + n_params log n, n = {self.n_obs} observations"),
            ("deviance", self.deviance, "vs saturated model (NaN with intervals)"),
            ("pearson_dispersion", self.pearson_dispersion, "Pearson chi2 / (n - mean parameters)"),
        ]
        if self.dispersion is not None:
            fit_rows.append(("dispersion", self.dispersion, "NB2 alpha: var = mu + alpha mu^2"))
        fit_rows.append(
            (
                "overdispersion LR",
                self.overdispersion_stat,
                f"2 (loglik NB - loglik Poisson), p = {self.overdispersion_p_value:.3g} "
                "(null: 0.5 chi2_0 + 0.5 chi2_1)",
            )
        )
        if self.family_choice is not None:
            fit_rows.append(("family", np.nan, self.family_choice.reason))
        for term, est, note in fit_rows:
            rows.append(
                {
                    "section": "fit",
                    "term": term,
                    "measure": "",
                    "estimate": float(est),
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "p_value": np.nan,
                    "note": note,
                }
            )
        out = pd.DataFrame(rows)
        out.attrs.update(
            definition=self.definition.name,
            family=self.family,
            shape=self.shape,
            notes=list(self.notes),
        )
        return out


def _phase_identified(d: Design, j: int, null: np.ndarray | None) -> bool:
    """Whether the data say anything about phase ``j``'s rate.

    True when its rate in some measure (``log_rate + level``) or its ratio to some other
    phase is an identified combination (:func:`estimable`).
    """
    p, M = d.X.shape[1], len(d.measures)
    for m_i in range(M):
        c = np.zeros(p + M - 1)
        c[:p] = d.contrasts[j]
        if m_i > 0:
            c[p + m_i - 1] = 1.0
        if estimable(c, null):
            return True
    return any(
        estimable(d.contrasts[j] - d.contrasts[k], null) for k in range(len(d.contrasts)) if k != j
    )


def _param_detail(shape_p: int, n_meas: int, family: str, n_breaks: int, n_tied: int) -> str:
    parts = [f"{shape_p} shape parameters"]
    if n_tied:
        parts.append(f"{n_tied} shape parameters of phases tied to a neighbour (constraint)")
    parts += [f"{n_meas - 1} measure levels", f"{int(family == 'negbin')} NB alpha"]
    if n_breaks:
        parts.append(f"{n_breaks} estimated break years")
    return " + ".join(parts)


def _assemble(
    prob: Problem,
    series: CountSeries,
    definition: WaveDefinition,
    shape: str,
    method: str,
    theta: np.ndarray,
    cov_theta: np.ndarray,
    loglik: float,
    converged: bool,
    confidence: float,
    n_breaks: int,
    notes: Sequence[str],
    *,
    alpha_boundary: bool = False,
    n_tied: int = 0,
    null: np.ndarray | None = None,
) -> WaveFit:
    d = prob.design
    family = prob.family
    p, M = prob.p, len(d.measures)
    beta, gamma, alpha = prob.unpack(theta)
    # report alpha on its natural scale (delta method from log alpha)
    names = list(d.names) + [f"level[{m}]" for m in d.measures[1:]]
    values = np.concatenate([beta, gamma[1:]])
    cov = cov_theta.copy()
    if family == "negbin":
        names.append("alpha")
        values = np.append(values, alpha)
        J = np.eye(theta.size)
        J[-1, -1] = alpha
        cov = J @ cov @ J.T
        if alpha_boundary:
            cov[-1, :] = cov[:, -1] = np.nan
    n_flat = 0 if null is None else null.shape[1]
    bad = np.zeros(len(names), bool)
    if n_flat:
        bad = np.sum(null**2, axis=1) > 1e-6
        values[bad] = np.nan
        cov[bad, :] = np.nan
        cov[:, bad] = np.nan
    index = pd.Index(names)  # built once for both (pandas' string inference is slow)
    params = pd.Series(values, index=index, name="estimate")
    cov_df = pd.DataFrame(cov, index=index, columns=index)
    z = float(special.ndtri(0.5 + confidence / 2))  # stats.norm.ppf without its overhead
    tables = FitTables(d, definition, theta, cov_theta, p, z, null)
    unidentified = tuple(nm for nm, b in zip(names, bad, strict=True) if b)
    unidentified_phases = tuple(
        ph.name for j, ph in enumerate(definition.phases) if not _phase_identified(d, j, null)
    )
    mu = prob.means(theta)
    n = series.n_obs
    n_mean = p + M - 1
    if series.is_exact:
        y = series.low
        sat = nb_logpmf(y, y, alpha) if family == "negbin" else nb_logpmf(y, y, 0.0)
        fitted = nb_logpmf(y, mu, alpha)
        deviance = float(2 * np.sum(sat - fitted))
        var = mu + alpha * mu**2
        dispersion = float(np.sum((y - mu) ** 2 / var) / (n - n_mean)) if n > n_mean else np.nan
    else:
        deviance = dispersion = np.nan
    k = n_mean + int(family == "negbin") + n_breaks + n_tied - n_flat
    detail = _param_detail(p, M, family, n_breaks, n_tied)
    notes = list(notes)
    if n_flat:
        detail += f" - {n_flat} not identified (parameters counted: the information's rank)"
        notes.append(
            f"not identified by the data: {', '.join(unidentified)} (the log-likelihood is "
            f"maximal along {n_flat} flat direction{'s' * (n_flat > 1)} of the information; "
            f"only combinations of these are estimated, and {k - n_breaks - n_tied} mean "
            f"and dispersion parameters are counted, the information's rank)"
        )
    if not converged:
        notes.append("the optimiser did not reach a gradient below 1e-6")
    return WaveFit(
        definition=definition,
        family=family,
        shape=shape,
        series=series,
        method=method,
        params=params,
        cov=cov_df,
        loglik=float(loglik),
        n_params=k,
        n_params_detail=detail,
        n_obs=n,
        aic=aic(loglik, k),
        bic=bic(loglik, k, n),
        deviance=deviance,
        pearson_dispersion=dispersion,
        dispersion=alpha if family == "negbin" else None,
        fitted_means=mu,
        n_break_params=n_breaks,
        confidence=confidence,
        converged=converged,
        notes=tuple(notes),
        unidentified=unidentified,
        unidentified_phases=unidentified_phases,
        _X=d.X,
        _contrasts=d.contrasts,
        _tables=tables,
    )


# ====================================================================== fitting
def check_series(series: Any, func: str) -> CountSeries:
    if not isinstance(series, CountSeries):
        raise TypeError(
            f"The 'series' parameter of {func} must be a CountSeries. Got {type(series).__name__}."
        )
    if np.all(series.high == 0):
        raise AllZeroError(
            f"Every count of series {series.name!r} is zero; no wave model can be fitted "
            f"(every rate's MLE is 0)."
        )
    return series


def _check_zero_phases(
    series: CountSeries, d: Design, definition: WaveDefinition, shape: str = "step"
) -> None:
    """Refuse designs whose MLE runs off to infinity because of zero counts.

    * ``step`` and ``trend``: a phase whose observations all lie inside it and are all
      zero has MLE rate 0.
    * ``broken_stick``: the same for the first or last phase (its free slope diverges;
      an inner phase is held by the knots on both sides).
    * ``trend``: a phase whose non-zero counts all fall in its first (or last) observed
      period (complete separation: the slope diverges).
    """
    k = definition.n_phases
    for j, ph in enumerate(definition.phases):
        in_phase = d.phase_of == j
        touching = (d.W[:, in_phase] > 0).any(axis=1)
        inside = touching & ~(d.W[:, ~in_phase] > 0).any(axis=1)
        if not touching.any() or not np.array_equal(touching, inside):
            continue
        where = f"Phase {ph.name!r} ({ph.text()}) of {definition.name!r}"
        if np.all(series.high[touching] == 0):
            if shape != "broken_stick":
                raise FitError(
                    f"{where} has only zero counts, so its rate's MLE is 0 (log-rate -inf) and "
                    f"rate ratios are undefined."
                )
            if j in (0, k - 1):
                raise FitError(
                    f"{where} has only zero counts, so the broken-stick slope of this edge "
                    f"phase runs off to infinity (its rate's MLE is 0) and rate ratios are "
                    f"undefined. Restrict the series to periods with events or use a "
                    f"definition without this phase."
                )
        if shape == "trend" and series.is_exact:
            rows = np.flatnonzero(touching)
            first = series.start[rows] - series.grid_start
            last = series.end[rows] - series.grid_start
            pos = series.low[rows] > 0
            lo, hi = first[pos].min(), last[pos].max()
            one_period = lo == hi and np.all(first[pos] == last[pos])
            if one_period and (np.all(last[~pos] < lo) or np.all(first[~pos] > hi)):
                label = to_label(series.grid_start + lo, series.freq)
                raise FitError(
                    f"{where} has events only in {label}, at the edge of its observed "
                    f"periods (zero counts on one side only), so its log-linear slope runs "
                    f"off to infinity and the 'trend' fit does not exist. Use shape='step'."
                )


def _check_identified(
    series: CountSeries, d: Design, definition: WaveDefinition, shape: str
) -> None:
    """Refuse a design with fewer independent observation rows than shape parameters."""
    XO = d.W @ d.X
    p = XO.shape[1]
    rank = int(np.linalg.matrix_rank(XO))
    if rank >= p:
        return
    phases_touched = [np.unique(d.phase_of[row > 0]).size for row in d.W]
    if series.n_obs >= p or max(phases_touched) > 1:
        raise FitError(
            f"The parameters of {definition.name!r} ({shape}) are not identified by series "
            f"{series.name!r}: its design has rank {rank} for {p} shape parameters (a phase "
            f"is seen only in windows that mix it with another)."
        )
    raise TooShortError(
        f"The {shape!r} fit of {definition.name!r} has {p} shape parameters "
        f"({', '.join(d.names)}), but series {series.name!r} identifies only {rank} of "
        f"them ({series.n_obs} observations). Use a simpler shape or a longer series."
    )


@dataclass(frozen=True)
class _Estimate:
    prob: Problem
    theta: np.ndarray
    cov: np.ndarray | None
    loglik: float
    converged: bool
    alpha_boundary: bool
    path: str
    loglik_poisson: float = np.nan
    loglik_negbin: float = np.nan
    alpha_negbin: float = np.nan
    mean_theta_poisson: np.ndarray | None = None
    null: np.ndarray | None = None
    dispersion_lr: Any = None


def _check_method(series: CountSeries, method: str) -> str:
    """The path label: ``"glm"`` for exact single-period single-measure series."""
    glm_ok = series.is_exact and series.is_single_period and len(series.measures) == 1
    if method == "glm" and not glm_ok:
        raise ParameterError(
            "The 'method' parameter of fit_waves can be 'glm' only for exact counts, one "
            "period per observation and one measure. Got a series with "
            + ", ".join(
                w
                for w, bad in (
                    ("count intervals", not series.is_exact),
                    ("multi-period windows", not series.is_single_period),
                    (f"{len(series.measures)} measures", len(series.measures) > 1),
                )
                if bad
            )
            + "."
        )
    return "glm" if method == "glm" or (method == "auto" and glm_ok) else "likelihood"


#: Count-model fits by their exact inputs (the design's columns on the observed periods,
#: the counts, the start): definitions that split the observations alike (dated
#: definitions that differ only where there is no data, admissible boundary years) share
#: one fit. A pure function of the key, so a hit is the fit that would have been made.
#: Each entry holds the Poisson fit and the NB2 fit started from it (None until needed).
_FIT_CACHE: OrderedDict[tuple, list[Any]] = OrderedDict()
_FIT_CACHE_SIZE = 512


def _count_fits(
    d: Design,
    model: Any,
    low: np.ndarray,
    high: np.ndarray,
    theta0: np.ndarray,
    want_nb: bool,
    alpha0: float | None = None,
) -> tuple[CountFit, CountFit | None]:
    """The Poisson fit and (if ``want_nb``) the NB2 fit of ``model``, cached.

    ``alpha0``: the NB fit's start value of ``alpha`` (default: the moment estimate).
    """
    arrays = (d.X[d.covered], d.W[:, d.covered], d.m_index, low, high, theta0)
    key = (
        tuple(np.ascontiguousarray(a, dtype=float).tobytes() for a in arrays),
        d.X[d.covered].shape,
        len(d.measures),
        alpha0,
    )
    hit = _FIT_CACHE.get(key)
    if hit is None:
        hit = _FIT_CACHE[key] = [fit_counts(model, low, high, "poisson", theta0), None]
        while len(_FIT_CACHE) > _FIT_CACHE_SIZE:
            _FIT_CACHE.popitem(last=False)
    if want_nb and hit[1] is None:
        hit[1] = fit_counts(model, low, high, "negbin", hit[0].theta, alpha0=alpha0, poisson=hit[0])
    return hit[0], hit[1] if want_nb else None


class DispersionLR:
    """The LR test of ``alpha = 0`` of a Poisson fit, computed on first use.

    Holds the fit's inputs; calling it makes (or takes from the cache) the NB2 fit that
    :func:`estimate` with ``both=True`` would have made, and returns
    ``(statistic, p_value)`` of :func:`lifecycle._core.dispersion.overdispersion_test`.
    """

    def __init__(
        self, d: Design, model: Any, low: np.ndarray, high: np.ndarray, theta0: np.ndarray
    ) -> None:
        self._args: tuple | None = (d, model, low, high, theta0)
        self._value: tuple[float, float] | None = None

    def __call__(self) -> tuple[float, float]:
        if self._value is None:
            assert self._args is not None
            pf, nb = _count_fits(*self._args, want_nb=True)
            assert nb is not None
            self._value = overdispersion_test(nb.loglik, pf.loglik)
            self._args = None
        return self._value

    def __getstate__(self) -> dict[str, Any]:
        self()  # a pickled fit carries the numbers, not the inputs
        return {"_args": None, "_value": self._value}


def estimate(
    series: CountSeries,
    definition: WaveDefinition,
    family: str,
    shape: str,
    method: str,
    *,
    need_cov: bool = True,
    start: np.ndarray | None = None,
    both: bool | None = None,
    identified_part: bool = False,
    alpha0: float | None = None,
    phase_start: bool = False,
) -> _Estimate:
    """Maximum likelihood for a dated definition (no result tables).

    One engine (:func:`lifecycle._core.countfit.fit_counts`, Newton with analytic
    derivatives) on every path; ``method`` only labels the path (``"glm"``: the
    likelihood is the GLM's). The Poisson fit is always made (start and boundary value);
    the NB fit when ``family="negbin"`` or ``both`` (default: when ``need_cov``, so that
    every reported fit carries the test of ``alpha = 0``). ``start`` warm-starts the mean
    parameters (of the Poisson fit, which starts the NB fit) and ``alpha0`` the NB fit's
    ``alpha`` (default: the moment estimate from the Poisson fit); a warm start changes
    the optimum found only by the engine's tolerance. ``phase_start`` (step shape, one
    measure, no ``start``): the Poisson fit starts from each phase's count over its
    exposure (its maximum when every window lies in one phase). ``identified_part``: a
    design the
    data do not fully identify is fitted anyway (the maximised log-likelihood is unique
    even where the parameters are not); the flat directions of the information are
    returned in ``null``.
    """
    d = build_design(series, definition, shape)
    _check_zero_phases(series, d, definition, shape)
    if not identified_part:
        _check_identified(series, d, definition, shape)
    path = _check_method(series, method)
    low, high = series.low, series.high
    pois = Problem(d, low, high, "poisson")
    model = pois.model()
    if start is not None:
        theta0 = np.asarray(start, dtype=float)
    elif phase_start and shape == "step" and len(d.measures) == 1:
        theta0 = _phase_rates_start(d, low, high)
    else:
        theta0 = pois.start()
    # the LR test of a Poisson fit (both=None, need_cov) is made when it is first read
    lazy = both is None and need_cov and family == "poisson"
    both = need_cov and not lazy if both is None else both
    pf, nb = _count_fits(d, model, low, high, theta0, family == "negbin" or both, alpha0)
    use = nb if family == "negbin" and nb is not None else pf
    if not np.all(np.isfinite(use.theta)) or np.any(np.abs(use.theta) > 50):
        raise FitError(
            f"The fit of {definition.name!r} ({shape}, {family}) diverged: a log-rate or slope "
            f"ran off to infinity (a phase with almost no events?)."
        )
    prob = Problem(d, low, high, family)
    H = use.hessian
    if family == "negbin":
        if use.boundary:
            theta = np.append(use.theta, -np.inf)
        else:
            theta = np.append(use.theta, np.log(use.alpha))
    else:
        theta = use.theta
    cov = null = None
    if need_cov:
        if identified_part:
            cov, null = _cov_identified(H)
        else:
            cov = _cov(H, definition, shape, family, series)
        if family == "negbin" and use.boundary:
            cov = np.pad(cov, ((0, 1), (0, 1)))
            if null is not None:
                null = np.pad(null, ((0, 1), (0, 0)))
    return _Estimate(
        prob,
        theta,
        cov,
        use.loglik,
        use.converged,
        family == "negbin" and use.boundary,
        path,
        pf.loglik,
        np.nan if nb is None else nb.loglik,
        np.nan if nb is None else nb.alpha,
        pf.theta,
        null,
        DispersionLR(d, model, low, high, theta0) if lazy else None,
    )


def _phase_rates_start(d: Design, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Log of each phase's count over its exposure (step shape, one measure).

    A window across phases shares its count by its exposure in each; an interval counts
    at its midpoint (``low + 1`` when open); a phase without events starts at 0.5 events.
    """
    mid = np.where(np.isinf(high), low + 1.0, (low + high) / 2)
    WX = d.W @ d.X  # observations × phases: exposure of each window in each phase
    tot = WX.sum(axis=1, keepdims=True)
    share = np.divide(WX, tot, out=np.zeros_like(WX), where=tot > 0)
    E = WX.sum(axis=0)
    C = (mid[:, None] * share).sum(axis=0)
    return np.log(np.maximum(C, 0.5) / np.maximum(E, 1e-12))


def fit_fixed(
    series: CountSeries,
    definition: WaveDefinition,
    family: str,
    shape: str,
    method: str,
    confidence: float,
    n_breaks: int = 0,
    notes: Sequence[str] = (),
    n_tied: int = 0,
    *,
    choice: FamilyChoice | None = None,
    identified_part: bool = False,
) -> WaveFit:
    est = estimate(series, definition, family, shape, method, identified_part=identified_part)
    notes = list(notes)
    if est.alpha_boundary:
        notes.append(
            "NB dispersion at its boundary alpha = 0 (no overdispersion): the fit is "
            "the Poisson fit; alpha has no standard error"
        )
        if choice is None or choice.requested == "negbin":
            warnings.warn(
                f"The NB fit of {definition.name!r} ({shape}) has its dispersion at the "
                f"boundary alpha = 0 (the Poisson likelihood is not improved by any alpha "
                f"> 0): the reported fit is the Poisson fit, with alpha = 0.",
                LifecycleWarning,
                stacklevel=3,
            )
    if not est.converged:
        warnings.warn(
            f"The fit of {definition.name!r} ({shape}, {family}) did not converge.",
            ConvergenceWarning,
            stacklevel=3,
        )
    fit = _assemble(
        est.prob,
        series,
        definition,
        shape,
        est.path,
        est.theta,
        est.cov,
        est.loglik,
        est.converged,
        confidence,
        n_breaks,
        notes,
        alpha_boundary=est.alpha_boundary,
        n_tied=n_tied,
        null=est.null,
    )
    if est.dispersion_lr is not None:
        lr = est.dispersion_lr
    else:
        lr = overdispersion_test(est.loglik_negbin, est.loglik_poisson)
    if choice is None:
        choice = FamilyChoice.fixed(family)
    return replace(
        fit,
        dispersion_at_boundary=est.alpha_boundary,
        loglik_poisson=est.loglik_poisson,
        _dispersion_lr=lr,
        family_choice=choice,
    )


def _cov(
    H: np.ndarray,
    definition: WaveDefinition,
    shape: str,
    family: str,
    series: CountSeries,
) -> np.ndarray:
    """Inverse observed information; FitError when it is singular."""
    try:
        cov_theta = np.linalg.inv(-H)
        ok = np.all(np.linalg.eigvalsh(-H) > 1e-10 * max(1.0, np.abs(H).max()))
    except np.linalg.LinAlgError:
        ok = False
    if not ok:
        raise FitError(
            f"The parameters of {definition.name!r} ({shape}, {family}) are not identified "
            f"by series {series.name!r}: the information matrix is singular (a phase or "
            f"measure is seen only in windows that mix it with another)."
        )
    return cov_theta


def _cov_identified(H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covariance of the identified combinations and the flat directions of ``-H``.

    Eigenvalues of the information ``-H`` at or below the threshold :func:`_cov` uses
    (``1e-10 * max(1, max |H|)``) are flat directions (columns of the second array); the
    covariance is the pseudo-inverse on the others, valid for every combination
    orthogonal to the flat directions (:func:`estimable`).
    """
    A = -(H + H.T) / 2
    ev, V = np.linalg.eigh(A)
    flat = ev <= 1e-10 * max(1.0, float(np.abs(H).max()))
    keep = ~flat
    cov = (V[:, keep] / ev[keep]) @ V[:, keep].T
    return cov, V[:, flat]


def as_definition(definition: Any, func: str) -> WaveDefinition:
    if isinstance(definition, str):
        return get_definition(definition)
    if not isinstance(definition, WaveDefinition):
        raise TypeError(
            f"The 'definition' parameter of {func} must be a WaveDefinition or a registry "
            f"name. Got {type(definition).__name__}."
        )
    return definition

"""Count regressions for a wave definition, comparison of definitions, directional tests.

Model
-----
For a series on a grid of periods ``t`` with phases from a
:class:`~lifecycle.models.waves.WaveDefinition`, the log-rate of measure ``m`` in period ``t`` is

.. math:: \\log \\lambda_{m t} = \\gamma_m + x_t^\\top \\beta, \\qquad \\gamma_{m_0} = 0,

where ``x_t`` depends on the *shape*:

* ``"step"``: one log-level per phase (``x_t`` = indicator of ``t``'s phase);
* ``"trend"``: a level and a slope per phase, the slope on the year centred within the
  phase (so the level is the log-rate at the phase's centre);
* ``"broken_stick"``: a continuous piecewise-linear log-rate, ``1``, ``(τ - τ̄)`` and one
  hinge ``(τ - κ_j)_+`` per boundary, with the knot ``κ_j`` half a period before the first
  period of phase ``j`` (``τ`` is time in years).

Observation ``i`` (a window of periods with exposures ``w_{it}``) has mean
``μ_i = Σ_t w_{it} λ_{m_i t}`` and a Poisson or NB2 (variance ``μ + α μ²``) likelihood;
a count interval ``[low, high]`` contributes ``P(low ≤ Y ≤ high)`` (interval censoring).
Several measures share the shape ``β`` and differ by their level ``γ_m``.

Two fitting paths, which agree where both apply (tested to 1e-6):

* ``"glm"``: exact counts, one period per observation, one measure — statsmodels'
  ``GLM(y, X, family=Poisson(), offset=log exposure)`` or
  ``NegativeBinomial(y, X, exposure=..., loglike_method="nb2")`` (α by ML);
* ``"likelihood"``: anything else — the negative log-likelihood above with an analytic
  gradient (numerical in μ for NB intervals), minimised by BFGS and polished by Newton
  steps; the covariance is the inverse of the Hessian (central differences of the
  analytic gradient).

Phase rate = the geometric mean of the fitted rates over the phase's observed periods
(``exp`` of the mean log-rate); for ``"step"`` it is the phase's rate, for ``"trend"`` the
rate at its centre. Rate ratios compare consecutive phases; confidence intervals are
Wald intervals on the log scale.

Parameters counted (AIC, BIC): the shape parameters (``k`` for step, ``2k`` for trend,
``k + 1`` for a broken stick with ``k`` phases), one level per measure after the first,
the NB dispersion α, and — for estimated segmentations — each estimated break year.
BIC uses ``n`` = number of observations (windows).

References
----------
Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.
Cambridge University Press (Poisson and NB2 regression, exposure offsets).

Burnham, K. P. and Anderson, D. R. (2002). *Model Selection and Multimodel Inference*,
2nd ed. Springer (AIC differences and Akaike weights).

Muggeo, V. M. R. (2003). Estimating regression models with unknown break-points.
*Statistics in Medicine* 22: 3055–3071 (broken-stick regression).

Examples
--------
>>> from lifecycle.series import CountSeries
>>> from lifecycle.models.waves import WaveDefinition
>>> s = CountSeries.from_counts(range(2001, 2007), [4, 6, 1, 1, 8, 10])
>>> d = WaveDefinition.from_breaks("w", [2001, 2003, 2005], names=["a", "b", "c"])
>>> fit = fit_waves(s, d)
>>> fit.phase_rates["rate"].round(3).tolist()
[5.0, 1.0, 9.0]
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from lifecycle._core.errors import (
    AllZeroError,
    ConvergenceWarning,
    DefinitionError,
    FitError,
    InputError,
    LifecycleError,
    LifecycleWarning,
    ParameterError,
    TooShortError,
)
from lifecycle._core.likelihood import interval_logprob, nb_logpmf
from lifecycle._core.results import TestResult
from lifecycle._core.validation import check_choice, check_float, check_int
from lifecycle.models.waves import NO_CHANGE, Phase, WaveDefinition, get_definition
from lifecycle.series.countseries import CountSeries, to_label, to_ordinal

__all__ = [
    "FAMILIES",
    "METHODS",
    "SHAPES",
    "Comparison",
    "WaveFit",
    "best_segmentation",
    "compare_waves",
    "directional_tests",
    "fit_waves",
    "test_direction",
]

FAMILIES = ("poisson", "negbin")
SHAPES = ("step", "trend", "broken_stick")
METHODS = ("auto", "glm", "likelihood")
_MAX_FITS = 5000
_MAX_LOO_FITS = 500


def _search_cost(series: CountSeries, entry: Any, family: str, shape: str) -> int:
    """Fits one search needs on the slow path (0 for a dated definition or closed form)."""
    if isinstance(entry, WaveDefinition) and not entry.estimated:
        return 0
    if family == "poisson" and shape == "step" and series.is_exact and len(series.measures) == 1:
        return 0
    k = entry if isinstance(entry, int) else entry.n_phases
    n_cand = np.unique(series.start).size - 1
    sizes = range(1, k + 1) if isinstance(entry, WaveDefinition) else [k]
    return sum(math.comb(n_cand, m - 1) for m in sizes)


# ====================================================================== design
@dataclass(frozen=True)
class _Design:
    freq: str
    grid: np.ndarray  # ordinals
    phase_of: np.ndarray  # phase index per grid period, -1 outside every phase
    covered: np.ndarray  # bool per grid period: some observation covers it
    X: np.ndarray  # grid periods × shape parameters
    names: list[str]
    contrasts: np.ndarray  # phases × shape parameters: mean of X over observed phase periods
    measures: tuple[str, ...]
    m_index: np.ndarray  # measure index per observation
    W: np.ndarray  # observations × grid periods exposure matrix


def _ranges(labels: Sequence[Any]) -> str:
    """'2014, 2016–2018' from a sorted list of labels (years or months)."""
    if not labels:
        return ""
    return ", ".join(map(str, labels[:8])) + (" …" if len(labels) > 8 else "")


def _build_design(series: CountSeries, definition: WaveDefinition, shape: str) -> _Design:
    if definition.estimated:
        raise DefinitionError(
            f"Definition {definition.name!r} has estimated break years; fit it with "
            f"fit_waves (which searches them) rather than with a fixed design."
        )
    freq = series.freq
    grid = series.grid
    T = grid.size
    W = series.design_matrix().toarray()
    covered = W.sum(axis=0) > 0
    phase_of = np.full(T, -1, dtype=np.int64)
    for j, p in enumerate(definition.phases):
        lo, hi = p.bounds(freq)
        lo = -np.inf if lo is None else lo
        hi = np.inf if hi is None else hi
        phase_of[(grid >= lo) & (grid <= hi)] = j
    uncovered = covered & (phase_of < 0)
    if uncovered.any():
        labs = [to_label(o, freq) for o in grid[uncovered]]
        listed = ", ".join(f"{p.name} {p.text()}" for p in definition.phases)
        raise DefinitionError(
            f"The phases of {definition.name!r} ({listed}) "
            f"do not cover the series: {_ranges(labs)} observed but in no phase. Restrict "
            f"the series to the definition's years or choose another definition."
        )
    k = definition.n_phases
    per_phase = []
    for j, p in enumerate(definition.phases):
        idx = np.flatnonzero((phase_of == j) & covered)
        if idx.size == 0:
            first = to_label(grid[covered][0], freq)
            last = to_label(grid[covered][-1], freq)
            raise DefinitionError(
                f"Phase {p.name!r} ({p.text()}) of {definition.name!r} has no observation in "
                f"the series (observed periods {first}–{last})."
            )
        per_phase.append(idx)
    tau = grid.astype(float) / (12.0 if freq == "month" else 1.0)
    inside = phase_of >= 0
    if shape == "step":
        X = np.zeros((T, k))
        X[inside, phase_of[inside]] = 1.0
        names = [f"log_rate[{p.name}]" for p in definition.phases]
    elif shape == "trend":
        X = np.zeros((T, 2 * k))
        names = []
        for j, (p, idx) in enumerate(zip(definition.phases, per_phase, strict=True)):
            if idx.size < 2:
                raise DefinitionError(
                    f"The 'trend' shape needs at least two observed periods in each phase; "
                    f"phase {p.name!r} ({p.text()}) of {definition.name!r} has "
                    f"{to_label(grid[idx[0]], freq)} only. Use shape='step' or 'broken_stick'."
                )
            centre = tau[idx].mean()
            sel = phase_of == j
            X[sel, 2 * j] = 1.0
            X[sel, 2 * j + 1] = tau[sel] - centre
            names += [f"log_rate[{p.name}]", f"slope[{p.name}]"]
    else:  # broken_stick
        centre = tau[covered].mean()
        step = 1.0 / 12.0 if freq == "month" else 1.0
        cols = [np.ones(T), tau - centre]
        names = ["log_rate[centre]", f"slope[{definition.phases[0].name}]"]
        for j in range(1, k):
            first = definition.phases[j].bounds(freq)[0]
            knot = first / (12.0 if freq == "month" else 1.0) - step / 2
            cols.append(np.maximum(tau - knot, 0.0))
            names.append(f"slope_change[{definition.phases[j].name}]")
        X = np.column_stack(cols)
    contrasts = np.vstack([X[idx].mean(axis=0) for idx in per_phase])
    measures = series.measures
    m_index = np.array([measures.index(m) for m in series.measure], dtype=np.int64)
    return _Design(freq, grid, phase_of, covered, X, names, contrasts, measures, m_index, W)


# ====================================================================== likelihood
@dataclass(frozen=True)
class _Problem:
    design: _Design
    low: np.ndarray
    high: np.ndarray
    family: str

    @property
    def p(self) -> int:
        return self.design.X.shape[1]

    @property
    def n_theta(self) -> int:
        return self.p + len(self.design.measures) - 1 + (self.family == "negbin")

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        p, M = self.p, len(self.design.measures)
        beta = theta[:p]
        gamma = np.concatenate([[0.0], theta[p : p + M - 1]])
        alpha = float(np.exp(theta[-1])) if self.family == "negbin" else 0.0
        return beta, gamma, alpha

    def means(self, theta: np.ndarray) -> np.ndarray:
        beta, gamma, _ = self.unpack(theta)
        d = self.design
        return np.exp(gamma[d.m_index]) * (d.W @ np.exp(d.X @ beta))

    def loglik_terms(self, theta: np.ndarray) -> np.ndarray:
        _, _, alpha = self.unpack(theta)
        mu = self.means(theta)
        exact = self.low == self.high
        out = np.empty(mu.shape)
        out[exact] = nb_logpmf(self.low[exact], mu[exact], alpha)
        if not exact.all():
            out[~exact] = interval_logprob(
                self.low[~exact], self.high[~exact], mu[~exact], self.family, alpha
            )
        return out

    def negloglik(self, theta: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            val = -float(np.sum(self.loglik_terms(theta)))
        return val if np.isfinite(val) else 1e300

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """Gradient of the log-likelihood (not negated)."""
        beta, gamma, alpha = self.unpack(theta)
        d = self.design
        lam = np.exp(d.X @ beta)
        scale = np.exp(gamma[d.m_index])
        mu = scale * (d.W @ lam)
        lo, hi = self.low, self.high
        exact = lo == hi
        s = np.zeros_like(mu)
        g_alpha = 0.0
        if self.family == "poisson":
            s[exact] = lo[exact] / mu[exact] - 1.0
            if (~exact).any():
                m, a, b = mu[~exact], lo[~exact], hi[~exact]
                logp = interval_logprob(a, b, m, "poisson")
                with np.errstate(all="ignore"):
                    pmf_lo = np.where(a >= 1, np.exp(stats.poisson.logpmf(a - 1, m) - logp), 0.0)
                    pmf_hi = np.where(
                        np.isinf(b),
                        0.0,
                        np.exp(stats.poisson.logpmf(np.where(np.isinf(b), 0, b), m) - logp),
                    )
                    # far from the optimum (probability underflow) keep the direction finite
                    s[~exact] = np.nan_to_num(pmf_lo - pmf_hi, nan=0.0, posinf=1e6, neginf=-1e6)
        else:
            r = 1.0 / alpha
            y, m = lo[exact], mu[exact]
            s[exact] = y / m - (r + y) / (r + m)
            dr = (
                special.digamma(y + r)
                - special.digamma(r)
                + np.log(r / (r + m))
                + (m - y) / (r + m)
            )
            g_alpha = float(np.sum(-r * dr))
            if (~exact).any():
                m, a, b = mu[~exact], lo[~exact], hi[~exact]
                h = 1e-6
                up = interval_logprob(a, b, m * (1 + h), "negbin", alpha)
                dn = interval_logprob(a, b, m * (1 - h), "negbin", alpha)
                s[~exact] = (up - dn) / (2 * h * m)
                la = np.log(alpha)
                up = interval_logprob(a, b, m, "negbin", float(np.exp(la + h)))
                dn = interval_logprob(a, b, m, "negbin", float(np.exp(la - h)))
                g_alpha += float(np.sum((up - dn) / (2 * h)))
        g_beta = d.X.T @ (lam * (d.W.T @ (s * scale)))
        M = len(d.measures)
        g_gamma = np.array([np.sum((s * mu)[d.m_index == m]) for m in range(1, M)])
        out = [g_beta, g_gamma]
        if self.family == "negbin":
            out.append(np.array([g_alpha]))
        return np.concatenate(out)

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        n = theta.size
        H = np.empty((n, n))
        for j in range(n):
            h = 1e-5 * max(1.0, abs(theta[j]))
            e = np.zeros(n)
            e[j] = h
            H[:, j] = (self.gradient(theta + e) - self.gradient(theta - e)) / (2 * h)
        return (H + H.T) / 2

    def start(self) -> np.ndarray:
        d = self.design
        mid = np.where(np.isinf(self.high), self.low + 1.0, (self.low + self.high) / 2)
        exposure = d.W.sum(axis=1)
        M = len(d.measures)
        rates = np.array(
            [max(mid[d.m_index == m].sum(), 0.5) / exposure[d.m_index == m].sum() for m in range(M)]
        )
        c = np.log(rates[0])
        beta, *_ = np.linalg.lstsq(d.X[d.covered], np.full(d.covered.sum(), c), rcond=None)
        theta = [beta, np.log(rates[1:] / rates[0])]
        if self.family == "negbin":
            theta.append(np.array([np.log(0.1)]))
        return np.concatenate(theta)


def _newton(prob: _Problem, theta: np.ndarray, max_iter: int = 100) -> tuple[np.ndarray, bool]:
    """Damped Newton steps with a finite-difference Hessian of the analytic gradient."""
    f = prob.negloglik(theta)
    for _ in range(max_iter):
        g = prob.gradient(theta)
        if not np.all(np.isfinite(g)):
            return theta, False
        if np.max(np.abs(g)) < 1e-9:
            return theta, True
        H = prob.hessian(theta)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            return theta, False
        if not np.all(np.isfinite(step)) or g @ step > 0:
            # not an ascent direction (Hessian not negative definite here): gradient step
            step = -g / max(1.0, np.abs(g).max())
        t = 1.0
        while t > 1e-8:
            cand = theta - t * step
            fc = prob.negloglik(cand)
            if fc <= f + 1e-12:
                theta, f = cand, fc
                break
            t /= 2
        else:
            return theta, bool(np.max(np.abs(g)) < 1e-6)
    return theta, bool(np.max(np.abs(prob.gradient(theta))) < 1e-6)


def _optimise(prob: _Problem, theta0: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """Newton from the start values; BFGS then Newton if that fails."""
    theta = prob.start() if theta0 is None else theta0
    out, ok = _newton(prob, theta)
    if ok:
        return out, True
    res = optimize.minimize(
        prob.negloglik,
        theta,
        jac=lambda t: -prob.gradient(t),
        method="BFGS",
        options={"gtol": 1e-9, "maxiter": 2000},
    )
    return _newton(prob, res.x)


# ====================================================================== results
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
    dispersion : float
        Pearson ``Σ (y - μ)² / V(μ)`` over ``n`` minus the number of mean parameters;
        NaN with intervals or no residual degrees of freedom.
    alpha : float or None
        NB2 dispersion (``None`` for Poisson).
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
    conf_level : float
    converged : bool
    notes : tuple of str
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
    dispersion: float
    alpha: float | None
    phase_rates: pd.DataFrame
    rate_ratios: pd.DataFrame
    fitted_rates: pd.DataFrame
    fitted_means: np.ndarray
    n_break_params: int = 0
    conf_level: float = 0.95
    converged: bool = True
    notes: tuple[str, ...] = ()
    _X: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[assignment]
    _contrasts: np.ndarray = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

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
        z = stats.norm.ppf(0.5 + self.conf_level / 2)
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
            ("dispersion", self.dispersion, "Pearson chi2 / (n - mean parameters)"),
        ]
        if self.alpha is not None:
            fit_rows.append(("alpha", self.alpha, "NB2: var = mu + alpha mu^2"))
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


def _exp(x: float) -> float:
    """``exp`` that returns ``inf`` quietly on overflow (an unbounded CI)."""
    with np.errstate(over="ignore"):
        return float(np.exp(x))


def _param_detail(shape_p: int, n_meas: int, family: str, n_breaks: int, n_tied: int) -> str:
    parts = [f"{shape_p} shape parameters"]
    if n_tied:
        parts.append(f"{n_tied} shape parameters of phases tied to a neighbour (constraint)")
    parts += [f"{n_meas - 1} measure levels", f"{int(family == 'negbin')} NB alpha"]
    if n_breaks:
        parts.append(f"{n_breaks} estimated break years")
    return " + ".join(parts)


def _assemble(
    prob: _Problem,
    series: CountSeries,
    definition: WaveDefinition,
    shape: str,
    method: str,
    theta: np.ndarray,
    cov_theta: np.ndarray,
    loglik: float,
    converged: bool,
    conf_level: float,
    n_breaks: int,
    notes: Sequence[str],
    *,
    alpha_boundary: bool = False,
    n_tied: int = 0,
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
    params = pd.Series(values, index=names, name="estimate")
    cov_df = pd.DataFrame(cov, index=names, columns=names)
    z = stats.norm.ppf(0.5 + conf_level / 2)
    cov_b = cov_theta[:p, :p]
    # phase rates per measure
    rows = []
    for m_i, m in enumerate(d.measures):
        for j, ph in enumerate(definition.phases):
            c = np.zeros(theta.size)
            c[:p] = d.contrasts[j]
            if m_i > 0:
                c[p + m_i - 1] = 1.0
            est = float(c @ np.nan_to_num(theta, neginf=0.0))
            se = float(np.sqrt(max(c @ cov_theta @ c, 0.0)))
            rows.append(
                {
                    "measure": m,
                    "phase": ph.name,
                    "years": ph.text(),
                    "rate": np.exp(est),
                    "ci_low": np.exp(est - z * se),
                    "ci_high": _exp(est + z * se),
                    "log_rate": est,
                    "se_log_rate": se,
                }
            )
    phase_rates = pd.DataFrame(rows)
    rows = []
    for j in range(1, definition.n_phases):
        c = d.contrasts[j] - d.contrasts[j - 1]
        est = float(c @ beta)
        se = float(np.sqrt(max(c @ cov_b @ c, 0.0)))
        rows.append(
            {
                "from_phase": definition.phases[j - 1].name,
                "to_phase": definition.phases[j].name,
                "ratio": np.exp(est),
                "ci_low": np.exp(est - z * se),
                "ci_high": _exp(est + z * se),
                "log_ratio": est,
                "se_log_ratio": se,
                "p_value": 2 * stats.norm.sf(abs(est / se)) if se > 0 else np.nan,
            }
        )
    rate_ratios = pd.DataFrame(
        rows,
        columns=[
            "from_phase",
            "to_phase",
            "ratio",
            "ci_low",
            "ci_high",
            "log_ratio",
            "se_log_ratio",
            "p_value",
        ],
    )
    eta = d.X @ beta
    rows = []
    for m_i, m in enumerate(d.measures):
        for t in np.flatnonzero(d.phase_of >= 0):
            rows.append(
                {
                    "period": to_label(d.grid[t], d.freq),
                    "measure": m,
                    "phase": definition.phases[d.phase_of[t]].name,
                    "rate": float(np.exp(eta[t] + gamma[m_i])),
                    "observed": bool(d.covered[t]),
                }
            )
    fitted_rates = pd.DataFrame(rows)
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
    k = n_mean + int(family == "negbin") + n_breaks + n_tied
    notes = list(notes)
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
        n_params_detail=_param_detail(p, M, family, n_breaks, n_tied),
        n_obs=n,
        aic=float(-2 * loglik + 2 * k),
        bic=float(-2 * loglik + k * np.log(n)),
        deviance=deviance,
        dispersion=dispersion,
        alpha=alpha if family == "negbin" else None,
        phase_rates=phase_rates,
        rate_ratios=rate_ratios,
        fitted_rates=fitted_rates,
        fitted_means=mu,
        n_break_params=n_breaks,
        conf_level=conf_level,
        converged=converged,
        notes=tuple(notes),
        _X=d.X,
        _contrasts=d.contrasts,
    )


# ====================================================================== fitting
def _check_series(series: Any, func: str) -> CountSeries:
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
    series: CountSeries, d: _Design, definition: WaveDefinition, shape: str = "step"
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
    series: CountSeries, d: _Design, definition: WaveDefinition, shape: str
) -> None:
    """Refuse a design with fewer independent observation rows than shape parameters."""
    XO = d.W @ d.X
    p = XO.shape[1]
    rank = int(np.linalg.matrix_rank(XO))
    phases_touched = [np.unique(d.phase_of[row > 0]).size for row in d.W]
    if rank < p and (series.n_obs >= p or max(phases_touched) > 1):
        raise FitError(
            f"The parameters of {definition.name!r} ({shape}) are not identified by series "
            f"{series.name!r}: its design has rank {rank} for {p} shape parameters (a phase "
            f"is seen only in windows that mix it with another)."
        )
    if rank < p:
        raise TooShortError(
            f"The {shape!r} fit of {definition.name!r} has {p} shape parameters "
            f"({', '.join(d.names)}), but series {series.name!r} identifies only {rank} of "
            f"them ({series.n_obs} observations). Use a simpler shape or a longer series."
        )


@dataclass(frozen=True)
class _Estimate:
    prob: _Problem
    theta: np.ndarray
    cov: np.ndarray | None
    loglik: float
    converged: bool
    alpha_boundary: bool
    path: str


def _estimate(
    series: CountSeries,
    definition: WaveDefinition,
    family: str,
    shape: str,
    method: str,
    *,
    need_cov: bool = True,
) -> _Estimate:
    """Maximum likelihood for a dated definition (no result tables)."""
    d = _build_design(series, definition, shape)
    _check_zero_phases(series, d, definition, shape)
    _check_identified(series, d, definition, shape)
    prob = _Problem(d, series.low, series.high, family)
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
    use_glm = method == "glm" or (method == "auto" and glm_ok)
    pois = _Problem(d, series.low, series.high, "poisson")
    theta, cov_theta, loglik, converged = _fit_core(
        series, pois, use_glm, definition, shape, need_cov=need_cov
    )
    alpha_boundary = False
    if family == "negbin":
        start = np.append(theta, np.log(0.1))
        try:
            nb = _fit_core(series, prob, use_glm, definition, shape, start, need_cov=need_cov)
        except _NBFailedError:
            nb = None
        # alpha at its boundary: no gain over Poisson (score at alpha = 0 not positive)
        if nb is None or not (nb[2] - loglik > 1e-6 and np.exp(nb[0][-1]) > 1e-6):
            alpha_boundary = True
        else:
            theta, cov_theta, loglik, converged = nb
    mean_theta = theta if family == "poisson" or alpha_boundary else theta[:-1]
    if not np.all(np.isfinite(mean_theta)) or np.any(np.abs(mean_theta) > 50):
        raise FitError(
            f"The fit of {definition.name!r} ({shape}, {family}) diverged: a log-rate or slope "
            f"ran off to infinity (a phase with almost no events?)."
        )
    if alpha_boundary:
        theta = np.append(theta, -np.inf)
        if cov_theta is not None:
            cov_theta = np.pad(cov_theta, ((0, 1), (0, 1)))
    return _Estimate(
        prob,
        theta,
        cov_theta,
        loglik,
        converged,
        alpha_boundary,
        "glm" if use_glm else "likelihood",
    )


def _fit_fixed(
    series: CountSeries,
    definition: WaveDefinition,
    family: str,
    shape: str,
    method: str,
    conf_level: float,
    n_breaks: int = 0,
    notes: Sequence[str] = (),
    n_tied: int = 0,
) -> WaveFit:
    est = _estimate(series, definition, family, shape, method)
    notes = list(notes)
    if est.alpha_boundary:
        notes.append(
            "NB dispersion at its boundary alpha = 0 (no overdispersion): the fit is "
            "the Poisson fit; alpha has no standard error"
        )
    if not est.converged:
        warnings.warn(
            f"The fit of {definition.name!r} ({shape}, {family}) did not converge.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return _assemble(
        est.prob,
        series,
        definition,
        shape,
        est.path,
        est.theta,
        est.cov,
        est.loglik,
        est.converged,
        conf_level,
        n_breaks,
        notes,
        alpha_boundary=est.alpha_boundary,
        n_tied=n_tied,
    )


def _fit_core(
    series: CountSeries,
    prob: _Problem,
    use_glm: bool,
    definition: WaveDefinition,
    shape: str,
    start: np.ndarray | None = None,
    *,
    need_cov: bool = True,
) -> tuple[np.ndarray, np.ndarray | None, float, bool]:
    """(theta, covariance of theta, loglik, converged) on the GLM or likelihood path."""
    family = prob.family
    if use_glm:
        cols = series.start - series.grid_start
        X = prob.design.X[cols]
        y = series.low
        expo = series.exposure
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if family == "poisson":
                res = GLM(y, X, family=families.Poisson(), offset=np.log(expo)).fit(
                    tol=1e-12, maxiter=200
                )
                theta = np.asarray(res.params)
                cov_theta = np.asarray(res.cov_params()) if need_cov else None
                converged = bool(res.converged)
            else:
                model = NegativeBinomial(y, X, exposure=expo, loglike_method="nb2")
                # Newton from statsmodels' own start values and from ours, then BFGS: the
                # NB2 likelihood is not concave in alpha and Newton can stall.
                sp = None if start is None else np.append(start[:-1], np.exp(start[-1]))
                res = None
                for kw in (
                    {"method": "newton"},
                    {"method": "newton", "start_params": sp},
                    {"method": "bfgs", "gtol": 1e-10},
                ):
                    if "start_params" in kw and sp is None:
                        continue
                    try:
                        r = model.fit(disp=0, maxiter=1000, **kw)
                    except (np.linalg.LinAlgError, ValueError):
                        continue
                    if not (np.all(np.isfinite(r.params)) and np.isfinite(r.llf)):
                        continue
                    if res is None or r.llf > res.llf:
                        res = r
                    if np.max(np.abs(model.score(r.params))) < 1e-6 and r.params[-1] > 0:
                        break  # a stationary point with alpha > 0: the MLE (first try wins)
                if res is None or res.params[-1] <= 0:
                    raise _NBFailedError("statsmodels' NegativeBinomial fit failed")
                params = np.asarray(res.params)
                converged = bool(np.max(np.abs(model.score(params))) < 1e-4)
                if params[-1] <= 1e-6:
                    raise _NBFailedError("alpha at its boundary")
                theta = np.append(params[:-1], np.log(params[-1]))
                J = np.eye(params.size)
                J[-1, -1] = 1.0 / params[-1]
                if not need_cov:
                    return theta, None, float(res.llf), converged
                try:
                    cov_sm = np.asarray(res.cov_params())
                    ok = bool(np.all(np.isfinite(cov_sm)))
                except (ValueError, np.linalg.LinAlgError):
                    ok = False
                if ok:
                    cov_theta = J @ cov_sm @ J.T
                else:
                    cov_theta = _cov(prob, theta, definition, shape, series)
        return theta, cov_theta, float(res.llf), converged
    theta, converged = _optimise(prob, start)
    if family == "negbin" and np.exp(theta[-1]) <= 1e-6:
        raise _NBFailedError("alpha at its boundary")
    loglik = -prob.negloglik(theta)
    if not need_cov:
        return theta, None, loglik, converged
    return theta, _cov(prob, theta, definition, shape, series), loglik, converged


class _NBFailedError(Exception):
    """statsmodels' NB fit gave no finite estimate (alpha at its boundary)."""


def _cov(
    prob: _Problem,
    theta: np.ndarray,
    definition: WaveDefinition,
    shape: str,
    series: CountSeries,
) -> np.ndarray:
    """Inverse observed information; FitError when it is singular."""
    family = prob.family
    H = prob.hessian(theta)
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


def fit_waves(
    series: CountSeries,
    definition: WaveDefinition | str,
    family: str = "poisson",
    shape: str = "step",
    *,
    method: str = "auto",
    conf_level: float = 0.95,
) -> WaveFit:
    """Fit a count regression of a series on a wave definition.

    Parameters
    ----------
    series : CountSeries
        Exact counts or intervals, one or several measures, single periods or windows.
    definition : WaveDefinition or str
        A definition or the name of one in the registry. An *estimated* definition (such
        as ``"conventional lifecycle"``) is fitted by searching its break years (see
        :func:`best_segmentation`); they then count as parameters.
    family : {"poisson", "negbin"}
    shape : {"step", "trend", "broken_stick"}
    method : {"auto", "glm", "likelihood"}
        ``"auto"`` uses statsmodels (GLM / NegativeBinomial) for exact single-period
        single-measure series and the window/interval likelihood otherwise.
    conf_level : float
        Level of the confidence intervals.

    Returns
    -------
    WaveFit

    Raises
    ------
    DefinitionError
        If the phases do not cover every observed period, a phase has no observation, or
        (``trend``) a phase has a single observed period.
    FitError
        If a phase has only zero counts (MLE on the boundary; for ``broken_stick`` the
        first or last phase), a ``trend`` phase has events only at one edge (the slope
        diverges), or the parameters are not identified.
    TooShortError
        If the series has fewer independent observations than the shape has parameters.
    ParameterError
        On an unknown family, shape or method.
    AllZeroError
        If every count is zero.

    Examples
    --------
    >>> from lifecycle.series import CountSeries
    >>> from lifecycle.models.waves import WaveDefinition
    >>> s = CountSeries.from_counts([2001, 2002, 2003, 2004], [2, 4, 9, 7])
    >>> fit = fit_waves(s, WaveDefinition.from_breaks("w", [2001, 2003]))
    >>> float(fit.rate_ratios["ratio"].iloc[0])
    2.666666666666...
    """
    func = "fit_waves"
    series = _check_series(series, func)
    family = check_choice("family", family, FAMILIES, func=func)
    shape = check_choice("shape", shape, SHAPES, func=func)
    method = check_choice("method", method, METHODS, func=func)
    conf_level = check_float(
        "conf_level",
        conf_level,
        func=func,
        min_value=0,
        max_value=1,
        min_inclusive=False,
        max_inclusive=False,
    )
    definition = _as_definition(definition, func)
    if definition.estimated:
        fit, _ = _search(
            series,
            definition.n_phases,
            family,
            shape,
            method,
            conf_level,
            constraint=definition.constraint,
            names=definition.phase_names,
            base=definition,
        )
        return fit
    return _fit_fixed(series, definition, family, shape, method, conf_level)


def _as_definition(definition: Any, func: str) -> WaveDefinition:
    if isinstance(definition, str):
        return get_definition(definition)
    if not isinstance(definition, WaveDefinition):
        raise TypeError(
            f"The 'definition' parameter of {func} must be a WaveDefinition or a registry "
            f"name. Got {type(definition).__name__}."
        )
    return definition


# ====================================================================== search
def _candidate_breaks(series: CountSeries) -> np.ndarray:
    """Window starts (ordinals) after the first observed period: where a phase may begin."""
    starts = np.unique(series.start)
    return starts[starts > series.start.min()]


def _poisson_step_fast(series: CountSeries) -> bool:
    return series.is_exact and len(series.measures) == 1


def _fast_logliks(series: CountSeries, combos: np.ndarray) -> np.ndarray:
    """Poisson step log-likelihood of many segmentations at once (closed form).

    With breaks at window starts of a single exact measure, a phase's MLE rate is its
    total count over its total exposure, and ``ℓ = Σ_phases C log(C/E) - C - Σ log y!``.
    """
    order = np.argsort(series.start)
    start = series.start[order]
    y = series.low[order]
    e = series.exposure[order]
    cy = np.concatenate([[0.0], np.cumsum(y)])
    ce = np.concatenate([[0.0], np.cumsum(e)])
    const = -np.sum(special.gammaln(y + 1))
    pos = np.searchsorted(start, combos)  # atom index where each phase starts
    n = start.size
    edges = np.concatenate(
        [np.zeros((combos.shape[0], 1), dtype=int), pos, np.full((combos.shape[0], 1), n)], axis=1
    )
    C = cy[edges[:, 1:]] - cy[edges[:, :-1]]
    E = ce[edges[:, 1:]] - ce[edges[:, :-1]]
    return np.sum(special.xlogy(C, C / E) - C, axis=1) + const


def _pattern_ok(values: np.ndarray, n_up: int, n_down: int, tol: float = 1e-9) -> bool:
    """Whether a sequence rises (at most ``n_up`` steps), then falls (at most ``n_down``)."""
    d = np.diff(np.asarray(values, dtype=float))
    ups, downs = d > tol, d < -tol
    if downs.any() and ups[np.argmax(downs) :].any():
        return False
    return int(ups.sum()) <= n_up and int(downs.sum()) <= n_down


def _segment_definition(
    series: CountSeries, breaks: Sequence[int], names: Sequence[str], name: str, note: str
) -> WaveDefinition:
    freq = series.freq
    first = int(series.start.min())
    starts = [first, *[int(b) for b in breaks]]
    phases = []
    for i, nm in enumerate(names):
        s = to_label(starts[i], freq) if i > 0 else None
        e = to_label(starts[i + 1] - 1, freq) if i + 1 < len(starts) else None
        phases.append(Phase(nm, s, e))
    return WaveDefinition(name, tuple(phases), boundary_rule="estimated", note=note)


def _search(
    series: CountSeries,
    k: int,
    family: str,
    shape: str,
    method: str,
    conf_level: float,
    *,
    constraint: str | None = None,
    names: Sequence[str] | None = None,
    base: WaveDefinition | None = None,
) -> tuple[WaveFit, int]:
    """Best segmentation into ``k`` phases (or, with ``constraint='unimodal'``, at most k
    phases whose fitted rates rise then fall). Returns the fit and the number of
    candidate segmentations examined."""
    cand = _candidate_breaks(series)
    who = f"best segmentation ({k} phases)" if base is None else repr(base.name)
    if cand.size < k - 1:
        raise DefinitionError(
            f"{who}: a segmentation into {k} phases needs at least {k} distinct observation "
            f"windows; series {series.name!r} has {cand.size + 1}."
        )
    sizes = range(1, k + 1) if constraint == "unimodal" else [k]
    combos_by_size = {}
    for m in sizes:
        combos = list(itertools.combinations(cand.tolist(), m - 1))
        combos_by_size[m] = np.array(combos, dtype=np.int64).reshape(len(combos), m - 1)
    n_total = sum(c.shape[0] for c in combos_by_size.values())
    fast = family == "poisson" and shape == "step" and _poisson_step_fast(series)
    if not fast and n_total > _MAX_FITS:
        raise ParameterError(
            f"{who}: searching {k} phases over series {series.name!r} needs {n_total} fits "
            f"(more than {_MAX_FITS}); use family='poisson', shape='step' on an exact single "
            f"measure (closed form), aggregate the series, or pass include_estimated=False."
        )
    names = list(names) if names is not None else [f"phase {i + 1}" for i in range(k)]
    dirs = base.expected_directions() if base is not None else None
    if dirs is not None and list(dirs) == sorted(dirs, key=lambda x: x != "up"):
        updown = (dirs.count("up"), dirs.count("down"))
    else:
        updown = (k - 1, k - 1)
    best: tuple[float, tuple[int, ...]] | None = None
    for m, combos in combos_by_size.items():
        if fast:
            ll = _fast_logliks(series, combos)
            order = np.argsort(-ll, kind="stable")
            for idx in order:
                if best is not None and ll[idx] <= best[0]:
                    break
                rates = _fast_rates(series, combos[idx])
                if np.any(rates == 0):
                    continue  # a phase of zero counts: MLE on the boundary, skipped
                if constraint == "unimodal" and not _pattern_ok(rates / rates.max(), *updown):
                    continue
                best = (float(ll[idx]), tuple(int(x) for x in combos[idx]))
                break
        else:
            for b in combos:
                d = _segment_definition(series, b, [f"p{i}" for i in range(m)], "search", "")
                try:
                    # the two paths agree (tested); for NB our Newton is the faster one
                    m_used = "likelihood" if family == "negbin" and method == "auto" else method
                    e = _estimate(series, d, family, shape, m_used, need_cov=False)
                except (FitError, DefinitionError, TooShortError):
                    continue
                if constraint == "unimodal":
                    beta = e.theta[: e.prob.p]
                    dsg = e.prob.design
                    curve = (dsg.X @ beta)[dsg.covered & (dsg.phase_of >= 0)]
                    if not (
                        _pattern_ok(curve, k, k, tol=1e-6)
                        and _pattern_ok(dsg.contrasts @ beta, *updown, tol=1e-6)
                    ):
                        continue
                if best is None or e.loglik > best[0] + 1e-9:
                    best = (e.loglik, tuple(int(x) for x in b))
    if best is None:
        raise FitError(
            f"{who}: no segmentation of series {series.name!r} into {k} phases could be fitted"
            + (" with unimodal rates." if constraint else ".")
        )
    breaks = best[1]
    m = len(breaks) + 1
    if constraint == "unimodal" and m < k:
        # name the phases by where the peak falls (rise part from the start of the names)
        fitted_rates = _rates_for(series, breaks, family, shape, method, conf_level)
        peak = int(np.argmax(fitted_rates))
        mid = _peak_index(base, k)
        lo = max(0, min(mid - peak, k - m))
        use = names[lo : lo + m]
    else:
        use = names[:m]
    if base is not None:
        label = base.name
        found = ", ".join(str(to_label(b, series.freq)) for b in breaks)
        note = (
            f"break years estimated ({found or 'none'}); "
            + (f"constraint {constraint}; " if constraint else "")
            + f"{n_total} segmentations examined"
        )
    else:
        label = f"best segmentation ({k} phases, estimated)"
        note = f"break years estimated by exhaustive search over {n_total} segmentations"
    d = _segment_definition(series, breaks, use, label, note)
    if base is not None:
        d = replace(
            d,
            citation=base.citation,
            quote=base.quote,
            source_id=base.source_id,
            directions=None,
        )
    n_shape = {"step": 1, "trend": 2, "broken_stick": 1}[shape]
    fit = _fit_fixed(
        series,
        d,
        family,
        shape,
        method,
        conf_level,
        n_breaks=k - 1,
        notes=(note,),
        n_tied=n_shape * (k - m),
    )
    return fit, n_total


def _peak_index(base: WaveDefinition | None, k: int) -> int:
    if base is not None:
        dirs = base.expected_directions()
        if dirs is not None and "down" in dirs:
            return dirs.index("down")
    return k // 2


def _fast_rates(series: CountSeries, breaks: np.ndarray) -> np.ndarray:
    order = np.argsort(series.start)
    start, y, e = series.start[order], series.low[order], series.exposure[order]
    pos = np.concatenate([[0], np.searchsorted(start, breaks), [start.size]])
    C = np.add.reduceat(y, pos[:-1]) if pos.size > 1 else np.array([y.sum()])
    E = np.add.reduceat(e, pos[:-1]) if pos.size > 1 else np.array([e.sum()])
    return C / E


def _rates_for(
    series: CountSeries,
    breaks: Sequence[int],
    family: str,
    shape: str,
    method: str,
    conf_level: float,
) -> np.ndarray:
    d = _segment_definition(series, breaks, [f"p{i}" for i in range(len(breaks) + 1)], "x", "")
    f = _fit_fixed(series, d, family, shape, method, conf_level)
    first = f.phase_rates["measure"].iloc[0]
    return f.phase_rates.loc[f.phase_rates["measure"] == first, "rate"].to_numpy()


def best_segmentation(
    series: CountSeries,
    n_phases: int,
    family: str = "poisson",
    shape: str = "step",
    *,
    method: str = "auto",
    conf_level: float = 0.95,
) -> WaveFit:
    """The data-driven segmentation into ``n_phases`` phases with the highest likelihood.

    Breaks may fall at the start of any observation window (a change cannot be located
    inside a window known only in aggregate). For Poisson step fits of one exact measure
    every segmentation is scored in closed form; otherwise each is fitted with
    :func:`fit_waves` (at most 5000 fits). Segmentations that leave a phase with only
    zero counts (MLE on the boundary) or that cannot be fitted are skipped. The
    ``n_phases - 1`` break years count as parameters of the returned fit
    (``n_break_params``).

    An estimated definition with the ``"unimodal"`` constraint (the conventional
    lifecycle) is searched the same way through :func:`fit_waves`, over segmentations
    into *at most* ``k`` phases whose rates rise, then fall, with no more rises and
    falls than the definition's expected directions allow (birth ≤ growth ≥ decline: one
    rise, one fall). A segmentation with fewer phases is a ``k``-phase one with tied
    rates, so for the step shape this is the constrained maximum likelihood; other
    shapes also need unimodal fitted yearly rates. The ``k - 1`` break years are
    counted whatever the number of distinct phases found.

    Parameters
    ----------
    series : CountSeries
    n_phases : int
        Number of phases (``>= 2``).
    family, shape, method, conf_level
        As in :func:`fit_waves`.

    Returns
    -------
    WaveFit
        Its definition is named ``"best segmentation (k phases, estimated)"``.

    Examples
    --------
    >>> from lifecycle.series import CountSeries
    >>> s = CountSeries.from_counts(range(2001, 2007), [1, 2, 1, 9, 8, 10])
    >>> best_segmentation(s, 2).definition.break_labels()
    [2004]
    """
    func = "best_segmentation"
    series = _check_series(series, func)
    k = check_int("n_phases", n_phases, func=func, min_value=2)
    family = check_choice("family", family, FAMILIES, func=func)
    shape = check_choice("shape", shape, SHAPES, func=func)
    method = check_choice("method", method, METHODS, func=func)
    conf_level = check_float(
        "conf_level",
        conf_level,
        func=func,
        min_value=0,
        max_value=1,
        min_inclusive=False,
        max_inclusive=False,
    )
    fit, _ = _search(series, k, family, shape, method, conf_level)
    return fit


# ====================================================================== directional tests
def test_direction(fit: WaveFit, lower: str, upper: str, *, name: str | None = None) -> TestResult:
    """One-sided Wald test that phase ``lower`` has a lower rate than phase ``upper``.

    Null ``rate[lower] >= rate[upper]``; alternative ``rate[lower] < rate[upper]``.
    Statistic ``z = log(rate[upper] / rate[lower]) / se`` (delta method, from the fit's
    covariance); p-value ``1 - Φ(z)``. The ratio is the same for every measure (shared
    shape). For a fit whose break years were estimated, the test is conditional on them
    (and so optimistic); the details say so.

    Parameters
    ----------
    fit : WaveFit
    lower, upper : str
        Phase names.
    name : str, optional
        What is tested, in words (default ``"<lower> below <upper>"``).

    Returns
    -------
    TestResult
        ``details`` hold the ratio ``rate[upper] / rate[lower]``, its log and SE.

    Raises
    ------
    DefinitionError
        If a phase name is not in the fit's definition, or ``lower == upper``.

    Examples
    --------
    >>> from lifecycle.series import CountSeries
    >>> from lifecycle.models.waves import WaveDefinition
    >>> s = CountSeries.from_counts([2001, 2002, 2003, 2004], [20, 25, 5, 4])
    >>> f = fit_waves(s, WaveDefinition.from_breaks("w", [2001, 2003], names=["hi", "lo"]))
    >>> test_direction(f, lower="lo", upper="hi").p_value < 0.001
    True
    """
    if not isinstance(fit, WaveFit):
        raise TypeError(
            f"The 'fit' parameter of test_direction must be a WaveFit. Got {type(fit).__name__}."
        )
    if lower == upper:
        raise DefinitionError(
            f"test_direction compares two different phases. Got lower=upper={lower!r}."
        )
    est, se = fit.contrast(upper, lower)
    z = est / se if se > 0 else np.nan
    p = float(stats.norm.sf(z)) if np.isfinite(z) else np.nan
    details: dict[str, Any] = {
        "ratio": float(np.exp(est)),
        "log_ratio": est,
        "se_log_ratio": se,
        "definition": fit.definition.name,
        "shape": fit.shape,
    }
    if fit.estimated_breaks:
        details["caveat"] = "break years estimated: the test is conditional on them"
    return TestResult(
        name=name or f"{lower} below {upper}",
        statistic=float(z),
        p_value=p,
        method="one-sided Wald test on the log rate ratio (delta method)",
        null=f"rate[{lower}] >= rate[{upper}]",
        alternative=f"rate[{lower}] < rate[{upper}]",
        family=fit.family,
        details=details,
    )


test_direction.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def directional_tests(fit: WaveFit, directions: Sequence[str] | None = None) -> list[TestResult]:
    """Test each expected change of a definition, and all of them together.

    For the CASS waves (emergence → decline → resurgence): "decline below emergence" and
    "decline below resurgence". The last result is the intersection–union test that
    every expected direction holds: its p-value is the largest of the single ones
    (Berger 1982), a valid level-α test of the joint hypothesis.

    Parameters
    ----------
    fit : WaveFit
    directions : sequence of {"up", "down"}, optional
        Expected direction of each consecutive change; default
        ``fit.definition.expected_directions()`` (from the phase names).

    Returns
    -------
    list of TestResult
        One per change, then the joint test.

    Raises
    ------
    DefinitionError
        If the directions are unknown or do not match the number of changes.

    References
    ----------
    Berger, R. L. (1982). Multiparameter hypothesis testing and acceptance sampling.
    *Technometrics* 24: 295–300.
    """
    if not isinstance(fit, WaveFit):
        raise TypeError(
            f"The 'fit' parameter of directional_tests must be a WaveFit. Got {type(fit).__name__}."
        )
    d = fit.definition
    dirs = tuple(directions) if directions is not None else d.expected_directions()
    if dirs is None:
        raise DefinitionError(
            f"The expected directions of {d.name!r} cannot be read from its phase names "
            f"{d.phase_names}; pass directions=('down', 'up', ...)."
        )
    if len(dirs) != d.n_phases - 1 or any(x not in ("up", "down") for x in dirs):
        raise DefinitionError(
            f"directional_tests needs {d.n_phases - 1} directions 'up' or 'down' for "
            f"{d.name!r}. Got {tuple(dirs)!r}."
        )
    out = []
    for j, dr in enumerate(dirs):
        a, b = d.phases[j].name, d.phases[j + 1].name
        lower, upper = (a, b) if dr == "up" else (b, a)
        out.append(test_direction(fit, lower=lower, upper=upper))
    joint_p = max(r.p_value for r in out)
    out.append(
        TestResult(
            name="all expected directions",
            statistic=min(r.statistic for r in out),
            p_value=float(joint_p),
            method="intersection-union test: largest one-sided Wald p-value (Berger 1982)",
            null="at least one expected direction fails",
            alternative="; ".join(r.alternative for r in out),
            family=fit.family,
            details={"definition": d.name, "directions": ",".join(dirs)},
        )
    )
    return out


# ====================================================================== comparison
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
    family: str = "poisson",
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
    family : {"poisson", "negbin"}
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
    series = _check_series(series, func)
    family = check_choice("family", family, FAMILIES, func=func)
    shape = check_choice("shape", shape, SHAPES, func=func)
    method = check_choice("method", method, METHODS, func=func)
    if isinstance(definitions, (str, WaveDefinition)):
        definitions = [definitions]
    defs = [_as_definition(d, func) for d in definitions]
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
    table["AIC"] = -2 * table["loglik"] + 2 * table["n_params"]
    table["dAIC"] = table["AIC"] - table["AIC"].min()
    w = np.exp(-0.5 * table["dAIC"])
    table["akaike_weight"] = w / w.sum()
    table["BIC"] = -2 * table["loglik"] + table["n_params"] * np.log(series.n_obs)
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
            cost = _search_cost(series, r.entry_, family, shape) * series.n_obs
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

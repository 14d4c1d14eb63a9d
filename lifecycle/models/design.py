"""Design matrices of the wave regressions and the likelihood problem they define."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lifecycle._core.countfit import loglik_and_derivatives
from lifecycle._core.errors import (
    DefinitionError,
)
from lifecycle._core.likelihood import interval_logprob, nb_logpmf
from lifecycle.models.waves import WaveDefinition
from lifecycle.series.countseries import CountSeries, to_label

__all__ = ["Design", "Problem", "WaveMeans", "build_design"]


@dataclass(frozen=True)
class Design:
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


def _exposure_matrix(series: CountSeries) -> np.ndarray:
    """``series.design_matrix()`` as a dense array, built directly (no sparse round trip)."""
    W = np.zeros((series.n_obs, series.n_periods))
    for i, w in enumerate(series.weights):
        first = int(series.start[i] - series.grid_start)
        W[i, first : first + w.size] = w
    return W


def build_design(series: CountSeries, definition: WaveDefinition, shape: str) -> Design:
    if definition.estimated:
        raise DefinitionError(
            f"Definition {definition.name!r} has estimated break years; fit it with "
            f"fit_waves (which searches them) rather than with a fixed design."
        )
    freq = series.freq
    grid = series.grid
    T = grid.size
    W = _exposure_matrix(series)
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
    return Design(freq, grid, phase_of, covered, X, names, contrasts, measures, m_index, W)


# ====================================================================== likelihood
class WaveMeans:
    """Means of a wave design as a :class:`lifecycle._core.countfit.MeanModel`.

    ``mu_i = exp(gamma[m_i]) * sum_t W[i, t] exp(X[t] @ beta)`` with parameters
    ``(beta, gamma[1:])`` (``gamma[0] = 0``): a sum of log-linear rates over the periods
    of each observation window, scaled by a level per measure.
    """

    def __init__(self, design: Design) -> None:
        self.d = design
        self.p = design.X.shape[1]
        self.M = len(design.measures)
        self.n_params = self.p + self.M - 1
        self._onehot = [design.m_index == m for m in range(1, self.M)]
        self._levels = np.column_stack(self._onehot) if self._onehot else None
        # the last theta's parts and means (Newton asks for both at one theta)
        self._at: tuple[bytes, tuple, tuple | None] | None = None

    def _parts(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = theta.tobytes()
        if self._at is not None and self._at[0] == key:
            return self._at[1]
        d = self.d
        with np.errstate(over="ignore"):
            lam = np.exp(d.X @ theta[: self.p])
            scale = np.exp(np.concatenate([[0.0], theta[self.p :]]))[d.m_index]
        parts = (lam, scale, d.W @ lam)
        self._at = (key, parts, None)
        return parts

    def mean_jac(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lam, scale, base = self._parts(theta)
        assert self._at is not None
        if self._at[2] is not None:
            mu, J = self._at[2]
            return mu.copy(), J.copy()
        mu = scale * base
        J = np.empty((mu.size, self.n_params))
        J[:, : self.p] = scale[:, None] * (self.d.W @ (lam[:, None] * self.d.X))
        if self._levels is not None:
            J[:, self.p :] = np.where(self._levels, mu[:, None], 0.0)
        self._at = (self._at[0], self._at[1], (mu, J.copy()))
        return mu, J

    def curvature(self, theta: np.ndarray, w: np.ndarray) -> np.ndarray:
        lam, scale, _ = self._parts(theta)
        d, p = self.d, self.p
        C = np.zeros((self.n_params, self.n_params))
        C[:p, :p] = d.X.T @ ((lam * (d.W.T @ (w * scale)))[:, None] * d.X)
        if self.M > 1:
            mu, J = self.mean_jac(theta)
            for m, sel in enumerate(self._onehot):
                ws = np.where(sel, w, 0.0)
                C[:p, p + m] = C[p + m, :p] = J[:, :p].T @ ws
                C[p + m, p + m] = float(ws @ mu)
        return C


@dataclass(frozen=True)
class Problem:
    """A wave design with its data and family: log-likelihood and its derivatives.

    Parameters are ``theta = (beta, gamma[1:], log alpha)`` (``log alpha`` for NB only).
    """

    design: Design
    low: np.ndarray
    high: np.ndarray
    family: str

    @property
    def p(self) -> int:
        return self.design.X.shape[1]

    @property
    def n_theta(self) -> int:
        return self.p + len(self.design.measures) - 1 + (self.family == "negbin")

    def model(self) -> WaveMeans:
        """The mean model (for :func:`lifecycle._core.countfit.fit_counts`)."""
        return WaveMeans(self.design)

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

    def _derivs(self, theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        alpha = None if self.family == "negbin" else 0.0
        return loglik_and_derivatives(self.model(), self.low, self.high, theta, alpha)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """Gradient of the log-likelihood (not negated), analytic."""
        return self._derivs(theta)[1]

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        """Hessian of the log-likelihood, analytic (intervals: central differences)."""
        return self._derivs(theta)[2]

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

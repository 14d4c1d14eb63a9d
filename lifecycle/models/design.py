"""Design matrices of the wave regressions and the likelihood problem they define."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from lifecycle._core.errors import (
    DefinitionError,
)
from lifecycle._core.likelihood import interval_logprob, nb_logpmf
from lifecycle.models.waves import WaveDefinition
from lifecycle.series.countseries import CountSeries, to_label

__all__ = ["Design", "Problem", "build_design", "optimise"]


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


def build_design(series: CountSeries, definition: WaveDefinition, shape: str) -> Design:
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
    return Design(freq, grid, phase_of, covered, X, names, contrasts, measures, m_index, W)


# ====================================================================== likelihood
@dataclass(frozen=True)
class Problem:
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


def _newton(prob: Problem, theta: np.ndarray, max_iter: int = 100) -> tuple[np.ndarray, bool]:
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


def optimise(prob: Problem, theta0: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
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

"""The exact Bayesian posterior over segmentations of a Poisson count series.

Segment rates are i.i.d. ``Gamma(a, b)``; the product-partition recursions of
Fearnhead (2006), by number of segments, give the posterior of the number of changes
and of a change at each boundary in ``O(K n^2)``, with no MCMC.

References
----------
Fearnhead, P. (2006). Exact and efficient Bayesian inference for multiple changepoint
problems. *Statistics and Computing* 16(2): 203–213.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from lifecycle._core.errors import AllZeroError
from lifecycle._core.validation import check_float, check_int
from lifecycle.changepoints.search import (
    _DEFAULT_MAX_CHANGES,
    _atoms_from,
    _backtrack,
    _check_room,
    _dp,
    _feasible_max,
)
from lifecycle.models.costs import (
    prefix_sums,
)

__all__ = ["ChangePosterior", "posterior_changes"]


# ====================================================================== Bayesian
class _GammaPoissonCost:
    """``-2 log`` marginal likelihood of a segment, rate ~ Gamma(shape a, rate b).

    Up to the data constant ``sum_i (y_i log e_i - log y_i!)``:
    ``Q(s, t) = a log b - lgamma(a) + lgamma(a + C) - (a + C) log(b + E)``.
    """

    def __init__(self, counts: np.ndarray, exposure: np.ndarray, a: float, b: float) -> None:
        self.a, self.b = a, b
        self._S = prefix_sums(counts)
        self._X = prefix_sums(exposure)
        self._c0 = a * math.log(b) - special.gammaln(a)

    def log_marginal(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        C = self._S[t] - self._S[s]
        E = self._X[t] - self._X[s]
        return self._c0 + special.gammaln(self.a + C) - (self.a + C) * np.log(self.b + E)

    def _partial(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        return -2.0 * self.log_marginal(s, t)


@dataclass(frozen=True, eq=False)
class ChangePosterior:
    """Exact posterior over segmentations of the Poisson–Gamma change-point model.

    Attributes
    ----------
    labels : tuple
        Calendar label of the first period of atoms ``1..n-1``: a change "at" a label
        means a new regime starts there.
    prob_change : ndarray
        Posterior probability of a change at each label.
    n_changes_prob : ndarray
        Posterior probability of ``0..max_changes`` changes.
    prior_n_changes : ndarray
        Prior probability of ``0..max_changes`` changes.
    map_break_index, map_breaks : tuple
        The most probable segmentation (atom indices; calendar labels).
    map_rates : ndarray
        Posterior mean rate of each segment of the most probable segmentation.
    prior : str
        The prior on segmentations, in words.
    prior_shape, prior_rate : float
        ``a`` and ``b`` of the Gamma prior of each segment's rate.
    log_evidence : float
        Log marginal likelihood of the data under the model.
    """

    labels: tuple[int | str, ...]
    prob_change: np.ndarray
    n_changes_prob: np.ndarray
    prior_n_changes: np.ndarray
    map_break_index: tuple[int, ...]
    map_breaks: tuple[int | str, ...]
    map_rates: np.ndarray
    prior: str
    prior_shape: float
    prior_rate: float
    log_evidence: float

    def summary(self) -> pd.DataFrame:
        """One row per boundary: the label of the new regime's first period, P(change)."""
        return pd.DataFrame({"label": list(self.labels), "prob_change": self.prob_change})

    def n_changes_table(self) -> pd.DataFrame:
        """Prior and posterior probability of each number of changes."""
        return pd.DataFrame(
            {
                "n_changes": np.arange(self.n_changes_prob.size),
                "prior": self.prior_n_changes,
                "posterior": self.n_changes_prob,
            }
        )


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    return special.logsumexp(x, axis=axis)


def posterior_changes(
    data: Any,
    *,
    years: Any = None,
    exposure: Any = None,
    measure: str | None = None,
    freq: str = "year",
    prior_shape: float = 1.0,
    prior_rate: float | None = None,
    max_changes: int | None = None,
    p_change: float | None = None,
    min_size: int = 1,
) -> ChangePosterior:
    """Exact Bayesian posterior of change points for Poisson counts (no MCMC).

    Model: segments of at least ``min_size`` windows; within a segment the rate per
    period is ``lambda ~ Gamma(prior_shape, prior_rate)`` (independent across
    segments) and window ``i`` has count ``~ Poisson(e_i * lambda)``. Prior on
    segmentations with ``k <= max_changes`` changes:

    * default: uniform on the number of changes ``0..max_changes``, then uniform over
      the admissible locations given ``k``;
    * with ``p_change``: each boundary is a change independently with probability
      ``p_change`` (a product-partition / geometric prior), restricted to admissible
      segmentations with at most ``max_changes`` changes.

    Segment marginal likelihoods are in closed form; forward and backward recursions by
    number of segments (Fearnhead 2006) give the posterior of the number of changes and
    of a change at each boundary in ``O(max_changes * n^2)`` time and ``O(n^2)``
    memory; the most probable segmentation comes from the same recursion with ``max``.

    Parameters
    ----------
    data, years, exposure, measure, freq, min_size
        As in :func:`detect`.
    prior_shape : float
        ``a > 0``.
    prior_rate : float, optional
        ``b > 0``. Default ``prior_shape * E / C`` (prior mean = the overall rate, an
        empirical-Bayes choice).
    max_changes : int, optional
        Default ``min(10, n // min_size - 1)``.
    p_change : float, optional
        Per-boundary prior probability of a change, in (0, 1).

    Returns
    -------
    ChangePosterior

    Raises
    ------
    AllZeroError
        If every count is zero and ``prior_rate`` is not given.

    References
    ----------
    Fearnhead, P. (2006). Exact and efficient Bayesian inference for multiple
    changepoint problems. *Statistics and Computing* 16(2): 203–213.

    Examples
    --------
    >>> post = posterior_changes([9, 8, 11, 10, 2, 3, 1, 2], years=range(2010, 2018))
    >>> post.map_breaks
    (2014,)
    """
    func = "posterior_changes"
    min_size = check_int("min_size", min_size, func=func, min_value=1)
    a = check_float("prior_shape", prior_shape, func=func, min_value=0.0, min_inclusive=False)
    b = check_float(
        "prior_rate", prior_rate, func=func, min_value=0.0, min_inclusive=False, allow_none=True
    )
    p = check_float(
        "p_change",
        p_change,
        func=func,
        min_value=0.0,
        max_value=1.0,
        min_inclusive=False,
        max_inclusive=False,
        allow_none=True,
    )
    max_changes = check_int("max_changes", max_changes, func=func, min_value=0, allow_none=True)
    atoms = _atoms_from(data, years, exposure, measure, freq, func)
    n = len(atoms)
    _check_room(n, 0, min_size, func, "max_changes")
    if max_changes is not None:
        _check_room(n, max_changes, min_size, func, "max_changes")
        K = max_changes
    else:
        K = min(_DEFAULT_MAX_CHANGES, _feasible_max(n, min_size))
    y, e = atoms.count, atoms.exposure
    if b is None:
        if y.sum() == 0:
            raise AllZeroError(
                f"{func}: every count is zero, so the default prior_rate (prior mean = "
                f"overall rate) is undefined. Pass prior_rate explicitly."
            )
        b = a * e.sum() / y.sum()
    gp = _GammaPoissonCost(y, e, a, b)
    idx = np.arange(n + 1)
    with np.errstate(all="ignore"):
        Q = gp.log_marginal(idx[:, None], idx[None, :])  # Q[s, t]
    Q[idx[:, None] > idx[None, :] - min_size] = -np.inf
    A = np.full((K + 2, n + 1), -np.inf)  # A[j, t]: j segments over [0, t)
    B = np.full((K + 2, n + 1), -np.inf)  # B[j, s]: j segments over [s, n)
    A[1] = Q[0]
    B[1] = Q[:, n]
    for j in range(2, K + 2):
        A[j] = _logsumexp(A[j - 1][:, None] + Q, axis=0)
        B[j] = _logsumexp(Q + B[j - 1][None, :], axis=1)
    ks = np.arange(K + 1)
    # number of admissible segmentations with k changes: C(n - (k+1) m + k, k)
    log_count = (
        special.gammaln(n - (ks + 1) * min_size + ks + 1)
        - special.gammaln(ks + 1)
        - special.gammaln(n - (ks + 1) * min_size + 1)
    )
    if p is None:
        log_w = -math.log(K + 1) - log_count  # per-segmentation prior weight
        prior_text = (
            f"uniform on the number of changes 0..{K}, then uniform over locations "
            f"(min_size={min_size})"
        )
    else:
        log_w = ks * math.log(p) + (n - 1 - ks) * math.log1p(-p)
        prior_text = (
            f"independent change at each boundary with probability {p:g}, "
            f"at most {K} changes (min_size={min_size})"
        )
    log_prior_k = log_w + log_count
    log_prior_k -= special.logsumexp(log_prior_k)
    log_w = log_w - special.logsumexp(log_w + log_count)
    log_joint_k = log_w + A[1 : K + 2, n]  # log p(data, k changes) up to data constant
    logZ = special.logsumexp(log_joint_k)
    post_k = np.exp(log_joint_k - logZ)
    # P(change at boundary j): sum over k and over the index of the segment ending at j
    prob = np.zeros(n + 1)
    for k in range(1, K + 1):
        terms = np.array([A[i, :] + B[k + 1 - i, :] for i in range(1, k + 1)])
        prob += np.exp(log_w[k] + _logsumexp(terms, axis=0) - logZ)
    prob = np.clip(prob[1:n], 0.0, 1.0)
    F, arg = _dp(gp, n, K, min_size)
    k_map = int(np.argmax(log_w + (-F[:, n] / 2.0)))
    br = _backtrack(arg, k_map, n)
    bounds = np.array([0, *br, n])
    C = gp._S[bounds[1:]] - gp._S[bounds[:-1]]
    E = gp._X[bounds[1:]] - gp._X[bounds[:-1]]
    const = float(np.sum(special.xlogy(y, e) - special.gammaln(y + 1.0)))
    return ChangePosterior(
        labels=tuple(atoms.label(j) for j in range(1, n)),
        prob_change=prob,
        n_changes_prob=post_k,
        prior_n_changes=np.exp(log_prior_k),
        map_break_index=tuple(br),
        map_breaks=tuple(atoms.label(j) for j in br),
        map_rates=(a + C) / (b + E),
        prior=prior_text,
        prior_shape=a,
        prior_rate=b,
        log_evidence=float(logZ + const),
    )

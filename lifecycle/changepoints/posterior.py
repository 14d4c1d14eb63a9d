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
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from lifecycle._core.errors import ApproximationWarning
from lifecycle._core.validation import check_choice, check_float, check_int
from lifecycle.changepoints.search import (
    _DEFAULT_MAX_CHANGES,
    _atoms_from,
    _backtrack,
    _check_room,
    _dp,
    _feasible_max,
)
from lifecycle.models.costs import prefix_sums
from lifecycle.series.countseries import Atoms

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

    Read it in this order: the most probable number of changes (``n_changes_mode`` and
    ``n_changes_prob``), then where they are given that number (``mode_breaks``,
    ``prob_change_given_mode``), then the marginal ``prob_change`` over every number.

    Attributes
    ----------
    n_changes_mode : int
        The most probable number of changes.
    mode_break_index, mode_breaks : tuple
        The most probable segmentation with ``n_changes_mode`` changes (atom indices;
        calendar labels of the first period of each new regime).
    mode_rates : ndarray
        Posterior mean rate of each segment of that segmentation.
    prob_change_given_mode : ndarray
        Posterior probability of a change at each label given ``n_changes_mode`` changes.
    labels : tuple
        Calendar label of the first period of atoms ``1..n-1``: a change "at" a label
        means a new regime starts there.
    prob_change : ndarray
        Posterior probability of a change at each label (over every number of changes).
    n_changes_prob : ndarray
        Posterior probability of ``0..max_changes`` changes.
    prior_n_changes : ndarray
        Prior probability of ``0..max_changes`` changes.
    map_break_index, map_breaks : tuple
        The most probable segmentation over every number of changes.
    map_rates : ndarray
        Posterior mean rate of each segment of the most probable segmentation.
    prior : str
        The prior on segmentations, in words.
    prior_shape, prior_rate : float
        ``a`` and ``b`` of the Gamma prior of each segment's rate.
    log_evidence : float
        Log marginal likelihood of the data under the model (every constant included:
        a proper prior, so this is a true marginal likelihood).
    """

    n_changes_mode: int
    mode_break_index: tuple[int, ...]
    mode_breaks: tuple[int | str, ...]
    mode_rates: np.ndarray
    prob_change_given_mode: np.ndarray
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
        """One row per boundary: the label, P(change | most probable k), P(change)."""
        return pd.DataFrame(
            {
                "label": list(self.labels),
                "prob_change_given_mode": self.prob_change_given_mode,
                "prob_change": self.prob_change,
            }
        )

    def n_changes_table(self) -> pd.DataFrame:
        """Prior and posterior probability of each number of changes."""
        return pd.DataFrame(
            {
                "n_changes": np.arange(self.n_changes_prob.size),
                "prior": self.prior_n_changes,
                "posterior": self.n_changes_prob,
            }
        )


PRIORS_N_CHANGES = ("poisson", "uniform")
_PRIOR_TAIL = 1e-12  # default cap: the Poisson prior mass beyond it is below this


def _log_count(n: int, K: int, m: int) -> np.ndarray:
    """Log number of admissible segmentations with ``k = 0..K`` changes."""
    ks = np.arange(K + 1)
    return (
        special.gammaln(n - (ks + 1) * m + ks + 1)
        - special.gammaln(ks + 1)
        - special.gammaln(n - (ks + 1) * m + 1)
    )


def _prior_weights(
    kind: str, mean: float, p: float | None, n: int, K: int, m: int
) -> tuple[np.ndarray, np.ndarray, str]:
    """Per-segmentation log prior weight and log prior of each ``k``, and the words."""
    ks = np.arange(K + 1)
    log_count = _log_count(n, K, m)
    if p is not None:
        log_w = ks * math.log(p) + (n - 1 - ks) * math.log1p(-p)
        text = (
            f"independent change at each boundary with probability {p:g}, "
            f"at most {K} changes (min_size={m})"
        )
    elif kind == "uniform":
        log_w = -math.log(K + 1) - log_count
        text = (
            f"uniform on the number of changes 0..{K}, then uniform over locations (min_size={m})"
        )
    else:
        log_w = ks * math.log(mean) - special.gammaln(ks + 1) - log_count
        text = (
            f"Poisson({mean:g}) on the number of changes truncated to 0..{K}, then "
            f"uniform over locations (min_size={m})"
        )
    log_prior_k = log_w + log_count
    norm = special.logsumexp(log_prior_k)
    return log_w - norm, log_prior_k - norm, text


def _default_cap(kind: str, mean: float, p: float | None, feasible: int) -> int:
    if p is None and kind == "poisson":
        ks = np.arange(feasible + 1)
        small = stats.poisson.sf(ks, mean) < _PRIOR_TAIL  # P(k > K) negligible
        return int(np.argmax(small)) if small.any() else feasible
    return min(_DEFAULT_MAX_CHANGES, feasible)


def _recursions(Q: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray]:
    """Forward ``A[j, t]`` ([0, t) in j segments) and backward ``B[j, s]`` ([s, n))."""
    n = Q.shape[0] - 1
    A = np.full((K + 2, n + 1), -np.inf)
    B = np.full((K + 2, n + 1), -np.inf)
    A[1] = Q[0]
    B[1] = Q[:, n]
    for j in range(2, K + 2):
        A[j] = special.logsumexp(A[j - 1][:, None] + Q, axis=0)
        B[j] = special.logsumexp(Q + B[j - 1][None, :], axis=1)
    return A, B


def _change_probs(A: np.ndarray, B: np.ndarray, log_joint_k: np.ndarray) -> np.ndarray:
    """``P(change at boundary j | k changes)`` for every ``k`` (rows) and boundary."""
    K = log_joint_k.size - 1
    n = A.shape[1] - 1
    out = np.zeros((K + 1, n - 1))
    for k in range(1, K + 1):
        terms = np.array([A[i, :] + B[k + 1 - i, :] for i in range(1, k + 1)])
        lk = special.logsumexp(terms, axis=0)[1:n] - log_joint_k[k]
        out[k] = np.clip(np.exp(lk), 0.0, 1.0)
    return out


def posterior_changes(
    data: Any,
    *,
    years: Any = None,
    exposure: Any = None,
    measure: str | None = None,
    freq: str = "year",
    prior_shape: float = 0.5,
    prior_rate: float = 1e-3,
    prior_n_changes: str = "poisson",
    mean_changes: float = 1.0,
    max_changes: int | None = None,
    p_change: float | None = None,
    min_size: int = 1,
) -> ChangePosterior:
    """Exact Bayesian posterior of change points for Poisson counts (no MCMC).

    Model: segments of at least ``min_size`` windows; within a segment the rate per
    period is ``lambda ~ Gamma(prior_shape, prior_rate)`` (independent across
    segments) and window ``i`` has count ``~ Poisson(e_i * lambda)``. Prior on
    segmentations with ``k <= max_changes`` changes:

    * default (``prior_n_changes="poisson"``): ``k ~ Poisson(mean_changes)`` truncated
      to ``0..max_changes``, then uniform over the admissible locations given ``k``.
      It does not inflate the number of changes on short series (a uniform prior on
      ``k`` gives each of the few segmentations with many changes a large weight);
    * ``prior_n_changes="uniform"``: uniform on ``0..max_changes``, then uniform over
      locations;
    * with ``p_change``: each boundary is a change independently with probability
      ``p_change`` (a product-partition / geometric prior), restricted to admissible
      segmentations with at most ``max_changes`` changes.

    The rate prior is proper with fixed, stated hyper-parameters (never set from the
    data), so ``log_evidence`` is a true marginal likelihood. The default
    ``Gamma(0.5, 0.001)`` (mean 500 per period) is close to the Jeffreys prior
    ``lambda^(-1/2)`` for rates below about 1,000 per period; pass your own for counts
    far above that.

    Segment marginal likelihoods are in closed form; forward and backward recursions by
    number of segments (Fearnhead 2006) give the posterior of the number of changes and
    of a change at each boundary in ``O(max_changes * n^2)`` time and ``O(n^2)``
    memory; the most probable segmentations come from the same recursion with ``max``.

    Parameters
    ----------
    data, years, exposure, measure, freq, min_size
        As in :func:`lifecycle.changepoints.detect`.
    prior_shape, prior_rate : float
        ``a > 0`` and ``b > 0`` of the Gamma prior of each segment's rate.
    prior_n_changes : {"poisson", "uniform"}
        Prior on the number of changes (ignored with ``p_change``).
    mean_changes : float
        Mean of the Poisson prior on the number of changes (default 1).
    max_changes : int, optional
        Default: with the Poisson prior, the smallest ``K`` whose prior tail
        ``P(k > K)`` is below 1e-12 (10 for a mean of 1), else ``min(10, n // min_size -
        1)``; never more changes than the series can hold.
    p_change : float, optional
        Per-boundary prior probability of a change, in (0, 1).

    Returns
    -------
    ChangePosterior

    Warns
    -----
    ApproximationWarning
        If the posterior probability of the default cap's number of changes exceeds
        0.1 %, so the cap may cut off posterior mass (a cap you set is your choice).

    References
    ----------
    Fearnhead, P. (2006). Exact and efficient Bayesian inference for multiple
    changepoint problems. *Statistics and Computing* 16(2): 203–213.

    Examples
    --------
    >>> post = posterior_changes([9, 8, 11, 10, 2, 3, 1, 2], years=range(2010, 2018))
    >>> post.n_changes_mode, post.mode_breaks
    (1, (2014,))
    """
    func = "posterior_changes"
    min_size = check_int("min_size", min_size, func=func, min_value=1)
    a = check_float("prior_shape", prior_shape, func=func, min_value=0.0, min_inclusive=False)
    b = check_float("prior_rate", prior_rate, func=func, min_value=0.0, min_inclusive=False)
    kind = check_choice("prior_n_changes", prior_n_changes, PRIORS_N_CHANGES, func=func)
    mean = check_float("mean_changes", mean_changes, func=func, min_value=0.0, min_inclusive=False)
    p = check_float("p_change", p_change, func=func, min_value=0.0, max_value=1.0,
                    min_inclusive=False, max_inclusive=False, allow_none=True)  # fmt: skip
    max_changes = check_int("max_changes", max_changes, func=func, min_value=0, allow_none=True)
    atoms = _atoms_from(data, years, exposure, measure, freq, func)
    n = len(atoms)
    _check_room(n, 0, min_size, func, "max_changes")
    if max_changes is not None:
        _check_room(n, max_changes, min_size, func, "max_changes")
        K = max_changes
    else:
        K = _default_cap(kind, mean, p, _feasible_max(n, min_size))
    prior = _prior_weights(kind, mean, p, n, K, min_size)
    return _posterior(atoms, a, b, K, min_size, prior, warn_cap=max_changes is None)


def _posterior(
    atoms: Atoms,
    a: float,
    b: float,
    K: int,
    m: int,
    prior: tuple[np.ndarray, np.ndarray, str],
    warn_cap: bool,
) -> ChangePosterior:
    """The recursions and the result of :func:`posterior_changes`."""
    log_w, log_prior_k, prior_text = prior
    y, e = atoms.count, atoms.exposure
    n = len(atoms)
    gp = _GammaPoissonCost(y, e, a, b)
    idx = np.arange(n + 1)
    with np.errstate(all="ignore"):
        Q = gp.log_marginal(idx[:, None], idx[None, :])  # Q[s, t]
    Q[idx[:, None] > idx[None, :] - m] = -np.inf
    A, B = _recursions(Q, K)
    log_joint_k = log_w + A[1 : K + 2, n]  # log p(data, k changes) up to data constant
    logZ = special.logsumexp(log_joint_k)
    post_k = np.exp(log_joint_k - logZ)
    given_k = _change_probs(A, B, log_joint_k - log_w)
    prob = np.clip((post_k[:, None] * given_k).sum(axis=0), 0.0, 1.0)
    if warn_cap and K > 0 and post_k[K] > 1e-3 and K < _feasible_max(n, m):
        warnings.warn(
            f"posterior_changes: the posterior probability of max_changes={K} changes is "
            f"{post_k[K]:.3g}; the cap may cut off posterior mass. Raise max_changes.",
            ApproximationWarning,
            stacklevel=3,
        )
    F, arg = _dp(gp, n, K, m)
    k_mode = int(np.argmax(post_k))
    k_map = int(np.argmax(log_w + (-F[:, n] / 2.0)))
    mode, best = _backtrack(arg, k_mode, n), _backtrack(arg, k_map, n)
    const = float(np.sum(special.xlogy(y, e) - special.gammaln(y + 1.0)))
    return ChangePosterior(
        n_changes_mode=k_mode,
        mode_break_index=tuple(mode),
        mode_breaks=tuple(atoms.label(j) for j in mode),
        mode_rates=_post_rates(gp, mode, n),
        prob_change_given_mode=given_k[k_mode],
        labels=tuple(atoms.label(j) for j in range(1, n)),
        prob_change=prob,
        n_changes_prob=post_k,
        prior_n_changes=np.exp(log_prior_k),
        map_break_index=tuple(best),
        map_breaks=tuple(atoms.label(j) for j in best),
        map_rates=_post_rates(gp, best, n),
        prior=prior_text,
        prior_shape=a,
        prior_rate=b,
        log_evidence=float(logZ + const),
    )


def _post_rates(gp: _GammaPoissonCost, breaks: list[int], n: int) -> np.ndarray:
    bounds = np.array([0, *breaks, n])
    C = gp._S[bounds[1:]] - gp._S[bounds[:-1]]
    E = gp._X[bounds[1:]] - gp._X[bounds[:-1]]
    return (gp.a + C) / (gp.b + E)

"""How sure are the changes: a bootstrap test of "at least one change", break intervals.

:func:`test_change` compares the best segmentation with at most ``K`` changes to no
change by a likelihood ratio, calibrated by a parametric bootstrap under the fitted
no-change model (re-estimating the NB dispersion in each replicate).
:func:`break_intervals` gives parametric-bootstrap intervals for the break locations
of a fitted segmentation, drawn from the same model the segmentation fitted.

References
----------
Davison, A. C. and Hinkley, D. V. (1997). *Bootstrap Methods and their Application*,
Cambridge University Press, ch. 4–5.

Hinkley, D. V. (1970). Inference about the change-point in a sequence of random
variables. *Biometrika* 57(1): 1–17.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.dispersion import alpha_constant_rate, exposure_groups, nb_rate
from lifecycle._core.errors import ParameterError, SerialCorrelationWarning
from lifecycle._core.renames import old_keywords, renamed_attribute, take_renamed
from lifecycle._core.results import TestResult, bootstrap_pvalue
from lifecycle._core.sampling import draw_counts
from lifecycle._core.serial import SerialDiagnostic, serial_diagnostic
from lifecycle._core.validation import (
    check_choice,
    check_float,
    check_int,
    check_level,
    check_n_draws,
    check_rng,
)
from lifecycle.changepoints.search import (
    FAMILY_OPTIONS,
    _atoms_from,
    _backtrack,
    _check_room,
    _dp,
    _Level,
    _polish,
    resolve_detect_family,
)
from lifecycle.changepoints.segmentation import Segmentation
from lifecycle.models.costs import (
    NegBinCost,
    PoissonCost,
    nb_partial,
    poisson_partial,
    prefix_sums,
)
from lifecycle.series.countseries import Atoms

__all__ = ["BreakIntervals", "break_intervals", "test_change"]


# ====================================================================== batch helpers
def _segment_costs_batch(
    Y: np.ndarray, e: np.ndarray, s: np.ndarray, t: np.ndarray, alpha: np.ndarray | None
) -> np.ndarray:
    """Partial costs of segments ``[s, t)`` (arrays of shape (J,)) for each row of Y.

    ``alpha`` None means Poisson; otherwise an array (M,) (0 entries are Poisson).
    Returns an array (M, J).
    """
    S = prefix_sums(Y)
    X = prefix_sums(e)
    C = S[:, t] - S[:, s]
    E = (X[t] - X[s])[None, :]
    pois = poisson_partial(C, E)
    if alpha is None or not np.any(alpha > 0):
        return pois
    v, inv = exposure_groups(e)
    onehot = (inv[None, :] == np.arange(v.size)[:, None]).astype(float)  # (m, n)
    Ng = prefix_sums(onehot)  # (m, n+1)
    Yg = prefix_sums(onehot[:, None, :] * Y[None, :, :])  # (m, M, n+1)
    N = np.broadcast_to((Ng[:, t] - Ng[:, s])[:, None, :], (v.size, *C.shape))
    Yt = Yg[:, :, t] - Yg[:, :, s]
    r = 1.0 / np.where(alpha > 0, alpha, 1.0)
    nb = nb_partial(C, N, Yt, v, r[:, None])
    return np.where((alpha > 0)[:, None], nb, pois)


def _lr_batch(
    Y: np.ndarray,
    e: np.ndarray,
    family: str,
    alpha: float | None,
    max_changes: int,
    min_size: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """LR statistics ``cost(no change) - cost(best <= K changes)`` for each row of Y.

    Returns the statistics, the dispersions used, the no-change rates and, for
    ``max_changes = 1``, the best break (atom index of the new regime's first atom).
    """
    M, n = Y.shape
    if family == "poisson":
        a = None
        alphas = np.zeros(M)
        lam0 = Y.sum(axis=1) / e.sum()
    elif alpha is None:
        alphas, lam0 = alpha_constant_rate(Y, e)
        a = alphas
    else:
        alphas = np.full(M, alpha)
        a = alphas
        lam0 = _rates_const(Y, e, alpha)
    c0 = _segment_costs_batch(Y, e, np.array([0]), np.array([n]), a)[:, 0]
    if max_changes == 1:
        j = np.arange(min_size, n - min_size + 1)
        left = _segment_costs_batch(Y, e, np.zeros_like(j), j, a)
        right = _segment_costs_batch(Y, e, j, np.full_like(j, n), a)
        tot = left + right
        best = tot.argmin(axis=1)
        c1 = tot[np.arange(M), best]
        split = j[best]
    else:
        c1 = np.empty(M)
        split = np.full(M, -1)
        for i in range(M):
            cost = PoissonCost() if family == "poisson" else NegBinCost(dispersion=float(alphas[i]))
            cost.fit(np.column_stack([Y[i], e]))
            F, _ = _dp(cost, n, max_changes, min_size)
            c1[i] = F[:, n].min()
    return np.maximum(c0 - c1, 0.0), alphas, lam0, split


def _rates_const(Y: np.ndarray, e: np.ndarray, alpha: float) -> np.ndarray:
    """ML constant rate of each row for a given NB2 dispersion."""
    if alpha == 0:
        return Y.sum(axis=1) / e.sum()
    v, inv = exposure_groups(e)
    onehot = (inv[None, :] == np.arange(v.size)[:, None]).astype(float)
    Nj = np.repeat(onehot.sum(axis=1)[:, None], Y.shape[0], axis=1)
    Yj = onehot @ Y.T
    return nb_rate(Y.sum(axis=1), Nj, Yj, v, 1.0 / alpha)


def _col(alpha: np.ndarray | None) -> np.ndarray | None:
    return None if alpha is None else np.asarray(alpha, dtype=float)[:, None]


def _simulate(rng: np.random.Generator, mu: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """Poisson or NB2 draws with means ``mu`` (M, n) and dispersions ``alpha`` (M,)."""
    return draw_counts(mu, "poisson" if alpha is None else "negbin", _col(alpha), rng)


# ====================================================================== change test
@old_keywords(alpha="dispersion")
def test_change(
    data: Any,
    *,
    years: Any = None,
    exposure: Any = None,
    measure: str | None = None,
    freq: str = "year",
    family: str = "auto",
    dispersion: float | None = None,
    max_changes: int = 1,
    min_size: int = 1,
    n_boot: int = 999,
    seed: Any,
    **deprecated: Any,
) -> TestResult:
    """Test that the rate changes at least once (likelihood ratio, parametric bootstrap).

    Statistic ``T = 2 (loglik of the best segmentation with at most max_changes
    changes - loglik with no change)``, both with the NB dispersion estimated once under
    the no-change model (or given). The p-value is
    ``(1 + #{T* >= T}) / (n_boot + 1)`` over replicates simulated from the fitted
    no-change model, in each of which the dispersion is re-estimated.

    Parameters
    ----------
    data, years, exposure, measure, freq, family, dispersion, min_size
        As in :func:`detect` (``family="auto"`` by default: NB2 when the series is
        overdispersed; ``details["family_choice"]`` says which family and why).
    max_changes : int
        Changes allowed under the alternative (default 1).
    n_boot : int
        Number of bootstrap replicates.
    seed : int, SeedSequence or Generator
        Required: makes the p-value reproducible.

    Returns
    -------
    TestResult
        ``details`` holds the dispersion, the no-change rate, ``serial`` (Ljung–Box on
        the residuals of the best segmentation) and, for one change, the best break
        (calendar label of the new regime's first period).

    Raises
    ------
    TooShortError
        If the series has fewer than ``(max_changes + 1) * min_size`` windows.

    References
    ----------
    Davison, A. C. and Hinkley, D. V. (1997). *Bootstrap Methods and their Application*,
    Cambridge University Press, section 4.2.

    Examples
    --------
    >>> res = test_change([9, 8, 11, 10, 2, 3, 1, 2], n_boot=199, seed=1)
    >>> res.p_value < 0.05
    True
    """
    func = "test_change"
    (dispersion,) = take_renamed(func, deprecated, alpha=("dispersion", dispersion, None))
    check_choice("family", family, FAMILY_OPTIONS, func=func)
    min_size = check_int("min_size", min_size, func=func, min_value=1)
    max_changes = check_int("max_changes", max_changes, func=func, min_value=1)
    n_boot = check_n_draws("n_boot", n_boot, func=func)
    alpha = check_float("dispersion", dispersion, func=func, min_value=0.0, allow_none=True)
    rng = check_rng(seed, func=func)
    atoms = _atoms_from(data, years, exposure, measure, freq, func)
    n = len(atoms)
    _check_room(n, max_changes, min_size, func, "max_changes")
    family, choice = resolve_detect_family(data, atoms, family, alpha, measure, func)
    if family == "poisson" and alpha is not None:
        raise ParameterError(
            f"The 'dispersion' parameter of {func} applies to family='negbin'. Got "
            f"dispersion={alpha} with family='poisson'."
        )
    Y = atoms.count[None, :]
    e = atoms.exposure
    T, alphas, lam0, split = _lr_batch(Y, e, family, alpha, max_changes, min_size)
    mu = np.broadcast_to(e[None, :] * lam0[:, None], (n_boot, n))
    a_boot = None if family == "poisson" else np.full(n_boot, alphas[0])
    Ystar = _simulate(rng, mu, a_boot)
    Tstar, *_ = _lr_batch(Ystar, e, family, alpha, max_changes, min_size)
    details: dict[str, Any] = {
        "n_windows": n,
        "max_changes": max_changes,
        "min_size": min_size,
        "rate_no_change": float(lam0[0]),
        "dispersion": float(alphas[0]) if family == "negbin" else None,
        "dispersion_estimated": family == "negbin" and alpha is None,
        "family_choice": choice,
    }
    if max_changes == 1:
        details["best_break"] = atoms.label(int(split[0]))
    details["serial"] = _serial_of_best(atoms, family, float(alphas[0]), max_changes, min_size)
    return TestResult(
        name="at least one change",
        statistic=float(T[0]),
        p_value=bootstrap_pvalue(float(T[0]), Tstar),
        method=f"parametric bootstrap, {n_boot} replicates",
        null="constant rate",
        alternative=f"piecewise-constant rate with 1 to {max_changes} changes",
        family=family,
        n_boot=n_boot,
        seed=seed if isinstance(seed, (int, np.integer)) else None,
        details=details,
    )


def _serial_of_best(
    atoms: Atoms, family: str, alpha: float, max_changes: int, min_size: int
) -> SerialDiagnostic:
    """Ljung–Box on the residuals of the best segmentation with at most ``max_changes``.

    Warns (``SerialCorrelationWarning``) when significant with positive lag-1
    autocorrelation: the bootstrap draws independent counts.
    """
    n = len(atoms)
    cost = PoissonCost() if family == "poisson" else NegBinCost(dispersion=alpha)
    cost.fit(np.column_stack([atoms.count, atoms.exposure]))
    F, arg = _dp(cost, n, max_changes, min_size)
    br = _backtrack(arg, int(np.argmin(F[:, n])), n)
    s, t = np.array([0, *br]), np.array([*br, n])
    mu = atoms.exposure * np.repeat(np.atleast_1d(cost.rate(s, t)), t - s)
    diag = serial_diagnostic(atoms.count, mu, alpha if family == "negbin" else None)
    if diag.significant and diag.acf[0] > 0:
        warnings.warn(
            f"test_change: the residuals of the best segmentation are autocorrelated "
            f"(Ljung-Box p = {diag.p_value:.3g}, lag-1 autocorrelation {diag.acf[0]:.2f}); "
            f"the bootstrap assumes independent counts and may over-reject.",
            SerialCorrelationWarning,
            stacklevel=3,
        )
    return diag


test_change.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


# ====================================================================== break intervals
@dataclass(frozen=True, eq=False)
class BreakIntervals:
    """Parametric-bootstrap intervals for the break locations of a segmentation.

    Attributes
    ----------
    estimate, low, high : tuple
        Calendar labels (first period of the new regime) of each break and its interval.
    confidence : float
        Confidence level of the intervals.
    n_boot : int
    seed : int or None
    draws : ndarray of shape (n_boot, k)
        Atom index of each break in each replicate.
    """

    estimate: tuple[int | str, ...]
    low: tuple[int | str, ...]
    high: tuple[int | str, ...]
    confidence: float
    n_boot: int
    seed: int | None
    draws: np.ndarray = field(repr=False)

    level = renamed_attribute("level", "confidence")

    def summary(self) -> pd.DataFrame:
        """One row per break."""
        return pd.DataFrame(
            {
                "break": list(self.estimate),
                "low": list(self.low),
                "high": list(self.high),
                "confidence": self.confidence,
            }
        )


def _best_k_breaks(
    Y: np.ndarray,
    atoms: Atoms,
    family: str,
    alpha: float | None,
    k: int,
    min_size: int,
    profile_from: float | None = None,
) -> np.ndarray:
    """Breaks of the best ``k``-change segmentation of each row of Y, shape (M, k).

    With ``profile_from`` (NB2 with an estimated dispersion) each row's dispersion is
    profiled with its segmentation as in :func:`lifecycle.changepoints.detect`:
    segment at ``profile_from``, re-estimate ``alpha`` given the breaks, and alternate
    until the breaks stop changing.
    """
    M, n = Y.shape
    e = atoms.exposure
    out = np.empty((M, k), dtype=np.int64)
    if profile_from is not None:
        for i in range(M):
            start = _Level(k, np.inf, (), profile_from)
            out[i] = _polish(replace(atoms, count=Y[i]), start, min_size, False).breaks
        return out
    if k == 1:
        *_, split = _lr_batch(Y, e, family, alpha, 1, min_size)
        return split[:, None]
    for i in range(M):
        cost = PoissonCost() if family == "poisson" else NegBinCost(dispersion=alpha)
        cost.fit(np.column_stack([Y[i], e]))
        _, arg = _dp(cost, n, k, min_size)
        out[i] = _backtrack(arg, k, n)
    return out


@old_keywords(level="confidence")
def break_intervals(
    seg: Segmentation,
    *,
    n_boot: int = 499,
    confidence: float = 0.95,
    seed: Any,
    **deprecated: Any,
) -> BreakIntervals:
    """Parametric-bootstrap intervals for the break locations of a segmentation.

    Replicates are drawn from the fitted piecewise-constant model (Poisson, or NB2 with
    the fitted dispersion); each is segmented again with the same number of changes,
    family and ``min_size``, by the same model: an estimated dispersion is profiled
    with the segmentation of each replicate, as :func:`detect` does. The
    interval of break ``j`` is the equal-tailed percentile interval of the ``j``-th
    break over the replicates, conditional on the number of changes.

    Parameters
    ----------
    seg : Segmentation
        With at least one change.
    n_boot : int
    confidence : float
        Confidence level of the intervals.
    seed : int, SeedSequence or Generator

    Returns
    -------
    BreakIntervals

    Raises
    ------
    ParameterError
        If ``seg`` has no change.

    References
    ----------
    Hinkley, D. V. (1970). Inference about the change-point in a sequence of random
    variables. *Biometrika* 57(1): 1–17. Davison & Hinkley (1997), ch. 4–5.
    """
    func = "break_intervals"
    (confidence,) = take_renamed(func, deprecated, level=("confidence", confidence, 0.95))
    if not isinstance(seg, Segmentation):
        raise TypeError(f"The 'seg' parameter of {func} must be a Segmentation. Got {seg!r}.")
    n_boot = check_n_draws("n_boot", n_boot, func=func)
    confidence = check_level("confidence", confidence, func=func)
    rng = check_rng(seed, func=func)
    k = seg.n_changes
    if k == 0:
        raise ParameterError(
            f"{func} needs a segmentation with at least one change. Got one with none."
        )
    atoms = seg.atoms
    n = len(atoms)
    e = atoms.exposure
    mu = e * np.repeat(seg.rates, np.diff([0, *seg.break_index, n]))
    mu = np.broadcast_to(mu[None, :], (n_boot, n))
    a = None if seg.family == "poisson" else np.full(n_boot, seg.dispersion or 0.0)
    Ystar = _simulate(rng, mu, a)
    estimated = seg.dispersion_estimated
    alpha = None if (seg.family == "poisson" or estimated) else seg.dispersion
    start = seg.dispersion if (seg.family == "negbin" and estimated) else None
    draws = _best_k_breaks(Ystar, atoms, seg.family, alpha, k, seg.min_size, start)
    tail = (1.0 - confidence) / 2.0
    lo = np.quantile(draws, tail, axis=0, method="lower")
    hi = np.quantile(draws, 1.0 - tail, axis=0, method="higher")
    return BreakIntervals(
        estimate=seg.breaks,
        low=tuple(atoms.label(int(i)) for i in lo),
        high=tuple(atoms.label(int(i)) for i in hi),
        confidence=confidence,
        n_boot=n_boot,
        seed=seed if isinstance(seed, (int, np.integer)) else None,
        draws=draws,
    )

"""The result of a change-point search: segments, rates, their intervals and criteria.

Criteria (``-2 loglik`` plus a penalty; ``p = 2k + 1`` parameters, one more for an
estimated NB dispersion): ``AIC = cost + 2p``; ``BIC = cost + p log n``;
``MBIC = cost + 3k log n + sum_j log n_j`` (Zhang & Siegmund 2007, in the form of R's
changepoint), with ``n`` atoms and ``n_j`` atoms in segment ``j``. Segment rates get
exact Garwood intervals (Poisson) or profile-likelihood intervals (NB2).

References
----------
Zhang, N. R. and Siegmund, D. O. (2007). A modified Bayes information criterion with
applications to the analysis of comparative genomic hybridization data. *Biometrics*
63(1): 22–32.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from lifecycle._core.criteria import aic, bic, mbic
from lifecycle._core.dispersion import FamilyChoice
from lifecycle._core.present import print_summary as _print_summary
from lifecycle._core.present import repr_with
from lifecycle._core.renames import renamed_attribute
from lifecycle._core.serial import SerialDiagnostic, serial_diagnostic
from lifecycle._core.validation import check_choice, check_float
from lifecycle.series.countseries import Atoms, to_label

__all__ = ["Segmentation"]

CRITERIA = ("bic", "mbic", "aic")


# ====================================================================== results
@dataclass(frozen=True, eq=False)
class Segmentation:
    """A segmentation of a count series into regimes of constant rate.

    Attributes
    ----------
    family : {"poisson", "negbin"}
    dispersion : float or None
        NB2 dispersion used (None for Poisson).
    dispersion_estimated : bool
        Whether ``dispersion`` was estimated (maximum likelihood jointly with the
        segmentation: the dispersion is profiled over segmentations) rather than given.
    method : {"exact", "pelt"}
    penalty : str or float
        The criterion (``"bic"``, ``"mbic"``, ``"aic"``), a penalty per change, or
        ``"fixed"`` when the number of changes was given.
    min_size : int
        Minimum number of atoms per segment.
    break_index : tuple of int
        Atom index of the first atom of each new segment.
    breaks : tuple
        Calendar label of the first period of each new regime.
    starts, ends : tuple
        Calendar labels of the first and last period of each segment.
    counts, exposures, rates : ndarray
        Total count, total exposure and ML rate per period of each segment.
    rate_ci : ndarray of shape (k + 1, 2)
        Confidence interval of each rate at ``confidence`` (Poisson: exact Garwood;
        NB: profile likelihood).
    confidence : float
        Confidence level of ``rate_ci``.
    loglik : float
        Maximised log-likelihood (``-cost / 2``).
    cost : float
        ``-2 * loglik``.
    criteria : dict
        ``aic``, ``bic`` and ``mbic`` of this segmentation.
    path : pandas.DataFrame or None
        For the exact method: the best segmentation for every number of changes
        ``0..max_changes`` (cost, log-likelihood, criteria, breaks).
    atoms : Atoms
        The data segmented.
    serial : SerialDiagnostic
        Ljung–Box test of the Pearson residuals of the fitted segmentation (in window
        order): independent counts given the regimes is what the search assumes.
    family_choice : FamilyChoice or None
        Which family was used and why (``reason``): the overdispersion test behind
        ``family="auto"``, or the family requested by name.
    """

    family: str
    dispersion: float | None
    dispersion_estimated: bool
    method: str
    penalty: str | float
    min_size: int
    break_index: tuple[int, ...]
    breaks: tuple[int | str, ...]
    starts: tuple[int | str, ...]
    ends: tuple[int | str, ...]
    counts: np.ndarray
    exposures: np.ndarray
    rates: np.ndarray
    rate_ci: np.ndarray
    confidence: float
    loglik: float
    cost: float
    criteria: dict[str, float]
    path: pd.DataFrame | None
    atoms: Atoms = field(repr=False)
    serial: SerialDiagnostic | None = field(default=None, repr=False)
    family_choice: FamilyChoice | None = field(default=None, repr=False)

    alpha = renamed_attribute("alpha", "dispersion")
    alpha_estimated = renamed_attribute("alpha_estimated", "dispersion_estimated")
    level = renamed_attribute("level", "confidence")

    _repr_extra = ("n_changes",)
    __repr__ = repr_with(*_repr_extra)
    print_summary = _print_summary

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """The observed rates with the segments, their intervals and the breaks.

        See :func:`lifecycle.plotting.plot_segmentation` (matplotlib is imported on this
        call).
        """
        from lifecycle.plotting import plot_segmentation

        return plot_segmentation(self, ax=ax, **kwargs)

    @property
    def n_changes(self) -> int:
        """Number of changes."""
        return len(self.break_index)

    def summary(self) -> pd.DataFrame:
        """One row per segment: span, count, exposure, rate and its interval."""
        pct = f"{100 * self.confidence:g}%"
        return pd.DataFrame(
            {
                "start": list(self.starts),
                "end": list(self.ends),
                "n_windows": np.diff([0, *self.break_index, len(self.atoms)]),
                "count": self.counts,
                "exposure": self.exposures,
                "rate": self.rates,
                f"rate_low_{pct}": self.rate_ci[:, 0],
                f"rate_high_{pct}": self.rate_ci[:, 1],
            }
        )


def n_params(k: int, family: str, alpha_estimated: bool) -> int:
    return 2 * k + 1 + int(family == "negbin" and alpha_estimated)


def criteria_of(
    cost: float, breaks: list[int], n: int, family: str, alpha_estimated: bool
) -> dict[str, float]:
    k = len(breaks)
    p = n_params(k, family, alpha_estimated)
    lengths = np.diff([0, *breaks, n])
    ll = -cost / 2.0
    return {"aic": aic(ll, p), "bic": bic(ll, p, n), "mbic": mbic(ll, lengths)}


def beta_of(penalty: str | float, n: int) -> float:
    if penalty == "aic":
        return 4.0
    if penalty == "bic":
        return 2.0 * math.log(n)
    if penalty == "mbic":
        return 3.0 * math.log(n)
    return float(penalty)


def _rate_ci(
    cost: Any, atoms: Atoms, bounds: list[int], rates: np.ndarray, family: str, level: float
) -> np.ndarray:
    out = np.empty((len(bounds) - 1, 2))
    q = stats.chi2.ppf(level, 1)
    tail = (1.0 - level) / 2.0
    for j, (s, t) in enumerate(itertools.pairwise(bounds)):
        y, e = atoms.count[s:t], atoms.exposure[s:t]
        C, E = y.sum(), e.sum()
        if family == "poisson" or not cost.dispersion:
            # Garwood: chi2 quantiles through scipy.special (stats.chi2.ppf is ~100x slower)
            low = 0.0 if C == 0 else special.chdtri(2 * C, 1 - tail) / (2 * E)
            high = special.chdtri(2 * C + 2, tail) / (2 * E)
            out[j] = low, high
            continue
        lhat = rates[j]
        ll_hat = cost.loglik(y, e * lhat).sum()

        def f(theta: float, y=y, e=e, ll_hat=ll_hat) -> float:
            return float(cost.loglik(y, e * math.exp(theta)).sum() - ll_hat + q / 2)

        top = math.log(max(lhat, 1.0 / E)) + 1.0
        while f(top) > 0:
            top += 2.0
        high = math.exp(optimize.brentq(f, math.log(lhat) if C > 0 else top - 60, top))
        if C == 0:
            low = 0.0
        else:
            bot = math.log(lhat) - 1.0
            while f(bot) > 0:
                bot -= 2.0
            low = math.exp(optimize.brentq(f, bot, math.log(lhat)))
        out[j] = low, high
    return out


def build(
    atoms: Atoms,
    cost: Any,
    breaks: list[int],
    *,
    family: str,
    alpha_estimated: bool,
    method: str,
    penalty: str | float,
    min_size: int,
    confidence: float,
    path: pd.DataFrame | None,
    family_choice: FamilyChoice | None = None,
) -> Segmentation:
    n = len(atoms)
    bounds = [0, *breaks, n]
    s = np.array(bounds[:-1])
    t = np.array(bounds[1:])
    rates = np.atleast_1d(cost.rate(s, t)).astype(float)
    mu = atoms.exposure * np.repeat(rates, t - s)
    loglik = float(cost.loglik(atoms.count, mu).sum())
    total = -2.0 * loglik
    return Segmentation(
        family=family,
        dispersion=cost.dispersion if family == "negbin" else None,
        dispersion_estimated=alpha_estimated,
        method=method,
        penalty=penalty,
        min_size=min_size,
        break_index=tuple(int(b) for b in breaks),
        breaks=tuple(atoms.label(b) for b in breaks),
        starts=tuple(atoms.label(b) for b in s),
        ends=tuple(to_label(atoms.end[b - 1], atoms.freq) for b in t),
        counts=np.add.reduceat(atoms.count, s),
        exposures=np.add.reduceat(atoms.exposure, s),
        rates=rates,
        rate_ci=_rate_ci(cost, atoms, bounds, rates, family, confidence),
        confidence=confidence,
        loglik=loglik,
        cost=total,
        criteria=criteria_of(total, breaks, n, family, alpha_estimated),
        path=path,
        atoms=atoms,
        serial=serial_diagnostic(atoms.count, mu, cost.dispersion if family == "negbin" else None),
        family_choice=family_choice if family_choice is not None else FamilyChoice.fixed(family),
    )


# ====================================================================== public search
def check_penalty(penalty: Any, func: str) -> str | float:
    if isinstance(penalty, str):
        return check_choice("penalty", penalty, CRITERIA, func=func)
    return check_float("penalty", penalty, func=func, min_value=0.0)

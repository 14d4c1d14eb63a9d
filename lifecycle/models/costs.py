"""Poisson and negative-binomial segment costs over observation windows.

A *segment* is a run of consecutive atoms (observation windows, see
:meth:`lifecycle.series.CountSeries.atoms`) ``s, s+1, ..., t-1`` (written ``[s, t)``) that
share one rate :math:`\\lambda` per period. Atom :math:`i` has count :math:`y_i` and
exposure :math:`e_i`, and mean :math:`\\mu_i = e_i \\lambda`.

Objective
---------
The cost of a segment is minus twice its maximised log-likelihood,

.. math:: c(s, t) = -2 \\max_{\\lambda \\ge 0} \\sum_{i=s}^{t-1} \\log p(y_i \\mid e_i \\lambda),

so the cost of a segmentation is ``-2 * loglik`` and adding costs is adding
log-likelihoods. Costs are computed in closed form from prefix sums:

* **Poisson**: :math:`\\hat\\lambda = C/E` with :math:`C = \\sum y_i`,
  :math:`E = \\sum e_i`, and :math:`c = 2(C - C \\log(C/E)) + \\sum_i d_i` with the data
  constant :math:`d_i = -2(y_i \\log e_i - \\log y_i!)` (``0 log 0 = 0``, so an all-zero
  segment costs :math:`\\sum d_i`).
* **Negative binomial (NB2)**, variance :math:`\\mu + \\alpha\\mu^2` with one dispersion
  :math:`\\alpha` for the whole series (given, or estimated once by maximum likelihood
  under a constant rate, :func:`estimate_alpha`). With :math:`r = 1/\\alpha` the score
  equation for the segment rate is
  :math:`C/\\lambda = \\sum_i (r + y_i) e_i / (r + e_i \\lambda)`. When every atom of the
  segment has the same exposure :math:`v` its root is :math:`\\hat\\lambda = C/(N v)`;
  otherwise it has no closed form. Atoms are then grouped by distinct exposure value
  :math:`v_j` (few in practice: 1 for full years, a fraction for a partial one, ``k``
  for a ``k``-year window), the per-group sums :math:`N_j, Y_j` are prefix sums, and the
  root is found by vectorised Newton iterations on
  :math:`\\sum_j (r N_j + Y_j)\\, r/(r + v_j\\lambda) = r N`, a convex decreasing function,
  started left of the root so that the iterates increase monotonically to it (to
  machine precision). The segment part of the log-likelihood is then
  :math:`C\\log\\hat\\lambda - \\sum_j (r N_j + Y_j) \\log(1 + v_j\\hat\\lambda / r)`.

Each cost is also a :class:`ruptures.base.BaseCost`, so it plugs into ``rpt.Pelt``,
``rpt.Dynp`` and ``rpt.Binseg`` (``custom_cost=...``, with ``jump=1``). Fit it to a 1-D
array of counts, or to a two-column array ``(count, exposure)``.

Complexity
----------
``O(n)`` to fit (prefix sums), ``O(1)`` per segment cost for Poisson and for NB with
equal exposures, ``O(m * iterations)`` per segment for NB with ``m`` distinct exposures.

References
----------
Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.,
Cambridge University Press, ch. 3 (NB2).

Killick, R. and Eckley, I. A. (2014). changepoint: an R package for changepoint
analysis. *Journal of Statistical Software* 58(3) (the Poisson segment cost).

Truong, C., Oudre, L. and Vayatis, N. (2020). Selective review of offline change point
detection methods. *Signal Processing* 167: 107299 (ruptures and its cost interface).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import ruptures as rpt
from scipy import special

from lifecycle._core.dispersion import alpha_constant_rate, exposure_groups, nb_rate
from lifecycle._core.errors import CountError, EmptySeriesError
from lifecycle._core.likelihood import nb_logpmf, poisson_logpmf
from lifecycle._core.renames import renamed_attribute, renamed_parameters
from lifecycle._core.validation import check_counts, check_exposure, check_float

__all__ = ["NegBinCost", "PoissonCost", "estimate_alpha"]

_TINY = 1e-300

# the shared pieces live in lifecycle._core.dispersion; these names stay for callers
# that still import them from here (use the public _core names in new code)
_nb_rate = nb_rate
_exposure_groups = exposure_groups
_alpha_mle_batch = alpha_constant_rate


# ---------------------------------------------------------------------- closed forms
def poisson_partial(C: np.ndarray, E: np.ndarray) -> np.ndarray:
    """Segment-dependent part of the Poisson cost, ``2 (C - C log(C/E))``.

    ``0 log 0 = 0``: a zero count gives ``0 * log(tiny / E) = 0`` (``E > 0``).
    """
    out = np.log(np.maximum(C, _TINY) / E)
    if not isinstance(out, np.ndarray) or out.ndim == 0:
        return 2.0 * (C - C * out)
    out *= C
    np.subtract(C, out, out=out)
    out *= 2.0
    return out


def nb_partial(
    C: np.ndarray,
    N: np.ndarray,
    Y: np.ndarray,
    v: np.ndarray,
    r: np.ndarray | float,
    lam: np.ndarray | None = None,
) -> np.ndarray:
    """Segment-dependent part of the NB2 cost (see the module docstring).

    ``lam``: the segments' ML rates if already known (:func:`nb_rate` of the same sums).
    """
    if lam is None:
        lam = nb_rate(C, N, Y, v, r)
    vv = v.reshape((-1,) + (1,) * C.ndim)
    W = r * N + Y
    ll = special.xlogy(C, lam) - (W * np.log1p(vv * lam / r)).sum(axis=0)
    return -2.0 * ll


def prefix_sums(x: np.ndarray) -> np.ndarray:
    out = np.zeros((*x.shape[:-1], x.shape[-1] + 1))
    np.cumsum(x, axis=-1, out=out[..., 1:])
    return out


def check_signal(counts: Any, exposure: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
    y = check_counts("counts", counts, func=func)
    if y.size == 0:
        raise EmptySeriesError(f"{func} needs at least one count. Got none.")
    e = check_exposure("exposure", exposure, func=func, size=y.size)
    return y, e


# ---------------------------------------------------------------------- alpha MLE
def estimate_alpha(counts: Any, exposure: Any = None) -> float:
    """Maximum-likelihood NB2 dispersion of a series under a constant rate.

    The rate is profiled out (closed form with equal exposures, Newton otherwise) and
    ``log alpha`` is maximised by golden-section search on ``[1e-6, 1e3]``. If the
    Poisson likelihood (``alpha = 0``) is at least as high, 0 is returned. This is the
    validated public face of :func:`lifecycle._core.dispersion.alpha_constant_rate`.

    Parameters
    ----------
    counts : array_like of int
    exposure : array_like of float, optional
        Exposure of each count (default 1).

    Returns
    -------
    float
        The estimate of ``alpha`` (variance ``mu + alpha * mu**2``).

    Notes
    -----
    Under a constant rate, real changes of level inflate the estimate, which makes the
    negative-binomial search conservative. Give the cost its ``dispersion`` when a
    better value is known (e.g. from a fit with the breaks held fixed).

    References
    ----------
    Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*,
    2nd ed., section 3.3.
    """
    y, e = check_signal(counts, exposure, "estimate_alpha")
    alpha, _ = alpha_constant_rate(y[None, :], e)
    return float(alpha[0])


# ---------------------------------------------------------------------- cost classes
class _AtomCost:
    """Shared machinery: prefix sums over atoms and the per-segment cost API.

    ``_partial(s, t)`` (broadcasting arrays of atom indices, segment ``[s, t)``) is the
    segment-dependent part of the cost; ``segment_cost`` adds the data constant, so that
    a segmentation's total cost is exactly ``-2 * loglik``.
    """

    n: int
    counts: np.ndarray
    exposure: np.ndarray
    _S: np.ndarray
    _X: np.ndarray
    _D: np.ndarray

    def _set_data(self, counts: np.ndarray, exposure: np.ndarray) -> None:
        self.counts = counts
        self.exposure = exposure
        self.n = counts.size
        self._S = prefix_sums(counts)
        self._X = prefix_sums(exposure)
        self._D = prefix_sums(self._data_constant(counts, exposure))
        self.signal = np.column_stack([counts, exposure])

    def _data_constant(self, y: np.ndarray, e: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _partial(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def segment_cost(self, start: Any, end: Any) -> np.ndarray:
        """Cost ``-2 * max loglik`` of the segments ``[start, end)`` (arrays broadcast)."""
        s = np.asarray(start)
        t = np.asarray(end)
        return self._partial(s, t) + (self._D[t] - self._D[s])

    def rate(self, start: Any, end: Any) -> np.ndarray:
        """Maximum-likelihood rate per period of the segments ``[start, end)``."""
        s = np.asarray(start)
        t = np.asarray(end)
        return (self._S[t] - self._S[s]) / (self._X[t] - self._X[s])

    def cost_and_rate(self, start: Any, end: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(segment_cost, rate)`` of the segments ``[start, end)`` in one pass."""
        return self.segment_cost(start, end), self.rate(start, end)

    @property
    def constant(self) -> float:
        """Sum of the data constants over all atoms."""
        return float(self._D[-1])

    def error(self, start: int, end: int) -> float:
        """Cost of ``signal[start:end]`` (the ruptures interface)."""
        if self._S is None:
            raise RuntimeError("Call fit(signal) before error(start, end).")
        if end - start < self.min_size:
            raise rpt.exceptions.NotEnoughPoints
        return float(self.segment_cost(start, end))

    def _split_signal(self, signal: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
        try:
            arr = np.asarray(signal, dtype=float)
        except (TypeError, ValueError):
            raise CountError(
                f"{func} expects non-negative whole-number counts (or count, exposure "
                f"columns). Got values that are not numbers: {signal!r}."
            ) from None
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim == 1:
            return check_signal(arr, None, func)
        if arr.ndim == 2 and arr.shape[1] == 2:
            return check_signal(arr[:, 0], arr[:, 1], func)
        raise CountError(
            f"{func} expects counts of shape (n,) or (n, 1), or (count, exposure) columns of "
            f"shape (n, 2). Got shape {arr.shape}."
        )


class PoissonCost(_AtomCost, rpt.base.BaseCost):
    """Poisson segment cost ``-2 * max loglik`` with exposures, in closed form.

    Usable in ruptures: ``rpt.Dynp(custom_cost=PoissonCost(), min_size=1, jump=1)``.

    Examples
    --------
    >>> c = PoissonCost().fit(np.array([3, 4, 0, 1]))
    >>> round(c.error(0, 2) + c.error(2, 4), 6) == round(c.sum_of_costs([2, 4]), 6)
    True
    """

    model = "poisson"

    def __init__(self) -> None:
        self.min_size = 1
        self._S = None  # type: ignore[assignment]
        self.signal = None

    def fit(self, signal: Any) -> PoissonCost:
        """Compute prefix sums for a signal of counts, or ``(count, exposure)`` columns."""
        y, e = self._split_signal(signal, "PoissonCost.fit")
        self._set_data(y, e)
        return self

    @classmethod
    def from_atoms(cls, counts: np.ndarray, exposure: np.ndarray) -> PoissonCost:
        """A fitted cost for counts and exposures (validated)."""
        return cls().fit(np.column_stack([counts, exposure]))

    def _data_constant(self, y: np.ndarray, e: np.ndarray) -> np.ndarray:
        return -2.0 * (special.xlogy(y, e) - special.gammaln(y + 1.0))

    def _partial(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        return poisson_partial(self._S[t] - self._S[s], self._X[t] - self._X[s])

    def loglik(self, y: np.ndarray, mu: np.ndarray) -> np.ndarray:
        """Pointwise log-likelihood (for reporting)."""
        return poisson_logpmf(y, mu)


class NegBinCost(_AtomCost, rpt.base.BaseCost):
    """NB2 segment cost ``-2 * max loglik`` with one dispersion for the whole series.

    Parameters
    ----------
    dispersion : float, optional
        NB2 dispersion ``alpha`` (variance ``mu + alpha * mu**2``). If omitted,
        :meth:`fit` estimates it once by maximum likelihood under a constant rate
        (:func:`estimate_alpha`). ``0`` gives the Poisson cost.

    Examples
    --------
    >>> c = NegBinCost(dispersion=0.5).fit(np.array([3, 4, 0, 1]))
    >>> c.dispersion
    0.5
    """

    model = "negbin"
    alpha = renamed_attribute("alpha", "dispersion")

    @renamed_parameters(alpha="dispersion")
    def __init__(self, dispersion: float | None = None) -> None:
        self.dispersion_given = check_float(
            "dispersion", dispersion, func="NegBinCost", min_value=0.0, allow_none=True
        )
        self.dispersion: float | None = self.dispersion_given
        self.min_size = 1
        self._S = None  # type: ignore[assignment]
        self.signal = None

    def fit(self, signal: Any) -> NegBinCost:
        """Compute prefix sums (and the dispersion if not given) for a signal."""
        y, e = self._split_signal(signal, "NegBinCost.fit")
        if self.dispersion_given is None:
            a, _ = alpha_constant_rate(y[None, :], e)
            self.dispersion = float(a[0])
        else:
            self.dispersion = self.dispersion_given
        self._v, inv = exposure_groups(e)
        onehot = (inv[:, None] == np.arange(self._v.size)[None, :]).astype(float)  # (n, m)
        self._Ng = prefix_sums(onehot.T)  # (m, n+1)
        self._Yg = prefix_sums((onehot * y[:, None]).T)
        self._set_data(y, e)
        return self

    @classmethod
    @renamed_parameters(alpha="dispersion")
    def from_atoms(
        cls, counts: np.ndarray, exposure: np.ndarray, dispersion: float | None = None
    ) -> NegBinCost:
        """A fitted cost for counts and exposures (validated)."""
        return cls(dispersion=dispersion).fit(np.column_stack([counts, exposure]))

    def with_dispersion(self, dispersion: float) -> NegBinCost:
        """The same fitted cost at another (given, positive) dispersion, sharing the sums."""
        out = copy.copy(self)
        out.dispersion_given = out.dispersion = float(dispersion)
        out._D = prefix_sums(out._data_constant(self.counts, self.exposure))
        return out

    @property
    def _r(self) -> float:
        return 1.0 / self.dispersion if self.dispersion else np.inf

    def _data_constant(self, y: np.ndarray, e: np.ndarray) -> np.ndarray:
        if not self.dispersion:
            return -2.0 * (special.xlogy(y, e) - special.gammaln(y + 1.0))
        r = self._r
        return -2.0 * (
            special.gammaln(y + r)
            - special.gammaln(r)
            - special.gammaln(y + 1.0)
            - y * np.log(r)
            + special.xlogy(y, e)
        )

    def _partial(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        s, t = np.broadcast_arrays(s, t)
        C = self._S[t] - self._S[s]
        if not self.dispersion:
            return poisson_partial(C, self._X[t] - self._X[s])
        N = self._Ng[:, t] - self._Ng[:, s]
        Y = self._Yg[:, t] - self._Yg[:, s]
        return nb_partial(C, N, Y, self._v, self._r)

    def cost_and_rate(self, start: Any, end: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(segment_cost, rate)`` of the segments ``[start, end)``; one rate solve."""
        s, t = np.broadcast_arrays(np.asarray(start), np.asarray(end))
        if not self.dispersion:
            return super().cost_and_rate(s, t)
        C = self._S[t] - self._S[s]
        N = self._Ng[:, t] - self._Ng[:, s]
        Y = self._Yg[:, t] - self._Yg[:, s]
        lam = nb_rate(C, N, Y, self._v, self._r)
        cost = nb_partial(C, N, Y, self._v, self._r, lam) + (self._D[t] - self._D[s])
        return cost, lam

    def rate(self, start: Any, end: Any) -> np.ndarray:
        """Maximum-likelihood rate per period of the segments ``[start, end)``."""
        s, t = np.broadcast_arrays(np.asarray(start), np.asarray(end))
        if not self.dispersion:
            return super().rate(s, t)
        C = self._S[t] - self._S[s]
        return nb_rate(
            C, self._Ng[:, t] - self._Ng[:, s], self._Yg[:, t] - self._Yg[:, s], self._v, self._r
        )

    def loglik(self, y: np.ndarray, mu: np.ndarray) -> np.ndarray:
        """Pointwise log-likelihood (for reporting)."""
        return nb_logpmf(y, mu, self.dispersion or 0.0)

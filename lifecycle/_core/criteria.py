"""Information criteria: the one definition of AIC, AICc, BIC and MBIC in lifecycle.

Every model and search reports its criteria through these functions, so a comparison
across modules compares like with like. All take the maximised log-likelihood
``loglik`` (with all constants) and the number of free parameters ``k`` counted by the
caller (which parameters are counted is the caller's documented choice), and broadcast
over arrays.

=========  =====================================================================
``aic``    ``-2 loglik + 2 k`` (Akaike 1974)
``aicc``   ``aic + 2 k (k + 1) / (n - k - 1)``, ``inf`` when ``n <= k + 1``
           (Hurvich & Tsai 1989)
``bic``    ``-2 loglik + k log n`` (Schwarz 1978)
``mbic``   ``-2 loglik + 3 m log n + sum_j log n_j`` for ``m`` changes and segment
           lengths ``n_j`` (``n = sum n_j``); the modified BIC of Zhang & Siegmund
           (2007) in the form used by R's ``changepoint`` (Killick & Eckley 2014),
           which counts only the changes' penalty (segment parameters cancel).
=========  =====================================================================

References
----------
Akaike, H. (1974). A new look at the statistical model identification. *IEEE
Transactions on Automatic Control* 19(6): 716-723.

Hurvich, C. M. and Tsai, C.-L. (1989). Regression and time series model selection in
small samples. *Biometrika* 76(2): 297-307.

Schwarz, G. (1978). Estimating the dimension of a model. *Annals of Statistics* 6(2):
461-464.

Zhang, N. R. and Siegmund, D. O. (2007). A modified Bayes information criterion with
applications to the analysis of comparative genomic hybridization data. *Biometrics*
63(1): 22-32.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["aic", "aicc", "bic", "mbic"]


def aic(loglik: Any, n_params: Any) -> Any:
    """Akaike's criterion ``-2 loglik + 2 k``.

    Examples
    --------
    >>> aic(-10.0, 3)
    26.0
    """
    out = -2.0 * np.asarray(loglik, dtype=float) + 2.0 * np.asarray(n_params, dtype=float)
    return float(out) if out.ndim == 0 else out


def aicc(loglik: Any, n_params: Any, n_obs: Any) -> Any:
    """Small-sample AIC ``aic + 2 k (k + 1) / (n - k - 1)``; ``inf`` if ``n <= k + 1``.

    Examples
    --------
    >>> aicc(-10.0, 3, 10)
    30.0
    """
    k = np.asarray(n_params, dtype=float)
    n = np.asarray(n_obs, dtype=float)
    room = n - k - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.where(room > 0, 2.0 * k * (k + 1.0) / np.where(room > 0, room, 1.0), np.inf)
    out = np.asarray(aic(loglik, k)) + corr
    return float(out) if out.ndim == 0 else out


def bic(loglik: Any, n_params: Any, n_obs: Any) -> Any:
    """Schwarz's criterion ``-2 loglik + k log n``.

    Examples
    --------
    >>> round(bic(-10.0, 2, 100), 6)
    29.21034
    """
    out = -2.0 * np.asarray(loglik, dtype=float) + np.asarray(n_params, dtype=float) * np.log(
        np.asarray(n_obs, dtype=float)
    )
    return float(out) if out.ndim == 0 else out


def mbic(loglik: float, segment_lengths: Any) -> float:
    """Modified BIC of a segmentation: ``-2 loglik + 3 m log n + sum log n_j``.

    Parameters
    ----------
    loglik : float
        Maximised log-likelihood of the segmentation.
    segment_lengths : sequence of int
        Length of each of the ``m + 1`` segments (``n`` is their sum).

    Examples
    --------
    >>> round(mbic(-10.0, [5, 5]), 6)
    30.126631
    """
    lengths = np.asarray(segment_lengths, dtype=float)
    m = lengths.size - 1
    n = lengths.sum()
    return float(-2.0 * loglik + 3.0 * m * np.log(n) + np.log(lengths).sum())

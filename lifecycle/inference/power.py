"""Power of the resurgence and change tests by simulation (full or warp-speed bootstrap).

The warp-speed method is Giacomini, Politis and White (2013), *Econometric Theory*
29(3): 567–589 (full reference in :mod:`lifecycle.inference.resurgence`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import AllZeroError, ParameterError, TooShortError
from lifecycle._core.likelihood import FAMILIES
from lifecycle._core.renames import old_keywords, renamed_attribute, take_renamed
from lifecycle._core.sampling import draw_counts
from lifecycle._core.validation import (
    check_choice,
    check_exposure,
    check_level,
    check_n_draws,
    check_rng,
)
from lifecycle.inference.resurgence import _analyse, _check_sizes
from lifecycle.inference.simulate import (
    _check_rates,
    _simulate_counts,
)

__all__ = ["PowerResult", "power"]


# ====================================================================== power
@dataclass(frozen=True)
class PowerResult:
    """Rejection rates of tests on series simulated from one rate curve.

    Attributes
    ----------
    rates : ndarray
        The rate curve the series were drawn from.
    family : str
        The family of the simulated data (and of the tests).
    dispersion : float or None
        NB2 dispersion of the simulated data.
    level : float
        Significance level.
    method : str
        ``"full"`` (every simulated series gets its own bootstrap) or ``"warp"``
        (one bootstrap draw per series, Giacomini, Politis & White 2013).
    n_sim, n_boot : int
    seed : int or None
    table : pandas.DataFrame
        One row per test: ``test``, ``power``, ``se`` (Monte Carlo standard error).
    """

    rates: np.ndarray
    family: str
    dispersion: float | None
    level: float
    method: str
    n_sim: int
    n_boot: int | None
    seed: int | None
    table: pd.DataFrame = field(repr=False)

    alpha = renamed_attribute("alpha", "dispersion")

    def power(self, test: str = "resurgence") -> float:
        """Estimated probability that ``test`` rejects."""
        row = self.table.loc[self.table["test"] == test, "power"]
        if row.empty:
            raise ParameterError(
                f"No power was computed for test {test!r}. Tests: {list(self.table['test'])}."
            )
        return float(row.iloc[0])

    def summary(self) -> pd.DataFrame:
        """One row per test with the settings of the study."""
        out = self.table.copy()
        out.insert(1, "family", self.family)
        out["n_periods"] = self.rates.size
        out["dispersion"] = self.dispersion
        out["level"] = self.level
        out["method"] = self.method
        out["n_sim"] = self.n_sim
        out["n_boot"] = self.n_boot
        out["seed"] = self.seed
        return out


_TESTS = ("resurgence", "change")


@old_keywords(alpha="dispersion")
def power(
    rates: Sequence[float] | np.ndarray,
    *,
    family: str = "poisson",
    dispersion: float | None = None,
    exposure: Sequence[float] | np.ndarray | None = None,
    n_sim: int = 1000,
    n_boot: int = 199,
    level: float = 0.05,
    method: str = "full",
    min_decline: float = 0.0,
    min_rebound: float = 0.0,
    tests: Sequence[str] = ("resurgence",),
    seed: Any,
    **deprecated: Any,
) -> PowerResult:
    """Probability that each test detects a resurgence in series drawn from ``rates``.

    Tells a user whether data like theirs (this length, this level of counts, this
    family) could ever answer the question. Under a unimodal curve the "power" is the
    size of the test.

    Parameters
    ----------
    rates : sequence of float
        True rate of each period (the simulated series has this length).
    family : {"poisson", "negbin"}
        Family of the simulated data; the tests use the same family.
    dispersion : float, optional
        NB2 dispersion of the simulated data (required for ``"negbin"``).
    exposure : sequence of float, optional
        Exposure of each period (default 1).
    n_sim : int
        Number of simulated series.
    n_boot : int
        Bootstrap replicates per series (``method="full"`` only).
    level : float
        Significance level.
    method : {"full", "warp"}
        ``"full"``: each series is tested with its own ``n_boot`` replicates (cost
        ``n_sim * n_boot`` fits, all vectorised). ``"warp"``: one bootstrap draw per
        series and a pooled critical value (Giacomini, Politis & White 2013); fast and
        accurate for large ``n_sim``.
    min_decline, min_rebound : float
        Passed to :func:`test_resurgence`.
    tests : sequence of str
        ``"resurgence"`` (:func:`test_resurgence`) and/or ``"change"``
        (:func:`lifecycle.changepoints.test_change`, at least one change in rate — a
        different question: a single rise or fall also counts). The change test is
        always run with its own ``n_boot`` replicates per series (``method`` applies
        to the resurgence test only) and loops over series, so keep ``n_sim`` modest.
    seed : int, numpy SeedSequence or Generator
        Source of randomness (required).

    Returns
    -------
    PowerResult

    Raises
    ------
    ParameterError
        On an unknown test, family or method, or invalid settings.

    References
    ----------
    Giacomini, Politis and White (2013).

    Examples
    --------
    >>> res = power([30, 60, 100, 70, 35, 25, 45, 75, 100, 90], n_sim=200,
    ...             method="warp", seed=1)
    >>> res.power("resurgence") > 0.8
    True
    """
    func = "power"
    (dispersion,) = take_renamed(func, deprecated, alpha=("dispersion", dispersion, None))
    rates_arr = _check_rates(rates, func)
    check_choice("family", family, FAMILIES, func=func)
    check_choice("method", method, ("full", "warp"), func=func)
    n_sim = check_n_draws("n_sim", n_sim, func=func, min_value=2, n_periods=rates_arr.size)
    n_boot = check_n_draws("n_boot", n_boot, func=func)
    level = check_level("level", level, func=func)
    d, r = _check_sizes(min_decline, min_rebound, func)
    if isinstance(tests, str):
        tests = (tests,)
    tests = [check_choice("tests", t, _TESTS, func=func) for t in tests]
    if not tests:
        raise ParameterError(f"The 'tests' parameter of {func} must name at least one test.")
    if rates_arr.size < 3:
        raise TooShortError(
            f"{func} needs a rate curve of at least 3 periods. Got {rates_arr.size}."
        )
    if not np.any(rates_arr > 0):
        raise AllZeroError(
            f"{func} needs a rate curve with some positive rate: series drawn from an "
            f"all-zero curve are all zeros, which no test can analyse. Got {rates_arr.tolist()}."
        )
    rng = check_rng(seed, func=func)
    e = check_exposure("exposure", exposure, func=func, size=rates_arr.size, per="period")
    Y = _simulate_counts(
        rates_arr, family=family, alpha=dispersion, exposure=e, n=n_sim, seed=rng, func=func
    )
    rows = []
    for t in tests:
        if t == "resurgence":
            rej = _resurgence_rejections(Y, e, family, d, r, n_boot, level, method, rng)
        else:
            rej = _change_rejections(Y, e, family, n_boot, level, rng)
        rows.append({"test": t, "power": rej.mean(), "se": rej.std(ddof=1) / np.sqrt(n_sim)})
    return PowerResult(
        rates=rates_arr,
        family=family,
        dispersion=dispersion,
        level=level,
        method=method,
        n_sim=n_sim,
        n_boot=n_boot if method == "full" else None,
        seed=int(seed) if isinstance(seed, int | np.integer) else None,
        table=pd.DataFrame(rows),
    )


def _change_rejections(
    Y: np.ndarray, e: np.ndarray, family: str, n_boot: int, level: float, rng: np.random.Generator
) -> np.ndarray:
    """Whether :func:`lifecycle.changepoints.test_change` rejects each row (one call each)."""
    from lifecycle.changepoints import test_change  # a later module; imported on use

    return np.array(
        [
            test_change(y, exposure=e, family=family, n_boot=n_boot, seed=rng).p_value <= level
            for y in Y
        ]
    )


def _resurgence_rejections(
    Y: np.ndarray,
    e: np.ndarray,
    family: str,
    d: float,
    r: float,
    n_boot: int,
    level: float,
    method: str,
    rng: np.random.Generator,
) -> np.ndarray:
    """Whether the resurgence test rejects each simulated series (rows of ``Y``)."""
    n_sim = Y.shape[0]
    obs = _analyse(Y, e, family, d, r, want_null=True)
    alpha = None if obs.alpha is None else obs.alpha[:, None]
    if method == "warp":
        Ystar = draw_counts(obs.mu_boot, family, alpha, rng)
        boot = np.sort(_analyse(Ystar, e, family, d, r, want_null=False).stat)
        # warp-speed p-value of each series against the pooled bootstrap statistics
        n_ge = n_sim - np.searchsorted(boot, obs.stat - 1e-9, side="left")
        p = (1.0 + n_ge) / (n_sim + 1.0)
        return p <= level
    reject = np.empty(n_sim, dtype=bool)
    step = max(1, 20_000 // n_boot)
    for lo in range(0, n_sim, step):
        mu = np.repeat(obs.mu_boot[lo : lo + step], n_boot, axis=0)
        a = None if alpha is None else np.repeat(alpha[lo : lo + step], n_boot, axis=0)
        boot = _analyse(draw_counts(mu, family, a, rng), e, family, d, r, want_null=False).stat
        boot = boot.reshape(-1, n_boot)
        t = obs.stat[lo : lo + step, None]
        p = (1.0 + np.count_nonzero(boot >= t - 1e-9, axis=1)) / (n_boot + 1.0)
        reject[lo : lo + step] = p <= level
    return reject

"""Result types shared by the tests in lifecycle (change, resurgence, direction)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.present import print_summary as _print_summary
from lifecycle._core.present import repr_with

__all__ = ["TestResult", "bootstrap_pvalue"]


def bootstrap_pvalue(observed: float, replicates: np.ndarray) -> float:
    """Monte Carlo p-value ``(1 + #{T* >= T}) / (B + 1)`` (Davison & Hinkley 1997, 4.2).

    Never zero, so it is valid at any number of replicates ``B``.
    """
    replicates = np.asarray(replicates, dtype=float)
    return float((1 + np.count_nonzero(replicates >= observed - 1e-9)) / (replicates.size + 1))


@dataclass(frozen=True)
class TestResult:
    """The outcome of a hypothesis test.

    Attributes
    ----------
    name : str
        What was tested, in words (``"at least one change"``).
    statistic : float
        The test statistic (e.g. a likelihood-ratio statistic).
    p_value : float
    method : str
        How the p-value was obtained (``"parametric bootstrap, 999 replicates"``).
    null, alternative : str
        The hypotheses in words.
    family : str
        ``"poisson"`` or ``"negbin"``.
    n_boot : int or None
    seed : int or None
        The seed that reproduces the p-value.
    details : dict
        Test-specific extras (fitted peak years, sizes, dispersion, …).
    """

    __test__ = False  # not a pytest test class

    name: str
    statistic: float
    p_value: float
    method: str
    null: str
    alternative: str
    family: str
    n_boot: int | None = None
    seed: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    _repr_extra = ()
    __repr__ = repr_with(*_repr_extra)
    print_summary = _print_summary

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Observed rates with the fitted null and alternative (a resurgence test).

        See :func:`lifecycle.plotting.plot_test` (matplotlib is imported on this call).
        """
        from lifecycle.plotting import plot_test

        return plot_test(self, ax=ax, **kwargs)

    def reject(self, level: float = 0.05) -> bool:
        """Whether the null is rejected at ``level``."""
        return self.p_value <= level

    def summary(self) -> pd.DataFrame:
        """One-row table of the test."""
        row = {
            "test": self.name,
            "null": self.null,
            "alternative": self.alternative,
            "family": self.family,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "method": self.method,
            "n_boot": self.n_boot,
            "seed": self.seed,
        }
        row.update({k: v for k, v in self.details.items() if np.isscalar(v) or v is None})
        return pd.DataFrame([row])

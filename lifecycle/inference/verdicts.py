"""Verdict rules: three outcomes, each reachable, fixed before the data are seen.

Per series (one reading of the evidence, one measure):

* **"resurgence supported"**: the resurgence test rejects a single rise and fall at the
  level (default 5%);
* **"no resurgence of at least the stated size"**: the test does not reject, *and* its
  power at a pre-specified alternative is at least 0.8. The alternative is stated in
  advance (:class:`ResurgenceAlternative`: by default a decline of at least 50% from the
  first peak and a rebound of at least 50% from the trough, at the series' own length,
  exposures, mean level and dispersion) — never the fitted curve, whose "observed
  power" is a function of the p-value and cannot certify an absence (Hoenig and Heisey
  2001);
* **"the evidence cannot decide"**: otherwise (not testable, or too little power).

Across readings a verdict holds only when it holds in every reading; otherwise the
evidence cannot decide, and the summary says how many distinct outcomes the readings give.

References
----------
Hoenig, J. M. and Heisey, D. M. (2001). The abuse of power: the pervasive fallacy of
power calculations for data analysis. *The American Statistician* 55: 19–24.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lifecycle._core.errors import ParameterError
from lifecycle._core.renames import old_keywords, take_renamed

__all__ = [
    "ADEQUATE_POWER",
    "CANNOT_DECIDE",
    "NO_RESURGENCE",
    "SUPPORTED",
    "VERDICTS",
    "ResurgenceAlternative",
    "combine_verdicts",
    "power_at_alternative",
    "reading_verdict",
]

SUPPORTED = "resurgence supported"
NO_RESURGENCE = "no resurgence of at least the stated size"
CANNOT_DECIDE = "the evidence cannot decide"
VERDICTS = (SUPPORTED, NO_RESURGENCE, CANNOT_DECIDE)
ADEQUATE_POWER = 0.8


@dataclass(frozen=True)
class ResurgenceAlternative:
    """The smallest resurgence worth detecting, fixed before looking at the data.

    Parameters
    ----------
    min_decline : float in (0, 1)
        Decline from the first peak to the trough, as a fraction of the peak.
    min_rebound : float > 0
        Rise from the trough to the second peak, as a fraction of the trough.
    at : tuple of 3 floats
        Positions of the first peak, the trough and the second peak as fractions of the
        series (0 = first observation, 1 = last).
    """

    min_decline: float = 0.5
    min_rebound: float = 0.5
    at: tuple[float, float, float] = (0.25, 0.5, 0.8)

    def __post_init__(self) -> None:
        if not (0 < float(self.min_decline) < 1):
            raise ParameterError(
                f"ResurgenceAlternative.min_decline must be in (0, 1). Got {self.min_decline!r}."
            )
        if not float(self.min_rebound) > 0:
            raise ParameterError(
                f"ResurgenceAlternative.min_rebound must be > 0. Got {self.min_rebound!r}."
            )

    def describe(self) -> str:
        """The alternative in words."""
        return (
            f"a decline of {self.min_decline:.0%} from the first peak and a rebound of "
            f"{self.min_rebound:.0%} from the trough"
        )

    def rates(self, n: int, mean_rate: float) -> np.ndarray:
        """The alternative's rate per observation on ``n`` observations, mean ``mean_rate``.

        Rises from the trough level to the peak, falls by ``min_decline``, rebounds by
        ``min_rebound`` (piecewise linear through the knots ``at``).
        """
        from lifecycle.inference.simulate import two_waves

        trough = 1.0 - self.min_decline
        second = trough * (1.0 + self.min_rebound)
        curve = two_waves(n, trough, 1.0, trough, second, second, at=self.at)
        return curve * (mean_rate / curve.mean())


@old_keywords(alpha="dispersion")
def power_at_alternative(
    counts: Sequence[float] | np.ndarray,
    exposure: Sequence[float] | np.ndarray,
    *,
    family: str = "poisson",
    dispersion: float | None = None,
    alternative: ResurgenceAlternative | None = None,
    level: float = 0.05,
    n_sim: int = 400,
    seed: Any,
    **deprecated: Any,
) -> tuple[float, float]:
    """Power of the resurgence test at the pre-specified alternative, for series like these.

    The alternative has the same number of observations, exposures and mean rate as the
    observed ``counts`` (and, for NB, the ``dispersion`` the test estimated under
    the null). Uses :func:`lifecycle.inference.power` (warp-speed method).

    Returns
    -------
    (power, standard error)
    """
    from lifecycle.inference import power

    (dispersion,) = take_renamed(
        "power_at_alternative", deprecated, alpha=("dispersion", dispersion, None)
    )
    alt = ResurgenceAlternative() if alternative is None else alternative
    y = np.asarray(counts, dtype=float)
    e = np.asarray(exposure, dtype=float)
    rates = alt.rates(y.size, float(y.sum() / e.sum()))
    if family == "negbin" and not dispersion:
        family, dispersion = "poisson", None
    pw = power(
        rates,
        family=family,
        dispersion=dispersion,
        exposure=e,
        n_sim=n_sim,
        method="warp",
        level=level,
        seed=seed,
    )
    row = pw.table.loc[pw.table["test"] == "resurgence"].iloc[0]
    return float(row["power"]), float(row["se"])


def reading_verdict(
    rejects: bool | None, power: float | None, *, adequate: float = ADEQUATE_POWER
) -> tuple[str, str]:
    """The verdict of one series and the reason in words.

    Parameters
    ----------
    rejects : bool or None
        Whether the resurgence test rejected (None: not testable).
    power : float or None
        Power at the pre-specified alternative (None: not computed).
    adequate : float
        Power needed to call an absence.

    Examples
    --------
    >>> reading_verdict(True, 0.3)[0]
    'resurgence supported'
    >>> reading_verdict(False, 0.93)[0]
    'no resurgence of at least the stated size'
    >>> reading_verdict(False, 0.4)[0]
    'the evidence cannot decide'
    """
    if rejects is None:
        return CANNOT_DECIDE, "the resurgence test cannot be run on this series"
    if rejects:
        return SUPPORTED, "the test rejects a single rise and fall"
    if power is None or not np.isfinite(power):
        return CANNOT_DECIDE, "no rejection, and the power at the stated alternative is unknown"
    if power >= adequate:
        return NO_RESURGENCE, (
            f"no rejection, and the test would detect the stated alternative with power "
            f"{power:.2f} >= {adequate:g}"
        )
    return CANNOT_DECIDE, (
        f"no rejection, but the power at the stated alternative is only {power:.2f} "
        f"(< {adequate:g})"
    )


def combine_verdicts(verdicts: Sequence[str]) -> tuple[str, str]:
    """The verdict across readings: one holds only when it holds in every reading.

    Returns the verdict and a sentence saying how many distinct outcomes the readings
    give (``"2 distinct outcomes over 12 readings: …"``).

    Examples
    --------
    >>> combine_verdicts(["resurgence supported"] * 3)[0]
    'resurgence supported'
    >>> combine_verdicts(["resurgence supported", "the evidence cannot decide"])[1][:38]
    '2 distinct outcomes over 2 readings: r'
    """
    if not verdicts:
        return CANNOT_DECIDE, "no reading gives a verdict."
    counts = Counter(verdicts)
    n = len(verdicts)
    parts = ", ".join(f"{v} in {c}" for v, c in sorted(counts.items(), key=lambda x: -x[1]))
    k = len(counts)
    text = (
        f"{k} distinct outcome{'s' if k > 1 else ''} over {n} reading{'s' if n > 1 else ''}: "
        f"{parts}."
    )
    return (verdicts[0] if k == 1 else CANNOT_DECIDE), text

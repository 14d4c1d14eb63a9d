"""Directional tests between the phases of a fitted wave definition."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from lifecycle._core.errors import (
    DefinitionError,
)
from lifecycle._core.results import TestResult
from lifecycle.models import WaveFit

__all__ = ["directional_tests", "test_direction"]


def test_direction(fit: WaveFit, lower: str, upper: str, *, name: str | None = None) -> TestResult:
    """One-sided Wald test that phase ``lower`` has a lower rate than phase ``upper``.

    Null ``rate[lower] >= rate[upper]``; alternative ``rate[lower] < rate[upper]``.
    Statistic ``z = log(rate[upper] / rate[lower]) / se`` (delta method, from the fit's
    covariance); p-value ``1 - Φ(z)``. The ratio is the same for every measure (shared
    shape). For a fit whose break years were estimated, the test is conditional on them
    (and so optimistic); the details say so.

    Parameters
    ----------
    fit : WaveFit
    lower, upper : str
        Phase names.
    name : str, optional
        What is tested, in words (default ``"<lower> below <upper>"``).

    Returns
    -------
    TestResult
        ``details`` hold the ratio ``rate[upper] / rate[lower]``, its log and SE.

    Raises
    ------
    DefinitionError
        If a phase name is not in the fit's definition, or ``lower == upper``.

    Examples
    --------
    >>> from lifecycle.series import CountSeries
    >>> from lifecycle.models.waves import WaveDefinition
    >>> s = CountSeries.from_counts([2001, 2002, 2003, 2004], [20, 25, 5, 4])
    >>> f = fit_waves(s, WaveDefinition.from_breaks("w", [2001, 2003], names=["hi", "lo"]))
    >>> test_direction(f, lower="lo", upper="hi").p_value < 0.001
    True
    """
    if not isinstance(fit, WaveFit):
        raise TypeError(
            f"The 'fit' parameter of test_direction must be a WaveFit. Got {type(fit).__name__}."
        )
    if lower == upper:
        raise DefinitionError(
            f"test_direction compares two different phases. Got lower=upper={lower!r}."
        )
    est, se = fit.contrast(upper, lower)
    z = est / se if se > 0 else np.nan
    p = float(stats.norm.sf(z)) if np.isfinite(z) else np.nan
    details: dict[str, Any] = {
        "ratio": float(np.exp(est)),
        "log_ratio": est,
        "se_log_ratio": se,
        "definition": fit.definition.name,
        "shape": fit.shape,
    }
    if fit.estimated_breaks:
        details["caveat"] = "break years estimated: the test is conditional on them"
    return TestResult(
        name=name or f"{lower} below {upper}",
        statistic=float(z),
        p_value=p,
        method="one-sided Wald test on the log rate ratio (delta method)",
        null=f"rate[{lower}] >= rate[{upper}]",
        alternative=f"rate[{lower}] < rate[{upper}]",
        family=fit.family,
        details=details,
    )


test_direction.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def directional_tests(fit: WaveFit, directions: Sequence[str] | None = None) -> list[TestResult]:
    """Test each expected change of a definition, and all of them together.

    For the CASS waves (emergence → decline → resurgence): "decline below emergence" and
    "decline below resurgence". The last result is the intersection–union test that
    every expected direction holds: its p-value is the largest of the single ones
    (Berger 1982), a valid level-α test of the joint hypothesis.

    Parameters
    ----------
    fit : WaveFit
    directions : sequence of {"up", "down"}, optional
        Expected direction of each consecutive change; default
        ``fit.definition.expected_directions()`` (from the phase names).

    Returns
    -------
    list of TestResult
        One per change, then the joint test.

    Raises
    ------
    DefinitionError
        If the directions are unknown or do not match the number of changes.

    References
    ----------
    Berger, R. L. (1982). Multiparameter hypothesis testing and acceptance sampling.
    *Technometrics* 24: 295–300.
    """
    if not isinstance(fit, WaveFit):
        raise TypeError(
            f"The 'fit' parameter of directional_tests must be a WaveFit. Got {type(fit).__name__}."
        )
    d = fit.definition
    dirs = tuple(directions) if directions is not None else d.expected_directions()
    if dirs is None:
        raise DefinitionError(
            f"The expected directions of {d.name!r} cannot be read from its phase names "
            f"{d.phase_names}; pass directions=('down', 'up', ...)."
        )
    if len(dirs) != d.n_phases - 1 or any(x not in ("up", "down") for x in dirs):
        raise DefinitionError(
            f"directional_tests needs {d.n_phases - 1} directions 'up' or 'down' for "
            f"{d.name!r}. Got {tuple(dirs)!r}."
        )
    out = []
    for j, dr in enumerate(dirs):
        a, b = d.phases[j].name, d.phases[j + 1].name
        lower, upper = (a, b) if dr == "up" else (b, a)
        out.append(test_direction(fit, lower=lower, upper=upper))
    joint_p = max(r.p_value for r in out)
    out.append(
        TestResult(
            name="all expected directions",
            statistic=min(r.statistic for r in out),
            p_value=float(joint_p),
            method="intersection-union test: largest one-sided Wald p-value (Berger 1982)",
            null="at least one expected direction fails",
            alternative="; ".join(r.alternative for r in out),
            family=fit.family,
            details={"definition": d.name, "directions": ",".join(dirs)},
        )
    )
    return out

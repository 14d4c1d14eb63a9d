"""Choosing the count family from the data: Poisson, or NB2 when overdispersed.

``family="auto"`` (the default of :func:`~lifecycle.models.fit_waves`,
:func:`~lifecycle.models.best_segmentation` and the comparisons) calls
:func:`choose_family` once per series. It fits a *reference* mean model that is flexible
but fixed before seeing the counts -- a log-linear broken stick (continuous
piecewise-linear log rate) with a knot every 4 years (12 months for monthly series) --
by Poisson and by NB2 maximum likelihood, and tests ``alpha = 0`` by the likelihood
ratio, whose null distribution is ``0.5 chi2_0 + 0.5 chi2_1`` because ``alpha = 0`` is
on the boundary (Self & Liang 1987). NB2 is used when the test rejects at ``level``
(default 5%).

Why a flexible reference: under a constant rate, real waves would be read as
overdispersion (every series with a rise and fall would be "overdispersed"); under the
model being compared, different definitions could get different families and their
likelihoods would not be comparable. The reference is fixed in advance (its knots do not
depend on the counts), so the test keeps its nominal null distribution. A reference too
coarse for abrupt changes errs towards NB, which contains Poisson: the cost is a little
power, not a false claim.

References
----------
Self, S. G. and Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood
estimators and likelihood ratio tests under nonstandard conditions. *JASA* 82(398):
605-610.

Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.,
section 3.4 (the boundary LR test of overdispersion).
"""

from __future__ import annotations

from typing import Any

from lifecycle._core.dispersion import FamilyChoice
from lifecycle._core.errors import LifecycleError
from lifecycle._core.validation import check_choice, check_level
from lifecycle.models.fitcore import FAMILY_OPTIONS, check_series, estimate
from lifecycle.models.waves import NO_CHANGE, WaveDefinition
from lifecycle.series.countseries import CountSeries, to_label

__all__ = ["FamilyChoice", "choose_family", "reference_definition", "resolve_family"]

_KNOT_EVERY = {"year": 4, "month": 12}


def reference_definition(series: CountSeries) -> WaveDefinition:
    """The reference phases of :func:`choose_family`: a knot every 4 years / 12 months.

    The last phase is at least half a spacing long; a series shorter than two spacings
    gets one phase.
    """
    step = _KNOT_EVERY[series.freq]
    first, last = int(series.start.min()), int(series.end.max())
    knots = list(range(first + step, last - step // 2 + 1, step))
    if not knots:
        return NO_CHANGE
    labels = [to_label(first, series.freq), *(to_label(k, series.freq) for k in knots)]
    return WaveDefinition.from_breaks("overdispersion reference", labels)


def choose_family(
    series: CountSeries,
    *,
    level: float = 0.05,
    definition: WaveDefinition | None = None,
    shape: str = "broken_stick",
) -> FamilyChoice:
    """Poisson or NB2 for a series, by the likelihood-ratio test of ``alpha = 0``.

    Parameters
    ----------
    series : CountSeries
    level : float
        Significance level of the test (NB2 when ``p < level``).
    definition : WaveDefinition, optional
        A dated definition to test under instead of the default reference (see the
        module docstring); ``shape`` is then its shape.
    shape : {"step", "trend", "broken_stick"}
        Shape of the reference mean model.

    Returns
    -------
    FamilyChoice
        ``family``, the test (``statistic``, ``p_value``), ``alpha`` under the reference
        and a one-sentence ``reason``.

    Examples
    --------
    >>> from lifecycle.series import CountSeries
    >>> s = CountSeries.from_counts(range(2001, 2013), [2, 1, 3, 2, 20, 150, 500, 700,
    ...     400, 380, 600, 400])
    >>> choose_family(s).family
    'negbin'
    """
    func = "choose_family"
    series = check_series(series, func)
    level = check_level("level", level, func=func)
    shape = check_choice("shape", shape, ("step", "trend", "broken_stick"), func=func)
    tries: list[tuple[WaveDefinition, str]]
    if definition is not None:
        tries = [(definition, shape)]
    else:
        ref = reference_definition(series)
        tries = [(ref, shape), (ref, "step"), (NO_CHANGE, "trend"), (NO_CHANGE, "step")]
    err: LifecycleError | None = None
    for d, shp in tries:
        try:
            est = estimate(series, d, "negbin", shp, "auto", need_cov=False, both=True)
        except LifecycleError as exc:
            err = exc
            continue
        n_ph = d.n_phases
        what = (
            f"the {shp} model of {d.name!r}"
            if definition is not None
            else f"a {shp.replace('_', '-')} reference with {n_ph} phase(s)"
            + (f" (knots every {_KNOT_EVERY[series.freq]} {series.freq}s)" if n_ph > 1 else "")
        )
        return FamilyChoice.decide(
            est.loglik_negbin,
            est.loglik_poisson,
            dispersion=est.alpha_negbin,
            level=level,
            reference=what,
        )
    raise err  # type: ignore[misc]  # every try failed: the last reason


def resolve_family(series: CountSeries, family: Any, func: str) -> tuple[str, FamilyChoice]:
    """Validate ``family`` and resolve ``"auto"`` by :func:`choose_family`."""
    family = check_choice("family", family, FAMILY_OPTIONS, func=func)
    if family == "auto":
        choice = choose_family(series)
        return choice.family, choice
    return family, FamilyChoice.fixed(family)

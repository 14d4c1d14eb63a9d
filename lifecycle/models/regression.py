"""Count regressions for a wave definition, comparison of definitions, directional tests.

Model
-----
For a series on a grid of periods ``t`` with phases from a
:class:`~lifecycle.models.waves.WaveDefinition`, the log-rate of measure ``m`` in period ``t`` is

.. math:: \\log \\lambda_{m t} = \\gamma_m + x_t^\\top \\beta, \\qquad \\gamma_{m_0} = 0,

where ``x_t`` depends on the *shape*:

* ``"step"``: one log-level per phase (``x_t`` = indicator of ``t``'s phase);
* ``"trend"``: a level and a slope per phase, the slope on the year centred within the
  phase (so the level is the log-rate at the phase's centre);
* ``"broken_stick"``: a continuous piecewise-linear log-rate, ``1``, ``(τ - τ̄)`` and one
  hinge ``(τ - κ_j)_+`` per boundary, with the knot ``κ_j`` half a period before the first
  period of phase ``j`` (``τ`` is time in years).

Observation ``i`` (a window of periods with exposures ``w_{it}``) has mean
``μ_i = Σ_t w_{it} λ_{m_i t}`` and a Poisson or NB2 (variance ``μ + α μ²``) likelihood;
a count interval ``[low, high]`` contributes ``P(low ≤ Y ≤ high)`` (interval censoring).
Several measures share the shape ``β`` and differ by their level ``γ_m``.

One engine fits every model (:func:`lifecycle._core.countfit.fit_counts`): Newton's
method on the log-likelihood with its analytic gradient and Hessian (per-observation
derivatives by central differences only for count intervals), Poisson first, then NB2
jointly in the mean parameters and ``log α`` (with a profile search over ``α`` when
Newton does not reach an interior maximum). When no ``α > 0`` beats Poisson, ``α`` is
at its boundary 0: the result says so (``dispersion_at_boundary``) and a warning is issued. The
covariance is the inverse of the observed information. The path label ``"glm"`` marks
exact single-period single-measure series, where this likelihood is the GLM's (tested
against statsmodels' ``GLM`` and ``NegativeBinomial``); ``"likelihood"`` anything else.

Family: ``family="auto"`` (default) chooses Poisson or NB2 for the series by the
likelihood-ratio test of ``α = 0`` (:func:`lifecycle.models.family.choose_family`);
every fit also reports that test under its own mean model.

Phase rate = the geometric mean of the fitted rates over the phase's observed periods
(``exp`` of the mean log-rate); for ``"step"`` it is the phase's rate, for ``"trend"`` the
rate at its centre. Rate ratios compare consecutive phases; confidence intervals are
Wald intervals on the log scale.

Parameters counted (AIC, BIC): the shape parameters (``k`` for step, ``2k`` for trend,
``k + 1`` for a broken stick with ``k`` phases), one level per measure after the first,
the NB dispersion α, and — for estimated segmentations — each estimated break year.
BIC uses ``n`` = number of observations (windows).

References
----------
Cameron, A. C. and Trivedi, P. K. (2013). *Regression Analysis of Count Data*, 2nd ed.
Cambridge University Press (Poisson and NB2 regression, exposure offsets).

Burnham, K. P. and Anderson, D. R. (2002). *Model Selection and Multimodel Inference*,
2nd ed. Springer (AIC differences and Akaike weights).

Muggeo, V. M. R. (2003). Estimating regression models with unknown break-points.
*Statistics in Medicine* 22: 3055–3071 (broken-stick regression).

Examples
--------
>>> from lifecycle.series import CountSeries
>>> from lifecycle.models.waves import WaveDefinition
>>> s = CountSeries.from_counts(range(2001, 2007), [4, 6, 1, 1, 8, 10])
>>> d = WaveDefinition.from_breaks("w", [2001, 2003, 2005], names=["a", "b", "c"])
>>> fit = fit_waves(s, d)
>>> fit.phase_rates["rate"].round(3).tolist()
[5.0, 1.0, 9.0]
"""

from __future__ import annotations

from typing import Any

from lifecycle._core.renames import old_keywords, take_renamed
from lifecycle._core.validation import check_choice, check_level
from lifecycle.models.family import resolve_family
from lifecycle.models.fitcore import (
    METHODS,
    SHAPES,
    WaveFit,
    as_definition,
    check_series,
    fit_fixed,
)
from lifecycle.models.segment_search import search
from lifecycle.models.waves import WaveDefinition
from lifecycle.series.countseries import CountSeries

__all__ = ["fit_waves"]


@old_keywords(conf_level="confidence")
def fit_waves(
    series: CountSeries,
    definition: WaveDefinition | str,
    family: str = "auto",
    shape: str = "step",
    *,
    method: str = "auto",
    confidence: float = 0.95,
    identified_part: bool = False,
    **deprecated: Any,
) -> WaveFit:
    """Fit a count regression of a series on a wave definition.

    Parameters
    ----------
    series : CountSeries
        Exact counts or intervals, one or several measures, single periods or windows.
    definition : WaveDefinition or str
        A definition or the name of one in the registry. An *estimated* definition (such
        as ``"conventional lifecycle"``) is fitted by searching its break years (see
        :func:`best_segmentation`); they then count as parameters.
    family : {"auto", "poisson", "negbin"}
        ``"auto"``: NB2 when the series is overdispersed (likelihood-ratio test of
        ``alpha = 0`` at 5% under a flexible reference model, see
        :func:`~lifecycle.models.family.choose_family`), else Poisson; the decision and
        its reason are in ``fit.family_choice``.
    shape : {"step", "trend", "broken_stick"}
    method : {"auto", "glm", "likelihood"}
        A label of the path (one engine for all): ``"glm"`` is accepted only for exact
        single-period single-measure series; ``"auto"`` picks it there.
    confidence : float
        Level of the confidence intervals.
    identified_part : bool
        Dated definitions only. When the series does not identify every parameter (a
        phase seen only in a window that mixes it with other phases, whose measure level
        is free), fit what it identifies instead of raising: the maximised
        log-likelihood is well defined even when the parameters are not unique; the
        parameters counted (``n_params``, AIC) are the rank of the information, and
        ``fit.unidentified`` / ``fit.unidentified_phases`` name what is not identified
        (their estimates and intervals are NaN).

    Returns
    -------
    WaveFit

    Raises
    ------
    DefinitionError
        If the phases do not cover every observed period, a phase has no observation, or
        (``trend``) a phase has a single observed period.
    FitError
        If a phase has only zero counts (MLE on the boundary; for ``broken_stick`` the
        first or last phase), a ``trend`` phase has events only at one edge (the slope
        diverges), or the parameters are not identified (unless ``identified_part``).
    TooShortError
        If the series has fewer independent observations than the shape has parameters
        (unless ``identified_part``).
    ParameterError
        On an unknown family, shape or method.
    AllZeroError
        If every count is zero.

    Examples
    --------
    >>> from lifecycle.series import CountSeries
    >>> from lifecycle.models.waves import WaveDefinition
    >>> s = CountSeries.from_counts([2001, 2002, 2003, 2004], [2, 4, 9, 7])
    >>> fit = fit_waves(s, WaveDefinition.from_breaks("w", [2001, 2003]))
    >>> float(fit.rate_ratios["ratio"].iloc[0])
    2.666666666666...
    """
    func = "fit_waves"
    (confidence,) = take_renamed(func, deprecated, conf_level=("confidence", confidence, 0.95))
    series = check_series(series, func)
    family, choice = resolve_family(series, family, func)
    shape = check_choice("shape", shape, SHAPES, func=func)
    method = check_choice("method", method, METHODS, func=func)
    confidence = check_level("confidence", confidence, func=func)
    definition = as_definition(definition, func)
    if definition.estimated:
        fit, _ = search(
            series,
            definition.n_phases,
            family,
            shape,
            method,
            confidence,
            constraint=definition.constraint,
            names=definition.phase_names,
            base=definition,
            choice=choice,
        )
        return fit
    if not isinstance(identified_part, bool):
        raise TypeError(
            f"The 'identified_part' parameter of fit_waves must be a bool. "
            f"Got {type(identified_part).__name__}."
        )
    return fit_fixed(
        series,
        definition,
        family,
        shape,
        method,
        confidence,
        choice=choice,
        identified_part=identified_part,
    )

"""One name per idea across the public API (issue 13 item 7).

``level`` is a significance level, ``confidence`` a confidence level, ``dispersion`` the
NB2 dispersion. The old names (``alpha``, ``conf_level``, ``level`` for a confidence
level) work for one release through :mod:`lifecycle._core.renames`, with a
``DeprecationWarning`` naming the new one; they never appear in a public signature.
"""

from __future__ import annotations

import importlib
import inspect
import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import lifecycle
from lifecycle._core.errors import ParameterError
from lifecycle._core.validation import check_level

PUBLIC_PACKAGES = (
    "lifecycle",
    "lifecycle.series",
    "lifecycle.events",
    "lifecycle.evidence",
    "lifecycle.models",
    "lifecycle.changepoints",
    "lifecycle.inference",
    "lifecycle.report",
    "lifecycle.plotting",
    "lifecycle.sweep",
)
#: Names that the rename retired (any of them in a public signature fails the test).
OLD_NAMES = {
    "alpha",
    "conf_level",
    "sig_level",
    "confidence_level",
    "significance",
    "alpha_mean",
    "alpha_boundary",
    "alpha_estimated",
}


def _public_callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    seen: set[int] = set()
    for pkg in PUBLIC_PACKAGES:
        mod = importlib.import_module(pkg)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.ismodule(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            if inspect.isclass(obj):
                yield f"{pkg}.{name}", obj
                for attr, raw in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    member = getattr(obj, attr)
                    if isinstance(raw, (classmethod, staticmethod)) or inspect.isfunction(raw):
                        yield f"{pkg}.{name}.{attr}", member
            elif callable(obj):
                yield f"{pkg}.{name}", obj


def _signature(obj: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):  # builtins without a signature
        return None


CALLABLES = list(_public_callables())


def test_the_walk_sees_the_api():
    names = {q for q, _ in CALLABLES}
    for expected in (
        "lifecycle.detect",
        "lifecycle.fit_waves",
        "lifecycle.power",
        "lifecycle.break_intervals",
        "lifecycle.Segmentation",
        "lifecycle.models.NegBinCost",
        "lifecycle.models.NegBinCost.from_atoms",
        "lifecycle.inference.BayesPrior",
        "lifecycle.inference.simulate_counts",
    ):
        assert expected in names
    assert len(CALLABLES) > 150


@pytest.mark.parametrize(("qualname", "obj"), CALLABLES, ids=[q for q, _ in CALLABLES])
def test_no_old_parameter_name_in_a_public_signature(qualname, obj):
    sig = _signature(obj)
    if sig is None:
        return
    old = OLD_NAMES & set(sig.parameters)
    assert not old, f"{qualname} still takes {sorted(old)}"
    for name, p in sig.parameters.items():
        d = p.default
        if not isinstance(d, float) or math.isnan(d):  # no default, or "not set"
            continue
        if name == "level":  # a significance level
            assert 0 < d < 0.5, f"{qualname}: 'level' default {d} is not a significance level"
        if name == "confidence":
            assert 0.5 < d < 1, f"{qualname}: 'confidence' default {d} is not a confidence level"


def test_every_alias_points_to_a_parameter_that_exists():
    aliased = [(q, o) for q, o in CALLABLES if hasattr(o, "__renamed__")]
    assert len(aliased) >= 8
    for qualname, obj in aliased:
        params = set(inspect.signature(obj).parameters)
        for old, new in obj.__renamed__.items():
            assert new in params and old not in params, qualname


# ------------------------------------------------------------------ the deprecated path
COUNTS = [5, 6, 4, 5, 1, 0, 2, 1, 6, 5, 7, 6]


def _calls() -> list[tuple[str, str, Callable[[dict[str, Any]], Any]]]:
    from lifecycle import changepoints as cp
    from lifecycle import inference, models
    from lifecycle.inference import simulate
    from lifecycle.series import CountSeries

    s = CountSeries.from_counts(range(2001, 2013), COUNTS)
    d = models.WaveDefinition.from_breaks("x", [2001, 2005, 2009])
    seg = cp.detect(COUNTS, family="poisson", n_changes=1)
    return [
        ("alpha", "dispersion", lambda kw: cp.detect(COUNTS, family="negbin", **kw)),
        ("level", "confidence", lambda kw: cp.detect(COUNTS, family="poisson", **kw)),
        ("alpha", "dispersion", lambda kw: cp.segment_path(COUNTS, max_changes=1, **kw)),
        ("alpha", "dispersion", lambda kw: cp.test_change(COUNTS, n_boot=9, seed=1, **kw)),
        ("level", "confidence", lambda kw: cp.break_intervals(seg, n_boot=9, seed=1, **kw)),
        ("conf_level", "confidence", lambda kw: models.fit_waves(s, d, "poisson", **kw)),
        (
            "conf_level",
            "confidence",
            lambda kw: models.best_segmentation(s, 2, family="poisson", **kw),
        ),
        ("alpha", "dispersion", lambda kw: models.NegBinCost(**kw)),
        (
            "alpha",
            "dispersion",
            lambda kw: models.NegBinCost.from_atoms(np.array([1.0, 2.0]), np.ones(2), **kw),
        ),
        (
            "alpha",
            "dispersion",
            lambda kw: simulate.simulate_counts([1.0, 2.0], family="negbin", seed=1, **kw),
        ),
        (
            "alpha",
            "dispersion",
            lambda kw: simulate.simulate_series([1.0, 2.0], family="negbin", seed=1, **kw),
        ),
        (
            "alpha",
            "dispersion",
            lambda kw: inference.power(
                [5, 9, 3, 8], family="negbin", n_sim=4, method="warp", seed=1, **kw
            ),
        ),
        (
            "alpha",
            "dispersion",
            lambda kw: inference.power_at_alternative(
                COUNTS, np.ones(12), family="negbin", n_sim=4, seed=1, **kw
            ),
        ),
        ("level", "rate", lambda kw: simulate.flat(3, **kw)),
        ("alpha_mean", "dispersion_mean", lambda kw: inference.BayesPrior(**kw)),
    ]


@pytest.mark.parametrize("case", range(15))
def test_an_old_keyword_still_works_and_names_the_new_one(case):
    old, new, call = _calls()[case]
    value = 0.9 if "level" in old else 0.3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # other warnings of the call (serial, ...)
        expected = call({new: value})
    with pytest.warns(DeprecationWarning, match=rf"'{old}' parameter of .* use '{new}'"):
        got = call({old: value})
    assert type(got) is type(expected)
    if hasattr(expected, "__dataclass_fields__"):
        for f in ("dispersion", "confidence", "dispersion_mean", "rates"):
            if hasattr(expected, f):
                assert np.all(np.asarray(getattr(got, f)) == np.asarray(getattr(expected, f)))
    with pytest.raises(ParameterError, match=rf"both '{old}' \(the old name\) and '{new}'"):
        call({old: value, new: value})


def test_old_attribute_names_still_read_with_a_warning():
    from lifecycle import changepoints as cp
    from lifecycle import models
    from lifecycle.series import CountSeries

    seg = cp.detect(COUNTS, family="negbin", dispersion=0.3, confidence=0.8)
    with pytest.warns(
        DeprecationWarning, match=r"Segmentation.alpha is deprecated; use .dispersion"
    ):
        assert seg.alpha == seg.dispersion == 0.3
    with pytest.warns(DeprecationWarning, match=r"use .confidence"):
        assert seg.level == 0.8
    s = CountSeries.from_counts(range(2001, 2013), COUNTS)
    fit = models.fit_waves(s, "no change", "negbin", confidence=0.9)
    with pytest.warns(DeprecationWarning, match=r"WaveFit.conf_level"):
        assert fit.conf_level == 0.9
    with pytest.warns(DeprecationWarning, match=r"WaveFit.alpha"):
        assert fit.alpha == fit.dispersion
    cost = models.NegBinCost(dispersion=0.4)
    with pytest.warns(DeprecationWarning, match=r"NegBinCost.alpha"):
        assert cost.alpha == 0.4


# ------------------------------------------------------------------ check_level
@pytest.mark.parametrize("value", [1e-9, 0.05, 0.5, 0.95, 1 - 1e-9, np.float32(0.9)])
def test_check_level_accepts_the_open_interval(value):
    assert check_level("level", value, func="f") == pytest.approx(float(value))


@pytest.mark.parametrize("value", [0, 0.0, 1, 1.0, -0.1, 1.5, math.nan, math.inf])
def test_check_level_refuses_with_one_message(value):
    with pytest.raises(
        ParameterError,
        match=rf"^The 'level' parameter of f must be a number strictly between 0 and 1\. "
        rf"Got {value} instead\.$",
    ):
        check_level("level", value, func="f")


@pytest.mark.parametrize("value", [True, "0.05", None])
def test_check_level_refuses_non_numbers(value):
    with pytest.raises(TypeError, match="must be a number"):
        check_level("level", value, func="f")


def _level_checks() -> list[tuple[str, Callable[[], Any]]]:
    from lifecycle import changepoints as cp
    from lifecycle import inference, models
    from lifecycle.series import CountSeries

    s = CountSeries.from_counts(range(2001, 2013), COUNTS)
    seg = cp.detect(COUNTS, family="poisson", n_changes=1)
    return [
        ("confidence", "detect", lambda: cp.detect(COUNTS, confidence=1.0)),
        ("confidence", "break_intervals", lambda: cp.break_intervals(seg, confidence=0, seed=1)),
        ("confidence", "fit_waves", lambda: models.fit_waves(s, "no change", confidence=1)),
        ("confidence", "best_segmentation", lambda: models.best_segmentation(s, 2, confidence=1)),
        ("level", "choose_family", lambda: models.choose_family(s, level=1.0)),
        ("level", "power", lambda: inference.power([5, 9, 3], level=0, n_sim=4, seed=1)),
    ]


@pytest.mark.parametrize("case", range(6))
def test_every_level_check_says_the_same_thing(case):
    name, func, call = _level_checks()[case]
    with pytest.raises(
        ParameterError,
        match=rf"The '{name}' parameter of {func} must be a number strictly between 0 and 1\.",
    ):
        call()


def test_top_level_names_still_work():
    for name in lifecycle.__all__:
        assert getattr(lifecycle, name) is not None


def test_warnings_still_point_at_the_callers_line():
    from lifecycle._core.errors import ApproximationWarning
    from lifecycle.changepoints import detect

    y = np.random.default_rng(3).poisson(np.repeat(np.tile([10.0, 60.0], 8)[:15], 3))
    with pytest.warns(ApproximationWarning) as rec:
        detect(y, family="poisson", max_changes=10)
    assert {w.filename for w in rec if w.category is ApproximationWarning} == {__file__}
    with pytest.warns(DeprecationWarning) as rec:
        detect(COUNTS, family="poisson", level=0.9)
    assert {w.filename for w in rec if w.category is DeprecationWarning} == {__file__}


def test_an_unknown_keyword_is_still_a_type_error():
    from lifecycle.changepoints import detect

    with pytest.raises(TypeError, match="unexpected keyword argument 'levle'"):
        detect(COUNTS, levle=0.9)

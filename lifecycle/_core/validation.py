"""Name-aware validation helpers used at the boundary of every public function.

Messages follow one pattern: "The 'min_size' parameter of detect must be an int >= 1.
Got 0 instead." ``TypeError`` for a wrong type, a :class:`~lifecycle._core.errors.LifecycleError`
subclass for a wrong value. numpy scalar types are accepted wherever Python ones are.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from lifecycle._core.errors import CountError, ExposureError, ParameterError

#: Counts must be below 2^53: above it, whole numbers are not exact as floats.
MAX_COUNT = 2**53

#: Most bootstrap replicates or simulated series any function accepts. 999–9,999 is the
#: usual range; a million already takes hours. See :func:`check_n_draws`.
MAX_DRAWS = 1_000_000
#: Memory one table of draws (draws × periods, float64) may take: 512 MiB.
MAX_DRAW_BYTES = 512 * 2**20

#: Smallest exposure accepted: a millionth of a period (half a minute of a year). A
#: smaller one is no observation, and its log-offset breaks every fit.
MIN_EXPOSURE = 1e-6

__all__ = [
    "MAX_COUNT",
    "MAX_DRAWS",
    "MAX_DRAW_BYTES",
    "MIN_EXPOSURE",
    "check_choice",
    "check_counts",
    "check_exposure",
    "check_float",
    "check_int",
    "check_level",
    "check_n_draws",
    "check_rng",
]


def _where(name: str, func: str | None) -> str:
    return f"The '{name}' parameter" + (f" of {func}" if func else "")


def check_int(
    name: str,
    value: Any,
    *,
    func: str | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """Return ``value`` as an ``int`` after checking its type and bounds.

    Parameters
    ----------
    name : str
        The parameter's name, used in the message.
    value : object
        What the caller passed.
    func : str, optional
        The public function the parameter belongs to, used in the message.
    min_value, max_value : int, optional
        Inclusive bounds.
    allow_none : bool
        Whether ``None`` passes through unchanged.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (``bool`` is refused).
    ParameterError
        If ``value`` is out of bounds.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{_where(name, func)} must be an int. Got {value!r} instead.")
    value = int(value)
    if min_value is not None and value < min_value:
        bound = f">= {min_value}" + (f" and <= {max_value}" if max_value is not None else "")
        raise ParameterError(f"{_where(name, func)} must be an int {bound}. Got {value} instead.")
    if max_value is not None and value > max_value:
        bound = (f">= {min_value} and " if min_value is not None else "") + f"<= {max_value}"
        raise ParameterError(f"{_where(name, func)} must be an int {bound}. Got {value} instead.")
    return value


def check_float(
    name: str,
    value: Any,
    *,
    func: str | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
    allow_none: bool = False,
) -> float | None:
    """Return ``value`` as a finite ``float`` after checking its type and bounds.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ParameterError
        If ``value`` is NaN, infinite or out of bounds.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_where(name, func)} must be a number. Got {value!r} instead.")
    value = float(value)
    if not np.isfinite(value):
        raise ParameterError(f"{_where(name, func)} must be a finite number. Got {value} instead.")
    low_bad = min_value is not None and (value < min_value if min_inclusive else value <= min_value)
    high_bad = max_value is not None and (
        value > max_value if max_inclusive else value >= max_value
    )
    if low_bad or high_bad:
        parts = []
        if min_value is not None:
            parts.append(f"{'>=' if min_inclusive else '>'} {min_value}")
        if max_value is not None:
            parts.append(f"{'<=' if max_inclusive else '<'} {max_value}")
        raise ParameterError(
            f"{_where(name, func)} must be a number {' and '.join(parts)}. Got {value} instead."
        )
    return value


def check_level(name: str, value: Any, *, func: str | None = None) -> float:
    """Return a significance or confidence level as a float strictly between 0 and 1.

    One check and one message for every level of the API (``level``, ``confidence``):
    "The 'confidence' parameter of detect must be a number strictly between 0 and 1.
    Got 1.0 instead."

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ParameterError
        If ``value`` is NaN, infinite, ``<= 0`` or ``>= 1``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_where(name, func)} must be a number. Got {value!r} instead.")
    level = float(value)
    if not (0.0 < level < 1.0):  # also refuses NaN
        raise ParameterError(
            f"{_where(name, func)} must be a number strictly between 0 and 1. Got {value} instead."
        )
    return level


def check_choice(name: str, value: Any, choices: Iterable[str], *, func: str | None = None) -> str:
    """Return ``value`` if it is one of ``choices``.

    Raises
    ------
    ParameterError
        If ``value`` is not one of ``choices``; the message lists them.
    """
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ParameterError(
            f"{_where(name, func)} must be one of {listed}. Got {value!r} instead."
        )
    return value


def check_counts(
    name: str, values: Any, *, func: str | None = None, allow_inf: bool = False
) -> np.ndarray:
    """Return ``values`` as a 1-D float array of non-negative whole numbers.

    The input is never modified; a new array is returned.

    Parameters
    ----------
    allow_inf : bool
        Whether ``+inf`` is accepted (upper bounds of open count intervals).

    Raises
    ------
    CountError
        On NaN, negative, non-integer or (unless ``allow_inf``) infinite values; the
        message gives the first offending position and value. Also when the finite
        values add up to 2^53 or more, even if each is below it: every search and fit
        works on cumulative sums, which stop being whole numbers there (rates of 0 and
        log-likelihoods of -inf came out before this check).
    """
    if isinstance(values, Iterator):
        values = list(values)
    if _has_bool(values):
        raise CountError(
            f"{_where(name, func)} must hold non-negative whole numbers. Got booleans "
            f"(True/False are not counts; convert them with int() if you mean 1/0)."
        )
    try:
        arr = np.array(values, dtype=float, copy=True)
    except OverflowError:
        raise CountError(
            f"{_where(name, func)} must hold whole numbers below 2^53 "
            f"({MAX_COUNT:,}). Got a number too large to hold as a float."
        ) from None
    except (TypeError, ValueError):
        raise CountError(
            f"{_where(name, func)} must hold non-negative whole numbers. "
            f"Got values that are not numbers: {_first_non_number(values)}."
        ) from None
    if arr.ndim != 1:
        raise CountError(
            f"{_where(name, func)} must be one-dimensional. Got an array of shape {arr.shape}."
        )
    problems = [
        (np.isnan(arr), "NaN"),
        (arr < 0, "a negative count"),
        (np.isinf(arr) & ~(allow_inf & (arr > 0)), "an infinite value"),
        (np.isfinite(arr) & (arr != np.round(arr)), "a non-integer count"),
        (np.isfinite(arr) & (arr >= MAX_COUNT), f"a count of 2^53 ({MAX_COUNT:,}) or more"),
    ]
    for bad, what in problems:
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CountError(
                f"{_where(name, func)} must hold non-negative whole numbers. "
                f"Got {what} at position {i}: {np.asarray(values, dtype=object)[i]!r}."
            )
    finite = arr[np.isfinite(arr)]
    # Whole numbers below 2^53 add exactly, and float rounding is monotone: the float
    # sum reaches 2^53 exactly when the true total does.
    total = float(finite.sum())
    if total >= MAX_COUNT:
        raise CountError(
            f"{_where(name, func)} must hold counts whose total is below 2^53 "
            f"({MAX_COUNT:,}): sums above it are not exact whole numbers. Got {finite.size} "
            f"counts adding up to about {total:.4g}. Count in larger units (e.g. thousands) or "
            f"analyse a shorter span."
        )
    return arr


def check_n_draws(
    name: str,
    value: Any,
    *,
    func: str | None = None,
    min_value: int = 1,
    n_periods: int | None = None,
) -> int:
    """Return a number of bootstrap replicates or simulations after checking its ceiling.

    The ceiling is :data:`MAX_DRAWS` (one million), and, when the caller knows the length
    of each draw, the number that keeps a table of draws × ``n_periods`` floats within
    :data:`MAX_DRAW_BYTES` (512 MiB). A request above it is refused at once, before any
    work, instead of growing for minutes and failing with ``MemoryError``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ParameterError
        If ``value`` is below ``min_value`` or above the ceiling; the message gives the
        ceiling and the reason.
    """
    value = check_int(name, value, func=func, min_value=min_value)
    ceiling, reason = MAX_DRAWS, "the largest number of draws lifecycle runs"
    if n_periods is not None and n_periods > 0:
        by_memory = MAX_DRAW_BYTES // (8 * int(n_periods))
        if by_memory < ceiling:
            ceiling = max(by_memory, min_value)
            reason = (
                f"{ceiling:,} draws of {n_periods:,} periods fill {MAX_DRAW_BYTES // 2**20} "
                f"MiB of memory"
            )
    if value > ceiling:
        need = f"; {value:,} draws would hold at least {_gib(value, n_periods)} in memory"
        raise ParameterError(
            f"{_where(name, func)} must be an int <= {ceiling:,} ({reason}{need}). Got "
            f"{value:,} instead. 999 to 9,999 replicates are usual."
        )
    return value


def _gib(n: int, n_periods: int | None) -> str:
    size = 8.0 * n * max(int(n_periods or 1), 1)
    return f"{size / 2**30:,.1f} GiB" if size >= 2**30 else f"{size / 2**20:,.0f} MiB"


def _first_non_number(values: Any) -> str:
    """The first value that is not a number, with its position, in the user's terms."""
    if isinstance(values, (str, bytes, dict)) or not isinstance(values, Iterable):
        return _short(values)
    for i, v in enumerate(values):
        try:
            float(v)
        except (TypeError, ValueError):
            return f"{_short(v)} at position {i}"
    return _short(values)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _has_bool(values: Any) -> bool:
    """Whether ``values`` holds booleans (a bool array, or bools in a list or Series)."""
    dtype = getattr(values, "dtype", None)
    if dtype is not None:
        kind = str(dtype)
        if kind in ("bool", "boolean"):
            return True
        if kind != "object":
            return False
    if isinstance(values, (str, bytes)):
        return False
    try:
        return any(isinstance(v, (bool, np.bool_)) for v in values)
    except TypeError:
        return isinstance(values, (bool, np.bool_))


def check_rng(seed: Any, *, func: str | None = None) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from a seed, SeedSequence or Generator.

    ``None`` is refused: results must be reproducible, so randomness is always
    explicit.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{_where('seed', func)} must be an int, a numpy SeedSequence or a numpy "
            f"Generator (results are reproducible only with an explicit seed). Got {seed!r}."
        )
    if seed < 0:
        raise ParameterError(f"{_where('seed', func)} must be an int >= 0. Got {seed} instead.")
    return np.random.default_rng(int(seed))


def check_exposure(
    name: str,
    values: Any,
    *,
    func: str | None = None,
    size: int | None = None,
    per: str = "count",
    positive: bool = True,
) -> np.ndarray:
    """Return exposures as a new float array of positive finite numbers.

    Parameters
    ----------
    name : str
        The parameter's name, used in the message (``"exposure"``, ``"weights"``).
    values : array_like
        What the caller passed; never modified.
    func : str, optional
        The public function the parameter belongs to.
    size : int, optional
        The required length (one exposure per count or per period); ``None`` to accept
        any 1-D length. With ``size``, ``values=None`` gives exposures of 1.
    per : str
        What each value belongs to, for the message ("count", "period", "window").
    positive : bool
        Whether to check that values are positive and finite here; ``False`` leaves that
        to a caller that can name the period in its message (``CountSeries``).

    Raises
    ------
    ExposureError
        If a value is not a number (booleans included), the shape is wrong, or a value is
        zero, negative, NaN or infinite; the message gives the first offending position.
    """
    if values is None and size is not None:
        return np.ones(size)
    try:
        arr = np.array(values, dtype=float, copy=True)
    except (TypeError, ValueError, OverflowError):
        arr = None
    if arr is None or _has_bool(values):
        raise ExposureError(
            f"{_where(name, func)} must hold positive finite numbers. Got values that are "
            f"not numbers: {values!r}."
        )
    if size is not None and arr.shape != (size,):
        raise ExposureError(
            f"{_where(name, func)} must hold one value per {per} ({size}). Got shape {arr.shape}."
        )
    if arr.ndim != 1:
        raise ExposureError(
            f"{_where(name, func)} must be one-dimensional. Got an array of shape {arr.shape}."
        )
    bad = np.flatnonzero(~np.isfinite(arr) | (arr <= 0)) if positive else []
    if len(bad):
        i = int(bad[0])
        raise ExposureError(
            f"{_where(name, func)} must hold positive finite numbers. "
            f"Got {float(arr[i])!r} at position {i}."
        )
    tiny = np.flatnonzero(arr < MIN_EXPOSURE) if positive else []
    if len(tiny):
        i = int(tiny[0])
        raise ExposureError(
            f"{_where(name, func)} must hold exposures of at least {MIN_EXPOSURE:g} (a share "
            f"of the period; one day of a year is 0.0027). Got {float(arr[i])!r} at position {i}."
        )
    return arr

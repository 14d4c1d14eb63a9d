"""Errors and warnings raised by lifecycle.

Every error a user can provoke with bad input is a subclass of
:class:`LifecycleError`, and its message says what was expected and what came
in. Value problems also subclass :class:`ValueError` so that generic handlers
keep working.
"""

from __future__ import annotations

__all__ = [
    "AllZeroError",
    "ApproximationWarning",
    "CalibrationWarning",
    "ConvergenceWarning",
    "CountError",
    "DefinitionError",
    "EmptySeriesError",
    "EvidenceError",
    "ExposureError",
    "FileFormatError",
    "FitError",
    "GridError",
    "InputError",
    "IntervalError",
    "LifecycleError",
    "LifecycleWarning",
    "MissingDependencyError",
    "ParameterError",
    "ProvenanceError",
    "SerialCorrelationWarning",
    "TooShortError",
]


class LifecycleError(Exception):
    """Base class of every error lifecycle raises on purpose."""


class InputError(LifecycleError, ValueError):
    """A value the user passed is not acceptable."""


class CountError(InputError):
    """Counts are negative, non-integer, NaN or infinite."""


class GridError(InputError):
    """Periods are duplicated, unsorted, outside the grid, overlapping or missing."""


class ExposureError(InputError):
    """An exposure is not a positive finite number (or exceeds its window)."""


class IntervalError(InputError):
    """A count interval has ``low > high`` or is otherwise malformed."""


class EmptySeriesError(InputError):
    """A series (or a selection of it) has no observation."""


class TooShortError(InputError):
    """A series is too short for what was asked (segments, phases, parameters)."""


class AllZeroError(InputError):
    """Every count is zero, so the requested model cannot be fitted."""


class ParameterError(InputError):
    """A parameter of a function has an unacceptable value (e.g. ``min_size=0``)."""


class EvidenceError(LifecycleError, ValueError):
    """An evidence table is malformed; the message names file, row and column."""


class ProvenanceError(EvidenceError):
    """A quote is not found in its source document, or a value is not in its quote."""


class FileFormatError(LifecycleError, ValueError):
    """A user file (CSV, event export) is malformed: missing columns, bad dates."""


class DefinitionError(InputError):
    """A wave definition does not fit a series (gaps, overlaps, empty phases)."""


class MissingDependencyError(LifecycleError, ImportError):
    """An optional package is needed for what was asked; the message names the extra."""


class FitError(LifecycleError, RuntimeError):
    """A model could not be fitted to the data it was given."""


class LifecycleWarning(UserWarning):
    """Base class of lifecycle's warnings."""


class ApproximationWarning(LifecycleWarning):
    """A result rests on an approximation the user should know about."""


class CalibrationWarning(ApproximationWarning):
    """A test's size is known to miss its level in this setting (measured, not assumed)."""


class ConvergenceWarning(LifecycleWarning):
    """An optimiser stopped before it converged."""


class SerialCorrelationWarning(LifecycleWarning):
    """The residuals of a fit are autocorrelated: independence-based p-values may be off."""

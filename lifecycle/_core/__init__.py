"""Shared foundations: errors, validation, result types, count likelihoods, information
criteria, the NB2 dispersion estimator and the count sampler."""

from lifecycle._core import criteria as _criteria
from lifecycle._core import dispersion as _dispersion
from lifecycle._core import errors as _errors
from lifecycle._core import likelihood as _likelihood
from lifecycle._core import renames as _renames
from lifecycle._core import results as _results
from lifecycle._core import sampling as _sampling
from lifecycle._core import serial as _serial
from lifecycle._core import validation as _validation
from lifecycle._core.criteria import *  # noqa: F403
from lifecycle._core.dispersion import *  # noqa: F403
from lifecycle._core.errors import *  # noqa: F403
from lifecycle._core.likelihood import *  # noqa: F403
from lifecycle._core.renames import *  # noqa: F403
from lifecycle._core.results import *  # noqa: F403
from lifecycle._core.sampling import *  # noqa: F403
from lifecycle._core.serial import *  # noqa: F403
from lifecycle._core.validation import *  # noqa: F403

__all__ = [
    *_criteria.__all__,
    *_dispersion.__all__,
    *_errors.__all__,
    *_likelihood.__all__,
    *_renames.__all__,
    *_results.__all__,
    *_sampling.__all__,
    *_serial.__all__,
    *_validation.__all__,
]

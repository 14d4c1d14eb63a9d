"""Figures (matplotlib is imported by this package only).

* :mod:`~lifecycle.plotting.base` — figures without pyplot, byte-stable PNG/SVG files;
* :mod:`~lifecycle.plotting.series` — count series as bars, wave phases as shaded spans;
* :mod:`~lifecycle.plotting.fits` — segmentations, wave fits, the resurgence test;
* :mod:`~lifecycle.plotting.tables` — the comparison heat map, power curves.
"""

from lifecycle.plotting import base as _base
from lifecycle.plotting import fits as _fits
from lifecycle.plotting import series as _series
from lifecycle.plotting import tables as _tables
from lifecycle.plotting.base import *  # noqa: F403
from lifecycle.plotting.fits import *  # noqa: F403
from lifecycle.plotting.series import *  # noqa: F403
from lifecycle.plotting.tables import *  # noqa: F403

__all__ = [*_base.__all__, *_fits.__all__, *_series.__all__, *_tables.__all__]

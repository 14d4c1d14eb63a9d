"""lifecycle: statistical modelling of militant-group lifecycles.

Yearly or monthly attack counts go through change-point detection and count
regression to test the emergence → decline → resurgence wave hypothesis and to
compare how well different wave definitions fit.

Data flows one way through the modules:

* :mod:`lifecycle.evidence` — the numbers the source documents give, with quotes;
* :mod:`lifecycle.readings` — explicit, named choices that turn evidence into series;
* :mod:`lifecycle.events` — GTD, ACLED and UCDP GED exports into event tables;
* :mod:`lifecycle.series` — :class:`CountSeries`, the input of every model;
* :mod:`lifecycle.costs`, :mod:`lifecycle.changepoints` — where the regime changed;
* :mod:`lifecycle.waves`, :mod:`lifecycle.regression` — wave definitions and their fits;
* :mod:`lifecycle.inference`, :mod:`lifecycle.simulate` — the resurgence test and power;
* :mod:`lifecycle.sweep` — the same analysis over many series, locally or on Dask;
* :mod:`lifecycle.plotting`, :mod:`lifecycle.report`, :mod:`lifecycle.cli` — what users see.

The names below are the everyday ones; plotting is imported on demand
(``from lifecycle import plotting``) so that importing the library does not load
matplotlib.
"""

from lifecycle.changepoints import (
    Segmentation,
    break_intervals,
    detect,
    posterior_changes,
    segment_path,
    test_change,
)
from lifecycle.errors import LifecycleError
from lifecycle.events import events_to_series, filter_events, read_acled, read_gtd, read_ucdp_ged
from lifecycle.evidence import check_provenance, conflicts, load_evidence, originals
from lifecycle.inference import power, test_resurgence
from lifecycle.readings import Reading, build_series, enumerate_readings, indicators
from lifecycle.regression import compare_waves, directional_tests, fit_waves
from lifecycle.series import CountSeries
from lifecycle.waves import Phase, WaveDefinition, get_definition, registry

__all__ = [
    "CountSeries",
    "LifecycleError",
    "Phase",
    "Reading",
    "Segmentation",
    "WaveDefinition",
    "break_intervals",
    "build_series",
    "check_provenance",
    "compare_waves",
    "conflicts",
    "detect",
    "directional_tests",
    "enumerate_readings",
    "events_to_series",
    "filter_events",
    "fit_waves",
    "get_definition",
    "indicators",
    "load_evidence",
    "originals",
    "posterior_changes",
    "power",
    "read_acled",
    "read_gtd",
    "read_ucdp_ged",
    "registry",
    "segment_path",
    "test_change",
    "test_resurgence",
]
__version__ = "0.1.0"

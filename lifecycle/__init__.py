"""lifecycle: statistical modelling of militant-group lifecycles.

Yearly or monthly attack counts go through change-point detection and count
regression to test the emergence → decline → resurgence wave hypothesis and to
compare how well different wave definitions fit.

Data flows one way through the subpackages (each imports only from those above it):

* :mod:`lifecycle._core` — errors, validation, result types, count likelihoods;
* :mod:`lifecycle.series` — :class:`CountSeries`, the input of every model;
* :mod:`lifecycle.events` — GTD, ACLED and UCDP GED exports into event tables and series;
* :mod:`lifecycle.evidence` — the documents' numbers with quotes, and the readings
  (explicit, named choices) that turn them into series;
* :mod:`lifecycle.models` — wave definitions, segment costs, count regression;
* :mod:`lifecycle.changepoints` — where the regime changed;
* :mod:`lifecycle.inference` — the resurgence test, power and simulation;
* :mod:`lifecycle.report`, :mod:`lifecycle.plotting`, :mod:`lifecycle.cli` — what users
  see; :mod:`lifecycle.sweep` — the same analysis over many series, locally or on Dask.

The names below are the everyday ones; plotting is imported on demand
(``from lifecycle import plotting``) so that importing the library does not load
matplotlib.
"""

from lifecycle._core.errors import LifecycleError
from lifecycle.changepoints import (
    Segmentation,
    break_intervals,
    detect,
    posterior_changes,
    segment_path,
    test_change,
)
from lifecycle.events.loaders import (
    events_to_series,
    filter_events,
    read_acled,
    read_gtd,
    read_ucdp_ged,
)
from lifecycle.evidence.readings import Reading, build_series, enumerate_readings, indicators
from lifecycle.evidence.tables import check_provenance, conflicts, load_evidence, originals
from lifecycle.inference import compare_waves, directional_tests, power, test_resurgence
from lifecycle.models import fit_waves
from lifecycle.models.waves import Phase, WaveDefinition, get_definition, registry
from lifecycle.series.countseries import CountSeries

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

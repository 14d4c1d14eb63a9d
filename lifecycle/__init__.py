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

The names below are the everyday ones. They are imported on first use (PEP 562 module
``__getattr__``), so that ``import lifecycle`` — and with it the ``lifecycle`` command's
``--help`` — does not load numpy, pandas, scipy, statsmodels or matplotlib;
``lifecycle.plotting`` and the other subpackages are reachable as attributes the same way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "CountSeries": "lifecycle.series",
    "LifecycleError": "lifecycle._core.errors",
    "Phase": "lifecycle.models",
    "Reading": "lifecycle.evidence",
    "Segmentation": "lifecycle.changepoints",
    "WaveDefinition": "lifecycle.models",
    "break_intervals": "lifecycle.changepoints",
    "build_series": "lifecycle.evidence",
    "check_provenance": "lifecycle.evidence",
    "compare_waves": "lifecycle.inference",
    "conflicts": "lifecycle.evidence",
    "detect": "lifecycle.changepoints",
    "directional_tests": "lifecycle.inference",
    "enumerate_readings": "lifecycle.evidence",
    "events_to_series": "lifecycle.events",
    "filter_events": "lifecycle.events",
    "fit_waves": "lifecycle.models",
    "get_definition": "lifecycle.models",
    "indicators": "lifecycle.evidence",
    "load_evidence": "lifecycle.evidence",
    "originals": "lifecycle.evidence",
    "posterior_changes": "lifecycle.changepoints",
    "power": "lifecycle.inference",
    "read_acled": "lifecycle.events",
    "read_gtd": "lifecycle.events",
    "read_ucdp_ged": "lifecycle.events",
    "registry": "lifecycle.models",
    "segment_path": "lifecycle.changepoints",
    "test_change": "lifecycle.changepoints",
    "test_resurgence": "lifecycle.inference",
}
_SUBPACKAGES = frozenset(
    {
        "changepoints",
        "cli",
        "errors",
        "events",
        "evidence",
        "inference",
        "models",
        "plotting",
        "report",
        "series",
        "sweep",
    }
)

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


def __getattr__(name: str) -> Any:
    """Import a public name or a subpackage on first use, then keep it."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, *_SUBPACKAGES})


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from lifecycle._core.errors import LifecycleError
    from lifecycle.changepoints import (
        Segmentation,
        break_intervals,
        detect,
        posterior_changes,
        segment_path,
        test_change,
    )
    from lifecycle.events import (
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

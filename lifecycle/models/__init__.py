"""Wave definitions, segment costs and count regression."""

from lifecycle.models.costs import (
    NegBinCost,
    PoissonCost,
    estimate_alpha,
)
from lifecycle.models.design import (
    Design,
    Problem,
    WaveMeans,
    build_design,
)
from lifecycle.models.family import (
    FamilyChoice,
    choose_family,
    reference_definition,
    resolve_family,
)
from lifecycle.models.fitcore import (
    FAMILIES,
    FAMILY_OPTIONS,
    METHODS,
    SHAPES,
    WaveFit,
    as_definition,
    check_series,
    estimate,
    fit_fixed,
)
from lifecycle.models.regression import (
    fit_waves,
)
from lifecycle.models.segment_search import (
    best_segmentation,
    search,
    search_cost,
)
from lifecycle.models.waves import (
    BOUNDARY_RULES,
    CONVENTIONAL,
    DEFAULT_BOUNDARY_RULE,
    NO_CHANGE,
    Phase,
    WaveDefinition,
    admissible_variants,
    boundary_years,
    definitions,
    get_definition,
    registry,
)

__all__ = [
    "BOUNDARY_RULES",
    "CONVENTIONAL",
    "DEFAULT_BOUNDARY_RULE",
    "FAMILIES",
    "FAMILY_OPTIONS",
    "METHODS",
    "NO_CHANGE",
    "SHAPES",
    "Design",
    "FamilyChoice",
    "NegBinCost",
    "Phase",
    "PoissonCost",
    "Problem",
    "WaveDefinition",
    "WaveFit",
    "WaveMeans",
    "admissible_variants",
    "as_definition",
    "best_segmentation",
    "boundary_years",
    "build_design",
    "check_series",
    "choose_family",
    "definitions",
    "estimate",
    "estimate_alpha",
    "fit_fixed",
    "fit_waves",
    "get_definition",
    "reference_definition",
    "registry",
    "resolve_family",
    "search",
    "search_cost",
]

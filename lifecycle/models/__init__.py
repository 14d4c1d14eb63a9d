"""Wave definitions, segment costs and count regression."""

from lifecycle.models.costs import (
    NegBinCost,
    PoissonCost,
    estimate_alpha,
)
from lifecycle.models.regression import (
    FAMILIES,
    METHODS,
    SHAPES,
    Comparison,
    WaveFit,
    best_segmentation,
    compare_waves,
    directional_tests,
    fit_waves,
    test_direction,
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
    "METHODS",
    "NO_CHANGE",
    "SHAPES",
    "Comparison",
    "NegBinCost",
    "Phase",
    "PoissonCost",
    "WaveDefinition",
    "WaveFit",
    "admissible_variants",
    "best_segmentation",
    "boundary_years",
    "compare_waves",
    "definitions",
    "directional_tests",
    "estimate_alpha",
    "fit_waves",
    "get_definition",
    "registry",
    "test_direction",
]

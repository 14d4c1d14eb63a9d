"""The resurgence test, comparison of definitions, directional tests, power and simulation."""

from lifecycle.inference.comparison import (
    Comparison,
    compare_waves,
)
from lifecycle.inference.directional import (
    directional_tests,
    test_direction,
)
from lifecycle.inference.power import (
    PowerResult,
    power,
)
from lifecycle.inference.resurgence import (
    test_resurgence,
)
from lifecycle.inference.simulate import (
    falling,
    flat,
    rising,
    simulate_counts,
    simulate_series,
    single_peak,
    two_waves,
)

__all__ = [
    "Comparison",
    "PowerResult",
    "compare_waves",
    "directional_tests",
    "falling",
    "flat",
    "power",
    "rising",
    "simulate_counts",
    "simulate_series",
    "single_peak",
    "test_direction",
    "test_resurgence",
    "two_waves",
]

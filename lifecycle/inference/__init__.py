"""The resurgence test, power and simulation."""

from lifecycle.inference.resurgence import (
    PowerResult,
    power,
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
    "PowerResult",
    "falling",
    "flat",
    "power",
    "rising",
    "simulate_counts",
    "simulate_series",
    "single_peak",
    "test_resurgence",
    "two_waves",
]

"""The resurgence test, comparison of definitions, directional tests, power and simulation."""

from lifecycle.inference.bayes import (
    BayesPrior,
    MarginalLikelihood,
    dated_log_ml,
    dated_log_ml_priors,
    posterior_probabilities,
)
from lifecycle.inference.bayes_breaks import estimated_log_ml, estimated_log_ml_priors
from lifecycle.inference.comparison import (
    BREAK_PARAMS,
    DATA_DRIVEN,
    Comparison,
    compare_waves,
)
from lifecycle.inference.coverage import (
    SPANS,
    common_span,
    drop_empty_phases,
    extend_to_series,
    mixed_only_phases,
    phase_index,
)
from lifecycle.inference.directional import (
    directional_tests,
    test_direction,
)
from lifecycle.inference.hyper import DEFAULT_RATE_MEAN_RANGE, PERIODS_PER_YEAR
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
from lifecycle.inference.story import (
    group_identical_series,
    reconcile,
    verdict_sensitivity,
)
from lifecycle.inference.verdicts import (
    ADEQUATE_POWER,
    CANNOT_DECIDE,
    NO_RESURGENCE,
    SUPPORTED,
    VERDICTS,
    ResurgenceAlternative,
    combine_verdicts,
    power_at_alternative,
    reading_verdict,
)

__all__ = [
    "ADEQUATE_POWER",
    "BREAK_PARAMS",
    "CANNOT_DECIDE",
    "DATA_DRIVEN",
    "DEFAULT_RATE_MEAN_RANGE",
    "NO_RESURGENCE",
    "PERIODS_PER_YEAR",
    "SPANS",
    "SUPPORTED",
    "VERDICTS",
    "BayesPrior",
    "Comparison",
    "MarginalLikelihood",
    "PowerResult",
    "ResurgenceAlternative",
    "combine_verdicts",
    "common_span",
    "compare_waves",
    "dated_log_ml",
    "dated_log_ml_priors",
    "directional_tests",
    "drop_empty_phases",
    "estimated_log_ml",
    "estimated_log_ml_priors",
    "extend_to_series",
    "falling",
    "flat",
    "group_identical_series",
    "mixed_only_phases",
    "phase_index",
    "posterior_probabilities",
    "power",
    "power_at_alternative",
    "reading_verdict",
    "reconcile",
    "rising",
    "simulate_counts",
    "simulate_series",
    "single_peak",
    "test_direction",
    "test_resurgence",
    "two_waves",
    "verdict_sensitivity",
]

"""The columns of the report's tables, defined once (the report and the CLI use them).

:data:`COMPARISON_COLUMNS` are the columns of a comparison of wave definitions
(:meth:`lifecycle.inference.Comparison.summary`) that people read: the report's
comparison table and ``lifecycle compare`` show these. The report's long tables add the
cell's keys (indicator, reading) and its ``status`` in front.
"""

from __future__ import annotations

__all__ = [
    "CHANGEPOINT_COLUMNS",
    "COMPARISON_COLUMNS",
    "POWER_COLUMNS",
    "REPORT_COMPARISON_COLUMNS",
    "TEST_COLUMNS",
]

#: What people read of one comparison of wave definitions (one row per definition).
COMPARISON_COLUMNS = [
    "definition",
    "n_phases",
    "estimated",
    "loglik",
    "n_params",
    "AIC",
    "dAIC",
    "akaike_weight",
    "BIC",
    "lr_stat",
    "lr_df",
    "lr_p_value",
    "lr_valid",
    "k_aic",
    "AICc",
    "dAICc",
    "too_many_params",
    "log_ml",
    "log_ml_error",
    "posterior_prob",
    "bayes_factor",
    "posterior_prob_alt",
    "compared_on",
]
#: The report's comparison table: one row per indicator × reading × definition.
REPORT_COMPARISON_COLUMNS = [
    "indicator",
    "reading_id",
    "definition",
    "status",
    *COMPARISON_COLUMNS[1:],
    "note",
]
#: The report's tests table: one row per indicator × reading × measure × test.
TEST_COLUMNS = [
    "indicator",
    "reading_id",
    "measure",
    "test",
    "definition",
    "status",
    "statistic",
    "p_value",
    "rejects",
    "power",
    "power_se",
    "power_stated",
    "n_obs",
    "method",
    "seed",
    "note",
]
#: The report's change-point table: the BIC segmentation per indicator × reading × measure.
CHANGEPOINT_COLUMNS = [
    "indicator",
    "reading_id",
    "measure",
    "status",
    "n_changes",
    "breaks",
    "criterion",
    "rates",
    "note",
]
#: The report's power table: the resurgence test's power at multiples of the fitted curve.
POWER_COLUMNS = ["indicator", "reading_id", "measure", "scale", "power", "se", "n_sim", "seed"]

"""Does every attacks reading's comparison have a row with numbers for cass_three_waves?

Issue 12 measured that the CASS three-wave definition was fitted in 2 of 89 readings.
This script runs the comparison (Poisson, no leave-one-out, no estimated references, to
keep it cheap) on every reading of the ``attacks`` indicator of the embedded evidence and
counts the readings whose ``cass_three_waves`` row has a marginal likelihood, a maximum
likelihood fit with its AIC (AICc where ``n > k + 1``), the note that its decline has no
data, and the note of a phase the maximum-likelihood fit does not identify (the fit then
counts the rank of the information as its parameters).

Run: ``uv run python benchmarks/check_cass_rows.py`` (a few minutes).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from lifecycle.evidence import build_series, enumerate_readings
from lifecycle.inference import compare_waves
from lifecycle.report import default_definitions


def main() -> None:
    defs, _ = default_definitions()
    readings = enumerate_readings("attacks")
    t0 = time.perf_counter()
    counts = dict.fromkeys(
        ("readings", "row", "log_ml", "ml_fit", "aic", "aicc", "empty_note", "unident", "cut"), 0
    )
    for r in readings:
        s = build_series(r)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            c = compare_waves(s, defs, loo=False, include_estimated=False)
        t = c.table.set_index("definition")
        counts["readings"] += 1
        if "cass_three_waves" not in t.index:
            continue
        row = t.loc["cass_three_waves"]
        counts["row"] += 1
        counts["log_ml"] += bool(np.isfinite(row["log_ml"]))
        counts["ml_fit"] += bool(np.isfinite(row["loglik"]))
        counts["aic"] += bool(np.isfinite(row["AIC"]))
        counts["aicc"] += bool(np.isfinite(row["AICc"]))
        counts["unident"] += "is not identified by the maximum-likelihood fit" in row["note"]
        counts["empty_note"] += "phase 'decline' has no data" in row["note"]
        counts["cut"] += bool(c.left_out)
    wall = time.perf_counter() - t0
    print(f"attacks readings: {counts['readings']} (wall {wall:.0f} s)")
    print(f"  with a cass_three_waves row:            {counts['row']}")
    print(f"  ... with a marginal likelihood:         {counts['log_ml']}")
    print(f"  ... with a maximum-likelihood fit:      {counts['ml_fit']}")
    print(f"  ... with an AIC:                        {counts['aic']}")
    print(f"  ... with an AICc (defined when n > k+1): {counts['aicc']}")
    print(f"  ... noting a phase the ML fit leaves open: {counts['unident']}")
    print(f"  ... noting the decline has no data:     {counts['empty_note']}")
    print(f"  comparisons that left periods out:      {counts['cut']}")


if __name__ == "__main__":
    main()

"""Fitting the identified part of a definition the data do not fully identify (issue 12).

A phase seen only in a window of a measure observed nowhere else has a rate that moves
freely with that measure's level: the maximised log-likelihood is still unique (the
window is fitted exactly), and the parameters counted are the rank of the information.
Every reference below is a closed form (Poisson MLEs are phase means) or another fit.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from lifecycle._core.errors import FitError
from lifecycle.inference import compare_waves
from lifecycle.models import fit_waves
from lifecycle.models.waves import WaveDefinition
from lifecycle.series import CountSeries

ABC = WaveDefinition.from_breaks("abc", [2001, 2003, 2005], names=["a", "b", "c"])
AC = WaveDefinition.from_breaks("ac", [2001, 2005], names=["a", "c"])


def _mixed_window() -> CountSeries:
    """x seen in 2001-2002 (phase a) and 2005-2006 (phase c); y once over 2001-2006."""
    return CountSeries.from_windows(
        [2001, 2002, 2005, 2006, 2001],
        [2001, 2002, 2005, 2006, 2006],
        [4, 6, 9, 11, 50],
        measure=["x", "x", "x", "x", "y"],
    )


class TestIdentifiedPart:
    def test_refused_without_the_option(self):
        with pytest.raises(FitError, match="not identified"):
            fit_waves(_mixed_window(), ABC, "poisson")

    def test_loglik_exact_and_rank_counted(self):
        fit = fit_waves(_mixed_window(), ABC, "poisson", identified_part=True)
        # closed form: rates 5 (a) and 10 (c), the window fitted exactly (mean 50)
        ref = float(
            stats.poisson.logpmf([4, 6], 5.0).sum()
            + stats.poisson.logpmf([9, 11], 10.0).sum()
            + stats.poisson.logpmf(50, 50.0)
        )
        assert fit.loglik == pytest.approx(ref, abs=1e-8)
        # 3 phase rates + 1 level, one flat direction: 3 counted, one fewer than nominal
        assert fit.n_params == 3
        assert fit.aic == pytest.approx(-2 * ref + 2 * 3, abs=1e-7)
        assert fit.unidentified_phases == ("b",)
        assert set(fit.unidentified) == {"log_rate[b]", "level[y]"}
        rates = fit.phase_rates.set_index(["measure", "phase"])["rate"]
        assert rates["x", "a"] == pytest.approx(5.0, rel=1e-7)
        assert rates["x", "c"] == pytest.approx(10.0, rel=1e-7)
        assert math.isnan(rates["x", "b"]) and math.isnan(rates["y", "a"])
        assert fit.rate_ratios["ratio"].isna().all()  # both ratios involve b
        assert np.isnan(fit.params["log_rate[b]"]) and np.isfinite(fit.params["log_rate[a]"])
        assert fit.fitted_means[-1] == pytest.approx(50.0, rel=1e-6)
        assert any("not identified" in n for n in fit.notes)

    def test_same_loglik_as_the_definition_without_the_phase(self):
        # the window is fitted exactly either way; the x rates are the same phase means
        s = _mixed_window()
        with_b = fit_waves(s, ABC, "poisson", identified_part=True)
        without_b = fit_waves(s, AC, "poisson")
        assert with_b.loglik == pytest.approx(without_b.loglik, abs=1e-8)
        assert with_b.n_params == without_b.n_params == 3
        assert not without_b.unidentified

    def test_negbin_rank(self):
        s = CountSeries.from_windows(
            [2001, 2002, 2003, 2005, 2006, 2001],
            [2001, 2002, 2003, 2005, 2006, 2006],
            [4, 16, 7, 2, 30, 50],
            measure=["x", "x", "x", "x", "x", "y"],
        )
        fit = fit_waves(s, ABC, "negbin", identified_part=True)
        full = fit_waves(s, ABC, "negbin")  # x sees b in 2003: everything identified
        assert fit.n_params == full.n_params and not fit.unidentified
        s2 = s.take([0, 1, 3, 4, 5])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            part = fit_waves(s2, ABC, "negbin", identified_part=True)
        nominal = 3 + 1 + 1  # rates, level[y], alpha
        assert part.n_params == nominal - 1
        assert part.unidentified_phases == ("b",)


class TestComparisonRows:
    def test_empty_phase_row_equals_definition_without_it(self):
        # no observation in 2003-2004: phase b is empty and dropped, one parameter fewer
        s = CountSeries.from_counts([2001, 2002, 2005, 2006], [4, 6, 9, 11], allow_missing=True)
        c = compare_waves(s, [ABC, AC], family="poisson", loo=False, include_estimated=False)
        t = c.table.set_index("definition")
        assert t.loc["abc", "loglik"] == pytest.approx(t.loc["ac", "loglik"], abs=1e-9)
        assert t.loc["abc", "n_params"] == t.loc["ac", "n_params"] == ABC.n_phases - 1
        assert "phase 'b' has no data" in t.loc["abc", "note"]

    def test_mixed_window_row_has_numbers_and_note(self):
        s = _mixed_window()
        c = compare_waves(s, [ABC], family="poisson", loo=True, include_estimated=False)
        row = c.table.set_index("definition").loc["abc"]
        ref = fit_waves(s, ABC, "poisson", identified_part=True)
        assert row["loglik"] == pytest.approx(ref.loglik)
        assert row["n_params"] == 3 and np.isfinite(row["AIC"])
        assert "phase 'b' is not identified" in row["note"]
        # leaving out the window leaves y unseen: LOO undefined, and said so
        assert np.isnan(row["loo_log_score"]) and row["loo_undefined"] >= 1

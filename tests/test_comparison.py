"""Comparison of wave definitions: every definition a row, AICc, spans, months, user waves."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from lifecycle._core.errors import DefinitionError
from lifecycle.inference import BREAK_PARAMS, compare_waves
from lifecycle.models.waves import Phase, WaveDefinition, get_definition
from lifecycle.series import CountSeries


def _monthly(seed: int) -> CountSeries:
    months = pd.period_range("2015-01", "2022-06", freq="M")
    t = np.arange(len(months))
    rate = 3 + 10 * np.exp(-(((t - 20) / 8) ** 2)) + 12 * np.exp(-(((t - 70) / 8) ** 2))
    y = np.random.default_rng(seed).poisson(rate)
    return CountSeries.from_counts([str(m) for m in months], y, freq="month")


class TestAICc:
    def test_aicc_by_hand_and_break_years_count_three(self):
        y = [12, 25, 38, 41, 30, 22, 15, 12, 9, 11]
        s = CountSeries.from_counts(range(2001, 2011), y)
        c = compare_waves(s, [3], loo=True, bayes=False)
        t = c.table.set_index("definition")
        est = t.loc["best segmentation (3 phases, estimated)"]
        # 3 rates + 2 break years counted 3 each
        assert est["n_params"] == 5 and est["k_aic"] == 3 + 2 * BREAK_PARAMS
        k = est["k_aic"]
        aic = -2 * est["loglik"] + 2 * k
        assert est["AIC"] == pytest.approx(aic)
        assert np.isnan(est["AICc"])  # n - k - 1 = 0: undefined, no weight
        assert np.isnan(est["akaike_weight"])
        ref = t.loc["no change"]
        assert ref["AICc"] == pytest.approx(ref["AIC"] + 2 * 1 * 2 / (10 - 1 - 1))
        assert ref["akaike_weight"] == pytest.approx(1.0)

    def test_rows_with_too_many_parameters_get_no_weight(self):
        s = CountSeries.from_counts(range(2001, 2005), [3, 8, 2, 9])
        d = WaveDefinition.from_breaks("four", [2001, 2002, 2003, 2004])
        c = compare_waves(s, [d], include_estimated=False, loo=False)
        row = c.table.set_index("definition").loc["four"]
        assert bool(row["too_many_params"])
        assert np.isnan(row["akaike_weight"])
        assert np.isfinite(row["log_ml"])  # the Bayesian column still speaks


class TestEveryDefinitionARow:
    def test_cass_on_a_monthly_series(self):
        s = _monthly(1)
        cass = get_definition("cass_three_waves")
        c = compare_waves(s, [cass], loo=False)
        t = c.table.set_index("definition")
        assert np.isfinite(t.loc["cass_three_waves", "loglik"])
        assert np.isfinite(t.loc["cass_three_waves", "log_ml"])
        assert "admissible boundary years" in t.loc["cass_three_waves", "note"]
        # the yearly boundaries map to months: with the default variant, emergence = 2015-01..
        fit = c.fits["cass_three_waves"]
        rates = fit.fitted_rates.set_index("period")["phase"]
        assert rates["2015-01"] == "emergence" and rates["2022-06"] == "resurgence"
        assert rates["2019-12"] == "decline"
        assert c.left_out == ()

    def test_data_driven_default_never_uses_documents(self):
        s = CountSeries.from_counts(range(1990, 2002), [3, 8, 15, 22, 14, 9, 4, 5, 11, 19, 24, 18])
        c = compare_waves(s, None, loo=False)
        names = set(c.table["definition"])
        assert names == {
            "no change",
            "best segmentation (2 phases, estimated)",
            "best segmentation (3 phases, estimated)",
            "best segmentation (4 phases, estimated)",
            "conventional lifecycle",
        }
        assert c.table["posterior_prob"].sum() == pytest.approx(1.0)
        assert "prior sensitivity" in c.sensitivity
        assert any(n.startswith("priors:") for n in c.notes)

    def test_user_spec_and_rows_for_unfittable_definitions(self):
        s = CountSeries.from_counts(range(1980, 1990), [5, 9, 12, 8, 4, 3, 2, 6, 9, 11])
        mine = WaveDefinition.from_spec("emergence:1980,decline:1984,resurgence:1987")
        months = WaveDefinition("months", (Phase("a", "1980-01", "1984-12"), Phase("b", "1985-01")))
        with pytest.warns(Warning, match="nothing could be computed"):
            c = compare_waves(s, [mine, months], loo=False)
        t = c.table.set_index("definition")
        assert np.isfinite(t.loc["emergence:1980,decline:1984,resurgence:1987", "log_ml"])
        # dated in months on a yearly series: a row with the reason, not a silent drop
        assert t.loc["months", "status"].startswith("not computed")
        assert "dated in months" in t.loc["months", "note"]
        assert "months" in c.refused

    def test_from_spec_errors(self):
        with pytest.raises(DefinitionError, match="'phase:first period'"):
            WaveDefinition.from_spec("emergence 1980, decline:1990")
        with pytest.raises(DefinitionError, match="increase strictly"):
            WaveDefinition.from_spec("a:1990,b:1980")


class TestBayesColumns:
    def test_vague_boundary_is_averaged_over_admissible_years(self):
        s = CountSeries.from_counts(range(2015, 2024), [40, 60, 80, 70, 30, 20, 50, 70, 90])
        cass = get_definition("cass_three_waves")
        c = compare_waves(s, [cass], family="poisson", loo=False, include_estimated=False)
        from lifecycle.inference import dated_log_ml, phase_index
        from lifecycle.inference.bayes import BayesPrior
        from lifecycle.models import admissible_variants

        vals = []
        for v in admissible_variants(cass):
            ph = phase_index(v, s)
            vals.append(dated_log_ml(s, ph, v.phase_names, "poisson", BayesPrior()).log_ml)
        ref = float(np.log(np.mean(np.exp(vals))))
        row = c.table.set_index("definition").loc["cass_three_waves"]
        assert row["log_ml"] == pytest.approx(ref, rel=1e-12)
        assert row["bayes_factor"] == pytest.approx(
            math.exp(row["log_ml"] - c.table.set_index("definition").loc["no change", "log_ml"])
        )

    def test_posterior_follows_the_truth_in_a_clear_case(self):
        rng = np.random.default_rng(7)
        rates = np.r_[np.full(8, 40.0), np.full(6, 8.0), np.full(8, 40.0)]
        s = CountSeries.from_counts(range(2000, 2022), rng.poisson(rates))
        truth = WaveDefinition.from_breaks("truth", [2000, 2008, 2014], names=["e", "d", "r"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            c = compare_waves(s, [truth, "conventional lifecycle"], loo=False)
        t = c.table.set_index("definition")
        assert t["posterior_prob"].idxmax() in ("truth", "best segmentation (3 phases, estimated)")
        assert t.loc["truth", "posterior_prob"] > t.loc["conventional lifecycle", "posterior_prob"]
        assert t.loc["truth", "posterior_prob"] > 100 * t.loc["no change", "posterior_prob"]


class TestEmbeddedEvidence:
    def test_cass_has_a_row_with_numbers_in_attacks_readings(self):
        from lifecycle.evidence import build_series, enumerate_readings
        from lifecycle.inference import drop_empty_phases, extend_to_series, mixed_only_phases
        from lifecycle.report import default_definitions

        defs, _ = default_definitions()
        readings = enumerate_readings("attacks")
        for r in readings[:: max(1, len(readings) // 3)]:
            s = build_series(r)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                c = compare_waves(s, defs, loo=False, include_estimated=False)
            row = c.table.set_index("definition").loc["cass_three_waves"]
            assert row["status"] == "ok", r.name
            assert np.isfinite(row["log_ml"]) and np.isfinite(row["posterior_prob"])
            # either no observation touches the decline (its rate = its prior), or the
            # windows that do mix it with other phases (no ML fit; the marginal stands)
            # where no observation of its own falls in the decline, the row says so
            ext, _ = extend_to_series(get_definition("cass_three_waves"), s)
            _, empty = drop_empty_phases(ext, s)
            if "decline" in empty or "decline" in mixed_only_phases(ext, s):
                assert "phase 'decline' has no data" in row["note"], row["note"]
            assert c.left_out == ()

"""Verdict rules: all three outcomes are reachable, and each is reached where it should be."""

from __future__ import annotations

import numpy as np
import pytest

from lifecycle._core.errors import ParameterError
from lifecycle.inference import single_peak, test_resurgence, two_waves
from lifecycle.inference.verdicts import (
    CANNOT_DECIDE,
    NO_RESURGENCE,
    SUPPORTED,
    ResurgenceAlternative,
    combine_verdicts,
    power_at_alternative,
    reading_verdict,
)


def _verdict(y: np.ndarray, seed: int) -> str:
    tr = test_resurgence(y, family="negbin", n_boot=199, seed=seed)
    p, _ = power_at_alternative(
        y,
        np.ones(y.size),
        family="negbin",
        dispersion=tr.details["dispersion"],
        n_sim=200,
        seed=seed + 1000,
    )
    return reading_verdict(tr.p_value <= 0.05, p)[0]


class TestRules:
    def test_three_outcomes(self):
        assert reading_verdict(True, 0.1)[0] == SUPPORTED
        assert reading_verdict(False, 0.85)[0] == NO_RESURGENCE
        assert reading_verdict(False, 0.5)[0] == CANNOT_DECIDE
        assert reading_verdict(None, None)[0] == CANNOT_DECIDE
        assert reading_verdict(False, None)[0] == CANNOT_DECIDE

    def test_across_readings(self):
        v, text = combine_verdicts([NO_RESURGENCE] * 4)
        assert v == NO_RESURGENCE and text.startswith("1 distinct outcome over 4 readings")
        v, text = combine_verdicts([NO_RESURGENCE, SUPPORTED, NO_RESURGENCE])
        assert v == CANNOT_DECIDE
        assert text.startswith("2 distinct outcomes over 3 readings")
        assert f"{NO_RESURGENCE} in 2" in text
        assert combine_verdicts([])[0] == CANNOT_DECIDE

    def test_alternative_has_the_stated_size(self):
        alt = ResurgenceAlternative(min_decline=0.6, min_rebound=0.5)
        r = alt.rates(21, 30.0)
        assert r.mean() == pytest.approx(30.0)
        peak = r[: r.size // 2].max()
        trough = r[5:17].min()
        second = r[10:].max()
        assert 1 - trough / peak == pytest.approx(0.6)
        assert second / trough - 1 == pytest.approx(0.5)
        with pytest.raises(ParameterError, match="min_decline must be in"):
            ResurgenceAlternative(min_decline=1.0)
        with pytest.raises(ParameterError, match="min_rebound must be > 0"):
            ResurgenceAlternative(min_rebound=0)


class TestSimulation:
    def test_no_resurgence_is_reached_on_single_waves_with_enough_data(self):
        # 50 yearly points of a single rise and fall (mean ~ 60 a year), NB with alpha 0.02
        rng = np.random.default_rng(20241)
        rates = single_peak(50, 20, 100)
        verdicts = []
        for i in range(5):
            y = rng.negative_binomial(50, 50 / (50 + rates))
            verdicts.append(_verdict(y, seed=i))
        assert verdicts.count(NO_RESURGENCE) >= 3, verdicts
        assert verdicts.count(SUPPORTED) <= 1, verdicts

    def test_resurgence_is_supported_on_clear_two_waves(self):
        rng = np.random.default_rng(20242)
        rates = two_waves(30, 20, 100, 25, 100)
        verdicts = [_verdict(rng.poisson(rates), seed=10 + i) for i in range(3)]
        assert verdicts.count(SUPPORTED) >= 2, verdicts

    def test_short_series_cannot_decide(self):
        rng = np.random.default_rng(20243)
        rates = single_peak(8, 2, 5)
        verdicts = [_verdict(rng.poisson(rates), seed=20 + i) for i in range(3)]
        assert verdicts.count(CANNOT_DECIDE) >= 2, verdicts


class TestStory:
    def test_reconcile_names_each_disagreement(self):
        from lifecycle.inference import reconcile
        from lifecycle.models.waves import CONVENTIONAL, WaveDefinition

        waves = WaveDefinition.from_breaks("w", [2001, 2005, 2009], names=["e", "decline", "rise"])
        s = reconcile(n_changes=0, family="negbin", resurgence_rejects=True)
        assert "no step change, but the shape test rejects" in s
        s = reconcile(n_changes=2, resurgence_rejects=False)
        assert "2 step change(s), but the shape test does not reject" in s
        s = reconcile(resurgence_rejects=False, best_definition=waves, best_probability=0.7)
        assert "prefers 'w' (posterior probability 0.70), whose phases decline and rise" in s
        s = reconcile(resurgence_rejects=True, best_definition=CONVENTIONAL)
        assert "no resurgence phase" in s
        assert reconcile() == ""

    def test_identical_series_collapse_and_sensitivity(self):
        import pandas as pd

        from lifecycle.inference import group_identical_series, verdict_sensitivity
        from lifecycle.series import CountSeries

        a = CountSeries.from_counts([2001, 2002], [3, 4])
        b = CountSeries.from_counts([2001, 2002], [3, 5])
        g = group_identical_series([("r1", a), ("r2", b), ("r3", a)])
        assert g["reading_ids"].tolist() == ["r1; r3", "r2"]
        assert g["n_readings"].tolist() == [2, 1]
        per = pd.DataFrame(
            {
                "verdict": [SUPPORTED, CANNOT_DECIDE, SUPPORTED],
                "placement": [2015, 2016, 2015],
            }
        )
        t = verdict_sensitivity(per, ["placement"]).set_index("value")
        assert t.loc[2015, SUPPORTED] == 2 and t.loc[2016, CANNOT_DECIDE] == 1
        assert t.loc[2016, SUPPORTED] == 0

    def test_report_notes_a_disagreement_only(self):
        from lifecycle.report.cells import _reconcile_note

        res = {"status": "ok", "rejects": True, "note": "fitted wave"}
        _reconcile_note(res, {"status": "ok", "n_changes": 0}, "negbin")
        assert res["note"].startswith("fitted wave; The negbin search finds no step change")
        agree = {"status": "ok", "rejects": True, "note": ""}
        _reconcile_note(agree, {"status": "ok", "n_changes": 2}, "negbin")
        assert agree["note"] == ""


# ------------------------------------------ the criterion and the test of a change disagree
def test_reconcile_explains_criterion_changes_the_change_test_does_not_confirm():
    from lifecycle.inference import reconcile

    text = reconcile(n_changes=5, family="negbin", change_p_value=0.605)
    assert text.startswith("The negbin search selects 5 change(s) by its criterion")
    assert "p = 0.605 > 0.05" in text
    assert "test_change(max_changes=5)" in text
    one = reconcile(n_changes=1, family="poisson", change_p_value=0.2, level=0.1)
    assert "p = 0.2 > 0.1" in one and "penalty is lighter" in one
    none = reconcile(n_changes=0, family="poisson", change_p_value=0.01)
    assert "selects no change" in none and "p = 0.01 <= 0.05" in none
    # agreement: nothing to reconcile
    assert reconcile(n_changes=2, family="negbin", change_p_value=0.001) == ""
    assert reconcile(n_changes=0, family="negbin", change_p_value=0.5) == ""

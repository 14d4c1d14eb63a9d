"""Tests of lifecycle.models.regression: wave fits, comparison, directional tests.

Layers: worked examples with answers computable by hand; the window/interval likelihood
against statsmodels' GLM and NegativeBinomial; brute force for searches and LOO; seeded
simulations (shared-shape recovery, size of the directional test).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import optimize, special, stats
from statsmodels.discrete.discrete_model import NegativeBinomial

from lifecycle._core.errors import (
    AllZeroError,
    DefinitionError,
    FitError,
    LifecycleWarning,
    ParameterError,
)
from lifecycle._core.likelihood import nb_logpmf, poisson_logpmf
from lifecycle.inference import Comparison, compare_waves, directional_tests, test_direction
from lifecycle.models import WaveFit, best_segmentation, fit_waves
from lifecycle.models.waves import CONVENTIONAL, NO_CHANGE, Phase, WaveDefinition
from lifecycle.series.countseries import CountSeries

YEARS6 = list(range(2001, 2007))
ABC = WaveDefinition.from_breaks("abc", [2001, 2003, 2005], names=["a", "b", "c"])
WAVES = WaveDefinition.from_breaks(
    "waves", [2001, 2005, 2009], names=["emergence", "decline", "resurgence"]
)


def _overdispersed(seed=3, n=14):
    rng = np.random.default_rng(seed)
    base = np.repeat([12.0, 4.0, 15.0], [5, 4, n - 9])
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + base))
    expo = rng.uniform(0.4, 1.0, n)  # observed share of each year (at most 1)
    return CountSeries.from_counts(range(2001, 2001 + n), y, expo)


# ====================================================================== worked examples
class TestWorkedExamples:
    def test_step_poisson_by_hand(self):
        y = np.array([4, 6, 1, 1, 9, 9])
        e = np.array([1, 1, 1, 1, 0.5, 1])
        s = CountSeries.from_counts(YEARS6, y, e)
        fit = fit_waves(s, ABC, family="poisson")
        # rate = phase total / phase exposure
        assert fit.phase_rates["rate"].to_numpy() == pytest.approx([5.0, 1.0, 12.0], abs=1e-10)
        mu = np.array([5, 5, 1, 1, 6, 12.0])
        ll = np.sum(y * np.log(mu) - mu - special.gammaln(y + 1))
        assert fit.loglik == pytest.approx(ll, abs=1e-10)
        assert fit.n_params == 3
        assert fit.aic == pytest.approx(-2 * ll + 6)
        assert fit.bic == pytest.approx(-2 * ll + 3 * np.log(6))
        dev = 2 * np.sum(special.xlogy(y, y / mu) - (y - mu))
        assert fit.deviance == pytest.approx(dev, abs=1e-10)
        assert fit.pearson_dispersion == pytest.approx(np.sum((y - mu) ** 2 / mu) / 3)
        # ratio b/a = 0.2 with se sqrt(1/10 + 1/2); c/b = 12
        rr = fit.rate_ratios
        assert rr["ratio"].to_numpy() == pytest.approx([0.2, 12.0])
        se = np.sqrt(1 / 10 + 1 / 2)
        z = stats.norm.ppf(0.975)
        assert rr["ci_low"].iloc[0] == pytest.approx(0.2 * np.exp(-z * se))
        assert rr["ci_high"].iloc[0] == pytest.approx(0.2 * np.exp(z * se))
        assert fit.method == "glm"
        assert "3 shape parameters + 0 measure levels + 0 NB alpha" in fit.n_params_detail

    def test_trend_poisson_exact_exponential(self):
        # phase a doubles each year around 4; phase b is flat at 3: the model contains the
        # data, so the MLE reproduces them (deviance 0).
        y = np.array([2, 4, 8, 3, 3, 3])
        d = WaveDefinition.from_breaks("ab", [2001, 2004], names=["a", "b"])
        for method in ("glm", "likelihood"):
            fit = fit_waves(
                CountSeries.from_counts(YEARS6, y),
                d,
                shape="trend",
                method=method,
                family="poisson",
            )
            assert fit.phase_rates["rate"].to_numpy() == pytest.approx([4.0, 3.0], rel=1e-7)
            assert fit.params["slope[a]"] == pytest.approx(np.log(2), abs=1e-7)
            assert fit.params["slope[b]"] == pytest.approx(0.0, abs=1e-7)
            assert fit.rate_ratios["ratio"].iloc[0] == pytest.approx(0.75, rel=1e-7)
            assert fit.deviance == pytest.approx(0.0, abs=1e-8)
            assert fit.loglik == pytest.approx(np.sum(poisson_logpmf(y, y)), abs=1e-8)
            assert fit.n_params == 4

    def test_broken_stick_poisson_exact(self):
        # log-rate: slope log 4 up to the knot at 2003.5 (half a year before the break
        # 2004), flat afterwards: 1, 4, 16, 32, 32, 32.
        y = np.array([1, 4, 16, 32, 32, 32])
        d = WaveDefinition.from_breaks("ab", [2001, 2004], names=["a", "b"])
        fit = fit_waves(
            CountSeries.from_counts(YEARS6, y), d, shape="broken_stick", family="poisson"
        )
        assert fit.fitted_means == pytest.approx(y, rel=1e-7)
        assert fit.params["slope[a]"] == pytest.approx(np.log(4), abs=1e-7)
        assert fit.params["slope_change[b]"] == pytest.approx(-np.log(4), abs=1e-7)
        # phase rates are geometric means over the phase: (1*4*16)^(1/3) = 4 and 32
        assert fit.phase_rates["rate"].to_numpy() == pytest.approx([4.0, 32.0], rel=1e-7)
        assert fit.n_params == 3
        assert fit.deviance == pytest.approx(0.0, abs=1e-8)

    def test_step_negbin_rates_are_phase_means_and_alpha_by_profile(self):
        s = _overdispersed()
        s = CountSeries.from_counts(range(2001, 2015), s.counts)  # exposure 1
        fit = fit_waves(s, WAVES, family="negbin")
        y = s.counts
        groups = [y[:4], y[4:8], y[8:]]
        # NB2 score for a phase level: sum (y - mu) / (1 + alpha mu) = 0  =>  mu = mean
        assert fit.phase_rates["rate"].to_numpy() == pytest.approx(
            [g.mean() for g in groups], rel=1e-6
        )
        mu = np.concatenate([np.full(g.size, g.mean()) for g in groups])
        prof = optimize.minimize_scalar(
            lambda la: -np.sum(nb_logpmf(y, mu, np.exp(la))),
            bounds=(-12, 3),
            method="bounded",
            options={"xatol": 1e-10},
        )
        assert fit.dispersion == pytest.approx(np.exp(prof.x), rel=1e-5)
        assert fit.loglik == pytest.approx(-prof.fun, abs=1e-8)
        assert fit.n_params == 4
        assert "1 NB alpha" in fit.n_params_detail

    def test_windows_step_closed_form(self):
        # two-year windows aligned with the phases: rate = window totals / exposures
        s = CountSeries.from_windows([2001, 2003, 2005], [2002, 2004, 2006], [10, 2, 18])
        fit = fit_waves(s, ABC, family="poisson")
        assert fit.method == "likelihood"
        assert fit.phase_rates["rate"].to_numpy() == pytest.approx([5.0, 1.0, 9.0], rel=1e-8)
        mu = np.array([10.0, 2.0, 18.0])
        assert fit.loglik == pytest.approx(np.sum(poisson_logpmf(mu, mu)), abs=1e-8)

    def test_window_straddling_phases_has_the_sum_of_rates_as_mean(self):
        s = CountSeries.from_windows(
            [2001, 2002, 2004, 2005], [2001, 2003, 2004, 2006], [5, 12, 2, 20]
        )
        fit = fit_waves(s, ABC, family="poisson")
        r = dict(zip(fit.phase_rates["phase"], fit.phase_rates["rate"], strict=True))
        assert fit.fitted_means == pytest.approx(
            [r["a"], r["a"] + r["b"], r["b"], 2 * r["c"]], rel=1e-8
        )

    def test_interval_censoring_against_brute_force(self):
        # one phase; exact counts 3 and 4 and one count known only to lie in [5, 10]
        s = CountSeries.from_windows([2001, 2002, 2003], [2001, 2002, 2003], [3, 4, 5], [3, 4, 10])
        fit = fit_waves(s, NO_CHANGE, family="poisson")

        def nll(lam):
            p = stats.poisson(lam)
            return -(p.logpmf(3) + p.logpmf(4) + np.log(p.cdf(10) - p.cdf(4)))

        best = optimize.minimize_scalar(
            nll, bounds=(0.1, 30), method="bounded", options={"xatol": 1e-12}
        )
        assert fit.phase_rates["rate"].iloc[0] == pytest.approx(best.x, rel=1e-6)
        assert fit.loglik == pytest.approx(-best.fun, abs=1e-9)
        assert np.isnan(fit.deviance) and np.isnan(fit.pearson_dispersion)

    def test_open_interval_and_negbin_interval(self):
        s = CountSeries.from_windows(
            [2001, 2002, 2003, 2004], [2001, 2002, 2003, 2004], [3, 9, 5, 1], [3, 9, np.inf, 1]
        )
        fit = fit_waves(s, NO_CHANGE, family="negbin")

        def nll(theta):
            lam, alpha = np.exp(theta)
            r = 1 / alpha
            p = stats.nbinom(r, r / (r + lam))
            return -(p.logpmf(3) + p.logpmf(9) + p.logpmf(1) + p.logsf(4))

        best = optimize.minimize(
            nll,
            [1.5, -1.0],
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000},
        )
        assert fit.loglik == pytest.approx(-best.fun, abs=1e-7)
        assert fit.dispersion == pytest.approx(np.exp(best.x[1]), rel=1e-3)

    def test_summary_table(self):
        fit = fit_waves(CountSeries.from_counts(YEARS6, [4, 6, 1, 1, 9, 9]), ABC, family="poisson")
        tab = fit.summary()
        assert set(tab["section"]) == {"phase rate", "rate ratio", "parameter", "fit"}
        row = tab[(tab["section"] == "fit") & (tab["term"] == "n_params")].iloc[0]
        assert row["estimate"] == 3
        assert "measure levels" in row["note"]
        assert tab.attrs["definition"] == "abc"
        fr = fit.fitted_rates
        assert fr["period"].tolist() == YEARS6
        assert fr["rate"].to_numpy() == pytest.approx([5, 5, 1, 1, 9, 9])

    def test_monthly_series_with_yearly_phases(self):
        months = [f"2020-{m:02d}" for m in range(1, 13)] + [f"2021-{m:02d}" for m in range(1, 13)]
        y = [1] * 12 + [3] * 12
        s = CountSeries.from_counts(months, y, freq="month")
        d = WaveDefinition.from_breaks("ab", [2020, 2021], names=["a", "b"])
        fit = fit_waves(s, d, family="poisson")
        assert fit.phase_rates["rate"].to_numpy() == pytest.approx([1.0, 3.0])
        assert fit.fitted_rates["period"].iloc[12] == "2021-01"


# ====================================================================== equivalences
class TestEquivalence:
    @pytest.mark.parametrize("shape", ["step", "trend", "broken_stick"])
    def test_likelihood_path_equals_statsmodels_glm(self, shape):
        s = _overdispersed()
        a = fit_waves(s, WAVES, shape=shape, method="glm", family="poisson")
        b = fit_waves(s, WAVES, shape=shape, method="likelihood", family="poisson")
        assert a.method == "glm" and b.method == "likelihood"
        np.testing.assert_allclose(b.params.to_numpy(), a.params.to_numpy(), atol=1e-6)
        assert b.loglik == pytest.approx(a.loglik, abs=1e-6)
        np.testing.assert_allclose(b.cov.to_numpy(), a.cov.to_numpy(), atol=1e-6)
        # and the GLM path is statsmodels itself
        X = a._X[s.start - s.grid_start]
        ref = sm.GLM(s.counts, X, family=sm.families.Poisson(), offset=np.log(s.exposure)).fit()
        np.testing.assert_allclose(a.params.to_numpy(), ref.params, atol=1e-7)
        assert a.deviance == pytest.approx(ref.deviance, abs=1e-7)
        assert a.pearson_dispersion == pytest.approx(ref.pearson_chi2 / ref.df_resid, rel=1e-7)

    @pytest.mark.parametrize("shape", ["step", "trend", "broken_stick"])
    def test_negbin_matches_statsmodels(self, shape):
        s = _overdispersed()
        ours = fit_waves(s, WAVES, family="negbin", shape=shape, method="likelihood")
        X = ours._X[s.start - s.grid_start]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = NegativeBinomial(s.counts, X, exposure=s.exposure, loglike_method="nb2").fit(
                disp=0, method="bfgs", maxiter=2000, gtol=1e-10
            )
        np.testing.assert_allclose(ours.params.to_numpy(), ref.params, rtol=1e-5, atol=1e-5)
        assert ours.loglik == pytest.approx(ref.llf, abs=1e-6)
        p = X.shape[1]
        np.testing.assert_allclose(
            ours.cov.to_numpy()[:p, :p], ref.cov_params()[:p, :p], rtol=1e-3, atol=1e-6
        )
        glm = fit_waves(s, WAVES, family="negbin", shape=shape, method="glm")
        np.testing.assert_allclose(glm.params.to_numpy(), ours.params.to_numpy(), atol=1e-5)

    def test_negbin_without_overdispersion_is_poisson(self):
        y = [10, 10, 10, 10, 10, 10]
        s = CountSeries.from_counts(YEARS6, y)
        with pytest.warns(LifecycleWarning, match="boundary alpha = 0"):
            fit = fit_waves(s, ABC, family="negbin")
        assert fit.dispersion_at_boundary
        pois = fit_waves(s, ABC, family="poisson")
        assert fit.dispersion == 0.0
        assert fit.loglik == pytest.approx(pois.loglik)
        assert fit.n_params == 4
        assert any("boundary" in n for n in fit.notes)

    def test_multi_measure_shared_shape_recovers_ratio(self):
        rng = np.random.default_rng(20240601)
        years = np.arange(2001, 2016)
        shape = np.repeat([1.0, 0.4, 2.5 * 0.4], 5)
        parts = []
        for m, level in (("claimed", 80.0), ("civilian", 24.0)):
            y = rng.poisson(level * shape)
            parts.append(CountSeries.from_counts(years, y, measure=m))
        s = CountSeries.concat(parts)
        d = WaveDefinition.from_breaks("w", [2001, 2006, 2011], names=["e", "d", "r"])
        fit = fit_waves(s, d, family="poisson")
        assert fit.method == "likelihood"
        assert fit.n_params == 4
        rr = fit.rate_ratios
        for est, se, truth in zip(rr["log_ratio"], rr["se_log_ratio"], [0.4, 2.5], strict=True):
            assert abs(est - np.log(truth)) < 4 * se
        assert abs(fit.params["level[civilian]"] - np.log(24 / 80)) < 4 * np.sqrt(
            fit.cov.loc["level[civilian]", "level[civilian]"]
        )
        assert set(fit.phase_rates["measure"]) == {"claimed", "civilian"}
        # single-measure step MLE in closed form: ratios of totals. With a shared shape the
        # ratio is the ratio of the pooled phase totals.
        tot = np.array([sum(p.counts[i * 5 : (i + 1) * 5].sum() for p in parts) for i in range(3)])
        assert rr["ratio"].to_numpy() == pytest.approx(tot[1:] / tot[:-1], rel=1e-7)


# ====================================================================== bad input
class TestErrors:
    S = CountSeries.from_counts(YEARS6, [4, 6, 1, 1, 9, 9])

    def test_uncovered_years(self):
        d = WaveDefinition.from_breaks("late", [2003, 2005], names=["a", "b"])
        with pytest.raises(DefinitionError, match="do not cover the series: 2001, 2002 observed"):
            fit_waves(self.S, d)

    def test_phase_without_observation(self):
        d = WaveDefinition.from_breaks("long", [2001, 2004, 2010], names=["a", "b", "c"])
        with pytest.raises(DefinitionError, match=r"Phase 'c' \(2010–present\) .* no observation"):
            fit_waves(self.S, d)

    def test_overlapping_phases(self):
        with pytest.raises(DefinitionError, match=r"overlap: 'a' \(2001–2004\) and 'b'"):
            WaveDefinition("x", (Phase("a", 2001, 2004), Phase("b", 2003, None)))

    def test_unknown_family_shape_method(self):
        with pytest.raises(ParameterError, match="'family' parameter of fit_waves must be one of"):
            fit_waves(self.S, ABC, family="gauss")
        with pytest.raises(ParameterError, match="'shape' parameter of fit_waves must be one of"):
            fit_waves(self.S, ABC, shape="spline")
        with pytest.raises(ParameterError, match="'method' parameter of fit_waves"):
            fit_waves(self.S, ABC, method="ols")
        windows = CountSeries.from_windows([2001, 2003], [2002, 2006], [3, 9])
        with pytest.raises(ParameterError, match=r"can be 'glm' only .* multi-period windows"):
            fit_waves(windows, NO_CHANGE, method="glm")
        with pytest.raises(TypeError, match="must be a CountSeries"):
            fit_waves([1, 2, 3], ABC)
        with pytest.raises(TypeError, match="must be a WaveDefinition or a registry name"):
            fit_waves(self.S, 3)
        with pytest.raises(ParameterError, match="'confidence' parameter"):
            fit_waves(self.S, ABC, confidence=1.5)

    def test_trend_needs_two_periods_per_phase(self):
        d = WaveDefinition.from_breaks("x", [2001, 2006], names=["a", "b"])
        with pytest.raises(DefinitionError, match=r"phase 'b' .* has 2006 only"):
            fit_waves(self.S, d, shape="trend")

    def test_zero_phase_and_all_zero(self):
        s = CountSeries.from_counts(YEARS6, [4, 6, 0, 0, 9, 9])
        with pytest.raises(FitError, match=r"Phase 'b' .* has only zero counts"):
            fit_waves(s, ABC)
        with pytest.raises(AllZeroError, match="Every count"):
            fit_waves(CountSeries.from_counts(YEARS6, [0] * 6), ABC)

    def test_unidentified_phase(self):
        # phases a and b are only ever seen together in one window
        s = CountSeries.from_windows([2001, 2005], [2004, 2006], [10, 9])
        with pytest.raises(FitError, match="not identified"):
            fit_waves(s, ABC)

    def test_directional_errors(self):
        fit = fit_waves(self.S, ABC)
        with pytest.raises(DefinitionError, match="No phase named 'x'"):
            test_direction(fit, lower="x", upper="a")
        with pytest.raises(DefinitionError, match="cannot be read from its phase names"):
            directional_tests(fit)
        with pytest.raises(DefinitionError, match="needs 2 directions"):
            directional_tests(fit, directions=("up",))
        with pytest.raises(TypeError, match="must be a WaveFit"):
            test_direction("fit", "a", "b")

    def test_compare_errors(self):
        with pytest.raises(ParameterError, match="at least one definition"):
            compare_waves(self.S, [])
        with pytest.raises(ParameterError, match="distinct names"):
            compare_waves(self.S, [ABC, ABC])
        with pytest.raises(ParameterError, match="'n_phases' parameter of best_segmentation"):
            best_segmentation(self.S, 1)
        with pytest.raises(DefinitionError, match="needs at least 7 distinct observation"):
            best_segmentation(self.S, 7)


# ====================================================================== search
class TestSearch:
    def test_best_segmentation_equals_brute_force(self):
        s = _overdispersed()
        fast = best_segmentation(s, 3, family="poisson")
        best = -np.inf
        for b in itertools.combinations(range(2002, 2015), 2):
            d = WaveDefinition.from_breaks("x", [2001, *b], names=["p", "q", "r"])
            try:
                f = fit_waves(s, d, method="likelihood", family="poisson")
            except FitError:
                continue
            if f.loglik > best:
                best, arg = f.loglik, list(b)
        assert fast.definition.break_labels() == arg
        assert fast.loglik == pytest.approx(best, abs=1e-6)
        assert fast.n_break_params == 2 and fast.n_params == 5
        assert fast.definition.name == "best segmentation (3 phases, estimated)"

    def test_negbin_search_by_enumeration(self):
        s = _overdispersed(n=9)
        fit = best_segmentation(s, 2, family="negbin")
        lls = []
        for b in range(2002, 2010):
            d = WaveDefinition.from_breaks("x", [2001, b], names=["p", "q"])
            lls.append(fit_waves(s, d, family="negbin").loglik)
        assert fit.loglik == pytest.approx(max(lls), abs=1e-8)
        assert fit.n_params == 2 + 1 + 1

    def test_conventional_lifecycle_is_constrained_unimodal(self):
        y = [1, 2, 8, 9, 7, 3, 2, 1, 9, 10]  # rise, fall, then a second rise
        s = CountSeries.from_counts(range(2001, 2011), y)
        fit = fit_waves(s, CONVENTIONAL)
        rates = fit.phase_rates["rate"].to_numpy()
        assert fit.definition.phase_names == ["birth", "growth", "decline"]
        assert rates[0] < rates[1] > rates[2]
        # brute force over every segmentation into at most 3 phases whose rates fit
        # birth <= growth >= decline (at most one rise, then at most one fall)
        best = -np.inf
        for m in (1, 2, 3):
            for b in itertools.combinations(range(2002, 2011), m - 1):
                d = WaveDefinition.from_breaks("x", [2001, *b], names=["p", "q", "r"][:m])
                f = fit_waves(s, d)
                r = f.phase_rates["rate"].to_numpy()
                dd = np.diff(r)
                first_down = np.flatnonzero(dd < 0)
                if first_down.size and np.any(dd[first_down[0] :] > 0):
                    continue
                if np.sum(dd > 0) > 1 or np.sum(dd < 0) > 1:
                    continue
                best = max(best, f.loglik)
        assert fit.loglik == pytest.approx(best, abs=1e-8)
        assert fit.n_break_params == 2 and fit.estimated_breaks
        assert fit.definition.name == "conventional lifecycle"

    def test_conventional_on_monotone_data_uses_fewer_phases(self):
        s = CountSeries.from_counts(range(2001, 2009), [1, 2, 3, 5, 8, 13, 21, 34])
        fit = fit_waves(s, CONVENTIONAL, family="poisson")
        assert fit.definition.n_phases < 3
        rates = fit.phase_rates["rate"].to_numpy()
        assert np.all(np.diff(rates) > 0)
        assert fit.n_params == 3 + 2  # nominal: 3 levels + 2 break years, as for k = 3


# ====================================================================== comparison
class TestCompare:
    S = CountSeries.from_counts(range(2001, 2009), [9, 11, 10, 2, 3, 2, 12, 10])
    D = WaveDefinition.from_breaks("w", [2001, 2004, 2007], names=["e", "d", "r"])

    def test_table_by_hand(self):
        c = compare_waves(self.S, [self.D], family="poisson")
        assert isinstance(c, Comparison)
        tab = c.summary().set_index("definition")
        assert c.summary()["definition"].iloc[0] == c.best
        assert set(tab.index) == {"w", "no change", "best segmentation (3 phases, estimated)"}
        y = self.S.counts
        ll0 = np.sum(poisson_logpmf(y, np.full(8, y.mean())))
        mu = np.repeat([10.0, 7 / 3, 11.0], [3, 3, 2])
        ll1 = np.sum(poisson_logpmf(y, mu))
        assert tab.loc["no change", "loglik"] == pytest.approx(ll0)
        assert tab.loc["w", "loglik"] == pytest.approx(ll1)
        assert tab.loc["w", "lr_stat"] == pytest.approx(2 * (ll1 - ll0))
        assert tab.loc["w", "lr_df"] == 2
        assert tab.loc["w", "lr_p_value"] == pytest.approx(stats.chi2.sf(2 * (ll1 - ll0), 2))
        assert tab.loc["w", "AIC"] == pytest.approx(-2 * ll1 + 6)
        assert tab.loc["w", "BIC"] == pytest.approx(-2 * ll1 + 3 * np.log(8))
        assert tab["akaike_weight"].sum() == pytest.approx(1.0)
        assert tab["dAIC"].min() == 0.0
        est = tab.loc["best segmentation (3 phases, estimated)"]
        assert bool(est["estimated"]) and not bool(est["lr_valid"])
        assert "not valid" in est["note"]
        assert est["n_params"] == 5
        # LOO for no change by hand: leave y_i out, rate = mean of the rest
        loo0 = sum(poisson_logpmf(y[i], (y.sum() - y[i]) / 7) for i in range(8))
        assert tab.loc["no change", "loo_log_score"] == pytest.approx(loo0)
        # LOO for w: phase r has two years; leaving one out predicts it from the other
        loo1 = 0.0
        groups = [[0, 1, 2], [3, 4, 5], [6, 7]]
        for g in groups:
            for i in g:
                rest = [j for j in g if j != i]
                loo1 += poisson_logpmf(y[i], y[rest].mean())
        assert tab.loc["w", "loo_log_score"] == pytest.approx(loo1)

    def test_loo_undefined_when_a_phase_loses_its_only_observation(self):
        d = WaveDefinition.from_breaks("one", [2001, 2008], names=["long", "last"])
        c = compare_waves(self.S, [d], include_estimated=False, family="poisson")
        row = c.summary().set_index("definition").loc["one"]
        assert np.isnan(row["loo_log_score"])
        assert row["loo_undefined"] == 1
        assert "LOO undefined without 2008" in row["note"]

    def test_registry_names_and_uncovered_definition(self):
        c = compare_waves(self.S, ["no change"], loo=False, include_estimated=False)
        assert list(c.summary()["definition"]) == ["no change"]
        late = WaveDefinition.from_breaks("late", [2003, 2005], names=["a", "b"])
        with pytest.raises(DefinitionError, match="do not cover the series"):
            fit_waves(self.S, late)
        c = compare_waves(self.S, [late], loo=False, span="common")
        assert any(n.startswith("compared on 2003–") for n in c.notes)
        # the default applies the definition to the whole series and says how
        c = compare_waves(self.S, [late], loo=False)
        assert c.left_out == ()
        row = c.summary().set_index("definition").loc["late"]
        assert "taken back to cover 2001–2002" in row["note"]
        assert row["loglik"] == pytest.approx(
            fit_waves(self.S, WaveDefinition.from_breaks("x", [2005], names=["a", "b"])).loglik
        )

    def test_conventional_row_is_flagged(self):
        c = compare_waves(self.S, [self.D, CONVENTIONAL], loo=False)
        tab = c.summary().set_index("definition")
        row = tab.loc["conventional lifecycle"]
        assert bool(row["estimated"]) and not bool(row["lr_valid"])
        assert "shape constraint" in row["note"]
        # the unconstrained best 3-phase segmentation fits at least as well
        assert tab.loc["best segmentation (3 phases, estimated)", "loglik"] >= row["loglik"]


# ====================================================================== directional tests
class TestDirection:
    def test_worked_example(self):
        s = CountSeries.from_counts(YEARS6, [10, 10, 3, 2, 12, 8])
        fit = fit_waves(
            s,
            WaveDefinition.from_breaks(
                "w", [2001, 2003, 2005], names=["emergence", "decline", "resurgence"]
            ),
        )
        res = directional_tests(fit)
        assert [r.name for r in res] == [
            "decline below emergence",
            "decline below resurgence",
            "all expected directions",
        ]
        z1 = np.log(20 / 5) / np.sqrt(1 / 20 + 1 / 5)
        z2 = np.log(20 / 5) / np.sqrt(1 / 5 + 1 / 20)
        assert res[0].statistic == pytest.approx(z1)
        assert res[0].p_value == pytest.approx(stats.norm.sf(z1))
        assert res[1].p_value == pytest.approx(stats.norm.sf(z2))
        assert res[2].p_value == pytest.approx(max(res[0].p_value, res[1].p_value))
        one = test_direction(fit, lower="emergence", upper="decline")
        assert one.p_value == pytest.approx(1 - res[0].p_value)

    @pytest.mark.slow
    def test_size_by_simulation(self):
        rng = np.random.default_rng(11)
        n_rep = 400
        y = rng.poisson(8.0, size=(n_rep, 6))
        d = WaveDefinition.from_breaks("w", [2001, 2004], names=["a", "b"])
        pvals = []
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for row in y:
                fit = fit_waves(CountSeries.from_counts(YEARS6, row), d)
                pvals.append(test_direction(fit, lower="a", upper="b").p_value)
        rate = np.mean(np.array(pvals) <= 0.05)
        # binomial sd at 0.05 with 400 replicates is 0.011
        assert 0.02 <= rate <= 0.085

    def test_result_types(self):
        fit = fit_waves(CountSeries.from_counts(YEARS6, [10, 10, 3, 2, 12, 8]), ABC)
        assert isinstance(fit, WaveFit)
        r = test_direction(fit, lower="b", upper="a")
        assert r.summary()["ratio"].iloc[0] == pytest.approx(4.0)


class TestCommonSpan:
    def test_definitions_with_different_spans_are_compared_on_shared_years(self):
        s = CountSeries.from_counts(range(2014, 2024), [5, 9, 12, 8, 4, 3, 2, 6, 9, 11])
        early = WaveDefinition.from_breaks("early", [2014, 2018, 2021], names=["e", "d", "r"])
        late = WaveDefinition.from_breaks("late", [2016, 2020], names=["w", "r"])
        comp = compare_waves(s, [early, late], loo=False, span="common")
        assert any("compared on 2016–2023" in n and "2 observation(s)" in n for n in comp.notes)
        assert comp.left_out == (2014, 2015)
        # every row was fitted on the same 8 observations: equal to fitting the restricted series
        part = s.restrict(2016, 2023)
        direct = fit_waves(part, late)
        row = comp.table.set_index("definition").loc["late"]
        assert row["loglik"] == pytest.approx(direct.loglik, abs=1e-9)
        assert row["compared_on"].startswith("2016–2023")

    def test_no_shared_years_is_an_error(self):
        s = CountSeries.from_counts(range(2014, 2024), [5] * 10)
        a = WaveDefinition("a", (Phase("x", 2014, 2016), Phase("y", 2017, 2017)))
        b = WaveDefinition.from_breaks("b", [2019, 2021], names=["u", "v"])
        with pytest.raises(DefinitionError, match="share no period"):
            compare_waves(s, [a, b], loo=False, span="common")
        # extended to the whole series, both get a row
        comp = compare_waves(s, [a, b], loo=False)
        assert {"a", "b", "no change"} <= set(comp.table["definition"])

    def test_window_across_the_edge(self):
        s = CountSeries.from_windows([2014, 2016, 2017], [2015, 2016, 2017], [10, 4, 6])
        late = WaveDefinition.from_breaks("late", [2015, 2017], names=["w", "r"])
        with pytest.raises(DefinitionError, match="straddles"):
            compare_waves(s, [late], loo=False, span="common")
        comp = compare_waves(s, [late], loo=False)
        row = comp.table.set_index("definition").loc["late"]
        assert np.isfinite(row["loglik"]) and np.isfinite(row["log_ml"])
        assert "taken back to cover 2014" in row["note"]

    def test_phase_without_data_is_a_row_not_a_refusal(self):
        ok = WaveDefinition.from_breaks("ok", [2014, 2018], names=["a", "b"])
        # its middle phase is 2019 alone, which the series does not observe
        empty = WaveDefinition(
            "empty", (Phase("x", 2014, 2018), Phase("gap", 2019, 2019), Phase("y", 2020, 2023))
        )
        gappy = CountSeries.from_counts(
            [2014, 2015, 2016, 2017, 2018, 2020, 2021, 2022, 2023],
            [5, 9, 12, 8, 4, 2, 6, 9, 11],
            allow_missing=True,
        )
        comp = compare_waves(gappy, [ok, empty], loo=False)
        assert comp.refused == {}
        row = comp.table.set_index("definition").loc["empty"]
        assert "phase 'gap' has no data" in row["note"]
        # the empty phase carries no parameter; the rest is the two-phase fit
        two = WaveDefinition.from_breaks("two", [2014, 2020], names=["x", "y"])
        assert row["n_params"] == 2
        assert row["loglik"] == pytest.approx(fit_waves(gappy, two).loglik)
        # its marginal likelihood is that of the two phases (the empty phase = its prior)
        alone = compare_waves(gappy, [two], loo=False).table.set_index("definition")
        assert row["log_ml"] == pytest.approx(alone.loc["two", "log_ml"], rel=1e-12)
        # the other rows are as if 'empty' was not given
        solo = compare_waves(gappy, [ok], loo=False).table.set_index("definition")
        assert comp.table.set_index("definition").loc["ok", "loglik"] == solo.loc["ok", "loglik"]

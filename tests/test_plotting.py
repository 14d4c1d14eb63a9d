"""Figures are checked by what they draw: patches, lines, texts, labels and ticks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from lifecycle import plotting
from lifecycle.models.waves import WaveDefinition
from lifecycle.plotting import (
    new_figure,
    plot_change_probability,
    plot_changepoints,
    plot_comparison,
    plot_fit,
    plot_phases,
    plot_power,
    plot_series,
    plot_test,
    save_figure,
)
from lifecycle.series.countseries import CountSeries


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def bars(ax: Axes) -> list:
    """The bar patches of plot_series (their gid starts with 'obs-')."""
    return [p for p in ax.patches if (p.get_gid() or "").startswith("obs-")]


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.fixture
def windows() -> CountSeries:
    # 30 attacks over 2015–2017 together, [5, 9] in 2018, at least 10 in 2019, 2020 missing,
    # 7 in 2021; provenance on every observation but one.
    return CountSeries.from_windows(
        [2015, 2018, 2019, 2021],
        [2017, 2018, 2019, 2021],
        [30, 5, 10, 7],
        [30, 9, np.inf, 7],
        provenance=[["Q1"], ["Q2", "Q3"], [], ["E1"]],
        name="toy",
    )


class TestSeries:
    def test_one_bar_per_year_with_heights_and_year_ticks(self):
        s = CountSeries.from_counts([2015, 2016, 2017], [4, 9, 3])
        _fig, ax = new_figure()
        out = plot_series(s, ax=ax)
        assert out is ax
        b = bars(ax)
        assert [p.get_height() for p in b] == [4, 9, 3]
        assert [p.get_x() + p.get_width() / 2 for p in b] == pytest.approx([2015, 2016, 2017])
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2015", "2016", "2017"]
        assert ax.get_xlabel() == "year"
        assert ax.get_ylabel() == "count per year"
        assert texts(ax) == []  # nothing missing, no provenance

    def test_windows_span_intervals_whisker_and_missing_marked(self, windows):
        _fig, ax = new_figure()
        plot_series(windows, ax=ax)
        b = bars(ax)
        assert len(b) == 4
        # the 2015–2017 window spans three years at 30 / 3 = 10 per year
        assert b[0].get_width() == pytest.approx(2.8)
        assert b[0].get_height() == pytest.approx(10.0)
        # the interval [5, 9] sits at its midpoint and is hatched; the open one at its low
        assert b[1].get_height() == pytest.approx(7.0)
        assert b[1].get_hatch() == "//"
        assert b[2].get_height() == pytest.approx(10.0)
        assert b[3].get_hatch() is None
        # one whisker (errorbar) for the finite interval: a LineCollection from 5 to 9
        segs = [
            seg for c in ax.collections if isinstance(c, LineCollection) for seg in c.get_segments()
        ]
        assert len(segs) == 1
        assert sorted(segs[0][:, 1].tolist()) == pytest.approx([5.0, 9.0])
        # a caret for the open interval
        carets = [ln for ln in ax.get_lines() if ln.get_marker() == "^"]
        assert len(carets) == 1
        # traceability: gid and annotation carry the evidence ids; the total of the window
        assert [p.get_gid() for p in b] == ["obs-0-Q1", "obs-1-Q2_Q3", "obs-2", "obs-3-E1"]
        assert "30 in 2015–2017\nQ1" in texts(ax)
        assert "Q2, Q3" in texts(ax)
        # 2020 has no number and is marked, never drawn as a zero bar
        assert texts(ax).count("no number") == 1
        missing = [t for t in ax.texts if t.get_text() == "no number"]
        assert missing[0].get_position()[0] == 2020

    def test_measures_are_grouped_and_in_legend(self):
        s = CountSeries.concat(
            [
                CountSeries.from_counts([2016, 2017], [3, 4], measure="afghanistan"),
                CountSeries.from_counts([2016, 2017], [1, 2], measure="pakistan"),
            ]
        )
        _fig, ax = new_figure()
        plot_series(s, ax=ax, labels={"pakistan": "Pakistan"})
        b = bars(ax)
        assert len(b) == 4
        assert all(p.get_width() == pytest.approx(0.4) for p in b)
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == ["afghanistan", "Pakistan"]

    def test_many_ids_are_shortened(self):
        s = CountSeries.from_windows(
            [2015], [2015], [5], provenance=[["E1", "E2", "E3", "E4", "E5"]]
        )
        _fig, ax = new_figure()
        plot_series(s, ax=ax)
        assert texts(ax) == ["E1, E2 +3 more"]

    def test_monthly_series_has_year_ticks(self):
        s = CountSeries.from_counts(
            ["2020-11", "2020-12", "2021-01", "2021-02"], [1, 2, 3, 4], freq="month"
        )
        _fig, ax = new_figure()
        plot_series(s, ax=ax)
        assert len(bars(ax)) == 4
        assert [t.get_text() for t in ax.get_xticklabels()] == ["2020", "2021"]
        assert ax.get_ylabel() == "count per month"

    def test_ax_none_makes_a_figure(self):
        ax = plot_series(CountSeries.from_counts([2015, 2016], [1, 2]))
        assert isinstance(ax, Axes)
        assert len(bars(ax)) == 2

    def test_refuses_other_input(self, windows):
        with pytest.raises(TypeError, match="Expected a CountSeries"):
            plot_series([1, 2, 3])
        with pytest.raises(ValueError, match=r"Measures \['x'\] are not in the series"):
            plot_series(windows, measures=["x"])
        with pytest.raises(TypeError, match="Expected a matplotlib Axes"):
            plot_series(windows, ax="not an axes")


class TestPhases:
    def test_spans_names_and_source(self):
        d = WaveDefinition.from_breaks(
            "toy",
            [2015, 2019, 2021],
            names=["emergence", "decline", "resurgence"],
            source_id="rana_2024",
        )
        _fig, ax = new_figure()
        plot_series(CountSeries.from_counts(range(2015, 2024), [1] * 9), ax=ax)
        plot_phases(d, ax=ax)
        spans = [p for p in ax.patches if (p.get_gid() or "").startswith("phase-")]
        assert [p.get_gid() for p in spans] == [
            "phase-emergence",
            "phase-decline",
            "phase-resurgence",
        ]
        xs = [(p.get_x(), p.get_x() + p.get_width()) for p in spans]
        assert xs[0] == pytest.approx((2014.5, 2018.5))
        assert xs[1] == pytest.approx((2018.5, 2020.5))
        # the open last phase runs to the edge of the axes
        assert xs[2][1] == pytest.approx(ax.get_xlim()[1])
        assert "emergence\n2015–2018" in texts(ax)
        assert "resurgence\n2021–present" in texts(ax)
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "toy (rana_2024)" in legend

    def test_estimated_definition_shades_nothing(self):
        from lifecycle.models.waves import CONVENTIONAL

        _fig, ax = new_figure()
        plot_phases(CONVENTIONAL, ax=ax)
        assert len(ax.patches) == 0
        assert any("estimated" in t for t in texts(ax))

    def test_refuses_non_definition(self):
        with pytest.raises(TypeError, match="Expected a WaveDefinition"):
            plot_phases("cass")


class TestChangeProbability:
    def test_stems_at_years(self):
        _fig, ax = new_figure()
        plot_change_probability([2016, 2017, 2018], [0.1, 0.7, 0.2], ax=ax)
        (stems,) = [c for c in ax.collections if c.get_gid() == "change-probability"]
        segs = stems.get_segments()
        assert [s[0, 0] for s in segs] == [2016, 2017, 2018]
        assert [s[1, 1] for s in segs] == pytest.approx([0.1, 0.7, 0.2])
        assert ax.get_ylabel() == "probability of a change"

    def test_errors(self):
        with pytest.raises(ValueError, match="one probability per period"):
            plot_change_probability([2016, 2017], [0.5])
        with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
            plot_change_probability([2016], [1.5])


class TestComparison:
    def test_cells_and_labels(self):
        t = pd.DataFrame(
            {
                "indicator": ["attacks"] * 4,
                "reading": ["r1", "r1", "r2", "r2"],
                "definition": ["cass", "yip", "cass", "yip"],
                "akaike_weight": [0.3, 0.7, 0.9, 0.1],
            }
        )
        _fig, ax = new_figure()
        plot_comparison(t, ax=ax)
        assert texts(ax) == ["0.30", "0.70", "0.90", "0.10"]
        assert [x.get_text() for x in ax.get_xticklabels()] == ["cass", "yip"]
        assert [y.get_text() for y in ax.get_yticklabels()] == ["attacks · r1", "attacks · r2"]
        assert len(ax.images) == 1

    def test_missing_cell_is_marked(self):
        t = pd.DataFrame(
            {
                "indicator": ["a", "b"],
                "reading": ["r", "r"],
                "definition": ["x", "y"],
                "akaike_weight": [1.0, 1.0],
            }
        )
        _fig, ax = new_figure()
        plot_comparison(t, ax=ax)
        assert texts(ax).count("–") == 2

    def test_errors(self):
        with pytest.raises(ValueError, match=r"lacks columns \['akaike_weight'\]"):
            plot_comparison(pd.DataFrame({"indicator": [], "reading": [], "definition": []}))
        empty = pd.DataFrame(columns=["indicator", "reading", "definition", "akaike_weight"])
        with pytest.raises(ValueError, match="empty"):
            plot_comparison(empty)


class TestPower:
    def test_one_line_per_group_and_level(self):
        t = pd.DataFrame(
            {
                "n_years": [8, 12, 8, 12],
                "effect": ["small", "small", "large", "large"],
                "power": [0.1, 0.2, 0.5, 0.8],
                "low": [0.05, 0.1, 0.4, 0.7],
                "high": [0.15, 0.3, 0.6, 0.9],
            }
        )
        _fig, ax = new_figure()
        plot_power(t, ax=ax, x="n_years", group="effect", low="low", high="high")
        gids = [ln.get_gid() for ln in ax.get_lines()]
        assert gids[:2] == ["power-small", "power-large"]
        level = ax.get_lines()[2]
        assert level.get_ydata()[0] == pytest.approx(0.05)
        assert len(ax.collections) == 2  # two bands
        assert ax.get_xlabel() == "n years"

    def test_missing_column(self):
        with pytest.raises(ValueError, match=r"lacks columns \['power'\]"):
            plot_power(pd.DataFrame({"n": [1]}), x="n")


class TestSaveFigure:
    def test_files_are_byte_identical(self, tmp_path, windows):
        out = []
        for d in ("a", "b"):
            (tmp_path / d).mkdir()
            fig, ax = new_figure()
            plot_series(windows, ax=ax)
            out.append(save_figure(fig, tmp_path / d / "series"))
        for pa, pb in zip(*out, strict=True):
            assert pa.name == pb.name
            assert pa.read_bytes() == pb.read_bytes()
        svg = out[0][1].read_text()
        assert "<dc:date>" not in svg
        assert 'id="obs-0-Q1"' in svg  # traceable in the SVG itself

    def test_figure_is_left_as_it_was(self, tmp_path, windows):
        """Canvas, dpi and layout engine are put back; the PNG is RGB at the asked dpi."""
        from PIL import Image

        fig, ax = plt.subplots(figsize=(5.0, 3.3), layout="constrained")
        plot_series(windows, ax=ax)
        canvas, engine, dpi = fig.canvas, fig.get_layout_engine(), fig.dpi
        png, svg = save_figure(fig, tmp_path / "f", dpi=150)
        assert fig.canvas is canvas and fig.get_layout_engine() is engine and fig.dpi == dpi
        with Image.open(png) as im:
            assert im.mode == "RGB"  # opaque: no alpha channel
            assert im.size == (750, 495)
            assert round(im.info["dpi"][0]) == 150
        assert svg.read_text().count("<svg") == 1
        plt.close(fig)

    def test_transparent_figure_keeps_its_alpha(self, tmp_path):
        from PIL import Image

        fig, _ax = new_figure(2, 1)
        fig.patch.set_alpha(0.0)
        png, _ = save_figure(fig, tmp_path / "t", dpi=100)
        with Image.open(png) as im:
            assert im.mode == "RGBA"
            assert im.getextrema()[3][0] == 0

    def test_new_figure_does_not_use_pyplot(self):
        before = plt.get_fignums()
        _fig, ax = new_figure(3, 2, ncols=2)
        assert plt.get_fignums() == before
        assert len(ax) == 2


def test_public_names_exist():
    for name in plotting.__all__:
        assert callable(getattr(plotting, name))


class TestChangepoints:
    @pytest.fixture
    def seg(self):
        from lifecycle.changepoints import detect

        return detect([2, 3, 2, 12, 14, 11], years=range(2015, 2021))

    def test_segments_and_break(self, seg):
        _fig, ax = new_figure()
        plot_changepoints(seg, ax=ax)
        lines = {ln.get_gid(): ln for ln in ax.get_lines()}
        assert list(lines) == ["segment-0", "segment-1", "break-2018"]
        assert list(lines["segment-0"].get_xdata()) == pytest.approx([2014.5, 2017.5])
        assert list(lines["segment-0"].get_ydata()) == pytest.approx([7 / 3] * 2)
        assert list(lines["segment-1"].get_ydata()) == pytest.approx([37 / 3] * 2)
        assert list(lines["break-2018"].get_xdata()) == pytest.approx([2017.5, 2017.5])
        assert len(ax.collections) == 2  # one confidence band per segment

    def test_with_bootstrap_intervals(self, seg):
        from lifecycle.changepoints import break_intervals

        iv = break_intervals(seg, n_boot=99, seed=1)
        _fig, ax = new_figure()
        plot_changepoints(seg, ax=ax, intervals=iv)
        spans = [p for p in ax.patches if p.get_gid() == "break-interval-2018"]
        assert len(spans) == 1
        assert spans[0].get_x() == pytest.approx(iv.low[0] - 0.5)

    def test_posterior_object(self):
        from lifecycle.changepoints import posterior_changes

        post = posterior_changes([2, 3, 2, 12, 14, 11], years=range(2015, 2021))
        _fig, ax = new_figure()
        plot_change_probability(post, ax=ax)
        (stems,) = [c for c in ax.collections if c.get_gid() == "change-probability"]
        assert [s[0, 0] for s in stems.get_segments()] == list(post.labels)
        assert [s[1, 1] for s in stems.get_segments()] == pytest.approx(post.prob_change)

    def test_refuses_other_input(self):
        with pytest.raises(TypeError, match="Expected a Segmentation"):
            plot_changepoints(object())
        with pytest.raises(TypeError, match="or a ChangePosterior"):
            plot_change_probability([2016, 2017])


class TestFit:
    def test_step_fit_lines_and_bands(self):
        from lifecycle.models import fit_waves

        s = CountSeries.from_counts(range(2001, 2007), [4, 6, 1, 1, 8, 10])
        d = WaveDefinition.from_breaks("w", [2001, 2003, 2005], names=["a", "b", "c"])
        fit = fit_waves(s, d)
        _fig, ax = new_figure()
        plot_fit(fit, ax=ax)
        (line,) = ax.get_lines()
        assert line.get_gid() == "fit-count"
        # step line: each year's fitted rate over [year - 0.5, year + 0.5]
        assert list(line.get_ydata()) == pytest.approx(np.repeat([5, 5, 1, 1, 9, 9], 2))
        assert line.get_xdata()[0] == pytest.approx(2000.5)
        assert len(ax.collections) == 3  # one band per phase
        assert ax.get_legend().get_texts()[0].get_text() == "fit: w (poisson, step)"

    def test_refuses_other_input(self):
        with pytest.raises(TypeError, match="Expected a WaveFit"):
            plot_fit("fit")


class TestResurgencePlot:
    def test_three_step_lines_and_p_value(self):
        from lifecycle.inference.resurgence import test_resurgence

        res = test_resurgence(
            [3, 6, 10, 7, 3, 2, 4, 7, 10, 9], years=range(2011, 2021), n_boot=99, seed=1
        )
        _fig, ax = new_figure()
        plot_test(res, ax=ax)
        lines = {ln.get_gid(): ln for ln in ax.get_lines()}
        assert list(lines) == ["observed", "h0", "h1"]
        fitted = res.details["fitted"]
        assert list(lines["h1"].get_ydata()) == pytest.approx(np.repeat(fitted["h1_rate"], 2))
        assert ax.get_legend().get_title().get_text() == f"p = {res.p_value:.3g} (resurgence)"
        assert ax.get_xticklabels()[0].get_text() == "2011"

    def test_refuses_other_input(self):
        with pytest.raises(TypeError, match="details\\['fitted'\\]"):
            plot_test(object())


def test_legend_outside():
    _fig, ax = new_figure()
    ax.plot([0, 1], [0, 1], label="a")
    plotting.legend_outside(ax)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["a"]
    assert legend.get_bbox_to_anchor() is not None


def test_partial_period_bar_is_a_rate_per_full_period():
    import matplotlib.pyplot as plt

    from lifecycle.plotting import plot_series
    from lifecycle.series.countseries import CountSeries

    s = CountSeries.from_counts([2020, 2021], [10, 10], exposure=[1.0, 0.5])
    fig, ax = plt.subplots()
    plot_series(s, ax=ax, annotate=False)
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == [10.0, 20.0]  # half a year with 10 events: 20 per full year
    plt.close(fig)


class TestReadable:
    def test_names_for_people(self):
        assert plotting.readable("attacks_on_civilians (afghanistan;pakistan)") == (
            "attacks on civilians (Afghanistan, Pakistan)"
        )
        assert plotting.readable("attacks (pakistan/punjab)") == "attacks (Pakistan/Punjab)"
        assert plotting.readable("attacks_claimed (unspecified)") == (
            "attacks claimed (region not stated)"
        )
        assert plotting.readable("afghanistan") == "afghanistan"

    def test_series_legend_is_readable_and_text_at_least_9pt(self):
        s = CountSeries.concat(
            [
                CountSeries.from_counts([2016, 2017], [3, 4], measure="attacks_x (afghanistan)"),
                CountSeries.from_counts([2016, 2017], [1, 2], measure="attacks_x (pakistan)"),
            ]
        )
        _fig, ax = new_figure()
        plot_series(s, ax=ax)
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == ["attacks x (Afghanistan)", "attacks x (Pakistan)"]
        assert all(t.get_fontsize() >= 9 for t in [*ax.texts, *ax.get_legend().get_texts()])


def test_fit_not_drawn_in_a_phase_without_data():
    from lifecycle.models import fit_waves

    # measure b has data only in the first phase: its rate in phase 2 is not drawn
    s = CountSeries.concat(
        [
            CountSeries.from_counts(range(2001, 2007), [4, 6, 5, 9, 8, 10], measure="a"),
            CountSeries.from_counts([2001, 2002, 2003], [2, 3, 2], measure="b"),
        ]
    )
    d = WaveDefinition.from_breaks("w", [2001, 2004], names=["one", "two"])
    fit = fit_waves(s, d)
    _fig, ax = new_figure()
    plot_fit(fit, ax=ax)
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    xb = np.asarray(lines["fit-b"].get_xdata(), dtype=float)
    assert np.nanmax(xb) == pytest.approx(2003.5)
    xa = np.asarray(lines["fit-a"].get_xdata(), dtype=float)
    assert np.nanmax(xa) == pytest.approx(2006.5)


def test_test_lines_break_where_no_observation():
    from lifecycle.inference import test_resurgence

    s = CountSeries.from_counts(
        [2010, 2011, 2012, 2013, 2016, 2017, 2018, 2019],
        [3, 9, 12, 4, 2, 8, 13, 11],
        allow_missing=True,
    )
    res = test_resurgence(s, n_boot=19, seed=3)
    _fig, ax = new_figure()
    plot_test(res, ax=ax, ylabel="attacks per year")
    lines = {ln.get_gid(): ln for ln in ax.get_lines()}
    for gid in ("h0", "h1"):  # fitted steps: one break, 2014-2015 have no observation
        assert np.isnan(np.asarray(lines[gid].get_ydata(), dtype=float)).sum() == 1
    # observations: one level per year, never joined to the next (nor across the gap)
    xs = np.asarray(lines["observed"].get_xdata(), dtype=float).reshape(-1, 3)
    ys = np.asarray(lines["observed"].get_ydata(), dtype=float).reshape(-1, 3)
    assert np.isnan(xs[:, 2]).all() and np.isnan(ys[:, 2]).all()
    assert ys[:, 0].tolist() == ys[:, 1].tolist() == [3, 9, 12, 4, 2, 8, 13, 11]
    assert ax.get_ylabel() == "attacks per year"


def test_new_figure_rows_share_x_with_ratios():
    _fig, axes = new_figure(6, 4, nrows=2, height_ratios=[3, 1], sharex=True)
    assert axes[0].get_shared_x_axes().joined(axes[0], axes[1])
    h0 = axes[0].get_position().height
    h1 = axes[1].get_position().height
    assert h0 > 2 * h1


@pytest.mark.parametrize("n_defs", [5, 9])
def test_comparison_heat_map_with_long_names_keeps_its_layout(n_defs):
    # one reading, the data-driven set's long names: the figure sized by
    # comparison_label_space leaves the axes room (no "constrained_layout not applied")
    import io
    import warnings

    names = [f"best segmentation ({k} phases, estimated)" for k in range(2, 2 + n_defs - 1)]
    names.append("no change")
    table = pd.DataFrame(
        {"reading_id": ["user#1"] * n_defs, "definition": names, "akaike_weight": 1 / n_defs}
    )
    space = plotting.comparison_label_space(table["definition"])
    assert space > (1.0 if n_defs > 6 else 0.6)  # upright wrapped, or turned a quarter
    fig, ax = plotting.new_figure(8.0, 1.3 + 0.25 * 2 + space)
    plotting.plot_comparison(table, ax=ax, row="reading_id")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(io.BytesIO(), format="png")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert all(max(len(line) for line in lab.splitlines()) <= 28 for lab in labels)
    assert ax.get_position().height > 0.2

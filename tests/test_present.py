"""Results present themselves: a short repr, print_summary(), plot(ax=None) (issue 13)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

import lifecycle as lc
from lifecycle.plotting import new_figure

COUNTS = [3, 8, 15, 22, 14, 9, 4, 5, 11, 19, 24, 18]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def series():
    return lc.CountSeries.from_counts(range(2010, 2022), COUNTS, name="toy")


@pytest.fixture(scope="module")
def resurgence(series):
    return lc.test_resurgence(series, n_boot=99, seed=7)


def test_test_result_repr_is_short(resurgence):
    text = repr(resurgence)
    assert text.startswith("TestResult(name=")
    assert "p_value=" in text and "n_boot=99" in text
    assert len(text) < 400  # never the bootstrap replicates or the fitted table
    assert "details" not in text


def test_segmentation_repr_names_its_breaks(series):
    seg = lc.detect(series, penalty="bic")
    text = repr(seg)
    assert text.startswith("Segmentation(family='poisson'")
    assert f"n_changes={seg.n_changes}" in text
    assert "breaks=" in text and "atoms" not in text and "array" not in text
    assert len(text) < 400


def test_comparison_repr_names_the_best(series):
    comp = lc.compare_waves(series, ["cass_three_waves", "yip_weakened_rebuilt"])
    text = repr(comp)
    assert text.startswith("Comparison(") and f"best={comp.best!r}" in text
    assert "DataFrame" not in text and len(text) < 400


def test_print_summary_is_text_and_summary_stays_a_frame(series, resurgence, capsys):
    import pandas as pd

    seg = lc.detect(series, penalty="bic")
    for result in (seg, resurgence):
        result.print_summary()
        out = capsys.readouterr().out
        lines = out.splitlines()
        assert lines[0] == repr(result)
        assert len(lines) == 2 + len(result.summary())  # title, header, one line per row
        assert isinstance(result.summary(), pd.DataFrame)


def test_plot_methods_draw_on_the_given_axes(series, resurgence):
    seg = lc.detect(series, penalty="bic")
    _fig, ax = new_figure()
    assert seg.plot(ax=ax) is ax
    gids = [ln.get_gid() for ln in ax.get_lines()]
    assert gids[0] == "observed" and "segment-0" in gids
    assert len(ax.get_lines()[0].get_xdata()) == len(COUNTS)
    _fig, ax = new_figure()
    assert resurgence.plot(ax=ax) is ax
    assert [ln.get_gid() for ln in ax.get_lines()] == ["observed", "h0", "h1"]
    comp = lc.compare_waves(series, ["cass_three_waves", "yip_weakened_rebuilt"])
    _fig, ax = new_figure()
    assert comp.plot(ax=ax) is ax
    assert any(str(ln.get_gid()).startswith("fit-") for ln in ax.get_lines())


def test_plot_without_axes_makes_a_figure(series):
    seg = lc.detect(series, penalty="bic")
    ax = seg.plot()
    assert ax.figure is not None

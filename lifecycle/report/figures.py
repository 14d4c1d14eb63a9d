"""The report's figures: which are drawn, with which captions (drawing is lifecycle.plotting's).

:func:`draw_figures` draws the CASS reconstructions (embedded evidence only) and, per
indicator, the series of the first reading with the best fit and its phases, the
change points with the posterior of a change per year, the resurgence test, the Akaike
weights per reading, and the power curves; :class:`FigureSet` saves each as PNG and SVG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lifecycle.report.analysis import INDICATORS, Analysis
from lifecycle.report.cass import cass_figures
from lifecycle.report.cells import LEVEL, N_SIM_POWER, POWER_SCALES
from lifecycle.report.document import slug

__all__ = ["FigureSet", "draw_figures", "evidence_rows_used"]


class FigureSet:
    """Draws, saves and captions the report's figures (via lifecycle.plotting)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.items: list[tuple[str, str, str]] = []  # stem, caption, svg text

    def add(self, stem: str, fig: Any, caption: str) -> None:
        from lifecycle.plotting import save_figure

        _, svg = save_figure(fig, self.folder / stem, dpi=120)
        self.items.append((stem, caption, svg.read_text(encoding="utf-8")))


def evidence_rows_used(analysis: Analysis) -> set[str]:
    ids: set[str] = set()
    if "provenance" in analysis.series.columns:
        for p in analysis.series["provenance"].fillna(""):
            ids.update(x for x in str(p).split(";") if x)
    return ids


def draw_figures(analysis: Analysis, figs: FigureSet) -> None:
    """Draw every figure of the report into ``figs``."""
    if analysis.evidence is not None:
        _draw_cass(analysis, figs)
    first_id = analysis.readings.groupby("indicator", sort=False)["reading_id"].first().to_dict()
    for _, ind in analysis.indicators.iterrows():
        label = ind["indicator"]
        series = analysis.objects.get(("series", label))
        if series is None:
            continue
        stem = slug(ind["question"] or label)
        _draw_series_fit(analysis, figs, label, stem, series, first_id[label])
        _draw_changepoints(analysis, figs, label, stem, series)
        _draw_resurgence(analysis, figs, label, stem)
        _draw_comparison(analysis, figs, label, stem)
    _draw_power(analysis, figs)


def _draw_cass(analysis: Analysis, figs: FigureSet) -> None:
    """The CASS reconstructions (embedded evidence only)."""
    from lifecycle import plotting

    firsts = {
        q: analysis.objects.get(("reading", lab))
        for q, lab, _ in INDICATORS
        if ("reading", lab) in analysis.objects
    }
    counts = dict(
        zip(analysis.indicators["question"], analysis.indicators["n_readings"], strict=True)
    )
    for cf in cass_figures(analysis.evidence, readings=firsts, n_readings=counts, only_given=True):
        fig, ax = plotting.new_figure(10.0, 4.4)
        if cf.series is not None:
            plotting.plot_series(cf.series, ax=ax, title=f"CASS Figure {cf.number}: {cf.title}")
        else:
            ax.set_title(f"CASS Figure {cf.number}: {cf.title}")
        for k, xv in enumerate((cf.first - 0.5, cf.last + 0.5)):
            ax.axvline(
                xv,
                color="0.35",
                linestyle=":",
                linewidth=1.2,
                label=f"years of the original figure ({cf.first}–{cf.last})" if k == 0 else None,
            )
        ax.legend(fontsize=7, loc="upper left")
        plotting.legend_outside(ax)
        figs.add(f"cass_figure_{cf.number}", fig, cf.caption)


def _draw_series_fit(
    analysis: Analysis, figs: FigureSet, label: str, stem: str, series: Any, reading_id: str
) -> None:
    """The first reading's series with the best definition's fit and its phases."""
    from lifecycle import plotting

    comparison = analysis.objects.get(("comparison", label))
    fig, ax = plotting.new_figure(10.0, 4.4)
    plotting.plot_series(series, ax=ax, title=label)
    caption = (
        f"{label}: the series of the first reading ({reading_id}: "
        f"{series.name}). Bars as in the evidence (spanning bars: multi-year totals at "
        "their mean per year; hatched with whiskers: count intervals); evidence ids "
        "above the bars."
    )
    if comparison is not None:
        best = comparison.best
        fit = comparison.fits[best]
        if fit.definition.n_phases >= 2:
            plotting.plot_phases(fit.definition, ax=ax, freq=series.freq)
        try:
            plotting.plot_fit(fit, ax=ax)
            caption += (
                f" Line: the fit of the definition with the smallest AIC ({best}, "
                f"{comparison.family}, {comparison.shape}) with the 95% CI of each phase "
                "rate; shading: its phases."
            )
        except ValueError:
            pass
    plotting.legend_outside(ax)
    figs.add(f"series_{stem}", fig, caption)


def _draw_changepoints(
    analysis: Analysis, figs: FigureSet, label: str, stem: str, series: Any
) -> None:
    """Per measure: the BIC segmentation and the posterior of a change per year."""
    from lifecycle import plotting

    segs = {
        m: seg
        for m, seg in analysis.objects.get(("segmentation", label), {}).items()
        if len(seg.atoms) >= 2
    }
    posts = analysis.objects.get(("posterior", label), {})
    for m, seg in sorted(segs.items()):
        fig, ax = plotting.new_figure(7.5, 4.2)
        plotting.plot_series(series, ax=ax, measures=[m], title=f"{label}: {m}", annotate=False)
        plotting.plot_changepoints(seg, ax=ax)
        cap = (
            f"{label}, {m}: segmentation chosen by BIC ({seg.n_changes} change(s)"
            + (f": new regime from {', '.join(map(str, seg.breaks))}" if seg.breaks else "")
            + ") with the 95% CI of each segment's rate."
        )
        if m in posts:
            plotting.plot_change_probability(posts[m], ax=ax.twinx(), freq=series.freq)
            cap += (
                " Stems (right axis): posterior probability that a new regime starts in "
                "each year (Poisson–Gamma model, uniform prior on the number of changes)."
            )
        figs.add(f"changepoints_{stem}_{slug(m)}", fig, cap)


def _draw_resurgence(analysis: Analysis, figs: FigureSet, label: str, stem: str) -> None:
    """Per measure: the resurgence test's fitted null and alternative."""
    from lifecycle import plotting

    tests = analysis.objects.get(("resurgence", label), {})
    for m, tr in sorted(tests.items()):
        fig, ax = plotting.new_figure(7.5, 4.2)
        plotting.plot_test(tr, ax=ax, title=f"{label}: {m}")
        figs.add(
            f"resurgence_{stem}_{slug(m)}",
            fig,
            f"{label}, {m}: resurgence test (p = {tr.p_value:.3g}, {tr.n_boot} bootstrap "
            "replicates). Blue: best single rise-and-fall (unimodal) rate; orange dashed: "
            "best rise–fall–rise rate; grey: observed count per unit of exposure.",
        )


def _draw_comparison(analysis: Analysis, figs: FigureSet, label: str, stem: str) -> None:
    """The Akaike weights of the definitions, per reading (a heat map)."""
    from lifecycle import plotting

    comp = analysis.comparison[
        (analysis.comparison["indicator"] == label) & (analysis.comparison["status"] == "ok")
    ]
    if not len(comp):
        return
    n_rows = comp["reading_id"].nunique()
    fig, ax = plotting.new_figure(7.5, 1.6 + 0.2 * n_rows)
    plotting.plot_comparison(comp, ax=ax, row="reading_id", title=label)
    ax.tick_params(axis="y", labelsize=6)
    figs.add(
        f"comparison_{stem}",
        fig,
        f"{label}: Akaike weights of the definitions that could be fitted, per "
        "reading (rows; see readings.csv). A dash: not fitted in that reading (the "
        "reason is in comparison.csv).",
    )


def _draw_power(analysis: Analysis, figs: FigureSet) -> None:
    """Power curves of the resurgence test for the first reading of each indicator."""
    from lifecycle import plotting

    if not len(analysis.power):
        return
    pw = analysis.power.copy()
    first_ids = set(analysis.readings.groupby("indicator", sort=False)["reading_id"].first())
    pw = pw[pw["reading_id"].isin(first_ids)]
    if not len(pw):
        return
    pw["series"] = pw["indicator"] + " · " + pw["measure"]
    fig, ax = plotting.new_figure(7.5, 4.2)
    pw["low"] = (pw["power"] - 2 * pw["se"]).clip(lower=0)
    pw["high"] = (pw["power"] + 2 * pw["se"]).clip(upper=1)
    plotting.plot_power(
        pw,
        ax=ax,
        x="scale",
        group="series",
        low="low",
        high="high",
        level=LEVEL,
        title="Power of the resurgence test",
    )
    ax.set_xscale("log")
    ax.set_xticks(list(POWER_SCALES))
    ax.set_xticklabels([f"×{v:g}" for v in POWER_SCALES])
    ax.set_xlabel("counts scaled by (×1 = the fitted rise–fall–rise curve)")
    figs.add(
        "power",
        fig,
        "Power of the resurgence test (5% level) if the truth were the fitted "
        "rise–fall–rise curve of the first reading, and if every count were k times "
        f"larger (warp-speed simulation, {N_SIM_POWER} series per point; band: ±2 "
        "Monte Carlo standard errors).",
    )

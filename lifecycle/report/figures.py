"""The report's figures: which are drawn, with which captions (drawing is lifecycle.plotting's).

:func:`draw_figures` draws, in the order the report shows them:

* the **headline** figure — the numbers by year with their intervals (multi-year totals
  as spans, vague values as ranges, years without a number marked) above strips that
  shade the phases of the documents' dated wave definitions (CASS, YIP);
* per indicator, the series of its first reading with the fit of the definition ranked
  first (highest posterior probability among those with a maximum-likelihood fit), drawn
  only in the phases where a measure has data;
* further figures: the CASS reconstructions (embedded evidence only), change points with
  the posterior of a change per year, the resurgence tests, the posterior probabilities per
  reading, and the power curves.

:class:`FigureSet` saves each as PNG (200 dpi) and SVG and keeps its caption and group.
Every text is at least :data:`lifecycle.plotting.base.FONT_SIZE` points and names are
written for people (:func:`lifecycle.plotting.base.readable`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecycle.report.analysis import INDICATORS, Analysis
from lifecycle.report.cass import cass_figures
from lifecycle.report.cells import LEVEL, N_SIM_POWER, POWER_SCALES
from lifecycle.report.document import slug

__all__ = ["FigureItem", "FigureSet", "draw_figures", "unit_of"]

#: What one unit of each indicator's series counts (the y axis of its figures).
_UNITS = {
    "attacks": "attacks",
    "event_attacks": "documented attacks",
    "attacks_pakistan": "attacks",
    "clashes": "clashes",
    "event_deaths": "deaths",
    "event_reach": "countries attacked",
}
#: Indicators whose series are ratios (the exposure is the denominator, not time).
_RATIOS = {"event_deaths_per_attack": "deaths per attack"}


def unit_of(question: str, freq: str = "year") -> str:
    """The y-axis label of an indicator's series: what is counted, per what.

    Examples
    --------
    >>> unit_of("event_deaths_per_attack"), unit_of("clashes"), unit_of("", "month")
    ('deaths per attack', 'clashes per year', 'count per month')
    """
    if question in _RATIOS:
        return _RATIOS[question]
    return f"{_UNITS.get(question, 'count')} per {freq}"


@dataclass(frozen=True)
class FigureItem:
    """One saved figure: file stem, caption, SVG text and where the report shows it."""

    stem: str
    caption: str
    svg: str
    group: str


class FigureSet:
    """Saves the report's figures (PNG at 200 dpi and SVG) with their captions."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.items: list[FigureItem] = []

    def add(self, stem: str, fig: Any, caption: str, group: str = "more") -> None:
        from lifecycle.plotting import save_figure

        _, svg = save_figure(fig, self.folder / stem, dpi=200)
        self.items.append(FigureItem(stem, caption, svg.read_text(encoding="utf-8"), group))

    def group(self, name: str) -> list[FigureItem]:
        return [f for f in self.items if f.group == name]


def _indicator_series(analysis: Analysis) -> Iterator[tuple[str, str, Any, str]]:
    """(indicator, file stem, series, y-axis unit) of every indicator with a series."""
    for _, ind in analysis.indicators.iterrows():
        label = ind["indicator"]
        series = analysis.objects.get(("series", label))
        if series is not None:
            unit = unit_of(ind["question"], series.freq)
            yield label, slug(ind["question"] or label), series, unit


def draw_figures(analysis: Analysis, figs: FigureSet) -> None:
    """Draw every figure of the report into ``figs``."""
    _draw_headline(analysis, figs)
    first_id = analysis.readings.groupby("indicator", sort=False)["reading_id"].first().to_dict()
    for label, stem, series, unit in _indicator_series(analysis):
        _draw_series_fit(analysis, figs, label, stem, series, first_id[label], unit)
    if analysis.evidence is not None:
        _draw_cass(analysis, figs)
    for label, stem, series, unit in _indicator_series(analysis):
        _draw_changepoints(analysis, figs, label, stem, series, unit)
        _draw_resurgence(analysis, figs, label, stem, unit)
        _draw_comparison(analysis, figs, label, stem)
    _draw_power(analysis, figs)


# ---------------------------------------------------------------------- headline
def _headline_series(analysis: Analysis) -> tuple[Any, str, str]:
    """The series the headline shows, the reading's name and the indicator's question.

    On the embedded evidence: the documents' attack figures under the reading that keeps
    every vague or conflicting number as a range (``conflict=all_as_intervals``), else
    the first reading. For a user's series: that series.
    """
    if analysis.evidence is not None and ("headline", "attacks") in analysis.objects:
        series, name = analysis.objects[("headline", "attacks")]  # chosen by the analysis
        return series, name, "attacks"
    if analysis.evidence is not None:
        from lifecycle.evidence.readings import build_series, enumerate_readings

        readings = enumerate_readings("attacks", analysis.evidence)
        wide = [
            r
            for r in readings
            if r.summary().iloc[0].get("conflict") == "all_as_intervals"
            and r.summary().iloc[0].get("policy") == "default"
        ]
        reading = (wide or readings)[0]
        return build_series(reading, analysis.evidence), reading.name, "attacks"
    ind = analysis.indicators.iloc[0]
    series = analysis.objects.get(("series", ind["indicator"]))
    return series, "", ind["question"]


def _draw_headline(analysis: Analysis, figs: FigureSet) -> None:
    """The numbers by year above strips shading the dated definitions' phases."""
    from lifecycle import plotting

    series, reading, question = _headline_series(analysis)
    if series is None:
        return
    from lifecycle.models.waves import registry

    # The documents' phases belong to the ISKP evidence; a user's series gets none.
    reg = registry(analysis.evidence) if analysis.evidence is not None else {}
    strips = [reg[n] for n in ("cass_three_waves", "yip_weakened_rebuilt") if n in reg]
    fig, axes = plotting.new_figure(
        10.0,
        4.6 + 0.8 * len(strips),
        nrows=1 + len(strips),
        height_ratios=[5.0] + [1.0] * len(strips),
        sharex=True,
    )
    axes = list(axes) if strips else [axes]
    ax = axes[0]
    title = (
        "ISKP attacks by year: the numbers the documents give"
        if analysis.evidence is not None
        else f"{series.name or 'the series'} by year"
    )
    plotting.plot_series(
        series, ax=ax, annotate=False, title=title, ylabel=unit_of(question, series.freq)
    )
    ax.set_xlabel("")
    plotting.legend_outside(ax)
    for d, sax in zip(strips, axes[1:], strict=True):
        plotting.plot_phases(d, ax=sax, freq=series.freq, legend=False)
        sax.set_yticks([])
        source = getattr(d, "source_id", "") or ""
        sax.set_ylabel(
            plotting.readable(d.name).replace(" ", "\n", 1) + (f"\n({source})" if source else ""),
            rotation=0,
            ha="right",
            va="center",
        )
    axes[-1].set_xlabel("year")
    caption = (
        "Figure 1. "
        + (
            f"ISKP attacks by year as the documents give them (reading: {reading}). "
            if reading
            else f"{series.name or 'The series'} by year. "
        )
        + "A bar over several years is a multi-year total drawn at its mean per year; a "
        "hatched bar with a whisker is a range (a vague or disputed number); years marked "
        "“no number” have none."
        + (
            " The evidence id of every number is in the table below. Strips: the phases of "
            "the documents' wave definitions (CASS: rana_2024; YIP: yip_2024)."
            if strips
            else ""
        )
    )
    if reading and "400 placed in 2015" in reading:
        caption += (
            " The undated 400 claimed attacks (Q013) are drawn in 2015 in this reading; the "
            "analysis runs over every year the text allows for them."
        )
    figs.add("headline", fig, caption, group="headline")


# ---------------------------------------------------------------------- per indicator
def _draw_series_fit(
    analysis: Analysis,
    figs: FigureSet,
    label: str,
    stem: str,
    series: Any,
    reading_id: str,
    unit: str,
) -> None:
    """The first reading's series with the best definition's fit and its phases."""
    from lifecycle import plotting

    comparison = analysis.objects.get(("comparison", label))
    fig, ax = plotting.new_figure(10.0, 4.6)
    plotting.plot_series(series, ax=ax, title=label, annotate=False, ylabel=unit)
    caption = (
        f"{label}: the series of the first reading ({reading_id}). Bars as in Figure 1 "
        "(spanning bars: multi-year totals at their mean per year; hatched with whiskers: "
        "ranges). Evidence ids: tables/series.csv."
    )
    if comparison is not None:
        best = comparison.best
        fit = comparison.fits[best]
        if fit.definition.n_phases >= 2:
            plotting.plot_phases(fit.definition, ax=ax, freq=series.freq, legend=False)
        try:
            plotting.plot_fit(fit, ax=ax)
            caption += (
                " Lines: the maximum-likelihood fit of the definition ranked first by "
                "posterior probability among those with a fit "
                f"({plotting.readable(best)}, {comparison.family}, {comparison.shape}) with "
                "the 95% CI of each phase rate, drawn only in phases where the measure has "
                "data; shading: its phases."
            )
        except ValueError:
            pass
    # under the axes, in two columns: beside them a dozen fits took half the width
    n_entries = len(ax.get_legend_handles_labels()[1])
    fig.set_figheight(4.6 + 0.2 * ((n_entries + 1) // 2))
    plotting.legend_below(ax, ncol=2)
    figs.add(f"series_{stem}", fig, caption, group=f"indicator:{label}")


# ---------------------------------------------------------------------- further figures
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
        fig, ax = plotting.new_figure(10.0, 4.6)
        # two lines: on one the title ran past the figure's left edge
        title = f"CASS Figure {cf.number}, reconstructed from the text:\n{cf.title}"
        if cf.series is not None:
            plotting.plot_series(
                cf.series, ax=ax, title=title, annotate=False, ylabel="attacks per year"
            )
        else:
            ax.set_title(title)
        for k, xv in enumerate((cf.first - 0.5, cf.last + 0.5)):
            ax.axvline(
                xv,
                color="0.35",
                linestyle=":",
                linewidth=1.2,
                label=f"years of the original figure ({cf.first}–{cf.last})" if k == 0 else None,
            )
        fig.set_figheight(5.4)
        plotting.legend_below(ax, ncol=2)
        figs.add(f"cass_figure_{cf.number}", fig, cf.caption)


def _draw_changepoints(
    analysis: Analysis, figs: FigureSet, label: str, stem: str, series: Any, unit: str
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
        fig, ax = plotting.new_figure(10.0, 4.4)
        name = plotting.readable(m)
        plotting.plot_series(
            series, ax=ax, measures=[m], title=f"{label}: {name}", annotate=False, ylabel=unit
        )
        plotting.plot_changepoints(seg, ax=ax)
        cap = (
            f"{label}, {name}: segmentation chosen by BIC ({seg.n_changes} change(s)"
            + (f": new regime from {', '.join(map(str, seg.breaks))}" if seg.breaks else "")
            + ") with the 95% CI of each segment's rate."
        )
        if m in posts:
            twin = ax.twinx()
            plotting.plot_change_probability(posts[m], ax=twin, freq=series.freq)
            cap += (
                " Stems (right axis): posterior probability that a new regime starts in "
                "each year (Poisson–Gamma model, uniform prior on the number of changes)."
            )
        plotting.legend_outside(ax)
        figs.add(f"changepoints_{stem}_{slug(m)}", fig, cap)


def _draw_resurgence(analysis: Analysis, figs: FigureSet, label: str, stem: str, unit: str) -> None:
    """Per measure: the resurgence test's fitted null and alternative."""
    from lifecycle import plotting
    from lifecycle.report.summary import fmt_p

    tests = analysis.objects.get(("resurgence", label), {})
    for m, tr in sorted(tests.items()):
        fig, ax = plotting.new_figure(10.0, 5.4)
        name = plotting.readable(m)
        plotting.plot_test(tr, ax=ax, title=f"{label}: {name}", ylabel=unit)
        plotting.legend_below(ax)
        figs.add(
            f"resurgence_{stem}_{slug(m)}",
            fig,
            f"{label}, {name}: resurgence test (p {_p_words(fmt_p(tr.p_value, tr.n_boot))}, "
            f"{tr.n_boot} bootstrap replicates). Blue: best single rise-and-fall (unimodal) "
            "rate; orange dashed: best rise–fall–rise rate; grey: observed count per unit "
            "of exposure.",
        )


def _p_words(text: str) -> str:
    return text if text.startswith("≤") else f"= {text}"


def _draw_comparison(analysis: Analysis, figs: FigureSet, label: str, stem: str) -> None:
    """The posterior probabilities of the definitions, per reading (a heat map).

    Posterior probabilities, not Akaike weights: the Bayesian comparison scores every
    definition that could be fitted, while on a handful of observations most rows have
    as many parameters as observations, AICc is undefined and a weight of 1.00 would
    only say that no other row qualified (the weights stay in ``comparison.csv``).
    """
    from lifecycle import plotting

    comp = analysis.comparison[
        (analysis.comparison["indicator"] == label) & (analysis.comparison["status"] == "ok")
    ]
    if not len(comp):
        return
    comp, n_readings = _distinct_weight_rows(comp, value=_HEAT_VALUE, decimals=_HEAT_DECIMALS)
    n_rows = comp["reading_id"].nunique()
    labels = plotting.comparison_label_space(comp["definition"])
    fig, ax = plotting.new_figure(8.0, 1.3 + 0.25 * max(n_rows, 2) + labels)
    plotting.plot_comparison(
        comp, ax=ax, row="reading_id", value=_HEAT_VALUE, title=label, decimals=_HEAT_DECIMALS
    )
    grouped = (
        f" The {n_readings} readings give {n_rows} distinct rows to one decimal; each row "
        "names its first reading and how many more give the same."
        if n_rows < n_readings
        else ""
    )
    figs.add(
        f"comparison_{stem}",
        fig,
        f"{label}: posterior probabilities of the definitions that could be fitted (equal "
        "prior probabilities), per reading (rows; see readings.csv), to one decimal. A "
        "dash: not fitted in that reading (the reason, and the Akaike weights, are in "
        "comparison.csv)." + grouped,
    )


_HEAT_VALUE = "posterior_prob"
_HEAT_DECIMALS = 1


def _distinct_weight_rows(
    comp: pd.DataFrame, *, value: str = "akaike_weight", decimals: int = 2
) -> tuple[pd.DataFrame, int]:
    """Readings with the same numbers (as shown, to ``decimals``) as one heat-map row.

    144 readings of one indicator made a heat map 6,000 px tall with a handful of
    distinct rows; the row keeps the first reading's id and says how many more it
    stands for. The numbers are rounded as shown, so a row is exactly what each of its
    readings would show.
    """
    wide = comp.pivot_table(index="reading_id", columns="definition", values=value, sort=False)
    order = list(dict.fromkeys(comp["reading_id"]))
    wide = wide.reindex(order)
    keys = [tuple(np.round(r, decimals).tolist()) for r in wide.to_numpy()]
    groups: dict[tuple, list[str]] = {}
    for rid, key in zip(order, keys, strict=True):
        groups.setdefault(tuple("-" if np.isnan(v) else v for v in key), []).append(rid)
    rename = {}
    for ids in groups.values():
        name = ids[0] if len(ids) == 1 else f"{ids[0]} (+{len(ids) - 1} more)"
        rename[ids[0]] = name
    keep = comp[comp["reading_id"].isin(rename)].copy()
    keep["reading_id"] = keep["reading_id"].map(rename)
    keep[value] = keep[value].astype(float).round(decimals)
    return keep, len(order)


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
    pw["series"] = pw["indicator"] + ": " + pw["measure"].map(plotting.readable)
    fig, ax = plotting.new_figure(10.0, 4.4)
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
    ax.minorticks_off()
    ax.set_xlabel("counts scaled by (×1 = the fitted rise–fall–rise curve)")
    plotting.legend_outside(ax)
    figs.add(
        "power",
        fig,
        f"Power of the resurgence test ({100 * LEVEL:g}% level) if the truth were the fitted "
        "rise–fall–rise curve of the first reading, and if every count were k times "
        f"larger (warp-speed simulation, {N_SIM_POWER} series per point; band: ±2 "
        "Monte Carlo standard errors).",
    )

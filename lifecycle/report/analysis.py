"""The report's analysis: every indicator, reading and wave definition, as tidy tables.

:func:`analyse_evidence` runs the cells of :mod:`lifecycle.report.cells` on every indicator
the documents' evidence gives (frequency of attacks, severity, reach, clashes, attacks in
Pakistan), over *every* admissible reading of that evidence
(:func:`lifecycle.evidence.readings.enumerate_readings`), and for every wave definition of
the registry (:func:`lifecycle.models.waves.registry`). :func:`analyse_series` does the same
for one user series (a CSV or an event export). Both return an :class:`Analysis`: tidy
tables with one row per indicator × reading × definition (comparison), per indicator ×
reading × measure × test (tests, with their power), and the verdict table of
:mod:`lifecycle.report.verdicts`.

References
----------
Burnham, K. P. and Anderson, D. R. (2002). *Model Selection and Multimodel Inference*,
2nd ed. Springer (Akaike weights, as reported by
:func:`lifecycle.inference.compare_waves`).

Examples
--------
>>> analysis = analyse_evidence(seed=1, n_boot=99)  # doctest: +SKIP
>>> analysis.verdicts[["indicator", "verdict"]]  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from lifecycle._core.errors import LifecycleWarning, ParameterError
from lifecycle._core.validation import check_choice, check_int, check_n_draws
from lifecycle.report.cells import (
    analyse_cell,
    dated_definitions,
    reading_row,
    table_frame,
)
from lifecycle.report.columns import (
    CHANGEPOINT_COLUMNS,
    POWER_COLUMNS,
    REPORT_COMPARISON_COLUMNS,
    TEST_COLUMNS,
)
from lifecycle.report.verdicts import verdict_rows
from lifecycle.series.countseries import CountSeries

__all__ = [
    "INDICATORS",
    "Analysis",
    "analyse_evidence",
    "analyse_series",
    "describe_series",
    "evidence_rows_used",
]

# Indicators of the documents' evidence, in the order the report presents them:
# (question of lifecycle.evidence.readings, indicator label, what it measures).
INDICATORS = (
    ("attacks", "frequency: attacks (document figures)", "frequency"),
    ("event_attacks", "frequency: documented attacks (events)", "frequency"),
    ("attacks_pakistan", "frequency: attacks in Pakistan", "frequency"),
    ("clashes", "frequency: clashes", "frequency"),
    ("event_deaths", "severity: deaths in documented attacks", "severity"),
    ("event_deaths_per_attack", "severity: deaths per documented attack", "severity"),
    ("event_reach", "reach: countries attacked outside Afghanistan", "reach"),
)


@dataclass(frozen=True)
class Analysis:
    """Everything the report shows, as tables (and the objects its figures need).

    Attributes
    ----------
    title : str
        What was analysed.
    seed, n_boot : int
        Seed and bootstrap replicates of every test.
    family : str
        Count family of every model.
    indicators : DataFrame
        One row per indicator: ``indicator``, ``question``, ``kind``, ``description``,
        ``n_readings``.
    readings : DataFrame
        One row per reading: ``reading_id``, ``indicator``, ``reading`` (the full name),
        its choices, ``n_obs``, ``measures``, ``years``.
    series : DataFrame
        Every observation of every reading's series (windows layout plus
        ``reading_id``).
    definitions : DataFrame
        The wave definitions compared, one row per phase, with source and quote.
    comparison : DataFrame
        One row per indicator × reading × definition: ``status`` (``"ok"`` or the
        library's reason), log-likelihood, parameters, AIC, Akaike weight, BIC, LR test.
    tests : DataFrame
        One row per indicator × reading × measure × test (at least one change; resurgence;
        expected directions of each definition), with ``status``, statistic, p-value,
        ``rejects`` at :data:`LEVEL` and, for the resurgence test, the power at the
        fitted alternative.
    changepoints : DataFrame
        The segmentation chosen by BIC for each indicator × reading × measure.
    power : DataFrame
        Power of the resurgence test at multiples of each fitted alternative.
    verdicts : DataFrame
        Per indicator: how many readings support each conclusion, and the verdict in
        words.
    evidence : object or None
        The evidence tables used (:class:`lifecycle.evidence.Evidence`), if any.
    objects : dict
        Results the figures need, keyed by ``(kind, indicator)``: the default reading's
        series, comparison, segmentation, posterior, resurgence test; and under
        ``("headline", "attacks")`` the headline figure's ``(series, reading name)``.
    notes : tuple of str
        Things a reader must know (definitions left out and why, warnings).
    source : str
        The input as the command line names it (a CSV path, or ``--gtd FILE``); empty for
        the embedded evidence.
    """

    title: str
    seed: int
    n_boot: int
    family: str
    indicators: pd.DataFrame
    readings: pd.DataFrame
    series: pd.DataFrame
    definitions: pd.DataFrame
    comparison: pd.DataFrame
    tests: pd.DataFrame
    changepoints: pd.DataFrame
    power: pd.DataFrame
    verdicts: pd.DataFrame
    evidence: Any = None
    objects: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    notes: tuple[str, ...] = ()
    source: str = ""

    def summary(self) -> pd.DataFrame:
        """The verdict table."""
        return self.verdicts.copy()


def _run_tasks(tasks: list[dict[str, Any]], *, n_jobs: int, progress: bool) -> list[dict]:
    """Run :func:`analyse_cell` on every task, in order, on ``n_jobs`` processes."""
    import sys

    from tqdm import tqdm

    bar = tqdm(
        total=len(tasks),
        desc="analysing readings",
        unit="reading",
        file=sys.stderr,
        disable=not progress,
        leave=False,
    )
    out = []
    try:
        if n_jobs == 1 or len(tasks) < 2:
            for t in tasks:
                out.append(analyse_cell(**t))
                bar.update(1)
        else:
            from joblib import Parallel, delayed

            gen = Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(analyse_cell)(**t) for t in tasks
            )
            for res in gen:
                out.append(res)
                bar.update(1)
    finally:
        bar.close()
    return out


def family_notes(family: str, results: Sequence[dict]) -> list[str]:
    """One note saying which family ``"auto"`` chose for how many readings, and why."""
    if family != "auto" or not results:
        return []
    chosen = [r["family"] for r in results]
    k = chosen.count("negbin")
    return [
        f"Family chosen per reading (family='auto'): NB2 for {k} of {len(chosen)} readings, "
        f"Poisson for the rest, by the likelihood-ratio test of alpha = 0 at 5% under a "
        f"flexible reference mean model (lifecycle.models.choose_family)."
    ]


def _warning_notes(caught: Sequence[Any]) -> list[str]:
    """The library's warnings, caught while analysing, as notes for the report."""
    return [
        f"{type(w.message).__name__}: {w.message}"
        for w in caught
        if issubclass(w.category, LifecycleWarning)
    ]


def _check_common(seed: Any, n_boot: Any, family: Any, func: str) -> tuple[int, int, str]:
    seed = check_int("seed", seed, func=func, min_value=0)
    n_boot = check_n_draws("n_boot", n_boot, func=func)
    family = check_choice("family", family, ("auto", "poisson", "negbin"), func=func)
    return seed, n_boot, family


def _assemble(
    title: str,
    seed: int,
    n_boot: int,
    family: str,
    indicators: list[dict],
    readings: list[dict],
    series_frames: list[pd.DataFrame],
    results: list[dict[str, Any]],
    definitions: Sequence[Any],
    notes: list[str],
    evidence: Any,
    objects: dict,
) -> Analysis:
    comparison = table_frame(
        [r for x in results for r in x["comparison"]], REPORT_COMPARISON_COLUMNS
    )
    tests = table_frame([r for x in results for r in x["tests"]], TEST_COLUMNS)
    cps = table_frame([r for x in results for r in x["changepoints"]], CHANGEPOINT_COLUMNS)
    pw = table_frame([r for x in results for r in x["power"]], POWER_COLUMNS)
    ind = pd.DataFrame(indicators)
    defs = (
        pd.concat([d.summary() for d in definitions], ignore_index=True)
        if definitions
        else pd.DataFrame()
    )
    if len(defs):
        quotes = {d.name: d.quote for d in definitions}
        defs["quote"] = defs["definition"].map(quotes)
    return Analysis(
        title=title,
        seed=seed,
        n_boot=n_boot,
        family=family,
        indicators=ind,
        readings=pd.DataFrame(readings),
        series=pd.concat(series_frames, ignore_index=True) if series_frames else pd.DataFrame(),
        definitions=defs,
        comparison=comparison,
        tests=tests,
        changepoints=cps,
        power=pw,
        verdicts=verdict_rows(ind, comparison, tests),
        evidence=evidence,
        objects=objects,
        notes=tuple(dict.fromkeys(notes)),
    )


def _evidence_cells(
    questions: Sequence[str], ev: Any
) -> tuple[
    list[tuple[str, str, str, Any, CountSeries]], list[dict], list[dict], list[pd.DataFrame]
]:
    """Every (question, indicator, reading id, reading, series) of the chosen questions.

    Also returns the indicator rows, the reading rows and every reading's series as a
    frame (for the report's tables).
    """
    from lifecycle.evidence.records import records_memo

    with records_memo():  # the tables' typed records built once, not once per reading
        return _evidence_cells_inner(questions, ev)


def _evidence_cells_inner(
    questions: Sequence[str], ev: Any
) -> tuple[
    list[tuple[str, str, str, Any, CountSeries]], list[dict], list[dict], list[pd.DataFrame]
]:
    from lifecycle.evidence.readings import QUESTIONS, build_series, enumerate_readings

    labels = {q: (lab, kind) for q, lab, kind in INDICATORS}
    tasks: list[tuple[str, str, str, Any, CountSeries]] = []
    indicators: list[dict] = []
    readings_rows: list[dict] = []
    series_frames: list[pd.DataFrame] = []
    for q in questions:
        label, kind = labels.get(q, (q, ""))
        rs = enumerate_readings(q, ev)
        indicators.append(
            {
                "indicator": label,
                "question": q,
                "kind": kind,
                "description": QUESTIONS[q].description,
                "n_readings": len(rs),
            }
        )
        width = max(2, len(str(len(rs))))
        for i, r in enumerate(rs, start=1):
            rid = f"{q}#{i:0{width}d}"
            s = build_series(r, ev)
            tasks.append((q, label, rid, r, s))
            readings_rows.append(reading_row(rid, label, r, s))
            series_frames.append(s.to_frame().assign(reading_id=rid, indicator=label))
    return tasks, indicators, readings_rows, series_frames


def _headline_reading(tasks: Sequence[tuple[str, str, str, Any, CountSeries]]) -> Any:
    """The attacks reading the headline figure draws: ``(series, reading name)`` or None.

    The reading that keeps every vague or conflicting number as a range (default policy,
    ``conflict=all_as_intervals``), else the first; chosen here from the readings already
    built, so that the figure does not enumerate them again.
    """
    attacks = [(r, s) for q, _label, _rid, r, s in tasks if q == "attacks"]
    if not attacks:
        return None

    def wide(r: Any) -> bool:
        choices = r.summary().iloc[0]
        return choices.get("conflict") == "all_as_intervals" and choices.get("policy") == "default"

    r, s = next(((r, s) for r, s in attacks if wide(r)), attacks[0])  # the first wide one
    return s, r.name


def analyse_evidence(
    seed: int = 20240601,
    n_boot: int = 999,
    *,
    family: str = "auto",
    evidence: Any = None,
    questions: Sequence[str] | None = None,
    include_estimated: bool = False,
    n_jobs: int = 1,
    progress: bool = False,
) -> Analysis:
    """Every indicator, reading and definition of the embedded evidence.

    For each indicator (a question of :mod:`lifecycle.evidence.readings`) and each of its
    admissible readings, the series is built and analysed with the library's functions:
    :func:`~lifecycle.inference.compare_waves` over the registry's definitions (those
    that divide a lifecycle) with :func:`~lifecycle.inference.directional_tests` on each
    dated fit; and, per measure, :func:`~lifecycle.changepoints.test_change`,
    :func:`~lifecycle.changepoints.detect` (BIC),
    :func:`~lifecycle.changepoints.posterior_changes`,
    :func:`~lifecycle.inference.test_resurgence` and its
    :func:`~lifecycle.inference.power` at the fitted alternative.

    Parameters
    ----------
    seed : int
        Seed of every bootstrap and power study (each cell derives its own).
    n_boot : int
        Bootstrap replicates per test.
    family : {"auto", "poisson", "negbin"}
        ``"auto"`` (default): each reading's series gets Poisson or NB2 by the
        likelihood-ratio test of ``alpha = 0`` (:func:`lifecycle.models.choose_family`);
        the choice and its reason are in the analysis notes.
    evidence : lifecycle.evidence.Evidence, optional
        Default: :func:`lifecycle.evidence.load_evidence`.
    questions : sequence of str, optional
        Indicators to run (questions of :data:`lifecycle.evidence.readings.QUESTIONS`); default
        all of the report's indicators.
    include_estimated : bool
        Also compare, in every reading, the best data-driven segmentation into as many
        phases as each definition (``compare_waves(include_estimated=True)``). Off by
        default: it roughly doubles the run time, and the data-driven breaks are reported
        anyway by the change-point analysis of each measure.
    n_jobs : int
        Processes to spread the readings over (joblib; ``-1``: all cores). The results do
        not depend on it.
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    Analysis

    Raises
    ------
    EvidenceError
        If the evidence tables are malformed.
    ParameterError
        On an unknown question or family, or ``n_boot < 1``.

    Examples
    --------
    >>> a = analyse_evidence(seed=1, n_boot=99, questions=["clashes"])  # doctest: +SKIP
    >>> a.verdicts.loc[0, "verdict"]  # doctest: +SKIP
    'the evidence cannot decide'
    """
    from lifecycle.evidence.readings import QUESTIONS
    from lifecycle.evidence.tables import load_evidence
    from lifecycle.models.waves import registry

    func = "analyse_evidence"
    seed, n_boot, family = _check_common(seed, n_boot, family, func)
    n_jobs = check_int("n_jobs", n_jobs, func=func, min_value=-1)
    if n_jobs == 0:
        raise ParameterError(f"The 'n_jobs' parameter of {func} must be -1 or >= 1. Got 0.")
    ev = load_evidence() if evidence is None else evidence
    chosen = [q for q, _, _ in INDICATORS] if questions is None else list(questions)
    for q in chosen:
        check_choice("questions", q, QUESTIONS, func=func)
    definitions, notes = dated_definitions(registry(ev))
    if not include_estimated:
        notes.append(
            "The comparison holds the documents' definitions, the conventional lifecycle "
            "(break years estimated) and 'no change'; data-driven segmentations are reported "
            "by the change-point analysis of each measure instead."
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LifecycleWarning)
        tasks, indicators, readings_rows, series_frames = _evidence_cells(chosen, ev)
    first_reading: dict[str, str] = {}
    for q, _label, rid, _r, _s in tasks:
        first_reading.setdefault(q, rid)
    results = _run_tasks(
        [
            dict(
                series=s,
                indicator=label,
                reading_id=rid,
                definitions=definitions,
                family=family,
                seed=seed,
                n_boot=n_boot,
                keep_objects=rid == first_reading[q],
                include_estimated=include_estimated,
            )
            for q, label, rid, _r, s in tasks
        ],
        n_jobs=n_jobs,
        progress=progress,
    )
    objects: dict[tuple[str, Any], Any] = {}
    headline = _headline_reading(tasks)
    if headline is not None:
        objects[("headline", "attacks")] = headline
    for (q, label, rid, r, _s), res in zip(tasks, results, strict=True):
        notes.extend(res["warnings"])
        if rid == first_reading[q]:
            objects[("reading", label)] = r
            objects.update({(k, label): v for k, v in res["objects"].items()})
    notes += _warning_notes(caught) + family_notes(family, results)
    return _assemble(
        "ISKP lifecycle from the embedded evidence",
        seed, n_boot, family,
        indicators, readings_rows, series_frames, results, definitions, notes, ev, objects,
    )  # fmt: skip


def analyse_series(
    series: CountSeries,
    seed: int = 20240601,
    n_boot: int = 999,
    *,
    family: str = "auto",
    definitions: Sequence[Any] | None = None,
    title: str | None = None,
    source: str = "",
) -> Analysis:
    """The report's analyses for one series of the user's (a CSV or an event export).

    The series is one "reading" (as given); each measure is analysed. Definitions
    default to the data-driven set (:data:`lifecycle.inference.DATA_DRIVEN`), never the
    documents' dates unless named.

    Parameters
    ----------
    series : CountSeries
    seed, n_boot, family
        As in :func:`analyse_evidence`.
    definitions : sequence of WaveDefinition or str, optional
        Definitions to compare (default: the data-driven set).
    title : str, optional
    source : str
        Where the series came from, as the command line names it (``"mydata.csv"``,
        ``"--gtd export.csv"``): the report's description of the input and its
        "Reproduce with" line name it.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> s = CountSeries.from_counts(range(2010, 2016), [3, 9, 2, 1, 8, 12], name="mine")
    >>> a = analyse_series(s, seed=1, n_boot=99)
    >>> list(a.verdicts["indicator"])
    ['mine']
    """
    from lifecycle.models.waves import get_definition

    func = "analyse_series"
    if not isinstance(series, CountSeries):
        raise TypeError(
            f"The 'series' parameter of {func} must be a CountSeries. Got {type(series).__name__}."
        )
    seed, n_boot, family = _check_common(seed, n_boot, family, func)
    if definitions is None:
        defs, notes = (
            None,
            [
                "Definitions: the data-driven set (no change, best 2/3/4-phase segmentations, the "
                "conventional rise and fall); the documents' dated definitions only when named."
            ],
        )
    else:
        defs = [get_definition(d) if isinstance(d, str) else d for d in definitions]
        notes = []
    label = series.name or "series"
    rid = f"{label}#1"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LifecycleWarning)
        res = analyse_cell(
            series,
            indicator=label,
            reading_id=rid,
            definitions=defs,
            family=family,
            seed=seed,
            n_boot=n_boot,
            keep_objects=True,
        )
    notes += _warning_notes(caught)
    if family == "auto":
        notes.append(f"Family {res['family']} (family='auto'): {res['family_reason']}")
    indicators = [
        {
            "indicator": label,
            "question": "",
            "kind": "user series",
            "description": describe_series(series, source),
            "n_readings": 1,
        }
    ]
    readings = [reading_row(rid, label, None, series)]
    objects = {(k, label): v for k, v in res["objects"].items()}
    frames = [series.to_frame().assign(reading_id=rid, indicator=label)]
    analysis = _assemble(
        title or f"Lifecycle of {label}",
        seed, n_boot, family,
        indicators, readings, frames, [res], defs, notes, None, objects,
    )  # fmt: skip
    return replace(analysis, source=source)


def describe_series(series: CountSeries, source: str = "") -> str:
    """The user's series in words: where it came from, its periods, measures and gaps.

    Examples
    --------
    >>> s = CountSeries.from_counts([2010, 2011, 2013], [3, 4, 5], allow_missing=True)
    >>> describe_series(s, "mine.csv")
    'mine.csv: 3 yearly observations of count, 2010–2013 (1 period without a number).'
    """
    from lifecycle.series.countseries import to_label

    per = "yearly" if series.freq == "year" else "monthly"
    first, last = to_label(series.grid_start, series.freq), to_label(series.grid_end, series.freq)
    covered = set()
    for a, b in zip(series.start, series.end, strict=True):
        covered.update(range(int(a), int(b) + 1))
    gaps = series.n_periods - len(covered)
    text = (
        f"{source + ': ' if source else ''}{series.n_obs} {per} observations of "
        f"{', '.join(series.measures)}, {first}–{last}"
    )
    if gaps:
        text += f" ({gaps} period{'s' if gaps > 1 else ''} without a number)"
    return text + "."


def evidence_rows_used(analysis: Analysis) -> set[str]:
    """The ids of the evidence rows behind the analysed series."""
    ids: set[str] = set()
    if "provenance" in analysis.series.columns:
        for p in analysis.series["provenance"].fillna(""):
            ids.update(x for x in str(p).split(";") if x)
    return ids

"""The report's reuse across readings gives the numbers a fresh computation gives.

For speed (issue 13: the report's CPU time) the report reuses what readings share: fits
by their exact inputs (:mod:`lifecycle.models.fitcore`), a measure's segmentation by its
exact observations (:mod:`lifecycle.report.cells`) and the evidence tables' typed records
while the readings are enumerated (:func:`lifecycle.evidence.records.records_memo`). Each
is checked here against the computation with every cache empty.
"""

from __future__ import annotations

import math
import warnings

import pytest

import lifecycle._core.countfit as countfit
import lifecycle.models.fitcore as fitcore
import lifecycle.report.cells as cells
from lifecycle.evidence.tables import load_evidence
from lifecycle.models.waves import registry
from lifecycle.report import analysis


def _clear() -> None:
    fitcore._FIT_CACHE.clear()
    cells._SEGMENTATION_CACHE.clear()
    countfit._POINTS.clear()


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _rows_equal(x: list[dict], y: list[dict]) -> bool:
    return len(x) == len(y) and all(
        a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
        for a, b in zip(x, y, strict=True)
    )


@pytest.fixture(scope="module")
def attacks():
    ev = load_evidence()
    tasks, *_ = analysis._evidence_cells(["attacks"], ev)
    defs, _ = cells.dated_definitions(registry(ev))
    return tasks, defs


def _cell(task, defs):
    _q, label, rid, _r, s = task
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cells.analyse_cell(
            s,
            indicator=label,
            reading_id=rid,
            definitions=defs,
            family="auto",
            seed=20240601,
            n_boot=99,
            keep_objects=False,
        )


def test_cell_with_warm_caches_equals_a_fresh_one(attacks):
    tasks, defs = attacks
    a, b = tasks[0], tasks[3]  # two readings that share most measures' observations
    _clear()
    fresh = _cell(b, defs)
    _clear()
    _cell(a, defs)
    keys = {cells._measure_key(b[4], m, f) for m in b[4].measures for f in ("poisson", "negbin")}
    assert keys & cells._SEGMENTATION_CACHE.keys()  # reading a's results serve reading b
    warm = _cell(b, defs)
    for k in ("comparison", "tests", "changepoints", "power", "warnings"):
        assert _rows_equal(warm[k], fresh[k]) if k != "warnings" else warm[k] == fresh[k], k
    assert warm["family"] == fresh["family"]
    shared = [r for r in warm["changepoints"] if r.get("status") == "ok"]
    assert shared  # the segmentation rows compared are real results


def test_segmentation_cache_is_keyed_by_the_observations(attacks):
    tasks, _ = attacks
    s = tasks[0][4]
    m = s.measures[0]
    k1 = cells._measure_key(s, m, "poisson")
    assert k1 == cells._measure_key(s, m, "poisson")
    assert k1 != cells._measure_key(s, m, "negbin")
    others = {cells._measure_key(t[4], m, "poisson") for t in tasks if m in t[4].measures}
    assert len(others) > 1  # readings differ in this measure's observations


def test_reading_enumeration_with_the_records_memo_equals_the_plain_one():
    ev = load_evidence()
    memo = analysis._evidence_cells(["attacks", "event_deaths"], ev)
    plain = analysis._evidence_cells_inner(["attacks", "event_deaths"], ev)
    assert [t[2] for t in memo[0]] == [t[2] for t in plain[0]]
    for x, y in zip(memo[0], plain[0], strict=True):
        assert x[3].name == y[3].name
        assert x[4].to_frame().equals(y[4].to_frame())
    assert memo[1] == plain[1]
    assert all(x.equals(y) for x, y in zip(memo[3], plain[3], strict=True))

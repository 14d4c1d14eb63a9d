"""Every number of the evidence tables is quoted verbatim from its source document."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from lifecycle._core.errors import ProvenanceError
from lifecycle.evidence import provenance
from lifecycle.evidence import tables as evidence

TABLES = ("sources", "quantities", "events", "waves", "milestones")


def _seeds_or_skip() -> Path:
    """The seeds folder; fail under CI=true when it is missing, else skip."""
    folder = evidence.seeds_dir()
    if not folder.is_dir():
        message = f"source documents folder {folder} not found (set LIFECYCLE_SEEDS_DIR)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return folder


def _copy_data(tmp_path: Path) -> Path:
    for name in TABLES:
        shutil.copy(evidence.data_dir() / f"{name}.csv", tmp_path / f"{name}.csv")
    return tmp_path


def _edit(path: Path, row_id: str, column: str, value: str) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    hit = [r for r in rows if r["id"] == row_id]
    assert hit, f"{row_id} not in {path}"
    hit[0][column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("table", TABLES)
def test_every_row_passes_provenance(table: str) -> None:
    seeds = _seeds_or_skip()
    problems = evidence.check_provenance(table, seeds=seeds)
    assert problems == [], "\n".join(map(str, problems))


def test_all_tables_strict() -> None:
    seeds = _seeds_or_skip()
    assert evidence.check_provenance(seeds=seeds, strict=True) == []


def test_every_source_document_is_used() -> None:
    ev = evidence.load_evidence()
    used = set(ev.quantities["source_id"]) | set(ev.events["source_id"])
    assert used == set(ev.sources["source_id"])


def test_wrong_quote_in_copy_fails_naming_row(tmp_path: Path) -> None:
    seeds = _seeds_or_skip()
    folder = _copy_data(tmp_path)
    _edit(
        folder / "quantities.csv",
        "Q012",
        "quote",
        "In 2018, 270 clashes were recorded between ISKP and the Afghan Taliban.",
    )
    problems = evidence.check_provenance(folder / "quantities.csv", seeds=seeds)
    assert [p.row_id for p in problems if p.column == "quote"] == ["Q012"]
    with pytest.raises(ProvenanceError, match=r"row Q012 \(line 13\), column 'quote'"):
        evidence.check_provenance(folder / "quantities.csv", seeds=seeds, strict=True)


def test_wrong_value_in_copy_fails_naming_row(tmp_path: Path) -> None:
    seeds = _seeds_or_skip()
    folder = _copy_data(tmp_path)
    _edit(folder / "quantities.csv", "Q012", "value", "208")
    problems = evidence.check_provenance(folder / "quantities.csv", seeds=seeds)
    assert len(problems) == 1
    assert problems[0].row_id == "Q012" and problems[0].column == "value"
    assert "208" in problems[0].message
    with pytest.raises(ProvenanceError, match="Q012"):
        evidence.check_provenance(folder / "quantities.csv", seeds=seeds, strict=True)


def test_wrong_toll_in_events_copy_fails(tmp_path: Path) -> None:
    seeds = _seeds_or_skip()
    folder = _copy_data(tmp_path)
    ids = evidence.load_events()
    kerman = ids.loc[ids["event_key"] == "kerman_2024", "id"].iloc[0]
    _edit(folder / "events.csv", kerman, "killed", "84")
    problems = evidence.check_provenance(folder / "events.csv", seeds=seeds)
    assert [(p.row_id, p.column) for p in problems] == [(kerman, "killed")]


def test_wrong_year_in_copy_fails(tmp_path: Path) -> None:
    seeds = _seeds_or_skip()
    folder = _copy_data(tmp_path)
    _edit(folder / "quantities.csv", "Q012", "period_start", "2017")
    problems = evidence.check_provenance(folder / "quantities.csv", seeds=seeds)
    assert [(p.row_id, p.column) for p in problems] == [("Q012", "period_start")]


def test_wrong_wave_boundary_in_copy_fails(tmp_path: Path) -> None:
    seeds = _seeds_or_skip()
    folder = _copy_data(tmp_path)
    _edit(folder / "waves.csv", "W003", "start_text", "early 2020")
    problems = evidence.check_provenance(folder / "waves.csv", seeds=seeds)
    assert [(p.row_id, p.column) for p in problems] == [("W003", "start_text")]


def test_quote_normalisation() -> None:
    text = "ISIS\u2011K\u2019s  estimated\n4,000 \u2013 6,000<sup>12</sup> troops \\$5 *Voice*"
    assert evidence.normalise_text(text) == "ISIS-K's estimated 4,000 - 6,000 troops $5 Voice"
    assert evidence.normalise_text("soft\u00adhyphen \u201cquoted\u201d") == 'softhyphen "quoted"'


def test_wrong_milestone_date_text_or_year_fails(tmp_path: Path) -> None:
    seeds = _seeds_or_skip()
    folder = _copy_data(tmp_path)
    _edit(folder / "milestones.csv", "M010", "date_text", "In May 2015")
    _edit(folder / "milestones.csv", "M016", "start", "2011")
    _edit(folder / "milestones.csv", "M016", "end", "2011")
    problems = evidence.check_provenance(folder / "milestones.csv", seeds=seeds)
    assert [(p.row_id, p.column) for p in problems] == [
        ("M010", "date_text"),
        ("M016", "start"),
        ("M016", "end"),
    ]


def test_footnote_digit_after_a_year() -> None:
    # csis_2018 writes its footnote markers as bare digits: "since January 2017.2"
    assert provenance._has_number("security forces since January 2017.2 Though", 2017)
    assert provenance._has_number("since January 2017.2", 2017)
    assert not provenance._has_number("a share of 2.5 percent", 2)


def test_number_words_and_separators() -> None:
    assert provenance._has_number("designated thirteen individuals", 13)
    assert provenance._has_number("including 1,600 fighters", 1600)
    assert provenance._has_number("at least half of these fighters", 0.5)
    assert not provenance._has_number("including 1,600 fighters", 160)


def test_missing_seeds_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProvenanceError, match="not found"):
        evidence.check_provenance(seeds=tmp_path / "nowhere")


def test_missing_document_is_an_error(tmp_path: Path) -> None:
    seeds = _seeds_or_skip()
    partial = tmp_path / "seeds"
    partial.mkdir()
    for path in seeds.glob("*.txt"):
        if not path.name.startswith("003_"):
            shutil.copy(path, partial / path.name)
    with pytest.raises(ProvenanceError, match=r"003_d862267be8d4e817\.txt"):
        evidence.check_provenance(seeds=partial)


def test_seeds_dir_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LIFECYCLE_SEEDS_DIR", str(tmp_path))
    assert evidence.seeds_dir() == tmp_path
    monkeypatch.delenv("LIFECYCLE_SEEDS_DIR")
    assert evidence.seeds_dir().parts[-2:] == ("shared", "seeds")

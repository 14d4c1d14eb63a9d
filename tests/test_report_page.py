"""The report as a person sees it: first screen, page structure, figures, safe writing.

Issue 13: a figure before the first table, every image resolves, no Markdown left in the
HTML, tables that fit 1,200 px, no empty columns; every figure's text at least 9 pt with
no overlapping labels; an interrupted report leaves nothing that looks complete; a
non-empty folder is refused without --overwrite; the main command works without the
source documents and says that the provenance re-check was skipped.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest
from figure_check import text_problems

from lifecycle.cli.main import main
from lifecycle.report import analyse_evidence, analyse_series, write_report
from lifecycle.report import figures as report_figures
from lifecycle.series import CountSeries

FAST = ["event_attacks", "clashes", "event_reach", "attacks_pakistan"]
#: Narrowest readable column: a table fits 1,200 px when columns x this <= 1,200.
MIN_COLUMN_PX = 80
PAGE_PX = 1200


@pytest.fixture(scope="module")
def analysis():
    return analyse_evidence(seed=5, n_boot=19, questions=FAST)


@pytest.fixture(scope="module")
def folder(analysis, tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "report"
    write_report(analysis, out)
    return out


class _Page(HTMLParser):
    """Tables (header and cells), images, the order of figures and tables, visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[str] = []
        self.tables: list[dict] = []
        self.images: list[str] = []
        self.text: list[str] = []
        self._skip = 0
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("svg", "style", "script"):
            self._skip += 1
        if self._skip:
            return
        if tag in ("figure", "table"):
            self.order.append(tag)
        if tag == "table":
            self.tables.append({"header": [], "rows": []})
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(a.get("src", ""))

    def handle_endtag(self, tag):
        if tag in ("svg", "style", "script"):
            self._skip -= 1
            return
        if self._skip:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            t = self.tables[-1]
            (t["rows"] if t["header"] else t["header"]).extend([self._row])
            self._row = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


class TestPage:
    def test_structure(self, folder):
        page = (folder / "report.html").read_text(encoding="utf-8")
        p = _parse(page)
        # a figure (the headline) comes before the first table
        assert p.order[0] == "figure", p.order[:3]
        assert "table" in p.order
        # every image resolves (the figures are inline SVG; any <img> must exist)
        for src in p.images:
            assert src.startswith("data:") or (folder / src).is_file(), src
        # no Markdown left in the visible text
        visible = html.unescape(" ".join(p.text))
        assert "**" not in visible
        assert not re.search(r"(?<!\w)\*[^*\s][^*]*\*(?!\w)", visible), "italic asterisks left"
        assert not re.search(r"\|\s*---", visible) and "\\|" not in visible
        # tables fit the page by their column count, and no column is empty
        for t in p.tables:
            cols = len(t["header"][0])
            assert cols * MIN_COLUMN_PX <= PAGE_PX, t["header"][0]
            for j, name in enumerate(t["header"][0]):
                assert any(r[j] for r in t["rows"]), f"empty column {name!r}"

    def test_first_screen_and_contents(self, folder):
        md = (folder / "report.md").read_text(encoding="utf-8")
        lines = md.splitlines()
        assert lines[0].startswith("# Lifecycle report")
        assert lines[2].startswith("**Bottom line.**")
        head = "\n".join(lines[:60])
        assert "figures/headline.png" in head
        assert "| measure |" in head  # the numbers by year, with evidence ids
        assert re.search(r"\(Q0\d\d\)", head)
        assert "**Contents**" in md
        assert md.index("figures/headline.png") < md.index("**Contents**")
        assert len(md.encode("utf-8")) < 40_000
        # the section describing the comparison shows what it names; no 'status' column
        assert "`status`" not in md

    def test_png_beside_svg_at_200_dpi(self, folder):
        from PIL import Image

        for svg in (folder / "figures").glob("*.svg"):
            png = svg.with_suffix(".png")
            assert png.is_file()
            with Image.open(png) as im:
                dpi = im.info.get("dpi", (0, 0))[0]
            assert dpi >= 199, (png.name, dpi)

    def test_every_figure_is_readable(self, analysis):
        """Text >= 9 pt and no overlapping labels, by matplotlib's own bounding boxes."""

        class Keep(report_figures.FigureSet):
            def add(self, stem, fig, caption, group="more"):
                self.items.append((stem, fig, caption))

        keep = Keep(Path("."))
        report_figures.draw_figures(analysis, keep)
        assert next(s for s, _, _ in keep.items) == "headline"
        for stem, fig, _caption in keep.items:
            assert text_problems(fig) == [], stem
            for ax in fig.axes:
                texts = [ax.get_title(), *(t.get_text() for t in ax.texts)]
                legend = ax.get_legend()
                if legend is not None:
                    texts += [t.get_text() for t in legend.get_texts()]
                assert not any("_" in t for t in texts if t), (stem, texts)
        cass = [c for s, _, c in keep.items if s.startswith("cass_figure")]
        assert cass and all("Reconstruction from the text" in c for c in cass)

    def test_units_on_the_y_axis(self):
        assert report_figures.unit_of("event_deaths_per_attack") == "deaths per attack"
        assert report_figures.unit_of("clashes") == "clashes per year"


class TestSafeWriting:
    def test_interrupted_report_leaves_nothing_complete(self, analysis, tmp_path, monkeypatch):
        def boom(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr("lifecycle.report.writer.draw_figures", boom)
        with pytest.raises(KeyboardInterrupt):
            write_report(analysis, tmp_path / "out")
        assert not (tmp_path / "out").exists()
        assert list(tmp_path.iterdir()) == []  # no partial folder left either

    def test_non_empty_folder_refused_then_replaced_whole(self, analysis, tmp_path, capsys):
        from lifecycle._core.errors import InputError

        out = tmp_path / "out"
        out.mkdir()
        (out / "old.txt").write_text("from an earlier run")
        with pytest.raises(InputError, match=r"not empty.*--overwrite"):
            write_report(analysis, out)
        assert (out / "old.txt").exists()
        write_report(analysis, out, overwrite=True)
        assert not (out / "old.txt").exists()
        assert (out / "report.html").is_file()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    def test_cli_refuses_before_the_work(self, tmp_path, capsys, monkeypatch):
        out = tmp_path / "out"
        out.mkdir()
        (out / "x").write_text("x")

        def never(*a, **k):
            raise AssertionError("the analysis must not start")

        monkeypatch.setattr("lifecycle.report.analyse_evidence", never)
        rc = main(["report", "--only", "clashes", "--out", str(out)])
        err = capsys.readouterr().err
        assert rc == 2 and "--overwrite" in err and err.count("\n") == 1

    def test_ctrl_c_is_one_line(self, tmp_path, capsys, monkeypatch):
        def interrupt(*a, **k):
            raise KeyboardInterrupt

        monkeypatch.setattr("lifecycle.report.analyse_evidence", interrupt)
        rc = main(["report", "--only", "clashes", "--out", str(tmp_path / "r")])
        err = capsys.readouterr().err
        assert rc == 130
        assert err == "lifecycle: interrupted; no report folder was written.\n"
        assert not (tmp_path / "r").exists()


def test_user_series_report_names_its_file(tmp_path, capsys):
    csv = tmp_path / "mydata.csv"
    csv.write_text("year,attacks\n" + "".join(f"{2010 + i},{c}\n" for i, c in enumerate(
        [3, 8, 15, 22, 14, 9, 4, 5, 11, 19, 24, 18])))  # fmt: skip
    out = tmp_path / "rep"
    assert main(["report", str(csv), "--bootstrap", "19", "--out", str(out)]) == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"Reproduce with `lifecycle report {csv} --seed 20240601 --bootstrap 19`" in md
    assert f"{csv}: 12 yearly observations of attacks, 2010–2021." in md
    assert "CountSeries(" not in md


def test_main_job_without_the_documents(tmp_path):
    """A copy of the project with no ../shared beside it: a complete report, re-check skipped."""
    root = Path(__file__).resolve().parents[1]
    clone = tmp_path / "clone"
    clone.mkdir()
    for part in ("lifecycle", "data"):
        subprocess.run(["cp", "-r", str(root / part), str(clone / part)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "LIFECYCLE_SEEDS_DIR"}
    env["PYTHONPATH"] = str(clone)
    out = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "lifecycle.cli.main", "report", "--only", "clashes",
         "--bootstrap", "19", "--no-progress", "--out", str(out)],
        cwd=clone, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "shared").exists()
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Provenance re-check not run" in md
    assert "was not found" in md
    assert (out / "report.html").is_file() and (out / "tables" / "verdicts.csv").is_file()
    assert "Provenance re-check not run" in done.stdout


def test_provenance_rechecked_when_documents_are_there(analysis):
    from lifecycle.evidence import seeds_dir
    from lifecycle.report import provenance_status

    if not seeds_dir().is_dir():
        pytest.skip("the source documents are not beside this checkout")
    assert provenance_status(analysis).startswith("Provenance re-check run and passed")


def test_analyse_series_describes_the_file():
    s = CountSeries.from_counts([2010, 2011, 2013], [3, 4, 5], allow_missing=True)
    a = analyse_series(s, seed=1, n_boot=9, source="mine.csv")
    assert a.indicators["description"].iloc[0] == (
        "mine.csv: 3 yearly observations of count, 2010–2013 (1 period without a number)."
    )

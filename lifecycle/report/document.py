"""The report's document: one text built once, written as Markdown and as HTML.

:class:`Document` takes headings, paragraphs, bullets, quotes, tables and figures and
renders them twice: ``report.md`` and a self-contained ``report.html`` (figures inline as
SVG). Every value has one fixed text form (:func:`fmt_value`), so the files are
byte-stable; tables go to CSV with fixed float formats (:func:`write_csv`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["TABLE_FILES", "Document", "csv_frame", "fmt_value", "md_escape", "slug", "write_csv"]


def fmt_value(x: Any) -> str:
    """One fixed text form per value, so that tables are byte-stable."""
    if x is None or x is pd.NA or x is pd.NaT:
        return ""
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if np.isnan(x):
            return ""
        if np.isinf(x):
            return "inf" if x > 0 else "-inf"
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return f"{x:.4g}"
    if isinstance(x, (list, tuple)):
        return "; ".join(fmt_value(v) for v in x)
    return str(x)


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text with fixed float formatting (``.6g``)."""

    def cell(x: Any) -> str:
        if isinstance(x, (float, np.floating)) and np.isfinite(x) and not float(x).is_integer():
            return f"{float(x):.6g}"
        return fmt_value(x)

    if not len(frame):
        return frame.astype(str)
    # column by column over Python values: DataFrame.map paid its overhead per cell
    return pd.DataFrame(
        {j: [cell(x) for x in frame.iloc[:, j].tolist()] for j in range(frame.shape[1])},
        index=frame.index,
    ).set_axis(frame.columns, axis=1)


def md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class Document:
    """A report built once and rendered twice: Markdown and self-contained HTML.

    Tables drop the columns that are empty in every row they show (a column with no
    value says nothing). A *long* table appears in the Markdown only as a link to its CSV
    file and in the HTML inside a collapsed ``<details>`` block. :meth:`contents` marks
    where the table of contents goes; it lists the level-2 headings that follow it.
    """

    def __init__(self, title: str) -> None:
        self.title = title
        self._md: list[str | None] = [f"# {title}", ""]
        self._html: list[str | None] = [f"<h1>{html.escape(title)}</h1>"]
        self._toc_at: tuple[int, int] | None = None
        self._headings: list[tuple[str, str]] = []

    def heading(self, text: str, level: int = 2) -> None:
        anchor = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
        self._md += ["#" * level + " " + text, ""]
        self._html.append(f'<h{level} id="{anchor}">{html.escape(text)}</h{level}>')
        if level == 2 and self._toc_at is not None:
            self._headings.append((text, anchor))

    def contents(self) -> None:
        """Put the table of contents here (the level-2 headings that follow)."""
        self._md.append(None)
        self._html.append(None)
        self._toc_at = (len(self._md) - 1, len(self._html) - 1)

    def paragraph(self, text: str) -> None:
        self._md += [text, ""]
        self._html.append(f"<p>{_inline_html(text)}</p>")

    def bullets(self, items: Iterable[str]) -> None:
        items = list(items)
        if not items:
            return
        self._md += [f"- {t}" for t in items] + [""]
        self._html.append("<ul>" + "".join(f"<li>{_inline_html(t)}</li>" for t in items) + "</ul>")

    def quote(self, text: str, cite: str) -> None:
        self._md += [f"> {md_escape(text)}", f"> — {cite}", ""]
        self._html.append(_quote_html(text, cite))

    def quotes(
        self, summary: str, items: Sequence[tuple[str, str]], *, csv_name: str | None = None
    ) -> None:
        """Many quotes: in the HTML collapsed under ``summary``.

        The Markdown gives them in full, or, with ``csv_name``, only a link to the CSV
        file that holds them.
        """
        if not items:
            return
        if csv_name:
            self._md += [f"{summary}: [`tables/{csv_name}`](tables/{csv_name}).", ""]
        else:
            for text, cite in items:
                self._md += [f"> {md_escape(text)}", f"> — {cite}", ""]
        body = "".join(_quote_html(t, c) for t, c in items)
        self._html.append(f"<details><summary>{_inline_html(summary)}</summary>{body}</details>")

    def table(
        self,
        frame: pd.DataFrame,
        *,
        csv_name: str | None = None,
        max_rows: int = 25,
        collapsed: str | None = None,
    ) -> None:
        """A table; longer than ``max_rows`` or with ``collapsed`` set, it is folded away.

        Parameters
        ----------
        frame : DataFrame
        csv_name : str, optional
            The CSV file (under ``tables/``) that holds the full table.
        max_rows : int
            Tables with more rows are shown only in a collapsed block (HTML) and as a
            link to the CSV (Markdown).
        collapsed : str, optional
            Fold the table away under this summary line even when it is short.
        """
        cols, rows = _cells(frame)
        link = f"[`tables/{csv_name}`](tables/{csv_name})" if csv_name else ""
        long = len(rows) > max_rows or collapsed is not None
        if long:
            summary = collapsed or f"The table ({len(rows)} rows)"
            self._md += [summary + (f": {link}." if link else "."), ""]
            self._html.append(
                f"<details><summary>{_inline_html(summary)}</summary>"
                + _table_html(cols, rows)
                + (f"<p>{_inline_html('Also as CSV: ' + link)}</p>" if link else "")
                + "</details>"
            )
            return
        self._md.append("| " + " | ".join(md_escape(c) for c in cols) + " |")
        self._md.append("|" + "|".join(" --- " for _ in cols) + "|")
        self._md += ["| " + " | ".join(md_escape(v) for v in r) + " |" for r in rows]
        self._md.append("")
        self._html.append(_table_html(cols, rows))
        if link:
            self._md += [f"As CSV: {link}.", ""]
            self._html.append(f'<p class="csv">{_inline_html("As CSV: " + link)}.</p>')

    def figure(
        self,
        stem: str,
        caption: str,
        svg_text: str,
        *,
        listed: bool = False,
        alt: str | None = None,
        svg_link: bool = True,
    ) -> None:
        """A figure: inline SVG with its caption in the HTML; in the Markdown the PNG.

        With ``listed``, the Markdown gives one line (the caption's first sentence, linked
        to the PNG) instead of the image and the full caption; the HTML is the same.
        ``alt`` is the Markdown image's alternative text (default: the caption's first
        sentence, which the caption repeats below the image). ``svg_link`` adds a link to
        the SVG file in the Markdown (the HTML holds the SVG itself).
        """
        first = md_escape(caption.split(". ")[0])
        svg = f" ([SVG](figures/{stem}.svg))" if svg_link else ""
        if listed:
            self._md += [f"- [{first}](figures/{stem}.png){svg}", ""]
        else:
            self._md += [
                f"![{md_escape(alt) if alt else first}](figures/{stem}.png)",
                "",
                f"{md_escape(caption)}{svg}",
                "",
            ]
        # Strip the XML prolog so the SVG can sit inline in the HTML page.
        body = svg_text[svg_text.find("<svg") :]
        self._html.append(
            f'<figure id="fig-{stem}">{body}<figcaption>{html.escape(caption)}</figcaption>'
            "</figure>"
        )

    def _toc(self) -> tuple[list[str], str]:
        md = ["**Contents**", ""]
        md += [f"{i}. [{t}](#{a})" for i, (t, a) in enumerate(self._headings, start=1)]
        items = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for t, a in self._headings)
        return [*md, ""], f"<nav><p><strong>Contents</strong></p><ol>{items}</ol></nav>"

    def markdown(self) -> str:
        toc_md, _ = self._toc()
        out: list[str] = []
        for line in self._md:
            out.extend(toc_md if line is None else [line])
        return "\n".join(out).rstrip() + "\n"

    def html(self) -> str:
        _, toc_html = self._toc()
        body = "\n".join(toc_html if x is None else x for x in self._html)
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(self.title)}</title>\n<style>{_CSS}</style>\n</head>\n"
            "<body>\n" + body + "\n</body>\n</html>\n"
        )


def _cells(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Header and text cells of a table, without the columns that are empty in every row."""
    cols = [str(c) for c in frame.columns]
    rows = [[fmt_value(v) for v in r] for r in frame.itertuples(index=False, name=None)]
    keep = [j for j in range(len(cols)) if any(r[j] != "" for r in rows)] if rows else []
    if not rows:
        keep = list(range(len(cols)))
    return [cols[j] for j in keep], [[r[j] for j in keep] for r in rows]


def _table_html(cols: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _quote_html(text: str, cite: str) -> str:
    return (
        f"<blockquote><p>{html.escape(text)}</p><footer>— {html.escape(cite)}</footer></blockquote>"
    )


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#222}"
    "table{border-collapse:collapse;font-size:.85rem;margin:1rem 0;max-width:100%;"
    "display:block;overflow-x:auto}"
    "th,td{border:1px solid #ccc;padding:.2rem .45rem;text-align:left;vertical-align:top;"
    "overflow-wrap:break-word}"
    "th{background:#f3f3f3}blockquote{border-left:3px solid #999;margin:.6rem 0;"
    "padding:.1rem .8rem;color:#444}figure{margin:1.2rem 0}figure svg{max-width:100%;"
    "height:auto}figcaption{font-size:.9rem;color:#333}code{background:#f3f3f3;padding:0 .2rem}"
    "details{margin:.6rem 0}summary{cursor:pointer;color:#1a4f8b}p.csv{font-size:.85rem}"
    "nav ol{columns:2}"
)

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*([^*\s][^*]*)\*(?![*\w])")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _inline_html(text: str) -> str:
    """The small Markdown subset the report uses (code, bold, italic, links) as HTML."""
    out = html.escape(text, quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(r"<em>\1</em>", out)
    return _LINK.sub(r'<a href="\2">\1</a>', out)


TABLE_FILES = (
    ("verdicts", "verdicts.csv"),
    ("indicators", "indicators.csv"),
    ("readings", "readings.csv"),
    ("series", "series.csv"),
    ("definitions", "definitions.csv"),
    ("comparison", "comparison.csv"),
    ("tests", "tests.csv"),
    ("changepoints", "changepoints.csv"),
    ("power", "power.csv"),
)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "x"


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    text = csv_frame(frame).to_csv(index=False, lineterminator="\n")
    path.write_text(text, encoding="utf-8", newline="")

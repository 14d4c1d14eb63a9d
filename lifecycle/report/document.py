"""The report's document: one text built once, written as Markdown and as HTML.

:class:`Document` takes headings, paragraphs, bullets, quotes, tables and figures and
renders them twice: ``report.md`` and a self-contained ``report.html`` (figures inline as
SVG). Every value has one fixed text form (:func:`fmt_value`), so the files are
byte-stable; tables go to CSV with fixed float formats (:func:`write_csv`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
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

    return frame.map(cell) if len(frame) else frame.astype(str)


def md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class Document:
    """A report built once and rendered twice: Markdown and self-contained HTML."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._md: list[str] = [f"# {title}", ""]
        self._html: list[str] = [f"<h1>{html.escape(title)}</h1>"]

    def heading(self, text: str, level: int = 2) -> None:
        self._md += ["#" * level + " " + text, ""]
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
        self._html.append(f'<h{level} id="{slug}">{html.escape(text)}</h{level}>')

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
        self._html.append(
            f"<blockquote><p>{html.escape(text)}</p><footer>— {html.escape(cite)}</footer>"
            "</blockquote>"
        )

    def table(
        self, frame: pd.DataFrame, *, csv_name: str | None = None, max_rows: int = 60
    ) -> None:
        shown = frame.head(max_rows)
        cols = [str(c) for c in shown.columns]
        rows = [[fmt_value(v) for v in r] for r in shown.itertuples(index=False, name=None)]
        self._md.append("| " + " | ".join(md_escape(c) for c in cols) + " |")
        self._md.append("|" + "|".join(" --- " for _ in cols) + "|")
        self._md += ["| " + " | ".join(md_escape(v) for v in r) + " |" for r in rows]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows
        )
        self._html.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        note = []
        if len(frame) > max_rows:
            note.append(f"First {max_rows} of {len(frame)} rows.")
        if csv_name:
            note.append(f"Full table: [`tables/{csv_name}`](tables/{csv_name}).")
        self._md.append("")
        if note:
            self.paragraph(" ".join(note))

    def figure(self, stem: str, caption: str, svg_text: str) -> None:
        self._md += [
            f"![{md_escape(caption)}](figures/{stem}.png)",
            "",
            f"*{caption}* ([SVG](figures/{stem}.svg))",
            "",
        ]
        # Strip the XML prolog so the SVG can sit inline in the HTML page.
        body = svg_text[svg_text.find("<svg") :]
        self._html.append(
            f'<figure id="fig-{stem}">{body}<figcaption>{html.escape(caption)}</figcaption>'
            "</figure>"
        )

    def markdown(self) -> str:
        return "\n".join(self._md).rstrip() + "\n"

    def html(self) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(self.title)}</title>\n<style>{_CSS}</style>\n</head>\n"
            "<body>\n" + "\n".join(self._html) + "\n</body>\n</html>\n"
        )


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.45;color:#222}table{border-collapse:collapse;font-size:.85rem;margin:1rem 0}"
    "th,td{border:1px solid #ccc;padding:.2rem .45rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}blockquote{border-left:3px solid #999;margin:.6rem 0;"
    "padding:.1rem .8rem;color:#444}figure{margin:1.2rem 0}figure svg{max-width:100%;"
    "height:auto}figcaption{font-size:.9rem;color:#333}code{background:#f3f3f3;padding:0 .2rem}"
)

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _inline_html(text: str) -> str:
    """The small Markdown subset the report uses (code, bold, links) as HTML."""
    out = html.escape(text, quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
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

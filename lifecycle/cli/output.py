"""What the ``lifecycle`` command prints: tables, JSON, one-line errors and warnings."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EXIT_CHECK_FAILED",
    "EXIT_OK",
    "EXIT_USER_ERROR",
    "PROG",
    "cli_terms",
    "compact_comparison",
    "jsonable",
    "one_line",
    "print_error_json",
    "print_json",
    "print_table",
    "records",
    "short",
    "show_warning",
]

PROG = "lifecycle"
EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_CHECK_FAILED = 1


def jsonable(x: Any) -> Any:
    """``x`` with numpy and pandas scalars as plain Python values (for ``json.dumps``)."""
    import numpy as np
    import pandas as pd

    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        return x if np.isfinite(x) else (None if np.isnan(x) else ("inf" if x > 0 else "-inf"))
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.ndarray):
        return [jsonable(v) for v in x.tolist()]
    if x is pd.NA or x is pd.NaT:
        return None
    return x


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [jsonable(r) for r in frame.to_dict("records")]


def print_json(payload: Any) -> None:
    print(json.dumps(jsonable(payload), indent=2, sort_keys=True, ensure_ascii=False))


def print_table(frame: pd.DataFrame, title: str | None = None) -> None:
    if title:
        print(title)
    if len(frame) == 0:
        print("(none)")
        return
    import pandas as pd

    with pd.option_context(
        "display.max_rows",
        500,
        "display.max_columns",
        50,
        "display.width",
        120,
        "display.max_colwidth",
        60,
    ):
        print(frame.to_string(index=False))


def short(frame: pd.DataFrame, width: int = 70) -> pd.DataFrame:
    """Text cells cut to ``width`` characters (with an ellipsis), missing cells blank."""
    import pandas as pd

    out = frame.astype(object).where(frame.notna(), "")
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith(("string", "category")):
            out[col] = [
                ""
                if pd.isna(v)
                else (str(v) if len(str(v)) <= width else str(v)[: width - 1] + "…")
                for v in out[col]
            ]
    return out


#: The compact comparison: (column shown, column of ``Comparison.summary()``, format).
_COMPACT = (
    ("definition", "definition", "{}"),
    ("k", "k_aic", "{:.0f}"),
    ("log-lik", "loglik", "{:.2f}"),
    ("AICc", "AICc", "{:.1f}"),
    ("weight", "akaike_weight", "{:.2f}"),
    ("posterior", "posterior_prob", "{:.3f}"),
    ("note", "note", "{}"),
)


def compact_comparison(table: pd.DataFrame, width: int = 100) -> str:
    """The comparison as a text table at most ``width`` characters wide.

    Columns: definition, ``k`` (parameters counted by AICc, an estimated break as 3),
    log-likelihood, AICc, Akaike weight, posterior probability and the row's note;
    names and notes are cut (with an ellipsis) so that every line fits. The full table
    is ``Comparison.summary()`` (``--wide``, ``--json``, ``--out``).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"definition": ["no change"], "k_aic": [2], "loglik": [-10.0],
    ...     "AICc": [24.4], "akaike_weight": [1.0], "posterior_prob": [1.0], "note": [""]})
    >>> print(compact_comparison(t))
    definition  k  log-lik  AICc  weight  posterior  note
    no change   2   -10.00  24.4    1.00      1.000
    """
    import pandas as pd

    cells: dict[str, list[str]] = {}
    for shown, col, fmt in _COMPACT:
        values = table[col] if col in table.columns else pd.Series([None] * len(table))
        cells[shown] = [
            "" if v is None or (isinstance(v, float) and v != v) else fmt.format(v) for v in values
        ]
    cells["definition"] = _cut(cells["definition"], 40)
    widths = {k: max(len(k), *(len(v) for v in col)) for k, col in cells.items()}
    fixed = sum(w + 2 for k, w in widths.items() if k != "note")
    cells["note"] = _cut(cells["note"], max(width - fixed, 4))
    widths["note"] = max(len("note"), *(len(v) for v in cells["note"]))
    left = {"definition", "note"}

    def line(row: list[str]) -> str:
        parts = [
            v.ljust(widths[k]) if k in left else v.rjust(widths[k])
            for k, v in zip(cells, row, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rows = [line(list(cells))]
    rows += [line([cells[k][i] for k in cells]) for i in range(len(table))]
    return "\n".join(rows)


def _cut(values: list[str], width: int) -> list[str]:
    return [v if len(v) <= width else v[: width - 1] + "…" for v in values]


def show_warning(
    message: Any, category: type, filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    """Library warnings as one line on stderr in the command's terms (no source line)."""
    print(f"{PROG}: warning: {cli_terms(one_line(message))}", file=sys.stderr)


def one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def print_error_json(kind: str, message: str) -> None:
    """An error as JSON on stdout: ``{"error": {"type": ..., "message": ...}}``."""
    print(json.dumps({"error": {"type": kind, "message": message}}, indent=2, sort_keys=True))


def cli_terms(message: str) -> str:
    """A library message in the command's terms (options, not keyword arguments).

    Examples
    --------
    >>> cli_terms("Pass allow_missing=True to treat them as unobserved.")
    'Pass --allow-missing to treat them as unobserved.'
    """
    for word, option in (
        ("allow_missing=True", "--allow-missing"),
        ("n_boot", "--bootstrap"),
        ("max_changes", "--max-changes"),
        ("min_decline", "--min-decline"),
        ("min_rebound", "--min-rebound"),
        ("serial='ar1'", "--serial ar1"),
    ):
        message = message.replace(word, option)
    return message

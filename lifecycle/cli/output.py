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

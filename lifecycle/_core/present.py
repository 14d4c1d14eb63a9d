"""Results that present themselves: a short ``repr``, a text summary, a plot on demand.

As statsmodels' and lifelines' results do: :func:`short_repr` names a result's scalar
facts in one line (never its arrays, tables or bootstrap replicates);
:func:`print_summary` prints a title line and the ``summary()`` table as text (the
DataFrame itself stays ``summary()``'s); the ``plot(ax=None)`` methods of the results
import :mod:`lifecycle.plotting` only when called, so importing a result type never
loads matplotlib.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

__all__ = ["print_summary", "repr_with", "short_repr"]

_MAX_TEXT = 60
_MAX_ITEMS = 6


def _short(value: Any) -> str | None:
    """A short text form of a scalar-like value, or None when it is not short."""
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if type(value).__module__ == "numpy" and getattr(value, "ndim", 1) == 0:
        return _short(value.item())
    if isinstance(value, str):
        return repr(value) if len(value) <= _MAX_TEXT else None
    if isinstance(value, tuple) and len(value) <= _MAX_ITEMS:
        parts = [_short(v) for v in value]
        if all(p is not None and len(p) <= 20 for p in parts):
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    return None


def short_repr(obj: Any, extra: tuple[str, ...] = ()) -> str:
    """``ClassName(field=value, …)`` with only the short fields (and ``extra`` properties).

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class R:
    ...     name: str
    ...     values: list
    ...     p_value: float
    >>> short_repr(R("test", list(range(999)), 0.0421))
    "R(name='test', p_value=0.0421)"
    """
    parts = []
    names = (
        [f.name for f in dataclasses.fields(obj) if f.repr] if dataclasses.is_dataclass(obj) else []
    )
    for name in [*names, *extra]:
        text = _short(getattr(obj, name, None))
        if text is not None:
            parts.append(f"{name}={text}")
    return f"{type(obj).__name__}({', '.join(parts)})"


def repr_with(*extra: str) -> Callable[[Any], str]:
    """A ``__repr__`` for a result class: :func:`short_repr` with ``extra`` properties."""

    def __repr__(self: Any) -> str:
        return short_repr(self, extra)

    return __repr__


def print_summary(self: Any, *, width: int = 100) -> None:
    """Print the result as text: its one-line repr, then its ``summary()`` table.

    Parameters
    ----------
    width : int
        Characters per line of the table (long cells are cut).
    """
    import pandas as pd

    table = self.summary()
    with pd.option_context(
        "display.width", width, "display.max_colwidth", 40, "display.max_columns", 30
    ):
        text = table.to_string(index=False)
    print(f"{short_repr(self, getattr(self, '_repr_extra', ()))}\n{text}")

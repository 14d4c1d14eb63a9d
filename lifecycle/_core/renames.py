"""One name per idea across the public API, and the old names kept for one release.

The names: ``level`` is a *significance* level (a test rejects when ``p <= level``;
default 0.05), ``confidence`` a *confidence* level (the coverage of an interval; default
0.95), ``dispersion`` the NB2 dispersion ``alpha`` (``Var = mu + alpha mu^2``). Before
release 0.3 some functions called the confidence level ``level`` or ``conf_level`` and
the dispersion ``alpha``. :func:`renamed_parameters` keeps those keywords working for one
release with a :class:`DeprecationWarning` that names the new keyword;
:func:`renamed_attribute` does the same for an attribute of a result.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from lifecycle._core.errors import ParameterError

__all__ = ["old_keywords", "renamed_attribute", "renamed_parameters", "take_renamed"]

F = TypeVar("F", bound=Callable[..., Any])

#: Release in which the old names stop working.
REMOVED_IN = "0.4"


def renamed_parameters(**old_to_new: str) -> Callable[[F], F]:
    """Accept old keyword names of a function for one release, with a warning.

    Parameters
    ----------
    **old_to_new : str
        ``old="new"`` for each renamed keyword.

    Returns
    -------
    callable
        A decorator. The decorated function keeps its signature (new names only;
        ``inspect.signature`` follows ``__wrapped__``); its ``__renamed__`` maps old
        names to new ones.

    Raises
    ------
    ParameterError
        (From the decorated function) when a keyword is given under both names.

    Examples
    --------
    >>> @renamed_parameters(alpha="dispersion")
    ... def f(*, dispersion=None):
    ...     return dispersion
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     f(alpha=0.5), str(w[0].message).split(";")[0]
    (0.5, "The 'alpha' parameter of f is deprecated")
    """

    def decorate(func: F) -> F:
        name = func.__qualname__.replace(".__init__", "")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise ParameterError(
                        f"{name} got both '{old}' (the old name) and '{new}'. Give '{new}' only."
                    )
                warnings.warn(
                    f"The '{old}' parameter of {name} is deprecated; use '{new}' (the old "
                    f"name stops working in release {REMOVED_IN}).",
                    DeprecationWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.__renamed__ = dict(old_to_new)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def old_keywords(**old_to_new: str) -> Callable[[F], F]:
    """Mark a function that takes its old keywords in ``**deprecated`` (no wrapper).

    For functions that warn: a wrapper (:func:`renamed_parameters`) would add a frame
    and move every ``stacklevel`` of their warnings off the user's line. The function
    instead ends its signature with ``**deprecated`` and calls :func:`take_renamed`
    first; this decorator records ``__renamed__`` and hides ``**deprecated`` from
    ``inspect.signature`` (the documented signature has the new names only).
    """

    def decorate(func: F) -> F:
        sig = inspect.signature(func)
        params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
        func.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
        func.__renamed__ = dict(old_to_new)  # type: ignore[attr-defined]
        return func

    return decorate


def take_renamed(
    func: str, deprecated: dict[str, Any], **old: tuple[str, Any, Any]
) -> tuple[Any, ...]:
    """The values of renamed keywords, from their new or (with a warning) old name.

    Parameters
    ----------
    func : str
        The public function, for messages.
    deprecated : dict
        The function's ``**deprecated`` keywords.
    **old : (new name, value given under it, its default)
        One entry per renamed keyword, in the order the values are returned.

    Raises
    ------
    TypeError
        For a keyword that is neither a parameter nor an old name (as Python would).
    ParameterError
        When a value is given under both names.
    """
    unknown = sorted(set(deprecated) - set(old))
    if unknown:
        raise TypeError(f"{func}() got an unexpected keyword argument {unknown[0]!r}")
    out = []
    for name, (new, value, default) in old.items():
        if name not in deprecated:
            out.append(value)
            continue
        if value is not default and value != default:
            raise ParameterError(
                f"{func} got both '{name}' (the old name) and '{new}'. Give '{new}' only."
            )
        warnings.warn(
            f"The '{name}' parameter of {func} is deprecated; use '{new}' (the old name "
            f"stops working in release {REMOVED_IN}).",
            DeprecationWarning,
            stacklevel=3,
        )
        out.append(deprecated[name])
    return tuple(out)


def renamed_attribute(old: str, new: str) -> property:
    """A read-only property ``old`` that warns and returns attribute ``new``.

    Examples
    --------
    >>> class R:
    ...     dispersion = 0.3
    ...     alpha = renamed_attribute("alpha", "dispersion")
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     R().alpha
    0.3
    """

    def get(self: Any) -> Any:
        warnings.warn(
            f"{type(self).__name__}.{old} is deprecated; use .{new} (the old name stops "
            f"working in release {REMOVED_IN}).",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(self, new)

    return property(get, doc=f"Deprecated name of ``{new}``.")

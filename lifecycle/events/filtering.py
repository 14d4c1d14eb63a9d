"""Keeping the events of one actor, country or event type; the rest go to ``excluded``."""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from lifecycle._core.errors import LifecycleWarning, ParameterError
from lifecycle._core.validation import check_choice
from lifecycle.events.files import _LABELS
from lifecycle.events.table import EventTable

__all__ = ["ACTOR_FIELDS", "filter_events"]

#: Which actor columns :func:`filter_events` matches.
ACTOR_FIELDS = ("primary", "all", "any_side")

Matcher = str | re.Pattern[str] | Iterable[str]


def _matcher(name: str, value: Any) -> tuple[Callable[[str], bool], str]:
    if isinstance(value, re.Pattern):
        return (lambda s: bool(value.search(s))), f"{name} matching /{value.pattern}/"
    if isinstance(value, str):
        target = value.strip()
        if not target:
            raise ParameterError(f"The '{name}' parameter of filter_events must not be blank.")
        return (lambda s: s == target), f"{name}={target!r}"
    if isinstance(value, Iterable):
        items = list(value)
        if not items or not all(isinstance(v, str) for v in items):
            raise TypeError(
                f"The '{name}' parameter of filter_events must be a str (exact match), a "
                f"compiled regular expression (re.compile(...), searched) or a non-empty list "
                f"of str. Got {value!r}."
            )
        targets = {v.strip() for v in items}
        return (lambda s: s in targets), f"{name} in {sorted(targets)!r}"
    raise TypeError(
        f"The '{name}' parameter of filter_events must be a str (exact match), a compiled "
        f"regular expression (re.compile(...), searched) or a list of str. Got {value!r}."
    )


def _no_match_note(name: str, value: Any, names: Iterable[str]) -> str:
    close: list[str] = []
    if isinstance(value, str):
        close = difflib.get_close_matches(value, sorted(set(names)), n=3, cutoff=0.6)
    hint = f" Closest names: {close}." if close else ""
    return f"The filter {name} matched no event.{hint}"


def filter_events(
    table: EventTable,
    *,
    actor: Matcher | None = None,
    actor_fields: str = "primary",
    country: Matcher | None = None,
    event_type: Matcher | None = None,
    exclude_doubtful: bool = False,
) -> EventTable:
    """Keep the events of an actor, country or event type; count the rest as excluded.

    Parameters
    ----------
    table : EventTable
    actor, country, event_type : str, compiled regex or list of str, optional
        A ``str`` matches exactly (surrounding spaces ignored, case kept), a list matches
        any of its names, a compiled pattern (``re.compile("Khorasan", re.I)``) matches
        where ``pattern.search`` finds it. ``event_type`` is GTD ``attacktype1_txt``,
        ACLED ``event_type`` or UCDP's ``"state-based"``/``"non-state"``/``"one-sided"``.
    actor_fields : {"primary", "all", "any_side"}
        Where ``actor`` is looked for: ``"primary"`` — GTD ``gname``, ACLED ``actor1``,
        UCDP ``side_a``; ``"all"`` — also GTD ``gname2``/``gname3`` and ACLED
        ``assoc_actor_1``; ``"any_side"`` — also ACLED ``actor2``/``assoc_actor_2`` and
        UCDP ``side_b`` (events *against* the actor too).
    exclude_doubtful : bool
        Leave out GTD events coded ``doubtterr = 1`` (doubt that the event is terrorism).
        Events with ``doubtterr`` unknown (-9) are kept.

    Returns
    -------
    EventTable
        The matching events; the others are appended to ``excluded`` with the first
        criterion they failed as ``reason``.

    Warns
    -----
    LifecycleWarning
        When a criterion matches no event at all (often a misspelt name); the message
        lists the closest names.

    Raises
    ------
    ParameterError
        If ``exclude_doubtful`` is asked of a source without a doubt flag.
    """
    if not isinstance(table, EventTable):
        raise TypeError(f"Expected an EventTable. Got {type(table).__name__}.")
    check_choice("actor_fields", actor_fields, ACTOR_FIELDS, func="filter_events")
    if not isinstance(exclude_doubtful, (bool, np.bool_)):
        raise TypeError(
            f"The 'exclude_doubtful' parameter of filter_events must be a bool. "
            f"Got {exclude_doubtful!r}."
        )
    if exclude_doubtful and "doubtful" not in table.fields:
        raise ParameterError(
            f"The 'exclude_doubtful' parameter of filter_events needs a doubt flag, which "
            f"this {_LABELS[table.source]} table does not have (GTD's doubtterr column)."
        )
    ev = table.events
    n = len(ev)
    reason = np.full(n, "", dtype=object)
    described: list[str] = []
    notes = list(table.notes)

    def apply(name: str, value: Any, cells: Iterable[Any], field_text: str) -> None:
        match, desc = _matcher(name, value)
        cells = list(cells)
        ok = np.array(
            [any(match(x) for x in c) if isinstance(c, tuple) else match(c) for c in cells],
            dtype=bool,
        )
        described.append(desc + field_text)
        if n and not ok.any():
            names = [x for c in cells for x in (c if isinstance(c, tuple) else (c,))]
            note = _no_match_note(desc, value, names)
            notes.append(note)
            warnings.warn(note, LifecycleWarning, stacklevel=3)
        reason[(reason == "") & ~ok] = f"not matched: {desc}{field_text}"

    if actor is not None:
        where = _actor_columns(table.source, actor_fields)
        if actor_fields == "primary":
            cells: Iterable[Any] = ev["actor"]
        elif actor_fields == "all":
            cells = ev["actors"]
        else:
            cells = (a + c for a, c in zip(ev["actors"], ev["counterparts"], strict=True))
        apply("actor", actor, cells, f" (in {where})")
    if country is not None:
        apply("country", country, ev["country"], "")
    if event_type is not None:
        apply("event_type", event_type, ev["event_type"], "")
    if exclude_doubtful:
        doubtful = ev["doubtful"].fillna(False).to_numpy(dtype=bool)
        reason[(reason == "") & doubtful] = "doubtful: doubtterr=1"
        described.append("doubtful events excluded")
    out = reason != ""
    kept = ev[~out].reset_index(drop=True)
    dropped = ev[out].assign(reason=reason[out]).reset_index(drop=True)
    if not out.any():
        excluded = table.excluded
    elif len(table.excluded) == 0:
        excluded = dropped
    else:
        excluded = pd.concat([table.excluded, dropped], ignore_index=True)
    notes.append(f"Filter ({'; '.join(described) or 'none'}): kept {len(kept)} of {n} events.")
    return replace(
        table,
        events=kept,
        excluded=excluded,
        filters=table.filters + tuple(described),
        notes=tuple(notes),
    )


def _actor_columns(source: str, actor_fields: str) -> str:
    columns = {
        "gtd": ("gname", "gname/gname2/gname3", "gname/gname2/gname3"),
        "acled": ("actor1", "actor1/assoc_actor_1", "actor1/assoc_actor_1/actor2/assoc_actor_2"),
        "ucdp_ged": ("side_a", "side_a", "side_a/side_b"),
    }[source]
    return columns[ACTOR_FIELDS.index(actor_fields)]

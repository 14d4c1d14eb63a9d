"""Wave definitions: named, cited phases of a group's lifecycle, and their registry.

A :class:`WaveDefinition` divides calendar time into contiguous, non-overlapping
:class:`Phase` s (``emergence 2015–2018``, ``decline 2019–2020``, …). It records where the
division comes from (citation, verbatim quote, evidence source id) and, for definitions
read from documents, the boundaries *as written* (``"early 2020"``, ``"late 2020"``,
``"present"``). The same fitting code (:func:`lifecycle.models.regression.fit_waves`) handles a
definition read in a paper, one typed by a user, or one found by a search.

Boundary rule
-------------
Documents date phases in words; a yearly series needs every year in exactly one phase.
Each textual boundary admits a small set of calendar years, and a break year ``b`` (the
first year of the new phase) is *admissible* when the old phase's end text allows
``b - 1`` as its last year and the new phase's start text allows ``b`` as its first:

* a plain year ``"Y"`` ending one phase and starting the next (``"2015 to 2019"`` then
  ``"2019 to early 2020"``) is shared: ``Y`` may go to either phase;
* ``"early Y"`` as an end: the last year is ``Y - 1`` or ``Y``;
* ``"late Y"``, ``"mid Y"`` or a month (``"May Y"``) as a start: the first year is ``Y``
  or ``Y + 1`` (``"January Y"`` and ``"early Y"`` as a start: ``Y`` only);
* ``"mid Y"``, ``"late Y"`` or a month as an end: the last year is ``Y - 1`` or ``Y``
  (``"December Y"`` and ``"late Y"`` as an end: ``Y`` only);
* ``"present"`` (or an empty end) leaves the last phase open.

Every combination of admissible break years that leaves no phase empty is a *variant*
(:func:`admissible_variants`). The default, named :data:`DEFAULT_BOUNDARY_RULE`
(``"start-year"``), takes for each boundary the year in which the text says the new
phase begins, counted as its first year when the new phase holds most of that year:
plain ``"Y"``, ``"early Y"`` and months January–June give ``Y``; ``"mid Y"``, ``"late Y"``
and months July–December give ``Y + 1``. (Reading the *end* texts the same way would
leave the CASS decline phase, ``"2019 to early 2020"``, with no year at all, which is
why the start texts decide.) When the start-year choice is not admissible the earliest
admissible year is taken and the variant says so.

On a monthly series a phase dated in years covers January of its first year to December
of its last; phases may also be given in months (``"2020-05"``).

Registry
--------
:func:`registry` reads the definitions stated by the documents from the evidence table
``data/waves.csv`` (quotes and source ids kept) and adds two that carry no dates:
``"no change"`` (one phase over the whole series) and ``"conventional lifecycle"``
(birth, growth, decline — Gupta 2008 as cited by the CASS paper). The conventional
lifecycle has no dated boundaries in any document, so it is represented as a *shape*
(rise, then fall: a unimodal rate) whose break years are estimated; it is flagged
``estimated=True`` and its years are never invented.

References
----------
Gupta, D. K. (2008). *Understanding Terrorism and Political Violence: The Life Cycle of
Birth, Growth, Transformation, and Demise*. Routledge.

Rana, M. A. (2024). The Resurgence of Islamic State Khorasan Province (ISKP): Exploiting
a Counterterrorism Gap. Centre for Aerospace and Security Studies (CASS), Islamabad.

Examples
--------
>>> d = WaveDefinition.from_breaks("mine", [2015, 2019, 2021], names=["rise", "fall", "return"])
>>> [(p.name, p.start, p.end) for p in d.phases]
[('rise', 2015, 2018), ('fall', 2019, 2020), ('return', 2021, None)]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from lifecycle._core.errors import DefinitionError, EvidenceError
from lifecycle.models.boundaries import admissible_variants, boundary_years, from_texts
from lifecycle.models.phases import (
    BOUNDARY_RULES,
    CONVENTIONAL,
    DEFAULT_BOUNDARY_RULE,
    NO_CHANGE,
    Phase,
    WaveDefinition,
)

__all__ = [
    "BOUNDARY_RULES",
    "CONVENTIONAL",
    "DEFAULT_BOUNDARY_RULE",
    "NO_CHANGE",
    "Phase",
    "WaveDefinition",
    "admissible_variants",
    "boundary_years",
    "definitions",
    "get_definition",
    "registry",
]


# ---------------------------------------------------------------------- registry
def _waves_frame(evidence: Any) -> tuple[pd.DataFrame, str]:
    if evidence is None:
        from lifecycle.evidence.tables import data_dir, load_waves

        return load_waves().astype(object).fillna(""), str(data_dir() / "waves.csv")
    if isinstance(evidence, (str, Path)):
        from lifecycle.evidence.tables import load_waves

        path = Path(evidence)
        if path.is_dir():
            path = path / "waves.csv"
        if not path.exists():
            raise EvidenceError(f"No such evidence table: {path}.")
        return load_waves(path).astype(object).fillna(""), str(path)
    if isinstance(evidence, pd.DataFrame):
        return evidence.astype(object).fillna(""), "the waves table"
    waves = getattr(evidence, "waves", None)
    if isinstance(waves, pd.DataFrame):
        return waves.astype(object).fillna(""), "the evidence's waves table"
    raise TypeError(
        "The 'evidence' parameter of registry must be None, a path to waves.csv (or its "
        "folder), a DataFrame with the waves.csv columns, or an object with a 'waves' "
        f"DataFrame. Got {type(evidence).__name__}."
    )


_WAVE_COLUMNS = ("definition", "phase", "phase_order", "start_text", "end_text", "quote")


def registry(evidence: Any = None) -> dict[str, WaveDefinition]:
    """The wave definitions the documents state, plus "no change" and the conventional one.

    Parameters
    ----------
    evidence : None, path, DataFrame or evidence object
        Where to read the waves table (schema of ``data/waves.csv``: ``id, source_id,
        definition, phase, phase_order, start_text, end_text, start_year, end_year,
        quote, context_quote, note``). Default: ``data/waves.csv``, loaded and
        validated by :func:`lifecycle.evidence.load_waves`.

    Returns
    -------
    dict of str to WaveDefinition
        Default variants (``"start-year"`` rule) keyed by definition name, then
        ``"no change"``. A definition whose phases carry no dates (the table's
        ``conventional_lifecycle``: emergence, rise, downfall, demise) becomes an
        *estimated* definition with the ``"unimodal"`` constraint. Only when the table
        has no such definition is :data:`CONVENTIONAL` (birth, growth, decline) added.
        Rows of a definition with fewer than two phases, or with repeated
        ``phase_order`` (statements such as ``emergence_year`` and
        ``formation_milestone``), are not divisions into phases and are skipped.
        :func:`admissible_variants` lists the alternatives of each dated definition.

    Raises
    ------
    EvidenceError
        If the table is missing, lacks columns or has unreadable boundaries; the message
        names the file, definition and column.

    Notes
    -----
    ``start_year``/``end_year`` in the table are not used: years come from the texts by
    the documented rule, so that every admissible alternative can be enumerated.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"id": ["w1", "w2"], "source_id": "s", "definition": "toy",
    ...     "phase": ["up", "down"], "phase_order": [1, 2], "start_text": ["2001", "2003"],
    ...     "end_text": ["2003", "present"], "quote": "q"})
    >>> str(registry(t)["toy"])
    'toy: up 2001–2002, down 2003–present'
    """
    frame, where = _waves_frame(evidence)
    missing = [c for c in _WAVE_COLUMNS if c not in frame.columns]
    if missing:
        raise EvidenceError(
            f"{where}: missing columns {missing}. Expected at least {list(_WAVE_COLUMNS)}."
        )
    out: dict[str, WaveDefinition] = {}
    for name in dict.fromkeys(frame["definition"].astype(str)):
        sub = frame[frame["definition"].astype(str) == name].copy()
        try:
            sub["_order"] = sub["phase_order"].astype(float)
        except ValueError:
            raise EvidenceError(
                f"{where}: column 'phase_order' of definition {name!r} must hold numbers. "
                f"Got {sub['phase_order'].tolist()}."
            ) from None
        sub = sub.sort_values("_order")
        if len(sub) < 2 or sub["_order"].duplicated().any():
            # statements (emergence_year, formation_milestone), not divisions into phases
            continue
        rows = sub.to_dict("records")
        sources = [s for s in dict.fromkeys(str(r.get("source_id", "")) for r in rows) if s]
        quotes = [q for q in dict.fromkeys(str(r.get("quote", "")) for r in rows) if q]
        default, _ = from_texts(
            name,
            rows,
            citation=", ".join(sources),
            quote=" … ".join(quotes),
            source_id=sources[0] if sources else None,
            where=f"{where}, definition {name!r}",
        )
        out[name] = default
    out.setdefault(NO_CHANGE.name, NO_CHANGE)
    if not any(d.estimated for d in out.values()):
        out.setdefault(CONVENTIONAL.name, CONVENTIONAL)
    return out


def definitions(evidence: Any = None) -> list[str]:
    """Names of the definitions in the registry (see :func:`registry`)."""
    return list(registry(evidence))


def get_definition(name: str, evidence: Any = None) -> WaveDefinition:
    """One definition of the registry by name.

    ``"no change"`` and ``"conventional lifecycle"`` never need the evidence table.

    Raises
    ------
    DefinitionError
        If no definition has that name; the message lists the names there are.
    """
    if name == NO_CHANGE.name and evidence is None:
        return NO_CHANGE
    if name == CONVENTIONAL.name and evidence is None:
        return CONVENTIONAL
    reg = registry(evidence)
    if name not in reg:
        raise DefinitionError(f"No wave definition named {name!r}. Known: {list(reg)}.")
    return reg[name]

"""Vocabularies and table specifications of the evidence CSV tables (see ``data/README.md``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "ATTRIBUTIONS",
    "BEARS_ON",
    "EVENT_TYPES",
    "MEASURES",
    "MILESTONE_KINDS",
    "NUMBER_WORDS",
    "PHASES",
    "PRECISIONS",
    "QUALIFIERS",
    "SOURCE_KINDS",
    "UNITS",
    "WAVE_DEFINITIONS",
]

# --------------------------------------------------------------------------- vocabularies

MEASURES: dict[str, str] = {
    "attacks": "attacks by ISKP (counted by the document or its original)",
    "attacks_claimed": "attacks counted from ISKP's own claims of responsibility",
    "attacks_on_civilians": "attacks by ISKP against civilians",
    "clashes_security_forces": "clashes with (U.S., Afghan, Pakistani ...) security forces",
    "clashes_taliban": "clashes between ISKP and the Afghan Taliban",
    "share_attacks_on_taliban": "share of ISKP attacks that targeted the Taliban",
    "share_attacks_claimed": "share of attacks claimed by ISKP (base not stated)",
    "share_eliminated_claimed": "share of ISKP said (by an adversary) to be eliminated",
    "share_fighters_tajik": "share of ISKP fighters who are ethnic Tajiks",
    "fighters": "fighters (or 'troops') of ISKP",
    "fighters_central_asian": "ISKP fighters of Central Asian origin",
    "members": "members or people of ISKP (may include families)",
    "pledges": "pledges of allegiance received by ISKP",
    "recruits": "militants recruited",
    "recruits_claimed": "recruits claimed by the group itself",
    "recruitment_pool_ratio": "growth factor of ISKP's recruitment pool",
    "fighters_lost": "ISKP fighters lost (killed or otherwise)",
    "leaders_lost": "ISKP leaders lost",
    "fighters_killed": "ISKP fighters killed",
    "leaders_killed": "ISKP leaders killed",
    "members_imprisoned": "ISKP members imprisoned",
    "provinces_present": "provinces in which ISKP is present",
    "plots_uncovered": "ISKP terrorist plots uncovered",
    "suspects_charged": "individuals accused of association with ISKP",
    "individuals_designated": "individuals designated (sanctioned) for ISKP activities",
}

#: Qualifiers of a number. ``range``/``about_range`` use ``low`` and ``high`` and leave
#: ``value`` empty; the vague ones (``several`` ... ``thousands``) have no number at all.
QUALIFIERS: dict[str, str] = {
    "exact": "the number as such",
    "about": "about, approximately, around, some",
    "nearly": "nearly, almost",
    "roughly": "roughly",
    "over": "over",
    "more_than": "more than",
    "at_least": "at least",
    "at_most": "at most",
    "up_to": "up to",
    "less_than": "less than",
    "range": "a range low to high",
    "about_range": "an approximate range (approximately low-high)",
    "several": "'several', no number",
    "dozens": "'dozens', no number",
    "hundreds": "'hundreds', no number",
    "thousands": "'thousands', no number",
}
_RANGE_QUALIFIERS = frozenset({"range", "about_range"})
_VAGUE_QUALIFIERS = frozenset({"several", "dozens", "hundreds", "thousands"})
_APPROX_QUALIFIERS = frozenset({"about", "nearly", "roughly"})

PRECISIONS: tuple[str, ...] = ("day", "month", "year", "open")

ATTRIBUTIONS: dict[str, str] = {
    "claimed": "the document says ISKP (or IS) claimed responsibility",
    "attributed": "the document states as fact that ISKP carried it out",
    "blamed": "the document says ISKP was blamed",
    "alleged": "ISKP-linked or -affiliated perpetrators alleged (plots, arrests)",
    "self_identified": "perpetrators identified themselves as (or claimed to be) IS/ISKP",
    "implied": "the document links the event to ISKP without saying ISKP carried it out",
    "against_iskp": "an operation against ISKP (e.g. a leader killed)",
}

EVENT_TYPES: dict[str, str] = {
    "attack": "an attack (bombing, shooting, rockets, assassination ...)",
    "plot": "a plot foiled or revealed",
    "counter_operation": "an operation against ISKP",
}

UNITS: dict[str, str] = {
    "count": "a count",
    "percent": "a percentage (0-100)",
    "fraction": "a fraction (0-1), e.g. 'half' = 0.5",
    "ratio": "a growth factor, e.g. 'doubled' = 2",
}

SOURCE_KINDS: tuple[str, ...] = (
    "journal_article",
    "backgrounder",
    "policy_paper",
    "policy_brief",
    "news",
)

WAVE_DEFINITIONS: dict[str, str] = {
    "cass_three_waves": "rana_2024: emergence 2015-2019, decline 2019-early 2020, "
    "resurgence late 2020-present",
    "conventional_lifecycle": "emergence, rise, downfall, demise (Gupta; Iqbal et al; Corrin)",
    "yip_weakened_rebuilt": "yip_2024: weakened 2016-2020, rebuilt since May 2020",
    "emergence_year": "a statement of when ISKP emerged / was formed / founded",
    "formation_milestone": "a dated step in ISKP's formation (pledge, first emir, name)",
    "cass_abstract_from_2020": "rana_2024 abstract: emergence, rise and decline from 2015, "
    "resurgence 'from 2020 onwards'",
    "cass_territorial": "rana_2024: expansion 'Between 2015-2018', no territorial control "
    "'By 2019'",
    "yip_influence_since_2019": "yip_2024: surfaced in 2015, influence 'has steadily "
    "increased since' 2019",
}

PHASES: tuple[str, ...] = (
    "emergence",
    "rise",
    "decline",
    "downfall",
    "demise",
    "resurgence",
    "weakened",
    "rebuilt",
)

#: Kinds of dated statements in ``milestones.csv``.
MILESTONE_KINDS: dict[str, str] = {
    "precursor": "a group or contingent that preceded ISKP",
    "appointment": "a leader appointed or announced (emir, deputy, provincial amir)",
    "pledge": "an allegiance or affiliation announced by a person or group",
    "declaration": "a province, campaign or jihad declared",
    "first_attacks": "the first attacks, or the first claims of attacks",
    "conflict_taliban": "the start or a step of the open conflict with the Taliban",
    "affiliate_attacks": "attacks claimed by a group the document calls an ISKP affiliate",
    "counter_operation": "an operation or campaign against ISKP (or its safe havens)",
    "territory": "a statement on the territory ISKP holds or loses",
    "expansion": "a span of expansion",
    "influence": "a statement that influence or threat rose or fell",
    "defeat": "a defeat of ISKP",
    "threat": "a threat or campaign announced by ISKP",
    "wave": "a statement placing one of a document's waves in time",
}

#: Which part of the lifecycle a dated statement bears on.
BEARS_ON: tuple[str, ...] = ("emergence", "rise", "decline", "resurgence")

#: Number words accepted in quotes (lower case, whole words).
NUMBER_WORDS: dict[str, float] = {
    **{
        w: float(i)
        for i, w in enumerate(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
        )
    },
    "thirty": 30.0,
    "forty": 40.0,
    "fifty": 50.0,
    "sixty": 60.0,
    "seventy": 70.0,
    "eighty": 80.0,
    "ninety": 90.0,
    "hundred": 100.0,
    "dozen": 12.0,
    "half": 0.5,
    "twice": 2.0,
    "double": 2.0,
    "doubled": 2.0,
}

# --------------------------------------------------------------------------- table specs

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_REGION_PART = r"[a-z][a-z_]*(?:/[a-z][a-z_]*)?"
_REGION_RE = re.compile(rf"^{_REGION_PART}(?:;{_REGION_PART})*$")
_YEAR_RE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class _Spec:
    name: str
    required: tuple[str, ...]
    id_column: str
    id_prefix: str
    text: tuple[str, ...]
    floats: tuple[str, ...] = ()
    ints: tuple[str, ...] = ()
    categories: Mapping[str, tuple[str, ...]] | None = None
    #: Columns a table may have (validated as snake_case keys when present and filled).
    optional_keys: tuple[str, ...] = ()


_SOURCES = _Spec(
    name="sources",
    required=("source_id", "file", "authors", "title", "publisher", "date", "kind"),
    id_column="source_id",
    id_prefix="",
    text=("source_id", "file", "authors", "title", "publisher", "date"),
    categories={"kind": SOURCE_KINDS},
)
_QUANTITIES = _Spec(
    name="quantities",
    required=(
        "id",
        "source_id",
        "fact_key",
        "original",
        "measure",
        "target",
        "region",
        "period_start",
        "period_start_precision",
        "period_end",
        "period_end_precision",
        "value",
        "qualifier",
        "low",
        "high",
        "unit",
        "quote",
        "context_quote",
        "note",
    ),
    id_column="id",
    id_prefix="Q",
    text=(
        "id",
        "source_id",
        "fact_key",
        "original",
        "target",
        "region",
        "period_start",
        "period_end",
        "quote",
        "context_quote",
        "note",
    ),
    floats=("value", "low", "high"),
    categories={
        "measure": tuple(MEASURES),
        "period_start_precision": PRECISIONS,
        "period_end_precision": PRECISIONS,
        "qualifier": tuple(QUALIFIERS),
        "unit": tuple(UNITS),
    },
    optional_keys=("subject", "period_reading"),
)
_EVENTS = _Spec(
    name="events",
    required=(
        "id",
        "source_id",
        "event_key",
        "event_type",
        "original",
        "date",
        "date_precision",
        "country",
        "place",
        "target",
        "killed",
        "killed_qualifier",
        "killed_low",
        "killed_high",
        "wounded",
        "wounded_qualifier",
        "wounded_low",
        "wounded_high",
        "casualties",
        "casualties_qualifier",
        "attribution",
        "quote",
        "context_quote",
        "note",
    ),
    id_column="id",
    id_prefix="E",
    text=(
        "id",
        "source_id",
        "event_key",
        "original",
        "date",
        "country",
        "place",
        "target",
        "quote",
        "context_quote",
        "note",
    ),
    ints=(
        "killed",
        "killed_low",
        "killed_high",
        "wounded",
        "wounded_low",
        "wounded_high",
        "casualties",
    ),
    categories={
        "event_type": tuple(EVENT_TYPES),
        "date_precision": PRECISIONS,
        "killed_qualifier": tuple(QUALIFIERS),
        "wounded_qualifier": tuple(QUALIFIERS),
        "casualties_qualifier": tuple(QUALIFIERS),
        "attribution": tuple(ATTRIBUTIONS),
    },
)
_WAVES = _Spec(
    name="waves",
    required=(
        "id",
        "source_id",
        "definition",
        "phase",
        "phase_order",
        "start_text",
        "end_text",
        "start_year",
        "end_year",
        "quote",
        "context_quote",
        "note",
    ),
    id_column="id",
    id_prefix="W",
    text=(
        "id",
        "source_id",
        "definition",
        "start_text",
        "end_text",
        "quote",
        "context_quote",
        "note",
    ),
    ints=("phase_order", "start_year", "end_year"),
    categories={"phase": PHASES},
    optional_keys=("timing_key",),
)
_MILESTONES = _Spec(
    name="milestones",
    required=(
        "id",
        "source_id",
        "milestone_key",
        "kind",
        "bears_on",
        "date_text",
        "start",
        "start_precision",
        "end",
        "end_precision",
        "quote",
        "context_quote",
        "note",
    ),
    id_column="id",
    id_prefix="M",
    text=(
        "id",
        "source_id",
        "milestone_key",
        "date_text",
        "start",
        "end",
        "quote",
        "context_quote",
        "note",
    ),
    categories={
        "kind": tuple(MILESTONE_KINDS),
        "bears_on": BEARS_ON,
        "start_precision": PRECISIONS,
        "end_precision": PRECISIONS,
    },
)
_SPECS = {s.name: s for s in (_SOURCES, _QUANTITIES, _EVENTS, _WAVES, _MILESTONES)}

#: Count triples of the events table: (number, qualifier, low, high).
_EVENT_COUNTS = (
    ("killed", "killed_qualifier", "killed_low", "killed_high"),
    ("wounded", "wounded_qualifier", "wounded_low", "wounded_high"),
    ("casualties", "casualties_qualifier", None, None),
)

"""Event exports (GTD, ACLED, UCDP GED) into event tables and count series."""

from lifecycle.events.loaders import (
    ACTOR_FIELDS,
    EVENT_COLUMNS,
    GTD_NO_DATA_YEARS,
    MEASURES,
    Coverage,
    EventTable,
    events_to_series,
    filter_events,
    read_acled,
    read_gtd,
    read_ucdp_ged,
    series_exclusions,
)

__all__ = [
    "ACTOR_FIELDS",
    "EVENT_COLUMNS",
    "GTD_NO_DATA_YEARS",
    "MEASURES",
    "Coverage",
    "EventTable",
    "events_to_series",
    "filter_events",
    "read_acled",
    "read_gtd",
    "read_ucdp_ged",
    "series_exclusions",
]

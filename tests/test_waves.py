"""Tests of lifecycle.models.waves: phases, definitions, boundary rule, variants, registry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lifecycle._core.errors import DefinitionError, EvidenceError
from lifecycle.models.waves import (
    CONVENTIONAL,
    DEFAULT_BOUNDARY_RULE,
    NO_CHANGE,
    Phase,
    WaveDefinition,
    admissible_variants,
    boundary_years,
    definitions,
    get_definition,
    registry,
)


def _table(rows):
    cols = ["id", "source_id", "definition", "phase", "phase_order", "start_text", "end_text"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["quote"] = "a quote"
    return frame


class TestPhaseAndDefinition:
    def test_from_breaks_one_line(self):
        d = WaveDefinition.from_breaks("mine", [2015, 2019, 2021], names=["rise", "fall", "return"])
        assert [(p.name, p.start, p.end) for p in d.phases] == [
            ("rise", 2015, 2018),
            ("fall", 2019, 2020),
            ("return", 2021, None),
        ]
        assert d.break_labels() == [2019, 2021]
        assert d.expected_directions() == ("down", "up")

    def test_from_breaks_open_first_phase_and_end(self):
        d = WaveDefinition.from_breaks("m", [2019], names=["a", "b"], end=2022)
        assert [p.text() for p in d.phases] == ["start–2018", "2019–2022"]

    def test_from_breaks_months(self):
        d = WaveDefinition.from_breaks("m", ["2020-01", "2020-05"], names=["a", "b"])
        assert d.phases[0].end == "2020-04"
        assert d.phases[0].bounds("month") == (12 * 2020, 12 * 2020 + 3)

    def test_year_phase_on_month_grid_covers_january_to_december(self):
        p = Phase("a", 2019, 2020)
        assert p.bounds("month") == (12 * 2019, 12 * 2020 + 11)
        with pytest.raises(DefinitionError, match="dated in months"):
            Phase("b", "2020-05", "2020-08").bounds("year")

    def test_overlap_and_gap_are_refused(self):
        with pytest.raises(DefinitionError, match=r"overlap: 'a' \(2001–2003\) and 'b'"):
            WaveDefinition("w", (Phase("a", 2001, 2003), Phase("b", 2003, None)))
        with pytest.raises(DefinitionError, match="leave a gap: 2004 lies between 'a'"):
            WaveDefinition("w", (Phase("a", 2001, 2003), Phase("b", 2005, None)))

    def test_other_bad_definitions(self):
        with pytest.raises(DefinitionError, match=r"ends \(2001\) before it starts \(2003\)"):
            Phase("a", 2003, 2001)
        with pytest.raises(DefinitionError, match="non-empty name"):
            Phase(" ")
        with pytest.raises(DefinitionError, match="calendar year such as 2015"):
            Phase("a", "soon")
        with pytest.raises(DefinitionError, match="distinct"):
            WaveDefinition("w", (Phase("a", 2001, 2002), Phase("a", 2003, None)))
        with pytest.raises(DefinitionError, match="Only the last phase may end open"):
            WaveDefinition("w", (Phase("a", 2001, None), Phase("b", 2003, None)))
        with pytest.raises(DefinitionError, match="Only the first phase may start open"):
            WaveDefinition("w", (Phase("a", 2001, 2002), Phase("b", None, None)))
        with pytest.raises(DefinitionError, match="must be undated"):
            WaveDefinition("w", (Phase("a", 2001, 2002),), estimated=True)
        with pytest.raises(DefinitionError, match="needs estimated break years"):
            WaveDefinition("w", (Phase("a", 2001, 2002),), constraint="unimodal")
        with pytest.raises(DefinitionError, match="at least one phase"):
            WaveDefinition("w", ())
        with pytest.raises(DefinitionError, match="Breaks must increase"):
            WaveDefinition.from_breaks("w", [2005, 2003], names=["a", "b"])
        with pytest.raises(DefinitionError, match="one first period per phase"):
            WaveDefinition.from_breaks("w", [2001, 2002, 2003, 2004], names=["a", "b"])
        with pytest.raises(DefinitionError, match="1 values 'up' or 'down'"):
            WaveDefinition(
                "w", (Phase("a", 2001, 2002), Phase("b", 2003, None)), directions=("sideways",)
            )
        with pytest.raises(TypeError, match="must be Phase objects"):
            WaveDefinition("w", ("a",))

    def test_builtins(self):
        assert NO_CHANGE.n_phases == 1
        assert CONVENTIONAL.estimated and CONVENTIONAL.constraint == "unimodal"
        assert CONVENTIONAL.phase_names == ["birth", "growth", "decline"]
        assert CONVENTIONAL.break_labels() == []
        assert "estimated" in CONVENTIONAL.summary()["years"].tolist()
        assert get_definition("no change") is NO_CHANGE
        assert get_definition("conventional lifecycle") is CONVENTIONAL


class TestBoundaryRule:
    @pytest.mark.parametrize(
        ("end", "start", "years", "default"),
        [
            ("2019", "2019", [2019, 2020], 2019),  # shared plain year
            ("early 2020", "late 2020", [2020, 2021], 2021),
            ("2020", "May 2020", [2020, 2021], 2020),  # month in first half: its year
            ("2020", "October 2020", [2020, 2021], 2021),  # second half: the next year
            ("2009", "2010", [2010], 2010),  # plain consecutive years: no ambiguity
            ("mid 2012", "mid 2012", [2012, 2013], 2013),
        ],
    )
    def test_admissible_and_default(self, end, start, years, default):
        assert boundary_years(end, start) == (years, default)

    def test_incompatible_texts(self):
        with pytest.raises(DefinitionError, match="No break year fits both the end '2010'"):
            boundary_years("2010", "2014")
        with pytest.raises(DefinitionError, match="needs dated texts"):
            boundary_years("present", "2014")

    def test_variants_enumerate_every_consistent_assignment(self):
        t = _table(
            [
                ["w1", "s", "toy", "up", 1, "2001", "2005"],
                ["w2", "s", "toy", "down", 2, "2005", "early 2006"],
                ["w3", "s", "toy", "again", 3, "late 2006", "present"],
            ]
        )
        d = registry(t)["toy"]
        assert d.boundary_rule == DEFAULT_BOUNDARY_RULE
        assert [(p.start, p.end) for p in d.phases] == [(2001, 2004), (2005, 2006), (2007, None)]
        variants = admissible_variants(d)
        spans = {v.name: [(p.start, p.end) for p in v.phases] for v in variants}
        # (2005 to up, 2006 to again) leaves 'down' empty and is not admissible
        assert spans == {
            "toy (2005→down, 2006→down)": [(2001, 2004), (2005, 2006), (2007, None)],
            "toy (2005→down, 2006→again)": [(2001, 2004), (2005, 2005), (2006, None)],
            "toy (2005→up, 2006→down)": [(2001, 2005), (2006, 2006), (2007, None)],
        }
        assert variants[0].boundary_rule == DEFAULT_BOUNDARY_RULE
        assert all(v.boundary_rule == "variant" for v in variants[1:])
        assert admissible_variants(NO_CHANGE) == [NO_CHANGE]

    def test_bad_text_in_table(self):
        t = _table(
            [
                ["w1", "s", "toy", "a", 1, "2001", "sometime"],
                ["w2", "s", "toy", "b", 2, "2003", "present"],
            ]
        )
        with pytest.raises(EvidenceError, match="cannot read the boundary 'sometime'"):
            registry(t)


class TestRegistry:
    def test_toy_table_and_skipped_statements(self):
        t = _table(
            [
                ["w1", "s", "toy", "up", 1, "2001", "2003"],
                ["w2", "s", "toy", "down", 2, "2004", ""],
                ["w3", "s", "emergence_year", "emergence", 1, "2001", ""],
                ["w4", "z", "emergence_year", "emergence", 1, "2002", ""],
                ["w5", "s", "shape_only", "rise", 1, "", ""],
                ["w6", "s", "shape_only", "fall", 2, "", ""],
            ]
        )
        reg = registry(t)
        assert list(reg) == ["toy", "shape_only", "no change"]
        assert str(reg["toy"]) == "toy: up 2001–2003, down 2004–present"
        assert reg["toy"].phases[0].evidence_id == "w1"
        assert reg["shape_only"].estimated and reg["shape_only"].constraint == "unimodal"
        with pytest.raises(DefinitionError, match=r"No wave definition named 'nope'\. Known:"):
            get_definition("nope", t)
        with pytest.raises(EvidenceError, match=r"missing columns \['quote'\]"):
            registry(t.drop(columns="quote"))
        with pytest.raises(TypeError, match="'evidence' parameter of registry"):
            registry(42)

    def test_project_table(self):
        reg = registry()
        assert {"cass_three_waves", "yip_weakened_rebuilt", "no change"} <= set(reg)
        assert definitions()[: len(reg)] == list(reg)
        cass = reg["cass_three_waves"]
        assert cass.source_id == "rana_2024"
        assert cass.phase_names == ["emergence", "decline", "resurgence"]
        # the texts "2015".."2019", "2019".."early 2020", "late 2020".."present"
        assert [p.start_text for p in cass.phases] == ["2015", "2019", "late 2020"]
        assert [(p.start, p.end) for p in cass.phases] == [
            (2015, 2018),
            (2019, 2020),
            (2021, None),
        ]
        assert all(p.quote for p in cass.phases)
        assert cass.expected_directions() == ("down", "up")
        variants = admissible_variants(cass)
        assert len(variants) == 3
        assert variants[0].name == "cass_three_waves (2019→decline, 2020→decline)"
        yip = reg["yip_weakened_rebuilt"]
        assert [(p.start, p.end) for p in yip.phases] == [(2016, 2019), (2020, None)]
        assert [v.name for v in admissible_variants(yip)] == [
            "yip_weakened_rebuilt (2020→rebuilt)",
            "yip_weakened_rebuilt (2020→weakened)",
        ]
        conv = reg["conventional_lifecycle"]
        assert conv.estimated and conv.constraint == "unimodal"
        assert conv.expected_directions() == ("up", "down", "down")
        assert "conventional lifecycle" not in reg  # the table's own version is used

    def test_summary_keeps_text(self):
        frame = registry()["cass_three_waves"].summary()
        assert frame["end_text"].tolist() == ["2019", "early 2020", "present"]
        assert np.array_equal(frame["phase_order"], [1, 2, 3])

"""What a reader sees: distinct rows in the weight heat map, a bottom line in bullets, short
Markdown tables that hide nothing."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from lifecycle.report.figures import _distinct_weight_rows
from lifecycle.report.summary import bottom_line_items
from lifecycle.report.writer import _definitions_table, _shared_sentences


def test_readings_with_the_same_weights_share_one_heat_map_row():
    rows = []
    weights = {1: [1.0, 0.0, 0.0], 2: [1.0, 0.0, 0.0], 3: [1.0, 0.0, 0.004],
               4: [0.33, 0.33, np.nan], 5: [0.33, 0.33, np.nan], 6: [0.2, 0.3, 0.5]}  # fmt: skip
    for i, ws in weights.items():
        for d, w in zip("abc", ws, strict=True):
            if not np.isnan(w):
                rows.append({"reading_id": f"r#{i}", "definition": d, "akaike_weight": w})
    comp, n = _distinct_weight_rows(pd.DataFrame(rows))
    assert n == 6
    # r#3 differs only below the 2 decimals the map shows: it joins r#1's row
    assert list(dict.fromkeys(comp["reading_id"])) == ["r#1 (+2 more)", "r#4 (+1 more)", "r#6"]
    assert comp.loc[comp["reading_id"] == "r#6", "akaike_weight"].tolist() == [0.2, 0.3, 0.5]
    assert "c" not in comp.loc[comp["reading_id"] == "r#4 (+1 more)", "definition"].tolist()


def test_bottom_line_has_one_bullet_per_distinct_finding():
    def row(name, change, found, res):
        return {
            "indicator": name,
            "verdict": "the evidence cannot decide",
            "n_change_testable": change,
            "n_change_found": found,
            "n_resurgence_testable": res,
            "n_resurgence_rejects": 0,
            "n_adequate_power": 0,
        }

    verdicts = pd.DataFrame(
        [row("attacks", 144, 126, 144), row("clashes", 0, 0, 0), row("deaths", 0, 0, 0)]
    )
    items = bottom_line_items(SimpleNamespace(verdicts=verdicts))
    assert len(items) == 2
    assert items[0].startswith("*attacks* — the evidence cannot decide: a change of level")
    assert items[1].startswith("*clashes*, *deaths* — the evidence cannot decide: too few")


def test_a_sentence_several_descriptions_repeat_becomes_one_note():
    note = "Selection of events: the documents' authors chose them."
    texts = [f"Attacks per year. {note}", "Clashes.", f"Deaths per year. {note}", "Deaths."]
    cells, notes = _shared_sentences(texts, min_length=20)
    assert cells == ["Attacks per year. [1]", "Clashes.", "Deaths per year. [1]", "Deaths."]
    assert notes == [note]
    # short repeated sentences stay where they are; nothing repeated, nothing changed
    assert _shared_sentences(["A b.", "A b."], min_length=20) == (["A b.", "A b."], [])


def test_definitions_table_one_row_per_definition_with_every_phase():
    defs = pd.DataFrame(
        {
            "definition": ["cass_three_waves"] * 3 + ["conventional_lifecycle"] * 2,
            "phase": ["emergence", "decline", "resurgence", "rise", "demise"],
            "years": ["2015–2018", "2019–2020", "2021–present", "estimated", "estimated"],
            "source_id": ["rana_2024"] * 3 + [None, None],
        }
    )
    table = _definitions_table(defs)
    assert table.to_dict("records") == [
        {
            "definition": "cass three waves",
            "phases (years)": "emergence (2015–2018); decline (2019–2020); "
            "resurgence (2021–present)",
            "source_id": "rana_2024",
        },
        {
            "definition": "conventional lifecycle",
            "phases (years)": "rise (estimated); demise (estimated)",
            "source_id": "",
        },
    ]


def test_heat_map_rows_group_posterior_probabilities_as_shown():
    rows = []
    probs = {1: [0.62, 0.30, 0.08], 2: [0.64, 0.28, 0.08], 3: [0.1, 0.2, 0.7]}
    for i, ps in probs.items():
        for d, p in zip("abc", ps, strict=True):
            rows.append({"reading_id": f"r#{i}", "definition": d, "posterior_prob": p})
    comp, n = _distinct_weight_rows(pd.DataFrame(rows), value="posterior_prob", decimals=1)
    assert n == 3
    # r#2 shows the same to one decimal (0.6, 0.3, 0.1): one row, with the numbers shown
    assert list(dict.fromkeys(comp["reading_id"])) == ["r#1 (+1 more)", "r#3"]
    shown = comp.loc[comp["reading_id"] == "r#1 (+1 more)", "posterior_prob"].tolist()
    assert shown == [0.6, 0.3, 0.1]


def test_comparison_heat_map_writes_the_asked_decimals_and_a_readable_label():
    from lifecycle import plotting

    t = pd.DataFrame({"reading": ["r1"] * 2, "definition": ["a", "b"],
                      "posterior_prob": [0.25, 0.75]})  # fmt: skip
    fig, ax = plotting.new_figure()
    plotting.plot_comparison(t, ax=ax, row="reading", value="posterior_prob", decimals=1)
    assert [x.get_text() for x in ax.texts] == ["0.2", "0.8"]
    assert fig.axes[-1].get_ylabel() == "posterior probability"

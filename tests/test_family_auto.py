"""``family="auto"`` where users meet it: the CLI and the report choose the count family.

An overdispersed single rise and fall (NB2, alpha 0.5) is the series on which a Poisson
default declares a resurgence; with the default ``auto`` the CLI and the report fit NB2
and say why. Equidispersed Poisson counts stay Poisson.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lifecycle.cli.main import main
from lifecycle.report import analyse_series
from lifecycle.series import CountSeries

YEARS = np.arange(1970, 2022)


def _single_wave(family: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mu = 3 + 60 * np.exp(-(((YEARS - 1990) / 6.0) ** 2))
    if family == "poisson":
        return rng.poisson(mu)
    alpha = 0.5
    return rng.poisson(rng.gamma(1 / alpha, alpha * mu))


def _csv(tmp_path: Path, counts: np.ndarray) -> Path:
    path = tmp_path / "series.csv"
    rows = [f"{y},{c}" for y, c in zip(YEARS, counts, strict=True)]
    path.write_text("year,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["test", "detect"])
def test_cli_default_chooses_negbin_on_overdispersed_counts(tmp_path, capsys, command):
    path = _csv(tmp_path, _single_wave("negbin", 11))
    rc = main([command, str(path), "--bootstrap", "49", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["family"] == "negbin"
    assert "overdispersion detected" in out["family_reason"]


def test_cli_default_keeps_poisson_on_poisson_counts(tmp_path, capsys):
    path = _csv(tmp_path, _single_wave("poisson", 12))
    rc = main(["test", str(path), "--bootstrap", "49", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["family"] == "poisson"
    assert "LR test of alpha = 0" in out["family_reason"]


def test_cli_family_by_name_is_kept_and_not_explained(tmp_path, capsys):
    path = _csv(tmp_path, _single_wave("negbin", 11))
    rc = main(["test", str(path), "--bootstrap", "49", "--json", "--family", "poisson"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["family"] == "poisson" and out["family_reason"] == ""


def test_cli_text_output_names_the_count_model(tmp_path, capsys):
    path = _csv(tmp_path, _single_wave("negbin", 11))
    assert main(["test", str(path), "--bootstrap", "49"]) == 0
    out = capsys.readouterr().out
    # the family is named once, then why (it was "family negbin: negbin: ...")
    assert "Count model: family negbin: overdispersion detected (LR test" in out
    assert "negbin: negbin" not in out


def test_report_on_a_series_states_the_family_it_chose():
    series = CountSeries.from_counts(YEARS, _single_wave("negbin", 11), name="wave")
    analysis = analyse_series(series, seed=3, n_boot=19)
    assert analysis.family == "auto"
    assert any(n.startswith("Family negbin (family='auto')") for n in analysis.notes)


# ---------------------------------------------------------------------- the API defaults
@pytest.mark.parametrize("family", ["negbin", "poisson"])
def test_detect_defaults_to_auto_and_says_why(family):
    from lifecycle.changepoints import detect
    from lifecycle.models import choose_family

    s = CountSeries.from_counts(YEARS, _single_wave(family, 11 if family == "negbin" else 12))
    seg = detect(s)
    expected = choose_family(s)
    assert seg.family == expected.family == family
    assert seg.family_choice.requested == "auto"
    assert seg.family_choice.reason == expected.reason
    assert seg.family_choice.p_value == pytest.approx(expected.p_value)


def test_detect_auto_on_plain_counts_matches_the_series():
    from lifecycle.changepoints import detect

    y = _single_wave("negbin", 11)
    by_series = detect(CountSeries.from_counts(YEARS, y))
    plain = detect(y)  # positions 0..51, shifted to calendar years for the family test
    assert plain.family == by_series.family == "negbin"
    assert plain.family_choice.p_value == pytest.approx(by_series.family_choice.p_value)
    assert plain.break_index == by_series.break_index


def test_detect_auto_with_a_given_dispersion_is_negbin():
    from lifecycle.changepoints import detect

    seg = detect([3, 4, 2, 9, 11, 10], dispersion=0.2)
    assert seg.family == "negbin" and seg.dispersion == 0.2
    assert "dispersion was given" in seg.family_choice.reason


def test_detect_family_by_name_is_recorded_as_requested():
    from lifecycle.changepoints import detect

    seg = detect(_single_wave("negbin", 11), family="poisson")
    assert seg.family == "poisson"
    assert seg.family_choice.requested == "poisson"
    assert "requested by name" in seg.family_choice.reason


def test_detect_auto_on_all_zero_counts_is_poisson_with_the_reason():
    from lifecycle.changepoints import detect

    seg = detect([0, 0, 0, 0, 0])
    assert seg.family == "poisson" and "every count is zero" in seg.family_choice.reason


def test_test_change_defaults_to_auto_and_says_why():
    from lifecycle.changepoints import test_change

    s = CountSeries.from_counts(YEARS, _single_wave("negbin", 11))
    res = test_change(s, n_boot=19, seed=3)
    assert res.family == "negbin"
    assert res.details["family_choice"].requested == "auto"
    assert "overdispersion detected" in res.details["family_choice"].reason


def test_test_resurgence_defaults_to_auto():
    from lifecycle.inference import test_resurgence

    s = CountSeries.from_counts(YEARS, _single_wave("negbin", 11))
    res = test_resurgence(s, n_boot=19, seed=3)
    assert res.family == "negbin"
    assert res.details["family_choice"].requested == "auto"

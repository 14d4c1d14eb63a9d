"""The lifecycle command: outputs, JSON, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from lifecycle.cli.main import main

# A clear single change: 2 to 3 attacks a year, then about 20 from 2014 on.
STEP = "year,count\n2010,2\n2011,3\n2012,2\n2013,2\n2014,20\n2015,22\n2016,19\n2017,21\n"
# Rise, fall, rise again with large counts.
WAVES = "year,count\n" + "".join(
    f"{y},{c}\n"
    for y, c in zip(
        range(2010, 2022), [20, 60, 110, 150, 90, 40, 20, 25, 70, 130, 160, 150], strict=True
    )
)


@pytest.fixture
def step_csv(tmp_path: Path) -> Path:
    p = tmp_path / "mydata.csv"
    p.write_text(STEP)
    return p


@pytest.fixture
def waves_csv(tmp_path: Path) -> Path:
    p = tmp_path / "waves.csv"
    p.write_text(WAVES)
    return p


def one_line_error(capsys, rc: int) -> str:
    out = capsys.readouterr()
    assert rc == 2
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith("lifecycle: error: ")
    assert "Traceback" not in out.err
    return lines[0]


class TestHelp:
    def test_help_by_subprocess(self):
        script = Path(sys.executable).parent / "lifecycle"
        cmd = [str(script)] if script.exists() else [sys.executable, "-m", "lifecycle.cli.main"]
        done = subprocess.run([*cmd, "--help"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0
        for word in ("report", "evidence", "detect", "compare", "test", "year,count"):
            assert word in done.stdout

    @pytest.mark.parametrize("command", ["report", "detect", "compare", "test", "evidence"])
    def test_subcommand_help(self, capsys, command):
        assert main([command, "--help"]) == 0
        assert "usage: lifecycle " + command in capsys.readouterr().out


class TestDetect:
    def test_prints_the_break(self, capsys, step_csv):
        assert main(["detect", str(step_csv), "--bootstrap", "99", "--seed", "3"]) == 0
        out = capsys.readouterr().out
        assert "mydata (count): 1 change(s) by BIC; new regime from: 2014." in out
        assert "Test of at least one change" in out

    def test_json(self, capsys, step_csv):
        assert main(["detect", str(step_csv), "--json", "--bootstrap", "99"]) == 0
        payload = json.loads(capsys.readouterr().out)
        assert payload["breaks"] == [2014]
        assert payload["n_changes"] == 1
        assert [s["count"] for s in payload["segments"]] == [9, 82]
        assert payload["test_change"]["p_value"] == pytest.approx(0.01)  # 1 / (99 + 1)
        assert {r["label"] for r in payload["posterior"]} == set(range(2011, 2018))

    def test_same_seed_same_output(self, capsys, step_csv):
        args = ["detect", str(step_csv), "--json", "--bootstrap", "49", "--seed", "7"]
        main(args)
        first = capsys.readouterr().out
        main(args)
        assert capsys.readouterr().out == first

    def test_out_writes_figure_and_tables(self, capsys, step_csv, tmp_path):
        out = tmp_path / "o"
        assert main(["detect", str(step_csv), "--bootstrap", "49", "--out", str(out)]) == 0
        names = sorted(p.name for p in out.iterdir())
        assert names == [
            "breaks.csv",
            "changepoints.png",
            "changepoints.svg",
            "posterior.csv",
            "segments.csv",
        ]
        assert 'id="break-2014"' in (out / "changepoints.svg").read_text()


class TestErrors:
    def test_malformed_csv(self, capsys, tmp_path):
        p = tmp_path / "bad.csv"
        p.write_text("year,count\n2010,3\n2011,many\n")
        line = one_line_error(capsys, main(["detect", str(p)]))
        assert "column 'count' must hold numbers" in line
        assert "'many'" in line

    def test_missing_columns(self, capsys, tmp_path):
        p = tmp_path / "bad.csv"
        p.write_text("when,how_many\n2010,3\n")
        line = one_line_error(capsys, main(["detect", str(p)]))
        assert "expected columns 'year' and 'count'" in line

    def test_negative_count(self, capsys, tmp_path):
        p = tmp_path / "bad.csv"
        p.write_text("year,count\n2010,3\n2011,-1\n")
        line = one_line_error(capsys, main(["test", str(p)]))
        assert "negative" in line

    def test_missing_file(self, capsys, tmp_path):
        line = one_line_error(capsys, main(["detect", str(tmp_path / "nope.csv")]))
        assert "nope.csv" in line

    def test_no_series(self, capsys):
        line = one_line_error(capsys, main(["detect"]))
        assert "needs a series" in line

    def test_bad_option_value(self, capsys, step_csv):
        line = one_line_error(capsys, main(["detect", str(step_csv), "--bootstrap", "0"]))
        assert "--bootstrap" in line

    def test_unknown_definition(self, capsys, step_csv):
        line = one_line_error(capsys, main(["compare", str(step_csv), "--definition", "nope"]))
        assert "No wave definition named 'nope'" in line

    def test_too_short_for_the_test(self, capsys, tmp_path):
        p = tmp_path / "short.csv"
        p.write_text("year,count\n2010,3\n2011,4\n")
        line = one_line_error(capsys, main(["test", str(p), "--bootstrap", "9"]))
        assert "at least 3 observations" in line

    def test_actor_without_export(self, capsys, step_csv):
        line = one_line_error(capsys, main(["detect", "--actor", "ISKP"]))
        assert "--actor and --country filter an event export" in line

    def test_unreadable_event_export(self, capsys, tmp_path):
        p = tmp_path / "gtd.csv"
        p.write_text("a,b\n1,2\n")
        line = one_line_error(capsys, main(["detect", "--gtd", str(p)]))
        assert "gtd.csv" in line


class TestCompareAndTest:
    def test_compare_json_data_driven_by_default(self, capsys, step_csv):
        assert main(["compare", str(step_csv), "--json"]) == 0
        payload = json.loads(capsys.readouterr().out)
        names = [r["definition"] for r in payload["comparison"]]
        assert "no change" in names and "conventional lifecycle" in names
        # on a user's series the documents' dates are never used unless named
        assert not any(n.startswith(("cass", "yip")) for n in names)
        probs = [r["posterior_prob"] for r in payload["comparison"]]
        assert sum(probs) == pytest.approx(1.0)
        weights = [r["akaike_weight"] for r in payload["comparison"] if r["akaike_weight"]]
        assert sum(weights) == pytest.approx(1.0)
        assert payload["compared_on"].startswith("2010–2017")
        assert payload["left_out"] == []
        assert any(n.startswith("compared on the whole series") for n in payload["notes"])
        assert payload["prior_sensitivity"].startswith("prior sensitivity")

    def test_compare_named_document_definition_gets_a_row(self, capsys, step_csv):
        args = ["compare", str(step_csv), "--json", "--definition", "cass_three_waves"]
        assert main(args) == 0
        payload = json.loads(capsys.readouterr().out)
        row = next(r for r in payload["comparison"] if r["definition"] == "cass_three_waves")
        # CASS starts in 2015: its emergence is taken back to 2010, and the note says so
        assert row["status"] == "ok" and row["log_ml"] is not None
        assert "taken back to cover 2010–2014" in row["note"]

    def test_compare_user_waves(self, capsys, step_csv):
        spec = "emergence:2010,decline:2013,resurgence:2016"
        args = ["compare", str(step_csv), "--waves", spec, "--waves", "m=a:2010,b:2014"]
        assert main(args) == 0
        out = capsys.readouterr().out
        assert "Highest posterior probability" in out
        assert "note: prior sensitivity" in out
        assert main([*args, "--json"]) == 0
        payload = json.loads(capsys.readouterr().out)
        names = [r["definition"] for r in payload["comparison"]]
        assert spec in names and "m" in names
        # the user's definitions are compared with the data-driven set
        assert "conventional lifecycle" in names
        assert "best segmentation (4 phases, estimated)" in names

    def test_compare_table(self, capsys, step_csv):
        assert main(["compare", str(step_csv), "--definition", "no change"]) == 0
        out = capsys.readouterr().out
        assert "Highest posterior probability: '" in out
        assert "Compared on 2010–2017" in out
        assert "no change" in out

    def test_compare_prints_a_compact_table_that_fits_100_columns(self, capsys, step_csv):
        args = ["compare", str(step_csv), "--definition", "no change", "--waves", "a:2010,b:2014"]
        assert main(args) == 0
        out = capsys.readouterr().out
        widths = [len(line) for line in out.splitlines()]
        assert max(widths) <= 100, out
        header = next(ln for ln in out.splitlines() if ln.startswith("definition"))
        assert header.split() == ["definition", "k", "log-lik", "AICc", "weight", "posterior",
                                  "note"]  # fmt: skip
        assert "dAIC" not in out and "lr_p_value" not in out
        assert "Every column: --wide, --json, or --out DIR" in out
        assert main([*args, "--wide"]) == 0
        wide = capsys.readouterr().out
        assert "lr_p_value" in wide and "posterior_prob_alt" in wide
        assert max(len(line) for line in wide.splitlines()) > 100

    def test_compare_long_series_with_a_gap_and_a_partial_year(self, capsys, tmp_path):
        rng = np.random.default_rng(12)
        years = [y for y in range(1970, 2022) if y != 1993]
        t = np.arange(len(years))
        rate = 5 + 40 * np.exp(-(((t - 15) / 6) ** 2)) + 30 * np.exp(-(((t - 40) / 5) ** 2))
        expo = np.where(np.array(years) == 2021, 0.5, 1.0)
        y = rng.poisson(rate * expo)
        p = tmp_path / "long.csv"
        pd.DataFrame({"year": years, "count": y, "exposure": expo}).to_csv(p, index=False)
        args = ["compare", str(p), "--allow-missing", "--json"]
        assert main([*args, "--waves", "emergence:1970,decline:1990,resurgence:2001"]) == 0
        payload = json.loads(capsys.readouterr().out)
        assert payload["compared_on"] == "1970–2021, 51 observations"
        assert payload["left_out"] == []
        rows = {r["definition"]: r for r in payload["comparison"]}
        user = rows["emergence:1970,decline:1990,resurgence:2001"]
        assert user["status"] == "ok" and user["n_phases"] == 3
        assert {"no change", "conventional lifecycle"} <= set(rows)

    def test_compare_monthly_csv(self, capsys, tmp_path):
        months = pd.period_range("2018-01", "2021-12", freq="M")
        y = np.random.default_rng(4).poisson(np.r_[np.full(24, 9.0), np.full(24, 3.0)])
        p = tmp_path / "monthly.csv"
        pd.DataFrame({"month": [str(m) for m in months], "count": y}).to_csv(p, index=False)
        args = ["compare", str(p), "--json", "--definition", "cass_three_waves"]
        assert main(args) == 0
        payload = json.loads(capsys.readouterr().out)
        rows = {r["definition"]: r for r in payload["comparison"]}
        assert rows["cass_three_waves"]["status"] == "ok"
        assert payload["compared_on"].startswith("2018-01–2021-12")

    def test_resurgence_json(self, capsys, waves_csv):
        args = ["test", str(waves_csv), "--json", "--bootstrap", "199", "--power-sims", "200"]
        args += ["--family", "poisson"]  # the expectations below are Poisson's
        assert main(args) == 0
        payload = json.loads(capsys.readouterr().out)
        t = payload["test"]
        assert t["test"] == "resurgence"
        assert t["p_value"] == pytest.approx(1 / 200)  # no replicate reaches the statistic
        assert (t["peak"], t["trough"], t["second_peak"]) == (2013, 2016, 2020)
        assert payload["power"]["power"] > 0.9
        assert len(payload["fitted"]) == 12
        assert payload["verdict"]["verdict"] == "resurgence supported"
        assert "a decline of 50% from the first peak" in payload["verdict"]["alternative"]

    def test_resurgence_table(self, capsys, waves_csv):
        assert main(["test", str(waves_csv), "--bootstrap", "99", "--power-sims", "100"]) == 0
        out = capsys.readouterr().out
        assert "resurgence test rejects a single rise and fall" in out
        assert "Fitted wave: peak 2013, trough 2016, second peak 2020" in out

    def test_serial_option_and_the_warning_that_names_it(self, capsys, tmp_path):
        from lifecycle._core.serial import draw_latent_ar1

        rng = np.random.default_rng(3)  # a latent AR(1), rho = 0.9: the warning fires
        y = draw_latent_ar1(np.full((1, 60), 40.0), np.array([0.25]), np.array([0.9]), rng)[0]
        p = tmp_path / "wander.csv"
        pd.DataFrame({"year": range(1960, 2020), "count": y.astype(int)}).to_csv(p, index=False)
        base = ["test", str(p), "--family", "negbin", "--bootstrap", "19", "--power-sims", "20"]
        assert main(base) == 0
        err = capsys.readouterr().err
        assert "autocorrelated" in err and "Use --serial ar1." in err
        assert "serial='ar1'" not in err
        assert main([*base, "--serial", "ar1"]) == 0
        out = capsys.readouterr()
        assert "autocorrelated" not in out.err
        assert "Serial dependence: the bootstrap draws a latent AR(1)" in out.out
        assert main([*base, "--serial", "ar1", "--json"]) == 0
        payload = json.loads(capsys.readouterr().out)
        assert payload["serial"] == "ar1"
        assert "fast double bootstrap" in payload["test"]["method"]


class TestEvidence:
    def test_list_json(self, capsys):
        assert main(["evidence", "list", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert rows and all(r["id"].startswith("Q") for r in rows)
        assert all(r["quote"] for r in rows)

    def test_list_sources_table(self, capsys):
        assert main(["evidence", "list", "--table", "sources"]) == 0
        out = capsys.readouterr().out
        for sid in ("amin_asif", "csis_2018", "rana_2024", "yip_2024", "toca_2024"):
            assert sid in out

    def test_check(self, capsys):
        rc = main(["evidence", "check", "--json"])
        payload = json.loads(capsys.readouterr().out)
        assert rc == (0 if payload["ok"] else 1)
        assert payload["ok"] == (payload["problems"] == [])

    def test_conflicts(self, capsys):
        assert main(["evidence", "conflicts", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert all(r["id_a"] != r["id_b"] for r in rows)
        assert {"table", "key", "field", "value_a", "value_b"} <= set(rows[0])


class TestReport:
    def test_report_on_a_user_csv(self, capsys, waves_csv, tmp_path):
        out = tmp_path / "rep"
        rc = main(["report", str(waves_csv), "--out", str(out), "--bootstrap", "49", "--json",
                   "--no-progress"])  # fmt: skip
        assert rc == 0
        payload = json.loads(capsys.readouterr().out)
        assert "report.md" in payload["files"]
        assert "report.html" in payload["files"]
        assert (out / "tables" / "verdicts.csv").exists()
        assert [v["indicator"] for v in payload["verdicts"]] == ["waves"]

    def test_only_needs_the_embedded_evidence(self, capsys, waves_csv, tmp_path):
        rc = main(["report", str(waves_csv), "--only", "clashes", "--out", str(tmp_path)])
        assert "--only selects indicators" in one_line_error(capsys, rc)


def test_detect_on_a_gtd_export(capsys, tmp_path):
    """An event export goes through the events module: filter by actor, count per year."""
    cols = ["eventid", "iyear", "imonth", "iday", "country_txt", "gname", "nkill", "nwound"]
    rows = []
    for year, n in zip(range(2010, 2016), [1, 1, 1, 5, 5, 5], strict=True):
        rows += [[f"{year}0101{i:04d}", year, 1 + i, 10, "Afghanistan", "Group A", 1, 0]
                 for i in range(n)]  # fmt: skip
    rows.append(["201512310001", 2015, 12, 31, "Pakistan", "Group B", 0, 0])
    p = tmp_path / "gtd.csv"
    p.write_text("\n".join(",".join(map(str, r)) for r in [cols, *rows]) + "\n")
    rc = main(["detect", "--gtd", str(p), "--actor", "Group A", "--json", "--bootstrap", "49"])
    assert rc == 0
    payload = json.loads(capsys.readouterr().out)
    assert [s["count"] for s in payload["segments"]] == [3, 15]
    assert payload["breaks"] == [2013]


class TestForPeople:
    """Issue 13: the count column by name, errors in the command's terms, JSON errors."""

    def test_count_column_by_name(self, capsys, tmp_path):
        p = tmp_path / "named.csv"
        p.write_text("year,attacks,other\n" + "".join(
            f"{ln},0\n" for ln in STEP.splitlines()[1:]))  # fmt: skip
        rc = main(["detect", str(p), "--count-column", "attacks", "--bootstrap", "19", "--json"])
        out = json.loads(capsys.readouterr().out)
        assert rc == 0 and out["breaks"] == [2014] and out["measure"] == "attacks"
        rc = main(["detect", str(p), "--count-column", "nope", "--bootstrap", "19"])
        msg = one_line_error(capsys, rc)
        assert "--count-column 'nope' is not a column of named.csv" in msg
        assert "['year', 'attacks', 'other']" in msg

    def test_single_column_beside_the_year_is_the_count(self, capsys, tmp_path):
        p = tmp_path / "one.csv"
        p.write_text(STEP.replace("year,count", "year,attacks"))
        assert main(["detect", str(p), "--bootstrap", "19", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["breaks"] == [2014]

    def test_errors_name_rows_years_and_options(self, capsys, tmp_path):
        p = tmp_path / "neg.csv"
        p.write_text("year,count\n2010,3\n2011,-4\n2012,5\n")
        msg = one_line_error(capsys, main(["detect", str(p)]))
        assert "position" not in msg
        assert "row" in msg and "2011" in msg
        g = tmp_path / "gap.csv"
        g.write_text("year,count\n2010,3\n2012,4\n2013,5\n")
        msg = one_line_error(capsys, main(["detect", str(g)]))
        assert "--allow-missing" in msg and "allow_missing=True" not in msg

    def test_json_errors_are_json(self, capsys, tmp_path):
        rc = main(["detect", str(tmp_path / "missing.csv"), "--json"])
        out = capsys.readouterr()
        assert rc == 2 and out.err == ""
        err = json.loads(out.out)["error"]
        assert "missing.csv" in err["message"] and err["type"]
        rc = main(["detect", "--no-such-option", "--json"])
        out = capsys.readouterr()
        assert rc == 2
        assert "--no-such-option" in json.loads(out.out)["error"]["message"]

    def test_p_at_the_bootstrap_floor(self, capsys, tmp_path):
        p = tmp_path / "big.csv"
        p.write_text("year,count\n" + "".join(
            f"{2000 + i},{c}\n" for i, c in enumerate([5] * 6 + [60] * 6)))  # fmt: skip
        assert main(["detect", str(p), "--bootstrap", "19"]) == 0
        out = capsys.readouterr().out
        assert "p ≤ 0.05 (" in out  # 1 / (19 + 1): no replicate reached the observed statistic


# ---------------------------------------------------------------- one story (issue 12 item 8)
def _two_wave_csv(path, *, n, start, base, height, peaks, width, alpha, seed=1):
    """NB counts (seeded) around two smooth Gaussian waves on a base, written as a CSV."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    mu = base + sum(height * np.exp(-(((t - c) / width) ** 2)) for c in peaks)
    y = rng.poisson(rng.gamma(1 / alpha, alpha * mu))
    pd.DataFrame({"year": start + t, "count": y}).to_csv(path, index=False)
    return path


def _gradual_two_waves(tmp_path):
    """30 NB counts (alpha 0.15) around two smooth waves: no step, but two modes."""
    return _two_wave_csv(tmp_path / "gradual.csv", n=30, start=1990, base=6, height=14,
                         peaks=(7, 24), width=4.5, alpha=0.15)  # fmt: skip


def test_detect_and_test_reconcile_no_step_with_a_rejected_single_wave(capsys, tmp_path):
    p = _gradual_two_waves(tmp_path)
    common = ["--family", "negbin", "--bootstrap", "199"]
    assert main(["detect", str(p), *common, "--json"]) == 0
    det = json.loads(capsys.readouterr().out)
    assert det["n_changes"] == 0  # the NB search finds no step
    assert det["shape_test"]["rejects_single_wave"] is True
    assert det["shape_test"]["p_value"] <= 0.05
    assert det["story"].startswith("The negbin search finds no step change, but the shape test")
    assert main(["test", str(p), *common, "--power-sims", "50", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["test"]["p_value"] == det["shape_test"]["p_value"]  # the same test, same seed
    assert res["change_points"]["n_changes"] == 0
    assert res["story"] == det["story"]
    assert main(["detect", str(p), *common]) == 0
    out = capsys.readouterr().out
    assert "Shape test (lifecycle test): rejects a single rise and fall" in out
    assert "declines and rebounds gradually" in out


def test_no_story_when_detect_and_test_agree(capsys, tmp_path):
    p = tmp_path / "flat.csv"
    y = np.random.default_rng(2).poisson(np.full(24, 12.0))
    pd.DataFrame({"year": 2000 + np.arange(24), "count": y}).to_csv(p, index=False)
    args = ["detect", str(p), "--family", "poisson", "--bootstrap", "99", "--json"]
    assert main(args) == 0
    det = json.loads(capsys.readouterr().out)
    assert det["n_changes"] == 0 and det["shape_test"]["rejects_single_wave"] is False
    assert det["story"] is None


def test_detect_explains_criterion_changes_the_change_test_does_not_confirm(capsys, tmp_path):
    # 52 NB counts (alpha 0.4) around two smooth waves: BIC selects several changes, the
    # bootstrap test of one change against none does not reject
    p = _two_wave_csv(tmp_path / "waves.csv", n=52, start=1970, base=20, height=25,
                      peaks=(12, 38), width=6, alpha=0.4)  # fmt: skip
    args = ["detect", str(p), "--family", "negbin", "--bootstrap", "99", "--json"]
    assert main(args) == 0
    det = json.loads(capsys.readouterr().out)
    k = det["n_changes"]
    assert k >= 2
    assert det["test_change"]["p_value"] > 0.05
    assert f"selects {k} change(s) by its criterion" in det["story"]
    assert f"test_change(max_changes={k})" in det["story"]

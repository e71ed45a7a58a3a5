"""Tests of the ``crimestats`` command: ``story`` and ``report`` on every published workbook.

The expected figures are the founding report's (DESIGN.md, ``../shared/reference/story.csv``)
and the workbooks' own Tables P1-P3 (``../shared/data``, SOURCES.md): a report must give a
complete row for each of the 43 forces and British Transport Police, in every output format.
"""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crimestats
from crimestats import ons
from crimestats.cli import main
from crimestats.report.figures import SURVEY_DEFT, SURVEY_VICTIMS_BASE
from crimestats.story import FORMATS, REPORT_COLUMNS, story

DATA = Path(__file__).parents[1].parent / "shared" / "data"
# the eight ONS police force area tables of SOURCES.md
WORKBOOKS = sorted(p.name for p in DATA.glob("*.xlsx") if p.name.startswith(("pfa", "policeforce")))
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not present")

FORCE_COUNT = 43


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_story_prints_the_founding_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "story")
    assert code == 0 and err == ""
    assert out == story().text()
    flat = " ".join(out.split())
    for figure in [
        "5,108",
        "up 3 per cent from 4,949",
        "around seven per 1,000 people",
        "10 per 1,000 average",
        "599,908",
        "a 6 per cent decrease from 636,954",
        "70 per cent of the 1.4 million",
        "one in eight women",
        "p = 0.115",
    ]:
        assert figure in flat, figure


def test_story_for_another_area_and_its_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "story", "--area", "Devon & Cornwall", "--deft", "1.1")
    assert code == 0
    assert out.startswith("Stalking and harassment in Devon and Cornwall, the year to March 2025")
    assert "design factor of 1.1" in " ".join(out.split())


@needs_data
def test_story_from_a_users_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "story", "--table", DATA / "pfatablesdec19.xlsx", "--area", "Devon and Cornwall",
        "--offence", "burglary",
    )  # fmt: skip
    assert code == 0
    assert out.startswith("Burglary in Devon and Cornwall, the year to December 2019")
    assert "Greater Manchester supplied no data" in " ".join(out.split())


def test_story_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "story", "--area", "Kent")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("crimestats: error: area 'Kent' is not in the embedded data")


@needs_data
def test_every_workbook_is_found() -> None:
    assert len(WORKBOOKS) == 8


@needs_data
@pytest.mark.parametrize("name", WORKBOOKS)
def test_report_on_every_workbook_in_every_format(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    tables = ons.read_pfa_tables(DATA / name)
    forces = tables.offence("stalking")
    force_names = forces.loc[forces["area_type"] == "force", "area_name"].tolist()
    assert len(force_names) == FORCE_COUNT
    excluded = set(tables.excluded)
    for fmt in FORMATS:
        code, out, err = run(
            capsys, "report", DATA / name, "--offence", "stalking", "--format", fmt
        )
        assert code == 0, err
        assert f"Reading {name}" in err  # progress on stderr
        if fmt == "csv":
            rows = pd.read_csv(StringIO(out))
        elif fmt == "json":
            document = json.loads(out)
            rows = pd.DataFrame(document["rows"])
            assert document["period"] == tables.period
        if fmt in ("csv", "json"):
            assert list(rows.columns) == REPORT_COLUMNS
            body = rows[rows["area_type"].isin(["force", "other"])].set_index("area_name")
            assert sorted(body.index) == sorted([*force_names, "British Transport Police"])
            complete = body.drop(index=list(excluded))
            for column in ["count", "previous", "change", "percent_change", "change_p_value"]:
                assert complete[column].notna().all(), (fmt, column)
            assert complete["change_significant"].notna().all()
            with_rate = complete.drop(index=["British Transport Police", "City of London"])
            for column in ["population", "rate", "lower", "upper", "comparison"]:
                assert with_rate[column].notna().all(), (fmt, column)
            for force in excluded:
                assert "supplied no data" in body.loc[force, "note"]
        else:
            lines = out.splitlines()
            listed = forces.loc[forces["area_type"] != "region"]  # West Midlands is both
            for code, force in zip(listed["area_code"], listed["area_name"], strict=True):
                if force in ("England and Wales", "England", "Wales"):
                    continue
                key = code if isinstance(code, str) else ""  # BTP has no code
                if fmt == "markdown":
                    rows_found = [line for line in lines if f"| {key} | {force} |" in line]
                    cells = [c.strip() for c in rows_found[0].split("|")]
                    count, previous = cells[3], cells[4]
                else:
                    rows_found = [
                        line for line in lines
                        if line.split()[:1] == [key or "British"] and f" {force} " in line + " "
                    ]  # fmt: skip
                    after = rows_found[0].split(force, 1)[1].split()
                    count, previous = after[0], after[1]
                assert len(rows_found) == 1, (fmt, force)
                if force in excluded:
                    assert (count, previous) == ("..", ".."), (fmt, force)
                else:
                    assert count.replace(",", "").isdigit(), (fmt, force, count)
                    assert previous.replace(",", "").isdigit(), (fmt, force, previous)
            if excluded:
                assert "Greater Manchester supplied no data" in out
                assert "(excluding Greater Manchester)" in out


@needs_data
def test_report_dec_2019_says_the_missing_force(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "report", DATA / "pfatablesdec19.xlsx", "--format", "csv")
    assert code == 0
    rows = pd.read_csv(StringIO(out)).set_index("area_name")
    assert rows.loc["Greater Manchester", "note"] == (
        "supplied no data; left out of the national and regional totals"
    )
    assert "excludes Greater Manchester" in rows.loc["England and Wales", "note"]
    assert "note: Greater Manchester supplied no data for the year ending December 2019" in err


@needs_data
def test_report_area_filter_and_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "report", DATA / "pfatablesdec19.xlsx", "--area", "Bedfordshire", "--area",
        "E23000035", "--format", "json", "--quiet",
    )  # fmt: skip
    assert code == 0 and err == ""
    names = [row["area_name"] for row in json.loads(out)["rows"]]
    assert names == ["Bedfordshire", "Devon and Cornwall"]


@needs_data
@pytest.mark.parametrize(
    "name",
    [
        "state_crime.csv",
        "mye24tablesew.csv",
        "LAD23_Mid_Year_pop_2011_to_2023.xlsx",
        "SOURCES.md",
    ],
)
def test_report_on_a_file_that_is_not_an_ons_table(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, err = run(capsys, "report", DATA / name)
    assert code == 2 and out == ""
    message = [line for line in err.splitlines() if line.startswith("crimestats: error:")]
    assert len(message) == 1
    assert name in message[0]
    assert "not" in message[0]
    assert "Traceback" not in err


def test_report_on_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "report", tmp_path / "nowhere.xlsx", "--quiet")
    assert code == 2
    assert err == f"crimestats: error: no such file: {tmp_path / 'nowhere.xlsx'}\n"


def test_report_on_a_text_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook\n")
    code, _, err = run(capsys, "report", path, "--quiet")
    assert code == 2
    assert err.startswith("crimestats: error: notes.xlsx is not a spreadsheet")
    assert err.count("\n") == 1


@needs_data
def test_report_unknown_offence_lists_the_offences(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "report", DATA / "pfatablesdec19.xlsx", "--offence", "fraud")
    assert code == 2 and out == ""
    message = err.splitlines()[-1]
    assert message.startswith(
        "crimestats: error: offence 'fraud' is not in pfatablesdec19.xlsx. Offences in the "
        "table: Total recorded crime (excluding fraud); Violence against the person;"
    )
    assert "Stalking and harassment" in message


@needs_data
def test_report_charts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    funnel, changes = tmp_path / "funnel.png", tmp_path / "change.png"
    code, _, err = run(
        capsys, "report", DATA / "pfatablesdec19.xlsx", "--offence", "stalking", "--chart",
        funnel, "--change-chart", changes,
    )  # fmt: skip
    assert code == 0
    assert f"Drawing the funnel plot to {funnel}" in err
    for path in (funnel, changes):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 20_000


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"crimestats {crimestats.__version__}\n"


def test_story_defaults_are_the_storys(capsys: pytest.CaptureFixture[str]) -> None:
    # the command line's defaults are story()'s own, not a copy of them
    with pytest.raises(SystemExit):
        main(["story", "--help"])
    flat = " ".join(capsys.readouterr().out.split())
    assert f"(default {SURVEY_VICTIMS_BASE:,})" in flat and f"(default {SURVEY_DEFT:g})" in flat


@needs_data
def test_report_chart_without_matplotlib_prints_the_table_first(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # as if not installed
    code, out, err = run(
        capsys, "report", DATA / "pfatablesdec19.xlsx", "--offence", "stalking", "--quiet",
        "--chart", tmp_path / "funnel.png",
    )  # fmt: skip
    assert code == 2
    assert out.startswith("Stalking and harassment, year ending December 2019")
    assert "Bedfordshire" in out
    assert err.strip().endswith("pip install 'crimestats[plot]' (or pip install matplotlib)")
    assert not (tmp_path / "funnel.png").exists()


@needs_data
def test_report_area_matches_loosely(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "report", DATA / "pfatablesdec19.xlsx", "--offence", "stalking", "--area",
        "Devon", "--format", "csv", "--quiet",
    )  # fmt: skip
    assert code == 0
    assert pd.read_csv(StringIO(out))["area_name"].tolist() == ["Devon and Cornwall"]
    code, _, err = run(capsys, "report", DATA / "pfatablesdec19.xlsx", "--area", "North", "--quiet")
    assert code == 2
    assert "area 'North' matches more than one area in pfatablesdec19.xlsx: North East" in err


@needs_data
def test_report_adjust(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "report", DATA / "pfatablesdec19.xlsx", "--adjust", "bonferroni", "--format",
        "csv",
    )  # fmt: skip
    assert code == 0
    rows = pd.read_csv(StringIO(out))
    tested = rows["change_p_value"].notna()
    expected = np.minimum(1.0, rows.loc[tested, "change_p_value"] * tested.sum())  # Bonferroni
    np.testing.assert_allclose(rows.loc[tested, "p_adjusted"], expected, rtol=1e-12)
    assert "note: p_adjusted: the 55 changes' p-values adjusted" in err
    with pytest.raises(SystemExit) as stopped:
        main(["report", str(DATA / "pfatablesdec19.xlsx"), "--adjust", "sidak"])
    assert stopped.value.code == 2 and "invalid choice: 'sidak'" in capsys.readouterr().err


def test_the_console_script_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crimestats.cli", "story"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout == story().text()


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 2
    assert "usage: crimestats" in capsys.readouterr().err

"""Hostile and careless input to import, validate, build and fetch.

Every case runs the command as a user would (``cli.main``) or calls the entry point the
command calls, and asserts the exit code, that the message names the file, row, column and
value, and that nothing was written unless the input was accepted (the data folder's bytes
and modification times before and after).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ecoreport import cli
from ecoreport.data.tables import read_table
from ecoreport.errors import DataValidationError, EcoreportError
from ecoreport.ingest import importer
from ecoreport.ingest.fetch import FetchError, fetch_indicators
from ecoreport.locks import FileLock
from ecoreport.paths import project_root

YEAR = dt.date.today().year
# Indicators kept in the small data folder: a count, a percentage, an amount per inhabitant
# and the population (for per-capita normalisation).
KEPT = ("nystartade_foretag", "eftergymnasial_3ar_andel", "varuexport_per_invanare", "befolkning")


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    """A small data folder: the real catalogue with four indicators' values."""
    source = project_root() / "data"
    target = tmp_path / "data"
    target.mkdir()
    for name in ("indicators.yaml", "sources.yaml", "regions.yaml"):
        shutil.copy2(source / name, target / name)
    values = read_table(source / "values.csv")
    values[values["indicator_id"].isin(KEPT)].to_csv(target / "values.csv", index=False)
    survey = read_table(source / "survey.csv")
    survey.head(0).to_csv(target / "survey.csv", index=False)
    return target


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and modification time of every file (the lock file is process state)."""
    return {str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != importer.LOCK_FILE}


def run(args: list[str], capsys) -> tuple[int, str]:
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def wide(tmp_path: Path, header: str, row: str, name: str = "in.csv") -> Path:
    return write_csv(tmp_path / name, f"Län;{header}\n{row}\n")


def import_args(path: Path, indicator: str, data: Path, *extra: str) -> list[str]:
    """The import command; --replace, as the stored values are partly observed."""
    return ["import", str(path), "--indicator", indicator, "--data", str(data), "--replace",
            *extra]


def assert_refused(data: Path, before, code: int, message: str, *parts: str) -> None:
    assert code == 2, message
    for part in parts:
        assert part in message, (part, message)
    assert snapshot(data) == before


def xlsx_two_row_header(path: Path) -> Path:
    """An xlsx as Excel users make it: a merged title cell over the years on row 2."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Blad1"
    sheet.append(["Nystartade företag", None, None])
    sheet.merge_cells("A1:C1")
    sheet.append(["Län", "2022", "2023"])
    sheet.append(["Västerbottens län", 1500, 1600])
    book.save(path)
    return path


# --- import --------------------------------------------------------------------------------

def test_import_mistyped_year_header_is_a_warning_naming_it(tmp_path, data, capsys):
    source = wide(tmp_path, "2022;20x4", "Västerbottens län;1500;1600")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert code == 0
    assert "in.csv, row 1, column '20x4': column '20x4' not read" in out
    assert "24,nystartade_foretag,2022,1500,observed" in (data / "values.csv").read_text()


def test_import_strict_refuses_a_mistyped_year_header(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022;20x4", "Västerbottens län;1500;1600")
    code, out = run(import_args(source, "nystartade_foretag", data, "--strict"), capsys)
    assert_refused(data, before, code, out, "--strict refuses", "in.csv, row 1",
                   "column '20x4'")


def test_import_implausible_count_is_an_error(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;1e308")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "in.csv, row 2, column '2022'", "'1e+308'",
                   "implausibly large", "at most 1e+09")


def test_import_infinite_value_is_an_error(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;1e309")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "in.csv, row 2, column '2022'", "'1e309'",
                   "not a finite number")


def test_import_implausible_amount_per_inhabitant(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;250000000")
    code, out = run(import_args(source, "varuexport_per_invanare", data), capsys)
    assert_refused(data, before, code, out, "in.csv, row 2, column '2022'", "'250000000'",
                   "at most 1e+07")


def test_import_fraction_for_a_percentage_warns(tmp_path, data, capsys):
    source = wide(tmp_path, "2022;2023", "Västerbottens län;0,427;0,43")
    code, out = run(import_args(source, "eftergymnasial_3ar_andel", data), capsys)
    assert code == 0
    assert "in.csv, row 2, column '2022'" in out
    assert "lie between 0 and 1, while the stored values reach" in out
    assert "multiply by 100" in out


def test_import_strict_refuses_a_fraction_for_a_percentage(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022;2023", "Västerbottens län;0,427;0,43")
    code, out = run(import_args(source, "eftergymnasial_3ar_andel", data, "--strict"), capsys)
    assert_refused(data, before, code, out, "in.csv, row 2, column '2022'", "0.427",
                   "fractions where percentages are expected")


def test_import_counts_suppressed_cells(tmp_path, data, capsys):
    source = wide(tmp_path, "2021;2022;2023", "Västerbottens län;..;–;1600")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert code == 0
    assert "in.csv: 2 suppressed or empty cell(s)" in out
    rows = read_table(data / "values.csv")
    own = rows[(rows["region_code"] == "24") & (rows["indicator_id"] == "nystartade_foretag")]
    assert "0" not in set(own.loc[own["period"].isin(["2021", "2022"]), "value"])


@pytest.mark.parametrize("year", ["1850", "2090"])
def test_import_year_header_out_of_range(tmp_path, data, capsys, year):
    before = snapshot(data)
    source = wide(tmp_path, year, "Västerbottens län;1500")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, f"in.csv, row 1, column '{year}'",
                   f"year '{year}' is out of range", f"years 1950–{YEAR}")


def test_import_long_table_period_out_of_range(tmp_path, data, capsys):
    before = snapshot(data)
    source = write_csv(tmp_path / "long.csv", "län,år,värde\n24,2022,1500\n24,1850,1400\n")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "long.csv, row 3, column 'år'", "'1850'")


def test_import_not_a_number(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;1,2x")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "in.csv, row 2, column '2022'", "'1,2x'",
                   "is not a number")


def test_import_unknown_region(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Atlantis län;1500")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "in.csv, row 2, column 'Län'", "Atlantis")


def test_import_second_value_for_one_cell(tmp_path, data, capsys):
    before = snapshot(data)
    source = write_csv(tmp_path / "in.csv",
                       "Län;2022\nVästerbottens län;1500\nVästerbotten;1501\n")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "in.csv, row 3, column '2022'",
                   "a second value for 24 2022 (first in row 2)", "'1501'")


def test_import_negative_count(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;-5")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "in.csv, row 2, column '2022'", "'-5'",
                   "out of range")


def test_import_percentage_above_100(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;142")
    code, out = run(import_args(source, "eftergymnasial_3ar_andel", data), capsys)
    assert_refused(data, before, code, out, "in.csv, row 2, column '2022'", "'142'",
                   "between 0 and 100")


def test_import_xlsx_two_row_header_names_sheet_and_suggests_header_row(tmp_path, data,
                                                                      capsys):
    before = snapshot(data)
    source = xlsx_two_row_header(tmp_path / "nystartade.xlsx")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "nystartade.xlsx, sheet 'Blad1', row 1",
                   "row 2 has years (2022, 2023)", "--header-row 2")


def test_import_xlsx_with_header_row_option(tmp_path, data, capsys):
    source = xlsx_two_row_header(tmp_path / "nystartade.xlsx")
    code, out = run(import_args(source, "nystartade_foretag", data, "--header-row", "2"),
                    capsys)
    assert code == 0, out
    text = (data / "values.csv").read_text(encoding="utf-8")
    assert "24,nystartade_foretag,2023,1600,observed" in text


def test_import_header_row_must_be_a_row_number(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;1500")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(import_args(source, "nystartade_foretag", data, "--header-row", "0"))
    message = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "--header-row: '0' is not a row number" in message
    assert snapshot(data) == before


def test_import_corrupt_xlsx(tmp_path, data, capsys):
    before = snapshot(data)
    source = write_csv(tmp_path / "broken.xlsx", "this is not a workbook")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "broken.xlsx", "not an xlsx workbook")


def test_import_a_folder_instead_of_a_file(tmp_path, data, capsys):
    before = snapshot(data)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    code, out = run(import_args(folder, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "folder.csv", "not a file")


def test_import_missing_file(tmp_path, data, capsys):
    before = snapshot(data)
    code, out = run(import_args(tmp_path / "nothing.csv", "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "nothing.csv", "file not found")


def test_import_empty_file(tmp_path, data, capsys):
    before = snapshot(data)
    source = write_csv(tmp_path / "empty.csv", "")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "empty.csv", "the file is empty")


def test_import_ragged_row(tmp_path, data, capsys):
    before = snapshot(data)
    source = write_csv(tmp_path / "ragged.csv", "Län;2022\nVästerbottens län;1500;17;3\n")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "ragged.csv, row 2", "4 fields in a row of 2")


def test_import_unknown_indicator_suggests_one(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;1500")
    code, out = run(import_args(source, "nystartade_foretaag", data), capsys)
    assert_refused(data, before, code, out, "nystartade_foretaag", "nystartade_foretag")


def test_import_unknown_sheet(tmp_path, data, capsys):
    before = snapshot(data)
    source = xlsx_two_row_header(tmp_path / "nystartade.xlsx")
    code, out = run(import_args(source, "nystartade_foretag", data, "--sheet", "Blad9"),
                    capsys)
    assert_refused(data, before, code, out, "nystartade.xlsx", "Blad9")


def test_import_mapping_with_a_python_tag_is_not_executed(tmp_path, data, capsys):
    before = snapshot(data)
    marker = tmp_path / "pwned"
    mapping = write_csv(tmp_path / "map.yaml", (
        f"imports: !!python/object/apply:os.system ['touch {marker}']\n"))
    code, out = run(["import", "--mapping", str(mapping), "--data", str(data)], capsys)
    assert_refused(data, before, code, out, "map.yaml", "not valid YAML")
    assert not marker.exists()


def test_import_mapping_with_an_unknown_key(tmp_path, data, capsys):
    before = snapshot(data)
    mapping = write_csv(tmp_path / "map.yaml", (
        "imports:\n  - file: in.csv\n    indicator: nystartade_foretag\n    headerrow: 2\n"))
    code, out = run(["import", "--mapping", str(mapping), "--data", str(data)], capsys)
    assert_refused(data, before, code, out, "map.yaml", "unknown key(s) ['headerrow']",
                   "header_row")


def test_import_shell_metacharacters_in_region_do_nothing(tmp_path, data, capsys):
    before = snapshot(data)
    marker = tmp_path / "pwned"
    source = wide(tmp_path, "2022", "Västerbottens län;1500")
    code, out = run(import_args(source, "nystartade_foretag", data, "--region",
                                f"24; touch {marker}"), capsys)
    assert_refused(data, before, code, out, f"24; touch {marker}")
    assert not marker.exists()


def test_import_dry_run_writes_nothing(tmp_path, data, capsys):
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;1500")
    code, out = run(import_args(source, "nystartade_foretag", data, "--dry-run"), capsys)
    assert code == 0 and "Dry run" in out
    assert snapshot(data) == before


def test_import_through_a_symlink_updates_its_target(tmp_path, data, capsys):
    shared = tmp_path / "shared" / "values.csv"
    shared.parent.mkdir()
    (data / "values.csv").rename(shared)
    (data / "values.csv").symlink_to(shared)
    source = wide(tmp_path, "2022", "Västerbottens län;1500")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert code == 0, out
    assert (data / "values.csv").is_symlink()
    assert "24,nystartade_foretag,2022,1500,observed" in shared.read_text(encoding="utf-8")
    assert not list(shared.parent.glob(".values.csv.*.tmp"))


def test_import_waits_for_another_import_then_names_it(tmp_path, data, capsys, monkeypatch):
    monkeypatch.setattr(importer, "LOCK_WAIT_SECONDS", 0.3)
    before = snapshot(data)
    source = wide(tmp_path, "2022", "Västerbottens län;1500")
    with FileLock(data / importer.LOCK_FILE, "held by the test"):
        code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert_refused(data, before, code, out, "another import or fetch into",
                   f"is running (pid {os.getpid()})")


def test_import_lock_of_a_dead_process_is_not_stale(tmp_path, data, capsys):
    holder = subprocess.run(
        [sys.executable, "-c", "from pathlib import Path; from ecoreport.locks import FileLock;"
         f"FileLock(Path({str(data / importer.LOCK_FILE)!r}), 'x').acquire()"],
        env={**os.environ}, check=True)
    assert holder.returncode == 0
    source = wide(tmp_path, "2022", "Västerbottens län;1500")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert code == 0, out


# --- validate ------------------------------------------------------------------------------

def append_value(data: Path, line: str) -> None:
    with (data / "values.csv").open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


@pytest.mark.parametrize("period", ["1850", "2090"])
def test_validate_refuses_a_period_that_import_refuses(tmp_path, data, capsys, period):
    append_value(data, f"24,nystartade_foretag,{period},1500,observed,tillvaxtanalys_nystartade,")
    rows = len(read_table(data / "values.csv")) + 1
    before = snapshot(data)
    code, out = run(["validate", "--data", str(data)], capsys)
    assert code == 1
    assert (f"values.csv, row {rows}, column 'period': year '{period}' is out of range"
            in out)
    assert f"years 1950–{YEAR}" in out
    assert snapshot(data) == before
    # and import says the same about the same period
    source = wide(tmp_path, period, "Västerbottens län;1500")
    code, out = run(import_args(source, "nystartade_foretag", data), capsys)
    assert code == 2 and f"year '{period}' is out of range" in out


def test_validate_refuses_an_implausible_value(data, capsys):
    append_value(data, "24,nystartade_foretag,2010,1e308,observed,tillvaxtanalys_nystartade,")
    before = snapshot(data)
    code, out = run(["validate", "--data", str(data)], capsys)
    assert code == 1
    assert "column 'value': '1e308' is implausibly large for 'nystartade_foretag'" in out
    assert snapshot(data) == before


def edit_yaml(path: Path, change) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def test_validate_refuses_markup_in_a_region_name(data, capsys):
    edit_yaml(data / "regions.yaml", lambda regions: regions[-1].update(
        name="<script>alert(1)</script><img src=x onerror=alert(4)>"))
    before = snapshot(data)
    code, out = run(["validate", "--data", str(data)], capsys)
    assert_refused(data, before, code, out, "regions.yaml", "field 'name'",
                   "<script>alert(1)</script>", "contains markup")


def test_validate_refuses_a_myst_role_in_an_indicator_name(data, capsys):
    def change(catalogue):
        catalogue["indicators"][0]["name_sv"] = "FoU {sub-ref}`today`"
    edit_yaml(data / "indicators.yaml", change)
    before = snapshot(data)
    code, out = run(["validate", "--data", str(data)], capsys)
    assert_refused(data, before, code, out, "indicators.yaml", "field 'name_sv'",
                   "contains markup")


def test_validate_refuses_a_negative_max_plausible(data, capsys):
    edit_yaml(data / "indicators.yaml",
              lambda catalogue: catalogue["units"]["count"].update(max_plausible=-1))
    before = snapshot(data)
    code, out = run(["validate", "--data", str(data)], capsys)
    assert_refused(data, before, code, out, "indicators.yaml", "unit 'count'",
                   "field 'max_plausible'")


def test_validate_does_not_execute_yaml_tags(tmp_path, data, capsys):
    marker = tmp_path / "pwned"
    path = data / "sources.yaml"
    path.write_text(path.read_text(encoding="utf-8") + (
        f"evil: !!python/object/apply:os.system ['touch {marker}']\n"), encoding="utf-8")
    before = snapshot(data)
    code, out = run(["validate", "--data", str(data)], capsys)
    assert_refused(data, before, code, out, "sources.yaml")
    assert not marker.exists()


# --- build ---------------------------------------------------------------------------------

def test_build_refuses_markup_in_names_before_writing(tmp_path, data, capsys):
    edit_yaml(data / "regions.yaml", lambda regions: [
        region.update(short_name="<img src=x onerror=alert(4)>") for region in regions
        if region["code"] == "24"])
    out_dir = tmp_path / "reports"
    code, out = run(["build", "--region", "24", "--data", str(data), "--out", str(out_dir)],
                    capsys)
    assert code == 2
    assert "regions.yaml" in out and "field 'short_name'" in out and "contains markup" in out
    assert not out_dir.exists() or not any(out_dir.rglob("*.html"))


def test_build_unknown_region_with_markup(tmp_path, data, capsys):
    out_dir = tmp_path / "reports"
    code, out = run(["build", "--region", "<script>alert(1)</script>", "--data", str(data),
                     "--out", str(out_dir)], capsys)
    assert code == 2
    assert "'<script>alert(1)</script>'" in out
    assert not out_dir.exists()


def test_build_out_pointing_at_a_file(tmp_path, data, capsys):
    out_file = tmp_path / "reports.txt"
    out_file.write_text("keep me", encoding="utf-8")
    code, out = run(["build", "--region", "24", "--data", str(data), "--out", str(out_file)],
                    capsys)
    assert code == 2
    assert "reports.txt" in out and "is a file, not a folder" in out
    assert "Traceback" not in out
    assert out_file.read_text(encoding="utf-8") == "keep me"


def test_build_year_without_data(tmp_path, data, capsys):
    out_dir = tmp_path / "reports"
    code, out = run(["build", "--region", "24", "--year", "2090", "--data", str(data),
                     "--out", str(out_dir)], capsys)
    assert code == 2
    assert "2090" in out
    assert not any(out_dir.rglob("*.html")) if out_dir.exists() else True


# --- fetch ---------------------------------------------------------------------------------

def kolada_answer(value: object) -> object:
    def fetch_json(url: str, body: dict | None, timeout: float) -> dict:
        return {"values": [{"kpi": "N85085", "municipality": "0024", "period": 2022,
                            "values": [{"gender": "T", "value": value}]}]}
    return fetch_json


def test_fetch_implausible_value_is_refused(data):
    before = snapshot(data)
    with pytest.raises(DataValidationError) as error:
        fetch_indicators(["fou_utgifter_foretag"], ["24"], data_dir=data,
                         fetch_json=kolada_answer(1e308))
    message = str(error.value)
    assert "kolada N85085, row 1, column 'value'" in message
    assert "'1e+308' is implausibly large" in message
    assert snapshot(data) == before


def test_fetch_malformed_answer_is_a_clear_error(data):
    before = snapshot(data)
    with pytest.raises(FetchError) as error:
        fetch_indicators(["fou_utgifter_foretag"], ["24"], data_dir=data,
                         fetch_json=lambda url, body, timeout: {"unexpected": []})
    assert "kolada N85085" in str(error.value) and "no 'values' list" in str(error.value)
    assert snapshot(data) == before


def test_fetch_waits_for_an_import_then_names_it(data, monkeypatch):
    monkeypatch.setattr(importer, "LOCK_WAIT_SECONDS", 0.3)
    before = snapshot(data)
    with FileLock(data / importer.LOCK_FILE, "held by the test"):
        with pytest.raises(EcoreportError) as error:
            fetch_indicators(["fou_utgifter_foretag"], ["24"], data_dir=data,
                             fetch_json=kolada_answer(3612.4))
    assert f"is running (pid {os.getpid()})" in str(error.value)
    assert snapshot(data) == before


def test_fetch_text_where_a_number_belongs_is_a_clear_error(data):
    before = snapshot(data)
    with pytest.raises(FetchError) as error:
        fetch_indicators(["fou_utgifter_foretag"], ["24"], data_dir=data,
                         fetch_json=kolada_answer("<script>alert(1)</script>"))
    assert str(error.value) == ("kolada N85085: the value for 0024 2022 is "
                                "'<script>alert(1)</script>', not a number")
    assert snapshot(data) == before

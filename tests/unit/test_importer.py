"""ecoreport import: spreadsheets as statistics producers and Swedish Excel write them.

Every test works on a copy of data/ in tmp_path; source files are generated here.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from ecoreport import cli
from ecoreport.errors import DataError, DataValidationError
from ecoreport.ingest.importer import (
    ImportSpec, format_import_summary, import_file, import_specs, load_mapping,
    parse_year_header,
)
from ecoreport.data.tables import read_table, write_tidy_csv
from ecoreport.paths import project_root

TODAY = dt.date(2026, 11, 23)
IMPORTED = "imported 2026-11-23 from"


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(project_root() / "data", target)
    return target


def lines_of(path: Path) -> dict[str, str]:
    """The data lines keyed by their first three (or four, survey) fields."""
    result = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split(",")
        key_width = 4 if path.name == "survey.csv" else 3
        result[",".join(fields[:key_width])] = line
    return result


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "Blad1") -> Path:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def write_text(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


# --- happy paths -------------------------------------------------------------------------

def test_wide_xlsx_with_suppressed_cells_and_method_break(data: Path, tmp_path: Path):
    before = lines_of(data / "values.csv")
    source = write_xlsx(tmp_path / "nystartade.xlsx", [
        ["Län", 2020, 2021, 2022, "2023*", "2023**", 2024],
        ["Västerbottens län", 1465, 1591, "..", 1250, 1299, 1528],
        ["Norrbottens län", 1461, 1499, 1380, 1190, 1220, "–"],
        ["Samtliga", 73687, 78685, 71000, 65000, 66500, 70000],
    ])

    result = import_file(source, "nystartade_foretag", data_dir=data, today=TODAY)

    after = lines_of(data / "values.csv")
    assert after["25,nystartade_foretag,2022"] == (
        f"25,nystartade_foretag,2022,1380,observed,tillvaxtanalys_nystartade,"
        f"{IMPORTED} nystartade.xlsx")
    assert after["25,nystartade_foretag,2023"] == (
        f'25,nystartade_foretag,2023,1220,observed,tillvaxtanalys_nystartade,"{IMPORTED} '
        f'nystartade.xlsx; method break: 2023 published 2 times, kept column 2023**, '
        f'ignored 2023*"')
    assert after["00,nystartade_foretag,2024"].startswith(
        "00,nystartade_foretag,2024,70000,observed,tillvaxtanalys_nystartade,")
    # suppressed cells are skipped, not zero: the synthetic 2024 value for 25 stays
    assert after["25,nystartade_foretag,2024"] == before["25,nystartade_foretag,2024"]
    assert after["24,nystartade_foretag,2022"] == before["24,nystartade_foretag,2022"]
    assert result.count("replaced_synthetic") == 5
    assert result.count("unchanged") == 8
    assert result.count("new") == result.count("conflict") == 0
    changed = {key for key in after if after[key] != before.get(key)}
    assert changed == {"25,nystartade_foretag,2022", "25,nystartade_foretag,2023",
                       "00,nystartade_foretag,2022", "00,nystartade_foretag,2023",
                       "00,nystartade_foretag,2024"}
    assert list(after) == list(before)  # same rows, same order
    assert any("method break" in note for note in result.notes)


def test_swedish_excel_csv_with_bom_and_decimal_commas(data: Path, tmp_path: Path):
    source = write_text(tmp_path / "fou.csv", (
        "\ufeffRegion;År;Värde\n"
        "Västerbotten;2022;3 612,5\n"
        "Riket;2023;12\u00a0801,25\n"
        "Stockholms län;2024;–\n"
        "01;2022;16 500\n"), "utf-8")

    result = import_file(source, "fou_utgifter_foretag", data_dir=data, today=TODAY)

    after = lines_of(data / "values.csv")
    assert after["24,fou_utgifter_foretag,2022"] == (
        f"24,fou_utgifter_foretag,2022,3612.5,observed,kolada_fou,{IMPORTED} fou.csv")
    assert after["00,fou_utgifter_foretag,2023"].startswith(
        "00,fou_utgifter_foretag,2023,12801.25,observed,kolada_fou,")
    assert after["01,fou_utgifter_foretag,2022"].startswith(
        "01,fou_utgifter_foretag,2022,16500,observed,")
    assert after["01,fou_utgifter_foretag,2024"].endswith(",synthetic,synthetic,")
    assert result.count("replaced_synthetic") == 3


def test_cp1252_wide_csv_with_lan_names(data: Path, tmp_path: Path):
    source = write_text(tmp_path / "brp.csv", (
        "Län;2021;2022\n"
        "Västerbottens län;127 900;140 300,5\n"
        "Jämtlands län;..;\n"), "cp1252")
    assert "ä".encode("cp1252") in source.read_bytes()  # really not UTF-8

    import_file(source, "brp", source_id="scb_brp", data_dir=data, today=TODAY)

    after = lines_of(data / "values.csv")
    assert after["24,brp,2021"] == f"24,brp,2021,127900,observed,scb_brp,{IMPORTED} brp.csv"
    assert after["24,brp,2022"] == f"24,brp,2022,140300.5,observed,scb_brp,{IMPORTED} brp.csv"
    assert after["23,brp,2021"].endswith(",synthetic,synthetic,")


def test_region_option_limits_the_import_to_one_lan(data: Path, tmp_path: Path):
    source = write_text(tmp_path / "brp.csv", (
        "Län;2021\nVästerbottens län;127 900\nJämtlands län;40 000\n"), "utf-8")
    result = import_file(source, "brp", region="Västerbotten", data_dir=data, today=TODAY)
    assert result.changes["region_code"].tolist() == ["24"]


def test_survey_shares_go_to_survey_csv(data: Path, tmp_path: Path):
    values_before = (data / "values.csv").read_bytes()
    source = write_text(tmp_path / "nle.csv", (
        "Län;År;Kategori;Andel\n"
        "24;2025;inte alls;30\n24;2025;låg grad;20\n24;2025;viss grad;25,5\n"
        "24;2025;hög grad;14,5\n24;2025;mycket hög grad;5\n24;2025;osäker;5\n"), "utf-8")

    result = import_file(source, "anvandardriven_innovation", source_id="nle_2024",
                         data_dir=data, today=TODAY)

    assert result.count("new") == 6
    survey = (data / "survey.csv").read_text(encoding="utf-8").splitlines()
    imported = [line for line in survey if line.startswith("24,anvandardriven_innovation,2025")]
    assert imported[2] == (f"24,anvandardriven_innovation,2025,viss grad,25.5,observed,"
                           f"nle_2024,{IMPORTED} nle.csv")
    assert len(imported) == 6
    assert (data / "values.csv").read_bytes() == values_before


def test_mapping_imports_several_indicators_at_once(data: Path, tmp_path: Path):
    write_xlsx(tmp_path / "tva.xlsx", [["Län", 2022], ["Norrbottens län", 1380]],
               sheet="Nystartade")
    write_text(tmp_path / "fou.csv", (
        "Län;År;Företag;Offentlig\nVästerbotten;2022;3 612;900\n"), "utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "imports:\n"
        "  - {file: tva.xlsx, sheet: Nystartade, indicator: nystartade_foretag}\n"
        "  - {file: fou.csv, column: Företag, indicator: fou_utgifter_foretag}\n"
        "  - {file: fou.csv, column: Offentlig, indicator: fou_utgifter_offentlig,\n"
        "     source: kolada_fou}\n", encoding="utf-8")

    specs = load_mapping(mapping)
    result = import_specs(specs, data_dir=data, today=TODAY)

    after = lines_of(data / "values.csv")
    assert after["25,nystartade_foretag,2022"].startswith("25,nystartade_foretag,2022,1380,")
    assert after["24,fou_utgifter_foretag,2022"].startswith("24,fou_utgifter_foretag,2022,3612,")
    assert after["24,fou_utgifter_offentlig,2022"].startswith(
        "24,fou_utgifter_offentlig,2022,900,observed,kolada_fou,")
    assert result.count("replaced_synthetic") == 3


# --- conflicts, replace, dry run ------------------------------------------------------------

def conflict_file(tmp_path: Path) -> Path:
    # 24/2021 is observed 1591 in the bundled data; 25/2022 is synthetic.
    return write_text(tmp_path / "nystartade.csv",
                      "Län;2021;2022\nVästerbotten;1600;1591\nNorrbotten;1499;1400\n", "utf-8")


def test_differing_observed_value_is_a_conflict_and_kept(data: Path, tmp_path: Path):
    before = lines_of(data / "values.csv")
    result = import_file(conflict_file(tmp_path), "nystartade_foretag", data_dir=data,
                         today=TODAY)
    after = lines_of(data / "values.csv")
    assert result.count("conflict") == 2  # 24/2021 1591 -> 1600 and 24/2022 1534 -> 1591
    assert after["24,nystartade_foretag,2021"] == before["24,nystartade_foretag,2021"]
    assert after["25,nystartade_foretag,2022"].startswith("25,nystartade_foretag,2022,1400,")
    conflict = result.changes[result.changes["action"] == "conflict"].iloc[0]
    assert (conflict["old_value"], conflict["new_value"]) == ("1591", "1600")
    assert "rerun with --replace" in format_import_summary(result)


def test_replace_overwrites_observed_values(data: Path, tmp_path: Path):
    result = import_file(conflict_file(tmp_path), "nystartade_foretag", data_dir=data,
                         replace=True, today=TODAY)
    after = lines_of(data / "values.csv")
    assert result.count("replaced") == 2
    assert after["24,nystartade_foretag,2021"] == (
        f"24,nystartade_foretag,2021,1600,observed,tillvaxtanalys_nystartade,"
        f"{IMPORTED} nystartade.csv")


def test_dry_run_writes_nothing(data: Path, tmp_path: Path):
    before = (data / "values.csv").read_bytes()
    result = import_file(conflict_file(tmp_path), "nystartade_foretag", data_dir=data,
                         dry_run=True, today=TODAY)
    assert (data / "values.csv").read_bytes() == before
    assert result.files_written == []
    assert [result.count(action) for action in ("conflict", "replaced_synthetic",
                                                 "unchanged")] == [2, 1, 1]
    assert format_import_summary(result).startswith("Dry run: 4 value(s) read")
    assert not list(data.glob(".*.tmp"))


def test_cli_import_dry_run(data: Path, tmp_path: Path, capsys):
    before = (data / "values.csv").read_bytes()
    source = write_text(tmp_path / "brp.csv", "Län;2021\nVästerbotten;127 900\n", "utf-8")
    code = cli.main(["import", str(source), "--indicator", "brp", "--data", str(data),
                     "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1 replaced synthetic" in out and "127900" in out
    assert (data / "values.csv").read_bytes() == before


# --- bad files ------------------------------------------------------------------------------

BAD_FILES = [
    ("unknown_lan.csv", "Län;2021\nVästerbotten;100\nAtlantis län;200\n",
     ["unknown_lan.csv", "row 3", "column 'Län'", "Atlantis län"]),
    ("text_value.csv", "Län;2020;2021\nVästerbotten;1465;12x\n",
     ["text_value.csv", "row 2", "column '2021'", "'12x' is not a number"]),
    ("year_1850.csv", "Län;1850;2021\nVästerbotten;10;1591\n",
     ["year_1850.csv", "row 1", "column '1850'", "out of range"]),
    ("year_2090.csv", "Län;År;Värde\nVästerbotten;2021;1591\nVästerbotten;2090;1600\n",
     ["year_2090.csv", "row 3", "column 'År'", "'2090'", "out of range"]),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD_FILES,
                         ids=[case[0] for case in BAD_FILES])
def test_bad_file_names_file_row_and_column_and_changes_nothing(
        data: Path, tmp_path: Path, name: str, text: str, expected: list[str]):
    before = (data / "values.csv").read_bytes()
    source = write_text(tmp_path / name, text, "utf-8")
    with pytest.raises(DataError) as caught:
        import_file(source, "nystartade_foretag", data_dir=data, today=TODAY)
    message = str(caught.value)
    for part in expected:
        assert part in message
    assert (data / "values.csv").read_bytes() == before


def test_every_bad_cell_is_reported_at_once(data: Path, tmp_path: Path):
    source = write_text(tmp_path / "bad.csv",
                        "Län;2020;2021\nAtlantis;1;2\nVästerbotten;1465;abc\n", "utf-8")
    with pytest.raises(DataValidationError) as caught:
        import_file(source, "nystartade_foretag", data_dir=data, today=TODAY)
    assert [(issue.row, issue.column) for issue in caught.value.issues] == [
        (2, "Län"), (3, "2021")]


def test_value_failing_catalogue_range_is_located_in_the_source(data: Path, tmp_path: Path):
    before = (data / "values.csv").read_bytes()
    source = write_text(tmp_path / "neg.csv", "Län;2022\nNorrbotten;-5\n", "utf-8")
    with pytest.raises(DataValidationError) as caught:
        import_file(source, "nystartade_foretag", data_dir=data, today=TODAY)
    issue = caught.value.issues[0]
    assert (issue.file, issue.row, issue.column) == ("neg.csv", 2, "2022")
    assert (data / "values.csv").read_bytes() == before


def test_unknown_source_is_refused(data: Path, tmp_path: Path):
    source = write_text(tmp_path / "brp.csv", "Län;2021\nVästerbotten;127 900\n", "utf-8")
    with pytest.raises(DataError, match="'scb_brpp' is not in sources.yaml"):
        import_file(source, "brp", source_id="scb_brpp", data_dir=data, today=TODAY)


# --- helpers ---------------------------------------------------------------------------------

def test_parse_year_header():
    assert parse_year_header("2010**") == ("2010", 2)
    assert parse_year_header(" 2014–2017 ") == ("2014-2017", 0)
    assert parse_year_header("2019.0") == ("2019", 0)
    assert parse_year_header("Län") is None


def test_writer_reproduces_the_bundled_files_byte_for_byte(data: Path):
    for name in ("values.csv", "survey.csv"):
        original = (data / name).read_bytes()
        write_tidy_csv(read_table(data / name), data / name)
        assert (data / name).read_bytes() == original


def test_import_spec_defaults_to_catalogue_source(data: Path, tmp_path: Path):
    source = write_text(tmp_path / "brp.csv", "Län;2021\nVästerbotten;127 900\n", "utf-8")
    import_specs([ImportSpec(path=source, indicator_id="brp")], data_dir=data, today=TODAY)
    assert ",observed,scb_brp," in lines_of(data / "values.csv")["24,brp,2021"]

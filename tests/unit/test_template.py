"""ecoreport template: a sheet per indicator that ecoreport import reads back unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from ecoreport import cli
from ecoreport.errors import UsageError
from ecoreport.ingest.importer import import_file
from ecoreport.ingest.template import ABOUT_SHEET, template_frame, write_template
from ecoreport.paths import project_root

THREE = ["befolkning", "konkurser_uc", "fou_utgifter_hogskola"]


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(project_root() / "data", target)
    return target


def test_round_trip_for_three_indicators_changes_nothing(data: Path, tmp_path: Path):
    before = (data / "values.csv").read_bytes()
    out = write_template(THREE, tmp_path / "mall.xlsx", data_dir=data)
    for indicator_id in THREE:
        result = import_file(out, indicator_id, sheet=indicator_id, data_dir=data)
        assert result.count("unchanged") > 0, indicator_id
        assert all(result.count(action) == 0 for action in
                   ("new", "replaced_synthetic", "replaced", "conflict")), indicator_id
    assert (data / "values.csv").read_bytes() == before


def test_sheets_have_lan_rows_year_columns_and_the_header_facts(data: Path, tmp_path: Path):
    out = write_template(["konkurser_uc"], tmp_path / "mall.xlsx", data_dir=data)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [ABOUT_SHEET, "konkurser_uc"]
    frame = template_frame(out, "konkurser_uc")
    assert list(frame.columns) == ["Län", *(str(year) for year in range(2013, 2025))]
    assert len(frame) == 22 and frame["Län"].iloc[-1] == "Riket"
    row = frame[frame["Län"] == "Västerbottens län"].iloc[0]
    assert row["2013"] == "118" and row["2023"] == ""  # observed kept, synthetic left empty
    sheet = book["konkurser_uc"]
    note = sheet["A1"].comment.text
    assert "UC AB, konkursstatistik" in note and "https://www.uc.se/" in note
    assert "antal" in sheet.oddHeader.center.text
    about = [[cell.value for cell in row] for row in book[ABOUT_SHEET].iter_rows()]
    assert about[1][0] == "konkurser_uc" and about[1][4].startswith("https://www.uc.se/")


def test_an_indicator_filled_in_by_hand_is_imported(data: Path, tmp_path: Path):
    out = write_template(["almi_lan"], tmp_path / "mall.xlsx", data_dir=data)
    book = openpyxl.load_workbook(out)
    book["almi_lan"]["M20"] = 123.5  # a län row, year 2024
    book.save(out)
    result = import_file(out, "almi_lan", sheet="almi_lan", data_dir=data)
    assert result.count("replaced_synthetic") + result.count("new") == 1


def test_refusals(data: Path, tmp_path: Path, capsys):
    with pytest.raises(UsageError, match="survey item"):
        write_template(["innovationsarbete"], tmp_path / "x.xlsx", data_dir=data)
    with pytest.raises(UsageError, match=".xlsx"):
        write_template(["brp"], tmp_path / "x.csv", data_dir=data)
    assert cli.main(["template", "brp", "--out", str(tmp_path / "b.xlsx"), "--data",
                     str(data)]) == 0
    assert "--sheet ID" in capsys.readouterr().out



def test_every_register_indicator_has_an_api_or_a_recipe_naming_its_table():
    from ecoreport.data.catalogue import load_catalogue

    catalogue = load_catalogue(project_root() / "data")
    for indicator_id, indicator in catalogue.indicators.items():
        if indicator.kind != "register":
            assert indicator.recipe is None, indicator_id
            continue
        assert indicator.api or indicator.recipe, indicator_id
        if indicator.recipe:
            assert indicator.recipe["page"].startswith("https://")
            assert all(indicator.recipe[key].strip() for key in
                       ("table_name", "filters", "unit", "conversion")), indicator_id


def test_template_prints_the_recipe_on_the_sheet_and_the_about_sheet(tmp_path):
    path = write_template(["doktorsexamina"], tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    about = [cell.value for cell in book[ABOUT_SHEET][2]]
    assert about[4] == ("https://www.uka.se/statistik--analys/hogskolan-i-siffror/"
                        "utbildning-pa-forskarniva.html")
    assert about[5].startswith("Tabell: Doktorsexamina per forskningsämnesområde/grupp")
    assert "Urval: Budgetår: alla; Högskola: varje lärosäte" in about[5]
    note = book["doktorsexamina"]["A1"].comment.text
    assert "Enhet i nedladdningen: antal doktorsexamina" in note
    assert "Omräkning: länets lärosäten summeras per år" in note


def test_a_recipe_lead_is_printed_with_the_recipe_and_is_never_a_declared_path(tmp_path):
    """A lead names a machine-readable source that comes close but is not the catalogue's
    definition; it rides on the recipe (sheet, coverage) and never sits beside an api."""
    from ecoreport.data.catalogue import load_catalogue
    from ecoreport.data.validate import _recipe_line
    from ecoreport.ingest.template import recipe_text

    catalogue = load_catalogue(project_root() / "data")
    leads = {i: ind.recipe["lead"] for i, ind in catalogue.indicators.items()
             if ind.recipe and ind.recipe.get("lead")}
    assert "bredband_1gbit_andel" in leads and "N07918" in leads["bredband_1gbit_andel"]
    assert all(catalogue.indicator(i).api is None for i in leads)
    recipe = catalogue.indicator("kunskapsintensiva_jobb_antal").recipe
    assert recipe_text(recipe).endswith("Spår (inte bekräftat som samma mått): " + recipe["lead"])
    assert _recipe_line(recipe).endswith("; lead: " + recipe["lead"])
    without = {k: v for k, v in recipe.items() if k != "lead"}
    assert "Spår" not in recipe_text(without) and "lead:" not in _recipe_line(without)
    path = write_template(["kunskapsintensiva_jobb_antal"], tmp_path / "k.xlsx")
    note = openpyxl.load_workbook(path)["kunskapsintensiva_jobb_antal"]["A1"].comment.text
    assert "YREG60BAS" in note

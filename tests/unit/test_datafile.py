"""The data workbook linked from the book (report/datafile.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")

from ecoreport.publishing.datafile import (  # noqa: E402
    STATUS_TEXT, SYNTHETIC_FILL, _sheet_title, cell_text, read_results_csv,
    write_data_workbook)


def _catalogue():
    unit = SimpleNamespace(label_sv="antal", short_sv="antal")
    indicator = SimpleNamespace(
        id="konkurser", name_sv="=HYPERLINK(\"http://x\")", dimension="entreprenorskap",
        unit="count", source="scb", polarity="higher_is_worse", normalise="per_capita",
        kind="register", description_sv="Konkurser\x07 i länet", question_sv=None)
    survey_item = SimpleNamespace(
        id="samarbete", name_sv="Samarbete", dimension="entreprenorskap", unit="count",
        source="scb", polarity="higher_is_better", normalise="none", kind="survey",
        description_sv="Fråga", question_sv="Samarbetar ni?")
    dimension = SimpleNamespace(name_sv="Entreprenöriell förmåga")
    return SimpleNamespace(
        indicators={"konkurser": indicator, "samarbete": survey_item},
        units={"count": unit},
        sources={"scb": SimpleNamespace(citation_sv="SCB, @konkursstatistik")},
        dimension=lambda dimension_id: dimension)


def _frames():
    values = pd.DataFrame({
        "region_code": ["24", "24", "00"], "indicator_id": ["konkurser"] * 3,
        "period": ["2023", "2024", "2024"], "value": [12.0, 15.0, 900.0],
        "status": ["observed", "synthetic", "observed"], "source_id": ["scb"] * 3,
        "note": ["", "-minus först", ""], "period_start": [2023, 2024, 2024]})
    survey = pd.DataFrame({
        "region_code": ["24"], "indicator_id": ["samarbete"], "period": ["2024"],
        "category": ["+ja"], "share_pct": [40.0], "status": ["observed"],
        "source_id": ["scb"]})
    return values, survey


def test_workbook_holds_values_survey_catalogue_and_results(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "vasterbotten-konkurser-alla-lan.csv").write_text(
        "\ufeffLän;Värde;Status\nUppsala;1\u00a0234,5;synthetic\nRiket;\u22122,5;observed\n",
        encoding="utf-8")
    values, survey = _frames()
    path = write_data_workbook(
        tmp_path / "out" / "data.xlsx", region_name="Västerbottens län", year=2024,
        values=values, survey=survey, catalogue=_catalogue(),
        regions=[SimpleNamespace(code="24", name="Västerbottens län")],
        results_dir=results, region_slug="vasterbotten")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:5] == ["Om filen", "Värden", "Enkät", "Indikatorer", "Innehåll"]
    assert "konkurser-alla-lan" in wb.sheetnames  # the region's prefix is dropped

    rows = list(wb["Värden"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Indikator-id", "Indikator", "Dimension")
    status = header.index("Status")
    body = {(r[header.index("Länskod")], r[header.index("Period")]): r for r in rows[1:]}
    assert body[("24", "2024")][status] == STATUS_TEXT["synthetic"] == "syntetiskt"
    assert body[("24", "2023")][status] == "observerat"
    assert body[("00", "2024")][header.index("Län")] == "Riket"
    assert body[("24", "2024")][header.index("Värde")] == 15.0
    # text from the data is text, never a formula; control characters are dropped
    name_cell = wb["Värden"].cell(row=2, column=2)
    assert name_cell.data_type == "s" and name_cell.value.startswith("=HYPERLINK")
    note_cell = [c for c in wb["Värden"]["K"] if c.value == "-minus först"][0]
    assert note_cell.data_type == "s"
    description = [r for r in wb["Indikatorer"].iter_rows(values_only=True)][1][-1]
    assert description == "Konkurser i länet"
    # synthetic rows are shaded
    synthetic_row = [i for i, r in enumerate(rows, start=1) if r[status] == "syntetiskt"][0]
    fill = wb["Värden"].cell(row=synthetic_row, column=status + 1).fill.fgColor.rgb
    assert fill.endswith(SYNTHETIC_FILL)

    survey_rows = list(wb["Enkät"].iter_rows(values_only=True))
    assert survey_rows[1][survey_rows[0].index("Svarsalternativ")] == "+ja"
    assert survey_rows[1][survey_rows[0].index("Fråga")] == "Samarbetar ni?"

    table = list(wb["konkurser-alla-lan"].iter_rows(values_only=True))
    assert table[0] == ("Län", "Värde", "Status")
    assert table[1] == ("Uppsala", 1234.5, "syntetiskt")
    assert table[2] == ("Riket", -2.5, "observerat")
    index = list(wb["Innehåll"].iter_rows(values_only=True))
    assert ("konkurser-alla-lan", "vasterbotten-konkurser-alla-lan.csv") in index
    assert wb["Innehåll"]["A2"].hyperlink.location in (None, "'konkurser-alla-lan'!A1") \
        or "konkurser-alla-lan" in wb["Innehåll"]["A2"].hyperlink.target


def test_sheet_titles_are_short_unique_and_legal():
    taken: set[str] = set()
    first = _sheet_title("a" * 40, taken)
    second = _sheet_title("a" * 40, taken)
    assert len(first) == len(second) == 31 and first != second
    assert _sheet_title("x[1]:y/z", taken) == "x-1--y-z"


def test_cell_text_and_csv_numbers(tmp_path):
    assert cell_text(float("nan")) is None
    assert cell_text("a\x00b") == "ab"
    path = tmp_path / "t.csv"
    path.write_text("\ufeffA;B\n2013–2016;12,5\n", encoding="utf-8")
    assert read_results_csv(path) == (["A", "B"], [["2013–2016", 12.5]])

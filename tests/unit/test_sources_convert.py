"""Converters of the real source files, on tiny inline files written to tmp_path."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ecoreport_bundle import sources_convert as sc
from ecoreport.data.regions import Region, RegionNames, make_slug, region_names
from ecoreport.data.tables import SURVEY_COLUMNS
from ecoreport.errors import DataError

REGIONS = [
    Region(code, name, short, None, None, (), make_slug(short))
    for code, name, short in (("00", "Riket", "Riket"), ("01", "Stockholms län", "Stockholm"),
                              ("20", "Dalarnas län", "Dalarna"),
                              ("24", "Västerbottens län", "Västerbotten"))]


@pytest.fixture()
def index() -> RegionNames:
    return region_names(REGIONS)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def cell(frame: pd.DataFrame, code: str, indicator_id: str, period: str) -> pd.Series:
    rows = frame[(frame["region_code"] == code) & (frame["indicator_id"] == indicator_id)
                 & (frame["period"] == period)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_region_index_accepts_names_short_names_and_riket_aliases(index):
    for name, code in (("Västerbottens län", "24"), (" västerbotten ", "24"),
                       ("Dalarnas", "20"), ("Samtliga län", "00"), ("24 Västerbottens län", "24"),
                       ("1", "01")):
        assert index.cell_code(name, file="x.csv") == code
    with pytest.raises(DataError, match="x.csv, row 2.*Gotland"):
        index.cell_code("Gotland", file="x.csv", row=2)


def test_parse_number_drops_suppressed_and_rejects_garbage():
    assert sc.parse_number("..", file="f") is None
    assert sc.parse_number("NA", file="f") is None
    assert sc.parse_number("1 234,5", file="f") == 1234.5
    with pytest.raises(DataError, match="not a number"):
        sc.parse_number("12x", file="f.csv", row=3, column="BRP")


def test_fou_maps_sectors_and_rejects_unknown_kpi(tmp_path, index):
    path = write(tmp_path / "fou.csv", (
        '"kpi","year","value","municipality"\n'
        '"Företagens utgifter för egen FoU",2013,2198.29,"Västerbottens län"\n'
        '"Universitets- och högskolesektorns utgifter för FoU",2013,9628.05,"Västerbottens län"\n'
        '"Offentliga sektorns utgifter för FoU",2013,..,"Västerbottens län"\n'))
    frame = sc.convert_fou(path, index)
    assert sorted(frame["indicator_id"]) == ["fou_utgifter_foretag", "fou_utgifter_hogskola"]
    assert cell(frame, "24", "fou_utgifter_hogskola", "2013")["value"] == 9628.05
    bad = write(tmp_path / "bad.csv", '"kpi","year","value","municipality"\n'
                                      '"Något annat",2013,1,"Västerbottens län"\n')
    with pytest.raises(DataError, match="unknown kpi"):
        sc.convert_fou(bad, index)


def write_workbook(path: Path, sheets: list[list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    for number, rows in enumerate(sheets):
        sheet = book.active if number == 0 else book.create_sheet(f"Blad{number + 1}")
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_nystartade_keeps_new_method_value_for_repeated_year(tmp_path, index):
    path = write_workbook(tmp_path / "ny.xlsx", [[
        ["Län", 2009, "2010*", "2010**", "2011***", 2021],
        ["Västerbottens län", 1095, 1337, 1404, 1556, 1591],
        ["Samtliga", 59597, 66681, 69855, 73709, None],
    ]])
    frame = sc.convert_nystartade(path, index)
    row_2010 = cell(frame, "24", "nystartade_foretag", "2010")
    assert row_2010["value"] == 1404
    assert "2010* = 1337" in row_2010["note"] and "2010**" in row_2010["note"]
    assert "***" in cell(frame, "24", "nystartade_foretag", "2011")["note"]
    assert cell(frame, "24", "nystartade_foretag", "2009")["note"] == ""
    assert cell(frame, "00", "nystartade_foretag", "2010")["value"] == 69855
    assert frame[(frame["region_code"] == "00") & (frame["period"] == "2021")].empty


def test_nystartade_rejects_year_repeated_with_same_mark(tmp_path, index):
    path = write_workbook(tmp_path / "ny.xlsx", [[
        ["Län", "2010*", "2010*"], ["Västerbottens län", 1, 2]]])
    with pytest.raises(DataError, match="same method mark"):
        sc.convert_nystartade(path, index)


def test_export_reads_latin1_and_drops_unallocated_rows(tmp_path, index):
    path = write(tmp_path / "export.csv", (
        '"","Ar","AstLan","Lan_namn","RegExpVarde","bef_20_64ar","RegExp_inv20_64ar"\n'
        '"1",2013,"24","Västerbottens län",2.5e10,150000,166666.7\n'
        '"2",2013,"99",NA,4.6e8,0,Inf\n'
        '"3",2013,"00",NA,2.5e8,0,Inf\n'), encoding="latin-1")
    frame = sc.convert_export(path, index)
    assert len(frame) == 2
    assert cell(frame, "24", "varuexport_per_invanare", "2013")["value"] == 166666.7
    population = cell(frame, "24", "befolkning_20_64", "2013")
    assert population["value"] == 150000
    assert population["source_id"] == sc.SOURCE_BEFOLKNING


def test_matchning_picks_total_over_sex_age_and_birth_region(tmp_path, index):
    header = ('"region","kön","år","20-64 år","20-39 år","födda i Sverige","totalt"\n')
    path = write(tmp_path / "matchning.csv", header + (
        '"Västerbottens län","män","2015",68.1,69.0,70.0,68.1\n'
        '"Västerbottens län","kvinnor","2015",70.3,71.0,72.0,70.3\n'
        '"Västerbottens län","samtliga anställda","2015",69.2,70.0,71.0,69.3\n'))
    frame = sc.convert_matchning(path, index)
    assert len(frame) == 1
    assert cell(frame, "24", "utbildningsmatchning_andel", "2015")["value"] == 69.3


def test_reglab_reads_bom_and_short_names(tmp_path, index):
    path = write(tmp_path / "reglab.csv",
                 "\ufeffYear of År,Region,Index\n2013,Västerbotten,95.5\n2013,Dalarna,80.25\n")
    frame = sc.convert_reglab(path, index)
    assert cell(frame, "24", "innovationsindex_reglab", "2013")["value"] == 95.5
    assert cell(frame, "20", "innovationsindex_reglab", "2013")["value"] == 80.25


def test_internationalisering_reads_2020_and_derives_2016(tmp_path, index):
    path = write_workbook(tmp_path / "index.xlsx", [
        [[None, "Stockholm", "Västerbotten"], ["Totalindex år 2020", 74.96, 41.84]],
        [[None, "Västerbotten", "Stockholm"], ["Förändring", 5.57, 2.88]],
    ])
    frame = sc.convert_internationalisering(path, index)
    assert cell(frame, "24", "internationaliseringsindex", "2020")["value"] == 41.84
    derived = cell(frame, "24", "internationaliseringsindex", "2016")
    assert derived["value"] == pytest.approx(36.27)
    assert "derived" in derived["note"]


def test_population_sums_kommuner_and_shifts_period(tmp_path, index):
    path = write(tmp_path / "municip.csv", (
        "municip_code,municip_name,county_code,year,pop\n"
        "2480,Umeå,24,2014,120777\n"
        "2482,Skellefteå,24,2014,71988\n"
        "180,Stockholm,1,2014,897700\n"))
    frame = sc.convert_population(path, index)
    assert cell(frame, "24", "befolkning", "2013")["value"] == 120777 + 71988
    assert cell(frame, "01", "befolkning", "2013")["value"] == 897700
    assert frame[frame["period"] == "2014"].empty


def test_reference_sums_students_only_where_both_parts_exist(tmp_path):
    path = write(tmp_path / "ref.csv", (
        "indicator,dimension,region_code,period,value,unit,report_ref,note\n"
        "studenter_umu,FoU,24,2022,22598,count,Diagram 9,\n"
        "studenter_slu,FoU,24,2022,736,count,text,\n"
        "studenter_umu,FoU,24,2021,23324,count,Diagram 9,\n"
        "studenter_slu,FoU,24,2013,469,count,text,\n"
        "andel_kvinnor_studenter_umu,FoU,24,2013,61,percent,text,\n"
        'brp,FoU,24,2013,89045,MSEK,text,"gross, regional"\n'
        "brp,FoU,24,2014,90000,MSEK,text,peak of 2013-2024\n"
        "brp,FoU,24,2015,80000,MSEK,text,lowest\n"))
    frame = sc.convert_reference(path, ["studenter", "brp"])
    assert sorted(zip(frame["indicator_id"], frame["period"], frame["extreme"])) == [
        ("brp", "2013", ""), ("brp", "2014", "max"), ("brp", "2015", "min"),
        ("studenter", "2022", "")]
    students = cell(frame, "24", "studenter", "2022")
    assert students["value"] == 22598 + 736
    assert "studenter_slu 736" in students["note"]
    assert set(frame["source_id"]) == {sc.SOURCE_MODEL_REPORT}


def test_merge_keeps_data_candidate_when_reference_agrees():
    candidate = sc.make_rows([{"region_code": "24", "indicator_id": "brp", "period": "2013",
                               "value": 89045.0, "source_id": "scb_brp", "note": ""}])
    reference = sc.make_rows([{"region_code": "24", "indicator_id": "brp", "period": "2013",
                               "value": 89045.0, "source_id": sc.SOURCE_MODEL_REPORT,
                               "note": "model report"}])
    merged = sc.merge_observed([reference, candidate])
    assert len(merged) == 1
    assert merged.iloc[0]["source_id"] == "scb_brp"
    assert "agrees within rounding" in merged.iloc[0]["note"]


def test_merge_raises_when_values_disagree():
    rows = [sc.make_rows([{"region_code": "24", "indicator_id": "brp", "period": "2013",
                           "value": value, "source_id": source, "note": ""}])
            for value, source in ((89045.0, "scb_brp"), (89100.0, sc.SOURCE_MODEL_REPORT))]
    with pytest.raises(DataError, match="agree within rounding"):
        sc.merge_observed(rows)


def test_survey_conversion_checks_items_and_shares(tmp_path):
    header = "item,dimension,question_sv,category,share_pct,report_ref,note\n"
    path = write(tmp_path / "nle.csv", header + "innovationsarbete,Teknologi,Q?,ja,34,D1,\n"
                                                "innovationsarbete,Teknologi,Q?,nej,58,D1,\n")
    frame = sc.convert_survey(path, ["innovationsarbete"])
    assert tuple(frame.columns) == SURVEY_COLUMNS
    assert list(frame["category"]) == ["ja", "nej"]
    assert set(frame["region_code"]) == {"24"} and set(frame["period"]) == {"2024"}
    with pytest.raises(DataError, match="not in the catalogue"):
        sc.convert_survey(path, ["something_else"])
    bad = write(tmp_path / "bad.csv", header + "innovationsarbete,T,Q?,ja,134,D1,\n")
    with pytest.raises(DataError, match="0–100"):
        sc.convert_survey(bad, ["innovationsarbete"])


GEO = {"SE110": "01", "SE312": "20", "SE331": "24", "SE": "00"}
NEW_POPULATION = (
    "freq,unit,sex,age,geo\\TIME_PERIOD\t2023 \t2024 \t2025 \n"
    "A,NR,F,TOTAL,SE331\t136000 \t137000 \t138000 \n"
    "A,NR,T,TOTAL,SE\t10521556 \t10551707 \t10587710 \n"
    "A,NR,T,TOTAL,SE110\t2440027 \t2454821 \t2473307 \n"
    "A,NR,T,TOTAL,SE312\t288387 \t287966 \t: \n"
    "A,NR,T,TOTAL,SE331\t276295 \t278729 \t281138 p\n"
    "A,NR,T,Y_LT15,SE331\t40000 \t40100 \t40200 \n")
OLD_POPULATION = (
    "unit,sex,age,geo\\time\t2023 \t2022 \n"
    "NR,T,TOTAL,SE\t10521556 \t10452326 \n"
    "NR,T,TOTAL,SE110\t2440027 \t2415139 \n"
    "NR,T,TOTAL,SE312\t288387 \t287676 \n"
    "NR,T,TOTAL,SE331\t276295 \t274563 \n")


def test_eurostat_population_maps_1_january_to_31_december_of_the_year_before(tmp_path):
    import gzip
    old = tmp_path / "old.tsv.gz"
    old.write_bytes(gzip.compress(OLD_POPULATION.encode()))
    new = write(tmp_path / "new.tsv", NEW_POPULATION)
    rows = sc.convert_eurostat_population([old, new], GEO)
    assert cell(rows, "24", "befolkning", "2023")["value"] == 278729  # 1 January 2024
    assert cell(rows, "00", "befolkning", "2021")["value"] == 10452326  # old file only
    assert cell(rows, "24", "befolkning", "2024")["note"] == (
        "population 1 January 2025 = 31 December 2024; Eurostat flag 'p'")
    assert ("20", "2024") not in set(zip(rows["region_code"], rows["period"]))  # ':' dropped
    assert set(rows["status"]) == {"observed"} and len(rows) == 4 * 4 - 1


def test_eurostat_population_files_must_agree_where_they_overlap(tmp_path):
    old = write(tmp_path / "old.tsv", OLD_POPULATION.replace("276295", "276296"))
    new = write(tmp_path / "new.tsv", NEW_POPULATION)
    with pytest.raises(DataError, match="SE331 1 January 2023.*new.tsv.*276295"):
        sc.convert_eurostat_population([old, new], GEO)


def test_eurostat_reader_names_bad_cells_and_missing_regions(tmp_path):
    bad = write(tmp_path / "bad.tsv", "unit,geo\\time\t2020 \nMIO_NAC,SE331\t12,5 \n")
    with pytest.raises(DataError, match=r"bad.tsv.*row 2.*'2020'.*12,5"):
        sc.read_eurostat_tsv(bad)
    gdp = write(tmp_path / "gdp.tsv", "unit,geo\\time\t2020 \t2019 \n"
                "MIO_NAC,SE331\t100.5 \t99 \nMIO_EUR,SE331\t10 \t9 \n")
    with pytest.raises(DataError, match=r"no values for \['SE', 'SE110', 'SE312'\]"):
        sc.convert_eurostat_gdp(gdp, GEO)
    rows = sc.convert_eurostat_gdp(gdp, {"SE331": "24"})
    assert list(rows["value"]) == [100.5, 99.0] and set(rows["indicator_id"]) == {"brp"}


UC_PAGE = """URL: https://www.uc.se/konkursstatistik/riks--och-lansstatistik/2017/november/

Aktiebolag, handels- och kommanditbolag samt övriga juridiska personer

Län Jan-nov 2016 Jan-nov 2017
Stockholms län 1 822 1 861
Dalarnas län 100 137
Västerbottens län 89 93
Sverige 2 011 2 091
"""


def test_uc_reads_thousands_separated_by_spaces_and_checks_the_national_sum(tmp_path, index):
    rows = sc.convert_uc_konkurser(write(tmp_path / "uc.txt", UC_PAGE), index)
    assert cell(rows, "01", "konkurser_uc", "2016")["value"] == 1822
    assert cell(rows, "00", "konkurser_uc", "2017")["value"] == 2091
    assert "January–November" in cell(rows, "24", "konkurser_uc", "2017")["note"]
    wrong = UC_PAGE.replace("89 93", "89 94")
    with pytest.raises(DataError, match="add up to 2092, Sverige says 2091"):
        sc.convert_uc_konkurser(write(tmp_path / "wrong.txt", wrong), index)
    full_year = UC_PAGE.replace("Jan-nov", "Jan-dec")
    with pytest.raises(DataError, match="Jan-nov"):
        sc.convert_uc_konkurser(write(tmp_path / "dec.txt", full_year), index)


def test_spaced_numbers_split_only_when_unambiguous():
    assert sc.split_spaced_numbers("2 121 2 028 175".split(), 3) == [2121, 2028, 175]
    assert sc.split_spaced_numbers("118 106 115".split(), 3) == [118, 106, 115]
    assert sc.split_spaced_numbers("1 200 300".split(), 2) is None  # 1200|300 or 1|200300
    assert sc.split_spaced_numbers("22 014".split(), 2) is None  # 014 cannot start a number


def _education_extract(tmp_path, rows):
    path = tmp_path / "edu.csv"
    path.write_text("# provenance\nvalkrets_no,band,level_6,level_7,total\n"
                    + "".join(f"{v},{b},{l6},{l7},{t}\n" for v, b, l6, l7, t in rows),
                    encoding="utf-8")
    return path


def test_education_share_adds_up_valkretsar_to_lan_before_dividing(tmp_path):
    # every valkrets and band: 10 at level 6, 0 at level 7, 100 in all; Stockholms kommun
    # (valkrets 1) has 60 at level 6 and 10 at level 7 in band 5, so län 01 (valkretsar 1
    # and 2, 16 rows, 1 600 persons) has 15 × 10 + 70 = 220 → 13.75 %, not the mean of shares
    rows = [(v, b, 10, 0, 100) for v in range(1, 30) for b in range(5, 13)]
    rows[0] = (1, 5, 60, 10, 100)
    frame = sc.convert_education_share(_education_extract(tmp_path, rows))
    values = dict(zip(frame["region_code"], frame["value"]))
    assert values["01"] == 13.8 and values["24"] == 10.0
    assert values["00"] == round(100 * (29 * 8 * 10 + 60) / (29 * 8 * 100), 1)
    assert set(frame["period"]) == {"2024"} and set(frame["source_id"]) == {"scb_utbildning"}
    assert len(frame) == 22
    assert "valkretsar 11, 12, 13, 14 summed to the län" in \
        frame.loc[frame["region_code"] == "12", "note"].item()


def test_education_share_refuses_a_missing_row_or_band(tmp_path):
    rows = [(v, b, 10, 0, 100) for v in range(1, 30) for b in range(5, 13)]
    with pytest.raises(DataError, match="1 valkrets × band rows are missing"):
        sc.convert_education_share(_education_extract(tmp_path, rows[1:]))
    with pytest.raises(DataError, match="a band outside 25–64"):
        sc.convert_education_share(_education_extract(tmp_path, rows + [(1, 13, 1, 1, 5)]))


def test_vendored_education_extract_gives_vasterbotten_near_the_model_report():
    frame = sc.convert_education_share()
    values = dict(zip(frame["region_code"], frame["value"]))
    # the model report's Västerbotten 2023 is 32.8 %; SCB's 2024 counts give 33.1 %
    assert values["24"] == 33.1 and values["00"] == 31.5


def test_population_20_64_sums_bands_and_valkretsar():
    frame = sc.convert_population_20_64()
    values = dict(zip(frame["region_code"], frame["value"]))
    assert len(frame) == 22 and set(frame["period"]) == {"2024"}
    # Stockholms län = Stockholms kommun + Stockholms läns valkrets, bands 20–64
    assert values["01"] == (53729 + 78275 + 94877 + 82911 + 71687 + 64335 + 63796 + 59345
                            + 55064) + (77471 + 83204 + 107526 + 109583 + 103437 + 98993
                                        + 102206 + 94492 + 80369)
    assert values["00"] == sum(v for code, v in values.items() if code != "00")


def test_vendored_population_extract_agrees_with_the_bundled_population():
    """The extract's totals, valkretsar summed to län, equal the bundled 2024 population
    (Eurostat, 1 January 2025) in every län: the extract is the same SCB count."""
    raw = pd.read_csv(sc.POPULATION_EXTRACT, comment="#", dtype=str)
    totals = sc.valkrets_to_lan(raw, ["total"], "extract")
    values = pd.read_csv(Path(__file__).resolve().parents[2] / "data" / "values.csv",
                         dtype=str, keep_default_na=False)
    stored = values[(values["indicator_id"] == "befolkning") & (values["period"] == "2024")]
    assert {code: float(v) for code, v in zip(stored["region_code"], stored["value"])} == \
        {code: columns["total"] for code, columns in totals.items()}

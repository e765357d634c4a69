"""Reading CSV/xlsx the way Swedish Excel and plain tools write them; typed loading."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace as NS

import pandas as pd
import pytest

from ecoreport.errors import DataError, DataValidationError
from ecoreport.data.loading import load_survey, load_values
from ecoreport.data.tables import (
    decode_bytes, parse_number, parse_period, read_table,
    sniff_delimiter,
)

CATALOGUE = NS(
    units={"procent": NS(id="procent", kind="share", min=None, max=None),
           "antal": NS(id="antal", kind="count", min=None, max=None)},
    indicators={
        "fou_andel_brp": NS(unit="procent", kind="register", dimension="fou"),
        "brp": NS(unit="antal", kind="register", dimension="kontext"),
        "innovationsarbete": NS(unit="procent", kind="survey", dimension="teknologi",
                                categories=["ja", "nej", "osäker"]),
    },
    sources={"scb": NS()},
)
REGIONS = [NS(code="00"), NS(code="24")]
HEADER = "region_code,indicator_id,period,value,status,source_id,note\n"


@pytest.mark.parametrize(("text", "expected"), [
    ("1 234,5", 1234.5),
    ("1\u00a0234,5", 1234.5),
    ("1\u202f234\u00a0567", 1234567.0),
    ("1234.5", 1234.5),
    ("-3,2", -3.2),
    ("\u22123,2", -3.2),
    (" 89045 ", 89045.0),
    ("3.48", 3.48),
    ("1e-05", 1e-05),
    ("0", 0.0),
])
def test_parse_number_accepts(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["1,2x", "abc", "1.234,5", "1,234.5", "12 34", "nan", "3 %",
                                  "--3", "inf"])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(text)


@pytest.mark.parametrize("text", ["", "..", "–", "-", "  "])
def test_parse_number_missing_markers_are_nan(text: str) -> None:
    assert math.isnan(parse_number(text))


def test_parse_period() -> None:
    assert parse_period("2013") == (2013, 2013)
    assert parse_period(" 2014-2017 ") == (2014, 2017)
    for bad in ("2017-2014", "2013-2013", "13", "2013/14", ""):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_swedish_excel_csv(tmp_path: Path) -> None:
    path = tmp_path / "values.csv"
    text = ("region_code ; indicator_id;period;value;status;source_id;note\r\n"
            "24;fou_andel_brp;2013;3,48;observed;scb;\r\n"
            "24;brp;2013;89\u00a0045;observed;scb;mkr, löpande priser\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    frame = read_table(path)
    assert frame.columns.tolist() == [
        "region_code", "indicator_id", "period", "value", "status", "source_id", "note"]
    assert frame["value"].tolist() == ["3,48", "89\u00a0045"]
    assert frame["note"].tolist() == ["", "mkr, löpande priser"]
    assert frame["region_code"].tolist() == ["24", "24"]  # text: leading zeros survive

    typed = load_values(path, catalogue=CATALOGUE, regions=REGIONS)
    assert typed["value"].tolist() == [89045.0, 3.48]  # sorted by indicator_id
    assert typed["indicator_id"].tolist() == ["brp", "fou_andel_brp"]


def test_cp1252_file(tmp_path: Path) -> None:
    path = tmp_path / "regioner.csv"
    path.write_bytes("kod;namn\n24;Västerbottens län\n25;Norrbottens län\n".encode("cp1252"))
    frame = read_table(path)
    assert frame["namn"].tolist() == ["Västerbottens län", "Norrbottens län"]
    assert frame["kod"].tolist() == ["24", "25"]


def test_decode_bytes_detects_encoding() -> None:
    assert decode_bytes("Umeå".encode("utf-8")) == ("Umeå", "utf-8")
    assert decode_bytes(b"\xef\xbb\xbfUme\xc3\xa5") == ("Umeå", "utf-8-sig")
    assert decode_bytes("Umeå".encode("cp1252")) == ("Umeå", "cp1252")
    assert decode_bytes("Umeå".encode("utf-16")) == ("Umeå", "utf-16")
    # 0x81 is undefined in cp1252, so only latin-1 can read it
    assert decode_bytes(b"a\x81")[1] == "latin-1"


@pytest.mark.parametrize(("text", "delimiter"), [
    ("a;b;c\n1,5;2;3\n", ";"),
    ("a,b,c\n1.5,2,3\n", ","),
    ("a\tb\tc\n1,5\t2\t3\n", "\t"),
    ('a,b\n"x;y",2\n', ","),
])
def test_sniff_delimiter(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter


def test_read_xlsx_as_text(tmp_path: Path) -> None:
    path = tmp_path / "values.xlsx"
    pd.DataFrame({"region_code": ["24", "00"], "value": [3.48, 89045], "note": ["x", None]}
                 ).to_excel(path, index=False, sheet_name="data")
    frame = read_table(path, sheet="data")
    assert frame["region_code"].tolist() == ["24", "00"]
    assert frame["value"].tolist() == ["3.48", "89045"]
    assert frame["note"].tolist() == ["x", ""]


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_table(tmp_path / "nope.csv")


def test_load_values_types_and_period_columns(tmp_path: Path) -> None:
    path = tmp_path / "values.csv"
    path.write_text(HEADER + "24,fou_andel_brp,2014-2017,3.1,synthetic,synthetic,\n"
                    "24,fou_andel_brp,2013,3.48,observed,scb,\n"
                    "00,fou_andel_brp,2013,..,observed,scb,sekretess\n", encoding="utf-8")
    typed = load_values(path, catalogue=CATALOGUE, regions=REGIONS)
    assert typed.columns.tolist() == [
        "region_code", "indicator_id", "period", "value", "status", "source_id", "note",
        "period_start", "period_end", "year"]
    assert typed["period"].tolist() == ["2013", "2014-2017"]  # suppressed row dropped
    assert typed["period_start"].tolist() == [2013, 2014]
    assert typed["period_end"].tolist() == [2013, 2017]
    assert typed["year"].tolist() == [2013.0, 2015.5]
    assert typed["value"].dtype == float
    assert typed["period_start"].dtype.kind == "i"
    assert pd.api.types.is_string_dtype(typed["region_code"])


def test_load_values_raises_with_all_errors(tmp_path: Path) -> None:
    path = tmp_path / "values.csv"
    path.write_text(HEADER + "24,fou_andel_brp,2013,140,observed,scb,\n"
                    "99,fou_andel_brp,2014,3,observed,scb,\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        load_values(path, catalogue=CATALOGUE, regions=REGIONS)
    assert [(issue.row, issue.column) for issue in caught.value.issues] == [
        (2, "value"), (3, "region_code")]
    assert "values.csv, row 2, column 'value': '140' is out of range" in str(caught.value)


def test_load_survey(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(
        "region_code;indicator_id;period;category;share_pct;status;source_id;note\n"
        "24;innovationsarbete;2024;ja;34;observed;scb;\n"
        "24;innovationsarbete;2024;nej;58;observed;scb;\n"
        "24;innovationsarbete;2024;osäker;8;observed;scb;\n", encoding="utf-8")
    typed = load_survey(path, catalogue=CATALOGUE, regions=REGIONS)
    assert typed["category"].tolist() == ["ja", "nej", "osäker"]  # file order kept
    assert typed["share_pct"].tolist() == [34.0, 58.0, 8.0]
    assert typed["year"].tolist() == [2024.0] * 3


def test_ragged_row_is_an_error_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "values.csv"
    path.write_text(HEADER + "24,fou_andel_brp,2013,3.48,observed,scb,\n"
                    "24,fou_andel_brp,2014,3,48,observed,scb,\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_table(path)
    assert str(caught.value) == (
        "values.csv, row 3: 8 fields in a row of 7 columns (value "
        "'24,fou_andel_brp,2014,3,48,observed,scb,'); expected 7 fields separated by ',', "
        "as in the header")


def test_blank_and_padded_excel_rows_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a;b;;\n1;2;;\n;;;\n\n3;4;;\n", encoding="utf-8")
    assert read_table(path).values.tolist() == [["1", "2"], ["3", "4"]]

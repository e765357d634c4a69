"""Validation of values.csv / survey.csv frames: exact error texts, warnings, coverage."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pandas as pd
import pytest

from ecoreport.errors import DataValidationError
from ecoreport.data.validate import (
    ValidationReport, check_against_catalogue, coverage_by_dimension, coverage_table,
    detect_jumps, format_report, format_years, validate_survey, validate_values,
)

CATALOGUE = NS(
    units={
        "procent": NS(id="procent", kind="share", min=None, max=None),
        "antal": NS(id="antal", kind="count", min=None, max=None),
        "betyg": NS(id="betyg", kind="score", min=1, max=6),
    },
    dimensions=[NS(id="fou"), NS(id="teknologi")],
    indicators={
        "fou_andel_brp": NS(unit="procent", kind="register", dimension="fou"),
        "patent": NS(unit="antal", kind="register", dimension="teknologi"),
        "klimat_betyg": NS(unit="betyg", kind="register", dimension="teknologi"),
        "innovationsarbete": NS(unit="procent", kind="survey", dimension="teknologi",
                                categories=["ja", "nej", "osäker"]),
    },
    sources={"scb_fou": NS(), "prv": NS()},
)
REGIONS = [NS(code="00"), NS(code="04"), NS(code="24")]
VALUE_COLUMNS = ["region_code", "indicator_id", "period", "value", "status", "source_id", "note"]


def make_values(*rows: tuple[str, ...]) -> pd.DataFrame:
    """A raw values frame; rows give region, indicator, period, value (rest defaulted)."""
    records = []
    for row in rows:
        region, indicator, period, value, *rest = row
        status = rest[0] if rest else "observed"
        source = rest[1] if len(rest) > 1 else "scb_fou"
        records.append([region, indicator, period, value, status, source, ""])
    return pd.DataFrame(records, columns=VALUE_COLUMNS, dtype=str)


def error_texts(report: ValidationReport) -> list[str]:
    return [str(issue) for issue in report.errors]


def test_valid_frame_has_no_errors() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", "3.48"),
                     ("24", "fou_andel_brp", "2014", "3,1"),
                     ("24", "patent", "2014-2017", "1 234"))
    report = validate_values(df, CATALOGUE, REGIONS)
    assert report.ok
    assert error_texts(report) == []
    report.raise_for_errors()  # does not raise


def test_missing_column_is_named() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", "3.48")).drop(columns=["status"])
    report = validate_values(df, CATALOGUE, REGIONS)
    assert error_texts(report) == [
        "values.csv, row 1: missing column(s) 'status'; expected columns "
        "region_code,indicator_id,period,value,status,source_id,note"]


def test_unexpected_column_is_an_error() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", "3.48")).assign(kommentar="x")
    assert error_texts(validate_values(df, CATALOGUE, REGIONS)) == [
        "values.csv, row 1, column 'kommentar': unexpected column 'kommentar'; expected "
        "columns region_code,indicator_id,period,value,status,source_id,note"]


def test_duplicated_column_is_an_error() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", "3.48"))
    df.columns = [*VALUE_COLUMNS[:-1], "value"]
    assert error_texts(validate_values(df, CATALOGUE, REGIONS)) == [
        "values.csv, row 1, column 'value': column 'value' appears more than once; expected "
        "columns region_code,indicator_id,period,value,status,source_id,note",
        "values.csv, row 1: missing column(s) 'note'; expected columns "
        "region_code,indicator_id,period,value,status,source_id,note"]


def test_unknown_region_code_lists_valid_codes() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", "3.48"),
                     ("99", "fou_andel_brp", "2013", "3.48"))
    assert error_texts(validate_values(df, CATALOGUE, REGIONS)) == [
        "values.csv, row 3, column 'region_code': unknown region code '99'; "
        "expected one of 00, 04, 24"]


def test_region_code_without_leading_zero_gets_a_hint() -> None:
    df = make_values(("4", "fou_andel_brp", "2013", "3.48"),
                     ("4", "fou_andel_brp", "2014", "3.48"))
    assert error_texts(validate_values(df, CATALOGUE, REGIONS)) == [
        "values.csv, row 2, column 'region_code': unknown region code '4' (2 rows: 2, 3); "
        "expected one of 00, 04, 24 (two digits: '04'; Excel drops leading zeros)"]


def test_non_numeric_value() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", "1,2x"))
    assert error_texts(validate_values(df, CATALOGUE, REGIONS)) == [
        "values.csv, row 2, column 'value': '1,2x' is not a number; "
        "expected a decimal number such as 1234.5 or 1 234,5"]


def test_share_above_100_is_out_of_range() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", "140"))
    report = validate_values(df, CATALOGUE, REGIONS)
    assert error_texts(report) == [
        "values.csv, row 2, column 'value': '140' is out of range for 'fou_andel_brp' "
        "(unit 'procent', a share); expected a value between 0 and 100"]
    issue = report.errors[0]
    assert (issue.region_code, issue.indicator_id, issue.value) == ("24", "fou_andel_brp", "140")


@pytest.mark.parametrize(("indicator", "value", "expected"), [
    ("patent", "-1", "a value of at least 0"),
    ("klimat_betyg", "6,5", "a value between 1 and 6"),
    ("klimat_betyg", "0", "a value between 1 and 6"),
])
def test_range_follows_unit_kind(indicator: str, value: str, expected: str) -> None:
    report = validate_values(make_values(("24", indicator, "2013", value)), CATALOGUE, REGIONS)
    assert [issue.expected for issue in report.errors] == [expected]


def test_duplicated_row_names_both_rows() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", "3.48"),
                     ("24", "fou_andel_brp", "2014", "3.1"),
                     ("24", "fou_andel_brp", "2013", "3.5"))
    assert error_texts(validate_values(df, CATALOGUE, REGIONS)) == [
        "values.csv, row 4: duplicate of row 2 (region_code '24', indicator_id "
        "'fou_andel_brp', period '2013'); expected one row per region_code, indicator_id, "
        "period"]


def test_indicator_not_in_catalogue() -> None:
    df = make_values(("24", "fou_andel_brpp", "2013", "3.48"))
    assert error_texts(validate_values(df, CATALOGUE, REGIONS)) == [
        "values.csv, row 2, column 'indicator_id': indicator 'fou_andel_brpp' is not in the "
        "catalogue; expected an indicator id from indicators.yaml (did you mean "
        "'fou_andel_brp'?)"]


@pytest.mark.parametrize("period", ["2013/14", "13", "2017-2014", "2014-2014", "2014–2017"])
def test_malformed_period(period: str) -> None:
    df = make_values(("24", "fou_andel_brp", period, "3.48"))
    assert error_texts(validate_values(df, CATALOGUE, REGIONS)) == [
        f"values.csv, row 2, column 'period': {period!r} is not a valid period; "
        "expected 'YYYY' or 'YYYY-YYYY' with start < end"]


def test_status_and_source_checks() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", "3.48", "obs"),
                     ("24", "fou_andel_brp", "2014", "3.48", "observed", "okand"),
                     ("24", "fou_andel_brp", "2015", "3.48", "observed", "synthetic"),
                     ("24", "fou_andel_brp", "2016", "3.48", "synthetic", "synthetic"))
    assert error_texts(validate_values(df, CATALOGUE, REGIONS)) == [
        "values.csv, row 2, column 'status': status 'obs' is not allowed; "
        "expected observed or synthetic",
        "values.csv, row 3, column 'source_id': unknown source_id 'okand'; "
        "expected a key of sources.yaml or 'synthetic'",
        "values.csv, row 4, column 'source_id': source_id 'synthetic' on an observed value; "
        "expected status 'synthetic' for generated values"]


def test_survey_item_in_values_is_an_error() -> None:
    df = make_values(("24", "innovationsarbete", "2024", "34"))
    assert error_texts(validate_values(df, CATALOGUE, REGIONS)) == [
        "values.csv, row 2, column 'indicator_id': 'innovationsarbete' is a survey "
        "indicator; expected only register indicators here; survey indicators go in "
        "survey.csv"]


def test_all_errors_reported_and_raised_together() -> None:
    df = make_values(("99", "fou_andel_brp", "2013", "3.48"),
                     ("24", "fou_andel_brp", "20x3", "abc"))
    report = validate_values(df, CATALOGUE, REGIONS)
    assert [(issue.row, issue.column) for issue in report.errors] == [
        (2, "region_code"), (3, "period"), (3, "value")]
    with pytest.raises(DataValidationError) as caught:
        report.raise_for_errors()
    assert str(caught.value).startswith("3 data error(s):\n  - values.csv, row 2")
    assert report.summary().startswith("values.csv: 3 error(s)")


def test_suppressed_value_is_a_warning_not_an_error() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", ".."))
    report = validate_values(df, CATALOGUE, REGIONS)
    assert report.ok
    assert "values.csv, row 2, column 'value': '..' marks a missing or suppressed value; " \
           "the row is ignored" in [str(issue) for issue in report.warnings]


# --- warnings -------------------------------------------------------------------------------

def test_jump_warning_names_region_indicator_and_row() -> None:
    series = ["10", "11", "12", "40", "13", "14"]
    df = make_values(*(("24", "patent", str(2013 + i), v) for i, v in enumerate(series)))
    report = validate_values(df, CATALOGUE, REGIONS)
    jumps = [str(issue) for issue in report.warnings if "jump" in issue.message]
    assert jumps == [
        "values.csv, row 5, column 'value': abrupt jump in region '24', indicator 'patent': "
        "40 in 2016 against 12 in 2015 and 13 in 2017; expected a value in line with its "
        "neighbours (check unit, decimal separator or a break in the series)"]


@pytest.mark.parametrize(("values", "expected"), [
    ([10, 11, 12, 40, 13, 14], [3]),
    ([10, 11, 12, 13, 14, 15], []),          # steady trend
    ([10, 30, 10, 30, 10, 30], []),          # volatile throughout: not a single jump
    ([10, 11, 12, 13, 14, 100], []),         # end points need two neighbours
    ([5, 5.1, 5, 4.0, 5.1, 5], []),          # 20 % dip: below the minimum change
    ([-2, -1, 0, 40, 1, 2], [3]),            # non-positive series use differences
    ([1, 1, 2, 1, 2, 2], []),                # small counts move by chance
    ([0, 1, 1, 9, 1, 1], []),
    ([0, 1, 1, 12, 1, 1], [3]),
    ([0.5, 1, 1, 9, 1, 1], [3]),             # not counts: small values do count
    ([10, 12], []),
])
def test_detect_jumps(values: list[float], expected: list[int]) -> None:
    assert detect_jumps(values) == expected


def test_jump_warnings_of_many_series_in_any_row_order() -> None:
    # series of several län and indicators, single years and multi-year periods, rows shuffled:
    # one warning per jump, in the order of region, indicator, period length and period
    rows = []
    for region, offset in (("24", 0), ("04", 1)):
        for indicator in ("patent", "fou_andel_brp"):
            yearly = [10, 11, 12, 40 + offset, 13, 14] if indicator == "patent" else [3] * 6
            rows += [(region, indicator, str(2013 + i), str(v)) for i, v in enumerate(yearly)]
            rows += [(region, indicator, f"{2000 + 2 * i}-{2001 + 2 * i}", str(v))
                     for i, v in enumerate([5, 5, 50, 5, 5])]
    shuffled = [rows[i] for i in pd.Series(range(len(rows))).sample(frac=1, random_state=3)]
    report = validate_values(make_values(*shuffled), CATALOGUE, REGIONS)
    jumps = [(issue.region_code, issue.indicator_id, issue.period, issue.row)
             for issue in report.warnings if "jump" in issue.message]
    expected = [(region, indicator, period, 2 + shuffled.index(
                    next(r for r in shuffled if r[:3] == (region, indicator, period))))
                for region in ("04", "24") for indicator in ("fou_andel_brp", "patent")
                for period in (["2016"] if indicator == "patent" else []) + ["2004-2005"]]
    assert jumps == expected


def test_gap_warning_lists_missing_years() -> None:
    df = make_values(("24", "patent", "2013", "5"), ("24", "patent", "2015", "5"),
                     ("24", "patent", "2019", "5"), ("24", "patent", "2020-2021", "5"))
    report = validate_values(df, CATALOGUE, REGIONS)
    gaps = [str(issue) for issue in report.warnings if "gap" in issue.message]
    assert gaps == [
        "values.csv, column 'period': gap in region '24', indicator 'patent': no value for "
        "2014, 2016–2018 within 2013–2021; expected a value for every year between the first "
        "and the last"]


def test_shared_gap_is_one_warning_naming_the_regions() -> None:
    df = make_values(*((region, "patent", period, "5") for region in ("00", "04", "24")
                       for period in ("2013", "2016")),
                     ("24", "fou_andel_brp", "2013", "3"), ("24", "fou_andel_brp", "2015", "3"))
    report = validate_values(df, CATALOGUE, REGIONS)
    gaps = [str(issue) for issue in report.warnings if "gap" in issue.message]
    assert gaps == [
        "values.csv, column 'period': gap in region '24', indicator 'fou_andel_brp': no value "
        "for 2014 within 2013–2015; expected a value for every year between the first and "
        "the last",
        "values.csv, column 'period': gap in indicator 'patent' in 3 regions (00, 04, 24): no "
        "value for 2014–2015 within 2013–2016; expected a value for every year between the "
        "first and the last"]


def test_catalogue_indicator_without_data_warns() -> None:
    df = make_values(("24", "fou_andel_brp", "2013", "3.48"))
    report = check_against_catalogue(df, CATALOGUE)
    assert report.errors == []
    assert sorted(issue.indicator_id for issue in report.warnings) == ["klimat_betyg", "patent"]
    assert str(report.warnings[0]) == (
        "values.csv, column 'indicator_id': catalogue indicator 'patent' has no data; "
        "expected at least one row per register indicator in indicators.yaml")


def test_format_years() -> None:
    assert format_years([2016, 2018, 2019, 2020, 2013]) == "2013, 2016, 2018–2020"


# --- survey ---------------------------------------------------------------------------------

SURVEY_COLUMNS = ["region_code", "indicator_id", "period", "category", "share_pct", "status",
                  "source_id", "note"]


def make_survey(*rows: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame([[r[0], r[1], "2024", r[2], r[3], r[4] if len(r) > 4 else "observed",
                          "scb_fou", ""] for r in rows], columns=SURVEY_COLUMNS, dtype=str)


def test_valid_survey() -> None:
    df = make_survey(("24", "innovationsarbete", "ja", "34"),
                     ("24", "innovationsarbete", "nej", "58"),
                     ("24", "innovationsarbete", "osäker", "8,5"))
    assert error_texts(validate_survey(df, CATALOGUE, REGIONS)) == []


def test_survey_shares_summing_over_100() -> None:
    df = make_survey(("24", "innovationsarbete", "ja", "44"),
                     ("24", "innovationsarbete", "nej", "58"),
                     ("24", "innovationsarbete", "osäker", "8"))
    assert error_texts(validate_survey(df, CATALOGUE, REGIONS)) == [
        "survey.csv, row 2, column 'share_pct': shares of 'innovationsarbete' for region "
        "'24', period '2024' sum to 110 (rows 2, 3, 4); expected at most 100.5 in total per "
        "question"]


def test_survey_row_checks() -> None:
    df = make_survey(("24", "innovationsarbete", "kanske", "10"),
                     ("24", "innovationsarbete", "ja", "10", "synthetic"),
                     ("24", "patent", "ja", "10"),
                     ("24", "innovationsarbete", "nej", "140"))
    assert error_texts(validate_survey(df, CATALOGUE, REGIONS)) == [
        "survey.csv, row 2, column 'category': category 'kanske' is not an answer category "
        "of 'innovationsarbete'; expected one of 'ja', 'nej', 'osäker'",
        "survey.csv, row 3, column 'status': status 'synthetic' is not allowed; "
        "expected observed",
        "survey.csv, row 4, column 'indicator_id': 'patent' is a register indicator; "
        "expected only survey indicators here; register indicators go in values.csv",
        "survey.csv, row 5, column 'share_pct': '140' is out of range for "
        "'innovationsarbete' (unit 'procent', a share); expected a value between 0 and 100"]


# --- coverage -------------------------------------------------------------------------------

def typed_values() -> pd.DataFrame:
    return pd.DataFrame({
        "region_code": ["24", "24", "00", "24"],
        "indicator_id": ["fou_andel_brp", "fou_andel_brp", "fou_andel_brp", "patent"],
        "period": ["2013", "2014", "2014", "2013-2014"],
        "status": ["observed", "synthetic", "observed", "synthetic"],
    })


def test_coverage_table() -> None:
    table = coverage_table(typed_values(), CATALOGUE)
    assert table["indicator_id"].tolist() == [
        "fou_andel_brp", "patent", "klimat_betyg", "innovationsarbete"]
    first = table.iloc[0]
    assert (first["dimension"], first["first_period"], first["last_period"]) == (
        "fou", "2013", "2014")
    assert (first["n_regions"], first["n_values"], first["n_observed"]) == (2, 3, 2)
    assert first["share_observed"] == pytest.approx(2 / 3)
    assert table[["2013", "2014"]].values.tolist() == [
        ["o", "m"], ["s", "s"], ["", ""], ["", ""]]
    assert table.loc[2, "n_values"] == 0


def test_coverage_by_dimension() -> None:
    by_dimension = coverage_by_dimension(typed_values(), CATALOGUE)
    assert by_dimension["dimension"].tolist() == ["fou", "teknologi"]
    assert by_dimension["n_indicators"].tolist() == [1, 3]
    assert by_dimension["n_with_data"].tolist() == [1, 1]
    assert by_dimension["share_synthetic"].tolist() == pytest.approx([1 / 3, 1.0])


def test_format_report_shows_issues_and_coverage() -> None:
    report = validate_values(make_values(("99", "fou_andel_brp", "2013", "3.48")),
                             CATALOGUE, REGIONS)
    text = format_report(report, coverage_table(typed_values(), CATALOGUE), catalogue=CATALOGUE)
    lines = text.splitlines()
    assert lines[0] == "values.csv: 1 error(s), 2 warning(s)"
    assert "  - values.csv, row 2, column 'region_code': unknown region code '99'; " \
           "expected one of 00, 04, 24" in lines
    assert any(line.split()[:4] == ["fou_andel_brp", "fou", "o", "m"] for line in lines)
    assert any(line.split()[:4] == ["klimat_betyg", "teknologi", ".", "."] for line in lines)
    assert any(line.split() == ["teknologi", "3", "1", "0%", "100%"] for line in lines)


def test_works_with_the_real_catalogue_classes() -> None:
    from ecoreport.data.catalogue import Indicator, Unit

    unit = Unit(id="procent", label_sv="procent", short_sv="%", label_en="per cent",
                kind="share")
    indicator = Indicator(
        id="fou_andel_brp", name_sv="FoU", name_en="R&D", description_sv="FoU-utgifter",
        description_en="R&D spending",
        dimension="fou", unit="procent", source="scb_fou", polarity="higher_is_better",
        decimals=2, kind="register", normalise="none", axis="research")
    catalogue = NS(units={"procent": unit}, indicators={"fou_andel_brp": indicator},
                   sources={"scb_fou": NS()})
    df = make_values(("24", "fou_andel_brp", "2013", "3,48"),
                     ("24", "fou_andel_brp", "2014", "101"))
    assert [issue.expected for issue in validate_values(df, catalogue, REGIONS).errors] == [
        "a value between 0 and 100"]


def test_coverage_statement_shares_routes_and_sources():
    from ecoreport.data.catalogue import load_catalogue
    from ecoreport.data.validate import (coverage_statement, format_coverage_statement,
                                         observed_shares)
    from ecoreport.paths import data_dir
    catalogue = load_catalogue(data_dir())
    rows = pd.DataFrame({
        "region_code": ["24", "24", "24", "24", "24", "01"],
        "indicator_id": ["befolkning", "befolkning", "befolkning", "almi_lan", "almi_lan",
                         "tea"],
        "period": ["2012", "2013", "2014", "2013", "2014", "2021-2023"],
        "status": ["synthetic", "observed", "synthetic", "observed", "observed", "synthetic"]})
    statement = coverage_statement(rows, catalogue).set_index("indicator_id")
    assert statement.loc["befolkning", "n_values"] == 2  # 2012 is outside 2013–2024
    assert statement.loc["befolkning", "share_observed"] == 0.5
    assert statement.loc["befolkning", "update"] == "fetch: scb"
    assert statement.loc["almi_lan", "update"] == "template/import"
    assert statement.loc["innovationsarbete", "update"] == "survey"
    assert statement.loc["almi_lan", "source_url"].startswith("https://")
    assert not statement.loc["befolkning", "metric"] and statement.loc["tea", "metric"]
    shares = observed_shares(statement.reset_index())
    assert shares["all"] == pytest.approx(3 / 5)
    assert shares["metric"] == pytest.approx(2 / 3)  # almi_lan 2 of 2, tea 0 of 1
    text = format_coverage_statement(statement.reset_index())
    assert text.splitlines()[-1] == ("Observed share of values 2013–2024: 60.0 % "
                                     "(METRIC indicators 66.7 %)")
    # an indicator without an API shows its recipe: the table, page, filters, unit
    assert statement.loc["almi_lan", "recipe"].startswith(
        "Almis utlåning: innovationslån och tillväxtlån efter län")
    almi_line = next(line for line in text.splitlines() if line.startswith("almi_lan"))
    assert "recipe: Almis utlåning" in almi_line and "→ de två lånetyperna summeras" in almi_line
    assert statement.loc["befolkning", "recipe"] == ""
    assert text.splitlines()[-2].endswith("have a recipe.")

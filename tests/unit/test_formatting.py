"""Swedish number formatting."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecoreport.errors import DataError
from ecoreport.markup.formatting import (
    VEGA_SV_LOCALE,
    d3_format,
    format_change_pp,
    format_number,
    format_percent,
    format_period,
    format_table,
    format_value,
)

NB = "\u00a0"
MINUS = "\u2212"


@pytest.mark.parametrize(("x", "decimals", "expected"), [
    (89045, 0, f"89{NB}045"),
    (4015, 0, f"4{NB}015"),
    (999, 0, "999"),
    (1000, 0, f"1{NB}000"),
    (1234567.891, 2, f"1{NB}234{NB}567,89"),
    (3.48, 2, "3,48"),
    (3.5, 1, "3,5"),
    (2.675, 2, "2,68"),      # half away from zero, not binary half-even
    (0.5, 0, "1"),
    (-0.38, 2, f"{MINUS}0,38"),
    (-12345.6, 1, f"{MINUS}12{NB}345,6"),
    (-0.004, 2, "0,00"),     # no "negative zero"
    (0, 1, "0,0"),
    (np.float64(148729.0), 0, f"148{NB}729"),
    (np.int64(601), 0, "601"),
])
def test_format_number_swedish(x, decimals, expected):
    assert format_number(x, decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA])
def test_format_number_missing_is_en_dash(missing):
    assert format_number(missing, 2) == "\u2013"


def test_format_number_rejects_text():
    with pytest.raises(TypeError):
        format_number("3,4")


def test_format_percent_word_and_symbol():
    assert format_percent(3.48) == "3,5 procent"
    assert format_percent(3.48, 2) == "3,48 procent"
    assert format_percent(42.2, style="symbol") == f"42,2{NB}%"
    assert format_percent(float("nan")) == "\u2013"


def test_format_change_pp_sign_and_number():
    assert format_change_pp(1.24) == "+1,2 procentenheter"
    assert format_change_pp(-0.8) == f"{MINUS}0,8 procentenheter"
    assert format_change_pp(-0.8, signed=False) == "0,8 procentenheter"
    assert format_change_pp(1, decimals=0, signed=False) == "1 procentenhet"
    assert format_change_pp(0.01) == "0,0 procentenheter"


@pytest.mark.parametrize(("period", "expected"), [
    ("2014-2017", "2014\u20132017"),
    ("2014\u20132017", "2014\u20132017"),
    ("2013", "2013"),
    (2013, "2013"),
])
def test_format_period_uses_en_dash(period, expected):
    assert format_period(period) == expected


@pytest.mark.parametrize("bad", ["13", "2017-2014", "2014/2017", "", True])
def test_format_period_rejects_bad_periods(bad):
    with pytest.raises(DataError, match="period"):
        format_period(bad)


def test_format_value_with_unit_object_and_string():
    mnkr = SimpleNamespace(short_sv="mnkr", label_sv="miljoner kronor")
    share = SimpleNamespace(short_sv="%", label_sv="procent av BRP")
    assert format_value(148729, mnkr) == f"148{NB}729 mnkr"
    assert format_value(148729, mnkr, style="label") == f"148{NB}729 miljoner kronor"
    assert format_value(2.15, share, 2, style="label") == "2,15 procent av BRP"
    assert format_value(2.15, share, 2) == f"2,15{NB}%"
    assert format_value(601, "årsverken") == "601 årsverken"
    assert format_value(12.0, None, 1) == "12,0"
    assert format_value(None, mnkr) == "\u2013"


def test_format_table_returns_string_frame_for_html_and_latex():
    df = pd.DataFrame({"lan": ["Västerbotten", "Riket"],
                       "brp_mnkr": [148729, 6000000],
                       "fou_pct": [2.153, float("nan")],
                       "andel": [-0.25, 1.0]})
    out = format_table(df, decimals={"fou_pct": 2})
    assert out["lan"].tolist() == ["Västerbotten", "Riket"]
    assert out["brp_mnkr"].tolist() == [f"148{NB}729", f"6{NB}000{NB}000"]
    assert out["fou_pct"].tolist() == ["2,15", "\u2013"]
    assert out["andel"].tolist() == [f"{MINUS}0,3", "1,0"]
    assert "2,15" in out.to_html() and "2,15" in out.to_latex()
    assert df["brp_mnkr"].dtype.kind == "i"  # input untouched


def test_format_table_unknown_column_raises():
    with pytest.raises(KeyError, match="nope"):
        format_table(pd.DataFrame({"a": [1.0]}), decimals={"nope": 1})


def test_vega_locale_and_d3_format():
    assert VEGA_SV_LOCALE["decimal"] == ","
    assert VEGA_SV_LOCALE["thousands"] == NB
    assert d3_format(2) == ",.2f"
    assert d3_format() == ",.0f"

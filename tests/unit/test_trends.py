"""Trends: OLS slope and CI checked against an independent least-squares fit."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ecoreport.analysis.trends import assess_direction, compute_trends, fit_trend


def make_series(years: list[int], values: list[float]) -> pd.DataFrame:
    """A one-region annual series in the tidy layout."""
    return pd.DataFrame({
        "period": [str(y) for y in years],
        "period_start": years, "period_end": years,
        "year": [float(y) for y in years], "value": values,
    })


def test_slope_and_ci_match_numpy_least_squares() -> None:
    years = [2013, 2014, 2015, 2016, 2018, 2019]
    values = [10.0, 12.5, 11.9, 15.2, 17.1, 18.8]
    result = fit_trend(make_series(years, values))

    x = np.array(years, dtype=float)
    design = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(design, np.array(values), rcond=None)
    residuals = np.array(values) - design @ coef
    dof = len(x) - 2
    sigma2 = residuals @ residuals / dof
    se_slope = np.sqrt(sigma2 / ((x - x.mean()) ** 2).sum())
    t_crit = stats.t.ppf(0.975, dof)
    p_value = 2 * stats.t.sf(abs(coef[1] / se_slope), dof)

    assert result.status == "ok"
    assert result.n == 6
    assert result.slope == pytest.approx(coef[1])
    assert result.slope_ci_low == pytest.approx(coef[1] - t_crit * se_slope)
    assert result.slope_ci_high == pytest.approx(coef[1] + t_crit * se_slope)
    assert result.p_value == pytest.approx(p_value)
    assert result.is_significant
    assert result.cagr_pct == pytest.approx(((18.8 / 10.0) ** (1 / 6) - 1) * 100)
    assert result.change_abs == pytest.approx(8.8)
    assert result.change_prev_pct == pytest.approx((18.8 - 17.1) / 17.1 * 100)
    assert (result.first_period, result.last_period, result.previous_period) == (
        "2013", "2019", "2018")


def test_multi_year_period_enters_at_midpoint() -> None:
    frame = pd.DataFrame({
        "period": ["2010-2013", "2014-2017", "2018-2021"],
        "period_start": [2010, 2014, 2018], "period_end": [2013, 2017, 2021],
        "value": [1.0, 2.0, 4.0],
    })
    result = fit_trend(frame)
    coef = np.polyfit([2011.5, 2015.5, 2019.5], [1.0, 2.0, 4.0], 1)
    assert result.slope == pytest.approx(coef[0])
    assert result.first_period == "2010-2013"


def test_too_short_series_reports_status_without_fit() -> None:
    result = fit_trend(make_series([2020, 2021, 2022], [1.0, np.nan, 3.0]))
    assert result.status == "too_short"
    assert result.n == 2
    assert np.isnan(result.slope)
    assert "minst 3" in result.message
    assert result.change_abs == pytest.approx(2.0)


def test_empty_and_constant_series() -> None:
    assert fit_trend(make_series([], [])).status == "too_short"
    constant = fit_trend(make_series([2013, 2014, 2015, 2016], [5.0] * 4))
    assert constant.status == "constant"
    assert constant.slope == 0.0
    assert not constant.is_significant


def test_negative_series_has_no_cagr() -> None:
    result = fit_trend(make_series([2013, 2014, 2015], [-1.0, 2.0, 3.0]))
    assert np.isnan(result.cagr_pct)


@pytest.mark.parametrize(("direction", "polarity", "expected"), [
    ("rising", "higher_is_better", "improving"),
    ("rising", "higher_is_worse", "worsening"),
    ("falling", "higher_is_worse", "improving"),
    ("rising", "neutral", "not_assessed"),
    ("unchanged", "higher_is_better", "unchanged"),
])
def test_assess_direction_uses_polarity(direction: str, polarity: str, expected: str) -> None:
    assert assess_direction(direction, polarity) == expected


def test_compute_trends_rows_direction_and_assessment() -> None:
    years = list(range(2013, 2021))
    rows = []
    for i, year in enumerate(years):
        rows.append(("24", "konkurser", year, 100.0 + 10 * i + (i % 2)))
        rows.append(("24", "patent", year, 50.0 - 0.001 * i + 2 * (i % 2)))
        rows.append(("24", "nle_item", year, 1.0 + i))
        rows.append(("01", "konkurser", year, 1.0))
    rows.append(("24", "nytt", 2020, 3.0))
    values = pd.DataFrame(rows, columns=["region_code", "indicator_id", "period_start", "value"])
    values["period_end"] = values["period_start"]
    values["period"] = values["period_start"].astype(str)
    values["year"] = values["period_start"].astype(float)
    values["status"] = "observed"
    values.loc[values["indicator_id"] == "patent", "status"] = "synthetic"
    catalogue = SimpleNamespace(indicators={
        "konkurser": SimpleNamespace(kind="register", polarity="higher_is_worse",
                                     dimension="entreprenorskap"),
        "patent": SimpleNamespace(kind="register", polarity="higher_is_better",
                                  dimension="teknologi"),
        "nle_item": SimpleNamespace(kind="survey", polarity="higher_is_better",
                                    dimension="kultur"),
        "nytt": SimpleNamespace(kind="register", polarity="higher_is_better",
                                dimension="teknologi"),
    })
    table = compute_trends(values, "24", catalogue, until_year=2019).set_index("indicator_id")
    # survey items are skipped, "nytt" is only observed after until_year
    assert list(table.index) == ["konkurser", "patent"]
    assert table.loc["konkurser", "direction"] == "rising"
    assert table.loc["konkurser", "assessment"] == "worsening"
    assert table.loc["konkurser", "last_period"] == "2019"
    assert table.loc["patent", "direction"] == "unchanged"
    assert bool(table.loc["patent", "has_synthetic"])
    assert not bool(table.loc["konkurser", "has_synthetic"])

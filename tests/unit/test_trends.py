"""Trends: OLS slope and CI checked against an independent least-squares fit."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ecoreport.analysis.trends import (
    SE_AR1,
    SE_OLS,
    assess_direction,
    compute_trends,
    fit_trend,
    slope_test,
)


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
    result = fit_trend(make_series(years, values), se_method=SE_OLS)

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
    # significant by p, but six points are too few for a trusted test
    assert result.claim == "indicative"
    assert not result.is_significant
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
    years = list(range(2013, 2024))
    rows = []
    for i, year in enumerate(years):
        rows.append(("24", "konkurser", year, 100.0 + 10 * i + (i % 2)))
        rows.append(("24", "patent", year, 50.0 - 0.001 * i + 2 * (i % 2)))
        rows.append(("24", "nle_item", year, 1.0 + i))
        rows.append(("01", "konkurser", year, 1.0))
    rows.append(("24", "nytt", 2023, 3.0))
    values = pd.DataFrame(rows, columns=["region_code", "indicator_id", "period_start", "value"])
    values["period_end"] = values["period_start"]
    values["period"] = values["period_start"].astype(str)
    values["year"] = values["period_start"].astype(float)
    values["status"] = "observed"
    # two synthetic years of patent: its trend rests on the 8 observed ones only
    values.loc[(values["indicator_id"] == "patent") & (values["period_start"] <= 2014),
               "status"] = "synthetic"
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
    table = compute_trends(values, "24", catalogue, until_year=2022,
                           se_method=SE_OLS).set_index("indicator_id")
    # survey items are skipped, "nytt" is only observed after until_year
    assert list(table.index) == ["konkurser", "patent"]
    assert table.loc["konkurser", "direction"] == "rising"
    assert table.loc["konkurser", "assessment"] == "worsening"
    assert table.loc["konkurser", "last_period"] == "2022"
    assert table.loc["patent", "direction"] == "unchanged"
    assert bool(table.loc["patent", "has_synthetic"])
    assert table.loc["patent", "n"] == table.loc["patent", "n_observed"] == 8
    assert table.loc["patent", "n_synthetic"] == 2
    assert table.loc["patent", "fit_first_period"] == "2015"
    assert table.loc["patent", "first_period"] == "2013"  # the change still spans the chart
    assert not bool(table.loc["konkurser", "has_synthetic"])


# --- known answers: autocorrelated noise, planted breaks, the report window ------------------

def _ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    e = rng.normal(size=n + 50)
    y = np.zeros(n + 50)
    for t in range(1, n + 50):
        y[t] = phi * y[t - 1] + e[t]
    return y[50:]


@pytest.mark.parametrize(("phi", "upper"), [(0.0, 0.09), (0.5, 0.12)])
def test_ar1_without_trend_is_rarely_significant(phi: float, upper: float) -> None:
    """AR(1) noise without a trend: the default test rejects near the nominal 5 %, while
    plain OLS rejects far more often on autocorrelated series (the defect it replaces)."""
    rng = np.random.default_rng(7)
    x = np.arange(2001, 2025, dtype=float)
    series = [_ar1(rng, len(x), phi) for _ in range(400)]
    rate = np.mean([slope_test(x, y, SE_AR1)[3] < 0.05 for y in series])
    assert 0.01 <= rate <= upper
    if phi > 0:
        ols = np.mean([slope_test(x, y, SE_OLS)[3] < 0.05 for y in series])
        assert ols > rate + 0.05


def test_real_trend_is_found() -> None:
    rng = np.random.default_rng(3)
    years = list(range(2013, 2025))
    values = [0.5 * i + v for i, v in enumerate(_ar1(rng, len(years), 0.3))]
    result = fit_trend(make_series(years, values))
    assert result.claim == "significant" and result.slope_ci_low > 0


def test_few_points_or_overlapping_periods_are_only_indicative() -> None:
    short = fit_trend(make_series([2018, 2019, 2020, 2021, 2022], [1.0, 2.0, 3.1, 3.9, 5.0]))
    assert short.p_value < 0.05 and short.claim == "indicative" and not short.is_significant
    frame = pd.DataFrame({
        "period": [f"{y}-{y + 3}" for y in range(2000, 2020)],
        "period_start": list(range(2000, 2020)), "period_end": [y + 3 for y in range(2000, 2020)],
        "value": [float(i) for i in range(20)],
    })
    assert fit_trend(frame).claim == "indicative"


def test_hac_is_available_and_named() -> None:
    years = list(range(2001, 2025))
    result = fit_trend(make_series(years, [float(i % 5) + 0.2 * i for i in range(24)]),
                       se_method="hac_newey_west")
    assert result.se_method == "hac_newey_west" and result.status == "ok"
    with pytest.raises(ValueError, match="se_method"):
        fit_trend(make_series(years, [float(i) ** 1.5 for i in range(24)]), se_method="x")


def _values(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    values = pd.DataFrame(rows, columns=["region_code", "indicator_id", "period_start", "value"])
    values["period_end"] = values["period_start"]
    values["period"] = values["period_start"].astype(str)
    values["year"] = values["period_start"].astype(float)
    values["status"] = "observed"
    return values


def test_trend_is_fitted_after_a_planted_level_break_and_in_the_window() -> None:
    """A level shift in 2010 (method break) and a steep rise before the report window:
    the trend uses only the comparable years of the window, which are flat."""
    rng = np.random.default_rng(11)
    rows = [("24", "firms", y, (100.0 if y < 2010 else 300.0) + (5.0 * (y - 1994) if y < 2013
             else 0.0) + rng.normal(0, 1)) for y in range(1994, 2025)]
    catalogue = SimpleNamespace(indicators={"firms": SimpleNamespace(
        kind="register", polarity="higher_is_better", dimension="d", normalise="none",
        method_break=2010)})
    values = _values(rows)
    whole = compute_trends(values, "24", catalogue, until_year=2024, from_year=None)
    assert whole.iloc[0]["first_period"] == "2010" and whole.iloc[0]["window_start"] == 2010
    window = compute_trends(values, "24", catalogue, until_year=2024)
    row = window.iloc[0]
    assert row["first_period"] == "2013" and row["n"] == 12
    assert row["claim"] == "not_significant"
    assert row["slope_ci_low"] < 0 < row["slope_ci_high"]


def test_random_walks_give_few_false_trends() -> None:
    """Pure noise (white noise around a level, one per indicator): the share of
    "significant" trends stays near the nominal rate."""
    rng = np.random.default_rng(5)
    years = range(2013, 2025)
    rows = [("24", f"i{k}", y, 10.0 + v) for k in range(60)
            for y, v in zip(years, rng.normal(size=12))]
    catalogue = SimpleNamespace(indicators={f"i{k}": SimpleNamespace(
        kind="register", polarity="higher_is_better", dimension="d", normalise="none")
        for k in range(60)})
    table = compute_trends(_values(rows), "24", catalogue, until_year=2024)
    assert (table["claim"] == "significant").mean() <= 0.09

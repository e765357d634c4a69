"""The trend test at the report's length: false positives on trendless noise, power on
planted trends, an interval consistent with the test, and Benjamini-Hochberg across the
indicators of a report (known answers; fixed seeds)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from ecoreport.analysis.results import compute_results
from ecoreport.analysis.trends import (
    MIN_TEST_OBSERVATIONS,
    SE_AR1,
    SE_CALIBRATED,
    benjamini_hochberg,
    calibrated_test,
    compute_trends,
    control_fdr,
    fit_trend,
    null_rejection_rates,
    simulate_null,
)
from ecoreport.data.dataset import load_dataset
from ecoreport.report.results_data import summary_dict

SERIES = 2000
#: the years a report's trend is fitted on: the full window, and windows with gaps or
#: shorter (a series observed through 2019 or with missing years)
DESIGNS = {
    "12 år": np.arange(2013, 2025),
    "luckor": np.array([2013, 2014, 2015, 2016, 2017, 2018, 2019, 2021, 2023, 2024]),
    "8 år": np.arange(2013, 2021),
    "glesa": np.array([2013, 2015, 2016, 2017, 2019, 2020, 2021, 2022, 2024]),
}


@pytest.mark.parametrize("design", list(DESIGNS))
def test_false_positive_rates_at_the_reports_length(design: str) -> None:
    rates = null_rejection_rates(series=SERIES, seed=19, years=DESIGNS[design])
    assert rates[0.0] <= 0.07 and rates[0.5] <= 0.07 and rates[0.8] <= 0.07, rates
    assert rates[1.0] <= 0.10, rates
    # not a test that never rejects: near the nominal rate at the worst case it covers
    assert rates[1.0] >= 0.03, rates


def test_the_test_it_replaces_fails_the_bar() -> None:
    """The AR(1)-inflated t of earlier editions, at n = 12: the defect the calibration fixes."""
    rates = null_rejection_rates(series=SERIES, seed=19, phis=(0.8, 1.0), se_method=SE_AR1)
    assert rates[0.8] > 0.12 and rates[1.0] > 0.18, rates


@pytest.mark.parametrize(("phi", "ratio", "power"), [
    (0.0, 1.0, 0.85), (0.0, 0.5, 0.40), (0.5, 1.0, 0.55)])
def test_power_against_a_linear_trend(phi: float, ratio: float, power: float) -> None:
    """Slope per year / noise standard deviation = ``ratio``, twelve yearly values."""
    x = np.arange(12, dtype=float)
    rng = np.random.default_rng(23)
    ys = simulate_null(x, phi, SERIES, rng) + ratio * x
    assert np.mean(calibrated_test(x, ys)["p_value"] < 0.05) >= power


def test_interval_excludes_zero_exactly_when_significant() -> None:
    rng = np.random.default_rng(29)
    x = DESIGNS["luckor"].astype(float)
    ys = simulate_null(x, 0.5, SERIES, rng) + rng.uniform(-1.5, 1.5, (SERIES, 1)) * (x - x[0])
    test = calibrated_test(x, ys)
    excludes = (test["ci_low"] > 0) | (test["ci_high"] < 0)
    assert np.array_equal(excludes, test["p_value"] < 0.05)
    assert 0.2 < excludes.mean() < 0.9  # both outcomes occur
    assert np.all(test["ci_low"] <= test["slope"]) and np.all(test["slope"] <= test["ci_high"])


def test_fit_trend_uses_the_calibrated_test_with_gaps() -> None:
    years = [2013, 2014, 2016, 2017, 2018, 2020, 2021, 2022, 2024]
    values = [3.0 + 0.8 * i + (0.3 if i % 2 else -0.3) for i in range(len(years))]
    frame = pd.DataFrame({"year": years, "period": [str(y) for y in years], "value": values})
    result = fit_trend(frame)
    assert result.se_method == SE_CALIBRATED and result.status == "ok"
    test = calibrated_test(np.array(years, dtype=float), np.array(values))
    assert result.p_value == pytest.approx(float(test["p_value"][0]))
    assert result.slope_ci_low == pytest.approx(float(test["ci_low"][0]))
    assert 0.0 <= result.phi_upper <= 1.0
    assert result.claim == "significant" and result.slope > 0
    short = fit_trend(frame.head(2))
    assert short.status == "too_short" and short.claim == "insufficient"
    # fewer points than a trusted test needs: at most "indicative"
    assert fit_trend(frame.head(MIN_TEST_OBSERVATIONS - 1)).claim != "significant"


def test_benjamini_hochberg_known_answer() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.2, np.nan])
    # sorted 0.005 0.01 0.03 0.04 0.2 (m = 5) -> 0.025 0.025 0.05 0.05 0.2
    expected = np.array([0.025, 0.05, 0.05, 0.025, 0.2, np.nan])
    np.testing.assert_allclose(benjamini_hochberg(p), expected)
    rng = np.random.default_rng(31)
    many = rng.uniform(0, 0.2, 40) ** 2
    np.testing.assert_allclose(benjamini_hochberg(many),
                               multipletests(many, method="fdr_bh")[1])


def test_control_fdr_demotes_claims_and_directions() -> None:
    trends = pd.DataFrame({
        "indicator_id": ["a", "b", "c", "d", "e"],
        "polarity": ["higher_is_better"] * 5,
        "p_value": [0.001, 0.04, 0.3, 0.02, 0.01],
        "claim": ["significant", "significant", "not_significant", "indicative",
                  "significant"],
        "is_significant": [True, True, False, False, True],
        "direction": ["rising", "falling", "unchanged", "unchanged", "rising"],
        "assessment": ["improving", "worsening", "unchanged", "unchanged", "improving"]})
    out = control_fdr(trends).set_index("indicator_id")
    # family a b c e (d is not a trusted test): q = 0.004 0.0533 0.3 0.02
    assert out.loc["a", "claim"] == "significant" and out.loc["e", "claim"] == "significant"
    assert out.loc["b", "claim"] == "not_significant" and not out.loc["b", "is_significant"]
    assert (out.loc["b", "direction"], out.loc["b", "assessment"]) == ("unchanged", "unchanged")
    assert out.loc["b", "q_value"] == pytest.approx(0.04 * 4 / 3)
    assert np.isnan(out.loc["d", "q_value"]) and out.loc["d", "claim"] == "indicative"
    assert trends.loc[1, "claim"] == "significant"  # the input is left alone


def test_fdr_family_is_the_trusted_tests_only() -> None:
    """A short or overlapping series' p-value is no test: it neither enters the family nor
    makes the others' q-values larger."""
    trends = pd.DataFrame({
        "indicator_id": ["a", "b", "c"], "polarity": ["higher_is_better"] * 3,
        "p_value": [0.02, 0.03, 0.6], "claim": ["significant", "significant", "not_significant"],
        "testable": [True, True, False], "is_significant": [True, True, False],
        "direction": ["rising", "rising", "unchanged"],
        "assessment": ["improving", "improving", "unchanged"]})
    out = control_fdr(trends)
    np.testing.assert_allclose(out["q_value"].to_numpy()[:2], [0.03, 0.03])
    assert np.isnan(out["q_value"].iloc[2]) and (out["claim"].iloc[:2] == "significant").all()


def test_trend_ignores_synthetic_points() -> None:
    years = np.arange(2013, 2025)
    rows = pd.DataFrame({"region_code": "24", "indicator_id": "x", "period_start": years,
                         "period_end": years, "period": years.astype(str),
                         "year": years.astype(float), "value": np.arange(12.0) ** 2,
                         "status": ["observed"] * 7 + ["synthetic"] * 5})
    catalogue = type("C", (), {"indicators": {"x": type("M", (), {
        "kind": "register", "polarity": "higher_is_better", "dimension": "d"})()}})()
    first = compute_trends(rows, "24", catalogue, until_year=2024).iloc[0]
    redrawn = rows.assign(value=np.where(rows["status"] == "synthetic", -50.0, rows["value"]))
    second = compute_trends(redrawn, "24", catalogue, until_year=2024).iloc[0]
    assert first["n_observed"] == 7 and first["claim"] != "significant"
    assert not first["testable"]  # 7 observed points: below MIN_TEST_OBSERVATIONS
    for key in ("slope", "slope_ci_low", "slope_ci_high", "p_value", "claim", "direction"):
        assert first[key] == second[key]


def test_null_random_walks_give_few_significant_trends() -> None:
    """Independent random walks for every län, indicator and year, all observed, through
    the report's own computation: at most 10 % of the trends significant."""
    dataset = load_dataset()
    values = dataset.values.sort_values(["indicator_id", "region_code", "period_start"])
    steps = np.random.default_rng(37).standard_normal(len(values))
    walk = pd.Series(steps, index=values.index).groupby(
        [values["indicator_id"], values["region_code"]]).cumsum()
    values = values.assign(value=100.0 + walk, status="observed").sort_index()
    null = dataclasses.replace(dataset, values=values)
    results = compute_results(null, "24", 2024)
    trends = results.trends
    # all observed: every annual series is tested (multi-year periods stay "indicative")
    assert len(trends) >= 40 and (trends["n_observed"] >= MIN_TEST_OBSERVATIONS).mean() > 0.8
    assert (trends["claim"] == "significant").mean() <= 0.10
    summary = summary_dict(results, dataset.catalogue, "Västerbotten")
    claims = [t["claim"] for t in summary["trends"]]
    assert claims and np.mean([c == "significant" for c in claims]) <= 0.10
    # every län, the same test and FDR control as the report
    significant = total = 0
    for code in sorted(set(values["region_code"]) - {"00"}):
        table = control_fdr(compute_trends(values, code, dataset.catalogue, until_year=2024))
        significant += int((table["claim"] == "significant").sum())
        total += len(table)
    assert total >= 21 * 40 and significant / total <= 0.10


def test_method_chapter_states_the_measured_rates() -> None:
    """The rates in the method chapter are the library's simulation, glued, not typed."""
    import re

    from ecoreport.paths import project_root
    from ecoreport.report.appendix import TREND_CHECK_LENGTH, TREND_CHECK_SERIES, trend_test_facts
    from ecoreport.markup.formatting import format_number

    facts = trend_test_facts()
    rates = null_rejection_rates(TREND_CHECK_LENGTH, TREND_CHECK_SERIES)
    assert facts["method-trend-fp-walk"] == format_number(100 * rates[1.0], 1)
    assert facts["method-trend-fp-ar08"] == format_number(100 * rates[0.8], 1)
    old = null_rejection_rates(TREND_CHECK_LENGTH, TREND_CHECK_SERIES, se_method=SE_AR1)
    assert facts["method-trend-fp-old-walk"] == format_number(100 * old[1.0], 1)
    text = (project_root() / "notebooks" / "metod.md").read_text(encoding="utf-8")
    for key in facts:
        assert f"{{glue:md}}`{key}:myst`" in text, key
    assert "Benjamini–Hochberg" in text and "bara på observerade värden" in text
    assert not re.search(r"under 12 procent i kraftigt autokorrelerat", text)

"""Findings: only observed values make a finding; the observed share counts analysed values."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from ecoreport.analysis.compare import compare_regions
from ecoreport.analysis.findings import find_findings, observed_share
from ecoreport.analysis.trends import compute_trends

CODES = [f"{i:02d}" for i in range(1, 22)] + ["00"]
YEARS = list(range(2013, 2025))


def make_catalogue() -> SimpleNamespace:
    def ind(dimension: str, polarity: str = "higher_is_better") -> SimpleNamespace:
        return SimpleNamespace(kind="register", polarity=polarity, normalise="none",
                               dimension=dimension, axis=None, method_break=None)
    return SimpleNamespace(
        indicators={"rising": ind("fou"), "flat": ind("fou"),
                    "befolkning": ind("kontext", "neutral")},
        dimensions=[SimpleNamespace(id="kontext", metric=False)])


def make_values() -> pd.DataFrame:
    """Län 21 is best on 'rising' and rises steadily; 'flat' is noise; all observed."""
    rng = np.random.default_rng(2)
    rows = []
    for i, code in enumerate(CODES):
        for k, year in enumerate(YEARS):
            rows.append((code, "rising", year, 10.0 + i + (2.0 * k if code == "21" else 0.0)
                         + 0.1 * rng.normal()))
            rows.append((code, "flat", year, 5.0 + rng.normal()))
            rows.append((code, "befolkning", year, 1000.0))
    frame = pd.DataFrame(rows, columns=["region_code", "indicator_id", "period_start", "value"])
    frame["period_end"] = frame["period_start"]
    frame["period"] = frame["period_start"].astype(str)
    frame["year"] = frame["period_start"].astype(float)
    frame["status"] = "observed"
    return frame


def findings_for(values: pd.DataFrame):
    catalogue = make_catalogue()
    regions = [SimpleNamespace(code=c, short_name=f"Län {c}", peers=[]) for c in CODES]
    comparisons = {i: compare_regions(values, catalogue, regions, i, 2024)
                   for i in ("rising", "flat")}
    trends = compute_trends(values, "21", catalogue, until_year=2024)
    return find_findings(trends, comparisons, values, catalogue, "21", 2024)


def test_observed_strength_and_improvement_are_findings() -> None:
    result = findings_for(make_values())
    kinds = {(f.kind, f.indicator_id) for f in result.findings}
    assert ("strength", "rising") in kinds and ("improvement", "rising") in kinds
    strength = result.of_kind("strength")[0]
    assert (strength.rank, strength.n_ranked, strength.status) == (1, 21, "observed")
    figures = result.key_figures.set_index("indicator_id")
    assert list(figures.index) == ["flat", "rising"]  # context series are not analysed
    assert figures.loc["rising", "rank"] == 1 and figures.loc["rising", "change_claim"] == \
        "significant"
    assert result.share_observed == 1.0


def test_synthetic_values_never_make_a_finding() -> None:
    values = make_values()
    # one other län's latest value is synthetic: the rank is no longer an observed fact
    values.loc[(values["region_code"] == "05") & (values["indicator_id"] == "rising")
               & (values["period_start"] == 2024), "status"] = "synthetic"
    # one value inside the window of the län's own trend is synthetic
    values.loc[(values["region_code"] == "21") & (values["indicator_id"] == "rising")
               & (values["period_start"] == 2015), "status"] = "synthetic"
    result = findings_for(values)
    assert result.findings == [] and result.too_few
    assert result.shortfall["synthetic_ranks"] == 1
    assert result.shortfall["synthetic_trends"] == 1


def test_observed_share_counts_analysed_values_in_the_window() -> None:
    values = make_values()
    values.loc[values["indicator_id"] == "befolkning", "status"] = "synthetic"
    values.loc[(values["indicator_id"] == "flat") & (values["region_code"] == "21"),
               "status"] = "synthetic"
    old = values[values["period_start"] == 2013].assign(period_start=2005, period_end=2005,
                                                       period="2005", status="observed")
    share, n, n_observed = observed_share(pd.concat([values, old]), make_catalogue(), "21", 2024)
    assert (n, n_observed) == (24, 12) and share == 0.5

"""PCA checked against a direct numpy SVD; sign rule invariant to order; bootstrap seeded."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecoreport.analysis.pca import (
    PcaInputError,
    bootstrap_pca,
    fit_pooled_pca,
    fit_region_pca,
    group_years,
    orientation_signs,
)

YEARS = list(range(2013, 2025))
AXES = {"pub": "research", "dr": "research", "patent": "research",
        "vc": "market", "nyfo": "market", "bredband": "market",
        "export": None, "lon": None}


def make_catalogue(ids: dict[str, str | None] = AXES) -> SimpleNamespace:
    indicators = {i: SimpleNamespace(kind="register", polarity="higher_is_better",
                                     normalise="none", dimension="teknologi", axis=axis)
                  for i, axis in ids.items()}
    indicators["befolkning"] = SimpleNamespace(kind="register", polarity="neutral",
                                               normalise="none", dimension="kontext",
                                               axis=None)
    return SimpleNamespace(indicators=indicators,
                           dimensions=[SimpleNamespace(id="kontext", metric=False)])


def make_values(region_codes: list[str], seed: int = 1,
                ids: dict[str, str | None] = AXES) -> pd.DataFrame:
    """Research series fall and market series rise over the years, plus a second factor."""
    rng = np.random.default_rng(seed)
    rows = []
    for r, code in enumerate(region_codes):
        trend = np.linspace(-1, 1, len(YEARS)) + 0.3 * r
        cycle = np.sin(np.arange(len(YEARS)))
        for indicator_id, axis in ids.items():
            base = {"research": -trend, "market": trend, None: cycle}[axis]
            series = 10 + 3 * base + 0.4 * rng.standard_normal(len(YEARS))
            rows += [(code, indicator_id, year, v) for year, v in zip(YEARS, series)]
        rows += [(code, "befolkning", year, 1000.0 + year) for year in YEARS]
    frame = pd.DataFrame(rows, columns=["region_code", "indicator_id", "period_start", "value"])
    frame["period_end"] = frame["period_start"]
    frame["period"] = frame["period_start"].astype(str)
    frame["year"] = frame["period_start"].astype(float)
    frame["status"] = "observed"
    return frame


def numpy_pca(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Explained variance ratio and variable–component correlations, straight from SVD."""
    z = (matrix - matrix.mean(0)) / matrix.std(0, ddof=1)
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    evr = s ** 2 / (s ** 2).sum()
    return evr, vt.T * s / np.sqrt(len(z) - 1)


def test_region_pca_matches_numpy_svd() -> None:
    values = make_values(["24"])
    result = fit_region_pca(values, make_catalogue(), "24", until_year=2024, min_cos2=0.0)
    ids = sorted(AXES)
    matrix = values[values["indicator_id"].isin(ids)].pivot(
        index="period_start", columns="indicator_id", values="value")[ids].to_numpy()
    evr, loadings = numpy_pca(matrix)
    assert result.kept_variables == ids
    k = len(result.explained_variance_ratio)
    np.testing.assert_allclose(result.explained_variance_ratio.to_numpy(), evr[:k], atol=1e-10)
    for j in range(2):
        ours = result.loadings.iloc[:, j].to_numpy()
        ref = loadings[:, j] * np.sign(ours @ loadings[:, j])
        np.testing.assert_allclose(ours, ref, atol=1e-10)
    np.testing.assert_allclose(result.cos2["PC1+PC2"].to_numpy(),
                               (loadings[:, :2] ** 2).sum(1), atol=1e-10)
    assert set(result.scores.columns) >= {"region_code", "year", "PC1", "PC2"}
    assert result.scores["year"].tolist() == YEARS


def test_pc1_research_left_market_right_and_years_move_right() -> None:
    result = fit_region_pca(make_values(["24"]), make_catalogue(), "24", until_year=2024)
    pc1 = result.loadings["PC1"]
    assert pc1[["pub", "dr", "patent"]].mean() < 0 < pc1[["vc", "nyfo", "bredband"]].mean()
    scores = result.trajectory("24")
    assert scores["PC1"].iloc[-1] > scores["PC1"].iloc[0]
    assert result.research_market_corr < -0.8
    assert result.dropped.get("befolkning") is None  # context is never a candidate


def test_cos2_screening_drops_noise_and_refits() -> None:
    values = make_values(["24"])
    noise = np.random.default_rng(5).standard_normal(len(YEARS)) * 0.01
    extra = values[values["indicator_id"] == "pub"].copy()
    extra["indicator_id"] = "brus"
    # almost orthogonal to both factors: uncorrelated noise with a tiny spread
    extra["value"] = 5 + noise
    values = pd.concat([values, extra], ignore_index=True)
    catalogue = make_catalogue({**AXES, "brus": None})
    result = fit_region_pca(values, catalogue, "24", until_year=2024, min_cos2=0.3)
    screened = result.screening["cos2_pc12"]
    dropped = sorted(screened.index[screened < 0.3])
    assert "brus" in dropped
    assert all(result.dropped[i] == "low_cos2" for i in dropped)
    kept = [i for i in sorted(catalogue.indicators) if i in result.kept_variables]
    matrix = values.pivot_table(index="period_start", columns="indicator_id",
                                values="value")[kept].to_numpy()
    evr, _ = numpy_pca(matrix)
    np.testing.assert_allclose(result.explained_variance_ratio.to_numpy(),
                               evr[:len(result.explained_variance_ratio)], atol=1e-10)
    table = result.to_frame().set_index("indicator_id")
    assert not table.loc["brus", "is_kept"]
    assert table.loc["brus", "drop_reason"] == "low_cos2"


def test_sign_rule_invariant_to_indicator_and_row_order() -> None:
    values = make_values(["24"])
    reference = fit_region_pca(values, make_catalogue(), "24", until_year=2024)
    # Rename ids so that their sorted order changes, and shuffle the rows.
    renaming = {i: f"{chr(ord('z') - n)}_{i}" for n, i in enumerate(sorted(AXES))}
    shuffled = values.sample(frac=1.0, random_state=3).copy()
    shuffled["indicator_id"] = shuffled["indicator_id"].replace(renaming)
    catalogue = make_catalogue({renaming[i]: a for i, a in AXES.items()})
    catalogue.indicators["befolkning"] = make_catalogue().indicators["befolkning"]
    result = fit_region_pca(shuffled, catalogue, "24", until_year=2024)
    back = result.loadings.rename(index={v: k for k, v in renaming.items()})
    pd.testing.assert_frame_equal(back.loc[reference.loadings.index, ["PC1", "PC2"]],
                                  reference.loadings[["PC1", "PC2"]], check_names=False,
                                  atol=1e-10)


def test_pooled_pca_invariant_to_region_order_and_positions() -> None:
    codes = ["01", "03", "24", "25"]
    regions = [SimpleNamespace(code=c, peers=[]) for c in ["00", *codes]]
    values = make_values(codes)
    result = fit_pooled_pca(values, make_catalogue(), regions, years=YEARS[:10])
    permuted = dict(zip(codes, reversed(codes)))
    other = values.sample(frac=1.0, random_state=7).copy()
    other["region_code"] = other["region_code"].map(permuted)
    shuffled_regions = list(reversed(regions))
    result2 = fit_pooled_pca(other, make_catalogue(), shuffled_regions, years=YEARS[:10])
    pd.testing.assert_frame_equal(result.loadings, result2.loadings, atol=1e-10)
    assert result.n_observations == 4 * 10
    positions = result.positions(2015)
    assert sorted(positions["region_code"]) == codes
    trajectory = result.trajectory("24")
    assert trajectory["year"].tolist() == YEARS[:10]
    same = result2.trajectory(permuted["24"])
    np.testing.assert_allclose(trajectory["PC1"], same["PC1"], atol=1e-10)


def test_neither_axis_group_uses_largest_loading_rule() -> None:
    loadings = np.array([[0.2, 0.5], [-0.9, -0.1], [0.3, -0.7]])
    none = np.zeros(3, dtype=bool)
    signs = orientation_signs(loadings, none, none)
    assert signs[0] == -1.0  # variable 2 (|−0.9|) becomes positive
    assert signs[1] == -1.0  # mean of PC2 loadings is negative
    tie = orientation_signs(np.array([[-0.5], [0.5]]), none[:2], none[:2])
    assert tie[0] == -1.0  # tie: the first variable (by id) decides


def test_multi_year_indicator_dropped_and_normalised_per_capita() -> None:
    values = make_values(["24"])
    multi = pd.DataFrame({"region_code": "24", "indicator_id": "doktorer",
                          "period_start": [2013, 2017], "period_end": [2016, 2020],
                          "period": ["2013-2016", "2017-2020"], "year": [2014.5, 2018.5],
                          "value": [1.0, 2.0], "status": "observed"})
    catalogue = make_catalogue({**AXES, "doktorer": "research"})
    catalogue.indicators["vc"].normalise = "per_capita"
    result = fit_region_pca(pd.concat([values, multi]), catalogue, "24", until_year=2024,
                            min_cos2=0.0)
    assert result.dropped["doktorer"] == "multi_year_periods"
    vc = values[values["indicator_id"] == "vc"]["value"].to_numpy()
    population = 1000.0 + np.array(YEARS)
    np.testing.assert_allclose(result.matrix["vc"].to_numpy(), vc / population * 1e5)


def test_scores_mark_synthetic_and_imputed_cells() -> None:
    values = make_values(["24"])
    is_2016 = values["period_start"] == 2016
    values.loc[is_2016 & (values["indicator_id"] == "pub"), "status"] = "synthetic"
    values = values[~(is_2016 & (values["indicator_id"] == "vc"))]
    result = fit_region_pca(values, make_catalogue(), "24", until_year=2024, min_cos2=0.0)
    scores = result.scores.set_index("year")
    assert scores.loc[2016, "share_synthetic"] == pytest.approx(1 / 8)
    assert scores.loc[2016, "share_imputed"] == pytest.approx(1 / 8)
    assert scores.loc[2017, "share_synthetic"] == 0
    assert result.imputed_share == pytest.approx(1 / (8 * 12))
    # the gap is interpolated linearly between its neighbours
    vc = result.matrix["vc"].droplevel("region_code")
    assert vc[2016] == pytest.approx((vc[2015] + vc[2017]) / 2)


def test_reliability_message_and_too_little_data() -> None:
    values = make_values(["24"])
    short = values[values["period_start"] <= 2018]
    result = fit_region_pca(short, make_catalogue(), "24", until_year=2018, min_cos2=0.0)
    assert result.n_observations == 6
    assert "6 år och 8 indikatorer" in result.reliability_message
    with pytest.raises(PcaInputError, match="region 24"):
        fit_region_pca(values, make_catalogue(), "24", until_year=2014)
    long = fit_pooled_pca(make_values(["01", "02"]), make_catalogue(),
                          [SimpleNamespace(code="01"), SimpleNamespace(code="02")],
                          years=YEARS)
    assert long.reliability_message is None


def test_bootstrap_is_deterministic_and_stable_for_clear_structure() -> None:
    result = fit_region_pca(make_values(["24"]), make_catalogue(), "24", until_year=2024)
    first = bootstrap_pca(result, n_boot=50, seed=4)
    second = bootstrap_pca(result, n_boot=50, seed=4)
    pd.testing.assert_frame_equal(first.loadings, second.loadings)
    assert first.sign_stability == second.sign_stability
    assert first.sign_stability > 0.9
    table = first.to_frame().set_index("indicator_id")
    assert (table["pc1_low"] <= table["pc1_high"]).all()
    assert not table.loc["pub", "is_uncertain_pc1"]
    other = bootstrap_pca(result, n_boot=50, seed=5)
    assert not np.allclose(other.loadings["pc1_low"], first.loadings["pc1_low"])


def test_group_years_breaks_and_data_driven() -> None:
    labels = group_years(range(2013, 2025), breaks=(2018, 2021))
    assert labels[2013] == "2013–2017" and labels[2020] == "2018–2020"
    assert labels[2024] == "2021–2024"
    auto = group_years(range(2013, 2022))
    assert list(dict.fromkeys(auto)) == ["2013–2015", "2016–2018", "2019–2021"]

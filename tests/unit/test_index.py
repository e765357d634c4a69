"""Innovationsindex on planted data: known winners, known instability, known sensitivity."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecoreport.analysis.index import (
    CHOICES,
    IndexChoices,
    classify_group,
    compute_index,
    compute_index_result,
    normalise_matrix,
    one_at_a_time,
    prepare_index_input,
    prepare_normalised,
    simulate_ranks,
)

DIMENSIONS = ["fou", "humankapital", "entreprenorskap", "marknader"]
N_PER_DIM = 3
YEAR = 2020


def make_catalogue(extra: dict | None = None) -> SimpleNamespace:
    indicators = {
        "befolkning": SimpleNamespace(kind="register", polarity="neutral", normalise="none",
                                      dimension="kontext", unit="antal"),
    }
    for d in DIMENSIONS:
        for k in range(N_PER_DIM):
            indicators[f"{d}_{k}"] = SimpleNamespace(
                kind="register", polarity="higher_is_better", normalise="none",
                dimension=d, unit="procent")
    indicators.update(extra or {})
    return SimpleNamespace(
        indicators=indicators, units={},
        dimensions=[SimpleNamespace(id=d, name_sv=d, order=i) for i, d in enumerate(DIMENSIONS)]
        + [SimpleNamespace(id="kontext", name_sv="Bakgrund", order=99, metric=False)])


def make_regions(n: int) -> list[SimpleNamespace]:
    return [SimpleNamespace(code="00", short_name="Riket", peers=[])] + [
        SimpleNamespace(code=f"{i:02d}", short_name=f"L{i}", peers=[]) for i in range(1, n + 1)]


def tidy(rows: list[tuple[str, str, int, float]], status: str = "observed") -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["region_code", "indicator_id", "period_start", "value"])
    frame["period_end"] = frame["period_start"]
    frame["period"] = frame["period_start"].astype(str)
    frame["year"] = frame["period_start"].astype(float)
    frame["status"] = status
    frame["source_id"] = "test"
    frame["note"] = ""
    return frame


def planted(levels: dict[str, dict[str, float]], noise: float = 0.3, seed: int = 1,
            years: tuple[int, ...] = (YEAR,)) -> pd.DataFrame:
    """Values: each län's level per dimension plus noise per indicator; Riket = län mean."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in years:
        per_region: dict[str, list[float]] = {}
        for code, dims in levels.items():
            for d in DIMENSIONS:
                for k in range(N_PER_DIM):
                    value = 50 + 10 * dims[d] + noise * 10 * rng.standard_normal()
                    rows.append((code, f"{d}_{k}", year, value))
                    per_region.setdefault(f"{d}_{k}", []).append(value)
        rows += [("00", i, year, float(np.mean(v))) for i, v in per_region.items()]
    return tidy(rows)


def simulate(values, catalogue, regions, n_draws=600):
    inp = prepare_index_input(prepare_normalised(values, catalogue, regions), catalogue,
                              regions, YEAR)
    return inp, simulate_ranks(inp, n_draws=n_draws, seed=7)


def test_dominant_lan_ranks_first_with_a_narrow_interval() -> None:
    rng = np.random.default_rng(3)
    levels = {f"{i:02d}": {d: rng.normal(0, 1) for d in DIMENSIONS} for i in range(2, 16)}
    levels["01"] = {d: 5.0 for d in DIMENSIONS}  # far ahead on every dimension
    catalogue, regions = make_catalogue(), make_regions(15)
    inp, sim = simulate(planted(levels), catalogue, regions)
    index = compute_index(inp).set_index("region_code")
    assert index.at["01", "rank"] == 1
    summary = sim.summary().set_index("region_code")
    assert summary.at["01", "rank_median"] == 1
    assert summary.at["01", "rank_p05"] == 1 and summary.at["01", "rank_p95"] == 1
    # a dominant län is a leader relative to Riket (the mean of all län)
    assert index.at["01", "group"] == "leader"


def test_mixed_strengths_give_a_wide_interval() -> None:
    rng = np.random.default_rng(4)
    levels = {f"{i:02d}": dict.fromkeys(DIMENSIONS, float(g))
              for i, g in zip(range(2, 16), np.linspace(-1.5, 1.5, 14))}
    for code in levels:  # consistent län: a little noise around their level
        levels[code] = {d: v + 0.1 * rng.standard_normal() for d, v in levels[code].items()}
    # the mixed län: the best in two dimensions, the worst in the other two
    levels["01"] = {"fou": 4.0, "humankapital": 4.0, "entreprenorskap": -4.0,
                    "marknader": -4.0}
    catalogue, regions = make_catalogue(), make_regions(15)
    _, sim = simulate(planted(levels, noise=0.1), catalogue, regions)
    summary = sim.summary().set_index("region_code")
    widths = summary["interval_width"]
    assert widths["01"] >= 6
    assert widths["01"] > 2 * widths.drop("01").median()


def sensitivity_case() -> tuple:
    """Planted: independent levels per dimension (unbalanced profiles, so arithmetic and
    geometric means disagree most), one moderate outlier per indicator (normalisation
    matters less), no gaps (imputation cannot matter)."""
    rng = np.random.default_rng(11)
    levels = {f"{i:02d}": {d: rng.normal(0, 1) for d in DIMENSIONS} for i in range(1, 16)}
    values = planted(levels, noise=0.6, seed=5)
    lan = values["region_code"] != "00"
    for indicator in values["indicator_id"].unique():
        rows = values.index[lan & (values["indicator_id"] == indicator)]
        values.loc[rng.choice(rows), "value"] += 40.0
    return values, make_catalogue(), make_regions(15)


def test_one_choice_at_a_time_reproduces_the_sensitivity_ordering() -> None:
    values, catalogue, regions = sensitivity_case()
    inp, sim = simulate(values, catalogue, regions, n_draws=1500)
    first_order = sim.sensitivity()
    oat = one_at_a_time(inp, seed=7)
    assert set(first_order["choice"]) == set(oat["choice"]) == set(CHOICES)
    # the planted choice leads and the one that cannot matter comes last, both ways
    assert first_order.iloc[0]["choice"] == oat.iloc[0]["choice"] == "aggregation"
    assert first_order.iloc[-1]["choice"] == oat.iloc[-1]["choice"] == "imputation"
    # weights drawn from the whole simplex matter (at ±25 % they explained < 1 %)
    assert first_order.set_index("choice").at["weights", "first_order"] > 0.01
    # imputation cannot matter without gaps: nothing one at a time, ~nothing in the Monte Carlo
    assert oat.iloc[-1]["mean_abs_rank_change"] == 0
    assert first_order.iloc[-1]["first_order"] < 0.01
    assert first_order["first_order"].sum() <= 1.0 + 1e-9


def test_carry_forward_fills_gaps_and_none_does_not() -> None:
    levels = {f"{i:02d}": dict.fromkeys(DIMENSIONS, float(i)) for i in range(1, 10)}
    values = planted(levels, noise=0.0, years=(2019, 2020))
    # the best län lost its current-year values in two dimensions
    gone = (values["region_code"] == "09") & (values["period_start"] == 2020) & (
        values["indicator_id"].str.startswith(("fou", "marknader")))
    values = values[~gone]
    catalogue, regions = make_catalogue(), make_regions(9)
    inp = prepare_index_input(prepare_normalised(values, catalogue, regions), catalogue,
                              regions, 2020)
    carried = compute_index(inp, IndexChoices(imputation="carry_forward")).set_index(
        "region_code")
    plain = compute_index(inp, IndexChoices(imputation="none")).set_index("region_code")
    assert carried.at["09", "n_indicators"] == 12
    assert plain.at["09", "n_indicators"] == 6
    assert carried.at["09", "rank"] == 1
    # without carrying forward it has half of the indicators: scored, but below the
    # coverage a rank needs
    assert plain.at["09", "coverage"] == 0.5 and pd.isna(plain.at["09", "rank"])
    assert np.isfinite(plain.at["09", "score"])


def test_polarity_and_per_capita_follow_the_catalogue() -> None:
    extra = {
        "konkurser": SimpleNamespace(kind="register", polarity="higher_is_worse",
                                     normalise="per_capita", dimension="entreprenorskap",
                                     unit="antal")}
    catalogue = make_catalogue(extra)
    regions = make_regions(3)
    # big län 01 has the most bankruptcies in total but the fewest per inhabitant
    rows = [("01", "befolkning", YEAR, 1_000_000), ("02", "befolkning", YEAR, 100_000),
            ("03", "befolkning", YEAR, 50_000), ("00", "befolkning", YEAR, 1_150_000),
            ("01", "konkurser", YEAR, 100), ("02", "konkurser", YEAR, 50),
            ("03", "konkurser", YEAR, 40), ("00", "konkurser", YEAR, 190)]
    only = SimpleNamespace(**{**vars(catalogue),
                              "indicators": {k: v for k, v in catalogue.indicators.items()
                                             if k in ("befolkning", "konkurser")}})
    inp = prepare_index_input(prepare_normalised(tidy(rows), only, regions), only, regions,
                              YEAR)
    index = compute_index(inp).set_index("region_code")
    assert list(index.loc[["01", "02", "03"], "rank"]) == [1, 2, 3]


def test_normalisations_keep_order_and_place_riket_among_the_lan() -> None:
    matrix = np.array([[1.0, 10.0], [2.0, np.nan], [4.0, 30.0]])
    riket = np.array([2.5, 20.0])
    for method in CHOICES["normalisation"]:
        out, out_r = normalise_matrix(matrix, riket, method)
        assert out[0, 0] < out[1, 0] < out[2, 0], method
        assert out[1, 0] < out_r[0] < out[2, 0], method
        assert np.isnan(out[1, 1]), method
    out, out_r = normalise_matrix(matrix, riket, "min_max")
    assert out[:, 0].tolist() == [0.0, 1 / 3, 1.0] and out_r[0] == pytest.approx(0.5)


def test_groups_follow_the_scoreboard_thresholds() -> None:
    assert [classify_group(p) for p in (130, 125, 124.9, 100, 99, 70, 69.9)] == [
        "leader", "leader", "strong", "strong", "moderate", "moderate", "emerging"]
    assert classify_group(float("nan")) is None


def test_unknown_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="normalisation"):
        IndexChoices(normalisation="softmax")


def test_observed_only_index_appears_with_synthetic_values() -> None:
    levels = {f"{i:02d}": dict.fromkeys(DIMENSIONS, float(i)) for i in range(1, 8)}
    values = planted(levels, noise=0.0)
    catalogue, regions = make_catalogue(), make_regions(7)
    clean = compute_index_result(values, catalogue, regions, YEAR, n_draws=50)
    assert clean.observed is None
    synthetic = values["indicator_id"].str.startswith("fou")
    values.loc[synthetic, "status"] = "synthetic"
    mixed = compute_index_result(values, catalogue, regions, YEAR, n_draws=50)
    assert mixed.observed is not None
    assert not any(i.startswith("fou") for i in mixed.observed_indicator_ids)
    row = mixed.region_row("07")
    assert row["rank"] == 1 and row["share_synthetic"] == pytest.approx(0.25)
    assert mixed.observed.set_index("region_code").at["07", "rank"] == 1

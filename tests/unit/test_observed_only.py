"""Synthetic values draw shapes, never numbers: comparisons at the latest observed period,
the index and the axis on observed values, the group probabilities, and the analysis of the
bundled data unmoved when every synthetic value changes."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecoreport.analysis.axis import MIN_INDICATORS_PER_SIDE, fit_pooled_axis
from ecoreport.analysis.compare import (MIN_COMPARED_REGIONS, NO_COMMON_PERIOD,
                                       REGION_NOT_OBSERVED, choose_comparison_period,
                                       compare_regions, comparison_periods,
                                       normalise_values, observed_values)
from ecoreport.analysis.index import (MIN_REGION_COVERAGE, PERFORMANCE_GROUPS,
                                      compute_index_result, dimension_profile_from_index)
from ecoreport.errors import PcaInputError

N_LAN = 21
CODES = [f"{i:02d}" for i in range(1, N_LAN + 1)]


def regions() -> list[SimpleNamespace]:
    return [SimpleNamespace(code="00", short_name="Riket", peers=[])] + [
        SimpleNamespace(code=c, short_name=f"L{c}", peers=[]) for c in CODES]


def tidy(rows: list[tuple]) -> pd.DataFrame:
    """(region, indicator, year, value, status) rows as the analysis reads them."""
    frame = pd.DataFrame(rows, columns=["region_code", "indicator_id", "period_start", "value",
                                        "status"])
    frame["period_end"] = frame["period_start"]
    frame["period"] = frame["period_start"].astype(str)
    frame["year"] = frame["period_start"].astype(float)
    frame["source_id"] = np.where(frame["status"] == "synthetic", "synthetic", "test")
    frame["note"] = ""
    return frame


def catalogue(ids_axes: dict[str, str | None], dims: dict[str, str] | None = None):
    indicators = {
        i: SimpleNamespace(kind="register", polarity="higher_is_better", normalise="none",
                           dimension=(dims or {}).get(i, "fou"), unit="procent", axis=axis,
                           method_break=None)
        for i, axis in ids_axes.items()}
    dimensions = sorted({ind.dimension for ind in indicators.values()})
    return SimpleNamespace(
        indicators=indicators, units={},
        dimensions=[SimpleNamespace(id=d, name_sv=d, order=k, metric=True)
                    for k, d in enumerate(dimensions)])


# -- comparisons at the latest observed period --------------------------------------------------

def comparison_case() -> pd.DataFrame:
    """2019: every län observed; 2021: only 10 län observed (the rest synthetic); 2017:
    every län but 05 observed... and 05 observed in 2015 only with 14 others."""
    rng = np.random.default_rng(1)
    rows = []
    for code in CODES + ["00"]:
        for year in (2015, 2017, 2019, 2021, 2023):
            observed = {2015: code in CODES[:15], 2017: True, 2019: code != "05",
                        2021: code in CODES[:10], 2023: False}[year]
            rows.append((code, "x", year, float(rng.uniform(1, 100)),
                         "observed" if observed else "synthetic"))
    return tidy(rows)


def test_comparison_uses_the_latest_period_with_the_lan_and_enough_lan_observed() -> None:
    values = comparison_case()
    cat = catalogue({"x": None})
    normalised = normalise_values(observed_values(values), cat)
    periods = comparison_periods(normalised, regions(), 2024)
    assert list(periods["period"]) == ["2019", "2017", "2015"]  # 2021: 10 < 15 observed
    assert MIN_COMPARED_REGIONS == 15
    chosen, reason = choose_comparison_period(periods, "01")
    assert chosen["period"] == "2019" and reason is None
    chosen, reason = choose_comparison_period(periods, "05")  # not observed in 2019
    assert chosen["period"] == "2017" and reason is None
    table = compare_regions(observed_values(values), cat, regions(), "x", 2024,
                            normalised=normalised, period=(2019, 2019))
    assert set(table["status"].dropna()) == {"observed"}
    assert int(table["n_ranked"].iloc[0]) == N_LAN - 1
    assert pd.isna(table.set_index("region_code").at["05", "rank"])
    # Riket is observed in 2019 (it is in none of the synthetic cells of the case)
    assert np.isfinite(table["riket_value"].iloc[0])


def test_no_rank_without_a_period_with_enough_observed_lan() -> None:
    values = comparison_case()
    values.loc[values["region_code"].isin(CODES[14:]), "status"] = "synthetic"  # 14 left
    normalised = normalise_values(observed_values(values), catalogue({"x": None}))
    periods = comparison_periods(normalised, regions(), 2024)
    assert periods.empty
    assert choose_comparison_period(periods, "01") == (None, NO_COMMON_PERIOD)
    only_late = comparison_case()
    only_late.loc[(only_late["region_code"] == "07") & (only_late["period_start"] <= 2019),
                  "status"] = "synthetic"
    normalised = normalise_values(observed_values(only_late), catalogue({"x": None}))
    periods = comparison_periods(normalised, regions(), 2024)
    assert choose_comparison_period(periods, "07") == (None, REGION_NOT_OBSERVED)


# -- the index on observed values -------------------------------------------------------------

INDEX_IDS = {f"{d}_{k}": None for d in ("fou", "marknader", "kultur") for k in range(3)}
INDEX_DIMS = {i: i.split("_")[0] for i in INDEX_IDS}


def index_values(levels: dict[str, float], missing: dict[str, int] | None = None,
                 noise: float = 0.2, seed: int = 3) -> pd.DataFrame:
    """Every län observed on every indicator, at its level plus noise; ``missing`` gives
    a län a number of indicators that are synthetic only; Riket is the län mean."""
    rng = np.random.default_rng(seed)
    rows, per_indicator = [], {}
    for code, level in levels.items():
        for k, indicator in enumerate(INDEX_IDS):
            value = 50 + 10 * level + 10 * noise * rng.standard_normal()
            status = ("synthetic" if k < (missing or {}).get(code, 0) else "observed")
            rows.append((code, indicator, 2020, value, status))
            per_indicator.setdefault(indicator, []).append(value)
    rows += [("00", i, 2020, float(np.mean(v)), "observed") for i, v in per_indicator.items()]
    return tidy(rows)


def test_a_lan_below_the_coverage_is_scored_but_not_ranked() -> None:
    levels = {c: float(i) / 5 for i, c in enumerate(CODES)}
    values = index_values(levels, missing={"21": 4})  # 5 of 9 indicators < 75 %
    result = compute_index_result(observed_values(values), catalogue(INDEX_IDS, INDEX_DIMS),
                                  regions(), 2020, n_draws=80)
    low = result.region_row("21")
    assert low["coverage"] == pytest.approx(5 / 9) and low["coverage"] < MIN_REGION_COVERAGE
    assert low["rank"] is None and np.isfinite(low["score"])
    top = result.region_row("20")
    assert top["rank"] == 1 and top["n_ranked"] == N_LAN - 1 and top["coverage"] == 1.0
    assert result.observed is None  # no second, synthetic-based index beside it
    # the simulations never rank the unranked län either
    unc = result.uncertainty.set_index("region_code")
    assert np.isnan(unc.at["21", "rank_median"])


def test_group_probabilities_sum_to_one_and_follow_the_distance_to_the_line() -> None:
    levels = {c: 0.0 for c in CODES}
    levels["01"] = 6.0    # far above Riket: a leader in every draw
    levels["02"] = -6.0   # far below: emerging in every draw (Riket stays in the middle)
    result = compute_index_result(observed_values(index_values(levels, noise=0.05)),
                                  catalogue(INDEX_IDS, INDEX_DIMS), regions(), 2020,
                                  n_draws=200)
    table = result.group_probabilities.set_index("region_code")
    ids = [g.id for g in PERFORMANCE_GROUPS]
    assert np.allclose(table[ids].sum(axis=1), 1.0)
    assert table.at["01", "leader"] >= 0.95
    assert table.at["02", "emerging"] >= 0.95
    assert result.region_row("01")["group_probabilities"]["leader"] >= 0.95
    # the resampling of indicators is one of the simulated choices
    assert set(result.sensitivity["choice"]) >= {"indicator_set", "weights"}


def test_dimension_profile_is_the_index_dimension_rank() -> None:
    levels = {c: float(i) for i, c in enumerate(CODES)}
    cat = catalogue(INDEX_IDS, INDEX_DIMS)
    result = compute_index_result(observed_values(index_values(levels)), cat, regions(), 2020,
                                  n_draws=40)
    profile = dimension_profile_from_index(result, cat, "21").set_index("dimension")
    dims = result.dimensions[result.dimensions["region_code"] == "21"].set_index("dimension")
    for dim in ("fou", "marknader", "kultur"):
        assert profile.at[dim, "rank"] == dims.at[dim, "rank"] == 1
        assert profile.at[dim, "profile"] == "strength"


# -- the axis on observed values --------------------------------------------------------------

AXIS_IDS = {**{f"r{j}": "research" for j in range(5)}, **{f"m{j}": "market" for j in range(5)},
            **{f"n{j}": None for j in range(3)}}
YEARS = range(2013, 2025)


def axis_values(kind: str, seed: int, status: str = "observed") -> pd.DataFrame:
    """``null``: independent random walks for every län and indicator; ``planted``: research
    indicators follow one trait of the län, market indicators another."""
    rng = np.random.default_rng(seed)
    research, market = rng.standard_normal(N_LAN), rng.standard_normal(N_LAN)
    rows = []
    for j, (indicator, axis) in enumerate(AXIS_IDS.items()):
        walk = np.cumsum(rng.standard_normal((len(YEARS), N_LAN)), axis=0)
        for t, year in enumerate(YEARS):
            for r, code in enumerate(CODES):
                if kind == "null":
                    value = 100 + walk[t, r]
                else:
                    trait = {"research": research, "market": market}.get(axis, np.zeros(N_LAN))
                    value = 100 + 3 * trait[r] + 0.5 * rng.standard_normal()
                rows.append((code, indicator, year, value, status))
    return tidy(rows)


@pytest.mark.parametrize("seed", [1, 2])
def test_axis_on_observed_null_data_is_not_supported_whatever_the_synthetic_cells(seed) -> None:
    observed = axis_values("null", seed)
    # synthetic cells with a strong planted structure beside them (other years) are ignored
    planted = axis_values("planted", seed + 10, status="synthetic")
    planted["period_start"] = planted["period_end"] = planted["period_start"] - 20
    planted["period"] = planted["period_start"].astype(str)
    values = pd.concat([observed, planted], ignore_index=True)
    result = fit_pooled_axis(observed_values(values), catalogue(AXIS_IDS), regions(),
                             years=range(1993, 2025), n_permutations=199, n_bootstrap=20)
    assert not result.supported
    assert set(result.positions["side"]) == {"middle"}


def test_axis_on_observed_planted_structure_is_supported() -> None:
    result = fit_pooled_axis(observed_values(axis_values("planted", 4)), catalogue(AXIS_IDS),
                             regions(), years=YEARS, n_permutations=199, n_bootstrap=20)
    assert result.supported and result.p_value < 0.05


def test_axis_needs_observed_research_and_market_indicators() -> None:
    values = axis_values("planted", 5)
    market = [i for i, a in AXIS_IDS.items() if a == "market"]
    values.loc[values["indicator_id"].isin(market[MIN_INDICATORS_PER_SIDE - 1:]),
               "status"] = "synthetic"
    with pytest.raises(PcaInputError) as err:
        fit_pooled_axis(observed_values(values), catalogue(AXIS_IDS), regions(), years=YEARS,
                        n_permutations=99, n_bootstrap=0)
    assert err.value.axis_inputs == {"n_research": 5, "n_market": MIN_INDICATORS_PER_SIDE - 1}


# -- the bundled data: every synthetic value changed, the analysis unmoved ----------------------

def test_results_of_the_bundled_data_ignore_every_synthetic_value(tmp_path) -> None:
    from ecoreport.analysis.results import compute_results
    from ecoreport.data.catalogue import load_catalogue
    from ecoreport.data.dataset import load_dataset
    from ecoreport.paths import data_dir
    from ecoreport.report.results_data import summary_dict
    from tests.synthetic_variants import change_synthetic_values

    changed = tmp_path / "data"
    shutil.copytree(data_dir(), changed)
    assert change_synthetic_values(changed, seed=5) > 1000
    summaries = []
    for folder in (None, changed):
        dataset = load_dataset(folder)
        results = compute_results(dataset, "24", 2024)
        summaries.append(summary_dict(results, load_catalogue(folder), "Västerbotten"))
    assert summaries[0] == summaries[1]

"""The research–market axis on data with a known answer: pure noise and planted traits."""

from __future__ import annotations

import numpy as np
import pytest

from ecoreport.analysis.axis import (
    block_bootstrap_correlation,
    cross_section,
    fit_axis,
    random_walk_pc1_null,
    tucker_congruence,
)

N_YEARS, N_REGIONS = 12, 21
LABELS = np.array(["research"] * 6 + ["market"] * 6 + [""] * 4, dtype=object)
FAST = {"n_permutations": 199, "n_bootstrap": 40}


def random_walk_cube(seed: int) -> np.ndarray:
    """Independent random walks for every indicator and län."""
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.standard_normal((N_YEARS, N_REGIONS, len(LABELS))), axis=0)


def planted_cube(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Research indicators driven by one latent trait, market indicators by another, plus a
    general level shared by all indicators and a common time trend (both must be removed)."""
    rng = np.random.default_rng(seed)
    research_trait = rng.standard_normal(N_REGIONS)
    market_trait = rng.standard_normal(N_REGIONS)
    level = 2.0 * rng.standard_normal(N_REGIONS)
    cube = np.empty((N_YEARS, N_REGIONS, len(LABELS)))
    for j, label in enumerate(LABELS):
        trait = {"research": research_trait, "market": market_trait}.get(label, 0.0)
        for t in range(N_YEARS):
            cube[t, :, j] = (level + 1.5 * trait + 0.3 * t
                             + 0.5 * rng.standard_normal(N_REGIONS))
    return cube, research_trait - market_trait


def codes() -> list[str]:
    return [f"{i:02d}" for i in range(1, N_REGIONS + 1)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_walks_give_no_supported_axis(seed: int) -> None:
    result = fit_axis(random_walk_cube(seed), codes(), [f"i{j}" for j in range(len(LABELS))],
                      LABELS, seed=seed, **FAST)
    assert not result.supported
    assert set(result.positions["side"]) == {"middle"}


def test_label_permutation_false_positive_rate_is_near_nominal() -> None:
    rejections = [fit_axis(random_walk_cube(seed), codes(), [str(j) for j in range(16)],
                           LABELS, seed=seed, n_permutations=99, n_bootstrap=0).supported
                  for seed in range(40)]
    assert np.mean(rejections) <= 0.125  # nominal 5 %; 40 draws


def test_planted_two_factor_structure_is_found_with_research_left() -> None:
    cube, research_minus_market = planted_cube(7)
    result = fit_axis(cube, codes(), [f"i{j}" for j in range(len(LABELS))], LABELS, seed=7,
                      **FAST)
    assert result.supported and result.p_value < 0.01
    loadings = result.loadings.set_index("indicator_id")["loading"]
    research = loadings[result.loadings.set_index("indicator_id")["axis"] == "research"]
    assert (research < 0).all()
    top = codes()[int(np.argmax(research_minus_market))]
    row = result.positions.set_index("region_code").loc[top]
    assert row["side"] == "research" and row["rank"] <= 3
    assert result.stability >= 0.9


def test_cross_section_removes_year_effect_and_general_level() -> None:
    rng = np.random.default_rng(0)
    profile = rng.standard_normal((N_REGIONS, 5))
    level = 10 * rng.standard_normal(N_REGIONS)[:, None]
    cube = np.stack([profile + level + 5 * t for t in range(N_YEARS)])
    out = cross_section(cube)
    assert np.allclose(out.mean(axis=1), 0) and np.allclose(out.mean(axis=0), 0)
    # the profile (with its own row means removed) survives, up to the column scaling
    centred = profile + level - (profile + level).mean(axis=0)
    z = centred / centred.std(axis=0, ddof=1)
    z = z - z.mean(axis=1, keepdims=True)
    assert np.allclose(out, z - z.mean(axis=0))


def test_tucker_congruence_is_scale_free_and_signed() -> None:
    a = np.array([1.0, 2.0, -1.0])
    assert tucker_congruence(a, 3 * a) == pytest.approx(1.0)
    assert tucker_congruence(a, -a) == pytest.approx(-1.0)


def test_random_walk_pc1_shares_are_high_by_chance() -> None:
    shares = random_walk_pc1_null(12, 30, min_cos2=0.3, n_simulations=60, seed=1)
    assert 0.4 < np.median(shares) < 0.7  # trends alone give a large PC1


def test_block_bootstrap_interval_covers_zero_for_independent_walks() -> None:
    rng = np.random.default_rng(4)
    a, b = np.cumsum(rng.standard_normal((2, 12)), axis=1)
    low, high = block_bootstrap_correlation(a, b, n_bootstrap=300, seed=4)
    assert low < high and -1 <= low and high <= 1

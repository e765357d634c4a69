"""The research–market axis, measured where it can exist: across the 21 län.

Method (the method chapter explains it in Swedish):

1. Annual, normalised values of the analysed indicators (not context series) for all län
   in the report window, gap-filled as for the PCA (``pca.build_matrix``). The report
   passes observed values only: an indicator enters when at least ``MIN_CELL_COVERAGE``
   of its län × year cells are observed, and the axis is fitted only when at least
   ``MIN_INDICATORS_PER_SIDE`` research and as many market indicators enter (otherwise
   there is no axis to test and the report says so).
2. **Year effect removed**: each indicator is standardised across the län within each year
   (z-score per year) and signed by polarity (higher = better for innovation); the years
   are then averaged, so each län has one profile and time cannot pose as the axis.
3. **General level removed**: each län's mean over the indicators is subtracted, so a län
   that is good (or bad) at everything does not pose as research- or market-driven.
4. A PCA (SVD) of that 21 × p matrix, without any screening; explained variance is that
   of this single fit.
5. The axis is the component, among the first ``N_CANDIDATES``, with the largest gap
   between the mean loading of the catalogue's research indicators and that of its market
   indicators. **Test**: the same statistic (the largest gap over the same components) with
   the catalogue's axis labels permuted over the indicators, ``n_permutations`` times; the
   p-value is the share of permutations at least as large (with the +1 correction). The
   axis is claimed only when p < ``SIGNIFICANCE_LEVEL``.
6. Oriented so the research mean loading is negative (research left, market right).
7. **Intervals**: a moving-block bootstrap over the years (blocks of ``BLOCK_LENGTH``
   consecutive years, so autocorrelation is kept): the year average, the level removal,
   the PCA and the choice of component are all repeated in each resample; each resample's
   component is aligned to the full fit by the sign of Tucker's congruence φ, and the
   stability is the share of resamples with unsigned |φ| ≥ ``CONGRUENCE_FAIR`` (0,85,
   "fair similarity", Lorenzo-Seva & ten Berge 2006). A län lies on the research (market)
   side only when its whole interval lies below (above) zero.

The län's own research and market indices (``region_indices``) and their correlation and
drift are computed per year from the same indicators; their intervals also come from a
moving-block bootstrap / an autocorrelation-robust trend.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecoreport.analysis.compare import POLARITY_SIGN, _get, get_indicator
from ecoreport.analysis.pca import (
    MIN_KEPT_VARIABLES,
    _candidate_frame,
    build_matrix,
    fit_region_pca,
    standardise,
)
from ecoreport.analysis.trends import SIGNIFICANCE_LEVEL, TrendResult, fit_trend
from ecoreport.data.vocab import RIKET_CODE
from ecoreport.errors import PcaInputError

logger = logging.getLogger(__name__)

N_CANDIDATES = 3
#: share of an indicator's län × year cells that must have a value for it to enter the axis
MIN_CELL_COVERAGE = 0.25
#: research indicators and market indicators (each) needed to fit and test an axis
MIN_INDICATORS_PER_SIDE = 2
N_PERMUTATIONS = 999
N_BOOTSTRAP = 200
BLOCK_LENGTH = 3
CONGRUENCE_FAIR = 0.85
AXIS_SEED = 20261124
_EPS = 1e-12


@dataclass
class AxisResult:
    """The tested research–market axis across the län of a year window."""

    supported: bool
    test: str
    statistic: float
    p_value: float
    component: str
    explained_variance_ratio: pd.Series
    loadings: pd.DataFrame          # indicator_id, axis, loading
    positions: pd.DataFrame         # region_code, position, ci_low, ci_high, side, rank
    stability: float                # share of resamples with |phi| >= CONGRUENCE_FAIR
    median_congruence: float
    n_permutations: int
    n_bootstrap: int
    block_length: int
    years: tuple[int, int]

    @property
    def n_regions(self) -> int:
        return int(len(self.positions))

    def position(self, region_code: str) -> pd.Series | None:
        rows = self.positions[self.positions["region_code"] == str(region_code)]
        return None if rows.empty else rows.iloc[0]


def _signs(catalogue: object, ids: Sequence[str]) -> np.ndarray:
    return np.array([POLARITY_SIGN.get(str(_get(get_indicator(catalogue, i), "polarity")), 1.0)
                     or 1.0 for i in ids])


def _labels(catalogue: object, ids: Sequence[str]) -> np.ndarray:
    return np.array([_get(get_indicator(catalogue, i), "axis") or "" for i in ids], dtype=object)


def cross_section(cube: np.ndarray) -> np.ndarray:
    """Years × län × indicators → län × indicators: within-year z-scores averaged over the
    years, each län's general level removed, columns centred."""
    mean = cube.mean(axis=1, keepdims=True)
    std = cube.std(axis=1, ddof=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(std > _EPS, (cube - mean) / std, 0.0)
    profile = z.mean(axis=0)
    profile = profile - profile.mean(axis=1, keepdims=True)
    return profile - profile.mean(axis=0, keepdims=True)


def _svd(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Explained variance ratio, loadings (p×k, eigenvector × singular value / √(n-1)), scores."""
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    total = float((s ** 2).sum())
    k = min(k, len(s))
    evr = s ** 2 / total if total > 0 else np.zeros_like(s)
    loadings = vt[:k].T * s[:k] / np.sqrt(max(matrix.shape[0] - 1, 1))
    return evr, loadings, u[:, :k] * s[:k]


def separation(loadings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per component: mean loading of market indicators minus that of research indicators.

    ``labels`` may be 1-D (p) or 2-D (permutations × p); the result has the matching
    leading shape and one value per component."""
    research = (labels == "research").astype(float)
    market = (labels == "market").astype(float)
    n_r = research.sum(axis=-1, keepdims=True)
    n_m = market.sum(axis=-1, keepdims=True)
    return market @ loadings / n_m - research @ loadings / n_r


def permutation_test(loadings: np.ndarray, labels: np.ndarray, *, n_permutations: int,
                     seed: int) -> tuple[int, float, float]:
    """The axis component, its |separation| and the permutation p-value (max over the
    candidate components, so the choice of component is part of the null)."""
    observed = np.abs(separation(loadings, labels))
    component = int(np.argmax(observed))
    rng = np.random.default_rng(seed)
    shuffled = np.array([rng.permutation(labels) for _ in range(n_permutations)])
    null = np.abs(separation(loadings, shuffled)).max(axis=-1)
    p_value = (1 + int((null >= observed[component] - 1e-12).sum())) / (n_permutations + 1)
    return component, float(observed[component]), float(p_value)


def tucker_congruence(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Tucker's φ between loading vectors (last axis): Σab / √(Σa² Σb²)."""
    num = (a * b).sum(axis=-1)
    den = np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))
    return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def _block_indices(rng: np.random.Generator, n: int, block: int) -> np.ndarray:
    block = max(1, min(block, n))
    starts = rng.integers(0, n - block + 1, size=int(np.ceil(n / block)))
    return np.concatenate([np.arange(s, s + block) for s in starts])[:n]


def fit_axis(cube: np.ndarray, region_codes: Sequence[str], ids: Sequence[str],
             labels: np.ndarray, *, years: tuple[int, int] = (0, 0),
             n_permutations: int = N_PERMUTATIONS, n_bootstrap: int = N_BOOTSTRAP,
             block_length: int = BLOCK_LENGTH, seed: int = AXIS_SEED) -> AxisResult:
    """The axis from a years × län × indicators cube (polarity-signed, gaps filled)."""
    n_years, n_regions, p = cube.shape
    if n_regions < 4 or p < 3 or not (labels == "research").any() or not (
            labels == "market").any():
        raise PcaInputError(f"research–market axis: {n_regions} län and {p} indicators "
                            "(with both research and market indicators) are needed")
    matrix = cross_section(cube)
    k = min(N_CANDIDATES, n_regions - 1, p)
    evr, loadings, scores = _svd(matrix, k)
    component, statistic, p_value = permutation_test(
        loadings, labels, n_permutations=n_permutations, seed=seed)
    sign = 1.0 if separation(loadings[:, component], labels) >= 0 else -1.0
    full = loadings[:, component] * sign
    position = scores[:, component] * sign

    rng = np.random.default_rng(seed + 1)
    boot_positions = np.empty((n_bootstrap, n_regions))
    congruence = np.empty(n_bootstrap)
    for b in range(n_bootstrap):
        picked = cube[_block_indices(rng, n_years, block_length)]
        _, b_loadings, b_scores = _svd(cross_section(picked), k)
        j = int(np.argmax(np.abs(separation(b_loadings, labels))))
        phi = float(tucker_congruence(b_loadings[:, j], full))
        flip = 1.0 if phi >= 0 else -1.0
        congruence[b] = abs(phi)
        boot_positions[b] = b_scores[:, j] * flip
    tail = SIGNIFICANCE_LEVEL / 2 * 100
    low, high = np.percentile(boot_positions, [tail, 100 - tail], axis=0) if n_bootstrap else (
        np.full(n_regions, np.nan), np.full(n_regions, np.nan))
    supported = p_value < SIGNIFICANCE_LEVEL
    side = np.where(high < 0, "research", np.where(low > 0, "market", "middle"))
    if not supported:
        side = np.full(n_regions, "middle")
    positions = pd.DataFrame({"region_code": list(region_codes), "position": position,
                              "ci_low": low, "ci_high": high, "side": side})
    positions["rank"] = positions["position"].rank(method="min").astype(int)
    names = [f"PC{j + 1}" for j in range(len(evr))]
    return AxisResult(
        supported=bool(supported), test="label_permutation", statistic=statistic,
        p_value=p_value, component=names[component],
        explained_variance_ratio=pd.Series(evr, index=names, name="explained_variance_ratio"),
        loadings=pd.DataFrame({"indicator_id": list(ids), "axis": list(labels),
                               "loading": full}),
        positions=positions.sort_values("rank", kind="stable").reset_index(drop=True),
        stability=float(np.mean(congruence >= CONGRUENCE_FAIR)) if n_bootstrap else np.nan,
        median_congruence=float(np.median(congruence)) if n_bootstrap else np.nan,
        n_permutations=n_permutations, n_bootstrap=n_bootstrap, block_length=block_length,
        years=years)


def pooled_cube(values: pd.DataFrame, catalogue: object, regions: Sequence[object],
                years: Iterable[int]) -> tuple[np.ndarray, list[str], list[str], list[int]]:
    """Years × län × indicators of polarity-signed normalised values (gaps filled)."""
    years = sorted(int(y) for y in years)
    codes = sorted(str(r.code) for r in regions if str(r.code) != RIKET_CODE)
    annual, dropped = _candidate_frame(values, catalogue, codes, years, None)
    annual = annual[annual["period_start"].isin(years)]
    # an indicator with values in too few län × year cells (with observed values only:
    # one observed for a single län) would only add gap-filled cells
    cells = annual.drop_duplicates(["indicator_id", "region_code", "period_start"]).groupby(
        "indicator_id").size() / max(len(codes) * len(years), 1)
    annual = annual[annual["indicator_id"].isin(cells.index[cells >= MIN_CELL_COVERAGE])]
    matrix, _, _ = build_matrix(annual, min_coverage=MIN_CELL_COVERAGE, dropped=dropped)
    ids = list(matrix.columns)
    present = sorted(set(matrix.index.get_level_values("region_code")))
    kept_years = sorted(set(matrix.index.get_level_values("year")))
    full = pd.MultiIndex.from_product([present, kept_years], names=["region_code", "year"])
    matrix = matrix.reindex(full)
    matrix = matrix.groupby(level="region_code").transform(lambda c: c.ffill().bfill())
    matrix = matrix.fillna(matrix.mean())
    cube = matrix.to_numpy(dtype=float).reshape(len(present), len(kept_years), len(ids))
    cube = np.swapaxes(cube, 0, 1) * _signs(catalogue, ids)
    return cube, present, ids, kept_years


def fit_pooled_axis(values: pd.DataFrame, catalogue: object, regions: Sequence[object], *,
                    years: Iterable[int], **kwargs) -> AxisResult:
    """The research–market axis of all län over ``years`` (see the module docstring)."""
    cube, codes, ids, kept_years = pooled_cube(values, catalogue, regions, years)
    labels = _labels(catalogue, ids)
    n_research, n_market = int((labels == "research").sum()), int((labels == "market").sum())
    if min(n_research, n_market) < MIN_INDICATORS_PER_SIDE:
        error = PcaInputError(
            f"research–market axis: {n_research} research and {n_market} market indicators "
            f"have values in at least {MIN_CELL_COVERAGE:.0%} of the län × year cells; "
            f"{MIN_INDICATORS_PER_SIDE} of each are needed")
        error.axis_inputs = {"n_research": n_research, "n_market": n_market}
        raise error
    span = (kept_years[0], kept_years[-1]) if kept_years else (0, 0)
    result = fit_axis(cube, codes, ids, labels, years=span, **kwargs)
    logger.info("axis: %s, p = %.3f, supported %s", result.component, result.p_value,
                result.supported)
    return result


# ---------------------------------------------------------------- the län's own development

@dataclass
class RegionAxisSummary:
    """The län's own PCA read as common development, and its research/market indices."""

    pc1_share: float
    pc1_share_before_screening: float
    pc1_year_correlation: float
    null_pc1_share_median: float
    null_pc1_share_p95: float
    indices: pd.DataFrame           # year, research_index, market_index, difference
    correlation: float
    correlation_ci: tuple[float, float]
    drift: TrendResult              # trend of market index − research index

    @property
    def observed_share(self) -> float:
        """Share of the research and market index cells (indicator × year) observed."""
        return float(self.indices["observed_share"].mean())


def region_indices(values: pd.DataFrame, catalogue: object, region_code: str,
                   years: Iterable[int]) -> pd.DataFrame:
    """Per year: mean polarity-signed z-score (over the years) of the län's research and
    market indicators, and their difference (market − research)."""
    years = sorted(int(y) for y in years)
    annual, dropped = _candidate_frame(values, catalogue, [region_code], years, None)
    annual = annual[annual["period_start"].isin(years)]
    matrix, _, _ = build_matrix(annual, min_coverage=0.75, dropped=dropped)
    ids = list(matrix.columns)
    raw = matrix.to_numpy(dtype=float) * _signs(catalogue, ids)
    std = raw.std(axis=0, ddof=1)
    z = np.where(std > _EPS, (raw - raw.mean(axis=0)) / np.where(std > _EPS, std, 1), 0.0)
    labels = _labels(catalogue, ids)
    out = pd.DataFrame({"year": matrix.index.get_level_values("year").astype(int)})
    for axis in ("research", "market"):
        mask = labels == axis
        out[f"{axis}_index"] = z[:, mask].mean(axis=1) if mask.any() else np.nan
    out["difference"] = out["market_index"] - out["research_index"]
    # how much of each year's indices rests on observed values (a gap filled in the matrix
    # counts as not observed)
    used = [i for i, label in zip(ids, labels) if label in ("research", "market")]
    observed = annual[annual["indicator_id"].isin(used) & (annual["status"] == "observed")]
    per_year = observed.drop_duplicates(["indicator_id", "period_start"]).groupby(
        "period_start").size()
    out["observed_share"] = (out["year"].map(per_year).fillna(0).to_numpy(dtype=float)
                             / len(used)) if used else np.nan
    out["period_start"] = out["period_end"] = out["year"]
    return out


def block_bootstrap_correlation(a: np.ndarray, b: np.ndarray, *, n_bootstrap: int = 999,
                                block_length: int = BLOCK_LENGTH,
                                seed: int = AXIS_SEED) -> tuple[float, float]:
    """95 % percentile interval of Pearson's r under a moving-block bootstrap of the years."""
    rng = np.random.default_rng(seed)
    n = len(a)
    picks = np.array([_block_indices(rng, n, block_length) for _ in range(n_bootstrap)])
    x, y = a[picks], b[picks]
    x = x - x.mean(axis=1, keepdims=True)
    y = y - y.mean(axis=1, keepdims=True)
    den = np.sqrt((x * x).sum(axis=1) * (y * y).sum(axis=1))
    r = np.where(den > 0, (x * y).sum(axis=1) / np.where(den > 0, den, 1), np.nan)
    r = r[np.isfinite(r)]
    tail = SIGNIFICANCE_LEVEL / 2 * 100
    low, high = np.percentile(r, [tail, 100 - tail])
    return float(low), float(high)


def random_walk_pc1_null(n_years: int, n_variables: int, *, min_cos2: float,
                         n_simulations: int = 200, seed: int = AXIS_SEED) -> np.ndarray:
    """PC1 shares of independent random walks of the same size, run through the same
    cos² screen and refit as the län's own PCA (``pca._fit``)."""
    rng = np.random.default_rng(seed)
    walks = np.cumsum(rng.standard_normal((n_simulations, n_years, n_variables)), axis=1)
    z = standardise(walks)
    shares = np.empty(n_simulations)
    for i in range(n_simulations):
        u, s, vt = np.linalg.svd(z[i], full_matrices=False)
        cos2 = ((vt[:2].T * s[:2]) ** 2).sum(axis=1) / (n_years - 1)
        keep = cos2 >= min_cos2
        if keep.sum() < MIN_KEPT_VARIABLES:
            keep = np.zeros_like(keep)
            keep[np.argsort(-cos2)[:MIN_KEPT_VARIABLES]] = True
        s2 = np.linalg.svd(standardise(walks[i][:, keep]), compute_uv=False)
        shares[i] = s2[0] ** 2 / (s2 ** 2).sum()
    return shares


def summarise_region(values: pd.DataFrame, catalogue: object, region_code: str, *,
                     until_year: int, from_year: int, pca=None,
                     n_simulations: int = 200, seed: int = AXIS_SEED) -> RegionAxisSummary:
    """PC1 share before/after screening, its correlation with the year and the random-walk
    null; the län's research and market indices, their correlation (block-bootstrap CI) and
    the drift (trend of market − research, autocorrelation-robust)."""
    pca = pca if pca is not None else fit_region_pca(values, catalogue, region_code,
                                                     until_year=until_year)
    scores = pca.scores.sort_values("year")
    year_r = float(np.corrcoef(scores["year"], scores["PC1"])[0, 1])
    null = random_walk_pc1_null(pca.n_observations, len(pca.screening), min_cos2=pca.min_cos2,
                                n_simulations=n_simulations, seed=seed)
    indices = region_indices(values, catalogue, region_code, range(from_year, until_year + 1))
    a, b = indices["research_index"].to_numpy(), indices["market_index"].to_numpy()
    r = float(np.corrcoef(a, b)[0, 1])
    ci = block_bootstrap_correlation(a, b, seed=seed)
    drift = fit_trend(indices.assign(value=indices["difference"]))
    return RegionAxisSummary(
        pc1_share=float(pca.explained_variance_ratio.iloc[0]),
        pc1_share_before_screening=float(pca.explained_variance_before_screening.iloc[0]),
        pc1_year_correlation=year_r, null_pc1_share_median=float(np.median(null)),
        null_pc1_share_p95=float(np.percentile(null, 95)), indices=indices,
        correlation=r, correlation_ci=ci, drift=drift)
